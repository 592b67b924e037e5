/*
 * test_cursor.c - the bounds-checked reader every dissector relies on.
 */
#include "support.h"
#include "cursor.h"

START_TEST(reads_big_and_little_endian)
{
	static const uint8_t b[] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0 };
	struct cur c = cur_make(b, sizeof(b));
	uint16_t v16;
	uint32_t v32;

	ck_assert(cur_be16(&c, &v16));
	ck_assert_uint_eq(v16, 0x1234);
	ck_assert(cur_le16(&c, &v16));
	ck_assert_uint_eq(v16, 0x7856);
	ck_assert(cur_be32(&c, &v32));
	ck_assert_uint_eq(v32, 0x9abcdef0);
	ck_assert_uint_eq(cur_left(&c), 0);
	ck_assert(cur_ok(&c));
}
END_TEST

START_TEST(short_read_fails_without_advancing_and_sticks)
{
	static const uint8_t b[] = { 1, 2, 3 };
	struct cur c = cur_make(b, sizeof(b));
	uint32_t v32 = 7;
	uint8_t v8;

	ck_assert(!cur_be32(&c, &v32));
	ck_assert_uint_eq(v32, 7);		/* untouched */
	ck_assert_uint_eq(cur_left(&c), 3);	/* not advanced */
	ck_assert(!cur_ok(&c));			/* sticky */
	ck_assert(cur_u8(&c, &v8));
	ck_assert_uint_eq(v8, 1);
	ck_assert(!cur_ok(&c));			/* still flagged */
}
END_TEST

START_TEST(take_clamps_the_sub_cursor)
{
	static const uint8_t b[] = { 0, 4, 0xaa, 0xbb, 0xcc, 0xdd, 0xee };
	struct cur c = cur_make(b, sizeof(b)), sub;
	uint16_t len;
	uint32_t v;

	ck_assert(cur_be16(&c, &len));
	ck_assert(cur_take(&c, len, &sub));
	ck_assert_uint_eq(cur_left(&sub), 4);
	ck_assert(cur_be32(&sub, &v));
	ck_assert(!cur_skip(&sub, 1));		/* cannot read into 0xee */
	ck_assert_uint_eq(cur_left(&c), 1);
	/* a length that lies */
	c = cur_make(b, sizeof(b));
	ck_assert(!cur_take(&c, 64, &sub));
	ck_assert_uint_eq(cur_left(&c), sizeof(b));
}
END_TEST

START_TEST(peek_and_find_stay_inside)
{
	static const uint8_t b[] = { 'a', 'b', '\r', '\n' };
	struct cur c = cur_make(b, sizeof(b));
	uint16_t v;
	uint8_t v8;

	ck_assert(cur_peek_be16(&c, 2, &v));
	ck_assert_uint_eq(v, 0x0d0a);
	ck_assert(!cur_peek_be16(&c, 3, &v));
	ck_assert(!cur_peek_u8(&c, 4, &v8));
	ck_assert_uint_eq(cur_find(&c, '\n'), 3);
	ck_assert_uint_eq(cur_find(&c, 'z'), (size_t)-1);
	ck_assert(cur_ok(&c));			/* peeks never flag */
	c = cur_make(NULL, 10);			/* NULL data means nothing to read */
	ck_assert_uint_eq(cur_left(&c), 0);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("cursor");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, reads_big_and_little_endian);
	tcase_add_test(tc, short_read_fails_without_advancing_and_sticks);
	tcase_add_test(tc, take_clamps_the_sub_cursor);
	tcase_add_test(tc, peek_and_find_stay_inside);
	suite_add_tcase(s, tc);
	return s;
}
