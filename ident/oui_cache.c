/*
 * oui_cache.c - the registry as loaded, kept in one file beside the
 * database, so that a start reads it in one go instead of parsing the
 * IEEE CSVs (half of a start's instructions; 15 ms of 30 on a small VM).
 *
 * The file: a header (magic, format, the sources' signature, sizes), the
 * sorted entries as fixed 16-byte records, the names' pool.  It stands
 * only for the exact files it was made from: the signature covers each
 * source's path, device, inode, size and modification time, so a new
 * ieee-data package or an edited override makes it stale, and it is made
 * again.  A file that does not check out (short, cut, an offset outside
 * the pool, entries out of order) is ignored as stale; the CSVs are read.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oui.h"
#include "oui_int.h"
#include "sw_limits.h"

#define CACHE_MAGIC	"spanwatch-oui\n"
#define CACHE_FORMAT	1

struct cache_head {
	char		 magic[16];
	uint32_t	 format;
	uint32_t	 org_max;	/* OUI_ORG_MAX the names were cut to */
	uint64_t	 signature;
	uint64_t	 n, pool_len, names_cut;
};

struct cache_rec {
	uint64_t	 prefix;
	uint32_t	 org_off;
	uint8_t		 bits;
	char		 country[3];
};

static uint64_t
mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

/* What the table is made of: each source's name and identity on disk. */
static uint64_t
sources_signature(const char *dir, const char *override)
{
	static const char *const files[] = { "oui.csv", "mam.csv", "oui36.csv", "iab.csv" };
	uint64_t h = 1469598103934665603ull;
	char path[1024];

	for (size_t i = 0; i <= sizeof(files) / sizeof(files[0]); i++) {
		struct stat st;
		int64_t id[6] = { 0 };

		if (i < sizeof(files) / sizeof(files[0]))
			snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		else
			snprintf(path, sizeof(path), "%s", override ? override : "");
		if (path[0] && stat(path, &st) == 0) {
			id[0] = (int64_t)st.st_dev;
			id[1] = (int64_t)st.st_ino;
			id[2] = (int64_t)st.st_size;
			id[3] = (int64_t)st.st_mtim.tv_sec;
			id[4] = (int64_t)st.st_mtim.tv_nsec;
			id[5] = 1;
		}
		h = mix(h, path, strlen(path) + 1);
		h = mix(h, id, sizeof(id));
	}
	return h;
}

static bool
read_all(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

/* Every entry's name inside the pool, the entries in the table's order. */
static bool
entries_check(const struct oui_db *db)
{
	if (db->pool_len == 0 || db->pool[db->pool_len - 1] != '\0')
		return false;
	for (size_t i = 0; i < db->n; i++) {
		const struct oui_entry *e = &db->v[i];

		if (e->org_off >= db->pool_len || (e->bits != 24 && e->bits != 28 && e->bits != 36) ||
		    e->country[2] != '\0' || (i > 0 && oui_cmp_block(&db->v[i - 1], e) >= 0))
			return false;
	}
	return true;
}

static struct oui_db *
cache_read(const char *path, uint64_t signature)
{
	struct cache_head h;
	struct cache_rec *recs = NULL;
	struct oui_db *db = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (!read_all(fd, &h, sizeof(h)) || memcmp(h.magic, CACHE_MAGIC, sizeof(CACHE_MAGIC) - 1) != 0 ||
	    h.format != CACHE_FORMAT || h.org_max != OUI_ORG_MAX || h.signature != signature ||
	    h.n == 0 || h.n > OUI_CACHE_MAX_ENTRIES || h.pool_len > OUI_CACHE_MAX_POOL)
		goto stale;
	if ((db = calloc(1, sizeof(*db))) == NULL || (recs = malloc(h.n * sizeof(*recs))) == NULL ||
	    (db->v = malloc(h.n * sizeof(*db->v))) == NULL || (db->pool = malloc(h.pool_len + 1)) == NULL)
		goto stale;
	if (!read_all(fd, recs, h.n * sizeof(*recs)) || !read_all(fd, db->pool, h.pool_len))
		goto stale;
	db->n = db->cap = h.n;
	db->pool_len = db->pool_cap = h.pool_len;
	db->names_cut = h.names_cut;
	for (size_t i = 0; i < db->n; i++) {
		struct oui_entry *e = &db->v[i];

		memset(e, 0, sizeof(*e));
		e->prefix = recs[i].prefix;
		e->org_off = recs[i].org_off;
		e->bits = recs[i].bits;
		memcpy(e->country, recs[i].country, sizeof(e->country));
	}
	if (!entries_check(db))
		goto stale;
	for (size_t i = 0; i < db->n; i++)
		db->v[i].org = db->pool + db->v[i].org_off;
	free(recs);
	close(fd);
	return db;
stale:
	free(recs);
	oui_free(db);
	close(fd);
	return NULL;
}

static bool
write_all(int fd, const void *buf, size_t n)
{
	size_t put = 0;

	while (put < n) {
		ssize_t w = write(fd, (const char *)buf + put, n - put);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		put += (size_t)w;
	}
	return true;
}

/* Written beside, then renamed over: a reader sees the old file or the new one, never half. */
static int
cache_write(const char *path, const struct oui_db *db, uint64_t signature, char *err, size_t errsz)
{
	struct cache_head h = { .format = CACHE_FORMAT, .org_max = OUI_ORG_MAX,
	    .signature = signature, .n = db->n, .pool_len = db->pool_len, .names_cut = db->names_cut };
	struct cache_rec *recs = calloc(db->n ? db->n : 1, sizeof(*recs));
	char tmp[1100];
	bool ok;
	int fd;

	memcpy(h.magic, CACHE_MAGIC, sizeof(CACHE_MAGIC) - 1);
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
	if (recs == NULL || (fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		snprintf(err, errsz, "%s: %s", tmp, recs ? strerror(errno) : "out of memory");
		free(recs);
		return -1;
	}
	for (size_t i = 0; i < db->n; i++) {
		recs[i].prefix = db->v[i].prefix;
		recs[i].org_off = (uint32_t)(db->v[i].org - db->pool);
		recs[i].bits = db->v[i].bits;
		memcpy(recs[i].country, db->v[i].country, sizeof(recs[i].country));
	}
	ok = write_all(fd, &h, sizeof(h)) && write_all(fd, recs, db->n * sizeof(*recs)) &&
	    write_all(fd, db->pool, db->pool_len);
	free(recs);
	if (close(fd) != 0 || !ok || rename(tmp, path) != 0) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno ? errno : EIO));
		unlink(tmp);
		return -1;
	}
	return 0;
}

struct oui_db *
oui_load_cached(const char *dir, const char *override, const char *cache, bool *from_cache,
    char *err, size_t errsz)
{
	uint64_t sig = sources_signature(dir ? dir : OUI_DIR_DEFAULT, override);
	struct oui_db *db;
	char werr[1400];

	*from_cache = false;
	err[0] = '\0';
	if (cache == NULL || cache[0] == '\0')
		return oui_load(dir, override, err, errsz);
	if ((db = cache_read(cache, sig)) != NULL) {
		*from_cache = true;
		return db;
	}
	if ((db = oui_load(dir, override, err, errsz)) == NULL)
		return NULL;
	/* a cache that cannot be written costs the next start the parse, nothing more */
	if (cache_write(cache, db, sig, werr, sizeof(werr)) != 0)
		snprintf(err, errsz, "the registry's cache was not written: %s", werr);
	return db;
}
