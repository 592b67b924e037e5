/*
 * export_job.h - the scheduled SOC export, on a thread of its own.
 *
 * An export of a large inventory takes seconds and ends in fsyncs; run in
 * the event loop it would stall packet processing for that long.  The job
 * thread opens its own read-only store handle (the snapshot; the cursor is
 * written through a short connection of the store's), so the loop's
 * read-write handle is never shared.  One job at a time.
 */
#ifndef SW_EXPORT_JOB_H
#define SW_EXPORT_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

/*
 * Start every format of cfg->export_formats on the database at db_path
 * (cfg is copied).  false when a job is still running (logged) or the
 * thread cannot start.
 */
bool	 export_job_start(const struct config *cfg, const char *db_path);
/* Join a job that has finished; true if one is still running. */
bool	 export_job_busy(void);
/* Wait for a running job (shutdown). */
void	 export_job_wait(void);

/* How the scheduled exports went, for `spanwatch status`. */
struct export_job_stats {
	uint64_t	 runs_ok, runs_failed;	/* a run fails when one of its formats does */
	int64_t		 last_ok, last_failed;	/* wall-clock seconds, 0: never */
};
void	 export_job_stats(struct export_job_stats *st);
/*
 * The result of a finished job not asked for yet: 1 it succeeded, 0 it
 * failed, -1 none (still running, or already asked).
 */
int	 export_job_result(void);

#endif
