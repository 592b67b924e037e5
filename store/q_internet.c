/*
 * q_internet.c - read queries over endpoints (see q_internet.h).
 */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "q_internet.h"
#include "sql_frag.h"
#include "store_int.h"

static json_t *
col_str(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return json_null();
	return json_string((const char *)sqlite3_column_text(st, col));
}

static json_t *
col_int(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return json_null();
	return json_integer((json_int_t)sqlite3_column_int64(st, col));
}

static sqlite3_stmt *
prep(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	return st;
}

/* The names an endpoint went by for an asset: its own DNS answers, then TLS/HTTP names. */
static json_t *
names_of(sqlite3 *db, int64_t ep, const char *ip, int64_t asset)
{
	sqlite3_stmt *st = prep(db, "SELECT name, 'dns/answer' FROM dns_answers WHERE address = ?2 "
	    "AND asset_id = ?3 UNION SELECT name, source FROM endpoint_names WHERE endpoint_id = ?1 "
	    "ORDER BY 2, 1 LIMIT 16");
	json_t *a = json_array();

	if (st == NULL) {
		json_decref(a);
		return NULL;
	}
	sqlite3_bind_int64(st, 1, ep);
	sqlite3_bind_text(st, 2, ip, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, asset);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(a, json_pack("{s:o, s:o}", "name", col_str(st, 0),
		    "source", col_str(st, 1)));
	sqlite3_finalize(st);
	return a;
}

/* The group of dests for (owner, country), created when new. */
static json_t *
group_for(json_t *dests, json_t *owner, json_t *country, json_t *asn, json_t *as_name)
{
	size_t i;
	json_t *g;

	json_array_foreach(dests, i, g)
		if (json_equal(json_object_get(g, "owner"), owner) &&
		    json_equal(json_object_get(g, "country"), country) &&
		    (!json_is_null(owner) || json_equal(json_object_get(g, "asn"), asn))) {
			json_decref(owner), json_decref(country), json_decref(asn), json_decref(as_name);
			return g;
		}
	g = json_pack("{s:o, s:o, s:o, s:o, s:[]}", "owner", owner, "country", country, "asn", asn,
	    "as_name", as_name, "endpoints");
	json_array_append_new(dests, g);
	return g;
}

#define FLOWS_SQL \
	"SELECT f.asset_id, e.id, e.ip, e.owner, e.country, e.asn, e.as_name, f.direction, " \
	"group_concat(f.transport || '/' || f.port || ' ' || f.protocol, ', '), sum(f.packets), " \
	"sum(f.bytes), min(f.first_seen), max(f.last_seen) " \
	"FROM endpoint_flows f JOIN endpoints e ON e.id = f.endpoint_id %s " \
	"GROUP BY f.asset_id, e.id, f.direction ORDER BY f.asset_id, e.owner, e.country, sum(f.bytes) DESC"

/* Add one flow row to the asset object it belongs to. */
static bool
add_flow(sqlite3 *db, sqlite3_stmt *st, json_t *asset)
{
	const char *ip = (const char *)sqlite3_column_text(st, 2);
	bool out = strcmp((const char *)sqlite3_column_text(st, 7), "out") == 0;
	json_t *e = json_pack("{s:s, s:o, s:I, s:I, s:I, s:I}", "ip", ip, "ports", col_str(st, 8),
	    "packets", (json_int_t)sqlite3_column_int64(st, 9),
	    "bytes", (json_int_t)sqlite3_column_int64(st, 10),
	    "first_seen", (json_int_t)sqlite3_column_int64(st, 11),
	    "last_seen", (json_int_t)sqlite3_column_int64(st, 12));
	json_t *names = names_of(db, sqlite3_column_int64(st, 1), ip, sqlite3_column_int64(st, 0));

	if (e == NULL || names == NULL) {
		json_decref(e);
		json_decref(names);
		return false;
	}
	json_object_set_new(e, "names", names);
	if (out) {
		json_t *g = group_for(json_object_get(asset, "destinations"), col_str(st, 3),
		    col_str(st, 4), col_int(st, 5), col_str(st, 6));

		json_array_append_new(json_object_get(g, "endpoints"), e);
	} else {
		json_object_set_new(e, "country", col_str(st, 4));
		json_object_set_new(e, "asn", col_int(st, 5));
		json_object_set_new(e, "as_name", col_str(st, 6));
		json_array_append_new(json_object_get(asset, "exposure"), e);
	}
	return true;
}

/* The asset's identity and verdict. */
static json_t *
asset_head(sqlite3 *db, int64_t id)
{
	sqlite3_stmt *st = prep(db, "SELECT a.mac, " SQL_CURRENT_IP("a") ", "
	    "(SELECT value FROM evidence v WHERE v.asset_id = a.id AND v.attribute = 'hostname' ORDER BY v.confidence DESC LIMIT 1), "
	    "coalesce(r.level, 'unknown'), r.vendor, r.country, r.reason "
	    "FROM assets a LEFT JOIN risk r ON r.asset_id = a.id WHERE a.id = ?1");
	json_t *o = NULL, *reasons = NULL;

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 6) != SQLITE_NULL)
			reasons = json_loads((const char *)sqlite3_column_text(st, 6), 0, NULL);
		o = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:[], s:[]}", "id", (json_int_t)id,
		    "mac", col_str(st, 0),
		    "ip", col_str(st, 1),
		    "hostname", col_str(st, 2), "level", col_str(st, 3), "maker", col_str(st, 4),
		    "country", col_str(st, 5), "reasons", reasons ? reasons : json_array(),
		    "destinations", "exposure");
	}
	sqlite3_finalize(st);
	return o;
}

static json_t *
flows(sqlite3 *db, const char *where, int64_t asset, bool one)
{
	char sql[1024];
	sqlite3_stmt *st;
	json_t *list = json_array(), *cur = NULL;
	int64_t cur_id = 0;
	int rc;

	snprintf(sql, sizeof(sql), FLOWS_SQL, where);
	if ((st = prep(db, sql)) == NULL) {
		json_decref(list);
		return NULL;
	}
	if (one)
		sqlite3_bind_int64(st, 1, asset);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);

		if (cur == NULL || id != cur_id) {
			if ((cur = asset_head(db, id)) == NULL)
				break;
			cur_id = id;
			json_array_append_new(list, cur);
		}
		if (!add_flow(db, st, cur))
			break;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return NULL;
	}
	return list;
}

json_t *
qi_internet(struct store *st)
{
	sqlite3 *db = store_db(st);
	return flows(db, "", 0, false);
}

json_t *
qi_asset_internet(struct store *st, int64_t asset_id)
{
	sqlite3 *db = store_db(st);
	json_t *l = flows(db, "WHERE f.asset_id = ?1", asset_id, true), *o;

	if (l == NULL)
		return NULL;
	o = json_array_size(l) ? json_incref(json_array_get(l, 0)) :
	    json_pack("{s:[], s:[]}", "destinations", "exposure");
	json_decref(l);
	return o;
}

json_t *
qi_endpoint_ips(struct store *st)
{
	sqlite3_stmt *q = prep(store_db(st), "SELECT ip FROM endpoints ORDER BY ip");
	json_t *a = json_array();

	if (q == NULL) {
		json_decref(a);
		return NULL;
	}
	while (sqlite3_step(q) == SQLITE_ROW)
		json_array_append_new(a, col_str(q, 0));
	sqlite3_finalize(q);
	return a;
}
