/*
 * goose.c - IEC 61850 GOOSE (Ethertype 0x88B8).
 *
 * Reference: IEC 61850-8-1 clause 15 and annex A (GOOSE frame and the
 * ASN.1 / BER encoding of the goosePdu).  A layer-2 dissector: the
 * publishing IED is the frame's sender MAC.
 *
 * Frame: APPID 2 | Length 2 (from APPID on) | Reserved1 2 | Reserved2 2 |
 * goosePdu: [APPLICATION 1] (tag 0x61) { [0] gocbRef VisibleString,
 * [1] timeAllowedtoLive, [2] datSet, [3] goID, [4] t, [5] stNum, [6] sqNum,
 * [7] simulation, [8] confRev, [9] ndsCom, [10] numDatSetEntries,
 * [11] allData, ... }
 */
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "ethertype.h"
#include "sw_limits.h"

#define GOOSE_PDU_TAG	0x61
#define TAG_GOCBREF	0x80
#define TAG_DATSET	0x82
#define TAG_GOID	0x83
#define TAG_SIMULATION	0x87

enum goose_counter {
	C_PDUS_SIMULATED,	/* simulation / test flag set */
	C_BAD_BER,
};

/* BER tag (one octet: GOOSE uses no extended tags) and definite length. */
static bool
ber_tl(struct cur *c, uint8_t *tag, size_t *len)
{
	uint8_t b, n;
	size_t v = 0;

	if (!cur_u8(c, tag) || !cur_u8(c, &b))
		return false;
	if (b < 0x80) {
		*len = b;
		return true;
	}
	n = b & 0x7f;
	if (n == 0 || n > 3)
		return false;	/* indefinite, or longer than any frame */
	while (n--) {
		if (!cur_u8(c, &b))
			return false;
		v = v << 8 | b;
	}
	*len = v;
	return true;
}

/* "goose <label> <value>" as a note; the value is copied out of the frame. */
static void
goose_string(struct diss_ctx *dc, const char *label, struct fact_name src, struct cur *v)
{
	char note[OBS_VAL_MAX_FMT];
	int hdr = snprintf(note, sizeof(note), "goose %s ", label);
	size_t n = cur_left(v);

	if (hdr <= 0 || n == 0)
		return;
	if (n > sizeof(note) - (size_t)hdr)
		n = sizeof(note) - (size_t)hdr;
	if (cur_copy(v, note + hdr, n))
		diss_fact_fn(dc, SIDE_SRC, FN(A_NOTE), note, (size_t)hdr + n, src, CONF_STATED);
}

/* gocbRef "IEDnameLDinst/LLN0$GO$name": the part before '/' names the IED's logical device. */
static void
gocb_ref(struct diss_ctx *dc, struct cur *v)
{
	size_t slash = cur_find(v, '/');
	struct cur ld = *v;
	const uint8_t *name;

	if (slash != (size_t)-1 && slash > 0 && diss_str(&ld, slash, &name))
		diss_fact(dc, SIDE_SRC, A_DEVICE_NAME, name, slash, "goose/gocbref", CONF_INFERRED);
	goose_string(dc, "gocbRef", FN("goose/gocbref"), v);
}

static enum diss_rc
goose_parse(struct diss_ctx *dc, struct cur *c)
{
	uint16_t appid, len, r1, r2;
	uint8_t tag;
	size_t plen;
	struct cur frame, pdu;

	cur_be16(c, &appid);
	cur_be16(c, &len);
	cur_be16(c, &r1);
	cur_be16(c, &r2);
	if (!cur_ok(c))
		return DISS_SHORT;
	if (len < 8)
		return DISS_MALFORMED;
	if (!cur_take(c, len - 8u, &frame))
		return DISS_SHORT;
	cur_skip(c, cur_left(c));	/* Ethernet padding */
	if (!ber_tl(&frame, &tag, &plen) || tag != GOOSE_PDU_TAG) {
		diss_count(dc, C_BAD_BER);
		return DISS_MALFORMED;
	}
	if (!cur_take(&frame, plen, &pdu))
		return DISS_SHORT;
	diss_pdu(dc);
	diss_fact_str(dc, SIDE_SRC, A_ROLE, R_IED, "goose", CONF_INFERRED);
	diss_factf(dc, SIDE_SRC, A_NOTE, "goose/appid", CONF_STATED, "goose appid 0x%04x", appid);
	for (int n = 0; cur_left(&pdu) > 0 && n < DISS_MAX_ITEMS; n++) {
		struct cur v;
		size_t vlen;
		uint8_t b;

		if (!ber_tl(&pdu, &tag, &vlen) || !cur_take(&pdu, vlen, &v)) {
			diss_count(dc, C_BAD_BER);
			return DISS_MALFORMED;
		}
		switch (tag) {
		case TAG_GOCBREF:
			gocb_ref(dc, &v);
			break;
		case TAG_DATSET:
			goose_string(dc, "datSet", FN("goose/datset"), &v);
			break;
		case TAG_GOID:
			goose_string(dc, "goID", FN("goose/goid"), &v);
			break;
		case TAG_SIMULATION:
			if (vlen == 1 && cur_u8(&v, &b) && b != 0)
				diss_count(dc, C_PDUS_SIMULATED);
			break;
		}
	}
	return DISS_OK;
}

const struct dissector dis_goose = {
	.name = "goose",
	.transport = L4_NONE,
	.ethertype = ETHERTYPE_GOOSE,
	.parse = goose_parse,
	.counter_names = { "simulated", "bad_ber", NULL },
};
