/*
 * config.c - read spanwatch.conf with libinih (see config.h).
 *
 * libinih (Debian's libinih-dev) parses the INI syntax; we only map keys.
 * Debian builds it without line numbers in the handler, so a counting
 * reader tells us the line of a bad key; it also refuses lines longer
 * than inih's buffer rather than let inih split them in two.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "config.h"
#include "sw_limits.h"
#include "paths.h"

#define LINE_MAX_INI	(INI_MAX_LINE - 2)	/* room for the newline and the NUL */

enum ktype { K_STR, K_INT, K_BOOL, K_ENUM, K_SIZE };

struct key {
	const char	*section, *name;
	enum ktype	 type;
	size_t		 off, size;	/* field and, for strings, its size */
	long		 min, max;	/* for integers */
	const char	*words;		/* for enums: "a|b|c", stored as 0, 1, 2 */
};

#define FIELD(f)	offsetof(struct config, f), sizeof(((struct config *)0)->f)
#define STR(s, n, f)	{ s, n, K_STR, FIELD(f), 0, 0, NULL }
#define INT(s, n, f, lo, hi) { s, n, K_INT, FIELD(f), lo, hi, NULL }
#define BOOL(s, n, f)	{ s, n, K_BOOL, FIELD(f), 0, 1, NULL }
#define ENUM(s, n, f, w) { s, n, K_ENUM, FIELD(f), 0, 0, w }
#define SIZE(s, n, f)	{ s, n, K_SIZE, FIELD(f), 0, 0, NULL }

static const struct key keys[] = {
	STR("capture", "interface", interface),
	STR("capture", "bpf", bpf),
	INT("capture", "buffer_mb", buffer_mb, 1, 4096),
	INT("capture", "snaplen", snaplen, 64, 262144),
	INT("capture", "workers", workers, 1, WORKERS_MAX),
	STR("store", "database", database),
	INT("store", "flush_interval_ms", flush_interval_ms, 50, 60000),
	INT("store", "flush_max_obs", flush_max_obs, 16, STORE_FLUSH_OBS_MAX),
	INT("store", "max_db_mb", max_db_mb, 0, 1048576),
	INT("store", "event_keep_days", event_keep_days, 0, 36500),
	INT("store", "new_assets_burst", new_assets_burst, 1, 1000000),
	INT("store", "new_assets_per_min", new_assets_per_min, 0, 1000000),
	INT("store", "first_start_burst", first_start_burst, 0, 1000000),
	INT("limits", "flows_max", flows_max, 1024, 16777216),
	STR("daemon", "user", user),
	STR("daemon", "control_socket", control_socket),
	ENUM("daemon", "log_level", log_level, "info|verbose|debug"),
	SIZE("daemon", "memory_max", memory_max),
	BOOL("ndpi", "enabled", ndpi),
	STR("oui", "dir", oui_dir),
	STR("oui", "override", oui_override),
	STR("risk", "policy", risk_policy),
	STR("risk", "vendors", vendors),
	STR("risk", "local_vendors", local_vendors),
	STR("risk", "services", services),
	STR("risk", "local_services", local_services),
	STR("site", "networks", site_networks),
	STR("site", "location_db", location_db),
	STR("export", "sensor_name", sensor_name),
	STR("export", "site", site),
	STR("export", "export_at", export_at),
	STR("export", "export_dir", export_dir),
	STR("export", "export_formats", export_formats),
	INT("export", "export_keep_days", export_keep_days, 1, 3650),
	INT("export", "export_retry_s", export_retry_s, 10, EXPORT_RETRY_MAX_S),
	STR("forward", "host", fwd_host),
	INT("forward", "port", fwd_port, 1, 65535),
	BOOL("forward", "tls", fwd_tls),
	STR("forward", "ca_file", fwd_ca_file),
	STR("forward", "cert_file", fwd_cert_file),
	STR("forward", "key_file", fwd_key_file),
	STR("forward", "spool", fwd_spool),
	INT("forward", "spool_max_mb", fwd_spool_max_mb, 1, 65536),
	INT("events", "learning_hours", events_learning_h, 0, 87600),
	INT("events", "silent_hours", events_silent_h, 0, 87600),
	STR("events", "severity", events_severity),
};

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->buffer_mb = 32;
	c->snaplen = 262144;
	snprintf(c->database, sizeof(c->database), PATH_DB);
	c->flush_interval_ms = STORE_FLUSH_MS_DEFAULT;
	c->flush_max_obs = STORE_FLUSH_OBS_DEFAULT;
	c->max_db_mb = STORE_MAX_DB_MB_DEFAULT;
	c->event_keep_days = STORE_EVENT_KEEP_DAYS_DEFAULT;
	c->new_assets_burst = FLOOD_BURST_DEFAULT;
	c->new_assets_per_min = FLOOD_RATE_DEFAULT;
	c->first_start_burst = FLOOD_FIRST_START_BURST;
	c->flows_max = FLOW_MAX_DEFAULT;
	c->workers = 1;
	snprintf(c->control_socket, sizeof(c->control_socket), PATH_CONTROL_SOCKET);
	snprintf(c->memory_max, sizeof(c->memory_max), "1G");
	c->ndpi = true;
	snprintf(c->oui_dir, sizeof(c->oui_dir), "%s", PATH_OUI_DIR);
	snprintf(c->oui_override, sizeof(c->oui_override), PATH_OUI_OVERRIDE);
	snprintf(c->risk_policy, sizeof(c->risk_policy), PATH_RISK_POLICY);
	snprintf(c->vendors, sizeof(c->vendors), PATH_VENDORS);
	snprintf(c->services, sizeof(c->services), PATH_SERVICES);
	snprintf(c->site, sizeof(c->site), "default");
	snprintf(c->export_at, sizeof(c->export_at), "02:30");	/* nightly, on out of the box */
	snprintf(c->export_dir, sizeof(c->export_dir), PATH_EXPORT_DIR);
	snprintf(c->export_formats, sizeof(c->export_formats), "ecs");
	c->export_keep_days = 30;
	c->export_retry_s = EXPORT_RETRY_MIN_S;
	c->fwd_port = 514;
	snprintf(c->fwd_spool, sizeof(c->fwd_spool), PATH_FWD_SPOOL);
	c->fwd_spool_max_mb = 64;
	c->events_learning_h = 7 * 24;
}

struct parse {
	struct config	*c;
	FILE		*fp;
	int		 line;		/* lines read so far: the current one */
	int		 err_line;	/* line of the first error we found, 0 if none */
	char		 err[400];
};

static void
parse_error(struct parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Keep the first error only: inih goes on reading after one. */
static void
parse_error(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err_line != 0)
		return;
	p->err_line = p->line;
	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
}

/* fgets for inih that counts lines and refuses one too long for inih. */
static char *
counting_reader(char *str, int num, void *stream)
{
	struct parse *p = stream;
	size_t len;
	int ch;

	if (fgets(str, num, p->fp) == NULL)
		return NULL;
	p->line++;
	len = strlen(str);
	if (len > 0 && str[len - 1] != '\n' && !feof(p->fp)) {
		while ((ch = fgetc(p->fp)) != EOF && ch != '\n')
			;
		parse_error(p, "line longer than %d characters", LINE_MAX_INI);
		str[0] = '\0';		/* parse it as an empty line */
	}
	return str;
}

static bool
parse_bool(const char *v, bool *out)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "on"))
		*out = true;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "off"))
		*out = false;
	else
		return false;
	return true;
}

/*
 * A memory size as packaging/systemd/spanwatch-generator passes it to
 * systemd's MemoryMax=: "infinity", or at most 12 digits with an optional
 * K, M, G or T suffix (powers of 1024), from 64M up to 2^63 - 1 bytes.
 * Both must accept the same values, so the unit never sees one we refuse.
 */
static bool
parse_size(const char *v)
{
	unsigned long long num = 0, mult = 1;
	size_t digits = strspn(v, "0123456789");

	if (strcmp(v, "infinity") == 0)
		return true;
	if (digits == 0 || digits > 12)
		return false;
	switch (v[digits]) {
	case '\0':	break;
	case 'K':	mult = 1ULL << 10; break;
	case 'M':	mult = 1ULL << 20; break;
	case 'G':	mult = 1ULL << 30; break;
	case 'T':	mult = 1ULL << 40; break;
	default:	return false;
	}
	if (v[digits] != '\0' && v[digits + 1] != '\0')
		return false;
	for (size_t i = 0; i < digits; i++)
		num = num * 10 + (unsigned long long)(v[i] - '0');
	return num <= (unsigned long long)INT64_MAX / mult && num * mult >= MEMORY_MAX_MIN;
}

/* Index of word v in "a|b|c", or -1. */
static int
word_index(const char *words, const char *v)
{
	size_t vlen = strlen(v);
	int i = 0;

	for (const char *w = words; *w; i++) {
		size_t wlen = strcspn(w, "|");

		if (wlen == vlen && strncasecmp(w, v, vlen) == 0)
			return i;
		w += wlen;
		if (*w == '|')
			w++;
	}
	return -1;
}

static bool
set_key(struct parse *p, const struct key *k, const char *value)
{
	char *field = (char *)p->c + k->off, *end;
	long v;
	int w;

	switch (k->type) {
	case K_SIZE:
		if (!parse_size(value)) {
			parse_error(p, "%s: '%s' is not a size of at least 64M (e.g. 512M, 2G or infinity)",
			    k->name, value);
			return false;
		}
		/* FALLTHROUGH */
	case K_STR:
		if (strlen(value) >= k->size) {
			parse_error(p, "%s: value longer than %zu characters", k->name, k->size - 1);
			return false;
		}
		memcpy(field, value, strlen(value) + 1);
		if (field == p->c->database)
			p->c->database_set = true;
		if (field == p->c->control_socket)
			p->c->control_socket_set = true;
		return true;
	case K_INT:
		errno = 0;
		v = strtol(value, &end, 10);
		if (end == value || *end) {
			parse_error(p, "%s: '%s' is not a number (%ld..%ld)", k->name, value,
			    k->min, k->max);
			return false;
		}
		if (errno == ERANGE || v < k->min || v > k->max) {
			parse_error(p, "%s: %s is out of range (%ld..%ld)", k->name, value,
			    k->min, k->max);
			return false;
		}
		*(int *)(void *)field = (int)v;
		return true;
	case K_BOOL:
		if (!parse_bool(value, (bool *)(void *)field)) {
			parse_error(p, "%s: '%s' is not yes or no", k->name, value);
			return false;
		}
		return true;
	case K_ENUM:
		if ((w = word_index(k->words, value)) < 0) {
			parse_error(p, "%s: '%s' is not one of %s", k->name, value, k->words);
			return false;
		}
		*(int *)(void *)field = w;
		return true;
	}
	return false;
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	bool section_known = false;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(keys[i].section, section) != 0)
			continue;
		section_known = true;
		if (strcmp(keys[i].name, name) == 0)
			return set_key(p, &keys[i], value);
	}
	if (!section_known && section[0] == '\0')
		parse_error(p, "'%s' is outside any section: put it under [section]", name);
	else if (!section_known)
		parse_error(p, "unknown section [%s]", section);
	else
		parse_error(p, "unknown key '%s' in [%s]", name, section);
	return 0;
}

int
config_load(struct config *c, const char *path, bool required, char *err, size_t errsz)
{
	struct config next = *c;
	struct parse p = { &next, NULL, 0, 0, "" };
	int rc;

	if ((p.fp = fopen(path, "r")) == NULL) {
		if (!required && errno == ENOENT)
			return 0;
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = ini_parse_stream(counting_reader, &p, handler, &p);
	if (ferror(p.fp)) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		fclose(p.fp);
		return -1;
	}
	fclose(p.fp);
	/* inih returns the first line it could not parse, or one a handler refused. */
	if (p.err_line != 0 && (rc <= 0 || p.err_line <= rc)) {
		snprintf(err, errsz, "%s:%d: %s", path, p.err_line, p.err);
		return -1;
	}
	if (rc > 0) {
		snprintf(err, errsz, "%s:%d: syntax error (expected [section], key = value or a comment)",
		    path, rc);
		return -1;
	}
	if (rc < 0) {
		snprintf(err, errsz, "%s: out of memory", path);
		return -1;
	}
	if (next.export_at[0] && (strlen(next.export_at) != 5 || next.export_at[2] != ':' ||
	    atoi(next.export_at) > 23 || atoi(next.export_at + 3) > 59)) {
		snprintf(err, errsz, "%s: [export] export_at: '%s' is not a time HH:MM", path, next.export_at);
		return -1;
	}
	snprintf(next.path, sizeof(next.path), "%s", path);
	*c = next;
	return 0;
}

static void
key_text(const struct config *c, const struct key *k, char *buf, size_t bufsz)
{
	const char *field = (const char *)c + k->off;
	int v;

	switch (k->type) {
	case K_STR:
	case K_SIZE:
		snprintf(buf, bufsz, "'%s'", field);
		break;
	case K_INT:
		memcpy(&v, field, sizeof(v));
		snprintf(buf, bufsz, "%d", v);
		break;
	case K_BOOL:
		snprintf(buf, bufsz, "%s", *(const bool *)(const void *)field ? "yes" : "no");
		break;
	case K_ENUM: {
		const char *w = k->words;

		memcpy(&v, field, sizeof(v));
		for (; v > 0 && strchr(w, '|') != NULL; v--)
			w = strchr(w, '|') + 1;
		snprintf(buf, bufsz, "%.*s", (int)strcspn(w, "|"), w);
		break;
	}
	}
}

int
config_diff(const struct config *a, const struct config *b, config_diff_cb cb, void *arg)
{
	char name[96], was[CFG_STR + 4], now[CFG_STR + 4];
	int n = 0;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct key *k = &keys[i];
		const char *fa = (const char *)a + k->off, *fb = (const char *)b + k->off;
		bool same = k->type == K_STR || k->type == K_SIZE ? strcmp(fa, fb) == 0 :
		    memcmp(fa, fb, k->size) == 0;

		if (same)
			continue;
		n++;
		if (cb == NULL)
			continue;
		snprintf(name, sizeof(name), "%s.%s", k->section, k->name);
		key_text(a, k, was, sizeof(was));
		key_text(b, k, now, sizeof(now));
		cb(arg, name, was, now);
	}
	return n;
}

const char *const config_restart_keys[] = {
	"capture.", "store.database", "limits.", "daemon.user", "daemon.control_socket",
	"daemon.memory_max", "ndpi.", "forward.", NULL
};

bool
config_needs_restart(const char *key)
{
	for (int i = 0; config_restart_keys[i]; i++)
		if (strncmp(key, config_restart_keys[i], strlen(config_restart_keys[i])) == 0 &&
		    (config_restart_keys[i][strlen(config_restart_keys[i]) - 1] == '.' ||
		    key[strlen(config_restart_keys[i])] == '\0'))
			return true;
	return false;
}

void
config_keep_restart_keys(struct config *next, const struct config *run)
{
	char name[96];

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(name, sizeof(name), "%s.%s", keys[i].section, keys[i].name);
		if (config_needs_restart(name))
			memcpy((char *)next + keys[i].off, (const char *)run + keys[i].off, keys[i].size);
	}
	/* whether the file set them (a command-line value wins otherwise) */
	next->database_set = run->database_set;
	next->control_socket_set = run->control_socket_set;
}
