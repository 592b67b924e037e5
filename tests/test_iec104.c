/*
 * test_iec104.c - IEC 60870-5-104 dissector: APDUs built here, malformed
 * ones, and the shared captures against their expected stations and
 * common addresses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "dissector.h"
#include "sw_limits.h"

extern const struct dissector dis_iec104;

enum { I_I_FRAMES, I_S_FRAMES, I_U_FRAMES, I_COMMANDS, I_BAD_APDU, I_PENDING_LOST };

#define CTRL_IP	"10.3.0.1"
#define RTU_IP	"10.3.0.2"

static const uint8_t startdt_act[] = { 0x68, 0x04, 0x07, 0x00, 0x00, 0x00 };
static const uint8_t startdt_con[] = { 0x68, 0x04, 0x0b, 0x00, 0x00, 0x00 };
static const uint8_t s_frame[] = { 0x68, 0x04, 0x01, 0x00, 0x02, 0x00 };
/* general interrogation (C_IC_NA_1, 100), activation, CA 0x1234 */
static const uint8_t interrogation[] = { 0x68, 0x0e, 0x00, 0x00, 0x00, 0x00,
    0x64, 0x01, 0x06, 0x00, 0x34, 0x12, 0x00, 0x00, 0x00, 0x14 };
/* single command (C_SC_NA_1, 45), CA 7 */
static const uint8_t single_cmd[] = { 0x68, 0x0e, 0x02, 0x00, 0x00, 0x00,
    0x2d, 0x01, 0x06, 0x00, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01 };
/* measured value (M_ME_NC_1, 13), spontaneous, CA 0x1234 */
static const uint8_t measured[] = { 0x68, 0x12, 0x00, 0x00, 0x02, 0x00,
    0x0d, 0x01, 0x03, 0x00, 0x34, 0x12, 0x10, 0x00, 0x00, 0x00, 0x00, 0x80, 0x3f, 0x00 };

static const struct want_fact frames_and_asdus_facts[] = {
	{ A_IEC104_CA, "4660", NULL },
	{ A_IEC104_CA, "7", NULL },
	{ A_FUNCTION, "iec104:100", NULL },
	{ A_FUNCTION, "iec104:45", NULL },
	{ A_FUNCTION, "iec104:13", NULL },
	{ A_NOTE, "iec104_command", NULL },
	{ A_ROLE, R_IEC104_SERVER, NULL },
	{ A_ROLE, R_IEC104_CLIENT, NULL },
};

START_TEST(frames_and_asdus)
{
	uint8_t buf[128];
	struct harness d;
	size_t n = 0, left;

	harness_init(&d, &dis_iec104);
	/* several APDUs in one delivery, the last one cut */
	memcpy(buf + n, startdt_act, sizeof(startdt_act));
	n += sizeof(startdt_act);
	memcpy(buf + n, interrogation, sizeof(interrogation));
	n += sizeof(interrogation);
	memcpy(buf + n, single_cmd, sizeof(single_cmd));
	n += sizeof(single_cmd);
	memcpy(buf + n, s_frame, 3);
	n += 3;
	ck_assert_int_eq(harness_parse(&d, DIR_C2S, buf, n, &left), DISS_OK);
	ck_assert_uint_eq(left, 3);
	ck_assert_uint_eq(d.st.pdus, 3);
	ck_assert_int_eq(harness_parse(&d, DIR_S2C, startdt_con, sizeof(startdt_con), NULL),
	    DISS_OK);
	ck_assert_int_eq(harness_parse(&d, DIR_S2C, measured, sizeof(measured), NULL), DISS_OK);
	ck_assert_int_eq(harness_parse(&d, DIR_C2S, s_frame, sizeof(s_frame), NULL), DISS_OK);
	ck_assert_uint_eq(d.st.counters[I_I_FRAMES], 3);
	ck_assert_uint_eq(d.st.counters[I_S_FRAMES], 1);
	ck_assert_uint_eq(d.st.counters[I_U_FRAMES], 2);
	ck_assert_uint_eq(d.st.counters[I_COMMANDS], 2);
	ck_assert_uint_eq(d.st.counters[I_BAD_APDU], 0);
	ASSERT_FACTS(&d.col, NULL, frames_and_asdus_facts);
	harness_free(&d);
}
END_TEST

START_TEST(malformed_apdus)
{
	static const uint8_t bad_start[] = { 0x67, 0x04, 0x07, 0, 0, 0 };
	static const uint8_t len_small[] = { 0x68, 0x03, 0x07, 0, 0 };
	static const uint8_t len_big[] = { 0x68, 0xff, 0x00, 0, 0, 0 };
	static const uint8_t i_no_asdu[] = { 0x68, 0x06, 0x00, 0, 0, 0, 0x64, 0x01 };
	static const uint8_t s_long[] = { 0x68, 0x05, 0x01, 0, 0, 0, 0 };
	static const uint8_t u_unknown[] = { 0x68, 0x04, 0x03, 0, 0, 0 };
	static const uint8_t type0[] = { 0x68, 0x0a, 0, 0, 0, 0, 0x00, 1, 6, 0, 1, 0 };
	struct harness d;
	size_t left;

	harness_init(&d, &dis_iec104);
	ck_assert_int_eq(harness_parse(&d, DIR_C2S, bad_start, sizeof(bad_start), &left),
	    DISS_NOT_MINE);
	ck_assert_uint_eq(left, sizeof(bad_start));
	ck_assert_int_eq(harness_parse(&d, DIR_C2S, len_small, sizeof(len_small), NULL),
	    DISS_NOT_MINE);
	ck_assert_int_eq(harness_parse(&d, DIR_C2S, len_big, sizeof(len_big), NULL),
	    DISS_NOT_MINE);
	ck_assert_uint_eq(d.col.n, 0);
	/* framing right, content wrong: counted, stream goes on */
	ck_assert_int_eq(harness_parse(&d, DIR_C2S, i_no_asdu, sizeof(i_no_asdu), &left), DISS_OK);
	ck_assert_uint_eq(left, 0);
	harness_parse(&d, DIR_C2S, s_long, sizeof(s_long), NULL);
	harness_parse(&d, DIR_C2S, u_unknown, sizeof(u_unknown), NULL);
	harness_parse(&d, DIR_C2S, type0, sizeof(type0), NULL);
	ck_assert_uint_eq(d.st.counters[I_BAD_APDU], 4);
	ck_assert_ptr_null(find_fact(&d.col, NULL, A_IEC104_CA, NULL));
	/* a single byte is just waiting */
	ck_assert_int_eq(harness_parse(&d, DIR_C2S, startdt_act, 1, &left), DISS_OK);
	ck_assert_uint_eq(left, 1);
	harness_free(&d);
}
END_TEST

START_TEST(probe_strict)
{
	static const uint8_t junk[] = { 0x68, 0x04, 0x00, 0x00, 0x00, 0x00 };
	struct cur c;

	c = cur_make(startdt_act, sizeof(startdt_act));
	ck_assert(dis_iec104.probe(&c, DIR_C2S));
	c = cur_make(interrogation, sizeof(interrogation));
	ck_assert(dis_iec104.probe(&c, DIR_C2S));
	c = cur_make(interrogation, sizeof(interrogation) - 1);
	ck_assert(!dis_iec104.probe(&c, DIR_C2S));
	c = cur_make(junk, sizeof(junk));
	ck_assert(!dis_iec104.probe(&c, DIR_C2S));
}
END_TEST

START_TEST(pipeline_roles)
{
	struct tcp_conv v;

	tcp_conv_open(&v, CTRL_IP, RTU_IP, 2404);
	tcp_conv_send(&v, DIR_C2S, 0x18, interrogation, sizeof(interrogation));
	ck_assert_int_eq(pipeline_counter(v.pl, "iec104.pdus"), 1);
	ck_assert_ptr_nonnull(find_fact(&v.col, RTU_IP, A_ROLE, R_IEC104_SERVER));
	ck_assert_ptr_nonnull(find_fact(&v.col, CTRL_IP, A_ROLE, R_IEC104_CLIENT));
	ck_assert_ptr_nonnull(find_fact(&v.col, RTU_IP, A_IEC104_CA, "4660"));
	ck_assert_ptr_nonnull(find_fact(&v.col, CTRL_IP, A_FUNCTION, "iec104:100"));
	ck_assert_ptr_null(find_fact(&v.col, CTRL_IP, A_IEC104_CA, NULL));
	tcp_conv_close(&v);
}
END_TEST

static const char *const captures[] = {
	"iec104/iti__TestDissectIec104.pcap",
	"iec104/ndpi__IEC104.pcap",
};

START_TEST(shared_captures)
{
	const char *cap = captures[_i];
	struct expected_run r;
	json_t *servers, *s, *v;
	size_t i, j;

	expected_run_open(&r, cap, "iec104", false);
	servers = json_object_get(r.facts, "servers");
	json_array_foreach(servers, i, s) {
		const char *ip = json_string_value(json_object_get(s, "ip"));

		ck_assert_msg(find_fact(&r.col, ip, A_ROLE, R_IEC104_SERVER), "%s: %s", cap, ip);
		json_array_foreach(json_object_get(s, "clients"), j, v)
			ck_assert_msg(find_fact(&r.col, json_string_value(v), A_ROLE, R_IEC104_CLIENT),
			    "%s: client %s", cap, json_string_value(v));
	}
	/* each common address belongs to one of the controlled stations */
	json_array_foreach(json_object_get(r.facts, "common_addresses"), i, v) {
		char ca[16];
		bool found = false;

		snprintf(ca, sizeof(ca), "%lld", json_integer_value(v));
		json_array_foreach(servers, j, s)
			found |= find_fact(&r.col, json_string_value(json_object_get(s, "ip")),
			    A_IEC104_CA, ca) != NULL;
		ck_assert_msg(found, "%s: common address %s", cap, ca);
	}
	expected_run_close(&r);
}
END_TEST

/* --- operations ---------------------------------------------------------- */

/*
 * One I-frame APDU around an ASDU: type, one object, cause, CA, IOA and
 * the element bytes (IEC 60870-5-104 clause 5, 101 clause 7.2).
 */
static size_t
asdu(uint8_t *out, uint8_t type, uint8_t cot, uint16_t ca, uint32_t ioa,
    const uint8_t *elem, size_t n)
{
	size_t len = 4 + 6 + 3 + n;

	out[0] = 0x68;
	out[1] = (uint8_t)len;
	memset(out + 2, 0, 4);			/* I frame, sequence numbers 0 */
	out[6] = type;
	out[7] = 1;				/* one object */
	out[8] = cot;
	out[9] = 0;
	out[10] = (uint8_t)ca;
	out[11] = (uint8_t)(ca >> 8);
	out[12] = (uint8_t)ioa;
	out[13] = (uint8_t)(ioa >> 8);
	out[14] = (uint8_t)(ioa >> 16);
	memcpy(out + 15, elem, n);
	return 2 + len;
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

static const struct cobs *
op_with(const struct collected *c, enum op_kind k, const char *detail)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].kind == OBS_OP && c->v[i].op == k && c->v[i].op_phase == OP_REQUEST &&
		    strstr(c->v[i].val, detail))
			return &c->v[i];
	return NULL;
}

static void
send(struct harness *d, int dir, uint8_t type, uint8_t cot, uint16_t ca, uint32_t ioa,
    const uint8_t *elem, size_t n)
{
	uint8_t b[64];
	size_t len = asdu(b, type, cot, ca, ioa, elem, n);

	ck_assert_int_eq(harness_parse(d, dir, b, len, NULL), DISS_OK);
}

/* Commands with activation, their confirmations positive and negative, and refusals. */
START_TEST(commands_and_confirmations)
{
	static const uint8_t sco_select_on[] = { 0x81 }, sco_exec_on[] = { 0x01 };
	static const uint8_t dco_on[] = { 0x02 }, rco_up[] = { 0x02 };
	static const uint8_t setpoint_scaled[] = { 0xe8, 0x03, 0x00 };	/* 1000, execute */
	static const uint8_t setpoint_float[] = { 0, 0, 0x80, 0x3f, 0x00 };
	static const uint8_t bitstring[] = { 1, 2, 3, 4 };
	static const uint8_t cp56[] = { 0x10, 0x27, 0x1e, 0x0c, 0x02, 0x0b, 0x1a };
	static const uint8_t qrp_general[] = { 0x01 };
	struct harness d;

	harness_init(&d, &dis_iec104);
	harness_flow(&d, L4_TCP, CTRL_IP, 40000, RTU_IP, 2404);
	/* select then execute a single command: both confirmed */
	send(&d, DIR_C2S, 45, 6, 7, 5000, sco_select_on, 1);
	send(&d, DIR_S2C, 45, 7, 7, 5000, sco_select_on, 1);
	send(&d, DIR_C2S, 45, 6, 7, 5000, sco_exec_on, 1);
	send(&d, DIR_S2C, 45, 7, 7, 5000, sco_exec_on, 1);
	/* a double command refused: negative confirmation (P/N) */
	send(&d, DIR_C2S, 46, 6, 7, 5001, dco_on, 1);
	send(&d, DIR_S2C, 46, 7 | 0x40, 7, 5001, dco_on, 1);
	/* regulating step to an object the station does not know (cause 47) */
	send(&d, DIR_C2S, 47, 6, 7, 9999, rco_up, 1);
	send(&d, DIR_S2C, 47, 47 | 0x40, 7, 9999, rco_up, 1);
	/* set points and a bitstring: no confirmation seen */
	send(&d, DIR_C2S, 49, 6, 7, 6000, setpoint_scaled, 3);
	send(&d, DIR_C2S, 50, 6, 7, 6001, setpoint_float, 5);
	send(&d, DIR_C2S, 51, 6, 7, 6002, bitstring, 4);
	/* clock synchronisation and reset process, confirmed */
	send(&d, DIR_C2S, 103, 6, 7, 0, cp56, 7);
	send(&d, DIR_S2C, 103, 7, 7, 0, cp56, 7);
	send(&d, DIR_C2S, 105, 6, 7, 0, qrp_general, 1);
	send(&d, DIR_S2C, 105, 7, 7, 0, qrp_general, 1);
	ck_assert_uint_eq(ops(&d.col, OP_CONTROL_OPERATE, OP_REQUEST), 7);
	ck_assert_uint_eq(ops(&d.col, OP_CONTROL_OPERATE, OP_REPLY_OK), 2);
	ck_assert_uint_eq(ops(&d.col, OP_CONTROL_OPERATE, OP_REPLY_FAILED), 2);
	ck_assert_uint_eq(ops(&d.col, OP_TIME_SET, OP_REQUEST), 1);
	ck_assert_uint_eq(ops(&d.col, OP_TIME_SET, OP_REPLY_OK), 1);
	ck_assert_uint_eq(ops(&d.col, OP_RESTART_COLD, OP_REQUEST), 1);
	ck_assert_uint_eq(ops(&d.col, OP_RESTART_COLD, OP_REPLY_OK), 1);
	ck_assert_ptr_nonnull(op_with(&d.col, OP_CONTROL_OPERATE, "C_SC_NA_1 ca 7 ioa 5000 select"));
	ck_assert_ptr_nonnull(op_with(&d.col, OP_CONTROL_OPERATE, "C_SC_NA_1 ca 7 ioa 5000 execute"));
	ck_assert_ptr_nonnull(op_with(&d.col, OP_CONTROL_OPERATE, "C_SE_NB_1 ca 7 ioa 6000 execute"));
	ck_assert_ptr_nonnull(op_with(&d.col, OP_CONTROL_OPERATE, "C_BO_NA_1 ca 7 ioa 6002"));
	ck_assert_ptr_nonnull(op_with(&d.col, OP_RESTART_COLD, "general reset"));
	/* the request's sender is the client, the station the server */
	ck_assert_str_eq(op_with(&d.col, OP_TIME_SET, "C_CS_NA_1")->ip, CTRL_IP);
	ck_assert_str_eq(op_with(&d.col, OP_TIME_SET, "C_CS_NA_1")->peer_ip, RTU_IP);
	ck_assert_uint_eq(d.st.counters[I_BAD_APDU], 0);
	harness_free(&d);
}
END_TEST

/* Hostile: confirmations of nothing, lying element lengths, a flood of commands. */
START_TEST(hostile_commands)
{
	static const uint8_t sco[] = { 0x01 };
	static const uint8_t short_setpoint[] = { 0xe8 };	/* C_SE_NB_1 needs 3 bytes */
	static const uint8_t short_cp56[] = { 1, 2, 3 };
	struct harness d;

	harness_init(&d, &dis_iec104);
	harness_flow(&d, L4_TCP, CTRL_IP, 40000, RTU_IP, 2404);
	send(&d, DIR_S2C, 45, 7, 7, 1, sco, 1);		/* confirmation without command */
	send(&d, DIR_C2S, 45, 7, 7, 1, sco, 1);		/* a confirmation the wrong way */
	ck_assert_uint_eq(ops(&d.col, OP_CONTROL_OPERATE, OP_REPLY_OK), 0);
	send(&d, DIR_C2S, 49, 6, 7, 2, short_setpoint, 1);
	send(&d, DIR_C2S, 58, 6, 7, 3, short_cp56, 3);	/* time tag cut */
	ck_assert_uint_eq(ops(&d.col, OP_CONTROL_OPERATE, OP_REQUEST), 0);
	ck_assert_uint_eq(d.st.counters[I_BAD_APDU], 2);
	/* more commands awaiting confirmation than the flow keeps: counted, bounded */
	for (uint32_t i = 0; i < 100; i++)
		send(&d, DIR_C2S, 45, 6, 7, 100 + i, sco, 1);
	ck_assert_uint_eq(ops(&d.col, OP_CONTROL_OPERATE, OP_REQUEST), 100);
	ck_assert_uint_eq(d.st.counters[I_PENDING_LOST], 100 - IEC104_MAX_PENDING);
	send(&d, DIR_S2C, 45, 7, 7, 100, sco, 1);	/* pushed out long ago: unmatched */
	send(&d, DIR_S2C, 45, 7, 7, 199, sco, 1);	/* the last one: matched */
	ck_assert_uint_eq(ops(&d.col, OP_CONTROL_OPERATE, OP_REPLY_OK), 1);
	harness_free(&d);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("iec104");
	TCase *tc = tcase_create("iec104");

	tcase_add_test(tc, frames_and_asdus);
	tcase_add_test(tc, malformed_apdus);
	tcase_add_test(tc, probe_strict);
	tcase_add_test(tc, pipeline_roles);
	tcase_add_test(tc, commands_and_confirmations);
	tcase_add_test(tc, hostile_commands);
	tcase_add_loop_test(tc, shared_captures, 0,
	    (int)(sizeof(captures) / sizeof(captures[0])));
	suite_add_tcase(s, tc);
	return s;
}
