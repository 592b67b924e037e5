/*
 * assess.c - store the risk verdict of assets (ident/risk.c decides it).
 *
 * Called inside the ingest transaction for the assets a batch touched, and
 * for every asset when the policy or the tables change.  A verdict that
 * becomes high or elevated raises a "risk" event, so the nightly export and
 * the syslog forwarder carry it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "risk.h"
#include "endpoints.h"
#include "store_int.h"

#define ASSESS_MAX_EVIDENCE	64

static char *
reasons_json(const struct risk_result *r)
{
	json_t *a = json_array();
	char *s;

	for (size_t i = 0; i < r->nreasons; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s}",
		    "text", r->reasons[i].text, "source", r->reasons[i].source,
		    "value", r->reasons[i].value, "rule", r->reasons[i].rule));
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s;
}

static int
previous_level(struct store *s, int64_t id, char *out, size_t outsz)
{
	sqlite3_stmt *q = st_get(s, S_RISK_GET);

	out[0] = '\0';
	sqlite3_bind_int64(q, 1, id);
	if (sqlite3_step(q) == SQLITE_ROW)
		snprintf(out, outsz, "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_reset(q);
	return 0;
}

static int
put(struct store *s, int64_t id, const struct risk_result *r, long long now)
{
	sqlite3_stmt *q = st_get(s, S_RISK_PUT);
	char *reasons = reasons_json(r);
	int rc;

	if (reasons == NULL)
		return -1;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, risk_level_name(r->level), -1, SQLITE_STATIC);
	if (r->vendor[0])
		sqlite3_bind_text(q, 3, r->vendor, -1, SQLITE_TRANSIENT);
	if (r->country[0])
		sqlite3_bind_text(q, 4, r->country, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 5, reasons, -1, SQLITE_TRANSIENT);
	if (r->accepted)
		sqlite3_bind_text(q, 6, r->accepted_text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 7, now);
	rc = st_step(s, S_RISK_PUT);
	free(reasons);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The asset's MAC and first IP, for operator acceptances keyed by address. */
static void
asset_addresses(struct store *s, int64_t id, char *mac, size_t macsz, char *ip, size_t ipsz)
{
	sqlite3_stmt *q = st_get(s, S_ASSET_ADDRS);

	mac[0] = ip[0] = '\0';
	sqlite3_bind_int64(q, 1, id);
	if (sqlite3_step(q) == SQLITE_ROW) {
		snprintf(mac, macsz, "%s", (const char *)sqlite3_column_text(q, 0));
		snprintf(ip, ipsz, "%s", (const char *)sqlite3_column_text(q, 1));
	}
	sqlite3_reset(q);
}

static bool
alarming(enum risk_level l)
{
	return l == RISK_HIGH || l == RISK_ELEVATED;
}

static bool
was_alarming(const char *level)
{
	enum risk_level l;

	return level[0] && risk_level_parse(level, &l) && alarming(l);
}

int
assess_asset(struct store *s, int64_t id, long long now)
{
	char attr[ASSESS_MAX_EVIDENCE][24], val[ASSESS_MAX_EVIDENCE][256], src[ASSESS_MAX_EVIDENCE][64];
	struct risk_evidence ev[ASSESS_MAX_EVIDENCE];
	struct risk_result r;
	char before[16], mac[32], ip[64], detail[900];
	sqlite3_stmt *q = st_get(s, S_RISK_EVID);
	size_t n = 0;

	if (s->policy == NULL || s->vendors == NULL)
		return 0;
	sqlite3_bind_int64(q, 1, id);
	while (n < ASSESS_MAX_EVIDENCE && sqlite3_step(q) == SQLITE_ROW) {
		snprintf(attr[n], sizeof(attr[n]), "%s", (const char *)sqlite3_column_text(q, 0));
		snprintf(val[n], sizeof(val[n]), "%s", (const char *)sqlite3_column_text(q, 1));
		snprintf(src[n], sizeof(src[n]), "%s", (const char *)sqlite3_column_text(q, 2));
		ev[n] = (struct risk_evidence){ attr[n], val[n], src[n], sqlite3_column_int(q, 3) };
		n++;
	}
	sqlite3_reset(q);
	asset_addresses(s, id, mac, sizeof(mac), ip, sizeof(ip));
	risk_evaluate(s->policy, s->vendors, ev, n, mac[0] ? mac : NULL, ip[0] ? ip : NULL, &r);
	if (ep_assess(s, id, &r) != 0)		/* software and services: what it talks to */
		return -1;
	s->stats.risk_evaluations++;
	previous_level(s, id, before, sizeof(before));
	if (put(s, id, &r, now) != 0)
		return -1;
	if (strcmp(before, risk_level_name(r.level)) == 0 ||
	    (!alarming(r.level) && !was_alarming(before)))
		return 0;
	snprintf(detail, sizeof(detail), "%s: %s%s%s%s: %s%s%s", risk_level_name(r.level),
	    r.vendor[0] ? r.vendor : "unknown maker", r.country[0] ? " (" : "", r.country,
	    r.country[0] ? ")" : "", r.nreasons ? r.reasons[0].text : "",
	    r.accepted ? "; " : "", r.accepted ? r.accepted_text : "");
	/* a batch's packet time if there is one: the wall clock never ends the learning period */
	if (ev_batch_time(s))
		return ev_change(s, ev_batch_time(s), id, EV_RISK_CHANGED, "risk",
		    before[0] ? before : NULL, risk_level_name(r.level), detail, true);
	return ev_change(s, now, id, EV_RISK_CHANGED, "risk", before[0] ? before : NULL,
	    risk_level_name(r.level), detail, false);
}

int
assess_touched(struct store *s, long long now)
{
	for (size_t i = 0; i < s->ntouched; i++)
		if (assess_asset(s, s->touched[i], now) != 0)
			return -1;
	s->ntouched = 0;
	return 0;
}
