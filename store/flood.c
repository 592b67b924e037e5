/*
 * flood.c - a burst of new senders is one event, not a million assets.
 *
 * Anyone who can put frames on the mirrored segment can invent source
 * MACs and IPs at line rate; each would become a permanent asset with its
 * events and risk row, and fill the sensor's disk.  New assets are
 * admitted through a token bucket (a burst, then a steady rate, in packet
 * time).  The burst is scaled to the plant: as many as the assets already
 * known (a new segment as large as the known plant is no flood), and on a
 * database without assets, a first start, first_start_burst for the first
 * FLOOD_FIRST_START_S: a real 5,000-device plant all seen in its first
 * seconds is learned, not reported as a flood; a million spoofed senders
 * still run the bucket dry.  Beyond it, a new sender is held in
 * a bounded in-memory tier instead of the database, and the first held
 * sender opens one `flood` event whose detail is kept up to date with the
 * counts.  A held sender becomes an asset when it shows real evidence: it
 * states an identity (a vendor, model, host name, role...: an OT or IT
 * protocol a dissector parsed), or it is seen sending again FLOOD_PROMOTE_S
 * or more after its first frame.  Spoofed senders appear once and are
 * forgotten oldest first when the tier is full.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flood.h"
#include "obs.h"
#include "store_int.h"

#define FLOOD_WAYS	4

struct held {
	uint8_t		 used;
	uint8_t		 type;		/* AC_MAC or AC_KEYIP */
	uint8_t		 addr[17];
	long long	 first, last;	/* packet time of its first and latest frame */
};

struct flood {
	double		 tokens;
	uint64_t	 known;		/* assets in the database: counted once, then admissions added */
	bool		 first_start;	/* there were none */
	long long	 first_ts;	/* packet time of the first admission asked about */
	long long	 refilled;	/* packet time the tokens were last counted up to */
	bool		 active;
	int64_t		 event_id;	/* the open flood's event row */
	long long	 started, last_hold;
	uint64_t	 senders, promoted, forgotten, held_obs;
	uint64_t	 taken_back;	/* assets of the burst before the flood was seen, deleted */
	bool		 dirty;		/* counts changed since the event was written */
	bool		 fresh_event;	/* the event row was inserted in this batch */
	struct held	*tab;		/* FLOOD_TRANSIENT_MAX entries */
};

static uint64_t
held_hash(uint8_t type, const uint8_t *addr, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull ^ type;

	for (size_t i = 0; i < len; i++)
		h = (h ^ addr[i]) * 0x100000001b3ull;
	return h ^ (h >> 31);
}

static long long
asset_count(struct store *s)
{
	sqlite3_stmt *q;
	long long n = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM assets", -1, &q, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return n;
}

/* The most new assets admitted at once now (see the top of the file). */
static double
burst_now(const struct store *s, const struct flood *f, long long ts)
{
	double b = s->limits.new_assets_burst;

	if ((double)f->known > b)
		b = (double)f->known;
	if (f->first_start && ts - f->first_ts < FLOOD_FIRST_START_S &&
	    s->limits.first_start_burst > b)
		b = s->limits.first_start_burst;
	return b;
}

static struct flood *
flood_get(struct store *s)
{
	struct flood *f = s->flood;

	if (f)
		return f;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	if ((f->tab = calloc(FLOOD_TRANSIENT_MAX, sizeof(*f->tab))) == NULL) {
		free(f);
		return NULL;
	}
	f->known = (uint64_t)asset_count(s);
	f->first_start = f->known == 0 && s->limits.first_start_burst > 0;
	s->flood = f;
	return f;
}

void
flood_free(struct store *s)
{
	if (s->flood == NULL)
		return;
	free(s->flood->tab);
	free(s->flood);
	s->flood = NULL;
}

static void
refill(const struct store *s, struct flood *f, long long ts)
{
	double burst;

	if (f->refilled == 0) {		/* the first admission asked about: the bucket is full */
		f->first_ts = f->refilled = ts;
		f->tokens = burst_now(s, f, ts);
		return;
	}
	if (ts < f->refilled) {
		f->refilled = ts;
		return;
	}
	burst = burst_now(s, f, ts);	/* the first start's tokens expire with its window */
	f->tokens += (double)(ts - f->refilled) * s->limits.new_assets_per_min / 60.0;
	if (f->tokens > burst)
		f->tokens = burst;
	f->refilled = ts;
}

/* The held sender's slot, or (find == false) a free or the oldest one of its set. */
static struct held *
held_slot(struct flood *f, uint8_t type, const uint8_t *addr, size_t len, bool find)
{
	size_t set = (size_t)(held_hash(type, addr, len) % (FLOOD_TRANSIENT_MAX / FLOOD_WAYS));
	struct held *h = &f->tab[set * FLOOD_WAYS], *victim = h;

	for (int w = 0; w < FLOOD_WAYS; w++) {
		if (h[w].used && h[w].type == type && memcmp(h[w].addr, addr, len) == 0)
			return &h[w];
		if (!h[w].used)
			victim = &h[w];
		else if (victim->used && h[w].last < victim->last)
			victim = &h[w];
	}
	return find ? NULL : victim;
}

/* Attributes that state who a device is: a spoofed sender does not send them. */
static bool
identity_attr(const char *a)
{
	static const char *const ids[] = { A_VENDOR, A_MODEL, A_FIRMWARE, A_SERIAL, A_HOSTNAME,
	    A_OS, A_PRODUCT_CODE, A_DEVICE_NAME, A_ROLE, NULL };

	for (int i = 0; ids[i]; i++)
		if (strcmp(a, ids[i]) == 0)
			return true;
	return false;
}

/* Evidence that a sender is real: an identity it states, or sending over time. */
static bool
shows_evidence(const struct obs *o, const struct held *h, long long ts)
{
	if (o == NULL)
		return true;	/* not from the wire: moved rows, a gateway's promotion */
	if (o->kind == OBS_FACT && o->attr && identity_attr(o->attr))
		return true;
	return h && o->kind == OBS_ADDR && ts - h->first >= FLOOD_PROMOTE_S;
}

static void
flood_detail(const struct store *s, const struct flood *f, char *out, size_t outsz)
{
	snprintf(out, outsz, "more new senders than %d at once and %d a minute: %llu new MAC or "
	    "IP addresses held back (not stored) until they send for %d s or state an identity "
	    "(%llu of them assets of the first seconds, taken back); "
	    "%llu became assets, %llu forgotten, %llu observations of held senders not stored%s",
	    (int)burst_now(s, f, f->refilled), s->limits.new_assets_per_min,
	    (unsigned long long)f->senders, FLOOD_PROMOTE_S, (unsigned long long)f->taken_back,
	    (unsigned long long)f->promoted,
	    (unsigned long long)f->forgotten, (unsigned long long)f->held_obs,
	    f->active ? "" : "; ended");
}

static int
exec_ts(struct store *s, const char *sql, long long ts, long *changed)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK) {
		st_error(s, "flood");
		return -1;
	}
	sqlite3_bind_int64(q, 1, ts);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		st_error(s, "flood");
		return -1;
	}
	*changed = sqlite3_changes(s->db);
	return 0;
}

#define FLOOD_RECENT "SELECT a.id FROM assets a WHERE a.first_seen >= ?1 AND " \
	"a.last_seen = a.first_seen AND a.gateway = 0 AND NOT " SQL_VOUCHED_FOR("a")

/*
 * The bucket ran dry a little after the flood began: the burst went to
 * spoofed senders.  The assets admitted in the last FLOOD_LOOKBACK_S that
 * were seen in one second only, are no gateway and that no source vouches
 * for are taken back (a real one among them comes back when it shows
 * evidence); they count as held senders.  Run at the end of
 * the batch, when no observation holds an asset id any more.
 */
static int
take_back_burst(struct store *s, struct flood *f, long long ts)
{
	long ev, n;

	if (exec_ts(s, "DELETE FROM events WHERE asset_id IN (" FLOOD_RECENT ")",
	    ts - FLOOD_LOOKBACK_S, &ev) != 0 ||
	    exec_ts(s, "DELETE FROM assets WHERE id IN (" FLOOD_RECENT ")",
	    ts - FLOOD_LOOKBACK_S, &n) != 0)
		return -1;
	if (n > 0)
		acache_clear(s);
	f->senders += (uint64_t)n;
	f->taken_back = (uint64_t)n;
	f->known = f->known > (uint64_t)n ? f->known - (uint64_t)n : 0;
	s->stats.flood_senders += (uint64_t)n;
	return 0;
}

static int
flood_open(struct store *s, struct flood *f, long long ts)
{
	char detail[512];

	f->active = true;
	f->started = ts;
	f->senders = f->promoted = f->forgotten = f->held_obs = f->taken_back = 0;
	s->stats.floods++;
	flood_detail(s, f, detail, sizeof(detail));
	sqlite3_set_last_insert_rowid(s->db, 0);
	if (ev_change(s, ts, 0, EV_FLOOD, NULL, NULL, NULL, detail, true) != 0)
		return -1;
	f->event_id = sqlite3_last_insert_rowid(s->db);
	f->fresh_event = true;
	return 0;
}

/*
 * May a new asset keyed by addr be created now?  1: yes; 0: no, it is held
 * (the observation is not stored); -1: a database error.
 */
int
flood_admit(struct store *s, uint8_t type, const uint8_t *addr, size_t len, long long ts)
{
	struct flood *f = flood_get(s);
	struct held *h;

	if (f == NULL || s->limits.new_assets_per_min <= 0)
		return 1;	/* no memory for the tier: behave as before rather than lose devices */
	refill(s, f, ts);
	if (f->active && ts - f->last_hold >= FLOOD_QUIET_S) {
		f->active = false;
		f->dirty = true;
	}
	h = held_slot(f, type, addr, len, true);
	if (shows_evidence(s->cur_obs, h, ts)) {
		if (h) {
			h->used = 0;
			f->promoted++;
			s->stats.flood_promoted++;
			f->dirty = true;
		}
		f->known++;
		return 1;
	}
	if (h == NULL && !f->active && f->tokens >= 1) {
		f->tokens -= 1;
		f->known++;
		return 1;
	}
	if (!f->active && flood_open(s, f, ts) != 0)
		return -1;
	f->last_hold = ts;
	f->held_obs++;
	s->stats.flood_held_obs++;
	f->dirty = true;
	if (h) {
		if (ts > h->last)
			h->last = ts;
		return 0;
	}
	h = held_slot(f, type, addr, len, false);
	if (h->used) {
		f->forgotten++;
		s->stats.flood_forgotten++;
	}
	memset(h, 0, sizeof(*h));
	h->used = 1;
	h->type = type;
	memcpy(h->addr, addr, len);
	h->first = h->last = ts;
	f->senders++;
	s->stats.flood_senders++;
	return 0;
}

/* At the end of a batch: the flood event's detail says where it stands. */
int
flood_batch_end(struct store *s)
{
	struct flood *f = s->flood;
	char detail[512];
	sqlite3_stmt *q;
	int rc;

	if (f == NULL)
		return 0;
	if (f->fresh_event && take_back_burst(s, f, f->started) != 0)
		return -1;
	f->fresh_event = false;
	if (!f->dirty || f->event_id == 0)
		return 0;
	flood_detail(s, f, detail, sizeof(detail));
	if (sqlite3_prepare_v2(s->db, "UPDATE events SET detail = ?2 WHERE id = ?1", -1, &q,
	    NULL) != SQLITE_OK) {
		st_error(s, "flood event");
		return -1;
	}
	sqlite3_bind_int64(q, 1, f->event_id);
	sqlite3_bind_text(q, 2, detail, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		st_error(s, "flood event");
		return -1;
	}
	f->dirty = false;
	if (!f->active)
		f->event_id = 0;
	return 0;
}

/* A rolled-back batch took a new flood event with it: the next hold opens one again. */
void
flood_rollback(struct store *s)
{
	struct flood *f = s->flood;

	if (f && f->fresh_event) {
		f->active = false;
		f->event_id = 0;
		f->fresh_event = false;
	}
}
