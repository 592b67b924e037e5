/*
 * units_int.h - the write side of units.c (the modbus_units table), for
 * ingest.c alone (`make layering`): ingest resolves the server and stores
 * the evidence; units.c finds or makes the unit's asset and calls only
 * down (model, events, statements).  The read side is units.h.
 */
#ifndef SW_UNITS_INT_H
#define SW_UNITS_INT_H

#include <stdbool.h>
#include <stdint.h>

struct store;

/* "12|SUN2000-10KTL": the unit id and where the value starts; false if not that form. */
bool	 units_value(const char *v, unsigned *unit, const char **val);
/*
 * The asset meant by unit `unit` behind server `gw` (ip: the server's,
 * may be ""): the server itself while it identified one unit only, else
 * the unit's own asset, made (and the server turned gateway) as needed.
 */
int	 units_asset(struct store *s, int64_t gw, unsigned unit, const char *ip, long long ts,
	    int64_t *id);

#endif
