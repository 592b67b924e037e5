/*
 * q_export.h - what the SOC export reads and the cursor it keeps.
 *
 * The store's side of export/ (docs/EXPORT.md): one read snapshot, the
 * records of one window in it (assets with their resolved attributes and
 * risk, services, conversations, events), and the cursor of a (format,
 * directory) in the meta table.  Records are handed to a callback one at a
 * time; every text is clean UTF-8 (utf8_clean) or NULL.
 */
#ifndef SW_Q_EXPORT_H
#define SW_Q_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct store;
struct store_export;

enum export_rtype { EXPORT_R_ASSET, EXPORT_R_SERVICE, EXPORT_R_CONV, EXPORT_R_EVENT };
#define EXPORT_R_NTYPES	4
extern const char *const export_rtype_names[EXPORT_R_NTYPES];	/* "asset", ... */

/* One exported record. */
struct export_rec {
	enum export_rtype type;
	int64_t		 ts;		/* @timestamp: last seen, or the event time */
	int64_t		 asset_id;
	char		*mac, *ip;	/* the asset (client side of a conversation) */
	json_t		*ips;		/* asset: every address, newest first */
	char		*hostname, *os, *vendor, *oui_vendor, *oui_country, *model;
	char		*firmware, *serial, *hardware, *device_type;
	char		*category, *category_reason;	/* ident/category.c's name and why */
	char		*ann_name, *ann_zone, *ann_crit, *ann_note;	/* spanwatch annotate */
	json_t		*roles, *protocols, *reasons;
	char		*risk_level, *risk_vendor, *risk_country, *accepted;
	int64_t		 gateway, vlan, first, last;
	char		*transport, *protocol, *role;
	int64_t		 port;
	int64_t		 peer_id, packets, bytes;
	char		*peer_mac, *peer_ip;
	int64_t		 event_id;
	char		*kind, *detail;
	/* events (docs/JSON.md, "Events"): peer_* is an operation's server, client_* its client */
	int64_t		 severity, baseline, count, responses, failed;
	char		*field, *old_value, *new_value, *operation, *outcome;
	int64_t		 client_id;
	char		*client_mac, *client_ip;
	/*
	 * A conversation with an Internet endpoint (peer_id 0, peer_ip the
	 * endpoint): who runs it and the names it went by; inbound when the
	 * endpoint was the client (a probe: peer is then the source).
	 */
	bool		 external, inbound;
	char		*ext_country, *ext_as_name, *ext_owner;
	int64_t		 ext_asn;
	json_t		*ext_names;	/* ["eu5.fusionsolar.huawei.com", ...] */
};

/*
 * The window of one run: state records whose time is after t_lo (their
 * last_seen, or an asset's evidence/address last_seen), and events with
 * e_lo < id <= e_hi and ts >= ev_ts_lo.
 */
struct export_range {
	int64_t	 t_lo, e_lo, e_hi, ev_ts_lo;
};

/* Where the last committed run of a (format, directory) ended. */
struct export_cursor {
	int64_t	 t, e;		/* time high-water mark, last event id */
	char	 file[256];	/* the file it wrote */
	bool	 found;		/* false: no run yet (t = -1) */
};

/*
 * Open a read snapshot (a transaction of its own when st is not inside
 * one).  NULL with a sentence in err on failure.
 */
struct store_export *store_export_begin(struct store *st, char *err, size_t errsz);
/* The snapshot's high-water marks: newest change of a state record, last event id. */
int	 store_export_marks(struct store_export *x, int64_t *t_high, int64_t *e_high,
	    char *err, size_t errsz);
/*
 * Every record of the window, in order (assets, services, conversations,
 * events), to fn; counts[type] counts them.  0; -1 on a database error
 * (err); 1 when fn returned non-zero (it stops the walk).
 */
int	 store_export_records(struct store_export *x, const struct export_range *w,
	    int (*fn)(void *arg, const struct export_rec *r), void *arg,
	    uint64_t counts[EXPORT_R_NTYPES], char *err, size_t errsz);
/* End the snapshot (before the slow part of a commit) and free it. */
void	 store_export_end(struct store_export *x);

/* The cursor stored under key; found = false when there is none. */
void	 store_export_cursor_read(struct store *st, const char *key, struct export_cursor *c);
/*
 * Store the cursor.  On a read-only store this opens a short read-write
 * connection of its own for the one statement.
 */
int	 store_export_cursor_write(struct store *st, const char *key,
	    const struct export_cursor *c, char *err, size_t errsz);

#endif
