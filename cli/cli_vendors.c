/*
 * cli_vendors.c - `spanwatch vendors`: the vendor origin table the daemon
 * resolves makers with (ident/vendors.h), and where each row comes from.
 *
 * The files are the ones spanwatchd loads: the configuration's [risk]
 * vendors (default SW_DATADIR/vendors.csv, or oui/vendors.csv when run
 * from a source tree, as daemon/main.c's data_path() does) and the
 * operator's [risk] local_vendors, whose rows add vendors or replace
 * shipped rows of the same canonical name.  --match shows which row a
 * vendor string (an OUI organisation name, a banner) resolves to.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "vendors.h"
#include "paths.h"

#define VENDORS_DEFAULT		PATH_VENDORS
#define VENDORS_IN_TREE		"oui/vendors.csv"

static const char vendors_help[] =
    "  --match STRING  the row STRING resolves to (case and punctuation ignored,\n"
    "                  longest whole-word alias prefix); exit 1 when none\n"
    "  --shipped FILE  read FILE as the shipped table (default: the configuration's\n"
    "                  [risk] vendors, else " VENDORS_DEFAULT ")\n"
    "  --local FILE    read FILE as the operator's table (default: [risk]\n"
    "                  local_vendors); checks a file before spanwatchd is reloaded\n"
    "  --json          one JSON object: files, vendors (or input, normalised, match)\n"
    "A file that does not load is reported as FILE:LINE (exit 2).\n";

enum { V_MATCH = 256, V_SHIPPED, V_LOCAL, V_JSON, V_TABLE };

struct vendor_files {
	const char	*shipped;
	const char	*local;		/* NULL: none */
};

/*
 * The files spanwatchd would load, from the same configuration file the
 * CLI reads (-c, else the default one, which may be absent).
 */
static int
vendor_files(struct cli *cli, struct vendor_files *vf, struct config *conf)
{
	char err[512];

	config_defaults(conf);
	if (config_load(conf, cli->config ? cli->config : CONFIG_DEFAULT, cli->config != NULL,
	    err, sizeof(err)) != 0) {
		fprintf(cli->err, "spanwatch vendors: %s\n", err);
		return EXIT_USAGE;
	}
	if (vf->shipped == NULL) {
		vf->shipped = conf->vendors;
		/* Not installed: a source tree (as daemon/main.c data_path()). */
		if (strcmp(conf->vendors, VENDORS_DEFAULT) == 0 && access(conf->vendors, R_OK) != 0 &&
		    access(VENDORS_IN_TREE, R_OK) == 0)
			vf->shipped = VENDORS_IN_TREE;
	}
	if (vf->local == NULL && conf->local_vendors[0])
		vf->local = conf->local_vendors;
	return EXIT_OK;
}

/* "FCC-COVERED;NDAA-889" as a JSON array. */
static json_t *
listings_json(const char *s)
{
	json_t *a = json_array();
	char buf[VENDOR_FIELD_MAX], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ";", &save); tok; tok = strtok_r(NULL, ";", &save))
		json_array_append_new(a, jstr(tok));
	return a;
}

static json_t *
opt_str(const char *s)
{
	return s[0] ? jstr(s) : json_null();
}

static json_t *
vendor_json(const struct vendor *v)
{
	return json_pack("{s:o s:o s:o s:o s:o s:o s:o s:o s:o s:o s:I}",
	    "canonical", jstr(v->canonical),
	    "country", opt_str(v->country),
	    "parent", opt_str(v->parent),
	    "parent_country", opt_str(v->parent_country),
	    "category", opt_str(v->category),
	    "listings", listings_json(v->listings),
	    "source", opt_str(v->source),
	    "checked", opt_str(v->checked),
	    "origin", jstr(v->origin),
	    "file", jstr(v->file),
	    "line", (json_int_t)v->line);
}

static void
row_cell(const struct vendor *v, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s %s:%d", v->origin, v->file, v->line);
}

static void
print_table(struct cli *cli, const struct vendors *vt, const struct vendor_files *vf)
{
	static const char *const hdr[] = { "VENDOR", "COUNTRY", "PARENT", "PARENT COUNTRY",
	    "CATEGORY", "LISTINGS", "CHECKED", "SOURCE", "ROW" };
	static const size_t maxw[] = { 32, 0, 32, 0, 0, 32, 0, 48, 40 };
	struct table *t = table_new(9, hdr, maxw);
	size_t nlocal = 0;

	for (size_t i = 0; i < vendors_count(vt); i++) {
		const struct vendor *v = vendors_at(vt, i);
		char row[320];
		const char *cells[9] = { v->canonical, v->country, v->parent, v->parent_country,
		    v->category, v->listings, v->checked, v->source, row };

		row_cell(v, row, sizeof(row));
		for (size_t c = 0; c < 9; c++)
			if (cells[c][0] == '\0')
				cells[c] = NULL;	/* shown as "-" */
		nlocal += strcmp(v->origin, "local") == 0;
		table_add(t, cells);
	}
	table_narrow(t, 160, "VENDOR,COUNTRY,PARENT,PARENT COUNTRY,CATEGORY,LISTINGS");
	table_print(t, cli);
	table_free(t);
	fprintf(cli->out, "\n%zu vendors: %zu from %s", vendors_count(vt), vendors_count(vt) - nlocal,
	    vf->shipped);
	if (vf->local)
		fprintf(cli->out, ", %zu from %s (local rows replace shipped rows of the same name)",
		    nlocal, vf->local);
	fputc('\n', cli->out);
}

static void
print_field(struct cli *cli, const char *name, const char *value)
{
	char *c = term_cell(value[0] ? value : NULL, strlen(value));

	fprintf(cli->out, "  %-16s %s\n", name, c);
	free(c);
}

static void
print_match(struct cli *cli, const char *input, const char *norm, const struct vendor *v)
{
	char *in = term_cell(input, strlen(input)), *nm = term_cell(norm, strlen(norm));
	char row[320];

	fprintf(cli->out, "\"%s\" (normalised \"%s\")", in, nm);
	free(in);
	free(nm);
	if (v == NULL) {
		fputs(" matches no row of the vendor table\n", cli->out);
		return;
	}
	fputs(" resolves to:\n", cli->out);
	row_cell(v, row, sizeof(row));
	print_field(cli, "canonical", v->canonical);
	print_field(cli, "country", v->country);
	print_field(cli, "parent", v->parent);
	print_field(cli, "parent country", v->parent_country);
	print_field(cli, "category", v->category);
	print_field(cli, "listings", v->listings);
	print_field(cli, "source", v->source);
	print_field(cli, "checked", v->checked);
	print_field(cli, "row", row);
}

static int
vendors_run(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "match", required_argument, NULL, V_MATCH },
		{ "shipped", required_argument, NULL, V_SHIPPED },
		{ "local", required_argument, NULL, V_LOCAL },
		{ "json", no_argument, NULL, V_JSON },
		{ "table", no_argument, NULL, V_TABLE },
		{ NULL, 0, NULL, 0 }
	};
	struct vendor_files vf = { NULL, NULL };
	struct config conf;
	struct vendors *vt;
	const char *match = NULL;
	char err[1024];
	bool json = false;
	json_t *doc = NULL;
	int ch, rc;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case V_MATCH: match = optarg; break;
		case V_SHIPPED: vf.shipped = optarg; break;
		case V_LOCAL: vf.local = optarg; break;
		case V_JSON: json = true; break;
		case V_TABLE: json = false; break;
		default:
			cli_usage_error(cli, "vendors", "unknown option or missing value: %s", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_usage_error(cli, "vendors", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if ((rc = vendor_files(cli, &vf, &conf)) != EXIT_OK)
		return rc;
	if ((vt = vendors_load(vf.shipped, vf.local, err, sizeof(err))) == NULL) {
		fprintf(cli->err, "spanwatch vendors: %s\n", err);
		return EXIT_USAGE;
	}
	if (match) {
		const struct vendor *v = vendors_match(vt, match);
		char norm[512];

		vendors_normalise(match, norm, sizeof(norm));
		if (json)
			doc = json_pack("{s:o s:o s:o}", "input", jstr(match), "normalised", jstr(norm),
			    "match", v ? vendor_json(v) : json_null());
		else
			print_match(cli, match, norm, v);
		rc = v ? EXIT_OK : EXIT_NOTFOUND;
	} else {
		if (json) {
			json_t *arr = json_array();

			for (size_t i = 0; i < vendors_count(vt); i++)
				json_array_append_new(arr, vendor_json(vendors_at(vt, i)));
			doc = json_pack("{s:{s:o s:o} s:o}", "files", "shipped", jstr(vf.shipped),
			    "local", vf.local ? jstr(vf.local) : json_null(), "vendors", arr);
		} else
			print_table(cli, vt, &vf);
		rc = vendors_count(vt) ? EXIT_OK : EXIT_NOTFOUND;
	}
	if (json) {
		if (json_print(doc, cli->out) != 0)
			rc = EXIT_DB;
		json_decref(doc);
	}
	vendors_free(vt);
	return rc;
}

const struct cli_cmd cmd_vendors = {
	"vendors", vendors_run, "[--match STRING] [--shipped FILE] [--local FILE] [--json]",
	"the vendor origin table and where each row comes from", vendors_help, false
};
