/*
 * test_bacnet.c - BACnet/IP: BVLC, NPDU, I-Am, ReadProperty(-Multiple)-ACK.
 *
 * No shared capture carries the device properties, so those frames are
 * built here from ASHRAE 135's encoding rules (clause 20) and the service
 * layouts of clauses 15.5, 15.7 and 16.10.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "ops_support.h"
#include "dissector.h"
#include "decode.h"
#include "flow.h"
#include "sw_limits.h"
#include "vendor_ids.h"

extern const struct dissector dis_bacnet;

static void
bacnet_harness(struct harness *t)
{
	harness_init(t, &dis_bacnet);
	harness_flow(t, L4_UDP, "10.0.0.1", 47808, "10.0.0.2", 47808);
	t->dc.dir = DIR_S2C;	/* the device (10.0.0.2) sends */
}

/* Tag octet(s) for tag number num, class ctx, content length len (20.2.1). */
static void
tag(struct bytebuf *b, unsigned num, bool ctx, size_t len)
{
	unsigned lvt = len < 5 ? (unsigned)len : 5;

	put_u8(b, num << 4 | (ctx ? 0x08 : 0) | lvt);
	if (len >= 5 && len < 254)
		put_u8(b, (unsigned)len);
	else if (len >= 254) {
		put_u8(b, 254);
		put_be16(b, (unsigned)len);
	}
}

static void open_tag(struct bytebuf *b, unsigned num) { put_u8(b, num << 4 | 0x0e); }
static void close_tag(struct bytebuf *b, unsigned num) { put_u8(b, num << 4 | 0x0f); }

static void
app_unsigned(struct bytebuf *b, uint32_t v)
{
	size_t n = v > 0xffffff ? 4 : v > 0xffff ? 3 : v > 0xff ? 2 : 1;

	tag(b, 2, false, n);
	for (size_t i = n; i-- > 0;)
		put_u8(b, (v >> (8 * i)) & 0xff);
}

static void
ctx_unsigned(struct bytebuf *b, unsigned num, uint32_t v)
{
	size_t n = v > 0xffffff ? 4 : v > 0xffff ? 3 : v > 0xff ? 2 : 1;

	tag(b, num, true, n);
	for (size_t i = n; i-- > 0;)
		put_u8(b, (v >> (8 * i)) & 0xff);
}

static uint32_t oid(unsigned type, unsigned inst) { return (uint32_t)type << 22 | inst; }

static void
char_string(struct bytebuf *b, unsigned charset, const void *s, size_t n)
{
	tag(b, 7, false, n + 1);
	put_u8(b, charset);
	put_bytes(b, s, n);
}

/* BVLC + NPDU (no routing) around an APDU. */
static void
bvlc_npdu(struct bytebuf *out, unsigned fn, const struct bytebuf *apdu)
{
	put_u8(out, 0x81);
	put_u8(out, fn);
	put_be16(out, (unsigned)(apdu->n + 6));
	put_u8(out, 1);
	put_u8(out, 0);
	put_bytes(out, apdu->b, apdu->n);
}

/* I-Am of an object of type `type` (a device is 8; nothing else may say I-Am). */
static void
i_am_of(struct bytebuf *a, unsigned type, unsigned inst, unsigned vendor)
{
	put_u8(a, 0x10);
	put_u8(a, 0);
	tag(a, 12, false, 4);
	put_be32(a, oid(type, inst));
	app_unsigned(a, 1476);
	tag(a, 9, false, 1);
	put_u8(a, 3);
	app_unsigned(a, vendor);
}

static void i_am(struct bytebuf *a, unsigned inst, unsigned vendor) { i_am_of(a, 8, inst, vendor); }

static void
rp_ack_begin(struct bytebuf *a, uint32_t object, unsigned prop)
{
	put_u8(a, 0x30);
	put_u8(a, 1);		/* invoke id */
	put_u8(a, 12);		/* readProperty */
	tag(a, 0, true, 4);
	put_be32(a, object);
	ctx_unsigned(a, 1, prop);
	open_tag(a, 3);
}

START_TEST(i_am_gives_instance_and_vendor)
{
	struct harness t;
	struct bytebuf a = { .n = 0 }, f = { .n = 0 };

	bacnet_harness(&t);
	i_am(&a, 721, 15);
	bvlc_npdu(&f, 0x0b, &a);
	ck_assert_int_eq(harness_feed(&t, f.b, f.n), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_BACNET_DEV, "721"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_VENDOR_ID, "bacnet:15"));
	/* the store names it (test_store.c) */
	ck_assert_ptr_null(find_fact(&t.col, "10.0.0.2", A_VENDOR, NULL));
	ck_assert_uint_eq(harness_counter(&t, "i_am"), 1);
	ck_assert_uint_eq(t.st.pdus, 1);
	harness_free(&t);
}
END_TEST

START_TEST(forwarded_i_am_is_about_the_original_sender)
{
	struct harness t;
	struct bytebuf a = { .n = 0 }, f = { .n = 0 };

	bacnet_harness(&t);
	i_am(&a, 4001, 99999);
	put_u8(&f, 0x81); put_u8(&f, 0x04); put_be16(&f, (unsigned)(a.n + 12));
	put_u8(&f, 192); put_u8(&f, 168); put_u8(&f, 7); put_u8(&f, 20); put_be16(&f, 47808);
	put_u8(&f, 1); put_u8(&f, 0);
	put_bytes(&f, a.b, a.n);
	ck_assert_int_eq(harness_feed(&t, f.b, f.n), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, "192.168.7.20", A_BACNET_DEV, "4001"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "192.168.7.20", A_VENDOR_ID, "bacnet:99999"));
	ck_assert_ptr_null(find_fact(&t.col, "10.0.0.2", A_BACNET_DEV, NULL));
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_VENDOR, NULL));	/* unknown id */
	ck_assert_uint_eq(harness_counter(&t, "forwarded_npdu"), 1);
	harness_free(&t);
}
END_TEST

START_TEST(routed_i_am_is_noted_on_the_router)
{
	struct harness t;
	struct bytebuf a = { .n = 0 }, f = { .n = 0 };

	bacnet_harness(&t);
	i_am(&a, 77, 8);
	put_u8(&f, 0x81); put_u8(&f, 0x0b); put_be16(&f, (unsigned)(a.n + 10));
	put_u8(&f, 1); put_u8(&f, 0x08);		/* SNET present */
	put_be16(&f, 5); put_u8(&f, 1); put_u8(&f, 0x0a);	/* network 5, MS/TP mac 10 */
	put_bytes(&f, a.b, a.n);
	ck_assert_int_eq(harness_feed(&t, f.b, f.n), DISS_OK);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_BACNET_DEV, NULL));
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_NOTE,
	    "routes bacnet device 77 (network 5)"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_ROLE, R_GATEWAY));
	ck_assert_uint_eq(harness_counter(&t, "routed_apdu"), 1);
	harness_free(&t);
}
END_TEST

/*
 * An I-Am whose identifier is not a device's (analog-value 2, and the
 * proprietary types 0x108 and 0x208, whose low byte is 8) names no device,
 * neither sent directly nor routed from a remote network.
 */
START_TEST(i_am_of_other_object_types_names_no_device)
{
	static const unsigned types[] = { 2, 0x108, 0x208 };
	struct harness t;
	struct bytebuf a, f;

	bacnet_harness(&t);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		a.n = f.n = 0;
		i_am_of(&a, types[i], 721, 15);
		bvlc_npdu(&f, 0x0b, &a);
		ck_assert_int_eq(harness_feed(&t, f.b, f.n), DISS_OK);
		a.n = f.n = 0;
		i_am_of(&a, types[i], 77, 15);
		put_u8(&f, 0x81); put_u8(&f, 0x0b); put_be16(&f, (unsigned)(a.n + 10));
		put_u8(&f, 1); put_u8(&f, 0x08);
		put_be16(&f, 5); put_u8(&f, 1); put_u8(&f, 0x0a);
		put_bytes(&f, a.b, a.n);
		ck_assert_int_eq(harness_feed(&t, f.b, f.n), DISS_OK);
	}
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_BACNET_DEV, NULL));
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_VENDOR_ID, NULL));
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_NOTE, NULL));
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_ROLE, R_GATEWAY));
	ck_assert_uint_eq(harness_counter(&t, "i_am"), 0);
	ck_assert_uint_eq(harness_counter(&t, "routed_apdu"), 3);
	harness_free(&t);
}
END_TEST

/* A ReadPropertyMultiple-ACK: an analog input's present-value nested depth
 * deep ([4] and depth - 1 [5] inside it), then the device's model name. */
static void
rpm_nested_then_model(struct bytebuf *a, int depth)
{
	put_u8(a, 0x30); put_u8(a, 3); put_u8(a, 14);
	tag(a, 0, true, 4); put_be32(a, oid(0, 1));
	open_tag(a, 1);
	ctx_unsigned(a, 2, 85);
	open_tag(a, 4);
	for (int i = 1; i < depth; i++)
		open_tag(a, 5);
	app_unsigned(a, 42);
	for (int i = 1; i < depth; i++)
		close_tag(a, 5);
	close_tag(a, 4);
	close_tag(a, 1);
	tag(a, 0, true, 4); put_be32(a, oid(8, 1));
	open_tag(a, 1);
	ctx_unsigned(a, 2, 70);
	open_tag(a, 4); char_string(a, 0, "eBCON", 5); close_tag(a, 4);
	close_tag(a, 1);
}

/* Nesting up to the cap is skipped; one level more stops the APDU, malformed. */
START_TEST(nesting_stops_at_the_cap_as_malformed)
{
	struct harness t;
	struct bytebuf a = { .n = 0 }, f = { .n = 0 };

	bacnet_harness(&t);
	rpm_nested_then_model(&a, BACNET_MAX_DEPTH);
	bvlc_npdu(&f, 0x0a, &a);
	ck_assert_int_eq(harness_feed(&t, f.b, f.n), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_MODEL, "eBCON"));
	harness_free(&t);

	bacnet_harness(&t);
	a.n = f.n = 0;
	rpm_nested_then_model(&a, BACNET_MAX_DEPTH + 1);
	bvlc_npdu(&f, 0x0a, &a);
	ck_assert_int_eq(harness_feed(&t, f.b, f.n), DISS_MALFORMED);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_MODEL, NULL));
	ck_assert_uint_eq(t.st.pdus, 1);
	harness_free(&t);
}
END_TEST

START_TEST(read_property_ack_strings_in_three_charsets)
{
	static const uint8_t latin1[] = { 'C', 'a', 'f', 0xe9 };		/* "Café" */
	static const uint8_t ucs2[] = { 0x00, 'R', 0x00, 'o', 0x00, 'o', 0x00, 'f' };
	struct harness t;
	struct bytebuf a = { .n = 0 }, f = { .n = 0 };

	bacnet_harness(&t);
	rp_ack_begin(&a, oid(8, 721), 70);
	char_string(&a, 0, "PXC36-E.D", 9);
	close_tag(&a, 3);
	bvlc_npdu(&f, 0x0a, &a);
	ck_assert_int_eq(harness_feed(&t, f.b, f.n), DISS_OK);
	ck_assert_str_eq(find_fact(&t.col, "10.0.0.2", A_MODEL, "PXC36-E.D")->src,
	    "bacnet/device/model-name");

	a.n = f.n = 0;
	rp_ack_begin(&a, oid(8, 721), 58);
	char_string(&a, 5, latin1, sizeof(latin1));
	close_tag(&a, 3);
	bvlc_npdu(&f, 0x0a, &a);
	ck_assert_int_eq(harness_feed(&t, f.b, f.n), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_LOCATION, "Caf\xc3\xa9"));

	a.n = f.n = 0;
	rp_ack_begin(&a, oid(8, 721), 28);
	char_string(&a, 4, ucs2, sizeof(ucs2));
	close_tag(&a, 3);
	bvlc_npdu(&f, 0x0a, &a);
	ck_assert_int_eq(harness_feed(&t, f.b, f.n), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_DESCRIPTION, "Roof"));

	/* DBCS (charset 1) is not converted: counted, no fact */
	a.n = f.n = 0;
	rp_ack_begin(&a, oid(8, 721), 121);
	char_string(&a, 1, "\x88\x9f", 2);
	close_tag(&a, 3);
	bvlc_npdu(&f, 0x0a, &a);
	ck_assert_int_eq(harness_feed(&t, f.b, f.n), DISS_OK);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_VENDOR, NULL));
	ck_assert_uint_eq(harness_counter(&t, "unconverted_charset"), 1);
	ck_assert_uint_eq(harness_counter(&t, "read_property_ack"), 4);
	harness_free(&t);
}
END_TEST

START_TEST(read_property_ack_of_other_objects_is_ignored)
{
	struct harness t;
	struct bytebuf a = { .n = 0 }, f = { .n = 0 };

	bacnet_harness(&t);
	rp_ack_begin(&a, oid(0, 3), 77);	/* analog-input,3 object-name */
	char_string(&a, 0, "AI-3 supply temp", 16);
	close_tag(&a, 3);
	bvlc_npdu(&f, 0x0a, &a);
	ck_assert_int_eq(harness_feed(&t, f.b, f.n), DISS_OK);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_DEVICE_NAME, NULL));
	harness_free(&t);
}
END_TEST

static const struct want_fact read_property_multiple_ack_facts[] = {
	{ A_VENDOR, "Delta Controls", NULL },
	{ A_SOFTWARE, "3.40.1", NULL },
	{ A_VENDOR_ID, "bacnet:8", NULL },
	{ A_MODEL, "eBCON", NULL },
	{ A_DEVICE_NAME, NULL, NULL },
};

START_TEST(read_property_multiple_ack)
{
	struct harness t;
	struct bytebuf a = { .n = 0 }, f = { .n = 0 };
	char longname[300];

	memset(longname, 'n', sizeof(longname));
	bacnet_harness(&t);
	put_u8(&a, 0x30); put_u8(&a, 9); put_u8(&a, 14);
	/* an analog input first: its object-name is not the device's */
	tag(&a, 0, true, 4); put_be32(&a, oid(0, 1));
	open_tag(&a, 1);
	ctx_unsigned(&a, 2, 77);
	open_tag(&a, 4); char_string(&a, 0, "AI-1", 4); close_tag(&a, 4);
	close_tag(&a, 1);
	/* the device object */
	tag(&a, 0, true, 4); put_be32(&a, oid(8, 1234));
	open_tag(&a, 1);
	ctx_unsigned(&a, 2, 121);
	open_tag(&a, 4); char_string(&a, 0, "Delta Controls", 14); close_tag(&a, 4);
	ctx_unsigned(&a, 2, 44);
	open_tag(&a, 5);			/* an error instead of a value */
	tag(&a, 9, false, 1); put_u8(&a, 2); tag(&a, 9, false, 1); put_u8(&a, 32);
	close_tag(&a, 5);
	ctx_unsigned(&a, 2, 12);
	open_tag(&a, 4); char_string(&a, 0, "3.40.1", 6); close_tag(&a, 4);
	ctx_unsigned(&a, 2, 77);		/* object-name, extended length */
	open_tag(&a, 4); char_string(&a, 0, longname, sizeof(longname)); close_tag(&a, 4);
	ctx_unsigned(&a, 2, 120);
	open_tag(&a, 4); app_unsigned(&a, 8); close_tag(&a, 4);
	ctx_unsigned(&a, 2, 76);		/* object-list[0] with an array index */
	ctx_unsigned(&a, 3, 0);
	open_tag(&a, 4); app_unsigned(&a, 3); close_tag(&a, 4);
	ctx_unsigned(&a, 2, 70);
	open_tag(&a, 4); char_string(&a, 0, "eBCON", 5); close_tag(&a, 4);
	close_tag(&a, 1);
	bvlc_npdu(&f, 0x0a, &a);
	ck_assert_int_eq(harness_feed(&t, f.b, f.n), DISS_OK);
	ASSERT_FACTS(&t.col, "10.0.0.2", read_property_multiple_ack_facts);
	ck_assert_uint_eq(strlen(find_fact(&t.col, "10.0.0.2", A_DEVICE_NAME, NULL)->val), 300);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_DEVICE_NAME, "AI-1"));
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_FIRMWARE, NULL));
	harness_free(&t);
}
END_TEST

/* --- operations ------------------------------------------------------------- */

#define WS	"10.0.0.1"	/* the workstation: client */
#define DEV	"10.0.0.2"

/* Confirmed-Request header: invoke id, service choice. */
static void
confirmed_begin(struct bytebuf *a, uint8_t invoke, uint8_t svc)
{
	put_u8(a, 0x00);
	put_u8(a, 0x05);	/* max segments / max APDU */
	put_u8(a, invoke);
	put_u8(a, svc);
}

/* Send one APDU: the workstation (C2S) or the device (S2C). */
static void
send_apdu(struct harness *t, int dir, const struct bytebuf *a)
{
	struct bytebuf f = { .n = 0 };

	bvlc_npdu(&f, 0x0a, a);
	ck_assert_int_eq(harness_parse(t, dir, f.b, f.n, NULL), DISS_OK);
}

/* SimpleACK (0x20), Error (0x50, class/code), Reject (0x60), Abort (0x71, from the server). */
static void
answer(struct harness *t, unsigned type, uint8_t invoke, uint8_t svc)
{
	struct bytebuf a = { .n = 0 };

	put_u8(&a, type);
	put_u8(&a, invoke);
	if (type == 0x20 || type == 0x50)
		put_u8(&a, svc);
	else
		put_u8(&a, 0x02);	/* reason */
	if (type == 0x50) {
		tag(&a, 9, false, 1); put_u8(&a, 5);	/* error class: services */
		tag(&a, 9, false, 1); put_u8(&a, 26);	/* error code: password failure */
	}
	send_apdu(t, DIR_S2C, &a);
}

START_TEST(reinitialize_device_cold_ok_warm_refused)
{
	struct harness t;
	struct bytebuf a = { .n = 0 };
	struct op_sum sum;

	bacnet_harness(&t);
	confirmed_begin(&a, 1, 20);
	ctx_unsigned(&a, 0, 0);			/* coldstart */
	send_apdu(&t, DIR_C2S, &a);
	answer(&t, 0x20, 1, 20);
	op_sum(&t.col, "bacnet", OP_RESTART_COLD, WS, DEV, &sum);
	ck_assert_uint_eq(sum.requests, 1);
	ck_assert_uint_eq(sum.ok, 1);
	ck_assert_str_eq(sum.details, "ReinitializeDevice coldstart");
	a.n = 0;
	confirmed_begin(&a, 2, 20);
	ctx_unsigned(&a, 0, 1);			/* warmstart, with a password */
	tag(&a, 1, true, 5); put_u8(&a, 0); put_bytes(&a, "pass", 4);
	send_apdu(&t, DIR_C2S, &a);
	answer(&t, 0x50, 2, 20);
	op_sum(&t.col, "bacnet", OP_RESTART_WARM, WS, DEV, &sum);
	ck_assert_uint_eq(sum.requests, 1);
	ck_assert_uint_eq(sum.failed, 1);
	ck_assert_str_eq(sum.details, "ReinitializeDevice warmstart");
	harness_free(&t);
}
END_TEST

START_TEST(writes_file_and_communication_control)
{
	struct harness t;
	struct bytebuf a = { .n = 0 };
	struct op_sum sum;

	bacnet_harness(&t);
	/* WriteProperty analog-value 3 present-value := 21.5 priority 8, rejected */
	confirmed_begin(&a, 10, 15);
	tag(&a, 0, true, 4); put_be32(&a, oid(2, 3));
	ctx_unsigned(&a, 1, 85);
	open_tag(&a, 3); tag(&a, 4, false, 4); put_be32(&a, 0x41ac0000); close_tag(&a, 3);
	ctx_unsigned(&a, 4, 8);
	send_apdu(&t, DIR_C2S, &a);
	answer(&t, 0x60, 10, 0);
	/* WritePropertyMultiple binary-output 1, accepted */
	a.n = 0;
	confirmed_begin(&a, 11, 16);
	tag(&a, 0, true, 4); put_be32(&a, oid(4, 1));
	open_tag(&a, 1); ctx_unsigned(&a, 0, 85); open_tag(&a, 2); tag(&a, 9, false, 1);
	put_u8(&a, 1); close_tag(&a, 2); close_tag(&a, 1);
	send_apdu(&t, DIR_C2S, &a);
	answer(&t, 0x20, 11, 16);
	op_sum(&t.col, "bacnet", OP_CONTROL_OPERATE, WS, DEV, &sum);
	ck_assert_uint_eq(sum.requests, 2);
	ck_assert_uint_eq(sum.ok, 1);
	ck_assert_uint_eq(sum.failed, 1);
	ck_assert_str_eq(sum.details, "WriteProperty analog-value 3 present-value priority 8; "
	    "WritePropertyMultiple binary-output 1");
	/* DeviceCommunicationControl: disable for 60 minutes, aborted */
	a.n = 0;
	confirmed_begin(&a, 12, 17);
	ctx_unsigned(&a, 0, 60);
	ctx_unsigned(&a, 1, 1);
	send_apdu(&t, DIR_C2S, &a);
	answer(&t, 0x71, 12, 0);
	op_sum(&t.col, "bacnet", OP_MODE_CHANGE, WS, DEV, &sum);
	ck_assert_uint_eq(sum.failed, 1);
	ck_assert_str_eq(sum.details, "DeviceCommunicationControl disable for 60 min");
	/* AtomicWriteFile file 2, stream access, answered with a ComplexACK */
	a.n = 0;
	confirmed_begin(&a, 13, 7);
	tag(&a, 12, false, 4); put_be32(&a, oid(10, 2));
	open_tag(&a, 0); tag(&a, 3, false, 1); put_u8(&a, 0); tag(&a, 6, false, 3);
	put_bytes(&a, "abc", 3); close_tag(&a, 0);
	send_apdu(&t, DIR_C2S, &a);
	a.n = 0;
	put_u8(&a, 0x30); put_u8(&a, 13); put_u8(&a, 7); ctx_unsigned(&a, 0, 0);
	send_apdu(&t, DIR_S2C, &a);
	op_sum(&t.col, "bacnet", OP_FILE_WRITE, WS, DEV, &sum);
	ck_assert_uint_eq(sum.ok, 1);
	ck_assert_str_eq(sum.details, "AtomicWriteFile file 2");
	harness_free(&t);
}
END_TEST

START_TEST(orphan_answer_reads_and_lying_lengths)
{
	struct harness t;
	struct bytebuf a = { .n = 0 };
	struct op_sum sum;

	bacnet_harness(&t);
	answer(&t, 0x20, 77, 15);		/* a SimpleACK of WriteProperty nobody asked for */
	ck_assert_uint_eq(harness_counter(&t, "ops_unmatched"), 1);
	ck_assert_uint_eq(op_count(&t.col, "bacnet", OP_REPLY_OK), 0);
	/* ReadProperty is no operation */
	confirmed_begin(&a, 3, 12);
	tag(&a, 0, true, 4); put_be32(&a, oid(8, 1));
	ctx_unsigned(&a, 1, 77);
	send_apdu(&t, DIR_C2S, &a);
	ck_assert_uint_eq(op_count(&t.col, "bacnet", OP_REQUEST), 0);
	/* WriteProperty whose object id tag claims 200 bytes: a write, unnamed */
	a.n = 0;
	confirmed_begin(&a, 4, 15);
	put_u8(&a, 0x0d); put_u8(&a, 200); put_be32(&a, oid(2, 1));
	send_apdu(&t, DIR_C2S, &a);
	op_sum(&t.col, "bacnet", OP_CONTROL_OPERATE, WS, DEV, &sum);
	ck_assert_uint_eq(sum.requests, 1);
	ck_assert_str_eq(sum.details, "WriteProperty");
	harness_free(&t);
}
END_TEST

/* WriteProperty i to analog-value i, and its SimpleACK. */
static void
flood_write(struct bytebuf *f, unsigned i)
{
	struct bytebuf a = { .n = 0 };

	confirmed_begin(&a, (uint8_t)i, 15);
	tag(&a, 0, true, 4); put_be32(&a, oid(2, i));
	ctx_unsigned(&a, 1, 85);
	bvlc_npdu(f, 0x0a, &a);
}

static void
flood_ack(struct bytebuf *f, unsigned i)
{
	struct bytebuf a = { .n = 0 };

	put_u8(&a, 0x20); put_u8(&a, (uint8_t)i); put_u8(&a, 15);
	bvlc_npdu(f, 0x0a, &a);
}

START_TEST(request_flood_is_bounded)
{
	static const struct op_flood flood = { "bacnet", WS, DEV, OP_PEND_MAX, flood_write, flood_ack };
	struct harness t;

	bacnet_harness(&t);
	assert_op_flood_bounded(&t, &flood);
	harness_free(&t);
}
END_TEST

/*
 * The ICSNPP example has 120 ReinitializeDevice requests (tshark: confirmed
 * service 20) from one workstation; their answers carry a BVLC length
 * larger than the datagram and are refused (docs/DISSECTORS.md), so none
 * has an outcome.
 */
START_TEST(pcap_icsnpp_reinitialize)
{
	struct collected c;
	struct op_sum cold, warm;

	collected_init(&c);
	ck_assert_int_gt(run_pcap(shared_pcap("bacnet/icsnpp-bacnet__bacnet_example.pcap"), &c, NULL), 0);
	op_sum(&c, "bacnet", OP_RESTART_COLD, "172.20.32.250", NULL, &cold);
	op_sum(&c, "bacnet", OP_RESTART_WARM, "172.20.32.250", NULL, &warm);
	ck_assert_uint_eq(cold.requests + warm.requests, 120);
	ck_assert_uint_eq(op_count(&c, "bacnet", OP_REQUEST), 120);
	ck_assert_uint_eq(cold.ok + cold.failed + warm.ok + warm.failed, 0);
	collected_free(&c);
}
END_TEST

START_TEST(malformed_inputs)
{
	struct harness t;
	struct bytebuf a = { .n = 0 }, f = { .n = 0 };
	static const uint8_t short_bvlc[] = { 0x81, 0x0b };
	static const uint8_t tiny_len[] = { 0x81, 0x0b, 0x00, 0x02, 0x01, 0x00 };
	static const uint8_t lying_len[] = { 0x81, 0x0b, 0x00, 0x40, 0x01, 0x00, 0x10, 0x00 };
	static const uint8_t bad_version[] = { 0x81, 0x0a, 0x00, 0x08, 0x02, 0x00, 0x10, 0x08 };
	static const uint8_t not_bvlc[] = { 0x45, 0x0b, 0x00, 0x08, 0x01, 0x00, 0x10, 0x08 };
	/* SNET with length 0 */
	static const uint8_t bad_snet[] = { 0x81, 0x0a, 0x00, 0x0b, 0x01, 0x08, 0x00, 0x05, 0x00, 0x10, 0x00 };
	/* DNET whose DLEN runs past the end */
	static const uint8_t bad_dnet[] = { 0x81, 0x0a, 0x00, 0x09, 0x01, 0x20, 0xff, 0xff, 0x30 };

	bacnet_harness(&t);
	ck_assert_int_eq(harness_feed(&t, short_bvlc, sizeof(short_bvlc)), DISS_SHORT);
	ck_assert_int_eq(harness_feed(&t, tiny_len, sizeof(tiny_len)), DISS_MALFORMED);
	ck_assert_int_eq(harness_feed(&t, lying_len, sizeof(lying_len)), DISS_SHORT);
	ck_assert_int_eq(harness_feed(&t, bad_version, sizeof(bad_version)), DISS_MALFORMED);
	ck_assert_int_eq(harness_feed(&t, not_bvlc, sizeof(not_bvlc)), DISS_NOT_MINE);
	ck_assert_int_eq(harness_feed(&t, bad_snet, sizeof(bad_snet)), DISS_MALFORMED);
	ck_assert_int_eq(harness_feed(&t, bad_dnet, sizeof(bad_dnet)), DISS_SHORT);

	/* I-Am cut after the object identifier: the instance, no vendor */
	i_am(&a, 55, 15);
	a.n = 7;
	bvlc_npdu(&f, 0x0b, &a);
	ck_assert_int_eq(harness_feed(&t, f.b, f.n), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_BACNET_DEV, "55"));
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_VENDOR_ID, NULL));

	/* a string whose extended length runs past the end */
	a.n = f.n = 0;
	rp_ack_begin(&a, oid(8, 1), 70);
	put_u8(&a, 0x75); put_u8(&a, 200); put_u8(&a, 0); put_bytes(&a, "abc", 3);
	bvlc_npdu(&f, 0x0a, &a);
	ck_assert_int_eq(harness_feed(&t, f.b, f.n), DISS_OK);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_MODEL, NULL));

	/* opening tags nested deeper than we follow, never closed */
	a.n = f.n = 0;
	put_u8(&a, 0x30); put_u8(&a, 1); put_u8(&a, 14);
	tag(&a, 0, true, 4); put_be32(&a, oid(8, 1));
	open_tag(&a, 1);
	ctx_unsigned(&a, 2, 85);
	for (int i = 0; i < 40; i++)
		open_tag(&a, 4);
	bvlc_npdu(&f, 0x0a, &a);
	ck_assert_int_eq(harness_feed(&t, f.b, f.n), DISS_MALFORMED);

	/* zero-length character string: no fact */
	a.n = f.n = 0;
	rp_ack_begin(&a, oid(8, 1), 77);
	tag(&a, 7, false, 0);
	close_tag(&a, 3);
	bvlc_npdu(&f, 0x0a, &a);
	ck_assert_int_eq(harness_feed(&t, f.b, f.n), DISS_OK);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_DEVICE_NAME, NULL));
	harness_free(&t);
}
END_TEST

START_TEST(probe_wants_bvlc_with_its_length)
{
	static const uint8_t ok[] = { 0x81, 0x0b, 0x00, 0x08, 0x01, 0x00, 0x10, 0x08 };
	struct cur c = cur_make(ok, sizeof(ok));

	ck_assert(dis_bacnet.probe(&c, DIR_C2S));
	c = cur_make(ok, 7);
	ck_assert(!dis_bacnet.probe(&c, DIR_C2S));
}
END_TEST

/* --- real captures --------------------------------------------------------- */

static void
check_capture(const char *rel)
{
	struct expected_run r;
	json_t *e;
	size_t i;

	expected_run_open(&r, rel, "bacnet.i_am", false);
	json_array_foreach(r.facts, i, e) {
		const char *ip = json_string_value(json_object_get(e, "ip"));
		char v[32];

		snprintf(v, sizeof(v), "%lld", json_integer_value(json_object_get(e, "device_instance")));
		ck_assert_msg(find_fact(&r.col, ip, A_BACNET_DEV, v), "instance %s on %s", v, ip);
		snprintf(v, sizeof(v), "bacnet:%lld", json_integer_value(json_object_get(e, "vendor_id")));
		ck_assert_msg(find_fact(&r.col, ip, A_VENDOR_ID, v), "%s on %s", v, ip);
	}
	expected_run_close(&r);
}

START_TEST(pcap_icsnpp_example)
{
	check_capture("bacnet/icsnpp-bacnet__bacnet_example.pcap");
}
END_TEST

START_TEST(pcap_ndpi)
{
	check_capture("bacnet/ndpi__bacnet.pcap");
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("bacnet");
	TCase *u = tcase_create("unit"), *p = tcase_create("pcap");

	tcase_add_checked_fixture(u, vendor_ids_setup, vendor_ids_teardown);
	tcase_add_test(u, i_am_gives_instance_and_vendor);
	tcase_add_test(u, forwarded_i_am_is_about_the_original_sender);
	tcase_add_test(u, routed_i_am_is_noted_on_the_router);
	tcase_add_test(u, i_am_of_other_object_types_names_no_device);
	tcase_add_test(u, nesting_stops_at_the_cap_as_malformed);
	tcase_add_test(u, read_property_ack_strings_in_three_charsets);
	tcase_add_test(u, read_property_ack_of_other_objects_is_ignored);
	tcase_add_test(u, read_property_multiple_ack);
	tcase_add_test(u, malformed_inputs);
	tcase_add_test(u, probe_wants_bvlc_with_its_length);
	tcase_add_test(u, reinitialize_device_cold_ok_warm_refused);
	tcase_add_test(u, writes_file_and_communication_control);
	tcase_add_test(u, orphan_answer_reads_and_lying_lengths);
	tcase_add_test(u, request_flood_is_bounded);
	suite_add_tcase(s, u);
	tcase_add_checked_fixture(p, vendor_ids_setup, vendor_ids_teardown);
	tcase_add_test(p, pcap_icsnpp_example);
	tcase_add_test(p, pcap_ndpi);
	tcase_add_test(p, pcap_icsnpp_reinitialize);
	suite_add_tcase(s, p);
	return s;
}
