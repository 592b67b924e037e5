/*
 * model.c - writes of the asset model that ingest.c and assess.c share,
 * so that the category's derived facts (assess.c) do not call back into
 * ingest: batch -> ingest -> model, batch -> assess -> model.  And the
 * asset-id cache's clear: ingest fills the cache, but whoever deletes or
 * re-keys assets (the flood gate, retention, a rolled-back batch) must
 * forget it, without calling up into ingest.
 */
#include <string.h>

#include "store_int.h"

/* attr NUL val NUL src NUL into key; 0 when it does not fit (such a row is not cached) */
static size_t
evid_key(char key[EVID_KEY_MAX], const char *attr, const char *val, const char *src)
{
	size_t a = strlen(attr) + 1, v = strlen(val) + 1, c = strlen(src) + 1;

	if (a + v + c > EVID_KEY_MAX)
		return 0;
	memcpy(key, attr, a);
	memcpy(key + a, val, v);
	memcpy(key + a + v, src, c);
	return a + v + c;
}

static uint64_t
evid_hash(int64_t id, const char *key, size_t len)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)id;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)key[i]) * 1099511628211ull;
	return h ^ h >> 29;
}

/* The sightings summed in e, onto its row. */
static int
evid_write(struct store *s, struct evid_ent *e)
{
	const char *attr = e->key, *val = attr + strlen(attr) + 1, *src = val + strlen(val) + 1;
	sqlite3_stmt *q = st_get(s, S_EVID_ADD);

	sqlite3_bind_int64(q, 1, e->asset);
	sqlite3_bind_text(q, 2, attr, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, val, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, src, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, e->lo);
	sqlite3_bind_int64(q, 6, e->hi);
	sqlite3_bind_int64(q, 7, e->n);
	sqlite3_bind_int(q, 8, e->conf);
	if (st_step(s, S_EVID_ADD) != SQLITE_DONE)
		return -1;
	e->dirty = false;
	e->n = 0;
	return 0;
}

int
evid_flush(struct store *s)
{
	for (size_t k = 0; k < s->nevid_dirty; k++) {
		struct evid_ent *e = &s->evid[s->evid_dirty[k]];

		if (e->dirty && evid_write(s, e) != 0)
			return -1;
	}
	s->nevid_dirty = 0;
	return 0;
}

int
evid_flush_asset(struct store *s, int64_t id)
{
	for (size_t k = 0; k < s->nevid_dirty; k++) {
		struct evid_ent *e = &s->evid[s->evid_dirty[k]];

		if (e->dirty && e->asset == id && evid_write(s, e) != 0)
			return -1;
	}
	return 0;
}

void
evid_drop(struct store *s)
{
	for (size_t k = 0; k < s->nevid_dirty; k++) {
		s->evid[s->evid_dirty[k]].dirty = false;
		s->evid[s->evid_dirty[k]].n = 0;
	}
	s->nevid_dirty = 0;
}

void
evcache_clear(struct store *s)
{
	if (s->evid == NULL || ++s->evid_gen != 0)
		return;
	for (size_t i = 0; i < EVID_CACHE_SLOTS; i++)
		s->evid[i].gen = 0;	/* sightings held stay held: they are written by key */
	s->evid_gen = 1;
}

/* A sighting of a row known to exist, summed for the batch's end; false if not known. */
static bool
evid_seen(struct store *s, struct evid_ent *e, uint64_t h, int64_t id, const char *key,
    size_t klen, int conf, long long ts, int *rc)
{
	*rc = 0;
	if (e->gen != s->evid_gen || e->hash != h || e->asset != id || e->klen != klen ||
	    memcmp(e->key, key, klen) != 0)
		return false;
	if (!e->dirty) {
		if (s->nevid_dirty == EVID_PENDING_MAX) {
			s->stats.evidence_flushed_early++;
			if ((*rc = evid_flush(s)) != 0)
				return true;
		}
		e->dirty = true;
		e->n = 0;
		e->conf = conf;
		e->lo = e->hi = ts;
		s->evid_dirty[s->nevid_dirty++] = (uint32_t)(e - s->evid);
	}
	e->n++;
	if (conf > e->conf)
		e->conf = conf;
	if (ts < e->lo)
		e->lo = ts;
	if (ts > e->hi)
		e->hi = ts;
	s->stats.evidence_deferred++;
	return true;
}

/*
 * Forget every cached asset id.  A gateway promotion or a merge clears the
 * cache tens of times in a capture of a large plant: zeroing its 2.5 MiB
 * each time was a fifth of the run, so entries carry the generation they
 * were written in and a clear is one increment (a memset only on wrap).
 */
void
acache_clear(struct store *s)
{
	evcache_clear(s);	/* the evidence of deleted or moved assets too */
	if (s->cache == NULL)
		return;
	if (++s->cache_gen == 0) {
		memset(s->cache, 0, ACACHE_SLOTS * sizeof(*s->cache));
		s->cache_gen = 1;
	}
}

/*
 * Add or refresh one piece of evidence; *is_new when the row is new.  While
 * an observation is applied (not for a verdict's own evidence), a row known
 * to exist only has its sighting summed in memory (struct evid_ent).
 */
int
model_evidence(struct store *s, int64_t id, const char *attr, const char *val, const char *src,
    int conf, long long ts, const char *via_ip, bool *is_new)
{
	struct evid_ent *e = NULL;
	char key[EVID_KEY_MAX];
	size_t klen = 0;
	uint64_t h = 0;
	sqlite3_stmt *q;
	int rc;

	if (s->evid && s->cur_obs && (klen = evid_key(key, attr, val, src)) != 0) {
		h = evid_hash(id, key, klen);
		e = &s->evid[h & (EVID_CACHE_SLOTS - 1)];
		if (evid_seen(s, e, h, id, key, klen, conf, ts, &rc)) {
			*is_new = false;
			return rc;
		}
	}
	q = st_get(s, S_EVID_UPSERT);
	/* the strings outlive the step: attr and src are static, val sits in the queue */
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, attr, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, val, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, src, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 5, conf);
	sqlite3_bind_int64(q, 6, ts);
	if (via_ip && via_ip[0])
		sqlite3_bind_text(q, 7, via_ip, -1, SQLITE_STATIC);
	/*
	 * New row or not: the upsert sets the last rowid only when it inserts
	 * (RETURNING would build a temporary table for every statement).
	 */
	sqlite3_set_last_insert_rowid(s->db, 0);
	if (st_step(s, S_EVID_UPSERT) != SQLITE_DONE)
		return -1;
	*is_new = sqlite3_last_insert_rowid(s->db) != 0;
	if (e == NULL)
		return 0;
	if (e->dirty && evid_write(s, e) != 0)	/* the slot's other row: its sightings first */
		return -1;
	e->gen = s->evid_gen;
	e->hash = h;
	e->asset = id;
	e->klen = (uint16_t)klen;
	memcpy(e->key, key, klen);
	return 0;
}

/*
 * An asset whose verdict and category the batch must evaluate.  The set is
 * bounded (STORE_RISK_MAX) and the batch evaluates it early before it
 * fills (store.c); a touch that still finds it full is counted, and that
 * asset is evaluated at its next touch or reload instead.
 */
void
touch_for_risk(struct store *s, int64_t id)
{
	if (riskset_add(&s->risk, id) == RISKSET_FULL)
		s->stats.risk_deferred++;
}
