/*
 * stmt.c - the store's prepared statements: their SQL, preparing them once,
 * and running them.  The bottom of the store: every other file of it calls
 * down to these, and this calls nothing of the store.
 */
#include <stdio.h>

#include "strcut.h"
#include "schema.h"
#include "sql_frag.h"
#include "store_int.h"

static const char *const sql[S_NSTMTS] = {
	[S_ASSET_BY_MAC] = "SELECT id, gateway FROM assets WHERE mac = ?1",
	[S_ASSET_BY_KEYIP] = "SELECT id FROM assets WHERE key_ip = ?1",
	[S_ASSET_INS_MAC] = "INSERT INTO assets (mac, vlan, first_seen, last_seen, oui_vendor, "
	    "oui_country, mac_local) VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6)",
	[S_ASSET_INS_IP] = "INSERT INTO assets (key_ip, vlan, first_seen, last_seen) "
	    "VALUES (?1, ?2, ?3, ?3)",
	[S_ASSET_TOUCH] = "UPDATE assets SET last_seen = max(last_seen, ?3), "
	    "first_seen = min(first_seen, ?2) WHERE id = ?1",
	[S_ADDR_UPSERT] = "INSERT INTO addresses (asset_id, ip, source, first_seen, last_seen) "
	    "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (asset_id, ip) DO UPDATE SET "
	    "last_seen = CASE WHEN count = 0 THEN excluded.last_seen "
	    "ELSE max(last_seen, excluded.last_seen) END, "
	    "first_seen = CASE WHEN count = 0 THEN excluded.first_seen "
	    "ELSE min(first_seen, excluded.first_seen) END, count = count + 1, "
	    "source = CASE WHEN excluded.source = 'arp' THEN 'arp' ELSE source END",
	/* a sighting of an address already counted (changes() == 0: new, or a key IP's placeholder) */
	[S_ADDR_SEEN] = "UPDATE addresses SET last_seen = max(last_seen, ?4), "
	    "first_seen = min(first_seen, ?4), count = count + 1, "
	    "source = CASE WHEN ?3 = 'arp' THEN 'arp' ELSE source END "
	    "WHERE asset_id = ?1 AND ip = ?2 AND count > 0",
	[S_ADDR_FIND_IP] = "SELECT d.asset_id FROM addresses d JOIN assets a ON a.id = d.asset_id "
	    "WHERE d.ip = ?1 AND a.gateway = 0 ORDER BY d.last_seen DESC LIMIT 1",
	[S_EVID_UPSERT] = "INSERT INTO evidence (asset_id, attribute, value, source, confidence, "
	    "first_seen, last_seen, via_ip) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7) "
	    "ON CONFLICT (asset_id, attribute, value, source) DO UPDATE SET "
	    "last_seen = max(last_seen, excluded.last_seen), "
	    "first_seen = min(first_seen, excluded.first_seen), count = count + 1, "
	    "confidence = max(confidence, excluded.confidence)",
	/* summed sightings of a row known to exist (model.c), as S_EVID_UPSERT's update */
	[S_EVID_ADD] = "UPDATE evidence SET last_seen = max(last_seen, ?6), "
	    "first_seen = min(first_seen, ?5), count = count + ?7, confidence = max(confidence, ?8) "
	    "WHERE asset_id = ?1 AND attribute = ?2 AND value = ?3 AND source = ?4",
	[S_SVC_UPSERT] = "INSERT INTO services (asset_id, transport, port, protocol, role, "
	    "first_seen, last_seen, via_ip) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?8, ?7) "
	    "ON CONFLICT (asset_id, transport, port, protocol, role) DO UPDATE SET "
	    "last_seen = max(last_seen, excluded.last_seen), "
	    "first_seen = min(first_seen, excluded.first_seen)",
	[S_CONV_UPSERT] = "INSERT INTO conversations (client_id, server_id, transport, port, "
	    "protocol, packets, bytes, first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
	    "ON CONFLICT (client_id, server_id, transport, port, protocol) DO UPDATE SET "
	    "packets = packets + excluded.packets, bytes = bytes + excluded.bytes, "
	    "last_seen = max(last_seen, excluded.last_seen), "
	    "first_seen = min(first_seen, excluded.first_seen)",
	[S_EVENT_INS] = "INSERT INTO events (ts, asset_id, kind, detail) VALUES (?1, ?2, ?3, ?4)",
	[S_GW_RECENT] = "SELECT count(*) FROM addresses WHERE asset_id = ?1 AND source = 'ip' "
	    "AND last_seen >= ?2 AND instr(ip, ':') = 0 AND ip NOT LIKE '169.254.%'",
	[S_GW_SET] = "UPDATE assets SET gateway = 1 WHERE id = ?1 AND gateway = 0",
	/*
	 * All of an asset's evidence, in index order (no sort): assess.c takes
	 * the category's facts, the verdict's vendor evidence and the names
	 * check from one range instead of a query each.
	 */
	[S_ASSET_EVID] = "SELECT 0, attribute, value, source, confidence, count FROM evidence "
	    "WHERE asset_id = ?1 "
	    "UNION ALL SELECT 1, 'service', protocol, role, 0, 0 FROM services WHERE asset_id = ?1 "
	    "AND role = 'server'",
	[S_ADDR_CLAIMED] = "SELECT 1 FROM addresses WHERE asset_id = ?1 AND ip = ?2 AND source = 'arp'",
	/* every IP a new gateway carried that it does not claim in ARP */
	[S_GW_ADDRS] = "SELECT ip, min(f) FROM ("
	    "SELECT ip, first_seen f FROM addresses WHERE asset_id = ?1 AND source <> 'arp' "
	    "UNION ALL SELECT via_ip, first_seen FROM evidence WHERE asset_id = ?1 AND via_ip IS NOT NULL "
	    "UNION ALL SELECT via_ip, first_seen FROM services WHERE asset_id = ?1 AND via_ip IS NOT NULL) "
	    "WHERE ip NOT IN (SELECT ip FROM addresses WHERE asset_id = ?1 AND source = 'arp') "
	    "GROUP BY ip",
	/*
	 * The key IP of an IP-keyed asset.  count 0: sightings are OBS_ADDR
	 * only, and the first real sighting replaces these placeholder times.
	 */
	[S_ADDR_INS_KEY] = "INSERT OR IGNORE INTO addresses (asset_id, ip, source, first_seen, "
	    "last_seen, count) VALUES (?1, ?2, 'ip', ?3, ?3, 0)",
	/*
	 * Re-homing rows of asset ?1 that came with IP ?3 to asset ?2: merged,
	 * so counts add and times widen as if they had gone there directly.
	 */
	[S_MV_TOUCH] = "WITH m (f, l) AS ("
	    "SELECT first_seen, last_seen FROM evidence WHERE asset_id = ?1 AND via_ip = ?3 "
	    "UNION ALL SELECT first_seen, last_seen FROM services WHERE asset_id = ?1 AND via_ip = ?3 "
	    "UNION ALL SELECT first_seen, last_seen FROM addresses WHERE asset_id = ?1 AND ip = ?3) "
	    "UPDATE assets SET "
	    "first_seen = min(first_seen, coalesce((SELECT min(f) FROM m), first_seen)), "
	    "last_seen = max(last_seen, coalesce((SELECT max(l) FROM m), last_seen)) WHERE id = ?2",
	[S_MV_EVID] = "INSERT INTO evidence (asset_id, attribute, value, source, confidence, "
	    "first_seen, last_seen, count, via_ip) SELECT ?2, attribute, value, source, confidence, "
	    "first_seen, last_seen, count, via_ip FROM evidence WHERE asset_id = ?1 AND via_ip = ?3 "
	    "ON CONFLICT (asset_id, attribute, value, source) DO UPDATE SET "
	    "count = count + excluded.count, confidence = max(confidence, excluded.confidence), "
	    "first_seen = min(first_seen, excluded.first_seen), "
	    "last_seen = max(last_seen, excluded.last_seen)",
	[S_MV_SVC] = "INSERT INTO services (asset_id, transport, port, protocol, role, first_seen, "
	    "last_seen, via_ip) SELECT ?2, transport, port, protocol, role, first_seen, last_seen, "
	    "via_ip FROM services WHERE asset_id = ?1 AND via_ip = ?3 "
	    "ON CONFLICT (asset_id, transport, port, protocol, role) DO UPDATE SET "
	    "first_seen = min(first_seen, excluded.first_seen), "
	    "last_seen = max(last_seen, excluded.last_seen)",
	[S_MV_ADDR] = "INSERT INTO addresses (asset_id, ip, source, first_seen, last_seen, count) "
	    "SELECT ?2, ip, source, first_seen, last_seen, count FROM addresses "
	    "WHERE asset_id = ?1 AND ip = ?3 ON CONFLICT (asset_id, ip) DO UPDATE SET "
	    "count = count + excluded.count, "
	    "first_seen = CASE WHEN count = 0 THEN excluded.first_seen "
	    "ELSE min(first_seen, excluded.first_seen) END, "
	    "last_seen = CASE WHEN count = 0 THEN excluded.last_seen "
	    "ELSE max(last_seen, excluded.last_seen) END, "
	    "source = CASE WHEN excluded.source = 'arp' THEN 'arp' ELSE source END",
	[S_MV_EVID_DEL] = "DELETE FROM evidence WHERE asset_id = ?1 AND via_ip = ?3",
	[S_MV_SVC_DEL] = "DELETE FROM services WHERE asset_id = ?1 AND via_ip = ?3",
	/* merging IP-keyed asset ?1 into gateway ?2 that turned out to own its IP */
	[S_MG_CONV_CLI] = "INSERT INTO conversations (client_id, server_id, transport, port, protocol, "
	    "packets, bytes, first_seen, last_seen) SELECT ?2, server_id, transport, port, protocol, "
	    "packets, bytes, first_seen, last_seen FROM conversations WHERE client_id = ?1 "
	    "AND server_id <> ?2 ON CONFLICT (client_id, server_id, transport, port, protocol) "
	    "DO UPDATE SET packets = packets + excluded.packets, bytes = bytes + excluded.bytes, "
	    "first_seen = min(first_seen, excluded.first_seen), "
	    "last_seen = max(last_seen, excluded.last_seen)",
	[S_MG_CONV_SRV] = "INSERT INTO conversations (client_id, server_id, transport, port, protocol, "
	    "packets, bytes, first_seen, last_seen) SELECT client_id, ?2, transport, port, protocol, "
	    "packets, bytes, first_seen, last_seen FROM conversations WHERE server_id = ?1 "
	    "AND client_id NOT IN (?1, ?2) ON CONFLICT (client_id, server_id, transport, port, protocol) "
	    "DO UPDATE SET packets = packets + excluded.packets, bytes = bytes + excluded.bytes, "
	    "first_seen = min(first_seen, excluded.first_seen), "
	    "last_seen = max(last_seen, excluded.last_seen)",
	[S_MG_EVENTS] = "UPDATE events SET asset_id = ?2 WHERE asset_id = ?1",
	[S_MG_DEL] = "DELETE FROM assets WHERE id = ?1",
	[S_ADDR_DEL] = "DELETE FROM addresses WHERE asset_id = ?1 AND ip = ?2",
	/*
	 * What an assessment reads of the asset's row and beside it, in one
	 * statement: MAC and current IP (acceptances), gateway flag and last
	 * sighting (category), the stored verdict's level, whether it has
	 * endpoint flows, the stored category and its reason.
	 */
	[S_ASSESS_ROW] = "SELECT coalesce(a.mac, ''), coalesce(" SQL_CURRENT_IP("a") ", ''), "
	    "a.gateway, a.last_seen, r.level, "
	    "EXISTS (SELECT 1 FROM endpoint_flows WHERE asset_id = a.id), a.category, "
	    "a.category_reason FROM assets a LEFT JOIN risk r ON r.asset_id = a.id WHERE a.id = ?1",
	[S_RISK_UPD] = "UPDATE risk SET level = ?2, vendor = ?3, country = ?4, reason = ?5, "
	    "accepted = ?6, evaluated = ?7 WHERE asset_id = ?1",
	[S_RISK_PUT] = "INSERT OR REPLACE INTO risk (asset_id, level, vendor, country, reason, "
	    "accepted, evaluated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	/* what decides the device category besides its evidence and the gateway flag */
	[S_CAT_FACTS] = "SELECT 'service', protocol, role FROM services WHERE asset_id = ?1 "
	    "AND role = 'server'",
	[S_CAT_PUT] = "UPDATE assets SET category = ?2, category_reason = ?3 WHERE id = ?1 AND "
	    "(category IS NOT ?2 OR category_reason IS NOT ?3)",
};

void
st_error(struct store *s, const char *what)
{
	s->last_rc = sqlite3_extended_errcode(s->db);
	str_cutf(s->errmsg, sizeof(s->errmsg), "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

sqlite3_stmt *
st_get(struct store *s, enum stmt_id id)
{
	sqlite3_reset(s->st[id]);
	sqlite3_clear_bindings(s->st[id]);
	return s->st[id];
}

int
st_step(struct store *s, enum stmt_id id)
{
	int rc = sqlite3_step(s->st[id]);

	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		st_error(s, "write failed");
	return rc;
}

int
st_exec(struct store *s, const char *q)
{
	return sqlite3_exec(s->db, q, NULL, NULL, NULL);
}

int
st_prepare_all(struct store *s, char *err, size_t errsz)
{
	for (int i = 0; i < S_NSTMTS; i++)
		if (sqlite3_prepare_v3(s->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
			snprintf(err, errsz, "%s: preparing statement %d: %s", s->path, i, sqlite3_errmsg(s->db));
			return -1;
		}
	return 0;
}
