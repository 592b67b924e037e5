/*
 * strcut.h - format into a fixed buffer where cutting a long text is what
 * we want (a file:line reference, a sentence for the operator, an error
 * message), not a silent accident.
 *
 * A cut text ends in "..." so nobody reads it as whole, and the caller
 * learns of it.  For a text that must not be cut (a path given to open,
 * unlink or rename) check snprintf's return value and refuse instead.
 */
#ifndef SW_STRCUT_H
#define SW_STRCUT_H

#include <stdbool.h>
#include <stddef.h>

/* true: all of it fitted; false: cut (and marked), or n == 0. */
bool	 str_cutf(char *dst, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * snprintf(dst, n, "%s", src) without the formatter, for columns copied
 * into fixed fields on hot paths (a verdict's evidence, a risk row): cut
 * to fit without a mark, as that snprintf cut, "(null)" for NULL; n > 0.
 */
void	 str_copy(char *dst, size_t n, const char *src);

#endif
