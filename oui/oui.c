/*
 * oui.c - IEEE registry loader and lookup (see oui.h).
 *
 * Files: Registry,Assignment,Organization Name,Organization Address.
 * Assignment is 6 (MA-L), 7 (MA-M) or 9 (MA-S, IAB) hex digits.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "oui.h"

struct oui_db {
	struct oui_entry *v;
	size_t		 n, cap;
};

static const char *const files[] = { "oui.csv", "mam.csv", "oui36.csv", "iab.csv" };

static bool
is_cc(const char *w)
{
	return strlen(w) == 2 && isupper((unsigned char)w[0]) && isupper((unsigned char)w[1]);
}

/*
 * The address ends with the country code, optionally followed by a postal
 * code ("... Hangzhou Zhejiang CN 310052", "... Stockholm  SE SE-164 80",
 * "...  DE  ").  Take the last two-capital-letter word that is followed
 * only by a postal code.  Some rows put more after it ("FR 92324 CEDEX",
 * "CN Zhejiang", "HK HKSAR", "UNITED GB KINGDOM"): failing the strict
 * rule, take the last two-capital-letter word among the last four.
 */
void
oui_country_of(const char *address, char out[3])
{
	char buf[512], *w[64], *save = NULL, *t;
	int n = 0;

	out[0] = '\0';
	snprintf(buf, sizeof(buf), "%s", address);
	for (t = strtok_r(buf, " \t", &save); t && n < 64; t = strtok_r(NULL, " \t", &save))
		w[n++] = t;
	for (int i = n - 1; i >= 0 && i >= n - 3; i--) {
		if (is_cc(w[i])) {
			/* what follows must look like a postal code, not more words */
			bool postal = true;

			for (int k = i + 1; k < n; k++)
				if (strpbrk(w[k], "0123456789") == NULL && strlen(w[k]) > 3)
					postal = false;
			if (postal) {
				memcpy(out, w[i], 2);
				out[2] = '\0';
				return;
			}
		}
	}
	for (int i = n - 1; i >= 0 && i >= n - 4; i--)
		if (is_cc(w[i])) {
			memcpy(out, w[i], 2);
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
		if (!isxdigit((unsigned char)hex[i]))
			return false;
		v = v << 4 | (uint64_t)(isdigit((unsigned char)hex[i]) ? hex[i] - '0' :
		    tolower((unsigned char)hex[i]) - 'a' + 10);
	}
	*bits = (uint8_t)(len * 4);
	*prefix = v << (48 - *bits);
	return true;
}

static int
add_entry(struct oui_db *db, const struct oui_entry *e)
{
	if (db->n == db->cap) {
		size_t cap = db->cap ? db->cap * 2 : 65536;
		struct oui_entry *nv = realloc(db->v, cap * sizeof(*nv));

		if (nv == NULL)
			return -1;
		db->v = nv;
		db->cap = cap;
	}
	db->v[db->n] = *e;
	db->v[db->n].seq = (uint32_t)db->n;
	db->n++;
	return 0;
}

/* Load one CSV; returns rows loaded or -1 (err set). */
static long
load_csv(struct oui_db *db, const char *path, bool required, char *err, size_t errsz)
{
	char line[1024];
	FILE *fp = fopen(path, "r");
	long rows = 0;
	int lineno = 0;

	if (fp == NULL) {
		if (!required && errno == ENOENT)
			return 0;
		snprintf(err, errsz, "%s: %s%s", path, strerror(errno),
		    errno == ENOENT ? " (install Debian's ieee-data package)" : "");
		return -1;
	}
	while (fgets(line, sizeof(line), fp)) {
		char *f[5];
		struct oui_entry e;
		int n;

		if (++lineno == 1 && strncmp(line, "Registry,", 9) == 0)
			continue;
		n = csv_split(line, f, 5);
		if (n < 3)
			continue;
		memset(&e, 0, sizeof(e));
		if (!parse_assignment(f[1], &e.prefix, &e.bits))
			continue;
		snprintf(e.org, sizeof(e.org), "%s", f[2]);
		if (n >= 4)
			oui_country_of(f[3], e.country);
		if (add_entry(db, &e) != 0) {
			snprintf(err, errsz, "%s: out of memory", path);
			fclose(fp);
			return -1;
		}
		rows++;
	}
	fclose(fp);
	return rows;
}

static int
cmp_block(const void *a, const void *b)
{
	const struct oui_entry *x = a, *y = b;

	if (x->bits != y->bits)
		return x->bits < y->bits ? -1 : 1;
	return x->prefix < y->prefix ? -1 : x->prefix > y->prefix;
}

/* Sort by block, then by load order, so the later file's row comes last. */
static int
cmp_entry(const void *a, const void *b)
{
	const struct oui_entry *x = a, *y = b;
	int c = cmp_block(a, b);

	return c ? c : (x->seq < y->seq ? -1 : x->seq > y->seq);
}

/* Keep the last of equal blocks: the override file is loaded last. */
static void
dedupe(struct oui_db *db)
{
	size_t w = 0;

	for (size_t i = 0; i < db->n; i++) {
		if (w > 0 && db->v[w - 1].bits == db->v[i].bits && db->v[w - 1].prefix == db->v[i].prefix)
			db->v[w - 1] = db->v[i];
		else
			db->v[w++] = db->v[i];
	}
	db->n = w;
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
	qsort(db->v, db->n, sizeof(*db->v), cmp_entry);
	dedupe(db);
	return db;
}

void
oui_free(struct oui_db *db)
{
	if (db) {
		free(db->v);
		free(db);
	}
}

size_t oui_count(const struct oui_db *db) { return db ? db->n : 0; }

static const struct oui_entry *
find_bits(const struct oui_db *db, uint64_t mac48, uint8_t bits)
{
	struct oui_entry key = { .bits = bits, .prefix = mac48 & ~((1ull << (48 - bits)) - 1) };

	return bsearch(&key, db->v, db->n, sizeof(*db->v), cmp_block);
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
