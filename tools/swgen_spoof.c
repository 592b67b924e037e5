/*
 * swgen_spoof.c - `swgen --spoof N -r BASE -o OUT`: BASE with N frames
 * from spoofed senders mixed in, as a MAC/IP flooding tool (macof) sends
 * them: each frame a TCP SYN from a random unicast source MAC and IPv4
 * address to a random destination MAC and address, ports random.  The
 * frames are spread evenly over the middle half of BASE (by packet count,
 * each taking the time of the BASE packet it follows), so the real
 * devices of BASE are on the wire before, during and after the flood; the
 * inventory of OUT is compared with that of BASE.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

#include "swgen.h"

#define SPOOF_FRAME	60

static uint64_t
spoof_rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static void
spoof_mac(uint64_t *rng, uint8_t m[6])
{
	uint64_t v = spoof_rnd(rng);

	memcpy(m, &v, 6);
	m[0] &= 0xfc;		/* unicast, globally administered: it looks like a device */
}

/* Ethernet + IPv4 + TCP SYN, checksums left zero (spanwatch does not check them). */
static void
spoof_frame(uint64_t *rng, uint8_t f[SPOOF_FRAME])
{
	uint64_t a = spoof_rnd(rng), b = spoof_rnd(rng);

	memset(f, 0, SPOOF_FRAME);
	spoof_mac(rng, f);
	spoof_mac(rng, f + 6);
	f[12] = 0x08;
	f[14] = 0x45;
	f[17] = 40;		/* total length */
	f[20] = 0x40;		/* DF */
	f[22] = 64;
	f[23] = 6;
	f[26] = 10;		/* source 10.x.y.z (not 10.255.255.255) */
	f[27] = (uint8_t)(a >> 8) % 255;
	f[28] = (uint8_t)(a >> 16);
	f[29] = (uint8_t)(1 + (a >> 24) % 254);
	f[30] = 10;
	f[31] = (uint8_t)(b >> 8) % 255;
	f[32] = (uint8_t)(b >> 16);
	f[33] = (uint8_t)(1 + (b >> 24) % 254);
	f[34] = (uint8_t)(a >> 32);
	f[35] = (uint8_t)(a >> 40);
	f[36] = (uint8_t)(b >> 32) | 1;
	f[37] = (uint8_t)(b >> 40);
	memcpy(f + 38, &a, 4);	/* sequence */
	f[46] = 0x50;
	f[47] = 0x02;		/* SYN */
	f[48] = 0xfa;
	f[49] = 0xf0;
}

static long long
count_packets(const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p = pcap_open_offline(path, err);
	long long n = 0;

	if (p == NULL) {
		fprintf(stderr, "swgen: %s\n", err);
		return -1;
	}
	while (pcap_next_ex(p, &h, &d) == 1)
		n++;
	pcap_close(p);
	return n;
}

int
swgen_spoof(const char *base, const char *out, uint64_t nspoof, uint64_t seed)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h, sh;
	const u_char *d;
	uint8_t f[SPOOF_FRAME];
	uint64_t rng = seed * 0x9e3779b97f4a7c15ull + 1, done = 0;
	long long n = count_packets(base), i = 0;
	pcap_dumper_t *w;
	pcap_t *p;

	if (n <= 0)
		return 1;
	if ((p = pcap_open_offline(base, err)) == NULL) {
		fprintf(stderr, "swgen: %s\n", err);
		return 1;
	}
	if ((w = pcap_dump_open(p, out)) == NULL) {
		fprintf(stderr, "swgen: %s: %s\n", out, pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	while (pcap_next_ex(p, &h, &d) == 1) {
		/* after BASE packet i, the spoofed frames due by then (middle half of BASE) */
		uint64_t due = 0;

		pcap_dump((u_char *)w, h, d);
		i++;
		if (i > n / 4)
			due = i >= n / 4 * 3 ? nspoof : (uint64_t)((double)nspoof * (double)(i - n / 4) /
			    (double)(n / 2));
		for (; done < due; done++) {
			spoof_frame(&rng, f);
			sh.ts = h->ts;
			sh.caplen = sh.len = SPOOF_FRAME;
			pcap_dump((u_char *)w, &sh, f);
		}
	}
	pcap_dump_close(w);
	pcap_close(p);
	fprintf(stderr, "swgen: %s: %lld packets of %s and %llu from spoofed senders\n", out, n,
	    base, (unsigned long long)done);
	return 0;
}
