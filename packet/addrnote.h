/*
 * addrnote.h - who uses which address: an OBS_ADDR for a sender (its MAC,
 * IP, VLAN and how it was seen: ARP, IP, layer 2 only) a few times an hour,
 * decided from every frame.
 *
 * The repeat filter is the noter's own (a memo of recent senders in front
 * of a fact cache of its own), so its answers depend only on the frames it
 * is shown and their order.  One pipeline runs one; with several workers
 * the reader runs the one, on every frame in capture order, and the
 * workers run none: the addresses the store is told of, and when, are the
 * same whatever the number of workers (the gateway rule counts them in a
 * window).
 */
#ifndef SW_ADDRNOTE_H
#define SW_ADDRNOTE_H

#include <stdint.h>
#include <string.h>

#include "decode.h"
#include "factcache.h"
#include "obs.h"
#include "sw_limits.h"

struct addr_memo {
	uint8_t		 mac[6];
	uint16_t	 vlan;
	struct ipaddr	 ip;
	const char	*src;
	uint64_t	 since;		/* packet time it was last passed to the fact cache */
};

struct addr_noter {
	struct addr_memo	 memo[ADDR_MEMO_SLOTS];
	struct fact_cache	 fc;
	struct obs_sink		*sink;
};

/* Back to nothing seen (the sink stays). */
void	 addr_noter_reset(struct addr_noter *an);
void	 addr_note_slow(struct addr_noter *an, const uint8_t mac[6], const struct ipaddr *ip,
	    uint16_t vlan, const char *src, uint64_t ts);

static inline struct addr_memo *
addr_memo_slot(struct addr_noter *an, const uint8_t mac[6], const struct ipaddr *ip)
{
	return &an->memo[(mac[5] ^ (unsigned)mac[4] << 2 ^ (unsigned)ip->a[3] << 1) &
	    (ADDR_MEMO_SLOTS - 1)];
}

/* The same sender as a moment ago: known without hashing. */
static inline bool
addr_memo_hit(const struct addr_memo *m, const uint8_t mac[6], const struct ipaddr *ip,
    uint16_t vlan, const char *src, uint64_t ts)
{
	return m->src == src && m->vlan == vlan && ts >= m->since && ts - m->since < FACT_REFRESH_US &&
	    memcmp(m->mac, mac, 6) == 0 && ip_eq(&m->ip, ip);
}

/*
 * The memo check inline in the packet loop for the common case: a sender
 * with an address seen a moment ago.  A memo entry holds an address that
 * passed ip_is_unicast_host (or none), so an address equal to a stored
 * one passes too and need not be checked, and its MAC passed the group
 * and zero checks.  Anything else takes the whole path, which decides
 * exactly as before.
 */
static inline void
addr_note(struct addr_noter *an, const uint8_t mac[6], const struct ipaddr *ip,
    uint16_t vlan, const char *src, uint64_t ts)
{
	if (ip != NULL && ip->fam != IPFAM_NONE) {
		const struct addr_memo *m = addr_memo_slot(an, mac, ip);

		if (m->ip.fam != IPFAM_NONE && addr_memo_hit(m, mac, ip, vlan, src, ts))
			return;
	}
	addr_note_slow(an, mac, ip, vlan, src, ts);
}

/* The sender of a decoded frame (ARP: the address it announces). */
static inline void
addr_note_pkt(struct addr_noter *an, const struct pkt *p, uint64_t ts)
{
	if (!p->has_eth)
		return;
	if (p->is_arp && !mac_is_group(p->arp_sha))
		addr_note(an, p->arp_sha, &p->arp_spa, p->vlan, "arp", ts);
	else
		addr_note(an, p->src_mac, p->src_ip.fam ? &p->src_ip : NULL,
		    p->vlan, p->src_ip.fam ? "ip" : "l2", ts);
}

#endif
