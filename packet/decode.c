/*
 * decode.c - link, network and transport headers (see decode.h).
 *
 * References: IEEE 802.3 / 802.1Q / 802.1ad, RFC 826 (ARP), RFC 791 (IPv4),
 * RFC 8200 (IPv6), RFC 9293 (TCP), RFC 768 (UDP), libpcap's LINKTYPE list
 * for SLL/SLL2.  Every read goes through the cursor; a header that does not
 * fit is counted and decoding stops at that layer.
 */
#include <netinet/in.h>
#include <string.h>

#include "decode.h"
#include "sw_limits.h"

#define CISCO_OUI	0x00000c

static enum decode_rc decode_ethertype(uint16_t type, struct cur *c,
		    struct pkt *p, struct decode_stats *st);

static enum decode_rc
fail(uint64_t *counter, enum decode_rc rc)
{
	(*counter)++;
	return rc;
}

static bool
layer_push(struct pkt *p, struct decode_stats *st)
{
	if (++p->layers > MAX_LAYERS) {
		st->too_many_layers++;
		return false;
	}
	return true;
}

/*
 * The next n bytes as a header of their own, and past them.  One length
 * check here; the reads from h are then against a length the compiler
 * knows, so they cost a load each and no checks of their own (they are
 * checked all the same: a header read past n still fails).  A cursor
 * already bad fails as reading the fields from it would.
 */
static inline bool
take_hdr(struct cur *c, size_t n, struct cur *h)
{
	if (cur_left(c) < n || !cur_ok(c))
		return false;
	*h = (struct cur){ cur_ptr(c), n, false };
	return cur_skip(c, n);
}

/* The same without moving c: the IPv4 header is also the start of its packet. */
static inline bool
peek_hdr(const struct cur *c, size_t n, struct cur *h)
{
	if (cur_left(c) < n || !cur_ok(c))
		return false;
	*h = (struct cur){ cur_ptr(c), n, false };
	return true;
}

/*
 * TCP header (RFC 9293 3.1): ports 2+2, seq 4, ack 4, data offset 4 bits,
 * flags, window 2, checksum 2, urgent 2, options.
 */
static enum decode_rc
decode_tcp(struct cur *c, struct pkt *p, struct decode_stats *st)
{
	struct cur h;
	uint8_t off = 0, flags = 0;
	size_t hlen;

	if (!take_hdr(c, 14, &h))
		return fail(&st->tcp_short, DECODE_SHORT);
	cur_be16(&h, &p->sport);
	cur_be16(&h, &p->dport);
	cur_be32(&h, &p->seq);
	cur_be32(&h, &p->ack);
	cur_u8(&h, &off);
	cur_u8(&h, &flags);
	hlen = (size_t)(off >> 4) * 4;
	if (hlen < 20)
		return fail(&st->tcp_bad_offset, DECODE_MALFORMED);
	if (!cur_skip(c, hlen - 14))
		return fail(&st->tcp_short, DECODE_SHORT);
	st->tcp++;
	p->tcp_flags = flags;
	p->has_l4 = true;
	p->payload = cur_ptr(c);
	p->payload_len = (uint32_t)cur_left(c);
	return DECODE_OK;
}

/* UDP header (RFC 768): ports 2+2, length 2, checksum 2. */
static enum decode_rc
decode_udp(struct cur *c, struct pkt *p, struct decode_stats *st)
{
	uint16_t len = 0;
	struct cur h, body;

	if (!take_hdr(c, 8, &h))
		return fail(&st->udp_short, DECODE_SHORT);
	cur_be16(&h, &p->sport);
	cur_be16(&h, &p->dport);
	cur_be16(&h, &len);		/* then the checksum, 2 */
	if (len < 8)
		return fail(&st->udp_bad_length, DECODE_MALFORMED);
	/* Clamp to the UDP length; a capture cut short keeps what it has. */
	if (!cur_take(c, len - 8, &body))
		body = cur_make(cur_ptr(c), cur_left(c));
	st->udp++;
	p->has_l4 = true;
	p->payload = cur_ptr(&body);
	p->payload_len = (uint32_t)cur_left(&body);
	return DECODE_OK;
}

static enum decode_rc
decode_l4(uint8_t proto, struct cur *c, struct pkt *p, struct decode_stats *st)
{
	p->l4proto = proto;
	switch (proto) {
	case IPPROTO_TCP:
		return decode_tcp(c, p, st);
	case IPPROTO_UDP:
		return decode_udp(c, p, st);
	case IPPROTO_ICMP:
		if (cur_left(c) < 4)
			return fail(&st->icmp_short, DECODE_SHORT);
		st->icmp++;
		return DECODE_OK;
	case IPPROTO_ICMPV6:
		if (cur_left(c) < 4)
			return fail(&st->icmp_short, DECODE_SHORT);
		st->icmpv6++;
		return DECODE_OK;
	default:
		st->other_l4++;
		return DECODE_OK;
	}
}

/*
 * IPv4 header (RFC 791): ver/ihl 1, tos 1, total length 2, id 2,
 * flags/fragment offset 2, ttl 1, protocol 1, checksum 2, src 4, dst 4,
 * options (ihl*4 - 20).
 */
static enum decode_rc
decode_ipv4(struct cur *c, struct pkt *p, struct decode_stats *st)
{
	struct cur ip, body;
	uint8_t vihl = 0, ttl = 0, proto = 0, src[4] = { 0 }, dst[4] = { 0 };
	uint16_t tot = 0, frag = 0;
	size_t hlen;

	if (!peek_hdr(c, 20, &ip))
		return fail(&st->ipv4_short, DECODE_SHORT);
	cur_u8(&ip, &vihl);
	cur_skip(&ip, 1);		/* tos */
	cur_be16(&ip, &tot);
	cur_skip(&ip, 2);		/* id */
	cur_be16(&ip, &frag);
	cur_u8(&ip, &ttl);
	cur_u8(&ip, &proto);
	cur_skip(&ip, 2);		/* checksum */
	cur_copy(&ip, src, 4);
	cur_copy(&ip, dst, 4);
	hlen = (size_t)(vihl & 15) * 4;
	if (vihl >> 4 != 4 || hlen < 20)
		return fail(&st->ipv4_bad_header, DECODE_MALFORMED);
	if (tot < hlen)
		return fail(&st->ipv4_bad_length, DECODE_MALFORMED);
	st->ipv4++;
	ip_set4(&p->src_ip, src);
	ip_set4(&p->dst_ip, dst);
	p->ttl = ttl;
	p->l4proto = proto;
	/*
	 * Clamp to the total length (drops Ethernet padding); keep a cut
	 * capture (a snap length shorter than the packet): what was captured,
	 * in a good cursor (the failed take marked c bad, and a copy of it
	 * would fail every header read after it).
	 */
	if (!cur_take(c, tot, &body))
		body = cur_make(cur_ptr(c), cur_left(c));
	p->l3 = cur_ptr(&body);
	p->l3_len = (uint32_t)cur_left(&body);
	if (!cur_skip(&body, hlen))
		return fail(&st->ipv4_short, DECODE_SHORT);
	if ((frag & 0x3fff) != 0) {	/* MF set or offset != 0 */
		p->frag = true;
		st->ip_fragment++;
		return DECODE_OK;
	}
	return decode_l4(proto, &body, p, st);
}

/*
 * IPv6 header (RFC 8200): ver/class/flow 4, payload length 2, next header 1,
 * hop limit 1, src 16, dst 16; then extension headers, each with a next
 * header byte and a length in 8-octet units (AH: 4-octet units).
 */
static enum decode_rc
decode_ipv6(struct cur *c, struct pkt *p, struct decode_stats *st)
{
	struct cur h, body;
	uint32_t vcf = 0;
	uint16_t plen = 0;
	uint8_t nh = 0, hop = 0, src[16] = { 0 }, dst[16] = { 0 };
	const uint8_t *l3 = cur_ptr(c);

	if (!take_hdr(c, 40, &h))
		return fail(&st->ipv6_short, DECODE_SHORT);
	cur_be32(&h, &vcf);
	cur_be16(&h, &plen);
	cur_u8(&h, &nh);
	cur_u8(&h, &hop);
	cur_copy(&h, src, 16);
	cur_copy(&h, dst, 16);
	if (vcf >> 28 != 6)
		return fail(&st->ipv6_bad_ext, DECODE_MALFORMED);
	st->ipv6++;
	ip_set6(&p->src_ip, src);
	ip_set6(&p->dst_ip, dst);
	p->ttl = hop;
	if (!cur_take(c, plen, &body))	/* a cut capture: what was captured, as for IPv4 */
		body = cur_make(cur_ptr(c), cur_left(c));
	p->l3 = l3;
	p->l3_len = (uint32_t)(40 + cur_left(&body));
	for (int n = 0; n < MAX_IPV6_EXT; n++) {
		uint8_t next = 0, len = 0;
		uint16_t offm = 0;
		size_t skip;

		switch (nh) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
		case IPPROTO_AH:
		case IPPROTO_FRAGMENT:
			break;
		default:
			p->l4proto = nh;
			return decode_l4(nh, &body, p, st);
		}
		if (!cur_peek_u8(&body, 0, &next) || !cur_peek_u8(&body, 1, &len))
			return fail(&st->ipv6_short, DECODE_SHORT);
		if (nh == IPPROTO_FRAGMENT) {
			if (!cur_peek_be16(&body, 2, &offm))
				return fail(&st->ipv6_short, DECODE_SHORT);
			if ((offm & 0xfff9) != 0) {	/* offset or M flag */
				p->frag = true;
				p->l4proto = next;
				st->ip_fragment++;
				return DECODE_OK;
			}
			skip = 8;
		} else if (nh == IPPROTO_AH)
			skip = ((size_t)len + 2) * 4;
		else
			skip = ((size_t)len + 1) * 8;
		if (!cur_skip(&body, skip))
			return fail(&st->ipv6_short, DECODE_SHORT);
		nh = next;
	}
	return fail(&st->ipv6_bad_ext, DECODE_MALFORMED);
}

/*
 * ARP (RFC 826) for Ethernet/IPv4: htype 2, ptype 2, hlen 1, plen 1, op 2,
 * sender MAC 6, sender IP 4, target MAC 6, target IP 4.
 */
static enum decode_rc
decode_arp(struct cur *c, struct pkt *p, struct decode_stats *st)
{
	struct cur h;
	uint16_t htype = 0, ptype = 0;
	uint8_t hlen = 0, plen = 0, spa[4] = { 0 }, tpa[4] = { 0 };

	if (!take_hdr(c, 8, &h))
		return fail(&st->arp_short, DECODE_SHORT);
	cur_be16(&h, &htype);
	cur_be16(&h, &ptype);
	cur_u8(&h, &hlen);
	cur_u8(&h, &plen);
	cur_be16(&h, &p->arp_op);
	if (htype != 1 || ptype != ETHERTYPE_IPV4 || hlen != 6 || plen != 4)
		return fail(&st->arp_malformed, DECODE_MALFORMED);
	if (!take_hdr(c, 20, &h))
		return fail(&st->arp_short, DECODE_SHORT);
	cur_copy(&h, p->arp_sha, 6);
	cur_copy(&h, spa, 4);
	cur_copy(&h, p->arp_tha, 6);
	cur_copy(&h, tpa, 4);
	st->arp++;
	ip_set4(&p->arp_spa, spa);
	ip_set4(&p->arp_tpa, tpa);
	p->is_arp = true;
	return DECODE_OK;
}

static void
set_l2pay(struct pkt *p, const struct cur *c)
{
	p->l2pay = cur_ptr(c);
	p->l2pay_len = (uint32_t)cur_left(c);
}

/*
 * The layer named by an Ethertype.  802.1Q / 802.1ad tags (TCI 2: PCP,
 * DEI, VID; inner Ethertype 2) are walked in a loop, at most MAX_LAYERS.
 */
static enum decode_rc
decode_ethertype(uint16_t type, struct cur *c, struct pkt *p, struct decode_stats *st)
{
	for (;;) {
		struct cur h;
		uint16_t tci = 0;

		p->ethertype = type;
		set_l2pay(p, c);
		switch (type) {
		case ETHERTYPE_VLAN:
		case ETHERTYPE_QINQ:
		case ETHERTYPE_QINQ_OLD:
			if (!layer_push(p, st))
				return DECODE_MALFORMED;
			if (!take_hdr(c, 4, &h))
				return fail(&st->vlan_short, DECODE_SHORT);
			cur_be16(&h, &tci);
			cur_be16(&h, &type);
			if (p->nvlan++ == 0) {
				st->vlan++;
				p->vlan = tci & 0x0fff;
			}
			continue;
		case ETHERTYPE_IPV4:
			return decode_ipv4(c, p, st);
		case ETHERTYPE_IPV6:
			return decode_ipv6(c, p, st);
		case ETHERTYPE_ARP:
			return decode_arp(c, p, st);
		case ETHERTYPE_LLDP:
			st->lldp++;
			return DECODE_OK;
		case ETHERTYPE_PNIO:
			st->pnio++;
			return DECODE_OK;
		case ETHERTYPE_GOOSE:
			st->goose++;
			return DECODE_OK;
		default:
			st->other_l2++;
			return DECODE_OK;
		}
	}
}

/*
 * 802.3 frame: length instead of Ethertype, then LLC (DSAP 1, SSAP 1,
 * control 1) and, for DSAP=SSAP=0xAA, SNAP (OUI 3, protocol id 2).
 */
static enum decode_rc
decode_llc(uint16_t len, struct cur *c, struct pkt *p, struct decode_stats *st)
{
	struct cur llc;
	uint8_t dsap = 0, ssap = 0, ctl = 0;
	uint32_t oui = 0;
	uint16_t pid = 0;

	if (!cur_take(c, len, &llc))
		llc = *c;	/* cut capture: decode what we have */
	cur_u8(&llc, &dsap);
	cur_u8(&llc, &ssap);
	cur_u8(&llc, &ctl);
	if (!cur_ok(&llc))
		return fail(&st->llc_short, DECODE_SHORT);
	st->llc++;
	if (dsap != 0xaa || ssap != 0xaa) {
		set_l2pay(p, &llc);
		st->other_l2++;
		return DECODE_OK;
	}
	cur_be24(&llc, &oui);
	cur_be16(&llc, &pid);
	if (!cur_ok(&llc))
		return fail(&st->llc_short, DECODE_SHORT);
	if (oui == 0)			/* RFC 1042: an Ethertype follows */
		return decode_ethertype(pid, &llc, p, st);
	p->llc_snap = true;
	p->snap_oui = oui;
	p->snap_pid = pid;
	set_l2pay(p, &llc);
	st->other_l2++;
	return DECODE_OK;
}

/* Ethernet II / 802.3: dst 6, src 6, Ethertype or length 2. */
static enum decode_rc
decode_eth(struct cur *c, struct pkt *p, struct decode_stats *st)
{
	struct cur h;
	uint16_t type = 0;

	if (!take_hdr(c, 14, &h))
		return fail(&st->eth_short, DECODE_SHORT);
	cur_copy(&h, p->dst_mac, 6);
	cur_copy(&h, p->src_mac, 6);
	cur_be16(&h, &type);
	st->eth++;
	p->has_eth = true;
	if (type <= 1500)
		return decode_llc(type, c, p, st);
	return decode_ethertype(type, c, p, st);
}

/*
 * Linux cooked v1: packet type 2, ARPHRD 2, address length 2, address 8,
 * protocol 2.  v2: protocol 2, reserved 2, ifindex 4, ARPHRD 2, packet
 * type 1, address length 1, address 8.  The link-layer address is the
 * sender's MAC when ARPHRD is Ethernet and the length is 6.
 */
static enum decode_rc
decode_sll(int v2, struct cur *c, struct pkt *p, struct decode_stats *st)
{
	uint16_t ptype = 0, hatype = 0, alen16 = 0, proto = 0, res = 0;
	uint32_t ifindex = 0;
	uint8_t pt8 = 0, alen8 = 0, addr[8] = { 0 };

	if (v2) {
		cur_be16(c, &proto);
		cur_be16(c, &res);
		cur_be32(c, &ifindex);
		cur_be16(c, &hatype);
		cur_u8(c, &pt8);
		cur_u8(c, &alen8);
		cur_copy(c, addr, 8);
		alen16 = alen8;
	} else {
		cur_be16(c, &ptype);
		cur_be16(c, &hatype);
		cur_be16(c, &alen16);
		cur_copy(c, addr, 8);
		cur_be16(c, &proto);
	}
	if (!cur_ok(c))
		return fail(&st->sll_short, DECODE_SHORT);
	if (hatype == 1 && alen16 == 6) {
		memcpy(p->src_mac, addr, 6);
		p->has_eth = true;	/* the source MAC is known; dst is not */
	}
	return decode_ethertype(proto, c, p, st);
}

static enum decode_rc
decode_raw(struct cur *c, struct pkt *p, struct decode_stats *st)
{
	uint8_t v = 0;

	if (!cur_peek_u8(c, 0, &v))
		return fail(&st->ipv4_short, DECODE_SHORT);
	if (v >> 4 == 4) {
		p->ethertype = ETHERTYPE_IPV4;
		return decode_ipv4(c, p, st);
	}
	if (v >> 4 == 6) {
		p->ethertype = ETHERTYPE_IPV6;
		return decode_ipv6(c, p, st);
	}
	return fail(&st->raw_bad_version, DECODE_MALFORMED);
}

bool
decode_linktype_supported(int linktype)
{
	switch (linktype) {
	case LINK_ETHERNET:
	case LINK_RAW:
	case 12:		/* DLT_RAW on Linux/BSD headers */
	case 14:		/* DLT_RAW on OpenBSD */
	case LINK_SLL:
	case LINK_SLL2:
	case LINK_IPV4:
	case LINK_IPV6:
		return true;
	default:
		return false;
	}
}

enum decode_rc
decode_packet(int linktype, const uint8_t *frame, uint32_t caplen,
    uint32_t wirelen, uint64_t ts_us, struct pkt *p, struct decode_stats *st)
{
	struct cur c = cur_make(frame, caplen);

	/*
	 * Cleared 64 bytes at a time: each piece is four vector stores, where
	 * one memset of the whole record compiled to a string instruction
	 * that takes a step per eight bytes.
	 */
#pragma GCC unroll 8
	for (size_t off = 0; off + 64 <= sizeof(*p); off += 64)
		memset((unsigned char *)p + off, 0, 64);
	memset((unsigned char *)p + sizeof(*p) / 64 * 64, 0, sizeof(*p) % 64);
	p->ts_us = ts_us;
	p->caplen = caplen;
	p->wirelen = wirelen;
	switch (linktype) {
	case LINK_ETHERNET:
		return decode_eth(&c, p, st);
	case LINK_RAW:
	case 12:
	case 14:
	case LINK_IPV4:
	case LINK_IPV6:
		return decode_raw(&c, p, st);
	case LINK_SLL:
		return decode_sll(0, &c, p, st);
	case LINK_SLL2:
		return decode_sll(1, &c, p, st);
	default:
		st->unknown_link++;
		return DECODE_MALFORMED;
	}
}

void
decode_stats_walk(const struct decode_stats *st, counter_cb cb, void *arg)
{
#define X(n) cb(arg, #n, st->n);
	DECODE_PROTOS(X)
	DECODE_ERRORS(X)
#undef X
}
