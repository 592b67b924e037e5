/*
 * cli_report.c - `spanwatch report`: the supply-chain risk assessment as
 * one self-contained HTML file, and `spanwatch map`: the network map.
 *
 * The report is written from the database alone (store/q_report.h) plus
 * the vendor table and policy files its verdicts name, when they are
 * still readable (for the maker's parent and the tables' dates).  It holds
 * no script, no external style, font or image: the CSS is inline, the
 * charts and the map are inline SVG, so the file opens from a USB stick
 * on a laptop with no network.  Every device string goes through
 * html_text().
 *
 * The Cybercheck section groups the flagged assets by product (maker and
 * model): one block per product says who makes it, where it is, how it is
 * reached, and why it is flagged, each reason once with the assets and
 * the evidence it rests on.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_report.h"
#include "config.h"
#include "events.h"
#include "q_internet.h"
#include "q_report.h"
#include "vendors.h"
#include "sw_limits.h"

#ifndef SW_VERSION
#define SW_VERSION "0.0.0"
#endif


static const char report_help[] =
    "  -o, --output FILE  write the report to FILE (default: standard output)\n"
    "  --site NAME        the site named on the cover (default: config [export] site)\n"
    "  --sensor NAME      the sensor named on the cover (default: config [export]\n"
    "                     sensor_name, else the host name)\n"
    "One self-contained HTML file: no script, no external style, font or image.\n";

static const char map_help[] =
    "  -o, --output FILE  write the map to FILE (default: standard output)\n"
    "  --format FMT       svg (default), dot (Graphviz source) or png\n"
    "  --zone ZONE        only ZONE (\"VLAN 10\", \"10.10.0.0/24\") and its peers\n"
    "  --around ID        only asset ID (or IP, MAC) and its peers\n"
    "  --collapse N       above N assets, one node per zone and level (default 300)\n";

/* Everything the report shows, read in one snapshot. */
struct rdata {
	struct cli	*cli;
	json_t		*ov, *assets, *convs;
	json_t		*internet;	/* qi_internet(): who talks to which outside owner */
	json_t		*changes, *ops;	/* events (store/events.h), at most REPORT_EVENTS_MAX each */
	json_t		*kinds;		/* events per kind, all of them */
	size_t		 changes_dropped, ops_dropped;
	struct slot	*ix;		/* id -> asset, sorted by id */
	size_t		 nix;
	const char	*site, *sensor;
	char		 vendors_file[256], policy_file[256];
	struct vendors	*vendors;	/* the table the verdicts name, if readable */
	char		 generated[ISO_LEN];
};

struct slot {
	int64_t	 id;
	json_t	*a;
};

static int
slot_cmp(const void *x, const void *y)
{
	const struct slot *a = x, *b = y;

	return a->id < b->id ? -1 : a->id > b->id;
}

static json_t *
asset_by_id(const struct rdata *d, int64_t id)
{
	struct slot key = { id, NULL }, *s = bsearch(&key, d->ix, d->nix, sizeof(key), slot_cmp);

	return s ? s->a : NULL;
}

static const char *
js(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s && *s ? s : NULL;
}

static long long
ji(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static void
h(FILE *f, const char *s)
{
	html_text(f, s, REPORT_CELL_MAX);
}

/* An ISO 8601 time with a space for the T, so a narrow cell breaks between date and time. */
static void
put_iso(FILE *f, const char *iso)
{
	char buf[ISO_LEN + 8];
	char *t;

	snprintf(buf, sizeof(buf), "%s", iso ? iso : "-");
	if ((t = strchr(buf, 'T')) != NULL)
		*t = ' ';
	h(f, buf);
}

static void
put_time(FILE *f, long long t)
{
	char buf[ISO_LEN];

	fmt_iso(t, buf);
	put_iso(f, buf);
}

/* The name an asset goes by in the report. */
static const char *
asset_name(json_t *a)
{
	return js(a, "name") ? js(a, "name") : js(a, "hostname") ? js(a, "hostname") :
	    js(a, "model") ? js(a, "model") : NULL;
}

static const char *
asset_maker(json_t *a)
{
	return js(a, "maker") ? js(a, "maker") : js(a, "vendor") ? js(a, "vendor") : js(a, "oui_vendor");
}

/* Its IP, or for a device behind a Modbus server "unit N behind IP". */
static void
put_address(FILE *f, json_t *a)
{
	json_t *b = json_object_get(a, "behind");

	if (js(a, "ip") == NULL && json_is_object(b)) {
		fprintf(f, "unit %lld behind ", ji(b, "unit"));
		h(f, js(b, "ip"));
	} else
		h(f, js(a, "ip"));
}

static void
asset_ref(FILE *f, json_t *a)
{
	fprintf(f, "<a href=\"#asset-%lld\">%lld</a>", ji(a, "id"), ji(a, "id"));
}

/* --- the tables the verdicts name ------------------------------------------ */

/* "FILE:LINE (...)" or "FILE:LINE [...]": copy FILE into out. */
static bool
rule_file(const char *rule, const char *marker, char *out, size_t sz)
{
	const char *m = strstr(rule, marker), *colon;

	if (m == NULL)
		return false;
	for (colon = m; colon > rule && *colon != ':'; colon--)
		;
	if (colon == rule)
		return false;
	/* the rule may list two: "POLICY:24 [country CN]; VENDORS:25 (Hikvision)" */
	{
		const char *start = colon;

		while (start > rule && start[-1] != ' ')
			start--;
		snprintf(out, sz, "%.*s", (int)(colon - start), start);
	}
	return out[0] != '\0';
}

static void
find_table_files(struct rdata *d)
{
	size_t i, k;
	json_t *a, *r;

	json_array_foreach(d->assets, i, a)
		json_array_foreach(json_object_get(a, "reasons"), k, r) {
			const char *rule = js(r, "rule");

			if (rule == NULL)
				continue;
			if (!d->vendors_file[0])
				rule_file(rule, " (", d->vendors_file, sizeof(d->vendors_file));
			if (!d->policy_file[0])
				rule_file(rule, " [", d->policy_file, sizeof(d->policy_file));
			if (d->vendors_file[0] && d->policy_file[0])
				return;
		}
}

static void
load_tables(struct rdata *d)
{
	char err[512];

	find_table_files(d);
	if (d->vendors_file[0])
		d->vendors = vendors_load(d->vendors_file, NULL, err, sizeof(err));
}

static const struct vendor *
vendor_row(const struct rdata *d, const char *canonical)
{
	for (size_t i = 0; d->vendors && canonical && i < vendors_count(d->vendors); i++)
		if (strcmp(vendors_at(d->vendors, i)->canonical, canonical) == 0)
			return vendors_at(d->vendors, i);
	return NULL;
}

static void
file_date(FILE *f, const char *path)
{
	struct stat sb;

	if (path[0] == '\0') {
		fputs("not named by any verdict", f);
		return;
	}
	h(f, path);
	if (stat(path, &sb) == 0) {
		fputs(", file dated ", f);
		put_time(f, (long long)sb.st_mtime);
	} else
		fputs(" (not readable on this machine)", f);
}

static void
vendors_date(FILE *f, const struct rdata *d)
{
	char newest[11] = "";

	file_date(f, d->vendors_file);
	for (size_t i = 0; d->vendors && i < vendors_count(d->vendors); i++)
		if (strcmp(vendors_at(d->vendors, i)->checked, newest) > 0)
			snprintf(newest, sizeof(newest), "%s", vendors_at(d->vendors, i)->checked);
	if (newest[0])
		fprintf(f, "; %zu rows, compiled up to %s", vendors_count(d->vendors), newest);
}

/* --- head, cover, method ------------------------------------------------------ */

static const char report_css[] =
    "body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;font-size:10.5pt;color:#111;"
    "margin:0 auto;max-width:190mm;padding:8mm;line-height:1.35}\n"
    "h1{font-size:20pt;margin:0 0 4mm}h2{font-size:15pt;border-bottom:2px solid #333;"
    "padding-bottom:1mm;margin-top:8mm}h3{font-size:12pt;margin:6mm 0 2mm}\n"
    "table{border-collapse:collapse;width:100%;table-layout:fixed;margin:2mm 0 4mm}\n"
    "th,td{border:1px solid #999;padding:1.2mm 1.6mm;text-align:left;vertical-align:top;"
    "overflow-wrap:anywhere;word-break:break-word}\n"
    "th{background:#e6e6e6}thead{display:table-header-group}tr{break-inside:avoid}\n"
    "table.kv th{width:32%}td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    ".lvl{font-weight:bold;padding:0 1.5mm;border:1px solid #333}\n"
    ".lvl-high{background:#f9c6c6}.lvl-elevated{background:#ffe2b3}.lvl-none{background:#dff0d8}"
    ".lvl-unknown{background:#eee}\n"
    ".product{border:2px solid #b00020;padding:2mm 4mm;margin:4mm 0;break-inside:avoid-page}\n"
    ".product.elevated{border-color:#c77700}.note{color:#444;font-style:italic}\n"
    ".na{border:1px dashed #777;padding:2mm;color:#333}\n"
    "figure.chart{display:inline-block;vertical-align:top;margin:2mm 3mm 2mm 0}figure.chart svg{max-width:100%;height:auto}\n"
    ".ct{font-weight:bold;font-size:12px}.cl{font-size:11px;text-anchor:end}.cv{font-size:11px}\n"
    ".map{overflow-x:auto;border:1px solid #ccc}.map svg{display:block;height:auto}\n"
    ".cover{border-bottom:4px solid #333;margin-bottom:6mm}\n"
    "code{font-family:'DejaVu Sans Mono',monospace;font-size:9pt}\n"
    "td.z{font-size:90%}table.inv{font-size:8.5pt}\n"
    "@page{size:A4;margin:14mm 12mm}@page landscape{size:A4 landscape}\n"
    "@media print{body{max-width:none;padding:0;font-size:9.5pt}"
    "section{break-before:page}h2,h3{break-after:avoid}a{color:inherit;text-decoration:none}"
    "section#map{page:landscape}.map{overflow:visible;border:0}.map svg{width:100%}"
    "table.inv{font-size:7.5pt}}\n";

static void
write_head(FILE *f, const struct rdata *d)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"generator\" content=\"spanwatch " SW_VERSION "\">\n<title>", f);
	fputs("Supply-chain risk assessment: ", f);
	h(f, d->site);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", report_css);
}

static void
kv(FILE *f, const char *key, const char *val)
{
	fprintf(f, "<tr><th>%s</th><td>", key);
	h(f, val);
	fputs("</td></tr>\n", f);
}

static void
write_cover(FILE *f, const struct rdata *d)
{
	fputs("<header class=\"cover\" id=\"cover\">\n<h1>Supply-chain risk assessment and network map</h1>\n"
	    "<table class=\"kv\">\n", f);
	kv(f, "Site", d->site);
	kv(f, "Sensor", d->sensor);
	fputs("<tr><th>Period observed (packet time)</th><td>", f);
	put_time(f, ji(d->ov, "first_seen"));
	fputs(" &#8211; ", f);
	put_time(f, ji(d->ov, "last_seen"));
	fputs("</td></tr>\n", f);
	kv(f, "Database", d->cli->db_path);
	fprintf(f, "<tr><th>Schema version</th><td>%lld</td></tr>\n", ji(d->ov, "schema"));
	kv(f, "spanwatch version", SW_VERSION);
	fputs("<tr><th>Vendor table</th><td>", f);
	vendors_date(f, d);
	fputs("</td></tr>\n<tr><th>Risk policy</th><td>", f);
	file_date(f, d->policy_file);
	fputs("</td></tr>\n<tr><th>Newest risk verdict</th><td>", f);
	put_time(f, ji(d->ov, "evaluated"));
	fputs("</td></tr>\n", f);
	fputs("<tr><th>Generated</th><td>", f);
	put_iso(f, d->generated);
	fputs("</td></tr>\n", f);
	fputs("</table>\n<p>Contents: <a href=\"#method\">method</a> &#183; <a href=\"#summary\">summary</a> "
	    "&#183; <a href=\"#cybercheck\">Cybercheck: flagged products</a> &#183; <a href=\"#changes\">"
	    "changes and operations</a> &#183; <a href=\"#internet\">internet-connected OT devices</a> "
	    "&#183; <a href=\"#map\">network map</a> &#183; <a href=\"#inventory\">appendix: inventory</a></p>\n"
	    "</header>\n", f);
}

static void
write_method(FILE *f)
{
	fputs("<section id=\"method\">\n<h2>Method</h2>\n"
	    "<p>spanwatch observed the plant network <em>passively</em>, from a SPAN/mirror port: it "
	    "sent nothing to any device. Everything below was learnt from traffic the devices exchanged "
	    "on their own during the period on the cover.</p>\n"
	    "<p><strong>Evidence.</strong> Each fact about a device (maker, model, firmware, name, role) "
	    "comes with its source: the protocol message that stated it (for example a Modbus device "
	    "identification, a CIP identity reply, an LLDP or DHCP field), a banner matched by a "
	    "fingerprint rule, or the IEEE registry's owner of the MAC address block. A device's own "
	    "statement outranks a banner, which outranks the MAC block.</p>\n"
	    "<p><strong>Levels.</strong> <span class=\"lvl lvl-high\">high</span>: a named supplier, a "
	    "maker on a flagged public listing, or a maker headquartered in or controlled from a country "
	    "the policy names for its offensive cyber programme, stated by the device or identified from "
	    "a banner. <span class=\"lvl lvl-elevated\">elevated</span>: weaker evidence: only the MAC "
	    "block's registered country, a component (module) maker, or evidence that conflicts. "
	    "<span class=\"lvl lvl-none\">none</span>: vendor evidence, none of it risky. "
	    "<span class=\"lvl lvl-unknown\">unknown</span>: no vendor evidence. An accepted risk keeps "
	    "its level and is shown beside it.</p>\n"
	    "<p><strong>What a passive sensor cannot see.</strong> Devices that did not talk during the "
	    "period, traffic that did not cross the mirrored port, the contents of encrypted sessions, "
	    "components inside a device that never speak for themselves, software installed on a PC "
	    "unless it announces itself, and the supply chain behind a maker (sub-suppliers, service "
	    "companies). The absence of a finding is not proof of absence.</p>\n</section>\n", f);
}

/* --- summary ---------------------------------------------------------------- */

static const char *const level_names[] = { "high", "elevated", "none", "unknown" };
static const char *const level_fill[] = { "#d9534f", "#f0ad4e", "#5cb85c", "#bbbbbb" };

struct counter {
	char		 key[96];
	long long	 n;
};

struct counts {
	struct counter	*c;
	size_t		 n, cap;
};

static void
count_add(struct counts *cs, const char *key, long long by)
{
	for (size_t i = 0; i < cs->n; i++)
		if (strcmp(cs->c[i].key, key) == 0) {
			cs->c[i].n += by;
			return;
		}
	if (cs->n == cs->cap) {
		struct counter *p = realloc(cs->c, (cs->cap = cs->cap ? cs->cap * 2 : 16) * sizeof(*p));

		if (p == NULL)
			return;
		cs->c = p;
	}
	snprintf(cs->c[cs->n].key, sizeof(cs->c[cs->n].key), "%s", key);
	cs->c[cs->n++].n = by;
}

static int
counter_cmp(const void *x, const void *y)
{
	const struct counter *a = x, *b = y;

	return a->n != b->n ? (a->n < b->n ? 1 : -1) : strcmp(a->key, b->key);
}

/* Bars of the counts, most first; beyond REPORT_CHART_BARS the rest as "other". */
static void
counts_chart(FILE *f, struct counts *cs, const char *title, const char *id, const char *fill)
{
	struct bar bars[REPORT_CHART_BARS + 1];
	size_t n = 0;
	long long other = 0;

	if (cs->n > 0)	/* qsort's base must not be NULL, even for nothing */
		qsort(cs->c, cs->n, sizeof(*cs->c), counter_cmp);
	for (size_t i = 0; i < cs->n; i++) {
		if (n < REPORT_CHART_BARS)
			bars[n++] = (struct bar){ cs->c[i].key, cs->c[i].n, fill };
		else
			other += cs->c[i].n;
	}
	if (other)
		bars[n++] = (struct bar){ "other", other, fill };
	if (n == 0)
		bars[n++] = (struct bar){ "none", 0, fill };
	svg_bars(f, title, id, bars, n);
}

struct summary {
	long long	 levels[4], accepted, not_evaluated, flagged;
	struct counts	 country, tier, category, zone_flagged;
	bool		 have_categories;
};

static void
summarise(const struct rdata *d, struct summary *s)
{
	size_t i;
	json_t *a;

	memset(s, 0, sizeof(*s));
	json_array_foreach(d->assets, i, a) {
		const char *lvl = js(a, "level");
		char zone[96];

		for (size_t l = 0; l < 4; l++)
			if (lvl && strcmp(lvl, level_names[l]) == 0)
				s->levels[l]++;
		s->accepted += js(a, "accepted") != NULL;
		s->not_evaluated += json_is_null(json_object_get(a, "evaluated"));
		if (!json_is_null(json_object_get(a, "evaluated")))
			count_add(&s->country, js(a, "country") ? js(a, "country") : "unknown", 1);
		count_add(&s->tier, tier_name(asset_tier(a)), 1);
		if (category_group(a)) {
			s->have_categories = true;
			count_add(&s->category, category_group(a), 1);
		}
		if (asset_flagged(a)) {
			s->flagged++;
			asset_zone(a, zone, sizeof(zone));
			count_add(&s->zone_flagged, zone, 1);
		}
	}
}

static void
summary_numbers(FILE *f, const struct rdata *d, const struct summary *s)
{
	fprintf(f, "<table class=\"kv\" id=\"summary-numbers\">\n"
	    "<tr><th>Assets</th><td class=\"n\" data-summary=\"assets\">%zu</td></tr>\n",
	    json_array_size(d->assets));
	for (size_t l = 0; l < 4; l++)
		fprintf(f, "<tr><th><span class=\"lvl lvl-%s\">%s</span></th><td class=\"n\" "
		    "data-summary=\"%s\">%lld</td></tr>\n", level_names[l], level_names[l], level_names[l],
		    s->levels[l]);
	fprintf(f, "<tr><th>With an accepted risk</th><td class=\"n\" data-summary=\"accepted\">%lld</td></tr>\n"
	    "<tr><th>Not evaluated (counted as unknown)</th><td class=\"n\" data-summary=\"not_evaluated\">"
	    "%lld</td></tr>\n<tr><th>Gateways (routers, firewalls, L3 switches)</th><td class=\"n\">%lld</td></tr>\n"
	    "<tr><th>Conversations</th><td class=\"n\">%lld</td></tr>\n"
	    "<tr><th>Pieces of evidence</th><td class=\"n\">%lld</td></tr>\n</table>\n",
	    s->accepted, s->not_evaluated, ji(d->ov, "gateways"), ji(d->ov, "conversations"),
	    ji(d->ov, "evidence"));
}

static void
country_table(FILE *f, const struct counts *c)
{
	fputs("<table id=\"summary-countries\"><thead><tr><th>Country the maker answers to</th>"
	    "<th>Assets</th></tr></thead><tbody>\n", f);
	for (size_t i = 0; i < c->n; i++) {
		fputs("<tr><td>", f);
		h(f, c->c[i].key);
		fprintf(f, "</td><td class=\"n\" data-country=\"");
		h(f, c->c[i].key);
		fprintf(f, "\">%lld</td></tr>\n", c->c[i].n);
	}
	fputs("</tbody></table>\n", f);
}

static void
write_summary(FILE *f, const struct rdata *d)
{
	struct summary s;
	struct bar lv[4];

	summarise(d, &s);
	fputs("<section id=\"summary\">\n<h2>Summary</h2>\n", f);
	summary_numbers(f, d, &s);
	for (size_t l = 0; l < 4; l++)
		lv[l] = (struct bar){ level_names[l], s.levels[l], level_fill[l] };
	svg_bars(f, "Assets per risk level", "chart-levels", lv, 4);
	counts_chart(f, &s.country, "Assets per maker's country", "chart-countries", "#5b8cc6");
	if (s.have_categories)
		counts_chart(f, &s.category, "Assets per category", "chart-kinds", "#8c7bc6");
	else
		counts_chart(f, &s.tier, "Assets per kind (from the protocols they speak)", "chart-kinds",
		    "#8c7bc6");
	counts_chart(f, &s.zone_flagged, "Flagged assets per zone", "chart-zones", "#d9534f");
	country_table(f, &s.country);
	if (s.have_categories)
		fputs("<p class=\"note\">An asset's category is decided from all its evidence: what the "
		    "device states of itself, what it does (the protocols it serves or uses), its name, "
		    "and its maker's line of business.</p>\n", f);
	else
		fputs("<p class=\"note\">The kind of an asset is derived from the roles its protocols show "
		    "(a Modbus server, a DNP3 master, a gateway). Device categories (PLC/RTU/IED, HMI, "
		    "camera, inverter) are not available in this database.</p>\n", f);
	fputs("</section>\n", f);
	free(s.country.c);
	free(s.tier.c);
	free(s.category.c);
	free(s.zone_flagged.c);
}

/* --- the Cybercheck section ---------------------------------------------------- */

struct product {
	char		 key[300];
	const char	*maker, *model;
	json_t		*assets;	/* borrowed asset objects */
	int		 rank;		/* 0 high, 1 elevated */
};

static int
product_cmp(const void *x, const void *y)
{
	const struct product *a = x, *b = y;

	if (a->rank != b->rank)
		return a->rank - b->rank;
	if (json_array_size(a->assets) != json_array_size(b->assets))
		return json_array_size(a->assets) < json_array_size(b->assets) ? 1 : -1;
	return strcmp(a->key, b->key);
}

static struct product *
group_products(const struct rdata *d, size_t *np)
{
	struct product *p = calloc(json_array_size(d->assets) + 1, sizeof(*p));
	size_t n = 0, i, k;
	json_t *a;

	if (p == NULL)
		return NULL;
	json_array_foreach(d->assets, i, a) {
		const char *maker = asset_maker(a), *model = js(a, "model");
		char key[300];

		if (!asset_flagged(a))
			continue;
		snprintf(key, sizeof(key), "%s\x1f%s", maker ? maker : "", model ? model : "");
		for (k = 0; k < n && strcmp(p[k].key, key) != 0; k++)
			;
		if (k == n) {
			snprintf(p[n].key, sizeof(p[n].key), "%s", key);
			p[n].maker = maker;
			p[n].model = model;
			p[n].assets = json_array();
			p[n].rank = 1;
			n++;
		}
		json_array_append(p[k].assets, a);
		if (strcmp(js(a, "level"), "high") == 0)
			p[k].rank = 0;
	}
	if (n > 0)
		qsort(p, n, sizeof(*p), product_cmp);
	*np = n;
	return p;
}

/* What kind of product: a device with a model, firmware, software, or a cloud service. */
static const char *
product_kind(const struct product *p, const struct vendor *row)
{
	json_t *a = json_array_get(p->assets, 0);

	size_t i, k;
	json_t *x, *r;

	if (asset_tier(a) == TIER_INTERNET)
		return "cloud service (an address outside the plant)";
	/* a verdict resting on the service table: what the device runs or uses, not who made it */
	json_array_foreach(p->assets, i, x)
		json_array_foreach(json_object_get(x, "reasons"), k, r)
			if (js(r, "rule") && strstr(js(r, "rule"), "services.csv"))
				return "software or cloud service the device runs or uses (see the evidence)";
	if (js(a, "mac") == NULL && js(a, "model") == NULL)
		return "a host behind a gateway: hardware or software, not told apart";
	if (row && strcmp(row->category, "module") == 0)
		return "component (radio/network module) inside another maker's device";
	if (js(a, "firmware"))
		return "hardware with firmware";
	return "hardware";
}

static void
maker_table(FILE *f, const struct rdata *d, const struct product *p)
{
	json_t *a = json_array_get(p->assets, 0), *r;
	const struct vendor *row = vendor_row(d, js(a, "maker"));
	size_t i;

	fputs("<table class=\"kv\">\n", f);
	kv(f, "Maker", p->maker ? p->maker : "unknown maker");
	kv(f, "Model", p->model ? p->model : "not stated");
	kv(f, "Parent", row ? (row->parent[0] ? row->parent : "none (independent)") :
	    "not in the vendor table");
	fputs("<tr><th>Country it answers to</th><td>", f);
	h(f, js(a, "country") ? js(a, "country") : js(a, "oui_country") ? js(a, "oui_country") : "unknown");
	if (row && row->parent_country[0] && strcmp(row->parent_country, row->country) != 0) {
		fputs(" (headquarters ", f);
		h(f, row->country);
		fputs(")", f);
	}
	fputs("</td></tr>\n<tr><th>Source row</th><td>", f);
	if (row) {
		fputs("<code>", f);
		h(f, row->file);
		fprintf(f, ":%d</code> (checked ", row->line);
		h(f, row->checked);
		fputs(")", f);
	} else
		json_array_foreach(json_object_get(a, "reasons"), i, r)
			if (js(r, "rule") && strstr(js(r, "rule"), " (")) {
				fputs("<code>", f);
				h(f, js(r, "rule"));
				fputs("</code>", f);
				break;
			}
	if (row && row->source[0]) {
		fputs("; source: ", f);
		h(f, row->source);
	}
	fputs("</td></tr>\n", f);
	if (row && row->listings[0])
		kv(f, "Public listings", row->listings);
	kv(f, "Kind of product", product_kind(p, row));
	fputs("</table>\n", f);
}

/* The conversations of one asset: its OT peers with protocol and role. */
static void
peers_cell(FILE *f, const struct rdata *d, json_t *a)
{
	int64_t id = ji(a, "id");
	size_t i, shown = 0, more = 0;
	json_t *c;

	json_array_foreach(json_object_get(a, "_convs"), i, c) {
		bool client = ji(c, "client") == id;
		json_t *peer;

		if (!client && ji(c, "server") != id)
			continue;
		if (shown == REPORT_PEERS_MAX) {
			more++;
			continue;
		}
		peer = asset_by_id(d, client ? ji(c, "server") : ji(c, "client"));
		if (shown++)
			fputs("<br>", f);
		h(f, js(c, "protocol"));
		fputs(client ? " client of " : " server for ", f);
		if (peer) {
			h(f, js(peer, "ip") ? js(peer, "ip") : js(peer, "mac"));
			fprintf(f, " (%s, ", tier_short(asset_tier(peer)));
			asset_ref(f, peer);
			fputs(")", f);
		}
	}
	if (shown == 0)
		fputs("no conversation seen", f);
	if (more)
		fprintf(f, "<br>and %zu more", more);
}

static void
where_table(FILE *f, const struct rdata *d, const struct product *p)
{
	size_t i;
	json_t *a;

	fputs("<table><thead><tr><th style=\"width:7%\">Asset</th><th>Name</th><th>IP / MAC</th>"
	    "<th style=\"width:13%\">Zone</th><th style=\"width:10%\">Level</th><th style=\"width:34%\">"
	    "Talks to (OT peers and roles)</th></tr></thead><tbody>\n", f);
	json_array_foreach(p->assets, i, a) {
		char zone[96];

		asset_zone(a, zone, sizeof(zone));
		fputs("<tr><td>", f);
		asset_ref(f, a);
		fputs("</td><td>", f);
		h(f, asset_name(a));
		fputs("<br><span class=\"note\">", f);
		h(f, asset_category(a));
		fputs("</span>", f);
		if (js(a, "criticality")) {
			fputs("<br>criticality: ", f);
			h(f, js(a, "criticality"));
		}
		if (js(a, "note")) {
			fputs("<br>note: ", f);
			h(f, js(a, "note"));
		}
		fputs("</td><td>", f);
		put_address(f, a);
		fputs("<br>", f);
		h(f, js(a, "mac"));
		fputs("</td><td class=\"z\">", f);
		h(f, zone);
		fprintf(f, "</td><td><span class=\"lvl lvl-%s\">%s</span>%s</td><td>", js(a, "level"),
		    js(a, "level"), js(a, "accepted") ? " (accepted)" : "");
		peers_cell(f, d, a);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

static bool
remote_access_proto(const char *p)
{
	static const char *const names[] = { "ssh", "telnet", "rdp", "vnc", "teamviewer", "anydesk",
	    "http", "tls", "https", NULL };

	for (size_t i = 0; p && names[i]; i++)
		if (strcasecmp(p, names[i]) == 0)
			return true;
	return false;
}

/* The outside owners an asset talks to (outbound) or is probed by (inbound). */
static void
owners_cell(FILE *f, json_t *groups, bool names)
{
	size_t k, e, shown = 0;
	json_t *g, *ep, *nm;

	json_array_foreach(groups, k, g) {
		char owner[200];

		if (shown++ == REPORT_PEERS_MAX) {
			fprintf(f, "<br>and %zu more", json_array_size(groups) - REPORT_PEERS_MAX);
			break;
		}
		owner_label(g, owner, sizeof(owner));
		fputs(k ? "<br><strong>" : "<strong>", f);
		h(f, owner);
		fputs("</strong>: ", f);
		if (json_is_array(json_object_get(g, "endpoints")))
			json_array_foreach(json_object_get(g, "endpoints"), e, ep) {
				fputs(e ? ", " : "", f);
				h(f, js(ep, "ip"));
				if (names && (nm = json_array_get(json_object_get(ep, "names"), 0)) != NULL) {
					fputs(" (", f);
					h(f, js(nm, "name"));
					fputs(")", f);
				}
				fputs(" ", f);
				h(f, js(ep, "ports"));
			}
		else {
			h(f, js(g, "ip"));
			fputs(" ", f);
			h(f, js(g, "ports"));
		}
	}
}

static bool
in_product(const struct product *p, long long id)
{
	size_t i;
	json_t *a;

	json_array_foreach(p->assets, i, a)
		if (ji(a, "id") == id)
			return true;
	return false;
}

static void
put_operation(FILE *f, json_t *ev)
{
	json_t *cl = json_object_get(ev, "client");

	put_iso(f, js(ev, "ts"));
	fputs(": ", f);
	h(f, js(ev, "operation"));
	fputs(" (", f);
	h(f, js(ev, "protocol"));
	fprintf(f, ", %lld request%s, outcome ", ji(ev, "count"), ji(ev, "count") == 1 ? "" : "s");
	h(f, js(ev, "outcome"));
	fputs(") by ", f);
	h(f, js(cl, "ip") ? js(cl, "ip") : js(cl, "mac"));
	if (js(ev, "detail")) {
		fputs(": ", f);
		h(f, js(ev, "detail"));
	}
}

/* The operations (writes, downloads, stops) done to the product's assets. */
static void
operations_on(FILE *f, const struct rdata *d, const struct product *p)
{
	size_t i, n = 0;
	json_t *ev;

	json_array_foreach(d->ops, i, ev) {
		if (!in_product(p, ji(ev, "asset")))
			continue;
		if (++n > REPORT_PEERS_MAX * 2)
			continue;
		fputs("<li>operation on ", f);
		fprintf(f, "<a href=\"#asset-%lld\">%lld</a> ", ji(ev, "asset"), ji(ev, "asset"));
		put_operation(f, ev);
		fputs("</li>\n", f);
	}
	if (n > REPORT_PEERS_MAX * 2)
		fprintf(f, "<li>and %zu more operations</li>\n", n - REPORT_PEERS_MAX * 2);
	if (n == 0)
		fputs("<li>No operation (write, download, stop, restart, time set) was seen on it.</li>\n", f);
}

/* Remote access and vendor-cloud paths: management protocols, and peers outside the plant. */
static void
access_paths(FILE *f, const struct rdata *d, const struct product *p)
{
	size_t i, k, n = 0;
	json_t *a, *c;

	fputs("<ul>\n", f);
	json_array_foreach(p->assets, i, a) {
		int64_t id = ji(a, "id");

		json_array_foreach(json_object_get(a, "_convs"), k, c) {
			bool client = ji(c, "client") == id;
			json_t *peer;

			if (!client && ji(c, "server") != id)
				continue;
			peer = asset_by_id(d, client ? ji(c, "server") : ji(c, "client"));
			if (peer == NULL || !(remote_access_proto(js(c, "protocol")) ||
			    asset_tier(peer) == TIER_INTERNET))
				continue;
			if (++n > REPORT_PEERS_MAX * 2)
				continue;
			fputs("<li>", f);
			asset_ref(f, a);
			fputs(client ? " connects to " : " is reached by ", f);
			h(f, js(peer, "ip"));
			fputs(asset_tier(peer) == TIER_INTERNET ? " (outside the plant)" : "", f);
			fputs(" over ", f);
			h(f, js(c, "protocol"));
			fprintf(f, " (port %lld, %lld bytes)</li>\n", ji(c, "port"), ji(c, "bytes"));
		}
	}
	if (n > REPORT_PEERS_MAX * 2)
		fprintf(f, "<li>and %zu more</li>\n", n - REPORT_PEERS_MAX * 2);
	json_array_foreach(p->assets, i, a) {
		json_t *inet = json_object_get(a, "_internet");

		if (json_array_size(json_object_get(inet, "destinations")) > 0) {
			n++;
			fputs("<li>", f);
			asset_ref(f, a);
			fputs(" connects outside the site to ", f);
			owners_cell(f, json_object_get(inet, "destinations"), true);
			fputs("</li>\n", f);
		}
		if (json_array_size(json_object_get(inet, "exposure")) > 0) {
			n++;
			fputs("<li>", f);
			asset_ref(f, a);
			fputs(" is reached from outside by ", f);
			owners_cell(f, json_object_get(inet, "exposure"), false);
			fputs("</li>\n", f);
		}
	}
	if (n == 0)
		fputs("<li>No remote-access protocol (SSH, Telnet, RDP, VNC, web) and no connection "
		    "outside the site was seen.</li>\n", f);
	operations_on(f, d, p);
	fputs("</ul>\n", f);
}

/* One reason with the evidence it rests on and the assets it applies to. */
struct reason_row {
	const char	*text, *rule;
	json_t		*evidence;	/* "source = value" strings */
	json_t		*assets;	/* ids */
};

static void
add_unique_str(json_t *arr, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
		if (strcmp(json_string_value(v), s) == 0)
			return;
	json_array_append_new(arr, json_stringn_nocheck(s, strlen(s)));
}

static void
add_unique_int(json_t *arr, long long v)
{
	size_t i;
	json_t *x;

	json_array_foreach(arr, i, x)
		if (json_integer_value(x) == v)
			return;
	json_array_append_new(arr, json_integer(v));
}

static size_t
collect_reasons(const struct product *p, struct reason_row *rows, size_t max)
{
	size_t n = 0, i, k, j;
	json_t *a, *r;

	json_array_foreach(p->assets, i, a)
		json_array_foreach(json_object_get(a, "reasons"), k, r) {
			const char *text = js(r, "text");
			char ev[600];

			if (text == NULL)
				continue;
			for (j = 0; j < n && strcmp(rows[j].text, text) != 0; j++)
				;
			if (j == n) {
				if (n == max)
					continue;
				rows[n++] = (struct reason_row){ text, js(r, "rule"), json_array(), json_array() };
			}
			snprintf(ev, sizeof(ev), "%s = %s", js(r, "source") ? js(r, "source") : "?",
			    js(r, "value") ? js(r, "value") : "?");
			if (js(r, "source") || js(r, "value"))
				add_unique_str(rows[j].evidence, ev);
			add_unique_int(rows[j].assets, ji(a, "id"));
		}
	return n;
}

static void
evidence_chain(FILE *f, const struct product *p)
{
	struct reason_row rows[64];
	size_t n = collect_reasons(p, rows, 64), i, k;
	json_t *v;

	fputs("<table><thead><tr><th style=\"width:40%\">Reason</th><th>Evidence (source = value)</th>"
	    "<th>Rule</th><th style=\"width:12%\">Assets</th></tr></thead><tbody>\n", f);
	for (i = 0; i < n; i++) {
		fputs("<tr><td>", f);
		html_text(f, rows[i].text, 0);
		fputs("</td><td>", f);
		json_array_foreach(rows[i].evidence, k, v) {
			fputs(k ? "<br><code>" : "<code>", f);
			h(f, json_string_value(v));
			fputs("</code>", f);
		}
		fputs("</td><td><code>", f);
		h(f, rows[i].rule);
		fputs("</code></td><td>", f);
		json_array_foreach(rows[i].assets, k, v)
			fprintf(f, "%s<a href=\"#asset-%lld\">%lld</a>", k ? ", " : "",
			    (long long)json_integer_value(v), (long long)json_integer_value(v));
		fputs("</td></tr>\n", f);
		json_decref(rows[i].evidence);
		json_decref(rows[i].assets);
	}
	fputs("</tbody></table>\n", f);
}

/*
 * "risk accepted on DATE by WHO: WHY (FILE:LINE)" (ident/risk.c) in its
 * parts; any other text is shown whole as the why.
 */
static void
accepted_row(FILE *f, const char *text, json_t *ids)
{
	const char *p = text, *by = NULL, *why = text, *src = NULL, *end = text + strlen(text);
	char date[11] = "";
	size_t k;
	json_t *v;

	if (strncmp(p, "risk accepted on ", 17) == 0 && strlen(p) >= 27) {
		snprintf(date, sizeof(date), "%.10s", p + 17);
		p += 27;
		if (strncmp(p, " by ", 4) == 0)
			by = p + 4;
		why = strstr(p, ": ") ? strstr(p, ": ") + 2 : p;
		src = strrchr(why, '(');
		if (src && end[-1] == ')')
			end = src > why ? src - 1 : src;
		else
			src = NULL;
	}
	fputs("<tr><td>", f);
	h(f, date[0] ? date : NULL);
	fputs("</td><td>", f);
	if (by)
		html_textn(f, by, (size_t)(strstr(by, ": ") ? strstr(by, ": ") - by : 0), REPORT_CELL_MAX);
	else
		fputs("&#8211;", f);
	fputs("</td><td>", f);
	html_textn(f, why, (size_t)(end - why), 0);
	fputs("</td><td><code>", f);
	h(f, src);
	fputs("</code></td><td>", f);
	json_array_foreach(ids, k, v)
		fprintf(f, "%s<a href=\"#asset-%lld\">%lld</a>", k ? ", " : "",
		    (long long)json_integer_value(v), (long long)json_integer_value(v));
	fputs("</td></tr>\n", f);
}

static void
accepted_risks(FILE *f, const struct product *p)
{
	json_t *by_text = json_object(), *a, *ids;
	const char *text;
	size_t i;

	json_array_foreach(p->assets, i, a) {
		if ((text = js(a, "accepted")) == NULL)
			continue;
		if ((ids = json_object_get(by_text, text)) == NULL)
			json_object_set_new(by_text, text, ids = json_array());
		if (ids)
			json_array_append_new(ids, json_integer(ji(a, "id")));
	}
	if (json_object_size(by_text) == 0)
		fputs("<p>No accepted risk.</p>\n", f);
	else {
		fputs("<table><thead><tr><th style=\"width:12%\">When</th><th style=\"width:18%\">Who</th>"
		    "<th>Why</th><th>Rule</th><th style=\"width:10%\">Assets</th></tr></thead><tbody>\n", f);
		json_object_foreach(by_text, text, ids)
			accepted_row(f, text, ids);
		fputs("</tbody></table>\n", f);
	}
	json_decref(by_text);
}

static void
write_product(FILE *f, const struct rdata *d, const struct product *p, size_t idx)
{
	fprintf(f, "<div class=\"product%s\" id=\"product-%zu\">\n<h3><span class=\"lvl lvl-%s\">%s</span> ",
	    p->rank ? " elevated" : "", idx + 1, p->rank ? "elevated" : "high", p->rank ? "elevated" : "high");
	h(f, p->maker ? p->maker : "unknown maker");
	fputs(" &#8212; ", f);
	h(f, p->model ? p->model : "model not stated");
	fprintf(f, " (%zu asset%s)</h3>\n", json_array_size(p->assets),
	    json_array_size(p->assets) == 1 ? "" : "s");
	maker_table(f, d, p);
	fputs("<h4>Where it is</h4>\n", f);
	where_table(f, d, p);
	fputs("<h4>Access paths</h4>\n", f);
	access_paths(f, d, p);
	fputs("<h4>Evidence chain</h4>\n", f);
	evidence_chain(f, p);
	fputs("<h4>Accepted risks</h4>\n", f);
	accepted_risks(f, p);
	fputs("</div>\n", f);
}

static void
write_cybercheck(FILE *f, const struct rdata *d)
{
	size_t n = 0;
	struct product *p = group_products(d, &n);

	fputs("<section id=\"cybercheck\">\n<h2>Cybercheck: flagged products</h2>\n"
	    "<p>The products from makers in, or controlled from, a country with an offensive cyber "
	    "programme (or otherwise flagged by the policy), grouped by maker and model, as the "
	    "Cybercheck asks for a closer risk analysis of each.</p>\n", f);
	if (n == 0)
		fputs("<p>No asset is flagged high or elevated.</p>\n", f);
	for (size_t i = 0; i < n; i++) {
		write_product(f, d, &p[i], i);
		json_decref(p[i].assets);
	}
	fputs("</section>\n", f);
	free(p);
}

/* --- changes, internet, map, inventory --------------------------------------- */

static void
change_row(FILE *f, json_t *ev)
{
	fputs("<tr><td>", f);
	put_iso(f, js(ev, "ts"));
	fputs("</td><td>", f);
	h(f, js(ev, "kind"));
	if (json_is_true(json_object_get(ev, "baseline")))
		fputs("<br><span class=\"note\">learning</span>", f);
	fputs("</td><td>", f);
	if (json_is_integer(json_object_get(ev, "asset")))
		fprintf(f, "<a href=\"#asset-%lld\">%lld</a>", ji(ev, "asset"), ji(ev, "asset"));
	fputs("</td><td>", f);
	if (js(ev, "field")) {
		h(f, js(ev, "field"));
		fputs(": ", f);
		h(f, js(ev, "old") ? js(ev, "old") : "none");
		fputs(" &#8594; ", f);
		h(f, js(ev, "new") ? js(ev, "new") : "none");
		fputs("<br>", f);
	}
	h(f, js(ev, "detail"));
	fputs("</td></tr>\n", f);
}

static void
operation_row(FILE *f, json_t *ev)
{
	json_t *cl = json_object_get(ev, "client"), *sv = json_object_get(ev, "server");

	fputs("<tr><td>", f);
	put_iso(f, js(ev, "ts"));
	fputs("</td><td>", f);
	h(f, js(ev, "operation"));
	fputs("<br>", f);
	h(f, js(ev, "protocol"));
	fputs("</td><td>", f);
	h(f, js(cl, "ip") ? js(cl, "ip") : js(cl, "mac"));
	fputs(" &#8594; ", f);
	if (json_is_integer(json_object_get(ev, "asset")))
		fprintf(f, "<a href=\"#asset-%lld\">", ji(ev, "asset"));
	h(f, js(sv, "ip") ? js(sv, "ip") : js(sv, "mac"));
	if (json_is_integer(json_object_get(ev, "asset")))
		fputs("</a>", f);
	fprintf(f, "</td><td>%lld (%lld answered, %lld refused): ", ji(ev, "count"), ji(ev, "responses"),
	    ji(ev, "failed"));
	h(f, js(ev, "outcome"));
	fputs("</td><td>", f);
	h(f, js(ev, "detail"));
	fputs("</td></tr>\n", f);
}

static void
write_changes(FILE *f, const struct rdata *d)
{
	json_t *v;
	const char *k;
	size_t i;

	fputs("<section id=\"changes\">\n<h2>Changes and operations in the period</h2>\n"
	    "<h3>Events per kind</h3>\n<table id=\"event-kinds\"><thead><tr><th>Kind</th>"
	    "<th>Count</th></tr></thead><tbody>\n", f);
	json_object_foreach(d->kinds, k, v) {
		fputs("<tr><td>", f);
		h(f, k);
		fprintf(f, "</td><td class=\"n\" data-kind=\"");
		h(f, k);
		fprintf(f, "\">%lld</td></tr>\n", (long long)json_integer_value(v));
	}
	if (json_object_size(d->kinds) == 0)
		fputs("<tr><td colspan=\"2\">No event recorded.</td></tr>\n", f);
	fputs("</tbody></table>\n<h3 id=\"operations\">Operations</h3>\n<p>What clients did to controllers: "
	    "writes, program downloads, stops and restarts, time sets; a burst of the same request is "
	    "one row.</p>\n<table><thead><tr><th style=\"width:14%\">First request</th><th style=\"width:15%\">"
	    "Operation</th><th style=\"width:22%\">Client &#8594; server</th><th style=\"width:13%\">Requests"
	    "</th><th>Detail</th></tr></thead><tbody>\n", f);
	json_array_foreach(d->ops, i, v)
		operation_row(f, v);
	if (json_array_size(d->ops) == 0)
		fputs("<tr><td colspan=\"5\">No operation seen.</td></tr>\n", f);
	fputs("</tbody></table>\n", f);
	if (d->ops_dropped)
		fprintf(f, "<p class=\"note\">%zu more operations not listed.</p>\n", d->ops_dropped);
	fputs("<h3>Changes to the inventory</h3>\n<table><thead><tr><th style=\"width:14%\">Time</th>"
	    "<th style=\"width:15%\">Change</th><th style=\"width:8%\">Asset</th><th>What</th></tr>"
	    "</thead><tbody>\n", f);
	json_array_foreach(d->changes, i, v)
		change_row(f, v);
	if (json_array_size(d->changes) == 0)
		fputs("<tr><td colspan=\"4\">No change recorded.</td></tr>\n", f);
	fputs("</tbody></table>\n", f);
	if (d->changes_dropped)
		fprintf(f, "<p class=\"note\">%zu more changes not listed.</p>\n", d->changes_dropped);
	fputs("</section>\n", f);
}

static size_t
internet_table(FILE *f, const struct rdata *d, bool ot)
{
	size_t i, n = 0;
	json_t *e;

	fputs("<table><thead><tr><th style=\"width:8%\">Asset</th><th style=\"width:14%\">Category</th>"
	    "<th style=\"width:16%\">Maker</th><th style=\"width:10%\">Level</th><th>Talks to (owner: "
	    "address, name, port)</th><th style=\"width:18%\">Reached from outside</th></tr></thead>"
	    "<tbody>\n", f);
	json_array_foreach(d->internet, i, e) {
		json_t *a = asset_by_id(d, ji(e, "id"));

		if (a == NULL || (asset_tier(a) >= TIER_SUPERVISORY) != ot)
			continue;
		n++;
		fputs("<tr><td>", f);
		asset_ref(f, a);
		fputs("<br>", f);
		put_address(f, a);
		fputs("</td><td>", f);
		h(f, asset_category(a));
		fputs("</td><td>", f);
		h(f, asset_maker(a));
		fprintf(f, "</td><td><span class=\"lvl lvl-%s\">%s</span></td><td>", js(a, "level"),
		    js(a, "level"));
		owners_cell(f, json_object_get(e, "destinations"), true);
		fputs("</td><td>", f);
		if (json_array_size(json_object_get(e, "exposure")) == 0)
			fputs("&#8211;", f);
		else
			owners_cell(f, json_object_get(e, "exposure"), false);
		fputs("</td></tr>\n", f);
	}
	if (n == 0)
		fputs("<tr><td colspan=\"6\">None seen.</td></tr>\n", f);
	fputs("</tbody></table>\n", f);
	return n;
}

static void
write_internet(FILE *f, const struct rdata *d)
{
	fputs("<section id=\"internet\">\n<h2>Internet-connected OT devices</h2>\n"
	    "<p>OT devices (controllers, field devices, HMI, SCADA, engineering) seen talking to "
	    "addresses outside the site, grouped by who runs the address space (the location "
	    "database's AS and the vendor table), with the names the addresses went by (DNS answers, "
	    "TLS server names); and the outside addresses that reached them.</p>\n", f);
	internet_table(f, d, true);
	fputs("<h3>Other devices talking to the internet</h3>\n", f);
	internet_table(f, d, false);
	fputs("</section>\n", f);
}

static void
write_map(FILE *f, const struct rdata *d)
{
	struct map_opts o = { MAP_SVG, NULL, 0, MAP_COLLAPSE_DEFAULT, d->internet };
	char *svg = NULL, err[256];
	size_t len = 0;

	fputs("<section id=\"map\">\n<h2>Network map</h2>\n<p>Zones (VLAN or subnet) are boxes; "
	    "levels run from internet endpoints at the top to controllers and field devices at the "
	    "bottom. Arrows point from client to server; thicker lines carried more bytes. Flagged "
	    "assets are red double octagons marked &#8220;! HIGH RISK&#8221; or "
	    "&#8220;! ELEVATED RISK&#8221;.</p>\n<div class=\"map\">\n", f);
	if (map_render(d->assets, d->convs, &o, &svg, &len, err, sizeof(err)) == 0) {
		/* Inline: drop the XML declaration and DOCTYPE before <svg. */
		char *start = strstr(svg, "<svg");

		if (start)
			fwrite(start, 1, len - (size_t)(start - svg), f);
	} else {
		fputs("<p class=\"na\">The map could not be drawn: ", f);
		h(f, err);
		fputs("</p>\n", f);
	}
	free(svg);
	fputs("</div>\n</section>\n", f);
}

static void
write_inventory(FILE *f, const struct rdata *d)
{
	size_t i;
	json_t *a;

	fputs("<section id=\"inventory\">\n<h2>Appendix: inventory</h2>\n<table id=\"inventory-table\" class=\"inv\">"
	    "<thead><tr><th style=\"width:6%\">ID</th><th>Name</th><th>Maker</th><th>Model / firmware</th>"
	    "<th>IP / MAC</th><th style=\"width:12%\">Zone</th><th style=\"width:11%\">Category</th>"
	    "<th style=\"width:9%\">Level</th><th style=\"width:7%\">Country</th></tr></thead><tbody>\n", f);
	json_array_foreach(d->assets, i, a) {
		char zone[96];

		asset_zone(a, zone, sizeof(zone));
		fprintf(f, "<tr id=\"asset-%lld\"><td>%lld</td><td>", ji(a, "id"), ji(a, "id"));
		h(f, js(a, "name") ? js(a, "name") : js(a, "hostname"));
		if (js(a, "name") && js(a, "hostname")) {
			fputs("<br>", f);
			h(f, js(a, "hostname"));
		}
		fputs("</td><td>", f);
		h(f, asset_maker(a));
		fputs("</td><td>", f);
		h(f, js(a, "model"));
		if (js(a, "firmware")) {
			fputs("<br>", f);
			h(f, js(a, "firmware"));
		}
		fputs("</td><td>", f);
		put_address(f, a);
		fputs("<br>", f);
		h(f, js(a, "mac"));
		fputs("</td><td class=\"z\">", f);
		h(f, zone);
		fputs("</td><td>", f);
		h(f, asset_category(a));
		fprintf(f, "</td><td><span class=\"lvl lvl-%s\">%s</span></td><td>", js(a, "level"),
		    js(a, "level"));
		h(f, js(a, "country"));
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table>\n</section>\n", f);
}

/* --- reading -------------------------------------------------------------------- */

static void
rdata_free(struct rdata *d)
{
	json_decref(d->ov);
	json_decref(d->assets);
	json_decref(d->convs);
	json_decref(d->internet);
	json_decref(d->changes);
	json_decref(d->ops);
	json_decref(d->kinds);
	free(d->ix);
	vendors_free(d->vendors);
}

/* A database error: busy is retried by main(), anything else reported. */
static int
read_failed(struct cli *cli)
{
	return cli_db_read_failed(cli, 0, NULL);
}

/* Each asset's conversations under "_convs", so a block lists its peers without a scan of all. */
static void
link_conversations(struct rdata *d)
{
	size_t i;
	json_t *c, *a;

	json_array_foreach(d->convs, i, c) {
		if ((a = asset_by_id(d, ji(c, "client"))) != NULL)
			json_array_append(json_object_get(a, "_convs"), c);
		if (ji(c, "server") != ji(c, "client") && (a = asset_by_id(d, ji(c, "server"))) != NULL)
			json_array_append(json_object_get(a, "_convs"), c);
	}
}

/* Every event counted by kind; the first REPORT_EVENTS_MAX operations and changes kept. */
static int
collect_event(void *arg, json_t *ev)
{
	struct rdata *d = arg;
	const char *kind = js(ev, "kind") ? js(ev, "kind") : "?";
	bool op = strcmp(kind, "operation") == 0;
	json_t *n = json_object_get(d->kinds, kind);
	json_t *into = op ? d->ops : d->changes;

	json_object_set_new(d->kinds, kind, json_integer(n ? json_integer_value(n) + 1 : 1));
	if (json_array_size(into) < REPORT_EVENTS_MAX)
		json_array_append_new(into, ev);
	else {
		*(op ? &d->ops_dropped : &d->changes_dropped) += 1;
		json_decref(ev);
	}
	return 0;
}

static int
read_events(struct rdata *d)
{
	struct event_filter all = { 0 };
	int rc = 0;

	d->changes = json_array();
	d->ops = json_array();
	d->kinds = json_object();
	return store_events(d->cli->store, &all, collect_event, d, &rc) < 0 ? -1 : 0;
}

static int
rdata_read(struct rdata *d, bool full)
{
	size_t i;
	json_t *a;

	if ((d->assets = qr_assets(d->cli->store)) == NULL ||
	    (d->convs = qr_conversations(d->cli->store)) == NULL ||
	    (d->internet = qi_internet(d->cli->store)) == NULL)
		return read_failed(d->cli);
	if (full && ((d->ov = qr_overview(d->cli->store)) == NULL || read_events(d) != 0))
		return read_failed(d->cli);
	if ((d->ix = calloc(json_array_size(d->assets) + 1, sizeof(*d->ix))) == NULL)
		return EXIT_DB;
	json_array_foreach(d->assets, i, a) {
		d->ix[d->nix++] = (struct slot){ ji(a, "id"), a };
		json_object_set_new(a, "_convs", json_array());
	}
	if (d->nix > 0)
		qsort(d->ix, d->nix, sizeof(*d->ix), slot_cmp);
	link_conversations(d);
	json_array_foreach(d->internet, i, a) {
		json_t *asset = asset_by_id(d, ji(a, "id"));

		if (asset)
			json_object_set(asset, "_internet", a);
	}
	return EXIT_OK;
}

/* Write buf to an existing non-regular file (a terminal, a pipe, /dev/stdout) in place. */
static int
write_in_place(struct cli *cli, const char *path, const char *buf, size_t len)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		fprintf(cli->err, "spanwatch: %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return EXIT_DB;
	}
	return EXIT_OK;
}

/*
 * Write buf to path through a temporary file, so a reader never sees half a
 * file.  A path that names something other than a regular file is written
 * in place: renaming over /dev/stdout would replace the device link.
 */
static int
write_file(struct cli *cli, const char *path, const char *buf, size_t len)
{
	char tmp[4096];
	struct stat sb;
	FILE *f;

	if (path == NULL || strcmp(path, "-") == 0)
		return fwrite(buf, 1, len, cli->out) == len ? EXIT_OK : EXIT_DB;
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
		return write_in_place(cli, path, buf, len);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		fprintf(cli->err, "spanwatch: %s: name too long\n", path);
		return EXIT_DB;
	}
	f = fopen(tmp, "w");
	if (f == NULL || fwrite(buf, 1, len, f) != len || fclose(f) != 0 || rename(tmp, path) != 0) {
		fprintf(cli->err, "spanwatch: %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return EXIT_DB;
	}
	return EXIT_OK;
}

static void
cover_names(struct rdata *d, struct config *conf, const char *site, const char *sensor)
{
	static char host[256];
	char err[512];

	config_defaults(conf);
	config_load(conf, d->cli->config ? d->cli->config : CONFIG_DEFAULT, false, err, sizeof(err));
	if (gethostname(host, sizeof(host) - 1) != 0)
		snprintf(host, sizeof(host), "unknown");
	d->site = site ? site : conf->site[0] ? conf->site : "default";
	d->sensor = sensor ? sensor : conf->sensor_name[0] ? conf->sensor_name : host;
}

static int
report_run(struct cli *cli, int argc, char **argv)
{
	enum { O_SITE = 256, O_SENSOR };
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "site", required_argument, NULL, O_SITE },
		{ "sensor", required_argument, NULL, O_SENSOR },
		{ NULL, 0, NULL, 0 }
	};
	static struct config conf;
	struct rdata d = { .cli = cli };
	const char *out = NULL, *site = NULL, *sensor = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int ch, rc;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (ch) {
		case 'o': out = optarg; break;
		case O_SITE: site = optarg; break;
		case O_SENSOR: sensor = optarg; break;
		default:
			cli_usage_error(cli, "report", "unknown option or missing value: %s", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_usage_error(cli, "report", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	cover_names(&d, &conf, site, sensor);
	fmt_iso((int64_t)time(NULL), d.generated);
	if ((rc = rdata_read(&d, true)) != EXIT_OK || (f = open_memstream(&buf, &len)) == NULL) {
		rdata_free(&d);
		return rc != EXIT_OK ? rc : EXIT_DB;
	}
	load_tables(&d);
	write_head(f, &d);
	write_cover(f, &d);
	write_method(f);
	write_summary(f, &d);
	write_cybercheck(f, &d);
	write_changes(f, &d);
	write_internet(f, &d);
	write_map(f, &d);
	write_inventory(f, &d);
	fputs("</body>\n</html>\n", f);
	rc = fclose(f) == 0 ? write_file(cli, out, buf, len) : EXIT_DB;
	free(buf);
	rdata_free(&d);
	return rc;
}

const struct cli_cmd cmd_report = {
	"report", report_run, "[-o FILE.html] [--site NAME] [--sensor NAME]",
	"supply-chain risk assessment and network map as one self-contained HTML file",
	report_help, true
};

/* --- map ------------------------------------------------------------------------- */

static bool
map_format(const char *s, enum map_format *fmt)
{
	if (strcmp(s, "svg") == 0)
		*fmt = MAP_SVG;
	else if (strcmp(s, "dot") == 0)
		*fmt = MAP_DOT;
	else if (strcmp(s, "png") == 0)
		*fmt = MAP_PNG;
	else
		return false;
	return true;
}

static int
map_run(struct cli *cli, int argc, char **argv)
{
	enum { O_FORMAT = 256, O_ZONE, O_AROUND, O_COLLAPSE };
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "zone", required_argument, NULL, O_ZONE },
		{ "around", required_argument, NULL, O_AROUND },
		{ "collapse", required_argument, NULL, O_COLLAPSE },
		{ NULL, 0, NULL, 0 }
	};
	struct map_opts o = { MAP_SVG, NULL, 0, MAP_COLLAPSE_DEFAULT, NULL };
	struct rdata d = { .cli = cli };
	const char *out = NULL, *around = NULL;
	char *buf = NULL, err[256], *end;
	size_t len = 0;
	int ch, rc;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (ch) {
		case 'o': out = optarg; break;
		case O_ZONE: o.zone = optarg; break;
		case O_AROUND: around = optarg; break;
		case O_FORMAT:
			if (!map_format(optarg, &o.format)) {
				cli_usage_error(cli, "map", "--format: '%s' is not svg, dot or png", optarg);
				return EXIT_USAGE;
			}
			break;
		case O_COLLAPSE:
			o.collapse_over = (size_t)strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0') {
				cli_usage_error(cli, "map", "--collapse: '%s' is not a number", optarg);
				return EXIT_USAGE;
			}
			break;
		default:
			cli_usage_error(cli, "map", "unknown option or missing value: %s", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_usage_error(cli, "map", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (around && (o.around = asset_lookup(cli, around)) <= 0) {
		if (cli_db_failed(cli))
			return EXIT_DB;
		fprintf(cli->err, "spanwatch: no asset %s\n", around);
		return EXIT_NOTFOUND;
	}
	if ((rc = rdata_read(&d, false)) != EXIT_OK) {
		rdata_free(&d);
		return rc;
	}
	o.internet = d.internet;
	if (map_render(d.assets, d.convs, &o, &buf, &len, err, sizeof(err)) != 0) {
		fprintf(cli->err, "spanwatch map: %s\n", err);
		rc = EXIT_NOTFOUND;
	} else
		rc = write_file(cli, out, buf, len);
	free(buf);
	rdata_free(&d);
	return rc;
}

const struct cli_cmd cmd_map = {
	"map", map_run, "[-o FILE] [--format svg|dot|png] [--zone ZONE] [--around ID] [--collapse N]",
	"the network map: assets, conversations, zones and levels (Graphviz)", map_help, true
};
