/*
 * pipeline.h - one packet's way from capture to observations.
 *
 * decode -> flow table -> TCP reassembly -> dissector -> obs_sink.
 * Runs in the capture path: no DNS, no disk, no SQLite, no allocation per
 * packet.  Time is packet time, so reading a file ages flows exactly as the
 * live capture would have.
 */
#ifndef SW_PIPELINE_H
#define SW_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "dissector.h"
#include "obs.h"

struct pipeline_cfg {
	size_t		 flow_max;	/* FLOW_MAX_DEFAULT if 0 */
	bool		 ndpi;		/* classify flows with nDPI */
	bool		 no_addresses;	/* no OBS_ADDR: a reader notes them for all workers (addrnote.h) */
};

struct pipeline;

struct pipeline *pipeline_new(const struct pipeline_cfg *cfg, struct obs_sink *sink);
void	 pipeline_end_flows(struct pipeline *pl);	/* releases every flow, keeps the counters */
void	 pipeline_free(struct pipeline *pl);	/* releases flows: emits their last OBS_PEER */
/*
 * Back to the state pipeline_new left it in, without its cost: every flow
 * is released (its last reports go to the sink), the sums are drained, the
 * fact cache, memos, layer-2 states and counters are cleared; the tables
 * and nDPI's module (most of pipeline_new's time) are kept.  One pipeline
 * then serves many independent inputs (tests/fuzz/fuzz_pipeline.c).
 * False if, with every flow released, reassembly memory or nDPI state was
 * still accounted for: a leak in that accounting.
 */
bool	 pipeline_reset(struct pipeline *pl);

/*
 * The flows' ageing at packet time now_us, as a packet at that time would
 * run it: with several workers the reader has every worker age its flows
 * where one pipeline would have (each worker's own packets alone would
 * age them later, and report them later).
 */
void	 pipeline_age(struct pipeline *pl, uint64_t now_us);
void	 pipeline_packet(struct pipeline *pl, int linktype, const uint8_t *frame,
	    uint32_t caplen, uint32_t wirelen, uint64_t ts_us);
/* The same, called through a pointer with the pipeline as arg (workers_packet_entry). */
void	 pipeline_packet_cb(void *pl, int linktype, const uint8_t *frame,
	    uint32_t caplen, uint32_t wirelen, uint64_t ts_us);
/*
 * Emit OBS_PEER deltas for all active flows (before a store flush), then
 * the traffic summed per conversation since the last call (convagg.h).
 */
void	 pipeline_report_flows(struct pipeline *pl);
/*
 * The same in steps of at most max flows (a step sends up to two
 * observations per flow), so the caller can drain the queue in between.
 * Start with *pos = 0; returns true when done.
 */
bool	 pipeline_report_flows_step(struct pipeline *pl, size_t *pos, size_t max);

/* Every counter: decode, flows, reassembly, per dissector ("modbus.pdus"). */
void	 pipeline_stats_walk(const struct pipeline *pl, counter_cb cb, void *arg);
/* Per-protocol packet counts for the summary ("eth", "tcp", "modbus", ...). */
void	 pipeline_proto_counts(const struct pipeline *pl, counter_cb cb, void *arg);
uint64_t pipeline_packets(const struct pipeline *pl);

/*
 * The one place "not mine" is decided: a dissector's DISS_NOT_MINE stands
 * only before the flow's first PDU (flow_pdus, this call's included);
 * after one the bytes are malformed.
 */
static inline enum diss_rc
diss_verdict(enum diss_rc rc, uint32_t flow_pdus)
{
	return rc == DISS_NOT_MINE && flow_pdus > 0 ? DISS_MALFORMED : rc;
}

#endif
