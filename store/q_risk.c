/*
 * q_risk.c - the verdicts as `spanwatch risk` reads them (see q_risk.h).
 */
#include "q_risk.h"
#include "sql_frag.h"
#include "store_int.h"

/* The best evidence of one attribute, ordered as the resolved view orders it. */
#define SQL_BEST(attr) \
	"(SELECT value FROM evidence WHERE asset_id = a.id AND attribute = '" attr "' " \
	"  ORDER BY confidence DESC, count DESC, last_seen DESC, value LIMIT 1)"

static const char sql_assets[] =
    "SELECT a.id, a.mac, " SQL_CURRENT_IP("a") ", " SQL_BEST("hostname") ", " SQL_BEST("model") ", "
    "  a.oui_vendor, r.level, r.vendor, r.country, r.reason, r.accepted, r.evaluated, a.oui_country "
    "FROM assets a LEFT JOIN risk r ON r.asset_id = a.id "
    "ORDER BY CASE r.level WHEN 'high' THEN 0 WHEN 'elevated' THEN 1 WHEN 'none' THEN 2 "
    "  WHEN 'unknown' THEN 3 ELSE 4 END, a.id";

/* value, country, total, high, elevated, none, unknown, accepted */
#define SQL_PER(col) \
	"SELECT " col ", max(r.country), count(*), sum(r.level = 'high'), " \
	"  sum(r.level = 'elevated'), sum(r.level = 'none'), sum(r.level = 'unknown'), " \
	"  count(r.accepted) " \
	"FROM risk r JOIN assets a ON a.id = r.asset_id GROUP BY " col " " \
	"ORDER BY 4 DESC, 5 DESC, 3 DESC, " col

int
qk_assets(struct store *st, bool (*cb)(void *arg, const struct qk_asset *a), void *arg)
{
	sqlite3_stmt *q;
	int rc;

	if ((rc = sqlite3_prepare_v2(store_db(st), sql_assets, -1, &q, NULL)) != SQLITE_OK)
		return rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct qk_asset a = {
			.id = sqlite3_column_int64(q, 0), .mac = qa_column(q, 1), .ip = qa_column(q, 2),
			.hostname = qa_column(q, 3), .model = qa_column(q, 4), .oui_vendor = qa_column(q, 5),
			.level = qa_column(q, 6), .vendor = qa_column(q, 7), .country = qa_column(q, 8),
			.reason = qa_column(q, 9), .accepted = qa_column(q, 10),
			.evaluated = sqlite3_column_int64(q, 11), .oui_country = qa_column(q, 12)
		};

		if (!cb(arg, &a))
			break;
	}
	sqlite3_finalize(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : rc;
}

int
qk_groups(struct store *st, enum qk_by by, bool (*cb)(void *arg, const struct qk_group *g),
    void *arg)
{
	static const char *const sql[] = {
		[QK_BY_VENDOR] = SQL_PER("r.vendor"),
		[QK_BY_COUNTRY] = SQL_PER("r.country"),
	};
	sqlite3_stmt *q;
	int rc;

	if ((rc = sqlite3_prepare_v2(store_db(st), sql[by], -1, &q, NULL)) != SQLITE_OK)
		return rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct qk_group g = {
			qa_column(q, 0), qa_column(q, 1), sqlite3_column_int64(q, 2), sqlite3_column_int64(q, 3),
			sqlite3_column_int64(q, 4), sqlite3_column_int64(q, 5), sqlite3_column_int64(q, 6),
			sqlite3_column_int64(q, 7)
		};

		if (!cb(arg, &g))
			break;
	}
	sqlite3_finalize(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : rc;
}
