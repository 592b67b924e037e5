/*
 * test_report.c - the report's escaping of device strings for HTML/SVG and
 * Graphviz labels, and the derived view (zone, level) the report and the
 * map group assets by.  cli_html.c lives with the CLI, so it is compiled
 * into this test directly.
 */
#include "support.h"
#include "../cli/cli_out.c"
#include "../cli/cli_html.c"

/* html_text() into a string (malloc'd). */
static char *
html(const char *s, size_t maxchars)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	html_text(f, s, maxchars);
	fclose(f);
	return buf;
}

START_TEST(html_markup_and_quotes_are_text)
{
	char *s = html("<script>alert(\"x\")</script> & 'y'", 0);

	ck_assert_str_eq(s, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;");
	free(s);
}
END_TEST

START_TEST(html_controls_bidi_and_bad_utf8_are_shown)
{
	/* ESC, a C1 CSI, U+202E RIGHT-TO-LEFT OVERRIDE, U+2066 isolate, a lone 0xff, a NUL-free tail */
	char *s = html("a\x1b[2Jb\xc2\x9b" "c\xe2\x80\xae" "d\xe2\x81\xa6" "e\xff" "f", 0);

	ck_assert_str_eq(s, "a\\x1B[2Jb\\x9Bc\\u202Ed\\u2066e\\xFFf");
	ck_assert_ptr_null(strstr(s, "\xe2\x80\xae"));
	free(s);
}
END_TEST

START_TEST(html_cuts_long_names_by_code_points)
{
	char *big = malloc(10241), *s;

	memset(big, 'A', 10240);
	big[10240] = '\0';
	s = html(big, 160);
	ck_assert_uint_eq(strlen(s), 160 + strlen("&#8230;"));
	ck_assert_str_eq(s + 160, "&#8230;");
	free(s);
	/* a multi-byte character is never split */
	s = html("\xc3\xa9\xc3\xa9\xc3\xa9", 2);
	ck_assert_str_eq(s, "\xc3\xa9\xc3\xa9&#8230;");
	free(s);
	s = html(NULL, 0);
	ck_assert_str_eq(s, "&#8211;");
	free(s);
	free(big);
}
END_TEST

/*
 * One rule everywhere: for every code point of the BMP and the start of
 * each supplementary plane, the stored form (obs_sanitize), the export's
 * walk, the terminal cell, the report's HTML and the map's labels escape
 * it exactly when utf8_cp_escaped() says so.
 */
START_TEST(every_writer_escapes_by_the_one_rule)
{
	static const uint32_t ranges[][2] = {
		{ 0x1, 0xffff }, { 0x10000, 0x10100 }, { 0x1f300, 0x1f700 }, { 0xe0000, 0xe0100 },
		{ 0x10ff00, 0x10ffff },
	};

	for (size_t r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++)
	for (uint32_t cp = ranges[r][0]; cp <= ranges[r][1]; cp++) {
		unsigned char u[4];
		char in[8], stored[64], *term, *page, *label, *walked;
		struct sbuf b = { 0 };
		bool esc = utf8_cp_escaped(cp);
		size_t n;

		if ((cp >= 0xd800 && cp <= 0xdfff) || cp == '\\')
			continue;	/* surrogates are invalid UTF-8; a backslash is doubled, not escaped */
		n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
		if (n == 1) {
			u[0] = (unsigned char)cp;
		} else if (n == 2) {
			u[0] = (unsigned char)(0xc0 | cp >> 6);
			u[1] = (unsigned char)(0x80 | (cp & 0x3f));
		} else if (n == 3) {
			u[0] = (unsigned char)(0xe0 | cp >> 12);
			u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
			u[2] = (unsigned char)(0x80 | (cp & 0x3f));
		} else {
			u[0] = (unsigned char)(0xf0 | cp >> 18);
			u[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
			u[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
			u[3] = (unsigned char)(0x80 | (cp & 0x3f));
		}
		snprintf(in, sizeof(in), "a%.*sb", (int)n, (const char *)u);
		obs_sanitize(in, strlen(in), stored, sizeof(stored));
		term = term_cell(in, strlen(in));
		page = html(in, 0);
		label = label_clean(in, 0);
		utf8_walk(&b, in, strlen(in), true, sb_putn, "\\");
		walked = sb_take(&b);
		ck_assert_msg((strcmp(stored, in) != 0) == esc, "U+%04X stored as %s", (unsigned)cp, stored);
		ck_assert_msg((strcmp(walked, in) != 0) == esc, "U+%04X exported as %s", (unsigned)cp, walked);
		ck_assert_msg((strcmp(term, in) != 0) == esc, "U+%04X on a terminal: %s", (unsigned)cp, term);
		ck_assert_msg((strstr(page, "\\x") || strstr(page, "\\u")) == esc, "U+%04X in HTML: %s",
		    (unsigned)cp, page);
		ck_assert_msg((strstr(label, "<0x") || strstr(label, "<U+")) == esc, "U+%04X in a label: %s",
		    (unsigned)cp, label);
		free(term);
		free(page);
		free(label);
		free(walked);
	}
}
END_TEST

START_TEST(labels_have_no_backslash_escape_or_control)
{
	char *s = label_clean("PLC\\N \\l\x1b\xe2\x80\xae" "x\xff", 0);

	/* \N would make Graphviz print the node's name; doubled it is a backslash */
	ck_assert_str_eq(s, "PLC\\\\N \\\\l<0x1B><U+202E>x<0xFF>");
	free(s);
	s = label_clean("0123456789", 4);
	ck_assert_str_eq(s, "0123...");
	free(s);
	s = label_clean(NULL, 0);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

START_TEST(public_addresses)
{
	ck_assert(ip_is_public("8.8.8.8"));
	ck_assert(ip_is_public("2001:db8::1"));
	ck_assert(!ip_is_public("10.1.2.3"));
	ck_assert(!ip_is_public("172.16.0.1"));
	ck_assert(ip_is_public("172.32.0.1"));
	ck_assert(!ip_is_public("192.168.1.1"));
	ck_assert(!ip_is_public("100.64.0.1"));
	ck_assert(!ip_is_public("169.254.1.1"));
	ck_assert(!ip_is_public("fe80::1"));
	ck_assert(!ip_is_public("fd00::1"));
	ck_assert(!ip_is_public("not an address"));
}
END_TEST

static json_t *
asset(const char *ip, int vlan, const char *roles, bool gateway)
{
	json_t *a = json_pack("{s:s s:i s:b s:[]}", "ip", ip, "vlan", vlan, "gateway", gateway, "roles");
	char buf[128], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", roles);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		json_array_append_new(json_object_get(a, "roles"), json_string(tok));
	return a;
}

START_TEST(zones_are_vlans_else_subnets)
{
	json_t *a = asset("10.10.0.7", 40, "", false), *b = asset("10.10.0.7", 0, "", false);
	json_t *c = asset("fd00:1:2:3:4::5", 0, "", false), *d = asset("203.0.113.9", 0, "", false);
	char z[96];

	asset_zone(a, z, sizeof(z));
	ck_assert_str_eq(z, "VLAN 40");
	asset_zone(b, z, sizeof(z));
	ck_assert_str_eq(z, "10.10.0.0/24");
	asset_zone(c, z, sizeof(z));
	ck_assert_str_eq(z, "fd00:1:2:3::/64");
	asset_zone(d, z, sizeof(z));
	ck_assert_str_eq(z, "internet");
	json_decref(a);
	json_decref(b);
	json_decref(c);
	json_decref(d);
}
END_TEST

START_TEST(operator_zone_and_gateway_zone_win)
{
	json_t *a = asset("10.10.0.7", 40, "", false), *u = asset("10.10.0.8", 0, "", false);
	char z[96];

	json_object_set_new(a, "zone", json_string("Level 1 / Line 3"));
	asset_zone(a, z, sizeof(z));
	ck_assert_str_eq(z, "Level 1 / Line 3");
	/* a Modbus unit behind a server: no address of its own, the server's zone */
	json_object_set_new(u, "ip", json_null());
	json_object_set_new(u, "behind", json_pack("{s:i s:s s:i}", "gateway", 3, "ip", "10.30.0.14",
	    "unit", 2));
	asset_zone(u, z, sizeof(z));
	ck_assert_str_eq(z, "10.30.0.0/24");
	json_decref(a);
	json_decref(u);
}
END_TEST

START_TEST(the_category_decides_level_and_group)
{
	json_t *a = asset("10.0.0.9", 0, "modbus_client", false);

	ck_assert_ptr_null(category_group(a));		/* no category in the database */
	ck_assert_int_eq(asset_tier(a), TIER_SUPERVISORY);
	json_object_set_new(a, "category", json_string("inverter_energy"));
	ck_assert_int_eq(asset_tier(a), TIER_CONTROL);
	ck_assert_str_eq(category_group(a), "inverter, energy");
	ck_assert_str_eq(asset_category(a), "inverter/energy");
	json_object_set_new(a, "category", json_string("camera"));
	ck_assert_int_eq(asset_tier(a), TIER_IT);
	json_object_set_new(a, "category", json_string("unknown"));
	ck_assert_int_eq(asset_tier(a), TIER_SUPERVISORY);	/* back to the roles */
	ck_assert_str_eq(category_group(a), "unknown");
	json_decref(a);
}
END_TEST

START_TEST(levels_follow_the_roles)
{
	static const struct { const char *roles; bool gw; const char *ip; enum tier want; } cases[] = {
		{ "plc modbus_client", false, "10.0.0.1", TIER_CONTROL },	/* a PLC polling others is a PLC */
		{ "modbus_client", false, "10.0.0.2", TIER_SUPERVISORY },
		{ "dnp3_master", false, "10.0.0.3", TIER_SUPERVISORY },
		{ "dnp3_outstation", false, "10.0.0.4", TIER_CONTROL },
		{ "modbus_server", false, "10.0.0.5", TIER_CONTROL },
		{ "", true, "10.0.0.6", TIER_NETWORK },
		{ "dhcp_server", false, "10.0.0.7", TIER_IT },
		{ "", false, "198.51.100.1", TIER_INTERNET },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *a = asset(cases[i].ip, 0, cases[i].roles, cases[i].gw);

		ck_assert_msg(asset_tier(a) == cases[i].want, "roles '%s': level %d, want %d",
		    cases[i].roles, asset_tier(a), cases[i].want);
		json_decref(a);
	}
}
END_TEST

START_TEST(chart_escapes_labels_and_scales_bars)
{
	struct bar bars[] = { { "<b>CN</b>", 40, "#d00" }, { "DE", 10, "#00d" }, { "none", 0, "#ccc" } };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	svg_bars(f, "Assets \"per\" country", "c1", bars, 3);
	fclose(f);
	ck_assert_ptr_null(strstr(buf, "<b>"));
	ck_assert_ptr_nonnull(strstr(buf, "&lt;b&gt;CN&lt;/b&gt;"));
	ck_assert_ptr_nonnull(strstr(buf, "aria-label=\"Assets &quot;per&quot; country\""));
	/* the largest bar is the full plot width, the others in proportion */
	ck_assert_ptr_nonnull(strstr(buf, "width=\"150\" height"));
	ck_assert_ptr_nonnull(strstr(buf, "width=\"37\" height"));
	ck_assert_ptr_nonnull(strstr(buf, "width=\"0\" height"));
	free(buf);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("escaping");

	tcase_add_test(tc, html_markup_and_quotes_are_text);
	tcase_add_test(tc, html_controls_bidi_and_bad_utf8_are_shown);
	tcase_add_test(tc, html_cuts_long_names_by_code_points);
	tcase_add_test(tc, labels_have_no_backslash_escape_or_control);
	tcase_add_test(tc, every_writer_escapes_by_the_one_rule);
	tcase_add_test(tc, public_addresses);
	tcase_add_test(tc, zones_are_vlans_else_subnets);
	tcase_add_test(tc, levels_follow_the_roles);
	tcase_add_test(tc, operator_zone_and_gateway_zone_win);
	tcase_add_test(tc, the_category_decides_level_and_group);
	tcase_add_test(tc, chart_escapes_labels_and_scales_bars);
	suite_add_tcase(s, tc);
	return s;
}
