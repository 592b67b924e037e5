/*
 * test_s7comm.c - TPKT / COTP / S7comm: roles, SZL 0x0011 and 0x001C
 * (also fragmented), S7comm-plus, and sharing port 102 with MMS.
 *
 * Byte vectors follow RFC 1006, ISO 8073 and the S7comm userdata / SZL
 * layouts (see dissectors/s7comm.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "dissector.h"
#include "decode.h"
#include "flow.h"

extern const struct dissector dis_s7comm;

struct tctx {
	struct flow		 f;
	struct pkt		 p;
	struct diss_stats	 st;
	struct collected	 col;
	struct diss_ctx		 dc;
};

static void
tctx_init(struct tctx *t)
{
	static const uint8_t cli_ip[4] = { 10, 0, 0, 1 }, srv_ip[4] = { 10, 0, 0, 2 };

	memset(t, 0, sizeof(*t));
	t->f.proto = L4_TCP;
	ip_set4(&t->f.cli.ip, cli_ip);
	ip_set4(&t->f.srv.ip, srv_ip);
	t->f.cli.port = 50000;
	t->f.srv.port = 102;
	t->f.dstate = calloc(1, dis_s7comm.state_size);
	ck_assert_ptr_nonnull(t->f.dstate);
	collected_init(&t->col);
	t->dc.d = &dis_s7comm;
	t->dc.flow = &t->f;
	t->dc.pkt = &t->p;
	t->dc.state = t->f.dstate;
	t->dc.sink = &t->col.sink;
	t->dc.st = &t->st;
}

static void
tctx_free(struct tctx *t)
{
	free(t->f.dstate);
	collected_free(&t->col);
}

static enum diss_rc
feed(struct tctx *t, int dir, const uint8_t *b, size_t n, size_t *consumed)
{
	struct cur c = cur_make(b, n);
	enum diss_rc rc;

	t->dc.dir = dir;
	t->dc.pdus = 0;
	rc = dis_s7comm.parse(&t->dc, &c);
	if (consumed)
		*consumed = n - cur_left(&c);
	return rc;
}

static uint64_t
counter(const struct tctx *t, const char *name)
{
	for (int i = 0; i < DISS_MAX_COUNTERS && dis_s7comm.counter_names[i]; i++)
		if (strcmp(dis_s7comm.counter_names[i], name) == 0)
			return t->st.counters[i];
	ck_abort_msg("no counter %s", name);
	return 0;
}

struct buf {
	uint8_t	 b[2048];
	size_t	 n;
};

static void u8(struct buf *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static void be16(struct buf *b, unsigned v) { u8(b, v >> 8); u8(b, v & 0xff); }
static void bytes(struct buf *b, const void *p, size_t n) { memcpy(b->b + b->n, p, n); b->n += n; }

static void
text(struct buf *b, const char *s, size_t width, uint8_t fill)
{
	size_t n = strlen(s);

	bytes(b, s, n);
	for (; n < width; n++)
		u8(b, fill);
}

/* TPKT + COTP DT (EOT) around payload. */
static void
tpkt_dt(struct buf *out, const struct buf *payload, bool eot)
{
	be16(out, 0x0300);
	be16(out, (unsigned)(payload->n + 7));
	u8(out, 2);
	u8(out, 0xf0);
	u8(out, eot ? 0x80 : 0x00);
	bytes(out, payload->b, payload->n);
}

/* S7 userdata read-SZL response: dur/last as in the 8-byte parameter. */
static void
szl_response(struct buf *out, uint8_t dur, bool more, const struct buf *szl)
{
	struct buf p = { .n = 0 };

	u8(&p, 0x32); u8(&p, 7); be16(&p, 0); be16(&p, 0x1100);
	be16(&p, 12);				/* parameter length */
	be16(&p, (unsigned)(szl->n + 4));	/* data length */
	u8(&p, 0); u8(&p, 1); u8(&p, 0x12); u8(&p, 8);
	u8(&p, 0x12); u8(&p, 0x84); u8(&p, 0x01); u8(&p, 2);
	u8(&p, dur); u8(&p, more ? 1 : 0); be16(&p, 0);
	u8(&p, 0xff); u8(&p, 0x09); be16(&p, (unsigned)szl->n);
	bytes(&p, szl->b, szl->n);
	tpkt_dt(out, &p, true);
}

static void
szl_0011(struct buf *s)
{
	be16(s, 0x0011); be16(s, 0); be16(s, 28); be16(s, 2);
	be16(s, 0x0001); text(s, "6ES7 315-2EH14-0AB0 ", 20, ' ');
	be16(s, 0x00c0); be16(s, 3); be16(s, 1);
	be16(s, 0x0007); text(s, "", 20, ' ');
	be16(s, 0x00c0); be16(s, 0x5603); be16(s, 0x0206);
}

static void
szl_001c(struct buf *s)
{
	be16(s, 0x001c); be16(s, 0); be16(s, 34); be16(s, 5);
	be16(s, 1); text(s, "S7300/ET200M station_1", 32, 0);
	be16(s, 2); text(s, "PLC_1", 32, 0);
	be16(s, 3); text(s, "Hall 3", 32, 0);
	be16(s, 5); text(s, "S C-B1U393142011", 32, 0);
	be16(s, 7); text(s, "CPU 315-2 PN/DP", 32, 0);
}

START_TEST(szl_module_identification)
{
	struct tctx t;
	struct buf s = { .n = 0 }, f = { .n = 0 };
	size_t used;

	tctx_init(&t);
	szl_0011(&s);
	szl_response(&f, 0, false, &s);
	ck_assert_int_eq(feed(&t, DIR_S2C, f.b, f.n, &used), DISS_OK);
	ck_assert_uint_eq(used, f.n);
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_PRODUCT_CODE, "6ES7 315-2EH14-0AB0"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_FIRMWARE, "V3.2.6"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_VENDOR, "Siemens"));
	ck_assert_uint_eq(counter(&t, "szl_answers"), 1);
	ck_assert_uint_eq(t.st.pdus, 1);
	tctx_free(&t);
}
END_TEST

START_TEST(szl_component_identification)
{
	struct tctx t;
	struct buf s = { .n = 0 }, f = { .n = 0 };
	const struct cobs *o;

	tctx_init(&t);
	szl_001c(&s);
	szl_response(&f, 0, false, &s);
	ck_assert_int_eq(feed(&t, DIR_S2C, f.b, f.n, NULL), DISS_OK);
	o = find_fact(&t.col, "10.0.0.2", A_DEVICE_NAME, "PLC_1");
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->src, "s7comm/szl/0x001c/module_name");
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_DEVICE_NAME, "S7300/ET200M station_1"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_LOCATION, "Hall 3"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_SERIAL, "S C-B1U393142011"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_MODEL, "CPU 315-2 PN/DP"));
	tctx_free(&t);
}
END_TEST

START_TEST(szl_fragments_are_joined)
{
	struct tctx t;
	struct buf s = { .n = 0 }, a = { .n = 0 }, b = { .n = 0 }, f = { .n = 0 };

	tctx_init(&t);
	szl_001c(&s);
	/* split in the middle of the third record */
	memcpy(a.b, s.b, 80);
	a.n = 80;
	memcpy(b.b, s.b + 80, s.n - 80);
	b.n = s.n - 80;
	szl_response(&f, 6, true, &a);
	ck_assert_int_eq(feed(&t, DIR_S2C, f.b, f.n, NULL), DISS_OK);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_DEVICE_NAME, NULL));
	f.n = 0;
	szl_response(&f, 6, false, &b);
	ck_assert_int_eq(feed(&t, DIR_S2C, f.b, f.n, NULL), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_LOCATION, "Hall 3"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_MODEL, "CPU 315-2 PN/DP"));
	ck_assert_uint_eq(counter(&t, "szl_answers"), 1);
	tctx_free(&t);
}
END_TEST

START_TEST(szl_fragments_beyond_the_cap_are_dropped)
{
	struct tctx t;
	struct buf s = { .n = 0 }, f = { .n = 0 };

	tctx_init(&t);
	memset(s.b, 'x', 1000);
	s.n = 1000;
	for (int i = 0; i < 3; i++) {
		f.n = 0;
		szl_response(&f, 9, true, &s);
		ck_assert_int_eq(feed(&t, DIR_S2C, f.b, f.n, NULL), DISS_OK);
	}
	ck_assert_uint_eq(counter(&t, "szl_dropped"), 1);
	ck_assert_uint_eq(counter(&t, "szl_answers"), 0);
	tctx_free(&t);
}
END_TEST

START_TEST(job_and_ack_data_give_roles)
{
	static const uint8_t job[] = {
		0x03, 0x00, 0x00, 0x19, 0x02, 0xf0, 0x80, 0x32, 0x01, 0x00,
		0x00, 0x02, 0x00, 0x00, 0x08, 0x00, 0x00, 0xf0, 0x00, 0x00,
		0x01, 0x00, 0x01, 0x01, 0xe0,
	};
	static const uint8_t ack[] = {
		0x03, 0x00, 0x00, 0x1b, 0x02, 0xf0, 0x80, 0x32, 0x03, 0x00,
		0x00, 0x02, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0xf0,
		0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0xf0,
	};
	struct tctx t;

	tctx_init(&t);
	ck_assert_int_eq(feed(&t, DIR_C2S, job, sizeof(job), NULL), DISS_OK);
	ck_assert_int_eq(feed(&t, DIR_S2C, ack, sizeof(ack), NULL), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.1", A_ROLE, R_S7_CLIENT));
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_ROLE, R_PLC));
	ck_assert_ptr_null(find_fact(&t.col, "10.0.0.1", A_ROLE, R_PLC));
	ck_assert_uint_eq(counter(&t, "jobs"), 1);
	ck_assert_uint_eq(counter(&t, "ack_data"), 1);
	tctx_free(&t);
}
END_TEST

START_TEST(s7comm_plus_is_recorded)
{
	static const uint8_t cr[] = {
		0x03, 0x00, 0x00, 0x16, 0x11, 0xe0, 0x00, 0x00, 0x00, 0x01,
		0x00, 0xc1, 0x02, 0x06, 0x00, 0xc2, 0x02, 0x06, 0x00, 0xc0,
		0x01, 0x0a,
	};
	static const uint8_t plus[] = {
		0x03, 0x00, 0x00, 0x13, 0x02, 0xf0, 0x80, 0x72, 0x01, 0x00,
		0x04, 0x31, 0x00, 0x00, 0x04, 0xca, 0x72, 0x01, 0x00,
	};
	struct tctx t;
	struct buf b = { .n = 0 };
	size_t used;

	tctx_init(&t);
	bytes(&b, cr, sizeof(cr));
	bytes(&b, plus, sizeof(plus));
	ck_assert_int_eq(feed(&t, DIR_C2S, b.b, b.n, &used), DISS_OK);
	ck_assert_uint_eq(used, b.n);
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_FUNCTION, "s7comm-plus"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_NOTE, "s7comm-plus v1"));
	ck_assert_uint_eq(counter(&t, "s7comm_plus"), 1);
	ck_assert_uint_eq(counter(&t, "cotp_other"), 1);
	ck_assert_uint_eq(t.st.pdus, 1);	/* the CR is not an S7 PDU */
	tctx_free(&t);
}
END_TEST

START_TEST(mms_on_port_102_is_not_mine)
{
	static const uint8_t cr[] = {
		0x03, 0x00, 0x00, 0x16, 0x11, 0xe0, 0x00, 0x00, 0x00, 0x01,
		0x00, 0xc1, 0x02, 0x00, 0x01, 0xc2, 0x02, 0x00, 0x01, 0xc0,
		0x01, 0x0a,
	};
	/* DT carrying an ISO 8327 session CONNECT SPDU (0x0d), as MMS does */
	static const uint8_t dt[] = {
		0x03, 0x00, 0x00, 0x0c, 0x02, 0xf0, 0x80, 0x0d, 0x03, 0x01,
		0x01, 0x00,
	};
	struct tctx t;

	tctx_init(&t);
	ck_assert_int_eq(feed(&t, DIR_C2S, cr, sizeof(cr), NULL), DISS_OK);
	ck_assert_int_eq(feed(&t, DIR_C2S, dt, sizeof(dt), NULL), DISS_NOT_MINE);
	ck_assert_uint_eq(t.st.pdus, 0);
	ck_assert_uint_eq(t.col.n, 0);
	tctx_free(&t);
}
END_TEST

START_TEST(malformed_inputs)
{
	/* S7 header claims 0x40 bytes of parameters inside a 25-byte TPKT */
	static const uint8_t lying[] = {
		0x03, 0x00, 0x00, 0x19, 0x02, 0xf0, 0x80, 0x32, 0x01, 0x00,
		0x00, 0x02, 0x00, 0x00, 0x40, 0x00, 0x00, 0xf0, 0x00, 0x00,
		0x01, 0x00, 0x01, 0x01, 0xe0,
	};
	static const uint8_t bad_tpkt[] = { 0x03, 0x00, 0x00, 0x03, 0x02, 0xf0, 0x80 };
	static const uint8_t cotp_li_lies[] = { 0x03, 0x00, 0x00, 0x07, 0x09, 0xf0, 0x80 };
	struct tctx t;
	struct buf s = { .n = 0 }, f = { .n = 0 };
	size_t used;

	tctx_init(&t);
	/* a partial TPKT waits */
	ck_assert_int_eq(feed(&t, DIR_C2S, lying, 10, &used), DISS_OK);
	ck_assert_uint_eq(used, 0);
	ck_assert_int_eq(feed(&t, DIR_C2S, lying, 3, &used), DISS_OK);
	ck_assert_uint_eq(used, 0);
	/* length that cannot hold COTP: not S7 on a fresh flow */
	ck_assert_int_eq(feed(&t, DIR_C2S, bad_tpkt, sizeof(bad_tpkt), NULL), DISS_NOT_MINE);
	ck_assert_int_eq(feed(&t, DIR_C2S, cotp_li_lies, sizeof(cotp_li_lies), NULL),
	    DISS_MALFORMED);
	ck_assert_int_eq(feed(&t, DIR_C2S, lying, sizeof(lying), NULL), DISS_MALFORMED);
	/* once S7 was seen, garbage is malformed rather than someone else's */
	ck_assert_int_eq(feed(&t, DIR_C2S, bad_tpkt, sizeof(bad_tpkt), NULL), DISS_MALFORMED);
	/* SZL record count past the end: the records that are there count */
	be16(&s, 0x001c); be16(&s, 0); be16(&s, 34); be16(&s, 200);
	be16(&s, 2); text(&s, "PLC_9", 32, 0);
	szl_response(&f, 0, false, &s);
	ck_assert_int_eq(feed(&t, DIR_S2C, f.b, f.n, NULL), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_DEVICE_NAME, "PLC_9"));
	/* zero record length and zero count: nothing, no loop */
	s.n = 0; f.n = 0;
	be16(&s, 0x0011); be16(&s, 0); be16(&s, 0); be16(&s, 0xffff);
	szl_response(&f, 0, false, &s);
	ck_assert_int_eq(feed(&t, DIR_S2C, f.b, f.n, NULL), DISS_OK);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_PRODUCT_CODE, NULL));
	tctx_free(&t);
}
END_TEST

START_TEST(probe_wants_tpkt_cotp_dt_s7)
{
	static const uint8_t ok[] = { 0x03, 0x00, 0x00, 0x19, 0x02, 0xf0, 0x80, 0x32, 0x01 };
	static const uint8_t mms[] = { 0x03, 0x00, 0x00, 0x0c, 0x02, 0xf0, 0x80, 0x0d, 0x03 };
	struct cur c = cur_make(ok, sizeof(ok));

	ck_assert(dis_s7comm.probe(&c, DIR_C2S));
	c = cur_make(mms, sizeof(mms));
	ck_assert(!dis_s7comm.probe(&c, DIR_C2S));
	c = cur_make(ok, 5);
	ck_assert(!dis_s7comm.probe(&c, DIR_C2S));
}
END_TEST

/* --- real captures --------------------------------------------------------- */

static const char *
component_attr(const char *key)
{
	if (strncmp(key, "name@", 5) == 0)
		return A_DEVICE_NAME;
	if (strncmp(key, "serialn@", 8) == 0)
		return A_SERIAL;
	if (strncmp(key, "cputypname@", 11) == 0)
		return A_MODEL;
	if (strncmp(key, "plant@", 6) == 0 || strncmp(key, "location@", 9) == 0)
		return A_LOCATION;
	if (strncmp(key, "copyright@", 10) == 0 || strncmp(key, "snmcmmc@", 8) == 0)
		return A_NOTE;
	ck_abort_msg("unexpected SZL 0x001C key %s", key);
	return NULL;
}

static void
check_capture(const char *rel)
{
	struct collected c;
	json_t *exp = load_expected(rel), *facts = json_object_get(exp, "facts");
	json_t *servers = json_object_get(json_object_get(facts, "s7comm"), "servers");
	json_t *szl = json_object_get(facts, "s7comm_szl"), *e, *v;
	const char *key;
	size_t i, j;

	collected_init(&c);
	ck_assert_int_gt(run_pcap(shared_pcap(rel), &c, NULL), 0);
	ck_assert_uint_gt(json_array_size(servers), 0);
	json_array_foreach(servers, i, e) {
		const char *ip = json_string_value(json_object_get(e, "ip"));

		ck_assert_msg(find_fact(&c, ip, A_ROLE, R_PLC), "plc role on %s", ip);
		json_array_foreach(json_object_get(e, "clients"), j, v)
			ck_assert_msg(find_fact(&c, json_string_value(v), A_ROLE, R_S7_CLIENT),
			    "client role on %s", json_string_value(v));
	}
	ck_assert_uint_gt(json_array_size(szl), 0);
	json_array_foreach(szl, i, e) {
		const char *ip = json_string_value(json_object_get(e, "ip"));
		json_t *mod = json_object_get(json_object_get(e, "module_identification"), "0x0001");
		const char *order = json_string_value(json_object_get(mod, "order_number"));

		ck_assert_msg(find_fact(&c, ip, A_PRODUCT_CODE, order), "order %s on %s", order, ip);
		json_object_foreach(json_object_get(e, "component_identification"), key, v) {
			const char *attr = component_attr(key), *want = json_string_value(v);

			if (strcmp(attr, A_NOTE) == 0)
				ck_assert_msg(find_fact(&c, ip, attr, want), "%s = %s", key, want);
			else
				ck_assert_msg(find_fact(&c, ip, attr, want), "%s = %s on %s",
				    key, want, ip);
		}
	}
	json_decref(exp);
	collected_free(&c);
}

START_TEST(pcap_reading_plc_status)
{
	check_capture("s7comm/iti__s7comm_reading_plc_status.pcap");
}
END_TEST

START_TEST(pcap_tia_go_online)
{
	check_capture("s7comm/iti__tia_s300_goOnline.pcapng");
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("s7comm");
	TCase *u = tcase_create("unit"), *p = tcase_create("pcap");

	tcase_add_test(u, szl_module_identification);
	tcase_add_test(u, szl_component_identification);
	tcase_add_test(u, szl_fragments_are_joined);
	tcase_add_test(u, szl_fragments_beyond_the_cap_are_dropped);
	tcase_add_test(u, job_and_ack_data_give_roles);
	tcase_add_test(u, s7comm_plus_is_recorded);
	tcase_add_test(u, mms_on_port_102_is_not_mine);
	tcase_add_test(u, malformed_inputs);
	tcase_add_test(u, probe_wants_tpkt_cotp_dt_s7);
	suite_add_tcase(s, u);
	tcase_add_test(p, pcap_reading_plc_status);
	tcase_add_test(p, pcap_tia_go_online);
	suite_add_tcase(s, p);
	return s;
}
