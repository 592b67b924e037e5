/*
 * vendors.c - load and match the vendor origin table (see vendors.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "vendors.h"

struct alias {
	char		 norm[VENDOR_FIELD_MAX];
	size_t		 len;
	size_t		 row;
};

struct vendors {
	struct vendor	*rows;
	size_t		 nrows;
	struct alias	*aliases;
	size_t		 naliases;
};

enum { C_CANON, C_ALIASES, C_COUNTRY, C_PARENT, C_PCOUNTRY, C_CATEGORY,
	C_LISTINGS, C_SOURCE, C_CHECKED, C_NCOLS };

void
vendors_normalise(const char *in, char *out, size_t outsz)
{
	size_t o = 0;
	bool space = true;	/* drop leading spaces */

	if (outsz == 0)
		return;
	for (; *in && o + 1 < outsz; in++) {
		unsigned char ch = (unsigned char)*in;

		if (isalnum(ch) || ch >= 0x80) {	/* keep non-ASCII letters as they are */
			out[o++] = (char)tolower(ch);
			space = false;
		} else if (!space) {
			out[o++] = ' ';
			space = true;
		}
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

static bool
copy_field(char *dst, size_t dstsz, const char *src)
{
	if (strlen(src) >= dstsz)
		return false;
	strcpy(dst, src);
	return true;
}

static bool
valid_country(const char *c)
{
	return c[0] == '\0' || (strlen(c) == 2 && isupper((unsigned char)c[0]) &&
	    isupper((unsigned char)c[1]));
}

/* Check the fields of one data line and fill row; returns NULL or what is wrong. */
static const char *
parse_row(char **f, int n, struct vendor *row)
{
	if (n < 0)
		return "unterminated quote";
	if (n != C_NCOLS)
		return "expected 9 columns: canonical,aliases,country,parent,"
		    "parent_country,category,listings,source,checked";
	if (f[C_CANON][0] == '\0')
		return "empty canonical name";
	if (!valid_country(f[C_COUNTRY]) || !valid_country(f[C_PCOUNTRY]))
		return "country must be an ISO 3166 alpha-2 code such as CN or DE";
	if (!copy_field(row->canonical, sizeof(row->canonical), f[C_CANON]) ||
	    !copy_field(row->parent, sizeof(row->parent), f[C_PARENT]) ||
	    !copy_field(row->category, sizeof(row->category), f[C_CATEGORY]) ||
	    !copy_field(row->listings, sizeof(row->listings), f[C_LISTINGS]) ||
	    !copy_field(row->source, sizeof(row->source), f[C_SOURCE]) ||
	    !copy_field(row->checked, sizeof(row->checked), f[C_CHECKED]))
		return "a field is too long (a name, parent or listings: at most 127 bytes, "
		    "VENDOR_FIELD_MAX; a source 255)";
	strcpy(row->country, f[C_COUNTRY]);
	strcpy(row->parent_country, f[C_PCOUNTRY]);
	return NULL;
}

static void
drop_aliases_of(struct vendors *v, size_t row)
{
	size_t w = 0;

	for (size_t i = 0; i < v->naliases; i++)
		if (v->aliases[i].row != row)
			v->aliases[w++] = v->aliases[i];
	v->naliases = w;
}

static const char *
add_aliases(struct vendors *v, size_t row, const char *list)
{
	char buf[1024], *save = NULL, *tok;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s|%s", v->rows[row].canonical, list);
	for (tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		struct alias *a;

		if (++n > VENDOR_MAX_ALIASES + 1)
			return "too many aliases";
		a = &v->aliases[v->naliases];
		vendors_normalise(tok, a->norm, sizeof(a->norm));
		if ((a->len = strlen(a->norm)) == 0)
			continue;
		a->row = row;
		v->naliases++;
	}
	return NULL;
}

static size_t
find_canonical(const struct vendors *v, const char *name)
{
	for (size_t i = 0; i < v->nrows; i++)
		if (strcasecmp(v->rows[i].canonical, name) == 0)
			return i;
	return (size_t)-1;
}

static int
load_file(struct vendors *v, const char *path, const char *origin, char *err, size_t errsz)
{
	char line[2048];
	FILE *fp = fopen(path, "r");
	int lineno = 0;
	bool header = false;

	if (fp == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp)) {
		struct vendor row;
		const char *why;
		char *f[C_NCOLS + 1];
		size_t at;
		int n;

		lineno++;
		if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0')
			continue;
		if (!header) {		/* the column header line */
			header = true;
			if (strncmp(line, "canonical,", 10) == 0)
				continue;
		}
		memset(&row, 0, sizeof(row));
		n = csv_split(line, f, C_NCOLS + 1);
		if ((why = parse_row(f, n, &row)) != NULL) {
			snprintf(err, errsz, "%s:%d: %s", path, lineno, why);
			fclose(fp);
			return -1;
		}
		snprintf(row.origin, sizeof(row.origin), "%s", origin);
		snprintf(row.file, sizeof(row.file), "%s", path);
		row.line = lineno;
		at = find_canonical(v, row.canonical);
		if (at == (size_t)-1) {
			if (v->nrows == VENDOR_MAX_ROWS) {
				snprintf(err, errsz, "%s:%d: more than %d vendors", path, lineno, VENDOR_MAX_ROWS);
				fclose(fp);
				return -1;
			}
			at = v->nrows++;
		} else
			drop_aliases_of(v, at);	/* a local row replaces the shipped one */
		v->rows[at] = row;
		if ((why = add_aliases(v, at, f[C_ALIASES])) != NULL) {
			snprintf(err, errsz, "%s:%d: %s", path, lineno, why);
			fclose(fp);
			return -1;
		}
	}
	fclose(fp);
	return 0;
}

struct vendors *
vendors_load(const char *shipped, const char *local, char *err, size_t errsz)
{
	struct vendors *v = calloc(1, sizeof(*v));

	if (v == NULL || (v->rows = calloc(VENDOR_MAX_ROWS, sizeof(*v->rows))) == NULL ||
	    (v->aliases = calloc(VENDOR_MAX_ROWS * (VENDOR_MAX_ALIASES + 1), sizeof(*v->aliases))) == NULL) {
		snprintf(err, errsz, "out of memory loading the vendor table");
		vendors_free(v);
		return NULL;
	}
	if (load_file(v, shipped, "shipped", err, errsz) != 0 ||
	    (local && load_file(v, local, "local", err, errsz) != 0)) {
		vendors_free(v);
		return NULL;
	}
	return v;
}

void
vendors_free(struct vendors *v)
{
	if (v) {
		free(v->rows);
		free(v->aliases);
		free(v);
	}
}

size_t vendors_count(const struct vendors *v) { return v->nrows; }

const struct vendor *
vendors_at(const struct vendors *v, size_t i)
{
	return i < v->nrows ? &v->rows[i] : NULL;
}

const struct vendor *
vendors_match(const struct vendors *v, const char *name)
{
	char norm[512];
	const struct alias *best = NULL;

	if (v == NULL || name == NULL)
		return NULL;
	vendors_normalise(name, norm, sizeof(norm));
	for (size_t i = 0; i < v->naliases; i++) {
		const struct alias *a = &v->aliases[i];

		/* whole words from the start: "abb" must not match "abbott"; the first
		 * byte (an alias is never empty) turns most away without a call */
		if (a->norm[0] != norm[0] || strncmp(norm, a->norm, a->len) != 0 ||
		    (norm[a->len] != '\0' && norm[a->len] != ' '))
			continue;
		if (best == NULL || a->len > best->len)
			best = a;
	}
	return best ? &v->rows[best->row] : NULL;
}

bool
vendor_listed(const struct vendor *v, const char *code)
{
	size_t n = strlen(code);
	const char *p = v->listings;

	while ((p = strstr(p, code)) != NULL) {
		if ((p == v->listings || p[-1] == ';') && (p[n] == '\0' || p[n] == ';'))
			return true;
		p += n;
	}
	return false;
}
