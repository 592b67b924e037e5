/*
 * fuzz_store.c - libFuzzer harness for the store's ingest (store/): random
 * sequences of observations, in batches, into a fresh database, with the
 * invariants of docs/SCHEMA.md checked after every batch.
 *
 * The database is a file on tmpfs (/dev/shm, else $TMPDIR): the store
 * insists on WAL, which SQLite's ":memory:" cannot give.  The OUI
 * registry, vendor table, risk policy, fingerprint rules and service
 * table are the shipped ones (run from the repository root), so naming,
 * rules and risk run as in the daemon.
 *
 * Input: limits (1: bit 0 a small disk budget, bit 1 flood handling at
 * 4 new assets and 2 a minute) then records, each an opcode (1) and its
 * operands (missing bytes read as 0):
 *   op % 6: 0 fact, 1 addr, 2 service, 3 peer, 4 operation, 5 end of batch
 *   op bit 7: the clock moves by minutes, not seconds
 *   who (1), peer (1): bits 0-2 a MAC of a small pool (real vendors,
 *   locally administered, group, zero), bits 3-6 an IP of a small pool
 *   (site, public, multicast, link-local, IPv6, none), bit 7 VLAN 10
 *   dt (1), then per kind: attribute, source, confidence, value (length 1 +
 *   bytes) | source | transport, port, protocol | ... | kind, phase, n, detail
 * Checks after each batch: ingest and maintenance succeed, no row names a
 * missing asset (PRAGMA foreign_key_check), no asset lacks an identity or
 * is a group or zero MAC, confidences lie in 0-100; at the end
 * PRAGMA integrity_check is ok.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "obsq.h"
#include "ops.h"
#include "oui.h"
#include "fprules.h"
#include "risk.h"
#include "services.h"
#include "store.h"
#include "store_int.h"
#include "vendor_ids.h"
#include "vendors.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__asan_default_options(void);

/*
 * SQLite frees and allocates pages by the thousand per input: ASan's
 * default 256 MiB quarantine of freed blocks made recycling it two thirds
 * of the time.  4 MiB still holds the blocks freed within one input.
 */
const char *
__asan_default_options(void)
{
	return "quarantine_size_mb=4";
}

#define MAX_OBS	512

static char dbpath[256];
static struct obsq *q;
static struct oui_db *oui;
static struct vendors *vendors;
static struct risk_policy *policy;
static struct fprules *rules;
static struct services *svc;

struct in {
	const uint8_t	*p;
	size_t		 left;
};

static uint8_t
u8(struct in *in)
{
	if (in->left == 0)
		return 0;
	in->left--;
	return *in->p++;
}

static void
fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_store: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	abort();
}

static void
remove_db(void)
{
	char p[300];

	unlink(dbpath);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	unlink(p);
}

static void
setup(void)
{
	const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
	char err[1024];

	snprintf(dbpath, sizeof(dbpath), "%s/sw-fuzz-store-%d.db", dir ? dir : "/tmp", (int)getpid());
	if ((q = obsq_new(MAX_OBS * 4)) == NULL)
		fail("obsq_new", NULL);
	if ((oui = oui_load(NULL, NULL, err, sizeof(err))) == NULL ||
	    (vendors = vendors_load("oui/vendors.csv", NULL, err, sizeof(err))) == NULL ||
	    (policy = risk_policy_load("packaging/risk.conf", err, sizeof(err))) == NULL ||
	    (rules = fprules_load("oui/fingerprints.rules", err, sizeof(err))) == NULL ||
	    (svc = services_load("oui/services.csv", NULL, err, sizeof(err))) == NULL)
		fail("loading the shipped tables (run from the repository root)", err);
	vendor_ids_load("oui");
	atexit(remove_db);
}

static struct asset_ref
ref_of(uint8_t b)
{
	static const uint8_t macs[8][6] = {
		{ 0x00, 0x0e, 0x8c, 0x01, 0x02, 0x03 },		/* Siemens */
		{ 0x44, 0x19, 0xb6, 0x10, 0x20, 0x30 },		/* Hikvision */
		{ 0x00, 0x80, 0xf4, 0xaa, 0xbb, 0xcc },		/* Telemecanique */
		{ 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 },		/* locally administered */
		{ 0x00, 0x0e, 0x8c, 0x01, 0x02, 0x04 },
		{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 },		/* group */
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		{ 0, 0, 0, 0, 0, 0 },
	};
	static const char *const ips[16] = {
		"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.1.0.5", "192.168.1.10",
		"8.8.8.8", "203.0.113.7", "224.0.0.251", "169.254.1.1", "fe80::1", "2001:db8::2",
		"255.255.255.255", "0.0.0.0", "100.64.0.1", NULL,
	};
	struct asset_ref r;

	memset(&r, 0, sizeof(r));
	memcpy(r.mac, macs[b & 7], 6);
	if (ips[(b >> 3) & 15])
		ip_parse(ips[(b >> 3) & 15], &r.ip);
	r.vlan = b & 0x80 ? 10 : 0;
	return r;
}

static const char *
pick(struct in *in, const char *const *v, size_t n)
{
	return v[u8(in) % n];
}
#define PICK(in, v)	pick(in, v, sizeof(v) / sizeof(v[0]))

static size_t
value(struct in *in, char *buf, size_t bufsz)
{
	size_t n = u8(in) % 80;

	if (n > in->left)
		n = in->left;
	if (n >= bufsz)
		n = bufsz - 1;
	memcpy(buf, in->p, n);
	in->p += n;
	in->left -= n;
	return n;
}

static void
fill(struct in *in, int kind, struct obs *o, char *val, size_t valsz)
{
	static const char *const attrs[] = { A_VENDOR, A_VENDOR_ID, A_MODEL, A_FIRMWARE, A_SERIAL,
	    A_HOSTNAME, A_OS, A_ROLE, A_SOFTWARE, A_DEVICE_TYPE, A_PRODUCT_CODE, A_UNIT_ID,
	    A_DNS_ANSWER, A_DNS_QUERY, A_DNS_CNAME, A_TLS_SNI, A_HTTP_HOST, A_CERT_SUBJECT,
	    A_C37_STATION, A_FINGERPRINT, A_NOTE, A_DEVICE_NAME };
	static const char *const srcs[] = { "modbus/43.14", "http/server", "ssh/banner", "dhcp/12",
	    "lldp/sysname", "tls/server_name", "tls/certificate", "dns/answer", "cip/identity",
	    SRC_MODBUS_UNIT "43.14", SRC_MODBUS_UNIT "sunspec", "oui", "s7comm/szl", "spanwatch/gateway" };
	static const char *const addr_srcs[] = { "ip", "arp", "dhcp", "l2", "lldp" };
	static const char *const protos[] = { "modbus", "dnp3", "s7comm", "http", "tls", "dns",
	    "unknown", "opcua", "bacnet", "" };
	static const uint16_t ports[] = { 502, 20000, 102, 80, 443, 53, 4840, 47808, 22, 40000 };
	static const char *const op_srcs[] = { "modbus/fc16", "dnp3/fc13", "s7comm/stop", "cip/set" };

	o->who = ref_of(u8(in));
	o->peer = ref_of(u8(in));
	switch (kind) {
	case OBS_FACT:
		o->attr = PICK(in, attrs);
		o->src = PICK(in, srcs);
		o->conf = u8(in) % 101;
		o->val = val;
		o->val_len = value(in, val, valsz);
		break;
	case OBS_ADDR:
		o->src = PICK(in, addr_srcs);
		o->conf = CONF_STATED;
		break;
	case OBS_SERVICE:
	case OBS_PEER:
		o->transport = u8(in) & 1 ? L4_UDP : L4_TCP;
		o->port = ports[u8(in) % 10];
		o->proto = PICK(in, protos);
		o->val = "server";
		o->val_len = 6;
		o->pkts = u8(in);
		o->bytes = o->pkts * (uint64_t)(u8(in) + 60);
		o->first_us = o->ts_us - (uint64_t)u8(in) * 1000000;
		break;
	case OBS_OP:
		o->op = (uint8_t)(1 + u8(in) % (OP_KIND_COUNT - 1));
		o->op_phase = (uint8_t)(u8(in) % 3);
		o->op_n = u8(in) % 5;
		o->transport = L4_TCP;
		o->port = ports[u8(in) % 10];
		o->proto = PICK(in, protos);
		o->src = PICK(in, op_srcs);
		o->val = val;
		o->val_len = value(in, val, valsz);
		o->op_last_us = o->ts_us + (uint64_t)u8(in) * 1000000;
		break;
	}
}

static long long
count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail("query", sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void
check_invariants(struct store *st)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *fk;

	if (sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &fk, NULL) != SQLITE_OK)
		fail("foreign_key_check", sqlite3_errmsg(db));
	if (sqlite3_step(fk) == SQLITE_ROW)
		fail("a row names a missing row", (const char *)sqlite3_column_text(fk, 0));
	sqlite3_finalize(fk);
	if (count(db, "SELECT count(*) FROM assets WHERE mac IS NULL AND key_ip IS NULL") != 0)
		fail("an asset without identity", NULL);
	if (count(db, "SELECT count(*) FROM assets WHERE mac = '00:00:00:00:00:00' OR "
	    "instr('13579bdf', substr(mac, 2, 1)) > 0") != 0)
		fail("a group or zero MAC as an asset", NULL);
	if (count(db, "SELECT count(*) FROM evidence WHERE confidence NOT BETWEEN 0 AND 100") != 0)
		fail("a confidence outside 0-100", NULL);
	if (count(db, "SELECT count(*) FROM addresses a JOIN assets s ON s.id = a.asset_id "
	    "WHERE a.last_seen < a.first_seen") != 0)
		fail("an address seen last before it was first seen", NULL);
}

static void
flush(struct store *st)
{
	if (store_ingest(st, q) < 0)
		fail("ingest failed", store_errmsg(st));
	if (obsq_len(q) != 0)
		fail("ingest left observations queued", NULL);
	if (store_maintain(st) < 0)
		fail("maintenance failed", store_errmsg(st));
	check_invariants(st);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	struct obs_sink sink;
	/* first_start_burst 0: the small burst from the first input on, so the
	 * flood path (hold back, take back) is reached by short inputs */
	struct store_limits lim = { 512ull << 20, 180, 1024, 120, 0 };
	struct store *st;
	uint64_t ts = 1764374400ull * 1000000;
	char err[1024], val[128];
	uint8_t flags;
	int nobs = 0;

	if (q == NULL)
		setup();
	remove_db();
	if ((st = store_open(dbpath, STORE_RW, err, sizeof(err))) == NULL)
		fail("store_open", err);
	store_set_oui(st, oui);
	store_set_risk(st, vendors, policy);
	store_set_rules(st, rules);
	if (store_set_site(st, "", svc, NULL, err, sizeof(err)) != 0)
		fail("store_set_site", err);
	flags = u8(&in);
	if (flags & 1)
		lim.max_db_bytes = 64 << 10;
	if (flags & 2)
		lim.new_assets_burst = 4, lim.new_assets_per_min = 2;
	store_set_limits(st, &lim);
	sink = obsq_sink(q);
	while (in.left > 0 && nobs < MAX_OBS) {
		uint8_t op = u8(&in);
		int kind = op % 6;
		struct obs o;

		ts += (uint64_t)u8(&in) * (op & 0x80 ? 60000000ull : 1000000ull);
		if (kind == 5) {
			flush(st);
			continue;
		}
		memset(&o, 0, sizeof(o));
		o.kind = (enum obs_kind)kind;
		o.ts_us = ts;
		fill(&in, kind, &o, val, sizeof(val));
		obs_emit(&sink, &o);
		nobs++;
	}
	flush(st);
	if (count(store_db(st), "SELECT count(*) FROM pragma_integrity_check WHERE "
	    "integrity_check != 'ok'") != 0)
		fail("integrity_check", NULL);
	store_close(st);
	return 0;
}
