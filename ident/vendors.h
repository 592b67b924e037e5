/*
 * vendors.h - the vendor origin table (oui/vendors.csv plus the
 * operator's local rows): canonical names, aliases, headquarters and
 * controlling parent countries, public listings.
 *
 * Any vendor string (an IEEE organisation name, a Modbus VendorName, a
 * fingerprint rule's vendor) is resolved to one row by normalising it and
 * finding the longest alias that is a whole-word prefix of it.
 */
#ifndef SW_VENDORS_H
#define SW_VENDORS_H

#include <stdbool.h>
#include <stddef.h>
#include "sw_limits.h"	/* VENDOR_FIELD_MAX */

struct vendor {
	char	 canonical[VENDOR_FIELD_MAX];
	char	 country[3];		/* ISO 3166 alpha-2, "" if unknown */
	char	 parent[VENDOR_FIELD_MAX];
	char	 parent_country[3];
	char	 category[16];
	char	 listings[VENDOR_FIELD_MAX];	/* ";"-separated */
	char	 source[VENDOR_FIELD_MAX * 2];
	char	 checked[11];
	char	 origin[16];		/* "shipped" or "local" */
	char	 file[256];		/* where the row was read */
	int	 line;
};

struct vendors;

/*
 * Load the shipped table and, if local is not NULL, an operator's table
 * whose rows replace shipped rows of the same canonical name.  On error
 * returns NULL with "FILE:LINE: what is wrong" in err.
 */
struct vendors	*vendors_load(const char *shipped, const char *local, char *err, size_t errsz);
void		 vendors_free(struct vendors *v);
size_t		 vendors_count(const struct vendors *v);
const struct vendor *vendors_at(const struct vendors *v, size_t i);

/* The vendor a free-text name stands for, or NULL. */
const struct vendor *vendors_match(const struct vendors *v, const char *name);
/* Lowercase, punctuation to spaces, spaces collapsed: "Allen-Bradley Co." -> "allen bradley co". */
void		 vendors_normalise(const char *in, char *out, size_t outsz);
/* Is `code` among the row's listings? */
bool		 vendor_listed(const struct vendor *v, const char *code);

#endif
