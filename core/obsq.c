/*
 * obsq.c - bounded observation queue (see obsq.h).
 *
 * A ring of fixed-size records allocated once.  emit() runs in the capture
 * path: it copies and sanitises, or drops and counts when the ring is full.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bigmem.h"
#include "obsq.h"

struct obsq_rec {
	struct obs	 o;		/* attr/src point to static strings */
	char		 val[OBS_VAL_MAX];
	char		 proto[OBS_PROTO_MAX];	/* copied: nDPI's names live in the classifier */
};

struct obsq {
	struct obsq_rec	*ring;
	size_t		 max, head, len;
	uint64_t	 queued, dropped;
	uint64_t	 by_kind[OBS_OP + 1];	/* accepted, per enum obs_kind */
};

struct obsq *
obsq_new(size_t max)
{
	struct obsq *q = calloc(1, sizeof(*q));

	if (q == NULL)
		return NULL;
	q->max = max ? max : OBSQ_MAX;
	q->ring = bigmem_alloc(q->max * sizeof(*q->ring));
	if (q->ring == NULL) {
		free(q);
		return NULL;
	}
	return q;
}

void
obsq_free(struct obsq *q)
{
	if (q) {
		bigmem_free(q->ring, q->max * sizeof(*q->ring));
		free(q);
	}
}

static void
obsq_emit(void *arg, const struct obs *o)
{
	struct obsq *q = arg;
	struct obsq_rec *r;

	if (q->len == q->max) {
		q->dropped++;
		return;
	}
	r = &q->ring[(q->head + q->len) % q->max];
	r->o = *o;
	if ((o->kind == OBS_FACT || o->kind == OBS_OP) && o->val)
		obs_sanitize(o->val, o->val_len, r->val, sizeof(r->val));
	else
		r->val[0] = '\0';
	r->o.val = r->val;
	r->o.val_len = strlen(r->val);
	if (o->proto) {
		obs_copy_name(r->proto, sizeof(r->proto), o->proto);
		r->o.proto = r->proto;
	}
	q->len++;
	q->queued++;
	if ((unsigned)o->kind <= OBS_OP)
		q->by_kind[o->kind]++;
}

bool
obsq_move(struct obsq *q, const struct obs *o)
{
	struct obsq_rec *r;

	if (q->len == q->max) {
		q->dropped++;
		return false;
	}
	r = &q->ring[(q->head + q->len) % q->max];
	r->o = *o;
	obs_copy_name(r->val, sizeof(r->val), o->val ? o->val : "");	/* sanitised when first queued */
	r->o.val = r->val;
	r->o.val_len = strlen(r->val);
	if (o->proto) {
		obs_copy_name(r->proto, sizeof(r->proto), o->proto);
		r->o.proto = r->proto;
	}
	q->len++;
	return true;
}

struct obs_sink
obsq_sink(struct obsq *q)
{
	struct obs_sink s = { obsq_emit, q };
	return s;
}

size_t obsq_len(const struct obsq *q) { return q->len; }
uint64_t obsq_dropped(const struct obsq *q) { return q->dropped; }
uint64_t obsq_queued(const struct obsq *q) { return q->queued; }
uint64_t obsq_queued_kind(const struct obsq *q, enum obs_kind k) { return (unsigned)k <= OBS_OP ? q->by_kind[k] : 0; }

int
obsq_foreach(struct obsq *q, int (*fn)(void *arg, const struct obs *o), void *arg)
{
	for (size_t i = 0; i < q->len; i++) {
		int rc = fn(arg, &q->ring[(q->head + i) % q->max].o);

		if (rc != 0)
			return rc;
	}
	return 0;
}

const struct obs *
obsq_at(const struct obsq *q, size_t i)
{
	return i < q->len ? &q->ring[(q->head + i) % q->max].o : NULL;
}

void
obsq_consume(struct obsq *q, size_t n)
{
	if (n > q->len)
		n = q->len;
	q->head = (q->head + n) % q->max;
	q->len -= n;
	if (q->len == 0)
		q->head = 0;
}

int
obsq_drain(struct obsq *q, int (*fn)(void *arg, const struct obs *o), void *arg)
{
	int rc = obsq_foreach(q, fn, arg);

	if (rc == 0)
		obsq_consume(q, q->len);
	return rc;
}
