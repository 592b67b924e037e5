/*
 * riskset.h - the assets a store batch touched, whose risk verdict and
 * category are evaluated at its end.
 *
 * A bounded set kept in insertion order (the verdicts, and the events they
 * raise, come out in the order the batch touched the assets): an array,
 * and an open-addressed table from asset id to its place in the array, so
 * adding, finding and replacing an asset cost O(1) whatever the batch
 * holds, and the memory is fixed when the store opens.  Entries added
 * after a mark can be taken back when the observation that added them is
 * refused (store.c, apply_careful).
 */
#ifndef SW_RISKSET_H
#define SW_RISKSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct riskset_slot {
	int64_t		 id;		/* 0: empty */
	uint32_t	 at;		/* its index in ids[] */
};

struct riskset {
	int64_t			*ids;	/* insertion order; 0: merged away (riskset_replace) */
	struct riskset_slot	*slots;	/* 2 * cap rounded up to a power of two */
	size_t			 n, cap;
	uint32_t		 mask;
};

enum riskset_rc { RISKSET_ADDED, RISKSET_PRESENT, RISKSET_FULL };

int	 riskset_init(struct riskset *r, size_t cap);	/* 0, or -1 out of memory */
void	 riskset_free(struct riskset *r);
/* Add an asset id (> 0) at the end; RISKSET_FULL when cap entries are held. */
enum riskset_rc riskset_add(struct riskset *r, int64_t id);
bool	 riskset_has(const struct riskset *r, int64_t id);
/*
 * Asset from was merged into to: to takes from's place in the order (or
 * keeps its own if already listed, and from's place is left empty); when
 * from is not listed, to is added at the end.
 */
enum riskset_rc riskset_replace(struct riskset *r, int64_t from, int64_t to);
/* Forget the entries from index mark on (mark <= n). */
void	 riskset_truncate(struct riskset *r, size_t mark);
static inline void riskset_clear(struct riskset *r) { riskset_truncate(r, 0); }
static inline size_t riskset_len(const struct riskset *r) { return r->n; }
/* Entry i in insertion order; 0 for an entry merged away since. */
static inline int64_t riskset_at(const struct riskset *r, size_t i) { return r->ids[i]; }

#endif
