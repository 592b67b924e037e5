/*
 * test_tables.c - the daemon's tables on SIGHUP (daemon/tables.c): every
 * table is read before any is swapped; one file that does not load keeps
 * all the running tables, vendor ids included, and the log names the file
 * and line; when every file loads, all are replaced together.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"
#include "config.h"
#include "regmap.h"
#include "tables.h"
#include "vendor_ids.h"

static char dir[64];
static struct config cfg;
static struct tables t;
static char logpath[128];
static int saved_stderr = -1;

static void
put_file(const char *name, const char *text)
{
	char path[256], tmp[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	ck_assert_ptr_nonnull(f = fopen(tmp, "w"));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(rename(tmp, path), 0);	/* as an editor would */
}

static void
copy_file(const char *from, const char *name)
{
	char buf[1 << 16];
	FILE *f = fopen(from, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	ck_assert(feof(f));
	fclose(f);
	buf[n] = '\0';
	put_file(name, buf);
}

static const char good_policy[] =
    "[policy]\nflag_listings = FCC-COVERED NDAA-889\n\n[country CN]\nreason = test\n";

static void
setup(void)
{
	strcpy(dir, "/tmp/sw-tables-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	put_file("cip_vendors.csv", "1,Maker One\n2,Maker Two\n");
	put_file("bacnet_vendors.csv", "# none\n5,BACnet Maker\n");
	put_file("pn_vendors.csv", "0x002a,Siemens AG\n");
	copy_file("oui/vendors.csv", "vendors.csv");
	copy_file("oui/services.csv", "services.csv");
	put_file("risk.conf", good_policy);
	setenv("SW_DATADIR_OVERRIDE", dir, 1);
	config_defaults(&cfg);
	snprintf(cfg.vendors, sizeof(cfg.vendors), "%s/vendors.csv", dir);
	snprintf(cfg.services, sizeof(cfg.services), "%s/services.csv", dir);
	snprintf(cfg.risk_policy, sizeof(cfg.risk_policy), "%s/risk.conf", dir);
	snprintf(logpath, sizeof(logpath), "%s/log", dir);
}

static void
teardown(void)
{
	const char *names[] = { "cip_vendors.csv", "bacnet_vendors.csv", "pn_vendors.csv",
	    "vendors.csv", "services.csv", "risk.conf", "log" };
	char path[256];

	tables_free(&t);
	unsetenv("SW_DATADIR_OVERRIDE");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* The daemon's log lines (stderr) while fn runs. */
static const char *
logged(int (*fn)(struct tables *, const struct config *), int *rc)
{
	static char text[8192];
	int fd = open(logpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	saved_stderr = dup(2);
	dup2(fd, 2);
	*rc = fn(&t, &cfg);
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	n = pread(fd, text, sizeof(text) - 1, 0);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	return text;
}

static int
start(struct tables *tt, const struct config *c)
{
	tables_start(tt, c, NULL);
	return 0;
}

START_TEST(a_broken_second_file_keeps_every_table)
{
	const char *log;
	int rc;

	log = logged(start, &rc);
	ck_assert_msg(t.oui && t.vendor_ids && t.vendors && t.policy && t.rules && t.services &&
	    t.nregmaps == 1, "start: %s", log);
	ck_assert_str_eq(vendor_id_name(VID_CIP, 1), "Maker One");
	{
		const struct tables was = t;

		/* the first file read changes, the second one breaks */
		put_file("cip_vendors.csv", "1,Renamed Maker\n");
		put_file("risk.conf", "[policy]\nflag_listings = FCC-COVERED\n[country China]\nreason = x\n");
		log = logged(tables_reload, &rc);
		ck_assert_int_eq(rc, -1);
		ck_assert_msg(strstr(log, "risk.conf:4: [country China]") != NULL, "log: %s", log);
		ck_assert_msg(strstr(log, "keeping all the previous tables") != NULL, "log: %s", log);
		ck_assert(memcmp(&was, &t, sizeof(t)) == 0);	/* not one pointer swapped */
		ck_assert_str_eq(vendor_id_name(VID_CIP, 1), "Maker One");
		ck_assert_str_eq(vendor_id_name(VID_CIP, 2), "Maker Two");

		/* fixed: everything is new, together */
		put_file("risk.conf", good_policy);
		log = logged(tables_reload, &rc);
		ck_assert_msg(rc == 0, "log: %s", log);
		ck_assert_str_eq(vendor_id_name(VID_CIP, 1), "Renamed Maker");
		ck_assert_ptr_null(vendor_id_name(VID_CIP, 2));
		ck_assert_ptr_ne(t.policy, was.policy);
		ck_assert_ptr_ne(t.vendor_ids, was.vendor_ids);
		ck_assert_ptr_ne(t.oui, was.oui);
		ck_assert_int_eq(t.nregmaps, 1);	/* the same register map: not installed twice */
	}
}
END_TEST

/* Today's bug: the vendor ids were freed before the new ones were read. */
START_TEST(missing_vendor_ids_keep_the_running_ones)
{
	char path[256];
	const char *log;
	int rc;

	logged(start, &rc);
	snprintf(path, sizeof(path), "%s/pn_vendors.csv", dir);
	ck_assert_int_eq(unlink(path), 0);
	log = logged(tables_reload, &rc);
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(strstr(log, path) != NULL, "log: %s", log);
	ck_assert_str_eq(vendor_id_name(VID_PN, 0x2a), "Siemens AG");
	ck_assert_str_eq(vendor_id_name(VID_BACNET, 5), "BACnet Maker");
}
END_TEST

START_TEST(a_bad_vendor_id_line_is_named)
{
	const char *log;
	int rc;

	logged(start, &rc);
	put_file("bacnet_vendors.csv", "5,BACnet Maker\n# fine\nsix,Not A Number\n");
	log = logged(tables_reload, &rc);
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(strstr(log, "bacnet_vendors.csv:3: the id is not a number") != NULL, "log: %s", log);
	ck_assert_str_eq(vendor_id_name(VID_BACNET, 5), "BACnet Maker");
}
END_TEST

/* A table past its cap was cut short without a word; now it is a load error. */
START_TEST(a_vendor_id_table_past_its_cap_is_refused)
{
	char path[256], *text, *p;
	const char *log, *want;
	int rc;

	logged(start, &rc);
	/* a comment first: the line named is the file's, not the entry's number */
	ck_assert_ptr_nonnull(text = malloc((size_t)(VID_MAX_ENTRIES + 1) * 24 + 16));
	p = text + sprintf(text, "# many\n");
	for (int i = 0; i <= VID_MAX_ENTRIES; i++)
		p += sprintf(p, "%d,Maker %d\n", i + 1, i + 1);
	put_file("cip_vendors.csv", text);
	free(text);
	log = logged(tables_reload, &rc);
	ck_assert_int_eq(rc, -1);
	snprintf(path, sizeof(path), "cip_vendors.csv:%d: more than %d vendor ids (VID_MAX_ENTRIES)",
	    VID_MAX_ENTRIES + 2, VID_MAX_ENTRIES);
	ck_assert_msg(strstr(log, path) != NULL, "log: %s", log);
	ck_assert_msg(strstr(log, "keeping all the previous tables") != NULL, "log: %s", log);
	ck_assert_str_eq(vendor_id_name(VID_CIP, 2), "Maker Two");	/* the old table */
	ck_assert_ptr_null(vendor_id_name(VID_CIP, 3));

	/* exactly at the cap: it loads, the last line included */
	ck_assert_ptr_nonnull(text = malloc((size_t)VID_MAX_ENTRIES * 24 + 16));
	p = text;
	for (int i = 0; i < VID_MAX_ENTRIES; i++)
		p += sprintf(p, "%d,Maker %d\n", i + 1, i + 1);
	put_file("cip_vendors.csv", text);
	free(text);
	log = logged(tables_reload, &rc);
	ck_assert_msg(rc == 0, "log: %s", log);
	want = vendor_id_name(VID_CIP, VID_MAX_ENTRIES);
	ck_assert_ptr_nonnull(want);
	snprintf(path, sizeof(path), "Maker %d", VID_MAX_ENTRIES);
	ck_assert_str_eq(want, path);
}
END_TEST

/* A vendor-id name past VID_NAME_MAX is cut, and counted (tables.vendor_id_names_cut). */
START_TEST(a_cut_vendor_id_name_is_counted)
{
	char text[512];
	const char *log, *name;
	int rc;

	logged(start, &rc);
	ck_assert_uint_eq(vendor_ids_names_cut(t.vendor_ids), 0);
	snprintf(text, sizeof(text), "1,Short\n2,%0150d\n", 7);
	put_file("cip_vendors.csv", text);
	log = logged(tables_reload, &rc);
	ck_assert_msg(rc == 0, "log: %s", log);
	ck_assert_uint_eq(vendor_ids_names_cut(t.vendor_ids), 1);
	ck_assert_ptr_nonnull(name = vendor_id_name(VID_CIP, 2));
	ck_assert_uint_eq(strlen(name), VID_NAME_MAX - 1);
}
END_TEST

/* At start there is nothing to keep: what loads is used, each failure says its cost. */
START_TEST(at_start_each_table_that_loads_is_used)
{
	const char *log;
	int rc;

	put_file("services.csv", "kind,pattern,service,vendor,category,source,checked\nnot,a,service,row\n");
	log = logged(start, &rc);
	ck_assert_ptr_null(t.services);
	ck_assert_msg(strstr(log, "services.csv:2:") != NULL, "log: %s", log);
	ck_assert_msg(strstr(log, "no services are named until it is fixed") != NULL, "log: %s", log);
	ck_assert_ptr_nonnull(t.policy);
	ck_assert_ptr_nonnull(t.vendors);
	ck_assert_str_eq(vendor_id_name(VID_CIP, 2), "Maker Two");
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("tables");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, a_broken_second_file_keeps_every_table);
	tcase_add_test(tc, missing_vendor_ids_keep_the_running_ones);
	tcase_add_test(tc, a_bad_vendor_id_line_is_named);
	tcase_add_test(tc, a_vendor_id_table_past_its_cap_is_refused);
	tcase_add_test(tc, a_cut_vendor_id_name_is_counted);
	tcase_add_test(tc, at_start_each_table_that_loads_is_used);
	suite_add_tcase(s, tc);
	return s;
}
