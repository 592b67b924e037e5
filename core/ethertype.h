/*
 * ethertype.h - Ethertype numbers (IEEE registry) shared by the decoder,
 * which counts and routes frames by them, and the layer-2 dissectors,
 * which name the one they parse in their descriptor.
 */
#ifndef SW_ETHERTYPE_H
#define SW_ETHERTYPE_H

#define ETHERTYPE_IPV4	0x0800
#define ETHERTYPE_ARP	0x0806
#define ETHERTYPE_VLAN	0x8100
#define ETHERTYPE_QINQ	0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100
#define ETHERTYPE_IPV6	0x86dd
#define ETHERTYPE_LLDP	0x88cc
#define ETHERTYPE_PNIO	0x8892	/* PROFINET real-time (DCP) */
#define ETHERTYPE_GOOSE	0x88b8

#endif
