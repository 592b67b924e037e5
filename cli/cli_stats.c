/*
 * cli_stats.c - `spanwatch stats`: how big the inventory is.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "q_stats.h"

static const char stats_help[] =
    "  --json  one JSON object: counts, per_protocol, per_vendor, database\n";

static json_int_t
file_size(const char *path, const char *suffix)
{
	char p[4096];
	struct stat sb;

	snprintf(p, sizeof(p), "%s%s", path, suffix);
	return stat(p, &sb) == 0 ? (json_int_t)sb.st_size : 0;
}

/* Assets per resolved vendor (the OUI registry's name when none is stated). */
static json_t *
per_vendor(struct cli *cli)
{
	json_t *assets = assets_json(cli, NULL, false), *counts = json_object(), *out, *a, *v;
	const char *k;
	size_t i;

	if (assets == NULL) {
		json_decref(counts);
		return NULL;
	}
	json_array_foreach(assets, i, a) {
		const char *name = jtext(a, "vendor");

		if (name == NULL)
			name = "(unknown)";
		v = json_object_get(counts, name);
		json_object_set_new(counts, name, json_integer(v ? json_integer_value(v) + 1 : 1));
	}
	json_decref(assets);
	/* As an array, biggest first. */
	out = json_array();
	while (json_object_size(counts) > 0) {
		const char *best = NULL;
		json_int_t bn = -1;

		json_object_foreach(counts, k, v)
			if (json_integer_value(v) > bn) {
				bn = json_integer_value(v);
				best = k;
			}
		json_array_append_new(out, json_pack("{s:o s:I}", "vendor", jstr(best), "assets", bn));
		json_object_del(counts, best);
	}
	json_decref(counts);
	return out;
}

/* The protocol names as the CLI prints strings from the store: made safe. */
static json_t *
per_protocol(json_t *rows)
{
	json_t *out = json_array(), *r;
	size_t i;

	json_array_foreach(rows, i, r)
		json_array_append_new(out, json_pack("{s:o s:O}", "protocol",
		    jstr(jtext(r, "protocol")), "assets", json_object_get(r, "assets")));
	return out;
}

/* A store query's NULL as the CLI's error policy: busy is tried again. */
static bool
store_failed(struct cli *cli, json_t *v)
{
	if (v != NULL)
		return false;
	cli_db_read_failed(cli, 0, "query");
	return true;
}

static void
stats_table(struct cli *cli, json_t *s)
{
	static const char *const h2[] = { "ITEM", "VALUE" };
	struct table *t = table_new(2, h2, NULL);
	json_t *c = json_object_get(s, "counts"), *db = json_object_get(s, "database"), *v;
	const char *k;
	char b[32];
	size_t i;

	json_object_foreach(c, k, v) {
		const char *cells[2] = { k, b };

		snprintf(b, sizeof(b), "%lld", (long long)json_integer_value(v));
		table_add(t, cells);
	}
	json_object_foreach(db, k, v) {
		const char *cells[2] = { k, b };

		if (json_is_integer(v))
			snprintf(b, sizeof(b), "%lld", (long long)json_integer_value(v));
		else
			snprintf(b, sizeof(b), "%s", json_is_string(v) ? json_string_value(v) : "-");
		table_add(t, cells);
	}
	table_fixed(t);
	table_print(t, cli);
	table_free(t);
	for (int pass = 0; pass < 2; pass++) {
		static const char *const hp[] = { "PROTOCOL", "ASSETS" };
		static const char *const hv[] = { "VENDOR", "ASSETS" };
		static const size_t w[] = { 40, 0 };
		json_t *arr = json_object_get(s, pass ? "per_vendor" : "per_protocol"), *o;

		fputc('\n', cli->out);
		t = table_new(2, pass ? hv : hp, w);
		json_array_foreach(arr, i, o) {
			const char *cells[2] = { jtext(o, pass ? "vendor" : "protocol"), b };

			snprintf(b, sizeof(b), "%lld",
			    (long long)json_integer_value(json_object_get(o, "assets")));
			table_add(t, cells);
		}
		table_fixed(t);
	table_print(t, cli);
		table_free(t);
	}
}

static int
stats_run(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "table", no_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	bool json = false;
	json_t *s, *vendors, *counts, *protos = NULL;
	int ch, rc = EXIT_OK;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'j')
			json = true;
		else if (ch == 't')
			json = false;
		else {
			cli_usage_error(cli, "stats", "unknown option: %s", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_usage_error(cli, "stats", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	counts = qst_counts(cli->store);
	if (store_failed(cli, counts) || store_failed(cli, protos = qst_per_protocol(cli->store))) {
		json_decref(counts);
		return EXIT_DB;
	}
	s = json_pack("{s:{s:O s:O s:O s:O s:O} s:o s:{s:o s:I s:I s:O}}",
	    "counts",
	    "assets", json_object_get(counts, "assets"),
	    "gateways", json_object_get(counts, "gateways"),
	    "evidence", json_object_get(counts, "evidence"),
	    "services", json_object_get(counts, "services"),
	    "conversations", json_object_get(counts, "conversations"),
	    "per_protocol", per_protocol(protos),
	    "database",
	    "path", jstr(cli->db_path),
	    "bytes", file_size(cli->db_path, ""),
	    "wal_bytes", file_size(cli->db_path, "-wal"),
	    "schema_version", json_object_get(counts, "schema_version"));
	json_decref(counts);
	json_decref(protos);
	if ((vendors = per_vendor(cli)) != NULL)
		json_object_set_new(s, "per_vendor", vendors);
	if (cli_db_failed(cli))
		rc = EXIT_DB;
	else if (json)
		rc = json_print(s, cli->out) == 0 ? EXIT_OK : EXIT_DB;
	else
		stats_table(cli, s);
	json_decref(s);
	return rc;
}

const struct cli_cmd cmd_stats = {
	"stats", stats_run, "[--json]",
	"counts per protocol and vendor, database size", stats_help, true
};
