/*
 * fuzz_pcapng.c - libFuzzer harness for the pcapng reader (packet/pcapng.c)
 * that spanwatchd -r uses for files libpcap refuses.
 *
 * Input: the file's bytes, read through fmemopen as from a file (from a
 * copy: fmemopen takes a buffer it may write, and libFuzzer's is const).
 * Checks: every packet handed out lies in memory the reader owns (ASan
 * reads all of it); a refused header or block says why; the reader stops
 * (end or error) within as many calls as the file has 4-byte words.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapng.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint64_t sink;

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_pcapng: %s\n", what);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	struct pcapng *r;
	uint8_t *file;
	FILE *fp;
	int rc;

	if (size == 0)
		return 0;
	if ((file = malloc(size)) == NULL)
		fail("malloc");
	memcpy(file, data, size);
	if ((fp = fmemopen(file, size, "rb")) == NULL)
		fail("fmemopen");
	err[0] = '\0';
	if ((r = pcapng_open(fp, err, sizeof(err))) == NULL) {
		if (err[0] == '\0')
			fail("a header refused without a reason");
		fclose(fp);
		free(file);
		return 0;
	}
	for (size_t calls = 0;; calls++) {
		const uint8_t *pkt;
		uint32_t caplen, len;
		uint64_t ts;
		int link;

		if (calls > size / 4 + 1)
			fail("more packets than the file has words");
		err[0] = '\0';
		rc = pcapng_next(r, &link, &pkt, &caplen, &len, &ts, err, sizeof(err));
		if (rc <= 0)
			break;
		for (uint32_t i = 0; i < caplen; i++)
			sink += pkt[i];
		sink += ts + (uint64_t)link + len;
	}
	if (rc < 0 && err[0] == '\0')
		fail("a block refused without a reason");
	sink += (uint64_t)pcapng_first_linktype(r);
	pcapng_close(r);
	fclose(fp);
	free(file);
	return 0;
}
