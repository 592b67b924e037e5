/*
 * test_fwd.c - syslog forwarding: RFC 5424 format, octet-counted frames,
 * a collector that is down then comes back (nothing lost, order kept),
 * a daemon restart with a backlog, and the spool bound; the forwarder
 * process's link: a stalled forwarder fills a bounded queue that counts
 * what it drops, and gets everything queued once it runs again.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "support.h"
#include "fwd.h"
#include "fwdproc.h"
#include "sw_limits.h"

struct collector {
	struct event_base	*base;
	struct evconnlistener	*lis;
	struct bufferevent	*conn;
	char			 got[65536];
	size_t			 len;
};

static void
col_read(struct bufferevent *bev, void *arg)
{
	struct collector *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t n = evbuffer_get_length(in);

	if (n > sizeof(c->got) - c->len - 1)
		n = sizeof(c->got) - c->len - 1;
	evbuffer_remove(in, c->got + c->len, n);
	c->len += n;
	c->got[c->len] = '\0';
}

static void
col_event(struct bufferevent *bev, short what, void *arg)
{
	struct collector *c = arg;

	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		bufferevent_free(bev);
		c->conn = NULL;
	}
}

static void
col_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
	struct collector *c = arg;

	(void)l, (void)sa, (void)salen;
	c->conn = bufferevent_socket_new(c->base, fd, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(c->conn, col_read, NULL, col_event, c);
	bufferevent_enable(c->conn, EV_READ);
}

static void
col_start(struct collector *c, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->lis = evconnlistener_new_bind(c->base, col_accept, c,
	    LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE, 16, (struct sockaddr *)&sin, sizeof(sin));
	ck_assert_ptr_nonnull(c->lis);
}

static void
col_stop(struct collector *c)
{
	if (c->conn)
		bufferevent_free(c->conn);
	c->conn = NULL;
	evconnlistener_free(c->lis);
	c->lis = NULL;
}

static uint16_t
free_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	close(fd);
	return ntohs(sin.sin_port);
}

/* Run the loop until the collector holds n frames or ~5 s pass. */
static int
frames(const char *s)
{
	int n = 0;

	for (const char *p = s; *p;) {
		char *end;
		unsigned long len = strtoul(p, &end, 10);

		if (end == p || *end != ' ')
			return -1;
		p = end + 1 + len;
		n++;
	}
	return n;
}

static void
run_until(struct collector *c, int n)
{
	for (int i = 0; i < 500 && frames(c->got) < n; i++) {
		event_base_loop(c->base, EVLOOP_NONBLOCK);
		usleep(10000);
	}
}

static void
cfg_for(struct fwd_cfg *cfg, uint16_t port, const char *spool)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->host, sizeof(cfg->host), "127.0.0.1");
	cfg->port = port;
	snprintf(cfg->spool, sizeof(cfg->spool), "%s", spool);
	snprintf(cfg->hostname, sizeof(cfg->hostname), "sensor-a");
	cfg->reconnect_s = 1;
}

START_TEST(format_is_rfc5424_with_escaped_structured_data)
{
	char out[512];
	const char *sd[] = { "mac", "00:0e:8c:01:02:03", "vendor", "Evil \"Co\" [x]\\", NULL };
	size_t n = fwd_format(out, sizeof(out), 4, 1764374400, "sensor-a", "risk_high", sd, "flagged");

	ck_assert_uint_eq(n, strlen(out));
	static const char head[] = "<132>1 2025-11-29T00:00:00Z sensor-a spanwatch ";

	ck_assert_msg(strncmp(out, head, sizeof(head) - 1) == 0, "%s", out);
	ck_assert_ptr_nonnull(strstr(out, " risk_high [spanwatch@32473 mac=\"00:0e:8c:01:02:03\" "
	    "vendor=\"Evil \\\"Co\\\" [x\\]\\\\\"] flagged"));
	n = fwd_format(out, sizeof(out), 6, 0, "", NULL, NULL, NULL);
	ck_assert_ptr_nonnull(strstr(out, " - -"));	/* no MSGID, no SD */
}
END_TEST

START_TEST(collector_down_then_back_loses_nothing_and_keeps_order)
{
	char spool[] = "/tmp/sw-fwd-XXXXXX", err[256], off[64];
	struct collector c = { .base = event_base_new() };
	struct fwd_cfg cfg;
	struct fwd_stats st;
	struct fwd *f;
	uint16_t port = free_port();
	int fd = mkstemp(spool);

	close(fd);
	cfg_for(&cfg, port, spool);
	f = fwd_new(c.base, &cfg, err, sizeof(err));	/* collector not there yet */
	ck_assert_msg(f != NULL, "%s", err);
	for (int i = 0; i < 20; i++) {
		char msg[32];

		snprintf(msg, sizeof(msg), "event %02d", i);
		ck_assert_int_eq(fwd_send(f, 5, 1764374400, "asset_new", NULL, msg), 0);
	}
	event_base_loop(c.base, EVLOOP_NONBLOCK);
	fwd_get_stats(f, &st);
	ck_assert_uint_eq(st.sent, 0);
	ck_assert_uint_eq(st.queued, 20);
	ck_assert_uint_gt(st.backlog_bytes, 0);
	col_start(&c, port);			/* the collector comes back */
	run_until(&c, 20);
	ck_assert_int_eq(frames(c.got), 20);
	ck_assert_ptr_nonnull(strstr(c.got, "event 00"));
	ck_assert(strstr(c.got, "event 00") < strstr(c.got, "event 19"));
	fwd_get_stats(f, &st);
	ck_assert_uint_eq(st.sent, 20);
	ck_assert_uint_eq(st.backlog_bytes, 0);
	ck_assert_uint_ge(st.connect_failures, 1);
	/* the collector goes away again; events keep coming; it returns */
	col_stop(&c);
	for (int i = 0; i < 50 && st.connected; i++) {
		event_base_loop(c.base, EVLOOP_NONBLOCK);
		usleep(10000);
		fwd_get_stats(f, &st);
	}
	c.len = 0;
	c.got[0] = '\0';
	ck_assert_int_eq(fwd_send(f, 5, 1764374400, "asset_new", NULL, "while down"), 0);
	col_start(&c, port);
	run_until(&c, 1);
	ck_assert_ptr_nonnull(strstr(c.got, "while down"));
	fwd_free(f);
	col_stop(&c);
	event_base_free(c.base);
	snprintf(off, sizeof(off), "%s.offset", spool);
	unlink(spool);
	unlink(off);
}
END_TEST

START_TEST(backlog_survives_a_restart)
{
	char spool[] = "/tmp/sw-fwd-XXXXXX", err[256], off[64];
	struct collector c = { .base = event_base_new() };
	struct fwd_cfg cfg;
	struct fwd *f;
	uint16_t port = free_port();
	int fd = mkstemp(spool);

	close(fd);
	cfg_for(&cfg, port, spool);
	f = fwd_new(c.base, &cfg, err, sizeof(err));
	ck_assert_msg(f != NULL, "%s", err);
	fwd_send(f, 5, 1764374400, "asset_new", NULL, "before restart 1");
	fwd_send(f, 5, 1764374400, "asset_new", NULL, "before restart 2");
	fwd_free(f);				/* daemon stops with a backlog */
	col_start(&c, port);
	f = fwd_new(c.base, &cfg, err, sizeof(err));
	ck_assert_msg(f != NULL, "%s", err);
	run_until(&c, 2);
	ck_assert_int_eq(frames(c.got), 2);
	ck_assert_ptr_nonnull(strstr(c.got, "before restart 2"));
	fwd_free(f);
	col_stop(&c);
	event_base_free(c.base);
	snprintf(off, sizeof(off), "%s.offset", spool);
	unlink(spool);
	unlink(off);
}
END_TEST

START_TEST(spool_is_bounded_and_counts_drops)
{
	char spool[] = "/tmp/sw-fwd-XXXXXX", err[256], off[64];
	struct event_base *base = event_base_new();
	struct fwd_cfg cfg;
	struct fwd_stats st;
	struct fwd *f;
	int fd = mkstemp(spool), ok = 0;

	close(fd);
	cfg_for(&cfg, free_port(), spool);
	cfg.spool_max = 1000;
	f = fwd_new(base, &cfg, err, sizeof(err));
	ck_assert_msg(f != NULL, "%s", err);
	for (int i = 0; i < 100; i++)
		ok += fwd_send(f, 5, 1764374400, "asset_new", NULL, "x") == 0;
	fwd_get_stats(f, &st);
	ck_assert_int_lt(ok, 100);
	ck_assert_uint_eq(st.dropped, (uint64_t)(100 - ok));
	ck_assert_uint_le(st.backlog_bytes, 1000);
	fwd_free(f);
	event_base_free(base);
	snprintf(off, sizeof(off), "%s.offset", spool);
	unlink(spool);
	unlink(off);
}
END_TEST

/* No name lookups in tests (no network here): an empty name and a bad CA file. */
START_TEST(bad_collector_settings_are_clear_errors)
{
	struct event_base *base = event_base_new();
	struct fwd_cfg cfg;
	char err[256];

	cfg_for(&cfg, 514, "/tmp/sw-fwd-never");
	cfg.host[0] = '\0';
	ck_assert_ptr_null(fwd_new(base, &cfg, err, sizeof(err)));
	ck_assert_msg(strstr(err, "no collector") != NULL, "%s", err);
	cfg_for(&cfg, 6514, "/tmp/sw-fwd-never");
	cfg.tls = true;
	snprintf(cfg.ca_file, sizeof(cfg.ca_file), "/nonexistent/ca.pem");
	ck_assert_ptr_null(fwd_new(base, &cfg, err, sizeof(err)));
	ck_assert_msg(strstr(err, "cannot load CA file '/nonexistent/ca.pem'") != NULL, "%s", err);
	event_base_free(base);
}
END_TEST

static void
link_stats_until(struct event_base *base, struct fwdlink *l, struct fwdlink_stats *st,
    bool (*done)(const struct fwdlink_stats *))
{
	for (int i = 0; i < 500; i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		fwdlink_get_stats(l, st);
		if (done(st))
			return;
		usleep(10000);
	}
}

static bool has_pid(const struct fwdlink_stats *st) { return st->pid != 0; }
static bool all_spooled(const struct fwdlink_stats *st)
{
	return st->waiting == 0 && st->fwd.queued == st->queued;
}

START_TEST(link_queue_is_bounded_and_counts_drops)
{
	char spool[] = "/tmp/sw-fwd-XXXXXX", err[256], off[64], msg[FWD_MSG_MAX];
	struct event_base *base = event_base_new();
	struct fwd_cfg cfg;
	struct fwdlink_stats st;
	struct fwdlink *l;
	int fd = mkstemp(spool);
	const int n = 2 * FWD_LINK_QUEUE_BYTES / (FWD_MSG_MAX - 200);

	close(fd);
	cfg_for(&cfg, free_port(), spool);	/* no collector: everything stays in the spool */
	cfg.spool_max = 256u << 20;
	l = fwdlink_start(&cfg, NULL, false, true, err, sizeof(err));
	ck_assert_msg(l != NULL, "%s", err);
	ck_assert_int_eq(fwdlink_attach(l, base, NULL, NULL), 0);
	link_stats_until(base, l, &st, has_pid);
	ck_assert_uint_ne(st.pid, 0);
	ck_assert(st.running);
	ck_assert_int_eq(kill((pid_t)st.pid, SIGSTOP), 0);	/* the forwarder stalls */
	memset(msg, 'x', sizeof(msg) - 300);
	msg[sizeof(msg) - 300] = '\0';
	for (int i = 0; i < n; i++)
		fwdlink_send(l, 5, 1764374400, "asset_new", NULL, msg);
	fwdlink_get_stats(l, &st);
	ck_assert_uint_gt(st.dropped_queue, 0);
	ck_assert_uint_gt(st.waiting, 0);
	ck_assert_uint_eq(st.queued + st.dropped_queue, (uint64_t)n);
	ck_assert_int_eq(kill((pid_t)st.pid, SIGCONT), 0);
	link_stats_until(base, l, &st, all_spooled);
	ck_assert_uint_eq(st.waiting, 0);
	ck_assert_uint_eq(st.fwd.queued, st.queued);	/* every message not dropped reached the spool */
	ck_assert_uint_eq(st.fwd.dropped, 0);
	fwdlink_close(l);
	event_base_free(base);
	snprintf(off, sizeof(off), "%s.offset", spool);
	unlink(spool);
	unlink(off);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("fwd");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, format_is_rfc5424_with_escaped_structured_data);
	tcase_add_test(tc, collector_down_then_back_loses_nothing_and_keeps_order);
	tcase_add_test(tc, backlog_survives_a_restart);
	tcase_add_test(tc, spool_is_bounded_and_counts_drops);
	tcase_add_test(tc, bad_collector_settings_are_clear_errors);
	tcase_add_test(tc, link_queue_is_bounded_and_counts_drops);
	suite_add_tcase(s, tc);
	return s;
}
