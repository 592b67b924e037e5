/*
 * test_dhcp.c - DHCPv4 / BOOTP (RFC 2131, 2132): facts about the client
 * named by chaddr, the address binding, the server's identity.
 */
#include <stdio.h>
#include <string.h>

#include "support.h"
#include "decode.h"
#include "dissector.h"
#include "sw_limits.h"

extern const struct dissector dis_dhcp;
extern const struct dissector dis_dhcp6;

#define CLIENT_MAC	"02:00:00:00:00:07"
#define RELAY_MAC	"02:00:00:00:00:99"

static void
dhcp_harness(struct harness *t, const struct dissector *d, const char *src_mac,
    const char *src_ip)
{
	harness_init(t, d);
	harness_frame(t, src_mac, "ff:ff:ff:ff:ff:ff");
	ck_assert(ip_parse(src_ip, &t->pkt.src_ip));
	ck_assert(ip_parse("255.255.255.255", &t->pkt.dst_ip));
	t->pkt.ts_us = 1000000;
}

static void
opt(struct bytebuf *b, unsigned code, const void *v, size_t n)
{
	put_u8(b, code);
	put_u8(b, (unsigned)n);
	put_bytes(b, v, n);
}

/* Fixed BOOTP header and the magic cookie. */
static void
bootp(struct bytebuf *b, unsigned op, const char *yiaddr, bool cookie)
{
	uint8_t mac[6];
	struct ipaddr y = { 0 };

	memset(b->b, 0, 236);
	b->b[0] = (uint8_t)op;
	b->b[1] = 1;
	b->b[2] = 6;
	b->b[4] = 0x12; b->b[5] = 0x34;
	if (yiaddr && ip_parse(yiaddr, &y))
		memcpy(b->b + 16, y.a, 4);
	mac_parse(CLIENT_MAC, mac);
	memcpy(b->b + 28, mac, 6);
	b->n = 236;
	if (cookie)
		put_bytes(b, "\x63\x82\x53\x63", 4);
}

static bool
has_addr(const struct collected *c, const char *mac, const char *ip, const char *src)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].kind == OBS_ADDR && strcmp(c->v[i].mac, mac) == 0 &&
		    strcmp(c->v[i].ip, ip) == 0 && strcmp(c->v[i].src, src) == 0)
			return true;
	return false;
}

START_TEST(relayed_discover_describes_chaddr)
{
	static const uint8_t prl[] = { 1, 3, 6, 15, 119, 252 };
	/* FQDN: flags E|S, rcodes, DNS wire name plc-7.plant.local */
	static const uint8_t fqdn[] = { 0x05, 0, 0, 5, 'p', 'l', 'c', '-', '7', 5, 'p', 'l',
	    'a', 'n', 't', 5, 'l', 'o', 'c', 'a', 'l', 0 };
	struct harness t;
	struct bytebuf b;
	const struct cobs *o;

	dhcp_harness(&t, &dis_dhcp, RELAY_MAC, "10.0.0.1");
	bootp(&b, 1, NULL, true);
	opt(&b, 53, "\x01", 1);
	opt(&b, 12, "plc-7", 5);
	opt(&b, 60, "MSFT 5.0", 8);
	opt(&b, 55, prl, sizeof(prl));
	opt(&b, 81, fqdn, sizeof(fqdn));
	opt(&b, 50, "\x0a\x00\x00\x07", 4);
	put_u8(&b, 255);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	o = find_fact(&t.col, CLIENT_MAC, A_HOSTNAME, "plc-7");
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->src, "dhcp/12");
	o = find_fact(&t.col, CLIENT_MAC, A_HOSTNAME, "plc-7.plant.local");
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->src, "dhcp/81");
	o = find_fact(&t.col, CLIENT_MAC, A_SOFTWARE, "MSFT 5.0");
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->src, "dhcp/vendor_class");
	o = find_fact(&t.col, CLIENT_MAC, A_FINGERPRINT, "dhcp55:1,3,6,15,119,252");
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->src, "dhcp55");
	ck_assert_ptr_nonnull(find_fact(&t.col, CLIENT_MAC, A_NOTE, "dhcp requested 10.0.0.7"));
	/* nothing about the relay that forwarded it */
	ck_assert_uint_eq(count_facts(&t.col, RELAY_MAC, A_HOSTNAME), 0);
	ck_assert_uint_eq(count_facts(&t.col, "10.0.0.1", A_HOSTNAME), 0);
	ck_assert_uint_eq(harness_counter(&t, "requests"), 1);
	ck_assert_uint_eq(t.st.pdus, 1);
	harness_free(&t);
}
END_TEST

START_TEST(ack_binds_yiaddr_and_names_the_server)
{
	struct harness t;
	struct bytebuf b;
	const struct cobs *o;

	/* sent by a relay at 10.0.0.1 for the server 10.9.9.9 */
	dhcp_harness(&t, &dis_dhcp, RELAY_MAC, "10.0.0.1");
	bootp(&b, 2, "10.0.0.7", true);
	opt(&b, 53, "\x05", 1);
	opt(&b, 54, "\x0a\x09\x09\x09", 4);
	opt(&b, 12, "plc-7", 5);
	put_u8(&b, 255);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	ck_assert(has_addr(&t.col, CLIENT_MAC, "10.0.0.7", "dhcp"));
	ck_assert_ptr_nonnull(find_fact(&t.col, CLIENT_MAC, A_HOSTNAME, "plc-7"));
	o = find_fact(&t.col, "10.9.9.9", A_ROLE, "dhcp_server");
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->mac, "");		/* the relay's MAC is not the server's */
	ck_assert_uint_eq(harness_counter(&t, "replies"), 1);
	harness_free(&t);

	/* the server itself: its MAC and IP */
	dhcp_harness(&t, &dis_dhcp, "02:00:00:00:00:01", "10.9.9.9");
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	o = find_fact(&t.col, "10.9.9.9", A_ROLE, "dhcp_server");
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->mac, "02:00:00:00:00:01");
	harness_free(&t);
}
END_TEST

START_TEST(offer_does_not_bind)
{
	struct harness t;
	struct bytebuf b;

	dhcp_harness(&t, &dis_dhcp, "02:00:00:00:00:01", "10.9.9.9");
	bootp(&b, 2, "10.0.0.7", true);
	opt(&b, 53, "\x02", 1);
	opt(&b, 60, "ArubaAP", 7);
	put_u8(&b, 255);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	ck_assert(!has_addr(&t.col, CLIENT_MAC, "10.0.0.7", "dhcp"));
	/* a server's vendor class is its own */
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.9.9.9", A_SOFTWARE, "ArubaAP"));
	ck_assert_ptr_null(find_fact(&t.col, CLIENT_MAC, A_SOFTWARE, NULL));
	harness_free(&t);
}
END_TEST

START_TEST(bootp_reply_binds)
{
	struct harness t;
	struct bytebuf b;

	dhcp_harness(&t, &dis_dhcp, "02:00:00:00:00:01", "10.9.9.9");
	bootp(&b, 2, "10.0.0.8", false);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	ck_assert(has_addr(&t.col, CLIENT_MAC, "10.0.0.8", "dhcp"));
	ck_assert_uint_eq(harness_counter(&t, "bootp"), 1);
	harness_free(&t);
}
END_TEST

START_TEST(malformed_inputs)
{
	struct harness t;
	struct bytebuf b;

	dhcp_harness(&t, &dis_dhcp, CLIENT_MAC, "0.0.0.0");
	/* shorter than the fixed header */
	bootp(&b, 1, NULL, false);
	ck_assert_int_eq(harness_feed(&t, b.b, 200), DISS_SHORT);
	ck_assert_uint_eq(t.st.pdus, 0);
	/* op neither request nor reply */
	bootp(&b, 7, NULL, true);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_MALFORMED);
	/* option length past the end: the options before it still count */
	bootp(&b, 1, NULL, true);
	opt(&b, 12, "good", 4);
	put_u8(&b, 60); put_u8(&b, 200); put_bytes(&b, "short", 5);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_MALFORMED);
	ck_assert_uint_eq(harness_counter(&t, "bad_option"), 1);
	ck_assert_ptr_nonnull(find_fact(&t.col, CLIENT_MAC, A_HOSTNAME, "good"));
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_SOFTWARE, NULL));
	/* option code with no length byte */
	bootp(&b, 1, NULL, true);
	put_u8(&b, 12);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_MALFORMED);
	ck_assert_uint_eq(harness_counter(&t, "bad_option"), 2);
	/* a run of pads longer than the item cap: stops, hostname after it unseen */
	bootp(&b, 1, NULL, true);
	for (int i = 0; i < DISS_MAX_ITEMS + 10; i++)
		put_u8(&b, 0);
	opt(&b, 12, "hidden", 6);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_HOSTNAME, "hidden"));
	/* zero-length options and a FQDN with a lying label length */
	bootp(&b, 1, NULL, true);
	opt(&b, 12, "", 0);
	opt(&b, 55, "", 0);
	opt(&b, 81, "\x05\x00\x00\x3f\x61", 5);
	opt(&b, 81, "\x05\x00\x00\x40\x61", 5);
	put_u8(&b, 255);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_FINGERPRINT, NULL));
	ck_assert_uint_eq(count_facts(&t.col, NULL, A_HOSTNAME), 1);	/* only "good" */
	/* not Ethernet: no chaddr MAC to speak of */
	bootp(&b, 1, NULL, true);
	b.b[1] = 6;
	opt(&b, 12, "tokenring", 9);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	ck_assert_uint_eq(harness_counter(&t, "not_ethernet"), 1);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_HOSTNAME, "tokenring"));
	harness_free(&t);
}
END_TEST

/* --- DHCPv6 (RFC 8415) -------------------------------------------------- */

static void
opt6(struct bytebuf *b, unsigned code, const void *v, size_t n)
{
	put_be16(b, code);
	put_be16(b, (unsigned)n);
	put_bytes(b, v, n);
}

/* DUID-LL (type 3, Ethernet) of CLIENT_MAC */
static void
duid_ll(struct bytebuf *b)
{
	uint8_t d[10] = { 0, 3, 0, 1 };

	mac_parse(CLIENT_MAC, d + 4);
	opt6(b, 1, d, sizeof(d));
}

/* A long option request list: codes 0..65535 in decimal, cut where 7 bytes no longer fit. */
START_TEST(dhcp6_long_oro)
{
	uint8_t oro[2 * 60];
	char want[300];
	size_t off, start;
	struct harness t;
	struct bytebuf b = { .n = 0 };

	for (unsigned i = 0; i < 60; i++) {
		unsigned code = i % 3 == 0 ? 65535 : i % 3 == 1 ? 0 : i * 997;

		oro[2 * i] = (uint8_t)(code >> 8);
		oro[2 * i + 1] = (uint8_t)code;
	}
	off = start = (size_t)snprintf(want, sizeof(want), "dhcp6_oro:");
	for (unsigned i = 0; i < 60 && off + 7 < OBS_VAL_MAX_FMT; i++)
		off += (size_t)snprintf(want + off, sizeof(want) - off, "%s%u", off > start ? "," : "",
		    (unsigned)(oro[2 * i] << 8 | oro[2 * i + 1]));
	ck_assert_uint_gt(off, 240);
	dhcp_harness(&t, &dis_dhcp6, CLIENT_MAC, "fe80::7");
	put_u8(&b, 1); put_u8(&b, 0xaa); put_u8(&b, 0xbb); put_u8(&b, 0xcc);	/* Solicit */
	opt6(&b, 6, oro, sizeof(oro));
	duid_ll(&b);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, CLIENT_MAC, A_FINGERPRINT, want));
	harness_free(&t);
}
END_TEST

START_TEST(dhcp6_solicit_and_reply)
{
	static const uint8_t oro[] = { 0, 23, 0, 24, 0, 39 };
	static const uint8_t fq[] = { 0x01, 3, 'h', 'm', 'i', 4, 'l', 'a', 'b', '1', 0 };
	static const uint8_t vc[] = { 0, 0, 0x01, 0x37, 0, 8, 'M', 'S', 'F', 'T', ' ', '5', '.', '0' };
	struct harness t;
	struct bytebuf b = { .n = 0 }, ia = { .n = 0 }, addr = { .n = 0 };
	struct ipaddr a6;
	bool bound = false;

	dhcp_harness(&t, &dis_dhcp6, CLIENT_MAC, "fe80::7");
	put_u8(&b, 1); put_u8(&b, 0xaa); put_u8(&b, 0xbb); put_u8(&b, 0xcc);	/* Solicit */
	opt6(&b, 6, oro, sizeof(oro));
	duid_ll(&b);			/* after the ORO: still decides whom it describes */
	opt6(&b, 39, fq, sizeof(fq));
	opt6(&b, 16, vc, sizeof(vc));
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, CLIENT_MAC, A_FINGERPRINT, "dhcp6_oro:23,24,39"));
	ck_assert_ptr_nonnull(find_fact(&t.col, CLIENT_MAC, A_HOSTNAME, "hmi.lab1"));
	ck_assert_ptr_nonnull(find_fact(&t.col, CLIENT_MAC, A_SOFTWARE, "MSFT 5.0"));
	harness_free(&t);

	/* Reply from the server assigns 2001:db8::7 in an IA_NA */
	dhcp_harness(&t, &dis_dhcp6, "02:00:00:00:00:01", "fe80::1");
	ip_parse("2001:db8::7", &a6);
	put_bytes(&addr, a6.a, 16);
	put_be16(&addr, 0); put_be16(&addr, 100); put_be16(&addr, 0); put_be16(&addr, 200);
	put_be32(&ia, 1); put_be32(&ia, 50); put_be32(&ia, 80);	/* IAID, T1, T2 */
	opt6(&ia, 5, addr.b, addr.n);
	b.n = 0;
	put_u8(&b, 7); put_u8(&b, 0xaa); put_u8(&b, 0xbb); put_u8(&b, 0xcc);
	duid_ll(&b);
	opt6(&b, 3, ia.b, ia.n);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	for (size_t i = 0; i < t.col.n; i++)
		if (t.col.v[i].kind == OBS_ADDR && strcmp(t.col.v[i].mac, CLIENT_MAC) == 0 &&
		    strcmp(t.col.v[i].ip, "2001:db8::7") == 0 && strcmp(t.col.v[i].src, "dhcp6") == 0)
			bound = true;
	ck_assert(bound);
	ck_assert_uint_eq(t.st.counters[1], 1);		/* server_msgs */
	harness_free(&t);
}
END_TEST

START_TEST(dhcp6_malformed)
{
	struct harness t;
	struct bytebuf b = { .n = 0 };

	dhcp_harness(&t, &dis_dhcp6, CLIENT_MAC, "fe80::7");
	ck_assert_int_eq(harness_feed(&t, (const uint8_t *)"\x01\x00", 2), DISS_SHORT);
	ck_assert_int_eq(harness_feed(&t, (const uint8_t *)"\x00\x00\x00\x01", 4), DISS_MALFORMED);
	/* option length past the end; an FQDN label running past its option */
	put_u8(&b, 1); put_u8(&b, 0); put_u8(&b, 0); put_u8(&b, 1);
	opt6(&b, 39, "\x01\x09hmi", 5);
	put_be16(&b, 16); put_be16(&b, 500); put_bytes(&b, "xx", 2);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_MALFORMED);
	ck_assert_uint_eq(t.st.counters[3], 1);		/* bad_option */
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_HOSTNAME, NULL));
	/* relayed messages are counted, not unwrapped */
	b.n = 0;
	put_u8(&b, 12); put_u8(&b, 0); put_u8(&b, 0); put_u8(&b, 0);
	opt6(&b, 39, "\x01\x03hmi\x00", 6);
	ck_assert_int_eq(harness_feed(&t, b.b, b.n), DISS_OK);
	ck_assert_uint_eq(t.st.counters[2], 1);		/* relayed */
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_HOSTNAME, NULL));
	harness_free(&t);
}
END_TEST

/* --- real captures ------------------------------------------------------ */

/* Client messages (DISCOVER, REQUEST, DECLINE, RELEASE, INFORM) come from 0.0.0.0 or the client. */
static bool
from_client(json_t *e)
{
	json_int_t t = json_integer_value(json_object_get(e, "msg_type"));

	return t == 1 || t == 3 || t == 4 || t == 7 || t == 8;
}

static void
check_capture(const char *rel)
{
	struct expected_run r;
	json_t *e;
	size_t i;

	expected_run_open(&r, rel, "dhcp", false);
	json_array_foreach(r.facts, i, e) {
		const char *mac = json_string_value(json_object_get(e, "client_mac"));
		const char *hn = json_string_value(json_object_get(e, "hostname"));
		const char *vc = json_string_value(json_object_get(e, "vendor_class"));
		const char *req = json_string_value(json_object_get(e, "requested_ip"));
		const char *your = json_string_value(json_object_get(e, "your_ip"));
		const char *srcip = json_string_value(json_object_get(e, "src_ip"));
		json_int_t type = json_integer_value(json_object_get(e, "msg_type"));
		char note[64];

		if (hn)
			ck_assert_msg(find_fact_src(&r.col, mac, A_HOSTNAME, hn, "dhcp/12"),
			    "%s: hostname %s on %s", rel, hn, mac);
		if (vc)
			ck_assert_msg(find_fact_src(&r.col, from_client(e) ? mac : srcip, A_SOFTWARE, vc,
			    "dhcp/vendor_class"), "%s: vendor class %s", rel, vc);
		if (req) {
			snprintf(note, sizeof(note), "dhcp requested %s", req);
			ck_assert_msg(find_fact(&r.col, mac, A_NOTE, note), "%s: %s", rel, note);
		}
		/* ACK, or a plain BOOTP reply, assigns your_ip */
		if (your && strcmp(your, "0.0.0.0") != 0 &&
		    (type == 5 || json_is_null(json_object_get(e, "msg_type"))))
			ck_assert_msg(has_addr(&r.col, mac, your, "dhcp"), "%s: %s bound to %s", rel,
			    mac, your);
		if (type == 5 && srcip)
			ck_assert_msg(find_fact(&r.col, srcip, A_ROLE, "dhcp_server"), "%s: server %s",
			    rel, srcip);
	}
	expected_run_close(&r);
}

START_TEST(pcap_dhcp_mud) { check_capture("dhcp/tcpdump__dhcp-mud.pcap"); } END_TEST
START_TEST(pcap_zeek_dhcp) { check_capture("dhcp/zeek__dhcp.pcap"); } END_TEST
START_TEST(pcap_zeek_time) { check_capture("dhcp/zeek__dhcp_time_and_nameserver.pcap"); } END_TEST
START_TEST(pcap_enip) { check_capture("enip/iti__EIP-IPAddressChangeAttempt.pcap"); } END_TEST
START_TEST(pcap_profinet) { check_capture("profinet/icsnpp-profinet-io-cm__profinet_io_cm_mixed_1.pcap"); } END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("dhcp");
	TCase *u = tcase_create("unit"), *p = tcase_create("pcap");

	tcase_add_test(u, relayed_discover_describes_chaddr);
	tcase_add_test(u, ack_binds_yiaddr_and_names_the_server);
	tcase_add_test(u, offer_does_not_bind);
	tcase_add_test(u, bootp_reply_binds);
	tcase_add_test(u, malformed_inputs);
	tcase_add_test(u, dhcp6_solicit_and_reply);
	tcase_add_test(u, dhcp6_long_oro);
	tcase_add_test(u, dhcp6_malformed);
	suite_add_tcase(s, u);
	tcase_set_timeout(p, 60);
	tcase_add_test(p, pcap_dhcp_mud);
	tcase_add_test(p, pcap_zeek_dhcp);
	tcase_add_test(p, pcap_zeek_time);
	tcase_add_test(p, pcap_enip);
	tcase_add_test(p, pcap_profinet);
	suite_add_tcase(s, p);
	return s;
}
