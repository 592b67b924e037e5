/*
 * cdp.c - Cisco Discovery Protocol (LLC/SNAP, OUI 00-00-0c, PID 0x2000,
 * sent to 01:00:0c:cc:cc:cc).
 *
 * Reference: Cisco's published CDP TLV layout (as also documented by
 * Wireshark's packet-cdp.c field list and tcpdump's print-cdp.c); there is
 * no RFC.
 *
 * A layer-2 dissector: the frame's sender is the device described.
 *
 * PDU: version 1 | TTL 1 | checksum 2 | TLVs of  type 2 | length 2 (header
 * included) | value.  Device id (1), port id (3), software version (5),
 * platform (6): text.  Addresses (2) and management addresses (0x16):
 * count 4 | per address: protocol type 1 | protocol length 1 | protocol |
 * address length 2 | address (IPv4: type 1 NLPID, protocol 0xcc, length 4).
 * Capabilities (4): 4-byte bitmask.  Native VLAN (0x0a): 2.
 */
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "sw_limits.h"

#define CDP_SNAP_PID		0x2000

#define TLV_DEVICE_ID		0x0001
#define TLV_ADDRESSES		0x0002
#define TLV_PORT_ID		0x0003
#define TLV_CAPABILITIES	0x0004
#define TLV_SOFTWARE		0x0005
#define TLV_PLATFORM		0x0006
#define TLV_NATIVE_VLAN		0x000a
#define TLV_MGMT_ADDRESSES	0x0016

#define PT_NLPID		1
#define NLPID_IP		0xcc

enum cdp_counter {
	C_BAD_TLV,		/* length shorter than the header or past the end */
	C_BAD_VERSION,
	C_ADDRESSES,
};

static const char *const cap_names[] = {
	"router", "trans_bridge", "source_route_bridge", "switch", "host", "igmp",
	"repeater", "phone", "remote", "cvta", "mac_relay",
};

static void
addresses_tlv(struct diss_ctx *dc, struct cur *v, struct fact_name src)
{
	uint32_t count;

	if (!cur_be32(v, &count))
		return;
	for (uint32_t i = 0; i < count && i < DISS_MAX_ITEMS; i++) {
		uint8_t ptype, plen, proto = 0, a[4];
		uint16_t alen;
		struct cur pv, av;
		struct asset_ref who;

		if (!cur_u8(v, &ptype) || !cur_u8(v, &plen) || !cur_take(v, plen, &pv) ||
		    !cur_be16(v, &alen) || !cur_take(v, alen, &av))
			return;
		cur_u8(&pv, &proto);
		if (ptype != PT_NLPID || plen != 1 || proto != NLPID_IP || alen != 4)
			continue;
		cur_copy(&av, a, 4);
		diss_ref(dc, SIDE_SRC, &who);
		ip_set4(&who.ip, a);
		if (ip_is_unicast_host(&who.ip)) {
			diss_count(dc, C_ADDRESSES);
			diss_addr_fn(dc, &who, src);
		}
	}
}

static void
caps_tlv(struct diss_ctx *dc, struct cur *v)
{
	uint32_t caps;
	char buf[160];
	size_t off = 0;

	if (!cur_be32(v, &caps))
		return;
	for (unsigned i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
		if (caps & (1u << i))
			off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s",
			    off ? "," : "", cap_names[i]);
	if (off)
		diss_fact(dc, SIDE_SRC, A_CAPABILITIES, buf, off, "cdp/capabilities",
		    CONF_STATED);
}

/* The first line names the software and version; the rest is copyright. */
static void
software_tlv(struct diss_ctx *dc, struct cur *v)
{
	size_t n = cur_find(v, '\n');

	if (n == (size_t)-1)
		n = cur_left(v);
	if (n > 0 && cur_find(v, '\r') == n - 1)
		n--;
	diss_fact(dc, SIDE_SRC, A_SOFTWARE, cur_ptr(v), n, "cdp/software_version",
	    CONF_STATED);
}

/* "cisco WS-C3560-24TS": the platform, and the model after the vendor word. */
static void
platform_tlv(struct diss_ctx *dc, struct cur *v)
{
	static const char cisco[] = "cisco ";

	diss_fact(dc, SIDE_SRC, A_PLATFORM, cur_ptr(v), cur_left(v), "cdp/platform",
	    CONF_STATED);
	if (cur_starts_with(v, cisco, sizeof(cisco) - 1) && cur_left(v) > sizeof(cisco) - 1) {
		cur_skip(v, sizeof(cisco) - 1);
		diss_fact(dc, SIDE_SRC, A_MODEL, cur_ptr(v), cur_left(v), "cdp/platform",
		    CONF_STATED);
		diss_fact_str(dc, SIDE_SRC, A_VENDOR, "Cisco", "cdp/platform", CONF_BANNER);
	}
}

static void
cdp_tlv(struct diss_ctx *dc, uint16_t type, struct cur *v)
{
	uint16_t vlan;

	switch (type) {
	case TLV_DEVICE_ID:
		diss_fact(dc, SIDE_SRC, A_HOSTNAME, cur_ptr(v), cur_left(v), "cdp/device_id",
		    CONF_STATED);
		break;
	case TLV_ADDRESSES:
		addresses_tlv(dc, v, FN("cdp/address"));
		break;
	case TLV_MGMT_ADDRESSES:
		addresses_tlv(dc, v, FN("cdp/mgmt_address"));
		break;
	case TLV_PORT_ID:
		diss_fact(dc, SIDE_SRC, A_PORT_ID, cur_ptr(v), cur_left(v), "cdp/port_id",
		    CONF_STATED);
		break;
	case TLV_CAPABILITIES:
		caps_tlv(dc, v);
		break;
	case TLV_SOFTWARE:
		software_tlv(dc, v);
		break;
	case TLV_PLATFORM:
		platform_tlv(dc, v);
		break;
	case TLV_NATIVE_VLAN:
		if (cur_be16(v, &vlan))
			diss_factf(dc, SIDE_SRC, A_NOTE, "cdp/native_vlan", CONF_STATED,
			    "native vlan %u", vlan);
		break;
	}
}

static enum diss_rc
cdp_parse(struct diss_ctx *dc, struct cur *c)
{
	uint8_t version, ttl;
	uint16_t csum;

	if (!cur_u8(c, &version) || !cur_u8(c, &ttl) || !cur_be16(c, &csum))
		return DISS_SHORT;
	if (version != 1 && version != 2) {
		diss_count(dc, C_BAD_VERSION);
		cur_skip(c, cur_left(c));
		return DISS_MALFORMED;
	}
	diss_pdu(dc);
	for (int n = 0; cur_left(c) >= 4 && n < DISS_MAX_ITEMS; n++) {
		uint16_t type, len;
		struct cur v;

		cur_be16(c, &type);
		cur_be16(c, &len);
		if (len == 0)
			break;		/* padding, or a sender that stops here */
		/* length counts the 4-byte header: below that the loop could not progress */
		if (len < 4 || !cur_take(c, len - 4u, &v)) {
			diss_count(dc, C_BAD_TLV);
			cur_skip(c, cur_left(c));
			return DISS_MALFORMED;
		}
		cdp_tlv(dc, type, &v);
	}
	cur_skip(c, cur_left(c));
	return DISS_OK;
}

const struct dissector dis_cdp = {
	.name = "cdp",
	.transport = L4_NONE,
	.snap_pid = CDP_SNAP_PID,
	.parse = cdp_parse,
	.counter_names = { "bad_tlv", "bad_version", "addresses", NULL },
};
