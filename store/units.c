/*
 * units.c - devices behind a Modbus server, one asset per unit id.
 *
 * A Modbus/TCP gateway in front of an RS-485 bus answers with one IP and
 * MAC for every device on the bus; the dissector tells the devices apart
 * by unit id (evidence with a SRC_MODBUS_UNIT source, value "unit|value").
 *
 * - A server whose registers identify one unit only is that device (an
 *   inverter speaking Modbus/TCP itself): the evidence is its own.
 * - When a second unit identifies itself, the server is a gateway: every
 *   identified unit becomes an asset keyed by (gateway, unit) (modbus_units;
 *   its key_ip reads "10.30.0.14 unit 3", no address of its own), the first
 *   one's register evidence moves to its asset, and the gateway keeps its
 *   own identity (its OUI, LLDP, 43/14 answers).
 * Identity evidence is rare (the fact cache sends it once per five
 * minutes), so the statements here are prepared per use.
 *
 * ingest.c resolves the server and stores the evidence (unit_fact); this
 * file only keeps the modbus_units table and makes the units' assets, so
 * it calls down (model, events, statements), never back into ingest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obs.h"
#include "sql_frag.h"
#include "store_int.h"
#include "units.h"
#include "units_int.h"

static sqlite3_stmt *
prep(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *q = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
		sqlite3_finalize(q);
		return NULL;
	}
	return q;
}

/* Run sql with up to three integer parameters; *out: column 0 of the first row. */
static int
exec_ints(struct store *s, const char *sql, int64_t a, int64_t b, int64_t c, int64_t *out)
{
	sqlite3_stmt *q = prep(s->db, sql);
	int rc;

	if (q == NULL) {
		st_error(s, "modbus units");
		return -1;
	}
	sqlite3_bind_int64(q, 1, a);
	if (sqlite3_bind_parameter_count(q) >= 2)
		sqlite3_bind_int64(q, 2, b);
	if (sqlite3_bind_parameter_count(q) >= 3)
		sqlite3_bind_int64(q, 3, c);
	rc = sqlite3_step(q);
	if (out)
		*out = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		st_error(s, "modbus units");
		return -1;
	}
	return 0;
}

/*
 * The key of a unit's asset: "10.30.0.14 unit 3", which is also what every
 * view that shows an asset's key for want of an address should show; the
 * gateway's id is added if another gateway used that address before, and
 * replaces the address if there is none.
 */
static int
unit_key(struct store *s, int64_t gw, unsigned unit, const char *ip, char *key, size_t keysz)
{
	sqlite3_stmt *q;
	int rc;

	if (ip == NULL || ip[0] == '\0') {
		snprintf(key, keysz, "modbus-unit:%lld:%u", (long long)gw, unit);
		return 0;
	}
	snprintf(key, keysz, "%s unit %u", ip, unit);
	if ((q = prep(s->db, "SELECT 1 FROM assets WHERE key_ip = ?1")) == NULL) {
		st_error(s, "modbus unit key");
		return -1;
	}
	sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc == SQLITE_ROW)
		snprintf(key, keysz, "%s unit %u (gateway %lld)", ip, unit, (long long)gw);
	else if (rc != SQLITE_DONE) {
		st_error(s, "modbus unit key");
		return -1;
	}
	return 0;
}

/* A new asset for unit `unit` behind gateway `gw` (ip: the gateway's, may be empty). */
static int
new_unit_asset(struct store *s, int64_t gw, unsigned unit, const char *ip, long long ts,
    int64_t *id)
{
	sqlite3_stmt *q;
	char key[IP_STRLEN + 48], detail[160];
	bool fresh;
	int rc;

	if (unit_key(s, gw, unit, ip, key, sizeof(key)) != 0)
		return -1;
	if ((q = prep(s->db, "INSERT INTO assets (key_ip, first_seen, last_seen) "
	    "VALUES (?1, ?2, ?2)")) == NULL) {
		st_error(s, "modbus unit asset");
		return -1;
	}
	sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 2, ts);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		st_error(s, "modbus unit asset");
		return -1;
	}
	*id = sqlite3_last_insert_rowid(s->db);
	s->stats.assets_created++;
	snprintf(detail, sizeof(detail), "modbus unit %u behind asset %lld (keyed by gateway and unit)",
	    unit, (long long)gw);
	if (add_event(s, ts, *id, "asset_new", detail) != 0)
		return -1;
	snprintf(detail, sizeof(detail), "%u", unit);
	return model_evidence(s, *id, A_UNIT_ID, detail, "modbus/unit", CONF_STATED, ts, NULL, &fresh);
}

/*
 * The server had one identified unit, which was the server itself; a
 * second one makes it a gateway: that unit gets an asset of its own and
 * its register evidence moves there.
 */
static int
split_direct_unit(struct store *s, int64_t gw, const char *ip, long long ts)
{
	int64_t old_unit, child;
	bool fresh;

	if (exec_ints(s, "SELECT unit FROM modbus_units WHERE gateway_id = ?1 AND asset_id = ?1",
	    gw, 0, 0, &old_unit) != 0)
		return -1;
	if (exec_ints(s, "SELECT COUNT(*) FROM modbus_units WHERE gateway_id = ?1 AND asset_id = ?1",
	    gw, 0, 0, &child) != 0)
		return -1;
	if (child == 0)
		return 0;
	if (new_unit_asset(s, gw, (unsigned)old_unit, ip, ts, &child) != 0)
		return -1;
	if (evid_flush(s) != 0)		/* the rows move: what is held is written first */
		return -1;
	evcache_clear(s);
	if (exec_ints(s, "UPDATE evidence SET asset_id = ?2 WHERE asset_id = ?1 AND "
	    "source GLOB '" SRC_MODBUS_UNIT "*'", gw, child, 0, NULL) != 0 ||
	    exec_ints(s, "UPDATE modbus_units SET asset_id = ?2 WHERE gateway_id = ?1 AND unit = ?3",
	    gw, child, old_unit, NULL) != 0)
		return -1;
	touch_for_risk(s, gw);
	touch_for_risk(s, child);
	if (model_evidence(s, gw, A_ROLE, R_MODBUS_GATEWAY, "spanwatch/modbus_units", CONF_INFERRED,
	    ts, NULL, &fresh) != 0)
		return -1;
	return add_event(s, ts, gw, "gateway", "answers for several Modbus unit ids: a gateway; "
	    "each identified unit is an asset of its own");
}

/* The asset meant by unit `unit` of server `gw`, created as the rules above say (store_int.h). */
int
units_asset(struct store *s, int64_t gw, unsigned unit, const char *ip, long long ts, int64_t *id)
{
	int64_t n;

	if (exec_ints(s, "SELECT asset_id FROM modbus_units WHERE gateway_id = ?1 AND unit = ?2",
	    gw, unit, 0, id) != 0)
		return -1;
	if (*id != 0)
		return exec_ints(s, "UPDATE modbus_units SET last_seen = MAX(last_seen, ?3) "
		    "WHERE gateway_id = ?1 AND unit = ?2", gw, unit, ts, NULL);
	if (exec_ints(s, "SELECT COUNT(*) FROM modbus_units WHERE gateway_id = ?1", gw, 0, 0, &n) != 0)
		return -1;
	if (n == 0)
		*id = gw;		/* the first identified unit: the server itself, for now */
	else if (split_direct_unit(s, gw, ip, ts) != 0 || new_unit_asset(s, gw, unit, ip, ts, id) != 0)
		return -1;
	return exec_ints(s, "INSERT INTO modbus_units (gateway_id, unit, asset_id, first_seen, "
	    "last_seen) VALUES (?1, ?2, ?3, " "(SELECT MIN(first_seen) FROM assets WHERE id = ?3), "
	    "(SELECT MAX(last_seen) FROM assets WHERE id = ?3))", gw, unit, *id, NULL);
}

/* "12|SUN2000-10KTL": the unit id and where the value starts (store_int.h). */
bool
units_value(const char *v, unsigned *unit, const char **val)
{
	unsigned u = 0;
	int digits = 0;

	for (; *v >= '0' && *v <= '9' && digits < 3; v++, digits++)
		u = u * 10 + (unsigned)(*v - '0');
	if (digits == 0 || *v != '|' || u > 255 || v[1] == '\0')
		return false;
	*unit = u;
	*val = v + 1;
	return true;
}

/* --- read side (CLI) ---------------------------------------------------- */

/* The best value of an attribute: highest confidence, most sightings, newest. */
#define BEST(attr) "(SELECT value FROM evidence e WHERE e.asset_id = u.asset_id AND " \
	"e.attribute = '" attr "' ORDER BY confidence DESC, count DESC, last_seen DESC LIMIT 1)"

json_t *
units_of_gateway(struct store *st, int64_t gw)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *q = prep(db, "SELECT u.asset_id, u.unit, " BEST("vendor") ", "
	    BEST("model") ", " BEST("serial") ", " BEST("firmware") ", " BEST("device_type")
	    " FROM modbus_units u WHERE u.gateway_id = ?1 AND u.asset_id <> ?1 "
	    "ORDER BY u.unit");
	static const char *const keys[] = { "vendor", "model", "serial", "firmware", "device_type" };
	json_t *arr = json_array();
	int rc;

	if (q == NULL)
		return arr;	/* a database from before units: none */
	sqlite3_bind_int64(q, 1, gw);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		json_t *o = json_pack("{s:I s:I}", "id", (json_int_t)sqlite3_column_int64(q, 0),
		    "unit", (json_int_t)sqlite3_column_int64(q, 1));

		for (int k = 0; k < 5; k++) {
			const char *v = (const char *)sqlite3_column_text(q, 2 + k);

			json_object_set_new(o, keys[k], v ? json_string(v) : json_null());
		}
		json_array_append_new(arr, o);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}

json_t *
unit_link(struct store *st, int64_t asset_id)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *q = prep(db, "SELECT u.gateway_id, u.unit, " SQL_CURRENT_IP("g") " "
	    "FROM modbus_units u JOIN assets g ON g.id = u.gateway_id "
	    "WHERE u.asset_id = ?1 AND u.gateway_id <> ?1");
	json_t *o = NULL;

	if (q == NULL)
		return NULL;
	sqlite3_bind_int64(q, 1, asset_id);
	if (sqlite3_step(q) == SQLITE_ROW) {
		const char *ip = (const char *)sqlite3_column_text(q, 2);

		o = json_pack("{s:I s:o s:I}", "gateway", (json_int_t)sqlite3_column_int64(q, 0),
		    "ip", ip ? json_string(ip) : json_null(),
		    "unit", (json_int_t)sqlite3_column_int64(q, 1));
	}
	sqlite3_finalize(q);
	return o;
}

int64_t
unit_lookup(struct store *st, int64_t gw, unsigned unit)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *q = prep(db, "SELECT asset_id FROM modbus_units WHERE gateway_id = ?1 "
	    "AND unit = ?2");
	int64_t id = 0;

	if (q == NULL)
		return 0;
	sqlite3_bind_int64(q, 1, gw);
	sqlite3_bind_int(q, 2, (int)unit);
	if (sqlite3_step(q) == SQLITE_ROW)
		id = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return id;
}
