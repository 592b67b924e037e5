/*
 * privdrop.c - see privdrop.h (STYLE.md P10: tcpdump droproot, p0f drop_privs).
 */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <linux/capability.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "privdrop.h"

/* The capability sets as two 32-bit halves (no libcap for two calls). */
static int
caps_get(uint64_t *eff, uint64_t *prm)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) != 0)
		return -1;
	*eff = (uint64_t)d[1].effective << 32 | d[0].effective;
	*prm = (uint64_t)d[1].permitted << 32 | d[0].permitted;
	return 0;
}

static int
caps_set(uint64_t keep)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	d[0].effective = d[0].permitted = (uint32_t)keep;
	d[1].effective = d[1].permitted = (uint32_t)(keep >> 32);
	return (int)syscall(SYS_capset, &h, d);
}

int
privdrop_caps(uint64_t keep, char *err, size_t errsz)
{
	uint64_t eff = ~0ull, prm = ~0ull;

	/* ambient capabilities (systemd's AmbientCapabilities=) would pass to children */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
		snprintf(err, errsz, "cannot clear ambient capabilities: %s", strerror(errno));
		return -1;
	}
	if (caps_set(keep) != 0) {
		snprintf(err, errsz, "cannot set capabilities to %#llx: %s",
		    (unsigned long long)keep, strerror(errno));
		return -1;
	}
	if (caps_get(&eff, &prm) != 0 || eff != keep || prm != keep) {
		snprintf(err, errsz, "capabilities still %#llx after dropping to %#llx",
		    (unsigned long long)prm, (unsigned long long)keep);
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		snprintf(err, errsz, "cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
privdrop(const char *user, uint64_t keep, char *err, size_t errsz)
{
	struct passwd *pw;
	uid_t uid;
	gid_t gid;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		snprintf(err, errsz, "user '%s' does not exist: create it (the Debian package does: "
		    "adduser --system --group spanwatch) or name another with -u", user);
		return -1;
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (uid == 0) {
		snprintf(err, errsz, "refusing to run as '%s': it is root", user);
		return -1;
	}
	/* keep the permitted set across the uid change only if something is to be kept */
	if (keep && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) {
		snprintf(err, errsz, "cannot keep capabilities: %s", strerror(errno));
		return -1;
	}
	if (setgroups(1, &gid) != 0 || setresgid(gid, gid, gid) != 0 || setresuid(uid, uid, uid) != 0) {
		snprintf(err, errsz, "cannot become user '%s': %s", user, strerror(errno));
		return -1;
	}
	if (keep)
		prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	if (privdrop_caps(keep, err, errsz) != 0)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		snprintf(err, errsz, "cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	/* Verify: the ids took, and root cannot be regained. */
	if (geteuid() != uid || getegid() != gid || setuid(0) != -1 || setgid(0) != -1) {
		snprintf(err, errsz, "still privileged after dropping to '%s'", user);
		return -1;
	}
	return 0;
}

int
privdrop_give(const char *user, const char *path, char *err, size_t errsz)
{
	struct passwd *pw;

	if ((pw = getpwnam(user)) == NULL) {
		snprintf(err, errsz, "user '%s' does not exist", user);
		return -1;
	}
	if (chown(path, pw->pw_uid, pw->pw_gid) != 0 && errno != ENOENT) {
		snprintf(err, errsz, "cannot give %s to '%s': %s", path, user, strerror(errno));
		return -1;
	}
	return 0;
}
