/*
 * cli_export.c - `spanwatch export`: write the SOC export files by hand,
 * exactly as the daemon's `export_at` schedule does (export/export.c,
 * docs/EXPORT.md).
 *
 * The inventory is read through a read-only handle; the export cursor
 * (one row in meta) is written through a second, read-write handle that
 * does nothing else.  --since leaves the cursor alone and so needs no
 * write access.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>


#include "cli.h"
#include "config.h"
#include "export.h"
#include "store.h"

static const char export_help[] =
    "  --format ecs|cef|csv  one format (default: the configuration's export_formats)\n"
    "  --full                everything, not only what changed since the last export\n"
    "  --since TIME          what changed at or after TIME (ISO 8601 or 24h, 7d);\n"
    "                        does not move the export cursor\n"
    "  -o DIR                directory for the files (default: config export_dir)\n"
    "  --sensor NAME         this sensor's name in every record (default: config\n"
    "                        sensor_name, else the host name)\n"
    "  --site NAME           its site (default: config site, else \"default\")\n";

enum { X_FORMAT = 256, X_FULL, X_SINCE, X_SENSOR, X_SITE };

static int
export_one(struct cli *cli, struct store *st, struct export_opts *o)
{
	struct export_result res;
	char err[1024];

	/* read-only: the store writes the cursor through a connection of its own */
	if (export_run(st, o, &res, err, sizeof(err)) != 0) {
		fprintf(cli->err, "spanwatch export: %s: %s\n", export_format_name(o->format), err);
		return EXIT_DB;
	}
	if (res.nfiles == 1)
		fprintf(cli->out, "%s: %llu assets, %llu services, %llu conversations, %llu events "
		    "-> %s\n", export_format_name(o->format), (unsigned long long)res.assets,
		    (unsigned long long)res.services, (unsigned long long)res.conversations,
		    (unsigned long long)res.events, res.path);
	else if (res.nfiles > 1) {
		/* CSV: a file per record type, each on a line of its own */
		fprintf(cli->out, "%s: %llu assets, %llu services, %llu conversations, %llu events "
		    "-> %u files:\n", export_format_name(o->format), (unsigned long long)res.assets,
		    (unsigned long long)res.services, (unsigned long long)res.conversations,
		    (unsigned long long)res.events, res.nfiles);
		for (unsigned i = 0; i < res.nfiles; i++)
			fprintf(cli->out, "  %s\n", res.files[i]);
	} else
		fprintf(cli->out, "%s: nothing new since the last export\n",
		    export_format_name(o->format));
	if (res.orphans)
		fprintf(cli->out, "%s: removed %u file(s) of an interrupted export (exported again)\n",
		    export_format_name(o->format), res.orphans);
	return EXIT_OK;
}

static int
export_cmd(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, X_FORMAT },
		{ "full", no_argument, NULL, X_FULL },
		{ "since", required_argument, NULL, X_SINCE },
		{ "sensor", required_argument, NULL, X_SENSOR },
		{ "site", required_argument, NULL, X_SITE },
		{ NULL, 0, NULL, 0 }
	};
	static struct config conf;
	struct export_opts o = { .window = EXPORT_INCREMENTAL };
	const char *formats = NULL;
	char err[512], fmts[64], *tok, *save;
	struct store *st;
	int ch, rc = EXIT_OK;

	config_defaults(&conf);
	if (config_load(&conf, cli->config ? cli->config : CONFIG_DEFAULT, cli->config != NULL,
	    err, sizeof(err)) != 0) {
		fprintf(cli->err, "spanwatch: %s\n", err);
		return EXIT_USAGE;
	}
	o.dir = conf.export_dir;
	o.sensor_name = conf.sensor_name;
	o.site = conf.site;
	o.keep_days = conf.export_keep_days;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (ch) {
		case X_FORMAT:
			formats = optarg;
			break;
		case X_FULL:
			o.window = EXPORT_FULL;
			break;
		case X_SINCE:
			if (!parse_since(optarg, time(NULL), &o.since)) {
				cli_usage_error(cli, "export", "bad --since '%s'", optarg);
				return EXIT_USAGE;
			}
			o.window = EXPORT_SINCE;
			break;
		case 'o':
			o.dir = optarg;
			break;
		case X_SENSOR:
			o.sensor_name = optarg;
			break;
		case X_SITE:
			o.site = optarg;
			break;
		default:
			cli_usage_error(cli, "export", "unknown option '%s'", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_usage_error(cli, "export", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	snprintf(fmts, sizeof(fmts), "%s", formats ? formats : conf.export_formats);
	for (tok = strtok_r(fmts, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
		if (!export_format_parse(tok, &o.format)) {
			cli_usage_error(cli, "export", "unknown format '%s' (ecs, cef or csv)", tok);
			return EXIT_USAGE;
		}
	if ((st = store_open(cli->db_path, STORE_RO, err, sizeof(err))) == NULL) {
		fprintf(cli->err, "spanwatch: %s\n", err);
		return EXIT_DB;
	}
	snprintf(fmts, sizeof(fmts), "%s", formats ? formats : conf.export_formats);
	for (tok = strtok_r(fmts, ", ", &save); tok && rc == EXIT_OK; tok = strtok_r(NULL, ", ", &save)) {
		export_format_parse(tok, &o.format);
		rc = export_one(cli, st, &o);
	}
	store_close(st);
	return rc;
}

const struct cli_cmd cmd_export = {
	"export", export_cmd, "[--format ecs|cef|csv] [--full | --since TIME] [-o DIR]",
	"write inventory export files for a SIEM (ECS NDJSON, CEF, CSV)", export_help, false
};
