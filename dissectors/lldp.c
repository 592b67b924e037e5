/*
 * lldp.c - Link Layer Discovery Protocol (Ethertype 0x88cc).
 *
 * Reference: IEEE 802.1AB-2016 clause 8 (LLDPDU and basic TLVs), annex E
 * (IEEE 802.1 org TLVs), IEEE 802.3 clause 79 (802.3 org TLVs),
 * ANSI/TIA-1057 (LLDP-MED inventory TLVs), IEC 61158-6-10 (PROFINET
 * org TLVs, OUI 00-0e-cf).
 *
 * A layer-2 dissector: there is no flow (dc->flow.transport is L4_NONE)
 * and the frame's sender is the device the LLDPDU describes.
 *
 * LLDPDU: TLVs of  type 7 bits | length 9 bits | value (length bytes);
 * type 0 ends the PDU.  Chassis id (1) and port id (2): subtype 1 | id.
 * TTL (3): 2.  Port description (4), system name (5), system description
 * (6): text.  Capabilities (7): system 2 | enabled 2.  Management address
 * (8): string length 1 | family 1 | address | if subtype 1 | if number 4 |
 * OID length 1 | OID.  Org specific (127): OUI 3 | subtype 1 | info.
 */
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "ethertype.h"
#include "sw_limits.h"

#define TLV_END			0
#define TLV_CHASSIS_ID		1
#define TLV_PORT_ID		2
#define TLV_TTL			3
#define TLV_PORT_DESC		4
#define TLV_SYS_NAME		5
#define TLV_SYS_DESC		6
#define TLV_CAPS		7
#define TLV_MGMT_ADDR		8
#define TLV_ORG			127

#define CHASSIS_MAC		4
#define CHASSIS_NETADDR		5
#define PORT_MAC		3
#define PORT_NETADDR		4

#define AFI_IPV4		1
#define AFI_IPV6		2

#define OUI_MED			0x0012bb
#define OUI_PROFINET		0x000ecf
#define OUI_8023		0x00120f

enum lldp_counter {
	C_BAD_TLV,		/* length past the end of the frame */
	C_ORG_TLVS,
	C_MED_INVENTORY,
	C_NO_END,		/* ran out of frame (or the cap) before the end TLV */
};

static const char *const cap_names[] = {
	"other", "repeater", "bridge", "wlan_ap", "router", "telephone", "docsis",
	"station", "c_vlan", "s_vlan", "tpmr",
};

/* An id TLV (chassis, port): MAC and network address subtypes are formatted. */
static void
id_tlv(struct diss_ctx *dc, struct cur *v, uint8_t mac_sub, uint8_t net_sub,
    struct fact_name attr, struct fact_name src)
{
	uint8_t sub, mac[6], afi, a[4];
	char buf[MAC_STRLEN];
	struct ipaddr ip;
	char ipbuf[IP_STRLEN];

	if (!cur_u8(v, &sub) || cur_left(v) == 0)
		return;
	if (sub == mac_sub && cur_left(v) == 6) {
		cur_copy(v, mac, 6);
		mac_fmt(mac, buf);
		diss_fact_str_fn(dc, SIDE_SRC, attr, buf, src, CONF_STATED);
	} else if (sub == net_sub) {
		if (cur_u8(v, &afi) && afi == AFI_IPV4 && cur_copy(v, a, 4)) {
			ip_set4(&ip, a);
			ip_fmt(&ip, ipbuf);
			diss_fact_str_fn(dc, SIDE_SRC, attr, ipbuf, src, CONF_STATED);
		}
	} else
		diss_fact_fn(dc, SIDE_SRC, attr, cur_ptr(v), cur_left(v), src, CONF_STATED);
}

static void
caps_tlv(struct diss_ctx *dc, struct cur *v)
{
	uint16_t sys, en;
	char buf[128];
	size_t off = 0;

	if (!cur_be16(v, &sys) || !cur_be16(v, &en))
		return;
	/* all eleven names with their commas take 80 bytes: no cut (no snprintf per name) */
	for (unsigned i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
		if (sys & (1u << i)) {
			size_t n = strlen(cap_names[i]);

			if (off)
				buf[off++] = ',';
			memcpy(buf + off, cap_names[i], n);
			off += n;
		}
	if (off)
		diss_fact(dc, SIDE_SRC, A_CAPABILITIES, buf, off, "lldp/capabilities",
		    CONF_STATED);
}

/* Management address: the device's own address for SNMP/web management. */
static void
mgmt_tlv(struct diss_ctx *dc, struct cur *v)
{
	uint8_t slen, afi, a[16];
	struct asset_ref who;

	if (!cur_u8(v, &slen) || !cur_u8(v, &afi) || slen < 1)
		return;
	diss_ref(dc, SIDE_SRC, &who);
	if (afi == AFI_IPV4 && slen == 5 && cur_copy(v, a, 4))
		ip_set4(&who.ip, a);
	else if (afi == AFI_IPV6 && slen == 17 && cur_copy(v, a, 16))
		ip_set6(&who.ip, a);
	else
		return;
	if (ip_is_unicast_host(&who.ip))
		diss_addr(dc, &who, "lldp/mgmt_addr");
}

/* LLDP-MED inventory (TIA-1057 10.2.6): subtypes 5-11, text. */
static void
med_tlv(struct diss_ctx *dc, uint8_t sub, struct cur *v)
{
	static const struct { uint8_t sub; struct fact_name attr, src; } inv[] = {
		{ 5, FN(A_HARDWARE), FN("lldp/med_hardware") },
		{ 6, FN(A_FIRMWARE), FN("lldp/med_firmware") },
		{ 7, FN(A_SOFTWARE), FN("lldp/med_software") },
		{ 8, FN(A_SERIAL), FN("lldp/med_serial") },
		{ 9, FN(A_VENDOR), FN("lldp/med_manufacturer") },
		{ 10, FN(A_MODEL), FN("lldp/med_model") },
	};

	for (size_t i = 0; i < sizeof(inv) / sizeof(inv[0]); i++)
		if (inv[i].sub == sub && cur_left(v) > 0) {
			diss_count(dc, C_MED_INVENTORY);
			diss_fact_fn(dc, SIDE_SRC, inv[i].attr, cur_ptr(v), cur_left(v), inv[i].src,
			    CONF_STATED);
		}
}

static void
org_tlv(struct diss_ctx *dc, struct cur *v)
{
	uint32_t oui;
	uint8_t sub;

	if (!cur_be24(v, &oui) || !cur_u8(v, &sub))
		return;
	diss_count(dc, C_ORG_TLVS);
	if (oui == OUI_MED)
		med_tlv(dc, sub, v);
	else if (oui == OUI_PROFINET)
		diss_fact_str(dc, SIDE_SRC, A_NOTE, "profinet lldp extensions", "lldp/profinet",
		    CONF_STATED);
	/* 802.3 MAC/PHY and 802.1 VLAN TLVs describe the link, not the device. */
}

static void
lldp_tlv(struct diss_ctx *dc, unsigned type, struct cur *v)
{
	switch (type) {
	case TLV_CHASSIS_ID:
		id_tlv(dc, v, CHASSIS_MAC, CHASSIS_NETADDR, FN(A_CHASSIS_ID),
		    FN("lldp/chassis_id"));
		break;
	case TLV_PORT_ID:
		id_tlv(dc, v, PORT_MAC, PORT_NETADDR, FN(A_PORT_ID), FN("lldp/port_id"));
		break;
	case TLV_SYS_NAME:
		diss_fact(dc, SIDE_SRC, A_HOSTNAME, cur_ptr(v), cur_left(v), "lldp/sysname",
		    CONF_STATED);
		break;
	case TLV_SYS_DESC:
		diss_fact(dc, SIDE_SRC, A_DESCRIPTION, cur_ptr(v), cur_left(v), "lldp/sysdesc",
		    CONF_STATED);
		break;
	case TLV_CAPS:
		caps_tlv(dc, v);
		break;
	case TLV_MGMT_ADDR:
		mgmt_tlv(dc, v);
		break;
	case TLV_ORG:
		org_tlv(dc, v);
		break;
	}
}

static enum diss_rc
lldp_parse(struct diss_ctx *dc, struct cur *c)
{
	uint16_t hdr;
	struct cur v;

	if (cur_left(c) < 2)
		return DISS_SHORT;
	diss_pdu(dc);
	for (int n = 0; n < DISS_MAX_ITEMS; n++) {
		unsigned type, len;

		if (!cur_be16(c, &hdr))
			break;
		type = hdr >> 9;
		len = hdr & 0x1ff;
		if (type == TLV_END) {
			cur_skip(c, cur_left(c));	/* Ethernet padding */
			return DISS_OK;
		}
		if (!cur_take(c, len, &v)) {
			diss_count(dc, C_BAD_TLV);
			cur_skip(c, cur_left(c));
			return DISS_MALFORMED;
		}
		lldp_tlv(dc, type, &v);
	}
	diss_count(dc, C_NO_END);
	cur_skip(c, cur_left(c));
	return DISS_OK;
}

const struct dissector dis_lldp = {
	.name = "lldp",
	.transport = L4_NONE,
	.ethertype = ETHERTYPE_LLDP,
	.parse = lldp_parse,
	.counter_names = { "bad_tlv", "org_tlvs", "med_inventory", "no_end", NULL },
};
