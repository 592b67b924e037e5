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
#include "ops_support.h"
#include "dissector.h"
#include "decode.h"
#include "flow.h"

extern const struct dissector dis_mms;

#define CLI_IP	"10.0.0.1"
#define SRV_IP	"10.0.0.2"

/* TPKT + COTP DT + session GT/DT + presentation around an MMS PDU. */
static void
wrap(struct bytebuf *out, const struct bytebuf *mms)
{
	struct bytebuf pdv = { .n = 0 }, list = { .n = 0 }, fe = { .n = 0 };
	static const uint8_t ctx[] = { 3 };

	put_ber_tlv(&pdv, 0x02, ctx, 1);
	put_ber_tlv(&pdv, 0xa0, mms->b, mms->n);
	put_ber_tlv(&list, 0x30, pdv.b, pdv.n);
	put_ber_tlv(&fe, 0x61, list.b, list.n);
	put_be16(out, 0x0300);
	put_be16(out, (unsigned)(fe.n + 11));
	put_u8(out, 2); put_u8(out, 0xf0); put_u8(out, 0x80);
	put_u8(out, 0x01); put_u8(out, 0x00); put_u8(out, 0x01); put_u8(out, 0x00);
	put_bytes(out, fe.b, fe.n);
}

static void
identify_request(struct bytebuf *out)
{
	static const uint8_t mms[] = { 0xa0, 0x05, 0x02, 0x01, 0x07, 0x82, 0x00 };
	struct bytebuf m = { .n = 0 };

	put_bytes(&m, mms, sizeof(mms));
	wrap(out, &m);
}

static void
identify_response(struct bytebuf *out)
{
	struct bytebuf id = { .n = 0 }, body = { .n = 0 }, m = { .n = 0 };
	static const uint8_t inv[] = { 0x07 };

	put_ber_tlv(&id, 0x80, "ABB", 3);
	put_ber_tlv(&id, 0x81, "REF615", 6);
	put_ber_tlv(&id, 0x82, "5.0 FP1", 7);
	put_ber_tlv(&body, 0x02, inv, 1);
	put_ber_tlv(&body, 0xa2, id.b, id.n);
	put_ber_tlv(&m, 0xa1, body.b, body.n);
	wrap(out, &m);
}

static const uint8_t cotp_cr[] = {
	0x03, 0x00, 0x00, 0x16, 0x11, 0xe0, 0x00, 0x00, 0x00, 0x01,
	0x00, 0xc1, 0x02, 0x00, 0x01, 0xc2, 0x02, 0x00, 0x01, 0xc0,
	0x01, 0x0a,
};

static void
mms_harness(struct harness *t)
{
	harness_init(t, &dis_mms);
	harness_flow(t, L4_TCP, CLI_IP, 0, SRV_IP, 102);
}

/* --- operations ------------------------------------------------------------ */

/* confirmed-RequestPDU / -ResponsePDU { invokeID, service (tag bytes given) }. */
static void
confirmed(struct bytebuf *out, unsigned pdu_tag, uint16_t invoke, const uint8_t *svc_tag,
    size_t tag_len, const struct bytebuf *svc)
{
	struct bytebuf body = { .n = 0 }, m = { .n = 0 };
	uint8_t inv[2] = { (uint8_t)(invoke >> 8), (uint8_t)invoke };

	put_ber_tlv(&body, 0x02, inv, 2);
	put_bytes(&body, svc_tag, tag_len - 1);
	put_ber_tlv(&body, svc_tag[tag_len - 1], svc->b, svc->n);
	put_ber_tlv(&m, pdu_tag, body.b, body.n);
	wrap(out, &m);
}

/* Write-Request of one domain-specific variable with a boolean. */
static void
write_request(struct bytebuf *out, uint16_t invoke, const char *dom, const char *item)
{
	struct bytebuf on = { .n = 0 }, name = { .n = 0 }, spec = { .n = 0 }, var = { .n = 0 },
	    list = { .n = 0 }, data = { .n = 0 }, svc = { .n = 0 };
	static const uint8_t tag[] = { 0xa5 }, yes[] = { 1 };

	put_ber_tlv(&on, 0x1a, dom, strlen(dom));
	put_ber_tlv(&on, 0x1a, item, strlen(item));
	put_ber_tlv(&name, 0xa1, on.b, on.n);
	put_ber_tlv(&spec, 0xa0, name.b, name.n);
	put_ber_tlv(&var, 0x30, spec.b, spec.n);
	put_ber_tlv(&list, 0xa0, var.b, var.n);
	put_ber_tlv(&data, 0x83, yes, 1);
	put_bytes(&svc, list.b, list.n);
	put_ber_tlv(&svc, 0xa0, data.b, data.n);
	confirmed(out, 0xa0, invoke, tag, 1, &svc);
}

static void
write_response(struct bytebuf *out, uint16_t invoke, bool ok)
{
	struct bytebuf svc = { .n = 0 };
	static const uint8_t tag[] = { 0xa5 }, err[] = { 3 };

	if (ok)
		put_ber_tlv(&svc, 0x81, NULL, 0);
	else
		put_ber_tlv(&svc, 0x80, err, 1);	/* object-access-denied */
	confirmed(out, 0xa1, invoke, tag, 1, &svc);
}

/* confirmed-ErrorPDU { invokeID [0], serviceError [2] { errorClass { file [11] 7 } } } */
static void
error_pdu(struct bytebuf *out, uint16_t invoke)
{
	static const uint8_t body[] = { 0x80, 0x02, 0x00, 0x00, 0xa2, 0x05, 0xa0, 0x03, 0x8b, 0x01, 0x07 };
	struct bytebuf m = { .n = 0 };
	struct bytebuf b = { .n = 0 };

	put_bytes(&b, body, sizeof(body));
	b.b[2] = (uint8_t)(invoke >> 8);
	b.b[3] = (uint8_t)invoke;
	put_ber_tlv(&m, 0xa2, b.b, b.n);
	wrap(out, &m);
}

static void
parse_ok(struct harness *t, int dir, const struct bytebuf *b)
{
	ck_assert_int_eq(harness_parse(t, dir, b->b, b->n, NULL), DISS_OK);
}

START_TEST(control_operate_accepted_and_denied)
{
	struct harness t;
	struct bytebuf f = { .n = 0 };
	struct op_sum sum;

	mms_harness(&t);
	write_request(&f, 11, "IED1LD0", "CSWI1$CO$Pos$Oper");
	parse_ok(&t, DIR_C2S, &f);
	f.n = 0;
	write_response(&f, 11, true);
	parse_ok(&t, DIR_S2C, &f);
	op_sum(&t.col, "mms", OP_CONTROL_OPERATE, CLI_IP, SRV_IP, &sum);
	ck_assert_uint_eq(sum.requests, 1);
	ck_assert_uint_eq(sum.ok, 1);
	ck_assert_str_eq(sum.details, "operate write IED1LD0/CSWI1$CO$Pos$Oper");
	f.n = 0;
	write_request(&f, 12, "IED1LD0", "CSWI1$CO$Pos$SBOw");
	parse_ok(&t, DIR_C2S, &f);
	f.n = 0;
	write_response(&f, 12, false);
	parse_ok(&t, DIR_S2C, &f);
	op_sum(&t.col, "mms", OP_CONTROL_OPERATE, CLI_IP, SRV_IP, &sum);
	ck_assert_uint_eq(sum.requests, 2);
	ck_assert_uint_eq(sum.failed, 1);
	ck_assert_ptr_nonnull(strstr(sum.details, "select write IED1LD0/CSWI1$CO$Pos$SBOw"));
	harness_free(&t);
}
END_TEST

START_TEST(file_services_and_reset)
{
	static const uint8_t del_tag[] = { 0xbf, 0x4c };	/* fileDelete [76] */
	static const uint8_t open_tag[] = { 0xbf, 0x48 };	/* fileOpen [72] */
	static const uint8_t reset_tag[] = { 0xbf, 0x2b };	/* reset [43] */
	struct harness t;
	struct bytebuf f = { .n = 0 }, svc = { .n = 0 }, fn = { .n = 0 };
	static const uint8_t zero[] = { 0 };
	struct op_sum sum;

	mms_harness(&t);
	put_ber_tlv(&svc, 0x19, "COMTRADE/fault1.cfg", 19);
	confirmed(&f, 0xa0, 21, del_tag, 2, &svc);
	parse_ok(&t, DIR_C2S, &f);
	f.n = 0;
	error_pdu(&f, 21);
	parse_ok(&t, DIR_S2C, &f);
	op_sum(&t.col, "mms", OP_FILE_DELETE, CLI_IP, SRV_IP, &sum);
	ck_assert_uint_eq(sum.requests, 1);
	ck_assert_uint_eq(sum.failed, 1);
	ck_assert_str_eq(sum.details, "fileDelete COMTRADE/fault1.cfg");
	/* fileOpen { fileName [0] { GraphicString }, initialPosition [1] 0 } */
	svc.n = 0;
	put_ber_tlv(&fn, 0x19, "settings.xml", 12);
	put_ber_tlv(&svc, 0xa0, fn.b, fn.n);
	put_ber_tlv(&svc, 0x81, zero, 1);
	f.n = 0;
	confirmed(&f, 0xa0, 22, open_tag, 2, &svc);
	parse_ok(&t, DIR_C2S, &f);
	svc.n = 0;
	put_ber_tlv(&svc, 0x80, zero, 1);
	f.n = 0;
	confirmed(&f, 0xa1, 22, open_tag, 2, &svc);
	parse_ok(&t, DIR_S2C, &f);
	op_sum(&t.col, "mms", OP_FILE_READ, CLI_IP, SRV_IP, &sum);
	ck_assert_uint_eq(sum.requests, 1);
	ck_assert_uint_eq(sum.ok, 1);
	ck_assert_str_eq(sum.details, "fileOpen settings.xml");
	/* reset [43] { programInvocationName [0] }: no answer, outcome unknown */
	svc.n = 0;
	put_ber_tlv(&svc, 0x80, "P1", 2);
	f.n = 0;
	confirmed(&f, 0xa0, 23, reset_tag, 2, &svc);
	parse_ok(&t, DIR_C2S, &f);
	op_sum(&t.col, "mms", OP_RESTART_WARM, CLI_IP, SRV_IP, &sum);
	ck_assert_uint_eq(sum.requests, 1);
	ck_assert_uint_eq(sum.ok + sum.failed, 0);
	ck_assert_str_eq(sum.details, "reset P1");
	harness_free(&t);
}
END_TEST

START_TEST(orphan_response_and_lying_lengths)
{
	struct harness t;
	struct bytebuf f = { .n = 0 };

	mms_harness(&t);
	write_response(&f, 99, true);
	parse_ok(&t, DIR_S2C, &f);
	ck_assert_uint_eq(harness_counter(&t, "ops_unmatched"), 1);
	ck_assert_uint_eq(op_count(&t.col, "mms", OP_REPLY_OK), 0);
	/* a write whose service element claims more bytes than the PDU holds: nothing */
	{
		static const uint8_t lie[] = { 0xa0, 0x08, 0x02, 0x01, 0x05, 0xa5, 0x7f, 0xa0, 0x00, 0x00 };
		struct bytebuf m = { .n = 0 };

		put_bytes(&m, lie, sizeof(lie));
		f.n = 0;
		wrap(&f, &m);
		parse_ok(&t, DIR_C2S, &f);
		ck_assert_uint_eq(op_count(&t.col, "mms", OP_REQUEST), 0);
	}
	/* a write whose variable list lies inside a sound service: a write, no name */
	{
		static const uint8_t lie[] = { 0xa0, 0x0a, 0x02, 0x01, 0x06, 0xa5, 0x05, 0xa0, 0x7f, 0x30,
		    0x00, 0x00 };
		struct bytebuf m = { .n = 0 };
		struct op_sum sum;

		put_bytes(&m, lie, sizeof(lie));
		f.n = 0;
		wrap(&f, &m);
		parse_ok(&t, DIR_C2S, &f);
		op_sum(&t.col, "mms", OP_CONTROL_OPERATE, CLI_IP, SRV_IP, &sum);
		ck_assert_uint_eq(sum.requests, 1);
		ck_assert_str_eq(sum.details, "write");
	}
	harness_free(&t);
}
END_TEST

static void flood_write(struct bytebuf *f, unsigned i) { write_request(f, (uint16_t)i, "LD0", "GGIO1$SP$Val"); }
static void flood_ok(struct bytebuf *f, unsigned i) { write_response(f, (uint16_t)i, true); }

START_TEST(request_flood_is_bounded)
{
	static const struct op_flood flood = { "mms", CLI_IP, SRV_IP, OP_PEND_MAX, flood_write, flood_ok };
	struct harness t;

	mms_harness(&t);
	assert_op_flood_bounded(&t, &flood);
	harness_free(&t);
}
END_TEST

START_TEST(pcap_iccp_writes)
{
	const char *rel = "operations/iti__8d7c7db0-9804-012b-b2a6-0016cb8cea27.pcap";
	struct collected c;

	collected_init(&c);
	ck_assert_int_gt(run_pcap(shared_pcap(rel), &c, NULL), 0);
	ck_assert_uint_eq(assert_ops_match_facts(&c, rel, "mms", "mms"), 2);
	collected_free(&c);
}
END_TEST

START_TEST(identify_names_the_server)
{
	struct harness t;
	struct bytebuf rq = { .n = 0 }, rs = { .n = 0 };
	size_t left;

	mms_harness(&t);
	identify_request(&rq);
	identify_response(&rs);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, cotp_cr, sizeof(cotp_cr), NULL), DISS_OK);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, rq.b, rq.n, &left), DISS_OK);
	ck_assert_uint_eq(left, 0);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, rs.b, rs.n, NULL), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, SRV_IP, A_VENDOR, "ABB"));
	ck_assert_ptr_nonnull(find_fact(&t.col, SRV_IP, A_MODEL, "REF615"));
	ck_assert_ptr_nonnull(find_fact(&t.col, SRV_IP, A_FIRMWARE, "5.0 FP1"));
	ck_assert_ptr_nonnull(find_fact(&t.col, SRV_IP, A_ROLE, R_IED));
	ck_assert_ptr_nonnull(find_fact(&t.col, CLI_IP, A_ROLE, R_MMS_CLIENT));
	ck_assert_uint_eq(t.st.counters[2], 1);	/* identify */
	ck_assert_uint_eq(t.st.pdus, 2);		/* the CR is not counted */
	harness_free(&t);
}
END_TEST

START_TEST(s7_on_port_102_is_not_mine)
{
	static const uint8_t s7[] = {
		0x03, 0x00, 0x00, 0x19, 0x02, 0xf0, 0x80, 0x32, 0x01, 0x00,
		0x00, 0x02, 0x00, 0x00, 0x08, 0x00, 0x00, 0xf0, 0x00, 0x00,
		0x01, 0x00, 0x01, 0x01, 0xe0,
	};
	struct harness t;

	mms_harness(&t);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, cotp_cr, sizeof(cotp_cr), NULL), DISS_OK);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, s7, sizeof(s7), NULL), DISS_NOT_MINE);
	ck_assert_uint_eq(t.st.pdus, 0);
	harness_free(&t);
}
END_TEST

START_TEST(malformed_inputs)
{
	static const uint8_t bad_tpkt[] = { 0x04, 0x00, 0x00, 0x08, 0x02, 0xf0, 0x80, 0x01 };
	struct harness t;
	struct bytebuf rs = { .n = 0 };
	size_t left;

	mms_harness(&t);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, bad_tpkt, sizeof(bad_tpkt), NULL),
	    DISS_NOT_MINE);
	identify_response(&rs);
	/* partial TPKT waits */
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, rs.b, rs.n - 1, &left), DISS_OK);
	ck_assert_uint_eq(left, rs.n - 1);
	/* a vendorName whose length runs past its element: nothing from it */
	for (size_t i = 0; i + 1 < rs.n; i++)
		if (rs.b[i] == 0x80 && rs.b[i + 1] == 3)
			rs.b[i + 1] = 0x7f;
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, rs.b, rs.n, NULL), DISS_OK);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_VENDOR, NULL));
	/* after MMS was seen, a broken TPKT is malformed */
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, bad_tpkt, sizeof(bad_tpkt), NULL),
	    DISS_MALFORMED);
	harness_free(&t);
}
END_TEST

START_TEST(indefinite_presentation_length)
{
	struct harness t;
	struct bytebuf m = { .n = 0 }, f = { .n = 0 }, id = { .n = 0 }, body = { .n = 0 };
	static const uint8_t inv[] = { 1 };

	mms_harness(&t);
	put_ber_tlv(&id, 0x81, "SEL-451", 7);
	put_ber_tlv(&body, 0x02, inv, 1);
	put_ber_tlv(&body, 0xa2, id.b, id.n);
	put_ber_tlv(&m, 0xa1, body.b, body.n);
	put_be16(&f, 0x0300);
	put_be16(&f, (unsigned)(m.n + 11 + 9 + 6));
	put_u8(&f, 2); put_u8(&f, 0xf0); put_u8(&f, 0x80);
	put_u8(&f, 1); put_u8(&f, 0); put_u8(&f, 1); put_u8(&f, 0);
	put_u8(&f, 0x61); put_u8(&f, 0x80);			/* indefinite */
	put_u8(&f, 0x30); put_u8(&f, 0x80);
	put_u8(&f, 0x02); put_u8(&f, 0x01); put_u8(&f, 0x03);
	put_u8(&f, 0xa0); put_u8(&f, 0x80);
	put_bytes(&f, m.b, m.n);
	for (int i = 0; i < 6; i++)
		put_u8(&f, 0);				/* end-of-contents */
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, f.b, f.n, NULL), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, SRV_IP, A_MODEL, "SEL-451"));
	harness_free(&t);
}
END_TEST

/* --- the pipeline: port 102 carries either protocol ------------------------ */

START_TEST(pipeline_mms_flow)
{
	struct tcp_conv v;
	struct bytebuf rq = { .n = 0 }, rs = { .n = 0 };

	tcp_conv_open(&v, CLI_IP, SRV_IP, 102);
	identify_request(&rq);
	identify_response(&rs);
	tcp_conv_send(&v, DIR_C2S, 0x18, cotp_cr, sizeof(cotp_cr));
	tcp_conv_send(&v, DIR_C2S, 0x18, rq.b, rq.n);
	tcp_conv_send(&v, DIR_S2C, 0x18, rs.b, rs.n);
	ck_assert_ptr_nonnull(find_fact(&v.col, SRV_IP, A_MODEL, "REF615"));
	ck_assert_int_eq(pipeline_counter(v.pl, "mms.identify"), 1);
	ck_assert_int_eq(pipeline_counter(v.pl, "s7comm.pdus"), 0);
	tcp_conv_close(&v);
}
END_TEST

START_TEST(pipeline_s7_flow_goes_to_s7comm)
{
	static const uint8_t job[] = {
		0x03, 0x00, 0x00, 0x19, 0x02, 0xf0, 0x80, 0x32, 0x01, 0x00,
		0x00, 0x02, 0x00, 0x00, 0x08, 0x00, 0x00, 0xf0, 0x00, 0x00,
		0x01, 0x00, 0x01, 0x01, 0xe0,
	};
	struct tcp_conv v;

	tcp_conv_open(&v, CLI_IP, SRV_IP, 102);
	tcp_conv_send(&v, DIR_C2S, 0x18, cotp_cr, sizeof(cotp_cr));
	tcp_conv_send(&v, DIR_C2S, 0x18, job, sizeof(job));
	ck_assert_int_eq(pipeline_counter(v.pl, "s7comm.jobs"), 1);
	ck_assert_int_eq(pipeline_counter(v.pl, "mms.pdus"), 0);
	ck_assert_ptr_nonnull(find_fact(&v.col, SRV_IP, A_ROLE, R_PLC));
	tcp_conv_close(&v);
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
	tcase_add_test(u, control_operate_accepted_and_denied);
	tcase_add_test(u, file_services_and_reset);
	tcase_add_test(u, orphan_response_and_lying_lengths);
	tcase_add_test(u, request_flood_is_bounded);
	tcase_add_test(u, pcap_iccp_writes);
	suite_add_tcase(s, u);
	return s;
}
