/*
 * test_strcut.c - str_cutf (core/strcut.c): a text that fits is whole, a
 * cut one says so and ends in "...", whatever the buffer's size.
 */
#include <string.h>

#include "support.h"
#include "strcut.h"

START_TEST(fits_exactly_or_is_marked_as_cut)
{
	char b[8], tiny[3];

	ck_assert(str_cutf(b, sizeof(b), "%s:%d", "abc", 12));
	ck_assert_str_eq(b, "abc:12");
	ck_assert(str_cutf(b, sizeof(b), "%s", "1234567"));	/* 7 + NUL: whole */
	ck_assert_str_eq(b, "1234567");
	ck_assert(!str_cutf(b, sizeof(b), "%s", "12345678"));
	ck_assert_str_eq(b, "1234...");
	ck_assert(!str_cutf(tiny, sizeof(tiny), "%s", "abcdef"));	/* no room for the mark */
	ck_assert_str_eq(tiny, "ab");
	ck_assert(!str_cutf(b, 0, "%s", "x"));
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("strcut");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, fits_exactly_or_is_marked_as_cut);
	suite_add_tcase(s, tc);
	return s;
}
