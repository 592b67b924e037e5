/*
 * fuzz_pipeline.c - libFuzzer harness for the whole capture path: decode,
 * flows, TCP reassembly and every registered dissector, over whole frames.
 *
 * Input:
 *   link type (1): 0 Ethernet, 1 raw IP, 2 Linux cooked, 3 Linux cooked v2
 *   then frames: length (2, big endian; clamped to what is left) | bytes
 * Seeds are the first frames of each shared capture (tests/fuzz/seeds.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "sw_limits.h"
#include "obs.h"
#include "pipeline.h"

#define FUZZ_MAX_FRAMES	512

int	 LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint64_t sink_sum;

static void
fuzz_emit(void *arg, const struct obs *o)
{
	char out[OBS_VAL_MAX * 4 + 1];

	(void)arg;
	for (size_t i = 0; o->val && i < o->val_len; i++)
		sink_sum += (uint8_t)o->val[i];
	if (o->val)
		sink_sum += obs_sanitize(o->val, o->val_len, out, sizeof(out));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int links[4] = { LINK_ETHERNET, LINK_RAW, LINK_SLL, LINK_SLL2 };
	struct pipeline_cfg cfg = { 1024, false };
	struct obs_sink sink = { fuzz_emit, NULL };
	struct pipeline *pl;
	uint64_t ts = 1700000000000000ull;
	size_t off = 1;
	int link;

	if (size < 1)
		return 0;
	link = links[data[0] & 3];
	if ((pl = pipeline_new(&cfg, &sink)) == NULL)
		abort();
	for (int k = 0; k < FUZZ_MAX_FRAMES && size - off >= 2; k++) {
		size_t n = (size_t)data[off] << 8 | data[off + 1];
		uint8_t *frame;

		off += 2;
		if (n > size - off)
			n = size - off;
		/* an exact-size copy, so a read past the frame is caught */
		if ((frame = malloc(n ? n : 1)) == NULL)
			abort();
		memcpy(frame, data + off, n);
		pipeline_packet(pl, link, frame, (uint32_t)n, (uint32_t)n, ts += 1000);
		free(frame);
		off += n;
	}
	pipeline_report_flows(pl);
	pipeline_free(pl);
	return 0;
}
