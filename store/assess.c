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

	str_copy(c->attr[i], sizeof(c->attr[i]), attr);
	str_copy(c->val[i], sizeof(c->val[i]), val);
	str_copy(c->src[i], sizeof(c->src[i]), src);
	c->f[i] = (struct cat_fact){ c->attr[i], c->val[i], c->src[i] };
}

/*
 * The evidence the risk verdict reads (vendor, oui_country): the
 * ASSESS_MAX_EVIDENCE strongest, by confidence then count, ties in the
 * order the rows come (attribute, value, source), as the sort of
 * ORDER BY confidence DESC, count DESC keeps them.
 */
struct risk_facts {
	struct risk_evidence ev[ASSESS_MAX_EVIDENCE];
	long long	 count[ASSESS_MAX_EVIDENCE];
	char		 attr[ASSESS_MAX_EVIDENCE][24];
	char		 val[ASSESS_MAX_EVIDENCE][256];
	char		 src[ASSESS_MAX_EVIDENCE][64];
	size_t		 order[ASSESS_MAX_EVIDENCE];	/* slots, strongest first */
	size_t		 n;
	bool		 has_names;	/* names ep_assess reads (dns, tls, http) */
};

static bool
stronger(int conf, long long count, const struct risk_facts *rf, size_t slot)
{
	return conf > rf->ev[slot].conf || (conf == rf->ev[slot].conf && count > rf->count[slot]);
}

static void
risk_fact_add(struct risk_facts *rf, const char *attr, const char *val, const char *src, int conf,
    long long count)
{
	size_t at = rf->n, slot;

	if (rf->n == ASSESS_MAX_EVIDENCE) {
		if (!stronger(conf, count, rf, rf->order[rf->n - 1]))
			return;		/* a tie with the last stays out, as it came later */
		slot = rf->order[--rf->n];
		at = rf->n;
	} else
		slot = rf->n;
	while (at > 0 && stronger(conf, count, rf, rf->order[at - 1]))
		at--;
	memmove(&rf->order[at + 1], &rf->order[at], (rf->n - at) * sizeof(rf->order[0]));
	rf->order[at] = slot;
	rf->n++;
	str_copy(rf->attr[slot], sizeof(rf->attr[slot]), attr);
	str_copy(rf->val[slot], sizeof(rf->val[slot]), val);
	str_copy(rf->src[slot], sizeof(rf->src[slot]), src);
	rf->ev[slot] = (struct risk_evidence){ rf->attr[slot], rf->val[slot], rf->src[slot], conf };
	rf->count[slot] = count;
}

/*
 * The asset's own row and what hangs off it, read once: its addresses
 * (for acceptances keyed by address), the gateway flag and last sighting
 * (for the category), the stored category and verdict level (to write the
 * category only when it changed, and to see the level move), and whether
 * it has endpoint flows.  No row: every field empty, as the queries each
 * found nothing.
 */
struct asset_row {
	char		 mac[32], ip[64];
	bool		 gateway, has_flows;
	long long	 last_seen;
	char		 level[16];		/* the stored verdict's, "" if none */
	bool		 has_risk;		/* a stored verdict at all */
	bool		 has_category, has_category_reason;
	char		 category[32], category_reason[CATEGORY_REASON_MAX];
};

static void
read_asset_row(struct store *s, int64_t id, struct asset_row *a)
{
	sqlite3_stmt *q = st_get(s, S_ASSESS_ROW);
	const char *t;

	*a = (struct asset_row){ .gateway = false };
	sqlite3_bind_int64(q, 1, id);
	if (sqlite3_step(q) == SQLITE_ROW) {
		str_copy(a->mac, sizeof(a->mac), (const char *)sqlite3_column_text(q, 0));
		str_copy(a->ip, sizeof(a->ip), (const char *)sqlite3_column_text(q, 1));
		t = (const char *)sqlite3_column_text(q, 2);
		a->gateway = t != NULL && strcmp(t, "1") == 0;
		a->last_seen = sqlite3_column_int64(q, 3);
		if ((t = (const char *)sqlite3_column_text(q, 4)) != NULL) {
			str_copy(a->level, sizeof(a->level), t);
			a->has_risk = true;
		}
		a->has_flows = sqlite3_column_int(q, 5) != 0;
		if ((t = (const char *)sqlite3_column_text(q, 6)) != NULL) {
			a->has_category = strlen(t) < sizeof(a->category);
			str_copy(a->category, sizeof(a->category), t);
		}
		if ((t = (const char *)sqlite3_column_text(q, 7)) != NULL) {
			a->has_category_reason = strlen(t) < sizeof(a->category_reason);
			str_copy(a->category_reason, sizeof(a->category_reason), t);
		}
	}
	sqlite3_reset(q);
}

static bool
is_category_attr(const char *attr)
{
	static const char *const attrs[] = { "device_type", "hostname", "model", "os",
	    "product_code", "role", "vendor" };

	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if (strcmp(attr, attrs[i]) == 0)
			return true;
	return false;
}

static bool
is_name_attr(const char *attr)
{
	return strcmp(attr, "dns_query") == 0 || strcmp(attr, "dns_cname") == 0 ||
	    strcmp(attr, "dns_resolver") == 0 || strcmp(attr, "tls_sni") == 0 ||
	    strcmp(attr, "http_host") == 0;
}

/* One category fact, from evidence or the services and gateway query. */
static void
cat_fact(struct cat_facts *c, const struct vendors *vendors, const struct vendor **maker,
    const char *attr, const char *val, const char *src)
{
	if (strcmp(attr, A_MODEL) == 0)
		c->has_model = true;
	if (strcmp(attr, A_PRODUCT_CODE) == 0 && c->order_number[0] == '\0' &&
	    strncasecmp(val, "6ES7", 4) == 0)
		str_copy(c->order_number, sizeof(c->order_number), val);
	if (strcmp(attr, A_VENDOR) == 0 && *maker == NULL && vendors)
		*maker = vendors_match(vendors, val);
	fact_add(c, attr, val, src ? src : "");
}

/*
 * All an assessment reads of the asset's evidence, in one pass over its
 * rows in index order: the category's facts (then its services and the
 * gateway flag), the verdict's vendor evidence, and whether it has names.
 * One index range instead of a query each, of which the IN lists built a
 * temporary B-tree per run.
 */
static void
read_facts(struct store *s, int64_t id, const struct asset_row *row, struct cat_facts *c,
    struct risk_facts *rf)
{
	sqlite3_stmt *q = st_get(s, S_ASSET_EVID);
	const struct vendor *maker = NULL;

	/* the header, not a memset of the 16 KiB of fact slots: fact_add fills what it uses */
	c->n = 0;
	c->gateway = c->has_model = false;
	c->last_seen = 0;
	c->order_number[0] = '\0';
	rf->n = 0;
	rf->has_names = false;
	sqlite3_bind_int64(q, 1, id);
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *attr = (const char *)sqlite3_column_text(q, 1);
		const char *val = (const char *)sqlite3_column_text(q, 2);
		const char *src = (const char *)sqlite3_column_text(q, 3);

		if (attr == NULL)
			continue;
		if (sqlite3_column_int(q, 0) != 0) {	/* a service it serves, after its evidence */
			if (c->n >= CATEGORY_MAX_FACTS)
				break;
			if (val != NULL)
				cat_fact(c, s->vendors, &maker, attr, val, src);
			continue;
		}
		if (strcmp(attr, A_VENDOR) == 0 || strcmp(attr, "oui_country") == 0)
			risk_fact_add(rf, attr, val, src, sqlite3_column_int(q, 4),
			    sqlite3_column_int64(q, 5));
		else if (!rf->has_names && is_name_attr(attr))
			rf->has_names = true;
		if (val != NULL && c->n < CATEGORY_MAX_FACTS && is_category_attr(attr))
			cat_fact(c, s->vendors, &maker, attr, val, src);
	}
	sqlite3_reset(q);
	if (c->n < CATEGORY_MAX_FACTS) {	/* the gateway flag came last, while there was room */
		c->gateway = row->gateway;
		c->last_seen = row->last_seen;
	}
	if (maker && maker->category[0])
		fact_add(c, "maker_category", maker->category, maker->canonical);
}

/*
 * Decide and keep the asset's category (and fill its model from a SIMATIC
 * order number when nothing named the model).
 */
static int
categorise(struct store *s, int64_t id, long long now, const struct asset_row *row,
    struct cat_facts *c, struct risk_facts *rf)
{
	char reason[CATEGORY_REASON_MAX], model[64];
	enum dev_category cat;
	sqlite3_stmt *q;
	bool fresh;
	int rc = 0;

	read_facts(s, id, row, c, rf);
	if (!c->has_model && c->order_number[0] && siemens_model(c->order_number, model, sizeof(model)))
		rc = model_evidence(s, id, A_MODEL, model, "product_code+siemens_order_number",
		    CONF_INFERRED, c->last_seen ? c->last_seen : now, NULL, &fresh);
	cat = category_of(c->f, c->n, c->gateway, reason, sizeof(reason));
	if (rc != 0)
		return -1;
	/* unchanged: the update's own WHERE would write nothing */
	if (row->has_category && strcmp(row->category, category_name(cat)) == 0 &&
	    (reason[0] ? row->has_category_reason && strcmp(row->category_reason, reason) == 0 :
	    !row->has_category_reason && row->category_reason[0] == '\0'))
		return 0;
	q = st_get(s, S_CAT_PUT);
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, category_name(cat), -1, SQLITE_STATIC);
	if (reason[0])
		sqlite3_bind_text(q, 3, reason, -1, SQLITE_TRANSIENT);
	return st_step(s, S_CAT_PUT) == SQLITE_DONE ? 0 : -1;
}

/* --- risk ------------------------------------------------------------------ */

/*
 * "s" as jansson's compact dump writes it: \\ \" \b \f \n \r \t, other
 * controls \u00XX, the rest as it is.  false (and nothing kept of it) when
 * s is not UTF-8, which json_pack's "s" refused.
 */
/* Bytes that go out as they are, one bit each: 0x20-0x7f but '"' (0x22) and '\\' (0x5c). */
static const uint64_t json_plain[2] = { 0xfffffffb00000000ull, 0xffffffffefffffffull };

static bool
json_str(struct sbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s), *run = p;
	char esc[8];
	uint32_t cp;
	size_t n;

	sb_putn(b, "\"", 1);
	while (p < end) {
		unsigned char c = *p;
		const char *e;

		if (c < 0x80 && (json_plain[c >> 6] >> (c & 63) & 1)) {
			p++;
			continue;
		}
		if (c >= 0x80) {
			if ((n = utf8_decode(p, (size_t)(end - p), &cp)) == 0)
				return false;
			p += n;
			continue;
		}
		sb_putn(b, (const char *)run, (size_t)(p - run));
		switch (c) {
		case '"':  e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		case '\b': e = "\\b"; break;
		case '\f': e = "\\f"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		case '\t': e = "\\t"; break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04X", c);
			e = esc;
		}
		sb_puts(b, e);
		run = ++p;
	}
	sb_putn(b, (const char *)run, (size_t)(p - run));
	sb_putn(b, "\"", 1);
	return true;
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
	size_t need = 3;

	/* room for all of it unless much is escaped: no realloc as it grows */
	for (size_t i = 0; i < r->nreasons; i++)
		need += strlen(r->reasons[i].text) + strlen(r->reasons[i].source) +
		    strlen(r->reasons[i].value) + strlen(r->reasons[i].rule) +
		    strlen(r->reasons[i].policy) + 64;
	if ((b.p = malloc(need)) == NULL)
		return NULL;
	b.cap = need;
	b.p[0] = '\0';
	sb_putn(&b, "[", 1);
	for (size_t i = 0; i < r->nreasons; i++) {
		const struct risk_reason *rs = &r->reasons[i];
		size_t start = b.len;

		sb_puts(&b, first ? "{\"text\":" : ",{\"text\":");
		if (!json_str(&b, rs->text) || (sb_puts(&b, ",\"source\":"), !json_str(&b, rs->source)) ||
		    (sb_puts(&b, ",\"value\":"), !json_str(&b, rs->value)) ||
		    (sb_puts(&b, ",\"rule\":"), !json_str(&b, rs->rule)) ||
		    (sb_puts(&b, ",\"policy\":"), !json_str(&b, rs->policy))) {
			if (!sb_failed(&b))	/* left out: back to where it began */
				b.len = start, b.p[start] = '\0';
			continue;
		}
		sb_putn(&b, "}", 1);
		first = false;
	}
	sb_putn(&b, "]", 1);
	return sb_take(&b);
}

/*
 * Keep the verdict: an update of the asset's row when it has one (the
 * REPLACE deleted and inserted it again, checking the foreign key each
 * time), else the insert.
 */
static int
put(struct store *s, int64_t id, const struct risk_result *r, long long now, bool has_row)
{
	enum stmt_id sid = has_row ? S_RISK_UPD : S_RISK_PUT;
	sqlite3_stmt *q = st_get(s, sid);
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
	rc = st_step(s, sid);
	free(reasons);
	if (rc == SQLITE_DONE && has_row && sqlite3_changes(s->db) == 0)
		return put(s, id, r, now, false);	/* not there after all */
	return rc == SQLITE_DONE ? 0 : -1;
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

/* What one assessment reads, off the stack (20 KiB of category facts, 22 of evidence). */
struct assess_read {
	struct asset_row	 row;
	struct cat_facts	 c;
	struct risk_facts	 rf;
};

static int
assess_one(struct store *s, int64_t id, long long now, struct assess_read *a)
{
	struct risk_evidence ev[ASSESS_MAX_EVIDENCE];
	struct risk_result r;
	const char *before = a->row.level;
	char detail[900];

	read_asset_row(s, id, &a->row);
	if (categorise(s, id, now, &a->row, &a->c, &a->rf) != 0)
		return -1;
	if (s->policy == NULL || s->vendors == NULL)
		return 0;
	for (size_t i = 0; i < a->rf.n; i++)
		ev[i] = a->rf.ev[a->rf.order[i]];
	risk_evaluate(s->policy, s->vendors, ev, a->rf.n, a->row.mac[0] ? a->row.mac : NULL,
	    a->row.ip[0] ? a->row.ip : NULL, &r);
	/* software and services: what it talks to */
	if (ep_assess(s, id, a->rf.has_names, a->row.has_flows, &r) != 0)
		return -1;
	s->stats.risk_evaluations++;
	if (put(s, id, &r, now, a->row.has_risk) != 0)
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
assess_asset(struct store *s, int64_t id, long long now)
{
	struct assess_read *a = malloc(sizeof(*a));
	int rc;

	if (a == NULL)
		return -1;
	rc = assess_one(s, id, now, a);
	free(a);
	return rc;
}

int
assess_touched(struct store *s, long long now)
{
	struct assess_read *a = NULL;

	for (size_t i = 0; i < riskset_len(&s->risk); i++) {
		if (riskset_at(&s->risk, i) == 0)
			continue;
		if (a == NULL && (a = malloc(sizeof(*a))) == NULL)
			return -1;
		if (assess_one(s, riskset_at(&s->risk, i), now, a) != 0) {
			free(a);
			return -1;
		}
	}
	free(a);
	riskset_clear(&s->risk);
	return 0;
}
