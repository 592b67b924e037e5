/*
 * test_reasm.c - TCP reassembly: split, coalesced, retransmitted,
 * out-of-order segments and gaps, with a toy length-prefixed protocol.
 */
#include <string.h>

#include "support.h"
#include "sw_limits.h"
#include "reasm.h"

/* Toy PDU: one length byte, then that many bytes. */
struct sinkstate {
	char	 pdus[64][256];
	uint64_t ts[64];		/* delivery time of each PDU */
	int	 npdus;
	int	 gaps;
	int	 calls;
};

static size_t
toy_deliver(void *arg, const uint8_t *data, size_t len, bool gap, uint64_t ts_us)
{
	struct sinkstate *s = arg;
	struct cur c = cur_make(data, len);
	uint8_t n;

	s->calls++;
	if (gap)
		s->gaps++;
	while (cur_peek_u8(&c, 0, &n) && cur_left(&c) >= (size_t)n + 1) {
		cur_skip(&c, 1);
		ck_assert_int_lt(s->npdus, 64);
		cur_copy(&c, s->pdus[s->npdus], n);
		s->pdus[s->npdus][n] = '\0';
		s->ts[s->npdus] = ts_us;
		s->npdus++;
	}
	return len - cur_left(&c);
}

static struct reasm_dir rd;
static struct reasm_stats st;
static struct sinkstate ss;

static void
setup(void)
{
	memset(&rd, 0, sizeof(rd));
	memset(&st, 0, sizeof(st));
	memset(&ss, 0, sizeof(ss));
	reasm_segment(&rd, &st, 999, true, NULL, 0, 0, toy_deliver, &ss);	/* SYN: data starts at 1000 */
}

static void
teardown(void)
{
	reasm_free(&rd, &st);
	ck_assert_uint_eq(st.mem_in_use, 0);	/* nothing leaked in the accounting */
}

static void
seg_at(uint32_t seq, const char *s, uint64_t ts)
{
	reasm_segment(&rd, &st, seq, false, (const uint8_t *)s, (uint32_t)strlen(s), ts, toy_deliver, &ss);
}

static void
seg(uint32_t seq, const char *s)
{
	seg_at(seq, s, 0);
}

START_TEST(pdu_split_over_segments_arrives_whole)
{
	seg(1000, "\005he");
	ck_assert_int_eq(ss.npdus, 0);
	seg(1003, "ll");
	ck_assert_int_eq(ss.npdus, 0);
	seg(1005, "o");
	ck_assert_int_eq(ss.npdus, 1);
	ck_assert_str_eq(ss.pdus[0], "hello");
	ck_assert_int_eq(ss.gaps, 0);
}
END_TEST

START_TEST(several_pdus_in_one_segment)
{
	seg(1000, "\002ab\003cde\001f\004gh");
	ck_assert_int_eq(ss.npdus, 3);
	ck_assert_str_eq(ss.pdus[2], "f");
	seg(1012, "ij");
	ck_assert_int_eq(ss.npdus, 4);
	ck_assert_str_eq(ss.pdus[3], "ghij");
}
END_TEST

START_TEST(retransmitted_bytes_delivered_once)
{
	seg(1000, "\003abc");
	seg(1000, "\003abc");		/* full retransmission */
	seg(1002, "bc\002xy");		/* overlaps two old bytes */
	ck_assert_int_eq(ss.npdus, 2);
	ck_assert_str_eq(ss.pdus[0], "abc");
	ck_assert_str_eq(ss.pdus[1], "xy");
	ck_assert_uint_eq(st.retransmitted_bytes, 4 + 2);
}
END_TEST

START_TEST(out_of_order_is_held_then_delivered_in_order)
{
	seg(1004, "\002de");		/* early */
	ck_assert_int_eq(ss.npdus, 0);
	ck_assert_uint_eq(st.out_of_order, 1);
	seg(1000, "\003abc");		/* fills the hole */
	ck_assert_int_eq(ss.npdus, 2);
	ck_assert_str_eq(ss.pdus[0], "abc");
	ck_assert_str_eq(ss.pdus[1], "de");
	ck_assert_int_eq(ss.gaps, 0);
}
END_TEST

START_TEST(unfillable_gap_resets_cleanly)
{
	uint32_t seq = 1000;

	seg(seq, "\011abc");		/* PDU of 9, only 3 arrive */
	/* the rest never comes; more than REASM_MAX_OOO later segments do */
	seq = 2000;
	for (int i = 0; i <= REASM_MAX_OOO; i++, seq += 3)
		seg(seq, "\002zz");
	ck_assert_uint_ge(st.gaps, 1);
	ck_assert_int_ge(ss.gaps, 1);		/* the consumer was told */
	ck_assert_int_eq(ss.npdus, REASM_MAX_OOO + 1);	/* every PDU after the gap */
	ck_assert_str_eq(ss.pdus[0], "zz");
}
END_TEST

START_TEST(mid_stream_join_flags_a_gap)
{
	struct reasm_dir r2;
	struct sinkstate s2;

	memset(&r2, 0, sizeof(r2));
	memset(&s2, 0, sizeof(s2));
	reasm_segment(&r2, &st, 5000, false, (const uint8_t *)"\001q", 2, 0, toy_deliver, &s2);
	ck_assert_int_eq(s2.gaps, 1);
	ck_assert_int_eq(s2.npdus, 1);
	reasm_free(&r2, &st);
}
END_TEST

/*
 * A capture that missed segments the receiver got: its ACK says so, and
 * the segment held behind the hole is delivered then, with its own time,
 * not after REASM_MAX_OOO more segments.
 */
START_TEST(hole_acknowledged_by_the_receiver_is_given_up_at_once)
{
	seg_at(1000, "\002ab", 10);
	seg_at(1010, "\002cd", 20);		/* 1003..1009 never captured */
	ck_assert_int_eq(ss.npdus, 1);
	reasm_peer_ack(&rd, &st, 1005, toy_deliver, &ss);	/* 1005..1009 may yet come */
	ck_assert_int_eq(ss.npdus, 1);
	reasm_peer_ack(&rd, &st, 1014, toy_deliver, &ss);	/* the receiver had them all */
	ck_assert_int_eq(ss.npdus, 2);
	ck_assert_str_eq(ss.pdus[1], "cd");
	ck_assert_uint_eq(ss.ts[1], 20);	/* the held segment's time */
	ck_assert_int_eq(ss.gaps, 1);
	ck_assert_uint_eq(st.holes_acked, 1);
	ck_assert_uint_eq(st.gaps, 1);
}
END_TEST

/* The ACK came first: a segment beyond an acknowledged hole is not held. */
START_TEST(segment_after_an_acknowledged_hole_is_not_held)
{
	seg_at(1000, "\002ab", 10);
	reasm_peer_ack(&rd, &st, 1020, toy_deliver, &ss);
	seg_at(1015, "\002cd", 30);
	ck_assert_int_eq(ss.npdus, 2);
	ck_assert_uint_eq(ss.ts[1], 30);
	ck_assert_uint_eq(st.out_of_order, 0);
	ck_assert_uint_eq(st.holes_acked, 1);
}
END_TEST

/* An ACK that covers only what was delivered leaves a held segment waiting. */
START_TEST(ack_up_to_the_hole_keeps_waiting)
{
	seg_at(1000, "\002ab", 10);
	seg_at(1010, "\002cd", 20);
	reasm_peer_ack(&rd, &st, 1003, toy_deliver, &ss);
	ck_assert_int_eq(ss.npdus, 1);
	seg_at(1003, "\006efghij", 25);		/* the late bytes fill it */
	ck_assert_int_eq(ss.npdus, 3);
	ck_assert_str_eq(ss.pdus[1], "efghij");
	ck_assert_str_eq(ss.pdus[2], "cd");
	ck_assert_int_eq(ss.gaps, 0);
	ck_assert_uint_eq(st.holes_acked, 0);
}
END_TEST

/* Flow end: segments held behind holes (two of them) still reach the consumer. */
START_TEST(flush_delivers_everything_held)
{
	seg_at(1000, "\002ab", 10);
	seg_at(1010, "\002cd", 20);
	seg_at(1020, "\002ef", 30);
	ck_assert_int_eq(ss.npdus, 1);
	reasm_flush(&rd, &st, toy_deliver, &ss);
	ck_assert_int_eq(ss.npdus, 3);
	ck_assert_str_eq(ss.pdus[2], "ef");
	ck_assert_uint_eq(ss.ts[1], 20);
	ck_assert_uint_eq(ss.ts[2], 30);
	ck_assert_uint_eq(rd.nooo, 0);
}
END_TEST

static size_t
never_consume(void *arg, const uint8_t *data, size_t len, bool gap, uint64_t ts_us)
{
	(void)arg, (void)data, (void)gap, (void)ts_us;
	return len > 0 ? 0 : 0;
}

START_TEST(buffer_never_exceeds_the_cap)
{
	static uint8_t big[1400];
	uint32_t seq = 1000;

	memset(big, 'x', sizeof(big));
	for (int i = 0; i < 100; i++, seq += sizeof(big)) {
		reasm_segment(&rd, &st, seq, false, big, sizeof(big), 0, never_consume, NULL);
		ck_assert_uint_le(rd.len, REASM_MAX_DIR);
	}
	ck_assert_uint_ge(st.overflows, 1);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("reasm");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, pdu_split_over_segments_arrives_whole);
	tcase_add_test(tc, several_pdus_in_one_segment);
	tcase_add_test(tc, retransmitted_bytes_delivered_once);
	tcase_add_test(tc, out_of_order_is_held_then_delivered_in_order);
	tcase_add_test(tc, unfillable_gap_resets_cleanly);
	tcase_add_test(tc, mid_stream_join_flags_a_gap);
	tcase_add_test(tc, buffer_never_exceeds_the_cap);
	tcase_add_test(tc, hole_acknowledged_by_the_receiver_is_given_up_at_once);
	tcase_add_test(tc, segment_after_an_acknowledged_hole_is_not_held);
	tcase_add_test(tc, ack_up_to_the_hole_keeps_waiting);
	tcase_add_test(tc, flush_delivers_everything_held);
	suite_add_tcase(s, tc);
	return s;
}
