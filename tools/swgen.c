/*
 * swgen - writes a deterministic, realistic OT/IT capture of any size,
 * and the inventory it contains, for the demo, the benchmark and tests.
 *
 *   swgen -o FILE -n PACKETS [-s SEED] [--hosts N] [--solar] [--expected FILE.json]
 *   swgen --crowd -o FILE -n PACKETS --hosts N   N distinct hosts (tools/swgen_crowd.c)
 *   swgen --spoof N -r BASE -o FILE              BASE plus a flood of N spoofed senders (tools/swgen_spoof.c)
 *   swgen --loop FILE          a bare libpcap read loop with spanwatchd's 1 MiB buffer: the floor
 *   swgen --loop-stock FILE    the same with libpcap's stock stdio reading
 *
 * A plant network: PLCs and RTUs from real vendors' MAC blocks, HMIs and
 * engineering stations, IP cameras (some from high-risk-origin makers), a
 * router whose MAC carries the traffic of a remote site, switches speaking
 * LLDP.  They talk Modbus/TCP (polling, writes, device identification),
 * DNP3 (class polls, group 0 device attributes, CRCs), IEC 60870-5-104,
 * EtherNet/IP ListIdentity, S7comm SZL, BACnet I-Am, HTTP, TLS, SSH, DHCP
 * and ARP, some behind VLAN tags, with segments split and retransmitted
 * and a share of malformed frames.  Message layouts follow the published
 * specifications (Modbus Application Protocol 1.1b3, IEEE 1815, IEC
 * 60870-5-104, ODVA CIP Vol. 2, ASHRAE 135, RFC 2131/2132, IEEE 802.1AB).
 * The output depends only on the seed and the options.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <pcap/pcap.h>

#include "swgen.h"

#define MAXFRAME	1600
#define BASE_TIME	1764374400u	/* 2025-11-29T00:00:00Z */

/* --- deterministic randomness (xorshift64*) ------------------------------- */

static uint64_t rng_state;

static uint32_t
rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

static uint32_t rnd_below(uint32_t n) { return n ? rnd() % n : 0; }

/* --- the plant ------------------------------------------------------------- */

enum kind { K_PLC_S7, K_PLC_MODBUS, K_RTU_DNP3, K_RTU_104, K_PLC_ENIP, K_BACNET, K_CAMERA,
	K_HMI, K_ENGWS, K_SWITCH, K_HISTORIAN, K_SOLAR, K_NKINDS };

struct model {
	enum kind	 kind;
	const char	*oui;		/* a real MA-L block of the maker */
	const char	*oui_org;	/* its IEEE organisation name */
	const char	*vendor, *model, *firmware, *extra;
};

/* Each OUI checked against /usr/share/ieee-data/oui.csv. */
static const struct model models[] = {
	{ K_PLC_S7, "000e8c", "Siemens AG", "Siemens", "6ES7 315-2EH14-0AB0", "V3.2.6", "CPU 315-2 PN/DP" },
	{ K_PLC_S7, "001b1b", "Siemens AG", "Siemens", "6ES7 151-8AB01-0AB0", "V3.2.8", "IM151-8 PN/DP CPU" },
	{ K_PLC_MODBUS, "0080f4", "TELEMECANIQUE ELECTRIQUE", "Schneider Electric", "BMX P34 2020", "v3.10", "Modicon M340" },
	{ K_PLC_MODBUS, "00a045", "PHOENIX CONTACT Electronics GmbH", "Phoenix Contact", "ILC 191 ETH 2TX", "4.6.0", "ILC 191" },
	{ K_RTU_DNP3, "0030a7", "SCHWEITZER ENGINEERING", "SEL", "SEL-3530 RTAC", "R143", "RTAC" },
	{ K_RTU_104, "60391f", "ABB Ltd", "ABB", "RTU560 CMU", "12.4.1", "RTU560" },
	{ K_PLC_ENIP, "0000bc", "Rockwell Automation", "Rockwell Automation", "1756-L61/B LOGIX5561", "20.11", "ControlLogix" },
	{ K_BACNET, "00203d", "Honeywell Environmental & Combustion Controls", "Honeywell", "Spyder BACnet", "4.2", "" },
	{ K_CAMERA, "4419b6", "Hangzhou Hikvision Digital Technology Co.,Ltd.", "Hikvision", "DS-2CD2143G2-I", "V5.7.3", "Hikvision-Webs" },
	{ K_CAMERA, "3ce36b", "Zhejiang Dahua Technology Co., Ltd.", "Dahua", "IPC-HFW2431S", "V2.800", "DahuaHttp" },
	{ K_CAMERA, "00408c", "AXIS COMMUNICATIONS AB", "Axis", "P3245-V", "10.12.153", "AXIS P3245-V" },
	{ K_HMI, "001d09", "Dell Inc.", "Dell", "OptiPlex 7090", "", "WinCC" },
	{ K_ENGWS, "3ca9f4", "Intel Corporate", "Intel", "", "", "TIA Portal" },
	{ K_SWITCH, "008063", "Hirschmann Automation and Control GmbH", "Hirschmann", "RSP35", "08.7.04", "Hirschmann Railswitch Power" },
	{ K_SWITCH, "f4bd9e", "Cisco Systems, Inc", "Cisco", "IE-4000", "15.2(7)E", "Cisco IOS Software, IE4000" },
	{ K_HISTORIAN, "000c29", "VMware, Inc.", "VMware", "", "", "OSIsoft PI" },
	{ K_PLC_MODBUS, "0030de", "WAGO Kontakttechnik GmbH", "WAGO", "750-8212", "03.10.08", "PFC200" },
	{ K_PLC_MODBUS, "000105", "Beckhoff Automation GmbH", "Beckhoff", "CX9020", "3.1.4024", "TwinCAT" },
	{ K_PLC_MODBUS, "0090e8", "MOXA TECHNOLOGIES CORP., LTD.", "Moxa", "MB3170", "4.1", "MGate MB3170" },
	{ K_PLC_MODBUS, "00d0c9", "ADVANTECH CO., LTD.", "Advantech", "ADAM-6052", "5.02", "ADAM-6000" },
	{ K_SWITCH, "00e0fc", "HUAWEI TECHNOLOGIES CO.,LTD", "Huawei", "S5735-L24T4X", "V200R021C00",
	    "Huawei Versatile Routing Platform" },
	{ K_SWITCH, "e01954", "zte corporation", "ZTE", "ZXR10 5960", "V5.00.10", "ZTE ZXR10 Software" },
	{ K_HMI, "040e3c", "HP Inc.", "HP", "EliteDesk 800 G6", "", "WinCC" },
};

struct host {
	uint8_t		 mac[6];
	uint8_t		 ip[4];
	uint16_t	 vlan;
	const struct model *m;
	char		 hostname[32];
	char		 serial[16];
	bool		 remote;	/* behind the router: appears with the router's MAC */
	bool		 emitted_identity;
	unsigned	 said;		/* SAID_*: identity facts it has put on the wire */
};

/* Identity facts, for the expected inventory: only what really went out. */
#define SAID_VENDOR	0x01
#define SAID_MODEL	0x02
#define SAID_PRODUCT	0x04
#define SAID_FIRMWARE	0x08
#define SAID_SERIAL	0x10
#define SAID_SOFTWARE	0x20
#define SAID_HOSTNAME	0x40

#define MAX_HOSTS	4096

/*
 * What a frame broken on purpose breaks, and the spanwatchd --stats
 * counter that counts it: the summary and the expected inventory say both,
 * so the two programs' numbers can be compared.
 */
enum broken { B_IPV4_SHORT, B_IPV4_IHL, B_DNP3_CRC, B_MBAP_LONG, B_N };
static const struct {
	const char	*what, *counter;
} broken_kinds[B_N] = {
	[B_IPV4_SHORT] = { "IPv4 headers cut short", "stat.ipv4_short" },
	[B_IPV4_IHL] = { "IPv4 header lengths under 20", "stat.ipv4_bad_header" },
	[B_DNP3_CRC] = { "DNP3 blocks with a bad CRC", "stat.dnp3.bad_crc" },
	/* a reader holds such a PDU for the rest; it counts it when the flow ends */
	[B_MBAP_LONG] = { "Modbus lengths past the data", "stat.modbus.truncated" },
};

struct gen {
	pcap_dumper_t	*out;
	uint64_t	 npkts, target;
	uint64_t	 ts_us;
	struct host	 hosts[MAX_HOSTS];
	int		 nhosts;
	uint8_t		 router_mac[6];
	uint8_t		 router_ip[4];
	uint32_t	 malformed, split, retrans;
	uint32_t	 broken[B_N];	/* malformed, by what is broken */
	struct host	*solar[8];	/* the solar park (--solar), see solar_hosts */
	int		 nsolar;
};

static int
hexpair(const char *s)
{
	int v = 0;

	for (int i = 0; i < 2; i++) {
		char c = s[i];

		v = v * 16 + (c >= '0' && c <= '9' ? c - '0' : (c | 32) - 'a' + 10);
	}
	return v;
}

static void
add_host(struct gen *g, const struct model *m, int idx, bool remote)
{
	struct host *h = &g->hosts[g->nhosts++];

	for (int i = 0; i < 3; i++)
		h->mac[i] = (uint8_t)hexpair(m->oui + i * 2);
	h->mac[3] = (uint8_t)(idx >> 8);
	h->mac[4] = (uint8_t)idx;
	h->mac[5] = (uint8_t)(0x10 + rnd_below(200));
	h->ip[0] = 10;
	h->ip[1] = remote ? 20 : 10;
	h->ip[2] = (uint8_t)(idx / 250);
	h->ip[3] = (uint8_t)(idx % 250 + 2);
	h->vlan = remote ? 0 : (m->kind == K_CAMERA ? 40 : (m->kind == K_PLC_S7 ? 10 : 0));
	h->m = m;
	h->remote = remote;
	snprintf(h->hostname, sizeof(h->hostname), "%s-%03d",
	    m->kind == K_HMI ? "hmi" : m->kind == K_ENGWS ? "eng" : m->kind == K_CAMERA ? "cam" :
	    m->kind == K_SWITCH ? "sw" : m->kind == K_HISTORIAN ? "hist" : "plc", idx);
	snprintf(h->serial, sizeof(h->serial), "SN%08X", rnd());
}

static void
build_plant(struct gen *g, int nhosts)
{
	int n = (int)(sizeof(models) / sizeof(models[0]));

	memcpy(g->router_mac, (uint8_t[]){ 0x00, 0x1e, 0xf6, 0x01, 0x02, 0x03 }, 6);	/* Cisco */
	memcpy(g->router_ip, (uint8_t[]){ 10, 10, 0, 1 }, 4);
	for (int i = 0; i < nhosts && g->nhosts < MAX_HOSTS; i++) {
		const struct model *m = &models[i < n ? (uint32_t)i : rnd_below((uint32_t)n)];

		/* One in eight devices sits at a remote site behind the router. */
		add_host(g, m, i, i >= n && rnd_below(8) == 0 && m->kind != K_SWITCH);
	}
}

/* --- frames ------------------------------------------------------------------ */

struct frame {
	uint8_t	 b[MAXFRAME];
	size_t	 n;
};

static void put8(struct frame *f, unsigned v) { if (f->n < MAXFRAME) f->b[f->n++] = (uint8_t)v; }
static void put16(struct frame *f, unsigned v) { put8(f, v >> 8); put8(f, v & 0xff); }
static void put16le(struct frame *f, unsigned v) { put8(f, v & 0xff); put8(f, v >> 8); }
static void put32(struct frame *f, uint32_t v) { put16(f, v >> 16); put16(f, v & 0xffff); }
static void put32le(struct frame *f, uint32_t v) { put16le(f, v & 0xffff); put16le(f, v >> 16); }
static void putn(struct frame *f, const void *p, size_t n) { for (size_t i = 0; i < n; i++) put8(f, ((const uint8_t *)p)[i]); }
static void puts_(struct frame *f, const char *s) { putn(f, s, strlen(s)); }

static void
emit(struct gen *g, const struct frame *f, size_t caplen)
{
	struct pcap_pkthdr h;

	if (g->npkts >= g->target)	/* -n is exact: the last exchange may be cut short */
		return;
	g->ts_us += 50 + rnd_below(400);
	h.ts.tv_sec = (time_t)(BASE_TIME + g->ts_us / 1000000);
	h.ts.tv_usec = (suseconds_t)(g->ts_us % 1000000);
	h.len = (bpf_u_int32)f->n;
	h.caplen = (bpf_u_int32)(caplen < f->n ? caplen : f->n);
	pcap_dump((u_char *)g->out, &h, f->b);
	g->npkts++;
}

/*
 * The frame just sent carried these facts of h.  It was written if the
 * capture is not full yet (the last exchange may be cut short by -n).
 */
static void
said(const struct gen *g, struct host *h, unsigned what)
{
	if (g->npkts < g->target)
		h->said |= what;
}

static uint16_t
csum(const uint8_t *b, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Ethernet (+ 802.1Q) + IPv4 + L4 header + payload, checksums right. */
static void
ip_frame(struct frame *f, const uint8_t smac[6], const uint8_t dmac[6], uint16_t vlan,
    const uint8_t sip[4], const uint8_t dip[4], uint8_t proto, const struct frame *l4)
{
	size_t ipoff, l4off;
	uint32_t ph;

	f->n = 0;
	putn(f, dmac, 6);
	putn(f, smac, 6);
	if (vlan) {
		put16(f, 0x8100);
		put16(f, vlan);
	}
	put16(f, 0x0800);
	ipoff = f->n;
	put8(f, 0x45); put8(f, 0);
	put16(f, (unsigned)(20 + l4->n));
	put16(f, rnd() & 0xffff); put16(f, 0x4000);
	put8(f, 64); put8(f, proto); put16(f, 0);
	putn(f, sip, 4);
	putn(f, dip, 4);
	{
		uint16_t c = csum(f->b + ipoff, 20, 0);

		f->b[ipoff + 10] = (uint8_t)(c >> 8);
		f->b[ipoff + 11] = (uint8_t)c;
	}
	l4off = f->n;
	putn(f, l4->b, l4->n);
	ph = (uint32_t)(sip[0] << 8 | sip[1]) + (uint32_t)(sip[2] << 8 | sip[3]) +
	    (uint32_t)(dip[0] << 8 | dip[1]) + (uint32_t)(dip[2] << 8 | dip[3]) + proto + (uint32_t)l4->n;
	{
		size_t co = l4off + (proto == 6 ? 16 : 6);
		uint16_t c = csum(f->b + l4off, l4->n, ph);

		if (proto == 17 && c == 0)
			c = 0xffff;
		f->b[co] = (uint8_t)(c >> 8);
		f->b[co + 1] = (uint8_t)c;
	}
}

/* The MAC a host's packets carry on this segment: its own, or the router's. */
static const uint8_t *
wire_mac(const struct gen *g, const struct host *h)
{
	return h->remote ? g->router_mac : h->mac;
}

static uint16_t
wire_vlan(const struct host *a, const struct host *b)
{
	return a->vlan ? a->vlan : b->vlan;
}

struct tcp {
	struct gen	*g;
	struct host	*cli, *srv;
	uint16_t	 sport, dport;
	uint32_t	 cseq, sseq;
};

static void
tcp_send(struct tcp *t, bool from_cli, uint8_t flags, const uint8_t *data, size_t len)
{
	struct frame l4 = { .n = 0 }, f;
	struct host *s = from_cli ? t->cli : t->srv, *d = from_cli ? t->srv : t->cli;
	uint32_t *seq = from_cli ? &t->cseq : &t->sseq, ack = from_cli ? t->sseq : t->cseq;

	put16(&l4, from_cli ? t->sport : t->dport);
	put16(&l4, from_cli ? t->dport : t->sport);
	put32(&l4, *seq);
	put32(&l4, (flags & 0x10) ? ack : 0);
	put8(&l4, 5 << 4); put8(&l4, flags);
	put16(&l4, 64240); put16(&l4, 0); put16(&l4, 0);
	putn(&l4, data, len);
	ip_frame(&f, wire_mac(t->g, s), wire_mac(t->g, d), wire_vlan(s, d), s->ip, d->ip, 6, &l4);
	emit(t->g, &f, f.n);
	*seq += (uint32_t)len + ((flags & 0x03) ? 1 : 0);
}

static void tcp_open_new(struct tcp *t, struct gen *g, struct host *cli, struct host *srv, uint16_t dport);
static void tcp_close_now(struct tcp *t);

/*
 * SCADA masters keep their connections open for hours: most exchanges
 * continue a session between the same two hosts; now and then one is
 * closed and opened afresh.
 */
#define SESSIONS	16384

static struct tcp sessions[SESSIONS];

static unsigned
session_slot(const struct gen *g, const struct host *cli, const struct host *srv, uint16_t port)
{
	uint32_t h = (uint32_t)(cli - g->hosts) * 2654435761u ^ (uint32_t)(srv - g->hosts) * 40503u ^ port;

	return (h ^ (h >> 15)) % SESSIONS;
}

static void
tcp_open(struct tcp *t, struct gen *g, struct host *cli, struct host *srv, uint16_t dport)
{
	unsigned slot = session_slot(g, cli, srv, dport);
	struct tcp *s = &sessions[slot];

	if (s->g == g && s->cli == cli && s->srv == srv && s->dport == dport && rnd_below(20) != 0) {
		*t = *s;
		return;
	}
	if (s->g == g && s->cli)
		tcp_close_now(s);
	tcp_open_new(t, g, cli, srv, dport);
	*s = *t;
}

/* The exchange is over: remember where the session's sequence numbers are. */
static void
tcp_close(struct tcp *t)
{
	sessions[session_slot(t->g, t->cli, t->srv, t->dport)] = *t;
}

static void
tcp_open_new(struct tcp *t, struct gen *g, struct host *cli, struct host *srv, uint16_t dport)
{
	t->g = g;
	t->cli = cli;
	t->srv = srv;
	t->sport = (uint16_t)(49152 + rnd_below(16000));
	t->dport = dport;
	t->cseq = rnd();
	t->sseq = rnd();
	tcp_send(t, true, 0x02, NULL, 0);
	tcp_send(t, false, 0x12, NULL, 0);
	tcp_send(t, true, 0x10, NULL, 0);
}

/* Data, sometimes split in two segments and sometimes retransmitted. */
static void
tcp_data(struct tcp *t, bool from_cli, const struct frame *p)
{
	uint32_t r = rnd_below(100);

	if (r < 4 && p->n > 4) {
		size_t half = p->n / 2;

		tcp_send(t, from_cli, 0x10, p->b, half);
		tcp_send(t, from_cli, 0x18, p->b + half, p->n - half);
		t->g->split++;
	} else if (r < 7) {
		uint32_t *seq = from_cli ? &t->cseq : &t->sseq;

		tcp_send(t, from_cli, 0x18, p->b, p->n);
		*seq -= (uint32_t)p->n;		/* the same bytes again */
		tcp_send(t, from_cli, 0x18, p->b, p->n);
		t->g->retrans++;
	} else
		tcp_send(t, from_cli, 0x18, p->b, p->n);
}

static void
tcp_close_now(struct tcp *t)
{
	tcp_send(t, true, 0x11, NULL, 0);
	tcp_send(t, false, 0x11, NULL, 0);
	tcp_send(t, true, 0x10, NULL, 0);
}

static void
udp_send(struct gen *g, const struct host *s, const uint8_t dmac[6], const uint8_t dip[4],
    uint16_t vlan, uint16_t sport, uint16_t dport, const struct frame *p)
{
	struct frame l4 = { .n = 0 }, f;

	put16(&l4, sport);
	put16(&l4, dport);
	put16(&l4, (unsigned)(8 + p->n));
	put16(&l4, 0);
	putn(&l4, p->b, p->n);
	ip_frame(&f, wire_mac(g, s), dmac, vlan, s->ip, dip, 17, &l4);
	emit(g, &f, f.n);
}

/* --- protocol payloads ------------------------------------------------------ */

/* Modbus: read holding registers polls, a write, and Read Device Identification. */
static void
gen_modbus(struct gen *g, struct host *cli, struct host *srv)
{
	struct tcp t;
	struct frame p;
	uint16_t tid = (uint16_t)rnd();
	uint8_t unit = (uint8_t)(1 + rnd_below(3));
	int polls = 2 + (int)rnd_below(6);

	tcp_open(&t, g, cli, srv, 502);
	for (int i = 0; i < polls; i++, tid++) {
		bool write = rnd_below(10) == 0;

		p.n = 0;
		put16(&p, tid); put16(&p, 0); put16(&p, 6); put8(&p, unit);
		put8(&p, write ? 6 : 3); put16(&p, (unsigned)rnd_below(1000)); put16(&p, write ? rnd() & 0xffff : 10);
		tcp_data(&t, true, &p);
		p.n = 0;
		if (write) {
			put16(&p, tid); put16(&p, 0); put16(&p, 6); put8(&p, unit);
			put8(&p, 6); put16(&p, 1); put16(&p, 2);
		} else {
			put16(&p, tid); put16(&p, 0); put16(&p, 3 + 20); put8(&p, unit);
			put8(&p, 3); put8(&p, 20);
			for (int k = 0; k < 10; k++)
				put16(&p, rnd() & 0xffff);
		}
		tcp_data(&t, false, &p);
	}
	if (!srv->emitted_identity || rnd_below(4) == 0) {
		const char *obj[3] = { srv->m->vendor, srv->m->model, srv->m->firmware };
		size_t len = 8;

		p.n = 0;
		put16(&p, tid); put16(&p, 0); put16(&p, 5); put8(&p, unit);
		put8(&p, 0x2b); put8(&p, 0x0e); put8(&p, 1); put8(&p, 0);
		tcp_data(&t, true, &p);
		for (int k = 0; k < 3; k++)
			len += 2 + strlen(obj[k]);
		p.n = 0;
		put16(&p, tid); put16(&p, 0); put16(&p, (unsigned)len); put8(&p, unit);
		put8(&p, 0x2b); put8(&p, 0x0e); put8(&p, 1); put8(&p, 0x81); put8(&p, 0); put8(&p, 0); put8(&p, 3);
		for (int k = 0; k < 3; k++) {
			put8(&p, (unsigned)k); put8(&p, (unsigned)strlen(obj[k])); puts_(&p, obj[k]);
		}
		tcp_data(&t, false, &p);
		srv->emitted_identity = true;
		said(g, srv, SAID_VENDOR | SAID_PRODUCT | SAID_FIRMWARE);
	}
	tcp_close(&t);
}

/* CRC-16/DNP (reflected polynomial 0xA6BC), stored little endian, complemented. */
static uint16_t
dnp_crc(const uint8_t *b, size_t n)
{
	uint16_t crc = 0;

	for (size_t i = 0; i < n; i++) {
		crc ^= b[i];
		for (int k = 0; k < 8; k++)
			crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xa6bc) : (uint16_t)(crc >> 1);
	}
	return (uint16_t)~crc;
}

/* One DNP3 link frame around user data (transport header + application). */
static void
dnp3_frame(struct frame *p, uint8_t ctrl, uint16_t dst, uint16_t src, const uint8_t *ud, size_t n)
{
	uint8_t hdr[8] = { 0x05, 0x64, (uint8_t)(5 + n), ctrl, (uint8_t)dst, (uint8_t)(dst >> 8),
		(uint8_t)src, (uint8_t)(src >> 8) };
	uint16_t c = dnp_crc(hdr, 8);

	putn(p, hdr, 8);
	put16le(p, c);
	for (size_t off = 0; off < n; off += 16) {
		size_t k = n - off < 16 ? n - off : 16;

		putn(p, ud + off, k);
		put16le(p, dnp_crc(ud + off, k));
	}
}

static void
put_g0(uint8_t *b, size_t *n, uint8_t var, const char *s)
{
	size_t len = strlen(s);

	b[(*n)++] = 0; b[(*n)++] = var; b[(*n)++] = 0x00; b[(*n)++] = 0; b[(*n)++] = 0;
	b[(*n)++] = 1; b[(*n)++] = (uint8_t)len;
	memcpy(b + *n, s, len);
	*n += len;
}

static void
gen_dnp3(struct gen *g, struct host *master, struct host *out, uint16_t maddr, uint16_t oaddr)
{
	static const uint8_t read_class[] = { 0xc0, 0xc1, 0x01, 0x3c, 0x02, 0x06, 0x3c, 0x03, 0x06,
		0x3c, 0x04, 0x06, 0x3c, 0x01, 0x06 };
	uint8_t app[200];
	size_t n = 0;
	struct tcp t;
	struct frame p;
	bool ident = false, bad = false;

	tcp_open(&t, g, master, out, 20000);
	p.n = 0;
	dnp3_frame(&p, 0xc4, oaddr, maddr, read_class, sizeof(read_class));
	tcp_data(&t, true, &p);
	app[n++] = 0xc0; app[n++] = 0xc1; app[n++] = 0x81; app[n++] = 0x00; app[n++] = 0x00;
	if (!out->emitted_identity || rnd_below(3) == 0) {
		put_g0(app, &n, 252, out->m->vendor);
		put_g0(app, &n, 250, out->m->model);
		put_g0(app, &n, 242, out->m->firmware);
		put_g0(app, &n, 248, out->serial);
		out->emitted_identity = true;
		ident = true;
	} else {
		/* g30v1 analog inputs 0..3 */
		app[n++] = 30; app[n++] = 1; app[n++] = 0x00; app[n++] = 0; app[n++] = 3;
		for (int k = 0; k < 4; k++) {
			app[n++] = 0x01;
			for (int b = 0; b < 4; b++)
				app[n++] = (uint8_t)rnd();
		}
	}
	p.n = 0;
	dnp3_frame(&p, 0x44, maddr, oaddr, app, n);
	if (rnd_below(50) == 0) {		/* a bad block CRC: must be counted, not trusted */
		p.b[12] ^= 0xff;
		g->malformed++;
		g->broken[B_DNP3_CRC]++;
		bad = true;
	}
	tcp_data(&t, false, &p);
	if (ident && !bad)
		said(g, out, SAID_VENDOR | SAID_MODEL | SAID_FIRMWARE | SAID_SERIAL);
	tcp_close(&t);
}

static void
gen_iec104(struct gen *g, struct host *scada, struct host *rtu, uint16_t ca)
{
	struct tcp t;
	struct frame p;

	tcp_open(&t, g, scada, rtu, 2404);
	p.n = 0;
	put8(&p, 0x68); put8(&p, 4); put8(&p, 0x07); put8(&p, 0); put8(&p, 0); put8(&p, 0);
	tcp_data(&t, true, &p);		/* STARTDT act */
	p.n = 0;
	put8(&p, 0x68); put8(&p, 4); put8(&p, 0x0b); put8(&p, 0); put8(&p, 0); put8(&p, 0);
	tcp_data(&t, false, &p);	/* STARTDT con */
	for (int i = 0; i < 3; i++) {
		p.n = 0;		/* I-frame: M_ME_NC_1 (13), spontaneous */
		put8(&p, 0x68); put8(&p, 4 + 6 + 3 + 5);
		put16le(&p, (unsigned)(i << 1)); put16le(&p, 0);
		put8(&p, 13); put8(&p, 1); put8(&p, 3); put8(&p, 0); put16le(&p, ca);
		put8(&p, (unsigned)(100 + i)); put8(&p, 0); put8(&p, 0);
		put32le(&p, rnd()); put8(&p, 0);
		tcp_data(&t, false, &p);
	}
	tcp_close(&t);
}

/* EtherNet/IP ListIdentity: a broadcast request and the device's reply. */
static void
gen_enip(struct gen *g, struct host *scanner, struct host *dev)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t bip[4] = { dev->ip[0], dev->ip[1], dev->ip[2], 255 };
	const char *name = dev->m->model;
	struct frame p = { .n = 0 };
	uint32_t serial = (uint32_t)strtoul(dev->serial + 2, NULL, 16);
	size_t item = 2 + 16 + 2 + 2 + 2 + 2 + 2 + 4 + 1 + strlen(name) + 1;

	put16le(&p, 0x63); put16le(&p, 0); put32le(&p, 0); put32le(&p, 0);
	put32le(&p, rnd()); put32le(&p, 0); put32le(&p, 0);
	udp_send(g, scanner, bcast, bip, 0, (uint16_t)(49152 + rnd_below(1000)), 44818, &p);
	p.n = 0;
	put16le(&p, 0x63); put16le(&p, (unsigned)(2 + 4 + item)); put32le(&p, 0); put32le(&p, 0);
	put32le(&p, rnd()); put32le(&p, 0); put32le(&p, 0);
	put16le(&p, 1); put16le(&p, 0x0c); put16le(&p, (unsigned)item);
	put16le(&p, 1);						/* encapsulation version */
	put16(&p, 2); put16(&p, 44818); putn(&p, dev->ip, 4); put32(&p, 0); put32(&p, 0);
	put16le(&p, 1); put16le(&p, 14); put16le(&p, 54);	/* Rockwell, PLC, product code */
	{
		unsigned major = 20, minor = 11;		/* revision */

		sscanf(dev->m->firmware, "%u.%u", &major, &minor);
		put8(&p, major); put8(&p, minor);
	}
	put16le(&p, 0x0060); put32le(&p, serial);
	put8(&p, (unsigned)strlen(name)); puts_(&p, name); put8(&p, 3);
	udp_send(g, dev, wire_mac(g, scanner), scanner->ip, 0, 44818, 44818, &p);
	said(g, dev, SAID_MODEL | SAID_FIRMWARE | SAID_SERIAL);
}

/* S7comm: COTP connect, then an SZL 0x0011 read answered with the order number. */
static void
gen_s7(struct gen *g, struct host *hmi, struct host *plc)
{
	struct tcp t;
	struct frame p, s;

	tcp_open(&t, g, hmi, plc, 102);
	p.n = 0;	/* TPKT + COTP CR (src-tsap 0100, dst-tsap 0102) */
	put16(&p, 0x0300); put16(&p, 22); put8(&p, 17); put8(&p, 0xe0); put16(&p, 0); put16(&p, 1);
	put8(&p, 0); put8(&p, 0xc1); put8(&p, 2); put16(&p, 0x0100); put8(&p, 0xc2); put8(&p, 2);
	put16(&p, 0x0102); put8(&p, 0xc0); put8(&p, 1); put8(&p, 0x0a);
	tcp_data(&t, true, &p);
	p.b[5] = 0xd0;		/* CC */
	tcp_data(&t, false, &p);
	p.n = 0;	/* userdata request: read SZL 0x0011 index 0 */
	put16(&p, 0x0300); put16(&p, 33); put8(&p, 2); put8(&p, 0xf0); put8(&p, 0x80);
	put8(&p, 0x32); put8(&p, 7); put16(&p, 0); put16(&p, 0x0100); put16(&p, 8); put16(&p, 8);
	put8(&p, 0); put8(&p, 1); put8(&p, 0x12); put8(&p, 4); put8(&p, 0x11); put8(&p, 0x44);
	put8(&p, 1); put8(&p, 0);
	put8(&p, 0xff); put8(&p, 0x09); put16(&p, 4); put16(&p, 0x0011); put16(&p, 0);
	tcp_data(&t, true, &p);
	s.n = 0;	/* SZL 0x0011: two records of 28 bytes */
	put16(&s, 0x0011); put16(&s, 0); put16(&s, 28); put16(&s, 2);
	put16(&s, 1);
	{
		char order[21];

		snprintf(order, sizeof(order), "%-20s", plc->m->model);
		putn(&s, order, 20);
	}
	put16(&s, 0x00c0); put16(&s, 3); put16(&s, 1);
	put16(&s, 7);
	putn(&s, "                    ", 20);
	{	/* index 7: firmware, 'V' major, minor, patch */
		unsigned v[3] = { 3, 2, 6 };

		sscanf(plc->m->firmware, "V%u.%u.%u", &v[0], &v[1], &v[2]);
		put16(&s, 0x00c0); put8(&s, 'V'); put8(&s, v[0]); put8(&s, v[1]); put8(&s, v[2]);
	}
	p.n = 0;
	put16(&p, 0x0300); put16(&p, (unsigned)(7 + 10 + 12 + 4 + s.n)); put8(&p, 2); put8(&p, 0xf0);
	put8(&p, 0x80);
	put8(&p, 0x32); put8(&p, 7); put16(&p, 0); put16(&p, 0x0100); put16(&p, 12);
	put16(&p, (unsigned)(s.n + 4));
	put8(&p, 0); put8(&p, 1); put8(&p, 0x12); put8(&p, 8); put8(&p, 0x12); put8(&p, 0x84);
	put8(&p, 1); put8(&p, 1); put8(&p, 0); put8(&p, 0); put16(&p, 0);
	put8(&p, 0xff); put8(&p, 0x09); put16(&p, (unsigned)s.n);
	putn(&p, s.b, s.n);
	tcp_data(&t, false, &p);
	said(g, plc, SAID_PRODUCT | SAID_FIRMWARE);
	tcp_close(&t);
}

static void
gen_bacnet_iam(struct gen *g, struct host *dev, uint32_t instance)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t bip[4] = { dev->ip[0], dev->ip[1], dev->ip[2], 255 };
	struct frame p = { .n = 0 };
	uint32_t oid = (8u << 22) | (instance & 0x3fffff);

	put8(&p, 0x81); put8(&p, 0x0b); put16(&p, 0);	/* BVLC length, set below */
	put8(&p, 0x01); put8(&p, 0x00);				/* NPDU */
	put8(&p, 0x10); put8(&p, 0x00);				/* unconfirmed I-Am */
	put8(&p, 0xc4); put32(&p, oid);
	put8(&p, 0x22); put16(&p, 1476);
	put8(&p, 0x91); put8(&p, 0x03);
	put8(&p, 0x22); put16(&p, 17);				/* ASHRAE vendor id 17: Honeywell */
	p.b[2] = (uint8_t)(p.n >> 8);
	p.b[3] = (uint8_t)p.n;
	udp_send(g, dev, bcast, bip, 0, 47808, 47808, &p);
}

static void
gen_http(struct gen *g, struct host *cli, struct host *srv)
{
	struct tcp t;
	struct frame p = { .n = 0 };
	char buf[512];
	const char *server = srv->m->extra[0] ? srv->m->extra : "lighttpd/1.4.59";

	tcp_open(&t, g, cli, srv, 80);
	snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: %u.%u.%u.%u\r\nUser-Agent: Mozilla/5.0 "
	    "(Windows NT 10.0; Win64; x64)\r\nAccept: */*\r\n\r\n", srv->ip[0], srv->ip[1], srv->ip[2], srv->ip[3]);
	puts_(&p, buf);
	tcp_data(&t, true, &p);
	snprintf(buf, sizeof(buf), "<html><head><title>%s %s</title></head><body></body></html>",
	    srv->m->vendor, srv->m->model);
	p.n = 0;
	{
		char hdr[512];

		snprintf(hdr, sizeof(hdr), "HTTP/1.1 200 OK\r\nServer: %s\r\nContent-Type: text/html\r\n"
		    "Content-Length: %zu\r\n\r\n", server, strlen(buf));
		puts_(&p, hdr);
	}
	puts_(&p, buf);
	tcp_data(&t, false, &p);
	said(g, srv, SAID_SOFTWARE);
	tcp_close(&t);
}

static void
gen_ssh(struct gen *g, struct host *cli, struct host *srv)
{
	struct tcp t;
	struct frame p = { .n = 0 };

	tcp_open(&t, g, cli, srv, 22);
	puts_(&p, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
	tcp_data(&t, false, &p);
	p.n = 0;
	puts_(&p, "SSH-2.0-PuTTY_Release_0.78\r\n");
	tcp_data(&t, true, &p);
	tcp_close(&t);
}

static void
gen_tls(struct gen *g, struct host *cli, struct host *srv)
{
	struct tcp t;
	struct frame p = { .n = 0 };
	static const char sni[] = "historian.plant.example";
	size_t ext = 4 + 5 + sizeof(sni) - 1, hello = 2 + 32 + 1 + 4 + 2 + 2 + ext;

	tcp_open(&t, g, cli, srv, 443);
	put8(&p, 0x16); put16(&p, 0x0301); put16(&p, (unsigned)(4 + hello));
	put8(&p, 1); put8(&p, 0); put16(&p, (unsigned)hello);
	put16(&p, 0x0303);
	for (int i = 0; i < 32; i++)
		put8(&p, rnd() & 0xff);
	put8(&p, 0);
	put16(&p, 2); put16(&p, 0xc02f);
	put8(&p, 1); put8(&p, 0);
	put16(&p, (unsigned)ext);
	put16(&p, 0); put16(&p, (unsigned)(5 + sizeof(sni) - 1));
	put16(&p, (unsigned)(3 + sizeof(sni) - 1)); put8(&p, 0); put16(&p, (unsigned)(sizeof(sni) - 1));
	puts_(&p, sni);
	tcp_data(&t, true, &p);
	tcp_close(&t);
}

/*
 * Traffic none of spanwatch's dissectors parses, for nDPI to classify as
 * on a real plant: a DNS lookup (RFC 1035: header 12, one question, one A
 * answer) from a fresh source port each time, and an NTP poll (RFC 5905:
 * 48-byte client and server messages).
 */
static void
gen_dns(struct gen *g, struct host *cli, struct host *srv)
{
	static const char qname[] = "\011historian\005plant\007example";
	uint16_t sport = (uint16_t)(49152 + rnd_below(16000)), id = (uint16_t)rnd();
	struct frame p;

	for (int answer = 0; answer < 2; answer++) {
		p.n = 0;
		put16(&p, id); put16(&p, answer ? 0x8180 : 0x0100);
		put16(&p, 1); put16(&p, (unsigned)answer); put16(&p, 0); put16(&p, 0);
		putn(&p, (const uint8_t *)qname, sizeof(qname));	/* with the root label */
		put16(&p, 1); put16(&p, 1);
		if (answer) {
			put16(&p, 0xc00c); put16(&p, 1); put16(&p, 1); put32(&p, 300);
			put16(&p, 4); putn(&p, srv->ip, 4);
			udp_send(g, srv, wire_mac(g, cli), cli->ip, wire_vlan(srv, cli), 53, sport, &p);
		} else
			udp_send(g, cli, wire_mac(g, srv), srv->ip, wire_vlan(cli, srv), sport, 53, &p);
	}
}

static void
gen_ntp(struct gen *g, struct host *cli, struct host *srv)
{
	struct frame p;

	for (int reply = 0; reply < 2; reply++) {
		p.n = 0;
		put8(&p, reply ? 0x24 : 0x23);	/* version 4, mode 4 (server) / 3 (client) */
		put8(&p, reply ? 2 : 0); put8(&p, 6); put8(&p, 0xe9);
		for (int i = 0; i < 44; i++)
			put8(&p, reply ? rnd() & 0xff : 0);
		if (reply)
			udp_send(g, srv, wire_mac(g, cli), cli->ip, wire_vlan(srv, cli), 123, 123, &p);
		else
			udp_send(g, cli, wire_mac(g, srv), srv->ip, wire_vlan(cli, srv), 123, 123, &p);
	}
}

/* DHCP request from a host (hostname, vendor class, parameter list) and the server's ACK. */
static void
gen_dhcp(struct gen *g, struct host *h, struct host *server)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t any[4] = { 0, 0, 0, 0 }, all[4] = { 255, 255, 255, 255 };
	struct host tmp = *h;
	struct frame p;
	uint32_t xid = rnd();

	if (h->remote)	/* its DHCP stays at the remote site */
		return;
	for (int ack = 0; ack < 2; ack++) {
		p.n = 0;
		put8(&p, ack ? 2 : 1); put8(&p, 1); put8(&p, 6); put8(&p, 0);
		put32(&p, xid); put16(&p, 0); put16(&p, 0x8000);
		putn(&p, any, 4); putn(&p, ack ? h->ip : any, 4); putn(&p, ack ? server->ip : any, 4);
		putn(&p, any, 4);
		putn(&p, h->mac, 6);
		for (int i = 0; i < 10 + 64 + 128; i++)
			put8(&p, 0);
		put32(&p, 0x63825363);
		put8(&p, 53); put8(&p, 1); put8(&p, ack ? 5 : 3);
		if (!ack) {
			put8(&p, 50); put8(&p, 4); putn(&p, h->ip, 4);
			put8(&p, 12); put8(&p, (unsigned)strlen(h->hostname)); puts_(&p, h->hostname);
			put8(&p, 60); put8(&p, 8); puts_(&p, "MSFT 5.0");
			put8(&p, 55); put8(&p, 4); put8(&p, 1); put8(&p, 3); put8(&p, 6); put8(&p, 15);
		} else {
			put8(&p, 54); put8(&p, 4); putn(&p, server->ip, 4);
			put8(&p, 51); put8(&p, 4); put32(&p, 86400);
		}
		put8(&p, 255);
		if (!ack) {
			memset(tmp.ip, 0, 4);
			tmp.remote = false;
			udp_send(g, &tmp, bcast, all, 0, 68, 67, &p);
			if (!h->remote)	/* a remote host's asset has no MAC to bind it to */
				said(g, h, SAID_HOSTNAME);
		} else
			udp_send(g, server, bcast, all, 0, 67, 68, &p);
	}
}

static void
gen_arp(struct gen *g, struct host *a, struct host *b)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct frame f;
	struct host gw;

	/* A host behind the router never ARPs on this LAN: the router answers for its site. */
	if (a->remote || b->remote) {
		gw = *(b->remote ? b : a);
		memcpy(gw.mac, g->router_mac, 6);
		memcpy(gw.ip, g->router_ip, 4);
		gw.remote = false;
		if (a->remote && b->remote)
			return;
		if (b->remote)
			b = &gw;
		else
			a = &gw;
	}

	for (int reply = 0; reply < 2; reply++) {
		struct host *s = reply ? b : a, *d = reply ? a : b;

		f.n = 0;
		putn(&f, reply ? d->mac : bcast, 6);
		putn(&f, s->mac, 6);
		put16(&f, 0x0806);
		put16(&f, 1); put16(&f, 0x0800); put8(&f, 6); put8(&f, 4); put16(&f, reply ? 2 : 1);
		putn(&f, s->mac, 6); putn(&f, s->ip, 4);
		putn(&f, reply ? d->mac : (const uint8_t[6]){ 0 }, 6); putn(&f, d->ip, 4);
		while (f.n < 60)
			put8(&f, 0);
		emit(g, &f, f.n);
	}
}

static void
gen_lldp(struct gen *g, struct host *sw)
{
	static const uint8_t dst[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e };
	struct frame f = { .n = 0 };
	char desc[160];

	snprintf(desc, sizeof(desc), "%s %s, firmware %s", sw->m->extra, sw->m->model, sw->m->firmware);
	putn(&f, dst, 6); putn(&f, sw->mac, 6); put16(&f, 0x88cc);
	put16(&f, (1 << 9) | 7); put8(&f, 4); putn(&f, sw->mac, 6);	/* chassis id: MAC */
	put16(&f, (2 << 9) | 4); put8(&f, 5); puts_(&f, "1/1");	/* port id: ifName */
	put16(&f, (3 << 9) | 2); put16(&f, 120);			/* TTL */
	put16(&f, (5 << 9) | (unsigned)strlen(sw->hostname)); puts_(&f, sw->hostname);
	put16(&f, (6 << 9) | (unsigned)strlen(desc)); puts_(&f, desc);
	put16(&f, (7 << 9) | 4); put16(&f, 0x0014); put16(&f, 0x0014);	/* bridge, router */
	put16(&f, 0);
	emit(g, &f, f.n);
	said(g, sw, SAID_HOSTNAME);
}

/* Frames that lie: cut short, impossible headers, lying lengths. */
static void
gen_malformed(struct gen *g, struct host *a, struct host *b)
{
	struct frame l4 = { .n = 0 }, f;

	g->malformed++;
	switch (rnd_below(3)) {
	case 0:		/* an IPv4 header cut short by the capture */
		g->broken[B_IPV4_SHORT]++;
		put16(&l4, 1234); put16(&l4, 502); put32(&l4, 1); put32(&l4, 0);
		put8(&l4, 0x50); put8(&l4, 0x18); put16(&l4, 100); put16(&l4, 0); put16(&l4, 0);
		ip_frame(&f, wire_mac(g, a), wire_mac(g, b), 0, a->ip, b->ip, 6, &l4);
		emit(g, &f, 14 + 12);
		break;
	case 1:		/* IHL of 3 words: shorter than the fixed header */
		g->broken[B_IPV4_IHL]++;
		put16(&l4, 1234); put16(&l4, 80); put16(&l4, 8); put16(&l4, 0);
		ip_frame(&f, wire_mac(g, a), wire_mac(g, b), 0, a->ip, b->ip, 17, &l4);
		f.b[14] = 0x43;
		emit(g, &f, f.n);
		break;
	default:	/* a Modbus ADU whose MBAP length claims 200 bytes it does not have */
		g->broken[B_MBAP_LONG]++;
		put16(&l4, 40000); put16(&l4, 502); put32(&l4, rnd()); put32(&l4, 0);
		put8(&l4, 0x50); put8(&l4, 0x18); put16(&l4, 100); put16(&l4, 0); put16(&l4, 0);
		put16(&l4, 1); put16(&l4, 0); put16(&l4, 200); put8(&l4, 1); put8(&l4, 3);
		ip_frame(&f, wire_mac(g, a), wire_mac(g, b), 0, a->ip, b->ip, 6, &l4);
		emit(g, &f, f.n);
		break;
	}
}

/* --- the traffic mix ---------------------------------------------------------- */

static struct host *
pick(struct gen *g, enum kind k)
{
	int start = (int)rnd_below((uint32_t)g->nhosts);

	for (int i = 0; i < g->nhosts; i++) {
		struct host *h = &g->hosts[(start + i) % g->nhosts];

		if (h->m->kind == k)
			return h;
	}
	return &g->hosts[start];
}

static struct host *
pick_any_of(struct gen *g, const enum kind *ks, int n)
{
	return pick(g, ks[rnd_below((uint32_t)n)]);
}

static void
one_exchange(struct gen *g)
{
	static const enum kind clients[] = { K_HMI, K_ENGWS, K_HISTORIAN };
	struct host *c = pick_any_of(g, clients, 3);
	uint32_t r = rnd_below(1000);

	if (r < 300)
		gen_modbus(g, c, pick(g, K_PLC_MODBUS));
	else if (r < 450) {
		struct host *o = pick(g, K_RTU_DNP3);

		gen_dnp3(g, c, o, 1, (uint16_t)(10 + (o - g->hosts) % 100));
	} else if (r < 550) {
		struct host *o = pick(g, K_RTU_104);

		gen_iec104(g, c, o, (uint16_t)(100 + (o - g->hosts) % 1000));
	} else if (r < 620)
		gen_s7(g, c, pick(g, K_PLC_S7));
	else if (r < 660)
		gen_enip(g, c, pick(g, K_PLC_ENIP));
	else if (r < 700)
		gen_bacnet_iam(g, pick(g, K_BACNET), (uint32_t)(1000 + rnd_below(50)));
	else if (r < 790)
		gen_http(g, c, pick(g, K_CAMERA));
	else if (r < 830)
		gen_tls(g, c, pick(g, K_HISTORIAN));
	else if (r < 860)
		gen_ssh(g, pick(g, K_ENGWS), pick(g, K_HISTORIAN));
	else if (r < 900)
		gen_dhcp(g, pick_any_of(g, clients, 3), pick(g, K_SWITCH));
	else if (r < 930)
		gen_arp(g, c, pick(g, K_PLC_MODBUS));
	else if (r < 945)
		gen_dns(g, c, pick(g, K_HISTORIAN));
	else if (r < 950)
		gen_ntp(g, c, pick(g, K_SWITCH));
	else if (r < 985)
		gen_lldp(g, pick(g, K_SWITCH));
	else
		gen_malformed(g, c, pick(g, K_PLC_MODBUS));
}

/* --- a solar park (--solar) ------------------------------------------------ */

/*
 * A park controller polls, over Modbus/TCP, inverters, a meter and a
 * battery that speak SunSpec, and a Moxa gateway to an RS-485 bus with two
 * Huawei SUN2000 inverters (Huawei's own register map) and a GoodWe ET;
 * registers are laid out as SunSpec and oui/registers.map say.  It also
 * takes the synchrophasors of the substation's PDC (C37.118).
 */
enum { S_CTRL, S_SMA, S_BYD, S_JANITZA, S_GATEWAY, S_PDC, S_NSOLAR };

static const struct model solar_models[S_NSOLAR] = {
	[S_CTRL] = { K_SOLAR, "00d0c9", "ADVANTECH CO., LTD.", "Advantech", "UNO-2271G", "", "" },
	[S_SMA] = { K_SOLAR, "0015bb", "SMA Solar Technology AG", "SMA", "STP 25000TL-30",
	    "2.13.33.R", "" },
	[S_BYD] = { K_SOLAR, "001ede", "BYD COMPANY LIMITED", "BYD", "Battery-Box Premium HVS",
	    "3.26", "" },
	[S_JANITZA] = { K_SOLAR, "000e6b", "Janitza electronics GmbH", "Janitza", "UMG 604-PRO",
	    "5.027", "" },
	[S_GATEWAY] = { K_SOLAR, "0090e8", "MOXA TECHNOLOGIES CORP., LTD.", "Moxa", "MB3170",
	    "4.1", "" },
	[S_PDC] = { K_SOLAR, "0030a7", "SCHWEITZER ENGINEERING", "SEL", "SEL-3573", "R110", "" },
};

/* A SunSpec device: base of "SunS", unit id, the models after the common one. */
struct sunspec_dev {
	int		 host;		/* S_* */
	uint16_t	 base;
	uint8_t		 unit;
	uint16_t	 model, model_len;
};

static const struct sunspec_dev sunspec_devs[] = {
	{ S_SMA, 40000, 3, 103, 50 },		/* three-phase inverter */
	{ S_BYD, 50000, 1, 802, 62 },		/* battery */
	{ S_JANITZA, 0, 1, 203, 105 },		/* three-phase wye meter */
};

/* Devices on the gateway's RS-485 bus, named by their vendor map. */
static const struct {
	uint8_t		 unit;
	uint16_t	 model_reg, model_regs, serial_reg, serial_regs;
	const char	*model, *serial;
} bus_devs[] = {
	{ 1, 30000, 15, 30015, 10, "SUN2000-100KTL-M2", "HV2260098765" },
	{ 2, 30000, 15, 30015, 10, "SUN2000-50KTL-M3", "HV2310044321" },
	{ 3, 35011, 5, 35003, 8, "GW10K-ET", "9010KETU229W0123" },
};

static void
regs_text(uint16_t *r, unsigned n, const char *s)
{
	size_t len = strlen(s);

	for (unsigned i = 0; i < n; i++)
		r[i] = (uint16_t)((2 * i < len ? (uint8_t)s[2 * i] : 0) << 8 |
		    (2 * i + 1 < len ? (uint8_t)s[2 * i + 1] : 0));
}

/* One read (3) of qty registers at addr and its answer. */
static void
mb_read(struct tcp *t, uint16_t *tid, uint8_t unit, uint16_t addr, const uint16_t *regs,
    uint16_t qty)
{
	struct frame p = { .n = 0 };

	put16(&p, *tid); put16(&p, 0); put16(&p, 6); put8(&p, unit);
	put8(&p, 3); put16(&p, addr); put16(&p, qty);
	tcp_data(t, true, &p);
	p.n = 0;
	put16(&p, *tid); put16(&p, 0); put16(&p, 3u + 2u * qty); put8(&p, unit);
	put8(&p, 3); put8(&p, 2u * qty);
	for (unsigned i = 0; i < qty; i++)
		put16(&p, regs[i]);
	tcp_data(t, false, &p);
	(*tid)++;
}

/* An active-power limit written by the park controller (a control operation). */
static void
mb_setpoint(struct tcp *t, uint16_t *tid, uint8_t unit, uint16_t addr)
{
	struct frame p = { .n = 0 };

	put16(&p, *tid); put16(&p, 0); put16(&p, 11); put8(&p, unit);
	put8(&p, 16); put16(&p, addr); put16(&p, 2); put8(&p, 4);
	put16(&p, 0); put16(&p, (unsigned)(500 + rnd_below(500)));
	tcp_data(t, true, &p);
	p.n = 0;
	put16(&p, *tid); put16(&p, 0); put16(&p, 6); put8(&p, unit);
	put8(&p, 16); put16(&p, addr); put16(&p, 2);
	tcp_data(t, false, &p);
	(*tid)++;
}

static void
gen_sunspec(struct gen *g, const struct sunspec_dev *d)
{
	struct host *h = g->solar[d->host];
	uint16_t r[4 + 66 + 2 + 110 + 2], tid = (uint16_t)rnd();
	unsigned n = 0;
	struct tcp t;

	r[n++] = 0x5375;
	r[n++] = 0x6e53;
	r[n++] = 1;
	r[n++] = 66;
	memset(r + n, 0, 66 * sizeof(r[0]));
	regs_text(r + n, 16, h->m->vendor);
	regs_text(r + n + 16, 16, h->m->model);
	regs_text(r + n + 40, 8, h->m->firmware);
	regs_text(r + n + 48, 16, h->serial);
	r[n + 64] = d->unit;
	n += 66;
	r[n++] = d->model;
	r[n++] = d->model_len;
	for (unsigned i = 0; i < d->model_len; i++)
		r[n++] = (uint16_t)rnd();
	r[n++] = 0xffff;
	r[n++] = 0;
	tcp_open(&t, g, g->solar[S_CTRL], h, 502);
	/* the header and common model, then the chain: two reads, as masters do */
	mb_read(&t, &tid, d->unit, d->base, r, 72);
	mb_read(&t, &tid, d->unit, (uint16_t)(d->base + 72), r + 72, (uint16_t)(n - 72));
	if (d->model == 103)
		mb_setpoint(&t, &tid, d->unit, (uint16_t)(d->base + 72 + 2 + 40));
	tcp_close(&t);
	said(g, h, SAID_VENDOR | SAID_MODEL | SAID_FIRMWARE | SAID_SERIAL);
}

static void
gen_bus(struct gen *g)
{
	struct host *gw = g->solar[S_GATEWAY];
	uint16_t tid = (uint16_t)rnd(), r[40];
	struct tcp t;

	tcp_open(&t, g, g->solar[S_CTRL], gw, 502);
	for (size_t i = 0; i < sizeof(bus_devs) / sizeof(bus_devs[0]); i++) {
		uint16_t lo = bus_devs[i].serial_reg < bus_devs[i].model_reg ?
		    bus_devs[i].serial_reg : bus_devs[i].model_reg;
		uint16_t qty = bus_devs[i].model_reg == 30000 ? 35 : 13;

		memset(r, 0, sizeof(r));
		regs_text(r + (bus_devs[i].model_reg - lo), bus_devs[i].model_regs, bus_devs[i].model);
		regs_text(r + (bus_devs[i].serial_reg - lo), bus_devs[i].serial_regs, bus_devs[i].serial);
		mb_read(&t, &tid, bus_devs[i].unit, lo, r, qty);
	}
	tcp_close(&t);
}

static void
solar_hosts(struct gen *g)
{
	for (int i = 0; i < S_NSOLAR && g->nhosts < MAX_HOSTS; i++) {
		struct host *h = &g->hosts[g->nhosts];

		add_host(g, &solar_models[i], 3000 + i, false);
		h->ip[1] = 30;
		h->ip[2] = 0;
		h->ip[3] = (uint8_t)(10 + i);
		h->vlan = 0;
		snprintf(h->hostname, sizeof(h->hostname), "solar-%02d", i);
		g->solar[g->nsolar++] = h;
	}
}

/* C37.118 CRC-CCITT: polynomial 0x1021, initial 0xffff. */
static uint16_t
c37_crc(const uint8_t *b, size_t n)
{
	uint16_t c = 0xffff;

	for (size_t i = 0; i < n; i++) {
		c ^= (uint16_t)(b[i] << 8);
		for (int k = 0; k < 8; k++)
			c = (uint16_t)(c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1);
	}
	return c;
}

static void
c37_head(struct frame *p, unsigned type, unsigned idcode, const struct gen *g)
{
	p->n = 0;
	put8(p, 0xaa); put8(p, (type << 4) | 1); put16(p, 0); put16(p, idcode);
	put32(p, (uint32_t)(BASE_TIME + g->ts_us / 1000000)); put32(p, 0);
}

static void
c37_end(struct frame *p)
{
	p->b[2] = (uint8_t)((p->n + 2) >> 8);
	p->b[3] = (uint8_t)(p->n + 2);
	put16(p, c37_crc(p->b, p->n));
}

static void
c37_name(struct frame *p, const char *s)
{
	for (size_t i = 0; i < 16; i++)
		put8(p, i < strlen(s) ? (uint8_t)s[i] : ' ');
}

/*
 * The substation's PDC streams two PMUs to the park controller (IEEE
 * C37.118-2005 over TCP 4712): asked for its configuration, it sends
 * CFG-2 and a header frame, then data frames.
 */
static void
gen_pdc(struct gen *g)
{
	static const char *const stations[2] = { "SOLAR PARK 150KV", "FEEDER 12" };
	struct host *pdc = g->solar[S_PDC];
	struct frame p;
	struct tcp t;

	tcp_open(&t, g, g->solar[S_CTRL], pdc, 4712);
	c37_head(&p, 4, 300, g);
	put16(&p, 5);			/* command: send CFG-2 */
	c37_end(&p);
	tcp_data(&t, true, &p);
	c37_head(&p, 3, 300, g);
	put32(&p, 1000000); put16(&p, 2);
	for (unsigned i = 0; i < 2; i++) {
		c37_name(&p, stations[i]);
		put16(&p, 301 + i); put16(&p, 0x0007); put16(&p, 3); put16(&p, 0); put16(&p, 0);
		c37_name(&p, "VA"); c37_name(&p, "VB"); c37_name(&p, "VC");
		for (int k = 0; k < 3; k++)
			put32(&p, 915527);	/* PHUNIT: voltage, 10^-5 V per bit */
		put16(&p, 1); put16(&p, 1);	/* FNOM 50 Hz, CFGCNT */
	}
	put16(&p, 50);			/* DATA_RATE */
	c37_end(&p);
	tcp_data(&t, false, &p);
	c37_head(&p, 1, 300, g);
	puts_(&p, "SEL-3573 PDC, substation Solar Park 150 kV");
	c37_end(&p);
	tcp_data(&t, false, &p);
	for (int f = 0; f < 3; f++) {
		c37_head(&p, 0, 300, g);
		for (int i = 0; i < 2; i++) {
			put16(&p, 0);		/* STAT */
			for (int k = 0; k < 3; k++)
				put32(&p, rnd());	/* phasors, polar float */
			put16(&p, 0); put16(&p, 0);	/* FREQ, DFREQ */
		}
		c37_end(&p);
		tcp_data(&t, false, &p);
	}
	tcp_close(&t);
}

/* One round of the park controller's poll. */
static void
gen_solar(struct gen *g)
{
	if (g->nsolar < S_NSOLAR)
		return;
	for (size_t i = 0; i < sizeof(sunspec_devs) / sizeof(sunspec_devs[0]); i++)
		gen_sunspec(g, &sunspec_devs[i]);
	gen_bus(g);
	gen_modbus(g, g->solar[S_CTRL], g->solar[S_GATEWAY]);	/* the gateway's own 43/14 */
	gen_pdc(g);
}

/* Every device says who it is at least once, whatever the size asked for. */
static void
introductions(struct gen *g)
{
	for (int i = 0; i < g->nhosts; i++) {
		struct host *h = &g->hosts[i], *c = pick(g, K_HMI);

		if (h->remote)
			continue;
		switch (h->m->kind) {
		case K_PLC_MODBUS: gen_modbus(g, c, h); break;
		case K_RTU_DNP3: gen_dnp3(g, c, h, 1, (uint16_t)(10 + i % 100)); break;
		case K_RTU_104: gen_iec104(g, c, h, (uint16_t)(100 + i % 1000)); break;
		case K_PLC_S7: gen_s7(g, c, h); break;
		case K_PLC_ENIP: gen_enip(g, c, h); break;
		case K_BACNET: gen_bacnet_iam(g, h, (uint32_t)(1000 + i)); break;
		case K_CAMERA: gen_http(g, c, h); break;
		case K_SWITCH: gen_lldp(g, h); break;
		case K_SOLAR: break;		/* gen_solar() */
		default: gen_arp(g, h, c); break;
		}
	}
	for (int i = 0; i < g->nhosts; i++)	/* and the remote site through the router */
		if (g->hosts[i].remote)
			gen_http(g, pick(g, K_HMI), &g->hosts[i]);
	gen_solar(g);
}

/* --- expected inventory --------------------------------------------------------- */

static void
fmt_mac(const uint8_t m[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/*
 * The identity facts a host put on the wire (SAID_*), named as core/obs.h
 * names them (A_*) and valued as the messages carry them.
 */
static void
host_facts(const struct host *h, json_t *facts)
{
	const struct model *m = h->m;
	char serial[16];

	if (h->said & SAID_VENDOR)	/* Modbus 43/14 VendorName, DNP3 g0v252 */
		json_object_set_new(facts, "vendor", json_string(m->vendor));
	if (h->said & SAID_MODEL)	/* DNP3 g0v250, CIP product name */
		json_object_set_new(facts, "model", json_string(m->model));
	if (h->said & SAID_PRODUCT)	/* Modbus 43/14 ProductCode, S7 SZL 0x0011 order number */
		json_object_set_new(facts, "product_code", json_string(m->model));
	if (h->said & SAID_FIRMWARE)
		json_object_set_new(facts, "firmware", json_string(m->firmware));
	if (h->said & SAID_SERIAL) {	/* CIP: a 32-bit number; DNP3 g0v248: text */
		if (m->kind == K_PLC_ENIP)
			snprintf(serial, sizeof(serial), "0x%08lx", strtoul(h->serial + 2, NULL, 16));
		else
			snprintf(serial, sizeof(serial), "%s", h->serial);
		json_object_set_new(facts, "serial", json_string(serial));
	}
	if (h->said & SAID_SOFTWARE)	/* HTTP Server header, as gen_http writes it */
		json_object_set_new(facts, "software",
		    json_string(m->extra[0] ? m->extra : "lighttpd/1.4.59"));
	if (h->said & SAID_HOSTNAME)	/* LLDP system name, DHCP option 12 */
		json_object_set_new(facts, "hostname", json_string(h->hostname));
}

/* {"stat.ipv4_short": 17, ...}: what spanwatchd --stats should count of the broken frames. */
static json_t *
broken_json(const struct gen *g)
{
	json_t *o = json_object();

	for (int k = 0; k < B_N; k++)
		json_object_set_new(o, broken_kinds[k].counter, json_integer(g->broken[k]));
	return o;
}

/* The broken frames, each kind on a line with the counter that counts it. */
static void
print_broken(const struct gen *g)
{
	fprintf(stderr, "swgen: %u frames broken on purpose, as spanwatchd --stats counts them:\n",
	    g->malformed);
	for (int k = 0; k < B_N; k++)
		fprintf(stderr, "  %5u %-30s %s%s\n", g->broken[k], broken_kinds[k].what,
		    broken_kinds[k].counter, k == B_MBAP_LONG ? " (at flow end)" : "");
}

static int
write_expected(const struct gen *g, const char *path, uint64_t seed)
{
	json_t *root = json_object(), *hosts = json_array();
	char mac[18], ip[16];

	for (int i = 0; i < g->nhosts; i++) {
		const struct host *h = &g->hosts[i];
		json_t *o = json_object(), *facts = json_object();

		fmt_mac(h->mac, mac);
		snprintf(ip, sizeof(ip), "%u.%u.%u.%u", h->ip[0], h->ip[1], h->ip[2], h->ip[3]);
		json_object_set_new(o, "mac", h->remote ? json_null() : json_string(mac));
		json_object_set_new(o, "ip", json_string(ip));
		json_object_set_new(o, "behind_router", json_boolean(h->remote));
		json_object_set_new(o, "oui_org", json_string(h->m->oui_org));
		host_facts(h, facts);
		if (g->nsolar == S_NSOLAR && h == g->solar[S_GATEWAY]) {
			json_t *units = json_array();

			for (size_t k = 0; k < sizeof(bus_devs) / sizeof(bus_devs[0]); k++)
				json_array_append_new(units, json_pack("{s:i s:s s:s s:s}",
				    "unit", bus_devs[k].unit, "vendor",
				    bus_devs[k].model_reg == 30000 ? "Huawei" : "GoodWe",
				    "model", bus_devs[k].model, "serial", bus_devs[k].serial));
			json_object_set_new(o, "modbus_units", units);
		}
		json_object_set_new(o, "facts", facts);
		json_array_append_new(hosts, o);
	}
	fmt_mac(g->router_mac, mac);
	json_object_set_new(root, "generator", json_string("swgen"));
	json_object_set_new(root, "seed", json_integer((json_int_t)seed));
	json_object_set_new(root, "packets", json_integer((json_int_t)g->npkts));
	json_object_set_new(root, "router_mac", json_string(mac));
	json_object_set_new(root, "malformed_frames", json_integer(g->malformed));
	json_object_set_new(root, "malformed_by_counter", broken_json(g));
	json_object_set_new(root, "split_segments", json_integer(g->split));
	json_object_set_new(root, "retransmissions", json_integer(g->retrans));
	json_object_set_new(root, "hosts", hosts);
	if (json_dump_file(root, path, JSON_INDENT(1) | JSON_SORT_KEYS) != 0) {
		fprintf(stderr, "swgen: cannot write %s\n", path);
		json_decref(root);
		return -1;
	}
	json_decref(root);
	return 0;
}

/* --- the speed floor: read every packet and touch its bytes --------------------- */

/*
 * stock: libpcap as most programs use it (pcap_open_offline, stdio's
 * default 4 KiB buffer); otherwise the same 1 MiB unlocked buffer
 * spanwatchd reads with, the strict floor.
 */
static int
loop(const char *path, bool stock)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	struct timespec a, b;
	uint64_t n = 0, sum = 0;
	static char buf[1 << 20];	/* the same stdio buffer spanwatchd reads with */
	FILE *fp = fopen(path, "rb");
	pcap_t *p;
	double s;

	if (fp == NULL) {
		fprintf(stderr, "swgen: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (!stock) {
		__fsetlocking(fp, FSETLOCKING_BYCALLER);
		setvbuf(fp, buf, _IOFBF, sizeof(buf));
	}
	if ((p = pcap_fopen_offline(fp, err)) == NULL) {
		fprintf(stderr, "swgen: %s\n", err);
		fclose(fp);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	while (pcap_next_ex(p, &h, &d) == 1) {
		n++;
		sum += d[0] + d[h->caplen - 1];	/* touch the packet */
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	pcap_close(p);
	s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	printf("loop %s: %llu packets in %.3f s (%.0f packets/s) [%llu]\n", path,
	    (unsigned long long)n, s, s > 0 ? (double)n / s : 0.0, (unsigned long long)(sum & 1));
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: swgen -o FILE -n PACKETS [-s SEED] [--hosts N] [--solar] [--expected FILE.json]\n"
	    "       swgen --crowd -o FILE -n PACKETS --hosts N [-s SEED] [--expected FILE.json]\n"
	    "       swgen --internet -o FILE [--location-db FILE.db]\n"
	    "       swgen --spoof N -r BASE -o FILE [-s SEED]\n"
	    "       swgen --loop FILE | --loop-stock FILE\n");
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "hosts", required_argument, NULL, 'H' },
		{ "expected", required_argument, NULL, 'e' },
		{ "loop", required_argument, NULL, 'L' },
		{ "loop-stock", required_argument, NULL, 'P' },
		{ "crowd", no_argument, NULL, 'C' },
		{ "solar", no_argument, NULL, 'S' },
		{ "internet", no_argument, NULL, 'I' },
		{ "location-db", required_argument, NULL, 'D' },
		{ "spoof", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static struct gen g;
	const char *out = NULL, *expected = NULL, *locdb = NULL, *base = NULL;
	long long spoof = -1;
	uint64_t seed = 1;
	long long n = 100000;
	int nhosts = 200, ch;
	bool crowd = false, solar = false, internet = false;
	pcap_t *dead;

	while ((ch = getopt_long(argc, argv, "o:n:s:r:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'o': out = optarg; break;
		case 'n': n = atoll(optarg); break;
		case 's': seed = strtoull(optarg, NULL, 10); break;
		case 'H': nhosts = atoi(optarg); break;
		case 'e': expected = optarg; break;
		case 'L': return loop(optarg, false);
		case 'P': return loop(optarg, true);
		case 'C': crowd = true; break;
		case 'S': solar = true; break;
		case 'I': internet = true; break;
		case 'D': locdb = optarg; break;
		case 'F': spoof = atoll(optarg); break;
		case 'r': base = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (internet && out != NULL)
		return swgen_internet(out, locdb);
	if (spoof >= 0 && base != NULL && out != NULL)
		return swgen_spoof(base, out, (uint64_t)spoof, seed);
	if (crowd && out != NULL && n > 0)
		return swgen_crowd(out, (uint64_t)n, seed, (uint32_t)nhosts, expected);
	if (out == NULL || n <= 0 || nhosts < 20 || nhosts > MAX_HOSTS) {
		usage(stderr);
		fprintf(stderr, "swgen: -o FILE is required; -n > 0; --hosts from 20 to %d\n", MAX_HOSTS);
		return 2;
	}
	rng_state = seed * 0x9e3779b97f4a7c15ull + 1;
	build_plant(&g, nhosts);
	if (solar)
		solar_hosts(&g);
	dead = pcap_open_dead(DLT_EN10MB, 65535);
	if ((g.out = pcap_dump_open(dead, out)) == NULL) {
		fprintf(stderr, "swgen: %s: %s\n", out, pcap_geterr(dead));
		return 1;
	}
	g.target = (uint64_t)n;
	introductions(&g);
	while (g.npkts < g.target) {
		one_exchange(&g);
		if (g.nsolar && rnd_below(200) == 0)
			gen_solar(&g);		/* the park controller polls again */
	}
	pcap_dump_close(g.out);
	pcap_close(dead);
	if (expected && write_expected(&g, expected, seed) != 0)
		return 1;
	/* the path on a line of its own, so the counts fit 80 columns */
	fprintf(stderr, "swgen: wrote %s\nswgen: %llu packets, %d hosts (%d behind the router)\n",
	    out, (unsigned long long)g.npkts, g.nhosts,
	    (int)({ int k = 0; for (int i = 0; i < g.nhosts; i++) k += g.hosts[i].remote; k; }));
	print_broken(&g);
	return 0;
}
