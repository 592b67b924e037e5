/*
 * sandbox.c - "never transmits" as a mechanism, not a promise.
 *
 * Once the capture is open the process needs no way to put a packet on
 * the monitored network, so a seccomp filter (Debian's libseccomp) takes
 * it away; a call it refuses fails with EPERM:
 *  - socket() of the IPv4, IPv6 and packet families, and connect();
 *  - sendmsg() and sendmmsg(), except on the NFQUEUE netlink socket
 *    (libnetfilter_queue sends its verdicts with sendmsg/sendto);
 *  - sendto() with a destination address, except on that netlink socket,
 *    and any send, write or writev on the capture socket (a packet socket
 *    bound to the interface transmits what is written to it);
 *  - setsockopt(PACKET_TX_RING) on the capture socket.
 * What stays: the local UNIX sockets already connected or accepted (the
 * control socket's clients; syslog, whose socket is connected before the
 * filter with LOG_NDELAY), sendto() without an address on them, files.
 * The filter is a deny list on top of the privilege drop (no capability,
 * no_new_privs): every call that can emit a frame is on it.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <seccomp.h>

#include "sandbox.h"

#define DENY	SCMP_ACT_ERRNO(EPERM)
/* SCMP_An(op, a, 0): datum_b (used by SCMP_CMP_MASKED_EQ only) given, so every field is initialised */

static int
deny_sockets(scmp_filter_ctx ctx)
{
	static const int fams[] = { AF_INET, AF_INET6, AF_PACKET };

	for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]); i++)
		if (seccomp_rule_add(ctx, DENY, SCMP_SYS(socket), 1,
		    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fams[i], 0)) != 0)
			return -1;
	return seccomp_rule_add(ctx, DENY, SCMP_SYS(connect), 0);
}

static int
deny_sends(scmp_filter_ctx ctx, int nfq_fd)
{
	/* no fd is (scmp_datum_t)-1: "except the netlink socket" then excepts nothing */
	scmp_datum_t nl = nfq_fd >= 0 ? (scmp_datum_t)nfq_fd : (scmp_datum_t)-1;

	if (seccomp_rule_add(ctx, DENY, SCMP_SYS(sendmmsg), 0) != 0 ||
	    seccomp_rule_add(ctx, DENY, SCMP_SYS(sendmsg), 1, SCMP_A0(SCMP_CMP_NE, nl, 0)) != 0 ||
	    seccomp_rule_add(ctx, DENY, SCMP_SYS(sendto), 2, SCMP_A0(SCMP_CMP_NE, nl, 0),
	    SCMP_A4(SCMP_CMP_NE, 0, 0)) != 0)
		return -1;
	return 0;
}

static int
deny_capture_tx(scmp_filter_ctx ctx, int cap_fd)
{
	scmp_datum_t fd = (scmp_datum_t)cap_fd;

	if (cap_fd < 0)
		return 0;
	if (seccomp_rule_add(ctx, DENY, SCMP_SYS(sendto), 1, SCMP_A0(SCMP_CMP_EQ, fd, 0)) != 0 ||
	    seccomp_rule_add(ctx, DENY, SCMP_SYS(write), 1, SCMP_A0(SCMP_CMP_EQ, fd, 0)) != 0 ||
	    seccomp_rule_add(ctx, DENY, SCMP_SYS(writev), 1, SCMP_A0(SCMP_CMP_EQ, fd, 0)) != 0 ||
	    seccomp_rule_add(ctx, DENY, SCMP_SYS(setsockopt), 3, SCMP_A0(SCMP_CMP_EQ, fd, 0),
	    SCMP_A1(SCMP_CMP_EQ, SOL_PACKET, 0), SCMP_A2(SCMP_CMP_EQ, PACKET_TX_RING, 0)) != 0)
		return -1;
	return 0;
}

/* The filter must refuse what it is for; if it does not, do not run. */
static int
self_check(int cap_fd, char *err, size_t errsz)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s >= 0 || errno != EPERM) {
		snprintf(err, errsz, "sandbox: socket(AF_INET) was not refused (%s)",
		    s >= 0 ? "it succeeded" : strerror(errno));
		if (s >= 0)
			close(s);
		return -1;
	}
	if (cap_fd >= 0 && (send(cap_fd, "", 0, 0) != -1 || errno != EPERM)) {
		snprintf(err, errsz, "sandbox: a send on the capture socket was not refused");
		return -1;
	}
	return 0;
}

int
sandbox_enter(int cap_fd, int nfq_fd, char *err, size_t errsz)
{
	scmp_filter_ctx ctx;
	int rc;

	/*
	 * One or the other: libseccomp mis-combines an "fd != N" rule with an
	 * "fd == M" rule on the same call (a live capture has no NFQUEUE).
	 */
	if (cap_fd >= 0 && nfq_fd >= 0) {
		snprintf(err, errsz, "sandbox: a capture socket and an NFQUEUE socket at once");
		return -1;
	}
	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL) {
		snprintf(err, errsz, "sandbox: seccomp_init failed");
		return -1;
	}
	/*
	 * The filter binds the calling thread and the threads it starts from
	 * now on: the daemon calls this before it starts any (TSYNC would
	 * cover threads started earlier, but needs the seccomp() call, which
	 * valgrind does not know, and the benchmark profiles under it).
	 */
	if (deny_sockets(ctx) != 0 || deny_sends(ctx, nfq_fd) != 0 ||
	    deny_capture_tx(ctx, cap_fd) != 0) {
		snprintf(err, errsz, "sandbox: cannot build the seccomp filter");
		seccomp_release(ctx);
		return -1;
	}
	rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0) {
		snprintf(err, errsz, "sandbox: cannot load the seccomp filter: %s", strerror(-rc));
		return -1;
	}
	return self_check(cap_fd, err, errsz);
}

/* --- the forwarder's filter ------------------------------------------------- */

/*
 * The forwarder (daemon/fwdproc.c) needs IPv4/IPv6 stream sockets to the
 * collector (and UDP for a name lookup) and a local one to syslog; no
 * other family, no raw socket.
 */
static int
fwd_deny_sockets(scmp_filter_ctx ctx)
{
	static const int inet[] = { AF_INET, AF_INET6 };

	for (int fam = 0; fam < AF_MAX; fam++)
		if (fam != AF_UNIX && fam != AF_INET && fam != AF_INET6 &&
		    seccomp_rule_add(ctx, DENY, SCMP_SYS(socket), 1,
		    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)fam, 0)) != 0)
			return -1;
	for (size_t i = 0; i < 2; i++)
		if (seccomp_rule_add(ctx, DENY, SCMP_SYS(socket), 2,
		    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)inet[i], 0),
		    SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, SOCK_RAW)) != 0 ||
		    seccomp_rule_add(ctx, DENY, SCMP_SYS(socket), 2,
		    SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)inet[i], 0),
		    SCMP_A1(SCMP_CMP_MASKED_EQ, 0xf, SOCK_PACKET)) != 0)
			return -1;
	return 0;
}

/* open() and openat() for anything but reading: one rule per flag bit. */
static int
fwd_deny_open_write(scmp_filter_ctx ctx)
{
	static const scmp_datum_t bits[] = { O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND };

	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (seccomp_rule_add(ctx, DENY, SCMP_SYS(open), 1,
		    SCMP_A1(SCMP_CMP_MASKED_EQ, bits[i], bits[i])) != 0 ||
		    seccomp_rule_add(ctx, DENY, SCMP_SYS(openat), 1,
		    SCMP_A2(SCMP_CMP_MASKED_EQ, bits[i], bits[i])) != 0)
			return -1;
	return 0;
}

/* Calls the forwarder never makes: running a program, changing names on disk. */
static int
fwd_deny_calls(scmp_filter_ctx ctx)
{
	static const int calls[] = { SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(ptrace),
	    SCMP_SYS(process_vm_writev), SCMP_SYS(creat), SCMP_SYS(openat2), SCMP_SYS(truncate),
	    SCMP_SYS(unlink), SCMP_SYS(unlinkat), SCMP_SYS(rename), SCMP_SYS(renameat),
	    SCMP_SYS(renameat2), SCMP_SYS(link), SCMP_SYS(linkat), SCMP_SYS(symlink),
	    SCMP_SYS(symlinkat), SCMP_SYS(mkdir), SCMP_SYS(mkdirat), SCMP_SYS(rmdir),
	    SCMP_SYS(mknod), SCMP_SYS(mknodat), SCMP_SYS(chmod), SCMP_SYS(fchmodat) };

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (seccomp_rule_add(ctx, DENY, calls[i], 0) != 0)
			return -1;
	return 0;
}

static int
fwd_self_check(char *err, size_t errsz)
{
	int s = socket(AF_PACKET, SOCK_RAW, 0);
	int fd;

	if (s >= 0 || errno != EPERM) {
		snprintf(err, errsz, "sandbox: forwarder: socket(AF_PACKET) was not refused (%s)",
		    s >= 0 ? "it succeeded" : strerror(errno));
		if (s >= 0)
			close(s);
		return -1;
	}
	if ((fd = open("/dev/null", O_WRONLY)) >= 0 || errno != EPERM) {
		snprintf(err, errsz, "sandbox: forwarder: open for writing was not refused (%s)",
		    fd >= 0 ? "it succeeded" : strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return 0;
}

int
sandbox_enter_forwarder(char *err, size_t errsz)
{
	scmp_filter_ctx ctx;
	int rc;

	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL) {
		snprintf(err, errsz, "sandbox: seccomp_init failed");
		return -1;
	}
	if (fwd_deny_sockets(ctx) != 0 || fwd_deny_open_write(ctx) != 0 ||
	    fwd_deny_calls(ctx) != 0) {
		snprintf(err, errsz, "sandbox: cannot build the forwarder's seccomp filter");
		seccomp_release(ctx);
		return -1;
	}
	rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0) {
		snprintf(err, errsz, "sandbox: cannot load the forwarder's seccomp filter: %s",
		    strerror(-rc));
		return -1;
	}
	return fwd_self_check(err, errsz);
}
