/*
 * bigmem.c - see bigmem.h.
 */
#include <stdint.h>
#include <sys/mman.h>

#include "bigmem.h"

#define HUGE_PAGE	(2u << 20)

/* Whole huge pages for large tables, whole base pages for the rest. */
static size_t
rounded(size_t n)
{
	size_t unit = n >= HUGE_PAGE / 2 ? HUGE_PAGE : 4096;

	return (n + unit - 1) / unit * unit;
}

void *
bigmem_alloc(size_t n)
{
	size_t len = rounded(n ? n : 1);
	uint8_t *p, *aligned;
	size_t lead, extra = len >= HUGE_PAGE ? HUGE_PAGE : 0;

	/* map one huge page more, then trim to a 2 MiB boundary */
	p = mmap(NULL, len + extra, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	aligned = extra ? (uint8_t *)(((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1)) : p;
	lead = (size_t)(aligned - p);
	if (lead)
		munmap(p, lead);
	if (extra - lead)
		munmap(aligned + len, extra - lead);
	if (extra)
		madvise(aligned, len, MADV_HUGEPAGE);	/* a hint: fine if refused */
	return aligned;
}

void
bigmem_free(void *p, size_t n)
{
	if (p)
		munmap(p, rounded(n ? n : 1));
}
