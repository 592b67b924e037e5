/*
 * oui.h - the IEEE MAC address registry, as Debian's ieee-data installs it.
 *
 * MA-L (24-bit), MA-M (28-bit), MA-S / OUI-36 and IAB (36-bit) blocks,
 * loaded once into sorted arrays; a lookup is a longest-prefix binary
 * search with no allocation.
 */
#ifndef SW_OUI_H
#define SW_OUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "paths.h"
#include "sw_limits.h"	/* OUI_ORG_MAX */

#define OUI_DIR_DEFAULT	PATH_OUI_DIR
#define OUI_CACHE_SUFFIX	".oui"	/* the daemon's cache: the database's path and this */

struct oui_entry {
	uint64_t	 prefix;	/* the block's first bits, left-aligned in 48 bits */
	const char	*org;		/* organisation name (at most OUI_ORG_MAX - 1 bytes), in the table's pool */
	uint32_t	 org_off;	/* while loading: its offset in the pool */
	uint8_t		 bits;		/* 24, 28 or 36 */
	char		 country[3];	/* registered country, "" if none given */
};

struct oui_db;

/*
 * Load oui.csv, mam.csv, oui36.csv and iab.csv from dir (OUI_DIR_DEFAULT
 * if NULL).  An operator's newer file named override (may be NULL or
 * missing) is loaded on top: its blocks win.  NULL + message on failure.
 */
struct oui_db	*oui_load(const char *dir, const char *override, char *err, size_t errsz);
/*
 * The same, through a cache file (oui_cache.c): read from it when it was
 * made from these very files (*from_cache), else loaded from the CSVs
 * and the cache made anew.  Returns the table or NULL as oui_load does;
 * with a table, a non-empty err says the cache could not be written (the
 * next start parses the CSVs again).  cache NULL or "": oui_load.
 */
struct oui_db	*oui_load_cached(const char *dir, const char *override, const char *cache,
		    bool *from_cache, char *err, size_t errsz);
void		 oui_free(struct oui_db *db);
size_t		 oui_count(const struct oui_db *db);
/* Organisation names cut to OUI_ORG_MAX - 1 bytes (status: tables.oui_names_cut). */
size_t		 oui_names_cut(const struct oui_db *db);
const struct oui_entry *oui_lookup(const struct oui_db *db, const uint8_t mac[6]);

/* Country code at the end of an IEEE address ("... Ferndale WA US 98248" -> "US"). */
void		 oui_country_of(const char *address, char out[3]);
/* Check that a file looks like an IEEE registry CSV; 0 or -1 with a message. */
int		 oui_validate_file(const char *path, size_t *rows, char *err, size_t errsz);

#endif
