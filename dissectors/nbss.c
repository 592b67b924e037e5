/*
 * nbss.c - NetBIOS session service (RFC 1002 section 4.3) on TCP 139:
 * the names in a session request, which carries SMB between Windows
 * hosts (an HMI, an engineering station, a historian, a licence server).
 *
 * Session packet: type(1) flags(1: bit 0 extends the length) length(2),
 * so a body of at most 131071 bytes, then the body:
 *   0x00 session message (SMB; skipped here), 0x81 session request:
 *   called name, calling name, each a NetBIOS name in DNS form (the
 *   32-byte first-level encoding as one label, scope labels, 0),
 *   0x82 positive response (empty), 0x83 negative response (error code),
 *   0x84 retarget response (IP, port), 0x85 keep-alive (empty).
 * The calling name is the client's own (suffix 0x00, workstation).  The
 * called name is the name the client asked the server by: it is the
 * server's once the server accepts the session (0x82), unless it is a
 * wildcard ("*SMBSERVER", "*").  Session messages are skipped as their
 * bytes arrive, never buffered whole.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dissector.h"
#include "dnsname.h"
#include "sw_limits.h"

enum nbss_counter { NBSS_MESSAGES, NBSS_REQUESTS, NBSS_ACCEPTED, NBSS_REFUSED, NBSS_BAD_NAMES };

#define T_MESSAGE	0x00
#define T_REQUEST	0x81
#define T_POSITIVE	0x82
#define T_NEGATIVE	0x83
#define T_RETARGET	0x84
#define T_KEEPALIVE	0x85
#define HDR_LEN		4
#define REQUEST_MAX	(2 * (DNS_NAME_MAX + 2))	/* two names, each at most a DNS name */
#define NB_NAME_LEN	15			/* bytes of a name before its suffix */
#define SFX_WORKSTATION	0x00
#define SFX_SERVER	0x20

/* Per flow: the rest of a session message still to skip, and the called name asked. */
struct nbss_state {
	uint32_t	 skip[2];		/* per direction */
	char		 called[NB_NAME_LEN + 1];	/* "" when none is pending */
};

/* The 16-byte name in first-level encoding (RFC 1001 14.1) at c, decoded; false if it is not one. */
static bool
nb_name(const struct cur *msg, struct cur *c, char out[NB_NAME_LEN + 1], uint8_t *suffix)
{
	char enc[DNS_NAME_MAX + 1];
	size_t first = 0;
	int n = NB_NAME_LEN;
	uint8_t raw[16];

	if (!dnsname_read_first(msg, c, enc, sizeof(enc), &first) || first != 32)
		return false;
	for (int i = 0; i < 16; i++) {
		char a = enc[2 * i], b = enc[2 * i + 1];

		if (a < 'A' || a > 'P' || b < 'A' || b > 'P')
			return false;
		raw[i] = (uint8_t)((a - 'A') << 4 | (b - 'A'));
	}
	*suffix = raw[15];
	while (n > 0 && raw[n - 1] == ' ')
		n--;
	for (int i = 0; i < n; i++) {
		if (raw[i] < 0x20 || raw[i] > 0x7e)
			return false;
		out[i] = (char)raw[i];
	}
	out[n] = '\0';
	return true;
}

static enum diss_rc
session_request(struct diss_ctx *dc, struct nbss_state *st, struct cur *body)
{
	const struct cur msg = *body;
	char called[NB_NAME_LEN + 1], calling[NB_NAME_LEN + 1];
	uint8_t called_sfx = 0, calling_sfx = 0;

	if (!nb_name(&msg, body, called, &called_sfx) || !nb_name(&msg, body, calling, &calling_sfx)) {
		diss_count(dc, NBSS_BAD_NAMES);
		return DISS_MALFORMED;
	}
	diss_count(dc, NBSS_REQUESTS);
	if (calling[0] && calling[0] != '*' && calling_sfx == SFX_WORKSTATION)
		diss_fact_str(dc, SIDE_SRC, A_HOSTNAME, calling, "nbss/calling", CONF_STATED);
	if (st) {
		st->called[0] = '\0';
		if (called[0] && called[0] != '*' && called_sfx == SFX_SERVER)
			memcpy(st->called, called, sizeof(st->called));
	}
	return DISS_OK;
}

/* Is this the header of a session packet? */
static bool
header(struct cur *c, uint8_t *type, uint32_t *len)
{
	uint8_t flags = 0;
	uint16_t n = 0;

	cur_peek_u8(c, 0, type);
	cur_peek_u8(c, 1, &flags);
	cur_peek_be16(c, 2, &n);
	*len = (uint32_t)(flags & 1) << 16 | n;
	if (flags & 0xfe)
		return false;
	switch (*type) {
	case T_MESSAGE:
		return true;
	case T_REQUEST:
		return *len >= 2 * 34 && *len <= REQUEST_MAX;
	case T_POSITIVE:
	case T_KEEPALIVE:
		return *len == 0;
	case T_NEGATIVE:
		return *len == 1;
	case T_RETARGET:
		return *len == 6;
	}
	return false;
}

/* One whole packet other than a session message; its body is at body. */
static enum diss_rc
control(struct diss_ctx *dc, struct nbss_state *st, uint8_t type, struct cur *body)
{
	switch (type) {
	case T_REQUEST:
		if (dc->dir != DIR_C2S)
			return DISS_MALFORMED;
		return session_request(dc, st, body);
	case T_POSITIVE:
		diss_count(dc, NBSS_ACCEPTED);
		if (st && st->called[0] && dc->dir == DIR_S2C)
			diss_fact_str(dc, SIDE_SRC, A_HOSTNAME, st->called, "nbss/called",
			    CONF_STATED);
		break;
	case T_NEGATIVE:
		diss_count(dc, NBSS_REFUSED);
		break;
	}
	if (st)
		st->called[0] = '\0';
	return DISS_OK;
}

static enum diss_rc
nbss_parse(struct diss_ctx *dc, struct cur *c)
{
	struct nbss_state *st = dc->state;
	uint32_t tmp_skip = 0, *skip = st ? &st->skip[dc->dir & 1] : &tmp_skip;
	enum diss_rc rc = DISS_OK;

	for (int i = 0; i < DISS_MAX_ITEMS && cur_left(c); i++) {
		struct cur body;
		uint32_t len = 0;
		uint8_t type = 0;

		if (*skip) {
			size_t n = cur_left(c) < *skip ? cur_left(c) : *skip;

			cur_skip(c, n);
			*skip -= (uint32_t)n;
			if (*skip == 0)
				diss_pdu(dc);	/* the message is complete (as tshark counts it) */
			continue;
		}
		if (cur_left(c) < HDR_LEN)
			break;
		if (!header(c, &type, &len))
			return DISS_NOT_MINE;	/* the pipeline counts it malformed once bound */
		if (type == T_MESSAGE) {
			diss_count(dc, NBSS_MESSAGES);
			cur_skip(c, HDR_LEN);
			if ((*skip = len) == 0)
				diss_pdu(dc);
			continue;
		}
		if (cur_left(c) < HDR_LEN + len)
			break;		/* wait for the whole packet: at most REQUEST_MAX bytes */
		cur_skip(c, HDR_LEN);
		cur_take(c, len, &body);
		if ((rc = control(dc, st, type, &body)) != DISS_OK)
			return rc;
		diss_pdu(dc);
	}
	return rc;
}

static void
nbss_gap(struct diss_ctx *dc)
{
	struct nbss_state *st = dc->state;

	if (st)
		st->skip[dc->dir & 1] = 0;	/* resynchronise on the next header */
}

const struct dissector dis_nbss = {
	.name = "nbss",		/* as Wireshark calls it */
	.transport = L4_TCP,
	.ports = { 139 },
	.state_size = sizeof(struct nbss_state),
	.parse = nbss_parse,
	.on_gap = nbss_gap,
	.counter_names = { "messages", "requests", "accepted", "refused", "bad_names", NULL },
};
