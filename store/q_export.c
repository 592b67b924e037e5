/*
 * q_export.c - the records and cursor of the SOC export (q_export.h).
 *
 * Each query sits next to the code that binds and reads it.  An asset's
 * attributes are resolved as everywhere else: the evidence with the best
 * confidence, then count, then recency.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "annotate.h"
#include "category.h"
#include "q_export.h"
#include "sql_frag.h"
#include "sw_limits.h"
#include "store_int.h"
#include "utf8.h"

const char *const export_rtype_names[EXPORT_R_NTYPES] = {
	"asset", "service", "conversation", "event"
};

struct store_export {
	struct store	*st;
	sqlite3		*db;
	bool		 own_txn;	/* the snapshot is a transaction we began */
	char		 errbuf[256];	/* a database error, "" if none */
	sqlite3_stmt	*attr_q, *ips_q, *roles_q, *protos_q, *risk_q, *asset_q;
};

static void
rec_free(struct export_rec *r)
{
	char **strs[] = { &r->mac, &r->ip, &r->hostname, &r->os, &r->vendor, &r->oui_vendor,
	    &r->oui_country, &r->model, &r->firmware, &r->serial, &r->hardware, &r->device_type,
	    &r->category, &r->category_reason, &r->ann_name, &r->ann_zone, &r->ann_crit, &r->ann_note,
	    &r->risk_level, &r->risk_vendor, &r->risk_country, &r->accepted, &r->transport,
	    &r->protocol, &r->role, &r->peer_mac, &r->peer_ip, &r->kind, &r->detail, &r->field,
	    &r->old_value, &r->new_value, &r->operation, &r->outcome, &r->client_mac, &r->client_ip,
	    &r->ext_country, &r->ext_as_name, &r->ext_owner };

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		free(*strs[i]);
	json_decref(r->ips);
	json_decref(r->roles);
	json_decref(r->protocols);
	json_decref(r->reasons);
	json_decref(r->ext_names);
	memset(r, 0, sizeof(*r));
}


static char *
col_clean(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	return utf8_clean((const char *)sqlite3_column_text(st, i),
	    (size_t)sqlite3_column_bytes(st, i));
}

static sqlite3_stmt *
prep(struct store_export *c, const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(c->errbuf, sizeof(c->errbuf), "%s", sqlite3_errmsg(c->db));
		return NULL;
	}
	return st;
}

/* A string column of every row of st (bound by the caller), as a JSON array. */
static json_t *
col_list(sqlite3_stmt *st)
{
	json_t *a = json_array();
	char *s;

	while (sqlite3_step(st) == SQLITE_ROW)
		if ((s = col_clean(st, 0)) != NULL) {
			if (*s)
				json_array_append_new(a, json_string(s));
			free(s);
		}
	sqlite3_reset(st);
	return a;
}

/* The resolved value of an attribute: best confidence, count, recency. */
static char *
best(struct store_export *c, int64_t id, const char *attr)
{
	char *v = NULL;

	sqlite3_bind_int64(c->attr_q, 1, id);
	sqlite3_bind_text(c->attr_q, 2, attr, -1, SQLITE_STATIC);
	if (sqlite3_step(c->attr_q) == SQLITE_ROW)
		v = col_clean(c->attr_q, 0);
	sqlite3_reset(c->attr_q);
	return v;
}

static json_t *
reason_texts(const char *reason_json)
{
	json_t *arr = json_array(), *r = reason_json ? json_loads(reason_json, 0, NULL) : NULL;
	json_t *it;
	size_t i;

	json_array_foreach(r, i, it) {
		json_t *t = json_is_object(it) ? json_object_get(it, "text") : it;

		if (json_is_string(t))
			json_array_append_new(arr, json_string(json_string_value(t)));
	}
	json_decref(r);
	return arr;
}

/* A CIP device type by its ODVA name: "Communications Adapter", not "cip:12". */
static void
name_device_type(char **dt)
{
	char *end;
	unsigned long code;
	const char *name;

	if (*dt == NULL || strncmp(*dt, "cip:", 4) != 0)
		return;
	code = strtoul(*dt + 4, &end, 10);
	if (*end != '\0' || (name = cip_device_type_name((unsigned)code)) == NULL)
		return;
	free(*dt);
	*dt = strdup(name);
}

/* The operator's annotation (store/annotate.h), sanitised like the rest. */
static void
load_annotation(struct store_export *c, int64_t id, struct export_rec *r)
{
	json_t *a = annotation_get(c->st, id);
	char **dst[] = { &r->ann_name, &r->ann_zone, &r->ann_crit, &r->ann_note };
	static const char *const keys[] = { "name", "zone", "criticality", "note" };

	for (size_t i = 0; json_is_object(a) && i < 4; i++) {
		const char *v = json_string_value(json_object_get(a, keys[i]));

		if (v)
			*dst[i] = strdup(v);
	}
	json_decref(a);
}

/* Fill the asset part of r from the database. */
static void
load_asset(struct store_export *c, int64_t id, struct export_rec *r)
{
	sqlite3_stmt *q;
	char *reason;

	r->asset_id = id;
	q = c->asset_q;
	sqlite3_bind_int64(q, 1, id);
	if (sqlite3_step(q) == SQLITE_ROW) {
		r->mac = col_clean(q, 0);
		r->first = sqlite3_column_int64(q, 1);
		r->last = sqlite3_column_int64(q, 2);
		r->oui_vendor = col_clean(q, 3);
		r->oui_country = col_clean(q, 4);
		r->gateway = sqlite3_column_int64(q, 5);
		r->vlan = sqlite3_column_int64(q, 6);
		r->ip = col_clean(q, 7);	/* key_ip, replaced by the newest address */
		r->category = col_clean(q, 8);
		r->category_reason = col_clean(q, 9);
		if (r->ip && !ip_parse(r->ip, &(struct ipaddr){ 0 })) {
			free(r->ip);	/* a Modbus unit behind a gateway: no address of its own */
			r->ip = NULL;
		}
	}
	sqlite3_reset(q);
	sqlite3_bind_int64(c->ips_q, 1, id);
	r->ips = col_list(c->ips_q);
	if (json_array_size(r->ips) > 0) {
		free(r->ip);
		r->ip = strdup(json_string_value(json_array_get(r->ips, 0)));
	} else if (r->ip)
		json_array_append_new(r->ips, json_string(r->ip));
	r->hostname = best(c, id, "hostname");
	if (r->hostname == NULL)
		r->hostname = best(c, id, "device_name");
	r->os = best(c, id, "os");
	r->vendor = best(c, id, "vendor");
	r->model = best(c, id, "model");
	r->firmware = best(c, id, "firmware");
	r->serial = best(c, id, "serial");
	r->hardware = best(c, id, "hardware");
	r->device_type = best(c, id, "device_type");
	name_device_type(&r->device_type);
	sqlite3_bind_int64(c->roles_q, 1, id);
	r->roles = col_list(c->roles_q);
	sqlite3_bind_int64(c->protos_q, 1, id);
	sqlite3_bind_int64(c->protos_q, 2, id);
	r->protocols = col_list(c->protos_q);
	q = c->risk_q;
	sqlite3_bind_int64(q, 1, id);
	if (sqlite3_step(q) == SQLITE_ROW) {
		r->risk_level = col_clean(q, 0);
		r->risk_vendor = col_clean(q, 1);
		r->risk_country = col_clean(q, 2);
		reason = col_clean(q, 3);
		r->reasons = reason_texts(reason);
		free(reason);
		r->accepted = col_clean(q, 4);
	}
	sqlite3_reset(q);
	if (r->reasons == NULL)
		r->reasons = json_array();
	/* the maker as the vendor table names it; what the device said stays evidence */
	if (r->risk_vendor && *r->risk_vendor) {
		free(r->vendor);
		r->vendor = strdup(r->risk_vendor);
	}
	load_annotation(c, id, r);
	if (r->vendor == NULL && r->oui_vendor)
		r->vendor = strdup(r->oui_vendor);
}

static int
prepare_asset_queries(struct store_export *c)
{
	c->asset_q = prep(c, "SELECT mac, first_seen, last_seen, oui_vendor, oui_country, gateway, "
	    "vlan, key_ip, coalesce(category, 'unknown'), category_reason FROM assets WHERE id = ?1");
	c->attr_q = prep(c, "SELECT value FROM evidence WHERE asset_id = ?1 AND attribute = ?2 "
	    "ORDER BY confidence DESC, count DESC, last_seen DESC, value LIMIT 1");
	c->ips_q = prep(c, "SELECT ip FROM addresses WHERE asset_id = ?1 ORDER BY last_seen DESC, ip");
	c->roles_q = prep(c, "SELECT DISTINCT value FROM evidence WHERE asset_id = ?1 "
	    "AND attribute = 'role' ORDER BY value");
	c->protos_q = prep(c, "SELECT protocol FROM services WHERE asset_id = ?1 UNION "
	    "SELECT protocol FROM conversations WHERE client_id = ?2 "
	    "EXCEPT SELECT 'unknown' ORDER BY 1");
	c->risk_q = prep(c, "SELECT level, vendor, country, reason, accepted FROM risk "
	    "WHERE asset_id = ?1");
	if (c->asset_q && c->attr_q && c->ips_q && c->roles_q && c->protos_q && c->risk_q)
		return 0;
	return -1;
}

static void
finalize_asset_queries(struct store_export *c)
{
	sqlite3_finalize(c->asset_q);
	sqlite3_finalize(c->attr_q);
	sqlite3_finalize(c->ips_q);
	sqlite3_finalize(c->roles_q);
	sqlite3_finalize(c->protos_q);
	sqlite3_finalize(c->risk_q);
}

static void
set_err(char *err, size_t errsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
set_err(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errsz == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

/* A key that is not an address (a Modbus unit behind a gateway) is no IP. */
#define SQL_KEY_IP(k) "(CASE WHEN " k " GLOB 'modbus-unit:*' OR " k " GLOB '* unit *' " \
	"THEN NULL ELSE " k " END)"

static void
asset_row(struct store_export *c, sqlite3_stmt *q, struct export_rec *r)
{
	load_asset(c, sqlite3_column_int64(q, 0), r);
	r->ts = r->last;
}

static void
service_row(struct store_export *c, sqlite3_stmt *q, struct export_rec *r)
{
	(void)c;
	r->asset_id = sqlite3_column_int64(q, 0);
	r->mac = col_clean(q, 1);
	r->ip = col_clean(q, 2);
	r->transport = col_clean(q, 3);
	r->port = sqlite3_column_int64(q, 4);
	r->protocol = col_clean(q, 5);
	r->role = col_clean(q, 6);
	r->first = sqlite3_column_int64(q, 7);
	r->last = r->ts = sqlite3_column_int64(q, 8);
}

static void
conversation_row(struct store_export *c, sqlite3_stmt *q, struct export_rec *r)
{
	(void)c;
	r->asset_id = sqlite3_column_int64(q, 0);
	r->mac = col_clean(q, 1);
	r->ip = col_clean(q, 2);
	r->peer_id = sqlite3_column_int64(q, 3);
	r->peer_mac = col_clean(q, 4);
	r->peer_ip = col_clean(q, 5);
	r->transport = col_clean(q, 6);
	r->port = sqlite3_column_int64(q, 7);
	r->protocol = col_clean(q, 8);
	r->packets = sqlite3_column_int64(q, 9);
	r->bytes = sqlite3_column_int64(q, 10);
	r->first = sqlite3_column_int64(q, 11);
	r->last = r->ts = sqlite3_column_int64(q, 12);
}

/* A flow between an asset and an Internet endpoint (store/endpoints.c). */
static void
endpoint_row(struct store_export *c, sqlite3_stmt *q, struct export_rec *r)
{
	json_t *names = NULL;

	conversation_row(c, q, r);
	r->external = true;
	r->inbound = sqlite3_column_type(q, 13) != SQLITE_NULL &&
	    strcmp((const char *)sqlite3_column_text(q, 13), "in") == 0;
	r->ext_country = col_clean(q, 14);
	r->ext_asn = sqlite3_column_int64(q, 15);
	r->ext_as_name = col_clean(q, 16);
	r->ext_owner = col_clean(q, 17);
	if (sqlite3_column_type(q, 18) != SQLITE_NULL)
		names = json_loads((const char *)sqlite3_column_text(q, 18), 0, NULL);
	r->ext_names = json_is_array(names) ? names : json_array();
	if (names && !json_is_array(names))
		json_decref(names);
}

static void
event_row(struct store_export *c, sqlite3_stmt *q, struct export_rec *r)
{
	(void)c;
	r->event_id = sqlite3_column_int64(q, 0);
	r->ts = sqlite3_column_int64(q, 1);
	r->asset_id = sqlite3_column_int64(q, 2);
	r->kind = col_clean(q, 3);
	r->detail = col_clean(q, 4);
	r->mac = col_clean(q, 5);
	r->ip = col_clean(q, 6);
	if (r->kind == NULL)
		r->kind = strdup("");
	r->severity = sqlite3_column_int64(q, 7);
	r->baseline = sqlite3_column_int64(q, 8);
	r->field = col_clean(q, 9);
	r->old_value = col_clean(q, 10);
	r->new_value = col_clean(q, 11);
	r->protocol = col_clean(q, 12);
	r->operation = col_clean(q, 13);
	r->client_id = sqlite3_column_int64(q, 14);
	r->client_ip = col_clean(q, 15);
	r->client_mac = col_clean(q, 16);
	r->peer_id = sqlite3_column_int64(q, 17);
	r->peer_ip = col_clean(q, 18);
	r->peer_mac = col_clean(q, 19);
	r->count = sqlite3_column_int64(q, 20);
	r->responses = sqlite3_column_int64(q, 21);
	r->failed = sqlite3_column_int64(q, 22);
	r->first = r->ts;
	r->last = sqlite3_column_type(q, 23) == SQLITE_NULL ? r->ts : sqlite3_column_int64(q, 23);
	if (r->operation)	/* as docs/JSON.md: refused if any reply refused, else ok if one accepted */
		r->outcome = strdup(r->failed > 0 ? "failure" : r->responses > 0 ? "success" : "unknown");
}

/*
 * What one run writes, in this order: one query per record type, its
 * window bound by parameter name, each row decoded into a record.
 */
static const struct rec_query {
	enum export_rtype type;
	const char	*sql;
	void		(*row)(struct store_export *c, sqlite3_stmt *q, struct export_rec *r);
} rec_queries[] = {
	{ EXPORT_R_ASSET, "SELECT a.id FROM assets a WHERE a.last_seen > :t_lo "
	    "OR EXISTS (SELECT 1 FROM evidence e WHERE e.asset_id = a.id AND e.last_seen > :t_lo) "
	    "OR EXISTS (SELECT 1 FROM addresses d WHERE d.asset_id = a.id AND d.last_seen > :t_lo) "
	    "OR EXISTS (SELECT 1 FROM events v WHERE v.asset_id = a.id AND v.id > :e_lo "
	    "  AND v.id <= :e_hi AND v.ts >= :ev_ts_lo) ORDER BY a.id",
	    asset_row },
	{ EXPORT_R_SERVICE, "SELECT s.asset_id, a.mac, " SQL_CURRENT_IP_OR("a", SQL_KEY_IP("a.key_ip")) ", "
	    "s.transport, s.port, s.protocol, s.role, s.first_seen, s.last_seen "
	    "FROM services s JOIN assets a ON a.id = s.asset_id WHERE s.last_seen > :t_lo "
	    "ORDER BY s.asset_id, s.transport, s.port, s.protocol, s.role",
	    service_row },
	{ EXPORT_R_CONV, "SELECT c.client_id, ca.mac, " SQL_CURRENT_IP_OR("ca", SQL_KEY_IP("ca.key_ip")) ", "
	    "c.server_id, sa.mac, " SQL_CURRENT_IP_OR("sa", SQL_KEY_IP("sa.key_ip")) ", c.transport, c.port, "
	    "c.protocol, c.packets, c.bytes, c.first_seen, c.last_seen "
	    "FROM conversations c JOIN assets ca ON ca.id = c.client_id "
	    "JOIN assets sa ON sa.id = c.server_id WHERE c.last_seen > :t_lo "
	    "ORDER BY c.client_id, c.server_id, c.transport, c.port, c.protocol",
	    conversation_row },
	{ EXPORT_R_CONV, "SELECT f.asset_id, a.mac, " SQL_CURRENT_IP_OR("a", SQL_KEY_IP("a.key_ip")) ", "
	    "0, NULL, e.ip, f.transport, f.port, f.protocol, f.packets, f.bytes, f.first_seen, "
	    "f.last_seen, f.direction, e.country, e.asn, e.as_name, e.owner, "
	    "(SELECT json_group_array(name) FROM (SELECT name FROM dns_answers d WHERE d.address = e.ip "
	    "  AND d.asset_id = f.asset_id UNION SELECT name FROM endpoint_names n "
	    "  WHERE n.endpoint_id = e.id LIMIT 16)) "
	    "FROM endpoint_flows f JOIN endpoints e ON e.id = f.endpoint_id "
	    "JOIN assets a ON a.id = f.asset_id WHERE f.last_seen > :t_lo "
	    "ORDER BY f.asset_id, e.ip, f.direction, f.transport, f.port, f.protocol",
	    endpoint_row },
	{ EXPORT_R_EVENT, "SELECT v.id, v.ts, v.asset_id, v.kind, v.detail, a.mac, "
	    SQL_CURRENT_IP_OR("a", SQL_KEY_IP("a.key_ip")) ", v.severity, v.baseline, v.field, "
	    "v.old_value, v.new_value, v.protocol, v.operation, v.client_id, v.client_ip, v.client_mac, "
	    "v.server_id, v.server_ip, v.server_mac, v.count, v.responses, v.failed, v.last_ts "
	    "FROM events v LEFT JOIN assets a ON a.id = v.asset_id "
	    "WHERE v.id > :e_lo AND v.id <= :e_hi AND v.ts >= :ev_ts_lo ORDER BY v.id",
	    event_row },
};

/* Bind those of the window's bounds the query names. */
static void
bind_window(sqlite3_stmt *q, const struct export_range *w)
{
	const struct {
		const char	*name;
		int64_t		 v;
	} bound[] = {
		{ ":t_lo", w->t_lo }, { ":e_lo", w->e_lo },
		{ ":e_hi", w->e_hi }, { ":ev_ts_lo", w->ev_ts_lo },
	};
	int at;

	for (size_t i = 0; i < sizeof(bound) / sizeof(bound[0]); i++)
		if ((at = sqlite3_bind_parameter_index(q, bound[i].name)) > 0)
			sqlite3_bind_int64(q, at, bound[i].v);
}

static int
export_rows(struct store_export *c, const struct rec_query *rq, const struct export_range *w,
    int (*fn)(void *arg, const struct export_rec *r), void *arg, uint64_t *count)
{
	sqlite3_stmt *q = prep(c, rq->sql);
	int rc = 0, step = SQLITE_DONE;

	if (q == NULL)
		return -1;
	bind_window(q, w);
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		struct export_rec r = { .type = rq->type };

		rq->row(c, q, &r);
		rc = fn(arg, &r) != 0 ? 1 : 0;
		rec_free(&r);
		(*count)++;
	}
	if (rc == 0 && step != SQLITE_DONE) {
		snprintf(c->errbuf, sizeof(c->errbuf), "%s", sqlite3_errmsg(c->db));
		rc = -1;
	}
	sqlite3_finalize(q);
	return rc;
}

static int64_t
scalar(sqlite3 *db, const char *sql, bool *ok)
{
	sqlite3_stmt *q;
	int64_t v = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
		*ok = false;
		return 0;
	}
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	else
		*ok = false;
	sqlite3_finalize(q);
	return v;
}


/* The time high-water mark of the snapshot: the newest change of any state record. */
#define SQL_HIGH_WATER \
	"SELECT max(m) FROM (SELECT max(last_seen) AS m FROM assets " \
	"UNION ALL SELECT max(last_seen) FROM evidence UNION ALL SELECT max(last_seen) FROM addresses " \
	"UNION ALL SELECT max(last_seen) FROM services " \
	"UNION ALL SELECT max(last_seen) FROM conversations " \
	"UNION ALL SELECT max(last_seen) FROM endpoint_flows)"

struct store_export *
store_export_begin(struct store *st, char *err, size_t errsz)
{
	struct store_export *x = calloc(1, sizeof(*x));

	if (x == NULL) {
		set_err(err, errsz, "out of memory");
		return NULL;
	}
	x->st = st;
	x->db = st->db;
	x->own_txn = sqlite3_get_autocommit(x->db) != 0;
	if (x->own_txn && sqlite3_exec(x->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		set_err(err, errsz, "cannot begin a read transaction: %s", sqlite3_errmsg(x->db));
		free(x);
		return NULL;
	}
	return x;
}

int
store_export_marks(struct store_export *x, int64_t *t_high, int64_t *e_high, char *err,
    size_t errsz)
{
	bool ok = true;

	*t_high = scalar(x->db, SQL_HIGH_WATER, &ok);
	*e_high = scalar(x->db, "SELECT COALESCE(max(id), 0) FROM events", &ok);
	if (!ok) {
		set_err(err, errsz, "cannot read the database: %s", sqlite3_errmsg(x->db));
		return -1;
	}
	return 0;
}

int
store_export_records(struct store_export *x, const struct export_range *w,
    int (*fn)(void *arg, const struct export_rec *r), void *arg,
    uint64_t counts[EXPORT_R_NTYPES], char *err, size_t errsz)
{
	int rc = 0;

	x->errbuf[0] = '\0';
	if (prepare_asset_queries(x) != 0)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < sizeof(rec_queries) / sizeof(rec_queries[0]); i++)
		rc = export_rows(x, &rec_queries[i], w, fn, arg, &counts[rec_queries[i].type]);
	finalize_asset_queries(x);
	if (rc < 0)
		set_err(err, errsz, "cannot read the database: %s", x->errbuf);
	return rc;
}

void
store_export_end(struct store_export *x)
{
	if (x == NULL)
		return;
	if (x->own_txn && sqlite3_get_autocommit(x->db) == 0)
		sqlite3_exec(x->db, "COMMIT", NULL, NULL, NULL);
	free(x);
}

void
store_export_cursor_read(struct store *st, const char *key, struct export_cursor *cur)
{
	sqlite3_stmt *q;

	sqlite3 *db = st->db;

	memset(cur, 0, sizeof(*cur));
	cur->t = -1;
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?1", -1, &q, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0)) {
		long long t, e;
		char file[256] = "";

		if (sscanf((const char *)sqlite3_column_text(q, 0), "t=%lld e=%lld file=%255s",
		    &t, &e, file) >= 2) {
			cur->t = t;
			cur->e = e;
			snprintf(cur->file, sizeof(cur->file), "%s", file);
			cur->found = true;
		}
	}
	sqlite3_finalize(q);
}

static int
cursor_write(sqlite3 *db, const char *key, const struct export_cursor *cur, char *err, size_t errsz)
{
	sqlite3_stmt *q;
	char val[400];
	int rc;

	snprintf(val, sizeof(val), "t=%lld e=%lld file=%s", (long long)cur->t, (long long)cur->e,
	    cur->file);
	if (sqlite3_prepare_v2(db, "INSERT INTO meta (key, value) VALUES (?1, ?2) "
	    "ON CONFLICT(key) DO UPDATE SET value = excluded.value", -1, &q, NULL) != SQLITE_OK) {
		set_err(err, errsz, "cannot store the export cursor: %s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, val, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		set_err(err, errsz, "cannot store the export cursor: %s (the export file was "
		    "written; the next run exports the same records again)", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

int
store_export_cursor_write(struct store *st, const char *key, const struct export_cursor *c,
    char *err, size_t errsz)
{
	sqlite3 *rw;
	int rc;

	if (st->mode == STORE_RW)
		return cursor_write(st->db, key, c, err, errsz);
	/* a reader (the CLI) writes the one row through a connection of its own */
	if (sqlite3_open_v2(st->path, &rw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK) {
		set_err(err, errsz, "cannot open %s to store the export cursor: %s", st->path,
		    rw ? sqlite3_errmsg(rw) : "out of memory");
		sqlite3_close(rw);
		return -1;
	}
	sqlite3_busy_timeout(rw, EXPORT_CURSOR_BUSY_MS);
	rc = cursor_write(rw, key, c, err, errsz);
	sqlite3_close(rw);
	return rc;
}
