/*
 * cli_table.c - the terminal tables of every command, laid out by
 * util-linux's libsmartcols.
 *
 * libsmartcols fits a table to a width: columns marked as cuttable give
 * up room first (SCOLS_FL_TRUNC), the others keep their width.  We hand
 * it cells that term_cell() already made safe (escape sequences, bidi
 * overrides and invalid UTF-8 written as text, which libsmartcols would
 * not all catch: it lets U+202E through), with the backslash marked safe
 * so our escapes are not escaped again.  Its widths need a UTF-8 LC_CTYPE
 * (else every non-ASCII byte becomes "\xHH"): spanwatch.c sets C.UTF-8.
 *
 * What we add: the width (COLUMNS, else the terminal's, else unlimited
 * when piped), --columns (which and in what order) and --sort (numbers
 * and addresses compared as such).
 */
#include <sys/ioctl.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libsmartcols.h>

#include "cli.h"
#include "sw_limits.h"


struct table {
	size_t	  ncols, nrows, cap;
	char	**hdr;
	size_t	 *maxw;		/* 0: keep whole; else the width it may be cut to */
	char	**cells;	/* nrows * ncols, sanitised */
	bool	  fixed;	/* not the command's listing: --columns/--sort do not apply */
	unsigned  narrow_below;	/* a terminal narrower than this... */
	const char *narrow;	/* ...shows these columns unless --columns says */
};

struct table *
table_new(size_t ncols, const char *const *headers, const size_t *maxw)
{
	struct table *t = calloc(1, sizeof(*t));

	if (t == NULL || ncols == 0 || ncols > TABLE_MAX_COLS)
		abort();
	t->ncols = ncols;
	t->hdr = calloc(ncols, sizeof(*t->hdr));
	t->maxw = calloc(ncols, sizeof(*t->maxw));
	if (t->hdr == NULL || t->maxw == NULL)
		abort();
	for (size_t c = 0; c < ncols; c++) {
		t->hdr[c] = term_cell(headers[c], strlen(headers[c]));
		t->maxw[c] = maxw ? maxw[c] : 0;
	}
	return t;
}

void
table_add(struct table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->cells = realloc(t->cells, t->cap * t->ncols * sizeof(*t->cells));
		if (t->cells == NULL)
			abort();
	}
	for (size_t c = 0; c < t->ncols; c++)
		t->cells[t->nrows * t->ncols + c] = term_cell(cells[c] && *cells[c] ? cells[c] : NULL,
		    cells[c] ? strlen(cells[c]) : 0);
	t->nrows++;
}

void
table_fixed(struct table *t)
{
	t->fixed = true;
}

void
table_narrow(struct table *t, unsigned below, const char *columns)
{
	t->narrow_below = below;
	t->narrow = columns;
}

size_t
table_rows(const struct table *t)
{
	return t->nrows;
}

void
table_free(struct table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	for (size_t c = 0; c < t->ncols; c++)
		free(t->hdr[c]);
	free(t->cells);
	free(t->hdr);
	free(t->maxw);
	free(t);
}

/* "LAST SEEN", "last_seen" and "last-seen" name the same column. */
static bool
col_name_eq(const char *hdr, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < len && hdr[i]; i++) {
		int a = hdr[i] == ' ' || hdr[i] == '-' ? '_' : tolower((unsigned char)hdr[i]);
		int b = name[i] == ' ' || name[i] == '-' ? '_' : tolower((unsigned char)name[i]);

		if (a != b)
			return false;
	}
	return i == len && hdr[i] == '\0';
}

static int
col_index(const struct table *t, const char *name, size_t len)
{
	for (size_t c = 0; c < t->ncols; c++)
		if (col_name_eq(t->hdr[c], name, len))
			return (int)c;
	return -1;
}

static void
unknown_column(struct cli *cli, const struct table *t, const char *name, size_t len)
{
	fprintf(cli->err, "spanwatch: no column '%.*s'; columns:", (int)len, name);
	for (size_t c = 0; c < t->ncols; c++)
		fprintf(cli->err, "%s%s", c ? "," : " ", t->hdr[c]);
	fputc('\n', cli->err);
	cli->usage_failed = true;
}

/* The columns to print, in order, from --columns (all when unset). */
static size_t
pick_columns(struct cli *cli, const struct table *t, int *pick)
{
	const char *s = t->fixed ? NULL : cli->view.columns, *end;
	size_t n = 0;

	if ((s == NULL || *s == '\0') && t->narrow && cli->view.width > 0 &&
	    cli->view.width < t->narrow_below)
		s = t->narrow;
	if (s == NULL || *s == '\0') {
		for (size_t c = 0; c < t->ncols; c++)
			pick[n++] = (int)c;
		return n;
	}
	for (; *s && n < TABLE_MAX_COLS; s = *end ? end + 1 : end) {
		int c;

		end = s + strcspn(s, ",");
		if (end == s)
			continue;
		if ((c = col_index(t, s, (size_t)(end - s))) < 0) {
			unknown_column(cli, t, s, (size_t)(end - s));
			return 0;
		}
		pick[n++] = c;
	}
	return n;
}

/* --- sorting ------------------------------------------------------------- */

struct sort_key {
	int	 col;
	bool	 desc;
};

/* Addresses sort by value (10.0.0.9 before 10.0.0.10), IPv4 first. */
static bool
addr_key(const char *s, unsigned char key[17])
{
	char buf[64];
	size_t n = strcspn(s, " ");

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(key, 0, 17);
	if (inet_pton(AF_INET, buf, key + 1) == 1)
		return true;
	key[0] = 1;
	return inet_pton(AF_INET6, buf, key + 1) == 1;
}

static bool
num_key(const char *s, double *v)
{
	char *end;

	if (!isdigit((unsigned char)*s) && *s != '-')
		return false;
	*v = strtod(s, &end);
	return end != s && *end == '\0';
}

static int
cell_cmp(const char *a, const char *b)
{
	unsigned char ka[17], kb[17];
	double na, nb;

	/* "-" (nothing known) sorts last either way. */
	if (strcmp(a, "-") == 0 || strcmp(b, "-") == 0)
		return (strcmp(a, "-") == 0) - (strcmp(b, "-") == 0);
	if (num_key(a, &na) && num_key(b, &nb))
		return (na > nb) - (na < nb);
	if (addr_key(a, ka) && addr_key(b, kb))
		return memcmp(ka, kb, sizeof(ka));
	return strcasecmp(a, b);
}

struct sort_ctx {
	const struct table	*t;
	int			 col;
	bool			 desc;
};

/* Compares row indexes; equal keys keep the command's order (qsort is not stable). */
static int
row_cmp(const void *x, const void *y, void *arg)
{
	const struct sort_ctx *k = arg;
	size_t ra = *(const size_t *)x, rb = *(const size_t *)y;
	const char *a = k->t->cells[ra * k->t->ncols + (size_t)k->col];
	const char *b = k->t->cells[rb * k->t->ncols + (size_t)k->col];
	int r = cell_cmp(a, b);

	if (k->desc && strcmp(a, "-") != 0 && strcmp(b, "-") != 0)
		r = -r;
	return r ? r : (ra > rb) - (ra < rb);
}

/* --sort NAME or --sort -NAME (descending). */
static bool
sort_rows(struct cli *cli, struct table *t)
{
	const char *s = cli->view.sort;
	struct sort_ctx k = { t, 0, false };
	size_t *idx;
	char **cells;

	if (s == NULL || *s == '\0' || t->fixed)
		return true;
	if (*s == '-') {
		k.desc = true;
		s++;
	}
	if ((k.col = col_index(t, s, strlen(s))) < 0) {
		unknown_column(cli, t, s, strlen(s));
		return false;
	}
	if (t->nrows < 2)
		return true;
	idx = malloc(t->nrows * sizeof(*idx));
	cells = malloc(t->nrows * t->ncols * sizeof(*cells));
	if (idx == NULL || cells == NULL)
		abort();
	for (size_t r = 0; r < t->nrows; r++)
		idx[r] = r;
	qsort_r(idx, t->nrows, sizeof(*idx), row_cmp, &k);
	for (size_t r = 0; r < t->nrows; r++)
		memcpy(&cells[r * t->ncols], &t->cells[idx[r] * t->ncols], t->ncols * sizeof(*cells));
	free(t->cells);
	free(idx);
	t->cells = cells;
	t->cap = t->nrows;
	return true;
}

/* --- printing ------------------------------------------------------------ */

/*
 * A cuttable column asks for its usual width (maxw) and gives up room
 * when the line is too long; the others are printed whole.
 */
static struct libscols_table *
scols_of(struct cli *cli, const struct table *t, const int *pick, size_t n)
{
	struct libscols_table *tb = scols_new_table();

	if (tb == NULL)
		abort();
	scols_table_set_stream(tb, cli->out);
	if (cli->view.width > 0) {
		scols_table_set_termforce(tb, SCOLS_TERMFORCE_ALWAYS);
		scols_table_set_termwidth(tb, cli->view.width);
	} else
		scols_table_set_termforce(tb, SCOLS_TERMFORCE_NEVER);
	for (size_t i = 0; i < n; i++) {
		size_t c = (size_t)pick[i];
		bool wrap = t->maxw[c] == TABLE_WRAP;
		int fl = wrap ? SCOLS_FL_WRAP : t->maxw[c] ? SCOLS_FL_TRUNC : 0;
		double hint = wrap ? 0.5 : t->maxw[c] ? (double)t->maxw[c] : 0;

		struct libscols_column *cl = scols_table_new_column(tb, t->hdr[c], hint, fl);

		/* Our "\\xHH" escapes are the text to show, not for libsmartcols to escape again. */
		if (cl == NULL || scols_column_set_safechars(cl, "\\") != 0)
			abort();
	}
	for (size_t r = 0; r < t->nrows; r++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (ln == NULL)
			abort();
		for (size_t i = 0; i < n; i++)
			scols_line_set_data(ln, i, t->cells[r * t->ncols + (size_t)pick[i]]);
	}
	return tb;
}

void
table_print(struct table *t, struct cli *cli)
{
	int pick[TABLE_MAX_COLS];
	size_t n;
	struct libscols_table *tb;

	if ((n = pick_columns(cli, t, pick)) == 0 || !sort_rows(cli, t))
		return;
	tb = scols_of(cli, t, pick, n);
	scols_print_table(tb);
	scols_unref_table(tb);
}

/* --- options ------------------------------------------------------------- */

/*
 * The width tables fit: COLUMNS when set (so a script or a pager can ask
 * for one), else the terminal's, else 0, every cell whole, when stdout is
 * a pipe or a file.
 */
unsigned
cli_table_width(void)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	char *end;

	if (env && *env) {
		long w = strtol(env, &end, 10);

		if (*end == '\0' && w > 0 && w < 100000)
			return (unsigned)w;
	}
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}

/* "--columns X", "--columns=X": the value, advancing *i past it; NULL if not opt. */
static const char *
view_opt(int argc, char **argv, int *i, const char *opt)
{
	size_t n = strlen(opt);

	if (strncmp(argv[*i], opt, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] == '\0' && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

/*
 * --columns and --sort belong to every command that prints a table, so
 * they are taken out of argv here and each command parses only its own.
 */
int
cli_view_opts(struct cli *cli, int argc, char **argv)
{
	int out = 1;

	for (int i = 1; i < argc; i++) {
		const char *v;

		if (strcmp(argv[i], "--") == 0) {
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
		if ((v = view_opt(argc, argv, &i, "--columns")) != NULL)
			cli->view.columns = v;
		else if ((v = view_opt(argc, argv, &i, "--sort")) != NULL)
			cli->view.sort = v;
		else
			argv[out++] = argv[i];
	}
	argv[out] = NULL;
	return out;
}
