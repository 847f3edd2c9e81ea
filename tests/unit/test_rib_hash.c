/* xrt: unit tests of rt6_multipath_hash (include/xrt/multipath.h), the one ECMP flow hash of the fast path and `xrt route get`. */
#include <criterion/criterion.h>
#include <arpa/inet.h>

#include "xrt/multipath.h"

static struct rt6_flow flow(uint16_t sport)
{
	struct rt6_flow f = { .nexthdr = 17, .has_ports = true, .sport = sport, .dport = 9 };
	inet_pton(AF_INET6, "2001:db8:1::2", &f.saddr);
	inet_pton(AF_INET6, "2001:db8:b::1", &f.daddr);
	return f;
}

/*
 * Known answers, recorded from the two copies (bpf/fib.h and
 * userspace/rib/rt6_multipath_hash.c) before they became this one function:
 * a change to the hash moves flows between ECMP members, so it must be a
 * decision, not an accident.
 */
static const struct {
	const char *saddr, *daddr;
	uint32_t flowlabel;
	uint8_t nexthdr;
	bool has_ports;
	uint16_t sport, dport;
	uint32_t hash;
} VECTORS[] = {
	{ "::", "::", 0x00000, 0, false, 0, 0, 0x00000000u },
	{ "2001:db8:1::2", "2001:db8:b::1", 0x00000, 17, true, 4000, 9, 0xc88419efu },
	{ "2001:db8:1::2", "2001:db8:b::1", 0x00000, 6, true, 4000, 9, 0xaea7b259u },
	{ "2001:db8:1::2", "2001:db8:b::1", 0x12345, 17, true, 4000, 9, 0x15f819f7u },
	{ "2001:db8:1::2", "2001:db8:b::1", 0x00000, 58, false, 0, 0, 0xbf30e673u },
	{ "2001:db8:1::2", "2001:db8:b::1", 0x00000, 17, false, 0, 0, 0x3a2779a3u },
	{ "fe80::1", "ff02::1", 0xfffff, 6, true, 65535, 1, 0x68985d0bu },
	{ "2001:db8:100:3::e", "2001:db8:e::9", 0x12345, 6, true, 2000, 80, 0x5561c69bu },
};

Test(rib_hash, known_vectors)
{
	for (unsigned i = 0; i < sizeof(VECTORS) / sizeof(VECTORS[0]); i++) {
		struct rt6_flow f = { .flowlabel = VECTORS[i].flowlabel,
				      .nexthdr = VECTORS[i].nexthdr,
				      .has_ports = VECTORS[i].has_ports,
				      .sport = VECTORS[i].sport,
				      .dport = VECTORS[i].dport };
		cr_assert_eq(inet_pton(AF_INET6, VECTORS[i].saddr, &f.saddr), 1);
		cr_assert_eq(inet_pton(AF_INET6, VECTORS[i].daddr, &f.daddr), 1);
		cr_assert_eq(rt6_multipath_hash_flow(&f), VECTORS[i].hash,
			     "vector %u: 0x%08x, expected 0x%08x", i, rt6_multipath_hash_flow(&f),
			     VECTORS[i].hash);
	}
}

Test(rib_hash, every_field_counts)
{
	struct rt6_flow base = flow(4000);
	uint32_t h = rt6_multipath_hash_flow(&base);
	cr_assert_eq(rt6_multipath_hash_flow(&base), h, "deterministic");
	struct rt6_flow f = base;
	f.sport = 4001;
	cr_assert_neq(rt6_multipath_hash_flow(&f), h, "source port");
	f = base;
	f.dport = 10;
	cr_assert_neq(rt6_multipath_hash_flow(&f), h, "destination port");
	f = base;
	f.flowlabel = 1;
	cr_assert_neq(rt6_multipath_hash_flow(&f), h, "flow label");
	f = base;
	f.daddr.s6_addr[15] ^= 1;
	cr_assert_neq(rt6_multipath_hash_flow(&f), h, "destination");
	f = base;
	f.saddr.s6_addr[0] ^= 0x80;
	cr_assert_neq(rt6_multipath_hash_flow(&f), h, "source");
	/* Ports only count for TCP and UDP. */
	f = base;
	f.nexthdr = 58;
	struct rt6_flow g = f;
	g.sport = 1;
	cr_assert_eq(rt6_multipath_hash_flow(&f), rt6_multipath_hash_flow(&g), "ICMPv6 ignores ports");
}

Test(rib_hash, spreads_flows_over_buckets)
{
	unsigned hits[4] = { 0 };
	for (uint16_t p = 0; p < 4000; p++) {
		struct rt6_flow f = flow((uint16_t)(30000 + p));
		hits[rt6_multipath_hash_flow(&f) % 4]++;
	}
	for (int i = 0; i < 4; i++)
		cr_assert(hits[i] > 850 && hits[i] < 1150, "bucket %d got %u of 4000", i, hits[i]);
}
