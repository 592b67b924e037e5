/*
 * registry.c - the one list of dissectors.
 *
 * Order matters only for heuristic probing of flows on unknown ports: the
 * probes are asked in this order and the first that says yes binds.  The
 * list is alphabetical, except that the probes of the text and name
 * protocols (NetBIOS, mDNS, TLS, SSDP, HTTP, DNS), the loosest, come last.
 * Port lookups consider all entries.
 */
#include <string.h>

#include "dissector.h"

extern const struct dissector dis_bacnet;
extern const struct dissector dis_c37118;
extern const struct dissector dis_cdp;
extern const struct dissector dis_dhcp;
extern const struct dissector dis_dhcp6;
extern const struct dissector dis_dnp3;
extern const struct dissector dis_dns;
extern const struct dissector dis_enip;
extern const struct dissector dis_goose;
extern const struct dissector dis_iec104;
extern const struct dissector dis_lldp;
extern const struct dissector dis_llmnr;
extern const struct dissector dis_mms;
extern const struct dissector dis_modbus;
extern const struct dissector dis_nbss;
extern const struct dissector dis_opcua;
extern const struct dissector dis_pn_dcp;
extern const struct dissector dis_s7comm;
extern const struct dissector dis_snmp;
extern const struct dissector dis_ssh;
extern const struct dissector dis_netbios;
extern const struct dissector dis_mdns;
extern const struct dissector dis_tls;
extern const struct dissector dis_ssdp;
extern const struct dissector dis_http;

const struct dissector *const dissectors[] = {
	&dis_bacnet,
	&dis_c37118,
	&dis_cdp,
	&dis_dhcp,
	&dis_dhcp6,
	&dis_dnp3,
	&dis_enip,
	&dis_goose,
	&dis_iec104,
	&dis_lldp,
	&dis_llmnr,
	&dis_mms,
	&dis_modbus,
	&dis_nbss,
	&dis_opcua,
	&dis_pn_dcp,
	&dis_s7comm,
	&dis_snmp,
	&dis_ssh,
	&dis_netbios,
	&dis_mdns,
	&dis_tls,
	&dis_ssdp,
	&dis_http,
	&dis_dns,
	NULL
};

const size_t n_dissectors = sizeof(dissectors) / sizeof(dissectors[0]) - 1;

/* a flow's "not mine" answers are a 32-bit mask of these indexes (packet/flow.h) */
_Static_assert(sizeof(dissectors) / sizeof(dissectors[0]) - 1 <= 32, "more dissectors than flow.tried has bits");

int
dissector_index(const char *name)
{
	for (size_t i = 0; i < n_dissectors; i++)
		if (strcmp(dissectors[i]->name, name) == 0)
			return (int)i;
	return -1;
}
