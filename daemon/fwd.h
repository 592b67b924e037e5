/*
 * fwd.h - forward events to the SOC's syslog collector as they happen.
 *
 * RFC 5424 messages over TCP with octet-counting framing (RFC 6587 3.4.1),
 * optionally over TLS with certificate and host name verification
 * (RFC 5425).  Every message is first appended to a spool file; a sender
 * on the libevent loop writes the spool to the collector in order and
 * remembers how far it got, so a collector that is down, or a daemon that
 * restarts, loses nothing: the backlog is replayed when the collector
 * comes back.  Delivery is at least once (TCP syslog has no
 * acknowledgement: bytes in flight when a connection breaks are sent
 * again).  The spool is bounded; what does not fit is dropped and counted.
 */
#ifndef SW_FWD_H
#define SW_FWD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sw_limits.h"

struct event_base;

#define FWD_RECONNECT_S		5		/* seconds between connection attempts */

struct fwd_cfg {
	char		 host[256];	/* collector: name or address, resolved at start / SIGHUP */
	uint16_t	 port;		/* 514 (TCP) / 6514 (TLS) by convention */
	bool		 tls;
	char		 ca_file[512];	/* CA bundle to verify the collector (TLS) */
	char		 cert_file[512];	/* optional client certificate (TLS) */
	char		 key_file[512];
	char		 spool[512];	/* spool file path; "<spool>.offset" beside it */
	size_t		 spool_max;	/* FWD_SPOOL_MAX_DEFAULT if 0 */
	char		 hostname[256];	/* HOSTNAME field: the sensor's name */
	unsigned	 reconnect_s;	/* FWD_RECONNECT_S if 0 */
};

struct fwd_stats {
	uint64_t	 queued;	/* messages accepted into the spool */
	uint64_t	 sent;		/* messages written to the collector */
	uint64_t	 dropped;	/* did not fit in the spool */
	uint64_t	 connects;
	uint64_t	 connect_failures;
	uint64_t	 backlog_bytes;	/* spooled, not yet sent */
	bool		 connected;
};

struct fwd;

struct fwd	*fwd_new(struct event_base *base, const struct fwd_cfg *cfg, char *err, size_t errsz);
/*
 * The same with the spool and its offset file already open (by
 * fwd_spool_open, before the forwarder's filter forbids opening files for
 * writing); it owns them from here, on failure too.
 */
struct fwd	*fwd_new_fds(struct event_base *base, const struct fwd_cfg *cfg, int spool_fd,
		    int offset_fd, char *err, size_t errsz);
int		 fwd_spool_open(const char *spool, int *spool_fd, int *offset_fd, char *err,
		    size_t errsz);
void		 fwd_free(struct fwd *f);

/*
 * Queue one message.  severity: syslog severity 0-7 (facility is local0).
 * msgid: RFC 5424 MSGID (no spaces, <= 32 bytes).  sd: structured data
 * params as name/value pairs (NULL-terminated list), put in one
 * [spanwatch@32473 ...] element with values escaped.  msg: free text.
 * Returns 0, or -1 if it was dropped (spool full or unwritable).
 */
int		 fwd_send(struct fwd *f, int severity, time_t ts, const char *msgid,
		    const char *const *sd, const char *msg);
/* Queue one message fwd_format made (the sensor's forwarder link: fwdproc.h). */
int		 fwd_append(struct fwd *f, const char *body, size_t blen);
void		 fwd_get_stats(const struct fwd *f, struct fwd_stats *st);

/* Format one RFC 5424 message (without framing) into out; returns its length. */
size_t		 fwd_format(char *out, size_t outsz, int severity, time_t ts,
		    const char *hostname, const char *msgid, const char *const *sd,
		    const char *msg);

#endif
