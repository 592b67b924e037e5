/*
 * cli_list.c - `spanwatch list`: one line per asset, filtered.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "category.h"
#include "cli.h"

static const char list_help[] =
    "  --vendor SUBSTR  vendor (stated, or OUI registry) contains SUBSTR, any case\n"
    "  --proto NAME     serves or uses the application protocol NAME\n"
    "  --role NAME      has the role NAME (plc, modbus_server, gateway, ...)\n"
    "  --risk LEVEL     risk level: unknown, none, elevated, high\n"
    "  --category CAT   device category: plc, rtu, ied, hmi, engineering_workstation,\n"
    "                   scada_server, historian, network_device, firewall_router,\n"
    "                   camera, inverter_energy, it_host, unknown (the table shows\n"
    "                   EWS, SCADA, network, firewall, energy for the long ones)\n"
    FHELP_NET
    "  --since TIME     last seen at or after TIME: ISO 8601 (2026-11-29T10:00:00Z)\n"
    "                   or relative (90s, 30m, 24h, 7d, 2w)\n"
    FHELP_LISTS
    "  --columns A,B    the table's columns, in this order (ID,IP,VENDOR,...)\n"
    "  --sort COL       sort by column COL (-COL: descending; addresses and\n"
    "                   numbers by value)\n"
    "  --json           one JSON array of asset objects (docs/JSON.md)\n"
    "  --csv            RFC 4180 CSV with a header record\n"
    "  --table          aligned columns fitted to the terminal (the default)\n"
    "Exit status 1 when no asset matches.\n";

enum { L_JSON = 256, L_CSV, L_TABLE };

/*
 * First address and how many more: "192.168.1.40 +2"; a device behind a
 * Modbus gateway: the gateway's address and the unit, "192.168.1.40 unit 3".
 */
static char *
ips_cell(json_t *ips, json_t *behind)
{
	const char *first = json_string_value(json_array_get(ips, 0));
	size_t n = json_array_size(ips);
	char *s;

	if (first && behind) {
		if (asprintf(&s, "%s unit %lld", first,
		    (long long)json_integer_value(json_object_get(behind, "unit"))) < 0)
			return NULL;
		return s;
	}
	if (first == NULL)
		return NULL;
	if (n == 1)
		return strdup(first);
	if (asprintf(&s, "%s +%zu", first, n - 1) < 0)
		return NULL;
	return s;
}

static void
list_table(struct cli *cli, json_t *arr)
{
	static const char *const hdr[] = { "ID", "MAC", "IP", "NAME", "CATEGORY", "VENDOR", "MODEL",
	    "HOSTNAME", "ROLES", "PROTOCOLS", "RISK", "LAST SEEN" };
	static const size_t maxw[] = { 0, 0, 0, 0, 0, 22, 22, 18, 28, 24, 0, 0 };
	struct table *t = table_new(12, hdr, maxw);
	bool named = false;
	size_t i;
	json_t *a;

	json_array_foreach(arr, i, a) {
		char id[24], *ips = ips_cell(json_object_get(a, "ips"), json_object_get(a, "behind"));
		char *roles = json_join(json_object_get(a, "roles"), ",");
		char *protos = json_join(json_object_get(a, "protocols"), ",");
		const char *cells[12], *cat = jtext(a, "category");
		enum dev_category c;

		snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(a, "id")));
		cells[0] = id;
		cells[1] = jtext(a, "mac");
		cells[2] = ips;
		cells[3] = jtext(json_object_get(a, "annotation"), "name");
		cells[4] = cat && category_parse(cat, &c) ? category_short(c) : cat;
		cells[5] = jtext(a, "vendor");
		cells[6] = jtext(a, "model");
		cells[7] = jtext(a, "hostname");
		cells[8] = *roles ? roles : NULL;
		cells[9] = *protos ? protos : NULL;
		cells[10] = jtext(json_object_get(a, "risk"), "level");
		cells[11] = jtext(a, "last_seen");
		named |= cells[3] != NULL;
		table_add(t, cells);
		free(ips);
		free(roles);
		free(protos);
	}
	table_narrow(t, 160, named ? "ID,IP,NAME,CATEGORY,VENDOR,MODEL,RISK" :
	    "ID,IP,CATEGORY,VENDOR,MODEL,HOSTNAME,RISK");
	table_print(t, cli);
	table_free(t);
}

static void
csv_join(struct csv *c, json_t *arr)
{
	char *s = json_join(arr, ";");

	csv_str(c, s);
	free(s);
}

static void
list_csv(struct cli *cli, json_t *arr)
{
	static const char *const hdr[] = { "id", "mac", "ips", "vendor", "oui_vendor",
	    "model", "firmware", "serial", "hostname", "os", "roles", "protocols",
	    "risk", "first_seen", "last_seen", "category", "category_reason", "name", "zone",
	    "criticality", "note", NULL };
	struct csv c;
	size_t i;
	json_t *a;

	csv_init(&c, cli->out);
	for (size_t k = 0; hdr[k]; k++)
		csv_str(&c, hdr[k]);
	csv_eol(&c);
	json_array_foreach(arr, i, a) {
		csv_int(&c, (long long)json_integer_value(json_object_get(a, "id")));
		csv_str(&c, jtext(a, "mac"));
		csv_join(&c, json_object_get(a, "ips"));
		csv_str(&c, jtext(a, "vendor"));
		csv_str(&c, jtext(a, "oui_vendor"));
		csv_str(&c, jtext(a, "model"));
		csv_str(&c, jtext(a, "firmware"));
		csv_str(&c, jtext(a, "serial"));
		csv_str(&c, jtext(a, "hostname"));
		csv_str(&c, jtext(a, "os"));
		csv_join(&c, json_object_get(a, "roles"));
		csv_join(&c, json_object_get(a, "protocols"));
		csv_str(&c, jtext(json_object_get(a, "risk"), "level"));
		csv_str(&c, jtext(a, "first_seen"));
		csv_str(&c, jtext(a, "last_seen"));
		csv_str(&c, jtext(a, "category"));
		csv_str(&c, jtext(a, "category_reason"));
		for (size_t k = 0; k < 4; k++) {
			static const char *const ann[] = { "name", "zone", "criticality", "note" };

			csv_str(&c, jtext(json_object_get(a, "annotation"), ann[k]));
		}
		csv_eol(&c);
	}
}

/* Print assets in the chosen format; shared with commands that list assets. */
int
print_assets(struct cli *cli, json_t *arr, enum out_fmt fmt)
{
	switch (fmt) {
	case OUT_JSON:
		if (json_print(arr, cli->out) != 0)
			return EXIT_DB;
		break;
	case OUT_CSV:
		list_csv(cli, arr);
		break;
	case OUT_TABLE:
		if (json_array_size(arr) > 0)
			list_table(cli, arr);
		break;
	}
	if (json_array_size(arr) == 0) {
		fprintf(cli->err, "spanwatch: no assets found\n");
		return EXIT_NOTFOUND;
	}
	return EXIT_OK;
}

static int
list_run(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		FOPT_VENDOR, FOPT_PROTO, FOPT_ROLE, FOPT_CATEGORY, FOPT_RISK, FOPT_SUBNET, FOPT_IP,
		FOPT_SINCE,
		{ "json", no_argument, NULL, L_JSON },
		{ "csv", no_argument, NULL, L_CSV },
		{ "table", no_argument, NULL, L_TABLE },
		{ NULL, 0, NULL, 0 }
	};
	struct asset_filter f = { 0 };
	enum out_fmt fmt = OUT_TABLE;
	json_t *arr;
	int ch, rc = EXIT_OK;

	opterr = 0;
	while (rc == EXIT_OK && (ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (filter_opt(cli, "list", ch, optarg, &f)) {
		case 1: continue;
		case -1: rc = EXIT_USAGE; continue;
		}
		switch (ch) {
		case L_JSON: fmt = OUT_JSON; break;
		case L_CSV: fmt = OUT_CSV; break;
		case L_TABLE: fmt = OUT_TABLE; break;
		default:
			cli_usage_error(cli, "list", "unknown option or missing value: %s", argv[optind - 1]);
			rc = EXIT_USAGE;
		}
	}
	if (rc == EXIT_OK && optind < argc) {
		cli_usage_error(cli, "list", "unexpected argument '%s'", argv[optind]);
		rc = EXIT_USAGE;
	}
	if (rc == EXIT_OK) {
		if ((arr = assets_json(cli, &f, false)) == NULL)
			rc = EXIT_DB;
		else {
			rc = print_assets(cli, arr, fmt);
			json_decref(arr);
		}
	}
	filter_free(&f);
	return rc;
}

const struct cli_cmd cmd_list = {
	"list", list_run,
	"[--vendor S] [--proto P] [--role R] [--risk L] [--subnet CIDR] [--ip A] [--since T]\n"
	"       [--columns A,B] [--sort COL] [--json|--csv]",
	"list the assets, one per line", list_help, true
};
