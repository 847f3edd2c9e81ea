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

/*
 * IPv4: the shape of the public IPv4 table (about 60% /24, then /22, /23,
 * /20, /21, /16../19, a few shorter and longer), as IPv4-mapped prefixes
 * (include/xrt/inet.h: plen + 96). Unicast 1/8..223/8, never 198.18/15 (the
 * bench's own), 0/8, 10/8 or 127/8.
 */
static const struct {
	unsigned below_pct, plen;
} FP_PLEN4_MIX[] = {{60, 24}, {68, 22}, {75, 23}, {80, 20}, {85, 21}, {88, 16}, {94, 19},
		    {97, 18}, {98, 17}};

void fp_routes_generate4(struct fp_route *r, unsigned n, uint64_t seed)
{
	uint64_t rng = seed | 1;
	for (unsigned i = 0; i < n; i++) {
		uint32_t a = (uint32_t)(fp_rand(&rng) >> 32), pct = fp_rand(&rng) % 100;
		unsigned plen = 8 + (unsigned)(fp_rand(&rng) % 25); /* 8..32 */
		for (unsigned k = 0; k < sizeof(FP_PLEN4_MIX) / sizeof(FP_PLEN4_MIX[0]); k++)
			if (pct < FP_PLEN4_MIX[k].below_pct) {
				plen = FP_PLEN4_MIX[k].plen;
				break;
			}
		a = 0x01000000u + a % (0xe0000000u - 0x01000000u); /* 1.0.0.0..223.255.255.255 */
		if ((a >> 17) == (0xc612u >> 1) || (a >> 24) == 10 || (a >> 24) == 127)
			a ^= 0x20000000u;
		a &= plen ? ~0u << (32 - plen) : 0;
		memset(&r[i].addr, 0, sizeof(r[i].addr));
		r[i].addr.s6_addr[10] = r[i].addr.s6_addr[11] = 0xff;
		for (int b = 0; b < 4; b++)
			r[i].addr.s6_addr[12 + b] = (uint8_t)(a >> (24 - 8 * b));
		r[i].plen = (uint8_t)(96 + plen);
	}
}
