/*
 * csv.c - see csv.h.
 */
#include <string.h>

#include "csv.h"

int
csv_split(char *line, char **fields, int max)
{
	char *r = line, *w = line;
	int n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	for (;;) {
		if (n == max)
			return n;
		fields[n++] = w;
		if (*r == '"') {
			r++;
			for (;;) {
				if (*r == '\0')
					return -1;
				if (*r == '"' && r[1] == '"') {
					*w++ = '"';
					r += 2;
				} else if (*r == '"') {
					r++;
					break;
				} else
					*w++ = *r++;
			}
			/* text after the closing quote up to the comma is kept, as spreadsheets do */
			while (*r && *r != ',')
				*w++ = *r++;
		} else {
			while (*r && *r != ',')
				*w++ = *r++;
		}
		if (*r == '\0') {
			*w = '\0';
			return n;
		}
		r++;		/* the comma */
		*w++ = '\0';
	}
}
