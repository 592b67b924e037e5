/*
 * test_cli_risk.c - `spanwatch risk` and `spanwatch vendors` on an
 * inventory built through the store, one asset per case of the issue:
 *
 *   44:19:b6:00:00:01  Hikvision by its MAC block; the operator accepted it
 *   172.16.5.20        a Hikvision web banner behind a router (IP-keyed)
 *   00:40:84:00:00:01  Honeywell MAC block, Hikvision web banner (OEM)
 *   00:60:c8:00:00:01  KUKA: registered in DE, controlled from CN (Midea)
 *   34:dd:7e:00:00:01  a maker not in the vendor table, block registered in CN
 *   02:11:22:33:44:55  a randomised MAC that said nothing
 *   00:1b:1b:aa:bb:cc  the router (Siemens): none
 *
 * The policy is a file written here ([country CN], flagged listings and
 * one [accept asset]); the daemon's evaluation (store_set_risk + ingest)
 * fills the risk table, and the commands (cli/cli_risk.c and
 * cli/cli_vendors.c, compiled in) must show every level, every reason's
 * evidence and rule, and the acceptance, in the table and in JSON.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "support.h"
#include "store_support.h"
#include "obsq.h"
#include "oui.h"
#include "risk.h"
#include "store.h"
#include "vendors.h"

#include "../cli/cli_out.c"
#include "../cli/cli_table.c"
#include "../cli/cli_filter.c"
#include "../cli/cli_db.c"
#include "../cli/cli_risk.c"
#include "../cli/cli_vendors.c"

#define HIK_MAC		"44:19:b6:00:00:01"
#define HIK_ORG		"Hangzhou Hikvision Digital Technology Co.,Ltd."
#define ROUTER_MAC	"00:1b:1b:aa:bb:cc"
#define BEHIND_IP	"172.16.5.20"
#define OEM_MAC		"00:40:84:00:00:01"
#define KUKA_MAC	"00:60:c8:00:00:01"
#define UMEOX_MAC	"34:dd:7e:00:00:01"
#define RANDOM_MAC	"02:11:22:33:44:55"
#define BANNER_RULE	"rule:hikvision-webs"

static const char policy_text[] =
    "[policy]\n"
    "flag_listings = FCC-COVERED NDAA-889 EU-5G-HRS\n"
    "\n"
    "[country CN]\n"					/* line 4 */
    "reason = test: offensive cyber programme against the Netherlands\n"
    "\n"
    "[accept asset " HIK_MAC "]\n"
    "justification = isolated camera VLAN 40, replacement planned Q3\n"
    "date = 2026-11-01\n"
    "by = OT security\n";

/* A model string with terminal escapes, as an old or buggy writer might store it. */
static const char hostile[] = "DS-2CD\x1b[2J\x1b]0;pwn\x07\xff end";

static char tmpdir[64], db[128], policy[128];
static int hik_line;			/* oui/vendors.csv line of the Hikvision row */

/* --- building the inventory ------------------------------------------------ */

static struct obs_sink sink;

static void
addr(const char *mac, const char *ip, const char *src, uint64_t t)
{
	struct obs o = { .kind = OBS_ADDR, .ts_us = t * 1000000, .who = asset_ref_of(mac, ip), .src = src };

	obs_emit(&sink, &o);
}

static void
fact(const char *mac, const char *ip, const char *attr, const char *val, const char *src,
    uint8_t conf, uint64_t t)
{
	struct obs o = { .kind = OBS_FACT, .ts_us = t * 1000000, .who = asset_ref_of(mac, ip),
	    .attr = attr, .val = val, .val_len = strlen(val), .src = src, .conf = conf };

	obs_emit(&sink, &o);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

/*
 * Build a database at path; with_risk false stores the assets without
 * evaluating them (a daemon that had no policy loaded).
 */
static void
build_db(const char *path, bool with_risk, bool full)
{
	char err[512];
	struct store *st;
	struct oui_db *oui;
	struct vendors *vt = NULL;
	struct risk_policy *pol = NULL;
	struct obsq *q;

	st = store_open(path, STORE_RW, err, sizeof(err));
	ck_assert_msg(st != NULL, "%s", err);
	oui = oui_load(NULL, NULL, err, sizeof(err));
	ck_assert_msg(oui != NULL, "%s", err);
	store_set_oui(st, oui);
	if (with_risk) {
		vt = vendors_load("oui/vendors.csv", NULL, err, sizeof(err));
		ck_assert_msg(vt != NULL, "%s", err);
		pol = risk_policy_load(policy, err, sizeof(err));
		ck_assert_msg(pol != NULL, "%s", err);
		store_set_risk(st, vt, pol);
	}
	q = obsq_new(0);
	sink = obsq_sink(q);
	addr(ROUTER_MAC, "192.168.1.1", "arp", 100);
	if (full) {
		addr(HIK_MAC, "10.1.1.5", "ip", 100);
		/* three forwarded sources: a router; the camera behind it is IP-keyed */
		addr(ROUTER_MAC, BEHIND_IP, "ip", 101);
		addr(ROUTER_MAC, "172.16.5.21", "ip", 102);
		addr(ROUTER_MAC, "172.16.5.22", "ip", 103);
		ck_assert_int_ge(store_ingest(st, q), 0);
		fact(ROUTER_MAC, BEHIND_IP, A_VENDOR, "Hikvision", BANNER_RULE, CONF_BANNER, 104);
		addr(OEM_MAC, "10.1.1.6", "ip", 105);
		fact(OEM_MAC, "10.1.1.6", A_VENDOR, "Hikvision", BANNER_RULE, CONF_BANNER, 105);
		fact(OEM_MAC, "10.1.1.6", A_MODEL, "DS-2CD2043G0-I", BANNER_RULE, CONF_BANNER, 105);
		fact(OEM_MAC, "10.1.1.6", A_HOSTNAME, "cam-gate-3", "dhcp/12", CONF_STATED, 105);
		addr(KUKA_MAC, "10.1.1.7", "ip", 106);
		addr(UMEOX_MAC, "10.1.1.8", "ip", 107);
		addr(RANDOM_MAC, "10.1.1.9", "ip", 108);
	}
	ck_assert_msg(store_ingest(st, q) >= 0, "%s", store_errmsg(st));
	obsq_free(q);
	store_close(st);
	oui_free(oui);
	vendors_free(vt);
	risk_policy_free(pol);
}

/* Raw bytes into the database, bypassing the daemon's sanitising. */
static void
plant_hostile_model(const char *path)
{
	sqlite3 *d;
	sqlite3_stmt *st;

	ck_assert_int_eq(sqlite3_open(path, &d), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(d,
	    "INSERT INTO evidence (asset_id, attribute, value, source, confidence, "
	    "first_seen, last_seen, count) SELECT id, 'model', ?1, 'test', 99, 1, 2, 1 "
	    "FROM assets WHERE mac = ?2", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, hostile, sizeof(hostile) - 1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, KUKA_MAC, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	ck_assert_int_eq(sqlite3_changes(d), 1);
	sqlite3_finalize(st);
	sqlite3_close(d);
}

static void
setup(void)
{
	char err[512];
	struct vendors *vt = vendors_load("oui/vendors.csv", NULL, err, sizeof(err));

	ck_assert_msg(vt != NULL, "%s", err);
	hik_line = vendors_match(vt, HIK_ORG)->line;
	vendors_free(vt);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/sw-clirisk-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(db, sizeof(db), "%s/sw.db", tmpdir);
	snprintf(policy, sizeof(policy), "%s/risk.conf", tmpdir);
	write_file(policy, policy_text);
	build_db(db, true, true);
	plant_hostile_model(db);
}

static void
teardown(void)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* --- running a command ------------------------------------------------------ */

struct run {
	int	 rc;
	char	*out, *err;
	size_t	 outlen, errlen;
};

/* One command as main() runs it (without the busy retry). */
static struct run
run(const struct cli_cmd *c, const char *dbpath, const char *config, ...)
{
	char *argv[16], name[64];
	int argc = 0;
	struct cli cli = { 0 };
	struct run r = { 0 };
	va_list ap;

	snprintf(name, sizeof(name), "%s", c->name);	/* argv is writable, the table is not */
	argv[argc++] = name;
	va_start(ap, config);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	cli.db_path = dbpath;
	cli.config = config;
	cli.out = open_memstream(&r.out, &r.outlen);
	cli.err = open_memstream(&r.err, &r.errlen);
	optind = 0;
	r.rc = c->needs_db ? cli_db_open(&cli) : EXIT_OK;
	if (r.rc == EXIT_OK)
		r.rc = c->run(&cli, argc, argv);
	cli_db_close(&cli);
	fclose(cli.out);
	fclose(cli.err);
	ck_assert(!cli.busy);
	return r;
}

static void
run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static json_t *
parse(const struct run *r)
{
	json_error_t e;
	json_t *j = json_loads(r->out, 0, &e);

	ck_assert_msg(j != NULL, "invalid JSON: %s (line %d): %.300s", e.text, e.line, r->out);
	return j;
}

static json_t *
asset_by(json_t *doc, const char *key, const char *val)
{
	size_t i;
	json_t *a;

	json_array_foreach(json_object_get(doc, "assets"), i, a)
		if (jtext(a, key) && strcmp(jtext(a, key), val) == 0)
			return a;
	return NULL;
}

/* The reason of a whose text contains needle, or NULL. */
static json_t *
reason_with(json_t *a, const char *needle)
{
	size_t i;
	json_t *r;

	json_array_foreach(json_object_get(a, "reasons"), i, r)
		if (strstr(jtext(r, "text"), needle))
			return r;
	return NULL;
}

static json_int_t
count_of(json_t *o, const char *key)
{
	ck_assert_msg(json_is_integer(json_object_get(o, key)), "no count %s", key);
	return json_integer_value(json_object_get(o, key));
}

static json_t *
group(json_t *doc, const char *list, const char *key, const char *val)
{
	size_t i;
	json_t *g;

	json_array_foreach(json_object_get(json_object_get(doc, "summary"), list), i, g)
		if (jtext(g, key) && strcmp(jtext(g, key), val) == 0)
			return g;
	return NULL;
}

/* --- risk -------------------------------------------------------------------- */

START_TEST(json_levels_reasons_evidence_rules_and_acceptance)
{
	struct run r = run(&cmd_risk, db, NULL, "--json", NULL);
	json_t *doc, *sum, *a, *rs, *g;
	char rule[320];

	ck_assert_int_eq(r.rc, EXIT_OK);
	doc = parse(&r);
	sum = json_object_get(doc, "summary");
	/* router + 2 quiet hosts behind it + the 6 cases */
	ck_assert_int_eq(count_of(sum, "assets"), 9);
	ck_assert_int_eq(count_of(sum, "not_evaluated"), 0);
	ck_assert_int_eq(count_of(sum, "accepted"), 1);
	ck_assert_int_eq(count_of(json_object_get(sum, "levels"), "high"), 4);
	ck_assert_int_eq(count_of(json_object_get(sum, "levels"), "elevated"), 1);
	ck_assert_int_eq(count_of(json_object_get(sum, "levels"), "none"), 1);
	ck_assert_int_eq(count_of(json_object_get(sum, "levels"), "unknown"), 3);
	/* per vendor: three Hikvision devices whatever their MAC said */
	ck_assert_ptr_nonnull(g = group(doc, "vendors", "vendor", "Hikvision"));
	ck_assert_int_eq(count_of(g, "assets"), 3);
	ck_assert_int_eq(count_of(g, "high"), 3);
	ck_assert_int_eq(count_of(g, "accepted"), 1);
	ck_assert_str_eq(jtext(g, "country"), "CN");
	ck_assert_ptr_nonnull(g = group(doc, "countries", "country", "CN"));
	ck_assert_int_eq(count_of(g, "high"), 4);
	ck_assert_int_eq(count_of(g, "elevated"), 0);	/* no vendor row: no country of the maker */
	/* default selection: high and elevated, most severe first */
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "assets")), 5);
	ck_assert_str_eq(jtext(json_array_get(json_object_get(doc, "assets"), 0), "level"), "high");
	ck_assert_str_eq(jtext(json_array_get(json_object_get(doc, "assets"), 4), "level"), "elevated");

	/* named supplier by OUI: listing + country, each with evidence and rule; accepted */
	ck_assert_ptr_nonnull(a = asset_by(doc, "mac", HIK_MAC));
	ck_assert_str_eq(jtext(a, "level"), "high");
	ck_assert_str_eq(jtext(a, "vendor"), "Hikvision");
	ck_assert_str_eq(jtext(a, "ip"), "10.1.1.5");
	ck_assert_ptr_nonnull(rs = reason_with(a, "FCC-COVERED"));
	ck_assert_str_eq(jtext(rs, "source"), "oui");
	ck_assert_str_eq(jtext(rs, "value"), HIK_ORG);
	snprintf(rule, sizeof(rule), "oui/vendors.csv:%d (Hikvision)", hik_line);
	ck_assert_str_eq(jtext(rs, "rule"), rule);
	ck_assert_ptr_nonnull(rs = reason_with(a, "headquartered in CN"));
	/* the policy file and line of [country CN] (the engine cites its first key's line) */
	snprintf(rule, sizeof(rule), "%s:", policy);
	ck_assert_ptr_eq(strstr(jtext(rs, "rule"), rule), jtext(rs, "rule"));
	snprintf(rule, sizeof(rule), " [country CN]; oui/vendors.csv:%d (Hikvision)", hik_line);
	ck_assert_ptr_nonnull(strstr(jtext(rs, "rule"), rule));
	ck_assert(strstr(jtext(rs, "rule"), ":4 [") || strstr(jtext(rs, "rule"), ":5 ["));
	/* the policy's words for the country are apart from the reason, said once */
	ck_assert_ptr_null(strstr(jtext(rs, "text"), "offensive cyber programme"));
	ck_assert_ptr_nonnull(strstr(jtext(rs, "policy"), "CN: "));
	ck_assert_ptr_nonnull(strstr(jtext(rs, "policy"), "offensive cyber programme"));
	ck_assert_ptr_nonnull(jtext(a, "accepted"));
	ck_assert_ptr_nonnull(strstr(jtext(a, "accepted"), "2026-11-01 by OT security: isolated camera VLAN 40"));
	ck_assert_ptr_nonnull(strstr(jtext(a, "accepted"), policy));
	ck_assert_ptr_nonnull(jtext(a, "evaluated"));

	/* behind a router: no MAC, the banner alone */
	ck_assert_ptr_nonnull(a = asset_by(doc, "ip", BEHIND_IP));
	ck_assert(json_is_null(json_object_get(a, "mac")));
	ck_assert_str_eq(jtext(a, "level"), "high");
	ck_assert_ptr_nonnull(rs = reason_with(a, "Hikvision is headquartered in CN"));
	ck_assert_str_eq(jtext(rs, "source"), BANNER_RULE);
	ck_assert_str_eq(jtext(rs, "value"), "Hikvision");
	ck_assert(json_is_null(json_object_get(a, "accepted")));

	/* OEM: Honeywell's MAC block, Hikvision's web server: the true maker is reported */
	ck_assert_ptr_nonnull(a = asset_by(doc, "mac", OEM_MAC));
	ck_assert_str_eq(jtext(a, "level"), "high");
	ck_assert_str_eq(jtext(a, "vendor"), "Hikvision");
	ck_assert_str_eq(jtext(a, "oui_vendor"), "Honeywell");
	ck_assert_str_eq(jtext(a, "model"), "DS-2CD2043G0-I");
	ck_assert_str_eq(jtext(a, "hostname"), "cam-gate-3");
	ck_assert_ptr_nonnull(rs = reason_with(a, "FCC-COVERED"));
	ck_assert_str_eq(jtext(rs, "source"), BANNER_RULE);

	/* KUKA: a German subsidiary controlled from CN */
	ck_assert_ptr_nonnull(a = asset_by(doc, "mac", KUKA_MAC));
	ck_assert_str_eq(jtext(a, "level"), "high");
	ck_assert_str_eq(jtext(a, "vendor"), "KUKA");
	ck_assert_str_eq(jtext(a, "country"), "CN");
	ck_assert_ptr_nonnull(rs = reason_with(a, "controlled by Midea Group (CN)"));
	ck_assert_str_eq(jtext(rs, "source"), "oui");
	ck_assert_str_eq(jtext(rs, "value"), "KUKA WELDING SYSTEMS & ROBOTS");
	ck_assert_ptr_nonnull(strstr(jtext(rs, "rule"), "[country CN]; oui/vendors.csv:"));

	/* a maker not in the table: only the registry's country, weaker evidence */
	ck_assert_ptr_nonnull(a = asset_by(doc, "mac", UMEOX_MAC));
	ck_assert_str_eq(jtext(a, "level"), "elevated");
	ck_assert_ptr_nonnull(rs = reason_with(a, "registered in CN"));
	ck_assert_str_eq(jtext(rs, "source"), "oui");
	ck_assert_str_eq(jtext(rs, "value"), "CN");
	ck_assert_str_eq(jtext(rs, "rule"), "IEEE registry (ieee-data)");
	ck_assert(json_is_null(json_object_get(a, "country")));
	ck_assert_str_eq(jtext(a, "oui_country"), "CN");
	ck_assert_ptr_null(asset_by(doc, "mac", RANDOM_MAC));	/* not flagged */
	json_decref(doc);
	run_free(&r);
}
END_TEST

START_TEST(json_level_and_all_selections)
{
	struct run r = run(&cmd_risk, db, NULL, "--all", "--json", NULL);
	json_t *doc, *a;

	ck_assert_int_eq(r.rc, EXIT_OK);
	doc = parse(&r);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "assets")), 9);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "selection")), 4);
	/* randomised MAC: unknown, and says why */
	ck_assert_ptr_nonnull(a = asset_by(doc, "mac", RANDOM_MAC));
	ck_assert_str_eq(jtext(a, "level"), "unknown");
	ck_assert_ptr_nonnull(reason_with(a, "no vendor evidence"));
	ck_assert(json_is_null(json_object_get(a, "vendor")));
	ck_assert_str_eq(jtext(json_array_get(json_object_get(doc, "assets"), 8), "level"), "unknown");
	json_decref(doc);
	run_free(&r);

	r = run(&cmd_risk, db, NULL, "--level", "none", "--json", NULL);
	ck_assert_int_eq(r.rc, EXIT_OK);
	doc = parse(&r);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "assets")), 1);
	a = json_array_get(json_object_get(doc, "assets"), 0);
	ck_assert_str_eq(jtext(a, "mac"), ROUTER_MAC);
	ck_assert_str_eq(jtext(a, "vendor"), "Siemens");
	/* none: nothing to say */
	ck_assert_uint_eq(json_array_size(json_object_get(a, "reasons")), 0);
	ck_assert_int_eq(count_of(json_object_get(json_object_get(doc, "summary"), "levels"), "high"), 4);
	json_decref(doc);
	run_free(&r);

	r = run(&cmd_risk, db, NULL, "--level", "ELEVATED", "--json", NULL);
	ck_assert_int_eq(r.rc, EXIT_OK);
	doc = parse(&r);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "assets")), 1);
	ck_assert_str_eq(jtext(json_array_get(json_object_get(doc, "assets"), 0), "mac"), UMEOX_MAC);
	json_decref(doc);
	run_free(&r);
}
END_TEST

START_TEST(table_shows_reasons_evidence_rules_acceptance_and_is_terminal_safe)
{
	struct run r = run(&cmd_risk, db, NULL, NULL);
	char want[400];

	ck_assert_int_eq(r.rc, EXIT_OK);
	ck_assert_ptr_nonnull(strstr(r.out,
	    "RISK SUMMARY: 9 assets, 4 high, 1 elevated, 1 none, 3 unknown; 1 with accepted risk"));
	ck_assert_ptr_nonnull(strstr(r.out, "PER VENDOR"));
	ck_assert_ptr_nonnull(strstr(r.out, "PER COUNTRY"));
	ck_assert_ptr_nonnull(strstr(r.out, "ASSETS (high, elevated): 5"));
	/* the accepted camera: level, maker, address, acceptance, then each reason */
	ck_assert_ptr_nonnull(strstr(r.out, "  Hikvision (CN)\n  mac " HIK_MAC "  ip 10.1.1.5  "
	    "hostname -  model -  oui " HIK_ORG " (CN)\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "  ACCEPTED: risk accepted on 2026-11-01 by OT security: "
	    "isolated camera VLAN 40, replacement planned Q3"));
	ck_assert_ptr_nonnull(strstr(r.out, "     evidence: oui = " HIK_ORG "\n"));
	snprintf(want, sizeof(want), " [country CN]; oui/vendors.csv:%d (Hikvision)\n", hik_line);
	ck_assert_ptr_nonnull(strstr(r.out, want));
	/* the banner-only and OEM cases */
	ck_assert_ptr_nonnull(strstr(r.out, "  mac -  ip " BEHIND_IP));
	ck_assert_ptr_nonnull(strstr(r.out, "     evidence: " BANNER_RULE " = Hikvision\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "hostname cam-gate-3  model DS-2CD2043G0-I  oui Honeywell (US)\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "[elevated] asset"));
	ck_assert_ptr_nonnull(strstr(r.out, "     rule:     IEEE registry (ieee-data)\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "controlled by Midea Group (CN)"));
	/* the country's policy text once for the whole answer, never inside a reason */
	{
		const char *first = strstr(r.out, "offensive cyber programme");

		ck_assert_ptr_nonnull(first);
		ck_assert_ptr_null(strstr(first + 1, "offensive cyber programme"));
		ck_assert_ptr_nonnull(strstr(r.out, "(the risk policy)\n  CN: "));
	}
	/* a reason is printed once, its pieces of evidence listed under it */
	{
		const char *hq = strstr(r.out, "Hikvision is headquartered in CN");

		const char *next, *again;

		ck_assert_ptr_nonnull(hq);
		next = strstr(hq, "\n[");
		again = strstr(hq + 1, "Hikvision is headquartered in CN");
		ck_assert(again == NULL || (next != NULL && again > next));	/* not twice in one block */
	}
	/* the planted model is escaped, never raw */
	ck_assert_ptr_null(strchr(r.out, '\x1b'));
	ck_assert_ptr_null(strchr(r.out, '\x07'));
	ck_assert_ptr_nonnull(strstr(r.out, "model DS-2CD\\x1B[2J\\x1B]0;pwn\\x07\\xFF end"));
	/* none and unknown are counted but not listed by default */
	ck_assert_ptr_null(strstr(r.out, "[none]"));
	ck_assert_ptr_null(strstr(r.out, "[unknown]"));
	run_free(&r);

	r = run(&cmd_risk, db, NULL, "--all", NULL);
	ck_assert_int_eq(r.rc, EXIT_OK);
	ck_assert_ptr_nonnull(strstr(r.out, "[unknown] asset"));
	ck_assert_ptr_nonnull(strstr(r.out, "no vendor evidence"));
	ck_assert_ptr_nonnull(strstr(r.out, "[none] asset"));
	run_free(&r);
}
END_TEST

START_TEST(nothing_flagged_not_evaluated_and_usage_errors)
{
	char db2[160];
	struct run r;
	json_t *doc;

	/* only the router: nothing flagged, exit 1, the summary still printed */
	snprintf(db2, sizeof(db2), "%s/quiet.db", tmpdir);
	build_db(db2, true, false);
	r = run(&cmd_risk, db2, NULL, NULL);
	ck_assert_int_eq(r.rc, EXIT_NOTFOUND);
	ck_assert_ptr_nonnull(strstr(r.out, "RISK SUMMARY: 1 assets, 0 high, 0 elevated, 1 none"));
	ck_assert_ptr_nonnull(strstr(r.err, "no flagged"));
	run_free(&r);
	r = run(&cmd_risk, db2, NULL, "--json", NULL);
	ck_assert_int_eq(r.rc, EXIT_NOTFOUND);
	doc = parse(&r);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "assets")), 0);
	json_decref(doc);
	run_free(&r);

	/* stored by a daemon without a policy: counted, and said so */
	snprintf(db2, sizeof(db2), "%s/unevaluated.db", tmpdir);
	build_db(db2, false, false);
	r = run(&cmd_risk, db2, NULL, "--all", "--json", NULL);
	ck_assert_int_eq(r.rc, EXIT_OK);
	doc = parse(&r);
	ck_assert_int_eq(count_of(json_object_get(doc, "summary"), "not_evaluated"), 1);
	ck_assert_str_eq(jtext(json_array_get(json_object_get(doc, "assets"), 0), "level"), "unknown");
	ck_assert(json_is_null(json_object_get(json_array_get(json_object_get(doc, "assets"), 0),
	    "evaluated")));
	json_decref(doc);
	run_free(&r);
	r = run(&cmd_risk, db2, NULL, "--all", NULL);
	ck_assert_ptr_nonnull(strstr(r.out, "1 assets not evaluated yet"));
	run_free(&r);

	r = run(&cmd_risk, db, NULL, "--level", "sky-high", NULL);
	ck_assert_int_eq(r.rc, EXIT_USAGE);
	ck_assert_ptr_nonnull(strstr(r.err, "--level"));
	run_free(&r);
	r = run(&cmd_risk, db, NULL, "--level", "high", "--all", NULL);
	ck_assert_int_eq(r.rc, EXIT_USAGE);
	run_free(&r);
	r = run(&cmd_risk, db, NULL, "extra", NULL);
	ck_assert_int_eq(r.rc, EXIT_USAGE);
	run_free(&r);
	r = run(&cmd_risk, "/nonexistent/sw.db", NULL, NULL);
	ck_assert_int_eq(r.rc, EXIT_DB);
	run_free(&r);
}
END_TEST

/* --- vendors ------------------------------------------------------------------ */

START_TEST(vendors_match_resolves_an_oui_name)
{
	struct run r = run(&cmd_vendors, NULL, NULL, "--shipped", "oui/vendors.csv",
	    "--match", "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO.,LTD.", NULL);
	char want[160];
	json_t *doc, *m;

	ck_assert_int_eq(r.rc, EXIT_OK);
	ck_assert_ptr_nonnull(strstr(r.out, "(normalised \"hangzhou hikvision digital technology co ltd\")"));
	ck_assert_ptr_nonnull(strstr(r.out, "  canonical        Hikvision\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "  parent country   CN\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "  listings         FCC-COVERED;NDAA-889"));
	snprintf(want, sizeof(want), "  row              shipped oui/vendors.csv:%d\n", hik_line);
	ck_assert_ptr_nonnull(strstr(r.out, want));
	run_free(&r);

	r = run(&cmd_vendors, NULL, NULL, "--shipped", "oui/vendors.csv", "--match", "KUKA Roboter GmbH",
	    "--json", NULL);
	ck_assert_int_eq(r.rc, EXIT_OK);
	doc = parse(&r);
	m = json_object_get(doc, "match");
	ck_assert_str_eq(jtext(m, "canonical"), "KUKA");
	ck_assert_str_eq(jtext(m, "country"), "DE");
	ck_assert_str_eq(jtext(m, "parent"), "Midea Group");
	ck_assert_str_eq(jtext(m, "parent_country"), "CN");
	ck_assert_str_eq(jtext(m, "origin"), "shipped");
	ck_assert_int_gt(json_integer_value(json_object_get(m, "line")), 1);
	json_decref(doc);
	run_free(&r);

	r = run(&cmd_vendors, NULL, NULL, "--shipped", "oui/vendors.csv", "--match", "Abbott Laboratories",
	    "--json", NULL);
	ck_assert_int_eq(r.rc, EXIT_NOTFOUND);	/* not ABB */
	doc = parse(&r);
	ck_assert(json_is_null(json_object_get(doc, "match")));
	json_decref(doc);
	run_free(&r);
}
END_TEST

START_TEST(vendors_lists_shipped_and_local_rows_with_their_origin)
{
	char conf[160], local[160], bad[160], text[600];
	struct run r;
	json_t *doc, *v, *siemens = NULL, *hik = NULL;
	size_t i, nlocal = 0, n;

	snprintf(local, sizeof(local), "%s/local-vendors.csv", tmpdir);
	write_file(local, "canonical,aliases,country,parent,parent_country,category,listings,source,checked\n"
	    "Siemens,Siemens AG|Siemens,DE,Example Holding,CN,ot,,local audit 2026,2026-11-29\n"
	    "Local Maker,Local Maker BV,NL,,,ot,,our contract,2026-11-29\n");
	snprintf(conf, sizeof(conf), "%s/spanwatch.conf", tmpdir);
	snprintf(text, sizeof(text), "[risk]\nvendors = oui/vendors.csv\nlocal_vendors = %s\n", local);
	write_file(conf, text);

	r = run(&cmd_vendors, NULL, conf, "--json", NULL);
	ck_assert_int_eq(r.rc, EXIT_OK);
	doc = parse(&r);
	ck_assert_str_eq(jtext(json_object_get(doc, "files"), "shipped"), "oui/vendors.csv");
	ck_assert_str_eq(jtext(json_object_get(doc, "files"), "local"), local);
	n = json_array_size(json_object_get(doc, "vendors"));
	ck_assert_uint_ge(n, 100);
	json_array_foreach(json_object_get(doc, "vendors"), i, v) {
		ck_assert_ptr_nonnull(jtext(v, "file"));
		ck_assert_int_gt(json_integer_value(json_object_get(v, "line")), 0);
		nlocal += strcmp(jtext(v, "origin"), "local") == 0;
		if (strcmp(jtext(v, "canonical"), "Siemens") == 0)
			siemens = v;
		if (strcmp(jtext(v, "canonical"), "Hikvision") == 0)
			hik = v;
	}
	ck_assert_uint_eq(nlocal, 2);
	ck_assert_ptr_nonnull(siemens);		/* replaced in place, not duplicated */
	ck_assert_str_eq(jtext(siemens, "origin"), "local");
	ck_assert_str_eq(jtext(siemens, "file"), local);
	ck_assert_int_eq(json_integer_value(json_object_get(siemens, "line")), 2);
	ck_assert_str_eq(jtext(siemens, "parent_country"), "CN");
	ck_assert_ptr_nonnull(hik);
	ck_assert_str_eq(jtext(hik, "origin"), "shipped");
	ck_assert_int_eq(json_integer_value(json_object_get(hik, "line")), hik_line);
	ck_assert_uint_eq(json_array_size(json_object_get(hik, "listings")), 3);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(hik, "listings"), 1)), "NDAA-889");
	json_decref(doc);
	run_free(&r);

	/* the table names each row's origin and file:line */
	r = run(&cmd_vendors, NULL, conf, NULL);
	ck_assert_int_eq(r.rc, EXIT_OK);
	snprintf(text, sizeof(text), "local %s:3\n", local);
	ck_assert_ptr_nonnull(strstr(r.out, text));
	snprintf(text, sizeof(text), "shipped oui/vendors.csv:%d\n", hik_line);
	ck_assert_ptr_nonnull(strstr(r.out, text));
	snprintf(text, sizeof(text), "%zu vendors: %zu from oui/vendors.csv, 2 from %s", n, n - 2, local);
	ck_assert_ptr_nonnull(strstr(r.out, text));
	run_free(&r);

	r = run(&cmd_vendors, NULL, conf, "--match", "local maker bv", NULL);
	ck_assert_int_eq(r.rc, EXIT_OK);
	snprintf(text, sizeof(text), "  row              local %s:3\n", local);
	ck_assert_ptr_nonnull(strstr(r.out, text));
	run_free(&r);

	/* a broken local file: FILE:LINE, exit 2, nothing printed */
	snprintf(bad, sizeof(bad), "%s/bad-vendors.csv", tmpdir);
	write_file(bad, "canonical,aliases\nBroken,row\n");
	r = run(&cmd_vendors, NULL, conf, "--local", bad, NULL);
	ck_assert_int_eq(r.rc, EXIT_USAGE);
	snprintf(text, sizeof(text), "%s:2: expected 9 columns", bad);
	ck_assert_ptr_nonnull(strstr(r.err, text));
	ck_assert_uint_eq(r.outlen, 0);
	run_free(&r);
	r = run(&cmd_vendors, NULL, "/nonexistent/spanwatch.conf", NULL);
	ck_assert_int_eq(r.rc, EXIT_USAGE);
	run_free(&r);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("cli_risk");
	TCase *tc = tcase_create("commands");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, json_levels_reasons_evidence_rules_and_acceptance);
	tcase_add_test(tc, json_level_and_all_selections);
	tcase_add_test(tc, table_shows_reasons_evidence_rules_acceptance_and_is_terminal_safe);
	tcase_add_test(tc, nothing_flagged_not_evaluated_and_usage_errors);
	tcase_add_test(tc, vendors_match_resolves_an_oui_name);
	tcase_add_test(tc, vendors_lists_shipped_and_local_rows_with_their_origin);
	suite_add_tcase(s, tc);
	return s;
}
