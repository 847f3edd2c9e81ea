/* xrt: unit tests of the userspace copy of the fast path's ECMP hash. */
#include <criterion/criterion.h>
#include <arpa/inet.h>

#include "rib/rt6_multipath_hash.h"

static struct rt6_flow flow(uint16_t sport)
{
	struct rt6_flow f = { .nexthdr = 17, .has_ports = true, .sport = sport, .dport = 9 };
	inet_pton(AF_INET6, "2001:db8:1::2", &f.saddr);
	inet_pton(AF_INET6, "2001:db8:b::1", &f.daddr);
	return f;
}

Test(rib_hash, every_field_counts)
{
	struct rt6_flow base = flow(4000);
	uint32_t h = rt6_multipath_hash(&base);
	cr_assert_eq(rt6_multipath_hash(&base), h, "deterministic");
	struct rt6_flow f = base;
	f.sport = 4001;
	cr_assert_neq(rt6_multipath_hash(&f), h, "source port");
	f = base;
	f.dport = 10;
	cr_assert_neq(rt6_multipath_hash(&f), h, "destination port");
	f = base;
	f.flowlabel = 1;
	cr_assert_neq(rt6_multipath_hash(&f), h, "flow label");
	f = base;
	f.daddr.s6_addr[15] ^= 1;
	cr_assert_neq(rt6_multipath_hash(&f), h, "destination");
	f = base;
	f.saddr.s6_addr[0] ^= 0x80;
	cr_assert_neq(rt6_multipath_hash(&f), h, "source");
	/* Ports only count for TCP and UDP. */
	f = base;
	f.nexthdr = 58;
	struct rt6_flow g = f;
	g.sport = 1;
	cr_assert_eq(rt6_multipath_hash(&f), rt6_multipath_hash(&g), "ICMPv6 ignores ports");
}

Test(rib_hash, spreads_flows_over_buckets)
{
	unsigned hits[4] = { 0 };
	for (uint16_t p = 0; p < 4000; p++) {
		struct rt6_flow f = flow((uint16_t)(30000 + p));
		hits[rt6_multipath_hash(&f) % 4]++;
	}
	for (int i = 0; i < 4; i++)
		cr_assert(hits[i] > 850 && hits[i] < 1150, "bucket %d got %u of 4000", i, hits[i]);
}
