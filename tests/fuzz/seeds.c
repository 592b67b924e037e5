/*
 * seeds.c - turn captures into fuzz seeds (run by tests/fuzz/run.sh at
 * fuzz time; the captures themselves are never copied into the tree).
 *
 *   seeds stream <dissector> <outdir> <capture>...
 *	one seed per conversation on the dissector's ports (or per capture
 *	for a layer-2 dissector), in fuzz_dissector.c's chunk format
 *   seeds frames <outdir> <capture>...
 *	one seed per capture with its first frames, in fuzz_pipeline.c's
 *	format
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "dissector.h"

#define MAX_CONVS	32	/* conversations written per capture */
#define MAX_SEED	65536	/* bytes per seed */
#define MAX_FRAMES	200	/* frames per pipeline seed */

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

static void
frame_seed(const char *outdir, const char *cap, pcap_t *pc)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	char path[4096];
	uint8_t link;
	FILE *f;
	int n = 0;

	switch (pcap_datalink(pc)) {
	case LINK_ETHERNET: link = 0; break;
	case LINK_RAW: link = 1; break;
	case LINK_SLL: link = 2; break;
	case LINK_SLL2: link = 3; break;
	default: return;
	}
	snprintf(path, sizeof(path), "%s/%s", outdir, base_name(cap));
	if ((f = fopen(path, "wb")) == NULL)
		return;
	fwrite(&link, 1, 1, f);
	while (n++ < MAX_FRAMES && pcap_next_ex(pc, &h, &data) == 1) {
		uint8_t hdr[2] = { (uint8_t)(h->caplen >> 8), (uint8_t)h->caplen };

		if (h->caplen > 0xffff)
			continue;
		fwrite(hdr, 1, 2, f);
		fwrite(data, 1, h->caplen, f);
	}
	fclose(f);
}

int
main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	const struct dissector *d = NULL;
	const char *outdir;
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
	} else if (argc >= 3 && strcmp(argv[1], "frames") == 0) {
		outdir = argv[2];
		first = 3;
	} else {
		fprintf(stderr, "usage: seeds stream <dissector> <outdir> <capture>...\n"
		    "       seeds frames <outdir> <capture>...\n");
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
		else
			frame_seed(outdir, argv[i], pc);
		pcap_close(pc);
	}
	return 0;
}
