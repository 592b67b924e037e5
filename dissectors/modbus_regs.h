/*
 * modbus_regs.h - what the Modbus dissector learns from register values:
 * SunSpec models and vendor register maps (regmap.h).  Internal to
 * dissectors/modbus.c, which pairs each read response with its request
 * and hands the registers here with their addresses.
 */
#ifndef SW_MODBUS_REGS_H
#define SW_MODBUS_REGS_H

#include <stdbool.h>
#include <stdint.h>

#include "dissector.h"
#include "regmap.h"
#include "sw_limits.h"

/* The Modbus dissector's counters (counter_names in modbus.c, same order). */
enum mb_counter {
	MB_REQUESTS,
	MB_RESPONSES,
	MB_EXCEPTIONS,
	MB_WRITES,		/* requests with a write function code */
	MB_PROGRAM,		/* diagnostics / programming function codes */
	MB_UNMATCHED,		/* responses without their request */
	MB_BAD_ADU,		/* framing fine, PDU body malformed */
	MB_DEVID_OBJECTS,	/* 43/14 objects extracted */
	MB_REG_READS,		/* read responses mapped to register addresses */
	MB_BAD_COUNT,		/* read responses whose byte count contradicts the request */
	MB_UNITS_REUSED,	/* unit slots taken over from another unit (MODBUS_MAX_UNITS) */
	MB_SUNSPEC,		/* SunSpec common models decoded */
	MB_SUNSPEC_BAD,		/* "SunS" marker followed by no valid common model */
	MB_REGMAP_HITS,		/* vendor map rows that matched */
	MB_OPERATIONS,		/* requests reported as operations */
	MB_REGS_REFUSED,	/* flows whose register state MODBUS_REGS_MAX_FLOWS refused */
};

/* SunSpec bases (register address of "SunS" as on the wire). */
#define SS_NBASES	3
/* "SunS" (2) + common model id and length (2) + common model (66 at most). */
#define SS_WIN		70

struct ss_base {
	uint16_t	 reg[SS_WIN];
	uint8_t		 known[(SS_WIN + 7) / 8];
	uint8_t		 sent;		/* common model fields reported (bits) */
	uint8_t		 models;	/* chain headers walked */
	uint16_t	 next;		/* address of the next model header, 0: unknown */
	bool		 ended;		/* chain end (0xFFFF) seen */
};

struct mb_unit {
	bool		 used;
	uint8_t		 unit;
	uint16_t	 maps_ok;	/* vendor maps whose key row matched this unit */
	uint32_t	 stamp;		/* last use, for reuse of the least recent slot */
	struct ss_base	 ss[SS_NBASES];
};

struct mb_regs {
	struct mb_unit	 units[MODBUS_MAX_UNITS];
	uint32_t	 clock;
};

enum mb_table { MB_HOLDING, MB_INPUT };

/*
 * The values of a read: table, first address and quantity from the
 * request, values (2 * qty bytes) from the response.  *r is the flow's
 * register state, allocated here on the first read that covers a SunSpec
 * window or a vendor map row (most flows never read one), at most
 * MODBUS_REGS_MAX_FLOWS at a time over all flows (refusals counted).
 */
void	 mb_regs_read(struct diss_ctx *dc, struct mb_regs **r, uint8_t unit,
	    enum mb_table table, uint16_t start, uint16_t qty, struct cur *values);
/* Forget what was reported, so that facts are sent again (FACT_REFRESH_US). */
void	 mb_regs_refresh(struct mb_regs *r);
/* The flow is going away (NULL: nothing). */
void	 mb_regs_free(struct mb_regs *r);

#endif
