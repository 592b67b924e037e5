/*
 * test_opcua.c - OPC UA binary: Hello/Acknowledge, OpenSecureChannel,
 * GetEndpoints and CreateSession.
 *
 * No shared capture carries OPC UA: messages are built from OPC 10000-6's
 * binary encoding and OPC 10000-4's service layouts; the certificate is a
 * minimal DER structure (RFC 5280 field order) built here.
 */
#include <stdio.h>
#include <string.h>

#include "support.h"
#include "dissector.h"
#include "decode.h"
#include "flow.h"

extern const struct dissector dis_opcua;

#define CLI_IP	"10.0.0.1"
#define SRV_IP	"10.0.0.2"

static void
ua_str(struct bytebuf *b, const char *s)
{
	if (s == NULL) {
		put_le32(b, 0xffffffff);
		return;
	}
	put_le32(b, (uint32_t)strlen(s));
	put_bytes(b, s, strlen(s));
}

static void
der(struct bytebuf *b, unsigned tag, const void *v, size_t n)
{
	put_u8(b, tag);
	if (n < 128)
		put_u8(b, (unsigned)n);
	else {
		put_u8(b, 0x82);
		put_u8(b, (unsigned)(n >> 8));
		put_u8(b, n & 0xff);
	}
	put_bytes(b, v, n);
}

static void
rdn(struct bytebuf *name, unsigned at, unsigned strtag, const char *v)
{
	struct bytebuf atv = { .n = 0 }, set = { .n = 0 };
	uint8_t oid[3] = { 0x55, 0x04, (uint8_t)at };

	der(&atv, 0x06, oid, 3);
	der(&atv, strtag, v, strlen(v));
	der(&set, 0x30, atv.b, atv.n);
	der(name, 0x31, set.b, set.n);
}

/* A certificate skeleton: version, serial, algorithm, issuer, validity, subject. */
static void
certificate(struct bytebuf *out)
{
	struct bytebuf tbs = { .n = 0 }, subj = { .n = 0 }, iss = { .n = 0 }, cert = { .n = 0 };
	static const uint8_t v3[] = { 0x02, 0x01, 0x02 }, serial[] = { 0x05 };
	static const uint8_t alg[] = { 0x06, 0x03, 0x2a, 0x03, 0x04 };
	static const uint8_t validity[] = { 0x17, 0x01, 'x', 0x17, 0x01, 'y' };

	rdn(&subj, 3, 0x0c, "PLC_1");
	rdn(&subj, 2, 0x13, "ignored");		/* 2.5.4.2 knowledgeInformation: not kept */
	rdn(&subj, 10, 0x13, "Siemens");
	rdn(&iss, 3, 0x0c, "Issuer CA");
	der(&tbs, 0xa0, v3, sizeof(v3));
	der(&tbs, 0x02, serial, sizeof(serial));
	der(&tbs, 0x30, alg, sizeof(alg));
	der(&tbs, 0x30, iss.b, iss.n);
	der(&tbs, 0x30, validity, sizeof(validity));
	der(&tbs, 0x30, subj.b, subj.n);
	der(&cert, 0x30, tbs.b, tbs.n);
	der(&cert, 0x30, alg, sizeof(alg));
	der(out, 0x30, cert.b, cert.n);
}

static void
chunk(struct bytebuf *out, const char *type, const struct bytebuf *body)
{
	put_bytes(out, type, 4);
	put_le32(out, (uint32_t)(body->n + 8));
	put_bytes(out, body->b, body->n);
}

static void
hello(struct bytebuf *out, const char *url)
{
	struct bytebuf b = { .n = 0 };

	put_le32(&b, 0);
	put_le32(&b, 65536); put_le32(&b, 65536); put_le32(&b, 0); put_le32(&b, 0);
	ua_str(&b, url);
	chunk(out, "HELF", &b);
}

static void
app_description(struct bytebuf *b, const char *uri, const char *product, const char *name)
{
	ua_str(b, uri);
	ua_str(b, product);
	put_u8(b, 0x02);
	ua_str(b, name);
	put_le32(b, 0);
	ua_str(b, NULL);
	ua_str(b, NULL);
	put_le32(b, 0xffffffff);
}

static void
get_endpoints_response(struct bytebuf *out)
{
	struct bytebuf b = { .n = 0 }, cert = { .n = 0 };

	certificate(&cert);
	put_le32(&b, 1); put_le32(&b, 1);	/* channel, token */
	put_le32(&b, 2); put_le32(&b, 2);	/* sequence, request */
	put_u8(&b, 0x01); put_u8(&b, 0); put_le16(&b, 431);	/* GetEndpointsResponse */
	put_zeros(&b, 8); put_le32(&b, 2); put_le32(&b, 0);	/* timestamp, handle, Good */
	put_u8(&b, 0);						/* diagnostics */
	put_le32(&b, 0xffffffff);					/* string table */
	put_u8(&b, 0); put_u8(&b, 0); put_u8(&b, 0);			/* additional header */
	put_le32(&b, 1);						/* one endpoint */
	ua_str(&b, "opc.tcp://10.0.0.2:4840");
	app_description(&b, "urn:SIMATIC.S7-1500.OPC-UA.Application:PLC_1",
	    "https://www.siemens.com/s7-1500", "SIMATIC.S7-1500.OPC-UA.Application:PLC_1");
	put_le32(&b, (uint32_t)cert.n);
	put_bytes(&b, cert.b, cert.n);
	put_le32(&b, 1);
	ua_str(&b, "http://opcfoundation.org/UA/SecurityPolicy#None");
	put_le32(&b, 1);
	ua_str(&b, "anonymous"); put_le32(&b, 0);
	ua_str(&b, NULL); ua_str(&b, NULL); ua_str(&b, NULL);
	ua_str(&b, "http://opcfoundation.org/UA-Profile/Transport/uatcp-uasc-uabinary");
	put_u8(&b, 0);
	chunk(out, "MSGF", &b);
}

static void
opcua_harness(struct harness *t)
{
	harness_init(t, &dis_opcua);
	harness_flow(t, L4_TCP, CLI_IP, 0, SRV_IP, 4840);
}

START_TEST(hello_names_the_endpoint)
{
	struct harness t;
	struct bytebuf b = { .n = 0 }, ack = { .n = 0 }, body = { .n = 0 };

	opcua_harness(&t);
	hello(&b, "opc.tcp://plc1.example:4840");
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, b.b, b.n, NULL), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, SRV_IP, A_URL, "opc.tcp://plc1.example:4840"));
	ck_assert_ptr_nonnull(find_fact(&t.col, CLI_IP, A_ROLE, R_OPCUA_CLIENT));
	put_zeros(&body, 20);
	chunk(&ack, "ACKF", &body);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, ack.b, ack.n, NULL), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, SRV_IP, A_ROLE, R_OPCUA_SERVER));
	ck_assert_uint_eq(t.st.pdus, 2);
	ck_assert_uint_eq(t.st.counters[0], 1);
	ck_assert_uint_eq(t.st.counters[1], 1);
	harness_free(&t);
}
END_TEST

START_TEST(get_endpoints_response_identity)
{
	struct harness t;
	struct bytebuf b = { .n = 0 };
	const struct cobs *o;

	opcua_harness(&t);
	get_endpoints_response(&b);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, b.b, b.n, NULL), DISS_OK);
	o = find_fact(&t.col, SRV_IP, A_URL, "urn:SIMATIC.S7-1500.OPC-UA.Application:PLC_1");
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->src, "opcua/application_uri");
	ck_assert_ptr_nonnull(find_fact(&t.col, SRV_IP, A_URL, "https://www.siemens.com/s7-1500"));
	ck_assert_ptr_nonnull(find_fact(&t.col, SRV_IP, A_SOFTWARE,
	    "SIMATIC.S7-1500.OPC-UA.Application:PLC_1"));
	ck_assert_ptr_nonnull(find_fact(&t.col, SRV_IP, A_CERT_SUBJECT, "CN=PLC_1, O=Siemens"));
	ck_assert_uint_eq(t.st.counters[4], 1);
	harness_free(&t);
}
END_TEST

START_TEST(open_secure_channel_response_certificate)
{
	struct harness t;
	struct bytebuf b = { .n = 0 }, body = { .n = 0 }, cert = { .n = 0 };

	opcua_harness(&t);
	certificate(&cert);
	put_le32(&body, 0);
	ua_str(&body, "http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256");
	put_le32(&body, (uint32_t)cert.n);
	put_bytes(&body, cert.b, cert.n);
	ua_str(&body, NULL);
	put_zeros(&body, 40);			/* sequence header and encrypted body */
	chunk(&b, "OPNF", &body);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, b.b, b.n, NULL), DISS_OK);
	ck_assert_str_eq(find_fact(&t.col, SRV_IP, A_CERT_SUBJECT, "CN=PLC_1, O=Siemens")->src,
	    "opcua/open_secure_channel");
	/* the client's own certificate in its request is not the server's */
	t.col.n = 0;
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, b.b, b.n, NULL), DISS_OK);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_CERT_SUBJECT, NULL));
	harness_free(&t);
}
END_TEST

START_TEST(create_session_request_names_the_client)
{
	struct harness t;
	struct bytebuf b = { .n = 0 }, body = { .n = 0 };

	opcua_harness(&t);
	put_le32(&body, 1); put_le32(&body, 1); put_le32(&body, 3); put_le32(&body, 3);
	put_u8(&body, 0x01); put_u8(&body, 0); put_le16(&body, 461);
	put_u8(&body, 0); put_u8(&body, 0);				/* auth token */
	put_zeros(&body, 16);					/* time, handle, diag */
	ua_str(&body, NULL);					/* audit entry */
	put_le32(&body, 10000);
	put_u8(&body, 0); put_u8(&body, 0); put_u8(&body, 0);		/* additional header */
	app_description(&body, "urn:ews01:UaExpert", "http://www.unified-automation.com/UaExpert",
	    "UaExpert@ews01");
	ua_str(&body, NULL);
	ua_str(&body, "opc.tcp://10.0.0.2:4840");
	chunk(&b, "MSGF", &body);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, b.b, b.n, NULL), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, CLI_IP, A_SOFTWARE, "UaExpert@ews01"));
	ck_assert_ptr_nonnull(find_fact(&t.col, CLI_IP, A_URL, "urn:ews01:UaExpert"));
	ck_assert_ptr_nonnull(find_fact(&t.col, SRV_IP, A_URL, "opc.tcp://10.0.0.2:4840"));
	ck_assert_uint_eq(t.st.counters[5], 1);
	harness_free(&t);
}
END_TEST

START_TEST(malformed_inputs)
{
	static const uint8_t not_ua[] = "GET / HTTP/1.1\r\n\r\n";
	static const uint8_t tiny[] = { 'M', 'S', 'G', 'F', 4, 0, 0, 0 };
	static const uint8_t huge[] = { 'M', 'S', 'G', 'F', 0, 0, 0, 0x10 };
	struct harness t;
	struct bytebuf b = { .n = 0 }, body = { .n = 0 };
	size_t left;

	opcua_harness(&t);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, not_ua, sizeof(not_ua) - 1, NULL),
	    DISS_NOT_MINE);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, tiny, sizeof(tiny), NULL), DISS_MALFORMED);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, huge, sizeof(huge), NULL), DISS_MALFORMED);
	/* a partial chunk waits */
	get_endpoints_response(&b);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, b.b, b.n - 1, &left), DISS_OK);
	ck_assert_uint_eq(left, b.n - 1);
	ck_assert_uint_eq(t.col.n, 0);
	/* an endpoint URL whose length lies: no URL */
	b.n = 0;
	put_le32(&body, 0); put_zeros(&body, 16);
	put_le32(&body, 5000); put_bytes(&body, "opc.tcp://x", 11);
	chunk(&b, "HELF", &body);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, b.b, b.n, NULL), DISS_OK);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_URL, NULL));
	/* diagnostic info nested deeper than we follow, string table count past the end */
	b.n = body.n = 0;
	put_le32(&body, 1); put_le32(&body, 1); put_le32(&body, 2); put_le32(&body, 2);
	put_u8(&body, 0x01); put_u8(&body, 0); put_le16(&body, 431);
	put_zeros(&body, 8); put_le32(&body, 2); put_le32(&body, 0);
	for (int i = 0; i < 10; i++)
		put_u8(&body, 0x40);
	put_u8(&body, 0);
	chunk(&b, "MSGF", &body);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, b.b, b.n, NULL), DISS_OK);
	ck_assert_uint_eq(t.st.counters[4], 0);
	b.n = body.n = 0;
	put_le32(&body, 1); put_le32(&body, 1); put_le32(&body, 2); put_le32(&body, 2);
	put_u8(&body, 0x01); put_u8(&body, 0); put_le16(&body, 431);
	put_zeros(&body, 8); put_le32(&body, 2); put_le32(&body, 0);
	put_u8(&body, 0); put_le32(&body, 0x7fffffff);
	chunk(&b, "MSGF", &body);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, b.b, b.n, NULL), DISS_OK);
	ck_assert_uint_eq(t.st.counters[4], 0);
	/* a certificate that is not DER: no subject */
	b.n = body.n = 0;
	put_le32(&body, 0); ua_str(&body, "p");
	put_le32(&body, 4); put_bytes(&body, "\x30\x82\xff\xff", 4);
	chunk(&b, "OPNF", &body);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, b.b, b.n, NULL), DISS_OK);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_CERT_SUBJECT, NULL));
	harness_free(&t);
}
END_TEST

START_TEST(probe_wants_a_whole_hello)
{
	struct bytebuf b = { .n = 0 };
	struct cur c;

	hello(&b, "opc.tcp://h:4840");
	c = cur_make(b.b, b.n);
	ck_assert(dis_opcua.probe(&c, DIR_C2S));
	c = cur_make(b.b, b.n - 1);
	ck_assert(!dis_opcua.probe(&c, DIR_C2S));
}
END_TEST

START_TEST(pipeline_on_another_port)
{
	struct bytebuf h = { .n = 0 }, r = { .n = 0 };
	struct tcp_conv v;

	hello(&h, "opc.tcp://10.0.0.2:48010");
	get_endpoints_response(&r);
	tcp_conv_open(&v, CLI_IP, SRV_IP, 48010);
	tcp_conv_send(&v, DIR_C2S, 0x18, h.b, h.n);
	tcp_conv_send(&v, DIR_S2C, 0x18, r.b, r.n);
	ck_assert_ptr_nonnull(find_fact(&v.col, SRV_IP, A_CERT_SUBJECT, "CN=PLC_1, O=Siemens"));
	ck_assert_int_eq(pipeline_counter(v.pl, "opcua.hello"), 1);
	tcp_conv_close(&v);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("opcua");
	TCase *u = tcase_create("unit");

	tcase_add_test(u, hello_names_the_endpoint);
	tcase_add_test(u, get_endpoints_response_identity);
	tcase_add_test(u, open_secure_channel_response_certificate);
	tcase_add_test(u, create_session_request_names_the_client);
	tcase_add_test(u, malformed_inputs);
	tcase_add_test(u, probe_wants_a_whole_hello);
	tcase_add_test(u, pipeline_on_another_port);
	suite_add_tcase(s, u);
	return s;
}
