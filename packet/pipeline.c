/*
 * pipeline.c - decode, flows, reassembly and dissectors for one packet
 * (see pipeline.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addrnote.h"
#include "classify.h"
#include "convagg.h"
#include "dissector.h"
#include "factcache.h"
#include "flow.h"
#include "opagg.h"
#include "sw_limits.h"
#include "pipeline.h"

#define PORTMAP_NONE	0xff

struct pipeline {
	struct pipeline_cfg	 cfg;
	struct obs_sink		*sink;
	struct flow_table	*ft;
	struct decode_stats	 dec;
	struct reasm_stats	 rs;
	struct diss_stats	*ds;		/* [n_dissectors] */
	void			**l2state;	/* [n_dissectors]: a layer-2 dissector's one state */
	struct fact_cache	*fc;
	struct convagg		*ca;		/* flow reports summed per conversation */
	struct opagg		*oa;		/* operations summed per (client, server, kind) */
	struct classifier	*cl;		/* nDPI; NULL when cfg.ndpi is off */
	uint8_t			 portmap[2][65536];	/* [tcp/udp][port] -> dissector index */
	struct addr_noter	*an;	/* NULL: the workers' reader notes the addresses */
	uint64_t		 packets, bytes;
	uint64_t		 now_us, last_expire_us;
	uint64_t		 no_flow;		/* flow table could not give a flow */
	uint64_t		 state_alloc_failed;
	uint64_t		 flows_unidentified;	/* gave up finding a dissector */
	uint64_t		 not_mine_rebinds;
	uint64_t		 diss_tries_exhausted;	/* DISS_MAX_TRIES dissectors said not mine */
};

/*
 * The delivery context of one packet's payload (or of segments held behind
 * a hole, p then the packet that released them or NULL at flow end).
 */
struct delivery {
	struct pipeline		*pl;
	struct flow		*f;
	const struct pkt	*p;
	int			 dir;
};

static int
l4slot(uint8_t proto)
{
	return proto == L4_UDP ? 1 : 0;
}

static void
portmap_build(struct pipeline *pl)
{
	memset(pl->portmap, PORTMAP_NONE, sizeof(pl->portmap));
	for (size_t i = n_dissectors; i-- > 0;) {	/* earlier entries win */
		const struct dissector *d = dissectors[i];

		for (int k = 0; k < DISS_MAX_PORTS && d->ports[k]; k++) {
			if (d->transport == L4_TCP)
				pl->portmap[0][d->ports[k]] = (uint8_t)i;
			if (d->transport == L4_UDP || d->also_udp)
				pl->portmap[1][d->ports[k]] = (uint8_t)i;
		}
	}
}

static bool
is_server_port(void *arg, uint8_t proto, uint16_t port)
{
	const struct pipeline *pl = arg;

	if (proto != L4_TCP && proto != L4_UDP)
		return false;
	return pl->portmap[l4slot(proto)][port] != PORTMAP_NONE;
}

static void
emit_peer_and_service(struct pipeline *pl, struct flow *f, bool final)
{
	uint64_t pkts = f->pkts[0] + f->pkts[1], bytes = f->bytes[0] + f->bytes[1];
	const char *proto = f->d ? f->d->name : f->app_proto;
	struct obs o;

	if (f->proto != L4_TCP && f->proto != L4_UDP)
		return;
	memset(&o, 0, sizeof(o));
	o.ts_us = f->last_us;
	o.first_us = f->first_us;
	o.transport = f->proto;
	o.port = f->srv.port;
	o.proto = proto ? proto : "unknown";
	/* A service is real once the server has answered (and nDPI had its say). */
	if (!f->service_reported && f->pkts[1] > 0 && ip_is_unicast_host(&f->srv.ip) &&
	    (f->d || f->classified || pl->cl == NULL)) {
		uint64_t h;

		o.kind = OBS_SERVICE;
		memcpy(o.who.mac, f->srv.mac, 6);
		o.who.ip = f->srv.ip;
		o.who.vlan = f->vlan;
		o.val = "server";
		o.val_len = 6;
		/* many flows, one service: the store hears of it every few minutes */
		h = fc_hash(FC_SEED ^ 3, &o.who, sizeof(o.who));
		h = fc_hash(h, &o.port, sizeof(o.port));
		h = fc_hash(h, &o.transport, sizeof(o.transport));
		h = fc_hash(h, o.proto, strlen(o.proto));
		if (fc_should_send(pl->fc, h, f->last_us))
			obs_emit(pl->sink, &o);
		f->service_reported = true;
	}
	/* Traffic totals: when the flow ends, else at most every FLOW_REPORT_US. */
	if (pkts == f->pkts_reported ||
	    (!final && f->reported_us && f->last_us - f->reported_us < FLOW_REPORT_US))
		return;
	f->reported_us = f->last_us;
	o.kind = OBS_PEER;
	o.val = NULL;
	o.val_len = 0;
	memcpy(o.who.mac, f->cli.mac, 6);
	o.who.ip = f->cli.ip;
	o.who.vlan = f->vlan;
	memcpy(o.peer.mac, f->srv.mac, 6);
	o.peer.ip = f->srv.ip;
	o.peer.vlan = f->vlan;
	o.pkts = pkts - f->pkts_reported;
	o.bytes = bytes - f->bytes_reported;
	convagg_add(pl->ca, &o, pl->sink);
	f->pkts_reported = pkts;
	f->bytes_reported = bytes;
}

static void
unbind(struct flow *f)
{
	if (f->d && f->d->on_close && f->dstate)
		f->d->on_close(f->dstate);
	free(f->dstate);
	f->dstate = NULL;
	f->d = NULL;
}

static size_t deliver(void *arg, const uint8_t *data, size_t len, bool gap, uint64_t ts_us);

/*
 * The flow ends: holes in it will not be filled.  What the reassembler
 * held behind them (the last requests of a capture that missed segments)
 * still reaches the dissector.  Bytes the dissector still leaves
 * unconsumed then are the start of a PDU that never completed (a length
 * that claimed more than the sender sent, or a capture cut mid-PDU): the
 * dissector's truncated counter says so, once per direction.
 */
static void
flush_held(struct pipeline *pl, struct flow *f)
{
	if (f->proto != L4_TCP || f->d == NULL)
		return;
	for (int dir = 0; dir < 2; dir++) {
		struct delivery dv = { pl, f, NULL, dir };

		if (f->rs[dir].nooo > 0)
			reasm_flush(&f->rs[dir], &pl->rs, deliver, &dv);
		if (f->d != NULL && f->rs[dir].len > 0)
			pl->ds[f->d_idx].truncated++;
	}
}

/* Called by the flow table for every flow that leaves it. */
static void
flow_released(void *arg, struct flow *f)
{
	struct pipeline *pl = arg;

	/* nDPI hook: release the flow's classification state (a last guess first). */
	classify_flow_release(pl->cl, f);
	emit_peer_and_service(pl, f, true);
	flush_held(pl, f);
	unbind(f);
	reasm_free(&f->rs[0], &pl->rs);
	reasm_free(&f->rs[1], &pl->rs);
}

/*
 * Layer-2 dissectors have no flow: one state block each for the whole
 * pipeline (PROFINET DCP's requests awaiting their response).
 */
static bool
l2state_alloc(struct pipeline *pl)
{
	if (pl->l2state == NULL)
		return false;
	for (size_t i = 0; i < n_dissectors; i++) {
		const struct dissector *d = dissectors[i];

		if (d->transport != L4_NONE || d->state_size == 0)
			continue;
		if ((pl->l2state[i] = calloc(1, d->state_size)) == NULL)
			return false;
	}
	return true;
}

struct pipeline *
pipeline_new(const struct pipeline_cfg *cfg, struct obs_sink *sink)
{
	struct pipeline *pl = calloc(1, sizeof(*pl));

	if (pl == NULL)
		return NULL;
	pl->cfg = *cfg;
	pl->sink = sink;
	pl->ds = calloc(n_dissectors + 1, sizeof(*pl->ds));
	pl->l2state = calloc(n_dissectors + 1, sizeof(*pl->l2state));
	pl->fc = calloc(1, sizeof(*pl->fc));
	if (!cfg->no_addresses && (pl->an = calloc(1, sizeof(*pl->an))) != NULL)
		pl->an->sink = sink;
	pl->ca = convagg_new();
	pl->oa = opagg_new();
	pl->ft = flow_table_new(cfg->flow_max, flow_released, pl);
	if (cfg->ndpi)
		pl->cl = classify_new();
	if (pl->ds == NULL || pl->fc == NULL || (!cfg->no_addresses && pl->an == NULL) || pl->ca == NULL || pl->oa == NULL || pl->ft == NULL ||
	    (cfg->ndpi && pl->cl == NULL) || !l2state_alloc(pl)) {
		pipeline_free(pl);
		return NULL;
	}
	/* portmap holds indexes in a byte; `tried` is a 32-bit mask */
	_Static_assert(PORTMAP_NONE >= 32, "portmap index width");
	if (n_dissectors > 32) {
		pipeline_free(pl);
		return NULL;
	}
	portmap_build(pl);
	return pl;
}

void
pipeline_free(struct pipeline *pl)
{
	if (pl == NULL)
		return;
	if (pl->ft)
		flow_table_free(pl->ft);
	if (pl->ca)
		convagg_drain(pl->ca, pl->sink, SIZE_MAX);
	convagg_free(pl->ca);
	if (pl->oa)
		opagg_drain(pl->oa, pl->sink);
	opagg_free(pl->oa);
	classify_free(pl->cl);		/* after the flows: they point at its names */
	free(pl->ds);
	for (size_t i = 0; pl->l2state && i < n_dissectors; i++)
		free(pl->l2state[i]);
	free(pl->l2state);
	free(pl->fc);
	free(pl->an);
	free(pl);
}

/*
 * End of input: every flow is released (its last reports go out, and a
 * PDU it left unfinished is counted as truncated) while the counters stay
 * readable, so -r's counters and summary include what only the end shows.
 */
void
pipeline_end_flows(struct pipeline *pl)
{
	if (pl == NULL)
		return;
	flow_table_release_all(pl->ft);
	convagg_drain(pl->ca, pl->sink, SIZE_MAX);
	opagg_drain(pl->oa, pl->sink);
}

bool
pipeline_reset(struct pipeline *pl)
{
	bool clean;

	flow_table_clear(pl->ft);
	clean = pl->rs.mem_in_use == 0 && classify_live(pl->cl) == 0;
	convagg_drain(pl->ca, pl->sink, SIZE_MAX);
	opagg_drain(pl->oa, pl->sink);
	for (size_t i = 0; i < n_dissectors; i++)
		if (pl->l2state[i])
			memset(pl->l2state[i], 0, dissectors[i]->state_size);
	memset(pl->ds, 0, n_dissectors * sizeof(*pl->ds));
	memset(&pl->dec, 0, sizeof(pl->dec));
	memset(&pl->rs, 0, sizeof(pl->rs));
	memset(pl->fc, 0, sizeof(*pl->fc));
	if (pl->an)
		addr_noter_reset(pl->an);
	pl->packets = pl->bytes = 0;
	pl->now_us = pl->last_expire_us = 0;
	pl->no_flow = pl->state_alloc_failed = pl->flows_unidentified = pl->not_mine_rebinds = 0;
	pl->diss_tries_exhausted = 0;
	return clean;
}

static void
ctx_init(struct diss_ctx *dc, struct pipeline *pl, int idx, struct flow *f,
    const struct pkt *p, int dir)
{
	memset(dc, 0, sizeof(*dc));
	dc->d = dissectors[idx];
	dc->flow_rec = f;
	dc->pkt = p;
	dc->flow.vlan = p ? p->vlan : f ? f->vlan : 0;
	if (f) {
		dc->flow.transport = f->proto;
		dc->flow.cli_port = f->cli.port;
		dc->flow.srv_port = f->srv.port;
		dc->flow.pdus = f->d_pdus;
	}
	dc->dir = dir;
	dc->state = f ? f->dstate : NULL;
	dc->sink = pl->sink;
	dc->st = &pl->ds[idx];
	dc->fc = pl->fc;
	dc->ops = pl->oa;
}

static void
count_rc(struct diss_stats *st, enum diss_rc rc)
{
	if (rc == DISS_SHORT)
		st->truncated++;
	else if (rc == DISS_MALFORMED)
		st->malformed++;
}

/* Layer-2 protocols (LLDP, CDP, PROFINET DCP, GOOSE): one frame, one call. */
static void
dissect_l2(struct pipeline *pl, const struct pkt *p)
{
	for (size_t i = 0; i < n_dissectors; i++) {
		const struct dissector *d = dissectors[i];
		struct diss_ctx dc;
		struct cur c;
		enum diss_rc rc;

		if (d->transport != L4_NONE)
			continue;
		if (!(d->ethertype && d->ethertype == p->ethertype && !p->llc_snap) &&
		    !(d->snap_pid && p->llc_snap && d->snap_pid == p->snap_pid))
			continue;
		ctx_init(&dc, pl, (int)i, NULL, p, DIR_C2S);
		dc.state = pl->l2state[i];
		c = cur_make(p->l2pay, p->l2pay_len);
		rc = d->parse(&dc, &c);
		count_rc(dc.st, rc);
		dc.st->bytes += p->l2pay_len;
		if (dc.pdus)
			dc.st->pkts++;
		return;
	}
}

static bool
bind_to(struct pipeline *pl, struct flow *f, int idx)
{
	const struct dissector *d = dissectors[idx];

	f->tried |= 1u << idx;
	if (d->state_size) {
		f->dstate = calloc(1, d->state_size);
		if (f->dstate == NULL) {
			pl->state_alloc_failed++;
			return false;
		}
	}
	f->d = d;
	f->d_idx = (uint8_t)idx;
	return true;
}

/* Has this dissector index already said "not mine" on this flow? */
static bool
tried(const struct flow *f, int idx)
{
	return f->tried & (1u << idx);
}

/* Find a dissector for a flow: its ports first, then heuristics. */
static bool
choose_dissector(struct pipeline *pl, struct flow *f, const struct cur *c, int dir)
{
	int slot = l4slot(f->proto);
	uint16_t ports[2] = { f->srv.port, f->cli.port };

	for (int k = 0; k < 2; k++) {
		int idx = pl->portmap[slot][ports[k]];

		if (idx == PORTMAP_NONE)
			continue;	/* no dissector of this transport has the port */
		if (!tried(f, idx))
			return bind_to(pl, f, idx);
		/* another dissector on the same port (102: S7comm and MMS) */
		for (size_t i = 0; i < n_dissectors; i++) {
			const struct dissector *d = dissectors[i];

			if (tried(f, (int)i) || !(d->transport == f->proto ||
			    (d->also_udp && f->proto == L4_UDP)))
				continue;
			for (int j = 0; j < DISS_MAX_PORTS && d->ports[j]; j++)
				if (d->ports[j] == ports[k])
					return bind_to(pl, f, (int)i);
		}
	}
	for (size_t i = 0; i < n_dissectors; i++) {
		const struct dissector *d = dissectors[i];

		if (d->probe == NULL || tried(f, (int)i))
			continue;
		if (d->transport != f->proto && !(d->also_udp && f->proto == L4_UDP))
			continue;
		if (d->probe(c, dir))
			return bind_to(pl, f, (int)i);
	}
	return false;
}

/*
 * Hand in-order bytes to the flow's dissector, choosing one first if
 * needed.  Returns how many bytes were consumed.
 */
static size_t
deliver(void *arg, const uint8_t *data, size_t len, bool gap, uint64_t ts_us)
{
	struct delivery *dv = arg;
	struct pipeline *pl = dv->pl;
	struct flow *f = dv->f;
	const struct pkt *p = dv->p;
	struct pkt held;

	/*
	 * Bytes held behind a hole (or flushed at flow end) keep the time of
	 * the packet that carried them: an operation's time is its request's.
	 */
	if (p == NULL || p->ts_us != ts_us) {
		if (p)
			held = *p;
		else
			memset(&held, 0, sizeof(held));
		held.ts_us = ts_us;
		p = &held;
	}

	for (int attempt = 0; attempt < DISS_MAX_TRIES; attempt++) {
		struct diss_ctx dc;
		struct cur c = cur_make(data, len);
		enum diss_rc rc;
		int idx;

		if (f->d == NULL) {
			if (f->no_dissector || !choose_dissector(pl, f, &c, dv->dir)) {
				if (!f->no_dissector && ++f->probe_pkts >= FLOW_PROBE_PKTS) {
					f->no_dissector = true;
					pl->flows_unidentified++;
				}
				return len;
			}
		}
		idx = f->d_idx;
		ctx_init(&dc, pl, idx, f, p, dv->dir);
		if (gap && f->d->on_gap)
			f->d->on_gap(&dc);
		rc = f->d->parse(&dc, &c);
		dc.st->bytes += len - cur_left(&c);
		if (dc.pdus) {
			/* one delivery is one segment: the packet that carried it */
			dc.st->pkts++;
			f->d_pdus += dc.pdus;
		}
		rc = diss_verdict(rc, f->d_pdus);
		if (rc == DISS_NOT_MINE) {
			/* Wrong guess from the port: let another dissector try. */
			unbind(f);
			pl->not_mine_rebinds++;
			continue;
		}
		if (rc == DISS_OK)
			return len - cur_left(&c);
		count_rc(dc.st, rc);
		return len;	/* resynchronise at the next segment */
	}
	/* every dissector it was handed said not mine: the segment is skipped */
	pl->diss_tries_exhausted++;
	return len;
}

/* Is one of our dissectors bound to the flow, or waiting for its payload? */
static bool
ours_expected(const struct pipeline *pl, const struct flow *f)
{
	uint8_t idx;

	if (f->d)
		return true;
	if (f->no_dissector || (f->proto != L4_TCP && f->proto != L4_UDP))
		return false;
	idx = pl->portmap[l4slot(f->proto)][f->srv.port];
	return idx != PORTMAP_NONE && !(f->tried & (1u << idx));
}

/*
 * This packet acknowledges the other direction: segments held there behind
 * a hole the receiver already had are delivered now, in order, each with
 * its own time.
 */
static void
peer_ack(struct pipeline *pl, struct flow *f, const struct pkt *p, int dir)
{
	struct delivery dv = { pl, f, p, !dir };

	reasm_peer_ack(&f->rs[!dir], &pl->rs, p->ack, deliver, &dv);
}

static void
dissect_flow(struct pipeline *pl, const struct pkt *p)
{
	struct delivery dv = { pl, NULL, p, 0 };
	struct flow *f;
	int dir;

	f = flow_lookup(pl->ft, p, &dir, is_server_port, pl);
	if (f == NULL) {
		pl->no_flow++;
		return;
	}
	f->last_us = p->ts_us;
	f->pkts[dir]++;
	f->bytes[dir] += p->wirelen;
	if (p->has_eth && mac_is_zero(dir == 0 ? f->srv.mac : f->cli.mac) &&
	    !mac_is_group(p->dst_mac))
		memcpy(dir == 0 ? f->srv.mac : f->cli.mac, p->dst_mac, 6);
	/*
	 * nDPI classifies flows our dissectors do not know; once one of ours
	 * parses the flow, nDPI would only repeat it, so it stops paying.  A
	 * flow to a port one of ours serves goes to nDPI only if that
	 * dissector turns it down: most OT flows never cost nDPI a packet.
	 */
	if (pl->cl && !f->classified) {
		if (f->d_pdus > 0) {
			if (f->ndpi)	/* (most packets of such flows: nothing to release) */
				classify_flow_release(pl->cl, f);
		}
		else if (!ours_expected(pl, f))
			classify_packet(pl->cl, f, p, dir);
	}
	dv.f = f;
	dv.dir = dir;
	if (f->proto == L4_TCP) {
		if (f->no_dissector)
			return;
		if (p->tcp_flags & TH_ACK)
			peer_ack(pl, f, p, dir);
		/* a bare ACK is nothing to the reassembler */
		if (p->payload_len > 0 || (p->tcp_flags & TH_SYN))
			reasm_segment(&f->rs[dir], &pl->rs, p->seq, (p->tcp_flags & TH_SYN) != 0,
			    p->payload, p->payload_len, p->ts_us, deliver, &dv);
	} else if (p->payload_len > 0)
		deliver(&dv, p->payload, p->payload_len, false, p->ts_us);
}

static inline void
packet_in(struct pipeline *pl, int linktype, const uint8_t *frame,
    uint32_t caplen, uint32_t wirelen, uint64_t ts_us)
{
	struct pkt p;

	pl->packets++;
	pl->bytes += wirelen;
	decode_packet(linktype, frame, caplen, wirelen, ts_us, &p, &pl->dec);
	if (ts_us > pl->now_us)
		pl->now_us = ts_us;
	if (pl->now_us - pl->last_expire_us >= FLOW_EXPIRE_EVERY_US) {
		flow_expire(pl->ft, pl->now_us, FLOW_EXPIRE_MAX);
		pl->last_expire_us = pl->now_us;
	}
	if (pl->an)
		addr_note_pkt(pl->an, &p, ts_us);
	if (p.l2pay && !p.src_ip.fam && !p.is_arp)
		dissect_l2(pl, &p);
	else if (p.has_l4 && !p.frag && (p.l4proto == L4_TCP || p.l4proto == L4_UDP))
		dissect_flow(pl, &p);
}

void
pipeline_age(struct pipeline *pl, uint64_t now_us)
{
	if (now_us > pl->now_us)
		pl->now_us = now_us;
	flow_expire(pl->ft, pl->now_us, FLOW_EXPIRE_MAX);
	pl->last_expire_us = pl->now_us;
}

void
pipeline_packet(struct pipeline *pl, int linktype, const uint8_t *frame,
    uint32_t caplen, uint32_t wirelen, uint64_t ts_us)
{
	packet_in(pl, linktype, frame, caplen, wirelen, ts_us);
}

void
pipeline_packet_cb(void *pl, int linktype, const uint8_t *frame,
    uint32_t caplen, uint32_t wirelen, uint64_t ts_us)
{
	packet_in(pl, linktype, frame, caplen, wirelen, ts_us);
}

static void
report_one(void *arg, struct flow *f)
{
	emit_peer_and_service(arg, f, false);
}

void
pipeline_report_flows(struct pipeline *pl)
{
	flow_walk(pl->ft, report_one, pl);
	convagg_drain(pl->ca, pl->sink, SIZE_MAX);
	opagg_drain(pl->oa, pl->sink);
}

bool
pipeline_report_flows_step(struct pipeline *pl, size_t *pos, size_t max)
{
	/* a step of its own (at most 3 x OPAGG_MAX), so the queue holds it */
	if (*pos == 0 && opagg_drain(pl->oa, pl->sink))
		return false;
	if (!flow_walk_some(pl->ft, pos, max, report_one, pl))
		return false;
	return convagg_drain(pl->ca, pl->sink, max);
}

uint64_t
pipeline_packets(const struct pipeline *pl)
{
	return pl->packets;
}

void
pipeline_proto_counts(const struct pipeline *pl, counter_cb cb, void *arg)
{
	const struct decode_stats *d = &pl->dec;

	cb(arg, "eth", d->eth);
	cb(arg, "vlan", d->vlan);
	cb(arg, "arp", d->arp);
	cb(arg, "ipv4", d->ipv4);
	cb(arg, "ipv6", d->ipv6);
	cb(arg, "tcp", d->tcp);
	cb(arg, "udp", d->udp);
	cb(arg, "icmp", d->icmp);
	cb(arg, "icmpv6", d->icmpv6);
	for (size_t i = 0; i < n_dissectors; i++)
		cb(arg, dissectors[i]->name, pl->ds[i].pkts);
}

void
pipeline_stats_walk(const struct pipeline *pl, counter_cb cb, void *arg)
{
	const struct flow_stats *fs = flow_table_stats(pl->ft);
	char name[96];

	cb(arg, "packets", pl->packets);
	cb(arg, "bytes", pl->bytes);
	decode_stats_walk(&pl->dec, cb, arg);
	cb(arg, "flows.created", fs->created);
	cb(arg, "flows.active", fs->active);
	cb(arg, "flows.evicted", fs->evicted);
	cb(arg, "flows.expired", fs->expired);
	cb(arg, "flows.no_room", pl->no_flow);
	cb(arg, "flows.unidentified", pl->flows_unidentified);
	cb(arg, "flows.state_alloc_failed", pl->state_alloc_failed);
	cb(arg, "flows.dissector_rebinds", pl->not_mine_rebinds);
	cb(arg, "flows.dissector_tries_exhausted", pl->diss_tries_exhausted);
	cb(arg, "reasm.segments", pl->rs.segments);
	cb(arg, "reasm.bytes_delivered", pl->rs.bytes_delivered);
	cb(arg, "reasm.retransmitted_bytes", pl->rs.retransmitted_bytes);
	cb(arg, "reasm.out_of_order", pl->rs.out_of_order);
	cb(arg, "reasm.gaps", pl->rs.gaps);
	cb(arg, "reasm.holes_acked", pl->rs.holes_acked);
	cb(arg, "reasm.overflows", pl->rs.overflows);
	cb(arg, "reasm.mem_refused", pl->rs.mem_refused);
	cb(arg, "reasm.mem_in_use", pl->rs.mem_in_use);
	cb(arg, "obs.repeats_suppressed", pl->fc->suppressed + (pl->an ? pl->an->fc.suppressed : 0));
	cb(arg, "conversations.flow_reports", convagg_stats(pl->ca)->added);
	cb(arg, "conversations.sent", convagg_stats(pl->ca)->sent);
	cb(arg, "conversations.table_full", convagg_stats(pl->ca)->direct);
	cb(arg, "operations.reported", opagg_stats(pl->oa)->added);
	cb(arg, "operations.sent", opagg_stats(pl->oa)->sent);
	cb(arg, "operations.table_full", opagg_stats(pl->oa)->direct);
	cb(arg, "operations.details_dropped", opagg_stats(pl->oa)->details_dropped);
	cb(arg, "operations.bursts_split", opagg_stats(pl->oa)->bursts_split);
	classify_stats_walk(pl->cl, cb, arg);
	for (size_t i = 0; i < n_dissectors; i++) {
		const struct dissector *d = dissectors[i];
		const struct diss_stats *s = &pl->ds[i];

#define DS(field) snprintf(name, sizeof(name), "%s." #field, d->name); cb(arg, name, s->field);
		DS(pkts) DS(pdus) DS(bytes) DS(truncated) DS(malformed)
#undef DS
		for (int k = 0; k < DISS_MAX_COUNTERS && d->counter_names[k]; k++) {
			snprintf(name, sizeof(name), "%s.%s", d->name, d->counter_names[k]);
			cb(arg, name, s->counters[k]);
		}
	}
}
