/*
 * classify.h - application protocol of a flow, by nDPI (Debian libndpi 4.2).
 *
 * One nDPI detection module per classifier.  A flow gets nDPI state only
 * while it is being classified: the state is allocated at its first packet
 * and freed as soon as nDPI names the protocol, after CLASSIFY_MAX_PKTS
 * packets (nDPI then guesses from the ports), or when the flow leaves the
 * table.  At most CLASSIFY_MAX_LIVE flows hold state at once, so nDPI's
 * memory stays bounded whatever arrives.
 *
 * Result: f->app_proto ("Modbus", "TLS.Google", or "Unknown") and
 * f->app_category ("Network", "IoT-Scada", ...), interned strings that live
 * as long as the classifier; f->classified once final.
 */
#ifndef SW_CLASSIFY_H
#define SW_CLASSIFY_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"

struct classifier;
struct flow;
struct pkt;

struct classifier *classify_new(void);
/* Free after every flow was released (flows point at its names). */
void	 classify_free(struct classifier *cl);
/* Feed one packet of flow f (dir DIR_C2S / DIR_S2C); cheap once classified. */
void	 classify_packet(struct classifier *cl, struct flow *f, const struct pkt *p, int dir);
/* The flow is leaving: give nDPI its last chance to guess, free its state. */
void	 classify_flow_release(struct classifier *cl, struct flow *f);

/* Flows currently holding nDPI state (goes back to 0 when all are released). */
size_t	 classify_live(const struct classifier *cl);
/* Counters: "ndpi.classified", "ndpi.guessed", "ndpi.unknown", "ndpi.no_room", "ndpi.live". */
void	 classify_stats_walk(const struct classifier *cl, counter_cb cb, void *arg);

#endif
