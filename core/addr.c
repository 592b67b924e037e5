/*
 * addr.c - formatting and classifying addresses.
 */
#include <arpa/inet.h>
#include <stdio.h>

#include "addr.h"

void
mac_fmt(const uint8_t m[6], char out[MAC_STRLEN])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < 6; i++) {
		out[i * 3] = hex[m[i] >> 4];
		out[i * 3 + 1] = hex[m[i] & 15];
		out[i * 3 + 2] = i < 5 ? ':' : '\0';
	}
}

/* Accepts aa:bb:cc:dd:ee:ff, aa-bb-..., and aabb.ccdd.eeff. */
bool
mac_parse(const char *s, uint8_t m[6])
{
	int n = 0, hi = -1;

	for (; *s && n < 6; s++) {
		int v = hex_value(*s);

		if (v < 0) {
			if ((*s == ':' || *s == '-' || *s == '.') && hi < 0)
				continue;
			return false;
		}
		if (hi < 0)
			hi = v;
		else {
			m[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return n == 6 && *s == '\0' && hi < 0;
}

/* Dotted quad by hand: inet_ntop goes through sprintf, and the store formats an IP per observation. */
static void
ip4_fmt(const uint8_t a[4], char *out)
{
	for (int i = 0; i < 4; i++) {
		unsigned v = a[i];

		if (v >= 100)
			*out++ = (char)('0' + v / 100);
		if (v >= 10)
			*out++ = (char)('0' + v / 10 % 10);
		*out++ = (char)('0' + v % 10);
		*out++ = i < 3 ? '.' : '\0';
	}
}

void
ip_fmt(const struct ipaddr *ip, char out[IP_STRLEN])
{
	if (ip->fam == IPFAM_V4)
		ip4_fmt(ip->a, out);
	else if (ip->fam == IPFAM_V6)
		inet_ntop(AF_INET6, ip->a, out, IP_STRLEN);
	else
		out[0] = '\0';
}

bool
ip_parse(const char *s, struct ipaddr *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, ip->a) == 1) {
		ip->fam = IPFAM_V4;
		return true;
	}
	if (inet_pton(AF_INET6, s, ip->a) == 1) {
		ip->fam = IPFAM_V6;
		return true;
	}
	memset(ip, 0, sizeof(*ip));
	return false;
}

bool
ip_is_unicast_host(const struct ipaddr *ip)
{
	const uint8_t *a = ip->a;

	if (ip->fam == IPFAM_V4) {
		if (a[0] == 0 || a[0] == 127 || a[0] >= 224)	/* this-net, loopback, multicast, class E, broadcast */
			return false;
		return true;
	}
	if (ip->fam == IPFAM_V6) {
		static const uint8_t zero[16], loop[16] = { [15] = 1 };

		if (a[0] == 0xff)				/* multicast */
			return false;
		if (memcmp(a, zero, 16) == 0 || memcmp(a, loop, 16) == 0)
			return false;
		return true;
	}
	return false;
}
