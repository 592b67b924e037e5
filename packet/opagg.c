/*
 * opagg.c - operations summed between flushes (see opagg.h).
 *
 * Chained hashing over a fixed pool, as packet/convagg.c: the pool fills
 * in order and empties all at once at a drain, so a drain hands entries on
 * in the order they first reported.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "bigmem.h"
#include "factcache.h"
#include "opagg.h"
#include "ops.h"
#include "sw_limits.h"

#define OP_NONE_IDX	UINT32_MAX
#define OP_BUCKETS	(OPAGG_MAX * 2)
#define US_PER_S	1000000ull

_Static_assert((OP_BUCKETS & (OP_BUCKETS - 1)) == 0, "OPAGG_MAX: a power of two");

struct op_sum {
	struct asset_ref cli, srv;
	char		 proto[OBS_PROTO_MAX];
	const char	*src;		/* the first request's service literal */
	uint8_t		 kind, transport;
	uint64_t	 hash;
	uint64_t	 first_us, last_us;	/* requests */
	uint64_t	 reply_us;		/* the last reply */
	uint32_t	 req, ok, failed;
	uint32_t	 more;		/* requests whose detail is not in items */
	uint8_t		 nitems;
	char		 items[OPAGG_ITEMS][OPAGG_ITEM_MAX];
	uint32_t	 next;
};

struct opagg {
	uint32_t		 bucket[OP_BUCKETS];
	struct op_sum		 pool[OPAGG_MAX];
	uint32_t		 used;
	struct opagg_stats	 st;
};

static void
clear(struct opagg *oa)
{
	for (size_t i = 0; i < OP_BUCKETS; i++)
		oa->bucket[i] = OP_NONE_IDX;
	oa->used = 0;
}

struct opagg *
opagg_new(void)
{
	struct opagg *oa = bigmem_alloc(sizeof(*oa));

	if (oa)
		clear(oa);
	return oa;
}

void
opagg_free(struct opagg *oa)
{
	bigmem_free(oa, sizeof(*oa));
}

/* Client and server of an operation, whichever phase reported it (diss_op sets them so). */
static uint64_t
key_hash(const struct obs *o, const char *proto)
{
	uint64_t h = fc_hash(FC_SEED ^ 5, &o->who, sizeof(o->who));

	h = fc_hash(h, &o->peer, sizeof(o->peer));
	h = fc_hash_word(h, o->op);
	return fc_hash(h, proto, strlen(proto));
}

static bool
same_key(const struct op_sum *e, uint64_t h, const struct obs *o, const char *proto)
{
	return e->hash == h && e->kind == o->op &&
	    memcmp(&e->cli, &o->who, sizeof(e->cli)) == 0 &&
	    memcmp(&e->srv, &o->peer, sizeof(e->srv)) == 0 &&
	    strncmp(e->proto, proto, sizeof(e->proto) - 1) == 0;
}

/* Keep a request's detail among the distinct ones, or count it as one more. */
static void
add_detail(struct opagg *oa, struct op_sum *e, const char *val, size_t len)
{
	char item[OPAGG_ITEM_MAX];
	size_t n;

	if (val == NULL || len == 0)
		return;
	n = strnlen(val, len < sizeof(item) - 1 ? len : sizeof(item) - 1);
	if (n == 0)
		return;
	memcpy(item, val, n);
	item[n] = '\0';
	for (uint8_t i = 0; i < e->nitems; i++)
		if (strcmp(e->items[i], item) == 0)
			return;
	if (e->nitems == OPAGG_ITEMS) {
		e->more++;
		oa->st.details_dropped++;
		return;
	}
	memcpy(e->items[e->nitems++], item, n + 1);
}

/* "a; b; c; +N more": the store merges lists of this form (store/events.c). */
static size_t
join_details(const struct op_sum *e, char *out, size_t outsz)
{
	size_t n = 0;

	out[0] = '\0';
	for (uint8_t i = 0; i < e->nitems && n < outsz; i++)
		n += (size_t)snprintf(out + n, outsz - n, "%s%s", i ? "; " : "", e->items[i]);
	if (e->more && n < outsz)
		n += (size_t)snprintf(out + n, outsz - n, "%s+%u more", n ? "; " : "", e->more);
	return n < outsz ? n : outsz - 1;
}

static void
emit_phase(struct opagg *oa, const struct op_sum *e, enum op_phase ph, uint32_t n,
    uint64_t ts, const char *val, size_t len, struct obs_sink *sink)
{
	struct obs o;

	if (n == 0)
		return;
	memset(&o, 0, sizeof(o));
	o.kind = OBS_OP;
	o.ts_us = ts;
	o.who = e->cli;
	o.peer = e->srv;
	o.proto = e->proto;
	o.src = e->src;
	o.transport = e->transport;
	o.op = e->kind;
	o.op_phase = (uint8_t)ph;
	o.op_n = n;
	o.op_last_us = ph == OP_REQUEST ? e->last_us : ts;
	o.val = val;
	o.val_len = len;
	obs_emit(sink, &o);
	oa->st.sent++;
}

static void
emit(struct opagg *oa, const struct op_sum *e, struct obs_sink *sink)
{
	char detail[OPAGG_ITEMS * (OPAGG_ITEM_MAX + 2) + 24];
	size_t len = join_details(e, detail, sizeof(detail));

	/* the request first: the store opens the event the replies count into */
	emit_phase(oa, e, OP_REQUEST, e->req, e->first_us, detail, len, sink);
	emit_phase(oa, e, OP_REPLY_OK, e->ok, e->reply_us, NULL, 0, sink);
	emit_phase(oa, e, OP_REPLY_FAILED, e->failed, e->reply_us, NULL, 0, sink);
}

static void
reset_counts(struct op_sum *e)
{
	e->req = e->ok = e->failed = e->more = 0;
	e->nitems = 0;
	e->first_us = e->last_us = e->reply_us = 0;
}

static void
count(struct opagg *oa, struct op_sum *e, const struct obs *o, struct obs_sink *sink)
{
	uint32_t n = o->op_n ? o->op_n : 1;

	switch (o->op_phase) {
	case OP_REQUEST:
		if (e->req && o->ts_us > e->last_us + OP_BURST_GAP_S * US_PER_S) {
			emit(oa, e, sink);	/* a silence: the store starts a new event */
			reset_counts(e);
			oa->st.bursts_split++;
		}
		if (e->req == 0 || o->ts_us < e->first_us)
			e->first_us = o->ts_us;
		if (o->ts_us > e->last_us)
			e->last_us = o->ts_us;
		if (e->src == NULL)
			e->src = o->src;
		e->req += n;
		add_detail(oa, e, o->val, o->val_len);
		break;
	case OP_REPLY_OK:
		e->ok += n;
		break;
	default:
		e->failed += n;
		break;
	}
	if (o->op_phase != OP_REQUEST && o->ts_us > e->reply_us)
		e->reply_us = o->ts_us;
	oa->st.added++;
}

void
opagg_add(struct opagg *oa, const struct obs *o, struct obs_sink *sink)
{
	const char *proto = o->proto ? o->proto : "unknown";
	uint64_t h = key_hash(o, proto);
	uint32_t *head = &oa->bucket[(h ^ (h >> 32)) & (OP_BUCKETS - 1)];
	struct op_sum *e;

	for (uint32_t i = *head; i != OP_NONE_IDX; i = oa->pool[i].next)
		if (same_key(&oa->pool[i], h, o, proto)) {
			count(oa, &oa->pool[i], o, sink);
			return;
		}
	if (oa->used == OPAGG_MAX) {
		oa->st.direct++;
		obs_emit(sink, o);
		return;
	}
	e = &oa->pool[oa->used];
	memset(e, 0, sizeof(*e));
	e->cli = o->who;
	e->srv = o->peer;
	obs_copy_name(e->proto, sizeof(e->proto), proto);
	e->kind = o->op;
	e->transport = o->transport;
	e->hash = h;
	e->next = *head;
	*head = oa->used++;
	count(oa, e, o, sink);
}

bool
opagg_drain(struct opagg *oa, struct obs_sink *sink)
{
	bool any = oa->used > 0;

	for (uint32_t i = 0; i < oa->used; i++)
		emit(oa, &oa->pool[i], sink);
	if (any)
		clear(oa);
	return any;
}

const struct opagg_stats *
opagg_stats(const struct opagg *oa)
{
	return &oa->st;
}
