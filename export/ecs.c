/*
 * ecs.c - one record as a line of Elastic Common Schema NDJSON
 * (docs/EXPORT.md has the fields).
 */
#include <ctype.h>
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

json_t *
export_jtime(int64_t t)
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

/* ECS host.ip is an array: always write one, also for a single address. */
static void
jset_ip_list(json_t *o, const char *path, const char *ip)
{
	if (ip && *ip)
		jset(o, path, json_pack("[s]", ip));
}

/* ECS network.protocol: "the name in lowercase". */
static void
jset_lower(json_t *o, const char *path, const char *s)
{
	char buf[64];
	size_t i;

	if (s == NULL || *s == '\0')
		return;
	for (i = 0; s[i] && i + 1 < sizeof(buf); i++)
		buf[i] = (char)tolower((unsigned char)s[i]);
	buf[i] = '\0';
	jset_str(o, path, buf);
}

static void
ecs_asset_host(json_t *o, const struct export_rec *r, const char *sensor)
{
	ecs_mac_list(o, "host.mac", r->mac);
	if (r->ips && json_array_size(r->ips) > 0)
		jset_list(o, "host.ip", r->ips);
	else
		jset_ip_list(o, "host.ip", r->ip);
	jset_str(o, "host.hostname", r->hostname);
	jset_str(o, "host.name", r->hostname ? r->hostname : r->ip);
	jset_str(o, "host.os.name", r->os);
	jset_str(o, "host.os.full", r->os);
	/* ECS host.type: what kind of host; the device category, not a protocol's code */
	jset_str(o, "host.type", r->category);
	jset(o, "host.id", json_sprintf("%s/%" PRId64, sensor, r->asset_id));
}

/* related.ip: each address once. */
static void
related_ip(json_t *o, const char *ip)
{
	json_t *arr, *v;
	size_t i;

	if (ip == NULL || *ip == '\0' || strchr(ip, ' '))
		return;
	if ((arr = json_object_get(json_object_get(o, "related"), "ip")) == NULL) {
		arr = json_array();
		jset(o, "related.ip", arr);
	}
	json_array_foreach(arr, i, v)
		if (strcmp(json_string_value(v), ip) == 0)
			return;
	json_array_append_new(arr, json_string(ip));
}

/* related.hosts: each name once. */
static void
related_host(json_t *o, const char *name)
{
	json_t *arr, *v;
	size_t i;

	if (name == NULL || name[0] == '\0')
		return;
	if ((arr = json_object_get(json_object_get(o, "related"), "hosts")) == NULL) {
		arr = json_array();
		jset(o, "related.hosts", arr);
	}
	json_array_foreach(arr, i, v)
		if (strcmp(json_string_value(v), name) == 0)
			return;
	json_array_append_new(arr, json_string(name));
}

/*
 * A flow with an Internet endpoint: the asset as source and the endpoint
 * as destination (the other way round for a probe from outside), the
 * endpoint's country and AS (geo, as) and the names it went by
 * (destination.domain, related.hosts).
 */
static void
ecs_endpoint_conv(json_t *o, const struct export_rec *r)
{
	const char *local = r->inbound ? "destination" : "source";
	const char *ext = r->inbound ? "source" : "destination";
	char k[64];
	size_t i;
	json_t *n;

	snprintf(k, sizeof(k), "%s.mac", local);
	ecs_mac_list(o, k, r->mac);
	snprintf(k, sizeof(k), "%s.ip", local);
	jset_str(o, k, r->ip);
	snprintf(k, sizeof(k), "%s.ip", ext);
	jset_str(o, k, r->peer_ip);
	jset(o, "destination.port", json_integer(r->port));
	snprintf(k, sizeof(k), "%s.geo.country_iso_code", ext);
	jset_str(o, k, r->ext_country);
	if (r->ext_asn) {
		snprintf(k, sizeof(k), "%s.as.number", ext);
		jset(o, k, json_integer(r->ext_asn));
	}
	snprintf(k, sizeof(k), "%s.as.organization.name", ext);
	jset_str(o, k, r->ext_as_name);
	jset_str(o, "spanwatch.endpoint.owner", r->ext_owner);
	jset_str(o, "network.direction", r->inbound ? "inbound" : "outbound");
	if (!r->inbound && json_array_size(r->ext_names))
		jset_str(o, "destination.domain", json_string_value(json_array_get(r->ext_names, 0)));
	json_array_foreach(r->ext_names, i, n)
		related_host(o, json_string_value(n));
	related_ip(o, r->ip);
	related_ip(o, r->peer_ip);
	jset_str(o, "network.transport", r->transport);
	jset_str(o, "network.protocol", r->protocol);
	jset(o, "network.packets", json_integer(r->packets));
	jset(o, "network.bytes", json_integer(r->bytes));
	jset(o, "event.start", export_jtime(r->first));
	jset(o, "event.end", export_jtime(r->last));
}

/*
 * An event: the asset as host, an operation's client as source and its
 * server as destination, every address involved in related.ip.
 */
static void
ecs_event(json_t *o, const struct export_rec *r, const char *sensor)
{
	char id[160];

	jset(o, "event.category", export_event_categories(r, false));
	jset(o, "event.type", export_event_categories(r, true));
	jset(o, "event.severity", json_integer(r->severity));
	ecs_mac_list(o, "host.mac", r->mac);
	jset_ip_list(o, "host.ip", r->ip);
	snprintf(id, sizeof(id), "%s-%" PRId64, sensor, r->event_id);
	jset_str(o, "event.id", id);
	jset(o, "event.sequence", json_integer(r->event_id));
	jset_str(o, "message", r->detail);
	jset_str(o, "spanwatch.event.kind", r->kind);
	jset(o, "spanwatch.event.baseline", json_boolean(r->baseline));
	related_ip(o, r->ip);
	if (r->operation) {
		jset(o, "event.start", export_jtime(r->first));
		jset(o, "event.end", export_jtime(r->last));
		jset_str(o, "event.outcome", r->outcome);
		ecs_mac_list(o, "source.mac", r->client_mac);
		jset_str(o, "source.ip", r->client_ip);
		ecs_mac_list(o, "destination.mac", r->peer_mac);
		jset_str(o, "destination.ip", r->peer_ip);
		jset_str(o, "network.protocol", r->protocol);
		related_ip(o, r->client_ip);
		related_ip(o, r->peer_ip);
		jset_str(o, "spanwatch.operation.kind", r->operation);
		jset_str(o, "spanwatch.operation.protocol", r->protocol);
		jset(o, "spanwatch.operation.count", json_integer(r->count));
		jset(o, "spanwatch.operation.responses", json_integer(r->responses));
		jset(o, "spanwatch.operation.failed", json_integer(r->failed));
		jset_str(o, "spanwatch.operation.detail", r->detail);
		if (r->client_id)
			jset(o, "spanwatch.client.id", json_integer(r->client_id));
		if (r->peer_id)
			jset(o, "spanwatch.server.id", json_integer(r->peer_id));
		return;
	}
	jset_str(o, "spanwatch.event.field", r->field);
	jset_str(o, "spanwatch.event.old", r->old_value);
	jset_str(o, "spanwatch.event.new", r->new_value);
	if (r->field && strcmp(r->field, "ip") == 0) {
		related_ip(o, r->old_value);
		related_ip(o, r->new_value);
	}
}

int
write_ecs(const struct export_ctx *c, const struct export_rec *r)
{
	json_t *o = json_object();
	char act[64], id[160];
	const char *action = export_event_action(r, act, sizeof(act));
	const char *type = "info";
	int rc;

	jset(o, "@timestamp", export_jtime(r->ts));
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
	/* an inventory record is an asset document (ECS 8.8+ event.kind asset) */
	jset_str(o, "event.kind", r->type == EXPORT_R_EVENT ? export_event_kind(r) :
	    r->type == EXPORT_R_ASSET ? "asset" : "state");
	jset_str(o, "event.module", "spanwatch");
	jset_str(o, "event.action", action);
	snprintf(id, sizeof(id), "spanwatch.%ss", export_rtype_names[r->type]);
	jset_str(o, "event.dataset", id);
	jset(o, "spanwatch.asset.id", json_integer(r->asset_id));
	switch (r->type) {
	case EXPORT_R_ASSET:
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
		jset_str(o, "spanwatch.asset.category", r->category);
		jset_str(o, "spanwatch.asset.category_reason", r->category_reason);
		jset_str(o, "spanwatch.asset.name", r->ann_name);
		jset_str(o, "spanwatch.asset.zone", r->ann_zone);
		jset_str(o, "spanwatch.asset.criticality", r->ann_crit);
		jset_str(o, "spanwatch.asset.note", r->ann_note);
		jset_list(o, "spanwatch.asset.roles", r->roles);
		jset_list(o, "spanwatch.asset.protocols", r->protocols);
		jset(o, "spanwatch.asset.gateway", json_boolean(r->gateway));
		jset(o, "spanwatch.asset.vlan", json_integer(r->vlan));
		jset(o, "spanwatch.asset.first_seen", export_jtime(r->first));
		jset(o, "spanwatch.asset.last_seen", export_jtime(r->last));
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
	case EXPORT_R_SERVICE:
		jset(o, "event.category", jcats("network"));
		ecs_mac_list(o, "host.mac", r->mac);
		jset_ip_list(o, "host.ip", r->ip);
		ecs_mac_list(o, "server.mac", r->mac);
		jset_str(o, "server.ip", r->ip);
		jset(o, "server.port", json_integer(r->port));
		jset_str(o, "network.transport", r->transport);
		jset_lower(o, "network.protocol", r->protocol);
		jset_str(o, "spanwatch.service.role", r->role);
		jset(o, "event.start", export_jtime(r->first));
		jset(o, "event.end", export_jtime(r->last));
		break;
	case EXPORT_R_CONV:
		type = "connection";
		jset(o, "event.category", jcats("network"));
		if (r->external) {
			ecs_endpoint_conv(o, r);
			break;
		}
		ecs_mac_list(o, "source.mac", r->mac);
		jset_str(o, "source.ip", r->ip);
		ecs_mac_list(o, "destination.mac", r->peer_mac);
		jset_str(o, "destination.ip", r->peer_ip);
		jset(o, "destination.port", json_integer(r->port));
		jset(o, "spanwatch.peer.id", json_integer(r->peer_id));
		jset_str(o, "network.transport", r->transport);
		jset_lower(o, "network.protocol", r->protocol);
		jset(o, "network.packets", json_integer(r->packets));
		jset(o, "network.bytes", json_integer(r->bytes));
		jset(o, "event.start", export_jtime(r->first));
		jset(o, "event.end", export_jtime(r->last));
		break;
	case EXPORT_R_EVENT:
		type = NULL;
		ecs_event(o, r, c->sensor);
		break;
	}
	if (type)
		jset(o, "event.type", jcats(type));
	rc = json_dumpf(o, c->f[r->type], JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	if (rc != 0 || fputc('\n', c->f[r->type]) == EOF)
		return -1;
	return 0;
}
