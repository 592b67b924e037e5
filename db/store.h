/*
 * store.h - the SQLite store: inventory, evidence, history.
 *
 * Only db/ touches the database.  The daemon owns one read-write handle and
 * feeds it batches from the observation queue, one transaction per batch;
 * the CLI opens it read-only (WAL lets both run at once).
 */
#ifndef SW_STORE_H
#define SW_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct obsq;
struct store;

enum store_mode { STORE_RW, STORE_RO };

/*
 * Open (creating and migrating in RW mode).  On failure returns NULL and
 * writes a sentence for the operator into err: what is wrong with which
 * file, and what to do about it.
 */
struct store	*store_open(const char *path, enum store_mode mode, char *err, size_t errsz);
void		 store_close(struct store *st);

/*
 * Drain the observation queue into the database in one transaction.
 * Returns the number of observations applied, or -1 (message in
 * store_errmsg; the observations stay queued for the next try).
 */
long		 store_ingest(struct store *st, struct obsq *q);
const char	*store_errmsg(const struct store *st);

#endif
