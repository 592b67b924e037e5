/*
 * csv.c - one record as a line of RFC 4180 CSV.  Each record type has a
 * file and a column set of its own (docs/EXPORT.md has the columns), so
 * every file is a rectangle a spreadsheet or csv.reader takes as it is:
 * the header and every line are made from the same table below.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "export.h"
#include "export_int.h"
#include "q_export.h"
#include "sbuf.h"

enum col_kind {
	K_SENSOR, K_SITE,	/* from the run, not the record */
	K_STR,			/* char * */
	K_INT,			/* int64_t */
	K_ID,			/* int64_t, empty when 0 (no asset) */
	K_TIME,			/* int64_t Unix seconds as ISO 8601 */
	K_LIST,			/* json_t * array of strings, ';'-joined */
	K_DIRECTION,		/* a conversation's: internal, outbound, inbound */
};

#define COL_OP	1u	/* an event column that only an operation fills */

struct csv_col {
	const char	*name;
	enum col_kind	 kind;
	size_t		 off;
	unsigned	 flags;
};

#define C_(n, k, f)	{ n, k, offsetof(struct export_rec, f), 0 }
#define C_OP(n, k, f)	{ n, k, offsetof(struct export_rec, f), COL_OP }
#define C_RUN(n, k)	{ n, k, 0, 0 }
#define C_END		{ NULL, K_STR, 0, 0 }

static const struct csv_col asset_cols[] = {
	C_RUN("sensor", K_SENSOR), C_RUN("site", K_SITE), C_("timestamp", K_TIME, ts),
	C_("asset_id", K_INT, asset_id), C_("mac", K_STR, mac), C_("ip", K_STR, ip),
	C_("ips", K_LIST, ips), C_("hostname", K_STR, hostname), C_("name", K_STR, ann_name),
	C_("zone", K_STR, ann_zone), C_("criticality", K_STR, ann_crit),
	C_("note", K_STR, ann_note), C_("category", K_STR, category),
	C_("category_reason", K_STR, category_reason), C_("vendor", K_STR, vendor),
	C_("oui_vendor", K_STR, oui_vendor), C_("oui_country", K_STR, oui_country),
	C_("model", K_STR, model), C_("firmware", K_STR, firmware),
	C_("hardware", K_STR, hardware), C_("serial", K_STR, serial), C_("os", K_STR, os),
	C_("device_type", K_STR, device_type), C_("roles", K_LIST, roles),
	C_("protocols", K_LIST, protocols), C_("gateway", K_INT, gateway),
	C_("vlan", K_INT, vlan), C_("first_seen", K_TIME, first), C_("last_seen", K_TIME, last),
	C_("risk_level", K_STR, risk_level), C_("risk_vendor", K_STR, risk_vendor),
	C_("risk_country", K_STR, risk_country), C_("risk_reasons", K_LIST, reasons),
	C_("risk_accepted", K_STR, accepted), C_END
};

static const struct csv_col service_cols[] = {
	C_RUN("sensor", K_SENSOR), C_RUN("site", K_SITE), C_("timestamp", K_TIME, ts),
	C_("asset_id", K_INT, asset_id), C_("mac", K_STR, mac), C_("ip", K_STR, ip),
	C_("transport", K_STR, transport), C_("port", K_INT, port),
	C_("protocol", K_STR, protocol), C_("role", K_STR, role),
	C_("first_seen", K_TIME, first), C_("last_seen", K_TIME, last), C_END
};

/* Written from conv_view(): client_* is whoever opened the conversation. */
static const struct csv_col conv_cols[] = {
	C_RUN("sensor", K_SENSOR), C_RUN("site", K_SITE), C_("timestamp", K_TIME, ts),
	C_("client_asset_id", K_ID, asset_id), C_("client_mac", K_STR, mac),
	C_("client_ip", K_STR, ip), C_("server_asset_id", K_ID, peer_id),
	C_("server_mac", K_STR, peer_mac), C_("server_ip", K_STR, peer_ip),
	C_("transport", K_STR, transport), C_("port", K_INT, port),
	C_("protocol", K_STR, protocol), C_("packets", K_INT, packets),
	C_("bytes", K_INT, bytes), C_("first_seen", K_TIME, first), C_("last_seen", K_TIME, last),
	C_("direction", K_DIRECTION, external), C_("endpoint_country", K_STR, ext_country),
	C_("endpoint_asn", K_ID, ext_asn), C_("endpoint_as_name", K_STR, ext_as_name),
	C_("endpoint_owner", K_STR, ext_owner), C_("endpoint_names", K_LIST, ext_names), C_END
};

static const struct csv_col event_cols[] = {
	C_RUN("sensor", K_SENSOR), C_RUN("site", K_SITE), C_("timestamp", K_TIME, ts),
	C_("event_id", K_INT, event_id), C_("event_kind", K_STR, kind),
	C_("severity", K_INT, severity), C_("baseline", K_INT, baseline),
	C_("detail", K_STR, detail), C_("asset_id", K_ID, asset_id), C_("mac", K_STR, mac),
	C_("ip", K_STR, ip), C_("field", K_STR, field), C_("old_value", K_STR, old_value),
	C_("new_value", K_STR, new_value), C_OP("protocol", K_STR, protocol),
	C_OP("operation", K_STR, operation), C_OP("outcome", K_STR, outcome),
	C_OP("count", K_INT, count), C_OP("responses", K_INT, responses),
	C_OP("failed", K_INT, failed), C_OP("client_asset_id", K_ID, client_id),
	C_OP("client_mac", K_STR, client_mac), C_OP("client_ip", K_STR, client_ip),
	C_OP("server_asset_id", K_ID, peer_id), C_OP("server_mac", K_STR, peer_mac),
	C_OP("server_ip", K_STR, peer_ip), C_OP("first_request", K_TIME, first),
	C_OP("last_request", K_TIME, last), C_END
};

static const struct csv_col *const cols_of[EXPORT_R_NTYPES] = {
	[EXPORT_R_ASSET] = asset_cols, [EXPORT_R_SERVICE] = service_cols,
	[EXPORT_R_CONV] = conv_cols, [EXPORT_R_EVENT] = event_cols,
};

static void
put_text(struct sbuf *b, const char *s)
{
	char *f = export_csv_field(s, s ? strlen(s) : 0);

	if (f)
		sb_puts(b, f);
	free(f);
}

static void
put_int(struct sbuf *b, int64_t v)
{
	char n[32];

	snprintf(n, sizeof(n), "%" PRId64, v);
	sb_puts(b, n);
}

static void
put_time(struct sbuf *b, int64_t t)
{
	json_t *j = export_jtime(t);

	put_text(b, j ? json_string_value(j) : NULL);
	json_decref(j);
}

static void
put_list(struct sbuf *b, json_t *arr)
{
	char *s = arr ? export_join(arr, ";") : NULL;

	put_text(b, s);
	free(s);
}

static void
put_cell(struct sbuf *b, const struct csv_col *k, const struct export_ctx *c,
    const struct export_rec *r)
{
	const char *at = (const char *)r + k->off;
	int64_t v;

	if ((k->flags & COL_OP) && r->operation == NULL)
		return;		/* a change event: the operation's columns stay empty */
	switch (k->kind) {
	case K_SENSOR: put_text(b, c->sensor); break;
	case K_SITE: put_text(b, c->site); break;
	case K_STR: put_text(b, *(char *const *)(const void *)at); break;
	case K_LIST: put_list(b, *(json_t *const *)(const void *)at); break;
	case K_DIRECTION:
		sb_puts(b, !r->external ? "internal" : r->inbound ? "inbound" : "outbound");
		break;
	case K_INT: case K_ID: case K_TIME:
		memcpy(&v, at, sizeof(v));
		if (k->kind == K_TIME)
			put_time(b, v);
		else if (k->kind == K_INT || v != 0)
			put_int(b, v);
		break;
	}
}

/*
 * A conversation as client and server: the asset is the client, except
 * in a probe from the Internet (inbound), where the endpoint was.
 */
static struct export_rec
conv_view(const struct export_rec *r)
{
	struct export_rec v = *r;

	if (r->type == EXPORT_R_CONV && r->inbound) {
		v.asset_id = r->peer_id, v.mac = r->peer_mac, v.ip = r->peer_ip;
		v.peer_id = r->asset_id, v.peer_mac = r->mac, v.peer_ip = r->ip;
	}
	return v;
}

static int
put_line(FILE *f, struct sbuf *b)
{
	char *s;
	int rc;

	sb_puts(b, "\r\n");
	if ((s = sb_take(b)) == NULL)
		return -1;
	rc = fputs(s, f) == EOF ? -1 : 0;
	free(s);
	return rc;
}

int
csv_write_header(FILE *f, enum export_rtype t)
{
	struct sbuf b = { 0 };

	for (const struct csv_col *k = cols_of[t]; k->name; k++) {
		if (k != cols_of[t])
			sb_puts(&b, ",");
		sb_puts(&b, k->name);
	}
	return put_line(f, &b);
}

int
write_csv(const struct export_ctx *c, const struct export_rec *r)
{
	struct sbuf b = { 0 };
	struct export_rec v = conv_view(r);

	for (const struct csv_col *k = cols_of[r->type]; k->name; k++) {
		if (k != cols_of[r->type])
			sb_puts(&b, ",");
		put_cell(&b, k, c, &v);
	}
	return put_line(c->f[r->type], &b);
}
