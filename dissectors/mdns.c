/*
 * mdns.c - multicast DNS (RFC 6762) and DNS-SD (RFC 6763) on UDP 5353:
 * what responders say about themselves.
 *
 * Message (RFC 1035 4.1): id(2) flags(2) qdcount(2) ancount(2) nscount(2)
 * arcount(2), then questions  name type(2) class(2)  and resource records
 * name type(2) class(2) ttl(4) rdlength(2) rdata.  Names are labels
 * (length(1) + bytes, length <= 63) ending in 0, or a 2-byte pointer
 * 0xC000|offset to a name earlier in the message: at most DNS_MAX_JUMPS
 * pointers are followed, each to an earlier offset, so loops end
 * (dnsname.c, shared with the DNS dissector).
 * From responses: A/AAAA and SRV targets -> host names, PTR -> service
 * instance names, TXT model keys -> model.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dissector.h"
#include "dnsname.h"
#include "sw_limits.h"

enum mdns_counter { MDNS_QUERIES, MDNS_RESPONSES, MDNS_BAD_NAMES };

#define T_A	1
#define T_PTR	12
#define T_TXT	16
#define T_AAAA	28
#define T_SRV	33

#define FLAG_QR	0x8000

/* "host.local" -> "host"; false if not under .local. */
static bool
strip_local(char *name)
{
	size_t n = strlen(name);

	if (n > 6 && strcasecmp(name + n - 6, ".local") == 0) {
		name[n - 6] = '\0';
		return true;
	}
	return false;
}

static void
rr_ptr(struct diss_ctx *dc, const char *owner, const char *target)
{
	char t[DNS_NAME_MAX + 2];
	size_t ol = strlen(owner), tl = strlen(target);

	snprintf(t, sizeof(t), "%s", target);
	if (strstr(owner, ".in-addr.arpa") || strstr(owner, ".ip6.arpa")) {
		if (strip_local(t))
			diss_fact_str(dc, SIDE_SRC, A_HOSTNAME, t, "mdns/ptr", CONF_STATED);
		return;
	}
	if (strcasecmp(owner, "_services._dns-sd._udp.local") == 0) {
		diss_fact_str(dc, SIDE_SRC, A_NOTE, target, "mdns/service", CONF_STATED);
		return;
	}
	/* "Instance Name._service._tcp.local" under owner "_service._tcp.local" */
	if (tl > ol + 1 && strcasecmp(target + tl - ol, owner) == 0 && target[tl - ol - 1] == '.') {
		diss_fact(dc, SIDE_SRC, A_DEVICE_NAME, target, tl - ol - 1, "mdns/instance",
		    CONF_STATED);
		diss_fact_str(dc, SIDE_SRC, A_NOTE, owner, "mdns/service", CONF_STATED);
	}
}

/* TXT: <len><key=value>...; model keys of printers (Bonjour Printing 1.2) and devices. */
static void
rr_txt(struct diss_ctx *dc, struct cur *rd)
{
	static const struct { const char *key; struct fact_name attr; } keys[] = {
		{ "md=", FN(A_MODEL) }, { "model=", FN(A_MODEL) }, { "ty=", FN(A_MODEL) },
		{ "product=", FN(A_MODEL) }, { "usb_MDL=", FN(A_MODEL) }, { "am=", FN(A_MODEL) },
		{ "usb_MFG=", FN(A_VENDOR) }, { "manufacturer=", FN(A_VENDOR) },
	};

	for (int i = 0; i < DISS_MAX_ITEMS && cur_left(rd); i++) {
		struct cur s;
		uint8_t len = 0;

		if (!cur_u8(rd, &len) || !cur_take(rd, len, &s))
			return;
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			size_t kl = strlen(keys[k].key);
			char kb[16];

			if (cur_left(&s) <= kl || kl >= sizeof(kb))
				continue;
			struct cur t = s;

			cur_copy(&t, kb, kl);
			if (strncasecmp(kb, keys[k].key, kl) != 0)
				continue;
			diss_fact_fn(dc, SIDE_SRC, keys[k].attr, cur_ptr(&t), cur_left(&t),
			    FN("mdns/txt"), CONF_STATED);
			break;
		}
	}
}

static enum diss_rc
resource(struct diss_ctx *dc, const struct cur *msg, struct cur *c)
{
	char owner[DNS_NAME_MAX + 2], target[DNS_NAME_MAX + 2];
	uint16_t type = 0, cls = 0, rdlen = 0, prio, weight, port;
	uint32_t ttl = 0;
	struct cur rd;

	if (!dnsname_read(msg, c, owner, sizeof(owner)))
		return DISS_MALFORMED;
	cur_be16(c, &type);
	cur_be16(c, &cls);
	cur_be32(c, &ttl);
	cur_be16(c, &rdlen);
	if (!cur_ok(c) || !cur_take(c, rdlen, &rd))
		return DISS_SHORT;
	switch (type) {
	case T_A:
	case T_AAAA:
		if (strip_local(owner))
			diss_fact_str(dc, SIDE_SRC, A_HOSTNAME, owner, "mdns/a", CONF_STATED);
		break;
	case T_PTR:
		if (!dnsname_read(msg, &rd, target, sizeof(target)))
			return DISS_MALFORMED;
		rr_ptr(dc, owner, target);
		break;
	case T_SRV:
		if (!cur_be16(&rd, &prio) || !cur_be16(&rd, &weight) || !cur_be16(&rd, &port) ||
		    !dnsname_read(msg, &rd, target, sizeof(target)))
			return DISS_MALFORMED;
		if (strip_local(target))
			diss_fact_str(dc, SIDE_SRC, A_HOSTNAME, target, "mdns/srv", CONF_STATED);
		break;
	case T_TXT:
		rr_txt(dc, &rd);
		break;
	}
	return DISS_OK;
}

static enum diss_rc
mdns_parse(struct diss_ctx *dc, struct cur *c)
{
	const struct cur msg = *c;
	uint16_t id = 0, flags = 0, qd = 0, an = 0, ns = 0, ar = 0, qt, qc;
	char name[DNS_NAME_MAX + 2];
	enum diss_rc rc = DISS_OK;
	unsigned n;

	cur_be16(c, &id);
	cur_be16(c, &flags);
	cur_be16(c, &qd);
	cur_be16(c, &an);
	cur_be16(c, &ns);
	cur_be16(c, &ar);
	if (!cur_ok(c))
		return DISS_SHORT;
	for (n = 0; n < qd && n < DISS_MAX_ITEMS; n++) {
		if (!dnsname_read(&msg, c, name, sizeof(name))) {
			diss_count(dc, MDNS_BAD_NAMES);
			return DISS_MALFORMED;
		}
		if (!cur_be16(c, &qt) || !cur_be16(c, &qc))
			return DISS_SHORT;
	}
	if (!(flags & FLAG_QR)) {
		diss_count(dc, MDNS_QUERIES);
		diss_pdu(dc);
		cur_skip(c, cur_left(c));
		return DISS_OK;	/* known answers in a query are others' records */
	}
	for (n = 0; n < (unsigned)an + ns + ar && n < DISS_MAX_ITEMS && cur_left(c); n++)
		if ((rc = resource(dc, &msg, c)) != DISS_OK)
			break;
	if (rc == DISS_MALFORMED)
		diss_count(dc, MDNS_BAD_NAMES);
	diss_count(dc, MDNS_RESPONSES);
	diss_pdu(dc);
	cur_skip(c, cur_left(c));
	return rc;
}

const struct dissector dis_mdns = {
	.name = "mdns",
	.transport = L4_UDP,
	.ports = { 5353 },
	.parse = mdns_parse,
	.counter_names = { "queries", "responses", "bad_names", NULL },
};
