/*
 * asinfo.h - who runs an Internet address: country, autonomous system and
 * its name, from the IPFire location database (Debian's libloc and
 * libloc-database; `location update` refreshes it).
 *
 * A lookup walks the database's tree in memory (the file is mapped): cheap,
 * but the store still asks once per endpoint and keeps the answer, never
 * per packet and never on the capture path.
 */
#ifndef SW_ASINFO_H
#define SW_ASINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sw_limits.h"	/* ASINFO_NAME_MAX */

#define ASINFO_DEFAULT_DB	"/var/lib/location/database.db"

struct asinfo;

struct as_answer {
	char		 country[3];		/* ISO 3166 alpha-2, "" if unknown */
	uint32_t	 asn;			/* 0 if none */
	char		 as_name[ASINFO_NAME_MAX];
	char		 network[64];		/* the database's network, "203.0.113.0/24" */
};

/* Open a database file; NULL with a sentence in err. */
struct asinfo	*asinfo_open(const char *path, char *err, size_t errsz);
void		 asinfo_close(struct asinfo *ai);
/* The database's vendor and description, for status lines. */
const char	*asinfo_describe(const struct asinfo *ai);
/* Look up a textual address; false when the database does not know it. */
bool		 asinfo_lookup(struct asinfo *ai, const char *ip, struct as_answer *out);

#endif
