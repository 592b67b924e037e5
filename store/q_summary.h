/*
 * q_summary.h - the inventory in a few numbers and its top findings, for
 * the summary `spanwatchd -r` prints when it has read a capture.
 */
#ifndef SW_Q_SUMMARY_H
#define SW_Q_SUMMARY_H

#include <stddef.h>

#include <jansson.h>

struct store;

/*
 * {assets, gateways, by_category: [{category, assets}] (most first),
 * by_risk: {high, elevated, none, unknown}, flagged: [{id, ip, level,
 * vendor, model, category, reason}] (high first, then elevated, at most
 * max_flagged), flagged_total}.  NULL on a database error.
 */
json_t	*qs_summary(struct store *st, size_t max_flagged);

#endif
