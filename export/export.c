/*
 * export.c - one run of the nightly export to the SOC (docs/EXPORT.md).
 *
 * Take one read snapshot of the database (store/q_export.c), write what
 * changed since the cursor of (format, directory) to a temporary file with
 * the format's writer (ecs.c, cef.c, csv.c), then commit it (commit.c):
 * rename, cursor, NAME.sha256.
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

/* spanwatch-SENSOR-FORMAT-YYYYMMDDTHHMMSSZ.EXT, one second later while taken. */
static void
final_name(const char *dir, const char *prefix, const char *ext, int64_t now, char *out, size_t outsz)
{
	for (int64_t t = now; ; t++) {
		char stamp[32];
		struct tm tm;
		time_t tt = (time_t)t;

		gmtime_r(&tt, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		snprintf(out, outsz, "%s%s.%s", prefix, stamp, ext);
		if (!export_exists_at(dir, out, "") && !export_exists_at(dir, out, ".sha256"))
			return;
	}
}

/* One record of the snapshot to the file. */
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
    struct export_result *res, char *err, size_t errsz)
{
	uint64_t n[EXPORT_R_NTYPES] = { 0 };
	int rc;

	if (c->fmt == EXPORT_CSV && fputs(csv_header, c->f) == EOF)
		return 1;
	rc = store_export_records(x, w, write_rec, c, n, err, errsz);
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

/*
 * The snapshot's records of the window into a temporary file, fsync'd.
 * The snapshot ends here, before the slow part of the commit.
 */
static int
write_temp(struct store *st, const struct export_opts *o, struct export_ctx *c,
    const char *dir, const char *prefix, int64_t now, const char *key, const char *tmp,
    struct export_cursor *next, struct export_result *res, char *err, size_t errsz)
{
	const char *ext = fmt_ext[o->format];
	struct store_export *x;
	struct export_cursor cur;
	struct export_range w;
	int fd, rc;

	if ((x = store_export_begin(st, err, errsz)) == NULL)
		return -1;
	store_export_cursor_read(st, key, &cur);
	if (store_export_marks(x, &next->t, &next->e, err, errsz) != 0) {
		store_export_end(x);
		return -1;
	}
	export_tidy_dir(dir, prefix, ext, &cur, o->keep_days, now, res);
	window_of(o, &cur, next->e, &w);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) < 0 ||
	    (c->f = fdopen(fd, "w")) == NULL) {
		export_set_err(err, errsz, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		store_export_end(x);
		return -1;
	}
	rc = write_records(x, c, &w, res, err, errsz);
	if (rc != 0 || fflush(c->f) != 0 || fsync(fd) != 0) {
		if (rc >= 0)	/* not the database: the file */
			export_set_err(err, errsz, "%s: %s", tmp, strerror(errno));
		fclose(c->f);
		c->f = NULL;
		unlink(tmp);
		store_export_end(x);
		return -1;
	}
	fclose(c->f);
	c->f = NULL;
	store_export_end(x);	/* the snapshot is written */
	return 0;
}

/* Rename the temporary file, store the cursor, write the .sha256 marker. */
static int
commit_file(struct store *st, const struct export_opts *o, const char *dir, const char *prefix,
    int64_t now, const char *key, const char *tmp, struct export_cursor *next,
    struct export_result *res, char *err, size_t errsz)
{
	char name[512], path[PATH_MAX];

	export_crash_point("temp");
	final_name(dir, prefix, fmt_ext[o->format], now, name, sizeof(name));
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
		export_set_err(err, errsz, "%s: export path too long", dir);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0 || export_fsync_dir(dir) != 0) {
		export_set_err(err, errsz, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	export_crash_point("renamed");
	if (o->window != EXPORT_SINCE) {
		snprintf(next->file, sizeof(next->file), "%s", name);
		if (store_export_cursor_write(st, key, next, err, errsz) != 0) {
			unlink(path);	/* not committed: the next run exports it again */
			export_fsync_dir(dir);
			return -1;
		}
		export_crash_point("committed");
	}
	if (export_write_sha(dir, name, err, errsz) != 0)
		return -1;
	snprintf(res->path, sizeof(res->path), "%s", path);
	return 0;
}

/* The run proper, with the lock on the (format, dir) held. */
static int
run_locked(struct store *st, const struct export_opts *o, struct export_ctx *c,
    const char *dir, const char *prefix, struct export_result *res, char *err, size_t errsz)
{
	char key[PATH_MAX + 64], tmp[PATH_MAX];
	struct export_cursor next = { 0 };
	int64_t now = o->now ? o->now : (int64_t)time(NULL);

	export_cursor_key(o->format, dir, key, sizeof(key));
	if (snprintf(tmp, sizeof(tmp), "%s/.%s%lld.%s.tmp", dir, prefix, (long long)getpid(),
	    fmt_ext[o->format]) >= (int)sizeof(tmp)) {
		export_set_err(err, errsz, "%s: export path too long", dir);
		return -1;
	}
	if (write_temp(st, o, c, dir, prefix, now, key, tmp, &next, res, err, errsz) != 0)
		return -1;
	if (res->assets + res->services + res->conversations + res->events == 0) {
		unlink(tmp);	/* nothing new: no file, the cursor stays */
		return 0;
	}
	return commit_file(st, o, dir, prefix, now, key, tmp, &next, res, err, errsz);
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
