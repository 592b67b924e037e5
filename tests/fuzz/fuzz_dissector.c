/*
 * fuzz_dissector.c - libFuzzer harness for one dissector's real parse
 * function, with a fake flow and a sink that reads every byte it is given.
 *
 * The dissector is chosen at compile time: a target file
 * tests/fuzz/fuzz_<name>.c holds
 *	#define DISSECTOR dis_<name>
 *	#include "fuzz_dissector.c"
 * and tests/fuzz/run.sh builds and runs it (seeds come from the shared
 * captures through tests/fuzz/seeds.c, in the format below).
 *
 * Input:
 *   mode (1): bit 0 = the flow is UDP (for TCP dissectors that also parse
 *             datagrams); ignored otherwise
 *   then chunks: flags (1: bit 0 server-to-client, bit 1 a gap before it)
 *                | length (2, big endian; clamped to what is left) | bytes
 * TCP: chunks are appended to their direction's pending bytes, which are
 * handed to the dissector as the pipeline does (unconsumed bytes come back
 * extended; anything but DISS_OK drops them).  UDP and layer 2: one chunk,
 * one datagram / frame.  Every call sees an exact-size heap copy, so ASan
 * catches a read one byte past the cursor.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dissector.h"
#include "decode.h"
#include "flow.h"
#include "sw_limits.h"

#ifndef DISSECTOR
#error "compile with -DDISSECTOR=dis_<name> or define it before including this file"
#endif

extern const struct dissector DISSECTOR;

int	 LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint64_t sink_sum;

/* Touch every byte of what the dissector reports, then sanitise it. */
static void
fuzz_emit(void *arg, const struct obs *o)
{
	char out[OBS_VAL_MAX * 4 + 1];
	uint64_t sum = 0;

	(void)arg;
	for (size_t i = 0; o->val && i < o->val_len; i++)
		sum += (uint8_t)o->val[i];
	if (o->attr)
		sum += strlen(o->attr);
	if (o->src)
		sum += strlen(o->src);
	if (o->val)
		sum += obs_sanitize(o->val, o->val_len, out, sizeof(out));
	sink_sum += sum;
}

struct pending {
	uint8_t		*buf;
	size_t		 len;
};

static void
call_parse(struct diss_ctx *dc, const uint8_t *p, size_t n, size_t *consumed,
    enum diss_rc *rc)
{
	uint8_t *copy = malloc(n ? n : 1);
	struct cur c;

	if (copy == NULL)
		abort();
	if (n)
		memcpy(copy, p, n);
	c = cur_make(copy, n);
	if (DISSECTOR.probe) {
		struct cur pc = c;

		(void)DISSECTOR.probe(&pc, dc->dir);
	}
	dc->pdus = 0;
	*rc = DISSECTOR.parse(dc, &c);
	dc->flow.pdus += dc->pdus;	/* as the pipeline counts them */
	if (cur_left(&c) > n)
		abort();	/* the cursor grew: a dissector bug */
	*consumed = n - cur_left(&c);
	free(copy);
}

static void
stream_chunk(struct diss_ctx *dc, struct pending *pd, const uint8_t *p, size_t n)
{
	enum diss_rc rc;
	size_t used;
	uint8_t *nb;

	if (pd->len + n > REASM_MAX_DIR) {
		pd->len = 0;
		if (DISSECTOR.on_gap)
			DISSECTOR.on_gap(dc);
	}
	if ((nb = realloc(pd->buf, pd->len + n + 1)) == NULL)
		abort();
	pd->buf = nb;
	memcpy(pd->buf + pd->len, p, n);
	pd->len += n;
	call_parse(dc, pd->buf, pd->len, &used, &rc);
	if (rc != DISS_OK)
		used = pd->len;
	memmove(pd->buf, pd->buf + used, pd->len - used);
	pd->len -= used;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct obs_sink sink = { fuzz_emit, NULL };
	struct pending pd[2] = { { NULL, 0 }, { NULL, 0 } };
	struct diss_stats st;
	struct diss_ctx dc;
	struct flow fl;
	struct pkt pk;
	void *state = NULL;
	uint8_t proto;
	size_t off = 1;

	if (size < 1)
		return 0;
	if (DISSECTOR.transport == L4_NONE)
		proto = L4_NONE;
	else if (DISSECTOR.transport == L4_UDP || (DISSECTOR.also_udp && (data[0] & 1)))
		proto = L4_UDP;
	else
		proto = L4_TCP;

	memset(&fl, 0, sizeof(fl));
	memset(&pk, 0, sizeof(pk));
	fl.proto = proto;
	fl.cli.ip.fam = fl.srv.ip.fam = IPFAM_V4;
	fl.cli.ip.a[0] = 10, fl.cli.ip.a[3] = 1;
	fl.srv.ip.a[0] = 10, fl.srv.ip.a[3] = 2;
	fl.cli.mac[5] = 1;
	fl.srv.mac[5] = 2;
	fl.cli.port = 40000;
	fl.srv.port = DISSECTOR.ports[0];
	fl.d = &DISSECTOR;
	pk.has_eth = true;
	pk.src_mac[5] = 1;
	pk.dst_mac[5] = 2;
	pk.ethertype = DISSECTOR.ethertype;
	if (DISSECTOR.state_size && (state = calloc(1, DISSECTOR.state_size)) == NULL)
		abort();
	fl.dstate = state;

	memset(&st, 0, sizeof(st));
	memset(&dc, 0, sizeof(dc));
	dc.d = &DISSECTOR;
	dc.flow_rec = proto == L4_NONE ? NULL : &fl;
	dc.pkt = &pk;
	if (proto != L4_NONE) {
		dc.flow.transport = proto;
		dc.flow.cli_port = fl.cli.port;
		dc.flow.srv_port = fl.srv.port;
	}
	dc.state = state;
	dc.sink = &sink;
	dc.st = &st;

	while (size - off >= 3) {
		uint8_t flags = data[off];
		size_t n = (size_t)data[off + 1] << 8 | data[off + 2];
		size_t used;
		enum diss_rc rc;

		off += 3;
		if (n > size - off)
			n = size - off;
		dc.dir = flags & 1 ? DIR_S2C : DIR_C2S;
		pk.ts_us += 1000;
		if (proto == L4_TCP) {
			if ((flags & 2) && DISSECTOR.on_gap) {
				pd[dc.dir].len = 0;
				DISSECTOR.on_gap(&dc);
			}
			stream_chunk(&dc, &pd[dc.dir], data + off, n);
		} else
			call_parse(&dc, data + off, n, &used, &rc);
		off += n;
	}
	if (state && DISSECTOR.on_close)
		DISSECTOR.on_close(state);
	free(state);
	free(pd[0].buf);
	free(pd[1].buf);
	return 0;
}
