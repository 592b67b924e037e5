/*
 * obsq.h - the bounded queue between the capture path and the store.
 *
 * An obs_sink whose emit copies the observation (value sanitised, cut at
 * OBS_VAL_MAX) into a preallocated ring.  When full, new observations are
 * dropped and counted; the capture path never waits.  A timer drains the
 * queue into the store in one transaction.
 */
#ifndef SW_OBSQ_H
#define SW_OBSQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sw_limits.h"
#include "obs.h"

struct obsq;

struct obsq	*obsq_new(size_t max);		/* OBSQ_MAX if 0 */
void		 obsq_free(struct obsq *q);
struct obs_sink	 obsq_sink(struct obsq *q);
size_t		 obsq_len(const struct obsq *q);
uint64_t	 obsq_dropped(const struct obsq *q);
uint64_t	 obsq_queued(const struct obsq *q);	/* accepted since start */
uint64_t	 obsq_queued_kind(const struct obsq *q, enum obs_kind k);

/*
 * Visit every queued observation in order without removing it.  The struct
 * obs passed to fn has val NUL-terminated and sanitised; it is valid until
 * obsq_consume().  Stops at the first non-zero return of fn and returns it.
 * The store visits inside a transaction and consumes only after COMMIT, so
 * a failed batch is retried whole.
 */
int		 obsq_foreach(struct obsq *q, int (*fn)(void *arg, const struct obs *o), void *arg);
/* Remove the first n queued observations. */
void		 obsq_consume(struct obsq *q, size_t n);
/*
 * Append an observation taken from another queue (its value is sanitised
 * already): not counted as queued again.  False, counted as dropped, when full.
 */
bool		 obsq_move(struct obsq *q, const struct obs *o);
/* The i-th waiting observation, oldest first; NULL past the end. */
const struct obs *obsq_at(const struct obsq *q, size_t i);
/* obsq_foreach, then consume all if every call returned 0. */
int		 obsq_drain(struct obsq *q, int (*fn)(void *arg, const struct obs *o), void *arg);

#endif
