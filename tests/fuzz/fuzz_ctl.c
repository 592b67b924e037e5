/*
 * fuzz_ctl.c - libFuzzer harness for the control socket's protocol
 * (daemon/ctl.c, ctl_serve), without a socket: the client's bytes arrive
 * in reads of the sizes the input gives, as a slow or hostile client would
 * send them.
 *
 * Input: reads: size (1: low 7 bits the length, clamped to what is left;
 *        bit 7: the client then reads the answers) | bytes
 * Checks: the session ends (quit, drop) or goes on as the rules say; an
 * answer always ends with a "." line; no complete line is left unanswered;
 * what waits unanswered stays under CTL_MAX_LINE.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "ctl.h"
#include "sw_limits.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A status answer of the daemon's shape, long enough to matter. */
static void
status(void *arg, struct evbuffer *out)
{
	(void)arg;
	for (int i = 0; i < 40; i++)
		evbuffer_add_printf(out, "counter.%d %d\n", i, i * 7);
}

static void
check_answer(struct evbuffer *out)
{
	size_t n = evbuffer_get_length(out);
	unsigned char tail[2];

	if (n == 0)
		return;
	if (n >= 2)
		evbuffer_drain(out, n - 2);
	if (evbuffer_remove(out, tail, 2) != 2 || tail[0] != '.' || tail[1] != '\n') {
		fprintf(stderr, "fuzz_ctl: an answer that does not end with \".\"\n");
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct evbuffer *in = evbuffer_new(), *out = evbuffer_new();
	enum ctl_verdict v = CTL_KEEP;
	size_t off = 0;

	if (in == NULL || out == NULL)
		abort();
	while (v == CTL_KEEP && off < size) {
		bool reads = data[off] & 0x80;
		size_t n = data[off++] & 0x7f;

		if (n > size - off)
			n = size - off;
		evbuffer_add(in, data + off, n);
		off += n;
		v = ctl_serve(in, out, status, NULL);
		if (v == CTL_KEEP) {
			if (evbuffer_search(in, "\n", 1, NULL).pos != -1 ||
			    evbuffer_get_length(in) > CTL_MAX_LINE) {
				fprintf(stderr, "fuzz_ctl: a whole line, or too much, left waiting\n");
				abort();
			}
			if (reads)
				check_answer(out);
		}
	}
	if (v == CTL_CLOSE)
		check_answer(out);
	evbuffer_free(in);
	evbuffer_free(out);
	return 0;
}
