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
#include "q_net.h"
#include "store.h"

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

struct net_rows {
	const struct net_opts	*no;
	json_t			*rows;
};

/* A database answer as an exit code: busy is tried again (cli->busy). */
static int
db_rc(struct cli *cli, int rc)
{
	return store_rc_ok(rc) ? EXIT_OK : cli_db_read_failed(cli, rc, "query");
}

static json_t *
str_or_null(const char *s)
{
	return s ? jstr(s) : json_null();
}

static bool
service_row(void *arg, const struct qn_service *s)
{
	struct net_rows *nr = arg;
	const struct asset_filter *f = &nr->no->f;

	if (!set_has(&f->proto, s->protocol) || !ports_match(f, s->port) ||
	    !set_has(&f->role, s->role) || !nets_match(&f->nets, s->ip) ||
	    (f->asset && s->asset != f->asset))
		return true;
	json_array_append_new(nr->rows, json_pack("{s:I s:o s:o s:o s:I s:o s:o s:o s:o}",
	    "asset", (json_int_t)s->asset,
	    "ip", str_or_null(s->ip),
	    "mac", str_or_null(s->mac),
	    "transport", str_or_null(s->transport),
	    "port", (json_int_t)s->port,
	    "protocol", str_or_null(s->protocol),
	    "role", str_or_null(s->role),
	    "first_seen", jtime(s->first_seen),
	    "last_seen", jtime(s->last_seen)));
	return true;
}

static bool
conversation_row(void *arg, const struct qn_conversation *c)
{
	struct net_rows *nr = arg;
	const struct asset_filter *f = &nr->no->f;

	if (!set_has(&f->proto, c->protocol) || !ports_match(f, c->port) ||
	    (f->asset && c->client != f->asset && c->server != f->asset) ||
	    (!nets_match(&f->nets, c->client_ip) && !nets_match(&f->nets, c->server_ip)))
		return true;
	json_array_append_new(nr->rows, json_pack(
	    "{s:I s:o s:o s:I s:o s:o s:o s:I s:o s:I s:I s:o s:o}",
	    "client", (json_int_t)c->client,
	    "client_mac", str_or_null(c->client_mac),
	    "client_ip", str_or_null(c->client_ip),
	    "server", (json_int_t)c->server,
	    "server_mac", str_or_null(c->server_mac),
	    "server_ip", str_or_null(c->server_ip),
	    "transport", str_or_null(c->transport),
	    "port", (json_int_t)c->port,
	    "protocol", str_or_null(c->protocol),
	    "packets", (json_int_t)c->packets,
	    "bytes", (json_int_t)c->bytes,
	    "first_seen", jtime(c->first_seen),
	    "last_seen", jtime(c->last_seen)));
	return true;
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
	json_t *rows;
	int rc;

	if ((rc = parse_net_opts(cli, "services", argc, argv, &no, opts)) != EXIT_OK) {
		filter_free(&no.f);
		return rc;
	}
	rows = json_array();
	rc = db_rc(cli, qn_services(cli->store, service_row, &(struct net_rows){ &no, rows }));
	if (rc == EXIT_OK)
		rc = print_rows(cli, rows, no.fmt, &rt);
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
	json_t *rows;
	int rc;

	if ((rc = parse_net_opts(cli, "conversations", argc, argv, &no, opts)) != EXIT_OK) {
		filter_free(&no.f);
		return rc;
	}
	rows = json_array();
	rc = db_rc(cli, qn_conversations(cli->store, conversation_row, &(struct net_rows){ &no, rows }));
	if (rc == EXIT_OK)
		rc = print_rows(cli, rows, no.fmt, &rt);
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
