/*
 * enip.c - EtherNet/IP encapsulation and the CIP Identity object.
 *
 * References: ODVA, The CIP Networks Library vol. 2 (EtherNet/IP
 * adaptation of CIP), ch. 2 "Encapsulation protocol"; vol. 1 (CIP common
 * specification): message router request/response (2-4), EPATH segments
 * (C-1), Identity object class 0x01 (5-2), Connection Manager class 0x06
 * Unconnected_Send 0x52 and Forward_Open 0x54 (3-5).
 *
 * TCP/UDP 44818 carry the encapsulation; UDP 2222 carries class 0/1 I/O,
 * which is only counted.  Facts come from ListIdentity replies and from
 * Get_Attributes_All / Get_Attribute_Single replies about class 1, which
 * are matched to their request through a small per-flow table: by sender
 * context for unconnected messages, by CIP sequence count for connected.
 *
 * A request routed by Unconnected_Send to a backplane slot is answered by
 * the module in that slot, through the IP of the EtherNet/IP module: its
 * identity is reported on that IP with the source "cip/identity/slot N"
 * at lower confidence than what the IP's own module states (docs/DISSECTORS.md).
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "sw_limits.h"

#define ENIP_PORT		44818
#define ENIP_IO_PORT		2222
#define ENIP_HDR_LEN		24

/* Encapsulation commands */
#define ENC_NOP			0x0000
#define ENC_LIST_SERVICES	0x0004
#define ENC_LIST_IDENTITY	0x0063
#define ENC_LIST_INTERFACES	0x0064
#define ENC_REGISTER_SESSION	0x0065
#define ENC_UNREGISTER_SESSION	0x0066
#define ENC_SEND_RR_DATA	0x006f
#define ENC_SEND_UNIT_DATA	0x0070
#define ENC_INDICATE_STATUS	0x0072
#define ENC_CANCEL		0x0073

/* Common packet format item types */
#define CPF_NULL_ADDR		0x0000
#define CPF_IDENTITY		0x000c
#define CPF_CONN_ADDR		0x00a1
#define CPF_CONN_DATA		0x00b1
#define CPF_UNCONN_DATA		0x00b2

/* CIP services, classes */
#define CIP_REPLY		0x80
#define SVC_GET_ATTR_ALL	0x01
#define SVC_GET_ATTR_SINGLE	0x0e
#define SVC_UNCONN_SEND		0x52
#define SVC_FWD_OPEN		0x54
#define SVC_LARGE_FWD_OPEN	0x5b
#define SVC_SET_ATTR_ALL	0x02
#define SVC_SET_ATTR_LIST	0x04
#define SVC_RESET		0x05
#define SVC_START		0x06
#define SVC_STOP		0x07
#define SVC_MULTIPLE		0x0a
#define SVC_SET_ATTR_SINGLE	0x10
#define SVC_VENDOR_LOCK		0x4b	/* Rockwell, on the controller object */
#define SVC_VENDOR_UNLOCK	0x4c
#define CLASS_IDENTITY		0x01
#define CLASS_MSG_ROUTER	0x02
#define CLASS_CONN_MGR		0x06
#define CLASS_FILE		0x37
#define CLASS_TIME_SYNC		0x43
#define CLASS_WALL_CLOCK	0x8b
#define CLASS_CONTROLLER	0x8e	/* Rockwell Logix controller object */
#define CLASS_TCPIP		0xf5
#define CLASS_ETH_LINK		0xf6
#define CIP_DEV_PLC		0x0e	/* device profile: programmable logic controller */

enum enip_counter {
	C_LIST_IDENTITY,	/* ListIdentity replies parsed */
	C_CIP_IDENTITY,		/* identity replies matched to a request */
	C_IO,			/* UDP 2222 I/O datagrams */
	C_ROUTED,		/* Unconnected_Send requests routed to a slot */
	C_FWD_OPEN,		/* Forward_Open replies */
	C_CIP_ERROR,		/* identity requests answered with an error */
	C_UNMATCHED,		/* replies without a recorded request */
	C_OPS,			/* operation requests reported */
	C_OPS_DROPPED,		/* operation requests overwritten before their reply */
};

struct cip_req {
	uint64_t	 key;		/* sender context, or CONN_KEY | sequence */
	uint16_t	 cls, inst, attr;
	uint8_t		 service;
	int16_t		 slot;		/* backplane slot when routed, else -1 */
	bool		 used;
	/* its operations: one, or those of a Multiple_Service_Packet by index */
	uint8_t		 nops;
	uint8_t		 op_kind[ENIP_MSP_OPS];	/* enum op_kind */
	uint8_t		 op_at[ENIP_MSP_OPS];	/* index of the embedded request */
	struct fact_name op_src[ENIP_MSP_OPS];
};

struct enip_state {
	struct cip_req	 pend[ENIP_MAX_PENDING];
	unsigned	 next;
};

#define CONN_KEY	(1ull << 63)

struct cip_path {
	uint16_t	 cls, inst, attr;	/* the last of each */
	uint16_t	 first_cls;		/* the first class (Rockwell nests 0x8e / 0x74) */
	bool		 has_cls, has_inst, has_attr;
	int		 slot;		/* first port segment's 1-byte link address, or -1 */
};

struct cip_identity {
	uint16_t	 vendor, devtype, product;
	uint8_t		 major, minor;
	uint32_t	 serial;
	const uint8_t	*name;
	uint8_t		 name_len;
	/* which fields the message carried (Get_Attribute_Single: one) */
	bool		 has_vendor, has_devtype, has_product, has_rev, has_serial;
};

/* Evidence sources: literals (dissector.h), one per origin. */
static const struct fact_name src_slots[] = {
	FN("cip/identity/slot 0"), FN("cip/identity/slot 1"), FN("cip/identity/slot 2"),
	FN("cip/identity/slot 3"), FN("cip/identity/slot 4"), FN("cip/identity/slot 5"),
	FN("cip/identity/slot 6"), FN("cip/identity/slot 7"), FN("cip/identity/slot 8"),
	FN("cip/identity/slot 9"), FN("cip/identity/slot 10"), FN("cip/identity/slot 11"),
	FN("cip/identity/slot 12"), FN("cip/identity/slot 13"), FN("cip/identity/slot 14"),
	FN("cip/identity/slot 15"), FN("cip/identity/slot 16"),
};

static struct fact_name
slot_src(int slot)
{
	if (slot < 0)
		return FN("cip/identity");
	if ((size_t)slot < sizeof(src_slots) / sizeof(src_slots[0]))
		return src_slots[slot];
	return FN("cip/identity/routed");
}

static bool
known_command(uint16_t cmd)
{
	switch (cmd) {
	case ENC_NOP: case ENC_LIST_SERVICES: case ENC_LIST_IDENTITY:
	case ENC_LIST_INTERFACES: case ENC_REGISTER_SESSION:
	case ENC_UNREGISTER_SESSION: case ENC_SEND_RR_DATA:
	case ENC_SEND_UNIT_DATA: case ENC_INDICATE_STATUS: case ENC_CANCEL:
		return true;
	}
	return false;
}

/* Defined or reserved-for-legacy (0x0001-0x00c7): skipped, not rejected. */
static bool
valid_command(uint16_t cmd)
{
	return cmd <= 0x00c7;
}

static bool
is_io_flow(const struct diss_ctx *dc)
{
	const struct diss_flow *f = &dc->flow;

	return f->transport == L4_UDP &&
	    (f->srv_port == ENIP_IO_PORT || f->cli_port == ENIP_IO_PORT);
}

/* --- identity facts --------------------------------------------------- */

static void
emit_identity(struct diss_ctx *dc, enum side s, const struct cip_identity *id,
    struct fact_name src, uint8_t conf)
{
	/* the store names the vendor from the id (cip_vendors.csv) */
	if (id->has_vendor)
		diss_factf_fn(dc, s, FN(A_VENDOR_ID), src, conf, "cip:%u", id->vendor);
	if (id->has_devtype) {
		diss_factf_fn(dc, s, FN(A_DEVICE_TYPE), src, conf, "cip:%u", id->devtype);
		if (id->devtype == CIP_DEV_PLC)
			diss_fact_str_fn(dc, s, FN(A_ROLE), R_PLC, src, CONF_INFERRED);
	}
	if (id->has_product)
		diss_factf_fn(dc, s, FN(A_PRODUCT_CODE), src, conf, "%u", id->product);
	if (id->has_rev)
		diss_factf_fn(dc, s, FN(A_FIRMWARE), src, conf, "%u.%u", id->major, id->minor);
	if (id->has_serial)
		diss_factf_fn(dc, s, FN(A_SERIAL), src, conf, "0x%08x", id->serial);
	if (id->name_len)
		diss_fact_fn(dc, s, FN(A_MODEL), id->name, id->name_len, src, conf);
}

/*
 * Identity object attributes 1-7, as Get_Attributes_All returns them:
 *   vendor id 2 | device type 2 | product code 2 | revision major 1, minor 1 |
 *   status 2 | serial number 4 | product name: SHORT_STRING (length 1 + chars)
 * All little endian.  Later attributes (state, ...) are not used.
 */
static bool
identity_all(struct cur *c, struct cip_identity *id)
{
	uint16_t status;

	memset(id, 0, sizeof(*id));
	cur_le16(c, &id->vendor);
	cur_le16(c, &id->devtype);
	cur_le16(c, &id->product);
	cur_u8(c, &id->major);
	cur_u8(c, &id->minor);
	cur_le16(c, &status);
	cur_le32(c, &id->serial);
	if (!cur_ok(c))
		return false;
	id->has_vendor = id->has_devtype = id->has_product = true;
	id->has_rev = id->has_serial = true;
	/* A reply cut after the serial still names the device. */
	if (cur_u8(c, &id->name_len) && !diss_str(c, id->name_len, &id->name))
		id->name_len = 0;
	return true;
}

/* One attribute (Get_Attribute_Single reply data). */
static bool
identity_attr(struct cur *c, uint16_t attr, struct cip_identity *id)
{
	memset(id, 0, sizeof(*id));
	switch (attr) {
	case 1:
		id->has_vendor = cur_le16(c, &id->vendor);
		break;
	case 2:
		id->has_devtype = cur_le16(c, &id->devtype);
		break;
	case 3:
		id->has_product = cur_le16(c, &id->product);
		break;
	case 4:
		id->has_rev = cur_u8(c, &id->major) && cur_u8(c, &id->minor);
		break;
	case 6:
		id->has_serial = cur_le32(c, &id->serial);
		break;
	case 7:
		if (cur_u8(c, &id->name_len) && !diss_str(c, id->name_len, &id->name))
			id->name_len = 0;
		break;
	default:
		return true;	/* status, state, ...: nothing we keep */
	}
	return cur_ok(c);
}

/* --- EPATH ------------------------------------------------------------ */

/* Logical segment value: 8 bit, or pad + 16 / 32 bit (format in bits 0-1). */
static bool
logical_value(struct cur *p, uint8_t seg, uint32_t *v)
{
	uint8_t u8, pad;
	uint16_t u16;

	switch (seg & 0x03) {
	case 0:
		if (!cur_u8(p, &u8))
			return false;
		*v = u8;
		return true;
	case 1:
		if (!cur_u8(p, &pad) || !cur_le16(p, &u16))
			return false;
		*v = u16;
		return true;
	case 2:
		return cur_u8(p, &pad) && cur_le32(p, v);
	}
	return false;
}

/*
 * Port segment: 0b000E PPPP [link size 1 if E] [ext port 2 if P=15]
 * [link address 1, or link size bytes] [pad to even].
 */
static bool
port_segment(struct cur *p, uint8_t seg, struct cip_path *out)
{
	uint8_t size = 1, link = 0, pad;
	uint16_t ext;
	struct cur addr;

	if ((seg & 0x10) && !cur_u8(p, &size))
		return false;
	if ((seg & 0x0f) == 0x0f && !cur_le16(p, &ext))
		return false;
	if (!cur_take(p, size, &addr))
		return false;
	if ((seg & 0x10) && (size & 1) && !cur_u8(p, &pad))
		return false;
	if (size == 1 && cur_u8(&addr, &link) && out->slot < 0)
		out->slot = link;
	return true;
}

/* Walk an EPATH for class / instance / attribute and the first slot. */
static void
cip_path_parse(struct cur *p, struct cip_path *out)
{
	memset(out, 0, sizeof(*out));
	out->slot = -1;
	for (int n = 0; cur_left(p) > 0 && n < DISS_MAX_ITEMS; n++) {
		uint8_t seg, keyfmt;
		uint32_t v;

		if (!cur_u8(p, &seg))
			return;
		if ((seg & 0xe0) == 0x00) {
			if (!port_segment(p, seg, out))
				return;
			continue;
		}
		if ((seg & 0xe0) != 0x20)
			return;		/* symbolic / data / network: not needed */
		if (seg == 0x34) {	/* electronic key: format 4 + 8 bytes */
			if (!cur_u8(p, &keyfmt) || keyfmt != 4 || !cur_skip(p, 8))
				return;
			continue;
		}
		if (!logical_value(p, seg, &v))
			return;
		switch ((seg >> 2) & 0x07) {
		case 0:
			if (!out->has_cls)
				out->first_cls = (uint16_t)v;
			out->cls = (uint16_t)v;
			out->has_cls = true;
			break;
		case 1:
			out->inst = (uint16_t)v;
			out->has_inst = true;
			break;
		case 4:
			out->attr = (uint16_t)v;
			out->has_attr = true;
			break;
		}
	}
}

/* --- request / reply matching ------------------------------------------ */

/* An operation a request asks for (ops.h), as cip_op_of() names it. */
struct cip_op {
	enum op_kind	 kind;
	struct fact_name src;		/* service (dissector.h: a literal) */
	char		 detail[160];
};

/* The operations of one request, for its pending entry. */
struct cip_oplist {
	uint8_t		 n;
	uint8_t		 kind[ENIP_MSP_OPS], at[ENIP_MSP_OPS];
	struct fact_name src[ENIP_MSP_OPS];
};

static void
remember(struct diss_ctx *dc, uint64_t key, uint8_t service,
    const struct cip_path *path, int slot, const struct cip_oplist *ops)
{
	struct enip_state *st = dc->state;
	struct cip_req *r;

	if (st == NULL)
		return;
	/* Clients that reuse one context get the newest request matched. */
	r = NULL;
	for (unsigned i = 0; i < ENIP_MAX_PENDING && r == NULL; i++)
		if (st->pend[i].used && st->pend[i].key == key)
			r = &st->pend[i];
	if (r == NULL)
		r = &st->pend[st->next++ % ENIP_MAX_PENDING];
	if (r->used && r->nops > 0)
		diss_count(dc, C_OPS_DROPPED);	/* its outcome is lost */
	r->key = key;
	r->service = service;
	r->cls = path->cls;
	r->inst = path->inst;
	r->attr = path->attr;
	r->slot = (int16_t)slot;
	r->used = true;
	r->nops = ops ? ops->n : 0;
	for (unsigned i = 0; i < r->nops; i++) {
		r->op_kind[i] = ops->kind[i];
		r->op_at[i] = ops->at[i];
		r->op_src[i] = ops->src[i];
	}
}

static bool
take_request(struct enip_state *st, uint64_t key, struct cip_req *out)
{
	if (st == NULL)
		return false;
	for (unsigned i = 0; i < ENIP_MAX_PENDING; i++) {
		if (st->pend[i].used && st->pend[i].key == key) {
			*out = st->pend[i];
			st->pend[i].used = false;
			return true;
		}
	}
	return false;
}

static bool
worth_matching(uint8_t service, uint16_t cls)
{
	if (service == SVC_FWD_OPEN || service == SVC_LARGE_FWD_OPEN)
		return true;
	return cls == CLASS_IDENTITY &&
	    (service == SVC_GET_ATTR_ALL || service == SVC_GET_ATTR_SINGLE);
}

/* --- operations ------------------------------------------------------------ */

static const char *
class_name(uint16_t cls)
{
	switch (cls) {
	case CLASS_IDENTITY:	return "Identity";
	case CLASS_TCPIP:	return "TCP/IP interface";
	case CLASS_ETH_LINK:	return "Ethernet link";
	case CLASS_WALL_CLOCK:	return "Wall clock time";
	case CLASS_TIME_SYNC:	return "Time sync";
	case CLASS_CONTROLLER:	return "controller";
	case CLASS_FILE:	return "File";
	}
	return "class";
}

static const char *
attr_name(uint16_t cls, uint16_t attr)
{
	if (cls == CLASS_TCPIP) {
		switch (attr) {
		case 3:	return " (configuration control)";
		case 5:	return " (interface configuration)";
		case 6:	return " (host name)";
		case 13: return " (encapsulation inactivity timeout)";
		}
	} else if (cls == CLASS_ETH_LINK) {
		switch (attr) {
		case 6:	return " (interface control)";
		case 9:	return " (admin state)";
		}
	}
	return "";
}

/*
 * TCP/IP interface configuration (attribute 5): IP address 4 | network
 * mask 4 | gateway 4 | name servers 4 + 4 | domain name: each address a
 * UDINT (little endian) whose high byte is the first octet.
 */
static void
append_ip_config(struct cur *v, char *out, size_t outsz)
{
	uint32_t ip, mask, gw;
	size_t used = strlen(out);

	cur_le32(v, &ip);
	cur_le32(v, &mask);
	cur_le32(v, &gw);
	if (!cur_ok(v))
		return;
	snprintf(out + used, outsz - used, " ip %u.%u.%u.%u mask %u.%u.%u.%u gateway %u.%u.%u.%u",
	    ip >> 24, ip >> 16 & 0xff, ip >> 8 & 0xff, ip & 0xff,
	    mask >> 24, mask >> 16 & 0xff, mask >> 8 & 0xff, mask & 0xff,
	    gw >> 24, gw >> 16 & 0xff, gw >> 8 & 0xff, gw & 0xff);
}

/*
 * Set_Attribute_Single (data: the value), _List (count 2 | attribute id 2 |
 * value ... : the first attribute is named) or _All on an object whose
 * attributes are configuration or time.
 */
static bool
set_attribute_op(uint8_t service, const struct cip_path *path, struct cur data,
    struct cip_op *op)
{
	const char *svc = service == SVC_SET_ATTR_SINGLE ? "Set_Attribute_Single" :
	    service == SVC_SET_ATTR_LIST ? "Set_Attribute_List" : "Set_Attribute_All";
	uint16_t cls = path->cls, attr = path->attr, count = 0;
	bool has_attr = path->has_attr && service == SVC_SET_ATTR_SINGLE;

	switch (cls) {
	case CLASS_WALL_CLOCK:
	case CLASS_TIME_SYNC:
		op->kind = OP_TIME_SET;
		break;
	case CLASS_IDENTITY:
	case CLASS_TCPIP:
	case CLASS_ETH_LINK:
		op->kind = OP_CONFIG_CHANGE;
		break;
	default:
		return false;
	}
	op->src = service == SVC_SET_ATTR_SINGLE ? FN("cip/set_attribute_single") :
	    service == SVC_SET_ATTR_LIST ? FN("cip/set_attribute_list") :
	    FN("cip/set_attribute_all");
	if (service == SVC_SET_ATTR_LIST && cur_le16(&data, &count) && count > 0 &&
	    cur_le16(&data, &attr))
		has_attr = true;
	if (has_attr)
		snprintf(op->detail, sizeof(op->detail), "%s %s (0x%02x) attr %u%s", svc,
		    class_name(cls), cls, attr, attr_name(cls, attr));
	else
		snprintf(op->detail, sizeof(op->detail), "%s %s (0x%02x)", svc, class_name(cls), cls);
	if (cls == CLASS_TCPIP && has_attr && attr == 5)
		append_ip_config(&data, op->detail, sizeof(op->detail));
	return true;
}

/*
 * Name the operation a CIP request asks for (docs/DISSECTORS.md lists
 * them), data being what follows its path.  False: not an operation.
 */
static bool
cip_op_of(uint8_t service, const struct cip_path *path, struct cur data, struct cip_op *op)
{
	uint8_t type = 0;

	/* kind, src and an empty detail: not the 160 bytes of it, for every request */
	memset(op, 0, offsetof(struct cip_op, detail) + 1);
	switch (service) {
	case SVC_SET_ATTR_SINGLE:
	case SVC_SET_ATTR_LIST:
	case SVC_SET_ATTR_ALL:
		return set_attribute_op(service, path, data, op);
	case SVC_RESET:
		if (path->cls != CLASS_IDENTITY)
			return false;
		/*
		 * Every type emulates a power cycle; 1 and 2 return to the
		 * factory defaults first (2 keeping the communication ones).
		 */
		cur_u8(&data, &type);
		op->kind = OP_RESTART_COLD;
		op->src = FN("cip/identity/reset");
		snprintf(op->detail, sizeof(op->detail), "Identity Reset type %u%s", type,
		    type == 0 ? " (power cycle)" : " (factory defaults)");
		return true;
	case SVC_START:
	case SVC_STOP:
		if (path->first_cls != CLASS_CONTROLLER)
			return false;
		op->kind = service == SVC_START ? OP_START : OP_STOP;
		op->src = service == SVC_START ? FN("cip/controller/start") :
		    FN("cip/controller/stop");
		snprintf(op->detail, sizeof(op->detail), "%s on class 0x8e",
		    service == SVC_START ? "Start" : "Stop");
		return true;
	case SVC_VENDOR_LOCK:
	case SVC_VENDOR_UNLOCK:
		if (path->first_cls != CLASS_CONTROLLER)
			return false;
		op->kind = service == SVC_VENDOR_LOCK ? OP_LOCK : OP_UNLOCK;
		op->src = service == SVC_VENDOR_LOCK ? FN("cip/controller/0x4b") :
		    FN("cip/controller/0x4c");
		snprintf(op->detail, sizeof(op->detail), "vendor service 0x%02x on class 0x%02x/0x%02x",
		    service, path->first_cls, path->cls);
		return true;
	}
	return false;
}

/* Report an operation request and add it to the request's list (at: its index). */
static void
report_op(struct diss_ctx *dc, const struct cip_op *op, unsigned at, struct cip_oplist *list)
{
	diss_count(dc, C_OPS);
	diss_op_fn(dc, op->kind, OP_REQUEST, op->src, op->detail, strlen(op->detail));
	if (list->n >= ENIP_MSP_OPS)
		return;		/* reported; its outcome will not be known */
	list->kind[list->n] = (uint8_t)op->kind;
	list->at[list->n] = (uint8_t)at;
	list->src[list->n] = op->src;
	list->n++;
}

/*
 * Multiple_Service_Packet (0x0a to the message router): count 2 | offsets
 * 2 x count, from the count | requests.  Every operation inside is
 * reported; the reply has the same layout, and each embedded reply's
 * status is the outcome of its request.
 */
static void
multiple_service_ops(struct diss_ctx *dc, struct cur data, struct cip_oplist *list)
{
	struct cur all = data;
	uint16_t count, off, next;

	if (!cur_le16(&data, &count))
		return;
	for (unsigned i = 0; i < count && i < DISS_MAX_ITEMS; i++) {
		struct cur from = all, req, pathc;
		struct cip_path path;
		struct cip_op op;
		uint8_t service, words;
		size_t end = cur_left(&all);

		if (!cur_peek_le16(&all, 2 + 2 * i, &off) || off >= end)
			return;
		if (i + 1 < count && cur_peek_le16(&all, 2 + 2 * (i + 1), &next) && next > off &&
		    next <= end)
			end = next;
		if (!cur_skip(&from, off) || !cur_take(&from, end - off, &req))
			return;
		if (!cur_u8(&req, &service) || !cur_u8(&req, &words) ||
		    !cur_take(&req, 2u * words, &pathc))
			continue;
		cip_path_parse(&pathc, &path);
		if (cip_op_of(service, &path, req, &op))
			report_op(dc, &op, i, list);
	}
}

/* The operations of a request, reported here and listed in *list; NULL if none. */
static const struct cip_oplist *
cip_ops(struct diss_ctx *dc, uint8_t service, const struct cip_path *path, struct cur *data,
    struct cip_oplist *list)
{
	struct cip_op op;

	memset(list, 0, sizeof(*list));
	if (service == SVC_MULTIPLE && path->cls == CLASS_MSG_ROUTER)
		multiple_service_ops(dc, *data, list);
	else if (cip_op_of(service, path, *data, &op))
		report_op(dc, &op, 0, list);
	return list->n ? list : NULL;
}

/*
 * The general status of embedded reply `at` of a Multiple_Service_Packet
 * reply (data: count 2 | offsets | replies: service 1 | reserved 1 |
 * status 1 | ...); false if the reply does not hold it.
 */
static bool
embedded_status(struct cur data, unsigned at, uint8_t *status)
{
	uint16_t count, off;

	return cur_peek_le16(&data, 0, &count) && at < count &&
	    cur_peek_le16(&data, 2 + 2 * at, &off) && cur_peek_u8(&data, off + 2u, status);
}

/* Outcome of each operation of a request: its status, or its embedded reply's. */
static void
op_outcomes(struct diss_ctx *dc, const struct cip_req *rq, uint8_t status, struct cur data)
{
	for (unsigned i = 0; i < rq->nops; i++) {
		uint8_t st = status;

		if (rq->service == SVC_MULTIPLE)
			embedded_status(data, rq->op_at[i], &st);
		diss_op_fn(dc, (enum op_kind)rq->op_kind[i],
		    st == 0 ? OP_REPLY_OK : OP_REPLY_FAILED, rq->op_src[i], NULL, 0);
	}
}

/*
 * Unconnected_Send request data (Connection Manager, service 0x52):
 *   priority/tick 1 | timeout ticks 1 | message size 2 | embedded request
 *   (message size bytes) | pad 1 if size is odd | route path size 1 (words) |
 *   reserved 1 | route path (port segments)
 */
static void
unconnected_send(struct diss_ctx *dc, struct cur *data, uint64_t key)
{
	uint8_t prio = 0, ticks = 0, service = 0, words = 0, pad, rwords = 0, resv;
	uint16_t size = 0;
	struct cur msg, mpath, route;
	struct cip_path path, rpath;
	struct cip_oplist ops;

	memset(&path, 0, sizeof(path));
	memset(&rpath, 0, sizeof(rpath));
	rpath.slot = -1;
	cur_u8(data, &prio);
	cur_u8(data, &ticks);
	cur_le16(data, &size);
	if (!cur_take(data, size, &msg)) {
		remember(dc, key, SVC_UNCONN_SEND, &path, -1, NULL);
		return;
	}
	if (size & 1)
		cur_u8(data, &pad);
	cur_u8(data, &rwords);
	cur_u8(data, &resv);
	if (cur_ok(data) && cur_take(data, 2u * rwords, &route))
		cip_path_parse(&route, &rpath);
	if (cur_u8(&msg, &service) && cur_u8(&msg, &words) &&
	    cur_take(&msg, 2u * words, &mpath))
		cip_path_parse(&mpath, &path);
	if (rpath.slot >= 0)
		diss_count(dc, C_ROUTED);
	/* the embedded request is the one the target answers */
	remember(dc, key, service, &path, rpath.slot, cip_ops(dc, service, &path, &msg, &ops));
}

/* Request: service 1 | path size 1 (words) | path | data */
static void
cip_request(struct diss_ctx *dc, struct cur *c, uint64_t key)
{
	uint8_t service, words;
	struct cur pathc;
	struct cip_path path;
	struct cip_oplist ops;

	if (!cur_u8(c, &service) || !cur_u8(c, &words) ||
	    !cur_take(c, 2u * words, &pathc))
		return;
	cip_path_parse(&pathc, &path);
	/* Every request is recorded, so a reply never meets an older one. */
	if (service == SVC_UNCONN_SEND && path.cls == CLASS_CONN_MGR)
		unconnected_send(dc, c, key);
	else
		remember(dc, key, service, &path, -1, cip_ops(dc, service, &path, c, &ops));
}

static void
identity_reply(struct diss_ctx *dc, const struct cip_req *rq, uint8_t service,
    struct cur *data)
{
	struct cip_identity id;
	bool ok;

	if (service == (SVC_GET_ATTR_ALL | CIP_REPLY))
		ok = identity_all(data, &id);
	else if (service == (SVC_GET_ATTR_SINGLE | CIP_REPLY))
		ok = identity_attr(data, rq->attr, &id);
	else
		return;
	if (!ok)
		return;
	diss_count(dc, C_CIP_IDENTITY);
	/* A routed module is behind the IP; the IP's own module outranks it. */
	emit_identity(dc, SIDE_SRC, &id, slot_src(rq->slot),
	    rq->slot < 0 ? CONF_STATED : CONF_INFERRED);
}

/* Reply: service|0x80 1 | reserved 1 | general status 1 | ext status size 1 (words) | ext | data */
static void
cip_reply(struct diss_ctx *dc, struct cur *c, uint64_t key)
{
	uint8_t service, resv, status, ext;
	struct cip_req rq;

	cur_u8(c, &service);
	cur_u8(c, &resv);
	cur_u8(c, &status);
	cur_u8(c, &ext);
	if (!cur_ok(c) || !cur_skip(c, 2u * ext))
		return;
	if (!take_request(dc->state, key, &rq)) {
		diss_count(dc, C_UNMATCHED);
		return;
	}
	if ((service & 0x7f) != rq.service)
		return;
	op_outcomes(dc, &rq, status, *c);
	if (!worth_matching(rq.service, rq.cls))
		return;
	if (status != 0) {
		if (rq.cls == CLASS_IDENTITY)
			diss_count(dc, C_CIP_ERROR);
		return;
	}
	if (rq.service == SVC_FWD_OPEN || rq.service == SVC_LARGE_FWD_OPEN) {
		diss_count(dc, C_FWD_OPEN);
		diss_fact_str(dc, SIDE_DST, A_ROLE, R_ENIP_SCANNER, "cip/forward_open", CONF_INFERRED);
		diss_fact_str(dc, SIDE_SRC, A_ROLE, R_ENIP_ADAPTER, "cip/forward_open", CONF_INFERRED);
		return;
	}
	identity_reply(dc, &rq, service, c);
}

static void
cip_message(struct diss_ctx *dc, struct cur *c, uint64_t key)
{
	uint8_t service;

	if (!cur_peek_u8(c, 0, &service))
		return;
	if (service & CIP_REPLY)
		cip_reply(dc, c, key);
	else
		cip_request(dc, c, key);
}

/* --- common packet format ----------------------------------------------- */

/*
 * ListIdentity reply item 0x000C:
 *   encapsulation version 2 (LE) | socket address: sin_family 2, sin_port 2,
 *   sin_addr 4, sin_zero 8 (all big endian) | identity attributes 1-7 as in
 *   identity_all() | state 1
 */
static void
list_identity_item(struct diss_ctx *dc, struct cur *item)
{
	uint16_t version, family, port;
	uint8_t addr[4];
	struct cip_identity id;
	struct asset_ref who;

	cur_le16(item, &version);
	cur_be16(item, &family);
	cur_be16(item, &port);
	cur_copy(item, addr, 4);
	cur_skip(item, 8);
	if (!cur_ok(item) || !identity_all(item, &id))
		return;
	diss_count(dc, C_LIST_IDENTITY);
	emit_identity(dc, SIDE_SRC, &id, FN("enip/list_identity"), CONF_STATED);
	diss_fact_str(dc, SIDE_SRC, A_ROLE, R_ENIP_ADAPTER, "enip/list_identity", CONF_INFERRED);
	diss_ref(dc, SIDE_SRC, &who);
	if (family != 2)
		return;
	if (who.ip.fam == IPFAM_V4 && memcmp(who.ip.a, addr, 4) == 0)
		diss_addr(dc, &who, "enip/list_identity");
	else
		diss_factf(dc, SIDE_SRC, A_NOTE, "enip/list_identity", CONF_STATED,
		    "enip socket address %u.%u.%u.%u:%u", addr[0], addr[1],
		    addr[2], addr[3], port);
}

/*
 * Common packet format: item count 2 | items: type 2, length 2, data.
 * ListIdentity carries identity items; SendRRData / SendUnitData carry an
 * address item then a data item (connected data starts with a 2-byte
 * sequence count).
 */
static enum diss_rc
cpf(struct diss_ctx *dc, struct cur *c, uint64_t ctx_key)
{
	uint16_t count, type, len;

	if (!cur_le16(c, &count))
		return DISS_MALFORMED;
	for (unsigned i = 0; i < count && i < DISS_MAX_ITEMS; i++) {
		struct cur item;
		uint16_t seq;

		if (!cur_le16(c, &type) || !cur_le16(c, &len) ||
		    !cur_take(c, len, &item))
			return DISS_MALFORMED;
		switch (type) {
		case CPF_IDENTITY:
			list_identity_item(dc, &item);
			break;
		case CPF_UNCONN_DATA:
			cip_message(dc, &item, ctx_key & ~CONN_KEY);
			break;
		case CPF_CONN_DATA:
			if (cur_le16(&item, &seq))
				cip_message(dc, &item, CONN_KEY | seq);
			break;
		}
	}
	return DISS_OK;
}

/*
 * Encapsulation header, 24 bytes little endian:
 *   command 2 | length 2 (of the data that follows) | session handle 4 |
 *   status 4 | sender context 8 | options 4
 * SendRRData / SendUnitData data: interface handle 4 | timeout 2 | CPF.
 */
static enum diss_rc
enip_pdu(struct diss_ctx *dc, struct cur *c)
{
	uint16_t cmd, len;
	uint32_t session, status, options, handle;
	uint8_t ctx[8];
	uint64_t key = 0;
	uint16_t timeout;
	struct cur body;

	cur_le16(c, &cmd);
	cur_le16(c, &len);
	cur_le32(c, &session);
	cur_le32(c, &status);
	cur_copy(c, ctx, 8);
	cur_le32(c, &options);
	if (!cur_ok(c) || !cur_take(c, len, &body))
		return DISS_SHORT;
	for (int i = 7; i >= 0; i--)
		key = key << 8 | ctx[i];
	if (status != 0 || len == 0)
		return DISS_OK;
	switch (cmd) {
	case ENC_LIST_IDENTITY:
		return cpf(dc, &body, key);
	case ENC_SEND_RR_DATA:
	case ENC_SEND_UNIT_DATA:
		cur_le32(&body, &handle);
		cur_le16(&body, &timeout);
		if (!cur_ok(&body))
			return DISS_MALFORMED;
		return cpf(dc, &body, key);
	}
	return DISS_OK;
}

static enum diss_rc
enip_parse(struct diss_ctx *dc, struct cur *c)
{
	bool datagram = dc->flow.transport != L4_TCP;

	if (is_io_flow(dc)) {
		diss_count(dc, C_IO);
		diss_pdu(dc);
		cur_skip(c, cur_left(c));
		return DISS_OK;
	}
	for (int n = 0; n < DISS_MAX_ITEMS; n++) {
		uint16_t cmd, len;
		enum diss_rc rc;

		if (cur_left(c) == 0)
			break;
		if (!cur_peek_le16(c, 0, &cmd) || !cur_peek_le16(c, 2, &len) ||
		    cur_left(c) < ENIP_HDR_LEN) {
			if (datagram)
				return DISS_SHORT;
			break;		/* wait for the rest of the header */
		}
		if (!valid_command(cmd))
			return DISS_NOT_MINE;
		if (cur_left(c) < (size_t)ENIP_HDR_LEN + len) {
			if (datagram)
				return DISS_SHORT;
			break;
		}
		rc = enip_pdu(dc, c);
		diss_pdu(dc);
		if (rc != DISS_OK)
			return rc;
	}
	return DISS_OK;
}

/* An encapsulation header whose command is known and whose length fits. */
static bool
enip_probe(const struct cur *c, int dir)
{
	uint16_t cmd, len;
	uint32_t opts;
	struct cur t = *c;

	(void)dir;
	if (!cur_peek_le16(c, 0, &cmd) || !cur_peek_le16(c, 2, &len) ||
	    cur_left(c) < ENIP_HDR_LEN || !known_command(cmd) || cmd == ENC_NOP)
		return false;
	cur_skip(&t, 20);
	return cur_le32(&t, &opts) && opts == 0 &&
	    cur_left(c) == (size_t)ENIP_HDR_LEN + len;
}

const struct dissector dis_enip = {
	.name = "enip",
	.transport = L4_TCP,
	.also_udp = true,
	.ports = { ENIP_PORT, ENIP_IO_PORT },
	.state_size = sizeof(struct enip_state),
	.probe = enip_probe,
	.parse = enip_parse,
	.counter_names = { "list_identity", "cip_identity", "io_packets", "routed_requests",
	    "forward_open", "cip_identity_errors", "unmatched_replies", "ops", "ops_dropped", NULL },
};
