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

#include "annotate.h"
#include "category.h"
#include "cli.h"
#include "q_asset.h"
#include "units.h"

/* One listing's reader: the store's statements, and the object being filled. */
struct areader {
	struct cli		*cli;
	struct qa_reader	*q;
	bool			 detail;
	json_t			*o;		/* the asset */
	json_t			*list;		/* the array being filled */
	json_t			*rows;		/* detail: the evidence or services being read */
	const struct asset_filter *f;
};

/* Resolved attributes, in the order of the JSON keys. */
static const char *const resolved_attrs[] = {
	"vendor", "model", "firmware", "serial", "hostname", "os", NULL
};

static json_t *
text_json(struct qa_text t)
{
	return t.s ? jstrn(t.s, t.len) : json_null();
}

static bool
is_text(struct qa_text t, const char *s)
{
	return t.s && t.len == strlen(s) && memcmp(t.s, s, t.len) == 0;
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

static bool
read_ok(struct areader *r, int rc)
{
	return cli_db_check(r->cli, rc);
}

/*
 * Evidence rows come ordered by attribute, then best first, so the first
 * row of each attribute is the resolved value.
 */
static bool
on_evidence(void *arg, const struct qa_evidence *e)
{
	struct areader *r = arg;
	json_t *o = r->o;
	const char *attr = e->attribute.s;

	if (attr == NULL || e->value.s == NULL)
		return true;
	for (size_t i = 0; resolved_attrs[i]; i++)
		if (strcmp(attr, resolved_attrs[i]) == 0 && json_is_null(json_object_get(o, attr)))
			json_object_set_new(o, attr, jstrn(e->value.s, e->value.len));
	if (strcmp(attr, "role") == 0)
		add_unique(json_object_get(o, "roles"), e->value.s, e->value.len);
	add_l2_protocol(o, e->source.s);
	if (r->rows)
		json_array_append_new(r->rows, json_pack("{s:o s:o s:o s:I s:o s:o s:I}",
		    "attribute", jstr(attr),
		    "value", jstrn(e->value.s, e->value.len),
		    "source", text_json(e->source),
		    "confidence", (json_int_t)e->confidence,
		    "first_seen", jtime(e->first_seen),
		    "last_seen", jtime(e->last_seen),
		    "count", (json_int_t)e->count));
	return true;
}

static void
add_evidence(struct areader *r, int64_t id)
{
	r->rows = r->detail ? json_array() : NULL;
	read_ok(r, qa_evidence(r->q, id, on_evidence, r));
	if (r->rows)
		json_object_set_new(r->o, "evidence", r->rows);
	r->rows = NULL;
}

/* A protocol the asset serves or uses ("unknown" is no protocol). */
static bool
on_protocol(void *arg, struct qa_text proto)
{
	struct areader *r = arg;

	if (proto.s && proto.len && !is_text(proto, "unknown"))
		add_unique(json_object_get(r->o, "protocols"), proto.s, proto.len);
	return true;
}

static bool
on_service(void *arg, const struct qa_service *s)
{
	struct areader *r = arg;

	on_protocol(r, s->protocol);
	if (r->rows)
		json_array_append_new(r->rows, json_pack("{s:o s:I s:o s:o s:o s:o}",
		    "transport", text_json(s->transport),
		    "port", (json_int_t)s->port,
		    "protocol", text_json(s->protocol),
		    "role", text_json(s->role),
		    "first_seen", jtime(s->first_seen),
		    "last_seen", jtime(s->last_seen)));
	return true;
}

static void
add_services(struct areader *r, int64_t id)
{
	r->rows = r->detail ? json_array() : NULL;
	read_ok(r, qa_services(r->q, id, on_service, r));
	if (r->rows)
		json_object_set_new(r->o, "services", r->rows);
	r->rows = NULL;
	read_ok(r, qa_client_protocols(r->q, id, on_protocol, r));
}

static bool
on_peer(void *arg, const struct qa_peer *p)
{
	json_array_append_new(arg, json_pack("{s:I s:o s:o s:s s:o s:I s:o s:I s:I s:o s:o}",
	    "id", (json_int_t)p->id,
	    "mac", text_json(p->mac),
	    "ip", text_json(p->ip),
	    "direction", p->is_server ? "server" : "client",
	    "transport", text_json(p->transport),
	    "port", (json_int_t)p->port,
	    "protocol", text_json(p->protocol),
	    "packets", (json_int_t)p->packets,
	    "bytes", (json_int_t)p->bytes,
	    "first_seen", jtime(p->first_seen),
	    "last_seen", jtime(p->last_seen)));
	return true;
}

static bool
on_address(void *arg, const struct qa_address *a)
{
	json_array_append_new(arg, json_pack("{s:o s:o s:o s:o}",
	    "ip", text_json(a->ip),
	    "source", text_json(a->source),
	    "first_seen", jtime(a->first_seen),
	    "last_seen", jtime(a->last_seen)));
	return true;
}

static bool
on_ip(void *arg, struct qa_text ip)
{
	if (ip.s)
		add_unique(arg, ip.s, ip.len);
	return true;
}

/*
 * The risk engine's verdict (ident/risk.h): reasons[] are the sentences;
 * the stored detail (source, value, rule of each reason) is kept in
 * risk.details.  No row yet: "unknown" with no reasons.
 */
static json_t *
risk_of(struct areader *r, int64_t id)
{
	json_t *o = json_pack("{s:s s:[]}", "level", "unknown", "reasons");
	json_t *reasons = json_object_get(o, "reasons"), *details, *d;
	struct qa_risk v;
	bool found;
	size_t i;

	if (!read_ok(r, qa_risk(r->q, id, &v, &found)) || !found)
		return o;
	if (v.level.s != NULL && v.level.len > 0)
		json_object_set_new(o, "level", jstrn(v.level.s, v.level.len));
	if (v.reason.s != NULL && (details = json_loadb(v.reason.s, v.reason.len, 0, NULL)) != NULL) {
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
	} else if (v.reason.s != NULL && v.reason.len > 0)
		json_array_append_new(reasons, jstrn(v.reason.s, v.reason.len));	/* plain text */
	json_object_set_new(o, "vendor", text_json(v.vendor));
	json_object_set_new(o, "country", text_json(v.country));
	json_object_set_new(o, "accepted", text_json(v.accepted));
	return o;
}

/* The addresses: every one it had, current first; a unit behind a gateway shows the gateway's. */
static void
add_ips(struct areader *r, const struct qa_asset *a)
{
	json_t *ips = json_object_get(r->o, "ips");
	json_t *behind;

	read_ok(r, qa_ips(r->q, a->id, on_ip, ips));
	if ((behind = unit_link(r->cli->store, a->id)) != NULL) {	/* a Modbus unit */
		const char *gip = json_string_value(json_object_get(behind, "ip"));

		if (gip)
			add_unique(ips, gip, strlen(gip));
		json_object_set_new(r->o, "behind", behind);
	} else if (a->key_ip.s)					/* IP-keyed asset */
		add_unique(ips, a->key_ip.s, a->key_ip.len);
}

/* The detail keys of `show`, after the list keys, in the documented order. */
static void
add_detail(struct areader *r, int64_t id)
{
	static const char *const last[] = { "evidence", "services", NULL };
	json_t *o = r->o, *list;

	for (size_t i = 0; last[i]; i++) {
		json_t *v = json_incref(json_object_get(o, last[i]));

		json_object_del(o, last[i]);
		json_object_set_new(o, last[i], v);
	}
	list = json_array();
	read_ok(r, qa_addresses(r->q, id, on_address, list));
	json_object_set_new(o, "addresses", list);
	list = json_array();
	read_ok(r, qa_peers(r->q, id, on_peer, list));
	json_object_set_new(o, "peers", list);
	json_object_set_new(o, "units", units_of_gateway(r->cli->store, id));
}

/* One asset as `list --json` (and with detail `show --json`) prints it. */
static json_t *
asset_object(struct areader *r, const struct qa_asset *a)
{
	json_t *o, *ann;

	r->o = o = json_pack("{s:I s:o s:[] s:n s:n s:n s:n s:n s:n s:[] s:[] s:n s:o s:o}",
	    "id", (json_int_t)a->id,
	    "mac", text_json(a->mac),
	    "ips",
	    "vendor", "model", "firmware", "serial", "hostname", "os",
	    "roles", "protocols", "risk",
	    "first_seen", jtime(a->first_seen),
	    "last_seen", jtime(a->last_seen));
	add_ips(r, a);
	add_evidence(r, a->id);
	add_services(r, a->id);
	json_object_set_new(o, "risk", risk_of(r, a->id));
	json_object_set_new(o, "category", a->category.s ? text_json(a->category) :
	    json_string("unknown"));
	json_object_set_new(o, "category_reason", text_json(a->category_reason));
	ann = annotation_get(r->cli->store, a->id);
	json_object_set_new(o, "annotation", ann ? ann : json_null());
	/* Extra keys: consumers must ignore keys they do not know. */
	json_object_set_new(o, "oui_vendor", text_json(a->oui_vendor));
	json_object_set_new(o, "oui_country", text_json(a->oui_country));
	json_object_set_new(o, "vlan", json_integer(a->vlan));
	json_object_set_new(o, "mac_local", json_boolean(a->mac_local));
	json_object_set_new(o, "gateway", json_boolean(a->gateway));
	/* The maker as the vendor table names it; what the device or the IEEE said is evidence. */
	if (jtext(json_object_get(o, "risk"), "vendor"))
		json_object_set(o, "vendor", json_object_get(json_object_get(o, "risk"), "vendor"));
	else if (json_is_null(json_object_get(o, "vendor")) && !json_is_null(json_object_get(o, "oui_vendor")))
		json_object_set(o, "vendor", json_object_get(o, "oui_vendor"));
	if (a->gateway)
		add_unique(json_object_get(o, "roles"), "gateway", 7);
	if (r->detail)
		add_detail(r, a->id);
	r->o = NULL;
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

static bool
on_asset(void *arg, const struct qa_asset *row)
{
	struct areader *r = arg;
	json_t *a = asset_object(r, row);

	if (asset_matches(a, r->f))
		json_array_append_new(r->list, a);
	else
		json_decref(a);
	return !cli_db_failed(r->cli);
}

/* The assets matching f, or the asset `only` (> 0); NULL on a database error. */
static json_t *
read_assets(struct cli *cli, const struct asset_filter *f, bool detail, int64_t only)
{
	struct areader r = { .cli = cli, .detail = detail, .f = f, .list = json_array() };

	if (!cli_db_failed(cli) && cli_db_check(cli, qa_reader_open(cli->store, detail, &r.q)))
		cli_db_check(cli, qa_assets(r.q, only, on_asset, &r));
	qa_reader_close(r.q);
	if (cli_db_failed(cli)) {
		json_decref(r.list);
		return NULL;
	}
	return r.list;
}

json_t *
assets_json(struct cli *cli, const struct asset_filter *f, bool detail)
{
	return read_assets(cli, f, detail, 0);
}

json_t *
asset_json(struct cli *cli, int64_t id, bool detail)
{
	json_t *arr = read_assets(cli, NULL, detail, id), *a;

	if (arr == NULL)
		return NULL;
	a = json_incref(json_array_get(arr, 0));
	json_decref(arr);
	return a;
}

/* "42", "192.168.1.40", "00:1b:1b:23:eb:3b": the asset id, 0 if none. */
int64_t
asset_lookup(struct cli *cli, const char *key)
{
	enum qa_key by;
	int64_t id = 0;
	char *end;
	uint8_t mac[6];
	char macs[MAC_STRLEN], ips[IP_STRLEN];
	struct ipaddr ip;

	if (*key >= '0' && *key <= '9' && (strtoll(key, &end, 10), *end == '\0')) {
		by = QA_BY_ID;
	} else if (mac_parse(key, mac)) {
		mac_fmt(mac, macs);
		key = macs;
		by = QA_BY_MAC;
	} else if (ip_parse(key, &ip)) {
		ip_fmt(&ip, ips);
		key = ips;
		by = QA_BY_IP;
	} else
		return -1;
	if (cli_db_failed(cli) || !cli_db_check(cli, qa_lookup(cli->store, by, key, &id)))
		return 0;
	return id;
}
