/*
 * test_classify.c - nDPI classification of real flows (packet/classify.c):
 * the protocol names nDPI 4.2 gives, and that its per-flow state is freed.
 *
 * The captures are decoded and put into a flow table here, without the
 * pipeline, so these tests check the classifier alone.
 */
#include <sys/wait.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "support.h"
#include "classify.h"
#include "decode.h"
#include "dissector.h"
#include "flow.h"
#include "sw_limits.h"

#define MAX_SEEN	64

struct seen {
	uint8_t		 proto;
	uint16_t	 port;
	const char	*app, *cat;
};

struct run {
	struct classifier	*cl;
	struct seen		 v[MAX_SEEN];
	size_t			 n;
	size_t			 max_live;
};

static void
released(void *arg, struct flow *f)
{
	struct run *r = arg;

	classify_flow_release(r->cl, f);
	ck_assert_ptr_null(f->ndpi);
	if (f->app_proto && r->n < MAX_SEEN) {
		r->v[r->n].proto = f->proto;
		r->v[r->n].port = f->srv.port;
		r->v[r->n].app = f->app_proto;
		r->v[r->n].cat = f->app_category;
		r->n++;
	}
}

static bool
no_server_ports(void *arg, uint8_t proto, uint16_t port)
{
	(void)arg; (void)proto; (void)port;
	return false;
}

static void
classify_capture(struct run *r, const char *rel)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct decode_stats ds;
	struct flow_table *ft;
	pcap_t *pc;
	int link;

	memset(r, 0, sizeof(*r));
	memset(&ds, 0, sizeof(ds));
	r->cl = classify_new();
	ck_assert_ptr_nonnull(r->cl);
	pc = pcap_open_offline(shared_pcap(rel), errbuf);
	ck_assert_msg(pc != NULL, "%s: %s", rel, errbuf);
	link = pcap_datalink(pc);
	ft = flow_table_new(1024, released, r);
	ck_assert_ptr_nonnull(ft);
	while (pcap_next_ex(pc, &h, &data) == 1) {
		struct pkt p;
		struct flow *f;
		int dir;

		decode_packet(link, data, h->caplen, h->len,
		    (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec, &p, &ds);
		if (!p.has_l4 || p.frag)
			continue;
		f = flow_lookup(ft, &p, &dir, no_server_ports, NULL);
		if (f == NULL)
			continue;
		classify_packet(r->cl, f, &p, dir);
		if (classify_live(r->cl) > r->max_live)
			r->max_live = classify_live(r->cl);
	}
	pcap_close(pc);
	flow_table_free(ft);
}

static void
run_done(struct run *r)
{
	/* every flow left the table: no nDPI state may remain */
	ck_assert_uint_eq(classify_live(r->cl), 0);
	classify_free(r->cl);
}

static const struct seen *
find_app(const struct run *r, uint8_t proto, uint16_t port)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].proto == proto && r->v[i].port == port)
			return &r->v[i];
	return NULL;
}

static void
expect_app(const char *rel, uint8_t proto, uint16_t port, const char *app, const char *cat)
{
	struct run r;
	const struct seen *s;

	classify_capture(&r, rel);
	s = find_app(&r, proto, port);
	if (s == NULL)
		for (size_t i = 0; i < r.n; i++)
			fprintf(stderr, "%s: %u/%u %s %s\n", rel, r.v[i].proto, r.v[i].port,
			    r.v[i].app, r.v[i].cat);
	ck_assert_msg(s != NULL, "%s: no flow to %u/%u", rel, proto, port);
	ck_assert_str_eq(s->app, app);
	if (cat)
		ck_assert_str_eq(s->cat, cat);
	/*
	 * No assertion that state was held between packets: a TCP flow gets
	 * nDPI state at its first payload, which in these captures is often
	 * classified (and the state freed) at once.
	 */
	run_done(&r);
}

START_TEST(ssh)
{
	expect_app("ssh/ndpi__ssh.pcap", L4_TCP, 22, "ssh", NULL);
}
END_TEST

START_TEST(http)
{
	expect_app("http/ndpi__http.pcapng", L4_TCP, 80, "http", "Web");	/* nDPI: HTTP.Google; the wire protocol is http */
}
END_TEST

START_TEST(snmp)
{
	expect_app("snmp/zeek__snmpv1_get.pcap", L4_UDP, 161, "snmp", NULL);
}
END_TEST

START_TEST(dnp3)
{
	expect_app("dnp3/iti__read_and_response.pcap", L4_TCP, 20000, "dnp3", "IoT-Scada");
}
END_TEST

START_TEST(modbus)
{
	expect_app("modbus/iti__modbusSmall.pcap", L4_TCP, 502, "modbus", "IoT-Scada");
}
END_TEST

START_TEST(all_captures_release_state)
{
	static const char *const caps[] = {
		"enip/iti__EIP-SoftwareUpload.pcap", "bacnet/icsnpp-bacnet__bacnet_example.pcap",
		"s7comm/iti__tia_s300_goOnline.pcapng", "iec104/ndpi__IEC104.pcap",
	};

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		struct run r;

		classify_capture(&r, caps[i]);
		ck_assert_uint_gt(r.n, 0);
		ck_assert_uint_le(r.max_live, CLASSIFY_MAX_LIVE);
		for (size_t k = 0; k < r.n; k++) {
			ck_assert_ptr_nonnull(r.v[k].app);
			ck_assert_ptr_nonnull(r.v[k].cat);
		}
		run_done(&r);
	}
}
END_TEST

/*
 * Two workers' first flows at once: each makes its nDPI module at the
 * same moment.  nDPI's first initialisation in a process is not safe to
 * run twice concurrently (libgcrypt's set-up aborted -w 2 runs), so each
 * try is a fresh process, two threads released together by a barrier.
 */
static pthread_barrier_t both_ready;

static void *
first_flows(void *arg)
{
	struct run *r = arg;

	pthread_barrier_wait(&both_ready);
	classify_capture(r, "ssh/ndpi__ssh.pcap");
	return NULL;
}

static void
two_first_flows_at_once(void)
{
	static struct run r[2];
	pthread_t th[2];

	pthread_barrier_init(&both_ready, NULL, 2);
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, first_flows, &r[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 2; i++) {
		ck_assert(find_app(&r[i], L4_TCP, 22) != NULL);
		run_done(&r[i]);
	}
}

START_TEST(modules_made_concurrently)
{
	int tries = 40, bad = 0, status;

	for (int i = 0; i < tries; i++) {
		pid_t pid = fork();

		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			two_first_flows_at_once();
			_exit(0);
		}
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			bad++;
	}
	ck_assert_msg(bad == 0, "%d of %d processes died making two modules at once", bad, tries);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("classify");
	TCase *p = tcase_create("pcap");

	tcase_set_timeout(p, 60);
	tcase_add_test(p, ssh);
	tcase_add_test(p, http);
	tcase_add_test(p, snmp);
	tcase_add_test(p, dnp3);
	tcase_add_test(p, modbus);
	tcase_add_test(p, all_captures_release_state);
	tcase_add_test(p, modules_made_concurrently);
	suite_add_tcase(s, p);
	return s;
}
