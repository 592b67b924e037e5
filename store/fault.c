/*
 * fault.c - what a failed write means and what the operator does about it.
 *
 * SQLite's result codes say what went wrong; the daemon and the CLI turn
 * them into one sentence each: locked by another writer, a damaged file,
 * a full disk, no permission, an I/O error.
 */
#include <sqlite3.h>

#include "store_int.h"

enum store_fault
store_fault_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return STORE_FAULT_NONE;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return STORE_FAULT_BUSY;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return STORE_FAULT_CORRUPT;
	case SQLITE_FULL:
		return STORE_FAULT_FULL;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CANTOPEN:
	case SQLITE_AUTH:
		return STORE_FAULT_DENIED;
	case SQLITE_IOERR:
		return STORE_FAULT_IO;
	default:
		return STORE_FAULT_OTHER;
	}
}

enum store_fault
store_last_fault(const struct store *s)
{
	return s->errmsg[0] ? store_fault_of(s->last_rc ? s->last_rc : SQLITE_ERROR) :
	    STORE_FAULT_NONE;
}

bool
store_fault_transient(enum store_fault f)
{
	return f == STORE_FAULT_BUSY;
}

const char *
store_fault_advice(enum store_fault f)
{
	switch (f) {
	case STORE_FAULT_NONE:
		return "";
	case STORE_FAULT_BUSY:
		return "another process holds its write lock (a second spanwatchd, or an "
		    "sqlite3 session in a transaction): stop it or give another --db";
	case STORE_FAULT_CORRUPT:
		return "the file is damaged: move it aside (with its -wal and -shm files) and "
		    "restore a backup, or rebuild it with sqlite3's .recover";
	case STORE_FAULT_FULL:
		return "the disk holding it is full: free space, or move the database "
		    "to a larger disk";
	case STORE_FAULT_DENIED:
		return "this user may not write it: check the owner and mode of the file "
		    "and of its directory";
	case STORE_FAULT_IO:
		return "the disk reported an I/O error: check the disk and the kernel log";
	case STORE_FAULT_OTHER:
		break;
	}
	return "see the SQLite message";
}
