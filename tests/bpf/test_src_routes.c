/* xrt BPF tests: source-specific routes in the fast path (bpf/fib6_lookup.h fib6_lookup_src, the flattened subtrees of dataplane/ip6_fib.c). */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <linux/if_ether.h>

#include "harness.h"
#include "xrt/proto.h"

#define NNH 6 /* next hops 1..6: via fe80::10+i dev xfb, MAC 02:..:10+i */

static void setup(void)
{
	char err[XRT_ERR_LEN] = "";

	xt_setup();
	for (int i = 0; i < 2; i++) {
		struct xrt_iface v = { .slot = (uint16_t)(1 + i), .mtu = 1500,
				       .table = XRT_TABLE_MAIN, .flags = XRT_IF_F_FORWARDING };
		memcpy(v.mac, i ? MAC_B : MAC_A, 6);
		cr_assert_eq(xrt_maps_iface_set(&M, i ? if_b : if_a, &v, err), 0, "%s", err);
	}
	for (uint32_t id = 1; id <= NNH; id++) {
		struct xrt_nh nh = { .ifindex = (uint32_t)if_b, .mtu = 1500,
				     .flags = XRT_NH_F_VALID };
		uint8_t mac[6] = { 0x02, 0, 0, 0, 0, (uint8_t)(0x10 + id) };

		xt_addr("fe80::", nh.gw);
		nh.gw[15] = (uint8_t)(0x10 + id);
		cr_assert_eq(xrt_maps_neigh_set(&M, if_b, nh.gw, mac, XRT_NUD_REACHABLE, err), 0,
			     "%s", err);
		cr_assert_eq(xrt_maps_nh_set(&M, id, &nh, err), 0, "%s", err);
	}
}

TestSuite(src_routes, .init = setup, .fini = xt_teardown);

static void src_route(const char *dst, unsigned dplen, const char *src, unsigned splen,
		      uint32_t nh)
{
	struct xrt_fib6_val v = { .type = XRT_RTN_UNICAST, .nh = nh };
	uint8_t d[16], s[16];
	char err[XRT_ERR_LEN] = "";

	xt_addr(dst, d);
	xt_addr(src, s);
	cr_assert_eq(xrt_maps_route_src_set(&M, XRT_TABLE_MAIN, d, dplen, s, splen, &v, err), 0,
		     "%s/%u from %s/%u: %s", dst, dplen, src, splen, err);
}

static void src_route_del(const char *dst, unsigned dplen, const char *src, unsigned splen)
{
	uint8_t d[16], s[16];
	char err[XRT_ERR_LEN] = "";

	xt_addr(dst, d);
	xt_addr(src, s);
	cr_assert_eq(xrt_maps_route_src_del(&M, XRT_TABLE_MAIN, d, dplen, s, splen, err), 0,
		     "%s", err);
}

/* The next hop the fast path sends (src -> dst) to: 0 when it does not
 * redirect (no route: punted). */
static int via(const char *src, const char *dst)
{
	struct xt_pkt p;
	struct xt_result r;

	xt_ip6(&p, src, dst, 64, NEXTHDR_UDP, 8);
	xt_run(&p, if_a, &r);
	if (r.ret != XDP_REDIRECT)
		return 0;
	return r.frame[5] - 0x10;
}

#define S1 "2001:db8:1::2"
#define S2 "2001:db8:2::2"
#define S3 "2001:db8:3::2"

/* RFC 8678's multihoming routes: each source prefix its upstream, a plain
 * default for the rest, a plain more-specific route before any source. */
Test(src_routes, multihoming_picks_the_source_upstream)
{
	src_route("::", 0, "2001:db8:1::", 48, 1);
	src_route("::", 0, "2001:db8:2::", 48, 2);
	src_route("::", 0, "::", 0, 3);
	src_route("2001:db8:300::", 48, "::", 0, 4);
	cr_assert_eq(via(S1, "2001:db8:200::1"), 1);
	cr_assert_eq(via(S2, "2001:db8:200::1"), 2);
	cr_assert_eq(via(S3, "2001:db8:200::1"), 3);
	cr_assert_eq(via("2001:db8:1:ffff::9", "2001:db8:200::1"), 1);
	cr_assert_eq(via(S1, "2001:db8:300::1"), 4);
	cr_assert_eq(via(S2, "2001:db8:300::1"), 4);
}

/* A destination whose only route is a source route: other sources
 * backtrack to the shorter destination, past its hidden plain route; the
 * subtree's deletion brings the plain route back. */
Test(src_routes, backtracking_and_deletion)
{
	src_route("::", 0, "2001:db8:1::", 48, 1);
	src_route("::", 0, "::", 0, 3);
	src_route("2001:db8:100::", 48, "2001:db8:2::", 48, 5);
	src_route("2001:db8:100::", 48, "::", 0, 6);
	cr_assert_eq(via(S2, "2001:db8:100::1"), 5);
	cr_assert_eq(via(S1, "2001:db8:100::1"), 1);
	cr_assert_eq(via(S3, "2001:db8:100::1"), 3);
	src_route_del("2001:db8:100::", 48, "2001:db8:2::", 48);
	cr_assert_eq(via(S2, "2001:db8:100::1"), 6);
	cr_assert_eq(via(S3, "2001:db8:100::1"), 6);
	/* No source matches and nothing shorter: no route (punted). */
	src_route_del("::", 0, "::", 0);
	src_route("2001:db8:400::", 48, "2001:db8:2::", 48, 2);
	cr_assert_eq(via(S3, "2001:db8:400::1"), 0);
	cr_assert_eq(via(S1, "2001:db8:400::1"), 1);
	cr_assert_eq(via(S2, "2001:db8:400::1"), 2);
}

/* The bound: one destination more than XRT_FIB6_SUBTREES is refused with
 * the word named, and the fast path is unchanged. */
Test(src_routes, bound_refused)
{
	struct xrt_fib6_val v = { .type = XRT_RTN_UNICAST, .nh = 1 };
	char dst[64], err[XRT_ERR_LEN] = "";
	uint8_t d[16], s[16];

	for (unsigned i = 0; i < XRT_FIB6_SUBTREES; i++) {
		snprintf(dst, sizeof(dst), "2001:db8:%x::", 0x100 + i);
		src_route(dst, 48, "2001:db8:1::", 48, 1 + i % NNH);
	}
	xt_addr("2001:db8:999::", d);
	xt_addr("2001:db8:1::", s);
	cr_assert_eq(xrt_maps_route_src_set(&M, XRT_TABLE_MAIN, d, 48, s, 48, &v, err), -ENOSPC);
	cr_assert(strstr(err, "from"), "%s", err);
	cr_assert_eq(via(S1, "2001:db8:999::1"), 0);
	cr_assert_eq(via(S1, "2001:db8:101::1"), 2);
}
