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

struct ctl	*ctl_open(struct event_base *base, const char *path, ctl_status_cb cb,
		    void *arg, char *err, size_t errsz);
void		 ctl_close(struct ctl *c);

#endif
