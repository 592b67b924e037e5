/*
 * ingest.h - the asset model's write side (ingest.c), for batch.c alone.
 *
 * Inside store/ calls go one way: batch -> ingest -> model, batch ->
 * assess -> model, everything -> stmt (docs/ARCHITECTURE.md, "Inside the
 * store").  `make layering` refuses this header in any file of store/ but
 * batch.c and ingest.c, so nothing below the batch calls back up.
 */
#ifndef SW_INGEST_H
#define SW_INGEST_H

struct store;

/* Apply one observation (a struct obs) inside the batch's transaction; 0 or -1. */
int	 ingest_one(struct store *s, const void *obs);
int	 pending_flush(struct store *s);	/* write what the batch holds back */
void	 pending_drop(struct store *s);		/* forget it (the batch rolled back) */

#endif
