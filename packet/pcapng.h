/*
 * pcapng.h - a pcapng reader for files libpcap refuses: several
 * interfaces with different link types or snapshot lengths (what
 * mergecap writes by default), several sections, any timestamp
 * resolution.  Blocks are read through the cursor (core/cursor.h); a
 * block that lies about its length ends the file with an error, unknown
 * block types are skipped.
 */
#ifndef SW_PCAPNG_H
#define SW_PCAPNG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define PCAPNG_MAGIC	0x0a0d0d0a	/* Section Header Block type, either byte order */

struct pcapng;

/* Read from fp (positioned at the Section Header Block); NULL with err on a bad header. */
struct pcapng	*pcapng_open(FILE *fp, char *err, size_t errsz);
/*
 * The next packet: 1 (data valid until the next call), 0 at the end of
 * the file, -1 on a malformed block (err says which and where).
 */
int		 pcapng_next(struct pcapng *r, int *linktype, const uint8_t **data,
		    uint32_t *caplen, uint32_t *len, uint64_t *ts_us, char *err, size_t errsz);
/* The first interface's link type (0 before any), for capture_linktype(). */
int		 pcapng_first_linktype(const struct pcapng *r);
void		 pcapng_close(struct pcapng *r);	/* does not close fp */

#endif
