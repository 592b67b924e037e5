/*
 * dnsname.h - the one reader of DNS-encoded names (RFC 1035 3.1, 4.1.4),
 * shared by the DNS, mDNS, NetBIOS and DHCP dissectors.
 *
 * A name is labels (length byte <= 63, then the bytes) ending in a zero
 * length, or a two-byte pointer 0xC000|offset to a name earlier in the
 * message.  At most DNS_MAX_JUMPS pointers are followed and each must
 * point before the bytes that named it, so a loop ends in a refusal.
 * The decoded name is at most DNS_NAME_MAX bytes.
 */
#ifndef SW_DNSNAME_H
#define SW_DNSNAME_H

#include <stdbool.h>
#include <stddef.h>

#include "cursor.h"

/*
 * Read the name at c into out ("a.b.example", no trailing dot; "" for the
 * root), NUL-terminated.  msg is the whole message, for pointers.  On
 * success c is past the name (past the first pointer when compressed).
 * False on a malformed, looping or too long name; c is then unchanged.
 */
bool	 dnsname_read(const struct cur *msg, struct cur *c, char *out, size_t outsz);

/*
 * As dnsname_read, and *first is the length of the first label (0 for the
 * root): a NetBIOS name is one 32-byte label, whose bytes may hold a '.'.
 */
bool	 dnsname_read_first(const struct cur *msg, struct cur *c, char *out, size_t outsz,
	    size_t *first);

/*
 * A name filling c (a DHCP client FQDN option, RFC 4702 / 4704): as above,
 * and a partial name, whose bytes end after a label without the zero
 * length, is accepted too.  The option is the message pointers refer to.
 */
bool	 dnsname_read_partial(struct cur *c, char *out, size_t outsz);

#endif
