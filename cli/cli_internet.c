/*
 * cli_internet.c - `spanwatch internet`: which devices talk to the
 * Internet, to whom (the owner and country of the address space, the names
 * the addresses went by), on which ports, how much and when, who probed
 * them from outside, and what it does to their risk.  The rows come from
 * store/q_internet.c.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "q_internet.h"
#include "sbuf.h"

static const char internet_help[] =
    "  --json          the same as JSON: one object per asset with destinations\n"
    "                  grouped by owner and country, and exposure (inbound)\n";

static int
read_failed(struct cli *cli)
{
	return cli_db_read_failed(cli, 0, NULL);
}

static const char *
str(json_t *o, const char *k, const char *dflt)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v && v[0] ? v : dflt;
}

static void
print_names(struct cli *cli, json_t *names)
{
	struct sbuf b = { 0 };
	size_t i;
	json_t *n;
	char *s;

	json_array_foreach(names, i, n) {
		sb_puts(&b, i ? ", " : "");
		sb_puts(&b, str(n, "name", "?"));
		sb_puts(&b, " (");
		sb_puts(&b, str(n, "source", "?"));
		sb_puts(&b, ")");
	}
	if ((s = sb_take(&b)) != NULL)
		cli_wrapf(cli, 8, 8, "%s", s);
	free(s);
}

static void
print_endpoint(struct cli *cli, json_t *e)
{
	char first[ISO_LEN], last[ISO_LEN], head[256];
	int n;

	fmt_iso(json_integer_value(json_object_get(e, "first_seen")), first);
	fmt_iso(json_integer_value(json_object_get(e, "last_seen")), last);
	n = snprintf(head, sizeof(head), "%-15s %s  %lld pkts %lld bytes", str(e, "ip", "?"),
	    str(e, "ports", ""), (long long)json_integer_value(json_object_get(e, "packets")),
	    (long long)json_integer_value(json_object_get(e, "bytes")));
	/* the time range on the same line where the terminal has room for it */
	if (cli->view.width == 0 || 6 + (size_t)n + 2 + 2 * (ISO_LEN - 1) + 4 <= cli->view.width)
		cli_wrapf(cli, 6, 8, "%s  %s .. %s", head, first, last);
	else {
		cli_wrapf(cli, 6, 8, "%s", head);
		cli_wrapf(cli, 8, 8, "%s .. %s", first, last);
	}
	if (json_array_size(json_object_get(e, "names")))
		print_names(cli, json_object_get(e, "names"));
}

static void
print_asset(struct cli *cli, json_t *a)
{
	size_t i, k;
	json_t *g, *e, *r;

	cli_wrapf(cli, 0, 2, "%s %s%s%s  risk %s", str(a, "ip", "-"), str(a, "mac", ""),
	    json_is_string(json_object_get(a, "hostname")) ? " " : "", str(a, "hostname", ""),
	    str(a, "level", "unknown"));
	json_array_foreach(json_object_get(a, "destinations"), i, g) {
		json_int_t asn = json_integer_value(json_object_get(g, "asn"));

		cli_wrapf(cli, 2, 5, "to %s (%s), AS%lld %s", str(g, "owner", "unknown owner"),
		    str(g, "country", "??"), (long long)asn, str(g, "as_name", "unknown AS"));
		json_array_foreach(json_object_get(g, "endpoints"), k, e)
			print_endpoint(cli, e);
	}
	json_array_foreach(json_object_get(a, "exposure"), i, e) {
		cli_wrapf(cli, 2, 5, "probed from %s (%s, AS%lld %s)", str(e, "ip", "?"),
		    str(e, "country", "??"), (long long)json_integer_value(json_object_get(e, "asn")),
		    str(e, "as_name", "unknown AS"));
		print_endpoint(cli, e);
	}
	json_array_foreach(json_object_get(a, "reasons"), i, r) {
		const char *src = str(r, "source", "");

		if (strncmp(src, "dns/", 4) && strncmp(src, "tls/", 4) && strncmp(src, "http/", 5) &&
		    strcmp(src, "libloc") != 0)
			continue;	/* equipment reasons: `spanwatch risk` shows them */
		cli_wrapf(cli, 2, 4, "- %s [%s; %s]", str(r, "text", ""), src, str(r, "rule", ""));
	}
}

static int
internet_run(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	json_t *list;
	size_t i;
	json_t *a;
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'j') {
			cli_usage_error(cli, "internet", "unknown option: %s", argv[optind - 1]);
			return EXIT_USAGE;
		}
		json = true;
	}
	if ((list = qi_internet(cli->store)) == NULL)
		return read_failed(cli);
	if (json)
		json_print(list, cli->out);
	else if (json_array_size(list) == 0)
		fprintf(cli->out, "no traffic to or from outside the site networks\n");
	else
		json_array_foreach(list, i, a) {
			if (i)
				fputc('\n', cli->out);
			print_asset(cli, a);
		}
	i = json_array_size(list);
	json_decref(list);
	return i ? EXIT_OK : EXIT_NOTFOUND;
}

const struct cli_cmd cmd_internet = {
	"internet", internet_run, "[--json]",
	"devices that talk to the Internet: to whom, where, which ports, and the risk it brings",
	internet_help, true
};
