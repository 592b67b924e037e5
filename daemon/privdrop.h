/*
 * privdrop.h - give up root once the capture and files are open.
 */
#ifndef SW_PRIVDROP_H
#define SW_PRIVDROP_H

#include <stddef.h>

/*
 * Become `user` (its uid, primary gid and no supplementary groups), set
 * no_new_privs and check that root cannot be regained.  Returns 0, or -1
 * with the reason in err.  Capabilities go with the uid change: none kept.
 */
int	 privdrop(const char *user, char *err, size_t errsz);

#endif
