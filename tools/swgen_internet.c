/*
 * swgen_internet.c - `swgen --internet`: a small plant whose devices call
 * home, and the location database that says who runs the addresses
 * (`--location-db FILE`, written with libloc's writer), so that what
 * spanwatch concludes from the capture is deterministic.
 *
 * The plant (192.168.10.0/24 behind the router 192.168.10.1; the local
 * resolver 192.168.10.2):
 *   HMI (Dell)         resolves dnl-07.geo.kaspersky.com, TLS to it;
 *                      and TLS to 185.85.15.20 by address only (Kaspersky's AS)
 *   engineering laptop resolves sl-api.oray.com (Sunlogin), TLS to it
 *   camera (Intel NIC) resolves litedev.hik-connect.com, TLS to it (AWS)
 *   Tuya gateway       resolves a1.tuyaeu.com (a CNAME into AWS), TLS to it
 *   SmartLogger        resolves eu5.fusionsolar.huawei.com, TLS to it
 *   SMA inverter       resolves www.sunnyportal.com, TLS to it
 *   Windows PC         HTTP GET of download.windowsupdate.com through port 80
 *   PLC (Siemens)      TCP to 222.186.10.10:8080 in CN, no name
 *   Moxa gateway       asks 114.114.114.114 (a resolver in CN) for pool.ntp.org
 *   and a scanner      167.94.138.50 SYNs the PLC on 502 and 47808 (RST back)
 * The addresses outside the plant are documentation-like stand-ins: only
 * the generated location database gives them owners.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libloc/as.h>
#include <libloc/libloc.h>
#include <libloc/network.h>
#include <libloc/writer.h>
#include <pcap/pcap.h>

#include "swgen.h"

#define INET_BASE_TIME	1764374400u	/* 2025-11-29T00:00:00Z, as the plant */
#define INET_FRAME	1600

struct ihost {
	uint8_t		 mac[6];
	uint8_t		 ip[4];
};

struct inet {
	pcap_dumper_t	*out;
	uint64_t	 npkts;
	uint32_t	 t_ms;
	uint8_t		 b[INET_FRAME];
	size_t		 n;
	uint16_t	 sport;
};

/* --- frames ---------------------------------------------------------------- */

static void put8(struct inet *g, unsigned v) { if (g->n < INET_FRAME) g->b[g->n++] = (uint8_t)v; }
static void put16(struct inet *g, unsigned v) { put8(g, v >> 8); put8(g, v & 0xff); }
static void put32(struct inet *g, uint32_t v) { put16(g, v >> 16); put16(g, v & 0xffff); }
static void putn(struct inet *g, const void *p, size_t n) { for (size_t i = 0; i < n; i++) put8(g, ((const uint8_t *)p)[i]); }

static void
set16(struct inet *g, size_t at, unsigned v)
{
	g->b[at] = (uint8_t)(v >> 8);
	g->b[at + 1] = (uint8_t)v;
}

static void
emit(struct inet *g)
{
	struct pcap_pkthdr h;

	g->t_ms += 7;
	h.ts.tv_sec = INET_BASE_TIME + g->t_ms / 1000;
	h.ts.tv_usec = (g->t_ms % 1000) * 1000;
	h.caplen = h.len = (bpf_u_int32)g->n;
	pcap_dump((u_char *)g->out, &h, g->b);
	g->npkts++;
}

static void
eth(struct inet *g, const uint8_t *dst, const uint8_t *src, unsigned type)
{
	g->n = 0;
	putn(g, dst, 6);
	putn(g, src, 6);
	put16(g, type);
}

/* IPv4 header (RFC 791) with its checksum; returns where the total length goes. */
static size_t
ipv4(struct inet *g, const uint8_t *src, const uint8_t *dst, unsigned proto)
{
	size_t at = g->n;

	put8(g, 0x45); put8(g, 0); put16(g, 0); put16(g, (unsigned)g->npkts); put16(g, 0x4000);
	put8(g, 64); put8(g, proto); put16(g, 0);
	putn(g, src, 4);
	putn(g, dst, 4);
	return at;
}

static void
ipv4_done(struct inet *g, size_t at)
{
	uint32_t sum = 0;

	set16(g, at + 2, (unsigned)(g->n - at));
	for (size_t i = 0; i < 20; i += 2)
		sum += (uint32_t)g->b[at + i] << 8 | g->b[at + i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	set16(g, at + 10, ~sum & 0xffff);
}

/*
 * One IP packet between two ends.  The L2 addresses are the ends' own on
 * the segment; an outside end is reached through the router's MAC.
 */
static void
udp(struct inet *g, const uint8_t *smac, const uint8_t *sip, unsigned sport, const uint8_t *dmac,
    const uint8_t *dip, unsigned dport, const void *pl, size_t n)
{
	size_t at;

	eth(g, dmac, smac, 0x0800);
	at = ipv4(g, sip, dip, 17);
	put16(g, sport); put16(g, dport); put16(g, (unsigned)(8 + n)); put16(g, 0);
	putn(g, pl, n);
	ipv4_done(g, at);
	emit(g);
}

static void
tcp(struct inet *g, const uint8_t *smac, const uint8_t *sip, unsigned sport, const uint8_t *dmac,
    const uint8_t *dip, unsigned dport, uint32_t seq, uint32_t ack, unsigned flags,
    const void *pl, size_t n)
{
	size_t at;

	eth(g, dmac, smac, 0x0800);
	at = ipv4(g, sip, dip, 6);
	put16(g, sport); put16(g, dport); put32(g, seq); put32(g, ack);
	put8(g, 0x50); put8(g, flags); put16(g, 64240); put16(g, 0); put16(g, 0);
	putn(g, pl, n);
	ipv4_done(g, at);
	emit(g);
}

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10

/* ARP announcement (RFC 5227 2.3): the host claims its address. */
static void
arp(struct inet *g, const struct ihost *h)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, zero[6] = { 0 };

	eth(g, bcast, h->mac, 0x0806);
	put16(g, 1); put16(g, 0x0800); put8(g, 6); put8(g, 4); put16(g, 1);
	putn(g, h->mac, 6); putn(g, h->ip, 4); putn(g, zero, 6); putn(g, h->ip, 4);
	emit(g);
}

/* --- payloads ---------------------------------------------------------------- */

struct buf {
	uint8_t	 b[1024];
	size_t	 n;
};

static void b8(struct buf *b, unsigned v) { if (b->n < sizeof(b->b)) b->b[b->n++] = (uint8_t)v; }
static void b16(struct buf *b, unsigned v) { b8(b, v >> 8); b8(b, v & 0xff); }
static void b32(struct buf *b, uint32_t v) { b16(b, v >> 16); b16(b, v & 0xffff); }

static void
bname(struct buf *b, const char *s)
{
	while (*s) {
		size_t k = strcspn(s, ".");

		b8(b, (unsigned)k);
		for (size_t i = 0; i < k; i++)
			b8(b, (unsigned char)s[i]);
		s += k;
		if (*s == '.')
			s++;
	}
	b8(b, 0);
}

/*
 * A DNS query (RFC 1035 4.1) for name, or its answer: an optional CNAME
 * to cname, then an A record for addr (owner: the last name).
 */
static void
dns_msg(struct buf *b, unsigned id, bool answer, const char *name, const char *cname,
    const uint8_t addr[4])
{
	size_t owner;

	b->n = 0;
	b16(b, id); b16(b, answer ? 0x8180 : 0x0100); b16(b, 1); b16(b, answer ? (cname ? 2 : 1) : 0);
	b16(b, 0); b16(b, 0);
	bname(b, name);
	b16(b, 1); b16(b, 1);
	if (!answer)
		return;
	owner = 12;
	if (cname) {
		size_t at;

		b16(b, 0xc00c); b16(b, 5); b16(b, 1); b32(b, 300);
		at = b->n; b16(b, 0);
		owner = b->n;
		bname(b, cname);
		b->b[at] = (uint8_t)((b->n - owner) >> 8);
		b->b[at + 1] = (uint8_t)(b->n - owner);
	}
	b16(b, 0xc000u | (unsigned)owner); b16(b, 1); b16(b, 1); b32(b, 300); b16(b, 4);
	for (int i = 0; i < 4; i++)
		b8(b, addr[i]);
}

/* A TLS 1.2 ClientHello (RFC 8446 4.1.2) with one server_name (RFC 6066 3). */
static void
client_hello(struct buf *b, const char *sni)
{
	size_t n = strlen(sni), hs, ext;

	b->n = 0;
	b8(b, 0x16); b16(b, 0x0301); b16(b, 0);		/* record, length later */
	hs = b->n;
	b8(b, 1); b8(b, 0); b16(b, 0);			/* ClientHello, length later */
	b16(b, 0x0303);
	for (int i = 0; i < 32; i++)
		b8(b, (unsigned)(i * 7 + 1));
	b8(b, 0);					/* session id */
	b16(b, 4); b16(b, 0xc02f); b16(b, 0x1301);	/* cipher suites */
	b8(b, 1); b8(b, 0);				/* null compression */
	ext = b->n;
	b16(b, 0);
	b16(b, 0); b16(b, (unsigned)(n + 5)); b16(b, (unsigned)(n + 3)); b8(b, 0); b16(b, (unsigned)n);
	for (size_t i = 0; i < n; i++)
		b8(b, (unsigned char)sni[i]);
	b->b[ext] = (uint8_t)((b->n - ext - 2) >> 8);
	b->b[ext + 1] = (uint8_t)(b->n - ext - 2);
	b->b[hs + 2] = (uint8_t)((b->n - hs - 4) >> 8);
	b->b[hs + 3] = (uint8_t)(b->n - hs - 4);
	b->b[3] = (uint8_t)((b->n - 5) >> 8);
	b->b[4] = (uint8_t)(b->n - 5);
}

/* --- the plant ------------------------------------------------------------------ */

static const struct ihost router = { { 0x00, 0x00, 0x0c, 0x07, 0xac, 0x01 }, { 192, 168, 10, 1 } };
static const struct ihost resolver = { { 0x00, 0x15, 0x5d, 0x0a, 0x00, 0x02 }, { 192, 168, 10, 2 } };

enum { HMI, LAPTOP, CAMERA, TUYA, LOGGER, SMA, WINPC, PLC, MOXA, NLOCAL };

static const struct ihost hosts[NLOCAL] = {
	[HMI] = { { 0x00, 0x14, 0x22, 0x0a, 0x00, 0x10 }, { 192, 168, 10, 10 } },	/* Dell */
	[LAPTOP] = { { 0x00, 0x14, 0x22, 0x0a, 0x00, 0x11 }, { 192, 168, 10, 11 } },	/* Dell */
	[CAMERA] = { { 0x00, 0x1b, 0x21, 0x0a, 0x00, 0x20 }, { 192, 168, 10, 20 } },	/* Intel */
	[TUYA] = { { 0xd8, 0x1f, 0x12, 0x0a, 0x00, 0x21 }, { 192, 168, 10, 21 } },	/* Tuya */
	[LOGGER] = { { 0x00, 0x18, 0x82, 0x0a, 0x00, 0x30 }, { 192, 168, 10, 30 } },	/* Huawei */
	[SMA] = { { 0x00, 0x40, 0xad, 0x0a, 0x00, 0x31 }, { 192, 168, 10, 31 } },	/* SMA */
	[WINPC] = { { 0x00, 0x14, 0x22, 0x0a, 0x00, 0x12 }, { 192, 168, 10, 12 } },	/* Dell */
	[PLC] = { { 0x00, 0x0e, 0x8c, 0x0a, 0x00, 0x40 }, { 192, 168, 10, 40 } },	/* Siemens */
	[MOXA] = { { 0x00, 0x90, 0xe8, 0x0a, 0x00, 0x41 }, { 192, 168, 10, 41 } },	/* Moxa */
};

/* The outside, and who runs it (written into the location database). */
struct outside {
	const char	*net, *cc, *as_name;
	uint32_t	 asn;
};

static const struct outside nets[] = {
	{ "77.74.181.0/24", "RU", "Kaspersky Lab Switzerland GmbH", 200107 },
	{ "185.85.15.0/24", "CH", "Kaspersky Lab Switzerland GmbH", 200107 },
	{ "47.94.0.0/16", "CN", "Hangzhou Alibaba Advertising Co.,Ltd.", 37963 },
	{ "3.120.0.0/14", "DE", "AMAZON-02", 16509 },
	{ "52.28.0.0/16", "DE", "AMAZON-02", 16509 },
	{ "119.8.0.0/16", "SG", "HUAWEI CLOUDS", 136907 },
	{ "13.107.4.0/24", "US", "MICROSOFT-CORP-MSN-AS-BLOCK", 8075 },
	{ "222.186.0.0/16", "CN", "Chinanet", 4134 },
	{ "114.114.114.0/24", "CN", "NanJing XinFeng Information Technologies, Inc.", 21859 },
	{ "167.94.138.0/24", "US", "CENSYS-ARIN-03", 398722 },
	{ "162.159.200.0/24", "US", "CLOUDFLARENET", 13335 },
};

static const uint8_t ip_kaspersky[4] = { 77, 74, 181, 53 }, ip_ksn[4] = { 185, 85, 15, 20 },
    ip_oray[4] = { 47, 94, 1, 10 }, ip_hik[4] = { 3, 120, 10, 5 }, ip_tuya[4] = { 3, 121, 2, 7 },
    ip_fusion[4] = { 119, 8, 1, 1 }, ip_sma[4] = { 52, 28, 1, 1 }, ip_msft[4] = { 13, 107, 4, 50 },
    ip_cn[4] = { 222, 186, 10, 10 }, ip_114[4] = { 114, 114, 114, 114 },
    ip_scan[4] = { 167, 94, 138, 50 }, ip_ntp[4] = { 162, 159, 200, 1 };

/* Client h asks resolver (at rmac/rip) for name; the answer comes back. */
static void
lookup(struct inet *g, const struct ihost *h, const uint8_t *rmac, const uint8_t *rip,
    const char *name, const char *cname, const uint8_t addr[4])
{
	struct buf b;
	unsigned sport = g->sport++, id = g->sport * 7u & 0xffff;

	dns_msg(&b, id, false, name, NULL, addr);
	udp(g, h->mac, h->ip, sport, rmac, rip, 53, b.b, b.n);
	dns_msg(&b, id, true, name, cname, addr);
	udp(g, rmac, rip, 53, h->mac, h->ip, sport, b.b, b.n);
}

/* A TCP connection from h to an outside address: handshake, one exchange, close. */
static void
connect_out(struct inet *g, const struct ihost *h, const uint8_t *dip, unsigned dport,
    const void *req, size_t reqn, const void *resp, size_t respn)
{
	const uint8_t *rm = router.mac;
	unsigned sp = g->sport++;
	uint32_t c = 1000, s = 5000;

	tcp(g, h->mac, h->ip, sp, rm, dip, dport, c, 0, F_SYN, NULL, 0);
	tcp(g, rm, dip, dport, h->mac, h->ip, sp, s, c + 1, F_SYN | F_ACK, NULL, 0);
	tcp(g, h->mac, h->ip, sp, rm, dip, dport, c + 1, s + 1, F_ACK, NULL, 0);
	tcp(g, h->mac, h->ip, sp, rm, dip, dport, c + 1, s + 1, F_PSH | F_ACK, req, reqn);
	c += 1 + (uint32_t)reqn;
	tcp(g, rm, dip, dport, h->mac, h->ip, sp, s + 1, c, F_PSH | F_ACK, resp, respn);
	s += 1 + (uint32_t)respn;
	tcp(g, h->mac, h->ip, sp, rm, dip, dport, c, s, F_FIN | F_ACK, NULL, 0);
	tcp(g, rm, dip, dport, h->mac, h->ip, sp, s, c + 1, F_FIN | F_ACK, NULL, 0);
	tcp(g, h->mac, h->ip, sp, rm, dip, dport, c + 1, s + 1, F_ACK, NULL, 0);
}

static void
tls_out(struct inet *g, const struct ihost *h, const uint8_t *dip, const char *sni)
{
	static const uint8_t alert[] = { 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28 };
	struct buf b;

	if (sni)
		client_hello(&b, sni);
	else
		client_hello(&b, "");	/* no name: an empty SNI names nothing */
	connect_out(g, h, dip, 443, b.b, b.n, alert, sizeof(alert));
}

static void
scanner(struct inet *g, unsigned dport)
{
	const struct ihost *plc = &hosts[PLC];
	unsigned sp = 40000 + dport % 1000;

	tcp(g, router.mac, ip_scan, sp, plc->mac, plc->ip, dport, 77, 0, F_SYN, NULL, 0);
	tcp(g, plc->mac, plc->ip, dport, router.mac, ip_scan, sp, 0, 78, F_RST | F_ACK, NULL, 0);
}

static void
plant(struct inet *g)
{
	static const char winupd[] = "GET http://download.windowsupdate.com/msdownload/update/v3/static/trustedr/en/authrootstl.cab HTTP/1.1\r\n"
	    "Host: download.windowsupdate.com\r\nUser-Agent: Microsoft-CryptoAPI/10.0\r\n\r\n";
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nServer: ECAcc (ama/1234)\r\n\r\n";
	static const uint8_t none[1] = { 0 };
	const uint8_t *rm = resolver.mac, *rip = resolver.ip;

	arp(g, &router);
	arp(g, &resolver);
	for (int i = 0; i < NLOCAL; i++)
		arp(g, &hosts[i]);
	lookup(g, &hosts[HMI], rm, rip, "dnl-07.geo.kaspersky.com", NULL, ip_kaspersky);
	tls_out(g, &hosts[HMI], ip_kaspersky, "dnl-07.geo.kaspersky.com");
	tls_out(g, &hosts[HMI], ip_ksn, NULL);
	lookup(g, &hosts[LAPTOP], rm, rip, "sl-api.oray.com", NULL, ip_oray);
	tls_out(g, &hosts[LAPTOP], ip_oray, "sl-api.oray.com");
	lookup(g, &hosts[CAMERA], rm, rip, "litedev.hik-connect.com", NULL, ip_hik);
	tls_out(g, &hosts[CAMERA], ip_hik, "litedev.hik-connect.com");
	lookup(g, &hosts[TUYA], rm, rip, "a1.tuyaeu.com",
	    "tuya-eu-lb-1.elb.eu-central-1.amazonaws.com", ip_tuya);
	tls_out(g, &hosts[TUYA], ip_tuya, "a1.tuyaeu.com");
	lookup(g, &hosts[LOGGER], rm, rip, "eu5.fusionsolar.huawei.com", NULL, ip_fusion);
	tls_out(g, &hosts[LOGGER], ip_fusion, "eu5.fusionsolar.huawei.com");
	lookup(g, &hosts[SMA], rm, rip, "www.sunnyportal.com", NULL, ip_sma);
	tls_out(g, &hosts[SMA], ip_sma, "www.sunnyportal.com");
	lookup(g, &hosts[WINPC], rm, rip, "download.windowsupdate.com", NULL, ip_msft);
	connect_out(g, &hosts[WINPC], ip_msft, 80, winupd, strlen(winupd), ok, strlen(ok));
	connect_out(g, &hosts[PLC], ip_cn, 8080, "\x01\x02\x03\x04", 4, none, 1);
	lookup(g, &hosts[MOXA], router.mac, ip_114, "pool.ntp.org", NULL, ip_ntp);
	scanner(g, 502);
	scanner(g, 47808);
}

/* The location database for the outside addresses above (libloc's writer). */
static int
write_location_db(const char *path)
{
	struct loc_ctx *ctx = NULL;
	struct loc_writer *w = NULL;
	FILE *f = NULL;
	int rc = -1;

	if (loc_new(&ctx) != 0 || loc_writer_new(ctx, &w, NULL, NULL) != 0)
		goto out;
	loc_writer_set_vendor(w, "spanwatch swgen --internet (synthetic)");
	for (size_t i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
		struct loc_network *n = NULL;
		struct loc_as *as = NULL;

		if (loc_writer_add_network(w, &n, nets[i].net) != 0)
			goto out;
		loc_network_set_country_code(n, nets[i].cc);
		loc_network_set_asn(n, nets[i].asn);
		loc_network_unref(n);
		if (loc_writer_add_as(w, &as, nets[i].asn) == 0) {
			loc_as_set_name(as, nets[i].as_name);
			loc_as_unref(as);
		}
	}
	if ((f = fopen(path, "w")) == NULL || loc_writer_write(w, f, LOC_DATABASE_VERSION_LATEST) != 0)
		goto out;
	rc = 0;
out:
	if (f && fclose(f) != 0)
		rc = -1;
	if (w)
		loc_writer_unref(w);
	if (ctx)
		loc_unref(ctx);
	if (rc != 0)
		fprintf(stderr, "swgen: %s: cannot write the location database\n", path);
	return rc;
}

int
swgen_internet(const char *out, const char *locdb)
{
	static struct inet g;
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);

	if ((g.out = pcap_dump_open(dead, out)) == NULL) {
		fprintf(stderr, "swgen: %s: %s\n", out, pcap_geterr(dead));
		pcap_close(dead);
		return 1;
	}
	g.sport = 49152;
	plant(&g);
	pcap_dump_close(g.out);
	pcap_close(dead);
	if (locdb && write_location_db(locdb) != 0)
		return 1;
	fprintf(stderr, "swgen: %s: %llu packets, the calling-home plant\n", out,
	    (unsigned long long)g.npkts);
	return 0;
}
