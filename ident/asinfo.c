/*
 * asinfo.c - libloc lookups (see asinfo.h).  libloc is the library made
 * for the IPFire location database; Debian ships both.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libloc/as.h>
#include <libloc/database.h>
#include <libloc/libloc.h>
#include <libloc/network.h>

#include "asinfo.h"

struct asinfo {
	struct loc_ctx		*ctx;
	struct loc_database	*db;
	char			 desc[256];
};

struct asinfo *
asinfo_open(const char *path, char *err, size_t errsz)
{
	struct asinfo *ai = calloc(1, sizeof(*ai));
	FILE *f;

	if (ai == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s: %s (install libloc-database, or set [site] location_db)",
		    path, strerror(errno));
		free(ai);
		return NULL;
	}
	if (loc_new(&ai->ctx) != 0 || loc_database_new(ai->ctx, &ai->db, f) != 0) {
		snprintf(err, errsz, "%s: not a location database libloc can read", path);
		fclose(f);
		asinfo_close(ai);
		return NULL;
	}
	fclose(f);		/* libloc maps what it needs */
	snprintf(ai->desc, sizeof(ai->desc), "%s (%s)", path,
	    loc_database_get_vendor(ai->db) ? loc_database_get_vendor(ai->db) : "unknown vendor");
	return ai;
}

void
asinfo_close(struct asinfo *ai)
{
	if (ai == NULL)
		return;
	if (ai->db)
		loc_database_unref(ai->db);
	if (ai->ctx)
		loc_unref(ai->ctx);
	free(ai);
}

const char *
asinfo_describe(const struct asinfo *ai)
{
	return ai ? ai->desc : "";
}

bool
asinfo_lookup(struct asinfo *ai, const char *ip, struct as_answer *out)
{
	struct loc_network *net = NULL;
	struct loc_as *as = NULL;
	const char *cc, *s;

	memset(out, 0, sizeof(*out));
	if (ai == NULL || loc_database_lookup_from_string(ai->db, ip, &net) != 0 || net == NULL)
		return false;
	if ((cc = loc_network_get_country_code(net)) != NULL && strlen(cc) == 2)
		snprintf(out->country, sizeof(out->country), "%s", cc);
	out->asn = loc_network_get_asn(net);
	if ((s = loc_network_str(net)) != NULL)
		snprintf(out->network, sizeof(out->network), "%s", s);
	if (out->asn && loc_database_get_as(ai->db, &as, out->asn) == 0 && as) {
		if ((s = loc_as_get_name(as)) != NULL)
			snprintf(out->as_name, sizeof(out->as_name), "%s", s);
		loc_as_unref(as);
	}
	loc_network_unref(net);
	return true;
}
