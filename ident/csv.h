/*
 * csv.h - split one line of RFC 4180 CSV in place.
 *
 * Our data files (IEEE registry, vendor tables) are CSV with quoted fields
 * that may hold commas and doubled quotes; none of them has a newline
 * inside a field, so a line is a record.
 */
#ifndef SW_CSV_H
#define SW_CSV_H

#include <stddef.h>

/*
 * Split `line` (modified in place: quotes removed, fields NUL-terminated)
 * into at most max fields.  A trailing CR/LF is dropped.  Returns the
 * number of fields, or -1 for an unterminated quote.
 */
int	 csv_split(char *line, char **fields, int max);

#endif
