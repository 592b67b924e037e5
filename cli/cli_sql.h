/*
 * cli_sql.h - every query the CLI runs, in one place, against the schema
 * in store/schema.c (docs/SCHEMA.md).  Times in the database are Unix
 * seconds (UTC); transports are the text "tcp" / "udp".
 */
#ifndef SW_CLI_SQL_H
#define SW_CLI_SQL_H

#include <sqlite3.h>

#include "addr.h"

/* id, mac, first_seen, last_seen, oui_vendor, mac_local, gateway, key_ip, oui_country, vlan,
 * category, category_reason */
#define SQL_ASSET_COLS \
	"a.id, a.mac, a.first_seen, a.last_seen, a.oui_vendor, a.mac_local, a.gateway, " \
	"a.key_ip, a.oui_country, a.vlan, a.category, a.category_reason"
#define SQL_ASSETS \
	"SELECT " SQL_ASSET_COLS " FROM assets a ORDER BY a.id"
#define SQL_ASSET_BY_ID \
	"SELECT " SQL_ASSET_COLS " FROM assets a WHERE a.id = ?1"

/* Current addresses first. */
#define SQL_ASSET_IPS \
	"SELECT ip FROM addresses WHERE asset_id = ?1 ORDER BY last_seen DESC, ip"
#define SQL_ASSET_ADDRS \
	"SELECT ip, source, first_seen, last_seen FROM addresses WHERE asset_id = ?1 " \
	"ORDER BY last_seen DESC, ip"

/* Best evidence first within each attribute (see cli_asset.c). */
#define SQL_ASSET_EVIDENCE \
	"SELECT attribute, value, source, confidence, first_seen, last_seen, count " \
	"FROM evidence WHERE asset_id = ?1 " \
	"ORDER BY attribute, confidence DESC, count DESC, last_seen DESC, value"

/* transport, port, protocol, role, first_seen, last_seen */
#define SQL_ASSET_SERVICES \
	"SELECT transport, port, protocol, role, first_seen, last_seen " \
	"FROM services WHERE asset_id = ?1 ORDER BY port, transport, role"

/* Protocols the asset uses as a client. */
#define SQL_ASSET_CLIENT_PROTOS \
	"SELECT DISTINCT protocol FROM conversations WHERE client_id = ?1 ORDER BY protocol"

/*
 * The other side of each conversation of ?1: peer id, mac, ip, whether
 * the peer is the server (1) or the client (0), transport, port, protocol,
 * packets, bytes, first_seen, last_seen.
 */
#define SQL_ASSET_PEERS \
	"SELECT p.id, p.mac, COALESCE((SELECT ip FROM addresses WHERE asset_id = p.id " \
	"  ORDER BY last_seen DESC LIMIT 1), p.key_ip), c.server_id = p.id, c.transport, c.port, " \
	"  c.protocol, c.packets, c.bytes, c.first_seen, c.last_seen " \
	"FROM conversations c JOIN assets p " \
	"  ON p.id = CASE WHEN c.client_id = ?1 THEN c.server_id ELSE c.client_id END " \
	"WHERE c.client_id = ?1 OR c.server_id = ?2 ORDER BY c.last_seen DESC"

/* The risk engine's verdict: level, reason (JSON array), vendor, country, accepted. */
#define SQL_HAS_RISK(cli)	q_has_table((cli), "risk")
#define SQL_ASSET_RISK \
	"SELECT level, reason, vendor, country, accepted FROM risk WHERE asset_id = ?1"

/*
 * risk (cli_risk.c): every asset with its verdict, most severe first; a
 * NULL level is an asset not evaluated yet.  Columns: id, mac, ip,
 * hostname, model, oui_vendor, level, vendor, country, reason (JSON),
 * accepted, evaluated, oui_country.  Hostname and model are the best
 * evidence, ordered as SQL_ASSET_EVIDENCE orders it.
 */
#define SQL_RISK_BEST(attr) \
	"(SELECT value FROM evidence WHERE asset_id = a.id AND attribute = '" attr "' " \
	"  ORDER BY confidence DESC, count DESC, last_seen DESC, value LIMIT 1)"
#define SQL_RISK_ASSETS \
	"SELECT a.id, a.mac, COALESCE((SELECT ip FROM addresses WHERE asset_id = a.id " \
	"  ORDER BY last_seen DESC, ip LIMIT 1), a.key_ip), " SQL_RISK_BEST("hostname") ", " \
	SQL_RISK_BEST("model") ", a.oui_vendor, r.level, r.vendor, r.country, r.reason, " \
	"  r.accepted, r.evaluated, a.oui_country " \
	"FROM assets a LEFT JOIN risk r ON r.asset_id = a.id " \
	"ORDER BY CASE r.level WHEN 'high' THEN 0 WHEN 'elevated' THEN 1 WHEN 'none' THEN 2 " \
	"  WHEN 'unknown' THEN 3 ELSE 4 END, a.id"
/* Assets per value of one column (r.vendor or r.country): value, country, total,
 * high, elevated, none, unknown, accepted; most high first. */
#define SQL_RISK_PER(col) \
	"SELECT " col ", max(r.country), count(*), sum(r.level = 'high'), " \
	"  sum(r.level = 'elevated'), sum(r.level = 'none'), sum(r.level = 'unknown'), " \
	"  count(r.accepted) " \
	"FROM risk r JOIN assets a ON a.id = r.asset_id GROUP BY " col " " \
	"ORDER BY 4 DESC, 5 DESC, 3 DESC, " col
#define SQL_RISK_PER_VENDOR	SQL_RISK_PER("r.vendor")
#define SQL_RISK_PER_COUNTRY	SQL_RISK_PER("r.country")

#define SQL_LOOKUP_ID	"SELECT id FROM assets WHERE id = CAST(?1 AS INTEGER)"
#define SQL_LOOKUP_MAC	"SELECT id FROM assets WHERE mac = ?1"
#define SQL_LOOKUP_IP \
	"SELECT id FROM (SELECT id, last_seen FROM assets WHERE key_ip = ?1 " \
	"  UNION ALL SELECT asset_id, last_seen FROM addresses WHERE ip = ?1) " \
	"ORDER BY last_seen DESC LIMIT 1"

static inline int64_t
sql_time(sqlite3_stmt *st, int col)
{
	return sqlite3_column_int64(st, col);
}

#endif
