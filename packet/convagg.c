/*
 * convagg.c - traffic totals summed per conversation (see convagg.h).
 *
 * Chained hashing over a fixed pool: the pool fills in order and empties
 * all at once at a drain, so no free list is needed and a drain visits
 * conversations in the order they first reported.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bigmem.h"
#include "convagg.h"
#include "factcache.h"
#include "sw_limits.h"

#define CONV_NONE	UINT32_MAX
#define CONV_BUCKETS	(CONV_AGG_MAX * 2)

_Static_assert((CONV_BUCKETS & (CONV_BUCKETS - 1)) == 0, "CONV_AGG_MAX: a power of two");

struct conv {
	struct asset_ref cli, srv;
	uint8_t		 transport;
	uint16_t	 port;
	char		 proto[OBS_PROTO_MAX];	/* copied: nDPI's names live in the classifier */
	uint64_t	 hash;
	uint64_t	 pkts, bytes;
	uint64_t	 first_us, last_us;
	uint32_t	 next;		/* chain in the bucket */
};

struct convagg {
	uint32_t		 bucket[CONV_BUCKETS];
	struct conv		 pool[CONV_AGG_MAX];
	uint32_t		 used;
	uint32_t		 drained;	/* pool[0..drained) already sent by a drain in steps */
	struct convagg_stats	 st;
};

static uint32_t *
bucket_of(struct convagg *ca, uint64_t h)
{
	return &ca->bucket[(h ^ (h >> 32)) & (CONV_BUCKETS - 1)];
}

/*
 * Empty the table.  Only the chains in use are cut when few are: a drain
 * runs at every flush (and a fuzzer's at every input), mostly over a few
 * conversations, and sweeping all the buckets each time was its whole cost.
 */
static void
clear_buckets(struct convagg *ca, bool all)
{
	if (all || ca->used > CONV_BUCKETS / 16) {
		for (size_t i = 0; i < CONV_BUCKETS; i++)
			ca->bucket[i] = CONV_NONE;
	} else {
		for (uint32_t i = 0; i < ca->used; i++)
			*bucket_of(ca, ca->pool[i].hash) = CONV_NONE;
	}
	ca->used = 0;
	ca->drained = 0;
}

struct convagg *
convagg_new(void)
{
	struct convagg *ca = bigmem_alloc(sizeof(*ca));

	if (ca)
		clear_buckets(ca, true);
	return ca;
}

void
convagg_free(struct convagg *ca)
{
	bigmem_free(ca, sizeof(*ca));
}

static uint64_t
conv_hash(const struct obs *o, const char *proto)
{
	uint64_t h = fc_hash(FC_SEED ^ 4, &o->who, sizeof(o->who));

	h = fc_hash(h, &o->peer, sizeof(o->peer));
	h = fc_hash(h, &o->port, sizeof(o->port));
	h = fc_hash(h, &o->transport, sizeof(o->transport));
	return fc_hash(h, proto, strlen(proto));
}

static bool
conv_is(const struct conv *c, uint64_t h, const struct obs *o, const char *proto)
{
	return c->hash == h && c->port == o->port && c->transport == o->transport &&
	    memcmp(&c->cli, &o->who, sizeof(c->cli)) == 0 &&
	    memcmp(&c->srv, &o->peer, sizeof(c->srv)) == 0 &&
	    strncmp(c->proto, proto, sizeof(c->proto) - 1) == 0;
}

void
convagg_add(struct convagg *ca, const struct obs *o, struct obs_sink *sink)
{
	const char *proto = o->proto ? o->proto : "unknown";
	uint64_t h = conv_hash(o, proto);
	uint32_t *head = bucket_of(ca, h);
	struct conv *c;

	if (ca->drained > 0) {		/* a drain in steps is under way: do not add behind it */
		ca->st.direct++;
		obs_emit(sink, o);
		return;
	}
	for (uint32_t i = *head; i != CONV_NONE; i = ca->pool[i].next) {
		c = &ca->pool[i];
		if (conv_is(c, h, o, proto)) {
			c->pkts += o->pkts;
			c->bytes += o->bytes;
			if (o->ts_us > c->last_us)
				c->last_us = o->ts_us;
			if (o->first_us && (c->first_us == 0 || o->first_us < c->first_us))
				c->first_us = o->first_us;
			ca->st.added++;
			return;
		}
	}
	if (ca->used == CONV_AGG_MAX) {
		ca->st.direct++;
		obs_emit(sink, o);
		return;
	}
	c = &ca->pool[ca->used];
	c->cli = o->who;
	c->srv = o->peer;
	c->transport = o->transport;
	c->port = o->port;
	obs_copy_name(c->proto, sizeof(c->proto), proto);
	c->hash = h;
	c->pkts = o->pkts;
	c->bytes = o->bytes;
	c->last_us = o->ts_us;
	c->first_us = o->first_us;
	c->next = *head;
	*head = ca->used++;
	ca->st.added++;
}

bool
convagg_drain(struct convagg *ca, struct obs_sink *sink, size_t max)
{
	struct obs o;

	for (; ca->drained < ca->used && max > 0; ca->drained++, max--) {
		const struct conv *c = &ca->pool[ca->drained];

		memset(&o, 0, sizeof(o));
		o.kind = OBS_PEER;
		o.ts_us = c->last_us;
		o.first_us = c->first_us;
		o.who = c->cli;
		o.peer = c->srv;
		o.transport = c->transport;
		o.port = c->port;
		o.proto = c->proto;
		o.pkts = c->pkts;
		o.bytes = c->bytes;
		obs_emit(sink, &o);
		ca->st.sent++;
	}
	if (ca->drained < ca->used)
		return false;
	clear_buckets(ca, false);
	return true;
}

const struct convagg_stats *
convagg_stats(const struct convagg *ca)
{
	return &ca->st;
}
