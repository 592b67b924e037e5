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

#include "sbuf.h"
#include "strcut.h"
#include "category.h"
#include "obs.h"
#include "risk.h"
#include "assess.h"
#include "endpoints.h"
#include "store_int.h"
#include "utf8.h"
#include "vendors.h"


/* --- device category ------------------------------------------------------ */

struct cat_facts {
	struct cat_fact	 f[CATEGORY_MAX_FACTS + 1];	/* + the maker's category */
	char		 attr[CATEGORY_MAX_FACTS + 1][24];
	char		 val[CATEGORY_MAX_FACTS + 1][128];
	char		 src[CATEGORY_MAX_FACTS + 1][64];
	size_t		 n;
	bool		 gateway;
	bool		 has_model;
	long long	 last_seen;	/* the asset's, in packet time */
	char		 order_number[64];	/* a Siemens one, for the model */
};

static void
fact_add(struct cat_facts *c, const char *attr, const char *val, const char *src)
{
	size_t i = c->n++;

	snprintf(c->attr[i], sizeof(c->attr[i]), "%s", attr);
	snprintf(c->val[i], sizeof(c->val[i]), "%s", val);
	snprintf(c->src[i], sizeof(c->src[i]), "%s", src);
	c->f[i] = (struct cat_fact){ c->attr[i], c->val[i], c->src[i] };
}

static void
read_facts(struct store *s, int64_t id, struct cat_facts *c)
{
	sqlite3_stmt *q = st_get(s, S_CAT_FACTS);
	const struct vendor *maker = NULL;

	/* the header, not a memset of the 16 KiB of fact slots: fact_add fills what it uses */
	c->n = 0;
	c->gateway = c->has_model = false;
	c->last_seen = 0;
	c->order_number[0] = '\0';
	sqlite3_bind_int64(q, 1, id);
	while (c->n < CATEGORY_MAX_FACTS && sqlite3_step(q) == SQLITE_ROW) {
		const char *attr = (const char *)sqlite3_column_text(q, 0);
		const char *val = (const char *)sqlite3_column_text(q, 1);
		const char *src = (const char *)sqlite3_column_text(q, 2);

		if (attr == NULL || val == NULL)
			continue;
		if (strcmp(attr, "gateway") == 0) {
			c->gateway = strcmp(val, "1") == 0;
			c->last_seen = sqlite3_column_int64(q, 2);
			continue;
		}
		if (strcmp(attr, A_MODEL) == 0)
			c->has_model = true;
		if (strcmp(attr, A_PRODUCT_CODE) == 0 && c->order_number[0] == '\0' &&
		    strncasecmp(val, "6ES7", 4) == 0)
			snprintf(c->order_number, sizeof(c->order_number), "%s", val);
		if (strcmp(attr, A_VENDOR) == 0 && maker == NULL && s->vendors)
			maker = vendors_match(s->vendors, val);
		fact_add(c, attr, val, src ? src : "");
	}
	sqlite3_reset(q);
	if (maker && maker->category[0])
		fact_add(c, "maker_category", maker->category, maker->canonical);
}

/*
 * Decide and keep the asset's category (and fill its model from a SIMATIC
 * order number when nothing named the model).
 */
static int
categorise(struct store *s, int64_t id, long long now)
{
	struct cat_facts *c = malloc(sizeof(*c));
	char reason[CATEGORY_REASON_MAX], model[64];
	enum dev_category cat;
	sqlite3_stmt *q;
	bool fresh;
	int rc = 0;

	if (c == NULL)
		return -1;
	read_facts(s, id, c);
	if (!c->has_model && c->order_number[0] && siemens_model(c->order_number, model, sizeof(model)))
		rc = model_evidence(s, id, A_MODEL, model, "product_code+siemens_order_number",
		    CONF_INFERRED, c->last_seen ? c->last_seen : now, NULL, &fresh);
	cat = category_of(c->f, c->n, c->gateway, reason, sizeof(reason));
	free(c);
	if (rc != 0)
		return -1;
	q = st_get(s, S_CAT_PUT);
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, category_name(cat), -1, SQLITE_STATIC);
	if (reason[0])
		sqlite3_bind_text(q, 3, reason, -1, SQLITE_TRANSIENT);
	return st_step(s, S_CAT_PUT) == SQLITE_DONE ? 0 : -1;
}

/* --- risk ------------------------------------------------------------------ */

/* Is s valid UTF-8 (what jansson's json_pack "s" asks of a string)? */
static bool
utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), n;
	uint32_t cp;

	for (; left > 0; p += n, left -= n)
		if ((n = utf8_decode(p, left, &cp)) == 0)
			return false;
	return true;
}

/* "s" as jansson's compact dump writes it: \\ \" \b \f \n \r \t, other controls \u00XX. */
static void
json_str(struct sbuf *b, const char *s)
{
	const char *run = s;
	char esc[8];

	sb_putn(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		sb_putn(b, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"':  sb_putn(b, "\\\"", 2); break;
		case '\\': sb_putn(b, "\\\\", 2); break;
		case '\b': sb_putn(b, "\\b", 2); break;
		case '\f': sb_putn(b, "\\f", 2); break;
		case '\n': sb_putn(b, "\\n", 2); break;
		case '\r': sb_putn(b, "\\r", 2); break;
		case '\t': sb_putn(b, "\\t", 2); break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04X", c);
			sb_putn(b, esc, 6);
		}
	}
	sb_putn(b, run, (size_t)(s - run));
	sb_putn(b, "\"", 1);
}

/*
 * The reasons as the risk table keeps them: a JSON array of {text, source,
 * value, rule, policy}, byte for byte what jansson's json_dumps(JSON_COMPACT)
 * wrote (a reason with a string that is not UTF-8 is left out, as
 * json_pack refused it), without building the tree of objects first.
 */
char *
assess_reasons_json(const struct risk_result *r)
{
	struct sbuf b = { 0 };
	bool first = true;

	sb_putn(&b, "[", 1);
	for (size_t i = 0; i < r->nreasons; i++) {
		const struct risk_reason *rs = &r->reasons[i];

		if (!utf8_valid(rs->text) || !utf8_valid(rs->source) || !utf8_valid(rs->value) ||
		    !utf8_valid(rs->rule) || !utf8_valid(rs->policy))
			continue;
		sb_puts(&b, first ? "{\"text\":" : ",{\"text\":");
		first = false;
		json_str(&b, rs->text);
		sb_puts(&b, ",\"source\":");
		json_str(&b, rs->source);
		sb_puts(&b, ",\"value\":");
		json_str(&b, rs->value);
		sb_puts(&b, ",\"rule\":");
		json_str(&b, rs->rule);
		sb_puts(&b, ",\"policy\":");
		json_str(&b, rs->policy);
		sb_putn(&b, "}", 1);
	}
	sb_putn(&b, "]", 1);
	return sb_take(&b);
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
	char *reasons = assess_reasons_json(r);
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

	if (categorise(s, id, now) != 0)
		return -1;
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
	str_cutf(detail, sizeof(detail), "%s: %s%s%s%s: %s%s%s", risk_level_name(r.level),
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
	for (size_t i = 0; i < riskset_len(&s->risk); i++)
		if (riskset_at(&s->risk, i) != 0 && assess_asset(s, riskset_at(&s->risk, i), now) != 0)
			return -1;
	riskset_clear(&s->risk);
	return 0;
}
