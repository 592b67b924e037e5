/*
 * q_asset.h - the read queries behind `spanwatch list` and `spanwatch
 * show`: the assets, and per asset its addresses, evidence, services,
 * the protocols it uses as a client, its peers and its risk verdict,
 * each row handed to a callback in the order the listing shows it.
 *
 * Strings are the stored bytes with their length, not checked for UTF-8
 * (the CLI's writers escape them); .s is NULL for SQL NULL.  They are
 * valid during the callback only.  Times are Unix seconds.  Functions
 * return 0, or SQLite's result code (store_fault_of() says whether trying
 * again may help, store_db_errmsg() what went wrong); a callback that
 * returns false stops the walk early (0).
 */
#ifndef SW_Q_ASSET_H
#define SW_Q_ASSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

struct qa_text {
	const char	*s;
	size_t		 len;
};

struct qa_asset {
	int64_t		 id;
	struct qa_text	 mac, key_ip, oui_vendor, oui_country, category, category_reason;
	int64_t		 first_seen, last_seen, vlan;
	bool		 mac_local, gateway;
};

struct qa_evidence {
	struct qa_text	 attribute, value, source;
	int64_t		 confidence, first_seen, last_seen, count;
};

struct qa_service {
	struct qa_text	 transport, protocol, role;
	int64_t		 port, first_seen, last_seen;
};

struct qa_address {
	struct qa_text	 ip, source;
	int64_t		 first_seen, last_seen;
};

/* The other side of one of the asset's conversations. */
struct qa_peer {
	int64_t		 id;
	struct qa_text	 mac, ip;	/* ip: the peer's current address (store/sql_frag.h) */
	bool		 is_server;	/* the peer served, the asset was the client */
	struct qa_text	 transport, protocol;
	int64_t		 port, packets, bytes, first_seen, last_seen;
};

/* The risk engine's verdict; reason is the stored JSON (or, older, plain text). */
struct qa_risk {
	struct qa_text	 level, reason, vendor, country, accepted;
};

/*
 * A reader for one command: its statements prepared once for the whole
 * listing.  detail adds addresses and peers (`show`).  0 and *out, or
 * SQLite's code.
 */
struct qa_reader;
int	 qa_reader_open(struct store *st, bool detail, struct qa_reader **out);
void	 qa_reader_close(struct qa_reader *r);

/* Every asset by id, or only the asset `only` when it is > 0. */
int	 qa_assets(struct qa_reader *r, int64_t only,
	    bool (*cb)(void *arg, const struct qa_asset *a), void *arg);
/* The asset's addresses, the current one first. */
int	 qa_ips(struct qa_reader *r, int64_t id, bool (*cb)(void *arg, struct qa_text ip),
	    void *arg);
/* Its evidence by attribute, the best first within each (docs/SCHEMA.md, "The resolved view"). */
int	 qa_evidence(struct qa_reader *r, int64_t id,
	    bool (*cb)(void *arg, const struct qa_evidence *e), void *arg);
/* The services it offers, by port, transport, role. */
int	 qa_services(struct qa_reader *r, int64_t id,
	    bool (*cb)(void *arg, const struct qa_service *s), void *arg);
/* The protocols it uses as a client, in name order. */
int	 qa_client_protocols(struct qa_reader *r, int64_t id,
	    bool (*cb)(void *arg, struct qa_text protocol), void *arg);
/* Detail readers only: every address with its times, current first; the peers, newest first. */
int	 qa_addresses(struct qa_reader *r, int64_t id,
	    bool (*cb)(void *arg, const struct qa_address *a), void *arg);
int	 qa_peers(struct qa_reader *r, int64_t id,
	    bool (*cb)(void *arg, const struct qa_peer *p), void *arg);
/*
 * The verdict into *out (strings valid until the reader's next call);
 * *found false when the asset has none, or the database predates the
 * risk table.
 */
int	 qa_risk(struct qa_reader *r, int64_t id, struct qa_risk *out, bool *found);

/*
 * The asset a user named: by id, by MAC (as mac_fmt() writes it) or by IP
 * (as ip_fmt() writes it: an address it has or had, the most recently
 * seen, or its key IP).  *id 0 when none.
 */
enum qa_key { QA_BY_ID, QA_BY_MAC, QA_BY_IP };
int	 qa_lookup(struct store *st, enum qa_key by, const char *key, int64_t *id);

#endif
