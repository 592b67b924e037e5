/*
 * sbuf.c - a growing string (sbuf.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"

/* Room for n more bytes and the NUL; false (and oom) when there is none. */
static bool
grow(struct sbuf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 64;
	char *np;

	if (b->fixed) {
		b->oom = true;
		return false;
	}
	while (cap < b->len + n + 1)
		cap *= 2;
	if ((np = realloc(b->p, cap)) == NULL) {
		b->oom = true;
		return false;
	}
	b->p = np;
	b->cap = cap;
	return true;
}

void
sb_putn(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom || (b->len + n + 1 > b->cap && !grow(b, n)))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
sb_puts(struct sbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

void
sb_hex(struct sbuf *b, unsigned char c, const char *prefix)
{
	char h[16];

	snprintf(h, sizeof(h), "%sx%02x", prefix, c);
	sb_puts(b, h);
}

void
sb_reset(struct sbuf *b)
{
	b->len = 0;
	b->oom = false;
	if (b->p)
		b->p[0] = '\0';
}

bool
sb_failed(const struct sbuf *b)
{
	return b->oom;
}

char *
sb_take(struct sbuf *b)
{
	if (b->oom) {
		free(b->p);
		return NULL;
	}
	if (b->p == NULL)
		return strdup("");
	return b->p;
}
