/* xrt: the route cache's path MTU entries, learned from Packet Too Big (RFC 8201). */
#include "stack/stack_internal.h"

#define PMTU_CACHE_SIZE 1024 /* bounded; the oldest entry makes room */

struct pmtu_entry {
	struct in6_addr dst;
	uint32_t mtu; /* 0 = free slot */
	uint64_t expires_ns;
	uint64_t updated_ns;
};

static struct pmtu_entry pmtu_cache[PMTU_CACHE_SIZE];

static struct pmtu_entry *pmtu_find(const struct in6_addr *dst)
{
	for (unsigned i = 0; i < PMTU_CACHE_SIZE; i++)
		if (pmtu_cache[i].mtu && ip6_eq(&pmtu_cache[i].dst, dst))
			return &pmtu_cache[i];
	return NULL;
}

/*
 * RFC 8201 section 4: a Packet Too Big never raises the estimate, and an
 * MTU below 1280 is taken as 1280 (RFC 8200 section 5 minimum link MTU).
 */
void rt6_pmtu_update(const struct in6_addr *dst, uint32_t mtu)
{
	if (mtu < IP6_MIN_MTU)
		mtu = IP6_MIN_MTU;
	uint64_t now = stack_now();
	struct pmtu_entry *e = pmtu_find(dst);
	if (e && e->expires_ns > now && e->mtu <= mtu)
		return;
	if (!e) {
		e = &pmtu_cache[0];
		for (unsigned i = 0; i < PMTU_CACHE_SIZE; i++) {
			if (!pmtu_cache[i].mtu || pmtu_cache[i].expires_ns <= now) {
				e = &pmtu_cache[i];
				break;
			}
			if (pmtu_cache[i].updated_ns < e->updated_ns)
				e = &pmtu_cache[i];
		}
	}
	e->dst = *dst;
	e->mtu = mtu;
	e->updated_ns = now;
	e->expires_ns = now + (uint64_t)PMTU_EXPIRES_SEC * NSEC_PER_SEC;
}

uint32_t rt6_pmtu_get(const struct in6_addr *dst)
{
	struct pmtu_entry *e = pmtu_find(dst);
	if (!e)
		return 0;
	if (e->expires_ns <= stack_now()) {
		e->mtu = 0; /* RFC 8201 4: try a larger MTU again after a while */
		return 0;
	}
	return e->mtu;
}

void rt6_pmtu_flush(void)
{
	memset(pmtu_cache, 0, sizeof(pmtu_cache));
}
