/*
 * fwd.c - syslog forwarding with a spool (see fwd.h).
 *
 * Spool layout: the file holds octet-counted frames back to back
 * ("LEN SP MSG"); "<spool>.offset" holds how many bytes of it reached the
 * collector, as a fixed-width number rewritten in place (pwrite), so the
 * forwarder process opens no file for writing once its filter is on
 * (daemon/fwdproc.c).  When everything is sent both are reset to zero.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "fwd.h"
#include "log.h"

struct fwd {
	struct fwd_cfg		 cfg;
	struct event_base	*base;
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	SSL_CTX			*ssl_ctx;
	struct bufferevent	*bev;
	struct event		*retry;
	int			 spool_fd;
	int			 offset_fd;	/* "<spool>.offset" */
	uint64_t		 spool_size;	/* bytes in the spool file */
	uint64_t		 sent_off;	/* bytes of it the collector has */
	uint64_t		 inflight_end;	/* handed to the socket, not yet drained */
	uint64_t		 inflight_msgs;
	struct fwd_stats	 st;
};

static void fwd_connect(struct fwd *f);
static void fwd_pump(struct fwd *f);

/* --- formatting ----------------------------------------------------------- */

/* SD-PARAM values escape '"', '\' and ']' (RFC 5424 6.3.3). */
static size_t
sd_escape(char *out, size_t outsz, const char *v)
{
	size_t o = 0;

	for (; *v && o + 2 < outsz; v++) {
		if (*v == '"' || *v == '\\' || *v == ']')
			out[o++] = '\\';
		out[o++] = *v;
	}
	out[o] = '\0';
	return o;
}

size_t
fwd_format(char *out, size_t outsz, int severity, time_t ts, const char *hostname,
    const char *msgid, const char *const *sd, const char *msg)
{
	char stamp[32], val[1024];
	struct tm tm;
	size_t n;
	int pri = 16 * 8 + (severity & 7);	/* facility local0 */

	gmtime_r(&ts, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = (size_t)snprintf(out, outsz, "<%d>1 %s %s spanwatch %d %s ", pri, stamp,
	    hostname[0] ? hostname : "-", (int)getpid(), msgid && msgid[0] ? msgid : "-");
	if (n >= outsz)
		return outsz - 1;
	if (sd && sd[0]) {
		n += (size_t)snprintf(out + n, outsz - n, "[spanwatch@32473");
		for (size_t i = 0; sd[i] && sd[i + 1] && n < outsz; i += 2) {
			sd_escape(val, sizeof(val), sd[i + 1]);
			n += (size_t)snprintf(out + n, outsz - n, " %s=\"%s\"", sd[i], val);
		}
		if (n < outsz)
			n += (size_t)snprintf(out + n, outsz - n, "]");
	} else if (n < outsz)
		n += (size_t)snprintf(out + n, outsz - n, "-");
	if (msg && msg[0] && n < outsz)
		n += (size_t)snprintf(out + n, outsz - n, " %s", msg);
	return n < outsz ? n : outsz - 1;
}

/* --- spool -------------------------------------------------------------- */

/* 20 digits and a newline at offset 0: one small write, always the same size. */
#define OFFSET_LEN	21

static void
offset_save(struct fwd *f)
{
	char buf[OFFSET_LEN + 1];

	snprintf(buf, sizeof(buf), "%020llu\n", (unsigned long long)f->sent_off);
	if (pwrite(f->offset_fd, buf, OFFSET_LEN, 0) != OFFSET_LEN || fdatasync(f->offset_fd) != 0)
		log_warn("forward: cannot write %s.offset", f->cfg.spool);
}

/* Also reads the shorter form older versions wrote (tmp file and rename). */
static void
offset_load(struct fwd *f)
{
	char buf[OFFSET_LEN + 1];
	ssize_t n = pread(f->offset_fd, buf, OFFSET_LEN, 0);
	unsigned long long off = 0;

	if (n > 0) {
		buf[n] = '\0';
		off = strtoull(buf, NULL, 10);
	}
	f->sent_off = off <= f->spool_size ? off : 0;
}

/* Everything sent: start the spool over so it does not grow for ever. */
static void
spool_reset_if_done(struct fwd *f)
{
	if (f->sent_off != f->spool_size || f->spool_size == 0)
		return;
	if (ftruncate(f->spool_fd, 0) != 0) {
		log_warn("forward: cannot truncate %s", f->cfg.spool);
		return;
	}
	f->spool_size = f->sent_off = f->inflight_end = 0;
	offset_save(f);
}

/* --- connection ----------------------------------------------------------- */

static void
drop_connection(struct fwd *f)
{
	if (f->bev) {
		bufferevent_free(f->bev);
		f->bev = NULL;
	}
	f->st.connected = false;
	f->inflight_end = f->sent_off;	/* resend what was not drained */
	f->inflight_msgs = 0;
	event_add(f->retry, &(struct timeval){ f->cfg.reconnect_s, 0 });
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	struct fwd *f = arg;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		f->st.connects++;
		f->st.connected = true;
		log_info("forward: connected to %s:%u%s", f->cfg.host, f->cfg.port,
		    f->cfg.tls ? " (TLS, verified)" : "");
		fwd_pump(f);
		return;
	}
	if (what & (BEV_EVENT_ERROR | BEV_EVENT_EOF | BEV_EVENT_TIMEOUT)) {
		unsigned long e = f->cfg.tls ? bufferevent_get_openssl_error(f->bev) : 0;

		if (!f->st.connected)
			f->st.connect_failures++;
		if (e)
			log_warnx("forward: %s:%u: TLS: %s", f->cfg.host, f->cfg.port,
			    ERR_reason_error_string(e));
		else if (f->st.connected)
			log_warnx("forward: lost %s:%u; spooling until it is back", f->cfg.host, f->cfg.port);
		drop_connection(f);
	}
}

/* The collector drained what we gave it: commit, then give it more. */
static void
on_write(struct bufferevent *bev, void *arg)
{
	struct fwd *f = arg;

	(void)bev;
	if (f->inflight_end > f->sent_off) {
		f->st.sent += f->inflight_msgs;
		f->inflight_msgs = 0;
		f->sent_off = f->inflight_end;
		offset_save(f);
		spool_reset_if_done(f);
	}
	fwd_pump(f);
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	(void)arg;
	/* A syslog collector says nothing; discard whatever it sends. */
	evbuffer_drain(bufferevent_get_input(bev), evbuffer_get_length(bufferevent_get_input(bev)));
}

/* Count the whole frames in buf[0..n) and return the length they cover. */
static size_t
whole_frames(const char *buf, size_t n, uint64_t *msgs)
{
	size_t pos = 0;

	*msgs = 0;
	while (pos < n) {
		size_t len = 0, p = pos;

		while (p < n && buf[p] >= '0' && buf[p] <= '9' && p - pos < 10)
			len = len * 10 + (size_t)(buf[p++] - '0');
		if (p >= n || buf[p] != ' ' || p + 1 + len > n)
			break;
		pos = p + 1 + len;
		(*msgs)++;
	}
	return pos;
}

/* Hand the next chunk of the spool to the socket if nothing is in flight. */
static void
fwd_pump(struct fwd *f)
{
	static char chunk[FWD_CHUNK];
	ssize_t n;
	size_t whole;
	uint64_t msgs;

	if (f->bev == NULL || !f->st.connected || f->inflight_end > f->sent_off ||
	    f->sent_off >= f->spool_size)
		return;
	n = pread(f->spool_fd, chunk, sizeof(chunk), (off_t)f->sent_off);
	if (n <= 0)
		return;
	whole = whole_frames(chunk, (size_t)n, &msgs);
	if (whole == 0) {
		log_warnx("forward: %s is damaged at offset %llu; skipping the rest",
		    f->cfg.spool, (unsigned long long)f->sent_off);
		f->sent_off = f->spool_size;
		spool_reset_if_done(f);
		return;
	}
	f->inflight_end = f->sent_off + whole;
	f->inflight_msgs = msgs;
	bufferevent_write(f->bev, chunk, whole);
}

static void
fwd_connect(struct fwd *f)
{
	int fd = -1;

	if (f->cfg.tls) {
		SSL *ssl = SSL_new(f->ssl_ctx);

		if (ssl == NULL) {
			log_warnx("forward: cannot create a TLS session");
			drop_connection(f);
			return;
		}
		SSL_set_tlsext_host_name(ssl, f->cfg.host);
		SSL_set1_host(ssl, f->cfg.host);
		f->bev = bufferevent_openssl_socket_new(f->base, fd, ssl,
		    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
	} else
		f->bev = bufferevent_socket_new(f->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (f->bev == NULL) {
		drop_connection(f);
		return;
	}
	bufferevent_setcb(f->bev, on_read, on_write, on_event, f);
	bufferevent_enable(f->bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(f->bev, (struct sockaddr *)&f->addr, (int)f->addrlen) != 0) {
		f->st.connect_failures++;
		drop_connection(f);
	}
}

static void
on_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	fwd_connect(arg);
}

/* --- setup ------------------------------------------------------------------ */

static int
resolve(struct fwd *f, char *err, size_t errsz)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	char port[8];
	int rc;

	if (f->cfg.host[0] == '\0') {
		snprintf(err, errsz, "forward: no collector host configured");
		return -1;
	}
	snprintf(port, sizeof(port), "%u", f->cfg.port);
	if ((rc = getaddrinfo(f->cfg.host, port, &hints, &res)) != 0) {
		snprintf(err, errsz, "forward: cannot resolve collector '%s': %s", f->cfg.host,
		    gai_strerror(rc));
		return -1;
	}
	memcpy(&f->addr, res->ai_addr, res->ai_addrlen);
	f->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static int
tls_setup(struct fwd *f, char *err, size_t errsz)
{
	if ((f->ssl_ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		snprintf(err, errsz, "forward: cannot create a TLS context");
		return -1;
	}
	SSL_CTX_set_min_proto_version(f->ssl_ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(f->ssl_ctx, SSL_VERIFY_PEER, NULL);
	if (f->cfg.ca_file[0] ?
	    SSL_CTX_load_verify_locations(f->ssl_ctx, f->cfg.ca_file, NULL) != 1 :
	    SSL_CTX_set_default_verify_paths(f->ssl_ctx) != 1) {
		snprintf(err, errsz, "forward: cannot load CA file '%s': %s", f->cfg.ca_file,
		    ERR_reason_error_string(ERR_get_error()));
		return -1;
	}
	if (f->cfg.cert_file[0] &&
	    (SSL_CTX_use_certificate_chain_file(f->ssl_ctx, f->cfg.cert_file) != 1 ||
	    SSL_CTX_use_PrivateKey_file(f->ssl_ctx, f->cfg.key_file, SSL_FILETYPE_PEM) != 1)) {
		snprintf(err, errsz, "forward: cannot load client certificate '%s' / key '%s': %s",
		    f->cfg.cert_file, f->cfg.key_file, ERR_reason_error_string(ERR_get_error()));
		return -1;
	}
	return 0;
}

int
fwd_spool_open(const char *spool, int *spool_fd, int *offset_fd, char *err, size_t errsz)
{
	char path[600];

	*spool_fd = open(spool, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	snprintf(path, sizeof(path), "%s.offset", spool);
	*offset_fd = *spool_fd < 0 ? -1 : open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (*spool_fd < 0 || *offset_fd < 0) {
		snprintf(err, errsz, "forward: cannot open spool %s: %s", *spool_fd < 0 ? spool : path,
		    strerror(errno));
		if (*spool_fd >= 0)
			close(*spool_fd);
		*spool_fd = -1;
		return -1;
	}
	return 0;
}

static int
spool_adopt(struct fwd *f, int spool_fd, int offset_fd, char *err, size_t errsz)
{
	struct stat sb;

	f->spool_fd = spool_fd;
	f->offset_fd = offset_fd;
	if (fstat(f->spool_fd, &sb) != 0) {
		snprintf(err, errsz, "forward: cannot read spool %s: %s", f->cfg.spool, strerror(errno));
		return -1;
	}
	f->spool_size = (uint64_t)sb.st_size;
	offset_load(f);
	f->inflight_end = f->sent_off;
	return 0;
}

static struct fwd *
fwd_alloc(struct event_base *base, const struct fwd_cfg *cfg, char *err, size_t errsz)
{
	struct fwd *f = calloc(1, sizeof(*f));

	if (f == NULL) {
		snprintf(err, errsz, "forward: out of memory");
		return NULL;
	}
	f->cfg = *cfg;
	f->base = base;
	f->spool_fd = f->offset_fd = -1;
	if (f->cfg.spool_max == 0)
		f->cfg.spool_max = FWD_SPOOL_MAX_DEFAULT;
	if (f->cfg.reconnect_s == 0)
		f->cfg.reconnect_s = FWD_RECONNECT_S;
	if (resolve(f, err, errsz) != 0 || (cfg->tls && tls_setup(f, err, errsz) != 0) ||
	    (f->retry = evtimer_new(base, on_retry, f)) == NULL) {
		fwd_free(f);
		return NULL;
	}
	return f;
}

struct fwd *
fwd_new_fds(struct event_base *base, const struct fwd_cfg *cfg, int spool_fd, int offset_fd,
    char *err, size_t errsz)
{
	struct fwd *f = fwd_alloc(base, cfg, err, errsz);

	if (f == NULL) {
		close(spool_fd);
		close(offset_fd);
		return NULL;
	}
	if (spool_adopt(f, spool_fd, offset_fd, err, errsz) != 0) {
		fwd_free(f);
		return NULL;
	}
	fwd_connect(f);
	return f;
}

struct fwd *
fwd_new(struct event_base *base, const struct fwd_cfg *cfg, char *err, size_t errsz)
{
	struct fwd *f = fwd_alloc(base, cfg, err, errsz);
	int sfd, ofd;

	if (f == NULL)
		return NULL;
	if (fwd_spool_open(cfg->spool, &sfd, &ofd, err, errsz) != 0 ||
	    spool_adopt(f, sfd, ofd, err, errsz) != 0) {
		fwd_free(f);
		return NULL;
	}
	fwd_connect(f);
	return f;
}

void
fwd_free(struct fwd *f)
{
	if (f == NULL)
		return;
	if (f->bev)
		bufferevent_free(f->bev);
	if (f->retry)
		event_free(f->retry);
	if (f->ssl_ctx)
		SSL_CTX_free(f->ssl_ctx);
	if (f->spool_fd >= 0)
		close(f->spool_fd);
	if (f->offset_fd >= 0)
		close(f->offset_fd);
	free(f);
}

int
fwd_send(struct fwd *f, int severity, time_t ts, const char *msgid,
    const char *const *sd, const char *msg)
{
	char body[FWD_MSG_MAX];
	size_t blen = fwd_format(body, sizeof(body), severity, ts, f->cfg.hostname, msgid, sd, msg);

	return fwd_append(f, body, blen);
}

int
fwd_append(struct fwd *f, const char *body, size_t blen)
{
	char frame[FWD_MSG_MAX + 16];
	int flen;

	if (blen > FWD_MSG_MAX)
		blen = FWD_MSG_MAX;
	flen = snprintf(frame, sizeof(frame), "%zu ", blen);
	memcpy(frame + flen, body, blen);
	flen += (int)blen;
	if (f->spool_size + (uint64_t)flen > f->cfg.spool_max) {
		f->st.dropped++;
		return -1;
	}
	if (write(f->spool_fd, frame, (size_t)flen) != flen) {
		log_warn("forward: cannot append to %s", f->cfg.spool);
		f->st.dropped++;
		return -1;
	}
	f->spool_size += (uint64_t)flen;
	f->st.queued++;
	fwd_pump(f);
	return 0;
}

void
fwd_get_stats(const struct fwd *f, struct fwd_stats *st)
{
	*st = f->st;
	st->backlog_bytes = f->spool_size - f->sent_off;
}
