/*
 * endpoints.c - the Internet side: what is outside the site, who runs it,
 * who in the plant talks to it, and what that adds to an asset's risk.
 *
 * - The site's networks ([site] networks; default RFC 1918, RFC 6598
 *   shared space, link-local, ULA) are the plant.  An address outside
 *   them, reached through a router (a MAC that also has a site address,
 *   or a promoted gateway) or seen without a MAC, is an endpoint: a row
 *   in `endpoints` with country and AS, not an asset.  A MAC-keyed host
 *   whose own address is public stays an asset (ingest.c decides).
 * - An outside address that serves an OT protocol to a local client is an
 *   asset all the same (a remote RTU on a cellular address).
 * - Who runs an endpoint is looked up once, when its row is created, in
 *   the store's flush path (libloc, ident/asinfo.c); the AS name goes
 *   through the vendor table like any maker's name.
 * - Passive DNS: the answers a device received (name=address), bounded at
 *   PDNS_MAX rows (the least recently seen go first, counted), so a later
 *   connection to the address is named.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "asinfo.h"
#include "endpoints.h"
#include "obs.h"
#include "risk.h"
#include "services.h"
#include "store_int.h"
#include "vendors.h"

static const char *const ep_sql[P_NSTMTS] = {
	[P_EP_GET] = "SELECT id FROM endpoints WHERE ip = ?1",
	[P_EP_INS] = "INSERT INTO endpoints (ip, first_seen, last_seen) VALUES (?1, ?2, ?2)",
	[P_EP_TOUCH] = "UPDATE endpoints SET first_seen = min(first_seen, ?2), "
	    "last_seen = max(last_seen, ?2) WHERE id = ?1",
	[P_EP_SET_AS] = "UPDATE endpoints SET country = ?2, asn = ?3, as_name = ?4, network = ?5, "
	    "owner = ?6, looked_up = 1 WHERE id = ?1",
	[P_FLOW] = "INSERT INTO endpoint_flows (asset_id, endpoint_id, direction, transport, port, "
	    "protocol, packets, bytes, first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9) "
	    "ON CONFLICT DO UPDATE SET packets = packets + excluded.packets, "
	    "bytes = bytes + excluded.bytes, first_seen = min(first_seen, excluded.first_seen), "
	    "last_seen = max(last_seen, excluded.last_seen)",
	[P_NAME] = "INSERT INTO endpoint_names (endpoint_id, name, source, asset_id, first_seen, last_seen) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT DO UPDATE SET count = count + 1, "
	    "first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)",
	[P_PDNS] = "INSERT INTO dns_answers (asset_id, name, address, first_seen, last_seen) "
	    "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT DO UPDATE SET count = count + 1, "
	    "first_seen = min(first_seen, excluded.first_seen), last_seen = max(last_seen, excluded.last_seen)",
	[P_PDNS_COUNT] = "SELECT count(*) FROM dns_answers",
	[P_PDNS_TRIM] = "DELETE FROM dns_answers WHERE rowid IN "
	    "(SELECT rowid FROM dns_answers ORDER BY last_seen LIMIT ?1)",
	[P_ASSET_ADDRS] = "SELECT ip FROM addresses WHERE asset_id = ?1",
	/* the names an asset asked for, from evidence */
	[P_NAMES_OF] = "SELECT attribute, value, source FROM evidence WHERE asset_id = ?1 AND "
	    "((attribute IN ('dns_query', 'dns_cname', 'dns_resolver')) OR "
	    "(attribute = 'tls_sni' AND source = 'tls/sni') OR "
	    "(attribute = 'http_host' AND source IN ('http/host', 'http/absolute_uri'))) "
	    "ORDER BY last_seen DESC LIMIT 256",
	/*
	 * An asset's endpoints, grouped in key order (no sort); ep_assess keeps the
	 * 64 with the most bytes (sum, column 9) itself, ties in this order, as
	 * ORDER BY sum(f.bytes) DESC LIMIT 64 would, without its temporary B-tree.
	 */
	[P_ENDPOINTS_OF] = "SELECT e.id, e.ip, coalesce(e.country, ''), coalesce(e.asn, 0), "
	    "coalesce(e.as_name, ''), coalesce(e.owner, ''), f.direction, f.port, f.protocol, "
	    "sum(f.bytes) "
	    "FROM endpoint_flows f JOIN endpoints e ON e.id = f.endpoint_id WHERE f.asset_id = ?1 "
	    "GROUP BY f.endpoint_id, f.direction",
	/* names of an endpoint: the asset's own DNS answers first, then TLS/HTTP */
	[P_EP_NAMES] = "SELECT name, 'dns/answer' FROM dns_answers WHERE address = ?2 AND asset_id = ?3 "
	    "UNION SELECT name, source FROM endpoint_names WHERE endpoint_id = ?1 LIMIT 16",
};

static const char *const default_nets =
    "10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 100.64.0.0/10 169.254.0.0/16 fe80::/10 fc00::/7";

sqlite3_stmt *
ep_q(struct store *s, enum ep_stmt id)
{
	sqlite3_reset(s->ep->st[id]);
	sqlite3_clear_bindings(s->ep->st[id]);
	return s->ep->st[id];
}

int
ep_step(struct store *s, enum ep_stmt id)
{
	int rc = sqlite3_step(s->ep->st[id]);

	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		st_error(s, "endpoint write failed");
	return rc;
}

/* "a.b.c.d/n" or "x::/n" into net; false if malformed. */
static bool
parse_net(const char *txt, struct site_net *net)
{
	char buf[64], *slash, *end;
	unsigned long bits;
	unsigned max;

	snprintf(buf, sizeof(buf), "%s", txt);
	if ((slash = strchr(buf, '/')) == NULL)
		return false;
	*slash = '\0';
	if (!ip_parse(buf, &net->a))
		return false;
	max = net->a.fam == IPFAM_V4 ? 32 : 128;
	bits = strtoul(slash + 1, &end, 10);
	if (*end || end == slash + 1 || bits > max)
		return false;
	net->bits = (unsigned)bits;
	return true;
}

static int
set_networks(struct ep_state *ep, const char *list, char *err, size_t errsz)
{
	char buf[1024], *save = NULL, *tok;

	ep->nnets = 0;
	snprintf(buf, sizeof(buf), "%s", list && list[0] ? list : default_nets);
	for (tok = strtok_r(buf, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save)) {
		if (ep->nnets == SITE_NETS_MAX) {
			snprintf(err, errsz, "more than %d site networks", SITE_NETS_MAX);
			return -1;
		}
		if (!parse_net(tok, &ep->nets[ep->nnets])) {
			snprintf(err, errsz, "\"%s\" is not a network (address/prefix length)", tok);
			return -1;
		}
		ep->nnets++;
	}
	return 0;
}

int
store_set_site(struct store *s, const char *networks, const struct services *svc,
    struct asinfo *ai, char *err, size_t errsz)
{
	if (s->ep == NULL) {
		snprintf(err, errsz, "the store is read-only");
		return -1;
	}
	if (set_networks(s->ep, networks, err, errsz) != 0)
		return -1;
	s->ep->svc = svc;
	s->ep->ai = ai;
	memset(s->ep->memo, 0, EP_MEMO_SLOTS * sizeof(*s->ep->memo));
	memset(s->ep->site_none, 0, sizeof(s->ep->site_none));	/* "none" was of the old networks */
	return 0;
}

int
ep_open(struct store *s, char *err, size_t errsz)
{
	if ((s->ep = calloc(1, sizeof(*s->ep))) == NULL ||
	    (s->ep->memo = calloc(EP_MEMO_SLOTS, sizeof(*s->ep->memo))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	set_networks(s->ep, NULL, err, errsz);
	for (int i = 0; i < P_NSTMTS; i++)
		if (sqlite3_prepare_v3(s->db, ep_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		    &s->ep->st[i], NULL) != SQLITE_OK) {
			snprintf(err, errsz, "%s: preparing endpoint statement %d: %s", s->path, i,
			    sqlite3_errmsg(s->db));
			return -1;
		}
	return 0;
}

void
ep_close(struct store *s)
{
	if (s->ep == NULL)
		return;
	for (int i = 0; i < P_NSTMTS; i++)
		sqlite3_finalize(s->ep->st[i]);
	free(s->ep->memo);
	free(s->ep);
	s->ep = NULL;
}

static bool
net_has(const struct site_net *n, const struct ipaddr *ip)
{
	unsigned full = n->bits / 8, rest = n->bits % 8;

	if (n->a.fam != ip->fam || memcmp(n->a.a, ip->a, full) != 0)
		return false;
	return rest == 0 || ((n->a.a[full] ^ ip->a[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

bool
ep_in_site(const struct store *s, const struct ipaddr *ip)
{
	if (s->ep == NULL)
		return true;
	for (size_t i = 0; i < s->ep->nnets; i++)
		if (net_has(&s->ep->nets[i], ip))
			return true;
	return false;
}

static struct ep_memo *
memo_slot(struct store *s, const struct ipaddr *ip)
{
	uint64_t h = 1469598103934665603ull ^ ip->fam;
	struct ep_memo *m;
	uint8_t key[17];

	key[0] = ip->fam;
	memcpy(key + 1, ip->a, 16);
	for (size_t i = 1; i < sizeof(key); i++)
		h = (h ^ key[i]) * 1099511628211ull;
	m = &s->ep->memo[(h ^ h >> 29) & (EP_MEMO_SLOTS - 1)];
	if (memcmp(m->key, key, sizeof(key)) != 0) {	/* collisions overwrite: a lookup again */
		memset(m, 0, sizeof(*m));
		memcpy(m->key, key, sizeof(key));
	}
	return m;
}

bool
ep_ip_is_asset(struct store *s, const struct ipaddr *ip)
{
	struct ep_memo *m = memo_slot(s, ip);
	char txt[IP_STRLEN];

	if (!m->asset_known) {
		sqlite3_stmt *q = st_get(s, S_ASSET_BY_KEYIP);

		ip_fmt(ip, txt);
		sqlite3_bind_text(q, 1, txt, -1, SQLITE_TRANSIENT);
		m->is_asset = sqlite3_step(q) == SQLITE_ROW;
		sqlite3_reset(q);
		m->asset_known = true;
	}
	return m->is_asset;
}

void
ep_mark_asset(struct store *s, const struct ipaddr *ip)
{
	struct ep_memo *m = memo_slot(s, ip);

	m->is_asset = m->asset_known = true;
}

static unsigned
site_slot(int64_t id)
{
	return (unsigned)(((uint64_t)id * 0x9e3779b97f4a7c15ull) >> 40) & (EP_MEMO_SLOTS - 1);
}

bool
ep_asset_has_site_addr(struct store *s, int64_t id)
{
	unsigned i = site_slot(id);
	sqlite3_stmt *q;
	bool yes = false;

	if (s->ep->site_mac[i] == id)
		return true;
	if (s->ep->site_none[i].id == id && s->ep->site_none[i].gen == s->cache_gen)
		return false;
	q = ep_q(s, P_ASSET_ADDRS);
	sqlite3_bind_int64(q, 1, id);
	while (!yes && sqlite3_step(q) == SQLITE_ROW) {
		struct ipaddr a;

		yes = ip_parse((const char *)sqlite3_column_text(q, 0), &a) && ep_in_site(s, &a);
	}
	sqlite3_reset(q);
	if (yes)
		s->ep->site_mac[i] = id;	/* an address once held stays: only positives are kept */
	else {
		/* until it gets an address (ep_asset_addr_added) */
		s->ep->site_none[i].id = id;
		s->ep->site_none[i].gen = s->cache_gen;
	}
	return yes;
}

void
ep_asset_addr_added(struct store *s, int64_t id)
{
	unsigned i = site_slot(id);

	if (s->ep && s->ep->site_none[i].id == id)
		s->ep->site_none[i].id = 0;
}

bool
ep_ot_protocol(const char *proto, uint16_t port)
{
	static const char *const ot[] = { "modbus", "dnp3", "iec104", "enip", "s7comm", "bacnet",
	    "mms", "opcua", "goose", NULL };
	static const uint16_t ports[] = { 502, 20000, 2404, 44818, 102, 47808, 4840, 0 };

	for (int i = 0; proto && ot[i]; i++)
		if (strcasecmp(proto, ot[i]) == 0)
			return true;
	for (int i = 0; ports[i]; i++)
		if (port == ports[i])
			return true;
	return false;
}

/* Who runs the endpoint: once, when its row is created. */
static int
look_up_owner(struct store *s, int64_t id, const char *ip)
{
	struct as_answer a;
	const struct vendor *owner = NULL;
	sqlite3_stmt *q;

	if (!asinfo_lookup(s->ep->ai, ip, &a))
		return 0;
	s->stats.endpoint_lookups++;
	if (a.as_name[0] && s->vendors)
		owner = vendors_match(s->vendors, a.as_name);
	q = ep_q(s, P_EP_SET_AS);
	sqlite3_bind_int64(q, 1, id);
	if (a.country[0])
		sqlite3_bind_text(q, 2, a.country, -1, SQLITE_TRANSIENT);
	if (a.asn)
		sqlite3_bind_int64(q, 3, a.asn);
	if (a.as_name[0])
		sqlite3_bind_text(q, 4, a.as_name, -1, SQLITE_TRANSIENT);
	if (a.network[0])
		sqlite3_bind_text(q, 5, a.network, -1, SQLITE_TRANSIENT);
	if (owner)
		sqlite3_bind_text(q, 6, owner->canonical, -1, SQLITE_TRANSIENT);
	return ep_step(s, P_EP_SET_AS) == SQLITE_DONE ? 0 : -1;
}

/* The endpoint row of an address, created (and looked up) if new. */
static int
endpoint(struct store *s, const struct ipaddr *ip, long long ts, int64_t *id)
{
	struct ep_memo *m = memo_slot(s, ip);
	char txt[IP_STRLEN];
	sqlite3_stmt *q;
	int rc;

	if (m->id) {
		*id = m->id;
		q = ep_q(s, P_EP_TOUCH);
		sqlite3_bind_int64(q, 1, *id);
		sqlite3_bind_int64(q, 2, ts);
		return ep_step(s, P_EP_TOUCH) == SQLITE_DONE ? 0 : -1;
	}
	ip_fmt(ip, txt);
	q = ep_q(s, P_EP_GET);
	sqlite3_bind_text(q, 1, txt, -1, SQLITE_TRANSIENT);
	rc = ep_step(s, P_EP_GET);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(q, 0);
		m->id = *id;
		sqlite3_reset(q);	/* left on its row it would hold a read snapshot: the WAL grows */
		return endpoint(s, ip, ts, id);
	}
	if (rc != SQLITE_DONE)
		return -1;
	q = ep_q(s, P_EP_INS);
	sqlite3_bind_text(q, 1, txt, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 2, ts);
	if (ep_step(s, P_EP_INS) != SQLITE_DONE)
		return -1;
	*id = m->id = sqlite3_last_insert_rowid(s->db);
	s->stats.endpoints_created++;
	return look_up_owner(s, *id, txt);
}

static const char *
transport_name(uint8_t t)
{
	return t == L4_TCP ? "tcp" : t == L4_UDP ? "udp" : "l2";
}

int
ep_flow(struct store *s, int64_t asset, const struct ipaddr *ext, bool outbound,
    const struct obs *o, long long ts)
{
	sqlite3_stmt *q;
	int64_t id;

	if (endpoint(s, ext, ts, &id) != 0)
		return -1;
	q = ep_q(s, P_FLOW);
	sqlite3_bind_int64(q, 1, asset);
	sqlite3_bind_int64(q, 2, id);
	sqlite3_bind_text(q, 3, outbound ? "out" : "in", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, transport_name(o->transport), -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 5, o->port);
	sqlite3_bind_text(q, 6, o->proto ? o->proto : "unknown", -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 7, (sqlite3_int64)o->pkts);
	sqlite3_bind_int64(q, 8, (sqlite3_int64)o->bytes);
	sqlite3_bind_int64(q, 9, ts);
	if (!outbound)
		touch_for_risk(s, asset);
	return ep_step(s, P_FLOW) == SQLITE_DONE ? 0 : -1;
}

/* Facts about an external address that name it. */
static bool
names_endpoint(const struct obs *o)
{
	return (strcmp(o->attr, A_TLS_SNI) == 0 && o->src && strcmp(o->src, "tls/server_name") == 0) ||
	    (strcmp(o->attr, A_HTTP_HOST) == 0 && o->src && strcmp(o->src, "http/served_host") == 0) ||
	    strcmp(o->attr, A_CERT_SUBJECT) == 0;
}

int
ep_fact(struct store *s, const struct ipaddr *ext, const struct obs *o, long long ts, int64_t asker)
{
	sqlite3_stmt *q;
	int64_t id;

	if (!names_endpoint(o)) {
		s->stats.endpoint_facts_dropped++;
		return 0;
	}
	if (endpoint(s, ext, ts, &id) != 0)
		return -1;
	q = ep_q(s, P_NAME);
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, o->val, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, o->src ? o->src : "?", -1, SQLITE_STATIC);
	if (asker)
		sqlite3_bind_int64(q, 4, asker);
	sqlite3_bind_int64(q, 5, ts);
	return ep_step(s, P_NAME) == SQLITE_DONE ? 0 : -1;
}

/* Keep passive DNS at PDNS_MAX rows: checked every PDNS_CHECK_EVERY answers. */
static int
pdns_bound(struct store *s)
{
	sqlite3_stmt *q;
	long long n = 0;

	if (++s->ep->pdns_since_check < PDNS_CHECK_EVERY)
		return 0;
	s->ep->pdns_since_check = 0;
	q = ep_q(s, P_PDNS_COUNT);
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	if (n <= PDNS_MAX)
		return 0;
	q = ep_q(s, P_PDNS_TRIM);
	sqlite3_bind_int64(q, 1, n - PDNS_MAX + PDNS_MAX / 100);
	if (ep_step(s, P_PDNS_TRIM) != SQLITE_DONE)
		return -1;
	s->stats.pdns_dropped += (uint64_t)sqlite3_changes(s->db);
	return 0;
}

int
ep_dns_answer(struct store *s, int64_t asset, const char *val, long long ts)
{
	const char *eq = strrchr(val, '=');
	char name[300], addr[IP_STRLEN];
	struct ipaddr a;
	sqlite3_stmt *q;

	if (eq == NULL || eq == val || (size_t)(eq - val) >= sizeof(name))
		return 0;
	snprintf(name, sizeof(name), "%.*s", (int)(eq - val), val);
	if (!ip_parse(eq + 1, &a))
		return 0;
	ip_fmt(&a, addr);
	q = ep_q(s, P_PDNS);
	sqlite3_bind_int64(q, 1, asset);
	sqlite3_bind_text(q, 2, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 3, addr, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 4, ts);
	sqlite3_set_last_insert_rowid(s->db, 0);	/* set only when the upsert inserts */
	if (ep_step(s, P_PDNS) != SQLITE_DONE)
		return -1;
	/* a new name for an address can name the service the asset talks to; an answer seen
	 * again moves its count and times, which the verdict does not read */
	if (sqlite3_last_insert_rowid(s->db) != 0)
		touch_for_risk(s, asset);
	return pdns_bound(s);
}
