/*
 * obs.c - making observed strings safe to keep.
 *
 * Device strings come off the wire: they may hold NULs, terminal escape
 * sequences, invalid UTF-8 or padding.  We keep a faithful but printable
 * form: valid UTF-8 text passes, everything else (and the characters that
 * would hide or reorder text on a screen, utf8_shown_len) becomes "\xHH".
 */
#include "obs.h"
#include "utf8.h"

const char *const obs_kind_names[OBS_NKINDS] = { "fact", "addr", "service", "peer", "op" };

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
		size_t n;

		/* printable ASCII, nearly every byte of every value: no decoding */
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\') {
			if (o + 1 >= outsz)
				break;
			out[o++] = (char)s[i++];
			continue;
		}
		/* else a control byte, DEL, a backslash, or not ASCII (never 1 byte then) */
		n = s[i] < 0x80 ? 1 : utf8_shown_len(s + i, end - i);
		if (n > 1) {
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
