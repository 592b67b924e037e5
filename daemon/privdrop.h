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
/*
 * Before the drop: give a file root just created (the database and its
 * -wal/-shm, the control socket) to user and its group, so the daemon can
 * still write it afterwards.  A path that does not exist is skipped.
 */
int	 privdrop_give(const char *user, const char *path, char *err, size_t errsz);

#endif
