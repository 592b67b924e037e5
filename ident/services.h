/*
 * services.h - the service table (oui/services.csv plus the operator's
 * local rows): which vendor's product or cloud service a domain name or an
 * autonomous system stands for, and what kind of service it is.
 *
 * A name matches the row with the longest domain suffix that ends it on a
 * label boundary ("eu5.fusionsolar.huawei.com" matches
 * "fusionsolar.huawei.com" before "huawei.com").  An AS matches its number.
 * The vendor column is a canonical name of the vendor table
 * (ident/vendors.h), which says where that vendor answers to.
 */
#ifndef SW_SERVICES_H
#define SW_SERVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "sw_limits.h"	/* SERVICE_FIELD_MAX */

enum service_kind { SVC_DOMAIN, SVC_ASN };

struct service_row {
	enum service_kind kind;
	char	 pattern[SERVICE_FIELD_MAX];	/* domain suffix, lowercase; "AS136907" */
	uint32_t asn;				/* SVC_ASN */
	char	 service[SERVICE_FIELD_MAX];	/* "FusionSolar" */
	char	 vendor[SERVICE_FIELD_MAX];	/* canonical vendor name */
	char	 category[24];			/* see services.csv */
	char	 source[SERVICE_FIELD_MAX * 2];
	char	 checked[11];
	char	 origin[16];			/* "shipped" or "local" */
	char	 file[256];
	int	 line;
};

struct services;

/*
 * Load the shipped table and, if local is not NULL, the operator's, whose
 * rows replace shipped rows of the same pattern.  NULL with
 * "FILE:LINE: what is wrong" in err on error.
 */
struct services	*services_load(const char *shipped, const char *local, char *err, size_t errsz);
void		 services_free(struct services *s);
size_t		 services_count(const struct services *s);
const struct service_row *services_at(const struct services *s, size_t i);

/* The row a host name falls under, or NULL (case-insensitive, trailing dot ignored). */
const struct service_row *services_match_name(const struct services *s, const char *name);
/* The row of an autonomous system, or NULL. */
const struct service_row *services_match_asn(const struct services *s, uint32_t asn);
/* Is category one the table knows?  ("inverter-cloud", "remote-access", ...) */
bool		 services_category_known(const char *category);

#endif
