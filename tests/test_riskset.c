/*
 * test_riskset.c - the bounded, ordered set of assets a batch re-evaluates
 * (store/riskset.c): full at its cap and counted, order kept, entries taken
 * back exactly, merges in place, and a long random run against a plain list.
 */
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "riskset.h"

static struct riskset r;

static void
setup(void)
{
	ck_assert_int_eq(riskset_init(&r, 8), 0);
}

static void
teardown(void)
{
	riskset_free(&r);
}

START_TEST(full_at_its_cap_and_order_kept)
{
	for (int64_t id = 1; id <= 8; id++)
		ck_assert_int_eq(riskset_add(&r, id * 1000), RISKSET_ADDED);
	ck_assert_int_eq(riskset_add(&r, 3000), RISKSET_PRESENT);	/* present: not full */
	ck_assert_int_eq(riskset_add(&r, 9000), RISKSET_FULL);
	ck_assert(!riskset_has(&r, 9000));
	ck_assert_uint_eq(riskset_len(&r), 8);
	for (size_t i = 0; i < 8; i++)
		ck_assert_int_eq(riskset_at(&r, i), (int64_t)(i + 1) * 1000);
	riskset_clear(&r);
	ck_assert_uint_eq(riskset_len(&r), 0);
	ck_assert(!riskset_has(&r, 1000));
	ck_assert_int_eq(riskset_add(&r, 9000), RISKSET_ADDED);
}
END_TEST

START_TEST(truncate_takes_back_what_came_after_the_mark)
{
	size_t mark;

	riskset_add(&r, 5);
	riskset_add(&r, 6);
	mark = riskset_len(&r);
	riskset_add(&r, 7);
	riskset_add(&r, 8);
	riskset_truncate(&r, mark);
	ck_assert_uint_eq(riskset_len(&r), 2);
	ck_assert(riskset_has(&r, 5) && riskset_has(&r, 6));
	ck_assert(!riskset_has(&r, 7) && !riskset_has(&r, 8));
	ck_assert_int_eq(riskset_add(&r, 7), RISKSET_ADDED);
	ck_assert_int_eq(riskset_at(&r, 2), 7);
}
END_TEST

START_TEST(a_merged_asset_gives_its_place_to_the_gateway)
{
	riskset_add(&r, 10);
	riskset_add(&r, 11);
	riskset_add(&r, 12);
	ck_assert_int_eq(riskset_replace(&r, 11, 99), RISKSET_ADDED);
	ck_assert_int_eq(riskset_at(&r, 1), 99);
	ck_assert(!riskset_has(&r, 11) && riskset_has(&r, 99));
	/* into one already listed: the merged one's place is left empty */
	ck_assert_int_eq(riskset_replace(&r, 12, 10), RISKSET_PRESENT);
	ck_assert_int_eq(riskset_at(&r, 2), 0);
	ck_assert(!riskset_has(&r, 12));
	/* from not listed: the gateway is added at the end */
	ck_assert_int_eq(riskset_replace(&r, 50, 51), RISKSET_ADDED);
	ck_assert_int_eq(riskset_at(&r, 3), 51);
	ck_assert_uint_eq(riskset_len(&r), 4);
}
END_TEST

/* Ids chosen to collide in a small table: every probe path is exercised. */
START_TEST(random_run_matches_a_plain_list)
{
	int64_t model[8];
	size_t n = 0;

	srand(14);
	for (int step = 0; step < 200000; step++) {
		int op = rand() % 10;
		int64_t id = 1 + rand() % 24, to = 1 + rand() % 24;
		size_t i, j;

		if (op < 6) {
			enum riskset_rc want = RISKSET_ADDED;

			for (i = 0; i < n && model[i] != id; i++)
				;
			if (i < n)
				want = RISKSET_PRESENT;
			else if (n == 8)
				want = RISKSET_FULL;
			else
				model[n++] = id;
			ck_assert_int_eq(riskset_add(&r, id), want);
		} else if (op < 8) {
			for (i = 0; i < n && model[i] != id; i++)
				;
			for (j = 0; j < n && model[j] != to; j++)
				;
			if (to == id)
				continue;
			if (i == n && j == n && n < 8)
				model[n++] = to;
			else if (i < n)
				model[i] = j < n ? 0 : to;
			riskset_replace(&r, id, to);
		} else if (op == 8) {
			size_t mark = n ? (size_t)rand() % (n + 1) : 0;

			n = mark;
			riskset_truncate(&r, mark);
		} else {
			n = 0;
			riskset_clear(&r);
		}
		ck_assert_uint_eq(riskset_len(&r), n);
		for (i = 0; i < n; i++)
			ck_assert_int_eq(riskset_at(&r, i), model[i]);
		for (int64_t k = 1; k <= 24; k++) {
			bool in = false;

			for (i = 0; i < n; i++)
				in = in || model[i] == k;
			ck_assert_int_eq(riskset_has(&r, k), in);
		}
	}
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("riskset");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, full_at_its_cap_and_order_kept);
	tcase_add_test(tc, truncate_takes_back_what_came_after_the_mark);
	tcase_add_test(tc, a_merged_asset_gives_its_place_to_the_gateway);
	tcase_add_test(tc, random_run_matches_a_plain_list);
	suite_add_tcase(s, tc);
	return s;
}
