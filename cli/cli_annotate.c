/*
 * cli_annotate.c - `spanwatch annotate`: the operator's name, zone,
 * criticality and note for an asset, written through the store
 * (store/annotate.h).  The only command that opens the database for
 * writing; the daemon may be writing at the same time (SQLite serialises,
 * a busy database is tried again).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "annotate.h"
#include "cli.h"
#include "store.h"

static const char annotate_help[] =
    "  --name TEXT         what the plant calls it (\"Boiler 2 PLC\")\n"
    "  --zone TEXT         where it stands (\"Level 1 / Line 3\", \"DMZ\")\n"
    "  --criticality TEXT  the process it serves, or a level (\"safety\", \"high\")\n"
    "  --note TEXT         anything else\n"
    "  --clear             remove every field first\n"
    "An empty value (--note '') removes that field; fields not named stay.\n"
    "A field may take 1023 bytes as stored (a control byte takes four, \\xHH);\n"
    "a longer one is refused (exit 2), not cut.\n"
    "Without a field option the current annotation is printed.  Shown by list,\n"
    "show and report, exported with the asset.  Exit status 1 when no asset\n"
    "has this id, address or MAC.\n";

enum { AN_NAME = 256, AN_ZONE, AN_CRIT, AN_NOTE, AN_CLEAR };

static void
print_annotation(struct cli *cli, int64_t id, json_t *a)
{
	static const char *const keys[] = { "name", "zone", "criticality", "note", NULL };

	fprintf(cli->out, "asset %lld\n", (long long)id);
	for (size_t i = 0; keys[i]; i++) {
		const char *v = json_is_object(a) ? jtext(a, keys[i]) : NULL;
		char *c = term_cell(v, v ? strlen(v) : 0);

		fprintf(cli->out, "  %-12s %s\n", keys[i], c);
		free(c);
	}
}

static int
annotate_run(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, AN_NAME },
		{ "zone", required_argument, NULL, AN_ZONE },
		{ "criticality", required_argument, NULL, AN_CRIT },
		{ "note", required_argument, NULL, AN_NOTE },
		{ "clear", no_argument, NULL, AN_CLEAR },
		{ NULL, 0, NULL, 0 }
	};
	struct annotation_set set = { 0 };
	bool clear = false, change;
	char err[512];
	int64_t id;
	json_t *a;
	int ch, rc;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case AN_NAME: set.name = optarg; break;
		case AN_ZONE: set.zone = optarg; break;
		case AN_CRIT: set.criticality = optarg; break;
		case AN_NOTE: set.note = optarg; break;
		case AN_CLEAR: clear = true; break;
		default:
			cli_usage_error(cli, "annotate", "unknown option or missing value: %s",
			    argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		cli_usage_error(cli, "annotate", optind >= argc ? "which asset? give its ID, IP or MAC" :
		    "one asset at a time");
		return EXIT_USAGE;
	}
	change = clear || set.name || set.zone || set.criticality || set.note;
	if (annotation_check(&set, err, sizeof(err)) != 0) {
		cli_usage_error(cli, "annotate", "--%s", err);	/* "--note is 1500 bytes ..." */
		return EXIT_USAGE;
	}
	if ((rc = cli_db_open_mode(cli, change)) != EXIT_OK)
		return rc;
	if ((id = asset_lookup(cli, argv[optind])) <= 0) {
		if (id < 0)
			cli_usage_error(cli, "annotate", "'%s' is not an asset id, IP or MAC address",
			    argv[optind]);
		else if (!cli_db_failed(cli))
			fprintf(cli->err, "spanwatch: no asset %s\n", argv[optind]);
		return id < 0 ? EXIT_USAGE : cli_db_failed(cli) ? EXIT_DB : EXIT_NOTFOUND;
	}
	if (change) {
		struct annotation_set none = { "", "", "", "" };

		if ((clear && annotation_put(cli->store, id, &none, time(NULL), err, sizeof(err)) != 0) ||
		    annotation_put(cli->store, id, &set, time(NULL), err, sizeof(err)) != 0) {
			if (strstr(err, "locked") || strstr(err, "busy"))
				cli->busy = true;
			else
				fprintf(cli->err, "spanwatch: %s\n", err);
			return EXIT_DB;
		}
		if (!store_rc_ok(rc = store_session_end(cli->store))) {
			if (store_fault_of(rc) == STORE_FAULT_BUSY)
				cli->busy = true;
			else
				fprintf(cli->err, "spanwatch: %s: %s\n", cli->db_path,
				    store_db_errmsg(cli->store));
			return EXIT_DB;
		}
	}
	if ((a = annotation_get(cli->store, id)) == NULL) {
		fprintf(cli->err, "spanwatch: %s: cannot read the annotation\n", cli->db_path);
		return EXIT_DB;
	}
	print_annotation(cli, id, a);
	json_decref(a);
	return EXIT_OK;
}

const struct cli_cmd cmd_annotate = {
	"annotate", annotate_run,
	"ID|IP|MAC [--name TEXT] [--zone TEXT] [--criticality TEXT] [--note TEXT] [--clear]",
	"the operator's name, zone, criticality and note for an asset", annotate_help, false
};
