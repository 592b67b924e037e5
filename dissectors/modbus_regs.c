/*
 * modbus_regs.c - device identity from Modbus register values.
 *
 * SunSpec (SunSpec Information Model Specification; Modbus register map
 * of "SunSpec Device Information Model Specification", model 1): a device
 * holds the marker "SunS" (0x5375 0x6e53) at one of the well-known bases
 * 0, 40000 or 50000 (PDU addresses), followed by a chain of models, each
 * an id (1 register) and a length L (1 register) and L registers.  The
 * first model is the common model (id 1, L 65 or 66):
 *   Mn (16 regs) manufacturer | Md (16) model | Opt (8) options
 *   | Vr (8) version | SN (16) serial | DA (1) device address | [pad (1)]
 * Models 101-103 / 111-113 are inverters, 201-204 meters, 802 a battery.
 *
 * A master may read the marker and the common model in one read or in
 * several, in any order, and start in the middle of the model; the
 * registers of the window each base could hold are kept per unit until
 * all the fields they make up are known.  Vendor maps (regmap.h) are
 * matched against every read that covers one of their rows.
 *
 * Facts are about the unit, not the server: a Modbus/TCP gateway answers
 * for every device on its serial bus (SRC_MODBUS_UNIT in obs.h).
 */
#include <stdlib.h>
#include <string.h>

#include "modbus_regs.h"

/* Register states allocated over all flows and packet threads. */
static unsigned regs_live;

static const uint16_t ss_bases[SS_NBASES] = { 0, 40000, 50000 };

#define SS_MARK_HI	0x5375	/* "Su" */
#define SS_MARK_LO	0x6e53	/* "nS" */
#define SS_COMMON	1
#define SS_END		0xffff
#define SS_TEXT_MAX	32	/* longest common-model string: 16 registers */

/* Common model fields: offset in the window, registers, attribute, source. */
static const struct ss_field {
	uint8_t		 off, regs;
	struct fact_name attr, src;
} ss_fields[] = {
	{ 4, 16, FN(A_VENDOR), FN(SRC_MODBUS_UNIT "sunspec/Mn") },
	{ 20, 16, FN(A_MODEL), FN(SRC_MODBUS_UNIT "sunspec/Md") },
	{ 36, 8, FN(A_OPTIONS), FN(SRC_MODBUS_UNIT "sunspec/Opt") },
	{ 44, 8, FN(A_FIRMWARE), FN(SRC_MODBUS_UNIT "sunspec/Vr") },
	{ 52, 16, FN(A_SERIAL), FN(SRC_MODBUS_UNIT "sunspec/SN") },
	{ 68, 1, FN(A_NOTE), FN(SRC_MODBUS_UNIT "sunspec/DA") },
};
#define SS_NFIELDS (sizeof(ss_fields) / sizeof(ss_fields[0]))

/* Slot of a unit id; the least recently used slot is taken over (counted). */
static struct mb_unit *
unit_slot(struct diss_ctx *dc, struct mb_regs *r, uint8_t unit)
{
	struct mb_unit *old = &r->units[0];

	r->clock++;
	for (unsigned i = 0; i < MODBUS_MAX_UNITS; i++) {
		struct mb_unit *u = &r->units[i];

		if (u->used && u->unit == unit) {
			u->stamp = r->clock;
			return u;
		}
		if (!u->used || (old->used && u->stamp < old->stamp))
			old = u;
	}
	if (old->used)
		diss_count(dc, MB_UNITS_REUSED);
	memset(old, 0, sizeof(*old));
	old->used = true;
	old->unit = unit;
	old->stamp = r->clock;
	return old;
}

void
mb_regs_refresh(struct mb_regs *r)
{
	if (r == NULL)
		return;
	for (unsigned i = 0; i < MODBUS_MAX_UNITS; i++)
		for (unsigned b = 0; b < SS_NBASES; b++)
			r->units[i].ss[b].sent = 0;
}

static bool
win_known(const struct ss_base *w, unsigned off, unsigned n)
{
	for (unsigned i = off; i < off + n; i++)
		if (i >= SS_WIN || !(w->known[i >> 3] & (1u << (i & 7))))
			return false;
	return true;
}

/*
 * Registers as text: two characters each, high byte first, NUL padded.
 * Only printable ASCII is text; false for anything else or for nothing.
 */
static bool
regs_text(const uint16_t *regs, unsigned n, char *out, size_t outsz, size_t *len)
{
	size_t k = 0;
	bool ended = false;

	for (unsigned i = 0; i < n && k + 2 < outsz; i++) {
		uint8_t c[2] = { (uint8_t)(regs[i] >> 8), (uint8_t)regs[i] };

		for (int j = 0; j < 2; j++) {
			if (c[j] == 0) {
				ended = true;
				continue;
			}
			if (ended || c[j] < 0x20 || c[j] > 0x7e)
				return false;	/* text after the padding, or a control byte */
			out[k++] = (char)c[j];
		}
	}
	while (k > 0 && out[k - 1] == ' ')
		k--;
	out[k] = '\0';
	*len = k;
	return k > 0;
}

static void
unit_fact(struct diss_ctx *dc, const struct mb_unit *u, struct fact_name attr, struct fact_name src,
    const char *text, size_t len)
{
	diss_factf_fn(dc, SIDE_SERVER, attr, src, CONF_STATED, "%u|%.*s", u->unit, (int)len, text);
}

static const char *
ss_device_type(uint16_t id)
{
	if ((id >= 101 && id <= 103) || (id >= 111 && id <= 113))
		return "inverter";
	if (id >= 201 && id <= 204)
		return "meter";
	if (id == 802)
		return "battery";
	return NULL;
}

/* The common model of one base, field by field as its registers become known. */
static void
ss_common(struct diss_ctx *dc, struct mb_unit *u, struct ss_base *w)
{
	char text[SS_TEXT_MAX + 1];
	size_t len;

	for (unsigned f = 0; f < SS_NFIELDS; f++) {
		const struct ss_field *fd = &ss_fields[f];

		if ((w->sent & (1u << f)) || !win_known(w, fd->off, fd->regs))
			continue;
		w->sent |= (uint8_t)(1u << f);
		if (fd->regs == 1) {
			diss_factf_fn(dc, SIDE_SERVER, fd->attr, fd->src, CONF_STATED,
			    "%u|sunspec device address %u", u->unit, w->reg[fd->off]);
			continue;
		}
		if (regs_text(&w->reg[fd->off], fd->regs, text, sizeof(text), &len))
			unit_fact(dc, u, fd->attr, fd->src, text, len);
		if (f == 0)
			diss_count(dc, MB_SUNSPEC);
	}
}

/* A model header (id, length) at addr inside this read's values. */
static bool
read_reg(const struct cur *vals, uint16_t start, uint16_t qty, uint32_t addr, uint16_t *v)
{
	if (addr < start || addr >= (uint32_t)start + qty)
		return false;
	return cur_peek_be16(vals, (size_t)(addr - start) * 2, v);
}

/*
 * Walk the model chain as far as this read reaches: each header names
 * the model (device type) and where the next one starts.  A second common
 * model in the chain is another device's identity inside the same map
 * (an inverter with its meter): kept as a note, not as this unit's.
 */
static void
ss_chain(struct diss_ctx *dc, struct mb_unit *u, struct ss_base *w, const struct cur *vals,
    uint16_t start, uint16_t qty)
{
	uint16_t id, len;

	while (!w->ended && w->next != 0 && w->models < SUNSPEC_MAX_MODELS &&
	    read_reg(vals, start, qty, w->next, &id) && read_reg(vals, start, qty, w->next + 1u, &len)) {
		const char *type = ss_device_type(id);
		uint32_t next = (uint32_t)w->next + 2u + len;

		w->models++;
		if (id == SS_END) {
			w->ended = true;
			break;
		}
		if (type)
			diss_factf(dc, SIDE_SERVER, A_DEVICE_TYPE, SRC_MODBUS_UNIT "sunspec/model",
			    CONF_STATED, "%u|%s", u->unit, type);
		if (id == SS_COMMON && (len == 65 || len == 66)) {
			uint16_t regs[16];
			char mn[SS_TEXT_MAX + 1], md[SS_TEXT_MAX + 1], sn[SS_TEXT_MAX + 1];
			size_t lmn = 0, lmd = 0, lsn = 0;
			bool ok = true;

			for (unsigned part = 0; part < 3 && ok; part++) {
				static const uint8_t offs[3] = { 0, 16, 48 };
				char *dst = part == 0 ? mn : part == 1 ? md : sn;
				size_t *l = part == 0 ? &lmn : part == 1 ? &lmd : &lsn;

				for (unsigned i = 0; i < 16 && ok; i++)
					ok = read_reg(vals, start, qty, w->next + 2u + offs[part] + i, &regs[i]);
				if (ok && !regs_text(regs, 16, dst, SS_TEXT_MAX + 1, l))
					dst[0] = '\0';
			}
			if (ok)
				diss_factf(dc, SIDE_SERVER, A_NOTE, SRC_MODBUS_UNIT "sunspec/device2",
				    CONF_STATED, "%u|second SunSpec device: %s %s serial %s",
				    u->unit, mn, md, sn);
		}
		if (next > 0xffff) {
			w->ended = true;	/* a length that runs off the address space */
			break;
		}
		w->next = (uint16_t)next;
	}
}

/* What one base's window says now: marker, common model header, fields, chain. */
static void
ss_eval(struct diss_ctx *dc, struct mb_unit *u, unsigned b, const struct cur *vals,
    uint16_t start, uint16_t qty)
{
	struct ss_base *w = &u->ss[b];

	if (!win_known(w, 0, 4))
		return;
	if (w->reg[0] != SS_MARK_HI || w->reg[1] != SS_MARK_LO)
		return;			/* other data at this address: not SunSpec */
	if (w->reg[2] != SS_COMMON || (w->reg[3] != 65 && w->reg[3] != 66)) {
		if (!(w->sent & 0x80))
			diss_count(dc, MB_SUNSPEC_BAD);
		w->sent |= 0x80;
		return;
	}
	ss_common(dc, u, w);
	if (w->next == 0 && !w->ended)
		w->next = (uint16_t)(ss_bases[b] + 4u + w->reg[3]);
	ss_chain(dc, u, w, vals, start, qty);
}

/* Copy the part of a read that falls in each base's window, then evaluate. */
static void
sunspec_read(struct diss_ctx *dc, struct mb_unit *u, uint16_t start, uint16_t qty,
    const struct cur *vals)
{
	for (unsigned b = 0; b < SS_NBASES; b++) {
		struct ss_base *w = &u->ss[b];
		uint32_t lo = ss_bases[b], hi = lo + SS_WIN;
		uint32_t from = start > lo ? start : lo;
		uint32_t to = (uint32_t)start + qty < hi ? (uint32_t)start + qty : hi;

		for (uint32_t a = from; a < to; a++) {
			unsigned i = (unsigned)(a - lo);

			if (cur_peek_be16(vals, (size_t)(a - start) * 2, &w->reg[i]))
				w->known[i >> 3] |= (uint8_t)(1u << (i & 7));
		}
		ss_eval(dc, u, b, vals, start, qty);
	}
}

/* --- vendor register maps ------------------------------------------------ */

static bool
row_value(const struct regmap *m, const struct rm_row *row, const struct cur *vals,
    uint16_t start, char *out, size_t outsz, size_t *len)
{
	uint16_t regs[125];

	for (unsigned i = 0; i < row->count; i++)
		if (!cur_peek_be16(vals, (size_t)(row->start - start + i) * 2, &regs[i]))
			return false;
	if (row->enc == RM_U16) {
		const char *t = regmap_code_text(m, row, regs[0]);

		if (t == NULL)
			return false;	/* a code the map does not know is no evidence */
		*len = strlen(t);
		if (*len >= outsz)
			return false;
		memcpy(out, t, *len + 1);
		return true;
	}
	return regs_text(regs, row->count, out, outsz, len);
}

static void
map_fact(struct diss_ctx *dc, const struct mb_unit *u, const struct rm_row *row,
    const char *text, size_t len)
{
	diss_count(dc, MB_REGMAP_HITS);
	unit_fact(dc, u, row->attr, FN(SRC_MODBUS_UNIT "regmap"), text, len);
}

/*
 * Key rows (with a check) first: a matching answer says which maker's map
 * this device follows.  The other rows of that map apply only then.
 */
static void
regmap_read(struct diss_ctx *dc, struct mb_unit *u, enum mb_table table, uint16_t start,
    uint16_t qty, const struct cur *vals)
{
	const struct regmap *m = regmap_active();
	char text[256];
	size_t len;

	if (m == NULL)
		return;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < m->nrows; i++) {
			const struct rm_row *row = &m->rows[i];
			bool key = row->check[0] != '\0';

			if (key != (pass == 0) || row->table != (uint8_t)table ||
			    row->start < start || (uint32_t)row->start + row->count > (uint32_t)start + qty)
				continue;
			if (!key && !(u->maps_ok & (1u << row->map)))
				continue;
			if (!row_value(m, row, vals, start, text, sizeof(text), &len))
				continue;
			if (key && !regmap_check(row->check, text))
				continue;
			if (key) {
				const char *v = m->maps[row->map].vendor;

				u->maps_ok |= (uint16_t)(1u << row->map);
				unit_fact(dc, u, FN(A_VENDOR), FN(SRC_MODBUS_UNIT "regmap"), v,
				    strlen(v));
			}
			map_fact(dc, u, row, text, len);
		}
}

/* Does a read cover anything register identity looks at? */
static bool
read_wanted(enum mb_table table, uint16_t start, uint16_t qty)
{
	const struct regmap *m = regmap_active();
	uint32_t end = (uint32_t)start + qty;

	if (table == MB_HOLDING)
		for (unsigned b = 0; b < SS_NBASES; b++)
			if (start < ss_bases[b] + SS_WIN && end > ss_bases[b])
				return true;
	for (size_t i = 0; m && i < m->nrows; i++)
		if (m->rows[i].table == (uint8_t)table && m->rows[i].start >= start &&
		    (uint32_t)m->rows[i].start + m->rows[i].count <= end)
			return true;
	return false;
}

static struct mb_regs *
regs_alloc(struct diss_ctx *dc)
{
	struct mb_regs *r;

	if (__atomic_add_fetch(&regs_live, 1, __ATOMIC_RELAXED) > MODBUS_REGS_MAX_FLOWS ||
	    (r = calloc(1, sizeof(*r))) == NULL) {
		__atomic_sub_fetch(&regs_live, 1, __ATOMIC_RELAXED);
		diss_count(dc, MB_REGS_REFUSED);
		return NULL;
	}
	return r;
}

void
mb_regs_free(struct mb_regs *r)
{
	if (r == NULL)
		return;
	free(r);
	__atomic_sub_fetch(&regs_live, 1, __ATOMIC_RELAXED);
}

void
mb_regs_read(struct diss_ctx *dc, struct mb_regs **rp, uint8_t unit, enum mb_table table,
    uint16_t start, uint16_t qty, struct cur *values)
{
	struct mb_unit *u;

	diss_count(dc, MB_REG_READS);
	/* once a flow has state, every read counts: a model chain runs past the windows */
	if (*rp == NULL && (!read_wanted(table, start, qty) || (*rp = regs_alloc(dc)) == NULL))
		return;
	u = unit_slot(dc, *rp, unit);
	if (table == MB_HOLDING)
		sunspec_read(dc, u, start, qty, values);
	regmap_read(dc, u, table, start, qty, values);
}
