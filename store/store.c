/*
 * store.c - opening and migrating the database, the tables it is given (see
 * store.h).  A batch is batch.c's; the prepared statements stmt.c's.
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
#include "flood.h"
#include "store_int.h"


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
		if ((rc = st_exec(s, "BEGIN IMMEDIATE")) != SQLITE_OK ||
		    (rc = st_exec(s, schema_migration(v))) != SQLITE_OK ||
		    (rc = st_exec(s, pragma)) != SQLITE_OK ||
		    (rc = st_exec(s, "COMMIT")) != SQLITE_OK) {
			snprintf(err, errsz, "%s: migrating the schema to version %d failed: %s",
			    s->path, v, sqlite3_errmsg(s->db));
			st_exec(s, "ROLLBACK");
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
	s->evid_gen = 1;
	snprintf(s->path, sizeof(s->path), "%s", path);
	if (mode == STORE_RW && ((s->cache = bigmem_alloc(ACACHE_SLOTS * sizeof(*s->cache))) == NULL ||
	    (s->touch = calloc(STORE_TOUCH_SLOTS, sizeof(*s->touch))) == NULL ||
	    (s->touch_used = calloc(STORE_TOUCH_SLOTS / 2, sizeof(*s->touch_used))) == NULL ||
	    (s->evid = bigmem_alloc(EVID_CACHE_SLOTS * sizeof(*s->evid))) == NULL ||
	    (s->evid_dirty = calloc(EVID_PENDING_MAX, sizeof(*s->evid_dirty))) == NULL ||
	    riskset_init(&s->risk, STORE_RISK_MAX) != 0)) {
		bigmem_free(s->cache, ACACHE_SLOTS * sizeof(*s->cache));
		bigmem_free(s->evid, EVID_CACHE_SLOTS * sizeof(*s->evid));
		free(s->touch);
		free(s->touch_used);
		free(s->evid_dirty);
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
		st_exec(s, "PRAGMA synchronous = NORMAL");
	}
	st_exec(s, "PRAGMA foreign_keys = ON");
	if (check_schema(s, err, errsz) != 0 || (mode == STORE_RW && (st_prepare_all(s, err, errsz) != 0 ||
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
	bigmem_free(s->evid, EVID_CACHE_SLOTS * sizeof(*s->evid));
	free(s->touch);
	free(s->touch_used);
	free(s->evid_dirty);
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
