/*
 * dissector.h - the contract between the pipeline and one protocol file.
 *
 * A dissector is one file in dissectors/, static except for its
 * `const struct dissector dis_<name>` descriptor, listed once in
 * dissectors/registry.c.  It reads bytes only through cursor.h and reports
 * what it learns through the diss_* helpers below, which turn facts into
 * observations for the asset model.  It never touches the store, the policy
 * or the network (STYLE.md P7, P8).
 *
 * Stream dissectors (TCP) are called with all unconsumed, in-order bytes of
 * one direction.  They parse whole PDUs and leave the cursor at the start
 * of the first incomplete one; what they did not consume is handed to them
 * again, extended, when more bytes arrive.  Datagram (UDP) and layer-2
 * dissectors get one datagram / frame payload per call.
 */
#ifndef SW_DISSECTOR_H
#define SW_DISSECTOR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "obs.h"
#include "ops.h"

struct fact_cache;
struct flow;
struct opagg;
struct pkt;

enum diss_rc {
	DISS_OK,		/* parsed (or waiting for the rest of a PDU) */
	DISS_SHORT,		/* truncated: the capture cut it (counted) */
	DISS_MALFORMED,		/* the sender lied: stream resyncs (counted) */
	DISS_NOT_MINE,		/* not this protocol: try another dissector.  The pipeline
				 * believes it only before the flow's first PDU (diss_pdu);
				 * after one it counts the bytes malformed instead, so a
				 * dissector just returns it */
};

/* Which side of the flow an observation is about. */
enum side {
	SIDE_SRC,		/* sender of the data being parsed */
	SIDE_DST,		/* its receiver */
	SIDE_CLIENT,		/* the flow's client */
	SIDE_SERVER,		/* the flow's server */
};

#define DIR_C2S	0		/* client to server */
#define DIR_S2C	1		/* server to client */

#define DISS_MAX_PORTS		4
#define DISS_MAX_COUNTERS	16

struct diss_stats {
	uint64_t	 pkts;		/* packets that completed at least one PDU */
	uint64_t	 pdus;
	uint64_t	 bytes;
	uint64_t	 truncated;
	uint64_t	 malformed;
	uint64_t	 counters[DISS_MAX_COUNTERS];	/* dissector's own, see counter_names */
};

/*
 * All a dissector may know about the flow it parses, filled by the
 * pipeline before each call.  The pipeline's own flow and packet records
 * stay opaque here, so a dissector cannot come to depend on them.
 */
struct diss_flow {
	uint8_t		 transport;	/* L4_TCP / L4_UDP; L4_NONE: layer 2, or no flow */
	uint16_t	 cli_port;	/* 0 for layer 2 */
	uint16_t	 srv_port;
	uint32_t	 pdus;		/* PDUs parsed on this flow before this call */
	uint16_t	 vlan;		/* outermost VLAN id of the packet, 0 if untagged */
};

struct diss_ctx {
	const struct dissector	*d;
	struct diss_flow	 flow;	/* read-only view of the flow */
	int			 dir;	/* DIR_C2S / DIR_S2C */
	void			*state;	/* per-flow, d->state_size bytes, zeroed at start */
	struct obs_sink		*sink;
	struct diss_stats	*st;
	struct fact_cache	*fc;	/* suppresses repeats of the same fact (may be NULL) */
	struct opagg		*ops;	/* sums operations between flushes (NULL: straight to sink) */
	unsigned		 pdus;	/* PDUs completed in this call (diss_pdu) */

	/* The pipeline's records, for the diss_* helpers (opaque to dissectors). */
	struct flow		*flow_rec;	/* NULL for layer 2 */
	const struct pkt	*pkt;		/* the packet that delivered these bytes */
};

struct dissector {
	const char	*name;		/* "modbus": used in counters and evidence */
	uint8_t		 transport;	/* L4_TCP, L4_UDP, or L4_NONE for layer 2 */
	bool		 also_udp;	/* a TCP dissector that also parses datagrams */
	uint16_t	 ports[DISS_MAX_PORTS];	/* well-known ports, 0-terminated */
	uint16_t	 ethertype;	/* layer 2: Ethertype after VLAN tags */
	uint16_t	 snap_pid;	/* layer 2: LLC/SNAP protocol id (Cisco OUI) */
	size_t		 state_size;	/* per-flow state (layer 2: one per pipeline), 0 if none */

	/*
	 * Optional heuristic for flows on other ports: look at the first
	 * payload of a direction and answer cheaply whether it is ours.
	 * Must not emit observations.
	 */
	bool		(*probe)(const struct cur *c, int dir);
	/* Parse; see the header comment for stream vs datagram semantics. */
	enum diss_rc	(*parse)(struct diss_ctx *dc, struct cur *c);
	/* Optional: a gap in this direction dropped bytes; reset PDU state. */
	void		(*on_gap)(struct diss_ctx *dc);
	/* Optional: the flow is going away; release anything state points to. */
	void		(*on_close)(void *state);

	const char	*counter_names[DISS_MAX_COUNTERS];	/* NULL-terminated */
};

/* Registry (dissectors/registry.c). */
extern const struct dissector *const dissectors[];
extern const size_t n_dissectors;
int	 dissector_index(const char *name);	/* -1 if unknown */

/* --- helpers for dissectors (packet/dissector.c) --- */

/* Packet time of the data being parsed (us since the epoch). */
uint64_t diss_now(const struct diss_ctx *dc);

/* A whole PDU was parsed: counts it and the packet for the summary. */
void	 diss_pdu(struct diss_ctx *dc);
/* Bump the dissector's own counter i (index into counter_names). */
void	 diss_count(struct diss_ctx *dc, unsigned i);

/* Fill an asset_ref for one side of the current packet / flow. */
void	 diss_ref(const struct diss_ctx *dc, enum side s, struct asset_ref *ref);

/*
 * Names: the attribute and the source of a fact, the source of an address
 * binding, the service of an operation.  The observation queue keeps the
 * pointer, not a copy, until the store's next flush, long after the
 * packet's buffers are gone, so a name must live as long as the program:
 * a string literal.  The compiler holds dissectors to it.  The emitting
 * macros below (diss_fact, diss_op, ...) paste "" name "" around the name
 * they are given, which compiles only for a literal or a macro that is
 * one (A_ROLE); anything else stops the build at the call, with
 * "expected '}'".  A helper or a table that carries a name along holds a
 * struct fact_name (obs.h), which only FN("literal") builds, and hands it
 * to the _fn form of the call.  A name made at run time (a char buf[]
 * filled by snprintf) has no way in: what varies goes in the value or the
 * detail, or is picked from a table of literals.
 * tools/check-fact-names.sh (make layering) compiles such names and fails
 * if the build lets one through.
 */

/*
 * Evidence about one side: attribute, value bytes, source, confidence.
 * Only the value is copied (by the queue).
 */
void	 diss_fact_fn(struct diss_ctx *dc, enum side s, struct fact_name attr,
	    const void *val, size_t len, struct fact_name src, uint8_t conf);
void	 diss_fact_str_fn(struct diss_ctx *dc, enum side s, struct fact_name attr,
	    const char *val, struct fact_name src, uint8_t conf);
void	 diss_factf_fn(struct diss_ctx *dc, enum side s, struct fact_name attr,
	    struct fact_name src, uint8_t conf, const char *fmt, ...)
	    __attribute__((format(printf, 6, 7)));
#define diss_fact(dc, s, attr, val, len, src, conf) \
	diss_fact_fn((dc), (s), FN(attr), (val), (len), FN(src), (conf))
#define diss_fact_str(dc, s, attr, val, src, conf) \
	diss_fact_str_fn((dc), (s), FN(attr), (val), FN(src), (conf))
#define diss_factf(dc, s, attr, src, conf, ...) \
	diss_factf_fn((dc), (s), FN(attr), FN(src), (conf), __VA_ARGS__)
/*
 * A number as evidence, "prefix" followed by v in decimal ("dnp3:5",
 * "1024").  For facts reported on every PDU: no printf on the hot path.
 */
void	 diss_fact_num_fn(struct diss_ctx *dc, enum side s, struct fact_name attr,
	    struct fact_name src, uint8_t conf, const char *prefix, uint32_t v);
#define diss_fact_num(dc, s, attr, src, conf, prefix, v) \
	diss_fact_num_fn((dc), (s), FN(attr), FN(src), (conf), (prefix), (v))
/*
 * The text of diss_fact_num into buf (size > 10): the first plen bytes of
 * prefix (cut to leave room for the digits), then v in decimal; returns
 * its length, no NUL.  For a dissector that sends such a value elsewhere.
 */
size_t	 diss_num_text(char *buf, size_t size, const char *prefix, size_t plen, uint32_t v);
/* Evidence about a third party named inside the PDU (DHCP chaddr, LLDP mgmt address). */
void	 diss_fact_ref_fn(struct diss_ctx *dc, const struct asset_ref *who,
	    struct fact_name attr, const void *val, size_t len, struct fact_name src,
	    uint8_t conf);
#define diss_fact_ref(dc, who, attr, val, len, src, conf) \
	diss_fact_ref_fn((dc), (who), FN(attr), (val), (len), FN(src), (conf))
/* A MAC/IP binding stated inside a PDU (DHCP ack, ARP, ENIP socket address). */
void	 diss_addr_fn(struct diss_ctx *dc, const struct asset_ref *who, struct fact_name src);
#define diss_addr(dc, who, src)	diss_addr_fn((dc), (who), FN(src))

/*
 * For facts a dissector would repeat on every PDU of a flow (roles): true
 * when the flow has not reported it within FACT_REFRESH_US, and records
 * now in *last_us (a field of the flow state; NULL: always true).
 */
bool	 diss_due(const struct diss_ctx *dc, uint64_t *last_us);

/*
 * An operation (ops.h) on this flow.  OP_REQUEST: the sender of the bytes
 * being parsed is the client, their receiver the server; a reply phase:
 * the other way round.  src names the protocol service, a name as above
 * ("dnp3/cold_restart"); detail is free text (points, blocks, attribute,
 * file name), copied, may be NULL.  Never filtered as a repeat: every
 * request counts.
 */
void	 diss_op_fn(struct diss_ctx *dc, enum op_kind kind, enum op_phase phase,
	    struct fact_name src, const char *detail, size_t detail_len);
#define diss_op(dc, kind, phase, src, detail, detail_len) \
	diss_op_fn((dc), (kind), (phase), FN(src), (detail), (detail_len))

/*
 * diss_op() for protocols where a request of the operation travels from
 * the server (an S7 PLC's "download block" job asks the programming device
 * for the block): `client` names the side that is the operation's client
 * (SIDE_SRC, SIDE_DST, SIDE_CLIENT, SIDE_SERVER), the server is the other.
 */
void	 diss_op_for_fn(struct diss_ctx *dc, enum side client, enum op_kind kind,
	    enum op_phase phase, struct fact_name src, const char *detail, size_t detail_len);
#define diss_op_for(dc, client, kind, phase, src, detail, detail_len) \
	diss_op_for_fn((dc), (client), (kind), (phase), FN(src), (detail), (detail_len))

/* Read n bytes as a string value (does not NUL-terminate; for diss_fact). */
bool	 diss_str(struct cur *c, size_t n, const uint8_t **p);

#endif
