/*
 * tables.c - load the naming and judging tables together (tables.h).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fprules.h"
#include "log.h"
#include "oui.h"
#include "regmap.h"
#include "risk.h"
#include "services.h"
#include "tables.h"
#include "vendor_ids.h"
#include "vendors.h"
#include "paths.h"

enum table_id {
	T_OUI, T_VENDOR_IDS, T_VENDORS, T_POLICY, T_RULES, T_REGMAP, T_SERVICES, T_NTABLES
};

/* One reading of every table, before any is installed. */
struct table_set {
	struct oui_db		*oui;
	struct vendor_ids	*vendor_ids;
	struct vendors		*vendors;
	struct risk_policy	*policy;
	struct fprules		*rules;
	struct regmap		*regmap;
	struct services		*services;
	char			 err[T_NTABLES][1024];	/* "" for a table that loaded */
};

static const char *const table_names[T_NTABLES] = {
	"the OUI registry", "the vendor ids", "the vendor table", "the risk policy",
	"the fingerprint rules", "the register maps", "the service table",
};

/* What a table missing at start costs, after its error. */
static const char *const start_cost[T_NTABLES] = {
	[T_OUI]		= ": assets get no OUI vendor",
	[T_VENDOR_IDS]	= "; CIP, BACnet and PROFINET vendor ids stay numbers until it is fixed",
	[T_VENDORS]	= "; risk is not evaluated until it is fixed",
	[T_POLICY]	= "; risk is not evaluated until it is fixed",
	[T_RULES]	= "; no fingerprint rules until it is fixed",
	[T_REGMAP]	= "; no vendor register maps until it is fixed",
	[T_SERVICES]	= "; no services are named until it is fixed",
};

const char *
data_path(const char *configured, const char *installed_default, const char *in_tree)
{
	if (strcmp(configured, installed_default) == 0 && access(configured, R_OK) != 0 &&
	    access(in_tree, R_OK) == 0)
		return in_tree;
	return configured;
}

/* A shipped file with no setting of its own: installed, else the source tree's. */
static const char *
shipped_path(const char *installed, const char *in_tree)
{
	return access(installed, R_OK) != 0 && access(in_tree, R_OK) == 0 ? in_tree : installed;
}

/* Did table i load?  Its error is left only if it did not (and always says something). */
static bool
loaded(struct table_set *n, enum table_id i, const void *table)
{
	if (table != NULL)
		n->err[i][0] = '\0';
	else if (n->err[i][0] == '\0')
		snprintf(n->err[i], sizeof(n->err[i]), "%s: did not load", table_names[i]);
	return table != NULL;
}

/*
 * The IEEE registry, through its cache (ident/oui_cache.c): a start reads
 * one file instead of parsing the CSVs.  A cache that cannot be written
 * is said once and costs the next start the parse.
 */
static struct oui_db *
load_oui(const struct config *cfg, const char *cache, char *err, size_t errsz)
{
	struct oui_db *db;
	bool hit;

	db = oui_load_cached(cfg->oui_dir, cfg->oui_override, cache, &hit, err, errsz);
	if (db && err[0]) {
		log_warnx("%s", err);
		err[0] = '\0';
	}
	return db;
}

static int
read_all(struct table_set *n, const struct config *cfg, const char *oui_cache)
{
	int failed = 0;

	memset(n, 0, sizeof(*n));
	/* every table is read even after a failure: each failure is reported at once */
	n->oui = load_oui(cfg, oui_cache, n->err[T_OUI], sizeof(n->err[T_OUI]));
	n->vendor_ids = vendor_ids_read(NULL, n->err[T_VENDOR_IDS], sizeof(n->err[T_VENDOR_IDS]));
	n->vendors = vendors_load(data_path(cfg->vendors, PATH_VENDORS, "oui/vendors.csv"),
	    cfg->local_vendors[0] ? cfg->local_vendors : NULL, n->err[T_VENDORS],
	    sizeof(n->err[T_VENDORS]));
	n->policy = risk_policy_load(data_path(cfg->risk_policy, PATH_RISK_POLICY,
	    "packaging/risk.conf"), n->err[T_POLICY], sizeof(n->err[T_POLICY]));
	n->rules = fprules_load(shipped_path(PATH_FP_RULES, "oui/fingerprints.rules"),
	    n->err[T_RULES], sizeof(n->err[T_RULES]));
	n->regmap = regmap_load(shipped_path(PATH_REGISTERS_MAP, "oui/registers.map"),
	    n->err[T_REGMAP], sizeof(n->err[T_REGMAP]));
	n->services = services_load(data_path(cfg->services, PATH_SERVICES,
	    "oui/services.csv"), cfg->local_services[0] ? cfg->local_services : NULL,
	    n->err[T_SERVICES], sizeof(n->err[T_SERVICES]));
	failed += !loaded(n, T_OUI, n->oui) + !loaded(n, T_VENDOR_IDS, n->vendor_ids) +
	    !loaded(n, T_VENDORS, n->vendors) + !loaded(n, T_POLICY, n->policy) +
	    !loaded(n, T_RULES, n->rules) + !loaded(n, T_REGMAP, n->regmap) +
	    !loaded(n, T_SERVICES, n->services);
	return failed;
}

static void
set_free(struct table_set *n)
{
	oui_free(n->oui);
	vendor_ids_close(n->vendor_ids);
	vendors_free(n->vendors);
	risk_policy_free(n->policy);
	fprules_free(n->rules);
	regmap_free(n->regmap);
	services_free(n->services);
}

/* A register map whose content changed goes in; the old ones stay readable. */
static void
install_regmap(struct tables *t, struct regmap *m, const char *when)
{
	if (t->nregmaps > 0 && regmap_same(m, t->regmaps[t->nregmaps - 1]))
		regmap_free(m);		/* unchanged */
	else if (t->nregmaps == REGMAP_MAX_RELOADS) {
		log_warnx("%sregisters.map changed more than %d times since start; restart "
		    "spanwatchd to load it", when, REGMAP_MAX_RELOADS);
		regmap_free(m);
	} else {
		regmap_install(m);
		t->regmaps[t->nregmaps++] = m;
	}
}

void
tables_start(struct tables *t, const struct config *cfg, const char *oui_cache)
{
	struct table_set n;

	memset(t, 0, sizeof(*t));
	snprintf(t->oui_cache, sizeof(t->oui_cache), "%s", oui_cache ? oui_cache : "");
	read_all(&n, cfg, t->oui_cache);
	for (int i = 0; i < T_NTABLES; i++)
		if (n.err[i][0])
			log_warnx("%s%s", n.err[i], start_cost[i]);
	t->oui = n.oui;
	vendor_ids_close(vendor_ids_install(t->vendor_ids = n.vendor_ids));
	if (n.vendors && n.policy) {	/* risk needs both */
		t->vendors = n.vendors;
		t->policy = n.policy;
	} else {
		vendors_free(n.vendors);
		risk_policy_free(n.policy);
	}
	t->rules = n.rules;
	t->services = n.services;
	if (n.regmap)
		install_regmap(t, n.regmap, "");
}

int
tables_reload(struct tables *t, const struct config *cfg)
{
	struct table_set n;
	int failed = read_all(&n, cfg, t->oui_cache);

	if (failed) {
		for (int i = 0; i < T_NTABLES; i++)
			if (n.err[i][0])
				log_warnx("reload: %s; keeping all the previous tables", n.err[i]);
		set_free(&n);
		return -1;
	}
	oui_free(t->oui);
	t->oui = n.oui;
	vendor_ids_install(n.vendor_ids);
	vendor_ids_close(t->vendor_ids);
	t->vendor_ids = n.vendor_ids;
	vendors_free(t->vendors);
	t->vendors = n.vendors;
	risk_policy_free(t->policy);
	t->policy = n.policy;
	fprules_free(t->rules);
	t->rules = n.rules;
	services_free(t->services);
	t->services = n.services;
	install_regmap(t, n.regmap, "reload: ");
	return 0;
}

void
tables_free(struct tables *t)
{
	oui_free(t->oui);
	vendor_ids_install(NULL);
	vendor_ids_close(t->vendor_ids);
	vendors_free(t->vendors);
	risk_policy_free(t->policy);
	fprules_free(t->rules);
	services_free(t->services);
	regmap_install(NULL);
	for (int i = 0; i < t->nregmaps; i++)
		regmap_free(t->regmaps[i]);
	memset(t, 0, sizeof(*t));
}
