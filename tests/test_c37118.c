/*
 * test_c37118.c - IEEE C37.118 synchrophasor frames: byte-built CFG-2 of a
 * PDC with several PMUs, CFG-1, CFG-3 (whole and fragmented), header and
 * command frames, bad CRCs, truncated frames and lying counts; and a
 * public capture of a PDC with four PMUs (ITI ICS-Security-Tools,
 * pcaps/C37.118/), kept outside the project: the test skips when absent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"
#include "dissector.h"

extern const struct dissector dis_c37118;

#define PDC_IP	"10.7.0.60"
#define CLI_IP	"10.7.0.10"

/* --- building frames ----------------------------------------------------- */

static uint16_t
crc(const uint8_t *p, size_t n)
{
	uint16_t c = 0xffff;

	for (size_t i = 0; i < n; i++) {
		c ^= (uint16_t)(p[i] << 8);
		for (int k = 0; k < 8; k++)
			c = (uint16_t)(c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1);
	}
	return c;
}

/* Common header for a frame of type t from stream idcode; size patched by finish(). */
static void
start(struct bytebuf *b, unsigned t, unsigned idcode)
{
	b->n = 0;
	put_u8(b, 0xaa);
	put_u8(b, (t << 4) | 1);
	put_be16(b, 0);
	put_be16(b, idcode);
	put_be32(b, 1217607002);	/* SOC */
	put_be32(b, 0);			/* FRACSEC */
}

static void
finish(struct bytebuf *b)
{
	size_t n = b->n + 2;

	b->b[2] = (uint8_t)(n >> 8);
	b->b[3] = (uint8_t)n;
	put_be16(b, crc(b->b, b->n));
}

static void
name16(struct bytebuf *b, const char *s)
{
	char n[16];

	memset(n, ' ', sizeof(n));
	memcpy(n, s, strlen(s) < 16 ? strlen(s) : 16);
	put_bytes(b, n, 16);
}

/* One CFG-1/2 PMU block: phasor names, one analog, one digital word. */
static void
cfg2_pmu(struct bytebuf *b, const char *stn, unsigned id, const char *const *ph, unsigned nph)
{
	name16(b, stn);
	put_be16(b, id);
	put_be16(b, 0x000f);		/* FORMAT */
	put_be16(b, nph);
	put_be16(b, 1);			/* ANNMR */
	put_be16(b, 1);			/* DGNMR */
	for (unsigned i = 0; i < nph; i++)
		name16(b, ph[i]);
	name16(b, "FREQ DEV");
	for (unsigned i = 0; i < 16; i++)
		name16(b, i == 0 ? "BREAKER 1" : "");
	put_zeros(b, 4 * nph + 4 + 4);	/* PHUNIT, ANUNIT, DIGUNIT */
	put_be16(b, 1);			/* FNOM: 50 Hz */
	put_be16(b, 3);			/* CFGCNT */
}

static const char *const ph3[] = { "VA", "VB", "VC" };
static const char *const ph1[] = { "IA" };

/* A PDC's CFG-2 with three PMUs. */
static void
cfg2_pdc(struct bytebuf *b)
{
	start(b, 3, 60);
	put_be32(b, 1000000);		/* TIME_BASE */
	put_be16(b, 3);
	cfg2_pmu(b, "SUBSTATION A", 61, ph3, 3);
	cfg2_pmu(b, "SUBSTATION B", 62, ph1, 1);
	cfg2_pmu(b, "FEEDER 7", 63, ph3, 3);
	put_be16(b, 30);		/* DATA_RATE */
	finish(b);
}

static void
pdc_harness(struct harness *h)
{
	harness_init(h, &dis_c37118);
	harness_flow(h, L4_TCP, CLI_IP, 40100, PDC_IP, 4712);
}

static enum diss_rc
from_pdc(struct harness *h, const struct bytebuf *b, size_t *left)
{
	return harness_parse(h, DIR_S2C, b->b, b->n, left);
}

/* --- tests ---------------------------------------------------------------- */

static const struct want_fact pdc_facts[] = {
	{ A_ROLE, R_PDC, "c37118/cfg2" },
	{ A_DEVICE_TYPE, "pdc", "c37118/cfg2" },
	{ A_C37_IDCODE, "60", "c37118/cfg2" },
	{ A_C37_STATION, "SUBSTATION A (id 61)", "c37118/cfg2" },
	{ A_C37_STATION, "SUBSTATION B (id 62)", "c37118/cfg2" },
	{ A_C37_STATION, "FEEDER 7 (id 63)", "c37118/cfg2" },
	{ A_C37_CHANNELS, "SUBSTATION A: VA, VB, VC, FREQ DEV, BREAKER 1", "c37118/cfg2" },
	{ A_C37_CHANNELS, "FEEDER 7: VA, VB, VC, FREQ DEV, BREAKER 1", "c37118/cfg2" },
	{ A_C37_CHANNELS, "SUBSTATION B: IA, FREQ DEV, BREAKER 1", "c37118/cfg2" },
};

START_TEST(cfg2_several_pmus)
{
	struct bytebuf b;
	struct harness h;
	size_t left;

	cfg2_pdc(&b);
	pdc_harness(&h);
	ck_assert_int_eq(from_pdc(&h, &b, &left), DISS_OK);
	ck_assert_uint_eq(left, 0);
	ASSERT_FACTS(&h.col, PDC_IP, pdc_facts);
	ck_assert_uint_eq(count_facts(&h.col, PDC_IP, A_C37_STATION), 3);
	/* a PDC's stations are not its own name */
	ck_assert_uint_eq(count_facts(&h.col, NULL, A_DEVICE_NAME), 0);
	ck_assert_uint_eq(harness_counter(&h, "config"), 1);
	ck_assert_uint_eq(harness_counter(&h, "bad_crc"), 0);
	harness_free(&h);
}
END_TEST

START_TEST(cfg1_single_pmu_header_data_command)
{
	static const char text[] = "PMU at Oostzaan 380 kV, firmware 4.2  ";
	struct bytebuf b;
	struct harness h;

	pdc_harness(&h);
	start(&b, 2, 7);		/* CFG-1, one PMU */
	put_be32(&b, 1000000);
	put_be16(&b, 1);
	cfg2_pmu(&b, "OOSTZAAN 380", 7, ph1, 1);
	put_be16(&b, 50);
	finish(&b);
	ck_assert_int_eq(from_pdc(&h, &b, NULL), DISS_OK);
	start(&b, 1, 7);		/* header: free text */
	put_bytes(&b, text, strlen(text));
	finish(&b);
	ck_assert_int_eq(from_pdc(&h, &b, NULL), DISS_OK);
	start(&b, 0, 7);		/* data */
	put_zeros(&b, 20);
	finish(&b);
	ck_assert_int_eq(from_pdc(&h, &b, NULL), DISS_OK);
	start(&b, 4, 7);		/* command: send CFG-2 */
	put_be16(&b, 5);
	finish(&b);
	ck_assert_int_eq(harness_parse(&h, DIR_C2S, b.b, b.n, NULL), DISS_OK);
	ck_assert_ptr_nonnull(find_fact_src(&h.col, PDC_IP, A_ROLE, R_PMU, "c37118/cfg1"));
	ck_assert_ptr_nonnull(find_fact_src(&h.col, PDC_IP, A_DEVICE_NAME, "OOSTZAAN 380", "c37118/cfg1"));
	ck_assert_ptr_nonnull(find_fact_src(&h.col, PDC_IP, A_DESCRIPTION,
	    "PMU at Oostzaan 380 kV, firmware 4.2", "c37118/header"));
	ck_assert_ptr_nonnull(find_fact_src(&h.col, CLI_IP, A_ROLE, R_C37_CLIENT, "c37118/command"));
	ck_assert_uint_eq(harness_counter(&h, "data"), 1);
	ck_assert_uint_eq(harness_counter(&h, "command"), 1);
	ck_assert_uint_eq(harness_counter(&h, "frames"), 4);
	harness_free(&h);
}
END_TEST

static void
name8(struct bytebuf *b, const char *s)
{
	put_u8(b, (unsigned)strlen(s));
	put_bytes(b, s, strlen(s));
}

START_TEST(cfg3_whole_and_fragmented)
{
	struct bytebuf b;
	struct harness h;

	pdc_harness(&h);
	start(&b, 5, 9);
	put_be16(&b, 0);		/* CONT_IDX: not fragmented */
	put_be32(&b, 1000000);
	put_be16(&b, 1);
	name8(&b, "Maasvlakte North 150kV");
	put_be16(&b, 9);
	put_zeros(&b, 16);		/* G_PMU_ID */
	put_be16(&b, 0x000f);
	put_be16(&b, 2);		/* PHNMR */
	put_be16(&b, 0);
	put_be16(&b, 0);
	name8(&b, "V1 positive sequence");
	name8(&b, "I1");
	put_zeros(&b, 16 + 12 + 1 + 8 + 4);	/* PHSCALE, LAT/LON/ELEV, SVC, WINDOW, GRP_DLY, FNOM, CFGCNT */
	put_be16(&b, 50);
	finish(&b);
	ck_assert_int_eq(from_pdc(&h, &b, NULL), DISS_OK);
	ck_assert_ptr_nonnull(find_fact_src(&h.col, PDC_IP, A_C37_STATION,
	    "Maasvlakte North 150kV (id 9)", "c37118/cfg3"));
	ck_assert_ptr_nonnull(find_fact_src(&h.col, PDC_IP, A_C37_CHANNELS,
	    "Maasvlakte North 150kV: V1 positive sequence, I1", "c37118/cfg3"));
	ck_assert_uint_eq(harness_counter(&h, "bad_config"), 0);
	b.b[14] = 0;			/* CONT_IDX 1: a fragment, not read */
	b.b[15] = 1;
	b.n -= 2;
	finish(&b);
	ck_assert_int_eq(from_pdc(&h, &b, NULL), DISS_OK);
	ck_assert_uint_eq(harness_counter(&h, "cfg3_fragments"), 1);
	harness_free(&h);
}
END_TEST

START_TEST(bad_crc_not_read)
{
	struct bytebuf b;
	struct harness h;

	cfg2_pdc(&b);
	b.b[b.n - 1] ^= 0x01;
	pdc_harness(&h);
	ck_assert_int_eq(from_pdc(&h, &b, NULL), DISS_OK);
	ck_assert_uint_eq(harness_counter(&h, "bad_crc"), 1);
	ck_assert_uint_eq(count_facts(&h.col, NULL, A_C37_STATION), 0);
	/* a flipped byte inside the body: the same */
	cfg2_pdc(&b);
	b.b[40] ^= 0x20;
	ck_assert_int_eq(from_pdc(&h, &b, NULL), DISS_OK);
	ck_assert_uint_eq(harness_counter(&h, "bad_crc"), 2);
	ck_assert_uint_eq(count_facts(&h.col, NULL, A_C37_STATION), 0);
	harness_free(&h);
}
END_TEST

START_TEST(truncated_frames)
{
	struct bytebuf b;
	struct harness h;
	size_t left;

	cfg2_pdc(&b);
	pdc_harness(&h);
	/* TCP: a partial frame waits at its start, then completes */
	ck_assert_int_eq(harness_parse(&h, DIR_S2C, b.b, 100, &left), DISS_OK);
	ck_assert_uint_eq(left, 100);
	ck_assert_uint_eq(harness_counter(&h, "frames"), 0);
	ck_assert_int_eq(from_pdc(&h, &b, &left), DISS_OK);
	ck_assert_uint_eq(left, 0);
	ck_assert_uint_eq(count_facts(&h.col, NULL, A_C37_STATION), 3);
	/* after sync, garbage is a lost stream */
	ck_assert_int_eq(harness_parse(&h, DIR_S2C, "\x01\x02\x03\x04\x05", 5, NULL), DISS_MALFORMED);
	harness_free(&h);
	/* UDP: a datagram shorter than its FRAMESIZE is truncated */
	harness_init(&h, &dis_c37118);
	harness_flow(&h, L4_UDP, CLI_IP, 4712, PDC_IP, 4713);
	ck_assert_int_eq(harness_parse(&h, DIR_S2C, b.b, b.n - 10, NULL), DISS_SHORT);
	ck_assert_uint_eq(count_facts(&h.col, NULL, A_C37_STATION), 0);
	/* not C37.118 at all on a fresh flow */
	harness_free(&h);
	harness_init(&h, &dis_c37118);
	ck_assert_int_eq(harness_parse(&h, DIR_S2C, "GET / HTTP/1.1\r\n", 16, NULL), DISS_NOT_MINE);
	harness_free(&h);
}
END_TEST

/* Counts that claim more names than the frame holds: counted, no crash, earlier PMUs kept. */
START_TEST(lying_counts)
{
	struct bytebuf b;
	struct harness h;

	pdc_harness(&h);
	start(&b, 3, 60);
	put_be32(&b, 1000000);
	put_be16(&b, 2);
	cfg2_pmu(&b, "GOOD PMU", 61, ph1, 1);
	name16(&b, "LIAR");
	put_be16(&b, 62);
	put_be16(&b, 0);
	put_be16(&b, 0xffff);		/* PHNMR */
	put_be16(&b, 0xffff);
	put_be16(&b, 0xffff);
	name16(&b, "X");
	finish(&b);
	ck_assert_int_eq(from_pdc(&h, &b, NULL), DISS_OK);
	ck_assert_uint_eq(harness_counter(&h, "bad_config"), 1);
	ck_assert_ptr_nonnull(find_fact(&h.col, PDC_IP, A_C37_STATION, "GOOD PMU (id 61)"));
	ck_assert_ptr_null(find_fact(&h.col, PDC_IP, A_C37_STATION, "LIAR (id 62)"));
	/* NUM_PMU far beyond what the frame holds */
	start(&b, 3, 60);
	put_be32(&b, 1000000);
	put_be16(&b, 60000);
	finish(&b);
	ck_assert_int_eq(from_pdc(&h, &b, NULL), DISS_OK);
	ck_assert_uint_eq(harness_counter(&h, "bad_config"), 2);
	/* FRAMESIZE below the header: not a frame */
	b.b[2] = 0;
	b.b[3] = 10;
	ck_assert_int_eq(from_pdc(&h, &b, NULL), DISS_MALFORMED);
	harness_free(&h);
}
END_TEST

/*
 * The table-driven CRC against the bitwise one above: data frames of every
 * body length 0..80 (the CRC then covers 14..94 bytes: every remainder of
 * the eight-byte steps, many times), each checked good, and bad with one
 * bit flipped anywhere; the probe answers the same.  The bitwise CRC is
 * pinned by the published CRC-CCITT (0xFFFF) check values.
 */
START_TEST(crc_every_length)
{
	static const uint8_t nine[] = "123456789";
	uint8_t a256[256];
	struct bytebuf b;
	struct harness h;
	uint32_t seed = 12345;
	uint64_t good = 0, bad = 0;

	ck_assert_uint_eq(crc(nine, 9), 0x29b1);
	ck_assert_uint_eq(crc((const uint8_t *)"A", 1), 0xb915);
	ck_assert_uint_eq(crc(nine, 0), 0xffff);
	memset(a256, 'A', sizeof(a256));
	ck_assert_uint_eq(crc(a256, sizeof(a256)), 0xea0b);
	pdc_harness(&h);
	for (unsigned len = 0; len <= 80; len++) {
		struct cur c;
		size_t at;

		start(&b, 0, 60);
		for (unsigned i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			put_u8(&b, (seed >> 16) & 0xff);
		}
		finish(&b);
		c = cur_make(b.b, b.n);
		ck_assert(dis_c37118.probe(&c, DIR_S2C));
		ck_assert_int_eq(from_pdc(&h, &b, NULL), DISS_OK);
		good++;
		ck_assert_uint_eq(harness_counter(&h, "data"), good);
		ck_assert_uint_eq(harness_counter(&h, "bad_crc"), bad);
		/* one flipped bit: in the CRC, the header or the body (not SYNC or FRAMESIZE) */
		at = 4 + (seed >> 8) % (b.n - 4);
		b.b[at] ^= (uint8_t)(1u << (seed & 7));
		c = cur_make(b.b, b.n);
		ck_assert(!dis_c37118.probe(&c, DIR_S2C));
		ck_assert_int_eq(from_pdc(&h, &b, NULL), DISS_OK);
		bad++;
		ck_assert_uint_eq(harness_counter(&h, "data"), good);
		ck_assert_uint_eq(harness_counter(&h, "bad_crc"), bad);
	}
	harness_free(&h);
}
END_TEST

START_TEST(probe)
{
	struct bytebuf b;
	struct cur c;

	cfg2_pdc(&b);
	c = cur_make(b.b, b.n);
	ck_assert(dis_c37118.probe(&c, DIR_S2C));
	b.b[b.n - 1] ^= 1;
	c = cur_make(b.b, b.n);
	ck_assert(!dis_c37118.probe(&c, DIR_S2C));
}
END_TEST

/* --- the public captures ----------------------------------------------------- */

/*
 * A shared capture that carries a real PMU stream next to its HTTP: one
 * PMU (192.168.0.17) answering a client's commands on TCP 4712.  tshark
 * 4.0: station "Reporting1", id code 1, 5,559 data frames, 1 CFG-2, 4
 * commands.
 */
START_TEST(shared_wrapup_pmu)
{
	static const struct want_fact want[] = {
		{ A_ROLE, R_PMU, "c37118/cfg2" },
		{ A_DEVICE_NAME, "Reporting1", "c37118/cfg2" },
		{ A_C37_IDCODE, "1", "c37118/cfg2" },
		{ A_C37_STATION, "Reporting1 (id 1)", "c37118/cfg2" },
	};
	struct collected c;
	struct pipeline *pl;

	collected_init(&c);
	ck_assert_int_gt(run_pcap(shared_pcap("http/iti__wrapup.pcapng"), &c, &pl), 0);
	ASSERT_FACTS(&c, "192.168.0.17", want);
	ck_assert_ptr_nonnull(find_fact(&c, "192.168.0.101", A_ROLE, R_C37_CLIENT));
	ck_assert_int_eq(pipeline_counter(pl, "c37118.bad_crc"), 0);
	ck_assert_int_eq(pipeline_counter(pl, "c37118.data"), 5559);
	ck_assert_int_eq(pipeline_counter(pl, "c37118.config"), 1);
	ck_assert_int_eq(pipeline_counter(pl, "c37118.command"), 4);
	pipeline_free(pl);
	collected_free(&c);
}
END_TEST



static const char *
extra_pcap(const char *rel)
{
	static char path[512];
	const char *base = getenv("SW_EXTRA_PCAPS");

	snprintf(path, sizeof(path), "%s/%s", base ? base : "../extra-pcaps", rel);
	return path;
}

START_TEST(iti_pdc_four_pmus)
{
	static const struct want_fact want[] = {
		{ A_ROLE, R_PDC, "c37118/cfg2" },
		{ A_C37_IDCODE, "60", "c37118/cfg2" },
		{ A_C37_STATION, "PMU1 (id 61)", "c37118/cfg2" },
		{ A_C37_STATION, "PMU2 (id 62)", "c37118/cfg2" },
		{ A_C37_STATION, "PMU3 (id 63)", "c37118/cfg2" },
		{ A_C37_STATION, "PMU4 (id 64)", "c37118/cfg2" },
	};
	const char *path = extra_pcap("C37.118/C37.118_4in1PMU_TCP.pcap");
	struct collected c;
	struct pipeline *pl;

	if (access(path, R_OK) != 0) {
		fprintf(stderr, "test_c37118: %s absent (ITI ICS-Security-Tools, "
		    "pcaps/C37.118/C37.118_4in1PMU_TCP.pcap; SW_EXTRA_PCAPS): skipped\n", path);
		return;
	}
	collected_init(&c);
	ck_assert_int_gt(run_pcap(path, &c, &pl), 0);
	ASSERT_FACTS(&c, "192.168.0.60", want);
	ck_assert_ptr_nonnull(find_fact(&c, "192.168.0.10", A_ROLE, R_C37_CLIENT));
	ck_assert_ptr_nonnull(find_fact(&c, "192.168.0.60", A_C37_CHANNELS,
	    "PMU1: VA, VB, VC, Dig Channel 1, Dig Channel 2, Dig Channel 3, Dig Channel 4, "
	    "Dig Channel 5, Dig Channel 6, Dig Channel 7, Dig Channel 8, Dig Channel 9, "
	    "Dig Channel 10, Dig Channel 11, Dig Channel 12, Dig Channel 13, Dig Channel 14, "
	    "Dig Channel 15, Dig Channel 16"));
	ck_assert_uint_eq(count_facts(&c, "192.168.0.60", A_C37_CHANNELS), 4);
	ck_assert_int_eq(pipeline_counter(pl, "c37118.bad_crc"), 0);
	ck_assert_int_eq(pipeline_counter(pl, "c37118.bad_config"), 0);
	/* tshark: 3 CFG-2, 1342 data frames (in 673 segments), 8 commands */
	ck_assert_int_eq(pipeline_counter(pl, "c37118.config"), 3);
	ck_assert_int_eq(pipeline_counter(pl, "c37118.data"), 1342);
	ck_assert_int_eq(pipeline_counter(pl, "c37118.command"), 8);
	pipeline_free(pl);
	collected_free(&c);
}
END_TEST

/* The same PMU over UDP: one station, so it is a pmu named after it. */
START_TEST(iti_one_pmu_udp)
{
	static const struct want_fact want[] = {
		{ A_ROLE, R_PMU, "c37118/cfg2" },
		{ A_DEVICE_NAME, "PMU1", "c37118/cfg2" },
		{ A_C37_STATION, "PMU1 (id 61)", "c37118/cfg2" },
	};
	const char *path = extra_pcap("C37.118/C37.118_1PMU_UDP.pcap");
	struct collected c;
	struct pipeline *pl;

	if (access(path, R_OK) != 0) {
		fprintf(stderr, "test_c37118: %s absent (ITI ICS-Security-Tools, "
		    "pcaps/C37.118/C37.118_1PMU_UDP.pcap; SW_EXTRA_PCAPS): skipped\n", path);
		return;
	}
	collected_init(&c);
	ck_assert_int_gt(run_pcap(path, &c, &pl), 0);
	ASSERT_FACTS(&c, "192.168.0.60", want);
	ck_assert_ptr_nonnull(find_fact(&c, "192.168.0.10", A_ROLE, R_C37_CLIENT));
	/* tshark: 1 CFG-2, 356 data frames, 4 commands, one frame per datagram */
	ck_assert_int_eq(pipeline_counter(pl, "c37118.config"), 1);
	ck_assert_int_eq(pipeline_counter(pl, "c37118.data"), 356);
	ck_assert_int_eq(pipeline_counter(pl, "c37118.command"), 4);
	ck_assert_int_eq(pipeline_counter(pl, "c37118.bad_crc"), 0);
	pipeline_free(pl);
	collected_free(&c);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("c37118");
	TCase *tc = tcase_create("c37118");

	tcase_add_test(tc, cfg2_several_pmus);
	tcase_add_test(tc, cfg1_single_pmu_header_data_command);
	tcase_add_test(tc, cfg3_whole_and_fragmented);
	tcase_add_test(tc, bad_crc_not_read);
	tcase_add_test(tc, truncated_frames);
	tcase_add_test(tc, lying_counts);
	tcase_add_test(tc, probe);
	tcase_add_test(tc, crc_every_length);
	tcase_add_test(tc, shared_wrapup_pmu);
	tcase_add_test(tc, iti_pdc_four_pmus);
	tcase_add_test(tc, iti_one_pmu_udp);
	suite_add_tcase(s, tc);
	return s;
}
