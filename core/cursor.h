/*
 * cursor.h - the only way spanwatch reads packet bytes.
 *
 * Every read is checked against what is left.  A failed read returns false,
 * does not advance, and sets the sticky `bad` flag, so a dissector may read
 * several fields and test once (see ../shared/STYLE.md, P1 and P2).
 * Multi-byte values are assembled byte by byte: no casts of packet memory.
 */
#ifndef SW_CURSOR_H
#define SW_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cur {
	const uint8_t	*p;	/* next unread byte */
	size_t		 left;	/* bytes that may still be read */
	bool		 bad;	/* a read ran past the end at least once */
};

static inline struct cur
cur_make(const uint8_t *p, size_t len)
{
	struct cur c = { p, p ? len : 0, false };
	return c;
}

static inline bool
cur_need(struct cur *c, size_t n)
{
	if (c->left < n) {
		c->bad = true;
		return false;
	}
	return true;
}

static inline size_t cur_left(const struct cur *c) { return c->left; }
static inline bool cur_ok(const struct cur *c) { return !c->bad; }

static inline bool
cur_skip(struct cur *c, size_t n)
{
	if (!cur_need(c, n))
		return false;
	c->p += n;
	c->left -= n;
	return true;
}

static inline bool
cur_u8(struct cur *c, uint8_t *v)
{
	if (!cur_need(c, 1))
		return false;
	*v = c->p[0];
	return cur_skip(c, 1);
}

static inline bool
cur_be16(struct cur *c, uint16_t *v)
{
	if (!cur_need(c, 2))
		return false;
	*v = (uint16_t)((unsigned)c->p[0] << 8 | c->p[1]);
	return cur_skip(c, 2);
}

static inline bool
cur_le16(struct cur *c, uint16_t *v)
{
	if (!cur_need(c, 2))
		return false;
	*v = (uint16_t)((unsigned)c->p[1] << 8 | c->p[0]);
	return cur_skip(c, 2);
}

static inline bool
cur_be24(struct cur *c, uint32_t *v)
{
	if (!cur_need(c, 3))
		return false;
	*v = (uint32_t)c->p[0] << 16 | (uint32_t)c->p[1] << 8 | c->p[2];
	return cur_skip(c, 3);
}

static inline bool
cur_le24(struct cur *c, uint32_t *v)
{
	if (!cur_need(c, 3))
		return false;
	*v = (uint32_t)c->p[2] << 16 | (uint32_t)c->p[1] << 8 | c->p[0];
	return cur_skip(c, 3);
}

static inline bool
cur_be32(struct cur *c, uint32_t *v)
{
	if (!cur_need(c, 4))
		return false;
	*v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 |
	    (uint32_t)c->p[2] << 8 | c->p[3];
	return cur_skip(c, 4);
}

static inline bool
cur_le32(struct cur *c, uint32_t *v)
{
	if (!cur_need(c, 4))
		return false;
	*v = (uint32_t)c->p[3] << 24 | (uint32_t)c->p[2] << 16 |
	    (uint32_t)c->p[1] << 8 | c->p[0];
	return cur_skip(c, 4);
}

static inline bool
cur_be64(struct cur *c, uint64_t *v)
{
	uint32_t hi, lo;

	if (!cur_need(c, 8))
		return false;
	cur_be32(c, &hi);
	cur_be32(c, &lo);
	*v = (uint64_t)hi << 32 | lo;
	return true;
}

/* Copy n bytes out (into a caller buffer of at least n bytes). */
static inline bool
cur_copy(struct cur *c, void *dst, size_t n)
{
	if (!cur_need(c, n))
		return false;
	if (n)
		memcpy(dst, c->p, n);
	return cur_skip(c, n);
}

/*
 * Split off the next n bytes as a sub-cursor and advance past them.  The
 * sub-cursor can never read beyond those n bytes: use it to clamp a parser
 * to the length a header claims (STYLE.md P2).
 */
static inline bool
cur_take(struct cur *c, size_t n, struct cur *sub)
{
	if (!cur_need(c, n))
		return false;
	*sub = cur_make(c->p, n);
	return cur_skip(c, n);
}

/* Look ahead without moving: byte at offset off. */
static inline bool
cur_peek_u8(const struct cur *c, size_t off, uint8_t *v)
{
	if (off >= c->left)
		return false;
	*v = c->p[off];
	return true;
}

static inline bool
cur_peek_be16(const struct cur *c, size_t off, uint16_t *v)
{
	if (c->left < 2 || off > c->left - 2)
		return false;
	*v = (uint16_t)((unsigned)c->p[off] << 8 | c->p[off + 1]);
	return true;
}

static inline bool
cur_peek_le16(const struct cur *c, size_t off, uint16_t *v)
{
	if (c->left < 2 || off > c->left - 2)
		return false;
	*v = (uint16_t)((unsigned)c->p[off + 1] << 8 | c->p[off]);
	return true;
}

/* Does the unread data start with the n bytes of s? */
static inline bool
cur_starts_with(const struct cur *c, const void *s, size_t n)
{
	return c->left >= n && memcmp(c->p, s, n) == 0;
}

/*
 * Find byte b in the unread data; returns its offset or (size_t)-1.
 * For text protocols (HTTP, SSH, SSDP) that look for line ends.
 */
static inline size_t
cur_find(const struct cur *c, uint8_t b)
{
	const uint8_t *hit = c->left ? memchr(c->p, b, c->left) : NULL;
	return hit ? (size_t)(hit - c->p) : (size_t)-1;
}

/*
 * How far at has read past from: at must be from, or a copy of it read
 * further (a pointer inside a message: its offset from the message start).
 */
static inline size_t
cur_offset(const struct cur *from, const struct cur *at)
{
	return from->left - at->left;
}

/* The unread bytes, for handing to a sink that copies them (never kept). */
static inline const uint8_t *cur_ptr(const struct cur *c) { return c->p; }

#endif
