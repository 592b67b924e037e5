/*
 * obs.c - making observed strings safe to keep.
 *
 * Device strings come off the wire: they may hold NULs, terminal escape
 * sequences, invalid UTF-8 or padding.  We keep a faithful but printable
 * form: valid UTF-8 text passes, everything else becomes "\xHH".
 */
#include "obs.h"

const char *const obs_kind_names[OBS_NKINDS] = { "fact", "addr", "service", "peer", "op" };

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t
utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong, surrogates, beyond U+10FFFF; C1 controls are escaped too */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
	    (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return len;
}

size_t
obs_sanitize(const char *in, size_t inlen, char *out, size_t outsz)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, o = 0, end;

	if (outsz == 0)
		return 0;
	/* A NUL ends the string: fixed-size fields are NUL- or space-padded. */
	for (end = 0; end < inlen && s[end] != 0; end++)
		;
	while (end > 0 && (s[end - 1] == ' ' || s[end - 1] == '\t' ||
	    s[end - 1] == '\r' || s[end - 1] == '\n'))
		end--;
	while (i < end && (s[i] == ' ' || s[i] == '\t'))
		i++;
	while (i < end) {
		size_t n = utf8_seq_len(s + i, end - i);

		if (n == 1 && s[i] >= 0x20 && s[i] != 0x7f && s[i] != '\\') {
			if (o + 1 >= outsz)
				break;
			out[o++] = (char)s[i++];
		} else if (n > 1) {
			if (o + n >= outsz)
				break;
			memcpy(out + o, s + i, n);
			o += n;
			i += n;
		} else if (s[i] == '\\') {
			if (o + 2 >= outsz)
				break;
			out[o++] = '\\';
			out[o++] = '\\';
			i++;
		} else {
			if (o + 4 >= outsz)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[s[i] >> 4];
			out[o++] = hex[s[i] & 15];
			i++;
		}
	}
	out[o] = '\0';
	return o;
}
