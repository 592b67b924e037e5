/*
 * fwdproc.h - the syslog forwarder in a process of its own.
 *
 * The process that reads packets cannot send any (sandbox.c), so the
 * forwarder, which must reach the SOC's collector, runs apart, in the
 * OpenBSD manner: forked at start, before the capture, the database and
 * the control socket are opened, it never holds them.  It drops to the
 * daemon's user, opens its spool, installs its own seccomp filter
 * (sandbox_enter_forwarder: no packet socket, no execve, no open for
 * writing) and then runs the forwarder (fwd.c) in a child it starts again
 * when it dies (after 1 s, doubling up to FWD_RESTART_MAX_S).
 *
 * The sensor formats each event as an RFC 5424 message and sends it over
 * a SOCK_SEQPACKET socketpair, one message a datagram; when the socket is
 * full the messages wait in a bounded queue (FWD_LINK_QUEUE_BYTES),
 * beyond it they are dropped and counted.  The forwarder appends them to
 * its spool, so a collector that is away loses nothing, and sends its
 * counters back (at most every FWD_REPORT_MS) for `status`.
 *
 * Lifetimes: the forwarder ends when the sensor closes the link (EOF,
 * after delivering its backlog for up to FWD_DRAIN_MS) or dies
 * (PR_SET_PDEATHSIG).  If the forwarder's supervising process ends, the
 * sensor sees EOF and calls gone(): spanwatchd stops with an error, and
 * systemd starts it again.
 */
#ifndef SW_FWDPROC_H
#define SW_FWDPROC_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "fwd.h"

struct event_base;
struct fwdlink;

struct fwdlink_stats {
	uint64_t	 queued;	/* messages the sensor handed to the forwarder */
	uint64_t	 waiting;	/* of them, still in the sensor's queue */
	uint64_t	 dropped_queue;	/* that queue was full */
	struct fwd_stats fwd;		/* the forwarder's counters, summed over its restarts */
	uint64_t	 reconnects;	/* connections to the collector after the first */
	uint32_t	 pid;		/* the forwarder at work (0: none reported yet) */
	uint32_t	 restarts;	/* times it died and was started again */
	bool		 running;	/* the link is up */
};

/*
 * Fork the forwarder; call it before anything else is opened, with the
 * privileges the daemon started with.  user: drop to it (NULL: stay, with
 * no capability); to_syslog: log to syslog instead of stderr; quiet: do
 * not log that the filter is on (-r).  Returns the sensor's end, or NULL
 * with the reason in err.  The forwarder never returns from here.
 */
struct fwdlink	*fwdlink_start(const struct fwd_cfg *cfg, const char *user, bool to_syslog,
		    bool quiet, char *err, size_t errsz);
/* Watch the link on base; gone(arg, why) once if the forwarder ends. */
int		 fwdlink_attach(struct fwdlink *l, struct event_base *base,
		    void (*gone)(void *arg, const char *why), void *arg);
/* One event, as fwd_send() takes it; never blocks. */
void		 fwdlink_send(struct fwdlink *l, int severity, time_t ts, const char *msgid,
		    const char *const *sd, const char *msg);
void		 fwdlink_get_stats(const struct fwdlink *l, struct fwdlink_stats *st);
/*
 * Hand over what waits, close the link, and give the forwarder
 * FWD_DRAIN_MS (and a second) to deliver its backlog and end; then it is
 * killed.  What it did not deliver stays in the spool.
 */
void		 fwdlink_close(struct fwdlink *l);

#endif
