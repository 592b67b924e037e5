/*
 * storer.h - the store's writer, on a thread of its own.
 *
 * The daemon's thread runs the capture and the libevent loop; SQLite must
 * not stall it (a batch with new assets and their risk verdicts takes tens
 * of milliseconds, a WAL checkpoint an fsync).  At a flush the daemon moves
 * what the packet path queued into the writer's inbox and goes back to the
 * packets; the writer stores the inbox as one batch (store_ingest, then
 * store_maintain) and says it is done on storer_fd().
 *
 * The rule that makes it safe: the store is the writer's while a batch
 * runs (storer_busy()).  Anything else that touches it (the risk tables
 * reloaded on SIGHUP, the events forwarded to syslog, the summary) runs on
 * the daemon's thread after storer_wait().  The counters `status` shows
 * are a copy the writer takes at the end of each batch (storer_stats()).
 */
#ifndef SW_STORER_H
#define SW_STORER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "obsq.h"
#include "store.h"

struct storer;

/* NULL on failure with a sentence in err. */
struct storer	*storer_new(struct store *st, char *err, size_t errsz);
/* Waits for a batch in progress, then ends the thread. */
void		 storer_free(struct storer *sw);

/* Readable when a batch has ended (read it empty with storer_ack()). */
int		 storer_fd(const struct storer *sw);
void		 storer_ack(struct storer *sw);

bool		 storer_busy(struct storer *sw);
void		 storer_wait(struct storer *sw);
/*
 * The queue the next batch is stored from.  Only while not busy: the
 * daemon moves observations in (obsq_move); what a failed batch left is
 * still at its head, so it is tried again first.
 */
struct obsq	*storer_inbox(struct storer *sw);
/* Store the inbox on the writer's thread (not busy, inbox not empty). */
void		 storer_start(struct storer *sw);
/*
 * The result of the batch that ended since the last call, once: true and
 * *n = what store_ingest returned (-1: failed, store_errmsg says why).
 * Not busy only.
 */
bool		 storer_result(struct storer *sw, long *n);
/* The store's counters and size as the last batch left them. */
void		 storer_stats(struct storer *sw, struct store_stats *out, uint64_t *used_bytes);

#endif
