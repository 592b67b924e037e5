/*
 * q_asset.c - the assets as `spanwatch list` and `show` read them (see
 * q_asset.h).  The SQL is the schema's (store/schema.c, docs/SCHEMA.md);
 * an asset's current address is store/sql_frag.h's.
 */
#include <stdlib.h>

#include "q_asset.h"
#include "sql_frag.h"
#include "store_int.h"

/* id, mac, first_seen, last_seen, oui_vendor, mac_local, gateway, key_ip, oui_country, vlan,
 * category, category_reason */
#define SQL_ASSET_COLS \
	"a.id, a.mac, a.first_seen, a.last_seen, a.oui_vendor, a.mac_local, a.gateway, " \
	"a.key_ip, a.oui_country, a.vlan, a.category, a.category_reason"

enum qa_stmt { Q_ASSETS, Q_ASSET, Q_IPS, Q_EVIDENCE, Q_SERVICES, Q_CLIENT_PROTOS, Q_RISK,
	Q_ADDRESSES, Q_PEERS, Q_NSTMTS };

static const char *const sql[Q_NSTMTS] = {
	[Q_ASSETS] = "SELECT " SQL_ASSET_COLS " FROM assets a ORDER BY a.id",
	[Q_ASSET] = "SELECT " SQL_ASSET_COLS " FROM assets a WHERE a.id = ?1",
	/* current address first, as SQL_NEWEST_ADDR picks it */
	[Q_IPS] = "SELECT ip FROM addresses WHERE asset_id = ?1 ORDER BY last_seen DESC, ip",
	[Q_EVIDENCE] = "SELECT attribute, value, source, confidence, first_seen, last_seen, count "
	    "FROM evidence WHERE asset_id = ?1 "
	    "ORDER BY attribute, confidence DESC, count DESC, last_seen DESC, value",
	[Q_SERVICES] = "SELECT transport, port, protocol, role, first_seen, last_seen "
	    "FROM services WHERE asset_id = ?1 ORDER BY port, transport, role",
	[Q_CLIENT_PROTOS] = "SELECT DISTINCT protocol FROM conversations WHERE client_id = ?1 "
	    "ORDER BY protocol",
	[Q_RISK] = "SELECT level, reason, vendor, country, accepted FROM risk WHERE asset_id = ?1",
	[Q_ADDRESSES] = "SELECT ip, source, first_seen, last_seen FROM addresses WHERE asset_id = ?1 "
	    "ORDER BY last_seen DESC, ip",
	/* the other side of each conversation of ?1 */
	[Q_PEERS] = "SELECT p.id, p.mac, " SQL_CURRENT_IP("p") ", c.server_id = p.id, c.transport, "
	    "  c.port, c.protocol, c.packets, c.bytes, c.first_seen, c.last_seen "
	    "FROM conversations c JOIN assets p "
	    "  ON p.id = CASE WHEN c.client_id = ?1 THEN c.server_id ELSE c.client_id END "
	    "WHERE c.client_id = ?1 OR c.server_id = ?1 ORDER BY c.last_seen DESC",
};

struct qa_reader {
	struct store	*st;
	sqlite3_stmt	*q[Q_NSTMTS];	/* NULL: not prepared (no risk table; not detail) */
};

struct qa_text
qa_column(sqlite3_stmt *q, int col)
{
	struct qa_text t = { NULL, 0 };

	if (sqlite3_column_type(q, col) != SQLITE_NULL) {
		t.s = (const char *)sqlite3_column_text(q, col);
		t.len = (size_t)sqlite3_column_bytes(q, col);
	}
	return t;
}

static int
has_risk_table(sqlite3 *db, bool *yes)
{
	sqlite3_stmt *q;
	int rc = sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type IN ('table','view') "
	    "AND name = 'risk'", -1, &q, NULL);

	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(q);
	*yes = rc == SQLITE_ROW;
	sqlite3_finalize(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : rc;
}

int
qa_reader_open(struct store *st, bool detail, struct qa_reader **out)
{
	sqlite3 *db = store_db(st);
	struct qa_reader *r = calloc(1, sizeof(*r));
	bool risk = false;
	int rc;

	*out = NULL;
	if (r == NULL)
		return SQLITE_NOMEM;
	r->st = st;
	if ((rc = has_risk_table(db, &risk)) != 0) {
		free(r);
		return rc;
	}
	for (int i = 0; i < Q_NSTMTS; i++) {
		if ((i == Q_RISK && !risk) || ((i == Q_ADDRESSES || i == Q_PEERS) && !detail))
			continue;
		if ((rc = sqlite3_prepare_v2(db, sql[i], -1, &r->q[i], NULL)) != SQLITE_OK) {
			qa_reader_close(r);
			return rc;
		}
	}
	*out = r;
	return 0;
}

void
qa_reader_close(struct qa_reader *r)
{
	if (r == NULL)
		return;
	for (int i = 0; i < Q_NSTMTS; i++)
		sqlite3_finalize(r->q[i]);
	free(r);
}

/* The statement, reset and bound to the asset id (NULL when it was not prepared). */
static sqlite3_stmt *
bound(struct qa_reader *r, enum qa_stmt i, int64_t id)
{
	sqlite3_stmt *q = r->q[i];

	if (q) {
		sqlite3_reset(q);
		sqlite3_bind_int64(q, 1, id);
	}
	return q;
}

/* The end of a walk: 0, or the error that ended it. */
static int
walk_end(int rc)
{
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : rc;
}

int
qa_assets(struct qa_reader *r, int64_t only, bool (*cb)(void *arg, const struct qa_asset *a),
    void *arg)
{
	sqlite3_stmt *q = only > 0 ? bound(r, Q_ASSET, only) : r->q[Q_ASSETS];
	int rc;

	sqlite3_reset(q);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct qa_asset a = {
			.id = sqlite3_column_int64(q, 0), .mac = qa_column(q, 1),
			.first_seen = sqlite3_column_int64(q, 2), .last_seen = sqlite3_column_int64(q, 3),
			.oui_vendor = qa_column(q, 4), .mac_local = sqlite3_column_int(q, 5) != 0,
			.gateway = sqlite3_column_int(q, 6) != 0, .key_ip = qa_column(q, 7),
			.oui_country = qa_column(q, 8), .vlan = sqlite3_column_int64(q, 9),
			.category = qa_column(q, 10), .category_reason = qa_column(q, 11)
		};

		if (!cb(arg, &a))
			break;
	}
	rc = walk_end(rc);
	sqlite3_reset(q);
	return rc;
}

int
qa_ips(struct qa_reader *r, int64_t id, bool (*cb)(void *arg, struct qa_text ip), void *arg)
{
	sqlite3_stmt *q = bound(r, Q_IPS, id);
	int rc;

	while ((rc = sqlite3_step(q)) == SQLITE_ROW && cb(arg, qa_column(q, 0)))
		;
	return walk_end(rc);
}

int
qa_evidence(struct qa_reader *r, int64_t id, bool (*cb)(void *arg, const struct qa_evidence *e),
    void *arg)
{
	sqlite3_stmt *q = bound(r, Q_EVIDENCE, id);
	int rc;

	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct qa_evidence e = {
			qa_column(q, 0), qa_column(q, 1), qa_column(q, 2), sqlite3_column_int64(q, 3),
			sqlite3_column_int64(q, 4), sqlite3_column_int64(q, 5), sqlite3_column_int64(q, 6)
		};

		if (!cb(arg, &e))
			break;
	}
	return walk_end(rc);
}

int
qa_services(struct qa_reader *r, int64_t id, bool (*cb)(void *arg, const struct qa_service *s),
    void *arg)
{
	sqlite3_stmt *q = bound(r, Q_SERVICES, id);
	int rc;

	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct qa_service s = {
			qa_column(q, 0), qa_column(q, 2), qa_column(q, 3), sqlite3_column_int64(q, 1),
			sqlite3_column_int64(q, 4), sqlite3_column_int64(q, 5)
		};

		if (!cb(arg, &s))
			break;
	}
	return walk_end(rc);
}

int
qa_client_protocols(struct qa_reader *r, int64_t id, bool (*cb)(void *arg, struct qa_text protocol),
    void *arg)
{
	sqlite3_stmt *q = bound(r, Q_CLIENT_PROTOS, id);
	int rc;

	while ((rc = sqlite3_step(q)) == SQLITE_ROW && cb(arg, qa_column(q, 0)))
		;
	return walk_end(rc);
}

int
qa_addresses(struct qa_reader *r, int64_t id, bool (*cb)(void *arg, const struct qa_address *a),
    void *arg)
{
	sqlite3_stmt *q = bound(r, Q_ADDRESSES, id);
	int rc;

	if (q == NULL)
		return SQLITE_MISUSE;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct qa_address a = {
			qa_column(q, 0), qa_column(q, 1), sqlite3_column_int64(q, 2), sqlite3_column_int64(q, 3)
		};

		if (!cb(arg, &a))
			break;
	}
	return walk_end(rc);
}

int
qa_peers(struct qa_reader *r, int64_t id, bool (*cb)(void *arg, const struct qa_peer *p), void *arg)
{
	sqlite3_stmt *q = bound(r, Q_PEERS, id);
	int rc;

	if (q == NULL)
		return SQLITE_MISUSE;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct qa_peer p = {
			.id = sqlite3_column_int64(q, 0), .mac = qa_column(q, 1), .ip = qa_column(q, 2),
			.is_server = sqlite3_column_int(q, 3) != 0, .transport = qa_column(q, 4),
			.port = sqlite3_column_int64(q, 5), .protocol = qa_column(q, 6),
			.packets = sqlite3_column_int64(q, 7), .bytes = sqlite3_column_int64(q, 8),
			.first_seen = sqlite3_column_int64(q, 9), .last_seen = sqlite3_column_int64(q, 10)
		};

		if (!cb(arg, &p))
			break;
	}
	return walk_end(rc);
}

int
qa_risk(struct qa_reader *r, int64_t id, struct qa_risk *out, bool *found)
{
	sqlite3_stmt *q = bound(r, Q_RISK, id);
	int rc;

	*found = false;
	if (q == NULL)
		return 0;
	if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		*out = (struct qa_risk){ qa_column(q, 0), qa_column(q, 1), qa_column(q, 2), qa_column(q, 3), qa_column(q, 4) };
		*found = true;
	}
	return walk_end(rc);
}

int
qa_lookup(struct store *st, enum qa_key by, const char *key, int64_t *id)
{
	static const char *const lookup_sql[] = {
		[QA_BY_ID] = "SELECT id FROM assets WHERE id = CAST(?1 AS INTEGER)",
		[QA_BY_MAC] = "SELECT id FROM assets WHERE mac = ?1",
		/* the asset that had the address last */
		[QA_BY_IP] = "SELECT id FROM (SELECT id, last_seen FROM assets WHERE key_ip = ?1 "
		    "  UNION ALL SELECT asset_id, last_seen FROM addresses WHERE ip = ?1) "
		    "ORDER BY last_seen DESC LIMIT 1",
	};
	sqlite3_stmt *q;
	int rc;

	*id = 0;
	if ((rc = sqlite3_prepare_v2(store_db(st), lookup_sql[by], -1, &q, NULL)) != SQLITE_OK)
		return rc;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW)
		*id = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return walk_end(rc);
}
