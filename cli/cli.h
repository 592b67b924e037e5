/*
 * cli.h - the spanwatch command-line tool: commands and output writers.
 *
 * Every command is one function with the signature of cli_cmd.run and one
 * line in the table in spanwatch.c.  Commands read the database read-only
 * through cli_db.c and print through the writers in cli_out.c, which make
 * hostile strings (device names from the wire) safe for a terminal, CSV
 * and JSON.
 */
#ifndef SW_CLI_H
#define SW_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

#include "addr.h"
#include "paths.h"
#include "utf8.h"		/* utf8_decode, utf8_cp_escaped: one decoder, one rule for every output */

/* Exit codes (documented in spanwatch(1)). */
#define EXIT_OK		0
#define EXIT_NOTFOUND	1
#define EXIT_USAGE	2
#define EXIT_DB		3

#define CLI_DEFAULT_DB	PATH_DB
#define CLI_DEFAULT_OUI_OVERRIDE PATH_OUI_OVERRIDE

/*
 * How tables are printed (cli_table.c): width 0 prints every cell whole
 * (output piped, COLUMNS unset); columns and sort as --columns / --sort.
 */
struct table_view {
	unsigned	 width;
	const char	*columns;	/* "ID,IP,VENDOR": which and in what order */
	const char	*sort;		/* "LAST_SEEN", or "-BYTES" for descending */
};

struct cli {
	const char	*db_path;	/* --db, else config `database`, else default */
	const char	*config;	/* -c, NULL for the default path */
	const char	*oui_override;	/* config [oui] override, NULL if unset */
	const char	*control_socket;	/* config [daemon] control_socket */
	struct store	*store;		/* opened read-only by cli_db_open() */
	FILE		*out;
	FILE		*err;
	FILE		*direct;	/* stdout itself, for output that streams (events --follow) */
	long long	 learning_s;	/* config [events] learning, in seconds */
	bool		 busy;		/* SQLite said busy: main runs the command again */
	bool		 dberr;		/* another database error was reported */
	bool		 usage_failed;	/* a table option named no column: exit 2 */
	struct table_view view;
};

struct cli_cmd {
	const char	*name;
	int		(*run)(struct cli *cli, int argc, char **argv);
	const char	*args;		/* "[--json|--csv]", shown in usage */
	const char	*summary;
	const char	*help;		/* options, one per line, for --help */
	bool		 needs_db;	/* opened before run */
};

extern const struct cli_cmd cmd_list, cmd_show, cmd_services,
    cmd_conversations, cmd_stats, cmd_oui;
extern const struct cli_cmd cmd_risk, cmd_vendors;
extern const struct cli_cmd cmd_export;
extern const struct cli_cmd cmd_report, cmd_map;
extern const struct cli_cmd cmd_status, cmd_annotate;
extern const struct cli_cmd cmd_events, cmd_baseline;
extern const struct cli_cmd cmd_internet;

void	 cmd_help(const struct cli_cmd *c, FILE *f);

/* --- output -------------------------------------------------------- */

enum out_fmt { OUT_TABLE, OUT_JSON, OUT_CSV };

/*
 * Terminal-safe copy of s: control bytes, DEL, C1 and bidirectional-
 * override code points and invalid UTF-8 become "\xHH" (or "\uHHHH"),
 * so the result is valid UTF-8 a terminal only shows.  NULL s gives "-".
 * Returns a malloc'd string.
 */
char	*term_cell(const char *s, size_t len);
/*
 * A paragraph made terminal-safe (term_cell: names come off the wire) and
 * folded at blanks to the terminal's width (not folded when piped): the
 * first line indented by first, the others by rest.  cli_wrapf formats it.
 */
void	 cli_wrap(struct cli *cli, const char *s, int first, int rest);
void	 cli_wrapf(struct cli *cli, int first, int rest, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));

/*
 * A table (cli_table.c, on libsmartcols).  maxw[c] > 0 marks a column that
 * may be cut when the line is wider than cli->view.width, and the width it
 * asks for; 0 (or maxw NULL) keeps the column whole.  Cells may be NULL or
 * "" (shown as "-"); they are copied, made terminal-safe.
 */
#define TABLE_WRAP	((size_t)-1)	/* maxw: wrap the column instead of cutting it */
struct table;
struct table *table_new(size_t ncols, const char *const *headers, const size_t *maxw);
void	 table_add(struct table *t, const char *const *cells);
size_t	 table_rows(const struct table *t);
/*
 * On a terminal narrower than `below` columns print only `columns`
 * ("ID,IP,VENDOR") unless --columns names others.
 */
void	 table_narrow(struct table *t, unsigned below, const char *columns);
/* A secondary table (a summary, key/value pairs): --columns/--sort leave it be. */
void	 table_fixed(struct table *t);
/* Prints with cli->view; an unknown --columns/--sort name sets cli->usage_failed. */
void	 table_print(struct table *t, struct cli *cli);
void	 table_free(struct table *t);
/* The width to fit: COLUMNS, else the terminal's, else 0 (piped: no limit). */
unsigned cli_table_width(void);
/* Takes --columns and --sort out of argv into cli->view; returns the new argc. */
int	 cli_view_opts(struct cli *cli, int argc, char **argv);

/*
 * RFC 4180 CSV: fields separated by ",", records end in CRLF, a field
 * holding , " or a leading/trailing blank is quoted with "" doubling.
 * Text fields are neutralised against spreadsheet formula injection (a
 * leading = + - @ TAB or CR gets a leading ') and their control bytes and
 * invalid UTF-8 are written as "\xHH", so one record is one line.
 */
struct csv {
	FILE	*f;
	size_t	 col;
};
void	 csv_init(struct csv *c, FILE *f);
void	 csv_str(struct csv *c, const char *s);	/* NULL: empty field */
void	 csv_strn(struct csv *c, const char *s, size_t len);
void	 csv_int(struct csv *c, long long v);
void	 csv_eol(struct csv *c);

/*
 * A JSON string from untrusted bytes: NULL gives json null; invalid
 * UTF-8 or NUL bytes (which jansson refuses or passes) are escaped as
 * "\xHH" text first.  Never returns NULL except on out of memory.
 */
json_t	*jstr(const char *s);
json_t	*jstrn(const char *s, size_t len);
/* ISO 8601 UTC ("2026-11-29T10:00:00Z") or null when t <= 0. */
json_t	*jtime(int64_t t);
/* String member of an object, NULL if absent or not a string. */
const char *jtext(json_t *o, const char *key);
/* The strings of an array joined with sep (malloc'd, "" when empty). */
char	*json_join(json_t *arr, const char *sep);
/* Print v (an array or object) followed by a newline; 0 or -1. */
int	 json_print(json_t *v, FILE *f);

/* --- time ---------------------------------------------------------- */

#define ISO_LEN	21	/* "2026-11-29T10:00:00Z" + NUL */
void	 fmt_iso(int64_t t, char out[ISO_LEN]);	/* "-" when t <= 0 */
/*
 * --since: ISO 8601 ("2026-11-29", "2026-11-29T10:00", "...:00Z",
 * "...+01:00") or relative to now ("90s", "30m", "24h", "7d", "2w").
 * Returns false on a malformed value.
 */
bool	 parse_since(const char *s, time_t now, int64_t *out);

/* --- database (cli_db.c) ------------------------------------------- */

/*
 * Open cli->db_path read-only (store_open(STORE_RO) checks the schema)
 * and begin the command's session (store_session_begin: one snapshot,
 * a wait for a busy database).  EXIT_OK or EXIT_DB (message printed, or
 * cli->busy set for a retry).  The CLI runs no SQL of its own: every
 * query is a store function (store/q_*.h).
 */
int	 cli_db_open(struct cli *cli);
/* The same, read-write (spanwatch annotate only): the file must exist. */
int	 cli_db_open_mode(struct cli *cli, bool rw);
void	 cli_db_close(struct cli *cli);
/*
 * The result of a store read with the CLI's error policy: a busy
 * database sets cli->busy silently (the command is run again), another
 * error prints one line.  True when rc is a success.
 */
bool	 cli_db_check(struct cli *cli, int rc);
/*
 * A store read that failed with rc (0: the handle's last result): busy
 * sets cli->busy, another error prints "spanwatch: DB: [what: ]message".
 * Returns EXIT_DB.
 */
int	 cli_db_read_failed(struct cli *cli, int rc, const char *what);
bool	 cli_db_failed(const struct cli *cli);

/* --- assets (cli_asset.c) ------------------------------------------ */

/* --- filters (cli_filter.c) ---------------------------------------- */

#define FILTER_VALUES	32	/* values per filter option */

struct strset {
	char	*v[FILTER_VALUES];
	size_t	 n;		/* 0: the filter is not set, everything matches */
};

struct cidr {
	struct ipaddr	net;
	unsigned	plen;
};

struct netset {
	struct cidr	v[FILTER_VALUES];
	size_t		n;
};

/*
 * What a listing keeps: a row matches one value of every filter set.
 * --subnet and --ip add to the same set of networks (an address is a /32).
 */
struct asset_filter {
	struct strset	 vendor;	/* substring of vendor or OUI vendor, any case */
	struct strset	 proto;		/* protocol served or used */
	struct strset	 role;
	struct strset	 category;	/* device category */
	struct strset	 risk;		/* risk level names */
	struct netset	 nets;
	int		 ports[FILTER_VALUES];
	size_t		 nports;
	int64_t		 since;		/* last seen at or after */
	bool		 has_since;
	int64_t		 asset;		/* 0: any */
};

/* getopt codes of the filter options, and their struct option lines. */
enum { F_VENDOR = 300, F_PROTO, F_ROLE, F_RISK, F_SUBNET, F_IP, F_PORT, F_SINCE, F_ASSET,
	F_CATEGORY };
#define FOPT_VENDOR	{ "vendor", required_argument, NULL, F_VENDOR }
#define FOPT_PROTO	{ "proto", required_argument, NULL, F_PROTO }
#define FOPT_ROLE	{ "role", required_argument, NULL, F_ROLE }
#define FOPT_CATEGORY	{ "category", required_argument, NULL, F_CATEGORY }
#define FOPT_RISK	{ "risk", required_argument, NULL, F_RISK }
#define FOPT_SUBNET	{ "subnet", required_argument, NULL, F_SUBNET }
#define FOPT_IP		{ "ip", required_argument, NULL, F_IP }
#define FOPT_PORT	{ "port", required_argument, NULL, F_PORT }
#define FOPT_SINCE	{ "since", required_argument, NULL, F_SINCE }
#define FOPT_ASSET	{ "asset", required_argument, NULL, F_ASSET }
/* The help lines of the filters, for the commands' --help texts. */
#define FHELP_LISTS \
    "Filters take several values, repeated or comma-separated (--role plc,rtu);\n" \
    "a row is kept when it matches one value of every filter given.\n"
#define FHELP_NET \
    "  --subnet CIDR    an address in CIDR (10.0.0.0/8, 2001:db8::/32)\n" \
    "  --ip ADDR        this address\n"

/*
 * One filter option of a command's getopt loop: 1 taken into f, 0 not a
 * filter option, -1 a bad value (usage error printed).
 */
int	 filter_opt(struct cli *cli, const char *cmd, int ch, const char *arg,
	    struct asset_filter *f);
void	 filter_free(struct asset_filter *f);
bool	 set_has(const struct strset *set, const char *s);	/* exact, any case */
bool	 set_has_any(const struct strset *set, json_t *arr);	/* one element of arr */
bool	 set_contains(const struct strset *set, const char *s);	/* substring, any case */
bool	 nets_match(const struct netset *n, const char *ip);
bool	 nets_match_any(const struct netset *n, json_t *ips);
bool	 ports_match(const struct asset_filter *f, long port);

/*
 * The assets matching f (NULL: all), as `list --json` objects, or with
 * evidence, addresses, services and peers when detail is set (`show
 * --json`).  NULL on a database error (reported / cli->busy).
 */
json_t	*assets_json(struct cli *cli, const struct asset_filter *f, bool detail);
json_t	*asset_json(struct cli *cli, int64_t id, bool detail);
bool	 asset_matches(json_t *asset, const struct asset_filter *f);
/* Print assets as list does (table, JSON array, CSV); EXIT_NOTFOUND if none. */
int	 print_assets(struct cli *cli, json_t *arr, enum out_fmt fmt);
/* An asset id from "ID", "IP" or "MAC"; 0 if none, -1 if key is none of these. */
int64_t	 asset_lookup(struct cli *cli, const char *key);

/* --- helpers shared by commands ------------------------------------ */

/* Parse --json / --csv / --table; returns true if arg was one of them. */
bool	 out_opt(const char *arg, enum out_fmt *fmt);
void	 cli_usage_error(struct cli *cli, const char *cmd, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
