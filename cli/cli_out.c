/*
 * cli_out.c - output writers for the CLI: terminal cells, CSV, JSON, time
 * (the tables themselves are cli_table.c).
 *
 * Device strings come from the wire.  The store already sanitises values
 * (obs_sanitize), but the writers do not rely on it: each escapes what its
 * format cannot carry safely, so a database written by an older or buggy
 * daemon cannot inject escape sequences, break a CSV record or make jansson
 * refuse a string.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sbuf.h"

/* --- UTF-8 tokens ---------------------------------------------------- */

struct tok {
	char	 b[12];		/* bytes to write */
	size_t	 len;
};

/*
 * Next display token of s[*i..len): one printable code point as is, or an
 * escape for an invalid byte, a control byte ("\xHH") and the other code
 * points of the one rule (utf8_cp_escaped: "\uHHHH").  Advances *i by at
 * least one.
 */
static void
next_tok(const char *s, size_t len, size_t *i, struct tok *t)
{
	const unsigned char *u = (const unsigned char *)s + *i;
	uint32_t c;
	size_t n = utf8_decode(u, len - *i, &c);

	if (n == 0 || c == 0 || (n == 1 && utf8_cp_escaped(c))) {
		t->len = (size_t)snprintf(t->b, sizeof(t->b), "\\x%02X", u[0]);
		*i += 1;
	} else if (utf8_cp_escaped(c)) {
		t->len = (size_t)snprintf(t->b, sizeof(t->b), "\\u%04X", (unsigned)c);
		*i += n;
	} else {
		memcpy(t->b, u, n);
		t->len = n;
		*i += n;
	}
}

/* --- strings ------------------------------------------------------ */

/* The built string; out of memory in a CLI leaves nothing sane to do. */
static char *
take(struct sbuf *b)
{
	char *s = sb_take(b);

	if (s == NULL)
		abort();
	return s;
}

/* --- folded paragraphs ---------------------------------------------- */

void
cli_wrap(struct cli *cli, const char *s, int first, int rest)
{
	char *c = term_cell(s, strlen(s)), *p = c;
	size_t width = cli->view.width > 40 ? cli->view.width : 0;
	int indent = first;

	if (c == NULL)
		return;
	while (*p) {
		size_t room = width ? width - (size_t)indent : strlen(p), n = strlen(p);

		if (n > room) {
			n = room;
			while (n > 0 && p[n] != ' ')
				n--;
			if (n == 0)
				n = strcspn(p, " ");
		}
		fprintf(cli->out, "%*s%.*s\n", indent, "", (int)n, p);
		p += n;
		while (*p == ' ')
			p++;
		indent = rest;
	}
	free(c);
}

void
cli_wrapf(struct cli *cli, int first, int rest, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cli_wrap(cli, buf, first, rest);
}

/* --- terminal cell ------------------------------------------------- */

char *
term_cell(const char *s, size_t len)
{
	struct sbuf b = { 0 };
	struct tok t;
	size_t i = 0;

	if (s == NULL) {
		s = "-";
		len = 1;
	}
	while (i < len) {
		next_tok(s, len, &i, &t);
		sb_putn(&b, t.b, t.len);
	}
	return take(&b);
}

/* --- CSV (RFC 4180) -------------------------------------------------- */

void
csv_init(struct csv *c, FILE *f)
{
	c->f = f;
	c->col = 0;
}

static void
csv_sep(struct csv *c)
{
	if (c->col++ > 0)
		fputc(',', c->f);
}

void
csv_strn(struct csv *c, const char *s, size_t len)
{
	struct sbuf b = { 0 };
	struct tok t;
	size_t i = 0;
	char *out;
	bool quote;

	csv_sep(c);
	if (s == NULL || len == 0)
		return;
	/* A spreadsheet would evaluate these as a formula. */
	if (strchr("=+-@\t\r", s[0]) != NULL)
		sb_putn(&b, "'", 1);
	while (i < len) {
		next_tok(s, len, &i, &t);
		sb_putn(&b, t.b, t.len);
	}
	out = take(&b);
	quote = strpbrk(out, ",\"") != NULL || out[0] == ' ' || out[b.len - 1] == ' ';
	if (!quote) {
		fputs(out, c->f);
	} else {
		fputc('"', c->f);
		for (const char *p = out; *p; p++) {
			if (*p == '"')
				fputc('"', c->f);
			fputc(*p, c->f);
		}
		fputc('"', c->f);
	}
	free(out);
}

void
csv_str(struct csv *c, const char *s)
{
	csv_strn(c, s, s ? strlen(s) : 0);
}

void
csv_int(struct csv *c, long long v)
{
	csv_sep(c);
	fprintf(c->f, "%lld", v);
}

void
csv_eol(struct csv *c)
{
	fputs("\r\n", c->f);
	c->col = 0;
}

/* --- JSON ------------------------------------------------------------ */

json_t *
jstrn(const char *s, size_t len)
{
	struct sbuf b = { 0 };
	json_t *j;
	size_t i = 0;
	char *out;

	if (s == NULL)
		return json_null();
	if (memchr(s, '\0', len) == NULL && (j = json_stringn(s, len)) != NULL)
		return j;
	/* Invalid UTF-8 or NUL: keep the valid text, escape the rest. */
	while (i < len) {
		const unsigned char *u = (const unsigned char *)s + i;
		uint32_t c;
		size_t n = utf8_decode(u, len - i, &c);
		char esc[8];

		if (n == 0 || c == 0) {
			snprintf(esc, sizeof(esc), "\\x%02X", u[0]);
			sb_putn(&b, esc, 4);
			i++;
		} else {
			sb_putn(&b, (const char *)u, n);
			i += n;
		}
	}
	out = take(&b);
	j = json_stringn(out, b.len);
	free(out);
	return j;
}

json_t *
jstr(const char *s)
{
	return jstrn(s, s ? strlen(s) : 0);
}

json_t *
jtime(int64_t t)
{
	char iso[ISO_LEN];

	if (t <= 0)
		return json_null();
	fmt_iso(t, iso);
	return json_string(iso);
}

int
json_print(json_t *v, FILE *f)
{
	if (json_dumpf(v, f, JSON_INDENT(2)) != 0)
		return -1;
	fputc('\n', f);
	return ferror(f) ? -1 : 0;
}

/* --- time ------------------------------------------------------------ */

void
fmt_iso(int64_t t, char out[ISO_LEN])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, ISO_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, ISO_LEN, "-");
}

static bool
parse_relative(const char *s, time_t now, int64_t *out)
{
	char *end;
	long long n;
	int64_t unit;

	if (!isdigit((unsigned char)s[0]))
		return false;
	n = strtoll(s, &end, 10);
	switch (*end) {
	case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	case 'w': unit = 7 * 86400; break;
	default: return false;
	}
	if (end[1] != '\0' || n < 0 || n > 100LL * 366 * 86400 / unit)
		return false;
	*out = (int64_t)now - n * unit;
	return true;
}

bool
parse_since(const char *s, time_t now, int64_t *out)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, se = 0, off = 0, oh, om, n = 0;
	const char *p;

	if (s == NULL || *s == '\0')
		return false;
	if (parse_relative(s, now, out))
		return true;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return false;
	p = s + n;
	if (*p == 'T' || *p == ' ') {
		n = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &n) != 2 || n != 5)
			return false;
		p += 1 + n;
		if (*p == ':') {
			n = 0;
			if (sscanf(p + 1, "%2d%n", &se, &n) != 1 || n != 2)
				return false;
			p += 1 + n;
		}
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		n = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) != 2 || n != 5 ||
		    oh > 23 || om > 59)
			return false;
		off = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
		p += 1 + n;
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || se > 60 || y < 1970)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*out = (int64_t)timegm(&tm) - off;
	return true;
}

/* --- option helpers -------------------------------------------------- */

bool
out_opt(const char *arg, enum out_fmt *fmt)
{
	if (strcmp(arg, "--json") == 0)
		*fmt = OUT_JSON;
	else if (strcmp(arg, "--csv") == 0)
		*fmt = OUT_CSV;
	else if (strcmp(arg, "--table") == 0)
		*fmt = OUT_TABLE;
	else
		return false;
	return true;
}

void
cli_usage_error(struct cli *cli, const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(cli->err, "spanwatch %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(cli->err, fmt, ap);
	va_end(ap);
	fprintf(cli->err, "\nTry 'spanwatch %s --help'.\n", cmd);
}

/* --- JSON values as text for the table and CSV writers ------------------ */

const char *
jtext(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

char *
json_join(json_t *arr, const char *sep)
{
	struct sbuf b = { 0 };
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			continue;
		if (b.len)
			sb_putn(&b, sep, strlen(sep));
		sb_putn(&b, json_string_value(v), json_string_length(v));
	}
	return take(&b);
}
