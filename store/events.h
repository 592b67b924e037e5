/*
 * events.h - what happened on the network that a SOC wants to hear of:
 * operations (a client did something to a controller) and changes (an
 * asset appeared, changed its address, identity, clients, services or
 * risk, fell silent).  docs/JSON.md, "Events", is the contract.
 *
 * Change events are recorded once per value and, during the learning
 * period (the baseline), flagged baseline = true: stored, shown, not
 * forwarded.  Operations are always alerts.
 */
#ifndef SW_EVENTS_H
#define SW_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ops.h"

struct store;

/* Event kinds: stable names (never rename, only append). */
enum ev_kind {
	EV_OPERATION,
	EV_ASSET_NEW,
	EV_ADDRESS_CHANGED,
	EV_IDENTITY_CHANGED,
	EV_NEW_CLIENT,
	EV_NEW_SERVICE,
	EV_GATEWAY,
	EV_RISK_CHANGED,
	EV_ASSET_SILENT,
	EV_FLOOD,		/* many new senders at once: held back (store/flood.c) */
	EV_KIND_COUNT
};

const char	*ev_kind_name(enum ev_kind k);	/* NULL if out of range */
int		 ev_kind_from_name(const char *name);	/* -1 if unknown */

#define EV_LEARNING_DEFAULT_S	(7 * 86400)	/* learning period: 7 days of packet time */

struct events_cfg {
	long long	 learning_s;	/* learning period; 0: none, every change is an alert */
	long long	 silent_s;	/* asset_silent after this long unseen; 0: never */
	int		 severity[EV_KIND_COUNT];	/* 0-10 */
	int		 op_severity[OP_KIND_COUNT];	/* per operation kind; -1: severity[EV_OPERATION] */
};

void	 events_cfg_defaults(struct events_cfg *c);
/*
 * "operation=8, asset_new=3, restart_cold=10": severities 0-10 by event
 * kind or operation kind over the defaults.  -1 and a sentence in err on
 * a bad item (c unchanged).
 */
int	 events_cfg_severity(struct events_cfg *c, const char *text, char *err, size_t errsz);
/* The configuration the store applies to the events it writes (copied). */
void	 store_set_events(struct store *st, const struct events_cfg *c);

/* --- the learning period (baseline) ------------------------------------------ */

struct baseline_info {
	bool		 learning;	/* still learning: changes are not alerts */
	long long	 start;		/* packet time of the first change recorded, 0 if none */
	long long	 end;		/* when learning ends (learning) or ended; 0 if unknown */
	long long	 accepted;	/* wall time of `baseline --accept`, 0 if never */
	long long	 baseline_events, alert_events;
};
/* learning_s: the configured period, to say when learning ends */
int	 store_baseline_info(struct store *st, long long learning_s, struct baseline_info *out);
/*
 * End the learning period now (or accept the current state once more):
 * from here on every change is an alert.  A write: st must be STORE_RW.
 * 0, or -1 with store_errmsg().
 */
int	 store_baseline_accept(struct store *st, long long now);

/* --- reading ------------------------------------------------------------------ */

struct event_filter {
	uint32_t	 kinds;		/* bit (1u << enum ev_kind) per kind kept; 0: every kind */
	int64_t		 asset;		/* 0: all; else events of, by or on this asset */
	long long	 since;		/* ts at or after (0: all) */
	long long	 after_id;	/* id greater than this (--follow, the forwarder) */
	bool		 alerts_only;	/* leave out baseline events */
	size_t		 limit;		/* 0: no limit */
};

/*
 * Events matching f, oldest first (by id), each as the JSON object of
 * docs/JSON.md handed to cb (which owns it).  A non-zero return of cb
 * stops.  Returns how many were handed on, or -1 (store_errmsg; the
 * SQLite result code in *sqlite_rc if not NULL, so a reader can retry
 * on SQLITE_BUSY).
 */
long	 store_events(struct store *st, const struct event_filter *f,
	    int (*cb)(void *arg, json_t *ev), void *arg, int *sqlite_rc);
/* The highest event id (0 if none), -1 on error. */
long long store_events_last_id(struct store *st);

/* Severity 0-10 as an RFC 5424 severity (2 critical ... 6 informational). */
int	 ev_syslog_severity(int sev);

#endif
