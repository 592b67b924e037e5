/*
 * riskset.c - the assets a batch touched (riskset.h).
 *
 * Linear probing with backward-shift deletion (Knuth 6.4, Algorithm R):
 * no tombstones, so a table that is filled and emptied batch after batch
 * never degrades, and taking entries back leaves it exactly as it was.
 */
#include <stdlib.h>

#include "riskset.h"

static uint32_t
home(const struct riskset *r, int64_t id)
{
	return (uint32_t)(((uint64_t)id * 0x9e3779b97f4a7c15ull) >> 32) & r->mask;
}

int
riskset_init(struct riskset *r, size_t cap)
{
	size_t slots = 2;

	while (slots < 2 * cap)
		slots *= 2;
	*r = (struct riskset){ .cap = cap, .mask = (uint32_t)(slots - 1) };
	r->ids = calloc(cap ? cap : 1, sizeof(*r->ids));
	r->slots = calloc(slots, sizeof(*r->slots));
	if (r->ids == NULL || r->slots == NULL) {
		riskset_free(r);
		return -1;
	}
	return 0;
}

void
riskset_free(struct riskset *r)
{
	free(r->ids);
	free(r->slots);
	*r = (struct riskset){ 0 };
}

/* The slot holding id, or the empty slot where it would go. */
static uint32_t
find(const struct riskset *r, int64_t id)
{
	uint32_t i = home(r, id);

	while (r->slots[i].id != 0 && r->slots[i].id != id)
		i = (i + 1) & r->mask;
	return i;
}

/* Empty slot i, moving up the entries whose probe passed through it. */
static void
unslot(struct riskset *r, uint32_t i)
{
	for (uint32_t j = i;;) {
		uint32_t h;

		j = (j + 1) & r->mask;
		if (r->slots[j].id == 0)
			break;
		h = home(r, r->slots[j].id);
		/* j stays if its home lies cyclically in (i, j] */
		if (i <= j ? (i < h && h <= j) : (i < h || h <= j))
			continue;
		r->slots[i] = r->slots[j];
		i = j;
	}
	r->slots[i].id = 0;
}

bool
riskset_has(const struct riskset *r, int64_t id)
{
	return r->slots != NULL && id > 0 && r->slots[find(r, id)].id == id;
}

enum riskset_rc
riskset_add(struct riskset *r, int64_t id)
{
	uint32_t i;

	if (r->slots == NULL)
		return RISKSET_FULL;
	if (r->slots[i = find(r, id)].id == id)
		return RISKSET_PRESENT;
	if (r->n == r->cap)
		return RISKSET_FULL;
	r->slots[i] = (struct riskset_slot){ id, (uint32_t)r->n };
	r->ids[r->n++] = id;
	return RISKSET_ADDED;
}

enum riskset_rc
riskset_replace(struct riskset *r, int64_t from, int64_t to)
{
	uint32_t i, at;

	if (!riskset_has(r, from))
		return riskset_add(r, to);
	i = find(r, from);
	at = r->slots[i].at;
	unslot(r, i);
	if (riskset_has(r, to)) {
		r->ids[at] = 0;
		return RISKSET_PRESENT;
	}
	r->slots[find(r, to)] = (struct riskset_slot){ to, at };
	r->ids[at] = to;
	return RISKSET_ADDED;
}

void
riskset_truncate(struct riskset *r, size_t mark)
{
	while (r->n > mark) {
		int64_t id = r->ids[--r->n];
		uint32_t i;

		if (id != 0 && r->slots[i = find(r, id)].id == id)
			unslot(r, i);
	}
}
