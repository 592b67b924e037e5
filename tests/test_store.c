/*
 * test_store.c - the asset model and the SQLite store: identity rules,
 * evidence, restart idempotence, crash durability, clear open errors,
 * and the risk verdict kept beside each asset.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "support.h"
#include "store_support.h"
#include "annotate.h"
#include "assess.h"
#include "obsq.h"
#include "oui.h"
#include "q_asset.h"
#include "q_net.h"
#include "q_risk.h"
#include "schema.h"
#include "risk.h"
#include "store.h"
#include "store_int.h"
#include "vendors.h"
#include "vendor_ids.h"

static struct store_fx fx;	/* the database, its queue and sink (store_support.h) */

static void setup(void) { store_fx_open(&fx, "store", true); }
static void teardown(void) { store_fx_close(&fx); }
static void flush(void) { store_fx_flush(&fx); }
static long long scalar(const char *sql) { return store_fx_scalar(&fx, sql); }
static const char *text(const char *sql) { return store_fx_text(&fx, sql); }

static void
addr(const char *mac, const char *ip, const char *src, uint64_t t)
{
	struct obs o = { .kind = OBS_ADDR, .ts_us = t * 1000000, .who = asset_ref_of(mac, ip), .src = src };

	obs_emit(&fx.sink, &o);
}

static void
fact(const char *mac, const char *ip, const char *attr, const char *val, const char *src, uint64_t t)
{
	struct obs o = { .kind = OBS_FACT, .ts_us = t * 1000000, .who = asset_ref_of(mac, ip),
	    .attr = attr, .val = val, .val_len = strlen(val), .src = src, .conf = CONF_STATED };

	obs_emit(&fx.sink, &o);
}

START_TEST(dhcp_renewal_is_address_history_not_a_new_asset)
{
	addr("00:0e:8c:01:02:03", "10.0.0.5", "ip", 1000);
	fact("00:0e:8c:01:02:03", "10.0.0.5", A_HOSTNAME, "plc-1", "dhcp/12", 1000);
	flush();
	addr("00:0e:8c:01:02:03", "10.0.0.77", "dhcp", 90000);	/* a day later, new lease */
	flush();
	ck_assert_int_eq(scalar("SELECT count(*) FROM assets"), 1);
	ck_assert_int_eq(scalar("SELECT count(*) FROM addresses"), 2);
	ck_assert_int_eq(scalar("SELECT gateway FROM assets"), 0);
	ck_assert_str_eq(text("SELECT oui_vendor FROM assets"), "Siemens AG");
	ck_assert_str_eq(text("SELECT value FROM evidence WHERE attribute = 'oui_country'"), "DE");
	/* the first address is part of asset_new; the new lease is a change, with both values */
	ck_assert_int_eq(scalar("SELECT count(*) FROM events WHERE kind = 'address_changed'"), 1);
	ck_assert_str_eq(text("SELECT old_value || ' ' || new_value FROM events "
	    "WHERE kind = 'address_changed'"), "10.0.0.5 10.0.0.77");
	ck_assert_int_eq(scalar("SELECT count(*) FROM events WHERE kind = 'asset_new'"), 1);
}
END_TEST

static void
gateway_case(bool facts_first)
{
	const char *rt = "00:1b:1b:aa:bb:cc";

	addr(rt, "192.168.1.1", "arp", 100);		/* its own interface address */
	if (facts_first)
		fact(rt, "172.16.5.20", A_SOFTWARE, "Hikvision-Webs", "http/server", 101);
	addr(rt, "172.16.5.20", "ip", 102);
	addr(rt, "172.16.5.21", "ip", 103);
	flush();
	ck_assert_int_eq(scalar("SELECT gateway FROM assets WHERE mac IS NOT NULL"), 0);
	addr(rt, "172.16.5.22", "ip", 104);		/* third forwarded source: a router */
	if (!facts_first)
		fact(rt, "172.16.5.20", A_SOFTWARE, "Hikvision-Webs", "http/server", 105);
	flush();
	ck_assert_int_eq(scalar("SELECT gateway FROM assets WHERE mac = '00:1b:1b:aa:bb:cc'"), 1);
	ck_assert_int_eq(scalar("SELECT count(*) FROM assets WHERE key_ip IS NOT NULL"), 3);
	/* the router keeps the address it claims in ARP, and only that one */
	ck_assert_int_eq(scalar("SELECT count(*) FROM addresses a JOIN assets s ON s.id = a.asset_id "
	    "WHERE s.mac = '00:1b:1b:aa:bb:cc'"), 1);
	ck_assert_str_eq(text("SELECT ip FROM addresses a JOIN assets s ON s.id = a.asset_id "
	    "WHERE s.mac = '00:1b:1b:aa:bb:cc'"), "192.168.1.1");
	/* the banner is the camera's behind the router, whatever the order */
	ck_assert_str_eq(text("SELECT s.key_ip FROM evidence e JOIN assets s ON s.id = e.asset_id "
	    "WHERE e.attribute = 'software'"), "172.16.5.20");
	ck_assert_int_eq(scalar("SELECT count(*) FROM evidence e JOIN assets s ON s.id = e.asset_id "
	    "WHERE s.mac = '00:1b:1b:aa:bb:cc' AND attribute = 'role' AND value = 'gateway'"), 1);
	ck_assert_int_eq(scalar("SELECT count(*) FROM events WHERE kind = 'gateway'"), 1);
	/* more traffic for a forwarded IP goes to its own asset */
	fact(rt, "172.16.5.21", A_MODEL, "DS-2CD2043", "rule:x", 200);
	flush();
	ck_assert_str_eq(text("SELECT s.key_ip FROM evidence e JOIN assets s ON s.id = e.asset_id "
	    "WHERE e.attribute = 'model'"), "172.16.5.21");
}

START_TEST(gateway_ips_become_assets_facts_first)
{
	gateway_case(true);
}
END_TEST

START_TEST(gateway_ips_become_assets_facts_after)
{
	gateway_case(false);
}
END_TEST

/*
 * An asset's first and last seen are the extremes of every observation
 * about it, whatever their order inside a batch (the store keeps them in
 * memory for the batch and writes each asset once).
 */
START_TEST(seen_times_are_the_extremes_whatever_the_order)
{
	const char *mac = "00:0e:8c:01:02:03";

	addr(mac, "10.0.0.5", "ip", 500);
	fact(mac, "10.0.0.5", A_HOSTNAME, "plc-1", "dhcp/12", 300);
	fact(mac, "10.0.0.5", A_MODEL, "S7-1500", "s7comm/szl", 900);
	flush();
	ck_assert_int_eq(scalar("SELECT first_seen FROM assets"), 300);
	ck_assert_int_eq(scalar("SELECT last_seen FROM assets"), 900);
	fact(mac, "10.0.0.5", A_HOSTNAME, "plc-1", "dhcp/12", 700);	/* older than last_seen */
	flush();
	ck_assert_int_eq(scalar("SELECT last_seen FROM assets"), 900);
	ck_assert_int_eq(scalar("SELECT count FROM evidence WHERE attribute = 'hostname'"), 2);
	ck_assert_int_eq(scalar("SELECT last_seen FROM evidence WHERE attribute = 'hostname'"), 700);
	fact(mac, "10.0.0.5", A_MODEL, "S7-1500", "s7comm/szl", 1200);
	addr(mac, "10.0.0.5", "ip", 1100);
	flush();
	ck_assert_int_eq(scalar("SELECT first_seen FROM assets"), 300);
	ck_assert_int_eq(scalar("SELECT last_seen FROM assets"), 1200);
	ck_assert_int_eq(scalar("SELECT last_seen FROM addresses WHERE ip = '10.0.0.5'"), 1100);
}
END_TEST

/*
 * A gateway that claims in ARP an address first seen as a forwarded
 * source takes it over at once: a fact in the same batch, after the
 * claim, is the gateway's (the store caches "does this gateway claim this
 * IP" and must drop the cached "no").
 */
START_TEST(arp_claim_takes_over_the_ip_in_the_same_batch)
{
	const char *rt = "00:1b:1b:aa:bb:cc";

	addr(rt, "192.168.1.1", "arp", 100);
	addr(rt, "172.16.5.20", "ip", 101);
	addr(rt, "172.16.5.21", "ip", 102);
	addr(rt, "172.16.5.22", "ip", 103);
	fact(rt, "172.16.5.30", A_HOSTNAME, "rtr-b", "snmp/sysName", 104);
	flush();
	ck_assert_int_eq(scalar("SELECT gateway FROM assets WHERE mac = '00:1b:1b:aa:bb:cc'"), 1);
	ck_assert_int_eq(scalar("SELECT count(*) FROM assets WHERE key_ip = '172.16.5.30'"), 1);
	addr(rt, "172.16.5.30", "arp", 200);		/* its second interface */
	fact(rt, "172.16.5.30", A_MODEL, "RSG2488", "snmp/sysDescr", 201);
	flush();
	ck_assert_int_eq(scalar("SELECT count(*) FROM assets WHERE key_ip = '172.16.5.30'"), 0);
	ck_assert_str_eq(text("SELECT s.mac FROM evidence e JOIN assets s ON s.id = e.asset_id "
	    "WHERE e.attribute = 'model'"), rt);
	ck_assert_str_eq(text("SELECT s.mac FROM evidence e JOIN assets s ON s.id = e.asset_id "
	    "WHERE e.attribute = 'hostname'"), rt);		/* merged from the IP's asset */
	/* the forwarded sources keep their own assets */
	ck_assert_int_eq(scalar("SELECT count(*) FROM assets WHERE key_ip LIKE '172.16.5.2_'"), 3);
}
END_TEST

START_TEST(randomised_mac_ipv6_and_broadcast)
{
	addr("02:11:22:33:44:55", "fe80::1", "ip", 10);		/* locally administered */
	addr("02:11:22:33:44:55", "10.0.0.9", "ip", 11);
	addr("ff:ff:ff:ff:ff:ff", "10.0.0.255", "ip", 12);	/* never an asset */
	addr("01:00:5e:00:00:fb", "224.0.0.251", "ip", 13);
	addr("00:00:00:00:00:00", NULL, "l2", 14);
	fact("ff:ff:ff:ff:ff:ff", NULL, A_HOSTNAME, "x", "test", 15);
	flush();
	ck_assert_int_eq(scalar("SELECT count(*) FROM assets"), 1);
	ck_assert_int_eq(scalar("SELECT mac_local FROM assets"), 1);
	ck_assert_int_eq(scalar("SELECT count(*) FROM assets WHERE oui_vendor IS NOT NULL"), 0);
	ck_assert_int_eq(scalar("SELECT count(*) FROM evidence WHERE attribute = 'vendor'"), 0);
	ck_assert_int_eq(scalar("SELECT count(*) FROM addresses WHERE ip = 'fe80::1'"), 1);	/* on the MAC */
}
END_TEST

START_TEST(conflicting_evidence_is_kept_side_by_side)
{
	fact("00:0e:8c:01:02:03", "10.0.0.5", A_FIRMWARE, "V3.2.1", "s7comm/szl/0x0011", 10);
	fact("00:0e:8c:01:02:03", "10.0.0.5", A_FIRMWARE, "V3.3.0", "http/server", 11);
	fact("00:0e:8c:01:02:03", "10.0.0.5", A_FIRMWARE, "V3.2.1", "s7comm/szl/0x0011", 12);
	flush();
	ck_assert_int_eq(scalar("SELECT count(*) FROM evidence WHERE attribute = 'firmware'"), 2);
	ck_assert_int_eq(scalar("SELECT count FROM evidence WHERE value = 'V3.2.1'"), 2);
	ck_assert_int_eq(scalar("SELECT first_seen FROM evidence WHERE value = 'V3.2.1'"), 10);
	ck_assert_int_eq(scalar("SELECT last_seen FROM evidence WHERE value = 'V3.2.1'"), 12);
}
END_TEST

/* Vendor ids are named where MACs are: in the store, from the vendor tables. */
static void
fact_conf(const char *mac, const char *attr, const char *val, const char *src, uint8_t conf)
{
	struct obs o = { .kind = OBS_FACT, .ts_us = 10 * 1000000, .who = asset_ref_of(mac, NULL),
	    .attr = attr, .val = val, .val_len = strlen(val), .src = src, .conf = conf };

	obs_emit(&fx.sink, &o);
}

static long long
vendor_conf(const char *name, const char *src)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT confidence FROM evidence WHERE attribute = 'vendor' AND "
	    "value = '%s' AND source = '%s'", name, src);
	return scalar(sql);
}

START_TEST(vendor_ids_are_named_by_the_store)
{
	ck_assert_uint_gt(vendor_ids_load("oui"), 0);
	fact_conf("00:00:bc:01:02:03", A_VENDOR_ID, "cip:1", "cip/identity/slot 2", CONF_INFERRED);
	fact_conf("00:00:bc:01:02:04", A_VENDOR_ID, "bacnet:15", "bacnet/i_am", CONF_STATED);
	fact_conf("00:00:bc:01:02:05", A_VENDOR_ID, "bacnet:15", "bacnet/device/vendor-identifier",
	    CONF_STATED);
	fact_conf("00:00:bc:01:02:06", A_VENDOR_ID, "pn:0x015a", "pn_dcp/device_id", CONF_STATED);
	fact_conf("00:00:bc:01:02:07", A_VENDOR_ID, "cip:1x", "cip/identity", CONF_STATED);
	fact_conf("00:00:bc:01:02:08", A_VENDOR_ID, "snmp:1.3.6.1.4.1.9", "snmp/sysObjectID",
	    CONF_STATED);
	flush();
	vendor_ids_free();
	/* CIP: the name is as sure as the id; BACnet I-Am and PROFINET: a table's word */
	ck_assert_int_eq(vendor_conf("Rockwell Automation/Allen-Bradley",
	    "cip/identity/slot 2+cip_vendor_table"), CONF_INFERRED);
	ck_assert_int_eq(vendor_conf("Cornell University", "bacnet/i_am+bacnet_vendor_table"),
	    CONF_BANNER);
	ck_assert_int_eq(vendor_conf("GE Intelligent Platforms", "pn_dcp/device_id+pn_vendor_table"),
	    CONF_BANNER);
	/* one name per id above: not the property reply, not a malformed id, not SNMP */
	ck_assert_int_eq(scalar("SELECT count(*) FROM evidence WHERE attribute = 'vendor' "
	    "AND source LIKE '%vendor_table'"), 3);
}
END_TEST

/*
 * One observation the store refuses (here a trigger stands for any
 * constraint) does not cost the rest of its batch, nor block the queue:
 * it is left out and counted by kind.
 */
START_TEST(a_refused_observation_is_counted_and_the_rest_committed)
{
	struct store_stats ss;
	char *e = NULL;

	ck_assert_int_eq(sqlite3_exec(store_db(fx.st), "CREATE TRIGGER poison BEFORE INSERT ON "
	    "evidence WHEN NEW.value = 'poison' BEGIN SELECT RAISE(ABORT, 'refused'); END",
	    NULL, NULL, &e), SQLITE_OK);
	fact("00:0e:8c:01:02:03", "10.0.0.5", A_FIRMWARE, "V1", "s7comm/szl/0x0011", 10);
	fact("00:0e:8c:01:02:03", "10.0.0.5", A_MODEL, "poison", "s7comm/szl/0x0011", 11);
	fact("00:0e:8c:01:02:04", "10.0.0.6", A_FIRMWARE, "V2", "s7comm/szl/0x0011", 12);
	ck_assert_int_eq(store_ingest(fx.st, fx.q), 3);
	ck_assert_uint_eq(obsq_len(fx.q), 0);
	ck_assert_int_eq(scalar("SELECT count(*) FROM evidence WHERE attribute = 'firmware'"), 2);
	ck_assert_int_eq(scalar("SELECT count(*) FROM evidence WHERE value = 'poison'"), 0);
	ck_assert_int_eq(scalar("SELECT count(*) FROM assets WHERE mac = '00:0e:8c:01:02:04'"), 1);
	store_get_stats(fx.st, &ss);
	ck_assert_uint_eq(ss.rejected[OBS_FACT], 1);
	ck_assert_uint_eq(ss.rejected[OBS_ADDR], 0);
	ck_assert_uint_eq(ss.applied, 2);
	ck_assert_uint_eq(ss.failed_batches, 0);
	ck_assert_ptr_nonnull(strstr(store_rejected_msg(fx.st), "refused"));
	/* the next batch is a fast one again */
	fact("00:0e:8c:01:02:04", "10.0.0.6", A_FIRMWARE, "V3", "s7comm/szl/0x0011", 13);
	flush();
	ck_assert_int_eq(scalar("SELECT count(*) FROM evidence WHERE attribute = 'firmware'"), 3);
}
END_TEST

START_TEST(restart_reloads_instead_of_duplicating)
{
	char err[512];

	for (int round = 0; round < 2; round++) {
		addr("00:0e:8c:01:02:03", "10.0.0.5", "ip", 10 + round);
		fact("00:0e:8c:01:02:03", "10.0.0.5", A_MODEL, "CPU 315-2 PN/DP", "s7comm/szl", 10 + round);
		flush();
		store_close(fx.st);
		fx.st = store_open(fx.path, STORE_RW, err, sizeof(err));	/* a restart */
		ck_assert_msg(fx.st != NULL, "%s", err);
		store_set_oui(fx.st, fx.oui);
	}
	ck_assert_int_eq(scalar("SELECT count(*) FROM assets"), 1);
	ck_assert_int_eq(scalar("SELECT count(*) FROM evidence WHERE attribute = 'model'"), 1);
	ck_assert_int_eq(scalar("SELECT count FROM evidence WHERE attribute = 'model'"), 2);
	ck_assert_int_eq(scalar("SELECT last_seen FROM assets"), 11);
}
END_TEST

START_TEST(open_errors_say_what_and_what_to_do)
{
	char err[512], path[] = "/tmp/sw-bad-XXXXXX";
	int fd = mkstemp(path);
	sqlite3 *db;

	ck_assert_int_eq(write(fd, "this is not a database at all, it is text......", 48), 48);
	close(fd);
	ck_assert_ptr_null(store_open(path, STORE_RW, err, sizeof(err)));
	ck_assert_msg(strstr(err, "is not a spanwatch database or is corrupt") != NULL, "%s", err);
	ck_assert_ptr_nonnull(strstr(err, "move it aside or restore a backup"));
	unlink(path);
	/* a newer schema than ours */
	store_close(fx.st);
	fx.st = NULL;
	ck_assert_int_eq(sqlite3_open(fx.path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_ptr_null(store_open(fx.path, STORE_RW, err, sizeof(err)));
	ck_assert_msg(strstr(err, "schema version 99, newer than this spanwatch") != NULL, "%s", err);
	ck_assert_ptr_null(store_open("/nonexistent/dir/x.db", STORE_RW, err, sizeof(err)));
	ck_assert_msg(strstr(err, "cannot open /nonexistent/dir/x.db") != NULL, "%s", err);
	/* reopen something valid so teardown can close it */
	unlink(fx.path);
	fx.st = store_open(fx.path, STORE_RW, err, sizeof(err));
	ck_assert_ptr_nonnull(fx.st);
}
END_TEST

/* Another process holding the database exclusively: a sentence, after the busy timeout. */
START_TEST(locked_database_is_reported_as_such)
{
	char err[512];
	sqlite3 *db;

	store_close(fx.st);
	fx.st = NULL;
	ck_assert_int_eq(sqlite3_open(fx.path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; "
	    "INSERT INTO meta VALUES ('k', 'v')", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_ptr_null(store_open(fx.path, STORE_RW, err, sizeof(err)));
	ck_assert_msg(strstr(err, "is locked by another process") != NULL, "%s", err);
	ck_assert_ptr_nonnull(strstr(err, fx.path));
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	fx.st = store_open(fx.path, STORE_RW, err, sizeof(err));
	ck_assert_msg(fx.st != NULL, "%s", err);
}
END_TEST

START_TEST(reader_sees_committed_batches_while_writer_holds_the_db)
{
	char err[512];
	struct store *ro;

	addr("00:0e:8c:01:02:03", "10.0.0.5", "ip", 10);
	flush();
	ro = store_open(fx.path, STORE_RO, err, sizeof(err));
	ck_assert_msg(ro != NULL, "%s", err);
	addr("00:0e:8c:01:02:04", "10.0.0.6", "ip", 11);
	flush();
	{
		sqlite3_stmt *s;

		ck_assert_int_eq(sqlite3_prepare_v2(store_db(ro), "SELECT count(*) FROM assets", -1, &s, NULL), SQLITE_OK);
		ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
		ck_assert_int_eq(sqlite3_column_int(s, 0), 2);
		sqlite3_finalize(s);
	}
	store_close(ro);
}
END_TEST

static void
service(const char *mac, const char *ip, uint16_t port, uint64_t t)
{
	struct obs o = { .kind = OBS_SERVICE, .ts_us = t * 1000000, .who = asset_ref_of(mac, ip),
	    .transport = L4_TCP, .port = port, .proto = "modbus" };

	obs_emit(&fx.sink, &o);
}

static void
peer(const char *cmac, const char *cip, const char *smac, const char *sip, uint64_t t)
{
	struct obs o = { .kind = OBS_PEER, .ts_us = t * 1000000, .who = asset_ref_of(cmac, cip),
	    .peer = asset_ref_of(smac, sip), .transport = L4_TCP, .port = 502, .proto = "modbus",
	    .pkts = 2, .bytes = 120 };

	obs_emit(&fx.sink, &o);
}

/* The address each listing shows for the asset with this MAC. */
struct shown { const char *mac; int64_t id; char svc[64], client[64], server[64], risk[64], first[64], peer[64]; };

static void
copy_text(char *out, size_t outsz, struct qa_text t)
{
	snprintf(out, outsz, "%.*s", t.s ? (int)t.len : 6, t.s ? t.s : "(null)");
}

static bool
shown_risk(void *arg, const struct qk_asset *a)
{
	struct shown *w = arg;

	if (a->mac.s && strcmp(a->mac.s, w->mac) == 0) {
		w->id = a->id;
		copy_text(w->risk, sizeof(w->risk), a->ip);
	}
	return true;
}

static bool
shown_first_ip(void *arg, struct qa_text ip)
{
	struct shown *w = arg;

	copy_text(w->first, sizeof(w->first), ip);
	return false;		/* the first is the current one */
}

static bool
shown_peer(void *arg, const struct qa_peer *p)
{
	struct shown *w = arg;

	if (p->mac.s && strcmp(p->mac.s, w->mac) == 0)
		copy_text(w->peer, sizeof(w->peer), p->ip);
	return true;
}

static bool
shown_service(void *arg, const struct qn_service *s)
{
	struct shown *w = arg;

	if (s->mac && strcmp(s->mac, w->mac) == 0)
		snprintf(w->svc, sizeof(w->svc), "%s", s->ip ? s->ip : "(null)");
	return true;
}

static bool
shown_conversation(void *arg, const struct qn_conversation *c)
{
	struct shown *w = arg;

	if (c->client_mac && strcmp(c->client_mac, w->mac) == 0)
		snprintf(w->client, sizeof(w->client), "%s", c->client_ip ? c->client_ip : "(null)");
	if (c->server_mac && strcmp(c->server_mac, w->mac) == 0)
		snprintf(w->server, sizeof(w->server), "%s", c->server_ip ? c->server_ip : "(null)");
	return true;
}

static void
assert_shown_as(const char *mac, const char *ip)
{
	struct shown w = { .mac = mac };
	struct qa_reader *r;
	int64_t other;

	ck_assert_int_eq(qn_services(fx.st, shown_service, &w), SQLITE_DONE);
	ck_assert_int_eq(qn_conversations(fx.st, shown_conversation, &w), SQLITE_DONE);
	ck_assert_int_eq(qk_assets(fx.st, shown_risk, &w), 0);
	ck_assert_int_eq(qa_reader_open(fx.st, true, &r), 0);
	ck_assert_int_eq(qa_ips(r, w.id, shown_first_ip, &w), 0);
	/* seen from the other side of its conversation (asset ids: the PLC is 1, its client 2) */
	other = w.id == 1 ? 2 : 1;
	ck_assert_int_eq(qa_peers(r, other, shown_peer, &w), 0);
	qa_reader_close(r);
	ck_assert_str_eq(w.svc, ip);
	ck_assert_str_eq(w.client[0] ? w.client : w.server, ip);
	ck_assert_str_eq(w.risk, ip);
	ck_assert_str_eq(w.first, ip);
	ck_assert_str_eq(w.peer, ip);
}

/*
 * One rule (store/sql_frag.h) for the address an asset is shown with: the
 * one seen last, whatever order the rows were written in; on a tie the
 * lowest address text.  Services, conversations, risk, the list's ips[0]
 * and the peers of `show` all agree.
 */
START_TEST(current_ip_is_the_newest_address_ties_go_to_the_lowest)
{
	/* the PLC renews its lease: .20 (t=10) then .7 (t=20); the later one wins */
	addr("00:0e:8c:00:00:01", "10.0.0.20", "dhcp", 10);
	addr("00:0e:8c:00:00:01", "10.0.0.7", "dhcp", 20);
	service("00:0e:8c:00:00:01", "10.0.0.7", 502, 20);
	peer("00:0e:8c:00:00:02", "10.0.0.30", "00:0e:8c:00:00:01", "10.0.0.7", 20);
	flush();
	ck_assert_int_eq(scalar("SELECT count(*) FROM addresses a JOIN assets s ON s.id = a.asset_id "
	    "WHERE s.mac = '00:0e:8c:00:00:01'"), 2);
	assert_shown_as("00:0e:8c:00:00:01", "10.0.0.7");
	/* the old address is seen again later: it is current again */
	addr("00:0e:8c:00:00:01", "10.0.0.20", "dhcp", 30);
	flush();
	assert_shown_as("00:0e:8c:00:00:01", "10.0.0.20");
	/* both at t=40: the lowest text ("10.0.0.20" < "10.0.0.7"), not the last written */
	addr("00:0e:8c:00:00:01", "10.0.0.20", "dhcp", 40);
	addr("00:0e:8c:00:00:01", "10.0.0.7", "dhcp", 40);
	flush();
	assert_shown_as("00:0e:8c:00:00:01", "10.0.0.20");
}
END_TEST

/* EXPLAIN QUERY PLAN's detail lines, joined with "; ". */
static const char *
query_plan(sqlite3 *db, const char *sql)
{
	static char buf[1024];
	char plan[512];
	sqlite3_stmt *s;
	size_t n = 0;

	buf[0] = '\0';
	snprintf(plan, sizeof(plan), "EXPLAIN QUERY PLAN %s", sql);
	ck_assert_int_eq(sqlite3_prepare_v2(db, plan, -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW && n < sizeof(buf) - 1)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s; ", (const char *)sqlite3_column_text(s, 3));
	sqlite3_finalize(s);
	return buf;
}

/*
 * A database of schema 7 (written by the migrations of then) opens as
 * schema 8 with its rows kept, and the current address is read off
 * addresses_newest instead of being sorted.
 */
START_TEST(schema_7_database_migrates_to_the_address_index)
{
	static const char sql_newest[] = "SELECT ip FROM addresses WHERE asset_id = 1 "
	    "ORDER BY last_seen DESC, ip LIMIT 1";
	char err[512];
	sqlite3 *db;

	store_close(fx.st);
	fx.st = NULL;
	unlink(fx.path);
	ck_assert_int_eq(sqlite3_open(fx.path, &db), SQLITE_OK);
	for (int v = 1; v <= 7; v++)
		ck_assert_int_eq(sqlite3_exec(db, schema_migration(v), NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 7;"
	    "INSERT INTO assets (id, mac, first_seen, last_seen) VALUES (1, '00:0e:8c:00:00:01', 10, 20);"
	    "INSERT INTO addresses (asset_id, ip, source, first_seen, last_seen) VALUES "
	    "  (1, '10.0.0.20', 'dhcp', 10, 10), (1, '10.0.0.7', 'dhcp', 20, 20);",
	    NULL, NULL, NULL), SQLITE_OK);
	ck_assert_ptr_nonnull(strstr(query_plan(db, sql_newest), "TEMP B-TREE"));
	sqlite3_close(db);

	fx.st = store_open(fx.path, STORE_RW, err, sizeof(err));
	ck_assert_msg(fx.st != NULL, "%s", err);
	ck_assert_int_eq(scalar("PRAGMA user_version"), schema_version());
	ck_assert_int_ge(schema_version(), 8);
	ck_assert_int_eq(scalar("SELECT count(*) FROM sqlite_master WHERE name = 'addresses_newest'"), 1);
	ck_assert_str_eq(text(sql_newest), "10.0.0.7");
	ck_assert_str_eq(query_plan(store_db(fx.st), sql_newest),
	    "SEARCH addresses USING COVERING INDEX addresses_newest (asset_id=?); ");
}
END_TEST

/*
 * A child ingests numbered batches and reports each commit on a pipe; the
 * parent kills it with SIGKILL mid-stream.  The database must pass
 * integrity_check and hold every batch reported committed.
 */
START_TEST(kill_9_loses_at_most_the_batch_in_flight)
{
	int pfd[2];
	pid_t pid;
	long last = -1, n;
	char err[512];

	store_close(fx.st);
	fx.st = NULL;
	ck_assert_int_eq(pipe(pfd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct store *w = store_open(fx.path, STORE_RW, err, sizeof(err));

		close(pfd[0]);
		if (w == NULL)
			_exit(1);
		/* 50 new MACs a second would be a flood: this is about durability */
		store_set_limits(w, &(struct store_limits){
		    .new_assets_burst = 1, .new_assets_per_min = 0, .first_start_burst = 0 });
		for (long b = 0;; b++) {
			for (int i = 0; i < 50; i++) {
				char mac[32];

				snprintf(mac, sizeof(mac), "00:0e:8c:%02lx:%02lx:%02x", (b >> 8) & 255, b & 255, i);
				addr(mac, NULL, "l2", (uint64_t)b + 1);
			}
			if (store_ingest(w, fx.q) < 0)
				_exit(1);
			if (write(pfd[1], &b, sizeof(b)) != sizeof(b))
				_exit(1);
		}
	}
	close(pfd[1]);
	while (read(pfd[0], &n, sizeof(n)) == sizeof(n)) {
		last = n;
		if (last >= 40) {
			kill(pid, SIGKILL);
			break;
		}
	}
	waitpid(pid, NULL, 0);
	while (read(pfd[0], &n, sizeof(n)) == sizeof(n))
		last = n;
	close(pfd[0]);
	ck_assert_int_ge(last, 40);
	fx.st = store_open(fx.path, STORE_RW, err, sizeof(err));
	ck_assert_msg(fx.st != NULL, "%s", err);
	ck_assert_str_eq(text("PRAGMA integrity_check"), "ok");
	ck_assert_int_ge(scalar("SELECT count(*) FROM assets"), (last + 1) * 50);
	ck_assert_int_le(scalar("SELECT count(*) FROM assets"), (last + 2) * 50);
}
END_TEST

START_TEST(risk_verdict_and_event_beside_the_asset)
{
	char err[512];
	struct vendors *v = vendors_load("oui/vendors.csv", NULL, err, sizeof(err));
	struct risk_policy *p = risk_policy_load("packaging/risk.conf", err, sizeof(err));

	ck_assert_ptr_nonnull(v);
	ck_assert_ptr_nonnull(p);
	store_set_risk(fx.st, v, p);
	addr("44:19:b6:00:00:01", "10.1.1.5", "ip", 10);	/* a Hikvision block */
	addr("00:0e:8c:01:02:03", "10.1.1.6", "ip", 10);	/* Siemens */
	flush();
	ck_assert_str_eq(text("SELECT r.level FROM risk r JOIN assets a ON a.id = r.asset_id "
	    "WHERE a.mac = '44:19:b6:00:00:01'"), "high");
	ck_assert_ptr_nonnull(strstr(text("SELECT r.reason FROM risk r JOIN assets a ON a.id = r.asset_id "
	    "WHERE a.mac = '44:19:b6:00:00:01'"), "FCC-COVERED"));
	ck_assert_str_eq(text("SELECT r.level FROM risk r JOIN assets a ON a.id = r.asset_id "
	    "WHERE a.mac = '00:0e:8c:01:02:03'"), "none");
	ck_assert_int_eq(scalar("SELECT count(*) FROM events WHERE kind = 'risk_changed'"), 1);
	ck_assert_str_eq(text("SELECT new_value FROM events WHERE kind = 'risk_changed'"), "high");
	ck_assert_int_eq(store_reevaluate_all(fx.st, 99), 2);
	ck_assert_int_eq(scalar("SELECT count(*) FROM events WHERE kind = 'risk_changed'"), 1);	/* unchanged: no new event */
	store_set_risk(fx.st, NULL, NULL);
	vendors_free(v);
	risk_policy_free(p);
}
END_TEST

/* The reasons column: what jansson's compact dump of the same array writes. */
START_TEST(reasons_json_is_what_jansson_wrote)
{
	static const char *const texts[] = {
		"plain", "", "quote \" backslash \\ slash /", "tab\t nl\n cr\r bs\b ff\f",
		"ctl \x01\x1f del \x7f", "utf-8 \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		"cut \xe2\x82", "overlong \xc0\xaf", "surrogate \xed\xa0\x80", "\xff",
	};
	struct risk_result r;
	json_t *a = json_array();
	char *mine, *theirs;

	memset(&r, 0, sizeof(r));
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct risk_reason *rs = &r.reasons[r.nreasons++];

		snprintf(rs->text, sizeof(rs->text), "%s", texts[i]);
		snprintf(rs->source, sizeof(rs->source), "src %zu", i);
		snprintf(rs->value, sizeof(rs->value), "%s", texts[(i + 1) % 4]);
		snprintf(rs->rule, sizeof(rs->rule), "vendors.csv:%zu (\"x\")", i);
		snprintf(rs->policy, sizeof(rs->policy), "%s", i % 2 ? "" : "policy\ntext");
		/* an element json_pack refuses (not UTF-8) is left out of the array */
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s}", "text", rs->text,
		    "source", rs->source, "value", rs->value, "rule", rs->rule, "policy", rs->policy));
	}
	theirs = json_dumps(a, JSON_COMPACT);
	mine = assess_reasons_json(&r);
	ck_assert_ptr_nonnull(theirs);
	ck_assert_ptr_nonnull(mine);
	ck_assert_uint_eq(json_array_size(a), 6);
	ck_assert_str_eq(mine, theirs);
	free(mine);
	free(theirs);
	json_decref(a);
	r.nreasons = 0;
	mine = assess_reasons_json(&r);
	ck_assert_str_eq(mine, "[]");
	free(mine);
}
END_TEST

/* An annotation field that does not fit is refused with its name and the limit, never cut. */
START_TEST(an_annotation_past_its_limit_is_refused_not_cut)
{
	char fits[ANNOTATION_FIELD_MAX], over[ANNOTATION_FIELD_MAX + 1], ctl[300], err[256];
	struct annotation_set set = { 0 };
	int64_t id;

	addr("00:0e:8c:01:02:03", "10.0.0.5", "ip", 1000);
	flush();
	ck_assert_int_gt(id = scalar("SELECT id FROM assets"), 0);
	memset(fits, 'n', sizeof(fits) - 1);
	fits[sizeof(fits) - 1] = '\0';
	set.note = fits;		/* 1023 bytes: the most that fits */
	ck_assert_int_eq(annotation_check(&set, err, sizeof(err)), 0);
	ck_assert_msg(annotation_put(fx.st, id, &set, 2000, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(scalar("SELECT length(note) FROM annotations"), ANNOTATION_FIELD_MAX - 1);

	memset(over, 'x', sizeof(over) - 1);
	over[sizeof(over) - 1] = '\0';
	set = (struct annotation_set){ .name = "Boiler 2 PLC", .note = over };
	ck_assert_int_eq(annotation_check(&set, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "note is 1024 bytes as stored; at most 1023 (ANNOTATION_FIELD_MAX)");
	ck_assert_int_eq(annotation_put(fx.st, id, &set, 3000, err, sizeof(err)), -1);
	ck_assert_int_eq(scalar("SELECT length(note) FROM annotations"), ANNOTATION_FIELD_MAX - 1);
	ck_assert_int_eq(scalar("SELECT name IS NULL FROM annotations"), 1);	/* nothing written */

	/* 299 bytes typed, 1196 stored: each control byte is escaped as \xHH */
	memset(ctl, 0x1b, sizeof(ctl) - 1);
	ctl[sizeof(ctl) - 1] = '\0';
	set = (struct annotation_set){ .zone = ctl };
	ck_assert_int_eq(annotation_check(&set, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "zone is 1196 bytes as stored; at most 1023 (ANNOTATION_FIELD_MAX)");
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, dhcp_renewal_is_address_history_not_a_new_asset);
	tcase_add_test(tc, gateway_ips_become_assets_facts_first);
	tcase_add_test(tc, gateway_ips_become_assets_facts_after);
	tcase_add_test(tc, seen_times_are_the_extremes_whatever_the_order);
	tcase_add_test(tc, arp_claim_takes_over_the_ip_in_the_same_batch);
	tcase_add_test(tc, randomised_mac_ipv6_and_broadcast);
	tcase_add_test(tc, conflicting_evidence_is_kept_side_by_side);
	tcase_add_test(tc, vendor_ids_are_named_by_the_store);
	tcase_add_test(tc, a_refused_observation_is_counted_and_the_rest_committed);
	tcase_add_test(tc, restart_reloads_instead_of_duplicating);
	tcase_add_test(tc, open_errors_say_what_and_what_to_do);
	tcase_add_test(tc, locked_database_is_reported_as_such);
	tcase_add_test(tc, reader_sees_committed_batches_while_writer_holds_the_db);
	tcase_add_test(tc, current_ip_is_the_newest_address_ties_go_to_the_lowest);
	tcase_add_test(tc, schema_7_database_migrates_to_the_address_index);
	tcase_add_test(tc, kill_9_loses_at_most_the_batch_in_flight);
	tcase_add_test(tc, risk_verdict_and_event_beside_the_asset);
	tcase_add_test(tc, reasons_json_is_what_jansson_wrote);
	tcase_add_test(tc, an_annotation_past_its_limit_is_refused_not_cut);
	suite_add_tcase(s, tc);
	return s;
}
