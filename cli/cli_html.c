/*
 * cli_html.c - escaping for the report (HTML, inline SVG) and the map's
 * Graphviz labels, the derived view of an asset, and the report's bar
 * charts.
 *
 * Device strings come from the wire: a name can hold "<script>", quotes,
 * a right-to-left override that turns "gpj.exe" around, or ten kilobytes.
 * Every string reaches the page through html_text(), which makes it text
 * (never markup), shows invisible controls instead of obeying them, and
 * cuts it to a cell's length.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "category.h"
#include "cli.h"
#include "cli_report.h"
#include "obs.h"

/* --- escaping ---------------------------------------------------------- */

static void
put_cp_html(FILE *f, const unsigned char *u, size_t n, uint32_t c)
{
	switch (c) {
	case '&': fputs("&amp;", f); return;
	case '<': fputs("&lt;", f); return;
	case '>': fputs("&gt;", f); return;
	case '"': fputs("&quot;", f); return;
	case '\'': fputs("&#39;", f); return;
	default: fwrite(u, 1, n, f); return;
	}
}

void
html_textn(FILE *f, const char *s, size_t len, size_t maxchars)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, shown = 0;

	if (s == NULL) {
		fputs("&#8211;", f);
		return;
	}
	while (i < len) {
		uint32_t c;
		size_t n = utf8_decode(u + i, len - i, &c);

		if (maxchars && shown == maxchars) {
			fputs("&#8230;", f);
			return;
		}
		shown++;
		if (n == 0 || c == 0) {
			fprintf(f, "\\x%02X", u[i]);
			i++;
		} else if (utf8_cp_escaped(c)) {
			fprintf(f, c < 0x100 ? "\\x%02X" : "\\u%04X", (unsigned)c);
			i += n;
		} else {
			put_cp_html(f, u + i, n, c);
			i += n;
		}
	}
}

void
html_text(FILE *f, const char *s, size_t maxchars)
{
	html_textn(f, s, s ? strlen(s) : 0, maxchars);
}

char *
label_clean(const char *s, size_t maxchars)
{
	const unsigned char *u = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)u), i = 0, shown = 0, o = 0;
	/* Worst case per input byte: "<0xHH>" (6), or "<U+HHHH>" (8) per 2-3 bytes. */
	char *out = malloc(len * 6 + 8);

	if (out == NULL)
		return NULL;
	while (i < len) {
		uint32_t c;
		size_t n = utf8_decode(u + i, len - i, &c);

		if (maxchars && shown == maxchars) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		shown++;
		if (n == 0) {
			o += (size_t)sprintf(out + o, "<0x%02X>", u[i]);
			i++;
		} else if (utf8_cp_escaped(c)) {
			o += (size_t)sprintf(out + o, c < 0x100 ? "<0x%02X>" : "<U+%04X>", (unsigned)c);
			i += n;
		} else if (c == '\\') {
			memcpy(out + o, "\\\\", 2);
			o += 2;
			i++;
		} else {
			memcpy(out + o, u + i, n);
			o += n;
			i += n;
		}
	}
	out[o] = '\0';
	return out;
}

/* --- the derived view ---------------------------------------------------- */

static bool
has_role(json_t *a, const char *const *names)
{
	json_t *roles = json_object_get(a, "roles"), *r;
	size_t i;

	json_array_foreach(roles, i, r)
		for (size_t k = 0; json_string_value(r) && names[k]; k++)
			if (strcmp(json_string_value(r), names[k]) == 0)
				return true;
	return false;
}


/* The level of a device category (ident/category.h); TIER_COUNT: it does not say. */
static enum tier
category_tier(json_t *a)
{
	enum dev_category c;

	if (!json_is_string(json_object_get(a, "category")) ||
	    !category_parse(json_string_value(json_object_get(a, "category")), &c))
		return TIER_COUNT;
	switch (c) {
	case CAT_PLC: case CAT_RTU: case CAT_IED: case CAT_ENERGY:
		return TIER_CONTROL;
	case CAT_HMI: case CAT_EWS: case CAT_SCADA: case CAT_HISTORIAN:
		return TIER_SUPERVISORY;
	case CAT_NETWORK: case CAT_FIREWALL:
		return TIER_NETWORK;
	case CAT_CAMERA: case CAT_IT_HOST:
		return TIER_IT;
	default:
		return TIER_COUNT;
	}
}

const char *
category_group(json_t *a)
{
	enum dev_category c;

	if (!json_is_string(json_object_get(a, "category")))
		return NULL;
	if (!category_parse(json_string_value(json_object_get(a, "category")), &c))
		return "unknown";
	switch (c) {
	case CAT_PLC: case CAT_RTU: case CAT_IED: return "PLC, RTU, IED";
	case CAT_HMI: case CAT_EWS: case CAT_SCADA: case CAT_HISTORIAN: return "HMI, engineering, SCADA";
	case CAT_NETWORK: case CAT_FIREWALL: return "network";
	case CAT_CAMERA: return "camera";
	case CAT_ENERGY: return "inverter, energy";
	case CAT_IT_HOST: return "IT";
	default: return "unknown";
	}
}

const char *
asset_category(json_t *a)
{
	enum dev_category c;

	if (json_is_string(json_object_get(a, "category")) &&
	    category_parse(json_string_value(json_object_get(a, "category")), &c) && c != CAT_UNKNOWN)
		return category_label(c);
	return tier_short(asset_tier(a));
}

/*
 * The level: from the device category when the database has one, else
 * from the roles the dissectors state (core/obs.h R_*): what makes a
 * device a controller first (a PLC that also polls others is a PLC), then
 * the OT clients and masters, then the OT servers.  An IP-keyed address
 * outside the private ranges is an internet endpoint whatever it says.
 */
enum tier
asset_tier(json_t *a)
{
	static const char *const network[] = { R_GATEWAY, "switch", "router", "firewall", NULL };
	static const char *const control[] = { R_PLC, R_RTU, R_IED, R_PN_CONTROLLER, NULL };
	static const char *const superv[] = { R_HMI, "scada", "engineering", R_MODBUS_CLIENT,
	    R_DNP3_MASTER, R_IEC104_CLIENT, R_ENIP_SCANNER, R_S7_CLIENT, R_MMS_CLIENT, R_OPCUA_CLIENT,
	    R_OPCUA_SERVER, NULL };
	static const char *const field[] = { R_MODBUS_SERVER, R_DNP3_OUTSTATION, R_IEC104_SERVER,
	    R_ENIP_ADAPTER, R_PN_DEVICE, NULL };
	const char *ip = json_string_value(json_object_get(a, "ip"));
	enum tier by_category = category_tier(a);

	if (ip && ip_is_public(ip) && !json_is_string(json_object_get(a, "mac")))
		return TIER_INTERNET;
	if (by_category != TIER_COUNT)
		return by_category;
	if (json_is_true(json_object_get(a, "gateway")) || has_role(a, network))
		return TIER_NETWORK;
	if (has_role(a, control))
		return TIER_CONTROL;
	if (has_role(a, superv))
		return TIER_SUPERVISORY;
	if (has_role(a, field))
		return TIER_CONTROL;
	if (ip && ip_is_public(ip))
		return TIER_INTERNET;
	return TIER_IT;
}

const char *
tier_name(enum tier t)
{
	static const char *const names[TIER_COUNT] = {
		"internet endpoints", "IT and other", "network, gateways",
		"HMI, SCADA, engineering", "PLC, RTU, IED, field",
	};

	return t < TIER_COUNT ? names[t] : "?";
}

const char *
tier_short(enum tier t)
{
	static const char *const names[TIER_COUNT] = {
		"internet", "IT/other", "network", "HMI/SCADA", "controller",
	};

	return t < TIER_COUNT ? names[t] : "?";
}

bool
ip_is_public(const char *ip)
{
	unsigned char b[16];

	if (inet_pton(AF_INET, ip, b) == 1)
		return !(b[0] == 10 || b[0] == 127 || b[0] == 0 || (b[0] == 172 && (b[1] & 0xf0) == 16) ||
		    (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) ||
		    (b[0] == 100 && (b[1] & 0xc0) == 64) || b[0] >= 224);
	if (inet_pton(AF_INET6, ip, b) == 1)
		return (b[0] & 0xe0) == 0x20;	/* global unicast 2000::/3 */
	return false;
}

void
asset_zone(json_t *a, char *buf, size_t sz)
{
	json_int_t vlan = json_integer_value(json_object_get(a, "vlan"));
	const char *ip = json_string_value(json_object_get(a, "ip"));
	const char *zone = json_string_value(json_object_get(a, "zone"));
	unsigned char b[16];
	char txt[INET6_ADDRSTRLEN];

	/* a device behind a Modbus server stands where the server stands */
	if (ip == NULL)
		ip = json_string_value(json_object_get(json_object_get(a, "behind"), "ip"));
	if (zone && *zone)
		snprintf(buf, sz, "%s", zone);
	else if (vlan > 0)
		snprintf(buf, sz, "VLAN %lld", (long long)vlan);
	else if (ip && ip_is_public(ip))
		snprintf(buf, sz, "internet");
	else if (ip && inet_pton(AF_INET, ip, b) == 1)
		snprintf(buf, sz, "%u.%u.%u.0/24", b[0], b[1], b[2]);
	else if (ip && inet_pton(AF_INET6, ip, b) == 1) {
		memset(b + 8, 0, 8);
		inet_ntop(AF_INET6, b, txt, sizeof(txt));
		snprintf(buf, sz, "%s/64", txt);
	} else
		snprintf(buf, sz, "no address");
}

void
owner_label(json_t *g, char *buf, size_t sz)
{
	const char *owner = json_string_value(json_object_get(g, "owner"));
	const char *as_name = json_string_value(json_object_get(g, "as_name"));
	const char *cc = json_string_value(json_object_get(g, "country"));
	json_int_t asn = json_integer_value(json_object_get(g, "asn"));
	int n;

	if (owner && *owner)
		n = snprintf(buf, sz, "%s", owner);
	else if (as_name && *as_name)
		n = snprintf(buf, sz, "%s", as_name);
	else if (asn > 0)
		n = snprintf(buf, sz, "AS%lld", (long long)asn);
	else
		n = snprintf(buf, sz, "unknown owner");
	if (cc && *cc && n > 0 && (size_t)n < sz)
		snprintf(buf + n, sz - (size_t)n, " (%s)", cc);
}

bool
asset_flagged(json_t *a)
{
	const char *l = json_string_value(json_object_get(a, "level"));

	return l && (strcmp(l, "high") == 0 || strcmp(l, "elevated") == 0);
}

/* --- charts ---------------------------------------------------------------- */

#define BAR_H		18
#define BAR_GAP		6
/* Two charts side by side fit the width of an A4 page. */
#define LABEL_W		150
#define PLOT_W		150
#define CHART_W		(LABEL_W + PLOT_W + 40)

void
svg_bars(FILE *f, const char *title, const char *id, const struct bar *bars, size_t n)
{
	long long max = 1;
	size_t h = 28 + n * (BAR_H + BAR_GAP) + 4;

	for (size_t i = 0; i < n; i++)
		if (bars[i].value > max)
			max = bars[i].value;
	fprintf(f, "<figure class=\"chart\"><svg id=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %zu\" width=\"%d\" height=\"%zu\" role=\"img\" aria-label=\"",
	    id, CHART_W, h, CHART_W, h);
	html_text(f, title, 0);
	fputs("\">\n<text x=\"0\" y=\"16\" class=\"ct\">", f);
	html_text(f, title, 0);
	fputs("</text>\n", f);
	for (size_t i = 0; i < n; i++) {
		size_t y = 28 + i * (BAR_H + BAR_GAP);
		long long w = bars[i].value * PLOT_W / max;

		if (bars[i].value > 0 && w < 2)
			w = 2;
		fprintf(f, "<text x=\"%d\" y=\"%zu\" class=\"cl\">", LABEL_W - 6, y + BAR_H - 5);
		html_text(f, bars[i].label, 24);
		fprintf(f, "</text><rect x=\"%d\" y=\"%zu\" width=\"%lld\" height=\"%d\" fill=\"%s\" "
		    "stroke=\"#000\" stroke-width=\"0.5\"/><text x=\"%lld\" y=\"%zu\" class=\"cv\">%lld</text>\n",
		    LABEL_W, y, w, BAR_H, bars[i].fill, LABEL_W + w + 5, y + BAR_H - 5, bars[i].value);
	}
	fputs("</svg></figure>\n", f);
}
