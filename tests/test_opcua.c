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

struct buf {
	uint8_t	 b[4096];
	size_t	 n;
};

static void u8(struct buf *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static void le16(struct buf *b, unsigned v) { u8(b, v & 0xff); u8(b, v >> 8); }
static void le32(struct buf *b, uint32_t v) { le16(b, v & 0xffff); le16(b, v >> 16); }
static void bytes(struct buf *b, const void *p, size_t n) { memcpy(b->b + b->n, p, n); b->n += n; }
static void zeros(struct buf *b, size_t n) { memset(b->b + b->n, 0, n); b->n += n; }

static void
ua_str(struct buf *b, const char *s)
{
	if (s == NULL) {
		le32(b, 0xffffffff);
		return;
	}
	le32(b, (uint32_t)strlen(s));
	bytes(b, s, strlen(s));
}

static void
der(struct buf *b, unsigned tag, const void *v, size_t n)
{
	u8(b, tag);
	if (n < 128)
		u8(b, (unsigned)n);
	else {
		u8(b, 0x82);
		u8(b, (unsigned)(n >> 8));
		u8(b, n & 0xff);
	}
	bytes(b, v, n);
}

static void
rdn(struct buf *name, unsigned at, unsigned strtag, const char *v)
{
	struct buf atv = { .n = 0 }, set = { .n = 0 };
	uint8_t oid[3] = { 0x55, 0x04, (uint8_t)at };

	der(&atv, 0x06, oid, 3);
	der(&atv, strtag, v, strlen(v));
	der(&set, 0x30, atv.b, atv.n);
	der(name, 0x31, set.b, set.n);
}

/* A certificate skeleton: version, serial, algorithm, issuer, validity, subject. */
static void
certificate(struct buf *out)
{
	struct buf tbs = { .n = 0 }, subj = { .n = 0 }, iss = { .n = 0 }, cert = { .n = 0 };
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
chunk(struct buf *out, const char *type, const struct buf *body)
{
	bytes(out, type, 4);
	le32(out, (uint32_t)(body->n + 8));
	bytes(out, body->b, body->n);
}

static void
hello(struct buf *out, const char *url)
{
	struct buf b = { .n = 0 };

	le32(&b, 0);
	le32(&b, 65536); le32(&b, 65536); le32(&b, 0); le32(&b, 0);
	ua_str(&b, url);
	chunk(out, "HELF", &b);
}

static void
app_description(struct buf *b, const char *uri, const char *product, const char *name)
{
	ua_str(b, uri);
	ua_str(b, product);
	u8(b, 0x02);
	ua_str(b, name);
	le32(b, 0);
	ua_str(b, NULL);
	ua_str(b, NULL);
	le32(b, 0xffffffff);
}

static void
get_endpoints_response(struct buf *out)
{
	struct buf b = { .n = 0 }, cert = { .n = 0 };

	certificate(&cert);
	le32(&b, 1); le32(&b, 1); le32(&b, 2); le32(&b, 2);	/* channel, token, seq, req */
	u8(&b, 0x01); u8(&b, 0); le16(&b, 431);			/* GetEndpointsResponse */
	zeros(&b, 8); le32(&b, 2); le32(&b, 0);			/* timestamp, handle, Good */
	u8(&b, 0);						/* diagnostics */
	le32(&b, 0xffffffff);					/* string table */
	u8(&b, 0); u8(&b, 0); u8(&b, 0);			/* additional header */
	le32(&b, 1);						/* one endpoint */
	ua_str(&b, "opc.tcp://10.0.0.2:4840");
	app_description(&b, "urn:SIMATIC.S7-1500.OPC-UA.Application:PLC_1",
	    "https://www.siemens.com/s7-1500", "SIMATIC.S7-1500.OPC-UA.Application:PLC_1");
	le32(&b, (uint32_t)cert.n);
	bytes(&b, cert.b, cert.n);
	le32(&b, 1);
	ua_str(&b, "http://opcfoundation.org/UA/SecurityPolicy#None");
	le32(&b, 1);
	ua_str(&b, "anonymous"); le32(&b, 0); ua_str(&b, NULL); ua_str(&b, NULL); ua_str(&b, NULL);
	ua_str(&b, "http://opcfoundation.org/UA-Profile/Transport/uatcp-uasc-uabinary");
	u8(&b, 0);
	chunk(out, "MSGF", &b);
}

struct tctx {
	struct flow		 f;
	struct pkt		 p;
	struct diss_stats	 st;
	struct collected	 col;
	struct diss_ctx		 dc;
};

static void
tctx_init(struct tctx *t)
{
	memset(t, 0, sizeof(*t));
	t->f.proto = L4_TCP;
	ip_parse(CLI_IP, &t->f.cli.ip);
	ip_parse(SRV_IP, &t->f.srv.ip);
	t->f.srv.port = 4840;
	collected_init(&t->col);
	t->dc.d = &dis_opcua;
	t->dc.flow = &t->f;
	t->dc.pkt = &t->p;
	t->dc.sink = &t->col.sink;
	t->dc.st = &t->st;
}

static enum diss_rc
feed(struct tctx *t, int dir, const uint8_t *b, size_t n, size_t *used)
{
	struct cur c = cur_make(b, n);
	enum diss_rc rc;

	t->dc.dir = dir;
	t->dc.pdus = 0;
	rc = dis_opcua.parse(&t->dc, &c);
	if (used)
		*used = n - cur_left(&c);
	return rc;
}

START_TEST(hello_names_the_endpoint)
{
	struct tctx t;
	struct buf b = { .n = 0 }, ack = { .n = 0 }, body = { .n = 0 };

	tctx_init(&t);
	hello(&b, "opc.tcp://plc1.example:4840");
	ck_assert_int_eq(feed(&t, DIR_C2S, b.b, b.n, NULL), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, SRV_IP, A_URL, "opc.tcp://plc1.example:4840"));
	ck_assert_ptr_nonnull(find_fact(&t.col, CLI_IP, A_ROLE, R_OPCUA_CLIENT));
	zeros(&body, 20);
	chunk(&ack, "ACKF", &body);
	ck_assert_int_eq(feed(&t, DIR_S2C, ack.b, ack.n, NULL), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, SRV_IP, A_ROLE, R_OPCUA_SERVER));
	ck_assert_uint_eq(t.st.pdus, 2);
	ck_assert_uint_eq(t.st.counters[0], 1);
	ck_assert_uint_eq(t.st.counters[1], 1);
	collected_free(&t.col);
}
END_TEST

START_TEST(get_endpoints_response_identity)
{
	struct tctx t;
	struct buf b = { .n = 0 };
	const struct cobs *o;

	tctx_init(&t);
	get_endpoints_response(&b);
	ck_assert_int_eq(feed(&t, DIR_S2C, b.b, b.n, NULL), DISS_OK);
	o = find_fact(&t.col, SRV_IP, A_URL, "urn:SIMATIC.S7-1500.OPC-UA.Application:PLC_1");
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->src, "opcua/application_uri");
	ck_assert_ptr_nonnull(find_fact(&t.col, SRV_IP, A_URL, "https://www.siemens.com/s7-1500"));
	ck_assert_ptr_nonnull(find_fact(&t.col, SRV_IP, A_SOFTWARE,
	    "SIMATIC.S7-1500.OPC-UA.Application:PLC_1"));
	ck_assert_ptr_nonnull(find_fact(&t.col, SRV_IP, A_CERT_SUBJECT, "CN=PLC_1, O=Siemens"));
	ck_assert_uint_eq(t.st.counters[4], 1);
	collected_free(&t.col);
}
END_TEST

START_TEST(open_secure_channel_response_certificate)
{
	struct tctx t;
	struct buf b = { .n = 0 }, body = { .n = 0 }, cert = { .n = 0 };

	tctx_init(&t);
	certificate(&cert);
	le32(&body, 0);
	ua_str(&body, "http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256");
	le32(&body, (uint32_t)cert.n);
	bytes(&body, cert.b, cert.n);
	ua_str(&body, NULL);
	zeros(&body, 40);			/* sequence header and encrypted body */
	chunk(&b, "OPNF", &body);
	ck_assert_int_eq(feed(&t, DIR_S2C, b.b, b.n, NULL), DISS_OK);
	ck_assert_str_eq(find_fact(&t.col, SRV_IP, A_CERT_SUBJECT, "CN=PLC_1, O=Siemens")->src,
	    "opcua/open_secure_channel");
	/* the client's own certificate in its request is not the server's */
	t.col.n = 0;
	ck_assert_int_eq(feed(&t, DIR_C2S, b.b, b.n, NULL), DISS_OK);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_CERT_SUBJECT, NULL));
	collected_free(&t.col);
}
END_TEST

START_TEST(create_session_request_names_the_client)
{
	struct tctx t;
	struct buf b = { .n = 0 }, body = { .n = 0 };

	tctx_init(&t);
	le32(&body, 1); le32(&body, 1); le32(&body, 3); le32(&body, 3);
	u8(&body, 0x01); u8(&body, 0); le16(&body, 461);
	u8(&body, 0); u8(&body, 0);				/* auth token */
	zeros(&body, 16);					/* time, handle, diag */
	ua_str(&body, NULL);					/* audit entry */
	le32(&body, 10000);
	u8(&body, 0); u8(&body, 0); u8(&body, 0);		/* additional header */
	app_description(&body, "urn:ews01:UaExpert", "http://www.unified-automation.com/UaExpert",
	    "UaExpert@ews01");
	ua_str(&body, NULL);
	ua_str(&body, "opc.tcp://10.0.0.2:4840");
	chunk(&b, "MSGF", &body);
	ck_assert_int_eq(feed(&t, DIR_C2S, b.b, b.n, NULL), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, CLI_IP, A_SOFTWARE, "UaExpert@ews01"));
	ck_assert_ptr_nonnull(find_fact(&t.col, CLI_IP, A_URL, "urn:ews01:UaExpert"));
	ck_assert_ptr_nonnull(find_fact(&t.col, SRV_IP, A_URL, "opc.tcp://10.0.0.2:4840"));
	ck_assert_uint_eq(t.st.counters[5], 1);
	collected_free(&t.col);
}
END_TEST

START_TEST(malformed_inputs)
{
	static const uint8_t not_ua[] = "GET / HTTP/1.1\r\n\r\n";
	static const uint8_t tiny[] = { 'M', 'S', 'G', 'F', 4, 0, 0, 0 };
	static const uint8_t huge[] = { 'M', 'S', 'G', 'F', 0, 0, 0, 0x10 };
	struct tctx t;
	struct buf b = { .n = 0 }, body = { .n = 0 };
	size_t used;

	tctx_init(&t);
	ck_assert_int_eq(feed(&t, DIR_C2S, not_ua, sizeof(not_ua) - 1, NULL), DISS_NOT_MINE);
	ck_assert_int_eq(feed(&t, DIR_C2S, tiny, sizeof(tiny), NULL), DISS_MALFORMED);
	ck_assert_int_eq(feed(&t, DIR_C2S, huge, sizeof(huge), NULL), DISS_MALFORMED);
	/* a partial chunk waits */
	get_endpoints_response(&b);
	ck_assert_int_eq(feed(&t, DIR_S2C, b.b, b.n - 1, &used), DISS_OK);
	ck_assert_uint_eq(used, 0);
	ck_assert_uint_eq(t.col.n, 0);
	/* an endpoint URL whose length lies: no URL */
	b.n = 0;
	le32(&body, 0); zeros(&body, 16);
	le32(&body, 5000); bytes(&body, "opc.tcp://x", 11);
	chunk(&b, "HELF", &body);
	ck_assert_int_eq(feed(&t, DIR_C2S, b.b, b.n, NULL), DISS_OK);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_URL, NULL));
	/* diagnostic info nested deeper than we follow, string table count past the end */
	b.n = body.n = 0;
	le32(&body, 1); le32(&body, 1); le32(&body, 2); le32(&body, 2);
	u8(&body, 0x01); u8(&body, 0); le16(&body, 431);
	zeros(&body, 8); le32(&body, 2); le32(&body, 0);
	for (int i = 0; i < 10; i++)
		u8(&body, 0x40);
	u8(&body, 0);
	chunk(&b, "MSGF", &body);
	ck_assert_int_eq(feed(&t, DIR_S2C, b.b, b.n, NULL), DISS_OK);
	ck_assert_uint_eq(t.st.counters[4], 0);
	b.n = body.n = 0;
	le32(&body, 1); le32(&body, 1); le32(&body, 2); le32(&body, 2);
	u8(&body, 0x01); u8(&body, 0); le16(&body, 431);
	zeros(&body, 8); le32(&body, 2); le32(&body, 0);
	u8(&body, 0); le32(&body, 0x7fffffff);
	chunk(&b, "MSGF", &body);
	ck_assert_int_eq(feed(&t, DIR_S2C, b.b, b.n, NULL), DISS_OK);
	ck_assert_uint_eq(t.st.counters[4], 0);
	/* a certificate that is not DER: no subject */
	b.n = body.n = 0;
	le32(&body, 0); ua_str(&body, "p"); le32(&body, 4); bytes(&body, "\x30\x82\xff\xff", 4);
	chunk(&b, "OPNF", &body);
	ck_assert_int_eq(feed(&t, DIR_S2C, b.b, b.n, NULL), DISS_OK);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_CERT_SUBJECT, NULL));
	collected_free(&t.col);
}
END_TEST

START_TEST(probe_wants_a_whole_hello)
{
	struct buf b = { .n = 0 };
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
	struct pipeline_cfg cfg = { 0, false };
	struct collected c;
	struct pipeline *pl;
	struct buf h = { .n = 0 }, r = { .n = 0 };
	uint8_t f[4200];
	size_t len;

	collected_init(&c);
	pl = pipeline_new(&cfg, &c.sink);
	hello(&h, "opc.tcp://10.0.0.2:48010");
	get_endpoints_response(&r);
	len = build_tcp4(f, sizeof(f), "02:00:00:00:00:0a", "02:00:00:00:00:14", CLI_IP, SRV_IP,
	    40000, 48010, 1000, 0x02, NULL, 0);
	run_frame(pl, f, len, 1000);
	len = build_tcp4(f, sizeof(f), "02:00:00:00:00:14", "02:00:00:00:00:0a", SRV_IP, CLI_IP,
	    48010, 40000, 5000, 0x12, NULL, 0);
	run_frame(pl, f, len, 2000);
	len = build_tcp4(f, sizeof(f), "02:00:00:00:00:0a", "02:00:00:00:00:14", CLI_IP, SRV_IP,
	    40000, 48010, 1001, 0x18, h.b, h.n);
	run_frame(pl, f, len, 3000);
	len = build_tcp4(f, sizeof(f), "02:00:00:00:00:14", "02:00:00:00:00:0a", SRV_IP, CLI_IP,
	    48010, 40000, 5001, 0x18, r.b, r.n);
	run_frame(pl, f, len, 4000);
	ck_assert_ptr_nonnull(find_fact(&c, SRV_IP, A_CERT_SUBJECT, "CN=PLC_1, O=Siemens"));
	ck_assert_int_eq(pipeline_counter(pl, "opcua.hello"), 1);
	pipeline_free(pl);
	collected_free(&c);
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
