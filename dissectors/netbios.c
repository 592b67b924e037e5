/*
 * netbios.c - NetBIOS name service (RFC 1002 section 4.2) on UDP 137:
 * names hosts register, refresh and answer for.
 *
 * Header (12): trn_id(2) flags(2: R, opcode(4), AA TC RD RA 0 0 B, rcode(4))
 *              qdcount(2) ancount(2) nscount(2) arcount(2)
 * Question name: one 32-byte label, the 16-byte NetBIOS name in "first-level
 * encoding" (each nibble + 'A'), scope labels, 0; type(2) class(2).  The
 * labels and pointers are DNS's (RFC 1002 4.1), read by dnsname.c.
 * Resource records: name (or pointer 0xC00C) type(2) class(2) ttl(4) rdlength(2)
 *   NB (0x20): per address NB_FLAGS(2: G bit 0x8000 = group name) + IPv4(4)
 *   NBSTAT (0x21): num_names(1), per name 15 bytes + suffix(1) + flags(2), ...
 * Name = 15 bytes space-padded + suffix: 0x00 workstation, 0x20 file server,
 * 0x1B/0x1C/0x1D/0x1E domain and browser roles.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "dnsname.h"
#include "sw_limits.h"

enum nbns_counter { NBNS_REGISTRATIONS, NBNS_RESPONSES, NBNS_QUERIES, NBNS_BAD_NAMES };

#define NB_R		0x8000
#define NB_OPCODE(f)	(((f) >> 11) & 0xf)
#define OP_QUERY	0
#define OP_REGISTER	5
#define OP_RELEASE	6
#define OP_REFRESH	8	/* and 9 */
#define OP_MULTIHOMED	15
#define T_NB		0x20
#define T_NBSTAT	0x21
#define NB_GROUP	0x8000

/* 15 name bytes + suffix, trailing spaces trimmed; false if not printable. */
static bool
nb_clean(const uint8_t raw[16], char out[16], uint8_t *suffix)
{
	int n = 15;

	*suffix = raw[15];
	while (n > 0 && raw[n - 1] == ' ')
		n--;
	for (int i = 0; i < n; i++) {
		if (raw[i] < 0x20 || raw[i] > 0x7e)
			return false;
		out[i] = (char)raw[i];
	}
	out[n] = '\0';
	return n > 0;
}

/*
 * The name at c, DNS-encoded (dnsname.c: compression, loops, lengths): its
 * first label is the 32-byte first-level encoding, the labels after it the
 * scope id, which is read and left aside.
 */
static bool
nb_name(const struct cur *msg, struct cur *c, uint8_t raw[16])
{
	char name[DNS_NAME_MAX + 1];
	size_t first = 0;

	if (!dnsname_read_first(msg, c, name, sizeof(name), &first) || first != 32)
		return false;
	for (int i = 0; i < 16; i++) {
		char a = name[2 * i], b = name[2 * i + 1];

		if (a < 'A' || a > 'P' || b < 'A' || b > 'P')
			return false;
		raw[i] = (uint8_t)((a - 'A') << 4 | (b - 'A'));
	}
	return true;
}

static void
emit_name(struct diss_ctx *dc, const uint8_t raw[16], bool group)
{
	char name[16];
	uint8_t sfx;

	if (!nb_clean(raw, name, &sfx) || name[0] == '*')
		return;
	if (group) {
		if (sfx == 0x00 || sfx == 0x1e)
			diss_factf(dc, SIDE_SRC, A_NOTE, "netbios/group", CONF_STATED,
			    "workgroup %s", name);
		return;
	}
	if (sfx == 0x00 || sfx == 0x20)
		diss_fact_str(dc, SIDE_SRC, A_HOSTNAME, name, "netbios", CONF_STATED);
	else if (sfx == 0x1b || sfx == 0x1c)
		diss_factf(dc, SIDE_SRC, A_NOTE, "netbios/domain", CONF_STATED,
		    "domain controller for %s", name);
}

static void
rd_nb(struct diss_ctx *dc, const uint8_t raw[16], struct cur *rd)
{
	uint16_t fl = 0;

	if (cur_be16(rd, &fl))
		emit_name(dc, raw, (fl & NB_GROUP) != 0);
}

static void
rd_nbstat(struct diss_ctx *dc, struct cur *rd)
{
	uint8_t num = 0, raw[16];
	uint16_t fl = 0;

	if (!cur_u8(rd, &num))
		return;
	for (unsigned i = 0; i < num && i < DISS_MAX_ITEMS; i++) {
		if (!cur_copy(rd, raw, 16) || !cur_be16(rd, &fl))
			return;
		emit_name(dc, raw, (fl & NB_GROUP) != 0);
	}
}

static enum diss_rc
nbns_parse(struct diss_ctx *dc, struct cur *c)
{
	const struct cur msg = *c;
	uint16_t id = 0, flags = 0, qd = 0, an = 0, ns = 0, ar = 0, type = 0, cls = 0, rdlen = 0;
	uint32_t ttl = 0;
	uint8_t raw[16], qraw[16];
	unsigned op, n;

	cur_be16(c, &id);
	cur_be16(c, &flags);
	cur_be16(c, &qd);
	cur_be16(c, &an);
	cur_be16(c, &ns);
	cur_be16(c, &ar);
	if (!cur_ok(c))
		return DISS_SHORT;
	if (qd > 1 || an + ns + ar > 16)
		return DISS_MALFORMED;
	op = NB_OPCODE(flags);
	if (qd) {
		if (!nb_name(&msg, c, qraw) || !cur_be16(c, &type) || !cur_be16(c, &cls)) {
			diss_count(dc, NBNS_BAD_NAMES);
			return DISS_MALFORMED;
		}
	}
	/* The sender names itself in registrations/refreshes and in answers. */
	bool about_sender = (op == OP_REGISTER || op == OP_REFRESH || op == OP_REFRESH + 1 ||
	    op == OP_MULTIHOMED) ? !(flags & NB_R) : op == OP_QUERY && (flags & NB_R);
	diss_count(dc, !(flags & NB_R) && op == OP_QUERY ? NBNS_QUERIES :
	    flags & NB_R ? NBNS_RESPONSES : NBNS_REGISTRATIONS);
	for (n = 0; n < (unsigned)an + ns + ar && cur_left(c); n++) {
		struct cur rd;

		if (!nb_name(&msg, c, raw)) {
			diss_count(dc, NBNS_BAD_NAMES);
			return DISS_MALFORMED;
		}
		cur_be16(c, &type);
		cur_be16(c, &cls);
		cur_be32(c, &ttl);
		cur_be16(c, &rdlen);
		if (!cur_ok(c) || !cur_take(c, rdlen, &rd))
			return DISS_SHORT;
		if (!about_sender)
			continue;
		if (type == T_NB)
			rd_nb(dc, raw, &rd);
		else if (type == T_NBSTAT)
			rd_nbstat(dc, &rd);
	}
	diss_pdu(dc);
	cur_skip(c, cur_left(c));
	return DISS_OK;
}

const struct dissector dis_netbios = {
	.name = "nbns",		/* as Wireshark and tests/e2e/proto-counts.txt call it */
	.transport = L4_UDP,
	.ports = { 137 },
	.parse = nbns_parse,
	.counter_names = { "registrations", "responses", "queries", "bad_names", NULL },
};
