/*
 * sandbox.h - the capture process cannot transmit: a seccomp filter.
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
 * Returns 0, or -1 with a sentence in err.
 */
int	 sandbox_enter(int cap_fd, int nfq_fd, char *err, size_t errsz);

#endif
