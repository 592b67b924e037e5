/*
 * oui.c - IEEE registry loader and lookup (see oui.h).
 *
 * Files: Registry,Assignment,Organization Name,Organization Address.
 * Assignment is 6 (MA-L), 7 (MA-M) or 9 (MA-S, IAB) hex digits.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "csv.h"
#include "oui.h"
#include "oui_int.h"
#include "sw_limits.h"


static const char *const files[] = { "oui.csv", "mam.csv", "oui36.csv", "iab.csv" };

static bool
is_cc(const char *w, size_t len)
{
	return len == 2 && w[0] >= 'A' && w[0] <= 'Z' && w[1] >= 'A' && w[1] <= 'Z';
}

/* A word of an address. */
struct word {
	const char	*p;
	size_t		 len;
};


static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool
has_digit(const struct word *w)
{
	for (size_t i = 0; i < w->len; i++)
		if (w->p[i] >= '0' && w->p[i] <= '9')
			return true;
	return false;
}

/*
 * The words of an address from its end, as splitting the first
 * CC_ADDR_MAX bytes at blanks would give them, at most CC_WORDS_MAX.
 */
struct words {
	const char	*s, *p;		/* the address; the next word back ends here */
	struct word	 w[4];		/* w[0] the last word, w[1] the one before, ... */
	int		 n;		/* read so far */
	int		 all;		/* -1 until the whole address was split (long ones) */
};

static void
words_init(struct words *ws, const char *address)
{
	size_t len = strnlen(address, CC_ADDR_MAX);
	struct word ring[4];
	const char *p = address, *end = address + len;
	int n = 0;

	ws->s = address;
	ws->p = end;
	ws->n = 0;
	ws->all = -1;
	/* k words take 2k - 1 bytes: only a long address may have more than CC_WORDS_MAX */
	if (len < 2 * CC_WORDS_MAX + 1)
		return;
	for (; n < CC_WORDS_MAX; n++) {
		struct word *x = &ring[n & 3];

		while (p < end && is_blank(*p))
			p++;
		if (p == end)
			break;
		x->p = p;
		while (p < end && !is_blank(*p))
			p++;
		x->len = (size_t)(p - x->p);
	}
	ws->all = n < 4 ? n : 4;
	for (int i = 0; i < ws->all; i++)
		ws->w[i] = ring[(n - 1 - i) & 3];
}

/* The i-th word from the end (0: the last), NULL if there are fewer; i <= n. */
static const struct word *
word_back(struct words *ws, int i)
{
	const char *end;

	if (ws->all >= 0)
		return i < ws->all ? &ws->w[i] : NULL;
	if (i < ws->n)
		return &ws->w[i];
	while (ws->p > ws->s && is_blank(ws->p[-1]))
		ws->p--;
	if (ws->p == ws->s)
		return NULL;
	end = ws->p;
	while (ws->p > ws->s && !is_blank(ws->p[-1]))
		ws->p--;
	ws->w[ws->n] = (struct word){ ws->p, (size_t)(end - ws->p) };
	return &ws->w[ws->n++];
}

/*
 * The address ends with the country code, optionally followed by a postal
 * code ("... Hangzhou Zhejiang CN 310052", "... Stockholm  SE SE-164 80",
 * "...  DE  ").  Take the last two-capital-letter word that is followed
 * only by a postal code.  Some rows put more after it ("FR 92324 CEDEX",
 * "CN Zhejiang", "HK HKSAR", "UNITED GB KINGDOM"): failing the strict
 * rule, take the last two-capital-letter word among the last four.
 * Words are read from the end and only as far as needed: this runs for
 * every row of the registry at start.
 */
void
oui_country_of(const char *address, char out[3])
{
	struct words ws;
	const struct word *w;

	out[0] = '\0';
	words_init(&ws, address);
	for (int i = 0; i < 3 && (w = word_back(&ws, i)) != NULL; i++) {
		if (is_cc(w->p, w->len)) {
			/* what follows must look like a postal code, not more words */
			bool postal = true;

			for (int k = 0; k < i; k++)
				if (ws.w[k].len > 3 && !has_digit(&ws.w[k]))
					postal = false;
			if (postal) {
				memcpy(out, w->p, 2);
				out[2] = '\0';
				return;
			}
		}
	}
	for (int i = 0; i < 4 && (w = word_back(&ws, i)) != NULL; i++)
		if (is_cc(w->p, w->len)) {
			memcpy(out, w->p, 2);
			out[2] = '\0';
			return;
		}
}

static bool
parse_assignment(const char *hex, uint64_t *prefix, uint8_t *bits)
{
	size_t len = strlen(hex);
	uint64_t v = 0;

	if (len != 6 && len != 7 && len != 9)
		return false;
	for (size_t i = 0; i < len; i++) {
		int d = hex_value(hex[i]);

		if (d < 0)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*bits = (uint8_t)(len * 4);
	*prefix = v << (48 - *bits);
	return true;
}

/* The next row's slot at the end of the table (made live by db->n++). */
static struct oui_entry *
next_entry(struct oui_db *db)
{
	if (db->n == db->cap) {
		size_t cap = db->cap ? db->cap * 2 : 65536;
		struct oui_entry *nv = realloc(db->v, cap * sizeof(*nv));

		if (nv == NULL)
			return NULL;
		db->v = nv;
		db->cap = cap;
	}
	return &db->v[db->n];
}

/* Append a name to the pool (NUL-terminated, cut to OUI_ORG_MAX - 1); its offset in *off. */
static bool
pool_add(struct oui_db *db, const char *name, uint32_t *off)
{
	size_t len = strnlen(name, OUI_ORG_MAX - 1);

	db->names_cut += name[len] != '\0';

	if (db->pool_len + len + 1 > db->pool_cap) {
		size_t cap = db->pool_cap ? db->pool_cap * 2 : (1u << 20);
		char *np;

		if (cap > UINT32_MAX || (np = realloc(db->pool, cap)) == NULL)
			return false;
		db->pool = np;
		db->pool_cap = cap;
	}
	memcpy(db->pool + db->pool_len, name, len);
	db->pool[db->pool_len + len] = '\0';
	*off = (uint32_t)db->pool_len;
	db->pool_len += len + 1;
	return true;
}

/* One row into e; 0 if loaded, 1 if it is not a registry row, -1 out of memory. */
static int
parse_row(struct oui_db *db, char *line, struct oui_entry *e)
{
	char *f[5];
	int n = csv_split(line, f, 5);

	if (n < 3)
		return 1;
	memset(e, 0, sizeof(*e));
	if (!parse_assignment(f[1], &e->prefix, &e->bits))
		return 1;
	if (!pool_add(db, f[2], &e->org_off))
		return -1;
	if (n >= 4)
		oui_country_of(f[3], e->country);
	return 0;
}

/* One row (a NUL-terminated line) into the table; false: out of memory. */
static bool
load_row(struct oui_db *db, char *line, long *rows)
{
	struct oui_entry *e;
	int rc;

	if ((e = next_entry(db)) == NULL || (rc = parse_row(db, line, e)) < 0)
		return false;
	if (rc == 0) {
		db->n++;
		(*rows)++;
	}
	return true;
}

#define OUI_LINE	1024		/* a row is at most this less one byte (as fgets cut it) */
#define OUI_READ	(1 << 16)	/* bytes read at a time */

/*
 * Load one CSV; returns rows loaded or -1 (err set).  The file is read
 * 64 KiB at a time (the 3 MB file whole was 750 page faults at start)
 * and its lines are parsed where they lie in the buffer, no copy per
 * line: a line ends at its LF, which becomes its NUL.  A line longer than
 * OUI_LINE - 1 bytes goes on as the next row, cut where fgets(line,
 * OUI_LINE) cut it, and so does a last line without LF: those are copied
 * out to be terminated.
 */
static long
load_csv(struct oui_db *db, const char *path, bool required, char *err, size_t errsz)
{
	static char buf[OUI_READ];
	char line[OUI_LINE];
	size_t have = 0, at = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), lineno = 0;
	bool eof = false;
	long rows = 0;

	if (fd < 0) {
		if (!required && errno == ENOENT)
			return 0;
		snprintf(err, errsz, "%s: %s%s", path, strerror(errno),
		    errno == ENOENT ? " (install Debian's ieee-data package)" : "");
		return -1;
	}
	for (;;) {
		size_t left = have - at, take;
		char *row = buf + at, *nl;
		bool ok;

		nl = memchr(row, '\n', left < OUI_LINE - 1 ? left : OUI_LINE - 1);
		if (nl == NULL && left < OUI_LINE - 1 && !eof) {
			/* the line goes on past the buffer: keep its start, read on */
			ssize_t n;

			memmove(buf, row, left);
			have = left;
			at = 0;
			do
				n = read(fd, buf + have, sizeof(buf) - have);
			while (n < 0 && errno == EINTR);
			if (n < 0) {
				snprintf(err, errsz, "%s: read error: %s", path, strerror(errno));
				close(fd);
				return -1;
			}
			if (n == 0)
				eof = true;
			have += (size_t)n;
			continue;
		}
		if (nl == NULL && left == 0)
			break;				/* end of file */
		if (nl) {
			take = (size_t)(nl - row) + 1;
			*nl = '\0';
		} else {
			take = left < OUI_LINE - 1 ? left : OUI_LINE - 1;
			memcpy(line, row, take);
			line[take] = '\0';
			row = line;
		}
		at += take;
		if (++lineno == 1 && strncmp(row, "Registry,", 9) == 0)
			continue;
		ok = load_row(db, row, &rows);
		if (!ok) {
			snprintf(err, errsz, "%s: out of memory", path);
			close(fd);
			return -1;
		}
	}
	close(fd);
	return rows;
}

int
oui_cmp_block(const void *a, const void *b)
{
	const struct oui_entry *x = a, *y = b;

	if (x->bits != y->bits)
		return x->bits < y->bits ? -1 : 1;
	return x->prefix < y->prefix ? -1 : x->prefix > y->prefix;
}

#define RADIX_BITS	11
#define RADIX_MASK	((1u << RADIX_BITS) - 1)

/* Sort key of a block: the bits above the prefix (which fits in 48), as cmp_block orders them. */
struct sortkey {
	uint64_t	 key;
	uint32_t	 idx;
};

/*
 * Sort by block, keeping the load order of equal blocks (LSD radix sort,
 * stable), then keep the last of equal blocks: the override file is
 * loaded last.  qsort moved the entries through a merge sort; a row is
 * copied once here.
 */
static int
sort_dedupe(struct oui_db *db)
{
	struct sortkey *a = malloc(db->n * sizeof(*a)), *b = malloc(db->n * sizeof(*b)), *t;
	struct oui_entry *out = malloc((db->n ? db->n : 1) * sizeof(*out));
	size_t w = 0;

	if (a == NULL || b == NULL || out == NULL) {
		free(a);
		free(b);
		free(out);
		return -1;
	}
	for (size_t i = 0; i < db->n; i++)
		a[i] = (struct sortkey){ (uint64_t)db->v[i].bits << 48 | db->v[i].prefix, (uint32_t)i };
	/* keys are below 2^54 (bits <= 36 above a 48-bit prefix): five 11-bit digits */
	for (int shift = 0; shift < 55; shift += RADIX_BITS) {
		size_t count[1 << RADIX_BITS];
		size_t pos = 0;

		memset(count, 0, sizeof(count));
		for (size_t i = 0; i < db->n; i++)
			count[a[i].key >> shift & RADIX_MASK]++;
		if (db->n == 0 || count[a[0].key >> shift & RADIX_MASK] == db->n)
			continue;	/* one value in this digit: the order stands */
		for (size_t d = 0; d < sizeof(count) / sizeof(count[0]); d++) {
			size_t c = count[d];

			count[d] = pos;
			pos += c;
		}
		for (size_t i = 0; i < db->n; i++)
			b[count[a[i].key >> shift & RADIX_MASK]++] = a[i];
		t = a, a = b, b = t;
	}
	for (size_t i = 0; i < db->n; i++) {
		if (w > 0 && a[i].key == a[i - 1].key)
			w--;
		out[w++] = db->v[a[i].idx];
	}
	for (size_t i = 0; i < w; i++)		/* the pool no longer moves */
		out[i].org = db->pool + out[i].org_off;
	free(a);
	free(b);
	free(db->v);
	db->v = out;
	db->n = db->cap = w;
	return 0;
}

struct oui_db *
oui_load(const char *dir, const char *override, char *err, size_t errsz)
{
	struct oui_db *db = calloc(1, sizeof(*db));
	char path[1024];
	long total = 0, n;

	if (db == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	if (dir == NULL)
		dir = OUI_DIR_DEFAULT;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		if ((n = load_csv(db, path, i == 0, err, errsz)) < 0) {
			oui_free(db);
			return NULL;
		}
		total += n;
	}
	if (override && (n = load_csv(db, override, false, err, errsz)) < 0) {
		oui_free(db);
		return NULL;
	}
	if (total == 0) {
		snprintf(err, errsz, "%s/oui.csv has no registry rows", dir);
		oui_free(db);
		return NULL;
	}
	if (sort_dedupe(db) != 0) {
		snprintf(err, errsz, "out of memory");
		oui_free(db);
		return NULL;
	}
	return db;
}

void
oui_free(struct oui_db *db)
{
	if (db) {
		free(db->v);
		free(db->pool);
		free(db);
	}
}

size_t oui_count(const struct oui_db *db) { return db ? db->n : 0; }
size_t oui_names_cut(const struct oui_db *db) { return db ? db->names_cut : 0; }

static const struct oui_entry *
find_bits(const struct oui_db *db, uint64_t mac48, uint8_t bits)
{
	struct oui_entry key = { .bits = bits, .prefix = mac48 & ~((1ull << (48 - bits)) - 1) };

	return bsearch(&key, db->v, db->n, sizeof(*db->v), oui_cmp_block);
}

const struct oui_entry *
oui_lookup(const struct oui_db *db, const uint8_t mac[6])
{
	static const uint8_t order[] = { 36, 28, 24 };	/* longest prefix first */
	uint64_t m = 0;

	if (db == NULL)
		return NULL;
	for (int i = 0; i < 6; i++)
		m = m << 8 | mac[i];
	for (size_t i = 0; i < sizeof(order); i++) {
		const struct oui_entry *e = find_bits(db, m, order[i]);

		if (e)
			return e;
	}
	return NULL;
}

int
oui_validate_file(const char *path, size_t *rows, char *err, size_t errsz)
{
	struct oui_db tmp = { 0 };
	long n = load_csv(&tmp, path, true, err, errsz);

	free(tmp.v);
	free(tmp.pool);
	if (n < 0)
		return -1;
	if (n == 0) {
		snprintf(err, errsz, "%s: no IEEE registry rows (expected Registry,Assignment,"
		    "Organization Name,Organization Address)", path);
		return -1;
	}
	*rows = (size_t)n;
	return 0;
}
