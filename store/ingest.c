/*
 * ingest.c - observations to rows: the asset identity rules.
 *
 * - A host on the local segment is keyed by its MAC; new IPs on the same
 *   MAC are address history (DHCP renewals), not new assets.
 * - A MAC that uses GW_MIN_IPS or more IPv4 source addresses within
 *   GW_WINDOW_S is a gateway (router, firewall, L3 switch): the IPs it
 *   forwards become assets of their own, keyed by IP.  Addresses the MAC
 *   claims in ARP stay its own.  Evidence and services that arrived with
 *   a forwarded IP before the MAC was recognised move to that IP's asset,
 *   so the result does not depend on the order traffic arrived in.
 * - Broadcast, multicast and zero MACs, and non-unicast IPs, are never
 *   assets.  Locally administered MACs are marked and get no OUI vendor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obs.h"
#include "fprules.h"
#include "oui.h"
#include "endpoints.h"
#include "flood.h"
#include "ingest.h"
#include "store_int.h"
#include "units_int.h"
#include "vendor_ids.h"

#define US_PER_S	1000000ull

static long long
secs(uint64_t ts_us)
{
	return (long long)(ts_us / US_PER_S);
}

static struct acache_ent *
acache_slot(struct store *s, uint8_t type, const uint8_t *addr, size_t len)
{
	uint64_t h = 1469598103934665603ull ^ type;
	struct acache_ent *e;

	for (size_t i = 0; i < len; i++)
		h = (h ^ addr[i]) * 1099511628211ull;
	h ^= h >> 29;
	e = &s->cache[h & (ACACHE_SLOTS - 1)];
	return e;
}

static struct acache_ent *
acache_find(struct store *s, uint8_t type, const uint8_t *addr, size_t len)
{
	struct acache_ent *e = acache_slot(s, type, addr, len);

	if (e->gen == s->cache_gen && e->type == type && memcmp(e->addr, addr, len) == 0)
		return e;
	return NULL;
}

static struct acache_ent *
acache_put(struct store *s, uint8_t type, const uint8_t *addr, size_t len, int64_t id, bool gw)
{
	struct acache_ent *e = acache_slot(s, type, addr, len);

	memset(e, 0, sizeof(*e));
	e->gen = s->cache_gen;
	e->type = type;
	memcpy(e->addr, addr, len);
	e->id = id;
	e->gateway = gw;
	return e;
}

/* Cache key of an IP: family and address. */
static const uint8_t *
ip_key(const struct ipaddr *a, uint8_t key[17])
{
	key[0] = a->fam;
	memcpy(key + 1, a->a, 16);
	return key;
}

static void
acache_drop(struct store *s, uint8_t type, const struct ipaddr *a)
{
	uint8_t key[17];
	struct acache_ent *e = acache_find(s, type, ip_key(a, key), sizeof(key));

	if (e)
		e->type = AC_EMPTY;
}

static bool
ref_has_mac(const struct asset_ref *r)
{
	return !mac_is_zero(r->mac) && !mac_is_group(r->mac);
}



/* Did this MAC answer ARP for the address (an address of its own)? */
static bool
mac_claims_ip(struct store *s, int64_t id, const char *ip)
{
	sqlite3_stmt *q = st_get(s, S_ADDR_CLAIMED);
	bool yes;

	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, ip, -1, SQLITE_STATIC);
	yes = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_reset(q);
	return yes;
}

/*
 * Add or refresh an address of an asset; *is_new when first seen (a new
 * row, or the first sighting of a key IP's placeholder row).
 */
static int
address(struct store *s, int64_t id, const char *ip, const char *src, long long ts, bool *is_new)
{
	sqlite3_stmt *q = st_get(s, S_ADDR_SEEN);

	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, ip, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, src, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, ts);
	if (st_step(s, S_ADDR_SEEN) != SQLITE_DONE)
		return -1;
	*is_new = sqlite3_changes(s->db) == 0;
	if (!*is_new)
		return 0;
	q = st_get(s, S_ADDR_UPSERT);
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, ip, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, src, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, ts);
	if (st_step(s, S_ADDR_UPSERT) != SQLITE_DONE)
		return -1;
	ep_asset_addr_added(s, id);
	return 0;
}

static int
new_mac_asset(struct store *s, const struct asset_ref *r, long long ts, int64_t *id)
{
	sqlite3_stmt *q = st_get(s, S_ASSET_INS_MAC);
	const struct oui_entry *e = NULL;
	char mac[MAC_STRLEN], detail[256];
	bool local = mac_is_local(r->mac), fresh;

	mac_fmt(r->mac, mac);
	if (!local)
		e = oui_lookup(s->oui, r->mac);
	sqlite3_bind_text(q, 1, mac, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, 2, r->vlan);
	sqlite3_bind_int64(q, 3, ts);
	if (e) {
		sqlite3_bind_text(q, 4, e->org, -1, SQLITE_TRANSIENT);
		if (e->country[0])
			sqlite3_bind_text(q, 5, e->country, -1, SQLITE_TRANSIENT);
	}
	sqlite3_bind_int(q, 6, local);
	if (st_step(s, S_ASSET_INS_MAC) != SQLITE_DONE)
		return -1;
	*id = sqlite3_last_insert_rowid(s->db);
	s->stats.assets_created++;
	snprintf(detail, sizeof(detail), "mac %s%s%s%s", mac, e ? " (" : "", e ? e->org : "",
	    e ? ")" : local ? " (locally administered: randomised or virtual)" : "");
	if (ev_change(s, ts, *id, EV_ASSET_NEW, "mac", NULL, mac, detail, true) != 0)
		return -1;
	if (e && model_evidence(s, *id, A_VENDOR, e->org, "oui", CONF_WEAK, ts, NULL, &fresh) != 0)
		return -1;
	if (e && e->country[0] &&
	    model_evidence(s, *id, "oui_country", e->country, "oui", CONF_WEAK, ts, NULL, &fresh) != 0)
		return -1;
	touch_for_risk(s, *id);
	return 0;
}

static int
new_ip_asset(struct store *s, const char *ip, uint16_t vlan, long long ts, int64_t *id)
{
	sqlite3_stmt *q = st_get(s, S_ASSET_INS_IP);
	char detail[128];

	sqlite3_bind_text(q, 1, ip, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, 2, vlan);
	sqlite3_bind_int64(q, 3, ts);
	if (st_step(s, S_ASSET_INS_IP) != SQLITE_DONE)
		return -1;
	*id = sqlite3_last_insert_rowid(s->db);
	s->stats.assets_created++;
	snprintf(detail, sizeof(detail), "ip %s (behind a gateway: keyed by IP)", ip);
	touch_for_risk(s, *id);
	q = st_get(s, S_ADDR_INS_KEY);
	sqlite3_bind_int64(q, 1, *id);
	sqlite3_bind_text(q, 2, ip, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 3, ts);
	if (st_step(s, S_ADDR_INS_KEY) != SQLITE_DONE)
		return -1;
	ep_asset_addr_added(s, *id);
	return ev_change(s, ts, *id, EV_ASSET_NEW, "ip", NULL, ip, detail, true);
}

/* The MAC-keyed asset of a MAC, created if new; *gw says whether it is a gateway. */
static int
mac_asset(struct store *s, const struct asset_ref *r, long long ts, int64_t *id, bool *gw)
{
	struct acache_ent *e = acache_find(s, AC_MAC, r->mac, 6);
	sqlite3_stmt *q;
	char mac[MAC_STRLEN];
	int rc;

	if (e) {
		*id = e->id;
		*gw = e->gateway;
		return 0;
	}
	q = st_get(s, S_ASSET_BY_MAC);
	mac_fmt(r->mac, mac);
	sqlite3_bind_text(q, 1, mac, -1, SQLITE_TRANSIENT);
	rc = st_step(s, S_ASSET_BY_MAC);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(q, 0);
		*gw = sqlite3_column_int(q, 1) != 0;
		sqlite3_reset(q);
	} else if (rc != SQLITE_DONE)
		return -1;
	else if ((*gw = false, rc = flood_admit(s, AC_MAC, r->mac, 6, ts)) <= 0) {
		*id = 0;		/* held back: a flood of new senders */
		return rc;
	} else if (new_mac_asset(s, r, ts, id) != 0)
		return -1;
	acache_put(s, AC_MAC, r->mac, 6, *id, *gw);
	return 0;
}

/* The IP-keyed asset of an IP (ip_str its text), created if new. */
static int
ip_asset(struct store *s, const struct ipaddr *a, const char *ip_str, uint16_t vlan, long long ts,
    int64_t *id)
{
	int admit;
	struct acache_ent *e = NULL;
	uint8_t key[17];
	sqlite3_stmt *q;
	int rc;

	if (a->fam && (e = acache_find(s, AC_KEYIP, ip_key(a, key), sizeof(key))) != NULL) {
		*id = e->id;
		return 0;
	}
	q = st_get(s, S_ASSET_BY_KEYIP);
	sqlite3_bind_text(q, 1, ip_str, -1, SQLITE_STATIC);
	rc = st_step(s, S_ASSET_BY_KEYIP);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(q, 0);
		sqlite3_reset(q);
	} else if (rc != SQLITE_DONE)
		return -1;
	else if ((admit = a->fam ? flood_admit(s, AC_KEYIP, key, sizeof(key), ts) : 1) <= 0) {
		*id = 0;		/* held back: a flood of new senders */
		return admit;
	} else if (new_ip_asset(s, ip_str, vlan, ts, id) != 0)
		return -1;
	if (a->fam)
		acache_put(s, AC_KEYIP, key, sizeof(key), *id, false);
	return 0;
}

/* The same, for an address read back from the database as text. */
static int
ip_asset_str(struct store *s, const char *ip_str, uint16_t vlan, long long ts, int64_t *id)
{
	struct ipaddr a;

	const struct obs *o = s->cur_obs;
	int rc;

	if (!ip_parse(ip_str, &a))
		memset(&a, 0, sizeof(a));	/* not cached: fam 0 never matches a sighting */
	s->cur_obs = NULL;	/* an address already in the database: never held back */
	rc = ip_asset(s, &a, ip_str, vlan, ts, id);
	s->cur_obs = o;
	return rc;
}

static unsigned
touch_hash(int64_t id)
{
	return (unsigned)(((uint64_t)id * 0x9e3779b97f4a7c15ull) >> 40) & (STORE_TOUCH_SLOTS - 1);
}

/*
 * Move first_seen/last_seen of an asset to include ts: remembered for the
 * batch and written once per asset at its end (pending_flush).
 */
static int
touch(struct store *s, int64_t id, long long ts)
{
	unsigned i = touch_hash(id);
	struct touch_ent *t;

	for (;;) {
		for (t = &s->touch[i]; t->id != 0 && t->id != id; t = &s->touch[i])
			i = (i + 1) & (STORE_TOUCH_SLOTS - 1);
		if (t->id == id) {
			if (ts < t->lo)
				t->lo = ts;
			if (ts > t->hi)
				t->hi = ts;
			return 0;
		}
		if (s->ntouch < STORE_TOUCH_SLOTS / 2)
			break;
		if (pending_flush(s) != 0)	/* half full: write out what is held, start over */
			return -1;
		i = touch_hash(id);
	}
	t->id = id;
	t->lo = t->hi = ts;
	s->touch_used[s->ntouch++] = (uint16_t)i;
	return 0;
}

int
pending_flush(struct store *s)
{
	for (size_t k = 0; k < s->ntouch; k++) {
		struct touch_ent *t = &s->touch[s->touch_used[k]];
		sqlite3_stmt *q = st_get(s, S_ASSET_TOUCH);

		sqlite3_bind_int64(q, 1, t->id);
		sqlite3_bind_int64(q, 2, t->lo);
		sqlite3_bind_int64(q, 3, t->hi);
		if (st_step(s, S_ASSET_TOUCH) != SQLITE_DONE)
			return -1;
		t->id = 0;
	}
	s->ntouch = 0;
	return evid_flush(s);
}

void
pending_drop(struct store *s)
{
	for (size_t k = 0; k < s->ntouch; k++)
		s->touch[s->touch_used[k]].id = 0;
	s->ntouch = 0;
	evid_drop(s);
}

/*
 * An IP seen behind gateway `gw`: the asset meant is the IP's own, unless
 * the gateway claims the IP in ARP (its own interface).  The answer is
 * cached per (IP, gateway) until an ARP claim or a merge changes it.
 */
static int
via_gateway(struct store *s, int64_t gw, const struct asset_ref *r, long long ts, int64_t *id)
{
	uint8_t key[17];
	struct acache_ent *e = acache_find(s, AC_VIA_GW, ip_key(&r->ip, key), sizeof(key));
	char ip[IP_STRLEN];

	if (e == NULL || e->via != gw) {
		ip_fmt(&r->ip, ip);
		if (mac_claims_ip(s, gw, ip))
			*id = gw;
		else if (ip_asset(s, &r->ip, ip, r->vlan, ts, id) != 0)
			return -1;
		if (*id == 0)
			return 0;	/* held back */
		e = acache_put(s, AC_VIA_GW, key, sizeof(key), *id, false);
		e->via = gw;
	}
	*id = e->id;
	return *id == gw ? 0 : touch(s, *id, ts);
}

/*
 * Which asset is an observation about?  0 in *id: none (broadcast,
 * multicast, nothing usable).
 */
static int
resolve(struct store *s, const struct asset_ref *r, long long ts, int64_t *id)
{
	char ip[IP_STRLEN];
	bool gw, has_ip = ip_is_unicast_host(&r->ip);

	*id = 0;
	if (mac_is_group(r->mac))
		return 0;		/* sent to broadcast or multicast: not a host */
	if (ref_has_mac(r)) {
		if (mac_asset(s, r, ts, id, &gw) != 0)
			return -1;
		if (*id == 0)
			return 0;	/* held back */
		/* a remote OT server behind the router: its own asset */
		if (has_ip && s->ep && !ep_in_site(s, &r->ip) && ep_ip_is_asset(s, &r->ip) && !gw) {
			if (touch(s, *id, ts) != 0)
				return -1;
			ip_fmt(&r->ip, ip);
			return ip_asset(s, &r->ip, ip, r->vlan, ts, id) != 0 ? -1 : touch(s, *id, ts);
		}
		/* the gateway's MAC was on the wire too: it is seen, the IP's asset is meant */
		if (touch(s, *id, ts) != 0)
			return -1;
		if (gw && has_ip)
			return via_gateway(s, *id, r, ts, id);
		return 0;
	}
	if (!has_ip)
		return 0;
	ip_fmt(&r->ip, ip);
	sqlite3_stmt *q = st_get(s, S_ADDR_FIND_IP);
	sqlite3_bind_text(q, 1, ip, -1, SQLITE_STATIC);
	switch (st_step(s, S_ADDR_FIND_IP)) {
	case SQLITE_ROW:
		*id = sqlite3_column_int64(q, 0);
		sqlite3_reset(q);
		return touch(s, *id, ts);
	case SQLITE_DONE:
		if (ip_asset(s, &r->ip, ip, r->vlan, ts, id) != 0)
			return -1;
		return *id == 0 ? 0 : touch(s, *id, ts);
	default:
		return -1;
	}
}

/*
 * Is r an address outside the site's networks reached through a router
 * (an endpoint, store/endpoints.c) rather than a host of the plant?  A
 * MAC-keyed host whose own address is public stays an asset: only a MAC
 * that is a gateway, or that also has a site address (so it forwards the
 * outside one), or no MAC at all, makes the address external.  An outside
 * address already kept as an asset (it serves an OT protocol) stays one.
 */
static int
external(struct store *s, const struct asset_ref *r, long long ts, bool *ext)
{
	int64_t id;
	bool gw;

	*ext = false;
	if (s->ep == NULL || !ip_is_unicast_host(&r->ip) || ep_in_site(s, &r->ip) ||
	    mac_is_group(r->mac) || ep_ip_is_asset(s, &r->ip))
		return 0;
	if (ref_has_mac(r)) {
		if (mac_asset(s, r, ts, &id, &gw) != 0)
			return -1;
		if (!gw && !ep_asset_has_site_addr(s, id))
			return 0;
		if (touch(s, id, ts) != 0)	/* the router's MAC was on the wire */
			return -1;
	}
	*ext = true;
	return 0;
}

/* An outside address that serves an OT protocol: an asset of its own, keyed by IP. */
static int
remote_ot_asset(struct store *s, const struct asset_ref *r, long long ts, int64_t *id)
{
	char ip[IP_STRLEN];

	ip_fmt(&r->ip, ip);
	ep_mark_asset(s, &r->ip);
	return ip_asset(s, &r->ip, ip, r->vlan, ts, id) != 0 ? -1 : touch(s, *id, ts);
}

/*
 * Traffic with an outside address: an endpoint flow of the local side
 * (outbound, or inbound exposure), never an asset; *done when handled.
 */
static int
peer_external(struct store *s, const struct obs *o, long long ts, bool *done)
{
	bool cli_ext, srv_ext;
	int64_t local;

	*done = false;
	if (external(s, &o->who, ts, &cli_ext) != 0 || external(s, &o->peer, ts, &srv_ext) != 0)
		return -1;
	if (!cli_ext && !srv_ext)
		return 0;
	*done = true;
	if (cli_ext && srv_ext) {
		s->stats.transit_dropped++;
		return 0;
	}
	if (srv_ext && ep_ot_protocol(o->proto, o->port)) {
		*done = false;		/* a remote RTU: the conversation is between assets */
		return ep_ip_is_asset(s, &o->peer.ip) ? 0 : remote_ot_asset(s, &o->peer, ts, &local);
	}
	if (resolve(s, cli_ext ? &o->peer : &o->who, ts, &local) != 0)
		return -1;
	if (local == 0)
		return 0;
	return ep_flow(s, local, cli_ext ? &o->who.ip : &o->peer.ip, srv_ext, o, ts);
}

/*
 * Move the rows that came with `ip` from the gateway to the IP's own
 * asset, merged (counts add, times widen) so that the result is the same
 * as if they had gone there directly.
 */
static int
rehome(struct store *s, int64_t gw, int64_t to, const char *ip)
{
	static const enum stmt_id moves[] = { S_MV_TOUCH, S_MV_EVID, S_MV_SVC, S_MV_ADDR,
	    S_MV_EVID_DEL, S_MV_SVC_DEL, S_ADDR_DEL };

	for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
		sqlite3_stmt *q = st_get(s, moves[i]);

		sqlite3_bind_int64(q, 1, gw);
		if (moves[i] == S_ADDR_DEL) {
			sqlite3_bind_text(q, 2, ip, -1, SQLITE_TRANSIENT);
		} else {
			sqlite3_bind_int64(q, 2, to);
			sqlite3_bind_text(q, 3, ip, -1, SQLITE_TRANSIENT);
		}
		if (st_step(s, moves[i]) != SQLITE_DONE)
			return -1;
	}
	ep_asset_addr_added(s, to);
	evcache_clear(s);	/* the gateway's rows with that IP are gone */
	touch_for_risk(s, to);
	return 0;
}

/*
 * The MAC is a gateway now: every IP it carried but does not claim in ARP
 * (addresses, and the IPs evidence and services came with) becomes an
 * asset of its own, and what came with it moves there.
 */
static int
promote_gateway(struct store *s, int64_t gw, long long ts)
{
	char ips[64][IP_STRLEN];
	long long first[64];
	int n = 0;
	sqlite3_stmt *q = st_get(s, S_GW_SET);
	bool fresh;

	sqlite3_bind_int64(q, 1, gw);
	if (st_step(s, S_GW_SET) != SQLITE_DONE)
		return -1;
	if (sqlite3_changes(s->db) == 0)
		return 0;
	if (evid_flush(s) != 0)		/* what S_GW_ADDRS and the moves read */
		return -1;
	s->stats.gateways++;
	acache_clear(s);	/* the MAC's cached entry says "not a gateway" */
	/* a gateway forwards for many: move them in rounds of 64 (moved rows are gone) */
	do {
		q = st_get(s, S_GW_ADDRS);
		sqlite3_bind_int64(q, 1, gw);
		for (n = 0; n < 64 && sqlite3_step(q) == SQLITE_ROW; n++) {
			snprintf(ips[n], sizeof(ips[n]), "%s", (const char *)sqlite3_column_text(q, 0));
			first[n] = sqlite3_column_int64(q, 1);
		}
		sqlite3_reset(q);
		for (int i = 0; i < n; i++) {
			struct ipaddr a;
			int64_t to;

			if (s->ep && ip_parse(ips[i], &a) && !ep_in_site(s, &a) && !ep_ip_is_asset(s, &a)) {
				/* forwarded from outside: an endpoint, not an address of the router */
				q = st_get(s, S_ADDR_DEL);
				sqlite3_bind_int64(q, 1, gw);
				sqlite3_bind_text(q, 2, ips[i], -1, SQLITE_TRANSIENT);
				if (st_step(s, S_ADDR_DEL) != SQLITE_DONE)
					return -1;
				continue;
			}
			if (ip_asset_str(s, ips[i], 0, first[i], &to) != 0 || rehome(s, gw, to, ips[i]) != 0)
				return -1;
		}
	} while (n == 64);
	if (model_evidence(s, gw, A_ROLE, R_GATEWAY, "spanwatch/gateway", CONF_INFERRED, ts, NULL, &fresh) != 0)
		return -1;
	return add_event(s, ts, gw, "gateway", "one MAC uses many IP source addresses: "
	    "router, firewall or layer-3 switch; the IPs behind it are assets of their own");
}

/*
 * A gateway claims in ARP an IP that already has an IP-keyed asset (its
 * own interface address, seen as a forwarded source before the ARP): the
 * IP asset was the gateway all along; merge it in so that the result does
 * not depend on which came first.
 */
static int
merge_claimed(struct store *s, int64_t gw, const char *ip)
{
	static const enum stmt_id moves[] = { S_MV_TOUCH, S_MV_EVID, S_MV_SVC, S_MV_ADDR,
	    S_MG_CONV_CLI, S_MG_CONV_SRV, S_MG_EVENTS, S_MG_DEL };
	sqlite3_stmt *q = st_get(s, S_ASSET_BY_KEYIP);
	int64_t from;
	int rc;

	sqlite3_bind_text(q, 1, ip, -1, SQLITE_TRANSIENT);
	rc = st_step(s, S_ASSET_BY_KEYIP);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return -1;
	from = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	if (pending_flush(s) != 0)	/* nothing held back may name the deleted asset */
		return -1;
	for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
		q = st_get(s, moves[i]);
		sqlite3_bind_int64(q, 1, from);
		if (moves[i] != S_MG_DEL)
			sqlite3_bind_int64(q, 2, gw);
		if (moves[i] <= S_MV_ADDR)
			sqlite3_bind_text(q, 3, ip, -1, SQLITE_TRANSIENT);
		if (st_step(s, moves[i]) != SQLITE_DONE)
			return -1;
	}
	acache_clear(s);	/* the IP's cached entry names the deleted asset */
	ep_asset_addr_added(s, gw);
	/* no verdict for a deleted asset: the gateway takes its place */
	if (riskset_replace(&s->risk, from, gw) == RISKSET_FULL)
		s->stats.risk_deferred++;
	return 0;
}

static bool
recent_ips_make_gateway(struct store *s, int64_t id, long long ts)
{
	sqlite3_stmt *q = st_get(s, S_GW_RECENT);
	int n = 0;

	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_int64(q, 2, ts - GW_WINDOW_S);
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int(q, 0);
	sqlite3_reset(q);
	return n >= GW_MIN_IPS;
}

/* OBS_ADDR: a MAC seen with an IP (or alone, for layer-2 protocols). */
static int
on_addr(struct store *s, const struct obs *o, long long ts)
{
	const struct asset_ref *r = &o->who;
	char ip[IP_STRLEN];
	bool gw, fresh, is_arp = o->src && strcmp(o->src, "arp") == 0;
	int64_t id, to;

	if (mac_is_group(r->mac))
		return 0;			/* a broadcast or multicast frame names no host */
	if (!is_arp) {
		bool ext;

		if (external(s, r, ts, &ext) != 0)
			return -1;
		if (ext)
			return 0;	/* forwarded from outside: not an address of the router */
	}
	if (mac_is_zero(r->mac)) {
		int64_t any;

		return resolve(s, r, ts, &any);	/* an IP stated without a MAC */
	}
	if (mac_asset(s, r, ts, &id, &gw) != 0)
		return -1;
	if (id == 0)
		return 0;		/* held back */
	if (touch(s, id, ts) != 0)
		return -1;
	if (!ip_is_unicast_host(&r->ip))
		return 0;
	ip_fmt(&r->ip, ip);
	if (gw && !is_arp) {
		if (via_gateway(s, id, r, ts, &to) != 0)
			return -1;
		if (to == 0)
			return 0;	/* held back */
		if (to != id)
			return address(s, to, ip, o->src ? o->src : "ip", ts, &fresh);
	}
	if (gw && is_arp && merge_claimed(s, id, ip) != 0)
		return -1;
	if (address(s, id, ip, is_arp ? "arp" : (o->src ? o->src : "ip"), ts, &fresh) != 0)
		return -1;
	if (is_arp)
		acache_drop(s, AC_VIA_GW, &r->ip);	/* the MAC claims the IP now */
	if (!fresh)
		return 0;
	if (!gw && ev_address(s, id, ip, o->src ? o->src : "ip", ts) != 0)
		return -1;
	if (!gw && !is_arp && recent_ips_make_gateway(s, id, ts))
		return promote_gateway(s, id, ts);
	return 0;
}

static bool
category_attr(const char *a)
{
	static const char *const attrs[] = { A_ROLE, A_DEVICE_TYPE, A_PRODUCT_CODE, A_MODEL,
	    A_HOSTNAME, A_OS, NULL };

	for (size_t i = 0; attrs[i]; i++)
		if (strcmp(a, attrs[i]) == 0)
			return true;
	return false;
}

/* What a fingerprint rule concluded from a piece of evidence. */
struct rule_hit {
	struct store	*s;
	int64_t		 id;
	long long	 ts;
	const char	*via_ip;
	int		 rc;
};

static void
rule_emit(void *arg, const char *attr, const char *value, const char *rule_id, uint8_t conf)
{
	struct rule_hit *h = arg;
	char src[96];
	bool fresh;

	if (h->rc != 0 || value == NULL || value[0] == '\0')
		return;
	snprintf(src, sizeof(src), "rule:%s", rule_id);
	if (model_evidence(h->s, h->id, attr, value, src, conf, h->ts, h->via_ip, &fresh) != 0) {
		h->rc = -1;
		return;
	}
	if (!fresh)
		return;
	if (strcmp(attr, A_VENDOR) == 0)
		touch_for_risk(h->s, h->id);
}

/*
 * Evidence about Modbus unit `unit` behind the server o->who (value
 * "unit|value"): the server resolved as any asset, the unit's own asset
 * found or made by units.c, the evidence stored on it.
 */
static int
unit_fact(struct store *s, const struct obs *o, long long ts)
{
	char ip[IP_STRLEN] = "";
	const char *val;
	unsigned unit;
	int64_t gw, id;
	bool fresh;

	if (!units_value(o->val, &unit, &val))
		return 0;			/* not from our dissector's format: dropped */
	if (resolve(s, &o->who, ts, &gw) != 0)
		return -1;
	if (gw == 0)
		return 0;
	if (ip_is_unicast_host(&o->who.ip))
		ip_fmt(&o->who.ip, ip);
	if (units_asset(s, gw, unit, ip, ts, &id) != 0)
		return -1;
	if (id != gw && touch(s, id, ts) != 0)
		return -1;
	if (model_evidence(s, id, o->attr, val, o->src, o->conf, ts, ip, &fresh) != 0)
		return -1;
	if (!fresh)
		return 0;
	if (strcmp(o->attr, A_VENDOR) == 0)
		touch_for_risk(s, id);
	/* a first value is identity learnt; another from the same source is a change */
	return ev_identity(s, id, o->attr, val, o->src, ts);
}

static int
fact_one(struct store *s, const struct obs *o, long long ts)
{
	char ip[IP_STRLEN] = "";
	int64_t id;
	bool fresh;

	if (o->attr == NULL || o->val == NULL || o->val[0] == '\0')
		return 0;
	if (o->src && strncmp(o->src, SRC_MODBUS_UNIT, sizeof(SRC_MODBUS_UNIT) - 1) == 0)
		return unit_fact(s, o, ts);	/* about a device behind the server */
	if (resolve(s, &o->who, ts, &id) != 0)
		return -1;
	if (id == 0)
		return 0;
	if (ip_is_unicast_host(&o->who.ip))
		ip_fmt(&o->who.ip, ip);
	if (model_evidence(s, id, o->attr, o->val, o->src ? o->src : "?", o->conf, ts, ip, &fresh) != 0)
		return -1;
	if (!fresh)
		return 0;
	if (s->rules) {		/* new evidence only: a rule runs once per distinct value */
		struct rule_hit h = { s, id, ts, ip, 0 };

		fprules_match(s->rules, o->attr, o->src ? o->src : "", o->val, rule_emit, &h);
		if (h.rc != 0)
			return -1;
	}
	/* the maker decides the risk, these the category: assess again */
	if (strcmp(o->attr, A_VENDOR) == 0 || category_attr(o->attr))
		touch_for_risk(s, id);
	return ev_identity(s, id, o->attr, o->val, o->src ? o->src : "?", ts);
}

/*
 * Vendor ids that the store names from the vendor tables (vendor_ids.h),
 * as it names MACs from the OUI registry: a dissector reports the number
 * ("cip:1"), the store adds the vendor name as evidence of its own, from
 * the id's source plus the table ("enip/list_identity+cip_vendor_table").
 */
struct vid_naming {
	const char	*scheme;	/* value prefix, then the number */
	enum vid_table	 table;
	int		 base;		/* of the number */
	const char	*table_src;	/* appended to the id's source */
	uint8_t		 conf;		/* of the name; 0: the id's own */
	const char	*only_src;	/* the one source named, NULL: every source */
};

static const struct vid_naming vid_namings[] = {
	{ "cip:", VID_CIP, 10, "+cip_vendor_table", 0, NULL },
	/* the I-Am's id; a ReadProperty vendor-identifier reply stays a number */
	{ "bacnet:", VID_BACNET, 10, "+bacnet_vendor_table", CONF_BANNER, "bacnet/i_am" },
	{ "pn:0x", VID_PN, 16, "+pn_vendor_table", CONF_BANNER, NULL },
};

/* A vendor-id fact just stored: its name from the tables, if they know it. */
static int
name_vendor_id(struct store *s, const struct obs *o, long long ts)
{
	char src[128], val[OBS_VAL_MAX];

	for (size_t i = 0; i < sizeof(vid_namings) / sizeof(vid_namings[0]); i++) {
		const struct vid_naming *v = &vid_namings[i];
		size_t plen = strlen(v->scheme);
		const char *name;
		struct obs n;
		char *end;
		unsigned long id;

		if (strncmp(o->val, v->scheme, plen) != 0)
			continue;
		if (v->only_src && (o->src == NULL || strcmp(o->src, v->only_src) != 0))
			return 0;
		id = strtoul(o->val + plen, &end, v->base);
		if (end == o->val + plen || *end != '\0' || id > UINT32_MAX ||
		    (name = vendor_id_name(v->table, (uint32_t)id)) == NULL)
			return 0;
		if ((size_t)snprintf(src, sizeof(src), "%s%s", o->src ? o->src : "?",
		    v->table_src) >= sizeof(src))
			return 0;
		n = *o;
		n.attr = A_VENDOR;
		n.val_len = obs_sanitize(name, strlen(name), val, sizeof(val));
		n.val = val;
		n.src = src;
		if (v->conf)
			n.conf = v->conf;
		return fact_one(s, &n, ts);
	}
	return 0;
}

/* A role fact that says the device serves an OT protocol (a remote RTU keeps its asset). */
static bool
serves_ot(const struct obs *o)
{
	static const char *const roles[] = { R_PLC, R_RTU, R_MODBUS_SERVER, R_DNP3_OUTSTATION,
	    R_IEC104_SERVER, R_ENIP_ADAPTER, R_PN_DEVICE, R_IED, R_OPCUA_SERVER, NULL };

	if (strcmp(o->attr, A_ROLE) != 0)
		return false;
	for (int i = 0; roles[i]; i++)
		if (strcmp(o->val, roles[i]) == 0)
			return true;
	return false;
}

static int
on_fact(struct store *s, const struct obs *o, long long ts)
{
	bool ext;

	if (o->attr == NULL || o->val == NULL)
		return 0;
	if (external(s, &o->who, ts, &ext) != 0)
		return -1;
	if (ext && serves_ot(o)) {
		int64_t id;

		if (remote_ot_asset(s, &o->who, ts, &id) != 0)
			return -1;
		ext = false;
	}
	if (ext)
		return ep_fact(s, &o->who.ip, o, ts, 0);
	if (strcmp(o->attr, A_DNS_ANSWER) == 0) {	/* passive DNS, not evidence */
		int64_t id;

		if (resolve(s, &o->who, ts, &id) != 0)
			return -1;
		return id ? ep_dns_answer(s, id, o->val, ts) : 0;
	}
	if (fact_one(s, o, ts) != 0)
		return -1;
	if (o->attr && o->val && strcmp(o->attr, A_VENDOR_ID) == 0)
		return name_vendor_id(s, o, ts);
	return 0;
}

static const char *
transport_name(uint8_t t)
{
	return t == L4_TCP ? "tcp" : t == L4_UDP ? "udp" : "l2";
}

/* When what a service or conversation report covers began: its first packet. */
static long long
first_secs(const struct obs *o, long long ts)
{
	return o->first_us && secs(o->first_us) < ts ? secs(o->first_us) : ts;
}

static int
on_service(struct store *s, const struct obs *o, long long ts)
{
	char ip[IP_STRLEN] = "";
	sqlite3_stmt *q;
	int64_t id;
	bool ext, serves = !(o->val && o->val[0] && strcmp(o->val, "server") != 0);

	if (external(s, &o->who, ts, &ext) != 0)
		return -1;
	if (ext && !(serves && ep_ot_protocol(o->proto, o->port)))
		return 0;		/* an endpoint's service: its flows say it */
	if (ext ? remote_ot_asset(s, &o->who, ts, &id) != 0 : resolve(s, &o->who, ts, &id) != 0)
		return -1;
	if (id == 0)
		return 0;
	if (ip_is_unicast_host(&o->who.ip))
		ip_fmt(&o->who.ip, ip);
	q = st_get(s, S_SVC_UPSERT);
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, transport_name(o->transport), -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 3, o->port);
	sqlite3_bind_text(q, 4, o->proto ? o->proto : "unknown", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, o->val && o->val[0] ? o->val : "server", -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 6, first_secs(o, ts));
	sqlite3_bind_int64(q, 8, ts);
	if (ip[0])
		sqlite3_bind_text(q, 7, ip, -1, SQLITE_STATIC);
	sqlite3_set_last_insert_rowid(s->db, 0);	/* set only when the upsert inserts */
	if (st_step(s, S_SVC_UPSERT) != SQLITE_DONE)
		return -1;
	if (sqlite3_last_insert_rowid(s->db) == 0)
		return 0;	/* a service seen again: its times moved, nothing the verdict reads */
	touch_for_risk(s, id);	/* a new service it serves can decide its category */
	if (o->val && o->val[0] && strcmp(o->val, "server") != 0)
		return 0;
	return ev_new_service(s, id, transport_name(o->transport), o->port,
	    o->proto ? o->proto : "unknown", first_secs(o, ts));
}

static int
on_peer(struct store *s, const struct obs *o, long long ts)
{
	int64_t cli, srv;
	sqlite3_stmt *q;
	char ip[IP_STRLEN];
	bool done;

	if (peer_external(s, o, ts, &done) != 0)
		return -1;
	if (done)
		return 0;
	if (resolve(s, &o->who, ts, &cli) != 0 || resolve(s, &o->peer, ts, &srv) != 0)
		return -1;
	if (cli == 0 || srv == 0 || cli == srv)
		return 0;
	q = st_get(s, S_CONV_UPSERT);
	sqlite3_bind_int64(q, 1, cli);
	sqlite3_bind_int64(q, 2, srv);
	sqlite3_bind_text(q, 3, transport_name(o->transport), -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 4, o->port);
	sqlite3_bind_text(q, 5, o->proto ? o->proto : "unknown", -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 6, (sqlite3_int64)o->pkts);
	sqlite3_bind_int64(q, 7, (sqlite3_int64)o->bytes);
	sqlite3_bind_int64(q, 8, first_secs(o, ts));
	sqlite3_bind_int64(q, 9, ts);
	sqlite3_set_last_insert_rowid(s->db, 0);	/* set only when the upsert inserts */
	if (st_step(s, S_CONV_UPSERT) != SQLITE_DONE)
		return -1;
	if (sqlite3_last_insert_rowid(s->db) == 0)
		return 0;
	ip_fmt(&o->who.ip, ip);
	return ev_new_client(s, cli, srv, ip, o->proto ? o->proto : "unknown", first_secs(o, ts),
	    sqlite3_last_insert_rowid(s->db));
}

/* OBS_OP: an operation, or a sum of them (packet/opagg.c). */
static int
on_op(struct store *s, const struct obs *o, long long ts)
{
	int64_t cli, srv;

	if (resolve(s, &o->who, ts, &cli) != 0 || resolve(s, &o->peer, ts, &srv) != 0)
		return -1;
	if (cli == srv)
		srv = 0;	/* one asset cannot be both: keep it as the client */
	return ev_operation(s, o, cli, srv, ts);
}

static int
dispatch(struct store *s, const struct obs *o, long long ts)
{
	switch (o->kind) {
	case OBS_ADDR:
		return on_addr(s, o, ts);
	case OBS_FACT:
		return on_fact(s, o, ts);
	case OBS_SERVICE:
		return on_service(s, o, ts);
	case OBS_PEER:
		return on_peer(s, o, ts);
	case OBS_OP:
		return on_op(s, o, ts);
	}
	return 0;
}


int
ingest_one(struct store *s, const void *arg)
{
	const struct obs *o = arg;
	long long ts = secs(o->ts_us);
	int rc;

	ev_saw(s, ts);
	if (ts > s->newest_ts)
		s->newest_ts = ts;
	s->cur_obs = o;		/* the flood gate judges new senders by it */
	rc = dispatch(s, o, ts);
	s->cur_obs = NULL;
	return rc;
}
