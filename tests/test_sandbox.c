/*
 * test_sandbox.c - after sandbox_enter() the process cannot transmit: IP
 * and packet sockets, connect and addressed sends fail with EPERM, the
 * capture socket takes no send or write; a connected local socket and an
 * exempt (NFQUEUE) socket still work.  With forwarding configured the
 * same holds, and events still reach a collector through the forwarder
 * process; the forwarder's own filter refuses packet sockets, execve and
 * opening files for writing.  Each case runs in a child, since a seccomp
 * filter cannot be taken off again.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "support.h"
#include "fwdproc.h"
#include "sandbox.h"

/* Codes the child exits with: which check failed. */
enum { OK, NO_FILTER, SOCKET_ALLOWED, SENDTO_ALLOWED, CONNECT_ALLOWED, CAP_WRITE_ALLOWED,
	CAP_SEND_ALLOWED, LOCAL_BROKEN, EXEMPT_BROKEN, SENDMSG_ALLOWED };

static int
child(bool nfq_mode)
{
	int cap[2], local[2], nfq[2], udp;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9),
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char err[256], b;
	struct msghdr mh;
	struct iovec iov = { &b, 1 };

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, cap) != 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, local) != 0 ||
	    socketpair(AF_UNIX, SOCK_DGRAM, 0, nfq) != 0 || (udp = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
		return NO_FILTER;
	if (sandbox_enter(nfq_mode ? -1 : cap[0], nfq_mode ? nfq[0] : -1, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return NO_FILTER;
	}
	if (socket(AF_INET6, SOCK_STREAM, 0) >= 0 || errno != EPERM)
		return SOCKET_ALLOWED;
	if (socket(AF_PACKET, SOCK_RAW, 0) >= 0 || errno != EPERM)
		return SOCKET_ALLOWED;
	/* a socket opened before the filter: an addressed send is refused */
	if (sendto(udp, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)) >= 0 || errno != EPERM)
		return SENDTO_ALLOWED;
	if (connect(udp, (struct sockaddr *)&to, sizeof(to)) == 0 || errno != EPERM)
		return CONNECT_ALLOWED;
	if (!nfq_mode && (write(cap[0], "x", 1) >= 0 || errno != EPERM))
		return CAP_WRITE_ALLOWED;
	if (!nfq_mode && (send(cap[0], "x", 1, 0) >= 0 || errno != EPERM))
		return CAP_SEND_ALLOWED;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (sendmsg(local[0], &mh, 0) >= 0 || errno != EPERM)
		return SENDMSG_ALLOWED;
	/* what stays: a connected local socket (control clients, syslog) ... */
	if (write(local[0], "y", 1) != 1 || send(local[0], "y", 1, 0) != 1 || read(local[1], &b, 1) != 1)
		return LOCAL_BROKEN;
	/* ... and the NFQUEUE socket's verdicts */
	if (nfq_mode && (sendmsg(nfq[0], &mh, 0) != 1 || send(nfq[0], "z", 1, 0) != 1))
		return EXEMPT_BROKEN;
	return OK;
}

static void
run_child(bool nfq_mode)
{
	int status;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(child(nfq_mode));
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), OK);
}

START_TEST(live_capture_process_cannot_transmit)
{
	run_child(false);
}
END_TEST

START_TEST(nfqueue_process_sends_only_its_verdicts)
{
	run_child(true);
}
END_TEST

/* A TCP listener on 127.0.0.1 (opened before any filter); its port in *port. */
static int
listener(uint16_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 || listen(fd, 4) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) != 0)
		return -1;
	*port = ntohs(sin.sin_port);
	return fd;
}

/* Run base until the collector's connection has delivered `want`, ~5 s at most. */
static bool
collector_got(struct event_base *base, int lis, const char *want)
{
	static char got[8192];
	size_t len = 0;
	int conn = -1;

	got[0] = '\0';
	for (int i = 0; i < 500 && strstr(got, want) == NULL; i++) {
		struct pollfd pfd = { .fd = conn >= 0 ? conn : lis, .events = POLLIN };
		ssize_t n;

		event_base_loop(base, EVLOOP_NONBLOCK);
		if (poll(&pfd, 1, 10) <= 0)
			continue;
		if (conn < 0) {
			conn = accept(lis, NULL, NULL);
			continue;
		}
		if ((n = read(conn, got + len, sizeof(got) - len - 1)) <= 0)
			break;
		len += (size_t)n;
		got[len] = '\0';
	}
	return strstr(got, want) != NULL;
}

enum { FWD_OK, FWD_NO_START, FWD_NO_FILTER, FWD_CONNECT_ALLOWED, FWD_SENDTO_ALLOWED,
	FWD_SOCKET_ALLOWED, FWD_NOT_DELIVERED };

/* The packet process with a forwarder: it cannot send, the forwarder can. */
static int
forwarding_child(const char *spool)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct fwd_cfg cfg = { .reconnect_s = 1 };
	struct event_base *base = event_base_new();
	struct fwdlink *l;
	char err[256];
	uint16_t port;
	int lis = listener(&port), udp = socket(AF_INET, SOCK_DGRAM, 0), tcp = socket(AF_INET, SOCK_STREAM, 0);

	snprintf(cfg.host, sizeof(cfg.host), "127.0.0.1");
	cfg.port = port;
	snprintf(cfg.spool, sizeof(cfg.spool), "%s", spool);
	snprintf(cfg.hostname, sizeof(cfg.hostname), "sensor-t");
	if (lis < 0 || udp < 0 || tcp < 0 || base == NULL ||
	    (l = fwdlink_start(&cfg, NULL, false, true, err, sizeof(err))) == NULL ||
	    fwdlink_attach(l, base, NULL, NULL) != 0)
		return FWD_NO_START;
	if (sandbox_enter(-1, -1, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return FWD_NO_FILTER;
	}
	to.sin_port = htons(port);
	/* the collector's own address and port: refused from this process */
	if (connect(tcp, (struct sockaddr *)&to, sizeof(to)) == 0 || errno != EPERM)
		return FWD_CONNECT_ALLOWED;
	if (sendto(udp, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)) >= 0 || errno != EPERM)
		return FWD_SENDTO_ALLOWED;
	if (socket(AF_INET, SOCK_STREAM, 0) >= 0 || errno != EPERM)
		return FWD_SOCKET_ALLOWED;
	fwdlink_send(l, 5, 1764374400, "asset_new", NULL, "through the forwarder");
	if (!collector_got(base, lis, "through the forwarder"))
		return FWD_NOT_DELIVERED;
	fwdlink_close(l);
	event_base_free(base);
	return FWD_OK;
}

START_TEST(packet_process_cannot_send_even_when_forwarding)
{
	char spool[] = "/tmp/sw-sandbox-spool-XXXXXX", off[64];
	int status, fd = mkstemp(spool);
	pid_t pid;

	ck_assert_int_ge(fd, 0);
	close(fd);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(forwarding_child(spool));
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), FWD_OK);
	snprintf(off, sizeof(off), "%s.offset", spool);
	unlink(spool);
	unlink(off);
}
END_TEST

enum { FW_OK, FW_NO_FILTER, FW_PACKET_ALLOWED, FW_NETLINK_ALLOWED, FW_RAW_ALLOWED,
	FW_OPEN_WRITE_ALLOWED, FW_EXEC_ALLOWED, FW_INET_BROKEN, FW_READ_BROKEN, FW_UNLINK_ALLOWED };

static int
forwarder_filter_child(const char *path)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char *const argv[] = { (char *)"/bin/true", NULL };
	char err[256];
	uint16_t port;
	int lis = listener(&port), s, fd;

	if (lis < 0 || sandbox_enter_forwarder(err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return FW_NO_FILTER;
	}
	if (socket(AF_PACKET, SOCK_RAW, 0) >= 0 || errno != EPERM)
		return FW_PACKET_ALLOWED;
	if (socket(AF_NETLINK, SOCK_RAW, 0) >= 0 || errno != EPERM)
		return FW_NETLINK_ALLOWED;
	if (socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, 1) >= 0 || errno != EPERM)
		return FW_RAW_ALLOWED;
	if (open(path, O_WRONLY) >= 0 || errno != EPERM ||
	    open(path, O_RDWR | O_APPEND) >= 0 || errno != EPERM ||
	    openat(AT_FDCWD, "/tmp/sw-sandbox-new", O_CREAT | O_RDONLY, 0600) >= 0 || errno != EPERM)
		return FW_OPEN_WRITE_ALLOWED;
	if (unlink(path) == 0 || errno != EPERM)
		return FW_UNLINK_ALLOWED;
	execv(argv[0], argv);
	if (errno != EPERM)
		return FW_EXEC_ALLOWED;
	/* what it is for: a TCP connection to the collector, reading its files */
	to.sin_port = htons(port);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0 || connect(s, (struct sockaddr *)&to, sizeof(to)) != 0)
		return FW_INET_BROKEN;
	if ((fd = open(path, O_RDONLY)) < 0)
		return FW_READ_BROKEN;
	close(fd);
	return FW_OK;
}

START_TEST(forwarder_cannot_capture_exec_or_write_files)
{
	char path[] = "/tmp/sw-sandbox-file-XXXXXX";
	int status, fd = mkstemp(path);
	pid_t pid;

	ck_assert_int_ge(fd, 0);
	close(fd);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(forwarder_filter_child(path));
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	unlink(path);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), FW_OK);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("sandbox");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, live_capture_process_cannot_transmit);
	tcase_add_test(tc, nfqueue_process_sends_only_its_verdicts);
	tcase_add_test(tc, packet_process_cannot_send_even_when_forwarding);
	tcase_add_test(tc, forwarder_cannot_capture_exec_or_write_files);
	suite_add_tcase(s, tc);
	return s;
}
