/*
 * ctl.c - control socket (see ctl.h).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "ctl.h"
#include "sw_limits.h"

struct ctl {
	struct event_base	*base;
	struct evconnlistener	*lis;
	char			 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	ctl_status_cb		 cb;
	void			*arg;
	int			 clients;
};

struct client {
	struct ctl		*ctl;
	struct bufferevent	*bev;
	bool			 closing;	/* quit: close once the answer is out */
};


static void
client_free(struct client *cl)
{
	cl->ctl->clients--;
	bufferevent_free(cl->bev);
	free(cl);
}

/* One request; true for quit. */
static bool
on_line(const char *line, struct evbuffer *out, ctl_status_cb cb, void *arg)
{
	if (strcmp(line, "status") == 0) {
		cb(arg, out);
		evbuffer_add_printf(out, ".\n");
	} else if (strcmp(line, "help") == 0 || line[0] == '\0')
		evbuffer_add_printf(out, "commands: status, help, quit\n.\n");
	else if (strcmp(line, "quit") == 0)
		return true;
	else
		evbuffer_add_printf(out, "error: unknown command (try help)\n.\n");
	return false;
}

enum ctl_verdict
ctl_serve(struct evbuffer *in, struct evbuffer *out, ctl_status_cb cb, void *arg)
{
	bool quit = false;
	char *line;
	size_t len;

	while (!quit && (line = evbuffer_readln(in, &len, EVBUFFER_EOL_CRLF)) != NULL) {
		if (len > CTL_MAX_LINE) {
			free(line);
			return CTL_DROP;
		}
		quit = on_line(line, out, cb, arg);
		free(line);
	}
	/* A line that never ends, or a client that asks and never reads. */
	if (evbuffer_get_length(in) > CTL_MAX_LINE || evbuffer_get_length(out) > CTL_MAX_OUT)
		return CTL_DROP;
	return quit ? CTL_CLOSE : CTL_KEEP;
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	struct client *cl = arg;
	struct evbuffer *out = bufferevent_get_output(bev);

	if (!cl->closing) {
		switch (ctl_serve(bufferevent_get_input(bev), out, cl->ctl->cb, cl->ctl->arg)) {
		case CTL_DROP:
			client_free(cl);
			return;
		case CTL_CLOSE:
			cl->closing = true;
			break;
		case CTL_KEEP:
			return;
		}
	}
	bufferevent_disable(bev, EV_READ);
	if (evbuffer_get_length(out) == 0)
		client_free(cl);
}

static void
on_write(struct bufferevent *bev, void *arg)
{
	struct client *cl = arg;

	if (cl->closing && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		client_free(cl);
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		client_free(arg);
}

static void
on_accept(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
	struct ctl *c = arg;
	struct client *cl;

	(void)lis, (void)sa, (void)len;
	if (c->clients >= CTL_MAX_CLIENTS || (cl = calloc(1, sizeof(*cl))) == NULL) {
		close(fd);
		return;
	}
	cl->ctl = c;
	cl->bev = bufferevent_socket_new(c->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (cl->bev == NULL) {
		free(cl);
		close(fd);
		return;
	}
	c->clients++;
	bufferevent_setcb(cl->bev, on_read, on_write, on_event, cl);
	bufferevent_enable(cl->bev, EV_READ | EV_WRITE);
}

struct ctl *
ctl_open(struct event_base *base, const char *path, ctl_status_cb cb, void *arg,
    char *err, size_t errsz)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ctl *c;
	mode_t old;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errsz, "control socket path too long: %s", path);
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->base = base;
	c->cb = cb;
	c->arg = arg;
	unlink(path);			/* a stale socket from a previous run */
	old = umask(0117);		/* srw-rw----: the spanwatch group may ask */
	c->lis = evconnlistener_new_bind(base, on_accept, c, LEV_OPT_CLOSE_ON_FREE, 8,
	    (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (c->lis == NULL) {
		snprintf(err, errsz, "cannot create control socket %s: %s", path, strerror(errno));
		free(c);
		return NULL;
	}
	return c;
}

void
ctl_close(struct ctl *c)
{
	if (c == NULL)
		return;
	evconnlistener_free(c->lis);
	unlink(c->path);
	free(c);
}
