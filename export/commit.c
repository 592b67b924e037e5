/*
 * commit.c - how the files of an export run become committed, and
 * retention.
 *
 * A run's data files (one, or one per record type for CSV) are written to
 * temporary names, fsync'd, renamed, the directory fsync'd; then the
 * cursor is stored (naming the run) and NAME.sha256 written for each.
 * The .sha256 file is the commit marker the SOC waits for: a data file
 * without one was never committed, and the next run removes it and
 * exports its records again, unless it belongs to the run the cursor
 * names, whose markers are then finished (export_tidy_dir, which also
 * prunes files older than the retention).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "export.h"
#include "export_int.h"
#include "q_export.h"

void (*export_crash_hook)(const char *where);

void
export_crash_point(const char *where)
{
	if (export_crash_hook)
		export_crash_hook(where);
}

int
export_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
export_mkdir_p(const char *dir)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", dir);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0750) != 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	if (mkdir(p, 0750) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* SHA-256 of a file as 64 hex digits. */
static int
sha256_file(const char *path, char hex[65])
{
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	FILE *f = fopen(path, "rbe");
	size_t n;
	int rc = -1;

	if (m && f && EVP_DigestInit_ex(m, EVP_sha256(), NULL) == 1) {
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			EVP_DigestUpdate(m, buf, n);
		if (!ferror(f) && EVP_DigestFinal_ex(m, md, &mdlen) == 1 && mdlen == 32) {
			for (unsigned i = 0; i < mdlen; i++)
				snprintf(hex + 2 * i, 3, "%02x", md[i]);
			rc = 0;
		}
	}
	if (f)
		fclose(f);
	EVP_MD_CTX_free(m);
	return rc;
}

/* Write DIR/NAME.sha256 ("HEX  NAME\n", as sha256sum) durably. */
int
export_write_sha(const char *dir, const char *name, char *err, size_t errsz)
{
	char path[PATH_MAX], tmp[PATH_MAX], hex[65];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (sha256_file(path, hex) != 0) {
		export_set_err(err, errsz, "%s: cannot read back for SHA-256: %s", path, strerror(errno));
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s/.%s.sha256.tmp", dir, name);
	snprintf(path, sizeof(path), "%s/%s.sha256", dir, name);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) < 0 ||
	    (f = fdopen(fd, "w")) == NULL) {
		export_set_err(err, errsz, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fprintf(f, "%s  %s\n", hex, name);
	if (fflush(f) != 0 || fsync(fd) != 0) {
		export_set_err(err, errsz, "%s: %s", tmp, strerror(errno));
		fclose(f);
		unlink(tmp);
		return -1;
	}
	fclose(f);
	if (rename(tmp, path) != 0 || export_fsync_dir(dir) != 0) {
		export_set_err(err, errsz, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static bool
has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcmp(s + n - m, suf) == 0;
}

bool
export_exists_at(const char *dir, const char *name, const char *suffix)
{
	char p[PATH_MAX];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/%s%s", dir, name, suffix);
	return stat(p, &sb) == 0;
}

static void
unlink_at(const char *dir, const char *name)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	unlink(p);
}

/* "YYYYMMDDTHHMMSSZ": the run's stamp in every name it wrote. */
#define STAMP_LEN	16

/*
 * Whether n is a file of the run the cursor names: the same prefix and
 * stamp, so "...-20260101T000000Z-events.csv" belongs to the run whose
 * cursor names "...-20260101T000000Z-assets.csv".
 */
static bool
same_run(const char *n, const struct export_cursor *cur, size_t plen)
{
	size_t stem = plen + STAMP_LEN;

	return cur->found && strlen(cur->file) > stem && strlen(n) > stem &&
	    strncmp(n, cur->file, stem) == 0;
}

/*
 * Before a run, in DIR for this prefix ("spanwatch-SENSOR-FORMAT-"):
 * finish the commit of the cursor's own run (its .sha256 files were not
 * all written), remove data files that have no .sha256 (written by a run
 * that never committed: their records are exported again now), temporary
 * files of a killed run, and files older than keep_days.
 */
void
export_tidy_dir(const char *dir, const char *prefix, const char *ext, const struct export_cursor *cur,
    int keep_days, int64_t now, struct export_result *res)
{
	char dotprefix[300], path[PATH_MAX], dataext[16], shaext[32], err[256];
	DIR *d;
	struct dirent *de;
	struct stat sb;

	snprintf(dotprefix, sizeof(dotprefix), ".%s", prefix);
	snprintf(dataext, sizeof(dataext), ".%s", ext);
	snprintf(shaext, sizeof(shaext), ".%s.sha256", ext);
	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		const char *n = de->d_name;

		if (strncmp(n, dotprefix, strlen(dotprefix)) == 0 && has_suffix(n, ".tmp")) {
			unlink_at(dir, n);
			continue;
		}
		if (strncmp(n, prefix, strlen(prefix)) != 0)
			continue;
		if (has_suffix(n, dataext) && !export_exists_at(dir, n, ".sha256")) {
			if (same_run(n, cur, strlen(prefix)))
				export_write_sha(dir, n, err, sizeof(err));	/* committed, not marked */
			else {
				unlink_at(dir, n);
				res->orphans++;
			}
			continue;
		}
		if (keep_days <= 0 || (!has_suffix(n, dataext) && !has_suffix(n, shaext)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, n);
		if (stat(path, &sb) == 0 && sb.st_mtime < now - (int64_t)keep_days * 86400) {
			unlink(path);
			if (has_suffix(n, dataext))
				res->pruned++;
		}
	}
	closedir(d);
}
