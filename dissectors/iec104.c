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
 *   information object: address (3, LE) | element | [CP56Time2a (7)]
 *   cause of transmission: cause (bits 0-5) | P/N 0x40 (negative) | T 0x80
 *
 * Operations (core/ops.h): a command sent with cause "activation" (6) is
 * the request; the controlled station's mirror with cause "activation
 * confirmation" (7) is the reply, refused when it has the P/N bit or when
 * the station answers "unknown type / cause / common address / object
 * address" (44-47).  Commands are matched to confirmations by type, common
 * address and object address.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "sw_limits.h"

enum iec104_counter {
	IEC_I_FRAMES,
	IEC_S_FRAMES,
	IEC_U_FRAMES,
	IEC_COMMANDS,		/* ASDUs with a command type id */
	IEC_BAD_APDU,		/* wrong length for the frame type */
	IEC_PENDING_LOST,	/* a command pushed out before its confirmation */
};

#define COT_ACT		6
#define COT_ACTCON	7
#define COT_UNKNOWN_MIN	44	/* unknown type id, cause, common address, object address */
#define COT_UNKNOWN_MAX	47
#define COT_CAUSE	0x3f
#define COT_NEGATIVE	0x40
#define SE_SELECT	0x80	/* S/E bit of SCO, DCO, RCO, QOS: select, not execute */
#define CP56_LEN	7
#define QRP_GENERAL	1	/* reset process: general reset */

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

/* A command awaiting its confirmation. */
struct iec104_pending {
	uint8_t		 type, kind, dir;	/* kind OP_NONE: free */
	uint16_t	 ca;
	uint32_t	 ioa;
};

/* Per flow: when the roles were last reported (once per refresh, not per APDU). */
struct iec104_state {
	uint64_t	 roles_us;
	struct iec104_pending pending[IEC104_MAX_PENDING];
	uint8_t		 next;		/* slot the next command takes */
};

/*
 * Commands that act on the controlled station (IEC 60870-5-101 7.2.1.1,
 * 104 clause 8): name, element size before any time tag, and whether its
 * last element byte has the S/E bit.  Interrogation, read, test and delay
 * acquisition only ask, and are not operations.
 */
static const struct iec104_cmd {
	uint8_t		 type;
	uint8_t		 kind;
	uint8_t		 elem;
	bool		 se;
	bool		 time;
	const char	*name;
	struct fact_name src;
} iec104_cmds[] = {
	{ 45, OP_CONTROL_OPERATE, 1, true, false, "C_SC_NA_1", FN("iec104/C_SC_NA_1") },
	{ 46, OP_CONTROL_OPERATE, 1, true, false, "C_DC_NA_1", FN("iec104/C_DC_NA_1") },
	{ 47, OP_CONTROL_OPERATE, 1, true, false, "C_RC_NA_1", FN("iec104/C_RC_NA_1") },
	{ 48, OP_CONTROL_OPERATE, 3, true, false, "C_SE_NA_1", FN("iec104/C_SE_NA_1") },
	{ 49, OP_CONTROL_OPERATE, 3, true, false, "C_SE_NB_1", FN("iec104/C_SE_NB_1") },
	{ 50, OP_CONTROL_OPERATE, 5, true, false, "C_SE_NC_1", FN("iec104/C_SE_NC_1") },
	{ 51, OP_CONTROL_OPERATE, 4, false, false, "C_BO_NA_1", FN("iec104/C_BO_NA_1") },
	{ 58, OP_CONTROL_OPERATE, 1, true, true, "C_SC_TA_1", FN("iec104/C_SC_TA_1") },
	{ 59, OP_CONTROL_OPERATE, 1, true, true, "C_DC_TA_1", FN("iec104/C_DC_TA_1") },
	{ 60, OP_CONTROL_OPERATE, 1, true, true, "C_RC_TA_1", FN("iec104/C_RC_TA_1") },
	{ 61, OP_CONTROL_OPERATE, 3, true, true, "C_SE_TA_1", FN("iec104/C_SE_TA_1") },
	{ 62, OP_CONTROL_OPERATE, 3, true, true, "C_SE_TB_1", FN("iec104/C_SE_TB_1") },
	{ 63, OP_CONTROL_OPERATE, 5, true, true, "C_SE_TC_1", FN("iec104/C_SE_TC_1") },
	{ 64, OP_CONTROL_OPERATE, 4, false, true, "C_BO_TA_1", FN("iec104/C_BO_TA_1") },
	{ 103, OP_TIME_SET, 7, false, false, "C_CS_NA_1", FN("iec104/C_CS_NA_1") },
	{ 105, OP_RESTART_COLD, 1, false, false, "C_RP_NA_1", FN("iec104/C_RP_NA_1") },
	{ 110, OP_CONFIG_CHANGE, 3, false, false, "P_ME_NA_1", FN("iec104/P_ME_NA_1") },
	{ 111, OP_CONFIG_CHANGE, 3, false, false, "P_ME_NB_1", FN("iec104/P_ME_NB_1") },
	{ 112, OP_CONFIG_CHANGE, 5, false, false, "P_ME_NC_1", FN("iec104/P_ME_NC_1") },
	{ 113, OP_CONFIG_CHANGE, 1, false, false, "P_AC_NA_1", FN("iec104/P_AC_NA_1") },
};

static const struct iec104_cmd *
find_cmd(uint8_t type)
{
	for (size_t i = 0; i < sizeof(iec104_cmds) / sizeof(iec104_cmds[0]); i++)
		if (iec104_cmds[i].type == type)
			return &iec104_cmds[i];
	return NULL;
}

static struct iec104_pending *
find_pending(struct iec104_state *st, uint8_t type, uint16_t ca, uint32_t ioa, int req_dir)
{
	for (int i = 0; i < IEC104_MAX_PENDING; i++) {
		struct iec104_pending *p = &st->pending[i];

		if (p->kind != OP_NONE && p->type == type && p->ca == ca && p->ioa == ioa &&
		    p->dir == req_dir)
			return p;
	}
	return NULL;
}

/*
 * A command with cause activation: report it, remember it for its
 * confirmation.  objs is at the first information object; n objects.
 */
static void
command_request(struct diss_ctx *dc, const struct iec104_cmd *cmd, uint16_t ca, unsigned n,
    struct cur *objs)
{
	struct iec104_state *st = dc->state;
	uint32_t ioa = 0;
	uint8_t last = 0, qrp = 0;
	char d[96];
	uint8_t kind = cmd->kind;

	if (!cur_le24(objs, &ioa) || cmd->elem == 0 ||
	    !cur_skip(objs, (size_t)cmd->elem - 1) || !cur_u8(objs, &last) ||
	    (cmd->time && !cur_skip(objs, CP56_LEN))) {
		diss_count(dc, IEC_BAD_APDU);	/* shorter than its type says */
		return;
	}
	if (cmd->type == 105) {
		qrp = last;
		if (qrp != QRP_GENERAL)
			kind = OP_CONFIG_CHANGE;	/* resets pending events, not the process */
	}
	snprintf(d, sizeof(d), "%s ca %u ioa %u%s%s", cmd->name, ca, (unsigned)ioa,
	    cmd->se ? (last & SE_SELECT ? " select" : " execute") : "",
	    cmd->type == 105 ? (qrp == QRP_GENERAL ? " general reset" : " reset events") : "");
	if (n > 1) {
		size_t len = strlen(d);

		snprintf(d + len, sizeof(d) - len, " +%u objects", n - 1);
	}
	diss_op_fn(dc, (enum op_kind)kind, OP_REQUEST, cmd->src, d, strlen(d));
	if (st) {
		struct iec104_pending *p = &st->pending[st->next];

		if (p->kind != OP_NONE)
			diss_count(dc, IEC_PENDING_LOST);
		p->type = cmd->type;
		p->kind = kind;
		p->dir = (uint8_t)dc->dir;
		p->ca = ca;
		p->ioa = ioa;
		st->next = (uint8_t)((st->next + 1) % IEC104_MAX_PENDING);
	}
}

/* The mirror of a command: its confirmation (positive or negative) or an "unknown ..." answer. */
static void
command_reply(struct diss_ctx *dc, const struct iec104_cmd *cmd, uint8_t cot, uint16_t ca,
    struct cur *objs)
{
	struct iec104_state *st = dc->state;
	struct iec104_pending *p;
	uint8_t cause = cot & COT_CAUSE;
	uint32_t ioa = 0;
	bool refused;

	if (st == NULL || !cur_le24(objs, &ioa))
		return;
	if ((p = find_pending(st, cmd->type, ca, ioa, dc->dir ^ 1)) == NULL)
		return;		/* a confirmation of nothing we saw asked */
	refused = (cot & COT_NEGATIVE) || (cause >= COT_UNKNOWN_MIN && cause <= COT_UNKNOWN_MAX);
	diss_op_fn(dc, (enum op_kind)p->kind, refused ? OP_REPLY_FAILED : OP_REPLY_OK, cmd->src,
	    NULL, 0);
	p->kind = OP_NONE;
}

static void
iec104_operation(struct diss_ctx *dc, uint8_t type, uint8_t vsq, uint8_t cot, uint16_t ca,
    struct cur *objs)
{
	const struct iec104_cmd *cmd = find_cmd(type);
	uint8_t cause = cot & COT_CAUSE;

	if (cmd == NULL || (vsq & 0x7f) == 0)
		return;
	if (cause == COT_ACT && !(cot & COT_NEGATIVE))
		command_request(dc, cmd, ca, vsq & 0x7f, objs);
	else if (cause == COT_ACTCON || (cause >= COT_UNKNOWN_MIN && cause <= COT_UNKNOWN_MAX))
		command_reply(dc, cmd, cot, ca, objs);
}

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
	iec104_operation(dc, type, vsq, cot, ca, asdu);
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
			return DISS_NOT_MINE;
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
	    "bad_apdu", "pending_lost" },
};
