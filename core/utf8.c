/*
 * utf8.c - UTF-8 validation and escaping of what is not valid (utf8.h).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"
#include "utf8.h"

size_t
utf8_decode(const unsigned char *s, size_t left, uint32_t *cp)
{
	size_t n;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;	/* a continuation byte, 0xc0/0xc1 (always overlong), 0xf5.. */
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

size_t
utf8_len(const unsigned char *s, size_t left)
{
	uint32_t cp;

	return s[0] == 0 ? 0 : utf8_decode(s, left, &cp);
}

/*
 * Controls act on a terminal instead of showing; the others change how
 * the text around them is displayed without showing themselves (a name
 * that reads differently from what it is).  utf8.h lists them.
 */
bool
utf8_cp_escaped(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c ||
	    (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) || cp == 0x2060 ||
	    (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

size_t
utf8_shown_len(const unsigned char *s, size_t left)
{
	uint32_t cp = 0;
	size_t n;

	if (s[0] == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;	/* ASCII, most of every value: nothing hidden there */
	n = utf8_decode(s, left, &cp);
	return n && utf8_cp_escaped(cp) ? 0 : n;
}

/*
 * Walk s: valid UTF-8 sequences go to keep(), anything else (invalid
 * bytes, NUL) becomes the text "\xHH".  ctl: also control bytes and DEL.
 */
void
utf8_walk(struct sbuf *b, const char *s, size_t len, bool ctl,
    void (*keep)(struct sbuf *, const char *, size_t), const char *hexprefix)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < len; ) {
		size_t n = utf8_shown_len(u + i, len - i);

		if (n == 0 || (ctl && n == 1 && (u[i] < 0x20 || u[i] == 0x7f))) {
			sb_hex(b, u[i], hexprefix);
			i++;
		} else {
			keep(b, s + i, n);
			i += n;
		}
	}
}

char *
utf8_clean(const char *s, size_t len)
{
	struct sbuf b = { 0 };

	utf8_walk(&b, s ? s : "", s ? len : 0, false, sb_putn, "\\");
	return sb_take(&b);
}
