/*
 * test_oui.c - the IEEE registry as Debian's ieee-data installs it.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "support.h"
#include "oui.h"

static struct oui_db *db;

static void
setup(void)
{
	char err[256];

	db = oui_load(NULL, NULL, err, sizeof(err));
	ck_assert_msg(db != NULL, "%s", err);
}

static void
teardown(void)
{
	oui_free(db);
}

static const struct oui_entry *
look(const char *mac)
{
	uint8_t m[6];

	ck_assert(mac_parse(mac, m));
	return oui_lookup(db, m);
}

START_TEST(blocks_of_every_size_with_their_country)
{
	const struct oui_entry *e;

	ck_assert_uint_gt(oui_count(db), 40000);
	e = look("00:0e:8c:ef:75:c5");		/* MA-L, in the shared PROFINET capture */
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->org, "Siemens AG");
	ck_assert_str_eq(e->country, "DE");
	ck_assert_uint_eq(e->bits, 24);
	e = look("00:1c:06:0b:26:ed");
	ck_assert_str_eq(e->org, "Siemens Numerical Control Ltd., Nanjing");
	ck_assert_str_eq(e->country, "CN");
	e = look("44:19:b6:00:00:01");
	ck_assert_ptr_nonnull(strstr(e->org, "Hikvision"));
	ck_assert_str_eq(e->country, "CN");
	ck_assert_ptr_null(look("02:00:00:00:00:01"));	/* locally administered: no block */
}
END_TEST

/* A 28-bit block wins over the 24-bit block that contains it; 36 over both. */
START_TEST(longest_prefix_wins)
{
	FILE *fp = popen("awk -F, '$1==\"MA-M\"{print $2; exit}' /usr/share/ieee-data/mam.csv", "r");
	char hex[16] = "", mac[32];
	const struct oui_entry *e;

	ck_assert_ptr_nonnull(fp);
	ck_assert_ptr_nonnull(fgets(hex, sizeof(hex), fp));
	pclose(fp);
	hex[strcspn(hex, "\r\n")] = '\0';
	ck_assert_uint_eq(strlen(hex), 7);
	snprintf(mac, sizeof(mac), "%c%c:%c%c:%c%c:%c0:00:01", hex[0], hex[1], hex[2], hex[3],
	    hex[4], hex[5], hex[6]);
	e = look(mac);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->bits, 28);
	fp = popen("awk -F, '$1==\"MA-S\"{print $2; exit}' /usr/share/ieee-data/oui36.csv", "r");
	ck_assert_ptr_nonnull(fgets(hex, sizeof(hex), fp));
	pclose(fp);
	hex[strcspn(hex, "\r\n")] = '\0';
	ck_assert_uint_eq(strlen(hex), 9);
	snprintf(mac, sizeof(mac), "%c%c:%c%c:%c%c:%c%c:%c0:01", hex[0], hex[1], hex[2], hex[3],
	    hex[4], hex[5], hex[6], hex[7], hex[8]);
	e = look(mac);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->bits, 36);
}
END_TEST

START_TEST(country_extraction_from_ieee_addresses)
{
	char cc[3];

	oui_country_of("2181 Buchanan Loop Ferndale WA US 98248 ", cc);
	ck_assert_str_eq(cc, "US");
	oui_country_of("No.555 Qianmo Road Hangzhou Zhejiang CN 310052", cc);
	ck_assert_str_eq(cc, "CN");
	oui_country_of("Torshamnsgatan 36 Stockholm  SE SE-164 80", cc);
	ck_assert_str_eq(cc, "SE");
	oui_country_of("ALBERT-SCHWEITZER-STR. 64   DE  ", cc);
	ck_assert_str_eq(cc, "DE");
	oui_country_of("Dringenauer Str. 30 Bad Pyrmont - DE D-31812", cc);
	ck_assert_str_eq(cc, "DE");
	oui_country_of("", cc);
	ck_assert_str_eq(cc, "");
}
END_TEST

START_TEST(override_file_wins_and_loading_is_fast)
{
	char path[] = "/tmp/sw-oui-XXXXXX", err[256];
	const char *row = "Registry,Assignment,Organization Name,Organization Address\n"
	    "MA-L,000E8C,\"Renamed Maker, Inc.\",Somewhere Town  NL 1234AB\n";
	int fd = mkstemp(path);
	struct oui_db *o;
	struct timespec a, b;
	size_t rows;

	ck_assert_int_eq(write(fd, row, strlen(row)), (ssize_t)strlen(row));
	close(fd);
	clock_gettime(CLOCK_MONOTONIC, &a);
	o = oui_load(NULL, path, err, sizeof(err));
	clock_gettime(CLOCK_MONOTONIC, &b);
	ck_assert_msg(o != NULL, "%s", err);
	ck_assert_double_lt((b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9, 1.0);
	{
		uint8_t m[6] = { 0x00, 0x0e, 0x8c, 1, 2, 3 };
		const struct oui_entry *e = oui_lookup(o, m);

		ck_assert_str_eq(e->org, "Renamed Maker, Inc.");
		ck_assert_str_eq(e->country, "NL");
	}
	oui_free(o);
	ck_assert_int_eq(oui_validate_file(path, &rows, err, sizeof(err)), 0);
	ck_assert_uint_eq(rows, 1);
	ck_assert_int_eq(oui_validate_file("/etc/hostname", &rows, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "no IEEE registry rows"));
	unlink(path);
	ck_assert_ptr_null(oui_load("/nonexistent", NULL, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "ieee-data"));
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("oui");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, blocks_of_every_size_with_their_country);
	tcase_add_test(tc, longest_prefix_wins);
	tcase_add_test(tc, country_extraction_from_ieee_addresses);
	tcase_add_test(tc, override_file_wins_and_loading_is_fast);
	suite_add_tcase(s, tc);
	return s;
}
