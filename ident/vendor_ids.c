/*
 * vendor_ids.c - load and look up the OT vendor id tables (vendor_ids.h).
 *
 * File format: one "id,name" per line; '#' starts a comment line; the id
 * is decimal or 0x-hex; the name is the rest of the line (it may contain
 * commas), surrounding double quotes and blanks are dropped.  Any other
 * line is an error, with its file and line, as in the other tables, and
 * so is an id beyond VID_MAX_ENTRIES.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vendor_ids.h"
#include "paths.h"


struct vid_entry {
	uint32_t	 id;
	char		*name;
};

struct vid_tab {
	struct vid_entry *v;
	size_t		 n;
	size_t		 names_cut;	/* longer than VID_NAME_MAX - 1 bytes */
};

struct vendor_ids {
	struct vid_tab	 tabs[VID_NTABLES];
};

static const char *const vid_files[VID_NTABLES] = {
	"cip_vendors.csv", "bacnet_vendors.csv", "pn_vendors.csv",
};

/*
 * Written only by vendor_ids_install(), at start-up and on SIGHUP, on the
 * thread that also reads it (the store names vendor ids at ingest).
 */
static struct vendor_ids *installed;

static int
entry_cmp(const void *a, const void *b)
{
	const struct vid_entry *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static void
tab_free(struct vid_tab *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].name);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

void
vendor_ids_close(struct vendor_ids *v)
{
	if (v == NULL)
		return;
	for (int i = 0; i < VID_NTABLES; i++)
		tab_free(&v->tabs[i]);
	free(v);
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s) || *s == '"')
		s++;
	e = s + strlen(s);
	while (e > s && (isspace((unsigned char)e[-1]) || e[-1] == '"'))
		*--e = '\0';
	return s;
}

/* Parse "id,name"; NULL, or why the line is not one.  *cut: the name was cut. */
static const char *
parse_line(char *line, uint32_t *id, char **name, bool *cut)
{
	char *comma, *end;
	unsigned long v;

	if ((comma = strchr(line, ',')) == NULL)
		return "expected id,name";
	*comma = '\0';
	errno = 0;
	line = trim(line);
	v = strtoul(line, &end, 0);
	if (errno || *end != '\0' || end == line || v > UINT32_MAX)
		return "the id is not a number of at most 32 bits";
	*name = trim(comma + 1);
	if (**name == '\0')
		return "no vendor name";
	if ((*cut = strlen(*name) >= VID_NAME_MAX))
		(*name)[VID_NAME_MAX - 1] = '\0';
	*id = (uint32_t)v;
	return NULL;
}

static int
tab_load(struct vid_tab *t, const char *path, char *err, size_t errsz)
{
	char line[VID_LINE_MAX], full[64];
	const char *why = NULL;
	int lineno = 0;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((t->v = calloc(VID_MAX_ENTRIES, sizeof(*t->v))) == NULL)
		why = "out of memory";
	while (why == NULL && fgets(line, sizeof(line), f)) {
		char *l, *name;
		uint32_t id;
		bool cut;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f))
			why = "line too long";
		else if (*(l = trim(line)) == '\0' || *l == '#')
			continue;
		else if ((why = parse_line(l, &id, &name, &cut)) == NULL) {
			if (t->n == VID_MAX_ENTRIES) {
				/* a table cut short would name some vendors and not others */
				snprintf(full, sizeof(full), "more than %d vendor ids (VID_MAX_ENTRIES)",
				    VID_MAX_ENTRIES);
				why = full;
			} else if ((t->v[t->n].name = strdup(name)) == NULL)
				why = "out of memory";
			else {
				t->v[t->n++].id = id;
				t->names_cut += cut;
			}
		}
	}
	if (why == NULL && ferror(f))
		why = strerror(errno);
	fclose(f);
	if (why) {
		if (lineno)
			snprintf(err, errsz, "%s:%d: %s", path, lineno, why);
		else
			snprintf(err, errsz, "%s: %s", path, why);
		return -1;
	}
	qsort(t->v, t->n, sizeof(*t->v), entry_cmp);
	return 0;
}

static struct vendor_ids *
read_dir(const char *dir, char *err, size_t errsz)
{
	struct vendor_ids *v = calloc(1, sizeof(*v));

	if (v == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	for (int i = 0; i < VID_NTABLES; i++) {
		char path[4096];

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, vid_files[i]) >= sizeof(path)) {
			snprintf(err, errsz, "%.64s...: path too long", dir);
			vendor_ids_close(v);
			return NULL;
		}
		if (tab_load(&v->tabs[i], path, err, errsz) != 0) {
			vendor_ids_close(v);
			return NULL;
		}
	}
	return v;
}

/* Does dir hold any of the tables? */
static bool
holds_tables(const char *dir)
{
	for (int i = 0; i < VID_NTABLES; i++) {
		char path[4096];

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, vid_files[i]) < sizeof(path) &&
		    access(path, F_OK) == 0)
			return true;
	}
	return false;
}

struct vendor_ids *
vendor_ids_read(const char *dir, char *err, size_t errsz)
{
	const char *cands[3] = { getenv("SW_DATADIR_OVERRIDE"), SW_DATADIR, "oui" };

	if (dir)
		return read_dir(dir, err, errsz);
	for (int i = 0; i < 3; i++)
		if (cands[i] && *cands[i] && holds_tables(cands[i]))
			return read_dir(cands[i], err, errsz);
	snprintf(err, errsz, "no %s in %s%s%s or ./oui", vid_files[0], cands[0] && *cands[0] ? cands[0] : "",
	    cands[0] && *cands[0] ? ", " : "", SW_DATADIR);
	return NULL;
}

size_t
vendor_ids_count(const struct vendor_ids *v)
{
	size_t n = 0;

	for (int i = 0; v && i < VID_NTABLES; i++)
		n += v->tabs[i].n;
	return n;
}

size_t
vendor_ids_names_cut(const struct vendor_ids *v)
{
	size_t n = 0;

	for (int i = 0; v && i < VID_NTABLES; i++)
		n += v->tabs[i].names_cut;
	return n;
}

struct vendor_ids *
vendor_ids_install(struct vendor_ids *v)
{
	struct vendor_ids *was = installed;

	installed = v;
	return was;
}

size_t
vendor_ids_load(const char *dir)
{
	char err[512];
	struct vendor_ids *v = vendor_ids_read(dir, err, sizeof(err));

	vendor_ids_close(vendor_ids_install(v));
	return vendor_ids_count(v);
}

void
vendor_ids_free(void)
{
	vendor_ids_close(vendor_ids_install(NULL));
}

const char *
vendor_id_name(enum vid_table t, uint32_t id)
{
	struct vid_entry key = { id, NULL }, *hit;
	const struct vid_tab *tab;

	if (installed == NULL || (unsigned)t >= VID_NTABLES || (tab = &installed->tabs[t])->n == 0)
		return NULL;
	hit = bsearch(&key, tab->v, tab->n, sizeof(key), entry_cmp);
	return hit ? hit->name : NULL;
}
