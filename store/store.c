/*
 * store.c - opening, migrating and batching (see store.h).
 *
 * WAL lets the CLI read while the daemon writes; synchronous=NORMAL in
 * WAL mode keeps every committed batch across a process crash or kill -9
 * (only a power cut may lose the last batches).  One transaction per
 * batch; statements prepared once.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "strcut.h"
#include "bigmem.h"
#include "obsq.h"
#include "schema.h"
#include "sql_frag.h"
#include "endpoints.h"
#include "store_int.h"


static const char *const sql[S_NSTMTS] = {
	[S_ASSET_BY_MAC] = "SELECT id, gateway FROM assets WHERE mac = ?1",
	[S_ASSET_BY_KEYIP] = "SELECT id FROM assets WHERE key_ip = ?1",
	[S_ASSET_INS_MAC] = "INSERT INTO assets (mac, vlan, first_seen, last_seen, oui_vendor, "
	    "oui_country, mac_local) VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6)",
	[S_ASSET_INS_IP] = "INSERT INTO assets (key_ip, vlan, first_seen, last_seen) "
	    "VALUES (?1, ?2, ?3, ?3)",
	[S_ASSET_TOUCH] = "UPDATE assets SET last_seen = max(last_seen, ?3), "
	    "first_seen = min(first_seen, ?2) WHERE id = ?1",
	[S_ADDR_UPSERT] = "INSERT INTO addresses (asset_id, ip, source, first_seen, last_seen) "
	    "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (asset_id, ip) DO UPDATE SET "
	    "last_seen = CASE WHEN count = 0 THEN excluded.last_seen "
	    "ELSE max(last_seen, excluded.last_seen) END, "
	    "first_seen = CASE WHEN count = 0 THEN excluded.first_seen "
	    "ELSE min(first_seen, excluded.first_seen) END, count = count + 1, "
	    "source = CASE WHEN excluded.source = 'arp' THEN 'arp' ELSE source END",
	/* a sighting of an address already counted (changes() == 0: new, or a key IP's placeholder) */
	[S_ADDR_SEEN] = "UPDATE addresses SET last_seen = max(last_seen, ?4), "
	    "first_seen = min(first_seen, ?4), count = count + 1, "
	    "source = CASE WHEN ?3 = 'arp' THEN 'arp' ELSE source END "
	    "WHERE asset_id = ?1 AND ip = ?2 AND count > 0",
	[S_ADDR_FIND_IP] = "SELECT d.asset_id FROM addresses d JOIN assets a ON a.id = d.asset_id "
	    "WHERE d.ip = ?1 AND a.gateway = 0 ORDER BY d.last_seen DESC LIMIT 1",
	[S_EVID_UPSERT] = "INSERT INTO evidence (asset_id, attribute, value, source, confidence, "
	    "first_seen, last_seen, via_ip) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7) "
	    "ON CONFLICT (asset_id, attribute, value, source) DO UPDATE SET "
	    "last_seen = max(last_seen, excluded.last_seen), "
	    "first_seen = min(first_seen, excluded.first_seen), count = count + 1, "
	    "confidence = max(confidence, excluded.confidence)",
	[S_SVC_UPSERT] = "INSERT INTO services (asset_id, transport, port, protocol, role, "
	    "first_seen, last_seen, via_ip) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?8, ?7) "
	    "ON CONFLICT (asset_id, transport, port, protocol, role) DO UPDATE SET "
	    "last_seen = max(last_seen, excluded.last_seen), "
	    "first_seen = min(first_seen, excluded.first_seen)",
	[S_CONV_UPSERT] = "INSERT INTO conversations (client_id, server_id, transport, port, "
	    "protocol, packets, bytes, first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
	    "ON CONFLICT (client_id, server_id, transport, port, protocol) DO UPDATE SET "
	    "packets = packets + excluded.packets, bytes = bytes + excluded.bytes, "
	    "last_seen = max(last_seen, excluded.last_seen), "
	    "first_seen = min(first_seen, excluded.first_seen)",
	[S_EVENT_INS] = "INSERT INTO events (ts, asset_id, kind, detail) VALUES (?1, ?2, ?3, ?4)",
	[S_GW_RECENT] = "SELECT count(*) FROM addresses WHERE asset_id = ?1 AND source = 'ip' "
	    "AND last_seen >= ?2 AND instr(ip, ':') = 0 AND ip NOT LIKE '169.254.%'",
	[S_GW_SET] = "UPDATE assets SET gateway = 1 WHERE id = ?1 AND gateway = 0",
	/*
	 * +attribute: the asset's few rows by asset_id, the IN list tested on
	 * each; an IN that drives the index search builds a temporary table at
	 * every run (same rows, same order into the sort).
	 */
	[S_RISK_EVID] = "SELECT attribute, value, source, confidence FROM evidence "
	    "WHERE asset_id = ?1 AND +attribute IN ('vendor', 'oui_country') "
	    "ORDER BY confidence DESC, count DESC",
	[S_ADDR_CLAIMED] = "SELECT 1 FROM addresses WHERE asset_id = ?1 AND ip = ?2 AND source = 'arp'",
	/* every IP a new gateway carried that it does not claim in ARP */
	[S_GW_ADDRS] = "SELECT ip, min(f) FROM ("
	    "SELECT ip, first_seen f FROM addresses WHERE asset_id = ?1 AND source <> 'arp' "
	    "UNION ALL SELECT via_ip, first_seen FROM evidence WHERE asset_id = ?1 AND via_ip IS NOT NULL "
	    "UNION ALL SELECT via_ip, first_seen FROM services WHERE asset_id = ?1 AND via_ip IS NOT NULL) "
	    "WHERE ip NOT IN (SELECT ip FROM addresses WHERE asset_id = ?1 AND source = 'arp') "
	    "GROUP BY ip",
	/*
	 * The key IP of an IP-keyed asset.  count 0: sightings are OBS_ADDR
	 * only, and the first real sighting replaces these placeholder times.
	 */
	[S_ADDR_INS_KEY] = "INSERT OR IGNORE INTO addresses (asset_id, ip, source, first_seen, "
	    "last_seen, count) VALUES (?1, ?2, 'ip', ?3, ?3, 0)",
	/*
	 * Re-homing rows of asset ?1 that came with IP ?3 to asset ?2: merged,
	 * so counts add and times widen as if they had gone there directly.
	 */
	[S_MV_TOUCH] = "WITH m (f, l) AS ("
	    "SELECT first_seen, last_seen FROM evidence WHERE asset_id = ?1 AND via_ip = ?3 "
	    "UNION ALL SELECT first_seen, last_seen FROM services WHERE asset_id = ?1 AND via_ip = ?3 "
	    "UNION ALL SELECT first_seen, last_seen FROM addresses WHERE asset_id = ?1 AND ip = ?3) "
	    "UPDATE assets SET "
	    "first_seen = min(first_seen, coalesce((SELECT min(f) FROM m), first_seen)), "
	    "last_seen = max(last_seen, coalesce((SELECT max(l) FROM m), last_seen)) WHERE id = ?2",
	[S_MV_EVID] = "INSERT INTO evidence (asset_id, attribute, value, source, confidence, "
	    "first_seen, last_seen, count, via_ip) SELECT ?2, attribute, value, source, confidence, "
	    "first_seen, last_seen, count, via_ip FROM evidence WHERE asset_id = ?1 AND via_ip = ?3 "
	    "ON CONFLICT (asset_id, attribute, value, source) DO UPDATE SET "
	    "count = count + excluded.count, confidence = max(confidence, excluded.confidence), "
	    "first_seen = min(first_seen, excluded.first_seen), "
	    "last_seen = max(last_seen, excluded.last_seen)",
	[S_MV_SVC] = "INSERT INTO services (asset_id, transport, port, protocol, role, first_seen, "
	    "last_seen, via_ip) SELECT ?2, transport, port, protocol, role, first_seen, last_seen, "
	    "via_ip FROM services WHERE asset_id = ?1 AND via_ip = ?3 "
	    "ON CONFLICT (asset_id, transport, port, protocol, role) DO UPDATE SET "
	    "first_seen = min(first_seen, excluded.first_seen), "
	    "last_seen = max(last_seen, excluded.last_seen)",
	[S_MV_ADDR] = "INSERT INTO addresses (asset_id, ip, source, first_seen, last_seen, count) "
	    "SELECT ?2, ip, source, first_seen, last_seen, count FROM addresses "
	    "WHERE asset_id = ?1 AND ip = ?3 ON CONFLICT (asset_id, ip) DO UPDATE SET "
	    "count = count + excluded.count, "
	    "first_seen = CASE WHEN count = 0 THEN excluded.first_seen "
	    "ELSE min(first_seen, excluded.first_seen) END, "
	    "last_seen = CASE WHEN count = 0 THEN excluded.last_seen "
	    "ELSE max(last_seen, excluded.last_seen) END, "
	    "source = CASE WHEN excluded.source = 'arp' THEN 'arp' ELSE source END",
	[S_MV_EVID_DEL] = "DELETE FROM evidence WHERE asset_id = ?1 AND via_ip = ?3",
	[S_MV_SVC_DEL] = "DELETE FROM services WHERE asset_id = ?1 AND via_ip = ?3",
	/* merging IP-keyed asset ?1 into gateway ?2 that turned out to own its IP */
	[S_MG_CONV_CLI] = "INSERT INTO conversations (client_id, server_id, transport, port, protocol, "
	    "packets, bytes, first_seen, last_seen) SELECT ?2, server_id, transport, port, protocol, "
	    "packets, bytes, first_seen, last_seen FROM conversations WHERE client_id = ?1 "
	    "AND server_id <> ?2 ON CONFLICT (client_id, server_id, transport, port, protocol) "
	    "DO UPDATE SET packets = packets + excluded.packets, bytes = bytes + excluded.bytes, "
	    "first_seen = min(first_seen, excluded.first_seen), "
	    "last_seen = max(last_seen, excluded.last_seen)",
	[S_MG_CONV_SRV] = "INSERT INTO conversations (client_id, server_id, transport, port, protocol, "
	    "packets, bytes, first_seen, last_seen) SELECT client_id, ?2, transport, port, protocol, "
	    "packets, bytes, first_seen, last_seen FROM conversations WHERE server_id = ?1 "
	    "AND client_id NOT IN (?1, ?2) ON CONFLICT (client_id, server_id, transport, port, protocol) "
	    "DO UPDATE SET packets = packets + excluded.packets, bytes = bytes + excluded.bytes, "
	    "first_seen = min(first_seen, excluded.first_seen), "
	    "last_seen = max(last_seen, excluded.last_seen)",
	[S_MG_EVENTS] = "UPDATE events SET asset_id = ?2 WHERE asset_id = ?1",
	[S_MG_DEL] = "DELETE FROM assets WHERE id = ?1",
	[S_ADDR_DEL] = "DELETE FROM addresses WHERE asset_id = ?1 AND ip = ?2",
	[S_RISK_GET] = "SELECT level FROM risk WHERE asset_id = ?1",
	[S_ASSET_ADDRS] = "SELECT coalesce(a.mac, ''), coalesce(" SQL_CURRENT_IP("a") ", '') "
	    "FROM assets a WHERE a.id = ?1",
	[S_RISK_PUT] = "INSERT OR REPLACE INTO risk (asset_id, level, vendor, country, reason, "
	    "accepted, evaluated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	/* what decides the device category (ident/category.c), strongest first */
	[S_CAT_FACTS] = "SELECT attribute, value, source FROM evidence WHERE asset_id = ?1 AND "
	    "attribute IN ('role', 'device_type', 'product_code', 'model', 'hostname', 'os', "
	    "'vendor') "
	    "UNION ALL SELECT 'service', protocol, role FROM services WHERE asset_id = ?1 "
	    "AND role = 'server' "
	    "UNION ALL SELECT 'gateway', gateway, last_seen FROM assets WHERE id = ?1",
	[S_CAT_PUT] = "UPDATE assets SET category = ?2, category_reason = ?3 WHERE id = ?1 AND "
	    "(category IS NOT ?2 OR category_reason IS NOT ?3)",
};

void
st_error(struct store *s, const char *what)
{
	s->last_rc = sqlite3_extended_errcode(s->db);
	str_cutf(s->errmsg, sizeof(s->errmsg), "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

sqlite3_stmt *
st_get(struct store *s, enum stmt_id id)
{
	sqlite3_reset(s->st[id]);
	sqlite3_clear_bindings(s->st[id]);
	return s->st[id];
}

int
st_step(struct store *s, enum stmt_id id)
{
	int rc = sqlite3_step(s->st[id]);

	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		st_error(s, "write failed");
	return rc;
}

/* A sentence an operator can act on, for a failed open. */
static void
open_error(struct store *s, int rc, char *err, size_t errsz)
{
	const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		snprintf(err, errsz, "%s is not a spanwatch database or is corrupt (SQLite: %s); "
		    "move it aside or restore a backup", s->path, msg);
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		snprintf(err, errsz, "%s is locked by another process (SQLite: %s); is another "
		    "spanwatchd writing to it?", s->path, msg);
		break;
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_READONLY:
		snprintf(err, errsz, "cannot open %s%s (SQLite: %s); check the path and that this "
		    "user may %s it", s->path, s->mode == STORE_RO ? " for reading" : "", msg,
		    s->mode == STORE_RO ? "read" : "write");
		break;
	default:
		snprintf(err, errsz, "%s: %s", s->path, msg);
	}
}

static int
exec(struct store *s, const char *q)
{
	return sqlite3_exec(s->db, q, NULL, NULL, NULL);
}

static int
user_version(struct store *s, int *v)
{
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &q, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(q);
	*v = rc == SQLITE_ROW ? sqlite3_column_int(q, 0) : 0;
	sqlite3_finalize(q);
	return rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static int
has_tables(struct store *s, int *n)
{
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master", -1, &q, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(q);
	*n = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static int
migrate(struct store *s, int from, char *err, size_t errsz)
{
	for (int v = from + 1; v <= schema_version(); v++) {
		char pragma[64];
		int rc;

		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v);
		if ((rc = exec(s, "BEGIN IMMEDIATE")) != SQLITE_OK ||
		    (rc = exec(s, schema_migration(v))) != SQLITE_OK ||
		    (rc = exec(s, pragma)) != SQLITE_OK ||
		    (rc = exec(s, "COMMIT")) != SQLITE_OK) {
			snprintf(err, errsz, "%s: migrating the schema to version %d failed: %s",
			    s->path, v, sqlite3_errmsg(s->db));
			exec(s, "ROLLBACK");
			return rc ? rc : SQLITE_ERROR;
		}
	}
	return SQLITE_OK;
}

/* Check (and in RW mode bring up to date) the schema version. */
static int
check_schema(struct store *s, char *err, size_t errsz)
{
	int v = 0, ntables = 0, rc;

	if ((rc = user_version(s, &v)) != SQLITE_OK || (rc = has_tables(s, &ntables)) != SQLITE_OK) {
		open_error(s, rc, err, errsz);
		return -1;
	}
	if (v > schema_version()) {
		snprintf(err, errsz, "%s has schema version %d, newer than this spanwatch (%d): "
		    "use the spanwatch release that wrote it", s->path, v, schema_version());
		return -1;
	}
	if (v == 0 && ntables > 0) {
		snprintf(err, errsz, "%s is an SQLite database but not a spanwatch one "
		    "(no schema version); choose another file", s->path);
		return -1;
	}
	if (s->mode == STORE_RO) {
		if (v == 0) {
			snprintf(err, errsz, "%s is empty: spanwatchd has not written to it yet", s->path);
			return -1;
		}
		return 0;
	}
	if (v < schema_version() && migrate(s, v, err, errsz) != SQLITE_OK)
		return -1;
	return 0;
}

static int
prepare_all(struct store *s, char *err, size_t errsz)
{
	for (int i = 0; i < S_NSTMTS; i++)
		if (sqlite3_prepare_v3(s->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
			snprintf(err, errsz, "%s: preparing statement %d: %s", s->path, i, sqlite3_errmsg(s->db));
			return -1;
		}
	return 0;
}

/*
 * Before SQLite initialises (the first open).  Debian's SQLite is built
 * without lookaside, so each cursor of each statement is a malloc that in
 * the default serialized mode also took the memory-statistics mutex (some
 * 6% of the ingest cost): memory statistics are off.  Multi-thread mode
 * drops the per-connection mutexes too; it allows one connection per
 * thread, which is how spanwatch uses SQLite (the daemon's scheduled
 * export runs on a thread with a handle of its own).  Too late
 * (SQLITE_MISUSE) once SQLite is initialised: harmless, it then runs as
 * before.
 */
static void
sqlite_setup(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

struct store *
store_open(const char *path, enum store_mode mode, char *err, size_t errsz)
{
	struct store *s = calloc(1, sizeof(*s));
	int flags = mode == STORE_RO ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	struct stat sb;
	int rc;

	if (s == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	sqlite_setup();
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		snprintf(err, errsz, "%s is a directory, not a database file; give a file name "
		    "such as %s/spanwatch.db", path, path);
		free(s);
		return NULL;
	}
	s->mode = mode;
	s->limits = (struct store_limits){ (uint64_t)STORE_MAX_DB_MB_DEFAULT << 20,
	    STORE_EVENT_KEEP_DAYS_DEFAULT, FLOOD_BURST_DEFAULT, FLOOD_RATE_DEFAULT,
	    FLOOD_FIRST_START_BURST };
	s->cache_gen = 1;	/* zeroed entries (generation 0) never match */
	snprintf(s->path, sizeof(s->path), "%s", path);
	if (mode == STORE_RW && ((s->cache = bigmem_alloc(ACACHE_SLOTS * sizeof(*s->cache))) == NULL ||
	    (s->touch = calloc(STORE_TOUCH_SLOTS, sizeof(*s->touch))) == NULL ||
	    (s->touch_used = calloc(STORE_TOUCH_SLOTS / 2, sizeof(*s->touch_used))) == NULL ||
	    riskset_init(&s->risk, STORE_RISK_MAX) != 0)) {
		bigmem_free(s->cache, ACACHE_SLOTS * sizeof(*s->cache));
		free(s->touch);
		free(s->touch_used);
		snprintf(err, errsz, "out of memory");
		free(s);
		return NULL;
	}
	rc = sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		open_error(s, rc, err, errsz);
		store_close(s);
		return NULL;
	}
	sqlite3_extended_result_codes(s->db, 1);
	/* The writer runs in the capture loop: it backs off instead of waiting long. */
	sqlite3_busy_timeout(s->db, mode == STORE_RW ? STORE_WRITE_BUSY_MS : BUSY_TIMEOUT_MS);
	if (mode == STORE_RW) {
		sqlite3_stmt *q;

		rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &q, NULL);
		if (rc == SQLITE_OK && (rc = sqlite3_step(q)) == SQLITE_ROW &&
		    strcmp((const char *)sqlite3_column_text(q, 0), "wal") != 0)
			rc = SQLITE_CANTOPEN;
		sqlite3_finalize(q);
		if (rc != SQLITE_ROW) {
			open_error(s, rc, err, errsz);
			store_close(s);
			return NULL;
		}
		exec(s, "PRAGMA synchronous = NORMAL");
	}
	exec(s, "PRAGMA foreign_keys = ON");
	if (check_schema(s, err, errsz) != 0 || (mode == STORE_RW && (prepare_all(s, err, errsz) != 0 ||
	    ev_open(s, err, errsz) != 0 || ep_open(s, err, errsz) != 0))) {
		store_close(s);
		return NULL;
	}
	return s;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < S_NSTMTS; i++)
		sqlite3_finalize(s->st[i]);
	ev_close(s);
	ep_close(s);
	if (s->db)
		sqlite3_close(s->db);
	riskset_free(&s->risk);
	flood_free(s);
	bigmem_free(s->cache, ACACHE_SLOTS * sizeof(*s->cache));
	free(s->touch);
	free(s->touch_used);
	free(s);
}

const char *
store_errmsg(const struct store *s)
{
	return s->errmsg;
}

const char *
store_rejected_msg(const struct store *s)
{
	return s->rejected_msg;
}

struct sqlite3 *
store_db(struct store *s)
{
	return s->db;
}

void
store_set_oui(struct store *s, const struct oui_db *oui)
{
	s->oui = oui;
}

void
store_set_rules(struct store *s, const struct fprules *r)
{
	s->rules = r;
}

void
store_set_risk(struct store *s, const struct vendors *v, const struct risk_policy *p)
{
	s->vendors = v;
	s->policy = p;
}

void
store_get_stats(const struct store *s, struct store_stats *out)
{
	*out = s->stats;
}

struct batch {
	struct store	*s;
	size_t		 n;		/* observations consumed */
	size_t		 rejected;	/* of them, refused by the store */
	bool		 careful;	/* each observation in a savepoint of its own */
	long long	 now;		/* wall clock of the batch, for early verdicts */
};

/*
 * Did the failure come from this one observation (a constraint, a value
 * SQLite refuses), rather than from the database (busy, full, I/O, ...)
 * which would fail every other observation too?
 */
static bool
observation_at_fault(const struct store *s)
{
	return store_fault_of(s->last_rc) == STORE_FAULT_OTHER;
}

/*
 * One observation inside a savepoint: when the store rejects it, what it
 * wrote is undone, it is counted by kind, and the batch goes on.  What the
 * batch holds back is written first, so the savepoint holds only this
 * observation's work; the address cache and the risk list forget what it
 * added.  0 applied, 1 refused, -1 failed.
 */
static int
apply_careful(struct store *s, const struct obs *o)
{
	size_t ntouched = riskset_len(&s->risk);

	if (pending_flush(s) != 0 || exec(s, "SAVEPOINT obs") != SQLITE_OK)
		return -1;
	if (ingest_one(s, o) == 0)
		return exec(s, "RELEASE obs") == SQLITE_OK ? 0 : -1;
	if (!observation_at_fault(s))
		return -1;
	if (exec(s, "ROLLBACK TO obs") != SQLITE_OK || exec(s, "RELEASE obs") != SQLITE_OK)
		return -1;
	pending_drop(s);
	acache_clear(s);
	riskset_truncate(&s->risk, ntouched);
	s->stats.rejected[o->kind < OBS_NKINDS ? o->kind : OBS_FACT]++;
	snprintf(s->rejected_msg, sizeof(s->rejected_msg), "%s", s->errmsg);
	s->errmsg[0] = '\0';
	return 1;
}

static int
apply(void *arg, const struct obs *o)
{
	struct batch *b = arg;
	int rc;

	/* the verdicts now, between two observations, before the set can fill */
	if (riskset_len(&b->s->risk) + STORE_RISK_HEADROOM > STORE_RISK_MAX) {
		if (assess_touched(b->s, b->now) != 0)
			return -1;
		b->s->stats.risk_early++;
	}
	rc = b->careful ? apply_careful(b->s, o) : ingest_one(b->s, o);

	if (rc < 0 || (!b->careful && rc != 0))
		return -1;
	b->rejected += (size_t)rc;
	b->n++;
	return 0;
}

/*
 * A statement stepped to a row and left so holds a read snapshot open after
 * COMMIT: no checkpoint gets past it, and the WAL grows without end (a live
 * soak, tools/soak.sh, found it at 0.5 MB/s).  st_get() resets a statement
 * only when it is next used, which may be never; so a transaction ends with
 * every statement of the connection reset.
 */
void
store_reset_statements(struct store *s)
{
	sqlite3_stmt *q = NULL;

	while ((q = sqlite3_next_stmt(s->db, q)) != NULL)
		if (sqlite3_stmt_busy(q))
			sqlite3_reset(q);
}

/* One try at the whole batch in one transaction; 0, or -1 rolled back. */
static int
ingest_batch(struct store *s, struct obsq *q, struct batch *b, long long now)
{
	s->errmsg[0] = '\0';	/* this batch's failure, not an earlier one's */
	s->last_rc = SQLITE_OK;
	if (exec(s, "BEGIN IMMEDIATE") != SQLITE_OK) {
		st_error(s, "cannot start a batch");
		return -1;
	}
	riskset_clear(&s->risk);
	ev_batch_begin(s);
	if (obsq_foreach(q, apply, b) != 0 || pending_flush(s) != 0 || ev_batch_end(s) != 0 ||
	    assess_touched(s, now) != 0 || flood_batch_end(s) != 0 ||
	    (store_reset_statements(s), exec(s, "COMMIT")) != SQLITE_OK) {
		if (s->errmsg[0] == '\0')
			st_error(s, "batch failed");
		store_reset_statements(s);
		exec(s, "ROLLBACK");
		acache_clear(s);
		pending_drop(s);
		flood_rollback(s);
		return -1;
	}
	return 0;
}

/*
 * The fast way first: the whole batch in one transaction.  When one
 * observation is at fault, again with each in a savepoint, so the rest is
 * committed and the bad one counted instead of blocking the queue; when
 * the database is (busy, full, ...), the observations stay queued.
 */
long
store_ingest(struct store *s, struct obsq *q)
{
	long long now = (long long)time(NULL);
	struct batch b = { s, 0, 0, false, now };

	if (obsq_len(q) == 0)
		return 0;
	if (ingest_batch(s, q, &b, now) != 0) {
		if (!observation_at_fault(s)) {
			s->stats.failed_batches++;
			return -1;	/* observations stay queued for the next try */
		}
		b = (struct batch){ s, 0, 0, true, now };
		if (ingest_batch(s, q, &b, now) != 0) {
			s->stats.failed_batches++;
			return -1;
		}
	}
	obsq_consume(q, b.n);
	s->stats.batches++;
	s->stats.applied += b.n - b.rejected;
	return (long)b.n;
}

long
store_reevaluate_all(struct store *s, long long now)
{
	sqlite3_stmt *q;
	long n = 0;

	if (s->policy == NULL || s->vendors == NULL)
		return 0;
	if (exec(s, "BEGIN IMMEDIATE") != SQLITE_OK) {
		st_error(s, "cannot start re-evaluation");
		return -1;
	}
	if (sqlite3_prepare_v2(s->db, "SELECT id FROM assets", -1, &q, NULL) != SQLITE_OK) {
		st_error(s, "re-evaluation");
		exec(s, "ROLLBACK");
		return -1;
	}
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (assess_asset(s, sqlite3_column_int64(q, 0), now) != 0) {
			sqlite3_finalize(q);
			exec(s, "ROLLBACK");
			return -1;
		}
		n++;
	}
	sqlite3_finalize(q);
	if (exec(s, "COMMIT") != SQLITE_OK) {
		st_error(s, "re-evaluation commit");
		exec(s, "ROLLBACK");
		return -1;
	}
	return n;
}
