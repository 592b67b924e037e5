/*
 * summary.h - what `spanwatchd -r` prints when it has read a capture: the
 * inventory in a few lines, its top findings and what to run next (the
 * counters are for --stats and `spanwatch status`).
 */
#ifndef SW_SUMMARY_H
#define SW_SUMMARY_H

#include <stdint.h>
#include <stdio.h>

struct store;

struct summary_in {
	const char	*file;		/* the capture read */
	const char	*dbpath;	/* NULL: read without a database */
	struct store	*st;		/* the store, NULL without a database */
	uint64_t	 new_assets;	/* assets this run created */
	uint64_t	 skipped;	/* malformed or truncated packets skipped */
	uint64_t	 drops;		/* observations the queue dropped */
	const char	*protocols;	/* "modbus 10801, s7comm 524, ..." (industrial first) */
};

void	 summary_print(FILE *f, const struct summary_in *in);

#endif
