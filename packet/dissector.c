/*
 * dissector.c - what a dissector may call to report facts (see dissector.h).
 */
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "decode.h"
#include "factcache.h"
#include "pipeline.h"
#include "flow.h"
#include "opagg.h"
#include "sw_limits.h"

void
diss_pdu(struct diss_ctx *dc)
{
	dc->pdus++;
	if (dc->st)
		dc->st->pdus++;
}

void
diss_count(struct diss_ctx *dc, unsigned i)
{
	if (dc->st && i < DISS_MAX_COUNTERS)
		dc->st->counters[i]++;
}

static void
ref_from_endpoint(struct asset_ref *ref, const struct endpoint *e, uint16_t vlan)
{
	memcpy(ref->mac, e->mac, 6);
	ref->ip = e->ip;
	ref->vlan = vlan;
}

void
diss_ref(const struct diss_ctx *dc, enum side s, struct asset_ref *ref)
{
	memset(ref, 0, sizeof(*ref));
	if (dc->flow_rec) {
		const struct flow *f = dc->flow_rec;
		bool client;

		switch (s) {
		case SIDE_SRC:
			client = dc->dir == DIR_C2S;
			break;
		case SIDE_DST:
			client = dc->dir != DIR_C2S;
			break;
		case SIDE_CLIENT:
			client = true;
			break;
		default:
			client = false;
			break;
		}
		ref_from_endpoint(ref, client ? &f->cli : &f->srv, f->vlan);
		return;
	}
	if (dc->pkt == NULL)
		return;
	/* Layer 2: the frame's sender is the source (and the "server"). */
	if (s == SIDE_SRC || s == SIDE_SERVER) {
		memcpy(ref->mac, dc->pkt->src_mac, 6);
		ref->ip = dc->pkt->src_ip;
	} else {
		memcpy(ref->mac, dc->pkt->dst_mac, 6);
		ref->ip = dc->pkt->dst_ip;
	}
	ref->vlan = dc->pkt->vlan;
}

static uint64_t
now_us(const struct diss_ctx *dc)
{
	return dc->pkt ? dc->pkt->ts_us : 0;
}

uint64_t
diss_now(const struct diss_ctx *dc)
{
	return now_us(dc);
}

/*
 * Has the flow reported this fact lately?  Records it if not.  The memo
 * starts over every FACT_REFRESH_US, so a repeat then reaches the fact
 * cache, which decides whether it is due again.
 */
static bool
flow_memo_has(struct diss_ctx *dc, uint64_t h)
{
	struct flow *f = dc->flow_rec;
	uint64_t now = now_us(dc);

	if (f == NULL || dc->fc == NULL)
		return false;
	if (now < f->fact_memo_since || now - f->fact_memo_since >= FACT_REFRESH_US) {
		memset(f->fact_memo, 0, sizeof(f->fact_memo));
		f->fact_memo_since = now;
	}
	h |= 1;		/* 0 marks an empty slot */
	for (int i = 0; i < FLOW_FACT_MEMO; i++)
		if (f->fact_memo[i] == h) {
			dc->fc->suppressed++;
			return true;
		}
	f->fact_memo[f->fact_memo_next] = h;
	f->fact_memo_next = (uint8_t)((f->fact_memo_next + 1) % FLOW_FACT_MEMO);
	return false;
}

void
diss_fact_ref_fn(struct diss_ctx *dc, const struct asset_ref *who, struct fact_name attr,
    const void *val, size_t len, struct fact_name src, uint8_t conf)
{
	struct obs o;
	uint64_t h;

	if (val == NULL || len == 0)
		return;
	/* attr and src are string literals (dissector.h) */
	h = fc_hash(FC_SEED, who, sizeof(*who));
	h = fc_hash(h, attr.lit, attr.len);	/* fc_hash_static without its strlen */
	h = fc_hash(h, src.lit, src.len);
	h = fc_hash(h, val, len);
	if (flow_memo_has(dc, h))
		return;
	if (!fc_should_send(dc->fc, h, now_us(dc)))
		return;
	memset(&o, 0, sizeof(o));
	o.kind = OBS_FACT;
	o.ts_us = now_us(dc);
	o.who = *who;
	o.attr = attr.lit;
	o.val = val;
	o.val_len = len;
	o.src = src.lit;
	o.conf = conf;
	obs_emit(dc->sink, &o);
}

void
diss_fact_fn(struct diss_ctx *dc, enum side s, struct fact_name attr, const void *val,
    size_t len, struct fact_name src, uint8_t conf)
{
	struct asset_ref ref;

	diss_ref(dc, s, &ref);
	diss_fact_ref_fn(dc, &ref, attr, val, len, src, conf);
}

void
diss_fact_str_fn(struct diss_ctx *dc, enum side s, struct fact_name attr, const char *val,
    struct fact_name src, uint8_t conf)
{
	diss_fact_fn(dc, s, attr, val, strlen(val), src, conf);
}

/*
 * vsnprintf for the formats facts use most ("cip:%u", "%u.%u", "0x%08x",
 * "workgroup %s"): text with %u, %x, %0Nu, %0Nx (N one digit) of unsigned
 * ints and %s of strings.  Returns the length written, as vsnprintf does,
 * or -1 for any other conversion, a NULL string, or a text that would not
 * fit in size - 1 bytes: the caller then runs vsnprintf on its own
 * va_list.  printf cost a dissector more than the fact it formatted.
 */
static int
fmt_quick(char *buf, size_t size, const char *fmt, va_list ap)
{
	size_t n = 0;

	for (const char *f = fmt; *f != '\0'; f++) {	/* every conversion known, before any va_arg */
		if (*f != '%' || *++f == 's')
			continue;
		if (f[0] == '0' && f[1] >= '1' && f[1] <= '9')
			f += 2;
		if (*f != 'u' && *f != 'x')
			return -1;
	}
	for (const char *f = fmt; *f != '\0'; f++) {
		char digits[10];
		size_t k = 0, width = 0, len;
		const char *str;
		unsigned v;

		if (*f != '%') {
			if (n + 1 >= size)
				return -1;
			buf[n++] = *f;
			continue;
		}
		f++;
		if (*f == 's') {
			if ((str = va_arg(ap, const char *)) == NULL || (len = strlen(str)) >= size - n)
				return -1;
			memcpy(buf + n, str, len);
			n += len;
			continue;
		}
		if (*f == '0') {
			width = (size_t)(f[1] - '0');
			f += 2;
		}
		v = va_arg(ap, unsigned);
		do {
			digits[k++] = *f == 'x' ? "0123456789abcdef"[v & 15] : (char)('0' + v % 10);
			v = *f == 'x' ? v >> 4 : v / 10;
		} while (v > 0);
		len = k > width ? k : width;
		if (len >= size - n)
			return -1;
		for (; width > k; width--)
			buf[n++] = '0';
		while (k > 0)
			buf[n++] = digits[--k];
	}
	buf[n] = '\0';
	return (int)n;
}

void
diss_factf_fn(struct diss_ctx *dc, enum side s, struct fact_name attr, struct fact_name src,
    uint8_t conf, const char *fmt, ...)
{
	char buf[OBS_VAL_MAX_FMT];
	va_list ap, aq;
	int n;

	va_start(ap, fmt);
	va_copy(aq, ap);
	n = fmt_quick(buf, sizeof(buf), fmt, aq);
	va_end(aq);
	if (n < 0)
		n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	diss_fact_fn(dc, s, attr, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1,
	    src, conf);
}

size_t
diss_num_text(char *buf, size_t size, const char *prefix, size_t plen, uint32_t v)
{
	char digits[10];
	size_t n = plen, k = 0;

	if (n > size - sizeof(digits))
		n = size - sizeof(digits);
	memcpy(buf, prefix, n);
	do {
		digits[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	while (k > 0)
		buf[n++] = digits[--k];
	return n;
}

void
diss_fact_num_fn(struct diss_ctx *dc, enum side s, struct fact_name attr, struct fact_name src,
    uint8_t conf, const char *prefix, uint32_t v)
{
	char buf[48];

	diss_fact_fn(dc, s, attr, buf, diss_num_text(buf, sizeof(buf), prefix, strlen(prefix), v),
	    src, conf);
}

bool
diss_due(const struct diss_ctx *dc, uint64_t *last_us)
{
	uint64_t now = now_us(dc);

	if (last_us == NULL)
		return true;
	if (*last_us != 0 && now >= *last_us && now - *last_us < FACT_REFRESH_US)
		return false;
	*last_us = now ? now : 1;
	return true;
}

void
diss_addr_fn(struct diss_ctx *dc, const struct asset_ref *who, struct fact_name src)
{
	struct obs o;
	uint64_t h;

	if (!ip_is_unicast_host(&who->ip) && mac_is_zero(who->mac))
		return;
	h = fc_hash(FC_SEED ^ 1, who, sizeof(*who));
	h = fc_hash(h, src.lit, src.len);
	if (!fc_should_send(dc->fc, h, now_us(dc)))
		return;
	memset(&o, 0, sizeof(o));
	o.kind = OBS_ADDR;
	o.ts_us = now_us(dc);
	o.who = *who;
	o.src = src.lit;
	o.conf = CONF_STATED;
	obs_emit(dc->sink, &o);
}

bool
diss_str(struct cur *c, size_t n, const uint8_t **p)
{
	const uint8_t *start = cur_ptr(c);

	if (!cur_skip(c, n))
		return false;
	*p = start;
	return true;
}

void
diss_op_fn(struct diss_ctx *dc, enum op_kind kind, enum op_phase phase,
    struct fact_name src, const char *detail, size_t detail_len)
{
	diss_op_for_fn(dc, phase == OP_REQUEST ? SIDE_SRC : SIDE_DST, kind, phase,
	    src, detail, detail_len);
}

static enum side
other_side(enum side s)
{
	switch (s) {
	case SIDE_SRC:
		return SIDE_DST;
	case SIDE_DST:
		return SIDE_SRC;
	case SIDE_CLIENT:
		return SIDE_SERVER;
	default:
		return SIDE_CLIENT;
	}
}

void
diss_op_for_fn(struct diss_ctx *dc, enum side client, enum op_kind kind,
    enum op_phase phase, struct fact_name src, const char *detail, size_t detail_len)
{
	struct obs o;

	if (op_kind_name(kind) == NULL)
		return;
	memset(&o, 0, sizeof(o));
	o.kind = OBS_OP;
	o.ts_us = now_us(dc);
	diss_ref(dc, client, &o.who);
	diss_ref(dc, other_side(client), &o.peer);
	o.proto = dc->d->name;
	o.src = src.lit;
	o.val = detail;
	o.val_len = detail ? detail_len : 0;
	o.op = (uint8_t)kind;
	o.op_phase = (uint8_t)phase;
	o.transport = dc->d->transport;
	if (dc->ops)
		opagg_add(dc->ops, &o, dc->sink);
	else
		obs_emit(dc->sink, &o);
}
