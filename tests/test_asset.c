/*
 * test_asset.c - the asset identity rules do not depend on the order in
 * which observations arrive, nor on where batch boundaries fall.
 *
 * One fixed set of observations (a router forwarding for cameras, its own
 * interface address seen both in ARP and as an IP source, a PLC with a
 * DHCP renewal and an IPv6 link-local address) is ingested in many
 * shuffled orders; the resulting inventory must be identical every time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "support.h"
#include "obsq.h"
#include "oui.h"
#include "risk.h"
#include "store.h"
#include "store_int.h"
#include "vendors.h"

#define RT	"00:1b:1b:aa:bb:cc"	/* the router */
#define PLC	"00:0e:8c:01:02:03"

struct spec {
	enum obs_kind	 kind;
	const char	*mac, *ip, *attr, *val, *src;
	uint16_t	 port;
	uint64_t	 t;
};

static const struct spec obs_set[] = {
	{ OBS_ADDR, RT, "192.168.1.1", NULL, NULL, "arp", 0, 100 },
	{ OBS_ADDR, RT, "192.168.1.1", NULL, NULL, "ip", 0, 101 },	/* its own address as source */
	{ OBS_ADDR, RT, "172.16.5.20", NULL, NULL, "ip", 0, 102 },
	{ OBS_ADDR, RT, "172.16.5.21", NULL, NULL, "ip", 0, 103 },
	{ OBS_ADDR, RT, "172.16.5.22", NULL, NULL, "ip", 0, 104 },
	{ OBS_ADDR, RT, "172.16.5.20", NULL, NULL, "ip", 0, 140 },
	{ OBS_FACT, RT, "172.16.5.20", A_SOFTWARE, "Hikvision-Webs", "http/server", 0, 105 },
	{ OBS_FACT, RT, "172.16.5.20", A_SOFTWARE, "Hikvision-Webs", "http/server", 0, 130 },
	{ OBS_FACT, RT, "172.16.5.21", A_MODEL, "DS-2CD2043", "http/title", 0, 106 },
	{ OBS_FACT, RT, "172.16.5.23", A_SERIAL, "X123", "onvif/probe", 0, 109 },	/* no OBS_ADDR */
	{ OBS_FACT, RT, "192.168.1.1", A_HOSTNAME, "core-rtr", "snmp/sysName", 0, 111 },
	{ OBS_FACT, RT, NULL, A_SOFTWARE, "RouterOS", "lldp/sysdesc", 0, 107 },
	{ OBS_SERVICE, RT, "172.16.5.20", NULL, "server", NULL, 80, 108 },
	{ OBS_SERVICE, RT, "172.16.5.20", NULL, "server", NULL, 80, 135 },
	{ OBS_ADDR, PLC, "10.0.0.5", NULL, NULL, "ip", 0, 100 },
	{ OBS_ADDR, PLC, "10.0.0.6", NULL, NULL, "dhcp", 0, 200 },
	{ OBS_ADDR, PLC, "fe80::20e:8cff:fe01:203", NULL, NULL, "ip", 0, 150 },
	{ OBS_FACT, PLC, "10.0.0.5", A_FIRMWARE, "V3.2.1", "s7comm/szl", 0, 120 },
	{ OBS_FACT, PLC, "10.0.0.5", A_FIRMWARE, "V3.3.0", "http/server", 0, 130 },
	{ OBS_ADDR, "ff:ff:ff:ff:ff:ff", "10.0.0.255", NULL, NULL, "ip", 0, 101 },
	{ OBS_ADDR, "01:00:5e:00:00:fb", "224.0.0.251", NULL, NULL, "ip", 0, 101 },
};
#define NOBS	(sizeof(obs_set) / sizeof(obs_set[0]))

/*
 * The inventory as text, with keys instead of row ids.  Left out: times
 * stamped at derivation (the OUI vendor rows get the time the MAC was
 * first ingested, the gateway role the time it was recognised) and the
 * events log, which records the order things were learnt in.
 */
static const char *const dump_sql[] = {
	"SELECT coalesce(mac, 'ip:' || key_ip), gateway, mac_local, first_seen, last_seen, "
	"oui_vendor FROM assets ORDER BY 1",
	"SELECT coalesce(a.mac, 'ip:' || a.key_ip), d.ip, d.source, d.count, d.first_seen, "
	"d.last_seen FROM addresses d JOIN assets a ON a.id = d.asset_id ORDER BY 1, 2",
	"SELECT coalesce(a.mac, 'ip:' || a.key_ip), e.attribute, e.value, e.source, e.confidence, "
	"e.count, CASE WHEN e.source IN ('oui', 'spanwatch/gateway') THEN '-' ELSE e.first_seen END, "
	"CASE WHEN e.source IN ('oui', 'spanwatch/gateway') THEN '-' ELSE e.last_seen END "
	"FROM evidence e JOIN assets a ON a.id = e.asset_id ORDER BY 1, 2, 3, 4",
	"SELECT coalesce(a.mac, 'ip:' || a.key_ip), s.transport, s.port, s.protocol, s.role, "
	"s.first_seen, s.last_seen FROM services s JOIN assets a ON a.id = s.asset_id ORDER BY 1, 2, 3",
	"SELECT count(*) FROM risk r LEFT JOIN assets a ON a.id = r.asset_id WHERE a.id IS NULL",
};

static struct oui_db *oui;
static struct vendors *vend;
static struct risk_policy *pol;

static void
setup(void)
{
	char err[512];

	oui = oui_load(NULL, NULL, err, sizeof(err));
	ck_assert_msg(oui != NULL, "%s", err);
	vend = vendors_load("oui/vendors.csv", NULL, err, sizeof(err));
	ck_assert_msg(vend != NULL, "%s", err);
	pol = risk_policy_load("packaging/risk.conf", err, sizeof(err));
	ck_assert_msg(pol != NULL, "%s", err);
}

static void
teardown(void)
{
	oui_free(oui);
	vendors_free(vend);
	risk_policy_free(pol);
}

static void
emit(struct obs_sink *sink, const struct spec *sp)
{
	struct obs o;

	memset(&o, 0, sizeof(o));
	o.kind = sp->kind;
	o.ts_us = sp->t * 1000000;
	ck_assert(mac_parse(sp->mac, o.who.mac));
	if (sp->ip)
		ck_assert(ip_parse(sp->ip, &o.who.ip));
	o.attr = sp->attr;
	o.val = sp->val;
	o.val_len = sp->val ? strlen(sp->val) : 0;
	o.src = sp->src;
	o.conf = CONF_STATED;
	if (sp->kind == OBS_SERVICE) {
		o.transport = L4_TCP;
		o.port = sp->port;
		o.proto = "http";
	}
	obs_emit(sink, &o);
}

static void
append_rows(sqlite3 *db, const char *sql, char *out, size_t outsz)
{
	sqlite3_stmt *q;

	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
	while (sqlite3_step(q) == SQLITE_ROW) {
		for (int c = 0; c < sqlite3_column_count(q); c++) {
			const unsigned char *v = sqlite3_column_text(q, c);

			strncat(out, v ? (const char *)v : "NULL", outsz - strlen(out) - 1);
			strncat(out, c + 1 < sqlite3_column_count(q) ? "|" : "\n", outsz - strlen(out) - 1);
		}
	}
	sqlite3_finalize(q);
	strncat(out, "--\n", outsz - strlen(out) - 1);
}

/* Ingest obs_set in the order given, flushing after the marked positions. */
static void
run_order(const size_t *order, const bool *flush_after, char *out, size_t outsz)
{
	char path[] = "/tmp/sw-asset-XXXXXX", err[512], p[64];
	int fd = mkstemp(path);
	struct store *st;
	struct obsq *q = obsq_new(0);
	struct obs_sink sink = obsq_sink(q);

	close(fd);
	unlink(path);
	st = store_open(path, STORE_RW, err, sizeof(err));
	ck_assert_msg(st != NULL, "%s", err);
	store_set_oui(st, oui);
	store_set_risk(st, vend, pol);
	for (size_t i = 0; i < NOBS; i++) {
		emit(&sink, &obs_set[order[i]]);
		if (flush_after[i] || i + 1 == NOBS)
			ck_assert_msg(store_ingest(st, q) >= 0, "%s", store_errmsg(st));
	}
	ck_assert_uint_eq(obsq_len(q), 0);
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(dump_sql) / sizeof(dump_sql[0]); i++)
		append_rows(store_db(st), dump_sql[i], out, outsz);
	store_close(st);
	obsq_free(q);
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

static uint32_t
rnd(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

START_TEST(inventory_is_independent_of_arrival_order_and_batching)
{
	static char ref[16384], got[16384];
	size_t order[NOBS];
	bool flush_after[NOBS];
	uint32_t seed = 12345;

	for (size_t i = 0; i < NOBS; i++) {
		order[i] = i;
		flush_after[i] = false;
	}
	run_order(order, flush_after, ref, sizeof(ref));
	/* the reference itself is right: router, 4 cameras behind it, the PLC */
	ck_assert_msg(strstr(ref, RT "|1|0|") != NULL, "%s", ref);
	ck_assert_ptr_nonnull(strstr(ref, "ip:172.16.5.20|0|0|102|140|"));
	ck_assert_ptr_nonnull(strstr(ref, "ip:172.16.5.23|0|0|109|109|"));
	ck_assert_ptr_null(strstr(ref, "ip:192.168.1.1|"));
	ck_assert_ptr_nonnull(strstr(ref, RT "|192.168.1.1|arp|2|100|101\n"));
	ck_assert_ptr_nonnull(strstr(ref, "ip:172.16.5.20|172.16.5.20|ip|2|102|140\n"));
	ck_assert_ptr_nonnull(strstr(ref, "ip:172.16.5.20|software|Hikvision-Webs|http/server|90|2|105|130\n"));
	ck_assert_ptr_nonnull(strstr(ref, "ip:172.16.5.20|tcp|80|http|server|108|135\n"));
	ck_assert_ptr_nonnull(strstr(ref, RT "|hostname|core-rtr|snmp/sysName|"));
	ck_assert_ptr_nonnull(strstr(ref, RT "|software|RouterOS|lldp/sysdesc|"));
	ck_assert_ptr_nonnull(strstr(ref, PLC "|fe80::20e:8cff:fe01:203|ip|1|150|150\n"));
	ck_assert_ptr_nonnull(strstr(ref, PLC "|0|0|100|200|Siemens AG\n"));
	ck_assert_ptr_null(strstr(ref, "ff:ff:ff:ff:ff:ff"));
	ck_assert_ptr_null(strstr(ref, "224.0.0.251"));
	ck_assert_ptr_nonnull(strstr(ref, "--\n0\n--\n"));	/* no verdict left for a merged asset */

	for (int round = 0; round < 40; round++) {
		for (size_t i = NOBS - 1; i > 0; i--) {
			size_t j = rnd(&seed) % (i + 1), t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
		for (size_t i = 0; i < NOBS; i++)
			flush_after[i] = rnd(&seed) % 4 == 0;
		run_order(order, flush_after, got, sizeof(got));
		ck_assert_msg(strcmp(ref, got) == 0, "round %d differs:\n%s\nvs reference:\n%s",
		    round, got, ref);
	}
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("asset");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, inventory_is_independent_of_arrival_order_and_batching);
	suite_add_tcase(s, tc);
	return s;
}
