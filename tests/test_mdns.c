/*
 * test_mdns.c - the name services: mDNS, LLMNR and the NetBIOS name and
 * session services.  Responses with compressed names, compression loops
 * and forward pointers, truncated records, NetBIOS registrations and node
 * status answers, LLMNR answers and queries, NetBIOS session requests and
 * the session messages skipped across segments, and the shared captures
 * whose LLDP-named workstation also answers mDNS and whose Windows hosts
 * open NetBIOS sessions.
 */
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "dissector.h"
#include "sw_limits.h"

extern const struct dissector dis_mdns;
extern const struct dissector dis_netbios;
extern const struct dissector dis_llmnr;
extern const struct dissector dis_nbss;

enum { MDNS_QUERIES, MDNS_RESPONSES, MDNS_BAD_NAMES };
enum { NBNS_REGISTRATIONS, NBNS_RESPONSES, NBNS_QUERIES, NBNS_BAD_NAMES };
enum { LLMNR_QUERIES, LLMNR_RESPONSES, LLMNR_BAD_NAMES };

static void hdr(struct bytebuf *b, unsigned flags, unsigned qd, unsigned an) { put_dns_header(b, 0, flags, qd, an); }
static void rr(struct bytebuf *b, unsigned type, unsigned rdlen) { put_dns_rr(b, type, 0x8001, 120, rdlen); }

static struct harness t;	/* the dissector a test calls, directly */

static enum diss_rc
parse(const struct dissector *d, const struct bytebuf *b)
{
	if (t.d == NULL)
		harness_init(&t, d);
	ck_assert_ptr_eq(t.d, d);	/* one dissector a test */
	return harness_parse(&t, DIR_C2S, b->b, b->n, NULL);
}

static void setup(void) { memset(&t, 0, sizeof(t)); }
static void teardown(void) { harness_free(&t); }

static const struct cobs *
fact_src(const char *attr, const char *src)
{
	return find_fact_src(&t.col, NULL, attr, NULL, src);
}

START_TEST(mdns_response_with_compression)
{
	struct bytebuf b = { .n = 0 };
	size_t svc, inst, at;

	hdr(&b, 0x8400, 0, 4);
	svc = b.n;
	put_dns_name(&b, "_ipp._tcp.local", -1);		/* PTR owner at offset 12 */
	at = b.n; rr(&b, 12, 0);
	inst = b.n;
	put_dns_name(&b, "Lab Printer", (int)svc);		/* "Lab Printer._ipp._tcp.local" */
	b.b[at + 9] = (uint8_t)(b.n - inst);
	/* SRV: instance -> host "prn42.local" */
	put_be16(&b, 0xc000u | (unsigned)inst);
	at = b.n; rr(&b, 33, 0);
	size_t rd = b.n;
	put_be16(&b, 0); put_be16(&b, 0); put_be16(&b, 631);
	size_t host = b.n;
	put_dns_name(&b, "prn42", (int)(svc + 10));		/* "local" of the service name */
	b.b[at + 9] = (uint8_t)(b.n - rd);
	/* A for the host */
	put_be16(&b, 0xc000u | (unsigned)host);
	rr(&b, 1, 4); put_be32(&b, 0x0a000005);
	/* TXT with a model key */
	put_be16(&b, 0xc000u | (unsigned)inst);
	rr(&b, 16, 1 + 6 + 1 + 22);
	put_u8(&b, 6); memcpy(b.b + b.n, "txtv=1", 6); b.n += 6;
	put_u8(&b, 22); memcpy(b.b + b.n, "ty=HP LaserJet M404dn", 21); b.n += 21; put_u8(&b, ' ');

	ck_assert_int_eq(parse(&dis_mdns, &b), DISS_OK);
	ck_assert_str_eq(fact_src(A_DEVICE_NAME, "mdns/instance")->val, "Lab Printer");
	ck_assert_str_eq(fact_src(A_NOTE, "mdns/service")->val, "_ipp._tcp.local");
	ck_assert_str_eq(fact_src(A_HOSTNAME, "mdns/srv")->val, "prn42");
	ck_assert_str_eq(fact_src(A_HOSTNAME, "mdns/a")->val, "prn42");
	ck_assert_str_eq(fact_src(A_MODEL, "mdns/txt")->val, "HP LaserJet M404dn");
	ck_assert_uint_eq(t.st.counters[MDNS_RESPONSES], 1);
}
END_TEST

START_TEST(mdns_compression_loops_and_lies)
{
	struct bytebuf b = { .n = 0 };

	/* a name pointing at itself */
	hdr(&b, 0x8400, 0, 1);
	put_be16(&b, 0xc000 | 12);
	rr(&b, 1, 4); put_be32(&b, 1);
	ck_assert_int_eq(parse(&dis_mdns, &b), DISS_MALFORMED);
	ck_assert_uint_eq(t.st.counters[MDNS_BAD_NAMES], 1);

	/* a forward pointer */
	b.n = 0;
	hdr(&b, 0x8400, 0, 1);
	put_be16(&b, 0xc000 | 40);
	rr(&b, 1, 4); put_be32(&b, 1);
	for (int i = 0; i < 30; i++) put_u8(&b, 0);
	ck_assert_int_eq(parse(&dis_mdns, &b), DISS_MALFORMED);

	/* two names pointing at each other: the first is a label then a pointer */
	b.n = 0;
	hdr(&b, 0x8400, 0, 1);
	put_u8(&b, 1); put_u8(&b, 'a'); put_be16(&b, 0xc000 | 12);
	rr(&b, 1, 4); put_be32(&b, 1);
	ck_assert_int_eq(parse(&dis_mdns, &b), DISS_MALFORMED);

	/* a label longer than 63 (reserved bits) */
	b.n = 0;
	hdr(&b, 0x8400, 0, 1);
	put_u8(&b, 0x41);
	ck_assert_int_eq(parse(&dis_mdns, &b), DISS_MALFORMED);

	/* rdlength past the end */
	b.n = 0;
	hdr(&b, 0x8400, 0, 1);
	put_dns_name(&b, "h.local", -1);
	rr(&b, 1, 200); put_be32(&b, 1);
	ck_assert_int_eq(parse(&dis_mdns, &b), DISS_SHORT);

	/* truncated header */
	b.n = 5;
	ck_assert_int_eq(parse(&dis_mdns, &b), DISS_SHORT);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_HOSTNAME, NULL));
}
END_TEST

START_TEST(mdns_query_is_not_about_sender)
{
	struct bytebuf b = { .n = 0 };

	hdr(&b, 0x0000, 1, 1);
	put_dns_name(&b, "other.local", -1);
	put_be16(&b, 1); put_be16(&b, 1);
	put_be16(&b, 0xc00c);			/* known answer */
	rr(&b, 1, 4); put_be32(&b, 0x0a000009);
	ck_assert_int_eq(parse(&dis_mdns, &b), DISS_OK);
	ck_assert_uint_eq(t.st.counters[MDNS_QUERIES], 1);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_HOSTNAME, NULL));
}
END_TEST

/* First-level encoding of a 15-char padded name + suffix (RFC 1001 14.1). */
static void
nbname(struct bytebuf *b, const char *n, uint8_t sfx)
{
	uint8_t raw[16];

	memset(raw, ' ', 15);
	memcpy(raw, n, strlen(n));
	raw[15] = sfx;
	put_u8(b, 32);
	for (int i = 0; i < 16; i++) {
		put_u8(b, 'A' + (raw[i] >> 4));
		put_u8(b, 'A' + (raw[i] & 0xf));
	}
	put_u8(b, 0);
}

START_TEST(netbios_registration_and_status)
{
	struct bytebuf b = { .n = 0 };

	/* registration: opcode 5, question + additional record pointing at it */
	hdr(&b, 5u << 11 | 0x0110, 1, 0);
	b.b[11] = 1;					/* arcount */
	nbname(&b, "HMI-STATION1", 0x00);
	put_be16(&b, 0x20); put_be16(&b, 1);
	put_be16(&b, 0xc00c);
	rr(&b, 0x20, 6); put_be16(&b, 0); put_be32(&b, 0x0a000007);
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_OK);
	ck_assert_str_eq(fact_src(A_HOSTNAME, "netbios")->val, "HMI-STATION1");

	/* group registration -> workgroup note */
	b.n = 0;
	hdr(&b, 5u << 11 | 0x0110, 1, 0);
	b.b[11] = 1;
	nbname(&b, "PLANTNET", 0x00);
	put_be16(&b, 0x20); put_be16(&b, 1);
	put_be16(&b, 0xc00c);
	rr(&b, 0x20, 6); put_be16(&b, 0x8000); put_be32(&b, 0x0a000007);
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_OK);
	ck_assert_str_eq(fact_src(A_NOTE, "netbios/group")->val, "workgroup PLANTNET");

	/* node status answer */
	b.n = 0;
	hdr(&b, 0x8400, 0, 1);
	nbname(&b, "*", 0x00);
	rr(&b, 0x21, 1 + 18 * 2 + 6);
	put_u8(&b, 2);
	memcpy(b.b + b.n, "ENG-WS7        \x20", 16); b.n += 16; put_be16(&b, 0x0400);
	memcpy(b.b + b.n, "ENG-WS7        \x00", 16); b.n += 16; put_be16(&b, 0x0400);
	for (int i = 0; i < 6; i++) put_u8(&b, 0);
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_OK);
	ck_assert_ptr_nonnull(find_fact(&t.col, NULL, A_HOSTNAME, "ENG-WS7"));
	ck_assert_uint_eq(t.st.counters[NBNS_REGISTRATIONS], 2);
	ck_assert_uint_eq(t.st.counters[NBNS_RESPONSES], 1);
}
END_TEST

START_TEST(netbios_malformed)
{
	struct bytebuf b = { .n = 0 };

	/* query: the asked name is not the sender's */
	hdr(&b, 0x0110, 1, 0);
	nbname(&b, "FILESRV", 0x20);
	put_be16(&b, 0x20); put_be16(&b, 1);
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_OK);
	ck_assert_uint_eq(t.col.n, 0);
	ck_assert_uint_eq(t.st.counters[NBNS_QUERIES], 1);
	/* bad first-level encoding */
	b.b[13] = 'z';
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_MALFORMED);
	/* label length not 32 */
	b.b[12] = 31;
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_MALFORMED);
	ck_assert_uint_eq(t.st.counters[NBNS_BAD_NAMES], 2);
	/* an answer pointer that points forward */
	b.n = 0;
	hdr(&b, 0x8500, 0, 1);
	put_be16(&b, 0xc000 | 100);
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_MALFORMED);
	/* truncated */
	b.n = 7;
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_SHORT);
}
END_TEST

/* A registration of name (first-level encoded, as nbname) with an NB record. */
static void
nb_registration(struct bytebuf *b, const char *n)
{
	hdr(b, 5u << 11 | 0x0110, 1, 0);
	b->b[11] = 1;					/* arcount */
	nbname(b, n, 0x00);
	b->n--;						/* reopen the name for a scope */
}

static void
nb_registration_rr(struct bytebuf *b, unsigned name_ptr)
{
	put_be16(b, 0x20); put_be16(b, 1);
	put_be16(b, 0xc000u | name_ptr);
	rr(b, 0x20, 6); put_be16(b, 0); put_be32(b, 0x0a000007);
}

/*
 * NetBIOS names are DNS names (RFC 1002 4.1) read by dnsname.c: a scope id
 * after the encoded label is skipped, the encoded label must be exactly 32
 * bytes, and a pointer must point backwards, so neither a loop nor a
 * pointer past the message (or to a name after it) is followed.
 */
START_TEST(netbios_names_are_dns_names)
{
	struct bytebuf b = { .n = 0 };

	/* a scope id "plant.local" after the name; the answer points at it */
	nb_registration(&b, "RTU-7");
	put_dns_name(&b, "plant.local", -1);
	nb_registration_rr(&b, 12);
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_OK);
	ck_assert_str_eq(fact_src(A_HOSTNAME, "netbios")->val, "RTU-7");
	collected_free(&t.col); collected_init(&t.col);

	/* a 33-byte first label whose first 32 bytes are a good encoding */
	b.n = 0;
	nb_registration(&b, "RTU-7");
	b.b[12] = 33;
	put_u8(&b, 'A'); put_u8(&b, 0);
	nb_registration_rr(&b, 12);
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_MALFORMED);
	ck_assert_uint_eq(t.st.counters[NBNS_BAD_NAMES], 1);

	/* a compression loop: the name goes on with a pointer to its own start */
	b.n = 0;
	nb_registration(&b, "RTU-7");
	put_be16(&b, 0xc00c);
	nb_registration_rr(&b, 12);
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_MALFORMED);
	ck_assert_uint_eq(t.st.counters[NBNS_BAD_NAMES], 2);

	/* the question's name is a pointer forward, to a good name after it */
	b.n = 0;
	hdr(&b, 5u << 11 | 0x0110, 1, 0);
	put_be16(&b, 0xc000 | 14);
	nbname(&b, "RTU-7", 0x00);
	put_be16(&b, 0x20); put_be16(&b, 1);
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_MALFORMED);
	ck_assert_uint_eq(t.st.counters[NBNS_BAD_NAMES], 3);

	/* an answer pointing past the end of the message */
	b.n = 0;
	nb_registration(&b, "RTU-7");
	put_u8(&b, 0);
	nb_registration_rr(&b, 0x3fff);
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_MALFORMED);
	/* ... and one pointing into the header, at a zero byte: the root, no name */
	b.n = 0;
	nb_registration(&b, "RTU-7");
	put_u8(&b, 0);
	nb_registration_rr(&b, 0);
	ck_assert_int_eq(parse(&dis_netbios, &b), DISS_MALFORMED);
	ck_assert_uint_eq(t.st.counters[NBNS_BAD_NAMES], 5);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_HOSTNAME, NULL));
}
END_TEST

/*
 * http/iti__wrapup.pcapng: its LLDP sender (system name, management IP in
 * the expected facts) also answers mDNS with the same name.
 */
START_TEST(shared_capture_mdns_name_matches_lldp)
{
	static const char cap[] = "http/iti__wrapup.pcapng";
	struct collected pc;
	struct pipeline *pl;
	json_t *exp, *lldp;
	const char *ip, *sysname;

	exp = load_expected(cap);
	lldp = json_array_get(json_object_get(json_object_get(exp, "facts"), "lldp"), 0);
	ip = json_string_value(json_object_get(lldp, "mgmt_ip"));
	sysname = json_string_value(json_object_get(lldp, "system_name"));
	ck_assert_ptr_nonnull(ip);
	ck_assert_ptr_nonnull(sysname);
	collected_init(&pc);
	ck_assert_int_gt(run_pcap(shared_pcap(cap), &pc, &pl), 0);
	ck_assert_ptr_nonnull(find_fact(&pc, ip, A_HOSTNAME, sysname));
	ck_assert_int_gt(pipeline_counter(pl, "mdns.responses"), 0);
	ck_assert_int_eq(pipeline_counter(pl, "mdns.malformed"), 0);
	ck_assert_int_gt(pipeline_counter(pl, "nbns.queries"), 0);
	ck_assert_int_eq(pipeline_counter(pl, "nbns.malformed"), 0);
	pipeline_free(pl);
	collected_free(&pc);
	json_decref(exp);
}
END_TEST

/* An LLMNR response (RFC 4795): the question, then the answers of the responder. */
START_TEST(llmnr_answer_names_the_responder)
{
	struct bytebuf b = { .n = 0 };

	hdr(&b, 0x8000, 1, 1);
	put_dns_name(&b, "HMI-07", -1);
	put_be16(&b, 1); put_be16(&b, 1);
	put_be16(&b, 0xc00c);
	rr(&b, 1, 4); put_be32(&b, 0x0a000007);
	ck_assert_int_eq(parse(&dis_llmnr, &b), DISS_OK);
	ck_assert_str_eq(fact_src(A_HOSTNAME, "llmnr/a")->val, "HMI-07");

	/* a reverse lookup answered by the address's owner: the PTR target */
	b.n = 0;
	hdr(&b, 0x8000, 1, 1);
	put_dns_name(&b, "7.0.0.10.in-addr.arpa", -1);
	put_be16(&b, 12); put_be16(&b, 1);
	put_be16(&b, 0xc00c);
	size_t at = b.n;
	rr(&b, 12, 0);
	size_t rd = b.n;
	put_dns_name(&b, "ENG-WS3", -1);
	b.b[at + 9] = (uint8_t)(b.n - rd);
	ck_assert_int_eq(parse(&dis_llmnr, &b), DISS_OK);
	ck_assert_str_eq(fact_src(A_HOSTNAME, "llmnr/ptr")->val, "ENG-WS3");
	ck_assert_uint_eq(t.st.counters[LLMNR_RESPONSES], 2);
	ck_assert_uint_eq(t.col.n, 2);
}
END_TEST

START_TEST(llmnr_query_and_lies)
{
	struct bytebuf b = { .n = 0 };

	/* a query names whom the sender looks for, not the sender */
	hdr(&b, 0x0000, 1, 0);
	put_dns_name(&b, "historian", -1);
	put_be16(&b, 1); put_be16(&b, 1);
	ck_assert_int_eq(parse(&dis_llmnr, &b), DISS_OK);
	ck_assert_uint_eq(t.st.counters[LLMNR_QUERIES], 1);
	ck_assert_uint_eq(t.col.n, 0);
	/* two questions, or an opcode other than 0: not LLMNR (RFC 4795 2.1.1) */
	b.b[5] = 2;
	ck_assert_int_eq(parse(&dis_llmnr, &b), DISS_NOT_MINE);
	b.b[5] = 1;
	b.b[2] = 0x08;
	ck_assert_int_eq(parse(&dis_llmnr, &b), DISS_NOT_MINE);
	b.b[2] = 0;
	/* a question name pointing at itself */
	b.n = 12;
	put_be16(&b, 0xc00c);
	put_be16(&b, 1); put_be16(&b, 1);
	ck_assert_int_eq(parse(&dis_llmnr, &b), DISS_MALFORMED);
	ck_assert_uint_eq(t.st.counters[LLMNR_BAD_NAMES], 1);
	/* an answer whose rdlength runs past the datagram */
	b.n = 0;
	hdr(&b, 0x8000, 1, 1);
	put_dns_name(&b, "HMI-07", -1);
	put_be16(&b, 1); put_be16(&b, 1);
	put_be16(&b, 0xc00c);
	rr(&b, 1, 40); put_be32(&b, 0x0a000007);
	ck_assert_int_eq(parse(&dis_llmnr, &b), DISS_SHORT);
	ck_assert_ptr_null(find_fact(&t.col, NULL, A_HOSTNAME, NULL));
	/* a truncated header */
	b.n = 9;
	ck_assert_int_eq(parse(&dis_llmnr, &b), DISS_SHORT);
}
END_TEST

/* A NetBIOS session packet header (RFC 1002 4.3.1): type, flags, 17-bit length. */
static void
nbss_hdr(struct bytebuf *b, uint8_t type, uint32_t len)
{
	put_u8(b, type);
	put_u8(b, (uint8_t)(len >> 16 & 1));
	put_be16(b, (uint16_t)len);
}

#define WS_IP	"10.0.0.21"
#define SRV_IP	"10.0.0.105"

/*
 * Through the pipeline: a session request names the client (calling
 * name) and, once the server accepts it, the server (called name); a
 * session message is skipped as its bytes arrive and counted when whole.
 */
START_TEST(nbss_session_request_names_both_sides)
{
	struct bytebuf b = { .n = 0 };
	static uint8_t smb[1200];
	struct tcp_conv v;

	tcp_conv_open(&v, WS_IP, SRV_IP, 139);
	nbss_hdr(&b, 0x81, 68);
	nbname(&b, "LICENSESRV", 0x20);
	nbname(&b, "WIN2K3LAB021", 0x00);
	tcp_conv_send(&v, DIR_C2S, 0x18, b.b, b.n);
	ck_assert_ptr_nonnull(find_fact(&v.col, WS_IP, A_HOSTNAME, "WIN2K3LAB021"));
	ck_assert_ptr_null(find_fact(&v.col, SRV_IP, A_HOSTNAME, NULL));	/* not yet accepted */
	b.n = 0;
	nbss_hdr(&b, 0x82, 0);
	tcp_conv_send(&v, DIR_S2C, 0x18, b.b, b.n);
	ck_assert_ptr_nonnull(find_fact(&v.col, SRV_IP, A_HOSTNAME, "LICENSESRV"));

	/* a 1,100-byte session message in three segments, then a keep-alive */
	b.n = 0;
	nbss_hdr(&b, 0x00, 1100);
	memcpy(smb, b.b, b.n);
	memcpy(smb + 4, "\xffSMB", 4);
	tcp_conv_send(&v, DIR_C2S, 0x18, smb, 500);
	ck_assert_int_eq(pipeline_counter(v.pl, "nbss.pdus"), 2);
	tcp_conv_send(&v, DIR_C2S, 0x18, smb + 500, 500);
	ck_assert_int_eq(pipeline_counter(v.pl, "nbss.pdus"), 2);
	b.n = 0;
	nbss_hdr(&b, 0x85, 0);
	memcpy(smb + 1104, b.b, b.n);
	tcp_conv_send(&v, DIR_C2S, 0x18, smb + 1000, 108);
	ck_assert_int_eq(pipeline_counter(v.pl, "nbss.pdus"), 4);
	ck_assert_int_eq(pipeline_counter(v.pl, "nbss.messages"), 1);
	ck_assert_int_eq(pipeline_counter(v.pl, "nbss.accepted"), 1);
	ck_assert_int_eq(pipeline_counter(v.pl, "nbss.malformed"), 0);
	tcp_conv_close(&v);
}
END_TEST

/* A wildcard called name, a refusal, a request from the server, and lies. */
START_TEST(nbss_wildcards_refusals_and_lies)
{
	struct bytebuf b = { .n = 0 };
	struct tcp_conv v;

	tcp_conv_open(&v, WS_IP, SRV_IP, 139);
	nbss_hdr(&b, 0x81, 68);
	nbname(&b, "*SMBSERVER", 0x20);
	nbname(&b, "ENG-WS7", 0x00);
	tcp_conv_send(&v, DIR_C2S, 0x18, b.b, b.n);
	b.n = 0;
	nbss_hdr(&b, 0x82, 0);
	tcp_conv_send(&v, DIR_S2C, 0x18, b.b, b.n);
	ck_assert_ptr_nonnull(find_fact(&v.col, WS_IP, A_HOSTNAME, "ENG-WS7"));
	ck_assert_ptr_null(find_fact(&v.col, SRV_IP, A_HOSTNAME, NULL));
	/* refused: the called name was not the server's */
	b.n = 0;
	nbss_hdr(&b, 0x81, 68);
	nbname(&b, "OTHERSRV", 0x20);
	nbname(&b, "ENG-WS7", 0x00);
	tcp_conv_send(&v, DIR_C2S, 0x18, b.b, b.n);
	b.n = 0;
	nbss_hdr(&b, 0x83, 1);
	put_u8(&b, 0x82);	/* called name not present */
	tcp_conv_send(&v, DIR_S2C, 0x18, b.b, b.n);
	ck_assert_int_eq(pipeline_counter(v.pl, "nbss.refused"), 1);
	ck_assert_ptr_null(find_fact(&v.col, SRV_IP, A_HOSTNAME, NULL));
	/* a session request from the server, and a keep-alive that claims a body */
	b.n = 0;
	nbss_hdr(&b, 0x81, 68);
	nbname(&b, "WS", 0x20);
	nbname(&b, "EVIL", 0x00);
	tcp_conv_send(&v, DIR_S2C, 0x18, b.b, b.n);
	b.n = 0;
	nbss_hdr(&b, 0x85, 3);
	put_u8(&b, 0); put_u8(&b, 0); put_u8(&b, 0);
	tcp_conv_send(&v, DIR_C2S, 0x18, b.b, b.n);
	ck_assert_int_eq(pipeline_counter(v.pl, "nbss.malformed"), 2);
	ck_assert_ptr_null(find_fact(&v.col, NULL, A_HOSTNAME, "EVIL"));
	tcp_conv_close(&v);

	/* directly: a name that is not a first-level encoding */
	harness_init(&t, &dis_nbss);
	b.n = 0;
	nbss_hdr(&b, 0x81, 68);
	nbname(&b, "WS", 0x20);
	nbname(&b, "ENG-WS7", 0x00);
	b.b[4 + 34 + 1] = 'z';
	ck_assert_int_eq(harness_parse(&t, DIR_C2S, b.b, b.n, NULL), DISS_MALFORMED);
	ck_assert_uint_eq(harness_counter(&t, "bad_names"), 1);
	ck_assert_uint_eq(t.col.n, 0);
}
END_TEST

/*
 * enip/iti__EIP-IPAddressChangeAttempt.pcap: three Windows hosts open
 * NetBIOS sessions to a licence server.  The names are tshark's
 * (nbss.calling_name, nbss.called_name of frames 377, 2085, 2244).
 */
START_TEST(shared_capture_nbss_names)
{
	static const struct { const char *ip, *name; } want[] = {
		{ "192.168.10.22", "WIN2K3LAB022" }, { "192.168.10.21", "WIN2K3LAB021" },
		{ "192.168.10.24", "WIN2K3LAB024" }, { "192.168.10.105", "DBLICENSESERVER" },
	};
	struct collected pc;
	struct pipeline *pl;

	collected_init(&pc);
	ck_assert_int_gt(run_pcap(shared_pcap("enip/iti__EIP-IPAddressChangeAttempt.pcap"), &pc, &pl), 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(find_fact(&pc, want[i].ip, A_HOSTNAME, want[i].name),
		    "%s: no hostname %s", want[i].ip, want[i].name);
	ck_assert_int_eq(pipeline_counter(pl, "nbss.requests"), 3);
	ck_assert_int_eq(pipeline_counter(pl, "nbss.accepted"), 3);
	ck_assert_int_eq(pipeline_counter(pl, "nbss.malformed"), 0);
	pipeline_free(pl);
	collected_free(&pc);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("mdns");
	TCase *tc = tcase_create("mdns");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, mdns_response_with_compression);
	tcase_add_test(tc, mdns_compression_loops_and_lies);
	tcase_add_test(tc, mdns_query_is_not_about_sender);
	tcase_add_test(tc, netbios_registration_and_status);
	tcase_add_test(tc, netbios_malformed);
	tcase_add_test(tc, netbios_names_are_dns_names);
	tcase_add_test(tc, shared_capture_mdns_name_matches_lldp);
	tcase_add_test(tc, llmnr_answer_names_the_responder);
	tcase_add_test(tc, llmnr_query_and_lies);
	tcase_add_test(tc, nbss_session_request_names_both_sides);
	tcase_add_test(tc, nbss_wildcards_refusals_and_lies);
	tcase_add_test(tc, shared_capture_nbss_names);
	suite_add_tcase(s, tc);
	return s;
}
