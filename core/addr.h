/*
 * addr.h - MAC and IP addresses as spanwatch passes them around.
 */
#ifndef SW_ADDR_H
#define SW_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define IPFAM_NONE	0
#define IPFAM_V4	4
#define IPFAM_V6	6

struct ipaddr {
	uint8_t	fam;		/* IPFAM_* */
	uint8_t	a[16];		/* IPv4 in a[0..3], rest zero */
};

/* What a fact is about: a MAC, an IP, or both (the asset model decides). */
struct asset_ref {
	uint8_t		mac[6];		/* all zero when unknown */
	struct ipaddr	ip;		/* fam NONE when unknown */
	uint16_t	vlan;		/* outermost VLAN id, 0 when untagged */
};

/* A hex digit's value, -1 if it is not one (no locale, unlike isxdigit). */
static inline int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#define MAC_STRLEN	18	/* "aa:bb:cc:dd:ee:ff" + NUL */
#define IP_STRLEN	46	/* INET6_ADDRSTRLEN */

static inline bool mac_is_zero(const uint8_t m[6])
{
	uint32_t hi;
	uint16_t lo;

	memcpy(&hi, m, 4);	/* two loads, not six (it runs for every frame) */
	memcpy(&lo, m + 4, 2);
	return (hi | lo) == 0;
}
static inline bool mac_is_group(const uint8_t m[6]) { return m[0] & 1; }	/* broadcast or multicast */
static inline bool mac_is_local(const uint8_t m[6]) { return m[0] & 2; }	/* locally administered */

static inline bool
ip_eq(const struct ipaddr *x, const struct ipaddr *y)
{
	return x->fam == y->fam && memcmp(x->a, y->a, 16) == 0;
}

static inline void
ip_set4(struct ipaddr *ip, const uint8_t v4[4])
{
	memset(ip, 0, sizeof(*ip));
	ip->fam = IPFAM_V4;
	memcpy(ip->a, v4, 4);
}

static inline void
ip_set6(struct ipaddr *ip, const uint8_t v6[16])
{
	ip->fam = IPFAM_V6;
	memcpy(ip->a, v6, 16);
}

void	 mac_fmt(const uint8_t m[6], char out[MAC_STRLEN]);
bool	 mac_parse(const char *s, uint8_t m[6]);
void	 ip_fmt(const struct ipaddr *ip, char out[IP_STRLEN]);
bool	 ip_parse(const char *s, struct ipaddr *ip);
/* Broadcast, multicast, unspecified, loopback: never an asset of its own. */
bool	 ip_is_unicast_host(const struct ipaddr *ip);

#endif
