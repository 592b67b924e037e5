/*
 * workers.c - the packet path on one core or several (workers.h).
 *
 * The reader (the caller's thread) copies each packet into the packet
 * ring of the worker its host pair hashes to: a single-producer,
 * single-consumer byte ring, positions only ever growing, published with
 * release stores.  A worker sleeps on its condition variable when its ring
 * is empty and nothing is asked of it; the reader wakes it only when it
 * says it sleeps, so a busy worker costs no system call per packet.
 *
 * Observations: a worker emits into its active queue under its own queue
 * lock; the drain swaps active and spare under that lock and stores the
 * spare without it, so a worker never waits for SQLite.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addrnote.h"
#include "bigmem.h"
#include "decode.h"
#include "sw_limits.h"
#include "workers.h"

struct ring_rec {
	uint32_t	 len;		/* whole record, header included, multiple of 8 */
	int32_t		 linktype;	/* RING_SKIP: padding to the end of the ring */
	uint32_t	 caplen, wirelen;
	uint64_t	 ts_us;
	uint64_t	 seq;		/* its place in the capture (workers.seq) */
};
#define RING_SKIP	(-1)
#define RING_AGE	(-2)	/* no packet: age the flows at ts_us (pipeline_age) */
#define REC_ALIGN(n)	(((n) + 7u) & ~(size_t)7u)

struct worker {
	struct workers	*ws;
	pthread_t	 th;
	bool		 started;
	struct pipeline	*pl;

	/* observations: emitted into *active, drained from the other */
	pthread_mutex_t	 qmu;
	struct obsq	*q[2];
	unsigned	 active;
	struct obs_sink	 sink;

	/* packets */
	uint64_t	 cur_seq;	/* of the packet being processed, or of the report request */
	uint8_t		*ring;
	_Atomic size_t	 head, tail;
	uint64_t	 handed;	/* packets put in the ring (the reader's) */
	_Atomic uint64_t ran;		/* ... and run (the worker's) */
	uint64_t	 ring_waits, ring_drops;

	/* sleeping and requests */
	pthread_mutex_t	 mu;
	pthread_cond_t	 wake, done, space;
	atomic_bool	 sleeping, stop;
	atomic_bool	 reader_waits;	/* the reader sleeps on space: this ring is full */
	atomic_uint	 req, ack;
	size_t		 report_pos;
	bool		 report_done;
	uint64_t	 report_seq;	/* the reader's place when the report was asked */
};

struct workers {
	unsigned	 n;
	bool		 lossless;
	struct worker	*w;
	struct obsq	*merged;	/* n > 1: the workers' observations in capture order */
	/* n > 1: the reader notes every frame's sender (addrnote.h) into addr_q */
	struct addr_noter *noter;
	struct obsq	*addr_q;
	struct obs_sink	 addr_sink;
	uint64_t	 addr_seq;	/* the number of the packet being noted */
	/* the capture's clock (its latest packet time) and when the flows were last aged */
	uint64_t	 now_us, aged_us;
	uint64_t	 seq;		/* places handed out: a packet, or an ageing just before one */
	struct pipeline	*inline_pl;	/* n == 1: no thread */
	struct obsq	*inline_q;
	struct obs_sink	 inline_sink;
};

/* --- the worker's side ----------------------------------------------------- */

/* The reader's address notes, numbered with the packet they came from. */
static void
addr_emit(void *arg, const struct obs *o)
{
	struct workers *ws = arg;
	struct obs_sink s = obsq_sink(ws->addr_q);
	struct obs c = *o;

	c.seq = ws->addr_seq;
	s.emit(s.arg, &c);
}

static void
locked_emit(void *arg, const struct obs *o)
{
	struct worker *wk = arg;
	struct obs_sink s;
	struct obs c = *o;

	c.seq = wk->cur_seq;
	pthread_mutex_lock(&wk->qmu);
	s = obsq_sink(wk->q[wk->active]);
	s.emit(s.arg, &c);
	pthread_mutex_unlock(&wk->qmu);
}

/* Run one queued packet; false if the ring is empty. */
static bool
run_one(struct worker *wk)
{
	size_t tail = atomic_load_explicit(&wk->tail, memory_order_relaxed);
	size_t head = atomic_load_explicit(&wk->head, memory_order_acquire);
	size_t off = tail & (WORKER_RING_BYTES - 1);
	const struct ring_rec *r;

	if (head == tail)
		return false;
	if (WORKER_RING_BYTES - off < sizeof(*r)) {	/* too little room for a header: implicit skip */
		atomic_store_explicit(&wk->tail, tail + (WORKER_RING_BYTES - off), memory_order_release);
		return true;
	}
	r = (const struct ring_rec *)(wk->ring + off);
	wk->cur_seq = r->seq;
	if (r->linktype == RING_AGE)
		pipeline_age(wk->pl, r->ts_us);
	else if (r->linktype != RING_SKIP)
		pipeline_packet(wk->pl, r->linktype, (const uint8_t *)(r + 1), r->caplen, r->wirelen,
		    r->ts_us);
	if (r->linktype >= 0)
		atomic_store_explicit(&wk->ran, atomic_load_explicit(&wk->ran,
		    memory_order_relaxed) + 1, memory_order_release);
	atomic_store_explicit(&wk->tail, tail + r->len, memory_order_release);
	return true;
}

static void
answer_request(struct worker *wk)
{
	unsigned req = atomic_load(&wk->req);

	if (req == atomic_load(&wk->ack))
		return;
	wk->cur_seq = wk->report_seq;
	wk->report_done = pipeline_report_flows_step(wk->pl, &wk->report_pos, OBSQ_MAX / 4);
	if (wk->report_done)
		wk->report_pos = 0;
	pthread_mutex_lock(&wk->mu);
	atomic_store(&wk->ack, req);
	pthread_cond_broadcast(&wk->done);
	pthread_mutex_unlock(&wk->mu);
}

static bool
idle(struct worker *wk)
{
	return atomic_load(&wk->head) == atomic_load(&wk->tail) &&
	    atomic_load(&wk->req) == atomic_load(&wk->ack) && !atomic_load(&wk->stop);
}

/* Nothing to do: sleep until the reader or the drain wakes us (or 10 ms). */
static void
doze(struct worker *wk)
{
	struct timespec until;

	pthread_mutex_lock(&wk->mu);
	atomic_store(&wk->sleeping, true);
	if (idle(wk)) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 10 * 1000 * 1000;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&wk->wake, &wk->mu, &until);
	}
	atomic_store(&wk->sleeping, false);
	pthread_mutex_unlock(&wk->mu);
}

static void *
worker_main(void *arg)
{
	struct worker *wk = arg;
	unsigned burst;

	for (;;) {
		for (burst = 0; burst < 256 && run_one(wk); burst++)
			;
		if (burst > 0 && atomic_load(&wk->reader_waits)) {
			pthread_mutex_lock(&wk->mu);
			pthread_cond_signal(&wk->space);
			pthread_mutex_unlock(&wk->mu);
		}
		if (burst > 0)
			continue;
		/*
		 * Only with the ring empty: the reader waits for the answer and
		 * hands out nothing meanwhile, so the report, and the queue the
		 * drain takes after it, hold every packet up to the reader's
		 * place, as one pipeline's would.  Answered before the ring was
		 * done, a worker behind the others reported its flows at an
		 * earlier place than the reader's and left observations of
		 * earlier packets for the next batch, after later ones of the
		 * others.
		 */
		answer_request(wk);
		if (atomic_load(&wk->stop))
			break;
		doze(wk);
	}
	return NULL;
}

/* --- the reader's side ----------------------------------------------------- */

static void
wake(struct worker *wk)
{
	if (!atomic_load(&wk->sleeping))
		return;
	pthread_mutex_lock(&wk->mu);
	pthread_cond_signal(&wk->wake);
	pthread_mutex_unlock(&wk->mu);
}

/* FNV-1a of one address; XOR of both ends is the same either way round. */
static uint64_t
end_hash(const uint8_t *a, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ a[i]) * 1099511628211ull;
	return h ^ (h >> 31);
}

/*
 * The worker of a packet: by its IP pair, an ARP frame by the addresses
 * it is about, any other frame by its MAC pair.  Decoding twice (here and
 * in the worker) costs a few hundred instructions; it keeps the hash
 * exactly where the pipeline reads its addresses.
 */
static unsigned
pick_worker(const struct workers *ws, int linktype, const uint8_t *frame, uint32_t caplen,
    uint32_t wirelen, uint64_t ts_us, struct pkt *pp)
{
	struct decode_stats scratch;
	const struct pkt *p = pp;
	uint64_t h;

	memset(&scratch, 0, sizeof(scratch));
	decode_packet(linktype, frame, caplen, wirelen, ts_us, pp, &scratch);
	if (p->src_ip.fam != 0 && p->dst_ip.fam != 0)
		h = end_hash(p->src_ip.a, sizeof(p->src_ip.a)) ^ end_hash(p->dst_ip.a, sizeof(p->dst_ip.a));
	else if (p->is_arp)
		h = end_hash(p->arp_spa.a, sizeof(p->arp_spa.a)) ^ end_hash(p->arp_tpa.a, sizeof(p->arp_tpa.a));
	else if (p->has_eth)
		h = end_hash(p->src_mac, 6) ^ end_hash(p->dst_mac, 6);
	else
		h = 0;
	return (unsigned)(h % ws->n);
}

static size_t
ring_free(const struct worker *wk)
{
	return WORKER_RING_BYTES - (atomic_load_explicit(&wk->head, memory_order_relaxed) -
	    atomic_load_explicit(&wk->tail, memory_order_acquire));
}

/*
 * Reading a file faster than a worker runs: sleep until it has made room
 * (it signals after each burst it runs while the flag is up; 1 ms at most,
 * in case).  A sched_yield() loop here burnt a core the workers needed
 * when the threads outnumber the cores.
 */
static void
wait_for_space(struct worker *wk, size_t need)
{
	struct timespec until;

	wake(wk);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += 1000 * 1000;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&wk->mu);
	atomic_store(&wk->reader_waits, true);
	if (ring_free(wk) < need)
		pthread_cond_timedwait(&wk->space, &wk->mu, &until);
	atomic_store(&wk->reader_waits, false);
	pthread_mutex_unlock(&wk->mu);
}

/* Room for need bytes at the head, padding to the ring's end if needed. */
static bool
ring_reserve(struct workers *ws, struct worker *wk, size_t need)
{
	size_t off = atomic_load_explicit(&wk->head, memory_order_relaxed) & (WORKER_RING_BYTES - 1);
	size_t pad = WORKER_RING_BYTES - off < need ? WORKER_RING_BYTES - off : 0;
	bool waited = false;

	while (ring_free(wk) < need + pad) {
		if (!ws->lossless) {
			wk->ring_drops++;
			return false;
		}
		if (!waited)
			wk->ring_waits++;
		waited = true;
		wait_for_space(wk, need + pad);
	}
	if (pad > 0) {
		if (pad >= sizeof(struct ring_rec)) {
			struct ring_rec *skip = (struct ring_rec *)(wk->ring + off);

			skip->len = (uint32_t)pad;
			skip->linktype = RING_SKIP;
		}
		atomic_store_explicit(&wk->head, atomic_load(&wk->head) + pad, memory_order_release);
	}
	return true;
}

/*
 * Every worker ages its flows where one pipeline would: at the packet
 * that moves the capture's clock FLOW_EXPIRE_EVERY_US past the last
 * ageing, before that packet (its number is one less).  On its own
 * packets alone a worker aged them later, and its flows' reports came
 * later than one pipeline's (the real-traffic mix: an IEC 104 server's
 * service reported after its router had become a gateway, so the server
 * became an asset of its own with two workers and not with one).  A full
 * ring (live) skips the record: the worker then ages on its next packet.
 */
static void
age_all(struct workers *ws, uint64_t ts_us)
{
	size_t need = REC_ALIGN(sizeof(struct ring_rec));

	if (ts_us > ws->now_us)
		ws->now_us = ts_us;
	if (ws->now_us - ws->aged_us < FLOW_EXPIRE_EVERY_US)
		return;
	ws->aged_us = ws->now_us;
	++ws->seq;
	for (unsigned i = 0; i < ws->n; i++) {
		struct worker *wk = &ws->w[i];
		struct ring_rec *r;
		size_t head;

		/* live, a full ring: no record (and no packet drop counted for it) */
		if ((!ws->lossless && ring_free(wk) < 2 * need) || !ring_reserve(ws, wk, need))
			continue;
		head = atomic_load_explicit(&wk->head, memory_order_relaxed);
		r = (struct ring_rec *)(wk->ring + (head & (WORKER_RING_BYTES - 1)));
		memset(r, 0, sizeof(*r));
		r->len = (uint32_t)need;
		r->linktype = RING_AGE;
		r->ts_us = ws->now_us;
		r->seq = ws->seq;
		atomic_store_explicit(&wk->head, head + need, memory_order_release);
		wake(wk);
	}
}

void
workers_packet(struct workers *ws, int linktype, const uint8_t *frame, uint32_t caplen,
    uint32_t wirelen, uint64_t ts_us)
{
	struct worker *wk;
	struct ring_rec *r;
	size_t need = REC_ALIGN(sizeof(*r) + caplen);
	size_t head;
	struct pkt p;

	if (ws->n == 1) {
		pipeline_packet(ws->inline_pl, linktype, frame, caplen, wirelen, ts_us);
		return;
	}
	wk = &ws->w[pick_worker(ws, linktype, frame, caplen, wirelen, ts_us, &p)];
	age_all(ws, ts_us);
	/* the sender's address, noted here for every worker, in capture order */
	ws->addr_seq = ++ws->seq;
	addr_note_pkt(ws->noter, &p, ts_us);
	/*
	 * Lossless (a file): at most WORKER_AHEAD_LOSSLESS packets ahead of
	 * the worker.  The reader decides a flush from the queues after each
	 * chunk; a worker a whole ring behind (8 MiB: some 80,000 small
	 * packets) filled its queue past the flush's headroom after that look
	 * and the observations beyond it were dropped (100,000 hosts, -w 2:
	 * 174,558 lost).
	 */
	while (ws->lossless && wk->handed - atomic_load_explicit(&wk->ran, memory_order_acquire) >=
	    WORKER_AHEAD_LOSSLESS) {
		wk->ring_waits++;
		wait_for_space(wk, WORKER_RING_BYTES);
	}
	if (need > WORKER_RING_BYTES / 4 || !ring_reserve(ws, wk, need)) {
		if (need > WORKER_RING_BYTES / 4)
			wk->ring_drops++;
		return;
	}
	head = atomic_load_explicit(&wk->head, memory_order_relaxed);
	r = (struct ring_rec *)(wk->ring + (head & (WORKER_RING_BYTES - 1)));
	r->len = (uint32_t)need;
	r->linktype = linktype;
	r->caplen = caplen;
	r->wirelen = wirelen;
	r->ts_us = ts_us;
	r->seq = ws->seq;
	memcpy(r + 1, frame, caplen);
	wk->handed++;
	atomic_store_explicit(&wk->head, head + need, memory_order_release);
	wake(wk);
}

static void
packet_cb(void *arg, int linktype, const uint8_t *frame, uint32_t caplen, uint32_t wirelen,
    uint64_t ts_us)
{
	workers_packet(arg, linktype, frame, caplen, wirelen, ts_us);
}

workers_packet_fn
workers_packet_entry(struct workers *ws, void **arg)
{
	if (ws->n == 1) {
		*arg = ws->inline_pl;
		return pipeline_packet_cb;
	}
	*arg = ws;
	return packet_cb;
}

/* --- draining -------------------------------------------------------------- */

/* Ask the worker for one step of its flow report; wait for the answer. */
static bool
request_report_step(struct worker *wk)
{
	unsigned req;

	pthread_mutex_lock(&wk->mu);
	wk->report_seq = wk->ws->seq;
	req = atomic_fetch_add(&wk->req, 1) + 1;
	pthread_cond_signal(&wk->wake);
	while (atomic_load(&wk->ack) != req)
		pthread_cond_wait(&wk->done, &wk->mu);
	pthread_mutex_unlock(&wk->mu);
	return wk->report_done;
}

/* The queue the worker is not writing, swapped in when it is empty. */
static struct obsq *
take_spare(struct worker *wk)
{
	struct obsq *spare;

	pthread_mutex_lock(&wk->qmu);
	if (obsq_len(wk->q[wk->active ^ 1]) == 0)
		wk->active ^= 1;
	spare = wk->q[wk->active ^ 1];
	pthread_mutex_unlock(&wk->qmu);
	return spare;
}

/*
 * The spares of every worker merged in capture order (the number of the
 * packet that made each observation) into one queue, so the store sees
 * them in the order one pipeline would have made them: the asset model's
 * gateway and address rules look at what came before, and a capture's
 * time may go backwards.  Each spare is in that order already: a k-way
 * merge.
 */
static void
merge_spares(struct workers *ws, struct obsq **spare)
{
	struct obsq *in[WORKERS_MAX + 1];
	size_t pos[WORKERS_MAX + 1] = { 0 };
	unsigned m = ws->n + 1;

	/* the reader's addresses first: a tie (one packet) goes to them, as in one pipeline */
	in[0] = ws->addr_q;
	for (unsigned i = 0; i < ws->n; i++)
		in[i + 1] = spare[i];
	for (;;) {
		const struct obs *best = NULL, *o;
		unsigned bi = 0;

		for (unsigned i = 0; i < m; i++)
			if ((o = obsq_at(in[i], pos[i])) != NULL && (best == NULL || o->seq < best->seq)) {
				best = o;
				bi = i;
			}
		if (best == NULL || !obsq_move(ws->merged, best))
			break;	/* full: the rest waits in its queue for the next drain */
		pos[bi]++;
	}
	for (unsigned i = 0; i < m; i++)
		obsq_consume(in[i], pos[i]);
}

static void
drain_inline(struct workers *ws, bool report_flows, workers_ingest_fn ingest, void *arg)
{
	size_t pos = 0;
	bool done = !report_flows;

	do {
		if (report_flows)
			done = pipeline_report_flows_step(ws->inline_pl, &pos, OBSQ_MAX / 4);
		if (!ingest(arg, ws->inline_q))
			return;
	} while (!done);
}

/* One step of every worker's flow report (or none); true when all are done. */
static bool
report_step(struct workers *ws, bool *done)
{
	bool all = true;

	for (unsigned i = 0; i < ws->n; i++) {
		struct worker *wk = &ws->w[i];

		if (done[i])
			continue;
		if (wk->pl == NULL)
			done[i] = true;
		else if (wk->started)
			done[i] = request_report_step(wk);
		else {
			wk->cur_seq = ws->seq;
			done[i] = pipeline_report_flows_step(wk->pl, &wk->report_pos, OBSQ_MAX / 4);
		}
		all = all && done[i];
	}
	return all;
}

void
workers_drain(struct workers *ws, bool report_flows, workers_ingest_fn ingest, void *arg)
{
	bool done[WORKERS_MAX], all;
	struct obsq *spare[WORKERS_MAX];

	if (ws->n == 1) {
		drain_inline(ws, report_flows, ingest, arg);
		return;
	}
	for (unsigned i = 0; i < ws->n; i++)
		done[i] = !report_flows;
	do {
		if (obsq_len(ws->merged) > 0 && !ingest(arg, ws->merged))	/* what a failed store left */
			return;
		all = report_step(ws, done);
		for (unsigned i = 0; i < ws->n; i++)
			spare[i] = take_spare(&ws->w[i]);
		merge_spares(ws, spare);
		if (!ingest(arg, ws->merged))
			return;
	} while (!all);
}

size_t
workers_queued_max(const struct workers *ws)
{
	size_t m = 0;

	if (ws->n == 1)
		return obsq_len(ws->inline_q);
	m = obsq_len(ws->addr_q);
	for (unsigned i = 0; i < ws->n; i++) {
		struct worker *wk = &ws->w[i];
		size_t len;

		pthread_mutex_lock(&wk->qmu);
		len = obsq_len(wk->q[wk->active]);
		pthread_mutex_unlock(&wk->qmu);
		if (len > m)
			m = len;
	}
	return m;
}

/* --- life cycle ------------------------------------------------------------ */

static int
worker_init(struct workers *ws, struct worker *wk, const struct pipeline_cfg *cfg)
{
	struct pipeline_cfg c = *cfg;
	sigset_t all, was;
	int rc;

	wk->ws = ws;
	pthread_mutex_init(&wk->qmu, NULL);
	pthread_mutex_init(&wk->mu, NULL);
	pthread_cond_init(&wk->wake, NULL);
	pthread_cond_init(&wk->done, NULL);
	pthread_cond_init(&wk->space, NULL);
	if ((wk->q[0] = obsq_new(0)) == NULL || (wk->q[1] = obsq_new(0)) == NULL)
		return -1;
	if ((wk->ring = bigmem_alloc(WORKER_RING_BYTES)) == NULL)
		return -1;
	wk->sink.emit = locked_emit;
	wk->sink.arg = wk;
	/* the flow cap is the whole daemon's: shared out */
	c.flow_max = (cfg->flow_max ? cfg->flow_max : FLOW_MAX_DEFAULT) / ws->n;
	c.no_addresses = true;	/* the reader notes them (addr_q) */
	if ((wk->pl = pipeline_new(&c, &wk->sink)) == NULL)
		return -1;
	/* signals are the daemon loop's: the worker starts with them blocked */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &was);
	rc = pthread_create(&wk->th, NULL, worker_main, wk);
	pthread_sigmask(SIG_SETMASK, &was, NULL);
	if (rc != 0)
		return -1;
	wk->started = true;
	return 0;
}

struct workers *
workers_new(unsigned n, const struct pipeline_cfg *cfg, bool lossless, char *err, size_t errsz)
{
	struct workers *ws = calloc(1, sizeof(*ws));

	if (ws == NULL)
		goto oom;
	ws->n = n ? n : 1;
	ws->lossless = lossless;
	if (ws->n == 1) {
		if ((ws->inline_q = obsq_new(0)) == NULL)
			goto oom;
		ws->inline_sink = obsq_sink(ws->inline_q);
		if ((ws->inline_pl = pipeline_new(cfg, &ws->inline_sink)) == NULL)
			goto oom;
		return ws;
	}
	if (ws->n > WORKERS_MAX) {
		snprintf(err, errsz, "%u workers asked, at most %u", ws->n, WORKERS_MAX);
		workers_free(ws);
		return NULL;
	}
	if ((ws->w = calloc(ws->n, sizeof(*ws->w))) == NULL ||
	    (ws->merged = obsq_new((ws->n + 1) * OBSQ_MAX)) == NULL ||
	    (ws->addr_q = obsq_new(0)) == NULL || (ws->noter = calloc(1, sizeof(*ws->noter))) == NULL)
		goto oom;
	ws->addr_sink.emit = addr_emit;
	ws->addr_sink.arg = ws;
	ws->noter->sink = &ws->addr_sink;
	for (unsigned i = 0; i < ws->n; i++)
		if (worker_init(ws, &ws->w[i], cfg) != 0)
			goto oom;
	return ws;
oom:
	snprintf(err, errsz, "out of memory for %u workers' flow tables and queues", n);
	workers_free(ws);
	return NULL;
}

/* Every packet handed over is processed before the threads end. */
void
workers_stop(struct workers *ws)
{
	if (ws == NULL || ws->n == 1)
		return;
	for (unsigned i = 0; i < ws->n; i++) {
		struct worker *wk = &ws->w[i];

		if (!wk->started)
			continue;
		pthread_mutex_lock(&wk->mu);
		atomic_store(&wk->stop, true);
		pthread_cond_signal(&wk->wake);
		pthread_mutex_unlock(&wk->mu);
		pthread_join(wk->th, NULL);
		wk->started = false;
	}
}

/* End of input: every worker's flows released, their pipelines kept. */
void
workers_end_flows(struct workers *ws)
{
	if (ws == NULL)
		return;
	workers_stop(ws);
	pipeline_end_flows(ws->inline_pl);
	for (unsigned i = 0; ws->w && i < ws->n; i++) {
		ws->w[i].cur_seq = ws->seq;	/* the last reports come after every packet */
		pipeline_end_flows(ws->w[i].pl);
	}
}

void
workers_release(struct workers *ws)
{
	if (ws == NULL)
		return;
	workers_stop(ws);
	pipeline_free(ws->inline_pl);
	ws->inline_pl = NULL;
	for (unsigned i = 0; ws->w && i < ws->n; i++) {
		ws->w[i].cur_seq = ws->seq;	/* the last reports come after every packet */
		pipeline_free(ws->w[i].pl);
		ws->w[i].pl = NULL;
	}
}

void
workers_free(struct workers *ws)
{
	if (ws == NULL)
		return;
	workers_release(ws);
	obsq_free(ws->inline_q);
	obsq_free(ws->merged);
	obsq_free(ws->addr_q);
	free(ws->noter);
	for (unsigned i = 0; ws->w && i < ws->n; i++) {
		struct worker *wk = &ws->w[i];

		obsq_free(wk->q[0]);
		obsq_free(wk->q[1]);
		bigmem_free(wk->ring, WORKER_RING_BYTES);
		pthread_mutex_destroy(&wk->qmu);
		pthread_mutex_destroy(&wk->mu);
		pthread_cond_destroy(&wk->wake);
		pthread_cond_destroy(&wk->done);
		pthread_cond_destroy(&wk->space);
	}
	free(ws->w);
	free(ws);
}

unsigned
workers_count(const struct workers *ws)
{
	return ws->n;
}

/* --- counters -------------------------------------------------------------- */

/*
 * Counters summed by name over the workers.  Every pipeline walks the same
 * names in the same order, so the sums are kept in walk order and a name
 * is looked up only when the order differs.
 */
struct sum_entry {
	char		 name[96];
	uint64_t	 v;
};
struct sums {
	struct sum_entry e[WORKERS_COUNTERS_MAX];
	size_t		 n, pos;
	bool		 first;
};

static void
sum_counter(void *arg, const char *name, uint64_t v)
{
	struct sums *s = arg;
	size_t i;

	if (s->first) {
		if (s->n < WORKERS_COUNTERS_MAX) {
			snprintf(s->e[s->n].name, sizeof(s->e[s->n].name), "%s", name);
			s->e[s->n++].v = v;
		}
		return;
	}
	i = s->pos++;
	if (i >= s->n || strcmp(s->e[i].name, name) != 0)
		for (i = 0; i < s->n && strcmp(s->e[i].name, name) != 0; i++)
			;
	if (i < s->n)
		s->e[i].v += v;
}

static void
walk_sums(const struct workers *ws, bool protos, counter_cb cb, void *arg)
{
	struct sums *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return;
	for (unsigned i = 0; i < ws->n; i++) {
		if (ws->w[i].pl == NULL)
			continue;
		s->first = s->n == 0;
		s->pos = 0;
		if (protos)
			pipeline_proto_counts(ws->w[i].pl, sum_counter, s);
		else
			pipeline_stats_walk(ws->w[i].pl, sum_counter, s);
	}
	for (size_t i = 0; i < s->n; i++) {
		/* the reader's address notes filter repeats too (addrnote.h) */
		if (!protos && strcmp(s->e[i].name, "obs.repeats_suppressed") == 0)
			s->e[i].v += ws->noter->fc.suppressed;
		cb(arg, s->e[i].name, s->e[i].v);
	}
	free(s);
}

void
workers_stats_walk(const struct workers *ws, counter_cb cb, void *arg)
{
	if (ws->n == 1) {
		if (ws->inline_pl)
			pipeline_stats_walk(ws->inline_pl, cb, arg);
		return;
	}
	walk_sums(ws, false, cb, arg);
}

void
workers_proto_counts(const struct workers *ws, counter_cb cb, void *arg)
{
	if (ws->n == 1) {
		if (ws->inline_pl)
			pipeline_proto_counts(ws->inline_pl, cb, arg);
		return;
	}
	walk_sums(ws, true, cb, arg);
}

uint64_t
workers_packets(const struct workers *ws)
{
	uint64_t n = 0;

	if (ws->n == 1)
		return ws->inline_pl ? pipeline_packets(ws->inline_pl) : 0;
	for (unsigned i = 0; i < ws->n; i++)
		if (ws->w[i].pl)
			n += pipeline_packets(ws->w[i].pl);
	return n;
}

static void
add_queue(struct workers_qstats *out, const struct obsq *q, bool waiting)
{
	out->queued += obsq_queued(q);
	out->dropped += obsq_dropped(q);
	if (waiting)
		out->waiting += obsq_len(q);
	for (int k = 0; k <= OBS_OP; k++)
		out->by_kind[k] += obsq_queued_kind(q, (enum obs_kind)k);
}

void
workers_qstats(const struct workers *ws, struct workers_qstats *out)
{
	memset(out, 0, sizeof(*out));
	if (ws->n == 1) {
		add_queue(out, ws->inline_q, true);
		return;
	}
	add_queue(out, ws->merged, true);
	add_queue(out, ws->addr_q, true);
	for (unsigned i = 0; i < ws->n; i++) {
		struct worker *wk = &ws->w[i];

		pthread_mutex_lock(&wk->qmu);
		add_queue(out, wk->q[0], true);
		add_queue(out, wk->q[1], true);
		pthread_mutex_unlock(&wk->qmu);
		out->ring_waits += wk->ring_waits;
		out->ring_drops += wk->ring_drops;
	}
}
