/*
 * classify.c - nDPI flow classification (see classify.h).
 *
 * nDPI 4.2 API: ndpi_init_detection_module, ndpi_set_protocol_detection_
 * bitmask2 (all protocols), ndpi_finalize_initialization once; per flow
 * ndpi_detection_process_packet on the IP header until a protocol is
 * found, else ndpi_detection_giveup (with port guessing).  Names come from
 * ndpi_protocol2name (written into our buffer) and ndpi_category_get_name;
 * both are copied into a bounded table so a flow can keep a pointer.
 *
 * The module is made when the first flow needs it, not at start: its
 * initialisation (protocol tables, IP lists, automata) is about half of
 * spanwatchd's start-up, and most OT flows never reach nDPI at all.
 */
#include <pthread.h>
#include <stdbool.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ndpi/ndpi_api.h>

#include "classify.h"
#include "flow.h"
#include "obs.h"
#include "sw_limits.h"

/* What f->ndpi points to while the flow is being classified. */
struct cflow {
	struct ndpi_flow_struct	 nf;
	uint16_t		 pkts;
};

struct classifier {
	struct ndpi_detection_module_struct *ndpi;	/* NULL until the first flow */
	bool		 init_failed;
	size_t		 live;
	uint64_t	 classified;	/* nDPI named the protocol from traffic */
	uint64_t	 guessed;	/* given up, guessed (ports, IP lists) */
	uint64_t	 unknown;	/* given up, nothing */
	uint64_t	 no_room;	/* CLASSIFY_MAX_LIVE reached, or no module: not classified */
	uint64_t	 names_full;
	size_t		 nnames;
	char		 names[CLASSIFY_MAX_NAMES][OBS_PROTO_MAX];
};

static const char unknown_name[] = "unknown";

struct classifier *
classify_new(void)
{
	return calloc(1, sizeof(struct classifier));
}

/*
 * Making and freeing a module, one thread at a time: with several workers
 * two first flows come at once, and ndpi_init_detection_module is not
 * safe to run twice concurrently (its first call initialises libgcrypt,
 * for QUIC, whose global set-up aborted the daemon about one run in 60
 * with -w 2 on two cores).  Once made, a module is its worker's alone.
 */
static pthread_mutex_t module_lock = PTHREAD_MUTEX_INITIALIZER;

/* The nDPI module, made on first use; NULL (counted) if it cannot be. */
static struct ndpi_detection_module_struct *
module(struct classifier *cl)
{
	NDPI_PROTOCOL_BITMASK all;

	if (cl->ndpi != NULL || cl->init_failed)
		return cl->ndpi;
	pthread_mutex_lock(&module_lock);
	if ((cl->ndpi = ndpi_init_detection_module(ndpi_no_prefs)) == NULL)
		cl->init_failed = true;
	else {
		NDPI_BITMASK_SET_ALL(all);
		ndpi_set_protocol_detection_bitmask2(cl->ndpi, &all);
		ndpi_finalize_initialization(cl->ndpi);
	}
	pthread_mutex_unlock(&module_lock);
	return cl->ndpi;
}

void
classify_free(struct classifier *cl)
{
	if (cl == NULL)
		return;
	if (cl->ndpi) {
		pthread_mutex_lock(&module_lock);
		ndpi_exit_detection_module(cl->ndpi);
		pthread_mutex_unlock(&module_lock);
	}
	free(cl);
}

/* Intern a name: linear search is fine for a few hundred short names. */
static const char *
intern(struct classifier *cl, const char *s)
{
	if (s == NULL || *s == '\0')
		return unknown_name;
	for (size_t i = 0; i < cl->nnames; i++)
		if (strcmp(cl->names[i], s) == 0)
			return cl->names[i];
	if (cl->nnames == CLASSIFY_MAX_NAMES) {
		cl->names_full++;
		return unknown_name;
	}
	strncpy(cl->names[cl->nnames], s, OBS_PROTO_MAX - 1);
	return cl->names[cl->nnames++];
}

/*
 * nDPI's names in spanwatch's protocol vocabulary (docs/PROTOCOLS.md): the
 * wire protocol, not the application on top ("DNS.GMail" is dns: the
 * master protocol when nDPI names one), lower case, the dissectors' own
 * name where spanwatch has a dissector for it.
 */
static const struct {
	const char	*ndpi;
	const char	*ours;
} vocab[] = {
	{ "EthernetIP", "enip" }, { "IEC60870", "iec104" }, { "S7Comm", "s7comm" },
	{ "S7CommPlus", "s7comm_plus" }, { "DCE_RPC", "dcerpc" }, { "NetBIOS", "netbios" },
	{ "OPC-UA", "opcua" }, { "Unknown", "unknown" },
};

static void
vocab_name(const char *ndpi, char *out, size_t outsz)
{
	size_t i;

	for (i = 0; i < sizeof(vocab) / sizeof(vocab[0]); i++)
		if (strcasecmp(ndpi, vocab[i].ndpi) == 0) {
			snprintf(out, outsz, "%s", vocab[i].ours);
			return;
		}
	for (i = 0; ndpi[i] && i + 1 < outsz; i++)
		out[i] = ndpi[i] == '-' || ndpi[i] == '.' ? '_' : (char)tolower((unsigned char)ndpi[i]);
	out[i] = '\0';
}

static void
set_result(struct classifier *cl, struct flow *f, ndpi_protocol proto)
{
	uint16_t id = proto.master_protocol != NDPI_PROTOCOL_UNKNOWN ? proto.master_protocol :
	    proto.app_protocol;
	char buf[OBS_PROTO_MAX];

	vocab_name(ndpi_get_proto_name(cl->ndpi, id), buf, sizeof(buf));
	f->app_proto = intern(cl, buf);
	f->app_category = intern(cl, ndpi_category_get_name(cl->ndpi, proto.category));
	f->classified = true;
}

static bool
is_known(ndpi_protocol proto)
{
	return proto.app_protocol != NDPI_PROTOCOL_UNKNOWN ||
	    proto.master_protocol != NDPI_PROTOCOL_UNKNOWN;
}

static void
drop_state(struct classifier *cl, struct flow *f)
{
	struct cflow *cf = f->ndpi;

	ndpi_free_flow_data(&cf->nf);
	free(cf);
	f->ndpi = NULL;
	cl->live--;
}

static void
give_up(struct classifier *cl, struct flow *f)
{
	struct cflow *cf = f->ndpi;
	uint8_t guessed = 0;
	ndpi_protocol proto;

	proto = ndpi_detection_giveup(cl->ndpi, &cf->nf, 1, &guessed);
	if (is_known(proto))
		cl->guessed++;
	else
		cl->unknown++;
	set_result(cl, f, proto);
}

void
classify_packet(struct classifier *cl, struct flow *f, const struct pkt *p, int dir)
{
	struct cflow *cf;
	ndpi_protocol proto;

	(void)dir;	/* nDPI tells the direction from the addresses itself */
	if (cl == NULL || f->classified || p->l3 == NULL || p->l3_len == 0)
		return;
	if (f->ndpi == NULL) {
		/*
		 * Not before the first payload: nDPI classifies by payload, and a
		 * flood of spoofed SYNs would otherwise take every slot.
		 */
		if (f->proto == L4_TCP && p->payload_len == 0)
			return;
		if (cl->live >= CLASSIFY_MAX_LIVE || module(cl) == NULL) {
			cl->no_room++;
			return;
		}
		if ((f->ndpi = calloc(1, sizeof(*cf))) == NULL) {
			cl->no_room++;
			return;
		}
		cl->live++;
	}
	cf = f->ndpi;
	proto = ndpi_detection_process_packet(cl->ndpi, &cf->nf, p->l3,
	    (unsigned short)(p->l3_len > 65535 ? 65535 : p->l3_len), p->ts_us / 1000);
	if (is_known(proto)) {
		cl->classified++;
		set_result(cl, f, proto);
	} else if (++cf->pkts >= CLASSIFY_MAX_PKTS)
		give_up(cl, f);
	if (f->classified)
		drop_state(cl, f);
}

void
classify_flow_release(struct classifier *cl, struct flow *f)
{
	if (cl == NULL || f->ndpi == NULL)
		return;
	if (!f->classified)
		give_up(cl, f);
	drop_state(cl, f);
}

size_t
classify_live(const struct classifier *cl)
{
	return cl ? cl->live : 0;
}

void
classify_stats_walk(const struct classifier *cl, counter_cb cb, void *arg)
{
	if (cl == NULL)
		return;
	cb(arg, "ndpi.classified", cl->classified);
	cb(arg, "ndpi.guessed", cl->guessed);
	cb(arg, "ndpi.unknown", cl->unknown);
	cb(arg, "ndpi.no_room", cl->no_room);
	cb(arg, "ndpi.names_full", cl->names_full);
	cb(arg, "ndpi.live", cl->live);
	cb(arg, "ndpi.init_failed", cl->init_failed);
}
