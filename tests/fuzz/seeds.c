/*
 * seeds.c - turn captures into fuzz seeds (run by tests/fuzz/run.sh at
 * fuzz time; the captures themselves are never copied into the tree).
 *
 *   seeds stream <dissector> <outdir> <capture>...
 *	one seed per conversation on the dissector's ports (or per capture
 *	for a layer-2 dissector), in fuzz_dissector.c's chunk format
 *   seeds frames <outdir> <capture>...
 *	per capture, a seed of its first frames and one per conversation
 *	(MAX_CONVS at most), in fuzz_pipeline.c's format
 *   seeds pcapng <outdir> <capture>...
 *	per capture, its first packets as a pcapng file (fuzz_pcapng.c)
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "dissector.h"

#define MAX_CONVS	32	/* conversations written per capture */
#define MAX_SEED	65536	/* bytes per seed */
#define MAX_FRAMES	64	/* frames of a capture's first pipeline seed */
#define CONV_FRAMES	48	/* frames of one conversation's pipeline seed */
#define CONV_SEED	16384	/* bytes of one conversation's pipeline seed */

struct conv {
	struct ipaddr	 cli;
	uint16_t	 cport;
	FILE		*f;
	size_t		 bytes;
};

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static bool
on_port(const struct dissector *d, uint16_t port)
{
	for (int i = 0; i < DISS_MAX_PORTS && d->ports[i]; i++)
		if (d->ports[i] == port)
			return true;
	return false;
}

static void
put_chunk(struct conv *cv, int dir, const uint8_t *p, size_t n)
{
	uint8_t hdr[3];

	if (n > 0xffff)
		n = 0xffff;
	if (cv->f == NULL || cv->bytes + n + 3 > MAX_SEED)
		return;
	hdr[0] = (uint8_t)dir;
	hdr[1] = (uint8_t)(n >> 8);
	hdr[2] = (uint8_t)n;
	fwrite(hdr, 1, 3, cv->f);
	fwrite(p, 1, n, cv->f);
	cv->bytes += n + 3;
}

static struct conv *
conv_find(struct conv *cv, int *nconv, const char *outdir, const char *cap,
    const struct ipaddr *cli, uint16_t cport, bool udp)
{
	char path[4096];
	uint8_t mode = udp ? 1 : 0;

	for (int i = 0; i < *nconv; i++)
		if (cv[i].cport == cport && ip_eq(&cv[i].cli, cli))
			return &cv[i];
	if (*nconv == MAX_CONVS)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s.%d", outdir, base_name(cap), *nconv);
	cv[*nconv].cli = *cli;
	cv[*nconv].cport = cport;
	cv[*nconv].bytes = 1;
	if ((cv[*nconv].f = fopen(path, "wb")) != NULL)
		fwrite(&mode, 1, 1, cv[*nconv].f);
	return &cv[(*nconv)++];
}

static void
stream_seeds(const struct dissector *d, const char *outdir, const char *cap, pcap_t *pc)
{
	struct conv cv[MAX_CONVS];
	struct decode_stats ds;
	struct pcap_pkthdr *h;
	const u_char *data;
	int nconv = 0, link = pcap_datalink(pc);

	memset(&ds, 0, sizeof(ds));
	while (pcap_next_ex(pc, &h, &data) == 1) {
		struct pkt p;
		struct conv *c;
		bool to_srv;

		decode_packet(link, data, h->caplen, h->len, 0, &p, &ds);
		if (d->transport == L4_NONE) {
			if (!p.l2pay || p.src_ip.fam || !((d->ethertype && p.ethertype == d->ethertype) ||
			    (d->snap_pid && p.llc_snap && p.snap_pid == d->snap_pid)))
				continue;
			c = conv_find(cv, &nconv, outdir, cap, &p.src_ip, 0, false);
			if (c)
				put_chunk(c, 0, p.l2pay, p.l2pay_len);
			continue;
		}
		if (!p.has_l4 || p.frag || p.payload_len == 0)
			continue;
		if (!((p.l4proto == L4_TCP && d->transport == L4_TCP) ||
		    (p.l4proto == L4_UDP && (d->transport == L4_UDP || d->also_udp))))
			continue;
		if (!on_port(d, p.dport) && !on_port(d, p.sport))
			continue;
		to_srv = on_port(d, p.dport);
		c = conv_find(cv, &nconv, outdir, cap, to_srv ? &p.src_ip : &p.dst_ip,
		    to_srv ? p.sport : p.dport, p.l4proto == L4_UDP);
		if (c)
			put_chunk(c, to_srv ? 0 : 1, p.payload, p.payload_len);
	}
	for (int i = 0; i < nconv; i++)
		if (cv[i].f)
			fclose(cv[i].f);
}

/* fuzz_pipeline.c's time step: the gap to the previous frame, coarsened. */
static uint8_t
time_code(uint64_t prev_us, uint64_t now_us)
{
	uint64_t d = now_us > prev_us ? now_us - prev_us : 0;

	if (d < 0xc0 * 1000ull)
		return (uint8_t)(d / 1000);
	if (d < 0x3f * 1000000ull)
		return (uint8_t)(0xbf + d / 1000000);
	return 0xff;
}

static int
link_code(pcap_t *pc)
{
	switch (pcap_datalink(pc)) {
	case LINK_ETHERNET: return 0;
	case LINK_RAW: return 1;
	case LINK_SLL: return 2;
	case LINK_SLL2: return 3;
	default: return -1;
	}
}

static uint64_t
ts_of(const struct pcap_pkthdr *h)
{
	return (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec;
}

/* One pipeline seed being written: its file, size and last frame time. */
struct fseed {
	FILE		*f;
	size_t		 bytes;
	int		 frames;
	uint64_t	 last_us;
	/* the conversation: endpoints (either order), transport; or an Ethertype */
	struct ipaddr	 a, b;
	uint16_t	 pa, pb, ethertype;
	uint8_t		 l4;
};

static bool
fseed_open(struct fseed *s, const char *path, uint8_t link)
{
	if ((s->f = fopen(path, "wb")) == NULL)
		return false;
	fwrite(&link, 1, 1, s->f);
	s->bytes = 1;
	return true;
}

static void
fseed_put(struct fseed *s, const struct pcap_pkthdr *h, const u_char *data, size_t max_bytes)
{
	uint8_t hdr[3];

	if (s->f == NULL || h->caplen > 0xffff || s->bytes + 3 + h->caplen > max_bytes)
		return;
	hdr[0] = s->frames ? time_code(s->last_us, ts_of(h)) : 0;
	hdr[1] = (uint8_t)(h->caplen >> 8);
	hdr[2] = (uint8_t)h->caplen;
	fwrite(hdr, 1, 3, s->f);
	fwrite(data, 1, h->caplen, s->f);
	s->bytes += 3 + h->caplen;
	s->frames++;
	s->last_us = ts_of(h);
}

static bool
fseed_matches(const struct fseed *s, const struct pkt *p)
{
	if (!p->src_ip.fam)
		return s->l4 == 0 && s->ethertype == p->ethertype;
	if (s->l4 != p->l4proto)
		return false;
	return (ip_eq(&s->a, &p->src_ip) && ip_eq(&s->b, &p->dst_ip) && s->pa == p->sport &&
	    s->pb == p->dport) || (ip_eq(&s->b, &p->src_ip) && ip_eq(&s->a, &p->dst_ip) &&
	    s->pb == p->sport && s->pa == p->dport);
}

/*
 * fuzz_pipeline's seeds from one capture: its first frames, and each of
 * its first conversations (TCP or UDP by 5-tuple, layer 2 by Ethertype)
 * on its own, so a seed holds one handshake and its reassembly.
 */
static void
frame_seeds(const char *outdir, const char *cap, pcap_t *pc)
{
	struct fseed head, conv[MAX_CONVS];
	struct decode_stats ds;
	struct pcap_pkthdr *h;
	const u_char *data;
	char path[4096];
	int link = link_code(pc), nconv = 0;

	if (link < 0)
		return;
	memset(&head, 0, sizeof(head));
	memset(conv, 0, sizeof(conv));
	memset(&ds, 0, sizeof(ds));
	snprintf(path, sizeof(path), "%s/%s", outdir, base_name(cap));
	fseed_open(&head, path, (uint8_t)link);
	while (pcap_next_ex(pc, &h, &data) == 1) {
		struct fseed *s = NULL;
		struct pkt p;

		if (head.frames < MAX_FRAMES)
			fseed_put(&head, h, data, CONV_SEED);
		decode_packet(pcap_datalink(pc), data, h->caplen, h->len, 0, &p, &ds);
		if (!(p.src_ip.fam && p.has_l4) && !(p.l2pay && !p.src_ip.fam && !p.is_arp))
			continue;
		for (int i = 0; i < nconv && s == NULL; i++)
			if (fseed_matches(&conv[i], &p))
				s = &conv[i];
		if (s == NULL && nconv < MAX_CONVS) {
			s = &conv[nconv];
			s->a = p.src_ip, s->b = p.dst_ip;
			s->pa = p.sport, s->pb = p.dport;
			s->l4 = p.src_ip.fam ? p.l4proto : 0;
			s->ethertype = p.src_ip.fam ? 0 : p.ethertype;
			snprintf(path, sizeof(path), "%s/%s.conv%d", outdir, base_name(cap), nconv++);
			fseed_open(s, path, (uint8_t)link);
		}
		if (s && s->frames < CONV_FRAMES)
			fseed_put(s, h, data, CONV_SEED);
	}
	if (head.f)
		fclose(head.f);
	for (int i = 0; i < nconv; i++)
		if (conv[i].f)
			fclose(conv[i].f);
}

/* pcapng blocks, little-endian, lengths padded to 4. */
static void
put_le32(FILE *f, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	fwrite(b, 1, 4, f);
}

static void
put_block(FILE *f, uint32_t type, const uint8_t *body, size_t n)
{
	static const uint8_t pad[4];
	uint32_t total = (uint32_t)(12 + (n + 3) / 4 * 4);

	put_le32(f, type);
	put_le32(f, total);
	fwrite(body, 1, n, f);
	fwrite(pad, 1, (4 - n % 4) % 4, f);
	put_le32(f, total);
}

/*
 * fuzz_pcapng's seeds: each capture's first packets written as pcapng
 * (section header, one interface with microsecond if_tsresol, enhanced
 * packet blocks, one simple packet block), whatever the file's own format.
 */
static void
pcapng_seed(const char *outdir, const char *cap, pcap_t *pc)
{
	static const uint8_t shb[16] = { 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t idb[20] = { 0 }, body[20 + 2048];
	struct pcap_pkthdr *h;
	const u_char *data;
	char path[4096];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s.pcapng", outdir, base_name(cap));
	if ((f = fopen(path, "wb")) == NULL)
		return;
	put_block(f, 0x0a0d0d0a, shb, sizeof(shb));
	idb[0] = (uint8_t)pcap_datalink(pc);
	idb[1] = (uint8_t)(pcap_datalink(pc) >> 8);
	idb[4] = 0xff, idb[5] = 0xff;			/* snap length 65535 */
	idb[8] = 9, idb[10] = 1, idb[12] = 6;		/* if_tsresol = 6 */
	put_block(f, 1, idb, sizeof(idb));		/* ... then opt_endofopt */
	while (n++ < 16 && pcap_next_ex(pc, &h, &data) == 1) {
		uint64_t ts = ts_of(h);
		uint32_t cl = h->caplen > 2048 ? 2048 : h->caplen;
		uint32_t w[5] = { 0, (uint32_t)(ts >> 32), (uint32_t)ts, cl, h->len };

		for (int i = 0; i < 5; i++)
			for (int k = 0; k < 4; k++)
				body[i * 4 + k] = (uint8_t)(w[i] >> (8 * k));
		memcpy(body + 20, data, cl);
		if (n == 2) {	/* a simple packet block: original length, data */
			memcpy(body, body + 16, 4);
			memmove(body + 4, body + 20, cl);
			put_block(f, 3, body, 4 + cl);
		} else
			put_block(f, 6, body, 20 + cl);
	}
	fclose(f);
}

int
main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	const struct dissector *d = NULL;
	const char *outdir;
	bool pcapng_mode = false;
	int first;

	if (argc >= 4 && strcmp(argv[1], "stream") == 0) {
		int idx = dissector_index(argv[2]);

		if (idx < 0) {
			fprintf(stderr, "seeds: no dissector %s\n", argv[2]);
			return 1;
		}
		d = dissectors[idx];
		outdir = argv[3];
		first = 4;
	} else if (argc >= 3 && (strcmp(argv[1], "frames") == 0 || strcmp(argv[1], "pcapng") == 0)) {
		pcapng_mode = strcmp(argv[1], "pcapng") == 0;
		outdir = argv[2];
		first = 3;
	} else {
		fprintf(stderr, "usage: seeds stream <dissector> <outdir> <capture>...\n"
		    "       seeds frames <outdir> <capture>...\n"
		    "       seeds pcapng <outdir> <capture>...\n");
		return 1;
	}
	for (int i = first; i < argc; i++) {
		pcap_t *pc = pcap_open_offline(argv[i], errbuf);

		if (pc == NULL) {
			fprintf(stderr, "seeds: %s\n", errbuf);
			continue;
		}
		if (d)
			stream_seeds(d, outdir, argv[i], pc);
		else if (pcapng_mode)
			pcapng_seed(outdir, argv[i], pc);
		else
			frame_seeds(outdir, argv[i], pc);
		pcap_close(pc);
	}
	return 0;
}
