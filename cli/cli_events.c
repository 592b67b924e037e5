/*
 * cli_events.c - `spanwatch events`: operations and change events, oldest
 * first; `spanwatch baseline`: the learning period, and ending it.
 *
 * The events come from store_events() as the JSON objects docs/JSON.md
 * describes; this file only formats them.  --follow prints what is there,
 * then polls for newer events once a second (a fresh read each time) and
 * prints them as they appear, straight to stdout.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


#include "cli.h"
#include "events.h"
#include "store.h"

#define FOLLOW_POLL_US	1000000

static const char events_help[] =
    "  --json         a JSON array of event objects (docs/JSON.md); with --follow,\n"
    "                 one object per line\n"
    "  --kind KIND    only these kinds: operation, asset_new, address_changed,\n"
    "                 identity_changed, new_client, new_service, gateway,\n"
    "                 risk_changed, asset_silent\n"
    "  --subnet CIDR  events with an address in CIDR (the asset's, an operation's\n"
    "                 client or server, an address change's old or new one)\n"
    "  --ip ADDR      events with this address\n"
    "  --since TIME   events at or after TIME (ISO 8601, or 30m, 24h, 7d)\n"
    "  --asset KEY    events of, by or on one asset (ID, IP or MAC)\n"
    "  --alerts       leave out what was recorded during the learning period\n"
    "  --follow       keep printing new events as the daemon writes them\n"
    "Exit status 1 when there is no event to show (without --follow).\n"
    FHELP_LISTS;

enum { E_JSON = 256, E_KIND, E_SINCE, E_ASSET, E_FOLLOW, E_ALERTS, E_ACCEPT };

struct printer {
	struct cli	*cli;
	FILE		*f;
	bool		 json, stream;
	json_t		*arr;		/* --json without --follow */
	struct table	*t;
	long long	 last_id;
	const struct netset *nets;	/* --subnet, --ip: kept when one address is in it */
};

static const char *
str(json_t *o, const char *k)
{
	const char *s = jtext(o, k);

	return s ? s : "";
}

/* One line of text for an event: what a table cell or a followed line shows. */
static void
describe(json_t *ev, char *out, size_t outsz)
{
	const char *kind = str(ev, "kind");

	if (strcmp(kind, "operation") == 0) {
		json_t *c = json_object_get(ev, "client"), *s = json_object_get(ev, "server");

		snprintf(out, outsz, "%s %s %s -> %s x%lld %s%s%s", str(ev, "protocol"),
		    str(ev, "operation"), jtext(c, "ip") ? jtext(c, "ip") : str(c, "mac"),
		    jtext(s, "ip") ? jtext(s, "ip") : str(s, "mac"),
		    (long long)json_integer_value(json_object_get(ev, "count")), str(ev, "outcome"),
		    jtext(ev, "detail") ? ": " : "", str(ev, "detail"));
	} else
		snprintf(out, outsz, "%s", str(ev, "detail"));
}

/* Whether one of the addresses an event involves is in nets. */
static bool
event_in_nets(json_t *ev, const struct netset *nets)
{
	const char *field = jtext(ev, "field");
	json_t *c = json_object_get(ev, "client"), *s = json_object_get(ev, "server");

	if (nets->n == 0)
		return true;
	return nets_match(nets, jtext(ev, "asset_ip")) || nets_match(nets, jtext(c, "ip")) ||
	    nets_match(nets, jtext(s, "ip")) || (field && strcmp(field, "ip") == 0 &&
	    (nets_match(nets, jtext(ev, "old")) || nets_match(nets, jtext(ev, "new"))));
}

static int
print_one(void *arg, json_t *ev)
{
	struct printer *p = arg;
	char what[1024], id[24], asset[24];
	const char *cells[6];
	json_int_t eid = json_integer_value(json_object_get(ev, "id"));

	p->last_id = eid;	/* --follow goes on after it, shown or not */
	if (!event_in_nets(ev, p->nets)) {
		json_decref(ev);
		return 0;
	}
	if (p->json && !p->stream) {
		json_array_append_new(p->arr, ev);
		return 0;
	}
	if (p->json) {
		char *s = json_dumps(ev, JSON_COMPACT);

		if (s)
			fprintf(p->f, "%s\n", s);
		free(s);
		json_decref(ev);
		return 0;
	}
	describe(ev, what, sizeof(what));
	snprintf(id, sizeof(id), "%lld", (long long)eid);
	snprintf(asset, sizeof(asset), "%lld", (long long)json_integer_value(json_object_get(ev, "asset")));
	cells[0] = id;
	cells[1] = str(ev, "ts");
	cells[2] = str(ev, "kind");
	cells[3] = json_is_integer(json_object_get(ev, "asset")) ? asset : NULL;
	cells[4] = json_is_true(json_object_get(ev, "baseline")) ? "learning" : "alert";
	cells[5] = what;
	if (p->stream) {
		/* a followed line: the same cells, terminal-safe, one line per event */
		for (int i = 0; i < 6; i++) {
			char *c = term_cell(cells[i], cells[i] ? strlen(cells[i]) : 0);

			fprintf(p->f, "%s%s", i ? "  " : "", c);
			free(c);
		}
		fputc('\n', p->f);
	} else
		table_add(p->t, cells);
	json_decref(ev);
	return 0;
}

static int
query(struct cli *cli, struct event_filter *f, struct printer *p)
{
	int rc;
	long n = store_events(cli->store, f, print_one, p, &rc);

	if (n < 0) {
		if (store_fault_of(rc) == STORE_FAULT_BUSY)
			cli->busy = true;
		else
			fprintf(cli->err, "spanwatch: %s\n", store_errmsg(cli->store));
	}
	return n < 0 ? -1 : 0;
}

/* Poll for newer events until killed; each poll is a read of its own. */
static int
follow(struct cli *cli, struct event_filter *f, struct printer *p)
{
	for (;;) {
		fflush(p->f);
		usleep(FOLLOW_POLL_US);
		cli_db_close(cli);
		cli->busy = false;
		if (cli_db_open(cli) != EXIT_OK) {
			if (!cli->busy)
				return EXIT_DB;
			continue;
		}
		f->after_id = p->last_id;
		if (query(cli, f, p) != 0 && !cli->busy)
			return EXIT_DB;
	}
}

/* --kind operation,asset_new (or repeated): the kinds into the store's mask. */
static bool
kinds_add(struct cli *cli, const char *arg, uint32_t *mask)
{
	const char *s = arg, *end;

	for (; *s; s = *end ? end + 1 : end) {
		char one[32];
		int k;

		end = s + strcspn(s, ",");
		if (end == s)
			continue;
		snprintf(one, sizeof(one), "%.*s", (int)(end - s), s);
		if ((size_t)(end - s) >= sizeof(one) || (k = ev_kind_from_name(one)) < 0) {
			cli_usage_error(cli, "events", "--kind: '%.*s' is not an event kind",
			    (int)(end - s), s);
			return false;
		}
		*mask |= 1u << k;
	}
	return true;
}

static int
parse_args(struct cli *cli, int argc, char **argv, struct event_filter *f, struct printer *p,
    struct asset_filter *nf, bool *do_follow)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, E_JSON },
		{ "kind", required_argument, NULL, E_KIND },
		FOPT_SUBNET,
		FOPT_IP,
		{ "since", required_argument, NULL, E_SINCE },
		{ "asset", required_argument, NULL, E_ASSET },
		{ "follow", no_argument, NULL, E_FOLLOW },
		{ "alerts", no_argument, NULL, E_ALERTS },
		{ NULL, 0, NULL, 0 }
	};
	int ch;
	int64_t since;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case E_JSON:
			p->json = true;
			break;
		case E_KIND:
			if (!kinds_add(cli, optarg, &f->kinds))
				return EXIT_USAGE;
			break;
		case F_SUBNET:
		case F_IP:
			if (filter_opt(cli, "events", ch, optarg, nf) < 0)
				return EXIT_USAGE;
			break;
		case E_SINCE:
			if (!parse_since(optarg, time(NULL), &since)) {
				cli_usage_error(cli, "events", "--since: cannot read '%s' as a time", optarg);
				return EXIT_USAGE;
			}
			f->since = since;
			break;
		case E_ASSET:
			if ((f->asset = asset_lookup(cli, optarg)) < 0) {
				cli_usage_error(cli, "events", "--asset: '%s' is no ID, IP or MAC", optarg);
				return EXIT_USAGE;
			}
			if (f->asset == 0) {
				if (cli_db_failed(cli))
					return EXIT_DB;
				fprintf(cli->err, "spanwatch events: no asset %s\n", optarg);
				return EXIT_NOTFOUND;
			}
			break;
		case E_FOLLOW:
			*do_follow = true;
			break;
		case E_ALERTS:
			f->alerts_only = true;
			break;
		default:
			cli_usage_error(cli, "events", "unknown option or missing value: %s", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_usage_error(cli, "events", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int
events_run(struct cli *cli, int argc, char **argv)
{
	static const char *const hdr[] = { "ID", "TIME", "KIND", "ASSET", "STATE", "WHAT" };
	static const size_t maxw[] = { 0, 0, 0, 0, 0, 100 };
	static struct asset_filter nf;	/* only its networks: --subnet, --ip */
	struct event_filter f = { 0 };
	struct printer p = { .cli = cli, .f = cli->out, .nets = &nf.nets };
	bool do_follow = false;
	int rc;

	memset(&nf, 0, sizeof(nf));
	if ((rc = parse_args(cli, argc, argv, &f, &p, &nf, &do_follow)) != EXIT_OK)
		return rc;
	if (do_follow) {
		p.stream = true;
		p.f = cli->direct ? cli->direct : cli->out;
	} else if (p.json)
		p.arr = json_array();
	else
		p.t = table_new(6, hdr, maxw);
	if (query(cli, &f, &p) != 0) {
		json_decref(p.arr);
		table_free(p.t);
		return EXIT_DB;
	}
	if (do_follow)
		return follow(cli, &f, &p);
	if (p.arr) {
		rc = json_array_size(p.arr) ? EXIT_OK : EXIT_NOTFOUND;
		json_print(p.arr, p.f);
		json_decref(p.arr);
		return rc;
	}
	rc = table_rows(p.t) ? EXIT_OK : EXIT_NOTFOUND;
	if (table_rows(p.t))
		table_print(p.t, cli);
	else
		fprintf(cli->err, "spanwatch: no events\n");
	table_free(p.t);
	return rc;
}

const struct cli_cmd cmd_events = {
	"events", events_run,
	"[--kind K] [--subnet CIDR] [--ip A] [--since T] [--asset KEY] [--alerts] [--follow] [--json]",
	"operations and change events, oldest first", events_help, true
};

/* --- baseline ------------------------------------------------------------------ */

static const char baseline_help[] =
    "  --accept       end the learning period now (or accept the current state once\n"
    "                 more): from here on every change is an alert.  Opens the\n"
    "                 database for writing, the only command that does.\n"
    "  --json         the state as one JSON object\n";

static void
iso(long long t, char out[ISO_LEN])
{
	fmt_iso(t, out);
}

static int
baseline_show(struct cli *cli, bool json)
{
	struct baseline_info b;
	char start[ISO_LEN], end[ISO_LEN], acc[ISO_LEN];

	if (store_baseline_info(cli->store, cli->learning_s, &b) != 0) {
		fprintf(cli->err, "spanwatch: %s\n", store_errmsg(cli->store));
		return EXIT_DB;
	}
	if (json) {
		json_t *o = json_pack("{s:s, s:o, s:o, s:o, s:I, s:I}",
		    "state", b.learning ? "learning" : "alerting", "start", jtime(b.start),
		    "end", jtime(b.end), "accepted", jtime(b.accepted),
		    "baseline_events", (json_int_t)b.baseline_events,
		    "alert_events", (json_int_t)b.alert_events);
		int rc = json_print(o, cli->out);

		json_decref(o);
		return rc == 0 ? EXIT_OK : EXIT_DB;
	}
	iso(b.start, start);
	iso(b.end, end);
	iso(b.accepted, acc);
	fprintf(cli->out, "state:            %s\n", b.learning ? "learning" : "alerting");
	fprintf(cli->out, "learning since:   %s (packet time)\n", start);
	fprintf(cli->out, "%-18s%s\n", b.learning ? "learning until:" : "learning ended:", end);
	fprintf(cli->out, "accepted:         %s\n", acc);
	fprintf(cli->out, "events learnt:    %lld\nevents alerted:   %lld\n", b.baseline_events,
	    b.alert_events);
	return EXIT_OK;
}

static int
baseline_accept(struct cli *cli)
{
	char err[512];
	struct store *rw;
	int rc = EXIT_OK;

	cli_db_close(cli);		/* the read transaction would block the write */
	if ((rw = store_open(cli->db_path, STORE_RW, err, sizeof(err))) == NULL) {
		fprintf(cli->err, "spanwatch: %s\n", err);
		return EXIT_DB;
	}
	if (store_baseline_accept(rw, (long long)time(NULL)) != 0) {
		fprintf(cli->err, "spanwatch: %s\n", store_errmsg(rw));
		rc = EXIT_DB;
	} else
		fprintf(cli->out, "baseline accepted: changes from now on are alerts\n");
	store_close(rw);
	return rc;
}

static int
baseline_run(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "accept", no_argument, NULL, E_ACCEPT },
		{ "json", no_argument, NULL, E_JSON },
		{ NULL, 0, NULL, 0 }
	};
	bool accept = false, json = false;
	int ch;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == E_ACCEPT)
			accept = true;
		else if (ch == E_JSON)
			json = true;
		else {
			cli_usage_error(cli, "baseline", "unknown option: %s", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_usage_error(cli, "baseline", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	return accept ? baseline_accept(cli) : baseline_show(cli, json);
}

const struct cli_cmd cmd_baseline = {
	"baseline", baseline_run, "[--accept] [--json]",
	"the learning period: its state, or end it (--accept)", baseline_help, true
};
