/*
 * store_support.c - a fresh SQLite store for a test (store_support.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <sqlite3.h>

#include "store_int.h"
#include "store_support.h"

void
store_fx_open(struct store_fx *f, const char *tag, bool with_oui)
{
	char err[512];
	int fd;

	memset(f, 0, sizeof(*f));
	snprintf(f->path, sizeof(f->path), "/tmp/sw-%s-XXXXXX", tag);
	fd = mkstemp(f->path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(f->path);
	f->st = store_open(f->path, STORE_RW, err, sizeof(err));
	ck_assert_msg(f->st != NULL, "%s", err);
	if (with_oui) {
		f->oui = oui_load(NULL, NULL, err, sizeof(err));
		ck_assert_msg(f->oui != NULL, "%s", err);
		store_set_oui(f->st, f->oui);
	}
	f->q = obsq_new(0);
	ck_assert_ptr_nonnull(f->q);
	f->sink = obsq_sink(f->q);
}

void
store_fx_close(struct store_fx *f)
{
	store_close(f->st);
	obsq_free(f->q);
	oui_free(f->oui);
	db_files_unlink(f->path);
	f->st = NULL;
	f->q = NULL;
	f->oui = NULL;
}

void
store_fx_flush(struct store_fx *f)
{
	long n = store_ingest(f->st, f->q);

	ck_assert_msg(n >= 0, "%s", store_errmsg(f->st));
	ck_assert_uint_eq(obsq_len(f->q), 0);
}

void
store_fx_drain(struct store_fx *f)
{
	while (obsq_len(f->q) > 0)
		ck_assert_msg(store_ingest(f->st, f->q) >= 0, "%s", store_errmsg(f->st));
}

long long
store_fx_scalar(const struct store_fx *f, const char *sql)
{
	sqlite3_stmt *s;
	long long v = -1;

	ck_assert_int_eq(sqlite3_prepare_v2(store_db(f->st), sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

const char *
store_fx_text(const struct store_fx *f, const char *sql)
{
	static char buf[1024];
	sqlite3_stmt *s;

	buf[0] = '\0';
	ck_assert_int_eq(sqlite3_prepare_v2(store_db(f->st), sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		snprintf(buf, sizeof(buf), "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return buf;
}

void
db_files_unlink(const char *path)
{
	char p[256];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

struct asset_ref
asset_ref_of(const char *mac, const char *ip)
{
	struct asset_ref r;

	memset(&r, 0, sizeof(r));
	if (mac)
		ck_assert(mac_parse(mac, r.mac));
	if (ip)
		ck_assert(ip_parse(ip, &r.ip));
	return r;
}
