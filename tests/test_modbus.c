/*
 * test_modbus.c - Modbus/TCP dissector: hand-built ADUs through the parse
 * function and through the whole pipeline, malformed ADUs, and the shared
 * captures against their expected facts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "ops_support.h"
#include "pipeline.h"
#include "dissector.h"
#include "sw_limits.h"

extern const struct dissector dis_modbus;

enum { MB_REQUESTS, MB_RESPONSES, MB_EXCEPTIONS, MB_WRITES, MB_PROGRAM,
    MB_UNMATCHED, MB_BAD_ADU, MB_DEVID_OBJECTS };

#define CLI_IP	"10.1.0.10"
#define SRV_IP	"10.1.0.20"

/* --- direct calls: one parse over hand-made bytes -------------------- */

/* Read holding registers, unit 7: request then its response. */
static const uint8_t req_fc3[] = { 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x07,
    0x03, 0x00, 0x10, 0x00, 0x02 };
static const uint8_t rsp_fc3[] = { 0x00, 0x01, 0x00, 0x00, 0x00, 0x07, 0x07,
    0x03, 0x04, 0x00, 0x2a, 0x00, 0x2b };

START_TEST(request_response_matched)
{
	struct harness d;
	size_t left;

	harness_init(&d, &dis_modbus);
	ck_assert_int_eq(harness_parse(&d, DIR_C2S, req_fc3, sizeof(req_fc3), &left), DISS_OK);
	ck_assert_uint_eq(left, 0);
	ck_assert_int_eq(harness_parse(&d, DIR_S2C, rsp_fc3, sizeof(rsp_fc3), &left), DISS_OK);
	ck_assert_uint_eq(left, 0);
	ck_assert_uint_eq(d.st.pdus, 2);
	ck_assert_uint_eq(d.st.counters[MB_REQUESTS], 1);
	ck_assert_uint_eq(d.st.counters[MB_RESPONSES], 1);
	ck_assert_uint_eq(d.st.counters[MB_UNMATCHED], 0);
	ck_assert_ptr_nonnull(find_fact(&d.col, NULL, A_UNIT_ID, "7"));
	ck_assert_ptr_nonnull(find_fact(&d.col, NULL, A_FUNCTION, "modbus:3"));
	ck_assert_ptr_nonnull(find_fact(&d.col, NULL, A_ROLE, R_MODBUS_SERVER));
	ck_assert_ptr_nonnull(find_fact(&d.col, NULL, A_ROLE, R_MODBUS_CLIENT));
	/* the same response again has no request left to match */
	harness_parse(&d, DIR_S2C, rsp_fc3, sizeof(rsp_fc3), NULL);
	ck_assert_uint_eq(d.st.counters[MB_UNMATCHED], 1);
	harness_free(&d);
}
END_TEST

START_TEST(several_adus_and_partial_adu)
{
	uint8_t buf[64];
	struct harness d;
	size_t left;

	harness_init(&d, &dis_modbus);
	memcpy(buf, req_fc3, sizeof(req_fc3));
	memcpy(buf + sizeof(req_fc3), req_fc3, sizeof(req_fc3));
	buf[sizeof(req_fc3) + 1] = 2;			/* second transaction */
	memcpy(buf + 2 * sizeof(req_fc3), req_fc3, 5);	/* and a third, cut */
	ck_assert_int_eq(harness_parse(&d, DIR_C2S, buf, 2 * sizeof(req_fc3) + 5, &left),
	    DISS_OK);
	ck_assert_uint_eq(left, 5);
	ck_assert_uint_eq(d.st.counters[MB_REQUESTS], 2);
	/* a header whose length claims more than is there: wait at its start */
	memcpy(buf, req_fc3, 10);
	ck_assert_int_eq(harness_parse(&d, DIR_C2S, buf, 10, &left), DISS_OK);
	ck_assert_uint_eq(left, 10);
	ck_assert_uint_eq(d.st.counters[MB_REQUESTS], 2);
	harness_free(&d);
}
END_TEST

START_TEST(bad_mbap_headers)
{
	static const uint8_t bad_proto[] = { 0, 1, 0, 1, 0, 6, 1, 3, 0, 0, 0, 1 };
	static const uint8_t len_one[] = { 0, 1, 0, 0, 0, 1, 1, 3 };
	static const uint8_t len_big[] = { 0, 1, 0, 0, 0x01, 0x2c, 1, 3 };
	struct harness d;
	size_t left;

	harness_init(&d, &dis_modbus);
	/* before any ADU: not Modbus at all */
	ck_assert_int_eq(harness_parse(&d, DIR_C2S, bad_proto, sizeof(bad_proto), &left),
	    DISS_NOT_MINE);
	ck_assert_uint_eq(left, sizeof(bad_proto));
	ck_assert_int_eq(harness_parse(&d, DIR_C2S, len_one, sizeof(len_one), NULL),
	    DISS_NOT_MINE);
	ck_assert_uint_eq(d.col.n, 0);
	/* after one: the stream lost sync */
	harness_parse(&d, DIR_C2S, req_fc3, sizeof(req_fc3), NULL);
	ck_assert_int_eq(diss_verdict(harness_parse(&d, DIR_C2S, len_big, sizeof(len_big), NULL),
	    d.flow.d_pdus), DISS_MALFORMED);
	ck_assert_int_eq(diss_verdict(harness_parse(&d, DIR_C2S, bad_proto, sizeof(bad_proto),
	    NULL), d.flow.d_pdus), DISS_MALFORMED);
	/* a short header is just waiting for more */
	ck_assert_int_eq(harness_parse(&d, DIR_C2S, req_fc3, 5, &left), DISS_OK);
	ck_assert_uint_eq(left, 5);
	harness_free(&d);
}
END_TEST

/* The request table is bounded: the oldest outstanding request is forgotten. */
START_TEST(pending_table_bounded)
{
	uint8_t req[sizeof(req_fc3)], rsp[sizeof(rsp_fc3)];
	struct harness d;

	harness_init(&d, &dis_modbus);
	memcpy(req, req_fc3, sizeof(req));
	memcpy(rsp, rsp_fc3, sizeof(rsp));
	for (unsigned tid = 1; tid <= MODBUS_MAX_PENDING + 8; tid++) {
		req[1] = (uint8_t)tid;
		harness_parse(&d, DIR_C2S, req, sizeof(req), NULL);
	}
	rsp[1] = 1;				/* overwritten long ago */
	harness_parse(&d, DIR_S2C, rsp, sizeof(rsp), NULL);
	ck_assert_uint_eq(d.st.counters[MB_UNMATCHED], 1);
	rsp[1] = MODBUS_MAX_PENDING + 8;	/* the newest is still there */
	harness_parse(&d, DIR_S2C, rsp, sizeof(rsp), NULL);
	ck_assert_uint_eq(d.st.counters[MB_UNMATCHED], 1);
	ck_assert_uint_eq(d.st.counters[MB_RESPONSES], 2);
	harness_free(&d);
}
END_TEST

START_TEST(writes_program_exceptions)
{
	static const uint8_t wr16[] = { 0, 5, 0, 0, 0, 11, 1, 16, 0, 1, 0, 2, 4, 0, 1, 0, 2 };
	static const uint8_t diag8[] = { 0, 6, 0, 0, 0, 6, 1, 8, 0, 0, 0x12, 0x34 };
	static const uint8_t umas[] = { 0, 7, 0, 0, 0, 4, 1, 90, 0, 2 };
	static const uint8_t exc[] = { 0, 5, 0, 0, 0, 3, 1, 0x90, 2 };
	static const uint8_t fc0[] = { 0, 8, 0, 0, 0, 2, 1, 0 };
	struct harness d;

	harness_init(&d, &dis_modbus);
	harness_parse(&d, DIR_C2S, wr16, sizeof(wr16), NULL);
	harness_parse(&d, DIR_C2S, diag8, sizeof(diag8), NULL);
	harness_parse(&d, DIR_C2S, umas, sizeof(umas), NULL);
	harness_parse(&d, DIR_S2C, exc, sizeof(exc), NULL);
	harness_parse(&d, DIR_C2S, fc0, sizeof(fc0), NULL);
	ck_assert_uint_eq(d.st.counters[MB_WRITES], 1);
	ck_assert_uint_eq(d.st.counters[MB_PROGRAM], 2);
	ck_assert_uint_eq(d.st.counters[MB_EXCEPTIONS], 1);
	ck_assert_uint_eq(d.st.counters[MB_UNMATCHED], 0);	/* exception matched fc 16 */
	ck_assert_uint_eq(d.st.counters[MB_BAD_ADU], 1);
	ck_assert_ptr_nonnull(find_fact_src(&d.col, NULL, A_NOTE, "modbus_write", "modbus/fc16"));
	ck_assert_ptr_nonnull(find_fact_src(&d.col, NULL, A_NOTE, "modbus_program", "modbus/fc8"));
	ck_assert_ptr_nonnull(find_fact_src(&d.col, NULL, A_NOTE, "modbus_program", "modbus/fc90"));
	ck_assert_ptr_nonnull(find_fact(&d.col, NULL, A_FUNCTION, "modbus:16"));
	harness_free(&d);
}
END_TEST

/*
 * A response pairs with the request of its transaction only if it answers
 * the same function: the request's code, or that code | 0x80 for an
 * exception, which pairs and fails the operation.  Five fc 6 writes:
 * answered by an fc 3 response, by exception 0x86, by exception 0x83 (an
 * exception for another function), and twice by their echo.
 */
START_TEST(responses_pair_by_function_code)
{
	uint8_t wr6[] = { 0, 0, 0, 0, 0, 6, 1, 6, 0, 1, 0, 5 };
	uint8_t rsp3[] = { 0, 0x21, 0, 0, 0, 5, 1, 3, 2, 0, 5 };
	uint8_t exc86[] = { 0, 0x22, 0, 0, 0, 3, 1, 0x86, 2 };
	uint8_t exc83[] = { 0, 0x23, 0, 0, 0, 3, 1, 0x83, 2 };
	uint8_t echo6[] = { 0, 0x24, 0, 0, 0, 6, 1, 6, 0, 1, 0, 5 };
	uint8_t echo6b[] = { 0, 0x25, 0, 0, 0, 6, 1, 6, 0, 1, 0, 5 };
	const uint8_t *rsp[] = { rsp3, exc86, exc83, echo6, echo6b };
	const size_t rsp_len[] = { sizeof(rsp3), sizeof(exc86), sizeof(exc83), sizeof(echo6),
	    sizeof(echo6b) };
	struct harness d;
	struct op_sum sum;

	harness_init(&d, &dis_modbus);
	for (unsigned i = 0; i < 5; i++) {
		wr6[1] = (uint8_t)(0x21 + i);
		harness_parse(&d, DIR_C2S, wr6, sizeof(wr6), NULL);
		harness_parse(&d, DIR_S2C, rsp[i], rsp_len[i], NULL);
	}
	ck_assert_uint_eq(d.st.counters[MB_RESPONSES], 5);
	ck_assert_uint_eq(d.st.counters[MB_UNMATCHED], 2);	/* the fc 3 and the 0x83 */
	ck_assert_uint_eq(d.st.counters[MB_EXCEPTIONS], 2);
	op_sum(&d.col, "modbus", OP_CONTROL_OPERATE, NULL, NULL, &sum);
	ck_assert_uint_eq(sum.requests, 5);
	ck_assert_uint_eq(sum.failed, 1);			/* 0x86 */
	ck_assert_uint_eq(sum.ok, 2);				/* the echoes */
	harness_free(&d);
}
END_TEST

/* Append one devid object (id, string) to b at *n. */
static void
put_obj(uint8_t *b, size_t *n, uint8_t id, const char *s)
{
	size_t len = strlen(s);

	b[(*n)++] = id;
	b[(*n)++] = (uint8_t)len;
	memcpy(b + *n, s, len);
	*n += len;
}

/* MBAP + 43/14 response header; returns the length so far. */
static size_t
devid_head(uint8_t *b, uint16_t tid, uint8_t more, uint8_t next, uint8_t nobj)
{
	static const uint8_t h[] = { 0, 0, 0, 0, 0, 0, 1, 0x2b, 0x0e, 3, 0x83 };

	memcpy(b, h, sizeof(h));
	b[1] = (uint8_t)tid;
	b[11] = more;
	b[12] = next;
	b[13] = nobj;
	return 14;
}

static void
devid_finish(uint8_t *b, size_t n)
{
	b[4] = (uint8_t)((n - 6) >> 8);
	b[5] = (uint8_t)(n - 6);
}

static const struct want_fact device_identification_over_two_responses_facts[] = {
	{ A_VENDOR, "Acme Controls", "modbus/43.14/obj0" },
	{ A_PRODUCT_CODE, "AC-500-PN", "modbus/43.14/obj1" },
	{ A_FIRMWARE, "V2.4.1", "modbus/43.14/obj2" },
	{ A_URL, "http://acme.example", "modbus/43.14/obj3" },
	{ A_MODEL, "AC500 PLC", "modbus/43.14/obj4" },
	{ A_MODEL, "AC500-X", "modbus/43.14/obj5" },
	{ A_DEVICE_NAME, "Pump station 3", "modbus/43.14/obj6" },
	{ A_NOTE, "obj128=lot 77", "modbus/43.14/private" },
};

START_TEST(device_identification_over_two_responses)
{
	static const uint8_t req1[] = { 0, 1, 0, 0, 0, 5, 1, 0x2b, 0x0e, 3, 0 };
	static const uint8_t req2[] = { 0, 2, 0, 0, 0, 5, 1, 0x2b, 0x0e, 3, 3 };
	uint8_t b[300];
	struct harness d;
	size_t n;

	harness_init(&d, &dis_modbus);
	harness_parse(&d, DIR_C2S, req1, sizeof(req1), NULL);
	n = devid_head(b, 1, 0xff, 3, 3);
	put_obj(b, &n, 0, "Acme Controls");
	put_obj(b, &n, 1, "AC-500-PN");
	put_obj(b, &n, 2, "V2.4.1");
	devid_finish(b, n);
	ck_assert_int_eq(harness_parse(&d, DIR_S2C, b, n, NULL), DISS_OK);
	harness_parse(&d, DIR_C2S, req2, sizeof(req2), NULL);
	n = devid_head(b, 2, 0, 0, 5);
	put_obj(b, &n, 3, "http://acme.example");
	put_obj(b, &n, 4, "AC500 PLC");
	put_obj(b, &n, 5, "AC500-X");
	put_obj(b, &n, 6, "Pump station 3");
	put_obj(b, &n, 0x80, "lot 77");
	devid_finish(b, n);
	ck_assert_int_eq(harness_parse(&d, DIR_S2C, b, n, NULL), DISS_OK);

	ck_assert_uint_eq(d.st.counters[MB_DEVID_OBJECTS], 8);
	ck_assert_uint_eq(d.st.counters[MB_UNMATCHED], 0);
	ASSERT_FACTS(&d.col, NULL, device_identification_over_two_responses_facts);
	harness_free(&d);
}
END_TEST

START_TEST(device_identification_malformed)
{
	uint8_t b[300];
	struct harness d;
	size_t n;

	harness_init(&d, &dis_modbus);
	/* second object's length runs past the ADU: first one kept */
	n = devid_head(b, 1, 0, 0, 2);
	put_obj(b, &n, 0, "Acme");
	b[n++] = 1;
	b[n++] = 40;
	memcpy(b + n, "short", 5);
	n += 5;
	devid_finish(b, n);
	ck_assert_int_eq(harness_parse(&d, DIR_S2C, b, n, NULL), DISS_OK);
	ck_assert_uint_eq(d.st.counters[MB_BAD_ADU], 1);
	ck_assert_uint_eq(d.st.counters[MB_DEVID_OBJECTS], 1);
	ck_assert_ptr_nonnull(find_fact(&d.col, NULL, A_VENDOR, "Acme"));
	ck_assert_ptr_null(find_fact(&d.col, NULL, A_PRODUCT_CODE, NULL));
	/* 255 objects announced, none there */
	n = devid_head(b, 2, 0, 0, 255);
	devid_finish(b, n);
	harness_parse(&d, DIR_S2C, b, n, NULL);
	ck_assert_uint_eq(d.st.counters[MB_BAD_ADU], 2);
	/* zero-length objects: walked, nothing emitted */
	n = devid_head(b, 3, 0, 0, 3);
	put_obj(b, &n, 1, "");
	put_obj(b, &n, 2, "");
	put_obj(b, &n, 4, "");
	devid_finish(b, n);
	harness_parse(&d, DIR_S2C, b, n, NULL);
	ck_assert_uint_eq(d.st.counters[MB_DEVID_OBJECTS], 4);
	ck_assert_uint_eq(d.st.counters[MB_BAD_ADU], 2);
	ck_assert_ptr_null(find_fact(&d.col, NULL, A_FIRMWARE, NULL));
	/* header cut short inside the ADU */
	n = devid_head(b, 4, 0, 0, 1) - 3;
	devid_finish(b, n);
	harness_parse(&d, DIR_S2C, b, n, NULL);
	ck_assert_uint_eq(d.st.counters[MB_BAD_ADU], 3);
	harness_free(&d);
}
END_TEST

START_TEST(report_server_id)
{
	static const uint8_t rsp[] = { 0, 9, 0, 0, 0, 0x0f, 1, 0x11, 0x0c,
	    0x2a, 0xff, 'A', 'c', 'm', 'e', ' ', 'R', 'T', 'U', 0x01, 0x02 };
	static const uint8_t lying[] = { 0, 9, 0, 0, 0, 4, 1, 0x11, 0x20, 'x' };
	struct harness d;

	harness_init(&d, &dis_modbus);
	harness_parse(&d, DIR_S2C, rsp, sizeof(rsp), NULL);
	ck_assert_ptr_nonnull(find_fact_src(&d.col, NULL, A_DESCRIPTION, "Acme RTU", "modbus/17"));
	harness_parse(&d, DIR_S2C, lying, sizeof(lying), NULL);
	ck_assert_uint_eq(d.st.counters[MB_BAD_ADU], 1);
	harness_free(&d);
}
END_TEST

START_TEST(probe_strict)
{
	static const uint8_t http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	struct cur c;

	c = cur_make(req_fc3, sizeof(req_fc3));
	ck_assert(dis_modbus.probe(&c, DIR_C2S));
	c = cur_make(req_fc3, sizeof(req_fc3) - 1);	/* length does not end the payload */
	ck_assert(!dis_modbus.probe(&c, DIR_C2S));
	c = cur_make(http, sizeof(http) - 1);
	ck_assert(!dis_modbus.probe(&c, DIR_C2S));
	c = cur_make(req_fc3, 3);
	ck_assert(!dis_modbus.probe(&c, DIR_C2S));
}
END_TEST

/* --- the whole pipeline over hand-built TCP segments ----------------- */

START_TEST(pipeline_segments)
{
	uint8_t two[2 * sizeof(req_fc3)];
	struct tcp_conv v;

	tcp_conv_open(&v, CLI_IP, SRV_IP, 502);
	memcpy(two, req_fc3, sizeof(req_fc3));
	memcpy(two + sizeof(req_fc3), req_fc3, sizeof(req_fc3));
	two[sizeof(req_fc3) + 1] = 2;
	two[sizeof(req_fc3) + 6] = 9;			/* unit 9 */
	tcp_conv_send(&v, DIR_C2S, 0x18, two, sizeof(two));
	/* one ADU over three segments */
	tcp_conv_send(&v, DIR_S2C, 0x18, rsp_fc3, 3);
	tcp_conv_send(&v, DIR_S2C, 0x18, rsp_fc3 + 3, 6);
	tcp_conv_send(&v, DIR_S2C, 0x18, rsp_fc3 + 9, sizeof(rsp_fc3) - 9);
	ck_assert_int_eq(pipeline_counter(v.pl, "modbus.requests"), 2);
	ck_assert_int_eq(pipeline_counter(v.pl, "modbus.responses"), 1);
	ck_assert_int_eq(pipeline_counter(v.pl, "modbus.unmatched"), 0);
	ck_assert_int_eq(pipeline_counter(v.pl, "modbus.pdus"), 3);
	ck_assert_ptr_nonnull(find_fact(&v.col, SRV_IP, A_ROLE, R_MODBUS_SERVER));
	ck_assert_ptr_nonnull(find_fact(&v.col, CLI_IP, A_ROLE, R_MODBUS_CLIENT));
	ck_assert_ptr_nonnull(find_fact(&v.col, SRV_IP, A_UNIT_ID, "7"));
	ck_assert_ptr_nonnull(find_fact(&v.col, SRV_IP, A_UNIT_ID, "9"));
	ck_assert_ptr_nonnull(find_fact(&v.col, CLI_IP, A_FUNCTION, "modbus:3"));
	ck_assert_ptr_null(find_fact(&v.col, CLI_IP, A_UNIT_ID, NULL));
	tcp_conv_close(&v);
}
END_TEST

START_TEST(pipeline_heuristic_port)
{
	struct tcp_conv v;

	tcp_conv_open(&v, CLI_IP, SRV_IP, 5020);
	tcp_conv_send(&v, DIR_C2S, 0x18, req_fc3, sizeof(req_fc3));
	tcp_conv_send(&v, DIR_S2C, 0x18, rsp_fc3, sizeof(rsp_fc3));
	ck_assert_int_eq(pipeline_counter(v.pl, "modbus.pdus"), 2);
	ck_assert_ptr_nonnull(find_fact(&v.col, SRV_IP, A_ROLE, R_MODBUS_SERVER));
	tcp_conv_close(&v);
}
END_TEST

/*
 * An MBAP length that claims more than the sender ever sends: while the
 * flow lives the rest may still come; when it ends the PDU is counted as
 * truncated, once.  A flow that ends between ADUs counts nothing.
 */
START_TEST(pipeline_counts_an_adu_cut_short_at_flow_end)
{
	static const uint8_t lie[] = { 0x00, 0x01, 0x00, 0x00, 0x00, 0xc8, 0x01, 0x03 };
	uint8_t udp[128];
	size_t n;
	struct tcp_conv v;

	tcp_conv_open(&v, CLI_IP, SRV_IP, 502);
	tcp_conv_send(&v, DIR_C2S, 0x18, req_fc3, sizeof(req_fc3));
	tcp_conv_send(&v, DIR_S2C, 0x18, rsp_fc3, sizeof(rsp_fc3));
	tcp_conv_send(&v, DIR_C2S, 0x18, lie, sizeof(lie));	/* claims 200 bytes, has 2 */
	ck_assert_int_eq(pipeline_counter(v.pl, "modbus.pdus"), 2);
	ck_assert_int_eq(pipeline_counter(v.pl, "modbus.truncated"), 0);	/* may still come */
	tcp_conv_send(&v, DIR_C2S, 0x11, NULL, 0);
	tcp_conv_send(&v, DIR_S2C, 0x11, NULL, 0);
	/* a later packet of another flow ages the closed one out of the table */
	n = build_udp4(udp, sizeof(udp), "02:00:00:00:00:01", "02:00:00:00:00:02", CLI_IP, SRV_IP, 5000, 9,
	    (const uint8_t *)"x", 1);
	run_frame(v.pl, udp, n, v.ts_us + (FLOW_IDLE_TCP_CLOSED_S + 1) * 1000000ull);
	ck_assert_int_eq(pipeline_counter(v.pl, "modbus.truncated"), 1);
	ck_assert_int_eq(pipeline_counter(v.pl, "modbus.pdus"), 2);
	tcp_conv_close(&v);

	tcp_conv_open(&v, CLI_IP, SRV_IP, 502);
	tcp_conv_send(&v, DIR_C2S, 0x18, req_fc3, sizeof(req_fc3));
	tcp_conv_send(&v, DIR_C2S, 0x11, NULL, 0);
	tcp_conv_send(&v, DIR_S2C, 0x11, NULL, 0);
	run_frame(v.pl, udp, n, v.ts_us + (FLOW_IDLE_TCP_CLOSED_S + 1) * 1000000ull);
	ck_assert_int_eq(pipeline_counter(v.pl, "modbus.truncated"), 0);
	tcp_conv_close(&v);
}
END_TEST

/* --- shared captures -------------------------------------------------- */

static const char *const captures[] = {
	"modbus/icsnpp-modbus__modbus_example.pcap",
	"modbus/iti__modbusSmall.pcap",
	"modbus/iti__modbus_test_data_part1.pcap",
};

/* Names of the 43/14 objects in expected.json and where they land. */
static const struct {
	const char	*name;
	const char	*attr;
} devid_names[] = {
	{ "VendorName", A_VENDOR }, { "ProductCode", A_PRODUCT_CODE },
	{ "MajorMinorRevision", A_FIRMWARE }, { "VendorUrl", A_URL },
	{ "ProductName", A_MODEL }, { "ModelName", A_MODEL },
	{ "UserApplicationName", A_DEVICE_NAME },
};

static const char *
devid_attr(const char *name)
{
	for (size_t i = 0; i < sizeof(devid_names) / sizeof(devid_names[0]); i++)
		if (strcmp(devid_names[i].name, name) == 0)
			return devid_names[i].attr;
	return NULL;
}

static void
check_servers(const struct collected *c, json_t *servers, const char *cap)
{
	size_t i, j;
	json_t *s, *v;

	json_array_foreach(servers, i, s) {
		const char *ip = json_string_value(json_object_get(s, "ip"));

		ck_assert_msg(find_fact(c, ip, A_ROLE, R_MODBUS_SERVER), "%s: server %s", cap, ip);
		json_array_foreach(json_object_get(s, "unit_ids"), j, v) {
			char unit[16];

			snprintf(unit, sizeof(unit), "%lld", json_integer_value(v));
			ck_assert_msg(find_fact(c, ip, A_UNIT_ID, unit), "%s: %s unit %s",
			    cap, ip, unit);
		}
		json_array_foreach(json_object_get(s, "clients"), j, v)
			ck_assert_msg(find_fact(c, json_string_value(v), A_ROLE, R_MODBUS_CLIENT),
			    "%s: client %s", cap, json_string_value(v));
	}
}

static void
check_devid(const struct collected *c, json_t *devids, const char *cap)
{
	const char *name;
	size_t i;
	json_t *d, *v;

	json_array_foreach(devids, i, d) {
		const char *ip = json_string_value(json_object_get(d, "ip"));

		json_object_foreach(json_object_get(d, "objects"), name, v) {
			const char *attr = devid_attr(name);

			ck_assert_msg(attr != NULL, "%s: unknown object %s", cap, name);
			ck_assert_msg(find_fact(c, ip, attr, json_string_value(v)),
			    "%s: %s %s=%s", cap, ip, name, json_string_value(v));
		}
	}
}

START_TEST(shared_captures)
{
	const char *cap = captures[_i];
	struct expected_run r;

	expected_run_open(&r, cap, "modbus", true);
	check_servers(&r.col, json_object_get(r.facts, "servers"), cap);
	check_devid(&r.col, json_object_get(r.facts, "device_identification"), cap);
	ck_assert_uint_gt(count_facts(&r.col, NULL, A_FUNCTION), 0);
	ck_assert_int_gt(pipeline_counter(r.pl, "modbus.responses"), 0);
	ck_assert_int_eq(pipeline_counter(r.pl, "modbus.bad_adu"), 0);
	expected_run_close(&r);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("modbus");
	TCase *tc = tcase_create("modbus");

	tcase_add_test(tc, request_response_matched);
	tcase_add_test(tc, several_adus_and_partial_adu);
	tcase_add_test(tc, bad_mbap_headers);
	tcase_add_test(tc, pending_table_bounded);
	tcase_add_test(tc, writes_program_exceptions);
	tcase_add_test(tc, responses_pair_by_function_code);
	tcase_add_test(tc, device_identification_over_two_responses);
	tcase_add_test(tc, device_identification_malformed);
	tcase_add_test(tc, report_server_id);
	tcase_add_test(tc, probe_strict);
	tcase_add_test(tc, pipeline_segments);
	tcase_add_test(tc, pipeline_heuristic_port);
	tcase_add_test(tc, pipeline_counts_an_adu_cut_short_at_flow_end);
	tcase_add_loop_test(tc, shared_captures, 0,
	    (int)(sizeof(captures) / sizeof(captures[0])));
	suite_add_tcase(s, tc);
	return s;
}
