/*
 * cli_db.c - the CLI's read-only view of the database.
 *
 * The daemon writes in WAL mode; a reader never blocks it and sees the last
 * committed batch.  store_open(STORE_RO) validates the file (exists, is a
 * spanwatch database, schema not newer than this tool) and gives the
 * operator a sentence when it is not; every query of a command then runs
 * through the store's read API in one session (store_session_begin), so
 * the command sees one snapshot.  "Busy" is never shown: it sets
 * cli->busy and main() runs the whole command again.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "store.h"

#define CLI_BUSY_MS	2000	/* the wait for a busy database, per statement */

/*
 * The error policy of every query: busy sets cli->busy silently, another
 * error prints one line (the first only) with what to do about it.
 */
static void
db_error(struct cli *cli, int rc, const char *what)
{
	if (store_fault_of(rc) == STORE_FAULT_BUSY) {
		cli->busy = true;
		return;
	}
	if (!cli->dberr) {
		enum store_fault f = store_fault_of(rc);

		fprintf(cli->err, "spanwatch: %s: %s: %s%s%s\n", cli->db_path, what,
		    cli->store ? store_db_errmsg(cli->store) : store_rc_str(rc),
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
	if (!store_rc_ok(rc = store_session_begin(cli->store, CLI_BUSY_MS))) {
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
	store_session_end(cli->store);
	store_close(cli->store);
	cli->store = NULL;
}

bool
cli_db_failed(const struct cli *cli)
{
	return cli->busy || cli->dberr;
}

int
cli_db_read_failed(struct cli *cli, int rc, const char *what)
{
	if (rc == 0)
		rc = store_db_errcode(cli->store);
	if (store_fault_of(rc) == STORE_FAULT_BUSY)
		cli->busy = true;
	else
		fprintf(cli->err, "spanwatch: %s: %s%s%s\n", cli->db_path, what ? what : "",
		    what ? ": " : "", store_db_errmsg(cli->store));
	return EXIT_DB;
}

bool
cli_db_check(struct cli *cli, int rc)
{
	if (store_rc_ok(rc))
		return true;
	db_error(cli, rc, "query");
	return false;
}
