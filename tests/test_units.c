/*
 * test_units.c - devices behind a Modbus server in the store: a server
 * with one identified unit is that device; a second unit makes it a
 * gateway whose units are assets of their own (keyed by gateway and
 * unit), with their own identity and risk; the gateway keeps its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "support.h"
#include "store_support.h"
#include "obsq.h"
#include "oui.h"
#include "risk.h"
#include "store.h"
#include "units.h"
#include "vendors.h"

#define GW_MAC	"00:a0:45:01:02:03"	/* Phoenix Contact's block */
#define GW_IP	"10.9.0.20"

static struct store_fx fx;	/* the database, its queue and fx.sink (store_support.h) */
static struct vendors *vend;
static struct risk_policy *pol;

static void
setup(void)
{
	char err[512];

	store_fx_open(&fx, "units", true);
	vend = vendors_load("oui/vendors.csv", NULL, err, sizeof(err));
	ck_assert_msg(vend != NULL, "%s", err);
	pol = risk_policy_load("packaging/risk.conf", err, sizeof(err));
	ck_assert_msg(pol != NULL, "%s", err);
	store_set_risk(fx.st, vend, pol);
}

static void
teardown(void)
{
	store_fx_close(&fx);
	vendors_free(vend);
	risk_policy_free(pol);
}

/* One fact from the Modbus server, as the dissector sends it. */
static void
unit_fact(unsigned unit, const char *attr, const char *val, const char *src)
{
	char v[256];
	struct obs o = { .kind = OBS_FACT, .ts_us = 1700000000ull * 1000000, .attr = attr,
	    .src = src, .conf = CONF_STATED };

	ck_assert(mac_parse(GW_MAC, o.who.mac));
	ck_assert(ip_parse(GW_IP, &o.who.ip));
	snprintf(v, sizeof(v), "%u|%s", unit, val);
	o.val = v;
	o.val_len = strlen(v);
	obs_emit(&fx.sink, &o);
}

/* The gateway's MAC seen with its IP, as every packet it sends says. */
static void
gw_addr(void)
{
	struct obs o = { .kind = OBS_ADDR, .ts_us = 1700000000ull * 1000000, .src = "ip" };

	ck_assert(mac_parse(GW_MAC, o.who.mac));
	ck_assert(ip_parse(GW_IP, &o.who.ip));
	obs_emit(&fx.sink, &o);
}

static void
huawei(unsigned unit, const char *model, const char *serial)
{
	unit_fact(unit, A_VENDOR, "Huawei", "modbus/unit/regmap");
	unit_fact(unit, A_MODEL, model, "modbus/unit/regmap");
	unit_fact(unit, A_SERIAL, serial, "modbus/unit/regmap");
}

static void flush(void) { store_fx_flush(&fx); }
static int64_t scalar(const char *sql) { return store_fx_scalar(&fx, sql); }

/* The text of the query fmt about asset id. */
static const char *
text(const char *fmt, int64_t id)
{
	char sql[512];

	snprintf(sql, sizeof(sql), fmt, (long long)id);
	return store_fx_text(&fx, sql);
}

#define EVID(attr) "SELECT value FROM evidence WHERE asset_id = %lld AND attribute = '" attr \
	"' ORDER BY confidence DESC LIMIT 1"

static int64_t
gateway_id(void)
{
	return scalar("SELECT id FROM assets WHERE mac = '" GW_MAC "'");
}

/* One identified unit: the server is the device, and its maker outranks the NIC's. */
START_TEST(single_unit_is_the_server)
{
	int64_t gw;

	huawei(1, "SUN2000-10KTL-M1", "HV2150012345");
	flush();
	gw = gateway_id();
	ck_assert_int_gt(gw, 0);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM assets"), 1);
	ck_assert_str_eq(text(EVID("model"), gw), "SUN2000-10KTL-M1");
	ck_assert_str_eq(text("SELECT vendor FROM risk WHERE asset_id = %lld", gw), "Huawei");
	ck_assert_str_eq(text("SELECT level FROM risk WHERE asset_id = %lld", gw), "high");
	ck_assert_str_eq(text("SELECT oui_vendor FROM assets WHERE id = %lld", gw),
	    "PHOENIX CONTACT Electronics GmbH");
	ck_assert_ptr_null(unit_link(fx.st, gw));
}
END_TEST

/* Three units behind one IP and MAC: three assets, the gateway keeps its own identity. */
START_TEST(gateway_with_three_units)
{
	int64_t gw, u11, u12, u3;
	json_t *units, *link;

	gw_addr();
	huawei(11, "SUN2000-10KTL-M1", "HV2150012345");
	flush();	/* the first unit alone, then more: its evidence must move */
	huawei(12, "SUN2000-100KTL-M2", "HV2260098765");
	unit_fact(3, A_VENDOR, "SMA", "modbus/unit/sunspec/Mn");
	unit_fact(3, A_MODEL, "STP 25000TL-30", "modbus/unit/sunspec/Md");
	unit_fact(3, A_DEVICE_TYPE, "inverter", "modbus/unit/sunspec/model");
	flush();
	gw = gateway_id();
	u11 = unit_lookup(fx.st, gw, 11);
	u12 = unit_lookup(fx.st, gw, 12);
	u3 = unit_lookup(fx.st, gw, 3);
	ck_assert_int_gt(u11, 0);
	ck_assert_int_ne(u11, gw);
	ck_assert_int_gt(u12, 0);
	ck_assert_int_gt(u3, 0);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM assets"), 4);
	/* each unit its own identity */
	ck_assert_str_eq(text(EVID("model"), u11), "SUN2000-10KTL-M1");
	ck_assert_str_eq(text(EVID("serial"), u11), "HV2150012345");
	ck_assert_str_eq(text(EVID("model"), u12), "SUN2000-100KTL-M2");
	ck_assert_str_eq(text(EVID("model"), u3), "STP 25000TL-30");
	ck_assert_str_eq(text(EVID("modbus_unit_id"), u3), "3");
	/* what every view shows for want of an address of its own */
	ck_assert_str_eq(text("SELECT key_ip FROM assets WHERE id = %lld", u12), GW_IP " unit 12");
	/* the gateway: nothing of its units left, its own maker and verdict */
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM evidence e JOIN assets a ON a.id = e.asset_id "
	    "WHERE a.mac = '" GW_MAC "' AND e.source GLOB 'modbus/unit/*'"), 0);
	ck_assert_str_eq(text("SELECT vendor FROM risk WHERE asset_id = %lld", gw), "Phoenix Contact");
	ck_assert_str_eq(text("SELECT level FROM risk WHERE asset_id = %lld", u11), "high");
	ck_assert_str_eq(text("SELECT vendor FROM risk WHERE asset_id = %lld", u3), "SMA Solar");
	ck_assert_str_eq(text("SELECT level FROM risk WHERE asset_id = %lld", u3), "none");
	/* the read side the CLI uses */
	units = units_of_gateway(fx.st, gw);
	ck_assert_uint_eq(json_array_size(units), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(units, 0), "unit")), 3);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(units, 0), "device_type")),
	    "inverter");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(units, 2), "serial")),
	    "HV2260098765");
	json_decref(units);
	link = unit_link(fx.st, u12);
	ck_assert_ptr_nonnull(link);
	ck_assert_str_eq(json_string_value(json_object_get(link, "ip")), GW_IP);
	ck_assert_int_eq(json_integer_value(json_object_get(link, "unit")), 12);
	ck_assert_int_eq(json_integer_value(json_object_get(link, "gateway")), gw);
	json_decref(link);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM events WHERE kind = 'gateway'"), 1);
}
END_TEST

/* The same observations again: no new assets, no new events. */
START_TEST(units_idempotent)
{
	int64_t events;

	huawei(11, "SUN2000-10KTL-M1", "HV2150012345");
	huawei(12, "SUN2000-100KTL-M2", "HV2260098765");
	flush();
	events = scalar("SELECT COUNT(*) FROM events");
	huawei(11, "SUN2000-10KTL-M1", "HV2150012345");
	huawei(12, "SUN2000-100KTL-M2", "HV2260098765");
	flush();
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM assets"), 3);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM events"), events);
}
END_TEST

/* Values not in the dissector's "unit|value" form are dropped, not filed anywhere. */
START_TEST(malformed_unit_values)
{
	static const char *const bad[] = { "Huawei", "|Huawei", "1234|x", "300|x", "7|" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct obs o = { .kind = OBS_FACT, .ts_us = 1700000000ull * 1000000, .attr = A_VENDOR,
		    .src = "modbus/unit/regmap", .conf = CONF_STATED, .val = bad[i],
		    .val_len = strlen(bad[i]) };

		ck_assert(mac_parse(GW_MAC, o.who.mac));
		obs_emit(&fx.sink, &o);
	}
	flush();
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM evidence WHERE source GLOB 'modbus/unit/*'"), 0);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM modbus_units"), 0);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("units");
	TCase *tc = tcase_create("units");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, single_unit_is_the_server);
	tcase_add_test(tc, gateway_with_three_units);
	tcase_add_test(tc, units_idempotent);
	tcase_add_test(tc, malformed_unit_values);
	suite_add_tcase(s, tc);
	return s;
}
