/*
 * ops_support.h - operations (OBS_OP) in collected observations, summed
 * per kind, client and server, and compared with facts.operations of a
 * shared capture's expected facts.
 */
#ifndef SW_OPS_SUPPORT_H
#define SW_OPS_SUPPORT_H

#include <stdint.h>

#include "ops.h"
#include "support.h"

struct op_sum {
	unsigned	 requests;
	unsigned	 ok, failed;	/* replies */
	uint64_t	 first_us;	/* time of the first request, 0 if none */
	char		 details[512];	/* distinct details, "; " separated (cut) */
};

/*
 * Sum the operations of kind k (OP_NONE: any) reported by dissector proto
 * between client and server (IP or MAC strings; NULL: anyone).
 */
void	 op_sum(const struct collected *c, const char *proto, enum op_kind k,
	    const char *client, const char *server, struct op_sum *s);
/* Requests of any kind by proto, and replies to no request would not show: count all. */
unsigned op_count(const struct collected *c, const char *proto, uint8_t phase);

/*
 * Every entry of rel's facts.operations whose proto is fact_proto ("cip")
 * found among c's operations of dissector proto ("enip"): kind (lock_unlock
 * is lock or unlock), client, server, first time to the microsecond,
 * request count, answered count and outcome.  Returns the entries checked.
 */
unsigned assert_ops_match_facts(const struct collected *c, const char *rel,
	    const char *fact_proto, const char *proto);

/*
 * A flood of operation requests against one dissector's table of requests
 * awaiting a reply (dissectors/oppend.h): request(b, i) builds request i
 * (client to server), reply(b, i) its successful reply.  1000 requests are
 * all reported and all but `kept` counted in ops_dropped; the reply to the
 * newest pairs, the reply to the first is counted in ops_unmatched.
 */
struct op_flood {
	const char	*proto;			/* the dissector's name in operations */
	const char	*client, *server;	/* IPs */
	unsigned	 kept;			/* OP_PEND_MAX */
	void		(*request)(struct bytebuf *b, unsigned i);
	void		(*reply)(struct bytebuf *b, unsigned i);
};

void	 assert_op_flood_bounded(struct harness *t, const struct op_flood *f);

#endif
