/*
 * test_events.c - operations summed in the capture path (packet/opagg.c)
 * and events in the store (store/events.c): one event per burst with its
 * count, details bounded, replies without requests, change events once
 * per value, the learning period and its end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "support.h"
#include "store_support.h"
#include "events.h"
#include "obsq.h"
#include "opagg.h"
#include "store.h"

static struct store_fx fx;	/* the database, its queue and sink (store_support.h) */

static void setup(void) { store_fx_open(&fx, "events", false); }
static void teardown(void) { store_fx_close(&fx); }
static void flush(void) { store_fx_flush(&fx); }
static long long scalar(const char *sql) { return store_fx_scalar(&fx, sql); }
static const char *text(const char *sql) { return store_fx_text(&fx, sql); }

#define T0	1224804439ull	/* seconds */
#define US	1000000ull

#define CLI_MAC	"00:1d:09:99:b2:2c"
#define SRV_MAC	"00:00:bc:3e:eb:e4"

/* What diss_op hands on: a request (client -> server) or its reply. */
static struct obs
op(enum op_kind k, enum op_phase ph, uint64_t t_us, const char *detail)
{
	struct obs o;

	memset(&o, 0, sizeof(o));
	o.kind = OBS_OP;
	o.ts_us = t_us;
	o.who = asset_ref_of(CLI_MAC, "192.168.10.105");
	o.peer = asset_ref_of(SRV_MAC, "192.168.10.120");
	o.proto = "modbus";
	o.src = "modbus/fc6";
	o.op = (uint8_t)k;
	o.op_phase = (uint8_t)ph;
	o.val = detail;
	o.val_len = detail ? strlen(detail) : 0;
	o.transport = L4_TCP;
	return o;
}

/* A SCADA master writing a register every second: one sum per flush, one event. */
START_TEST(polling_loop_is_one_event_with_its_count)
{
	struct opagg *oa = opagg_new();

	ck_assert_ptr_nonnull(oa);
	for (unsigned i = 0; i < 10000; i++) {
		struct obs req = op(OP_CONTROL_OPERATE, OP_REQUEST, (T0 + i) * US, "unit 1 reg 40001");
		struct obs ok = op(OP_CONTROL_OPERATE, OP_REPLY_OK, (T0 + i) * US + 5000, NULL);

		opagg_add(oa, &req, &fx.sink);
		opagg_add(oa, &ok, &fx.sink);
		if (i % 1000 == 999) {		/* a flush every 1000 s of traffic */
			opagg_drain(oa, &fx.sink);
			ck_assert_uint_le(obsq_len(fx.q), 2);	/* one sum per phase, not a PDU each */
			flush();
		}
	}
	ck_assert_uint_eq(opagg_stats(oa)->added, 20000);
	ck_assert_uint_eq(opagg_stats(oa)->direct, 0);
	ck_assert_int_eq(scalar("SELECT count(*) FROM events WHERE kind = 'operation'"), 1);
	ck_assert_int_eq(scalar("SELECT count FROM events WHERE kind = 'operation'"), 10000);
	ck_assert_int_eq(scalar("SELECT responses FROM events WHERE kind = 'operation'"), 10000);
	ck_assert_int_eq(scalar("SELECT ts FROM events WHERE kind = 'operation'"), (long long)T0);
	ck_assert_int_eq(scalar("SELECT last_ts FROM events WHERE kind = 'operation'"), (long long)T0 + 9999);
	ck_assert_str_eq(text("SELECT detail FROM events WHERE kind = 'operation'"), "unit 1 reg 40001");
	ck_assert_str_eq(text("SELECT client_ip || ' ' || server_mac FROM events WHERE kind = 'operation'"),
	    "192.168.10.105 " SRV_MAC);
	ck_assert_int_eq(scalar("SELECT baseline FROM events WHERE kind = 'operation'"), 0);
	/* after OP_BURST_GAP_S of silence the next write is a new event */
	{
		struct obs req = op(OP_CONTROL_OPERATE, OP_REQUEST, (T0 + 9999 + OP_BURST_GAP_S + 1) * US, "x");

		opagg_add(oa, &req, &fx.sink);
		opagg_drain(oa, &fx.sink);
		flush();
	}
	ck_assert_int_eq(scalar("SELECT count(*) FROM events WHERE kind = 'operation'"), 2);
	opagg_free(oa);
}
END_TEST

/* Outcomes: a refused reply makes it failed; no reply leaves it unknown. */
START_TEST(outcome_from_the_replies)
{
	struct event_filter f = { .kinds = 1u << EV_OPERATION };
	struct obs o = op(OP_RESTART_COLD, OP_REQUEST, T0 * US, "cold_restart");
	struct obs r = op(OP_RESTART_COLD, OP_REPLY_FAILED, T0 * US + 1000, NULL);
	struct obs s = op(OP_STOP, OP_REQUEST, T0 * US + 2000, NULL);
	json_t *got = json_array();

	obs_emit(&fx.sink, &o);
	obs_emit(&fx.sink, &r);
	obs_emit(&fx.sink, &s);
	flush();
	ck_assert_int_eq(store_events(fx.st, &f, (int (*)(void *, json_t *))json_array_append_new, got, NULL), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(got, 0), "operation")), "restart_cold");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(got, 0), "outcome")), "failed");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(got, 0), "ts")), "2008-10-23T23:27:19Z");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(json_array_get(got, 0),
	    "client"), "mac")), CLI_MAC);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(got, 1), "outcome")), "unknown");
	json_decref(got);
}
END_TEST

static long
count_events(uint32_t kinds)
{
	struct event_filter f = { .kinds = kinds };
	json_t *got = json_array();
	long n = store_events(fx.st, &f, (int (*)(void *, json_t *))json_array_append_new, got, NULL);
	size_t i;
	json_t *e;

	json_array_foreach(got, i, e) {
		int k = ev_kind_from_name(json_string_value(json_object_get(e, "kind")));

		ck_assert(kinds == 0 || (k >= 0 && (kinds & (1u << k))));
	}
	json_decref(got);
	return n;
}

/* Several kinds at once (events --kind operation,asset_new): each kept, nothing else. */
START_TEST(kinds_filter_keeps_several_kinds)
{
	struct obs o = op(OP_RESTART_COLD, OP_REQUEST, T0 * US, "cold_restart");
	long all, ops, news;

	obs_emit(&fx.sink, &o);
	flush();
	all = count_events(0);
	ops = count_events(1u << EV_OPERATION);
	news = count_events(1u << EV_ASSET_NEW);
	ck_assert_int_eq(ops, scalar("SELECT count(*) FROM events WHERE kind = 'operation'"));
	ck_assert_int_eq(news, scalar("SELECT count(*) FROM events WHERE kind = 'asset_new'"));
	ck_assert_int_gt(ops, 0);
	ck_assert_int_gt(news, 0);
	ck_assert_int_eq(count_events((1u << EV_OPERATION) | (1u << EV_ASSET_NEW)), ops + news);
	ck_assert_int_eq(count_events(1u << EV_GATEWAY), 0);
	ck_assert_int_eq(all, scalar("SELECT count(*) FROM events"));
}
END_TEST

/* Hostile: a reply nobody asked for, and a million distinct points. */
START_TEST(reply_without_request_and_a_flood_of_points)
{
	struct opagg *oa = opagg_new();
	struct store_stats ss;
	char d[32];

	ck_assert_ptr_nonnull(oa);
	{
		struct obs r = op(OP_STOP, OP_REPLY_OK, T0 * US, NULL);

		opagg_add(oa, &r, &fx.sink);
		opagg_drain(oa, &fx.sink);
		flush();
	}
	store_get_stats(fx.st, &ss);
	ck_assert_uint_eq(ss.replies_unmatched, 1);
	ck_assert_int_eq(scalar("SELECT count(*) FROM events WHERE kind = 'operation'"), 0);
	for (unsigned i = 0; i < 1000000; i++) {
		struct obs o = op(OP_CONTROL_OPERATE, OP_REQUEST, T0 * US + i, d);

		snprintf(d, sizeof(d), "point %u", i);
		o.val_len = strlen(d);
		opagg_add(oa, &o, &fx.sink);
	}
	ck_assert_uint_eq(opagg_stats(oa)->details_dropped, 1000000 - OPAGG_ITEMS);
	ck_assert_uint_eq(obsq_len(fx.q), 0);	/* nothing reached the queue before the flush */
	opagg_drain(oa, &fx.sink);
	flush();
	ck_assert_int_eq(scalar("SELECT count FROM events WHERE kind = 'operation'"), 1000000);
	ck_assert_ptr_nonnull(strstr(text("SELECT detail FROM events WHERE kind = 'operation'"), "+999994 more"));
	ck_assert_uint_le(strlen(text("SELECT detail FROM events WHERE kind = 'operation'")), EVENT_DETAIL_MAX);
	/* a million distinct servers: the table stays at its cap, the rest goes on unsummed */
	for (unsigned i = 0; i < 3 * OPAGG_MAX; i++) {
		struct obs o = op(OP_CONTROL_OPERATE, OP_REQUEST, T0 * US, NULL);

		o.peer.ip.a[3] = (uint8_t)i;
		o.peer.ip.a[2] = (uint8_t)(i >> 8);
		memset(o.peer.mac, 0, 6);
		opagg_add(oa, &o, &fx.sink);
	}
	ck_assert_uint_eq(opagg_stats(oa)->direct, 2 * OPAGG_MAX);
	opagg_free(oa);
}
END_TEST

/* Learning: changes flagged baseline, then alerts; the same input twice adds nothing. */
START_TEST(learning_then_alerts_and_no_repeats)
{
	struct events_cfg c;
	struct baseline_info b;
	struct obs a = { .kind = OBS_ADDR, .ts_us = T0 * US, .who = asset_ref_of("00:0e:8c:01:02:03", "10.0.0.5"),
	    .src = "ip" };

	events_cfg_defaults(&c);
	c.learning_s = 3600;
	store_set_events(fx.st, &c);
	obs_emit(&fx.sink, &a);
	flush();
	ck_assert_int_eq(scalar("SELECT baseline FROM events WHERE kind = 'asset_new'"), 1);
	a.ts_us = (T0 + 100) * US;
	a.who = asset_ref_of("00:0e:8c:01:02:03", "10.0.0.6");
	obs_emit(&fx.sink, &a);
	flush();
	ck_assert_int_eq(scalar("SELECT baseline FROM events WHERE kind = 'address_changed'"), 1);
	ck_assert_int_eq(store_baseline_info(fx.st, c.learning_s, &b), 0);
	ck_assert(b.learning);
	ck_assert_int_eq(b.end, (long long)T0 + 3600);
	/* an hour of packet time later: an alert */
	a.ts_us = (T0 + 4000) * US;
	a.who = asset_ref_of("00:0e:8c:01:02:03", "10.0.0.7");
	obs_emit(&fx.sink, &a);
	flush();
	ck_assert_int_eq(scalar("SELECT baseline FROM events WHERE new_value = '10.0.0.7'"), 0);
	ck_assert_int_eq(store_baseline_info(fx.st, c.learning_s, &b), 0);
	ck_assert(!b.learning);
	/* the same again: known values, no event */
	for (int i = 5; i <= 7; i++) {
		char ip[16];

		snprintf(ip, sizeof(ip), "10.0.0.%d", i);
		a.who = asset_ref_of("00:0e:8c:01:02:03", ip);
		obs_emit(&fx.sink, &a);
	}
	flush();
	ck_assert_int_eq(scalar("SELECT count(*) FROM events"), 3);
	/* an identity change of the same source, said once whoever repeats it */
	{
		struct obs f = { .kind = OBS_FACT, .ts_us = (T0 + 5000) * US,
		    .who = asset_ref_of("00:0e:8c:01:02:03", "10.0.0.7"), .attr = A_FIRMWARE, .val = "4.7",
		    .val_len = 3, .src = "enip/list_identity", .conf = CONF_STATED };

		obs_emit(&fx.sink, &f);
		f.src = "cip/identity";
		obs_emit(&fx.sink, &f);
		flush();
		ck_assert_int_eq(scalar("SELECT count(*) FROM events WHERE kind = 'identity_changed'"), 0);
		f.val = "4.8";
		obs_emit(&fx.sink, &f);
		f.src = "enip/list_identity";
		obs_emit(&fx.sink, &f);
		flush();
	}
	ck_assert_int_eq(scalar("SELECT count(*) FROM events WHERE kind = 'identity_changed'"), 1);
	ck_assert_str_eq(text("SELECT field || ' ' || old_value || ' ' || new_value FROM events "
	    "WHERE kind = 'identity_changed'"), "firmware 4.7 4.8");
}
END_TEST

START_TEST(accept_ends_learning)
{
	struct baseline_info b;
	struct obs a = { .kind = OBS_ADDR, .ts_us = T0 * US, .who = asset_ref_of("00:0e:8c:01:02:03", "10.0.0.5"),
	    .src = "ip" };

	obs_emit(&fx.sink, &a);
	flush();
	ck_assert_int_eq(store_baseline_info(fx.st, EV_LEARNING_DEFAULT_S, &b), 0);
	ck_assert(b.learning);
	ck_assert_int_eq(store_baseline_accept(fx.st, 1700000000), 0);
	ck_assert_int_eq(store_baseline_info(fx.st, EV_LEARNING_DEFAULT_S, &b), 0);
	ck_assert(!b.learning);
	ck_assert_int_eq(b.accepted, 1700000000);
	a.ts_us = (T0 + 10) * US;
	a.who = asset_ref_of("00:0e:8c:01:02:03", "10.0.0.9");
	obs_emit(&fx.sink, &a);
	flush();
	ck_assert_int_eq(scalar("SELECT baseline FROM events WHERE kind = 'address_changed'"), 0);
}
END_TEST

static void
peer(const char *cli_mac, const char *cli_ip, const char *srv_mac, const char *srv_ip,
    uint16_t port, const char *proto, uint64_t t)
{
	struct obs o = { .kind = OBS_PEER, .ts_us = t * US, .who = asset_ref_of(cli_mac, cli_ip),
	    .peer = asset_ref_of(srv_mac, srv_ip), .transport = L4_TCP, .port = port, .proto = proto,
	    .pkts = 2, .bytes = 120 };

	obs_emit(&fx.sink, &o);
}

static void
service(const char *mac, const char *ip, uint16_t port, const char *proto, uint64_t t)
{
	struct obs o = { .kind = OBS_SERVICE, .ts_us = t * US, .who = asset_ref_of(mac, ip),
	    .transport = L4_TCP, .port = port, .proto = proto, .val = "server", .val_len = 6 };

	obs_emit(&fx.sink, &o);
}

/* What an asset does in its first minutes is its discovery; later it is a change. */
START_TEST(new_clients_and_services_after_discovery)
{
	peer(CLI_MAC, "192.168.10.105", SRV_MAC, "192.168.10.120", 502, "modbus", T0);
	service(SRV_MAC, "192.168.10.120", 502, "modbus", T0);
	flush();
	ck_assert_int_eq(scalar("SELECT count(*) FROM events WHERE kind IN ('new_client', 'new_service')"), 0);
	/* an hour later a new master writes to the PLC, which also opens a web server */
	peer("00:0e:8c:09:09:09", "192.168.10.66", SRV_MAC, "192.168.10.120", 502, "modbus", T0 + 3600);
	service(SRV_MAC, "192.168.10.120", 80, "http", T0 + 3600);
	/* the known master on another port, and a client of a non-industrial service: not new clients */
	peer(CLI_MAC, "192.168.10.105", SRV_MAC, "192.168.10.120", 44818, "enip", T0 + 3600);
	peer(CLI_MAC, "192.168.10.105", SRV_MAC, "192.168.10.120", 80, "http", T0 + 3600);
	flush();
	ck_assert_int_eq(scalar("SELECT count(*) FROM events WHERE kind = 'new_client'"), 1);
	ck_assert_str_eq(text("SELECT detail FROM events WHERE kind = 'new_client'"),
	    "new modbus client: asset 3 (192.168.10.66)");
	ck_assert_int_eq(scalar("SELECT asset_id FROM events WHERE kind = 'new_client'"),
	    scalar("SELECT id FROM assets WHERE mac = '" SRV_MAC "'"));
	ck_assert_str_eq(text("SELECT new_value FROM events WHERE kind = 'new_service'"), "tcp/80 http");
	/* the same again: nothing new */
	peer("00:0e:8c:09:09:09", "192.168.10.66", SRV_MAC, "192.168.10.120", 502, "modbus", T0 + 7200);
	service(SRV_MAC, "192.168.10.120", 80, "http", T0 + 7200);
	flush();
	ck_assert_int_eq(scalar("SELECT count(*) FROM events WHERE kind IN ('new_client', 'new_service')"), 2);
}
END_TEST

START_TEST(silent_assets_once_per_silence)
{
	struct events_cfg c;
	struct obs a = { .kind = OBS_ADDR, .ts_us = T0 * US, .who = asset_ref_of(CLI_MAC, "192.168.10.105"),
	    .src = "ip" };

	events_cfg_defaults(&c);
	c.silent_s = 3600;
	store_set_events(fx.st, &c);
	obs_emit(&fx.sink, &a);
	flush();
	a.who = asset_ref_of(SRV_MAC, "192.168.10.120");
	for (uint64_t t = T0 + 600; t <= T0 + 3 * 3600; t += 600) {	/* the server keeps talking */
		a.ts_us = t * US;
		obs_emit(&fx.sink, &a);
		flush();
	}
	ck_assert_int_eq(scalar("SELECT count(*) FROM events WHERE kind = 'asset_silent'"), 1);
	ck_assert_int_eq(scalar("SELECT ts FROM events WHERE kind = 'asset_silent'"), (long long)T0 + 3600);
	ck_assert_str_eq(text("SELECT old_value FROM events WHERE kind = 'asset_silent'"), "2008-10-23T23:27:19Z");
	ck_assert_int_eq(scalar("SELECT a.mac = '" CLI_MAC "' FROM events e JOIN assets a ON a.id = e.asset_id "
	    "WHERE kind = 'asset_silent'"), 1);
}
END_TEST

START_TEST(severity_configuration)
{
	struct events_cfg c;
	char err[128];

	events_cfg_defaults(&c);
	ck_assert_int_eq(events_cfg_severity(&c, "operation=6, asset_new=1,restart_cold=10", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(c.severity[EV_OPERATION], 6);
	ck_assert_int_eq(c.severity[EV_ASSET_NEW], 1);
	ck_assert_int_eq(c.op_severity[OP_RESTART_COLD], 10);
	ck_assert_int_eq(events_cfg_severity(&c, "asset_new=11", err, sizeof(err)), -1);
	ck_assert_int_eq(events_cfg_severity(&c, "bogus=1", err, sizeof(err)), -1);
	ck_assert_int_eq(c.severity[EV_ASSET_NEW], 1);	/* unchanged by a bad line */
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("events");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, polling_loop_is_one_event_with_its_count);
	tcase_add_test(tc, outcome_from_the_replies);
	tcase_add_test(tc, kinds_filter_keeps_several_kinds);
	tcase_add_test(tc, reply_without_request_and_a_flood_of_points);
	tcase_add_test(tc, learning_then_alerts_and_no_repeats);
	tcase_add_test(tc, accept_ends_learning);
	tcase_add_test(tc, severity_configuration);
	tcase_add_test(tc, new_clients_and_services_after_discovery);
	tcase_add_test(tc, silent_assets_once_per_silence);
	suite_add_tcase(s, tc);
	return s;
}
