/* xrt BPF tests: forwarded packets (exact bytes), XDP_TX, padding, ECMP. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "harness.h"
#include "xrt/multipath.h"
#include "xrt/proto.h"

static void setup(void)
{
	xt_setup();
	xt_topology();
}

TestSuite(forward, .init = setup, .fini = xt_teardown);

/* The forwarded frame is the input with new MACs and hop limit - 1. */
static void expect_forwarded(const struct xt_pkt *in, const struct xt_result *r,
			     const uint8_t dmac[6], const uint8_t smac[6])
{
	struct xt_pkt want = *in;

	memcpy(want.b, dmac, 6);
	memcpy(want.b + 6, smac, 6);
	xt_l3(&want)[7]--;
	cr_assert_eq(r->meta_len, 0);
	cr_assert_eq(r->frame_len, want.len);
	cr_assert_arr_eq(r->frame, want.b, want.len);
}

Test(forward, via_gateway_exact_bytes)
{
	struct xt_pkt p;
	struct xt_result r;
	struct xrt_stats want = { 0 };
	const uint8_t nmac[6] = { 0x02, 0, 0, 0, 0, 0x01 };

	xt_ip6(&p, "2001:db8:100::1", "2001:db8:1::9", 64, NEXTHDR_UDP, 100);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT);
	expect_forwarded(&p, &r, nmac, MAC_B);

	want.mib[XRT_MIB_IN_RECEIVES] = 1;
	want.mib[XRT_MIB_IN_OCTETS] = 140;
	want.mib[XRT_MIB_OUT_FORW_DATAGRAMS] = 1;
	want.mib[XRT_MIB_OUT_OCTETS] = 140;
	cr_assert(xt_stats_equal(1, &want));
	memset(&want, 0, sizeof(want));
	cr_assert(xt_stats_equal(2, &want), "egress slot untouched");
	cr_assert(xt_stats_equal(0, &want), "slot 0 untouched");
}

Test(forward, connected_stale_neighbour_stamped)
{
	struct xt_pkt p;
	struct xt_result r;
	struct xrt_neigh6_key k = { .ifindex = (uint32_t)if_b };
	struct xrt_neigh6_val v;
	const uint8_t nmac[6] = { 0x02, 0, 0, 0, 0, 0x25 };

	xt_addr("2001:db8:2::5", k.addr);
	cr_assert_eq(bpf_map_lookup_elem(M.neigh6, &k, &v), 0);
	cr_assert_eq(v.used_ns, 0);
	xt_ip6(&p, "2001:db8:100::1", "2001:db8:2::5", 2, NEXTHDR_TCP, 20);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT);
	expect_forwarded(&p, &r, nmac, MAC_B);
	cr_assert_eq(bpf_map_lookup_elem(M.neigh6, &k, &v), 0);
	cr_assert_neq(v.used_ns, 0, "STALE entry used: used_ns stamped");
	cr_assert_eq(v.state, XRT_NUD_STALE, "the daemon, not BPF, changes state");
}

Test(forward, reachable_neighbour_not_stamped)
{
	struct xt_pkt p;
	struct xt_result r;
	struct xrt_neigh6_key k = { .ifindex = (uint32_t)if_b };
	struct xrt_neigh6_val v;

	xt_addr("fe80::1", k.addr);
	xt_ip6(&p, "2001:db8:100::1", "2001:db8:1::9", 64, NEXTHDR_UDP, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT);
	cr_assert_eq(bpf_map_lookup_elem(M.neigh6, &k, &v), 0);
	cr_assert_eq(v.used_ns, 0);
}

Test(forward, padding_trimmed)
{
	struct xt_pkt p, want;
	struct xt_result r;
	struct xrt_stats st = { 0 };
	const uint8_t nmac[6] = { 0x02, 0, 0, 0, 0, 0x01 };

	/* A 10-byte payload padded to Ethernet's 60-byte minimum and more. */
	xt_ip6(&p, "2001:db8:100::1", "2001:db8:1::9", 64, NEXTHDR_UDP, 10);
	want = p;
	memset(p.b + p.len, 0xab, 30);
	p.len += 30;
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT);
	expect_forwarded(&want, &r, nmac, MAC_B);
	st.mib[XRT_MIB_IN_RECEIVES] = 1;
	st.mib[XRT_MIB_IN_OCTETS] = 80; /* as received, padding included */
	st.mib[XRT_MIB_OUT_FORW_DATAGRAMS] = 1;
	st.mib[XRT_MIB_OUT_OCTETS] = 50;
	cr_assert(xt_stats_equal(1, &st));
}

Test(forward, same_interface_xdp_tx_when_redirect_bucket_empty)
{
	struct xt_pkt p;
	struct xt_result r;
	struct xrt_punt_cfg cfg = { .rate_pps = 1, .burst = 1 };
	struct xrt_stats st = { 0 };
	char err[XRT_ERR_LEN];
	const uint8_t nmac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

	cr_assert_eq(xrt_maps_punt_cfg_set(&M, XRT_PUNT_REDIRECT, &cfg, err), 0);
	xt_ip6(&p, "2001:db8:100::1", "2001:db8:3::9", 64, NEXTHDR_UDP, 16);
	/* First packet: the one token -> punted for the Redirect. */
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_PASS, "no XSK bound: kernel fallback");
	/* Second: bucket empty -> forwarded back out of xfa with XDP_TX. */
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_TX);
	expect_forwarded(&p, &r, nmac, MAC_A);

	st.mib[XRT_MIB_IN_RECEIVES] = 2;
	st.mib[XRT_MIB_IN_OCTETS] = 112;
	st.mib[XRT_MIB_OUT_FORW_DATAGRAMS] = 1;
	st.mib[XRT_MIB_OUT_OCTETS] = 56;
	st.punt[XRT_PUNT_REDIRECT] = 1;
	st.pass[XRT_PASS_NO_DAEMON] = 1;
	cr_assert(xt_stats_equal(1, &st));
}

/* Which group member did the frame go to (last byte of its dst MAC)? */
static int ecmp_member(struct xt_pkt *p)
{
	struct xt_result r;

	xt_run(p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT);
	cr_assert(r.frame[5] == 0x06 || r.frame[5] == 0x07, "member mac %02x",
		  r.frame[5]);
	return r.frame[5];
}

Test(forward, ecmp_one_flow_one_member)
{
	struct xt_pkt p;
	int first, i;

	xt_ip6(&p, "2001:db8:100::1", "2001:db8:e::9", 64, NEXTHDR_UDP, 8);
	xt_udp_ports(&p, 12345, 443);
	first = ecmp_member(&p);
	for (i = 0; i < 50; i++)
		cr_assert_eq(ecmp_member(&p), first, "flow moved at packet %d", i);
}

Test(forward, ecmp_ports_change_member)
{
	struct xt_pkt p;
	int seen6 = 0, seen7 = 0;
	uint16_t sport;

	/* Same addresses, only the source port varies: the hash covers L4. */
	for (sport = 1000; sport < 1100; sport++) {
		xt_ip6(&p, "2001:db8:100::1", "2001:db8:e::9", 64, NEXTHDR_UDP, 8);
		xt_udp_ports(&p, sport, 443);
		if (ecmp_member(&p) == 0x06)
			seen6++;
		else
			seen7++;
	}
	cr_assert(seen6 > 0 && seen7 > 0, "6: %d, 7: %d", seen6, seen7);
}

Test(forward, ecmp_10k_flows_follow_weights, .timeout = 120)
{
	struct xt_pkt p;
	char src[64];
	int i, n6 = 0, n7 = 0;

	for (i = 0; i < 10000; i++) {
		snprintf(src, sizeof(src), "2001:db8:100:%x::%x", i % 97, i);
		xt_ip6(&p, src, "2001:db8:e::9", 64, NEXTHDR_UDP, 8);
		xt_udp_ports(&p, (uint16_t)(1024 + i), 443);
		if (ecmp_member(&p) == 0x06)
			n6++;
		else
			n7++;
	}
	/* Weights 1:3 -> 2500 / 7500, each within 15%. */
	cr_assert(n6 >= 2125 && n6 <= 2875, "member weight 1: %d of 10000", n6);
	cr_assert(n7 >= 6375 && n7 <= 8625, "member weight 3: %d of 10000", n7);
}

/* The egress MAC cached in next hops follows xrt_ifaces: set later, changed,
 * and removed (then the egress is not attached: dropped). */
Test(forward, egress_mac_follows_iface_changes)
{
	struct xrt_iface b = { .slot = 2, .mtu = 1500, .table = XRT_TABLE_MAIN,
			       .flags = XRT_IF_F_FORWARDING,
			       .xsk_base = XRT_MAX_QUEUES };
	const uint8_t nmac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	const uint8_t new_mac[6] = { 0x02, 0, 0, 0, 0, 0xbb };
	struct xrt_nh nh;
	struct xt_pkt p;
	struct xt_result r;
	struct xrt_stats st = { 0 };
	char err[XRT_ERR_LEN];
	uint32_t id = 1;

	cr_assert_eq(bpf_map_lookup_elem(M.nh, &id, &nh), 0);
	cr_assert(nh.flags & XRT_NH_F_SMAC, "cached at nh_set: xfb was attached");
	cr_assert_arr_eq(nh.smac, MAC_B, 6);

	xt_ip6(&p, "2001:db8:100::1", "2001:db8:1::9", 64, NEXTHDR_UDP, 8);
	memcpy(b.mac, new_mac, 6);
	cr_assert_eq(xrt_maps_iface_set(&M, if_b, &b, err), 0, "%s", err);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT);
	expect_forwarded(&p, &r, nmac, new_mac);

	cr_assert_eq(xrt_maps_iface_del(&M, if_b, err), 0, "%s", err);
	cr_assert_eq(bpf_map_lookup_elem(M.nh, &id, &nh), 0);
	cr_assert_eq(nh.flags & XRT_NH_F_SMAC, 0, "cache dropped with the iface");
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_DROP, "egress detached");

	memcpy(b.mac, MAC_B, 6);
	cr_assert_eq(xrt_maps_iface_set(&M, if_b, &b, err), 0, "%s", err);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT);
	expect_forwarded(&p, &r, nmac, MAC_B);

	st.mib[XRT_MIB_IN_RECEIVES] = 3;
	st.mib[XRT_MIB_IN_OCTETS] = 3 * 48;
	st.mib[XRT_MIB_OUT_FORW_DATAGRAMS] = 2;
	st.mib[XRT_MIB_OUT_OCTETS] = 2 * 48;
	st.drop[XRT_DROP_NO_TX_PORT] = 1;
	cr_assert(xt_stats_equal(1, &st));
}

/* A next hop programmed before its interface is attached gets the MAC when
 * the interface arrives; a caller's stale XRT_NH_F_SMAC is not trusted. */
Test(forward, nexthop_before_iface)
{
	struct xrt_nh v = { .ifindex = (uint32_t)if_b, .mtu = 1500,
			    .flags = XRT_NH_F_VALID | XRT_NH_F_SMAC };
	struct xrt_iface b = { .slot = 2, .mtu = 1500, .table = XRT_TABLE_MAIN,
			       .flags = XRT_IF_F_FORWARDING };
	const uint8_t nmac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	struct xrt_nh got;
	struct xt_pkt p;
	struct xt_result r;
	char err[XRT_ERR_LEN];
	uint32_t id = 1;

	cr_assert_eq(xrt_maps_iface_del(&M, if_b, err), 0, "%s", err);
	xt_addr("fe80::1", v.gw);
	memset(v.smac, 0xee, 6);
	cr_assert_eq(xrt_maps_nh_set(&M, id, &v, err), 0, "%s", err);
	cr_assert_eq(bpf_map_lookup_elem(M.nh, &id, &got), 0);
	cr_assert_eq(got.flags & XRT_NH_F_SMAC, 0);
	xt_ip6(&p, "2001:db8:100::1", "2001:db8:1::9", 64, NEXTHDR_UDP, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_DROP, "egress not attached yet");

	memcpy(b.mac, MAC_B, 6);
	cr_assert_eq(xrt_maps_iface_set(&M, if_b, &b, err), 0, "%s", err);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT);
	expect_forwarded(&p, &r, nmac, MAC_B);
}

/* The gateway MAC cached in next hops follows xrt_neigh6 once the writer
 * refreshes them (xrtd: the next hops the RIB names for that gateway): a
 * new MAC, a STALE entry (not cached: the fast path must stamp used_ns),
 * deletion. */
Test(forward, gateway_mac_follows_neighbour_changes)
{
	const uint8_t mac2[6] = { 0x02, 0, 0, 0, 0, 0x77 };
	struct xrt_neigh6_key k = { .ifindex = (uint32_t)if_b };
	struct xrt_neigh6_val nv;
	struct xrt_nh nh;
	struct xt_pkt p;
	struct xt_result r;
	char err[XRT_ERR_LEN];
	uint32_t id = 1;

	xt_addr("fe80::1", k.addr);
	cr_assert_eq(bpf_map_lookup_elem(M.nh, &id, &nh), 0);
	cr_assert(nh.flags & XRT_NH_F_DMAC, "REACHABLE gateway cached");
	xt_ip6(&p, "2001:db8:100::1", "2001:db8:1::9", 64, NEXTHDR_UDP, 8);

	cr_assert_eq(xrt_maps_neigh_set(&M, if_b, k.addr, mac2, XRT_NUD_REACHABLE,
					err), 0, "%s", err);
	cr_assert_eq(xrt_maps_nh_refresh_dmac(&M, id, err), 0, "%s", err);
	cr_assert_eq(bpf_map_lookup_elem(M.nh, &id, &nh), 0);
	cr_assert_eq(memcmp(nh.dmac, mac2, 6), 0, "new MAC cached");
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT);
	expect_forwarded(&p, &r, mac2, MAC_B);

	cr_assert_eq(xrt_maps_neigh_set(&M, if_b, k.addr, mac2, XRT_NUD_STALE, err),
		     0, "%s", err);
	cr_assert_eq(xrt_maps_nh_refresh_dmac(&M, id, err), 0, "%s", err);
	cr_assert_eq(bpf_map_lookup_elem(M.nh, &id, &nh), 0);
	cr_assert_eq(nh.flags & XRT_NH_F_DMAC, 0, "STALE is not cached");
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT);
	expect_forwarded(&p, &r, mac2, MAC_B);
	cr_assert_eq(bpf_map_lookup_elem(M.neigh6, &k, &nv), 0);
	cr_assert_neq(nv.used_ns, 0, "traffic through STALE stamped");

	cr_assert_eq(xrt_maps_neigh_del(&M, if_b, k.addr, err), 0, "%s", err);
	cr_assert_eq(xrt_maps_nh_refresh_dmac(&M, id, err), 0, "%s", err);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_PASS, "neighbour gone: NEIGH_MISS punt");
	cr_assert_eq(r.meta_len, 24);
}

/* A second writer on the same pins (a restarted daemon) refreshes the
 * cache of next hops it did not program itself. */
Test(forward, gateway_cache_survives_reload)
{
	const uint8_t mac2[6] = { 0x02, 0, 0, 0, 0, 0x78 };
	struct xrt_maps m2;
	struct xt_pkt p;
	struct xt_result r;
	char err[XRT_ERR_LEN] = "", bpffs[64];
	uint8_t gw[16];

	snprintf(bpffs, sizeof(bpffs), "/run/xrt-test-%d", (int)getpid());
	cr_assert_eq(xrt_maps_load(&m2, "bpf/xrt_fwd.bpf.o", bpffs, err), 0, "%s",
		     err);
	/* A new writer starts from an empty FIB (a restarted daemon replays
	 * its routes); next hops and neighbours stay pinned. */
	xt_ip6(&p, "2001:db8:100::1", "2001:db8:1::9", 64, NEXTHDR_UDP, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_PASS, "no route after a new writer loaded");
	struct xrt_fib6_val v = { .type = XRT_RTN_UNICAST, .nh = 1 };
	xt_addr("2001:db8:1::", gw);
	cr_assert_eq(xrt_maps_route_set(&m2, XRT_TABLE_MAIN, gw, 48, &v, err), 0, "%s", err);
	xt_addr("fe80::1", gw);
	cr_assert_eq(xrt_maps_neigh_set(&m2, if_b, gw, mac2, XRT_NUD_REACHABLE,
					err), 0, "%s", err);
	cr_assert_eq(xrt_maps_nh_refresh_dmac(&m2, 1, err), 0, "%s", err);
	xt_ip6(&p, "2001:db8:100::1", "2001:db8:1::9", 64, NEXTHDR_UDP, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT);
	expect_forwarded(&p, &r, mac2, MAC_B);
	xrt_maps_close(&m2);
}

/* rt6_multipath_hash_flow (include/xrt/multipath.h, used by `xrt route get`)
 * lays a flow's fields out as the fast path reads them from the packet, so
 * it predicts the member the fast path really takes, flow for flow. */
Test(forward, ecmp_matches_userspace_hash)
{
	struct xrt_nh_grp *g = calloc(1, sizeof(*g));
	struct xt_pkt p;
	struct rt6_flow f;
	char src[64];
	uint32_t gid = 1, id;
	int i;

	cr_assert_eq(bpf_map_lookup_elem(M.nh_grp, &gid, g), 0);
	for (i = 0; i < 300; i++) {
		uint8_t nexthdr = i % 3 == 0 ? NEXTHDR_TCP :
				  i % 3 == 1 ? NEXTHDR_UDP : NEXTHDR_ICMP;

		snprintf(src, sizeof(src), "2001:db8:100:%x::%x", i % 13, i * 7);
		xt_ip6(&p, src, "2001:db8:e::9", 64, nexthdr, 8);
		xt_udp_ports(&p, (uint16_t)(2000 + i * 3), (uint16_t)(80 + i % 5));
		memset(&f, 0, sizeof(f));
		memcpy(&f.saddr, xt_l3(&p) + 8, 16);
		memcpy(&f.daddr, xt_l3(&p) + 24, 16);
		f.flowlabel = 0x12345; /* what xt_ip6 writes */
		f.nexthdr = nexthdr;
		f.has_ports = true;
		f.sport = (uint16_t)(2000 + i * 3);
		f.dport = (uint16_t)(80 + i % 5);
		id = g->bucket[rt6_multipath_hash_flow(&f) % g->nbuckets];
		cr_assert_eq(ecmp_member(&p), (int)id /* nh 6 -> ..:06, 7 -> ..:07 */,
			     "flow %d: predicted nh %u", i, id);
	}
	free(g);
}
