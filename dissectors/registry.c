/*
 * registry.c - the one list of dissectors.
 *
 * Order matters only for heuristic probing of flows on unknown ports:
 * cheaper and stricter probes first.  Port lookups consider all entries.
 */
#include <string.h>

#include "dissector.h"

const struct dissector *const dissectors[] = {
	NULL
};

const size_t n_dissectors = sizeof(dissectors) / sizeof(dissectors[0]) - 1;

int
dissector_index(const char *name)
{
	for (size_t i = 0; i < n_dissectors; i++)
		if (strcmp(dissectors[i]->name, name) == 0)
			return (int)i;
	return -1;
}
