/*
 * summary.c - the human summary of `spanwatchd -r` (see summary.h).
 */
#include <stdbool.h>
#include <string.h>

#include <jansson.h>

#include "category.h"
#include "q_summary.h"
#include "summary.h"

#define SUMMARY_FLAGGED	5	/* findings listed; the rest are counted */

static const char *
label(const char *cat)
{
	enum dev_category c;

	return cat && category_parse(cat, &c) ? category_label(c) : "unknown";
}

/* A list item, on a new indented line when it would pass column 78. */
static size_t
wrap_item(FILE *f, const char *item, bool comma, size_t col, size_t indent)
{
	size_t len = strlen(item) + (comma ? 2 : 0);

	if (comma && col + len > 78) {
		fprintf(f, ",\n%*s", (int)indent, "");
		col = indent;
		comma = false;
	}
	fprintf(f, "%s%s", comma ? ", " : "", item);
	return col + strlen(item) + (comma ? 2 : 0);
}

/* "15 PLC, 7 RTU, 6 HMI, ..., 14 unknown" */
static void
print_categories(FILE *f, json_t *cats)
{
	json_t *c, *unknown = NULL;
	size_t i, n = 0;

	char item[64];
	size_t col = 15;

	fputs("  by category: ", f);
	json_array_foreach(cats, i, c) {
		const char *name = json_string_value(json_object_get(c, "category"));

		if (name && strcmp(name, "unknown") == 0) {
			unknown = c;
			continue;
		}
		snprintf(item, sizeof(item), "%lld %s", (long long)json_integer_value(
		    json_object_get(c, "assets")), label(name));
		col = wrap_item(f, item, n++ > 0, col, 15);
	}
	if (unknown) {
		snprintf(item, sizeof(item), "%lld not yet categorised",
		    (long long)json_integer_value(json_object_get(unknown, "assets")));
		wrap_item(f, item, n > 0, col, 15);
	}
	fputc('\n', f);
}

static void
print_risk(FILE *f, json_t *r)
{
	static const char *const levels[] = { "high", "elevated", "none", "unknown" };

	fputs("  by risk:     ", f);
	for (size_t i = 0; i < 4; i++)
		fprintf(f, "%s%lld %s", i ? ", " : "", (long long)json_integer_value(
		    json_object_get(r, levels[i])), levels[i]);
	fputc('\n', f);
}

static const char *
or_dash(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s && *s ? s : "-";
}

static void
print_findings(FILE *f, json_t *s, const struct summary_in *in)
{
	json_t *flagged = json_object_get(s, "flagged"), *a;
	json_int_t total = json_integer_value(json_object_get(s, "flagged_total"));
	json_int_t gw = json_integer_value(json_object_get(s, "gateways"));
	size_t i;

	fputs("\nFindings\n", f);
	json_array_foreach(flagged, i, a) {
		const char *model = or_dash(a, "model");

		fprintf(f, "  %-8s %-15s %s, %s%s%s\n", or_dash(a, "level"), or_dash(a, "ip"),
		    label(json_string_value(json_object_get(a, "category"))), or_dash(a, "vendor"),
		    strcmp(model, "-") ? " " : "", strcmp(model, "-") ? model : "");
		if (strcmp(or_dash(a, "reason"), "-") != 0) {
			const char *r = or_dash(a, "reason"), *url = strstr(r, " (http");

			/* the source's address is in `spanwatch risk`: here the finding */
			fprintf(f, "           %.*s\n", url ? (int)(url - r) : (int)strlen(r), r);
		}
	}
	if (total > (json_int_t)json_array_size(flagged))
		fprintf(f, "  ... %lld more flagged assets (spanwatch risk)\n",
		    (long long)(total - (json_int_t)json_array_size(flagged)));
	if (total == 0)
		fputs("  no asset from a high-risk or elevated-risk maker\n", f);
	if (gw > 0)
		fprintf(f, "  %lld gateway%s (router, firewall or layer-3 switch) found\n", (long long)gw,
		    gw == 1 ? "" : "s");
	if (in->skipped > 0)
		fprintf(f, "  %llu malformed or truncated packets skipped (counted in --stats)\n",
		    (unsigned long long)in->skipped);
	if (in->drops > 0)
		fprintf(f, "  %llu observations dropped: the queue was full (see --stats)\n",
		    (unsigned long long)in->drops);
}

/* The next commands with the database as db; returns how many, *wide the widest line. */
static size_t
next_cmds(json_t *first, const char *db, char cmds[4][160], const char *what[4], size_t *w,
    size_t *wide)
{
	size_t n = 0;

	snprintf(cmds[n], sizeof(cmds[n]), "spanwatch --db %s list", db);
	what[n++] = "the inventory";
	snprintf(cmds[n], sizeof(cmds[n]), "spanwatch --db %s risk", db);
	what[n++] = "the risk, and why";
	if (first && json_is_string(json_object_get(first, "ip"))) {
		snprintf(cmds[n], sizeof(cmds[n]), "spanwatch --db %s show %s", db,
		    json_string_value(json_object_get(first, "ip")));
		what[n++] = "one asset in full";
	}
	snprintf(cmds[n], sizeof(cmds[n]), "spanwatch --db %s report -o report.html", db);
	what[n++] = "a report to hand in";
	*w = *wide = 0;
	for (size_t i = 0; i < n; i++)
		if (strlen(cmds[i]) > *w)
			*w = strlen(cmds[i]);
	for (size_t i = 0; i < n; i++)
		if (2 + *w + 2 + strlen(what[i]) > *wide)
			*wide = 2 + *w + 2 + strlen(what[i]);
	return n;
}

static void
print_next(FILE *f, json_t *s, const struct summary_in *in)
{
	json_t *first = json_array_get(json_object_get(s, "flagged"), 0);
	char cmds[4][160];
	const char *what[4];
	size_t n, w, wide;
	bool var;

	/* a long path once, as a shell variable, so each command fits 80 columns */
	n = next_cmds(first, in->dbpath, cmds, what, &w, &wide);
	if ((var = wide > 80))
		n = next_cmds(first, "\"$DB\"", cmds, what, &w, &wide);
	if (var)
		fprintf(f, "\nNext (DB=%s)\n", in->dbpath);
	else
		fputs("\nNext\n", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %-*s  %s\n", (int)w, cmds[i], what[i]);
}

void
summary_print(FILE *f, const struct summary_in *in)
{
	json_t *s;

	if (in->protocols && *in->protocols) {
		char buf[1024], *save = NULL;
		size_t col = 11, n = 0;

		snprintf(buf, sizeof(buf), "%s", in->protocols);
		fputs("protocols: ", f);
		for (char *it = strtok_r(buf, ",", &save); it; it = strtok_r(NULL, ",", &save))
			col = wrap_item(f, it + (*it == ' '), n++ > 0, col, 11);
		fputc('\n', f);
	}
	if (in->st == NULL) {
		fputs("\nNo database: nothing was kept.  Add --db FILE to keep the inventory, then\n"
		    "  spanwatch --db FILE list\n", f);
		return;
	}
	if ((s = qs_summary(in->st, SUMMARY_FLAGGED)) == NULL) {
		fprintf(f, "\n%s: cannot read the inventory back\n", in->dbpath);
		return;
	}
	fprintf(f, "\n%lld assets in %s, %llu new in this run\n",
	    (long long)json_integer_value(json_object_get(s, "assets")), in->dbpath,
	    (unsigned long long)in->new_assets);
	print_categories(f, json_object_get(s, "by_category"));
	print_risk(f, json_object_get(s, "by_risk"));
	print_findings(f, s, in);
	print_next(f, s, in);
	json_decref(s);
}
