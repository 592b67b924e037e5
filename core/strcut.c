/*
 * strcut.c - formatting that marks a cut (strcut.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "strcut.h"

void
str_copy(char *dst, size_t n, const char *src)
{
	const char *t = src ? src : "(null)";
	size_t len = strlen(t);

	if (len >= n)
		len = n - 1;
	memcpy(dst, t, len);
	dst[len] = '\0';
}

bool
str_cutf(char *dst, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (n == 0)
		return false;
	va_start(ap, fmt);
	r = vsnprintf(dst, n, fmt, ap);
	va_end(ap);
	if (r < 0) {
		dst[0] = '\0';
		return false;
	}
	if ((size_t)r < n)
		return true;
	if (n >= 4)
		memcpy(dst + n - 4, "...", 4);
	return false;
}
