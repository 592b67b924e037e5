/*
 * csv.c - see csv.h.
 */
#include <string.h>

#include "csv.h"

/* Append the n bytes at r to w (they may overlap: w never runs ahead of r). */
static char *
put(char *w, const char *r, size_t n)
{
	if (w != r)
		memmove(w, r, n);
	return w + n;
}

int
csv_split(char *line, char **fields, int max)
{
	char *r = line, *w = line;
	int n = 0;
	size_t k;
	char *nl = strchrnul(line, '\n'), *cr = memchr(line, '\r', (size_t)(nl - line));

	*(cr ? cr : nl) = '\0';	/* the line ends at the first CR or LF */
	for (;;) {
		if (n == max)
			return n;
		fields[n++] = w;
		if (*r == '"') {
			r++;
			for (;;) {
				k = (size_t)(strchrnul(r, '"') - r);
				w = put(w, r, k);
				r += k;
				if (*r == '\0')
					return -1;
				if (r[1] == '"') {
					*w++ = '"';
					r += 2;
				} else {
					r++;
					break;
				}
			}
			/* text after the closing quote up to the comma is kept, as spreadsheets do */
		}
		k = (size_t)(strchrnul(r, ',') - r);
		w = put(w, r, k);
		r += k;
		if (*r == '\0') {
			*w = '\0';
			return n;
		}
		r++;		/* the comma */
		*w++ = '\0';
	}
}
