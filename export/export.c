/*
 * export.c - one run of the nightly export to the SOC (docs/EXPORT.md).
 *
 * Take one read snapshot of the database (store/q_export.c), write what
 * changed since the cursor of (format, directory) to temporary files with
 * the format's writer (ecs.c, cef.c: one file; csv.c: one per record
 * type), then commit them (commit.c): rename, cursor, NAME.sha256 each.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "export.h"
#include "export_int.h"
#include "q_export.h"
#include "utf8.h"


static const char *const fmt_names[] = { "ecs", "cef", "csv" };
static const char *const fmt_ext[] = { "ndjson", "cef", "csv" };

bool
export_format_parse(const char *s, enum export_format *out)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(s, fmt_names[i]) == 0) {
			*out = (enum export_format)i;
			return true;
		}
	return false;
}

const char *
export_format_name(enum export_format f)
{
	return fmt_names[f];
}

void
export_cursor_key(enum export_format f, const char *dir, char *out, size_t outsz)
{
	snprintf(out, outsz, "export.cursor.%s:%s", fmt_names[f], dir);
}


/* A file-name-safe copy of the sensor name. */
static void
name_safe(const char *s, char *out, size_t outsz)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < outsz; i++)
		out[i] = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_' ? s[i] : '_';
	out[i] = '\0';
}

/*
 * The files of one run: one for every record (ECS, CEF), or one per record
 * type (CSV: a rectangle each).  They are written, renamed and committed
 * together: one cursor names the run, each file gets its .sha256.
 */
struct run_files {
	unsigned	 n;
	const char	*ext;
	const char	*suffix[EXPORT_MAX_FILES];	/* "" or "-assets", "-services", ... */
	char		 tmp[EXPORT_MAX_FILES][PATH_MAX];
	char		 name[EXPORT_MAX_FILES][512];
	uint64_t	 rows[EXPORT_MAX_FILES];
};

/* CSV's files by record type: spanwatch-SENSOR-csv-STAMP-assets.csv, ... */
static const char *const csv_suffix[EXPORT_R_NTYPES] = {
	[EXPORT_R_ASSET] = "-assets", [EXPORT_R_SERVICE] = "-services",
	[EXPORT_R_CONV] = "-conversations", [EXPORT_R_EVENT] = "-events",
};

static unsigned
file_of(const struct run_files *rf, enum export_rtype t)
{
	return rf->n == 1 ? 0 : (unsigned)t;
}

static int
files_init(struct run_files *rf, enum export_format fmt, const char *dir, const char *prefix,
    char *err, size_t errsz)
{
	memset(rf, 0, sizeof(*rf));
	rf->ext = fmt_ext[fmt];
	rf->n = fmt == EXPORT_CSV ? EXPORT_R_NTYPES : 1;
	for (unsigned i = 0; i < rf->n; i++) {
		rf->suffix[i] = rf->n > 1 ? csv_suffix[i] : "";
		if (snprintf(rf->tmp[i], sizeof(rf->tmp[i]), "%s/.%s%lld%s.%s.tmp", dir, prefix,
		    (long long)getpid(), rf->suffix[i], rf->ext) >= (int)sizeof(rf->tmp[i])) {
			export_set_err(err, errsz, "%s: export path too long", dir);
			return -1;
		}
	}
	return 0;
}

static void
files_unlink_tmp(const struct run_files *rf)
{
	for (unsigned i = 0; i < rf->n; i++)
		unlink(rf->tmp[i]);
}

/*
 * spanwatch-SENSOR-FORMAT-YYYYMMDDTHHMMSSZ[-TYPE].EXT for every file of the
 * run, one second later while any of them is taken.
 */
static void
final_names(const char *dir, const char *prefix, int64_t now, struct run_files *rf)
{
	for (int64_t t = now; ; t++) {
		char stamp[32];
		struct tm tm;
		time_t tt = (time_t)t;
		bool taken = false;

		gmtime_r(&tt, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		for (unsigned i = 0; i < rf->n; i++) {
			snprintf(rf->name[i], sizeof(rf->name[i]), "%s%s%s.%s", prefix, stamp,
			    rf->suffix[i], rf->ext);
			taken = taken || export_exists_at(dir, rf->name[i], "") ||
			    export_exists_at(dir, rf->name[i], ".sha256");
		}
		if (!taken)
			return;
	}
}

/* One record of the snapshot to its file. */
static int
write_rec(void *arg, const struct export_rec *r)
{
	const struct export_ctx *c = arg;

	switch (c->fmt) {
	case EXPORT_ECS:
		return write_ecs(c, r);
	case EXPORT_CEF:
		return write_cef(c, r);
	case EXPORT_CSV:
		return write_csv(c, r);
	}
	return -1;
}

static int
write_records(struct store_export *x, struct export_ctx *c, const struct export_range *w,
    struct run_files *rf, struct export_result *res, char *err, size_t errsz)
{
	uint64_t n[EXPORT_R_NTYPES] = { 0 };
	int rc;

	if (c->fmt == EXPORT_CSV)
		for (int t = 0; t < EXPORT_R_NTYPES; t++)
			if (csv_write_header(c->f[t], (enum export_rtype)t) != 0)
				return 1;
	rc = store_export_records(x, w, write_rec, c, n, err, errsz);
	for (int t = 0; t < EXPORT_R_NTYPES; t++)
		rf->rows[file_of(rf, (enum export_rtype)t)] += n[t];
	res->assets = n[EXPORT_R_ASSET];
	res->services = n[EXPORT_R_SERVICE];
	res->conversations = n[EXPORT_R_CONV];
	res->events = n[EXPORT_R_EVENT];
	return rc;
}

/* The window of this run, from the cursor and the options. */
static void
window_of(const struct export_opts *o, const struct export_cursor *cur, int64_t e_hi,
    struct export_range *w)
{
	w->e_hi = e_hi;
	w->ev_ts_lo = INT64_MIN;
	switch (o->window) {
	case EXPORT_INCREMENTAL:
		w->t_lo = cur->found ? cur->t : INT64_MIN;
		w->e_lo = cur->found ? cur->e : 0;
		break;
	case EXPORT_FULL:
		w->t_lo = INT64_MIN;
		w->e_lo = 0;
		break;
	case EXPORT_SINCE:
		w->t_lo = o->since - 1;
		w->e_lo = 0;
		w->ev_ts_lo = o->since;
		break;
	}
}

/* Open the run's temporary files and point each record type at its own. */
static int
open_temps(struct export_ctx *c, const struct run_files *rf, FILE **fs, char *err, size_t errsz)
{
	for (unsigned i = 0; i < rf->n; i++) {
		int fd = open(rf->tmp[i], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);

		if (fd < 0 || (fs[i] = fdopen(fd, "w")) == NULL) {
			export_set_err(err, errsz, "%s: %s", rf->tmp[i], strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
	}
	for (int t = 0; t < EXPORT_R_NTYPES; t++)
		c->f[t] = fs[file_of(rf, (enum export_rtype)t)];
	return 0;
}

/* Flush, fsync and close every file; -1 (err) when one of them fails. */
static int
close_temps(struct export_ctx *c, const struct run_files *rf, FILE **fs, bool ok,
    char *err, size_t errsz)
{
	for (unsigned i = 0; i < rf->n; i++) {
		if (fs[i] == NULL)
			continue;
		if (ok && (fflush(fs[i]) != 0 || fsync(fileno(fs[i])) != 0)) {
			export_set_err(err, errsz, "%s: %s", rf->tmp[i], strerror(errno));
			ok = false;
		}
		if (fclose(fs[i]) != 0 && ok) {
			export_set_err(err, errsz, "%s: %s", rf->tmp[i], strerror(errno));
			ok = false;
		}
		fs[i] = NULL;
	}
	memset(c->f, 0, sizeof(c->f));
	return ok ? 0 : -1;
}

/*
 * The snapshot's records of the window into the temporary files, fsync'd.
 * The snapshot ends here, before the slow part of the commit.
 */
static int
write_temp(struct store *st, const struct export_opts *o, struct export_ctx *c,
    const char *dir, const char *prefix, int64_t now, const char *key, struct run_files *rf,
    struct export_cursor *next, struct export_result *res, char *err, size_t errsz)
{
	FILE *fs[EXPORT_MAX_FILES] = { 0 };
	struct store_export *x;
	struct export_cursor cur;
	struct export_range w;
	int rc = -1;

	if ((x = store_export_begin(st, err, errsz)) == NULL)
		return -1;
	store_export_cursor_read(st, key, &cur);
	if (store_export_marks(x, &next->t, &next->e, err, errsz) != 0) {
		store_export_end(x);
		return -1;
	}
	export_tidy_dir(dir, prefix, rf->ext, &cur, o->keep_days, now, res);
	window_of(o, &cur, next->e, &w);
	if (open_temps(c, rf, fs, err, errsz) == 0) {
		rc = write_records(x, c, &w, rf, res, err, errsz);
		if (rc > 0)	/* not the database: a file */
			export_set_err(err, errsz, "%s: %s", dir, strerror(errno));
	}
	if (close_temps(c, rf, fs, rc == 0, err, errsz) != 0)
		rc = -1;
	if (rc != 0)
		files_unlink_tmp(rf);
	store_export_end(x);	/* the snapshot is written */
	return rc == 0 ? 0 : -1;
}

/* Rename the temporary files (the empty ones of CSV are dropped); fsync the directory. */
static int
rename_files(const char *dir, struct run_files *rf, struct export_result *res,
    char *err, size_t errsz)
{
	for (unsigned i = 0; i < rf->n; i++) {
		char *path = res->files[res->nfiles];

		if (rf->n > 1 && rf->rows[i] == 0) {
			unlink(rf->tmp[i]);	/* CSV: no file for a record type with nothing new */
			continue;
		}
		if (snprintf(path, sizeof(res->files[0]), "%s/%s", dir, rf->name[i]) >=
		    (int)sizeof(res->files[0])) {
			export_set_err(err, errsz, "%s: export path too long", dir);
			return -1;
		}
		if (rename(rf->tmp[i], path) != 0) {
			export_set_err(err, errsz, "%s: %s", path, strerror(errno));
			return -1;
		}
		res->nfiles++;
	}
	if (export_fsync_dir(dir) != 0) {
		export_set_err(err, errsz, "%s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

static void
unlink_files(const char *dir, const struct run_files *rf, struct export_result *res)
{
	for (unsigned i = 0; i < res->nfiles; i++)
		unlink(res->files[i]);
	files_unlink_tmp(rf);
	export_fsync_dir(dir);
	res->nfiles = 0;
}

/* Rename the temporary files, store the cursor, write each .sha256 marker. */
static int
commit_files(struct store *st, const struct export_opts *o, const char *dir, const char *prefix,
    int64_t now, const char *key, struct run_files *rf, struct export_cursor *next,
    struct export_result *res, char *err, size_t errsz)
{
	export_crash_point("temp");
	final_names(dir, prefix, now, rf);
	if (rename_files(dir, rf, res, err, errsz) != 0) {
		unlink_files(dir, rf, res);
		return -1;
	}
	export_crash_point("renamed");
	if (o->window != EXPORT_SINCE) {
		/* the run's first file names it: commit.c finds its other files by the stamp */
		snprintf(next->file, sizeof(next->file), "%s", strrchr(res->files[0], '/') + 1);
		if (store_export_cursor_write(st, key, next, err, errsz) != 0) {
			unlink_files(dir, rf, res);	/* not committed: the next run exports it again */
			return -1;
		}
		export_crash_point("committed");
	}
	for (unsigned i = 0; i < res->nfiles; i++)
		if (export_write_sha(dir, strrchr(res->files[i], '/') + 1, err, errsz) != 0)
			return -1;
	snprintf(res->path, sizeof(res->path), "%s", res->files[0]);
	return 0;
}

/* The run proper, with the lock on the (format, dir) held. */
static int
run_locked(struct store *st, const struct export_opts *o, struct export_ctx *c,
    const char *dir, const char *prefix, struct export_result *res, char *err, size_t errsz)
{
	char key[PATH_MAX + 64];
	struct export_cursor next = { 0 };
	struct run_files rf;
	int64_t now = o->now ? o->now : (int64_t)time(NULL);

	export_cursor_key(o->format, dir, key, sizeof(key));
	if (files_init(&rf, o->format, dir, prefix, err, errsz) != 0)
		return -1;
	if (write_temp(st, o, c, dir, prefix, now, key, &rf, &next, res, err, errsz) != 0)
		return -1;
	if (res->assets + res->services + res->conversations + res->events == 0) {
		files_unlink_tmp(&rf);	/* nothing new: no file, the cursor stays */
		return 0;
	}
	return commit_files(st, o, dir, prefix, now, key, &rf, &next, res, err, errsz);
}

int
export_run(struct store *st, const struct export_opts *o, struct export_result *resp,
    char *err, size_t errsz)
{
	struct export_result res0;
	struct export_result *res = resp ? resp : &res0;
	struct export_ctx c = { .fmt = o->format };
	char host[256] = "", sensor[128], dir[PATH_MAX], prefix[300], lock[PATH_MAX + 64];
	const char *odir = o->dir && *o->dir ? o->dir : EXPORT_DEFAULT_DIR;
	const char *site = o->site && *o->site ? o->site : EXPORT_DEFAULT_SITE;
	int lockfd, rc;

	memset(res, 0, sizeof(*res));
	if (gethostname(host, sizeof(host) - 1) != 0)
		snprintf(host, sizeof(host), "localhost");
	c.observer_host = utf8_clean(host, strlen(host));
	c.sensor = o->sensor_name && *o->sensor_name ?
	    utf8_clean(o->sensor_name, strlen(o->sensor_name)) : strdup(c.observer_host);
	c.site = utf8_clean(site, strlen(site));
	rc = -1;
	if (c.observer_host == NULL || c.sensor == NULL || c.site == NULL) {
		export_set_err(err, errsz, "out of memory");
		goto out;
	}
	if (export_mkdir_p(odir) != 0 || realpath(odir, dir) == NULL) {
		export_set_err(err, errsz, "export directory %s: %s", odir, strerror(errno));
		goto out;
	}
	name_safe(c.sensor, sensor, sizeof(sensor));
	snprintf(prefix, sizeof(prefix), "spanwatch-%s-%s-", sensor, fmt_names[o->format]);
	snprintf(lock, sizeof(lock), "%s/.spanwatch-export-%s.lock", dir, fmt_names[o->format]);
	if ((lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) < 0) {
		export_set_err(err, errsz, "%s: %s", lock, strerror(errno));
		goto out;
	}
	if (flock(lockfd, LOCK_EX | LOCK_NB) != 0) {
		export_set_err(err, errsz, "another %s export to %s is running", fmt_names[o->format],
		    dir);
		close(lockfd);
		goto out;
	}
	rc = run_locked(st, o, &c, dir, prefix, res, err, errsz);
	close(lockfd);
out:
	free(c.observer_host);
	free(c.sensor);
	free(c.site);
	return rc;
}

void
export_set_err(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errsz == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}
