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
	enum out_fmt		fmt;
	struct asset_filter	f;
};

enum { N_JSON = 256, N_CSV, N_TABLE };

static int
parse_net_opts(struct cli *cli, const char *cmd, int argc, char **argv,
    struct net_opts *no, const struct option *opts)
{
	int ch;

	memset(no, 0, sizeof(*no));
	no->fmt = OUT_TABLE;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (filter_opt(cli, cmd, ch, optarg, &no->f)) {
		case 1: continue;
		case -1: return EXIT_USAGE;
		}
		switch (ch) {
		case N_JSON: no->fmt = OUT_JSON; break;
		case N_CSV: no->fmt = OUT_CSV; break;
		case N_TABLE: no->fmt = OUT_TABLE; break;
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

#define NOPT_FORMATS \
	{ "json", no_argument, NULL, N_JSON }, \
	{ "csv", no_argument, NULL, N_CSV }, \
	{ "table", no_argument, NULL, N_TABLE }, \
	{ NULL, 0, NULL, 0 }

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
struct row_table {
	const char *const	*keys;
	const char *const	*hdr;
	const size_t		*maxw;
	size_t			 n;
	const char		*what;		/* "services", for "no services found" */
	const char		*narrow;	/* columns on a terminal under 120 */
};

static int
print_rows(struct cli *cli, json_t *rows, enum out_fmt fmt, const struct row_table *rt)
{
	const char *const *keys = rt->keys;
	size_t n = rt->n;
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
		struct table *t = table_new(n, rt->hdr, rt->maxw);

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
		table_narrow(t, 120, rt->narrow);
		table_print(t, cli);
		table_free(t);
	}
	if (json_array_size(rows) == 0) {
		fprintf(cli->err, "spanwatch: no %s found\n", rt->what);
		return EXIT_NOTFOUND;
	}
	return EXIT_OK;
}

static bool
proto_ok(const struct net_opts *no, sqlite3_stmt *st, int c)
{
	return set_has(&no->f.proto, (const char *)sqlite3_column_text(st, c));
}

/* --- services ------------------------------------------------------------ */

static const char services_help[] =
    "  --proto NAME     only this application protocol (modbus, enip, s7comm, ...)\n"
    "  --port N         only this port\n"
    "  --role NAME      only services in this role (modbus_server, ...)\n"
    "  --asset ID       only this asset's services\n"
    FHELP_NET
    FHELP_LISTS
    "  --columns A,B    the table's columns, in this order\n"
    "  --sort COL       sort by column COL (-COL: descending)\n"
    "  --json           one JSON array of service objects\n"
    "  --csv            RFC 4180 CSV with a header record\n"
    "Exit status 1 when no service matches.\n";

static int
services_run(struct cli *cli, int argc, char **argv)
{
	static const char *const keys[] = { "asset", "ip", "mac", "transport", "port",
	    "protocol", "role", "first_seen", "last_seen" };
	static const char *const hdr[] = { "ASSET", "IP", "MAC", "TRANSPORT", "PORT",
	    "PROTOCOL", "ROLE", "FIRST SEEN", "LAST SEEN" };
	static const size_t maxw[] = { 0, 0, 0, 0, 0, 16, 0, 0, 0 };
	static const struct option opts[] = {
		FOPT_PROTO, FOPT_PORT, FOPT_ROLE, FOPT_ASSET, FOPT_SUBNET, FOPT_IP, NOPT_FORMATS
	};
	static const struct row_table rt = { keys, hdr, maxw, 9, "services",
	    "ASSET,IP,PORT,TRANSPORT,PROTOCOL,ROLE,LAST SEEN" };
	struct net_opts no;
	sqlite3_stmt *st;
	json_t *rows;
	int rc;

	if ((rc = parse_net_opts(cli, "services", argc, argv, &no, opts)) != EXIT_OK) {
		filter_free(&no.f);
		return rc;
	}
	rows = json_array();
	st = q_prep(cli, SQL_SERVICES);
	while (q_step(cli, st)) {
		if (!proto_ok(&no, st, 5) || !ports_match(&no.f, sqlite3_column_int(st, 4)) ||
		    !set_has(&no.f.role, (const char *)sqlite3_column_text(st, 6)) ||
		    !nets_match(&no.f.nets, (const char *)sqlite3_column_text(st, 2)) ||
		    (no.f.asset && sqlite3_column_int64(st, 0) != no.f.asset))
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
	rc = cli_db_failed(cli) ? EXIT_DB : print_rows(cli, rows, no.fmt, &rt);
	json_decref(rows);
	filter_free(&no.f);
	return rc;
}

const struct cli_cmd cmd_services = {
	"services", services_run,
	"[--proto P] [--port N] [--role R] [--asset ID] [--subnet CIDR] [--ip A]\n"
	"       [--columns A,B] [--sort COL] [--json|--csv]",
	"services offered and used: asset, transport, port, protocol, role",
	services_help, true
};

/* --- conversations ------------------------------------------------------- */

static const char conversations_help[] =
    "  --proto NAME     only this application protocol\n"
    "  --port N         only to this server port\n"
    "  --asset ID       only conversations of this asset (client or server)\n"
    "  --subnet CIDR    client or server in CIDR\n"
    "  --ip ADDR        client or server is ADDR\n"
    FHELP_LISTS
    "  --columns A,B    the table's columns, in this order\n"
    "  --sort COL       sort by column COL (-COL: descending; default -BYTES)\n"
    "  --json           one JSON array of conversation objects\n"
    "  --csv            RFC 4180 CSV with a header record\n"
    "Exit status 1 when no conversation matches.\n";

static int
conversations_run(struct cli *cli, int argc, char **argv)
{
	static const char *const keys[] = { "client", "client_ip", "server", "server_ip",
	    "transport", "port", "protocol", "packets", "bytes", "first_seen", "last_seen" };
	static const char *const hdr[] = { "CLIENT", "CLIENT IP", "SERVER", "SERVER IP",
	    "TRANSPORT", "PORT", "PROTOCOL", "PACKETS", "BYTES", "FIRST SEEN", "LAST SEEN" };
	static const size_t maxw[] = { 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 0 };
	static const struct option opts[] = {
		FOPT_PROTO, FOPT_PORT, FOPT_ASSET, FOPT_SUBNET, FOPT_IP, NOPT_FORMATS
	};
	static const struct row_table rt = { keys, hdr, maxw, 11, "conversations",
	    "CLIENT,CLIENT IP,SERVER,SERVER IP,PORT,PROTOCOL,PACKETS,BYTES" };
	struct net_opts no;
	sqlite3_stmt *st;
	json_t *rows;
	int rc;

	if ((rc = parse_net_opts(cli, "conversations", argc, argv, &no, opts)) != EXIT_OK) {
		filter_free(&no.f);
		return rc;
	}
	rows = json_array();
	st = q_prep(cli, SQL_CONVERSATIONS);
	while (q_step(cli, st)) {
		if (!proto_ok(&no, st, 8) || !ports_match(&no.f, sqlite3_column_int(st, 7)))
			continue;
		if (no.f.asset && sqlite3_column_int64(st, 0) != no.f.asset &&
		    sqlite3_column_int64(st, 3) != no.f.asset)
			continue;
		if (!nets_match(&no.f.nets, (const char *)sqlite3_column_text(st, 2)) &&
		    !nets_match(&no.f.nets, (const char *)sqlite3_column_text(st, 5)))
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
	rc = cli_db_failed(cli) ? EXIT_DB : print_rows(cli, rows, no.fmt, &rt);
	json_decref(rows);
	filter_free(&no.f);
	return rc;
}

const struct cli_cmd cmd_conversations = {
	"conversations", conversations_run,
	"[--proto P] [--port N] [--asset ID] [--subnet CIDR] [--ip A]\n"
	"       [--columns A,B] [--sort COL] [--json|--csv]",
	"who talks to whom: client, server, protocol, port, packets, bytes",
	conversations_help, true
};
