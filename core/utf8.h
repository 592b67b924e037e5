/*
 * utf8.h - UTF-8 validation and escaping of what is not valid.
 *
 * Text read from the database or the wire goes out (export files) as
 * valid UTF-8: valid sequences are kept, anything else becomes the text
 * "\xHH".
 */
#ifndef SW_UTF8_H
#define SW_UTF8_H

#include <stdbool.h>
#include <stddef.h>

struct sbuf;

/* Length of the valid UTF-8 sequence at s (1..4), 0 if invalid or NUL. */
size_t	 utf8_len(const unsigned char *s, size_t left);

/*
 * Walk s: valid UTF-8 sequences go to keep(), anything else (invalid
 * bytes, NUL) becomes hexprefix "xHH".  ctl: also control bytes and DEL.
 */
void	 utf8_walk(struct sbuf *b, const char *s, size_t len, bool ctl,
	    void (*keep)(struct sbuf *, const char *, size_t), const char *hexprefix);

/*
 * A malloc'd copy (NULL only on out of memory; NULL s gives ""): valid
 * UTF-8 kept, invalid bytes and NUL as "\xHH".
 */
char	*utf8_clean(const char *s, size_t len);

#endif
