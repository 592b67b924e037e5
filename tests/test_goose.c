/*
 * test_goose.c - IEC 61850 GOOSE publisher identity.
 *
 * No shared capture carries GOOSE: frames are built here from
 * IEC 61850-8-1's frame layout and goosePdu encoding.
 */
#include <stdio.h>
#include <string.h>

#include "support.h"
#include "dissector.h"
#include "decode.h"

extern const struct dissector dis_goose;

/* APPID 0x0001 goose frame (from APPID on) with the given gocbRef. */
static void
goose_frame(struct bytebuf *out, const char *gocb)
{
	struct bytebuf pdu = { .n = 0 };
	static const uint8_t ttl[] = { 0x07, 0xd0 }, one[] = { 1 }, t[8] = { 0 };

	put_ber_tlv(&pdu, 0x80, gocb, strlen(gocb));
	put_ber_tlv(&pdu, 0x81, ttl, sizeof(ttl));
	put_ber_tlv(&pdu, 0x82, "IED1LD0/LLN0$DS_Trip", 20);
	put_ber_tlv(&pdu, 0x83, "IED1_Trip", 9);
	put_ber_tlv(&pdu, 0x84, t, sizeof(t));
	put_ber_tlv(&pdu, 0x85, one, 1);
	put_ber_tlv(&pdu, 0x86, one, 1);
	put_ber_tlv(&pdu, 0x87, one, 1);	/* simulation */
	put_ber_tlv(&pdu, 0x88, one, 1);
	put_be16(out, 0x0001);
	put_be16(out, (unsigned)(8 + 2 + pdu.n + (pdu.n >= 128)));
	put_be16(out, 0);
	put_be16(out, 0);
	put_ber_tlv(out, 0x61, pdu.b, pdu.n);
	while (out->n < 46)
		put_u8(out, 0);
}

static void
goose_harness(struct harness *t)
{
	harness_init(t, &dis_goose);
	harness_frame(t, "00:50:c2:4f:90:11", "01:0c:cd:01:00:01");
}

START_TEST(publisher_identity)
{
	struct harness t;
	struct bytebuf f = { .n = 0 };

	goose_harness(&t);
	goose_frame(&f, "IED1LD0/LLN0$GO$gcbTrip");
	ck_assert_int_eq(harness_feed(&t, f.b, f.n), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, "00:50:c2:4f:90:11", A_DEVICE_NAME, "IED1LD0"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "00:50:c2:4f:90:11", A_NOTE,
	    "goose gocbRef IED1LD0/LLN0$GO$gcbTrip"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "00:50:c2:4f:90:11", A_NOTE,
	    "goose datSet IED1LD0/LLN0$DS_Trip"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "00:50:c2:4f:90:11", A_NOTE, "goose goID IED1_Trip"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "00:50:c2:4f:90:11", A_NOTE, "goose appid 0x0001"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "00:50:c2:4f:90:11", A_ROLE, R_IED));
	ck_assert_uint_eq(t.st.counters[0], 1);	/* simulated */
	ck_assert_uint_eq(t.st.pdus, 1);
	harness_free(&t);
}
END_TEST

START_TEST(long_reference_uses_long_form_length)
{
	struct harness t;
	struct bytebuf f = { .n = 0 };
	char ref[160];

	memset(ref, 'A', sizeof(ref));
	memcpy(ref + 20, "/LLN0$GO$g", 10);
	ref[sizeof(ref) - 1] = '\0';
	goose_harness(&t);
	goose_frame(&f, ref);
	ck_assert_int_eq(harness_feed(&t, f.b, f.n), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, NULL, A_DEVICE_NAME, "AAAAAAAAAAAAAAAAAAAA"));
	harness_free(&t);
}
END_TEST

START_TEST(malformed_inputs)
{
	static const uint8_t short_hdr[] = { 0x00, 0x01, 0x00 };
	static const uint8_t tiny_len[] = { 0x00, 0x01, 0x00, 0x04, 0, 0, 0, 0 };
	static const uint8_t not_goose[] = { 0x00, 0x01, 0x00, 0x0c, 0, 0, 0, 0, 0x30, 0x02, 0x80, 0x00 };
	static const uint8_t indefinite[] = { 0x00, 0x01, 0x00, 0x0c, 0, 0, 0, 0, 0x61, 0x80, 0x00, 0x00 };
	/* inner element claims 0x7f bytes */
	static const uint8_t lying[] = {
		0x00, 0x01, 0x00, 0x10, 0, 0, 0, 0, 0x61, 0x06, 0x80, 0x7f, 'a', 'b', 'c', 'd',
	};
	struct harness t;
	struct bytebuf f = { .n = 0 };

	goose_harness(&t);
	ck_assert_int_eq(harness_feed(&t, short_hdr, sizeof(short_hdr)), DISS_SHORT);
	ck_assert_int_eq(harness_feed(&t, tiny_len, sizeof(tiny_len)), DISS_MALFORMED);
	ck_assert_int_eq(harness_feed(&t, not_goose, sizeof(not_goose)), DISS_MALFORMED);
	ck_assert_int_eq(harness_feed(&t, indefinite, sizeof(indefinite)), DISS_MALFORMED);
	ck_assert_int_eq(harness_feed(&t, lying, sizeof(lying)), DISS_MALFORMED);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_NOTE, "goose gocbRef abcd"));
	/* the frame length claims more than was captured */
	goose_frame(&f, "X/Y");
	f.b[3] = 0xff;
	ck_assert_int_eq(harness_feed(&t, f.b, f.n), DISS_SHORT);
	/* a gocbRef without '/' names no logical device */
	f.n = 0;
	goose_frame(&f, "noslash");
	ck_assert_int_eq(harness_feed(&t, f.b, f.n), DISS_OK);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_DEVICE_NAME, NULL));
	ck_assert_uint_eq(t.st.counters[1], 3);	/* bad_ber: not_goose, indefinite, lying */
	harness_free(&t);
}
END_TEST

START_TEST(through_the_pipeline_with_priority_tag)
{
	struct collected c;
	struct pipeline_cfg cfg = { .ndpi = false };
	struct pipeline *pl;
	struct bytebuf g = { .n = 0 };
	uint8_t frame[1600];
	size_t n;

	goose_frame(&g, "IED7CTRL/LLN0$GO$gcb1");
	mac_parse("01:0c:cd:01:00:07", frame);
	mac_parse("00:50:c2:4f:90:77", frame + 6);
	n = 12;
	frame[n++] = 0x81; frame[n++] = 0x00; frame[n++] = 0x80; frame[n++] = 0x00;
	frame[n++] = 0x88; frame[n++] = 0xb8;
	memcpy(frame + n, g.b, g.n);
	n += g.n;
	collected_init(&c);
	pl = pipeline_new(&cfg, &c.sink);
	run_frame(pl, frame, n, 1000000);
	ck_assert_ptr_nonnull(find_fact(&c, "00:50:c2:4f:90:77", A_DEVICE_NAME, "IED7CTRL"));
	ck_assert_int_eq(pipeline_counter(pl, "goose.simulated"), 1);
	pipeline_free(pl);
	collected_free(&c);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("goose");
	TCase *u = tcase_create("unit");

	tcase_add_test(u, publisher_identity);
	tcase_add_test(u, long_reference_uses_long_form_length);
	tcase_add_test(u, malformed_inputs);
	tcase_add_test(u, through_the_pipeline_with_priority_tag);
	suite_add_tcase(s, u);
	return s;
}
