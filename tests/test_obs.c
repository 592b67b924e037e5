/*
 * test_obs.c - hostile strings made safe, and the bounded observation queue.
 */
#include <stdio.h>
#include <string.h>

#include "support.h"
#include "dissector.h"
#include "obsq.h"
#include "sw_limits.h"
#include "utf8.h"

static const char *
san(const char *in, size_t n)
{
	static char out[256];

	obs_sanitize(in, n, out, sizeof(out));
	return out;
}

START_TEST(sanitize_keeps_text_and_escapes_the_rest)
{
	ck_assert_str_eq(san("  Siemens AG  ", 14), "Siemens AG");
	ck_assert_str_eq(san("CPU\0garbage", 11), "CPU");		/* NUL ends it */
	ck_assert_str_eq(san("a\x1b[2Jb", 6), "a\\x1b[2Jb");		/* terminal escape */
	ck_assert_str_eq(san("line\nbreak", 10), "line\\x0abreak");
	ck_assert_str_eq(san("back\\slash", 10), "back\\\\slash");
	ck_assert_str_eq(san("caf\xc3\xa9", 5), "caf\xc3\xa9");		/* valid UTF-8 kept */
	ck_assert_str_eq(san("bad\xff\xfe", 5), "bad\\xff\\xfe");		/* invalid bytes */
	ck_assert_str_eq(san("over\xc0\xaflong", 10), "over\\xc0\\xaflong");	/* overlong '/' */
	ck_assert_str_eq(san("cut\xe2\x82", 5), "cut\\xe2\\x82");		/* truncated sequence */
	ck_assert_str_eq(san("c1\xc2\x9b", 4), "c1\\xc2\\x9b");		/* C1 CSI */
	ck_assert_str_eq(san("\"quoted\",x", 10), "\"quoted\",x");	/* quotes are the writers' job */
}
END_TEST

/* Characters that would make a name read differently on screen are shown as bytes. */
START_TEST(sanitize_escapes_bidi_and_invisible_characters)
{
	/* input: "a" X "b"; out: "a" and X's bytes as \xHH and "b" */
	static const struct { const char *x, *esc; } hide[] = {
		{ "\xe2\x80\xae", "\\xe2\\x80\\xae" },	/* RLO U+202E */
		{ "\xe2\x80\xaa", "\\xe2\\x80\\xaa" },	/* LRE U+202A */
		{ "\xe2\x81\xa6", "\\xe2\\x81\\xa6" },	/* LRI U+2066 */
		{ "\xe2\x81\xa9", "\\xe2\\x81\\xa9" },	/* PDI U+2069 */
		{ "\xe2\x80\x8b", "\\xe2\\x80\\x8b" },	/* ZWSP U+200B */
		{ "\xe2\x80\x8f", "\\xe2\\x80\\x8f" },	/* RLM U+200F */
		{ "\xd8\x9c", "\\xd8\\x9c" },		/* ALM U+061C */
		{ "\xef\xbb\xbf", "\\xef\\xbb\\xbf" },	/* BOM U+FEFF */
		{ "\xe2\x80\x8d", "\\xe2\\x80\\x8d" },	/* ZWJ U+200D */
		{ "\xe2\x81\xa0", "\\xe2\\x81\\xa0" },	/* WJ U+2060 */
		{ "\xe2\x80\xa8", "\\xe2\\x80\\xa8" },	/* LS U+2028 */
		{ "\xe2\x80\xa9", "\\xe2\\x80\\xa9" },	/* PS U+2029 */
		{ "\x7f", "\\x7f" },			/* DEL */
	};
	/* their neighbours stay text */
	static const char *const shown[] = {
		"\xe2\x80\xaf", "\xe2\x80\x8a", "\xe2\x81\xa5", "\xd8\x9b", "\xef\xbb\xbe",
		"\xe2\x80\xa7", "\xe2\x81\xa1", "\xc2\xa0",
	};
	char in[16], want[32];

	for (size_t i = 0; i < sizeof(hide) / sizeof(hide[0]); i++) {
		snprintf(in, sizeof(in), "a%sb", hide[i].x);
		snprintf(want, sizeof(want), "a%sb", hide[i].esc);
		ck_assert_str_eq(san(in, strlen(in)), want);
	}
	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		snprintf(in, sizeof(in), "a%sb", shown[i]);
		ck_assert_str_eq(san(in, strlen(in)), in);
	}
}
END_TEST

START_TEST(sanitize_never_overflows)
{
	char out[8];
	static const char evil[] = "\x01\x02\x03\x04\x05\x06\x07\x08";

	ck_assert_uint_le(obs_sanitize(evil, 8, out, sizeof(out)), 7);
	ck_assert_uint_eq(strlen(out), 4);	/* one whole escape fits, never half of one */
	ck_assert_str_eq(out, "\\x01");
	ck_assert_uint_eq(obs_sanitize("abc", 3, out, 1), 0);
	ck_assert_str_eq(out, "");
}
END_TEST

/* obs_sanitize as it was before its ASCII fast path: every byte through utf8_shown_len. */
static size_t
sanitize_ref(const char *in, size_t inlen, char *out, size_t outsz)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, o = 0, end;

	if (outsz == 0)
		return 0;
	for (end = 0; end < inlen && s[end] != 0; end++)
		;
	while (end > 0 && (s[end - 1] == ' ' || s[end - 1] == '\t' ||
	    s[end - 1] == '\r' || s[end - 1] == '\n'))
		end--;
	while (i < end && (s[i] == ' ' || s[i] == '\t'))
		i++;
	while (i < end) {
		size_t n = utf8_shown_len(s + i, end - i);

		if (n == 1 && s[i] >= 0x20 && s[i] != 0x7f && s[i] != '\\') {
			if (o + 1 >= outsz)
				break;
			out[o++] = (char)s[i++];
		} else if (n > 1) {
			if (o + n >= outsz)
				break;
			memcpy(out + o, s + i, n);
			o += n;
			i += n;
		} else if (s[i] == '\\') {
			if (o + 2 >= outsz)
				break;
			out[o++] = '\\';
			out[o++] = '\\';
			i++;
		} else {
			if (o + 4 >= outsz)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[s[i] >> 4];
			out[o++] = hex[s[i] & 15];
			i++;
		}
	}
	out[o] = '\0';
	return o;
}

/*
 * The same text as the reference for random bytes: mostly printable ASCII
 * with backslashes, controls, DEL, NULs, blanks at the ends, valid and
 * broken UTF-8 and hidden code points, every output size up to the longest.
 */
START_TEST(sanitize_fast_path_unchanged)
{
	static const char *const pieces[] = { "\\", "\x01", "\x7f", " ", "\t", "\r\n",
	    "\xc3\xa9", "\xe2\x80\xae", "\xef\xbb\xbf", "\xf0\x9f\x98\x80", "\xc3",
	    "\x80", "\xed\xa0\x80", "\xc2\x85", "\xff" };
	uint32_t seed = 7;
	char in[64], a[128], b[128];

	for (int round = 0; round < 3000; round++) {
		size_t n = 0, want;

		while (n < 48) {
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 4 == 0) {
				const char *p = pieces[(seed >> 20) % (sizeof(pieces) / sizeof(pieces[0]))];

				memcpy(in + n, p, strlen(p));
				n += strlen(p);
			} else
				in[n++] = (char)(0x20 + (seed >> 18) % 0x5f);
		}
		if (round % 50 == 0)
			in[n / 2] = '\0';
		want = sanitize_ref(in, n, a, sizeof(a));
		for (size_t sz = 0; sz <= want + 1; sz++) {
			memset(a, 'A', sizeof(a));
			memset(b, 'B', sizeof(b));
			ck_assert_uint_eq(obs_sanitize(in, n, b, sz), sanitize_ref(in, n, a, sz));
			if (sz > 0)
				ck_assert_str_eq(b, a);
		}
	}
}
END_TEST

extern const struct dissector dis_modbus;

/* diss_factf's value is what snprintf writes (cut to OBS_VAL_MAX_FMT - 1). */
#define FACTF_SAME(h, ...) do {							\
	char want_[OBS_VAL_MAX_FMT];						\
	int wn_ = snprintf(want_, sizeof(want_), __VA_ARGS__);			\
	size_t n0_ = (h)->col.n;						\
										\
	diss_factf(&(h)->dc, SIDE_SRC, A_NOTE, "test/factf", CONF_STATED, __VA_ARGS__); \
	if (wn_ <= 0) {								\
		ck_assert_uint_eq((h)->col.n, n0_);				\
		break;								\
	}									\
	ck_assert_uint_eq((h)->col.n, n0_ + 1);					\
	ck_assert_str_eq((h)->col.v[n0_].val, want_);				\
} while (0)

/*
 * diss_factf formats the usual conversions itself (fmt_quick) and leaves
 * the rest to vsnprintf: both give snprintf's text, at every width and
 * length, and a text too long is cut as snprintf cuts it.
 */
START_TEST(factf_as_snprintf)
{
	static const unsigned vals[] = { 0, 1, 9, 10, 99, 100, 0xf, 0x10, 0xfff, 0x1000,
	    0xffff, 0x10000, 65535, 1000000, 0x7fffffff, 0x80000000u, 0xfffffffeu, 0xffffffffu };
	char longs[300];
	struct harness h;

	harness_init(&h, &dis_modbus);
	harness_frame(&h, "02:00:00:00:00:01", "02:00:00:00:00:02");
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		unsigned v = vals[i], w = vals[(i + 5) % (sizeof(vals) / sizeof(vals[0]))];

		FACTF_SAME(&h, "cip:%u", v);
		FACTF_SAME(&h, "%u", v);
		FACTF_SAME(&h, "%u.%u", v, w);
		FACTF_SAME(&h, "0x%08x", v);
		FACTF_SAME(&h, "pn:0x%04x", v);
		FACTF_SAME(&h, "%x|%05u|%09x", v, w, v);
		FACTF_SAME(&h, "enip socket address %u.%u.%u.%u:%u", v & 255, w & 255, v >> 24, 7u, w);
		FACTF_SAME(&h, "%d %4u %lu", (int)v, w, (unsigned long)v);	/* vsnprintf's */
	}
	FACTF_SAME(&h, "workgroup %s", "PLANT");
	FACTF_SAME(&h, "%s", "");
	FACTF_SAME(&h, "%s=%.*s", "a", 2, "bcd");
	FACTF_SAME(&h, "100%% %u", 5u);
	memset(longs, 'x', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	for (size_t len = 240; len < 270; len++) {
		longs[len] = '\0';
		FACTF_SAME(&h, "%s", longs);
		FACTF_SAME(&h, "%s:%u", longs + 20, 4000000000u);
		FACTF_SAME(&h, "%s:%08x", longs + 12, 0xabcu);
		longs[len] = 'x';
	}
	harness_free(&h);
}
END_TEST

/* FN() carries the literal's length, the one the repeat filter hashes (strlen would give). */
START_TEST(fact_name_length)
{
	static const struct fact_name t[] = { FN(A_MODEL), FN("cip/identity/slot 16"), FN("") };

	ck_assert_uint_eq(FN(A_VENDOR_ID).len, strlen(A_VENDOR_ID));
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ck_assert_uint_eq(t[i].len, strlen(t[i].lit));
}
END_TEST

START_TEST(queue_drops_and_counts_when_full)
{
	struct obsq *q = obsq_new(4);
	struct obs_sink s = obsq_sink(q);
	struct obs o;

	memset(&o, 0, sizeof(o));
	o.kind = OBS_FACT;
	o.attr = A_VENDOR;
	o.src = "test";
	o.val = "Siemens\x1b";
	o.val_len = 8;
	for (int i = 0; i < 6; i++)
		obs_emit(&s, &o);
	ck_assert_uint_eq(obsq_len(q), 4);
	ck_assert_uint_eq(obsq_dropped(q), 2);
	ck_assert_uint_eq(obsq_queued(q), 4);
	obsq_free(q);
}
END_TEST

static int
check_val(void *arg, const struct obs *o)
{
	int *n = arg;

	ck_assert_str_eq(o->val, "Siemens\\x1b");
	return ++*n == 3 ? 7 : 0;	/* fail on the third */
}

START_TEST(failed_batch_stays_queued)
{
	struct obsq *q = obsq_new(8);
	struct obs_sink s = obsq_sink(q);
	struct obs o;
	int n = 0;

	memset(&o, 0, sizeof(o));
	o.kind = OBS_FACT;
	o.attr = A_VENDOR;
	o.src = "test";
	o.val = "Siemens\x1b";
	o.val_len = 8;
	for (int i = 0; i < 5; i++)
		obs_emit(&s, &o);
	ck_assert_int_eq(obsq_drain(q, check_val, &n), 7);
	ck_assert_uint_eq(obsq_len(q), 5);		/* nothing consumed */
	obsq_consume(q, 2);
	ck_assert_uint_eq(obsq_len(q), 3);
	n = -10;
	ck_assert_int_eq(obsq_drain(q, check_val, &n), 0);
	ck_assert_uint_eq(obsq_len(q), 0);
	obsq_free(q);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("obs");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, sanitize_keeps_text_and_escapes_the_rest);
	tcase_add_test(tc, sanitize_escapes_bidi_and_invisible_characters);
	tcase_add_test(tc, sanitize_never_overflows);
	tcase_add_test(tc, sanitize_fast_path_unchanged);
	tcase_add_test(tc, factf_as_snprintf);
	tcase_add_test(tc, fact_name_length);
	tcase_add_test(tc, queue_drops_and_counts_when_full);
	tcase_add_test(tc, failed_batch_stays_queued);
	suite_add_tcase(s, tc);
	return s;
}
