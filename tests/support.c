/*
 * support.c - shared test helpers (see support.h) and every test's main().
 */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "decode.h"

static void
ref_strs(const struct asset_ref *r, char mac[18], char ip[46])
{
	if (mac_is_zero(r->mac))
		mac[0] = '\0';
	else
		mac_fmt(r->mac, mac);
	ip_fmt(&r->ip, ip);
}

static void
collect_emit(void *arg, const struct obs *o)
{
	struct collected *c = arg;
	struct cobs *v;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->v = realloc(c->v, c->cap * sizeof(*c->v));
		ck_assert_ptr_nonnull(c->v);
	}
	v = &c->v[c->n++];
	memset(v, 0, sizeof(*v));
	v->kind = o->kind;
	ref_strs(&o->who, v->mac, v->ip);
	if (o->attr)
		snprintf(v->attr, sizeof(v->attr), "%s", o->attr);
	if (o->val)
		obs_sanitize(o->val, o->val_len, v->val, sizeof(v->val));
	if (o->src)
		snprintf(v->src, sizeof(v->src), "%s", o->src);
	if (o->proto)
		snprintf(v->proto, sizeof(v->proto), "%s", o->proto);
	v->conf = o->conf;
	v->transport = o->transport;
	v->port = o->port;
	ref_strs(&o->peer, v->peer_mac, v->peer_ip);
	v->pkts = o->pkts;
	v->bytes = o->bytes;
}

void
collected_init(struct collected *c)
{
	memset(c, 0, sizeof(*c));
	c->sink.emit = collect_emit;
	c->sink.arg = c;
}

void
collected_free(struct collected *c)
{
	free(c->v);
	memset(c, 0, sizeof(*c));
}

const char *
shared_pcap(const char *rel)
{
	static char path[4096];
	const char *base = getenv("SW_PCAPS");

	snprintf(path, sizeof(path), "%s/%s", base ? base : "../shared/pcaps", rel);
	return path;
}

json_t *
load_expected(const char *rel)
{
	char path[4200];
	json_error_t err;
	json_t *j;

	snprintf(path, sizeof(path), "%s.expected.json", shared_pcap(rel));
	j = json_load_file(path, 0, &err);
	ck_assert_msg(j != NULL, "cannot load %s: %s (line %d)", path, err.text, err.line);
	return j;
}

long
run_pcap(const char *path, struct collected *c, struct pipeline **plp)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pipeline_cfg cfg = { 0, true };	/* nDPI on, as the daemon runs */
	struct pcap_pkthdr *h;
	const u_char *data;
	struct pipeline *pl;
	pcap_t *pc;
	long n = 0;
	int rc, link;

	if ((pc = pcap_open_offline(path, errbuf)) == NULL) {
		fprintf(stderr, "run_pcap: %s\n", errbuf);
		return -1;
	}
	link = pcap_datalink(pc);
	pl = pipeline_new(&cfg, &c->sink);
	ck_assert_ptr_nonnull(pl);
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		pipeline_packet(pl, link, data, h->caplen, h->len,
		    (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec);
		n++;
	}
	pcap_close(pc);
	pipeline_report_flows(pl);
	if (plp)
		*plp = pl;
	else
		pipeline_free(pl);
	return n;
}

void
run_frame(struct pipeline *pl, const uint8_t *frame, size_t len, uint64_t ts_us)
{
	pipeline_packet(pl, LINK_ETHERNET, frame, (uint32_t)len, (uint32_t)len, ts_us);
}

static bool
who_matches(const struct cobs *o, const char *who)
{
	return who == NULL || strcmp(o->ip, who) == 0 || strcasecmp(o->mac, who) == 0;
}

const struct cobs *
find_fact(const struct collected *c, const char *who, const char *attr, const char *val)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct cobs *o = &c->v[i];

		if (o->kind != OBS_FACT || !who_matches(o, who))
			continue;
		if (attr && strcmp(o->attr, attr) != 0)
			continue;
		if (val && strcmp(o->val, val) != 0)
			continue;
		return o;
	}
	return NULL;
}

size_t
count_facts(const struct collected *c, const char *who, const char *attr)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].kind == OBS_FACT && who_matches(&c->v[i], who) &&
		    (attr == NULL || strcmp(c->v[i].attr, attr) == 0))
			n++;
	return n;
}

void
dump_facts(const struct collected *c)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct cobs *o = &c->v[i];

		if (o->kind == OBS_FACT)
			fprintf(stderr, "fact %s/%s %s=%s [%s %u]\n", o->mac, o->ip,
			    o->attr, o->val, o->src, o->conf);
	}
}

struct counter_find {
	const char	*name;
	int64_t		 value;
};

static void
counter_find_cb(void *arg, const char *name, uint64_t value)
{
	struct counter_find *cf = arg;

	if (strcmp(cf->name, name) == 0)
		cf->value = (int64_t)value;
}

int64_t
pipeline_counter(const struct pipeline *pl, const char *name)
{
	struct counter_find cf = { name, -1 };

	pipeline_stats_walk(pl, counter_find_cb, &cf);
	return cf.value;
}

/* --- frame builders (test data only; nothing here reads packet data) --- */

static void
put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void
put32(uint8_t *b, uint32_t v)
{
	put16(b, (uint16_t)(v >> 16));
	put16(b + 2, (uint16_t)v);
}

static uint16_t
ip_checksum(const uint8_t *b, size_t n)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

size_t
build_eth(uint8_t *out, size_t outsz, const char *src_mac, const char *dst_mac,
    uint16_t ethertype, const uint8_t *payload, size_t plen)
{
	ck_assert_uint_ge(outsz, 14 + plen);
	ck_assert(mac_parse(dst_mac, out));
	ck_assert(mac_parse(src_mac, out + 6));
	put16(out + 12, ethertype);
	if (plen)
		memcpy(out + 14, payload, plen);
	return 14 + plen;
}

static size_t
build_ip4(uint8_t *out, size_t outsz, const char *src_mac, const char *dst_mac,
    const char *src_ip, const char *dst_ip, uint8_t proto, const uint8_t *l4, size_t l4len)
{
	uint8_t *ip = out + 14;

	ck_assert_uint_ge(outsz, 14 + 20 + l4len);
	build_eth(out, outsz, src_mac, dst_mac, 0x0800, NULL, 0);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + l4len));
	ip[8] = 64;
	ip[9] = proto;
	ck_assert(inet_pton(AF_INET, src_ip, ip + 12) == 1);
	ck_assert(inet_pton(AF_INET, dst_ip, ip + 16) == 1);
	put16(ip + 10, ip_checksum(ip, 20));
	memcpy(ip + 20, l4, l4len);
	return 14 + 20 + l4len;
}

size_t
build_tcp4(uint8_t *out, size_t outsz, const char *src_mac, const char *dst_mac,
    const char *src_ip, const char *dst_ip, uint16_t sport, uint16_t dport,
    uint32_t seq, uint8_t flags, const uint8_t *payload, size_t plen)
{
	uint8_t seg[20 + 65536];

	ck_assert_uint_le(plen, 65535 - 40);
	memset(seg, 0, 20);
	put16(seg, sport);
	put16(seg + 2, dport);
	put32(seg + 4, seq);
	put32(seg + 8, 1);
	seg[12] = 5 << 4;
	seg[13] = flags;
	put16(seg + 14, 65535);
	if (plen)
		memcpy(seg + 20, payload, plen);
	return build_ip4(out, outsz, src_mac, dst_mac, src_ip, dst_ip, 6, seg, 20 + plen);
}

size_t
build_udp4(uint8_t *out, size_t outsz, const char *src_mac, const char *dst_mac,
    const char *src_ip, const char *dst_ip, uint16_t sport, uint16_t dport,
    const uint8_t *payload, size_t plen)
{
	uint8_t dg[8 + 65536];

	ck_assert_uint_le(plen, 65535 - 28);
	put16(dg, sport);
	put16(dg + 2, dport);
	put16(dg + 4, (uint16_t)(8 + plen));
	put16(dg + 6, 0);
	if (plen)
		memcpy(dg + 8, payload, plen);
	return build_ip4(out, outsz, src_mac, dst_mac, src_ip, dst_ip, 17, dg, 8 + plen);
}

int
main(void)
{
	SRunner *sr = srunner_create(make_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
