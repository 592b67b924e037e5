/*
 * flood.h - the gate new senders pass (flood.c): ingest.c asks it before
 * it creates an asset, batch.c ends and rolls back its batch, store.c
 * frees it.  No other file of store/ may include it (`make layering`).
 */
#ifndef SW_FLOOD_H
#define SW_FLOOD_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* 1 admit a new asset, 0 hold it back, -1 database error */
int	 flood_admit(struct store *s, uint8_t type, const uint8_t *addr, size_t len, long long ts);
int	 flood_batch_end(struct store *s);
void	 flood_rollback(struct store *s);
void	 flood_free(struct store *s);

#endif
