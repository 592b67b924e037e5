/*
 * oppend.h - operation requests awaiting their reply, per flow.
 *
 * A dissector that reports operations (ops.h) keeps one table in its flow
 * state, keyed by what the protocol uses to pair a reply with its request
 * (S7 PDU reference, MMS invokeID, BACnet invoke id).  The table is small
 * and fixed (OP_PEND_MAX): a flood of unanswered requests drops the oldest,
 * and the caller counts it; a reply whose request is not there is counted
 * by the caller too and reported nowhere (its outcome would be a guess).
 */
#ifndef SW_OPPEND_H
#define SW_OPPEND_H

#include <stdbool.h>
#include <stdint.h>

#include "dissector.h"
#include "sw_limits.h"

struct op_pend {
	uint32_t	 key;
	uint8_t		 kind;		/* enum op_kind */
	uint8_t		 dir;		/* direction the request travelled */
	uint8_t		 client;	/* enum side of the client, seen from that direction */
	bool		 used;
	uint32_t	 age;		/* table clock when stored: the lowest is the oldest */
	struct fact_name src;		/* service of the request (dissector.h: a literal) */
};

struct op_pend_table {
	struct op_pend	 e[OP_PEND_MAX];
	uint32_t	 clock;
};

/*
 * Report a request and remember it.  client: the side that is the
 * operation's client, seen from the bytes being parsed (SIDE_SRC for a
 * request sent by the client).  Returns false when the table was full and
 * the oldest waiting request was dropped to make room.
 */
static inline bool
op_pend_request(struct diss_ctx *dc, struct op_pend_table *t, uint32_t key,
    enum side client, enum op_kind kind, struct fact_name src, const char *detail,
    size_t detail_len)
{
	struct op_pend *slot = NULL, *oldest;
	bool room = true;

	diss_op_for_fn(dc, client, kind, OP_REQUEST, src, detail, detail_len);
	if (t == NULL)
		return true;		/* no flow state: the request stays unanswered */
	oldest = &t->e[0];
	for (unsigned i = 0; i < OP_PEND_MAX; i++) {
		if (t->e[i].used && t->e[i].key == key && t->e[i].dir == dc->dir) {
			slot = &t->e[i];	/* a reused key: the newest request wins */
			break;
		}
		if (!t->e[i].used && slot == NULL)
			slot = &t->e[i];
		if ((int32_t)(t->e[i].age - oldest->age) < 0)
			oldest = &t->e[i];
	}
	if (slot == NULL) {
		slot = oldest;
		room = false;
	}
	slot->age = ++t->clock;
	slot->key = key;
	slot->kind = (uint8_t)kind;
	slot->dir = (uint8_t)dc->dir;
	slot->client = (uint8_t)client;
	slot->src = src;
	slot->used = true;
	return room;
}

/* The side that was `s` when looking from the other direction. */
static inline enum side
op_pend_flip(enum side s)
{
	switch (s) {
	case SIDE_SRC:
		return SIDE_DST;
	case SIDE_DST:
		return SIDE_SRC;
	default:
		return s;	/* the flow's client and server do not move */
	}
}

/*
 * A reply with this key travelling the other way: report the outcome of
 * its request.  False if no request was waiting (the caller counts it).
 */
static inline bool
op_pend_reply(struct diss_ctx *dc, struct op_pend_table *t, uint32_t key, bool ok)
{
	if (t == NULL)
		return false;
	for (unsigned i = 0; i < OP_PEND_MAX; i++) {
		struct op_pend *e = &t->e[i];

		if (!e->used || e->key != key || e->dir == dc->dir)
			continue;
		e->used = false;
		diss_op_for_fn(dc, op_pend_flip((enum side)e->client), (enum op_kind)e->kind,
		    ok ? OP_REPLY_OK : OP_REPLY_FAILED, e->src, NULL, 0);
		return true;
	}
	return false;
}

/* Is a request with this key waiting for a reply travelling the other way? */
static inline bool
op_pend_waiting(const struct op_pend_table *t, uint32_t key, int reply_dir)
{
	if (t == NULL)
		return false;
	for (unsigned i = 0; i < OP_PEND_MAX; i++)
		if (t->e[i].used && t->e[i].key == key && t->e[i].dir != reply_dir)
			return true;
	return false;
}

#endif
