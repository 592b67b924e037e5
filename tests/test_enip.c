/*
 * test_enip.c - EtherNet/IP encapsulation, ListIdentity and CIP Identity.
 *
 * Byte vectors are built from the layouts in the CIP Networks Library
 * (vol. 2 ch. 2 encapsulation, vol. 1 Identity object / Connection Manager).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "ops_support.h"
#include "dissector.h"
#include "decode.h"
#include "flow.h"
#include "vendor_ids.h"

extern const struct dissector dis_enip;

/* --- a hand-made dissector context ------------------------------------- */

static void
enip_harness(struct harness *t, uint8_t proto, uint16_t srv_port)
{
	harness_init(t, &dis_enip);
	harness_flow(t, proto, "10.0.0.1", 50000, "10.0.0.2", srv_port);
	ck_assert(mac_parse("02:00:00:00:00:01", t->flow.cli.mac));
	ck_assert(mac_parse("02:00:00:00:00:02", t->flow.srv.mac));
}

/* --- frame builders ----------------------------------------------------- */

/* Encapsulation header with context byte ctx; the length is patched by enc_end. */
static size_t
enc_begin(struct bytebuf *b, unsigned cmd, uint8_t ctx)
{
	size_t at = b->n;

	put_le16(b, cmd);
	put_le16(b, 0);
	put_le32(b, 0x11020100);
	put_le32(b, 0);
	for (int i = 0; i < 8; i++)
		put_u8(b, i == 0 ? ctx : 0);
	put_le32(b, 0);
	return at;
}

static void
enc_end(struct bytebuf *b, size_t at)
{
	size_t len = b->n - at - 24;

	b->b[at + 2] = (uint8_t)(len & 0xff);
	b->b[at + 3] = (uint8_t)(len >> 8);
}

/* Identity attributes 1-7 (Get_Attributes_All layout). */
static void
identity(struct bytebuf *b, unsigned vendor, unsigned type, unsigned product,
    unsigned maj, unsigned min, uint32_t serial, const char *name)
{
	put_le16(b, vendor);
	put_le16(b, type);
	put_le16(b, product);
	put_u8(b, maj);
	put_u8(b, min);
	put_le16(b, 0x0030);
	put_le32(b, serial);
	put_u8(b, (unsigned)strlen(name));
	put_bytes(b, name, strlen(name));
}

static void
list_identity_reply(struct bytebuf *b, const uint8_t sock_ip[4])
{
	size_t at = enc_begin(b, 0x63, 0), item;

	put_le16(b, 1);		/* item count */
	put_le16(b, 0x0c);
	item = b->n;
	put_le16(b, 0);		/* item length, patched below */
	put_le16(b, 1);		/* encapsulation version */
	put_be16(b, 2);		/* AF_INET */
	put_be16(b, 44818);
	put_bytes(b, sock_ip, 4);
	for (int i = 0; i < 8; i++)
		put_u8(b, 0);
	identity(b, 1, 12, 58, 3, 4, 0x00524d8e, "1756-ENBT/A");
	put_u8(b, 3);		/* state */
	b->b[item] = (uint8_t)(b->n - item - 2);
	enc_end(b, at);
}

/* SendRRData: handle, timeout, 2 items: null address + unconnected data. */
static size_t
rr_begin(struct bytebuf *b, uint8_t ctx, size_t *item_len_at)
{
	size_t at = enc_begin(b, 0x6f, ctx);

	put_le32(b, 0);
	put_le16(b, 10);
	put_le16(b, 2);
	put_le16(b, 0x0000);
	put_le16(b, 0);
	put_le16(b, 0x00b2);
	*item_len_at = b->n;
	put_le16(b, 0);
	return at;
}

static void
rr_end(struct bytebuf *b, size_t at, size_t item_len_at)
{
	size_t len = b->n - item_len_at - 2;

	b->b[item_len_at] = (uint8_t)(len & 0xff);
	b->b[item_len_at + 1] = (uint8_t)(len >> 8);
	enc_end(b, at);
}

/* Unconnected_Send of Get_Attributes_All(class 1, instance 1) to backplane slot. */
/* Get_Attributes_All (0x01) to instance 1 of a class, not routed. */
static void
get_all_request(struct bytebuf *b, uint8_t ctx, unsigned class_id)
{
	size_t il, at = rr_begin(b, ctx, &il);

	put_u8(b, 0x01);
	put_u8(b, 2);
	put_u8(b, 0x20);
	put_u8(b, class_id);
	put_u8(b, 0x24);
	put_u8(b, 0x01);
	rr_end(b, at, il);
}

static void
routed_get_all_request(struct bytebuf *b, uint8_t ctx, unsigned slot)
{
	size_t il, at = rr_begin(b, ctx, &il);
	static const uint8_t cm_path[] = { 0x20, 0x06, 0x24, 0x01 };
	static const uint8_t emb[] = { 0x01, 0x02, 0x20, 0x01, 0x24, 0x01 };

	put_u8(b, 0x52);
	put_u8(b, 2);
	put_bytes(b, cm_path, sizeof(cm_path));
	put_u8(b, 0x06);		/* priority / tick */
	put_u8(b, 0x9a);		/* timeout ticks */
	put_le16(b, sizeof(emb));
	put_bytes(b, emb, sizeof(emb));
	put_u8(b, 1);		/* route path: 1 word */
	put_u8(b, 0);
	put_u8(b, 0x01);		/* port 1 (backplane) */
	put_u8(b, slot);
	rr_end(b, at, il);
}

static void
get_all_reply(struct bytebuf *b, uint8_t ctx, unsigned type, const char *name)
{
	size_t il, at = rr_begin(b, ctx, &il);

	put_u8(b, 0x81);
	put_u8(b, 0);
	put_u8(b, 0);		/* general status: success */
	put_u8(b, 0);
	identity(b, 1, type, 54, 16, 20, 0x0051823f, name);
	rr_end(b, at, il);
}

static const uint8_t srv_ip[4] = { 10, 0, 0, 2 };

/* --- unit tests ---------------------------------------------------------- */

START_TEST(list_identity_reply_gives_identity)
{
	struct harness t;
	struct bytebuf b = { .n = 0 };
	size_t left;
	bool addr = false;

	enip_harness(&t, L4_UDP, 44818);
	list_identity_reply(&b, srv_ip);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, b.b, b.n, &left), DISS_OK);
	ck_assert_uint_eq(left, 0);
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_VENDOR_ID, "cip:1"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_DEVICE_TYPE, "cip:12"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_PRODUCT_CODE, "58"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_FIRMWARE, "3.4"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_SERIAL, "0x00524d8e"));
	ck_assert_str_eq(find_fact(&t.col, "10.0.0.2", A_MODEL, "1756-ENBT/A")->src,
	    "enip/list_identity");
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_VENDOR, NULL));	/* the store names it */
	for (size_t i = 0; i < t.col.n; i++)
		if (t.col.v[i].kind == OBS_ADDR && strcmp(t.col.v[i].ip, "10.0.0.2") == 0 &&
		    strcmp(t.col.v[i].mac, "02:00:00:00:00:02") == 0)
			addr = true;
	ck_assert(addr);
	ck_assert_uint_eq(harness_counter(&t, "list_identity"), 1);
	ck_assert_uint_eq(t.st.pdus, 1);
	harness_free(&t);
}
END_TEST

START_TEST(list_identity_other_socket_address_is_noted)
{
	static const uint8_t other[4] = { 192, 168, 5, 9 };
	struct harness t;
	struct bytebuf b = { .n = 0 };

	enip_harness(&t, L4_UDP, 44818);
	list_identity_reply(&b, other);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, b.b, b.n, NULL), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_NOTE,
	    "enip socket address 192.168.5.9:44818"));
	harness_free(&t);
}
END_TEST

START_TEST(unknown_vendor_stays_a_number)
{
	struct harness t;
	struct bytebuf b = { .n = 0 };
	size_t il, at;

	enip_harness(&t, L4_TCP, 44818);
	get_all_request(&b, 7, 0x01);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, b.b, b.n, NULL), DISS_OK);
	b.n = 0;
	at = rr_begin(&b, 7, &il);
	put_u8(&b, 0x81); put_u8(&b, 0); put_u8(&b, 0); put_u8(&b, 0);
	identity(&b, 65000, 43, 7, 1, 2, 0xdeadbeef, "Widget");
	rr_end(&b, at, il);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, b.b, b.n, NULL), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_VENDOR_ID, "cip:65000"));
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_VENDOR, NULL));
	/* not routed: the IP's own identity, stated */
	ck_assert_str_eq(find_fact(&t.col, "10.0.0.2", A_MODEL, "Widget")->src, "cip/identity");
	ck_assert_uint_eq(find_fact(&t.col, "10.0.0.2", A_MODEL, "Widget")->conf, CONF_STATED);
	ck_assert_uint_eq(harness_counter(&t, "cip_identity"), 1);
	harness_free(&t);
}
END_TEST

START_TEST(routed_get_attributes_all_names_the_slot)
{
	struct harness t;
	struct bytebuf b = { .n = 0 };
	const struct cobs *o;

	enip_harness(&t, L4_TCP, 44818);
	routed_get_all_request(&b, 0x41, 3);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, b.b, b.n, NULL), DISS_OK);
	ck_assert_uint_eq(t.col.n, 0);
	b.n = 0;
	get_all_reply(&b, 0x41, 14, "1756-L61/B LOGIX5561");
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, b.b, b.n, NULL), DISS_OK);
	o = find_fact(&t.col, "10.0.0.2", A_MODEL, "1756-L61/B LOGIX5561");
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->src, "cip/identity/slot 3");
	ck_assert_uint_eq(o->conf, CONF_INFERRED);
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_FIRMWARE, "16.20"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_SERIAL, "0x0051823f"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_ROLE, R_PLC));
	ck_assert_uint_eq(harness_counter(&t, "routed_requests"), 1);
	ck_assert_uint_eq(harness_counter(&t, "cip_identity"), 1);
	harness_free(&t);
}
END_TEST

START_TEST(reply_to_other_class_is_not_identity)
{
	struct harness t;
	struct bytebuf b = { .n = 0 };

	enip_harness(&t, L4_TCP, 44818);
	/* Get_Attributes_All to class 0x64, then an identity-shaped reply */
	get_all_request(&b, 9, 0x64);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, b.b, b.n, NULL), DISS_OK);
	b.n = 0;
	get_all_reply(&b, 9, 14, "NotIdentity");
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, b.b, b.n, NULL), DISS_OK);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_MODEL, NULL));
	ck_assert_uint_eq(harness_counter(&t, "cip_identity"), 0);
	harness_free(&t);
}
END_TEST

START_TEST(reply_without_request_is_counted_not_trusted)
{
	struct harness t;
	struct bytebuf b = { .n = 0 };

	enip_harness(&t, L4_TCP, 44818);
	get_all_reply(&b, 5, 14, "Orphan");
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, b.b, b.n, NULL), DISS_OK);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_MODEL, NULL));
	ck_assert_uint_eq(harness_counter(&t, "unmatched_replies"), 1);
	harness_free(&t);
}
END_TEST

/* SendUnitData: connected address item + connected data item with sequence. */
static void
unit_data(struct bytebuf *b, uint16_t seq, const uint8_t *msg, size_t n)
{
	size_t at = enc_begin(b, 0x70, 0);

	put_le32(b, 0);
	put_le16(b, 0);
	put_le16(b, 2);
	put_le16(b, 0x00a1);
	put_le16(b, 4);
	put_le32(b, 0x12345678);
	put_le16(b, 0x00b1);
	put_le16(b, (unsigned)(n + 2));
	put_le16(b, seq);
	put_bytes(b, msg, n);
	enc_end(b, at);
}

START_TEST(connected_get_attribute_single)
{
	static const uint8_t req[] = { 0x0e, 3, 0x20, 0x01, 0x24, 0x01, 0x30, 0x07 };
	static const uint8_t rep[] = { 0x8e, 0, 0, 0, 6, 'P', 'o', 'w', 'e', 'r', 'F' };
	static const uint8_t req6[] = { 0x0e, 3, 0x20, 0x01, 0x24, 0x01, 0x30, 0x06 };
	static const uint8_t rep6[] = { 0x8e, 0, 0, 0, 0x78, 0x56, 0x34, 0x12 };
	struct harness t;
	struct bytebuf b = { .n = 0 };

	enip_harness(&t, L4_TCP, 44818);
	unit_data(&b, 7, req, sizeof(req));
	unit_data(&b, 8, req6, sizeof(req6));
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, b.b, b.n, NULL), DISS_OK);
	ck_assert_uint_eq(t.st.pdus, 2);
	b.n = 0;
	unit_data(&b, 8, rep6, sizeof(rep6));	/* answered out of order */
	unit_data(&b, 7, rep, sizeof(rep));
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, b.b, b.n, NULL), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_MODEL, "PowerF"));
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_SERIAL, "0x12345678"));
	ck_assert_uint_eq(harness_counter(&t, "cip_identity"), 2);
	harness_free(&t);
}
END_TEST

START_TEST(forward_open_gives_roles)
{
	static const uint8_t req[] = { 0x54, 2, 0x20, 0x06, 0x24, 0x01, 0x0a, 0x0e };
	static const uint8_t rep[] = { 0xd4, 0, 0, 0, 1, 2, 3, 4 };
	struct harness t;
	struct bytebuf b = { .n = 0 };
	size_t il, at;

	enip_harness(&t, L4_TCP, 44818);
	at = rr_begin(&b, 3, &il);
	put_bytes(&b, req, sizeof(req));
	rr_end(&b, at, il);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, b.b, b.n, NULL), DISS_OK);
	b.n = 0;
	at = rr_begin(&b, 3, &il);
	put_bytes(&b, rep, sizeof(rep));
	rr_end(&b, at, il);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, b.b, b.n, NULL), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.1", A_ROLE, R_ENIP_SCANNER));
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_ROLE, R_ENIP_ADAPTER));
	ck_assert_uint_eq(harness_counter(&t, "forward_open"), 1);
	harness_free(&t);
}
END_TEST

START_TEST(stream_waits_for_whole_pdus)
{
	struct harness t;
	struct bytebuf b = { .n = 0 };
	size_t one, left;

	enip_harness(&t, L4_TCP, 44818);
	list_identity_reply(&b, srv_ip);
	one = b.n;
	list_identity_reply(&b, srv_ip);
	/* two whole PDUs and 30 bytes of a third */
	memcpy(b.b + b.n, b.b, 30);
	b.n += 30;
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, b.b, b.n, &left), DISS_OK);
	ck_assert_uint_eq(left, b.n - 2 * one);
	ck_assert_uint_eq(t.st.pdus, 2);
	/* just a partial header: nothing consumed */
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, b.b, 10, &left), DISS_OK);
	ck_assert_uint_eq(left, 10);
	harness_free(&t);
}
END_TEST

START_TEST(malformed_inputs)
{
	struct harness t;
	struct bytebuf b = { .n = 0 };
	size_t at;

	/* short header over UDP */
	enip_harness(&t, L4_UDP, 44818);
	list_identity_reply(&b, srv_ip);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, b.b, 20, NULL), DISS_SHORT);
	/* length claims more than the datagram holds */
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, b.b, b.n - 1, NULL), DISS_SHORT);
	ck_assert_uint_eq(t.col.n, 0);
	harness_free(&t);

	/* not EtherNet/IP at all */
	enip_harness(&t, L4_TCP, 44818);
	memset(b.b, 0x41, 40);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, b.b, 40, NULL), DISS_NOT_MINE);
	harness_free(&t);

	/* item count past the end */
	enip_harness(&t, L4_TCP, 44818);
	b.n = 0;
	at = enc_begin(&b, 0x63, 0);
	put_le16(&b, 5);
	put_le16(&b, 0x0c);
	put_le16(&b, 0);
	enc_end(&b, at);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, b.b, b.n, NULL), DISS_MALFORMED);
	/* item length lying */
	b.n = 0;
	at = enc_begin(&b, 0x63, 0);
	put_le16(&b, 1);
	put_le16(&b, 0x0c);
	put_le16(&b, 200);
	put_le32(&b, 0);
	enc_end(&b, at);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, b.b, b.n, NULL), DISS_MALFORMED);
	/* identity item cut inside the socket address: no facts */
	b.n = 0;
	at = enc_begin(&b, 0x63, 0);
	put_le16(&b, 1);
	put_le16(&b, 0x0c);
	put_le16(&b, 6);
	put_le16(&b, 1);
	put_be16(&b, 2);
	put_be16(&b, 44818);
	enc_end(&b, at);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, b.b, b.n, NULL), DISS_OK);
	ck_assert_uint_eq(t.col.n, 0);
	/* zero-length items and an empty CPF are harmless */
	b.n = 0;
	at = enc_begin(&b, 0x63, 0);
	put_le16(&b, 3);
	for (int i = 0; i < 3; i++) {
		put_le16(&b, 0x0c);
		put_le16(&b, 0);
	}
	enc_end(&b, at);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, b.b, b.n, NULL), DISS_OK);
	ck_assert_uint_eq(t.col.n, 0);
	harness_free(&t);
}
END_TEST

START_TEST(truncated_identity_reply_keeps_what_it_has)
{
	struct harness t;
	struct bytebuf b = { .n = 0 };
	size_t il, at;

	enip_harness(&t, L4_TCP, 44818);
	routed_get_all_request(&b, 0x42, 0);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, b.b, b.n, NULL), DISS_OK);
	b.n = 0;
	at = rr_begin(&b, 0x42, &il);
	put_u8(&b, 0x81); put_u8(&b, 0); put_u8(&b, 0); put_u8(&b, 0);
	put_le16(&b, 1); put_le16(&b, 14); put_le16(&b, 54); put_u8(&b, 20); put_u8(&b, 11);
	put_le16(&b, 0); put_le32(&b, 0x01020304);
	put_u8(&b, 40);		/* product name length lies */
	put_bytes(&b, "1756", 4);
	rr_end(&b, at, il);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, b.b, b.n, NULL), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, "10.0.0.2", A_FIRMWARE, "20.11"));
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_MODEL, NULL));
	harness_free(&t);
}
END_TEST

START_TEST(io_port_is_counted)
{
	static const uint8_t io[] = { 2, 0, 0x02, 0x80, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8 };
	struct harness t;
	size_t left;

	enip_harness(&t, L4_UDP, 2222);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, io, sizeof(io), &left), DISS_OK);
	ck_assert_uint_eq(left, 0);
	ck_assert_uint_eq(harness_counter(&t, "io_packets"), 1);
	ck_assert_uint_eq(t.st.pdus, 1);
	harness_free(&t);
}
END_TEST

START_TEST(probe_accepts_only_encapsulation)
{
	struct bytebuf b = { .n = 0 };
	struct cur c;

	list_identity_reply(&b, srv_ip);
	c = cur_make(b.b, b.n);
	ck_assert(dis_enip.probe(&c, DIR_S2C));
	c = cur_make(b.b, b.n - 1);
	ck_assert(!dis_enip.probe(&c, DIR_S2C));
	/* the header's length must be the payload's, not just fit in it */
	put_u8(&b, 0);
	c = cur_make(b.b, b.n);
	ck_assert(!dis_enip.probe(&c, DIR_S2C));
	b.n--;
	b.b[2]--;			/* claims one byte less than there is */
	c = cur_make(b.b, b.n);
	ck_assert(!dis_enip.probe(&c, DIR_S2C));
	b.b[2] += 2;			/* one byte more */
	c = cur_make(b.b, b.n);
	ck_assert(!dis_enip.probe(&c, DIR_S2C));
	b.b[2]--;
	c = cur_make(b.b, b.n);
	ck_assert(dis_enip.probe(&c, DIR_S2C));
	b.b[0] = 0x99;
	c = cur_make(b.b, b.n);
	ck_assert(!dis_enip.probe(&c, DIR_S2C));
}
END_TEST

/* --- real captures --------------------------------------------------------- */

/*
 * The expected files give a ListIdentity revision as "minor.major": the
 * 1756-ENBT/A with serial 0x0051aec3 is "7.4" from ListIdentity but "4.7"
 * from its own Get_Attributes_All in the same capture, and tshark shows
 * the enip_test bytes 04 03 as "Revision: 4.03".  The identity layout is
 * major then minor (USINT, USINT), so the ListIdentity value is compared
 * with its two parts exchanged.
 */
static void
swap_revision(const char *in, char *out, size_t outsz)
{
	unsigned a, b;

	ck_assert_int_eq(sscanf(in, "%u.%u", &a, &b), 2);
	snprintf(out, outsz, "%u.%u", b, a);
}

static void
check_identity_list(const struct collected *c, json_t *list, const char *what)
{
	size_t i;
	json_t *e;

	ck_assert_msg(json_array_size(list) > 0, "%s: nothing expected", what);
	json_array_foreach(list, i, e) {
		const char *ip = json_string_value(json_object_get(e, "ip"));
		char v[64];

		ck_assert_ptr_nonnull(ip);
		ck_assert_msg(find_fact(c, ip, A_MODEL,
		    json_string_value(json_object_get(e, "product_name"))),
		    "%s %zu: model %s on %s", what, i,
		    json_string_value(json_object_get(e, "product_name")), ip);
		snprintf(v, sizeof(v), "cip:%lld", json_integer_value(json_object_get(e, "vendor_id")));
		ck_assert_msg(find_fact(c, ip, A_VENDOR_ID, v), "%s %zu: %s", what, i, v);
		snprintf(v, sizeof(v), "cip:%lld", json_integer_value(json_object_get(e, "device_type")));
		ck_assert_msg(find_fact(c, ip, A_DEVICE_TYPE, v), "%s %zu: %s", what, i, v);
		snprintf(v, sizeof(v), "%lld", json_integer_value(json_object_get(e, "product_code")));
		ck_assert_msg(find_fact(c, ip, A_PRODUCT_CODE, v), "%s %zu: %s", what, i, v);
		snprintf(v, sizeof(v), "%s", json_string_value(json_object_get(e, "revision")));
		if (strcmp(what, "list_identity") == 0)
			swap_revision(json_string_value(json_object_get(e, "revision")), v, sizeof(v));
		ck_assert_msg(find_fact(c, ip, A_FIRMWARE, v), "%s %zu: rev %s", what, i, v);
		ck_assert_msg(find_fact(c, ip, A_SERIAL,
		    json_string_value(json_object_get(e, "serial"))), "%s %zu: serial", what, i);
	}
}

static void
check_capture(const char *rel)
{
	struct collected c;
	json_t *exp = load_expected(rel), *facts = json_object_get(exp, "facts");
	json_t *li = json_object_get(facts, "enip_list_identity");
	json_t *cip = json_object_get(facts, "cip_identity");

	collected_init(&c);
	ck_assert_int_gt(run_pcap(shared_pcap(rel), &c, NULL), 0);
	ck_assert(li || cip);
	if (li)
		check_identity_list(&c, li, "list_identity");
	if (cip)
		check_identity_list(&c, cip, "cip_identity");
	if (li) {
		size_t i;
		json_t *e;

		json_array_foreach(li, i, e) {
			const char *ip = json_string_value(json_object_get(e, "ip"));
			const struct cobs *o = find_fact(&c, ip, A_MODEL,
			    json_string_value(json_object_get(e, "product_name")));

			char vid[32];

			ck_assert_ptr_nonnull(o);
			snprintf(vid, sizeof(vid), "cip:%lld",
			    (long long)json_integer_value(json_object_get(e, "vendor_id")));
			ck_assert_ptr_nonnull(find_fact(&c, ip, A_VENDOR_ID, vid));
		}
	}
	json_decref(exp);
	collected_free(&c);
}

/* --- operations -------------------------------------------------------------- */

/* SendRRData carrying one CIP message (request or reply) as unconnected data. */
static void
rr_msg(struct bytebuf *b, uint8_t ctx, const uint8_t *msg, size_t n)
{
	size_t il, at = rr_begin(b, ctx, &il);

	put_bytes(b, msg, n);
	rr_end(b, at, il);
}

/* Unconnected_Send (to the connection manager) wrapping one request. */
static void
unconnected_send_msg(struct bytebuf *b, uint8_t ctx, const uint8_t *emb, size_t n)
{
	size_t il, at = rr_begin(b, ctx, &il);
	static const uint8_t cm_path[] = { 0x20, 0x06, 0x24, 0x01 };

	put_u8(b, 0x52);
	put_u8(b, 2);
	put_bytes(b, cm_path, sizeof(cm_path));
	put_u8(b, 0x06);
	put_u8(b, 0x9a);
	put_le16(b, (unsigned)n);
	put_bytes(b, emb, n);
	if (n & 1)
		put_u8(b, 0);
	put_u8(b, 1);
	put_u8(b, 0);
	put_u8(b, 0x01);
	put_u8(b, 0);
	rr_end(b, at, il);
}

START_TEST(set_attribute_on_tcpip_names_the_address)
{
	/* Set_Attribute_Single TCP/IP interface (0xf5) inst 1 attr 5: 192.168.1.50/24 gw .1 */
	static const uint8_t set[] = { 0x10, 3, 0x20, 0xf5, 0x24, 0x01, 0x30, 0x05,
	    0x32, 0x01, 0xa8, 0xc0, 0x00, 0xff, 0xff, 0xff, 0x01, 0x01, 0xa8, 0xc0,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t ok[] = { 0x90, 0, 0, 0 };
	static const uint8_t refused[] = { 0x90, 0, 0x0c, 0 };	/* object state conflict */
	struct harness t;
	struct bytebuf b = { .n = 0 };
	struct op_sum sum;

	enip_harness(&t, L4_TCP, 44818);
	unconnected_send_msg(&b, 0x21, set, sizeof(set));
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, b.b, b.n, NULL), DISS_OK);
	b.n = 0;
	rr_msg(&b, 0x21, ok, sizeof(ok));
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, b.b, b.n, NULL), DISS_OK);
	op_sum(&t.col, "enip", OP_CONFIG_CHANGE, "10.0.0.1", "10.0.0.2", &sum);
	ck_assert_uint_eq(sum.requests, 1);
	ck_assert_uint_eq(sum.ok, 1);
	ck_assert_str_eq(sum.details, "Set_Attribute_Single TCP/IP interface (0xf5) attr 5 "
	    "(interface configuration) ip 192.168.1.50 mask 255.255.255.0 gateway 192.168.1.1");
	/* the same, refused: the general status is the outcome */
	b.n = 0;
	unconnected_send_msg(&b, 0x22, set, sizeof(set));
	harness_parse(&t, DIR_C2S, b.b, b.n, NULL);
	b.n = 0;
	rr_msg(&b, 0x22, refused, sizeof(refused));
	harness_parse(&t, DIR_S2C, b.b, b.n, NULL);
	op_sum(&t.col, "enip", OP_CONFIG_CHANGE, "10.0.0.1", "10.0.0.2", &sum);
	ck_assert_uint_eq(sum.requests, 2);
	ck_assert_uint_eq(sum.failed, 1);
	harness_free(&t);
}
END_TEST

START_TEST(identity_reset_and_refusal)
{
	static const uint8_t reset[] = { 0x05, 2, 0x20, 0x01, 0x24, 0x01, 0x00 };
	static const uint8_t factory[] = { 0x05, 2, 0x20, 0x01, 0x24, 0x01, 0x01 };
	static const uint8_t unsupported[] = { 0x85, 0, 0x08, 0 };
	struct harness t;
	struct bytebuf b = { .n = 0 };
	struct op_sum sum;

	enip_harness(&t, L4_TCP, 44818);
	rr_msg(&b, 0x31, reset, sizeof(reset));
	harness_parse(&t, DIR_C2S, b.b, b.n, NULL);
	b.n = 0;
	rr_msg(&b, 0x31, unsupported, sizeof(unsupported));
	harness_parse(&t, DIR_S2C, b.b, b.n, NULL);
	op_sum(&t.col, "enip", OP_RESTART_COLD, "10.0.0.1", "10.0.0.2", &sum);
	ck_assert_uint_eq(sum.requests, 1);
	ck_assert_uint_eq(sum.failed, 1);
	ck_assert_str_eq(sum.details, "Identity Reset type 0 (power cycle)");
	b.n = 0;
	rr_msg(&b, 0x32, factory, sizeof(factory));
	harness_parse(&t, DIR_C2S, b.b, b.n, NULL);
	op_sum(&t.col, "enip", OP_RESTART_COLD, "10.0.0.1", "10.0.0.2", &sum);
	ck_assert_uint_eq(sum.requests, 2);
	ck_assert_uint_eq(sum.failed, 1);		/* the second is unanswered: unknown */
	ck_assert_str_eq(sum.details, "Identity Reset type 0 (power cycle); "
	    "Identity Reset type 1 (factory defaults)");
	harness_free(&t);
}
END_TEST

/*
 * A reply answers the request of its context only if its service is the
 * request's | 0x80: an Identity Reset (0x05) answered by a
 * Get_Attribute_Single reply (0x8e) has no outcome; two answered by 0x85
 * succeed.
 */
START_TEST(reply_pairs_only_with_its_own_service)
{
	static const uint8_t reset[] = { 0x05, 2, 0x20, 0x01, 0x24, 0x01, 0x00 };
	static const uint8_t other[] = { 0x8e, 0, 0, 0 };
	static const uint8_t done[] = { 0x85, 0, 0, 0 };
	const uint8_t *reply[] = { other, done, done };
	struct harness t;
	struct bytebuf b = { .n = 0 };
	struct op_sum sum;

	enip_harness(&t, L4_TCP, 44818);
	for (unsigned i = 0; i < 3; i++) {
		b.n = 0;
		rr_msg(&b, (uint8_t)(0x41 + i), reset, sizeof(reset));
		harness_parse(&t, DIR_C2S, b.b, b.n, NULL);
		b.n = 0;
		rr_msg(&b, (uint8_t)(0x41 + i), reply[i], 4);
		harness_parse(&t, DIR_S2C, b.b, b.n, NULL);
	}
	op_sum(&t.col, "enip", OP_RESTART_COLD, "10.0.0.1", "10.0.0.2", &sum);
	ck_assert_uint_eq(sum.requests, 3);
	ck_assert_uint_eq(sum.ok, 2);
	ck_assert_uint_eq(sum.failed, 0);
	harness_free(&t);
}
END_TEST

START_TEST(time_set_inside_multiple_service_packet)
{
	/* Multiple_Service_Packet: Get_Attribute_List 0x8b, Set_Attribute_List 0x8b attr 6 */
	static const uint8_t msp[] = { 0x0a, 2, 0x20, 0x02, 0x24, 0x01,
	    0x02, 0x00, 0x06, 0x00, 0x10, 0x00,
	    0x03, 0x02, 0x20, 0x8b, 0x24, 0x01, 0x01, 0x00, 0x06, 0x00,
	    0x04, 0x02, 0x20, 0x8b, 0x24, 0x01, 0x01, 0x00, 0x06, 0x00,
	    0xc0, 0x32, 0x5c, 0xff, 0xf3, 0x59, 0x04, 0x00 };
	/* offsets past the end and an odd count: nothing, no crash */
	static const uint8_t lying[] = { 0x0a, 2, 0x20, 0x02, 0x24, 0x01,
	    0xff, 0x7f, 0x40, 0x00, 0xf0, 0xff, 0x04, 0x02 };
	static const uint8_t reply[] = { 0x8a, 0, 0, 0, 0x02, 0x00 };
	struct harness t;
	struct bytebuf b = { .n = 0 };
	struct op_sum sum;

	enip_harness(&t, L4_TCP, 44818);
	unit_data(&b, 7, msp, sizeof(msp));
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, b.b, b.n, NULL), DISS_OK);
	b.n = 0;
	unit_data(&b, 7, reply, sizeof(reply));
	harness_parse(&t, DIR_S2C, b.b, b.n, NULL);
	op_sum(&t.col, "enip", OP_TIME_SET, "10.0.0.1", "10.0.0.2", &sum);
	ck_assert_uint_eq(sum.requests, 1);
	ck_assert_uint_eq(sum.ok, 1);
	ck_assert_str_eq(sum.details, "Set_Attribute_List Wall clock time (0x8b) attr 6");
	ck_assert_uint_eq(op_count(&t.col, "enip", OP_REQUEST), 1);
	b.n = 0;
	unit_data(&b, 8, lying, sizeof(lying));
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, b.b, b.n, NULL), DISS_OK);
	ck_assert_uint_eq(op_count(&t.col, "enip", OP_REQUEST), 1);
	harness_free(&t);
}
END_TEST

/* Two Set_Attribute_Single in one packet: each embedded reply gives its own outcome. */
START_TEST(multiple_service_packet_outcomes_per_request)
{
	static const uint8_t msp[] = { 0x0a, 2, 0x20, 0x02, 0x24, 0x01,
	    0x02, 0x00, 0x06, 0x00, 0x10, 0x00,
	    0x10, 0x03, 0x20, 0xf5, 0x24, 0x01, 0x30, 0x06, 0x00, 0x00,	/* host name "" */
	    0x10, 0x03, 0x20, 0x8b, 0x24, 0x01, 0x30, 0x06,
	    0xc0, 0x32, 0x5c, 0xff, 0xf3, 0x59, 0x04, 0x00 };
	/* embedded error (0x1e), first reply ok, second privilege violation (0x0f) */
	static const uint8_t reply[] = { 0x8a, 0, 0x1e, 0, 0x02, 0x00, 0x06, 0x00, 0x0a, 0x00,
	    0x90, 0, 0, 0, 0x90, 0, 0x0f, 0 };
	struct harness t;
	struct bytebuf b = { .n = 0 };
	struct op_sum cfg, tim;

	enip_harness(&t, L4_TCP, 44818);
	unit_data(&b, 9, msp, sizeof(msp));
	harness_parse(&t, DIR_C2S, b.b, b.n, NULL);
	b.n = 0;
	unit_data(&b, 9, reply, sizeof(reply));
	harness_parse(&t, DIR_S2C, b.b, b.n, NULL);
	op_sum(&t.col, "enip", OP_CONFIG_CHANGE, "10.0.0.1", "10.0.0.2", &cfg);
	op_sum(&t.col, "enip", OP_TIME_SET, "10.0.0.1", "10.0.0.2", &tim);
	ck_assert_uint_eq(cfg.requests, 1);
	ck_assert_uint_eq(cfg.ok, 1);
	ck_assert_uint_eq(tim.requests, 1);
	ck_assert_uint_eq(tim.failed, 1);
	ck_assert_str_eq(cfg.details, "Set_Attribute_Single TCP/IP interface (0xf5) attr 6 (host name)");
	harness_free(&t);
}
END_TEST

START_TEST(reads_forward_open_and_orphan_replies_are_no_operations)
{
	static const uint8_t get[] = { 0x0e, 3, 0x20, 0xf5, 0x24, 0x01, 0x30, 0x05 };
	static const uint8_t orphan[] = { 0x90, 0, 0, 0 };
	static const uint8_t stop_other[] = { 0x07, 2, 0x20, 0x05, 0x24, 0x01 };	/* connection object */
	struct harness t;
	struct bytebuf b = { .n = 0 };

	enip_harness(&t, L4_TCP, 44818);
	rr_msg(&b, 0x41, get, sizeof(get));
	harness_parse(&t, DIR_C2S, b.b, b.n, NULL);
	b.n = 0;
	rr_msg(&b, 0x42, stop_other, sizeof(stop_other));
	harness_parse(&t, DIR_C2S, b.b, b.n, NULL);
	b.n = 0;
	rr_msg(&b, 0x55, orphan, sizeof(orphan));
	harness_parse(&t, DIR_S2C, b.b, b.n, NULL);
	ck_assert_uint_eq(harness_counter(&t, "unmatched_replies"), 1);
	for (size_t i = 0; i < t.col.n; i++)
		ck_assert_int_ne(t.col.v[i].kind, OBS_OP);
	harness_free(&t);
}
END_TEST

/* 1000 unanswered connected Set_Attribute_Single: bounded table, drops counted. */
START_TEST(request_flood_is_bounded)
{
	static const uint8_t set[] = { 0x10, 3, 0x20, 0xf6, 0x24, 0x01, 0x30, 0x06, 0x02, 0x00 };
	static const uint8_t ok[] = { 0x90, 0, 0, 0 };
	struct harness t;
	struct bytebuf b = { .n = 0 };
	struct op_sum sum;

	enip_harness(&t, L4_TCP, 44818);
	for (unsigned i = 0; i < 1000; i++) {
		b.n = 0;
		unit_data(&b, (uint16_t)i, set, sizeof(set));
		ck_assert_int_eq(harness_parse(&t, DIR_C2S, b.b, b.n, NULL), DISS_OK);
	}
	ck_assert_uint_eq(harness_counter(&t, "ops"), 1000);
	ck_assert_uint_eq(harness_counter(&t, "ops_dropped"), 1000 - ENIP_MAX_PENDING);
	b.n = 0;
	unit_data(&b, 999, ok, sizeof(ok));
	harness_parse(&t, DIR_S2C, b.b, b.n, NULL);
	b.n = 0;
	unit_data(&b, 0, ok, sizeof(ok));
	harness_parse(&t, DIR_S2C, b.b, b.n, NULL);
	op_sum(&t.col, "enip", OP_CONFIG_CHANGE, "10.0.0.1", "10.0.0.2", &sum);
	ck_assert_uint_eq(sum.requests, 1000);
	ck_assert_uint_eq(sum.ok, 1);
	ck_assert_str_eq(sum.details, "Set_Attribute_Single Ethernet link (0xf6) attr 6 (interface control)");
	harness_free(&t);
}
END_TEST

static void
check_operations(const char *rel)
{
	struct collected c;

	collected_init(&c);
	ck_assert_int_gt(run_pcap(shared_pcap(rel), &c, NULL), 0);
	ck_assert_uint_ge(assert_ops_match_facts(&c, rel, "cip", "enip"), 1);
	collected_free(&c);
}

START_TEST(pcap_change_time)
{
	check_operations("operations/iti__EIP-ChangeTimeAttempt.pcap");
}
END_TEST

START_TEST(pcap_lock_plc)
{
	struct collected c;
	struct op_sum lock, unlock;

	check_operations("operations/iti__EIP-LockPLCAttempt.pcap");
	collected_init(&c);
	run_pcap(shared_pcap("operations/iti__EIP-LockPLCAttempt.pcap"), &c, NULL);
	op_sum(&c, "enip", OP_LOCK, "192.168.10.105", "192.168.10.120", &lock);
	op_sum(&c, "enip", OP_UNLOCK, "192.168.10.105", "192.168.10.120", &unlock);
	ck_assert_uint_eq(lock.requests, 3);
	ck_assert_uint_eq(unlock.requests, 3);
	collected_free(&c);
}
END_TEST

START_TEST(pcap_stop_plc)
{
	check_operations("operations/iti__cip_stop_plc.pcap");
}
END_TEST

START_TEST(pcap_enip_test)
{
	check_capture("enip/iti__enip_test.pcap");
}
END_TEST

START_TEST(pcap_ip_address_change)
{
	check_capture("enip/iti__EIP-IPAddressChangeAttempt.pcap");
}
END_TEST

START_TEST(pcap_software_upload)
{
	struct collected c;
	const struct cobs *o;

	check_capture("enip/iti__EIP-SoftwareUpload.pcap");
	/* the controller is reached through a backplane slot */
	collected_init(&c);
	ck_assert_int_gt(run_pcap(shared_pcap("enip/iti__EIP-SoftwareUpload.pcap"), &c, NULL), 0);
	o = find_fact(&c, "192.168.10.120", A_MODEL, "1756-L61/B LOGIX5561");
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->src, "cip/identity/slot 0");
	ck_assert_ptr_nonnull(find_fact(&c, "192.168.10.120", A_ROLE, R_PLC));
	collected_free(&c);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("enip");
	TCase *u = tcase_create("unit"), *p = tcase_create("pcap");

	tcase_add_checked_fixture(u, vendor_ids_setup, vendor_ids_teardown);
	tcase_add_test(u, list_identity_reply_gives_identity);
	tcase_add_test(u, list_identity_other_socket_address_is_noted);
	tcase_add_test(u, unknown_vendor_stays_a_number);
	tcase_add_test(u, routed_get_attributes_all_names_the_slot);
	tcase_add_test(u, reply_to_other_class_is_not_identity);
	tcase_add_test(u, reply_without_request_is_counted_not_trusted);
	tcase_add_test(u, connected_get_attribute_single);
	tcase_add_test(u, forward_open_gives_roles);
	tcase_add_test(u, stream_waits_for_whole_pdus);
	tcase_add_test(u, malformed_inputs);
	tcase_add_test(u, truncated_identity_reply_keeps_what_it_has);
	tcase_add_test(u, io_port_is_counted);
	tcase_add_test(u, probe_accepts_only_encapsulation);
	tcase_add_test(u, set_attribute_on_tcpip_names_the_address);
	tcase_add_test(u, identity_reset_and_refusal);
	tcase_add_test(u, reply_pairs_only_with_its_own_service);
	tcase_add_test(u, time_set_inside_multiple_service_packet);
	tcase_add_test(u, multiple_service_packet_outcomes_per_request);
	tcase_add_test(u, reads_forward_open_and_orphan_replies_are_no_operations);
	tcase_add_test(u, request_flood_is_bounded);
	suite_add_tcase(s, u);
	tcase_add_checked_fixture(p, vendor_ids_setup, vendor_ids_teardown);
	tcase_add_test(p, pcap_enip_test);
	tcase_add_test(p, pcap_ip_address_change);
	tcase_add_test(p, pcap_software_upload);
	tcase_add_test(p, pcap_change_time);
	tcase_add_test(p, pcap_lock_plc);
	tcase_add_test(p, pcap_stop_plc);
	suite_add_tcase(s, p);
	return s;
}
