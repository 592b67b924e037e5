/*
 * decode.h - layer 2 to 4: Ethernet, 802.1Q/802.1ad, LLC/SNAP, ARP, IPv4,
 * IPv6 (+ extension headers), TCP, UDP, ICMP, ICMPv6, Linux cooked
 * (SLL, SLL2) and raw IP link types.
 *
 * decode_packet() fills a struct pkt whose pointers point into the
 * captured frame; it never copies payload.  Every header read goes through
 * the cursor API.  A frame that is short or malformed at some layer is
 * counted under that reason and decoding stops there (what was decoded up
 * to that layer is still valid in the pkt).
 */
#ifndef SW_DECODE_H
#define SW_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "cursor.h"
#include "ethertype.h"

/* Link types we accept (values of pcap's DLT_/LINKTYPE_). */
#define LINK_ETHERNET	1
#define LINK_RAW	101	/* LINKTYPE_RAW: raw IPv4/IPv6 */
#define LINK_SLL	113	/* Linux cooked v1 */
#define LINK_SLL2	276	/* Linux cooked v2 */
#define LINK_IPV4	228
#define LINK_IPV6	229

struct pkt {
	uint64_t	 ts_us;		/* capture time, us since epoch */
	uint32_t	 wirelen;	/* length on the wire */
	uint32_t	 caplen;	/* bytes captured */
	unsigned	 layers;	/* encapsulation depth, capped at MAX_LAYERS */

	/* layer 2 */
	bool		 has_eth;
	uint8_t		 src_mac[6], dst_mac[6];
	uint16_t	 vlan;		/* outermost VLAN id, 0 if untagged */
	uint8_t		 nvlan;		/* number of VLAN tags */
	uint16_t	 ethertype;	/* after VLAN tags; 0 for 802.3 length frames */
	bool		 llc_snap;	/* 802.3 + LLC/SNAP */
	uint32_t	 snap_oui;
	uint16_t	 snap_pid;
	const uint8_t	*l2pay;		/* payload after ethertype / SNAP header */
	uint32_t	 l2pay_len;

	/* ARP (Ethernet/IPv4 only) */
	bool		 is_arp;
	uint16_t	 arp_op;	/* 1 request, 2 reply */
	uint8_t		 arp_sha[6], arp_tha[6];
	struct ipaddr	 arp_spa, arp_tpa;

	/* layer 3 */
	struct ipaddr	 src_ip, dst_ip;
	const uint8_t	*l3;		/* IP header, for nDPI */
	uint32_t	 l3_len;	/* clamped to the IP total length */
	uint8_t		 l4proto;	/* IPPROTO_* of the innermost header */
	uint8_t		 ttl;
	bool		 frag;		/* a fragment (first or not): L4 not decoded */

	/* layer 4 */
	bool		 has_l4;
	uint16_t	 sport, dport;
	uint8_t		 tcp_flags;
	uint32_t	 seq, ack;
	const uint8_t	*payload;	/* L4 payload, clamped to IP/UDP lengths */
	uint32_t	 payload_len;
};

#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_RST	0x04
#define TH_PUSH	0x08
#define TH_ACK	0x10

/* Decode outcome counters: one per layer protocol, one per error reason. */
#define DECODE_PROTOS(X) \
	X(eth) X(vlan) X(llc) X(arp) X(ipv4) X(ipv6) X(tcp) X(udp) X(icmp) \
	X(icmpv6) X(ip_fragment) X(lldp) X(pnio) X(goose) X(other_l2) X(other_l4)
#define DECODE_ERRORS(X) \
	X(eth_short) X(vlan_short) X(too_many_layers) X(llc_short) X(arp_short) \
	X(arp_malformed) X(ipv4_short) X(ipv4_bad_header) X(ipv4_bad_length) \
	X(ipv6_short) X(ipv6_bad_ext) X(tcp_short) X(tcp_bad_offset) X(udp_short) \
	X(udp_bad_length) X(icmp_short) X(sll_short) X(raw_bad_version) \
	X(unknown_link)

struct decode_stats {
#define X(n) uint64_t n;
	DECODE_PROTOS(X)
	DECODE_ERRORS(X)
#undef X
};

enum decode_rc {
	DECODE_OK,		/* decoded as far as we go */
	DECODE_SHORT,		/* ran out of captured bytes at some layer */
	DECODE_MALFORMED,	/* a header lied */
};

enum decode_rc decode_packet(int linktype, const uint8_t *frame, uint32_t caplen,
		    uint32_t wirelen, uint64_t ts_us, struct pkt *pkt,
		    struct decode_stats *st);
bool	 decode_linktype_supported(int linktype);

/* Names and values of the counters, for the summary and `status`. */
typedef void (*counter_cb)(void *arg, const char *name, uint64_t value);
void	 decode_stats_walk(const struct decode_stats *st, counter_cb cb, void *arg);

#endif
