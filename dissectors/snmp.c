/*
 * snmp.c - SNMP v1 and v2c (UDP 161 agent, 162 traps).
 *
 * Reference: RFC 1157 (SNMPv1 message and Trap-PDU), RFC 3416 (v2 PDUs),
 * RFC 1901 (community-based v2c), RFC 1213 / 3418 (system group OIDs),
 * ITU-T X.690 (BER: tag 1 | length 1 or 0x8N + N bytes | value).
 *
 * Message: SEQUENCE { version INTEGER (0 = v1, 1 = v2c, 3 = v3),
 *   community OCTET STRING, PDU }.
 * PDU [0..8] (constructed, context class): request-id INTEGER |
 *   error-status INTEGER | error-index INTEGER | varbinds.
 * Trap-PDU [4] (v1): enterprise OID | agent-addr IpAddress [APP 0] (4) |
 *   generic-trap INTEGER | specific-trap INTEGER | time-stamp TimeTicks |
 *   varbinds.
 * varbinds: SEQUENCE OF SEQUENCE { name OID, value ANY }.
 *
 * The structure is walked at fixed depth (message, PDU, varbind list,
 * varbind), never recursively, and every length is checked against its
 * enclosing element.  The community string is never reported: only the
 * fact that one crossed the wire in clear text, noted on the agent.
 * Facts from GetResponse varbinds and traps are about the agent, which is
 * the sender of those messages.
 */
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "sw_limits.h"

#define SNMP_PORT		161
#define SNMP_TRAP_PORT		162

/* BER tags */
#define T_INTEGER		0x02
#define T_OCTETS		0x04
#define T_OID			0x06
#define T_SEQUENCE		0x30
#define T_IPADDRESS		0x40
#define T_TIMETICKS		0x43

/* PDU tags (context-specific, constructed) */
#define PDU_GET			0xa0
#define PDU_RESPONSE		0xa2
#define PDU_TRAP_V1		0xa4
#define PDU_TRAP_V2		0xa7
#define PDU_LAST		0xa8


enum snmp_counter {
	C_V1,
	C_V2C,
	C_V3,			/* no community; plaintext scoped PDUs parsed */
	C_RESPONSES,
	C_TRAPS,
	C_BAD_BER,		/* lying length, unsupported tag form */
};

/* The system group (1.3.6.1.2.1.1.N.0) and what each says about the agent. */
static const struct {
	const char	*oid;
	struct fact_name attr, src;
} sys_oids[] = {
	{ "1.3.6.1.2.1.1.1.0", FN(A_DESCRIPTION), FN("snmp/sysDescr") },
	{ "1.3.6.1.2.1.1.4.0", FN(A_CONTACT), FN("snmp/sysContact") },
	{ "1.3.6.1.2.1.1.5.0", FN(A_HOSTNAME), FN("snmp/sysName") },
	{ "1.3.6.1.2.1.1.6.0", FN(A_LOCATION), FN("snmp/sysLocation") },
};
#define SYS_OBJECT_ID		"1.3.6.1.2.1.1.2.0"

/*
 * One BER element: single-byte tag, definite length (short form, or long
 * form of 1-4 bytes), value split off as a sub-cursor.
 */
static bool
ber_elem(struct cur *c, uint8_t *tag, struct cur *val)
{
	uint8_t l, b;
	size_t len = 0;

	if (!cur_u8(c, tag) || (*tag & 0x1f) == 0x1f || !cur_u8(c, &l))
		return false;
	if (l < 0x80)
		len = l;
	else {
		l &= 0x7f;
		if (l == 0 || l > 4)	/* indefinite, or absurdly long */
			return false;
		while (l--) {
			if (!cur_u8(c, &b))
				return false;
			len = len << 8 | b;
		}
	}
	return cur_take(c, len, val);
}

static bool
ber_expect(struct cur *c, uint8_t want, struct cur *val)
{
	uint8_t tag;

	return ber_elem(c, &tag, val) && tag == want;
}

static bool
ber_int(struct cur *c, long *v)
{
	struct cur iv;
	uint8_t b;

	if (!ber_expect(c, T_INTEGER, &iv) || cur_left(&iv) == 0 || cur_left(&iv) > 4)
		return false;
	cur_u8(&iv, &b);
	*v = (int8_t)b;
	while (cur_u8(&iv, &b))
		*v = *v * 256 + b;
	return true;
}

/*
 * Append sep (if not 0) and v in decimal at *off; false if the text would
 * reach outsz - 1 bytes (too long).  No printf: a walk of the MIB answers
 * with hundreds of OIDs, each of a dozen arcs.
 */
static bool
oid_put(char *out, size_t outsz, size_t *off, char sep, uint32_t v)
{
	char digits[10];
	size_t k = 0, n = *off;

	do {
		digits[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	if (n + (sep ? 1u : 0u) + k >= outsz - 1)
		return false;
	if (sep)
		out[n++] = sep;
	while (k > 0)
		out[n++] = digits[--k];
	out[n] = '\0';
	*off = n;
	return true;
}

/* OID contents to dotted text; false if malformed or too long. */
static bool
oid_fmt(struct cur v, char *out, size_t outsz)
{
	size_t off = 0;
	uint32_t sub = 0;
	uint8_t b;
	bool first = true, pending = false;

	if (cur_left(&v) == 0)
		return false;
	while (cur_u8(&v, &b)) {
		if (sub > (UINT32_MAX >> 7))
			return false;
		sub = sub << 7 | (b & 0x7f);
		pending = true;
		if (b & 0x80)
			continue;
		if (first) {
			unsigned x = sub < 80 ? sub / 40 : 2;

			if (!oid_put(out, outsz, &off, 0, x) ||
			    !oid_put(out, outsz, &off, '.', sub - 40 * x))
				return false;
			first = false;
		} else if (!oid_put(out, outsz, &off, '.', sub))
			return false;
		sub = 0;
		pending = false;
	}
	return !pending;
}

static void
varbind(struct diss_ctx *dc, struct cur *vb)
{
	struct cur name, val;
	char oid[OID_STRLEN], voi[OID_STRLEN];
	uint8_t tag;

	if (!ber_expect(vb, T_OID, &name) || !ber_elem(vb, &tag, &val) ||
	    !oid_fmt(name, oid, sizeof(oid)))
		return;
	if (tag == T_OID && strcmp(oid, SYS_OBJECT_ID) == 0) {
		if (oid_fmt(val, voi, sizeof(voi)))
			diss_factf(dc, SIDE_SRC, A_VENDOR_ID, "snmp/sysObjectID", CONF_STATED,
			    "snmp:%s", voi);
		return;
	}
	if (tag != T_OCTETS || cur_left(&val) == 0)
		return;
	for (size_t i = 0; i < sizeof(sys_oids) / sizeof(sys_oids[0]); i++)
		if (strcmp(oid, sys_oids[i].oid) == 0)
			diss_fact_fn(dc, SIDE_SRC, sys_oids[i].attr, cur_ptr(&val), cur_left(&val),
			    sys_oids[i].src, CONF_STATED);
}

static enum diss_rc
varbinds(struct diss_ctx *dc, struct cur *pdu)
{
	struct cur list, vb;

	if (!ber_expect(pdu, T_SEQUENCE, &list))
		return DISS_MALFORMED;
	for (int n = 0; cur_left(&list) > 0 && n < DISS_MAX_ITEMS; n++) {
		if (!ber_expect(&list, T_SEQUENCE, &vb))
			return DISS_MALFORMED;
		varbind(dc, &vb);
	}
	return DISS_OK;
}

/* v1 Trap-PDU: the agent states its own address. */
static enum diss_rc
trap_v1(struct diss_ctx *dc, struct cur *pdu)
{
	struct cur ent, addr, ts;
	long generic, specific;
	uint8_t a[4];
	struct asset_ref who;

	if (!ber_expect(pdu, T_OID, &ent) || !ber_expect(pdu, T_IPADDRESS, &addr) ||
	    !ber_int(pdu, &generic) || !ber_int(pdu, &specific) ||
	    !ber_expect(pdu, T_TIMETICKS, &ts))
		return DISS_MALFORMED;
	if (cur_left(&addr) == 4) {
		cur_copy(&addr, a, 4);
		diss_ref(dc, SIDE_SRC, &who);
		ip_set4(&who.ip, a);
		memset(who.mac, 0, 6);	/* may have come through a proxy */
		if (ip_is_unicast_host(&who.ip))
			diss_fact_ref(dc, &who, A_ROLE, "snmp_agent", 10, "snmp/trap", CONF_STATED);
	}
	return varbinds(dc, pdu);
}

/* A response or trap: the agent speaks about itself in its varbinds. */
static enum diss_rc
snmp_pdu(struct diss_ctx *dc, uint8_t tag, struct cur *pdu)
{
	long reqid, err, erridx;

	if (tag == PDU_TRAP_V1) {
		diss_count(dc, C_TRAPS);
		return trap_v1(dc, pdu);
	}
	if (tag != PDU_RESPONSE && tag != PDU_TRAP_V2)
		return DISS_OK;
	diss_count(dc, tag == PDU_RESPONSE ? C_RESPONSES : C_TRAPS);
	if (!ber_int(pdu, &reqid) || !ber_int(pdu, &err) || !ber_int(pdu, &erridx))
		return DISS_MALFORMED;
	return varbinds(dc, pdu);
}

/*
 * v3 (RFC 3412): msgGlobalData SEQUENCE { msgID, msgMaxSize, msgFlags
 * OCTET STRING (1), msgSecurityModel } | msgSecurityParameters OCTET
 * STRING | ScopedPDU SEQUENCE { contextEngineID, contextName, PDU } when
 * not encrypted (privacy flag 0x02 clear; otherwise an OCTET STRING).
 */
static enum diss_rc
snmp_v3(struct diss_ctx *dc, struct cur *msg)
{
	struct cur global, secparams, scoped, ctxid, ctxname, pdu;
	long msgid, maxsize, model;
	uint8_t tag;

	diss_count(dc, C_V3);
	if (!ber_expect(msg, T_SEQUENCE, &global) || !ber_int(&global, &msgid) ||
	    !ber_int(&global, &maxsize) || !ber_expect(&global, T_OCTETS, &secparams) ||
	    !ber_int(&global, &model) || !ber_expect(msg, T_OCTETS, &secparams) ||
	    !ber_elem(msg, &tag, &scoped))
		return DISS_MALFORMED;
	if (tag != T_SEQUENCE)
		return DISS_OK;		/* encrypted */
	if (!ber_expect(&scoped, T_OCTETS, &ctxid) ||
	    !ber_expect(&scoped, T_OCTETS, &ctxname) || !ber_elem(&scoped, &tag, &pdu) ||
	    tag < PDU_GET || tag > PDU_LAST)
		return DISS_MALFORMED;
	return snmp_pdu(dc, tag, &pdu);
}

static enum diss_rc
snmp_parse(struct diss_ctx *dc, struct cur *c)
{
	struct cur msg, community, pdu;
	long version;
	uint8_t tag;
	enum side agent;
	enum diss_rc rc;

	if (!ber_expect(c, T_SEQUENCE, &msg) || !ber_int(&msg, &version)) {
		rc = c->bad ? DISS_SHORT : DISS_MALFORMED;
		if (rc == DISS_MALFORMED)
			diss_count(dc, C_BAD_BER);
		cur_skip(c, cur_left(c));
		return rc;
	}
	cur_skip(c, cur_left(c));
	if (version == 3) {
		diss_pdu(dc);
		rc = snmp_v3(dc, &msg);
	} else {
		if ((version != 0 && version != 1) ||
		    !ber_expect(&msg, T_OCTETS, &community) || !ber_elem(&msg, &tag, &pdu) ||
		    tag < PDU_GET || tag > PDU_LAST) {
			diss_count(dc, C_BAD_BER);
			return DISS_MALFORMED;
		}
		diss_pdu(dc);
		diss_count(dc, version == 0 ? C_V1 : C_V2C);
		/* requests go to the agent; responses and traps come from it */
		agent = (tag == PDU_RESPONSE || tag == PDU_TRAP_V1 || tag == PDU_TRAP_V2) ?
		    SIDE_SRC : SIDE_DST;
		diss_fact_str(dc, agent, A_NOTE, version == 0 ?
		    "snmp community in cleartext (v1)" : "snmp community in cleartext (v2c)",
		    "snmp", CONF_STATED);
		rc = snmp_pdu(dc, tag, &pdu);
	}
	if (rc == DISS_MALFORMED)
		diss_count(dc, C_BAD_BER);
	return rc;
}

const struct dissector dis_snmp = {
	.name = "snmp",
	.transport = L4_UDP,
	.ports = { SNMP_PORT, SNMP_TRAP_PORT },
	.parse = snmp_parse,
	.counter_names = { "v1", "v2c", "v3", "responses", "traps", "bad_ber", NULL },
};
