/*
 * q_events.c - reading events and the learning period (see events.h).
 *
 * Works on a read-only store (the CLI) as on the daemon's: statements are
 * prepared per call.  Each event becomes the JSON object docs/JSON.md
 * describes; the CLI, the export and the forwarder all take that one
 * shape, so they cannot drift apart.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "strcut.h"
#include "obs.h"
#include "store_int.h"
#include "sql_frag.h"

enum {
	C_ID, C_TS, C_KIND, C_ASSET, C_DETAIL, C_SEV, C_BASELINE, C_FIELD, C_OLD, C_NEW,
	C_PROTO, C_OP, C_CLI_ID, C_CLI_IP, C_CLI_MAC, C_SRV_ID, C_SRV_IP, C_SRV_MAC,
	C_COUNT, C_RESP, C_FAILED, C_LAST_TS, C_ASSET_MAC, C_ASSET_IP
};

static const char events_sql[] =
    "SELECT e.id, e.ts, e.kind, e.asset_id, e.detail, e.severity, e.baseline, e.field, "
    "e.old_value, e.new_value, e.protocol, e.operation, e.client_id, e.client_ip, e.client_mac, "
    "e.server_id, e.server_ip, e.server_mac, e.count, e.responses, e.failed, e.last_ts, a.mac, "
    SQL_CURRENT_IP("a") " "
    "FROM events e LEFT JOIN assets a ON a.id = e.asset_id "
    "WHERE e.id > ?1 AND (?2 IS NULL OR instr(?2, ',' || e.kind || ',') > 0) AND e.ts >= ?3 AND "
    "(?4 = 0 OR e.asset_id = ?4 OR e.client_id = ?4 OR e.server_id = ?4) AND "
    "(?5 = 0 OR e.baseline = 0) ORDER BY e.id LIMIT ?6";

/* Text from the database as a JSON string; NULL and "" give null. */
static json_t *
jtext_col(sqlite3_stmt *q, int col)
{
	const char *s = (const char *)sqlite3_column_text(q, col);
	size_t n = (size_t)sqlite3_column_bytes(q, col);
	char buf[2048];
	json_t *j;

	if (s == NULL || n == 0)
		return json_null();
	if ((j = json_stringn(s, n)) != NULL)
		return j;
	/* not UTF-8 (a database written by something else): escaped, never dropped */
	obs_sanitize(s, n, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *
jiso(long long t)
{
	char buf[32];
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL)
		return json_null();
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

static json_t *
jid(sqlite3_stmt *q, int col)
{
	return sqlite3_column_type(q, col) == SQLITE_NULL ? json_null() :
	    json_integer(sqlite3_column_int64(q, col));
}

static json_t *
party(sqlite3_stmt *q, int id, int ip, int mac)
{
	return json_pack("{s:o, s:o, s:o}", "id", jid(q, id), "ip", jtext_col(q, ip),
	    "mac", jtext_col(q, mac));
}

static const char *
outcome(long long responses, long long failed)
{
	return failed > 0 ? "failed" : responses > 0 ? "ok" : "unknown";
}

static json_t *
event_json(sqlite3_stmt *q)
{
	const char *kind = (const char *)sqlite3_column_text(q, C_KIND);
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(sqlite3_column_int64(q, C_ID)));
	json_object_set_new(o, "ts", jiso(sqlite3_column_int64(q, C_TS)));
	json_object_set_new(o, "kind", jtext_col(q, C_KIND));
	json_object_set_new(o, "asset", jid(q, C_ASSET));
	json_object_set_new(o, "asset_mac", jtext_col(q, C_ASSET_MAC));
	json_object_set_new(o, "asset_ip", jtext_col(q, C_ASSET_IP));
	json_object_set_new(o, "severity", json_integer(sqlite3_column_int(q, C_SEV)));
	json_object_set_new(o, "baseline", json_boolean(sqlite3_column_int(q, C_BASELINE)));
	json_object_set_new(o, "detail", jtext_col(q, C_DETAIL));
	if (kind && strcmp(kind, "operation") == 0) {
		long long resp = sqlite3_column_int64(q, C_RESP), failed = sqlite3_column_int64(q, C_FAILED);

		json_object_set_new(o, "protocol", jtext_col(q, C_PROTO));
		json_object_set_new(o, "operation", jtext_col(q, C_OP));
		json_object_set_new(o, "client", party(q, C_CLI_ID, C_CLI_IP, C_CLI_MAC));
		json_object_set_new(o, "server", party(q, C_SRV_ID, C_SRV_IP, C_SRV_MAC));
		json_object_set_new(o, "outcome", json_string(outcome(resp, failed)));
		json_object_set_new(o, "count", json_integer(sqlite3_column_int64(q, C_COUNT)));
		json_object_set_new(o, "responses", json_integer(resp));
		json_object_set_new(o, "failed", json_integer(failed));
		json_object_set_new(o, "last_ts", jiso(sqlite3_column_int64(q, C_LAST_TS)));
	} else {
		json_object_set_new(o, "field", jtext_col(q, C_FIELD));
		json_object_set_new(o, "old", jtext_col(q, C_OLD));
		json_object_set_new(o, "new", jtext_col(q, C_NEW));
	}
	return o;
}

/* The kinds of a mask as ",operation,asset_new,": what the query's instr() looks in. */
static void
kind_list(uint32_t mask, char *out, size_t outsz)
{
	size_t len = 0;

	out[len++] = ',';
	out[len] = '\0';
	for (int k = 0; k < EV_KIND_COUNT; k++)
		if (mask & (1u << k))
			len += (size_t)snprintf(out + len, outsz - len, "%s,", ev_kind_name((enum ev_kind)k));
}

long
store_events(struct store *s, const struct event_filter *f, int (*cb)(void *arg, json_t *ev),
    void *arg, int *sqlite_rc)
{
	sqlite3_stmt *q;
	char kinds[EV_KIND_COUNT * 24 + 2];
	long n = 0;
	int rc;

	if (sqlite_rc)
		*sqlite_rc = SQLITE_OK;
	if ((rc = sqlite3_prepare_v2(s->db, events_sql, -1, &q, NULL)) != SQLITE_OK) {
		st_error(s, "reading events");
		if (sqlite_rc)
			*sqlite_rc = rc;
		return -1;
	}
	sqlite3_bind_int64(q, 1, f->after_id);
	if (f->kinds) {
		kind_list(f->kinds, kinds, sizeof(kinds));
		sqlite3_bind_text(q, 2, kinds, -1, SQLITE_STATIC);
	}
	sqlite3_bind_int64(q, 3, f->since);
	sqlite3_bind_int64(q, 4, f->asset);
	sqlite3_bind_int(q, 5, f->alerts_only);
	sqlite3_bind_int64(q, 6, f->limit ? (long long)f->limit : -1);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		n++;
		if (cb(arg, event_json(q)) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE) {
		st_error(s, "reading events");
		n = -1;
		if (sqlite_rc)
			*sqlite_rc = rc;
	}
	sqlite3_finalize(q);
	return n;
}

static long long
scalar(struct store *s, const char *sql, const char *arg)
{
	sqlite3_stmt *q;
	long long v = -1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	if (arg)
		sqlite3_bind_text(q, 1, arg, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	else if (arg)
		v = 0;		/* no such meta key */
	sqlite3_finalize(q);
	return v;
}

long long
store_events_last_id(struct store *s)
{
	return scalar(s, "SELECT coalesce(max(id), 0) FROM events", NULL);
}

static long long
meta(struct store *s, const char *key)
{
	return scalar(s, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?1", key);
}

int
store_baseline_info(struct store *s, long long learning_s, struct baseline_info *out)
{
	memset(out, 0, sizeof(*out));
	out->start = meta(s, "baseline_start");
	out->end = meta(s, "baseline_end");
	out->accepted = meta(s, "baseline_accepted");
	out->baseline_events = scalar(s, "SELECT count(*) FROM events WHERE baseline = 1", NULL);
	out->alert_events = scalar(s, "SELECT count(*) FROM events WHERE baseline = 0", NULL);
	if (out->start < 0 || out->end < 0 || out->baseline_events < 0 || out->alert_events < 0) {
		st_error(s, "reading the baseline");
		return -1;
	}
	out->learning = out->end == 0 && learning_s > 0;
	if (out->learning && out->start)
		out->end = out->start + learning_s;
	return 0;
}

int
store_baseline_accept(struct store *s, long long now)
{
	static const char sql[] =
	    "BEGIN IMMEDIATE;"
	    "INSERT INTO meta (key, value) VALUES ('baseline_end', "
	    "  coalesce((SELECT max(last_seen) FROM assets), ?1)) "
	    "  ON CONFLICT (key) DO UPDATE SET value = excluded.value;"
	    "INSERT INTO meta (key, value) VALUES ('baseline_accepted', ?1) "
	    "  ON CONFLICT (key) DO UPDATE SET value = excluded.value;"
	    "COMMIT;";
	const char *tail = sql;

	if (s->mode != STORE_RW) {
		str_cutf(s->errmsg, sizeof(s->errmsg), "%s: accepting the baseline needs the database "
		    "open for writing", s->path);
		return -1;
	}
	while (tail && *tail) {
		sqlite3_stmt *q;
		int rc;

		if (sqlite3_prepare_v2(s->db, tail, -1, &q, &tail) != SQLITE_OK) {
			st_error(s, "accepting the baseline");
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		if (q == NULL)
			break;
		if (sqlite3_bind_parameter_count(q) > 0)
			sqlite3_bind_int64(q, 1, now);
		rc = sqlite3_step(q);
		sqlite3_finalize(q);
		if (rc != SQLITE_DONE) {
			st_error(s, "accepting the baseline");
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	}
	return 0;
}
