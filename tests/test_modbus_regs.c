/*
 * test_modbus_regs.c - register identity in the Modbus dissector: read
 * responses paired with their requests, SunSpec at each base and in split
 * or partial reads, vendor register maps (and their consistency check),
 * devices behind a gateway on several unit ids, hostile byte counts; and
 * Modbus operations against the shared operations capture.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "dissector.h"
#include "modbus_regs.h"
#include "ops.h"
#include "regmap.h"

extern const struct dissector dis_modbus;

#define CLI_IP	"10.9.0.10"
#define GW_IP	"10.9.0.20"

/* --- building reads ------------------------------------------------------ */

static uint16_t next_tid = 1;

/* A read request (fc 3 or 4) for qty registers at addr, on unit. */
static void
send_read(struct harness *h, uint8_t unit, uint8_t fc, uint16_t addr, uint16_t qty)
{
	struct bytebuf b = { .n = 0 };

	put_be16(&b, next_tid);
	put_be16(&b, 0);
	put_be16(&b, 6);
	put_u8(&b, unit);
	put_u8(&b, fc);
	put_be16(&b, addr);
	put_be16(&b, qty);
	ck_assert_int_eq(harness_parse(h, DIR_C2S, b.b, b.n, NULL), DISS_OK);
}

/* Its response carrying regs; byte_count_lie != 0 replaces the byte count. */
static void
send_regs(struct harness *h, uint8_t unit, uint8_t fc, const uint16_t *regs, uint16_t qty,
    int byte_count_lie)
{
	struct bytebuf b = { .n = 0 };

	put_be16(&b, next_tid++);
	put_be16(&b, 0);
	put_be16(&b, 3u + 2u * qty);
	put_u8(&b, unit);
	put_u8(&b, fc);
	put_u8(&b, byte_count_lie ? (unsigned)byte_count_lie : 2u * qty);
	for (unsigned i = 0; i < qty; i++)
		put_be16(&b, regs[i]);
	ck_assert_int_eq(harness_parse(h, DIR_S2C, b.b, b.n, NULL), DISS_OK);
}

/* Request and response for registers [addr, addr + qty) of an image. */
static void
read_image(struct harness *h, uint8_t unit, uint8_t fc, const uint16_t *image, uint32_t image_base,
    uint16_t addr, uint16_t qty)
{
	send_read(h, unit, fc, addr, qty);
	send_regs(h, unit, fc, image + (addr - image_base), qty, 0);
}

/* Write text into registers, two characters each, NUL padded. */
static void
put_text(uint16_t *regs, unsigned nregs, const char *s)
{
	size_t n = strlen(s);

	for (unsigned i = 0; i < nregs; i++) {
		uint8_t hi = 2 * i < n ? (uint8_t)s[2 * i] : 0;
		uint8_t lo = 2 * i + 1 < n ? (uint8_t)s[2 * i + 1] : 0;

		regs[i] = (uint16_t)(hi << 8 | lo);
	}
}

/*
 * A SunSpec image starting at the base: "SunS", common model (L = 66),
 * then the models given (id, length), then the end marker.  Returns the
 * number of registers used.
 */
static unsigned
sunspec_image(uint16_t *r, const char *mn, const char *md, const char *vr, const char *sn,
    const uint16_t *models, unsigned nmodels)
{
	unsigned n = 0;

	r[n++] = 0x5375;
	r[n++] = 0x6e53;
	r[n++] = 1;
	r[n++] = 66;
	memset(r + n, 0, 66 * sizeof(*r));
	put_text(r + n, 16, mn);
	put_text(r + n + 16, 16, md);
	put_text(r + n + 32, 8, "opt-A");
	put_text(r + n + 40, 8, vr);
	put_text(r + n + 48, 16, sn);
	r[n + 64] = 7;		/* DA */
	n += 66;
	for (unsigned i = 0; i < nmodels; i++) {
		r[n++] = models[2 * i];
		r[n++] = models[2 * i + 1];
		memset(r + n, 0, models[2 * i + 1] * sizeof(*r));
		n += models[2 * i + 1];
	}
	r[n++] = 0xffff;
	r[n++] = 0;
	return n;
}

static void
gw_harness(struct harness *h)
{
	harness_init(h, &dis_modbus);
	harness_flow(h, L4_TCP, CLI_IP, 40000, GW_IP, 502);
}

static const struct cobs *
unit_fact(const struct harness *h, const char *attr, unsigned unit, const char *val)
{
	char v[300];

	snprintf(v, sizeof(v), "%u|%s", unit, val);
	return find_fact(&h->col, GW_IP, attr, v);
}

static size_t
count_unit_facts(const struct harness *h)
{
	size_t n = 0;

	for (size_t i = 0; i < h->col.n; i++)
		if (h->col.v[i].kind == OBS_FACT &&
		    strncmp(h->col.v[i].src, SRC_MODBUS_UNIT, strlen(SRC_MODBUS_UNIT)) == 0)
			n++;
	return n;
}

static void
assert_sunspec_identity(const struct harness *h, unsigned unit)
{
	ck_assert_ptr_nonnull(unit_fact(h, A_VENDOR, unit, "SMA"));
	ck_assert_ptr_nonnull(unit_fact(h, A_MODEL, unit, "STP 25000TL-30"));
	ck_assert_ptr_nonnull(unit_fact(h, A_OPTIONS, unit, "opt-A"));
	ck_assert_ptr_nonnull(unit_fact(h, A_FIRMWARE, unit, "2.13.33.R"));
	ck_assert_ptr_nonnull(unit_fact(h, A_SERIAL, unit, "3005123456"));
	ck_assert_ptr_nonnull(unit_fact(h, A_NOTE, unit, "sunspec device address 7"));
}

/* --- SunSpec ----------------------------------------------------------------- */

static const uint16_t inverter_models[] = { 103, 50 };

START_TEST(sunspec_each_base)
{
	static const uint16_t bases[] = { 0, 40000, 50000 };
	uint16_t img[200];
	unsigned n = sunspec_image(img, "SMA", "STP 25000TL-30", "2.13.33.R", "3005123456",
	    inverter_models, 1);
	struct harness h;

	gw_harness(&h);
	/* marker, common model and the chain up to the end, in two reads */
	read_image(&h, 3, 3, img, bases[_i], bases[_i], 100);
	read_image(&h, 3, 3, img, bases[_i], (uint16_t)(bases[_i] + 100), (uint16_t)(n - 100));
	assert_sunspec_identity(&h, 3);
	ck_assert_ptr_nonnull(unit_fact(&h, A_DEVICE_TYPE, 3, "inverter"));
	ck_assert_uint_eq(harness_counter(&h, "sunspec_models"), 1);
	ck_assert_uint_eq(harness_counter(&h, "register_reads"), 2);
	harness_free(&h);
}
END_TEST

/* The common model first, the marker afterwards: identity once both are known. */
START_TEST(sunspec_model_before_marker)
{
	uint16_t img[200];
	struct harness h;

	sunspec_image(img, "SMA", "STP 25000TL-30", "2.13.33.R", "3005123456", inverter_models, 1);
	gw_harness(&h);
	read_image(&h, 3, 3, img, 40000, 40002, 68);
	ck_assert_uint_eq(count_unit_facts(&h), 0);	/* no marker seen: nothing yet */
	read_image(&h, 3, 3, img, 40000, 40000, 2);
	assert_sunspec_identity(&h, 3);
	harness_free(&h);
}
END_TEST

/* A read that starts in the middle of the common model, the rest later. */
START_TEST(sunspec_read_mid_model)
{
	uint16_t img[200];
	struct harness h;

	sunspec_image(img, "SMA", "STP 25000TL-30", "2.13.33.R", "3005123456", inverter_models, 1);
	gw_harness(&h);
	read_image(&h, 3, 3, img, 40000, 40030, 40);	/* Md's tail, Opt, Vr, SN, DA */
	read_image(&h, 3, 3, img, 40000, 40000, 30);	/* marker, header, Mn, Md's head */
	assert_sunspec_identity(&h, 3);
	harness_free(&h);
}
END_TEST

/* An inverter whose map carries a second device (its meter) with its own common model. */
START_TEST(sunspec_two_blocks)
{
	uint16_t img[260];
	unsigned n;
	struct harness h;

	n = sunspec_image(img, "SMA", "STP 25000TL-30", "2.13.33.R", "3005123456", inverter_models, 1);
	/* replace the end marker by a second common model and a meter model */
	n -= 2;
	img[n++] = 1;
	img[n++] = 65;
	memset(img + n, 0, 65 * sizeof(*img));
	put_text(img + n, 16, "Janitza");
	put_text(img + n + 16, 16, "UMG 604");
	put_text(img + n + 48, 16, "M-0042");
	n += 65;
	img[n++] = 203;
	img[n++] = 105;
	gw_harness(&h);
	read_image(&h, 3, 3, img, 40000, 40000, 122);		/* marker to the end of model 103 */
	read_image(&h, 3, 3, img, 40000, 40122, 69);		/* second common model, meter header */
	assert_sunspec_identity(&h, 3);
	ck_assert_ptr_nonnull(unit_fact(&h, A_DEVICE_TYPE, 3, "inverter"));
	ck_assert_ptr_nonnull(unit_fact(&h, A_DEVICE_TYPE, 3, "meter"));
	ck_assert_ptr_nonnull(unit_fact(&h, A_NOTE, 3,
	    "second SunSpec device: Janitza UMG 604 serial M-0042"));
	/* the first block stays the unit's identity */
	ck_assert_ptr_null(unit_fact(&h, A_VENDOR, 3, "Janitza"));
	harness_free(&h);
}
END_TEST

/* Register 40000 holds a process value on a device that is not SunSpec. */
START_TEST(not_sunspec_at_40000)
{
	uint16_t img[80];
	struct harness h;

	for (unsigned i = 0; i < 80; i++)
		img[i] = (uint16_t)(0x4142 + i);	/* printable, but no "SunS" */
	img[2] = 1;
	img[3] = 66;
	gw_harness(&h);
	read_image(&h, 1, 3, img, 40000, 40000, 80);
	ck_assert_uint_eq(count_unit_facts(&h), 0);
	ck_assert_uint_eq(harness_counter(&h, "sunspec_models"), 0);
	/* "SunS" with a first model that is not the common model: counted, no identity */
	img[0] = 0x5375;
	img[1] = 0x6e53;
	img[2] = 103;
	read_image(&h, 1, 3, img, 40000, 40000, 80);
	ck_assert_uint_eq(count_unit_facts(&h), 0);
	ck_assert_uint_eq(harness_counter(&h, "sunspec_bad"), 1);
	harness_free(&h);
}
END_TEST

/* --- hostile responses ------------------------------------------------------ */

START_TEST(lying_byte_counts)
{
	uint16_t img[200];
	struct harness h;

	sunspec_image(img, "SMA", "STP 25000TL-30", "2.13.33.R", "3005123456", inverter_models, 1);
	gw_harness(&h);
	/* asks for 70, the answer says 100 bytes but carries 140 */
	send_read(&h, 3, 3, 40000, 70);
	send_regs(&h, 3, 3, img, 70, 100);
	/* asks for 70, the answer carries 60 registers with a matching count */
	send_read(&h, 3, 3, 40000, 70);
	send_regs(&h, 3, 3, img, 60, 0);
	ck_assert_uint_eq(harness_counter(&h, "bad_byte_count"), 2);
	ck_assert_uint_eq(harness_counter(&h, "register_reads"), 0);
	ck_assert_uint_eq(count_unit_facts(&h), 0);
	harness_free(&h);
}
END_TEST

START_TEST(response_without_request)
{
	uint16_t img[200];
	struct harness h;

	sunspec_image(img, "SMA", "STP 25000TL-30", "2.13.33.R", "3005123456", inverter_models, 1);
	gw_harness(&h);
	send_regs(&h, 3, 3, img, 70, 0);
	/* a request for another unit does not lend its addresses */
	send_read(&h, 4, 3, 40000, 70);
	send_regs(&h, 3, 3, img, 70, 0);
	ck_assert_uint_eq(harness_counter(&h, "unmatched"), 2);
	ck_assert_uint_eq(harness_counter(&h, "register_reads"), 0);
	ck_assert_uint_eq(count_unit_facts(&h), 0);
	harness_free(&h);
}
END_TEST

/* A poll of many units on one flow: slots are reused, counted, and a unit re-learns. */
START_TEST(unit_slots_bounded)
{
	uint16_t img[200];
	struct harness h;

	sunspec_image(img, "SMA", "STP 25000TL-30", "2.13.33.R", "3005123456", inverter_models, 1);
	gw_harness(&h);
	for (unsigned u = 1; u <= MODBUS_MAX_UNITS + 4; u++)
		read_image(&h, (uint8_t)u, 3, img, 40000, 40000, 2);	/* marker only */
	ck_assert_uint_eq(harness_counter(&h, "units_reused"), 4);
	read_image(&h, 12, 3, img, 40000, 40002, 68);		/* unit 12 kept its marker */
	assert_sunspec_identity(&h, 12);
	read_image(&h, 1, 3, img, 40000, 40002, 68);		/* unit 1 lost it */
	ck_assert_ptr_null(unit_fact(&h, A_VENDOR, 1, "SMA"));
	harness_free(&h);
}
END_TEST

/*
 * Register state is allocated only for flows that read a SunSpec window or
 * a map row, and at most MODBUS_REGS_MAX_FLOWS at once over all flows.
 */
START_TEST(register_state_bounded_over_flows)
{
	struct harness *h = calloc(MODBUS_REGS_MAX_FLOWS + 1, sizeof(*h));
	uint16_t img[200];

	ck_assert_ptr_nonnull(h);
	sunspec_image(img, "SMA", "STP 25000TL-30", "2.13.33.R", "3005123456", inverter_models, 1);
	for (unsigned i = 0; i <= MODBUS_REGS_MAX_FLOWS; i++) {
		gw_harness(&h[i]);
		if (i < MODBUS_REGS_MAX_FLOWS)
			read_image(&h[i], 3, 3, img, 40000, 40000, 2);
	}
	/* the last flow: a process-value poll far from any window asks for no state */
	read_image(&h[MODBUS_REGS_MAX_FLOWS], 1, 3, img, 1000, 1000, 10);
	ck_assert_uint_eq(harness_counter(&h[MODBUS_REGS_MAX_FLOWS], "regs_refused"), 0);
	/* the marker does, and every slot is taken */
	read_image(&h[MODBUS_REGS_MAX_FLOWS], 3, 3, img, 40000, 40000, 2);
	ck_assert_uint_eq(harness_counter(&h[MODBUS_REGS_MAX_FLOWS], "regs_refused"), 1);
	for (unsigned i = 0; i < MODBUS_REGS_MAX_FLOWS; i++)
		ck_assert_uint_eq(harness_counter(&h[i], "regs_refused"), 0);
	for (unsigned i = 0; i <= MODBUS_REGS_MAX_FLOWS; i++)
		harness_free(&h[i]);
	/* freed on close: a new flow gets state again */
	gw_harness(&h[0]);
	read_image(&h[0], 3, 3, img, 40000, 40000, 70);
	ck_assert_uint_eq(harness_counter(&h[0], "regs_refused"), 0);
	ck_assert_ptr_nonnull(unit_fact(&h[0], A_VENDOR, 3, "SMA"));
	harness_free(&h[0]);
	free(h);
}
END_TEST

/* --- vendor register maps ---------------------------------------------------- */

static const char test_map[] =
    "# test map\n"
    "map huawei Huawei\n"
    "row huawei holding 30000 15 model string SUN2000* \"Huawei doc, 30000 Model\"\n"
    "row huawei holding 30015 10 serial string - \"Huawei doc, 30015 SN\"\n"
    "row huawei holding 30025 10 product_code string - \"Huawei doc, 30025 PN\"\n"
    "map acme Acme\n"
    "row acme input 100 1 device_type u16 - \"Acme doc, 100 type\"\n"
    "value acme 100 7 battery\n"
    "row acme input 101 4 model string AC-* \"Acme doc, 101 model\"\n";

static struct regmap *map;

static void
map_setup(void)
{
	char err[256];

	map = regmap_parse(test_map, "test", err, sizeof(err));
	ck_assert_msg(map != NULL, "%s", err);
	regmap_install(map);
}

static void
map_teardown(void)
{
	regmap_free(map);
	ck_assert_ptr_null(regmap_active());
}

/* Huawei's identity block, 35 registers from 30000. */
static void
huawei_image(uint16_t *img, const char *model, const char *sn, const char *pn)
{
	memset(img, 0, 35 * sizeof(*img));
	put_text(img, 15, model);
	put_text(img + 15, 10, sn);
	put_text(img + 25, 10, pn);
}

START_TEST(huawei_behind_gateway_two_units)
{
	uint16_t a[35], b[35];
	struct harness h;

	huawei_image(a, "SUN2000-10KTL-M1", "HV2150012345", "01074852-001");
	huawei_image(b, "SUN2000-100KTL-M2", "HV2260098765", "01075127");
	gw_harness(&h);
	read_image(&h, 11, 3, a, 30000, 30000, 35);
	read_image(&h, 12, 3, b, 30000, 30000, 15);	/* model first, then the rest */
	read_image(&h, 12, 3, b, 30000, 30015, 20);
	ck_assert_ptr_nonnull(unit_fact(&h, A_VENDOR, 11, "Huawei"));
	ck_assert_ptr_nonnull(unit_fact(&h, A_MODEL, 11, "SUN2000-10KTL-M1"));
	ck_assert_ptr_nonnull(unit_fact(&h, A_SERIAL, 11, "HV2150012345"));
	ck_assert_ptr_nonnull(unit_fact(&h, A_PRODUCT_CODE, 11, "01074852-001"));
	ck_assert_ptr_nonnull(unit_fact(&h, A_VENDOR, 12, "Huawei"));
	ck_assert_ptr_nonnull(unit_fact(&h, A_MODEL, 12, "SUN2000-100KTL-M2"));
	ck_assert_ptr_nonnull(unit_fact(&h, A_SERIAL, 12, "HV2260098765"));
	ck_assert_ptr_null(unit_fact(&h, A_SERIAL, 11, "HV2260098765"));
	ck_assert_uint_eq(harness_counter(&h, "regmap_hits"), 6);
	harness_free(&h);
}
END_TEST

/* Another maker's registers at 30000: no Huawei, not even the serial rows. */
START_TEST(map_needs_consistent_answer)
{
	uint16_t a[35];
	struct harness h;

	huawei_image(a, "PowerBox 9000", "PB-1", "X");
	gw_harness(&h);
	read_image(&h, 5, 3, a, 30000, 30000, 35);
	ck_assert_uint_eq(count_unit_facts(&h), 0);
	/* a binary value at 30000: not text either */
	a[0] = 0x0102;
	read_image(&h, 5, 3, a, 30000, 30000, 35);
	ck_assert_uint_eq(count_unit_facts(&h), 0);
	/* the right shape in the input table instead of the holding one: not the map */
	huawei_image(a, "SUN2000-10KTL-M1", "HV2150012345", "0107");
	read_image(&h, 5, 4, a, 30000, 30000, 35);
	ck_assert_uint_eq(count_unit_facts(&h), 0);
	/* the serial read before the model: it waits for the model to say whose map it is */
	read_image(&h, 6, 3, a, 30000, 30015, 10);
	ck_assert_uint_eq(count_unit_facts(&h), 0);
	harness_free(&h);
}
END_TEST

START_TEST(map_u16_code_table)
{
	uint16_t img[5] = { 7, 0, 0, 0, 0 };
	struct harness h;

	put_text(img + 1, 4, "AC-42");
	gw_harness(&h);
	read_image(&h, 2, 4, img, 100, 100, 5);
	ck_assert_ptr_nonnull(unit_fact(&h, A_VENDOR, 2, "Acme"));
	ck_assert_ptr_nonnull(unit_fact(&h, A_MODEL, 2, "AC-42"));
	ck_assert_ptr_nonnull(unit_fact(&h, A_DEVICE_TYPE, 2, "battery"));
	/* a code the table does not know is no evidence */
	img[0] = 8;
	read_image(&h, 3, 4, img, 100, 100, 5);
	ck_assert_ptr_nonnull(unit_fact(&h, A_MODEL, 3, "AC-42"));
	ck_assert_ptr_null(find_fact(&h.col, GW_IP, A_DEVICE_TYPE, "3|battery"));
	harness_free(&h);
}
END_TEST

START_TEST(map_file_errors)
{
	static const char *const bad[] = {
		"row nomap holding 1 1 model string - \"doc\"\n",
		"map a A\nrow a holding 1 1 model string -\n",			/* no source */
		"map a A\nrow a coils 1 1 model string - \"doc\"\n",
		"map a A\nrow a holding 1 200 model string - \"doc\"\n",
		"map a A\nrow a holding 65535 2 model string - \"doc\"\n",
		"map a A\nrow a holding 1 1 vendor string - \"doc\"\n",
		"map a A\nrow a holding 1 2 model u16 - \"doc\"\n",
		"map a A\nvalue a 1 1 x\n",
		"map a A\nmap a B\n",
		"frobnicate\n",
	};
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct regmap *m = regmap_parse(bad[i], "t.map", err, sizeof(err));

		ck_assert_msg(m == NULL, "accepted: %s", bad[i]);
		ck_assert_msg(strncmp(err, "t.map:", 6) == 0, "%s", err);
	}
	ck_assert(regmap_check("SUN2000*", "SUN2000-10KTL"));
	ck_assert(regmap_check("GW*-?T", "GW10K-ET"));
	ck_assert(!regmap_check("SUN2000*", "XSUN2000"));
	ck_assert(!regmap_check("GW*", "G"));
}
END_TEST

/* The shipped map loads and every row names its source. */
START_TEST(shipped_map)
{
	char err[256];
	struct regmap *m = regmap_load("oui/registers.map", err, sizeof(err));
	bool huawei_model = false;

	ck_assert_msg(m != NULL, "%s", err);
	for (size_t i = 0; i < m->nrows; i++)
		if (strcmp(m->maps[m->rows[i].map].vendor, "Huawei") == 0 &&
		    m->rows[i].start == 30000 && m->rows[i].count == 15 &&
		    strcmp(m->rows[i].attr.lit, A_MODEL) == 0)
			huawei_model = true;
	ck_assert(huawei_model);
	regmap_free(m);
}
END_TEST

/* --- operations ---------------------------------------------------------------- */

#define OPS_CAP "operations/iti__modbus_test_data_part2.pcap"

struct op_sum {
	unsigned requests, replies, failed;
	uint64_t first_us;
	const struct cobs *first;
};

static void
sum_ops(const struct collected *c, enum op_kind k, struct op_sum *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < c->n; i++) {
		const struct cobs *o = &c->v[i];

		if (o->kind != OBS_OP || o->op != k || strcmp(o->proto, "modbus") != 0)
			continue;
		/* the pipeline sums operations between flushes: op_n of each phase */
		if (o->op_phase == OP_REQUEST) {
			if (s->requests == 0) {
				s->first_us = o->ts_us;
				s->first = o;
			}
			s->requests += o->op_n;
		} else {
			s->replies += o->op_n;
			s->failed += o->op_phase == OP_REPLY_FAILED ? o->op_n : 0;
		}
	}
}

START_TEST(operations_against_facts)
{
	struct expected_run r;
	size_t i;
	json_t *op;

	expected_run_open(&r, OPS_CAP, "operations", false);
	json_array_foreach(r.facts, i, op) {
		const char *kind = json_string_value(json_object_get(op, "op"));
		double first = json_real_value(json_object_get(op, "first_ts"));
		struct op_sum s;

		ck_assert_ptr_nonnull(kind);
		sum_ops(&r.col, op_kind_from_name(kind), &s);
		ck_assert_msg(s.requests == json_integer_value(json_object_get(op, "count")),
		    "%s: %u requests", kind, s.requests);
		ck_assert_msg(s.replies == json_integer_value(json_object_get(op, "responses")),
		    "%s: %u replies", kind, s.replies);
		ck_assert_msg(s.failed == json_integer_value(json_object_get(op, "failed")),
		    "%s: %u failed", kind, s.failed);
		ck_assert_str_eq(s.first->ip, json_string_value(json_object_get(op, "client_ip")));
		ck_assert_str_eq(s.first->peer_ip, json_string_value(json_object_get(op, "server_ip")));
		ck_assert_msg(llabs((long long)s.first_us - (long long)(first * 1e6 + 0.5)) <= 1,
		    "%s: first at %llu", kind, (unsigned long long)s.first_us);
	}
	expected_run_close(&r);
}
END_TEST

/* Kinds the capture does not show, and UMAS, byte-built. */
START_TEST(operations_byte_built)
{
	static const uint8_t restart[] = { 0, 1, 0, 0, 0, 6, 1, 8, 0, 1, 0, 0 };
	static const uint8_t restart_ok[] = { 0, 1, 0, 0, 0, 6, 1, 8, 0, 1, 0, 0 };
	static const uint8_t listen[] = { 0, 2, 0, 0, 0, 6, 1, 8, 0, 4, 0, 0 };
	static const uint8_t stop[] = { 0, 3, 0, 0, 0, 4, 1, 90, 0x12, 0x41 };
	static const uint8_t stop_refused[] = { 0, 3, 0, 0, 0, 4, 1, 90, 0x12, 0xfd };
	static const uint8_t umas_read[] = { 0, 4, 0, 0, 0, 4, 1, 90, 0x12, 0x02 };
	static const uint8_t wr16[] = { 0, 5, 0, 0, 0, 11, 9, 16, 0, 100, 0, 2, 4, 0, 1, 0, 2 };
	static const uint8_t wr16_exc[] = { 0, 5, 0, 0, 0, 3, 9, 0x90, 2 };
	struct harness h;

	gw_harness(&h);
	harness_parse(&h, DIR_C2S, restart, sizeof(restart), NULL);
	harness_parse(&h, DIR_S2C, restart_ok, sizeof(restart_ok), NULL);
	harness_parse(&h, DIR_C2S, listen, sizeof(listen), NULL);
	harness_parse(&h, DIR_C2S, stop, sizeof(stop), NULL);
	harness_parse(&h, DIR_S2C, stop_refused, sizeof(stop_refused), NULL);
	harness_parse(&h, DIR_C2S, umas_read, sizeof(umas_read), NULL);
	harness_parse(&h, DIR_C2S, wr16, sizeof(wr16), NULL);
	harness_parse(&h, DIR_S2C, wr16_exc, sizeof(wr16_exc), NULL);
	ck_assert_uint_eq(harness_counter(&h, "operations"), 4);
	{
		static const struct { uint8_t kind, phase; const char *src, *detail; } want[] = {
			{ OP_RESTART_WARM, OP_REQUEST, "modbus/fc8/1",
			  "fc8/1 restart communications option: unit 1" },
			{ OP_RESTART_WARM, OP_REPLY_OK, "modbus/fc8/1", "" },
			{ OP_MODE_CHANGE, OP_REQUEST, "modbus/fc8/4",
			  "fc8/4 force listen only mode: unit 1" },
			{ OP_STOP, OP_REQUEST, "modbus/fc90/0x41", "UMAS 0x41 stop PLC: unit 1" },
			{ OP_STOP, OP_REPLY_FAILED, "modbus/fc90/0x41", "" },
			{ OP_CONTROL_OPERATE, OP_REQUEST, "modbus/fc16",
			  "fc16 write multiple registers: unit 9 registers 100-101" },
			{ OP_CONTROL_OPERATE, OP_REPLY_FAILED, "modbus/fc16", "" },
		};
		size_t k = 0;

		for (size_t i = 0; i < h.col.n; i++) {
			const struct cobs *o = &h.col.v[i];

			if (o->kind != OBS_OP)
				continue;
			ck_assert_uint_lt(k, sizeof(want) / sizeof(want[0]));
			ck_assert_uint_eq(o->op, want[k].kind);
			ck_assert_uint_eq(o->op_phase, want[k].phase);
			ck_assert_str_eq(o->src, want[k].src);
			ck_assert_str_eq(o->val, want[k].detail);
			ck_assert_str_eq(o->ip, CLI_IP);	/* who is the client in both phases */
			ck_assert_str_eq(o->peer_ip, GW_IP);
			k++;
		}
		ck_assert_uint_eq(k, sizeof(want) / sizeof(want[0]));
	}
	harness_free(&h);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("modbus_regs");
	TCase *tc = tcase_create("sunspec");
	TCase *tm = tcase_create("regmap");
	TCase *to = tcase_create("operations");

	tcase_add_loop_test(tc, sunspec_each_base, 0, 3);
	tcase_add_test(tc, sunspec_model_before_marker);
	tcase_add_test(tc, sunspec_read_mid_model);
	tcase_add_test(tc, sunspec_two_blocks);
	tcase_add_test(tc, not_sunspec_at_40000);
	tcase_add_test(tc, lying_byte_counts);
	tcase_add_test(tc, response_without_request);
	tcase_add_test(tc, unit_slots_bounded);
	tcase_add_test(tc, register_state_bounded_over_flows);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tm, map_setup, map_teardown);
	tcase_add_test(tm, huawei_behind_gateway_two_units);
	tcase_add_test(tm, map_needs_consistent_answer);
	tcase_add_test(tm, map_u16_code_table);
	tcase_add_test(tm, map_file_errors);
	tcase_add_test(tm, shipped_map);
	suite_add_tcase(s, tm);
	tcase_add_test(to, operations_against_facts);
	tcase_add_test(to, operations_byte_built);
	suite_add_tcase(s, to);
	return s;
}
