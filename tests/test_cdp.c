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

struct tctx {
	struct pkt		 p;
	struct diss_stats	 st;
	struct collected	 col;
	struct diss_ctx		 dc;
};

static void
tctx_init(struct tctx *t)
{
	memset(t, 0, sizeof(*t));
	mac_parse(SENDER, t->p.src_mac);
	mac_parse("01:00:0c:cc:cc:cc", t->p.dst_mac);
	t->p.has_eth = true;
	t->p.llc_snap = true;
	t->p.snap_oui = 0x00000c;
	t->p.snap_pid = 0x2000;
	collected_init(&t->col);
	t->dc.d = &dis_cdp;
	t->dc.pkt = &t->p;
	t->dc.sink = &t->col.sink;
	t->dc.st = &t->st;
}

static enum diss_rc
feed(struct tctx *t, const uint8_t *b, size_t n)
{
	struct cur c = cur_make(b, n);

	return dis_cdp.parse(&t->dc, &c);
}

static uint64_t
counter(const struct tctx *t, const char *name)
{
	for (int i = 0; i < DISS_MAX_COUNTERS && dis_cdp.counter_names[i]; i++)
		if (strcmp(dis_cdp.counter_names[i], name) == 0)
			return t->st.counters[i];
	ck_abort_msg("no counter %s", name);
	return 0;
}

struct buf {
	uint8_t	 b[2000];
	size_t	 n;
};

static void u8(struct buf *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static void be16(struct buf *b, unsigned v) { u8(b, v >> 8); u8(b, v & 0xff); }
static void bytes(struct buf *b, const void *p, size_t n) { memcpy(b->b + b->n, p, n); b->n += n; }
static void tlv(struct buf *b, unsigned type, const void *v, size_t n) { be16(b, type); be16(b, (unsigned)n + 4); bytes(b, v, n); }

static void
cdp_header(struct buf *b)
{
	u8(b, 2); u8(b, 180); be16(b, 0);
}

/* One IPv4 address entry: NLPID, length 1, 0xcc, address length 4. */
static const uint8_t one_addr[] = { 0, 0, 0, 1, 1, 1, 0xcc, 0, 4, 192, 168, 10, 253 };

START_TEST(switch_describes_itself)
{
	static const char sw[] = "Cisco IOS Software, CE500 Software, Version 12.2(25)SEG4\n"
	    "Copyright (c) 1986-2007 by Cisco Systems, Inc.";
	static const uint8_t caps[] = { 0, 0, 0, 0x28 };	/* switch, igmp */
	struct tctx t;
	struct buf b = { .n = 0 };
	const struct cobs *o;
	bool bound = false;

	tctx_init(&t);
	cdp_header(&b);
	tlv(&b, 1, "Ns5gt", 5);
	tlv(&b, 2, one_addr, sizeof(one_addr));
	tlv(&b, 3, "GigabitEthernet1", 16);
	tlv(&b, 4, caps, sizeof(caps));
	tlv(&b, 5, sw, sizeof(sw) - 1);
	tlv(&b, 6, "cisco WS-CE500-24TT", 19);
	tlv(&b, 0x0a, "\x00\x03", 2);
	ck_assert_int_eq(feed(&t, b.b, b.n), DISS_OK);
	o = find_fact(&t.col, SENDER, A_HOSTNAME, "Ns5gt");
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->src, "cdp/device_id");
	o = find_fact(&t.col, SENDER, A_SOFTWARE,
	    "Cisco IOS Software, CE500 Software, Version 12.2(25)SEG4");
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->src, "cdp/software_version");
	ck_assert_ptr_nonnull(find_fact(&t.col, SENDER, A_PLATFORM, "cisco WS-CE500-24TT"));
	ck_assert_ptr_nonnull(find_fact(&t.col, SENDER, A_MODEL, "WS-CE500-24TT"));
	ck_assert_ptr_nonnull(find_fact(&t.col, SENDER, A_VENDOR, "Cisco"));
	ck_assert_ptr_nonnull(find_fact(&t.col, SENDER, A_PORT_ID, "GigabitEthernet1"));
	ck_assert_ptr_nonnull(find_fact(&t.col, SENDER, A_CAPABILITIES, "switch,igmp"));
	ck_assert_ptr_nonnull(find_fact(&t.col, SENDER, A_NOTE, "native vlan 3"));
	for (size_t i = 0; i < t.col.n; i++)
		if (t.col.v[i].kind == OBS_ADDR && strcmp(t.col.v[i].mac, SENDER) == 0 &&
		    strcmp(t.col.v[i].ip, "192.168.10.253") == 0)
			bound = true;
	ck_assert(bound);
	ck_assert_uint_eq(counter(&t, "addresses"), 1);
	ck_assert_uint_eq(t.st.pdus, 1);
	collected_free(&t.col);
}
END_TEST

START_TEST(malformed_inputs)
{
	static const uint8_t lying_count[] = { 0xff, 0xff, 0xff, 0xff, 1, 1, 0xcc, 0, 4, 10, 0, 0, 1 };
	static const uint8_t lying_alen[] = { 0, 0, 0, 1, 1, 1, 0xcc, 0x40, 0x00, 10, 0, 0, 1 };
	struct tctx t;
	struct buf b = { .n = 0 };

	tctx_init(&t);
	ck_assert_int_eq(feed(&t, (const uint8_t *)"\x02\xb4", 2), DISS_SHORT);
	/* unknown version */
	b.n = 0;
	u8(&b, 9); u8(&b, 180); be16(&b, 0);
	tlv(&b, 1, "x", 1);
	ck_assert_int_eq(feed(&t, b.b, b.n), DISS_MALFORMED);
	ck_assert_uint_eq(counter(&t, "bad_version"), 1);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_HOSTNAME, NULL));
	/* TLV length past the end */
	b.n = 0;
	cdp_header(&b);
	tlv(&b, 1, "r1", 2);
	be16(&b, 5); be16(&b, 300); bytes(&b, "IOS", 3);
	ck_assert_int_eq(feed(&t, b.b, b.n), DISS_MALFORMED);
	ck_assert_uint_eq(counter(&t, "bad_tlv"), 1);
	ck_assert_ptr_nonnull(find_fact(&t.col, SENDER, A_HOSTNAME, "r1"));
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_SOFTWARE, NULL));
	/* TLV length below its own header: would never progress */
	b.n = 0;
	cdp_header(&b);
	be16(&b, 1); be16(&b, 2);
	tlv(&b, 1, "r2", 2);
	ck_assert_int_eq(feed(&t, b.b, b.n), DISS_MALFORMED);
	ck_assert_uint_eq(counter(&t, "bad_tlv"), 2);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_HOSTNAME, "r2"));
	/* zero length stops the walk without error */
	b.n = 0;
	cdp_header(&b);
	be16(&b, 1); be16(&b, 0);
	tlv(&b, 1, "r3", 2);
	ck_assert_int_eq(feed(&t, b.b, b.n), DISS_OK);
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
	ck_assert_int_eq(feed(&t, b.b, b.n), DISS_OK);
	ck_assert_uint_eq(counter(&t, "addresses"), 1);	/* the first entry of lying_count */
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_HOSTNAME, "late"));
	collected_free(&t.col);
}
END_TEST

/* --- real captures ------------------------------------------------------ */

static void
check_capture(const char *rel)
{
	struct collected c;
	json_t *exp = load_expected(rel);
	json_t *cdp = json_object_get(json_object_get(exp, "facts"), "cdp"), *e;
	size_t i;

	collected_init(&c);
	ck_assert_int_gt(run_pcap(shared_pcap(rel), &c, NULL), 0);
	ck_assert_uint_gt(json_array_size(cdp), 0);
	json_array_foreach(cdp, i, e) {
		const char *mac = json_string_value(json_object_get(e, "src_mac"));
		const char *id = json_string_value(json_object_get(e, "device_id"));
		const char *plat = json_string_value(json_object_get(e, "platform"));
		const char *sw = json_string_value(json_object_get(e, "software_version"));
		const char *port = json_string_value(json_object_get(e, "port_id"));
		const struct cobs *o;

		o = find_fact(&c, mac, A_HOSTNAME, id);
		ck_assert_msg(o && strcmp(o->src, "cdp/device_id") == 0, "%s: device id %s", rel, id);
		ck_assert_msg(find_fact(&c, mac, A_PLATFORM, plat), "%s: platform %s", rel, plat);
		ck_assert_msg(find_fact(&c, mac, A_SOFTWARE, sw), "%s: software %s", rel, sw);
		ck_assert_msg(find_fact(&c, mac, A_PORT_ID, port), "%s: port %s", rel, port);
	}
	json_decref(exp);
	collected_free(&c);
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
