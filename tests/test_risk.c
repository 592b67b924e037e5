/*
 * test_risk.c - the vendor origin table and the risk policy, case by case.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"
#include "risk.h"
#include "vendors.h"

static struct vendors *vt;
static struct risk_policy *pol;

static void
setup(void)
{
	char err[512];

	vt = vendors_load("oui/vendors.csv", NULL, err, sizeof(err));
	ck_assert_msg(vt != NULL, "%s", err);
	pol = risk_policy_load("packaging/risk.conf", err, sizeof(err));
	ck_assert_msg(pol != NULL, "%s", err);
}

static void
teardown(void)
{
	vendors_free(vt);
	risk_policy_free(pol);
}

static bool
has_reason(const struct risk_result *r, const char *needle)
{
	for (size_t i = 0; i < r->nreasons; i++)
		if (strstr(r->reasons[i].text, needle) || strstr(r->reasons[i].rule, needle) ||
		    strstr(r->reasons[i].policy, needle))
			return true;
	return false;
}

START_TEST(shipped_table_loads_and_matches_whole_words)
{
	const struct vendor *v;

	ck_assert_uint_ge(vendors_count(vt), 100);
	v = vendors_match(vt, "Hangzhou Hikvision Digital Technology Co.,Ltd.");
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(v->canonical, "Hikvision");
	ck_assert_str_eq(v->country, "CN");
	ck_assert(vendor_listed(v, "NDAA-889"));
	ck_assert(!vendor_listed(v, "NDAA"));
	ck_assert_str_eq(vendors_match(vt, "HIKVISION")->canonical, "Hikvision");
	ck_assert_str_eq(vendors_match(vt, "Allen-Bradley")->canonical, "Rockwell Automation");
	/* the longest alias wins: HPE is not HP */
	ck_assert_str_eq(vendors_match(vt, "Hewlett Packard Enterprise")->canonical, "Hewlett Packard Enterprise");
	ck_assert_str_eq(vendors_match(vt, "Hewlett Packard")->canonical, "HP");
	ck_assert_ptr_null(vendors_match(vt, "Abbott Laboratories"));	/* not ABB */
	ck_assert_ptr_null(vendors_match(vt, ""));
}
END_TEST

START_TEST(named_supplier_by_oui_is_high)
{
	struct risk_evidence ev[] = {
		{ "vendor", "Hangzhou Hikvision Digital Technology Co.,Ltd.", "oui", 30 },
		{ "oui_country", "CN", "oui", 30 },
	};
	struct risk_result r;

	risk_evaluate(pol, vt, ev, 2, "44:19:b6:00:00:01", "10.1.1.5", &r);
	ck_assert_int_eq(r.level, RISK_HIGH);
	ck_assert_str_eq(r.vendor, "Hikvision");
	ck_assert(has_reason(&r, "FCC-COVERED"));
	ck_assert(has_reason(&r, "headquartered in CN"));
	ck_assert_str_eq(r.reasons[0].source, "oui");
	ck_assert(has_reason(&r, "vendors.csv:"));		/* names the table row */
	ck_assert(!r.accepted);
}
END_TEST

START_TEST(behind_a_router_the_banner_alone_suffices)
{
	struct risk_evidence ev[] = {
		{ "vendor", "Dahua", "rule:dahua-web", 70 },
	};
	struct risk_result r;

	risk_evaluate(pol, vt, ev, 1, NULL, "172.16.5.20", &r);
	ck_assert_int_eq(r.level, RISK_HIGH);
	ck_assert_str_eq(r.vendor, "Dahua");
	ck_assert_str_eq(r.reasons[0].source, "rule:dahua-web");
	ck_assert_str_eq(r.reasons[0].value, "Dahua");
}
END_TEST

START_TEST(oem_device_reports_the_true_manufacturer)
{
	/* MAC block of a western brand, web server of a Chinese maker */
	struct risk_evidence ev[] = {
		{ "vendor", "Honeywell", "oui", 30 },
		{ "oui_country", "US", "oui", 30 },
		{ "vendor", "Hikvision", "rule:hikvision-webs", 70 },
	};
	struct risk_result r;

	risk_evaluate(pol, vt, ev, 3, "00:40:84:00:00:01", "10.1.1.6", &r);
	ck_assert_int_eq(r.level, RISK_HIGH);
	ck_assert_str_eq(r.vendor, "Hikvision");
	ck_assert(has_reason(&r, "Hikvision is headquartered in CN"));
}
END_TEST

START_TEST(module_mac_conflicting_with_the_device_is_elevated)
{
	/* a Siemens device whose radio module comes from a Chinese maker */
	struct risk_evidence ev[] = {
		{ "vendor", "Quectel Wireless Solutions Co., Ltd.", "oui", 30 },
		{ "vendor", "Siemens AG", "modbus/43.14/obj0", 90 },
	};
	struct risk_result r;

	risk_evaluate(pol, vt, ev, 2, "00:11:22:33:44:55", NULL, &r);
	ck_assert_int_eq(r.level, RISK_ELEVATED);
	ck_assert_str_eq(r.vendor, "Siemens");
	ck_assert(has_reason(&r, "components"));
}
END_TEST

START_TEST(subsidiary_controlled_from_a_risk_country_is_high)
{
	struct risk_evidence ev[] = {
		{ "vendor", "KUKA WELDING SYSTEMS & ROBOTS", "oui", 30 },
		{ "oui_country", "DE", "oui", 30 },
	};
	struct risk_result r;

	risk_evaluate(pol, vt, ev, 2, "00:60:c8:00:00:01", NULL, &r);
	ck_assert_int_eq(r.level, RISK_HIGH);
	ck_assert(has_reason(&r, "controlled by Midea Group (CN)"));
	ck_assert_str_eq(r.country, "CN");
}
END_TEST

START_TEST(western_parent_of_a_chinese_registered_block_is_none)
{
	/* a real block in the shared PROFINET capture: registered in Nanjing, owned by Siemens */
	struct risk_evidence ev[] = {
		{ "vendor", "Siemens Numerical Control Ltd., Nanjing", "oui", 30 },
		{ "oui_country", "CN", "oui", 30 },
	};
	struct risk_result r;

	risk_evaluate(pol, vt, ev, 2, "00:1c:06:0b:26:ed", NULL, &r);
	ck_assert_int_eq(r.level, RISK_NONE);
	ck_assert_str_eq(r.vendor, "Siemens");
}
END_TEST

START_TEST(unknown_and_fallback_levels)
{
	struct risk_evidence cn[] = {
		{ "vendor", "Shenzhen Nobody Electronics", "oui", 30 },
		{ "oui_country", "CN", "oui", 30 },
	};
	struct risk_evidence us[] = {
		{ "vendor", "Acme Widgets", "oui", 30 },
		{ "oui_country", "US", "oui", 30 },
	};
	struct risk_result r;

	risk_evaluate(pol, vt, NULL, 0, "02:00:00:00:00:01", NULL, &r);	/* randomised MAC, nothing else */
	ck_assert_int_eq(r.level, RISK_UNKNOWN);
	ck_assert(has_reason(&r, "no vendor evidence"));
	risk_evaluate(pol, vt, cn, 2, "aa:bb:cc:00:00:01", NULL, &r);
	ck_assert_int_eq(r.level, RISK_ELEVATED);
	ck_assert(has_reason(&r, "registered in CN"));
	ck_assert(has_reason(&r, "weaker evidence"));
	risk_evaluate(pol, vt, us, 2, "aa:bb:cc:00:00:02", NULL, &r);
	ck_assert_int_eq(r.level, RISK_NONE);
}
END_TEST

static char *
write_policy(const char *text)
{
	static char path[] = "/tmp/sw-risk-XXXXXX";
	int fd;

	strcpy(path, "/tmp/sw-risk-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

START_TEST(operator_override_shows_and_keeps_the_level)
{
	char err[512];
	char *path = write_policy("[country CN]\nreason = test\n\n"
	    "[accept asset 44:19:b6:00:00:01]\njustification = isolated VLAN, replacement Q3\n"
	    "date = 2026-11-01\nby = OT security\n");
	struct risk_policy *p = risk_policy_load(path, err, sizeof(err));
	struct risk_evidence ev[] = { { "vendor", "Hikvision", "oui", 30 } };
	struct risk_result r;

	ck_assert_msg(p != NULL, "%s", err);
	risk_evaluate(p, vt, ev, 1, "44:19:B6:00:00:01", NULL, &r);
	ck_assert_int_eq(r.level, RISK_HIGH);
	ck_assert(r.accepted);
	ck_assert_ptr_nonnull(strstr(r.accepted_text, "isolated VLAN"));
	ck_assert_ptr_nonnull(strstr(r.accepted_text, "2026-11-01"));
	risk_policy_free(p);
	unlink(path);
}
END_TEST

START_TEST(policy_change_changes_the_verdict)
{
	char err[512];
	char *path = write_policy("[policy]\nflag_listings =\n");	/* no risk countries at all */
	struct risk_policy *p = risk_policy_load(path, err, sizeof(err));
	struct risk_evidence ev[] = { { "vendor", "Siemens", "lldp/sysdescr", 70 } };
	struct risk_result r;

	ck_assert_msg(p != NULL, "%s", err);
	risk_evaluate(p, vt, ev, 1, NULL, "10.0.0.1", &r);
	ck_assert_int_eq(r.level, RISK_NONE);
	risk_policy_free(p);
	unlink(path);
	path = write_policy("[supplier Siemens]\nreason = board decision\n");
	p = risk_policy_load(path, err, sizeof(err));
	ck_assert_msg(p != NULL, "%s", err);
	risk_evaluate(p, vt, ev, 1, NULL, "10.0.0.1", &r);
	ck_assert_int_eq(r.level, RISK_HIGH);
	ck_assert(has_reason(&r, "Siemens is a named supplier"));
	ck_assert(has_reason(&r, "Siemens: board decision"));	/* the policy's words, apart */
	risk_policy_free(p);
	unlink(path);
}
END_TEST

START_TEST(bad_policy_lines_are_reported_with_file_and_line)
{
	char err[512];
	char *path = write_policy("[country CN]\nreason = ok\n[country China]\nreason = x\n");

	ck_assert_ptr_null(risk_policy_load(path, err, sizeof(err)));
	ck_assert_msg(strstr(err, ":4: [country China]") != NULL, "%s", err);
	unlink(path);
	path = write_policy("[accept vendor Dahua]\njustification = x\ndate = 1 Nov\n");
	ck_assert_ptr_null(risk_policy_load(path, err, sizeof(err)));
	ck_assert_msg(strstr(err, ":3: date '1 Nov'") != NULL, "%s", err);
	unlink(path);
	path = write_policy("[accept vendor Dahua]\njustification = x\n");
	ck_assert_ptr_null(risk_policy_load(path, err, sizeof(err)));
	ck_assert_msg(strstr(err, "needs a justification and a date") != NULL, "%s", err);
	unlink(path);
}
END_TEST

START_TEST(local_vendor_rows_replace_shipped_ones)
{
	char err[512];
	char *path = write_policy("canonical,aliases,country,parent,parent_country,category,listings,source,checked\n"
	    "Siemens,Siemens AG|Siemens,DE,Example Holding,CN,ot,,local audit 2026,2026-11-29\n"
	    "Local Maker,\"Local Maker BV|Maker, \"\"LM\"\" Inc\",NL,,,ot,,our contract,2026-11-29\n");
	struct vendors *v2 = vendors_load("oui/vendors.csv", path, err, sizeof(err));
	const struct vendor *s;

	ck_assert_msg(v2 != NULL, "%s", err);
	ck_assert_uint_eq(vendors_count(v2), vendors_count(vt) + 1);
	s = vendors_match(v2, "Siemens AG");
	ck_assert_str_eq(s->parent_country, "CN");
	ck_assert_str_eq(s->origin, "local");
	ck_assert_str_eq(vendors_match(v2, "local maker bv")->canonical, "Local Maker");
	/* a quoted CSV field with a comma and doubled quotes */
	ck_assert_str_eq(vendors_match(v2, "Maker, \"LM\" Inc.")->canonical, "Local Maker");
	vendors_free(v2);
	unlink(path);
	path = write_policy("canonical,aliases\nBroken,row\n");
	ck_assert_ptr_null(vendors_load("oui/vendors.csv", path, err, sizeof(err)));
	ck_assert_msg(strstr(err, ":2: expected 9 columns") != NULL, "%s", err);
	unlink(path);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("risk");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, shipped_table_loads_and_matches_whole_words);
	tcase_add_test(tc, named_supplier_by_oui_is_high);
	tcase_add_test(tc, behind_a_router_the_banner_alone_suffices);
	tcase_add_test(tc, oem_device_reports_the_true_manufacturer);
	tcase_add_test(tc, module_mac_conflicting_with_the_device_is_elevated);
	tcase_add_test(tc, subsidiary_controlled_from_a_risk_country_is_high);
	tcase_add_test(tc, western_parent_of_a_chinese_registered_block_is_none);
	tcase_add_test(tc, unknown_and_fallback_levels);
	tcase_add_test(tc, operator_override_shows_and_keeps_the_level);
	tcase_add_test(tc, policy_change_changes_the_verdict);
	tcase_add_test(tc, bad_policy_lines_are_reported_with_file_and_line);
	tcase_add_test(tc, local_vendor_rows_replace_shipped_ones);
	suite_add_tcase(s, tc);
	return s;
}
