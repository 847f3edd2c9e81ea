/* xrt BPF tests: every punt reason, its metadata, counters and rate limit. */
#include <criterion/criterion.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "xrt/proto.h"
#include "xrt/punt.h"

static void setup(void)
{
	xt_setup();
	xt_topology();
}

TestSuite(punt, .init = setup, .fini = xt_teardown);

/*
 * Run p from xfa and check: XDP_PASS (no XSK bound: kernel fallback), the
 * frame itself unchanged, the metadata in front of it, and the counters of
 * slot 1 (the ingress) equal to the punt + NO_DAEMON + the given MIBs.
 */
static void expect_punt(const struct xt_pkt *p, unsigned reason, uint32_t nh,
			uint32_t oif, uint32_t mtu, struct xrt_stats *want)
{
	struct xt_result r;
	struct xrt_punt_meta meta;

	xt_run(p, if_a, &r);
	cr_assert_eq(r.ret, XDP_PASS, "verdict %d", r.ret);
	cr_assert_eq(r.meta_len, sizeof(meta), "metadata length %u", r.meta_len);
	memcpy(&meta, r.out, sizeof(meta));
	cr_assert_eq(meta.magic, XRT_PUNT_MAGIC);
	cr_assert_eq(meta.reason, reason, "reason %u", meta.reason);
	cr_assert_eq(meta.flags, 0);
	cr_assert_eq(meta.ifindex, (uint32_t)if_a);
	cr_assert_eq(meta.nh, nh, "nh %u", meta.nh);
	cr_assert_eq(meta.oif, oif, "oif %u", meta.oif);
	cr_assert_eq(meta.mtu, mtu, "mtu %u", meta.mtu);
	cr_assert_eq(r.frame_len, p->len);
	cr_assert_arr_eq(r.frame, p->b, p->len, "punted frame must be untouched");

	want->mib[XRT_MIB_IN_RECEIVES] += 1;
	want->mib[XRT_MIB_IN_OCTETS] += p->len - ETH_LEN;
	want->punt[reason] += 1;
	want->pass[XRT_PASS_NO_DAEMON] += 1;
	cr_assert(xt_stats_equal(1, want));
}

#define SRC "2001:db8:100::1"

Test(punt, local_route)
{
	struct xt_pkt p;
	struct xrt_stats st = { 0 };

	xt_ip6(&p, SRC, "2001:db8:ff::1", 64, NEXTHDR_ICMP, 16);
	expect_punt(&p, XRT_PUNT_LOCAL, 0, 0, 0, &st);
}

Test(punt, link_local_destination_is_local)
{
	struct xt_pkt p;
	struct xrt_stats st = { 0 };

	xt_ip6(&p, "fe80::99", "fe80::1:2", 255, NEXTHDR_ICMP, 24);
	expect_punt(&p, XRT_PUNT_LOCAL, 0, 0, 0, &st);
}

Test(punt, hop_by_hop)
{
	struct xt_pkt p;
	struct xrt_stats st = { 0 };

	xt_ip6(&p, SRC, "2001:db8:1::9", 64, NEXTHDR_HOP, 16);
	expect_punt(&p, XRT_PUNT_HOPOPTS, 0, 0, 0, &st);
}

Test(punt, jumbogram)
{
	struct xt_pkt p;
	struct xrt_stats st = { 0 };

	/* Payload length 0 + hop-by-hop: the length check is skipped (the
	 * real length is in the Jumbo option) and the daemon gets it. */
	xt_ip6(&p, SRC, "2001:db8:1::9", 64, NEXTHDR_HOP, 24);
	xt_l3(&p)[4] = 0;
	xt_l3(&p)[5] = 0;
	expect_punt(&p, XRT_PUNT_JUMBO, 0, 0, 0, &st);
}

Test(punt, link_scope_multicast)
{
	static const char *groups[] = { "ff02::1", "ff02::2", "ff02::1:ff00:9",
					"ff02::16", "ff01::1" };
	struct xt_pkt p;
	struct xrt_stats st = { 0 };
	unsigned i;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		xt_ip6(&p, "fe80::99", groups[i], 255, NEXTHDR_ICMP, 24);
		st.mib[XRT_MIB_IN_MCAST_PKTS]++;
		expect_punt(&p, XRT_PUNT_MCAST_LINK, 0, 0, 0, &st);
	}
}

/* A group wider than link scope that a socket of xrtd joined on the
 * ingress interface (xrt_local6): punted; the same group on another
 * interface, or another group, is still dropped. */
Test(punt, joined_wider_scope_group)
{
	struct xt_pkt p;
	struct xt_result r;
	struct xrt_stats st = { 0 };
	char err[XRT_ERR_LEN];
	uint8_t g[16];

	xt_addr("ff0e::4545", g);
	cr_assert_eq(xrt_maps_local6_set(&M, if_b, g, XRT_LOCAL_F_XRTD, err), 0, "%s", err);
	xt_ip6(&p, SRC, "ff0e::4545", 64, NEXTHDR_UDP, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_DROP, "joined on another interface");
	cr_assert_eq(xrt_maps_local6_set(&M, if_a, g, XRT_LOCAL_F_XRTD, err), 0, "%s", err);
	xt_ip6(&p, SRC, "ff0e::4546", 64, NEXTHDR_UDP, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_DROP, "a group nobody joined");
	xt_ip6(&p, SRC, "ff0e::4545", 64, NEXTHDR_UDP, 8);
	st.mib[XRT_MIB_IN_RECEIVES] = 2;
	st.mib[XRT_MIB_IN_OCTETS] = 96;
	st.mib[XRT_MIB_IN_MCAST_PKTS] = 3;
	st.drop[XRT_DROP_MCAST] = 2;
	expect_punt(&p, XRT_PUNT_MCAST_LINK, 0, 0, 0, &st);
}

/* ::, as in ip6_rcv_core, is looked up like any destination: without a
 * route it is punted for the Destination Unreachable too (RFC 4443 3.1),
 * counted InAddrErrors as ip6_pkt_drop counts it. */
Test(punt, no_route)
{
	struct xt_pkt p;
	struct xrt_stats st = { 0 };

	xt_ip6(&p, SRC, "2001:db9::1", 64, NEXTHDR_UDP, 8);
	st.mib[XRT_MIB_IN_NO_ROUTES] = 1;
	expect_punt(&p, XRT_PUNT_NO_ROUTE, 0, 0, 0, &st);
	xt_ip6(&p, SRC, "::", 64, NEXTHDR_UDP, 8);
	st.mib[XRT_MIB_IN_ADDR_ERRORS] = 1;
	expect_punt(&p, XRT_PUNT_NO_ROUTE, 0, 0, 0, &st);
}

Test(punt, unreachable_route)
{
	struct xt_pkt p;
	struct xrt_stats st = { 0 };

	xt_ip6(&p, SRC, "2001:db8:77::1", 64, NEXTHDR_UDP, 8);
	st.mib[XRT_MIB_IN_NO_ROUTES] = 1;
	expect_punt(&p, XRT_PUNT_UNREACHABLE, 0, 0, 0, &st);
}

Test(punt, prohibit_route)
{
	struct xt_pkt p;
	struct xrt_stats st = { 0 };

	xt_ip6(&p, SRC, "2001:db8:88::1", 64, NEXTHDR_UDP, 8);
	st.mib[XRT_MIB_IN_NO_ROUTES] = 1;
	expect_punt(&p, XRT_PUNT_PROHIBIT, 0, 0, 0, &st);
}

Test(punt, hop_limit_one_and_zero)
{
	struct xt_pkt p;
	struct xrt_stats st = { 0 };

	xt_ip6(&p, SRC, "2001:db8:1::9", 1, NEXTHDR_UDP, 8);
	st.mib[XRT_MIB_IN_HDR_ERRORS] = 1;
	expect_punt(&p, XRT_PUNT_HOP_LIMIT, 1, (uint32_t)if_b, 0, &st);
	xt_ip6(&p, SRC, "2001:db8:1::9", 0, NEXTHDR_UDP, 8);
	st.mib[XRT_MIB_IN_HDR_ERRORS] = 2;
	expect_punt(&p, XRT_PUNT_HOP_LIMIT, 1, (uint32_t)if_b, 0, &st);
}

Test(punt, link_local_source_beyond_scope)
{
	struct xt_pkt p;
	struct xrt_stats st = { 0 };

	xt_ip6(&p, "fe80::99", "2001:db8:1::9", 64, NEXTHDR_UDP, 8);
	st.mib[XRT_MIB_IN_ADDR_ERRORS] = 1;
	expect_punt(&p, XRT_PUNT_BEYOND_SCOPE, 1, (uint32_t)if_b, 0, &st);
}

Test(punt, too_big_carries_mtu)
{
	struct xt_pkt p;
	struct xrt_stats st = { 0 };
	struct xt_result r;

	/* 1281 bytes of IPv6 to a 1280 path; 1280 itself still goes. */
	xt_ip6(&p, SRC, "2001:db8:4::9", 64, NEXTHDR_UDP, 1241);
	st.mib[XRT_MIB_IN_TOO_BIG_ERRORS] = 1;
	st.mib[XRT_MIB_FRAG_FAILS] = 1;
	expect_punt(&p, XRT_PUNT_TOO_BIG, 4, (uint32_t)if_b, 1280, &st);
	xt_ip6(&p, SRC, "2001:db8:4::9", 64, NEXTHDR_UDP, 1240);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT, "exactly the MTU is forwarded");
}

Test(punt, neighbour_miss_and_unresolved)
{
	struct xt_pkt p;
	struct xrt_stats st = { 0 };
	uint8_t gw[16], mac[6] = { 2, 0, 0, 0, 0, 5 };
	char err[XRT_ERR_LEN];

	xt_ip6(&p, SRC, "2001:db8:5::9", 64, NEXTHDR_UDP, 8);
	expect_punt(&p, XRT_PUNT_NEIGH_MISS, 5, (uint32_t)if_b, 0, &st);
	/* INCOMPLETE and FAILED entries have no usable MAC either. */
	xt_addr("fe80::5", gw);
	cr_assert_eq(xrt_maps_neigh_set(&M, if_b, gw, mac, XRT_NUD_INCOMPLETE, err), 0);
	expect_punt(&p, XRT_PUNT_NEIGH_MISS, 5, (uint32_t)if_b, 0, &st);
	cr_assert_eq(xrt_maps_neigh_set(&M, if_b, gw, mac, XRT_NUD_FAILED, err), 0);
	expect_punt(&p, XRT_PUNT_NEIGH_MISS, 5, (uint32_t)if_b, 0, &st);
}

Test(punt, redirect_when_egress_is_ingress)
{
	struct xt_pkt p;
	struct xrt_stats st = { 0 };

	/* Rate 0 (unconfigured) = unlimited: every such packet is punted, and
	 * the daemon both sends the Redirect and forwards it. */
	xt_ip6(&p, SRC, "2001:db8:3::9", 64, NEXTHDR_UDP, 8);
	expect_punt(&p, XRT_PUNT_REDIRECT, 3, (uint32_t)if_a, 0, &st);
}

Test(punt, token_bucket_empties_to_punt_limit)
{
	struct xt_pkt p;
	struct xt_result r;
	struct xrt_punt_cfg cfg = { .rate_pps = 1, .burst = 5 };
	struct xrt_stats st = { 0 };
	char err[XRT_ERR_LEN];
	int i, punted = 0, limited = 0;

	cr_assert_eq(xrt_maps_punt_cfg_set(&M, XRT_PUNT_NO_ROUTE, &cfg, err), 0,
		     "%s", err);
	xt_ip6(&p, SRC, "2001:db9::1", 64, NEXTHDR_UDP, 8);
	/* Burst 5 at 1 packet/s: of 20 back-to-back packets the first 5 go
	 * (one more only if a whole second passes, bounded below). */
	for (i = 0; i < 20; i++) {
		xt_run(&p, if_a, &r);
		if (r.ret == XDP_PASS)
			punted++;
		else if (r.ret == XDP_DROP)
			limited++;
	}
	cr_assert_eq(punted + limited, 20);
	cr_assert(punted >= 5 && punted <= 6, "punted %d", punted);
	st.mib[XRT_MIB_IN_RECEIVES] = 20;
	st.mib[XRT_MIB_IN_OCTETS] = 20 * 48;
	st.mib[XRT_MIB_IN_NO_ROUTES] = 20;
	st.mib[XRT_MIB_IN_DISCARDS] = (unsigned)limited;
	st.punt[XRT_PUNT_NO_ROUTE] = (unsigned)punted;
	st.pass[XRT_PASS_NO_DAEMON] = (unsigned)punted;
	st.drop[XRT_DROP_PUNT_LIMIT] = (unsigned)limited;
	cr_assert(xt_stats_equal(1, &st));

	/* Other reasons have their own bucket. */
	xt_ip6(&p, SRC, "2001:db8:77::1", 64, NEXTHDR_UDP, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_PASS);
}

Test(punt, unknown_interface_passes_in_slot_0)
{
	struct xt_pkt p;
	struct xt_result r;
	struct xrt_stats st = { 0 };

	xt_ip6(&p, SRC, "2001:db8:1::9", 64, NEXTHDR_UDP, 8);
	xt_run(&p, 1 /* lo: no xrt_ifaces entry */, &r);
	cr_assert_eq(r.ret, XDP_PASS);
	cr_assert_eq(r.meta_len, 0);
	cr_assert_arr_eq(r.frame, p.b, p.len);
	st.pass[XRT_PASS_UNKNOWN_IF] = 1;
	cr_assert(xt_stats_equal(0, &st));
	memset(&st, 0, sizeof(st));
	cr_assert(xt_stats_equal(1, &st));
}

Test(punt, not_ip_passes)
{
	struct xt_pkt p;
	struct xt_result r;
	struct xrt_stats st = { 0 };

	xt_ip6(&p, SRC, "2001:db8:1::9", 64, NEXTHDR_UDP, 8);
	p.b[12] = 0x88; /* LLDP: neither IPv4 nor ARP (test_ip4.c) nor IPv6 */
	p.b[13] = 0xcc;
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_PASS);
	cr_assert_arr_eq(r.frame, p.b, p.len);
	st.pass[XRT_PASS_NOT_IP] = 1;
	cr_assert(xt_stats_equal(1, &st));
}

/* Mirror mode: the kernel owns local addresses unless xrtd claims one. */
Test(punt, kernel_local_mirror_mode)
{
	struct xrt_iface a = { .slot = 1, .mtu = 1500, .table = XRT_TABLE_MAIN,
			       .flags = XRT_IF_F_FORWARDING | XRT_IF_F_KERNEL_LOCAL };
	struct xrt_local6_key k = { .ifindex = 0 };
	uint32_t claim = XRT_LOCAL_F_XRTD;
	struct xt_pkt p;
	struct xt_result r;
	struct xrt_stats st = { 0 };
	char err[XRT_ERR_LEN];

	memcpy(a.mac, MAC_A, 6);
	cr_assert_eq(xrt_maps_iface_set(&M, if_a, &a, err), 0, "%s", err);
	xt_ip6(&p, SRC, "2001:db8:ff::1", 64, NEXTHDR_TCP, 20);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_PASS);
	cr_assert_eq(r.meta_len, 0, "to the kernel, no punt metadata");
	st.mib[XRT_MIB_IN_RECEIVES] = 1;
	st.mib[XRT_MIB_IN_OCTETS] = 60;
	st.pass[XRT_PASS_KERNEL_LOCAL] = 1;
	cr_assert(xt_stats_equal(1, &st));

	xt_addr("2001:db8:ff::1", k.addr);
	cr_assert_eq(bpf_map_update_elem(M.local6, &k, &claim, BPF_ANY), 0);
	expect_punt(&p, XRT_PUNT_LOCAL, 0, 0, 0, &st);
}

/* A generous rate refills between packets: nothing is limited. */
Test(punt, high_rate_never_limits)
{
	struct xrt_punt_cfg cfg = { .rate_pps = 1000000000, .burst = 1 };
	struct xt_pkt p;
	struct xt_result r;
	char err[XRT_ERR_LEN];
	int i;

	cr_assert_eq(xrt_maps_punt_cfg_set(&M, XRT_PUNT_NO_ROUTE, &cfg, err), 0,
		     "%s", err);
	xt_ip6(&p, SRC, "2001:db9::1", 64, NEXTHDR_UDP, 8);
	for (i = 0; i < 20; i++) {
		xt_run(&p, if_a, &r);
		cr_assert_eq(r.ret, XDP_PASS, "packet %d limited", i);
	}
}

/* xrt_maps_load tells the program how many CPUs share each rate. */
Test(punt, loader_sets_cpu_count)
{
	struct bpf_map *map;
	uint32_t zero = 0, ncpus = 0;
	int found = 0;

	bpf_object__for_each_map(map, M.obj) {
		uint8_t val[64] = { 0 };

		if (!strstr(bpf_map__name(map), ".rodata"))
			continue;
		/* xrt_nr_cpus is the section's only variable: offset 0. */
		cr_assert_leq(bpf_map__value_size(map), sizeof(val));
		cr_assert_eq(bpf_map_lookup_elem(bpf_map__fd(map), &zero, val), 0);
		memcpy(&ncpus, val, sizeof(ncpus));
		found = 1;
	}
	cr_assert(found, "no .rodata map");
	cr_assert_eq(ncpus, (uint32_t)libbpf_num_possible_cpus());
}

/* Group MACs are not PACKET_OTHERHOST: link-scope multicast in a frame to
 * the all-nodes MAC, or even to the broadcast MAC, still reaches ND. */
Test(punt, group_mac_reaches_link_multicast)
{
	static const uint8_t macs[][6] = {
		{ 0x33, 0x33, 0, 0, 0, 0x01 },
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	};
	struct xt_pkt p;
	struct xrt_stats st = { 0 };
	unsigned i;

	for (i = 0; i < 2; i++) {
		xt_ip6(&p, "fe80::99", "ff02::1", 255, NEXTHDR_ICMP, 24);
		memcpy(p.b, macs[i], 6);
		st.mib[XRT_MIB_IN_MCAST_PKTS]++;
		expect_punt(&p, XRT_PUNT_MCAST_LINK, 0, 0, 0, &st);
	}
}

/* xrt_tcp_estab (bpf/punt.h): a segment of an established connection of
 * xrtd's socket layer is punted past an empty LOCAL bucket; a segment of
 * another 4-tuple (a SYN, an unknown flow) is still policed. */
Test(punt, established_tcp_skips_the_local_budget)
{
	struct xt_pkt p;
	struct xt_result r;
	struct xrt_punt_cfg cfg = { .rate_pps = 1, .burst = 1 };
	struct xrt_tcp_estab_key key = { .sport = htons(40000), .dport = htons(22) };
	char err[XRT_ERR_LEN];
	int i, punted = 0;

	cr_assert_eq(xrt_maps_punt_cfg_set(&M, XRT_PUNT_LOCAL, &cfg, err), 0, "%s", err);
	xt_addr(SRC, key.saddr);
	xt_addr("2001:db8:ff::1", key.daddr);
	cr_assert_eq(xrt_maps_tcp_estab_set(&M, &key, err), 0, "%s", err);
	xt_ip6(&p, SRC, "2001:db8:ff::1", 64, NEXTHDR_TCP, 20);
	xt_udp_ports(&p, 40000, 22); /* the ports sit first in TCP too */
	for (i = 0; i < 10; i++) {
		xt_run(&p, if_a, &r);
		punted += r.ret == XDP_PASS;
	}
	cr_assert_eq(punted, 10, "every segment of the connection punted (%d)", punted);
	xt_udp_ports(&p, 40001, 22); /* another client port: policed */
	punted = 0;
	for (i = 0; i < 10; i++) {
		xt_run(&p, if_a, &r);
		punted += r.ret == XDP_PASS;
	}
	cr_assert_leq(punted, 2, "the LOCAL budget still holds for others (%d)", punted);
	cr_assert_eq(xrt_maps_tcp_estab_del(&M, &key, err), 0, "%s", err);
	xt_udp_ports(&p, 40000, 22);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_DROP, "closed: policed again");
}
