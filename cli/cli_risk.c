/*
 * cli_risk.c - `spanwatch risk`: the supply-chain risk verdicts the daemon
 * keeps in the risk table (store/assess.c, decided by ident/risk.c).
 *
 * A summary of the whole inventory (assets per level, per maker, per
 * country), then the selected assets (high and elevated by default) with
 * every reason: its text, the evidence it rests on (source = value) and
 * the vendor-table row or policy rule that made it count.  An operator's
 * accepted risk is printed beside the verdict, never instead of it.
 * The output is built from one JSON document, so the table and --json
 * show the same data.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "q_risk.h"
#include "risk.h"

static const char risk_help[] =
    "  --level LEVEL    list the assets of these levels: high, elevated, none,\n"
    "                   unknown\n"
    "  --risk LEVEL     the same as --level\n"
    "  --all            list every asset (default: high and elevated)\n"
    "  --vendor SUBSTR  only assets whose maker contains SUBSTR, any case\n"
    FHELP_NET
    FHELP_LISTS
    "  --json         one JSON object: summary, selection, assets (docs/RISK.md)\n"
    "  --table        summary tables and one block per asset (the default)\n"
    "The summary always covers every asset.  Exit status 1 when no asset is\n"
    "selected (nothing flagged), after printing the summary.\n";

enum { R_ALL = 256, R_JSON, R_TABLE };

/* Levels in the order they are shown, most severe first. */
static const enum risk_level shown_levels[] = { RISK_HIGH, RISK_ELEVATED, RISK_NONE, RISK_UNKNOWN };
#define NLEVELS	(sizeof(shown_levels) / sizeof(shown_levels[0]))

static json_t *
verdict_text(struct qa_text t)
{
	return t.s ? jstrn(t.s, t.len) : json_null();
}

/* One reason object from the stored JSON; every field a string. */
static json_t *
reason_json(json_t *r)
{
	static const char *const keys[] = { "text", "source", "value", "rule", "policy" };
	json_t *o = json_object();

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		const char *s = json_is_string(r) ? (k == 0 ? json_string_value(r) : "") : jtext(r, keys[k]);

		json_object_set_new(o, keys[k], jstr(s ? s : ""));
	}
	return o;
}

/* The stored reason column: a JSON array of {text,source,value,rule}, or (older) plain text. */
static json_t *
reasons_json(struct qa_text reason)
{
	const char *s = reason.s;
	size_t len = reason.len, i;
	json_t *out = json_array(), *parsed, *r;

	if (s == NULL || len == 0)
		return out;
	if ((parsed = json_loadb(s, len, 0, NULL)) != NULL && json_is_array(parsed)) {
		json_array_foreach(parsed, i, r)
			json_array_append_new(out, reason_json(r));
	} else
		json_array_append_new(out, json_pack("{s:o s:s s:s s:s}", "text", jstrn(s, len),
		    "source", "", "value", "", "rule", ""));
	json_decref(parsed);
	return out;
}

/* An asset and its verdict as an asset object of `risk --json`. */
static json_t *
asset_verdict(const struct qk_asset *a)
{
	bool evaluated = a->level.s != NULL;

	return json_pack("{s:I s:s s:o s:o s:o s:o s:o s:o s:o s:o s:o s:o s:o}",
	    "id", (json_int_t)a->id,
	    "level", evaluated ? a->level.s : "unknown",
	    "vendor", verdict_text(a->vendor),
	    "country", verdict_text(a->country),
	    "mac", verdict_text(a->mac),
	    "ip", verdict_text(a->ip),
	    "hostname", verdict_text(a->hostname),
	    "model", verdict_text(a->model),
	    "oui_vendor", verdict_text(a->oui_vendor),
	    "oui_country", verdict_text(a->oui_country),
	    "reasons", reasons_json(a->reason),
	    "accepted", verdict_text(a->accepted),
	    "evaluated", evaluated ? jtime(a->evaluated) : json_null());
}

static bool
selected(json_t *a, const bool *want, const struct asset_filter *f)
{
	enum risk_level l;

	if (!risk_level_parse(jtext(a, "level"), &l) || !want[l])
		return false;
	if (f->vendor.n && !set_contains(&f->vendor, jtext(a, "vendor")) &&
	    !set_contains(&f->vendor, jtext(a, "oui_vendor")))
		return false;
	return nets_match(&f->nets, jtext(a, "ip"));
}

/*
 * Does a reason come from what the asset talks to (software and services:
 * DNS, TLS, HTTP names, the location database) rather than its equipment?
 */
static bool
service_reason(json_t *r)
{
	const char *src = json_string_value(json_object_get(r, "source"));

	return src && (strncmp(src, "dns/", 4) == 0 || strncmp(src, "tls/", 4) == 0 ||
	    strncmp(src, "http/", 5) == 0 || strcmp(src, "libloc") == 0);
}

/* Count the asset under each kind of reason that bears risk (findings without risk do not). */
static void
count_reasons(json_t *a, json_int_t *svc, json_int_t *equip)
{
	bool s = false, e = false;
	size_t i;
	json_t *r;

	json_array_foreach(json_object_get(a, "reasons"), i, r) {
		const char *rule = json_string_value(json_object_get(r, "rule"));
		const char *src = json_string_value(json_object_get(r, "source"));

		if (service_reason(r))
			s |= rule && strstr(rule, "policy ") != NULL;	/* a policy row made it count */
		else
			e |= src && src[0];
	}
	*svc += s;
	*equip += e;
}

struct groups {
	const char	*key;		/* "vendor" or "country" */
	bool		 with_country;
	json_t		*out;
};

static bool
group_row(void *arg, const struct qk_group *row)
{
	struct groups *gs = arg;
	const int64_t per_level[] = { row->high, row->elevated, row->none, row->unknown };
	json_t *g = json_pack("{s:o}", gs->key, verdict_text(row->value));

	if (gs->with_country)
		json_object_set_new(g, "country", verdict_text(row->country));
	json_object_set_new(g, "assets", json_integer(row->assets));
	for (size_t i = 0; i < NLEVELS; i++)
		json_object_set_new(g, risk_level_name(shown_levels[i]), json_integer(per_level[i]));
	json_object_set_new(g, "accepted", json_integer(row->accepted));
	json_array_append_new(gs->out, g);
	return true;
}

/* Assets per vendor or per country. */
static json_t *
per_group(struct cli *cli, enum qk_by by, const char *key, bool with_country)
{
	struct groups gs = { key, with_country, json_array() };

	if (!cli_db_failed(cli))
		cli_db_check(cli, qk_groups(cli->store, by, group_row, &gs));
	return gs.out;
}

/* The summary's counts over every asset, and the assets selected. */
struct tally {
	const bool		*want;
	const struct asset_filter *f;
	json_t			*assets, *levels;
	json_int_t		 total, unevaluated, accepted, by_service, by_equipment;
};

static bool
tally_asset(void *arg, const struct qk_asset *row)
{
	struct tally *t = arg;
	json_t *a = asset_verdict(row);
	json_t *n = json_object_get(t->levels, jtext(a, "level"));

	t->total++;
	t->unevaluated += json_is_null(json_object_get(a, "evaluated"));
	t->accepted += !json_is_null(json_object_get(a, "accepted"));
	count_reasons(a, &t->by_service, &t->by_equipment);
	if (n)
		json_integer_set(n, json_integer_value(n) + 1);
	if (selected(a, t->want, t->f))
		json_array_append_new(t->assets, a);
	else
		json_decref(a);
	return true;
}

/*
 * The whole answer: {summary, selection, assets}.  NULL on a database
 * error (reported, or cli->busy for a retry).
 */
static json_t *
risk_report(struct cli *cli, const bool *want, const struct asset_filter *f)
{
	struct tally t = { want, f, json_array(), json_object(), 0, 0, 0, 0, 0 };
	json_t *sel = json_array(), *doc;

	for (size_t i = 0; i < NLEVELS; i++) {
		json_object_set_new(t.levels, risk_level_name(shown_levels[i]), json_integer(0));
		if (want[shown_levels[i]])
			json_array_append_new(sel, json_string(risk_level_name(shown_levels[i])));
	}
	cli_db_check(cli, qk_assets(cli->store, tally_asset, &t));
	doc = json_pack("{s:{s:I s:I s:I s:I s:I s:o s:o s:o} s:o s:o}",
	    "summary",
	    "assets", t.total,
	    "not_evaluated", t.unevaluated,
	    "accepted", t.accepted,
	    "service_reasons", t.by_service,
	    "equipment_reasons", t.by_equipment,
	    "levels", t.levels,
	    "vendors", per_group(cli, QK_BY_VENDOR, "vendor", true),
	    "countries", per_group(cli, QK_BY_COUNTRY, "country", false),
	    "selection", sel,
	    "assets", t.assets);
	if (cli_db_failed(cli)) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/* --- table ----------------------------------------------------------------- */

/* Print s made safe for a terminal ("-" for NULL or ""). */
static void
put(struct cli *cli, const char *s)
{
	char *c = term_cell(s && *s ? s : NULL, s && *s ? strlen(s) : 0);

	fputs(c, cli->out);
	free(c);
}

static void
num_cell(char *buf, size_t sz, json_t *o, const char *key)
{
	snprintf(buf, sz, "%lld", (long long)json_integer_value(json_object_get(o, key)));
}

static void
print_groups(struct cli *cli, json_t *groups, const char *key, bool with_country)
{
	static const char *const hdr_v[] = { "VENDOR", "COUNTRY", "ASSETS", "HIGH", "ELEVATED",
	    "NONE", "UNKNOWN", "ACCEPTED" };
	static const char *const hdr_c[] = { "COUNTRY", "ASSETS", "HIGH", "ELEVATED", "NONE",
	    "UNKNOWN", "ACCEPTED" };
	static const size_t maxw_v[] = { 40, 7, 0, 0, 0, 0, 0, 0 };
	size_t ncols = with_country ? 8 : 7, i;
	struct table *t = table_new(ncols, with_country ? hdr_v : hdr_c, with_country ? maxw_v : NULL);
	static const char *const nums[] = { "assets", "high", "elevated", "none", "unknown", "accepted" };
	char buf[6][24];
	json_t *g;

	json_array_foreach(groups, i, g) {
		const char *cells[8];
		size_t c = 0;

		cells[c++] = jtext(g, key);
		if (with_country)
			cells[c++] = jtext(g, "country");
		for (size_t k = 0; k < 6; k++) {
			num_cell(buf[k], sizeof(buf[k]), g, nums[k]);
			cells[c++] = buf[k];
		}
		table_add(t, cells);
	}
	table_fixed(t);
	table_print(t, cli);
	table_free(t);
}

static void
print_summary(struct cli *cli, json_t *sum)
{
	json_t *levels = json_object_get(sum, "levels");
	json_int_t ne = json_integer_value(json_object_get(sum, "not_evaluated"));
	char line[256], acc[64];
	size_t len;

	len = (size_t)snprintf(line, sizeof(line), "RISK SUMMARY: %lld assets",
	    (long long)json_integer_value(json_object_get(sum, "assets")));
	for (size_t i = 0; i < NLEVELS && len < sizeof(line); i++) {
		const char *name = risk_level_name(shown_levels[i]);

		len += (size_t)snprintf(line + len, sizeof(line) - len, ", %lld %s",
		    (long long)json_integer_value(json_object_get(levels, name)), name);
	}
	snprintf(acc, sizeof(acc), "%lld with accepted risk",
	    (long long)json_integer_value(json_object_get(sum, "accepted")));
	/* on one line where it fits; else the acceptances on a line of their own */
	if (cli->view.width == 0 || len + 2 + strlen(acc) <= cli->view.width)
		fprintf(cli->out, "%s; %s\n", line, acc);
	else
		fprintf(cli->out, "%s\n  %s\n", line, acc);
	cli_wrapf(cli, 0, 2, "reasons: %lld assets for the software and services they use, "
	    "%lld for their equipment",
	    (long long)json_integer_value(json_object_get(sum, "service_reasons")),
	    (long long)json_integer_value(json_object_get(sum, "equipment_reasons")));
	if (ne > 0)
		cli_wrapf(cli, 0, 2, "%lld assets not evaluated yet (counted as unknown): spanwatchd "
		    "has no vendor table or risk policy loaded, or has not flushed them", (long long)ne);
	if (json_array_size(json_object_get(sum, "vendors")) > 0) {
		fputs("\nPER VENDOR (maker reported)\n", cli->out);
		print_groups(cli, json_object_get(sum, "vendors"), "vendor", true);
		fputs("\nPER COUNTRY (where the maker answers to)\n", cli->out);
		print_groups(cli, json_object_get(sum, "countries"), "country", false);
	}
}

/* Reason i's text was printed before (reasons are grouped by text). */
static bool
text_seen(json_t *reasons, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (strcmp(jtext(json_array_get(reasons, k), "text"),
		    jtext(json_array_get(reasons, i), "text")) == 0)
			return true;
	return false;
}

/*
 * Each reason once, with every piece of evidence it rests on under it
 * (the same sentence comes once per vendor evidence: the device's own
 * statement, a banner rule, the MAC block).
 */
static void
print_reasons(struct cli *cli, json_t *reasons)
{
	size_t i, n = 0;
	json_t *r;

	json_array_foreach(reasons, i, r) {
		if (text_seen(reasons, i))
			continue;
		/* folded to the terminal: a source's address goes to a line of its own */
		cli_wrapf(cli, 2, 5, "%zu. %s", ++n, jtext(r, "text"));
		for (size_t k = i; k < json_array_size(reasons); k++) {
			json_t *e = json_array_get(reasons, k);

			if (strcmp(jtext(e, "text"), jtext(r, "text")) != 0 ||
			    (!*jtext(e, "source") && !*jtext(e, "value")))
				continue;
			cli_wrapf(cli, 5, 15, "evidence: %s = %s", jtext(e, "source"),
			    jtext(e, "value"));
		}
		if (*jtext(r, "rule"))
			cli_wrapf(cli, 5, 15, "rule:     %s", jtext(r, "rule"));
	}
}

/* The policy's words for each country or supplier named, once for the whole answer. */
static void
print_policies(struct cli *cli, json_t *assets)
{
	json_t *seen = json_array(), *a, *r;
	size_t i, k;

	json_array_foreach(assets, i, a)
		json_array_foreach(json_object_get(a, "reasons"), k, r) {
			const char *p = jtext(r, "policy");
			bool dup = false;
			size_t j;
			json_t *s;

			if (p == NULL || *p == '\0')
				continue;
			json_array_foreach(seen, j, s)
				dup |= strcmp(json_string_value(s), p) == 0;
			if (!dup)
				json_array_append_new(seen, json_string(p));
		}
	if (json_array_size(seen) > 0) {
		fputs("\nWHY THESE COUNTRIES AND SUPPLIERS COUNT (the risk policy)\n", cli->out);
		json_array_foreach(seen, i, r)
			cli_wrap(cli, json_string_value(r), 2, 6);
	}
	json_decref(seen);
}

/* The columns put() takes for s ("-" for none), counting a UTF-8 sequence as one. */
static size_t
text_len(const char *s)
{
	size_t n = 0;

	for (s = s ? s : "-"; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/*
 * "  mac M  ip I  hostname H  model M  oui O (CC)": each fact whole, a new
 * line (indented) before one that would not fit the terminal.
 */
static void
print_facts(struct cli *cli, json_t *a)
{
	const char *const label[] = { "mac", "ip", "hostname", "model", "oui" };
	const char *const key[] = { "mac", "ip", "hostname", "model", "oui_vendor" };
	size_t col = 0;

	for (size_t i = 0; i < sizeof(key) / sizeof(key[0]); i++) {
		const char *v = jtext(a, key[i]), *cc = i == 4 ? jtext(a, "oui_country") : NULL;
		size_t n = strlen(label[i]) + 1 + text_len(v) + (cc ? text_len(cc) + 3 : 0);

		if (i == 4 && v == NULL)
			continue;
		if (col > 0 && cli->view.width > 0 && col + 2 + n > cli->view.width) {
			fputc('\n', cli->out);
			col = 0;
		}
		fputs("  ", cli->out);
		fprintf(cli->out, "%s ", label[i]);
		put(cli, v);
		if (cc) {
			fputs(" (", cli->out);
			put(cli, cc);
			fputc(')', cli->out);
		}
		col += 2 + n;
	}
	fputc('\n', cli->out);
}

static void
print_asset(struct cli *cli, json_t *a)
{
	json_t *reasons = json_object_get(a, "reasons");
	const char *accepted = jtext(a, "accepted");

	fprintf(cli->out, "\n[%s] asset %lld  ", jtext(a, "level"),
	    (long long)json_integer_value(json_object_get(a, "id")));
	put(cli, jtext(a, "vendor") ? jtext(a, "vendor") : "unknown maker");
	if (jtext(a, "country")) {
		fputs(" (", cli->out);
		put(cli, jtext(a, "country"));
		fputs(")", cli->out);
	}
	fputc('\n', cli->out);
	print_facts(cli, a);
	if (accepted)
		cli_wrapf(cli, 2, 12, "ACCEPTED: %s", accepted);
	if (json_is_null(json_object_get(a, "evaluated")))
		fputs("  not evaluated yet\n", cli->out);
	print_reasons(cli, reasons);
}

static void
print_report(struct cli *cli, json_t *doc)
{
	json_t *assets = json_object_get(doc, "assets"), *a;
	char *sel = json_join(json_object_get(doc, "selection"), ", ");
	size_t i;

	print_summary(cli, json_object_get(doc, "summary"));
	print_policies(cli, assets);
	fprintf(cli->out, "\nASSETS (%s): %zu\n", sel, json_array_size(assets));
	json_array_foreach(assets, i, a)
		print_asset(cli, a);
	free(sel);
}

static int
risk_run(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "level", required_argument, NULL, F_RISK },
		FOPT_RISK, FOPT_VENDOR, FOPT_SUBNET, FOPT_IP,
		{ "all", no_argument, NULL, R_ALL },
		{ "json", no_argument, NULL, R_JSON },
		{ "table", no_argument, NULL, R_TABLE },
		{ NULL, 0, NULL, 0 }
	};
	bool want[4] = { false };
	bool json = false, all = false, one = false;
	struct asset_filter f = { 0 };
	enum risk_level lvl = RISK_HIGH;
	json_t *doc;
	int ch, rc = EXIT_OK;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (filter_opt(cli, "risk", ch, optarg, &f)) {
		case 1: continue;
		case -1: filter_free(&f); return EXIT_USAGE;
		}
		switch (ch) {
		case R_ALL: all = true; break;
		case R_JSON: json = true; break;
		case R_TABLE: json = false; break;
		default:
			cli_usage_error(cli, "risk", "unknown option or missing value: %s", argv[optind - 1]);
			filter_free(&f);
			return EXIT_USAGE;
		}
	}
	one = f.risk.n > 0;
	if (optind < argc || (one && all)) {
		if (optind < argc)
			cli_usage_error(cli, "risk", "unexpected argument '%s'", argv[optind]);
		else
			cli_usage_error(cli, "risk", "--level and --all exclude each other");
		filter_free(&f);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < f.risk.n; i++)
		if (risk_level_parse(f.risk.v[i], &lvl))
			want[lvl] = true;
	if (!one)
		want[RISK_HIGH] = want[RISK_ELEVATED] = true;
	if (all)
		want[RISK_HIGH] = want[RISK_ELEVATED] = want[RISK_NONE] = want[RISK_UNKNOWN] = true;
	doc = risk_report(cli, want, &f);
	filter_free(&f);
	if (doc == NULL)
		return EXIT_DB;
	if (json) {
		if (json_print(doc, cli->out) != 0)
			rc = EXIT_DB;
	} else
		print_report(cli, doc);
	if (rc == EXIT_OK && json_array_size(json_object_get(doc, "assets")) == 0) {
		if (all)
			fprintf(cli->err, "spanwatch: no assets\n");
		else
			fprintf(cli->err, "spanwatch: no %s assets\n", one ? "such" :
			    "flagged (high or elevated)");
		rc = EXIT_NOTFOUND;
	}
	json_decref(doc);
	return rc;
}

const struct cli_cmd cmd_risk = {
	"risk", risk_run,
	"[--level L|--all] [--vendor S] [--subnet CIDR] [--ip A] [--json]",
	"supply-chain risk: summary and flagged assets with their reasons", risk_help, true
};
