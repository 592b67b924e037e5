/*
 * fwdproc.c - the forwarder process and the sensor's end of its link
 * (see fwdproc.h).
 *
 * Three parts: the supervisor (forked by the sensor; drops privileges,
 * opens the spool, installs the filter, restarts the worker), the worker
 * (its child: the libevent loop of fwd.c fed from the link) and the
 * sensor's side (a bounded queue in front of the socket, the counters the
 * worker reports).
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "fwdproc.h"
#include "log.h"
#include "privdrop.h"
#include "sandbox.h"
#include "sw_limits.h"

#define LINK_FD		3	/* the forwarder's end of the link, after the fork */
#define WORKER_SETUP	2	/* a worker's exit status: it could not start */

/* What the worker tells the sensor (same binary: a struct as it is). */
struct fwd_report {
	uint32_t	 pid;
	uint32_t	 restarts;
	struct fwd_stats st;
};

struct fwdlink {
	int		 fd;
	pid_t		 pid;		/* the supervisor */
	char		 hostname[256];
	struct evbuffer	*q;		/* 4-byte length + message, waiting for the socket */
	struct event	*ev_read, *ev_write;
	void		(*gone)(void *, const char *);
	void		*gone_arg;
	struct fwd_report cur;		/* the latest report */
	struct fwd_stats prior;		/* summed counters of the workers before it */
	struct fwdlink_stats st;
};

static uint64_t
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static void
describe_status(int status, char *out, size_t outsz)
{
	if (WIFSIGNALED(status))
		snprintf(out, outsz, "was killed by signal %d (%s)", WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	else
		snprintf(out, outsz, "exited with status %d", WEXITSTATUS(status));
}

/* --- the worker ------------------------------------------------------------ */

struct worker {
	struct fwd		*f;
	struct event_base	*base;
	struct fwd_report	 sent;		/* the last report the sensor got */
	unsigned		 restarts;
};

static void
on_link_message(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	char buf[FWD_MSG_MAX + 1];

	(void)what;
	for (int i = 0; i < 256; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n > 0) {
			fwd_append(w->f, buf, (size_t)n);	/* a spool drop is counted there */
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n < 0)
			log_warn("forward: reading from the sensor");
		event_base_loopexit(w->base, NULL);	/* EOF: the sensor is done */
		return;
	}
}

static void
on_report_timer(evutil_socket_t fd, short what, void *arg)
{
	struct worker *w = arg;
	struct fwd_report r = { .pid = (uint32_t)getpid(), .restarts = w->restarts };

	(void)fd, (void)what;
	fwd_get_stats(w->f, &r.st);
	if (memcmp(&r, &w->sent, sizeof(r)) == 0)
		return;
	if (send(LINK_FD, &r, sizeof(r), MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)sizeof(r))
		w->sent = r;	/* else: the next tick tries again */
}

/* The sensor closed the link: give a reachable collector the backlog. */
static void
worker_drain(struct worker *w)
{
	struct fwd_stats fs;

	for (int waited = 0; waited < FWD_DRAIN_MS; waited += 20) {
		fwd_get_stats(w->f, &fs);
		if (fs.backlog_bytes == 0 || (!fs.connected && waited > 500))
			return;
		event_base_loop(w->base, EVLOOP_NONBLOCK);
		usleep(20000);
	}
}

static _Noreturn void
worker_run(const struct fwd_cfg *cfg, int spool_fd, int offset_fd, unsigned restarts,
    pid_t supervisor)
{
	struct worker w = { .restarts = restarts };
	struct event *ev_link, *ev_report;
	char err[512];

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != supervisor)
		_exit(0);
	if ((w.base = event_base_new()) == NULL) {
		log_warnx("forward: cannot create the event loop");
		_exit(WORKER_SETUP);
	}
	if ((w.f = fwd_new_fds(w.base, cfg, spool_fd, offset_fd, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		_exit(WORKER_SETUP);
	}
	ev_link = event_new(w.base, LINK_FD, EV_READ | EV_PERSIST, on_link_message, &w);
	ev_report = event_new(w.base, -1, EV_PERSIST, on_report_timer, &w);
	event_add(ev_link, NULL);
	event_add(ev_report, &(struct timeval){ 0, FWD_REPORT_MS * 1000 });
	on_report_timer(-1, 0, &w);	/* the sensor learns the new pid at once */
	event_base_dispatch(w.base);
	event_free(ev_link);
	worker_drain(&w);
	event_free(ev_report);
	fwd_free(w.f);
	event_base_free(w.base);
	_exit(0);
}

/* --- the supervisor --------------------------------------------------------- */

/*
 * Only what is needed to reach the collector: the daemon's user, no
 * capability, the spool open, then the filter.  The parent-death signal
 * is set after the uid change, which clears it.
 */
static int
supervisor_setup(const struct fwd_cfg *cfg, const char *user, pid_t sensor, int *sfd, int *ofd,
    char *err, size_t errsz)
{
	if (user && geteuid() == 0 && privdrop(user, PRIVDROP_KEEP_NONE, err, errsz) != 0)
		return -1;
	if (fwd_spool_open(cfg->spool, sfd, ofd, err, errsz) != 0)
		return -1;
	if (privdrop_caps(PRIVDROP_KEEP_NONE, err, errsz) != 0)
		return -1;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != sensor) {
		snprintf(err, errsz, "forward: spanwatchd ended before its forwarder started");
		return -1;
	}
	return sandbox_enter_forwarder(err, errsz);
}

static _Noreturn void
supervise(const struct fwd_cfg *cfg, const char *user, bool quiet, pid_t sensor)
{
	unsigned restarts = 0, backoff = 1;
	char err[512], how[96];
	int sfd, ofd, status;

	/* A terminal's ^C or systemd's SIGTERM reach every process: the sensor decides. */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	if (supervisor_setup(cfg, user, sensor, &sfd, &ofd, err, sizeof(err)) != 0) {
		log_warnx("%s; events are not forwarded", err);
		_exit(1);
	}
	if (!quiet)
		log_info("forward: forwarder process %d: seccomp filter on: no packet socket, no "
		    "execve, no open for writing", (int)getpid());
	for (;;) {
		uint64_t started = now_ms();
		pid_t pid = fork();

		if (pid == 0)
			worker_run(cfg, sfd, ofd, restarts, getppid());
		if (pid < 0)
			log_warn("forward: cannot start the forwarder");
		else {
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
				_exit(0);	/* the sensor closed the link */
			describe_status(status, how, sizeof(how));
			if (now_ms() - started > 60000)
				backoff = 1;
			restarts++;
			log_warnx("forward: the forwarder (pid %d) %s; starting it again in %u s "
			    "(restart %u)", (int)pid, how, backoff, restarts);
		}
		sleep(backoff);
		if ((backoff *= 2) > FWD_RESTART_MAX_S)
			backoff = FWD_RESTART_MAX_S;
	}
}

/* The forwarder keeps stdin, stdout, stderr and its end of the link, nothing else. */
static void
keep_only_link(int fd)
{
	if (fd != LINK_FD) {
		dup2(fd, LINK_FD);
		close(fd);
	}
	if (close_range(LINK_FD + 1, ~0u, 0) != 0)
		for (int i = LINK_FD + 1; i < 1024; i++)
			close(i);
}

struct fwdlink *
fwdlink_start(const struct fwd_cfg *cfg, const char *user, bool to_syslog, bool quiet, char *err,
    size_t errsz)
{
	struct fwdlink *l = calloc(1, sizeof(*l));
	pid_t sensor = getpid();
	int sp[2];

	if (l == NULL || (l->q = evbuffer_new()) == NULL ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) != 0) {
		snprintf(err, errsz, "forward: cannot create the link to the forwarder: %s",
		    strerror(errno));
		if (l && l->q)
			evbuffer_free(l->q);
		free(l);
		return NULL;
	}
	fflush(NULL);
	if ((l->pid = fork()) < 0) {
		snprintf(err, errsz, "forward: cannot start the forwarder: %s", strerror(errno));
		close(sp[0]);
		close(sp[1]);
		evbuffer_free(l->q);
		free(l);
		return NULL;
	}
	if (l->pid == 0) {
		close(sp[0]);
		keep_only_link(sp[1]);
		if (to_syslog)
			log_to_syslog(LOG_DAEMON);
		supervise(cfg, user, quiet, sensor);
	}
	close(sp[1]);
	l->fd = sp[0];
	fcntl(l->fd, F_SETFL, fcntl(l->fd, F_GETFL) | O_NONBLOCK);
	snprintf(l->hostname, sizeof(l->hostname), "%s", cfg->hostname);
	l->st.running = true;
	return l;
}

/* --- the sensor's end --------------------------------------------------------- */

static bool
link_send(struct fwdlink *l, const void *msg, size_t len)
{
	return send(l->fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)len;
}

/* Move what waits into the socket, oldest first, while it takes it. */
static void
flush_queue(struct fwdlink *l)
{
	uint32_t len;

	while (evbuffer_get_length(l->q) >= sizeof(len)) {
		unsigned char *p;

		evbuffer_copyout(l->q, &len, sizeof(len));
		if ((p = evbuffer_pullup(l->q, (ev_ssize_t)(sizeof(len) + len))) == NULL ||
		    !link_send(l, p + sizeof(len), len))
			break;
		evbuffer_drain(l->q, sizeof(len) + len);
		l->st.waiting--;
	}
	if (l->ev_write && evbuffer_get_length(l->q) == 0)
		event_del(l->ev_write);
}

static void
on_writable(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what;
	flush_queue(arg);
}

/* A new worker starts its counters at zero: keep the old ones' sums. */
static void
take_report(struct fwdlink *l, const struct fwd_report *r)
{
	if (l->cur.pid != 0 && r->pid != l->cur.pid) {
		l->prior.queued += l->cur.st.queued;
		l->prior.sent += l->cur.st.sent;
		l->prior.dropped += l->cur.st.dropped;
		l->prior.connects += l->cur.st.connects;
		l->prior.connect_failures += l->cur.st.connect_failures;
	}
	l->cur = *r;
}

static void
forwarder_ended(struct fwdlink *l)
{
	char how[96] = "ended";
	int status;

	event_del(l->ev_read);
	event_del(l->ev_write);
	l->st.running = false;
	/* its end closes as it exits: wait a moment for the status */
	for (int i = 0; i < 50; i++) {
		pid_t r = waitpid(l->pid, &status, WNOHANG);

		if (r == l->pid) {
			describe_status(status, how, sizeof(how));
			l->pid = 0;
			break;
		}
		if (r < 0)
			break;
		usleep(10000);
	}
	if (l->gone)
		l->gone(l->gone_arg, how);
}

static void
on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct fwdlink *l = arg;
	struct fwd_report r;

	(void)what;
	for (;;) {
		ssize_t n = recv(fd, &r, sizeof(r), MSG_DONTWAIT);

		if (n == (ssize_t)sizeof(r))
			take_report(l, &r);
		else if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			forwarder_ended(l);
			return;
		} else if (n < 0)
			return;
		/* a report of another size: not ours, ignored */
	}
}

int
fwdlink_attach(struct fwdlink *l, struct event_base *base, void (*gone)(void *, const char *),
    void *arg)
{
	l->gone = gone;
	l->gone_arg = arg;
	l->ev_read = event_new(base, l->fd, EV_READ | EV_PERSIST, on_readable, l);
	l->ev_write = event_new(base, l->fd, EV_WRITE | EV_PERSIST, on_writable, l);
	if (l->ev_read == NULL || l->ev_write == NULL)
		return -1;
	return event_add(l->ev_read, NULL);
}

void
fwdlink_send(struct fwdlink *l, int severity, time_t ts, const char *msgid,
    const char *const *sd, const char *msg)
{
	char body[FWD_MSG_MAX];
	size_t n = fwd_format(body, sizeof(body), severity, ts, l->hostname, msgid, sd, msg);
	uint32_t len = (uint32_t)n;

	if (evbuffer_get_length(l->q) == 0 && link_send(l, body, n)) {
		l->st.queued++;
		return;
	}
	if (evbuffer_get_length(l->q) + sizeof(len) + n > FWD_LINK_QUEUE_BYTES) {
		l->st.dropped_queue++;
		return;
	}
	evbuffer_add(l->q, &len, sizeof(len));
	evbuffer_add(l->q, body, n);
	l->st.queued++;
	l->st.waiting++;
	if (l->ev_write && l->st.running)
		event_add(l->ev_write, NULL);
}

void
fwdlink_get_stats(const struct fwdlink *l, struct fwdlink_stats *st)
{
	*st = l->st;
	st->fwd = l->cur.st;
	st->fwd.queued += l->prior.queued;
	st->fwd.sent += l->prior.sent;
	st->fwd.dropped += l->prior.dropped;
	st->fwd.connects += l->prior.connects;
	st->fwd.connect_failures += l->prior.connect_failures;
	st->reconnects = st->fwd.connects > 1 ? st->fwd.connects - 1 : 0;
	st->pid = l->cur.pid;
	st->restarts = l->cur.restarts;
}

/* Hand the queue to the socket, waiting for room until the deadline. */
static void
flush_until(struct fwdlink *l, uint64_t deadline)
{
	struct pollfd pfd = { .fd = l->fd, .events = POLLOUT };

	flush_queue(l);
	while (l->st.running && evbuffer_get_length(l->q) > 0 && now_ms() < deadline) {
		if (poll(&pfd, 1, 50) > 0 && (pfd.revents & (POLLERR | POLLHUP)))
			break;
		flush_queue(l);
	}
	if (l->st.waiting > 0)
		log_warnx("forward: %llu events the forwarder did not take are not forwarded",
		    (unsigned long long)l->st.waiting);
}

void
fwdlink_close(struct fwdlink *l)
{
	uint64_t deadline = now_ms() + FWD_DRAIN_MS + 1000;
	int status;

	if (l == NULL)
		return;
	flush_until(l, now_ms() + 1000);
	shutdown(l->fd, SHUT_WR);	/* EOF: the forwarder delivers its backlog and ends */
	while (l->pid > 0 && now_ms() < deadline) {
		pid_t r = waitpid(l->pid, &status, WNOHANG);

		if (r == l->pid || r < 0) {
			l->pid = 0;
			break;
		}
		usleep(20000);
	}
	if (l->pid > 0) {	/* its worker goes with it (parent-death signal) */
		kill(l->pid, SIGKILL);
		waitpid(l->pid, &status, 0);
	}
	if (l->ev_read)
		event_free(l->ev_read);
	if (l->ev_write)
		event_free(l->ev_write);
	close(l->fd);
	evbuffer_free(l->q);
	free(l);
}
