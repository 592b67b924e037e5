/*
 * bound.c - a database that does not outgrow its disk.
 *
 * Two rules, run from the daemon after its batches (store_maintain):
 *  - retention: events older than event_keep_days are deleted.  "Now" is
 *    the latest packet time stored, so reading an old capture does not
 *    delete what it just wrote.
 *  - the budget: when the pages in use pass STORE_PRUNE_AT_PCT of
 *    max_db_bytes, assets that no source vouches for (nothing but OUI or
 *    behaviour, confidence below CONF_BANNER) go first, the shortest-lived
 *    and longest-unseen first, with their rows and events; if that is not
 *    enough, the oldest events.  Freed pages are reused, so the file stops
 *    growing instead of shrinking.
 * Each step deletes a bounded number of rows in its own transaction.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "obs.h"
#include "store_int.h"


void
store_set_limits(struct store *s, const struct store_limits *l)
{
	s->limits = *l;
}

static long long
pragma_int(struct store *s, const char *sql)
{
	sqlite3_stmt *q;
	long long v = 0;

	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

uint64_t
store_used_bytes(struct store *s)
{
	long long pages = pragma_int(s, "PRAGMA page_count");
	long long unused = pragma_int(s, "PRAGMA freelist_count");

	return (uint64_t)(pages - unused) * (uint64_t)pragma_int(s, "PRAGMA page_size");
}

/* One statement with one integer parameter, in its own transaction: rows changed or -1. */
static long
delete_step(struct store *s, const char *sql, long long arg, const char *what)
{
	sqlite3_stmt *q;
	long n;

	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		st_error(s, what);
		return -1;
	}
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK) {
		st_error(s, what);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	sqlite3_bind_int64(q, 1, arg);
	if (sqlite3_step(q) != SQLITE_DONE) {
		st_error(s, what);
		sqlite3_finalize(q);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	sqlite3_finalize(q);
	n = sqlite3_changes(s->db);
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		st_error(s, what);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return n;
}

/* Assets no source vouches for: the shortest-lived, then the longest unseen. */
#define WEAK_ASSETS "SELECT a.id FROM assets a WHERE NOT " SQL_VOUCHED_FOR("a") \
	" ORDER BY a.last_seen - a.first_seen, a.last_seen LIMIT ?1"

static long
prune_weak_assets(struct store *s)
{
	long ev, n;

	/* their events first: ON DELETE SET NULL would keep them, ownerless */
	if ((ev = delete_step(s, "DELETE FROM events WHERE asset_id IN (" WEAK_ASSETS ")",
	    STORE_PRUNE_ROWS, "pruning events of weak assets")) < 0 ||
	    (n = delete_step(s, "DELETE FROM assets WHERE id IN (" WEAK_ASSETS ")",
	    STORE_PRUNE_ROWS, "pruning weak assets")) < 0)
		return -1;
	s->stats.pruned_events += (uint64_t)ev;
	s->stats.pruned_assets += (uint64_t)n;
	if (n > 0)
		acache_clear(s);	/* cached ids may name deleted assets */
	return n + ev;
}

static long
prune_oldest_events(struct store *s)
{
	long n = delete_step(s, "DELETE FROM events WHERE id IN (SELECT id FROM events "
	    "ORDER BY id LIMIT ?1)", STORE_PRUNE_ROWS * 10, "pruning the oldest events");

	if (n > 0)
		s->stats.pruned_events += (uint64_t)n;
	return n;
}

static long
expire_events(struct store *s)
{
	long total = 0, n;
	long long before;

	if (s->limits.event_keep_days <= 0 || s->newest_ts == 0)
		return 0;
	before = s->newest_ts - (long long)s->limits.event_keep_days * 86400;
	do {
		n = delete_step(s, "DELETE FROM events WHERE id IN (SELECT id FROM events "
		    "WHERE ts < ?1 ORDER BY id LIMIT 10000)", before, "expiring events");
		if (n < 0)
			return -1;
		total += n;
	} while (n == 10000);
	s->stats.pruned_events += (uint64_t)total;
	return total;
}

static bool
over(struct store *s, int pct)
{
	return s->limits.max_db_bytes &&
	    store_used_bytes(s) > s->limits.max_db_bytes / 100 * (uint64_t)pct;
}

static long
keep_budget(struct store *s)
{
	long total = 0, n = 0;
	int round;

	if (!over(s, STORE_PRUNE_AT_PCT))
		return 0;
	for (round = 0; round < PRUNE_ROUNDS && over(s, STORE_PRUNE_TO_PCT); round++) {
		if ((n = prune_weak_assets(s)) < 0)
			return -1;
		if (n == 0 && (n = prune_oldest_events(s)) < 0)
			return -1;
		if (n == 0)
			break;		/* nothing left that may go */
		total += n;
	}
	if (over(s, STORE_PRUNE_AT_PCT))
		s->stats.over_budget++;
	return total;
}

long
store_maintain(struct store *s)
{
	struct timespec now;
	long a, b;

	if (s->mode != STORE_RW)
		return 0;
	if ((b = keep_budget(s)) < 0)	/* cheap when under: three pragmas */
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (s->maint_at.tv_sec != 0 && now.tv_sec - s->maint_at.tv_sec < STORE_MAINT_EVERY_S)
		return b;
	s->maint_at = now;
	if ((a = expire_events(s)) < 0)
		return -1;
	return a + b;
}
