/*
 * test_storer.c - the store's writer thread: a batch runs off the caller's
 * thread, its result and counters come back once it has ended, a failed
 * batch leaves its observations in the inbox for the next one, and the
 * end of the thread finishes the batch in progress.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "support.h"
#include "store_support.h"
#include "obsq.h"
#include "storer.h"

static struct store_fx fx;

static void setup(void) { store_fx_open(&fx, "storer", false); }
static void teardown(void) { store_fx_close(&fx); }

/* n address sightings of distinct hosts into q. */
static void
hosts(struct obsq *q, int n)
{
	for (int i = 0; i < n; i++) {
		char mac[18], ip[16];
		struct obs o = { .kind = OBS_ADDR, .ts_us = (uint64_t)(1000 + i) * 1000000, .src = "ip" };

		snprintf(mac, sizeof(mac), "00:0e:8c:00:%02x:%02x", i >> 8, i & 0xff);
		snprintf(ip, sizeof(ip), "10.0.%d.%d", i >> 8, 1 + (i & 0x7f));
		o.who = asset_ref_of(mac, ip);
		ck_assert(obsq_move(q, &o));
	}
}

START_TEST(a_batch_is_stored_on_the_writer_thread_and_its_result_taken_once)
{
	char err[256];
	struct storer *sw = storer_new(fx.st, err, sizeof(err));
	struct store_stats ss;
	uint64_t used = 0;
	long n = 0;

	ck_assert_msg(sw != NULL, "%s", err);
	ck_assert(!storer_busy(sw));
	ck_assert(!storer_result(sw, &n));	/* nothing ran yet */
	hosts(storer_inbox(sw), 300);
	storer_start(sw);
	storer_wait(sw);
	ck_assert(!storer_busy(sw));
	ck_assert(storer_result(sw, &n));
	ck_assert_int_eq(n, 300);
	ck_assert(!storer_result(sw, &n));	/* once */
	ck_assert_uint_eq(obsq_len(storer_inbox(sw)), 0);
	storer_stats(sw, &ss, &used);
	ck_assert_uint_eq(ss.batches, 1);
	ck_assert_uint_eq(ss.applied, 300);
	ck_assert_uint_eq(ss.assets_created, 300);
	ck_assert_uint_gt(used, 0);
	storer_ack(sw);	/* the eventfd said so, and reads empty */
	storer_free(sw);
	ck_assert_int_eq(store_fx_scalar(&fx, "SELECT count(*) FROM assets"), 300);
}
END_TEST

START_TEST(a_failed_batch_keeps_its_observations_for_the_next)
{
	char err[256];
	struct storer *sw = storer_new(fx.st, err, sizeof(err));
	sqlite3 *other;
	long n = 0;

	ck_assert_msg(sw != NULL, "%s", err);
	hosts(storer_inbox(sw), 40);
	/* another connection holds the write lock: the batch fails as busy */
	ck_assert_int_eq(sqlite3_open(fx.path, &other), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	storer_start(sw);
	storer_wait(sw);
	ck_assert(storer_result(sw, &n));
	ck_assert_int_eq(n, -1);
	ck_assert_uint_eq(obsq_len(storer_inbox(sw)), 40);
	ck_assert_int_eq(store_last_fault(fx.st), STORE_FAULT_BUSY);
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
	storer_start(sw);
	storer_wait(sw);
	ck_assert(storer_result(sw, &n));
	ck_assert_int_eq(n, 40);
	storer_free(sw);
	ck_assert_int_eq(store_fx_scalar(&fx, "SELECT count(*) FROM assets"), 40);
}
END_TEST

START_TEST(freeing_the_writer_finishes_the_batch_in_progress)
{
	char err[256];
	struct storer *sw = storer_new(fx.st, err, sizeof(err));

	ck_assert_msg(sw != NULL, "%s", err);
	hosts(storer_inbox(sw), 2000);
	storer_start(sw);
	storer_free(sw);	/* no wait: free joins after the batch */
	ck_assert_int_eq(store_fx_scalar(&fx, "SELECT count(*) FROM assets"), 2000);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("storer");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, a_batch_is_stored_on_the_writer_thread_and_its_result_taken_once);
	tcase_add_test(tc, a_failed_batch_keeps_its_observations_for_the_next);
	tcase_add_test(tc, freeing_the_writer_finishes_the_batch_in_progress);
	suite_add_tcase(s, tc);
	return s;
}
