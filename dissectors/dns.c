/*
 * dns.c - unicast DNS (RFC 1035) on UDP and TCP port 53: which names a
 * device resolves, the addresses the answers gave, and which resolver it
 * asks.  Multicast DNS (5353) is mdns.c.
 *
 * Message (RFC 1035 4.1): id(2) flags(2) qdcount(2) ancount(2) nscount(2)
 * arcount(2), questions  name type(2) class(2), then answer records
 * name type(2) class(2) ttl(4) rdlength(2) rdata.  Over TCP each message
 * is preceded by its length in two bytes (RFC 1035 4.2.2, RFC 7766).
 * Names go through dnsname.c (compression pointers only backwards, a
 * bounded number of them).
 *
 * Facts, about the asking device:
 *   dns_query     the name asked (a standard query's first question)
 *   dns_resolver  the server address it was sent to
 *   dns_answer    "name=address" for each A/AAAA record of a response,
 *                 name being the question (what the device asked for)
 *   dns_cname     "owner=target" for each CNAME in the chain
 * The counts in the header are the sender's claim: records are read only
 * while the message has bytes, at most DNS_MAX_RECORDS of them.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "dnsname.h"
#include "sw_limits.h"

enum dns_counter {
	DNS_QUERIES, DNS_RESPONSES, DNS_BAD_NAMES, DNS_LYING_COUNTS, DNS_RECORDS_CUT,
	DNS_TC_SET, DNS_NOT_QUERY,
};

#define T_A		1
#define T_CNAME		5
#define T_AAAA		28
#define C_IN		1

#define FLAG_QR		0x8000
#define FLAG_TC		0x0200
#define OPCODE(f)	(((f) >> 11) & 0x0f)

#define DNS_HDR_LEN	12

struct dns_head {
	uint16_t	 id, flags, qd, an, ns, ar;
};

/* name=value into buf; false when it does not fit (then it is not reported). */
static bool
pair(char *buf, size_t bufsz, const char *name, const char *value)
{
	int n = snprintf(buf, bufsz, "%s=%s", name, value);

	return n > 0 && (size_t)n < bufsz;
}

static void
report_resolver(struct diss_ctx *dc)
{
	struct asset_ref srv;
	char ip[IP_STRLEN];

	diss_ref(dc, SIDE_DST, &srv);
	if (!ip_is_unicast_host(&srv.ip))
		return;
	ip_fmt(&srv.ip, ip);
	diss_fact_str(dc, SIDE_SRC, A_DNS_RESOLVER, ip, "dns/resolver", CONF_STATED);
}

/* An address record: rd is its rdata. */
static void
rr_address(struct diss_ctx *dc, const char *qname, uint16_t type, struct cur *rd)
{
	char buf[DNS_NAME_MAX + IP_STRLEN + 2], ip[IP_STRLEN];
	struct ipaddr a;

	memset(&a, 0, sizeof(a));
	if (type == T_A && cur_left(rd) == 4) {
		a.fam = IPFAM_V4;
		cur_copy(rd, a.a, 4);
	} else if (type == T_AAAA && cur_left(rd) == 16) {
		a.fam = IPFAM_V6;
		cur_copy(rd, a.a, 16);
	} else {
		diss_count(dc, DNS_BAD_NAMES);
		return;
	}
	ip_fmt(&a, ip);
	if (qname[0] && pair(buf, sizeof(buf), qname, ip))
		diss_fact_str(dc, SIDE_DST, A_DNS_ANSWER, buf, "dns/answer", CONF_STATED);
}

static void
rr_cname(struct diss_ctx *dc, const struct cur *msg, const char *owner, struct cur *rd)
{
	char target[DNS_NAME_MAX + 2], buf[2 * DNS_NAME_MAX + 4];

	if (!dnsname_read(msg, rd, target, sizeof(target))) {
		diss_count(dc, DNS_BAD_NAMES);
		return;
	}
	if (owner[0] && target[0] && pair(buf, sizeof(buf), owner, target))
		diss_fact_str(dc, SIDE_DST, A_DNS_CNAME, buf, "dns/cname", CONF_STATED);
}

/*
 * One resource record of the answer section.  DISS_SHORT when the message
 * ends inside it, DISS_MALFORMED when its name is bad.
 */
static enum diss_rc
answer_record(struct diss_ctx *dc, const struct cur *msg, struct cur *c, const char *qname)
{
	char owner[DNS_NAME_MAX + 2];
	uint16_t type = 0, klass = 0, rdlen = 0;
	uint32_t ttl = 0;
	struct cur rd;

	if (!dnsname_read(msg, c, owner, sizeof(owner))) {
		diss_count(dc, DNS_BAD_NAMES);
		return DISS_MALFORMED;
	}
	cur_be16(c, &type);
	cur_be16(c, &klass);
	cur_be32(c, &ttl);
	cur_be16(c, &rdlen);
	if (!cur_ok(c) || !cur_take(c, rdlen, &rd))
		return DISS_SHORT;
	if ((klass & 0x7fff) != C_IN)
		return DISS_OK;
	if (type == T_A || type == T_AAAA)
		rr_address(dc, qname, type, &rd);
	else if (type == T_CNAME)
		rr_cname(dc, msg, owner, &rd);
	return DISS_OK;
}

static bool
read_head(struct cur *c, struct dns_head *h)
{
	cur_be16(c, &h->id);
	cur_be16(c, &h->flags);
	cur_be16(c, &h->qd);
	cur_be16(c, &h->an);
	cur_be16(c, &h->ns);
	cur_be16(c, &h->ar);
	return cur_ok(c);
}

/* The first question's name into qname ("" if none). */
static enum diss_rc
questions(struct diss_ctx *dc, const struct cur *msg, struct cur *c, unsigned qd,
    char *qname, size_t qsz)
{
	qname[0] = '\0';
	for (unsigned i = 0; i < qd && i < DNS_MAX_RECORDS; i++) {
		char name[DNS_NAME_MAX + 2];

		if (cur_left(c) == 0) {
			diss_count(dc, DNS_LYING_COUNTS);	/* claims more than it has */
			return DISS_SHORT;
		}
		if (!dnsname_read(msg, c, name, sizeof(name))) {
			diss_count(dc, DNS_BAD_NAMES);
			return DISS_MALFORMED;
		}
		if (!cur_skip(c, 4))
			return DISS_SHORT;
		if (i == 0)
			snprintf(qname, qsz, "%s", name);
	}
	return DISS_OK;
}

static enum diss_rc
answers(struct diss_ctx *dc, const struct cur *msg, struct cur *c, unsigned an, const char *qname)
{
	unsigned i;

	for (i = 0; i < an && i < DNS_MAX_RECORDS; i++) {
		enum diss_rc rc;

		if (cur_left(c) == 0) {
			diss_count(dc, DNS_LYING_COUNTS);
			return DISS_SHORT;
		}
		if ((rc = answer_record(dc, msg, c, qname)) != DISS_OK)
			return rc;
	}
	if (i < an)
		diss_count(dc, DNS_RECORDS_CUT);
	return DISS_OK;
}

/*
 * One whole DNS message.  What was read before a bad or missing record is
 * reported: a truncated answer still names the addresses it carries.
 */
static enum diss_rc
message(struct diss_ctx *dc, struct cur *m)
{
	const struct cur msg = *m;
	char qname[DNS_NAME_MAX + 2];
	struct dns_head h;
	enum diss_rc rc;

	if (!read_head(m, &h))
		return DISS_SHORT;
	diss_pdu(dc);
	if (OPCODE(h.flags) != 0) {		/* notify, update, status: not lookups */
		diss_count(dc, DNS_NOT_QUERY);
		return DISS_OK;
	}
	if ((rc = questions(dc, &msg, m, h.qd, qname, sizeof(qname))) != DISS_OK)
		return rc;
	if (!(h.flags & FLAG_QR)) {
		diss_count(dc, DNS_QUERIES);
		if (qname[0]) {
			diss_fact_str(dc, SIDE_SRC, A_DNS_QUERY, qname, "dns/query", CONF_STATED);
			report_resolver(dc);
		}
		return DISS_OK;
	}
	diss_count(dc, DNS_RESPONSES);
	if (h.flags & FLAG_TC)
		diss_count(dc, DNS_TC_SET);	/* what did arrive is still an answer */
	return answers(dc, &msg, m, h.an, qname);
}

/* TCP: messages behind a two-byte length; stops at the first incomplete one. */
static enum diss_rc
stream(struct diss_ctx *dc, struct cur *c)
{
	for (int n = 0; n < DISS_MAX_ITEMS && cur_left(c) >= 2; n++) {
		struct cur m;
		uint16_t len = 0;
		enum diss_rc rc;

		cur_peek_be16(c, 0, &len);
		if (len < DNS_HDR_LEN)
			return DISS_MALFORMED;
		if (cur_left(c) < 2u + len)
			return DISS_OK;		/* the rest of the message comes later */
		cur_skip(c, 2);
		cur_take(c, len, &m);
		/* a bad message ends where its length says: count it, go on */
		rc = message(dc, &m);

		if (dc->st && rc == DISS_MALFORMED)
			dc->st->malformed++;
		else if (dc->st && rc == DISS_SHORT)
			dc->st->truncated++;
	}
	return DISS_OK;
}

static enum diss_rc
dns_parse(struct diss_ctx *dc, struct cur *c)
{
	if (dc->flow.transport == L4_UDP) {
		enum diss_rc rc = message(dc, c);

		cur_skip(c, cur_left(c));
		return rc;
	}
	return stream(dc, c);
}

const struct dissector dis_dns = {
	.name = "dns",
	.transport = L4_TCP,
	.also_udp = true,
	.ports = { 53 },
	.parse = dns_parse,
	.counter_names = { "queries", "responses", "bad_names", "lying_counts", "records_cut",
	    "truncated_flag", "not_query", NULL },
};
