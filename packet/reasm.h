/*
 * reasm.h - TCP reassembly for one direction of a flow.
 *
 * Delivers bytes in sequence order to the stream dissector, each byte once:
 * retransmitted bytes are trimmed, segments that arrive early are held
 * (at most REASM_MAX_OOO), and unconsumed bytes wait in a buffer of at most
 * REASM_MAX_DIR bytes.  A gap that cannot be filled resets the direction:
 * buffered bytes are dropped, the dissector's on_gap is called, and
 * delivery resumes at the next segment.  All of it is counted.
 *
 * A hole is given up at once, not after REASM_MAX_OOO held segments, when
 * the receiver has acknowledged bytes past it (reasm_peer_ack): it had
 * them, so no retransmission will bring them to us (the capture missed
 * them).  Held segments are delivered with their own packet time.
 */
#ifndef SW_REASM_H
#define SW_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sw_limits.h"

struct reasm_seg {
	uint32_t	 seq;
	uint32_t	 len;
	uint64_t	 ts_us;		/* time of the packet that carried it */
	uint8_t		*data;
};

struct reasm_dir {
	bool		 started;	/* next_seq is valid */
	uint32_t	 next_seq;	/* sequence number of the next byte to deliver */
	uint8_t		*buf;		/* unconsumed in-order bytes */
	uint32_t	 len, cap;
	uint32_t	 peer_ack;	/* highest ACK of the other direction */
	bool		 peer_acked;	/* peer_ack is valid */
	/*
	 * Held out-of-order segments: REASM_MAX_OOO slots, allocated at the
	 * first one (rare; inline they made every flow 256 bytes larger).
	 */
	struct reasm_seg *ooo;
	uint8_t		 nooo;
};

struct reasm_stats {
	uint64_t	 segments;
	uint64_t	 bytes_delivered;
	uint64_t	 retransmitted_bytes;	/* trimmed duplicates */
	uint64_t	 out_of_order;		/* segments held for later */
	uint64_t	 gaps;			/* streams reset over a gap */
	uint64_t	 holes_acked;		/* of those, holes the receiver had acknowledged */
	uint64_t	 overflows;		/* streams reset: buffer cap */
	uint64_t	 mem_refused;		/* global REASM_MAX_TOTAL reached */
	uint64_t	 mem_in_use;		/* bytes held now */
};

/*
 * Consumer of in-order bytes: gets the whole unconsumed buffer, returns how
 * many bytes it consumed (0..len).  `gap` is true on the first delivery
 * after a reset; ts_us is the time of the segment whose bytes completed
 * this delivery (a held one's own, not the packet's that released it).
 */
typedef size_t (*reasm_deliver_cb)(void *arg, const uint8_t *data, size_t len,
    bool gap, uint64_t ts_us);

/*
 * Add one segment.  syn: the segment carries SYN (next_seq = seq + 1).
 * Calls deliver zero or more times.
 */
void	 reasm_segment(struct reasm_dir *rd, struct reasm_stats *st, uint32_t seq,
	    bool syn, const uint8_t *data, uint32_t len, uint64_t ts_us,
	    reasm_deliver_cb deliver, void *arg);
/* reasm_peer_ack() with segments held: the holes it settles (reasm.c). */
void	 reasm_peer_ack_held(struct reasm_dir *rd, struct reasm_stats *st,
	    reasm_deliver_cb deliver, void *arg);

/*
 * The other direction acknowledged everything before `ack`: holes of this
 * direction before it are lost, held segments after them are delivered.
 * Inline: it runs for nearly every TCP packet, and a direction with
 * nothing held (almost all) only notes the number.
 */
static inline void
reasm_peer_ack(struct reasm_dir *rd, struct reasm_stats *st, uint32_t ack,
    reasm_deliver_cb deliver, void *arg)
{
	if (!rd->started)
		return;
	if (!rd->peer_acked || (int32_t)(ack - rd->peer_ack) > 0) {
		rd->peer_ack = ack;
		rd->peer_acked = true;
	}
	if (rd->nooo > 0)
		reasm_peer_ack_held(rd, st, deliver, arg);
}
/* Flow end: nothing will fill the holes; deliver what is held behind them. */
void	 reasm_flush(struct reasm_dir *rd, struct reasm_stats *st,
	    reasm_deliver_cb deliver, void *arg);
/* Drop everything and free buffers (flow end). */
void	 reasm_free(struct reasm_dir *rd, struct reasm_stats *st);

#endif
