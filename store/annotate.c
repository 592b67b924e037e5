/*
 * annotate.c - the operator's annotations (see annotate.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "annotate.h"
#include "obs.h"
#include "store_int.h"

/* The asset's identity key, as annotations.asset_key holds it. */
#define SQL_KEY_OF	"(SELECT coalesce(mac, key_ip) FROM assets WHERE id = ?1)"

static const char sql_upsert[] =
    "INSERT INTO annotations (asset_key, name, zone, criticality, note, updated) "
    "SELECT " SQL_KEY_OF ", ?2, ?3, ?4, ?5, ?6 WHERE " SQL_KEY_OF " IS NOT NULL "
    "ON CONFLICT (asset_key) DO UPDATE SET "
    "name = CASE WHEN ?7 THEN excluded.name ELSE name END, "
    "zone = CASE WHEN ?8 THEN excluded.zone ELSE zone END, "
    "criticality = CASE WHEN ?9 THEN excluded.criticality ELSE criticality END, "
    "note = CASE WHEN ?10 THEN excluded.note ELSE note END, "
    "updated = excluded.updated";
static const char sql_prune[] =
    "DELETE FROM annotations WHERE asset_key = " SQL_KEY_OF " AND name IS NULL AND "
    "zone IS NULL AND criticality IS NULL AND note IS NULL";
static const char sql_cols[] = "n.name, n.zone, n.criticality, n.note, n.updated";

static const char *const field_names[4] = { "name", "zone", "criticality", "note" };

/*
 * v as stored (obs_sanitize), malloc'd: room for every byte escaped, so
 * nothing is cut here; NULL on out of memory.
 */
static char *
stored_form(const char *v, size_t *len)
{
	size_t n = strlen(v);
	char *clean = malloc(n * 4 + 1);

	if (clean != NULL)
		*len = obs_sanitize(v, n, clean, n * 4 + 1);
	return clean;
}

int
annotation_check(const struct annotation_set *set, char *err, size_t errsz)
{
	const char *f[4] = { set->name, set->zone, set->criticality, set->note };

	for (int i = 0; i < 4; i++) {
		char *clean;
		size_t len;

		if (f[i] == NULL || *f[i] == '\0')
			continue;
		if ((clean = stored_form(f[i], &len)) == NULL) {
			snprintf(err, errsz, "out of memory");
			return -1;
		}
		free(clean);
		if (len >= ANNOTATION_FIELD_MAX) {
			snprintf(err, errsz, "%s is %zu bytes as stored; at most %d (ANNOTATION_FIELD_MAX)",
			    field_names[i], len, ANNOTATION_FIELD_MAX - 1);
			return -1;
		}
	}
	return 0;
}

/* A field to bind: NULL (unchanged) and "" (cleared) both store NULL.  false: out of memory. */
static bool
bind_field(sqlite3_stmt *q, int col, const char *v)
{
	char *clean;
	size_t len;

	if (v == NULL || *v == '\0')
		return true;
	if ((clean = stored_form(v, &len)) == NULL)
		return false;
	sqlite3_bind_text(q, col, clean, (int)len, free);
	return true;
}

static int
fail(struct store *st, const char *what, char *err, size_t errsz)
{
	snprintf(err, errsz, "%s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
	return -1;
}

int
annotation_put(struct store *st, int64_t asset_id, const struct annotation_set *set,
    long long now, char *err, size_t errsz)
{
	const char *f[4] = { set->name, set->zone, set->criticality, set->note };
	sqlite3_stmt *q = NULL;
	int rc;

	if (st->mode != STORE_RW) {
		snprintf(err, errsz, "%s: opened read-only", st->path);
		return -1;
	}
	if (annotation_check(set, err, errsz) != 0)
		return -1;
	if (sqlite3_prepare_v2(st->db, sql_upsert, -1, &q, NULL) != SQLITE_OK)
		return fail(st, "annotate", err, errsz);
	sqlite3_bind_int64(q, 1, asset_id);
	for (int i = 0; i < 4; i++) {
		if (!bind_field(q, 2 + i, f[i])) {
			sqlite3_finalize(q);
			snprintf(err, errsz, "out of memory");
			return -1;
		}
		sqlite3_bind_int(q, 7 + i, f[i] != NULL);
	}
	sqlite3_bind_int64(q, 6, now);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return fail(st, "annotate", err, errsz);
	if (sqlite3_prepare_v2(st->db, sql_prune, -1, &q, NULL) != SQLITE_OK)
		return fail(st, "annotate", err, errsz);
	sqlite3_bind_int64(q, 1, asset_id);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : fail(st, "annotate", err, errsz);
}

static json_t *
text_or_null(sqlite3_stmt *q, int col)
{
	const char *s = (const char *)sqlite3_column_text(q, col);

	return s ? json_stringn(s, (size_t)sqlite3_column_bytes(q, col)) : json_null();
}

static json_t *
row_json(sqlite3_stmt *q, int first)
{
	json_t *o = json_object();

	for (int i = 0; i < 4; i++) {
		json_t *v = text_or_null(q, first + i);

		json_object_set_new(o, field_names[i], v ? v : json_null());	/* not UTF-8: null */
	}
	json_object_set_new(o, "updated", json_integer(sqlite3_column_int64(q, first + 4)));
	return o;
}

static bool
have_table(sqlite3 *db)
{
	sqlite3_stmt *q;
	bool yes = false;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
	    "name = 'annotations'", -1, &q, NULL) != SQLITE_OK)
		return false;
	yes = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_finalize(q);
	return yes;
}

json_t *
annotation_get(struct store *st, int64_t asset_id)
{
	sqlite3 *db = store_db(st);
	char sql[256];
	sqlite3_stmt *q;
	json_t *o = NULL;
	int rc;

	if (!have_table(db))
		return json_null();
	snprintf(sql, sizeof(sql), "SELECT %s FROM annotations n WHERE n.asset_key = "
	    SQL_KEY_OF, sql_cols);
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(q, 1, asset_id);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW)
		o = row_json(q, 0);
	else if (rc == SQLITE_DONE)
		o = json_null();
	sqlite3_finalize(q);
	return o;
}

json_t *
annotations_all(struct store *st)
{
	sqlite3 *db = store_db(st);
	char sql[256];
	sqlite3_stmt *q;
	json_t *all = json_object();
	int rc;

	if (!have_table(db))
		return all;
	snprintf(sql, sizeof(sql), "SELECT a.id, %s FROM annotations n JOIN assets a "
	    "ON n.asset_key = coalesce(a.mac, a.key_ip)", sql_cols);
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
		json_decref(all);
		return NULL;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		char id[24];

		snprintf(id, sizeof(id), "%lld", (long long)sqlite3_column_int64(q, 0));
		json_object_set_new(all, id, row_json(q, 1));
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		json_decref(all);
		return NULL;
	}
	return all;
}
