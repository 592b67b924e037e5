/*
 * store_support.h - a fresh SQLite store for a test: its database file in
 * /tmp, the observation queue the store ingests and the sink that fills
 * it, and the few queries tests read results with.
 */
#ifndef SW_STORE_SUPPORT_H
#define SW_STORE_SUPPORT_H

#include <stdbool.h>

#include "obs.h"
#include "obsq.h"
#include "oui.h"
#include "store.h"

struct store_fx {
	char		 path[64];	/* /tmp/sw-TAG-XXXXXX (not created until opened) */
	struct store	*st;
	struct obsq	*q;		/* unbounded */
	struct obs_sink	 sink;		/* into q */
	struct oui_db	*oui;		/* the shipped registry, when asked for */
};

/*
 * Open a new database named after tag, read-write, with an empty queue;
 * with_oui: the IEEE registry loaded and given to the store.  Fails the
 * test on any error.
 */
void	 store_fx_open(struct store_fx *f, const char *tag, bool with_oui);
/* Close the store, free the queue and remove the database and its -wal, -shm. */
void	 store_fx_close(struct store_fx *f);
/* One store_ingest: fails the test on a store error or if anything is left queued. */
void	 store_fx_flush(struct store_fx *f);
/* store_ingest until the queue is empty (a queue larger than one batch). */
void	 store_fx_drain(struct store_fx *f);
/* First column of the first row of sql, -1 if there is no row. */
long long store_fx_scalar(const struct store_fx *f, const char *sql);
/* The same as text ("" for no row or NULL), in a static buffer. */
const char *store_fx_text(const struct store_fx *f, const char *sql);

/* Remove a database and its -wal and -shm files. */
void	 db_files_unlink(const char *path);
/* An asset reference from a MAC and an IP string; NULL leaves that part unset. */
struct asset_ref asset_ref_of(const char *mac, const char *ip);

#endif
