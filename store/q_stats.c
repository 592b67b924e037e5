/*
 * q_stats.c - counts for `spanwatch stats` (see q_stats.h).
 */
#include <stddef.h>

#include <sqlite3.h>

#include "q_stats.h"
#include "store_int.h"

static const struct {
	const char	*key;
	const char	*sql;
} counts[] = {
	{ "assets", "SELECT count(*) FROM assets" },
	{ "gateways", "SELECT count(*) FROM assets WHERE gateway" },
	{ "evidence", "SELECT count(*) FROM evidence" },
	{ "services", "SELECT count(*) FROM services" },
	{ "conversations", "SELECT count(*) FROM conversations" },
	{ "schema_version", "PRAGMA user_version" },
};

/* Assets per application protocol, serving or using it. */
static const char sql_per_protocol[] =
    "SELECT protocol, count(DISTINCT asset) FROM ("
    "  SELECT protocol, asset_id AS asset FROM services UNION ALL "
    "  SELECT protocol, client_id FROM conversations UNION ALL "
    "  SELECT protocol, server_id FROM conversations) "
    "WHERE protocol IS NOT NULL AND protocol NOT IN ('', 'unknown') "
    "GROUP BY protocol ORDER BY 2 DESC, 1";

json_t *
qst_counts(struct store *st)
{
	sqlite3 *db = store_db(st);
	json_t *o = json_object();

	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		sqlite3_stmt *q;
		int rc;

		if (sqlite3_prepare_v2(db, counts[i].sql, -1, &q, NULL) != SQLITE_OK) {
			json_decref(o);
			return NULL;
		}
		rc = sqlite3_step(q);
		if (rc == SQLITE_ROW)
			json_object_set_new(o, counts[i].key, json_integer(sqlite3_column_int64(q, 0)));
		sqlite3_finalize(q);
		if (rc != SQLITE_ROW) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

json_t *
qst_per_protocol(struct store *st)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *q;
	json_t *out = json_array();
	int rc;

	if (sqlite3_prepare_v2(db, sql_per_protocol, -1, &q, NULL) != SQLITE_OK) {
		json_decref(out);
		return NULL;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		json_array_append_new(out, json_pack("{s:s% s:I}", "protocol",
		    (const char *)sqlite3_column_text(q, 0), (size_t)sqlite3_column_bytes(q, 0),
		    "assets", (json_int_t)sqlite3_column_int64(q, 1)));
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		json_decref(out);
		return NULL;
	}
	return out;
}
