/*
 * test_http.c - HTTP/1.x dissector: header blocks split over
 * segments, bodies skipped, <title>, malformed blocks, and the shared
 * captures (http/) against their expected Server / User-Agent facts (two of
 * them state the Server of SSDP answers, found by the SSDP dissector).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "dissector.h"
#include "sw_limits.h"

extern const struct dissector dis_http;

enum { HTTP_REQUESTS, HTTP_RESPONSES, HTTP_TITLES, HTTP_GIVEUP };

/* Parse bytes; returns rc and how many bytes were left unconsumed. */
static const char req[] =
    "GET /index.html HTTP/1.1\r\nHost: plc\r\nUser-Agent: Mozilla/5.0 (X11)\r\n"
    "Accept: */*\r\n\r\n";

START_TEST(request_split_over_segments)
{
	struct harness t;
	size_t left, cut = 30;

	harness_init(&t, &dis_http);
	/* first part: the block is incomplete, nothing consumed, no fact */
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, req, cut, &left), DISS_OK);
	ck_assert_uint_eq(left, cut);
	ck_assert_ptr_null(find_fact_src(&t.col, NULL, A_SOFTWARE, NULL, "http/user-agent"));
	/* the stream hands the whole block again, extended */
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, req, strlen(req), &left), DISS_OK);
	ck_assert_uint_eq(left, 0);
	ck_assert_str_eq(find_fact_src(&t.col, NULL, A_SOFTWARE, NULL, "http/user-agent")->val,
	    "Mozilla/5.0 (X11)");
	ck_assert_uint_eq(t.st.counters[HTTP_REQUESTS], 1);
	harness_free(&t);
}
END_TEST

START_TEST(request_host_and_absolute_uri)
{
	static const char two[] =
	    "GET /pv HTTP/1.1\r\nHost: eu5.fusionsolar.huawei.com:8443\r\n\r\n"
	    "GET http://user@download.windowsupdate.com/msdownload/x.cab HTTP/1.1\r\n"
	    "Host: proxy.local\r\n\r\n";
	struct harness t;
	size_t left;

	harness_init(&t, &dis_http);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, two, strlen(two), &left), DISS_OK);
	ck_assert_uint_eq(left, 0);
	ck_assert_ptr_nonnull(find_fact_src(&t.col, NULL, A_HTTP_HOST,
	    "eu5.fusionsolar.huawei.com", "http/host"));
	ck_assert_ptr_nonnull(find_fact_src(&t.col, NULL, A_HTTP_HOST,
	    "eu5.fusionsolar.huawei.com", "http/served_host"));
	ck_assert_ptr_nonnull(find_fact_src(&t.col, NULL, A_HTTP_HOST,
	    "download.windowsupdate.com", "http/absolute_uri"));
	ck_assert_ptr_nonnull(find_fact_src(&t.col, NULL, A_HTTP_HOST, "proxy.local", "http/host"));
	/* a response's Host header (there is none by the spec) names nothing */
	harness_free(&t);
	harness_init(&t, &dis_http);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, "HTTP/1.1 200 OK\r\nHost: x\r\n\r\n",
	    strlen("HTTP/1.1 200 OK\r\nHost: x\r\n\r\n"),
	    &left), DISS_OK);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_HTTP_HOST, NULL));
	harness_free(&t);
}
END_TEST

START_TEST(response_server_realm_title_then_next)
{
	static const char body[] =
	    "<html><head><TITLE> SIMATIC S7-1200 </TITLE></head><body>x</body></html>";
	char resp[1024];
	struct harness t;
	size_t left;
	int n;

	harness_init(&t, &dis_http);
	n = snprintf(resp, sizeof(resp),
	    "HTTP/1.1 401 Unauthorized\r\nServer: Siemens, SIMATIC S7-1200\r\n"
	    "X-Powered-By: PHP/7.4\r\n"
	    "WWW-Authenticate: Basic realm=\"DS-2CD2142FWD-I\"\r\n"
	    "Content-Type: text/html; charset=utf-8\r\nContent-Length: %zu\r\n\r\n%s"
	    "HTTP/1.1 304 Not Modified\r\nServer: second\r\n\r\n", strlen(body), body);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, resp, (size_t)n, &left), DISS_OK);
	ck_assert_uint_eq(left, 0);
	ck_assert_str_eq(find_fact_src(&t.col, NULL, A_SOFTWARE, NULL, "http/server")->val,
	    "Siemens, SIMATIC S7-1200");
	ck_assert_str_eq(find_fact_src(&t.col, NULL, A_SOFTWARE, NULL, "http/x-powered-by")->val,
	    "PHP/7.4");
	ck_assert_str_eq(find_fact_src(&t.col, NULL, A_DESCRIPTION, NULL, "http/realm")->val,
	    "DS-2CD2142FWD-I");
	ck_assert_str_eq(find_fact_src(&t.col, NULL, A_DESCRIPTION, NULL, "http/title")->val,
	    "SIMATIC S7-1200");
	/* the 304 after the skipped body was parsed as a message of its own */
	ck_assert_ptr_nonnull(find_fact(&t.col, NULL, A_SOFTWARE, "second"));
	ck_assert_uint_eq(t.st.counters[HTTP_RESPONSES], 2);
	harness_free(&t);
}
END_TEST

START_TEST(body_skipped_across_calls)
{
	static const char h[] = "POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\n01234";
	static const char rest[] = "56789GET / HTTP/1.0\r\nUser-Agent: next\r\n\r\n";
	struct harness t;
	size_t left;

	harness_init(&t, &dis_http);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, h, strlen(h), &left), DISS_OK);
	ck_assert_uint_eq(left, 0);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, rest, strlen(rest), &left), DISS_OK);
	ck_assert_uint_eq(left, 0);
	ck_assert_ptr_nonnull(find_fact(&t.col, NULL, A_SOFTWARE, "next"));
	/* body bytes "56789GET" were not taken for a request line */
	ck_assert_uint_eq(t.st.counters[HTTP_REQUESTS], 2);
	harness_free(&t);
}
END_TEST

START_TEST(chunked_body_stops_looking)
{
	static const char r[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	    "Content-Type: application/json\r\n\r\n5\r\nServer: fake\r\n";
	struct harness t;
	size_t left;

	harness_init(&t, &dis_http);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, r, strlen(r), &left), DISS_OK);
	ck_assert_uint_eq(left, 0);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_SOFTWARE, "fake"));
	harness_free(&t);
}
END_TEST

START_TEST(malformed_blocks)
{
	char *big;
	struct harness t;
	size_t left;

	/* not HTTP at all: not mine */
	harness_init(&t, &dis_http);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, "HELLO\r\n\r\n", 9, &left), DISS_NOT_MINE);
	harness_free(&t);

	/* a header block that never ends, beyond HTTP_HDR_MAX: given up */
	big = malloc(HTTP_HDR_MAX + 64);
	ck_assert_ptr_nonnull(big);
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	memset(big + 19, 'a', HTTP_HDR_MAX + 64 - 19);
	harness_init(&t, &dis_http);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, big, HTTP_HDR_MAX + 64, &left),
	    DISS_MALFORMED);
	ck_assert_uint_eq(t.st.counters[HTTP_GIVEUP], 1);
	/* the direction is ignored from now on */
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, req, strlen(req), &left), DISS_OK);
	ck_assert_uint_eq(left, 0);
	ck_assert_uint_eq(t.col.n, 0);
	harness_free(&t);
	free(big);

	/* an overlong header line is cut, not overflowed */
	big = malloc(HTTP_LINE_MAX * 3 + 64);
	ck_assert_ptr_nonnull(big);
	int n = snprintf(big, 64, "HTTP/1.1 200 OK\r\nServer: ");
	memset(big + n, 'S', HTTP_LINE_MAX * 2);
	memcpy(big + n + HTTP_LINE_MAX * 2, "\r\n\r\n", 4);
	harness_init(&t, &dis_http);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, big, (size_t)n + HTTP_LINE_MAX * 2 + 4,
	    &left), DISS_OK);
	ck_assert_uint_eq(left, 0);
	ck_assert_uint_gt(strlen(find_fact_src(&t.col, NULL, A_SOFTWARE, NULL, "http/server")->val),
	    100);
	harness_free(&t);
	free(big);
}
END_TEST

START_TEST(probe)
{
	struct cur a = cur_make((const uint8_t *)"GET / HTTP/1.1\r\n", 16);
	struct cur b = cur_make((const uint8_t *)"HTTP/1.0 200 OK\r\n", 17);
	struct cur x = cur_make((const uint8_t *)"\x16\x03\x01\x00", 4);

	ck_assert(dis_http.probe(&a, DIR_C2S));
	ck_assert(dis_http.probe(&b, DIR_S2C));
	ck_assert(!dis_http.probe(&x, DIR_C2S));
}
END_TEST

/* The whole pipeline: a response split across segments, on a port HTTP does not own. */
START_TEST(pipeline_segments_nonstandard_port)
{
	static const char r1[] = "HTTP/1.1 200 OK\r\nSer";
	static const char r2[] = "ver: lighttpd/1.4.35\r\nContent-Length: 0\r\n\r\n";
	struct tcp_conv v;

	tcp_conv_open(&v, "10.0.0.1", "10.0.0.2", 8888);
	tcp_conv_send(&v, DIR_C2S, 0x18, req, strlen(req));
	tcp_conv_send(&v, DIR_S2C, 0x18, r1, strlen(r1));
	tcp_conv_send(&v, DIR_S2C, 0x18, r2, strlen(r2));
	ck_assert_ptr_nonnull(find_fact(&v.col, "10.0.0.2", A_SOFTWARE, "lighttpd/1.4.35"));
	ck_assert_ptr_nonnull(find_fact(&v.col, "10.0.0.1", A_SOFTWARE, "Mozilla/5.0 (X11)"));
	ck_assert_int_eq(pipeline_counter(v.pl, "http.responses"), 1);
	ck_assert_int_eq(pipeline_counter(v.pl, "http.requests"), 1);
	tcp_conv_close(&v);
}
END_TEST

static const char *const captures[] = {
	"http/iti__addroute.pcapng",
	"http/iti__wrapup.pcapng",
	"http/ndpi__http.pcapng",
};

/* Every "ip": ["value", ...] of an expected map is a software fact of that ip. */
static void
check_software(const struct collected *c, json_t *map, const char *cap)
{
	const char *ip;
	json_t *vals, *v;
	size_t i;

	json_object_foreach(map, ip, vals) {
		json_array_foreach(vals, i, v) {
			if (find_fact(c, ip, A_SOFTWARE, json_string_value(v)) == NULL) {
				dump_facts(c);
				ck_abort_msg("%s: no software \"%s\" for %s", cap,
				    json_string_value(v), ip);
			}
		}
	}
}

START_TEST(shared_captures)
{
	const char *cap = captures[_i];
	struct expected_run r;
	json_t *ua;

	expected_run_open(&r, cap, "http_server", false);
	ua = json_object_get(json_object_get(r.exp, "facts"), "http_user_agent");
	check_software(&r.col, r.facts, cap);
	if (ua)
		check_software(&r.col, ua, cap);
	expected_run_close(&r);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("http");

	tcase_add_test(tc, request_split_over_segments);
	tcase_add_test(tc, request_host_and_absolute_uri);
	tcase_add_test(tc, response_server_realm_title_then_next);
	tcase_add_test(tc, body_skipped_across_calls);
	tcase_add_test(tc, chunked_body_stops_looking);
	tcase_add_test(tc, malformed_blocks);
	tcase_add_test(tc, probe);
	tcase_add_test(tc, pipeline_segments_nonstandard_port);
	tcase_add_loop_test(tc, shared_captures, 0,
	    (int)(sizeof(captures) / sizeof(captures[0])));
	suite_add_tcase(s, tc);
	return s;
}
