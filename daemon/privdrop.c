/*
 * privdrop.c - see privdrop.h (STYLE.md P10: tcpdump droproot, p0f drop_privs).
 */
#include <sys/prctl.h>
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "privdrop.h"

int
privdrop(const char *user, char *err, size_t errsz)
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
	if (setgroups(1, &gid) != 0 || setresgid(gid, gid, gid) != 0 || setresuid(uid, uid, uid) != 0) {
		snprintf(err, errsz, "cannot become user '%s': %s", user, strerror(errno));
		return -1;
	}
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
