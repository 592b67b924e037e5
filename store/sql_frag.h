/*
 * sql_frag.h - SQL text the store's queries share, so a rule is written
 * once: which address is an asset's current one.  Only store/ includes it.
 */
#ifndef SW_SQL_FRAG_H
#define SW_SQL_FRAG_H

/*
 * The newest address of the asset whose id is the SQL expression `id`,
 * NULL when it has none.  Ties on last_seen go to the lowest address
 * text, so the answer never depends on the order rows were written in.
 * (addresses_newest serves it: no sort.)
 */
#define SQL_NEWEST_ADDR(id) \
	"(SELECT ip FROM addresses WHERE asset_id = " id " ORDER BY last_seen DESC, ip LIMIT 1)"

/*
 * The address an asset is shown with (every listing, the export, the
 * events): its newest address, else `fallback` (an expression; for most
 * queries the asset's key IP).  `a` names a row of assets.
 */
#define SQL_CURRENT_IP_OR(a, fallback) "COALESCE(" SQL_NEWEST_ADDR(a ".id") ", " fallback ")"
#define SQL_CURRENT_IP(a) SQL_CURRENT_IP_OR(a, a ".key_ip")

#endif
