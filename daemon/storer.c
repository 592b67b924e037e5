/*
 * storer.c - the store's writer thread (storer.h).
 *
 * One thread, one batch at a time: it sleeps on its condition variable
 * until storer_start(), stores the inbox, takes a copy of the counters,
 * marks itself idle and writes the eventfd.  The daemon's thread holds
 * the mutex only to read or flip the flags: never while SQLite runs.
 */
#include <sys/eventfd.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "storer.h"

struct storer {
	struct store		*st;
	struct obsq		*inbox;
	pthread_t		 th;
	bool			 started;
	int			 efd;

	pthread_mutex_t		 mu;
	pthread_cond_t		 wake, idle;
	bool			 busy;		/* a batch is asked for or running */
	bool			 stop;
	bool			 has_result;
	long			 result;
	struct store_stats	 stats;		/* as the last batch left them */
	uint64_t		 used_bytes;
};

static void
store_batch(struct storer *sw)
{
	long n = store_ingest(sw->st, sw->inbox);

	if (n >= 0 && store_maintain(sw->st) < 0)
		log_warnx("store: keeping the database within its bounds: %s; %s",
		    store_errmsg(sw->st), store_fault_advice(store_last_fault(sw->st)));
	pthread_mutex_lock(&sw->mu);
	store_get_stats(sw->st, &sw->stats);
	sw->used_bytes = store_used_bytes(sw->st);
	sw->result = n;
	sw->has_result = true;
	sw->busy = false;
	pthread_cond_broadcast(&sw->idle);
	pthread_mutex_unlock(&sw->mu);
}

static void *
writer_main(void *arg)
{
	struct storer *sw = arg;
	uint64_t one = 1;

	pthread_mutex_lock(&sw->mu);
	for (;;) {
		while (!sw->busy && !sw->stop)
			pthread_cond_wait(&sw->wake, &sw->mu);
		if (!sw->busy)
			break;
		pthread_mutex_unlock(&sw->mu);
		store_batch(sw);
		/* a full counter (never: the loop reads it) only delays the wake-up */
		if (write(sw->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			log_warn("store writer: eventfd");
		pthread_mutex_lock(&sw->mu);
	}
	pthread_mutex_unlock(&sw->mu);
	return NULL;
}

struct storer *
storer_new(struct store *st, char *err, size_t errsz)
{
	struct storer *sw = calloc(1, sizeof(*sw));
	sigset_t all, was;
	int rc;

	if (sw == NULL || (sw->inbox = obsq_new(0)) == NULL) {
		snprintf(err, errsz, "out of memory for the store writer's queue");
		free(sw);
		return NULL;
	}
	sw->st = st;
	pthread_mutex_init(&sw->mu, NULL);
	pthread_cond_init(&sw->wake, NULL);
	pthread_cond_init(&sw->idle, NULL);
	if ((sw->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		snprintf(err, errsz, "store writer: eventfd: %s", strerror(errno));
		storer_free(sw);
		return NULL;
	}
	store_get_stats(st, &sw->stats);
	sw->used_bytes = store_used_bytes(st);
	/* signals are the loop's (libevent's handlers): the thread starts with them blocked */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &was);
	rc = pthread_create(&sw->th, NULL, writer_main, sw);
	pthread_sigmask(SIG_SETMASK, &was, NULL);
	if (rc != 0) {
		snprintf(err, errsz, "store writer: cannot start its thread: %s", strerror(rc));
		storer_free(sw);
		return NULL;
	}
	sw->started = true;
	return sw;
}

void
storer_free(struct storer *sw)
{
	if (sw == NULL)
		return;
	if (sw->started) {
		pthread_mutex_lock(&sw->mu);
		sw->stop = true;
		pthread_cond_signal(&sw->wake);
		pthread_mutex_unlock(&sw->mu);
		pthread_join(sw->th, NULL);	/* a batch in progress is finished first */
	}
	if (sw->efd >= 0)
		close(sw->efd);
	pthread_mutex_destroy(&sw->mu);
	pthread_cond_destroy(&sw->wake);
	pthread_cond_destroy(&sw->idle);
	obsq_free(sw->inbox);
	free(sw);
}

int
storer_fd(const struct storer *sw)
{
	return sw->efd;
}

void
storer_ack(struct storer *sw)
{
	uint64_t n;

	while (read(sw->efd, &n, sizeof(n)) == (ssize_t)sizeof(n))
		;
}

bool
storer_busy(struct storer *sw)
{
	bool busy;

	pthread_mutex_lock(&sw->mu);
	busy = sw->busy;
	pthread_mutex_unlock(&sw->mu);
	return busy;
}

void
storer_wait(struct storer *sw)
{
	pthread_mutex_lock(&sw->mu);
	while (sw->busy)
		pthread_cond_wait(&sw->idle, &sw->mu);
	pthread_mutex_unlock(&sw->mu);
}

struct obsq *
storer_inbox(struct storer *sw)
{
	return sw->inbox;
}

void
storer_start(struct storer *sw)
{
	pthread_mutex_lock(&sw->mu);
	sw->busy = true;
	sw->has_result = false;
	pthread_cond_signal(&sw->wake);
	pthread_mutex_unlock(&sw->mu);
}

bool
storer_result(struct storer *sw, long *n)
{
	bool has;

	pthread_mutex_lock(&sw->mu);
	has = !sw->busy && sw->has_result;
	if (has) {
		*n = sw->result;
		sw->has_result = false;
	}
	pthread_mutex_unlock(&sw->mu);
	return has;
}

void
storer_stats(struct storer *sw, struct store_stats *out, uint64_t *used_bytes)
{
	pthread_mutex_lock(&sw->mu);
	*out = sw->stats;
	*used_bytes = sw->used_bytes;
	pthread_mutex_unlock(&sw->mu);
}
