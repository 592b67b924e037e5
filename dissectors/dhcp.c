/*
 * dhcp.c - DHCPv4 / BOOTP (UDP 67 and 68).
 *
 * Reference: RFC 951 (BOOTP), RFC 2131 (DHCP), RFC 2132 (options),
 * RFC 4702 (client FQDN, option 81).
 *
 * Message: op 1 | htype 1 | hlen 1 | hops 1 | xid 4 | secs 2 | flags 2 |
 * ciaddr 4 | yiaddr 4 | siaddr 4 | giaddr 4 | chaddr 16 | sname 64 |
 * file 128 | magic cookie 4 (99.130.83.99) | options: code 1 | len 1 | value
 * (pad 0 and end 255 have no length).
 *
 * The client is named by chaddr, not by the frame's source MAC (a relay
 * may have forwarded it): its facts go to chaddr.  Hostname (12) and FQDN
 * (81) name the client in requests and in the server's answers alike.
 * Vendor class (60) and the parameter request list (55) describe whoever
 * sent the message: the client in a request, the server in a reply
 * (RFC 2131 table 3 lets a server send its own vendor class).  The server
 * is named by its server identifier (54).
 */
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "dnsname.h"
#include "sw_limits.h"

#define DHCP_SERVER_PORT	67
#define DHCP_CLIENT_PORT	68
#define BOOTP_FIXED_LEN		236
#define DHCP_MAGIC		0x63825363u

#define OP_REQUEST		1
#define OP_REPLY		2

#define OPT_PAD			0
#define OPT_HOSTNAME		12
#define OPT_REQUESTED_IP	50
#define OPT_MSG_TYPE		53
#define OPT_SERVER_ID		54
#define OPT_PARAM_LIST		55
#define OPT_VENDOR_CLASS	60
#define OPT_FQDN		81
#define OPT_END			255

#define MSG_ACK			5

#define ROLE_DHCP_SERVER	"dhcp_server"

enum dhcp_counter {
	C_REQUESTS,		/* BOOTREQUEST */
	C_REPLIES,		/* BOOTREPLY */
	C_BOOTP,		/* no magic cookie: plain BOOTP */
	C_BAD_OPTION,		/* option length past the end */
	C_NOT_ETHERNET,		/* htype/hlen other than Ethernet */
};

struct dhcp_msg {
	uint8_t		 op;
	uint8_t		 chaddr[6];
	uint8_t		 ciaddr[4], yiaddr[4];
	uint8_t		 msg_type;	/* 0: none (BOOTP) */
	uint8_t		 server_id[4];
	bool		 has_server_id;
	struct asset_ref client;
};

static void
client_fact(struct diss_ctx *dc, struct dhcp_msg *m, struct fact_name attr, const void *v,
    size_t n, struct fact_name src, uint8_t conf)
{
	diss_fact_ref_fn(dc, &m->client, attr, v, n, src, conf);
}

/* Whoever sent this message: the client (chaddr) or the server. */
static void
sender_fact(struct diss_ctx *dc, struct dhcp_msg *m, struct fact_name attr, const void *v,
    size_t n, struct fact_name src)
{
	if (m->op == OP_REQUEST)
		client_fact(dc, m, attr, v, n, src, CONF_STATED);
	else
		diss_fact_fn(dc, SIDE_SRC, attr, v, n, src, CONF_STATED);
}

/* Parameter request list, in the client's order: "dhcp55:1,3,6,15". */
static void
param_list(struct diss_ctx *dc, struct dhcp_msg *m, struct cur *v)
{
	char buf[OBS_VAL_MAX_FMT];
	size_t off;
	uint8_t code;

	memcpy(buf, "dhcp55:", 7);
	off = 7;
	while (cur_u8(v, &code) && off + 5 < sizeof(buf)) {	/* digits by hand: one per option */
		if (off > 7)
			buf[off++] = ',';
		if (code >= 100)
			buf[off++] = (char)('0' + code / 100);
		if (code >= 10)
			buf[off++] = (char)('0' + code / 10 % 10);
		buf[off++] = (char)('0' + code % 10);
	}
	if (off > 7)
		sender_fact(dc, m, FN(A_FINGERPRINT), buf, off, FN("dhcp55"));
}

/* FQDN (RFC 4702): flags 1 | rcode1 1 | rcode2 1 | name (ASCII or DNS wire). */
static void
fqdn(struct diss_ctx *dc, struct dhcp_msg *m, struct cur *v)
{
	uint8_t flags, r1, r2;
	char name[DNS_NAME_MAX + 2];

	if (!cur_u8(v, &flags) || !cur_u8(v, &r1) || !cur_u8(v, &r2) || cur_left(v) == 0)
		return;
	if (!(flags & 0x04)) {		/* E bit clear: plain ASCII */
		client_fact(dc, m, FN(A_HOSTNAME), cur_ptr(v), cur_left(v), FN("dhcp/81"),
		    CONF_STATED);
		return;
	}
	if (dnsname_read_partial(v, name, sizeof(name)) && name[0])
		client_fact(dc, m, FN(A_HOSTNAME), name, strlen(name), FN("dhcp/81"), CONF_STATED);
}

static void
dhcp_option(struct diss_ctx *dc, struct dhcp_msg *m, uint8_t code, struct cur *v)
{
	uint8_t ip[4];
	char buf[32];
	int n;

	switch (code) {
	case OPT_HOSTNAME:
		client_fact(dc, m, FN(A_HOSTNAME), cur_ptr(v), cur_left(v), FN("dhcp/12"),
		    CONF_STATED);
		break;
	case OPT_FQDN:
		fqdn(dc, m, v);
		break;
	case OPT_VENDOR_CLASS:
		sender_fact(dc, m, FN(A_SOFTWARE), cur_ptr(v), cur_left(v),
		    FN("dhcp/vendor_class"));
		break;
	case OPT_PARAM_LIST:
		param_list(dc, m, v);
		break;
	case OPT_MSG_TYPE:
		cur_u8(v, &m->msg_type);
		break;
	case OPT_SERVER_ID:
		if (cur_copy(v, m->server_id, 4))
			m->has_server_id = true;
		break;
	case OPT_REQUESTED_IP:
		/* asked for, not granted: a note, not a binding */
		if (cur_copy(v, ip, 4)) {
			n = snprintf(buf, sizeof(buf), "dhcp requested %u.%u.%u.%u",
			    ip[0], ip[1], ip[2], ip[3]);
			client_fact(dc, m, FN(A_NOTE), buf, (size_t)n, FN("dhcp/50"), CONF_WEAK);
		}
		break;
	}
}

/* Options TLV loop: pad and end have no length; every length is checked. */
static enum diss_rc
dhcp_options(struct diss_ctx *dc, struct dhcp_msg *m, struct cur *c)
{
	for (int n = 0; cur_left(c) > 0 && n < DISS_MAX_ITEMS; n++) {
		uint8_t code, len;
		struct cur v;

		cur_u8(c, &code);
		if (code == OPT_PAD)
			continue;
		if (code == OPT_END)
			return DISS_OK;
		if (!cur_u8(c, &len) || !cur_take(c, len, &v)) {
			diss_count(dc, C_BAD_OPTION);
			return DISS_MALFORMED;
		}
		dhcp_option(dc, m, code, &v);
	}
	return DISS_OK;
}

/* The server: its identifier, and the sender's MAC when it sent this itself. */
static void
server_identity(struct diss_ctx *dc, struct dhcp_msg *m)
{
	struct asset_ref srv;
	struct ipaddr sid;

	diss_ref(dc, SIDE_SRC, &srv);
	if (m->has_server_id) {
		ip_set4(&sid, m->server_id);
		if (!ip_eq(&sid, &srv.ip))
			memset(srv.mac, 0, 6);	/* relayed: the MAC is the relay's */
		srv.ip = sid;
	}
	if (!ip_is_unicast_host(&srv.ip))
		return;
	diss_fact_ref(dc, &srv, A_ROLE, ROLE_DHCP_SERVER, strlen(ROLE_DHCP_SERVER),
	    "dhcp", CONF_STATED);
}

static void
client_binding(struct diss_ctx *dc, struct dhcp_msg *m)
{
	static const uint8_t zero[4];
	struct asset_ref who = m->client;

	/* An ACK (or a BOOTP reply) assigns yiaddr; a client in RENEW states ciaddr. */
	if (m->op == OP_REPLY && (m->msg_type == MSG_ACK || m->msg_type == 0) &&
	    memcmp(m->yiaddr, zero, 4) != 0)
		ip_set4(&who.ip, m->yiaddr);
	else if (m->op == OP_REQUEST && memcmp(m->ciaddr, zero, 4) != 0)
		ip_set4(&who.ip, m->ciaddr);
	else
		return;
	if (ip_is_unicast_host(&who.ip))
		diss_addr(dc, &who, "dhcp");
}

static enum diss_rc
dhcp_parse(struct diss_ctx *dc, struct cur *c)
{
	struct dhcp_msg m;
	uint8_t htype, hlen, hops, siaddr[4], giaddr[4];
	uint32_t xid, magic;
	uint16_t secs, flags;
	enum diss_rc rc = DISS_OK;

	memset(&m, 0, sizeof(m));
	if (cur_left(c) < BOOTP_FIXED_LEN)
		return DISS_SHORT;
	cur_u8(c, &m.op);
	cur_u8(c, &htype);
	cur_u8(c, &hlen);
	cur_u8(c, &hops);
	cur_be32(c, &xid);
	cur_be16(c, &secs);
	cur_be16(c, &flags);
	cur_copy(c, m.ciaddr, 4);
	cur_copy(c, m.yiaddr, 4);
	cur_copy(c, siaddr, 4);
	cur_copy(c, giaddr, 4);
	cur_copy(c, m.chaddr, 6);
	cur_skip(c, 10 + 64 + 128);	/* rest of chaddr, sname, file */
	if (m.op != OP_REQUEST && m.op != OP_REPLY)
		return DISS_MALFORMED;
	diss_pdu(dc);
	diss_count(dc, m.op == OP_REQUEST ? C_REQUESTS : C_REPLIES);
	if (htype != 1 || hlen != 6) {
		diss_count(dc, C_NOT_ETHERNET);
		cur_skip(c, cur_left(c));
		return DISS_OK;
	}
	memcpy(m.client.mac, m.chaddr, 6);
	m.client.vlan = dc->flow.vlan;
	if (!cur_be32(c, &magic) || magic != DHCP_MAGIC) {
		diss_count(dc, C_BOOTP);
		cur_skip(c, cur_left(c));
	} else
		rc = dhcp_options(dc, &m, c);
	cur_skip(c, cur_left(c));
	if (m.op == OP_REPLY)
		server_identity(dc, &m);
	client_binding(dc, &m);
	return rc;
}

const struct dissector dis_dhcp = {
	.name = "dhcp",
	.transport = L4_UDP,
	.ports = { DHCP_SERVER_PORT, DHCP_CLIENT_PORT },
	.parse = dhcp_parse,
	.counter_names = { "requests", "replies", "bootp", "bad_option", "not_ethernet", NULL },
};
