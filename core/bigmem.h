/*
 * bigmem.h - tables allocated once at their cap (flow pool, observation
 * ring, conversation sums, asset cache).
 *
 * Zeroed like calloc, untouched pages cost nothing, and where the kernel
 * allows it (transparent huge pages in "madvise" mode, Debian's default)
 * they sit on 2 MiB pages: the flow table is looked up at random for
 * every packet, and on 4 KiB pages both the page faults while it fills
 * and the TLB misses afterwards were a measurable part of a packet's cost.
 */
#ifndef SW_BIGMEM_H
#define SW_BIGMEM_H

#include <stddef.h>

void	*bigmem_alloc(size_t n);		/* zeroed; NULL if out of memory */
void	 bigmem_free(void *p, size_t n);	/* n as given to bigmem_alloc */

#endif
