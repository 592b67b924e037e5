/*
 * test_inventory.c - the inventory of every shared capture, as the CLI
 * shows it, against the capture's expected.json.
 *
 * Each capture runs through the whole pipeline into a fresh SQLite store
 * (decode, flows, dissectors, observation queue, asset model), then the
 * CLI's own reader (cli/cli_asset.c) builds the `show --json` object of
 * every asset, and each section of expected.json is compared with it by
 * one function.  A section is checked once a dissector for it is
 * registered, so sections start being asserted as dissectors land.
 * Every mismatch of a capture is listed in its one failure message;
 * SW_INVENTORY_DUMP=1 also prints that capture's inventory.
 */
#include <ctype.h>
#include <glob.h>
#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "support.h"
#include "q_internet.h"
#include "dissector.h"
#include "sw_limits.h"
#include "obsq.h"
#include "oui.h"
#include "store.h"

/* The CLI's reader is not in the library: compile it in. */
#include "../cli/cli_out.c"
#include "../cli/cli_table.c"
#include "../cli/cli_filter.c"
#include "../cli/cli_db.c"
#include "../cli/cli_asset.c"

/* --- the inventory as the CLI shows it ----------------------------------- */

struct ictx {
	const char	*cap;		/* capture path relative to the pcaps dir */
	json_t		*inv;		/* array of `show --json` objects */
	json_t		*endpoints;	/* addresses kept as Internet endpoints, not assets */
	char		 msg[16384];	/* every mismatch, one per line */
	size_t		 len;
	unsigned	 fails;
	unsigned	 checked;	/* facts compared, so an empty test is visible */
};

static void
miss(struct ictx *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
miss(struct ictx *x, const char *fmt, ...)
{
	va_list ap;
	int n;

	x->fails++;
	if (x->len + 2 >= sizeof(x->msg))
		return;
	va_start(ap, fmt);
	n = vsnprintf(x->msg + x->len, sizeof(x->msg) - x->len - 1, fmt, ap);
	va_end(ap);
	if (n > 0)
		x->len = strlen(x->msg);
	x->msg[x->len++] = '\n';
	x->msg[x->len] = '\0';
}

/* Broadcast, multicast, loopback, unspecified, class E: never an asset. */
static bool
host_ip(const char *s)
{
	struct ipaddr ip;

	return s && ip_parse(s, &ip) && ip_is_unicast_host(&ip);
}

static bool
same_ip(const char *a, const char *b)
{
	struct ipaddr x, y;

	return a && b && ip_parse(a, &x) && ip_parse(b, &y) && ip_eq(&x, &y);
}

static bool
asset_has_ip(json_t *a, const char *ip)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(a, "ips"), i, v)
		if (same_ip(json_string_value(v), ip))
			return true;
	return false;
}

static json_t *
by_ip(struct ictx *x, const char *ip)
{
	size_t i;
	json_t *a;

	json_array_foreach(x->inv, i, a)
		if (asset_has_ip(a, ip))
			return a;
	return NULL;
}

static json_t *
by_mac(struct ictx *x, const char *mac)
{
	size_t i;
	json_t *a;
	const char *m;

	json_array_foreach(x->inv, i, a)
		if ((m = json_string_value(json_object_get(a, "mac"))) && strcasecmp(m, mac) == 0)
			return a;
	return NULL;
}

static bool
str_in(json_t *arr, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

static bool
is_gateway(json_t *a)
{
	return json_is_true(json_object_get(a, "gateway")) ||
	    str_in(json_object_get(a, "roles"), R_GATEWAY);
}

/*
 * Does the asset hold evidence for one of attrs whose value matches want?
 * The expected value is sanitised as the store sanitises; a match is equal
 * ignoring case, or the evidence containing it (dissectors may add units).
 */
static bool
has_ev(json_t *a, const char *const *attrs, const char *want)
{
	char w[OBS_VAL_MAX];
	size_t i;
	json_t *e;

	if (a == NULL)
		return false;
	obs_sanitize(want, strlen(want), w, sizeof(w));
	json_array_foreach(json_object_get(a, "evidence"), i, e) {
		const char *attr = json_string_value(json_object_get(e, "attribute"));
		const char *val = json_string_value(json_object_get(e, "value"));

		if (attr == NULL || val == NULL)
			continue;
		for (const char *const *p = attrs; *p; p++)
			if (strcmp(attr, *p) == 0 &&
			    (strcasecmp(val, w) == 0 || strcasestr(val, w) != NULL))
				return true;
	}
	return false;
}

#define ATTRS(...)	((const char *const[]){ __VA_ARGS__, NULL })

/* Check one fact about the asset at ip (or mac): attribute(s) = value. */
static void
expect_ev(struct ictx *x, const char *sect, const char *who, json_t *a,
    const char *const *attrs, const char *want)
{
	if (want == NULL || *want == '\0')
		return;
	x->checked++;
	if (a == NULL)
		miss(x, "%s: %s: no asset (wanted %s=%s)", sect, who, attrs[0], want);
	else if (!has_ev(a, attrs, want))
		miss(x, "%s: %s: no %s evidence \"%s\"", sect, who, attrs[0], want);
}

static void
expect_role(struct ictx *x, const char *sect, const char *ip, const char *role)
{
	json_t *a;

	if (!host_ip(ip))
		return;
	x->checked++;
	if ((a = by_ip(x, ip)) == NULL)
		miss(x, "%s: %s: no asset", sect, ip);
	else if (!str_in(json_object_get(a, "roles"), role))
		miss(x, "%s: %s: role %s missing", sect, ip, role);
}

/*
 * The asset at ip offers port (a "server" service), or uses it: a
 * conversation with a peer that is the server on that port.
 */
static void
expect_service(struct ictx *x, const char *sect, const char *ip, long port,
    const char *role)
{
	bool server = strcmp(role, "server") == 0;
	json_t *a, *s;
	size_t i;

	if (!host_ip(ip))
		return;
	x->checked++;
	if ((a = by_ip(x, ip)) == NULL) {
		miss(x, "%s: %s: no asset", sect, ip);
		return;
	}
	json_array_foreach(json_object_get(a, server ? "services" : "peers"), i, s) {
		const char *r = json_string_value(json_object_get(s, server ? "role" : "direction"));

		/* For a client, the peer's direction is "server". */
		if (json_integer_value(json_object_get(s, "port")) == port &&
		    r && strcmp(r, "server") == 0)
			return;
	}
	miss(x, "%s: %s: no %s on port %ld", sect, ip,
	    server ? "server service" : "conversation with a server", port);
}

/* Lenient OUI vendor match: first word of one among the words of the other. */
static void
words(const char *s, char out[][32], size_t *n, size_t max)
{
	*n = 0;
	while (*s && *n < max) {
		size_t k = 0;

		while (*s && !isalnum((unsigned char)*s))
			s++;
		while (isalnum((unsigned char)*s)) {
			if (k < 31)
				out[*n][k++] = (char)tolower((unsigned char)*s);
			s++;
		}
		out[*n][k] = '\0';
		if (k)
			(*n)++;
	}
}

static bool
vendor_matches(const char *expected, const char *ours)
{
	char e[16][32], o[16][32];
	size_t ne, no;

	words(expected, e, &ne, 16);
	words(ours, o, &no, 16);
	if (ne == 0 || no == 0)
		return false;
	for (size_t i = 0; i < ne; i++)
		if (strcmp(e[i], o[0]) == 0)
			return true;
	for (size_t i = 0; i < no; i++)
		if (strcmp(o[i], e[0]) == 0)
			return true;
	return false;
}

/*
 * An address outside the default site networks that the store keeps as an
 * endpoint (a scanner, a cloud front end): tshark lists every address, the
 * inventory only the plant's.  A private address never qualifies.
 */
static bool
outside_endpoint(struct ictx *x, const char *ip)
{
	static const char *const site[] = { "10.", "192.168.", "169.254.", "fe80:", "fc", "fd", NULL };
	size_t i;
	json_t *v;

	for (int k = 0; site[k]; k++)
		if (strncmp(ip, site[k], strlen(site[k])) == 0)
			return false;
	if (strncmp(ip, "172.", 4) == 0 && atoi(ip + 4) >= 16 && atoi(ip + 4) < 32)
		return false;
	json_array_foreach(x->endpoints, i, v)
		if (strcmp(json_string_value(v), ip) == 0)
			return true;
	return false;
}

/* --- sections ------------------------------------------------------------ */

static void
check_hosts(struct ictx *x, json_t *hosts)
{
	size_t i, k;
	json_t *h, *ipv;

	json_array_foreach(hosts, i, h) {
		const char *mac = json_string_value(json_object_get(h, "mac"));
		const char *ov = json_string_value(json_object_get(h, "oui_vendor"));
		uint8_t m[6];
		json_t *a;

		if (mac == NULL || !mac_parse(mac, m) || mac_is_group(m) || mac_is_zero(m))
			continue;
		x->checked++;
		if ((a = by_mac(x, mac)) == NULL) {
			miss(x, "hosts: MAC %s is not an asset", mac);
			continue;
		}
		if (ov && !mac_is_local(m)) {
			const char *ours = json_string_value(json_object_get(a, "oui_vendor"));

			x->checked++;
			if (ours == NULL || !vendor_matches(ov, ours))
				miss(x, "hosts: %s: OUI vendor \"%s\", expected \"%s\"", mac,
				    ours ? ours : "(none)", ov);
		}
		json_array_foreach(json_object_get(h, "ips"), k, ipv) {
			const char *ip = json_string_value(ipv);
			json_t *b;

			if (!host_ip(ip))
				continue;
			x->checked++;
			if (is_gateway(a)) {
				/* Behind a router: an asset of its own, or an Internet endpoint. */
				if ((b = by_ip(x, ip)) == NULL && !outside_endpoint(x, ip))
					miss(x, "hosts: %s behind gateway %s is not an asset", ip, mac);
			} else if (!asset_has_ip(a, ip)) {
				b = by_ip(x, ip);
				miss(x, "hosts: %s not on the asset of %s (found on %s)", ip, mac,
				    b ? json_string_value(json_object_get(b, "mac")) : "no asset");
			}
		}
	}
}

static void
check_ip_addresses(struct ictx *x, json_t *ips)
{
	size_t i, k;
	json_t *v, *a;

	json_array_foreach(ips, i, v) {
		const char *ip = json_string_value(v);

		if (!host_ip(ip))
			continue;
		x->checked++;
		if (by_ip(x, ip) == NULL && !outside_endpoint(x, ip))
			miss(x, "ip_addresses: %s is on no asset", ip);
	}
	/* Broadcast, multicast and zero addresses are never assets. */
	json_array_foreach(x->inv, i, a) {
		const char *mac = json_string_value(json_object_get(a, "mac"));
		uint8_t m[6];

		x->checked++;
		if (mac && (!mac_parse(mac, m) || mac_is_group(m) || mac_is_zero(m)))
			miss(x, "asset %s: group or zero MAC", mac);
		json_array_foreach(json_object_get(a, "ips"), k, v)
			if (!host_ip(json_string_value(v)))
				miss(x, "asset %s: address %s is not a unicast host",
				    mac ? mac : "-", json_string_value(v));
	}
}

static const char *
num_str(json_t *v, char *buf, size_t sz)
{
	if (json_is_integer(v))
		snprintf(buf, sz, "%lld", (long long)json_integer_value(v));
	else if (json_is_string(v))
		snprintf(buf, sz, "%s", json_string_value(v));
	else
		return NULL;
	return buf;
}

/* servers[{ip, port, clients[]}] common to Modbus, IEC 104, S7comm. */
static void
check_servers(struct ictx *x, const char *sect, json_t *servers,
    const char *srole, const char *crole)
{
	size_t i, k;
	json_t *s, *c;

	json_array_foreach(servers, i, s) {
		const char *ip = json_string_value(json_object_get(s, "ip"));
		long port = (long)json_integer_value(json_object_get(s, "port"));

		expect_service(x, sect, ip, port, "server");
		if (srole)
			expect_role(x, sect, ip, srole);
		json_array_foreach(json_object_get(s, "clients"), k, c) {
			/* A host talking to itself: one asset, no conversation kept. */
			if (same_ip(json_string_value(c), ip))
				continue;
			expect_service(x, sect, json_string_value(c), port, "client");
			if (crole)
				expect_role(x, sect, json_string_value(c), crole);
		}
	}
}

static void
check_modbus(struct ictx *x, json_t *sec)
{
	const struct { const char *obj; const char *const *attrs; } objs[] = {
		{ "VendorName", ATTRS(A_VENDOR) },
		{ "ProductCode", ATTRS(A_PRODUCT_CODE) },
		{ "MajorMinorRevision", ATTRS(A_FIRMWARE) },
		{ "VendorUrl", ATTRS(A_URL) },
		{ "ProductName", ATTRS(A_MODEL) },
		{ "ModelName", ATTRS(A_MODEL) },
		{ "UserApplicationName", ATTRS(A_DEVICE_NAME) },
	};
	size_t i, k;
	json_t *s, *u, *d;
	char b[32];

	check_servers(x, "modbus", json_object_get(sec, "servers"), R_MODBUS_SERVER,
	    R_MODBUS_CLIENT);
	json_array_foreach(json_object_get(sec, "servers"), i, s) {
		const char *ip = json_string_value(json_object_get(s, "ip"));

		if (!host_ip(ip))
			continue;
		json_array_foreach(json_object_get(s, "unit_ids"), k, u)
			expect_ev(x, "modbus", ip, by_ip(x, ip), ATTRS(A_UNIT_ID),
			    num_str(u, b, sizeof(b)));
	}
	json_array_foreach(json_object_get(sec, "device_identification"), i, d) {
		const char *ip = json_string_value(json_object_get(d, "ip"));
		json_t *o = json_object_get(d, "objects");

		if (!host_ip(ip))
			continue;
		for (k = 0; k < sizeof(objs) / sizeof(objs[0]); k++)
			expect_ev(x, "modbus 43/14", ip, by_ip(x, ip), objs[k].attrs,
			    json_string_value(json_object_get(o, objs[k].obj)));
	}
}

static void
check_dnp3_side(struct ictx *x, json_t *list, const char *role)
{
	size_t i, k;
	json_t *e, *ipv;
	char b[32];

	json_array_foreach(list, i, e) {
		const char *addr = num_str(json_object_get(e, "link_addr"), b, sizeof(b));

		json_array_foreach(json_object_get(e, "ips"), k, ipv) {
			const char *ip = json_string_value(ipv);

			if (!host_ip(ip))
				continue;
			expect_role(x, "dnp3", ip, role);
			expect_ev(x, "dnp3", ip, by_ip(x, ip), ATTRS(A_DNP3_ADDR), addr);
		}
	}
}

static void
check_dnp3(struct ictx *x, json_t *sec)
{
	check_dnp3_side(x, json_object_get(sec, "masters"), R_DNP3_MASTER);
	check_dnp3_side(x, json_object_get(sec, "outstations"), R_DNP3_OUTSTATION);
}

static void
check_iec104(struct ictx *x, json_t *sec)
{
	size_t i, k;
	json_t *ca, *a;
	char b[32];

	check_servers(x, "iec104", json_object_get(sec, "servers"), R_IEC104_SERVER,
	    R_IEC104_CLIENT);
	json_array_foreach(json_object_get(sec, "common_addresses"), i, ca) {
		const char *want = num_str(ca, b, sizeof(b));
		bool found = false;

		x->checked++;
		json_array_foreach(x->inv, k, a)
			if (has_ev(a, ATTRS(A_IEC104_CA), want))
				found = true;
		if (!found)
			miss(x, "iec104: common address %s on no asset", want);
	}
}

/*
 * Revision major.minor.  For ListIdentity the generator of expected.json
 * read the two revision bytes as one little-endian number and printed
 * them high byte first: its "7.4" is tshark's "Revision: 4.07" and the
 * same device's CIP identity reply "4.7".  So a swapped value matches too.
 */
static void
expect_revision(struct ictx *x, const char *sect, const char *ip, json_t *a,
    const char *rev, bool maybe_swapped)
{
	unsigned maj, min;
	char swapped[32];

	if (rev && maybe_swapped && sscanf(rev, "%u.%u", &maj, &min) == 2) {
		snprintf(swapped, sizeof(swapped), "%u.%u", min, maj);
		if (has_ev(a, ATTRS(A_FIRMWARE), swapped)) {
			x->checked++;
			return;
		}
	}
	expect_ev(x, sect, ip, a, ATTRS(A_FIRMWARE), rev);
}

/* ListIdentity items and CIP identity objects have the same fields. */
static void
check_cip_like(struct ictx *x, const char *sect, json_t *sec)
{
	size_t i;
	json_t *e;
	char b[32], v[48];

	json_array_foreach(sec, i, e) {
		const char *ip = json_string_value(json_object_get(e, "ip"));
		json_t *a;

		if (!host_ip(ip))
			continue;
		a = by_ip(x, ip);
		if (num_str(json_object_get(e, "vendor_id"), b, sizeof(b))) {
			snprintf(v, sizeof(v), "cip:%s", b);
			expect_ev(x, sect, ip, a, ATTRS(A_VENDOR_ID), v);
		}
		if (num_str(json_object_get(e, "device_type"), b, sizeof(b))) {
			snprintf(v, sizeof(v), "cip:%s", b);
			expect_ev(x, sect, ip, a, ATTRS(A_DEVICE_TYPE), v);
		}
		expect_ev(x, sect, ip, a, ATTRS(A_PRODUCT_CODE),
		    num_str(json_object_get(e, "product_code"), b, sizeof(b)));
		expect_revision(x, sect, ip, a, json_string_value(json_object_get(e, "revision")),
		    strcmp(sect, "enip_list_identity") == 0);
		expect_ev(x, sect, ip, a, ATTRS(A_SERIAL),
		    json_string_value(json_object_get(e, "serial")));
		expect_ev(x, sect, ip, a, ATTRS(A_MODEL),
		    json_string_value(json_object_get(e, "product_name")));
	}
}

static void
check_enip_list_identity(struct ictx *x, json_t *sec)
{
	check_cip_like(x, "enip_list_identity", sec);
}

static void
check_cip_identity(struct ictx *x, json_t *sec)
{
	check_cip_like(x, "cip_identity", sec);
}

static void
check_s7comm(struct ictx *x, json_t *sec)
{
	check_servers(x, "s7comm", json_object_get(sec, "servers"), NULL, R_S7_CLIENT);
}

/* SZL 0x001C component index -> attribute (see dissectors/s7comm.c). */
static const char *
szl_component_attr(unsigned idx)
{
	switch (idx) {
	case 0x0001: case 0x0002: return A_DEVICE_NAME;
	case 0x0003: case 0x000b: return A_LOCATION;
	case 0x0005: return A_SERIAL;
	case 0x0007: return A_MODEL;
	case 0x0004: case 0x0008: return A_NOTE;
	}
	return NULL;
}

static void
check_s7comm_szl(struct ictx *x, json_t *sec)
{
	size_t i;
	json_t *e, *v;
	const char *key;

	json_array_foreach(sec, i, e) {
		const char *ip = json_string_value(json_object_get(e, "ip"));
		json_t *mod = json_object_get(e, "module_identification");
		json_t *a = by_ip(x, ip);

		if (!host_ip(ip))
			continue;
		/* Index 1: the module's own order number (MLFB). */
		expect_ev(x, "s7comm_szl", ip, a, ATTRS(A_PRODUCT_CODE),
		    json_string_value(json_object_get(json_object_get(mod, "0x0001"),
		    "order_number")));
		json_object_foreach(json_object_get(e, "component_identification"), key, v) {
			const char *at = strchr(key, '@');
			const char *attr;

			if (at && (attr = szl_component_attr((unsigned)strtoul(at + 1, NULL, 16))))
				expect_ev(x, "s7comm_szl", ip, a, ATTRS(attr), json_string_value(v));
		}
	}
}

static void
check_bacnet(struct ictx *x, json_t *sec)
{
	size_t i;
	json_t *e;
	char b[32], v[48];

	json_array_foreach(json_object_get(sec, "i_am"), i, e) {
		const char *ip = json_string_value(json_object_get(e, "ip"));
		json_t *a = by_ip(x, ip);

		if (!host_ip(ip))
			continue;
		expect_ev(x, "bacnet", ip, a, ATTRS(A_BACNET_DEV),
		    num_str(json_object_get(e, "device_instance"), b, sizeof(b)));
		if (num_str(json_object_get(e, "vendor_id"), b, sizeof(b))) {
			snprintf(v, sizeof(v), "bacnet:%s", b);
			expect_ev(x, "bacnet", ip, a, ATTRS(A_VENDOR_ID), v);
		}
	}
}

static void
check_profinet_dcp(struct ictx *x, json_t *sec)
{
	size_t i;
	json_t *e;
	char b[32];

	json_array_foreach(sec, i, e) {
		const char *mac = json_string_value(json_object_get(e, "mac"));
		const char *ip = json_string_value(json_object_get(e, "ip"));
		json_t *a;

		/* Only responses describe their sender; a request names whom it seeks. */
		if (mac == NULL || json_integer_value(json_object_get(e, "service_type")) != 1)
			continue;
		a = by_mac(x, mac);
		expect_ev(x, "profinet_dcp", mac, a, ATTRS(A_HOSTNAME, A_DEVICE_NAME),
		    json_string_value(json_object_get(e, "name_of_station")));
		expect_ev(x, "profinet_dcp", mac, a, ATTRS(A_MODEL, A_DEVICE_TYPE),
		    json_string_value(json_object_get(e, "device_vendor_value")));
		if (json_is_integer(json_object_get(e, "vendor_id"))) {
			snprintf(b, sizeof(b), "pn:0x%04llx",
			    (unsigned long long)json_integer_value(json_object_get(e, "vendor_id")));
			expect_ev(x, "profinet_dcp", mac, a, ATTRS(A_VENDOR_ID), b);
		}
		if (json_is_integer(json_object_get(e, "device_id"))) {
			snprintf(b, sizeof(b), "0x%04llx",
			    (unsigned long long)json_integer_value(json_object_get(e, "device_id")));
			expect_ev(x, "profinet_dcp", mac, a, ATTRS(A_PRODUCT_CODE), b);
		}
		if (host_ip(ip)) {
			x->checked++;
			if (a && !asset_has_ip(a, ip))
				miss(x, "profinet_dcp: %s: address %s not attached", mac, ip);
		}
	}
}

/* {ip: [string, ...]} maps: HTTP Server headers and User-Agents. */
static void
check_ip_strings(struct ictx *x, const char *sect, json_t *sec)
{
	const char *ip;
	json_t *list, *v;
	size_t i;

	json_object_foreach(sec, ip, list) {
		if (!host_ip(ip))
			continue;
		json_array_foreach(list, i, v)
			expect_ev(x, sect, ip, by_ip(x, ip), ATTRS(A_SOFTWARE),
			    json_string_value(v));
	}
}

static void
check_http_server(struct ictx *x, json_t *sec)
{
	check_ip_strings(x, "http_server", sec);
}

static void
check_http_user_agent(struct ictx *x, json_t *sec)
{
	check_ip_strings(x, "http_user_agent", sec);
}

static void
check_dhcp(struct ictx *x, json_t *sec)
{
	size_t i;
	json_t *e;

	json_array_foreach(sec, i, e) {
		const char *mac = json_string_value(json_object_get(e, "client_mac"));
		json_int_t type = json_integer_value(json_object_get(e, "msg_type"));
		json_t *a;

		/* Client messages (discover, request, decline, release, inform). */
		if (mac == NULL || !(type == 1 || type == 3 || type == 4 || type == 7 || type == 8))
			continue;
		a = by_mac(x, mac);
		expect_ev(x, "dhcp", mac, a, ATTRS(A_HOSTNAME),
		    json_string_value(json_object_get(e, "hostname")));
		expect_ev(x, "dhcp", mac, a, ATTRS(A_SOFTWARE, A_FINGERPRINT, A_OS),
		    json_string_value(json_object_get(e, "vendor_class")));
	}
}

/* One string of an entry and the attributes that may hold it. */
struct field_attrs {
	const char		*key;
	const char *const	*attrs;
};

/*
 * Sections whose entries each name one asset, by the MAC in mac_key or
 * else the IP in ip_key, and list strings about it.
 */
static void
check_fields(struct ictx *x, const char *sect, json_t *sec, const char *mac_key,
    const char *ip_key, const struct field_attrs *f, size_t n)
{
	size_t i;
	json_t *e;

	json_array_foreach(sec, i, e) {
		const char *who;
		json_t *a;

		if (mac_key) {
			if ((who = json_string_value(json_object_get(e, mac_key))) == NULL)
				continue;
			a = by_mac(x, who);
		} else {
			if (!host_ip(who = json_string_value(json_object_get(e, ip_key))))
				continue;
			a = by_ip(x, who);
		}
		for (size_t k = 0; k < n; k++)
			expect_ev(x, sect, who, a, f[k].attrs,
			    json_string_value(json_object_get(e, f[k].key)));
	}
}

static void
check_lldp(struct ictx *x, json_t *sec)
{
	const struct field_attrs f[] = {
		{ "system_name", ATTRS(A_HOSTNAME) },
		{ "system_desc", ATTRS(A_DESCRIPTION) },
	};

	check_fields(x, "lldp", sec, "src_mac", NULL, f, sizeof(f) / sizeof(f[0]));
}

static void
check_cdp(struct ictx *x, json_t *sec)
{
	const struct field_attrs f[] = {
		{ "device_id", ATTRS(A_HOSTNAME) },
		{ "platform", ATTRS(A_PLATFORM, A_MODEL) },
		{ "software_version", ATTRS(A_SOFTWARE, A_FIRMWARE, A_DESCRIPTION) },
	};

	check_fields(x, "cdp", sec, "src_mac", NULL, f, sizeof(f) / sizeof(f[0]));
}

static void
check_snmp(struct ictx *x, json_t *sec)
{
	const struct field_attrs f[] = {
		{ "sysName", ATTRS(A_HOSTNAME) },
		{ "sysDescr", ATTRS(A_DESCRIPTION) },
		{ "sysLocation", ATTRS(A_LOCATION) },
		{ "sysContact", ATTRS(A_CONTACT) },
	};

	check_fields(x, "snmp", sec, NULL, "ip", f, sizeof(f) / sizeof(f[0]));
}

static void
check_ssh_banners(struct ictx *x, json_t *sec)
{
	const struct field_attrs f[] = { { "banner", ATTRS(A_SOFTWARE) } };

	check_fields(x, "ssh_banners", sec, NULL, "ip", f, sizeof(f) / sizeof(f[0]));
}

/* No capture has it yet: [{ip, server_name}] or {ip: [names]}. */
static void
check_tls_sni(struct ictx *x, json_t *sec)
{
	const char *ip;
	json_t *list, *v, *e;
	size_t i;

	if (json_is_object(sec)) {
		json_object_foreach(sec, ip, list) {
			if (!host_ip(ip))
				continue;
			json_array_foreach(list, i, v)
				expect_ev(x, "tls_sni", ip, by_ip(x, ip), ATTRS(A_TLS_SNI),
				    json_string_value(v));
		}
		return;
	}
	json_array_foreach(sec, i, e) {
		ip = json_string_value(json_object_get(e, "ip"));
		if (!host_ip(ip))
			continue;
		v = json_object_get(e, "server_name");
		if (v == NULL)
			v = json_object_get(e, "sni");
		expect_ev(x, "tls_sni", ip, by_ip(x, ip), ATTRS(A_TLS_SNI), json_string_value(v));
	}
}

/*
 * One entry per expected.json section: checked once one of its dissectors
 * is registered, so sections start being asserted as dissectors land.
 * NULL dissectors: always checked.
 */
static const struct section {
	const char	*name;
	const char	*diss[3];
	void		(*check)(struct ictx *x, json_t *sec);
} sections[] = {
	{ "hosts",		{ NULL },			check_hosts },
	{ "ip_addresses",	{ NULL },			check_ip_addresses },
	{ "modbus",		{ "modbus" },			check_modbus },
	{ "dnp3",		{ "dnp3" },			check_dnp3 },
	{ "iec104",		{ "iec104" },			check_iec104 },
	{ "enip_list_identity",	{ "enip" },			check_enip_list_identity },
	{ "cip_identity",	{ "enip", "cip" },		check_cip_identity },
	{ "s7comm",		{ "s7comm" },			check_s7comm },
	{ "s7comm_szl",		{ "s7comm" },			check_s7comm_szl },
	{ "bacnet",		{ "bacnet" },			check_bacnet },
	{ "profinet_dcp",	{ "profinet_dcp", "pn_dcp", "dcp" }, check_profinet_dcp },
	{ "http_server",	{ "http" },			check_http_server },
	{ "http_user_agent",	{ "http" },			check_http_user_agent },
	{ "dhcp",		{ "dhcp" },			check_dhcp },
	{ "lldp",		{ "lldp" },			check_lldp },
	{ "cdp",		{ "cdp" },			check_cdp },
	{ "snmp",		{ "snmp" },			check_snmp },
	{ "ssh_banners",	{ "ssh" },			check_ssh_banners },
	{ "tls_sni",		{ "tls" },			check_tls_sni },
};

static bool
section_active(const struct section *s)
{
	if (s->diss[0] == NULL)
		return true;
	for (size_t i = 0; i < 3 && s->diss[i]; i++)
		if (dissector_index(s->diss[i]) >= 0)
			return true;
	return false;
}

/* --- running a capture into a store ------------------------------------- */

#define MAX_CAPTURES	256

static char	*captures[MAX_CAPTURES];	/* "modbus/iti__modbusSmall.pcap" */
static int	 ncaptures;

static void
find_captures(void)
{
	char pat[4200];
	const char *base = shared_pcap("");
	size_t blen = strlen(base);
	glob_t g;

	snprintf(pat, sizeof(pat), "%s*/*.expected.json", base);
	if (glob(pat, 0, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc && ncaptures < MAX_CAPTURES; i++) {
		const char *p = g.gl_pathv[i] + blen;
		size_t n = strlen(p) - strlen(".expected.json");

		captures[ncaptures++] = strndup(p, n);
	}
	globfree(&g);
}

/* The IEEE registry, loaded once for all captures as the daemon does at start. */
static const struct oui_db *
registry(void)
{
	static struct oui_db *oui;
	char err[512];

	if (oui == NULL) {
		oui = oui_load(NULL, NULL, err, sizeof(err));
		ck_assert_msg(oui != NULL, "oui_load: %s", err);
	}
	return oui;
}

/* What spanwatchd -r does: pipeline -> queue -> store, flushing as it goes. */
static void
ingest(const char *cap, const char *db)
{
	char err[512], errbuf[PCAP_ERRBUF_SIZE];
	struct pipeline_cfg cfg = { .ndpi = false };
	struct pcap_pkthdr *h;
	const u_char *data;
	struct store *st;
	struct obsq *q;
	struct obs_sink sink;
	struct pipeline *pl;
	pcap_t *pc;
	int link;

	st = store_open(db, STORE_RW, err, sizeof(err));
	ck_assert_msg(st != NULL, "store_open: %s", err);
	store_set_oui(st, registry());
	q = obsq_new(0);
	ck_assert_ptr_nonnull(q);
	sink = obsq_sink(q);
	pl = pipeline_new(&cfg, &sink);
	ck_assert_ptr_nonnull(pl);
	pc = pcap_open_offline(cap, errbuf);
	ck_assert_msg(pc != NULL, "%s", errbuf);
	link = pcap_datalink(pc);
	while (pcap_next_ex(pc, &h, &data) == 1) {
		pipeline_packet(pl, link, data, h->caplen, h->len,
		    (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec);
		if (obsq_len(q) >= OBSQ_MAX / 2)
			ck_assert_msg(store_ingest(st, q) >= 0, "%s", store_errmsg(st));
	}
	pcap_close(pc);
	pipeline_free(pl);	/* emits the flows' last OBS_PEER */
	ck_assert_msg(store_ingest(st, q) >= 0, "%s", store_errmsg(st));
	ck_assert_uint_eq(obsq_dropped(q), 0);
	obsq_free(q);
	store_close(st);
}

/* The inventory as `show --json` prints it, one object per asset. */
static json_t *
inventory(const char *db, json_t **endpoints)
{
	struct cli cli = { 0 };
	json_t *inv;

	cli.db_path = db;
	cli.out = stdout;
	cli.err = stderr;
	ck_assert_int_eq(cli_db_open(&cli), EXIT_OK);
	inv = assets_json(&cli, NULL, true);
	*endpoints = qi_endpoint_ips(cli.store);
	cli_db_close(&cli);
	ck_assert_ptr_nonnull(inv);
	ck_assert_ptr_nonnull(*endpoints);
	return inv;
}

static void
remove_db(const char *dir)
{
	static const char *const files[] = { "sw.db", "sw.db-wal", "sw.db-shm" };
	char p[128];

	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		unlink(p);
	}
	rmdir(dir);
}

START_TEST(inventory_matches_expected)
{
	const char *rel = captures[_i];
	char dir[] = "/tmp/sw-inventory-XXXXXX", db[64];
	struct ictx *x = calloc(1, sizeof(*x));
	json_t *exp, *facts;

	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/sw.db", dir);
	ingest(shared_pcap(rel), db);
	x->cap = rel;
	x->inv = inventory(db, &x->endpoints);
	exp = load_expected(rel);
	facts = json_object_get(exp, "facts");
	ck_assert_ptr_nonnull(facts);
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		json_t *sec = json_object_get(facts, sections[i].name);

		if (sec && section_active(&sections[i]))
			sections[i].check(x, sec);
	}
	if (x->fails && getenv("SW_INVENTORY_DUMP"))
		json_dumpf(x->inv, stderr, JSON_INDENT(1));
	json_decref(exp);
	json_decref(x->inv);
	json_decref(x->endpoints);
	remove_db(dir);
	ck_assert_msg(x->fails == 0, "%s: %u of %u expected facts not in the inventory:\n%s",
	    rel, x->fails, x->checked, x->msg);
	free(x);
}
END_TEST

START_TEST(captures_are_there)
{
	/* Without captures the loop test would run zero times and pass. */
	ck_assert_int_gt(ncaptures, 20);
}
END_TEST

Suite *
make_suite(void)
{
	Suite *s = suite_create("inventory");
	TCase *tc = tcase_create("captures");

	find_captures();
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, captures_are_there);
	tcase_add_loop_test(tc, inventory_matches_expected, 0, ncaptures);
	suite_add_tcase(s, tc);
	return s;
}
