/*
 * ep_assess.c - what an asset's Internet traffic adds to its verdict:
 * the services it uses (by the names it resolves, opens TLS or HTTP to, or
 * the names of the endpoints it reaches), the address space it connects
 * to, a resolver outside the site, and probes from the Internet.
 *
 *   high      a service of a vendor headquartered in or controlled from a
 *             risk country, a named supplier or a flagged listing: the
 *             service is the supply-chain path, whoever made the device
 *   elevated  a connection to a risk country's address space (libloc
 *             country, or an AS owner from one) without a known service
 *   no change an ordinary vendor's service (a finding, shown with its
 *             row), a probe from the Internet (exposure)
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "strcut.h"
#include "asinfo.h"
#include "endpoints.h"
#include "risk.h"
#include "services.h"
#include "store_int.h"
#include "vendors.h"

struct seen_rows {
	const struct service_row *row[64];
	size_t	 n;
};

static bool
seen(struct seen_rows *sr, const struct service_row *row)
{
	for (size_t i = 0; i < sr->n; i++)
		if (sr->row[i] == row)
			return true;
	if (sr->n < sizeof(sr->row) / sizeof(sr->row[0]))
		sr->row[sr->n++] = row;
	return false;
}

static const struct vendor *
vendor_named(const struct vendors *v, const char *canonical)
{
	for (size_t i = 0; i < vendors_count(v); i++)
		if (strcasecmp(vendors_at(v, i)->canonical, canonical) == 0)
			return vendors_at(v, i);
	return vendors_match(v, canonical);
}

static const char *
verb(const char *src)
{
	if (strncmp(src, "dns/", 4) == 0)
		return "resolves";
	if (strncmp(src, "tls/", 4) == 0)
		return "opens TLS to";
	if (strncmp(src, "http/", 5) == 0)
		return "sends HTTP to";
	return "talks to";
}

/* One use of a service row: a reason in the words its category calls for. */
static void
service_reason(struct store *s, const struct service_row *row, const char *name, const char *src,
    struct risk_result *r)
{
	const struct vendor *v = vendor_named(s->vendors, row->vendor);
	char why[256], vrule[300], rule[640];
	enum risk_level l = RISK_UNKNOWN;	/* an ordinary vendor's service raises nothing */

	if (v == NULL)
		snprintf(why, sizeof(why), "%s", row->vendor), vrule[0] = '\0';
	else if (risk_judge_vendor(s->policy, v, why, sizeof(why), vrule, sizeof(vrule)) == RISK_HIGH)
		l = RISK_HIGH;
	str_cutf(rule, sizeof(rule), "%s:%d (%s)%s%s", row->file, row->line, row->service,
	    vrule[0] ? "; " : "", vrule);
	if (strcmp(row->category, "remote-access") == 0)
		risk_reason_add(r, l, src, name, rule, "remote access by %s (%s): %s %s%s", row->service,
		    why, verb(src), name, l == RISK_HIGH ? "" : "; no risk by itself");
	else if (strcmp(row->category, "antivirus") == 0)
		risk_reason_add(r, l, src, name, rule, "runs %s (%s): %s %s%s", row->service, why,
		    verb(src), name, l == RISK_HIGH ? "" : "; no risk by itself");
	else
		risk_reason_add(r, l, src, name, rule, "talks to %s (%s) at %s (%s)%s", row->service, why,
		    name, src, l == RISK_HIGH ? "" : "; an Internet service, no risk by itself");
}

/* A resolver outside the site: a device hard-wired to a foreign resolver. */
static void
resolver_reason(struct store *s, const char *ip, struct risk_result *r)
{
	struct as_answer a;
	struct ipaddr addr;
	char rule[300] = "";
	enum risk_level l = RISK_UNKNOWN;

	if (!ip_parse(ip, &addr) || ep_in_site(s, &addr))
		return;
	asinfo_lookup(s->ep->ai, ip, &a);
	if (risk_country_flagged(s->policy, a.country, rule, sizeof(rule)))
		l = RISK_ELEVATED;
	risk_reason_add(r, l, "dns/resolver", ip, rule[0] ? rule : "libloc",
	    "resolves names through %s outside the site (%s%sAS%u %s): not the plant's resolver",
	    ip, a.country, a.country[0] ? ", " : "", a.asn, a.as_name[0] ? a.as_name : "unknown AS");
}

/* The names the asset itself asked for. */
static int
names_of_asset(struct store *s, int64_t asset, struct seen_rows *sr, struct risk_result *r)
{
	sqlite3_stmt *q = ep_q(s, P_NAMES_OF);

	sqlite3_bind_int64(q, 1, asset);
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *attr = (const char *)sqlite3_column_text(q, 0);
		const char *val = (const char *)sqlite3_column_text(q, 1);
		const char *src = (const char *)sqlite3_column_text(q, 2);
		const char *name = val;
		const struct service_row *row;

		if (strcmp(attr, "dns_resolver") == 0) {
			resolver_reason(s, val, r);
			continue;
		}
		if (strcmp(attr, "dns_cname") == 0 && (name = strrchr(val, '=')) != NULL)
			name++;
		if ((row = services_match_name(s->ep->svc, name)) != NULL && !seen(sr, row))
			service_reason(s, row, name, src, r);
	}
	sqlite3_reset(q);
	return 0;
}

/* The first name of an endpoint that falls under a service row. */
static const struct service_row *
endpoint_service(struct store *s, int64_t ep, const char *ip, int64_t asset, char *name,
    size_t namesz, char *src, size_t srcsz)
{
	const struct service_row *row = NULL;
	sqlite3_stmt *q = ep_q(s, P_EP_NAMES);

	sqlite3_bind_int64(q, 1, ep);
	sqlite3_bind_text(q, 2, ip, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 3, asset);
	while (row == NULL && sqlite3_step(q) == SQLITE_ROW) {
		const char *n = (const char *)sqlite3_column_text(q, 0);

		if ((row = services_match_name(s->ep->svc, n)) != NULL) {
			snprintf(name, namesz, "%s", n);
			snprintf(src, srcsz, "%s", (const char *)sqlite3_column_text(q, 1));
		}
	}
	sqlite3_reset(q);
	return row;
}

struct ep_row {
	int64_t		 id;
	char		 ip[IP_STRLEN], country[3], as_name[128], owner[128], proto[48];
	unsigned	 asn, port;
	bool		 outbound;
	long long	 bytes;		/* the (endpoint, direction)'s sum: the order they are judged in */
};

/* Outbound to risk address space, no known service: elevated, with country and AS. */
static void
address_space_reason(struct store *s, const struct ep_row *e, struct risk_result *r)
{
	const struct vendor *v = e->owner[0] ? vendor_named(s->vendors, e->owner) : NULL;
	char rule[300] = "", why[256] = "", vrule[300] = "", full[640];
	bool by_country = risk_country_flagged(s->policy, e->country, rule, sizeof(rule));
	bool by_owner = v && risk_judge_vendor(s->policy, v, why, sizeof(why), vrule,
	    sizeof(vrule)) == RISK_HIGH;

	if ((!by_country && !by_owner) || e->port == 53)
		return;		/* a resolver outside: resolver_reason says it */
	snprintf(full, sizeof(full), "libloc AS%u%s%s%s%s", e->asn, rule[0] ? "; " : "", rule,
	    by_owner ? "; " : "", by_owner ? vrule : "");
	risk_reason_add(r, RISK_ELEVATED, "libloc", e->ip, full,
	    "connects to %s in %s (AS%u %s%s%s%s) on %s/%u without a known service", e->ip,
	    e->country[0] ? e->country : "an unknown country", e->asn,
	    e->as_name[0] ? e->as_name : "unknown", by_owner ? ": " : "", by_owner ? why : "", "",
	    e->proto, e->port);
}

static void
exposure_reason(const struct ep_row *e, struct risk_result *r)
{
	risk_reason_add(r, RISK_UNKNOWN, "libloc", e->ip, "endpoint_flows (inbound)",
	    "exposed to the Internet: %s (%s%sAS%u %s) reached it on %s/%u", e->ip, e->country,
	    e->country[0] ? ", " : "", e->asn, e->as_name[0] ? e->as_name : "unknown", e->proto,
	    e->port);
}

/* As snprintf(dst, n, "%s", src) without the formatter: cut to fit, "(null)" for NULL. */
static void
copy_text(char *dst, size_t n, const unsigned char *src)
{
	const char *t = src ? (const char *)src : "(null)";
	size_t len = strlen(t);

	if (len >= n)
		len = n - 1;
	memcpy(dst, t, len);
	dst[len] = '\0';
}

static void
read_ep_row(sqlite3_stmt *q, struct ep_row *e)
{
	e->id = sqlite3_column_int64(q, 0);
	copy_text(e->ip, sizeof(e->ip), sqlite3_column_text(q, 1));
	copy_text(e->country, sizeof(e->country), sqlite3_column_text(q, 2));
	e->asn = (unsigned)sqlite3_column_int64(q, 3);
	copy_text(e->as_name, sizeof(e->as_name), sqlite3_column_text(q, 4));
	copy_text(e->owner, sizeof(e->owner), sqlite3_column_text(q, 5));
	e->outbound = strcmp((const char *)sqlite3_column_text(q, 6), "out") == 0;
	e->port = (unsigned)sqlite3_column_int(q, 7);
	copy_text(e->proto, sizeof(e->proto), sqlite3_column_text(q, 8));
	e->bytes = sqlite3_column_int64(q, 9);
}

/*
 * The asset's EP_MAX_ROWS endpoints with the most bytes, most first, ties in
 * the query's (key) order: what ORDER BY sum DESC LIMIT gave, whose sort
 * keeps ties in the order rows come and skips a row that only ties the last.
 * *cut: the asset had more (counted by the caller).
 */
static size_t
top_endpoints(struct store *s, int64_t asset, struct ep_row *rows, bool *cut)
{
	sqlite3_stmt *q = ep_q(s, P_ENDPOINTS_OF);
	size_t n = 0;

	sqlite3_bind_int64(q, 1, asset);
	while (sqlite3_step(q) == SQLITE_ROW) {
		long long bytes = sqlite3_column_int64(q, 9);
		size_t at = n;

		if (n == EP_MAX_ROWS)
			*cut = true;
		if (n == EP_MAX_ROWS && bytes <= rows[n - 1].bytes)
			continue;
		while (at > 0 && rows[at - 1].bytes < bytes)
			at--;
		if (n < EP_MAX_ROWS)
			n++;
		memmove(&rows[at + 1], &rows[at], (n - 1 - at) * sizeof(rows[0]));
		read_ep_row(q, &rows[at]);
	}
	sqlite3_reset(q);
	return n;
}

int
ep_assess(struct store *s, int64_t asset, bool has_names, bool has_flows, struct risk_result *r)
{
	struct ep_row rows[EP_MAX_ROWS];
	struct seen_rows sr = { .n = 0 };
	size_t n = 0, exposed = 0;
	bool cut = false;

	if (s->ep == NULL || s->ep->svc == NULL || s->policy == NULL || s->vendors == NULL)
		return 0;
	if (has_names)
		names_of_asset(s, asset, &sr, r);
	if (!has_flows)
		return 0;
	n = top_endpoints(s, asset, rows, &cut);
	if (cut)
		s->stats.risk_endpoints_cut++;
	for (size_t i = 0; i < n; i++) {
		const struct service_row *row;
		char name[300], src[64];

		if (!rows[i].outbound) {
			if (exposed++ < EP_MAX_EXPOSURE)
				exposure_reason(&rows[i], r);
			continue;
		}
		row = endpoint_service(s, rows[i].id, rows[i].ip, asset, name, sizeof(name), src,
		    sizeof(src));
		if (row == NULL && (row = services_match_asn(s->ep->svc, rows[i].asn)) != NULL &&
		    strcmp(row->category, "cloud") != 0 && strcmp(row->category, "cdn") != 0) {
			/* a vendor's own network, named by address only */
			snprintf(name, sizeof(name), "%s (AS%u %s)", rows[i].ip, rows[i].asn,
			    rows[i].as_name);
			snprintf(src, sizeof(src), "libloc");
		} else if (row && row->kind == SVC_ASN)
			row = NULL;	/* a cloud or CDN hosts anyone: the address space decides */
		if (row) {
			if (!seen(&sr, row))
				service_reason(s, row, name, src, r);
			continue;
		}
		address_space_reason(s, &rows[i], r);
	}
	return 0;
}
