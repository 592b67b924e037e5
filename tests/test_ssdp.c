/*
 * test_ssdp.c - SSDP dissector: NOTIFY, M-SEARCH and search responses,
 * malformed datagrams, and the shared captures whose SSDP answers carry
 * the Server strings of their expected facts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "dissector.h"
#include "sw_limits.h"

extern const struct dissector dis_ssdp;

/* Parse bytes; returns rc and how many bytes were left unconsumed. */
START_TEST(ssdp_notify_and_search)
{
	static const char notify[] =
	    "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
	    "LOCATION: http://10.0.0.5:80/desc.xml\r\nNT: upnp:rootdevice\r\n"
	    "NTS: ssdp:alive\r\nSERVER: Linux/3.0 UPnP/1.0 Hikvision/1.0\r\n"
	    "USN: uuid:abcd::upnp:rootdevice\r\n\r\n";
	static const char search[] =
	    "M-SEARCH * HTTP/1.1\r\nST: ssdp:all\r\nUSER-AGENT: Win/10 UPnP/1.1\r\n\r\n";
	struct harness t;
	size_t left;

	harness_init(&t, &dis_ssdp);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, notify, strlen(notify), &left), DISS_OK);
	ck_assert_str_eq(find_fact_src(&t.col, NULL, A_SOFTWARE, NULL, "ssdp/server")->val,
	    "Linux/3.0 UPnP/1.0 Hikvision/1.0");
	ck_assert_str_eq(find_fact_src(&t.col, NULL, A_URL, NULL, "ssdp/location")->val,
	    "http://10.0.0.5:80/desc.xml");
	ck_assert_str_eq(find_fact_src(&t.col, NULL, A_NOTE, NULL, "ssdp/nt")->val,
	    "upnp:rootdevice");
	ck_assert_str_eq(find_fact_src(&t.col, NULL, A_NOTE, NULL, "ssdp/usn")->val,
	    "uuid:abcd::upnp:rootdevice");
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, search, strlen(search), &left), DISS_OK);
	ck_assert_str_eq(find_fact_src(&t.col, NULL, A_SOFTWARE, NULL, "ssdp/user-agent")->val,
	    "Win/10 UPnP/1.1");
	/* the searched-for type is not a fact about the searcher */
	ck_assert_ptr_null(find_fact_src(&t.col, NULL, A_NOTE, NULL, "ssdp/st"));
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, "garbage", 7, &left), DISS_NOT_MINE);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, "NOTIFY * HTTP/1.1", 17, &left), DISS_OK);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, "NOTIFY\r\n\r\n", 10, &left), DISS_NOT_MINE);
	harness_free(&t);
}
END_TEST

START_TEST(ssdp_response_and_limits)
{
	static const char resp[] = "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\n"
	    "ST: urn:schemas-upnp-org:device:Basic:1\r\nSERVER: WindRiver/5 UPnP/1.0 X/1\r\n\r\n";
	char *many;
	struct harness t;
	size_t left, n = 0;

	harness_init(&t, &dis_ssdp);
	ck_assert_int_eq(harness_parse(&t, DIR_S2C, resp, strlen(resp), &left), DISS_OK);
	ck_assert_uint_eq(left, 0);
	ck_assert_str_eq(find_fact_src(&t.col, NULL, A_NOTE, NULL, "ssdp/st")->val,
	    "urn:schemas-upnp-org:device:Basic:1");
	ck_assert_str_eq(find_fact_src(&t.col, NULL, A_SOFTWARE, NULL, "ssdp/server")->val,
	    "WindRiver/5 UPnP/1.0 X/1");
	ck_assert_uint_eq(t.st.counters[2], 1);
	harness_free(&t);

	/* more header lines than HTTP_MAX_HEADERS */
	many = malloc(32 + HTTP_MAX_HEADERS * 8);
	ck_assert_ptr_nonnull(many);
	n = (size_t)sprintf(many, "NOTIFY * HTTP/1.1\r\n");
	for (int i = 0; i < HTTP_MAX_HEADERS + 2; i++)
		n += (size_t)sprintf(many + n, "A: b\r\n");
	harness_init(&t, &dis_ssdp);
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, many, n, &left), DISS_MALFORMED);
	harness_free(&t);
	free(many);

	/* probe: requests only */
	struct cur a = cur_make((const uint8_t *)"M-SEARCH * HTTP/1.1", 19);
	struct cur r = cur_make((const uint8_t *)"HTTP/1.1 200 OK", 15);
	ck_assert(dis_ssdp.probe(&a, DIR_C2S));
	ck_assert(!dis_ssdp.probe(&r, DIR_C2S));
}
END_TEST

static const char *const captures[] = {
	"http/iti__addroute.pcapng",
	"http/iti__wrapup.pcapng",
};

/* These captures' expected http_server values come from SSDP (HTTPU) answers. */
START_TEST(shared_captures)
{
	const char *cap = captures[_i];
	struct expected_run r;
	json_t *vals, *v;
	const char *ip;
	size_t i;

	expected_run_open(&r, cap, "http_server", true);
	json_object_foreach(r.facts, ip, vals) {
		json_array_foreach(vals, i, v) {
			const struct cobs *o = find_fact(&r.col, ip, A_SOFTWARE, json_string_value(v));

			ck_assert_msg(o != NULL, "%s: no SSDP server %s for %s", cap,
			    json_string_value(v), ip);
			ck_assert_str_eq(o->src, "ssdp/server");
		}
	}
	ck_assert_int_gt(pipeline_counter(r.pl, "ssdp.pdus"), 0);
	ck_assert_int_eq(pipeline_counter(r.pl, "ssdp.malformed"), 0);
	expected_run_close(&r);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("ssdp");
	TCase *tc = tcase_create("ssdp");

	tcase_add_test(tc, ssdp_notify_and_search);
	tcase_add_test(tc, ssdp_response_and_limits);
	tcase_add_loop_test(tc, shared_captures, 0,
	    (int)(sizeof(captures) / sizeof(captures[0])));
	suite_add_tcase(s, tc);
	return s;
}
