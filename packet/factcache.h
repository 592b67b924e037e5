/*
 * factcache.h - remembers which observations were sent recently.
 *
 * A Modbus poll loop says "unit 1" a hundred times a second; the store
 * needs it once in a while (to move last_seen), not a hundred times.  A
 * table of hashes, allocated once: a repeat within FACT_REFRESH_US is
 * suppressed.  It is four-way set-associative: with one slot per hash,
 * two facts that fell in the same slot pushed each other out on every
 * sighting, and a few hundred of a plant's few thousand facts were sent
 * on every packet that carried them.  A set keeps four; a newcomer
 * replaces the one sent longest ago.
 */
#ifndef SW_FACTCACHE_H
#define SW_FACTCACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sw_limits.h"


#define FC_WAYS	4

/* One set: a cache line of four (hash, time sent) pairs. */
struct fc_set {
	uint64_t	 key[FC_WAYS];
	uint64_t	 when[FC_WAYS];
};

struct fact_cache {
	struct fc_set	 set[FACT_CACHE_SLOTS / FC_WAYS];
	uint64_t	 suppressed;
};

/*
 * Hash a byte range into h, eight bytes at a time (this runs for every
 * fact a dissector reports, so byte-wise FNV was too slow); chainable.
 * Not for packet parsing: the bytes are our own copies or static strings.
 */
/*
 * The last n (< 8) bytes as memcpy(&w, b, n) into a zeroed word reads
 * them: the compiler made that a byte loop.  On a little-endian host the
 * same word comes from two loads that may overlap (n >= 4) or three bytes
 * (n < 4, some read twice), with no loop.
 */
static inline uint64_t
fc_tail(const uint8_t *b, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint32_t lo, hi;

	if (n >= 4) {
		memcpy(&lo, b, 4);
		memcpy(&hi, b + n - 4, 4);
		return (uint64_t)lo | (uint64_t)hi << (8 * (n - 4));
	}
	if (n == 0)
		return 0;
	return (uint64_t)b[0] | (uint64_t)b[n >> 1] << (8 * (n >> 1)) |
	    (uint64_t)b[n - 1] << (8 * (n - 1));
#else
	uint64_t w = 0;

	memcpy(&w, b, n);
	return w;
#endif
}

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
	w = fc_tail(b, n);
	h = (h ^ w ^ ((uint64_t)n << 56)) * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}
#define FC_SEED	14695981039346656037ull

/* Chain one 64-bit word (a pointer, a number) into h. */
static inline uint64_t
fc_hash_word(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 32);
}

/*
 * Chain a static string (an attribute or source name) by its text.  Its
 * address would spare the strlen, but ASLR moves it per run and every
 * build moves it too: the sets then fill differently, other repeats are
 * suppressed, and neither two reads of a file nor two builds' databases
 * are the same.
 */
static inline uint64_t
fc_hash_static(uint64_t h, const char *s)
{
	return fc_hash(h, s, strlen(s));
}

/* True if the observation with this hash should be sent now (and records it). */
static inline bool
fc_should_send(struct fact_cache *fc, uint64_t h, uint64_t now_us)
{
	struct fc_set *set;
	unsigned i, oldest = 0;

	if (fc == NULL)
		return true;
	/* FNV alone leaves the low bits of near-equal inputs alike: finalise (murmur3 fmix64) */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	h |= 1;		/* 0 marks an empty slot */
	set = &fc->set[(h >> 17) & (FACT_CACHE_SLOTS / FC_WAYS - 1)];
	for (i = 0; i < FC_WAYS; i++) {
		if (set->key[i] == h)
			break;
		if (set->when[i] < set->when[oldest])
			oldest = i;
	}
	if (i < FC_WAYS) {
		if (now_us >= set->when[i] && now_us - set->when[i] < FACT_REFRESH_US) {
			fc->suppressed++;
			return false;
		}
	} else
		i = oldest;
	set->key[i] = h;
	set->when[i] = now_us;
	return true;
}

#endif
