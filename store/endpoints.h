/*
 * endpoints.h - the Internet side of the inventory, for store/ only:
 * the site's networks, external endpoints (who runs them, who talked to
 * them), passive DNS, and what they add to an asset's risk.
 */
#ifndef SW_ENDPOINTS_H
#define SW_ENDPOINTS_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "addr.h"
#include "sw_limits.h"

struct store;
struct obs;
struct risk_result;
struct services;
struct asinfo;

enum ep_stmt {
	P_EP_GET, P_EP_INS, P_EP_TOUCH, P_EP_SET_AS, P_FLOW, P_NAME, P_PDNS, P_PDNS_COUNT,
	P_PDNS_TRIM, P_ASSET_ADDRS, P_NAMES_OF, P_ENDPOINTS_OF, P_EP_NAMES, P_NSTMTS
};

struct site_net {
	struct ipaddr	 a;
	unsigned	 bits;
};

struct ep_memo {
	uint8_t		 key[17];	/* family + address; key[0] 0: empty */
	int64_t		 id;		/* endpoint id, 0 unknown */
	bool		 is_asset;	/* the address has an IP-keyed asset */
	bool		 asset_known;	/* is_asset was looked up */
};

struct ep_state {
	struct site_net	 nets[SITE_NETS_MAX];
	size_t		 nnets;
	const struct services *svc;
	struct asinfo	*ai;
	struct ep_memo	*memo;		/* EP_MEMO_SLOTS */
	int64_t		 site_mac[EP_MEMO_SLOTS];	/* assets known to have a site address */
	/* assets known to have none, while no address is added to them and the store's
	 * cache generation (acache_clear: a promotion, a merge, a rollback) stays */
	struct { int64_t id; uint32_t gen; } site_none[EP_MEMO_SLOTS];
	unsigned	 pdns_since_check;
	sqlite3_stmt	*st[P_NSTMTS];
};

sqlite3_stmt *ep_q(struct store *s, enum ep_stmt id);	/* reset, bindings cleared */
int	 ep_step(struct store *s, enum ep_stmt id);	/* step; a failure is the batch's error */


int	 ep_open(struct store *s, char *err, size_t errsz);
void	 ep_close(struct store *s);

/* Is the address inside the site's networks ([site] networks)? */
bool	 ep_in_site(const struct store *s, const struct ipaddr *ip);
/* Is the address, outside the site, already an inventory asset (keyed by IP)? */
bool	 ep_ip_is_asset(struct store *s, const struct ipaddr *ip);
/* Remember that an outside address is an asset (it serves an OT protocol). */
void	 ep_mark_asset(struct store *s, const struct ipaddr *ip);
/* Does a MAC-keyed asset have an address inside the site (so it forwards the others)? */
bool	 ep_asset_has_site_addr(struct store *s, int64_t asset_id);
/* An address row was added to the asset (or the id is new): forget that it had no site address. */
void	 ep_asset_addr_added(struct store *s, int64_t asset_id);
/* Does a protocol name an OT protocol (a remote RTU keeps its asset)? */
bool	 ep_ot_protocol(const char *proto, uint16_t port);

/*
 * Traffic between local asset `asset` and the external address `ext`:
 * outbound (the asset is the client) or inbound (a probe or connection
 * from the Internet).  Creates the endpoint and looks up who runs it once.
 */
int	 ep_flow(struct store *s, int64_t asset, const struct ipaddr *ext, bool outbound,
	    const struct obs *o, long long ts);
/* A fact about an external address: names it answers to are kept, the rest counted. */
int	 ep_fact(struct store *s, const struct ipaddr *ext, const struct obs *o, long long ts,
	    int64_t asker);
/* A DNS answer "name=address" a local asset received: passive DNS. */
int	 ep_dns_answer(struct store *s, int64_t asset, const char *val, long long ts);

/* Service and Internet reasons for an asset's verdict (assess.c). */
int	 ep_assess(struct store *s, int64_t asset, bool has_names, bool has_flows,
	    struct risk_result *r);

#endif
