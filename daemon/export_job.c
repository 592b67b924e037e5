/*
 * export_job.c - the scheduled export on a thread (export_job.h).
 */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "export.h"
#include "export_job.h"
#include "log.h"
#include "store.h"

static struct {
	pthread_t	 th;
	bool		 started;	/* th is joinable (touched by the loop only) */
	atomic_bool	 done;		/* set by the thread as its last act */
	atomic_bool	 failed;	/* a format of this run failed */
	bool		 unreported;	/* finished, result not taken by export_job_result */
	struct export_job_stats st;	/* the loop's: updated when a job is joined */
	struct config	 cfg;		/* the job's own copy: SIGHUP may change the loop's */
	char		 db_path[PATH_MAX];
} job;

static void
export_format(struct store *st, const char *name)
{
	struct export_opts o;
	struct export_result res;
	char err[1024];

	memset(&o, 0, sizeof(o));
	if (!export_format_parse(name, &o.format)) {
		log_warnx("export: unknown format '%s' in export_formats (ecs, cef, csv)", name);
		return;
	}
	o.window = EXPORT_INCREMENTAL;
	o.dir = job.cfg.export_dir;
	o.sensor_name = job.cfg.sensor_name;
	o.site = job.cfg.site;
	o.keep_days = job.cfg.export_keep_days;
	if (export_run(st, &o, &res, err, sizeof(err)) != 0) {
		log_warnx("export %s: %s; it is tried again", name, err);
		atomic_store(&job.failed, true);
	} else
		log_info("export %s: %s%s (%llu assets, %llu events)", name,
		    res.path[0] ? res.path : "nothing new", res.nfiles > 1 ? " and the other types' files" : "",
		    (unsigned long long)res.assets, (unsigned long long)res.events);
}

static void *
run(void *arg)
{
	char list[sizeof(job.cfg.export_formats)], *save = NULL, *name, err[1024];
	struct store *st;

	(void)arg;
	if ((st = store_open(job.db_path, STORE_RO, err, sizeof(err))) == NULL) {
		log_warnx("export: %s; it is tried again", err);
		atomic_store(&job.failed, true);
	} else {
		snprintf(list, sizeof(list), "%s", job.cfg.export_formats);
		for (name = strtok_r(list, ", ", &save); name; name = strtok_r(NULL, ", ", &save))
			export_format(st, name);
		store_close(st);
	}
	atomic_store(&job.done, true);
	return NULL;
}

bool
export_job_busy(void)
{
	if (!job.started)
		return false;
	if (!atomic_load(&job.done))
		return true;
	pthread_join(job.th, NULL);
	job.started = false;
	job.unreported = true;
	if (atomic_load(&job.failed)) {
		job.st.runs_failed++;
		job.st.last_failed = (int64_t)time(NULL);
	} else {
		job.st.runs_ok++;
		job.st.last_ok = (int64_t)time(NULL);
	}
	return false;
}

void
export_job_stats(struct export_job_stats *st)
{
	*st = job.st;
}

int
export_job_result(void)
{
	if (export_job_busy() || !job.unreported)
		return -1;
	job.unreported = false;
	return atomic_load(&job.failed) ? 0 : 1;
}

bool
export_job_start(const struct config *cfg, const char *db_path)
{
	int rc;

	if (export_job_busy()) {
		log_warnx("export: the previous export is still running; this one is skipped");
		return false;
	}
	job.cfg = *cfg;
	snprintf(job.db_path, sizeof(job.db_path), "%s", db_path);
	atomic_store(&job.done, false);
	atomic_store(&job.failed, false);
	if ((rc = pthread_create(&job.th, NULL, run, NULL)) != 0) {
		log_warnx("export: cannot start its thread: %s; the next run redoes it",
		    strerror(rc));
		return false;
	}
	job.started = true;
	return true;
}

void
export_job_wait(void)
{
	if (job.started) {
		pthread_join(job.th, NULL);
		job.started = false;
	}
}
