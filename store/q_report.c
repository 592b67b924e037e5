/*
 * q_report.c - the report's and the map's read queries (q_report.h).
 *
 * qr_assets() reads assets (with their risk row) once, then walks the
 * evidence, addresses and services tables once each in asset order and
 * hangs each row on its asset, found by binary search over the ids.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "annotate.h"
#include "q_report.h"
#include "store_int.h"

/* The attributes whose best value the report shows. */
static const char *const best_attrs[] = {
	"vendor", "model", "firmware", "serial", "hostname", "os", NULL
};
/* Filled in where the database has them: the category, the operator's annotation. */
static const char *const extra_attrs[] = {
	"category", "category_reason", "name", "zone", "criticality", "note", "behind", NULL
};

static json_t *
col_str(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return json_null();
	return json_stringn_nocheck((const char *)sqlite3_column_text(st, col),
	    (size_t)sqlite3_column_bytes(st, col));
}

static json_t *
col_int(sqlite3_stmt *st, int col)
{
	return json_integer(sqlite3_column_int64(st, col));
}

/* Prepare sql; NULL on error (the handle keeps the message). */
static sqlite3_stmt *
prep(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

/* Finish st; false when its last step was an error. */
static bool
done(sqlite3_stmt *st, int last_rc)
{
	sqlite3_finalize(st);
	return last_rc == SQLITE_DONE;
}

static int64_t
scalar(sqlite3 *db, const char *sql, bool *ok)
{
	sqlite3_stmt *st = prep(db, sql);
	int64_t v = 0;
	int rc;

	if (st == NULL) {
		*ok = false;
		return 0;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = sqlite3_column_int64(st, 0);
		rc = SQLITE_DONE;
	}
	if (!done(st, rc))
		*ok = false;
	return v;
}

static bool
has_table(sqlite3 *db, const char *name)
{
	sqlite3_stmt *st = prep(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
	bool found;

	if (st == NULL)
		return false;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

static bool
meta_into(sqlite3 *db, json_t *meta)
{
	sqlite3_stmt *st = prep(db, "SELECT key, value FROM meta ORDER BY key");
	int rc;

	if (st == NULL)
		return false;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (sqlite3_column_type(st, 0) != SQLITE_NULL)
			json_object_set_new(meta, (const char *)sqlite3_column_text(st, 0), col_str(st, 1));
	return done(st, rc);
}

json_t *
qr_overview(struct store *st)
{
	sqlite3 *db = store_db(st);
	static const struct { const char *key, *sql; } counts[] = {
		{ "assets", "SELECT count(*) FROM assets" },
		{ "gateways", "SELECT count(*) FROM assets WHERE gateway" },
		{ "evidence", "SELECT count(*) FROM evidence" },
		{ "services", "SELECT count(*) FROM services" },
		{ "conversations", "SELECT count(*) FROM conversations" },
		{ "events", "SELECT count(*) FROM events" },
		{ "first_seen", "SELECT COALESCE(min(first_seen), 0) FROM assets" },
		{ "last_seen", "SELECT COALESCE(max(last_seen), 0) FROM assets" },
		{ "schema", "PRAGMA user_version" },
	};
	json_t *o = json_object(), *meta = json_object();
	bool ok = true;

	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		json_object_set_new(o, counts[i].key, json_integer(scalar(db, counts[i].sql, &ok)));
	json_object_set_new(o, "evaluated", json_integer(has_table(db, "risk") ?
	    scalar(db, "SELECT COALESCE(max(evaluated), 0) FROM risk", &ok) : 0));
	ok = meta_into(db, meta) && ok;
	json_object_set_new(o, "meta", meta);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* --- assets ------------------------------------------------------------ */

struct slot {
	int64_t	 id;
	json_t	*a;		/* borrowed from the array */
};

struct index {
	struct slot	*s;
	size_t		 n;
};

static json_t *
find(const struct index *ix, int64_t id)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ix->s[mid].id == id)
			return ix->s[mid].a;
		if (ix->s[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The stored reasons: a JSON array of {text, source, value, rule}, or plain text. */
static json_t *
reasons(sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	size_t len = (size_t)sqlite3_column_bytes(st, col);
	json_t *parsed;

	if (s == NULL || len == 0)
		return json_array();
	if ((parsed = json_loadb(s, len, 0, NULL)) != NULL && json_is_array(parsed))
		return parsed;
	json_decref(parsed);
	return json_pack("[{s:o s:s s:s s:s}]", "text", json_stringn_nocheck(s, len),
	    "source", "", "value", "", "rule", "");
}

static json_t *
asset_row(sqlite3_stmt *st, bool with_risk)
{
	json_t *a = json_pack("{s:I s:o s:o s:I s:b s:I s:I s:o s:o s:[] s:[] s:[]}",
	    "id", (json_int_t)sqlite3_column_int64(st, 0),
	    "mac", col_str(st, 1),
	    "ip", col_str(st, 2),
	    "vlan", (json_int_t)sqlite3_column_int64(st, 3),
	    "gateway", sqlite3_column_int(st, 4) != 0,
	    "first_seen", (json_int_t)sqlite3_column_int64(st, 5),
	    "last_seen", (json_int_t)sqlite3_column_int64(st, 6),
	    "oui_vendor", col_str(st, 7),
	    "oui_country", col_str(st, 8),
	    "ips", "roles", "services");

	for (size_t i = 0; best_attrs[i]; i++)
		json_object_set_new(a, best_attrs[i], json_null());
	for (size_t i = 0; extra_attrs[i]; i++)
		json_object_set_new(a, extra_attrs[i], json_null());
	if (with_risk && sqlite3_column_type(st, 9) != SQLITE_NULL) {
		json_object_set_new(a, "level", col_str(st, 9));
		json_object_set_new(a, "maker", col_str(st, 10));
		json_object_set_new(a, "country", col_str(st, 11));
		json_object_set_new(a, "reasons", reasons(st, 12));
		json_object_set_new(a, "accepted", col_str(st, 13));
		json_object_set_new(a, "evaluated", col_int(st, 14));
	} else {
		json_object_set_new(a, "level", json_string("unknown"));
		json_object_set_new(a, "maker", json_null());
		json_object_set_new(a, "country", json_null());
		json_object_set_new(a, "reasons", json_array());
		json_object_set_new(a, "accepted", json_null());
		json_object_set_new(a, "evaluated", json_null());
	}
	return a;
}

static bool
has_column(sqlite3 *db, const char *table, const char *col)
{
	sqlite3_stmt *st = prep(db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2");
	bool found;

	if (st == NULL)
		return false;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, col, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* The device category (schema 4 on) of every asset, by id. */
static bool
add_categories(sqlite3 *db, const struct index *ix)
{
	sqlite3_stmt *st;
	int rc;

	if (!has_column(db, "assets", "category"))
		return true;
	if ((st = prep(db, "SELECT id, category, category_reason FROM assets")) == NULL)
		return false;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *a = find(ix, sqlite3_column_int64(st, 0));

		if (a) {
			json_object_set_new(a, "category", col_str(st, 1));
			json_object_set_new(a, "category_reason", col_str(st, 2));
		}
	}
	return done(st, rc);
}

/*
 * A device behind a Modbus server (store/units.c) has no address of its
 * own (its key_ip is "modbus-unit:GW:UNIT"): it gets "behind" {gateway,
 * ip, unit}, no ip, and the gateway's VLAN, so it is drawn in its zone.
 */
static bool
add_units(sqlite3 *db, const struct index *ix)
{
	sqlite3_stmt *st;
	int rc;

	if (!has_table(db, "modbus_units"))
		return true;
	if ((st = prep(db, "SELECT asset_id, gateway_id, unit FROM modbus_units "
	    "WHERE asset_id != gateway_id ORDER BY asset_id")) == NULL)
		return false;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *a = find(ix, sqlite3_column_int64(st, 0));
		json_t *gw = find(ix, sqlite3_column_int64(st, 1));

		if (a == NULL || gw == NULL)
			continue;
		json_object_set_new(a, "behind", json_pack("{s:I s:O s:I}",
		    "gateway", (json_int_t)sqlite3_column_int64(st, 1),
		    "ip", json_object_get(gw, "ip"), "unit", (json_int_t)sqlite3_column_int64(st, 2)));
		json_object_set_new(a, "ip", json_null());
		json_object_set(a, "vlan", json_object_get(gw, "vlan"));
	}
	return done(st, rc);
}

/* The operator's name, zone, criticality and note (store/annotate.h). */
static bool
add_annotations(struct store *st, const struct index *ix)
{
	static const char *const fields[] = { "name", "zone", "criticality", "note", NULL };
	json_t *all = annotations_all(st), *an;
	const char *id;

	if (all == NULL)
		return false;
	json_object_foreach(all, id, an) {
		json_t *a = find(ix, strtoll(id, NULL, 10));

		for (size_t i = 0; a && fields[i]; i++)
			if (json_is_string(json_object_get(an, fields[i])))
				json_object_set(a, fields[i], json_object_get(an, fields[i]));
	}
	json_decref(all);
	return true;
}

static json_t *
read_assets(sqlite3 *db, struct index *ix)
{
	bool with_risk = has_table(db, "risk");
	sqlite3_stmt *st = prep(db, with_risk ?
	    "SELECT a.id, a.mac, a.key_ip, a.vlan, a.gateway, a.first_seen, a.last_seen, "
	    "  a.oui_vendor, a.oui_country, r.level, r.vendor, r.country, r.reason, r.accepted, "
	    "  r.evaluated FROM assets a LEFT JOIN risk r ON r.asset_id = a.id ORDER BY a.id" :
	    "SELECT id, mac, key_ip, vlan, gateway, first_seen, last_seen, oui_vendor, "
	    "  oui_country FROM assets ORDER BY id");
	json_t *arr = json_array();
	size_t cap = 0;
	int rc;

	if (st == NULL) {
		json_decref(arr);
		return NULL;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *a = asset_row(st, with_risk);

		if (ix->n == cap) {
			struct slot *s = realloc(ix->s, (cap = cap ? cap * 2 : 256) * sizeof(*s));

			if (s == NULL) {
				json_decref(a);
				rc = SQLITE_NOMEM;
				break;
			}
			ix->s = s;
		}
		ix->s[ix->n++] = (struct slot){ sqlite3_column_int64(st, 0), a };
		json_array_append_new(arr, a);
	}
	if (!done(st, rc)) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

static bool
str_in(json_t *arr, const char *s, size_t len)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
		if (json_string_length(v) == len && memcmp(json_string_value(v), s, len) == 0)
			return true;
	return false;
}

/* Rows come best first within (asset, attribute): the first one is the resolved value. */
static bool
add_evidence(sqlite3 *db, const struct index *ix)
{
	sqlite3_stmt *st = prep(db,
	    "SELECT asset_id, attribute, value FROM evidence WHERE attribute IN "
	    "  ('vendor', 'model', 'firmware', 'serial', 'hostname', 'os', 'role') "
	    "ORDER BY asset_id, attribute, confidence DESC, count DESC, last_seen DESC, value");
	int rc;

	if (st == NULL)
		return false;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *a = find(ix, sqlite3_column_int64(st, 0));
		const char *attr = (const char *)sqlite3_column_text(st, 1);
		const char *val = (const char *)sqlite3_column_text(st, 2);
		size_t vlen = (size_t)sqlite3_column_bytes(st, 2);

		if (a == NULL || attr == NULL || val == NULL)
			continue;
		if (strcmp(attr, "role") == 0) {
			if (!str_in(json_object_get(a, "roles"), val, vlen))
				json_array_append_new(json_object_get(a, "roles"),
				    json_stringn_nocheck(val, vlen));
		} else if (json_is_null(json_object_get(a, attr)))
			json_object_set_new(a, attr, json_stringn_nocheck(val, vlen));
	}
	return done(st, rc);
}

/*
 * Every address, each asset's in the order store/sql_frag.h picks the
 * current one (newest, ties to the lowest text), so its first row is the
 * asset's "ip": one scan of addresses_newest instead of a subquery per
 * asset.
 */
static bool
add_addresses(sqlite3 *db, const struct index *ix)
{
	sqlite3_stmt *st = prep(db,
	    "SELECT asset_id, ip FROM addresses ORDER BY asset_id, last_seen DESC, ip");
	int rc;

	if (st == NULL)
		return false;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *a = find(ix, sqlite3_column_int64(st, 0));
		json_t *ips = a ? json_object_get(a, "ips") : NULL;

		if (ips == NULL)
			continue;
		if (json_array_size(ips) == 0)
			json_object_set_new(a, "ip", col_str(st, 1));
		json_array_append_new(ips, col_str(st, 1));
	}
	return done(st, rc);
}

static bool
add_services(sqlite3 *db, const struct index *ix)
{
	sqlite3_stmt *st = prep(db,
	    "SELECT asset_id, transport, port, protocol FROM services WHERE role = 'server' "
	    "ORDER BY asset_id, port, transport, protocol");
	int rc;

	if (st == NULL)
		return false;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *a = find(ix, sqlite3_column_int64(st, 0));

		if (a)
			json_array_append_new(json_object_get(a, "services"), json_pack("{s:o s:o s:o}",
			    "transport", col_str(st, 1), "port", col_int(st, 2),
			    "protocol", col_str(st, 3)));
	}
	return done(st, rc);
}

json_t *
qr_assets(struct store *st)
{
	sqlite3 *db = store_db(st);
	struct index ix = { NULL, 0 };
	json_t *arr = read_assets(db, &ix);

	if (arr && !(add_evidence(db, &ix) && add_addresses(db, &ix) && add_services(db, &ix) &&
	    add_categories(db, &ix) && add_annotations(st, &ix) && add_units(db, &ix))) {
		json_decref(arr);
		arr = NULL;
	}
	free(ix.s);
	return arr;
}

/* --- conversations, evidence ---------------------------------------------- */

json_t *
qr_conversations(struct store *s)
{
	sqlite3 *db = store_db(s);
	sqlite3_stmt *st = prep(db,
	    "SELECT client_id, server_id, transport, port, protocol, packets, bytes, first_seen, "
	    "  last_seen FROM conversations ORDER BY bytes DESC, client_id, server_id, port");
	json_t *arr = json_array();
	int rc;

	if (st == NULL) {
		json_decref(arr);
		return NULL;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{s:o s:o s:o s:o s:o s:o s:o s:o s:o}",
		    "client", col_int(st, 0), "server", col_int(st, 1), "transport", col_str(st, 2),
		    "port", col_int(st, 3), "protocol", col_str(st, 4), "packets", col_int(st, 5),
		    "bytes", col_int(st, 6), "first_seen", col_int(st, 7), "last_seen", col_int(st, 8)));
	if (!done(st, rc)) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

json_t *
qr_asset_evidence(struct store *s, int64_t asset_id)
{
	sqlite3 *db = store_db(s);
	sqlite3_stmt *st = prep(db,
	    "SELECT attribute, value, source, confidence, first_seen, last_seen, count "
	    "FROM evidence WHERE asset_id = ?1 "
	    "ORDER BY attribute, confidence DESC, count DESC, last_seen DESC, value");
	json_t *arr = json_array();
	int rc;

	if (st == NULL) {
		json_decref(arr);
		return NULL;
	}
	sqlite3_bind_int64(st, 1, asset_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, json_pack("{s:o s:o s:o s:o s:o s:o s:o}",
		    "attribute", col_str(st, 0), "value", col_str(st, 1), "source", col_str(st, 2),
		    "confidence", col_int(st, 3), "first_seen", col_int(st, 4),
		    "last_seen", col_int(st, 5), "count", col_int(st, 6)));
	if (!done(st, rc)) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}
