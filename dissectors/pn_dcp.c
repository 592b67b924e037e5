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

/*
 * RT frame: FrameID 2 | DCP header: ServiceID 1 | ServiceType 1 | Xid 4 |
 * ResponseDelay (requests) or reserved 2 | DCPDataLength 2 | blocks.
 */
static enum diss_rc
pn_dcp_parse(struct diss_ctx *dc, struct cur *c)
{
	uint16_t fid, delay, dlen;
	uint8_t svc, type;
	uint32_t xid;
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
		if (svc == SVC_SET)
			return DISS_OK;	/* a tool's settings, not the device's word */
		break;
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
	.parse = pn_dcp_parse,
	.counter_names = { "identify_requests", "identify_responses", "hello", "get_set",
	    "other_rt_frames", NULL },
};
