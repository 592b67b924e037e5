/*
 * flow.h - bidirectional flow table keyed by VLAN + 5-tuple.
 *
 * Fixed-size pool allocated once (no allocation per packet), a hash table
 * sized once, and an LRU list: when the pool is full the least recently
 * seen flow is evicted and counted.  Idle flows age out on packet time.
 */
#ifndef SW_FLOW_H
#define SW_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "reasm.h"

struct dissector;
struct pkt;

struct endpoint {
	uint8_t		 mac[6];
	struct ipaddr	 ip;
	uint16_t	 port;
};

enum flow_role_by {
	ROLE_BY_SYN,		/* saw SYN or SYN-ACK: certain */
	ROLE_BY_PORT,		/* one side uses a well-known / dissector port */
	ROLE_BY_LOWER_PORT,	/* guess: the lower port serves */
};

struct flow {
	/* lookup: what a hash-chain walk reads comes first, in one cache line or two */
	struct flow	*hnext;		/* hash chain */
	uint32_t	 hash;

	/* identity */
	uint16_t	 vlan;
	uint8_t		 proto;		/* L4_TCP / L4_UDP / other IP proto */
	struct endpoint	 cli, srv;	/* who is client and server */
	uint8_t		 role_by;	/* enum flow_role_by */

	/* accounting */
	uint64_t	 first_us, last_us;
	uint64_t	 pkts[2], bytes[2];	/* [DIR_C2S], [DIR_S2C] */
	uint64_t	 pkts_reported, bytes_reported;	/* already sent as OBS_PEER */
	uint64_t	 reported_us;	/* packet time of the last OBS_PEER */
	uint8_t		 fin_seen;	/* bit per direction */
	bool		 rst_seen;
	bool		 service_reported;

	/* application layer */
	const struct dissector *d;	/* bound dissector, NULL while unknown */
	uint8_t		 d_idx;		/* its index in dissectors[] (set with d) */
	void		*dstate;	/* its per-flow state */
	uint32_t	 d_pdus;	/* PDUs it parsed on this flow */
	uint8_t		 probe_pkts;	/* payload packets spent probing */
	bool		 no_dissector;	/* gave up probing */
	uint32_t	 tried;		/* bitmask of dissector indexes that said "not mine" */
	/*
	 * Facts this flow reported within FACT_REFRESH_US of fact_memo_since
	 * (dissector.c): a repeat, most PDUs' facts, is dropped here, in a
	 * cache line already loaded, instead of in the shared fact cache.
	 */
	uint64_t	 fact_memo[FLOW_FACT_MEMO];
	uint64_t	 fact_memo_since;
	uint8_t		 fact_memo_next;
	struct reasm_dir rs[2];		/* TCP reassembly per direction */

	/* nDPI classification (packet/classify.c) */
	void		*ndpi;		/* nDPI flow state while classifying */
	const char	*app_proto;	/* nDPI protocol name once known */
	const char	*app_category;
	bool		 classified;

	/* table links */
	struct flow	*lru_prev, *lru_next;
	uint8_t		 lru_class;	/* which ageing list (flow.c) */
	bool		 in_use;
};

struct flow_stats {
	uint64_t	 created;
	uint64_t	 evicted;	/* pushed out by the cap (LRU) */
	uint64_t	 expired;	/* idle timeout */
	uint64_t	 active;
};

struct flow_table;

/* Called for every flow leaving the table (evicted, expired, or at free). */
typedef void (*flow_release_cb)(void *arg, struct flow *f);

struct flow_table *flow_table_new(size_t max_flows, flow_release_cb cb, void *arg);
void	 flow_table_free(struct flow_table *ft);
/* Release every flow (through the callback) and zero the counters; the pool stays. */
void	 flow_table_release_all(struct flow_table *ft);
void	 flow_table_clear(struct flow_table *ft);

/*
 * Find or create the flow of a decoded IP packet with L4 ports; sets *dir
 * to DIR_C2S or DIR_S2C for this packet.  `is_server_port` tells whether a
 * port is well known (a dissector's), for the client/server decision.
 * Returns NULL only when the pool has no room and eviction is impossible.
 */
struct flow *flow_lookup(struct flow_table *ft, const struct pkt *p, int *dir,
		    bool (*is_server_port)(void *arg, uint8_t proto, uint16_t port), void *arg);
/* Expire at most max flows idle at now_us; returns how many. */
size_t	 flow_expire(struct flow_table *ft, uint64_t now_us, size_t max);
/* Visit every active flow (for periodic OBS_PEER deltas). */
void	 flow_walk(struct flow_table *ft, void (*cb)(void *arg, struct flow *f), void *arg);
/*
 * Visit active flows in pool order from slot *pos, at most max of them;
 * *pos moves on.  Returns true when the whole pool has been visited.
 */
bool	 flow_walk_some(struct flow_table *ft, size_t *pos, size_t max,
	    void (*cb)(void *arg, struct flow *f), void *arg);
const struct flow_stats *flow_table_stats(const struct flow_table *ft);

#endif
