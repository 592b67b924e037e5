/*
 * pcapng.c - pcapng blocks (see pcapng.h).
 *
 * Layout (draft-ietf-opsawg-pcapng): every block is type (4), total
 * length (4), body, total length again (4), lengths multiples of 4, in
 * the byte order the Section Header Block's magic 0x1A2B3C4D gives.
 *   SHB 0x0A0D0D0A: magic, version 1.x, section length, options; a new
 *                   section forgets the interfaces of the last one.
 *   IDB 1: link type (2), reserved (2), snap length (4), options;
 *          if_tsresol (9): 10^-v, or 2^-(v & 0x7f) when bit 7 is set.
 *   EPB 6: interface (4), timestamp high (4) and low (4), captured (4),
 *          original length (4), data padded to 4.
 *   SPB 3: original length (4), data (interface 0, no timestamp).
 *   OPB 2: interface (2), drops (2), timestamp (8), captured, length, data.
 */
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "pcapng.h"
#include "sw_limits.h"

#define BT_IDB	1
#define BT_OPB	2
#define BT_SPB	3
#define BT_EPB	6
#define BOM	0x1a2b3c4du
#define OPT_TSRESOL	9

struct iface {
	int		 linktype;
	uint32_t	 snaplen;
	uint64_t	 units;		/* timestamp units per second */
};

struct pcapng {
	FILE		*fp;
	bool		 swap;		/* the section is big-endian */
	uint8_t		*buf;		/* one block */
	size_t		 cap;
	struct iface	 ifs[PCAPNG_IF_MAX];
	size_t		 nifs;
	uint64_t	 blocks;
	bool		 first_linktype_set;
	int		 first_linktype;
};

static bool
u32(const struct pcapng *r, struct cur *c, uint32_t *v)
{
	return r->swap ? cur_be32(c, v) : cur_le32(c, v);
}

static bool
u16(const struct pcapng *r, struct cur *c, uint16_t *v)
{
	return r->swap ? cur_be16(c, v) : cur_le16(c, v);
}

static uint32_t
raw32(const uint8_t *p, bool swap)
{
	return swap ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] :
	    (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/*
 * Read one whole block into r->buf: 1, 0 at a clean end of file, -1 on a
 * short or lying block.  A Section Header Block sets the byte order first.
 */
static int
read_block(struct pcapng *r, uint32_t *type, size_t *len, char *err, size_t errsz)
{
	uint8_t hdr[12];
	size_t got = fread(hdr, 1, 8, r->fp);

	if (got == 0)
		return 0;
	if (got < 8) {
		snprintf(err, errsz, "block %llu: cut short in its header", (unsigned long long)r->blocks);
		return -1;
	}
	if (raw32(hdr, false) == PCAPNG_MAGIC) {	/* the same in both byte orders */
		if (fread(hdr + 8, 1, 4, r->fp) != 4) {
			snprintf(err, errsz, "section header cut short");
			return -1;
		}
		if (raw32(hdr + 8, false) == BOM)
			r->swap = false;
		else if (raw32(hdr + 8, true) == BOM)
			r->swap = true;
		else {
			snprintf(err, errsz, "block %llu: section header without the byte-order magic",
			    (unsigned long long)r->blocks);
			return -1;
		}
	}
	*type = raw32(hdr, r->swap);
	*len = raw32(hdr + 4, r->swap);
	if (*len < 12 || *len % 4 != 0 || *len > PCAPNG_BLOCK_MAX) {
		snprintf(err, errsz, "block %llu: length %zu is not a multiple of 4 from 12 to %u",
		    (unsigned long long)r->blocks, *len, PCAPNG_BLOCK_MAX);
		return -1;
	}
	if (*len > r->cap) {
		uint8_t *nb = realloc(r->buf, *len);

		if (nb == NULL) {
			snprintf(err, errsz, "out of memory");
			return -1;
		}
		r->buf = nb;
		r->cap = *len;
	}
	memcpy(r->buf, hdr, *type == PCAPNG_MAGIC ? 12 : 8);
	got = *type == PCAPNG_MAGIC ? 12 : 8;
	if (fread(r->buf + got, 1, *len - got, r->fp) != *len - got) {
		snprintf(err, errsz, "block %llu: cut short (%zu bytes announced)",
		    (unsigned long long)r->blocks, *len);
		return -1;
	}
	if (raw32(r->buf + *len - 4, r->swap) != *len) {
		snprintf(err, errsz, "block %llu: trailing length differs from the leading one",
		    (unsigned long long)r->blocks);
		return -1;
	}
	r->blocks++;
	return 1;
}

static uint64_t
tsresol_units(uint8_t v)
{
	uint64_t u = 1;
	unsigned e = v & 0x7f;

	if (e > 19 && !(v & 0x80))
		e = 19;		/* beyond 10^19 does not fit: a lying option */
	if (e > 63)
		e = 63;
	for (unsigned i = 0; i < e; i++)
		u = v & 0x80 ? u << 1 : u * 10;
	return u ? u : 1000000;
}

/* Interface Description Block: its link type and timestamp resolution. */
static int
add_interface(struct pcapng *r, struct cur *body, char *err, size_t errsz)
{
	struct iface *f;
	uint16_t link, reserved, code, olen;

	if (r->nifs == PCAPNG_IF_MAX) {
		snprintf(err, errsz, "more than %d interfaces in one section", PCAPNG_IF_MAX);
		return -1;
	}
	f = &r->ifs[r->nifs];
	f->units = 1000000;	/* the default: microseconds */
	if (!u16(r, body, &link) || !u16(r, body, &reserved) || !u32(r, body, &f->snaplen)) {
		snprintf(err, errsz, "block %llu: interface description cut short",
		    (unsigned long long)r->blocks);
		return -1;
	}
	f->linktype = link;
	/* options: code (2), length (2), value padded to 4; end of options is code 0 */
	for (int n = 0; n < PCAPNG_OPTIONS_MAX && u16(r, body, &code) && u16(r, body, &olen); n++) {
		struct cur val;
		uint8_t res;

		if (code == 0 || !cur_take(body, olen, &val) || !cur_skip(body, (4 - olen % 4) % 4))
			break;
		if (code == OPT_TSRESOL && olen >= 1 && cur_u8(&val, &res))
			f->units = tsresol_units(res);
	}
	if (!r->first_linktype_set) {
		r->first_linktype = f->linktype;
		r->first_linktype_set = true;
	}
	r->nifs++;
	return 0;
}

static uint64_t
to_us(uint64_t ts, uint64_t units)
{
	if (units == 1000000)
		return ts;
	return ts / units * 1000000 + ts % units * 1000000 / units;
}

/* A packet block's fields; false if it lies about its lengths. */
static bool
packet_fields(struct pcapng *r, uint32_t type, struct cur *body, uint32_t *ifid, uint64_t *ts,
    uint32_t *caplen, uint32_t *len)
{
	uint32_t hi = 0, lo = 0;
	uint16_t id16, drops;

	*ifid = 0;
	*ts = 0;
	if (type == BT_SPB) {
		if (!u32(r, body, len) || r->nifs == 0)
			return false;
		*caplen = *len < r->ifs[0].snaplen || r->ifs[0].snaplen == 0 ? *len : r->ifs[0].snaplen;
		if (*caplen > cur_left(body))
			*caplen = (uint32_t)cur_left(body);
		return true;
	}
	if (type == BT_OPB) {
		if (!u16(r, body, &id16) || !u16(r, body, &drops))
			return false;
		*ifid = id16;
	} else if (!u32(r, body, ifid))
		return false;
	if (!u32(r, body, &hi) || !u32(r, body, &lo) || !u32(r, body, caplen) || !u32(r, body, len))
		return false;
	*ts = (uint64_t)hi << 32 | lo;
	return *caplen <= cur_left(body);
}

int
pcapng_next(struct pcapng *r, int *linktype, const uint8_t **data, uint32_t *caplen,
    uint32_t *len, uint64_t *ts_us, char *err, size_t errsz)
{
	for (;;) {
		uint32_t type, ifid;
		uint64_t ts;
		size_t blen;
		struct cur body;
		int rc = read_block(r, &type, &blen, err, errsz);

		if (rc <= 0)
			return rc;
		body = cur_make(r->buf + 8, blen - 12);
		if (type == PCAPNG_MAGIC) {
			r->nifs = 0;	/* a new section: new interfaces */
			continue;
		}
		if (type == BT_IDB) {
			if (add_interface(r, &body, err, errsz) != 0)
				return -1;
			continue;
		}
		if (type != BT_EPB && type != BT_SPB && type != BT_OPB)
			continue;	/* statistics, name resolution, custom blocks */
		if (!packet_fields(r, type, &body, &ifid, &ts, caplen, len) || ifid >= r->nifs) {
			snprintf(err, errsz, "block %llu: packet block %s", (unsigned long long)r->blocks - 1,
			    ifid >= r->nifs ? "names an interface not described before it" :
			    "lies about its length");
			return -1;
		}
		*linktype = r->ifs[ifid].linktype;
		*data = cur_ptr(&body);
		*ts_us = to_us(ts, r->ifs[ifid].units);
		return 1;
	}
}

struct pcapng *
pcapng_open(FILE *fp, char *err, size_t errsz)
{
	struct pcapng *r = calloc(1, sizeof(*r));

	if (r == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	r->fp = fp;
	return r;
}

int
pcapng_first_linktype(const struct pcapng *r)
{
	return r->first_linktype;
}

void
pcapng_close(struct pcapng *r)
{
	if (r == NULL)
		return;
	free(r->buf);
	free(r);
}
