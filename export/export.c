/*
 * export.c - the nightly export to the SOC (docs/EXPORT.md).
 *
 * One run: take one read snapshot of the database, select what changed
 * since the cursor of (format, directory), write it to a temporary file,
 * fsync, rename, fsync the directory, advance the cursor in meta, then
 * write NAME.sha256.  The .sha256 file is the commit marker the SOC
 * waits for: a data file without one was never committed and the next
 * run removes it and exports its records again.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "export.h"

#ifndef SW_VERSION
#define SW_VERSION "0.0.0"
#endif

#define EXPORT_CRASH_ENV	"SPANWATCH_EXPORT_CRASH"	/* test hook, see crash_point() */

/* --- escaping ------------------------------------------------------ */

struct sbuf {
	char	*p;
	size_t	 len, cap;
	bool	 oom;
};

static void
sb_putn(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *np;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((np = realloc(b->p, cap)) == NULL) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_puts(struct sbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

static void
sb_hex(struct sbuf *b, unsigned char c, const char *prefix)
{
	char h[16];

	snprintf(h, sizeof(h), "%sx%02x", prefix, c);
	sb_puts(b, h);
}

static char *
sb_take(struct sbuf *b)
{
	if (b->oom) {
		free(b->p);
		return NULL;
	}
	if (b->p == NULL)
		return strdup("");
	return b->p;
}

/* Length of the valid UTF-8 sequence at s (1..4), 0 if invalid or NUL. */
static size_t
utf8_len(const unsigned char *s, size_t left)
{
	size_t n;
	unsigned cp;

	if (s[0] == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * Walk s: valid UTF-8 sequences go to keep(), anything else (invalid
 * bytes, NUL) becomes the text "\xHH".  ctl: also control bytes and DEL.
 */
static void
walk(struct sbuf *b, const char *s, size_t len, bool ctl,
    void (*keep)(struct sbuf *, const char *, size_t), const char *hexprefix)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < len; ) {
		size_t n = utf8_len(u + i, len - i);

		if (n == 0 || (ctl && n == 1 && (u[i] < 0x20 || u[i] == 0x7f))) {
			sb_hex(b, u[i], hexprefix);
			i++;
		} else {
			keep(b, s + i, n);
			i += n;
		}
	}
}

char *
export_clean(const char *s, size_t len)
{
	struct sbuf b = { 0 };

	walk(&b, s ? s : "", s ? len : 0, false, sb_putn, "\\");
	return sb_take(&b);
}

char *
export_csv_field(const char *s, size_t len)
{
	struct sbuf t = { 0 }, b = { 0 };
	char *txt;
	bool quote;

	if (s && len > 0 && strchr("=+-@\t\r", s[0]))
		sb_putn(&t, "'", 1);	/* a spreadsheet must not run it as a formula */
	walk(&t, s ? s : "", s ? len : 0, true, sb_putn, "\\");
	if ((txt = sb_take(&t)) == NULL)
		return NULL;
	len = strlen(txt);
	quote = strpbrk(txt, ",\"\r\n") != NULL ||
	    (len > 0 && (txt[0] == ' ' || txt[len - 1] == ' '));
	if (quote)
		sb_putn(&b, "\"", 1);
	for (const char *p = txt; *p; p++) {
		if (*p == '"')
			sb_puts(&b, "\"\"");
		else
			sb_putn(&b, p, 1);
	}
	if (quote)
		sb_putn(&b, "\"", 1);
	free(txt);
	return sb_take(&b);
}

static void
cef_keep_header(struct sbuf *b, const char *s, size_t n)
{
	if (n == 1 && (s[0] == '\\' || s[0] == '|'))
		sb_putn(b, "\\", 1);
	sb_putn(b, s, n);
}

static void
cef_keep_ext(struct sbuf *b, const char *s, size_t n)
{
	if (n == 1 && (s[0] == '\\' || s[0] == '='))
		sb_putn(b, "\\", 1);
	sb_putn(b, s, n);
}

/*
 * CEF (ArcSight "Implementing ArcSight CEF" rev 25): in the header escape
 * "\" and "|"; in extension values escape "\" and "=" and write newlines
 * as "\n" / "\r".  Other control bytes and invalid UTF-8 become the text
 * "\xHH", whose backslash is itself escaped ("\\xHH" on the wire).
 */
char *
export_cef_header(const char *s, size_t len)
{
	struct sbuf b = { 0 };

	walk(&b, s ? s : "", s ? len : 0, true, cef_keep_header, "\\\\");
	return sb_take(&b);
}

char *
export_cef_ext(const char *s, size_t len)
{
	struct sbuf b = { 0 };
	const char *p = s ? s : "";
	size_t start = 0;

	if (s == NULL)
		len = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && p[i] != '\n' && p[i] != '\r')
			continue;
		walk(&b, p + start, i - start, true, cef_keep_ext, "\\\\");
		if (i < len)
			sb_puts(&b, p[i] == '\n' ? "\\n" : "\\r");
		start = i + 1;
	}
	return sb_take(&b);
}

void
export_ecs_mac(const char *mac, char out[18])
{
	size_t i;

	for (i = 0; i < 17 && mac && mac[i]; i++)
		out[i] = mac[i] == ':' ? '-' :
		    (mac[i] >= 'a' && mac[i] <= 'f') ? (char)(mac[i] - 'a' + 'A') : mac[i];
	out[i] = '\0';
}

/* --- formats ------------------------------------------------------- */

static const char *const fmt_names[] = { "ecs", "cef", "csv" };
static const char *const fmt_ext[] = { "ndjson", "cef", "csv" };

bool
export_format_parse(const char *s, enum export_format *out)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(s, fmt_names[i]) == 0) {
			*out = (enum export_format)i;
			return true;
		}
	return false;
}

const char *
export_format_name(enum export_format f)
{
	return fmt_names[f];
}

void
export_cursor_key(enum export_format f, const char *dir, char *out, size_t outsz)
{
	snprintf(out, outsz, "export.cursor.%s:%s", fmt_names[f], dir);
}

/* --- records ------------------------------------------------------- */

enum rtype { R_ASSET, R_SERVICE, R_CONV, R_EVENT };
static const char *const rtype_names[] = { "asset", "service", "conversation", "event" };

/* One exported record; all text is clean UTF-8 (export_clean) or NULL. */
struct rec {
	enum rtype	 type;
	int64_t		 ts;		/* @timestamp: last seen, or the event time */
	int64_t		 asset_id;
	char		*mac, *ip;	/* the asset (client side of a conversation) */
	json_t		*ips;		/* asset: every address, newest first */
	char		*hostname, *os, *vendor, *oui_vendor, *oui_country, *model;
	char		*firmware, *serial, *hardware, *device_type;
	json_t		*roles, *protocols, *reasons;
	char		*risk_level, *risk_vendor, *risk_country, *accepted;
	int64_t		 gateway, vlan, first, last;
	char		*transport, *protocol, *role;
	int64_t		 port;
	int64_t		 peer_id, packets, bytes;
	char		*peer_mac, *peer_ip;
	int64_t		 event_id;
	char		*kind, *detail;
};

static void
rec_free(struct rec *r)
{
	char **strs[] = { &r->mac, &r->ip, &r->hostname, &r->os, &r->vendor, &r->oui_vendor,
	    &r->oui_country, &r->model, &r->firmware, &r->serial, &r->hardware, &r->device_type,
	    &r->risk_level, &r->risk_vendor, &r->risk_country, &r->accepted, &r->transport,
	    &r->protocol, &r->role, &r->peer_mac, &r->peer_ip, &r->kind, &r->detail };

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		free(*strs[i]);
	json_decref(r->ips);
	json_decref(r->roles);
	json_decref(r->protocols);
	json_decref(r->reasons);
	memset(r, 0, sizeof(*r));
}

struct ctx {
	sqlite3		*db;
	enum export_format fmt;
	FILE		*f;
	char		*sensor, *site, *observer_host;
	char		 errbuf[256];	/* a database error, "" if none */
	struct export_result *res;
	sqlite3_stmt	*attr_q, *ips_q, *roles_q, *protos_q, *risk_q, *asset_q;
};

static char *
col_clean(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	return export_clean((const char *)sqlite3_column_text(st, i),
	    (size_t)sqlite3_column_bytes(st, i));
}

static sqlite3_stmt *
prep(struct ctx *c, const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(c->errbuf, sizeof(c->errbuf), "%s", sqlite3_errmsg(c->db));
		return NULL;
	}
	return st;
}

/* A string column of every row of st (bound by the caller), as a JSON array. */
static json_t *
col_list(sqlite3_stmt *st)
{
	json_t *a = json_array();
	char *s;

	while (sqlite3_step(st) == SQLITE_ROW)
		if ((s = col_clean(st, 0)) != NULL) {
			if (*s)
				json_array_append_new(a, json_string(s));
			free(s);
		}
	sqlite3_reset(st);
	return a;
}

/* The resolved value of an attribute: best confidence, count, recency. */
static char *
best(struct ctx *c, int64_t id, const char *attr)
{
	char *v = NULL;

	sqlite3_bind_int64(c->attr_q, 1, id);
	sqlite3_bind_text(c->attr_q, 2, attr, -1, SQLITE_STATIC);
	if (sqlite3_step(c->attr_q) == SQLITE_ROW)
		v = col_clean(c->attr_q, 0);
	sqlite3_reset(c->attr_q);
	return v;
}

static json_t *
reason_texts(const char *reason_json)
{
	json_t *arr = json_array(), *r = reason_json ? json_loads(reason_json, 0, NULL) : NULL;
	json_t *it;
	size_t i;

	json_array_foreach(r, i, it) {
		json_t *t = json_is_object(it) ? json_object_get(it, "text") : it;

		if (json_is_string(t))
			json_array_append_new(arr, json_string(json_string_value(t)));
	}
	json_decref(r);
	return arr;
}

/* Fill the asset part of r from the database. */
static void
load_asset(struct ctx *c, int64_t id, struct rec *r)
{
	sqlite3_stmt *q;
	char *reason;

	r->asset_id = id;
	q = c->asset_q;
	sqlite3_bind_int64(q, 1, id);
	if (sqlite3_step(q) == SQLITE_ROW) {
		r->mac = col_clean(q, 0);
		r->first = sqlite3_column_int64(q, 1);
		r->last = sqlite3_column_int64(q, 2);
		r->oui_vendor = col_clean(q, 3);
		r->oui_country = col_clean(q, 4);
		r->gateway = sqlite3_column_int64(q, 5);
		r->vlan = sqlite3_column_int64(q, 6);
		r->ip = col_clean(q, 7);	/* key_ip, replaced by the newest address */
		if (r->ip && strncmp(r->ip, "modbus-unit:", 12) == 0) {
			free(r->ip);	/* a Modbus unit behind a gateway: no address of its own */
			r->ip = NULL;
		}
	}
	sqlite3_reset(q);
	sqlite3_bind_int64(c->ips_q, 1, id);
	r->ips = col_list(c->ips_q);
	if (json_array_size(r->ips) > 0) {
		free(r->ip);
		r->ip = strdup(json_string_value(json_array_get(r->ips, 0)));
	} else if (r->ip)
		json_array_append_new(r->ips, json_string(r->ip));
	r->hostname = best(c, id, "hostname");
	if (r->hostname == NULL)
		r->hostname = best(c, id, "device_name");
	r->os = best(c, id, "os");
	r->vendor = best(c, id, "vendor");
	r->model = best(c, id, "model");
	r->firmware = best(c, id, "firmware");
	r->serial = best(c, id, "serial");
	r->hardware = best(c, id, "hardware");
	r->device_type = best(c, id, "device_type");
	sqlite3_bind_int64(c->roles_q, 1, id);
	r->roles = col_list(c->roles_q);
	sqlite3_bind_int64(c->protos_q, 1, id);
	sqlite3_bind_int64(c->protos_q, 2, id);
	r->protocols = col_list(c->protos_q);
	q = c->risk_q;
	sqlite3_bind_int64(q, 1, id);
	if (sqlite3_step(q) == SQLITE_ROW) {
		r->risk_level = col_clean(q, 0);
		r->risk_vendor = col_clean(q, 1);
		r->risk_country = col_clean(q, 2);
		reason = col_clean(q, 3);
		r->reasons = reason_texts(reason);
		free(reason);
		r->accepted = col_clean(q, 4);
	}
	sqlite3_reset(q);
	if (r->reasons == NULL)
		r->reasons = json_array();
	if (r->vendor == NULL && r->risk_vendor && *r->risk_vendor)
		r->vendor = strdup(r->risk_vendor);
	if (r->vendor == NULL && r->oui_vendor)
		r->vendor = strdup(r->oui_vendor);
}

static int
prepare_asset_queries(struct ctx *c)
{
	c->asset_q = prep(c, "SELECT mac, first_seen, last_seen, oui_vendor, oui_country, gateway, "
	    "vlan, key_ip FROM assets WHERE id = ?1");
	c->attr_q = prep(c, "SELECT value FROM evidence WHERE asset_id = ?1 AND attribute = ?2 "
	    "ORDER BY confidence DESC, count DESC, last_seen DESC, value LIMIT 1");
	c->ips_q = prep(c, "SELECT ip FROM addresses WHERE asset_id = ?1 ORDER BY last_seen DESC, ip");
	c->roles_q = prep(c, "SELECT DISTINCT value FROM evidence WHERE asset_id = ?1 "
	    "AND attribute = 'role' ORDER BY value");
	c->protos_q = prep(c, "SELECT protocol FROM services WHERE asset_id = ?1 UNION "
	    "SELECT protocol FROM conversations WHERE client_id = ?2 "
	    "EXCEPT SELECT 'unknown' ORDER BY 1");
	c->risk_q = prep(c, "SELECT level, vendor, country, reason, accepted FROM risk "
	    "WHERE asset_id = ?1");
	if (c->asset_q && c->attr_q && c->ips_q && c->roles_q && c->protos_q && c->risk_q)
		return 0;
	return -1;
}

static void
finalize_asset_queries(struct ctx *c)
{
	sqlite3_finalize(c->asset_q);
	sqlite3_finalize(c->attr_q);
	sqlite3_finalize(c->ips_q);
	sqlite3_finalize(c->roles_q);
	sqlite3_finalize(c->protos_q);
	sqlite3_finalize(c->risk_q);
}

/* --- ECS ----------------------------------------------------------- */

/* Set a dotted path ("host.os.name") in o, creating the objects on the way. */
static void
jset(json_t *o, const char *path, json_t *v)
{
	char key[64];
	const char *dot;

	if (v == NULL)
		return;
	while ((dot = strchr(path, '.')) != NULL) {
		json_t *sub;

		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		if ((sub = json_object_get(o, key)) == NULL) {
			sub = json_object();
			json_object_set_new(o, key, sub);
		}
		o = sub;
		path = dot + 1;
	}
	json_object_set_new(o, path, v);
}

static void
jset_str(json_t *o, const char *path, const char *s)
{
	if (s && *s)
		jset(o, path, json_string(s));
}

static void
jset_list(json_t *o, const char *path, json_t *arr)
{
	if (arr && json_array_size(arr) > 0)
		jset(o, path, json_deep_copy(arr));
}

static json_t *
jtime(int64_t t)
{
	char buf[32];
	struct tm tm;
	time_t tt = (time_t)t;

	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

static json_t *
jcats(const char *a)
{
	json_t *arr = json_array();

	json_array_append_new(arr, json_string(a));
	return arr;
}

static void
ecs_mac_list(json_t *o, const char *path, const char *mac)
{
	char m[18];

	if (mac == NULL || *mac == '\0')
		return;
	export_ecs_mac(mac, m);
	jset(o, path, json_string(m));
}

static void
ecs_asset_host(json_t *o, const struct rec *r, const char *sensor)
{
	ecs_mac_list(o, "host.mac", r->mac);
	if (r->ips && json_array_size(r->ips) > 0)
		jset_list(o, "host.ip", r->ips);
	else
		jset_str(o, "host.ip", r->ip);
	jset_str(o, "host.hostname", r->hostname);
	jset_str(o, "host.name", r->hostname ? r->hostname : r->ip);
	jset_str(o, "host.os.name", r->os);
	jset_str(o, "host.os.full", r->os);
	jset_str(o, "host.type", r->device_type);
	jset(o, "host.id", json_sprintf("%s/%" PRId64, sensor, r->asset_id));
}

static const char *
event_action(const struct rec *r, char *buf, size_t bufsz)
{
	if (r->type == R_ASSET)
		return "asset-inventory";
	if (r->type == R_SERVICE)
		return "service-inventory";
	if (r->type == R_CONV)
		return "conversation";
	if (strcmp(r->kind, "risk") == 0) {
		size_t n = strcspn(r->detail ? r->detail : "", ":");

		snprintf(buf, bufsz, "risk-%.*s", (int)(n < 16 ? n : 16), r->detail ? r->detail : "");
		return buf;
	}
	snprintf(buf, bufsz, "%s", r->kind);
	for (char *p = buf; *p; p++)
		if (*p == '_')
			*p = '-';
	return buf;
}

static int
write_ecs(struct ctx *c, const struct rec *r)
{
	json_t *o = json_object();
	char act[64], id[160];
	const char *action = event_action(r, act, sizeof(act));
	const char *type = "info";
	int rc;

	jset(o, "@timestamp", jtime(r->ts));
	jset_str(o, "ecs.version", "8.11.0");
	jset_str(o, "observer.name", c->sensor);
	jset_str(o, "observer.hostname", c->observer_host);
	jset_str(o, "observer.type", "sensor");
	jset_str(o, "observer.product", "spanwatch");
	jset_str(o, "observer.vendor", "spanwatch");
	jset_str(o, "observer.version", SW_VERSION);
	jset_str(o, "spanwatch.sensor", c->sensor);
	jset_str(o, "spanwatch.site", c->site);
	jset_str(o, "labels.site", c->site);
	jset_str(o, "event.kind", r->type == R_EVENT ? "event" : "state");
	jset_str(o, "event.module", "spanwatch");
	jset_str(o, "event.action", action);
	snprintf(id, sizeof(id), "spanwatch.%ss", rtype_names[r->type]);
	jset_str(o, "event.dataset", id);
	jset(o, "spanwatch.asset.id", json_integer(r->asset_id));
	switch (r->type) {
	case R_ASSET:
		jset(o, "event.category", jcats("host"));
		ecs_asset_host(o, r, c->sensor);
		jset_str(o, "spanwatch.asset.vendor", r->vendor);
		jset_str(o, "spanwatch.asset.oui_vendor", r->oui_vendor);
		jset_str(o, "spanwatch.asset.oui_country", r->oui_country);
		jset_str(o, "spanwatch.asset.model", r->model);
		jset_str(o, "spanwatch.asset.firmware", r->firmware);
		jset_str(o, "spanwatch.asset.hardware", r->hardware);
		jset_str(o, "spanwatch.asset.serial", r->serial);
		jset_str(o, "spanwatch.asset.device_type", r->device_type);
		jset_list(o, "spanwatch.asset.roles", r->roles);
		jset_list(o, "spanwatch.asset.protocols", r->protocols);
		jset(o, "spanwatch.asset.gateway", json_boolean(r->gateway));
		jset(o, "spanwatch.asset.vlan", json_integer(r->vlan));
		jset(o, "spanwatch.asset.first_seen", jtime(r->first));
		jset(o, "spanwatch.asset.last_seen", jtime(r->last));
		if (r->risk_level) {
			jset_str(o, "host.risk.calculated_level", r->risk_level);
			jset_str(o, "spanwatch.risk.level", r->risk_level);
			jset_str(o, "spanwatch.risk.vendor", r->risk_vendor);
			jset_str(o, "spanwatch.risk.country", r->risk_country);
			jset(o, "spanwatch.risk.reasons", json_deep_copy(r->reasons));
			jset(o, "spanwatch.risk.accepted", json_boolean(r->accepted != NULL));
			jset_str(o, "spanwatch.risk.accepted_text", r->accepted);
		}
		break;
	case R_SERVICE:
		jset(o, "event.category", jcats("network"));
		ecs_mac_list(o, "host.mac", r->mac);
		jset_str(o, "host.ip", r->ip);
		ecs_mac_list(o, "server.mac", r->mac);
		jset_str(o, "server.ip", r->ip);
		jset(o, "server.port", json_integer(r->port));
		jset_str(o, "network.transport", r->transport);
		jset_str(o, "network.protocol", r->protocol);
		jset_str(o, "spanwatch.service.role", r->role);
		jset(o, "event.start", jtime(r->first));
		jset(o, "event.end", jtime(r->last));
		break;
	case R_CONV:
		type = "connection";
		jset(o, "event.category", jcats("network"));
		ecs_mac_list(o, "source.mac", r->mac);
		jset_str(o, "source.ip", r->ip);
		ecs_mac_list(o, "destination.mac", r->peer_mac);
		jset_str(o, "destination.ip", r->peer_ip);
		jset(o, "destination.port", json_integer(r->port));
		jset(o, "spanwatch.peer.id", json_integer(r->peer_id));
		jset_str(o, "network.transport", r->transport);
		jset_str(o, "network.protocol", r->protocol);
		jset(o, "network.packets", json_integer(r->packets));
		jset(o, "network.bytes", json_integer(r->bytes));
		jset(o, "event.start", jtime(r->first));
		jset(o, "event.end", jtime(r->last));
		break;
	case R_EVENT:
		type = strcmp(r->kind, "asset_new") == 0 ? "creation" : "change";
		jset(o, "event.category", jcats("host"));
		ecs_mac_list(o, "host.mac", r->mac);
		jset_str(o, "host.ip", r->ip);
		snprintf(id, sizeof(id), "%s-%" PRId64, c->sensor, r->event_id);
		jset_str(o, "event.id", id);
		jset(o, "event.sequence", json_integer(r->event_id));
		jset_str(o, "message", r->detail);
		jset_str(o, "spanwatch.event.kind", r->kind);
		break;
	}
	jset(o, "event.type", jcats(type));
	rc = json_dumpf(o, c->f, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	if (rc != 0 || fputc('\n', c->f) == EOF)
		return -1;
	return 0;
}

/* --- CEF ----------------------------------------------------------- */

#define CEF_NAME_MAX	256	/* bytes of an event's detail kept as the CEF name (msg has it all) */

/* The length of s cut to at most max bytes without splitting a UTF-8 sequence. */
static size_t
utf8_cut(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

static int
cef_severity(const struct rec *r)
{
	const char *lvl = r->type == R_ASSET ? r->risk_level :
	    (r->type == R_EVENT && strcmp(r->kind, "risk") == 0) ? r->detail : NULL;

	if (r->type == R_EVENT && strcmp(r->kind, "asset_new") == 0)
		return 3;
	if (r->type == R_EVENT && strcmp(r->kind, "gateway") == 0)
		return 3;
	if (lvl == NULL)
		return 1;
	if (strncmp(lvl, "high", 4) == 0)
		return 8;
	if (strncmp(lvl, "elevated", 8) == 0)
		return 6;
	if (strncmp(lvl, "unknown", 7) == 0)
		return 3;
	return 1;
}

/* " key=value" with the value escaped; nothing when v is NULL or empty. */
static void
cef_kv(struct sbuf *b, const char *key, const char *v)
{
	char *e;

	if (v == NULL || *v == '\0' || (e = export_cef_ext(v, strlen(v))) == NULL)
		return;
	if (b->len > 0)
		sb_puts(b, " ");
	sb_puts(b, key);
	sb_puts(b, "=");
	sb_puts(b, e);
	free(e);
}

/* A custom field and its label, both only when there is a value. */
static void
cef_cs(struct sbuf *b, const char *key, const char *label, const char *v)
{
	char lk[32];

	if (v == NULL || *v == '\0')
		return;
	snprintf(lk, sizeof(lk), "%sLabel", key);
	cef_kv(b, lk, label);
	cef_kv(b, key, v);
}

static void
cef_kn(struct sbuf *b, const char *key, int64_t v)
{
	char n[32];

	snprintf(n, sizeof(n), "%" PRId64, v);
	cef_kv(b, key, n);
}

static char *
join(json_t *arr, const char *sep)
{
	struct sbuf b = { 0 };
	json_t *it;
	size_t i;

	json_array_foreach(arr, i, it) {
		if (i > 0)
			sb_puts(&b, sep);
		sb_puts(&b, json_string_value(it));
	}
	return sb_take(&b);
}

static int
write_cef(struct ctx *c, const struct rec *r)
{
	static const char *const names[] = { "Asset inventory", "Service inventory",
	    "Conversation", "Asset change" };
	struct sbuf x = { 0 };
	char act[64], *sig, *name, *ver, *s;
	const char *action, *label = r->type == R_EVENT ? r->detail : names[r->type];
	int rc;

	cef_kn(&x, "rt", r->ts * 1000);
	cef_kv(&x, "dvchost", c->observer_host);
	cef_kv(&x, "deviceExternalId", c->sensor);
	cef_kv(&x, "cs1Label", "site");
	cef_kv(&x, "cs1", c->site);
	cef_kv(&x, "cat", rtype_names[r->type]);
	cef_kv(&x, "cn1Label", "assetId");
	cef_kn(&x, "cn1", r->asset_id);
	switch (r->type) {
	case R_ASSET:
		cef_kv(&x, "smac", r->mac);
		cef_kv(&x, "src", r->ip);
		cef_kv(&x, "shost", r->hostname);
		cef_cs(&x, "cs2", "vendor", r->vendor);
		cef_cs(&x, "cs3", "model", r->model);
		cef_cs(&x, "cs4", "firmware", r->firmware);
		cef_cs(&x, "cs5", "riskLevel", r->risk_level);
		s = join(r->reasons, "; ");
		cef_cs(&x, "cs6", "riskReasons", s);
		free(s);
		cef_cs(&x, "flexString1", "serial", r->serial);
		cef_cs(&x, "flexString2", "riskAccepted", r->accepted);
		s = join(r->roles, ",");
		cef_kv(&x, "sourceServiceName", s);
		free(s);
		s = join(r->protocols, ",");
		cef_kv(&x, "app", s);
		free(s);
		if (r->os) {
			struct sbuf m = { 0 };

			sb_puts(&m, "os: ");
			sb_puts(&m, r->os);
			s = sb_take(&m);
			cef_kv(&x, "msg", s);
			free(s);
		}
		cef_kn(&x, "start", r->first * 1000);
		cef_kn(&x, "end", r->last * 1000);
		break;
	case R_SERVICE:
		cef_kv(&x, "dmac", r->mac);
		cef_kv(&x, "dst", r->ip);
		cef_kn(&x, "dpt", r->port);
		cef_kv(&x, "proto", r->transport);
		cef_kv(&x, "app", r->protocol);
		cef_kv(&x, "act", r->role);
		cef_kn(&x, "start", r->first * 1000);
		cef_kn(&x, "end", r->last * 1000);
		break;
	case R_CONV:
		cef_kv(&x, "smac", r->mac);
		cef_kv(&x, "src", r->ip);
		cef_kv(&x, "dmac", r->peer_mac);
		cef_kv(&x, "dst", r->peer_ip);
		cef_kn(&x, "dpt", r->port);
		cef_kv(&x, "proto", r->transport);
		cef_kv(&x, "app", r->protocol);
		cef_kn(&x, "cnt", r->packets);
		cef_kn(&x, "out", r->bytes);
		cef_kv(&x, "cn2Label", "peerAssetId");
		cef_kn(&x, "cn2", r->peer_id);
		cef_kn(&x, "start", r->first * 1000);
		cef_kn(&x, "end", r->last * 1000);
		break;
	case R_EVENT:
		cef_kv(&x, "smac", r->mac);
		cef_kv(&x, "src", r->ip);
		cef_kn(&x, "externalId", r->event_id);
		cef_kv(&x, "act", r->kind);
		cef_kv(&x, "msg", r->detail);
		break;
	}
	if ((s = sb_take(&x)) == NULL)
		return -1;
	action = event_action(r, act, sizeof(act));
	sig = export_cef_header(action, strlen(action));
	name = export_cef_header(label ? label : "", label ? utf8_cut(label, CEF_NAME_MAX) : 0);
	ver = export_cef_header(SW_VERSION, strlen(SW_VERSION));
	rc = fprintf(c->f, "CEF:0|spanwatch|spanwatch|%s|%s|%s|%d|%s\n", ver ? ver : "",
	    sig ? sig : "", name ? name : "", cef_severity(r), s) < 0 ? -1 : 0;
	free(sig);
	free(name);
	free(ver);
	free(s);
	return rc;
}

/* --- CSV ----------------------------------------------------------- */

static const char csv_header[] =
    "record_type,sensor,site,timestamp,asset_id,mac,ip,ips,hostname,vendor,oui_vendor,"
    "oui_country,model,firmware,serial,os,device_type,roles,protocols,gateway,vlan,"
    "risk_level,risk_reasons,risk_accepted,transport,port,protocol,role,peer_asset_id,"
    "peer_mac,peer_ip,packets,bytes,first_seen,last_seen,event_id,event_kind,detail\r\n";

static void
csv_s(struct sbuf *b, const char *s, bool first)
{
	char *f = export_csv_field(s, s ? strlen(s) : 0);

	if (!first)
		sb_puts(b, ",");
	if (f)
		sb_puts(b, f);
	free(f);
}

static void
csv_n(struct sbuf *b, int64_t v, bool present)
{
	char n[32];

	snprintf(n, sizeof(n), ",%" PRId64, v);
	sb_puts(b, present ? n : ",");
}

static void
csv_t(struct sbuf *b, int64_t t, bool present)
{
	json_t *j = present ? jtime(t) : NULL;

	csv_s(b, j ? json_string_value(j) : NULL, false);
	json_decref(j);
}

static void
csv_l(struct sbuf *b, json_t *arr)
{
	char *s = arr ? join(arr, ";") : NULL;

	csv_s(b, s, false);
	free(s);
}

static int
write_csv(struct ctx *c, const struct rec *r)
{
	struct sbuf b = { 0 };
	bool a = r->type == R_ASSET, sv = r->type == R_SERVICE, cv = r->type == R_CONV;
	char *s;
	int rc;

	csv_s(&b, rtype_names[r->type], true);
	csv_s(&b, c->sensor, false);
	csv_s(&b, c->site, false);
	csv_t(&b, r->ts, true);
	csv_n(&b, r->asset_id, true);
	csv_s(&b, r->mac, false);
	csv_s(&b, r->ip, false);
	csv_l(&b, r->ips);
	csv_s(&b, r->hostname, false);
	csv_s(&b, r->vendor, false);
	csv_s(&b, r->oui_vendor, false);
	csv_s(&b, r->oui_country, false);
	csv_s(&b, r->model, false);
	csv_s(&b, r->firmware, false);
	csv_s(&b, r->serial, false);
	csv_s(&b, r->os, false);
	csv_s(&b, r->device_type, false);
	csv_l(&b, r->roles);
	csv_l(&b, r->protocols);
	csv_n(&b, r->gateway, a);
	csv_n(&b, r->vlan, a);
	csv_s(&b, r->risk_level, false);
	csv_l(&b, r->reasons);
	csv_s(&b, r->accepted, false);
	csv_s(&b, r->transport, false);
	csv_n(&b, r->port, sv || cv);
	csv_s(&b, r->protocol, false);
	csv_s(&b, r->role, false);
	csv_n(&b, r->peer_id, cv);
	csv_s(&b, r->peer_mac, false);
	csv_s(&b, r->peer_ip, false);
	csv_n(&b, r->packets, cv);
	csv_n(&b, r->bytes, cv);
	csv_t(&b, r->first, a || sv || cv);
	csv_t(&b, r->last, a || sv || cv);
	csv_n(&b, r->event_id, r->type == R_EVENT);
	csv_s(&b, r->kind, false);
	csv_s(&b, r->detail, false);
	sb_puts(&b, "\r\n");
	if ((s = sb_take(&b)) == NULL)
		return -1;
	rc = fputs(s, c->f) == EOF ? -1 : 0;
	free(s);
	return rc;
}

static int
write_rec(struct ctx *c, const struct rec *r)
{
	switch (c->fmt) {
	case EXPORT_ECS:
		return write_ecs(c, r);
	case EXPORT_CEF:
		return write_cef(c, r);
	case EXPORT_CSV:
		return write_csv(c, r);
	}
	return -1;
}

/* --- selection ----------------------------------------------------- */

/*
 * The window of one run: state records whose time is after t_lo (their
 * last_seen, or an asset's evidence/address last_seen), and events with
 * e_lo < id <= e_hi and ts >= ev_ts_lo.  e_hi and the time high-water
 * mark are read first inside the snapshot; nothing later is visible.
 */
struct window {
	int64_t	 t_lo, e_lo, e_hi, ev_ts_lo;
};

static void
set_err(char *err, size_t errsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
set_err(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errsz == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

/* A key that is not an address (a Modbus unit behind a gateway) is no IP. */
#define SQL_KEY_IP(k) "(CASE WHEN " k " GLOB 'modbus-unit:*' THEN NULL ELSE " k " END)"
#define SQL_NEWEST_IP(id) \
	"COALESCE((SELECT ip FROM addresses WHERE asset_id = " id \
	" ORDER BY last_seen DESC, ip LIMIT 1), "

static void
asset_row(struct ctx *c, sqlite3_stmt *q, struct rec *r)
{
	load_asset(c, sqlite3_column_int64(q, 0), r);
	r->ts = r->last;
}

static void
service_row(struct ctx *c, sqlite3_stmt *q, struct rec *r)
{
	(void)c;
	r->asset_id = sqlite3_column_int64(q, 0);
	r->mac = col_clean(q, 1);
	r->ip = col_clean(q, 2);
	r->transport = col_clean(q, 3);
	r->port = sqlite3_column_int64(q, 4);
	r->protocol = col_clean(q, 5);
	r->role = col_clean(q, 6);
	r->first = sqlite3_column_int64(q, 7);
	r->last = r->ts = sqlite3_column_int64(q, 8);
}

static void
conversation_row(struct ctx *c, sqlite3_stmt *q, struct rec *r)
{
	(void)c;
	r->asset_id = sqlite3_column_int64(q, 0);
	r->mac = col_clean(q, 1);
	r->ip = col_clean(q, 2);
	r->peer_id = sqlite3_column_int64(q, 3);
	r->peer_mac = col_clean(q, 4);
	r->peer_ip = col_clean(q, 5);
	r->transport = col_clean(q, 6);
	r->port = sqlite3_column_int64(q, 7);
	r->protocol = col_clean(q, 8);
	r->packets = sqlite3_column_int64(q, 9);
	r->bytes = sqlite3_column_int64(q, 10);
	r->first = sqlite3_column_int64(q, 11);
	r->last = r->ts = sqlite3_column_int64(q, 12);
}

static void
event_row(struct ctx *c, sqlite3_stmt *q, struct rec *r)
{
	(void)c;
	r->event_id = sqlite3_column_int64(q, 0);
	r->ts = sqlite3_column_int64(q, 1);
	r->asset_id = sqlite3_column_int64(q, 2);
	r->kind = col_clean(q, 3);
	r->detail = col_clean(q, 4);
	r->mac = col_clean(q, 5);
	r->ip = col_clean(q, 6);
	if (r->kind == NULL)
		r->kind = strdup("");
}

/*
 * What one run writes, in this order: one query per record type, its
 * window bound by parameter name, each row decoded into a record.
 */
static const struct rec_query {
	enum rtype	 type;
	const char	*sql;
	void		(*row)(struct ctx *c, sqlite3_stmt *q, struct rec *r);
	size_t		 count_at;	/* offset of its counter in struct export_result */
} rec_queries[] = {
	{ R_ASSET, "SELECT a.id FROM assets a WHERE a.last_seen > :t_lo "
	    "OR EXISTS (SELECT 1 FROM evidence e WHERE e.asset_id = a.id AND e.last_seen > :t_lo) "
	    "OR EXISTS (SELECT 1 FROM addresses d WHERE d.asset_id = a.id AND d.last_seen > :t_lo) "
	    "OR EXISTS (SELECT 1 FROM events v WHERE v.asset_id = a.id AND v.id > :e_lo "
	    "  AND v.id <= :e_hi AND v.ts >= :ev_ts_lo) ORDER BY a.id",
	    asset_row, offsetof(struct export_result, assets) },
	{ R_SERVICE, "SELECT s.asset_id, a.mac, " SQL_NEWEST_IP("a.id") SQL_KEY_IP("a.key_ip") "), "
	    "s.transport, s.port, s.protocol, s.role, s.first_seen, s.last_seen "
	    "FROM services s JOIN assets a ON a.id = s.asset_id WHERE s.last_seen > :t_lo "
	    "ORDER BY s.asset_id, s.transport, s.port, s.protocol, s.role",
	    service_row, offsetof(struct export_result, services) },
	{ R_CONV, "SELECT c.client_id, ca.mac, " SQL_NEWEST_IP("ca.id") SQL_KEY_IP("ca.key_ip") "), "
	    "c.server_id, sa.mac, " SQL_NEWEST_IP("sa.id") SQL_KEY_IP("sa.key_ip") "), c.transport, c.port, "
	    "c.protocol, c.packets, c.bytes, c.first_seen, c.last_seen "
	    "FROM conversations c JOIN assets ca ON ca.id = c.client_id "
	    "JOIN assets sa ON sa.id = c.server_id WHERE c.last_seen > :t_lo "
	    "ORDER BY c.client_id, c.server_id, c.transport, c.port, c.protocol",
	    conversation_row, offsetof(struct export_result, conversations) },
	{ R_EVENT, "SELECT v.id, v.ts, v.asset_id, v.kind, v.detail, a.mac, "
	    SQL_NEWEST_IP("a.id") SQL_KEY_IP("a.key_ip") ") FROM events v LEFT JOIN assets a ON a.id = v.asset_id "
	    "WHERE v.id > :e_lo AND v.id <= :e_hi AND v.ts >= :ev_ts_lo ORDER BY v.id",
	    event_row, offsetof(struct export_result, events) },
};

/* Bind those of the window's bounds the query names. */
static void
bind_window(sqlite3_stmt *q, const struct window *w)
{
	const struct {
		const char	*name;
		int64_t		 v;
	} bound[] = {
		{ ":t_lo", w->t_lo }, { ":e_lo", w->e_lo },
		{ ":e_hi", w->e_hi }, { ":ev_ts_lo", w->ev_ts_lo },
	};
	int at;

	for (size_t i = 0; i < sizeof(bound) / sizeof(bound[0]); i++)
		if ((at = sqlite3_bind_parameter_index(q, bound[i].name)) > 0)
			sqlite3_bind_int64(q, at, bound[i].v);
}

static int
export_rows(struct ctx *c, const struct rec_query *rq, const struct window *w)
{
	sqlite3_stmt *q = prep(c, rq->sql);
	uint64_t *count = (uint64_t *)((char *)c->res + rq->count_at);
	int rc = 0, step = SQLITE_DONE;

	if (q == NULL)
		return -1;
	bind_window(q, w);
	while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
		struct rec r = { .type = rq->type };

		rq->row(c, q, &r);
		rc = write_rec(c, &r);
		rec_free(&r);
		(*count)++;
	}
	if (rc == 0 && step != SQLITE_DONE) {
		snprintf(c->errbuf, sizeof(c->errbuf), "%s", sqlite3_errmsg(c->db));
		rc = -1;
	}
	sqlite3_finalize(q);
	return rc;
}

static int64_t
scalar(sqlite3 *db, const char *sql, bool *ok)
{
	sqlite3_stmt *q;
	int64_t v = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
		*ok = false;
		return 0;
	}
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	else
		*ok = false;
	sqlite3_finalize(q);
	return v;
}

/* --- cursor -------------------------------------------------------- */

/* "t=HIGH_WATER_TIME e=LAST_EVENT_ID file=NAME" in meta. */
struct cursor {
	int64_t	 t, e;
	char	 file[256];
	bool	 found;
};

static void
cursor_read(sqlite3 *db, const char *key, struct cursor *cur)
{
	sqlite3_stmt *q;

	memset(cur, 0, sizeof(*cur));
	cur->t = -1;
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?1", -1, &q, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0)) {
		long long t, e;
		char file[256] = "";

		if (sscanf((const char *)sqlite3_column_text(q, 0), "t=%lld e=%lld file=%255s",
		    &t, &e, file) >= 2) {
			cur->t = t;
			cur->e = e;
			snprintf(cur->file, sizeof(cur->file), "%s", file);
			cur->found = true;
		}
	}
	sqlite3_finalize(q);
}

static int
cursor_write(sqlite3 *db, const char *key, const struct cursor *cur, char *err, size_t errsz)
{
	sqlite3_stmt *q;
	char val[400];
	int rc;

	snprintf(val, sizeof(val), "t=%lld e=%lld file=%s", (long long)cur->t, (long long)cur->e,
	    cur->file);
	sqlite3_busy_timeout(db, 10000);
	if (sqlite3_prepare_v2(db, "INSERT INTO meta (key, value) VALUES (?1, ?2) "
	    "ON CONFLICT(key) DO UPDATE SET value = excluded.value", -1, &q, NULL) != SQLITE_OK) {
		set_err(err, errsz, "cannot store the export cursor: %s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, val, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		set_err(err, errsz, "cannot store the export cursor: %s (the export file was "
		    "written; the next run exports the same records again)", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

/* --- files --------------------------------------------------------- */

/*
 * Test hook: SPANWATCH_EXPORT_CRASH=temp|renamed|committed kills the
 * process with SIGKILL at that point (tests/test_export.c).
 */
static void
crash_point(const char *where)
{
	const char *v = getenv(EXPORT_CRASH_ENV);

	if (v && strcmp(v, where) == 0)
		raise(SIGKILL);
}

static int
fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int
mkdir_p(const char *dir)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", dir);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0750) != 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	if (mkdir(p, 0750) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* SHA-256 of a file as 64 hex digits. */
static int
sha256_file(const char *path, char hex[65])
{
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	FILE *f = fopen(path, "rbe");
	size_t n;
	int rc = -1;

	if (m && f && EVP_DigestInit_ex(m, EVP_sha256(), NULL) == 1) {
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			EVP_DigestUpdate(m, buf, n);
		if (!ferror(f) && EVP_DigestFinal_ex(m, md, &mdlen) == 1 && mdlen == 32) {
			for (unsigned i = 0; i < mdlen; i++)
				snprintf(hex + 2 * i, 3, "%02x", md[i]);
			rc = 0;
		}
	}
	if (f)
		fclose(f);
	EVP_MD_CTX_free(m);
	return rc;
}

/* Write DIR/NAME.sha256 ("HEX  NAME\n", as sha256sum) durably. */
static int
write_sha(const char *dir, const char *name, char *err, size_t errsz)
{
	char path[PATH_MAX], tmp[PATH_MAX], hex[65];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (sha256_file(path, hex) != 0) {
		set_err(err, errsz, "%s: cannot read back for SHA-256: %s", path, strerror(errno));
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s/.%s.sha256.tmp", dir, name);
	snprintf(path, sizeof(path), "%s/%s.sha256", dir, name);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) < 0 ||
	    (f = fdopen(fd, "w")) == NULL) {
		set_err(err, errsz, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fprintf(f, "%s  %s\n", hex, name);
	if (fflush(f) != 0 || fsync(fd) != 0) {
		set_err(err, errsz, "%s: %s", tmp, strerror(errno));
		fclose(f);
		unlink(tmp);
		return -1;
	}
	fclose(f);
	if (rename(tmp, path) != 0 || fsync_dir(dir) != 0) {
		set_err(err, errsz, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static bool
has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcmp(s + n - m, suf) == 0;
}

static bool
exists_at(const char *dir, const char *name, const char *suffix)
{
	char p[PATH_MAX];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/%s%s", dir, name, suffix);
	return stat(p, &sb) == 0;
}

static void
unlink_at(const char *dir, const char *name)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	unlink(p);
}

/*
 * Before a run, in DIR for this prefix ("spanwatch-SENSOR-FORMAT-"):
 * finish the commit of the cursor's own file (its .sha256 was not yet
 * written), remove data files that have no .sha256 (written by a run that
 * never committed: their records are exported again now), temporary files
 * of a killed run, and files older than keep_days.
 */
static void
tidy_dir(const char *dir, const char *prefix, const char *ext, const struct cursor *cur,
    int keep_days, int64_t now, struct export_result *res)
{
	char dotprefix[300], path[PATH_MAX], dataext[16], shaext[32], err[256];
	DIR *d;
	struct dirent *de;
	struct stat sb;

	snprintf(dotprefix, sizeof(dotprefix), ".%s", prefix);
	snprintf(dataext, sizeof(dataext), ".%s", ext);
	snprintf(shaext, sizeof(shaext), ".%s.sha256", ext);
	if (cur->found && cur->file[0] && exists_at(dir, cur->file, "") &&
	    !exists_at(dir, cur->file, ".sha256"))
		write_sha(dir, cur->file, err, sizeof(err));
	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		const char *n = de->d_name;

		if (strncmp(n, dotprefix, strlen(dotprefix)) == 0 && has_suffix(n, ".tmp")) {
			unlink_at(dir, n);
			continue;
		}
		if (strncmp(n, prefix, strlen(prefix)) != 0)
			continue;
		if (has_suffix(n, dataext) && !exists_at(dir, n, ".sha256")) {
			unlink_at(dir, n);
			res->orphans++;
			continue;
		}
		if (keep_days <= 0 || (!has_suffix(n, dataext) && !has_suffix(n, shaext)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, n);
		if (stat(path, &sb) == 0 && sb.st_mtime < now - (int64_t)keep_days * 86400) {
			unlink(path);
			if (has_suffix(n, dataext))
				res->pruned++;
		}
	}
	closedir(d);
}

/* --- the run ------------------------------------------------------- */

/* A file-name-safe copy of the sensor name. */
static void
name_safe(const char *s, char *out, size_t outsz)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < outsz; i++)
		out[i] = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_' ? s[i] : '_';
	out[i] = '\0';
}

/* spanwatch-SENSOR-FORMAT-YYYYMMDDTHHMMSSZ.EXT, one second later while taken. */
static void
final_name(const char *dir, const char *prefix, const char *ext, int64_t now, char *out, size_t outsz)
{
	for (int64_t t = now; ; t++) {
		char stamp[32];
		struct tm tm;
		time_t tt = (time_t)t;

		gmtime_r(&tt, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		snprintf(out, outsz, "%s%s.%s", prefix, stamp, ext);
		if (!exists_at(dir, out, "") && !exists_at(dir, out, ".sha256"))
			return;
	}
}

/* The time high-water mark of the snapshot: the newest change of any state record. */
#define SQL_HIGH_WATER \
	"SELECT max(m) FROM (SELECT max(last_seen) AS m FROM assets " \
	"UNION ALL SELECT max(last_seen) FROM evidence UNION ALL SELECT max(last_seen) FROM addresses " \
	"UNION ALL SELECT max(last_seen) FROM services " \
	"UNION ALL SELECT max(last_seen) FROM conversations)"

static int
write_records(struct ctx *c, const struct window *w)
{
	if (c->fmt == EXPORT_CSV && fputs(csv_header, c->f) == EOF)
		return -1;
	if (prepare_asset_queries(c) != 0) {
		finalize_asset_queries(c);
		return -1;
	}
	for (size_t i = 0; i < sizeof(rec_queries) / sizeof(rec_queries[0]); i++)
		if (export_rows(c, &rec_queries[i], w) != 0) {
			finalize_asset_queries(c);
			return -1;
		}
	finalize_asset_queries(c);
	return 0;
}

int
export_run(sqlite3 *db, const struct export_opts *o, char *err, size_t errsz)
{
	return export_run2(db, o, NULL, err, errsz);
}

/* The run proper, with the lock on the (format, dir) held and the snapshot open. */
static int
run_locked(sqlite3 *db, const struct export_opts *o, struct ctx *c, const char *dir,
    const char *prefix, bool own_txn, struct export_result *res, char *err, size_t errsz)
{
	const char *ext = fmt_ext[o->format];
	char key[PATH_MAX + 64], tmp[PATH_MAX], name[512], path[PATH_MAX];
	struct cursor cur, next;
	struct window w = { 0 };
	bool ok = true;
	int64_t now = o->now ? o->now : (int64_t)time(NULL);
	int fd;

	export_cursor_key(o->format, dir, key, sizeof(key));
	cursor_read(db, key, &cur);
	next.t = scalar(db, SQL_HIGH_WATER, &ok);
	next.e = scalar(db, "SELECT COALESCE(max(id), 0) FROM events", &ok);
	if (!ok) {
		set_err(err, errsz, "cannot read the database: %s", sqlite3_errmsg(db));
		return -1;
	}
	tidy_dir(dir, prefix, ext, &cur, o->keep_days, now, res);
	w.e_hi = next.e;
	w.ev_ts_lo = INT64_MIN;
	switch (o->window) {
	case EXPORT_INCREMENTAL:
		w.t_lo = cur.found ? cur.t : INT64_MIN;
		w.e_lo = cur.found ? cur.e : 0;
		break;
	case EXPORT_FULL:
		w.t_lo = INT64_MIN;
		w.e_lo = 0;
		break;
	case EXPORT_SINCE:
		w.t_lo = o->since - 1;
		w.e_lo = 0;
		w.ev_ts_lo = o->since;
		break;
	}
	snprintf(tmp, sizeof(tmp), "%s/.%s%lld.%s.tmp", dir, prefix, (long long)getpid(), ext);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) < 0 ||
	    (c->f = fdopen(fd, "w")) == NULL) {
		set_err(err, errsz, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (write_records(c, &w) != 0 || fflush(c->f) != 0 || fsync(fd) != 0) {
		if (c->errbuf[0])
			set_err(err, errsz, "cannot read the database: %s", c->errbuf);
		else
			set_err(err, errsz, "%s: %s", tmp, strerror(errno));
		fclose(c->f);
		unlink(tmp);
		return -1;
	}
	fclose(c->f);
	c->f = NULL;
	if (own_txn)
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);	/* the snapshot is written */
	if (res->assets + res->services + res->conversations + res->events == 0) {
		unlink(tmp);	/* nothing new: no file, the cursor stays */
		return 0;
	}
	crash_point("temp");
	final_name(dir, prefix, ext, now, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (rename(tmp, path) != 0 || fsync_dir(dir) != 0) {
		set_err(err, errsz, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	crash_point("renamed");
	if (o->window != EXPORT_SINCE) {
		snprintf(next.file, sizeof(next.file), "%s", name);
		if (cursor_write(o->cursor_db ? o->cursor_db : db, key, &next, err, errsz) != 0) {
			unlink(path);	/* not committed: the next run exports it again */
			fsync_dir(dir);
			return -1;
		}
		crash_point("committed");
	}
	if (write_sha(dir, name, err, errsz) != 0)
		return -1;
	snprintf(res->path, sizeof(res->path), "%s", path);
	return 0;
}

int
export_run2(sqlite3 *db, const struct export_opts *o, struct export_result *resp,
    char *err, size_t errsz)
{
	struct export_result res0;
	struct export_result *res = resp ? resp : &res0;
	struct ctx c = { .db = db, .fmt = o->format, .res = res };
	char host[256] = "", sensor[128], dir[PATH_MAX], prefix[300], lock[PATH_MAX + 64];
	const char *odir = o->dir && *o->dir ? o->dir : EXPORT_DEFAULT_DIR;
	bool own_txn = sqlite3_get_autocommit(db) != 0;
	int lockfd, rc;

	memset(res, 0, sizeof(*res));
	if (gethostname(host, sizeof(host) - 1) != 0)
		snprintf(host, sizeof(host), "localhost");
	c.observer_host = export_clean(host, strlen(host));
	c.sensor = o->sensor_name && *o->sensor_name ?
	    export_clean(o->sensor_name, strlen(o->sensor_name)) : strdup(c.observer_host);
	c.site = export_clean(o->site && *o->site ? o->site : EXPORT_DEFAULT_SITE,
	    strlen(o->site && *o->site ? o->site : EXPORT_DEFAULT_SITE));
	rc = -1;
	if (c.observer_host == NULL || c.sensor == NULL || c.site == NULL) {
		set_err(err, errsz, "out of memory");
		goto out;
	}
	if (mkdir_p(odir) != 0 || realpath(odir, dir) == NULL) {
		set_err(err, errsz, "export directory %s: %s", odir, strerror(errno));
		goto out;
	}
	name_safe(c.sensor, sensor, sizeof(sensor));
	snprintf(prefix, sizeof(prefix), "spanwatch-%s-%s-", sensor, fmt_names[o->format]);
	snprintf(lock, sizeof(lock), "%s/.spanwatch-export-%s.lock", dir, fmt_names[o->format]);
	if ((lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) < 0) {
		set_err(err, errsz, "%s: %s", lock, strerror(errno));
		goto out;
	}
	if (flock(lockfd, LOCK_EX | LOCK_NB) != 0) {
		set_err(err, errsz, "another %s export to %s is running", fmt_names[o->format], dir);
		close(lockfd);
		goto out;
	}
	if (own_txn && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		set_err(err, errsz, "cannot begin a read transaction: %s", sqlite3_errmsg(db));
		close(lockfd);
		goto out;
	}
	rc = run_locked(db, o, &c, dir, prefix, own_txn, res, err, errsz);
	if (own_txn && sqlite3_get_autocommit(db) == 0)
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	close(lockfd);
out:
	free(c.observer_host);
	free(c.sensor);
	free(c.site);
	return rc;
}
