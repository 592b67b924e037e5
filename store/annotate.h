/*
 * annotate.h - what the operator says about an asset: a name, the zone
 * it stands in, its criticality (the process it serves) and a free note
 * (`spanwatch annotate`).  Kept in the annotations table, keyed by the
 * asset's identity (its MAC, or key_ip for an IP-keyed asset), so it
 * survives reading the captures again.
 */
#ifndef SW_ANNOTATE_H
#define SW_ANNOTATE_H

#include <stdint.h>

#include <jansson.h>

#include "sw_limits.h"	/* ANNOTATION_FIELD_MAX */

struct store;

/*
 * The fields to change: NULL keeps a field as it is, "" clears it.
 * Values are stored sanitised (control bytes escaped, as device strings).
 */
struct annotation_set {
	const char	*name;
	const char	*zone;
	const char	*criticality;
	const char	*note;
};

/*
 * Does every field fit, as it is stored (sanitised: an escaped byte takes
 * four), in ANNOTATION_FIELD_MAX?  0, or -1 with "FIELD is N bytes as
 * stored; at most M (ANNOTATION_FIELD_MAX)" in err.
 */
int	 annotation_check(const struct annotation_set *set, char *err, size_t errsz);

/*
 * Apply set to the asset (a store opened STORE_RW), stamped now; a row
 * left with no field is deleted.  0, or -1 with a message in err (a field
 * that does not fit is refused, as annotation_check says, not cut).
 */
int	 annotation_put(struct store *st, int64_t asset_id, const struct annotation_set *set,
	    long long now, char *err, size_t errsz);

/*
 * One asset's annotation {name, zone, criticality, note, updated} (absent
 * fields null), json null when it has none; NULL on a database error.
 * On any store, read-only or not, without the table (older schema):
 * json null.
 */
json_t	*annotation_get(struct store *st, int64_t asset_id);

/* Every annotation, by asset id: {"12": {...}, ...}; NULL on a database error. */
json_t	*annotations_all(struct store *st);

#endif
