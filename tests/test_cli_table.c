/*
 * test_cli_table.c - the CLI's tables fit the width they are given, print
 * every cell whole when there is none (piped), and honour --columns and
 * --sort; hostile device strings stay terminal-safe.
 */
#include <locale.h>
#include <wchar.h>

#include "support.h"
#include "../cli/cli_out.c"
#include "../cli/cli_table.c"

static const char *const hdr[] = { "ID", "IP", "VENDOR", "ROLES", "LAST SEEN" };
static const size_t maxw[] = { 0, 0, 20, 24, 0 };
static const char *const rows[][5] = {
	{ "10", "10.0.0.10", "Société Générale d'Électricité du Nord", "plc,modbus_server,s7_server",
	  "2026-11-29T10:00:00Z" },
	{ "9", "10.0.0.9", "日本語テキスト Industrial Controls", "rtu", "2026-11-29T09:00:00Z" },
	{ "100", "10.0.0.100", "PLC \x1b[2J\xe2\x80\xae evil", NULL, "2026-11-29T11:00:00Z" },
};

static struct table *
sample(void)
{
	struct table *t = table_new(5, hdr, maxw);

	for (size_t r = 0; r < 3; r++)
		table_add(t, rows[r]);
	return t;
}

/* Print t through cli with this view; the lines in *out. */
static char *
render(struct table *t, unsigned width, const char *columns, const char *sort, bool *usage)
{
	struct cli cli = { 0 };
	char *out = NULL;
	size_t len;

	cli.out = open_memstream(&out, &len);
	cli.err = fopen("/dev/null", "w");
	cli.view.width = width;
	cli.view.columns = columns;
	cli.view.sort = sort;
	table_print(t, &cli);
	fclose(cli.out);
	fclose(cli.err);
	if (usage)
		*usage = cli.usage_failed;
	return out;
}

static int
line_width(const char *line)
{
	wchar_t w[512];
	size_t n = mbstowcs(w, line, 511);

	ck_assert_uint_ne(n, (size_t)-1);
	return wcswidth(w, n);
}

START_TEST(table_fits_the_width_and_keeps_the_key_columns_whole)
{
	struct table *t = sample();
	char *out = render(t, 60, NULL, NULL, NULL), *save = NULL;
	size_t lines = 0;

	for (char *ln = strtok_r(out, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
		ck_assert_msg(line_width(ln) <= 60, "line wider than 60: '%s'", ln);
		lines++;
	}
	ck_assert_uint_eq(lines, 4);	/* cut, not wrapped: one line per row */
	free(out);
	out = render(t, 60, NULL, NULL, NULL);
	/* Addresses and times are never cut; the vendor is. */
	ck_assert_ptr_nonnull(strstr(out, "10.0.0.100"));
	ck_assert_ptr_nonnull(strstr(out, "2026-11-29T11:00:00Z"));
	ck_assert_ptr_null(strstr(out, "du Nord"));
	free(out);
	table_free(t);
}
END_TEST

START_TEST(table_without_a_width_prints_every_cell_whole)
{
	struct table *t = sample();
	char *out = render(t, 0, NULL, NULL, NULL);

	ck_assert_ptr_nonnull(strstr(out, "Société Générale d'Électricité du Nord"));
	ck_assert_ptr_nonnull(strstr(out, "plc,modbus_server,s7_server"));
	/* Hostile bytes written as text; NULL shown as "-". */
	ck_assert_ptr_nonnull(strstr(out, "\\x1B[2J\\u202E evil"));
	ck_assert_ptr_null(strchr(out, '\x1b'));
	ck_assert_ptr_null(strstr(out, "\xe2\x80\xae"));
	free(out);
	table_free(t);
}
END_TEST

START_TEST(table_columns_pick_and_order_and_refuse_unknown_names)
{
	struct table *t = sample();
	bool usage;
	char *out = render(t, 0, "last_seen,ip", NULL, &usage);

	ck_assert(!usage);
	ck_assert_ptr_eq(strstr(out, "LAST SEEN"), out);	/* first column */
	ck_assert_ptr_nonnull(strstr(out, "2026-11-29T10:00:00Z 10.0.0.10"));
	ck_assert_ptr_null(strstr(out, "VENDOR"));
	free(out);
	out = render(t, 0, "ip,nosuch", NULL, &usage);
	ck_assert(usage);
	ck_assert_str_eq(out, "");
	free(out);
	table_free(t);
}
END_TEST

START_TEST(table_sorts_numbers_and_addresses_by_value)
{
	struct table *t = sample();
	char *out = render(t, 0, "ID,IP", "ip", NULL);
	char *a = strstr(out, "10.0.0.9\n"), *b = strstr(out, "10.0.0.10\n"), *c = strstr(out, "10.0.0.100\n");

	ck_assert(a && b && c && a < b && b < c);
	free(out);
	out = render(t, 0, "ID,IP", "-ID", NULL);
	a = strstr(out, "\n100 "), b = strstr(out, "\n10 "), c = strstr(out, "\n9 ");
	ck_assert(a && b && c && a < b && b < c);
	free(out);
	table_free(t);
}
END_TEST

START_TEST(view_options_leave_the_command_its_own)
{
	struct cli cli = { 0 };
	char *argv[] = { "list", "--columns", "ip,vendor", "--role", "plc", "--sort=-ip", NULL };
	int argc = cli_view_opts(&cli, 6, argv);

	ck_assert_int_eq(argc, 3);
	ck_assert_str_eq(argv[1], "--role");
	ck_assert_str_eq(argv[2], "plc");
	ck_assert_ptr_null(argv[3]);
	ck_assert_str_eq(cli.view.columns, "ip,vendor");
	ck_assert_str_eq(cli.view.sort, "-ip");
}
END_TEST

START_TEST(width_is_columns_else_unlimited_when_piped)
{
	setenv("COLUMNS", "93", 1);
	ck_assert_uint_eq(cli_table_width(), 93);
	unsetenv("COLUMNS");
	if (!isatty(STDOUT_FILENO))
		ck_assert_uint_eq(cli_table_width(), 0);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("cli_table");
	TCase *tc = tcase_create("tables");

	setlocale(LC_CTYPE, "C.UTF-8");
	tcase_add_test(tc, table_fits_the_width_and_keeps_the_key_columns_whole);
	tcase_add_test(tc, table_without_a_width_prints_every_cell_whole);
	tcase_add_test(tc, table_columns_pick_and_order_and_refuse_unknown_names);
	tcase_add_test(tc, table_sorts_numbers_and_addresses_by_value);
	tcase_add_test(tc, view_options_leave_the_command_its_own);
	tcase_add_test(tc, width_is_columns_else_unlimited_when_piped);
	suite_add_tcase(s, tc);
	return s;
}
