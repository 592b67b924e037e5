/*
 * log.h - operator-facing log lines (OpenBSD log.h style, STYLE.md P13).
 *
 * stderr until the daemon detaches (or with -d), syslog after.  Per-packet
 * anomalies are never logged: they are counters.  Untrusted strings must
 * be passed through obs_sanitize() before they reach a log line.
 */
#ifndef SW_LOG_H
#define SW_LOG_H

#include <stdarg.h>

extern int log_verbose;		/* 0 normal, 1 -v, 2 -vv (debug) */

void	 log_init(const char *progname, int to_stderr, int verbose);
void	 log_to_syslog(int facility);
void	 log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));	/* + strerror(errno) */
void	 log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	 log_emit(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));	/* + strerror(errno), exit 1 */
_Noreturn void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define log_debug(...) do { if (log_verbose > 1) log_emit(7, __VA_ARGS__); } while (0)

#endif
