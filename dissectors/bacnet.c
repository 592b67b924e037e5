/*
 * bacnet.c - BACnet/IP (UDP 47808): BVLC, NPDU, APDU.
 *
 * Reference: ANSI/ASHRAE Standard 135, Annex J (BACnet/IP, BVLL), clause 6
 * (network layer, NPDU), clause 20 (APDU encoding, tags), clauses 15.5
 * (ReadProperty), 15.7 (ReadPropertyMultiple) and 16.10 (I-Am).
 *
 * Evidence: I-Am gives the device instance and vendor identifier;
 * ReadProperty-ACK and ReadPropertyMultiple-ACK about a device object give
 * vendor-name, model-name, firmware-revision, application-software-version,
 * object-name, location and description.  A Forwarded-NPDU names the
 * original sender (IP and port), which the facts are about.  A message that
 * a router relayed from another BACnet network (NPDU SNET present) is about
 * a device behind that router, which has no IP of its own: it is noted on
 * the router, not mixed into the router's identity.
 */
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "oppend.h"
#include "sw_limits.h"

#define BACNET_PORT	47808
#define BVLC_TYPE	0x81

/* BVLC functions carrying an NPDU */
#define BVLC_FORWARDED	0x04
#define BVLC_DIST_BCAST	0x09
#define BVLC_UNICAST	0x0a
#define BVLC_BROADCAST	0x0b

/* APDU types and services */
#define PDU_CONFIRMED	0
#define PDU_UNCONFIRMED	1
#define PDU_SIMPLE_ACK	2
#define PDU_COMPLEX_ACK	3
#define PDU_ERROR	5
#define PDU_REJECT	6
#define PDU_ABORT	7
#define SVC_I_AM	0
#define SVC_READ_PROP	12
#define SVC_READ_PROP_M	14

#define OBJ_DEVICE	8

/* Property identifiers */
#define PROP_APP_SW_VERSION	12
#define PROP_DESCRIPTION	28
#define PROP_FIRMWARE_REV	44
#define PROP_LOCATION		58
#define PROP_MODEL_NAME		70
#define PROP_OBJECT_NAME	77
#define PROP_VENDOR_ID		120
#define PROP_VENDOR_NAME	121

/* Application tags */
#define TAG_UNSIGNED	2
#define TAG_CHARSTRING	7
#define TAG_ENUMERATED	9
#define TAG_OBJECT_ID	12

/* Character sets (20.2.9) */
#define CS_UTF8		0
#define CS_UCS2		4
#define CS_LATIN1	5


enum bacnet_counter {
	C_I_AM,
	C_READ_PROP_ACK,
	C_FORWARDED,
	C_ROUTED,		/* APDUs relayed from a remote network (SNET) */
	C_NETWORK_MSG,		/* network layer messages (no APDU) */
	C_SEGMENTED,		/* segmented ACKs, not reassembled */
	C_BAD_CHARSET,		/* strings in a character set we do not convert */
	C_OPS,			/* operation requests reported */
	C_OPS_DROPPED,		/* operation requests dropped unanswered: OP_PEND_MAX full */
	C_OPS_UNMATCHED,	/* ACK / Error / Reject / Abort of an operation to no request */
};

struct bacnet_state {
	struct op_pend_table ops;	/* operation requests by invoke id */
};

/* Who the APDU is about: the datagram's sender or a forwarded original. */
struct who {
	bool		 forwarded;
	struct asset_ref ref;
};

struct tag {
	uint8_t		 num;
	bool		 ctx;		/* context-specific class */
	bool		 open, close;	/* context opening / closing tag */
	uint32_t	 len;		/* content length (or boolean value) */
};

static void
fact(struct diss_ctx *dc, const struct who *w, struct fact_name attr,
    const void *val, size_t len, struct fact_name src, uint8_t conf)
{
	if (w->forwarded)
		diss_fact_ref_fn(dc, &w->ref, attr, val, len, src, conf);
	else
		diss_fact_fn(dc, SIDE_SRC, attr, val, len, src, conf);
}

static void
factf(struct diss_ctx *dc, const struct who *w, struct fact_name attr,
    struct fact_name src, uint8_t conf, const char *fmt, unsigned v)
{
	char buf[32];

	/* fmt is a prefix and "%u" ("bacnet:%u"): no printf for every I-Am */
	fact(dc, w, attr, buf, diss_num_text(buf, sizeof(buf), fmt, strcspn(fmt, "%"), v), src, conf);
}

/* --- tags (20.2.1) -------------------------------------------------------- */

/*
 * Tag octet: tag number 4 bits (15: extended, next octet) | class 1 bit |
 * length/value/type 3 bits (5: extended length in the next octet, 254:
 * 2 more octets, 255: 4 more; context 6 opening, 7 closing).
 */
static bool
tag_read(struct cur *c, struct tag *t)
{
	uint8_t b, x, lvt;
	uint16_t l16;

	memset(t, 0, sizeof(*t));
	if (!cur_u8(c, &b))
		return false;
	t->num = b >> 4;
	t->ctx = (b & 0x08) != 0;
	lvt = b & 0x07;
	if (t->num == 15) {
		if (!cur_u8(c, &x))
			return false;
		t->num = x;
	}
	if (t->ctx && lvt == 6) {
		t->open = true;
		return true;
	}
	if (t->ctx && lvt == 7) {
		t->close = true;
		return true;
	}
	if (lvt < 5) {
		t->len = lvt;
		return true;
	}
	if (!cur_u8(c, &x))
		return false;
	if (x < 254)
		t->len = x;
	else if (x == 254 && cur_be16(c, &l16))
		t->len = l16;
	else if (x != 255 || !cur_be32(c, &t->len))
		return false;
	return true;
}

/* Content octets of a primitive tag (application boolean has none). */
static bool
tag_content(struct cur *c, const struct tag *t, struct cur *val)
{
	if (!t->ctx && t->num == 1) {
		*val = cur_make(NULL, 0);
		return true;
	}
	return cur_take(c, t->len, val);
}

static bool
uint_value(struct cur *val, uint32_t *v)
{
	uint8_t b;
	size_t n = cur_left(val);

	if (n == 0 || n > 4)
		return false;
	*v = 0;
	while (cur_u8(val, &b))
		*v = *v << 8 | b;
	return true;
}

/*
 * Skip one value: a primitive tag, or everything up to the matching closing
 * tag.  Nesting deeper than BACNET_MAX_DEPTH stops it and sets *too_deep
 * (if given), which makes the APDU malformed.
 */
static bool
skip_value(struct cur *c, const struct tag *first, bool *too_deep)
{
	struct tag t;
	struct cur val;
	int depth = first->open ? 1 : 0;

	if (!first->open)
		return !first->close && tag_content(c, first, &val);
	for (int n = 0; depth > 0 && n < DISS_MAX_ITEMS; n++) {
		if (!tag_read(c, &t))
			return false;
		if (t.open && ++depth > BACNET_MAX_DEPTH) {
			if (too_deep)
				*too_deep = true;
			return false;
		}
		if (t.close)
			depth--;
		else if (!t.open && !tag_content(c, &t, &val))
			return false;
	}
	return depth == 0;
}

/* Expect a context tag number num (primitive); its content in val. */
static bool
ctx_value(struct cur *c, uint8_t num, struct cur *val)
{
	struct tag t;

	return tag_read(c, &t) && t.ctx && !t.open && !t.close && t.num == num &&
	    tag_content(c, &t, val);
}

static bool
peek_is(const struct cur *c, uint8_t num, bool open, bool close)
{
	struct cur t = *c;
	struct tag tg;

	return tag_read(&t, &tg) && tg.ctx && tg.num == num && tg.open == open &&
	    tg.close == close;
}

/* --- character strings (20.2.9) ---------------------------------------- */

static size_t
utf8_put(uint8_t *out, size_t at, size_t cap, uint32_t cp)
{
	if (cp < 0x80 && at + 1 <= cap) {
		out[at] = (uint8_t)cp;
		return at + 1;
	}
	if (cp < 0x800 && at + 2 <= cap) {
		out[at] = (uint8_t)(0xc0 | cp >> 6);
		out[at + 1] = (uint8_t)(0x80 | (cp & 0x3f));
		return at + 2;
	}
	if (cp >= 0x800 && cp <= 0xffff && at + 3 <= cap) {
		out[at] = (uint8_t)(0xe0 | cp >> 12);
		out[at + 1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		out[at + 2] = (uint8_t)(0x80 | (cp & 0x3f));
		return at + 3;
	}
	return at;
}

/*
 * Character string: character set 1 | characters.  UTF-8 is kept as is;
 * ISO 8859-1 and UCS-2 (big endian) are converted to UTF-8 into out.
 * Returns the length, 0 for an empty string or a set not converted.
 */
static size_t
char_string(struct diss_ctx *dc, struct cur *val, uint8_t *out, size_t cap)
{
	uint8_t cs, b;
	uint16_t u;
	size_t n = 0;

	if (!cur_u8(val, &cs))
		return 0;
	switch (cs) {
	case CS_UTF8:
		n = cur_left(val) < cap ? cur_left(val) : cap;
		cur_copy(val, out, n);
		return n;
	case CS_LATIN1:
		while (n + 2 <= cap && cur_u8(val, &b))
			n = utf8_put(out, n, cap, b);
		return n;
	case CS_UCS2:
		while (n + 3 <= cap && cur_be16(val, &u))
			n = utf8_put(out, n, cap, u);
		return n;
	}
	diss_count(dc, C_BAD_CHARSET);
	return 0;
}

/* --- services ------------------------------------------------------------ */

/*
 * I-Am (16.10): application-tagged iAmDeviceIdentifier (object id) |
 * maxAPDULengthAccepted (unsigned) | segmentationSupported (enumerated) |
 * vendorID (unsigned).
 */
static void
i_am(struct diss_ctx *dc, const struct who *w, struct cur *c)
{
	struct tag t;
	struct cur val;
	uint32_t oid = 0, maxapdu = 0, seg = 0, vendor = 0;

	if (!tag_read(c, &t) || t.ctx || t.num != TAG_OBJECT_ID || t.len != 4 ||
	    !tag_content(c, &t, &val) || !uint_value(&val, &oid))
		return;
	if (oid >> 22 != OBJ_DEVICE)
		return;
	diss_count(dc, C_I_AM);
	factf(dc, w, FN(A_BACNET_DEV), FN("bacnet/i_am"), CONF_STATED, "%u", oid & 0x3fffff);
	if (!tag_read(c, &t) || t.ctx || t.num != TAG_UNSIGNED ||
	    !tag_content(c, &t, &val) || !uint_value(&val, &maxapdu))
		return;
	if (!tag_read(c, &t) || t.ctx || t.num != TAG_ENUMERATED ||
	    !tag_content(c, &t, &val) || !uint_value(&val, &seg))
		return;
	if (!tag_read(c, &t) || t.ctx || t.num != TAG_UNSIGNED ||
	    !tag_content(c, &t, &val) || !uint_value(&val, &vendor))
		return;
	/* the store names the vendor from the id (bacnet_vendors.csv) */
	factf(dc, w, FN(A_VENDOR_ID), FN("bacnet/i_am"), CONF_STATED, "bacnet:%u", vendor);
}

struct prop_map {
	uint32_t	 prop;
	struct fact_name attr;
	struct fact_name src;
};

static const struct prop_map props[] = {
	{ PROP_VENDOR_NAME, FN(A_VENDOR), FN("bacnet/device/vendor-name") },
	{ PROP_MODEL_NAME, FN(A_MODEL), FN("bacnet/device/model-name") },
	{ PROP_FIRMWARE_REV, FN(A_FIRMWARE), FN("bacnet/device/firmware-revision") },
	{ PROP_APP_SW_VERSION, FN(A_SOFTWARE), FN("bacnet/device/application-software-version") },
	{ PROP_OBJECT_NAME, FN(A_DEVICE_NAME), FN("bacnet/device/object-name") },
	{ PROP_LOCATION, FN(A_LOCATION), FN("bacnet/device/location") },
	{ PROP_DESCRIPTION, FN(A_DESCRIPTION), FN("bacnet/device/description") },
};

/*
 * Property values between an opening and a closing tag: for the properties
 * above the first application-tagged character string is the value;
 * vendor-identifier is an unsigned.  Consumes through the closing tag.
 */
static bool
property_values(struct diss_ctx *dc, const struct who *w, uint32_t prop,
    struct cur *c, uint8_t close_num, bool *too_deep)
{
	struct tag t;
	struct cur val;
	bool done = false;

	for (int n = 0; n < DISS_MAX_ITEMS; n++) {
		if (!tag_read(c, &t))
			return false;
		if (t.close)
			return t.num == close_num;
		if (t.open) {
			if (!skip_value(c, &t, too_deep))
				return false;
			continue;
		}
		if (!tag_content(c, &t, &val))
			return false;
		if (done || t.ctx)
			continue;
		if (t.num == TAG_CHARSTRING) {
			uint8_t text[OBS_VAL_MAX];
			size_t len = char_string(dc, &val, text, sizeof(text));

			for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++)
				if (props[i].prop == prop && len)
					fact(dc, w, props[i].attr, text, len, props[i].src,
					    CONF_STATED);
			done = true;
		} else if (t.num == TAG_UNSIGNED && prop == PROP_VENDOR_ID) {
			uint32_t v;

			if (uint_value(&val, &v))
				factf(dc, w, FN(A_VENDOR_ID), FN("bacnet/device/vendor-identifier"),
				    CONF_STATED, "bacnet:%u", v);
			done = true;
		}
	}
	return false;
}

/*
 * ReadProperty-ACK (15.5.1.3): [0] objectIdentifier | [1] propertyIdentifier
 * | [2] propertyArrayIndex OPTIONAL | [3] { propertyValue } .
 */
static void
read_property_ack(struct diss_ctx *dc, const struct who *w, struct cur *c, bool *too_deep)
{
	struct cur val;
	uint32_t oid, prop;

	if (!ctx_value(c, 0, &val) || !uint_value(&val, &oid) ||
	    !ctx_value(c, 1, &val) || !uint_value(&val, &prop))
		return;
	if (peek_is(c, 2, false, false) && !ctx_value(c, 2, &val))
		return;
	if (!peek_is(c, 3, true, false))
		return;
	diss_count(dc, C_READ_PROP_ACK);
	if (oid >> 22 != OBJ_DEVICE)
		return;
	cur_skip(c, 1);
	property_values(dc, w, prop, c, 3, too_deep);
}

/*
 * ReadPropertyMultiple-ACK (15.7.1.3), a list of:
 *   [0] objectIdentifier | [1] { list of: [2] propertyIdentifier |
 *   [3] propertyArrayIndex OPTIONAL | [4] { value } or [5] { error } }
 */
static void
read_property_multiple_ack(struct diss_ctx *dc, const struct who *w, struct cur *c,
    bool *too_deep)
{
	struct cur val;
	struct tag t;
	uint32_t oid, prop;

	for (int obj = 0; cur_left(c) > 0 && obj < DISS_MAX_ITEMS; obj++) {
		if (!ctx_value(c, 0, &val) || !uint_value(&val, &oid) ||
		    !peek_is(c, 1, true, false))
			return;
		cur_skip(c, 1);
		if (obj == 0)
			diss_count(dc, C_READ_PROP_ACK);
		for (int n = 0; n < DISS_MAX_ITEMS; n++) {
			if (peek_is(c, 1, false, true)) {
				cur_skip(c, 1);
				break;
			}
			if (!ctx_value(c, 2, &val) || !uint_value(&val, &prop))
				return;
			if (peek_is(c, 3, false, false) && !ctx_value(c, 3, &val))
				return;
			if (!tag_read(c, &t) || !t.open)
				return;
			if (t.num == 4 && oid >> 22 == OBJ_DEVICE) {
				if (!property_values(dc, w, prop, c, 4, too_deep))
					return;
			} else if (!skip_value(c, &t, too_deep))
				return;
		}
	}
}

/* --- operations (clauses 14-16) -------------------------------------------- */

/* Confirmed services that change a device (clause 21 BACnetConfirmedServiceChoice). */
#define SVC_READ_FILE		6
#define SVC_WRITE_FILE		7
#define SVC_CREATE_OBJECT	10
#define SVC_DELETE_OBJECT	11
#define SVC_WRITE_PROP		15
#define SVC_WRITE_PROP_M	16
#define SVC_DCC			17
#define SVC_REINIT		20

static struct op_pend_table *
ops_of(struct diss_ctx *dc)
{
	struct bacnet_state *st = dc->state;

	return st ? &st->ops : NULL;
}

static const char *
object_type_name(unsigned t)
{
	static const char *const names[] = {
		[0] = "analog-input", [1] = "analog-output", [2] = "analog-value",
		[3] = "binary-input", [4] = "binary-output", [5] = "binary-value",
		[6] = "calendar", [7] = "command", [8] = "device", [10] = "file",
		[13] = "multi-state-input", [14] = "multi-state-output", [17] = "schedule",
		[19] = "multi-state-value",
	};

	return t < sizeof(names) / sizeof(names[0]) && names[t] ? names[t] : NULL;
}

/* "analog-value 3" (or "object-type 130 3") from a BACnetObjectIdentifier. */
static void
object_text(uint32_t oid, char *out, size_t outsz)
{
	const char *n = object_type_name(oid >> 22);

	if (n)
		snprintf(out, outsz, "%s %u", n, oid & 0x3fffff);
	else
		snprintf(out, outsz, "object-type %u %u", oid >> 22, oid & 0x3fffff);
}

static void
property_text(uint32_t prop, char *out, size_t outsz)
{
	switch (prop) {
	case 85:	snprintf(out, outsz, "present-value"); break;
	case 77:	snprintf(out, outsz, "object-name"); break;
	case 28:	snprintf(out, outsz, "description"); break;
	case 81:	snprintf(out, outsz, "out-of-service"); break;
	case 104:	snprintf(out, outsz, "relinquish-default"); break;
	default:	snprintf(out, outsz, "property %u", prop); break;
	}
}

/*
 * WriteProperty-Request: objectIdentifier [0] | propertyIdentifier [1] |
 * propertyArrayIndex [2] opt | propertyValue [3] (open/close) | priority [4] opt.
 */
static void
write_property(struct cur c, char *out, size_t outsz)
{
	struct cur v;
	struct tag t;
	uint32_t oid, prop, prio;
	char obj[40], pr[32];

	snprintf(out, outsz, "WriteProperty");
	if (!ctx_value(&c, 0, &v) || !uint_value(&v, &oid) || !ctx_value(&c, 1, &v) ||
	    !uint_value(&v, &prop))
		return;
	object_text(oid, obj, sizeof(obj));
	property_text(prop, pr, sizeof(pr));
	snprintf(out, outsz, "WriteProperty %s %s", obj, pr);
	if (peek_is(&c, 2, false, false) && !ctx_value(&c, 2, &v))
		return;
	if (!tag_read(&c, &t) || !t.open || t.num != 3 || !skip_value(&c, &t, NULL))
		return;	/* (only the detail ends here: the request was reported) */
	if (ctx_value(&c, 4, &v) && uint_value(&v, &prio)) {
		size_t used = strlen(out);

		snprintf(out + used, outsz - used, " priority %u", prio);
	}
}

/*
 * WritePropertyMultiple-Request: { objectIdentifier [0] | listOfProperties
 * [1] (open/close) } ...: the objects are named.
 */
static void
write_property_multiple(struct cur c, char *out, size_t outsz)
{
	struct cur v;
	struct tag t;
	uint32_t oid;
	char obj[40];

	snprintf(out, outsz, "WritePropertyMultiple");
	for (int n = 0; cur_left(&c) > 0 && n < DISS_MAX_ITEMS; n++) {
		size_t used = strlen(out);

		if (!ctx_value(&c, 0, &v) || !uint_value(&v, &oid))
			return;
		object_text(oid, obj, sizeof(obj));
		snprintf(out + used, outsz - used, "%s%s", n ? ", " : " ", obj);
		if (!tag_read(&c, &t) || !t.open || t.num != 1 || !skip_value(&c, &t, NULL))
			return;
	}
}

/* AtomicWriteFile-Request: fileIdentifier (application object id) | stream [0] / record [1] access. */
static void
atomic_write_file(struct cur c, char *out, size_t outsz)
{
	struct tag t;
	struct cur v;
	uint32_t oid;

	snprintf(out, outsz, "AtomicWriteFile");
	if (tag_read(&c, &t) && !t.ctx && t.num == TAG_OBJECT_ID && tag_content(&c, &t, &v) &&
	    uint_value(&v, &oid))
		snprintf(out, outsz, "AtomicWriteFile file %u", oid & 0x3fffff);
}

/*
 * ReinitializeDevice-Request: reinitializedStateOfDevice [0] | password [1] opt.
 * coldstart 0, warmstart 1, startbackup 2, endbackup 3, startrestore 4,
 * endrestore 5, abortrestore 6, activate-changes 7 (135-2016).  A cold
 * start is restart_cold, every other state restart_warm (named in detail).
 */
static enum op_kind
reinitialize(struct cur c, char *out, size_t outsz, struct fact_name *src)
{
	static const char *const states[] = { "coldstart", "warmstart", "startbackup",
	    "endbackup", "startrestore", "endrestore", "abortrestore", "activate-changes" };
	struct cur v;
	uint32_t state;

	*src = FN("bacnet/reinitialize_device");
	if (!ctx_value(&c, 0, &v) || !uint_value(&v, &state) || state > 7) {
		snprintf(out, outsz, "ReinitializeDevice");
		return OP_RESTART_WARM;
	}
	snprintf(out, outsz, "ReinitializeDevice %s", states[state]);
	return state == 0 ? OP_RESTART_COLD : OP_RESTART_WARM;
}

/*
 * DeviceCommunicationControl-Request: timeDuration [0] opt (minutes) |
 * enable-disable [1] (enable 0, disable 1, disable-initiation 2) | password [2] opt.
 */
static void
device_comm_control(struct cur c, char *out, size_t outsz)
{
	static const char *const modes[] = { "enable", "disable", "disable-initiation" };
	struct cur v;
	uint32_t minutes = 0, mode;
	bool timed = false;

	snprintf(out, outsz, "DeviceCommunicationControl");
	if (peek_is(&c, 0, false, false)) {
		if (!ctx_value(&c, 0, &v) || !uint_value(&v, &minutes))
			return;
		timed = true;
	}
	if (!ctx_value(&c, 1, &v) || !uint_value(&v, &mode) || mode > 2)
		return;
	if (timed)
		snprintf(out, outsz, "DeviceCommunicationControl %s for %u min", modes[mode], minutes);
	else
		snprintf(out, outsz, "DeviceCommunicationControl %s", modes[mode]);
}

/* The operation a confirmed request asks for; OP_NONE if it is none. */
static enum op_kind
confirmed_op(uint8_t svc, struct cur req, char *detail, size_t dsz, struct fact_name *src)
{
	switch (svc) {
	case SVC_WRITE_PROP:
		*src = FN("bacnet/write_property");
		write_property(req, detail, dsz);
		return OP_CONTROL_OPERATE;
	case SVC_WRITE_PROP_M:
		*src = FN("bacnet/write_property_multiple");
		write_property_multiple(req, detail, dsz);
		return OP_CONTROL_OPERATE;
	case SVC_WRITE_FILE:
		*src = FN("bacnet/atomic_write_file");
		atomic_write_file(req, detail, dsz);
		return OP_FILE_WRITE;
	case SVC_DCC:
		*src = FN("bacnet/device_communication_control");
		device_comm_control(req, detail, dsz);
		return OP_MODE_CHANGE;
	case SVC_REINIT:
		return reinitialize(req, detail, dsz, src);
	case SVC_CREATE_OBJECT:
	case SVC_DELETE_OBJECT:
		*src = svc == SVC_CREATE_OBJECT ? FN("bacnet/create_object") :
		    FN("bacnet/delete_object");
		snprintf(detail, dsz, svc == SVC_CREATE_OBJECT ? "CreateObject" : "DeleteObject");
		return OP_CONFIG_CHANGE;
	}
	return OP_NONE;
}

static bool
is_op_service(uint8_t svc)
{
	return svc == SVC_WRITE_PROP || svc == SVC_WRITE_PROP_M || svc == SVC_WRITE_FILE ||
	    svc == SVC_DCC || svc == SVC_REINIT || svc == SVC_CREATE_OBJECT ||
	    svc == SVC_DELETE_OBJECT;
}

/*
 * Confirmed-Request: type/flags 1 (SEG 0x08, MOR 0x04, SA 0x02) | max
 * segments / max APDU 1 | invoke id 1 | [sequence 1, window 1 if SEG] |
 * service choice 1 | request.  A segment after the first carries no
 * start of the request: only the first is reported.
 */
static void
confirmed_request(struct diss_ctx *dc, uint8_t b0, struct cur *c)
{
	uint8_t maxes, invoke, seq = 0, window, svc;
	char detail[160];
	struct fact_name src;
	enum op_kind kind;

	detail[0] = '\0';	/* a string: zeroing all 160 bytes cost every request */
	if (!cur_u8(c, &maxes) || !cur_u8(c, &invoke))
		return;
	if ((b0 & 0x08) && (!cur_u8(c, &seq) || !cur_u8(c, &window)))
		return;
	if (!cur_u8(c, &svc) || seq != 0)
		return;
	if ((kind = confirmed_op(svc, *c, detail, sizeof(detail), &src)) == OP_NONE)
		return;
	diss_count(dc, C_OPS);
	if (!op_pend_request(dc, ops_of(dc), invoke, SIDE_SRC, kind, src, detail, strlen(detail)))
		diss_count(dc, C_OPS_DROPPED);
}

/*
 * The answer to a confirmed request: SimpleACK / ComplexACK (ok), Error,
 * Reject, Abort (failed).  Simple and complex ACK and Error: type 1 |
 * invoke id 1 | service choice 1 (complex: sequence and window first when
 * segmented); Reject and Abort: type 1 | invoke id 1 | reason 1.
 */
static void
confirmed_answer(struct diss_ctx *dc, uint8_t b0, struct cur c)
{
	uint8_t type = b0 >> 4, invoke, svc = 0, seq, window;
	bool known;

	if (!cur_u8(&c, &invoke))
		return;
	if (type == PDU_COMPLEX_ACK && (b0 & 0x08) && (!cur_u8(&c, &seq) || !cur_u8(&c, &window)))
		return;
	if (type == PDU_SIMPLE_ACK || type == PDU_COMPLEX_ACK || type == PDU_ERROR)
		cur_u8(&c, &svc);
	known = op_pend_waiting(ops_of(dc), invoke, dc->dir);
	if (known)
		op_pend_reply(dc, ops_of(dc), invoke, type == PDU_SIMPLE_ACK || type == PDU_COMPLEX_ACK);
	else if (is_op_service(svc))
		diss_count(dc, C_OPS_UNMATCHED);
}

/*
 * APDU: type 4 bits | flags 4 bits | ...
 *   unconfirmed request: service choice 1 | service request
 *   complex ACK: invoke id 1 | [sequence 1, window 1 if segmented] |
 *   service choice 1 | service ACK
 * Malformed only when a value nests deeper than BACNET_MAX_DEPTH; an ACK
 * cut short or oddly built just ends what it tells.
 */
static enum diss_rc
apdu(struct diss_ctx *dc, const struct who *w, struct cur *c)
{
	uint8_t b0, svc, invoke;
	bool too_deep = false;

	if (!cur_u8(c, &b0))
		return DISS_OK;
	if (!w->forwarded) {		/* operations between the two ends of this datagram */
		if (b0 >> 4 == PDU_CONFIRMED)
			confirmed_request(dc, b0, c);
		else if (b0 >> 4 == PDU_SIMPLE_ACK || b0 >> 4 == PDU_COMPLEX_ACK ||
		    b0 >> 4 >= PDU_ERROR)
			confirmed_answer(dc, b0, *c);
	}
	switch (b0 >> 4) {
	case PDU_UNCONFIRMED:
		if (cur_u8(c, &svc) && svc == SVC_I_AM)
			i_am(dc, w, c);
		break;
	case PDU_COMPLEX_ACK:
		if (b0 & 0x08) {
			diss_count(dc, C_SEGMENTED);
			break;
		}
		if (!cur_u8(c, &invoke) || !cur_u8(c, &svc))
			break;
		if (svc == SVC_READ_PROP)
			read_property_ack(dc, w, c, &too_deep);
		else if (svc == SVC_READ_PROP_M)
			read_property_multiple_ack(dc, w, c, &too_deep);
		break;
	}
	return too_deep ? DISS_MALFORMED : DISS_OK;
}

/*
 * NPDU (6.2): version 1 (1) | control 1 | [DNET 2, DLEN 1, DADR DLEN] if
 * bit 5 | [SNET 2, SLEN 1, SADR SLEN] if bit 3 | [hop count 1] if bit 5 |
 * network message type 1 (+ vendor id 2 if >= 0x80) if bit 7, else APDU.
 */
static enum diss_rc
npdu(struct diss_ctx *dc, struct who *w, struct cur *c)
{
	uint8_t ver, ctl, dlen, slen, hop, sadr[8];
	uint16_t dnet, snet = 0;

	if (!cur_u8(c, &ver) || !cur_u8(c, &ctl))
		return DISS_SHORT;
	if (ver != 1)
		return DISS_MALFORMED;
	if ((ctl & 0x20) && (!cur_be16(c, &dnet) || !cur_u8(c, &dlen) || !cur_skip(c, dlen)))
		return DISS_SHORT;
	if (ctl & 0x08) {
		if (!cur_be16(c, &snet) || !cur_u8(c, &slen) || slen == 0 || slen > sizeof(sadr) ||
		    !cur_copy(c, sadr, slen))
			return cur_ok(c) ? DISS_MALFORMED : DISS_SHORT;
	}
	if ((ctl & 0x20) && !cur_u8(c, &hop))
		return DISS_SHORT;
	diss_pdu(dc);
	if (ctl & 0x80) {
		diss_count(dc, C_NETWORK_MSG);
		return DISS_OK;
	}
	if (ctl & 0x08) {
		struct cur peek = *c;
		uint8_t b0, svc;
		struct tag t;
		struct cur val;
		uint32_t oid;

		diss_count(dc, C_ROUTED);
		/* a remote device's I-Am: note it on the router that relayed it */
		if (cur_u8(&peek, &b0) && b0 >> 4 == PDU_UNCONFIRMED &&
		    cur_u8(&peek, &svc) && svc == SVC_I_AM && tag_read(&peek, &t) &&
		    !t.ctx && t.num == TAG_OBJECT_ID && tag_content(&peek, &t, &val) &&
		    uint_value(&val, &oid) && oid >> 22 == OBJ_DEVICE) {
			char note[64];
			int n = snprintf(note, sizeof(note), "routes bacnet device %u (network %u)",
			    oid & 0x3fffff, snet);

			if (n > 0 && (size_t)n < sizeof(note))
				fact(dc, w, FN(A_NOTE), note, (size_t)n, FN("bacnet/i_am/routed"),
				    CONF_STATED);
			diss_fact_str(dc, SIDE_SRC, A_ROLE, R_GATEWAY, "bacnet/npdu/snet",
			    CONF_INFERRED);
		}
		return DISS_OK;
	}
	return apdu(dc, w, c);
}

/*
 * BVLC (Annex J.2): type 1 (0x81) | function 1 | length 2 (whole message)
 * | for Forwarded-NPDU: original source IP 4, port 2 | NPDU.
 */
static enum diss_rc
bacnet_parse(struct diss_ctx *dc, struct cur *c)
{
	uint8_t type, fn, ip[4];
	uint16_t len, port;
	struct cur msg;
	struct who w;
	enum diss_rc rc;

	memset(&w, 0, sizeof(w));
	if (!cur_u8(c, &type) || !cur_u8(c, &fn) || !cur_be16(c, &len))
		return DISS_SHORT;
	if (type != BVLC_TYPE)
		return DISS_NOT_MINE;
	if (len < 4)
		return DISS_MALFORMED;
	if (!cur_take(c, len - 4u, &msg))
		return DISS_SHORT;
	switch (fn) {
	case BVLC_FORWARDED:
		if (!cur_copy(&msg, ip, 4) || !cur_be16(&msg, &port))
			return DISS_SHORT;
		diss_count(dc, C_FORWARDED);
		w.forwarded = true;
		ip_set4(&w.ref.ip, ip);
		break;
	case BVLC_DIST_BCAST:
	case BVLC_UNICAST:
	case BVLC_BROADCAST:
		break;
	default:
		diss_pdu(dc);		/* BVLL management: nothing about identity */
		return DISS_OK;
	}
	rc = npdu(dc, &w, &msg);
	cur_skip(c, cur_left(c));
	return rc;
}

/* BVLC type 0x81, a known function, and a length equal to the datagram. */
static bool
bacnet_probe(const struct cur *c, int dir)
{
	uint8_t type, fn;
	uint16_t len;

	(void)dir;
	return cur_peek_u8(c, 0, &type) && type == BVLC_TYPE &&
	    cur_peek_u8(c, 1, &fn) && fn <= 0x0c &&
	    cur_peek_be16(c, 2, &len) && len == cur_left(c);
}

const struct dissector dis_bacnet = {
	.name = "bacnet",
	.transport = L4_UDP,
	.ports = { BACNET_PORT },
	.state_size = sizeof(struct bacnet_state),
	.probe = bacnet_probe,
	.parse = bacnet_parse,
	.counter_names = { "i_am", "read_property_ack", "forwarded_npdu", "routed_apdu",
	    "network_messages", "segmented_acks", "unconverted_charset", "ops", "ops_dropped",
	    "ops_unmatched", NULL },
};
