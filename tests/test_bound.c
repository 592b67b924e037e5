/*
 * test_bound.c - a bounded database: a flood of new senders is one event
 * and no assets; a plant's first start is no flood, nor a new segment as
 * large as the known plant; held senders become assets when they show evidence; the
 * size budget prunes unvouched assets first; old events expire.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "support.h"
#include "store_support.h"
#include "obsq.h"
#include "risk.h"
#include "store.h"
#include "sw_limits.h"
#include "vendors.h"

static struct store_fx fx;	/* the database, its queue and sink (store_support.h) */

static void setup(void) { store_fx_open(&fx, "bound", false); }
static void teardown(void) { store_fx_close(&fx); }

static void
limits(uint64_t max_bytes, int keep_days, int burst, int per_min)
{
	struct store_limits l = { max_bytes, keep_days, burst, per_min, 0 };

	store_set_limits(fx.st, &l);
}

/* Host n: MAC 02:00:xx:xx:xx:xx is locally administered; use a global one. */
static struct asset_ref
host(uint32_t n)
{
	struct asset_ref r;

	memset(&r, 0, sizeof(r));
	r.mac[0] = 0x00;
	r.mac[1] = 0x11;
	r.mac[2] = (uint8_t)(n >> 24);
	r.mac[3] = (uint8_t)(n >> 16);
	r.mac[4] = (uint8_t)(n >> 8);
	r.mac[5] = (uint8_t)n;
	r.ip.fam = 4;
	r.ip.a[0] = 10;
	r.ip.a[1] = (uint8_t)(n >> 16);
	r.ip.a[2] = (uint8_t)(n >> 8);
	r.ip.a[3] = (uint8_t)(n | 1);
	return r;
}

static void
sent(uint32_t n, uint64_t t)
{
	struct obs o = { .kind = OBS_ADDR, .ts_us = t * 1000000, .who = host(n), .src = "ip" };

	obs_emit(&fx.sink, &o);
}

static void
fact(uint32_t n, const char *attr, const char *val, uint8_t conf, uint64_t t)
{
	struct obs o = { .kind = OBS_FACT, .ts_us = t * 1000000, .who = host(n), .attr = attr,
	    .val = val, .val_len = strlen(val), .src = "test/ident", .conf = conf };

	obs_emit(&fx.sink, &o);
}

static void ingest(void) { store_fx_drain(&fx); }
static long long count(const char *sql) { return store_fx_scalar(&fx, sql); }

START_TEST(flood_is_one_event_and_no_assets)
{
	struct store_stats ss;

	limits(0, 0, 50, 60);
	/* ten real hosts, well before the flood, stated identities */
	for (uint32_t n = 0; n < 10; n++) {
		sent(n, 1000);
		fact(n, "vendor", "Real Maker", 90, 1000);
	}
	ingest();
	ck_assert_int_eq(count("SELECT count(*) FROM assets"), 10);
	/* 20,000 spoofed senders within two seconds */
	for (uint32_t n = 1000; n < 21000; n++) {
		sent(n, 2000 + n / 10000);
		if (obsq_len(fx.q) > 4000)
			ingest();
	}
	ingest();
	ck_assert_int_eq(count("SELECT count(*) FROM assets"), 10);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE kind = 'flood'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE kind = 'asset_new'"), 10);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE kind = 'flood' AND "
	    "detail LIKE '%20000 new MAC or IP addresses held back%'"), 1);
	store_get_stats(fx.st, &ss);
	ck_assert_uint_eq(ss.floods, 1);
	ck_assert_uint_eq(ss.flood_senders, 20000);

	/* a held sender that states an identity is an asset at once */
	fact(5000, "hostname", "plc-7", 90, 2003);
	/* one that keeps sending for FLOOD_PROMOTE_S is one too; one seen again sooner is not */
	sent(6000, 2000 + FLOOD_PROMOTE_S + 1);
	sent(7000, 2001);
	ingest();
	ck_assert_int_eq(count("SELECT count(*) FROM assets"), 12);
	ck_assert_int_eq(count("SELECT count(*) FROM evidence WHERE value = 'plc-7'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM assets WHERE mac = '00:11:00:00:1b:58'"), 0);
	store_get_stats(fx.st, &ss);
	ck_assert_uint_eq(ss.flood_promoted, 2);
}
END_TEST

START_TEST(the_burst_before_the_flood_is_taken_back)
{
	limits(0, 0, 100, 60);
	sent(1, 100);			/* a real host, long before */
	fact(1, "model", "X-200", 90, 100);
	ingest();
	for (uint32_t n = 1000; n < 1500; n++)	/* the first 100 of these get in, then the flood */
		sent(n, 5000);
	ingest();
	ck_assert_int_eq(count("SELECT count(*) FROM assets"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE kind = 'asset_new'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE kind = 'flood' AND "
	    "detail LIKE '%100 of them assets of the first seconds, taken back%'"), 1);
}
END_TEST

/* n hosts from `from` on, all first seen at t, ingested in batches */
static void
crowd(uint32_t from, uint32_t n, uint64_t t)
{
	for (uint32_t i = from; i < from + n; i++) {
		sent(i, t);
		if (obsq_len(fx.q) > 4000)
			ingest();
	}
	ingest();
}

START_TEST(a_first_start_on_a_big_plant_is_no_flood_a_later_flood_is)
{
	struct store_limits l = { 0, 0, 1024, 120, 16384 };

	store_set_limits(fx.st, &l);
	crowd(0, 5000, 1000);		/* 5,000 devices in the first second of a first start */
	ck_assert_int_eq(count("SELECT count(*) FROM assets"), 5000);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE kind = 'flood'"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE kind = 'asset_new'"), 5000);
	/* after the first start's window: 20,000 spoofed senders in two seconds */
	for (uint32_t n = 100000; n < 120000; n++) {
		sent(n, 1000 + FLOOD_FIRST_START_S + 60 + (n - 100000) / 10000);
		if (obsq_len(fx.q) > 4000)
			ingest();
	}
	ingest();
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE kind = 'flood'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM assets"), 5000);	/* the plant, none spoofed */
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE kind = 'flood' AND "
	    "detail LIKE 'more new senders than 5000 at once%'"), 1);
}
END_TEST

START_TEST(a_flood_within_the_first_start_is_still_one)
{
	struct store_limits l = { 0, 0, 1024, 120, 16384 };

	store_set_limits(fx.st, &l);
	crowd(0, 50, 1000);
	crowd(100000, 40000, 1100);	/* far beyond the first start's burst, in one second */
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE kind = 'flood'"), 1);
	/* the burst's spoofed assets are taken back; the 50 of 100 s before stay */
	ck_assert_int_eq(count("SELECT count(*) FROM assets"), 50);
}
END_TEST

START_TEST(a_new_segment_as_large_as_the_known_plant_is_no_flood)
{
	struct store_limits l = { 0, 0, 1024, 120, 16384 };
	long long later = 1000 + FLOOD_FIRST_START_S + 3600;

	store_set_limits(fx.st, &l);
	crowd(0, 3000, 1000);		/* the first start */
	crowd(10000, 2500, later);	/* an hour later: the 3,000 known make the burst 3,000 */
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE kind = 'flood'"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM assets"), 5500);
	crowd(20000, 20000, later + 600);	/* four times the plant at once: a flood */
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE kind = 'flood'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM assets"), 5500);
}
END_TEST

START_TEST(below_the_rate_nothing_is_held)
{
	limits(0, 0, 10, 60);
	/* one new host a second: the rate (60 a minute) keeps up */
	for (uint32_t n = 0; n < 200; n++)
		sent(n, 1000 + n);
	ingest();
	ck_assert_int_eq(count("SELECT count(*) FROM assets"), 200);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE kind = 'flood'"), 0);
}
END_TEST

START_TEST(budget_prunes_unvouched_assets_first)
{
	struct store_stats ss;
	uint64_t budget = 512 << 10;

	limits(0, 0, 1, 0);		/* no flood handling: the budget alone */
	fact(7, "vendor", "Vouched Maker", 90, 10);
	sent(7, 10);
	for (uint32_t n = 100; n < 20100; n++) {
		sent(n, 20 + n % 5);
		if (obsq_len(fx.q) > 4000)
			ingest();
	}
	ingest();
	ck_assert_uint_gt(store_used_bytes(fx.st), budget);
	limits(budget, 0, 1, 0);
	ck_assert_int_gt(store_maintain(fx.st), 0);
	ck_assert_uint_le(store_used_bytes(fx.st), budget / 100 * STORE_PRUNE_AT_PCT);
	ck_assert_int_eq(count("SELECT count(*) FROM assets WHERE mac = '00:11:00:00:00:07'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE asset_id IS NULL"), 0);
	store_get_stats(fx.st, &ss);
	ck_assert_uint_gt(ss.pruned_assets, 1000);
	/* what remains is consistent: no row names a deleted asset */
	ck_assert_int_eq(count("SELECT count(*) FROM addresses WHERE asset_id NOT IN (SELECT id FROM assets)"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM evidence WHERE asset_id NOT IN (SELECT id FROM assets)"), 0);
}
END_TEST

START_TEST(old_events_expire_by_packet_time)
{
	limits(0, 30, 1000, 1000);
	sent(1, 1000000);
	ingest();
	ck_assert_int_gt(count("SELECT count(*) FROM events WHERE ts = 1000000"), 0);
	sent(2, 1000000 + 31 * 86400);
	ingest();
	ck_assert_int_ge(store_maintain(fx.st), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE ts = 1000000"), 0);
	ck_assert_int_gt(count("SELECT count(*) FROM events WHERE ts > 1000000"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM assets"), 2);	/* assets stay */
}
END_TEST

/*
 * More assets in one batch than the risk set holds: every one still gets
 * its verdict, each once, given early as the set fills, none deferred.
 */
START_TEST(a_batch_beyond_the_risk_set_evaluates_every_asset_once)
{
	const uint32_t n = STORE_RISK_MAX + 500;
	char err[512];
	struct vendors *v = vendors_load("oui/vendors.csv", NULL, err, sizeof(err));
	struct risk_policy *p = risk_policy_load("packaging/risk.conf", err, sizeof(err));
	struct store_stats ss;

	ck_assert_ptr_nonnull(v);
	ck_assert_ptr_nonnull(p);
	store_set_risk(fx.st, v, p);
	limits(0, 0, (int)n, (int)n);
	obsq_free(fx.q);
	fx.q = obsq_new(n);
	fx.sink = obsq_sink(fx.q);
	for (uint32_t i = 0; i < n; i++)
		sent(i, 1000);
	ck_assert_uint_eq(obsq_len(fx.q), n);
	ck_assert_int_eq(store_ingest(fx.st, fx.q), (long)n);	/* one batch */
	ck_assert_int_eq(count("SELECT count(*) FROM assets"), n);
	ck_assert_int_eq(count("SELECT count(*) FROM risk"), n);
	store_get_stats(fx.st, &ss);
	ck_assert_uint_eq(ss.batches, 1);
	ck_assert_uint_eq(ss.risk_evaluations, n);
	ck_assert_uint_ge(ss.risk_early, 1);
	ck_assert_uint_eq(ss.risk_deferred, 0);
	store_set_risk(fx.st, NULL, NULL);
	vendors_free(v);
	risk_policy_free(p);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("bound");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, flood_is_one_event_and_no_assets);
	tcase_add_test(tc, the_burst_before_the_flood_is_taken_back);
	tcase_add_test(tc, a_first_start_on_a_big_plant_is_no_flood_a_later_flood_is);
	tcase_add_test(tc, a_flood_within_the_first_start_is_still_one);
	tcase_add_test(tc, a_new_segment_as_large_as_the_known_plant_is_no_flood);
	tcase_add_test(tc, below_the_rate_nothing_is_held);
	tcase_add_test(tc, budget_prunes_unvouched_assets_first);
	tcase_add_test(tc, old_events_expire_by_packet_time);
	tcase_add_test(tc, a_batch_beyond_the_risk_set_evaluates_every_asset_once);
	suite_add_tcase(s, tc);
	return s;
}
