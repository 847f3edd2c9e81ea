/* xrt: the route cache's path MTU entries, learned from Packet Too Big (RFC 8201). */
#include <errno.h>
#include "stack/stack_internal.h"

/*
 * Bounded and set-associative: a destination hashes to one set of
 * PMTU_WAYS entries, so every packet xrtd sends costs a few compares, not a
 * scan of the whole cache (which was 9-13% of xrtd's CPU under TCP load).
 * A full set gives up its least recently updated entry.
 */
#define PMTU_SETS 256
#define PMTU_WAYS 4 /* PMTU_SETS * PMTU_WAYS = 1024 entries */

struct pmtu_entry {
	struct in6_addr dst;
	uint32_t mtu; /* 0 = free slot */
	uint64_t expires_ns;
	uint64_t updated_ns;
};

static struct pmtu_entry pmtu_cache[PMTU_SETS][PMTU_WAYS];

static struct pmtu_entry *pmtu_set(const struct in6_addr *dst)
{
	uint32_t h = 2166136261u; /* FNV-1a over the address */

	for (int i = 0; i < 16; i++)
		h = (h ^ dst->s6_addr[i]) * 16777619u;
	return pmtu_cache[h % PMTU_SETS];
}

static struct pmtu_entry *pmtu_find(const struct in6_addr *dst)
{
	struct pmtu_entry *set = pmtu_set(dst);

	for (unsigned i = 0; i < PMTU_WAYS; i++)
		if (set[i].mtu && ip6_eq(&set[i].dst, dst))
			return &set[i];
	return NULL;
}

/*
 * RFC 8201 section 4: a Packet Too Big never raises the estimate, and an
 * MTU below 1280 is taken as 1280 (RFC 8200 section 5 minimum link MTU);
 * an IPv4 one (RFC 1191) below the kernel's min_pmtu is taken as that.
 */
void rt6_pmtu_update(const struct in6_addr *dst, uint32_t mtu)
{
	uint32_t floor = xrt_addr_is_v4(dst) ? IP4_MIN_PMTU : IP6_MIN_MTU;
	if (mtu < floor)
		mtu = floor;
	uint64_t now = stack_now();
	struct pmtu_entry *e = pmtu_find(dst);
	if (e && e->expires_ns > now && e->mtu <= mtu)
		return;
	if (!e) {
		struct pmtu_entry *set = pmtu_set(dst);
		e = &set[0];
		for (unsigned i = 0; i < PMTU_WAYS; i++) {
			if (!set[i].mtu || set[i].expires_ns <= now) {
				e = &set[i];
				break;
			}
			if (set[i].updated_ns < e->updated_ns)
				e = &set[i];
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

/*
 * ip_route_output / ip6_route_output for a datagram the router originates,
 * either family: the route (unless *oif is already given), the egress
 * device, and the MTU to fit (route, link, learnt path MTU, what the xsk TX
 * can carry). -ENETUNREACH without a unicast route, -ENODEV when the egress
 * is not attached; the caller counts them in its family's MIB.
 */
int inet_route_output(const struct in6_addr *saddr, const struct in6_addr *daddr, int iif,
		      int *oif, struct in6_addr *nexthop, uint32_t *mtu)
{
	*nexthop = *daddr;
	*mtu = 0;
	if (!*oif) {
		const struct xrt_netdev *in = iif ? stack_dev(iif) : NULL;
		struct fib6_result res = { 0 };
		uint32_t table = in ? in->table : XRT_TABLE_MAIN;
		if (senv.fib6_lookup(senv.ctx, table, saddr, daddr, &res) < 0 ||
		    res.type != XRT_RTN_UNICAST)
			return -ENETUNREACH;
		*oif = res.oif;
		*nexthop = res.nexthop;
		*mtu = res.mtu;
	}
	const struct xrt_netdev *dev = stack_dev(*oif);
	if (!dev)
		return -ENODEV;
	if (!*mtu || *mtu > dev->mtu)
		*mtu = dev->mtu;
	uint32_t pmtu = rt6_pmtu_get(daddr);
	if (pmtu && pmtu < *mtu)
		*mtu = pmtu;
	if (senv.tx_max_frame > ETH_HDR_LEN && *mtu > senv.tx_max_frame - ETH_HDR_LEN)
		*mtu = senv.tx_max_frame - ETH_HDR_LEN;
	return 0;
}
