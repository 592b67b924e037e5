/*
 * test_text.c - core's text helpers: the string builder (growing, and over
 * the caller's storage as the TLS dissector uses it) and the one UTF-8
 * decoder the store, the export and the CLI share.
 */
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "sbuf.h"
#include "utf8.h"

START_TEST(growing_builder_keeps_every_byte)
{
	struct sbuf b = { 0 };
	char *s;

	for (int i = 0; i < 1000; i++)
		sb_putn(&b, i % 2 ? "b" : "a", 1);
	sb_hex(&b, 0x1b, "\\");
	ck_assert(!sb_failed(&b));
	s = sb_take(&b);
	ck_assert_uint_eq(strlen(s), 1004);
	ck_assert_int_eq(strncmp(s, "abab", 4), 0);
	ck_assert_str_eq(s + 1000, "\\x1b");
	free(s);
}
END_TEST

/* A fixed buffer of 8 holds 7 bytes and the NUL; the 8th byte is refused. */
START_TEST(fixed_builder_stops_at_its_end_and_says_so)
{
	char mem[8];
	struct sbuf b = SB_FIXED(mem);

	sb_puts(&b, "1234567");
	ck_assert(!sb_failed(&b));
	ck_assert_str_eq(b.p, "1234567");
	ck_assert_ptr_eq(b.p, mem);
	sb_puts(&b, "8");
	ck_assert(sb_failed(&b));
	ck_assert_uint_eq(b.len, 7);
	ck_assert_str_eq(mem, "1234567");	/* nothing written past the end */
	sb_puts(&b, "");			/* sticky: still failed */
	ck_assert(sb_failed(&b));
	sb_reset(&b);
	ck_assert(!sb_failed(&b));
	ck_assert_uint_eq(b.len, 0);
	sb_puts(&b, "abc");
	ck_assert_str_eq(mem, "abc");
	ck_assert_ptr_eq(b.p, mem);
}
END_TEST

static const struct {
	const char	*bytes;
	size_t		 left;
	size_t		 len;	/* what utf8_decode says */
	uint32_t	 cp;
} seqs[] = {
	{ "A", 1, 1, 0x41 },
	{ "", 1, 1, 0 },			/* NUL: valid, the caller decides */
	{ "\xc3\xa9", 2, 2, 0xe9 },
	{ "\xe2\x82\xac", 3, 3, 0x20ac },
	{ "\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff },	/* the last code point */
	{ "\xc0\x80", 2, 0, 0 },		/* overlong NUL */
	{ "\xc1\xbf", 2, 0, 0 },		/* overlong */
	{ "\xe0\x80\x80", 3, 0, 0 },		/* overlong in three */
	{ "\xf0\x80\x80\x80", 4, 0, 0 },	/* overlong in four */
	{ "\xed\xa0\x80", 3, 0, 0 },		/* surrogate U+D800 */
	{ "\xf4\x90\x80\x80", 4, 0, 0 },	/* U+110000 */
	{ "\xf5\x80\x80\x80", 4, 0, 0 },
	{ "\x80", 1, 0, 0 },			/* a lone continuation byte */
	{ "\xc3\x41", 2, 0, 0 },		/* not a continuation */
	{ "\xe2\x82\xac", 2, 0, 0 },		/* truncated by left */
};

START_TEST(decoder_accepts_exactly_the_valid_sequences)
{
	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		uint32_t cp = 0xdead;
		size_t n = utf8_decode((const unsigned char *)seqs[i].bytes, seqs[i].left, &cp);

		ck_assert_msg(n == seqs[i].len, "case %zu: length %zu, not %zu", i, n, seqs[i].len);
		if (n)
			ck_assert_msg(cp == seqs[i].cp, "case %zu: U+%04X", i, (unsigned)cp);
	}
}
END_TEST

START_TEST(len_refuses_nul_and_shown_len_hidden_characters)
{
	ck_assert_uint_eq(utf8_len((const unsigned char *)"", 1), 0);
	ck_assert_uint_eq(utf8_len((const unsigned char *)"\xc3\xa9", 2), 2);
	ck_assert_uint_eq(utf8_shown_len((const unsigned char *)"\xc3\xa9", 2), 2);
	ck_assert_uint_eq(utf8_shown_len((const unsigned char *)"\xe2\x80\xae", 3), 0);	/* RLO */
	ck_assert_uint_eq(utf8_shown_len((const unsigned char *)"\xc2\x9b", 2), 0);	/* C1 CSI */
	ck_assert_uint_eq(utf8_shown_len((const unsigned char *)"\xef\xbb\xbf", 3), 0);	/* BOM */
	ck_assert_uint_eq(utf8_shown_len((const unsigned char *)"x", 1), 1);
}
END_TEST

/* The one rule of what is shown escaped (utf8.h), at each edge of each range. */
static const struct { uint32_t cp; bool esc; } rule[] = {
	{ 0x00, true }, { 0x01, true }, { 0x09, true }, { 0x0a, true }, { 0x1b, true },	/* C0 */
	{ 0x1f, true }, { 0x20, false }, { 0x7e, false },
	{ 0x7f, true },								/* DEL */
	{ 0x80, true }, { 0x85, true }, { 0x9b, true }, { 0x9f, true },		/* C1 */
	{ 0xa0, false }, { 0xe9, false },
	{ 0x061b, false }, { 0x061c, true }, { 0x061d, false },			/* ALM */
	{ 0x200a, false }, { 0x200b, true }, { 0x200c, true }, { 0x200d, true },	/* zero-width */
	{ 0x200e, true }, { 0x200f, true }, { 0x2010, false },			/* LRM, RLM */
	{ 0x2027, false }, { 0x2028, true }, { 0x2029, true },			/* LS, PS */
	{ 0x202a, true }, { 0x202b, true }, { 0x202c, true }, { 0x202d, true },	/* embeddings, */
	{ 0x202e, true }, { 0x202f, false },					/* overrides */
	{ 0x205f, false }, { 0x2060, true }, { 0x2061, false },			/* word joiner */
	{ 0x2065, false }, { 0x2066, true }, { 0x2067, true }, { 0x2068, true },	/* isolates */
	{ 0x2069, true }, { 0x206a, false },
	{ 0xfefe, false }, { 0xfeff, true }, { 0xff00, false },			/* ZWNBSP / BOM */
	{ 0x1f600, false }, { 0x10ffff, false },
};

/* cp as UTF-8 into b (4 bytes of room); its length. */
static size_t
utf8_put(uint32_t cp, unsigned char *b)
{
	if (cp < 0x80)
		return b[0] = (unsigned char)cp, 1;
	if (cp < 0x800)
		return b[0] = (unsigned char)(0xc0 | cp >> 6), b[1] = (unsigned char)(0x80 | (cp & 0x3f)), 2;
	if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	b[0] = (unsigned char)(0xf0 | cp >> 18);
	b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	b[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

START_TEST(one_rule_for_controls_bidi_and_zero_width)
{
	for (size_t i = 0; i < sizeof(rule) / sizeof(rule[0]); i++) {
		unsigned char b[4];
		size_t n = utf8_put(rule[i].cp, b);

		ck_assert_msg(utf8_cp_escaped(rule[i].cp) == rule[i].esc, "U+%04X", (unsigned)rule[i].cp);
		if (rule[i].cp >= 0x80)	/* from U+0080 on the decoder's answer is the rule's */
			ck_assert_msg((utf8_shown_len(b, n) == 0) == rule[i].esc, "U+%04X shown_len",
			    (unsigned)rule[i].cp);
	}
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("text");

	tcase_add_test(tc, growing_builder_keeps_every_byte);
	tcase_add_test(tc, fixed_builder_stops_at_its_end_and_says_so);
	tcase_add_test(tc, decoder_accepts_exactly_the_valid_sequences);
	tcase_add_test(tc, len_refuses_nul_and_shown_len_hidden_characters);
	tcase_add_test(tc, one_rule_for_controls_bidi_and_zero_width);
	suite_add_tcase(s, tc);
	return s;
}
