/*
 * store_int.h - what the files of db/ share; nothing outside db/ includes it.
 */
#ifndef SW_STORE_INT_H
#define SW_STORE_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "store.h"
#include "sw_limits.h"

/* Gateway rule: this many distinct IPv4 addresses used as IP source behind one MAC
 * within GW_WINDOW_S make it a router/firewall/L3 switch, not a host. */

enum stmt_id {
	S_ASSET_BY_MAC, S_ASSET_BY_KEYIP, S_ASSET_INS_MAC, S_ASSET_INS_IP, S_ASSET_TOUCH,
	S_ADDR_UPSERT, S_ADDR_FIND_IP, S_EVID_UPSERT, S_SVC_UPSERT, S_CONV_UPSERT,
	S_EVENT_INS, S_GW_RECENT, S_GW_SET, S_RISK_EVID, S_RISK_GET, S_RISK_PUT,
	S_ADDR_CLAIMED, S_GW_ADDRS, S_ADDR_DEL, S_ADDR_INS_KEY,
	S_MV_TOUCH, S_MV_EVID, S_MV_SVC, S_MV_ADDR, S_MV_EVID_DEL, S_MV_SVC_DEL,
	S_MG_CONV_CLI, S_MG_CONV_SRV, S_MG_EVENTS, S_MG_DEL,
	S_NSTMTS
};

/*
 * Asset ids by MAC and by key IP, so a batch does not ask SQLite for the
 * same device again and again; also when each was last touched, to skip
 * last_seen updates within the same second.  Dropped whole when a batch
 * rolls back (the ids may not exist then).
 */

struct acache_ent {
	uint8_t		 type;		/* 0 empty, 1 MAC, 2 key IP */
	uint8_t		 addr[16];
	bool		 gateway;
	int64_t		 id;
	long long	 touched;
};

struct store {
	sqlite3			*db;
	enum store_mode		 mode;
	char			 path[1024];
	char			 errmsg[1024];
	sqlite3_stmt		*st[S_NSTMTS];
	const struct oui_db	*oui;
	const struct vendors	*vendors;
	const struct risk_policy *policy;
	const struct fprules	*rules;
	struct acache_ent	*cache;		/* ACACHE_SLOTS entries */
	struct { int64_t id; long long ts; } *tcache;	/* last touch per asset, ACACHE_SLOTS */
	int64_t			*touched;	/* assets whose risk must be re-evaluated */
	size_t			 ntouched, touched_cap;
	struct store_stats	 stats;
};

/* Run a prepared statement to completion; SQLITE_DONE / SQLITE_ROW on success. */
int	 st_step(struct store *s, enum stmt_id id);
sqlite3_stmt *st_get(struct store *s, enum stmt_id id);	/* reset + cleared bindings */
void	 st_error(struct store *s, const char *what);

int	 ingest_one(struct store *s, const void *obs);
void	 acache_clear(struct store *s);
void	 touch_for_risk(struct store *s, int64_t asset_id);
int	 assess_touched(struct store *s, long long now);
int	 assess_asset(struct store *s, int64_t asset_id, long long now);
int	 add_event(struct store *s, long long ts, int64_t asset_id, const char *kind,
	    const char *detail);

#endif
