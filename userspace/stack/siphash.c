/* xrt: SipHash-2-4, after the reference implementation of the SipHash paper (section 2) and the kernel's lib/siphash.c. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include "stack/siphash.h"

static inline uint64_t rotl64(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

static inline uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* SipRound (paper, section 2, "SipRound"). */
#define SIPROUND                                                                     \
	do {                                                                         \
		v0 += v1; v1 = rotl64(v1, 13); v1 ^= v0; v0 = rotl64(v0, 32);       \
		v2 += v3; v3 = rotl64(v3, 16); v3 ^= v2;                             \
		v0 += v3; v3 = rotl64(v3, 21); v3 ^= v0;                             \
		v2 += v1; v1 = rotl64(v1, 17); v1 ^= v2; v2 = rotl64(v2, 32);       \
	} while (0)

uint64_t siphash(const void *data, size_t len, const siphash_key_t *key)
{
	const uint8_t *in = data;
	uint64_t k0 = key->key[0], k1 = key->key[1];
	/* Initialization: "somepseudorandomlygeneratedbytes". */
	uint64_t v0 = 0x736f6d6570736575ull ^ k0;
	uint64_t v1 = 0x646f72616e646f6dull ^ k1;
	uint64_t v2 = 0x6c7967656e657261ull ^ k0;
	uint64_t v3 = 0x7465646279746573ull ^ k1;
	size_t full = len & ~(size_t)7;

	for (size_t i = 0; i < full; i += 8) {
		uint64_t m = le64(in + i);
		v3 ^= m;
		SIPROUND; /* c = 2 compression rounds */
		SIPROUND;
		v0 ^= m;
	}
	/* The last block: the remaining bytes, and len mod 256 in the top byte. */
	uint64_t b = (uint64_t)len << 56;
	for (size_t i = 0; i < (len & 7); i++)
		b |= (uint64_t)in[full + i] << (8 * i);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	/* Finalization: d = 4 rounds. */
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

int siphash_key_random(siphash_key_t *key)
{
	uint8_t raw[16];
	size_t got = 0;
	while (got < sizeof(raw)) {
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)n;
	}
	key->key[0] = le64(raw);
	key->key[1] = le64(raw + 8);
	return 0;
}
