/*
 * q_summary.c - the inventory summary of `spanwatchd -r` (see q_summary.h).
 */
#include <stdbool.h>
#include <string.h>

#include <sqlite3.h>

#include "q_summary.h"
#include "sql_frag.h"
#include "store_int.h"

static const char sql_categories[] =
    "SELECT coalesce(category, 'unknown'), count(*) FROM assets GROUP BY 1 ORDER BY 2 DESC, 1";
static const char sql_levels[] =
    "SELECT coalesce(r.level, 'unknown'), count(*) FROM assets a "
    "LEFT JOIN risk r ON r.asset_id = a.id GROUP BY 1";
static const char sql_flagged[] =
    "SELECT a.id, " SQL_CURRENT_IP("a") ", r.level, r.vendor, "
    "  (SELECT value FROM evidence WHERE asset_id = a.id AND attribute = 'model' "
    "   ORDER BY confidence DESC, count DESC, last_seen DESC LIMIT 1), "
    "  coalesce(a.category, 'unknown'), json_extract(r.reason, '$[0].text') "
    "FROM assets a JOIN risk r ON r.asset_id = a.id WHERE r.level IN ('high', 'elevated') "
    "ORDER BY r.level = 'high' DESC, a.id";
static const char sql_counts[] =
    "SELECT count(*), coalesce(sum(gateway), 0) FROM assets";

static json_t *
text(sqlite3_stmt *q, int col)
{
	const char *s = (const char *)sqlite3_column_text(q, col);
	json_t *v = s ? json_string(s) : NULL;

	return v ? v : json_null();
}

static bool
table_exists(sqlite3 *db, const char *name)
{
	sqlite3_stmt *q;
	bool yes;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
	    -1, &q, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	yes = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_finalize(q);
	return yes;
}

/* Run sql, handing each row to fn; false on a database error. */
static bool
each_row(sqlite3 *db, const char *sql, void (*fn)(sqlite3_stmt *, json_t *, size_t), json_t *into,
    size_t max)
{
	sqlite3_stmt *q;
	int rc;
	size_t n = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return false;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		fn(q, into, n++ < max ? 1 : 0);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE;
}

static void
category_row(sqlite3_stmt *q, json_t *arr, size_t keep)
{
	(void)keep;
	json_array_append_new(arr, json_pack("{s:o s:I}", "category", text(q, 0),
	    "assets", (json_int_t)sqlite3_column_int64(q, 1)));
}

static void
level_row(sqlite3_stmt *q, json_t *obj, size_t keep)
{
	const char *lvl = (const char *)sqlite3_column_text(q, 0);
	json_t *n = json_object_get(obj, lvl ? lvl : "unknown");

	(void)keep;
	if (n)
		json_integer_set(n, json_integer_value(n) + sqlite3_column_int64(q, 1));
}

static void
flagged_row(sqlite3_stmt *q, json_t *arr, size_t keep)
{
	if (!keep) {
		json_array_append_new(arr, json_null());	/* counted, not listed */
		return;
	}
	json_array_append_new(arr, json_pack("{s:I s:o s:o s:o s:o s:o s:o}",
	    "id", (json_int_t)sqlite3_column_int64(q, 0), "ip", text(q, 1), "level", text(q, 2),
	    "vendor", text(q, 3), "model", text(q, 4), "category", text(q, 5), "reason", text(q, 6)));
}

json_t *
qs_summary(struct store *st, size_t max_flagged)
{
	sqlite3 *db = store_db(st);
	json_t *cats = json_array(), *levels = json_pack("{s:I s:I s:I s:I}", "high", 0,
	    "elevated", 0, "none", 0, "unknown", 0), *flagged = json_array(), *out, *v;
	json_int_t assets = 0, gateways = 0, listed = 0;
	bool ok = each_row(db, sql_categories, category_row, cats, 0);
	sqlite3_stmt *q;
	size_t i;

	if (ok && table_exists(db, "risk"))
		ok = each_row(db, sql_levels, level_row, levels, 0) &&
		    each_row(db, sql_flagged, flagged_row, flagged, max_flagged);
	if (ok && sqlite3_prepare_v2(db, sql_counts, -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW) {
			assets = sqlite3_column_int64(q, 0);
			gateways = sqlite3_column_int64(q, 1);
		}
		sqlite3_finalize(q);
	}
	if (!ok) {
		json_decref(cats);
		json_decref(levels);
		json_decref(flagged);
		return NULL;
	}
	if (!table_exists(db, "risk"))
		json_integer_set(json_object_get(levels, "unknown"), assets);
	out = json_pack("{s:I s:I s:o s:o s:I}", "assets", assets, "gateways", gateways,
	    "by_category", cats, "by_risk", levels, "flagged_total", (json_int_t)json_array_size(flagged));
	/* keep the listed ones only */
	json_array_foreach(flagged, i, v)
		listed += !json_is_null(v);
	while (json_array_size(flagged) > (size_t)listed)
		json_array_remove(flagged, json_array_size(flagged) - 1);
	json_object_set_new(out, "flagged", flagged);
	return out;
}
