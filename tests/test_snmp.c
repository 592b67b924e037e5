/*
 * test_snmp.c - SNMP v1/v2c (RFC 1157, 3416) and plaintext v3: system
 * group values on the agent, the cleartext community noted but never kept.
 */
#include <stdio.h>
#include <string.h>

#include "support.h"
#include "decode.h"
#include "dissector.h"
#include "sw_limits.h"

extern const struct dissector dis_snmp;

#define AGENT_IP	"10.1.2.3"
#define MANAGER_IP	"10.1.2.100"

static void
snmp_harness(struct harness *t, const char *src, const char *dst)
{
	harness_init(t, &dis_snmp);
	harness_frame(t, "02:00:00:00:00:03", "02:00:00:00:00:64");
	ck_assert(ip_parse(src, &t->pkt.src_ip));
	ck_assert(ip_parse(dst, &t->pkt.dst_ip));
}

/* Wrap a buffer's content in one BER element (long-form length when asked). */
static void
wrap(struct bytebuf *b, unsigned tag, bool longform)
{
	uint8_t hdr[4];
	size_t h = 0;

	hdr[h++] = (uint8_t)tag;
	if (longform || b->n > 127) {
		hdr[h++] = 0x82;
		hdr[h++] = (uint8_t)(b->n >> 8);
		hdr[h++] = (uint8_t)b->n;
	} else
		hdr[h++] = (uint8_t)b->n;
	memmove(b->b + h, b->b, b->n);
	memcpy(b->b, hdr, h);
	b->n += h;
}

static void
append(struct bytebuf *b, const struct bytebuf *x)
{
	put_bytes(b, x->b, x->n);
}

static void
prim(struct bytebuf *b, unsigned tag, const void *v, size_t n)
{
	struct bytebuf x = { .n = n };

	memcpy(x.b, v, n);
	wrap(&x, tag, false);
	append(b, &x);
}

/* OID 1.3.6.1.2.1.1.<n>.0 */
static void
sys_oid(struct bytebuf *b, unsigned n)
{
	const uint8_t o[] = { 0x2b, 6, 1, 2, 1, 1, (uint8_t)n, 0 };

	prim(b, 0x06, o, sizeof(o));
}

static void
vb_str(struct bytebuf *list, unsigned n, const char *s)
{
	struct bytebuf vb = { .n = 0 };

	sys_oid(&vb, n);
	prim(&vb, 0x04, s, strlen(s));
	wrap(&vb, 0x30, false);
	append(list, &vb);
}

/* message: version, community, PDU(tag) { reqid, 0, 0, varbinds } */
static void
message(struct bytebuf *out, unsigned version, unsigned pdu_tag, const struct bytebuf *varbinds,
    bool longform)
{
	struct bytebuf pdu = { .n = 0 }, vbl = *varbinds;
	uint8_t v = (uint8_t)version;

	prim(&pdu, 0x02, "\x12\x34", 2);
	prim(&pdu, 0x02, "\x00", 1);
	prim(&pdu, 0x02, "\x00", 1);
	wrap(&vbl, 0x30, longform);
	append(&pdu, &vbl);
	wrap(&pdu, pdu_tag, longform);
	out->n = 0;
	prim(out, 0x02, &v, 1);
	prim(out, 0x04, "s3cr3t-c0mm", 11);
	append(out, &pdu);
	wrap(out, 0x30, longform);
}

static void
system_response(struct bytebuf *m, unsigned version, bool longform)
{
	static const uint8_t cisco_oid[] = { 0x2b, 6, 1, 4, 1, 9, 1, 0x86, 0x1f };	/* .9.1.799 */
	struct bytebuf list = { .n = 0 }, vb = { .n = 0 };

	vb_str(&list, 1, "Cisco IOS Software, C3560");
	sys_oid(&vb, 2);
	prim(&vb, 0x06, cisco_oid, sizeof(cisco_oid));
	wrap(&vb, 0x30, false);
	append(&list, &vb);
	vb_str(&list, 4, "noc@plant.example");
	vb_str(&list, 5, "core-sw-1");
	vb_str(&list, 6, "Substation 4, rack 2");
	message(m, version, 0xa2, &list, longform);
}

static bool
community_anywhere(const struct collected *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (strstr(c->v[i].val, "s3cr3t") != NULL)
			return true;
	return false;
}

START_TEST(response_describes_the_agent)
{
	struct harness t;
	struct bytebuf m;
	const struct cobs *o;

	for (int longform = 0; longform < 2; longform++) {
		snmp_harness(&t, AGENT_IP, MANAGER_IP);
		system_response(&m, 1, longform);
		ck_assert_int_eq(harness_feed(&t, m.b, m.n), DISS_OK);
		o = find_fact(&t.col, AGENT_IP, A_DESCRIPTION, "Cisco IOS Software, C3560");
		ck_assert_ptr_nonnull(o);
		ck_assert_str_eq(o->src, "snmp/sysDescr");
		ck_assert_ptr_nonnull(find_fact(&t.col, AGENT_IP, A_VENDOR_ID, "snmp:1.3.6.1.4.1.9.1.799"));
		ck_assert_ptr_nonnull(find_fact(&t.col, AGENT_IP, A_CONTACT, "noc@plant.example"));
		ck_assert_ptr_nonnull(find_fact(&t.col, AGENT_IP, A_HOSTNAME, "core-sw-1"));
		ck_assert_ptr_nonnull(find_fact(&t.col, AGENT_IP, A_LOCATION, "Substation 4, rack 2"));
		ck_assert_ptr_nonnull(find_fact(&t.col, AGENT_IP, A_NOTE,
		    "snmp community in cleartext (v2c)"));
		ck_assert(!community_anywhere(&t.col));
		ck_assert_uint_eq(harness_counter(&t, "responses"), 1);
		ck_assert_uint_eq(harness_counter(&t, "v2c"), 1);
		harness_free(&t);
	}
}
END_TEST

/* A response whose one varbind is sysObjectID = the OID of these contents; the fact's value or NULL. */
static const char *
object_id(struct harness *t, const uint8_t *o, size_t n)
{
	struct bytebuf m, list = { .n = 0 }, vb = { .n = 0 };
	const struct cobs *f;

	snmp_harness(t, AGENT_IP, MANAGER_IP);
	sys_oid(&vb, 2);
	prim(&vb, 0x06, o, n);
	wrap(&vb, 0x30, false);
	append(&list, &vb);
	message(&m, 1, 0xa2, &list, false);
	ck_assert_int_eq(harness_feed(t, m.b, m.n), DISS_OK);
	f = find_fact(&t->col, AGENT_IP, A_VENDOR_ID, NULL);
	return f ? f->val : NULL;
}

/* The dotted text of an OID: the first two arcs, the largest arc, the length limit. */
START_TEST(object_id_text)
{
	static const struct { uint8_t o[8]; size_t n; const char *want; } v[] = {
		{ { 0x27, 5 }, 2, "snmp:0.39.5" },
		{ { 0x28 }, 1, "snmp:1.0" },
		{ { 0x4f, 0x7f }, 2, "snmp:1.39.127" },
		{ { 0x50, 0x81, 0x00 }, 3, "snmp:2.0.128" },
		{ { 0x88, 0x37, 0x8f, 0xff, 0xff, 0xff, 0x7f, 0 }, 8, "snmp:2.999.4294967295.0" },
		{ { 0x2b, 0x90, 0x80, 0x80, 0x80, 0x00 }, 6, NULL },	/* an arc of 2^32 */
		{ { 0x2b, 6, 0x81 }, 3, NULL },				/* an arc left open */
	};
	struct harness t;
	uint8_t longest[80];
	char want[200];
	const char *got;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		got = object_id(&t, v[i].o, v[i].n);
		if (v[i].want)
			ck_assert_str_eq(got, v[i].want);
		else
			ck_assert_ptr_null(got);
		harness_free(&t);
	}
	/* "1.3", 76 ".1" and ".11": 158 bytes, the longest OID_STRLEN (160) keeps */
	longest[0] = 0x2b;
	memset(longest + 1, 1, 76);
	longest[77] = 11;
	strcpy(want, "snmp:1.3");
	for (int i = 0; i < 76; i++)
		strcat(want, ".1");
	strcat(want, ".11");
	ck_assert_int_eq(OID_STRLEN, 160);
	got = object_id(&t, longest, 78);
	ck_assert_str_eq(got, want);
	harness_free(&t);
	/* one digit more is too long */
	longest[77] = 111;
	ck_assert_ptr_null(object_id(&t, longest, 78));
	harness_free(&t);
}
END_TEST

START_TEST(request_notes_the_agent_only)
{
	struct harness t;
	struct bytebuf m, list = { .n = 0 }, vb = { .n = 0 };

	snmp_harness(&t, MANAGER_IP, AGENT_IP);
	sys_oid(&vb, 5);
	prim(&vb, 0x05, "", 0);
	wrap(&vb, 0x30, false);
	append(&list, &vb);
	message(&m, 0, 0xa0, &list, false);
	ck_assert_int_eq(harness_feed(&t, m.b, m.n), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, AGENT_IP, A_NOTE, "snmp community in cleartext (v1)"));
	ck_assert_ptr_null(find_fact(&t.col, MANAGER_IP, NULL, NULL));
	ck_assert(!community_anywhere(&t.col));
	ck_assert_uint_eq(harness_counter(&t, "v1"), 1);
	harness_free(&t);
}
END_TEST

START_TEST(v1_trap_names_its_agent)
{
	static const uint8_t ent[] = { 0x2b, 6, 1, 4, 1, 9 };
	struct harness t;
	struct bytebuf m = { .n = 0 }, pdu = { .n = 0 }, list = { .n = 0 };

	snmp_harness(&t, AGENT_IP, MANAGER_IP);
	prim(&pdu, 0x06, ent, sizeof(ent));
	prim(&pdu, 0x40, "\x0a\x01\x02\x09", 4);
	prim(&pdu, 0x02, "\x06", 1);
	prim(&pdu, 0x02, "\x01", 1);
	prim(&pdu, 0x43, "\x01\x00", 2);
	vb_str(&list, 5, "trap-sender");
	wrap(&list, 0x30, false);
	append(&pdu, &list);
	wrap(&pdu, 0xa4, false);
	prim(&m, 0x02, "\x00", 1);
	prim(&m, 0x04, "public", 6);
	append(&m, &pdu);
	wrap(&m, 0x30, false);
	ck_assert_int_eq(harness_feed(&t, m.b, m.n), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.1.2.9", A_ROLE, "snmp_agent"));
	ck_assert_ptr_nonnull(find_fact(&t.col, AGENT_IP, A_HOSTNAME, "trap-sender"));
	ck_assert_uint_eq(harness_counter(&t, "traps"), 1);
	harness_free(&t);
}
END_TEST

START_TEST(malformed_inputs)
{
	static const uint8_t indefinite[] = { 0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00 };
	static const uint8_t huge_len[] = { 0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02, 0x01, 0x01 };
	static const uint8_t five_byte_len[] = { 0x30, 0x85, 0, 0, 0, 0, 3, 2, 1, 1 };
	static const uint8_t high_tag[] = { 0x1f, 0x01, 0x00 };
	static const uint8_t v9[] = { 0x30, 0x05, 0x02, 0x01, 0x09, 0x04, 0x00 };
	struct harness t;
	struct bytebuf m, list = { .n = 0 };

	snmp_harness(&t, AGENT_IP, MANAGER_IP);
	ck_assert_int_eq(harness_feed(&t, indefinite, sizeof(indefinite)), DISS_MALFORMED);
	ck_assert_int_eq(harness_feed(&t, huge_len, sizeof(huge_len)), DISS_SHORT);
	ck_assert_int_eq(harness_feed(&t, five_byte_len, sizeof(five_byte_len)), DISS_MALFORMED);
	ck_assert_int_eq(harness_feed(&t, high_tag, sizeof(high_tag)), DISS_MALFORMED);
	ck_assert_int_eq(harness_feed(&t, v9, sizeof(v9)), DISS_MALFORMED);
	ck_assert_uint_eq(t.st.pdus, 0);
	ck_assert_uint_eq(harness_counter(&t, "bad_ber"), 4);	/* not the truncated one */
	/* a varbind list whose inner length lies: values before it are kept */
	vb_str(&list, 5, "kept");
	list.b[list.n++] = 0x30;
	list.b[list.n++] = 0x7f;		/* a varbind claiming 127 bytes */
	list.b[list.n++] = 0x06;
	message(&m, 1, 0xa2, &list, false);
	ck_assert_int_eq(harness_feed(&t, m.b, m.n), DISS_MALFORMED);
	ck_assert_ptr_nonnull(find_fact(&t.col, AGENT_IP, A_HOSTNAME, "kept"));
	ck_assert_uint_eq(harness_counter(&t, "bad_ber"), 5);
	/* deep nesting inside a value is never walked; an OID with a dangling byte is dropped */
	list.n = 0;
	{
		struct bytebuf vb = { .n = 0 }, deep = { .n = 0 };
		static const uint8_t bad_oid[] = { 0x2b, 6, 1, 2, 1, 1, 5, 0x80 };

		prim(&deep, 0x04, "x", 1);
		for (int i = 0; i < 200; i++)
			wrap(&deep, 0x30, false);
		sys_oid(&vb, 1);
		append(&vb, &deep);
		wrap(&vb, 0x30, true);
		append(&list, &vb);
		vb.n = 0;
		prim(&vb, 0x06, bad_oid, sizeof(bad_oid));
		prim(&vb, 0x04, "bad-oid", 7);
		wrap(&vb, 0x30, false);
		append(&list, &vb);
	}
	message(&m, 1, 0xa2, &list, true);
	ck_assert_int_eq(harness_feed(&t, m.b, m.n), DISS_OK);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_DESCRIPTION, NULL));
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_HOSTNAME, "bad-oid"));
	harness_free(&t);
}
END_TEST

/* --- real captures ------------------------------------------------------ */

static void
check_capture(const char *rel)
{
	static const struct { const char *key, *attr; } fields[] = {
		{ "sysDescr", A_DESCRIPTION }, { "sysName", A_HOSTNAME },
		{ "sysLocation", A_LOCATION }, { "sysContact", A_CONTACT },
	};
	struct expected_run r;
	json_t *e;
	size_t i;

	expected_run_open(&r, rel, "snmp", false);
	json_array_foreach(r.facts, i, e) {
		const char *ip = json_string_value(json_object_get(e, "ip"));
		const char *oid = json_string_value(json_object_get(e, "sysObjectID"));
		char want[200];

		for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++) {
			const char *v = json_string_value(json_object_get(e, fields[k].key));

			if (v == NULL)
				continue;
			obs_sanitize(v, strlen(v), want, sizeof(want));
			ck_assert_msg(find_fact(&r.col, ip, fields[k].attr, want), "%s: %s %s on %s",
			    rel, fields[k].key, want, ip);
		}
		if (oid) {
			snprintf(want, sizeof(want), "snmp:%s", oid);
			ck_assert_msg(find_fact(&r.col, ip, A_VENDOR_ID, want), "%s: %s", rel, want);
		}
	}
	/* the community never reaches a value */
	for (size_t k = 0; k < r.col.n; k++)
		ck_assert(strstr(r.col.v[k].val, "public") == NULL);
	expected_run_close(&r);
}

START_TEST(pcap_ndpi_snmp) { check_capture("snmp/ndpi__snmp.pcap"); } END_TEST
START_TEST(pcap_zeek_v1) { check_capture("snmp/zeek__snmpv1_get.pcap"); } END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("snmp");
	TCase *u = tcase_create("unit"), *p = tcase_create("pcap");

	tcase_add_test(u, response_describes_the_agent);
	tcase_add_test(u, request_notes_the_agent_only);
	tcase_add_test(u, object_id_text);
	tcase_add_test(u, v1_trap_names_its_agent);
	tcase_add_test(u, malformed_inputs);
	suite_add_tcase(s, u);
	tcase_set_timeout(p, 60);
	tcase_add_test(p, pcap_ndpi_snmp);
	tcase_add_test(p, pcap_zeek_v1);
	suite_add_tcase(s, p);
	return s;
}
