/* xrt fpcost: random but realistic IPv6 route tables, reproducible from a seed. */
#include <string.h>
#include "fpcost.h"

/* xorshift64*: fast, good enough to scatter prefixes, same on every machine. */
uint64_t fp_rand(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/*
 * Prefix lengths follow the shape of the public IPv6 table (most routes are
 * /48, then /32, /44, /40, /36, a few longer), restricted to /32../64.
 */
static const struct {
	unsigned below_pct, plen; /* cumulative: pct < below_pct picks plen */
} FP_PLEN_MIX[] = {{47, 48}, {61, 32}, {69, 44}, {75, 40}, {78, 36}, {80, 56}, {81, 64}};

static unsigned fp_pick_plen(uint64_t *rng)
{
	unsigned pct = fp_rand(rng) % 100;
	for (unsigned i = 0; i < sizeof(FP_PLEN_MIX) / sizeof(FP_PLEN_MIX[0]); i++)
		if (pct < FP_PLEN_MIX[i].below_pct)
			return FP_PLEN_MIX[i].plen;
	return 33 + fp_rand(rng) % 31; /* 33..63 */
}

static void fp_mask(struct in6_addr *a, unsigned plen)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = plen > i * 8 ? plen - i * 8 : 0;
		if (bits < 8)
			a->s6_addr[i] &= (uint8_t)(0xff00 >> bits);
	}
}

void fp_routes_generate(struct fp_route *r, unsigned n, uint64_t seed)
{
	uint64_t rng = seed | 1;
	for (unsigned i = 0; i < n; i++) {
		uint64_t hi = fp_rand(&rng), lo = fp_rand(&rng);
		struct in6_addr a;
		/* Global unicast 2000::/4, never 2001:db8::/32 (the bench's own). */
		hi = (hi & 0x0fffffffffffffffULL) | 0x2000000000000000ULL;
		if ((hi >> 32) == 0x20010db8)
			hi ^= 0x0100000000000000ULL;
		for (int b = 0; b < 8; b++) {
			a.s6_addr[b] = (uint8_t)(hi >> (56 - 8 * b));
			a.s6_addr[8 + b] = (uint8_t)(lo >> (56 - 8 * b));
		}
		r[i].plen = (uint8_t)fp_pick_plen(&rng);
		fp_mask(&a, r[i].plen);
		r[i].addr = a;
	}
}

/* A destination inside route r: its prefix plus random host bits. */
void fp_route_host(const struct fp_route *r, uint64_t *rng, struct in6_addr *out)
{
	struct in6_addr host;
	uint64_t hi = fp_rand(rng), lo = fp_rand(rng);
	for (int b = 0; b < 8; b++) {
		host.s6_addr[b] = (uint8_t)(hi >> (56 - 8 * b));
		host.s6_addr[8 + b] = (uint8_t)(lo >> (56 - 8 * b));
	}
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = r->plen > i * 8 ? r->plen - i * 8 : 0;
		uint8_t net_mask = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);
		out->s6_addr[i] = (r->addr.s6_addr[i] & net_mask) | (host.s6_addr[i] & ~net_mask);
	}
}
