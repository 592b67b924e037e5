/*
 * store.h - the SQLite store: inventory, evidence, history.
 *
 * Only store/ touches the database.  The daemon owns one read-write handle and
 * feeds it batches from the observation queue, one transaction per batch;
 * the CLI opens it read-only (WAL lets both run at once).
 */
#ifndef SW_STORE_H
#define SW_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "obs.h"

struct obsq;
struct oui_db;
struct risk_policy;
struct store;
struct vendors;

enum store_mode { STORE_RW, STORE_RO };

/*
 * Open (creating and migrating in RW mode).  On failure returns NULL and
 * writes a sentence for the operator into err: what is wrong with which
 * file, and what to do about it.
 */
struct store	*store_open(const char *path, enum store_mode mode, char *err, size_t errsz);
void		 store_close(struct store *st);

/*
 * Drain the observation queue into the database in one transaction.
 * Returns the number of observations consumed, or -1 (message in
 * store_errmsg; the observations stay queued for the next try).  An
 * observation the store refuses is left out and counted (stats.rejected,
 * store_rejected_msg); the rest of its batch is committed.
 */
long		 store_ingest(struct store *st, struct obsq *q);
const char	*store_errmsg(const struct store *st);
const char	*store_rejected_msg(const struct store *st);	/* the last refusal, "" if none */

/*
 * What the last failure means (store/fault.c): a class, whether waiting
 * may cure it, and a clause telling the operator what to do.
 * store_fault_of() classifies any SQLite result code (the CLI's queries).
 */
enum store_fault {
	STORE_FAULT_NONE, STORE_FAULT_BUSY, STORE_FAULT_CORRUPT, STORE_FAULT_FULL,
	STORE_FAULT_DENIED, STORE_FAULT_IO, STORE_FAULT_OTHER
};
enum store_fault store_fault_of(int sqlite_rc);
enum store_fault store_last_fault(const struct store *st);
bool		 store_fault_transient(enum store_fault f);
const char	*store_fault_advice(enum store_fault f);

/* The OUI registry used to name new MAC-keyed assets (not owned). */
void		 store_set_oui(struct store *st, const struct oui_db *oui);
/*
 * The vendor table and risk policy (not owned).  Assets touched by a batch
 * are re-evaluated inside it; store_reevaluate_all() re-evaluates every
 * asset (start, SIGHUP) and returns how many, or -1.
 */
void		 store_set_risk(struct store *st, const struct vendors *v,
		    const struct risk_policy *p);
long		 store_reevaluate_all(struct store *st, long long now);

/*
 * Fingerprint rules (ident/fprules.h, not owned): new evidence is matched
 * against them and what a rule concludes is stored as evidence of its own,
 * source "rule:ID".
 */
struct fprules;
void		 store_set_rules(struct store *st, const struct fprules *r);

/*
 * The Internet side (store/endpoints.c): the site's networks ("" for the
 * default: RFC 1918, RFC 6598, link-local, ULA), the service table and the
 * location database (neither owned; either may be NULL).  An address
 * outside the site reached through a router is an endpoint, not an asset.
 * -1 with a sentence in err for a malformed network list.
 */
struct services;
struct asinfo;
int		 store_set_site(struct store *st, const char *networks,
		    const struct services *svc, struct asinfo *ai, char *err, size_t errsz);

/*
 * Bounds on what the database keeps (store/bound.c, store/flood.c):
 * max_db_bytes of used pages (0: none) -- beyond 90% of it, weakly
 * evidenced, short-lived assets go first, then the oldest events;
 * events older than event_keep_days (packet time; 0: kept); new assets
 * admitted at once (burst) and per minute before a flood holds them back
 * (per_min 0: no flood handling).
 */
struct store_limits {
	uint64_t	 max_db_bytes;
	int		 event_keep_days;
	int		 new_assets_burst;
	int		 new_assets_per_min;
	int		 first_start_burst;	/* on an empty database, for FLOOD_FIRST_START_S; 0: new_assets_burst */
};
void		 store_set_limits(struct store *st, const struct store_limits *l);
/*
 * Retention and the budget; cheap when nothing is due (called after each
 * batch).  Returns the rows deleted, or -1 (store_errmsg).
 */
long		 store_maintain(struct store *st);
/* Used bytes of the database file (pages in use times page size). */
uint64_t	 store_used_bytes(struct store *st);

/*
 * A command's session (store/reader.c): every query of a CLI command in
 * one transaction, so it sees one snapshot while the daemon writes.  A
 * busy database is waited for busy_ms per statement; STORE_RW takes the
 * write lock at once (BEGIN IMMEDIATE).  Both return SQLite's result
 * code (store_rc_ok; store_fault_of says what a failure means).
 */
int		 store_session_begin(struct store *st, int busy_ms);
int		 store_session_end(struct store *st);	/* COMMIT, if a transaction is open */
/* The handle's last result: SQLite's code and its sentence (for a read that failed). */
int		 store_db_errcode(const struct store *st);
const char	*store_db_errmsg(const struct store *st);
const char	*store_rc_str(int sqlite_rc);		/* a result code's sentence */
bool		 store_rc_ok(int sqlite_rc);		/* OK, ROW or DONE */

/* Counters for `status`: batches, observations applied, errors. */
struct store_stats {
	uint64_t	 batches;
	uint64_t	 applied;
	uint64_t	 failed_batches;
	uint64_t	 assets_created;
	uint64_t	 gateways;
	uint64_t	 risk_evaluations;
	uint64_t	 risk_early;		/* verdicts given mid-batch, the set near STORE_RISK_MAX */
	uint64_t	 risk_deferred;		/* touches beyond STORE_RISK_MAX: evaluated later */
	uint64_t	 risk_endpoints_cut;	/* verdicts that judged only EP_MAX_ROWS of an asset's endpoints */
	uint64_t	 evidence_deferred;	/* sightings of known evidence rows summed in memory */
	uint64_t	 evidence_flushed_early;	/* ... written before the batch's end (EVID_PENDING_MAX) */
	uint64_t	 endpoints_created;	/* external addresses seen (not assets) */
	uint64_t	 endpoint_lookups;	/* of them, found in the location database */
	uint64_t	 endpoint_facts_dropped;	/* facts about endpoints that name nothing */
	uint64_t	 transit_dropped;	/* traffic between two external addresses */
	uint64_t	 pdns_dropped;		/* passive DNS rows dropped at PDNS_MAX */
	uint64_t	 events_written;
	uint64_t	 replies_unmatched;	/* operation replies with no request event to count into */
	/* observations the store refused (the rest of their batch was kept), by kind */
	uint64_t	 rejected[OBS_NKINDS];
	uint64_t	 floods;		/* flood events opened */
	uint64_t	 flood_senders;		/* new senders held back */
	uint64_t	 flood_promoted;	/* ... that became assets */
	uint64_t	 flood_forgotten;	/* ... dropped from the full tier */
	uint64_t	 flood_held_obs;	/* observations of held senders not stored */
	uint64_t	 pruned_assets;		/* deleted for the budget */
	uint64_t	 pruned_events;		/* deleted for the budget or by age */
	uint64_t	 over_budget;		/* maintenance runs that could not get under it */
};
void		 store_get_stats(const struct store *st, struct store_stats *out);

#endif
