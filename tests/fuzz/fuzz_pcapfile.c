/*
 * fuzz_pcapfile.c - libFuzzer harness for the pcap file reader
 * (packet/pcapfile.c) that spanwatchd -r uses for pcap files.
 *
 * Input: the file's bytes, in a memfd read with pread as a file is.
 * Checks: every packet handed out lies in memory the reader owns (ASan
 * reads all of it) and is no longer than the snapshot allows; a refused
 * record says why; the reader stops (end or error) within as many calls
 * as the file has 16-byte record headers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pcapfile.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint64_t sink;

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_pcapfile: %s\n", what);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	struct pcapfile *r;
	int fd, rc = 0;

	if ((fd = memfd_create("fuzz_pcapfile", 0)) < 0)
		fail("memfd_create");
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		fail("write");
	err[0] = '\0';
	if ((r = pcapfile_open(fd, err, sizeof(err))) == NULL) {
		if (err[0] == '\0')
			fail("a file refused without a reason");
		close(fd);
		return 0;
	}
	for (size_t calls = 0;; calls++) {
		const uint8_t *pkt;
		uint32_t caplen, len;
		uint64_t ts;

		if (calls > size / 16 + 1)
			fail("more packets than the file has record headers");
		err[0] = '\0';
		rc = pcapfile_next(r, &pkt, &caplen, &len, &ts, err, sizeof(err));
		if (rc <= 0)
			break;
		if (caplen > 262144)
			fail("a packet longer than any snapshot");
		for (uint32_t i = 0; i < caplen; i++)
			sink += pkt[i];
		sink += ts + len;
	}
	if (rc < 0 && err[0] == '\0')
		fail("a record refused without a reason");
	sink += (uint64_t)pcapfile_linktype(r) + pcapfile_offset(r);
	pcapfile_close(r);
	close(fd);
	return 0;
}
