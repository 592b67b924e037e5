/*
 * category.h - one device category per asset, from all its evidence.
 *
 * The category is what an operator sorts an inventory by (PLC, RTU, HMI,
 * ...).  It is decided from the evidence the store keeps (roles, device
 * types from protocols and fingerprint rules, order numbers, services,
 * the maker's category in the vendor table) by an ordered list of rules:
 * the first that matches decides, and its fact is the reason shown.
 */
#ifndef SW_CATEGORY_H
#define SW_CATEGORY_H

#include <stdbool.h>
#include <stddef.h>

enum dev_category {
	CAT_UNKNOWN,
	CAT_PLC,
	CAT_RTU,
	CAT_IED,
	CAT_HMI,
	CAT_EWS,		/* engineering workstation */
	CAT_SCADA,		/* SCADA server, front end, master station */
	CAT_HISTORIAN,
	CAT_NETWORK,		/* switch, access point, serial/protocol gateway */
	CAT_FIREWALL,		/* firewall, router */
	CAT_CAMERA,
	CAT_ENERGY,		/* inverter, meter, battery, protection relay */
	CAT_IT_HOST,
	CAT_N
};

/* One piece of evidence: attribute, value, source (as stored). */
struct cat_fact {
	const char	*attr;		/* "role", "device_type", "service", "maker_category", ... */
	const char	*value;
	const char	*source;
};

#define CATEGORY_REASON_MAX	192

/*
 * The category of an asset with these facts; gateway: the store found the
 * MAC forwarding for many IPs.  reason (CATEGORY_REASON_MAX) gets the fact
 * that decided, e.g. "device_type plc (rule:plc-koyo-hostname)".
 */
enum dev_category category_of(const struct cat_fact *f, size_t n, bool gateway,
	    char *reason, size_t reasonsz);
/* "plc", "engineering_workstation", ...: the stable name (JSON, CSV, ECS). */
const char *category_name(enum dev_category c);
/* "PLC", "engineering workstation", ...: for people. */
const char *category_label(enum dev_category c);
/* "PLC", "EWS", "SCADA", "firewall", "energy", ...: a table column's width. */
const char *category_short(enum dev_category c);
bool	 category_parse(const char *s, enum dev_category *c);

/* ODVA's name of a CIP device type ("Programmable Logic Controller"), NULL if unknown. */
const char *cip_device_type_name(unsigned code);
/*
 * The Siemens CPU a SIMATIC order number names ("6ES7 315-2EH14-0AB0" ->
 * "CPU 315-2 PN/DP"); false when the table does not know the number.
 */
bool	 siemens_model(const char *order_number, char *out, size_t outsz);

#endif
