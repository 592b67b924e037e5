/*
 * test_cdp.c - Cisco Discovery Protocol TLVs about the sending device.
 */
#include <stdio.h>
#include <string.h>

#include "support.h"
#include "decode.h"
#include "dissector.h"
#include "sw_limits.h"

extern const struct dissector dis_cdp;

#define SENDER	"00:1e:f6:73:59:81"

static void
cdp_harness(struct harness *t)
{
	harness_init(t, &dis_cdp);
	harness_frame(t, SENDER, "01:00:0c:cc:cc:cc");
	t->pkt.llc_snap = true;
	t->pkt.snap_oui = 0x00000c;
	t->pkt.snap_pid = 0x2000;
}

static void
tlv(struct bytebuf *b, unsigned type, const void *v, size_t n)
{
	put_be16(b, type);
	put_be16(b, (unsigned)n + 4);
	put_bytes(b, v, n);
}

static void
cdp_header(struct bytebuf *b)
{
	put_u8(b, 2); put_u8(b, 180); put_be16(b, 0);
}

/* One IPv4 address entry: NLPID, length 1, 0xcc, address length 4. */
static const uint8_t one_addr[] = { 0, 0, 0, 1, 1, 1, 0xcc, 0, 4, 192, 168, 10, 253 };

static const struct want_fact switch_describes_itself_facts[] = {
	{ A_PLATFORM, "cisco WS-CE500-24TT", NULL },
	{ A_MODEL, "WS-CE500-24TT", NULL },
	{ A_VENDOR, "Cisco", NULL },
	{ A_PORT_ID, "GigabitEthernet1", NULL },
	{ A_CAPABILITIES, "switch,igmp", NULL },
	{ A_NOTE, "native vlan 3", NULL },
};

START_TEST(switch_describes_itself)
{
	static const char sw[] = "Cisco IOS Software, CE500 Software, Version 12.2(25)SEG4\n"
	    "Copyright (c) 1986-2007 by Cisco Systems, Inc.";
	static const uint8_t caps[] = { 0, 0, 0, 0x28 };	/* switch, igmp */
	struct harness t;
	struct bytebuf b = { .n = 0 };
	const struct cobs *o;
	bool bound = false;

	cdp_harness(&t);
	cdp_header(&b);
	tlv(&b, 1, "Ns5gt", 5);
	tlv(&b, 2, one_addr, sizeof(one_addr));
	tlv(&b, 3, "GigabitEthernet1", 16);
	tlv(&b, 4, caps, sizeof(caps));
	tlv(&b, 5, sw, sizeof(sw) - 1);
	tlv(&b, 6, "cisco WS-CE500-24TT", 19);
	tlv(&b, 0x0a, "\x00\x03", 2);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	o = find_fact(&t.col, SENDER, A_HOSTNAME, "Ns5gt");
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->src, "cdp/device_id");
	o = find_fact(&t.col, SENDER, A_SOFTWARE,
	    "Cisco IOS Software, CE500 Software, Version 12.2(25)SEG4");
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->src, "cdp/software_version");
	ASSERT_FACTS(&t.col, SENDER, switch_describes_itself_facts);
	for (size_t i = 0; i < t.col.n; i++)
		if (t.col.v[i].kind == OBS_ADDR && strcmp(t.col.v[i].mac, SENDER) == 0 &&
		    strcmp(t.col.v[i].ip, "192.168.10.253") == 0)
			bound = true;
	ck_assert(bound);
	ck_assert_uint_eq(harness_counter(&t, "addresses"), 1);
	ck_assert_uint_eq(t.st.pdus, 1);
	harness_free(&t);
}
END_TEST

START_TEST(malformed_inputs)
{
	static const uint8_t lying_count[] = { 0xff, 0xff, 0xff, 0xff, 1, 1, 0xcc, 0, 4, 10, 0, 0, 1 };
	static const uint8_t lying_alen[] = { 0, 0, 0, 1, 1, 1, 0xcc, 0x40, 0x00, 10, 0, 0, 1 };
	struct harness t;
	struct bytebuf b = { .n = 0 };

	cdp_harness(&t);
	ck_assert_int_eq(harness_feed(&t, (const uint8_t *)"\x02\xb4", 2), DISS_SHORT);
	/* unknown version */
	b.n = 0;
	put_u8(&b, 9); put_u8(&b, 180); put_be16(&b, 0);
	tlv(&b, 1, "x", 1);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_MALFORMED);
	ck_assert_uint_eq(harness_counter(&t, "bad_version"), 1);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_HOSTNAME, NULL));
	/* TLV length past the end */
	b.n = 0;
	cdp_header(&b);
	tlv(&b, 1, "r1", 2);
	put_be16(&b, 5); put_be16(&b, 300); put_bytes(&b, "IOS", 3);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_MALFORMED);
	ck_assert_uint_eq(harness_counter(&t, "bad_tlv"), 1);
	ck_assert_ptr_nonnull(find_fact(&t.col, SENDER, A_HOSTNAME, "r1"));
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_SOFTWARE, NULL));
	/* TLV length below its own header: would never progress */
	b.n = 0;
	cdp_header(&b);
	put_be16(&b, 1); put_be16(&b, 2);
	tlv(&b, 1, "r2", 2);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_MALFORMED);
	ck_assert_uint_eq(harness_counter(&t, "bad_tlv"), 2);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_HOSTNAME, "r2"));
	/* zero length stops the walk without error */
	b.n = 0;
	cdp_header(&b);
	put_be16(&b, 1); put_be16(&b, 0);
	tlv(&b, 1, "r3", 2);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_HOSTNAME, "r3"));
	/* address lists that lie about their count or lengths; many empty TLVs */
	b.n = 0;
	cdp_header(&b);
	tlv(&b, 2, lying_count, sizeof(lying_count));
	tlv(&b, 2, lying_alen, sizeof(lying_alen));
	tlv(&b, 0x16, "\x00\x00", 2);
	for (int i = 0; i < DISS_MAX_ITEMS + 5; i++)
		tlv(&b, 0x1234, "", 0);
	tlv(&b, 1, "late", 4);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	/* the first entry of lying_count */
	ck_assert_uint_eq(harness_counter(&t, "addresses"), 1);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_HOSTNAME, "late"));
	harness_free(&t);
}
END_TEST

/* --- real captures ------------------------------------------------------ */

static void
check_capture(const char *rel)
{
	struct expected_run r;
	json_t *e;
	size_t i;

	expected_run_open(&r, rel, "cdp", false);
	json_array_foreach(r.facts, i, e) {
		const char *mac = json_string_value(json_object_get(e, "src_mac"));
		const char *id = json_string_value(json_object_get(e, "device_id"));
		const char *plat = json_string_value(json_object_get(e, "platform"));
		const char *sw = json_string_value(json_object_get(e, "software_version"));
		const char *port = json_string_value(json_object_get(e, "port_id"));
		const struct cobs *o;

		o = find_fact(&r.col, mac, A_HOSTNAME, id);
		ck_assert_msg(o && strcmp(o->src, "cdp/device_id") == 0, "%s: device id %s", rel, id);
		ck_assert_msg(find_fact(&r.col, mac, A_PLATFORM, plat), "%s: platform %s", rel, plat);
		ck_assert_msg(find_fact(&r.col, mac, A_SOFTWARE, sw), "%s: software %s", rel, sw);
		ck_assert_msg(find_fact(&r.col, mac, A_PORT_ID, port), "%s: port %s", rel, port);
	}
	expected_run_close(&r);
}

START_TEST(pcap_lldp_and_cdp) { check_capture("lldp_cdp/tcpdump__LLDP_and_CDP.pcap"); } END_TEST
START_TEST(pcap_cdp_v1) { check_capture("lldp_cdp/zeek__cdp-v1.pcap"); } END_TEST
START_TEST(pcap_enip) { check_capture("enip/iti__EIP-SoftwareUpload.pcap"); } END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("cdp");
	TCase *u = tcase_create("unit"), *p = tcase_create("pcap");

	tcase_add_test(u, switch_describes_itself);
	tcase_add_test(u, malformed_inputs);
	suite_add_tcase(s, u);
	tcase_set_timeout(p, 60);
	tcase_add_test(p, pcap_lldp_and_cdp);
	tcase_add_test(p, pcap_cdp_v1);
	tcase_add_test(p, pcap_enip);
	suite_add_tcase(s, p);
	return s;
}
