/*
 * risk.h - supply-chain risk of one asset, from its vendor evidence.
 *
 * Pure policy: no SQL, no I/O beyond loading the policy file.  The store
 * hands it an asset's evidence; it resolves every vendor statement
 * against the vendor origin table (ident/vendors.h) and the policy, and
 * answers a level with reasons that each name their evidence and the
 * table row or policy rule that made it count.
 *
 * Levels:
 *   high      a named supplier, or a maker headquartered in or controlled
 *             from a risk country
 *   elevated  weaker evidence: only the IEEE registry's country of the MAC
 *             block, a component (module) maker, or evidence that conflicts
 *   none      vendor evidence, none of it risky
 *   unknown   no vendor evidence at all
 */
#ifndef SW_RISK_H
#define SW_RISK_H

#include <stdbool.h>
#include <stddef.h>
#include "sw_limits.h"

struct vendors;

enum risk_level { RISK_UNKNOWN, RISK_NONE, RISK_ELEVATED, RISK_HIGH };


struct risk_country {
	char	 code[3];
	char	 reason[RISK_TEXT_MAX];
	int	 line;
};

struct risk_supplier {
	char	 name[128];		/* a canonical vendor name */
	char	 reason[RISK_TEXT_MAX];
	int	 line;
};

/* Operator's accepted risk, for one asset (MAC or IP) or one vendor. */
struct risk_accept {
	bool	 is_vendor;
	char	 what[128];		/* MAC, IP or canonical vendor name */
	char	 justification[RISK_TEXT_MAX];
	char	 date[11];		/* YYYY-MM-DD */
	char	 by[64];
	int	 line;
};

struct risk_policy {
	char			 path[256];
	struct risk_country	 countries[RISK_MAX_COUNTRIES];
	size_t			 ncountries;
	struct risk_supplier	 suppliers[RISK_MAX_SUPPLIERS];
	size_t			 nsuppliers;
	char			 flag_listings[256];	/* space-separated listing codes */
	struct risk_accept	 accepts[RISK_MAX_ACCEPTS];
	size_t			 naccepts;
};

/* One piece of evidence about the asset (what the store has). */
struct risk_evidence {
	const char	*attr;		/* "vendor", "oui_country", ... */
	const char	*value;
	const char	*source;	/* "oui", "modbus/43.14/obj0", "rule:hikvision-web" */
	int		 conf;
};

struct risk_reason {
	char	 text[RISK_TEXT_MAX];	/* a sentence for the operator */
	char	 policy[RISK_TEXT_MAX];	/* the policy's text for the country or supplier, once per report */
	char	 source[64];		/* evidence source */
	char	 value[256];		/* evidence value */
	char	 rule[256];		/* "vendors.csv:12 (Hikvision)", "policy risk.conf:8 [country CN]" */
};

struct risk_result {
	enum risk_level	 level;
	char		 vendor[128];		/* the maker reported (canonical when known) */
	char		 country[3];		/* where it answers to (parent's if controlled) */
	struct risk_reason reasons[RISK_MAX_REASONS];
	size_t		 nreasons;
	bool		 accepted;		/* an operator override applies */
	char		 accepted_text[RISK_TEXT_MAX];
};

/* Load an INI policy file (see packaging/risk.conf); NULL + "FILE:LINE: ..." on error. */
struct risk_policy *risk_policy_load(const char *path, char *err, size_t errsz);
void	 risk_policy_free(struct risk_policy *p);

void	 risk_evaluate(const struct risk_policy *p, const struct vendors *v,
	    const struct risk_evidence *ev, size_t nev, const char *mac, const char *ip,
	    struct risk_result *out);

/*
 * Software and services: what a vendor row (the one a service or an AS
 * owner resolves to) means as the other end of a device's traffic.
 * RISK_HIGH when the vendor is a named supplier, on a flagged listing, or
 * headquartered in or controlled from a risk country; RISK_NONE otherwise.
 * why gets "CN; FCC-COVERED"-style detail, rule the table and policy rows.
 */
struct vendor;
enum risk_level risk_judge_vendor(const struct risk_policy *p, const struct vendor *row,
	    char *why, size_t whysz, char *rule, size_t rulesz);
/* Is cc one of the policy's risk countries?  rule gets the policy line. */
bool	 risk_country_flagged(const struct risk_policy *p, const char *cc, char *rule,
	    size_t rulesz);
/* Add a reason (dropped beyond RISK_MAX_REASONS) and raise the level. */
void	 risk_reason_add(struct risk_result *r, enum risk_level l, const char *source,
	    const char *value, const char *rule, const char *fmt, ...)
	    __attribute__((format(printf, 6, 7)));

const char *risk_level_name(enum risk_level l);
bool	 risk_level_parse(const char *s, enum risk_level *l);

#endif
