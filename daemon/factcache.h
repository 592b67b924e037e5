/*
 * factcache.h - remembers which observations were sent recently.
 *
 * A Modbus poll loop says "unit 1" a hundred times a second; the store
 * needs it once in a while (to move last_seen), not a hundred times.  A
 * direct-mapped table of hashes, allocated once: a repeat within
 * FACT_REFRESH_US is suppressed; a collision only costs a duplicate.
 */
#ifndef SW_FACTCACHE_H
#define SW_FACTCACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sw_limits.h"


struct fact_cache {
	uint64_t	 key[FACT_CACHE_SLOTS];
	uint64_t	 when[FACT_CACHE_SLOTS];
	uint64_t	 suppressed;
};

/*
 * Hash a byte range into h, eight bytes at a time (this runs for every
 * fact a dissector reports, so byte-wise FNV was too slow); chainable.
 * Not for packet parsing: the bytes are our own copies or static strings.
 */
static inline uint64_t
fc_hash(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t w;

	for (; n >= 8; n -= 8, b += 8) {
		memcpy(&w, b, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, b, n);
	h = (h ^ w ^ ((uint64_t)n << 56)) * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}
#define FC_SEED	14695981039346656037ull

/* True if the observation with this hash should be sent now (and records it). */
static inline bool
fc_should_send(struct fact_cache *fc, uint64_t h, uint64_t now_us)
{
	unsigned i;

	if (fc == NULL)
		return true;
	/* FNV alone leaves the low bits of near-equal inputs alike: finalise (murmur3 fmix64) */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	h |= 1;		/* 0 marks an empty slot */
	i = (unsigned)(h >> 17) & (FACT_CACHE_SLOTS - 1);
	if (fc->key[i] == h && now_us >= fc->when[i] && now_us - fc->when[i] < FACT_REFRESH_US) {
		fc->suppressed++;
		return false;
	}
	fc->key[i] = h;
	fc->when[i] = now_us;
	return true;
}

#endif
