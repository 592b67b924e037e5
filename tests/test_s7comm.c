/*
 * test_s7comm.c - TPKT / COTP / S7comm: roles, SZL 0x0011 and 0x001C
 * (also fragmented), S7comm-plus, and sharing port 102 with MMS.
 *
 * Byte vectors follow RFC 1006, ISO 8073 and the S7comm userdata / SZL
 * layouts (see dissectors/s7comm.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "pipeline.h"
#include "ops_support.h"
#include "dissector.h"
#include "decode.h"
#include "flow.h"

extern const struct dissector dis_s7comm;

static void
s7_harness(struct harness *t)
{
	harness_init(t, &dis_s7comm);
	harness_flow(t, L4_TCP, "10.0.0.1", 50000, "10.0.0.2", 102);
}

static void
text(struct bytebuf *b, const char *s, size_t width, uint8_t fill)
{
	size_t n = strlen(s);

	put_bytes(b, s, n);
	for (; n < width; n++)
		put_u8(b, fill);
}

/* TPKT + COTP DT (EOT) around payload. */
static void
tpkt_dt(struct bytebuf *out, const struct bytebuf *payload, bool eot)
{
	put_be16(out, 0x0300);
	put_be16(out, (unsigned)(payload->n + 7));
	put_u8(out, 2);
	put_u8(out, 0xf0);
	put_u8(out, eot ? 0x80 : 0x00);
	put_bytes(out, payload->b, payload->n);
}

/* S7 userdata read-SZL response: dur/last as in the 8-byte parameter. */
static void
szl_response(struct bytebuf *out, uint8_t dur, bool more, const struct bytebuf *szl)
{
	struct bytebuf p = { .n = 0 };

	put_u8(&p, 0x32); put_u8(&p, 7); put_be16(&p, 0); put_be16(&p, 0x1100);
	put_be16(&p, 12);				/* parameter length */
	put_be16(&p, (unsigned)(szl->n + 4));	/* data length */
	put_u8(&p, 0); put_u8(&p, 1); put_u8(&p, 0x12); put_u8(&p, 8);
	put_u8(&p, 0x12); put_u8(&p, 0x84); put_u8(&p, 0x01); put_u8(&p, 2);
	put_u8(&p, dur); put_u8(&p, more ? 1 : 0); put_be16(&p, 0);
	put_u8(&p, 0xff); put_u8(&p, 0x09); put_be16(&p, (unsigned)szl->n);
	put_bytes(&p, szl->b, szl->n);
	tpkt_dt(out, &p, true);
}

static void
szl_0011(struct bytebuf *s)
{
	put_be16(s, 0x0011); put_be16(s, 0); put_be16(s, 28); put_be16(s, 2);
	put_be16(s, 0x0001); text(s, "6ES7 315-2EH14-0AB0 ", 20, ' ');
	put_be16(s, 0x00c0); put_be16(s, 3); put_be16(s, 1);
	put_be16(s, 0x0007); text(s, "", 20, ' ');
	put_be16(s, 0x00c0); put_be16(s, 0x5603); put_be16(s, 0x0206);
}

static void
szl_001c(struct bytebuf *s)
{
	put_be16(s, 0x001c); put_be16(s, 0); put_be16(s, 34); put_be16(s, 5);
	put_be16(s, 1); text(s, "S7300/ET200M station_1", 32, 0);
	put_be16(s, 2); text(s, "PLC_1", 32, 0);
	put_be16(s, 3); text(s, "Hall 3", 32, 0);
	put_be16(s, 5); text(s, "S C-B1U393142011", 32, 0);
	put_be16(s, 7); text(s, "CPU 315-2 PN/DP", 32, 0);
}

START_TEST(szl_module_identification)
{
	struct harness t;
	struct bytebuf s = { .n = 0 }, f = { .n = 0 };
	size_t left;

	s7_harness(&t);
	szl_0011(&s);
	szl_response(&f, 0, false, &s);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, f.b, f.n, &left), DISS_OK);
	ck_assert_uint_eq(left, 0);
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_PRODUCT_CODE, "6ES7 315-2EH14-0AB0"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_FIRMWARE, "V3.2.6"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_VENDOR, "Siemens"));
	ck_assert_uint_eq(harness_counter(&t, "szl_answers"), 1);
	ck_assert_uint_eq(t.st.pdus, 1);
	harness_free(&t);
}
END_TEST

START_TEST(szl_component_identification)
{
	struct harness t;
	struct bytebuf s = { .n = 0 }, f = { .n = 0 };
	const struct cobs *o;

	s7_harness(&t);
	szl_001c(&s);
	szl_response(&f, 0, false, &s);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, f.b, f.n, NULL), DISS_OK);
	o = find_fact(&t.col, "10.0.0.2", A_DEVICE_NAME, "PLC_1");
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->src, "s7comm/szl/0x001c/module_name");
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_DEVICE_NAME, "S7300/ET200M station_1"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_LOCATION, "Hall 3"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_SERIAL, "S C-B1U393142011"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_MODEL, "CPU 315-2 PN/DP"));
	harness_free(&t);
}
END_TEST

START_TEST(szl_fragments_are_joined)
{
	struct harness t;
	struct bytebuf s = { .n = 0 }, a = { .n = 0 }, b = { .n = 0 }, f = { .n = 0 };

	s7_harness(&t);
	szl_001c(&s);
	/* split in the middle of the third record */
	memcpy(a.b, s.b, 80);
	a.n = 80;
	memcpy(b.b, s.b + 80, s.n - 80);
	b.n = s.n - 80;
	szl_response(&f, 6, true, &a);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, f.b, f.n, NULL), DISS_OK);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_DEVICE_NAME, NULL));
	f.n = 0;
	szl_response(&f, 6, false, &b);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, f.b, f.n, NULL), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_LOCATION, "Hall 3"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_MODEL, "CPU 315-2 PN/DP"));
	ck_assert_uint_eq(harness_counter(&t, "szl_answers"), 1);
	harness_free(&t);
}
END_TEST

START_TEST(szl_fragments_beyond_the_cap_are_dropped)
{
	struct harness t;
	struct bytebuf s = { .n = 0 }, f = { .n = 0 };

	s7_harness(&t);
	memset(s.b, 'x', 1000);
	s.n = 1000;
	for (int i = 0; i < 3; i++) {
		f.n = 0;
		szl_response(&f, 9, true, &s);
		ck_assert_int_eq(harness_parse(&t, DIR_S2C, f.b, f.n, NULL), DISS_OK);
	}
	ck_assert_uint_eq(harness_counter(&t, "szl_dropped"), 1);
	ck_assert_uint_eq(harness_counter(&t, "szl_answers"), 0);
	harness_free(&t);
}
END_TEST

START_TEST(job_and_ack_data_give_roles)
{
	static const uint8_t job[] = {
		0x03, 0x00, 0x00, 0x19, 0x02, 0xf0, 0x80, 0x32, 0x01, 0x00,
		0x00, 0x02, 0x00, 0x00, 0x08, 0x00, 0x00, 0xf0, 0x00, 0x00,
		0x01, 0x00, 0x01, 0x01, 0xe0,
	};
	static const uint8_t ack[] = {
		0x03, 0x00, 0x00, 0x1b, 0x02, 0xf0, 0x80, 0x32, 0x03, 0x00,
		0x00, 0x02, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0xf0,
		0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0xf0,
	};
	struct harness t;

	s7_harness(&t);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, job, sizeof(job), NULL), DISS_OK);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, ack, sizeof(ack), NULL), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.1", A_ROLE, R_S7_CLIENT));
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_ROLE, R_PLC));
	ck_assert_ptr_null(find_fact(&t.col, "10.0.0.1", A_ROLE, R_PLC));
	ck_assert_uint_eq(harness_counter(&t, "jobs"), 1);
	ck_assert_uint_eq(harness_counter(&t, "ack_data"), 1);
	harness_free(&t);
}
END_TEST

START_TEST(s7comm_plus_is_recorded)
{
	static const uint8_t cr[] = {
		0x03, 0x00, 0x00, 0x16, 0x11, 0xe0, 0x00, 0x00, 0x00, 0x01,
		0x00, 0xc1, 0x02, 0x06, 0x00, 0xc2, 0x02, 0x06, 0x00, 0xc0,
		0x01, 0x0a,
	};
	static const uint8_t plus[] = {
		0x03, 0x00, 0x00, 0x13, 0x02, 0xf0, 0x80, 0x72, 0x01, 0x00,
		0x04, 0x31, 0x00, 0x00, 0x04, 0xca, 0x72, 0x01, 0x00,
	};
	struct harness t;
	struct bytebuf b = { .n = 0 };
	size_t left;

	s7_harness(&t);
	put_bytes(&b, cr, sizeof(cr));
	put_bytes(&b, plus, sizeof(plus));
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, b.b, b.n, &left), DISS_OK);
	ck_assert_uint_eq(left, 0);
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_FUNCTION, "s7comm-plus"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_NOTE, "s7comm-plus v1"));
	ck_assert_uint_eq(harness_counter(&t, "s7comm_plus"), 1);
	ck_assert_uint_eq(harness_counter(&t, "cotp_other"), 1);
	ck_assert_uint_eq(t.st.pdus, 1);	/* the CR is not an S7 PDU */
	harness_free(&t);
}
END_TEST

START_TEST(mms_on_port_102_is_not_mine)
{
	static const uint8_t cr[] = {
		0x03, 0x00, 0x00, 0x16, 0x11, 0xe0, 0x00, 0x00, 0x00, 0x01,
		0x00, 0xc1, 0x02, 0x00, 0x01, 0xc2, 0x02, 0x00, 0x01, 0xc0,
		0x01, 0x0a,
	};
	/* DT carrying an ISO 8327 session CONNECT SPDU (0x0d), as MMS does */
	static const uint8_t dt[] = {
		0x03, 0x00, 0x00, 0x0c, 0x02, 0xf0, 0x80, 0x0d, 0x03, 0x01,
		0x01, 0x00,
	};
	struct harness t;

	s7_harness(&t);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, cr, sizeof(cr), NULL), DISS_OK);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, dt, sizeof(dt), NULL), DISS_NOT_MINE);
	ck_assert_uint_eq(t.st.pdus, 0);
	ck_assert_uint_eq(t.col.n, 0);
	harness_free(&t);
}
END_TEST

START_TEST(malformed_inputs)
{
	/* S7 header claims 0x40 bytes of parameters inside a 25-byte TPKT */
	static const uint8_t lying[] = {
		0x03, 0x00, 0x00, 0x19, 0x02, 0xf0, 0x80, 0x32, 0x01, 0x00,
		0x00, 0x02, 0x00, 0x00, 0x40, 0x00, 0x00, 0xf0, 0x00, 0x00,
		0x01, 0x00, 0x01, 0x01, 0xe0,
	};
	static const uint8_t bad_tpkt[] = { 0x03, 0x00, 0x00, 0x03, 0x02, 0xf0, 0x80 };
	static const uint8_t cotp_li_lies[] = { 0x03, 0x00, 0x00, 0x07, 0x09, 0xf0, 0x80 };
	struct harness t;
	struct bytebuf s = { .n = 0 }, f = { .n = 0 };
	size_t left;

	s7_harness(&t);
	/* a partial TPKT waits */
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, lying, 10, &left), DISS_OK);
	ck_assert_uint_eq(left, 10);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, lying, 3, &left), DISS_OK);
	ck_assert_uint_eq(left, 3);
	/* length that cannot hold COTP: not S7 on a fresh flow */
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, bad_tpkt, sizeof(bad_tpkt), NULL),
	    DISS_NOT_MINE);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, cotp_li_lies, sizeof(cotp_li_lies), NULL),
	    DISS_MALFORMED);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, lying, sizeof(lying), NULL), DISS_MALFORMED);
	/* once S7 was seen, garbage is malformed rather than someone else's */
	ck_assert_int_eq(diss_verdict(harness_parse(&t, DIR_C2S, bad_tpkt, sizeof(bad_tpkt),
	    NULL), t.flow.d_pdus), DISS_MALFORMED);
	/* SZL record count past the end: the records that are there count */
	put_be16(&s, 0x001c); put_be16(&s, 0); put_be16(&s, 34); put_be16(&s, 200);
	put_be16(&s, 2); text(&s, "PLC_9", 32, 0);
	szl_response(&f, 0, false, &s);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, f.b, f.n, NULL), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_DEVICE_NAME, "PLC_9"));
	/* zero record length and zero count: nothing, no loop */
	s.n = 0; f.n = 0;
	put_be16(&s, 0x0011); put_be16(&s, 0); put_be16(&s, 0); put_be16(&s, 0xffff);
	szl_response(&f, 0, false, &s);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, f.b, f.n, NULL), DISS_OK);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_PRODUCT_CODE, NULL));
	harness_free(&t);
}
END_TEST

START_TEST(probe_wants_tpkt_cotp_dt_s7)
{
	static const uint8_t ok[] = { 0x03, 0x00, 0x00, 0x19, 0x02, 0xf0, 0x80, 0x32, 0x01 };
	static const uint8_t mms[] = { 0x03, 0x00, 0x00, 0x0c, 0x02, 0xf0, 0x80, 0x0d, 0x03 };
	struct cur c = cur_make(ok, sizeof(ok));

	ck_assert(dis_s7comm.probe(&c, DIR_C2S));
	c = cur_make(mms, sizeof(mms));
	ck_assert(!dis_s7comm.probe(&c, DIR_C2S));
	c = cur_make(ok, 5);
	ck_assert(!dis_s7comm.probe(&c, DIR_C2S));
}
END_TEST

/* --- operations -------------------------------------------------------------- */

/* S7 header (+ error class/code for acks) and parameter, in a TPKT. */
static void
s7_msg(struct bytebuf *out, uint8_t rosctr, uint16_t ref, uint8_t ecls, uint8_t ecode,
    const struct bytebuf *param, const struct bytebuf *data)
{
	struct bytebuf p = { .n = 0 };

	put_u8(&p, 0x32); put_u8(&p, rosctr); put_be16(&p, 0); put_be16(&p, ref);
	put_be16(&p, (unsigned)param->n); put_be16(&p, data ? (unsigned)data->n : 0);
	if (rosctr == 2 || rosctr == 3) {
		put_u8(&p, ecls);
		put_u8(&p, ecode);
	}
	put_bytes(&p, param->b, param->n);
	if (data)
		put_bytes(&p, data->b, data->n);
	tpkt_dt(out, &p, true);
}

/* Job parameter of a download / upload function naming one block. */
static void
transfer_param(struct bytebuf *p, uint8_t fn, const char *file)
{
	put_u8(p, fn); put_u8(p, 0); put_be16(p, 0x0100); put_be32(p, 0);
	put_u8(p, (unsigned)strlen(file)); put_bytes(p, file, strlen(file));
}

/* Userdata parameter (request: 4 bytes after the length; response: 8) and data. */
static void
userdata_msg(struct bytebuf *out, uint16_t ref, bool response, uint8_t group, uint8_t sub,
    uint16_t err, uint8_t ret)
{
	struct bytebuf p = { .n = 0 }, d = { .n = 0 };

	put_u8(&p, 0); put_u8(&p, 1); put_u8(&p, 0x12);
	put_u8(&p, response ? 8 : 4);
	put_u8(&p, response ? 0x12 : 0x11);
	put_u8(&p, (response ? 0x80 : 0x40) | group);
	put_u8(&p, sub); put_u8(&p, 0);
	if (response) {
		put_u8(&p, 0); put_u8(&p, 0); put_be16(&p, err);
	}
	put_u8(&d, ret); put_u8(&d, 0x09); put_be16(&d, 10);
	/* clock: reserved, year, month, day, hour, minute, second, ms+weekday (BCD) */
	put_u8(&d, 0); put_u8(&d, 0x19); put_u8(&d, 0x26); put_u8(&d, 0x12);
	put_u8(&d, 0x02); put_u8(&d, 0x14); put_u8(&d, 0x30); put_u8(&d, 0x00);
	put_u8(&d, 0x00); put_u8(&d, 0x04);
	s7_msg(out, 7, ref, 0, 0, &p, &d);
}

static const struct cobs *
find_op(const struct collected *c, uint8_t kind, uint8_t phase)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].kind == OBS_OP && c->v[i].op == kind && c->v[i].op_phase == phase)
			return &c->v[i];
	return NULL;
}

START_TEST(clock_set_accepted_and_refused)
{
	struct harness t;
	struct bytebuf f = { .n = 0 };
	const struct cobs *o;
	struct op_sum sum;

	s7_harness(&t);
	userdata_msg(&f, 0x0500, false, 7, 0x02, 0, 0xff);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, f.b, f.n, NULL), DISS_OK);
	f.n = 0;
	userdata_msg(&f, 0x0500, true, 7, 0x02, 0, 0xff);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, f.b, f.n, NULL), DISS_OK);
	o = find_op(&t.col, OP_TIME_SET, OP_REQUEST);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->ip, "10.0.0.1");
	ck_assert_str_eq(o->peer_ip, "10.0.0.2");
	ck_assert_str_eq(o->src, "s7comm/userdata/set_clock");
	o = find_op(&t.col, OP_TIME_SET, OP_REPLY_OK);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->ip, "10.0.0.1");		/* the reply names the same client */
	ck_assert_str_eq(o->peer_ip, "10.0.0.2");
	/* a refused one: the response's error code (0xd602: protection) */
	f.n = 0;
	userdata_msg(&f, 0x0600, false, 7, 0x04, 0, 0xff);
	harness_parse(&t, DIR_C2S, f.b, f.n, NULL);
	f.n = 0;
	userdata_msg(&f, 0x0600, true, 7, 0x04, 0xd602, 0x0a);
	harness_parse(&t, DIR_S2C, f.b, f.n, NULL);
	op_sum(&t.col, "s7comm", OP_TIME_SET, "10.0.0.1", "10.0.0.2", &sum);
	ck_assert_uint_eq(sum.requests, 2);
	ck_assert_uint_eq(sum.ok, 1);
	ck_assert_uint_eq(sum.failed, 1);
	/* reading the clock is no operation */
	f.n = 0;
	userdata_msg(&f, 0x0700, false, 7, 0x01, 0, 0xff);
	harness_parse(&t, DIR_C2S, f.b, f.n, NULL);
	ck_assert_uint_eq(op_count(&t.col, "s7comm", OP_REQUEST), 2);
	harness_free(&t);
}
END_TEST

START_TEST(password_and_stop_refused)
{
	static const uint8_t stop_param[] = { 0x29, 0, 0, 0, 0, 0, 9, 'P', '_', 'P', 'R', 'O',
	    'G', 'R', 'A', 'M' };
	struct harness t;
	struct bytebuf f = { .n = 0 }, p = { .n = 0 };
	struct op_sum sum;

	s7_harness(&t);
	userdata_msg(&f, 0x0100, false, 5, 0x01, 0, 0xff);
	harness_parse(&t, DIR_C2S, f.b, f.n, NULL);
	f.n = 0;
	userdata_msg(&f, 0x0100, true, 5, 0x01, 0, 0xff);
	harness_parse(&t, DIR_S2C, f.b, f.n, NULL);
	op_sum(&t.col, "s7comm", OP_UNLOCK, "10.0.0.1", "10.0.0.2", &sum);
	ck_assert_uint_eq(sum.requests, 1);
	ck_assert_uint_eq(sum.ok, 1);
	/* PLC stop answered with error class 0x85 (state): failed */
	put_bytes(&p, stop_param, sizeof(stop_param));
	f.n = 0;
	s7_msg(&f, 1, 0x0200, 0, 0, &p, NULL);
	harness_parse(&t, DIR_C2S, f.b, f.n, NULL);
	p.n = 0;
	put_u8(&p, 0x29);
	f.n = 0;
	s7_msg(&f, 3, 0x0200, 0x85, 0x00, &p, NULL);
	harness_parse(&t, DIR_S2C, f.b, f.n, NULL);
	op_sum(&t.col, "s7comm", OP_STOP, "10.0.0.1", "10.0.0.2", &sum);
	ck_assert_uint_eq(sum.requests, 1);
	ck_assert_uint_eq(sum.failed, 1);
	ck_assert_uint_eq(sum.ok, 0);
	harness_free(&t);
}
END_TEST

/* A download: request, the PLC's download-block job, PI _INSE; all by the client. */
START_TEST(download_sequence_is_one_client_operation)
{
	static const uint8_t inse[] = { 0x28, 0, 0, 0, 0, 0, 0, 0xfd, 0x00, 0x12,
	    0x02, 0x00, '0', 'A', '0', '0', '0', '0', '1', 'P', '0', 'C', '0', '0', '0', '4', '9', 'P',
	    0x05, '_', 'I', 'N', 'S', 'E' };
	struct harness t;
	struct bytebuf f = { .n = 0 }, p = { .n = 0 }, a = { .n = 0 };
	struct op_sum sum;

	s7_harness(&t);
	transfer_param(&p, 0x1a, "_0A00001P");
	s7_msg(&f, 1, 0x10, 0, 0, &p, NULL);
	harness_parse(&t, DIR_C2S, f.b, f.n, NULL);
	put_u8(&a, 0x1a);
	f.n = 0;
	s7_msg(&f, 3, 0x10, 0, 0, &a, NULL);
	harness_parse(&t, DIR_S2C, f.b, f.n, NULL);
	p.n = 0;
	transfer_param(&p, 0x1b, "_0A00001P");
	f.n = 0;
	s7_msg(&f, 1, 0x0111, 0, 0, &p, NULL);		/* sent by the PLC */
	harness_parse(&t, DIR_S2C, f.b, f.n, NULL);
	a.n = 0;
	put_u8(&a, 0x1b); put_u8(&a, 0);
	f.n = 0;
	s7_msg(&f, 3, 0x0111, 0, 0, &a, NULL);		/* the client answers with the block */
	harness_parse(&t, DIR_C2S, f.b, f.n, NULL);
	p.n = 0;
	put_bytes(&p, inse, sizeof(inse));
	f.n = 0;
	s7_msg(&f, 1, 0x11, 0, 0, &p, NULL);
	harness_parse(&t, DIR_C2S, f.b, f.n, NULL);
	op_sum(&t.col, "s7comm", OP_PROGRAM_DOWNLOAD, "10.0.0.1", "10.0.0.2", &sum);
	ck_assert_uint_eq(sum.requests, 3);
	ck_assert_uint_eq(sum.ok, 2);			/* _INSE not answered (yet) */
	ck_assert_ptr_nonnull(strstr(sum.details, "DB1"));
	ck_assert_ptr_nonnull(strstr(sum.details, "_INSE DB1 FC49"));
	op_sum(&t.col, "s7comm", OP_NONE, "10.0.0.2", NULL, &sum);
	ck_assert_uint_eq(sum.requests, 0);		/* the PLC is never the client */
	ck_assert_ptr_null(find_fact(&t.col, "10.0.0.2", A_ROLE, R_S7_CLIENT));
	harness_free(&t);
}
END_TEST

/* An upload: start upload names the block; the PLC answers with an upload id. */
START_TEST(upload_and_pi_services)
{
	static const uint8_t dele[] = { 0x28, 0, 0, 0, 0, 0, 0, 0xfd, 0x00, 0x0a,
	    0x01, 0x00, '0', 'E', '0', '0', '0', '1', '2', 'P', 0x05, '_', 'D', 'E', 'L', 'E' };
	static const uint8_t cold[] = { 0x28, 0, 0, 0, 0, 0, 0, 0xfd, 0x00, 0x02, 'C', ' ',
	    0x09, 'P', '_', 'P', 'R', 'O', 'G', 'R', 'A', 'M' };
	struct harness t;
	struct bytebuf f = { .n = 0 }, p = { .n = 0 }, a = { .n = 0 };
	struct op_sum sum;

	s7_harness(&t);
	transfer_param(&p, 0x1d, "_0800001A");
	s7_msg(&f, 1, 0x20, 0, 0, &p, NULL);
	harness_parse(&t, DIR_C2S, f.b, f.n, NULL);
	put_u8(&a, 0x1d);
	f.n = 0;
	s7_msg(&f, 3, 0x20, 0, 0, &a, NULL);
	harness_parse(&t, DIR_S2C, f.b, f.n, NULL);
	op_sum(&t.col, "s7comm", OP_PROGRAM_UPLOAD, "10.0.0.1", "10.0.0.2", &sum);
	ck_assert_uint_eq(sum.requests, 1);
	ck_assert_uint_eq(sum.ok, 1);
	ck_assert_str_eq(sum.details, "OB1");
	p.n = 0;
	put_bytes(&p, dele, sizeof(dele));
	f.n = 0;
	s7_msg(&f, 1, 0x21, 0, 0, &p, NULL);
	harness_parse(&t, DIR_C2S, f.b, f.n, NULL);
	op_sum(&t.col, "s7comm", OP_FILE_DELETE, "10.0.0.1", "10.0.0.2", &sum);
	ck_assert_str_eq(sum.details, "_DELE FB12");
	p.n = 0;
	put_bytes(&p, cold, sizeof(cold));
	f.n = 0;
	s7_msg(&f, 1, 0x22, 0, 0, &p, NULL);
	harness_parse(&t, DIR_C2S, f.b, f.n, NULL);
	op_sum(&t.col, "s7comm", OP_RESTART_COLD, "10.0.0.1", "10.0.0.2", &sum);
	ck_assert_uint_eq(sum.requests, 1);
	ck_assert_str_eq(sum.details, "PI P_PROGRAM cold restart");
	harness_free(&t);
}
END_TEST

START_TEST(reply_without_request_and_lying_lengths)
{
	/* write var job whose parameter length (0x40) runs past the TPKT */
	static const uint8_t lying[] = {
		0x03, 0x00, 0x00, 0x19, 0x02, 0xf0, 0x80, 0x32, 0x01, 0x00,
		0x00, 0x02, 0x00, 0x00, 0x40, 0x00, 0x00, 0x05, 0x01, 0x12,
		0x0a, 0x10, 0x02, 0x00, 0x01,
	};
	/* download request whose file name length (0xff) lies: reported, no block */
	struct harness t;
	struct bytebuf f = { .n = 0 }, a = { .n = 0 }, p = { .n = 0 };
	const struct cobs *o;

	s7_harness(&t);
	put_u8(&a, 0x29);
	s7_msg(&f, 3, 0x0777, 0, 0, &a, NULL);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, f.b, f.n, NULL), DISS_OK);
	ck_assert_uint_eq(harness_counter(&t, "ops_unmatched"), 1);
	ck_assert_uint_eq(op_count(&t.col, "s7comm", OP_REPLY_OK), 0);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, lying, sizeof(lying), NULL), DISS_MALFORMED);
	ck_assert_uint_eq(op_count(&t.col, "s7comm", OP_REQUEST), 0);
	put_u8(&p, 0x1a); put_u8(&p, 0); put_be16(&p, 0); put_be32(&p, 0); put_u8(&p, 0xff);
	put_bytes(&p, "_0A", 3);
	f.n = 0;
	s7_msg(&f, 1, 0x0001, 0, 0, &p, NULL);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, f.b, f.n, NULL), DISS_OK);
	o = find_op(&t.col, OP_PROGRAM_DOWNLOAD, OP_REQUEST);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->val, "block");
	harness_free(&t);
}
END_TEST

/* Write job i (a Job with a write-var item), and its Ack_Data. */
static void
flood_write(struct bytebuf *f, unsigned i)
{
	struct bytebuf p = { .n = 0 };

	put_u8(&p, 0x05); put_u8(&p, 1);
	put_u8(&p, 0x12); put_u8(&p, 0x0a); put_u8(&p, 0x10); put_u8(&p, 0x02);
	put_be16(&p, 1); put_be16(&p, 1); put_u8(&p, 0x84); put_be24(&p, 0);
	s7_msg(f, 1, (uint16_t)i, 0, 0, &p, NULL);
}

static void
flood_ack(struct bytebuf *f, unsigned i)
{
	struct bytebuf a = { .n = 0 };

	put_u8(&a, 0x05); put_u8(&a, 1);
	s7_msg(f, 3, (uint16_t)i, 0, 0, &a, NULL);
}

/* 1000 write jobs never answered: the table keeps OP_PEND_MAX, the rest are counted. */
START_TEST(request_flood_is_bounded)
{
	static const struct op_flood flood = { "s7comm", "10.0.0.1", "10.0.0.2", OP_PEND_MAX,
	    flood_write, flood_ack };
	struct harness t;

	s7_harness(&t);
	assert_op_flood_bounded(&t, &flood);
	harness_free(&t);
}
END_TEST

START_TEST(pcap_download_operations)
{
	struct collected c;

	collected_init(&c);
	ck_assert_int_gt(run_pcap(shared_pcap("operations/iti__step7_s300_download.pcapng"), &c, NULL), 0);
	ck_assert_uint_eq(assert_ops_match_facts(&c, "operations/iti__step7_s300_download.pcapng",
	    "s7comm", "s7comm"), 2);
	collected_free(&c);
}
END_TEST

START_TEST(pcap_stop_operation)
{
	struct collected c;
	struct op_sum sum;

	collected_init(&c);
	ck_assert_int_gt(run_pcap(shared_pcap("operations/iti__step7_s300_stop.pcapng"), &c, NULL), 0);
	ck_assert_uint_eq(assert_ops_match_facts(&c, "operations/iti__step7_s300_stop.pcapng",
	    "s7comm", "s7comm"), 1);
	op_sum(&c, "s7comm", OP_STOP, "134.249.62.199", "134.249.61.163", &sum);
	ck_assert_str_eq(sum.details, "PLC stop");
	collected_free(&c);
}
END_TEST

/* --- real captures --------------------------------------------------------- */

static const char *
component_attr(const char *key)
{
	if (strncmp(key, "name@", 5) == 0)
		return A_DEVICE_NAME;
	if (strncmp(key, "serialn@", 8) == 0)
		return A_SERIAL;
	if (strncmp(key, "cputypname@", 11) == 0)
		return A_MODEL;
	if (strncmp(key, "plant@", 6) == 0 || strncmp(key, "location@", 9) == 0)
		return A_LOCATION;
	if (strncmp(key, "copyright@", 10) == 0 || strncmp(key, "snmcmmc@", 8) == 0)
		return A_NOTE;
	ck_abort_msg("unexpected SZL 0x001C key %s", key);
	return NULL;
}

static void
check_capture(const char *rel)
{
	struct expected_run r;
	json_t *szl, *e, *v;
	const char *key;
	size_t i, j;

	expected_run_open(&r, rel, "s7comm.servers", false);
	szl = json_object_get(json_object_get(r.exp, "facts"), "s7comm_szl");
	json_array_foreach(r.facts, i, e) {
		const char *ip = json_string_value(json_object_get(e, "ip"));

		ck_assert_msg(find_fact(&r.col, ip, A_ROLE, R_PLC), "plc role on %s", ip);
		json_array_foreach(json_object_get(e, "clients"), j, v)
			ck_assert_msg(find_fact(&r.col, json_string_value(v), A_ROLE, R_S7_CLIENT),
			    "client role on %s", json_string_value(v));
	}
	ck_assert_uint_gt(json_array_size(szl), 0);
	json_array_foreach(szl, i, e) {
		const char *ip = json_string_value(json_object_get(e, "ip"));
		json_t *mod = json_object_get(json_object_get(e, "module_identification"), "0x0001");
		const char *order = json_string_value(json_object_get(mod, "order_number"));

		ck_assert_msg(find_fact(&r.col, ip, A_PRODUCT_CODE, order), "order %s on %s", order, ip);
		json_object_foreach(json_object_get(e, "component_identification"), key, v) {
			const char *attr = component_attr(key), *want = json_string_value(v);

			if (strcmp(attr, A_NOTE) == 0)
				ck_assert_msg(find_fact(&r.col, ip, attr, want), "%s = %s", key, want);
			else
				ck_assert_msg(find_fact(&r.col, ip, attr, want), "%s = %s on %s",
				    key, want, ip);
		}
	}
	expected_run_close(&r);
}

START_TEST(pcap_reading_plc_status)
{
	check_capture("s7comm/iti__s7comm_reading_plc_status.pcap");
}
END_TEST

START_TEST(pcap_tia_go_online)
{
	check_capture("s7comm/iti__tia_s300_goOnline.pcapng");
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("s7comm");
	TCase *u = tcase_create("unit"), *p = tcase_create("pcap");

	tcase_add_test(u, szl_module_identification);
	tcase_add_test(u, szl_component_identification);
	tcase_add_test(u, szl_fragments_are_joined);
	tcase_add_test(u, szl_fragments_beyond_the_cap_are_dropped);
	tcase_add_test(u, job_and_ack_data_give_roles);
	tcase_add_test(u, s7comm_plus_is_recorded);
	tcase_add_test(u, mms_on_port_102_is_not_mine);
	tcase_add_test(u, malformed_inputs);
	tcase_add_test(u, probe_wants_tpkt_cotp_dt_s7);
	tcase_add_test(u, clock_set_accepted_and_refused);
	tcase_add_test(u, password_and_stop_refused);
	tcase_add_test(u, download_sequence_is_one_client_operation);
	tcase_add_test(u, upload_and_pi_services);
	tcase_add_test(u, reply_without_request_and_lying_lengths);
	tcase_add_test(u, request_flood_is_bounded);
	suite_add_tcase(s, u);
	tcase_add_test(p, pcap_reading_plc_status);
	tcase_add_test(p, pcap_tia_go_online);
	tcase_add_test(p, pcap_download_operations);
	tcase_add_test(p, pcap_stop_operation);
	suite_add_tcase(s, p);
	return s;
}
