/*
 * test_pipeline.c - the whole capture path over every shared capture:
 * each one is read to the end, every frame is decoded as Ethernet, and
 * the addresses it carries reach the sink as MAC/IP bindings.
 */
#include <dirent.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "support.h"

static const char *const dirs[] = {
	"bacnet", "dhcp", "dnp3", "enip", "http", "iec104", "lldp_cdp",
	"modbus", "profinet", "s7comm", "snmp", "ssh", NULL
};

static bool
is_capture(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && strcmp(name + n - 5, ".pcap") == 0) ||
	    (n > 7 && strcmp(name + n - 7, ".pcapng") == 0);
}

static bool
has_addr(const struct collected *c, const char *mac, const char *ip)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].kind == OBS_ADDR && strcasecmp(c->v[i].mac, mac) == 0 &&
		    (ip == NULL || strcmp(c->v[i].ip, ip) == 0))
			return true;
	return false;
}

/* Every capture: packet count as tshark counted it, every host MAC and IP seen. */
START_TEST(every_shared_capture_reads_whole)
{
	int checked = 0;

	for (int d = 0; dirs[d]; d++) {
		char rel[512];
		DIR *dh;
		struct dirent *de;

		snprintf(rel, sizeof(rel), "%s", shared_pcap(dirs[d]));
		dh = opendir(rel);
		ck_assert_msg(dh != NULL, "missing %s (run from the repo root, ../shared beside it)", rel);
		while ((de = readdir(dh)) != NULL) {
			char cap[600];
			struct collected c;
			struct pipeline *pl;
			json_t *exp, *hosts, *h;
			size_t i;
			long n;

			if (!is_capture(de->d_name))
				continue;
			snprintf(cap, sizeof(cap), "%s/%s", dirs[d], de->d_name);
			exp = load_expected(cap);
			collected_init(&c);
			n = run_pcap(shared_pcap(cap), &c, &pl);
			ck_assert_int_eq(n, json_integer_value(json_object_get(exp, "packets")));
			ck_assert_int_eq(pipeline_counter(pl, "eth"), n);
			hosts = json_object_get(json_object_get(exp, "facts"), "hosts");
			json_array_foreach(hosts, i, h) {
				const char *mac = json_string_value(json_object_get(h, "mac"));
				json_t *ips = json_object_get(h, "ips"), *ip;
				size_t k;

				ck_assert_msg(has_addr(&c, mac, NULL), "%s: host %s not seen", cap, mac);
				json_array_foreach(ips, k, ip) {
					struct ipaddr a;

					/* "::" and 0.0.0.0 (DAD, DHCP discover) name no host */
					ck_assert(ip_parse(json_string_value(ip), &a));
					if (!ip_is_unicast_host(&a))
						continue;
					ck_assert_msg(has_addr(&c, mac, json_string_value(ip)),
					    "%s: %s never seen with %s", cap, mac, json_string_value(ip));
				}
			}
			pipeline_free(pl);
			collected_free(&c);
			json_decref(exp);
			checked++;
		}
		closedir(dh);
	}
	ck_assert_int_ge(checked, 28);
}
END_TEST

static void
feed(struct pipeline *pl, const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *pc = pcap_open_offline(path, errbuf);

	ck_assert_msg(pc != NULL, "%s", errbuf);
	while (pcap_next_ex(pc, &h, &data) == 1)
		pipeline_packet(pl, pcap_datalink(pc), data, h->caplen, h->len,
		    (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec);
	pcap_close(pc);
	pipeline_report_flows(pl);
}

static bool
same_obs(const struct cobs *a, const struct cobs *b)
{
	return a->kind == b->kind && strcmp(a->mac, b->mac) == 0 && strcmp(a->ip, b->ip) == 0 &&
	    strcmp(a->attr, b->attr) == 0 && strcmp(a->val, b->val) == 0 &&
	    strcmp(a->src, b->src) == 0 && strcmp(a->proto, b->proto) == 0 &&
	    strcmp(a->peer_ip, b->peer_ip) == 0 && a->pkts == b->pkts && a->bytes == b->bytes &&
	    a->port == b->port && a->op == b->op && a->op_n == b->op_n && a->ts_us == b->ts_us;
}

/*
 * pipeline_reset (the persistent fuzzer's): a capture read again after a
 * reset gives exactly the observations it gave the first time, flows,
 * facts, conversations and operations alike, and nothing stays held.
 */
START_TEST(reset_pipeline_reads_as_new)
{
	static const char *const caps[] = { "modbus/iti__modbusSmall.pcap",
	    "enip/iti__EIP-IPAddressChangeAttempt.pcap", "s7comm/iti__s7comm_reading_plc_status.pcap" };

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		struct collected c;
		struct pipeline *pl;
		size_t first;

		collected_init(&c);
		ck_assert_int_gt(run_pcap(shared_pcap(caps[i]), &c, &pl), 0);
		ck_assert(pipeline_reset(pl));
		ck_assert_uint_eq(pipeline_packets(pl), 0);
		first = c.n;
		ck_assert_uint_gt(first, 10);
		feed(pl, shared_pcap(caps[i]));
		ck_assert(pipeline_reset(pl));
		ck_assert_uint_eq(c.n, 2 * first);
		for (size_t k = 0; k < first; k++)
			ck_assert_msg(same_obs(&c.v[k], &c.v[first + k]), "%s: observation %zu differs",
			    caps[i], k);
		pipeline_free(pl);
		collected_free(&c);
	}
}
END_TEST

/*
 * A segment that looks like TLS with a record length no TLS allows
 * (0xffff), from port 2404 to port 102: S7comm and MMS (port 102),
 * IEC 104 (port 2404) and TLS (its probe) each say not mine, and that is
 * DISS_MAX_TRIES dissectors: the segment is skipped and the cap counted.
 */
static const uint8_t not_anyones[] = { 0x16, 0x03, 0x01, 0xff, 0xff, 0x01, 0x00, 0x00 };

START_TEST(dissector_tries_cap_counted)
{
	struct tcp_conv v;

	ck_assert_int_eq(DISS_MAX_TRIES, 4);
	tcp_conv_open_ports(&v, "10.0.0.1", 2404, "10.0.0.2", 102);
	tcp_conv_send(&v, DIR_C2S, 0x18, not_anyones, sizeof(not_anyones));
	ck_assert_int_eq(pipeline_counter(v.pl, "flows.dissector_rebinds"), DISS_MAX_TRIES);
	ck_assert_int_eq(pipeline_counter(v.pl, "flows.dissector_tries_exhausted"), 1);
	ck_assert_int_eq(pipeline_counter(v.pl, "s7comm.pdus") + pipeline_counter(v.pl, "mms.pdus") +
	    pipeline_counter(v.pl, "iec104.pdus") + pipeline_counter(v.pl, "tls.pdus"), 0);
	/* the next segment finds no dissector left that would take it: not the cap */
	tcp_conv_send(&v, DIR_C2S, 0x18, not_anyones, sizeof(not_anyones));
	ck_assert_int_eq(pipeline_counter(v.pl, "flows.dissector_rebinds"), DISS_MAX_TRIES);
	ck_assert_int_eq(pipeline_counter(v.pl, "flows.dissector_tries_exhausted"), 1);
	tcp_conv_close(&v);
}
END_TEST

/* From an unknown client port only three dissectors try it: refused, but under the cap. */
START_TEST(dissector_tries_under_cap_not_counted)
{
	struct tcp_conv v;

	tcp_conv_open(&v, "10.0.0.1", "10.0.0.2", 102);
	tcp_conv_send(&v, DIR_C2S, 0x18, not_anyones, sizeof(not_anyones));
	ck_assert_int_eq(pipeline_counter(v.pl, "flows.dissector_rebinds"), 3);
	ck_assert_int_eq(pipeline_counter(v.pl, "flows.dissector_tries_exhausted"), 0);
	tcp_conv_close(&v);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("pipeline");
	TCase *tc = tcase_create("shared"), *lim = tcase_create("limits");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, every_shared_capture_reads_whole);
	tcase_add_test(tc, reset_pipeline_reads_as_new);
	suite_add_tcase(s, tc);
	tcase_add_test(lim, dissector_tries_cap_counted);
	tcase_add_test(lim, dissector_tries_under_cap_not_counted);
	suite_add_tcase(s, lim);
	return s;
}
