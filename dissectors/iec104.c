/*
 * iec104.c - IEC 60870-5-104 over TCP 2404: the controlling station (TCP
 * client) and the controlled station (TCP server), the ASDU common
 * addresses in use and the type identifiers seen, commands called out.
 *
 * APDU (IEC 60870-5-104 clause 5):
 *   start 0x68 (1) | APDU length (1, 4..253: control field + ASDU)
 *   | control field (4) | ASDU (length - 4, I frames only)
 *   control field, first octet: bit 0 = 0 I frame (send/receive sequence
 *   numbers), 01 S frame, 11 U frame (STARTDT/STOPDT/TESTFR act/con)
 * ASDU (IEC 60870-5-101 clause 7 with the 104 field sizes):
 *   type id (1) | variable structure qualifier (1) | cause of transmission (1)
 *   | originator address (1) | common address (2, LE) | information objects
 */
#include <stdbool.h>
#include <stdint.h>

#include "dissector.h"

enum iec104_counter {
	IEC_I_FRAMES,
	IEC_S_FRAMES,
	IEC_U_FRAMES,
	IEC_COMMANDS,		/* ASDUs with a command type id */
	IEC_BAD_APDU,		/* wrong length for the frame type */
};

#define APCI_START	0x68
#define APCI_HDR_LEN	2	/* start + length */
#define APDU_LEN_MIN	4	/* the control field */
#define APDU_LEN_MAX	253
#define ASDU_HDR_LEN	6

/* Command types: process (45-69) and system (100-107) information in control direction. */
static bool
is_command(uint8_t type)
{
	return (type >= 45 && type <= 69) || (type >= 100 && type <= 107);
}

/* Per flow: when the roles were last reported (once per refresh, not per APDU). */
struct iec104_state {
	uint64_t	 roles_us;
};

static bool
u_function_ok(uint8_t ctl)
{
	switch (ctl) {
	case 0x07: case 0x0b:	/* STARTDT act / con */
	case 0x13: case 0x23:	/* STOPDT act / con */
	case 0x43: case 0x83:	/* TESTFR act / con */
		return true;
	}
	return false;
}

static void
iec104_asdu(struct diss_ctx *dc, struct cur *asdu)
{
	uint8_t type, vsq, cot, oa;
	uint16_t ca;

	cur_u8(asdu, &type);
	cur_u8(asdu, &vsq);
	cur_u8(asdu, &cot);
	cur_u8(asdu, &oa);
	cur_le16(asdu, &ca);
	if (!cur_ok(asdu) || type == 0) {
		diss_count(dc, IEC_BAD_APDU);
		return;
	}
	/* The common address names the controlled station's ASDU address. */
	diss_fact_num(dc, SIDE_SERVER, A_IEC104_CA, "iec104/asdu", CONF_STATED,
	    "", ca);
	diss_fact_num(dc, SIDE_SRC, A_FUNCTION, "iec104/asdu", CONF_STATED,
	    "iec104:", type);
	/* The controlled station mirrors commands as confirmations. */
	if (is_command(type) && dc->dir == DIR_C2S) {
		diss_count(dc, IEC_COMMANDS);
		diss_fact_str(dc, SIDE_CLIENT, A_NOTE, "iec104_command",
		    "iec104/command", CONF_STATED);
	}
}

/* One APDU, clamped to its length: control field (4) | ASDU. */
static void
iec104_apdu(struct diss_ctx *dc, struct cur *apdu)
{
	struct iec104_state *st = dc->state;
	uint8_t ctl = 0;

	cur_peek_u8(apdu, 0, &ctl);
	if ((ctl & 1) == 0) {
		diss_count(dc, IEC_I_FRAMES);
		cur_skip(apdu, APDU_LEN_MIN);
		if (cur_left(apdu) < ASDU_HDR_LEN) {
			diss_count(dc, IEC_BAD_APDU);
			return;
		}
		iec104_asdu(dc, apdu);
	} else if ((ctl & 3) == 1) {
		diss_count(dc, IEC_S_FRAMES);
		if (cur_left(apdu) != APDU_LEN_MIN)
			diss_count(dc, IEC_BAD_APDU);
	} else {
		diss_count(dc, IEC_U_FRAMES);
		if (cur_left(apdu) != APDU_LEN_MIN || !u_function_ok(ctl))
			diss_count(dc, IEC_BAD_APDU);
	}
	diss_pdu(dc);
	if (diss_due(dc, st ? &st->roles_us : NULL)) {
		diss_fact_str(dc, SIDE_SERVER, A_ROLE, R_IEC104_SERVER, "iec104",
		    CONF_INFERRED);
		diss_fact_str(dc, SIDE_CLIENT, A_ROLE, R_IEC104_CLIENT, "iec104",
		    CONF_INFERRED);
	}
}

static bool
apci_peek(const struct cur *c, uint8_t *len)
{
	uint8_t start;

	if (!cur_peek_u8(c, 0, &start) || !cur_peek_u8(c, 1, len))
		return false;
	return start == APCI_START && *len >= APDU_LEN_MIN && *len <= APDU_LEN_MAX;
}

/*
 * Stream parser: every whole APDU; the cursor stays at the start of an
 * incomplete one.  The flow's client is the controlling station.
 */
static enum diss_rc
iec104_parse(struct diss_ctx *dc, struct cur *c)
{
	struct cur apdu;
	uint8_t len;

	while (cur_left(c) >= APCI_HDR_LEN) {
		if (!apci_peek(c, &len))
			return dc->pdus || dc->flow.pdus ?
			    DISS_MALFORMED : DISS_NOT_MINE;
		if (cur_left(c) < APCI_HDR_LEN + (size_t)len)
			break;
		if (!cur_skip(c, APCI_HDR_LEN) || !cur_take(c, len, &apdu))
			break;
		iec104_apdu(dc, &apdu);
	}
	return DISS_OK;
}

/* Heuristic: a U frame (what a connection starts with) or a whole I frame. */
static bool
iec104_probe(const struct cur *c, int dir)
{
	uint8_t len, ctl;

	(void)dir;
	if (!apci_peek(c, &len) || !cur_peek_u8(c, 2, &ctl))
		return false;
	if (len == APDU_LEN_MIN)
		return (ctl & 3) == 3 ? u_function_ok(ctl) : (ctl & 3) == 1;
	return (ctl & 1) == 0 && len >= APDU_LEN_MIN + ASDU_HDR_LEN &&
	    cur_left(c) >= APCI_HDR_LEN + (size_t)len;
}

const struct dissector dis_iec104 = {
	.name = "iec104",
	.transport = L4_TCP,
	.ports = { 2404 },
	.probe = iec104_probe,
	.parse = iec104_parse,
	.state_size = sizeof(struct iec104_state),
	.counter_names = { "i_frames", "s_frames", "u_frames", "commands",
	    "bad_apdu" },
};
