/*
 * test_pn_dcp.c - PROFINET DCP Identify / Hello blocks (IEC 61158-6-10).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "ops_support.h"
#include "dissector.h"
#include "decode.h"
#include "vendor_ids.h"

extern const struct dissector dis_pn_dcp;

static void
pn_dcp_harness(struct harness *t)
{
	harness_init(t, &dis_pn_dcp);
	harness_frame(t, "00:09:91:43:e0:67", "00:a0:45:6d:d3:43");
	t->pkt.ethertype = 0x8892;
}

/* FrameID + DCP header; data length patched by dcp_end. */
static size_t
dcp_begin(struct bytebuf *b, unsigned fid, unsigned svc, unsigned type)
{
	put_be16(b, fid);
	put_u8(b, svc);
	put_u8(b, type);
	put_be16(b, 0); put_be16(b, 1);		/* xid */
	put_be16(b, 0);
	put_be16(b, 0);			/* DCPDataLength */
	return b->n;
}

static void
dcp_end(struct bytebuf *b, size_t start)
{
	size_t len = b->n - start;

	b->b[start - 2] = (uint8_t)(len >> 8);
	b->b[start - 1] = (uint8_t)(len & 0xff);
	while (b->n < 46)		/* Ethernet padding after the DCP data */
		put_u8(b, 0);
}

static void
block(struct bytebuf *b, unsigned opt, unsigned sub, bool info, const void *v, size_t n)
{
	put_u8(b, opt);
	put_u8(b, sub);
	put_be16(b, (unsigned)(n + (info ? 2 : 0)));
	if (info)
		put_be16(b, 0);
	put_bytes(b, v, n);
	if ((n + (info ? 2 : 0)) & 1)
		put_u8(b, 0);
}

static void
identify_response(struct bytebuf *b)
{
	static const uint8_t devid[] = { 0x01, 0x5a, 0x00, 0x03 };
	static const uint8_t role[] = { 0x01, 0x00 };
	static const uint8_t ip[] = { 192, 168, 1, 2, 255, 255, 255, 0, 192, 168, 1, 1 };
	size_t s = dcp_begin(b, 0xfeff, 5, 1);

	block(b, 2, 2, true, "versamax-pns11", 14);
	block(b, 2, 1, true, "IC200PNS001", 11);
	block(b, 2, 3, true, devid, sizeof(devid));
	block(b, 2, 4, true, role, sizeof(role));
	block(b, 1, 2, true, ip, sizeof(ip));
	dcp_end(b, s);
}

START_TEST(identify_response_describes_the_sender)
{
	struct harness t;
	struct bytebuf b = { .n = 0 };
	const struct cobs *o;
	bool addr = false;

	pn_dcp_harness(&t);
	identify_response(&b);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	o = find_fact(&t.col, "00:09:91:43:e0:67", A_HOSTNAME, "versamax-pns11");
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->src, "pn_dcp/name_of_station");
	ck_assert_uint_eq(o->conf, CONF_STATED);
	ck_assert_ptr_nonnull(find_fact(&t.col, "00:09:91:43:e0:67", A_MODEL, "IC200PNS001"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "00:09:91:43:e0:67", A_VENDOR_ID, "pn:0x015a"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "00:09:91:43:e0:67", A_PRODUCT_CODE, "0x0003"));
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_VENDOR, NULL));	/* the store names it */
	ck_assert_ptr_nonnull(find_fact(&t.col, "00:09:91:43:e0:67", A_ROLE, R_PN_DEVICE));
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_ROLE, R_PN_CONTROLLER));
	for (size_t i = 0; i < t.col.n; i++)
		if (t.col.v[i].kind == OBS_ADDR && strcmp(t.col.v[i].ip, "192.168.1.2") == 0 &&
		    strcmp(t.col.v[i].mac, "00:09:91:43:e0:67") == 0)
			addr = true;
	ck_assert(addr);
	ck_assert_uint_eq(harness_counter(&t, "identify_responses"), 1);
	ck_assert_uint_eq(t.st.pdus, 1);
	harness_free(&t);
}
END_TEST

START_TEST(identify_request_name_is_weak)
{
	struct harness t;
	struct bytebuf b = { .n = 0 };
	size_t s;
	const struct cobs *o;

	pn_dcp_harness(&t);
	s = dcp_begin(&b, 0xfefe, 5, 0);
	block(&b, 2, 2, false, "switch3", 7);
	dcp_end(&b, s);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	o = find_fact(&t.col, "00:09:91:43:e0:67", A_HOSTNAME, "switch3");
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->src, "pn_dcp/identify_request");
	ck_assert_uint_eq(o->conf, CONF_WEAK);
	ck_assert_uint_eq(harness_counter(&t, "identify_requests"), 1);
	harness_free(&t);
}
END_TEST

START_TEST(hello_carries_block_info)
{
	static const uint8_t role[] = { 0x02, 0x00 };
	struct harness t;
	struct bytebuf b = { .n = 0 };
	size_t s;

	pn_dcp_harness(&t);
	s = dcp_begin(&b, 0xfefc, 6, 0);
	block(&b, 2, 2, true, "plc-1", 5);
	block(&b, 2, 4, true, role, sizeof(role));
	dcp_end(&b, s);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, "00:09:91:43:e0:67", A_HOSTNAME, "plc-1"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "00:09:91:43:e0:67", A_ROLE, R_PN_CONTROLLER));
	ck_assert_uint_eq(harness_counter(&t, "hello"), 1);
	harness_free(&t);
}
END_TEST

START_TEST(set_request_is_not_the_device_speaking)
{
	struct harness t;
	struct bytebuf b = { .n = 0 };
	size_t s;

	pn_dcp_harness(&t);
	s = dcp_begin(&b, 0xfefd, 4, 0);
	block(&b, 2, 2, false, "new-name", 8);
	dcp_end(&b, s);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_HOSTNAME, NULL));
	ck_assert_uint_eq(harness_counter(&t, "get_set"), 1);
	harness_free(&t);
}
END_TEST

/* --- Set: operations ------------------------------------------------------------ */

#define TOOL_MAC	"00:80:c8:38:a4:8b"
#define DEV_MAC		"00:02:e3:17:c7:50"

/* A Get/Set frame with this Xid, from src to dst. */
static size_t
set_begin(struct harness *t, struct bytebuf *b, const char *src, const char *dst,
    unsigned type, uint32_t xid)
{
	harness_frame(t, src, dst);
	put_be16(b, 0xfefd);
	put_u8(b, 4);
	put_u8(b, type);
	put_be32(b, xid);
	put_be16(b, 0);
	put_be16(b, 0);
	return b->n;
}

/* Set request block: option, suboption, qualifier (1: permanent), value. */
static void
set_block(struct bytebuf *b, unsigned opt, unsigned sub, const void *v, size_t n)
{
	struct bytebuf q = { .n = 0 };

	put_be16(&q, 1);
	put_bytes(&q, v, n);
	block(b, opt, sub, false, q.b, q.n);
}

/* Set response: one Response block (option 5 / 4) per option answered. */
static void
set_response(struct harness *t, struct bytebuf *b, uint32_t xid, unsigned opt, unsigned sub,
    unsigned err)
{
	size_t s = set_begin(t, b, DEV_MAC, TOOL_MAC, 1, xid);
	uint8_t r[3] = { (uint8_t)opt, (uint8_t)sub, (uint8_t)err };

	block(b, 5, 4, false, r, 3);
	dcp_end(b, s);
}

START_TEST(set_ip_accepted_and_factory_reset_refused)
{
	static const uint8_t ip[] = { 192, 168, 0, 50, 255, 255, 255, 0, 192, 168, 0, 1 };
	static const uint8_t none[] = { 0, 0 };
	struct harness t;
	struct bytebuf b = { .n = 0 };
	struct op_sum sum;
	size_t s;

	pn_dcp_harness(&t);
	s = set_begin(&t, &b, TOOL_MAC, DEV_MAC, 0, 0x1000001);
	set_block(&b, 1, 2, ip, sizeof(ip));
	dcp_end(&b, s);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	b.n = 0;
	set_response(&t, &b, 0x1000001, 1, 2, 0);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	op_sum(&t.col, "pn_dcp", OP_CONFIG_CHANGE, TOOL_MAC, DEV_MAC, &sum);
	ck_assert_uint_eq(sum.requests, 1);
	ck_assert_uint_eq(sum.ok, 1);
	ck_assert_str_eq(sum.details,
	    "DCP Set ip 192.168.0.50 mask 255.255.255.0 gateway 192.168.0.1 (options 1)");
	/* reset to factory (control 5 / 6), refused: the Response block's error */
	b.n = 0;
	s = set_begin(&t, &b, TOOL_MAC, DEV_MAC, 0, 0x1000002);
	set_block(&b, 5, 6, none, sizeof(none));
	dcp_end(&b, s);
	harness_feed(&t, b.b, b.n);
	b.n = 0;
	set_response(&t, &b, 0x1000002, 5, 6, 0x03);	/* suboption not set */
	harness_feed(&t, b.b, b.n);
	op_sum(&t.col, "pn_dcp", OP_CONFIG_CHANGE, TOOL_MAC, DEV_MAC, &sum);
	ck_assert_uint_eq(sum.requests, 2);
	ck_assert_uint_eq(sum.failed, 1);
	ck_assert_ptr_nonnull(strstr(sum.details, "DCP Set reset to factory (options 5)"));
	harness_free(&t);
}
END_TEST

START_TEST(signal_only_is_a_control)
{
	static const uint8_t flash[] = { 0x01, 0x00 };
	struct harness t;
	struct bytebuf b = { .n = 0 };
	struct op_sum sum;
	size_t s;

	pn_dcp_harness(&t);
	s = set_begin(&t, &b, TOOL_MAC, DEV_MAC, 0, 7);
	set_block(&b, 5, 3, flash, sizeof(flash));
	dcp_end(&b, s);
	harness_feed(&t, b.b, b.n);
	op_sum(&t.col, "pn_dcp", OP_CONTROL_OPERATE, TOOL_MAC, DEV_MAC, &sum);
	ck_assert_uint_eq(sum.requests, 1);
	ck_assert_str_eq(sum.details, "DCP Set signal (options 5)");
	ck_assert_uint_eq(op_count(&t.col, "pn_dcp", OP_REQUEST), 1);
	harness_free(&t);
}
END_TEST

START_TEST(response_without_request_and_lying_block)
{
	struct harness t;
	struct bytebuf b = { .n = 0 };
	size_t s;

	pn_dcp_harness(&t);
	set_response(&t, &b, 0x42, 2, 2, 0);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	ck_assert_uint_eq(harness_counter(&t, "ops_unmatched"), 1);
	ck_assert_uint_eq(op_count(&t.col, "pn_dcp", OP_REPLY_OK), 0);
	/* a block length beyond the DCP data: still one Set, no name */
	b.n = 0;
	s = set_begin(&t, &b, TOOL_MAC, DEV_MAC, 0, 0x43);
	put_u8(&b, 2); put_u8(&b, 2); put_be16(&b, 0x0400); put_be16(&b, 1);
	dcp_end(&b, s);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	ck_assert_uint_eq(op_count(&t.col, "pn_dcp", OP_REQUEST), 1);
	ck_assert_ptr_nonnull(strstr(t.col.v[t.col.n - 1].val, "(options none)"));
	harness_free(&t);
}
END_TEST

START_TEST(set_flood_is_bounded)
{
	struct harness t;
	struct bytebuf b = { .n = 0 };
	struct op_sum sum;
	size_t s;

	pn_dcp_harness(&t);
	for (uint32_t x = 0; x < 1000; x++) {
		b.n = 0;
		s = set_begin(&t, &b, TOOL_MAC, DEV_MAC, 0, x);
		set_block(&b, 2, 2, "plc1", 4);
		dcp_end(&b, s);
		ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	}
	ck_assert_uint_eq(harness_counter(&t, "ops"), 1000);
	ck_assert_uint_eq(harness_counter(&t, "ops_dropped"), 1000 - OP_PEND_MAX);
	b.n = 0;
	set_response(&t, &b, 999, 2, 2, 0);
	harness_feed(&t, b.b, b.n);
	b.n = 0;
	set_response(&t, &b, 0, 2, 2, 0);
	harness_feed(&t, b.b, b.n);
	op_sum(&t.col, "pn_dcp", OP_CONFIG_CHANGE, TOOL_MAC, DEV_MAC, &sum);
	ck_assert_uint_eq(sum.ok, 1);
	ck_assert_uint_eq(harness_counter(&t, "ops_unmatched"), 1);
	harness_free(&t);
}
END_TEST

START_TEST(pcap_set_name_of_station)
{
	const char *rel = "operations/iti__profinet-wireshark-bug.pcap";
	struct collected c;
	struct op_sum sum;

	collected_init(&c);
	ck_assert_int_gt(run_pcap(shared_pcap(rel), &c, NULL), 0);
	ck_assert_uint_eq(assert_ops_match_facts(&c, rel, "pn_dcp", "pn_dcp"), 1);
	op_sum(&c, "pn_dcp", OP_CONFIG_CHANGE, TOOL_MAC, DEV_MAC, &sum);
	ck_assert_str_eq(sum.details, "DCP Set name of station '%n%n%n ' (options 2,5)");
	collected_free(&c);
}
END_TEST

START_TEST(malformed_inputs)
{
	static const uint8_t cyclic[] = { 0x80, 0x00, 1, 2, 3, 4 };
	struct harness t;
	struct bytebuf b = { .n = 0 };
	size_t s;

	pn_dcp_harness(&t);
	/* short DCP header */
	ck_assert_int_eq(harness_feed(&t, (const uint8_t *)"\xfe\xff\x05\x01", 4), DISS_SHORT);
	ck_assert_int_eq(harness_feed(&t, (const uint8_t *)"\xfe", 1), DISS_SHORT);
	/* DCPDataLength past the frame */
	s = dcp_begin(&b, 0xfeff, 5, 1);
	block(&b, 2, 2, true, "x", 1);
	b.b[s - 2] = 0x05;
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_SHORT);
	/* block length past the DCP data */
	b.n = 0;
	s = dcp_begin(&b, 0xfeff, 5, 1);
	put_u8(&b, 2); put_u8(&b, 2); put_be16(&b, 40); put_be16(&b, 0); put_bytes(&b, "abc", 3);
	dcp_end(&b, s);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_MALFORMED);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_HOSTNAME, NULL));
	/* zero-length blocks, a NameOfStation with only block info, then a real one */
	b.n = 0;
	s = dcp_begin(&b, 0xfeff, 5, 1);
	for (int i = 0; i < 4; i++) {
		put_u8(&b, 2); put_u8(&b, 2); put_be16(&b, 0);
	}
	block(&b, 2, 2, true, "", 0);
	block(&b, 2, 3, true, "\x00\x2a", 2);		/* DeviceID cut short */
	block(&b, 2, 2, true, "io-1", 4);
	dcp_end(&b, s);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	ck_assert_uint_eq(count_facts(&t.col, NULL, A_HOSTNAME), 1);
	ck_assert_ptr_nonnull(find_fact(&t.col, NULL, A_HOSTNAME, "io-1"));
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_VENDOR_ID, NULL));
	/* cyclic RT data is counted, not parsed */
	ck_assert_int_eq(harness_feed(&t, cyclic, sizeof(cyclic)), DISS_OK);
	ck_assert_uint_eq(harness_counter(&t, "other_rt_frames"), 1);
	harness_free(&t);
}
END_TEST

START_TEST(through_the_pipeline_behind_a_vlan_tag)
{
	struct collected c;
	struct pipeline_cfg cfg = { .ndpi = false };
	struct pipeline *pl;
	struct bytebuf d = { .n = 0 };
	uint8_t frame[1600];
	size_t n = 0;
	uint8_t mac_dst[6], mac_src[6];

	identify_response(&d);
	mac_parse("00:a0:45:6d:d3:43", mac_dst);
	mac_parse("00:09:91:43:e0:67", mac_src);
	memcpy(frame, mac_dst, 6);
	memcpy(frame + 6, mac_src, 6);
	n = 12;
	frame[n++] = 0x81; frame[n++] = 0x00; frame[n++] = 0x00; frame[n++] = 0x05;
	frame[n++] = 0x88; frame[n++] = 0x92;
	memcpy(frame + n, d.b, d.n);
	n += d.n;
	collected_init(&c);
	pl = pipeline_new(&cfg, &c.sink);
	ck_assert_ptr_nonnull(pl);
	run_frame(pl, frame, n, 1000000);
	ck_assert_ptr_nonnull(find_fact(&c, "00:09:91:43:e0:67", A_HOSTNAME, "versamax-pns11"));
	ck_assert_int_eq(pipeline_counter(pl, "pn_dcp.identify_responses"), 1);
	pipeline_free(pl);
	collected_free(&c);
}
END_TEST

/* --- real captures --------------------------------------------------------- */

static void
check_capture(const char *rel)
{
	struct expected_run r;
	json_t *e;
	size_t i;

	expected_run_open(&r, rel, "profinet_dcp", false);
	json_array_foreach(r.facts, i, e) {
		const char *mac = json_string_value(json_object_get(e, "mac"));
		const char *name = json_string_value(json_object_get(e, "name_of_station"));
		const char *model = json_string_value(json_object_get(e, "device_vendor_value"));
		const char *ip = json_string_value(json_object_get(e, "ip"));
		bool response = json_integer_value(json_object_get(e, "service_type")) == 1;
		const struct cobs *o;
		char v[32];

		o = find_fact(&r.col, mac, A_HOSTNAME, name);
		ck_assert_msg(o, "hostname %s on %s", name, mac);
		ck_assert_msg(find_fact_src(&r.col, mac, A_HOSTNAME, name, response ?
		    "pn_dcp/name_of_station" : "pn_dcp/identify_request"),
		    "hostname source for %s on %s", name, mac);
		if (model)
			ck_assert_msg(find_fact(&r.col, mac, A_MODEL, model), "model %s", model);
		if (json_is_integer(json_object_get(e, "vendor_id"))) {
			snprintf(v, sizeof(v), "pn:0x%04llx",
			    json_integer_value(json_object_get(e, "vendor_id")));
			ck_assert_msg(find_fact(&r.col, mac, A_VENDOR_ID, v), "%s on %s", v, mac);
			snprintf(v, sizeof(v), "0x%04llx",
			    json_integer_value(json_object_get(e, "device_id")));
			ck_assert_msg(find_fact(&r.col, mac, A_PRODUCT_CODE, v), "%s on %s", v, mac);
		}
		if (json_is_integer(json_object_get(e, "device_role")) &&
		    (json_integer_value(json_object_get(e, "device_role")) & 1))
			ck_assert_msg(find_fact(&r.col, mac, A_ROLE, R_PN_DEVICE), "role on %s", mac);
		if (ip) {
			bool bound = false;

			for (size_t k = 0; k < r.col.n; k++)
				if (r.col.v[k].kind == OBS_ADDR && strcmp(r.col.v[k].mac, mac) == 0 &&
				    strcmp(r.col.v[k].ip, ip) == 0 &&
				    strcmp(r.col.v[k].src, "pn_dcp/ip_parameter") == 0)
					bound = true;
			ck_assert_msg(bound, "%s bound to %s", mac, ip);
		}
	}
	expected_run_close(&r);
}

START_TEST(pcap_profinet_rt)
{
	check_capture("profinet/iti__PROFINET-RT.pcap");
}
END_TEST

START_TEST(pcap_io_cm_mixed)
{
	check_capture("profinet/icsnpp-profinet-io-cm__profinet_io_cm_mixed_1.pcap");
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("pn_dcp");
	TCase *u = tcase_create("unit"), *p = tcase_create("pcap");

	tcase_add_checked_fixture(u, vendor_ids_setup, vendor_ids_teardown);
	tcase_add_test(u, identify_response_describes_the_sender);
	tcase_add_test(u, identify_request_name_is_weak);
	tcase_add_test(u, hello_carries_block_info);
	tcase_add_test(u, set_request_is_not_the_device_speaking);
	tcase_add_test(u, malformed_inputs);
	tcase_add_test(u, through_the_pipeline_behind_a_vlan_tag);
	tcase_add_test(u, set_ip_accepted_and_factory_reset_refused);
	tcase_add_test(u, signal_only_is_a_control);
	tcase_add_test(u, response_without_request_and_lying_block);
	tcase_add_test(u, set_flood_is_bounded);
	suite_add_tcase(s, u);
	tcase_add_checked_fixture(p, vendor_ids_setup, vendor_ids_teardown);
	tcase_add_test(p, pcap_profinet_rt);
	tcase_add_test(p, pcap_io_cm_mixed);
	tcase_add_test(p, pcap_set_name_of_station);
	suite_add_tcase(s, p);
	return s;
}
