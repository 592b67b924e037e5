/*
 * fuzz_pipeline.c - libFuzzer harness for the whole capture path: decode,
 * flows, TCP reassembly, nDPI, every registered dissector and the
 * observation queue, over a short sequence of frames.
 *
 * Persistent: one pipeline (with its nDPI module, whose set-up is most of
 * pipeline_new's cost) serves every input; pipeline_reset() between inputs
 * releases the flows and clears the caches, so an input's outcome does not
 * depend on the ones before it (nDPI's own caches of hosts aside) and
 * nothing it allocated survives it (ASan's leak check at exit).
 *
 * Input ("fpk", written by tests/fuzz/seeds.c from the captures):
 *   link (1): low 2 bits: 0 Ethernet, 1 raw IP, 2 Linux cooked, 3 Linux cooked v2
 *   then frames: dt (1) | length (2, big endian; clamped to what is left) | bytes
 *   dt is the time since the previous frame: below 0xc0 milliseconds,
 *   0xc0-0xfe (dt - 0xbf) seconds, 0xff ten minutes (flows expire, facts
 *   are sent again, operation bursts end).
 *
 * Every observation is checked (kind, strings, confidence) and goes through
 * the real queue (core/obsq.c), whose sanitised copy is checked too; after
 * the reset, no flow may still hold nDPI state or reassembly memory.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "obs.h"
#include "obsq.h"
#include "ops.h"
#include "pipeline.h"
#include "sw_limits.h"
#include "utf8.h"

#define FUZZ_MAX_FRAMES	256
#define FUZZ_T0_US	1700000000000000ull

int	 LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pipeline	*pl;
static struct obsq	*q;
static struct obs_sink	 qsink;

static void
fail(const char *what, const struct obs *o)
{
	fprintf(stderr, "fuzz_pipeline: %s (kind %d, attr %s, src %s)\n", what, (int)o->kind,
	    o->attr ? o->attr : "-", o->src ? o->src : "-");
	abort();
}

/* What reaches the queue must already be a well-formed observation. */
static void
check_raw(const struct obs *o)
{
	if ((unsigned)o->kind >= OBS_NKINDS)
		fail("kind out of range", o);
	if (o->val == NULL && o->val_len != 0)
		fail("val_len without val", o);
	if (o->conf > 100)
		fail("confidence above 100", o);
	if (o->kind == OBS_FACT && (o->attr == NULL || o->src == NULL || o->attr[0] == '\0'))
		fail("fact without attribute or source", o);
	if (o->kind == OBS_OP && (o->op == OP_NONE || o->op >= OP_KIND_COUNT ||
	    o->op_phase > OP_REPLY_FAILED || o->proto == NULL))
		fail("operation out of range", o);
	if ((o->kind == OBS_SERVICE || o->kind == OBS_PEER) && o->proto == NULL)
		fail("service or peer without protocol", o);
}

/* The queue's copy: NUL-terminated, printable, valid UTF-8 (obs_sanitize). */
static void
check_queued(const struct obs *o)
{
	const unsigned char *v = (const unsigned char *)o->val;

	if (v == NULL || strlen(o->val) != o->val_len || o->val_len >= OBS_VAL_MAX)
		fail("queued value not a string of its length", o);
	for (size_t i = 0; i < o->val_len;) {
		size_t n = utf8_shown_len(v + i, o->val_len - i);

		if (n == 0 || (n == 1 && (v[i] < 0x20 || v[i] == 0x7f)))
			fail("queued value not sanitised", o);
		i += n;
	}
	if (o->proto && strnlen(o->proto, OBS_PROTO_MAX) == OBS_PROTO_MAX)
		fail("queued protocol name not terminated", o);
}

static void
emit(void *arg, const struct obs *o)
{
	const struct obs *c;
	size_t before = obsq_len(q);

	(void)arg;
	check_raw(o);
	qsink.emit(qsink.arg, o);
	if (obsq_len(q) == before)
		return;		/* full: dropped and counted */
	if ((c = obsq_at(q, before)) == NULL)
		abort();
	check_queued(c);
	/* keep the ring from filling: what the store would drain */
	if (obsq_len(q) > OBSQ_MAX / 2)
		obsq_consume(q, obsq_len(q));
}

static struct obs_sink sink = { emit, NULL };

static void
setup(void)
{
	struct pipeline_cfg cfg = { .flow_max = 1024, .ndpi = true };

	if ((q = obsq_new(0)) == NULL || (pl = pipeline_new(&cfg, &sink)) == NULL)
		abort();
	qsink = obsq_sink(q);
}

static uint64_t
time_step(uint8_t dt)
{
	if (dt < 0xc0)
		return dt * 1000ull;
	if (dt < 0xff)
		return (dt - 0xbfull) * 1000000ull;
	return 600ull * 1000000;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int links[4] = { LINK_ETHERNET, LINK_RAW, LINK_SLL, LINK_SLL2 };
	uint64_t ts = FUZZ_T0_US;
	size_t off = 1;
	int link;

	if (size < 1)
		return 0;
	if (pl == NULL)
		setup();
	link = links[data[0] & 3];
	for (int k = 0; k < FUZZ_MAX_FRAMES && size - off >= 3; k++) {
		size_t n = (size_t)data[off + 1] << 8 | data[off + 2];
		uint8_t *frame;

		ts += time_step(data[off]);
		off += 3;
		if (n > size - off)
			n = size - off;
		/* an exact-size copy, so a read past the frame is caught */
		if ((frame = malloc(n ? n : 1)) == NULL)
			abort();
		memcpy(frame, data + off, n);
		pipeline_packet(pl, link, frame, (uint32_t)n, (uint32_t)n, ts);
		free(frame);
		off += n;
	}
	pipeline_report_flows(pl);
	if (!pipeline_reset(pl)) {
		fprintf(stderr, "fuzz_pipeline: reassembly memory or nDPI state left after the reset\n");
		abort();
	}
	obsq_consume(q, obsq_len(q));
	return 0;
}
