/*
 * modbus.c - Modbus/TCP: roles, unit ids, function codes and device
 * identity (Modbus Application Protocol Specification V1.1b3; Modbus
 * Messaging on TCP/IP Implementation Guide V1.0b).
 *
 * The flow's server is the Modbus server (the PLC/RTU or gateway), its
 * client the master.  Requests and responses are paired by transaction id
 * in a small per-flow table, which also keeps the register range a read
 * asked for, so that the response's values get their addresses
 * (modbus_regs.c: SunSpec and vendor register maps).  Identity comes from
 * Read Device Identification (function 43, MEI type 14), Report Server ID
 * (17) and those registers.  Writes, diagnostics, file records and
 * Schneider's UMAS (90) program/stop/start are reported as operations.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "modbus_regs.h"
#include "sw_limits.h"

#define MBAP_HDR_LEN	6	/* transaction, protocol, length; unit id counts in length */
#define MBAP_LEN_MIN	2	/* unit id + function code */
#define MBAP_LEN_MAX	254	/* ADU at most 260 bytes */

#define FC_EXCEPTION	0x80
#define FC_REPORT_SERVER_ID 17
#define FC_MEI		43
#define MEI_READ_DEVICE_ID 14

#define FC_READ_HOLDING	3
#define FC_READ_INPUT	4
#define FC_READ_WRITE	23
#define FC_UMAS		90
#define MB_READ_MAX	125	/* registers one read may ask for (spec 6.3) */

struct mb_pending {
	uint16_t	 tid;
	uint8_t		 unit;
	uint8_t		 fc;
	uint16_t	 addr, qty;	/* the registers a read asked for (qty 0: not a read) */
	uint8_t		 op;		/* enum op_kind, OP_NONE if not an operation */
	struct fact_name op_src;	/* its service */
	bool		 used;
};

struct mb_state {
	struct mb_pending pend[MODBUS_MAX_PENDING];
	unsigned	 next;		/* slot the next request overwrites */
	/*
	 * What this flow already reported: a poll loop says the same unit
	 * and function thousands of times.  Forgotten every FACT_REFRESH_US
	 * so last_seen still moves.
	 */
	uint64_t	 memo_since;
	bool		 roles_sent;
	uint8_t		 units_sent[32];	/* bitmap of unit ids */
	uint8_t		 fcs_sent[32];		/* bitmap of function codes */
	struct mb_regs	*regs;			/* identity registers per unit, NULL until read */
};

static bool
memo_first(uint8_t *bits, uint8_t v)
{
	if (bits[v >> 3] & (1u << (v & 7)))
		return false;
	bits[v >> 3] |= (uint8_t)(1u << (v & 7));
	return true;
}

static void
memo_refresh(struct diss_ctx *dc, struct mb_state *st)
{
	uint64_t now = diss_now(dc);

	if (now - st->memo_since < FACT_REFRESH_US && now >= st->memo_since)
		return;
	st->memo_since = now;
	st->roles_sent = false;
	memset(st->units_sent, 0, sizeof(st->units_sent));
	memset(st->fcs_sent, 0, sizeof(st->fcs_sent));
	mb_regs_refresh(st->regs);
}

static bool
is_write(uint8_t fc)
{
	return fc == 5 || fc == 6 || fc == 15 || fc == 16 || fc == 22 || fc == 23;
}

/*
 * Diagnostics and programming: serial-line diagnostics (8), the legacy
 * Modicon program/poll/reset codes (9, 10, 13, 14, 18, 19, 40-42, 125,
 * 126), encapsulated interfaces other than device identification (43/13),
 * and Schneider UMAS (90).
 */
static bool
is_program(uint8_t fc, uint8_t mei)
{
	switch (fc) {
	case 8: case 9: case 10: case 13: case 14: case 18: case 19:
	case 40: case 41: case 42: case 90: case 125: case 126:
		return true;
	case FC_MEI:
		return mei != MEI_READ_DEVICE_ID;
	}
	return false;
}

/* Evidence sources are literals (dissector.h): one per called-out code. */
static struct fact_name
fc_source(uint8_t fc)
{
	switch (fc) {
	case 5: return FN("modbus/fc5");
	case 6: return FN("modbus/fc6");
	case 8: return FN("modbus/fc8");
	case 9: return FN("modbus/fc9");
	case 10: return FN("modbus/fc10");
	case 13: return FN("modbus/fc13");
	case 14: return FN("modbus/fc14");
	case 15: return FN("modbus/fc15");
	case 16: return FN("modbus/fc16");
	case 18: return FN("modbus/fc18");
	case 19: return FN("modbus/fc19");
	case 22: return FN("modbus/fc22");
	case 23: return FN("modbus/fc23");
	case 40: return FN("modbus/fc40");
	case 41: return FN("modbus/fc41");
	case 42: return FN("modbus/fc42");
	case 43: return FN("modbus/fc43");
	case 90: return FN("modbus/fc90");
	case 125: return FN("modbus/fc125");
	case 126: return FN("modbus/fc126");
	}
	return FN("modbus/request");
}

static void
pending_add(struct mb_state *st, const struct mb_pending *req)
{
	struct mb_pending *p = &st->pend[st->next];

	st->next = (st->next + 1) % MODBUS_MAX_PENDING;
	*p = *req;
	p->used = true;
}

static bool
pending_take(struct mb_state *st, uint16_t tid, uint8_t unit, struct mb_pending *out)
{
	for (unsigned i = 0; i < MODBUS_MAX_PENDING; i++) {
		struct mb_pending *p = &st->pend[i];

		if (p->used && p->tid == tid && p->unit == unit) {
			p->used = false;
			*out = *p;
			return true;
		}
	}
	return false;
}

/*
 * Read Device Identification objects (MEI 14) keep their own names; the
 * object id is in the source so ProductName (4) and ModelName (5) stay
 * apart although both are a model.
 */
static const struct {
	struct fact_name attr;
	struct fact_name src;
} devid_objects[] = {
	{ FN(A_VENDOR),		FN("modbus/43.14/obj0") },	/* VendorName */
	{ FN(A_PRODUCT_CODE),	FN("modbus/43.14/obj1") },	/* ProductCode */
	{ FN(A_FIRMWARE),		FN("modbus/43.14/obj2") },	/* MajorMinorRevision */
	{ FN(A_URL),		FN("modbus/43.14/obj3") },	/* VendorUrl */
	{ FN(A_MODEL),		FN("modbus/43.14/obj4") },	/* ProductName */
	{ FN(A_MODEL),		FN("modbus/43.14/obj5") },	/* ModelName */
	{ FN(A_DEVICE_NAME),	FN("modbus/43.14/obj6") },	/* UserApplicationName */
};

static void
devid_object(struct diss_ctx *dc, uint8_t id, const uint8_t *val, uint8_t len)
{
	if (id < sizeof(devid_objects) / sizeof(devid_objects[0])) {
		diss_fact_fn(dc, SIDE_SERVER, devid_objects[id].attr, val, len,
		    devid_objects[id].src, CONF_STATED);
		return;
	}
	/* Reserved (7-0x7f) and private (0x80-0xff) objects: raw strings. */
	diss_factf(dc, SIDE_SERVER, A_NOTE, "modbus/43.14/private", CONF_STATED,
	    "obj%u=%.*s", id, (int)len, (const char *)val);
}

/*
 * Read Device Identification response (MB spec 6.21):
 *   MEI type (1, 0x0e) | read device id code (1) | conformity level (1)
 *   | more follows (1, 0x00/0xff) | next object id (1) | number of objects (1)
 *   | { object id (1) | object length (1) | value (length) } ...
 * A device whose objects do not fit sets "more follows"; the client asks
 * again from the next object id and the next response carries the rest,
 * so every response is parsed on its own.
 */
static void
devid_response(struct diss_ctx *dc, struct cur *pdu)
{
	uint8_t mei, code, conformity, more, next, nobj, id = 0, len = 0;
	const uint8_t *val;

	if (!cur_u8(pdu, &mei) || mei != MEI_READ_DEVICE_ID)
		return;
	cur_u8(pdu, &code);
	cur_u8(pdu, &conformity);
	cur_u8(pdu, &more);
	cur_u8(pdu, &next);
	cur_u8(pdu, &nobj);
	if (!cur_ok(pdu)) {
		diss_count(dc, MB_BAD_ADU);
		return;
	}
	for (unsigned n = 0; n < nobj && n < DISS_MAX_ITEMS; n++) {
		cur_u8(pdu, &id);
		cur_u8(pdu, &len);
		if (!cur_ok(pdu) || !diss_str(pdu, len, &val)) {
			diss_count(dc, MB_BAD_ADU);	/* object length past the end */
			return;
		}
		diss_count(dc, MB_DEVID_OBJECTS);
		if (len > 0)
			devid_object(dc, id, val, len);
	}
}

/*
 * Report Server ID response (MB spec 6.13):
 *   byte count (1) | server id (device specific) | run indicator (1)
 *   | additional data (device specific)
 * The content is vendor-defined; the longest printable run (often a
 * vendor or product name) is kept as a description.
 */
#define SERVER_ID_MIN_TEXT 4

static void
server_id_response(struct diss_ctx *dc, struct cur *pdu)
{
	size_t best_off = 0, best_len = 0, run_off = 0, run_len = 0;
	struct cur body, scan;
	const uint8_t *text;
	uint8_t count, b;

	if (!cur_u8(pdu, &count) || !cur_take(pdu, count, &body)) {
		diss_count(dc, MB_BAD_ADU);
		return;
	}
	scan = body;
	for (size_t i = 0; cur_u8(&scan, &b); i++) {
		if (b < 0x20 || b >= 0x7f) {
			run_len = 0;
			continue;
		}
		if (run_len++ == 0)
			run_off = i;
		if (run_len > best_len) {
			best_off = run_off;
			best_len = run_len;
		}
	}
	if (best_len >= SERVER_ID_MIN_TEXT && cur_skip(&body, best_off) &&
	    diss_str(&body, best_len, &text))
		diss_fact(dc, SIDE_SERVER, A_DESCRIPTION, text, best_len,
		    "modbus/17", CONF_BANNER);
}

/* --- operations ---------------------------------------------------------- */

struct mb_op {
	enum op_kind	 kind;
	struct fact_name src;		/* service (dissector.h: a literal) */
	char		 detail[OP_DETAIL_MAX];
	int		 len;
};

static void
op_set(struct mb_op *op, enum op_kind kind, struct fact_name src)
{
	op->kind = kind;
	op->src = src;
}

#define OP_TEXT(op, ...) ((op)->len = snprintf((op)->detail, sizeof((op)->detail), __VA_ARGS__))

/* Writes: the unit and the coils or registers written (MB spec 6.5-6.12, 6.16, 6.17). */
static void
op_write(uint8_t unit, uint8_t fc, const struct cur *pdu, struct mb_op *op)
{
	uint16_t a = 0, n = 0;

	cur_peek_be16(pdu, 0, &a);
	cur_peek_be16(pdu, 2, &n);
	op_set(op, OP_CONTROL_OPERATE, fc_source(fc));
	switch (fc) {
	case 5:
		OP_TEXT(op, "fc5 write single coil: unit %u coil %u", unit, a);
		break;
	case 6:
		OP_TEXT(op, "fc6 write single register: unit %u register %u", unit, a);
		break;
	case 15:
		OP_TEXT(op, "fc15 write multiple coils: unit %u coils %u-%u", unit, a,
		    (unsigned)a + (n ? n - 1u : 0));
		break;
	case 16:
		OP_TEXT(op, "fc16 write multiple registers: unit %u registers %u-%u", unit, a,
		    (unsigned)a + (n ? n - 1u : 0));
		break;
	case 22:
		OP_TEXT(op, "fc22 mask write register: unit %u register %u", unit, a);
		break;
	default:	/* 23: read start, read qty, then the write range */
		cur_peek_be16(pdu, 4, &a);
		cur_peek_be16(pdu, 6, &n);
		OP_TEXT(op, "fc23 read/write multiple registers: unit %u registers %u-%u", unit, a,
		    (unsigned)a + (n ? n - 1u : 0));
		break;
	}
}

/*
 * Serial-line diagnostics (MB spec 6.8): sub-function 1 restarts the
 * device's communications port and clears its counters (a warm restart of
 * the interface, not of the application), 4 forces listen-only mode (the
 * device stops answering), the others read or clear counters.
 */
static void
op_diagnostics(uint8_t unit, const struct cur *pdu, struct mb_op *op)
{
	uint16_t sub = 0;

	cur_peek_be16(pdu, 0, &sub);
	if (sub == 1) {
		op_set(op, OP_RESTART_WARM, FN("modbus/fc8/1"));
		OP_TEXT(op, "fc8/1 restart communications option: unit %u", unit);
	} else if (sub == 4) {
		op_set(op, OP_MODE_CHANGE, FN("modbus/fc8/4"));
		OP_TEXT(op, "fc8/4 force listen only mode: unit %u", unit);
	} else {
		op_set(op, OP_DIAGNOSTICS_READ, FN("modbus/fc8"));
		OP_TEXT(op, "fc8/%u diagnostics: unit %u", sub, unit);
	}
}

/* File records (MB spec 6.14, 6.15): byte count, then reference type 6 | file | record | length. */
static void
op_file(uint8_t unit, uint8_t fc, const struct cur *pdu, struct mb_op *op)
{
	uint16_t file = 0, rec = 0;

	cur_peek_be16(pdu, 2, &file);
	cur_peek_be16(pdu, 4, &rec);
	op_set(op, fc == 20 ? OP_FILE_READ : OP_FILE_WRITE,
	    fc == 20 ? FN("modbus/fc20") : FN("modbus/fc21"));
	OP_TEXT(op, "fc%u %s file record: unit %u file %u record %u", fc,
	    fc == 20 ? "read" : "write", unit, file, rec);
}

/*
 * Schneider UMAS inside function 90: session key (1) | UMAS code (1).
 * Codes as documented publicly (Wireshark's Modbus/TCP dissector, the
 * UMAS research published by Liras and at Black Hat Europe 2024): 0x30
 * initialises a strategy upload (engineering PC to PLC: a program
 * download in our terms), 0x33 a strategy download (PLC to PC), 0x40
 * starts and 0x41 stops the PLC.  Only those are operations.
 */
static bool
op_umas(uint8_t unit, const struct cur *pdu, struct mb_op *op)
{
	uint8_t code = 0;

	if (!cur_peek_u8(pdu, 1, &code))
		return false;
	switch (code) {
	case 0x30:
		op_set(op, OP_PROGRAM_DOWNLOAD, FN("modbus/fc90/0x30"));
		OP_TEXT(op, "UMAS 0x30 initialize strategy upload to the PLC: unit %u", unit);
		return true;
	case 0x33:
		op_set(op, OP_PROGRAM_UPLOAD, FN("modbus/fc90/0x33"));
		OP_TEXT(op, "UMAS 0x33 initialize strategy download from the PLC: unit %u", unit);
		return true;
	case 0x40:
		op_set(op, OP_START, FN("modbus/fc90/0x40"));
		OP_TEXT(op, "UMAS 0x40 start PLC: unit %u", unit);
		return true;
	case 0x41:
		op_set(op, OP_STOP, FN("modbus/fc90/0x41"));
		OP_TEXT(op, "UMAS 0x41 stop PLC: unit %u", unit);
		return true;
	}
	return false;
}

/* Is this request an operation (docs/DISSECTORS.md, "Modbus operations")? */
static bool
mb_operation(uint8_t unit, uint8_t fc, const struct cur *pdu, struct mb_op *op)
{
	uint8_t mei = 0;

	memset(op, 0, sizeof(*op));
	if (is_write(fc)) {
		op_write(unit, fc, pdu, op);
		return true;
	}
	switch (fc) {
	case 7: case 11: case 12:
		op_set(op, OP_DIAGNOSTICS_READ, fc == 7 ? FN("modbus/fc7") : fc == 11 ?
		    FN("modbus/fc11") : FN("modbus/fc12"));
		OP_TEXT(op, "fc%u %s: unit %u", fc, fc == 7 ? "read exception status" :
		    fc == 11 ? "get comm event counter" : "get comm event log", unit);
		return true;
	case 8:
		op_diagnostics(unit, pdu, op);
		return true;
	case 20: case 21:
		op_file(unit, fc, pdu, op);
		return true;
	case FC_MEI:
		/* 43/13 CANopen general reference may read or write the object dictionary */
		if (!cur_peek_u8(pdu, 0, &mei) || mei == MEI_READ_DEVICE_ID)
			return false;
		op_set(op, OP_CONFIG_CHANGE, FN("modbus/fc43"));
		OP_TEXT(op, "fc43/%u encapsulated interface transport: unit %u", mei, unit);
		return true;
	case FC_UMAS:
		return op_umas(unit, pdu, op);
	}
	return false;
}

/* --- requests and responses ------------------------------------------------ */

/* The registers a read asks for: fc 3 and 4 start | quantity, fc 23 read start | read quantity. */
static void
read_range(uint8_t fc, const struct cur *pdu, struct mb_pending *p)
{
	uint16_t a, n;

	if (fc != FC_READ_HOLDING && fc != FC_READ_INPUT && fc != FC_READ_WRITE)
		return;
	if (!cur_peek_be16(pdu, 0, &a) || !cur_peek_be16(pdu, 2, &n) || n == 0 ||
	    n > MB_READ_MAX || (uint32_t)a + n > 0x10000)
		return;
	p->addr = a;
	p->qty = n;
}

static void
modbus_request(struct diss_ctx *dc, struct mb_state *st, uint16_t tid,
    uint8_t unit, uint8_t fc, struct cur *pdu)
{
	struct mb_pending p = { .tid = tid, .unit = unit, .fc = fc };
	struct mb_op op;
	uint8_t mei = 0;

	diss_count(dc, MB_REQUESTS);
	if (memo_first(st->fcs_sent, fc))
		diss_fact_num(dc, SIDE_CLIENT, A_FUNCTION, "modbus/request", CONF_STATED,
		    "modbus:", fc);
	if (fc == FC_MEI)
		cur_peek_u8(pdu, 0, &mei);
	if (is_write(fc)) {
		diss_count(dc, MB_WRITES);
		diss_fact_str_fn(dc, SIDE_CLIENT, FN(A_NOTE), "modbus_write",
		    fc_source(fc), CONF_STATED);
	} else if (is_program(fc, mei)) {
		diss_count(dc, MB_PROGRAM);
		diss_fact_str_fn(dc, SIDE_CLIENT, FN(A_NOTE), "modbus_program",
		    fc_source(fc), CONF_STATED);
	}
	if (mb_operation(unit, fc, pdu, &op)) {
		diss_count(dc, MB_OPERATIONS);
		diss_op_fn(dc, op.kind, OP_REQUEST, op.src, op.detail,
		    op.len > 0 ? (size_t)op.len : 0);
		p.op = (uint8_t)op.kind;
		p.op_src = op.src;
	}
	read_range(fc, pdu, &p);
	pending_add(st, &p);
}

/*
 * A read's response: byte count (1) | values (2 per register).  The byte
 * count must be what the request asked for and what the PDU holds; a
 * response that says otherwise maps no register.
 */
static void
read_response(struct diss_ctx *dc, struct mb_state *st, const struct mb_pending *p,
    struct cur *pdu)
{
	uint8_t count;
	struct cur vals;

	if (!cur_u8(pdu, &count) || count != 2u * p->qty || cur_left(pdu) != count ||
	    !cur_take(pdu, count, &vals)) {
		diss_count(dc, MB_BAD_COUNT);
		return;
	}
	mb_regs_read(dc, &st->regs, p->unit, p->fc == FC_READ_INPUT ? MB_INPUT : MB_HOLDING,
	    p->addr, p->qty, &vals);
}

/* UMAS answers 0xfe (done) or 0xfd (refused) after the session key. */
static bool
umas_failed(const struct cur *pdu)
{
	uint8_t status = 0;

	return !cur_peek_u8(pdu, 1, &status) || status != 0xfe;
}

static void
modbus_response(struct diss_ctx *dc, struct mb_state *st, uint16_t tid,
    uint8_t unit, uint8_t fc, struct cur *pdu)
{
	struct mb_pending asked;
	bool matched;

	diss_count(dc, MB_RESPONSES);
	/* A capture that starts mid-conversation still yields identity. */
	matched = pending_take(st, tid, unit, &asked) && asked.fc == (fc & ~FC_EXCEPTION);
	if (!matched)
		diss_count(dc, MB_UNMATCHED);
	if (matched && asked.op != OP_NONE) {
		bool failed = (fc & FC_EXCEPTION) || (fc == FC_UMAS && umas_failed(pdu));

		diss_op_fn(dc, (enum op_kind)asked.op, failed ? OP_REPLY_FAILED : OP_REPLY_OK,
		    asked.op_src, NULL, 0);
	}
	if (fc & FC_EXCEPTION) {
		diss_count(dc, MB_EXCEPTIONS);
		return;
	}
	if (matched && asked.qty > 0)
		read_response(dc, st, &asked, pdu);
	else if (fc == FC_MEI)
		devid_response(dc, pdu);
	else if (fc == FC_REPORT_SERVER_ID)
		server_id_response(dc, pdu);
}

/* One ADU, clamped to its MBAP length: unit id (1) | function (1) | data. */
static void
modbus_adu(struct diss_ctx *dc, struct mb_state *st, uint16_t tid, struct cur *adu)
{
	uint8_t unit = 0, fc = 0;

	cur_u8(adu, &unit);
	cur_u8(adu, &fc);
	diss_pdu(dc);
	memo_refresh(dc, st);
	if (!st->roles_sent) {
		diss_fact_str(dc, SIDE_SERVER, A_ROLE, R_MODBUS_SERVER, "modbus",
		    CONF_INFERRED);
		diss_fact_str(dc, SIDE_CLIENT, A_ROLE, R_MODBUS_CLIENT, "modbus",
		    CONF_INFERRED);
		st->roles_sent = true;
	}
	if (memo_first(st->units_sent, unit))
		diss_fact_num(dc, SIDE_SERVER, A_UNIT_ID, "modbus/unit", CONF_STATED,
		    "", unit);
	if (fc == 0) {
		diss_count(dc, MB_BAD_ADU);
		return;
	}
	if (dc->dir == DIR_C2S)
		modbus_request(dc, st, tid, unit, fc, adu);
	else
		modbus_response(dc, st, tid, unit, fc, adu);
}

/* MBAP header (7 bytes): transaction (2) | protocol = 0 (2) | length (2) | unit (1). */
static bool
mbap_peek(const struct cur *c, uint16_t *tid, uint16_t *len)
{
	uint16_t proto;

	if (!cur_peek_be16(c, 0, tid) || !cur_peek_be16(c, 2, &proto) ||
	    !cur_peek_be16(c, 4, len))
		return false;
	return proto == 0 && *len >= MBAP_LEN_MIN && *len <= MBAP_LEN_MAX;
}

/*
 * Stream parser: every whole ADU in the bytes; the cursor stays at the
 * start of an incomplete one.  A bad header before the first ADU of the
 * flow means this is not Modbus; after it, the stream lost sync.
 */
static enum diss_rc
modbus_parse(struct diss_ctx *dc, struct cur *c)
{
	struct mb_state scratch, *st = dc->state;
	uint16_t tid, len;
	struct cur adu;

	if (st == NULL) {
		memset(&scratch, 0, sizeof(scratch));
		st = &scratch;
	}
	while (cur_left(c) > MBAP_HDR_LEN) {
		if (!mbap_peek(c, &tid, &len))
			return DISS_NOT_MINE;
		if (cur_left(c) < MBAP_HDR_LEN + (size_t)len)
			break;
		if (!cur_skip(c, MBAP_HDR_LEN) || !cur_take(c, len, &adu))
			break;
		modbus_adu(dc, st, tid, &adu);
	}
	return DISS_OK;
}

/*
 * Heuristic for other ports: a well-formed MBAP header whose length ends
 * exactly at the end of the payload or at another MBAP header, carrying a
 * public function code.
 */
static bool
modbus_probe(const struct cur *c, int dir)
{
	uint16_t tid, len, tid2, len2;
	uint8_t fc;
	struct cur next = *c;

	(void)dir;
	if (!mbap_peek(c, &tid, &len) || !cur_peek_u8(c, MBAP_HDR_LEN + 1, &fc))
		return false;
	fc &= ~FC_EXCEPTION;
	if (!(fc >= 1 && fc <= 8) && !(fc >= 11 && fc <= 24) && fc != FC_MEI)
		return false;
	if (cur_left(c) == MBAP_HDR_LEN + (size_t)len)
		return true;
	if (!cur_skip(&next, MBAP_HDR_LEN + (size_t)len))
		return false;
	return mbap_peek(&next, &tid2, &len2);
}

static void
modbus_close(void *state)
{
	struct mb_state *st = state;

	mb_regs_free(st->regs);
	st->regs = NULL;
}

const struct dissector dis_modbus = {
	.name = "modbus",
	.transport = L4_TCP,
	.ports = { 502 },
	.state_size = sizeof(struct mb_state),
	.probe = modbus_probe,
	.parse = modbus_parse,
	.on_close = modbus_close,
	.counter_names = { "requests", "responses", "exceptions", "writes",
	    "program", "unmatched", "bad_adu", "devid_objects", "register_reads",
	    "bad_byte_count", "units_reused", "sunspec_models", "sunspec_bad",
	    "regmap_hits", "operations", "regs_refused" },
};
