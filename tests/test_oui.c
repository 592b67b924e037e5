/*
 * test_oui.c - the IEEE registry as Debian's ieee-data installs it.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "support.h"
#include "csv.h"
#include "oui.h"
#include "oui_int.h"

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

/* IAB blocks are 36-bit slices of IEEE's own MA-L 00-50-C2: the 36-bit row wins. */
START_TEST(iab_block_beats_the_registration_authority_block)
{
	const struct oui_entry *e = look("00:50:c2:7d:50:01");

	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->bits, 36);
	ck_assert_str_eq(e->org, "DEUTA-WERKE GmbH");
	ck_assert_str_eq(e->country, "DE");
	e = look("40:d8:55:1e:50:01");		/* no IAB row for 40-D8-55-1E5: the 24-bit block */
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->bits, 24);
	ck_assert_str_eq(e->org, "IEEE Registration Authority");
	ck_assert_str_eq(e->country, "US");
}
END_TEST

/*
 * Every row of the installed registry: the extractor finds a country for
 * all but a few rows (those with a blank address or none written in it).
 */
START_TEST(country_found_for_almost_every_real_row)
{
	static const char *const files[] = { "oui.csv", "mam.csv", "oui36.csv", "iab.csv" };
	long rows = 0, found = 0;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[256], line[1024];
		FILE *fp;

		snprintf(path, sizeof(path), "/usr/share/ieee-data/%s", files[i]);
		ck_assert_ptr_nonnull(fp = fopen(path, "r"));
		while (fgets(line, sizeof(line), fp)) {
			char *f[5], cc[3];

			if (strncmp(line, "Registry,", 9) == 0 || csv_split(line, f, 5) < 4 ||
			    strspn(f[3], " ") == strlen(f[3]))
				continue;
			rows++;
			oui_country_of(f[3], cc);
			if (cc[0]) {
				ck_assert_uint_eq(strlen(cc), 2);
				found++;
			}
		}
		fclose(fp);
	}
	ck_assert_int_gt(rows, 40000);
	ck_assert_msg(found * 1000 >= rows * 995, "country for %ld of %ld rows", found, rows);
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
	/* real rows where something follows the code */
	oui_country_of("17 Manor Courtyard Great Haseley High Wycombe GB BUCKS HP13 5 ", cc);
	ck_assert_str_eq(cc, "GB");
	oui_country_of("12 AVENUE PIERRE DE COUBERTIN SEYSSINET PARISET CEDEX ISERE FR 38174 ", cc);
	ck_assert_str_eq(cc, "FR");
	oui_country_of("99, rue Pierre S\xc3\xa9mard CHATILLON  FR 92324 CEDEX ", cc);
	ck_assert_str_eq(cc, "FR");
	oui_country_of("3COM CENTRE vvvvv UNITED GB KINGDOM ", cc);
	ck_assert_str_eq(cc, "GB");
	oui_country_of("445 Hoes Lane Piscataway NJ US 08554 ", cc);
	ck_assert_str_eq(cc, "US");	/* the state is not the country */
	oui_country_of("Lipa 218 Lipa u Havlickova Brodu Vysocina  58257 ", cc);
	ck_assert_str_eq(cc, "");	/* none written */
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

/* A name past OUI_ORG_MAX is cut, and counted (tables.oui_names_cut). */
START_TEST(a_cut_organisation_name_is_counted)
{
	char path[] = "/tmp/sw-oui-XXXXXX", err[256], row[512], name[200];
	int fd = mkstemp(path);
	uint8_t m[6] = { 0x00, 0x0e, 0x8c, 1, 2, 3 };
	struct oui_db *o;

	memset(name, 'N', 150);
	name[150] = '\0';
	snprintf(row, sizeof(row), "Registry,Assignment,Organization Name,Organization Address\n"
	    "MA-L,000E8C,%s,Somewhere Town  NL 1234AB\n", name);
	ck_assert_int_eq(write(fd, row, strlen(row)), (ssize_t)strlen(row));
	close(fd);
	o = oui_load(NULL, path, err, sizeof(err));
	ck_assert_msg(o != NULL, "%s", err);
	ck_assert_uint_eq(strlen(oui_lookup(o, m)->org), OUI_ORG_MAX - 1);
	ck_assert_uint_eq(oui_names_cut(o), oui_names_cut(db) + 1);
	oui_free(o);
	unlink(path);
}
END_TEST

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	fclose(f);
}

static void
same_table(const struct oui_db *a, const struct oui_db *b)
{
	ck_assert_uint_eq(a->n, b->n);
	ck_assert_uint_eq(a->names_cut, b->names_cut);
	for (size_t i = 0; i < a->n; i++) {
		ck_assert_uint_eq(a->v[i].prefix, b->v[i].prefix);
		ck_assert_uint_eq(a->v[i].bits, b->v[i].bits);
		ck_assert_str_eq(a->v[i].org, b->v[i].org);
		ck_assert_str_eq(a->v[i].country, b->v[i].country);
	}
}

/* The registry through its cache: the same table, and only for the files it was made from. */
START_TEST(the_cache_gives_the_same_table_and_stands_only_for_its_sources)
{
	char dir[] = "/tmp/sw-ouic-XXXXXX", over[64], cache[64], err[512];
	struct oui_db *ref, *o;
	uint8_t m[6] = { 0x00, 0x0e, 0x8c, 1, 2, 3 };
	bool hit;
	long size;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(over, sizeof(over), "%s/override.csv", dir);
	snprintf(cache, sizeof(cache), "%s/db.oui", dir);
	write_file(over, "Registry,Assignment,Organization Name,Organization Address\n"
	    "MA-L,000E8C,First Name,Town  NL 1234AB\n");
	ref = oui_load(NULL, over, err, sizeof(err));
	ck_assert_msg(ref != NULL, "%s", err);

	/* made at the first load, read at the second: the same table */
	o = oui_load_cached(NULL, over, cache, &hit, err, sizeof(err));
	ck_assert_msg(o != NULL && err[0] == '\0', "%s", err);
	ck_assert(!hit);
	oui_free(o);
	o = oui_load_cached(NULL, over, cache, &hit, err, sizeof(err));
	ck_assert(o != NULL && hit);
	same_table(ref, o);
	ck_assert_str_eq(oui_lookup(o, m)->org, "First Name");
	oui_free(o);

	/* a changed source makes it stale: the CSVs are read, the cache made again */
	write_file(over, "Registry,Assignment,Organization Name,Organization Address\n"
	    "MA-L,000E8C,Second Name Ltd,Town  DE 12345\n");
	o = oui_load_cached(NULL, over, cache, &hit, err, sizeof(err));
	ck_assert(o != NULL && !hit);
	ck_assert_str_eq(oui_lookup(o, m)->org, "Second Name Ltd");
	ck_assert_str_eq(oui_lookup(o, m)->country, "DE");
	oui_free(o);
	o = oui_load_cached(NULL, over, cache, &hit, err, sizeof(err));
	ck_assert(o != NULL && hit);
	ck_assert_str_eq(oui_lookup(o, m)->org, "Second Name Ltd");
	oui_free(o);

	/* a cut file, and a pool whose last name runs off its end: ignored, the CSVs read */
	ck_assert_ptr_nonnull(f = fopen(cache, "r+"));
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, size - 1, SEEK_SET);
	fputc('x', f);
	fclose(f);
	o = oui_load_cached(NULL, over, cache, &hit, err, sizeof(err));
	ck_assert(o != NULL && !hit);
	ck_assert_str_eq(oui_lookup(o, m)->org, "Second Name Ltd");
	oui_free(o);
	ck_assert_int_eq(truncate(cache, size / 2), 0);
	o = oui_load_cached(NULL, over, cache, &hit, err, sizeof(err));
	ck_assert(o != NULL && !hit);
	ck_assert_str_eq(oui_lookup(o, m)->org, "Second Name Ltd");
	oui_free(o);

	/* a directory that cannot hold it: the table all the same, and why not */
	o = oui_load_cached(NULL, over, "/nonexistent/db.oui", &hit, err, sizeof(err));
	ck_assert(o != NULL && !hit);
	ck_assert_msg(strstr(err, "cache was not written") && strstr(err, "/nonexistent"), "%s", err);
	oui_free(o);
	oui_free(ref);
	unlink(over);
	unlink(cache);
	rmdir(dir);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("oui");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, blocks_of_every_size_with_their_country);
	tcase_add_test(tc, a_cut_organisation_name_is_counted);
	tcase_add_test(tc, longest_prefix_wins);
	tcase_add_test(tc, iab_block_beats_the_registration_authority_block);
	tcase_add_test(tc, country_found_for_almost_every_real_row);
	tcase_add_test(tc, country_extraction_from_ieee_addresses);
	tcase_add_test(tc, override_file_wins_and_loading_is_fast);
	tcase_add_test(tc, the_cache_gives_the_same_table_and_stands_only_for_its_sources);
	suite_add_tcase(s, tc);
	return s;
}
