/*
 * privdrop.h - give up root once the capture and files are open.
 */
#ifndef SW_PRIVDROP_H
#define SW_PRIVDROP_H

#include <stddef.h>
#include <stdint.h>

/*
 * Capabilities kept after the drop: none for a pcap capture (the socket is
 * open), CAP_NET_ADMIN for NFQUEUE, because the kernel checks it on every
 * verdict message (nfnetlink_rcv), not only when the queue is bound.
 */
#define PRIVDROP_KEEP_NONE	0ull
#define PRIVDROP_KEEP_NET_ADMIN	(1ull << 12)	/* CAP_NET_ADMIN */

/*
 * Become `user` (its uid, primary gid and no supplementary groups), keep
 * only the capabilities in `keep` (effective and permitted; ambient and
 * inheritable cleared), set no_new_privs and check that root cannot be
 * regained and that no other capability is left.  Returns 0, or -1 with
 * the reason in err.
 */
int	 privdrop(const char *user, uint64_t keep, char *err, size_t errsz);
/*
 * Already unprivileged (started by systemd as the user, with ambient
 * capabilities): keep only `keep`, clear the ambient set, check.
 */
int	 privdrop_caps(uint64_t keep, char *err, size_t errsz);
/*
 * Before the drop: give a file root just created (the database and its
 * -wal/-shm, the control socket) to user and its group, so the daemon can
 * still write it afterwards.  A path that does not exist is skipped.
 */
int	 privdrop_give(const char *user, const char *path, char *err, size_t errsz);

#endif
