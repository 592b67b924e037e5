/*
 * dhcp6.c - DHCPv6 basics (UDP 546 client, 547 server).
 *
 * Reference: RFC 8415 (DHCPv6: message and option formats, DUIDs),
 * RFC 4704 (client FQDN, option 39).
 *
 * Client/server message: msg-type 1 | transaction-id 3 | options.
 * Option: code 2 | length 2 | value.  Relay-forward/reply (12, 13) are
 * counted, not unwrapped.
 *
 * The client is the sender of Solicit/Request/Renew/... and the receiver
 * of Advertise/Reply.  When its DUID (client identifier, option 1) embeds
 * an Ethernet address (DUID-LLT, DUID-LL) that MAC names it, as chaddr
 * does in DHCPv4.  Facts: FQDN (39) as hostname, vendor class (16) as
 * software, the option request list (6) as an ordered fingerprint, and
 * the addresses a Reply assigns (IA_NA 3 / IA Address 5) as bindings.
 */
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "dnsname.h"
#include "sw_limits.h"

#define DHCP6_CLIENT_PORT	546
#define DHCP6_SERVER_PORT	547

#define MSG_ADVERTISE		2
#define MSG_REPLY		7
#define MSG_RELAY_FORW		12
#define MSG_RELAY_REPL		13

#define OPT_CLIENTID		1
#define OPT_IA_NA		3
#define OPT_IAADDR		5
#define OPT_ORO			6
#define OPT_VENDOR_CLASS	16
#define OPT_FQDN		39

#define DUID_LLT		1
#define DUID_LL			3
#define HWTYPE_ETHERNET		1

enum dhcp6_counter {
	C_CLIENT_MSGS,
	C_SERVER_MSGS,
	C_RELAYED,		/* relay-forward / relay-reply: not unwrapped */
	C_BAD_OPTION,
};

struct dhcp6_msg {
	bool		 from_server;
	struct asset_ref client;
};

/* DUID-LLT: type 2 | hwtype 2 | time 4 | addr;  DUID-LL: type 2 | hwtype 2 | addr. */
static void
client_duid(struct dhcp6_msg *m, struct cur *v)
{
	uint16_t type, hw;
	uint32_t t;

	if (!cur_be16(v, &type) || !cur_be16(v, &hw) || hw != HWTYPE_ETHERNET)
		return;
	if (type == DUID_LLT && !cur_be32(v, &t))
		return;
	if ((type == DUID_LLT || type == DUID_LL) && cur_left(v) == 6) {
		cur_copy(v, m->client.mac, 6);
		/* the frame's IP belongs to the client only if it sent it */
		if (m->from_server)
			memset(&m->client.ip, 0, sizeof(m->client.ip));
	}
}

/* Option request list: 16-bit codes in the client's order, "dhcp6_oro:23,24". */
static void
oro(struct diss_ctx *dc, struct dhcp6_msg *m, struct cur *v)
{
	char buf[OBS_VAL_MAX_FMT];
	size_t off = sizeof("dhcp6_oro:") - 1, start = off;
	uint16_t code;

	memcpy(buf, "dhcp6_oro:", off);
	/* a code is at most ",65535": 7 bytes left always hold it (no snprintf per code) */
	while (cur_be16(v, &code) && off + 7 < sizeof(buf)) {
		char digits[5];
		size_t k = 0;

		if (off > start)
			buf[off++] = ',';
		do {
			digits[k++] = (char)('0' + code % 10);
			code /= 10;
		} while (code > 0);
		while (k > 0)
			buf[off++] = digits[--k];
	}
	if (off > start && !m->from_server)
		diss_fact_ref(dc, &m->client, A_FINGERPRINT, buf, off, "dhcp6/6", CONF_STATED);
}

/* FQDN: flags 1 | DNS wire-format name. */
static void
fqdn(struct diss_ctx *dc, struct dhcp6_msg *m, struct cur *v)
{
	char name[DNS_NAME_MAX + 2];
	uint8_t flags;

	if (!cur_u8(v, &flags))
		return;
	if (dnsname_read_partial(v, name, sizeof(name)) && name[0])
		diss_fact_ref(dc, &m->client, A_HOSTNAME, name, strlen(name), "dhcp6/39",
		    CONF_STATED);
}

/* Vendor class: enterprise 4 | (length 2 | data)*: the first data string. */
static void
vendor_class(struct diss_ctx *dc, struct dhcp6_msg *m, struct cur *v)
{
	uint32_t ent;
	uint16_t len;
	const uint8_t *s;

	if (m->from_server || !cur_be32(v, &ent) || !cur_be16(v, &len) || len == 0 ||
	    !diss_str(v, len, &s))
		return;
	diss_fact_ref(dc, &m->client, A_SOFTWARE, s, len, "dhcp6/vendor_class", CONF_STATED);
}

/* IA_NA: IAID 4 | T1 4 | T2 4 | options; IA Address: addr 16 | pref 4 | valid 4 | options. */
static void
ia_na(struct diss_ctx *dc, struct dhcp6_msg *m, struct cur *v, uint8_t msg_type)
{
	uint16_t code, len;
	uint8_t a[16];
	struct cur o;

	if (msg_type != MSG_REPLY || mac_is_zero(m->client.mac) || !cur_skip(v, 12))
		return;
	for (int n = 0; cur_left(v) >= 4 && n < DISS_MAX_ITEMS; n++) {
		struct asset_ref who = m->client;

		if (!cur_be16(v, &code) || !cur_be16(v, &len) || !cur_take(v, len, &o))
			return;
		if (code != OPT_IAADDR || !cur_copy(&o, a, 16))
			continue;
		ip_set6(&who.ip, a);
		if (ip_is_unicast_host(&who.ip))
			diss_addr(dc, &who, "dhcp6");
	}
}

static enum diss_rc
dhcp6_options(struct diss_ctx *dc, struct dhcp6_msg *m, struct cur *c, uint8_t msg_type)
{
	struct cur all = *c, v;
	uint16_t code, len;

	/* the client id first: it decides whom the other options describe */
	for (int n = 0; cur_left(&all) >= 4 && n < DISS_MAX_ITEMS; n++) {
		if (!cur_be16(&all, &code) || !cur_be16(&all, &len) || !cur_take(&all, len, &v))
			break;
		if (code == OPT_CLIENTID)
			client_duid(m, &v);
	}
	for (int n = 0; cur_left(c) > 0 && n < DISS_MAX_ITEMS; n++) {
		if (!cur_be16(c, &code) || !cur_be16(c, &len) || !cur_take(c, len, &v)) {
			diss_count(dc, C_BAD_OPTION);
			return DISS_MALFORMED;
		}
		switch (code) {
		case OPT_ORO:
			oro(dc, m, &v);
			break;
		case OPT_FQDN:
			fqdn(dc, m, &v);
			break;
		case OPT_VENDOR_CLASS:
			vendor_class(dc, m, &v);
			break;
		case OPT_IA_NA:
			ia_na(dc, m, &v, msg_type);
			break;
		}
	}
	return DISS_OK;
}

static enum diss_rc
dhcp6_parse(struct diss_ctx *dc, struct cur *c)
{
	struct dhcp6_msg m;
	uint8_t type;
	uint32_t xid;
	enum diss_rc rc;

	memset(&m, 0, sizeof(m));
	if (!cur_u8(c, &type) || !cur_be24(c, &xid))
		return DISS_SHORT;
	if (type == 0 || type > 36)
		return DISS_MALFORMED;
	diss_pdu(dc);
	if (type == MSG_RELAY_FORW || type == MSG_RELAY_REPL) {
		diss_count(dc, C_RELAYED);
		cur_skip(c, cur_left(c));
		return DISS_OK;
	}
	m.from_server = type == MSG_ADVERTISE || type == MSG_REPLY || type == 10 /* reconfigure */;
	diss_count(dc, m.from_server ? C_SERVER_MSGS : C_CLIENT_MSGS);
	diss_ref(dc, m.from_server ? SIDE_DST : SIDE_SRC, &m.client);
	if (!ip_is_unicast_host(&m.client.ip))
		memset(&m.client.ip, 0, sizeof(m.client.ip));
	rc = dhcp6_options(dc, &m, c, type);
	cur_skip(c, cur_left(c));
	return rc;
}

const struct dissector dis_dhcp6 = {
	.name = "dhcp6",
	.transport = L4_UDP,
	.ports = { DHCP6_SERVER_PORT, DHCP6_CLIENT_PORT },
	.parse = dhcp6_parse,
	.counter_names = { "client_msgs", "server_msgs", "relayed", "bad_option", NULL },
};
