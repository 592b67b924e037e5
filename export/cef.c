/*
 * cef.c - one record as an ArcSight Common Event Format line
 * (docs/EXPORT.md has the fields).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "export.h"
#include "export_int.h"
#include "q_export.h"
#include "sbuf.h"
#include "sw_limits.h"


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
cef_severity(const struct export_rec *r)
{
	const char *lvl = r->type == EXPORT_R_ASSET ? r->risk_level :
	    (r->type == EXPORT_R_EVENT && strcmp(r->kind, "risk") == 0) ? r->detail : NULL;

	/* an event carries its own (configurable) severity; schema-1 risk rows their level */
	if (r->type == EXPORT_R_EVENT && lvl == NULL)
		return (int)(r->severity < 0 ? 0 : r->severity > 10 ? 10 : r->severity);
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

/*
 * An event: an operation's client is the source and its server the
 * destination; a change names the asset as source, with what changed.
 */
static void
cef_event(struct sbuf *x, const struct export_rec *r)
{
	cef_kn(x, "externalId", r->event_id);
	cef_cs(x, "cs2", "eventKind", r->kind);
	cef_cs(x, "cs3", "baseline", r->baseline ? "true" : "false");
	cef_kv(x, "msg", r->detail);
	if (r->operation == NULL) {
		cef_kv(x, "smac", r->mac);
		cef_kv(x, "src", r->ip);
		cef_kv(x, "act", r->kind);
		cef_cs(x, "cs4", "field", r->field);
		cef_cs(x, "cs5", "oldValue", r->old_value);
		cef_cs(x, "cs6", "newValue", r->new_value);
		return;
	}
	cef_kv(x, "smac", r->client_mac);
	cef_kv(x, "src", r->client_ip);
	cef_kv(x, "dmac", r->peer_mac);
	cef_kv(x, "dst", r->peer_ip);
	cef_kv(x, "app", r->protocol);
	cef_kv(x, "act", r->operation);
	cef_kv(x, "outcome", r->outcome);
	cef_kn(x, "cnt", r->count);
	cef_kv(x, "cn2Label", "responses");
	cef_kn(x, "cn2", r->responses);
	cef_kv(x, "cn3Label", "failed");
	cef_kn(x, "cn3", r->failed);
	cef_kn(x, "start", r->first * 1000);
	cef_kn(x, "end", r->last * 1000);
}

int
write_cef(const struct export_ctx *c, const struct export_rec *r)
{
	static const char *const names[] = { "Asset inventory", "Service inventory",
	    "Conversation", "Asset change" };
	struct sbuf x = { 0 };
	char act[64], *sig, *name, *ver, *s;
	const char *action, *label = r->type == EXPORT_R_EVENT ? r->detail : names[r->type];
	int rc;

	cef_kn(&x, "rt", r->ts * 1000);
	cef_kv(&x, "dvchost", c->observer_host);
	cef_kv(&x, "deviceExternalId", c->sensor);
	cef_kv(&x, "cs1Label", "site");
	cef_kv(&x, "cs1", c->site);
	cef_kv(&x, "cat", export_rtype_names[r->type]);
	cef_kv(&x, "cn1Label", "assetId");
	cef_kn(&x, "cn1", r->asset_id);
	switch (r->type) {
	case EXPORT_R_ASSET:
		cef_kv(&x, "smac", r->mac);
		cef_kv(&x, "src", r->ip);
		cef_kv(&x, "shost", r->hostname);
		cef_cs(&x, "cs2", "vendor", r->vendor);
		cef_cs(&x, "cs3", "model", r->model);
		cef_cs(&x, "cs4", "firmware", r->firmware);
		cef_cs(&x, "cs5", "riskLevel", r->risk_level);
		s = export_join(r->reasons, "; ");
		cef_cs(&x, "cs6", "riskReasons", s);
		free(s);
		cef_cs(&x, "flexString1", "serial", r->serial);
		cef_cs(&x, "flexString2", "riskAccepted", r->accepted);
		s = export_join(r->roles, ",");
		cef_kv(&x, "sourceServiceName", s);
		free(s);
		s = export_join(r->protocols, ",");
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
	case EXPORT_R_SERVICE:
		cef_kv(&x, "dmac", r->mac);
		cef_kv(&x, "dst", r->ip);
		cef_kn(&x, "dpt", r->port);
		cef_kv(&x, "proto", r->transport);
		cef_kv(&x, "app", r->protocol);
		cef_kv(&x, "act", r->role);
		cef_kn(&x, "start", r->first * 1000);
		cef_kn(&x, "end", r->last * 1000);
		break;
	case EXPORT_R_CONV:
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
	case EXPORT_R_EVENT:
		cef_event(&x, r);
		break;
	}
	if ((s = sb_take(&x)) == NULL)
		return -1;
	action = export_event_action(r, act, sizeof(act));
	sig = export_cef_header(action, strlen(action));
	name = export_cef_header(label ? label : "", label ? utf8_cut(label, CEF_NAME_MAX) : 0);
	ver = export_cef_header(SW_VERSION, strlen(SW_VERSION));
	rc = fprintf(c->f[r->type], "CEF:0|spanwatch|spanwatch|%s|%s|%s|%d|%s\n", ver ? ver : "",
	    sig ? sig : "", name ? name : "", cef_severity(r), s) < 0 ? -1 : 0;
	free(sig);
	free(name);
	free(ver);
	free(s);
	return rc;
}
