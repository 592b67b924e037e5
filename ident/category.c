/*
 * category.c - one device category per asset (see category.h).
 *
 * The rules run strongest first.  What a device says it is (a CIP or
 * SunSpec device type, an order number, a fingerprint rule's device_type)
 * beats what it does on the wire (serving S7comm, being a DNP3
 * outstation), which beats how it is named (a host name "hmi-01"), which
 * beats who made it (the vendor table's category of the maker).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "category.h"

static const struct {
	const char	*name;
	const char	*label;
} cats[CAT_N] = {
	[CAT_UNKNOWN] = { "unknown", "unknown" },
	[CAT_PLC] = { "plc", "PLC" },
	[CAT_RTU] = { "rtu", "RTU" },
	[CAT_IED] = { "ied", "IED" },
	[CAT_HMI] = { "hmi", "HMI" },
	[CAT_EWS] = { "engineering_workstation", "engineering workstation" },
	[CAT_SCADA] = { "scada_server", "SCADA server" },
	[CAT_HISTORIAN] = { "historian", "historian" },
	[CAT_NETWORK] = { "network_device", "network device" },
	[CAT_FIREWALL] = { "firewall_router", "firewall/router" },
	[CAT_CAMERA] = { "camera", "camera" },
	[CAT_ENERGY] = { "inverter_energy", "inverter/energy" },
	[CAT_IT_HOST] = { "it_host", "IT host" },
};

const char *
category_name(enum dev_category c)
{
	return c < CAT_N ? cats[c].name : cats[CAT_UNKNOWN].name;
}

const char *
category_short(enum dev_category c)
{
	static const char *const shorts[CAT_N] = {
		[CAT_UNKNOWN] = "unknown", [CAT_PLC] = "PLC", [CAT_RTU] = "RTU", [CAT_IED] = "IED",
		[CAT_HMI] = "HMI", [CAT_EWS] = "EWS", [CAT_SCADA] = "SCADA", [CAT_HISTORIAN] = "historian",
		[CAT_NETWORK] = "network", [CAT_FIREWALL] = "firewall", [CAT_CAMERA] = "camera",
		[CAT_ENERGY] = "energy", [CAT_IT_HOST] = "IT host",
	};

	return c < CAT_N ? shorts[c] : shorts[CAT_UNKNOWN];
}

const char *
category_label(enum dev_category c)
{
	return c < CAT_N ? cats[c].label : cats[CAT_UNKNOWN].label;
}

bool
category_parse(const char *s, enum dev_category *c)
{
	for (int i = 0; i < CAT_N; i++)
		if (strcasecmp(s, cats[i].name) == 0 || strcasecmp(s, cats[i].label) == 0) {
			*c = (enum dev_category)i;
			return true;
		}
	return false;
}

/* --- the rules ----------------------------------------------------------- */

enum match { EXACT, PREFIX, WORD };	/* WORD: a word of the value starts with it */

struct rule {
	const char		*attr;
	const char		*value;
	enum match		 how;
	enum dev_category	 cat;
};

/* What the device states or a fingerprint rule concluded. */
static const struct rule stated[] = {
	{ "device_type", "plc", EXACT, CAT_PLC },
	{ "device_type", "plc_module", EXACT, CAT_PLC },
	{ "device_type", "cip:14", EXACT, CAT_PLC },		/* Programmable Logic Controller */
	{ "device_type", "rtu", EXACT, CAT_RTU },
	{ "device_type", "ied", EXACT, CAT_IED },
	{ "device_type", "relay", EXACT, CAT_IED },
	{ "device_type", "hmi", EXACT, CAT_HMI },
	{ "device_type", "cip:24", EXACT, CAT_HMI },		/* Human-Machine Interface */
	{ "device_type", "historian", EXACT, CAT_HISTORIAN },
	{ "device_type", "scada", EXACT, CAT_SCADA },
	{ "device_type", "engineering_workstation", EXACT, CAT_EWS },
	{ "device_type", "camera", EXACT, CAT_CAMERA },
	{ "device_type", "nvr", EXACT, CAT_CAMERA },
	{ "device_type", "firewall", EXACT, CAT_FIREWALL },
	{ "device_type", "router", EXACT, CAT_FIREWALL },
	{ "device_type", "switch", EXACT, CAT_NETWORK },
	{ "device_type", "network", EXACT, CAT_NETWORK },
	{ "device_type", "access_point", EXACT, CAT_NETWORK },
	{ "device_type", "gateway", EXACT, CAT_NETWORK },	/* serial/protocol gateway */
	{ "device_type", "cip:44", EXACT, CAT_NETWORK },	/* Managed Switch */
	{ "device_type", "inverter", PREFIX, CAT_ENERGY },
	{ "device_type", "meter", PREFIX, CAT_ENERGY },
	{ "device_type", "battery", PREFIX, CAT_ENERGY },
	{ "device_type", "energy", PREFIX, CAT_ENERGY },
	{ "device_type", "sunspec", PREFIX, CAT_ENERGY },
	/* SIMATIC CPUs: S7-300/400/1200/1500 and ET 200 CPUs */
	{ "product_code", "6ES7 31", PREFIX, CAT_PLC },
	{ "product_code", "6ES7 41", PREFIX, CAT_PLC },
	{ "product_code", "6ES7 21", PREFIX, CAT_PLC },
	{ "product_code", "6ES7 51", PREFIX, CAT_PLC },
	{ "product_code", "6ES7 151-8", PREFIX, CAT_PLC },
	{ "role", "plc", EXACT, CAT_PLC },
	{ "role", "rtu", EXACT, CAT_RTU },
	{ "role", "hmi", EXACT, CAT_HMI },
	{ "role", "iec61850_ied", EXACT, CAT_IED },
};

/* What it does on the wire. */
static const struct rule behaviour[] = {
	{ "service", "s7comm", EXACT, CAT_PLC },		/* answers S7 jobs */
	{ "service", "s7comm_plus", EXACT, CAT_PLC },
	{ "role", "dnp3_outstation", EXACT, CAT_RTU },
	{ "role", "iec104_controlled", EXACT, CAT_RTU },
	{ "role", "profinet_device", EXACT, CAT_UNKNOWN },	/* I/O or a drive: not decided */
	{ "role", "enip_adapter", EXACT, CAT_UNKNOWN },
};

/* An industrial client's host name says which kind of station it is. */
static const struct rule names[] = {
	{ "hostname", "hist", WORD, CAT_HISTORIAN },
	{ "hostname", "eng", WORD, CAT_EWS },
	{ "hostname", "ews", WORD, CAT_EWS },
	{ "hostname", "es", EXACT, CAT_EWS },
	{ "hostname", "scada", WORD, CAT_SCADA },
	{ "hostname", "hmi", WORD, CAT_HMI },
	{ "hostname", "ows", WORD, CAT_HMI },			/* operator workstation */
};

/* Roles of a station that polls or commands field devices. */
static const char *const master_roles[] = { "dnp3_master", "iec104_controlling", NULL };
static const char *const client_roles[] = { "modbus_client", "s7_client", "enip_scanner",
	"mms_client", "opcua_client", "profinet_controller", "bacnet_client", NULL };

/* The vendor table's category of the maker: the weakest hint. */
static const struct rule makers[] = {
	{ "maker_category", "camera", EXACT, CAT_CAMERA },
	{ "maker_category", "network", EXACT, CAT_NETWORK },
	{ "maker_category", "security", EXACT, CAT_FIREWALL },
	{ "maker_category", "energy", EXACT, CAT_ENERGY },
	{ "maker_category", "it", EXACT, CAT_IT_HOST },
};

/* A word of s (split at non-alphanumerics and digits) starts with w. */
static bool
has_word(const char *s, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = s; *p; p++) {
		bool start = p == s || !isalpha((unsigned char)p[-1]);

		if (start && strncasecmp(p, w, n) == 0)
			return true;
	}
	return false;
}

static bool
rule_matches(const struct rule *r, const struct cat_fact *f)
{
	/* the first byte turns most facts away without a call: every rule meets every fact */
	if (f->attr == NULL || f->value == NULL || f->attr[0] != r->attr[0] ||
	    strcmp(f->attr, r->attr) != 0)
		return false;
	switch (r->how) {
	case EXACT: return strcasecmp(f->value, r->value) == 0;
	case PREFIX: return strncasecmp(f->value, r->value, strlen(r->value)) == 0;
	case WORD: return has_word(f->value, r->value);
	}
	return false;
}

static void
say(char *reason, size_t sz, const struct cat_fact *f, const char *why)
{
	if (f)
		snprintf(reason, sz, "%s%s%s %s%s%s%s", why ? why : "", why ? ": " : "", f->attr,
		    f->value, f->source && *f->source ? " (" : "", f->source ? f->source : "",
		    f->source && *f->source ? ")" : "");
	else
		snprintf(reason, sz, "%s", why);
}

/* First rule of the list that a fact matches (rules in order, then facts). */
static bool
first_match(const struct rule *rules, size_t nrules, const struct cat_fact *f, size_t n,
    enum dev_category *cat, const struct cat_fact **which)
{
	for (size_t r = 0; r < nrules; r++)
		for (size_t i = 0; i < n; i++)
			if (rule_matches(&rules[r], &f[i])) {
				*cat = rules[r].cat;
				*which = &f[i];
				return true;
			}
	return false;
}

static const struct cat_fact *
has_role(const struct cat_fact *f, size_t n, const char *const *roles)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; roles[k]; k++)
			if (f[i].attr && f[i].value && strcmp(f[i].attr, "role") == 0 &&
			    strcmp(f[i].value, roles[k]) == 0)
				return &f[i];
	return NULL;
}

#define NRULES(a)	(sizeof(a) / sizeof(a[0]))

enum dev_category
category_of(const struct cat_fact *f, size_t n, bool gateway, char *reason, size_t reasonsz)
{
	const struct cat_fact *which = NULL, *client;
	enum dev_category c = CAT_UNKNOWN;

	if (first_match(stated, NRULES(stated), f, n, &c, &which)) {
		say(reason, reasonsz, which, NULL);
		return c;
	}
	/* named from SunSpec models or an inverter/meter register map (oui/registers.map) */
	for (size_t i = 0; i < n; i++)
		if (f[i].source && (strstr(f[i].source, "sunspec") || strstr(f[i].source, "regmap"))) {
			say(reason, reasonsz, &f[i], NULL);
			return CAT_ENERGY;
		}
	if (gateway) {
		say(reason, reasonsz, NULL, "forwards traffic for many IP addresses (gateway)");
		return CAT_FIREWALL;
	}
	if (first_match(behaviour, NRULES(behaviour), f, n, &c, &which) && c != CAT_UNKNOWN) {
		say(reason, reasonsz, which, NULL);
		return c;
	}
	c = CAT_UNKNOWN;
	client = has_role(f, n, master_roles);
	if (client || (client = has_role(f, n, client_roles)) != NULL) {
		enum dev_category byname;

		if (first_match(names, NRULES(names), f, n, &byname, &which)) {
			say(reason, reasonsz, which, category_label(byname));
			return byname;
		}
		c = has_role(f, n, master_roles) ? CAT_SCADA : CAT_HMI;
		say(reason, reasonsz, client, c == CAT_SCADA ? "polls field devices as master" :
		    "an industrial protocol client");
		return c;
	}
	if (first_match(makers, NRULES(makers), f, n, &c, &which)) {
		snprintf(reason, reasonsz, "maker %s (vendor table category %s)", which->source,
		    which->value);
		return c;
	}
	for (size_t i = 0; i < n; i++)
		if (f[i].attr && f[i].value && ((strcmp(f[i].attr, "device_type") == 0 &&
		    strcmp(f[i].value, "host") == 0) || strcmp(f[i].attr, "os") == 0)) {
			say(reason, reasonsz, &f[i], NULL);
			return CAT_IT_HOST;
		}
	if (reasonsz)
		reason[0] = '\0';
	return CAT_UNKNOWN;
}

/* --- names of codes -------------------------------------------------------- */

/* CIP Identity object, attribute 2 (ODVA, The CIP Networks Library vol. 1). */
static const struct {
	unsigned	 code;
	const char	*name;
} cip_types[] = {
	{ 0x00, "Generic Device" }, { 0x02, "AC Drive" }, { 0x03, "Motor Overload" },
	{ 0x04, "Limit Switch" }, { 0x05, "Inductive Proximity Switch" },
	{ 0x06, "Photoelectric Sensor" }, { 0x07, "General Purpose Discrete I/O" },
	{ 0x09, "Resolver" }, { 0x0c, "Communications Adapter" },
	{ 0x0e, "Programmable Logic Controller" }, { 0x10, "Position Controller" },
	{ 0x13, "DC Drive" }, { 0x15, "Contactor" }, { 0x16, "Motor Starter" },
	{ 0x17, "Soft Start" }, { 0x18, "Human-Machine Interface" },
	{ 0x1a, "Mass Flow Controller" }, { 0x1b, "Pneumatic Valve" },
	{ 0x1c, "Vacuum Pressure Gauge" }, { 0x1d, "Process Control Value" },
	{ 0x1e, "Residual Gas Analyzer" }, { 0x1f, "DC Power Generator" },
	{ 0x20, "RF Power Generator" }, { 0x21, "Turbomolecular Vacuum Pump" },
	{ 0x22, "Encoder" }, { 0x23, "Safety Discrete I/O Device" },
	{ 0x24, "Fluid Flow Controller" }, { 0x25, "CIP Motion Drive" },
	{ 0x26, "CompoNet Repeater" }, { 0x28, "CIP Modbus Device" },
	{ 0x29, "CIP Modbus Translator" }, { 0x2a, "Safety Analog I/O Device" },
	{ 0x2c, "Managed Switch" },
};

const char *
cip_device_type_name(unsigned code)
{
	for (size_t i = 0; i < NRULES(cip_types); i++)
		if (cip_types[i].code == code)
			return cip_types[i].name;
	return NULL;
}

/*
 * SIMATIC CPU order numbers, without blanks and hyphens, longest prefix
 * first (Siemens Industry Mall catalogue numbers).
 */
static const struct {
	const char	*prefix;
	const char	*model;
} s7_cpus[] = {
	{ "6ES73121", "CPU 312 (S7-300)" },
	{ "6ES73125", "CPU 312C (S7-300)" },
	{ "6ES73135", "CPU 313C (S7-300)" },
	{ "6ES73136", "CPU 313C-2 (S7-300)" },
	{ "6ES73141", "CPU 314 (S7-300)" },
	{ "6ES73146E", "CPU 314C-2 PN/DP (S7-300)" },
	{ "6ES73146", "CPU 314C-2 (S7-300)" },
	{ "6ES73152A", "CPU 315-2 DP (S7-300)" },
	{ "6ES73152E", "CPU 315-2 PN/DP (S7-300)" },
	{ "6ES73156", "CPU 315F-2 (S7-300)" },
	{ "6ES73172A", "CPU 317-2 DP (S7-300)" },
	{ "6ES73172E", "CPU 317-2 PN/DP (S7-300)" },
	{ "6ES73173", "CPU 317-2 PN/DP (S7-300)" },
	{ "6ES73176", "CPU 317F-2 (S7-300)" },
	{ "6ES73193", "CPU 319-3 PN/DP (S7-300)" },
	{ "6ES731", "CPU (S7-300)" },
	{ "6ES7412", "CPU 412 (S7-400)" },
	{ "6ES7414", "CPU 414 (S7-400)" },
	{ "6ES7416", "CPU 416 (S7-400)" },
	{ "6ES7417", "CPU 417 (S7-400)" },
	{ "6ES741", "CPU (S7-400)" },
	{ "6ES72111", "CPU 1211C (S7-1200)" },
	{ "6ES72121", "CPU 1212C (S7-1200)" },
	{ "6ES72141", "CPU 1214C (S7-1200)" },
	{ "6ES72151", "CPU 1215C (S7-1200)" },
	{ "6ES72171", "CPU 1217C (S7-1200)" },
	{ "6ES721", "CPU (S7-1200)" },
	{ "6ES75111", "CPU 1511-1 PN (S7-1500)" },
	{ "6ES75131", "CPU 1513-1 PN (S7-1500)" },
	{ "6ES75152", "CPU 1515-2 PN (S7-1500)" },
	{ "6ES75163", "CPU 1516-3 PN/DP (S7-1500)" },
	{ "6ES75173", "CPU 1517-3 PN/DP (S7-1500)" },
	{ "6ES75184", "CPU 1518-4 PN/DP (S7-1500)" },
	{ "6ES751", "CPU (S7-1500)" },
	{ "6ES71518", "IM151-8 PN/DP CPU (ET 200S)" },
};

bool
siemens_model(const char *order_number, char *out, size_t outsz)
{
	char key[32];
	size_t k = 0;

	for (const char *p = order_number; *p && k + 1 < sizeof(key); p++)
		if (*p != ' ' && *p != '-')
			key[k++] = (char)toupper((unsigned char)*p);
	key[k] = '\0';
	for (size_t i = 0; i < NRULES(s7_cpus); i++)
		if (strncmp(key, s7_cpus[i].prefix, strlen(s7_cpus[i].prefix)) == 0) {
			snprintf(out, outsz, "%s", s7_cpus[i].model);
			return true;
		}
	return false;
}
