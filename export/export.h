/*
 * export.h - the nightly export to the SOC: assets (with risk), services,
 * conversations and events as ECS NDJSON, CEF or CSV files, incremental
 * and exactly-once across runs (docs/EXPORT.md).
 *
 * The CLI (`spanwatch export`) and the daemon (`export_at`, on a thread
 * of its own) both call export_run() with a store handle; the records and
 * the cursor come from the store (store/q_export.h).
 */
#ifndef SW_EXPORT_H
#define SW_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "paths.h"

struct store;

enum export_format { EXPORT_ECS, EXPORT_CEF, EXPORT_CSV };

enum export_window {
	EXPORT_INCREMENTAL,	/* since the cursor of (format, dir); advances it */
	EXPORT_FULL,		/* everything; advances the cursor too */
	EXPORT_SINCE,		/* changed at or after `since`; the cursor is left alone */
};

#define EXPORT_DEFAULT_DIR	PATH_EXPORT_DIR
#define EXPORT_DEFAULT_KEEP_DAYS 30
#define EXPORT_DEFAULT_SITE	"default"

struct export_opts {
	enum export_format	 format;
	enum export_window	 window;
	int64_t			 since;		/* EXPORT_SINCE: Unix seconds */
	const char		*dir;		/* NULL: EXPORT_DEFAULT_DIR */
	const char		*sensor_name;	/* NULL or "": gethostname() */
	const char		*site;		/* NULL or "": "default" */
	int			 keep_days;	/* prune older files; 0: never */
	int64_t			 now;		/* wall clock for the file name; 0: time() */
};

#define EXPORT_MAX_FILES	4	/* files of one run: CSV writes one per record type */

struct export_result {
	char		 path[1024];	/* the (first) file written, "" when nothing was new */
	char		 files[EXPORT_MAX_FILES][1024];	/* every file written, path first */
	unsigned	 nfiles;
	uint64_t	 assets, services, conversations, events;
	unsigned	 pruned;	/* old files removed */
	unsigned	 orphans;	/* uncommitted files of an interrupted run removed */
};

/*
 * Run one export.  Returns 0 (res filled if not NULL) or -1 with a
 * sentence in err.  st may be read-only (the cursor is then stored through
 * a short connection of its own) and must not be inside a transaction:
 * the snapshot is one read transaction of its own.
 */
int	 export_run(struct store *st, const struct export_opts *o, struct export_result *res,
	    char *err, size_t errsz);

/* "ecs" / "cef" / "csv" <-> enum; false for an unknown name. */
bool	 export_format_parse(const char *s, enum export_format *out);
const char *export_format_name(enum export_format f);

/* The meta key holding the cursor of (format, dir). */
void	 export_cursor_key(enum export_format f, const char *dir, char *out, size_t outsz);

/* --- escaping (escape.c; exposed for the tests) ------------------- */

/*
 * Each returns a malloc'd string (NULL only on out of memory); invalid
 * UTF-8 becomes "\xHH" as in utf8_clean() (core/utf8.h).  csv_field: one
 * RFC 4180 field (quoted when needed, formula-neutralised, control bytes
 * as "\xHH").  cef_header / cef_ext: a CEF header field or extension
 * value with the CEF escapes.
 */
char	*export_csv_field(const char *s, size_t len);
char	*export_cef_header(const char *s, size_t len);
char	*export_cef_ext(const char *s, size_t len);
/* "00:0e:8c:01:02:03" -> "00-0E-8C-01-02-03" (ECS); out holds 18 bytes. */
void	 export_ecs_mac(const char *mac, char out[18]);

#endif
