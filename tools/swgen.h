/*
 * swgen.h - the capture generator's parts (tools/swgen*.c, one program).
 */
#ifndef SW_SWGEN_H
#define SW_SWGEN_H

#include <stdint.h>

#define SWGEN_CROWD_MAX	1000000	/* distinct hosts of a --crowd capture */

/*
 * A crowd: nhosts distinct hosts, each announcing itself by ARP and opening
 * one Modbus/TCP connection to one of a few PLCs, round after round until
 * npkts packets are written.  For the memory-cap benchmark: every host is a
 * new asset and a new flow.  expected (may be NULL) gets the host list.
 */
int	swgen_crowd(const char *out, uint64_t npkts, uint64_t seed, uint32_t nhosts,
	    const char *expected);

/*
 * The calling-home plant (swgen_internet.c): devices that use Internet
 * services, a scanner probing in; locdb (may be NULL) gets a location
 * database naming the owners of the outside addresses.
 */
int	swgen_internet(const char *out, const char *locdb);

/*
 * A flood: the packets of base with nspoof TCP SYNs from random spoofed
 * source MACs and IPs spread over its middle half, written to out.
 */
int	swgen_spoof(const char *base, const char *out, uint64_t nspoof, uint64_t seed);

#endif
