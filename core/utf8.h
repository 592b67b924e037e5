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
#include <stdint.h>

struct sbuf;

/*
 * The one UTF-8 decoder (the store, the export and the CLI all use it).
 * One sequence at s (left > 0): its length (1-4) and its code point in
 * *cp, or 0 for an invalid, overlong, surrogate, out-of-range or truncated
 * one.  NUL is a valid one-byte sequence here (cp 0); callers decide.
 */
size_t	 utf8_decode(const unsigned char *s, size_t left, uint32_t *cp);

/* Length of the valid UTF-8 sequence at s (1..4), 0 if invalid or NUL. */
size_t	 utf8_len(const unsigned char *s, size_t left);

/*
 * As utf8_len, and 0 for a sequence that must not reach a reader as it
 * is: C1 controls and the invisible format characters that reorder or
 * hide text (U+061C, U+200B-200F, U+202A-202E, U+2066-2069, U+FEFF).
 * Every output escapes those bytes as "\xHH" like invalid ones.
 */
size_t	 utf8_shown_len(const unsigned char *s, size_t left);

/*
 * Walk s: valid, shown UTF-8 sequences (utf8_shown_len) go to keep(),
 * anything else (invalid bytes, NUL, hidden characters) becomes
 * hexprefix "xHH" byte by byte.  ctl: also control bytes and DEL.
 */
void	 utf8_walk(struct sbuf *b, const char *s, size_t len, bool ctl,
	    void (*keep)(struct sbuf *, const char *, size_t), const char *hexprefix);

/*
 * A malloc'd copy (NULL only on out of memory; NULL s gives ""): valid
 * UTF-8 kept, invalid bytes, NUL and hidden characters as "\xHH".
 */
char	*utf8_clean(const char *s, size_t len);

#endif
