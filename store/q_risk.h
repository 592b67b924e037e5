/*
 * q_risk.h - the read queries behind `spanwatch risk`: every asset with
 * its verdict, and the assets per maker and per country.  As q_asset.h:
 * strings with their length (.s NULL for SQL NULL) valid during the
 * callback, 0 or SQLite's result code, a callback returning false stops.
 */
#ifndef SW_Q_RISK_H
#define SW_Q_RISK_H

#include <stdbool.h>
#include <stdint.h>

#include "q_asset.h"

struct store;

/*
 * An asset and its verdict.  hostname and model are its best evidence
 * (docs/SCHEMA.md, "The resolved view"); level is NULL for an asset not
 * evaluated yet (then evaluated is 0); reason is the stored JSON.
 */
struct qk_asset {
	int64_t		 id;
	struct qa_text	 mac, ip, hostname, model, oui_vendor, oui_country;
	struct qa_text	 level, vendor, country, reason, accepted;
	int64_t		 evaluated;
};

/* Assets per value of one verdict column, and how many of each level. */
struct qk_group {
	struct qa_text	 value;
	struct qa_text	 country;	/* QK_BY_VENDOR: the maker's country */
	int64_t		 assets, high, elevated, none, unknown, accepted;
};

/* Most severe first (high, elevated, none, unknown, not evaluated), then by id. */
int	 qk_assets(struct store *st, bool (*cb)(void *arg, const struct qk_asset *a), void *arg);

/* Per maker or per country of the verdicts, the most high then elevated assets first. */
enum qk_by { QK_BY_VENDOR, QK_BY_COUNTRY };
int	 qk_groups(struct store *st, enum qk_by by, bool (*cb)(void *arg, const struct qk_group *g),
	    void *arg);

#endif
