/*
 * support.h - shared helpers for the check test suites.
 *
 * Tests run from the repository root.  Real captures are read from
 * ../shared/pcaps/ (override with SW_PCAPS=/path/to/pcaps).
 */
#ifndef SW_TEST_SUPPORT_H
#define SW_TEST_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <check.h>
#include <jansson.h>

#include "decode.h"
#include "dissector.h"
#include "flow.h"
#include "obs.h"
#include "pipeline.h"

/* One observation, deep-copied so it outlives the pipeline. */
struct cobs {
	enum obs_kind	 kind;
	char		 mac[18];	/* "" when unknown */
	char		 ip[46];	/* "" when unknown */
	char		 attr[48];
	char		 val[512];	/* sanitised as the store would */
	char		 src[64];
	uint8_t		 conf;
	uint8_t		 transport;
	uint16_t	 port;
	char		 proto[32];
	char		 peer_ip[46];
	char		 peer_mac[18];
	uint64_t	 pkts, bytes;
	uint8_t		 op, op_phase;	/* OBS_OP: enum op_kind, enum op_phase */
	uint32_t	 op_n;		/* OBS_OP: how many it stands for (summed in the pipeline), >= 1 */
	uint64_t	 ts_us;		/* packet time */
};

struct collected {
	struct cobs	*v;
	size_t		 n, cap;
	struct obs_sink	 sink;
};

void	 collected_init(struct collected *c);
void	 collected_free(struct collected *c);

/* Path of a shared capture, e.g. shared_pcap("modbus/iti__modbusSmall.pcap"). */
const char *shared_pcap(const char *rel);
/* Load "<capture>.expected.json"; fails the test if missing. */
json_t	*load_expected(const char *rel);

/*
 * Run the whole pipeline over a capture file into c.  If plp is not NULL
 * the pipeline is left alive in *plp for counter checks (free it);
 * otherwise it is freed (flushing flow reports).  Returns packets read,
 * or -1 if the file could not be read.
 */
long	 run_pcap(const char *path, struct collected *c, struct pipeline **plp);
/*
 * A shared capture run through the pipeline next to what tshark found in
 * it: facts points into exp at its "facts" member named by section ("cdp",
 * or a path "bacnet.i_am"), which must be a non-empty array or object.
 * With keep_pipeline, pl stays alive for counter checks.
 */
struct expected_run {
	struct collected col;
	struct pipeline	*pl;
	json_t		*exp;
	json_t		*facts;
};

void	 expected_run_open(struct expected_run *r, const char *rel, const char *section,
	    bool keep_pipeline);
void	 expected_run_close(struct expected_run *r);

/* Run the pipeline over one hand-built frame (Ethernet). */
void	 run_frame(struct pipeline *pl, const uint8_t *frame, size_t len, uint64_t ts_us);

/*
 * Is there an OBS_FACT about `who` (an IP or a MAC string, or NULL for
 * anyone) with this attribute and value (NULL: any value)?
 */
const struct cobs *find_fact(const struct collected *c, const char *who,
		    const char *attr, const char *val);
size_t	 count_facts(const struct collected *c, const char *who, const char *attr);
/* Dump all facts to stderr (for debugging a failing test). */
void	 dump_facts(const struct collected *c);

/* Get a counter by name from pipeline_stats_walk ("modbus.pdus"); -1 if absent. */
int64_t	 pipeline_counter(const struct pipeline *pl, const char *name);

/* Build frames in tests: Ethernet + IPv4 + TCP/UDP around a payload. */
size_t	 build_tcp4(uint8_t *out, size_t outsz, const char *src_mac, const char *dst_mac,
	    const char *src_ip, const char *dst_ip, uint16_t sport, uint16_t dport,
	    uint32_t seq, uint8_t flags, const uint8_t *payload, size_t plen);
size_t	 build_udp4(uint8_t *out, size_t outsz, const char *src_mac, const char *dst_mac,
	    const char *src_ip, const char *dst_ip, uint16_t sport, uint16_t dport,
	    const uint8_t *payload, size_t plen);
size_t	 build_eth(uint8_t *out, size_t outsz, const char *src_mac, const char *dst_mac,
	    uint16_t ethertype, const uint8_t *payload, size_t plen);

/*
 * A PDU or frame payload built by a test, big-endian unless the name says
 * otherwise.  put_* fail the test rather than overrun b.
 */
struct bytebuf {
	uint8_t	 b[8192];
	size_t	 n;
};

void	 put_u8(struct bytebuf *b, unsigned v);
void	 put_be16(struct bytebuf *b, unsigned v);
void	 put_be24(struct bytebuf *b, uint32_t v);
void	 put_be32(struct bytebuf *b, uint32_t v);
void	 put_le16(struct bytebuf *b, unsigned v);
void	 put_le32(struct bytebuf *b, uint32_t v);
void	 put_bytes(struct bytebuf *b, const void *p, size_t n);
void	 put_zeros(struct bytebuf *b, size_t n);
/* A BER TLV (X.690 8.1): one tag byte, the length in its shortest form, the value. */
void	 put_ber_tlv(struct bytebuf *b, unsigned tag, const void *v, size_t n);
/* A DNS-encoded name: "a.b.c" as labels, then 0, or a pointer to offset ptr when ptr >= 0. */
void	 put_dns_name(struct bytebuf *b, const char *dotted, int ptr);
/* A DNS header (RFC 1035 4.1.1) with qd questions, an answers, no other records. */
void	 put_dns_header(struct bytebuf *b, unsigned id, unsigned flags, unsigned qd, unsigned an);
/* A resource record's fields after its owner name: type, class, TTL, rdlength. */
void	 put_dns_rr(struct bytebuf *b, unsigned type, unsigned cls, uint32_t ttl, unsigned rdlen);

/*
 * One dissector called directly on byte vectors, without decode, flows or
 * reassembly, so a test controls exactly which bytes each call sees.
 * dc.pkt and dc.flow_rec stay NULL (dc.flow.transport L4_NONE) until
 * harness_frame() or harness_flow(): a dissector must cope without them
 * (its facts then name no address).
 */
struct harness {
	const struct dissector	*d;
	void			*state;	/* d->state_size bytes, NULL if none */
	struct pkt		 pkt;
	struct flow		 flow;
	struct diss_stats	 st;
	struct collected	 col;
	struct diss_ctx		 dc;
};

void	 harness_init(struct harness *h, const struct dissector *d);
/* Layer 2: the parsed bytes arrive in an Ethernet frame between these MACs. */
void	 harness_frame(struct harness *h, const char *src_mac, const char *dst_mac);
/* A flow between two IP endpoints (L4_TCP / L4_UDP) owning the state. */
void	 harness_flow(struct harness *h, uint8_t proto, const char *cli_ip, uint16_t cli_port,
	    const char *srv_ip, uint16_t srv_port);
/* Parse n bytes sent in direction dir; *left (if not NULL): bytes not consumed. */
enum diss_rc harness_parse(struct harness *h, int dir, const void *b, size_t n, size_t *left);
/* One frame or datagram, in the direction dc.dir already holds. */
enum diss_rc harness_feed(struct harness *h, const void *b, size_t n);
/* The dissector's own counter by name (fails the test if it has none such). */
uint64_t harness_counter(const struct harness *h, const char *name);
void	 harness_free(struct harness *h);

/*
 * A TCP conversation through the whole pipeline (nDPI off), opened with a
 * SYN / SYN-ACK so that roles come from the handshake.
 */
struct tcp_conv {
	struct pipeline	*pl;
	struct collected col;
	const char	*cli_ip, *srv_ip;
	uint16_t	 cli_port, srv_port;
	uint32_t	 seq[2];	/* next sequence number, [DIR_C2S], [DIR_S2C] */
	uint64_t	 ts_us;
};

void	 tcp_conv_open(struct tcp_conv *v, const char *cli_ip, const char *srv_ip,
	    uint16_t srv_port);		/* client port 40000 */
void	 tcp_conv_open_ports(struct tcp_conv *v, const char *cli_ip, uint16_t cli_port,
	    const char *srv_ip, uint16_t srv_port);
/* One segment in direction dir; flags are TCP flags (0x18 PSH|ACK). */
void	 tcp_conv_send(struct tcp_conv *v, int dir, uint8_t flags, const void *p, size_t n);
void	 tcp_conv_close(struct tcp_conv *v);

/* find_fact() that also requires the evidence source. */
const struct cobs *find_fact_src(const struct collected *c, const char *who,
		    const char *attr, const char *val, const char *src);

/* A fact a test expects: attribute, value and evidence source (NULL: any). */
struct want_fact {
	const char	*attr, *val, *src;
};

/* Fails the test at the first of the n wanted facts about who (NULL: anyone) that c lacks. */
void	 assert_facts(const struct collected *c, const char *who, const struct want_fact *w,
	    size_t n);
#define ASSERT_FACTS(c, who, w)	assert_facts((c), (who), (w), sizeof(w) / sizeof((w)[0]))

/* Checked fixtures for suites whose dissectors name vendors by id. */
void	 vendor_ids_setup(void);
void	 vendor_ids_teardown(void);

/* Standard main: runs the suite returned by make_suite() (defined by the test file). */
Suite	*make_suite(void);

#endif
