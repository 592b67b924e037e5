/*
 * test_flow.c - the flow table: client/server decision, both directions
 * on one flow, LRU eviction at the cap, idle timeouts.
 */
#include <stdio.h>
#include <string.h>

#include "support.h"
#include "decode.h"
#include "flow.h"
#include "sw_limits.h"

static int released;

static void
count_release(void *arg, struct flow *f)
{
	(void)arg;
	(void)f;
	released++;
}

static bool
port_502_serves(void *arg, uint8_t proto, uint16_t port)
{
	(void)arg;
	return proto == L4_TCP && port == 502;
}

static struct pkt
tcp_pkt(const char *sip, uint16_t sport, const char *dip, uint16_t dport,
    uint8_t flags, uint64_t ts)
{
	static uint8_t f[128];
	struct decode_stats st;
	struct pkt p;
	size_t n = build_tcp4(f, sizeof(f), "00:1b:1b:01:02:03", "00:0e:8c:aa:bb:cc",
	    sip, dip, sport, dport, 1, flags, NULL, 0);

	memset(&st, 0, sizeof(st));
	ck_assert_int_eq(decode_packet(LINK_ETHERNET, f, (uint32_t)n, (uint32_t)n, ts, &p, &st), DECODE_OK);
	return p;
}

static uint16_t
srv_port(struct flow_table *ft, struct pkt p)
{
	int dir;
	struct flow *f = flow_lookup(ft, &p, &dir, port_502_serves, NULL);

	ck_assert_ptr_nonnull(f);
	return f->srv.port;
}

START_TEST(syn_decides_the_client)
{
	struct flow_table *ft = flow_table_new(16, NULL, NULL);

	/* SYN from the high port: it is the client */
	ck_assert_uint_eq(srv_port(ft, tcp_pkt("10.0.0.1", 3000, "10.0.0.2", 4000, TH_SYN, 1)), 4000);
	/* SYN-ACK from 6000: 6000 serves even though 5000 is lower */
	ck_assert_uint_eq(srv_port(ft, tcp_pkt("10.0.0.1", 6000, "10.0.0.2", 5000, TH_SYN | TH_ACK, 1)), 6000);
	flow_table_free(ft);
}
END_TEST

START_TEST(well_known_port_then_lower_port)
{
	struct flow_table *ft = flow_table_new(16, NULL, NULL);

	/* mid-stream: 502 is a dissector port, so it serves although 300 is lower */
	ck_assert_uint_eq(srv_port(ft, tcp_pkt("10.0.0.1", 502, "10.0.0.2", 300, TH_ACK, 1)), 502);
	/* neither known: the lower port serves */
	ck_assert_uint_eq(srv_port(ft, tcp_pkt("10.0.0.3", 45000, "10.0.0.4", 8443, TH_ACK, 1)), 8443);
	flow_table_free(ft);
}
END_TEST

START_TEST(both_directions_share_one_flow)
{
	struct flow_table *ft = flow_table_new(16, NULL, NULL);
	struct pkt a = tcp_pkt("10.0.0.1", 40000, "10.0.0.2", 502, TH_SYN, 1);
	struct pkt b = tcp_pkt("10.0.0.2", 502, "10.0.0.1", 40000, TH_SYN | TH_ACK, 2);
	int da, db;
	struct flow *fa = flow_lookup(ft, &a, &da, port_502_serves, NULL);
	struct flow *fb = flow_lookup(ft, &b, &db, port_502_serves, NULL);

	ck_assert_ptr_eq(fa, fb);
	ck_assert_int_eq(da, 0);
	ck_assert_int_eq(db, 1);
	ck_assert_uint_eq(flow_table_stats(ft)->active, 1);
	flow_table_free(ft);
}
END_TEST

START_TEST(the_cap_evicts_the_least_recently_seen)
{
	struct flow_table *ft = flow_table_new(4, count_release, NULL);
	char ip[32];
	struct pkt first = tcp_pkt("10.0.1.0", 1000, "10.0.0.2", 502, TH_SYN, 1);
	int dir;

	released = 0;
	flow_lookup(ft, &first, &dir, port_502_serves, NULL);
	for (int i = 1; i < 4; i++) {
		snprintf(ip, sizeof(ip), "10.0.1.%d", i);
		struct pkt p = tcp_pkt(ip, 1000, "10.0.0.2", 502, TH_SYN, (uint64_t)i + 1);
		flow_lookup(ft, &p, &dir, port_502_serves, NULL);
	}
	first.ts_us = 10;
	flow_lookup(ft, &first, &dir, port_502_serves, NULL);	/* touch: now most recent */
	struct pkt extra = tcp_pkt("10.0.2.1", 1000, "10.0.0.2", 502, TH_SYN, 11);
	flow_lookup(ft, &extra, &dir, port_502_serves, NULL);
	ck_assert_uint_eq(flow_table_stats(ft)->evicted, 1);
	ck_assert_uint_eq(flow_table_stats(ft)->active, 4);
	ck_assert_int_eq(released, 1);
	/* the touched flow survived: looking it up creates nothing */
	flow_lookup(ft, &first, &dir, port_502_serves, NULL);
	ck_assert_uint_eq(flow_table_stats(ft)->created, 5);
	/* 10.0.1.1 was the oldest and is gone: it comes back as a new flow */
	struct pkt gone = tcp_pkt("10.0.1.1", 1000, "10.0.0.2", 502, TH_SYN, 12);
	flow_lookup(ft, &gone, &dir, port_502_serves, NULL);
	ck_assert_uint_eq(flow_table_stats(ft)->created, 6);
	flow_table_free(ft);
}
END_TEST

START_TEST(idle_flows_expire_by_packet_time)
{
	struct flow_table *ft = flow_table_new(16, count_release, NULL);
	struct pkt t = tcp_pkt("10.0.0.1", 1000, "10.0.0.2", 502, TH_SYN, 1000000);
	struct pkt u;
	struct decode_stats st;
	uint8_t f[128];
	int dir;
	size_t n = build_udp4(f, sizeof(f), "00:1b:1b:01:02:03", "00:0e:8c:aa:bb:cc",
	    "10.0.0.1", "10.0.0.2", 1000, 47808, (const uint8_t *)"x", 1);

	memset(&st, 0, sizeof(st));
	decode_packet(LINK_ETHERNET, f, (uint32_t)n, (uint32_t)n, 1000000, &u, &st);
	released = 0;
	flow_lookup(ft, &t, &dir, port_502_serves, NULL)->last_us = t.ts_us;
	flow_lookup(ft, &u, &dir, port_502_serves, NULL)->last_us = u.ts_us;
	flow_expire(ft, 1000000 + (FLOW_IDLE_UDP_S - 1) * 1000000ull, FLOW_EXPIRE_MAX);
	ck_assert_uint_eq(flow_table_stats(ft)->active, 2);
	flow_expire(ft, 1000000 + (FLOW_IDLE_UDP_S + 1) * 1000000ull, FLOW_EXPIRE_MAX);
	ck_assert_uint_eq(flow_table_stats(ft)->active, 1);	/* UDP gone, TCP stays */
	ck_assert_uint_eq(flow_expire(ft, 1000000 + (FLOW_IDLE_TCP_S + 1) * 1000000ull, 0), 0);	/* capped */
	flow_expire(ft, 1000000 + (FLOW_IDLE_TCP_S + 1) * 1000000ull, FLOW_EXPIRE_MAX);
	ck_assert_uint_eq(flow_table_stats(ft)->active, 0);
	ck_assert_uint_eq(flow_table_stats(ft)->expired, 2);
	ck_assert_int_eq(released, 2);
	flow_table_free(ft);
}
END_TEST

/*
 * A connection whose last packets are its FINs (no final ACK seen) ages on
 * the closed timeout, not the open one; an open one beside it stays.
 */
START_TEST(closed_by_its_last_packet_ages_fast)
{
	struct flow_table *ft = flow_table_new(16, count_release, NULL);
	uint64_t t0 = 1000000;
	struct pkt syn = tcp_pkt("10.0.0.1", 1000, "10.0.0.2", 502, TH_SYN, t0);
	struct pkt fin1 = tcp_pkt("10.0.0.1", 1000, "10.0.0.2", 502, TH_FIN | TH_ACK, t0 + 1000);
	struct pkt fin2 = tcp_pkt("10.0.0.2", 502, "10.0.0.1", 1000, TH_FIN | TH_ACK, t0 + 2000);
	struct pkt other = tcp_pkt("10.0.0.3", 1001, "10.0.0.2", 502, TH_SYN, t0 + 3000);
	struct flow *f;
	int dir;

	released = 0;
	f = flow_lookup(ft, &syn, &dir, port_502_serves, NULL);
	f->last_us = syn.ts_us;
	f = flow_lookup(ft, &fin1, &dir, port_502_serves, NULL);
	f->last_us = fin1.ts_us;
	f = flow_lookup(ft, &fin2, &dir, port_502_serves, NULL);
	f->last_us = fin2.ts_us;
	ck_assert_uint_eq(f->fin_seen, 3);
	flow_lookup(ft, &other, &dir, port_502_serves, NULL)->last_us = other.ts_us;
	flow_expire(ft, t0 + (FLOW_IDLE_TCP_CLOSED_S + 1) * 1000000ull, FLOW_EXPIRE_MAX);
	ck_assert_uint_eq(flow_table_stats(ft)->active, 1);
	ck_assert_int_eq(released, 1);
	flow_table_free(ft);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("flow");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, syn_decides_the_client);
	tcase_add_test(tc, well_known_port_then_lower_port);
	tcase_add_test(tc, both_directions_share_one_flow);
	tcase_add_test(tc, the_cap_evicts_the_least_recently_seen);
	tcase_add_test(tc, idle_flows_expire_by_packet_time);
	tcase_add_test(tc, closed_by_its_last_packet_ages_fast);
	suite_add_tcase(s, tc);
	return s;
}
