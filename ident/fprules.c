/*
 * fprules.c - load, compile and match fingerprint rules (see fprules.h and
 * docs/FINGERPRINTS.md for the format).
 *
 * One rule per line:
 *   ID  FIELD  /REGEX/FLAGS  key=value ...
 * FIELD is an evidence attribute, optionally "@source-prefix".  Keys:
 * vendor, product, version, type, os (values may use $0-$9) and conf.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "fprules.h"
#include "sw_limits.h"

#define FPR_DEFAULT_CONF 60

/* What a rule may set, and the evidence attribute it becomes. */
static const struct {
	const char	*key;
	const char	*attr;
} outputs[] = {
	{ "vendor", "vendor" },
	{ "product", "model" },
	{ "version", "firmware" },
	{ "type", "device_type" },
	{ "os", "os" },
};
#define N_OUT	(sizeof(outputs) / sizeof(outputs[0]))

/* Evidence attributes a rule may look at (obs.h A_* names). */
static const char *const fields[] = {
	"software", "description", "cert_subject", "cert_issuer", "fingerprint",
	"vendor", "model", "hostname", "device_name", "tls_sni", "platform", "os",
	"url", "note", "firmware", "product_code", "hardware", "capabilities",
	"location", "contact", NULL
};

struct rule {
	char		 id[FPR_ID_MAX];
	char		 attr[FPR_FIELD_MAX];
	char		 src[FPR_FIELD_MAX];	/* prefix of the evidence source, "" = any */
	pcre2_code	*re;
	char		*out[N_OUT];		/* templates, NULL when not set */
	uint8_t		 conf;
	unsigned	 line;
};

struct fprules {
	struct rule	*v;
	size_t		 n, cap;
	pcre2_match_context *mctx;
};

static void
seterr(char *err, size_t errsz, const char *name, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err == NULL || errsz == 0)
		return;
	n = line ? snprintf(err, errsz, "%s:%u: ", name, line) :
	    snprintf(err, errsz, "%s: ", name);
	if (n < 0 || (size_t)n >= errsz)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errsz - (size_t)n, fmt, ap);
	va_end(ap);
}

static void
rule_clear(struct rule *r)
{
	pcre2_code_free(r->re);
	for (size_t i = 0; i < N_OUT; i++)
		free(r->out[i]);
	memset(r, 0, sizeof(*r));
}

void
fprules_free(struct fprules *rs)
{
	if (rs == NULL)
		return;
	for (size_t i = 0; i < rs->n; i++)
		rule_clear(&rs->v[i]);
	free(rs->v);
	pcre2_match_context_free(rs->mctx);
	free(rs);
}

size_t
fprules_count(const struct fprules *rs)
{
	return rs ? rs->n : 0;
}

static char *
skip_blank(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Next whitespace-delimited word; NUL-terminates it in place. */
static char *
next_word(char **sp)
{
	char *s = skip_blank(*sp), *w = s;

	if (*s == '\0')
		return NULL;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (*s)
		*s++ = '\0';
	*sp = s;
	return w;
}

static bool
known_field(const char *a)
{
	for (int i = 0; fields[i]; i++)
		if (strcmp(fields[i], a) == 0)
			return true;
	return false;
}

/*
 * "/regex/flags": the regex runs to the next unescaped '/'; "\/" stands for
 * '/' and every other backslash sequence is passed to PCRE2 unchanged.
 */
static bool
take_regex(char **sp, char *re, size_t resz, uint32_t *opts, const char **why)
{
	char *s = skip_blank(*sp);
	size_t n = 0;

	if (*s != '/') {
		*why = "expected /regex/ after the field";
		return false;
	}
	for (s++; *s && *s != '/'; s++) {
		if (*s == '\\' && s[1] == '/')
			s++;
		else if (*s == '\\' && s[1]) {
			if (n + 1 >= resz)
				goto toolong;
			re[n++] = *s++;
		}
		if (n + 1 >= resz)
			goto toolong;
		re[n++] = *s;
	}
	if (*s != '/') {
		*why = "unterminated /regex/";
		return false;
	}
	re[n] = '\0';
	for (s++; *s && *s != ' ' && *s != '\t'; s++) {
		if (*s == 'i')
			*opts |= PCRE2_CASELESS;
		else {
			*why = "unknown regex flag (only i)";
			return false;
		}
	}
	*sp = s;
	return true;
toolong:
	*why = "regex too long";
	return false;
}

/* key=value or key="quoted value" (\" and \\ inside quotes). */
static bool
take_pair(char **sp, char **key, char *val, size_t valsz, const char **why)
{
	char *s = skip_blank(*sp), *eq;
	size_t n = 0;

	*key = s;
	eq = s;
	while (*eq && *eq != '=' && *eq != ' ' && *eq != '\t')
		eq++;
	if (*eq != '=') {
		*why = "expected key=value";
		return false;
	}
	*eq = '\0';
	s = eq + 1;
	if (*s == '"') {
		for (s++; *s && *s != '"'; s++) {
			if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
				s++;
			if (n + 1 >= valsz)
				goto toolong;
			val[n++] = *s;
		}
		if (*s != '"') {
			*why = "unterminated quoted value";
			return false;
		}
		s++;
	} else {
		for (; *s && *s != ' ' && *s != '\t'; s++) {
			if (n + 1 >= valsz)
				goto toolong;
			val[n++] = *s;
		}
	}
	val[n] = '\0';
	*sp = s;
	return true;
toolong:
	*why = "value too long";
	return false;
}

static bool
set_output(struct rule *r, const char *key, const char *val, const char **why)
{
	if (strcmp(key, "conf") == 0) {
		char *end;
		long c;

		errno = 0;
		c = strtol(val, &end, 10);
		if (*val == '\0' || *end || errno || c < 1 || c > 100) {
			*why = "bad confidence (an integer 1-100)";
			return false;
		}
		r->conf = (uint8_t)c;
		return true;
	}
	for (size_t i = 0; i < N_OUT; i++) {
		if (strcmp(outputs[i].key, key) != 0)
			continue;
		if (r->out[i] != NULL) {
			*why = "key given twice";
			return false;
		}
		if (*val == '\0' || (r->out[i] = strdup(val)) == NULL) {
			*why = *val ? "out of memory" : "empty value";
			return false;
		}
		return true;
	}
	*why = "unknown key (vendor, product, version, type, os, conf)";
	return false;
}

static bool
set_field(struct rule *r, const char *f, const char **why)
{
	const char *at = strchr(f, '@');
	size_t alen = at ? (size_t)(at - f) : strlen(f);

	if (alen == 0 || alen >= sizeof(r->attr) || (at && strlen(at + 1) >= sizeof(r->src))) {
		*why = "bad field";
		return false;
	}
	memcpy(r->attr, f, alen);
	r->attr[alen] = '\0';
	if (at)
		strcpy(r->src, at + 1);
	if (!known_field(r->attr)) {
		*why = "unknown field";
		return false;
	}
	return true;
}

static bool
compile(struct rule *r, const char *re, uint32_t opts, char *msg, size_t msgsz)
{
	PCRE2_UCHAR buf[256];
	PCRE2_SIZE off;
	int ec;

	r->re = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
	    opts | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ec, &off, NULL);
	if (r->re == NULL) {
		pcre2_get_error_message(ec, buf, sizeof(buf));
		snprintf(msg, msgsz, "bad regex: %s at offset %zu", (char *)buf, (size_t)off);
		return false;
	}
	(void)pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE);	/* interpreter if no JIT */
	return true;
}

/* Parse one non-empty, non-comment line into r.  msg gets the error. */
static bool
parse_line(struct fprules *rs, struct rule *r, char *s, char *msg, size_t msgsz)
{
	char re[FPR_LINE_MAX], val[FPR_VAL_MAX], *id, *field, *key;
	const char *why = NULL;
	uint32_t opts = 0;
	bool any = false;

	id = next_word(&s);
	field = next_word(&s);
	if (field == NULL) {
		why = "expected: ID FIELD /REGEX/ key=value...";
		goto fail;
	}
	if (strlen(id) >= sizeof(r->id)) {
		why = "rule id too long";
		goto fail;
	}
	for (size_t i = 0; i < rs->n; i++)
		if (strcmp(rs->v[i].id, id) == 0) {
			snprintf(msg, msgsz, "duplicate rule id %s (line %u)", id, rs->v[i].line);
			return false;
		}
	strcpy(r->id, id);
	if (!set_field(r, field, &why) || !take_regex(&s, re, sizeof(re), &opts, &why))
		goto fail;
	r->conf = FPR_DEFAULT_CONF;
	while (*skip_blank(s)) {
		if (!take_pair(&s, &key, val, sizeof(val), &why) ||
		    !set_output(r, key, val, &why))
			goto fail;
		any = any || strcmp(key, "conf") != 0;
	}
	if (!any) {
		why = "rule sets nothing (vendor, product, version, type or os)";
		goto fail;
	}
	return compile(r, re, opts, msg, msgsz);
fail:
	snprintf(msg, msgsz, "%s", why);
	return false;
}

static struct fprules *
load_stream(const char *name, FILE *fp, char *err, size_t errsz)
{
	struct fprules *rs = calloc(1, sizeof(*rs));
	char line[FPR_LINE_MAX + 2], msg[512];
	unsigned lineno = 0;

	if (rs == NULL || (rs->mctx = pcre2_match_context_create(NULL)) == NULL) {
		seterr(err, errsz, name, 0, "out of memory");
		fprules_free(rs);
		return NULL;
	}
	pcre2_set_match_limit(rs->mctx, FPR_MATCH_LIMIT);
	pcre2_set_depth_limit(rs->mctx, FPR_DEPTH_LIMIT);
	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t len = strlen(line);
		char *s;

		lineno++;
		if (len && line[len - 1] != '\n' && !feof(fp)) {
			seterr(err, errsz, name, lineno, "line longer than %d bytes", FPR_LINE_MAX);
			goto fail;
		}
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
		    line[len - 1] == ' ' || line[len - 1] == '\t'))
			line[--len] = '\0';
		s = skip_blank(line);
		if (*s == '\0' || *s == '#')
			continue;
		if (rs->n == rs->cap) {
			size_t nc = rs->cap ? rs->cap * 2 : 64;
			struct rule *nv = realloc(rs->v, nc * sizeof(*nv));

			if (nv == NULL) {
				seterr(err, errsz, name, lineno, "out of memory");
				goto fail;
			}
			rs->v = nv;
			rs->cap = nc;
		}
		memset(&rs->v[rs->n], 0, sizeof(rs->v[0]));
		if (!parse_line(rs, &rs->v[rs->n], s, msg, sizeof(msg))) {
			rule_clear(&rs->v[rs->n]);
			seterr(err, errsz, name, lineno, "%s", msg);
			goto fail;
		}
		rs->v[rs->n++].line = lineno;
	}
	if (ferror(fp)) {
		seterr(err, errsz, name, 0, "read error");
		goto fail;
	}
	return rs;
fail:
	fprules_free(rs);
	return NULL;
}

struct fprules *
fprules_load(const char *path, char *err, size_t errsz)
{
	struct fprules *rs;
	FILE *fp = fopen(path, "r");

	if (fp == NULL) {
		seterr(err, errsz, path, 0, "%s", strerror(errno));
		return NULL;
	}
	rs = load_stream(path, fp, err, errsz);
	fclose(fp);
	return rs;
}

struct fprules *
fprules_load_mem(const char *name, const char *text, char *err, size_t errsz)
{
	struct fprules *rs;
	char *copy;
	FILE *fp;

	/* fmemopen takes a writable buffer even to read: a copy, not a cast */
	if ((copy = strdup(text)) == NULL || (fp = fmemopen(copy, strlen(copy), "r")) == NULL) {
		seterr(err, errsz, name, 0, "%s", strerror(errno));
		free(copy);
		return NULL;
	}
	rs = load_stream(name, fp, err, errsz);
	fclose(fp);
	free(copy);
	return rs;
}

/* Expand $0-$9 (and $$) from the match into out; false if empty. */
static bool
expand(const char *tpl, const char *subj, pcre2_match_data *md, int rc, char *out,
    size_t outsz)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	size_t n = 0;

	for (const char *t = tpl; *t && n + 1 < outsz; t++) {
		if (*t == '$' && t[1] == '$') {
			out[n++] = '$';
			t++;
		} else if (*t == '$' && isdigit((unsigned char)t[1])) {
			int g = t[1] - '0';

			t++;
			if (g >= rc || ov[2 * g] == PCRE2_UNSET)
				continue;
			for (PCRE2_SIZE k = ov[2 * g]; k < ov[2 * g + 1] && n + 1 < outsz; k++)
				out[n++] = subj[k];
		} else
			out[n++] = *t;
	}
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	return n > 0;
}

static bool
src_matches(const struct rule *r, const char *src)
{
	size_t n = strlen(r->src);

	return n == 0 || (src && strncmp(src, r->src, n) == 0);
}

void
fprules_match(const struct fprules *rs, const char *attr, const char *src,
    const char *value, void (*emit)(void *, const char *, const char *, const char *,
	uint8_t), void *arg)
{
	pcre2_match_data *md = NULL;

	if (rs == NULL || attr == NULL || value == NULL)
		return;
	for (size_t i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->v[i];
		char out[FPR_VAL_MAX];
		int rc;

		if (strcmp(r->attr, attr) != 0 || !src_matches(r, src))
			continue;
		if (md == NULL && (md = pcre2_match_data_create(10, NULL)) == NULL)
			return;
		rc = pcre2_match(r->re, (PCRE2_SPTR)value, PCRE2_ZERO_TERMINATED, 0, 0, md,
		    rs->mctx);
		if (rc == 0)
			rc = 10;	/* ovector too small: groups past 9 are not usable anyway */
		if (rc < 0)
			continue;
		for (size_t k = 0; k < N_OUT; k++)
			if (r->out[k] && expand(r->out[k], value, md, rc, out, sizeof(out)))
				emit(arg, outputs[k].attr, out, r->id, r->conf);
	}
	pcre2_match_data_free(md);
}
