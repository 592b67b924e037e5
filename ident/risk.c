/*
 * risk.c - supply-chain risk evaluation (see risk.h).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "strcut.h"
#include "risk.h"
#include "vendors.h"

static const char *const level_names[] = { "unknown", "none", "elevated", "high" };

const char *
risk_level_name(enum risk_level l)
{
	return (unsigned)l < 4 ? level_names[l] : "unknown";
}

bool
risk_level_parse(const char *s, enum risk_level *l)
{
	for (int i = 0; i < 4; i++)
		if (strcasecmp(s, level_names[i]) == 0) {
			*l = (enum risk_level)i;
			return true;
		}
	return false;
}

/* --- policy file ------------------------------------------------------ */

struct policy_parse {
	struct risk_policy	*p;
	FILE			*fp;
	int			 line;		/* Debian's inih does not pass line numbers */
	char			 err[512];
};

static char *
counting_reader(char *str, int num, void *stream)
{
	struct policy_parse *pp = stream;

	pp->line++;
	return fgets(str, num, pp->fp);
}

static bool
copy_into(char *dst, size_t dstsz, const char *src)
{
	if (strlen(src) >= dstsz)
		return false;
	strcpy(dst, src);
	return true;
}

/*
 * Text values may continue on indented lines (inih calls us again with
 * the same key): append them.  Debian's inih cuts lines at 200 bytes.
 */
static bool
append_text(char *dst, size_t dstsz, const char *src)
{
	size_t n = strlen(dst);

	if (n == 0)
		return copy_into(dst, dstsz, src);
	if (n + 1 + strlen(src) >= dstsz)
		return false;
	dst[n] = ' ';
	strcpy(dst + n + 1, src);
	return true;
}

static bool
valid_date(const char *d)
{
	return strlen(d) == 10 && isdigit((unsigned char)d[0]) && isdigit((unsigned char)d[3]) &&
	    d[4] == '-' && d[7] == '-' && isdigit((unsigned char)d[5]) && isdigit((unsigned char)d[8]);
}

/* Find or add the table entry a section names; NULL + message if it cannot. */
static void *
section_entry(struct policy_parse *pp, const char *section, int line, const char **kind)
{
	struct risk_policy *p = pp->p;

	if (strncmp(section, "country ", 8) == 0) {
		const char *cc = section + 8;

		*kind = "country";
		if (strlen(cc) != 2 || !isupper((unsigned char)cc[0]) || !isupper((unsigned char)cc[1])) {
			snprintf(pp->err, sizeof(pp->err), "[%s]: a country is an ISO 3166 alpha-2 code such as CN", section);
			return NULL;
		}
		for (size_t i = 0; i < p->ncountries; i++)
			if (strcmp(p->countries[i].code, cc) == 0)
				return &p->countries[i];
		if (p->ncountries == RISK_MAX_COUNTRIES) {
			snprintf(pp->err, sizeof(pp->err), "more than %d countries", RISK_MAX_COUNTRIES);
			return NULL;
		}
		strcpy(p->countries[p->ncountries].code, cc);
		p->countries[p->ncountries].line = line;
		return &p->countries[p->ncountries++];
	}
	if (strncmp(section, "supplier ", 9) == 0) {
		*kind = "supplier";
		for (size_t i = 0; i < p->nsuppliers; i++)
			if (strcasecmp(p->suppliers[i].name, section + 9) == 0)
				return &p->suppliers[i];
		if (p->nsuppliers == RISK_MAX_SUPPLIERS ||
		    !copy_into(p->suppliers[p->nsuppliers].name, sizeof(p->suppliers[0].name), section + 9)) {
			snprintf(pp->err, sizeof(pp->err), "[%s]: too many suppliers or name too long", section);
			return NULL;
		}
		p->suppliers[p->nsuppliers].line = line;
		return &p->suppliers[p->nsuppliers++];
	}
	if (strncmp(section, "accept asset ", 13) == 0 || strncmp(section, "accept vendor ", 14) == 0) {
		bool vendor = section[7] == 'v';
		const char *what = section + (vendor ? 14 : 13);

		*kind = "accept";
		for (size_t i = 0; i < p->naccepts; i++)
			if (p->accepts[i].is_vendor == vendor && strcasecmp(p->accepts[i].what, what) == 0)
				return &p->accepts[i];
		if (p->naccepts == RISK_MAX_ACCEPTS ||
		    !copy_into(p->accepts[p->naccepts].what, sizeof(p->accepts[0].what), what)) {
			snprintf(pp->err, sizeof(pp->err), "[%s]: too many accepted risks or name too long", section);
			return NULL;
		}
		p->accepts[p->naccepts].is_vendor = vendor;
		p->accepts[p->naccepts].line = line;
		return &p->accepts[p->naccepts++];
	}
	if (strcmp(section, "policy") == 0) {
		*kind = "policy";
		return p;
	}
	snprintf(pp->err, sizeof(pp->err), "unknown section [%s] (expected [policy], [country XX], "
	    "[supplier NAME], [accept asset MAC|IP] or [accept vendor NAME])", section);
	return NULL;
}

static int
policy_handler(void *user, const char *section, const char *name, const char *value)
{
	struct policy_parse *pp = user;
	int line = pp->line;
	const char *kind = NULL;
	void *e = section_entry(pp, section, line, &kind);
	bool ok = false;

	if (e == NULL)
		return 0;
	if (strcmp(kind, "policy") == 0 && strcmp(name, "flag_listings") == 0)
		ok = copy_into(pp->p->flag_listings, sizeof(pp->p->flag_listings), value);
	else if (strcmp(kind, "country") == 0 && strcmp(name, "reason") == 0)
		ok = append_text(((struct risk_country *)e)->reason, RISK_TEXT_MAX, value);
	else if (strcmp(kind, "supplier") == 0 && strcmp(name, "reason") == 0)
		ok = append_text(((struct risk_supplier *)e)->reason, RISK_TEXT_MAX, value);
	else if (strcmp(kind, "accept") == 0) {
		struct risk_accept *a = e;

		if (strcmp(name, "justification") == 0)
			ok = append_text(a->justification, sizeof(a->justification), value);
		else if (strcmp(name, "by") == 0)
			ok = copy_into(a->by, sizeof(a->by), value);
		else if (strcmp(name, "date") == 0) {
			ok = valid_date(value) && copy_into(a->date, sizeof(a->date), value);
			if (!ok) {
				snprintf(pp->err, sizeof(pp->err), "date '%s' is not YYYY-MM-DD", value);
				return 0;
			}
		} else {
			snprintf(pp->err, sizeof(pp->err), "unknown key '%s' in [%s] (justification, date, by)", name, section);
			return 0;
		}
	} else {
		snprintf(pp->err, sizeof(pp->err), "unknown key '%s' in [%s]", name, section);
		return 0;
	}
	if (!ok)
		snprintf(pp->err, sizeof(pp->err), "value of '%s' is too long", name);
	return ok;
}

struct risk_policy *
risk_policy_load(const char *path, char *err, size_t errsz)
{
	struct policy_parse pp;
	int rc;

	memset(&pp, 0, sizeof(pp));
	if ((pp.p = calloc(1, sizeof(*pp.p))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	snprintf(pp.p->path, sizeof(pp.p->path), "%s", path);
	if ((pp.fp = fopen(path, "r")) == NULL)
		rc = -1;
	else {
		rc = ini_parse_stream(counting_reader, &pp, policy_handler, &pp);
		fclose(pp.fp);
	}
	if (rc == -1)
		snprintf(err, errsz, "%s: cannot open the risk policy file", path);
	else if (rc > 0)
		snprintf(err, errsz, "%s:%d: %s", path, rc, pp.err[0] ? pp.err : "syntax error");
	for (size_t i = 0; rc == 0 && i < pp.p->naccepts; i++) {
		const struct risk_accept *a = &pp.p->accepts[i];

		if (a->justification[0] == '\0' || a->date[0] == '\0') {
			snprintf(err, errsz, "%s:%d: [accept %s %s] needs a justification and a date",
			    path, a->line, a->is_vendor ? "vendor" : "asset", a->what);
			rc = a->line;
		}
	}
	if (rc != 0) {
		free(pp.p);
		return NULL;
	}
	return pp.p;
}

void
risk_policy_free(struct risk_policy *p)
{
	free(p);
}

/* --- evaluation --------------------------------------------------------- */

static const struct risk_country *
risk_country(const struct risk_policy *p, const char *cc)
{
	if (cc == NULL || cc[0] == '\0')
		return NULL;
	for (size_t i = 0; i < p->ncountries; i++)
		if (strcmp(p->countries[i].code, cc) == 0)
			return &p->countries[i];
	return NULL;
}

static const struct risk_supplier *
named_supplier(const struct risk_policy *p, const char *canonical)
{
	for (size_t i = 0; i < p->nsuppliers; i++)
		if (strcasecmp(p->suppliers[i].name, canonical) == 0)
			return &p->suppliers[i];
	return NULL;
}

/* First listing of the vendor that the policy flags, or NULL. */
static const char *
flagged_listing(const struct risk_policy *p, const struct vendor *row, char *buf, size_t bufsz)
{
	char list[256], *save = NULL, *tok;

	snprintf(list, sizeof(list), "%s", p->flag_listings);
	for (tok = strtok_r(list, " ,;", &save); tok; tok = strtok_r(NULL, " ,;", &save))
		if (vendor_listed(row, tok)) {
			snprintf(buf, bufsz, "%s", tok);
			return buf;
		}
	return NULL;
}

static void
add_reason(struct risk_result *r, const struct risk_evidence *e, const char *rule,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
add_reason(struct risk_result *r, const struct risk_evidence *e, const char *rule,
    const char *fmt, ...)
{
	struct risk_reason *rs;
	va_list ap;

	if (r->nreasons == RISK_MAX_REASONS)
		return;
	rs = &r->reasons[r->nreasons++];
	va_start(ap, fmt);
	vsnprintf(rs->text, sizeof(rs->text), fmt, ap);
	va_end(ap);
	str_copy(rs->source, sizeof(rs->source), e ? e->source : "");
	str_copy(rs->value, sizeof(rs->value), e ? e->value : "");
	str_copy(rs->rule, sizeof(rs->rule), rule);
	rs->policy[0] = '\0';
}

/* The policy's own words for the last reason (a country's, a supplier's). */
static void
reason_policy(struct risk_result *r, const char *code, const char *text)
{
	if (r->nreasons > 0)
		str_cutf(r->reasons[r->nreasons - 1].policy, sizeof(r->reasons[0].policy), "%s: %s",
		    code, text);
}

static void
raise_to(struct risk_result *r, enum risk_level l)
{
	if (l > r->level)
		r->level = l;
}

static bool
from_oui(const struct risk_evidence *e)
{
	return strcmp(e->source, "oui") == 0;
}

/* The strongest vendor statement that does not come from the MAC block. */
static const struct risk_evidence *
device_statement(const struct risk_evidence *ev, size_t n)
{
	const struct risk_evidence *best = NULL;

	for (size_t i = 0; i < n; i++)
		if (strcmp(ev[i].attr, "vendor") == 0 && !from_oui(&ev[i]) &&
		    (best == NULL || ev[i].conf > best->conf))
			best = &ev[i];
	return best;
}

/*
 * What one vendor row makes of the asset: the level it argues for, with
 * its reasons.  `weak` marks evidence that only the MAC block gives while
 * the device itself names another maker.
 */
static enum risk_level
judge_row(const struct risk_policy *p, const struct vendor *row, const struct risk_evidence *e,
    bool weak, struct risk_result *r)
{
	const struct risk_supplier *sup = named_supplier(p, row->canonical);
	const struct risk_country *hq = risk_country(p, row->country);
	const struct risk_country *ctl = risk_country(p, row->parent_country);
	bool module = strcmp(row->category, "module") == 0;
	char rule[256], policy_rule[300], listing[32];
	enum risk_level l = RISK_NONE;

	str_cutf(rule, sizeof(rule), "%s:%d (%s)", row->file, row->line, row->canonical);
	if (sup) {
		str_cutf(policy_rule, sizeof(policy_rule), "%s:%d [supplier %s]", p->path, sup->line, sup->name);
		add_reason(r, e, policy_rule, "%s is a named supplier", row->canonical);
		reason_policy(r, sup->name, sup->reason);
		l = RISK_HIGH;
	}
	if (flagged_listing(p, row, listing, sizeof(listing))) {
		add_reason(r, e, rule, "%s is on the %s listing (%s)", row->canonical, listing, row->source);
		l = RISK_HIGH;
	}
	/*
	 * Where a subsidiary is registered is evidence about the subsidiary;
	 * the company that controls it decides.  Headquarters and parent in
	 * the same risk country are one reason.
	 */
	if (ctl) {
		str_cutf(policy_rule, sizeof(policy_rule), "%s:%d [country %s]; %s", p->path, ctl->line, ctl->code, rule);
		if (hq && strcmp(hq->code, ctl->code) == 0)
			add_reason(r, e, policy_rule, "%s is headquartered in %s and controlled by %s (%s)",
			    row->canonical, hq->code, row->parent, ctl->code);
		else
			add_reason(r, e, policy_rule, "%s is controlled by %s (%s)", row->canonical,
			    row->parent, ctl->code);
		reason_policy(r, ctl->code, ctl->reason);
		if (l < RISK_HIGH)
			l = module ? RISK_ELEVATED : RISK_HIGH;
	} else if (hq && row->parent[0]) {
		str_cutf(policy_rule, sizeof(policy_rule), "%s:%d [country %s]; %s", p->path, hq->line, hq->code, rule);
		add_reason(r, e, policy_rule, "%s is registered in %s but controlled by %s (%s), which "
		    "decides: not flagged for its country", row->canonical, hq->code, row->parent,
		    row->parent_country[0] ? row->parent_country : "country not in the table");
	} else if (hq) {
		str_cutf(policy_rule, sizeof(policy_rule), "%s:%d [country %s]; %s", p->path, hq->line, hq->code, rule);
		add_reason(r, e, policy_rule, "%s is headquartered in %s", row->canonical, hq->code);
		reason_policy(r, hq->code, hq->reason);
		if (l < RISK_HIGH)
			l = module ? RISK_ELEVATED : RISK_HIGH;
	}
	if (l > RISK_NONE && module)
		add_reason(r, e, rule, "%s makes components (radio/network modules): the device may be "
		    "another maker's product built around one", row->canonical);
	if (l == RISK_HIGH && weak) {
		add_reason(r, e, rule, "only the MAC address block is %s's; the device names another "
		    "maker, so the evidence conflicts", row->canonical);
		l = RISK_ELEVATED;
	}
	return l;
}

static void
set_maker(struct risk_result *r, const char *name, const struct vendor *row)
{
	snprintf(r->vendor, sizeof(r->vendor), "%s", row ? row->canonical : name);
	if (row)
		snprintf(r->country, sizeof(r->country), "%s",
		    row->parent_country[0] ? row->parent_country : row->country);
}

static void
apply_accepts(const struct risk_policy *p, const char *mac, const char *ip,
    struct risk_result *r)
{
	for (size_t i = 0; i < p->naccepts; i++) {
		const struct risk_accept *a = &p->accepts[i];
		bool hit = a->is_vendor ? strcasecmp(a->what, r->vendor) == 0 :
		    ((mac && strcasecmp(a->what, mac) == 0) || (ip && strcmp(a->what, ip) == 0));

		if (!hit)
			continue;
		r->accepted = true;
		snprintf(r->accepted_text, sizeof(r->accepted_text),
		    "risk accepted on %s%s%s: %s (%s:%d)", a->date, a->by[0] ? " by " : "", a->by,
		    a->justification, p->path, a->line);
		return;
	}
}

/*
 * vendors_match of each piece of evidence, looked up once: the verdict asks
 * for the same rows up to four times, and each lookup walks every alias.
 */
struct row_memo {
	const struct vendors	*v;
	const struct risk_evidence *ev;
	const struct vendor	*row[ASSESS_MAX_EVIDENCE];
	bool			 done[ASSESS_MAX_EVIDENCE];
};

static const struct vendor *
row_of(struct row_memo *m, size_t i)
{
	if (i >= ASSESS_MAX_EVIDENCE)
		return vendors_match(m->v, m->ev[i].value);
	if (!m->done[i]) {
		m->row[i] = vendors_match(m->v, m->ev[i].value);
		m->done[i] = true;
	}
	return m->row[i];
}

void
risk_evaluate(const struct risk_policy *p, const struct vendors *v,
    const struct risk_evidence *ev, size_t nev, const char *mac, const char *ip,
    struct risk_result *r)
{
	const struct risk_evidence *stated = device_statement(ev, nev);
	struct row_memo memo = { .v = v, .ev = ev };
	const struct vendor *stated_row = stated ? row_of(&memo, (size_t)(stated - ev)) : NULL;
	bool any_vendor = false;

	/* each field, not a memset of the 26 KiB of reasons: this runs per asset in every batch */
	r->level = RISK_UNKNOWN;
	r->vendor[0] = r->country[0] = r->accepted_text[0] = '\0';
	r->nreasons = 0;
	r->accepted = false;
	for (size_t i = 0; i < nev; i++) {
		const struct risk_evidence *e = &ev[i];
		const struct vendor *row;
		bool weak;

		if (strcmp(e->attr, "vendor") != 0)
			continue;
		any_vendor = true;
		raise_to(r, RISK_NONE);
		row = row_of(&memo, i);
		if (row == NULL)
			continue;
		/* the MAC block's maker is weak when the device names a different one */
		weak = from_oui(e) && stated_row != NULL && stated_row != row;
		raise_to(r, judge_row(p, row, e, weak, r));
	}
	/* Fallback: no curated row for the MAC block, only the IEEE registry's country. */
	for (size_t i = 0; i < nev; i++) {
		const struct risk_evidence *e = &ev[i];
		const struct risk_country *c;

		if (strcmp(e->attr, "oui_country") != 0)
			continue;
		any_vendor = true;
		raise_to(r, RISK_NONE);
		if ((c = risk_country(p, e->value)) == NULL)
			continue;
		bool curated = false;
		for (size_t k = 0; k < nev; k++)
			if (strcmp(ev[k].attr, "vendor") == 0 && from_oui(&ev[k]) && row_of(&memo, k))
				curated = true;
		if (curated)
			continue;
		add_reason(r, e, "IEEE registry (ieee-data)", "the MAC address block is registered in %s "
		    "and the maker is not in the vendor table: weaker evidence", c->code);
		reason_policy(r, c->code, c->reason);
		raise_to(r, RISK_ELEVATED);
	}
	if (!any_vendor) {
		add_reason(r, NULL, "", "no vendor evidence: no registered MAC block, no identity message, no banner");
		return;
	}
	/* The maker reported: what the device says of itself, else the MAC block's owner. */
	if (stated)
		set_maker(r, stated->value, stated_row);
	else
		for (size_t i = 0; i < nev; i++)
			if (strcmp(ev[i].attr, "vendor") == 0) {
				set_maker(r, ev[i].value, row_of(&memo, i));
				break;
			}
	/* none: nothing to say (not to the operator, not to the SIEM) */
	apply_accepts(p, mac, ip, r);
}

enum risk_level
risk_judge_vendor(const struct risk_policy *p, const struct vendor *row, char *why, size_t whysz,
    char *rule, size_t rulesz)
{
	const struct risk_supplier *sup = named_supplier(p, row->canonical);
	const struct risk_country *hq = risk_country(p, row->country);
	const struct risk_country *ctl = risk_country(p, row->parent_country);
	char listing[32];
	bool listed = flagged_listing(p, row, listing, sizeof(listing)) != NULL;
	const char *cc = ctl ? row->parent_country : row->country;

	snprintf(why, whysz, "%s%s%s%s%s", row->canonical, cc[0] ? ", " : "", cc,
	    listed ? "; " : "", listed ? listing : "");
	snprintf(rule, rulesz, "%s:%d (%s)", row->file, row->line, row->canonical);
	if (sup == NULL && !listed && hq == NULL && ctl == NULL)
		return RISK_NONE;
	if (hq || ctl) {
		size_t n = strlen(rule);

		snprintf(rule + n, rulesz - n, "; policy %s:%d [country %s]", p->path,
		    (hq ? hq : ctl)->line, (hq ? hq : ctl)->code);
	} else if (sup) {
		size_t n = strlen(rule);

		snprintf(rule + n, rulesz - n, "; policy %s:%d [supplier %s]", p->path, sup->line,
		    sup->name);
	}
	return RISK_HIGH;
}

bool
risk_country_flagged(const struct risk_policy *p, const char *cc, char *rule, size_t rulesz)
{
	const struct risk_country *c = cc && cc[0] ? risk_country(p, cc) : NULL;

	if (c)
		snprintf(rule, rulesz, "policy %s:%d [country %s]", p->path, c->line, c->code);
	return c != NULL;
}

void
risk_reason_add(struct risk_result *r, enum risk_level l, const char *source, const char *value,
    const char *rule, const char *fmt, ...)
{
	struct risk_reason *rs;
	va_list ap;

	raise_to(r, l);
	if (r->nreasons == RISK_MAX_REASONS)
		return;
	rs = &r->reasons[r->nreasons++];
	va_start(ap, fmt);
	vsnprintf(rs->text, sizeof(rs->text), fmt, ap);
	va_end(ap);
	str_copy(rs->source, sizeof(rs->source), source ? source : "");
	str_copy(rs->value, sizeof(rs->value), value ? value : "");
	str_copy(rs->rule, sizeof(rs->rule), rule ? rule : "");
	rs->policy[0] = '\0';
}
