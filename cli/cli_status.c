/*
 * cli_status.c - `spanwatch status`: the running daemon's counters, asked
 * over its control socket (daemon/ctl.c: one "status" line, answered with
 * "name value" lines and a lone ".").
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sw_limits.h"
#include "paths.h"

#define STATUS_TIMEOUT_S	5	/* a daemon that does not answer in this long is stuck */

static const char status_help[] =
    "  --socket PATH  the control socket (default: the configuration's\n"
    "                 [daemon] control_socket, " PATH_CONTROL_SOCKET ")\n"
    "  --all          also the counters that are zero\n"
    "  --json         one JSON object, counter name: value\n"
    "Exit status 3 when the daemon cannot be reached.\n";

enum { S_SOCKET = 256, S_ALL, S_JSON };

static int
ctl_connect(struct cli *cli, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { STATUS_TIMEOUT_S, 0 };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(cli->err, "spanwatch: %s: socket path too long\n", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		/* the path and the hint on lines of their own: the path can be long */
		fprintf(cli->err, "spanwatch: cannot reach spanwatchd: %s\n  socket %s\n%s",
		    strerror(errno), path, errno == ENOENT || errno == ECONNREFUSED ?
		    "  is it running? systemctl status spanwatchd\n" : "");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* The answer up to the "." line, NUL-terminated; NULL on error (printed). */
static char *
ctl_ask(struct cli *cli, const char *path)
{
	static const char q[] = "status\nquit\n";
	char *buf = NULL, *end;
	size_t len = 0;
	int fd = ctl_connect(cli, path);

	if (fd < 0)
		return NULL;
	if (write(fd, q, sizeof(q) - 1) != (ssize_t)(sizeof(q) - 1))
		goto fail;
	for (;;) {
		char chunk[4096];
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0)
			goto fail;
		if (n == 0 || len + (size_t)n > STATUS_MAX_BYTES)
			break;
		if ((buf = realloc(buf, len + (size_t)n + 1)) == NULL)
			abort();
		memcpy(buf + len, chunk, (size_t)n);
		len += (size_t)n;
		buf[len] = '\0';
		if (strcmp(buf, ".\n") == 0 || (len >= 3 && strstr(buf, "\n.\n")))
			break;
	}
	close(fd);
	if (buf == NULL || (end = strstr(buf, ".\n")) == NULL || (end != buf && end[-1] != '\n')) {
		fprintf(cli->err, "spanwatch: %s: incomplete answer from spanwatchd\n", path);
		free(buf);
		return NULL;
	}
	*end = '\0';
	return buf;
fail:
	fprintf(cli->err, "spanwatch: %s: %s\n", path, errno == EAGAIN ? "spanwatchd did not answer" :
	    strerror(errno));
	close(fd);
	free(buf);
	return NULL;
}

/* "name value" lines into an object, keeping the daemon's order. */
static json_t *
parse_counters(char *text)
{
	json_t *o = json_object();
	char *save = NULL;

	for (char *ln = strtok_r(text, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
		char *sp = strrchr(ln, ' '), *end;
		long long v;

		if (sp == NULL)
			continue;
		*sp = '\0';
		v = strtoll(sp + 1, &end, 10);
		json_object_set_new(o, ln, *end == '\0' ? json_integer(v) : jstr(sp + 1));
	}
	return o;
}

static int
status_run(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, S_SOCKET },
		{ "all", no_argument, NULL, S_ALL },
		{ "json", no_argument, NULL, S_JSON },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const hdr[] = { "COUNTER", "VALUE" };
	const char *path = cli->control_socket, *k;
	bool json = false, all = false;
	struct table *t;
	char *text;
	json_t *o, *v;
	int ch, rc = EXIT_OK;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case S_SOCKET: path = optarg; break;
		case S_ALL: all = true; break;
		case S_JSON: json = true; break;
		default:
			cli_usage_error(cli, "status", "unknown option or missing value: %s", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_usage_error(cli, "status", "unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if ((text = ctl_ask(cli, path)) == NULL)
		return EXIT_DB;
	o = parse_counters(text);
	free(text);
	if (json) {
		rc = json_print(o, cli->out) == 0 ? EXIT_OK : EXIT_DB;
		json_decref(o);
		return rc;
	}
	fprintf(cli->out, "spanwatchd is running (%s)\n\n", path);
	t = table_new(2, hdr, NULL);
	json_object_foreach(o, k, v) {
		char b[32];
		const char *cells[2] = { k, b };

		if (json_is_integer(v) && json_integer_value(v) == 0 && !all)
			continue;
		if (json_is_integer(v))
			snprintf(b, sizeof(b), "%lld", (long long)json_integer_value(v));
		else
			cells[1] = json_string_value(v);
		table_add(t, cells);
	}
	table_print(t, cli);
	table_free(t);
	json_decref(o);
	return rc;
}

const struct cli_cmd cmd_status = {
	"status", status_run, "[--socket PATH] [--all] [--json]",
	"the running daemon's status and counters (its control socket)", status_help, false
};
