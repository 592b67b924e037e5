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

/* Standard main: runs the suite returned by make_suite() (defined by the test file). */
Suite	*make_suite(void);

#endif
