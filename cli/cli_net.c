/*
 * cli_net.c - `spanwatch services` and `spanwatch conversations`.
 *
 * Both build a JSON array of row objects first; the table and CSV writers
 * print from it, so the three formats carry the same data.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "cli_sql.h"

struct net_opts {
	enum out_fmt	 fmt;
	const char	*proto;
	long		 port;		/* -1: any */
	int64_t		 asset;		/* 0: any */
};

enum { N_JSON = 256, N_CSV, N_TABLE, N_PROTO, N_PORT, N_ASSET };

static int
parse_net_opts(struct cli *cli, const char *cmd, int argc, char **argv,
    struct net_opts *no, bool port_opt, bool asset_opt)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, N_JSON },
		{ "csv", no_argument, NULL, N_CSV },
		{ "table", no_argument, NULL, N_TABLE },
		{ "proto", required_argument, NULL, N_PROTO },
		{ "port", required_argument, NULL, N_PORT },
		{ "asset", required_argument, NULL, N_ASSET },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	int ch;

	no->fmt = OUT_TABLE;
	no->proto = NULL;
	no->port = -1;
	no->asset = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case N_JSON: no->fmt = OUT_JSON; break;
		case N_CSV: no->fmt = OUT_CSV; break;
		case N_TABLE: no->fmt = OUT_TABLE; break;
		case N_PROTO: no->proto = optarg; break;
		case N_PORT:
			no->port = strtol(optarg, &end, 10);
			if (!port_opt || *optarg == '\0' || *end != '\0') {
				cli_usage_error(cli, cmd, "--port: '%s' is not a port number", optarg);
				return EXIT_USAGE;
			}
			if (no->port < 0 || no->port > 65535) {
				cli_usage_error(cli, cmd, "--port: %s is out of range (0-65535)", optarg);
				return EXIT_USAGE;
			}
			break;
		case N_ASSET:
			no->asset = strtoll(optarg, &end, 10);
			if (!asset_opt || *optarg == '\0' || *end != '\0' || no->asset <= 0) {
				cli_usage_error(cli, cmd, "--asset: '%s' is not an asset id", optarg);
				return EXIT_USAGE;
			}
			break;
		default:
			cli_usage_error(cli, cmd, "unknown option or missing value: %s", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_usage_error(cli, cmd, "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static json_t *
col(sqlite3_stmt *st, int c)
{
	size_t len;
	const char *s = q_text(st, c, &len);

	return s ? jstrn(s, len) : json_null();
}

static json_t *
id_or_null(sqlite3_stmt *st, int c)
{
	return sqlite3_column_type(st, c) == SQLITE_NULL ? json_null() :
	    json_integer(sqlite3_column_int64(st, c));
}

/*
 * Print rows (objects) with these keys as a table or CSV, or the array as
 * JSON.  Integer members are printed as numbers.
 */
static int
print_rows(struct cli *cli, json_t *rows, enum out_fmt fmt, const char *const *keys,
    const char *const *hdr, const size_t *maxw, size_t n, const char *what)
{
	size_t i, k;
	json_t *o;

	if (fmt == OUT_JSON) {
		if (json_print(rows, cli->out) != 0)
			return EXIT_DB;
	} else if (fmt == OUT_CSV) {
		struct csv c;

		csv_init(&c, cli->out);
		for (k = 0; k < n; k++)
			csv_str(&c, keys[k]);
		csv_eol(&c);
		json_array_foreach(rows, i, o) {
			for (k = 0; k < n; k++) {
				json_t *v = json_object_get(o, keys[k]);

				if (json_is_integer(v))
					csv_int(&c, (long long)json_integer_value(v));
				else
					csv_str(&c, json_string_value(v));
			}
			csv_eol(&c);
		}
	} else if (json_array_size(rows) > 0) {
		struct table *t = table_new(n, hdr, maxw);

		json_array_foreach(rows, i, o) {
			char nums[16][24];
			const char *cells[16];

			for (k = 0; k < n && k < 16; k++) {
				json_t *v = json_object_get(o, keys[k]);

				cells[k] = json_string_value(v);
				if (json_is_integer(v)) {
					snprintf(nums[k], sizeof(nums[k]), "%lld",
					    (long long)json_integer_value(v));
					cells[k] = nums[k];
				}
			}
			table_add(t, cells);
		}
		table_print(t, cli->out);
		table_free(t);
	}
	if (json_array_size(rows) == 0) {
		fprintf(cli->err, "spanwatch: no %s found\n", what);
		return EXIT_NOTFOUND;
	}
	return EXIT_OK;
}

static bool
proto_ok(const struct net_opts *no, sqlite3_stmt *st, int c)
{
	const char *p = (const char *)sqlite3_column_text(st, c);

	return no->proto == NULL || (p && strcasecmp(p, no->proto) == 0);
}

/* --- services ------------------------------------------------------------ */

static const char services_help[] =
    "  --proto NAME  only this application protocol (modbus, enip, s7comm, ...)\n"
    "  --port N      only this port\n"
    "  --json        one JSON array of service objects\n"
    "  --csv         RFC 4180 CSV with a header record\n"
    "Exit status 1 when no service matches.\n";

static int
services_run(struct cli *cli, int argc, char **argv)
{
	static const char *const keys[] = { "asset", "ip", "mac", "transport", "port",
	    "protocol", "role", "first_seen", "last_seen" };
	static const char *const hdr[] = { "ASSET", "IP", "MAC", "TRANSPORT", "PORT",
	    "PROTOCOL", "ROLE", "FIRST SEEN", "LAST SEEN" };
	static const size_t maxw[] = { 0, 44, 17, 0, 0, 24, 8, 20, 20 };
	struct net_opts no;
	sqlite3_stmt *st;
	json_t *rows;
	int rc;

	if ((rc = parse_net_opts(cli, "services", argc, argv, &no, true, false)) != EXIT_OK)
		return rc;
	rows = json_array();
	st = q_prep(cli, SQL_SERVICES);
	while (q_step(cli, st)) {
		if (!proto_ok(&no, st, 5) || (no.port >= 0 && sqlite3_column_int(st, 4) != no.port))
			continue;
		json_array_append_new(rows, json_pack("{s:o s:o s:o s:o s:I s:o s:o s:o s:o}",
		    "asset", id_or_null(st, 0),
		    "ip", col(st, 2),
		    "mac", col(st, 1),
		    "transport", col(st, 3),
		    "port", (json_int_t)sqlite3_column_int64(st, 4),
		    "protocol", col(st, 5),
		    "role", col(st, 6),
		    "first_seen", jtime(sql_time(st, 7)),
		    "last_seen", jtime(sql_time(st, 8))));
	}
	q_done(st);
	rc = cli_db_failed(cli) ? EXIT_DB :
	    print_rows(cli, rows, no.fmt, keys, hdr, maxw, 9, "services");
	json_decref(rows);
	return rc;
}

const struct cli_cmd cmd_services = {
	"services", services_run, "[--proto NAME] [--port N] [--json|--csv]",
	"services offered and used: asset, transport, port, protocol, role",
	services_help, true
};

/* --- conversations ------------------------------------------------------- */

static const char conversations_help[] =
    "  --proto NAME  only this application protocol\n"
    "  --asset ID    only conversations of this asset (client or server)\n"
    "  --json        one JSON array of conversation objects\n"
    "  --csv         RFC 4180 CSV with a header record\n"
    "Exit status 1 when no conversation matches.\n";

static int
conversations_run(struct cli *cli, int argc, char **argv)
{
	static const char *const keys[] = { "client", "client_ip", "server", "server_ip",
	    "transport", "port", "protocol", "packets", "bytes", "first_seen", "last_seen" };
	static const char *const hdr[] = { "CLIENT", "CLIENT IP", "SERVER", "SERVER IP",
	    "TRANSPORT", "PORT", "PROTOCOL", "PACKETS", "BYTES", "FIRST SEEN", "LAST SEEN" };
	static const size_t maxw[] = { 0, 44, 0, 44, 0, 0, 24, 0, 0, 20, 20 };
	struct net_opts no;
	sqlite3_stmt *st;
	json_t *rows;
	int rc;

	if ((rc = parse_net_opts(cli, "conversations", argc, argv, &no, false, true)) != EXIT_OK)
		return rc;
	rows = json_array();
	st = q_prep(cli, SQL_CONVERSATIONS);
	while (q_step(cli, st)) {
		if (!proto_ok(&no, st, 8))
			continue;
		if (no.asset && sqlite3_column_int64(st, 0) != no.asset &&
		    sqlite3_column_int64(st, 3) != no.asset)
			continue;
		json_array_append_new(rows, json_pack(
		    "{s:o s:o s:o s:o s:o s:o s:o s:I s:o s:I s:I s:o s:o}",
		    "client", id_or_null(st, 0),
		    "client_mac", col(st, 1),
		    "client_ip", col(st, 2),
		    "server", id_or_null(st, 3),
		    "server_mac", col(st, 4),
		    "server_ip", col(st, 5),
		    "transport", col(st, 6),
		    "port", (json_int_t)sqlite3_column_int64(st, 7),
		    "protocol", col(st, 8),
		    "packets", (json_int_t)sqlite3_column_int64(st, 9),
		    "bytes", (json_int_t)sqlite3_column_int64(st, 10),
		    "first_seen", jtime(sql_time(st, 11)),
		    "last_seen", jtime(sql_time(st, 12))));
	}
	q_done(st);
	rc = cli_db_failed(cli) ? EXIT_DB :
	    print_rows(cli, rows, no.fmt, keys, hdr, maxw, 11, "conversations");
	json_decref(rows);
	return rc;
}

const struct cli_cmd cmd_conversations = {
	"conversations", conversations_run, "[--proto NAME] [--asset ID] [--json|--csv]",
	"who talks to whom: client, server, protocol, port, packets, bytes",
	conversations_help, true
};
