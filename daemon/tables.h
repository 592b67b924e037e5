/*
 * tables.h - the naming and judging tables spanwatchd loads at start and
 * on SIGHUP, kept together so a reload is all or nothing.
 *
 * The OUI registry, the vendor ids (CIP, BACnet, PROFINET), the vendor
 * origins, the risk policy, the fingerprint rules, the register maps and
 * the service table.  At start each table that loads is used and each one
 * that does not is logged with what it costs.  On SIGHUP every table is
 * read into a new copy first; only when all of them load are they swapped
 * in, together; otherwise every running table stays and each failure is
 * logged with its file and line.
 */
#ifndef SW_TABLES_H
#define SW_TABLES_H

#include <stdbool.h>

#include "sw_limits.h"

struct config;

struct tables {
	struct oui_db		*oui;
	struct vendor_ids	*vendor_ids;	/* installed for vendor_id_name() */
	struct vendors		*vendors;	/* vendor origins (oui/vendors.csv) */
	struct risk_policy	*policy;
	struct fprules		*rules;
	struct services		*services;
	/* register maps installed since start, newest last: packet threads may still read one */
	struct regmap		*regmaps[REGMAP_MAX_RELOADS];
	int			 nregmaps;
	char			 oui_cache[1040];	/* the registry's cache file, "" for none */
};

/*
 * oui_cache: the file the IEEE registry is kept in as loaded (the
 * database's path and OUI_CACHE_SUFFIX; NULL: none, no database), used at
 * start and at each reload.
 */
void	 tables_start(struct tables *t, const struct config *cfg, const char *oui_cache);
/* 0: the new tables are in; -1: none changed (the failures are logged). */
int	 tables_reload(struct tables *t, const struct config *cfg);
void	 tables_free(struct tables *t);

/*
 * A default data path that is not installed falls back to the source tree
 * (running from a clone: `make demo`, the tests); a path the operator set
 * is used as given.
 */
const char *data_path(const char *configured, const char *installed_default, const char *in_tree);

#endif
