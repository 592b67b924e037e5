/*
 * ssdp.c - SSDP (UPnP Device Architecture 2.0, section 1): HTTP over UDP
 * on port 1900.  One datagram is one message:
 *   "NOTIFY * HTTP/1.1" | "M-SEARCH * HTTP/1.1" | "HTTP/1.1 200 OK"  CRLF
 *   header lines "NAME: value" CRLF, an empty line.
 * NOTIFY and search responses describe the sender: SERVER (OS/version
 * UPnP/x product/version), LOCATION (its description URL), NT/ST (device
 * or service type), USN (unique service name).  M-SEARCH tells only the
 * searcher's USER-AGENT.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "dissector.h"
#include "sw_limits.h"

enum ssdp_counter { SSDP_NOTIFY, SSDP_SEARCH, SSDP_RESPONSE };

enum ssdp_kind { SK_NOTIFY, SK_SEARCH, SK_RESPONSE };

static bool
ssdp_start(struct cur *c, enum ssdp_kind *k)
{
	if (cur_starts_with(c, "NOTIFY ", 7))
		*k = SK_NOTIFY;
	else if (cur_starts_with(c, "M-SEARCH ", 9))
		*k = SK_SEARCH;
	else if (cur_starts_with(c, "HTTP/1.", 7))
		*k = SK_RESPONSE;
	else
		return false;
	return true;
}

static bool
ssdp_probe(const struct cur *c, int dir)
{
	enum ssdp_kind k;
	struct cur t = *c;

	(void)dir;
	return ssdp_start(&t, &k) && k != SK_RESPONSE;
}

static void
ssdp_header(struct diss_ctx *dc, enum ssdp_kind k, char *line)
{
	char *colon = strchr(line, ':');
	const char *v;

	if (colon == NULL)
		return;
	*colon = '\0';
	v = colon + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	if (*v == '\0')
		return;
	if (k == SK_SEARCH) {
		if (strcasecmp(line, "USER-AGENT") == 0)
			diss_fact_str(dc, SIDE_SRC, A_SOFTWARE, v, "ssdp/user-agent", CONF_BANNER);
		return;
	}
	if (strcasecmp(line, "SERVER") == 0)
		diss_fact_str(dc, SIDE_SRC, A_SOFTWARE, v, "ssdp/server", CONF_BANNER);
	else if (strcasecmp(line, "LOCATION") == 0)
		diss_fact_str(dc, SIDE_SRC, A_URL, v, "ssdp/location", CONF_STATED);
	else if (strcasecmp(line, "NT") == 0)
		diss_fact_str(dc, SIDE_SRC, A_NOTE, v, "ssdp/nt", CONF_STATED);
	else if (strcasecmp(line, "ST") == 0)
		diss_fact_str(dc, SIDE_SRC, A_NOTE, v, "ssdp/st", CONF_STATED);
	else if (strcasecmp(line, "USN") == 0)
		diss_fact_str(dc, SIDE_SRC, A_NOTE, v, "ssdp/usn", CONF_STATED);
}

static enum diss_rc
ssdp_parse(struct diss_ctx *dc, struct cur *c)
{
	enum ssdp_kind k;
	int n;

	if (!ssdp_start(c, &k))
		return DISS_NOT_MINE;
	for (n = 0; n < HTTP_MAX_HEADERS; n++) {
		char buf[HTTP_LINE_MAX + 1];
		size_t eol = cur_find(c, '\n'), len;
		struct cur line = cur_make(NULL, 0);

		if (eol == (size_t)-1)
			eol = c->left;		/* last line without CRLF */
		if (eol == 0 && c->left == 0)
			break;
		cur_take(c, eol, &line);
		cur_skip(c, c->left ? 1 : 0);
		len = eol < HTTP_LINE_MAX ? eol : HTTP_LINE_MAX;
		cur_copy(&line, buf, len);
		buf[len] = '\0';
		while (len && (buf[len - 1] == '\r' || buf[len - 1] == ' '))
			buf[--len] = '\0';
		if (len == 0) {
			if (n == 0)
				return DISS_MALFORMED;
			break;
		}
		if (n > 0)
			ssdp_header(dc, k, buf);
	}
	if (n == HTTP_MAX_HEADERS)
		return DISS_MALFORMED;
	diss_count(dc, k == SK_NOTIFY ? SSDP_NOTIFY : k == SK_SEARCH ? SSDP_SEARCH :
	    SSDP_RESPONSE);
	diss_pdu(dc);
	cur_skip(c, c->left);
	return DISS_OK;
}

const struct dissector dis_ssdp = {
	.name = "ssdp",
	.transport = L4_UDP,
	.ports = { 1900 },
	.probe = ssdp_probe,
	.parse = ssdp_parse,
	.counter_names = { "notify", "search", "responses", NULL },
};
