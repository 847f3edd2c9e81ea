/* xrt BPF tests: every drop reason with its MIB counter. */
#include <criterion/criterion.h>
#include <string.h>
#include <bpf/bpf.h>

#include "harness.h"
#include "xrt/proto.h"

static void setup(void)
{
	xt_setup();
	xt_topology();
}

TestSuite(drop, .init = setup, .fini = xt_teardown);

#define SRC "2001:db8:100::1"

/* Run p from xfa: XDP_DROP, and slot 1 counts exactly InReceives, InOctets,
 * the drop reason and the given MIB (XRT_MIB_MAX for none). */
static void expect_drop(const struct xt_pkt *p, unsigned reason, int mib)
{
	struct xt_result r;
	struct xrt_stats st = { 0 };

	xt_run(p, if_a, &r);
	cr_assert_eq(r.ret, XDP_DROP, "verdict %d", r.ret);
	st.mib[XRT_MIB_IN_RECEIVES] = 1;
	st.mib[XRT_MIB_IN_OCTETS] = p->len - ETH_LEN;
	st.drop[reason] = 1;
	if (mib < XRT_MIB_MAX)
		st.mib[mib]++;
	cr_assert(xt_stats_equal(1, &st));
}

Test(drop, short_frame)
{
	struct xt_pkt p;

	xt_ip6(&p, SRC, "2001:db8:1::9", 64, NEXTHDR_UDP, 0);
	p.len = ETH_LEN + 39;
	expect_drop(&p, XRT_DROP_SHORT, XRT_MIB_IN_HDR_ERRORS);
}

Test(drop, version_not_6)
{
	struct xt_pkt p;

	xt_ip6(&p, SRC, "2001:db8:1::9", 64, NEXTHDR_UDP, 8);
	xt_l3(&p)[0] = 0x40;
	expect_drop(&p, XRT_DROP_VERSION, XRT_MIB_IN_HDR_ERRORS);
}

Test(drop, truncated)
{
	struct xt_pkt p;

	xt_ip6(&p, SRC, "2001:db8:1::9", 64, NEXTHDR_UDP, 100);
	p.len -= 1; /* payload length says one byte more than arrived */
	expect_drop(&p, XRT_DROP_TRUNCATED, XRT_MIB_IN_TRUNCATED_PKTS);
}

Test(drop, destination_loopback)
{
	struct xt_pkt p;

	xt_ip6(&p, SRC, "::1", 64, NEXTHDR_UDP, 8);
	expect_drop(&p, XRT_DROP_DST_LOOPBACK, XRT_MIB_IN_HDR_ERRORS);
}

Test(drop, source_multicast)
{
	struct xt_pkt p;

	xt_ip6(&p, "ff02::1", "2001:db8:1::9", 64, NEXTHDR_UDP, 8);
	expect_drop(&p, XRT_DROP_SRC_MCAST, XRT_MIB_IN_HDR_ERRORS);
}

Test(drop, multicast_beyond_link_scope)
{
	struct xt_pkt p;
	struct xt_result r;
	struct xrt_stats st = { 0 };

	xt_ip6(&p, SRC, "ff05::2", 64, NEXTHDR_UDP, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_DROP);
	xt_ip6(&p, SRC, "ff0e::1234", 64, NEXTHDR_UDP, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_DROP);
	st.mib[XRT_MIB_IN_RECEIVES] = 2;
	st.mib[XRT_MIB_IN_OCTETS] = 96;
	st.mib[XRT_MIB_IN_MCAST_PKTS] = 2;
	st.drop[XRT_DROP_MCAST] = 2;
	cr_assert(xt_stats_equal(1, &st));
}

Test(drop, blackhole_route)
{
	struct xt_pkt p;

	xt_ip6(&p, SRC, "2001:db8:66::1", 64, NEXTHDR_UDP, 8);
	expect_drop(&p, XRT_DROP_BLACKHOLE, XRT_MIB_MAX);
}

Test(drop, forwarding_disabled_on_ingress)
{
	struct xrt_iface a = { .slot = 1, .mtu = 1500, .table = XRT_TABLE_MAIN };
	struct xt_pkt p;
	char err[XRT_ERR_LEN];

	memcpy(a.mac, MAC_A, 6);
	cr_assert_eq(xrt_maps_iface_set(&M, if_a, &a, err), 0, "%s", err);
	xt_ip6(&p, SRC, "2001:db8:1::9", 64, NEXTHDR_UDP, 8);
	expect_drop(&p, XRT_DROP_FWD_DISABLED, XRT_MIB_IN_ADDR_ERRORS);
}

Test(drop, source_unspecified)
{
	struct xt_pkt p;

	xt_ip6(&p, "::", "2001:db8:1::9", 64, NEXTHDR_UDP, 8);
	expect_drop(&p, XRT_DROP_BAD_SRC, XRT_MIB_IN_ADDR_ERRORS);
}

Test(drop, source_loopback)
{
	struct xt_pkt p;

	xt_ip6(&p, "::1", "2001:db8:1::9", 64, NEXTHDR_UDP, 8);
	expect_drop(&p, XRT_DROP_BAD_SRC, XRT_MIB_IN_ADDR_ERRORS);
}

Test(drop, route_to_missing_nexthop)
{
	struct xt_pkt p;

	xt_ip6(&p, SRC, "2001:db8:9::1", 64, NEXTHDR_UDP, 8);
	expect_drop(&p, XRT_DROP_NH_INVALID, XRT_MIB_IN_DISCARDS);
}

Test(drop, route_to_deleted_group)
{
	struct xt_pkt p;
	char err[XRT_ERR_LEN];

	cr_assert_eq(xrt_maps_grp_del(&M, 1, err), 0, "%s", err);
	xt_ip6(&p, SRC, "2001:db8:e::1", 64, NEXTHDR_UDP, 8);
	expect_drop(&p, XRT_DROP_NH_INVALID, XRT_MIB_IN_DISCARDS);
}

Test(drop, egress_not_attached)
{
	struct xt_pkt p;

	/* nh 8 leaves by lo, which has no xrt_ifaces entry. */
	xt_ip6(&p, SRC, "2001:db8:6::1", 64, NEXTHDR_UDP, 8);
	expect_drop(&p, XRT_DROP_NO_TX_PORT, XRT_MIB_MAX);
}

/* xfb is attached (xrt_ifaces, cached source MAC) but its port is missing
 * from the devmap: bpf_redirect_map fails and the frame is counted. */
Test(drop, egress_not_in_devmap)
{
	struct xt_pkt p;
	uint32_t key = (uint32_t)if_b;

	cr_assert_eq(bpf_map_delete_elem(M.tx_ports, &key), 0);
	xt_ip6(&p, SRC, "2001:db8:1::9", 64, NEXTHDR_UDP, 8);
	expect_drop(&p, XRT_DROP_NO_TX_PORT, XRT_MIB_MAX);
}

Test(drop, punt_limit_counts_discards)
{
	struct xrt_punt_cfg cfg = { .rate_pps = 1, .burst = 1 };
	struct xt_pkt p;
	struct xt_result r;
	struct xrt_stats st = { 0 };
	char err[XRT_ERR_LEN];

	cr_assert_eq(xrt_maps_punt_cfg_set(&M, XRT_PUNT_HOP_LIMIT, &cfg, err), 0);
	xt_ip6(&p, SRC, "2001:db8:1::9", 1, NEXTHDR_UDP, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_PASS, "the one token");
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_DROP, "bucket empty");
	st.mib[XRT_MIB_IN_RECEIVES] = 2;
	st.mib[XRT_MIB_IN_OCTETS] = 96;
	st.mib[XRT_MIB_IN_HDR_ERRORS] = 2;
	st.mib[XRT_MIB_IN_DISCARDS] = 1;
	st.punt[XRT_PUNT_HOP_LIMIT] = 1;
	st.pass[XRT_PASS_NO_DAEMON] = 1;
	st.drop[XRT_DROP_PUNT_LIMIT] = 1;
	cr_assert(xt_stats_equal(1, &st));
}

/*
 * ip6_rcv_core: a unicast frame for another MAC (PACKET_OTHERHOST: a
 * promiscuous port, a flooding switch) is dropped before any MIB counter,
 * even though its IPv6 destination has a route and a resolved neighbour.
 */
Test(drop, other_host_mac)
{
	static const uint8_t others[][6] = {
		{ 0x02, 0, 0, 0, 0, 0x0b }, /* MAC_B: the router's other port */
		{ 0x02, 0, 0, 0, 0, 0x0c }, /* a host on the segment */
		{ 0x00, 0, 0, 0, 0, 0x0a }, /* MAC_A with the U/L bit clear */
	};
	struct xt_pkt p;
	struct xt_result r;
	struct xrt_stats st = { 0 };
	unsigned i;

	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		xt_ip6(&p, SRC, "2001:db8:1::9", 64, NEXTHDR_UDP, 8);
		memcpy(p.b, others[i], 6);
		xt_run(&p, if_a, &r);
		cr_assert_eq(r.ret, XDP_DROP, "frame %u: verdict %d", i, r.ret);
	}
	st.drop[XRT_DROP_OTHERHOST] = 3;
	cr_assert(xt_stats_equal(1, &st));

	/* The same packet to the ingress MAC is forwarded. */
	xt_ip6(&p, SRC, "2001:db8:1::9", 64, NEXTHDR_UDP, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT, "verdict %d", r.ret);
}

/* ip6_forward: "if (skb->pkt_type != PACKET_HOST) goto drop": a unicast
 * IPv6 destination in a broadcast or multicast frame is received (the
 * PACKET_OTHERHOST check is for unicast MACs only) but never forwarded. */
Test(drop, group_mac_not_forwarded)
{
	static const uint8_t groups[][6] = {
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		{ 0x33, 0x33, 0, 0, 0, 0x09 },
	};
	struct xt_pkt p;
	struct xt_result r;
	struct xrt_stats st = { 0 };
	unsigned i;

	for (i = 0; i < 2; i++) {
		xt_ip6(&p, SRC, "2001:db8:1::9", 64, NEXTHDR_UDP, 8);
		memcpy(p.b, groups[i], 6);
		xt_run(&p, if_a, &r);
		cr_assert_eq(r.ret, XDP_DROP, "frame %u: verdict %d", i, r.ret);
		st.mib[XRT_MIB_IN_RECEIVES]++;
		st.mib[XRT_MIB_IN_OCTETS] += p.len - ETH_LEN;
	}
	st.drop[XRT_DROP_FWD_NOT_HOST] = 2;
	cr_assert(xt_stats_equal(1, &st));
}
