/*
 * llmnr.c - Link-Local Multicast Name Resolution (RFC 4795) on UDP 5355:
 * the names Windows hosts answer for on their own segment.
 *
 * The message is DNS's (RFC 1035 4.1, names read by dnsname.c):
 *   id(2) flags(2) qdcount(2) ancount(2) nscount(2) arcount(2),
 *   one question  name type(2) class(2), then resource records
 *   name type(2) class(2) ttl(4) rdlength(2) rdata.
 * Flags (RFC 4795 2.1.1): QR 0x8000, opcode (4 bits, 0 is the only one),
 * C 0x0400 (conflict), TC 0x0200, T 0x0100 (tentative), rcode (4 bits).
 * A query goes to 224.0.0.252 / ff02::1:3; only a host authoritative for
 * the name answers (2.1.1, 2.3), unicast: an A/AAAA answer names its
 * sender, as does the target of a PTR answer for a reverse name.  A query
 * names someone else, or no one: it is counted, nothing more.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "dissector.h"
#include "dnsname.h"
#include "sw_limits.h"

enum llmnr_counter { LLMNR_QUERIES, LLMNR_RESPONSES, LLMNR_BAD_NAMES };

#define T_A		1
#define T_PTR		12
#define T_AAAA		28

#define FLAG_QR		0x8000
#define FLAG_OPCODE(f)	(((f) >> 11) & 0xf)

static bool
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n > t && strcasecmp(s + n - t, tail) == 0;
}

/* One answer record of a response: what the responder says its name is. */
static enum diss_rc
answer(struct diss_ctx *dc, const struct cur *msg, struct cur *c)
{
	char owner[DNS_NAME_MAX + 2], target[DNS_NAME_MAX + 2];
	uint16_t type = 0, cls = 0, rdlen = 0;
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
	if ((type == T_A && rdlen == 4) || (type == T_AAAA && rdlen == 16)) {
		if (owner[0])
			diss_fact_str(dc, SIDE_SRC, A_HOSTNAME, owner, "llmnr/a", CONF_STATED);
	} else if (type == T_PTR && (ends_with(owner, ".in-addr.arpa") || ends_with(owner, ".ip6.arpa"))) {
		if (!dnsname_read(msg, &rd, target, sizeof(target)))
			return DISS_MALFORMED;
		if (target[0])
			diss_fact_str(dc, SIDE_SRC, A_HOSTNAME, target, "llmnr/ptr", CONF_STATED);
	}
	return DISS_OK;
}

static enum diss_rc
llmnr_parse(struct diss_ctx *dc, struct cur *c)
{
	const struct cur msg = *c;
	uint16_t id = 0, flags = 0, qd = 0, an = 0, ns = 0, ar = 0, qt = 0, qc = 0;
	char name[DNS_NAME_MAX + 2];
	enum diss_rc rc = DISS_OK;

	cur_be16(c, &id);
	cur_be16(c, &flags);
	cur_be16(c, &qd);
	cur_be16(c, &an);
	cur_be16(c, &ns);
	cur_be16(c, &ar);
	if (!cur_ok(c))
		return DISS_SHORT;
	/* RFC 4795 2.1.1: one question, opcode 0; anything else is not LLMNR */
	if (qd != 1 || FLAG_OPCODE(flags) != 0)
		return DISS_NOT_MINE;
	if (!dnsname_read(&msg, c, name, sizeof(name))) {
		diss_count(dc, LLMNR_BAD_NAMES);
		return DISS_MALFORMED;
	}
	if (!cur_be16(c, &qt) || !cur_be16(c, &qc))
		return DISS_SHORT;
	if (!(flags & FLAG_QR)) {
		diss_count(dc, LLMNR_QUERIES);
		diss_pdu(dc);
		cur_skip(c, cur_left(c));
		return DISS_OK;
	}
	/* answers only: authority and additional records say nothing of the sender */
	for (unsigned n = 0; n < an && n < DISS_MAX_ITEMS && cur_left(c); n++)
		if ((rc = answer(dc, &msg, c)) != DISS_OK)
			break;
	if (rc == DISS_MALFORMED)
		diss_count(dc, LLMNR_BAD_NAMES);
	diss_count(dc, LLMNR_RESPONSES);
	diss_pdu(dc);
	cur_skip(c, cur_left(c));
	return rc;
}

const struct dissector dis_llmnr = {
	.name = "llmnr",
	.transport = L4_UDP,
	.ports = { 5355 },
	.parse = llmnr_parse,
	.counter_names = { "queries", "responses", "bad_names", NULL },
};
