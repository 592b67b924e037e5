/*
 * regmap.c - load vendor Modbus register maps (regmap.h).
 *
 * One item a line, fields separated by blanks; '#' starts a comment line:
 *
 *   map    NAME  VENDOR...
 *   row    NAME  holding|input  START  COUNT  ATTRIBUTE  string|u16  CHECK|-  SOURCE...
 *   value  NAME  START  CODE  TEXT...
 *
 * A row's SOURCE (the public document it comes from) is required.  A
 * value line adds one code of a u16 row's table and must follow that row.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obs.h"
#include "regmap.h"
#include "sw_limits.h"


/*
 * Packet threads read the installed map while the main thread may install
 * another: the pointer is published with release/acquire, and a map once
 * installed is never freed while the daemon runs (regmap.h).
 */
static const struct regmap *active;

void
regmap_install(const struct regmap *m)
{
	__atomic_store_n(&active, m, __ATOMIC_RELEASE);
}

const struct regmap *
regmap_active(void)
{
	return __atomic_load_n(&active, __ATOMIC_ACQUIRE);
}

bool
regmap_same(const struct regmap *a, const struct regmap *b)
{
	return a && b && memcmp(a, b, sizeof(*a)) == 0;
}

/*
 * Attributes a map may fill, by name: the row keeps one of these literals
 * (obs.h, struct fact_name), never the text it read from the file.
 */
static bool
known_attr(const char *s, struct fact_name *out)
{
	static const struct fact_name attrs[] = { FN(A_MODEL), FN(A_SERIAL),
	    FN(A_PRODUCT_CODE), FN(A_FIRMWARE), FN(A_HARDWARE), FN(A_DEVICE_TYPE) };

	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if (strcmp(s, attrs[i].lit) == 0) {
			*out = attrs[i];
			return true;
		}
	return false;
}

/* Next blank-separated field of *p, NUL-terminated in place; NULL at the end. */
static char *
field(char **p)
{
	char *s = *p, *e;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0')
		return NULL;
	for (e = s; *e && *e != ' ' && *e != '\t'; e++)
		;
	if (*e)
		*e++ = '\0';
	*p = e;
	return s;
}

/* The rest of the line, blanks and surrounding quotes trimmed. */
static char *
rest(char *p)
{
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	n = strlen(p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		p[--n] = '\0';
	if (n >= 2 && p[0] == '"' && p[n - 1] == '"') {
		p[n - 1] = '\0';
		p++;
	}
	return p;
}

static bool
number(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	*v = strtoul(s, &end, 0);
	return errno == 0 && *end == '\0' && *v <= max;
}

static int
map_index(const struct regmap *m, const char *name)
{
	for (size_t i = 0; i < m->nmaps; i++)
		if (strcmp(m->maps[i].name, name) == 0)
			return (int)i;
	return -1;
}

struct parse {
	struct regmap	*m;
	const char	*name;
	int		 line;
	char		*err;
	size_t		 errsz;
};

static bool
fail(struct parse *ps, const char *what)
{
	snprintf(ps->err, ps->errsz, "%s:%d: %s", ps->name, ps->line, what);
	return false;
}

static bool
parse_map(struct parse *ps, char *p)
{
	struct regmap *m = ps->m;
	char *name = field(&p), *vendor;

	if (name == NULL || *(vendor = rest(p)) == '\0')
		return fail(ps, "map needs a name and a vendor");
	if (strlen(name) >= sizeof(m->maps[0].name) || strlen(vendor) >= sizeof(m->maps[0].vendor))
		return fail(ps, "map name or vendor too long");
	if (map_index(m, name) >= 0)
		return fail(ps, "map defined twice");
	if (m->nmaps == REGMAP_MAX_MAPS)
		return fail(ps, "too many maps (REGMAP_MAX_MAPS)");
	snprintf(m->maps[m->nmaps].name, sizeof(m->maps[0].name), "%s", name);
	snprintf(m->maps[m->nmaps].vendor, sizeof(m->maps[0].vendor), "%s", vendor);
	m->nmaps++;
	return true;
}

static bool
parse_row(struct parse *ps, char *p)
{
	struct regmap *m = ps->m;
	char *name = field(&p), *table = field(&p), *start = field(&p), *count = field(&p);
	char *attr = field(&p), *enc = field(&p), *check = field(&p);
	unsigned long a, n;
	struct rm_row *r;
	int mi;

	if (check == NULL || *rest(p) == '\0')
		return fail(ps, "row needs map, table, start, count, attribute, encoding, "
		    "check and its source document");
	if ((mi = map_index(m, name)) < 0)
		return fail(ps, "row names a map not defined above it");
	if (m->nrows == REGMAP_MAX_ROWS)
		return fail(ps, "too many rows (REGMAP_MAX_ROWS)");
	r = &m->rows[m->nrows];
	memset(r, 0, sizeof(*r));
	r->map = (uint8_t)mi;
	r->line = ps->line;
	if (strcmp(table, "holding") == 0)
		r->table = RM_HOLDING;
	else if (strcmp(table, "input") == 0)
		r->table = RM_INPUT;
	else
		return fail(ps, "table is not holding or input");
	/* a Modbus read returns at most 125 registers */
	if (!number(start, 65535, &a) || !number(count, 125, &n) || n == 0 || a + n > 65536)
		return fail(ps, "start must be 0-65535 and count 1-125 within the address space");
	r->start = (uint16_t)a;
	r->count = (uint16_t)n;
	if (!known_attr(attr, &r->attr))
		return fail(ps, "attribute is not model, serial, product_code, firmware, "
		    "hardware or device_type");
	if (strcmp(enc, "string") == 0)
		r->enc = RM_STRING;
	else if (strcmp(enc, "u16") == 0 && n == 1)
		r->enc = RM_U16;
	else
		return fail(ps, "encoding is not string or u16 (u16 with count 1)");
	if (strcmp(check, "-") != 0) {
		if (strlen(check) >= sizeof(r->check))
			return fail(ps, "check pattern too long");
		snprintf(r->check, sizeof(r->check), "%s", check);
	}
	r->first_value = (uint16_t)m->nvalues;
	m->nrows++;
	return true;
}

static bool
parse_value(struct parse *ps, char *p)
{
	struct regmap *m = ps->m;
	char *name = field(&p), *start = field(&p), *code = field(&p), *text;
	struct rm_row *r = m->nrows ? &m->rows[m->nrows - 1] : NULL;
	unsigned long a, c;

	if (code == NULL || *(text = rest(p)) == '\0')
		return fail(ps, "value needs map, start, code and text");
	if (r == NULL || r->enc != RM_U16 || map_index(m, name) != r->map ||
	    !number(start, 65535, &a) || a != r->start)
		return fail(ps, "value must follow the u16 row of its map and start");
	if (!number(code, 65535, &c))
		return fail(ps, "code must be 0-65535");
	if (m->nvalues == REGMAP_MAX_VALUES || strlen(text) >= sizeof(m->values[0].text))
		return fail(ps, "too many values (REGMAP_MAX_VALUES) or text too long");
	m->values[m->nvalues].code = (uint16_t)c;
	snprintf(m->values[m->nvalues].text, sizeof(m->values[0].text), "%s", text);
	m->nvalues++;
	r->nvalues++;
	return true;
}

static bool
parse_line(struct parse *ps, char *line)
{
	char *p = line, *kw = field(&p);

	if (kw == NULL || kw[0] == '#')
		return true;
	if (strcmp(kw, "map") == 0)
		return parse_map(ps, p);
	if (strcmp(kw, "row") == 0)
		return parse_row(ps, p);
	if (strcmp(kw, "value") == 0)
		return parse_value(ps, p);
	return fail(ps, "expected map, row or value");
}

struct regmap *
regmap_parse(const char *text, const char *name, char *err, size_t errsz)
{
	/* calloc: unused bytes stay zero, so two parses of one text compare equal */
	struct parse ps = { calloc(1, sizeof(struct regmap)), name, 0, err, errsz };
	const char *s = text;

	if (ps.m == NULL) {
		snprintf(err, errsz, "%s: out of memory", name);
		return NULL;
	}
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		char line[RM_LINE_MAX];

		ps.line++;
		if (n >= sizeof(line)) {
			fail(&ps, "line too long");
			goto bad;
		}
		memcpy(line, s, n);
		line[n] = '\0';
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		if (!parse_line(&ps, line))
			goto bad;
		s += n + (nl != NULL);
	}
	return ps.m;
bad:
	free(ps.m);
	return NULL;
}

struct regmap *
regmap_load(const char *path, char *err, size_t errsz)
{
	FILE *f = fopen(path, "r");
	struct regmap *m;
	char *buf;
	size_t n;

	if (f == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((buf = malloc(RM_FILE_MAX + 1)) == NULL) {
		fclose(f);
		snprintf(err, errsz, "%s: out of memory", path);
		return NULL;
	}
	n = fread(buf, 1, RM_FILE_MAX + 1, f);
	fclose(f);
	if (n > RM_FILE_MAX) {
		free(buf);
		snprintf(err, errsz, "%s: larger than %u bytes", path, RM_FILE_MAX);
		return NULL;
	}
	buf[n] = '\0';
	m = regmap_parse(buf, path, err, errsz);
	free(buf);
	return m;
}

void
regmap_free(struct regmap *m)
{
	if (regmap_active() == m)
		regmap_install(NULL);
	free(m);
}

const char *
regmap_code_text(const struct regmap *m, const struct rm_row *r, uint16_t code)
{
	for (size_t i = r->first_value; i < (size_t)r->first_value + r->nvalues && i < m->nvalues; i++)
		if (m->values[i].code == code)
			return m->values[i].text;
	return NULL;
}

/* Iterative glob: '*' backtracks to the last star only, so it is linear-ish and bounded. */
bool
regmap_check(const char *g, const char *t)
{
	const char *star = NULL, *resume = NULL;

	while (*t) {
		if (*g == '*') {
			star = g++;
			resume = t;
		} else if (*g == '?' || *g == *t) {
			g++;
			t++;
		} else if (star) {
			g = star + 1;
			t = ++resume;
		} else
			return false;
	}
	while (*g == '*')
		g++;
	return *g == '\0';
}
