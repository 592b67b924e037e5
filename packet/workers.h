/*
 * workers.h - the packet path on one core or several.
 *
 * With one worker the pipeline runs inline on the caller's thread, exactly
 * as it always has.  With N > 1, each worker is a thread with a pipeline of
 * its own (flow table, reassembly, dissector state, nDPI, fact cache) and
 * two observation queues; the caller's thread reads packets and hands each
 * to the worker its host pair hashes to (a symmetric hash: both directions
 * of a flow, and every flow between two hosts, land on one worker), and
 * drains the queues into the one store.  No lock is shared between
 * workers: a worker's only lock guards the swap of its own two queues.
 */
#ifndef SW_WORKERS_H
#define SW_WORKERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "obs.h"
#include "obsq.h"
#include "pipeline.h"

struct workers;

/*
 * lossless: a full packet ring makes workers_packet() wait (reading a
 * file); otherwise the packet is dropped and counted (live capture must
 * never block).  NULL on failure with a sentence in err.
 */
struct workers	*workers_new(unsigned n, const struct pipeline_cfg *cfg, bool lossless,
		    char *err, size_t errsz);
/* Stops the threads once every packet handed over has been processed. */
void		 workers_stop(struct workers *w);
/* After stop: frees the pipelines; their flows' last reports go to the queues (drain after). */
void		 workers_end_flows(struct workers *w);
void		 workers_release(struct workers *w);
void		 workers_free(struct workers *w);
unsigned	 workers_count(const struct workers *w);

void		 workers_packet(struct workers *w, int linktype, const uint8_t *frame,
		    uint32_t caplen, uint32_t wirelen, uint64_t ts_us);
/*
 * The function a reader calls for each packet, and its argument: with one
 * worker the pipeline's own entry (nothing in between), else
 * workers_packet's.  Either does what workers_packet(w, ...) does.
 */
typedef void	(*workers_packet_fn)(void *arg, int linktype, const uint8_t *frame,
		    uint32_t caplen, uint32_t wirelen, uint64_t ts_us);
workers_packet_fn workers_packet_entry(struct workers *w, void **arg);

/*
 * Hand every worker's queued observations to ingest, one queue at a time
 * (ingest consumes what it stored; what it leaves stays for the next
 * call).  With report_flows, each worker first reports its flows' traffic,
 * in steps that fit its queue, the queue drained between steps.  Ingest
 * returns false to stop (the store is failing): the rest waits, and the
 * flow reports go on from where they stopped at the next call.
 */
typedef bool	(*workers_ingest_fn)(void *arg, struct obsq *q);
void		 workers_drain(struct workers *w, bool report_flows, workers_ingest_fn ingest,
		    void *arg);
/* Observations waiting in the fullest worker's queue (to decide a flush). */
size_t		 workers_queued_max(const struct workers *w);

/* Sums over the workers, named as pipeline_stats_walk() names them. */
void		 workers_stats_walk(const struct workers *w, counter_cb cb, void *arg);
void		 workers_proto_counts(const struct workers *w, counter_cb cb, void *arg);
uint64_t	 workers_packets(const struct workers *w);
/* Queue counters summed over the workers' queues. */
struct workers_qstats {
	uint64_t	 queued, dropped, waiting;
	uint64_t	 by_kind[OBS_OP + 1];
	uint64_t	 ring_waits;	/* a file read waited for a worker (lossless) */
	uint64_t	 ring_drops;	/* live packets dropped: a worker's ring was full */
};
void		 workers_qstats(const struct workers *w, struct workers_qstats *out);

#endif
