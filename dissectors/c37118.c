/*
 * c37118.c - IEEE C37.118 synchrophasor frames (IEEE Std C37.118-2005 and
 * C37.118.2-2011, "Synchrophasor data transfer"), TCP 4712 and UDP 4713.
 *
 * Every frame:
 *   SYNC (2: 0xaa, then frame type in bits 6-4 and version in bits 3-0)
 *   | FRAMESIZE (2, whole frame) | IDCODE (2, stream source) | SOC (4)
 *   | FRACSEC (4) | body | CHK (2, CRC-CCITT of everything before it)
 * Types: 0 data, 1 header (free text), 2 CFG-1, 3 CFG-2, 4 command,
 * 5 CFG-3.  A configuration names each PMU of the stream: a PMU's own
 * stream has one, a PDC's has every PMU it concentrates.
 *
 * CFG-1/2 body: TIME_BASE (4) | NUM_PMU (2) | per PMU: STN (16) | IDCODE (2)
 *   | FORMAT (2) | PHNMR (2) | ANNMR (2) | DGNMR (2)
 *   | CHNAM (16 each: phasors, analogs, 16 per digital word)
 *   | PHUNIT (4 each) | ANUNIT (4 each) | DIGUNIT (4 each) | FNOM (2)
 *   | CFGCNT (2) ... | DATA_RATE (2)
 * CFG-3 body: CONT_IDX (2) | TIME_BASE (4) | NUM_PMU (2) | per PMU:
 *   STN (length byte + name) | IDCODE (2) | G_PMU_ID (16) | FORMAT (2)
 *   | PHNMR | ANNMR | DGNMR (2 each) | CHNAM (length byte + name each)
 *   | PHSCALE (8 each) | ANSCALE (8 each) | DIGUNIT (4 each) | PMU_LAT,
 *   PMU_LON, PMU_ELEV (4 each) | SVC_CLASS (1) | WINDOW (4) | GRP_DLY (4)
 *   | FNOM (2) | CFGCNT (2) ... | DATA_RATE (2)
 * A fragmented CFG-3 (CONT_IDX not 0) is counted and not read.
 *
 * The sender of data, header and configuration frames is the data source
 * (PMU or PDC); the sender of commands is its client.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dissector.h"
#include "sw_limits.h"

enum c37_counter {
	C37_FRAMES,
	C37_DATA,
	C37_HEADER,
	C37_CONFIG,
	C37_COMMAND,
	C37_BAD_CRC,		/* frames whose CHK is wrong: not read */
	C37_BAD_CONFIG,		/* configuration bodies that run past the frame */
	C37_CFG3_FRAGMENTS,	/* fragmented CFG-3 frames (not read) */
	C37_PMUS_DROPPED,	/* PMUs beyond C37_MAX_PMUS in one configuration */
};

#define C37_SYNC	0xaa
#define C37_HDR_LEN	14	/* SYNC, FRAMESIZE, IDCODE, SOC, FRACSEC */
#define C37_CHK_LEN	2
#define C37_MIN_FRAME	(C37_HDR_LEN + C37_CHK_LEN)
#define C37_NAME_LEN	16	/* CFG-1/2 station and channel names */

enum c37_type { T_DATA, T_HEADER, T_CFG1, T_CFG2, T_CMD, T_CFG3 };

struct c37_state {
	bool		 synced;	/* a whole frame was seen on this flow */
	uint64_t	 role_at;	/* last role report (diss_due) */
};

/*
 * CRC-CCITT as C37.118 specifies it: polynomial 0x1021, initial 0xffff, no
 * final xor; a byte at a time from this table (crc_table[i] is the CRC
 * register after shifting byte i through it), since a PMU stream checks
 * every frame: bit by bit it was a fifth of a real-traffic run.
 */
static const uint16_t crc_table[256] = {
	0x0000, 0x1021, 0x2042, 0x3063, 0x4084, 0x50a5, 0x60c6, 0x70e7,
	0x8108, 0x9129, 0xa14a, 0xb16b, 0xc18c, 0xd1ad, 0xe1ce, 0xf1ef,
	0x1231, 0x0210, 0x3273, 0x2252, 0x52b5, 0x4294, 0x72f7, 0x62d6,
	0x9339, 0x8318, 0xb37b, 0xa35a, 0xd3bd, 0xc39c, 0xf3ff, 0xe3de,
	0x2462, 0x3443, 0x0420, 0x1401, 0x64e6, 0x74c7, 0x44a4, 0x5485,
	0xa56a, 0xb54b, 0x8528, 0x9509, 0xe5ee, 0xf5cf, 0xc5ac, 0xd58d,
	0x3653, 0x2672, 0x1611, 0x0630, 0x76d7, 0x66f6, 0x5695, 0x46b4,
	0xb75b, 0xa77a, 0x9719, 0x8738, 0xf7df, 0xe7fe, 0xd79d, 0xc7bc,
	0x48c4, 0x58e5, 0x6886, 0x78a7, 0x0840, 0x1861, 0x2802, 0x3823,
	0xc9cc, 0xd9ed, 0xe98e, 0xf9af, 0x8948, 0x9969, 0xa90a, 0xb92b,
	0x5af5, 0x4ad4, 0x7ab7, 0x6a96, 0x1a71, 0x0a50, 0x3a33, 0x2a12,
	0xdbfd, 0xcbdc, 0xfbbf, 0xeb9e, 0x9b79, 0x8b58, 0xbb3b, 0xab1a,
	0x6ca6, 0x7c87, 0x4ce4, 0x5cc5, 0x2c22, 0x3c03, 0x0c60, 0x1c41,
	0xedae, 0xfd8f, 0xcdec, 0xddcd, 0xad2a, 0xbd0b, 0x8d68, 0x9d49,
	0x7e97, 0x6eb6, 0x5ed5, 0x4ef4, 0x3e13, 0x2e32, 0x1e51, 0x0e70,
	0xff9f, 0xefbe, 0xdfdd, 0xcffc, 0xbf1b, 0xaf3a, 0x9f59, 0x8f78,
	0x9188, 0x81a9, 0xb1ca, 0xa1eb, 0xd10c, 0xc12d, 0xf14e, 0xe16f,
	0x1080, 0x00a1, 0x30c2, 0x20e3, 0x5004, 0x4025, 0x7046, 0x6067,
	0x83b9, 0x9398, 0xa3fb, 0xb3da, 0xc33d, 0xd31c, 0xe37f, 0xf35e,
	0x02b1, 0x1290, 0x22f3, 0x32d2, 0x4235, 0x5214, 0x6277, 0x7256,
	0xb5ea, 0xa5cb, 0x95a8, 0x8589, 0xf56e, 0xe54f, 0xd52c, 0xc50d,
	0x34e2, 0x24c3, 0x14a0, 0x0481, 0x7466, 0x6447, 0x5424, 0x4405,
	0xa7db, 0xb7fa, 0x8799, 0x97b8, 0xe75f, 0xf77e, 0xc71d, 0xd73c,
	0x26d3, 0x36f2, 0x0691, 0x16b0, 0x6657, 0x7676, 0x4615, 0x5634,
	0xd94c, 0xc96d, 0xf90e, 0xe92f, 0x99c8, 0x89e9, 0xb98a, 0xa9ab,
	0x5844, 0x4865, 0x7806, 0x6827, 0x18c0, 0x08e1, 0x3882, 0x28a3,
	0xcb7d, 0xdb5c, 0xeb3f, 0xfb1e, 0x8bf9, 0x9bd8, 0xabbb, 0xbb9a,
	0x4a75, 0x5a54, 0x6a37, 0x7a16, 0x0af1, 0x1ad0, 0x2ab3, 0x3a92,
	0xfd2e, 0xed0f, 0xdd6c, 0xcd4d, 0xbdaa, 0xad8b, 0x9de8, 0x8dc9,
	0x7c26, 0x6c07, 0x5c64, 0x4c45, 0x3ca2, 0x2c83, 0x1ce0, 0x0cc1,
	0xef1f, 0xff3e, 0xcf5d, 0xdf7c, 0xaf9b, 0xbfba, 0x8fd9, 0x9ff8,
	0x6e17, 0x7e36, 0x4e55, 0x5e74, 0x2e93, 0x3eb2, 0x0ed1, 0x1ef0,
};

/*
 * The CRC of the frame's first n bytes (0 if it has fewer: no CRC matches
 * then but by chance, as before).  The bytes are checked once, as a
 * sub-cursor of n, not one at a time: this runs over every byte of every
 * frame of a PMU stream, tens of frames a second per PMU.
 */
static uint16_t
crc_ccitt(struct cur c, size_t n)
{
	uint16_t crc = 0xffff;
	struct cur all;
	const uint8_t *p;

	if (!cur_take(&c, n, &all))
		return 0;
	p = cur_ptr(&all);
	for (size_t i = 0; i < n; i++)
		crc = (uint16_t)((crc << 8) ^ crc_table[((crc >> 8) ^ p[i]) & 0xff]);
	return crc;
}

/* A name without its padding (spaces, NULs); false if nothing is left. */
static bool
trim_name(const uint8_t *p, size_t n, size_t *len)
{
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\0'))
		n--;
	*len = n;
	return n > 0;
}

/* Channel names of one PMU, joined: "STN: VA, VB, ..." cut to fit. */
struct chanlist {
	char		 buf[OBS_VAL_MAX];
	size_t		 len, head;	/* head: the "STN: " prefix */
	unsigned	 n;
};

/* PMUs of one PDC often share channel names: the station keeps them apart. */
static void
chan_init(struct chanlist *cl, const uint8_t *stn, size_t n)
{
	if (n > sizeof(cl->buf) / 2)
		n = sizeof(cl->buf) / 2;
	memcpy(cl->buf, stn, n);
	memcpy(cl->buf + n, ": ", 2);
	cl->len = cl->head = n + 2;
	cl->n = 0;
}

static void
chan_add(struct chanlist *cl, const uint8_t *name, size_t n)
{
	size_t sep = cl->n ? 2 : 0;

	if (cl->n++ >= C37_MAX_CHANNELS || cl->len + sep + n >= sizeof(cl->buf))
		return;		/* the fact keeps what fits */
	memcpy(cl->buf + cl->len, ", ", sep);
	memcpy(cl->buf + cl->len + sep, name, n);
	cl->len += sep + n;
}

static void
station_facts(struct diss_ctx *dc, const uint8_t *stn, size_t stn_len, uint16_t id,
    struct chanlist *cl, bool single, const char *src)
{
	char v[OBS_VAL_MAX];
	int n = snprintf(v, sizeof(v), "%.*s (id %u)", (int)stn_len, (const char *)stn, id);

	diss_fact(dc, SIDE_SRC, A_C37_STATION, v, (size_t)n < sizeof(v) ? (size_t)n : sizeof(v) - 1,
	    src, CONF_STATED);
	if (cl->n > 0)
		diss_fact(dc, SIDE_SRC, A_C37_CHANNELS, cl->buf, cl->len, src, CONF_STATED);
	if (single)
		diss_fact(dc, SIDE_SRC, A_DEVICE_NAME, stn, stn_len, src, CONF_STATED);
}

/* The stream's role: one PMU, or a PDC concentrating several. */
static void
source_facts(struct diss_ctx *dc, uint16_t num_pmu, uint16_t idcode, const char *src)
{
	bool pdc = num_pmu > 1;

	diss_fact_str(dc, SIDE_SRC, A_ROLE, pdc ? R_PDC : R_PMU, src, CONF_STATED);
	diss_fact_str(dc, SIDE_SRC, A_DEVICE_TYPE, pdc ? "pdc" : "pmu", src, CONF_STATED);
	diss_fact_num(dc, SIDE_SRC, A_C37_IDCODE, src, CONF_STATED, "", idcode);
}

/* One PMU block of a CFG-1/2; false if it runs past the frame. */
static bool
cfg12_pmu(struct diss_ctx *dc, struct cur *c, bool single, const char *src)
{
	uint16_t id, format, phn, ann, dgn;
	const uint8_t *stn, *name;
	struct chanlist cl = { .len = 0 };
	size_t stn_len, n, nnames;

	if (!diss_str(c, C37_NAME_LEN, &stn))
		return false;
	cur_be16(c, &id);
	cur_be16(c, &format);
	cur_be16(c, &phn);
	cur_be16(c, &ann);
	cur_be16(c, &dgn);
	if (!cur_ok(c))
		return false;
	nnames = (size_t)phn + ann + 16u * dgn;
	if (nnames * C37_NAME_LEN > cur_left(c))
		return false;		/* a count that lies about the frame */
	if (!trim_name(stn, C37_NAME_LEN, &stn_len))
		stn_len = 0;
	chan_init(&cl, stn, stn_len);
	for (size_t i = 0; i < nnames; i++) {
		if (!diss_str(c, C37_NAME_LEN, &name))
			return false;
		if (trim_name(name, C37_NAME_LEN, &n))
			chan_add(&cl, name, n);
	}
	/* PHUNIT, ANUNIT, DIGUNIT, FNOM, CFGCNT */
	if (!cur_skip(c, 4u * phn + 4u * ann + 4u * dgn + 4u))
		return false;
	if (stn_len > 0)
		station_facts(dc, stn, stn_len, id, &cl, single, src);
	return true;
}

/* A length-prefixed CFG-3 name. */
static bool
cfg3_name(struct cur *c, const uint8_t **p, size_t *len)
{
	uint8_t n;

	if (!cur_u8(c, &n) || !diss_str(c, n, p))
		return false;
	return trim_name(*p, n, len) || (*len = 0, true);
}

static bool
cfg3_pmu(struct diss_ctx *dc, struct cur *c, bool single)
{
	uint16_t id, format, phn, ann, dgn;
	const uint8_t *stn, *name;
	struct chanlist cl = { .len = 0 };
	size_t stn_len, n, nnames;

	if (!cfg3_name(c, &stn, &stn_len))
		return false;
	cur_be16(c, &id);
	cur_skip(c, 16);		/* G_PMU_ID */
	cur_be16(c, &format);
	cur_be16(c, &phn);
	cur_be16(c, &ann);
	cur_be16(c, &dgn);
	if (!cur_ok(c))
		return false;
	nnames = (size_t)phn + ann + 16u * dgn;
	if (nnames > cur_left(c))
		return false;		/* each name takes at least its length byte */
	chan_init(&cl, stn, stn_len);
	for (size_t i = 0; i < nnames; i++) {
		if (!cfg3_name(c, &name, &n))
			return false;
		if (n > 0)
			chan_add(&cl, name, n);
	}
	/* PHSCALE, ANSCALE, DIGUNIT, LAT, LON, ELEV, SVC_CLASS, WINDOW, GRP_DLY, FNOM, CFGCNT */
	if (!cur_skip(c, 8u * phn + 8u * ann + 4u * dgn + 12u + 1u + 8u + 4u))
		return false;
	if (stn_len > 0)
		station_facts(dc, stn, stn_len, id, &cl, single, "c37118/cfg3");
	return true;
}

static void
config_frame(struct diss_ctx *dc, enum c37_type t, uint16_t idcode, struct cur *body)
{
	static const char *const srcs[] = { [T_CFG1] = "c37118/cfg1", [T_CFG2] = "c37118/cfg2",
	    [T_CFG3] = "c37118/cfg3" };
	uint16_t cont = 0, num = 0;
	bool ok = true;

	diss_count(dc, C37_CONFIG);
	if (t == T_CFG3) {
		if (!cur_be16(body, &cont))
			goto bad;
		if (cont != 0) {
			diss_count(dc, C37_CFG3_FRAGMENTS);
			return;
		}
	}
	if (!cur_skip(body, 4) || !cur_be16(body, &num))	/* TIME_BASE, NUM_PMU */
		goto bad;
	if (num == 0)
		goto bad;
	source_facts(dc, num, idcode, srcs[t]);
	for (unsigned i = 0; i < num && ok; i++) {
		if (i == C37_MAX_PMUS) {
			diss_count(dc, C37_PMUS_DROPPED);
			return;
		}
		ok = t == T_CFG3 ? cfg3_pmu(dc, body, num == 1) :
		    cfg12_pmu(dc, body, num == 1, srcs[t]);
	}
	if (ok)
		return;
bad:
	diss_count(dc, C37_BAD_CONFIG);
}

static void
header_frame(struct diss_ctx *dc, struct cur *body)
{
	const uint8_t *text;
	size_t n = cur_left(body), len;

	diss_count(dc, C37_HEADER);
	if (n > TEXT_VAL_MAX)
		n = TEXT_VAL_MAX;
	if (diss_str(body, n, &text) && trim_name(text, n, &len))
		diss_fact(dc, SIDE_SRC, A_DESCRIPTION, text, len, "c37118/header", CONF_BANNER);
}

/* One whole frame, CRC checked. */
static void
c37_frame(struct diss_ctx *dc, struct c37_state *st, struct cur *frame)
{
	size_t size = cur_left(frame);
	uint16_t chk = 0, idcode = 0;
	uint8_t sync2 = 0;
	struct cur body;
	enum c37_type t;

	diss_count(dc, C37_FRAMES);
	diss_pdu(dc);
	cur_peek_be16(frame, size - C37_CHK_LEN, &chk);
	if (crc_ccitt(*frame, size - C37_CHK_LEN) != chk) {
		diss_count(dc, C37_BAD_CRC);
		return;
	}
	cur_peek_u8(frame, 1, &sync2);
	cur_peek_be16(frame, 4, &idcode);
	t = (enum c37_type)((sync2 >> 4) & 7);
	if (!cur_skip(frame, C37_HDR_LEN) || !cur_take(frame, size - C37_MIN_FRAME, &body))
		return;
	switch (t) {
	case T_DATA:
		diss_count(dc, C37_DATA);
		break;
	case T_HEADER:
		header_frame(dc, &body);
		break;
	case T_CFG1: case T_CFG2: case T_CFG3:
		config_frame(dc, t, idcode, &body);
		break;
	case T_CMD:
		diss_count(dc, C37_COMMAND);
		if (diss_due(dc, &st->role_at))
			diss_fact_str(dc, SIDE_SRC, A_ROLE, R_C37_CLIENT, "c37118/command",
			    CONF_INFERRED);
		break;
	default:
		break;		/* reserved type with a good CRC */
	}
}

/* SYNC and FRAMESIZE of the frame at the cursor; false if it cannot be one. */
static bool
frame_peek(const struct cur *c, uint16_t *size)
{
	uint8_t s0, s1;

	if (!cur_peek_u8(c, 0, &s0) || !cur_peek_u8(c, 1, &s1) || !cur_peek_be16(c, 2, size))
		return false;
	return s0 == C37_SYNC && ((s1 >> 4) & 7) <= T_CFG3 && (s1 & 0x80) == 0 &&
	    *size >= C37_MIN_FRAME;
}

static enum diss_rc
c37_parse(struct diss_ctx *dc, struct cur *c)
{
	struct c37_state *st = dc->state;
	bool datagram = dc->flow.transport == L4_UDP;
	uint16_t size;

	while (cur_left(c) >= 4) {
		struct cur frame;

		if (!frame_peek(c, &size))
			return st->synced ? DISS_MALFORMED : DISS_NOT_MINE;
		if (cur_left(c) < size)
			return datagram ? DISS_SHORT : DISS_OK;	/* the rest is still to come */
		if (!cur_take(c, size, &frame))
			break;
		st->synced = true;
		c37_frame(dc, st, &frame);
	}
	if (datagram && cur_left(c) > 0)
		return DISS_SHORT;
	return DISS_OK;
}

/* Other ports: a plausible header whose CRC is right. */
static bool
c37_probe(const struct cur *c, int dir)
{
	uint16_t size, chk;

	(void)dir;
	if (!frame_peek(c, &size) || cur_left(c) < size || !cur_peek_be16(c, size - 2u, &chk))
		return false;
	return crc_ccitt(*c, size - 2u) == chk;
}

const struct dissector dis_c37118 = {
	.name = "c37118",
	.transport = L4_TCP,
	.also_udp = true,
	.ports = { 4712, 4713 },
	.state_size = sizeof(struct c37_state),
	.probe = c37_probe,
	.parse = c37_parse,
	.counter_names = { "frames", "data", "header", "config", "command", "bad_crc",
	    "bad_config", "cfg3_fragments", "pmus_dropped" },
};
