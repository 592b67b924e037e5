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
 * The one rule of which code points no output shows as they are: the
 * store keeps them escaped (obs_sanitize), the export escapes them
 * (utf8_walk), the CLI's terminal, CSV and HTML writers escape them, each
 * in its own notation.  C0 controls and DEL; C1 controls (U+0080-009F);
 * and the invisible characters that hide, join or reorder text without
 * showing themselves: U+061C (Arabic letter mark), U+200B-200F (zero-width
 * space, non-joiner and joiner, direction marks), U+2028-2029 (line and
 * paragraph separators), U+202A-202E (bidi embeddings and overrides),
 * U+2060 (word joiner), U+2066-2069 (bidi isolates) and U+FEFF (zero-width
 * no-break space, byte order mark).
 */
bool	 utf8_cp_escaped(uint32_t cp);

/*
 * As utf8_len, and 0 for a sequence that must not reach a reader as it
 * is: a code point of utf8_cp_escaped() from U+0080 on.  ASCII control
 * bytes count as valid here (1); the callers escape them where their
 * format needs it (obs_sanitize always, utf8_walk with ctl).  Every
 * output escapes the bytes of a 0 as "\xHH" like invalid ones.
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
