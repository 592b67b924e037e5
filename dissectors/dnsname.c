/*
 * dnsname.c - DNS name decoding with compression (see dnsname.h).
 */
#include "dnsname.h"
#include "sw_limits.h"

/* Follow a pointer whose first byte was len: *at moves to the target. */
static bool
jump(const struct cur *msg, struct cur *at, uint8_t len, size_t *here)
{
	uint8_t lo = 0;
	size_t off;
	struct cur j = *msg;

	if (!cur_u8(at, &lo))
		return false;
	off = (size_t)(len & 0x3f) << 8 | lo;
	if (off >= *here)	/* pointers go backwards: no loops */
		return false;
	*here = off;
	if (!cur_skip(&j, off))
		return false;
	*at = j;
	return true;
}

static bool
read_name(const struct cur *msg, struct cur *c, char *out, size_t outsz, bool partial,
    size_t *first)
{
	struct cur at = *c, after = *c;
	size_t n = 0, here = cur_offset(msg, c);
	int jumps = 0;
	bool jumped = false;

	if (outsz == 0)
		return false;
	out[0] = '\0';
	for (int labels = 0; labels < 128; labels++) {
		uint8_t len = 0;

		if (!cur_u8(&at, &len)) {
			if (!partial || jumped || n == 0)
				return false;
			*c = at;	/* a partial name: the bytes end after a label */
			out[n] = '\0';
			return true;
		}
		if ((len & 0xc0) == 0xc0) {
			if (++jumps > DNS_MAX_JUMPS)
				return false;
			if (!jumped) {
				after = at;
				cur_skip(&after, 1);
			}
			jumped = true;
			if (!jump(msg, &at, len, &here))
				return false;
			continue;
		}
		if (len & 0xc0)		/* 0x40, 0x80: extended label types, obsolete */
			return false;
		if (len == 0) {
			*c = jumped ? after : at;
			out[n] = '\0';
			return true;
		}
		if (n + len + 2 > outsz || n + len + 1 > DNS_NAME_MAX + 1)
			return false;
		if (n)
			out[n++] = '.';
		else if (first)
			*first = len;
		if (!cur_copy(&at, out + n, len))
			return false;
		n += len;
		here = cur_offset(msg, &at);
	}
	return false;
}

bool
dnsname_read(const struct cur *msg, struct cur *c, char *out, size_t outsz)
{
	return read_name(msg, c, out, outsz, false, NULL);
}

bool
dnsname_read_partial(struct cur *c, char *out, size_t outsz)
{
	return read_name(c, c, out, outsz, true, NULL);
}

bool
dnsname_read_first(const struct cur *msg, struct cur *c, char *out, size_t outsz, size_t *first)
{
	*first = 0;
	return read_name(msg, c, out, outsz, false, first);
}
