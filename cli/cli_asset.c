/*
 * cli_asset.c - read assets out of the store as the JSON objects that
 * `list --json` and `show --json` print (documented in docs/JSON.md); the
 * table and CSV writers print from the same objects, so every format shows
 * the same data.
 *
 * The resolved view of an asset takes, per attribute, the best evidence:
 * highest confidence, then most sightings, then most recent.  Roles are
 * every role stated; protocols every application protocol the asset
 * serves (services) or uses (conversations as the client), "unknown" left
 * out.
 */
#include <string.h>
#include <strings.h>

#include <sqlite3.h>

#include "annotate.h"
#include "category.h"
#include "cli.h"
#include "cli_sql.h"
#include "units.h"

struct areader {
	struct cli	*cli;
	sqlite3_stmt	*ips, *ev, *svc, *cproto, *peers, *addrs, *risk;
};

/* Resolved attributes, in the order of the JSON keys. */
static const char *const resolved_attrs[] = {
	"vendor", "model", "firmware", "serial", "hostname", "os", NULL
};

static void
reader_init(struct areader *r, struct cli *cli, bool detail)
{
	memset(r, 0, sizeof(*r));
	r->cli = cli;
	r->ips = q_prep(cli, SQL_ASSET_IPS);
	r->ev = q_prep(cli, SQL_ASSET_EVIDENCE);
	r->svc = q_prep(cli, SQL_ASSET_SERVICES);
	r->cproto = q_prep(cli, SQL_ASSET_CLIENT_PROTOS);
	if (SQL_HAS_RISK(cli))
		r->risk = q_prep(cli, SQL_ASSET_RISK);
	if (detail) {
		r->peers = q_prep(cli, SQL_ASSET_PEERS);
		r->addrs = q_prep(cli, SQL_ASSET_ADDRS);
	}
}

static void
reader_free(struct areader *r)
{
	q_done(r->ips);
	q_done(r->ev);
	q_done(r->svc);
	q_done(r->cproto);
	q_done(r->peers);
	q_done(r->addrs);
	q_done(r->risk);
}

static sqlite3_stmt *
bound(sqlite3_stmt *st, int64_t id)
{
	if (st) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
	}
	return st;
}

static json_t *
col_str(sqlite3_stmt *st, int col)
{
	size_t len;
	const char *s = q_text(st, col, &len);

	return s ? jstrn(s, len) : json_null();
}

static void
add_unique(json_t *arr, const char *s, size_t len)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
		if (strlen(json_string_value(v)) == len &&
		    memcmp(json_string_value(v), s, len) == 0)
			return;
	json_array_append_new(arr, jstrn(s, len));
}

/*
 * Layer-2 protocols have no service or conversation: an asset speaks
 * PROFINET DCP or GOOSE when its evidence came from their messages.
 */
static void
add_l2_protocol(json_t *o, const char *source)
{
	static const char *const l2[] = { "pn_dcp", "goose", NULL };

	for (size_t i = 0; source && l2[i]; i++) {
		size_t n = strlen(l2[i]);

		if (strncmp(source, l2[i], n) == 0 && (source[n] == '/' || source[n] == '\0'))
			add_unique(json_object_get(o, "protocols"), l2[i], n);
	}
}

/*
 * Evidence rows come ordered by attribute, then best first, so the first
 * row of each attribute is the resolved value.
 */
static void
add_evidence(struct areader *r, json_t *o, int64_t id, bool detail)
{
	sqlite3_stmt *st = bound(r->ev, id);
	json_t *roles = json_object_get(o, "roles");
	json_t *evs = detail ? json_array() : NULL;

	while (q_step(r->cli, st)) {
		const char *attr = (const char *)sqlite3_column_text(st, 0);
		size_t vlen;
		const char *val = q_text(st, 1, &vlen);

		if (attr == NULL || val == NULL)
			continue;
		for (size_t i = 0; resolved_attrs[i]; i++)
			if (strcmp(attr, resolved_attrs[i]) == 0 &&
			    json_is_null(json_object_get(o, attr)))
				json_object_set_new(o, attr, jstrn(val, vlen));
		if (strcmp(attr, "role") == 0)
			add_unique(roles, val, vlen);
		add_l2_protocol(o, (const char *)sqlite3_column_text(st, 2));
		if (evs)
			json_array_append_new(evs, json_pack("{s:o s:o s:o s:I s:o s:o s:I}",
			    "attribute", jstr(attr),
			    "value", jstrn(val, vlen),
			    "source", col_str(st, 2),
			    "confidence", (json_int_t)sqlite3_column_int64(st, 3),
			    "first_seen", jtime(sql_time(st, 4)),
			    "last_seen", jtime(sql_time(st, 5)),
			    "count", (json_int_t)sqlite3_column_int64(st, 6)));
	}
	if (evs)
		json_object_set_new(o, "evidence", evs);
}

static void
add_services(struct areader *r, json_t *o, int64_t id, bool detail)
{
	sqlite3_stmt *st = bound(r->svc, id);
	json_t *protos = json_object_get(o, "protocols");
	json_t *svcs = detail ? json_array() : NULL;

	while (q_step(r->cli, st)) {
		size_t plen;
		const char *proto = q_text(st, 2, &plen);

		if (proto && plen && strcmp(proto, "unknown") != 0)
			add_unique(protos, proto, plen);
		if (svcs)
			json_array_append_new(svcs, json_pack("{s:o s:I s:o s:o s:o s:o}",
			    "transport", col_str(st, 0),
			    "port", (json_int_t)sqlite3_column_int64(st, 1),
			    "protocol", col_str(st, 2),
			    "role", col_str(st, 3),
			    "first_seen", jtime(sql_time(st, 4)),
			    "last_seen", jtime(sql_time(st, 5))));
	}
	if (svcs)
		json_object_set_new(o, "services", svcs);
	st = bound(r->cproto, id);
	while (q_step(r->cli, st)) {
		size_t plen;
		const char *proto = q_text(st, 0, &plen);

		if (proto && plen && strcmp(proto, "unknown") != 0)
			add_unique(protos, proto, plen);
	}
}

static void
add_peers(struct areader *r, json_t *o, int64_t id)
{
	sqlite3_stmt *st = bound(r->peers, id);
	json_t *peers = json_array();

	if (st)
		sqlite3_bind_int64(st, 2, id);
	while (q_step(r->cli, st))
		json_array_append_new(peers, json_pack("{s:I s:o s:o s:s s:o s:I s:o s:I s:I s:o s:o}",
		    "id", (json_int_t)sqlite3_column_int64(st, 0),
		    "mac", col_str(st, 1),
		    "ip", col_str(st, 2),
		    "direction", sqlite3_column_int(st, 3) ? "server" : "client",
		    "transport", col_str(st, 4),
		    "port", (json_int_t)sqlite3_column_int64(st, 5),
		    "protocol", col_str(st, 6),
		    "packets", (json_int_t)sqlite3_column_int64(st, 7),
		    "bytes", (json_int_t)sqlite3_column_int64(st, 8),
		    "first_seen", jtime(sql_time(st, 9)),
		    "last_seen", jtime(sql_time(st, 10))));
	json_object_set_new(o, "peers", peers);
}

static void
add_addresses(struct areader *r, json_t *o, int64_t id)
{
	sqlite3_stmt *st = bound(r->addrs, id);
	json_t *a = json_array();

	while (q_step(r->cli, st))
		json_array_append_new(a, json_pack("{s:o s:o s:o s:o}",
		    "ip", col_str(st, 0),
		    "source", col_str(st, 1),
		    "first_seen", jtime(sql_time(st, 2)),
		    "last_seen", jtime(sql_time(st, 3))));
	json_object_set_new(o, "addresses", a);
}

/*
 * The risk engine's verdict (ident/risk.h): reasons[] are the sentences;
 * the stored detail (source, value, rule of each reason) is kept in
 * risk.details.  No row yet: "unknown" with no reasons.
 */
static json_t *
risk_of(struct areader *r, int64_t id)
{
	sqlite3_stmt *st = bound(r->risk, id);
	json_t *o = json_pack("{s:s s:[]}", "level", "unknown", "reasons");
	json_t *reasons = json_object_get(o, "reasons"), *details, *d;
	const char *s;
	size_t len, i;

	if (!q_step(r->cli, st))
		return o;
	if ((s = q_text(st, 0, &len)) != NULL && len > 0)
		json_object_set_new(o, "level", jstrn(s, len));
	if ((s = q_text(st, 1, &len)) != NULL &&
	    (details = json_loadb(s, len, 0, NULL)) != NULL) {
		if (json_is_array(details)) {
			json_array_foreach(details, i, d) {
				if (json_is_string(d))
					json_array_append(reasons, d);
				else if (json_is_string(json_object_get(d, "text")))
					json_array_append(reasons, json_object_get(d, "text"));
			}
			json_object_set(o, "details", details);
		}
		json_decref(details);
	} else if (s != NULL && len > 0)
		json_array_append_new(reasons, jstrn(s, len));	/* plain text */
	json_object_set_new(o, "vendor", col_str(st, 2));
	json_object_set_new(o, "country", col_str(st, 3));
	json_object_set_new(o, "accepted", col_str(st, 4));
	return o;
}

/* One asset from the current row of an SQL_ASSETS statement. */
static json_t *
asset_from_row(struct areader *r, sqlite3_stmt *row, bool detail)
{
	int64_t id = sqlite3_column_int64(row, 0);
	sqlite3_stmt *st;
	json_t *o, *ips;

	o = json_pack("{s:I s:o s:[] s:n s:n s:n s:n s:n s:n s:[] s:[] s:n s:o s:o}",
	    "id", (json_int_t)id,
	    "mac", col_str(row, 1),
	    "ips",
	    "vendor", "model", "firmware", "serial", "hostname", "os",
	    "roles", "protocols", "risk",
	    "first_seen", jtime(sql_time(row, 2)),
	    "last_seen", jtime(sql_time(row, 3)));
	ips = json_object_get(o, "ips");
	st = bound(r->ips, id);
	while (q_step(r->cli, st)) {
		size_t len;
		const char *ip = q_text(st, 0, &len);

		if (ip)
			add_unique(ips, ip, len);
	}
	{
		size_t len;
		const char *kip = q_text(row, 7, &len);	/* IP-keyed asset */
		json_t *behind = unit_link(r->cli->db, id);	/* a Modbus unit behind a gateway */

		if (behind) {
			const char *gip = json_string_value(json_object_get(behind, "ip"));

			if (gip)
				add_unique(ips, gip, strlen(gip));
			json_object_set_new(o, "behind", behind);
		} else if (kip)
			add_unique(ips, kip, len);
	}
	add_evidence(r, o, id, detail);
	add_services(r, o, id, detail);
	json_object_set_new(o, "risk", risk_of(r, id));
	json_object_set_new(o, "category", col_str(row, 10));
	if (json_is_null(json_object_get(o, "category")))
		json_object_set_new(o, "category", json_string("unknown"));
	json_object_set_new(o, "category_reason", col_str(row, 11));
	{
		json_t *ann = annotation_get(r->cli->db, id);

		json_object_set_new(o, "annotation", ann ? ann : json_null());
	}
	/* Extra keys: consumers must ignore keys they do not know. */
	json_object_set_new(o, "oui_vendor", col_str(row, 4));
	json_object_set_new(o, "oui_country", col_str(row, 8));
	json_object_set_new(o, "vlan", json_integer(sqlite3_column_int64(row, 9)));
	json_object_set_new(o, "mac_local", json_boolean(sqlite3_column_int(row, 5)));
	json_object_set_new(o, "gateway", json_boolean(sqlite3_column_int(row, 6)));
	/* The maker as the vendor table names it; what the device or the IEEE said is evidence. */
	if (jtext(json_object_get(o, "risk"), "vendor"))
		json_object_set(o, "vendor", json_object_get(json_object_get(o, "risk"), "vendor"));
	else if (json_is_null(json_object_get(o, "vendor")) && !json_is_null(json_object_get(o, "oui_vendor")))
		json_object_set(o, "vendor", json_object_get(o, "oui_vendor"));
	if (json_is_true(json_object_get(o, "gateway")))
		add_unique(json_object_get(o, "roles"), "gateway", 7);
	if (detail) {
		/* Detail keys after the list keys, in the documented order. */
		static const char *const last[] = { "evidence", "services", NULL };

		for (size_t i = 0; last[i]; i++) {
			json_t *v = json_incref(json_object_get(o, last[i]));

			json_object_del(o, last[i]);
			json_object_set_new(o, last[i], v);
		}
		add_addresses(r, o, id);
		add_peers(r, o, id);
		json_object_set_new(o, "units", units_of_gateway(r->cli->db, id));
	}
	return o;
}

/* --- filters ------------------------------------------------------------- */

bool
asset_matches(json_t *a, const struct asset_filter *f)
{
	if (f == NULL)
		return true;
	if (f->vendor.n && !set_contains(&f->vendor, jtext(a, "vendor")) &&
	    !set_contains(&f->vendor, jtext(a, "oui_vendor")))
		return false;
	if (!set_has_any(&f->proto, json_object_get(a, "protocols")) ||
	    !set_has_any(&f->role, json_object_get(a, "roles")) ||
	    !set_has(&f->risk, jtext(json_object_get(a, "risk"), "level")) ||
	    !nets_match_any(&f->nets, json_object_get(a, "ips")))
		return false;
	if (f->category.n && !set_has(&f->category, jtext(a, "category")))
		return false;
	if (f->asset && json_integer_value(json_object_get(a, "id")) != f->asset)
		return false;
	if (f->has_since) {
		json_t *ls = json_object_get(a, "last_seen");
		int64_t t;

		if (!json_is_string(ls) || !parse_since(json_string_value(ls), 0, &t) ||
		    t < f->since)
			return false;
	}
	return true;
}

json_t *
assets_json(struct cli *cli, const struct asset_filter *f, bool detail)
{
	struct areader r;
	sqlite3_stmt *st;
	json_t *arr = json_array();

	reader_init(&r, cli, detail);
	st = q_prep(cli, SQL_ASSETS);
	while (q_step(cli, st)) {
		json_t *a = asset_from_row(&r, st, detail);

		if (asset_matches(a, f))
			json_array_append_new(arr, a);
		else
			json_decref(a);
	}
	q_done(st);
	reader_free(&r);
	if (cli_db_failed(cli)) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

json_t *
asset_json(struct cli *cli, int64_t id, bool detail)
{
	struct areader r;
	sqlite3_stmt *st;
	json_t *a = NULL;

	reader_init(&r, cli, detail);
	if ((st = q_prep(cli, SQL_ASSET_BY_ID)) != NULL) {
		sqlite3_bind_int64(st, 1, id);
		if (q_step(cli, st))
			a = asset_from_row(&r, st, detail);
	}
	q_done(st);
	reader_free(&r);
	if (cli_db_failed(cli)) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/* "42", "192.168.1.40", "00:1b:1b:23:eb:3b": the asset id, 0 if none. */
int64_t
asset_lookup(struct cli *cli, const char *key)
{
	sqlite3_stmt *st;
	const char *sql;
	int64_t id = 0;
	char *end;
	uint8_t mac[6];
	char macs[MAC_STRLEN], ips[IP_STRLEN];
	struct ipaddr ip;

	if (*key >= '0' && *key <= '9' && (strtoll(key, &end, 10), *end == '\0')) {
		sql = SQL_LOOKUP_ID;
	} else if (mac_parse(key, mac)) {
		mac_fmt(mac, macs);
		key = macs;
		sql = SQL_LOOKUP_MAC;
	} else if (ip_parse(key, &ip)) {
		ip_fmt(&ip, ips);
		key = ips;
		sql = SQL_LOOKUP_IP;
	} else
		return -1;
	if ((st = q_prep(cli, sql)) == NULL)
		return 0;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	if (q_step(cli, st))
		id = sqlite3_column_int64(st, 0);
	q_done(st);
	return id;
}
