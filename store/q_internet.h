/*
 * q_internet.h - the read queries behind `spanwatch internet` and the
 * external endpoints of `spanwatch show`: which assets talk to the
 * Internet, to whom (owner and country of the address space, names the
 * address went by), on which ports, how much, when; and who probed them.
 *
 * As q_report.h: a store the caller opened, a new reference or NULL on a
 * database error.
 */
#ifndef SW_Q_INTERNET_H
#define SW_Q_INTERNET_H

#include <stdint.h>

#include <jansson.h>

struct store;

/*
 * Every asset with traffic to or from outside the site:
 * [{id, mac, ip, hostname, level, reasons [...] (the verdict's),
 *   destinations [{owner, country, asn, as_name, endpoints [{ip, names
 *   [{name, source}], ports ["tcp/443 tls", ...], packets, bytes,
 *   first_seen, last_seen}]}] (outbound, grouped by owner and country),
 *   exposure [{ip, country, asn, as_name, ports, packets, first_seen,
 *   last_seen}] (inbound)}], busiest first.
 */
json_t	*qi_internet(struct store *st);
/* One asset's endpoints in the same shape (an object; empty arrays if none). */
json_t	*qi_asset_internet(struct store *st, int64_t asset_id);
/* Every endpoint address: ["203.0.113.5", ...]. */
json_t	*qi_endpoint_ips(struct store *st);

#endif
