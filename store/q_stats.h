/*
 * q_stats.h - the counts behind `spanwatch stats`.  NULL on a database
 * error (store_db_errcode says which; a busy database: try again).
 * Strings are the stored bytes, not checked for UTF-8.
 */
#ifndef SW_Q_STATS_H
#define SW_Q_STATS_H

#include <jansson.h>

struct store;

/* {assets, gateways, evidence, services, conversations, schema_version} */
json_t	*qst_counts(struct store *st);
/* [{protocol, assets}]: assets serving or using each protocol, most first. */
json_t	*qst_per_protocol(struct store *st);

#endif
