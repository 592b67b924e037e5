/*
 * test_sandbox.c - after sandbox_enter() the process cannot transmit: IP
 * and packet sockets, connect and addressed sends fail with EPERM, the
 * capture socket takes no send or write; a connected local socket and an
 * exempt (NFQUEUE) socket still work.  Each case runs in a child, since
 * a seccomp filter cannot be taken off again.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "support.h"
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

Suite *
make_suite(void)
{
	Suite *s = suite_create("sandbox");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, live_capture_process_cannot_transmit);
	tcase_add_test(tc, nfqueue_process_sends_only_its_verdicts);
	suite_add_tcase(s, tc);
	return s;
}
