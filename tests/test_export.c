/*
 * test_export.c - the SOC export (export/): every format stays
 * valid with hostile device strings (ECS lines parse as JSON with the ECS
 * fields, CEF headers have exactly 7 unescaped pipes and escaped
 * extensions, CSV is one rectangle per record type and parses back to
 * the same values), the incremental
 * cursor, exactly-once across a run killed at each step, the SHA-256
 * file, pruning.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "support.h"
#include "store_support.h"
#include "export.h"
#include "export_int.h"
#include "obsq.h"
#include "store.h"
#include "store_int.h"
#include "utf8.h"

#define SENSOR	"sensor|one"		/* hostile too: a pipe in the header name */
#define SITE	"site=A"

/* Hostile values as a device could send them (the store sanitises control bytes). */
#define H_VENDOR	"ACME \"Industrial\", Inc. |pipe| key=val"
#define H_MODEL		"=HYPERLINK(\"http://x\",\"y\")"
#define H_SERIAL	"-2+3"
#define H_HOSTNAME	"plc|1 cs1=forged"
/* Bypassing the store: raw newline, CR, ESC, invalid UTF-8, quote, pipe, equals. */
#define H_RAW_FW	"fw\n1\r\x1b[31m\xff\"|=@\\z"
#define H_RAW_FW_CLEAN	"fw\n1\r\x1b[31m\\xff\"|=@\\z"	/* utf8_clean: only invalid UTF-8 escaped */

static struct store_fx fx;	/* the database, its queue and sink (store_support.h) */
static char dir[64];

static void
rm_dir(const char *d)
{
	DIR *dh = opendir(d);
	struct dirent *de;
	char p[512];

	while (dh && (de = readdir(dh)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", d, de->d_name);
		unlink(p);
	}
	if (dh)
		closedir(dh);
	rmdir(d);
}

static void
addr(const char *mac, const char *ip, uint64_t t)
{
	struct obs o = { .kind = OBS_ADDR, .ts_us = t * 1000000, .who = asset_ref_of(mac, ip), .src = "arp" };

	obs_emit(&fx.sink, &o);
}

static void
fact(const char *mac, const char *ip, const char *attr, const char *val, uint64_t t)
{
	struct obs o = { .kind = OBS_FACT, .ts_us = t * 1000000, .who = asset_ref_of(mac, ip),
	    .attr = attr, .val = val, .val_len = strlen(val), .src = "test/1", .conf = CONF_STATED };

	obs_emit(&fx.sink, &o);
}

static void
peer(const char *cmac, const char *cip, const char *smac, const char *sip, uint64_t t)
{
	struct obs o = { .kind = OBS_PEER, .ts_us = t * 1000000, .who = asset_ref_of(cmac, cip),
	    .peer = asset_ref_of(smac, sip), .transport = L4_TCP, .port = 502, .proto = "modbus",
	    .pkts = 10, .bytes = 1000 };
	struct obs s = { .kind = OBS_SERVICE, .ts_us = t * 1000000, .who = asset_ref_of(smac, sip),
	    .transport = L4_TCP, .port = 502, .proto = "modbus", .val = "server", .val_len = 6 };

	obs_emit(&fx.sink, &o);
	obs_emit(&fx.sink, &s);
}

static void flush(void) { store_fx_flush(&fx); }

static void
exec_sql(const char *sql)
{
	char *e = NULL;

	ck_assert_msg(sqlite3_exec(store_db(fx.st), sql, NULL, NULL, &e) == SQLITE_OK, "%s", e);
}

static long long scalar(const char *sql) { return store_fx_scalar(&fx, sql); }

static void
setup(void)
{
	sqlite3_stmt *s;

	store_fx_open(&fx, "export", false);
	strcpy(dir, "/tmp/sw-exportdir-XXXXXX");
	ck_assert(mkdtemp(dir) != NULL);
	addr("00:0e:8c:01:02:03", "10.0.0.5", 1000);
	addr("00:1b:1b:aa:bb:cc", "10.0.0.9", 1001);
	fact("00:0e:8c:01:02:03", "10.0.0.5", A_VENDOR, H_VENDOR, 1000);
	fact("00:0e:8c:01:02:03", "10.0.0.5", A_MODEL, H_MODEL, 1000);
	fact("00:0e:8c:01:02:03", "10.0.0.5", A_SERIAL, H_SERIAL, 1000);
	fact("00:0e:8c:01:02:03", "10.0.0.5", A_HOSTNAME, H_HOSTNAME, 1000);
	fact("00:0e:8c:01:02:03", "10.0.0.5", A_FIRMWARE, "placeholder", 1000);
	fact("00:0e:8c:01:02:03", "10.0.0.5", A_ROLE, R_PLC, 1000);
	fact("00:1b:1b:aa:bb:cc", "10.0.0.9", A_ROLE, R_HMI, 1001);
	peer("00:1b:1b:aa:bb:cc", "10.0.0.9", "00:0e:8c:01:02:03", "10.0.0.5", 1002);
	flush();
	/* Values the store would never write, to prove the writers hold anyway. */
	ck_assert_int_eq(sqlite3_prepare_v2(store_db(fx.st),
	    "UPDATE evidence SET value = ?1 WHERE attribute = 'firmware'", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_blob(s, 1, H_RAW_FW, (int)strlen(H_RAW_FW), SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
	exec_sql("UPDATE evidence SET value = CAST(value AS TEXT) WHERE attribute = 'firmware';"
	    "INSERT OR REPLACE INTO risk (asset_id, level, vendor, country, reason, accepted, evaluated) "
	    "SELECT id, 'high', 'ACME \"Industrial\", Inc. |pipe| key=val', 'XX', "
	    "'[{\"text\":\"maker \\\"Evil\\\" | = flagged\",\"rule\":\"r1\"}]', '=cmd|accepted', 1002 "
	    "FROM assets WHERE mac = '00:0e:8c:01:02:03';"
	    "INSERT INTO events (ts, asset_id, kind, detail) SELECT 1003, id, 'risk', "
	    "'high: Evil|Corp \\ =x' || char(10) || 'second line' FROM assets WHERE mac = '00:0e:8c:01:02:03';"
	    /* an operation on the PLC: a cold restart, three times, one refused */
	    "INSERT INTO events (ts, asset_id, kind, detail, severity, baseline, protocol, operation, "
	    "client_ip, client_mac, server_id, server_ip, server_mac, count, responses, failed, last_ts) "
	    "SELECT 1004, id, 'operation', 'cold_restart', 9, 0, 'dnp3', 'restart_cold', '10.0.0.9', "
	    "'00:1b:1b:aa:bb:cc', id, '10.0.0.5', '00:0e:8c:01:02:03', 3, 3, 1, 1010 FROM assets "
	    "WHERE mac = '00:0e:8c:01:02:03';");
}

static void
teardown(void)
{
	store_fx_close(&fx);
	rm_dir(dir);
}

static struct export_opts
opts(enum export_format f, enum export_window w)
{
	struct export_opts o = { .format = f, .window = w, .dir = dir, .sensor_name = SENSOR,
	    .site = SITE, .keep_days = 30 };

	return o;
}

static void
run(const struct export_opts *o, struct export_result *res)
{
	char err[512] = "";

	ck_assert_msg(export_run(fx.st, o, res, err, sizeof(err)) == 0, "%s", err);
}

static char *
slurp(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "%s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (lenp)
		*lenp = (size_t)n;
	return buf;
}

/* Lines of a file (NUL-separated in place); returns the count. */
static size_t
split_lines(char *buf, char **lines, size_t max)
{
	size_t n = 0;

	for (char *p = buf; *p && n < max; ) {
		char *nl = strchr(p, '\n');

		lines[n++] = p;
		if (nl == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	return n;
}

static size_t
total(const struct export_result *r)
{
	return r->assets + r->services + r->conversations + r->events;
}

static const char *
jget(json_t *o, const char *path)
{
	char key[64];
	const char *dot;

	while (o && (dot = strchr(path, '.')) != NULL) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		o = json_object_get(o, key);
		path = dot + 1;
	}
	o = o ? json_object_get(o, path) : NULL;
	if (json_is_array(o))
		o = json_array_get(o, 0);
	return json_is_string(o) ? json_string_value(o) : NULL;
}

/* --- escaping ------------------------------------------------------ */

START_TEST(escapes_follow_each_format)
{
	char *s;

	s = export_cef_header("a|b\\c", 5);
	ck_assert_str_eq(s, "a\\|b\\\\c");
	free(s);
	s = export_cef_ext("k=v\nx\\\x1b", 7);
	ck_assert_str_eq(s, "k\\=v\\nx\\\\\\\\x1b");
	free(s);
	s = export_csv_field("=SUM(A1)", 8);
	ck_assert_str_eq(s, "'=SUM(A1)");
	free(s);
	s = export_csv_field("a \"b\", c", 8);
	ck_assert_str_eq(s, "\"a \"\"b\"\", c\"");
	free(s);
	s = export_csv_field("x\ny", 3);
	ck_assert_str_eq(s, "x\\x0ay");
	free(s);
	s = utf8_clean("ok\xff\0z", 5);
	ck_assert_str_eq(s, "ok\\xff\\x00z");
	free(s);
	s = utf8_clean("a\xe2\x80\xae" "b\xc3\xa9", 7);	/* an override hidden in a stored value */
	ck_assert_str_eq(s, "a\\xe2\\x80\\xae" "b\xc3\xa9");
	free(s);
	s = export_cef_ext("\xe2\x81\xa7x", 4);
	ck_assert_str_eq(s, "\\\\xe2\\\\x81\\\\xa7x");
	free(s);
	s = export_csv_field("\xef\xbb\xbfx", 4);
	ck_assert_str_eq(s, "\\xef\\xbb\\xbfx");
	free(s);
	{
		char m[18];

		export_ecs_mac("00:0e:8c:0a:bb:cc", m);
		ck_assert_str_eq(m, "00-0E-8C-0A-BB-CC");
	}
}
END_TEST

/* --- ECS ----------------------------------------------------------- */

START_TEST(ecs_lines_are_json_with_ecs_fields)
{
	struct export_opts o = opts(EXPORT_ECS, EXPORT_FULL);
	struct export_result res;
	char *buf, *lines[256];
	size_t n, assets = 0, events = 0, convs = 0;
	bool saw_plc = false, saw_op = false;

	run(&o, &res);
	ck_assert_uint_eq(res.assets, 2);
	ck_assert_uint_eq(res.services, 1);
	ck_assert_uint_eq(res.conversations, 1);
	ck_assert_uint_eq(res.events, (uint64_t)scalar("SELECT count(*) FROM events"));
	buf = slurp(res.path, NULL);
	n = split_lines(buf, lines, 256);
	ck_assert_uint_eq(n, total(&res));
	for (size_t i = 0; i < n; i++) {
		json_error_t je;
		json_t *j = json_loads(lines[i], 0, &je);
		const char *ds;

		ck_assert_msg(j != NULL, "line %zu: %s: %s", i + 1, je.text, lines[i]);
		ck_assert_ptr_nonnull(jget(j, "@timestamp"));
		ck_assert_str_eq(jget(j, "observer.name"), SENSOR);
		ck_assert_str_eq(jget(j, "observer.type"), "sensor");
		ck_assert_str_eq(jget(j, "observer.product"), "spanwatch");
		ck_assert_str_eq(jget(j, "spanwatch.site"), SITE);
		ck_assert_ptr_nonnull(jget(j, "event.category"));
		ck_assert_ptr_nonnull(jget(j, "event.type"));
		ck_assert_ptr_nonnull(jget(j, "event.action"));
		ds = jget(j, "event.dataset");
		ck_assert_ptr_nonnull(ds);
		if (strcmp(ds, "spanwatch.assets") == 0) {
			assets++;
			ck_assert_str_eq(jget(j, "event.kind"), "asset");	/* ECS 8.8+ */
			ck_assert_str_eq(jget(j, "event.category"), "host");
			ck_assert_str_eq(jget(j, "event.action"), "asset-inventory");
			if (strcmp(jget(j, "host.mac"), "00-0E-8C-01-02-03") == 0) {
				saw_plc = true;
				ck_assert_str_eq(jget(j, "host.ip"), "10.0.0.5");
				ck_assert_str_eq(jget(j, "host.hostname"), H_HOSTNAME);
				ck_assert_str_eq(jget(j, "spanwatch.asset.vendor"), H_VENDOR);
				ck_assert_str_eq(jget(j, "spanwatch.asset.model"), H_MODEL);
				ck_assert_str_eq(jget(j, "spanwatch.asset.serial"), H_SERIAL);
				ck_assert_str_eq(jget(j, "spanwatch.asset.firmware"), H_RAW_FW_CLEAN);
				ck_assert_str_eq(jget(j, "spanwatch.asset.roles"), R_PLC);
				ck_assert_str_eq(jget(j, "spanwatch.risk.level"), "high");
				ck_assert_str_eq(jget(j, "host.type"), "plc");	/* the category */
				ck_assert_str_eq(jget(j, "spanwatch.asset.category"), "plc");
				ck_assert_str_eq(jget(j, "spanwatch.risk.reasons"), "maker \"Evil\" | = flagged");
				ck_assert(json_is_true(json_object_get(json_object_get(json_object_get(j,
				    "spanwatch"), "risk"), "accepted")));
			}
		} else if (strcmp(ds, "spanwatch.events") == 0) {
			json_t *bl = json_object_get(json_object_get(json_object_get(j, "spanwatch"),
			    "event"), "baseline");

			events++;
			/* ECS: host.ip is an array, also for one address */
			if (json_object_get(json_object_get(j, "host"), "ip"))
				ck_assert(json_is_array(json_object_get(json_object_get(j, "host"), "ip")));
			/* learnt changes are events; operations and later changes alerts */
			ck_assert_str_eq(jget(j, "event.kind"), json_is_true(bl) ? "event" : "alert");
			if (strcmp(jget(j, "spanwatch.event.kind"), "operation") == 0) {
				json_t *rel = json_object_get(json_object_get(j, "related"), "ip");

				saw_op = true;
				ck_assert_str_eq(jget(j, "event.kind"), "alert");
				ck_assert_str_eq(jget(j, "event.action"), "restart_cold");
				ck_assert_str_eq(jget(j, "event.category"), "network");
				ck_assert_str_eq(jget(j, "event.type"), "start");
				ck_assert_str_eq(jget(j, "event.outcome"), "failure");
				ck_assert_str_eq(jget(j, "source.ip"), "10.0.0.9");
				ck_assert_str_eq(jget(j, "source.mac"), "00-1B-1B-AA-BB-CC");
				ck_assert_str_eq(jget(j, "destination.ip"), "10.0.0.5");
				ck_assert_str_eq(jget(j, "network.protocol"), "dnp3");
				ck_assert_str_eq(jget(j, "event.start"), "1970-01-01T00:16:44Z");
				ck_assert_str_eq(jget(j, "event.end"), "1970-01-01T00:16:50Z");
				ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "event"),
				    "severity")), 9);
				ck_assert_uint_eq(json_array_size(rel), 2);	/* client and server, once each */
				ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
				    json_object_get(j, "spanwatch"), "operation"), "count")), 3);
			}
			if (strcmp(jget(j, "spanwatch.event.kind"), "risk") == 0) {
				ck_assert_str_eq(jget(j, "event.action"), "risk-high");
				ck_assert_str_eq(jget(j, "message"), "high: Evil|Corp \\ =x\nsecond line");
			}
		} else if (strcmp(ds, "spanwatch.conversations") == 0) {
			convs++;
			ck_assert_str_eq(jget(j, "source.mac"), "00-1B-1B-AA-BB-CC");
			ck_assert_str_eq(jget(j, "destination.ip"), "10.0.0.5");
			ck_assert_str_eq(jget(j, "network.transport"), "tcp");
			ck_assert_str_eq(jget(j, "network.protocol"), "modbus");
		}
		json_decref(j);
	}
	ck_assert(saw_plc);
	ck_assert(saw_op);
	ck_assert_uint_eq(assets, 2);
	ck_assert_uint_eq(events, res.events);
	ck_assert_uint_eq(convs, 1);
	free(buf);
}
END_TEST

/* --- CEF ----------------------------------------------------------- */

/* Unescape a CEF extension value: \\ \= \n \r. */
static void
cef_unescape(const char *s, size_t len, char *out, size_t outsz)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < outsz; i++) {
		if (s[i] == '\\' && i + 1 < len) {
			i++;
			out[o++] = s[i] == 'n' ? '\n' : s[i] == 'r' ? '\r' : s[i];
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
}

/*
 * Value of key in a CEF extension: keys are "name=" at the start or after
 * a space, with '=' unescaped; a value ends at the space before the next key.
 */
static bool
cef_value(const char *ext, const char *key, char *out, size_t outsz)
{
	size_t klen = strlen(key), n = strlen(ext);

	for (size_t i = 0; i < n; i++) {
		if (ext[i] == '\\') {
			i++;
			continue;
		}
		if ((i == 0 || ext[i - 1] == ' ') && strncmp(ext + i, key, klen) == 0 &&
		    ext[i + klen] == '=') {
			size_t start = i + klen + 1, end = start;

			for (size_t j = start; j < n; j++) {
				if (ext[j] == '\\') {
					j++;
					end = j + 1;
					continue;
				}
				if (ext[j] == '=') {
					size_t k = j;

					while (k > start && ext[k - 1] != ' ')
						k--;
					end = k > start ? k - 1 : start;
					break;
				}
				end = j + 1;
			}
			cef_unescape(ext + start, end - start, out, outsz);
			return true;
		}
	}
	return false;
}

START_TEST(cef_headers_have_seven_pipes_and_escaped_extensions)
{
	struct export_opts o = opts(EXPORT_CEF, EXPORT_FULL);
	struct export_result res;
	char *buf, *lines[256], v[1024];
	size_t n;
	bool saw_plc = false, saw_risk = false, saw_op = false;

	run(&o, &res);
	buf = slurp(res.path, NULL);
	n = split_lines(buf, lines, 256);
	ck_assert_uint_eq(n, total(&res));	/* no record spilled over a newline */
	for (size_t i = 0; i < n; i++) {
		const char *l = lines[i], *ext = NULL;
		int pipes = 0;

		ck_assert_msg(strncmp(l, "CEF:0|spanwatch|spanwatch|", 26) == 0, "%s", l);
		ck_assert_ptr_null(strchr(l, '\r'));
		for (const char *p = l; *p && pipes < 7; p++) {
			if (*p == '\\') {
				p++;
				continue;
			}
			if (*p == '|' && ++pipes == 7)
				ext = p + 1;
		}
		ck_assert_msg(ext != NULL, "%s", l);
		/* Every '=' in the extension is escaped or ends a key. */
		for (const char *p = ext; *p; p++) {
			const char *k;

			if (*p == '\\') {
				p++;
				continue;
			}
			if (*p != '=')
				continue;
			for (k = p; k > ext && k[-1] != ' '; k--)
				ck_assert_msg((k[-1] >= 'a' && k[-1] <= 'z') || (k[-1] >= 'A' &&
				    k[-1] <= 'Z') || (k[-1] >= '0' && k[-1] <= '9'), "bad key in %s", l);
		}
		ck_assert(cef_value(ext, "deviceExternalId", v, sizeof(v)));
		ck_assert_str_eq(v, SENSOR);
		ck_assert(cef_value(ext, "cs1", v, sizeof(v)));
		ck_assert_str_eq(v, SITE);
		if (cef_value(ext, "smac", v, sizeof(v)) && strcmp(v, "00:0e:8c:01:02:03") == 0 &&
		    strstr(l, "|asset-inventory|") != NULL) {
			saw_plc = true;
			ck_assert(strstr(l, "|8|") != NULL);	/* risk high */
			ck_assert(cef_value(ext, "cs2", v, sizeof(v)));
			ck_assert_str_eq(v, H_VENDOR);
			ck_assert(cef_value(ext, "cs3", v, sizeof(v)));
			ck_assert_str_eq(v, H_MODEL);
			ck_assert(cef_value(ext, "shost", v, sizeof(v)));
			ck_assert_str_eq(v, H_HOSTNAME);
			ck_assert(cef_value(ext, "cs4", v, sizeof(v)));
			ck_assert_str_eq(v, "fw\n1\r\\x1b[31m\\xff\"|=@\\z");
			ck_assert(cef_value(ext, "flexString2", v, sizeof(v)));
			ck_assert_str_eq(v, "=cmd|accepted");
		}
		if (strstr(l, "|risk-high|") != NULL) {
			saw_risk = true;
			/* the name (header) keeps its pipe escaped */
			ck_assert(strstr(l, "|high: Evil\\|Corp \\\\ =x\\\\x0asecond line|8|") != NULL);
			ck_assert(cef_value(ext, "msg", v, sizeof(v)));
			ck_assert_str_eq(v, "high: Evil|Corp \\ =x\nsecond line");
		}
		if (strstr(l, "|restart_cold|") != NULL) {
			saw_op = true;	/* signature = the operation, severity its own */
			ck_assert(strstr(l, "|restart_cold|cold_restart|9|") != NULL);
			ck_assert(cef_value(ext, "src", v, sizeof(v)));
			ck_assert_str_eq(v, "10.0.0.9");
			ck_assert(cef_value(ext, "dst", v, sizeof(v)));
			ck_assert_str_eq(v, "10.0.0.5");
			ck_assert(cef_value(ext, "outcome", v, sizeof(v)));
			ck_assert_str_eq(v, "failure");
			ck_assert(cef_value(ext, "cnt", v, sizeof(v)));
			ck_assert_str_eq(v, "3");
		}
	}
	ck_assert(saw_plc);
	ck_assert(saw_risk);
	ck_assert(saw_op);
	free(buf);
}
END_TEST

static void
check_sha(const char *path)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen;
	char want[256], shapath[600], *buf, *sha;
	const char *base = strrchr(path, '/') + 1;
	size_t len;

	buf = slurp(path, &len);
	ck_assert_int_eq(EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL), 1);
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(want + 2 * i, 3, "%02x", md[i]);
	snprintf(want + 64, sizeof(want) - 64, "  %s\n", base);
	snprintf(shapath, sizeof(shapath), "%s.sha256", path);
	sha = slurp(shapath, NULL);
	ck_assert_str_eq(sha, want);
	free(sha);
	free(buf);
}

/* --- CSV ----------------------------------------------------------- */

#define CSV_MAXF	64

/* RFC 4180 reader: one record from *p; fields malloc'd; returns the count, 0 at the end. */
static size_t
csv_record(const char **pp, char **fields)
{
	const char *p = *pp;
	size_t nf = 0;

	if (*p == '\0')
		return 0;
	for (;;) {
		char *f = malloc(strlen(p) + 1);
		size_t o = 0;

		if (*p == '"') {
			for (p++; *p; p++) {
				if (*p == '"' && p[1] == '"')
					f[o++] = '"', p++;
				else if (*p == '"')
					break;
				else
					f[o++] = *p;
			}
			ck_assert_int_eq(*p, '"');
			p++;
		} else
			while (*p && *p != ',' && *p != '\r' && *p != '\n')
				f[o++] = *p++;
		f[o] = '\0';
		ck_assert_uint_lt(nf, CSV_MAXF);
		fields[nf++] = f;
		if (*p == ',') {
			p++;
			continue;
		}
		ck_assert_msg(p[0] == '\r' && p[1] == '\n', "record not ended by CRLF");
		*pp = p + 2;
		return nf;
	}
}

static int
col(char **hdr, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(hdr[i], name) == 0)
			return (int)i;
	ck_abort_msg("no column %s", name);
	return -1;
}

/* The record type a CSV file holds, from its name (...-STAMP-assets.csv). */
static int
csv_file_type(const char *path)
{
	static const char *const suffix[] = { "-assets.csv", "-services.csv",
	    "-conversations.csv", "-events.csv" };

	for (int t = 0; t < 4; t++)
		if (strlen(path) > strlen(suffix[t]) &&
		    strcmp(path + strlen(path) - strlen(suffix[t]), suffix[t]) == 0)
			return t;
	ck_abort_msg("%s: not a CSV file of one record type", path);
	return -1;
}

static bool
has_col(char **hdr, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(hdr[i], name) == 0)
			return true;
	return false;
}

/* Each value of one CSV record checked against what the fixture stored. */
static void
csv_check_row(int type, char **hdr, size_t nh, char **f, unsigned *seen)
{
	ck_assert_str_eq(f[col(hdr, nh, "sensor")], SENSOR);
	ck_assert_str_eq(f[col(hdr, nh, "site")], SITE);
	if (type == EXPORT_R_ASSET && strcmp(f[col(hdr, nh, "mac")], "00:0e:8c:01:02:03") == 0) {
		*seen |= 1;
		ck_assert_str_eq(f[col(hdr, nh, "ip")], "10.0.0.5");
		ck_assert_str_eq(f[col(hdr, nh, "vendor")], H_VENDOR);
		ck_assert_str_eq(f[col(hdr, nh, "model")], "'" H_MODEL);	/* neutralised */
		ck_assert_str_eq(f[col(hdr, nh, "serial")], "'" H_SERIAL);
		ck_assert_str_eq(f[col(hdr, nh, "hostname")], H_HOSTNAME);
		ck_assert_str_eq(f[col(hdr, nh, "firmware")], "fw\\x0a1\\x0d\\x1b[31m\\xff\"|=@\\z");
		ck_assert_str_eq(f[col(hdr, nh, "risk_level")], "high");
		ck_assert_str_eq(f[col(hdr, nh, "risk_country")], "XX");
		ck_assert_str_eq(f[col(hdr, nh, "risk_accepted")], "'=cmd|accepted");
		ck_assert_str_eq(f[col(hdr, nh, "roles")], R_PLC);
	}
	if (type == EXPORT_R_CONV) {
		*seen |= 2;
		ck_assert_str_eq(f[col(hdr, nh, "client_ip")], "10.0.0.9");
		ck_assert_str_eq(f[col(hdr, nh, "server_ip")], "10.0.0.5");
		ck_assert_str_eq(f[col(hdr, nh, "port")], "502");
		ck_assert_str_eq(f[col(hdr, nh, "packets")], "10");
		ck_assert_str_eq(f[col(hdr, nh, "direction")], "internal");
		ck_assert_str_eq(f[col(hdr, nh, "endpoint_asn")], "");
	}
	if (type == EXPORT_R_EVENT && strcmp(f[col(hdr, nh, "event_kind")], "risk") == 0) {
		*seen |= 4;
		ck_assert_str_eq(f[col(hdr, nh, "detail")], "high: Evil|Corp \\ =x\\x0asecond line");
		ck_assert_str_eq(f[col(hdr, nh, "operation")], "");	/* not an operation */
		ck_assert_str_eq(f[col(hdr, nh, "count")], "");
	}
	if (type == EXPORT_R_EVENT && strcmp(f[col(hdr, nh, "event_kind")], "operation") == 0) {
		*seen |= 8;
		ck_assert_str_eq(f[col(hdr, nh, "operation")], "restart_cold");
		ck_assert_str_eq(f[col(hdr, nh, "count")], "3");
		ck_assert_str_eq(f[col(hdr, nh, "failed")], "1");
		ck_assert_str_eq(f[col(hdr, nh, "client_ip")], "10.0.0.9");
		ck_assert_str_eq(f[col(hdr, nh, "server_mac")], "00:0e:8c:01:02:03");
		ck_assert_str_eq(f[col(hdr, nh, "last_request")], "1970-01-01T00:16:50Z");
	}
}

START_TEST(csv_is_one_rectangle_per_record_type)
{
	struct export_opts o = opts(EXPORT_CSV, EXPORT_FULL);
	struct export_result res;
	uint64_t rows[4] = { 0 };
	unsigned seen = 0;

	run(&o, &res);
	ck_assert_uint_eq(res.nfiles, 4);
	ck_assert_str_eq(res.path, res.files[0]);
	for (unsigned i = 0; i < res.nfiles; i++) {
		char *buf = slurp(res.files[i], NULL), *hdr[CSV_MAXF], *f[CSV_MAXF];
		const char *p = buf;
		int type = csv_file_type(res.files[i]);
		size_t nh = csv_record(&p, hdr), nf;

		ck_assert_str_eq(hdr[0], "sensor");
		/* a file's columns are its own type's: no union of every type */
		ck_assert(has_col(hdr, nh, "event_kind") == (type == EXPORT_R_EVENT));
		ck_assert(has_col(hdr, nh, "risk_level") == (type == EXPORT_R_ASSET));
		ck_assert(has_col(hdr, nh, "packets") == (type == EXPORT_R_CONV));
		while ((nf = csv_record(&p, f)) > 0) {
			ck_assert_uint_eq(nf, nh);	/* a rectangle */
			rows[type]++;
			csv_check_row(type, hdr, nh, f, &seen);
			for (size_t k = 0; k < nf; k++)
				free(f[k]);
		}
		for (size_t k = 0; k < nh; k++)
			free(hdr[k]);
		free(buf);
		check_sha(res.files[i]);
	}
	ck_assert_uint_eq(rows[EXPORT_R_ASSET], res.assets);
	ck_assert_uint_eq(rows[EXPORT_R_SERVICE], res.services);
	ck_assert_uint_eq(rows[EXPORT_R_CONV], res.conversations);
	ck_assert_uint_eq(rows[EXPORT_R_EVENT], res.events);
	ck_assert_uint_eq(seen, 15);
}
END_TEST

/* A CSV run with only events new writes the events file alone. */
START_TEST(csv_writes_no_file_for_a_type_with_nothing_new)
{
	struct export_opts o = opts(EXPORT_CSV, EXPORT_INCREMENTAL);
	struct export_result r;

	run(&o, &r);
	ck_assert_uint_eq(r.nfiles, 4);
	exec_sql("INSERT INTO events (ts, asset_id, kind, detail) VALUES (900, NULL, 'risk', 'later')");
	run(&o, &r);
	ck_assert_uint_eq(r.assets + r.services + r.conversations, 0);
	ck_assert_uint_eq(r.events, 1);
	ck_assert_uint_eq(r.nfiles, 1);
	ck_assert_int_eq(csv_file_type(r.path), EXPORT_R_EVENT);
	check_sha(r.path);
}
END_TEST

/* --- cursor, crash, sha256, pruning -------------------------------- */

START_TEST(incremental_exports_only_new_changes)
{
	struct export_opts o = opts(EXPORT_ECS, EXPORT_INCREMENTAL);
	struct export_result r1, r2, r3;
	long long events_before;
	char *buf, *lines[64];
	size_t n;

	run(&o, &r1);
	ck_assert_uint_eq(r1.assets, 2);
	ck_assert_str_ne(r1.path, "");
	check_sha(r1.path);
	run(&o, &r2);			/* nothing new: no file, nothing counted */
	ck_assert_str_eq(r2.path, "");
	ck_assert_uint_eq(total(&r2), 0);
	events_before = scalar("SELECT max(id) FROM events");
	fact("00:1b:1b:aa:bb:cc", "10.0.0.9", A_OS, "Windows 10", 2000);	/* the HMI changes */
	addr("00:0e:8c:99:99:99", "10.0.0.77", 2000);				/* a new asset */
	fact("00:0e:8c:99:99:99", "10.0.0.77", A_ROLE, R_RTU, 2000);
	flush();
	run(&o, &r3);
	ck_assert_uint_eq(r3.assets, 2);
	ck_assert_uint_eq(r3.services, 0);
	ck_assert_uint_eq(r3.conversations, 0);
	ck_assert_uint_eq(r3.events, (uint64_t)scalar("SELECT max(id) FROM events") - (uint64_t)events_before);
	ck_assert_str_ne(r3.path, r1.path);
	buf = slurp(r3.path, NULL);
	ck_assert(strstr(buf, "00-0E-8C-01-02-03") == NULL);	/* the unchanged PLC is not repeated */
	ck_assert(strstr(buf, "Windows 10") != NULL);
	ck_assert(strstr(buf, "00-0E-8C-99-99-99") != NULL);
	n = split_lines(buf, lines, 64);
	ck_assert_uint_eq(n, total(&r3));
	free(buf);
	check_sha(r3.path);
}
END_TEST

static const char *crash_where;

static void
crash_here(const char *where)
{
	if (strcmp(where, crash_where) == 0)
		raise(SIGKILL);
}

/* Run one export in a child that SIGKILLs itself at `where`. */
static void
killed_at_in(enum export_format fmt, const char *where)
{
	pid_t pid = fork();
	int status;

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct export_opts o = opts(fmt, EXPORT_INCREMENTAL);
		struct store *ro;
		char err[256];

		/* read-only, as the CLI: the cursor goes through the store's own connection */
		crash_where = where;
		export_crash_hook = crash_here;
		if ((ro = store_open(fx.path, STORE_RO, err, sizeof(err))) == NULL)
			_exit(2);
		export_run(ro, &o, NULL, err, sizeof(err));
		_exit(3);	/* not reached: the hook kills the process */
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "%s: status %d", where, status);
}

static void
killed_at(const char *where)
{
	killed_at_in(EXPORT_CEF, where);
}

/* Files in dir with this suffix, counted. */
static int
count_files(const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name), m = strlen(suffix);

		if (l >= m && strcmp(de->d_name + l - m, suffix) == 0)
			n++;
	}
	closedir(d);
	return n;
}

static void
assert_full_set_once(const struct export_result *r)
{
	char *buf = slurp(r->path, NULL), *lines[256];
	size_t n = split_lines(buf, lines, 256), ev = 0;

	ck_assert_uint_eq(r->assets, 2);
	ck_assert_uint_eq(r->services, 1);
	ck_assert_uint_eq(r->conversations, 1);
	ck_assert_uint_eq(r->events, (uint64_t)scalar("SELECT count(*) FROM events"));
	ck_assert_uint_eq(n, total(r));
	for (long long id = 1; id <= scalar("SELECT max(id) FROM events"); id++) {
		char needle[48];
		size_t hits = 0;

		snprintf(needle, sizeof(needle), " externalId=%lld ", id);
		for (size_t i = 0; i < n; i++)
			hits += strstr(lines[i], needle) != NULL;
		ck_assert_msg(hits == 1, "event %lld exported %zu times", id, hits);
		ev++;
	}
	ck_assert_uint_eq(ev, r->events);
	free(buf);
	check_sha(r->path);
}

START_TEST(killed_export_is_redone_in_full_exactly_once)
{
	struct export_opts o = opts(EXPORT_CEF, EXPORT_INCREMENTAL);
	struct export_result r;
	char key[512];

	export_cursor_key(EXPORT_CEF, dir, key, sizeof(key));
	killed_at("temp");		/* written and fsynced, not renamed */
	ck_assert_int_eq(count_files(".cef"), 0);
	killed_at("renamed");		/* renamed, cursor not advanced: an orphan without .sha256 */
	ck_assert_int_eq(count_files(".cef"), 1);
	ck_assert_int_eq(count_files(".sha256"), 0);
	ck_assert_int_eq(scalar("SELECT count(*) FROM meta WHERE key LIKE 'export.cursor.%'"), 0);
	run(&o, &r);
	ck_assert_uint_eq(r.orphans, 1);
	ck_assert_int_eq(count_files(".cef"), 1);	/* the orphan is gone, its records are here */
	ck_assert_int_eq(count_files(".tmp"), 0);
	assert_full_set_once(&r);
	run(&o, &r);
	ck_assert_uint_eq(total(&r), 0);
}
END_TEST

START_TEST(killed_after_commit_rolls_the_sha_forward)
{
	struct export_opts o = opts(EXPORT_CEF, EXPORT_INCREMENTAL);
	struct export_result r;
	DIR *d;
	struct dirent *de;
	char path[512] = "";

	killed_at("committed");		/* cursor advanced, .sha256 not yet written */
	ck_assert_int_eq(count_files(".cef"), 1);
	ck_assert_int_eq(count_files(".sha256"), 0);
	run(&o, &r);			/* nothing new, and the commit is finished */
	ck_assert_uint_eq(total(&r), 0);
	ck_assert_uint_eq(r.orphans, 0);
	ck_assert_int_eq(count_files(".sha256"), 1);
	d = opendir(dir);
	while ((de = readdir(d)) != NULL)
		if (strlen(de->d_name) > 4 && strcmp(de->d_name + strlen(de->d_name) - 4, ".cef") == 0)
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
	closedir(d);
	check_sha(path);
}
END_TEST

/*
 * CSV writes a file per record type: killed after the renames all four are
 * orphans, removed and written again; killed after the cursor, all four
 * get their .sha256 on the next run.
 */
START_TEST(killed_csv_run_is_redone_or_finished_as_one)
{
	struct export_opts o = opts(EXPORT_CSV, EXPORT_INCREMENTAL);
	struct export_result r;

	killed_at_in(EXPORT_CSV, "renamed");
	ck_assert_int_eq(count_files(".csv"), 4);
	ck_assert_int_eq(count_files(".sha256"), 0);
	run(&o, &r);
	ck_assert_uint_eq(r.orphans, 4);
	ck_assert_uint_eq(r.nfiles, 4);
	ck_assert_int_eq(count_files(".csv"), 4);
	ck_assert_int_eq(count_files(".sha256"), 4);
	ck_assert_uint_eq(r.events, (uint64_t)scalar("SELECT count(*) FROM events"));
	rm_dir(dir);
	ck_assert(mkdir(dir, 0700) == 0);
	exec_sql("DELETE FROM meta WHERE key LIKE 'export.cursor.%'");
	killed_at_in(EXPORT_CSV, "committed");
	ck_assert_int_eq(count_files(".csv"), 4);
	ck_assert_int_eq(count_files(".sha256"), 0);
	run(&o, &r);			/* nothing new; the four markers are written */
	ck_assert_uint_eq(total(&r), 0);
	ck_assert_uint_eq(r.orphans, 0);
	ck_assert_int_eq(count_files(".csv"), 4);
	ck_assert_int_eq(count_files(".sha256"), 4);
}
END_TEST

START_TEST(old_files_are_pruned)
{
	struct export_opts o = opts(EXPORT_ECS, EXPORT_FULL);
	struct export_result r;
	struct utimbuf old = { .actime = time(NULL) - 40 * 86400, .modtime = time(NULL) - 40 * 86400 };
	char p[512], s[600];
	FILE *f;

	snprintf(p, sizeof(p), "%s/spanwatch-sensor_one-ecs-20200101T000000Z.ndjson", dir);
	snprintf(s, sizeof(s), "%s.sha256", p);
	ck_assert_ptr_nonnull(f = fopen(p, "w"));
	fclose(f);
	ck_assert_ptr_nonnull(f = fopen(s, "w"));
	fclose(f);
	utime(p, &old);
	utime(s, &old);
	run(&o, &r);
	ck_assert_uint_eq(r.pruned, 1);
	ck_assert_int_ne(access(p, F_OK), 0);
	ck_assert_int_ne(access(s, F_OK), 0);
	ck_assert_int_eq(access(r.path, F_OK), 0);
	ck_assert(strstr(r.path, "/spanwatch-sensor_one-ecs-") != NULL);
}
END_TEST

START_TEST(since_leaves_the_cursor_alone)
{
	struct export_opts o = opts(EXPORT_CSV, EXPORT_SINCE);
	struct export_result r;

	o.since = 1002;
	run(&o, &r);
	ck_assert_uint_eq(r.assets, 2);	/* both touched by the conversation at 1002 */
	ck_assert_uint_eq(r.events, (uint64_t)scalar("SELECT count(*) FROM events WHERE ts >= 1002"));
	ck_assert_int_eq(scalar("SELECT count(*) FROM meta WHERE key LIKE 'export.cursor.%'"), 0);
	ck_assert_uint_eq(r.nfiles, 4);
	for (unsigned i = 0; i < r.nfiles; i++)
		check_sha(r.files[i]);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("export");
	TCase *tc = tcase_create("export");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, escapes_follow_each_format);
	tcase_add_test(tc, ecs_lines_are_json_with_ecs_fields);
	tcase_add_test(tc, cef_headers_have_seven_pipes_and_escaped_extensions);
	tcase_add_test(tc, csv_is_one_rectangle_per_record_type);
	tcase_add_test(tc, csv_writes_no_file_for_a_type_with_nothing_new);
	tcase_add_test(tc, incremental_exports_only_new_changes);
	tcase_add_test(tc, killed_export_is_redone_in_full_exactly_once);
	tcase_add_test(tc, killed_after_commit_rolls_the_sha_forward);
	tcase_add_test(tc, killed_csv_run_is_redone_or_finished_as_one);
	tcase_add_test(tc, old_files_are_pruned);
	tcase_add_test(tc, since_leaves_the_cursor_alone);
	suite_add_tcase(s, tc);
	return s;
}
