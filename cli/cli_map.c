/*
 * cli_map.c - the network map: assets as nodes, conversations as edges,
 * laid out by Graphviz's dot (libgvc, linked in) like a Purdue picture.
 *
 * Zones (VLAN or subnet) are clusters; within them the levels run top to
 * bottom: internet endpoints (one cloud node per owner), IT, network,
 * HMI/SCADA/engineering, controllers and field devices.  Each zone holds
 * its levels in their rows with an invisible spine of its own: anchor k ->
 * every node of level k -> anchor k+1, the same number of rows per level in
 * every zone, so the rows line up across the picture (Graphviz 2.43's dot
 * fails in init_rank on rank=same subgraphs spanning clusters; a spine
 * inside each cluster needs only the classic ranking).  An edge points
 * from client to server; its thickness grows with the bytes exchanged.
 * A flagged
 * asset gets a red fill, a double octagon and a "! HIGH" line, so it
 * stands out in black-and-white print too.  Above collapse_over assets
 * each (zone, level) becomes one node with counts.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include "cli.h"
#include "cli_report.h"
#include "sw_limits.h"

#define MAP_ROW_NODES	6	/* nodes of one level side by side before another row */
#define MAP_ROWS_MAX	8

static const char *const tier_fill[TIER_COUNT] = {
	"#eef3ff", "#f1f1f1", "#e8f5e9", "#fff6d5", "#e3f0fb",
};
static const char *const tier_shape[TIER_COUNT] = {
	"ellipse", "box", "diamond", "box", "box",
};

/* Conversations between two drawn nodes, one edge per protocol and direction. */
struct medge {
	size_t		 from, to;
	char		 proto[32];
	long long	 bytes;
};

/* A zone: its cluster and the spine that holds its levels in their rows. */
struct mzone {
	char		 name[96];
	Agraph_t	*c;
	Agnode_t	*spine[TIER_COUNT + 1];
	size_t		 count[TIER_COUNT], placed[TIER_COUNT];
};

/* One drawn node: an asset, a (zone, level) group, or a cloud. */
struct mnode {
	char		 key[160];	/* "a17", "g:ZONE:level", "c:OWNER" */
	char		 zone[96];	/* its cluster; "" for clouds */
	enum tier	 tier;
	size_t		 assets, flagged;
	json_t		*asset;		/* one asset drawn on its own, else NULL */
	Agnode_t	*n;
};

struct map {
	struct mnode	*nodes;
	size_t		 n, cap, dropped;
	bool		 collapsed;
	Agraph_t	*g;
	struct mzone	*zones;
	size_t		 nzones;
	size_t		 rows[TIER_COUNT];	/* rows a level is folded over, in every zone */
	struct medge	*edges;
	size_t		 nedges;
};

/*
 * cgraph 2.43 takes char * but only reads (it interns the strings): it is
 * given copies, so no cast drops const.  Out of memory loses the attribute.
 */
static void
set(void *obj, const char *attr, const char *val)
{
	char *a = strdup(attr), *v = strdup(val), none[1] = "";

	if (a && v)
		agsafeset(obj, a, v, none);
	free(a);
	free(v);
}

static const char *
owner_of(json_t *a)
{
	const char *o = json_string_value(json_object_get(a, "owner"));

	return o && *o ? o : "owner unknown";
}

static void
node_key(struct map *m, json_t *a, char *key, size_t sz, char *zone, size_t zsz, enum tier *t)
{
	*t = asset_tier(a);
	asset_zone(a, zone, zsz);
	if (*t == TIER_INTERNET) {
		snprintf(key, sz, "c:%s", owner_of(a));
		snprintf(zone, zsz, "internet");
	} else if (m->collapsed)
		snprintf(key, sz, "g:%s:%d", zone, (int)*t);
	else
		snprintf(key, sz, "a%lld", (long long)json_integer_value(json_object_get(a, "id")));
}

static struct mnode *
node_add(struct map *m, const char *key, const char *zone, enum tier t)
{
	struct mnode *nd;

	if (m->n == MAP_NODE_MAX) {
		m->dropped++;
		return NULL;
	}
	if (m->n == m->cap) {
		struct mnode *p = realloc(m->nodes, (m->cap = m->cap ? m->cap * 2 : 64) * sizeof(*p));

		if (p == NULL)
			return NULL;
		m->nodes = p;
	}
	nd = &m->nodes[m->n++];
	memset(nd, 0, sizeof(*nd));
	snprintf(nd->key, sizeof(nd->key), "%s", key);
	snprintf(nd->zone, sizeof(nd->zone), "%s", zone);
	nd->tier = t;
	return nd;
}

static struct mnode *
node_find(struct map *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->nodes[i].key, key) == 0)
			return &m->nodes[i];
	return NULL;
}

/* The node an asset is drawn in, created on first use; NULL when the cap is reached. */
static struct mnode *
node_for(struct map *m, json_t *a)
{
	char key[160], zone[96];
	enum tier t;
	struct mnode *nd;

	node_key(m, a, key, sizeof(key), zone, sizeof(zone), &t);
	if ((nd = node_find(m, key)) == NULL)
		nd = node_add(m, key, zone, t);
	return nd;
}

static void
add_asset(struct map *m, json_t *a)
{
	struct mnode *nd = node_for(m, a);

	if (nd == NULL)
		return;
	nd->assets++;
	nd->flagged += asset_flagged(a);
	nd->asset = nd->assets == 1 && nd->key[0] == 'a' ? a : NULL;
}

/* --- labels -------------------------------------------------------------- */

static void
cat_clean(char *buf, size_t sz, const char *s)
{
	char *c = label_clean(s, MAP_LABEL_MAX);

	if (c) {
		if (buf[0])
			strncat(buf, "\\n", sz - strlen(buf) - 1);
		strncat(buf, c, sz - strlen(buf) - 1);
		free(c);
	}
}

static const char *
jget(json_t *a, const char *k)
{
	const char *s = json_string_value(json_object_get(a, k));

	return s && *s ? s : NULL;
}

static void
asset_label(json_t *a, char *buf, size_t sz)
{
	const char *host = jget(a, "name") ? jget(a, "name") : jget(a, "hostname");
	const char *model = jget(a, "model");
	const char *maker = jget(a, "maker") ? jget(a, "maker") : jget(a, "vendor");
	char idtxt[32];

	buf[0] = '\0';
	if (asset_flagged(a))
		snprintf(buf, sz, "! %s RISK", strcmp(jget(a, "level"), "high") == 0 ? "HIGH" : "ELEVATED");
	snprintf(idtxt, sizeof(idtxt), "asset %lld", (long long)json_integer_value(json_object_get(a, "id")));
	cat_clean(buf, sz, host ? host : model ? model : maker ? maker : idtxt);
	if (host && (model || maker))
		cat_clean(buf, sz, model ? model : maker);
	else if (!host && model && maker)
		cat_clean(buf, sz, maker);
	if (!jget(a, "ip") && json_is_object(json_object_get(a, "behind"))) {
		json_t *b = json_object_get(a, "behind");

		snprintf(idtxt, sizeof(idtxt), "unit %lld behind ", (long long)json_integer_value(
		    json_object_get(b, "unit")));
		cat_clean(buf, sz, idtxt);
		strncat(buf, jget(b, "ip") ? jget(b, "ip") : "its gateway", sz - strlen(buf) - 1);
	} else
		cat_clean(buf, sz, jget(a, "ip") ? jget(a, "ip") : jget(a, "mac") ? jget(a, "mac") :
		    "no address");
}

static void
group_label(const struct mnode *nd, char *buf, size_t sz)
{
	char *owner = label_clean(nd->key + 2, MAP_LABEL_MAX);

	if (nd->tier == TIER_INTERNET)
		snprintf(buf, sz, "%sInternet\\n%s\\n%zu address%s", nd->flagged ? "! " : "",
		    owner ? owner : "", nd->assets, nd->assets == 1 ? "" : "es");
	else
		snprintf(buf, sz, "%s%zu %s%s", nd->flagged ? "! " : "", nd->assets, tier_short(nd->tier),
		    nd->assets == 1 ? "" : "s");
	if (nd->flagged && nd->tier != TIER_INTERNET)
		snprintf(buf + strlen(buf), sz - strlen(buf), "\\n%zu flagged", nd->flagged);
	free(owner);
}

/* --- the graph --------------------------------------------------------------- */

static struct mzone *
zone_of(struct map *m, const char *zone)
{
	for (size_t i = 0; i < m->nzones; i++)
		if (strcmp(m->zones[i].name, zone) == 0)
			return &m->zones[i];
	return NULL;
}

/* Count the nodes of each zone and level; the rows follow from the fullest zone. */
static int
plan_zones(struct map *m)
{
	size_t most[TIER_COUNT] = { 0 };

	m->zones = calloc(m->n + 1, sizeof(*m->zones));
	if (m->zones == NULL)
		return -1;
	for (size_t i = 0; i < m->n; i++) {
		struct mzone *z = zone_of(m, m->nodes[i].zone);

		if (z == NULL) {
			z = &m->zones[m->nzones++];
			snprintf(z->name, sizeof(z->name), "%s", m->nodes[i].zone);
		}
		if (++z->count[m->nodes[i].tier] > most[m->nodes[i].tier])
			most[m->nodes[i].tier] = z->count[m->nodes[i].tier];
	}
	/* A level no zone has takes no row at all. */
	for (int t = 0; t < TIER_COUNT; t++) {
		m->rows[t] = (most[t] + MAP_ROW_NODES - 1) / MAP_ROW_NODES;
		m->rows[t] = m->rows[t] > MAP_ROWS_MAX ? MAP_ROWS_MAX : m->rows[t];
	}
	return 0;
}

static void zone_spine(struct map *m, struct mzone *z);

static Agraph_t *
cluster_for(struct map *m, struct mzone *z)
{
	char name[128], *label;
	Agraph_t *c;

	if (z->c)
		return z->c;
	snprintf(name, sizeof(name), "cluster_%zu", (size_t)(z - m->zones));
	c = z->c = agsubg(m->g, name, 1);
	label = label_clean(z->name, 60);
	set(c, "label", label ? label : "");
	/* the internet is no zone of the site: its clouds float in the top row, no box */
	set(c, "style", strcmp(z->name, "internet") == 0 ? "invis" : "rounded,filled");
	set(c, "fillcolor", "#fbfbfb");
	set(c, "color", "#777777");
	set(c, "fontname", "Helvetica-Bold");
	free(label);
	zone_spine(m, z);
	return c;
}

static void *
invisible(void *obj)
{
	set(obj, "style", "invis");
	return obj;
}

/*
 * Hang the node between its level's anchors.  A level of many nodes is
 * folded over several rows (MAP_ROW_NODES a row), so the picture stays
 * printable instead of one row forty devices wide.
 */
static void
spine_edges(struct map *m, struct mzone *z, struct mnode *nd)
{
	size_t rows = m->rows[nd->tier], row = z->placed[nd->tier]++ % rows;
	char buf[24];	/* any size_t */

	snprintf(buf, sizeof(buf), "%zu", row + 1);
	set(invisible(agedge(z->c, z->spine[nd->tier], nd->n, NULL, 1)), "minlen", buf);
	snprintf(buf, sizeof(buf), "%zu", rows - row);
	set(invisible(agedge(z->c, nd->n, z->spine[nd->tier + 1], NULL, 1)), "minlen", buf);
}

static void
draw_node(struct map *m, struct mnode *nd, size_t idx)
{
	struct mzone *z = zone_of(m, nd->zone);
	char id[32], label[512];

	snprintf(id, sizeof(id), "n%zu", idx);
	nd->n = agnode(cluster_for(m, z), id, 1);
	spine_edges(m, z, nd);
	if (nd->asset)
		asset_label(nd->asset, label, sizeof(label));
	else
		group_label(nd, label, sizeof(label));
	set(nd->n, "label", label);
	set(nd->n, "shape", nd->tier == TIER_INTERNET ? "ellipse" : nd->flagged ? "doubleoctagon" :
	    tier_shape[nd->tier]);
	set(nd->n, "style", nd->tier == TIER_INTERNET ? "filled,dashed" : nd->tier == TIER_SUPERVISORY ?
	    "filled,rounded" : "filled");
	set(nd->n, "fillcolor", nd->flagged ? "#f9c6c6" : tier_fill[nd->tier]);
	if (nd->flagged) {
		set(nd->n, "color", "#b00020");
		set(nd->n, "penwidth", "3");
		set(nd->n, "fontname", "Helvetica-Bold");
	}
	set(nd->n, "class", nd->flagged ? "flagged" : tier_short(nd->tier));
}


static int
medge_cmp(const void *a, const void *b)
{
	const struct medge *x = a, *y = b;
	int c;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	c = strcmp(x->proto, y->proto);
	return c;
}

/*
 * One conversation edge, client -> server, as thick as its bytes; the
 * protocol as an xlabel (placed after the layout, beside the line).
 * Edges between zones are purple, so a path across zones stands out.
 */
static void
draw_edge(struct map *m, Agraph_t *g, const struct medge *e)
{
	struct mnode *from = &m->nodes[e->from], *to = &m->nodes[e->to];
	char buf[32], tail[32], head[32], *proto = label_clean(e->proto, 20);
	double w = 1.0 + 1.5 * log10(1.0 + (double)e->bytes / 1000.0);
	Agedge_t *ed;

	snprintf(tail, sizeof(tail), "n%zu", e->from);
	snprintf(head, sizeof(head), "n%zu", e->to);
	ed = agedge(g, agnode(g, tail, 0), agnode(g, head, 0), NULL, 1);
	if (ed == NULL) {
		free(proto);
		return;
	}
	snprintf(buf, sizeof(buf), "%.1f", w > 8 ? 8 : w);
	set(ed, "penwidth", buf);
	set(ed, "xlabel", proto ? proto : "");
	set(ed, "fontsize", "8");
	set(ed, "fontcolor", "#334455");
	set(ed, "color", strcmp(from->zone, to->zone) == 0 ? "#445566" : "#7a5c99");
	free(proto);
}

struct lookup {
	int64_t	 id;
	size_t	 node;
};

static int
lookup_cmp(const void *a, const void *b)
{
	const struct lookup *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static size_t
node_of(const struct lookup *lk, size_t n, int64_t id)
{
	struct lookup key = { id, 0 }, *hit = bsearch(&key, lk, n, sizeof(*lk), lookup_cmp);

	return hit ? hit->node : SIZE_MAX;
}

/* The conversations between drawn nodes, summed per node pair and protocol. */
static void
collect_edges(struct map *m, const struct lookup *lk, size_t nlk, json_t *convs)
{
	struct medge *es = calloc(json_array_size(convs) + 1, sizeof(*es));
	size_t n = 0, i, out = 0;
	json_t *c;

	if (es == NULL)
		return;
	json_array_foreach(convs, i, c) {
		size_t from = node_of(lk, nlk, json_integer_value(json_object_get(c, "client")));
		size_t to = node_of(lk, nlk, json_integer_value(json_object_get(c, "server")));
		const char *proto = json_string_value(json_object_get(c, "protocol"));

		if (from == SIZE_MAX || to == SIZE_MAX || from == to)
			continue;
		es[n] = (struct medge){ from, to, "", json_integer_value(json_object_get(c, "bytes")) };
		snprintf(es[n].proto, sizeof(es[n].proto), "%s", proto ? proto : "?");
		n++;
	}
	if (n > 0)	/* qsort's base must not be NULL, even for nothing */
		qsort(es, n, sizeof(*es), medge_cmp);
	for (i = 0; i < n; i++) {
		if (out > 0 && medge_cmp(&es[out - 1], &es[i]) == 0)
			es[out - 1].bytes += es[i].bytes;
		else
			es[out++] = es[i];
	}
	m->edges = es;
	m->nedges = out;
}

/* Pass two: the conversations, over the finished picture. */
static void
draw_edges(struct map *m, Agraph_t *g)
{
	for (size_t i = 0; i < m->nedges; i++)
		draw_edge(m, g, &m->edges[i]);
}

/*
 * The outside addresses the drawn assets talk to (qi_internet): one cloud
 * per owner and country, an edge from the asset (outbound) or to it (a
 * probe from outside), summed per owner.  The edges wait in *pending
 * until the conversations are collected.
 */
static void
add_clouds(struct map *m, const struct lookup *lk, size_t nlk, json_t *internet,
    struct medge **pending, size_t *npending)
{
	size_t i, k, e, n = 0;
	json_t *a, *g, *ep;
	struct medge *pe = NULL;

	json_array_foreach(internet, i, a) {
		size_t from = node_of(lk, nlk, json_integer_value(json_object_get(a, "id")));
		static const char *const sides[] = { "destinations", "exposure" };

		if (from == SIZE_MAX)
			continue;
		for (size_t side = 0; side < 2; side++)
			json_array_foreach(json_object_get(a, sides[side]), k, g) {
				char owner[200], key[220];
				struct mnode *cloud;
				struct medge *p;
				json_t *eps = json_object_get(g, "endpoints");
				long long bytes = 0;
				const char *ports = NULL;

				owner_label(g, owner, sizeof(owner));
				snprintf(key, sizeof(key), "c:%s", owner);
				if ((cloud = node_find(m, key)) == NULL &&
				    (cloud = node_add(m, key, "internet", TIER_INTERNET)) == NULL)
					continue;
				cloud->assets += json_is_array(eps) ? json_array_size(eps) : 1;
				json_array_foreach(eps, e, ep) {
					bytes += json_integer_value(json_object_get(ep, "bytes"));
					if (ports == NULL)
						ports = json_string_value(json_object_get(ep, "ports"));
				}
				if (!json_is_array(eps)) {
					bytes = json_integer_value(json_object_get(g, "packets")) * 60;
					ports = json_string_value(json_object_get(g, "ports"));
				}
				if ((p = realloc(pe, (n + 1) * sizeof(*pe))) == NULL)
					continue;
				pe = p;
				pe[n] = (struct medge){ side ? (size_t)(cloud - m->nodes) : from,
				    side ? from : (size_t)(cloud - m->nodes), "", bytes };
				/* "tcp/443 tls" -> "tls" */
				snprintf(pe[n].proto, sizeof(pe[n].proto), "%s", ports && strchr(ports, ' ') ?
				    strchr(ports, ' ') + 1 : ports ? ports : "?");
				n++;
			}
	}
	*pending = pe;
	*npending = n;
}

static void
append_edges(struct map *m, struct medge *more, size_t n)
{
	struct medge *p;

	if (n == 0)	/* more may be NULL then: memcpy must not see it */
		return;
	if ((p = realloc(m->edges, (m->nedges + n + 1) * sizeof(*p))) == NULL)
		return;
	memcpy(p + m->nedges, more, n * sizeof(*more));
	m->edges = p;
	m->nedges += n;
}

/* --- selection --------------------------------------------------------------- */

static bool
in_zone(json_t *a, const char *zone)
{
	char z[96];

	asset_zone(a, z, sizeof(z));
	return strcmp(z, zone) == 0;
}

/* Ids of the assets the map shows: all, one zone and its peers, or one asset and its peers. */
static bool *
select_assets(json_t *assets, json_t *convs, const struct map_opts *o, const struct lookup *lk,
    size_t nlk)
{
	bool *want = calloc(nlk + 1, sizeof(*want));
	bool *core = calloc(nlk + 1, sizeof(*core));
	size_t i;
	json_t *a, *c;

	if (want == NULL || core == NULL) {
		free(want);
		free(core);
		return NULL;
	}
	json_array_foreach(assets, i, a) {
		if (o->around)
			core[i] = json_integer_value(json_object_get(a, "id")) == o->around;
		else
			core[i] = o->zone == NULL || in_zone(a, o->zone);
		want[i] = core[i];
	}
	if (o->around || o->zone)
		json_array_foreach(convs, i, c) {
			size_t x = node_of(lk, nlk, json_integer_value(json_object_get(c, "client")));
			size_t y = node_of(lk, nlk, json_integer_value(json_object_get(c, "server")));

			if (x == SIZE_MAX || y == SIZE_MAX)
				continue;
			if (core[x])
				want[y] = true;
			if (core[y])
				want[x] = true;
		}
	free(core);
	return want;
}

static void
graph_defaults(struct map *m)
{
	set(m->g, "rankdir", "TB");
	/* lines under the boxes: a label stays readable where the mesh is dense */
	set(m->g, "outputorder", "edgesfirst");
	set(m->g, "ranksep", "0.9");
	set(m->g, "nodesep", "0.25");
	set(m->g, "fontname", "Helvetica");
	set(m->g, "compound", "true");
	agattr(m->g, AGNODE, "fontname", "Helvetica");
	agattr(m->g, AGNODE, "fontsize", "10");
	agattr(m->g, AGEDGE, "fontname", "Helvetica");
	agattr(m->g, AGEDGE, "arrowsize", "0.6");
}

/* Invisible anchors of a zone, one per level, chained so the levels keep their order. */
static void
zone_spine(struct map *m, struct mzone *z)
{
	for (int t = 0; t <= TIER_COUNT; t++) {
		char name[32];
		Agnode_t *n;

		snprintf(name, sizeof(name), "s%zu_%d", (size_t)(z - m->zones), t);
		n = z->spine[t] = agnode(z->c, name, 1);
		invisible(n);
		set(n, "label", "");
		set(n, "width", "0");
		set(n, "height", "0");
		if (t > 0) {
			char buf[16];

			snprintf(buf, sizeof(buf), "%zu", m->rows[t - 1] + 1);
			set(invisible(agedge(z->c, z->spine[t - 1], n, NULL, 1)), "minlen", buf);
		}
	}
}

static int
build(struct map *m, json_t *assets, json_t *convs, const struct map_opts *o, char *err, size_t errsz)
{
	size_t nlk = json_array_size(assets), i, shown = 0;
	struct lookup *lk = calloc(nlk + 1, sizeof(*lk));
	struct medge *clouds = NULL;
	size_t nclouds = 0;
	bool *want;
	json_t *a;

	if (lk == NULL)
		return snprintf(err, errsz, "out of memory"), -1;
	json_array_foreach(assets, i, a)
		lk[i] = (struct lookup){ json_integer_value(json_object_get(a, "id")), i };
	if (nlk > 0)
		qsort(lk, nlk, sizeof(*lk), lookup_cmp);
	if ((want = select_assets(assets, convs, o, lk, nlk)) == NULL) {
		free(lk);
		return snprintf(err, errsz, "out of memory"), -1;
	}
	for (i = 0; i < nlk; i++)
		shown += want[i];
	m->collapsed = shown > o->collapse_over;
	/* lk now maps an asset id to its drawn node (SIZE_MAX: not drawn). */
	for (i = 0; i < nlk; i++) {
		struct mnode *nd;

		a = json_array_get(assets, lk[i].node);
		nd = want[lk[i].node] ? node_for(m, a) : NULL;
		if (nd)
			add_asset(m, a);
		lk[i].node = nd ? (size_t)(nd - m->nodes) : SIZE_MAX;
	}
	free(want);
	add_clouds(m, lk, nlk, o->internet, &clouds, &nclouds);
	if (plan_zones(m) != 0) {
		free(lk);
		free(clouds);
		return snprintf(err, errsz, "out of memory"), -1;
	}
	/* Graphviz's own complaints would reach the user's terminal unexplained. */
	agseterr(AGMAX);
	m->g = agopen("spanwatch", Agdirected, NULL);
	graph_defaults(m);
	for (i = 0; i < m->n; i++)
		draw_node(m, &m->nodes[i], i);
	collect_edges(m, lk, nlk, convs);
	append_edges(m, clouds, nclouds);
	free(clouds);
	free(lk);
	if (m->n == 0)
		return snprintf(err, errsz, "no asset to draw%s", o->zone || o->around ?
		    " (no asset matches --zone/--around)" : ""), -1;
	return 0;
}

static int
render_copy(GVC_t *gvc, Agraph_t *g, const char *fmt, char **out, size_t *len)
{
	char *data = NULL;
	unsigned int dlen = 0;
	int rc = -1;

	if (gvRenderData(gvc, g, fmt, &data, &dlen) == 0 && data && (*out = malloc(dlen + 1)) != NULL) {
		memcpy(*out, data, dlen);
		(*out)[dlen] = '\0';
		*len = dlen;
		rc = 0;
	}
	if (data)
		gvFreeRenderData(data);
	return rc;
}

/*
 * Two passes.  dot places the nodes: zones as clusters, levels as rows
 * (the spines).  The result, read back with its positions, gets the
 * conversations and goes through neato -n2 ("nop2"), which keeps every
 * position and draws the edges as lines over the picture.  Conversations
 * never take part in dot's layout: Graphviz 2.43's dot fails ("trouble in
 * init_rank", then a crash) on clusters joined by many edges, and where it
 * does not, a plant's polling mesh (every HMI to every PLC) gives edges
 * spanning rows whose virtual nodes spread the rows several times wider.
 * No gvFreeLayout() after dot: 2.43 frees twice on these graphs; a map is
 * drawn once per command, so that memory goes with the process.
 */
static int
render(struct map *m, enum map_format fmt, char **out, size_t *len, char *err, size_t errsz)
{
	GVC_t *gvc = gvContext();
	char *laid = NULL;
	size_t laid_len = 0;
	Agraph_t *g2 = NULL;
	int rc = -1;

	if (gvLayout(gvc, m->g, "dot") != 0 || render_copy(gvc, m->g, "dot", &laid, &laid_len) != 0)
		snprintf(err, errsz, "Graphviz could not lay the map out");
	else if ((g2 = agmemread(laid)) == NULL)
		snprintf(err, errsz, "Graphviz could not read its own layout back");
	else {
		draw_edges(m, g2);
		if (gvLayout(gvc, g2, "nop2") != 0)
			snprintf(err, errsz, "Graphviz could not route the edges between zones");
		else if (render_copy(gvc, g2, fmt == MAP_PNG ? "png" : fmt == MAP_DOT ? "dot" : "svg",
		    out, len) != 0)
			snprintf(err, errsz, "Graphviz could not render the map (is libgvc6's plugin "
			    "configuration in place? `dot -c` as root writes it)");
		else
			rc = 0;
		gvFreeLayout(gvc, g2);
		agclose(g2);
	}
	free(laid);
	gvFreeContext(gvc);
	return rc;
}

int
map_render(json_t *assets, json_t *convs, const struct map_opts *o, char **out, size_t *len,
    char *err, size_t errsz)
{
	struct map m = { 0 };
	int rc;

	*out = NULL;
	*len = 0;
	rc = build(&m, assets, convs, o, err, errsz);
	if (rc == 0)
		rc = render(&m, o->format, out, len, err, errsz);
	if (m.g)
		agclose(m.g);
	free(m.nodes);
	free(m.zones);
	free(m.edges);
	return rc;
}
