/*
 * pn_dcp.c - PROFINET DCP (Discovery and basic Configuration Protocol).
 *
 * Reference: IEC 61158-6-10 (PROFINET IO application layer protocol),
 * DCP services Identify, Hello, Get/Set and their blocks; carried in
 * PROFINET RT frames, Ethertype 0x8892 (the decoder strips VLAN tags).
 *
 * A layer-2 dissector: there is no flow (dc->flow.transport is L4_NONE)
 * and the frame's sender MAC is the asset.  Identify responses, Hello and Get responses describe their
 * sender (name of station, type of station, vendor and device id, device
 * role, IP parameters).  An Identify request carries at most a filter:
 * the NameOfStation being looked for.  Devices send one for their own name
 * when they start (a duplicate-name check), controllers send them for the
 * devices they look for, so that name is kept only as weak evidence.
 */
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "ethertype.h"
#include "oppend.h"
#include "sw_limits.h"

/* Frame ids */
#define FID_HELLO		0xfefc
#define FID_GET_SET		0xfefd
#define FID_IDENT_REQ		0xfefe
#define FID_IDENT_RESP		0xfeff

/* Service ids and types */
#define SVC_GET			3
#define SVC_SET			4
#define SVC_IDENTIFY		5
#define SVC_HELLO		6
#define TYPE_REQUEST		0
#define TYPE_RESPONSE		1

/* Options / suboptions */
#define OPT_IP			1
#define SUB_IP_PARAM		2
#define SUB_IP_FULL_SUITE	3
#define OPT_CONTROL		5
#define SUB_CTL_SIGNAL		3
#define SUB_CTL_RESPONSE	4
#define SUB_CTL_FACTORY_RESET	5	/* ResetFactorySettings */
#define SUB_CTL_RESET_TO_FACTORY 6
#define OPT_DEVICE		2
#define SUB_TYPE_OF_STATION	1
#define SUB_NAME_OF_STATION	2
#define SUB_DEVICE_ID		3
#define SUB_DEVICE_ROLE		4

/* Device role bits */
#define ROLE_IO_DEVICE		0x01
#define ROLE_IO_CONTROLLER	0x02
#define ROLE_SUPERVISOR		0x08

enum pn_counter {
	C_IDENT_REQ,
	C_IDENT_RESP,
	C_HELLO,
	C_GET_SET,
	C_OTHER_RT,		/* cyclic data, alarms, ...: counted only */
	C_OPS,			/* Set requests reported */
	C_OPS_DROPPED,		/* Set requests dropped unanswered: OP_PEND_MAX full */
	C_OPS_UNMATCHED,	/* Set responses to no recorded request */
};

/* No flow at layer 2: one state for the pipeline (dissector.h). */
struct pn_dcp_state {
	struct op_pend_table ops;	/* Set requests by Xid and requester */
};

static void
name_of_station(struct diss_ctx *dc, struct cur *v, bool request)
{
	size_t n = cur_left(v);
	const uint8_t *name;

	if (n == 0 || !diss_str(v, n, &name))
		return;
	if (request)
		diss_fact(dc, SIDE_SRC, A_HOSTNAME, name, n, "pn_dcp/identify_request",
		    CONF_WEAK);
	else
		diss_fact(dc, SIDE_SRC, A_HOSTNAME, name, n, "pn_dcp/name_of_station",
		    CONF_STATED);
}

/* DeviceID: VendorID 2 | DeviceID 2 */
static void
device_id(struct diss_ctx *dc, struct cur *v)
{
	uint16_t vendor, device;

	if (!cur_be16(v, &vendor) || !cur_be16(v, &device))
		return;
	/* the store names the vendor from the id (pn_vendors.csv) */
	diss_factf(dc, SIDE_SRC, A_VENDOR_ID, "pn_dcp/device_id", CONF_STATED,
	    "pn:0x%04x", vendor);
	diss_factf(dc, SIDE_SRC, A_PRODUCT_CODE, "pn_dcp/device_id", CONF_STATED,
	    "0x%04x", device);
}

/* DeviceRole: role bits 1 | reserved 1 */
static void
device_role(struct diss_ctx *dc, struct cur *v)
{
	uint8_t role;

	if (!cur_u8(v, &role))
		return;
	if (role & ROLE_IO_DEVICE)
		diss_fact_str(dc, SIDE_SRC, A_ROLE, R_PN_DEVICE, "pn_dcp/device_role", CONF_STATED);
	if (role & (ROLE_IO_CONTROLLER | ROLE_SUPERVISOR))
		diss_fact_str(dc, SIDE_SRC, A_ROLE, R_PN_CONTROLLER, "pn_dcp/device_role",
		    CONF_STATED);
}

/* IP parameter: address 4 | subnet mask 4 | gateway 4 (all big endian) */
static void
ip_param(struct diss_ctx *dc, struct cur *v)
{
	uint8_t ip[4], mask[4], gw[4];
	struct asset_ref who;

	if (!cur_copy(v, ip, 4) || !cur_copy(v, mask, 4) || !cur_copy(v, gw, 4))
		return;
	diss_ref(dc, SIDE_SRC, &who);
	ip_set4(&who.ip, ip);
	diss_addr(dc, &who, "pn_dcp/ip_parameter");
}

/*
 * One block: option 1 | suboption 1 | block length 2 | [block info 2, in
 * responses and Hello] | value | padding to an even length (not counted
 * in the block length).
 */
static enum diss_rc
dcp_block(struct diss_ctx *dc, struct cur *c, bool has_info, bool request)
{
	uint8_t opt, sub, pad;
	uint16_t len, info;
	struct cur v;

	if (!cur_u8(c, &opt) || !cur_u8(c, &sub) || !cur_be16(c, &len) ||
	    !cur_take(c, len, &v))
		return DISS_MALFORMED;
	if ((len & 1) && cur_left(c) > 0)
		cur_u8(c, &pad);
	if (has_info && !cur_be16(&v, &info))
		return DISS_OK;		/* zero-length block: nothing in it */
	if (opt == OPT_DEVICE) {
		switch (sub) {
		case SUB_NAME_OF_STATION:
			name_of_station(dc, &v, request);
			break;
		case SUB_TYPE_OF_STATION:
			if (!request && cur_left(&v) > 0)
				diss_fact(dc, SIDE_SRC, A_MODEL, cur_ptr(&v), cur_left(&v),
				    "pn_dcp/type_of_station", CONF_STATED);
			break;
		case SUB_DEVICE_ID:
			if (!request)
				device_id(dc, &v);
			break;
		case SUB_DEVICE_ROLE:
			if (!request)
				device_role(dc, &v);
			break;
		}
	} else if (opt == OPT_IP && sub == SUB_IP_PARAM && !request)
		ip_param(dc, &v);
	return DISS_OK;
}

/* --- Set: operations ------------------------------------------------------ */

static void
append(char *out, size_t outsz, const char *fmt, const char *arg)
{
	size_t used = strlen(out);

	snprintf(out + used, outsz - used, fmt, used ? " " : "", arg);
}

/* A Set request and its response pair by Xid and the requester's MAC. */
static uint32_t
set_key(struct diss_ctx *dc, enum side requester, uint32_t xid)
{
	struct asset_ref r;

	diss_ref(dc, requester, &r);
	return xid ^ ((uint32_t)r.mac[2] << 24 | (uint32_t)r.mac[3] << 16 |
	    (uint32_t)r.mac[4] << 8 | r.mac[5]);
}

/*
 * What one Set block asks: option 1 | suboption 1 | length 2 | block
 * qualifier 2 | value.  Names it in detail, and says whether it changes
 * configuration, resets to factory or only signals.
 */
struct set_ask {
	bool		 config, factory, signal;
	uint32_t	 optmask;	/* options seen (bit n: option n) */
	char		 what[160];
};

static void
set_block(struct set_ask *a, uint8_t opt, uint8_t sub, struct cur v)
{
	uint16_t qual;
	uint8_t ip[12];
	char text[72];
	size_t n;

	if (opt < 32)
		a->optmask |= 1u << opt;
	if (!cur_be16(&v, &qual))
		return;
	if (opt == OPT_IP && (sub == SUB_IP_PARAM || sub == SUB_IP_FULL_SUITE) && cur_copy(&v, ip, 12)) {
		a->config = true;
		snprintf(text, sizeof(text), "%u.%u.%u.%u mask %u.%u.%u.%u gateway %u.%u.%u.%u",
		    ip[0], ip[1], ip[2], ip[3], ip[4], ip[5], ip[6], ip[7], ip[8], ip[9], ip[10], ip[11]);
		append(a->what, sizeof(a->what), "%sip %s", text);
	} else if (opt == OPT_DEVICE && sub == SUB_NAME_OF_STATION) {
		a->config = true;
		n = cur_left(&v) < sizeof(text) - 3 ? cur_left(&v) : sizeof(text) - 3;
		text[0] = '\'';
		cur_copy(&v, text + 1, n);
		text[n + 1] = '\'';
		text[n + 2] = '\0';
		for (size_t i = 1; i <= n; i++)
			if ((uint8_t)text[i] < 0x20 || (uint8_t)text[i] > 0x7e)
				text[i] = '?';
		append(a->what, sizeof(a->what), "%sname of station %s", text);
	} else if (opt == OPT_CONTROL && sub == SUB_CTL_SIGNAL) {
		a->signal = true;
		append(a->what, sizeof(a->what), "%s%s", "signal");
	} else if (opt == OPT_CONTROL &&
	    (sub == SUB_CTL_FACTORY_RESET || sub == SUB_CTL_RESET_TO_FACTORY)) {
		a->factory = true;
		append(a->what, sizeof(a->what), "%s%s", "reset to factory");
	} else if (opt != OPT_CONTROL) {
		a->config = true;	/* other device properties, DHCP option, ... */
	}
}

/*
 * A Set request: blocks without block info.  One operation per request:
 * config_change (IP, name, factory reset, other options), or
 * control_operate when all it does is make the device signal (flash).
 */
static void
set_request(struct diss_ctx *dc, struct cur data, uint32_t xid)
{
	struct pn_dcp_state *st = dc->state;
	struct set_ask a;
	char detail[256], opts[96] = "", num[4];
	size_t used;

	memset(&a, 0, sizeof(a));
	for (int n = 0; cur_left(&data) >= 4 && n < DISS_MAX_ITEMS; n++) {
		uint8_t opt, sub, pad;
		uint16_t len;
		struct cur v;

		if (!cur_u8(&data, &opt) || !cur_u8(&data, &sub) || !cur_be16(&data, &len) ||
		    !cur_take(&data, len, &v))
			break;		/* a lying length ends the walk: what came before counts */
		if ((len & 1) && cur_left(&data) > 0)
			cur_u8(&data, &pad);
		set_block(&a, opt, sub, v);
	}
	for (unsigned o = 0; o < 32; o++) {
		if (!(a.optmask & 1u << o))
			continue;
		snprintf(num, sizeof(num), "%u", o);
		used = strlen(opts);
		snprintf(opts + used, sizeof(opts) - used, "%s%s", used ? "," : "", num);
	}
	snprintf(detail, sizeof(detail), "DCP Set %s%s(options %s)", a.what, a.what[0] ? " " : "",
	    opts[0] ? opts : "none");
	diss_count(dc, C_OPS);
	dc->dir = DIR_C2S;
	if (!op_pend_request(dc, st ? &st->ops : NULL, set_key(dc, SIDE_SRC, xid), SIDE_SRC,
	    a.config || a.factory || !a.signal ? OP_CONFIG_CHANGE : OP_CONTROL_OPERATE,
	    a.factory ? FN("pn_dcp/set/factory_reset") : a.config || !a.signal ? FN("pn_dcp/set") :
	    FN("pn_dcp/set/signal"), detail, strlen(detail)))
		diss_count(dc, C_OPS_DROPPED);
}

/*
 * A Set response: success or not by its service type, then each Response
 * block (option 5, suboption 4: option 1 | suboption 1 | error 1) must
 * say 0.
 */
static void
set_response(struct diss_ctx *dc, struct cur data, uint32_t xid, bool success)
{
	struct pn_dcp_state *st = dc->state;
	bool ok = success;

	for (int n = 0; cur_left(&data) >= 4 && n < DISS_MAX_ITEMS; n++) {
		uint8_t opt, sub, pad, ropt, rsub, err;
		uint16_t len;
		struct cur v;

		if (!cur_u8(&data, &opt) || !cur_u8(&data, &sub) || !cur_be16(&data, &len) ||
		    !cur_take(&data, len, &v))
			break;
		if ((len & 1) && cur_left(&data) > 0)
			cur_u8(&data, &pad);
		if (opt == OPT_CONTROL && sub == SUB_CTL_RESPONSE && cur_u8(&v, &ropt) &&
		    cur_u8(&v, &rsub) && cur_u8(&v, &err) && err != 0)
			ok = false;
	}
	dc->dir = DIR_S2C;
	if (!op_pend_reply(dc, st ? &st->ops : NULL, set_key(dc, SIDE_DST, xid), ok))
		diss_count(dc, C_OPS_UNMATCHED);
}

/*
 * RT frame: FrameID 2 | DCP header: ServiceID 1 | ServiceType 1 | Xid 4 |
 * ResponseDelay (requests) or reserved 2 | DCPDataLength 2 | blocks.
 */
static enum diss_rc
pn_dcp_parse(struct diss_ctx *dc, struct cur *c)
{
	uint16_t fid, delay, dlen;
	uint8_t svc, type;
	uint32_t xid = 0;
	struct cur data;
	bool has_info, request;

	if (!cur_be16(c, &fid))
		return DISS_SHORT;
	if (fid < FID_HELLO || fid > FID_IDENT_RESP) {	/* cyclic RT, PTCP, alarms: not DCP */
		diss_count(dc, C_OTHER_RT);
		cur_skip(c, cur_left(c));
		return DISS_OK;
	}
	cur_u8(c, &svc);
	cur_u8(c, &type);
	cur_be32(c, &xid);
	cur_be16(c, &delay);
	cur_be16(c, &dlen);
	if (!cur_ok(c))
		return DISS_SHORT;
	if (!cur_take(c, dlen, &data))
		return DISS_SHORT;
	cur_skip(c, cur_left(c));	/* Ethernet padding */
	diss_pdu(dc);
	request = (type & 0x07) == TYPE_REQUEST && svc != SVC_HELLO;
	/* Identify / Get responses and Hello requests carry block info. */
	has_info = svc == SVC_HELLO || (!request && (svc == SVC_IDENTIFY || svc == SVC_GET));
	switch (svc) {
	case SVC_IDENTIFY:
		diss_count(dc, request ? C_IDENT_REQ : C_IDENT_RESP);
		break;
	case SVC_HELLO:
		diss_count(dc, C_HELLO);
		break;
	case SVC_GET:
	case SVC_SET:
		diss_count(dc, C_GET_SET);
		if (svc != SVC_SET)
			break;
		/* a tool's settings, not the device's word: an operation, no facts */
		if (request)
			set_request(dc, data, xid);
		else
			set_response(dc, data, xid, (type & 0x07) == TYPE_RESPONSE);
		return DISS_OK;
	default:
		return DISS_OK;
	}
	if (!request && (type & 0x07) != TYPE_RESPONSE && svc != SVC_HELLO)
		return DISS_OK;		/* "not supported" responses */
	for (int n = 0; cur_left(&data) >= 4 && n < DISS_MAX_ITEMS; n++) {
		enum diss_rc rc = dcp_block(dc, &data, has_info, request);

		if (rc != DISS_OK)
			return rc;
	}
	return DISS_OK;
}

const struct dissector dis_pn_dcp = {
	.name = "pn_dcp",
	.transport = L4_NONE,
	.ethertype = ETHERTYPE_PNIO,
	.state_size = sizeof(struct pn_dcp_state),
	.parse = pn_dcp_parse,
	.counter_names = { "identify_requests", "identify_responses", "hello", "get_set",
	    "other_rt_frames", "ops", "ops_dropped", "ops_unmatched", NULL },
};
