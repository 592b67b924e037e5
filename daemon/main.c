/*
 * main.c - spanwatchd: arguments, start-up order, the libevent loop.
 *
 * Start-up: read the configuration, open the capture (privileged), the
 * database and the control socket, then drop to the unprivileged user.
 * The loop: packets -> pipeline -> observation queue (never blocks);
 * a timer flushes the queue into SQLite in one transaction; SIGTERM and
 * SIGINT flush and exit; SIGHUP re-reads the configuration and the risk
 * tables and re-evaluates every asset.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <syslog.h>

#include "capture.h"
#include "config.h"
#include "ctl.h"
#include "dissector.h"
#include "export_job.h"
#include "fwdproc.h"
#include "log.h"
#include "obsq.h"
#include "oui.h"
#include "workers.h"
#include "pipeline.h"
#include "privdrop.h"
#include "sandbox.h"
#include "events.h"
#include "store.h"
#include "storer.h"
#include "summary.h"
#include "sw_limits.h"
#include "tables.h"
#include "vendor_ids.h"
#include "asinfo.h"

#define EXIT_USAGE	2
#define EXIT_DB		3

/*
 * A failing store: each retry waits twice as long as the last (up to
 * STORE_RETRY_MAX_MS) while the queue holds what waits; `status` shows it.
 */
struct store_retry {
	unsigned		 failures;	/* consecutive failed batches */
	struct timespec		 next;		/* no new attempt before this (monotonic) */
	bool			 gave_up;	/* -r: reading stopped, the exit status is 3 */
};

struct daemon {
	struct config		 cfg;		/* running: the file + command line */
	struct config		 file_cfg;	/* as last read from the file */
	const char		*config_path;
	const char		*file;		/* -r FILE, or NULL when capturing live */
	bool			 config_required;
	struct event_base	*base;
	struct capture		*cap;
	struct workers		*wk;	/* the pipeline(s): packet/workers.h */
	struct store		*st;
	struct storer		*sw;	/* the store's writer thread (storer.h), with st */
	bool			 flush_cut;	/* live: a flush met a busy writer; it goes on when that is done */
	struct tables		 tables;	/* OUI, vendor ids and origins, policy, rules, maps, services */
	struct asinfo		*asinfo;	/* libloc: who runs an Internet address */
	struct ctl		*ctl;
	struct fwdlink		*fwd;	/* the forwarder process (fwdproc.h), NULL: none */
	struct store_retry	 sr;
	struct event		*ev_cap, *ev_flush, *ev_progress, *ev_export, *ev_stored;
	char			 exported_on[16];	/* local date of the last scheduled export */
	time_t			 export_retry_at;	/* a failed export is tried again then, 0: none */
	unsigned		 export_failing;	/* failed runs in a row */
	struct event		*ev_sig[4];
	int			 exit_code;
	bool			 done;
	bool			 progress;	/* a progress line on the terminal */
	bool			 progress_shown; /* ... and it is there now */
	struct timespec		 t0;
	struct timespec		 started;	/* main() entered */
	uint64_t		 startup_us;	/* from main() to the first packet */
	uint64_t		 flushed_at;	/* -r: packets read at the last count flush */
	long long		 events_forwarded;	/* events table id already forwarded */
	int			 verbose;	/* -v count, added to [daemon] log_level */
	bool			 stats;		/* --stats: -r prints the counters, not the summary */
	char			*files[CAPTURE_FILES_MAX];	/* -r: the files, in time order */
	size_t			 nfiles, nfile;	/* how many; the one being read */
	char			 file_label[600];	/* "a.pcap" or "3 files (a.pcap ... c.pcap)" */
	struct summary_in	 sum;		/* -r: what the summary says */
	char			 sum_protos[1024];
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: spanwatchd [-dv] [-c CONFIG] [--db FILE] [-u USER] [-w N] [--no-ndpi]\n"
	    "                  (-r FILE | -i IFACE [-f BPF] | --nfqueue N)\n"
	    "       spanwatchd --list-dissectors | --version | --help\n"
	    "  -r FILE|DIR    read pcap/pcapng files (repeat -r, or a directory of them),\n"
	    "                 in the order of their first packets, print a summary, exit\n"
	    "  --stats        with -r: print the counters instead of the summary\n"
	    "  -i IFACE       capture live on a SPAN/mirror port (promiscuous)\n"
	    "  -f BPF         capture filter for -i\n"
	    "  --nfqueue N    read NFQUEUE N; the verdict is always ACCEPT (fail-open)\n"
	    "  -c CONFIG      configuration file (default " CONFIG_DEFAULT ")\n"
	    "  --db FILE      database (default: the configuration's [store] database)\n"
	    "  --control PATH control socket (default: the configuration's [daemon] control_socket)\n"
	    "  -u USER        drop privileges to USER after opening the capture\n"
	    "  -d             stay in the foreground and log to stderr\n"
	    "  -v             more log output (repeat for debug)\n"
	    "  -w N           N packet-path threads, flows split by host pair (default 1)\n"
	    "  --no-ndpi      do not classify flows with nDPI\n");
}

static double
elapsed(const struct daemon *d)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - d->t0.tv_sec) + (double)(t.tv_nsec - d->t0.tv_nsec) / 1e9;
}

/* --- flushing ------------------------------------------------------------ */

static const char *
jstr_or(json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s && s[0] ? s : dflt;
}

/* ISO 8601 back to a time_t for the syslog header. */
static time_t
iso_time(const char *iso)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (iso == NULL || strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm) == NULL)
		return time(NULL);
	return timegm(&tm);
}

/*
 * One event as one syslog message: MSGID the kind, the structured data
 * what a SIEM rule keys on (docs/EXPORT.md, "Syslog").  Events of the
 * learning period are not alerts and stay home.
 */
static int
forward_one(void *arg, json_t *ev)
{
	struct daemon *d = arg;
	json_t *c = json_object_get(ev, "client"), *s = json_object_get(ev, "server");
	char id[24], sev[8], count[24], asset[24];
	int severity = (int)json_integer_value(json_object_get(ev, "severity"));
	const char *kind = jstr_or(ev, "kind", "event");
	bool op = strcmp(kind, "operation") == 0;
	const char *sd[40];
	size_t n = 0;

	d->events_forwarded = json_integer_value(json_object_get(ev, "id"));
	if (json_is_true(json_object_get(ev, "baseline"))) {
		json_decref(ev);
		return 0;
	}
	snprintf(id, sizeof(id), "%lld", (long long)d->events_forwarded);
	snprintf(sev, sizeof(sev), "%d", severity);
	snprintf(asset, sizeof(asset), "%lld", (long long)json_integer_value(json_object_get(ev, "asset")));
	snprintf(count, sizeof(count), "%lld", (long long)json_integer_value(json_object_get(ev, "count")));
#define SD(k, v) do { sd[n++] = (k); sd[n++] = (v); } while (0)
	SD("sensor", d->cfg.sensor_name);
	SD("site", d->cfg.site);
	SD("event_id", id);
	SD("kind", kind);
	SD("severity", sev);
	SD("asset", asset);
	SD("mac", jstr_or(ev, "asset_mac", ""));
	SD("ip", jstr_or(ev, "asset_ip", ""));
	if (op) {
		SD("protocol", jstr_or(ev, "protocol", ""));
		SD("operation", jstr_or(ev, "operation", ""));
		SD("client_ip", jstr_or(c, "ip", ""));
		SD("client_mac", jstr_or(c, "mac", ""));
		SD("server_ip", jstr_or(s, "ip", ""));
		SD("server_mac", jstr_or(s, "mac", ""));
		SD("outcome", jstr_or(ev, "outcome", "unknown"));
		SD("count", count);
	} else {
		SD("field", jstr_or(ev, "field", ""));
		SD("old", jstr_or(ev, "old", ""));
		SD("new", jstr_or(ev, "new", ""));
	}
#undef SD
	sd[n] = NULL;
	fwdlink_send(d->fwd, ev_syslog_severity(severity), iso_time(jstr_or(ev, "ts", NULL)),
	    op ? jstr_or(ev, "operation", kind) : kind, sd, jstr_or(ev, "detail", kind));
	json_decref(ev);
	return 0;
}

static void
forward_new_events(struct daemon *d)
{
	struct event_filter f = { .after_id = 0 };

	if (d->fwd == NULL || d->st == NULL)
		return;
	f.after_id = d->events_forwarded;
	if (store_events(d->st, &f, forward_one, d, NULL) < 0)
		log_warnx("forward: %s; retried after the next batch", store_errmsg(d->st));
}

static void	 finish(struct daemon *d);

/* Observations waiting for the store, and those the queues had to drop. */
static size_t
backlog(const struct daemon *d)
{
	struct workers_qstats qs;

	workers_qstats(d->wk, &qs);
	if (d->sw && !storer_busy(d->sw))
		qs.waiting += obsq_len(storer_inbox(d->sw));
	return (size_t)qs.waiting;
}

static uint64_t
dropped(const struct daemon *d)
{
	struct workers_qstats qs;

	workers_qstats(d->wk, &qs);
	return qs.dropped;
}

static long
ms_until(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(t->tv_sec - now.tv_sec) * 1000 + (t->tv_nsec - now.tv_nsec) / 1000000;
}

/* The store failed and its next attempt is not due yet. */
static bool
store_backing_off(const struct daemon *d)
{
	return d->st && d->sr.failures > 0 && ms_until(&d->sr.next) > 0;
}

static void
retry_later(struct daemon *d)
{
	long ms = STORE_RETRY_FIRST_MS;

	for (unsigned i = 1; i < d->sr.failures && ms < STORE_RETRY_MAX_MS; i++)
		ms *= 2;
	if (ms > STORE_RETRY_MAX_MS)
		ms = STORE_RETRY_MAX_MS;
	clock_gettime(CLOCK_MONOTONIC, &d->sr.next);
	d->sr.next.tv_sec += ms / 1000;
	d->sr.next.tv_nsec += (ms % 1000) * 1000000;
	if (d->sr.next.tv_nsec >= 1000000000) {
		d->sr.next.tv_sec++;
		d->sr.next.tv_nsec -= 1000000000;
	}
	log_warnx("store: %s; %s; %zu observations wait, next try in %.0f s",
	    store_errmsg(d->st), store_fault_advice(store_last_fault(d->st)), backlog(d),
	    (double)ms / 1000);
}

/*
 * A batch failed.  Live, the observations wait for the next try, except
 * while stopping: there is no next try then.  Reading a file, a lock may be
 * released: a few tries, reading paused meanwhile; anything else (or the
 * last try) stops the run with exit status 3.
 */
static void
store_failed(struct daemon *d)
{
	enum store_fault f = store_last_fault(d->st);

	d->sr.failures++;
	if (d->file && (!store_fault_transient(f) || d->sr.failures >= STORE_FILE_TRIES)) {
		d->sr.gave_up = true;
		d->exit_code = EXIT_DB;
		finish(d);
	} else if (d->done && !d->file) {
		log_warnx("store: %s; %s; %zu observations are lost (stopping)", store_errmsg(d->st),
		    store_fault_advice(f), backlog(d));
		d->exit_code = EXIT_DB;
	} else
		retry_later(d);
}

/*
 * The writer's last batch, once it has ended: what follows a store_ingest.
 * False when it failed (store_failed() has decided what happens next).
 */
static bool
batch_done(struct daemon *d)
{
	long n;

	if (d->sw == NULL || !storer_result(d->sw, &n))
		return true;
	if (n < 0) {
		store_failed(d);
		return false;
	}
	if (d->sr.failures > 0)
		log_info("store: writing again after %u failed tries", d->sr.failures);
	d->sr.failures = 0;
	if (n > 0)
		forward_new_events(d);
	return true;
}

/* Wait for the writer and take its result: the store is this thread's until the next batch. */
static void
store_idle(struct daemon *d)
{
	if (d->sw == NULL)
		return;
	storer_wait(d->sw);
	batch_done(d);
}

/*
 * May the inbox take observations now?  Live, a busy writer means not now
 * (they wait in the queues: the capture never waits for SQLite); reading a
 * file, or stopping, the writer is waited for, so batches end where they
 * would have without the thread and a file read twice gives the same
 * database.
 */
static bool
inbox_ready(struct daemon *d)
{
	if (storer_busy(d->sw)) {
		if (!d->file && !d->done)
			return false;
		storer_wait(d->sw);
	}
	if (!batch_done(d))
		return false;
	return !d->sr.gave_up && (d->done || !store_backing_off(d));
}

/* Hand the inbox to the writer, if there is anything to store and it may try. */
static void
start_batch(struct daemon *d)
{
	if (storer_busy(d->sw) || obsq_len(storer_inbox(d->sw)) == 0 || d->sr.gave_up ||
	    (!d->done && store_backing_off(d)))
		return;
	if (d->done && d->file && store_backing_off(d))	/* the file is read: only this is left */
		usleep((useconds_t)ms_until(&d->sr.next) * 1000);
	storer_start(d->sw);
}

/*
 * workers_drain's ingest: a queue's observations into the inbox.  A full
 * inbox is stored first (waiting for the writer only as inbox_ready
 * says); what does not fit stays queued for the next flush.
 */
static bool
to_inbox(void *arg, struct obsq *q)
{
	struct daemon *d = arg;
	struct obsq *in;
	size_t moved;

	if (d->st == NULL) {
		obsq_consume(q, obsq_len(q));	/* summary-only run */
		return true;
	}
	for (;;) {
		if (!inbox_ready(d)) {
			d->flush_cut = storer_busy(d->sw);	/* live: go on when the writer is done */
			return false;	/* the flows keep their counts for the next flush */
		}
		in = storer_inbox(d->sw);
		for (moved = 0; moved < obsq_len(q) && obsq_move(in, obsq_at(q, moved)); moved++)
			;
		obsq_consume(q, moved);
		if (obsq_len(q) == 0)
			return true;
		start_batch(d);
	}
}

/*
 * A flush: the flows' traffic reported (in steps, the queues drained
 * between them) and everything queued moved to the writer, which stores
 * it while the packets go on.  Stopping, it is waited for.
 */
static void
flush_queues(struct daemon *d, bool report_flows)
{
	if (d->st && !inbox_ready(d)) {
		d->flush_cut = storer_busy(d->sw);	/* live: go on when the writer is done */
		return;
	}
	workers_drain(d->wk, report_flows, to_inbox, d);
	if (d->st == NULL)
		return;
	start_batch(d);
	if (d->done)
		store_idle(d);
}

static void
flush(struct daemon *d)
{
	flush_queues(d, true);
}

/* -r, the file read: the tries left until the store writes or is given up. */
static void
settle_store(struct daemon *d)
{
	while (d->file && d->st && d->sr.failures > 0 && !d->sr.gave_up)
		flush_queues(d, false);
}

/* -r: what could not be stored, where, and what to do (exit status 3). */
static void
report_unstored(const struct daemon *d, uint64_t packets)
{
	fprintf(stderr, "spanwatchd: %s: %llu observations from the %llu packets read could not "
	    "be stored in %s (%s); %s, then read %s again\n", d->file,
	    (unsigned long long)(backlog(d) + dropped(d)), (unsigned long long)packets,
	    d->cfg.database,
	    store_errmsg(d->st), store_fault_advice(store_last_fault(d->st)), d->file);
}

/*
 * -r: observations the full queue dropped are missing from the inventory
 * as surely as a failed write's (exit status 3).  Read in steps with the
 * queue's headroom (read_chunk) it does not fill; if it did, say so.
 */
static void
report_dropped(struct daemon *d, uint64_t packets)
{
	uint64_t n = dropped(d);

	if (n == 0)
		return;
	fprintf(stderr, "spanwatchd: %s: %llu observations from the %llu packets read were dropped, "
	    "the queue being full (%d entries), and are not in %s; lower [store] flush_max_obs "
	    "(now %d), then read %s again\n", d->file, (unsigned long long)n,
	    (unsigned long long)packets, OBSQ_MAX, d->cfg.database, d->cfg.flush_max_obs, d->file);
	d->exit_code = EXIT_DB;
}

static void	 export_result(struct daemon *d, time_t now);

/*
 * The writer ended a batch: its result taken at once (events forwarded,
 * a failure's retry scheduled), and the next batch started if the queues
 * filled meanwhile.
 */
static void
on_stored(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	(void)fd, (void)what;
	storer_ack(d->sw);
	if (storer_busy(d->sw) || !batch_done(d))
		return;
	if (!d->file && !d->done &&
	    (d->flush_cut || (size_t)d->cfg.flush_max_obs <= workers_queued_max(d->wk))) {
		d->flush_cut = false;
		flush(d);
	}
}

static void
on_flush_timer(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	(void)fd, (void)what;
	flush(d);
	/*
	 * A finished export is counted (and its retry scheduled) within a
	 * flush interval, not at the export timer's next 20 s look at the
	 * clock: `status` said nothing of a failed run for up to 20 s.
	 */
	if (!d->file)
		export_result(d, time(NULL));
}

/* --- the nightly export ------------------------------------------------------ */

/*
 * At export_at (local time) once a day: every configured format, after a
 * flush so the export holds everything seen until now.  The export runs on
 * a thread of its own (export_job.c): its reads and fsyncs never stall the
 * loop, and packets keep flowing while it writes.
 */
static void
run_exports(struct daemon *d)
{
	/* everything until now stored first: the loop waits for up to two batches, once a day */
	store_idle(d);
	flush(d);
	store_idle(d);
	export_job_start(&d->cfg, d->cfg.database);
}

/*
 * A failed run is tried again after export_retry_s (EXPORT_RETRY_MIN_S), doubling up to
 * EXPORT_RETRY_MAX_S (the SOC share may be back in minutes or in hours),
 * until one succeeds; the nightly time stays as it is.
 */
static void
export_result(struct daemon *d, time_t now)
{
	int r = export_job_result();
	time_t wait = d->cfg.export_retry_s > 0 ? d->cfg.export_retry_s : EXPORT_RETRY_MIN_S;

	if (r == 1) {
		if (d->export_failing)
			log_info("export: written again after %u failed run%s", d->export_failing,
			    d->export_failing == 1 ? "" : "s");
		d->export_failing = 0;
		d->export_retry_at = 0;
	} else if (r == 0) {
		d->export_failing++;
		for (unsigned i = 1; i < d->export_failing && wait < EXPORT_RETRY_MAX_S; i++)
			wait *= 2;
		if (wait > EXPORT_RETRY_MAX_S)
			wait = EXPORT_RETRY_MAX_S;
		d->export_retry_at = now + wait;
		log_warnx("export: run failed (%u in a row); next try in %lld s", d->export_failing,
		    (long long)wait);
	}
}

static void
on_export_timer(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	char hhmm[8], today[16];
	time_t now = time(NULL);
	struct tm tm;

	(void)fd, (void)what;
	export_result(d, now);
	if (d->st == NULL || d->cfg.export_at[0] == '\0')
		return;
	if (d->export_retry_at && now >= d->export_retry_at && !export_job_busy()) {
		d->export_retry_at = 0;
		log_info("export: trying again after %u failed run%s", d->export_failing,
		    d->export_failing == 1 ? "" : "s");
		run_exports(d);
		return;
	}
	localtime_r(&now, &tm);
	strftime(hhmm, sizeof(hhmm), "%H:%M", &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	if (strcmp(hhmm, d->cfg.export_at) != 0 || strcmp(today, d->exported_on) == 0)
		return;
	snprintf(d->exported_on, sizeof(d->exported_on), "%s", today);
	run_exports(d);
}

/* --- packets ------------------------------------------------------------- */

static void
on_packet(void *arg, int linktype, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
    uint64_t ts_us)
{
	struct daemon *d = arg;

	if (d->startup_us == 0) {
		struct timespec t;

		clock_gettime(CLOCK_MONOTONIC, &t);
		d->startup_us = (uint64_t)(t.tv_sec - d->started.tv_sec) * 1000000u +
		    (uint64_t)((t.tv_nsec - d->started.tv_nsec) / 1000);
	}
	workers_packet(d->wk, linktype, data, caplen, wirelen, ts_us);
}

/*
 * Read up to max packets.  Once the first packet has been timed, they go
 * straight to the packet path (one call less per packet than on_packet).
 */
static int
dispatch(struct daemon *d, int max, char *err, size_t errsz)
{
	workers_packet_fn fn;
	void *arg;

	if (d->startup_us == 0)
		return capture_dispatch(d->cap, max, on_packet, d, err, errsz);
	fn = workers_packet_entry(d->wk, &arg);
	return capture_dispatch(d->cap, max, fn, arg, err, errsz);
}

static void
finish(struct daemon *d)
{
	d->done = true;
	event_base_loopexit(d->base, NULL);
}

static void	 progress_clear(struct daemon *d);

/*
 * The next of several -r files: true when it is open.  One that cannot be
 * read ends the run with exit status 1, the packets before it kept.
 */
static bool
next_file(struct daemon *d)
{
	char err[1024];
	struct capture *c;

	if (d->nfile + 1 >= d->nfiles)
		return false;
	if ((c = capture_open_file(d->files[++d->nfile], err, sizeof(err))) == NULL) {
		progress_clear(d);
		log_warnx("%s; the files before it were read", err);
		d->exit_code = 1;
		return false;
	}
	capture_close(d->cap);
	d->cap = c;
	return true;
}

/* -r: the queue is to be stored before it can fill. */
static bool
file_flush_due(const struct daemon *d)
{
	return workers_packets(d->wk) - d->flushed_at >= FILE_FLUSH_PACKETS ||
	    (size_t)d->cfg.flush_max_obs <= workers_queued_max(d->wk);
}

/*
 * A chunk of the file, read in steps of FILE_STEP packets with a look at
 * the queue between two: a chunk of busy packets (a crowd, a burst of
 * identities) once filled it within one read and the rest was dropped,
 * losing observations from a file that could have had them all.
 */
static int
read_chunk(struct daemon *d, char *err, size_t errsz)
{
	int n, total = 0;

	do {
		if ((n = dispatch(d, FILE_STEP, err, errsz)) < 0)
			return n;
		total += n;
	} while (n > 0 && total < FILE_CHUNK && !file_flush_due(d));
	return total;
}

/* Files: a chunk per loop turn, so timers and signals still run. */
static void
on_file_turn(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	char err[1024];
	int n;

	(void)fd, (void)what;
	if (d->sr.gave_up)
		return;
	if (d->sr.failures > 0) {	/* the store failed: no more reading until it writes */
		flush(d);
		if (d->sr.failures > 0) {
			if (!d->sr.gave_up)
				event_add(d->ev_cap, &(struct timeval){ 0, 1000 *
				    (ms_until(&d->sr.next) > 0 ? ms_until(&d->sr.next) : 0) });
			return;
		}
	}
	n = read_chunk(d, err, sizeof(err));
	if (file_flush_due(d)) {
		d->flushed_at = workers_packets(d->wk);
		flush(d);
	}
	if (d->sr.gave_up)
		return;
	if (n < 0) {
		progress_clear(d);
		log_warnx("%s", err);
		d->exit_code = 1;
		finish(d);
	} else if (n == 0 && next_file(d))
		event_add(d->ev_cap, &(struct timeval){ 0, 0 });
	else if (n == 0)
		finish(d);
	else if (d->sr.failures > 0)	/* retried above, once due */
		event_add(d->ev_cap, &(struct timeval){ 0, 1000 * ms_until(&d->sr.next) });
	else	/* through the loop again (a zero timeout, not event_active): timers and signals run */
		event_add(d->ev_cap, &(struct timeval){ 0, 0 });
}

static void
on_capture_readable(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	char err[1024];

	(void)fd, (void)what;
	if (dispatch(d, 1024, err, sizeof(err)) < 0)
		log_warnx("%s", err);
	if ((size_t)d->cfg.flush_max_obs <= workers_queued_max(d->wk))
		flush(d);
}

static void
on_progress(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;
	uint64_t off, size, pkts = workers_packets(d->wk);
	double t = elapsed(d);

	(void)fd, (void)what;
	capture_progress(d->cap, &off, &size);
	fprintf(stderr, "\r%llu packets, %3.0f%% of file, %.0f packets/s   ",
	    (unsigned long long)pkts, size ? 100.0 * (double)off / (double)size : 0.0,
	    t > 0 ? (double)pkts / t : 0.0);
	d->progress_shown = true;
}

/* Wipe the progress line before anything else goes to the terminal. */
static void
progress_clear(struct daemon *d)
{
	if (d->progress_shown)
		fprintf(stderr, "\r%70s\r", "");
	d->progress_shown = false;
}

/* --- status and summary -------------------------------------------------- */

struct printer {
	FILE		*f;
	struct evbuffer	*b;
	const char	*prefix;
	bool		 nonzero_only;
};

static void
print_counter(void *arg, const char *name, uint64_t v)
{
	struct printer *p = arg;

	if (p->nonzero_only && v == 0)
		return;
	if (p->f)
		fprintf(p->f, "%s%s %llu\n", p->prefix, name, (unsigned long long)v);
	else
		evbuffer_add_printf(p->b, "%s%s %llu\n", p->prefix, name, (unsigned long long)v);
}

static void
daemon_counters(struct daemon *d, struct printer *p)
{
	struct capture_stats cs;
	struct store_stats ss;
	struct fwdlink_stats fs;
	struct workers_qstats qs;

	p->prefix = "proto.";
	workers_proto_counts(d->wk, print_counter, p);
	p->prefix = "stat.";
	workers_stats_walk(d->wk, print_counter, p);
	workers_qstats(d->wk, &qs);
	print_counter(p, "obs.queued", qs.queued);
	print_counter(p, "obs.queued.facts", qs.by_kind[OBS_FACT]);
	print_counter(p, "obs.queued.addresses", qs.by_kind[OBS_ADDR]);
	print_counter(p, "obs.queued.services", qs.by_kind[OBS_SERVICE]);
	print_counter(p, "obs.queued.peers", qs.by_kind[OBS_PEER]);
	print_counter(p, "obs.queued.operations", qs.by_kind[OBS_OP]);
	print_counter(p, "obs.dropped", qs.dropped);
	print_counter(p, "obs.waiting", backlog(d));	/* the writer's inbox too */
	print_counter(p, "daemon.workers", workers_count(d->wk));
	print_counter(p, "daemon.startup_us", d->startup_us);
	print_counter(p, "tables.oui_names_cut", oui_names_cut(d->tables.oui));
	print_counter(p, "tables.vendor_id_names_cut", vendor_ids_names_cut(d->tables.vendor_ids));
	print_counter(p, "workers.ring_waits", qs.ring_waits);
	print_counter(p, "workers.ring_drops", qs.ring_drops);
	capture_get_stats(d->cap, &cs);
	print_counter(p, "capture.received", cs.received);
	print_counter(p, "capture.kernel_drops", cs.kernel_drops);
	print_counter(p, "capture.interface_drops", cs.if_drops);
	print_counter(p, "capture.nfq_verdict_errors", cs.nfq_verdict_errors);
	if (d->st) {
		uint64_t used;

		/* the writer's copy: the store itself may be in the middle of a batch */
		if (d->sw)
			storer_stats(d->sw, &ss, &used);
		else {
			store_get_stats(d->st, &ss);
			used = store_used_bytes(d->st);
		}
		print_counter(p, "store.batches", ss.batches);
		print_counter(p, "store.applied", ss.applied);
		print_counter(p, "store.events_written", ss.events_written);
		print_counter(p, "store.replies_unmatched", ss.replies_unmatched);
		print_counter(p, "store.failed_batches", ss.failed_batches);
		for (int k = 0; k < OBS_NKINDS; k++) {
			char name[48];

			snprintf(name, sizeof(name), "store.rejected_%s", obs_kind_names[k]);
			print_counter(p, name, ss.rejected[k]);
		}
		print_counter(p, "store.failing", d->sr.failures);
		print_counter(p, "store.backlog", d->sr.failures ? backlog(d) : 0);
		print_counter(p, "store.retry_in_ms", store_backing_off(d) ?
		    (uint64_t)ms_until(&d->sr.next) : 0);
		print_counter(p, "store.assets_created", ss.assets_created);
		print_counter(p, "store.gateways", ss.gateways);
		print_counter(p, "store.risk_evaluations", ss.risk_evaluations);
		print_counter(p, "store.risk_early", ss.risk_early);
		print_counter(p, "store.risk_deferred", ss.risk_deferred);
		print_counter(p, "store.risk_endpoints_cut", ss.risk_endpoints_cut);
		print_counter(p, "store.evidence_deferred", ss.evidence_deferred);
		print_counter(p, "store.evidence_flushed_early", ss.evidence_flushed_early);
		print_counter(p, "store.used_bytes", used);
		print_counter(p, "store.pruned_assets", ss.pruned_assets);
		print_counter(p, "store.pruned_events", ss.pruned_events);
		print_counter(p, "store.over_budget", ss.over_budget);
		print_counter(p, "flood.events", ss.floods);
		print_counter(p, "flood.senders_held", ss.flood_senders);
		print_counter(p, "flood.senders_promoted", ss.flood_promoted);
		print_counter(p, "flood.senders_forgotten", ss.flood_forgotten);
		print_counter(p, "flood.observations_held", ss.flood_held_obs);
	}
	if (!d->file) {
		struct export_job_stats es;

		export_job_stats(&es);
		print_counter(p, "export.runs_ok", es.runs_ok);
		print_counter(p, "export.runs_failed", es.runs_failed);
		print_counter(p, "export.last_ok", (uint64_t)es.last_ok);
		print_counter(p, "export.last_failed", (uint64_t)es.last_failed);
		print_counter(p, "export.failing", d->export_failing);
		print_counter(p, "export.retry_in_s", d->export_retry_at > time(NULL) ?
		    (uint64_t)(d->export_retry_at - time(NULL)) : 0);
	}
	if (d->fwd) {
		fwdlink_get_stats(d->fwd, &fs);
		print_counter(p, "forward.queued", fs.queued);
		print_counter(p, "forward.waiting", fs.waiting);
		print_counter(p, "forward.dropped", fs.dropped_queue + fs.fwd.dropped);
		print_counter(p, "forward.dropped_queue", fs.dropped_queue);
		print_counter(p, "forward.dropped_spool", fs.fwd.dropped);
		print_counter(p, "forward.spooled", fs.fwd.queued);
		print_counter(p, "forward.sent", fs.fwd.sent);
		print_counter(p, "forward.backlog_bytes", fs.fwd.backlog_bytes);
		print_counter(p, "forward.connected", fs.fwd.connected);
		print_counter(p, "forward.connects", fs.fwd.connects);
		print_counter(p, "forward.reconnects", fs.reconnects);
		print_counter(p, "forward.connect_failures", fs.fwd.connect_failures);
		print_counter(p, "forward.running", fs.running);
		print_counter(p, "forward.pid", fs.pid);
		print_counter(p, "forward.restarts", fs.restarts);
	}
}

static void
on_status(void *arg, struct evbuffer *out)
{
	struct printer p = { NULL, out, "", false };

	daemon_counters(arg, &p);
}

/* Counters of packets a decoder or dissector skipped as malformed or cut short. */
static void
count_skipped(void *arg, const char *name, uint64_t v)
{
	static const char *const marks[] = { "short", "bad", "malformed", "trunc", "invalid",
	    "unknown_link", NULL };

	for (size_t i = 0; marks[i]; i++)
		if (strstr(name, marks[i])) {
			*(uint64_t *)arg += v;
			return;
		}
}

/* Application protocols seen ("modbus 10801, s7comm 524"), most packets first. */
struct proto_list {
	char		 name[32][24];
	uint64_t	 n[32];
	size_t		 len;
};

static void
collect_proto(void *arg, const char *name, uint64_t v)
{
	static const char *const layers[] = { "eth", "vlan", "arp", "ipv4", "ipv6", "tcp", "udp",
	    "icmp", "icmpv6", NULL };
	struct proto_list *pl = arg;
	size_t i;

	if (v == 0 || pl->len == 32)
		return;
	for (i = 0; layers[i]; i++)
		if (strcmp(name, layers[i]) == 0)
			return;
	for (i = pl->len++; i > 0 && pl->n[i - 1] < v; i--) {
		memcpy(pl->name[i], pl->name[i - 1], sizeof(pl->name[i]));
		pl->n[i] = pl->n[i - 1];
	}
	snprintf(pl->name[i], sizeof(pl->name[i]), "%s", name);
	pl->n[i] = v;
}

/*
 * -r: the packet line, then the counters (--stats) or what the packets
 * counted for the summary, which is printed once the flows' last reports
 * are stored (print_findings).
 */
static void
print_summary(struct daemon *d, const char *file)
{
	struct printer p = { stdout, NULL, "", true };
	double t = elapsed(d);
	uint64_t n = workers_packets(d->wk);
	struct proto_list pl = { .len = 0 };
	struct workers_qstats qs;

	printf("read %s: %llu packets in %.2f s (%.0f packets/s)\n", file, (unsigned long long)n,
	    t, t > 0 ? (double)n / t : 0.0);
	if (d->stats) {
		daemon_counters(d, &p);
		fflush(stdout);
		return;
	}
	d->sum.file = file;
	d->sum.skipped = 0;
	workers_stats_walk(d->wk, count_skipped, &d->sum.skipped);
	workers_proto_counts(d->wk, collect_proto, &pl);
	d->sum_protos[0] = '\0';
	for (size_t i = 0; i < pl.len; i++)
		snprintf(d->sum_protos + strlen(d->sum_protos), sizeof(d->sum_protos) -
		    strlen(d->sum_protos), "%s%s %llu", i ? ", " : "", pl.name[i],
		    (unsigned long long)pl.n[i]);
	d->sum.protocols = d->sum_protos;
	workers_qstats(d->wk, &qs);
	d->sum.drops = qs.dropped;
}

static void
print_findings(struct daemon *d)
{
	struct store_stats ss;

	if (d->stats)
		return;
	if (d->st) {
		store_get_stats(d->st, &ss);
		d->sum.st = d->st;
		d->sum.dbpath = d->cfg.database;
		d->sum.new_assets = ss.assets_created;
	}
	summary_print(stdout, &d->sum);
	fflush(stdout);
}

/* --- the files of -r ------------------------------------------------------ */

static bool
capture_name(const char *n)
{
	static const char *const ext[] = { ".pcap", ".pcapng", ".cap", ".pcap.ng", NULL };
	size_t len = strlen(n);

	for (size_t i = 0; ext[i]; i++)
		if (len > strlen(ext[i]) && strcasecmp(n + len - strlen(ext[i]), ext[i]) == 0)
			return true;
	return false;
}

/*
 * The names of the files -r reads, in static storage: nothing to free on
 * any of main's ways out (an early error return included), and untouched
 * pages cost no memory.
 */
static char file_names[CAPTURE_FILES_MAX][PATH_MAX];

static int
add_file(struct daemon *d, const char *path)
{
	char *name;

	if (d->nfiles == CAPTURE_FILES_MAX) {
		fprintf(stderr, "spanwatchd: -r: more than %d files\n", CAPTURE_FILES_MAX);
		return -1;
	}
	name = file_names[d->nfiles];
	if ((size_t)snprintf(name, PATH_MAX, "%s", path) >= PATH_MAX) {
		fprintf(stderr, "spanwatchd: -r: the path %.40s... is longer than %d bytes\n", path,
		    PATH_MAX - 1);
		return -1;
	}
	d->files[d->nfiles++] = name;
	return 0;
}

/* A directory: its capture files (.pcap, .pcapng, .cap), not its subdirectories. */
static int
add_dir(struct daemon *d, const char *dir)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort), rc = 0, found = 0;

	if (n < 0) {
		fprintf(stderr, "spanwatchd: -r %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];
		struct stat sb;

		snprintf(path, sizeof(path), "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
		    ents[i]->d_name);
		if (rc == 0 && capture_name(ents[i]->d_name) && stat(path, &sb) == 0 &&
		    S_ISREG(sb.st_mode)) {
			rc = add_file(d, path);
			found++;
		}
		free(ents[i]);
	}
	free(ents);
	if (rc == 0 && found == 0) {
		fprintf(stderr, "spanwatchd: -r %s: no capture files (.pcap, .pcapng, .cap) in it\n", dir);
		return -1;
	}
	return rc;
}

struct timed_file {
	char		*path;
	uint64_t	 first;
	size_t		 order;
};

static int
by_first_packet(const void *a, const void *b)
{
	const struct timed_file *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/*
 * The files of every -r, a directory giving its capture files, in the
 * order of their first packets (flows age on packet time: read out of
 * order, a later file would look like time going back).  Returns the
 * label of the run, NULL on an error (printed).
 */
static const char *
read_list(struct daemon *d, const char *const *args, size_t nargs)
{
	struct timed_file tf[CAPTURE_FILES_MAX];
	char err[1024];
	struct stat sb;

	for (size_t i = 0; i < nargs; i++)
		if (strcmp(args[i], "-") != 0 && stat(args[i], &sb) == 0 && S_ISDIR(sb.st_mode) ?
		    add_dir(d, args[i]) != 0 : add_file(d, args[i]) != 0)
			return NULL;
	if (d->nfiles > 1) {
		for (size_t i = 0; i < d->nfiles; i++) {
			tf[i] = (struct timed_file){ d->files[i], 0, i };
			if (capture_first_time(d->files[i], &tf[i].first, err, sizeof(err)) != 0) {
				fprintf(stderr, "spanwatchd: %s\n", err);
				return NULL;
			}
		}
		qsort(tf, d->nfiles, sizeof(tf[0]), by_first_packet);
		for (size_t i = 0; i < d->nfiles; i++)
			d->files[i] = tf[i].path;
		snprintf(d->file_label, sizeof(d->file_label), "%zu files (%s ... %s)", d->nfiles,
		    d->files[0], d->files[d->nfiles - 1]);
	} else
		snprintf(d->file_label, sizeof(d->file_label), "%s", d->files[0]);
	return d->file_label;
}

/* --- tables, signals ------------------------------------------------------ */

/*
 * The location database, opened once (libloc maps it) and re-opened on
 * reload, so `location update` is picked up; one that does not open keeps
 * the previous one.
 */
static void
open_location_db(struct daemon *d)
{
	char err[1024];
	struct asinfo *ai;
	const char *db = d->cfg.location_db[0] ? d->cfg.location_db : ASINFO_DEFAULT_DB;

	if ((ai = asinfo_open(db, err, sizeof(err))) == NULL)
		log_warnx("%s: Internet endpoints get no country or AS", err);
	else {
		asinfo_close(d->asinfo);
		d->asinfo = ai;
	}
}

/* [events]: the learning period, asset_silent and severities (at start and on SIGHUP). */
static void
configure_events(struct daemon *d)
{
	struct events_cfg ec;
	char err[256];

	events_cfg_defaults(&ec);
	ec.learning_s = (long long)d->cfg.events_learning_h * 3600;
	ec.silent_s = (long long)d->cfg.events_silent_h * 3600;
	if (d->cfg.events_severity[0] &&
	    events_cfg_severity(&ec, d->cfg.events_severity, err, sizeof(err)) != 0)
		log_warnx("[events] %s; default severities used", err);
	store_set_events(d->st, &ec);
}

/* The tables (tables.c: on SIGHUP all or nothing) and what the store is told of them. */
static void
load_tables(struct daemon *d, bool at_start)
{
	char err[1024];

	/* the store reads the tables on this thread only, so it is told right after the swap */
	if (at_start) {
		char cache[sizeof(d->cfg.database) + 8];

		/* the registry's cache beside the database, when there is one */
		snprintf(cache, sizeof(cache), "%s%s", d->cfg.database, OUI_CACHE_SUFFIX);
		tables_start(&d->tables, &d->cfg, d->st ? cache : NULL);
	} else
		tables_reload(&d->tables, &d->cfg);
	open_location_db(d);
	if (d->st) {
		store_set_limits(d->st, &(struct store_limits){
		    (uint64_t)d->cfg.max_db_mb << 20, d->cfg.event_keep_days,
		    d->cfg.new_assets_burst, d->cfg.new_assets_per_min, d->cfg.first_start_burst });
		store_set_oui(d->st, d->tables.oui);
		store_set_risk(d->st, d->tables.vendors, d->tables.policy);
		store_set_rules(d->st, d->tables.rules);
		if (store_set_site(d->st, d->cfg.site_networks, d->tables.services, d->asinfo, err,
		    sizeof(err)) != 0)
			log_warnx("[site] networks: %s; keeping the default site networks", err);
		configure_events(d);
	}
}

static void
log_change(void *arg, const char *key, const char *was, const char *now)
{
	(void)arg;
	log_info("reload: %s: %s -> %s%s", key, was, now,
	    config_needs_restart(key) ? " (takes effect at restart)" : "");
}

static void
arm_flush_timer(struct daemon *d)
{
	if (d->file)
		return;
	event_add(d->ev_flush, &(struct timeval){ d->cfg.flush_interval_ms / 1000,
	    (d->cfg.flush_interval_ms % 1000) * 1000 });
}

static void
reload(struct daemon *d)
{
	char err[1024];
	struct config next;
	long n;

	config_defaults(&next);
	if (config_load(&next, d->config_path, d->config_required, err, sizeof(err)) != 0) {
		log_warnx("reload: %s; keeping the running configuration", err);
		return;
	}
	/* Compare file with file: command-line overrides are not changes. */
	if (config_diff(&d->file_cfg, &next, log_change, d) == 0)
		log_info("reload: %s unchanged", d->config_path);
	d->file_cfg = next;
	config_keep_restart_keys(&next, &d->cfg);
	d->cfg = next;
	log_verbose = d->cfg.log_level + d->verbose;
	arm_flush_timer(d);
	store_idle(d);		/* the tables are swapped under the store: not in a batch */
	load_tables(d, false);
	flush(d);
	store_idle(d);
	if (d->st && (n = store_reevaluate_all(d->st, (long long)time(NULL))) >= 0) {
		log_info("reload: configuration and risk tables re-read, %ld assets re-evaluated", n);
		forward_new_events(d);
	}
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)what;
	if (sig == SIGHUP) {
		reload(d);
		return;
	}
	log_info("signal %d: flushing and stopping", (int)sig);
	finish(d);
}

/* --- start-up ------------------------------------------------------------- */

static int
open_store(struct daemon *d, const char *path)
{
	char err[1024];

	if ((d->st = store_open(path, STORE_RW, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		return -1;
	}
	return 0;
}

/*
 * The forwarder runs in a process of its own (daemon/fwdproc.c), forked
 * before anything else is open: it never holds the capture, the database
 * or the control socket, and this process keeps no socket that can send.
 */
static void
start_forwarder(struct daemon *d, const char *user, bool to_syslog)
{
	struct fwd_cfg fc;
	char err[512];

	if (d->cfg.fwd_host[0] == '\0')
		return;
	memset(&fc, 0, sizeof(fc));
	snprintf(fc.host, sizeof(fc.host), "%s", d->cfg.fwd_host);
	fc.port = (uint16_t)d->cfg.fwd_port;
	fc.tls = d->cfg.fwd_tls;
	snprintf(fc.ca_file, sizeof(fc.ca_file), "%s", d->cfg.fwd_ca_file);
	snprintf(fc.cert_file, sizeof(fc.cert_file), "%s", d->cfg.fwd_cert_file);
	snprintf(fc.key_file, sizeof(fc.key_file), "%s", d->cfg.fwd_key_file);
	snprintf(fc.spool, sizeof(fc.spool), "%s", d->cfg.fwd_spool);
	fc.spool_max = (size_t)d->cfg.fwd_spool_max_mb << 20;
	snprintf(fc.hostname, sizeof(fc.hostname), "%s", d->cfg.sensor_name);
	if ((d->fwd = fwdlink_start(&fc, user, to_syslog, d->file != NULL, err, sizeof(err))) == NULL)
		log_warnx("%s; events are not forwarded", err);
}

/*
 * The forwarder's supervisor ended (killed, or it could not start):
 * nothing forwards events any more, and this process cannot start one
 * (its filter refuses network sockets, to its children too).  Stop with
 * an error; systemd starts spanwatchd again, and the spool keeps what was
 * not delivered.
 */
static void
on_forwarder_gone(void *arg, const char *why)
{
	struct daemon *d = arg;

	log_warnx("forward: the forwarder process %s; events are no longer forwarded: stopping "
	    "(exit status 1; restart spanwatchd, as systemd does, to forward again)", why);
	d->exit_code = 1;
	finish(d);
}

/* Forward only events that happen from now on, not the whole history. */
static void
forward_from_now(struct daemon *d)
{
	long long id;

	if (d->st && (id = store_events_last_id(d->st)) >= 0)
		d->events_forwarded = id;
}

/* What root created for us must stay writable after the drop. */
static void
give_files(struct daemon *d, const char *user)
{
	static const char *const db_suffixes[] = { "", "-wal", "-shm", "-journal", OUI_CACHE_SUFFIX,
	    NULL };
	char path[sizeof(d->cfg.database) + 16], err[1024];

	for (int i = 0; d->st && db_suffixes[i]; i++) {
		snprintf(path, sizeof(path), "%s%s", d->cfg.database, db_suffixes[i]);
		if (privdrop_give(user, path, err, sizeof(err)) != 0)
			log_warnx("%s", err);
	}
	if (d->ctl && privdrop_give(user, d->cfg.control_socket, err, sizeof(err)) != 0)
		log_warnx("%s", err);
}

/*
 * From here the process cannot transmit (daemon/sandbox.c); the syslog
 * forwarder, which must, is another process (daemon/fwdproc.c).
 */
static void
enter_sandbox(struct daemon *d)
{
	enum capture_kind k = capture_kind(d->cap);
	char err[256];

	if (sandbox_enter(k == CAP_LIVE ? capture_fd(d->cap) : -1,
	    k == CAP_NFQ ? capture_fd(d->cap) : -1, err, sizeof(err)) != 0)
		fatalx("%s", err);
	if (d->file == NULL)	/* reading a file prints nothing but errors and the summary */
		log_info("sandbox: seccomp filter on: no IP or packet socket, no connect, no send "
		    "on the capture socket (checked: socket(AF_INET) and a send fail with EPERM)");
}

static void
add_signal(struct daemon *d, int i, int sig)
{
	d->ev_sig[i] = evsignal_new(d->base, sig, on_signal, d);
	event_add(d->ev_sig[i], NULL);
}

static void
list_dissectors(void)
{
	for (size_t i = 0; i < n_dissectors; i++)
		printf("%s\n", dissectors[i]->name);
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'D' },
		{ "nfqueue", required_argument, NULL, 'Q' },
		{ "control", required_argument, NULL, 'S' },
		{ "no-ndpi", no_argument, NULL, 'N' },
		{ "stats", no_argument, NULL, 'T' },
		{ "workers", required_argument, NULL, 'w' },
		{ "list-dissectors", no_argument, NULL, 'L' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct daemon d;
	const char *file = NULL, *iface = NULL, *bpf = NULL, *db = NULL, *user = NULL, *ctlpath = NULL;
	const char *files[CAPTURE_FILES_MAX];
	size_t nfiles = 0;
	char err[1024], *end;
	long nfq = -1, workers = 0;
	uint64_t keep, packets;
	int ch, verbose = 0;
	bool foreground = false, no_ndpi = false;
	struct pipeline_cfg pc;

	memset(&d, 0, sizeof(d));
	clock_gettime(CLOCK_MONOTONIC, &d.started);
	d.config_path = CONFIG_DEFAULT;
	while ((ch = getopt_long(argc, argv, "r:i:f:c:u:w:dvVh", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			if (nfiles == CAPTURE_FILES_MAX) {
				fprintf(stderr, "spanwatchd: -r: more than %d files\n", CAPTURE_FILES_MAX);
				return EXIT_USAGE;
			}
			files[nfiles++] = optarg;
			file = files[0];
			break;
		case 'i': iface = optarg; break;
		case 'f': bpf = optarg; break;
		case 'c': d.config_path = optarg; d.config_required = true; break;
		case 'u': user = optarg; break;
		case 'd': foreground = true; break;
		case 'v': verbose++; break;
		case 'D': db = optarg; break;
		case 'S': ctlpath = optarg; break;
		case 'N': no_ndpi = true; break;
		case 'T': d.stats = true; break;
		case 'w':
			errno = 0;
			workers = strtol(optarg, &end, 10);
			if (errno || *end || workers < 1 || workers > WORKERS_MAX) {
				fprintf(stderr, "spanwatchd: -w: '%s' is not a number of workers 1-%d\n",
				    optarg, WORKERS_MAX);
				return EXIT_USAGE;
			}
			break;
		case 'Q':
			errno = 0;
			nfq = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end) {
				fprintf(stderr, "spanwatchd: --nfqueue: '%s' is not a queue number 0-65535\n", optarg);
				return EXIT_USAGE;
			}
			if (errno == ERANGE || nfq < 0 || nfq > 65535) {
				fprintf(stderr, "spanwatchd: --nfqueue: %s is out of range (0-65535)\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'L': list_dissectors(); return 0;
		case 'V': printf("spanwatchd %s\n", SW_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "spanwatchd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (file && (file = read_list(&d, files, nfiles)) == NULL)
		return 1;
	d.file = file;
	if ((file != NULL) + (iface != NULL) + (nfq >= 0) > 1) {
		fprintf(stderr, "spanwatchd: choose one of -r, -i and --nfqueue\n");
		return EXIT_USAGE;
	}
	log_init("spanwatchd", 1, verbose);
	config_defaults(&d.cfg);
	if (config_load(&d.cfg, d.config_path, d.config_required, err, sizeof(err)) != 0) {
		fprintf(stderr, "spanwatchd: %s\n", err);
		return 1;
	}
	d.file_cfg = d.cfg;
	d.verbose = verbose;
	log_verbose = d.cfg.log_level + verbose;
	if (!file && !iface && nfq < 0) {
		if (d.cfg.interface[0] == '\0') {
			fprintf(stderr, "spanwatchd: nothing to capture: give -r FILE, -i IFACE or "
			    "--nfqueue N, or set [capture] interface in %s\n", d.config_path);
			return EXIT_USAGE;
		}
		iface = d.cfg.interface;
	}
	/* Not onto itself: snprintf from a buffer into the same one empties it. */
	if (iface && iface != d.cfg.interface)
		snprintf(d.cfg.interface, sizeof(d.cfg.interface), "%s", iface);
	if (bpf)
		snprintf(d.cfg.bpf, sizeof(d.cfg.bpf), "%s", bpf);
	if (workers > 0)
		d.cfg.workers = (int)workers;
	if (no_ndpi)
		d.cfg.ndpi = false;
	if (ctlpath) {
		snprintf(d.cfg.control_socket, sizeof(d.cfg.control_socket), "%s", ctlpath);
		d.cfg.control_socket_set = true;
	}
	if (db) {
		snprintf(d.cfg.database, sizeof(d.cfg.database), "%s", db);
		d.cfg.database_set = true;
	}
	if (d.cfg.sensor_name[0] == '\0')
		gethostname(d.cfg.sensor_name, sizeof(d.cfg.sensor_name) - 1);

	/* Privileged part: the forwarder first, then the capture, the database, the control socket. */
	if (user == NULL && !file && geteuid() == 0)
		user = d.cfg.user[0] ? d.cfg.user : "spanwatch";
	start_forwarder(&d, user, !foreground && !file);
	if (file)
		d.cap = capture_open_file(d.files[0], err, sizeof(err));
	else if (nfq >= 0)
		d.cap = capture_open_nfq((unsigned)nfq, err, sizeof(err));
	else
		d.cap = capture_open_live(iface, d.cfg.bpf, d.cfg.snaplen, d.cfg.buffer_mb, err, sizeof(err));
	if (d.cap == NULL) {
		fprintf(stderr, "spanwatchd: %s\n", err);
		return 1;
	}
	if ((d.base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	if (d.fwd && fwdlink_attach(d.fwd, d.base, on_forwarder_gone, &d) != 0)
		fatalx("forward: cannot watch the link to the forwarder");
	if ((!file || d.cfg.database_set) && open_store(&d, d.cfg.database) != 0) {
		capture_close(d.cap);
		event_base_free(d.base);
		return EXIT_DB;
	}
	load_tables(&d, true);
	if (d.st && store_reevaluate_all(d.st, (long long)time(NULL)) < 0)
		log_warnx("risk: %s; %s", store_errmsg(d.st), store_fault_advice(store_last_fault(d.st)));
	if (!file || d.cfg.control_socket_set) {
		if ((d.ctl = ctl_open(d.base, d.cfg.control_socket, on_status, &d, err, sizeof(err))) == NULL)
			log_warnx("%s; running without a control socket", err);
	}
	if (user && getpwnam(user) != NULL && geteuid() == 0)
		give_files(&d, user);
	keep = nfq >= 0 ? PRIVDROP_KEEP_NET_ADMIN : PRIVDROP_KEEP_NONE;
	if (user && privdrop(user, keep, err, sizeof(err)) != 0) {
		fprintf(stderr, "spanwatchd: %s\n", err);
		return 1;
	}
	/* started unprivileged with capabilities (systemd): give up the ones not needed */
	if (user == NULL && !file && geteuid() != 0 && privdrop_caps(keep, err, sizeof(err)) != 0) {
		fprintf(stderr, "spanwatchd: %s\n", err);
		return 1;
	}
	if (!foreground && !file)
		log_to_syslog(LOG_DAEMON);

	/* Unprivileged from here on. */
	forward_from_now(&d);
	memset(&pc, 0, sizeof(pc));
	pc.flow_max = (size_t)d.cfg.flows_max;
	pc.ndpi = d.cfg.ndpi;
	/*
	 * The filter before any thread: a thread inherits its creator's
	 * filter, so the packet workers (they run the dissectors, the code
	 * that reads hostile bytes) and the store writer have it too.  Loaded
	 * after them, it bound the loading thread only.
	 */
	enter_sandbox(&d);
	/* a file is read losslessly: the reader waits for a busy worker */
	if ((d.wk = workers_new((unsigned)d.cfg.workers, &pc, file != NULL, err, sizeof(err))) == NULL)
		fatalx("%s (%d flows)", err, d.cfg.flows_max);
	if (d.st && (d.sw = storer_new(d.st, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	add_signal(&d, 0, SIGTERM);
	add_signal(&d, 1, SIGINT);
	add_signal(&d, 2, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
	d.ev_flush = event_new(d.base, -1, EV_PERSIST, on_flush_timer, &d);
	if (d.sw) {
		d.ev_stored = event_new(d.base, storer_fd(d.sw), EV_READ | EV_PERSIST, on_stored, &d);
		event_add(d.ev_stored, NULL);
	}
	arm_flush_timer(&d);
	if (!file) {
		d.ev_export = event_new(d.base, -1, EV_PERSIST, on_export_timer, &d);
		event_add(d.ev_export, &(struct timeval){ 20, 0 });
	}
	clock_gettime(CLOCK_MONOTONIC, &d.t0);
	if (file) {
		d.ev_cap = event_new(d.base, -1, 0, on_file_turn, &d);
		event_active(d.ev_cap, EV_READ, 0);
		if (isatty(STDERR_FILENO)) {
			d.progress = true;
			d.ev_progress = event_new(d.base, -1, EV_PERSIST, on_progress, &d);
			event_add(d.ev_progress, &(struct timeval){ 0, 250000 });
		}
	} else {
		d.ev_cap = event_new(d.base, capture_fd(d.cap), EV_READ | EV_PERSIST,
		    on_capture_readable, &d);
		event_add(d.ev_cap, NULL);
		log_info("capturing on %s%s%s", file ? file : iface ? iface : "nfqueue",
		    d.st ? ", database " : "", d.st ? d.cfg.database : "");
	}
	event_base_dispatch(d.base);

	/* Stop: every packet read is processed, everything queued reaches the database
	 * (one last try if it failed). */
	progress_clear(&d);
	d.done = true;
	workers_stop(d.wk);
	flush(&d);
	settle_store(&d);
	packets = workers_packets(d.wk);
	workers_end_flows(d.wk);	/* the flows' last reports go to the queues */
	flush_queues(&d, false);
	settle_store(&d);
	if (file) {
		print_summary(&d, file);	/* counters include what the flows' ends showed */
		print_findings(&d);	/* the inventory as stored, the flows' last reports too */
	}
	workers_release(d.wk);
	if (d.sr.gave_up)
		report_unstored(&d, packets);
	else if (file)
		report_dropped(&d, packets);
	export_job_wait();	/* a scheduled export in progress finishes its file */
	ctl_close(d.ctl);
	fwdlink_close(d.fwd);
	storer_free(d.sw);
	store_close(d.st);
	capture_close(d.cap);
	workers_free(d.wk);
	tables_free(&d.tables);
	asinfo_close(d.asinfo);
	for (int i = 0; i < 3; i++)
		event_free(d.ev_sig[i]);
	event_free(d.ev_flush);
	if (d.ev_stored)
		event_free(d.ev_stored);
	event_free(d.ev_cap);
	if (d.ev_progress)
		event_free(d.ev_progress);
	if (d.ev_export)
		event_free(d.ev_export);
	event_base_free(d.base);
	return d.exit_code;
}
