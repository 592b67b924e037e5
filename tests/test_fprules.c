/*
 * test_fprules.c - fingerprint rule loader and matcher: matching with
 * source prefixes and capture groups, errors with file and line, and the
 * shipped oui/fingerprints.rules loading cleanly and matching strings taken
 * from the shared captures' expected facts.
 */
#include <stdio.h>
#include <string.h>

#include "support.h"
#include "fprules.h"

struct hit {
	char	 attr[32];
	char	 val[256];
	char	 rule[64];
	uint8_t	 conf;
};

struct hits {
	struct hit	 v[32];
	size_t		 n;
};

static void
collect(void *arg, const char *attr, const char *value, const char *rule_id, uint8_t conf)
{
	struct hits *h = arg;

	if (h->n == sizeof(h->v) / sizeof(h->v[0]))
		return;
	snprintf(h->v[h->n].attr, sizeof(h->v[0].attr), "%s", attr);
	snprintf(h->v[h->n].val, sizeof(h->v[0].val), "%s", value);
	snprintf(h->v[h->n].rule, sizeof(h->v[0].rule), "%s", rule_id);
	h->v[h->n++].conf = conf;
}

static const struct hit *
get(const struct hits *h, const char *attr)
{
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->v[i].attr, attr) == 0)
			return &h->v[i];
	return NULL;
}

static const char rules[] =
    "# comment\n"
    "\n"
    "s7  description@snmp  /^Siemens, SIMATIC S7, ([^,]+), .*FW: V([0-9.]+)/  vendor=Siemens "
    "product=\"SIMATIC $1\" version=$2 type=plc conf=90\n"
    "   ssh  software@ssh/banner /^SSH-2\\.0-OpenSSH_(\\S+) Debian/i os=\"Debian\" conf=70\n"
    "slash software /a\\/b(c)?/ product=\"x$1y$$\"\n";

START_TEST(match_groups_and_sources)
{
	char err[256] = "";
	struct fprules *r = fprules_load_mem("mem", rules, err, sizeof(err));
	struct hits h = { 0 };

	ck_assert_msg(r != NULL, "%s", err);
	ck_assert_uint_eq(fprules_count(r), 3);
	fprules_match(r, "description", "snmp/sysDescr",
	    "Siemens, SIMATIC S7, CPU-1200, 6ES7 214-1AG40-0XB0, HW: 1, FW: V4.2.3",
	    collect, &h);
	ck_assert_uint_eq(h.n, 4);
	ck_assert_str_eq(get(&h, "vendor")->val, "Siemens");
	ck_assert_str_eq(get(&h, "model")->val, "SIMATIC CPU-1200");
	ck_assert_str_eq(get(&h, "firmware")->val, "4.2.3");
	ck_assert_str_eq(get(&h, "device_type")->val, "plc");
	ck_assert_str_eq(get(&h, "vendor")->rule, "s7");
	ck_assert_uint_eq(get(&h, "vendor")->conf, 90);

	/* same value from another source: the prefix does not match */
	h.n = 0;
	fprules_match(r, "description", "lldp/sysdesc",
	    "Siemens, SIMATIC S7, CPU-1200, x, FW: V4.2.3", collect, &h);
	ck_assert_uint_eq(h.n, 0);
	/* wrong attribute */
	fprules_match(r, "software", "snmp/sysDescr",
	    "Siemens, SIMATIC S7, CPU-1200, x, FW: V4.2.3", collect, &h);
	ck_assert_uint_eq(h.n, 0);

	/* case-insensitive flag, default-less conf */
	fprules_match(r, "software", "ssh/banner", "ssh-2.0-openssh_9.2p1 debian-2", collect, &h);
	ck_assert_uint_eq(h.n, 1);
	ck_assert_str_eq(h.v[0].val, "Debian");
	ck_assert_uint_eq(h.v[0].conf, 70);

	/* escaped slash, unset group expands to nothing, $$ is a dollar */
	h.n = 0;
	fprules_match(r, "software", "anything", "xa/b", collect, &h);
	ck_assert_uint_eq(h.n, 1);
	ck_assert_str_eq(h.v[0].val, "xy$");
	ck_assert_uint_eq(h.v[0].conf, 60);
	h.n = 0;
	fprules_match(r, "software", NULL, "a/bc", collect, &h);
	ck_assert_str_eq(h.v[0].val, "xcy$");
	fprules_free(r);
}
END_TEST

static const struct {
	const char	*text;
	const char	*err;
} bad[] = {
	{ "ok software /x/ os=a\n\nr2 software /(unclosed/ os=b\n",
	    "mem:3: bad regex: missing closing parenthesis at offset 9" },
	{ "r1 nosuch /x/ os=a\n", "mem:1: unknown field" },
	{ "r1 software /x/ os=a conf=0\n", "mem:1: bad confidence (an integer 1-100)" },
	{ "r1 software /x/ os=a conf=101\n", "mem:1: bad confidence (an integer 1-100)" },
	{ "r1 software /x/ os=a conf=5x\n", "mem:1: bad confidence (an integer 1-100)" },
	{ "r1 software /x/ colour=red\n", "mem:1: unknown key (vendor, product, version, type, os, conf)" },
	{ "r1 software /x/ conf=50\n", "mem:1: rule sets nothing (vendor, product, version, type or os)" },
	{ "r1 software x/ os=a\n", "mem:1: expected /regex/ after the field" },
	{ "r1 software /x os=a\n", "mem:1: unterminated /regex/" },
	{ "r1 software /x/g os=a\n", "mem:1: unknown regex flag (only i)" },
	{ "r1 software /x/ os=\"a\n", "mem:1: unterminated quoted value" },
	{ "r1\n", "mem:1: expected: ID FIELD /REGEX/ key=value..." },
	{ "r1 software /x/ os=a\n#\nr1 software /y/ os=b\n", "mem:3: duplicate rule id r1 (line 1)" },
};

START_TEST(bad_rules_name_file_and_line)
{
	char err[256] = "";
	struct fprules *r = fprules_load_mem("mem", bad[_i].text, err, sizeof(err));

	ck_assert_ptr_null(r);
	ck_assert_str_eq(err, bad[_i].err);
}
END_TEST

START_TEST(missing_file)
{
	char err[256] = "";

	ck_assert_ptr_null(fprules_load("/nonexistent/x.rules", err, sizeof(err)));
	ck_assert_str_eq(err, "/nonexistent/x.rules: No such file or directory");
}
END_TEST

/* The shipped file loads, and matches strings real captures carry. */
START_TEST(shipped_file)
{
	char err[512] = "";
	struct fprules *r = fprules_load("oui/fingerprints.rules", err, sizeof(err));
	struct hits h = { 0 };
	json_t *exp, *v;
	const char *ip;

	ck_assert_msg(r != NULL, "%s", err);
	ck_assert_uint_gt(fprules_count(r), 50);

	/* SSDP Server of a Beckhoff CX in http/iti__addroute.pcapng */
	exp = load_expected("http/iti__addroute.pcapng");
	json_object_foreach(json_object_get(json_object_get(exp, "facts"), "http_server"), ip, v) {
		fprules_match(r, "software", "ssdp/server",
		    json_string_value(json_array_get(v, 0)), collect, &h);
	}
	json_decref(exp);
	ck_assert_ptr_nonnull(get(&h, "os"));
	ck_assert_str_eq(get(&h, "os")->val, "Windows CE 6.00");

	/* CDP software version of the switch in enip/iti__EIP-SoftwareUpload.pcap */
	h.n = 0;
	exp = load_expected("enip/iti__EIP-SoftwareUpload.pcap");
	v = json_array_get(json_object_get(json_object_get(exp, "facts"), "cdp"), 0);
	fprules_match(r, "software", "cdp/software_version",
	    json_string_value(json_object_get(v, "software_version")), collect, &h);
	ck_assert_str_eq(get(&h, "vendor")->val, "Cisco");
	ck_assert_str_eq(get(&h, "firmware")->val, "12.2(25)SEG4");
	/* and its CIP identity product name */
	h.n = 0;
	v = json_array_get(json_object_get(json_object_get(exp, "facts"), "cip_identity"), 0);
	fprules_match(r, "model", "cip/identity",
	    json_string_value(json_object_get(v, "product_name")), collect, &h);
	ck_assert_str_eq(get(&h, "vendor")->val, "Rockwell Automation");
	ck_assert_str_eq(get(&h, "device_type")->val, "plc");
	json_decref(exp);

	/* a Debian OpenSSH banner */
	h.n = 0;
	fprules_match(r, "software", "ssh/banner", "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3",
	    collect, &h);
	ck_assert_str_eq(get(&h, "os")->val, "Debian GNU/Linux");
	fprules_free(r);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("fprules");
	TCase *tc = tcase_create("fprules");

	tcase_add_test(tc, match_groups_and_sources);
	tcase_add_loop_test(tc, bad_rules_name_file_and_line, 0,
	    (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, missing_file);
	tcase_add_test(tc, shipped_file);
	suite_add_tcase(s, tc);
	return s;
}
