/*
 * support.c - shared test helpers (see support.h) and every test's main().
 */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "vendor_ids.h"

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
	v->op = o->op;
	v->op_phase = o->op_phase;
	v->op_n = o->op_n ? o->op_n : 1;
	v->ts_us = o->ts_us;
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
	struct pipeline_cfg cfg = { .ndpi = true };	/* nDPI on, as the daemon runs */
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
expected_run_open(struct expected_run *r, const char *rel, const char *section,
    bool keep_pipeline)
{
	char path[128], *name, *save = NULL;

	collected_init(&r->col);
	r->pl = NULL;
	r->exp = load_expected(rel);
	ck_assert_int_gt(run_pcap(shared_pcap(rel), &r->col, keep_pipeline ? &r->pl : NULL), 0);
	r->facts = json_object_get(r->exp, "facts");
	snprintf(path, sizeof(path), "%s", section);
	for (name = strtok_r(path, ".", &save); name; name = strtok_r(NULL, ".", &save))
		r->facts = json_object_get(r->facts, name);
	ck_assert_msg(json_array_size(r->facts) + json_object_size(r->facts) > 0,
	    "%s: no facts.%s expected", rel, section);
}

void
expected_run_close(struct expected_run *r)
{
	if (r->pl)
		pipeline_free(r->pl);
	json_decref(r->exp);
	collected_free(&r->col);
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
wr_be16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static void
wr_be32(uint8_t *b, uint32_t v)
{
	wr_be16(b, (uint16_t)(v >> 16));
	wr_be16(b + 2, (uint16_t)v);
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
	wr_be16(out + 12, ethertype);
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
	wr_be16(ip + 2, (uint16_t)(20 + l4len));
	ip[8] = 64;
	ip[9] = proto;
	ck_assert(inet_pton(AF_INET, src_ip, ip + 12) == 1);
	ck_assert(inet_pton(AF_INET, dst_ip, ip + 16) == 1);
	wr_be16(ip + 10, ip_checksum(ip, 20));
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
	wr_be16(seg, sport);
	wr_be16(seg + 2, dport);
	wr_be32(seg + 4, seq);
	wr_be32(seg + 8, 1);
	seg[12] = 5 << 4;
	seg[13] = flags;
	wr_be16(seg + 14, 65535);
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
	wr_be16(dg, sport);
	wr_be16(dg + 2, dport);
	wr_be16(dg + 4, (uint16_t)(8 + plen));
	wr_be16(dg + 6, 0);
	if (plen)
		memcpy(dg + 8, payload, plen);
	return build_ip4(out, outsz, src_mac, dst_mac, src_ip, dst_ip, 17, dg, 8 + plen);
}

/* --- byte vectors ------------------------------------------------------ */

static uint8_t *
put_room(struct bytebuf *b, size_t n)
{
	uint8_t *at;

	ck_assert_uint_le(n, sizeof(b->b) - b->n);
	at = b->b + b->n;
	b->n += n;
	return at;
}

void
put_u8(struct bytebuf *b, unsigned v)
{
	*put_room(b, 1) = (uint8_t)v;
}

void
put_be16(struct bytebuf *b, unsigned v)
{
	wr_be16(put_room(b, 2), (uint16_t)v);
}

void
put_be24(struct bytebuf *b, uint32_t v)
{
	put_u8(b, v >> 16);
	put_be16(b, v & 0xffff);
}

void
put_be32(struct bytebuf *b, uint32_t v)
{
	wr_be32(put_room(b, 4), v);
}

void
put_le16(struct bytebuf *b, unsigned v)
{
	put_u8(b, v & 0xff);
	put_u8(b, v >> 8);
}

void
put_le32(struct bytebuf *b, uint32_t v)
{
	put_le16(b, v & 0xffff);
	put_le16(b, v >> 16);
}

void
put_bytes(struct bytebuf *b, const void *p, size_t n)
{
	if (n)
		memcpy(put_room(b, n), p, n);
}

void
put_zeros(struct bytebuf *b, size_t n)
{
	memset(put_room(b, n), 0, n);
}

void
put_ber_tlv(struct bytebuf *b, unsigned tag, const void *v, size_t n)
{
	ck_assert_uint_lt(n, 65536);
	put_u8(b, tag);
	if (n < 128) {
		put_u8(b, (unsigned)n);
	} else if (n < 256) {
		put_u8(b, 0x81);
		put_u8(b, (unsigned)n);
	} else {
		put_u8(b, 0x82);
		put_be16(b, (unsigned)n);
	}
	put_bytes(b, v, n);
}

void
put_dns_name(struct bytebuf *b, const char *dotted, int ptr)
{
	while (*dotted) {
		size_t n = strcspn(dotted, ".");

		put_u8(b, (unsigned)n);
		put_bytes(b, dotted, n);
		dotted += n;
		if (*dotted == '.')
			dotted++;
	}
	if (ptr >= 0)
		put_be16(b, 0xc000u | (unsigned)ptr);
	else
		put_u8(b, 0);
}

void
put_dns_header(struct bytebuf *b, unsigned id, unsigned flags, unsigned qd, unsigned an)
{
	put_be16(b, id);
	put_be16(b, flags);
	put_be16(b, qd);
	put_be16(b, an);
	put_be16(b, 0);
	put_be16(b, 0);
}

void
put_dns_rr(struct bytebuf *b, unsigned type, unsigned cls, uint32_t ttl, unsigned rdlen)
{
	put_be16(b, type);
	put_be16(b, cls);
	put_be32(b, ttl);
	put_be16(b, rdlen);
}

/* --- one dissector on byte vectors ---------------------------------------- */

void
harness_init(struct harness *h, const struct dissector *d)
{
	memset(h, 0, sizeof(*h));
	h->d = d;
	if (d->state_size) {
		h->state = calloc(1, d->state_size);
		ck_assert_ptr_nonnull(h->state);
	}
	collected_init(&h->col);
	h->dc.d = d;
	h->dc.state = h->state;
	h->dc.sink = &h->col.sink;
	h->dc.st = &h->st;
}

void
harness_frame(struct harness *h, const char *src_mac, const char *dst_mac)
{
	ck_assert(mac_parse(src_mac, h->pkt.src_mac));
	ck_assert(mac_parse(dst_mac, h->pkt.dst_mac));
	h->pkt.has_eth = true;
	h->dc.pkt = &h->pkt;
}

void
harness_flow(struct harness *h, uint8_t proto, const char *cli_ip, uint16_t cli_port,
    const char *srv_ip, uint16_t srv_port)
{
	h->flow.proto = proto;
	ck_assert(ip_parse(cli_ip, &h->flow.cli.ip));
	ck_assert(ip_parse(srv_ip, &h->flow.srv.ip));
	h->flow.cli.port = cli_port;
	h->flow.srv.port = srv_port;
	h->flow.dstate = h->state;
	h->dc.flow_rec = &h->flow;
	h->dc.pkt = &h->pkt;
	h->dc.flow.transport = proto;
	h->dc.flow.cli_port = cli_port;
	h->dc.flow.srv_port = srv_port;
}

enum diss_rc
harness_parse(struct harness *h, int dir, const void *b, size_t n, size_t *left)
{
	struct cur c = cur_make(b, n);
	enum diss_rc rc;

	/* as the pipeline does: pdus counts this call only */
	h->dc.dir = dir;
	h->dc.pdus = 0;
	h->dc.flow.pdus = h->flow.d_pdus;
	rc = h->d->parse(&h->dc, &c);
	h->flow.d_pdus += h->dc.pdus;
	if (left)
		*left = cur_left(&c);
	return rc;
}

enum diss_rc
harness_feed(struct harness *h, const void *b, size_t n)
{
	return harness_parse(h, h->dc.dir, b, n, NULL);
}

uint64_t
harness_counter(const struct harness *h, const char *name)
{
	for (int i = 0; i < DISS_MAX_COUNTERS && h->d->counter_names[i]; i++)
		if (strcmp(h->d->counter_names[i], name) == 0)
			return h->st.counters[i];
	ck_abort_msg("%s has no counter %s", h->d->name, name);
	return 0;
}

void
harness_free(struct harness *h)
{
	if (h->state && h->d->on_close)
		h->d->on_close(h->state);
	free(h->state);
	collected_free(&h->col);
}

/* --- a TCP conversation through the pipeline -------------------------------- */

#define CONV_CLI_MAC	"02:00:00:00:00:0a"
#define CONV_SRV_MAC	"02:00:00:00:00:14"

void
tcp_conv_open(struct tcp_conv *v, const char *cli_ip, const char *srv_ip, uint16_t srv_port)
{
	tcp_conv_open_ports(v, cli_ip, 40000, srv_ip, srv_port);
}

void
tcp_conv_open_ports(struct tcp_conv *v, const char *cli_ip, uint16_t cli_port,
    const char *srv_ip, uint16_t srv_port)
{
	struct pipeline_cfg cfg = { .ndpi = false };

	memset(v, 0, sizeof(*v));
	collected_init(&v->col);
	v->pl = pipeline_new(&cfg, &v->col.sink);
	ck_assert_ptr_nonnull(v->pl);
	v->cli_ip = cli_ip;
	v->srv_ip = srv_ip;
	v->cli_port = cli_port;
	v->srv_port = srv_port;
	v->seq[DIR_C2S] = 1000;
	v->seq[DIR_S2C] = 5000;
	v->ts_us = 1700000000000000ull;
	tcp_conv_send(v, DIR_C2S, 0x02, NULL, 0);
	tcp_conv_send(v, DIR_S2C, 0x12, NULL, 0);
}

void
tcp_conv_send(struct tcp_conv *v, int dir, uint8_t flags, const void *p, size_t n)
{
	static uint8_t f[14 + 20 + 20 + 65536];
	size_t len;

	if (dir == DIR_C2S)
		len = build_tcp4(f, sizeof(f), CONV_CLI_MAC, CONV_SRV_MAC, v->cli_ip, v->srv_ip,
		    v->cli_port, v->srv_port, v->seq[dir], flags, p, n);
	else
		len = build_tcp4(f, sizeof(f), CONV_SRV_MAC, CONV_CLI_MAC, v->srv_ip, v->cli_ip,
		    v->srv_port, v->cli_port, v->seq[dir], flags, p, n);
	/* a SYN takes one sequence number */
	v->seq[dir] += (uint32_t)n + ((flags & 0x02) ? 1 : 0);
	run_frame(v->pl, f, len, v->ts_us += 1000);
}

void
tcp_conv_close(struct tcp_conv *v)
{
	pipeline_free(v->pl);
	collected_free(&v->col);
}

const struct cobs *
find_fact_src(const struct collected *c, const char *who, const char *attr,
    const char *val, const char *src)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct cobs *o = &c->v[i];

		if (o->kind != OBS_FACT || !who_matches(o, who))
			continue;
		if ((attr && strcmp(o->attr, attr) != 0) || (val && strcmp(o->val, val) != 0))
			continue;
		if (strcmp(o->src, src) == 0)
			return o;
	}
	return NULL;
}

void
assert_facts(const struct collected *c, const char *who, const struct want_fact *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct cobs *o = w[i].src ?
		    find_fact_src(c, who, w[i].attr, w[i].val, w[i].src) :
		    find_fact(c, who, w[i].attr, w[i].val);

		ck_assert_msg(o != NULL, "no fact %s=%s from %s about %s", w[i].attr,
		    w[i].val ? w[i].val : "*", w[i].src ? w[i].src : "*", who ? who : "anyone");
	}
}

void
vendor_ids_setup(void)
{
	ck_assert_uint_gt(vendor_ids_load("oui"), 0);
}

void
vendor_ids_teardown(void)
{
	vendor_ids_free();
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
