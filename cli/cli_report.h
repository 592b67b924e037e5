/*
 * cli_report.h - what `spanwatch report` and `spanwatch map` share: escaping
 * for HTML/SVG and Graphviz labels, the derived view of an asset (its zone
 * and its place in a Purdue-like picture), the SVG bar charts and the map.
 */
#ifndef SW_CLI_REPORT_H
#define SW_CLI_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

/* Longest device string shown in a cell or a label, in code points ("..." after). */
#define REPORT_CELL_MAX		160
#define MAP_LABEL_MAX		40

/*
 * s as HTML/XML text (also safe inside a quoted attribute): & < > " ' as
 * entities; controls, DEL, C1 and bidirectional marks/overrides as the
 * visible text "\u202E"; invalid UTF-8 bytes as "\xHH"; cut after maxchars
 * code points (0: no limit) with an ellipsis.  NULL prints dash.
 */
void	 html_text(FILE *f, const char *s, size_t maxchars);
void	 html_textn(FILE *f, const char *s, size_t len, size_t maxchars);

/*
 * A Graphviz label from a device string: the same visible escapes, but in
 * a form without backslashes ("<U+202E>", "<0x1B>"); a backslash doubled
 * so Graphviz never reads an escape such as \N or \l from the wire; cut to
 * maxchars.  Graphviz itself quotes the label for DOT and escapes it for
 * SVG.  malloc'd; NULL only when out of memory.
 */
char	*label_clean(const char *s, size_t maxchars);

/* --- the derived view ---------------------------------------------------- */

/* Levels of the map, top to bottom (a Purdue-like picture). */
enum tier {
	TIER_INTERNET,		/* addresses outside the private ranges */
	TIER_IT,		/* everything not recognised as OT or network */
	TIER_NETWORK,		/* gateways, switches, routers */
	TIER_SUPERVISORY,	/* HMI, SCADA, engineering: OT clients / masters */
	TIER_CONTROL,		/* PLC, RTU, IED: OT servers / outstations */
	TIER_COUNT
};

enum tier asset_tier(json_t *asset);
/* The category for people ("PLC", "camera"), else the level's short name. */
const char *asset_category(json_t *asset);
/* The summary's group of the category ("PLC, RTU, IED", ...), NULL when the database has none. */
const char *category_group(json_t *asset);
const char *tier_name(enum tier t);		/* "controllers (PLC/RTU/IED)", ... */
const char *tier_short(enum tier t);		/* "controller", ... */
/*
 * The asset's zone: the operator's (spanwatch annotate --zone), else its
 * VLAN, else the /24 (IPv4) or /64 (IPv6) of its address (a device behind
 * a Modbus server: of the server's).
 */
void	 asset_zone(json_t *asset, char *buf, size_t sz);
bool	 asset_flagged(json_t *asset);		/* level high or elevated */
bool	 ip_is_public(const char *ip);

/* --- SVG charts ------------------------------------------------------------ */

struct bar {
	const char	*label;
	long long	 value;
	const char	*fill;		/* CSS colour */
};

/* A horizontal bar chart, one bar per entry, with its number printed beside it. */
void	 svg_bars(FILE *f, const char *title, const char *id, const struct bar *bars, size_t n);

/* --- the map --------------------------------------------------------------- */

enum map_format { MAP_SVG, MAP_DOT, MAP_PNG };

struct map_opts {
	enum map_format	 format;
	const char	*zone;		/* only this zone (and its peers outside); NULL: all */
	int64_t		 around;	/* only this asset and its peers; 0: all */
	size_t		 collapse_over;	/* more assets than this: one node per zone and level */
	json_t		*internet;	/* qi_internet(): one cloud per owner of the addresses; NULL: none */
};

#define MAP_COLLAPSE_DEFAULT	300

/* Who runs an outside address, for people: the owner, else the AS name, else the AS number. */
void	 owner_label(json_t *dest, char *buf, size_t sz);

/*
 * Lay out and render the map of assets and conversations (qr_assets,
 * qr_conversations) with Graphviz.  *out is malloc'd (free()), its length
 * in *len.  0, or -1 with a sentence in err.
 */
int	 map_render(json_t *assets, json_t *convs, const struct map_opts *o, char **out,
	    size_t *len, char *err, size_t errsz);

#endif
