/*
 * cli_internet.c - `spanwatch internet`: which devices talk to the
 * Internet, to whom (the owner and country of the address space, the names
 * the addresses went by), on which ports, how much and when, who probed
 * them from outside, and what it does to their risk.  The rows come from
 * store/q_internet.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "q_internet.h"

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
print_names(FILE *f, json_t *names)
{
	size_t i;
	json_t *n;

	json_array_foreach(names, i, n)
		fprintf(f, "%s%s (%s)", i ? ", " : "  ", str(n, "name", "?"), str(n, "source", "?"));
}

static void
print_endpoint(FILE *f, json_t *e)
{
	char first[ISO_LEN], last[ISO_LEN];

	fmt_iso(json_integer_value(json_object_get(e, "first_seen")), first);
	fmt_iso(json_integer_value(json_object_get(e, "last_seen")), last);
	fprintf(f, "      %-15s %s  %lld pkts %lld bytes  %s .. %s\n", str(e, "ip", "?"),
	    str(e, "ports", ""), (long long)json_integer_value(json_object_get(e, "packets")),
	    (long long)json_integer_value(json_object_get(e, "bytes")), first, last);
	if (json_array_size(json_object_get(e, "names"))) {
		fputs("       ", f);
		print_names(f, json_object_get(e, "names"));
		fputc('\n', f);
	}
}

static void
print_asset(FILE *f, json_t *a)
{
	size_t i, k;
	json_t *g, *e, *r;

	fprintf(f, "%s %s%s%s  risk %s\n", str(a, "ip", "-"), str(a, "mac", ""),
	    json_is_string(json_object_get(a, "hostname")) ? " " : "", str(a, "hostname", ""),
	    str(a, "level", "unknown"));
	json_array_foreach(json_object_get(a, "destinations"), i, g) {
		json_int_t asn = json_integer_value(json_object_get(g, "asn"));

		fprintf(f, "  to %s (%s), AS%lld %s\n", str(g, "owner", "unknown owner"),
		    str(g, "country", "??"), (long long)asn, str(g, "as_name", "unknown AS"));
		json_array_foreach(json_object_get(g, "endpoints"), k, e)
			print_endpoint(f, e);
	}
	json_array_foreach(json_object_get(a, "exposure"), i, e) {
		fprintf(f, "  probed from %s (%s, AS%lld %s)\n", str(e, "ip", "?"), str(e, "country", "??"),
		    (long long)json_integer_value(json_object_get(e, "asn")), str(e, "as_name", "unknown AS"));
		print_endpoint(f, e);
	}
	json_array_foreach(json_object_get(a, "reasons"), i, r) {
		const char *src = str(r, "source", "");

		if (strncmp(src, "dns/", 4) && strncmp(src, "tls/", 4) && strncmp(src, "http/", 5) &&
		    strcmp(src, "libloc") != 0)
			continue;	/* equipment reasons: `spanwatch risk` shows them */
		fprintf(f, "  - %s [%s; %s]\n", str(r, "text", ""), src, str(r, "rule", ""));
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
			print_asset(cli->out, a);
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
