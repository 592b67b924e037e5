/*
 * test_convagg.c - the observation reducers of the capture path: the
 * repeat filter (packet/factcache.h), the per-conversation traffic sums
 * (packet/convagg.c), and that nDPI is spared the flows our dissectors
 * parse.
 */
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "convagg.h"
#include "factcache.h"

#define T0	1764374400000000ull	/* packet time, microseconds */

/* Hashes that land in one set of the cache: same bits 17 and up after finalising. */
static size_t
same_set_keys(uint64_t *out, size_t want)
{
	struct fact_cache *probe = calloc(1, sizeof(*probe));
	size_t n = 0;

	ck_assert_ptr_nonnull(probe);
	/* find raw keys whose set index equals that of key 1, by trying them */
	for (uint64_t k = 1; n < want && k < 50000000; k++) {
		memset(probe, 0, sizeof(*probe));
		fc_should_send(probe, 1, T0);
		fc_should_send(probe, k, T0);
		for (size_t s = 0; s < FACT_CACHE_SLOTS / FC_WAYS; s++)
			if (probe->set[s].key[0] && probe->set[s].key[1]) {
				out[n++] = k;
				break;
			}
	}
	free(probe);
	return n;
}

/*
 * fc_hash as it was written, the tail read with memcpy into a zeroed word:
 * the fact cache's sets, and so which repeats are suppressed, depend on
 * every bit of it.
 */
static uint64_t
hash_memcpy(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t w;

	for (; n >= 8; n -= 8, b += 8) {
		memcpy(&w, b, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, b, n);
	h = (h ^ w ^ ((uint64_t)n << 56)) * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}

/* The loads of fc_tail give the same hash for every length and alignment. */
START_TEST(fc_hash_tail_unchanged)
{
	uint8_t buf[64];
	uint32_t seed = 99;

	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i < sizeof(buf); i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (uint8_t)(seed >> 16);
		}
		for (size_t off = 0; off < 8; off++)
			for (size_t n = 0; n + off <= 40; n++)
				ck_assert_uint_eq(fc_hash(FC_SEED, buf + off, n),
				    hash_memcpy(FC_SEED, buf + off, n));
	}
	ck_assert_uint_eq(fc_hash_static(FC_SEED, "modbus/unit"),
	    hash_memcpy(FC_SEED, "modbus/unit", 11));
}
END_TEST

/* Four facts that share a set are all remembered; the fifth pushes out the oldest. */
START_TEST(fact_cache_keeps_four_per_set)
{
	struct fact_cache *fc = calloc(1, sizeof(*fc));
	uint64_t k[5];

	ck_assert_ptr_nonnull(fc);
	ck_assert_uint_eq(same_set_keys(k, 5), 5);
	for (int i = 0; i < 4; i++)
		ck_assert(fc_should_send(fc, k[i], T0 + (uint64_t)i));
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 4; i++)
			ck_assert_msg(!fc_should_send(fc, k[i], T0 + 10 + (uint64_t)round),
			    "key %d sent again within the refresh time", i);
	ck_assert_uint_eq(fc->suppressed, 12);
	ck_assert(fc_should_send(fc, k[4], T0 + 20));	/* replaces k[0], sent longest ago */
	ck_assert(fc_should_send(fc, k[0], T0 + 21));
	ck_assert(!fc_should_send(fc, k[4], T0 + 22));
	/* after FACT_REFRESH_US a repeat goes out once more */
	ck_assert(fc_should_send(fc, k[4], T0 + 22 + FACT_REFRESH_US));
	free(fc);
}
END_TEST

struct peers {
	struct obs	 v[64];
	char		 proto[64][OBS_PROTO_MAX];
	size_t		 n;
};

static void
keep_peer(void *arg, const struct obs *o)
{
	struct peers *p = arg;

	ck_assert_int_eq(o->kind, OBS_PEER);
	ck_assert_uint_lt(p->n, 64);
	p->v[p->n] = *o;
	snprintf(p->proto[p->n], OBS_PROTO_MAX, "%s", o->proto);
	p->v[p->n].proto = p->proto[p->n];
	p->n++;
}

static struct obs
peer(const char *cli_ip, const char *srv_ip, uint16_t port, const char *proto,
    uint64_t pkts, uint64_t bytes, uint64_t ts)
{
	struct obs o;

	memset(&o, 0, sizeof(o));
	o.kind = OBS_PEER;
	o.ts_us = ts;
	ck_assert(ip_parse(cli_ip, &o.who.ip));
	ck_assert(ip_parse(srv_ip, &o.peer.ip));
	o.transport = L4_TCP;
	o.port = port;
	o.proto = proto;
	o.pkts = pkts;
	o.bytes = bytes;
	return o;
}

/* 100 short flows between two hosts reach the store as one conversation. */
START_TEST(flows_of_one_conversation_are_summed)
{
	struct convagg *ca = convagg_new();
	struct peers got = { .n = 0 };
	struct obs_sink sink = { keep_peer, &got };
	struct obs o;

	ck_assert_ptr_nonnull(ca);
	for (int i = 0; i < 100; i++) {
		o = peer("10.0.0.1", "10.0.0.2", 502, "modbus", 10, 700, T0 + (uint64_t)i * 1000);
		convagg_add(ca, &o, &sink);
	}
	o = peer("10.0.0.1", "10.0.0.2", 502, "Unknown", 3, 180, T0);	/* another protocol */
	convagg_add(ca, &o, &sink);
	o = peer("10.0.0.3", "10.0.0.2", 502, "modbus", 4, 280, T0 + 5);	/* another client */
	convagg_add(ca, &o, &sink);
	ck_assert_uint_eq(got.n, 0);		/* nothing before the drain */
	ck_assert(convagg_drain(ca, &sink, SIZE_MAX));
	ck_assert_uint_eq(got.n, 3);
	/* oldest first: the order the conversations first reported */
	ck_assert_str_eq(got.proto[0], "modbus");
	ck_assert_uint_eq(got.v[0].pkts, 1000);
	ck_assert_uint_eq(got.v[0].bytes, 70000);
	ck_assert_uint_eq(got.v[0].ts_us, T0 + 99 * 1000);	/* the latest report */
	ck_assert_str_eq(got.proto[1], "Unknown");
	ck_assert_uint_eq(got.v[1].pkts, 3);
	ck_assert_uint_eq(got.v[2].pkts, 4);
	ck_assert_uint_eq(convagg_stats(ca)->added, 102);
	ck_assert_uint_eq(convagg_stats(ca)->sent, 3);
	/* the table is empty again */
	got.n = 0;
	ck_assert(convagg_drain(ca, &sink, SIZE_MAX));
	ck_assert_uint_eq(got.n, 0);
	convagg_free(ca);
}
END_TEST

/* A drain in steps; a report arriving meanwhile goes on unsummed, never lost. */
START_TEST(drain_in_steps_loses_nothing)
{
	struct convagg *ca = convagg_new();
	struct peers got = { .n = 0 };
	struct obs_sink sink = { keep_peer, &got };
	char ip[32];
	struct obs o;
	uint64_t total = 0;

	for (int i = 0; i < 10; i++) {
		snprintf(ip, sizeof(ip), "10.0.1.%d", i + 1);
		o = peer(ip, "10.0.0.2", 102, "s7comm", (uint64_t)i + 1, 100, T0);
		convagg_add(ca, &o, &sink);
	}
	ck_assert(!convagg_drain(ca, &sink, 4));
	ck_assert_uint_eq(got.n, 4);
	o = peer("10.0.1.1", "10.0.0.2", 102, "s7comm", 1000, 100, T0 + 1);
	convagg_add(ca, &o, &sink);		/* mid-drain: handed on at once */
	ck_assert_uint_eq(got.n, 5);
	ck_assert_uint_eq(got.v[4].pkts, 1000);
	ck_assert(!convagg_drain(ca, &sink, 4));
	ck_assert(convagg_drain(ca, &sink, 4));
	ck_assert_uint_eq(got.n, 11);
	for (size_t i = 0; i < got.n; i++)
		total += got.v[i].pkts;
	ck_assert_uint_eq(total, 55 + 1000);
	ck_assert_uint_eq(convagg_stats(ca)->direct, 1);
	convagg_free(ca);
}
END_TEST

/* A full table hands reports on at once and counts them. */
START_TEST(full_table_hands_on_unsummed)
{
	struct convagg *ca = convagg_new();
	struct peers got = { .n = 0 };
	struct obs_sink sink = { keep_peer, &got };
	struct obs o;
	char ip[32];

	for (int i = 0; i < CONV_AGG_MAX; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.%d", (i >> 16) & 255, (i >> 8) & 255, i & 255);
		o = peer(ip, "10.255.0.1", 80, "http", 1, 60, T0);
		convagg_add(ca, &o, &sink);
	}
	ck_assert_uint_eq(got.n, 0);
	o = peer("10.254.0.1", "10.255.0.1", 80, "http", 7, 60, T0);
	convagg_add(ca, &o, &sink);
	ck_assert_uint_eq(got.n, 1);
	ck_assert_uint_eq(got.v[0].pkts, 7);
	ck_assert_uint_eq(convagg_stats(ca)->direct, 1);
	convagg_free(ca);
}
END_TEST

static const struct cobs *
peer_on_port(const struct collected *c, uint16_t port, int *count)
{
	const struct cobs *first = NULL;

	*count = 0;
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].kind == OBS_PEER && c->v[i].port == port) {
			if (first == NULL)
				first = &c->v[i];
			(*count)++;
		}
	return first;
}

static uint64_t
sum_pkts(const struct collected *c, uint16_t port)
{
	uint64_t n = 0;

	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].kind == OBS_PEER && c->v[i].port == port)
			n += c->v[i].pkts;
	return n;
}

/*
 * modbusSmall: 16 Modbus/TCP connections of 10 frames each between the
 * same two ends, and 3 DNS exchanges (tshark -z conv).  Every flow has a
 * dissector from its first packet (modbus, dns), so nDPI sees none; the
 * Modbus flows' traffic reaches the sink as one conversation, the DNS
 * exchanges as another.
 */
START_TEST(ndpi_only_for_flows_no_dissector_expects)
{
	struct collected c;
	struct pipeline *pl;
	const struct cobs *mb, *dns;
	int nmb, ndns;

	collected_init(&c);
	ck_assert_int_gt(run_pcap(shared_pcap("modbus/iti__modbusSmall.pcap"), &c, &pl), 0);
	ck_assert_int_eq(pipeline_counter(pl, "flows.created"), 19);
	ck_assert_int_eq(pipeline_counter(pl, "ndpi.classified"), 0);
	pipeline_free(pl);
	mb = peer_on_port(&c, 502, &nmb);
	dns = peer_on_port(&c, 53, &ndns);
	ck_assert_ptr_nonnull(mb);
	ck_assert_ptr_nonnull(dns);
	ck_assert_int_eq(nmb, 1);
	ck_assert_uint_eq(mb->pkts, 160);
	ck_assert_int_eq(ndns, 1);
	ck_assert_uint_eq(sum_pkts(&c, 53), 6);
	ck_assert_str_eq(mb->proto, "modbus");
	ck_assert_str_eq(dns->proto, "dns");
	collected_free(&c);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("convagg");
	TCase *u = tcase_create("unit"), *p = tcase_create("pcap");

	tcase_set_timeout(u, 60);
	tcase_add_test(u, fact_cache_keeps_four_per_set);
	tcase_add_test(u, fc_hash_tail_unchanged);
	tcase_add_test(u, flows_of_one_conversation_are_summed);
	tcase_add_test(u, drain_in_steps_loses_nothing);
	tcase_add_test(u, full_table_hands_on_unsummed);
	tcase_add_test(p, ndpi_only_for_flows_no_dissector_expects);
	suite_add_tcase(s, u);
	suite_add_tcase(s, p);
	return s;
}
