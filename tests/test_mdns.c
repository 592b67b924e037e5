/*
 * test_mdns.c - mDNS and NetBIOS name service dissectors: responses with
 * compressed names, compression loops and forward pointers, truncated
 * records, NetBIOS registrations and node status answers, and the shared
 * capture whose LLDP-named workstation also answers mDNS.
 */
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "dissector.h"
#include "sw_limits.h"

extern const struct dissector dis_mdns;
extern const struct dissector dis_netbios;

enum { MDNS_QUERIES, MDNS_RESPONSES, MDNS_BAD_NAMES };
enum { NBNS_REGISTRATIONS, NBNS_RESPONSES, NBNS_QUERIES, NBNS_BAD_NAMES };

static void hdr(struct bytebuf *b, unsigned flags, unsigned qd, unsigned an) { put_dns_header(b, 0, flags, qd, an); }
static void rr(struct bytebuf *b, unsigned type, unsigned rdlen) { put_dns_rr(b, type, 0x8001, 120, rdlen); }

static struct harness t;	/* the dissector a test calls, directly */

static enum diss_rc
parse(const struct dissector *d, const struct bytebuf *b)
{
	if (t.d == NULL)
		harness_init(&t, d);
	ck_assert_ptr_eq(t.d, d);	/* one dissector a test */
	return harness_parse(&t, DIR_C2S, b->b, b->n, NULL);
}

static void setup(void) { memset(&t, 0, sizeof(t)); }
static void teardown(void) { harness_free(&t); }

static const struct cobs *
fact_src(const char *attr, const char *src)
{
	return find_fact_src(&t.col, NULL, attr, NULL, src);
}

START_TEST(mdns_response_with_compression)
{
	struct bytebuf b = { .n = 0 };
	size_t svc, inst, at;

	hdr(&b, 0x8400, 0, 4);
	svc = b.n;
	put_dns_name(&b, "_ipp._tcp.local", -1);		/* PTR owner at offset 12 */
	at = b.n; rr(&b, 12, 0);
	inst = b.n;
	put_dns_name(&b, "Lab Printer", (int)svc);		/* "Lab Printer._ipp._tcp.local" */
	b.b[at + 9] = (uint8_t)(b.n - inst);
	/* SRV: instance -> host "prn42.local" */
	put_be16(&b, 0xc000u | (unsigned)inst);
	at = b.n; rr(&b, 33, 0);
	size_t rd = b.n;
	put_be16(&b, 0); put_be16(&b, 0); put_be16(&b, 631);
	size_t host = b.n;
	put_dns_name(&b, "prn42", (int)(svc + 10));		/* "local" of the service name */
	b.b[at + 9] = (uint8_t)(b.n - rd);
	/* A for the host */
	put_be16(&b, 0xc000u | (unsigned)host);
	rr(&b, 1, 4); put_be32(&b, 0x0a000005);
	/* TXT with a model key */
	put_be16(&b, 0xc000u | (unsigned)inst);
	rr(&b, 16, 1 + 6 + 1 + 22);
	put_u8(&b, 6); memcpy(b.b + b.n, "txtv=1", 6); b.n += 6;
	put_u8(&b, 22); memcpy(b.b + b.n, "ty=HP LaserJet M404dn", 21); b.n += 21; put_u8(&b, ' ');

	ck_assert_int_eq(parse(&dis_mdns, &b), DISS_OK);
	ck_assert_str_eq(fact_src(A_DEVICE_NAME, "mdns/instance")->val, "Lab Printer");
	ck_assert_str_eq(fact_src(A_NOTE, "mdns/service")->val, "_ipp._tcp.local");
	ck_assert_str_eq(fact_src(A_HOSTNAME, "mdns/srv")->val, "prn42");
	ck_assert_str_eq(fact_src(A_HOSTNAME, "mdns/a")->val, "prn42");
	ck_assert_str_eq(fact_src(A_MODEL, "mdns/txt")->val, "HP LaserJet M404dn");
	ck_assert_uint_eq(t.st.counters[MDNS_RESPONSES], 1);
}
END_TEST

START_TEST(mdns_compression_loops_and_lies)
{
	struct bytebuf b = { .n = 0 };

	/* a name pointing at itself */
	hdr(&b, 0x8400, 0, 1);
	put_be16(&b, 0xc000 | 12);
	rr(&b, 1, 4); put_be32(&b, 1);
	ck_assert_int_eq(parse(&dis_mdns, &b), DISS_MALFORMED);
	ck_assert_uint_eq(t.st.counters[MDNS_BAD_NAMES], 1);

	/* a forward pointer */
	b.n = 0;
	hdr(&b, 0x8400, 0, 1);
	put_be16(&b, 0xc000 | 40);
	rr(&b, 1, 4); put_be32(&b, 1);
	for (int i = 0; i < 30; i++) put_u8(&b, 0);
	ck_assert_int_eq(parse(&dis_mdns, &b), DISS_MALFORMED);

	/* two names pointing at each other: the first is a label then a pointer */
	b.n = 0;
	hdr(&b, 0x8400, 0, 1);
	put_u8(&b, 1); put_u8(&b, 'a'); put_be16(&b, 0xc000 | 12);
	rr(&b, 1, 4); put_be32(&b, 1);
	ck_assert_int_eq(parse(&dis_mdns, &b), DISS_MALFORMED);

	/* a label longer than 63 (reserved bits) */
	b.n = 0;
	hdr(&b, 0x8400, 0, 1);
	put_u8(&b, 0x41);
	ck_assert_int_eq(parse(&dis_mdns, &b), DISS_MALFORMED);

	/* rdlength past the end */
	b.n = 0;
	hdr(&b, 0x8400, 0, 1);
	put_dns_name(&b, "h.local", -1);
	rr(&b, 1, 200); put_be32(&b, 1);
	ck_assert_int_eq(parse(&dis_mdns, &b), DISS_SHORT);

	/* truncated header */
	b.n = 5;
	ck_assert_int_eq(parse(&dis_mdns, &b), DISS_SHORT);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_HOSTNAME, NULL));
}
END_TEST

START_TEST(mdns_query_is_not_about_sender)
{
	struct bytebuf b = { .n = 0 };

	hdr(&b, 0x0000, 1, 1);
	put_dns_name(&b, "other.local", -1);
	put_be16(&b, 1); put_be16(&b, 1);
	put_be16(&b, 0xc00c);			/* known answer */
	rr(&b, 1, 4); put_be32(&b, 0x0a000009);
	ck_assert_int_eq(parse(&dis_mdns, &b), DISS_OK);
	ck_assert_uint_eq(t.st.counters[MDNS_QUERIES], 1);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_HOSTNAME, NULL));
}
END_TEST

/* First-level encoding of a 15-char padded name + suffix (RFC 1001 14.1). */
static void
nbname(struct bytebuf *b, const char *n, uint8_t sfx)
{
	uint8_t raw[16];

	memset(raw, ' ', 15);
	memcpy(raw, n, strlen(n));
	raw[15] = sfx;
	put_u8(b, 32);
	for (int i = 0; i < 16; i++) {
		put_u8(b, 'A' + (raw[i] >> 4));
		put_u8(b, 'A' + (raw[i] & 0xf));
	}
	put_u8(b, 0);
}

START_TEST(netbios_registration_and_status)
{
	struct bytebuf b = { .n = 0 };

	/* registration: opcode 5, question + additional record pointing at it */
	hdr(&b, 5u << 11 | 0x0110, 1, 0);
	b.b[11] = 1;					/* arcount */
	nbname(&b, "HMI-STATION1", 0x00);
	put_be16(&b, 0x20); put_be16(&b, 1);
	put_be16(&b, 0xc00c);
	rr(&b, 0x20, 6); put_be16(&b, 0); put_be32(&b, 0x0a000007);
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_OK);
	ck_assert_str_eq(fact_src(A_HOSTNAME, "netbios")->val, "HMI-STATION1");

	/* group registration -> workgroup note */
	b.n = 0;
	hdr(&b, 5u << 11 | 0x0110, 1, 0);
	b.b[11] = 1;
	nbname(&b, "PLANTNET", 0x00);
	put_be16(&b, 0x20); put_be16(&b, 1);
	put_be16(&b, 0xc00c);
	rr(&b, 0x20, 6); put_be16(&b, 0x8000); put_be32(&b, 0x0a000007);
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_OK);
	ck_assert_str_eq(fact_src(A_NOTE, "netbios/group")->val, "workgroup PLANTNET");

	/* node status answer */
	b.n = 0;
	hdr(&b, 0x8400, 0, 1);
	nbname(&b, "*", 0x00);
	rr(&b, 0x21, 1 + 18 * 2 + 6);
	put_u8(&b, 2);
	memcpy(b.b + b.n, "ENG-WS7        \x20", 16); b.n += 16; put_be16(&b, 0x0400);
	memcpy(b.b + b.n, "ENG-WS7        \x00", 16); b.n += 16; put_be16(&b, 0x0400);
	for (int i = 0; i < 6; i++) put_u8(&b, 0);
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, NULL, A_HOSTNAME, "ENG-WS7"));
	ck_assert_uint_eq(t.st.counters[NBNS_REGISTRATIONS], 2);
	ck_assert_uint_eq(t.st.counters[NBNS_RESPONSES], 1);
}
END_TEST

START_TEST(netbios_malformed)
{
	struct bytebuf b = { .n = 0 };

	/* query: the asked name is not the sender's */
	hdr(&b, 0x0110, 1, 0);
	nbname(&b, "FILESRV", 0x20);
	put_be16(&b, 0x20); put_be16(&b, 1);
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_OK);
	ck_assert_uint_eq(t.col.n, 0);
	ck_assert_uint_eq(t.st.counters[NBNS_QUERIES], 1);
	/* bad first-level encoding */
	b.b[13] = 'z';
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_MALFORMED);
	/* label length not 32 */
	b.b[12] = 31;
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_MALFORMED);
	ck_assert_uint_eq(t.st.counters[NBNS_BAD_NAMES], 2);
	/* an answer pointer that points forward */
	b.n = 0;
	hdr(&b, 0x8500, 0, 1);
	put_be16(&b, 0xc000 | 100);
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_MALFORMED);
	/* truncated */
	b.n = 7;
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_SHORT);
}
END_TEST

/* A registration of name (first-level encoded, as nbname) with an NB record. */
static void
nb_registration(struct bytebuf *b, const char *n)
{
	hdr(b, 5u << 11 | 0x0110, 1, 0);
	b->b[11] = 1;					/* arcount */
	nbname(b, n, 0x00);
	b->n--;						/* reopen the name for a scope */
}

static void
nb_registration_rr(struct bytebuf *b, unsigned name_ptr)
{
	put_be16(b, 0x20); put_be16(b, 1);
	put_be16(b, 0xc000u | name_ptr);
	rr(b, 0x20, 6); put_be16(b, 0); put_be32(b, 0x0a000007);
}

/*
 * NetBIOS names are DNS names (RFC 1002 4.1) read by dnsname.c: a scope id
 * after the encoded label is skipped, the encoded label must be exactly 32
 * bytes, and a pointer must point backwards, so neither a loop nor a
 * pointer past the message (or to a name after it) is followed.
 */
START_TEST(netbios_names_are_dns_names)
{
	struct bytebuf b = { .n = 0 };

	/* a scope id "plant.local" after the name; the answer points at it */
	nb_registration(&b, "RTU-7");
	put_dns_name(&b, "plant.local", -1);
	nb_registration_rr(&b, 12);
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_OK);
	ck_assert_str_eq(fact_src(A_HOSTNAME, "netbios")->val, "RTU-7");
	collected_free(&t.col); collected_init(&t.col);

	/* a 33-byte first label whose first 32 bytes are a good encoding */
	b.n = 0;
	nb_registration(&b, "RTU-7");
	b.b[12] = 33;
	put_u8(&b, 'A'); put_u8(&b, 0);
	nb_registration_rr(&b, 12);
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_MALFORMED);
	ck_assert_uint_eq(t.st.counters[NBNS_BAD_NAMES], 1);

	/* a compression loop: the name goes on with a pointer to its own start */
	b.n = 0;
	nb_registration(&b, "RTU-7");
	put_be16(&b, 0xc00c);
	nb_registration_rr(&b, 12);
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_MALFORMED);
	ck_assert_uint_eq(t.st.counters[NBNS_BAD_NAMES], 2);

	/* the question's name is a pointer forward, to a good name after it */
	b.n = 0;
	hdr(&b, 5u << 11 | 0x0110, 1, 0);
	put_be16(&b, 0xc000 | 14);
	nbname(&b, "RTU-7", 0x00);
	put_be16(&b, 0x20); put_be16(&b, 1);
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_MALFORMED);
	ck_assert_uint_eq(t.st.counters[NBNS_BAD_NAMES], 3);

	/* an answer pointing past the end of the message */
	b.n = 0;
	nb_registration(&b, "RTU-7");
	put_u8(&b, 0);
	nb_registration_rr(&b, 0x3fff);
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_MALFORMED);
	/* ... and one pointing into the header, at a zero byte: the root, no name */
	b.n = 0;
	nb_registration(&b, "RTU-7");
	put_u8(&b, 0);
	nb_registration_rr(&b, 0);
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_MALFORMED);
	ck_assert_uint_eq(t.st.counters[NBNS_BAD_NAMES], 5);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_HOSTNAME, NULL));
}
END_TEST

/*
 * http/iti__wrapup.pcapng: its LLDP sender (system name, management IP in
 * the expected facts) also answers mDNS with the same name.
 */
START_TEST(shared_capture_mdns_name_matches_lldp)
{
	static const char cap[] = "http/iti__wrapup.pcapng";
	struct collected pc;
	struct pipeline *pl;
	json_t *exp, *lldp;
	const char *ip, *sysname;

	exp = load_expected(cap);
	lldp = json_array_get(json_object_get(json_object_get(exp, "facts"), "lldp"), 0);
	ip = json_string_value(json_object_get(lldp, "mgmt_ip"));
	sysname = json_string_value(json_object_get(lldp, "system_name"));
	ck_assert_ptr_nonnull(ip);
	ck_assert_ptr_nonnull(sysname);
	collected_init(&pc);
	ck_assert_int_gt(run_pcap(shared_pcap(cap), &pc, &pl), 0);
	ck_assert_ptr_nonnull(find_fact(&pc, ip, A_HOSTNAME, sysname));
	ck_assert_int_gt(pipeline_counter(pl, "mdns.responses"), 0);
	ck_assert_int_eq(pipeline_counter(pl, "mdns.malformed"), 0);
	ck_assert_int_gt(pipeline_counter(pl, "nbns.queries"), 0);
	ck_assert_int_eq(pipeline_counter(pl, "nbns.malformed"), 0);
	pipeline_free(pl);
	collected_free(&pc);
	json_decref(exp);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("mdns");
	TCase *tc = tcase_create("mdns");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, mdns_response_with_compression);
	tcase_add_test(tc, mdns_compression_loops_and_lies);
	tcase_add_test(tc, mdns_query_is_not_about_sender);
	tcase_add_test(tc, netbios_registration_and_status);
	tcase_add_test(tc, netbios_malformed);
	tcase_add_test(tc, netbios_names_are_dns_names);
	tcase_add_test(tc, shared_capture_mdns_name_matches_lldp);
	suite_add_tcase(s, tc);
	return s;
}
