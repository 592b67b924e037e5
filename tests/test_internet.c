/*
 * test_internet.c - the Internet side: the service table (every shipped
 * row matched by a real name or AS, longest suffix on label boundaries,
 * local rows, bad rows), who runs an address (a location database built
 * here with libloc's writer, and Debian's where installed), AS names
 * resolved through the vendor table, and the store keeping outside
 * addresses as endpoints with passive DNS and service reasons.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libloc/as.h>
#include <libloc/libloc.h>
#include <libloc/network.h>
#include <libloc/writer.h>
#include <sqlite3.h>

#include "support.h"
#include "store_support.h"
#include "asinfo.h"
#include "obsq.h"
#include "q_internet.h"
#include "risk.h"
#include "services.h"
#include "store.h"
#include "store_int.h"
#include "vendors.h"

/* Real names and networks of the services, and the row each must hit. */
static const struct { const char *name; const char *service; } names[] = {
	{ "eu5.fusionsolar.huawei.com", "FusionSolar" },
	{ "gateway.isolarcloud.com", "iSolarCloud" },
	{ "gateway.isolarcloud.com.hk", "iSolarCloud" },
	{ "server.growatt.com", "Growatt ShineServer" },
	{ "www.soliscloud.com", "SolisCloud" },
	{ "m.ginlong.com", "Solis monitoring" },
	{ "globalapi.solarmanpv.com", "Solarman" },
	{ "eu1-developer.deyecloud.com", "Deye Cloud" },
	{ "eu.semsportal.com", "SEMS Portal" },
	{ "en.goodwe.com", "GoodWe" },
	{ "www.sunnyportal.com", "Sunny Portal" },
	{ "stun.ied.sma.de", "Sunny Portal live data (SIP/STUN)" },
	{ "litedev.hik-connect.com", "Hik-Connect" },
	{ "www.hikvision.com", "Hikvision" },
	{ "apiieu.ezvizlife.com", "EZVIZ cloud" },
	{ "www.easy4ipcloud.com", "Dahua Easy4ip P2P" },
	{ "www.dahuatech.com", "Dahua" },
	{ "a1.tuyaeu.com", "Tuya cloud (EU)" },
	{ "openapi.tuyaus.com", "Tuya cloud (US)" },
	{ "openapi.tuyacn.com", "Tuya cloud (CN)" },
	{ "openapi.tuyain.com", "Tuya cloud (IN)" },
	{ "sl-api.oray.com", "Sunlogin" },
	{ "client.oray.net", "Sunlogin" },
	{ "upload.todesk.com", "ToDesk" },
	{ "router15.teamviewer.com", "TeamViewer" },
	{ "relay-1.net.anydesk.com", "AnyDesk" },
	{ "dnl-07.geo.kaspersky.com.", "Kaspersky" },
	{ "cm.k.kaspersky-labs.com", "Kaspersky" },
	{ "update.ptsecurity.com", "Positive Technologies" },
	{ "download.windowsupdate.com", "Windows Update" },
	{ "fe2.update.microsoft.com", "Windows Update" },
	{ "tlu.dl.delivery.mp.microsoft.com", "Windows Update delivery" },
	{ "time.windows.com", "Windows time" },
	{ "0.de.pool.ntp.org", "NTP Pool" },
	{ "support.industry.siemens.com", "Siemens" },
	{ "www.se.com", "Schneider Electric" },
	{ "download.schneider-electric.com", "Schneider Electric" },
};

static const struct { unsigned asn; const char *service; } asns[] = {
	{ 200107, "Kaspersky network" }, { 16509, "Amazon Web Services" },
	{ 14618, "Amazon Web Services" }, { 136907, "Huawei Cloud" }, { 45102, "Alibaba Cloud" },
	{ 8075, "Microsoft network" }, { 20940, "Akamai" },
};

static struct services *
load_services(void)
{
	char err[512];
	struct services *s = services_load("oui/services.csv", NULL, err, sizeof(err));

	ck_assert_msg(s != NULL, "%s", err);
	return s;
}

START_TEST(every_service_row_is_matched)
{
	struct services *s = load_services();
	char err[512];
	struct vendors *v = vendors_load("oui/vendors.csv", NULL, err, sizeof(err));
	bool *hit = calloc(services_count(s), sizeof(*hit));

	ck_assert_msg(v != NULL, "%s", err);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct service_row *r = services_match_name(s, names[i].name);

		ck_assert_msg(r != NULL, "%s matched no row", names[i].name);
		ck_assert_str_eq(r->service, names[i].service);
		hit[r - services_at(s, 0)] = true;
	}
	for (size_t i = 0; i < sizeof(asns) / sizeof(asns[0]); i++) {
		const struct service_row *r = services_match_asn(s, asns[i].asn);

		ck_assert_msg(r != NULL, "AS%u matched no row", asns[i].asn);
		ck_assert_str_eq(r->service, asns[i].service);
		hit[r - services_at(s, 0)] = true;
	}
	for (size_t i = 0; i < services_count(s); i++) {
		const struct service_row *r = services_at(s, i);
		bool canonical = false;

		ck_assert_msg(hit[i], "services.csv:%d (%s %s) is matched by no test", r->line,
		    r->pattern, r->service);
		for (size_t k = 0; k < vendors_count(v); k++)
			canonical |= strcmp(vendors_at(v, k)->canonical, r->vendor) == 0;
		ck_assert_msg(canonical, "services.csv:%d: vendor %s is not in vendors.csv", r->line,
		    r->vendor);
	}
	free(hit);
	vendors_free(v);
	services_free(s);
}
END_TEST

START_TEST(service_suffixes_on_label_boundaries)
{
	struct services *s = load_services();

	ck_assert_ptr_null(services_match_name(s, "notkaspersky.com"));
	ck_assert_ptr_null(services_match_name(s, "kaspersky.com.example.net"));
	ck_assert_ptr_null(services_match_name(s, "huawei.com"));	/* only FusionSolar's part */
	ck_assert_ptr_null(services_match_name(s, ""));
	ck_assert_str_eq(services_match_name(s, "EU5.FusionSolar.Huawei.COM")->service, "FusionSolar");
	/* the longer suffix wins: update.microsoft.com, not a shorter Microsoft row */
	ck_assert_str_eq(services_match_name(s, "x.update.microsoft.com")->category, "os-update");
	ck_assert_ptr_null(services_match_asn(s, 0));
	services_free(s);
}
END_TEST

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(local_service_rows)
{
	char dir[] = "/tmp/sw-svc-XXXXXX", path[64], err[512];
	struct services *s;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/local.csv", dir);
	write_file(path, "kind,pattern,service,vendor,category,source,checked\n"
	    "domain,oray.com,Sunlogin (site-approved),Oray,remote-access,https://intranet.example/ra,2026-12-02\n"
	    "domain,vendor-cloud.example,Acme Cloud,Siemens,vendor-portal,https://intranet.example/x,2026-12-02\n");
	s = services_load("oui/services.csv", path, err, sizeof(err));
	ck_assert_msg(s != NULL, "%s", err);
	ck_assert_str_eq(services_match_name(s, "sl-api.oray.com")->service, "Sunlogin (site-approved)");
	ck_assert_str_eq(services_match_name(s, "sl-api.oray.com")->origin, "local");
	ck_assert_str_eq(services_match_name(s, "a.vendor-cloud.example")->service, "Acme Cloud");
	services_free(s);
	write_file(path, "kind,pattern,service,vendor,category,source,checked\n"
	    "domain,x.example,X,Siemens,spyware,https://a.example,2026-12-02\n");
	ck_assert_ptr_null(services_load("oui/services.csv", path, err, sizeof(err)));
	ck_assert_msg(strstr(err, "local.csv:2: unknown category") != NULL, "%s", err);
	write_file(path, "kind,pattern,service,vendor,category,source,checked\n"
	    "asn,ASx,X,Siemens,cloud,https://a.example,2026-12-02\n");
	ck_assert_ptr_null(services_load("oui/services.csv", path, err, sizeof(err)));
	ck_assert_msg(strstr(err, "bad AS number") != NULL, "%s", err);
	write_file(path, "kind,pattern,service,vendor,category,source,checked\n"
	    "domain,bad..example,X,Siemens,cloud,https://a.example,2026-12-02\n");
	ck_assert_ptr_null(services_load("oui/services.csv", path, err, sizeof(err)));
	unlink(path);
	rmdir(dir);
}
END_TEST

/* A location database of a few networks, written with libloc's writer. */
static void
write_locdb(const char *path)
{
	static const struct { const char *net, *cc, *name; uint32_t asn; } rows[] = {
		{ "119.8.0.0/16", "SG", "HUAWEI CLOUDS", 136907 },
		{ "185.85.15.0/24", "CH", "Kaspersky Lab Switzerland GmbH", 200107 },
		{ "3.120.0.0/14", "DE", "AMAZON-02", 16509 },
		{ "2001:db8:100::/48", "CN", "Hangzhou Alibaba Advertising Co.,Ltd.", 37963 },
	};
	struct loc_ctx *ctx = NULL;
	struct loc_writer *w = NULL;
	FILE *f;

	ck_assert_int_eq(loc_new(&ctx), 0);
	ck_assert_int_eq(loc_writer_new(ctx, &w, NULL, NULL), 0);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct loc_network *n = NULL;
		struct loc_as *as = NULL;

		ck_assert_int_eq(loc_writer_add_network(w, &n, rows[i].net), 0);
		loc_network_set_country_code(n, rows[i].cc);
		loc_network_set_asn(n, rows[i].asn);
		loc_network_unref(n);
		ck_assert_int_eq(loc_writer_add_as(w, &as, rows[i].asn), 0);
		loc_as_set_name(as, rows[i].name);
		loc_as_unref(as);
	}
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_int_eq(loc_writer_write(w, f, LOC_DATABASE_VERSION_LATEST), 0);
	fclose(f);
	loc_writer_unref(w);
	loc_unref(ctx);
}

static char locdir[32], locdb[64];

static void
loc_setup(void)
{
	snprintf(locdir, sizeof(locdir), "/tmp/sw-loc-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(locdir));
	snprintf(locdb, sizeof(locdb), "%s/loc.db", locdir);
	write_locdb(locdb);
}

static void
loc_teardown(void)
{
	unlink(locdb);
	rmdir(locdir);
}

START_TEST(as_owner_from_a_built_database)
{
	char err[512];
	struct asinfo *ai = asinfo_open(locdb, err, sizeof(err));
	struct vendors *v = vendors_load("oui/vendors.csv", NULL, err, sizeof(err));
	struct as_answer a;

	ck_assert_msg(ai != NULL, "%s", err);
	ck_assert_ptr_nonnull(v);
	ck_assert(asinfo_lookup(ai, "119.8.1.1", &a));
	ck_assert_str_eq(a.country, "SG");	/* the country alone would mislead */
	ck_assert_uint_eq(a.asn, 136907);
	ck_assert_str_eq(a.as_name, "HUAWEI CLOUDS");
	ck_assert_str_eq(a.network, "119.8.0.0/16");
	ck_assert_str_eq(vendors_match(v, a.as_name)->canonical, "Huawei");
	ck_assert(asinfo_lookup(ai, "185.85.15.20", &a));
	ck_assert_str_eq(a.country, "CH");
	ck_assert_str_eq(vendors_match(v, a.as_name)->canonical, "Kaspersky");
	ck_assert_str_eq(vendors_match(v, a.as_name)->country, "RU");
	ck_assert(asinfo_lookup(ai, "3.121.2.7", &a));
	ck_assert_str_eq(vendors_match(v, a.as_name)->canonical, "Amazon");
	ck_assert(asinfo_lookup(ai, "2001:db8:100::5", &a));
	ck_assert_str_eq(vendors_match(v, a.as_name)->canonical, "Alibaba");
	ck_assert(!asinfo_lookup(ai, "198.51.100.1", &a));
	ck_assert(!asinfo_lookup(ai, "not an address", &a));
	ck_assert_ptr_null(asinfo_open("/nonexistent/loc.db", err, sizeof(err)));
	ck_assert_msg(strstr(err, "libloc-database") != NULL, "%s", err);
	vendors_free(v);
	asinfo_close(ai);
}
END_TEST

START_TEST(as_owner_from_debian_database)
{
	char err[512];
	struct asinfo *ai = asinfo_open(ASINFO_DEFAULT_DB, err, sizeof(err));
	struct as_answer a;

	if (ai == NULL) {
		fprintf(stderr, "test_internet: %s: skipped\n", err);
		return;
	}
	ck_assert(asinfo_lookup(ai, "8.8.8.8", &a));
	ck_assert_uint_eq(a.asn, 15169);
	ck_assert_str_eq(a.country, "US");
	ck_assert(strcasestr(a.as_name, "google") != NULL);
	asinfo_close(ai);
}
END_TEST

/* --- the store ------------------------------------------------------------- */

static struct obs_sink sink;

static void
fact(struct obsq *q, const char *mac, const char *ip, const char *attr, const char *val,
    const char *src)
{
	struct obs o = { .kind = OBS_FACT, .ts_us = 1764374400000000ull, .attr = attr, .val = val,
	    .val_len = strlen(val), .src = src, .conf = CONF_STATED };

	(void)q;
	o.who = asset_ref_of(mac, ip);
	obs_emit(&sink, &o);
}

static void
addr(struct obsq *q, const char *mac, const char *ip, const char *src)
{
	struct obs o = { .kind = OBS_ADDR, .ts_us = 1764374400000000ull, .src = src };

	(void)q;
	o.who = asset_ref_of(mac, ip);
	obs_emit(&sink, &o);
}

static void
peer(struct obsq *q, const char *cmac, const char *cip, const char *smac, const char *sip,
    uint16_t port, const char *proto)
{
	struct obs o = { .kind = OBS_PEER, .ts_us = 1764374401000000ull, .transport = L4_TCP,
	    .port = port, .proto = proto, .pkts = 8, .bytes = 500 };

	o.who = asset_ref_of(cmac, cip);
	(void)q;
	o.peer = asset_ref_of(smac, sip);
	obs_emit(&sink, &o);
}

#define ROUTER	"00:00:0c:07:ac:01"
#define LOGGER	"00:18:82:0a:00:30"
#define SMA	"00:40:ad:0a:00:31"
#define PLC	"00:0e:8c:0a:00:40"

/*
 * An endpoint the store knows from an earlier run is found by a SELECT
 * that used to stay on its row: its read snapshot outlived the batch, no
 * checkpoint could get past it and the live daemon's WAL grew 0.5 MB/s
 * (tools/soak.sh).  After a batch, another connection must be able to
 * checkpoint the whole WAL and truncate it.
 */
START_TEST(no_read_snapshot_outlives_a_batch)
{
	char dir[] = "/tmp/sw-inet-XXXXXX", db[64], wal[72], err[512];
	struct services *svc = load_services();
	struct obsq *q = obsq_new(64);
	struct store *st;
	sqlite3 *other;
	sqlite3_stmt *ck;
	struct stat sb;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/sw.db", dir);
	snprintf(wal, sizeof(wal), "%s-wal", db);
	for (int run = 0; run < 2; run++) {	/* the second run knows 119.8.1.1 only from the file */
		ck_assert_ptr_nonnull(st = store_open(db, STORE_RW, err, sizeof(err)));
		ck_assert_int_eq(store_set_site(st, "", svc, NULL, err, sizeof(err)), 0);
		sink = obsq_sink(q);
		addr(q, ROUTER, "192.168.10.1", "arp");
		addr(q, LOGGER, "192.168.10.30", "arp");
		peer(q, LOGGER, "192.168.10.30", ROUTER, "119.8.1.1", 443, "tls");
		ck_assert_int_gt(store_ingest(st, q), 0);
		if (run == 0)
			store_close(st);
	}
	ck_assert_int_eq(sqlite3_open_v2(db, &other, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(other, "PRAGMA wal_checkpoint(TRUNCATE)", -1, &ck, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(ck), SQLITE_ROW);
	ck_assert_msg(sqlite3_column_int(ck, 0) == 0,
	    "the store's connection still reads a snapshot: the WAL cannot be checkpointed");
	ck_assert_int_eq(sqlite3_column_int(ck, 1), 0);	/* frames left in the WAL */
	sqlite3_finalize(ck);
	ck_assert_int_eq(stat(wal, &sb), 0);
	ck_assert_int_eq(sb.st_size, 0);
	sqlite3_close(other);
	store_close(st);
	obsq_free(q);
	services_free(svc);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", db);
	unlink(wal);
	unlink(db);
	rmdir(dir);
}
END_TEST

/* A verdict judges EP_MAX_ROWS endpoints of an asset; one with more is counted, not silently cut. */
/* The test's database (sw.db and its WAL files) and the folder that held it. */
static void
remove_db_dir(const char *dir)
{
	char f[96];

	for (const char *const *x = (const char *const[]){ "sw.db", "sw.db-wal", "sw.db-shm", NULL };
	    *x; x++) {
		snprintf(f, sizeof(f), "%s/%s", dir, *x);
		unlink(f);
	}
	rmdir(dir);
}

START_TEST(a_verdict_past_its_endpoint_cap_is_counted)
{
	char dir[] = "/tmp/sw-inet-XXXXXX", db[64], err[512];
	struct services *svc = load_services();
	struct vendors *v = vendors_load("oui/vendors.csv", NULL, err, sizeof(err));
	struct risk_policy *p = risk_policy_load("packaging/risk.conf", err, sizeof(err));
	struct obsq *q = obsq_new(4 * EP_MAX_ROWS + 8);
	struct store_stats ss;
	struct store *st;

	ck_assert_ptr_nonnull(v);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/sw.db", dir);
	ck_assert_ptr_nonnull(st = store_open(db, STORE_RW, err, sizeof(err)));
	store_set_risk(st, v, p);
	ck_assert_int_eq(store_set_site(st, "", svc, NULL, err, sizeof(err)), 0);
	sink = obsq_sink(q);
	addr(q, ROUTER, "192.168.10.1", "arp");
	addr(q, LOGGER, "192.168.10.30", "arp");
	addr(q, SMA, "192.168.10.31", "arp");
	/* the inverter reaches exactly the cap, the logger one more: one verdict cut */
	for (int i = 0; i <= EP_MAX_ROWS; i++) {
		char ip[32];

		snprintf(ip, sizeof(ip), "3.121.%d.%d", i / 200, 1 + i % 200);
		peer(q, LOGGER, "192.168.10.30", ROUTER, ip, 443, "tls");
		if (i < EP_MAX_ROWS) {
			snprintf(ip, sizeof(ip), "3.120.%d.%d", i / 200, 1 + i % 200);
			peer(q, SMA, "192.168.10.31", ROUTER, ip, 443, "tls");
		}
	}
	ck_assert_int_gt(store_ingest(st, q), 0);
	store_get_stats(st, &ss);
	ck_assert_uint_ge(ss.risk_evaluations, 2);
	ck_assert_uint_eq(ss.risk_endpoints_cut, 1);
	store_close(st);
	obsq_free(q);
	risk_policy_free(p);
	vendors_free(v);
	services_free(svc);
	remove_db_dir(dir);
}
END_TEST

START_TEST(outside_addresses_are_endpoints)
{
	char dir[] = "/tmp/sw-inet-XXXXXX", db[64], err[512];
	struct services *svc = load_services();
	struct vendors *v = vendors_load("oui/vendors.csv", NULL, err, sizeof(err));
	struct risk_policy *p = risk_policy_load("packaging/risk.conf", err, sizeof(err));
	struct asinfo *ai = asinfo_open(locdb, err, sizeof(err));
	struct obsq *q = obsq_new(256);
	struct store *st;
	struct store *ro;
	sqlite3 *rdb;
	json_t *inet, *ips, *a;
	size_t i;

	ck_assert_ptr_nonnull(v);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(ai);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/sw.db", dir);
	ck_assert_ptr_nonnull(st = store_open(db, STORE_RW, err, sizeof(err)));
	store_set_risk(st, v, p);
	ck_assert_int_eq(store_set_site(st, "bogus", svc, ai, err, sizeof(err)), -1);
	ck_assert_int_eq(store_set_site(st, "", svc, ai, err, sizeof(err)), 0);
	sink = obsq_sink(q);
	addr(q, ROUTER, "192.168.10.1", "arp");
	addr(q, LOGGER, "192.168.10.30", "arp");
	addr(q, SMA, "192.168.10.31", "arp");
	addr(q, PLC, "192.168.10.40", "arp");
	/* the SmartLogger resolves its cloud and connects to the answer */
	fact(q, LOGGER, "192.168.10.30", A_DNS_QUERY, "eu5.fusionsolar.huawei.com", "dns/query");
	fact(q, LOGGER, "192.168.10.30", A_DNS_ANSWER, "eu5.fusionsolar.huawei.com=119.8.1.1",
	    "dns/answer");
	peer(q, LOGGER, "192.168.10.30", ROUTER, "119.8.1.1", 443, "tls");
	/* the server side of the TLS: a name of the endpoint, not an asset's fact */
	fact(q, ROUTER, "119.8.1.1", A_TLS_SNI, "eu5.fusionsolar.huawei.com", "tls/server_name");
	/* the SMA inverter reaches Sunny Portal on AWS by name */
	fact(q, SMA, "192.168.10.31", A_TLS_SNI, "www.sunnyportal.com", "tls/sni");
	peer(q, SMA, "192.168.10.31", ROUTER, "3.120.10.5", 443, "tls");
	fact(q, ROUTER, "3.120.10.5", A_TLS_SNI, "www.sunnyportal.com", "tls/server_name");
	/* a scanner probes the PLC; a remote RTU serves Modbus to it */
	peer(q, ROUTER, "185.85.15.99", PLC, "192.168.10.40", 502, "unknown");
	peer(q, PLC, "192.168.10.40", ROUTER, "3.121.9.9", 502, "modbus");
	ck_assert_int_gt(store_ingest(st, q), 0);
	ro = store_open(db, STORE_RO, err, sizeof(err));
	ck_assert_msg(ro != NULL, "%s", err);
	rdb = store_db(ro);
	ips = qi_endpoint_ips(ro);
	ck_assert_uint_eq(json_array_size(ips), 3);	/* Huawei Cloud, AWS, the scanner */
	ck_assert_str_eq(json_string_value(json_array_get(ips, 0)), "119.8.1.1");
	inet = qi_internet(ro);
	ck_assert_uint_eq(json_array_size(inet), 3);
	json_array_foreach(inet, i, a) {
		const char *ip = json_string_value(json_object_get(a, "ip"));
		json_t *g = json_array_get(json_object_get(a, "destinations"), 0);
		char *r = json_dumps(json_object_get(a, "reasons"), 0);

		if (strcmp(ip, "192.168.10.30") == 0) {
			ck_assert_str_eq(json_string_value(json_object_get(g, "owner")), "Huawei");
			ck_assert_str_eq(json_string_value(json_object_get(g, "country")), "SG");
			ck_assert_int_eq(json_integer_value(json_object_get(g, "asn")), 136907);
			ck_assert_msg(strstr(r, "talks to FusionSolar (Huawei, CN") != NULL, "%s", r);
			ck_assert_str_eq(json_string_value(json_object_get(a, "level")), "high");
		} else if (strcmp(ip, "192.168.10.31") == 0) {
			ck_assert_str_eq(json_string_value(json_object_get(g, "owner")), "Amazon");
			ck_assert_msg(strstr(r, "Sunny Portal (SMA Solar, DE)") != NULL, "%s", r);
			/* an ordinary vendor's cloud: a finding, no risk (no OUI table here: unknown) */
			ck_assert_str_eq(json_string_value(json_object_get(a, "level")), "unknown");
		} else {
			ck_assert_str_eq(ip, "192.168.10.40");
			ck_assert_uint_eq(json_array_size(json_object_get(a, "exposure")), 1);
			ck_assert_msg(strstr(r, "exposed to the Internet: 185.85.15.99 (CH") != NULL, "%s", r);
		}
		free(r);
	}
	/* the remote RTU is an asset (keyed by IP), the scanner is not */
	{
		sqlite3_stmt *s;
		int n = -1;

		sqlite3_prepare_v2(rdb, "SELECT (SELECT count(*) FROM assets WHERE key_ip = '3.121.9.9') * 10 + "
		    "(SELECT count(*) FROM assets WHERE key_ip = '185.85.15.99' OR key_ip = '119.8.1.1')",
		    -1, &s, NULL);
		if (sqlite3_step(s) == SQLITE_ROW)
			n = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
		ck_assert_int_eq(n, 10);
	}
	json_decref(inet);
	json_decref(ips);
	store_close(ro);
	store_close(st);
	obsq_free(q);
	asinfo_close(ai);
	risk_policy_free(p);
	vendors_free(v);
	services_free(svc);
	remove_db_dir(dir);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("internet");
	TCase *t = tcase_create("tables"), *l = tcase_create("location");

	tcase_add_test(t, every_service_row_is_matched);
	tcase_add_test(t, service_suffixes_on_label_boundaries);
	tcase_add_test(t, local_service_rows);
	tcase_add_checked_fixture(l, loc_setup, loc_teardown);
	tcase_add_test(l, as_owner_from_a_built_database);
	tcase_add_test(l, as_owner_from_debian_database);
	tcase_add_test(l, outside_addresses_are_endpoints);
	tcase_add_test(l, no_read_snapshot_outlives_a_batch);
	tcase_add_test(l, a_verdict_past_its_endpoint_cap_is_counted);
	suite_add_tcase(s, t);
	suite_add_tcase(s, l);
	return s;
}
