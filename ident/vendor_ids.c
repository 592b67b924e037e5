/*
 * vendor_ids.c - load and look up the OT vendor id tables (vendor_ids.h).
 *
 * File format: one "id,name" per line; '#' starts a comment line; the id
 * is decimal or 0x-hex; the name is the rest of the line (it may contain
 * commas), surrounding double quotes and blanks are dropped.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vendor_ids.h"

#ifndef SW_DATADIR
#define SW_DATADIR "/usr/local/share/spanwatch"
#endif

struct vid_entry {
	uint32_t	 id;
	char		*name;
};

struct vid_tab {
	struct vid_entry *v;
	size_t		 n;
};

static const char *const vid_files[VID_NTABLES] = {
	"cip_vendors.csv", "bacnet_vendors.csv", "pn_vendors.csv",
};

/*
 * Written only by vendor_ids_load(), at start-up and on SIGHUP, on the
 * thread that also reads them (the store names vendor ids at ingest).
 */
static struct vid_tab tabs[VID_NTABLES];

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
vendor_ids_free(void)
{
	for (int i = 0; i < VID_NTABLES; i++)
		tab_free(&tabs[i]);
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

/* Parse "id,name"; false for comments, blank or bad lines. */
static bool
parse_line(char *line, uint32_t *id, char **name)
{
	char *comma, *end;
	unsigned long v;

	line = trim(line);
	if (*line == '\0' || *line == '#')
		return false;
	if ((comma = strchr(line, ',')) == NULL)
		return false;
	*comma = '\0';
	errno = 0;
	v = strtoul(trim(line), &end, 0);
	if (errno || *end != '\0' || v > UINT32_MAX)
		return false;
	*name = trim(comma + 1);
	if (**name == '\0')
		return false;
	if (strlen(*name) >= VID_NAME_MAX)
		(*name)[VID_NAME_MAX - 1] = '\0';
	*id = (uint32_t)v;
	return true;
}

static size_t
tab_load(struct vid_tab *t, const char *path)
{
	char line[512];
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return 0;
	t->v = calloc(VID_MAX_ENTRIES, sizeof(*t->v));
	while (t->v && t->n < VID_MAX_ENTRIES && fgets(line, sizeof(line), f)) {
		uint32_t id;
		char *name;

		if (!parse_line(line, &id, &name))
			continue;
		if ((t->v[t->n].name = strdup(name)) == NULL)
			break;
		t->v[t->n++].id = id;
	}
	fclose(f);
	if (t->v)
		qsort(t->v, t->n, sizeof(*t->v), entry_cmp);
	return t->n;
}

static size_t
load_dir(const char *dir)
{
	size_t total = 0;

	for (int i = 0; i < VID_NTABLES; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", dir, vid_files[i]);
		total += tab_load(&tabs[i], path);
	}
	return total;
}

size_t
vendor_ids_load(const char *dir)
{
	const char *cands[3];
	size_t n = 0;

	vendor_ids_free();
	if (dir)
		return load_dir(dir);
	cands[0] = getenv("SW_DATADIR_OVERRIDE");
	cands[1] = SW_DATADIR;
	cands[2] = "oui";
	for (int i = 0; i < 3 && n == 0; i++)
		if (cands[i] && *cands[i])
			n = load_dir(cands[i]);
	return n;
}

const char *
vendor_id_name(enum vid_table t, uint32_t id)
{
	struct vid_entry key = { id, NULL }, *hit;

	if ((unsigned)t >= VID_NTABLES || tabs[t].n == 0)
		return NULL;
	hit = bsearch(&key, tabs[t].v, tabs[t].n, sizeof(key), entry_cmp);
	return hit ? hit->name : NULL;
}
