/*
 * test_dnp3.c - DNP3 dissector: link frames built here with their CRCs,
 * transport reassembly, Group 0 device attributes (no real capture has
 * them; the layout is IEEE 1815-2012's), malformed frames, and the shared
 * captures against their expected masters and outstations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "pipeline.h"
#include "dissector.h"

extern const struct dissector dis_dnp3;

enum { D_BAD_CRC, D_FRAG_DROPPED, D_BAD_APP, D_CONTROL, D_RESTART, D_FILE,
    D_TIME_SYNC, D_UNSOLICITED };

#define MASTER_IP	"10.2.0.1"
#define OUTST_IP	"10.2.0.2"
#define MASTER_ADDR	1
#define OUTST_ADDR	10

#define CTL_FROM_MASTER	0xc4	/* DIR, PRM, unconfirmed user data */
#define CTL_FROM_OUTST	0x44	/* PRM, unconfirmed user data */

/* --- building frames (test data) ------------------------------------- */

static uint16_t
crc_dnp(const uint8_t *p, size_t n)
{
	uint16_t crc = 0;

	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xa6bc) : (uint16_t)(crc >> 1);
	}
	return (uint16_t)~crc;
}

static void
put_crc(uint8_t *out, size_t *o, const uint8_t *p, size_t n)
{
	uint16_t crc = crc_dnp(p, n);

	out[(*o)++] = (uint8_t)crc;
	out[(*o)++] = (uint8_t)(crc >> 8);
}

/* One link frame around n (<= 250) bytes of user data. */
static size_t
link_frame(uint8_t *out, uint8_t ctl, uint16_t dst, uint16_t src,
    const uint8_t *ud, size_t n)
{
	size_t o = 0;

	ck_assert_uint_le(n, 250);
	out[o++] = 0x05;
	out[o++] = 0x64;
	out[o++] = (uint8_t)(n + 5);
	out[o++] = ctl;
	out[o++] = (uint8_t)dst;
	out[o++] = (uint8_t)(dst >> 8);
	out[o++] = (uint8_t)src;
	out[o++] = (uint8_t)(src >> 8);
	put_crc(out, &o, out, 8);
	for (size_t i = 0; i < n; i += 16) {
		size_t b = n - i < 16 ? n - i : 16;

		memcpy(out + o, ud + i, b);
		o += b;
		put_crc(out, &o, ud + i, b);
	}
	return o;
}

/* An application fragment cut into transport segments of at most seg bytes. */
static size_t
app_frames(uint8_t *out, uint8_t ctl, uint16_t dst, uint16_t src,
    const uint8_t *app, size_t n, size_t seg)
{
	uint8_t ud[250];
	size_t o = 0, i = 0;
	uint8_t seq = 0;

	do {
		size_t b = n - i < seg ? n - i : seg;

		ud[0] = (uint8_t)((i == 0 ? 0x40 : 0) | (i + b == n ? 0x80 : 0) | seq++);
		memcpy(ud + 1, app + i, b);
		o += link_frame(out + o, ctl, dst, src, ud, b + 1);
		i += b;
	} while (i < n);
	return o;
}

/* Append a g0 attribute object (qualifier 0x00, index 0..0, VSTR). */
static void
put_g0(uint8_t *b, size_t *n, uint8_t var, const char *s)
{
	size_t len = strlen(s);

	b[(*n)++] = 0;
	b[(*n)++] = var;
	b[(*n)++] = 0x00;
	b[(*n)++] = 0;
	b[(*n)++] = 0;
	b[(*n)++] = 1;		/* VSTR */
	b[(*n)++] = (uint8_t)len;
	memcpy(b + *n, s, len);
	*n += len;
}

static size_t
response_head(uint8_t *b, uint8_t fc)
{
	b[0] = 0xc0;
	b[1] = fc;
	b[2] = 0;
	b[3] = 0;
	return 4;
}

/* --- direct calls ----------------------------------------------------- */

/* Read class 1 (g60v2, all): application control, function 1, one header. */
static const uint8_t read_class1[] = { 0xc0, 0x01, 0x3c, 0x02, 0x06 };

START_TEST(crc_matches_a_real_frame)
{
	/* a read of classes 1-3 and 0 from master 1 to outstation 10 (ITI read_and_response) */
	static const uint8_t real_hdr[] = { 0x05, 0x64, 0x14, 0xc4, 0x0a, 0x00, 0x01, 0x00,
	    0x8f, 0xed };
	uint8_t f[16];
	size_t n = link_frame(f, 0xc4, 10, 1, NULL, 0);
	struct harness d;

	ck_assert_uint_eq(crc_dnp(real_hdr, 8), 0xed8f);
	ck_assert_uint_eq(n, 10);
	harness_init(&d, &dis_dnp3);
	ck_assert_int_eq(harness_parse(&d, DIR_C2S, f, n, NULL), DISS_OK);
	ck_assert_uint_eq(d.st.pdus, 1);
	ck_assert_uint_eq(d.st.counters[D_BAD_CRC], 0);
	ck_assert_ptr_nonnull(find_fact_src(&d.col, NULL, A_DNP3_ADDR, "1", "dnp3/master"));
	ck_assert_ptr_nonnull(find_fact_src(&d.col, NULL, A_DNP3_ADDR, "10", "dnp3/outstation"));
	ck_assert(dis_dnp3.probe(&(struct cur){ real_hdr, sizeof(real_hdr), false }, DIR_C2S));
	ck_assert(!dis_dnp3.probe(&(struct cur){ real_hdr, 9, false }, DIR_C2S));
	harness_free(&d);
}
END_TEST

static const struct want_fact group0_attributes_over_two_segments_facts[] = {
	{ A_VENDOR, "Acme Grid Systems", "dnp3/g0v252" },
	{ A_MODEL, "RTU-9000 Feeder Controller", "dnp3/g0v250" },
	{ A_FIRMWARE, "3.1.4", "dnp3/g0v242" },
	{ A_HARDWARE, "Rev B", "dnp3/g0v243" },
	{ A_SERIAL, "SN-000123", "dnp3/g0v248" },
	{ A_DEVICE_NAME, "Feeder 7 recloser", "dnp3/g0v247" },
	{ A_LOCATION, "Substation North", "dnp3/g0v245" },
	{ A_NOTE, "id_code=ID-42", "dnp3/g0v246" },
	{ A_CONTACT, "Grid Ops", "dnp3/g0v244" },
	{ A_NOTE, "subset=Level 2", "dnp3/g0v249" },
};

START_TEST(group0_attributes_over_two_segments)
{
	uint8_t app[600], out[1200];
	struct harness d;
	size_t n, len;

	harness_init(&d, &dis_dnp3);
	n = response_head(app, 0x81);
	put_g0(app, &n, 252, "Acme Grid Systems");
	put_g0(app, &n, 250, "RTU-9000 Feeder Controller");
	put_g0(app, &n, 242, "3.1.4");
	put_g0(app, &n, 243, "Rev B");
	put_g0(app, &n, 248, "SN-000123");
	put_g0(app, &n, 247, "Feeder 7 recloser");
	put_g0(app, &n, 245, "Substation North");
	put_g0(app, &n, 246, "ID-42");
	put_g0(app, &n, 244, "Grid Ops");
	put_g0(app, &n, 249, "Level 2");
	len = app_frames(out, CTL_FROM_OUTST, MASTER_ADDR, OUTST_ADDR, app, n, 100);
	ck_assert_int_eq(harness_parse(&d, DIR_S2C, out, len, NULL), DISS_OK);
	ck_assert_uint_eq(d.st.pdus, 2);
	ck_assert_uint_eq(d.st.counters[D_BAD_APP], 0);
	ck_assert_uint_eq(d.st.counters[D_FRAG_DROPPED], 0);
	ASSERT_FACTS(&d.col, NULL, group0_attributes_over_two_segments_facts);
	harness_free(&d);
}
END_TEST

/* Attributes after other objects: the walker skips what it can size. */
START_TEST(group0_after_static_objects)
{
	static const uint8_t statics[] = {
		0x01, 0x02, 0x00, 0x00, 0x03, 0x81, 0x81, 0x01, 0x01,	/* g1v2 0..3 */
		0x1e, 0x01, 0x00, 0x00, 0x01, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5, /* g30v1 0..1 */
		0x01, 0x01, 0x00, 0x00, 0x09, 0xff, 0x03,		/* g1v1 0..9 packed */
		0x3c, 0x02, 0x06,					/* g60v2 no range */
	};
	uint8_t app[300], out[400];
	struct harness d;
	size_t n, len;

	harness_init(&d, &dis_dnp3);
	n = response_head(app, 0x81);
	memcpy(app + n, statics, sizeof(statics));
	n += sizeof(statics);
	put_g0(app, &n, 252, "Acme");
	len = app_frames(out, CTL_FROM_OUTST, MASTER_ADDR, OUTST_ADDR, app, n, 249);
	harness_parse(&d, DIR_S2C, out, len, NULL);
	ck_assert_ptr_nonnull(find_fact_src(&d.col, NULL, A_VENDOR, "Acme", "dnp3/g0v252"));
	ck_assert_uint_eq(d.st.counters[D_BAD_APP], 0);
	harness_free(&d);
}
END_TEST

static const struct want_fact functions_called_out_facts[] = {
	{ A_NOTE, "dnp3_control", "dnp3/fc4" },
	{ A_NOTE, "dnp3_control", "dnp3/fc5" },
	{ A_NOTE, "dnp3_restart", "dnp3/fc13" },
	{ A_NOTE, "dnp3_file", "dnp3/fc25" },
	{ A_NOTE, "dnp3_time_sync", "dnp3/fc2" },
	{ A_NOTE, "dnp3_unsolicited", "dnp3/fc130" },
	{ A_FUNCTION, "dnp3:13", NULL },
};

START_TEST(functions_called_out)
{
	static const uint8_t operate[] = { 0xc1, 0x04, 0x0c, 0x01, 0x17, 0x01, 0x00,
	    0x01, 0x01, 0xe8, 0x03, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t direct_op[] = { 0xc2, 0x05, 0x0c, 0x01, 0x17, 0x01, 0x00,
	    0x01, 0x01, 0xe8, 0x03, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t cold[] = { 0xc3, 0x0d };
	static const uint8_t file_open[] = { 0xc4, 0x19 };
	static const uint8_t write_time[] = { 0xc5, 0x02, 0x32, 0x01, 0x07, 0x01,
	    1, 2, 3, 4, 5, 6 };
	static const uint8_t unsol[] = { 0xf0, 0x82, 0x00, 0x00 };
	const struct { const uint8_t *p; size_t n; uint8_t ctl; } msgs[] = {
		{ operate, sizeof(operate), CTL_FROM_MASTER },
		{ direct_op, sizeof(direct_op), CTL_FROM_MASTER },
		{ cold, sizeof(cold), CTL_FROM_MASTER },
		{ file_open, sizeof(file_open), CTL_FROM_MASTER },
		{ write_time, sizeof(write_time), CTL_FROM_MASTER },
		{ unsol, sizeof(unsol), CTL_FROM_OUTST },
	};
	uint8_t out[300];
	struct harness d;

	harness_init(&d, &dis_dnp3);
	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		bool m = msgs[i].ctl == CTL_FROM_MASTER;
		size_t len = app_frames(out, msgs[i].ctl, m ? OUTST_ADDR : MASTER_ADDR,
		    m ? MASTER_ADDR : OUTST_ADDR, msgs[i].p, msgs[i].n, 249);

		ck_assert_int_eq(harness_parse(&d, m ? DIR_C2S : DIR_S2C, out, len, NULL),
		    DISS_OK);
	}
	ck_assert_uint_eq(d.st.counters[D_CONTROL], 2);
	ck_assert_uint_eq(d.st.counters[D_RESTART], 1);
	ck_assert_uint_eq(d.st.counters[D_FILE], 1);
	ck_assert_uint_eq(d.st.counters[D_TIME_SYNC], 1);
	ck_assert_uint_eq(d.st.counters[D_UNSOLICITED], 1);
	ASSERT_FACTS(&d.col, NULL, functions_called_out_facts);
	harness_free(&d);
}
END_TEST

/*
 * The table-driven CRC against the bitwise one above, on every block length
 * a frame has (the 8-byte header, data blocks of 1..16 bytes): frames of
 * 1..80 bytes of user data are good, and bad with one bit flipped in the
 * header or in a data block or its CRC.  The bitwise CRC is pinned by the
 * published CRC-16/DNP check value ("123456789": 0xea82).
 */
START_TEST(crc_every_block_length)
{
	uint8_t ud[80], f[200];
	uint32_t seed = 4711;
	uint64_t pdus = 0, bad = 0;
	struct harness d;

	ck_assert_uint_eq(crc_dnp((const uint8_t *)"123456789", 9), 0xea82);
	harness_init(&d, &dis_dnp3);
	harness_flow(&d, L4_TCP, MASTER_IP, 40000, OUTST_IP, 20000);
	for (size_t n = 1; n <= sizeof(ud); n++) {
		size_t len, at;

		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			ud[i] = (uint8_t)(seed >> 16);
		}
		/* reset link states (function 0): no transport layer behind the data */
		len = link_frame(f, 0xc0, OUTST_ADDR, MASTER_ADDR, ud, n);
		ck_assert_int_eq(harness_parse(&d, DIR_C2S, f, len, NULL), DISS_OK);
		ck_assert_uint_eq(d.st.pdus, ++pdus);
		ck_assert_uint_eq(d.st.counters[D_BAD_CRC], bad);
		/* a data block or its CRC */
		at = 10 + (seed >> 8) % (len - 10);
		f[at] ^= (uint8_t)(1u << (seed & 7));
		ck_assert_int_eq(harness_parse(&d, DIR_C2S, f, len, NULL), DISS_OK);
		ck_assert_uint_eq(d.st.pdus, pdus);
		ck_assert_uint_eq(d.st.counters[D_BAD_CRC], ++bad);
		f[at] ^= (uint8_t)(1u << (seed & 7));
		/* the header after its length byte, or its CRC: not a frame */
		at = 3 + (seed >> 12) % 7;
		f[at] ^= (uint8_t)(1u << ((seed >> 3) & 7));
		ck_assert_int_eq(harness_parse(&d, DIR_C2S, f, len, NULL), DISS_NOT_MINE);
		ck_assert_uint_eq(d.st.counters[D_BAD_CRC], ++bad);
	}
	harness_free(&d);
}
END_TEST

START_TEST(bad_crcs_and_framing)
{
	uint8_t f[400], app[64];
	struct harness d;
	size_t n, len, left;

	harness_init(&d, &dis_dnp3);
	/* header CRC wrong on a fresh flow: counted, and not DNP3 */
	n = app_frames(f, CTL_FROM_MASTER, OUTST_ADDR, MASTER_ADDR, read_class1,
	    sizeof(read_class1), 249);
	f[8] ^= 0xff;
	ck_assert_int_eq(harness_parse(&d, DIR_C2S, f, n, NULL), DISS_NOT_MINE);
	ck_assert_uint_eq(d.st.counters[D_BAD_CRC], 1);
	ck_assert_uint_eq(d.col.n, 0);
	/* data block CRC wrong: frame ignored, stream goes on */
	f[8] ^= 0xff;
	f[n - 1] ^= 0x01;
	ck_assert_int_eq(harness_parse(&d, DIR_C2S, f, n, &left), DISS_OK);
	ck_assert_uint_eq(left, 0);
	ck_assert_uint_eq(d.st.counters[D_BAD_CRC], 2);
	ck_assert_uint_eq(d.st.pdus, 0);
	ck_assert_uint_eq(d.col.n, 0);
	/* a good frame, then a header CRC error: the stream lost sync */
	f[n - 1] ^= 0x01;
	ck_assert_int_eq(harness_parse(&d, DIR_C2S, f, n, NULL), DISS_OK);
	ck_assert_uint_eq(d.st.pdus, 1);
	f[3] ^= 0x10;
	ck_assert_int_eq(diss_verdict(harness_parse(&d, DIR_C2S, f, n, NULL), d.flow.d_pdus),
	    DISS_MALFORMED);
	f[3] ^= 0x10;
	/* short header and incomplete frame: wait at the start */
	ck_assert_int_eq(harness_parse(&d, DIR_C2S, f, 7, &left), DISS_OK);
	ck_assert_uint_eq(left, 7);
	ck_assert_int_eq(harness_parse(&d, DIR_C2S, f, n - 1, &left), DISS_OK);
	ck_assert_uint_eq(left, n - 1);
	/* length below 5 (with a CRC that matches it) */
	len = link_frame(f, 0xc9, 1, 2, NULL, 0);
	f[2] = 4;
	n = 8;
	put_crc(f, &n, f, 8);
	ck_assert_int_eq(diss_verdict(harness_parse(&d, DIR_C2S, f, len, NULL), d.flow.d_pdus),
	    DISS_MALFORMED);
	/* broadcast destination is no device address */
	memcpy(app, read_class1, sizeof(read_class1));
	n = app_frames(f, CTL_FROM_MASTER, 0xffff, 77, app, sizeof(read_class1), 249);
	harness_parse(&d, DIR_C2S, f, n, NULL);
	ck_assert_ptr_nonnull(find_fact_src(&d.col, NULL, A_DNP3_ADDR, "77", "dnp3/master"));
	ck_assert_ptr_null(find_fact(&d.col, NULL, A_DNP3_ADDR, "65535"));
	harness_free(&d);
}
END_TEST

START_TEST(bad_objects)
{
	uint8_t app[300], out[600];
	struct harness d;
	size_t n, len;

	harness_init(&d, &dis_dnp3);
	/* second attribute's length runs past the fragment: first kept */
	n = response_head(app, 0x81);
	put_g0(app, &n, 252, "Acme");
	put_g0(app, &n, 250, "Model");
	app[n - 6] = 200;
	len = app_frames(out, CTL_FROM_OUTST, MASTER_ADDR, OUTST_ADDR, app, n, 249);
	harness_parse(&d, DIR_S2C, out, len, NULL);
	ck_assert_ptr_nonnull(find_fact(&d.col, NULL, A_VENDOR, "Acme"));
	ck_assert_ptr_null(find_fact(&d.col, NULL, A_MODEL, NULL));
	ck_assert_uint_eq(d.st.counters[D_BAD_APP], 1);
	/* stop below start */
	n = response_head(app, 0x81);
	memcpy(app + n, (const uint8_t[]){ 0, 252, 0x00, 5, 1 }, 5);
	n += 5;
	len = app_frames(out, CTL_FROM_OUTST, MASTER_ADDR, OUTST_ADDR, app, n, 249);
	harness_parse(&d, DIR_S2C, out, len, NULL);
	ck_assert_uint_eq(d.st.counters[D_BAD_APP], 2);
	/* object header cut short; response without IIN */
	n = response_head(app, 0x81);
	app[n++] = 0;
	app[n++] = 252;
	len = app_frames(out, CTL_FROM_OUTST, MASTER_ADDR, OUTST_ADDR, app, n, 249);
	harness_parse(&d, DIR_S2C, out, len, NULL);
	len = app_frames(out, CTL_FROM_OUTST, MASTER_ADDR, OUTST_ADDR, app, 3, 249);
	harness_parse(&d, DIR_S2C, out, len, NULL);
	ck_assert_uint_eq(d.st.counters[D_BAD_APP], 4);
	/* zero-length attribute values and many empty class headers: walked, nothing kept */
	n = response_head(app, 0x81);
	for (int i = 0; i < 60; i++) {
		memcpy(app + n, (const uint8_t[]){ 0x3c, 0x01, 0x06 }, 3);
		n += 3;
	}
	memcpy(app + n, (const uint8_t[]){ 0, 243, 0x00, 0, 0, 1, 0 }, 7);
	n += 7;
	len = app_frames(out, CTL_FROM_OUTST, MASTER_ADDR, OUTST_ADDR, app, n, 249);
	harness_parse(&d, DIR_S2C, out, len, NULL);
	ck_assert_uint_eq(d.st.counters[D_BAD_APP], 4);
	ck_assert_ptr_null(find_fact(&d.col, NULL, A_HARDWARE, NULL));
	harness_free(&d);
}
END_TEST

START_TEST(transport_sequence_and_bound)
{
	uint8_t ud[250], out[300];
	struct harness d;
	size_t len;

	harness_init(&d, &dis_dnp3);
	/* a middle segment with no first one */
	ud[0] = 0x05;
	memcpy(ud + 1, read_class1, sizeof(read_class1));
	len = link_frame(out, CTL_FROM_MASTER, OUTST_ADDR, MASTER_ADDR, ud, 1 + sizeof(read_class1));
	harness_parse(&d, DIR_C2S, out, len, NULL);
	ck_assert_uint_eq(d.st.counters[D_FRAG_DROPPED], 1);
	/* FIR seq 0, then seq 2: out of sequence */
	ud[0] = 0x40;
	len = link_frame(out, CTL_FROM_MASTER, OUTST_ADDR, MASTER_ADDR, ud, 1 + sizeof(read_class1));
	harness_parse(&d, DIR_C2S, out, len, NULL);
	ud[0] = 0x82;
	len = link_frame(out, CTL_FROM_MASTER, OUTST_ADDR, MASTER_ADDR, ud, 1 + sizeof(read_class1));
	harness_parse(&d, DIR_C2S, out, len, NULL);
	ck_assert_uint_eq(d.st.counters[D_FRAG_DROPPED], 2);
	ck_assert_ptr_null(find_fact(&d.col, NULL, A_FUNCTION, NULL));
	/* a fragment that never ends is cut at DISS_MAX_FRAGMENT */
	memset(ud, 0x3c, sizeof(ud));
	for (unsigned i = 0; i < 300; i++) {
		ud[0] = (uint8_t)((i == 0 ? 0x40 : 0) | (i & 0x3f));
		len = link_frame(out, CTL_FROM_MASTER, OUTST_ADDR, MASTER_ADDR, ud, 250);
		harness_parse(&d, DIR_C2S, out, len, NULL);
	}
	ck_assert_uint_ge(d.st.counters[D_FRAG_DROPPED], 3);
	ck_assert_uint_eq(d.st.pdus, 303);
	harness_free(&d);
}
END_TEST

/* --- the whole pipeline ----------------------------------------------- */

START_TEST(pipeline_tcp_and_udp)
{
	uint8_t app[300], dnp[600], f[1600];
	struct tcp_conv v;
	size_t n, len;

	tcp_conv_open(&v, MASTER_IP, OUTST_IP, 20000);
	len = app_frames(dnp, CTL_FROM_MASTER, OUTST_ADDR, MASTER_ADDR, read_class1,
	    sizeof(read_class1), 249);
	tcp_conv_send(&v, DIR_C2S, 0x18, dnp, len);
	n = response_head(app, 0x81);
	put_g0(app, &n, 252, "Acme Grid Systems");
	len = app_frames(dnp, CTL_FROM_OUTST, MASTER_ADDR, OUTST_ADDR, app, n, 249);
	n = build_udp4(f, sizeof(f), "02:00:00:00:01:02", "02:00:00:00:01:01",
	    OUTST_IP, MASTER_IP, 20000, 20000, dnp, len);
	run_frame(v.pl, f, n, v.ts_us += 1000);
	ck_assert_int_eq(pipeline_counter(v.pl, "dnp3.pdus"), 2);
	ck_assert_ptr_nonnull(find_fact(&v.col, MASTER_IP, A_ROLE, R_DNP3_MASTER));
	ck_assert_ptr_nonnull(find_fact_src(&v.col, MASTER_IP, A_DNP3_ADDR, "1", "dnp3/master"));
	ck_assert_ptr_nonnull(find_fact(&v.col, OUTST_IP, A_ROLE, R_DNP3_OUTSTATION));
	ck_assert_ptr_nonnull(find_fact_src(&v.col, OUTST_IP, A_DNP3_ADDR, "10",
	    "dnp3/outstation"));
	ck_assert_ptr_nonnull(find_fact(&v.col, MASTER_IP, A_FUNCTION, "dnp3:1"));
	ck_assert_ptr_nonnull(find_fact_src(&v.col, OUTST_IP, A_VENDOR, "Acme Grid Systems",
	    "dnp3/g0v252"));
	ck_assert_ptr_null(find_fact(&v.col, MASTER_IP, A_VENDOR, NULL));
	tcp_conv_close(&v);
}
END_TEST

/* On a port no dissector claims, the link header CRC identifies DNP3. */
START_TEST(pipeline_heuristic_port)
{
	uint8_t dnp[64];
	struct tcp_conv v;
	size_t len;

	tcp_conv_open(&v, MASTER_IP, OUTST_IP, 21000);
	len = app_frames(dnp, CTL_FROM_MASTER, OUTST_ADDR, MASTER_ADDR, read_class1,
	    sizeof(read_class1), 249);
	tcp_conv_send(&v, DIR_C2S, 0x18, dnp, len);
	ck_assert_int_eq(pipeline_counter(v.pl, "dnp3.pdus"), 1);
	ck_assert_ptr_nonnull(find_fact_src(&v.col, MASTER_IP, A_DNP3_ADDR, "1", "dnp3/master"));
	ck_assert_ptr_nonnull(find_fact_src(&v.col, OUTST_IP, A_DNP3_ADDR, "10",
	    "dnp3/outstation"));
	tcp_conv_close(&v);
}
END_TEST

/* --- shared captures -------------------------------------------------- */

static const char *const captures[] = {
	"dnp3/icsnpp-dnp3__dnp3_example.pcap",
	"dnp3/iti__dnp3_test_data_part1.pcap",
	"dnp3/iti__read_and_response.pcap",
};

static void
check_stations(const struct collected *c, json_t *list, const char *role,
    const char *src, const char *cap)
{
	size_t i, j;
	json_t *s, *ip;

	json_array_foreach(list, i, s) {
		char addr[16];

		snprintf(addr, sizeof(addr), "%lld",
		    json_integer_value(json_object_get(s, "link_addr")));
		json_array_foreach(json_object_get(s, "ips"), j, ip) {
			const char *who = json_string_value(ip);

			ck_assert_msg(find_fact(c, who, A_ROLE, role), "%s: %s %s", cap, who, role);
			ck_assert_msg(find_fact_src(c, who, A_DNP3_ADDR, addr, src),
			    "%s: %s %s address %s", cap, who, src, addr);
		}
	}
}

START_TEST(shared_captures)
{
	const char *cap = captures[_i];
	struct expected_run r;

	expected_run_open(&r, cap, "dnp3", true);
	check_stations(&r.col, json_object_get(r.facts, "masters"), R_DNP3_MASTER, "dnp3/master",
	    cap);
	check_stations(&r.col, json_object_get(r.facts, "outstations"), R_DNP3_OUTSTATION,
	    "dnp3/outstation", cap);
	ck_assert_int_eq(pipeline_counter(r.pl, "dnp3.bad_crc"), 0);
	ck_assert_int_gt(pipeline_counter(r.pl, "dnp3.pdus"), 0);
	expected_run_close(&r);
}
END_TEST

/* --- operations ---------------------------------------------------------- */

static void
app_send(struct harness *d, bool from_master, const uint8_t *app, size_t n)
{
	uint8_t out[600];
	size_t len = app_frames(out, from_master ? CTL_FROM_MASTER : CTL_FROM_OUTST,
	    from_master ? OUTST_ADDR : MASTER_ADDR, from_master ? MASTER_ADDR : OUTST_ADDR,
	    app, n, 249);

	ck_assert_int_eq(harness_parse(d, from_master ? DIR_C2S : DIR_S2C, out, len, NULL), DISS_OK);
}

static unsigned
ops(const struct collected *c, enum op_kind k, enum op_phase ph)
{
	unsigned n = 0;

	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].kind == OBS_OP && c->v[i].op == k && c->v[i].op_phase == ph)
			n += c->v[i].op_n ? c->v[i].op_n : 1;
	return n;
}

static bool
op_detail(const struct collected *c, enum op_kind k, const char *detail)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].kind == OBS_OP && c->v[i].op == k && c->v[i].op_phase == OP_REQUEST &&
		    strcmp(c->v[i].val, detail) == 0)
			return true;
	return false;
}

/* Every function that acts on an outstation, with the response making the outcome. */
START_TEST(operations_and_outcomes)
{
	/* direct operate g12v1 CROB, index 3 (qualifier 0x17: 1-byte count, 1-byte index) */
	static const uint8_t dop[] = { 0xc1, 0x05, 0x0c, 0x01, 0x17, 0x01, 0x03,
	    0x03, 0x01, 0xe8, 0x03, 0, 0, 0, 0, 0, 0, 0x00 };
	static const uint8_t dop_ok[] = { 0xc1, 0x81, 0x00, 0x00, 0x0c, 0x01, 0x17, 0x01, 0x03,
	    0x03, 0x01, 0xe8, 0x03, 0, 0, 0, 0, 0, 0, 0x00 };
	/* the same refused in the echo: status 4 (not supported) */
	static const uint8_t dop2[] = { 0xc2, 0x05, 0x0c, 0x01, 0x17, 0x01, 0x04,
	    0x03, 0x01, 0xe8, 0x03, 0, 0, 0, 0, 0, 0, 0x00 };
	static const uint8_t dop2_refused[] = { 0xc2, 0x81, 0x00, 0x00, 0x0c, 0x01, 0x17, 0x01, 0x04,
	    0x03, 0x01, 0xe8, 0x03, 0, 0, 0, 0, 0, 0, 0x04 };
	/* cold restart answered "function code not supported" (IIN2.0) */
	static const uint8_t cold[] = { 0xc3, 0x0d };
	static const uint8_t cold_refused[] = { 0xc3, 0x81, 0x00, 0x01 };
	/* write g50v1 time; write g80v1 (clear restart bit: routine, not an operation) */
	static const uint8_t wtime[] = { 0xc4, 0x02, 0x32, 0x01, 0x07, 0x01, 1, 2, 3, 4, 5, 6 };
	static const uint8_t wiin[] = { 0xc5, 0x02, 0x50, 0x01, 0x00, 0x07, 0x07, 0x00 };
	/* warm restart, enable unsolicited, assign class, freeze, stop application */
	static const uint8_t warm[] = { 0xc6, 0x0e };
	static const uint8_t enable_unsol[] = { 0xc7, 0x14, 0x3c, 0x02, 0x06 };
	static const uint8_t freeze_nr[] = { 0xc8, 0x08, 0x14, 0x00, 0x06 };
	static const uint8_t stop_app[] = { 0xc9, 0x12 };
	/* a response with a sequence number nothing asked for */
	static const uint8_t stray[] = { 0xcf, 0x81, 0x00, 0x00 };
	struct harness d;

	harness_init(&d, &dis_dnp3);
	harness_flow(&d, L4_TCP, "10.0.0.1", 40000, "10.0.0.2", 20000);
	app_send(&d, true, dop, sizeof(dop));
	app_send(&d, false, dop_ok, sizeof(dop_ok));
	app_send(&d, true, dop2, sizeof(dop2));
	app_send(&d, false, dop2_refused, sizeof(dop2_refused));
	app_send(&d, true, cold, sizeof(cold));
	app_send(&d, false, cold_refused, sizeof(cold_refused));
	app_send(&d, true, wtime, sizeof(wtime));
	app_send(&d, true, wiin, sizeof(wiin));
	app_send(&d, true, warm, sizeof(warm));
	app_send(&d, true, enable_unsol, sizeof(enable_unsol));
	app_send(&d, true, freeze_nr, sizeof(freeze_nr));
	app_send(&d, true, stop_app, sizeof(stop_app));
	app_send(&d, false, stray, sizeof(stray));
	ck_assert_uint_eq(ops(&d.col, OP_CONTROL_OPERATE, OP_REQUEST), 3);
	ck_assert_uint_eq(ops(&d.col, OP_CONTROL_OPERATE, OP_REPLY_OK), 1);
	ck_assert_uint_eq(ops(&d.col, OP_CONTROL_OPERATE, OP_REPLY_FAILED), 1);
	ck_assert_uint_eq(ops(&d.col, OP_RESTART_COLD, OP_REQUEST), 1);
	ck_assert_uint_eq(ops(&d.col, OP_RESTART_COLD, OP_REPLY_FAILED), 1);
	ck_assert_uint_eq(ops(&d.col, OP_TIME_SET, OP_REQUEST), 1);
	ck_assert_uint_eq(ops(&d.col, OP_CONFIG_CHANGE, OP_REQUEST), 1);	/* enable unsolicited; not g80 */
	ck_assert_uint_eq(ops(&d.col, OP_RESTART_WARM, OP_REQUEST), 1);
	ck_assert_uint_eq(ops(&d.col, OP_STOP, OP_REQUEST), 1);
	ck_assert(op_detail(&d.col, OP_CONTROL_OPERATE, "direct_operate g12v1 idx 3"));
	ck_assert(op_detail(&d.col, OP_CONTROL_OPERATE, "immediate_freeze_nr g20v0"));
	ck_assert(op_detail(&d.col, OP_TIME_SET, "write g50v1"));
	ck_assert(op_detail(&d.col, OP_CONFIG_CHANGE, "enable_unsolicited g60v2"));
	/* nothing answered the warm restart, freeze (no ack), stop, or the stray */
	ck_assert_uint_eq(ops(&d.col, OP_RESTART_WARM, OP_REPLY_OK) + ops(&d.col, OP_STOP, OP_REPLY_OK), 0);
	harness_free(&d);
}
END_TEST

/*
 * A detail longer than OP_DETAIL_MAX is cut where snprintf cuts it: two
 * g12v1 headers of five CROBs with 4-byte indices (qualifier 0x39) near
 * 2^32, the second header's numbers cut in the middle.
 */
START_TEST(long_detail_cut)
{
	uint8_t app[200];
	char want[300];
	size_t n = 0, w;
	struct harness d;

	app[n++] = 0xc1;
	app[n++] = 0x05;			/* direct operate */
	for (int h = 0; h < 2; h++) {
		app[n++] = 12, app[n++] = 1, app[n++] = 0x39;
		app[n++] = 5, app[n++] = 0, app[n++] = 0, app[n++] = 0;
		for (uint32_t i = 0; i < 5; i++) {
			uint32_t idx = UINT32_MAX - (uint32_t)h * 10 - i;

			for (int k = 0; k < 4; k++)
				app[n++] = (uint8_t)(idx >> (8 * k));
			memset(app + n, 0, 11);
			app[n] = 0x03, app[n + 1] = 1;
			n += 11;
		}
	}
	w = 0;
	w += (size_t)snprintf(want + w, sizeof(want) - w, "direct_operate");
	for (int h = 0; h < 2; h++) {
		uint32_t top = UINT32_MAX - (uint32_t)h * 10;

		w += (size_t)snprintf(want + w, sizeof(want) - w, " g12v1 idx %u,%u,%u,%u +1",
		    top, top - 1, top - 2, top - 3);
	}
	ck_assert_uint_gt(w, OP_DETAIL_MAX);
	want[OP_DETAIL_MAX - 1] = '\0';
	harness_init(&d, &dis_dnp3);
	harness_flow(&d, L4_TCP, "10.0.0.1", 40000, "10.0.0.2", 20000);
	app_send(&d, true, app, n);
	ck_assert_uint_eq(ops(&d.col, OP_CONTROL_OPERATE, OP_REQUEST), 1);
	ck_assert(op_detail(&d.col, OP_CONTROL_OPERATE, want));
	harness_free(&d);
}
END_TEST

/* File transfer: open for read or write decides the kind; close follows the open. */
START_TEST(file_operations)
{
	/* open_file g70v3, qualifier 0x5b: name "a.txt", mode 1 (read) */
	uint8_t open[64] = { 0xc1, 0x19, 0x46, 0x03, 0x5b, 0x01 };
	static const uint8_t close_f[] = { 0xc2, 0x1a, 0x46, 0x04, 0x5b, 0x01, 0x0b, 0x00,
	    1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t del[] = { 0xc3, 0x1b };
	/* a lying object size: claims 200 bytes, has 4 */
	static const uint8_t open_lies[] = { 0xc4, 0x19, 0x46, 0x03, 0x5b, 0x01, 0xc8, 0x00, 1, 2, 3, 4 };
	size_t n = 6, body;
	struct harness d;

	body = 26 + 5;
	open[n++] = (uint8_t)body;
	open[n++] = 0;
	open[n++] = 26;		/* name offset */
	open[n++] = 0;
	open[n++] = 5;		/* name size */
	open[n++] = 0;
	memset(open + n, 0, 6 + 2 + 4 + 4);
	n += 16;
	open[n++] = 1;		/* mode: read */
	open[n++] = 0;
	memset(open + n, 0, 4);
	n += 4;
	memcpy(open + n, "a.txt", 5);
	n += 5;
	harness_init(&d, &dis_dnp3);
	harness_flow(&d, L4_TCP, "10.0.0.1", 40000, "10.0.0.2", 20000);
	app_send(&d, true, open, n);
	app_send(&d, true, close_f, sizeof(close_f));
	app_send(&d, true, del, sizeof(del));
	app_send(&d, true, open_lies, sizeof(open_lies));
	ck_assert_uint_eq(ops(&d.col, OP_FILE_READ, OP_REQUEST), 2);	/* open and its close */
	ck_assert(op_detail(&d.col, OP_FILE_READ, "open_file read a.txt"));
	ck_assert_uint_eq(ops(&d.col, OP_FILE_DELETE, OP_REQUEST), 1);
	ck_assert_uint_eq(ops(&d.col, OP_FILE_WRITE, OP_REQUEST), 1);	/* unreadable open: the worse */
	harness_free(&d);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("dnp3");
	TCase *tc = tcase_create("dnp3");

	tcase_add_test(tc, crc_matches_a_real_frame);
	tcase_add_test(tc, group0_attributes_over_two_segments);
	tcase_add_test(tc, group0_after_static_objects);
	tcase_add_test(tc, functions_called_out);
	tcase_add_test(tc, operations_and_outcomes);
	tcase_add_test(tc, long_detail_cut);
	tcase_add_test(tc, file_operations);
	tcase_add_test(tc, bad_crcs_and_framing);
	tcase_add_test(tc, crc_every_block_length);
	tcase_add_test(tc, bad_objects);
	tcase_add_test(tc, transport_sequence_and_bound);
	tcase_add_test(tc, pipeline_tcp_and_udp);
	tcase_add_test(tc, pipeline_heuristic_port);
	tcase_add_loop_test(tc, shared_captures, 0,
	    (int)(sizeof(captures) / sizeof(captures[0])));
	suite_add_tcase(s, tc);
	return s;
}
