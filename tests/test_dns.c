/*
 * test_dns.c - the DNS dissector: queries and the resolver asked, answers
 * with A, AAAA and compressed CNAME chains, compression loops, lying
 * counts, truncated answers, DNS over TCP split across segments, and the
 * DNS traffic of a shared capture.
 */
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "dissector.h"
#include "dnsname.h"
#include "flow.h"
#include "sw_limits.h"

extern const struct dissector dis_dns;

enum { DNS_QUERIES, DNS_RESPONSES, DNS_BAD_NAMES, DNS_LYING_COUNTS, DNS_RECORDS_CUT,
	DNS_TC_SET, DNS_NOT_QUERY };

static void hdr(struct bytebuf *b, unsigned flags, unsigned qd, unsigned an) { put_dns_header(b, 0x1234, flags, qd, an); }
static void rr(struct bytebuf *b, unsigned type, unsigned rdlen) { put_dns_rr(b, type, 1, 300, rdlen); }

static struct harness t;	/* dis_dns, called directly */

/* A flow 192.168.1.20 -> 8.8.8.8:53 (UDP or TCP). */
static void
flow_init(uint8_t proto)
{
	harness_flow(&t, proto, "192.168.1.20", 40000, "8.8.8.8", 53);
	t.flow.cli.mac[5] = 0x20;
	t.flow.srv.mac[5] = 0x01;
}

static enum diss_rc
parse_dir(const struct bytebuf *b, int dir, size_t *used)
{
	size_t left;
	enum diss_rc rc = harness_parse(&t, dir, b->b, b->n, &left);

	if (used)
		*used = b->n - left;
	return rc;
}

static enum diss_rc query(const struct bytebuf *b) { return parse_dir(b, DIR_C2S, NULL); }
static enum diss_rc reply(const struct bytebuf *b) { return parse_dir(b, DIR_S2C, NULL); }

static void setup(void) { harness_init(&t, &dis_dns); flow_init(L4_UDP); }
static void teardown(void) { harness_free(&t); }

/* The fact attr = val, or NULL. */
static const struct cobs *fact(const char *attr, const char *val) { return find_fact(&t.col, NULL, attr, val); }
static size_t nfacts(const char *attr) { return count_facts(&t.col, NULL, attr); }

START_TEST(dns_query_names_the_resolver)
{
	struct bytebuf b = { .n = 0 };
	const struct cobs *q;

	hdr(&b, 0x0100, 1, 0);
	put_dns_name(&b, "eu5.fusionsolar.huawei.com", -1);
	put_be16(&b, 1); put_be16(&b, 1);
	ck_assert_int_eq(query(&b), DISS_OK);
	q = fact(A_DNS_QUERY, "eu5.fusionsolar.huawei.com");
	ck_assert_ptr_nonnull(q);
	ck_assert_str_eq(q->ip, "192.168.1.20");
	ck_assert_str_eq(q->src, "dns/query");
	q = fact(A_DNS_RESOLVER, "8.8.8.8");
	ck_assert_ptr_nonnull(q);
	ck_assert_str_eq(q->ip, "192.168.1.20");
	ck_assert_uint_eq(t.st.counters[DNS_QUERIES], 1);
	ck_assert_uint_eq(t.st.pdus, 1);
}
END_TEST

/* A response: question, CNAME chain with compressed names, A and AAAA. */
static void
chain_response(struct bytebuf *b)
{
	size_t q, cn, at;

	hdr(b, 0x8180, 1, 4);
	q = b->n;
	put_dns_name(b, "www.sunlogin.oray.com", -1);
	put_be16(b, 1); put_be16(b, 1);
	put_be16(b, 0xc000u | (unsigned)q);		/* owner: the question */
	at = b->n; rr(b, 5, 0);
	cn = b->n;
	put_dns_name(b, "sl-cdn", (int)(q + 4));		/* "sl-cdn.sunlogin.oray.com" */
	b->b[at + 9] = (uint8_t)(b->n - cn);
	put_be16(b, 0xc000u | (unsigned)cn);		/* second hop */
	at = b->n; rr(b, 5, 0);
	size_t cn2 = b->n;
	put_dns_name(b, "edge.example-cdn.net", -1);
	b->b[at + 9] = (uint8_t)(b->n - cn2);
	put_be16(b, 0xc000u | (unsigned)cn2);
	rr(b, 1, 4); put_be32(b, 0x2f5e0102);		/* 47.94.1.2 */
	put_be16(b, 0xc000u | (unsigned)cn2);
	rr(b, 28, 16);
	put_be32(b, 0x24008000); put_be32(b, 0); put_be32(b, 0); put_be32(b, 1);
}

START_TEST(dns_answer_with_cname_chain)
{
	struct bytebuf b = { .n = 0 };
	const struct cobs *a;

	chain_response(&b);
	ck_assert_int_eq(reply(&b), DISS_OK);
	a = fact(A_DNS_ANSWER, "www.sunlogin.oray.com=47.94.1.2");
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->ip, "192.168.1.20");	/* about the asker, not the resolver */
	ck_assert_str_eq(a->src, "dns/answer");
	ck_assert_ptr_nonnull(fact(A_DNS_ANSWER, "www.sunlogin.oray.com=2400:8000::1"));
	ck_assert_ptr_nonnull(fact(A_DNS_CNAME, "www.sunlogin.oray.com=sl-cdn.sunlogin.oray.com"));
	ck_assert_ptr_nonnull(fact(A_DNS_CNAME, "sl-cdn.sunlogin.oray.com=edge.example-cdn.net"));
	ck_assert_uint_eq(nfacts(A_DNS_ANSWER), 2);
	ck_assert_uint_eq(t.st.counters[DNS_RESPONSES], 1);
	ck_assert_ptr_null(fact(A_DNS_QUERY, NULL));
}
END_TEST

START_TEST(dns_compression_loops_refused)
{
	struct bytebuf b = { .n = 0 };

	/* the answer's owner points at itself */
	hdr(&b, 0x8180, 0, 1);
	put_be16(&b, 0xc000 | 12);
	rr(&b, 1, 4); put_be32(&b, 1);
	ck_assert_int_eq(reply(&b), DISS_MALFORMED);
	ck_assert_uint_eq(t.st.counters[DNS_BAD_NAMES], 1);

	/* a forward pointer */
	b.n = 0;
	hdr(&b, 0x8180, 0, 1);
	put_be16(&b, 0xc000 | 40);
	rr(&b, 1, 4); put_be32(&b, 1);
	for (int i = 0; i < 30; i++) put_u8(&b, 0);
	ck_assert_int_eq(reply(&b), DISS_MALFORMED);

	/* a label, then a pointer back to that label: ends within the jump budget */
	b.n = 0;
	hdr(&b, 0x8180, 1, 0);
	put_u8(&b, 1); put_u8(&b, 'a'); put_be16(&b, 0xc000 | 12);
	put_be16(&b, 1); put_be16(&b, 1);
	ck_assert_int_eq(reply(&b), DISS_MALFORMED);

	/* a CNAME target that loops: the record is skipped, the next one read */
	b.n = 0;
	hdr(&b, 0x8180, 1, 2);
	put_dns_name(&b, "x.example", -1);
	put_be16(&b, 1); put_be16(&b, 1);
	put_be16(&b, 0xc00c);
	rr(&b, 5, 2);
	put_be16(&b, 0xc000u | (unsigned)b.n);	/* points at itself */
	put_be16(&b, 0xc00c);
	rr(&b, 1, 4); put_be32(&b, 0x0a000001);
	ck_assert_int_eq(reply(&b), DISS_OK);
	ck_assert_ptr_null(fact(A_DNS_CNAME, NULL));
	ck_assert_ptr_nonnull(fact(A_DNS_ANSWER, "x.example=10.0.0.1"));
	ck_assert_uint_eq(t.st.counters[DNS_BAD_NAMES], 4);
}
END_TEST

START_TEST(dns_lying_counts_and_truncation)
{
	struct bytebuf b = { .n = 0 };

	/* claims 50 answers, carries one */
	hdr(&b, 0x8180, 1, 50);
	put_dns_name(&b, "time.windows.com", -1);
	put_be16(&b, 1); put_be16(&b, 1);
	put_be16(&b, 0xc00c);
	rr(&b, 1, 4); put_be32(&b, 0x14650039);
	ck_assert_int_eq(reply(&b), DISS_SHORT);
	ck_assert_ptr_nonnull(fact(A_DNS_ANSWER, "time.windows.com=20.101.0.57"));
	ck_assert_uint_eq(t.st.counters[DNS_LYING_COUNTS], 1);

	/* an answer cut inside its rdata: what came before it stays */
	collected_free(&t.col); collected_init(&t.col);
	b.n = 0;
	hdr(&b, 0x8380, 1, 2);		/* TC set */
	put_dns_name(&b, "a.example", -1);
	put_be16(&b, 1); put_be16(&b, 1);
	put_be16(&b, 0xc00c); rr(&b, 1, 4); put_be32(&b, 0x0a000002);
	put_be16(&b, 0xc00c); rr(&b, 1, 4); put_be16(&b, 0x0a00);
	ck_assert_int_eq(reply(&b), DISS_SHORT);
	ck_assert_uint_eq(nfacts(A_DNS_ANSWER), 1);
	ck_assert_ptr_nonnull(fact(A_DNS_ANSWER, "a.example=10.0.0.2"));
	ck_assert_uint_eq(t.st.counters[DNS_TC_SET], 1);

	/* an A record whose rdata is not four bytes */
	collected_free(&t.col); collected_init(&t.col);
	b.n = 0;
	hdr(&b, 0x8180, 1, 1);
	put_dns_name(&b, "b.example", -1);
	put_be16(&b, 1); put_be16(&b, 1);
	put_be16(&b, 0xc00c); rr(&b, 1, 3); put_u8(&b, 1); put_be16(&b, 2);
	ck_assert_int_eq(reply(&b), DISS_OK);
	ck_assert_ptr_null(fact(A_DNS_ANSWER, NULL));

	/* a question count past the end, and a header cut short */
	b.n = 0;
	hdr(&b, 0x0100, 3, 0);
	put_dns_name(&b, "t.col.example", -1);
	put_be16(&b, 1); put_be16(&b, 1);
	ck_assert_int_eq(query(&b), DISS_SHORT);
	b.n = 7;
	ck_assert_int_eq(query(&b), DISS_SHORT);

	/* 300 answers claimed and present: DNS_MAX_RECORDS read, the rest counted */
	collected_free(&t.col); collected_init(&t.col);
	b.n = 0;
	hdr(&b, 0x8180, 1, 300);
	put_dns_name(&b, "many.example", -1);
	put_be16(&b, 1); put_be16(&b, 1);
	for (unsigned i = 0; i < 300; i++) {
		put_be16(&b, 0xc00c); rr(&b, 1, 4); put_be32(&b, 0x0a010000 + i);
	}
	ck_assert_int_eq(reply(&b), DISS_OK);
	ck_assert_uint_eq(nfacts(A_DNS_ANSWER), DNS_MAX_RECORDS);
	ck_assert_uint_eq(t.st.counters[DNS_RECORDS_CUT], 1);
}
END_TEST

START_TEST(dns_not_a_query_opcode)
{
	struct bytebuf b = { .n = 0 };

	hdr(&b, 0x2000, 1, 0);		/* NOTIFY */
	put_dns_name(&b, "zone.example", -1);
	put_be16(&b, 6); put_be16(&b, 1);
	ck_assert_int_eq(query(&b), DISS_OK);
	ck_assert_uint_eq(t.st.counters[DNS_NOT_QUERY], 1);
	ck_assert_ptr_null(fact(A_DNS_QUERY, NULL));
}
END_TEST

START_TEST(dns_over_tcp_length_prefix)
{
	struct bytebuf m = { .n = 0 }, s = { .n = 0 };
	size_t used = 0;

	flow_init(L4_TCP);
	chain_response(&m);
	/* two messages in one stream: length + message, twice */
	put_be16(&s, (unsigned)m.n);
	memcpy(s.b + s.n, m.b, m.n); s.n += m.n;
	put_be16(&s, (unsigned)m.n);
	memcpy(s.b + s.n, m.b, m.n); s.n += m.n;
	/* the second cut: only the first is consumed */
	struct bytebuf part = s;
	part.n = 2 + m.n + 10;
	ck_assert_int_eq(parse_dir(&part, DIR_S2C, &used), DISS_OK);
	ck_assert_uint_eq(used, 2 + m.n);
	ck_assert_uint_eq(t.st.counters[DNS_RESPONSES], 1);
	ck_assert_ptr_nonnull(fact(A_DNS_ANSWER, "www.sunlogin.oray.com=47.94.1.2"));
	/* the whole stream: both */
	ck_assert_int_eq(parse_dir(&s, DIR_S2C, &used), DISS_OK);
	ck_assert_uint_eq(used, s.n);
	ck_assert_uint_eq(t.st.counters[DNS_RESPONSES], 3);
	/* a length below the header's: the stream is not DNS */
	s.n = 0;
	put_be16(&s, 5); put_be32(&s, 0); put_u8(&s, 0);
	ck_assert_int_eq(parse_dir(&s, DIR_S2C, &used), DISS_MALFORMED);
}
END_TEST

/*
 * A chain of pointers, each to the one before it, ending in the name "a":
 * DNS_MAX_JUMPS of them are followed, one more is refused (every pointer
 * goes backwards, so only the count stops a long chain).
 */
START_TEST(dnsname_pointer_chain_is_capped)
{
	struct bytebuf b = { .n = 0 };
	char out[DNS_NAME_MAX + 1];
	size_t at[DNS_MAX_JUMPS + 1];
	struct cur msg, cu;

	put_dns_name(&b, "a", -1);
	for (int i = 0; i <= DNS_MAX_JUMPS; i++) {
		at[i] = b.n;
		put_be16(&b, 0xc000u | (unsigned)(i ? at[i - 1] : 0));
	}
	msg = cur_make(b.b, b.n);
	cu = msg;
	ck_assert(cur_skip(&cu, at[DNS_MAX_JUMPS - 1]));	/* DNS_MAX_JUMPS pointers */
	ck_assert(dnsname_read(&msg, &cu, out, sizeof(out)));
	ck_assert_str_eq(out, "a");
	ck_assert_uint_eq(cur_offset(&msg, &cu), at[DNS_MAX_JUMPS - 1] + 2);
	cu = msg;
	ck_assert(cur_skip(&cu, at[DNS_MAX_JUMPS]));		/* one more */
	ck_assert(!dnsname_read(&msg, &cu, out, sizeof(out)));
}
END_TEST

START_TEST(dnsname_bounds)
{
	struct bytebuf b = { .n = 0 };
	char out[DNS_NAME_MAX + 2];
	struct cur msg, cu;

	/* 5 labels of 63 bytes: 319 bytes, longer than a name may be */
	for (int i = 0; i < 5; i++) {
		put_u8(&b, 63);
		memset(b.b + b.n, 'a', 63);
		b.n += 63;
	}
	put_u8(&b, 0);
	msg = cur_make(b.b, b.n);
	cu = msg;
	ck_assert(!dnsname_read(&msg, &cu, out, sizeof(out)));
	ck_assert_uint_eq(cur_left(&cu), b.n);	/* unchanged on failure */
	/* 4 of them fit (255 bytes with dots) */
	b.b[4 * 64] = 0;
	cu = msg;
	ck_assert(dnsname_read(&msg, &cu, out, sizeof(out)));
	ck_assert_uint_eq(strlen(out), 4 * 63 + 3);
	/* a small output buffer refuses rather than cuts */
	cu = msg;
	ck_assert(!dnsname_read(&msg, &cu, out, 64));
	/* the root name */
	b.n = 0; put_u8(&b, 0);
	msg = cur_make(b.b, b.n); cu = msg;
	ck_assert(dnsname_read(&msg, &cu, out, sizeof(out)));
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(cur_left(&cu), 0);
}
END_TEST

/* The capture's lookups of mail.google.com and videosearch.ubuntu.com (as tshark shows them). */
START_TEST(dns_shared_capture)
{
	struct collected pc;
	long n;

	collected_init(&pc);
	n = run_pcap(shared_pcap("modbus/iti__modbusSmall.pcap"), &pc, NULL);
	ck_assert_int_gt(n, 0);
	collected_free(&t.col);
	t.col = pc;
	ck_assert_ptr_nonnull(fact(A_DNS_QUERY, "mail.google.com"));
	ck_assert_ptr_nonnull(fact(A_DNS_QUERY, "videosearch.ubuntu.com"));
	ck_assert_ptr_nonnull(fact(A_DNS_CNAME, "mail.google.com=googlemail.l.google.com"));
	for (const char *const *a = (const char *const[]){ "74.125.239.54", "74.125.239.53",
	    "74.125.239.118", "74.125.239.117", NULL }; *a; a++) {
		char want[96];

		snprintf(want, sizeof(want), "mail.google.com=%s", *a);
		ck_assert_msg(fact(A_DNS_ANSWER, want), "no answer %s", want);
	}
	ck_assert_ptr_nonnull(fact(A_DNS_ANSWER, "videosearch.ubuntu.com=91.189.89.134"));
	ck_assert_ptr_nonnull(fact(A_DNS_ANSWER, "videosearch.ubuntu.com=91.189.89.22"));
	ck_assert_ptr_nonnull(fact(A_DNS_RESOLVER, NULL));
	/* the name servers' glue in the additional section is not an answer to the question */
	ck_assert_ptr_null(fact(A_DNS_ANSWER, "mail.google.com=216.239.38.10"));
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("dns");
	TCase *tc = tcase_create("dns");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, dns_query_names_the_resolver);
	tcase_add_test(tc, dns_answer_with_cname_chain);
	tcase_add_test(tc, dns_compression_loops_refused);
	tcase_add_test(tc, dns_lying_counts_and_truncation);
	tcase_add_test(tc, dns_not_a_query_opcode);
	tcase_add_test(tc, dns_over_tcp_length_prefix);
	tcase_add_test(tc, dnsname_bounds);
	tcase_add_test(tc, dnsname_pointer_chain_is_capped);
	tcase_add_test(tc, dns_shared_capture);
	suite_add_tcase(s, tc);
	return s;
}
