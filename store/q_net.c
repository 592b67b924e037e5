/*
 * q_net.c - services and conversations for the CLI (see q_net.h).
 */
#include <stddef.h>

#include <sqlite3.h>

#include "q_net.h"
#include "sql_frag.h"
#include "store_int.h"

static const char sql_services[] =
    "SELECT s.asset_id, a.mac, " SQL_CURRENT_IP("a") ", s.transport, s.port, s.protocol, "
    "  s.role, s.first_seen, s.last_seen "
    "FROM services s JOIN assets a ON a.id = s.asset_id "
    "ORDER BY s.protocol, s.port, s.asset_id";

static const char sql_conversations[] =
    "SELECT c.client_id, ca.mac, " SQL_CURRENT_IP("ca") ", c.server_id, sa.mac, "
    SQL_CURRENT_IP("sa") ", c.transport, c.port, c.protocol, c.packets, c.bytes, "
    "  c.first_seen, c.last_seen "
    "FROM conversations c JOIN assets ca ON ca.id = c.client_id "
    "JOIN assets sa ON sa.id = c.server_id ORDER BY c.bytes DESC";

static const char *
text(sqlite3_stmt *q, int col)
{
	return (const char *)sqlite3_column_text(q, col);
}

int
qn_services(struct store *st, bool (*cb)(void *arg, const struct qn_service *s), void *arg)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *q;
	int rc;

	if ((rc = sqlite3_prepare_v2(db, sql_services, -1, &q, NULL)) != SQLITE_OK)
		return rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct qn_service s = {
			sqlite3_column_int64(q, 0), text(q, 1), text(q, 2), text(q, 3), text(q, 5),
			text(q, 6), sqlite3_column_int(q, 4), sqlite3_column_int64(q, 7),
			sqlite3_column_int64(q, 8)
		};

		if (!cb(arg, &s)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(q);
	return rc;
}

int
qn_conversations(struct store *st, bool (*cb)(void *arg, const struct qn_conversation *c), void *arg)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *q;
	int rc;

	if ((rc = sqlite3_prepare_v2(db, sql_conversations, -1, &q, NULL)) != SQLITE_OK)
		return rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct qn_conversation c = {
			sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 3), text(q, 1), text(q, 2),
			text(q, 4), text(q, 5), text(q, 6), text(q, 8), sqlite3_column_int(q, 7),
			sqlite3_column_int64(q, 9), sqlite3_column_int64(q, 10),
			sqlite3_column_int64(q, 11), sqlite3_column_int64(q, 12)
		};

		if (!cb(arg, &c)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(q);
	return rc;
}
