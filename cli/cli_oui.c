/*
 * cli_oui.c - `spanwatch oui update FILE...`: install a newer IEEE registry.
 *
 * The daemon loads Debian's ieee-data files and then one operator override
 * file on top (oui_load(dir, override)): its blocks win.  This command
 * checks each FILE completely before anything is replaced: the IEEE CSV
 * header, then every record (registry MA-L / MA-M / MA-S / IAB and an
 * assignment of as many hex digits as that registry's prefix), and that
 * the daemon's own loader accepts it (oui_validate_file).  The files are
 * then written as one override, one record per line (IEEE quotes some
 * addresses over two lines), beside the target under a temporary name,
 * synced and renamed over it, so the daemon never reads half a file.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "csv.h"
#include "oui.h"
#include "sw_limits.h"


static const char oui_help[] =
    "  update FILE...  check each FILE is an IEEE registry CSV (MA-L oui.csv,\n"
    "                  MA-M mam.csv, MA-S oui36.csv, IAB iab.csv, as downloaded\n"
    "                  from standards-oui.ieee.org) and install them together as\n"
    "                  the override spanwatchd loads on top of ieee-data:\n"
    "                  the configuration's [oui] override, else\n"
    "                  " CLI_DEFAULT_OUI_OVERRIDE "\n"
    "  --output FILE   write the override to FILE instead\n"
    "The daemon reads it when it next starts or on SIGHUP.\n";

static const struct registry {
	const char	*name;		/* first CSV column */
	size_t		 hexlen;	/* assignment length */
} registries[] = {
	{ "MA-L", 6 },
	{ "MA-M", 7 },
	{ "MA-S", 9 },
	{ "IAB", 9 },
};

static bool
all_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'F') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/*
 * Read one CSV record into buf: IEEE's files quote addresses that hold a
 * newline, so a record goes on while its quotes are unbalanced.  Returns
 * 1, 0 at the end, -1 for an oversize record (message printed).
 */
static int
read_record(struct cli *cli, const char *path, FILE *f, char *buf, size_t sz, long *lineno)
{
	size_t len = 0, quotes = 0;

	for (int lines = 0; lines < OUI_MAX_LINES; lines++) {
		if (fgets(buf + len, (int)(sz - len), f) == NULL)
			return len > 0 ? 1 : 0;
		(*lineno)++;
		for (const char *p = buf + len; *p; p++)
			quotes += *p == '"';
		len += strlen(buf + len);
		if (buf[len - 1] != '\n' && !feof(f)) {
			fprintf(cli->err, "spanwatch oui: %s:%ld: record longer than %d bytes\n",
			    path, *lineno, OUI_MAX_LINE);
			return -1;
		}
		if (quotes % 2 == 0)
			break;
	}
	/* csv_split stops at the first line end: make the record one line. */
	for (char *p = buf; *p; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	return 1;	/* an unbalanced quote left: csv_split reports it */
}

/*
 * Check one registry file; each record goes to out (when not NULL) as one
 * line.  On success *reg is the file's registry (IEEE publishes one per
 * file) and *nrec the number of records.  Messages name the line.
 */
static int
oui_check(struct cli *cli, const char *path, FILE *f, FILE *out,
    const struct registry **reg, long *nrec)
{
	char line[OUI_MAX_LINE], rec[OUI_MAX_LINE], *fld[8];
	long lineno = 0;
	int n;

	*reg = NULL;
	*nrec = 0;
	if (fgets(line, sizeof(line), f) == NULL) {
		fprintf(cli->err, "spanwatch oui: %s: empty file\n", path);
		return EXIT_USAGE;
	}
	lineno = 1;
	n = csv_split(line, fld, 8);
	if (n < 3 || strcmp(fld[0], "Registry") != 0 || strcmp(fld[1], "Assignment") != 0 ||
	    strcmp(fld[2], "Organization Name") != 0) {
		fprintf(cli->err, "spanwatch oui: %s: not an IEEE registry CSV (the first line "
		    "must be \"Registry,Assignment,Organization Name,Organization Address\")\n", path);
		return EXIT_USAGE;
	}
	while ((n = read_record(cli, path, f, line, sizeof(line), &lineno)) != 0) {
		const struct registry *r = NULL;

		if (n < 0)
			return EXIT_USAGE;
		if (line[strspn(line, " \t\r\n")] == '\0')
			continue;
		memcpy(rec, line, sizeof(rec));	/* csv_split cuts line up */
		if ((n = csv_split(line, fld, 8)) < 3) {
			fprintf(cli->err, "spanwatch oui: %s:%ld: %s\n", path, lineno,
			    n < 0 ? "unterminated quote" : "fewer than 3 fields");
			return EXIT_USAGE;
		}
		for (size_t i = 0; i < sizeof(registries) / sizeof(registries[0]); i++)
			if (strcmp(fld[0], registries[i].name) == 0)
				r = &registries[i];
		if (r == NULL) {
			fprintf(cli->err, "spanwatch oui: %s:%ld: unknown registry \"%.16s\"\n",
			    path, lineno, fld[0]);
			return EXIT_USAGE;
		}
		if (*reg && *reg != r) {
			fprintf(cli->err, "spanwatch oui: %s:%ld: %s record in a %s file\n",
			    path, lineno, r->name, (*reg)->name);
			return EXIT_USAGE;
		}
		*reg = r;
		if (!all_hex(fld[1], r->hexlen)) {
			fprintf(cli->err, "spanwatch oui: %s:%ld: assignment \"%.16s\" is not %zu hex digits\n",
			    path, lineno, fld[1], r->hexlen);
			return EXIT_USAGE;
		}
		if (out) {
			size_t len = strlen(rec);

			while (len > 0 && (rec[len - 1] == ' ' || rec[len - 1] == '\t'))
				len--;
			fprintf(out, "%.*s\n", (int)len, rec);
		}
		(*nrec)++;
	}
	if (ferror(f)) {
		fprintf(cli->err, "spanwatch oui: %s: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	if (*nrec == 0) {
		fprintf(cli->err, "spanwatch oui: %s: no records\n", path);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* Check one file with our reader and with the daemon's loader, append it to out. */
static int
oui_add(struct cli *cli, const char *path, FILE *out)
{
	const struct registry *reg;
	char err[512];
	size_t rows;
	long nrec;
	FILE *f;
	int rc;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(cli->err, "spanwatch oui: cannot read %s: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	rc = oui_check(cli, path, f, out, &reg, &nrec);
	fclose(f);
	if (rc != EXIT_OK)
		return rc;
	if (oui_validate_file(path, &rows, err, sizeof(err)) != 0) {
		fprintf(cli->err, "spanwatch oui: %s\n", err);
		return EXIT_USAGE;
	}
	fprintf(cli->out, "%s: %ld %s records\n", path, nrec, reg->name);
	return EXIT_OK;
}

static int
oui_run(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	const char *dst = cli->oui_override ? cli->oui_override : CLI_DEFAULT_OUI_OVERRIDE;
	char tmp[4096];
	FILE *out;
	int ch, fd, rc = EXIT_OK;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'o') {
			cli_usage_error(cli, "oui", "unknown option or missing value: %s", argv[optind - 1]);
			return EXIT_USAGE;
		}
		dst = optarg;
	}
	if (argc - optind < 2 || strcmp(argv[optind], "update") != 0) {
		cli_usage_error(cli, "oui", "usage: spanwatch oui update FILE...");
		return EXIT_USAGE;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", dst) >= (int)sizeof(tmp) ||
	    (fd = mkstemp(tmp)) < 0) {
		fprintf(cli->err, "spanwatch oui: cannot write beside %s: %s\n", dst, strerror(errno));
		return EXIT_DB;
	}
	if ((out = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(tmp);
		return EXIT_DB;
	}
	fputs("Registry,Assignment,Organization Name,Organization Address\n", out);
	for (int i = optind + 1; i < argc && rc == EXIT_OK; i++)
		rc = oui_add(cli, argv[i], out);
	if (rc == EXIT_OK && (fflush(out) != 0 || fsync(fd) != 0 || fchmod(fd, 0644) != 0)) {
		fprintf(cli->err, "spanwatch oui: cannot write %s: %s\n", tmp, strerror(errno));
		rc = EXIT_DB;
	}
	if (fclose(out) != 0 && rc == EXIT_OK)
		rc = EXIT_DB;
	if (rc == EXIT_OK && rename(tmp, dst) != 0) {
		fprintf(cli->err, "spanwatch oui: cannot install %s: %s\n", dst, strerror(errno));
		rc = EXIT_DB;
	}
	if (rc != EXIT_OK)
		unlink(tmp);
	else
		fprintf(cli->out, "installed %s; spanwatchd reads it on start or SIGHUP\n", dst);
	return rc;
}

const struct cli_cmd cmd_oui = {
	"oui", oui_run, "update FILE... [--output FILE]",
	"check and install a newer IEEE OUI registry", oui_help, false
};
