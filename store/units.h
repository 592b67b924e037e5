/*
 * units.h - devices behind a Modbus server (store/units.c): the read side
 * for the CLI.  A unit id whose registers identified a device is an asset
 * of its own, linked to the server (the gateway) that answers for it.
 */
#ifndef SW_UNITS_H
#define SW_UNITS_H

#include <stdint.h>

#include <jansson.h>

struct store;

/*
 * The units behind gateway `gw`, oldest first: [{"id", "unit", "vendor",
 * "model", "serial", "firmware", "device_type"}], empty when none (or the
 * database predates them); NULL on error.
 */
json_t	*units_of_gateway(struct store *st, int64_t gw);
/* The gateway an asset sits behind: {"gateway", "ip", "unit"}, NULL if none. */
json_t	*unit_link(struct store *st, int64_t asset_id);
/* The id behind gateway ip/id at unit, 0 if none ("10.9.0.20#3"). */
int64_t	 unit_lookup(struct store *st, int64_t gw, unsigned unit);

#endif
