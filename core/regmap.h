/*
 * regmap.h - vendor Modbus register maps, loaded from a data file
 * (oui/registers.map, format in docs/DISSECTORS.md) so that a new maker's
 * identity registers are a line of data, not code.
 *
 * A row names a register range (table, start address as on the wire,
 * count), the attribute it holds and how it is encoded.  Rows are grouped
 * into maps, one per product family, each with the maker it belongs to.
 * A map applies to a device only once one of its key rows (rows with a
 * check pattern) matched that device's answer, so one maker's map never
 * names another maker's registers.
 *
 * Loaded once at start (and on reload) by the daemon and installed with
 * regmap_install(); the Modbus dissector reads the installed map and never
 * changes it.  Packet threads may hold the installed map at any time, so
 * the daemon keeps every map it installed until it exits, and installs a
 * new one only when the file's content changed (regmap_same).
 */
#ifndef SW_REGMAP_H
#define SW_REGMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "obs.h"
#include "sw_limits.h"

enum rm_table { RM_HOLDING, RM_INPUT };
enum rm_enc { RM_STRING, RM_U16 };

struct rm_value {
	uint16_t	 code;
	char		 text[48];
};

struct rm_row {
	uint8_t		 map;		/* index into maps[] */
	uint8_t		 table;		/* enum rm_table */
	uint8_t		 enc;		/* enum rm_enc */
	uint16_t	 start, count;	/* registers, as on the wire */
	struct fact_name attr;		/* A_* (obs.h: a literal) */
	char		 check[32];	/* glob the decoded text must match; "" = none */
	uint16_t	 first_value, nvalues;	/* RM_U16: its slice of values[] */
	int		 line;		/* in the file, for messages */
};

struct rm_map {
	char		 name[24];
	char		 vendor[48];
};

struct regmap {
	struct rm_map	 maps[REGMAP_MAX_MAPS];
	size_t		 nmaps;
	struct rm_row	 rows[REGMAP_MAX_ROWS];
	size_t		 nrows;
	struct rm_value	 values[REGMAP_MAX_VALUES];
	size_t		 nvalues;
};

/* Parse a map file; NULL with a sentence in err (file:line: what is wrong). */
struct regmap	*regmap_load(const char *path, char *err, size_t errsz);
/* Parse map text (tests, and regmap_load). */
struct regmap	*regmap_parse(const char *text, const char *name, char *err, size_t errsz);
void		 regmap_free(struct regmap *m);
/* Did two loads give the same maps? */
bool		 regmap_same(const struct regmap *a, const struct regmap *b);

/* The map the dissectors use (NULL: none); not owned. */
void		 regmap_install(const struct regmap *m);
const struct regmap *regmap_active(void);

/* The text of a u16 code in a row's value table, NULL if it has none. */
const char	*regmap_code_text(const struct regmap *m, const struct rm_row *r, uint16_t code);
/* Does text match a row's check glob ('*' any run, '?' one character)? */
bool		 regmap_check(const char *glob, const char *text);

#endif
