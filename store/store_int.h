/*
 * store_int.h - what the files of store/ share; nothing outside store/ includes it.
 */
#ifndef SW_STORE_INT_H
#define SW_STORE_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "events.h"
#include "q_asset.h"
#include "riskset.h"
#include "store.h"
#include "sw_limits.h"

/* Gateway rule: this many distinct IPv4 addresses used as IP source behind one MAC
 * within GW_WINDOW_S make it a router/firewall/L3 switch, not a host. */

enum stmt_id {
	S_ASSET_BY_MAC, S_ASSET_BY_KEYIP, S_ASSET_INS_MAC, S_ASSET_INS_IP, S_ASSET_TOUCH,
	S_ADDR_UPSERT, S_ADDR_SEEN, S_ADDR_FIND_IP, S_EVID_UPSERT, S_SVC_UPSERT, S_CONV_UPSERT,
	S_EVENT_INS, S_GW_RECENT, S_GW_SET, S_ASSET_EVID, S_ASSESS_ROW, S_RISK_PUT, S_RISK_UPD,
	S_ADDR_CLAIMED, S_GW_ADDRS, S_ADDR_DEL, S_ADDR_INS_KEY,
	S_MV_TOUCH, S_MV_EVID, S_MV_SVC, S_MV_ADDR, S_MV_EVID_DEL, S_MV_SVC_DEL,
	S_MG_CONV_CLI, S_MG_CONV_SRV, S_MG_EVENTS, S_MG_DEL,
	S_CAT_FACTS, S_CAT_PUT, S_EVID_ADD,
	S_NSTMTS
};

/*
 * Asset ids by MAC and by key IP, so a batch does not ask SQLite for the
 * same device again and again; and, behind a gateway, whether the gateway
 * claims an IP (AC_VIA_GW: `via` is the gateway, `id` the asset meant).
 * Dropped whole when a batch rolls back (the ids may not exist then) and
 * when a gateway is promoted or merged.
 */
enum { AC_EMPTY, AC_MAC, AC_KEYIP, AC_VIA_GW };

struct acache_ent {
	uint32_t	 gen;		/* valid only while equal to the store's cache_gen */
	uint8_t		 type;		/* AC_* */
	uint8_t		 addr[17];	/* MAC, or IP family + address */
	bool		 gateway;
	int64_t		 id;
	int64_t		 via;
};

/*
 * last_seen / first_seen moves of a batch, one row per asset written at
 * its end (inside the transaction) instead of an UPDATE per sighting.
 * STORE_TOUCH_SLOTS open-addressed slots, written out early when half full.
 */
struct touch_ent {
	int64_t		 id;		/* 0: empty */
	long long	 lo, hi;
};

/*
 * Evidence rows known to exist (model.c), and the sightings of them a batch
 * has not written yet: a repeated fact adds to count and moves the times of
 * its row, which commutes, so the sightings of one batch are summed here and
 * written as one UPDATE per row (evid_flush) before anything reads those
 * columns: at the batch's end, before a verdict, a gateway promotion, a
 * merge, or an identity change of the asset (ev_identity).  Entries are
 * valid while gen equals evid_gen (evcache_clear: whenever acache_clear,
 * and when rows move to another asset).
 */
struct evid_ent {
	uint32_t	 gen;
	bool		 dirty;		/* n sightings not written yet */
	uint16_t	 klen;
	int64_t		 asset;
	uint64_t	 hash;
	uint32_t	 n;
	int		 conf;		/* highest confidence of those sightings */
	long long	 lo, hi;	/* their times */
	char		 key[EVID_KEY_MAX];	/* attribute NUL value NUL source NUL */
};

struct store {
	sqlite3			*db;
	enum store_mode		 mode;
	char			 path[1024];
	char			 errmsg[1024];
	char			 rejected_msg[1024];	/* why the last refused observation was */
	int			 last_rc;	/* SQLite's extended code of the last failure */
	sqlite3_stmt		*st[S_NSTMTS];
	const struct oui_db	*oui;
	const struct vendors	*vendors;
	const struct risk_policy *policy;
	const struct fprules	*rules;
	struct acache_ent	*cache;		/* ACACHE_SLOTS entries */
	uint32_t		 cache_gen;	/* bumped to forget every entry at once */
	struct touch_ent	*touch;		/* STORE_TOUCH_SLOTS entries */
	uint16_t		*touch_used;	/* slots in use, STORE_TOUCH_SLOTS / 2 */
	size_t			 ntouch;
	struct evid_ent		*evid;		/* EVID_CACHE_SLOTS entries */
	uint32_t		 evid_gen;
	uint32_t		*evid_dirty;	/* slots with sightings to write, EVID_PENDING_MAX */
	size_t			 nevid_dirty;
	struct riskset		 risk;		/* assets whose verdict the batch evaluates */
	struct store_stats	 stats;
	struct ev_state		*ev;		/* events.c; NULL when read-only */
	struct ep_state		*ep;		/* endpoints.c; NULL when read-only */
	struct store_limits	 limits;
	struct flood		*flood;		/* held senders (flood.c), allocated on first use */
	const struct obs	*cur_obs;	/* the observation being applied, NULL otherwise */
	long long		 newest_ts;	/* latest packet time stored: retention's "now" */
	struct timespec		 maint_at;	/* last retention run (monotonic) */
};

/* The handle itself: for store/ and the tests, never for its users. */
sqlite3	*store_db(struct store *st);
/* A text column with its length (q_asset.h); .s NULL for SQL NULL. */
struct qa_text qa_column(sqlite3_stmt *q, int col);

/* An asset some source vouches for: evidence stated or bannered, not the OUI's guess. */
#define SQL_VOUCHED_FOR(a) "EXISTS (SELECT 1 FROM evidence e WHERE e.asset_id = " a ".id " \
	"AND e.confidence >= 70 AND e.source <> 'oui')"

/* stmt.c: the prepared statements, the bottom of the store */
int	 st_prepare_all(struct store *s, char *err, size_t errsz);
int	 st_exec(struct store *s, const char *sql);	/* sqlite3_exec, no callback */
/* Run a prepared statement to completion; SQLITE_DONE / SQLITE_ROW on success. */
int	 st_step(struct store *s, enum stmt_id id);
void	 store_reset_statements(struct store *s);	/* ends a transaction's read snapshots */
sqlite3_stmt *st_get(struct store *s, enum stmt_id id);	/* reset + cleared bindings */
void	 st_error(struct store *s, const char *what);

/*
 * model.c: writes of the asset model that ingest and assess share, and
 * the asset-id cache's clear for whoever deletes or re-keys assets.
 * What only the upper layers call is in ingest.h, assess.h, flood.h and
 * units_int.h, which `make layering` keeps to their callers.
 */
int	 model_evidence(struct store *s, int64_t id, const char *attr, const char *val,
	    const char *src, int conf, long long ts, const char *via_ip, bool *is_new);
/* The summed sightings of known evidence rows: written (of one asset, or all), forgotten. */
int	 evid_flush(struct store *s);
int	 evid_flush_asset(struct store *s, int64_t asset_id);
void	 evid_drop(struct store *s);
void	 evcache_clear(struct store *s);	/* rows moved or deleted: none is known any more */
/* An asset the batch must evaluate (batch.c does, through assess.c). */
void	 touch_for_risk(struct store *s, int64_t asset_id);
void	 acache_clear(struct store *s);

struct obs;
/* events.c: the writing side of events.h, inside the ingest transaction */
int	 ev_open(struct store *s, char *err, size_t errsz);
void	 ev_close(struct store *s);
void	 ev_batch_begin(struct store *s);
void	 ev_saw(struct store *s, long long ts);		/* a packet time of the batch */
long long ev_batch_time(const struct store *s);	/* the newest, 0 if none */
int	 ev_batch_end(struct store *s);
/* packet_time false: ts is the wall clock (it never ends the learning period) */
int	 ev_change(struct store *s, long long ts, int64_t asset, enum ev_kind k, const char *field,
	    const char *old, const char *new_value, const char *detail, bool packet_time);
int	 ev_identity(struct store *s, int64_t id, const char *attr, const char *val,
	    const char *src, long long ts);
int	 ev_address(struct store *s, int64_t id, const char *ip, const char *src, long long ts);
int	 ev_new_service(struct store *s, int64_t id, const char *transport, int port,
	    const char *proto, long long ts);
int	 ev_new_client(struct store *s, int64_t cli, int64_t srv, const char *cli_addr,
	    const char *proto, long long ts, int64_t rowid);
int	 ev_operation(struct store *s, const struct obs *o, int64_t cli, int64_t srv, long long ts);
/* A change event by kind name (events.h), without old/new value. */
int	 add_event(struct store *s, long long ts, int64_t asset_id, const char *kind,
	    const char *detail);

#endif
