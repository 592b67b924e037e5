/*
 * flow.c - the flow table (see flow.h).
 *
 * The pool and the bucket array are allocated once at the cap; a lookup
 * allocates nothing.  The LRU list is ordered by last packet time, so both
 * eviction (tail when full) and ageing (walk from the tail) are cheap.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "bigmem.h"
#include "decode.h"
#include "flow.h"
#include "sw_limits.h"
#include "obs.h"

#define LRU_CLASSES	4
#define LRU_UNANSWERED	3	/* TCP the server never answered: evicted first */

struct flow_table {
	struct flow	*pool;
	struct flow	**buckets;
	size_t		 max, nbuckets;
	struct flow	*free_list;	/* recycled flows, chained through hnext */
	struct flow	*last;		/* the flow of the last lookup (NULL once it leaves) */
	size_t		 fresh;		/* pool[fresh..max) never used: untouched memory */
	/*
	 * One LRU list per idle timeout (closed TCP, UDP, open TCP), each
	 * ordered by last packet: ageing stops at the first flow too young in
	 * each list instead of walking past long-lived ones.
	 */
	struct flow	*lru_head[LRU_CLASSES], *lru_tail[LRU_CLASSES];
	struct flow_stats st;
	uint64_t	 seed;		/* hash key, random per table */
	flow_release_cb	 release;
	void		*release_arg;
};

/*
 * One endpoint, eight bytes at a time (the byte-wise FNV this replaced
 * was a sixth of the per-packet cost).  The key is our decoded copy, not
 * packet bytes.  Keyed with a per-table random seed, so a sender cannot
 * precompute addresses that pile up in one chain.
 */
static uint64_t
ep_hash(uint64_t seed, const struct ipaddr *ip, uint16_t port)
{
	uint64_t w0, w1, h;

	memcpy(&w0, ip->a, 8);
	memcpy(&w1, ip->a + 8, 8);
	h = (w0 ^ seed) * 0x9e3779b97f4a7c15ull;
	h = (h ^ (h >> 29) ^ w1 ^ ((uint64_t)port << 40)) * 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 32);
}

/* Symmetric: both directions of a flow hash alike. */
static uint32_t
flow_hash(const struct flow_table *ft, const struct ipaddr *a, uint16_t pa,
    const struct ipaddr *b, uint16_t pb, uint8_t proto, uint16_t vlan)
{
	uint64_t h = ep_hash(ft->seed, a, pa) + ep_hash(ft->seed, b, pb);

	h = (h ^ ((uint64_t)proto << 16) ^ vlan) * 0x94d049bb133111ebull;
	return (uint32_t)(h ^ (h >> 31));
}

struct flow_table *
flow_table_new(size_t max_flows, flow_release_cb cb, void *arg)
{
	struct flow_table *ft = calloc(1, sizeof(*ft));

	if (ft == NULL)
		return NULL;
	ft->max = max_flows ? max_flows : FLOW_MAX_DEFAULT;
	for (ft->nbuckets = 1024; ft->nbuckets < ft->max * 2; ft->nbuckets *= 2)
		;
	ft->pool = bigmem_alloc(ft->max * sizeof(*ft->pool));
	ft->buckets = bigmem_alloc(ft->nbuckets * sizeof(*ft->buckets));
	if (ft->pool == NULL || ft->buckets == NULL) {
		bigmem_free(ft->pool, ft->max * sizeof(*ft->pool));
		bigmem_free(ft->buckets, ft->nbuckets * sizeof(*ft->buckets));
		free(ft);
		return NULL;
	}
	if (getrandom(&ft->seed, sizeof(ft->seed), GRND_NONBLOCK) != sizeof(ft->seed))
		ft->seed = (uint64_t)(uintptr_t)ft ^ 0x2545f4914f6cdd1dull;	/* still differs per run (ASLR) */
	ft->release = cb;
	ft->release_arg = arg;
	return ft;
}

static uint64_t
idle_limit_us(uint8_t class)
{
	static const uint64_t s[LRU_CLASSES] = { FLOW_IDLE_TCP_CLOSED_S, FLOW_IDLE_UDP_S, FLOW_IDLE_TCP_S,
	    FLOW_IDLE_TCP_S };

	return s[class] * 1000000ull;
}

static uint8_t
lru_class_of(const struct flow *f)
{
	if (f->proto != L4_TCP)
		return 1;
	if (f->rst_seen || f->fin_seen == 3)
		return 0;
	return f->pkts[1] == 0 ? LRU_UNANSWERED : 2;
}

static void
lru_unlink(struct flow_table *ft, struct flow *f)
{
	uint8_t k = f->lru_class;

	if (f->lru_prev)
		f->lru_prev->lru_next = f->lru_next;
	else
		ft->lru_head[k] = f->lru_next;
	if (f->lru_next)
		f->lru_next->lru_prev = f->lru_prev;
	else
		ft->lru_tail[k] = f->lru_prev;
	f->lru_prev = f->lru_next = NULL;
}

static void
lru_push_head(struct flow_table *ft, struct flow *f)
{
	uint8_t k = f->lru_class = lru_class_of(f);

	f->lru_prev = NULL;
	f->lru_next = ft->lru_head[k];
	if (ft->lru_head[k])
		ft->lru_head[k]->lru_prev = f;
	ft->lru_head[k] = f;
	if (ft->lru_tail[k] == NULL)
		ft->lru_tail[k] = f;
}

/*
 * The flow to evict: the oldest TCP flow nobody answered if there is one
 * (a SYN flood from spoofed senders must not push out the plant's real
 * connections), else the least recently seen of all; NULL if none.
 */
static struct flow *
lru_oldest(const struct flow_table *ft)
{
	struct flow *best = NULL;

	if (ft->lru_tail[LRU_UNANSWERED])
		return ft->lru_tail[LRU_UNANSWERED];
	for (int k = 0; k < LRU_CLASSES; k++)
		if (ft->lru_tail[k] && (best == NULL || ft->lru_tail[k]->last_us < best->last_us))
			best = ft->lru_tail[k];
	return best;
}

/* Take a flow out of the table and give it back to the pool. */
static void
flow_remove(struct flow_table *ft, struct flow *f)
{
	struct flow **pp = &ft->buckets[f->hash & (ft->nbuckets - 1)];

	if (ft->release)
		ft->release(ft->release_arg, f);
	if (ft->last == f)
		ft->last = NULL;
	while (*pp && *pp != f)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = f->hnext;
	lru_unlink(ft, f);
	memset(f, 0, sizeof(*f));
	f->hnext = ft->free_list;
	ft->free_list = f;
	ft->st.active--;
}

/* Every flow leaves through the release callback; the counters stay. */
void
flow_table_release_all(struct flow_table *ft)
{
	for (struct flow *f; (f = lru_oldest(ft)) != NULL;)
		flow_remove(ft, f);
}

void
flow_table_clear(struct flow_table *ft)
{
	flow_table_release_all(ft);
	memset(&ft->st, 0, sizeof(ft->st));
}

void
flow_table_free(struct flow_table *ft)
{
	if (ft == NULL)
		return;
	flow_table_clear(ft);
	bigmem_free(ft->pool, ft->max * sizeof(*ft->pool));
	bigmem_free(ft->buckets, ft->nbuckets * sizeof(*ft->buckets));
	free(ft);
}

static bool
ep_match(const struct endpoint *e, const struct ipaddr *ip, uint16_t port)
{
	return e->port == port && ip_eq(&e->ip, ip);
}

static void
flow_swap_roles(struct flow *f)
{
	struct endpoint t = f->cli;
	uint64_t n;

	f->cli = f->srv;
	f->srv = t;
	n = f->pkts[0], f->pkts[0] = f->pkts[1], f->pkts[1] = n;
	n = f->bytes[0], f->bytes[0] = f->bytes[1], f->bytes[1] = n;
}

/*
 * Decide who serves.  SYN without ACK comes from the client, SYN+ACK from
 * the server; otherwise a well-known port serves; otherwise the lower port.
 * Returns true if the packet's source is the client.
 */
static bool
src_is_client(const struct pkt *p, uint8_t *by,
    bool (*is_server_port)(void *, uint8_t, uint16_t), void *arg)
{
	bool ws, wd;

	if (p->l4proto == L4_TCP && (p->tcp_flags & TH_SYN)) {
		*by = ROLE_BY_SYN;
		return !(p->tcp_flags & TH_ACK);
	}
	ws = is_server_port && is_server_port(arg, p->l4proto, p->sport);
	wd = is_server_port && is_server_port(arg, p->l4proto, p->dport);
	if (ws != wd) {
		*by = ROLE_BY_PORT;
		return wd;
	}
	*by = ROLE_BY_LOWER_PORT;
	return p->dport <= p->sport;
}

static struct flow *
flow_alloc(struct flow_table *ft)
{
	struct flow *f;

	/* Untouched slots first: calloc'd pages stay unmapped until used. */
	if (ft->free_list == NULL && ft->fresh < ft->max)
		return &ft->pool[ft->fresh++];
	if (ft->free_list == NULL) {
		if ((f = lru_oldest(ft)) == NULL)
			return NULL;
		flow_remove(ft, f);
		ft->st.evicted++;
	}
	f = ft->free_list;
	ft->free_list = f->hnext;
	memset(f, 0, sizeof(*f));
	return f;
}

static void
fill_endpoint(struct endpoint *e, const uint8_t mac[6], const struct ipaddr *ip, uint16_t port)
{
	memcpy(e->mac, mac, 6);
	e->ip = *ip;
	e->port = port;
}

/*
 * FIN per direction and RST, noted here rather than by the caller: they
 * choose the flow's ageing list, and a connection whose last packet is its
 * FIN must age on the closed timeout, not the open one.
 */
static void
note_close(struct flow *f, const struct pkt *p, int dir)
{
	if (p->l4proto != L4_TCP)
		return;
	if (p->tcp_flags & TH_FIN)
		f->fin_seen |= (uint8_t)(1u << dir);
	if (p->tcp_flags & TH_RST)
		f->rst_seen = true;
}

struct flow *
flow_lookup(struct flow_table *ft, const struct pkt *p, int *dir,
    bool (*is_server_port)(void *arg, uint8_t proto, uint16_t port), void *arg)
{
	struct flow *f = ft->last;
	uint32_t h;
	uint8_t by;

	/*
	 * Most packets belong to the flow of the packet before (87% of
	 * real-1m): that one is checked first, without hashing.  There is
	 * never more than one flow for a key, so it is the flow the chain
	 * would give.  The direction falls out of which way the endpoints
	 * matched.
	 */
	if (f && f->proto == p->l4proto && f->vlan == p->vlan) {
		if (ep_match(&f->cli, &p->src_ip, p->sport) && ep_match(&f->srv, &p->dst_ip, p->dport))
			*dir = 0;
		else if (ep_match(&f->srv, &p->src_ip, p->sport) && ep_match(&f->cli, &p->dst_ip, p->dport))
			*dir = 1;
		else
			f = NULL;
	} else
		f = NULL;
	if (f == NULL) {
		h = flow_hash(ft, &p->src_ip, p->sport, &p->dst_ip, p->dport, p->l4proto, p->vlan);
		for (f = ft->buckets[h & (ft->nbuckets - 1)]; f; f = f->hnext) {
			if (f->hash != h || f->proto != p->l4proto || f->vlan != p->vlan)
				continue;
			if (ep_match(&f->cli, &p->src_ip, p->sport) &&
			    ep_match(&f->srv, &p->dst_ip, p->dport)) {
				*dir = 0;
				break;
			}
			if (ep_match(&f->srv, &p->src_ip, p->sport) &&
			    ep_match(&f->cli, &p->dst_ip, p->dport)) {
				*dir = 1;
				break;
			}
		}
	}
	if (f) {
		ft->last = f;
		/* A late SYN corrects a guess made from ports. */
		if (f->role_by != ROLE_BY_SYN && p->l4proto == L4_TCP &&
		    (p->tcp_flags & TH_SYN) && f->d == NULL) {
			bool cli = src_is_client(p, &by, NULL, NULL);

			if (cli != (*dir == 0)) {
				flow_swap_roles(f);
				*dir = !*dir;
			}
			f->role_by = ROLE_BY_SYN;
		}
		/*
		 * A sender's own source MAC names it; the destination MAC the
		 * flow was created with may be a next hop or a stale ARP entry
		 * (a SYN sent through another router than the answers return by).
		 */
		memcpy(*dir == 0 ? f->cli.mac : f->srv.mac, p->src_mac, 6);
		note_close(f, p, *dir);
		if (f != ft->lru_head[f->lru_class] || f->lru_class != lru_class_of(f)) {
			lru_unlink(ft, f);
			lru_push_head(ft, f);
		}
		return f;
	}
	if ((f = flow_alloc(ft)) == NULL)
		return NULL;
	f->hash = h;
	f->proto = p->l4proto;
	f->vlan = p->vlan;
	if (src_is_client(p, &by, is_server_port, arg)) {
		fill_endpoint(&f->cli, p->src_mac, &p->src_ip, p->sport);
		fill_endpoint(&f->srv, p->dst_mac, &p->dst_ip, p->dport);
		*dir = 0;
	} else {
		fill_endpoint(&f->srv, p->src_mac, &p->src_ip, p->sport);
		fill_endpoint(&f->cli, p->dst_mac, &p->dst_ip, p->dport);
		*dir = 1;
	}
	f->role_by = by;
	note_close(f, p, *dir);
	f->first_us = f->last_us = p->ts_us;
	f->in_use = true;
	f->hnext = ft->buckets[h & (ft->nbuckets - 1)];
	ft->buckets[h & (ft->nbuckets - 1)] = f;
	ft->last = f;
	lru_push_head(ft, f);
	ft->st.created++;
	ft->st.active++;
	return f;
}

size_t
flow_expire(struct flow_table *ft, uint64_t now_us, size_t max)
{
	size_t n = 0;

	for (int k = 0; k < LRU_CLASSES; k++) {
		struct flow *f;

		/*
		 * A flow's class is set when it is touched; one that closed
		 * since sits in the open-TCP list and ages out on that timeout,
		 * later than it could, never wrongly early.
		 */
		while (n < max && (f = ft->lru_tail[k]) != NULL &&
		    f->last_us + idle_limit_us((uint8_t)k) < now_us) {
			flow_remove(ft, f);
			ft->st.expired++;
			n++;
		}
	}
	return n;
}

void
flow_walk(struct flow_table *ft, void (*cb)(void *arg, struct flow *f), void *arg)
{
	for (int k = 0; k < LRU_CLASSES; k++)
		for (struct flow *f = ft->lru_head[k]; f; f = f->lru_next)
			cb(arg, f);
}

bool
flow_walk_some(struct flow_table *ft, size_t *pos, size_t max,
    void (*cb)(void *arg, struct flow *f), void *arg)
{
	size_t seen = 0;

	for (; *pos < ft->fresh && seen < max; (*pos)++)	/* beyond fresh: never used */
		if (ft->pool[*pos].in_use) {
			cb(arg, &ft->pool[*pos]);
			seen++;
		}
	return *pos >= ft->fresh;
}

const struct flow_stats *
flow_table_stats(const struct flow_table *ft)
{
	return &ft->st;
}
