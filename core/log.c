/*
 * log.c - see log.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

int log_verbose;
static const char *log_prog = "spanwatch";
static int log_stderr = 1;

void
log_init(const char *progname, int to_stderr, int verbose)
{
	log_prog = progname;
	log_stderr = to_stderr;
	log_verbose = verbose;
	if (!to_stderr)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_to_syslog(int facility)
{
	openlog(log_prog, LOG_PID | LOG_NDELAY, facility);
	log_stderr = 0;
}

static void
vlog(int prio, const char *fmt, va_list ap, const char *suffix)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_stderr) {
		/*
		 * Under systemd stderr goes to the journal, which reads a "<N>"
		 * prefix as the line's priority (sd-daemon(3)): levels survive.
		 */
		const char *journal = getenv("JOURNAL_STREAM");
		char pfx[8] = "";

		if (journal && journal[0])
			snprintf(pfx, sizeof(pfx), "<%d>", prio & 7);
		if (suffix)
			fprintf(stderr, "%s%s: %s: %s\n", pfx, log_prog, line, suffix);
		else
			fprintf(stderr, "%s%s: %s\n", pfx, log_prog, line);
	} else {
		if (suffix)
			syslog(prio, "%s: %s", line, suffix);
		else
			syslog(prio, "%s", line);
	}
}

void
log_emit(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(prio, fmt, ap, NULL);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
