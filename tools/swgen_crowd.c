/*
 * swgen_crowd.c - `swgen --crowd`: a capture with a great many distinct
 * hosts, to show that spanwatchd's memory stays within its caps
 * (core/sw_limits.h) whatever the number of devices on the wire.
 *
 * Host i (0 <= i < nhosts) has MAC <vendor OUI>:<i, 3 bytes> and IPv4
 * 10.64.0.0 + i + 1.  Each round every host sends, in order:
 *   ARP announcement (RFC 5227 2.3: request, sender IP = target IP)
 *   TCP SYN / SYN-ACK / ACK to one of eight Modbus/TCP PLCs on port 502
 *   Modbus Read Holding Registers request and its response
 *     (Modbus Application Protocol 1.1b3, 6.3; MBAP 7 bytes + PDU)
 * The connections are left open: every host is a new asset and a new flow.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <pcap/pcap.h>

#include "swgen.h"

#define CROWD_BASE_TIME	1764374400u	/* 2025-11-29T00:00:00Z, as the plant */
#define CROWD_PLCS	8
#define CROWD_FRAME	128

/* Real MA-L blocks (checked in /usr/share/ieee-data/oui.csv). */
static const uint8_t crowd_ouis[][3] = {
	{ 0x00, 0x0e, 0x8c },	/* Siemens AG */
	{ 0x00, 0xa0, 0x45 },	/* PHOENIX CONTACT Electronics GmbH */
	{ 0x00, 0x30, 0xde },	/* WAGO Kontakttechnik GmbH */
	{ 0x00, 0x90, 0xe8 },	/* MOXA TECHNOLOGIES CORP. */
};
static const uint8_t plc_oui[3] = { 0x00, 0x80, 0xf4 };	/* TELEMECANIQUE ELECTRIQUE (Schneider) */

struct crowd {
	pcap_dumper_t	*out;
	uint64_t	 npkts, target;
	uint64_t	 rng;
	uint8_t		 b[CROWD_FRAME];
	size_t		 n;
};

static uint32_t
crowd_rnd(struct crowd *c)
{
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return (uint32_t)((c->rng * 2685821657736338717ull) >> 32);
}

static void
put8(struct crowd *c, unsigned v)
{
	if (c->n < sizeof(c->b))
		c->b[c->n++] = (uint8_t)v;
}

static void
put16(struct crowd *c, unsigned v)
{
	put8(c, v >> 8);
	put8(c, v & 0xff);
}

static void
put32(struct crowd *c, uint32_t v)
{
	put16(c, v >> 16);
	put16(c, v & 0xffff);
}

static void
putn(struct crowd *c, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put8(c, p[i]);
}

static void
crowd_emit(struct crowd *c)
{
	struct pcap_pkthdr h;
	uint64_t us = c->npkts * 10;	/* 100,000 packets a second */

	h.ts.tv_sec = (time_t)(CROWD_BASE_TIME + us / 1000000);
	h.ts.tv_usec = (suseconds_t)(us % 1000000);
	h.caplen = h.len = (uint32_t)(c->n < 60 ? 60 : c->n);
	memset(c->b + c->n, 0, h.caplen - c->n);	/* Ethernet padding */
	pcap_dump((u_char *)c->out, &h, c->b);
	c->npkts++;
	c->n = 0;
}

static uint16_t
inet_sum(const uint8_t *b, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
host_mac(uint32_t i, uint8_t mac[6])
{
	memcpy(mac, crowd_ouis[i % (sizeof(crowd_ouis) / sizeof(crowd_ouis[0]))], 3);
	mac[3] = (uint8_t)(i >> 16);
	mac[4] = (uint8_t)(i >> 8);
	mac[5] = (uint8_t)i;
}

static uint32_t host_ip(uint32_t i) { return 0x0a400000u + i + 1; }	/* 10.64.0.0/10 */

static void
plc_mac(uint32_t p, uint8_t mac[6])
{
	memcpy(mac, plc_oui, 3);
	mac[3] = 0xc0;
	mac[4] = 0x00;
	mac[5] = (uint8_t)(p + 1);
}

static uint32_t plc_ip(uint32_t p) { return 0x0a000001u + p; }	/* 10.0.0.1.. */

/* ARP announcement: Ethernet broadcast, request, sender IP = target IP. */
static void
crowd_arp(struct crowd *c, const uint8_t mac[6], uint32_t ip)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[6];

	putn(c, bcast, 6);
	putn(c, mac, 6);
	put16(c, 0x0806);
	put16(c, 1);		/* htype Ethernet */
	put16(c, 0x0800);	/* ptype IPv4 */
	put8(c, 6);
	put8(c, 4);
	put16(c, 1);		/* request */
	putn(c, mac, 6);
	put32(c, ip);
	putn(c, zero, 6);
	put32(c, ip);
	crowd_emit(c);
}

/* Ethernet + IPv4 (20) + TCP (20) + payload, checksums filled in. */
static void
crowd_tcp(struct crowd *c, const uint8_t smac[6], const uint8_t dmac[6], uint32_t sip, uint32_t dip,
    uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
    const uint8_t *data, size_t len)
{
	uint8_t pseudo[12];
	size_t ip, tcp;
	uint16_t sum;

	putn(c, dmac, 6);
	putn(c, smac, 6);
	put16(c, 0x0800);
	ip = c->n;
	put8(c, 0x45);
	put8(c, 0);
	put16(c, (unsigned)(40 + len));
	put16(c, (unsigned)(c->npkts & 0xffff));	/* identification */
	put16(c, 0x4000);	/* DF */
	put8(c, 64);
	put8(c, 6);
	put16(c, 0);
	put32(c, sip);
	put32(c, dip);
	sum = inet_sum(c->b + ip, 20, 0);
	c->b[ip + 10] = (uint8_t)(sum >> 8);
	c->b[ip + 11] = (uint8_t)sum;
	tcp = c->n;
	put16(c, sport);
	put16(c, dport);
	put32(c, seq);
	put32(c, ack);
	put8(c, 0x50);
	put8(c, flags);
	put16(c, 64240);
	put16(c, 0);
	put16(c, 0);
	putn(c, data, len);
	memcpy(pseudo, c->b + ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = 6;
	pseudo[10] = (uint8_t)((20 + len) >> 8);
	pseudo[11] = (uint8_t)(20 + len);
	{
		uint32_t acc = (uint16_t)~inet_sum(pseudo, sizeof(pseudo), 0);

		sum = inet_sum(c->b + tcp, 20 + len, acc);
	}
	c->b[tcp + 16] = (uint8_t)(sum >> 8);
	c->b[tcp + 17] = (uint8_t)sum;
	crowd_emit(c);
}

/* One host's round: ARP, handshake, one Modbus read and its answer. */
static void
crowd_host(struct crowd *c, uint32_t i)
{
	uint8_t hmac[6], pmac[6], req[12], rsp[13];
	uint32_t p = i % CROWD_PLCS, hip = host_ip(i), pip = plc_ip(p);
	uint32_t cs = crowd_rnd(c), ss = crowd_rnd(c), v = crowd_rnd(c);
	uint16_t sport = (uint16_t)(49152 + crowd_rnd(c) % 16384), tid = (uint16_t)v;

	host_mac(i, hmac);
	plc_mac(p, pmac);
	crowd_arp(c, hmac, hip);
	crowd_tcp(c, hmac, pmac, hip, pip, sport, 502, cs, 0, 0x02, NULL, 0);
	crowd_tcp(c, pmac, hmac, pip, hip, 502, sport, ss, cs + 1, 0x12, NULL, 0);
	crowd_tcp(c, hmac, pmac, hip, pip, sport, 502, cs + 1, ss + 1, 0x10, NULL, 0);
	/* MBAP: transaction, protocol 0, length, unit; PDU: fc 3, address, quantity 2 */
	uint8_t q[] = { (uint8_t)(tid >> 8), (uint8_t)tid, 0, 0, 0, 6, 1, 3, 0, 100, 0, 2 };
	memcpy(req, q, sizeof(req));
	crowd_tcp(c, hmac, pmac, hip, pip, sport, 502, cs + 1, ss + 1, 0x18, req, sizeof(req));
	/* response: fc 3, byte count 4, two registers */
	uint8_t r[] = { (uint8_t)(tid >> 8), (uint8_t)tid, 0, 0, 0, 7, 1, 3, 4,
	    (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	memcpy(rsp, r, sizeof(rsp));
	crowd_tcp(c, pmac, hmac, pip, hip, 502, sport, ss + 1, cs + 13, 0x18, rsp, sizeof(rsp));
}

static void
fmt_mac(const uint8_t m[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void
fmt_ip(uint32_t ip, char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
}

static json_t *
crowd_host_json(const uint8_t mac[6], uint32_t ip, const char *role)
{
	char m[18], a[16];
	json_t *o = json_object();

	fmt_mac(mac, m);
	fmt_ip(ip, a);
	json_object_set_new(o, "mac", json_string(m));
	json_object_set_new(o, "ip", json_string(a));
	json_object_set_new(o, "ips", json_pack("[s]", a));
	json_object_set_new(o, "behind_router", json_false());
	json_object_set_new(o, "role", json_string(role));
	json_object_set_new(o, "facts", json_object());
	return o;
}

static int
crowd_expected(const struct crowd *c, const char *path, uint64_t seed, uint32_t nhosts, uint32_t seen)
{
	json_t *root = json_object(), *hosts = json_array();
	uint8_t mac[6];
	int rc = 0;

	for (uint32_t p = 0; p < CROWD_PLCS && p < nhosts; p++) {
		plc_mac(p, mac);
		json_array_append_new(hosts, crowd_host_json(mac, plc_ip(p), "modbus_server"));
	}
	for (uint32_t i = 0; i < seen; i++) {
		host_mac(i, mac);
		json_array_append_new(hosts, crowd_host_json(mac, host_ip(i), "modbus_client"));
	}
	json_object_set_new(root, "generator", json_string("swgen --crowd"));
	json_object_set_new(root, "seed", json_integer((json_int_t)seed));
	json_object_set_new(root, "packets", json_integer((json_int_t)c->npkts));
	json_object_set_new(root, "crowd_hosts", json_integer(nhosts));
	json_object_set_new(root, "hosts", hosts);
	if (json_dump_file(root, path, JSON_INDENT(1) | JSON_SORT_KEYS) != 0) {
		fprintf(stderr, "swgen: cannot write %s\n", path);
		rc = -1;
	}
	json_decref(root);
	return rc;
}

int
swgen_crowd(const char *out, uint64_t npkts, uint64_t seed, uint32_t nhosts, const char *expected)
{
	static struct crowd c;
	pcap_t *dead;
	uint32_t i = 0, seen = 0;

	if (nhosts == 0 || nhosts > SWGEN_CROWD_MAX) {
		fprintf(stderr, "swgen: --crowd needs --hosts from 1 to %d\n", SWGEN_CROWD_MAX);
		return 2;
	}
	memset(&c, 0, sizeof(c));
	c.rng = seed * 0x9e3779b97f4a7c15ull + 1;
	c.target = npkts;
	dead = pcap_open_dead(DLT_EN10MB, 65535);
	if ((c.out = pcap_dump_open(dead, out)) == NULL) {
		fprintf(stderr, "swgen: %s: %s\n", out, pcap_geterr(dead));
		pcap_close(dead);
		return 1;
	}
	/* A host's round is six frames; the last round may end the file early. */
	while (c.npkts + 6 <= c.target) {
		crowd_host(&c, i);
		if (i + 1 > seen)
			seen = i + 1;
		i = (i + 1) % nhosts;
	}
	while (c.npkts < c.target) {	/* fill up to exactly npkts with announcements */
		uint8_t mac[6];

		host_mac(i, mac);
		crowd_arp(&c, mac, host_ip(i));
		if (i + 1 > seen)
			seen = i + 1;
		i = (i + 1) % nhosts;
	}
	pcap_dump_close(c.out);
	pcap_close(dead);
	if (expected && crowd_expected(&c, expected, seed, nhosts, seen) != 0)
		return 1;
	fprintf(stderr, "swgen: %s: %llu packets, %u distinct hosts (crowd)\n", out,
	    (unsigned long long)c.npkts, seen + (nhosts < CROWD_PLCS ? nhosts : CROWD_PLCS));
	return 0;
}
