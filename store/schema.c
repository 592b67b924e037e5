/*
 * schema.c - the database schema as numbered migrations (PRAGMA
 * user_version).  Migration N takes a database from version N-1 to N;
 * they only ever get appended.  docs/SCHEMA.md explains every column.
 * Times are Unix seconds, UTC.
 */
#include <stddef.h>

#include "schema.h"

static const char *const migrations[] = {
	/* 1: inventory, evidence, services, conversations, events, risk */
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT);"
	"CREATE TABLE assets ("
	"  id INTEGER PRIMARY KEY,"
	"  mac TEXT UNIQUE,"			/* MAC-keyed: a host on the local segment */
	"  key_ip TEXT UNIQUE,"			/* IP-keyed: a host behind a gateway */
	"  vlan INTEGER NOT NULL DEFAULT 0,"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  oui_vendor TEXT,"
	"  oui_country TEXT,"
	"  mac_local INTEGER NOT NULL DEFAULT 0,"
	"  gateway INTEGER NOT NULL DEFAULT 0,"
	"  CHECK (mac IS NOT NULL OR key_ip IS NOT NULL));"
	"CREATE TABLE addresses ("
	"  asset_id INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,"
	"  ip TEXT NOT NULL,"
	"  source TEXT NOT NULL,"		/* ip, arp, dhcp, lldp, ... (first source seen) */
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  count INTEGER NOT NULL DEFAULT 1,"
	"  PRIMARY KEY (asset_id, ip));"
	"CREATE INDEX addresses_ip ON addresses(ip, last_seen);"
	"CREATE TABLE evidence ("
	"  id INTEGER PRIMARY KEY,"
	"  asset_id INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,"
	"  attribute TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  source TEXT NOT NULL,"
	"  confidence INTEGER NOT NULL,"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  count INTEGER NOT NULL DEFAULT 1,"
	"  via_ip TEXT,"			/* the IP it came with, to re-home it behind a gateway */
	"  UNIQUE (asset_id, attribute, value, source));"
	"CREATE INDEX evidence_attr ON evidence(attribute, value);"
	"CREATE TABLE services ("
	"  asset_id INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,"
	"  transport TEXT NOT NULL,"		/* tcp, udp */
	"  port INTEGER NOT NULL,"
	"  protocol TEXT NOT NULL,"
	"  role TEXT NOT NULL,"			/* server, client */
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  via_ip TEXT,"
	"  PRIMARY KEY (asset_id, transport, port, protocol, role));"
	"CREATE TABLE conversations ("
	"  client_id INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,"
	"  server_id INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,"
	"  transport TEXT NOT NULL,"
	"  port INTEGER NOT NULL,"
	"  protocol TEXT NOT NULL,"
	"  packets INTEGER NOT NULL DEFAULT 0,"
	"  bytes INTEGER NOT NULL DEFAULT 0,"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  PRIMARY KEY (client_id, server_id, transport, port, protocol));"
	"CREATE INDEX conversations_server ON conversations(server_id);"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"		/* export and forwarding cursors follow this id */
	"  ts INTEGER NOT NULL,"
	"  asset_id INTEGER REFERENCES assets(id) ON DELETE SET NULL,"
	"  kind TEXT NOT NULL,"			/* asset_new, address_new, fact_new, gateway, risk */
	"  detail TEXT NOT NULL);"
	"CREATE TABLE risk ("
	"  asset_id INTEGER PRIMARY KEY REFERENCES assets(id) ON DELETE CASCADE,"
	"  level TEXT NOT NULL,"		/* high, elevated, none, unknown */
	"  vendor TEXT,"
	"  country TEXT,"
	"  reason TEXT NOT NULL,"		/* JSON array of {text, source, value, rule} */
	"  accepted TEXT,"			/* operator acceptance, NULL if none */
	"  evaluated INTEGER NOT NULL);",
	/*
	 * 2: devices behind a Modbus server (a gateway to an RS-485 bus), one
	 * asset per unit id that identified itself in its registers.  The
	 * unit's asset has key_ip '<gateway IP> unit <unit>' (never an IP: it
	 * has no address of its own; store/units.c).  asset_id equal to
	 * gateway_id: the server's only identified unit is the server itself.
	 */
	"CREATE TABLE modbus_units ("
	"  gateway_id INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,"
	"  unit INTEGER NOT NULL,"
	"  asset_id INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  PRIMARY KEY (gateway_id, unit));"
	"CREATE INDEX modbus_units_asset ON modbus_units(asset_id);",
	/*
	 * 3: events become operations and change events (docs/JSON.md,
	 * "Events"): severity, the learning-period flag, old and new value,
	 * and for operations who did what to whom, how often, with what result.
	 */
	"ALTER TABLE events ADD COLUMN severity INTEGER NOT NULL DEFAULT 3;"
	"ALTER TABLE events ADD COLUMN baseline INTEGER NOT NULL DEFAULT 0;"	/* recorded while learning: not an alert */
	"ALTER TABLE events ADD COLUMN field TEXT;"		/* what changed: firmware, ip, risk, service, ... */
	"ALTER TABLE events ADD COLUMN old_value TEXT;"
	"ALTER TABLE events ADD COLUMN new_value TEXT;"
	"ALTER TABLE events ADD COLUMN protocol TEXT;"		/* operations: dissector name */
	"ALTER TABLE events ADD COLUMN operation TEXT;"		/* core/ops.h kind name */
	"ALTER TABLE events ADD COLUMN client_id INTEGER REFERENCES assets(id) ON DELETE SET NULL;"
	"ALTER TABLE events ADD COLUMN client_ip TEXT;"
	"ALTER TABLE events ADD COLUMN client_mac TEXT;"
	"ALTER TABLE events ADD COLUMN server_id INTEGER REFERENCES assets(id) ON DELETE SET NULL;"
	"ALTER TABLE events ADD COLUMN server_ip TEXT;"
	"ALTER TABLE events ADD COLUMN server_mac TEXT;"
	"ALTER TABLE events ADD COLUMN count INTEGER NOT NULL DEFAULT 0;"	/* requests */
	"ALTER TABLE events ADD COLUMN responses INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE events ADD COLUMN failed INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE events ADD COLUMN last_ts INTEGER;"	/* operations: the last request */
	"CREATE INDEX events_operation ON events(client_id, server_id, operation, protocol) "
	"  WHERE kind = 'operation';"
	"CREATE INDEX events_asset_kind ON events(asset_id, kind);"
	"CREATE INDEX events_ts ON events(ts);",
	/* the Internet side: endpoints (not assets), who talks to them, passive DNS */
	"CREATE TABLE endpoints ("
	"  id INTEGER PRIMARY KEY,"
	"  ip TEXT NOT NULL UNIQUE,"
	"  country TEXT,"			/* location database (libloc) */
	"  asn INTEGER,"
	"  as_name TEXT,"
	"  network TEXT,"
	"  owner TEXT,"				/* the AS name's vendor (vendors.csv canonical) */
	"  looked_up INTEGER NOT NULL DEFAULT 0,"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL);"
	"CREATE TABLE endpoint_flows ("
	"  asset_id INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,"
	"  endpoint_id INTEGER NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,"
	"  direction TEXT NOT NULL,"		/* out: the asset connected; in: probed from outside */
	"  transport TEXT NOT NULL,"
	"  port INTEGER NOT NULL,"
	"  protocol TEXT NOT NULL,"
	"  packets INTEGER NOT NULL DEFAULT 0,"
	"  bytes INTEGER NOT NULL DEFAULT 0,"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  PRIMARY KEY (asset_id, endpoint_id, direction, transport, port, protocol));"
	"CREATE INDEX endpoint_flows_ep ON endpoint_flows(endpoint_id);"
	"CREATE TABLE endpoint_names ("
	"  endpoint_id INTEGER NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  source TEXT NOT NULL,"		/* tls/server_name, http/served_host, tls/certificate */
	"  asset_id INTEGER REFERENCES assets(id) ON DELETE SET NULL,"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  count INTEGER NOT NULL DEFAULT 1,"
	"  PRIMARY KEY (endpoint_id, name, source));"
	"CREATE TABLE dns_answers ("
	"  asset_id INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  address TEXT NOT NULL,"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  count INTEGER NOT NULL DEFAULT 1,"
	"  PRIMARY KEY (asset_id, name, address));"
	"CREATE INDEX dns_answers_address ON dns_answers(address);",
	/*
	 * 5: deleting an asset (the size budget, a flood's burst taken back)
	 * sets the client_id and server_id of its operations to NULL: without
	 * an index each deleted asset scanned the whole events table.
	 */
	"CREATE INDEX events_client ON events(client_id) WHERE client_id IS NOT NULL;"
	"CREATE INDEX events_server ON events(server_id) WHERE server_id IS NOT NULL;",
	/*
	 * 6: the device category decided from all of an asset's evidence
	 * (ident/category.c) and the fact that decided it, written with the
	 * risk verdict; NULL until first assessed.
	 */
	"ALTER TABLE assets ADD COLUMN category TEXT;"
	"ALTER TABLE assets ADD COLUMN category_reason TEXT;",
	/*
	 * 7: what the operator says about an asset (spanwatch annotate).
	 * Keyed by the asset's identity, its MAC or, for an IP-keyed asset,
	 * its key_ip, as assets.mac / assets.key_ip hold them: reading a
	 * capture again, or a merge that renumbers the asset, keeps it.
	 */
	"CREATE TABLE annotations ("
	"  asset_key TEXT PRIMARY KEY,"
	"  name TEXT,"
	"  zone TEXT,"
	"  criticality TEXT,"			/* the process it serves, or a level */
	"  note TEXT,"
	"  updated INTEGER NOT NULL);",
	/*
	 * 8: an asset's current address (store/sql_frag.h) is its newest one;
	 * every listing asks for it per asset, so read it off an index
	 * instead of sorting the asset's addresses each time.
	 */
	"CREATE INDEX addresses_newest ON addresses(asset_id, last_seen DESC, ip);",
};

int
schema_version(void)
{
	return (int)(sizeof(migrations) / sizeof(migrations[0]));
}

const char *
schema_migration(int to_version)
{
	if (to_version < 1 || to_version > schema_version())
		return NULL;
	return migrations[to_version - 1];
}
