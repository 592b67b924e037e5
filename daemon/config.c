/*
 * config.c - read spanwatch.conf with libinih (see config.h).
 *
 * libinih (Debian's libinih-dev) parses the INI syntax; we only map keys.
 * Debian builds it without line numbers in the handler and cuts lines at
 * 200 bytes, so a counting reader tells us the line of a bad key.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "config.h"
#include "sw_limits.h"

enum ktype { K_STR, K_INT, K_BOOL };

struct key {
	const char	*section, *name;
	enum ktype	 type;
	size_t		 off, size;	/* field and, for strings, its size */
	long		 min, max;	/* for integers */
};

#define STR(s, n, f)	{ s, n, K_STR, offsetof(struct config, f), sizeof(((struct config *)0)->f), 0, 0 }
#define INT(s, n, f, lo, hi) { s, n, K_INT, offsetof(struct config, f), 0, lo, hi }
#define BOOL(s, n, f)	{ s, n, K_BOOL, offsetof(struct config, f), 0, 0, 1 }

static const struct key keys[] = {
	STR("capture", "interface", interface),
	STR("capture", "bpf", bpf),
	INT("capture", "buffer_mb", buffer_mb, 1, 4096),
	INT("capture", "snaplen", snaplen, 64, 262144),
	STR("store", "database", database),
	INT("store", "flush_interval_ms", flush_interval_ms, 50, 60000),
	INT("store", "flush_max_obs", flush_max_obs, 16, OBSQ_MAX),
	INT("limits", "flows_max", flows_max, 1024, 16777216),
	STR("daemon", "user", user),
	STR("daemon", "control_socket", control_socket),
	BOOL("ndpi", "enabled", ndpi),
	STR("oui", "dir", oui_dir),
	STR("oui", "override", oui_override),
	STR("risk", "policy", risk_policy),
	STR("risk", "vendors", vendors),
	STR("risk", "local_vendors", local_vendors),
	STR("export", "sensor_name", sensor_name),
	STR("export", "site", site),
	STR("export", "export_at", export_at),
	STR("export", "export_dir", export_dir),
	STR("export", "export_formats", export_formats),
	INT("export", "export_keep_days", export_keep_days, 1, 3650),
	STR("forward", "host", fwd_host),
	INT("forward", "port", fwd_port, 1, 65535),
	BOOL("forward", "tls", fwd_tls),
	STR("forward", "ca_file", fwd_ca_file),
	STR("forward", "cert_file", fwd_cert_file),
	STR("forward", "key_file", fwd_key_file),
	STR("forward", "spool", fwd_spool),
	INT("forward", "spool_max_mb", fwd_spool_max_mb, 1, 65536),
};

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->buffer_mb = 32;
	c->snaplen = 262144;
	snprintf(c->database, sizeof(c->database), "/var/lib/spanwatch/spanwatch.db");
	c->flush_interval_ms = STORE_FLUSH_MS_DEFAULT;
	c->flush_max_obs = STORE_FLUSH_OBS_DEFAULT;
	c->flows_max = FLOW_MAX_DEFAULT;
	snprintf(c->control_socket, sizeof(c->control_socket), "/run/spanwatch/spanwatchd.sock");
	c->ndpi = true;
	snprintf(c->oui_dir, sizeof(c->oui_dir), "/usr/share/ieee-data");
	snprintf(c->oui_override, sizeof(c->oui_override), "/var/lib/spanwatch/oui-override.csv");
	snprintf(c->risk_policy, sizeof(c->risk_policy), SW_SYSCONFDIR "/risk.conf");
	snprintf(c->vendors, sizeof(c->vendors), SW_DATADIR "/vendors.csv");
	snprintf(c->site, sizeof(c->site), "default");
	snprintf(c->export_dir, sizeof(c->export_dir), "/var/lib/spanwatch/exports");
	snprintf(c->export_formats, sizeof(c->export_formats), "ecs");
	c->export_keep_days = 30;
	c->fwd_port = 514;
	snprintf(c->fwd_spool, sizeof(c->fwd_spool), "/var/lib/spanwatch/forward.spool");
	c->fwd_spool_max_mb = 64;
}

struct parse {
	struct config	*c;
	FILE		*fp;
	int		 line;
	char		 err[400];
};

static char *
counting_reader(char *str, int num, void *stream)
{
	struct parse *p = stream;

	p->line++;
	return fgets(str, num, p->fp);
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

static int
set_key(struct parse *p, const struct key *k, const char *value)
{
	char *field = (char *)p->c + k->off, *end;
	long v;

	switch (k->type) {
	case K_STR:
		if (strlen(value) >= k->size) {
			snprintf(p->err, sizeof(p->err), "%s: value longer than %zu bytes", k->name, k->size - 1);
			return 0;
		}
		strcpy(field, value);
		if (field == p->c->database)
			p->c->database_set = true;
		return 1;
	case K_INT:
		errno = 0;
		v = strtol(value, &end, 10);
		if (errno || end == value || *end || v < k->min || v > k->max) {
			snprintf(p->err, sizeof(p->err), "%s: '%s' is not a number from %ld to %ld",
			    k->name, value, k->min, k->max);
			return 0;
		}
		*(int *)(void *)field = (int)v;
		return 1;
	case K_BOOL:
		if (!parse_bool(value, (bool *)(void *)field)) {
			snprintf(p->err, sizeof(p->err), "%s: '%s' is not yes or no", k->name, value);
			return 0;
		}
		return 1;
	}
	return 0;
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
	if (!section_known)
		snprintf(p->err, sizeof(p->err), "unknown section [%s]", section);
	else
		snprintf(p->err, sizeof(p->err), "unknown key '%s' in [%s]", name, section);
	return 0;
}

int
config_load(struct config *c, const char *path, bool required, char *err, size_t errsz)
{
	struct config next = *c;
	struct parse p = { &next, NULL, 0, "" };
	int rc;

	if ((p.fp = fopen(path, "r")) == NULL) {
		if (!required && errno == ENOENT)
			return 0;
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = ini_parse_stream(counting_reader, &p, handler, &p);
	fclose(p.fp);
	if (rc != 0) {
		snprintf(err, errsz, "%s:%d: %s", path, rc, p.err[0] ? p.err : "syntax error (expected [section] or key = value)");
		return -1;
	}
	snprintf(next.path, sizeof(next.path), "%s", path);
	*c = next;
	return 0;
}
