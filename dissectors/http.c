/*
 * http.c - HTTP/1.x headers (RFC 9112) on any port: Server, User-Agent,
 * X-Powered-By, the WWW-Authenticate realm and the <title> of HTML answers.
 *
 * Message layout (text, lines end in CRLF, bare LF tolerated):
 *   request-line  = method SP target SP "HTTP/1." DIGIT
 *   status-line   = "HTTP/1." DIGIT SP 3DIGIT SP reason
 *   *( field-name ":" OWS field-value ) CRLF  then the body.
 * The stream is delivered in order; we wait for the whole header block
 * (at most HTTP_HDR_MAX bytes), then skip Content-Length body bytes.  A
 * body of unknown length (chunked, close-delimited) ends our interest in
 * that direction after a bounded look for <title>.  Bodies are never buffered.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dissector.h"
#include "sw_limits.h"

enum http_counter { HTTP_REQUESTS, HTTP_RESPONSES, HTTP_TITLES, HTTP_GIVEUP };

enum http_phase { HP_HEAD, HP_TITLE, HP_BODY, HP_DONE };

struct http_dir {
	uint8_t		 phase;
	bool		 len_known;	/* body length known (Content-Length) */
	uint64_t	 body_left;
};

struct http_state {
	struct http_dir	 d[2];
};

/* What a header block told us about the body that follows. */
struct http_head {
	bool		 response;
	bool		 html;
	bool		 chunked;
	bool		 has_len;
	int		 status;
	uint64_t	 clen;
};

static const char *const methods[] = {
	"GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "PATCH ",
	"CONNECT ", "TRACE ", "SUBSCRIBE ", "NOTIFY ", "M-SEARCH ", "PROPFIND ",
	NULL
};

static bool
is_request_start(const struct cur *c)
{
	for (int i = 0; methods[i]; i++)
		if (cur_starts_with(c, methods[i], strlen(methods[i])))
			return true;
	return false;
}

static bool
http_probe(const struct cur *c, int dir)
{
	(void)dir;
	return is_request_start(c) || cur_starts_with(c, "HTTP/1.", 7);
}

/* Copy one line (without CR LF) into buf, cut at bufsz-1; NUL-terminated. */
static size_t
line_copy(struct cur *line, size_t n, char *buf, size_t bufsz)
{
	size_t k = n < bufsz - 1 ? n : bufsz - 1;

	if (!cur_copy(line, buf, k))
		k = 0;
	buf[k] = '\0';
	while (k && (buf[k - 1] == '\r' || buf[k - 1] == ' ' || buf[k - 1] == '\t'))
		buf[--k] = '\0';
	return k;
}

static const char *
skip_ows(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* realm="Name" (RFC 9110 11.6.1) anywhere in a WWW-Authenticate value. */
static void
emit_realm(struct diss_ctx *dc, const char *v)
{
	const char *r = v, *e;

	for (; (r = strchr(r, '=')) != NULL; r++) {
		if (r - v < 5 || strncasecmp(r - 5, "realm", 5) != 0)
			continue;
		r++;
		if (*r == '"') {
			r++;
			e = strchr(r, '"');
		} else
			e = r + strcspn(r, ", ");
		if (e == NULL)
			e = r + strlen(r);
		if (e > r)
			diss_fact(dc, SIDE_SRC, A_DESCRIPTION, r, (size_t)(e - r),
			    "http/realm", CONF_BANNER);
		return;
	}
}

/*
 * The host a request names ("Host: h:8080", or the authority of an
 * absolute URI): a fact about the client (the name it asked for) and
 * about the server (a name it answers to).  Port and userinfo dropped.
 */
static void
emit_host(struct diss_ctx *dc, const char *v, struct fact_name src)
{
	const char *at = NULL, *e;

	e = v + strcspn(v, "/?# \t");
	for (const char *p = v; p < e; p++)
		if (*p == '@')
			at = p;
	if (at)
		v = at + 1;
	if (*v == '[')				/* IPv6 literal: keep it whole */
		e = v + strcspn(v, "]") + (strchr(v, ']') ? 1 : 0);
	else
		e = v + strcspn(v, ":/?# \t");
	if (e <= v)
		return;
	diss_fact_fn(dc, SIDE_SRC, FN(A_HTTP_HOST), v, (size_t)(e - v), src, CONF_STATED);
	diss_fact(dc, SIDE_DST, A_HTTP_HOST, v, (size_t)(e - v), "http/served_host",
	    CONF_INFERRED);
}

/* "GET http://host/path HTTP/1.1": a proxy-style request names its host. */
static void
absolute_uri(struct diss_ctx *dc, const char *line)
{
	const char *t = strchr(line, ' ');

	if (t == NULL)
		return;
	t++;
	if (strncasecmp(t, "http://", 7) == 0)
		emit_host(dc, t + 7, FN("http/absolute_uri"));
	else if (strncasecmp(t, "https://", 8) == 0)
		emit_host(dc, t + 8, FN("http/absolute_uri"));
}

static void
header_field(struct diss_ctx *dc, struct http_head *h, char *line)
{
	char *colon = strchr(line, ':');
	const char *v;

	if (colon == NULL)
		return;
	*colon = '\0';
	v = skip_ows(colon + 1);
	if (*v == '\0')
		return;
	if (strcasecmp(line, "Server") == 0)
		diss_fact_str(dc, SIDE_SRC, A_SOFTWARE, v, "http/server", CONF_BANNER);
	else if (strcasecmp(line, "User-Agent") == 0)
		diss_fact_str(dc, SIDE_SRC, A_SOFTWARE, v, "http/user-agent", CONF_BANNER);
	else if (strcasecmp(line, "X-Powered-By") == 0)
		diss_fact_str(dc, SIDE_SRC, A_SOFTWARE, v, "http/x-powered-by", CONF_BANNER);
	else if (strcasecmp(line, "WWW-Authenticate") == 0)
		emit_realm(dc, v);
	else if (strcasecmp(line, "Host") == 0 && !h->response)
		emit_host(dc, v, FN("http/host"));
	else if (strcasecmp(line, "Content-Length") == 0) {
		char *end;
		unsigned long long n;

		if (!isdigit((unsigned char)*v))
			return;
		n = strtoull(v, &end, 10);
		h->has_len = true;
		h->clen = n;
	} else if (strcasecmp(line, "Transfer-Encoding") == 0)
		h->chunked = strcasestr(v, "chunked") != NULL;
	else if (strcasecmp(line, "Content-Type") == 0)
		h->html = strncasecmp(v, "text/html", 9) == 0 ||
		    strncasecmp(v, "application/xhtml", 17) == 0;
}

static bool
start_line(struct http_head *h, const char *line)
{
	if (strncmp(line, "HTTP/1.", 7) == 0 && isdigit((unsigned char)line[7]) &&
	    line[8] == ' ' && isdigit((unsigned char)line[9])) {
		h->response = true;
		h->status = atoi(line + 9);
		return true;
	}
	const char *sp = strrchr(line, ' ');
	return sp && strncmp(sp + 1, "HTTP/1.", 7) == 0 && strchr(line, ' ') < sp;
}

/*
 * Parse one header block if it is complete.  Returns DISS_OK with *done
 * set once consumed, DISS_OK with *done clear to wait for more bytes.
 */
static enum diss_rc
parse_head(struct diss_ctx *dc, struct cur *c, struct http_head *h, bool *done)
{
	struct cur scan = *c;
	size_t total = 0;
	int nlines;

	/* First find the end of the block without emitting anything. */
	for (nlines = 0; ; nlines++) {
		size_t eol = cur_find(&scan, '\n');
		uint8_t b = 0;

		if (eol == (size_t)-1 || nlines > HTTP_MAX_HEADERS) {
			if (nlines > HTTP_MAX_HEADERS || scan.left + total > HTTP_HDR_MAX)
				return DISS_MALFORMED;
			*done = false;
			return DISS_OK;
		}
		total += eol + 1;
		if (total > HTTP_HDR_MAX)
			return DISS_MALFORMED;
		bool empty = eol == 0 || (eol == 1 && cur_peek_u8(&scan, 0, &b) && b == '\r');
		cur_skip(&scan, eol + 1);
		if (empty && nlines > 0)
			break;
	}
	/* Complete: walk it again and report. */
	for (int i = 0; i <= nlines; i++) {
		char buf[HTTP_LINE_MAX + 1];
		size_t eol = cur_find(c, '\n');
		struct cur line = cur_make(NULL, 0);

		cur_take(c, eol + 1, &line);
		line_copy(&line, eol, buf, sizeof(buf));
		if (i == 0) {
			if (!start_line(h, buf))
				return DISS_NOT_MINE;
			if (!h->response)
				absolute_uri(dc, buf);
		} else if (buf[0])
			header_field(dc, h, buf);
	}
	diss_count(dc, h->response ? HTTP_RESPONSES : HTTP_REQUESTS);
	diss_pdu(dc);
	*done = true;
	return DISS_OK;
}

/* Look for <title>...</title> in the first bytes of an HTML body. */
static bool
find_title(struct diss_ctx *dc, const struct cur *c, size_t window)
{
	char buf[HTTP_TITLE_LOOK + 1];
	struct cur w = *c;
	size_t n = window < sizeof(buf) - 1 ? window : sizeof(buf) - 1;
	const char *t, *e;

	if (n > w.left)
		n = w.left;
	if (!cur_copy(&w, buf, n))
		return false;
	buf[n] = '\0';
	for (size_t i = 0; i < n; i++)		/* NULs in the body would stop strcasestr */
		if (buf[i] == '\0')
			buf[i] = ' ';
	if ((t = strcasestr(buf, "<title")) == NULL || (t = strchr(t, '>')) == NULL)
		return false;
	t = skip_ows(t + 1);
	if ((e = strchr(t, '<')) == NULL)
		return false;
	while (e > t && isspace((unsigned char)e[-1]))
		e--;
	if (e - t > TEXT_VAL_MAX)
		e = t + TEXT_VAL_MAX;
	if (e > t) {
		diss_fact(dc, SIDE_SRC, A_DESCRIPTION, t, (size_t)(e - t), "http/title",
		    CONF_BANNER);
		diss_count(dc, HTTP_TITLES);
	}
	return true;
}

static void
after_head(struct http_dir *hd, const struct http_head *h)
{
	bool no_body = h->response && (h->status / 100 == 1 || h->status == 204 ||
	    h->status == 304);

	hd->len_known = h->has_len && !h->chunked;
	hd->body_left = hd->len_known ? h->clen : 0;
	if (no_body)
		hd->phase = HP_HEAD;
	else if (h->response && h->html && !(hd->len_known && hd->body_left == 0))
		hd->phase = HP_TITLE;
	else if (hd->len_known || (!h->response && !h->chunked))
		hd->phase = hd->body_left ? HP_BODY : HP_HEAD;
	else
		hd->phase = HP_DONE;
}

static enum diss_rc
http_parse(struct diss_ctx *dc, struct cur *c)
{
	struct http_state *st = dc->state;
	struct http_dir tmp = { 0 }, *hd = st ? &st->d[dc->dir & 1] : &tmp;

	for (int n = 0; n < DISS_MAX_ITEMS && c->left; n++) {
		struct http_head h = { 0 };
		enum diss_rc rc;
		bool done = false;
		size_t k, want;

		switch (hd->phase) {
		case HP_HEAD:
			rc = parse_head(dc, c, &h, &done);
			if (rc != DISS_OK) {
				hd->phase = HP_DONE;
				diss_count(dc, HTTP_GIVEUP);
				return rc;
			}
			if (!done)
				return DISS_OK;
			after_head(hd, &h);
			break;
		case HP_TITLE:
			want = hd->len_known && hd->body_left < HTTP_TITLE_LOOK ?
			    (size_t)hd->body_left : HTTP_TITLE_LOOK;
			if (!find_title(dc, c, want) && c->left < want && st)
				return DISS_OK;	/* wait for the window to fill */
			hd->phase = hd->len_known ? (hd->body_left ? HP_BODY : HP_HEAD) : HP_DONE;
			break;
		case HP_BODY:
			k = c->left < hd->body_left ? c->left : (size_t)hd->body_left;
			cur_skip(c, k);
			hd->body_left -= k;
			if (hd->body_left == 0)
				hd->phase = HP_HEAD;
			break;
		default:
			cur_skip(c, c->left);
			return DISS_OK;
		}
	}
	return DISS_OK;
}

static void
http_gap(struct diss_ctx *dc)
{
	struct http_state *st = dc->state;

	/* After lost bytes we cannot know where a message starts again. */
	if (st)
		st->d[dc->dir & 1].phase = HP_DONE;
}

const struct dissector dis_http = {
	.name = "http",
	.transport = L4_TCP,
	.ports = { 80, 8080 },
	.state_size = sizeof(struct http_state),
	.probe = http_probe,
	.parse = http_parse,
	.on_gap = http_gap,
	.counter_names = { "requests", "responses", "titles", "gave_up", NULL },
};
