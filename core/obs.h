/*
 * obs.h - observations: the one thing dissectors and the decoder produce.
 *
 * The pipeline is  capture -> decode -> flows -> dissectors -> observations
 * -> asset model -> store.  Everything left of "observations" runs in the
 * capture path and never blocks; it hands `struct obs` to a sink, which
 * copies it (the daemon's sink is a bounded queue drained into SQLite by a
 * timer; tests use a sink that collects into memory).
 *
 * Attribute names are the canonical strings below.  They are stored as
 * text, so a new dissector may add a new attribute without a schema change;
 * add its macro here so a typo is a compile error.
 */
#ifndef SW_OBS_H
#define SW_OBS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "addr.h"

enum obs_kind {
	OBS_FACT,	/* who has attr = val (evidence) */
	OBS_ADDR,	/* who.mac was seen using who.ip (src: "ip", "arp", "dhcp", ...) */
	OBS_SERVICE,	/* who offers/uses transport/port speaking proto (role in val) */
	OBS_PEER,	/* who talked to peer over transport/port/proto: pkts, bytes */
	OBS_OP,		/* who (the client) did op to peer (the server): see ops.h */
};
#define OBS_NKINDS	5	/* kinds above */
extern const char *const obs_kind_names[OBS_NKINDS];	/* "fact", "addr", ... */

/*
 * The name of an attribute or a source, as a dissector hands it on: a
 * string literal, because the queue keeps the pointer until the store's
 * flush (dissector.h says how the build enforces it).  FN() is the only
 * way to make one: it pastes "" name "", which compiles for a literal
 * (or a macro that is one) and for nothing else.
 */
struct fact_name {
	const char	*lit;		/* a string literal: only FN() writes it */
	size_t		 len;		/* strlen(lit), from sizeof: the repeat filter hashes the text */
};
#define FN(lit)	((struct fact_name){ "" lit "", sizeof("" lit "") - 1 })

/* Identity attributes (evidence about a device). */
#define A_VENDOR	"vendor"	/* manufacturer name as the device states it */
#define A_VENDOR_ID	"vendor_id"	/* numeric vendor id, "proto:N" e.g. "cip:1", "bacnet:15" */
#define A_MODEL		"model"		/* model / product name */
#define A_PRODUCT_CODE	"product_code"	/* order number, product code */
#define A_FIRMWARE	"firmware"	/* firmware / software revision of the device */
#define A_HARDWARE	"hardware"	/* hardware revision */
#define A_OPTIONS	"options"	/* options / variant the device states (SunSpec Opt) */
#define A_SERIAL	"serial"
#define A_HOSTNAME	"hostname"	/* DHCP/LLDP/CDP/SNMP/NetBIOS/mDNS name, PROFINET station name */
#define A_DEVICE_NAME	"device_name"	/* user-assigned name inside an OT protocol */
#define A_OS		"os"
#define A_ROLE		"role"		/* see R_* below */
#define A_SOFTWARE	"software"	/* server banner, user agent, SSH version string */
#define A_DEVICE_TYPE	"device_type"	/* "plc", "switch", "camera", CIP device type, ... */
#define A_LOCATION	"location"
#define A_DESCRIPTION	"description"	/* sysDescr, LLDP system description */
#define A_CONTACT	"contact"
#define A_PLATFORM	"platform"	/* CDP platform */
#define A_CAPABILITIES	"capabilities"	/* LLDP/CDP capabilities */
#define A_UNIT_ID	"modbus_unit_id"
#define A_DNP3_ADDR	"dnp3_address"
#define A_IEC104_CA	"iec104_common_address"
#define A_BACNET_DEV	"bacnet_device_instance"
#define A_C37_IDCODE	"c37118_idcode"		/* IEEE C37.118 stream id code */
#define A_C37_STATION	"c37118_station"	/* a PMU in a C37.118 configuration: "STN (id N)" */
#define A_C37_CHANNELS	"c37118_channels"	/* its channel names: "STN: VA, VB, ..." */
#define A_FUNCTION	"function"	/* protocol functions used, "modbus:16" */
#define A_FINGERPRINT	"fingerprint"	/* "dhcp55:1,3,6", "ja3:...", "ja4:..." */
#define A_TLS_SNI	"tls_sni"
#define A_CERT_SUBJECT	"cert_subject"
#define A_CERT_ISSUER	"cert_issuer"
#define A_URL		"url"
#define A_DNS_QUERY	"dns_query"	/* a name the device asked its resolver for */
#define A_DNS_RESOLVER	"dns_resolver"	/* the address of the resolver it asked */
#define A_DNS_ANSWER	"dns_answer"	/* "name=address": what an answer told the device */
#define A_DNS_CNAME	"dns_cname"	/* "owner=target": a CNAME in an answer's chain */
#define A_HTTP_HOST	"http_host"	/* Host header / absolute-URI authority of a request */
#define A_NOTE		"note"		/* anything else worth keeping, e.g. "snmp community seen" */
#define A_CHASSIS_ID	"chassis_id"	/* LLDP chassis id (MAC, address or name) */
#define A_PORT_ID	"port_id"	/* LLDP/CDP port the device sent from */

/*
 * Evidence about a device behind a Modbus server (a unit id, e.g. an
 * inverter on a gateway's RS-485 bus): the source starts with
 * SRC_MODBUS_UNIT and the value is "<unit id>|<value>".  The store files
 * it under that unit's own asset (store/units.c).
 */
#define SRC_MODBUS_UNIT	"modbus/unit/"

/* Roles (A_ROLE values). */
#define R_PLC		"plc"
#define R_RTU		"rtu"
#define R_HMI		"hmi"
#define R_MODBUS_SERVER	"modbus_server"
#define R_MODBUS_CLIENT	"modbus_client"
#define R_DNP3_MASTER	"dnp3_master"
#define R_DNP3_OUTSTATION "dnp3_outstation"
#define R_IEC104_SERVER	"iec104_controlled"
#define R_IEC104_CLIENT	"iec104_controlling"
#define R_GATEWAY	"gateway"
#define R_MODBUS_GATEWAY "modbus_gateway"	/* answers for several identified Modbus unit ids */
#define R_ENIP_SCANNER	"enip_scanner"	/* EtherNet/IP originator (explicit client, I/O scanner) */
#define R_ENIP_ADAPTER	"enip_adapter"	/* EtherNet/IP target */
#define R_S7_CLIENT	"s7_client"	/* sends S7comm jobs (HMI, engineering station) */
#define R_PN_CONTROLLER	"profinet_controller"	/* PROFINET IO controller / supervisor */
#define R_PN_DEVICE	"profinet_device"
#define R_IED		"iec61850_ied"	/* GOOSE publisher, MMS server */
#define R_MMS_CLIENT	"mms_client"
#define R_OPCUA_SERVER	"opcua_server"
#define R_OPCUA_CLIENT	"opcua_client"
#define R_PMU		"pmu"		/* phasor measurement unit: one C37.118 station */
#define R_PDC		"pdc"		/* phasor data concentrator: a stream of several PMUs */
#define R_C37_CLIENT	"c37118_client"	/* sends C37.118 commands (a PDC or historian) */

/* Confidence, 0-100: how far the source can be trusted for the attribute. */
#define CONF_STATED	90	/* the device says so in an identity message */
#define CONF_BANNER	70	/* a banner / free text that usually names it */
#define CONF_INFERRED	50	/* derived from behaviour (ports, roles) */
#define CONF_WEAK	30	/* registry or heuristic */

#define L4_NONE		0
#define L4_TCP		6
#define L4_UDP		17

struct obs {
	enum obs_kind	 kind;
	uint64_t	 ts_us;		/* packet time, microseconds since the epoch */
	uint64_t	 seq;		/* with several workers: the packet's place in the capture */
	uint64_t	 first_us;	/* OBS_SERVICE, OBS_PEER: the flow's first packet (0: ts_us) */
	struct asset_ref who;
	/* OBS_FACT */
	const char	*attr;		/* A_* (static string) */
	const char	*val;		/* value bytes, not NUL-terminated; sink copies and sanitises */
	size_t		 val_len;
	const char	*src;		/* "modbus/43.14", "lldp/sysname" (static string) */
	uint8_t		 conf;		/* CONF_* */
	/* OBS_SERVICE and OBS_PEER */
	uint8_t		 transport;	/* L4_TCP / L4_UDP / L4_NONE (layer 2) */
	uint16_t	 port;		/* server port */
	const char	*proto;		/* application protocol name (the sink copies it) */
	/* OBS_PEER */
	struct asset_ref peer;		/* the server side */
	uint64_t	 pkts, bytes;	/* since the previous OBS_PEER for this flow */
	/*
	 * OBS_OP: who = client, peer = server, proto = protocol, src = the
	 * protocol-level service ("modbus/fc16", static string), val/val_len
	 * = detail text (points, blocks, attribute, file), may be empty.
	 * The capture path sums them (packet/opagg.c): then op_n says how
	 * many requests or replies of the phase one observation stands for
	 * (0 counts as 1), ts_us is the first request's time and op_last_us
	 * the last one's (0: ts_us).
	 */
	uint8_t		 op;		/* enum op_kind */
	uint8_t		 op_phase;	/* enum op_phase */
	uint32_t	 op_n;
	uint64_t	 op_last_us;
};

/* Copy a protocol name, cut to fit (snprintf's formatting was measurable per report). */
static inline void
obs_copy_name(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

struct obs_sink {
	void	(*emit)(void *arg, const struct obs *o);
	void	 *arg;
};

static inline void
obs_emit(struct obs_sink *s, const struct obs *o)
{
	if (s && s->emit)
		s->emit(s->arg, o);
}

/*
 * Make a hostile byte string safe to keep and show: stops at the first NUL,
 * trims surrounding blanks, escapes control bytes and invalid UTF-8 as
 * "\xHH" and backslash as "\\".  Writes at most outsz-1 bytes plus NUL and
 * returns the length written.  Every sink applies it before storing.
 */
size_t	 obs_sanitize(const char *in, size_t inlen, char *out, size_t outsz);

#endif
