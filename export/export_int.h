/*
 * export_int.h - what the files of export/ share: the writers' context,
 * the three writers, and the commit steps (commit.c).
 */
#ifndef SW_EXPORT_INT_H
#define SW_EXPORT_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "export.h"
#include "q_export.h"

#ifndef SW_VERSION
#define SW_VERSION "0.0.0"
#endif

/* What every record of one run is written with. */
struct export_ctx {
	enum export_format fmt;
	FILE		*f[EXPORT_R_NTYPES];	/* each record type's file: one for all (ECS, CEF), or one each (CSV) */
	char		*sensor, *site, *observer_host;	/* clean UTF-8 */
};

/* One record as one line of the format (ecs.c, cef.c, csv.c); 0 or -1 (errno). */
int	 write_ecs(const struct export_ctx *c, const struct export_rec *r);
int	 write_cef(const struct export_ctx *c, const struct export_rec *r);
int	 write_csv(const struct export_ctx *c, const struct export_rec *r);
/* The header line of a record type's CSV file (csv.c); 0 or -1. */
int	 csv_write_header(FILE *f, enum export_rtype t);

/* An ECS/CSV time: "2024-01-02T03:04:05Z". */
json_t	*export_jtime(int64_t t);
/*
 * The event.action of a record (ev_class.c): "asset-inventory", ... for
 * state records; for an event its kind ("asset_new"), for an operation its
 * operation ("restart_cold").  It is the CEF signature too.  May use buf.
 */
const char *export_event_action(const struct export_rec *r, char *buf, size_t bufsz);
/* An event's ECS event.kind: "alert" (operations, changes after the learning period) or "event". */
const char *export_event_kind(const struct export_rec *r);
/* Its ECS event.category (types false) or event.type (true), a new array. */
json_t	*export_event_categories(const struct export_rec *r, bool types);
/* The strings of arr joined by sep (malloc'd, NULL on out of memory). */
char	*export_join(json_t *arr, const char *sep);

void	 export_set_err(char *err, size_t errsz, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* --- commit.c --- */
int	 export_fsync_dir(const char *dir);
int	 export_mkdir_p(const char *dir);
bool	 export_exists_at(const char *dir, const char *name, const char *suffix);
/* Write DIR/NAME.sha256 ("HEX  NAME\n", as sha256sum) durably: the commit marker. */
int	 export_write_sha(const char *dir, const char *name, char *err, size_t errsz);
/*
 * Before a run, in DIR for this prefix ("spanwatch-SENSOR-FORMAT-"):
 * finish the commit of the cursor's own file, remove uncommitted data
 * files and temporary files, and files older than keep_days.
 */
void	 export_tidy_dir(const char *dir, const char *prefix, const char *ext,
	    const struct export_cursor *cur, int keep_days, int64_t now,
	    struct export_result *res);

/*
 * Test seam: when set, called at each step of the commit ("temp",
 * "renamed", "committed"); tests/test_export.c kills the process there.
 * Never set by the programs.
 */
extern void (*export_crash_hook)(const char *where);
void	 export_crash_point(const char *where);

#endif
