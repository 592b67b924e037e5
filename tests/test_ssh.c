/*
 * test_ssh.c - SSH identification strings: both sides, lines before the
 * banner, overlong and unterminated lines, and the shared capture against
 * its expected banners.
 */
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "dissector.h"

extern const struct dissector dis_ssh;

START_TEST(both_banners_then_binary)
{
	static const char srv[] = "SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u1\r\n\x00\x00\x01\x14\x0a";
	static const char part[] = "SSH-2.0-PuTTY_Rel";
	static const char cli[] = "SSH-2.0-PuTTY_Release_0.78\r\n";
	struct harness t;
	size_t left;

	harness_init(&t, &dis_ssh);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, srv, sizeof(srv) - 1, &left), DISS_OK);
	ck_assert_uint_eq(left, 0);
	ck_assert_ptr_nonnull(find_fact(&t.col, NULL, A_SOFTWARE,
	    "SSH-2.0-OpenSSH_8.4p1 Debian-5+deb11u1"));
	/* an unterminated line waits, unconsumed */
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, part, strlen(part), &left), DISS_OK);
	ck_assert_uint_eq(left, strlen(part));
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, cli, strlen(cli), &left), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, NULL, A_SOFTWARE, "SSH-2.0-PuTTY_Release_0.78"));
	ck_assert_uint_eq(t.st.counters[0], 2);
	ck_assert_str_eq(t.col.v[0].src, "ssh/banner");
	harness_free(&t);
}
END_TEST

START_TEST(server_lines_before_banner)
{
	static const char srv[] = "Welcome\r\nauthorised use only\nSSH-1.99-Cisco-1.25\r\n";
	struct harness t;
	size_t left;

	harness_init(&t, &dis_ssh);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, srv, strlen(srv), &left), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, NULL, A_SOFTWARE, "SSH-1.99-Cisco-1.25"));
	ck_assert_uint_eq(t.col.n, 1);
	harness_free(&t);
}
END_TEST

START_TEST(malformed)
{
	char big[400];
	struct harness t;
	size_t left;

	memset(big, 'A', sizeof(big));
	memcpy(big, "SSH-2.0-", 8);
	harness_init(&t, &dis_ssh);
	/* no line end within 255 bytes */
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, big, sizeof(big), &left), DISS_MALFORMED);
	/* a client must open with SSH- */
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, "hello\r\n", 7, &left), DISS_MALFORMED);
	ck_assert_uint_eq(t.col.n, 0);
	/* then both directions are ignored */
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, "SSH-2.0-x\r\n", 11, &left), DISS_OK);
	ck_assert_uint_eq(t.col.n, 0);
	harness_free(&t);
	/* too many lines before the banner */
	harness_init(&t, &dis_ssh);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n", 20, &left),
	    DISS_MALFORMED);
	harness_free(&t);
}
END_TEST

START_TEST(probe)
{
	struct cur a = cur_make((const uint8_t *)"SSH-2.0-x\r\n", 11);
	struct cur b = cur_make((const uint8_t *)"GET / HTTP/1.1", 14);

	ck_assert(dis_ssh.probe(&a, DIR_S2C));
	ck_assert(!dis_ssh.probe(&b, DIR_C2S));
}
END_TEST

START_TEST(shared_capture)
{
	static const char cap[] = "ssh/ndpi__ssh.pcap";
	struct expected_run r;
	json_t *b;
	size_t i;

	expected_run_open(&r, cap, "ssh_banners", false);
	json_array_foreach(r.facts, i, b) {
		const char *ip = json_string_value(json_object_get(b, "ip"));
		const char *v = json_string_value(json_object_get(b, "banner"));
		const struct cobs *o = find_fact(&r.col, ip, A_SOFTWARE, v);

		ck_assert_msg(o != NULL, "%s: no banner %s for %s", cap, v, ip);
		ck_assert_str_eq(o->src, "ssh/banner");
	}
	expected_run_close(&r);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("ssh");
	TCase *tc = tcase_create("ssh");

	tcase_add_test(tc, both_banners_then_binary);
	tcase_add_test(tc, server_lines_before_banner);
	tcase_add_test(tc, malformed);
	tcase_add_test(tc, probe);
	tcase_add_test(tc, shared_capture);
	suite_add_tcase(s, tc);
	return s;
}
