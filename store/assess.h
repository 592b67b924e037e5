/*
 * assess.h - the risk verdict and the device category of the assets a
 * batch touched (assess.c), for batch.c alone (`make layering`: see
 * ingest.h for the direction).
 */
#ifndef SW_ASSESS_H
#define SW_ASSESS_H

#include <stdint.h>

struct risk_result;
struct store;

int	 assess_touched(struct store *s, long long now);	/* every asset touch_for_risk listed */
int	 assess_asset(struct store *s, int64_t asset_id, long long now);
/* The risk table's reason column for r: a JSON array (malloc'd; NULL out of memory). */
char	*assess_reasons_json(const struct risk_result *r);

#endif
