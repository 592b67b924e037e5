/*
 * reasm.c - in-order delivery of one TCP direction (see reasm.h).
 *
 * Fast path: a segment that continues the stream while nothing is buffered
 * is handed to the dissector straight from the packet; only what it leaves
 * unconsumed (the start of an incomplete PDU) is copied into the buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "sw_limits.h"
#include "reasm.h"

#define REASM_BUF_MIN	2048

static void
buf_release(struct reasm_dir *rd, struct reasm_stats *st)
{
	if (rd->buf) {
		st->mem_in_use -= rd->cap;
		free(rd->buf);
	}
	rd->buf = NULL;
	rd->len = rd->cap = 0;
}

static void
ooo_drop(struct reasm_dir *rd, struct reasm_stats *st, unsigned i)
{
	st->mem_in_use -= rd->ooo[i].len;
	free(rd->ooo[i].data);
	rd->ooo[i] = rd->ooo[--rd->nooo];
	memset(&rd->ooo[rd->nooo], 0, sizeof(rd->ooo[0]));
}

void
reasm_free(struct reasm_dir *rd, struct reasm_stats *st)
{
	buf_release(rd, st);
	while (rd->nooo > 0)
		ooo_drop(rd, st, 0);
	free(rd->ooo);
	rd->ooo = NULL;
	rd->started = false;
}

/* Make room for `need` buffered bytes; false if over a cap. */
static bool
buf_reserve(struct reasm_dir *rd, struct reasm_stats *st, uint32_t need)
{
	uint32_t cap = rd->cap ? rd->cap : REASM_BUF_MIN;
	uint8_t *nb;

	if (need <= rd->cap)
		return true;
	if (need > REASM_MAX_DIR) {
		st->overflows++;
		return false;
	}
	while (cap < need)
		cap *= 2;
	if (cap > REASM_MAX_DIR)
		cap = REASM_MAX_DIR;
	if (st->mem_in_use + (cap - rd->cap) > REASM_MAX_TOTAL) {
		st->mem_refused++;
		return false;
	}
	nb = realloc(rd->buf, cap);
	if (nb == NULL) {
		st->mem_refused++;
		return false;
	}
	st->mem_in_use += cap - rd->cap;
	rd->buf = nb;
	rd->cap = cap;
	return true;
}

/* Drop buffered bytes: the stream continues from next_seq as if new. */
static void
reset_stream(struct reasm_dir *rd, struct reasm_stats *st, bool *gap)
{
	buf_release(rd, st);
	*gap = true;
}

/*
 * Append in-order bytes and let the dissector consume.  `data` continues
 * the stream exactly at next_seq.
 */
static void
feed(struct reasm_dir *rd, struct reasm_stats *st, const uint8_t *data,
    uint32_t len, uint64_t ts, bool *gap, reasm_deliver_cb deliver, void *arg)
{
	size_t used;

	rd->next_seq += len;
	st->bytes_delivered += len;
	if (rd->len == 0) {
		used = deliver(arg, data, len, *gap, ts);
		*gap = false;
		if (used >= len)
			return;
		data += used;
		len -= (uint32_t)used;
	} else {
		if (!buf_reserve(rd, st, rd->len + len)) {
			reset_stream(rd, st, gap);
			return;
		}
		memcpy(rd->buf + rd->len, data, len);
		rd->len += len;
		used = deliver(arg, rd->buf, rd->len, *gap, ts);
		*gap = false;
		if (used >= rd->len) {
			/*
			 * Caught up: give the buffer back.  Kept, thousands of
			 * idle flows each held one for a PDU split long ago.
			 */
			buf_release(rd, st);
			return;
		}
		memmove(rd->buf, rd->buf + used, rd->len - used);
		rd->len -= (uint32_t)used;
		return;
	}
	/* Keep the unconsumed tail of a segment delivered from the packet. */
	if (!buf_reserve(rd, st, len)) {
		reset_stream(rd, st, gap);
		return;
	}
	memcpy(rd->buf, data, len);
	rd->len = len;
}

/* Feed a segment that starts at or before next_seq, trimming what was seen. */
static void
feed_trimmed(struct reasm_dir *rd, struct reasm_stats *st, uint32_t seq,
    const uint8_t *data, uint32_t len, uint64_t ts, bool *gap,
    reasm_deliver_cb deliver, void *arg)
{
	uint32_t dup = rd->next_seq - seq;

	if (dup >= len) {
		st->retransmitted_bytes += len;
		return;
	}
	st->retransmitted_bytes += dup;
	feed(rd, st, data + dup, len - dup, ts, gap, deliver, arg);
}

/* Deliver held segments that the stream has now reached. */
static void
drain_ooo(struct reasm_dir *rd, struct reasm_stats *st, bool *gap,
    reasm_deliver_cb deliver, void *arg)
{
	bool progress = true;

	while (progress && rd->nooo > 0) {
		progress = false;
		for (unsigned i = 0; i < rd->nooo; i++) {
			struct reasm_seg s = rd->ooo[i];

			if ((int32_t)(s.seq - rd->next_seq) > 0)
				continue;
			rd->ooo[i].data = NULL;
			st->mem_in_use -= s.len;
			rd->ooo[i] = rd->ooo[--rd->nooo];
			feed_trimmed(rd, st, s.seq, s.data, s.len, s.ts_us, gap, deliver, arg);
			free(s.data);
			progress = true;
			break;
		}
	}
}

/* Index of the held segment with the lowest sequence number. */
static unsigned
ooo_first(const struct reasm_dir *rd)
{
	unsigned best = 0;

	for (unsigned i = 1; i < rd->nooo; i++)
		if ((int32_t)(rd->ooo[i].seq - rd->ooo[best].seq) < 0)
			best = i;
	return best;
}

static bool
ooo_hold(struct reasm_dir *rd, struct reasm_stats *st, uint32_t seq,
    const uint8_t *data, uint32_t len, uint64_t ts)
{
	uint8_t *copy;

	if (rd->nooo >= REASM_MAX_OOO || len > REASM_MAX_DIR ||
	    (uint32_t)(seq - rd->next_seq) > REASM_MAX_DIR)
		return false;
	if (st->mem_in_use + len > REASM_MAX_TOTAL) {
		st->mem_refused++;
		return false;
	}
	if (rd->ooo == NULL && (rd->ooo = calloc(REASM_MAX_OOO, sizeof(*rd->ooo))) == NULL)
		return false;
	if ((copy = malloc(len)) == NULL)
		return false;
	memcpy(copy, data, len);
	rd->ooo[rd->nooo].seq = seq;
	rd->ooo[rd->nooo].len = len;
	rd->ooo[rd->nooo].ts_us = ts;
	rd->ooo[rd->nooo].data = copy;
	rd->nooo++;
	st->mem_in_use += len;
	st->out_of_order++;
	return true;
}

/*
 * Give up on the hole before the earliest held segment: resume there and
 * deliver what follows in order.
 */
static void
skip_hole(struct reasm_dir *rd, struct reasm_stats *st, bool *gap,
    reasm_deliver_cb deliver, void *arg)
{
	st->gaps++;
	reset_stream(rd, st, gap);
	rd->next_seq = rd->ooo[ooo_first(rd)].seq;
	drain_ooo(rd, st, gap, deliver, arg);
}

/*
 * Has the receiver acknowledged every byte before seq, so the whole hole
 * up to it?  Only then is it certain no retransmission will fill it.
 */
static bool
hole_acked(const struct reasm_dir *rd, uint32_t seq)
{
	return rd->peer_acked && (int32_t)(rd->peer_ack - seq) >= 0;
}

void
reasm_peer_ack_held(struct reasm_dir *rd, struct reasm_stats *st,
    reasm_deliver_cb deliver, void *arg)
{
	bool gap = false;

	while (rd->nooo > 0 && hole_acked(rd, rd->ooo[ooo_first(rd)].seq)) {
		st->holes_acked++;
		skip_hole(rd, st, &gap, deliver, arg);
	}
}

void
reasm_flush(struct reasm_dir *rd, struct reasm_stats *st,
    reasm_deliver_cb deliver, void *arg)
{
	bool gap = false;

	while (rd->nooo > 0)
		skip_hole(rd, st, &gap, deliver, arg);
}

void
reasm_segment(struct reasm_dir *rd, struct reasm_stats *st, uint32_t seq,
    bool syn, const uint8_t *data, uint32_t len, uint64_t ts,
    reasm_deliver_cb deliver, void *arg)
{
	bool gap = false;

	/*
	 * The common case, first: the next bytes of a started stream with
	 * nothing held.  What the general path below would do for it (trim
	 * nothing, feed, drain nothing), without its detours.
	 */
	if (!syn && len > 0 && rd->started && seq == rd->next_seq && rd->nooo == 0) {
		st->segments++;
		feed(rd, st, data, len, ts, &gap, deliver, arg);
		return;
	}
	if (syn) {
		seq++;			/* SYN occupies one sequence number */
		if (!rd->started) {
			rd->started = true;
			rd->next_seq = seq;
		}
	}
	if (len == 0)
		return;
	st->segments++;
	if (!rd->started) {		/* joined mid-stream: may start inside a PDU */
		rd->started = true;
		rd->next_seq = seq;
		gap = true;
	}
	if ((int32_t)(seq - rd->next_seq) <= 0) {
		feed_trimmed(rd, st, seq, data, len, ts, &gap, deliver, arg);
		drain_ooo(rd, st, &gap, deliver, arg);
		return;
	}
	if (hole_acked(rd, seq)) {
		/* the hole before seq was received, not captured: never coming */
		st->holes_acked++;
		st->gaps++;
		reset_stream(rd, st, &gap);
		rd->next_seq = seq;
		feed(rd, st, data, len, ts, &gap, deliver, arg);
		drain_ooo(rd, st, &gap, deliver, arg);
		return;
	}
	if (ooo_hold(rd, st, seq, data, len, ts))
		return;
	/*
	 * A hole we cannot wait for (slots full or too far ahead): give up on
	 * the missing bytes, resume at the earliest data we have.
	 */
	st->gaps++;
	reset_stream(rd, st, &gap);
	if (rd->nooo > 0 && (int32_t)(rd->ooo[ooo_first(rd)].seq - seq) < 0) {
		rd->next_seq = rd->ooo[ooo_first(rd)].seq;
		drain_ooo(rd, st, &gap, deliver, arg);
		if ((int32_t)(seq - rd->next_seq) <= 0) {
			feed_trimmed(rd, st, seq, data, len, ts, &gap, deliver, arg);
			drain_ooo(rd, st, &gap, deliver, arg);
			return;
		}
		if (ooo_hold(rd, st, seq, data, len, ts))
			return;
		st->gaps++;
		reset_stream(rd, st, &gap);
	}
	rd->next_seq = seq;
	feed(rd, st, data, len, ts, &gap, deliver, arg);
	drain_ooo(rd, st, &gap, deliver, arg);
}
