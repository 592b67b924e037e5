/*
 * test_decode.c - layer 2-4 decoding from byte vectors: valid frames of
 * each encapsulation, and short or lying headers at every layer.
 */
#include <string.h>
#include <arpa/inet.h>

#include "support.h"
#include "decode.h"
#include "sw_limits.h"

static struct decode_stats st;
static struct pkt p;

static enum decode_rc
dec(const uint8_t *f, size_t n)
{
	return decode_packet(LINK_ETHERNET, f, (uint32_t)n, (uint32_t)n, 1, &p, &st);
}

static void
setup(void)
{
	memset(&st, 0, sizeof(st));
}

START_TEST(ethernet_ipv4_tcp_payload)
{
	uint8_t f[256];
	size_t n = build_tcp4(f, sizeof(f), "00:1b:1b:01:02:03", "00:0e:8c:aa:bb:cc",
	    "10.0.0.1", "10.0.0.2", 40000, 502, 77, TH_ACK | TH_PUSH,
	    (const uint8_t *)"hello", 5);
	char ip[IP_STRLEN], mac[MAC_STRLEN];

	ck_assert_int_eq(dec(f, n), DECODE_OK);
	mac_fmt(p.src_mac, mac);
	ck_assert_str_eq(mac, "00:1b:1b:01:02:03");
	ip_fmt(&p.dst_ip, ip);
	ck_assert_str_eq(ip, "10.0.0.2");
	ck_assert_uint_eq(p.sport, 40000);
	ck_assert_uint_eq(p.dport, 502);
	ck_assert_uint_eq(p.seq, 77);
	ck_assert_uint_eq(p.payload_len, 5);
	ck_assert_int_eq(memcmp(p.payload, "hello", 5), 0);
	ck_assert_uint_eq(st.eth, 1);
	ck_assert_uint_eq(st.ipv4, 1);
	ck_assert_uint_eq(st.tcp, 1);
}
END_TEST

START_TEST(ethernet_padding_is_not_payload)
{
	uint8_t f[256];
	size_t n = build_udp4(f, sizeof(f), "00:1b:1b:01:02:03", "ff:ff:ff:ff:ff:ff",
	    "10.0.0.1", "10.0.0.255", 47808, 47808, (const uint8_t *)"ab", 2);

	memset(f + n, 0, 20);		/* short frame padded to 60 bytes */
	ck_assert_int_eq(dec(f, n + 20), DECODE_OK);
	ck_assert_uint_eq(p.payload_len, 2);
	ck_assert_uint_eq(st.udp, 1);
}
END_TEST

START_TEST(stacked_vlans_record_the_outer_id)
{
	uint8_t inner[128], f[160];
	size_t n = build_udp4(inner, sizeof(inner), "00:1b:1b:01:02:03", "00:0e:8c:aa:bb:cc",
	    "10.0.0.1", "10.0.0.2", 1000, 161, (const uint8_t *)"x", 1);

	/* dst, src, 88a8 tci=100, 8100 tci=200, then the inner Ethertype onward */
	memcpy(f, inner, 12);
	f[12] = 0x88; f[13] = 0xa8; f[14] = 0x00; f[15] = 100;
	f[16] = 0x81; f[17] = 0x00; f[18] = 0x00; f[19] = 200;
	memcpy(f + 20, inner + 12, n - 12);
	ck_assert_int_eq(dec(f, n + 8), DECODE_OK);
	ck_assert_uint_eq(p.vlan, 100);
	ck_assert_uint_eq(p.nvlan, 2);
	ck_assert_uint_eq(p.dport, 161);
	ck_assert_uint_eq(st.vlan, 1);
}
END_TEST

START_TEST(endless_vlan_tags_stop_at_the_layer_cap)
{
	uint8_t f[14 + 4 * 600];

	memset(f, 0, sizeof(f));
	f[12] = 0x81; f[13] = 0x00;
	for (size_t i = 14; i + 4 <= sizeof(f); i += 4) {
		f[i + 2] = 0x81;	/* each tag says "another tag follows" */
		f[i + 3] = 0x00;
	}
	ck_assert_int_eq(dec(f, sizeof(f)), DECODE_MALFORMED);
	ck_assert_uint_eq(st.too_many_layers, 1);
	ck_assert_uint_le(p.layers, MAX_LAYERS + 1);
}
END_TEST

START_TEST(truncated_at_every_layer_is_counted)
{
	uint8_t f[256];
	size_t n = build_tcp4(f, sizeof(f), "00:1b:1b:01:02:03", "00:0e:8c:aa:bb:cc",
	    "10.0.0.1", "10.0.0.2", 40000, 502, 1, TH_ACK, NULL, 0);

	ck_assert_uint_eq(n, 54);
	ck_assert_int_eq(dec(f, 10), DECODE_SHORT);
	ck_assert_uint_eq(st.eth_short, 1);
	ck_assert_int_eq(dec(f, 14 + 12), DECODE_SHORT);
	ck_assert_uint_eq(st.ipv4_short, 1);
	ck_assert_int_eq(dec(f, 14 + 20 + 10), DECODE_SHORT);
	ck_assert_uint_eq(st.tcp_short, 1);
	ck_assert_uint_eq(st.tcp, 0);
}
END_TEST

/*
 * A capture cut by its snap length (caplen < wirelen, the IP length
 * claiming more than was kept) keeps the headers it has: the TCP or UDP
 * header and the payload bytes captured.  Its failed clamp once marked the
 * body bad, so the TCP header counted as short and the packet was lost.
 */
START_TEST(a_cut_capture_keeps_its_headers)
{
	uint8_t f[256], pay[100], l3[40 + 8 + 8 + 40];
	size_t n;

	memset(pay, 'x', sizeof(pay));
	n = build_tcp4(f, sizeof(f), "00:1b:1b:01:02:03", "00:0e:8c:aa:bb:cc",
	    "10.0.0.1", "10.0.0.2", 40000, 502, 1, TH_ACK, pay, sizeof(pay));
	ck_assert_int_eq(decode_packet(LINK_ETHERNET, f, 14 + 20 + 20 + 10, (uint32_t)n, 1, &p, &st),
	    DECODE_OK);
	ck_assert_uint_eq(p.dport, 502);
	ck_assert_uint_eq(p.payload_len, 10);
	ck_assert_uint_eq(st.tcp, 1);
	ck_assert_uint_eq(st.tcp_short, 0);

	n = build_udp4(f, sizeof(f), "00:1b:1b:01:02:03", "ff:ff:ff:ff:ff:ff",
	    "10.0.0.1", "10.0.0.255", 47808, 47808, pay, sizeof(pay));
	ck_assert_int_eq(decode_packet(LINK_ETHERNET, f, 14 + 20 + 8 + 4, (uint32_t)n, 1, &p, &st),
	    DECODE_OK);
	ck_assert_uint_eq(p.dport, 47808);
	ck_assert_uint_eq(p.payload_len, 4);

	memset(l3, 0, sizeof(l3));
	l3[0] = 0x60;
	l3[5] = 8 + 8 + 40;		/* payload length */
	l3[6] = 0;			/* next: hop-by-hop */
	l3[8] = 0xfe; l3[9] = 0x80; l3[23] = 1;
	l3[24] = 0xfe; l3[25] = 0x80; l3[39] = 2;
	l3[40] = 17;			/* hop-by-hop: next UDP */
	l3[48] = 0x02; l3[49] = 0x22;	/* 546 -> 547 */
	l3[50] = 0x02; l3[51] = 0x23;
	l3[53] = 48;
	n = build_eth(f, sizeof(f), "00:1b:1b:01:02:03", "33:33:00:01:00:02", 0x86dd, l3, sizeof(l3));
	ck_assert_int_eq(decode_packet(LINK_ETHERNET, f, 14 + 40 + 8 + 8 + 3, (uint32_t)n, 1, &p, &st),
	    DECODE_OK);
	ck_assert_uint_eq(p.dport, 547);
	ck_assert_uint_eq(p.payload_len, 3);
}
END_TEST

START_TEST(lying_ip_and_tcp_headers_are_malformed)
{
	uint8_t f[256];
	size_t n = build_tcp4(f, sizeof(f), "00:1b:1b:01:02:03", "00:0e:8c:aa:bb:cc",
	    "10.0.0.1", "10.0.0.2", 40000, 502, 1, TH_ACK, NULL, 0);
	uint8_t g[256];

	memcpy(g, f, n);
	g[14] = 0x43;			/* IHL 3: shorter than the fixed header */
	ck_assert_int_eq(dec(g, n), DECODE_MALFORMED);
	ck_assert_uint_eq(st.ipv4_bad_header, 1);
	memcpy(g, f, n);
	g[16] = 0; g[17] = 10;		/* total length 10 < header */
	ck_assert_int_eq(dec(g, n), DECODE_MALFORMED);
	ck_assert_uint_eq(st.ipv4_bad_length, 1);
	memcpy(g, f, n);
	g[14 + 20 + 12] = 2 << 4;	/* TCP data offset 8 bytes */
	ck_assert_int_eq(dec(g, n), DECODE_MALFORMED);
	ck_assert_uint_eq(st.tcp_bad_offset, 1);
	memcpy(g, f, n);
	g[14 + 20 + 12] = 15 << 4;	/* 60-byte header, 20 present */
	ck_assert_int_eq(dec(g, n), DECODE_SHORT);
	ck_assert_uint_eq(st.tcp_short, 1);
}
END_TEST

START_TEST(udp_length_below_header_is_malformed)
{
	uint8_t f[256];
	size_t n = build_udp4(f, sizeof(f), "00:1b:1b:01:02:03", "00:0e:8c:aa:bb:cc",
	    "10.0.0.1", "10.0.0.2", 1000, 161, (const uint8_t *)"xyz", 3);

	f[14 + 20 + 5] = 4;		/* UDP length 4 */
	ck_assert_int_eq(dec(f, n), DECODE_MALFORMED);
	ck_assert_uint_eq(st.udp_bad_length, 1);
}
END_TEST

START_TEST(ipv4_fragments_are_counted_not_decoded)
{
	uint8_t f[256];
	size_t n = build_udp4(f, sizeof(f), "00:1b:1b:01:02:03", "00:0e:8c:aa:bb:cc",
	    "10.0.0.1", "10.0.0.2", 1000, 161, (const uint8_t *)"xyz", 3);

	f[14 + 6] = 0x20;		/* MF */
	ck_assert_int_eq(dec(f, n), DECODE_OK);
	ck_assert(p.frag);
	ck_assert(!p.has_l4);
	ck_assert_uint_eq(st.ip_fragment, 1);
}
END_TEST

/* IPv6 + hop-by-hop (8 bytes) + UDP. */
START_TEST(ipv6_extension_headers_are_walked)
{
	uint8_t l3[40 + 8 + 8 + 2], f[128];
	size_t n;

	memset(l3, 0, sizeof(l3));
	l3[0] = 0x60;
	l3[5] = 8 + 8 + 2;		/* payload length */
	l3[6] = 0;			/* next: hop-by-hop */
	l3[7] = 255;
	l3[8] = 0xfe; l3[9] = 0x80; l3[23] = 1;		/* fe80::1 */
	l3[24] = 0xfe; l3[25] = 0x80; l3[39] = 2;	/* fe80::2 */
	l3[40] = 17;			/* hop-by-hop: next UDP, len 0 (8 bytes) */
	l3[48] = 0x02; l3[49] = 0x22;	/* 546 -> 547 DHCPv6 */
	l3[50] = 0x02; l3[51] = 0x23;
	l3[53] = 10;
	l3[56] = 'h'; l3[57] = 'i';
	n = build_eth(f, sizeof(f), "00:1b:1b:01:02:03", "33:33:00:01:00:02", 0x86dd, l3, sizeof(l3));
	ck_assert_int_eq(dec(f, n), DECODE_OK);
	ck_assert_uint_eq(p.src_ip.fam, IPFAM_V6);
	ck_assert_uint_eq(p.dport, 547);
	ck_assert_uint_eq(p.payload_len, 2);
	ck_assert_uint_eq(st.ipv6, 1);
	/* an extension header whose length runs past the packet */
	l3[41] = 20;
	n = build_eth(f, sizeof(f), "00:1b:1b:01:02:03", "33:33:00:01:00:02", 0x86dd, l3, sizeof(l3));
	ck_assert_int_eq(dec(f, n), DECODE_SHORT);
	ck_assert_uint_eq(st.ipv6_short, 1);
}
END_TEST

START_TEST(arp_reply_binds_mac_and_ip)
{
	static const uint8_t arp[28] = {
		0, 1, 0x08, 0, 6, 4, 0, 2,
		0x00, 0x1b, 0x1b, 1, 2, 3, 192, 168, 0, 10,
		0x00, 0x0e, 0x8c, 4, 5, 6, 192, 168, 0, 1 };
	uint8_t f[64];
	size_t n = build_eth(f, sizeof(f), "00:1b:1b:01:02:03", "00:0e:8c:04:05:06", 0x0806, arp, sizeof(arp));
	char ip[IP_STRLEN];

	ck_assert_int_eq(dec(f, n), DECODE_OK);
	ck_assert(p.is_arp);
	ck_assert_uint_eq(p.arp_op, 2);
	ip_fmt(&p.arp_spa, ip);
	ck_assert_str_eq(ip, "192.168.0.10");
	ck_assert_int_eq(dec(f, n - 5), DECODE_SHORT);
	ck_assert_uint_eq(st.arp_short, 1);
	f[14 + 4] = 8;			/* hlen 8: not Ethernet/IPv4 ARP */
	ck_assert_int_eq(dec(f, n), DECODE_MALFORMED);
	ck_assert_uint_eq(st.arp_malformed, 1);
}
END_TEST

START_TEST(llc_snap_cisco_frames_expose_the_protocol_id)
{
	static const uint8_t llc[] = { 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00, 0x02, 0xb4 };
	uint8_t f[64];
	size_t n = build_eth(f, sizeof(f), "00:1b:1b:01:02:03", "01:00:0c:cc:cc:cc", sizeof(llc), llc, sizeof(llc));

	ck_assert_int_eq(dec(f, n), DECODE_OK);
	ck_assert(p.llc_snap);
	ck_assert_uint_eq(p.snap_oui, 0x00000c);
	ck_assert_uint_eq(p.snap_pid, 0x2000);
	ck_assert_uint_eq(p.l2pay_len, 2);
	ck_assert_int_eq(dec(f, 14 + 5), DECODE_SHORT);
	ck_assert_uint_eq(st.llc_short, 1);
}
END_TEST

START_TEST(linux_cooked_and_raw_ip)
{
	uint8_t f[256], sll[256];
	size_t n = build_udp4(f, sizeof(f), "00:1b:1b:01:02:03", "00:0e:8c:aa:bb:cc",
	    "10.0.0.1", "10.0.0.2", 1000, 161, (const uint8_t *)"xyz", 3);

	/* raw IP: the frame without its Ethernet header */
	ck_assert_int_eq(decode_packet(LINK_RAW, f + 14, (uint32_t)(n - 14), (uint32_t)(n - 14), 1, &p, &st), DECODE_OK);
	ck_assert_uint_eq(p.dport, 161);
	/* SLL v1: type 0 (to us), ARPHRD_ETHER, addr len 6, addr, protocol */
	memset(sll, 0, 16);
	sll[3] = 1; sll[5] = 6;
	memcpy(sll + 6, f + 6, 6);
	sll[14] = 0x08; sll[15] = 0x00;
	memcpy(sll + 16, f + 14, n - 14);
	ck_assert_int_eq(decode_packet(LINK_SLL, sll, (uint32_t)(n + 2), (uint32_t)(n + 2), 1, &p, &st), DECODE_OK);
	ck_assert_uint_eq(p.src_mac[5], 0x03);
	ck_assert_uint_eq(p.dport, 161);
	ck_assert_int_eq(decode_packet(LINK_SLL, sll, 10, 10, 1, &p, &st), DECODE_SHORT);
	ck_assert_uint_eq(st.sll_short, 1);
	ck_assert(!decode_linktype_supported(105));	/* 802.11 */
	ck_assert_int_eq(decode_packet(105, f, (uint32_t)n, (uint32_t)n, 1, &p, &st), DECODE_MALFORMED);
	ck_assert_uint_eq(st.unknown_link, 1);
}
END_TEST

/* ip_fmt writes IPv4 by hand (it runs per observation in the store): as inet_ntop does. */
START_TEST(ip_fmt_matches_inet_ntop)
{
	static const uint8_t v4[][4] = {
		{ 0, 0, 0, 0 }, { 255, 255, 255, 255 }, { 10, 0, 0, 1 }, { 100, 200, 3, 45 },
		{ 9, 99, 199, 250 }, { 192, 168, 100, 10 },
	};
	char got[IP_STRLEN], want[IP_STRLEN];
	struct ipaddr a;
	uint32_t x = 2463534242u;

	for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]) + 5000; i++) {
		uint8_t b[4];

		if (i < sizeof(v4) / sizeof(v4[0]))
			memcpy(b, v4[i], 4);
		else {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;	/* xorshift: any address */
			memcpy(b, &x, 4);
		}
		ip_set4(&a, b);
		ip_fmt(&a, got);
		ck_assert_ptr_nonnull(inet_ntop(AF_INET, b, want, sizeof(want)));
		ck_assert_str_eq(got, want);
	}
	ck_assert(ip_parse("2001:db8::7:1", &a));
	ip_fmt(&a, got);
	ck_assert_str_eq(got, "2001:db8::7:1");
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("decode");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, ethernet_ipv4_tcp_payload);
	tcase_add_test(tc, ethernet_padding_is_not_payload);
	tcase_add_test(tc, stacked_vlans_record_the_outer_id);
	tcase_add_test(tc, endless_vlan_tags_stop_at_the_layer_cap);
	tcase_add_test(tc, truncated_at_every_layer_is_counted);
	tcase_add_test(tc, a_cut_capture_keeps_its_headers);
	tcase_add_test(tc, lying_ip_and_tcp_headers_are_malformed);
	tcase_add_test(tc, udp_length_below_header_is_malformed);
	tcase_add_test(tc, ipv4_fragments_are_counted_not_decoded);
	tcase_add_test(tc, ipv6_extension_headers_are_walked);
	tcase_add_test(tc, arp_reply_binds_mac_and_ip);
	tcase_add_test(tc, llc_snap_cisco_frames_expose_the_protocol_id);
	tcase_add_test(tc, linux_cooked_and_raw_ip);
	tcase_add_test(tc, ip_fmt_matches_inet_ntop);
	suite_add_tcase(s, tc);
	return s;
}
