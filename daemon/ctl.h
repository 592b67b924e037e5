/*
 * ctl.h - the local control socket (UNIX stream, mode 0660).
 *
 * One command per line: `status` answers "name value" lines and a final
 * "." line; `help` lists the commands.  Bounded clients and line length.
 */
#ifndef SW_CTL_H
#define SW_CTL_H

#include <stddef.h>

struct event_base;
struct evbuffer;
struct ctl;

/* Writes the status counters into out. */
typedef void (*ctl_status_cb)(void *arg, struct evbuffer *out);

/*
 * The protocol on one client's bytes, apart from the socket (and so
 * testable and fuzzed: tests/fuzz/fuzz_ctl.c): answers each complete line
 * waiting in `in` into `out`.  CTL_CLOSE after quit (close once out is
 * written; what follows it is not read), CTL_DROP for a line longer than
 * CTL_MAX_LINE or more answer than CTL_MAX_OUT waiting (a client that asks
 * and never reads).
 */
enum ctl_verdict { CTL_KEEP, CTL_CLOSE, CTL_DROP };
enum ctl_verdict ctl_serve(struct evbuffer *in, struct evbuffer *out, ctl_status_cb cb, void *arg);

struct ctl	*ctl_open(struct event_base *base, const char *path, ctl_status_cb cb,
		    void *arg, char *err, size_t errsz);
void		 ctl_close(struct ctl *c);

#endif
