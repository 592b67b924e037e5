/*
 * reader.c - a command's session on the database (see store.h): one
 * transaction around all its queries, and the handle's last error for
 * the message the command prints.
 */
#include <sqlite3.h>

#include "store_int.h"

int
store_session_begin(struct store *s, int busy_ms)
{
	sqlite3_busy_timeout(s->db, busy_ms);
	/* A writer takes the write lock at once: no upgrade that could deadlock later. */
	return sqlite3_exec(s->db, s->mode == STORE_RW ? "BEGIN IMMEDIATE" : "BEGIN", NULL, NULL,
	    NULL);
}

int
store_session_end(struct store *s)
{
	if (sqlite3_get_autocommit(s->db) != 0)
		return SQLITE_OK;
	return sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
}

int
store_db_errcode(const struct store *s)
{
	return sqlite3_errcode(s->db);
}

const char *
store_db_errmsg(const struct store *s)
{
	return sqlite3_errmsg(s->db);
}

const char *
store_rc_str(int rc)
{
	return sqlite3_errstr(rc);
}

bool
store_rc_ok(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW;
}
