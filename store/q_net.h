/*
 * q_net.h - the read queries behind `spanwatch services` and `spanwatch
 * conversations`: every row handed to a callback, in the listing's order.
 * Strings are the stored bytes (NULL for SQL NULL), times Unix seconds.
 * The functions return SQLITE_DONE, or SQLite's error code (SQLITE_BUSY:
 * worth trying again); a callback returning false stops early (SQLITE_DONE).
 */
#ifndef SW_Q_NET_H
#define SW_Q_NET_H

#include <stdbool.h>
#include <stdint.h>

struct store;

/* The asset's current address: its newest address, else its key IP. */
struct qn_service {
	int64_t		 asset;
	const char	*mac, *ip, *transport, *protocol, *role;
	int		 port;
	int64_t		 first_seen, last_seen;
};

struct qn_conversation {
	int64_t		 client, server;
	const char	*client_mac, *client_ip, *server_mac, *server_ip;
	const char	*transport, *protocol;
	int		 port;
	int64_t		 packets, bytes, first_seen, last_seen;
};

/* Services by protocol, port, asset. */
int	 qn_services(struct store *st, bool (*cb)(void *arg, const struct qn_service *s),
	    void *arg);
/* Conversations, most bytes first. */
int	 qn_conversations(struct store *st,
	    bool (*cb)(void *arg, const struct qn_conversation *c), void *arg);

#endif
