/*
 * q_stats.h - the counts behind `spanwatch stats`.  NULL on a database
 * error (sqlite3_errcode of db says which; SQLITE_BUSY: try again).
 * Strings are the stored bytes, not checked for UTF-8.
 */
#ifndef SW_Q_STATS_H
#define SW_Q_STATS_H

#include <jansson.h>

struct sqlite3;

/* {assets, gateways, evidence, services, conversations, schema_version} */
json_t	*qst_counts(struct sqlite3 *db);
/* [{protocol, assets}]: assets serving or using each protocol, most first. */
json_t	*qst_per_protocol(struct sqlite3 *db);

#endif
