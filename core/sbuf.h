/*
 * sbuf.h - a growing string: append, then take the malloc'd result.
 *
 * Out of memory is sticky: later appends do nothing and sb_take() returns
 * NULL, so a caller builds the whole string and checks once.
 */
#ifndef SW_SBUF_H
#define SW_SBUF_H

#include <stdbool.h>
#include <stddef.h>

struct sbuf {
	char	*p;
	size_t	 len, cap;
	bool	 oom;
};

void	 sb_putn(struct sbuf *b, const char *s, size_t n);
void	 sb_puts(struct sbuf *b, const char *s);
/* prefix then "xHH": sb_hex(b, 0x1b, "\\") appends \\x1b */
void	 sb_hex(struct sbuf *b, unsigned char c, const char *prefix);
/* The string ("" if nothing was appended), or NULL after out of memory. */
char	*sb_take(struct sbuf *b);

#endif
