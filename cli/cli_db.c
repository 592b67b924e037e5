/*
 * cli_db.c - the CLI's read-only view of the database.
 *
 * The daemon writes in WAL mode; a reader never blocks it and sees the last
 * committed batch.  store_open(STORE_RO) validates the file (exists, is a
 * spanwatch database, schema not newer than this tool) and gives the
 * operator a sentence when it is not; the queries then run on its handle
 * (store_db) in one read transaction, so every command sees one snapshot.
 * "Busy" is never shown: it sets cli->busy and main() runs the whole
 * command again.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cli.h"
#include "store.h"

#define CLI_BUSY_MS	2000	/* sqlite3_busy_timeout per statement */

static bool
is_busy(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
}

static void
db_error(struct cli *cli, int rc, const char *what)
{
	if (is_busy(rc)) {
		cli->busy = true;
		return;
	}
	if (!cli->dberr) {
		enum store_fault f = store_fault_of(rc);

		fprintf(cli->err, "spanwatch: %s: %s: %s%s%s\n", cli->db_path, what,
		    cli->db ? sqlite3_errmsg(cli->db) : sqlite3_errstr(rc),
		    f == STORE_FAULT_OTHER ? "" : "; ", f == STORE_FAULT_OTHER ? "" :
		    store_fault_advice(f));
	}
	cli->dberr = true;
}

int
cli_db_open(struct cli *cli)
{
	return cli_db_open_mode(cli, false);
}

int
cli_db_open_mode(struct cli *cli, bool rw)
{
	char err[512];
	int rc;

	cli->dberr = false;
	/* Writing never creates a database: annotating a mistyped path is an error. */
	if (rw && access(cli->db_path, F_OK) != 0) {
		fprintf(cli->err, "spanwatch: %s: %s\n", cli->db_path, strerror(errno));
		return EXIT_DB;
	}
	if ((cli->store = store_open(cli->db_path, rw ? STORE_RW : STORE_RO, err,
	    sizeof(err))) == NULL) {
		/* A daemon creating or migrating the file right now: try again. */
		if (strstr(err, "locked") || strstr(err, "busy"))
			cli->busy = true;
		else
			fprintf(cli->err, "spanwatch: %s\n", err);
		return EXIT_DB;
	}
	cli->db = store_db(cli->store);
	sqlite3_busy_timeout(cli->db, CLI_BUSY_MS);
	if ((rc = sqlite3_exec(cli->db, rw ? "BEGIN IMMEDIATE" : "BEGIN", NULL, NULL,
	    NULL)) != SQLITE_OK) {
		db_error(cli, rc, "cannot begin a read");
		cli_db_close(cli);
		return EXIT_DB;
	}
	return EXIT_OK;
}

void
cli_db_close(struct cli *cli)
{
	if (cli->store == NULL)
		return;
	if (cli->db && sqlite3_get_autocommit(cli->db) == 0)
		sqlite3_exec(cli->db, "COMMIT", NULL, NULL, NULL);
	store_close(cli->store);
	cli->store = NULL;
	cli->db = NULL;
}

bool
cli_db_failed(const struct cli *cli)
{
	return cli->busy || cli->dberr;
}

sqlite3_stmt *
q_prep(struct cli *cli, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (cli_db_failed(cli))
		return NULL;
	if ((rc = sqlite3_prepare_v2(cli->db, sql, -1, &st, NULL)) != SQLITE_OK) {
		db_error(cli, rc, "query");
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

bool
q_step(struct cli *cli, sqlite3_stmt *st)
{
	int rc;

	if (st == NULL || cli_db_failed(cli))
		return false;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return true;
	if (rc != SQLITE_DONE)
		db_error(cli, rc, "query");
	return false;
}

void
q_done(sqlite3_stmt *st)
{
	sqlite3_finalize(st);
}

const char *
q_text(sqlite3_stmt *st, int col, size_t *len)
{
	const char *s;

	if (sqlite3_column_type(st, col) == SQLITE_NULL) {
		if (len)
			*len = 0;
		return NULL;
	}
	s = (const char *)sqlite3_column_text(st, col);
	if (len)
		*len = (size_t)sqlite3_column_bytes(st, col);
	return s;
}

bool
q_has_table(struct cli *cli, const char *table)
{
	sqlite3_stmt *st = q_prep(cli,
	    "SELECT 1 FROM sqlite_master WHERE type IN ('table','view') AND name = ?");
	bool found;

	if (st == NULL)
		return false;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	found = q_step(cli, st);
	q_done(st);
	return found;
}

bool
q_has_column(struct cli *cli, const char *table, const char *col)
{
	sqlite3_stmt *st = q_prep(cli,
	    "SELECT 1 FROM pragma_table_info(?) WHERE name = ?");
	bool found;

	if (st == NULL)
		return false;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, col, -1, SQLITE_STATIC);
	found = q_step(cli, st);
	q_done(st);
	return found;
}
