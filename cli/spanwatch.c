/*
 * spanwatch.c - the command-line tool: read the inventory the daemon keeps.
 *
 *   spanwatch [--db FILE] [-c CONFIG] COMMAND [options]
 *
 * The database is opened read-only and every command runs inside one read
 * transaction, so it sees one consistent snapshot while spanwatchd writes.
 * A command's output is built in memory and printed only when the command
 * finished: if SQLite reports the database busy, the whole command is run
 * again (a few times, backing off) instead of printing half an answer or
 * "database is locked".
 */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "sw_limits.h"

#ifndef SW_VERSION
#define SW_VERSION "0.0.0"
#endif

/* The commands.  Adding one is one line here plus its cli_<name>.c. */
static const struct cli_cmd *const commands[] = {
	&cmd_list,
	&cmd_show,
	&cmd_services,
	&cmd_conversations,
	&cmd_stats,
	&cmd_oui,
	&cmd_risk,
	&cmd_vendors,
	&cmd_export,
	&cmd_report,
	&cmd_map,
	&cmd_status,
	&cmd_events,
	&cmd_internet,
	&cmd_baseline,
	&cmd_annotate,
	NULL
};

#define HELP_WIDTH	80	/* help and usage texts fit a terminal of 80 columns */

/*
 * s folded to HELP_WIDTH after col columns already used on the line,
 * continuation lines indented by indent.  A break goes only at a blank
 * outside [...], so an option stays with its argument ("[--since TIME]");
 * a newline in s (and the blanks after it) counts as a blank.
 */
static void
put_folded(FILE *f, const char *s, size_t col, size_t indent)
{
	while (*s) {
		size_t room = HELP_WIDTH > col ? HELP_WIDTH - col : 1, brk = 0, i;
		int depth = 0;

		for (i = 0; s[i] && s[i] != '\n'; i++) {
			depth += s[i] == '[' ? 1 : s[i] == ']' ? -1 : 0;
			if (s[i] == ' ' && depth == 0 && (i <= room || brk == 0))
				brk = i;
			if (i >= room && brk > 0)
				break;
		}
		if (!s[i] || (s[i] == '\n' && i <= room) || brk == 0)
			brk = i;
		fprintf(f, "%.*s\n", (int)brk, s);
		for (s += brk; *s == ' ' || *s == '\n'; s++)
			;
		if (*s)
			fprintf(f, "%*s", (int)indent, "");
		col = indent;
	}
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: spanwatch [--db FILE] [-c CONFIG] COMMAND [options]\n"
	    "       spanwatch --version | --help | help COMMAND\n\ncommands:\n");
	for (size_t i = 0; commands[i]; i++) {
		fprintf(f, "  %-14s ", commands[i]->name);
		put_folded(f, commands[i]->summary, 17, 17);
	}
	fprintf(f, "\nRun 'spanwatch COMMAND --help' for a command's options.\n"
	    "Exit status: 0 ok, 1 nothing found, 2 usage error, 3 database error.\n");
}

static const struct cli_cmd *
find_cmd(const char *name)
{
	for (size_t i = 0; commands[i]; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

void
cmd_help(const struct cli_cmd *c, FILE *f)
{
	int n = fprintf(f, "usage: spanwatch [--db FILE] %s ", c->name);

	put_folded(f, c->args, n > 0 ? (size_t)n : 0, 7);
	fputc('\n', f);
	put_folded(f, c->summary, 0, 0);
	if (c->help)
		fprintf(f, "\n%s", c->help);
}

/* True if argv holds -h/--help before a "--". */
static bool
wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	}
	return false;
}

/*
 * The database and OUI override paths: --db, else the configuration's
 * [store] database and [oui] override (core/config.c, so the CLI reads
 * the file exactly as spanwatchd does), else their defaults.  A
 * configuration named with -c must exist; the default one may not.
 */
static int
load_config(struct cli *cli, struct config *conf)
{
	char err[512];

	config_defaults(conf);
	if (config_load(conf, cli->config ? cli->config : CONFIG_DEFAULT, cli->config != NULL,
	    err, sizeof(err)) != 0) {
		fprintf(cli->err, "spanwatch: %s\n", err);
		return EXIT_USAGE;
	}
	if (cli->db_path == NULL)
		cli->db_path = conf->database[0] ? conf->database : CLI_DEFAULT_DB;
	if (conf->oui_override[0])
		cli->oui_override = conf->oui_override;
	cli->control_socket = conf->control_socket;
	cli->learning_s = (long long)conf->events_learning_h * 3600;
	return 0;
}

/*
 * Run the command with its output captured; on a busy database try again.
 * Only the last attempt's output reaches stdout.
 */
static int
run_cmd(struct cli *cli, const struct cli_cmd *c, int argc, char **argv)
{
	FILE *stdout_f = cli->out;
	int rc = EXIT_DB;

	cli->direct = stdout_f;

	for (int attempt = 0; attempt < BUSY_TRIES; attempt++) {
		char *buf = NULL;
		size_t len = 0;

		if ((cli->out = open_memstream(&buf, &len)) == NULL) {
			fprintf(cli->err, "spanwatch: %s\n", strerror(errno));
			cli->out = stdout_f;
			return EXIT_DB;
		}
		cli->busy = false;
		optind = 0;	/* each attempt parses argv afresh */
		rc = c->needs_db ? cli_db_open(cli) : EXIT_OK;
		if (rc == EXIT_OK)
			rc = c->run(cli, argc, argv);
		if (cli->usage_failed)
			rc = EXIT_USAGE;
		cli_db_close(cli);
		fclose(cli->out);
		cli->out = stdout_f;
		if (!cli->busy || attempt + 1 == BUSY_TRIES) {
			if (cli->busy)
				fprintf(cli->err, "spanwatch: %s: the database stayed busy; try again\n",
				    cli->db_path);
			else
				fwrite(buf, 1, len, stdout_f);
			free(buf);
			break;
		}
		free(buf);
		usleep(50000u << attempt < BUSY_SLEEP_MAX ? 50000u << attempt : BUSY_SLEEP_MAX);
	}
	if (fflush(stdout_f) != 0 && rc == EXIT_OK) {
		fprintf(cli->err, "spanwatch: write error: %s\n", strerror(errno));
		rc = EXIT_DB;
	}
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli cli = { 0 };
	const struct cli_cmd *c;
	static struct config conf;
	int ch, rc;

	cli.out = stdout;
	cli.err = stderr;
	/* Cells are UTF-8 (term_cell() escapes the rest): measure them as such. */
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		setlocale(LC_CTYPE, "");
	cli.view.width = cli_table_width();
	/* "+": stop at the command name; its options are its own. */
	while ((ch = getopt_long(argc, argv, "+c:d:hV", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			cli.db_path = optarg;
			break;
		case 'c':
			cli.config = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("spanwatch %s\n", SW_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[0], "help") == 0) {
		if (argc < 2) {
			usage(stdout);
			return EXIT_OK;
		}
		if ((c = find_cmd(argv[1])) == NULL) {
			fprintf(stderr, "spanwatch: unknown command '%s'\n", argv[1]);
			return EXIT_USAGE;
		}
		cmd_help(c, stdout);
		return EXIT_OK;
	}
	if ((c = find_cmd(argv[0])) == NULL) {
		fprintf(stderr, "spanwatch: unknown command '%s'\n\n", argv[0]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (wants_help(argc, argv)) {
		cmd_help(c, stdout);
		return EXIT_OK;
	}
	argc = cli_view_opts(&cli, argc, argv);
	if ((rc = load_config(&cli, &conf)) == 0)
		rc = run_cmd(&cli, c, argc, argv);
	return rc;
}
