/*
 * q_report.h - the read queries behind `spanwatch report` and `spanwatch
 * map`: the whole inventory as JSON, read in one scan per table rather
 * than one query per asset, so a 10,000-asset plant reads in about a
 * second.
 *
 * Every function runs on a store the caller opened (read-only, inside
 * its read transaction) and returns a new reference, or NULL on a
 * database error (store_db_errcode/errmsg say which; a busy
 * database is worth trying again).  Strings are the stored bytes, not
 * checked for UTF-8: the writers escape them for their format.
 */
#ifndef SW_Q_REPORT_H
#define SW_Q_REPORT_H

#include <stdint.h>

#include <jansson.h>

struct store;

/*
 * Counts and the period observed, in packet time: {assets, gateways,
 * evidence, services, conversations, events, first_seen, last_seen,
 * evaluated (the newest risk verdict, 0 if none), schema, meta: {key:
 * value}}.
 */
json_t	*qr_overview(struct store *st);

/*
 * Every asset, by id: {id, mac, ip (the current address), ips, vlan,
 * gateway, first_seen, last_seen, oui_vendor, oui_country, vendor, model,
 * firmware, serial, hostname, os (the best evidence of each, as
 * docs/SCHEMA.md "The resolved view" defines it), roles, services
 * [{transport, port, protocol}] (served), level (unknown when not
 * evaluated), maker, country (the risk verdict's), reasons [{text,
 * source, value, rule}], accepted, evaluated, category, category_reason
 * (ident/category.h), the operator's name, zone, criticality, note
 * (store/annotate.h), behind {gateway, ip, unit} for a device behind a
 * Modbus server (then ip is null)}.  Absent values are JSON null.
 */
json_t	*qr_assets(struct store *st);

/*
 * Every conversation: {client, server (asset ids), transport, port,
 * protocol, packets, bytes, first_seen, last_seen}, most bytes first.
 */
json_t	*qr_conversations(struct store *st);

/* Every piece of evidence of one asset, best first within an attribute. */
json_t	*qr_asset_evidence(struct store *st, int64_t asset_id);

#endif
