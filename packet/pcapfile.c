/*
 * pcapfile.c - the classic pcap file format (pcapfile.h).
 *
 * File header (24 bytes, in the writer's byte order): magic a1b2c3d4
 * (microseconds) or a1b23c4d (nanoseconds), version 2.4, zone, sigfigs,
 * snapshot length, link type.  Each record: seconds, fraction, captured
 * length, length on the wire (4 bytes each), then the captured bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cursor.h"
#include "decode.h"
#include "pcapfile.h"
#include "sw_limits.h"

#define MAGIC_US	0xa1b2c3d4u
#define MAGIC_NS	0xa1b23c4du
#define HDR_LEN		24
#define REC_LEN		16
#define SNAP_MAX	262144u		/* libpcap's MAXIMUM_SNAPLEN: a larger record is a lie */
#define DLT_RAW_LINUX	12		/* what libpcap makes of LINKTYPE_RAW on Linux */

struct pcapfile {
	int		 fd;
	bool		 swap;		/* written in the other byte order */
	bool		 nsec;
	uint32_t	 snap;
	int		 linktype;
	uint8_t		*buf;		/* PCAPFILE_BUF + room for one whole record */
	size_t		 pos, end;	/* unread bytes: buf[pos, end) */
	uint64_t	 off;		/* file offset of buf[pos] */
	bool		 eof;		/* pread found the end */
};

static bool
rd32(struct cur *c, bool swap, uint32_t *v)
{
	return swap ? cur_be32(c, v) : cur_le32(c, v);
}

/* The file's header; false (with why) for a file libpcap should read. */
static bool
read_header(struct pcapfile *r, char *err, size_t errsz)
{
	uint8_t h[HDR_LEN];
	struct cur c;
	uint32_t magic, snap, link;
	uint16_t major, minor;

	if (pread(r->fd, h, sizeof(h), 0) != (ssize_t)sizeof(h)) {
		snprintf(err, errsz, "shorter than a pcap header");
		return false;
	}
	c = cur_make(h, sizeof(h));
	cur_le32(&c, &magic);
	if (magic == MAGIC_US || magic == MAGIC_NS)
		r->swap = false;
	else if (__builtin_bswap32(magic) == MAGIC_US || __builtin_bswap32(magic) == MAGIC_NS) {
		r->swap = true;
		magic = __builtin_bswap32(magic);
	} else {
		snprintf(err, errsz, "magic %08x is not pcap's", magic);
		return false;
	}
	r->nsec = magic == MAGIC_NS;
	if (r->swap) {
		cur_be16(&c, &major);
		cur_be16(&c, &minor);
	} else {
		cur_le16(&c, &major);
		cur_le16(&c, &minor);
	}
	cur_skip(&c, 8);	/* zone, sigfigs: unused, as libpcap */
	rd32(&c, r->swap, &snap);
	rd32(&c, r->swap, &link);
	if (major != 2 || minor < 3) {	/* older files swap the two lengths: libpcap knows */
		snprintf(err, errsz, "pcap version %u.%u", major, minor);
		return false;
	}
	r->snap = snap == 0 || snap > SNAP_MAX ? SNAP_MAX : snap;
	r->linktype = (int)(link & 0x03ffffffu);	/* the upper bits say whether an FCS follows */
	if (r->linktype == LINK_RAW)
		r->linktype = DLT_RAW_LINUX;
	if (!decode_linktype_supported(r->linktype)) {
		snprintf(err, errsz, "link type %d", r->linktype);
		return false;	/* libpcap names it in the error */
	}
	return true;
}

struct pcapfile *
pcapfile_open(int fd, char *err, size_t errsz)
{
	struct pcapfile *r = calloc(1, sizeof(*r));

	if (r == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	r->fd = fd;
	if (!read_header(r, err, errsz) ||
	    (r->buf = malloc(PCAPFILE_BUF + REC_LEN + SNAP_MAX)) == NULL) {
		free(r);
		return NULL;
	}
	r->off = HDR_LEN;
	return r;
}

/* At least need unread bytes in the buffer, unless the file ends first. */
static int
fill(struct pcapfile *r, size_t need, char *err, size_t errsz)
{
	while (r->end - r->pos < need && !r->eof) {
		ssize_t n;

		if (r->pos > 0) {	/* the partial record to the front */
			memmove(r->buf, r->buf + r->pos, r->end - r->pos);
			r->end -= r->pos;
			r->pos = 0;
		}
		n = pread(r->fd, r->buf + r->end, PCAPFILE_BUF + REC_LEN + SNAP_MAX - r->end,
		    (off_t)(r->off + r->end));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errsz, "%s", strerror(errno));
			return -1;
		}
		if (n == 0)
			r->eof = true;
		r->end += (size_t)n;
	}
	return 0;
}

/* Inlined in both callers: its frame and seven arguments were a sixth of its cost. */
static inline __attribute__((always_inline)) int
next_record(struct pcapfile *r, const uint8_t **data, uint32_t *caplen, uint32_t *len,
    uint64_t *ts_us, char *err, size_t errsz)
{
	uint32_t sec = 0, frac = 0, incl = 0, orig = 0;	/* the cursor leaves them unset only if short */
	struct cur c;

	if (r->end - r->pos < REC_LEN && fill(r, REC_LEN, err, errsz) != 0)
		return -1;
	if (r->end == r->pos)
		return 0;
	if (r->end - r->pos < REC_LEN) {
		snprintf(err, errsz, "truncated dump file; tried to read %d header bytes, only got %zu",
		    REC_LEN, r->end - r->pos);
		return -1;
	}
	c = cur_make(r->buf + r->pos, REC_LEN);
	if (r->swap) {	/* one test a record, not one a field: this runs a million times a second */
		cur_be32(&c, &sec);
		cur_be32(&c, &frac);
		cur_be32(&c, &incl);
		cur_be32(&c, &orig);
	} else {
		cur_le32(&c, &sec);
		cur_le32(&c, &frac);
		cur_le32(&c, &incl);
		cur_le32(&c, &orig);
	}
	if (incl > SNAP_MAX) {
		snprintf(err, errsz, "invalid packet capture length %u, bigger than %s of %u", incl,
		    incl > r->snap ? "snaplen" : "maximum", incl > r->snap ? r->snap : SNAP_MAX);
		return -1;
	}
	if (r->end - r->pos < REC_LEN + (size_t)incl && fill(r, REC_LEN + (size_t)incl, err, errsz) != 0)
		return -1;
	if (r->end - r->pos < REC_LEN + (size_t)incl) {
		snprintf(err, errsz, "truncated dump file; tried to read %u captured bytes, only got %zu",
		    incl, r->end - r->pos - REC_LEN);
		return -1;
	}
	*data = r->buf + r->pos + REC_LEN;
	*caplen = incl > r->snap ? r->snap : incl;	/* libpcap cuts a record to the snapshot */
	*len = orig;
	*ts_us = (uint64_t)sec * 1000000u + (r->nsec ? frac / 1000u : frac);
	r->pos += REC_LEN + incl;
	r->off += REC_LEN + incl;
	return 1;
}

int
pcapfile_next(struct pcapfile *r, const uint8_t **data, uint32_t *caplen, uint32_t *len,
    uint64_t *ts_us, char *err, size_t errsz)
{
	return next_record(r, data, caplen, len, ts_us, err, errsz);
}

int
pcapfile_dispatch(struct pcapfile *r, int max, pcapfile_cb cb, void *arg, int *rc,
    char *err, size_t errsz)
{
	const uint8_t *data;
	uint32_t caplen, len;
	uint64_t ts;
	int n = 0;

	*rc = 0;
	while (n < max && (*rc = next_record(r, &data, &caplen, &len, &ts, err, errsz)) == 1) {
		cb(arg, r->linktype, data, caplen, len, ts);
		n++;
	}
	return n;
}

int
pcapfile_linktype(const struct pcapfile *r)
{
	return r->linktype;
}

uint64_t
pcapfile_offset(const struct pcapfile *r)
{
	return r->off;
}

void
pcapfile_close(struct pcapfile *r)
{
	if (r == NULL)
		return;
	free(r->buf);
	free(r);
}
