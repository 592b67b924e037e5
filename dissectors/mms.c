/*
 * mms.c - IEC 61850 / ISO 9506 MMS over ISO-on-TCP (TCP 102): roles and
 * the Identify service.
 *
 * References: RFC 1006 (TPKT), ISO 8073 (COTP), ISO 8327-1 (session
 * SPDUs), ISO 8823-1 (presentation, fully-encoded data), ISO 9506-2 (MMS
 * PDUs: confirmed-RequestPDU [0], confirmed-ResponsePDU [1]; Identify is
 * service [2], its response { vendorName [0], modelName [1], revision [2] }
 * VisibleStrings), IEC 61850-8-1 (MMS mapping).
 *
 * Port 102 is shared with S7comm: a COTP DT whose payload starts with an
 * S7 protocol id (0x32, 0x72) answers DISS_NOT_MINE on a fresh flow, and
 * CR/CC TPDUs are consumed without counting a PDU, so S7comm may bind.
 */
#include <string.h>

#include "dissector.h"
#include "sw_limits.h"

#define MMS_PORT	102
#define TPKT_HDR	4
#define COTP_DT		0xf0
#define COTP_EOT	0x80

/* Session SPDU identifiers */
#define SPDU_GT_DT	0x01	/* give tokens / data transfer */
#define SPDU_CONNECT	0x0d
#define SPDU_ACCEPT	0x0e

/* BER tags */
#define PRES_FULLY_ENC	0x61	/* [APPLICATION 1] fully-encoded-data */
#define PDV_LIST	0x30
#define PDV_SINGLE	0xa0	/* single-ASN1-type [0] */
#define MMS_CONF_REQ	0xa0
#define MMS_CONF_RESP	0xa1
#define MMS_IDENTIFY_REQ 0x82	/* identify [2] NULL */
#define MMS_IDENTIFY_RESP 0xa2	/* identify [2] constructed */

enum mms_counter {
	C_REQUESTS,
	C_RESPONSES,
	C_IDENTIFY,
	C_SESSION_CONNECT,
	C_COTP_OTHER,
	C_UNPARSED,		/* DT payloads that did not lead to an MMS PDU */
};

struct mms_state {
	bool		 seen;		/* an ISO session / MMS PDU was parsed */
};

/*
 * BER tag (single octet) and length; an indefinite length (0x80) takes the
 * rest of the enclosing element.
 */
static bool
ber_next(struct cur *c, uint8_t *tag, struct cur *val)
{
	uint8_t b, n;
	size_t len = 0;

	if (!cur_u8(c, tag) || (*tag & 0x1f) == 0x1f || !cur_u8(c, &b))
		return false;
	if (b == 0x80)
		len = cur_left(c);
	else if (b < 0x80)
		len = b;
	else {
		n = b & 0x7f;
		if (n > 3)
			return false;
		while (n--) {
			if (!cur_u8(c, &b))
				return false;
			len = len << 8 | b;
		}
	}
	return cur_take(c, len, val);
}

/* Find the element with this tag among the next siblings. */
static bool
ber_find(struct cur *c, uint8_t want, struct cur *val)
{
	uint8_t tag;

	for (int n = 0; cur_left(c) > 0 && n < DISS_MAX_ITEMS; n++) {
		if (!ber_next(c, &tag, val))
			return false;
		if (tag == want)
			return true;
	}
	return false;
}

/* Identify-Response: vendorName [0] | modelName [1] | revision [2] | ... */
static void
identify_response(struct diss_ctx *dc, struct cur *c)
{
	static const struct { uint8_t tag; const char *attr, *src; } map[] = {
		{ 0x80, A_VENDOR, "mms/identify/vendor" },
		{ 0x81, A_MODEL, "mms/identify/model" },
		{ 0x82, A_FIRMWARE, "mms/identify/revision" },
	};
	uint8_t tag;
	struct cur v;

	diss_count(dc, C_IDENTIFY);
	for (int n = 0; cur_left(c) > 0 && n < DISS_MAX_ITEMS; n++) {
		if (!ber_next(c, &tag, &v))
			return;
		for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (map[i].tag == tag && cur_left(&v) > 0)
				diss_fact(dc, SIDE_SRC, map[i].attr, cur_ptr(&v), cur_left(&v),
				    map[i].src, CONF_STATED);
	}
}

/*
 * Confirmed-RequestPDU [0] { invokeID INTEGER, service } and
 * Confirmed-ResponsePDU [1] { invokeID INTEGER, service }.
 */
static void
mms_pdu(struct diss_ctx *dc, struct cur *c)
{
	uint8_t tag, stag;
	struct cur pdu, id, svc;

	if (!ber_next(c, &tag, &pdu))
		return;
	if (tag != MMS_CONF_REQ && tag != MMS_CONF_RESP)
		return;
	if (!ber_next(&pdu, &stag, &id) || stag != 0x02 || !ber_next(&pdu, &stag, &svc))
		return;
	if (tag == MMS_CONF_REQ) {
		diss_count(dc, C_REQUESTS);
		diss_fact_str(dc, SIDE_SRC, A_ROLE, R_MMS_CLIENT, "mms/request", CONF_INFERRED);
		diss_fact_str(dc, SIDE_DST, A_ROLE, R_IED, "mms/request", CONF_INFERRED);
		return;
	}
	diss_count(dc, C_RESPONSES);
	diss_fact_str(dc, SIDE_SRC, A_ROLE, R_IED, "mms/response", CONF_INFERRED);
	if (stag == MMS_IDENTIFY_RESP)
		identify_response(dc, &svc);
}

/*
 * Presentation fully-encoded data: [APPLICATION 1] { PDV-list SEQUENCE {
 * presentation-context-identifier INTEGER, [transfer-syntax-name OID],
 * single-ASN1-type [0] { MMS PDU } } }
 */
static bool
presentation(struct diss_ctx *dc, struct cur *c)
{
	uint8_t tag;
	struct cur fe, pdv, single;

	if (!ber_next(c, &tag, &fe) || tag != PRES_FULLY_ENC)
		return false;
	if (!ber_next(&fe, &tag, &pdv) || tag != PDV_LIST)
		return false;
	if (!ber_find(&pdv, PDV_SINGLE, &single))
		return false;
	mms_pdu(dc, &single);
	return true;
}

/*
 * Session: SPDUs of SI 1 | LI 1 (0xff: LI 2 follows) | parameters; a Give
 * Tokens SPDU then a Data Transfer SPDU, both with LI 0, precede the user
 * data.  CONNECT / ACCEPT start the association (their user data holds the
 * ACSE and MMS initiate, not decoded here).
 */
static void
session(struct diss_ctx *dc, struct cur *c)
{
	for (int n = 0; n < 2; n++) {
		uint8_t si, li8;
		uint16_t li;

		if (!cur_u8(c, &si) || !cur_u8(c, &li8))
			return;
		li = li8;
		if (li8 == 0xff && !cur_be16(c, &li))
			return;
		if (si == SPDU_CONNECT || si == SPDU_ACCEPT) {
			diss_count(dc, C_SESSION_CONNECT);
			return;
		}
		if (si != SPDU_GT_DT || !cur_skip(c, li))
			return;
	}
	if (!presentation(dc, c))
		diss_count(dc, C_UNPARSED);
}

static bool
is_session_start(uint8_t b)
{
	return b == SPDU_GT_DT || b == SPDU_CONNECT || b == SPDU_ACCEPT;
}

/* One TPKT: COTP length indicator 1 | type 1 | for DT: number + EOT 1 | SPDUs. */
static enum diss_rc
tpkt_pdu(struct diss_ctx *dc, struct cur *c)
{
	struct mms_state *st = dc->state;
	uint8_t li, type, nr, first;
	struct cur cotp;

	if (!cur_u8(c, &li) || !cur_take(c, li, &cotp) || !cur_u8(&cotp, &type))
		return DISS_MALFORMED;
	if ((type & 0xf0) != COTP_DT) {
		diss_count(dc, C_COTP_OTHER);
		return DISS_OK;
	}
	if (!cur_u8(&cotp, &nr))
		return DISS_MALFORMED;
	if (!cur_peek_u8(c, 0, &first))
		return DISS_OK;
	if (!is_session_start(first))
		return st && st->seen ? DISS_MALFORMED : DISS_NOT_MINE;
	if (st)
		st->seen = true;
	diss_pdu(dc);
	if (nr & COTP_EOT)
		session(dc, c);
	return DISS_OK;
}

static enum diss_rc
mms_parse(struct diss_ctx *dc, struct cur *c)
{
	struct mms_state *st = dc->state;

	for (int n = 0; n < DISS_MAX_ITEMS; n++) {
		uint8_t ver;
		uint16_t len;
		struct cur pdu;
		enum diss_rc rc;

		if (!cur_peek_u8(c, 0, &ver) || !cur_peek_be16(c, 2, &len))
			break;		/* wait for the rest of the header */
		if (ver != 3 || len < TPKT_HDR + 2)
			return st && st->seen ? DISS_MALFORMED : DISS_NOT_MINE;
		if (cur_left(c) < len)
			break;
		if (!cur_skip(c, TPKT_HDR) || !cur_take(c, len - TPKT_HDR, &pdu))
			break;
		if ((rc = tpkt_pdu(dc, &pdu)) != DISS_OK)
			return rc;
	}
	return DISS_OK;
}

/* TPKT 3, COTP DT, and a session SPDU that MMS uses. */
static bool
mms_probe(const struct cur *c, int dir)
{
	uint8_t ver, li, type, si;

	(void)dir;
	return cur_peek_u8(c, 0, &ver) && ver == 3 && cur_peek_u8(c, 4, &li) && li == 2 &&
	    cur_peek_u8(c, 5, &type) && (type & 0xf0) == COTP_DT &&
	    cur_peek_u8(c, 7, &si) && is_session_start(si);
}

const struct dissector dis_mms = {
	.name = "mms",
	.transport = L4_TCP,
	.ports = { MMS_PORT },
	.state_size = sizeof(struct mms_state),
	.probe = mms_probe,
	.parse = mms_parse,
	.counter_names = { "requests", "responses", "identify", "session_connect",
	    "cotp_other", "unparsed", NULL },
};
