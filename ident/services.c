/*
 * services.c - load and match the service table (see services.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "services.h"

struct services {
	struct service_row	*rows;
	size_t			 nrows;
};

enum { C_KIND, C_PATTERN, C_SERVICE, C_VENDOR, C_CATEGORY, C_SOURCE, C_CHECKED, C_NCOLS };

static const char *const categories[] = {
	"inverter-cloud", "camera-cloud", "iot-cloud", "remote-access", "antivirus",
	"telemetry", "time", "os-update", "cdn", "cloud", "vendor-portal", NULL
};

bool
services_category_known(const char *category)
{
	for (int i = 0; categories[i]; i++)
		if (strcmp(categories[i], category) == 0)
			return true;
	return false;
}

static bool
copy_field(char *dst, size_t dstsz, const char *src)
{
	if (strlen(src) >= dstsz)
		return false;
	strcpy(dst, src);
	return true;
}

/* A domain suffix: lowercase letters, digits, '-' and dots, no empty label. */
static bool
domain_ok(char *d)
{
	size_t n = strlen(d);

	if (n == 0 || d[0] == '.' || d[n - 1] == '.' || strstr(d, ".."))
		return false;
	for (char *p = d; *p; p++) {
		*p = (char)tolower((unsigned char)*p);
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
			return false;
	}
	return true;
}

static int
parse_row(struct service_row *r, char **f, int nf, char *err, size_t errsz)
{
	char *end;

	if (nf != C_NCOLS) {
		snprintf(err, errsz, "%d columns, expected %d", nf, C_NCOLS);
		return -1;
	}
	if (strcmp(f[C_KIND], "domain") == 0) {
		r->kind = SVC_DOMAIN;
		if (!copy_field(r->pattern, sizeof(r->pattern), f[C_PATTERN]) || !domain_ok(r->pattern)) {
			snprintf(err, errsz, "bad domain suffix \"%s\"", f[C_PATTERN]);
			return -1;
		}
	} else if (strcmp(f[C_KIND], "asn") == 0) {
		r->kind = SVC_ASN;
		errno = 0;
		if (strncasecmp(f[C_PATTERN], "AS", 2) != 0 ||
		    (r->asn = (uint32_t)strtoul(f[C_PATTERN] + 2, &end, 10)) == 0 || *end || errno) {
			snprintf(err, errsz, "bad AS number \"%s\" (ASnnnn)", f[C_PATTERN]);
			return -1;
		}
		snprintf(r->pattern, sizeof(r->pattern), "AS%u", r->asn);
	} else {
		snprintf(err, errsz, "kind \"%s\" is neither domain nor asn", f[C_KIND]);
		return -1;
	}
	if (!copy_field(r->service, sizeof(r->service), f[C_SERVICE]) || !r->service[0] ||
	    !copy_field(r->vendor, sizeof(r->vendor), f[C_VENDOR]) || !r->vendor[0] ||
	    !copy_field(r->source, sizeof(r->source), f[C_SOURCE]) ||
	    !copy_field(r->checked, sizeof(r->checked), f[C_CHECKED])) {
		snprintf(err, errsz, "empty service or vendor, or a field too long (a service or vendor: "
		    "at most %d bytes, SERVICE_FIELD_MAX; a source %d)", SERVICE_FIELD_MAX - 1,
		    SERVICE_FIELD_MAX * 2 - 1);
		return -1;
	}
	if (!copy_field(r->category, sizeof(r->category), f[C_CATEGORY]) ||
	    !services_category_known(r->category)) {
		snprintf(err, errsz, "unknown category \"%s\"", f[C_CATEGORY]);
		return -1;
	}
	if (strncmp(r->source, "http", 4) != 0) {
		snprintf(err, errsz, "the source must be a public page (http...)");
		return -1;
	}
	return 0;
}

/* Index of the row with the same kind and pattern, or -1. */
static long
find_pattern(const struct services *s, const struct service_row *r)
{
	for (size_t i = 0; i < s->nrows; i++)
		if (s->rows[i].kind == r->kind && strcmp(s->rows[i].pattern, r->pattern) == 0)
			return (long)i;
	return -1;
}

static int
add_row(struct services *s, const struct service_row *r, char *err, size_t errsz)
{
	long at = find_pattern(s, r);

	if (at >= 0) {
		s->rows[at] = *r;	/* a local row replaces the shipped one */
		return 0;
	}
	if (s->nrows == SERVICE_MAX_ROWS) {
		snprintf(err, errsz, "more than %d rows", SERVICE_MAX_ROWS);
		return -1;
	}
	if (s->nrows % 64 == 0) {
		struct service_row *n = realloc(s->rows, (s->nrows + 64) * sizeof(*n));

		if (n == NULL) {
			snprintf(err, errsz, "out of memory");
			return -1;
		}
		s->rows = n;
	}
	s->rows[s->nrows++] = *r;
	return 0;
}

static int
load_file(struct services *s, const char *path, const char *origin, char *err, size_t errsz)
{
	FILE *f = fopen(path, "r");
	char line[2048], why[256];
	int lineno = 0;

	if (f == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *fields[C_NCOLS + 1];
		struct service_row r;
		int nf;

		lineno++;
		if (line[0] == '#' || line[0] == '\n' || line[0] == '\r')
			continue;
		if (lineno == 1 || strncmp(line, "kind,", 5) == 0)
			continue;		/* the header */
		memset(&r, 0, sizeof(r));
		nf = csv_split(line, fields, C_NCOLS + 1);
		if (nf < 0 || parse_row(&r, fields, nf, why, sizeof(why)) != 0) {
			snprintf(err, errsz, "%s:%d: %s", path, lineno, nf < 0 ? "unterminated quote" : why);
			fclose(f);
			return -1;
		}
		snprintf(r.origin, sizeof(r.origin), "%s", origin);
		snprintf(r.file, sizeof(r.file), "%s", path);
		r.line = lineno;
		if (add_row(s, &r, why, sizeof(why)) != 0) {
			snprintf(err, errsz, "%s:%d: %s", path, lineno, why);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

struct services *
services_load(const char *shipped, const char *local, char *err, size_t errsz)
{
	struct services *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	if (load_file(s, shipped, "shipped", err, errsz) != 0 ||
	    (local && load_file(s, local, "local", err, errsz) != 0)) {
		services_free(s);
		return NULL;
	}
	return s;
}

void
services_free(struct services *s)
{
	if (s == NULL)
		return;
	free(s->rows);
	free(s);
}

size_t
services_count(const struct services *s)
{
	return s ? s->nrows : 0;
}

const struct service_row *
services_at(const struct services *s, size_t i)
{
	return s && i < s->nrows ? &s->rows[i] : NULL;
}

/* Does name (length n) end in suffix on a label boundary? */
static bool
ends_in(const char *name, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	if (k > n || strncasecmp(name + n - k, suffix, k) != 0)
		return false;
	return k == n || name[n - k - 1] == '.';
}

const struct service_row *
services_match_name(const struct services *s, const char *name)
{
	const struct service_row *best = NULL;
	size_t n;

	if (s == NULL || name == NULL)
		return NULL;
	n = strlen(name);
	if (n && name[n - 1] == '.')
		n--;
	for (size_t i = 0; i < s->nrows; i++) {
		const struct service_row *r = &s->rows[i];

		if (r->kind == SVC_DOMAIN && ends_in(name, n, r->pattern) &&
		    (best == NULL || strlen(r->pattern) > strlen(best->pattern)))
			best = r;
	}
	return best;
}

const struct service_row *
services_match_asn(const struct services *s, uint32_t asn)
{
	if (s == NULL || asn == 0)
		return NULL;
	for (size_t i = 0; i < s->nrows; i++)
		if (s->rows[i].kind == SVC_ASN && s->rows[i].asn == asn)
			return &s->rows[i];
	return NULL;
}
