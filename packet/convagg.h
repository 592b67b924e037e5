/*
 * convagg.h - traffic totals summed per conversation between flushes.
 *
 * A plant's clients open a new TCP connection per poll, per page, per
 * transfer: one OBS_PEER per flow made the store upsert the same
 * conversation row tens of thousands of times.  Flow reports are summed
 * here per (client, server, transport, port, protocol) and handed to the
 * sink as one OBS_PEER each when the daemon flushes to the store, so the
 * store sees no less than before, only fewer, larger deltas, and nothing
 * waits longer than the flush interval.  The table is allocated once at a
 * cap; when it is full a report goes to the sink at once (counted).
 */
#ifndef SW_CONVAGG_H
#define SW_CONVAGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "obs.h"

struct convagg;

struct convagg	*convagg_new(void);
void		 convagg_free(struct convagg *ca);
/* Add an OBS_PEER's packets and bytes (sent to sink at once if the table is full). */
void		 convagg_add(struct convagg *ca, const struct obs *o, struct obs_sink *sink);
/*
 * Send at most max summed conversations to sink, oldest first; true once
 * all are sent and the table is empty.  Until then, convagg_add sends its
 * report on unsummed.
 */
bool		 convagg_drain(struct convagg *ca, struct obs_sink *sink, size_t max);

struct convagg_stats {
	uint64_t	 added;		/* flow reports summed */
	uint64_t	 sent;		/* OBS_PEER handed on */
	uint64_t	 direct;	/* table full: handed on unsummed */
};
const struct convagg_stats *convagg_stats(const struct convagg *ca);

#endif
