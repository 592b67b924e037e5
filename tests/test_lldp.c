/*
 * test_lldp.c - LLDP (IEEE 802.1AB): TLVs about the sending device.
 */
#include <stdio.h>
#include <string.h>

#include "support.h"
#include "decode.h"
#include "dissector.h"
#include "sw_limits.h"

extern const struct dissector dis_lldp;

#define SENDER	"00:0e:8c:ef:75:c9"

static void
lldp_harness(struct harness *t)
{
	harness_init(t, &dis_lldp);
	harness_frame(t, SENDER, "01:80:c2:00:00:0e");
	t->pkt.ethertype = ETHERTYPE_LLDP;
}

static void
tlv(struct bytebuf *b, unsigned type, const void *v, size_t n)
{
	put_u8(b, type << 1 | (unsigned)(n >> 8));
	put_u8(b, n & 0xff);
	put_bytes(b, v, n);
}

static void
org(struct bytebuf *b, uint32_t oui, unsigned sub, const char *s)
{
	uint8_t v[300];
	size_t n = strlen(s);

	v[0] = (uint8_t)(oui >> 16); v[1] = (uint8_t)(oui >> 8); v[2] = (uint8_t)oui;
	v[3] = (uint8_t)sub;
	memcpy(v + 4, s, n);
	tlv(b, 127, v, n + 4);
}

static void
switch_lldpdu(struct bytebuf *b)
{
	static const uint8_t chassis[] = { 4, 0x00, 0x0e, 0x8c, 0xef, 0x75, 0xc5 };
	static const uint8_t caps[] = { 0x00, 0x14, 0x00, 0x04 };	/* bridge+router, bridge on */
	static const uint8_t mgmt[] = { 5, 1, 192, 168, 1, 20, 2, 0, 0, 0, 1, 0 };

	tlv(b, 1, chassis, sizeof(chassis));
	tlv(b, 2, "\x07port-004", 9);
	tlv(b, 3, "\x00\x78", 2);
	tlv(b, 5, "sw-field-3", 10);
	tlv(b, 6, "SCALANCE X208\nrev 2", 19);
	tlv(b, 7, caps, sizeof(caps));
	tlv(b, 8, mgmt, sizeof(mgmt));
	org(b, 0x0012bb, 5, "HW 3");
	org(b, 0x0012bb, 6, "FW V4.1");
	org(b, 0x0012bb, 7, "SW 4.1.2");
	org(b, 0x0012bb, 8, "VPE1234567");
	org(b, 0x0012bb, 9, "Siemens AG");
	org(b, 0x0012bb, 10, "6GK5208-0BA00-2AA3");
	tlv(b, 0, "", 0);
	while (b->n < 60)
		put_u8(b, 0);
}

static const struct want_fact switch_describes_itself_facts[] = {
	{ A_DESCRIPTION, "SCALANCE X208\\x0arev 2", NULL },
	{ A_CHASSIS_ID, "00:0e:8c:ef:75:c5", NULL },
	{ A_PORT_ID, "port-004", NULL },
	{ A_CAPABILITIES, "bridge,router", NULL },
	{ A_HARDWARE, "HW 3", NULL },
	{ A_FIRMWARE, "FW V4.1", NULL },
	{ A_SOFTWARE, "SW 4.1.2", NULL },
	{ A_SERIAL, "VPE1234567", NULL },
	{ A_VENDOR, "Siemens AG", NULL },
	{ A_MODEL, "6GK5208-0BA00-2AA3", NULL },
};

START_TEST(switch_describes_itself)
{
	struct harness t;
	struct bytebuf b = { .n = 0 };
	const struct cobs *o;
	bool bound = false;

	lldp_harness(&t);
	switch_lldpdu(&b);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	o = find_fact(&t.col, SENDER, A_HOSTNAME, "sw-field-3");
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->src, "lldp/sysname");
	ASSERT_FACTS(&t.col, SENDER, switch_describes_itself_facts);
	for (size_t i = 0; i < t.col.n; i++)
		if (t.col.v[i].kind == OBS_ADDR && strcmp(t.col.v[i].mac, SENDER) == 0 &&
		    strcmp(t.col.v[i].ip, "192.168.1.20") == 0)
			bound = true;
	ck_assert(bound);
	ck_assert_uint_eq(harness_counter(&t, "med_inventory"), 6);
	ck_assert_uint_eq(harness_counter(&t, "no_end"), 0);
	ck_assert_uint_eq(t.st.pdus, 1);
	harness_free(&t);
}
END_TEST

/* Every capability bit, and the bits above the eleven named: all names, in bit order. */
START_TEST(all_capabilities)
{
	static const uint8_t caps[] = { 0xff, 0xff, 0x00, 0x04 };
	struct harness t;
	struct bytebuf b = { .n = 0 };

	lldp_harness(&t);
	tlv(&b, 1, "\x07sw-1", 5);
	tlv(&b, 2, "\x07p1", 3);
	tlv(&b, 3, "\x00\x78", 2);
	tlv(&b, 7, caps, sizeof(caps));
	tlv(&b, 0, "", 0);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, NULL, A_CAPABILITIES,
	    "other,repeater,bridge,wlan_ap,router,telephone,docsis,station,c_vlan,s_vlan,tpmr"));
	harness_free(&t);
}
END_TEST

START_TEST(malformed_inputs)
{
	static const uint8_t mgmt_zero[] = { 5, 1, 0, 0, 0, 0, 2, 0, 0, 0, 1, 0 };
	static const uint8_t mgmt_lies[] = { 40, 1, 10, 0, 0, 1 };
	struct harness t;
	struct bytebuf b = { .n = 0 };

	lldp_harness(&t);
	ck_assert_int_eq(harness_feed(&t, (const uint8_t *)"\x02", 1), DISS_SHORT);
	/* TLV length past the end of the frame: what came before still counts */
	tlv(&b, 5, "first", 5);
	put_u8(&b, 6 << 1 | 1); put_u8(&b, 0xff); put_bytes(&b, "cut", 3);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_MALFORMED);
	ck_assert_uint_eq(harness_counter(&t, "bad_tlv"), 1);
	ck_assert_ptr_nonnull(find_fact(&t.col, SENDER, A_HOSTNAME, "first"));
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_DESCRIPTION, NULL));
	/* a frame of zero-length TLVs (type 4, length 0) never ending: capped */
	b.n = 0;
	for (int i = 0; i < DISS_MAX_ITEMS + 20; i++) {
		put_u8(&b, 4 << 1); put_u8(&b, 0);
	}
	tlv(&b, 5, "after-cap", 9);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	ck_assert_uint_eq(harness_counter(&t, "no_end"), 1);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_HOSTNAME, "after-cap"));
	/* empty and short values, an unspecified or lying management address */
	b.n = 0;
	tlv(&b, 1, "", 0);
	tlv(&b, 1, "\x04\x00\x01", 3);		/* MAC subtype, 2 bytes: kept as text */
	tlv(&b, 7, "\x00", 1);
	tlv(&b, 8, mgmt_zero, sizeof(mgmt_zero));
	tlv(&b, 8, mgmt_lies, sizeof(mgmt_lies));
	tlv(&b, 127, "\x00\x12", 2);
	tlv(&b, 0, "", 0);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_CAPABILITIES, NULL));
	for (size_t i = 0; i < t.col.n; i++)
		ck_assert_int_ne(t.col.v[i].kind, OBS_ADDR);
	harness_free(&t);
}
END_TEST

/* --- real captures ------------------------------------------------------ */

/* tshark shows a non-MAC chassis id as hex: decode it to compare. */
static void
unhex(const char *hex, char *out, size_t outsz)
{
	size_t n = 0;
	unsigned v;

	for (; hex[0] && hex[1] && n + 1 < outsz; hex += 2) {
		if (sscanf(hex, "%2x", &v) != 1)
			break;
		out[n++] = (char)v;
	}
	out[n] = '\0';
}

static void
check_capture(const char *rel)
{
	struct expected_run r;
	json_t *e;
	size_t i;

	expected_run_open(&r, rel, "lldp", false);
	json_array_foreach(r.facts, i, e) {
		const char *mac = json_string_value(json_object_get(e, "src_mac"));
		const char *chassis = json_string_value(json_object_get(e, "chassis_id"));
		const char *port = json_string_value(json_object_get(e, "port_id"));
		const char *name = json_string_value(json_object_get(e, "system_name"));
		const char *desc = json_string_value(json_object_get(e, "system_desc"));
		const char *mgmt = json_string_value(json_object_get(e, "mgmt_ip"));
		char want[600];
		bool bound = false;

		if (chassis) {
			if (strchr(chassis, ':') == NULL)
				unhex(chassis, want, sizeof(want));
			else
				snprintf(want, sizeof(want), "%s", chassis);
			ck_assert_msg(find_fact(&r.col, mac, A_CHASSIS_ID, want), "%s: chassis %s on %s",
			    rel, want, mac);
		}
		if (port)
			ck_assert_msg(find_fact(&r.col, mac, A_PORT_ID, port), "%s: port %s", rel, port);
		if (name)
			ck_assert_msg(find_fact(&r.col, mac, A_HOSTNAME, name), "%s: name %s", rel, name);
		if (desc) {
			obs_sanitize(desc, strlen(desc), want, sizeof(want));
			ck_assert_msg(find_fact(&r.col, mac, A_DESCRIPTION, want), "%s: desc %s", rel, want);
		}
		if (mgmt == NULL || strcmp(mgmt, "0.0.0.0") == 0)
			continue;
		for (size_t k = 0; k < r.col.n; k++)
			if (r.col.v[k].kind == OBS_ADDR && strcmp(r.col.v[k].mac, mac) == 0 &&
			    strcmp(r.col.v[k].ip, mgmt) == 0 && strcmp(r.col.v[k].src, "lldp/mgmt_addr") == 0)
				bound = true;
		ck_assert_msg(bound, "%s: %s mgmt %s", rel, mac, mgmt);
	}
	expected_run_close(&r);
}

START_TEST(pcap_lldp_and_cdp) { check_capture("lldp_cdp/tcpdump__LLDP_and_CDP.pcap"); } END_TEST
START_TEST(pcap_enip) { check_capture("enip/iti__EIP-IPAddressChangeAttempt.pcap"); } END_TEST
START_TEST(pcap_wrapup) { check_capture("http/iti__wrapup.pcapng"); } END_TEST
START_TEST(pcap_profinet) { check_capture("profinet/icsnpp-profinet-io-cm__profinet_io_cm_mixed_1.pcap"); } END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("lldp");
	TCase *u = tcase_create("unit"), *p = tcase_create("pcap");

	tcase_add_test(u, switch_describes_itself);
	tcase_add_test(u, all_capabilities);
	tcase_add_test(u, malformed_inputs);
	suite_add_tcase(s, u);
	tcase_set_timeout(p, 60);
	tcase_add_test(p, pcap_lldp_and_cdp);
	tcase_add_test(p, pcap_enip);
	tcase_add_test(p, pcap_wrapup);
	tcase_add_test(p, pcap_profinet);
	suite_add_tcase(s, p);
	return s;
}
