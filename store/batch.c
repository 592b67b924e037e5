/*
 * batch.c - one batch of observations into the database (store_ingest), and
 * re-evaluating every asset (store_reevaluate_all).
 *
 * The top of the store's write path, and the one direction of its calls:
 * batch -> ingest (the asset model: identity, evidence, addresses) ->
 * model (the shared writes) and stmt; batch -> assess (verdict and
 * category of the assets the batch touched) -> model and stmt.  ingest
 * never calls assess: it lists the assets to evaluate (touch_for_risk)
 * and the batch evaluates them, between two observations or at its end.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "assess.h"
#include "flood.h"
#include "ingest.h"
#include "obsq.h"
#include "store_int.h"

struct batch {
	struct store	*s;
	size_t		 n;		/* observations consumed */
	size_t		 rejected;	/* of them, refused by the store */
	bool		 careful;	/* each observation in a savepoint of its own */
	long long	 now;		/* wall clock of the batch, for early verdicts */
};

/*
 * Did the failure come from this one observation (a constraint, a value
 * SQLite refuses), rather than from the database (busy, full, I/O, ...)
 * which would fail every other observation too?
 */
static bool
observation_at_fault(const struct store *s)
{
	return store_fault_of(s->last_rc) == STORE_FAULT_OTHER;
}

/*
 * One observation inside a savepoint: when the store rejects it, what it
 * wrote is undone, it is counted by kind, and the batch goes on.  What the
 * batch holds back is written first, so the savepoint holds only this
 * observation's work; the address cache and the risk list forget what it
 * added.  0 applied, 1 refused, -1 failed.
 */
static int
apply_careful(struct store *s, const struct obs *o)
{
	size_t ntouched = riskset_len(&s->risk);

	if (pending_flush(s) != 0 || st_exec(s, "SAVEPOINT obs") != SQLITE_OK)
		return -1;
	if (ingest_one(s, o) == 0)
		return st_exec(s, "RELEASE obs") == SQLITE_OK ? 0 : -1;
	if (!observation_at_fault(s))
		return -1;
	if (st_exec(s, "ROLLBACK TO obs") != SQLITE_OK || st_exec(s, "RELEASE obs") != SQLITE_OK)
		return -1;
	pending_drop(s);
	acache_clear(s);
	riskset_truncate(&s->risk, ntouched);
	s->stats.rejected[o->kind < OBS_NKINDS ? o->kind : OBS_FACT]++;
	snprintf(s->rejected_msg, sizeof(s->rejected_msg), "%s", s->errmsg);
	s->errmsg[0] = '\0';
	return 1;
}

static int
apply(void *arg, const struct obs *o)
{
	struct batch *b = arg;
	int rc;

	/* the verdicts now, between two observations, before the set can fill */
	if (riskset_len(&b->s->risk) + STORE_RISK_HEADROOM > STORE_RISK_MAX) {
		if (evid_flush(b->s) != 0 || assess_touched(b->s, b->now) != 0)
			return -1;
		b->s->stats.risk_early++;
	}
	rc = b->careful ? apply_careful(b->s, o) : ingest_one(b->s, o);

	if (rc < 0 || (!b->careful && rc != 0))
		return -1;
	b->rejected += (size_t)rc;
	b->n++;
	return 0;
}

/*
 * A statement stepped to a row and left so holds a read snapshot open after
 * COMMIT: no checkpoint gets past it, and the WAL grows without end (a live
 * soak, tools/soak.sh, found it at 0.5 MB/s).  st_get() resets a statement
 * only when it is next used, which may be never; so a transaction ends with
 * every statement of the connection reset.
 */
void
store_reset_statements(struct store *s)
{
	sqlite3_stmt *q = NULL;

	while ((q = sqlite3_next_stmt(s->db, q)) != NULL)
		if (sqlite3_stmt_busy(q))
			sqlite3_reset(q);
}

/* One try at the whole batch in one transaction; 0, or -1 rolled back. */
static int
ingest_batch(struct store *s, struct obsq *q, struct batch *b, long long now)
{
	s->errmsg[0] = '\0';	/* this batch's failure, not an earlier one's */
	s->last_rc = SQLITE_OK;
	if (st_exec(s, "BEGIN IMMEDIATE") != SQLITE_OK) {
		st_error(s, "cannot start a batch");
		return -1;
	}
	riskset_clear(&s->risk);
	ev_batch_begin(s);
	if (obsq_foreach(q, apply, b) != 0 || pending_flush(s) != 0 || ev_batch_end(s) != 0 ||
	    assess_touched(s, now) != 0 || flood_batch_end(s) != 0 ||
	    (store_reset_statements(s), st_exec(s, "COMMIT")) != SQLITE_OK) {
		if (s->errmsg[0] == '\0')
			st_error(s, "batch failed");
		store_reset_statements(s);
		st_exec(s, "ROLLBACK");
		acache_clear(s);
		pending_drop(s);
		flood_rollback(s);
		return -1;
	}
	return 0;
}

/*
 * The fast way first: the whole batch in one transaction.  When one
 * observation is at fault, again with each in a savepoint, so the rest is
 * committed and the bad one counted instead of blocking the queue; when
 * the database is (busy, full, ...), the observations stay queued.
 */
long
store_ingest(struct store *s, struct obsq *q)
{
	long long now = (long long)time(NULL);
	struct batch b = { s, 0, 0, false, now };

	if (obsq_len(q) == 0)
		return 0;
	if (ingest_batch(s, q, &b, now) != 0) {
		if (!observation_at_fault(s)) {
			s->stats.failed_batches++;
			return -1;	/* observations stay queued for the next try */
		}
		b = (struct batch){ s, 0, 0, true, now };
		if (ingest_batch(s, q, &b, now) != 0) {
			s->stats.failed_batches++;
			return -1;
		}
	}
	obsq_consume(q, b.n);
	s->stats.batches++;
	s->stats.applied += b.n - b.rejected;
	return (long)b.n;
}

long
store_reevaluate_all(struct store *s, long long now)
{
	sqlite3_stmt *q;
	long n = 0;

	if (s->policy == NULL || s->vendors == NULL)
		return 0;
	if (st_exec(s, "BEGIN IMMEDIATE") != SQLITE_OK) {
		st_error(s, "cannot start re-evaluation");
		return -1;
	}
	if (sqlite3_prepare_v2(s->db, "SELECT id FROM assets", -1, &q, NULL) != SQLITE_OK) {
		st_error(s, "re-evaluation");
		st_exec(s, "ROLLBACK");
		return -1;
	}
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (assess_asset(s, sqlite3_column_int64(q, 0), now) != 0) {
			sqlite3_finalize(q);
			st_exec(s, "ROLLBACK");
			return -1;
		}
		n++;
	}
	sqlite3_finalize(q);
	if (st_exec(s, "COMMIT") != SQLITE_OK) {
		st_error(s, "re-evaluation commit");
		st_exec(s, "ROLLBACK");
		return -1;
	}
	return n;
}
