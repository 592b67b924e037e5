/*
 * opagg.h - operations summed per (client, server, protocol, kind) between
 * flushes.
 *
 * Every request a dissector reports counts (operations are never filtered
 * as repeats), but a SCADA master writing a setpoint every second, or a
 * program download of 400 blocks, must not cost the queue one observation
 * per PDU.  Requests, accepted replies and refused replies are summed here
 * per (client, server, protocol, kind), with the first and last request
 * time and a short list of the distinct details, and handed to the sink as
 * at most three OBS_OP (one per phase, op_n = how many) at each flush.  A
 * request after OP_BURST_GAP_S of silence on an entry hands the entry on
 * first, so the store sees the gap.  The table is allocated once at
 * OPAGG_MAX entries; when full, an operation goes to the sink unsummed
 * (counted).
 */
#ifndef SW_OPAGG_H
#define SW_OPAGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "obs.h"

struct opagg;

struct opagg	*opagg_new(void);
void		 opagg_free(struct opagg *oa);
/* Sum one OBS_OP (from diss_op); sent to sink at once if the table is full. */
void		 opagg_add(struct opagg *oa, const struct obs *o, struct obs_sink *sink);
/* Hand every summed entry to sink, oldest first, and empty the table; false if it was empty. */
bool		 opagg_drain(struct opagg *oa, struct obs_sink *sink);

struct opagg_stats {
	uint64_t	 added;		/* operation observations summed */
	uint64_t	 sent;		/* OBS_OP handed on */
	uint64_t	 direct;	/* table full: handed on unsummed */
	uint64_t	 details_dropped; /* requests whose detail did not fit the list ("+N more") */
	uint64_t	 bursts_split;	/* entries handed on early: a request after a silence */
};
const struct opagg_stats *opagg_stats(const struct opagg *oa);

#endif
