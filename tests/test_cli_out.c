/*
 * test_cli_out.c - the CLI's writers keep hostile device strings from
 * breaking the terminal, CSV and JSON.
 *
 * (The tables are tests/test_cli_table.c.)  cli_out.c lives with the CLI, not in the library, so it is compiled into
 * this test directly.
 */
#include "support.h"
#include "../cli/cli_out.c"

/* A value as a device might send it: every trick at once. */
static const char hostile[] =
    "PLC \"x\",=1\r\n\x1b[2J\x1b]0;owned\x07 \xff\xfe \xc2\x9b \xe2\x80\xae end";

static bool
has_raw_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

START_TEST(term_cell_escapes_escape_sequences)
{
	char *s = term_cell("\x1b[31mred", 8);

	ck_assert_str_eq(s, "\\x1B[31mred");
	free(s);
	s = term_cell(NULL, 0);
	ck_assert_str_eq(s, "-");
	free(s);
}
END_TEST

START_TEST(term_cell_escapes_nul_invalid_utf8_c1_and_bidi)
{
	char *s = term_cell("a\0b\xff\xc2\x9b\xe2\x80\xaez", 10);

	ck_assert_str_eq(s, "a\\x00b\\xFF\\u009B\\u202Ez");
	free(s);
	/* A truncated sequence is invalid byte by byte. */
	s = term_cell("\xe6\x97", 2);
	ck_assert_str_eq(s, "\\xE6\\x97");
	free(s);
	/* Overlong encoding of '/' and a UTF-16 surrogate. */
	s = term_cell("\xc0\xaf\xed\xa0\x80", 5);
	ck_assert_str_eq(s, "\\xC0\\xAF\\xED\\xA0\\x80");
	free(s);
}
END_TEST

/* The CLI escapes by the core's rule (utf8_cp_escaped): zero-width characters too. */
START_TEST(term_cell_escapes_zero_width_and_separators)
{
	static const char in[] = "a\xe2\x80\x8b" "b\xe2\x80\x8d" "c\xe2\x81\xa0" "d\xef\xbb\xbf"
	    "e\xe2\x80\xa8" "f\x7f" "g\xe2\x81\xa6" "h\xd8\x9c";
	char *s = term_cell(in, sizeof(in) - 1);

	ck_assert_str_eq(s, "a\\u200Bb\\u200Dc\\u2060d\\uFEFFe\\u2028f\\x7Fg\\u2066h\\u061C");
	free(s);
	s = term_cell("\xe2\x80\xaf" "x\xc2\xa0", 6);	/* NNBSP, NBSP: shown */
	ck_assert_str_eq(s, "\xe2\x80\xaf" "x\xc2\xa0");
	free(s);
}
END_TEST

START_TEST(term_cell_whole_hostile_value_has_no_control_bytes)
{
	char *s = term_cell(hostile, sizeof(hostile) - 1);

	ck_assert(!has_raw_control(s));
	ck_assert_ptr_null(strstr(s, "\xe2\x80\xae"));
	ck_assert_ptr_nonnull(strstr(s, "\\x1B[2J"));
	free(s);
}
END_TEST


static char *
csv_record(const char *const *fields, size_t n)
{
	char *out = NULL;
	size_t len;
	FILE *f = open_memstream(&out, &len);
	struct csv c;

	csv_init(&c, f);
	for (size_t i = 0; i < n; i++)
		csv_str(&c, fields[i]);
	csv_eol(&c);
	fclose(f);
	return out;
}

/* A strict RFC 4180 reader for one record; returns the field count. */
static size_t
csv_parse(const char *s, char fields[][256], size_t max)
{
	size_t n = 0;

	for (;;) {
		size_t k = 0;

		ck_assert_uint_lt(n, max);
		if (*s == '"') {
			for (s++; !(s[0] == '"' && s[1] != '"'); s++) {
				ck_assert(*s != '\0');
				if (*s == '"')
					s++;
				fields[n][k++] = *s;
			}
			s++;
		} else {
			while (*s != ',' && *s != '\r' && *s != '\0') {
				ck_assert(*s != '"' && *s != '\n');
				fields[n][k++] = *s++;
			}
		}
		fields[n++][k] = '\0';
		if (*s == ',') {
			s++;
			continue;
		}
		ck_assert_str_eq(s, "\r\n");	/* one record, one line */
		return n;
	}
}

START_TEST(csv_quotes_per_rfc4180)
{
	const char *in[] = { "plain", "a,b", "say \"hi\"", " lead", NULL, "" };
	char f[8][256];
	char *out = csv_record(in, 6);

	ck_assert_str_eq(out, "plain,\"a,b\",\"say \"\"hi\"\"\",\" lead\",,\r\n");
	ck_assert_uint_eq(csv_parse(out, f, 8), 6);
	ck_assert_str_eq(f[1], "a,b");
	ck_assert_str_eq(f[2], "say \"hi\"");
	ck_assert_str_eq(f[4], "");
	free(out);
}
END_TEST

START_TEST(csv_neutralises_formulas_but_not_numbers)
{
	const char *in[] = { "=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "ok=1" };
	char f[8][256];
	char *out = csv_record(in, 6), *out2 = NULL;
	size_t len;
	FILE *fp;
	struct csv c;

	ck_assert_uint_eq(csv_parse(out, f, 8), 6);
	ck_assert_str_eq(f[0], "'=HYPERLINK(\"http://x\")");
	ck_assert_str_eq(f[1], "'+1");
	ck_assert_str_eq(f[2], "'-2+3");
	ck_assert_str_eq(f[3], "'@SUM(A1)");
	ck_assert_str_eq(f[4], "'\\x09x");
	ck_assert_str_eq(f[5], "ok=1");
	free(out);
	/* Numbers written by the tool itself stay numbers. */
	fp = open_memstream(&out2, &len);
	csv_init(&c, fp);
	csv_int(&c, -5);
	csv_int(&c, 7);
	csv_eol(&c);
	fclose(fp);
	ck_assert_str_eq(out2, "-5,7\r\n");
	free(out2);
}
END_TEST

START_TEST(csv_hostile_value_stays_one_field_on_one_line)
{
	const char *in[] = { "id", hostile, "last" };
	char f[8][256];
	char *out = csv_record(in, 3);
	char *out2 = NULL;
	size_t len;
	FILE *fp;
	struct csv c;

	ck_assert_uint_eq(csv_parse(out, f, 8), 3);
	ck_assert_str_eq(f[2], "last");
	ck_assert(!has_raw_control(f[1]));
	ck_assert_ptr_nonnull(strstr(f[1], "\\x0D\\x0A\\x1B[2J"));
	ck_assert_ptr_nonnull(strstr(f[1], "\\xFF\\xFE"));
	free(out);
	/* An embedded NUL (length-counted value) is escaped, not a cut. */
	fp = open_memstream(&out2, &len);
	csv_init(&c, fp);
	csv_strn(&c, "a\0b", 3);
	csv_eol(&c);
	fclose(fp);
	ck_assert_str_eq(out2, "a\\x00b\r\n");
	free(out2);
}
END_TEST

START_TEST(json_round_trips_quotes_newlines_and_escapes)
{
	json_t *a = json_array(), *back;
	json_error_t err;
	char *s;
	const char *v = "q\"uote\\ new\nline \x1b[31m tab\t";

	json_array_append_new(a, jstr(v));
	json_array_append_new(a, jstr(NULL));
	s = json_dumps(a, JSON_COMPACT);
	ck_assert_ptr_nonnull(s);
	ck_assert(!has_raw_control(s));	/* ESC written as \u001b */
	ck_assert_ptr_nonnull(strstr(s, "\\u001B[31m"));
	back = json_loads(s, 0, &err);
	ck_assert_ptr_nonnull(back);
	ck_assert_str_eq(json_string_value(json_array_get(back, 0)), v);
	ck_assert(json_is_null(json_array_get(back, 1)));
	free(s);
	json_decref(back);
	json_decref(a);
}
END_TEST

START_TEST(json_invalid_utf8_and_nul_become_escaped_text)
{
	json_t *j;
	char *s;

	/* jansson alone refuses this string. */
	ck_assert_ptr_null(json_stringn("ok\xff\xfe", 4));
	j = jstrn("ok\xff\xfe", 4);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(j), "ok\\xFF\\xFE");
	json_decref(j);
	j = jstrn("a\0b", 3);
	ck_assert_str_eq(json_string_value(j), "a\\x00b");
	json_decref(j);
	/* Valid multibyte text is kept as is. */
	j = jstr("Société Générale 日本");
	ck_assert_str_eq(json_string_value(j), "Société Générale 日本");
	json_decref(j);
	/* The whole hostile value gives a document that parses back. */
	j = json_pack("{s:o}", "v", jstrn(hostile, sizeof(hostile) - 1));
	s = json_dumps(j, 0);
	ck_assert_ptr_nonnull(s);
	json_decref(j);
	j = json_loads(s, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(j, "v")), "\\xFF\\xFE"));
	json_decref(j);
	free(s);
}
END_TEST

START_TEST(times_are_iso8601_utc)
{
	char iso[ISO_LEN];
	json_t *j;

	fmt_iso(1795946400, iso);
	ck_assert_str_eq(iso, "2026-11-29T10:00:00Z");
	fmt_iso(0, iso);
	ck_assert_str_eq(iso, "-");
	j = jtime(0);
	ck_assert(json_is_null(j));
	json_decref(j);
	j = jtime(1795946400);
	ck_assert_str_eq(json_string_value(j), "2026-11-29T10:00:00Z");
	json_decref(j);
}
END_TEST

START_TEST(since_parses_iso_and_relative)
{
	int64_t t;

	ck_assert(parse_since("2026-11-29T10:00:00Z", 0, &t));
	ck_assert_int_eq(t, 1795946400);
	ck_assert(parse_since("2026-11-29T11:00:00+01:00", 0, &t));
	ck_assert_int_eq(t, 1795946400);
	ck_assert(parse_since("2026-11-29 10:00", 0, &t));
	ck_assert_int_eq(t, 1795946400);
	ck_assert(parse_since("2026-11-29", 0, &t));
	ck_assert_int_eq(t, 1795910400);
	ck_assert(parse_since("24h", 1000000, &t));
	ck_assert_int_eq(t, 1000000 - 86400);
	ck_assert(parse_since("7d", 1000000, &t));
	ck_assert_int_eq(t, 1000000 - 7 * 86400);
	ck_assert(parse_since("30m", 1000000, &t));
	ck_assert_int_eq(t, 1000000 - 1800);
	ck_assert(!parse_since("7x", 1000000, &t));
	ck_assert(!parse_since("7dd", 1000000, &t));
	ck_assert(!parse_since("", 0, &t));
	ck_assert(!parse_since("yesterday", 0, &t));
	ck_assert(!parse_since("2026-13-01", 0, &t));
	ck_assert(!parse_since("2026-11-29T25:00", 0, &t));
	ck_assert(!parse_since("2026-11-29Tgarbage", 0, &t));
}
END_TEST

START_TEST(json_join_lists_strings_only)
{
	json_t *a = json_pack("[s i s n]", "plc", 7, "modbus_server");
	char *s = json_join(a, ",");

	ck_assert_str_eq(s, "plc,modbus_server");
	free(s);
	json_decref(a);
	a = json_array();
	s = json_join(a, ",");
	ck_assert_str_eq(s, "");
	free(s);
	json_decref(a);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("cli_out");
	TCase *tc = tcase_create("writers");

	tcase_add_test(tc, term_cell_escapes_escape_sequences);
	tcase_add_test(tc, term_cell_escapes_nul_invalid_utf8_c1_and_bidi);
	tcase_add_test(tc, term_cell_escapes_zero_width_and_separators);
	tcase_add_test(tc, term_cell_whole_hostile_value_has_no_control_bytes);
	tcase_add_test(tc, csv_quotes_per_rfc4180);
	tcase_add_test(tc, csv_neutralises_formulas_but_not_numbers);
	tcase_add_test(tc, csv_hostile_value_stays_one_field_on_one_line);
	tcase_add_test(tc, json_round_trips_quotes_newlines_and_escapes);
	tcase_add_test(tc, json_invalid_utf8_and_nul_become_escaped_text);
	tcase_add_test(tc, times_are_iso8601_utc);
	tcase_add_test(tc, since_parses_iso_and_relative);
	tcase_add_test(tc, json_join_lists_strings_only);
	suite_add_tcase(s, tc);
	return s;
}
