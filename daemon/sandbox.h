/*
 * sandbox.h - the capture process cannot transmit, the forwarder cannot
 * capture: seccomp filters.
 */
#ifndef SW_SANDBOX_H
#define SW_SANDBOX_H

#include <stddef.h>

/*
 * Install the filter (libseccomp) once the capture, the database and the
 * control socket are open and privileges are dropped.  cap_fd is the
 * capture socket (-1 for a file), nfq_fd the NFQUEUE netlink socket whose
 * verdicts must still go out (-1 if none); one of them is -1.  Then it
 * checks itself: a
 * socket(AF_INET) and a send on the capture socket must fail with
 * EPERM.
 * Binds the calling thread and every thread it starts afterwards: call
 * it before starting any.  Returns 0, or -1 with a sentence in err.
 */
int	 sandbox_enter(int cap_fd, int nfq_fd, char *err, size_t errsz);

/*
 * The forwarder's filter (daemon/fwdproc.c), installed once its spool is
 * open: no socket but UNIX, IPv4 and IPv6 (and no raw one), no open() for
 * writing, no execve, no renaming or removing files.  Checked: a packet
 * socket and an open of /dev/null for writing fail with EPERM.
 */
int	 sandbox_enter_forwarder(char *err, size_t errsz);

#endif
