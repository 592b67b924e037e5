/*
 * csv.c - one record as a line of RFC 4180 CSV, one column set for every
 * record type (docs/EXPORT.md has the columns).
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

const char csv_header[] =
    "record_type,sensor,site,timestamp,asset_id,mac,ip,ips,hostname,vendor,oui_vendor,"
    "oui_country,model,firmware,serial,os,device_type,roles,protocols,gateway,vlan,"
    "risk_level,risk_reasons,risk_accepted,transport,port,protocol,role,peer_asset_id,"
    "peer_mac,peer_ip,packets,bytes,first_seen,last_seen,event_id,event_kind,detail,"
    "severity,baseline,operation,outcome,count,client_ip,client_mac,field,old_value,new_value\r\n";

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
	json_t *j = present ? export_jtime(t) : NULL;

	csv_s(b, j ? json_string_value(j) : NULL, false);
	json_decref(j);
}

static void
csv_l(struct sbuf *b, json_t *arr)
{
	char *s = arr ? export_join(arr, ";") : NULL;

	csv_s(b, s, false);
	free(s);
}

int
write_csv(const struct export_ctx *c, const struct export_rec *r)
{
	struct sbuf b = { 0 };
	bool a = r->type == EXPORT_R_ASSET, sv = r->type == EXPORT_R_SERVICE, cv = r->type == EXPORT_R_CONV;
	char *s;
	int rc;

	csv_s(&b, export_rtype_names[r->type], true);
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
	csv_n(&b, r->event_id, r->type == EXPORT_R_EVENT);
	csv_s(&b, r->kind, false);
	csv_s(&b, r->detail, false);
	csv_n(&b, r->severity, r->type == EXPORT_R_EVENT);
	csv_n(&b, r->baseline, r->type == EXPORT_R_EVENT);
	csv_s(&b, r->operation, false);
	csv_s(&b, r->outcome, false);
	csv_n(&b, r->count, r->operation != NULL);
	csv_s(&b, r->client_ip, false);
	csv_s(&b, r->client_mac, false);
	csv_s(&b, r->field, false);
	csv_s(&b, r->old_value, false);
	csv_s(&b, r->new_value, false);
	sb_puts(&b, "\r\n");
	if ((s = sb_take(&b)) == NULL)
		return -1;
	rc = fputs(s, c->f) == EOF ? -1 : 0;
	free(s);
	return rc;
}
