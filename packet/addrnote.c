/*
 * addrnote.c - a sender's address, a few times an hour at most (addrnote.h).
 */
#include "addrnote.h"

void
addr_noter_reset(struct addr_noter *an)
{
	memset(an->memo, 0, sizeof(an->memo));
	memset(&an->fc, 0, sizeof(an->fc));
}

/*
 * Runs for every frame the inline memo check did not settle: the repeat
 * check comes first, on the raw fields, and the observation is built only
 * when it goes out.
 */
void
addr_note_slow(struct addr_noter *an, const uint8_t mac[6], const struct ipaddr *ip,
    uint16_t vlan, const char *src, uint64_t ts)
{
	static const struct ipaddr none;
	struct addr_memo *m;
	struct obs o;
	uint64_t h, w = 0;

	if (mac_is_group(mac) || mac_is_zero(mac))
		return;
	if (ip == NULL || !ip_is_unicast_host(ip))
		ip = &none;
	m = addr_memo_slot(an, mac, ip);
	if (addr_memo_hit(m, mac, ip, vlan, src, ts))
		return;
	memcpy(m->mac, mac, 6);
	m->ip = *ip;
	m->vlan = vlan;
	m->src = src;
	m->since = ts;
	memcpy(&w, mac, 6);
	h = fc_hash_word(FC_SEED ^ 2, w ^ ((uint64_t)vlan << 48));
	h = fc_hash(h, ip, sizeof(*ip));
	h = fc_hash_static(h, src);	/* a string literal */
	if (!fc_should_send(&an->fc, h, ts))
		return;
	memset(&o, 0, sizeof(o));
	o.kind = OBS_ADDR;
	o.ts_us = ts;
	memcpy(o.who.mac, mac, 6);
	o.who.ip = *ip;
	o.who.vlan = vlan;
	o.src = src;
	o.conf = CONF_STATED;
	obs_emit(an->sink, &o);
}
