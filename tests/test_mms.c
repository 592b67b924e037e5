/*
 * test_mms.c - MMS over ISO-on-TCP: Identify, roles, and port 102 shared
 * with S7comm.
 *
 * No shared capture carries MMS: frames are built from RFC 1006, ISO 8073,
 * ISO 8327-1, ISO 8823-1 and ISO 9506-2 layouts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "dissector.h"
#include "decode.h"
#include "flow.h"

extern const struct dissector dis_mms;

#define CLI_IP	"10.0.0.1"
#define SRV_IP	"10.0.0.2"

struct buf {
	uint8_t	 b[1500];
	size_t	 n;
};

static void u8(struct buf *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static void be16(struct buf *b, unsigned v) { u8(b, v >> 8); u8(b, v & 0xff); }
static void bytes(struct buf *b, const void *p, size_t n) { memcpy(b->b + b->n, p, n); b->n += n; }

static void
tlv(struct buf *b, unsigned tag, const void *v, size_t n)
{
	u8(b, tag);
	if (n < 128)
		u8(b, (unsigned)n);
	else {
		u8(b, 0x82);
		be16(b, (unsigned)n);
	}
	bytes(b, v, n);
}

/* TPKT + COTP DT + session GT/DT + presentation around an MMS PDU. */
static void
wrap(struct buf *out, const struct buf *mms)
{
	struct buf pdv = { .n = 0 }, list = { .n = 0 }, fe = { .n = 0 };
	static const uint8_t ctx[] = { 3 };

	tlv(&pdv, 0x02, ctx, 1);
	tlv(&pdv, 0xa0, mms->b, mms->n);
	tlv(&list, 0x30, pdv.b, pdv.n);
	tlv(&fe, 0x61, list.b, list.n);
	be16(out, 0x0300);
	be16(out, (unsigned)(fe.n + 11));
	u8(out, 2); u8(out, 0xf0); u8(out, 0x80);
	u8(out, 0x01); u8(out, 0x00); u8(out, 0x01); u8(out, 0x00);
	bytes(out, fe.b, fe.n);
}

static void
identify_request(struct buf *out)
{
	static const uint8_t mms[] = { 0xa0, 0x05, 0x02, 0x01, 0x07, 0x82, 0x00 };
	struct buf m = { .n = 0 };

	bytes(&m, mms, sizeof(mms));
	wrap(out, &m);
}

static void
identify_response(struct buf *out)
{
	struct buf id = { .n = 0 }, body = { .n = 0 }, m = { .n = 0 };
	static const uint8_t inv[] = { 0x07 };

	tlv(&id, 0x80, "ABB", 3);
	tlv(&id, 0x81, "REF615", 6);
	tlv(&id, 0x82, "5.0 FP1", 7);
	tlv(&body, 0x02, inv, 1);
	tlv(&body, 0xa2, id.b, id.n);
	tlv(&m, 0xa1, body.b, body.n);
	wrap(out, &m);
}

static const uint8_t cotp_cr[] = {
	0x03, 0x00, 0x00, 0x16, 0x11, 0xe0, 0x00, 0x00, 0x00, 0x01,
	0x00, 0xc1, 0x02, 0x00, 0x01, 0xc2, 0x02, 0x00, 0x01, 0xc0,
	0x01, 0x0a,
};

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
	t->f.srv.port = 102;
	t->f.dstate = calloc(1, dis_mms.state_size);
	collected_init(&t->col);
	t->dc.d = &dis_mms;
	t->dc.flow = &t->f;
	t->dc.pkt = &t->p;
	t->dc.state = t->f.dstate;
	t->dc.sink = &t->col.sink;
	t->dc.st = &t->st;
}

static void
tctx_free(struct tctx *t)
{
	free(t->f.dstate);
	collected_free(&t->col);
}

static enum diss_rc
feed(struct tctx *t, int dir, const uint8_t *b, size_t n, size_t *used)
{
	struct cur c = cur_make(b, n);
	enum diss_rc rc;

	t->dc.dir = dir;
	rc = dis_mms.parse(&t->dc, &c);
	if (used)
		*used = n - cur_left(&c);
	return rc;
}

START_TEST(identify_names_the_server)
{
	struct tctx t;
	struct buf rq = { .n = 0 }, rs = { .n = 0 };
	size_t used;

	tctx_init(&t);
	identify_request(&rq);
	identify_response(&rs);
	ck_assert_int_eq(feed(&t, DIR_C2S, cotp_cr, sizeof(cotp_cr), NULL), DISS_OK);
	ck_assert_int_eq(feed(&t, DIR_C2S, rq.b, rq.n, &used), DISS_OK);
	ck_assert_uint_eq(used, rq.n);
	ck_assert_int_eq(feed(&t, DIR_S2C, rs.b, rs.n, NULL), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, SRV_IP, A_VENDOR, "ABB"));
	ck_assert_ptr_nonnull(find_fact(&t.col, SRV_IP, A_MODEL, "REF615"));
	ck_assert_ptr_nonnull(find_fact(&t.col, SRV_IP, A_FIRMWARE, "5.0 FP1"));
	ck_assert_ptr_nonnull(find_fact(&t.col, SRV_IP, A_ROLE, R_IED));
	ck_assert_ptr_nonnull(find_fact(&t.col, CLI_IP, A_ROLE, R_MMS_CLIENT));
	ck_assert_uint_eq(t.st.counters[2], 1);	/* identify */
	ck_assert_uint_eq(t.st.pdus, 2);		/* the CR is not counted */
	tctx_free(&t);
}
END_TEST

START_TEST(s7_on_port_102_is_not_mine)
{
	static const uint8_t s7[] = {
		0x03, 0x00, 0x00, 0x19, 0x02, 0xf0, 0x80, 0x32, 0x01, 0x00,
		0x00, 0x02, 0x00, 0x00, 0x08, 0x00, 0x00, 0xf0, 0x00, 0x00,
		0x01, 0x00, 0x01, 0x01, 0xe0,
	};
	struct tctx t;

	tctx_init(&t);
	ck_assert_int_eq(feed(&t, DIR_C2S, cotp_cr, sizeof(cotp_cr), NULL), DISS_OK);
	ck_assert_int_eq(feed(&t, DIR_C2S, s7, sizeof(s7), NULL), DISS_NOT_MINE);
	ck_assert_uint_eq(t.st.pdus, 0);
	tctx_free(&t);
}
END_TEST

START_TEST(malformed_inputs)
{
	static const uint8_t bad_tpkt[] = { 0x04, 0x00, 0x00, 0x08, 0x02, 0xf0, 0x80, 0x01 };
	struct tctx t;
	struct buf rs = { .n = 0 };
	size_t used;

	tctx_init(&t);
	ck_assert_int_eq(feed(&t, DIR_C2S, bad_tpkt, sizeof(bad_tpkt), NULL), DISS_NOT_MINE);
	identify_response(&rs);
	/* partial TPKT waits */
	ck_assert_int_eq(feed(&t, DIR_S2C, rs.b, rs.n - 1, &used), DISS_OK);
	ck_assert_uint_eq(used, 0);
	/* a vendorName whose length runs past its element: nothing from it */
	for (size_t i = 0; i + 1 < rs.n; i++)
		if (rs.b[i] == 0x80 && rs.b[i + 1] == 3)
			rs.b[i + 1] = 0x7f;
	ck_assert_int_eq(feed(&t, DIR_S2C, rs.b, rs.n, NULL), DISS_OK);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_VENDOR, NULL));
	/* after MMS was seen, a broken TPKT is malformed */
	ck_assert_int_eq(feed(&t, DIR_C2S, bad_tpkt, sizeof(bad_tpkt), NULL), DISS_MALFORMED);
	tctx_free(&t);
}
END_TEST

START_TEST(indefinite_presentation_length)
{
	struct tctx t;
	struct buf m = { .n = 0 }, f = { .n = 0 }, id = { .n = 0 }, body = { .n = 0 };
	static const uint8_t inv[] = { 1 };

	tctx_init(&t);
	tlv(&id, 0x81, "SEL-451", 7);
	tlv(&body, 0x02, inv, 1);
	tlv(&body, 0xa2, id.b, id.n);
	tlv(&m, 0xa1, body.b, body.n);
	be16(&f, 0x0300);
	be16(&f, (unsigned)(m.n + 11 + 9 + 6));
	u8(&f, 2); u8(&f, 0xf0); u8(&f, 0x80);
	u8(&f, 1); u8(&f, 0); u8(&f, 1); u8(&f, 0);
	u8(&f, 0x61); u8(&f, 0x80);			/* indefinite */
	u8(&f, 0x30); u8(&f, 0x80);
	u8(&f, 0x02); u8(&f, 0x01); u8(&f, 0x03);
	u8(&f, 0xa0); u8(&f, 0x80);
	bytes(&f, m.b, m.n);
	for (int i = 0; i < 6; i++)
		u8(&f, 0);				/* end-of-contents */
	ck_assert_int_eq(feed(&t, DIR_S2C, f.b, f.n, NULL), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, SRV_IP, A_MODEL, "SEL-451"));
	tctx_free(&t);
}
END_TEST

/* --- the pipeline: port 102 carries either protocol ------------------------ */

struct conv {
	struct pipeline	*pl;
	struct collected c;
	uint32_t	 seq[2];
	uint64_t	 ts;
};

static void
conv_frame(struct conv *v, int dir, uint8_t flags, const uint8_t *p, size_t n)
{
	uint8_t f[1600];
	size_t len;

	if (dir == DIR_C2S)
		len = build_tcp4(f, sizeof(f), "02:00:00:00:00:0a", "02:00:00:00:00:14",
		    CLI_IP, SRV_IP, 40000, 102, v->seq[0], flags, p, n);
	else
		len = build_tcp4(f, sizeof(f), "02:00:00:00:00:14", "02:00:00:00:00:0a",
		    SRV_IP, CLI_IP, 102, 40000, v->seq[1], flags, p, n);
	v->seq[dir] += (uint32_t)n + ((flags & 0x02) ? 1 : 0);
	run_frame(v->pl, f, len, v->ts += 1000);
}

static void
conv_open(struct conv *v)
{
	struct pipeline_cfg cfg = { 0, false };

	memset(v, 0, sizeof(*v));
	collected_init(&v->c);
	v->pl = pipeline_new(&cfg, &v->c.sink);
	ck_assert_ptr_nonnull(v->pl);
	v->seq[0] = 1000;
	v->seq[1] = 5000;
	v->ts = 1700000000000000ull;
	conv_frame(v, DIR_C2S, 0x02, NULL, 0);
	conv_frame(v, DIR_S2C, 0x12, NULL, 0);
}

START_TEST(pipeline_mms_flow)
{
	struct conv v;
	struct buf rq = { .n = 0 }, rs = { .n = 0 };

	conv_open(&v);
	identify_request(&rq);
	identify_response(&rs);
	conv_frame(&v, DIR_C2S, 0x18, cotp_cr, sizeof(cotp_cr));
	conv_frame(&v, DIR_C2S, 0x18, rq.b, rq.n);
	conv_frame(&v, DIR_S2C, 0x18, rs.b, rs.n);
	ck_assert_ptr_nonnull(find_fact(&v.c, SRV_IP, A_MODEL, "REF615"));
	ck_assert_int_eq(pipeline_counter(v.pl, "mms.identify"), 1);
	ck_assert_int_eq(pipeline_counter(v.pl, "s7comm.pdus"), 0);
	pipeline_free(v.pl);
	collected_free(&v.c);
}
END_TEST

START_TEST(pipeline_s7_flow_goes_to_s7comm)
{
	static const uint8_t job[] = {
		0x03, 0x00, 0x00, 0x19, 0x02, 0xf0, 0x80, 0x32, 0x01, 0x00,
		0x00, 0x02, 0x00, 0x00, 0x08, 0x00, 0x00, 0xf0, 0x00, 0x00,
		0x01, 0x00, 0x01, 0x01, 0xe0,
	};
	struct conv v;

	conv_open(&v);
	conv_frame(&v, DIR_C2S, 0x18, cotp_cr, sizeof(cotp_cr));
	conv_frame(&v, DIR_C2S, 0x18, job, sizeof(job));
	ck_assert_int_eq(pipeline_counter(v.pl, "s7comm.jobs"), 1);
	ck_assert_int_eq(pipeline_counter(v.pl, "mms.pdus"), 0);
	ck_assert_ptr_nonnull(find_fact(&v.c, SRV_IP, A_ROLE, R_PLC));
	pipeline_free(v.pl);
	collected_free(&v.c);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("mms");
	TCase *u = tcase_create("unit");

	tcase_add_test(u, identify_names_the_server);
	tcase_add_test(u, s7_on_port_102_is_not_mine);
	tcase_add_test(u, malformed_inputs);
	tcase_add_test(u, indefinite_presentation_length);
	tcase_add_test(u, pipeline_mms_flow);
	tcase_add_test(u, pipeline_s7_flow_goes_to_s7comm);
	suite_add_tcase(s, u);
	return s;
}
