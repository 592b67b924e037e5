/*
 * cli_show.c - `spanwatch show ID|IP|MAC`: one asset and all its evidence.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "category.h"
#include "cli.h"
#include "q_internet.h"

static const char show_help[] =
    "  ID|IP|MAC  the asset: its number in `list`, an address it used, or its MAC\n"
    "  --json     one JSON object: the list keys plus evidence[], addresses[],\n"
    "             services[] and peers[] (docs/JSON.md)\n"
    "Exit status 1 when there is no such asset.\n";

static void
kv(struct table *t, const char *k, const char *v)
{
	const char *cells[2] = { k, v };

	table_add(t, cells);
}

/* The operator's fields first: they are what the plant calls the asset. */
static void
show_annotation(struct table *t, json_t *ann)
{
	static const char *const keys[] = { "name", "zone", "criticality", "note", NULL };

	for (size_t i = 0; json_is_object(ann) && keys[i]; i++)
		if (jtext(ann, keys[i]))
			kv(t, keys[i], jtext(ann, keys[i]));
}

/*
 * Say it when the maker shown is not the name the MAC block is registered
 * under: "Siemens Numerical Control Ltd., Nanjing" counts as Siemens.
 */
static void
show_maker(struct table *t, json_t *a)
{
	const char *maker = jtext(json_object_get(a, "risk"), "vendor");
	const char *oui = jtext(a, "oui_vendor");
	char line[512];

	if (maker == NULL || oui == NULL || strcasecmp(maker, oui) == 0)
		return;
	snprintf(line, sizeof(line), "%s (the MAC block is registered to \"%s\"; the vendor table "
	    "counts it as %s, whose country decides)", maker, oui, maker);
	kv(t, "maker", line);
}

/* "PLC: device_type plc (rule:plc-koyo-hostname)" */
static void
show_category(struct table *t, json_t *a)
{
	const char *cat = jtext(a, "category"), *why = jtext(a, "category_reason");
	enum dev_category c;
	char line[320];

	if (cat == NULL)
		return;
	snprintf(line, sizeof(line), "%s%s%s", category_parse(cat, &c) ? category_label(c) : cat,
	    why ? ", from " : "", why ? why : "");
	kv(t, "category", line);
}

static void
show_summary(struct cli *cli, json_t *a)
{
	static const char *const hdr[] = { "FIELD", "VALUE" };
	static const size_t maxw[] = { 0, TABLE_WRAP };
	static const char *const keys[] = { "mac", "oui_vendor", "vendor", "model",
	    "firmware", "serial", "hostname", "os", "first_seen", "last_seen", NULL };
	struct table *t = table_new(2, hdr, maxw);
	char id[24], *s;

	snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(a, "id")));
	kv(t, "id", id);
	show_annotation(t, json_object_get(a, "annotation"));
	show_category(t, a);
	show_maker(t, a);
	for (size_t i = 0; keys[i]; i++)
		kv(t, keys[i], jtext(a, keys[i]));
	kv(t, "ips", (s = json_join(json_object_get(a, "ips"), " ")));
	free(s);
	kv(t, "roles", (s = json_join(json_object_get(a, "roles"), ",")));
	free(s);
	kv(t, "protocols", (s = json_join(json_object_get(a, "protocols"), ",")));
	free(s);
	kv(t, "gateway", json_is_true(json_object_get(a, "gateway")) ? "yes" : "no");
	if (json_is_object(json_object_get(a, "behind"))) {
		json_t *b = json_object_get(a, "behind");
		char line[128];

		snprintf(line, sizeof(line), "asset %lld (%s), modbus unit %lld",
		    (long long)json_integer_value(json_object_get(b, "gateway")),
		    jtext(b, "ip") ? jtext(b, "ip") : "-",
		    (long long)json_integer_value(json_object_get(b, "unit")));
		kv(t, "behind", line);
	}
	kv(t, "mac_local", json_is_true(json_object_get(a, "mac_local")) ? "yes" : "no");
	kv(t, "risk", jtext(json_object_get(a, "risk"), "level"));
	table_fixed(t);
	table_print(t, cli);
	table_free(t);
}

static void
num(char *b, size_t sz, json_t *v)
{
	if (json_is_integer(v))
		snprintf(b, sz, "%lld", (long long)json_integer_value(v));
	else
		snprintf(b, sz, "-");
}

/* A section: a title, then a table of the keys of each object in arr. */
static void
show_section(struct cli *cli, const char *title, json_t *arr,
    const char *const *keys, const char *const *hdr, const size_t *maxw, size_t n,
    const char *narrow)
{
	struct table *t;
	size_t i;
	json_t *o;

	fprintf(cli->out, "\n%s (%zu)\n", title, json_array_size(arr));
	if (json_array_size(arr) == 0)
		return;
	t = table_new(n, hdr, maxw);
	json_array_foreach(arr, i, o) {
		char nums[8][32];
		const char *cells[8];

		for (size_t k = 0; k < n && k < 8; k++) {
			json_t *v = json_object_get(o, keys[k]);

			if (json_is_integer(v)) {
				num(nums[k], sizeof(nums[k]), v);
				cells[k] = nums[k];
			} else
				cells[k] = json_string_value(v);
		}
		table_add(t, cells);
	}
	table_fixed(t);
	if (narrow)
		table_narrow(t, 120, narrow);
	table_print(t, cli);
	table_free(t);
}

/*
 * The asset's Internet side (store/q_internet.c) as "internet": its
 * destinations by owner and country, and its exposure.
 */
static void
iso_last_seen(json_t *row)
{
	char iso[ISO_LEN];

	fmt_iso(json_integer_value(json_object_get(row, "last_seen")), iso);
	json_object_set_new(row, "last_seen", json_string(iso));
}

static void
internet_of(struct cli *cli, json_t *a, int64_t id)
{
	json_t *o = qi_asset_internet(cli->store, id), *d = json_array(), *e = json_array();
	size_t i, k;
	json_t *g, *x;

	if (o == NULL) {
		json_decref(d);
		json_decref(e);
		return;
	}
	json_array_foreach(json_object_get(o, "destinations"), i, g)
		json_array_foreach(json_object_get(g, "endpoints"), k, x) {
			json_t *names = json_object_get(x, "names");

			json_array_append_new(d, json_pack("{s:O, s:O, s:O, s:O, s:s, s:O, s:O, s:O, s:O}",
			    "ip", json_object_get(x, "ip"), "owner", json_object_get(g, "owner"),
			    "country", json_object_get(g, "country"), "asn", json_object_get(g, "asn"),
			    "name", json_array_size(names) ?
			    json_string_value(json_object_get(json_array_get(names, 0), "name")) : "-",
			    "ports", json_object_get(x, "ports"), "bytes", json_object_get(x, "bytes"),
			    "first_seen", json_object_get(x, "first_seen"),
			    "last_seen", json_object_get(x, "last_seen")));
			iso_last_seen(json_array_get(d, json_array_size(d) - 1));
		}
	json_array_foreach(json_object_get(o, "exposure"), i, x) {
		json_array_append_new(e, json_deep_copy(x));
		iso_last_seen(json_array_get(e, json_array_size(e) - 1));
	}
	json_object_set_new(a, "internet", o);
	json_object_set_new(a, "_endpoints", d);
	json_object_set_new(a, "_exposure", e);
}

static void
show_table(struct cli *cli, json_t *a)
{
	static const char *const ev_k[] = { "attribute", "value", "source", "confidence",
	    "count", "first_seen", "last_seen" };
	static const char *const ev_h[] = { "ATTRIBUTE", "VALUE", "SOURCE", "CONF",
	    "COUNT", "FIRST SEEN", "LAST SEEN" };
	static const size_t ev_w[] = { 0, 40, 28, 0, 0, 0, 0 };
	static const char *const ad_k[] = { "ip", "source", "first_seen", "last_seen" };
	static const char *const ad_h[] = { "IP", "SOURCE", "FIRST SEEN", "LAST SEEN" };
	static const size_t ad_w[] = { 0, 0, 0, 0 };
	static const char *const sv_k[] = { "transport", "port", "protocol", "role",
	    "first_seen", "last_seen" };
	static const char *const sv_h[] = { "TRANSPORT", "PORT", "PROTOCOL", "ROLE",
	    "FIRST SEEN", "LAST SEEN" };
	static const size_t sv_w[] = { 0, 0, 16, 0, 0, 0 };
	static const char *const pe_k[] = { "id", "ip", "mac", "direction", "protocol",
	    "port", "packets", "bytes" };
	static const char *const pe_h[] = { "PEER", "IP", "MAC", "IT IS", "PROTOCOL",
	    "PORT", "PACKETS", "BYTES" };
	static const size_t pe_w[] = { 0, 0, 0, 0, 16, 0, 0, 0 };
	static const char *const un_k[] = { "id", "unit", "vendor", "model", "serial",
	    "firmware", "device_type" };
	static const char *const un_h[] = { "ASSET", "UNIT", "VENDOR", "MODEL", "SERIAL",
	    "FIRMWARE", "TYPE" };
	static const size_t un_w[] = { 0, 0, 24, 28, 24, 16, 12 };

	static const char *const ie_k[] = { "ip", "name", "owner", "country", "asn", "ports",
	    "bytes", "last_seen" };
	static const char *const ie_h[] = { "IP", "NAME", "OWNER", "CC", "AS", "PORTS", "BYTES",
	    "LAST SEEN" };
	static const size_t ie_w[] = { 39, 36, 20, 2, 0, 24, 0, 20 };
	static const char *const ex_k[] = { "ip", "country", "asn", "as_name", "ports", "last_seen" };
	static const char *const ex_h[] = { "FROM", "CC", "AS", "AS NAME", "PORTS", "LAST SEEN" };
	static const size_t ex_w[] = { 39, 2, 0, 28, 32, 20 };

	show_summary(cli, a);
	show_section(cli, "EVIDENCE", json_object_get(a, "evidence"), ev_k, ev_h, ev_w, 7,
	    "ATTRIBUTE,VALUE,SOURCE,CONF,COUNT,LAST SEEN");
	show_section(cli, "ADDRESSES", json_object_get(a, "addresses"), ad_k, ad_h, ad_w, 4, NULL);
	show_section(cli, "SERVICES", json_object_get(a, "services"), sv_k, sv_h, sv_w, 6, NULL);
	show_section(cli, "PEERS", json_object_get(a, "peers"), pe_k, pe_h, pe_w, 8,
	    "PEER,IP,IT IS,PROTOCOL,PORT,PACKETS,BYTES");
	if (json_array_size(json_object_get(a, "_endpoints")) > 0)
		show_section(cli, "INTERNET ENDPOINTS", json_object_get(a, "_endpoints"), ie_k, ie_h,
		    ie_w, 8, NULL);
	if (json_array_size(json_object_get(a, "_exposure")) > 0)
		show_section(cli, "REACHED FROM THE INTERNET", json_object_get(a, "_exposure"), ex_k,
		    ex_h, ex_w, 6, NULL);
	if (json_array_size(json_object_get(a, "units")) > 0)
		show_section(cli, "MODBUS UNITS BEHIND IT", json_object_get(a, "units"), un_k, un_h,
		    un_w, 7, NULL);
}

static int
show_run(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "table", no_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	bool json = false;
	int64_t id;
	json_t *a;
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'j': json = true; break;
		case 't': json = false; break;
		default:
			cli_usage_error(cli, "show", "unknown option: %s", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		cli_usage_error(cli, "show", "name one asset: ID, IP or MAC");
		return EXIT_USAGE;
	}
	if ((id = asset_lookup(cli, argv[optind])) < 0) {
		cli_usage_error(cli, "show", "'%s' is not an asset id, an IP or a MAC address",
		    argv[optind]);
		return EXIT_USAGE;
	}
	if (cli_db_failed(cli))
		return EXIT_DB;
	if (id == 0) {
		fprintf(cli->err, "spanwatch: no asset %s\n", argv[optind]);
		return EXIT_NOTFOUND;
	}
	if ((a = asset_json(cli, id, true)) == NULL)
		return cli_db_failed(cli) ? EXIT_DB : EXIT_NOTFOUND;
	internet_of(cli, a, id);
	if (json) {
		json_object_del(a, "_endpoints");
		json_object_del(a, "_exposure");
		if (json_print(a, cli->out) != 0) {
			json_decref(a);
			return EXIT_DB;
		}
	} else
		show_table(cli, a);
	json_decref(a);
	return EXIT_OK;
}

const struct cli_cmd cmd_show = {
	"show", show_run, "ID|IP|MAC [--json]",
	"one asset with all its evidence, addresses, services and peers",
	show_help, true
};
