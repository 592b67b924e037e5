/*
 * test_category.c - one device category from all of an asset's evidence:
 * what the device states beats what it does, which beats its host name,
 * which beats its maker; the reason names the fact that decided.
 */
#include "support.h"
#include "category.h"

#define N(a)	(sizeof(a) / sizeof(a[0]))

static enum dev_category
cat(const struct cat_fact *f, size_t n, bool gw, char *why)
{
	return category_of(f, n, gw, why, CATEGORY_REASON_MAX);
}

START_TEST(stated_type_beats_behaviour_and_maker)
{
	/* Koyo DL405: only a fingerprint rule's device_type says PLC */
	const struct cat_fact koyo[] = {
		{ "vendor", "Koyo Electronics", "rule:plc-koyo-hostname" },
		{ "maker_category", "it", "HOST ENGINEERING" },
		{ "device_type", "plc", "rule:plc-koyo-hostname" },
	};
	/* a Modbus gateway that also answers S7: the stated type wins */
	const struct cat_fact gw[] = {
		{ "service", "s7comm", "server" },
		{ "device_type", "gateway", "rule:x" },
	};
	char why[CATEGORY_REASON_MAX];

	ck_assert_int_eq(cat(koyo, N(koyo), false, why), CAT_PLC);
	ck_assert_str_eq(why, "device_type plc (rule:plc-koyo-hostname)");
	ck_assert_int_eq(cat(gw, N(gw), false, why), CAT_NETWORK);
}
END_TEST

START_TEST(behaviour_order_numbers_and_cip_types)
{
	const struct cat_fact s7[] = { { "product_code", "6ES7 315-2EH14-0AB0", "s7comm/szl/0x0011" } };
	const struct cat_fact s7srv[] = { { "service", "s7comm", "server" } };
	const struct cat_fact outst[] = { { "role", "dnp3_outstation", "dnp3" } };
	const struct cat_fact cip[] = { { "device_type", "cip:14", "cip/identity/slot 0" } };
	const struct cat_fact adapter[] = { { "device_type", "cip:12", "cip/identity" } };
	char why[CATEGORY_REASON_MAX];

	ck_assert_int_eq(cat(s7, 1, false, why), CAT_PLC);
	ck_assert_int_eq(cat(s7srv, 1, false, why), CAT_PLC);
	ck_assert_int_eq(cat(outst, 1, false, why), CAT_RTU);
	ck_assert_int_eq(cat(cip, 1, false, why), CAT_PLC);
	ck_assert_int_eq(cat(adapter, 1, false, why), CAT_UNKNOWN);	/* a module, not a device */
	ck_assert_str_eq(why, "");
	{
		/* an inverter named from its register map beats its maker's "network" */
		const struct cat_fact inv[] = { { "model", "SUN2000-100KTL-M2", "modbus/unit/regmap" },
		    { "maker_category", "network", "Huawei" } };

		ck_assert_int_eq(cat(inv, 2, false, why), CAT_ENERGY);
		ck_assert_str_eq(category_short(CAT_EWS), "EWS");
	}
	ck_assert_str_eq(cip_device_type_name(12), "Communications Adapter");
	ck_assert_str_eq(cip_device_type_name(14), "Programmable Logic Controller");
	ck_assert_ptr_null(cip_device_type_name(999));
}
END_TEST

START_TEST(gateway_then_clients_by_name_then_maker)
{
	const struct cat_fact cisco[] = { { "maker_category", "network", "Cisco" } };
	const struct cat_fact hist[] = {
		{ "role", "modbus_client", "modbus" }, { "hostname", "hist-015", "dhcp/12" },
	};
	const struct cat_fact master[] = { { "role", "dnp3_master", "dnp3" } };
	const struct cat_fact client[] = { { "role", "s7_client", "s7comm" } };
	const struct cat_fact ews[] = { { "role", "s7_client", "s" }, { "hostname", "ENG-PC1", "netbios" } };
	const struct cat_fact it[] = { { "os", "Windows", "dhcp55" } };
	char why[CATEGORY_REASON_MAX];

	ck_assert_int_eq(cat(cisco, 1, true, why), CAT_FIREWALL);
	ck_assert_int_eq(cat(cisco, 1, false, why), CAT_NETWORK);
	ck_assert_str_eq(why, "maker Cisco (vendor table category network)");
	ck_assert_int_eq(cat(hist, N(hist), false, why), CAT_HISTORIAN);
	ck_assert_str_eq(why, "historian: hostname hist-015 (dhcp/12)");
	ck_assert_int_eq(cat(master, 1, false, why), CAT_SCADA);
	ck_assert_int_eq(cat(client, 1, false, why), CAT_HMI);
	ck_assert_int_eq(cat(ews, N(ews), false, why), CAT_EWS);
	ck_assert_int_eq(cat(it, 1, false, why), CAT_IT_HOST);
	ck_assert_int_eq(cat(NULL, 0, false, why), CAT_UNKNOWN);
}
END_TEST

START_TEST(names_and_siemens_models)
{
	enum dev_category c;
	char m[64];

	ck_assert(category_parse("engineering workstation", &c) && c == CAT_EWS);
	ck_assert(category_parse("PLC", &c) && c == CAT_PLC);
	ck_assert(!category_parse("robot", &c));
	ck_assert_str_eq(category_name(CAT_FIREWALL), "firewall_router");
	ck_assert(siemens_model("6ES7 315-2EH14-0AB0", m, sizeof(m)));
	ck_assert_str_eq(m, "CPU 315-2 PN/DP (S7-300)");
	ck_assert(siemens_model("6es7-315-2ag10-0ab0", m, sizeof(m)));
	ck_assert_str_eq(m, "CPU 315-2 DP (S7-300)");
	ck_assert(siemens_model("6ES7 214-1AG40-0XB0", m, sizeof(m)));
	ck_assert_str_eq(m, "CPU 1214C (S7-1200)");
	ck_assert(!siemens_model("6GK7 343-1EX30-0XE0", m, sizeof(m)));	/* a CP, not a CPU */
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("category");
	TCase *tc = tcase_create("rules");

	tcase_add_test(tc, stated_type_beats_behaviour_and_maker);
	tcase_add_test(tc, behaviour_order_numbers_and_cip_types);
	tcase_add_test(tc, gateway_then_clients_by_name_then_maker);
	tcase_add_test(tc, names_and_siemens_models);
	suite_add_tcase(s, tc);
	return s;
}
