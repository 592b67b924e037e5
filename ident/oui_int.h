/*
 * oui_int.h - the registry's table, for oui.c and its cache (oui_cache.c)
 * only.
 */
#ifndef SW_OUI_INT_H
#define SW_OUI_INT_H

#include <stddef.h>

#include "oui.h"

/*
 * Entries are small and fixed; the names live in one pool (46,000 rows
 * with a 96-byte name field each were 11 MB to fault in and sort at
 * every start).
 */
struct oui_db {
	struct oui_entry *v;
	size_t		 n, cap;
	char		*pool;
	size_t		 pool_len, pool_cap;
	size_t		 names_cut;	/* organisation names longer than OUI_ORG_MAX - 1 bytes */
};

/* The table's order: by block length, then prefix (bsearch and the cache's check). */
int	 oui_cmp_block(const void *a, const void *b);

#endif
