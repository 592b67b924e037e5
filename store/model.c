/*
 * model.c - writes of the asset model that ingest.c and assess.c share,
 * so that the category's derived facts (assess.c) do not call back into
 * ingest: batch -> ingest -> model, batch -> assess -> model.
 */
#include "store_int.h"

/* Add or refresh one piece of evidence; *is_new when the row is new. */
int
model_evidence(struct store *s, int64_t id, const char *attr, const char *val, const char *src,
    int conf, long long ts, const char *via_ip, bool *is_new)
{
	sqlite3_stmt *q = st_get(s, S_EVID_UPSERT);

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
