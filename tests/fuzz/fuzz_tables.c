/*
 * fuzz_tables.c - libFuzzer harness for the tables spanwatch loads at
 * start and on SIGHUP (ident/, core/regmap.c): files an operator edits by
 * hand, or installs from elsewhere (spanwatch oui update).
 *
 * Input: table (1) | the file's bytes.  Table, low 3 bits:
 *   0 IEEE OUI registry CSV (oui_load, oui_validate_file)
 *   1 OT vendor ids (vendor_ids_load: the bytes as each of the three files)
 *   2 fingerprint rules (fprules_load_mem, then matched against banners)
 *   3 vendor origins (vendors_load)       4 risk policy (risk_policy_load)
 *   5 register maps (regmap_parse)        6 service table (services_load)
 *   7 as 3, the file as the operator's local rows over the shipped table
 * bit 3: for 6, the file as local rows over the shipped oui/services.csv.
 * Files are written to a private directory under $TMPDIR (default /tmp);
 * the shipped tables are read from oui/ (run from the repository root).
 * Checks: a table that loads answers lookups with NUL-terminated strings
 * (ASan reads them); one that does not says why.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fprules.h"
#include "oui.h"
#include "regmap.h"
#include "risk.h"
#include "services.h"
#include "vendor_ids.h"
#include "vendors.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256];
static volatile size_t sink;

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_tables: %s\n", what);
	abort();
}

static void
cleanup(void)
{
	static const char *const names[] = { "oui.csv", "cip_vendors.csv", "bacnet_vendors.csv",
	    "pn_vendors.csv", "table" };
	char p[512];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
}

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/sw-fuzz-tables-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		fail("mkdtemp");
	atexit(cleanup);
}

static const char *
put_file(const char *name, const uint8_t *p, size_t n)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0)
		fail("cannot write the table file");
	return path;
}

static void
need_reason(const char *err)
{
	if (err[0] == '\0')
		fail("a table refused without a reason");
}

static void
rule_emit(void *arg, const char *attr, const char *value, const char *rule_id, uint8_t conf)
{
	(void)arg;
	if (conf > 100)
		fail("a rule's confidence above 100");
	sink += strlen(attr) + strlen(value) + strlen(rule_id);
}

static void
fuzz_oui(const uint8_t *p, size_t n, char *err, size_t errsz)
{
	static const uint8_t macs[][6] = { { 0x00, 0x0e, 0x8c, 1, 2, 3 }, { 0x70, 0xb3, 0xd5, 0x12, 0x34, 0x56 },
	    { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, { 0, 0, 0, 0, 0, 0 } };
	const char *path = put_file("oui.csv", p, n);
	struct oui_db *db;
	size_t rows;

	if (oui_validate_file(path, &rows, err, errsz) != 0)
		need_reason(err);
	if ((db = oui_load(dir, NULL, err, errsz)) == NULL) {
		need_reason(err);
		return;
	}
	for (size_t i = 0; i < sizeof(macs) / sizeof(macs[0]); i++) {
		const struct oui_entry *e = oui_lookup(db, macs[i]);

		if (e && (strlen(e->org) >= OUI_ORG_MAX || strlen(e->country) > 2))
			fail("an OUI entry too long");
	}
	oui_free(db);
}

static void
fuzz_vendor_ids(const uint8_t *p, size_t n)
{
	put_file("cip_vendors.csv", p, n);
	put_file("bacnet_vendors.csv", p, n);
	put_file("pn_vendors.csv", p, n);
	vendor_ids_load(dir);
	for (int t = 0; t < VID_NTABLES; t++)
		for (uint32_t id = 0; id < 4; id++) {
			const char *name = vendor_id_name((enum vid_table)t, id);

			if (name && strlen(name) >= VID_NAME_MAX)
				fail("a vendor id name too long");
		}
	vendor_ids_free();
}

static void
fuzz_rules(const uint8_t *p, size_t n, char *err, size_t errsz)
{
	static const char *const banners[][3] = {
		{ "software", "http/server", "Apache/2.4.41 (Ubuntu)" },
		{ "software", "ssh/banner", "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3" },
		{ "model", "modbus/43.14", "BMX P34 2020" },
		{ "hostname", "dhcp/12", "" },
	};
	char *text = malloc(n + 1);
	struct fprules *r;

	if (text == NULL)
		fail("malloc");
	memcpy(text, p, n);
	text[n] = '\0';
	r = fprules_load_mem("fuzz.rules", text, err, errsz);
	free(text);
	if (r == NULL) {
		need_reason(err);
		return;
	}
	for (size_t i = 0; i < sizeof(banners) / sizeof(banners[0]); i++)
		fprules_match(r, banners[i][0], banners[i][1], banners[i][2], rule_emit, NULL);
	fprules_free(r);
}

static void
fuzz_vendors(const uint8_t *p, size_t n, bool as_local, char *err, size_t errsz)
{
	static const char *const names[] = { "Siemens AG", "Hikvision", "hangzhou hikvision digital", "" };
	const char *path = put_file("table", p, n);
	struct vendors *v = as_local ? vendors_load("oui/vendors.csv", path, err, errsz) :
	    vendors_load(path, NULL, err, errsz);

	if (v == NULL) {
		need_reason(err);
		return;
	}
	for (size_t i = 0; i < vendors_count(v); i++)
		sink += strlen(vendors_at(v, i)->canonical) + strlen(vendors_at(v, i)->listings);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct vendor *m = vendors_match(v, names[i]);

		if (m)
			sink += strlen(m->canonical) + vendor_listed(m, "FCC-COVERED");
	}
	vendors_free(v);
}

static void
fuzz_policy(const uint8_t *p, size_t n, char *err, size_t errsz)
{
	const char *path = put_file("table", p, n);
	struct risk_policy *pol = risk_policy_load(path, err, errsz);
	char rule[256];

	if (pol == NULL) {
		need_reason(err);
		return;
	}
	sink += risk_country_flagged(pol, "CN", rule, sizeof(rule));
	sink += risk_country_flagged(pol, "", rule, sizeof(rule));
	risk_policy_free(pol);
}

static void
fuzz_regmap(const uint8_t *p, size_t n, char *err, size_t errsz)
{
	char *text = malloc(n + 1);
	struct regmap *m;

	if (text == NULL)
		fail("malloc");
	memcpy(text, p, n);
	text[n] = '\0';
	m = regmap_parse(text, "fuzz.map", err, errsz);
	free(text);
	if (m == NULL) {
		need_reason(err);
		return;
	}
	sink += regmap_same(m, m);
	regmap_free(m);
}

static void
fuzz_services(const uint8_t *p, size_t n, bool as_local, char *err, size_t errsz)
{
	const char *path = put_file("table", p, n);
	struct services *s = as_local ? services_load("oui/services.csv", path, err, errsz) :
	    services_load(path, NULL, err, errsz);

	if (s == NULL) {
		need_reason(err);
		return;
	}
	for (size_t i = 0; i < services_count(s); i++)
		sink += strlen(services_at(s, i)->pattern) + strlen(services_at(s, i)->service);
	sink += services_match_name(s, "eu5.fusionsolar.huawei.com") != NULL;
	sink += services_match_asn(s, 136907) != NULL;
	services_free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];

	if (size < 1)
		return 0;
	if (dir[0] == '\0')
		setup();
	err[0] = '\0';
	switch (data[0] & 7) {
	case 0: fuzz_oui(data + 1, size - 1, err, sizeof(err)); break;
	case 1: fuzz_vendor_ids(data + 1, size - 1); break;
	case 2: fuzz_rules(data + 1, size - 1, err, sizeof(err)); break;
	case 3: fuzz_vendors(data + 1, size - 1, false, err, sizeof(err)); break;
	case 4: fuzz_policy(data + 1, size - 1, err, sizeof(err)); break;
	case 5: fuzz_regmap(data + 1, size - 1, err, sizeof(err)); break;
	case 6: fuzz_services(data + 1, size - 1, (data[0] & 8) != 0, err, sizeof(err)); break;
	case 7: fuzz_vendors(data + 1, size - 1, true, err, sizeof(err)); break;
	}
	return 0;
}
