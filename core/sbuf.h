/*
 * sbuf.h - a growing string: append, then take the malloc'd result.
 *
 * Out of memory is sticky: later appends do nothing and sb_take() returns
 * NULL, so a caller builds the whole string and checks once.
 *
 * A builder over the caller's storage (SB_FIXED) never allocates, for the
 * capture path: an append that does not fit sets the same sticky flag
 * (sb_failed), and the caller reads b->p and b->len instead of sb_take().
 */
#ifndef SW_SBUF_H
#define SW_SBUF_H

#include <stdbool.h>
#include <stddef.h>

struct sbuf {
	char	*p;
	size_t	 len, cap;
	bool	 oom;	/* out of memory, or out of a fixed buffer */
	bool	 fixed;	/* p is the caller's, cap bytes: never grown nor freed */
};

/* struct sbuf b = SB_FIXED(array): at most sizeof(array) - 1 bytes. */
#define SB_FIXED(mem)	{ .p = (mem), .cap = sizeof(mem), .fixed = true }

void	 sb_putn(struct sbuf *b, const char *s, size_t n);
void	 sb_puts(struct sbuf *b, const char *s);
/* prefix then "xHH": sb_hex(b, 0x1b, "\\") appends \\x1b */
void	 sb_hex(struct sbuf *b, unsigned char c, const char *prefix);
/* Empty again, the failure forgotten; the storage is kept for reuse. */
void	 sb_reset(struct sbuf *b);
/* An append was lost (out of memory, or past a fixed buffer's end). */
bool	 sb_failed(const struct sbuf *b);
/*
 * The string ("" if nothing was appended), or NULL after out of memory.
 * Not for a fixed buffer.
 */
char	*sb_take(struct sbuf *b);

#endif
