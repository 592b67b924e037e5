/*
 * test_tls.c - TLS handshake dissector: a ClientHello built here (SNI, JA3,
 * JA4 against values computed by hand from the published definitions), a
 * ServerHello, a Certificate with a DER certificate built byte by byte and
 * one made by openssl at test time, messages split over records and
 * segments, and malformed records.  No shared capture carries TLS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"
#include "dissector.h"
#include "sw_limits.h"

extern const struct dissector dis_tls;

enum { TLS_CLIENT_HELLO, TLS_SERVER_HELLO, TLS_CERTS, TLS_BAD_HS };

/* Patch a big-endian length of `w` bytes at `at` to cover everything after it. */
static void
fix_len(struct bytebuf *b, size_t at, int w)
{
	size_t v = b->n - at - (size_t)w;

	for (int i = w - 1; i >= 0; i--, v >>= 8)
		b->b[at + (size_t)i] = (uint8_t)(v & 0xff);
}

/* ClientHello handshake message (type, length, body). */
static void
client_hello(struct bytebuf *b)
{
	size_t hs, exts, e;
	uint8_t rnd[32] = { 0 };

	put_u8(b, 1);
	hs = b->n;
	put_be24(b, 0);
	put_be16(b, 0x0303);
	put_bytes(b, rnd, 32);
	put_u8(b, 0);				/* no session id */
	put_be16(b, 8);
	put_be16(b, 0x0a0a); put_be16(b, 0x1301); put_be16(b, 0xc02f); put_be16(b, 0x002f);
	put_u8(b, 1); put_u8(b, 0);			/* null compression */
	exts = b->n;
	put_be16(b, 0);
	put_be16(b, 0x0a0a); put_be16(b, 0);		/* GREASE extension */
	put_be16(b, 0); e = b->n; put_be16(b, 0);	/* SNI */
	put_be16(b, 14); put_u8(b, 0); put_be16(b, 11); put_bytes(b, "plc.example", 11);
	fix_len(b, e, 2);
	put_be16(b, 10); put_be16(b, 6); put_be16(b, 4); put_be16(b, 0x001d); put_be16(b, 0x0017);
	put_be16(b, 11); put_be16(b, 2); put_u8(b, 1); put_u8(b, 0);
	put_be16(b, 13); put_be16(b, 6); put_be16(b, 4); put_be16(b, 0x0403); put_be16(b, 0x0804);
	put_be16(b, 16); put_be16(b, 14); put_be16(b, 12); put_u8(b, 2); put_bytes(b, "h2", 2);
	put_u8(b, 8); put_bytes(b, "http/1.1", 8);
	put_be16(b, 43); put_be16(b, 5); put_u8(b, 4); put_be16(b, 0x0304); put_be16(b, 0x0303);
	fix_len(b, exts, 2);
	fix_len(b, hs, 3);
}

static void
server_hello(struct bytebuf *b, unsigned version, unsigned cipher)
{
	size_t hs;
	uint8_t rnd[32] = { 1 };

	put_u8(b, 2);
	hs = b->n;
	put_be24(b, 0);
	put_be16(b, version);
	put_bytes(b, rnd, 32);
	put_u8(b, 0);
	put_be16(b, cipher);
	put_u8(b, 0);
	put_be16(b, 0);
	fix_len(b, hs, 3);
}

/* DER helpers: tag + short/long length around what follows. */
static size_t
der_open(struct bytebuf *b, unsigned tag)
{
	put_u8(b, tag);
	put_u8(b, 0x82);
	put_be16(b, 0);
	return b->n - 2;
}

static void der_close(struct bytebuf *b, size_t at) { fix_len(b, at, 2); }

static void
der_name(struct bytebuf *b, const char *cn, const char *o)
{
	size_t name = der_open(b, 0x30), set, atv;

	if (o) {
		set = der_open(b, 0x31); atv = der_open(b, 0x30);
		put_u8(b, 6); put_u8(b, 3); put_u8(b, 0x55); put_u8(b, 4); put_u8(b, 0x0a);
		put_u8(b, 0x0c); put_u8(b, (unsigned)strlen(o)); put_bytes(b, o, strlen(o));
		der_close(b, atv); der_close(b, set);
	}
	set = der_open(b, 0x31); atv = der_open(b, 0x30);
	put_u8(b, 6); put_u8(b, 3); put_u8(b, 0x55); put_u8(b, 4); put_u8(b, 0x03);
	put_u8(b, 0x13); put_u8(b, (unsigned)strlen(cn)); put_bytes(b, cn, strlen(cn));
	der_close(b, atv); der_close(b, set);
	der_close(b, name);
}

/* A certificate skeleton: what RFC 5280 puts before the subject, and a subject. */
static void
der_cert(struct bytebuf *b)
{
	size_t cert = der_open(b, 0x30), tbs = der_open(b, 0x30), v;

	v = der_open(b, 0xa0); put_u8(b, 2); put_u8(b, 1); put_u8(b, 2); der_close(b, v);
	put_u8(b, 2); put_u8(b, 2); put_be16(b, 0x1234);			/* serial */
	v = der_open(b, 0x30); put_u8(b, 6); put_u8(b, 1); put_u8(b, 0x2a); der_close(b, v);
	der_name(b, "Hikvision CA", "Hikvision");			/* issuer */
	v = der_open(b, 0x30); der_close(b, v);			/* validity */
	der_name(b, "DS-2CD2142FWD-I", "Hikvision");			/* subject */
	der_close(b, tbs);
	der_close(b, cert);
}

static void
certificate_msg(struct bytebuf *b, const uint8_t *der, size_t n)
{
	put_u8(b, 11);
	put_be24(b, (unsigned)n + 6);
	put_be24(b, (unsigned)n + 3);
	put_be24(b, (unsigned)n);
	put_bytes(b, der, n);
}

/* Wrap handshake bytes into records of at most `chunk` bytes each. */
static void
records(struct bytebuf *out, const struct bytebuf *hs, size_t chunk)
{
	for (size_t off = 0; off < hs->n; off += chunk) {
		size_t n = hs->n - off < chunk ? hs->n - off : chunk;

		put_u8(out, 22); put_be16(out, 0x0301); put_be16(out, (unsigned)n);
		put_bytes(out, hs->b + off, n);
	}
}

/*
 * JA3 string "771,4865-49199-47,0-10-11-13-16-43,29-23,0" (GREASE left out):
 * md5 6bfe35123df20afcf42aa008b0081ebf.  JA4: t13 d 03 ciphers 06 extensions
 * "h2"; sha256("002f,1301,c02f")[:12] = 54093f43ad55;
 * sha256("000a,000b,000d,002b_0403,0804")[:12] = fb71836bce29.
 */
START_TEST(client_hello_split_over_records_and_segments)
{
	struct bytebuf hs = { .n = 0 }, rec = { .n = 0 };
	struct harness t;
	size_t left, cut;

	client_hello(&hs);
	records(&rec, &hs, 40);		/* the message spans several records */
	harness_init(&t, &dis_tls);
	cut = 47;			/* mid-record */
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, rec.b, cut, &left), DISS_OK);
	ck_assert_uint_eq(left, cut - 45);	/* the one whole record was taken */
	ck_assert_uint_eq(t.col.n, 0);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, rec.b + 45, rec.n - 45, &left), DISS_OK);
	ck_assert_uint_eq(left, 0);
	ck_assert_str_eq(find_fact_src(&t.col, NULL, A_TLS_SNI, NULL, "tls/sni")->val,
	    "plc.example");
	ck_assert_ptr_nonnull(find_fact_src(&t.col, NULL, A_TLS_SNI, NULL, "tls/server_name"));
	ck_assert_str_eq(find_fact_src(&t.col, NULL, A_FINGERPRINT, NULL, "tls/ja3")->val,
	    "ja3:6bfe35123df20afcf42aa008b0081ebf");
	ck_assert_str_eq(find_fact_src(&t.col, NULL, A_FINGERPRINT, NULL, "tls/ja4")->val,
	    "ja4:t13d0306h2_54093f43ad55_fb71836bce29");
	ck_assert_uint_eq(t.st.counters[TLS_CLIENT_HELLO], 1);
	harness_free(&t);
}
END_TEST

START_TEST(server_hello_and_built_certificate)
{
	struct bytebuf hs = { .n = 0 }, der = { .n = 0 }, rec = { .n = 0 };
	struct harness t;
	size_t left;

	server_hello(&hs, 0x0303, 0xc02f);
	der_cert(&der);
	certificate_msg(&hs, der.b, der.n);
	records(&rec, &hs, 16384);
	harness_init(&t, &dis_tls);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, rec.b, rec.n, &left), DISS_OK);
	ck_assert_uint_eq(left, 0);
	ck_assert_str_eq(find_fact_src(&t.col, NULL, A_NOTE, NULL, "tls/server_hello")->val,
	    "TLS 1.2 cipher 0xc02f");
	ck_assert_str_eq(find_fact_src(&t.col, NULL, A_CERT_SUBJECT, NULL, "tls/certificate")->val,
	    "CN=DS-2CD2142FWD-I, O=Hikvision");
	ck_assert_str_eq(find_fact_src(&t.col, NULL, A_CERT_ISSUER, NULL, "tls/certificate")->val,
	    "CN=Hikvision CA, O=Hikvision");
	ck_assert_uint_eq(t.st.counters[TLS_CERTS], 1);
	harness_free(&t);
}
END_TEST

/* A real self-signed certificate from openssl, if it is installed. */
START_TEST(openssl_certificate)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char path[256], cmd[768];
	struct bytebuf hs = { .n = 0 }, rec = { .n = 0 };
	uint8_t der[4096];
	struct harness t;
	size_t n, left;
	FILE *fp;

	if (system("command -v openssl >/dev/null 2>&1") != 0)
		return;		/* not installed: the byte-built certificate covers the parser */
	snprintf(path, sizeof(path), "%s/sw_tls_%d.der", dir, (int)getpid());
	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
	    "-nodes -keyout /dev/null -subj '/O=WAGO Kontakttechnik/CN=PFC200 750-8212' "
	    "-days 1 -outform DER -out '%s' 2>/dev/null", path);
	ck_assert_int_eq(system(cmd), 0);
	fp = fopen(path, "rb");
	ck_assert_ptr_nonnull(fp);
	n = fread(der, 1, sizeof(der), fp);
	fclose(fp);
	unlink(path);
	ck_assert_uint_gt(n, 100);
	server_hello(&hs, 0x0303, 0x1301);
	certificate_msg(&hs, der, n);
	records(&rec, &hs, 100);
	harness_init(&t, &dis_tls);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, rec.b, rec.n, &left), DISS_OK);
	ck_assert_str_eq(find_fact_src(&t.col, NULL, A_CERT_SUBJECT, NULL, "tls/certificate")->val,
	    "CN=PFC200 750-8212, O=WAGO Kontakttechnik");
	ck_assert_str_eq(find_fact_src(&t.col, NULL, A_CERT_ISSUER, NULL, "tls/certificate")->val,
	    "CN=PFC200 750-8212, O=WAGO Kontakttechnik");
	harness_free(&t);
}
END_TEST

START_TEST(tls13_server_hello_stops)
{
	struct bytebuf hs = { .n = 0 }, rec = { .n = 0 };
	struct harness t;
	size_t left;

	/* legacy 0x0303 + supported_versions 0x0304 */
	put_u8(&hs, 2); put_be24(&hs, 2 + 32 + 1 + 2 + 1 + 2 + 6);
	put_be16(&hs, 0x0303);
	for (int i = 0; i < 32; i++) put_u8(&hs, 0);
	put_u8(&hs, 0); put_be16(&hs, 0x1302); put_u8(&hs, 0);
	put_be16(&hs, 6); put_be16(&hs, 43); put_be16(&hs, 2); put_be16(&hs, 0x0304);
	records(&rec, &hs, 1000);
	/* followed by an "encrypted" record that looks like a certificate */
	put_u8(&rec, 23); put_be16(&rec, 0x0303); put_be16(&rec, 3);
	put_u8(&rec, 11); put_be16(&rec, 0);
	harness_init(&t, &dis_tls);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, rec.b, rec.n, &left), DISS_OK);
	ck_assert_uint_eq(left, 0);
	ck_assert_str_eq(find_fact_src(&t.col, NULL, A_NOTE, NULL, "tls/server_hello")->val,
	    "TLS 1.3 cipher 0x1302");
	ck_assert_ptr_null(find_fact_src(&t.col, NULL, A_CERT_SUBJECT, NULL, "tls/certificate"));
	harness_free(&t);
}
END_TEST

START_TEST(malformed)
{
	static const uint8_t notls[] = "GET / HTTP/1.1\r\n\r\n";
	static const uint8_t huge[] = { 22, 3, 3, 0xff, 0xff, 1, 0, 0, 4 };
	struct bytebuf hs = { .n = 0 }, rec = { .n = 0 }, der = { .n = 0 };
	struct harness t;
	size_t left;

	harness_init(&t, &dis_tls);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, notls, sizeof(notls) - 1, &left),
	    DISS_NOT_MINE);
	harness_free(&t);
	harness_init(&t, &dis_tls);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, huge, sizeof(huge), &left), DISS_NOT_MINE);
	harness_free(&t);

	/* a ClientHello whose cipher list claims more than the message holds */
	put_u8(&hs, 1); put_be24(&hs, 2 + 32 + 1 + 2);
	put_be16(&hs, 0x0303);
	for (int i = 0; i < 32; i++) put_u8(&hs, 0);
	put_u8(&hs, 0); put_be16(&hs, 0x4000);
	records(&rec, &hs, 1000);
	harness_init(&t, &dis_tls);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, rec.b, rec.n, &left), DISS_MALFORMED);
	ck_assert_uint_eq(t.st.counters[TLS_BAD_HS], 1);
	ck_assert_uint_eq(t.col.n, 0);
	/* the direction is given up: nothing more is parsed */
	rec.n = hs.n = 0;
	client_hello(&hs);
	records(&rec, &hs, 1000);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, rec.b, rec.n, &left), DISS_OK);
	ck_assert_uint_eq(t.col.n, 0);
	harness_free(&t);

	/* a certificate whose DER length lies */
	rec.n = hs.n = 0;
	der_cert(&der);
	der.b[3] = 0xff;		/* outer SEQUENCE length, high byte */
	server_hello(&hs, 0x0303, 0x002f);
	certificate_msg(&hs, der.b, der.n);
	records(&rec, &hs, 1000);
	harness_init(&t, &dis_tls);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, rec.b, rec.n, &left), DISS_MALFORMED);
	ck_assert_ptr_nonnull(find_fact_src(&t.col, NULL, A_NOTE, NULL, "tls/server_hello"));
	ck_assert_ptr_null(find_fact_src(&t.col, NULL, A_CERT_SUBJECT, NULL, "tls/certificate"));
	harness_free(&t);

	/* a handshake message longer than TLS_HS_MAX */
	rec.n = hs.n = 0;
	put_u8(&hs, 11); put_be24(&hs, TLS_HS_MAX + 1);
	records(&rec, &hs, 100);
	harness_init(&t, &dis_tls);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, rec.b, rec.n, &left), DISS_MALFORMED);
	harness_free(&t);
}
END_TEST

/*
 * A ClientHello whose JA3 text is longer than the dissector's 2048-byte
 * buffer: 128 five-digit ciphers, 100 five-digit extensions and 128
 * five-digit groups make about 2140 bytes.  The JA3 is left out rather than
 * hashed from a cut string, and counted; the JA4 text (hex, about 600 bytes)
 * still fits.
 */
START_TEST(ja3_too_long_for_its_buffer_is_left_out)
{
	struct bytebuf hs = { .n = 0 }, rec = { .n = 0 };
	uint8_t rnd[32] = { 0 };
	const struct cobs *ja4;
	struct harness t;
	size_t len, exts, left;

	put_u8(&hs, 1);
	len = hs.n;
	put_be24(&hs, 0);
	put_be16(&hs, 0x0303);
	put_bytes(&hs, rnd, 32);
	put_u8(&hs, 0);
	put_be16(&hs, 2 * 128);
	for (unsigned i = 0; i < 128; i++)
		put_be16(&hs, 0xf000 + i);
	put_u8(&hs, 1); put_u8(&hs, 0);
	exts = hs.n;
	put_be16(&hs, 0);
	for (unsigned i = 0; i < 100; i++) {
		put_be16(&hs, 0xf000 + i); put_be16(&hs, 0);
	}
	put_be16(&hs, 10); put_be16(&hs, 2 + 2 * 128); put_be16(&hs, 2 * 128);
	for (unsigned i = 0; i < 128; i++)
		put_be16(&hs, 0xf000 + i);
	fix_len(&hs, exts, 2);
	fix_len(&hs, len, 3);
	records(&rec, &hs, 16384);
	harness_init(&t, &dis_tls);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, rec.b, rec.n, &left), DISS_OK);
	ck_assert_uint_eq(t.st.counters[TLS_CLIENT_HELLO], 1);
	ck_assert_ptr_null(find_fact_src(&t.col, NULL, A_FINGERPRINT, NULL, "tls/ja3"));
	ck_assert_uint_eq(harness_counter(&t, "fingerprints_too_long"), 1);
	ja4 = find_fact_src(&t.col, NULL, A_FINGERPRINT, NULL, "tls/ja4");
	ck_assert_ptr_nonnull(ja4);
	ck_assert_msg(strncmp(ja4->val, "ja4:t12i999900_", 15) == 0, "%s", ja4->val);
	harness_free(&t);
}
END_TEST

/* Regression (libFuzzer, UBSan): an empty handshake record before any
 * buffer exists made buf_append add 0 to a NULL pointer. */
START_TEST(empty_handshake_record_first)
{
	/* the fuzzer's input: an empty record, then 4 bytes of the next header */
	static const uint8_t empty[] = { 0x16, 0x03, 0x08, 0x00, 0x00, 0x00, 0x00, 0x6f, 0x04 };
	struct harness t;
	size_t left;

	for (int dir = DIR_C2S; dir <= DIR_S2C; dir++) {
		harness_init(&t, &dis_tls);
		harness_parse(&t, dir, empty, sizeof(empty), &left);
		ck_assert_uint_le(left, sizeof(empty));
		ck_assert_uint_eq(count_facts(&t.col, NULL, NULL), 0);
		harness_free(&t);
	}
}
END_TEST

START_TEST(probe)
{
	static const uint8_t ch[] = { 22, 3, 1, 0, 10, 1 };
	static const uint8_t app[] = { 23, 3, 3, 0, 10 };
	struct cur a = cur_make(ch, sizeof(ch)), b = cur_make(app, sizeof(app));

	ck_assert(dis_tls.probe(&a, DIR_C2S));
	ck_assert(!dis_tls.probe(&b, DIR_C2S));
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("tls");
	TCase *tc = tcase_create("tls");

	tcase_add_test(tc, client_hello_split_over_records_and_segments);
	tcase_add_test(tc, server_hello_and_built_certificate);
	tcase_add_test(tc, openssl_certificate);
	tcase_add_test(tc, tls13_server_hello_stops);
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, ja3_too_long_for_its_buffer_is_left_out);
	tcase_add_test(tc, empty_handshake_record_first);
	tcase_add_test(tc, probe);
	suite_add_tcase(s, tc);
	return s;
}
