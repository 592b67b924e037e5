/*
 * events.c - writing events: operations summed into bursts, change events
 * once per value, the learning period (see events.h, docs/JSON.md).
 *
 * Runs inside the ingest transaction.  Its statements are its own, prepared
 * with the store's (ev_open).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obs.h"
#include "store_int.h"

#define US_PER_S	1000000ull

enum ev_stmt {
	E_INS_CHANGE, E_DUP, E_OP_FIND, E_OP_INS, E_OP_ADD, E_OP_REPLY, E_META_GET, E_META_PUT,
	E_IDENT_OLD, E_IDENT_KNOWN, E_ADDR_OLD, E_FIRST_SEEN, E_PAIR_OTHER, E_SILENT, E_NSTMTS
};

static const char *const ev_sql[E_NSTMTS] = {
	[E_INS_CHANGE] = "INSERT INTO events (ts, asset_id, kind, detail, severity, baseline, field, "
	    "old_value, new_value) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	/*
	 * kind compared with an expression, not a bare parameter: a bare ?2
	 * would be tested against the partial index on kind = 'operation', and
	 * SQLite then recompiles the statement every time ?2 is bound.
	 */
	[E_DUP] = "SELECT 1 FROM events WHERE asset_id = ?1 AND kind = ?2 || '' AND "
	    "coalesce(field, '') = ?3 AND coalesce(new_value, '') = ?4 LIMIT 1",
	[E_OP_FIND] = "SELECT id, ts, last_ts, detail FROM events WHERE kind = 'operation' AND "
	    "client_id IS ?1 AND server_id IS ?2 AND operation = ?3 AND protocol = ?4 "
	    "ORDER BY id DESC LIMIT 1",
	[E_OP_INS] = "INSERT INTO events (ts, asset_id, kind, detail, severity, baseline, protocol, "
	    "operation, client_id, client_ip, client_mac, server_id, server_ip, server_mac, count, "
	    "last_ts) VALUES (?1, ?2, 'operation', ?3, ?4, 0, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
	[E_OP_ADD] = "UPDATE events SET count = count + ?2, ts = min(ts, ?3), "
	    "last_ts = max(coalesce(last_ts, ?4), ?4), detail = ?5 WHERE id = ?1",
	[E_OP_REPLY] = "UPDATE events SET responses = responses + ?2, failed = failed + ?3 WHERE id = ?1",
	[E_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[E_META_PUT] = "INSERT INTO meta (key, value) VALUES (?1, ?2) "
	    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	/*
	 * The value this same source stated before, if another: the newest, the
	 * first in index order on a tie (as ORDER BY last_seen DESC LIMIT 1 gave,
	 * without its temporary B-tree); one row, value NULL when there is none.
	 */
	[E_IDENT_OLD] = "SELECT value, max(last_seen) FROM evidence WHERE asset_id = ?1 AND "
	    "attribute = ?2 AND source = ?3 AND value <> ?4",
	[E_IDENT_KNOWN] = "SELECT 1 FROM evidence WHERE asset_id = ?1 AND attribute = ?2 AND "
	    "value = ?3 AND source <> ?4 LIMIT 1",
	[E_ADDR_OLD] = "SELECT ip FROM addresses WHERE asset_id = ?1 AND ip <> ?2 AND count > 0 AND "
	    "instr(ip, ':') = 0 AND ip NOT LIKE '169.254.%' ORDER BY last_seen DESC LIMIT 1",
	[E_FIRST_SEEN] = "SELECT first_seen FROM assets WHERE id = ?1",
	[E_PAIR_OTHER] = "SELECT 1 FROM conversations WHERE client_id = ?1 AND server_id = ?2 AND "
	    "rowid <> ?3 LIMIT 1",
	[E_SILENT] = "INSERT INTO events (ts, asset_id, kind, detail, severity, baseline, field, old_value) "
	    "SELECT a.last_seen + ?2, a.id, 'asset_silent', 'not seen since ' || "
	    "strftime('%Y-%m-%dT%H:%M:%SZ', a.last_seen, 'unixepoch'), ?3, ?4, 'last_seen', "
	    "strftime('%Y-%m-%dT%H:%M:%SZ', a.last_seen, 'unixepoch') FROM assets a "
	    "WHERE a.last_seen < ?1 - ?2 AND NOT EXISTS (SELECT 1 FROM events e "
	    "WHERE e.asset_id = a.id AND e.kind = 'asset_silent' AND e.ts >= a.last_seen) LIMIT ?5",
};

struct ev_state {
	sqlite3_stmt	*st[E_NSTMTS];
	struct events_cfg cfg;
	/* the learning period, read from meta once per batch */
	bool		 bl_loaded, bl_done;
	long long	 bl_start;
	long long	 batch_max_ts;	/* packet time: newest observation of the batch */
	long long	 silent_swept;	/* packet time of the last asset_silent sweep */
};

static const char *const kind_names[EV_KIND_COUNT] = {
	[EV_OPERATION] = "operation",
	[EV_ASSET_NEW] = "asset_new",
	[EV_ADDRESS_CHANGED] = "address_changed",
	[EV_IDENTITY_CHANGED] = "identity_changed",
	[EV_NEW_CLIENT] = "new_client",
	[EV_NEW_SERVICE] = "new_service",
	[EV_GATEWAY] = "gateway",
	[EV_RISK_CHANGED] = "risk_changed",
	[EV_ASSET_SILENT] = "asset_silent",
	[EV_FLOOD] = "flood",
};

const char *
ev_kind_name(enum ev_kind k)
{
	return (unsigned)k < EV_KIND_COUNT ? kind_names[k] : NULL;
}

int
ev_kind_from_name(const char *name)
{
	for (int k = 0; k < EV_KIND_COUNT; k++)
		if (strcmp(kind_names[k], name) == 0)
			return k;
	return -1;
}

void
events_cfg_defaults(struct events_cfg *c)
{
	static const int sev[EV_KIND_COUNT] = {
		[EV_OPERATION] = 8, [EV_ASSET_NEW] = 3, [EV_ADDRESS_CHANGED] = 5,
		[EV_IDENTITY_CHANGED] = 7, [EV_NEW_CLIENT] = 6, [EV_NEW_SERVICE] = 4,
		[EV_GATEWAY] = 3, [EV_RISK_CHANGED] = 7, [EV_ASSET_SILENT] = 4,
		[EV_FLOOD] = 7,
	};

	memset(c, 0, sizeof(*c));
	c->learning_s = EV_LEARNING_DEFAULT_S;
	memcpy(c->severity, sev, sizeof(sev));
	for (int k = 0; k < OP_KIND_COUNT; k++)
		c->op_severity[k] = -1;
	/* what stops or rewrites a controller outranks a write */
	c->op_severity[OP_RESTART_COLD] = c->op_severity[OP_RESTART_WARM] = 9;
	c->op_severity[OP_STOP] = c->op_severity[OP_PROGRAM_DOWNLOAD] = 9;
	c->op_severity[OP_FIRMWARE_UPDATE] = 10;
	c->op_severity[OP_DIAGNOSTICS_READ] = 5;
	c->op_severity[OP_FILE_READ] = c->op_severity[OP_PROGRAM_UPLOAD] = 6;
}

int
events_cfg_severity(struct events_cfg *c, const char *text, char *err, size_t errsz)
{
	struct events_cfg n = *c;
	char buf[1024], *save = NULL, *item;

	snprintf(buf, sizeof(buf), "%s", text);
	for (item = strtok_r(buf, ", \t", &save); item; item = strtok_r(NULL, ", \t", &save)) {
		char *eq = strchr(item, '='), *end;
		long v;
		int k;

		if (eq == NULL) {
			snprintf(err, errsz, "severity: '%s' is not KIND=N", item);
			return -1;
		}
		*eq = '\0';
		v = strtol(eq + 1, &end, 10);
		if (eq[1] == '\0' || *end != '\0' || v < 0 || v > 10) {
			snprintf(err, errsz, "severity: %s: '%s' is not a number from 0 to 10", item, eq + 1);
			return -1;
		}
		if ((k = ev_kind_from_name(item)) >= 0)
			n.severity[k] = (int)v;
		else if ((k = (int)op_kind_from_name(item)) != OP_NONE)
			n.op_severity[k] = (int)v;
		else {
			snprintf(err, errsz, "severity: '%s' is neither an event kind nor an operation", item);
			return -1;
		}
	}
	*c = n;
	return 0;
}

int
ev_syslog_severity(int sev)
{
	return sev >= 9 ? 2 : sev >= 7 ? 3 : sev >= 5 ? 4 : sev >= 3 ? 5 : 6;
}

void
store_set_events(struct store *s, const struct events_cfg *c)
{
	if (s->ev)
		s->ev->cfg = *c;
}

int
ev_open(struct store *s, char *err, size_t errsz)
{
	if ((s->ev = calloc(1, sizeof(*s->ev))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	events_cfg_defaults(&s->ev->cfg);
	for (int i = 0; i < E_NSTMTS; i++)
		if (sqlite3_prepare_v3(s->db, ev_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		    &s->ev->st[i], NULL) != SQLITE_OK) {
			snprintf(err, errsz, "%s: preparing event statement %d: %s", s->path, i,
			    sqlite3_errmsg(s->db));
			return -1;
		}
	return 0;
}

void
ev_close(struct store *s)
{
	if (s->ev == NULL)
		return;
	for (int i = 0; i < E_NSTMTS; i++)
		sqlite3_finalize(s->ev->st[i]);
	free(s->ev);
	s->ev = NULL;
}

static sqlite3_stmt *
eq(struct store *s, enum ev_stmt id)
{
	sqlite3_reset(s->ev->st[id]);
	sqlite3_clear_bindings(s->ev->st[id]);
	return s->ev->st[id];
}

static int
estep(struct store *s, enum ev_stmt id)
{
	int rc = sqlite3_step(s->ev->st[id]);

	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		st_error(s, "event write failed");
	return rc;
}

static void
bind_opt_text(sqlite3_stmt *q, int i, const char *v)
{
	if (v && v[0])
		sqlite3_bind_text(q, i, v, -1, SQLITE_TRANSIENT);
}

static void
bind_opt_id(sqlite3_stmt *q, int i, int64_t id)
{
	if (id)
		sqlite3_bind_int64(q, i, id);
}

/* --- the learning period ------------------------------------------------------ */

static long long
meta_int(struct store *s, const char *key)
{
	sqlite3_stmt *q = eq(s, E_META_GET);
	long long v = 0;

	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return v;
}

static int
meta_put_int(struct store *s, const char *key, long long v)
{
	sqlite3_stmt *q = eq(s, E_META_PUT);

	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, v);
	return estep(s, E_META_PUT) == SQLITE_DONE ? 0 : -1;
}

static int
baseline_end(struct store *s, long long ts)
{
	s->ev->bl_done = true;
	return meta_put_int(s, "baseline_end", ts);
}

/*
 * Is a change at packet time ts still learnt (baseline = 1)?  The period
 * starts with the first change recorded and ends learning_s of packet
 * time later or at `baseline --accept`.  Times that are not packet times
 * (a risk re-evaluation after SIGHUP) never end it: reading an old capture
 * must not end the learning period because the wall clock is later.
 */
static int
learning(struct store *s, long long ts, bool packet_time, bool *out)
{
	struct ev_state *e = s->ev;

	*out = false;
	if (!e->bl_loaded) {
		e->bl_done = meta_int(s, "baseline_end") != 0;
		e->bl_start = meta_int(s, "baseline_start");
		e->bl_loaded = true;
	}
	if (e->bl_done)
		return 0;
	if (e->cfg.learning_s <= 0)
		return packet_time ? baseline_end(s, ts) : 0;
	if (e->bl_start == 0 && packet_time) {
		e->bl_start = ts;
		if (meta_put_int(s, "baseline_start", ts) != 0)
			return -1;
	}
	if (packet_time && e->bl_start && ts >= e->bl_start + e->cfg.learning_s)
		return baseline_end(s, e->bl_start + e->cfg.learning_s);
	*out = true;
	return 0;
}

/* --- change events ------------------------------------------------------------ */

static bool
already_said(struct store *s, int64_t asset, const char *kind, const char *field, const char *val)
{
	sqlite3_stmt *q = eq(s, E_DUP);
	bool yes;

	sqlite3_bind_int64(q, 1, asset);
	sqlite3_bind_text(q, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, field ? field : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, val ? val : "", -1, SQLITE_STATIC);
	yes = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_reset(q);
	return yes;
}

int
ev_change(struct store *s, long long ts, int64_t asset, enum ev_kind k, const char *field,
    const char *old, const char *new, const char *detail, bool packet_time)
{
	const char *kind = ev_kind_name(k);
	sqlite3_stmt *q;
	bool bl;

	if (s->ev == NULL || kind == NULL)
		return 0;
	if (asset && k != EV_ASSET_NEW && already_said(s, asset, kind, field, new))
		return 0;		/* once per value, whatever source said it again */
	if (learning(s, ts, packet_time, &bl) != 0)
		return -1;
	q = eq(s, E_INS_CHANGE);
	sqlite3_bind_int64(q, 1, ts);
	bind_opt_id(q, 2, asset);
	sqlite3_bind_text(q, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, detail ? detail : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, 5, s->ev->cfg.severity[k]);
	sqlite3_bind_int(q, 6, bl);
	bind_opt_text(q, 7, field);
	bind_opt_text(q, 8, old);
	bind_opt_text(q, 9, new);
	if (estep(s, E_INS_CHANGE) != SQLITE_DONE)
		return -1;
	s->stats.events_written++;
	return 0;
}

int
add_event(struct store *s, long long ts, int64_t asset_id, const char *kind, const char *detail)
{
	int k = ev_kind_from_name(kind);

	return k < 0 ? 0 : ev_change(s, ts, asset_id, (enum ev_kind)k, NULL, NULL, NULL, detail, true);
}

static bool
identity_tracked(const char *attr, const char *src)
{
	/* derived values follow their inputs: the input's change is the event */
	if (strncmp(src, "rule:", 5) == 0 || strcmp(src, "oui") == 0)
		return false;
	return strcmp(attr, A_VENDOR) == 0 || strcmp(attr, A_MODEL) == 0 ||
	    strcmp(attr, A_FIRMWARE) == 0 || strcmp(attr, A_SERIAL) == 0;
}

/*
 * New evidence (attr = val from src) on an asset: an identity change when
 * the same source stated another value before, and no other source had
 * already stated this one (then the change was said already).
 */
int
ev_identity(struct store *s, int64_t id, const char *attr, const char *val, const char *src,
    long long ts)
{
	sqlite3_stmt *q;
	char old[256], detail[700];
	bool known;

	if (s->ev == NULL || !identity_tracked(attr, src))
		return 0;
	if (evid_flush_asset(s, id) != 0)	/* the query orders by last_seen */
		return -1;
	q = eq(s, E_IDENT_OLD);
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, attr, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, src, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, val, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_ROW || sqlite3_column_type(q, 0) == SQLITE_NULL) {
		sqlite3_reset(q);
		return 0;		/* the first value it states: identity learnt, not changed */
	}
	snprintf(old, sizeof(old), "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_reset(q);
	q = eq(s, E_IDENT_KNOWN);
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, attr, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, val, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, src, -1, SQLITE_STATIC);
	known = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_reset(q);
	if (known)
		return 0;
	snprintf(detail, sizeof(detail), "%s: %s -> %s (%s)", attr, old, val, src);
	return ev_change(s, ts, id, EV_IDENTITY_CHANGED, attr, old, val, detail, true);
}

/* A new IPv4 address of a MAC-keyed host that used another before. */
int
ev_address(struct store *s, int64_t id, const char *ip, const char *src, long long ts)
{
	sqlite3_stmt *q;
	char old[64], detail[200];

	if (s->ev == NULL || strchr(ip, ':') || strncmp(ip, "169.254.", 8) == 0)
		return 0;
	q = eq(s, E_ADDR_OLD);
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, ip, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_ROW) {
		sqlite3_reset(q);
		return 0;		/* its first address: part of asset_new */
	}
	snprintf(old, sizeof(old), "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_reset(q);
	snprintf(detail, sizeof(detail), "address %s -> %s (%s)", old, ip, src);
	return ev_change(s, ts, id, EV_ADDRESS_CHANGED, "ip", old, ip, detail, true);
}

/* Was the asset discovered only just now (what it does then is part of its discovery)? */
static bool
just_discovered(struct store *s, int64_t id, long long ts)
{
	sqlite3_stmt *q = eq(s, E_FIRST_SEEN);
	bool yes = true;

	sqlite3_bind_int64(q, 1, id);
	if (sqlite3_step(q) == SQLITE_ROW)
		yes = ts - sqlite3_column_int64(q, 0) < EVENT_NEW_GRACE_S;
	sqlite3_reset(q);
	return yes;
}

int
ev_new_service(struct store *s, int64_t id, const char *transport, int port, const char *proto,
    long long ts)
{
	char val[96], detail[160];

	if (s->ev == NULL || just_discovered(s, id, ts))
		return 0;
	snprintf(val, sizeof(val), "%s/%d %s", transport, port, proto);
	snprintf(detail, sizeof(detail), "serves %s", val);
	return ev_change(s, ts, id, EV_NEW_SERVICE, "service", NULL, val, detail, true);
}

/*
 * A conversation row was just created (rowid): a new client of the server
 * when no other row joins the two and the server is a controller (speaks
 * an industrial protocol on that conversation).
 */
int
ev_new_client(struct store *s, int64_t cli, int64_t srv, const char *cli_addr, const char *proto,
    long long ts, int64_t rowid)
{
	static const char *const ot[] = { "modbus", "dnp3", "iec104", "enip", "s7comm", "mms",
	    "bacnet", "opcua", "pn_dcp", NULL };
	sqlite3_stmt *q;
	char val[32], detail[200];
	bool other;
	int i;

	if (s->ev == NULL)
		return 0;
	for (i = 0; ot[i] && strcmp(ot[i], proto) != 0; i++)
		;
	if (ot[i] == NULL || just_discovered(s, srv, ts))
		return 0;
	q = eq(s, E_PAIR_OTHER);
	sqlite3_bind_int64(q, 1, cli);
	sqlite3_bind_int64(q, 2, srv);
	sqlite3_bind_int64(q, 3, rowid);
	other = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_reset(q);
	if (other)
		return 0;
	snprintf(val, sizeof(val), "%lld", (long long)cli);
	snprintf(detail, sizeof(detail), "new %s client: asset %lld (%s)", proto, (long long)cli,
	    cli_addr && cli_addr[0] ? cli_addr : "?");
	return ev_change(s, ts, srv, EV_NEW_CLIENT, "client", NULL, val, detail, true);
}

/* --- operations --------------------------------------------------------------- */

/*
 * Merge detail lists of the form "a; b; +N more" (packet/opagg.c writes
 * them) into out: the distinct items in order up to EVENT_DETAIL_ITEMS
 * and EVENT_DETAIL_MAX bytes, the rest counted.
 */
static void
detail_merge(const char *a, const char *b, char *out, size_t outsz)
{
	char items[EVENT_DETAIL_ITEMS][OPAGG_ITEM_MAX];
	char buf[2][EVENT_DETAIL_MAX + OBS_VAL_MAX];
	size_t nitems = 0, n = 0, room = outsz < EVENT_DETAIL_MAX ? outsz : EVENT_DETAIL_MAX;
	unsigned long more = 0;

	snprintf(buf[0], sizeof(buf[0]), "%s", a ? a : "");
	snprintf(buf[1], sizeof(buf[1]), "%s", b ? b : "");
	for (int k = 0; k < 2; k++) {
		char *save = NULL;

		for (char *it = strtok_r(buf[k], ";", &save); it; it = strtok_r(NULL, ";", &save)) {
			size_t i;
			unsigned long m;
			char tail[8];

			while (*it == ' ')
				it++;
			if (*it == '\0')
				continue;
			if (sscanf(it, "+%lu mor%1s", &m, tail) == 2) {
				more += m;
				continue;
			}
			for (i = 0; i < nitems && strcmp(items[i], it) != 0; i++)
				;
			if (i < nitems)
				continue;
			if (nitems == EVENT_DETAIL_ITEMS) {
				more++;
				continue;
			}
			snprintf(items[nitems++], sizeof(items[0]), "%s", it);
		}
	}
	out[0] = '\0';
	for (size_t i = 0; i < nitems; i++) {
		/* keep room for the "; +N more" that cutting here may need */
		if (n + strlen(items[i]) + 2 + 20 >= room) {
			more += nitems - i;
			break;
		}
		n += (size_t)snprintf(out + n, outsz - n, "%s%s", n ? "; " : "", items[i]);
	}
	if (more)
		snprintf(out + n, outsz - n, "%s+%lu more", n ? "; " : "", more);
}

static int
op_severity(const struct store *s, unsigned kind)
{
	int v = kind < OP_KIND_COUNT ? s->ev->cfg.op_severity[kind] : -1;

	return v >= 0 ? v : s->ev->cfg.severity[EV_OPERATION];
}

struct op_side {
	int64_t		 id;
	char		 ip[IP_STRLEN], mac[MAC_STRLEN];
};

static void
side_of(const struct asset_ref *r, int64_t id, struct op_side *out)
{
	out->id = id;
	out->ip[0] = out->mac[0] = '\0';
	if (ip_is_unicast_host(&r->ip))
		ip_fmt(&r->ip, out->ip);
	if (!mac_is_zero(r->mac))
		mac_fmt(r->mac, out->mac);
}

static int
op_insert(struct store *s, const struct obs *o, const struct op_side *c, const struct op_side *v,
    long long ts, long long last, const char *detail)
{
	sqlite3_stmt *q = eq(s, E_OP_INS);

	sqlite3_bind_int64(q, 1, ts);
	bind_opt_id(q, 2, v->id ? v->id : c->id);	/* the controller acted on */
	sqlite3_bind_text(q, 3, detail, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, 4, op_severity(s, o->op));
	sqlite3_bind_text(q, 5, o->proto ? o->proto : "unknown", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 6, op_kind_name(o->op), -1, SQLITE_STATIC);
	bind_opt_id(q, 7, c->id);
	bind_opt_text(q, 8, c->ip);
	bind_opt_text(q, 9, c->mac);
	bind_opt_id(q, 10, v->id);
	bind_opt_text(q, 11, v->ip);
	bind_opt_text(q, 12, v->mac);
	sqlite3_bind_int64(q, 13, o->op_n ? o->op_n : 1);
	sqlite3_bind_int64(q, 14, last);
	if (estep(s, E_OP_INS) != SQLITE_DONE)
		return -1;
	s->stats.events_written++;
	return 0;
}

/*
 * One OBS_OP (a sum from packet/opagg.c, or a single report).  A request
 * joins the latest event of the same (client, server, protocol, kind)
 * unless OP_BURST_GAP_S of silence lie between them; a reply counts into
 * that latest event, and without one it is counted and dropped.
 */
int
ev_operation(struct store *s, const struct obs *o, int64_t cli, int64_t srv, long long ts)
{
	long long last = o->op_last_us ? (long long)(o->op_last_us / US_PER_S) : ts;
	unsigned n = o->op_n ? o->op_n : 1;
	struct op_side c, v;
	sqlite3_stmt *q;
	int64_t id = 0;
	long long e_ts = 0, e_last = 0;
	char old[EVENT_DETAIL_MAX + 1] = "", detail[EVENT_DETAIL_MAX + 1];

	if (s->ev == NULL || op_kind_name(o->op) == NULL || (cli == 0 && srv == 0))
		return 0;
	q = eq(s, E_OP_FIND);
	bind_opt_id(q, 1, cli);
	bind_opt_id(q, 2, srv);
	sqlite3_bind_text(q, 3, op_kind_name(o->op), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, o->proto ? o->proto : "unknown", -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW) {
		id = sqlite3_column_int64(q, 0);
		e_ts = sqlite3_column_int64(q, 1);
		e_last = sqlite3_column_int64(q, 2);
		snprintf(old, sizeof(old), "%s", (const char *)sqlite3_column_text(q, 3));
	}
	sqlite3_reset(q);
	if (o->op_phase != OP_REQUEST) {
		if (id == 0) {
			s->stats.replies_unmatched += n;
			return 0;
		}
		q = eq(s, E_OP_REPLY);
		sqlite3_bind_int64(q, 1, id);
		sqlite3_bind_int64(q, 2, n);
		sqlite3_bind_int64(q, 3, o->op_phase == OP_REPLY_FAILED ? n : 0);
		return estep(s, E_OP_REPLY) == SQLITE_DONE ? 0 : -1;
	}
	if (id && ts <= e_last + OP_BURST_GAP_S && last + OP_BURST_GAP_S >= e_ts) {
		detail_merge(old, o->val, detail, sizeof(detail));
		q = eq(s, E_OP_ADD);
		sqlite3_bind_int64(q, 1, id);
		sqlite3_bind_int64(q, 2, n);
		sqlite3_bind_int64(q, 3, ts);
		sqlite3_bind_int64(q, 4, last);
		sqlite3_bind_text(q, 5, detail, -1, SQLITE_TRANSIENT);
		return estep(s, E_OP_ADD) == SQLITE_DONE ? 0 : -1;
	}
	side_of(&o->who, cli, &c);
	side_of(&o->peer, srv, &v);
	detail_merge(NULL, o->val, detail, sizeof(detail));
	return op_insert(s, o, &c, &v, ts, last, detail);
}

/* --- batches ------------------------------------------------------------------ */

void
ev_batch_begin(struct store *s)
{
	if (s->ev == NULL)
		return;
	s->ev->bl_loaded = false;	/* `baseline --accept` may have written meta */
	s->ev->batch_max_ts = 0;
}

void
ev_saw(struct store *s, long long ts)
{
	if (s->ev && ts > s->ev->batch_max_ts)
		s->ev->batch_max_ts = ts;
}

long long
ev_batch_time(const struct store *s)
{
	return s->ev ? s->ev->batch_max_ts : 0;
}

/* After the batch's last_seen moves are written: assets unseen for silent_s. */
int
ev_batch_end(struct store *s)
{
	struct ev_state *e = s->ev;
	long long now;
	sqlite3_stmt *q;
	bool bl;

	if (e == NULL || e->cfg.silent_s <= 0 || (now = e->batch_max_ts) == 0 ||
	    now - e->silent_swept < SILENT_EVERY_S)
		return 0;
	e->silent_swept = now;
	if (learning(s, now, true, &bl) != 0)
		return -1;
	q = eq(s, E_SILENT);
	sqlite3_bind_int64(q, 1, now);
	sqlite3_bind_int64(q, 2, e->cfg.silent_s);
	sqlite3_bind_int(q, 3, e->cfg.severity[EV_ASSET_SILENT]);
	sqlite3_bind_int(q, 4, bl);
	sqlite3_bind_int(q, 5, SILENT_MAX);
	if (estep(s, E_SILENT) != SQLITE_DONE)
		return -1;
	s->stats.events_written += (uint64_t)sqlite3_changes(s->db);
	return 0;
}
