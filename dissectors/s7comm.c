/*
 * s7comm.c - Siemens S7 communication over ISO-on-TCP (TCP 102).
 *
 * References: RFC 1006 (TPKT), ISO 8073 / X.224 (COTP), the S7comm layout
 * as published by the Wireshark S7comm dissector documentation and
 * Siemens "System Software for S7-300/400 System and Standard Functions"
 * (SZL / system status list: lists 0x0011 module identification and
 * 0x001C component identification).
 *
 * Port 102 is shared with IEC 61850 MMS (also ISO 8073): a flow whose
 * first COTP data does not start with an S7 protocol id (0x32 S7comm,
 * 0x72 S7comm-plus) is answered DISS_NOT_MINE so another dissector binds.
 * CR/CC/DR TPDUs are consumed but not counted as PDUs for that reason.
 */
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "oppend.h"
#include "sw_limits.h"

#define S7_PORT		102
#define TPKT_HDR	4
#define S7_ID		0x32
#define S7P_ID		0x72	/* S7comm-plus */

#define COTP_DT		0xf0
#define COTP_EOT	0x80

#define ROSCTR_JOB	1
#define ROSCTR_ACK	2
#define ROSCTR_ACK_DATA	3
#define ROSCTR_USERDATA	7

#define UD_GROUP_PROG	1	/* programmer commands */
#define UD_GROUP_CPU	4
#define UD_GROUP_SEC	5	/* security */
#define UD_GROUP_TIME	7	/* time functions */
#define UD_SUB_READ_SZL	1
#define UD_TYPE_REQ	4
#define UD_TYPE_RESP	8

/* Job functions (first parameter byte) */
#define FN_WRITE_VAR	0x05
#define FN_DL_REQUEST	0x1a
#define FN_DL_BLOCK	0x1b
#define FN_DL_ENDED	0x1c
#define FN_UL_START	0x1d
#define FN_UL		0x1e
#define FN_UL_END	0x1f
#define FN_PI_SERVICE	0x28
#define FN_PLC_STOP	0x29

enum s7_counter {
	C_JOBS,		/* job requests */
	C_ACK_DATA,	/* ack-data replies */
	C_USERDATA,
	C_SZL,		/* SZL answers parsed (after reassembly) */
	C_S7PLUS,	/* S7comm-plus PDUs */
	C_COTP_OTHER,	/* CR / CC / DR / other TPDUs */
	C_SZL_DROPPED,	/* SZL fragments beyond S7_SZL_MAX or out of sequence */
	C_OPS,		/* operation requests reported */
	C_OPS_DROPPED,	/* operation requests dropped unanswered: OP_PEND_MAX full */
	C_OPS_UNMATCHED,	/* ack-data / userdata replies to no recorded request */
};

struct s7_state {
	bool		 collecting;	/* an SZL answer continues in the next PDU */
	uint8_t		 szl_dir;	/* the direction it comes in */
	uint8_t		 dur;		/* its data unit reference */
	uint16_t	 len;
	uint8_t		 szl[S7_SZL_MAX];
	struct op_pend_table ops;	/* operation requests by PDU reference */
};

/* --- SZL records -------------------------------------------------------- */

static void
fact_text(struct diss_ctx *dc, struct fact_name attr, const uint8_t *p, size_t n,
    struct fact_name src, uint8_t conf)
{
	/* NUL/blank padding of the fixed-size field is cut by obs_sanitize(); an
	 * all-blank field ends up empty and the store ignores it */
	diss_fact_fn(dc, SIDE_SERVER, attr, p, n, src, conf);
}

/*
 * SZL 0x0011 record, 28 bytes:
 *   index 2 | order number (MLFB) 20 chars | module type id 2 |
 *   version "Ausbg" 2 | version "Ausbe" 2
 * Index 0x0001 is the module itself, 0x0006 its basic hardware, 0x0007 its
 * basic firmware (Ausbg = 'V' << 8 | major, Ausbe = minor << 8 | patch).
 */
static void
szl_module_id(struct diss_ctx *dc, struct cur *rec)
{
	uint16_t index = 0, bgtyp = 0, ausbg = 0, ausbe = 0;
	const uint8_t *mlfb = NULL;
	struct cur order;

	cur_be16(rec, &index);
	diss_str(rec, 20, &mlfb);
	cur_be16(rec, &bgtyp);
	cur_be16(rec, &ausbg);
	cur_be16(rec, &ausbe);
	if (!cur_ok(rec))
		return;
	switch (index) {
	case 0x0001:
		fact_text(dc, FN(A_PRODUCT_CODE), mlfb, 20, FN("s7comm/szl/0x0011"), CONF_STATED);
		order = cur_make(mlfb, 20);
		if (cur_starts_with(&order, "6ES7", 4))
			diss_fact_str(dc, SIDE_SERVER, A_VENDOR, "Siemens",
			    "s7comm/szl/0x0011/order_number", CONF_BANNER);
		break;
	case 0x0007:
		if ((ausbg >> 8) == 'V')
			diss_factf(dc, SIDE_SERVER, A_FIRMWARE, "s7comm/szl/0x0011",
			    CONF_STATED, "V%u.%u.%u", ausbg & 0xff, ausbe >> 8,
			    ausbe & 0xff);
		break;
	}
}

/*
 * SZL 0x001C record, 34 bytes: index 2 | 32 bytes, a text for most indexes:
 *   1 name of the automation system, 2 name of the module, 3 plant
 *   designation, 4 copyright, 5 serial number, 7 module type name,
 *   8 serial number of the memory card, 0x0b location designation.
 */
static void
szl_component_id(struct diss_ctx *dc, struct cur *rec)
{
	static const struct {
		uint16_t	 index;
		struct fact_name attr;
		struct fact_name src;
	} map[] = {
		{ 0x0001, FN(A_DEVICE_NAME), FN("s7comm/szl/0x001c/station_name") },
		{ 0x0002, FN(A_DEVICE_NAME), FN("s7comm/szl/0x001c/module_name") },
		{ 0x0003, FN(A_LOCATION), FN("s7comm/szl/0x001c/plant_designation") },
		{ 0x0004, FN(A_NOTE), FN("s7comm/szl/0x001c/copyright") },
		{ 0x0005, FN(A_SERIAL), FN("s7comm/szl/0x001c/serial") },
		{ 0x0007, FN(A_MODEL), FN("s7comm/szl/0x001c/module_type") },
		{ 0x0008, FN(A_NOTE), FN("s7comm/szl/0x001c/memory_card_serial") },
		{ 0x000b, FN(A_LOCATION), FN("s7comm/szl/0x001c/location") },
	};
	uint16_t index;
	const uint8_t *text;

	if (!cur_be16(rec, &index) || !diss_str(rec, cur_left(rec) < 32 ?
	    cur_left(rec) : 32, &text))
		return;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].index == index)
			fact_text(dc, map[i].attr, text, 32, map[i].src, CONF_STATED);
}

/*
 * SZL answer: SZL-ID 2 | index 2 | record length 2 | record count 2 |
 * records.  The low byte of the id is the list, the high byte selects a
 * partial list (0x0111: one record, 0x0f11: header only).
 */
static void
szl_answer(struct diss_ctx *dc, struct cur *c)
{
	uint16_t id, index, reclen, count;

	cur_be16(c, &id);
	cur_be16(c, &index);
	cur_be16(c, &reclen);
	cur_be16(c, &count);
	if (!cur_ok(c))
		return;
	diss_count(dc, C_SZL);
	if (reclen < 2)
		return;
	for (unsigned i = 0; i < count && i < DISS_MAX_ITEMS; i++) {
		struct cur rec;

		if (!cur_take(c, reclen, &rec))
			return;		/* a cut list still gave its first records */
		if ((id & 0xff) == 0x11 && reclen >= 28)
			szl_module_id(dc, &rec);
		else if ((id & 0xff) == 0x1c && reclen >= 34)
			szl_component_id(dc, &rec);
	}
}

/* Append a fragment to the SZL buffer; parse when the last one arrived. */
static void
szl_fragment(struct diss_ctx *dc, struct cur *data, uint8_t dur, bool more)
{
	struct s7_state *st = dc->state;
	struct cur whole;
	size_t n = cur_left(data);

	if (st == NULL) {		/* no state: only unfragmented answers */
		if (!more)
			szl_answer(dc, data);
		return;
	}
	if (!st->collecting || st->dur != dur || st->szl_dir != dc->dir)
		st->len = 0;
	if (n > sizeof(st->szl) - st->len) {
		diss_count(dc, C_SZL_DROPPED);
		st->collecting = false;
		st->len = 0;
		return;
	}
	cur_copy(data, st->szl + st->len, n);
	st->len += (uint16_t)n;
	st->dur = dur;
	st->szl_dir = (uint8_t)dc->dir;
	st->collecting = more;
	if (more)
		return;
	whole = cur_make(st->szl, st->len);
	szl_answer(dc, &whole);
	st->len = 0;
}

/* --- operations ----------------------------------------------------------- */

/* The operation table of the flow, or NULL without state. */
static struct op_pend_table *
ops_of(struct diss_ctx *dc)
{
	struct s7_state *st = dc->state;

	return st ? &st->ops : NULL;
}

/*
 * Report a request.  client: SIDE_SRC when the sender of these bytes is the
 * operation's client, SIDE_DST when the PLC sends the job (download block).
 */
static void
op_request(struct diss_ctx *dc, uint32_t key, enum side client, enum op_kind kind,
    struct fact_name src, const char *detail)
{
	diss_count(dc, C_OPS);
	if (!op_pend_request(dc, ops_of(dc), key, client, kind, src, detail,
	    detail ? strlen(detail) : 0))
		diss_count(dc, C_OPS_DROPPED);
}

/* A reply to key: reported when its request was an operation. */
static void
op_reply(struct diss_ctx *dc, uint32_t key, bool ok)
{
	if (!op_pend_reply(dc, ops_of(dc), key, ok))
		diss_count(dc, C_OPS_UNMATCHED);
}

/* Block type of a file name: two hex digits as text ("0A" is a DB). */
static const char *
block_type_name(const uint8_t t[2])
{
	static const struct { char code[3]; const char *name; } types[] = {
		{ "08", "OB" }, { "0A", "DB" }, { "0B", "SDB" }, { "0C", "FC" },
		{ "0D", "SFC" }, { "0E", "FB" }, { "0F", "SFB" },
	};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (t[0] == (uint8_t)types[i].code[0] && t[1] == (uint8_t)types[i].code[1])
			return types[i].name;
	return NULL;
}

/*
 * A block as named in a file name or PI parameter: type 2 (hex as text) |
 * number 5 (decimal digits) | file system 1 ('P' passive, 'A' active).
 * Writes "DB1" into out; false if the bytes are not a block name.
 */
static bool
block_name(struct cur *c, char *out, size_t outsz)
{
	uint8_t t[2], num[5], fs;
	const char *type;
	unsigned n = 0;

	cur_copy(c, t, 2);
	cur_copy(c, num, 5);
	cur_u8(c, &fs);
	if (!cur_ok(c) || (type = block_type_name(t)) == NULL)
		return false;
	for (int i = 0; i < 5; i++) {
		if (num[i] < '0' || num[i] > '9')
			return false;
		n = n * 10 + (unsigned)(num[i] - '0');
	}
	snprintf(out, outsz, "%s%u", type, n);
	return true;
}

/*
 * Download / upload parameter: function 1 | status 1 | unknown 2 |
 * unknown 4 | file name length 1 | file name: '_' | block (see block_name).
 * Upload and end upload carry an upload id instead of a name once started.
 */
static void
block_of_transfer(struct cur *param, char *out, size_t outsz)
{
	uint8_t n, id;
	struct cur name;

	snprintf(out, outsz, "block");
	if (!cur_skip(param, 8) || !cur_u8(param, &n) || !cur_take(param, n, &name))
		return;
	if (cur_u8(&name, &id) && id == '_' && !block_name(&name, out, outsz))
		snprintf(out, outsz, "block");
}

/*
 * PI service parameter: function 1 (0x28) | unknown 7 | parameter block
 * length 2 | parameter block | service name length 1 | service name.
 * For block services (_INSE, _DELE) the parameter block is: block count 1 |
 * unknown 1 | blocks of 8 bytes (block_name).
 */
struct pi_call {
	char		 name[16];
	struct cur	 args;
};

static bool
pi_parse(struct cur *param, struct pi_call *pi)
{
	uint16_t blen;
	uint8_t nlen;
	struct cur name;

	memset(pi, 0, sizeof(*pi));
	if (!cur_skip(param, 8) || !cur_be16(param, &blen) || !cur_take(param, blen, &pi->args) ||
	    !cur_u8(param, &nlen) || !cur_take(param, nlen, &name))
		return false;
	if (nlen >= sizeof(pi->name))
		nlen = sizeof(pi->name) - 1;
	cur_copy(&name, pi->name, nlen);
	for (unsigned i = 0; i < nlen; i++)
		if (pi->name[i] < 0x20 || pi->name[i] > 0x7e)
			pi->name[i] = '?';
	return true;
}

/* "_INSE DB1 DB2": the service and its blocks, as many as fit. */
static void
pi_blocks(const struct pi_call *pi, char *out, size_t outsz)
{
	struct cur a = pi->args;
	uint8_t count, resv;
	size_t used;

	snprintf(out, outsz, "%s", pi->name);
	if (!cur_u8(&a, &count) || !cur_u8(&a, &resv))
		return;
	for (unsigned i = 0; i < count && i < DISS_MAX_ITEMS; i++) {
		char b[16];

		if (!block_name(&a, b, sizeof(b)))
			return;
		used = strlen(out);
		if (used + 1 + strlen(b) >= outsz)
			return;
		snprintf(out + used, outsz - used, " %s", b);
	}
}

/* PI services that change the program or the CPU's state. */
static void
pi_service(struct diss_ctx *dc, uint32_t key, struct cur *param)
{
	struct pi_call pi;
	char detail[96];

	if (!pi_parse(param, &pi))
		return;
	pi_blocks(&pi, detail, sizeof(detail));
	if (strcmp(pi.name, "_INSE") == 0)
		op_request(dc, key, SIDE_SRC, OP_PROGRAM_DOWNLOAD, FN("s7comm/pi/_INSE"), detail);
	else if (strcmp(pi.name, "_DELE") == 0)
		op_request(dc, key, SIDE_SRC, OP_FILE_DELETE, FN("s7comm/pi/_DELE"), detail);
	else if (strcmp(pi.name, "P_PROGRAM") == 0) {
		uint8_t arg[2] = { 0, 0 };
		struct cur a = pi.args;

		/* "C " asks for a cold restart, nothing for a warm one */
		if (cur_copy(&a, arg, 2) && arg[0] == 'C')
			op_request(dc, key, SIDE_SRC, OP_RESTART_COLD, FN("s7comm/pi/P_PROGRAM"),
			    "PI P_PROGRAM cold restart");
		else
			op_request(dc, key, SIDE_SRC, OP_START, FN("s7comm/pi/P_PROGRAM"),
			    "PI P_PROGRAM warm restart");
	} else if (strcmp(pi.name, "_MODU") == 0)
		op_request(dc, key, SIDE_SRC, OP_CONFIG_CHANGE, FN("s7comm/pi/_MODU"),
		    "PI _MODU copy RAM to ROM");
	else if (strcmp(pi.name, "_GARB") == 0)
		op_request(dc, key, SIDE_SRC, OP_CONFIG_CHANGE, FN("s7comm/pi/_GARB"),
		    "PI _GARB compress memory");
}

/*
 * A job's function.  Downloads are a sequence: the programming device asks
 * (0x1a), then the PLC fetches each block (0x1b) and closes (0x1c) with
 * jobs of its own, answered by the programming device; then _INSE
 * activates the blocks.  All of them are requests of one program_download
 * by the programming device, so the store counts them as one operation.
 */
static void
job_op(struct diss_ctx *dc, uint16_t ref, struct cur param)
{
	uint8_t fn, items;
	char detail[96];

	if (!cur_peek_u8(&param, 0, &fn))
		return;
	switch (fn) {
	case FN_WRITE_VAR:
		if (!cur_peek_u8(&param, 1, &items))
			items = 0;
		snprintf(detail, sizeof(detail), "write var %u items", items);
		op_request(dc, ref, SIDE_SRC, OP_CONTROL_OPERATE, FN("s7comm/job/write_var"),
		    detail);
		break;
	case FN_DL_REQUEST:
		block_of_transfer(&param, detail, sizeof(detail));
		op_request(dc, ref, SIDE_SRC, OP_PROGRAM_DOWNLOAD,
		    FN("s7comm/job/request_download"), detail);
		break;
	case FN_DL_BLOCK:
	case FN_DL_ENDED:
		block_of_transfer(&param, detail, sizeof(detail));
		op_request(dc, ref, SIDE_DST, OP_PROGRAM_DOWNLOAD,
		    fn == FN_DL_BLOCK ? FN("s7comm/job/download_block") :
		    FN("s7comm/job/download_ended"), detail);
		break;
	case FN_UL_START:
	case FN_UL:
	case FN_UL_END:
		block_of_transfer(&param, detail, sizeof(detail));
		op_request(dc, ref, SIDE_SRC, OP_PROGRAM_UPLOAD,
		    fn == FN_UL_START ? FN("s7comm/job/start_upload") :
		    fn == FN_UL ? FN("s7comm/job/upload") : FN("s7comm/job/end_upload"), detail);
		break;
	case FN_PI_SERVICE:
		pi_service(dc, ref, &param);
		break;
	case FN_PLC_STOP:
		op_request(dc, ref, SIDE_SRC, OP_STOP, FN("s7comm/job/plc_stop"), "PLC stop");
		break;
	}
}

/* Userdata requests and responses pair by PDU reference, group and subfunction. */
static uint32_t
userdata_key(uint16_t ref, uint8_t tg, uint8_t sub)
{
	return 1u << 31 | (uint32_t)sub << 20 | (uint32_t)(tg & 0x0f) << 16 | ref;
}

/* Userdata functions that are operations: clock set, password, forces. */
struct ud_op {
	uint8_t		 group, sub;
	enum op_kind	 kind;
	struct fact_name src;
	const char	*detail;
};

static const struct ud_op ud_ops[] = {
	{ UD_GROUP_TIME, 0x02, OP_TIME_SET, FN("s7comm/userdata/set_clock"), "set clock" },
	{ UD_GROUP_TIME, 0x04, OP_TIME_SET, FN("s7comm/userdata/set_clock"), "set clock" },
	{ UD_GROUP_SEC, 0x01, OP_UNLOCK, FN("s7comm/userdata/password"), "PLC password" },
	{ UD_GROUP_SEC, 0x02, OP_LOCK, FN("s7comm/userdata/cancel_password"), "cancel password" },
	{ UD_GROUP_PROG, 0x10, OP_DIAGNOSTICS_READ, FN("s7comm/userdata/forces"),
	    "forces (read job list)" },
};

static const struct ud_op *
ud_op_of(uint8_t group, uint8_t sub)
{
	for (size_t i = 0; i < sizeof(ud_ops) / sizeof(ud_ops[0]); i++)
		if (ud_ops[i].group == group && ud_ops[i].sub == sub)
			return &ud_ops[i];
	return NULL;
}

/*
 * A userdata PDU that may be an operation: requests are reported, and
 * responses give the outcome: the parameter's error code and the data's
 * return code (0xff success) when there is one.
 */
static void
userdata_op(struct diss_ctx *dc, uint16_t ref, uint8_t tg, uint8_t sub, uint16_t err,
    struct cur data)
{
	const struct ud_op *u = ud_op_of(tg & 0x0f, sub);
	uint32_t key = userdata_key(ref, tg, sub);
	uint8_t ret = 0xff;

	if (u == NULL)
		return;
	if ((tg >> 4) == UD_TYPE_REQ) {
		op_request(dc, key, SIDE_SRC, u->kind, u->src, u->detail);
		return;
	}
	if ((tg >> 4) != UD_TYPE_RESP)
		return;
	cur_peek_u8(&data, 0, &ret);
	op_reply(dc, key, err == 0 && ret == 0xff);
}

/* Functions whose job job_op() reports (the PI services it reports are waited for). */
static bool
job_fn_is_op(uint8_t fn)
{
	return fn == FN_WRITE_VAR || (fn >= FN_DL_REQUEST && fn <= FN_UL_END) ||
	    fn == FN_PLC_STOP;
}

/* Ack / Ack_Data: the header's error class and code are the outcome. */
static void
ack_op(struct diss_ctx *dc, uint16_t ref, uint8_t ecls, uint8_t ecode, struct cur param)
{
	uint8_t fn = 0;

	if (op_pend_waiting(ops_of(dc), ref, dc->dir))
		op_reply(dc, ref, ecls == 0 && ecode == 0);
	else if (cur_peek_u8(&param, 0, &fn) && job_fn_is_op(fn))
		diss_count(dc, C_OPS_UNMATCHED);
}

/*
 * Userdata parameter: head 3 (00 01 12) | length 1 | method 1 (0x11 request,
 * 0x12 response) | type 4 bits, function group 4 bits | subfunction 1 |
 * sequence 1 | and when length is 8: data unit reference 1 | last data
 * unit 1 (0 last, 1 more follow) | error code 2.
 * Data: return code 1 (0xff success) | transport size 1 | length 2 | bytes.
 */
static void
userdata(struct diss_ctx *dc, uint16_t ref, struct cur *param, struct cur *data)
{
	uint8_t head[3], plen, method, tg, sub, seq, dur = 0, last = 0, ret, tsize;
	uint16_t err = 0, dlen;
	struct cur body;

	diss_count(dc, C_USERDATA);
	cur_copy(param, head, 3);
	cur_u8(param, &plen);
	cur_u8(param, &method);
	cur_u8(param, &tg);
	cur_u8(param, &sub);
	cur_u8(param, &seq);
	if (!cur_ok(param))
		return;
	if (plen >= 8) {
		cur_u8(param, &dur);
		cur_u8(param, &last);
		cur_be16(param, &err);
	}
	userdata_op(dc, ref, tg, sub, err, *data);
	if ((tg >> 4) != UD_TYPE_RESP) {
		diss_fact_str(dc, SIDE_SRC, A_ROLE, R_S7_CLIENT, "s7comm/userdata", CONF_INFERRED);
		return;
	}
	if ((tg & 0x0f) != UD_GROUP_CPU || sub != UD_SUB_READ_SZL || err != 0)
		return;
	cur_u8(data, &ret);
	cur_u8(data, &tsize);
	cur_be16(data, &dlen);
	if (!cur_ok(data) || ret != 0xff)
		return;
	if (!cur_take(data, dlen, &body))
		body = *data;		/* a short answer still has its first records */
	szl_fragment(dc, &body, dur, last != 0);
}

/*
 * S7 header: protocol id 1 (0x32) | ROSCTR 1 | redundancy id 2 | PDU
 * reference 2 | parameter length 2 | data length 2 | for ROSCTR 2 and 3:
 * error class 1, error code 1.  Then parameter and data, all big endian.
 */
static enum diss_rc
s7_pdu(struct diss_ctx *dc, struct cur *c)
{
	uint8_t id, rosctr, ecls = 0, ecode = 0;
	uint16_t redund, ref, plen, dlen;
	struct cur param, data;

	cur_u8(c, &id);
	cur_u8(c, &rosctr);
	cur_be16(c, &redund);
	cur_be16(c, &ref);
	cur_be16(c, &plen);
	cur_be16(c, &dlen);
	if (!cur_ok(c))
		return DISS_MALFORMED;
	if ((rosctr == ROSCTR_ACK || rosctr == ROSCTR_ACK_DATA) &&
	    (!cur_u8(c, &ecls) || !cur_u8(c, &ecode)))
		return DISS_MALFORMED;
	if (!cur_take(c, plen, &param) || !cur_take(c, dlen, &data))
		return DISS_MALFORMED;
	switch (rosctr) {
	case ROSCTR_JOB:
		diss_count(dc, C_JOBS);
		job_op(dc, ref, param);
		/* the PLC's own jobs of a download do not make it the client */
		if (dc->dir == DIR_S2C)
			break;
		diss_fact_str(dc, SIDE_SRC, A_ROLE, R_S7_CLIENT, "s7comm/job", CONF_INFERRED);
		diss_fact_str(dc, SIDE_DST, A_ROLE, R_PLC, "s7comm/job", CONF_INFERRED);
		break;
	case ROSCTR_ACK:
		ack_op(dc, ref, ecls, ecode, param);
		break;
	case ROSCTR_ACK_DATA:
		diss_count(dc, C_ACK_DATA);
		ack_op(dc, ref, ecls, ecode, param);
		if (dc->dir == DIR_C2S)
			break;
		diss_fact_str(dc, SIDE_SRC, A_ROLE, R_PLC, "s7comm/ack_data", CONF_INFERRED);
		break;
	case ROSCTR_USERDATA:
		userdata(dc, ref, &param, &data);
		break;
	}
	return DISS_OK;
}

/* S7comm-plus: protocol id 1 (0x72) | version 1 | length 2 | ... */
static void
s7plus_pdu(struct diss_ctx *dc, struct cur *c)
{
	uint8_t id, version;

	diss_count(dc, C_S7PLUS);
	if (cur_u8(c, &id) && cur_u8(c, &version))
		diss_factf(dc, SIDE_SERVER, A_NOTE, "s7comm-plus", CONF_STATED,
		    "s7comm-plus v%u", version);
	diss_fact_str(dc, SIDE_SERVER, A_FUNCTION, "s7comm-plus", "s7comm-plus", CONF_STATED);
	diss_fact_str(dc, SIDE_SERVER, A_ROLE, R_PLC, "s7comm-plus", CONF_INFERRED);
}

/*
 * One TPKT (RFC 1006): version 1 (3) | reserved 1 | length 2 (incl. header)
 * then COTP: length indicator 1 | PDU type 1 | for DT: number + EOT bit 1.
 */
static enum diss_rc
tpkt_pdu(struct diss_ctx *dc, struct cur *c)
{
	uint8_t li, type, nr, id;
	struct cur cotp, payload;

	if (!cur_u8(c, &li) || !cur_take(c, li, &cotp) || !cur_u8(&cotp, &type))
		return DISS_MALFORMED;
	if ((type & 0xf0) != COTP_DT) {
		diss_count(dc, C_COTP_OTHER);
		return DISS_OK;		/* CR / CC / DR: no S7 yet */
	}
	if (!cur_u8(&cotp, &nr))
		return DISS_MALFORMED;
	payload = *c;
	if (!cur_peek_u8(&payload, 0, &id))
		return DISS_OK;		/* empty DT: nothing to say */
	if (id != S7_ID && id != S7P_ID)
		return DISS_NOT_MINE;
	diss_pdu(dc);
	if (!(nr & COTP_EOT))
		return DISS_OK;		/* S7 PDU continues in the next TPDU: not reassembled */
	if (id == S7P_ID) {
		s7plus_pdu(dc, &payload);
		return DISS_OK;
	}
	return s7_pdu(dc, &payload);
}

static enum diss_rc
s7_parse(struct diss_ctx *dc, struct cur *c)
{
	for (int n = 0; n < DISS_MAX_ITEMS; n++) {
		uint8_t ver;
		uint16_t len;
		struct cur pdu;
		enum diss_rc rc;

		if (cur_left(c) < TPKT_HDR)
			break;		/* wait for the rest of the header */
		if (!cur_peek_u8(c, 0, &ver) || !cur_peek_be16(c, 2, &len))
			break;
		if (ver != 3 || len < TPKT_HDR + 2)
			return DISS_NOT_MINE;
		if (cur_left(c) < len)
			break;		/* wait for the whole TPKT */
		if (!cur_skip(c, TPKT_HDR) || !cur_take(c, len - TPKT_HDR, &pdu))
			break;
		/* NOT_MINE hands the stream, this TPKT included, to another dissector. */
		if ((rc = tpkt_pdu(dc, &pdu)) != DISS_OK)
			return rc;
	}
	return DISS_OK;
}

static void
s7_on_gap(struct diss_ctx *dc)
{
	struct s7_state *st = dc->state;

	/* a hole in the requests does not cut the answer being collected */
	if (st && st->szl_dir == dc->dir) {
		st->collecting = false;
		st->len = 0;
	}
}

/*
 * TPKT version 3, a COTP DT and an S7 protocol id.  A connection request
 * (CR) is not enough: it carries nothing that tells S7 from MMS.
 */
static bool
s7_probe(const struct cur *c, int dir)
{
	uint8_t ver, li, type, id;

	(void)dir;
	if (!cur_peek_u8(c, 0, &ver) || ver != 3 || !cur_peek_u8(c, 4, &li) ||
	    !cur_peek_u8(c, 5, &type))
		return false;
	if ((type & 0xf0) != COTP_DT)
		return false;
	return li == 2 && cur_peek_u8(c, 7, &id) && (id == S7_ID || id == S7P_ID);
}

const struct dissector dis_s7comm = {
	.name = "s7comm",
	.transport = L4_TCP,
	.ports = { S7_PORT },
	.state_size = sizeof(struct s7_state),
	.probe = s7_probe,
	.parse = s7_parse,
	.on_gap = s7_on_gap,
	.counter_names = { "jobs", "ack_data", "userdata", "szl_answers", "s7comm_plus",
	    "cotp_other", "szl_dropped", "ops", "ops_dropped", "ops_unmatched", NULL },
};
