/*
 * registry.c - the one list of dissectors.
 *
 * Order matters only for heuristic probing of flows on unknown ports:
 * cheaper and stricter probes first.  Port lookups consider all entries.
 */
#include <string.h>

#include "dissector.h"

extern const struct dissector dis_dnp3;
extern const struct dissector dis_iec104;
extern const struct dissector dis_modbus;

const struct dissector *const dissectors[] = {
	&dis_dnp3,
	&dis_iec104,
	&dis_modbus,
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
