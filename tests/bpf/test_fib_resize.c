/* xrt BPF tests: a full table loads into the fast path's FIB without a restart or a setting (dataplane/ip6_fib.c fib6_resize, dataplane/loader.c fib_resize), and forwards by it. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/bpf.h>

#include "harness.h"
#include "dataplane/ip6_fib.h"
#include "xrt/proto.h"

#define NNH 8                 /* next hops 1..8: via fe80::10+i dev xfb, MAC 02:..:10+i */
#define FULL_TABLE 2000000    /* IPv6 routes: beyond the old 1.5M ceiling */
#define PROBES 20000

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

TestSuite(fib_resize, .init = setup, .fini = xt_teardown);

/* Route i: a /48 (i even) or /64 in 2000::/3 from a generator; the next
 * hop a function of the prefix, so a prefix drawn twice keeps its answer. */
struct route {
	uint8_t a[16];
	unsigned plen;
};

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void route_make(uint64_t *seed, unsigned i, struct route *r)
{
	uint64_t hi = splitmix(seed);

	memset(r, 0, sizeof(*r));
	r->plen = i % 2 ? 64 : 48;
	hi = (hi >> 3) | (1ull << 61); /* 2000::/3 */
	if (r->plen == 48)
		hi &= ~0xffffull;
	for (int b = 0; b < 8; b++)
		r->a[b] = (uint8_t)(hi >> (56 - 8 * b));
}

static uint32_t nh_of(const struct route *r)
{
	return 1 + (uint32_t)((r->a[4] ^ r->a[5] ^ r->plen) % NNH);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

Test(fib_resize, full_table_loads_without_a_restart, .timeout = 900)
{
	char err[XRT_ERR_LEN] = "";
	struct fib6_usage u0, u;
	struct route *R = calloc(FULL_TABLE, sizeof(*R));
	uint64_t seed = 42;

	cr_assert(R);
	cr_assert_eq(xrt_maps_fib_usage(&M, &u0, err), 0, "%s", err);
	double t0 = now_s();
	for (unsigned i = 0; i < FULL_TABLE; i++) {
		struct xrt_fib6_val v = { .type = XRT_RTN_UNICAST };

		route_make(&seed, i, &R[i]);
		v.nh = nh_of(&R[i]);
		cr_assert_eq(xrt_maps_route_set(&M, XRT_TABLE_MAIN, R[i].a, R[i].plen, &v, err), 0,
			     "route %u: %s", i, err);
	}
	double t1 = now_s();
	cr_assert_eq(xrt_maps_fib_usage(&M, &u, err), 0, "%s", err);
	fprintf(stderr,
		"measured: %llu routes in %.1f s; %u grows; trie %llu bytes in use (%.1f B/route), "
		"maps %llu bytes (%.1f B/route; %llu at start)\n",
		(unsigned long long)u.routes, t1 - t0, u.grows, (unsigned long long)u.bytes,
		(double)u.bytes / (double)u.routes, (unsigned long long)u.capacity_bytes,
		(double)u.capacity_bytes / (double)u.routes,
		(unsigned long long)u0.capacity_bytes);
	cr_assert_geq(u.routes, FULL_TABLE - 100, "routes: %llu", (unsigned long long)u.routes);
	cr_assert_geq(u.grows, 5);
	cr_assert_eq(u.resize_failures, 0, "%s", u.resize_error);
	cr_assert_eq(u.ceiling_hits, 0);
	/* The program walking the new maps forwards by them. */
	for (unsigned k = 0; k < PROBES; k++) {
		const struct route *r = &R[(uint64_t)k * 7919 % FULL_TABLE];
		struct xt_pkt p;
		struct xt_result res;
		uint8_t dst[16];
		char s[64];

		memcpy(dst, r->a, 16);
		dst[15] = 1;
		inet_ntop(AF_INET6, dst, s, sizeof(s));
		xt_ip6(&p, "2001:db8:ffff::1", s, 64, NEXTHDR_UDP, 8);
		xt_run(&p, if_a, &res);
		cr_assert_eq(res.ret, XDP_REDIRECT, "%s/%u: verdict %d", s, r->plen, res.ret);
		cr_assert_eq(res.frame[5], 0x10 + nh_of(r), "%s/%u: via nh %u, went to ..:%02x", s,
			     r->plen, nh_of(r), res.frame[5]);
	}
	/* Remove all but every 64th: the maps give memory back. */
	for (unsigned i = 0; i < FULL_TABLE; i++)
		if (i % 64 && xrt_maps_route_del(&M, XRT_TABLE_MAIN, R[i].a, R[i].plen, err))
			cr_assert(strstr(err, "no such route"), "del %u: %s", i, err);
	struct fib6_usage v;
	cr_assert_eq(xrt_maps_fib_usage(&M, &v, err), 0, "%s", err);
	fprintf(stderr, "measured: down to %llu routes: %u shrinks, maps %llu bytes\n",
		(unsigned long long)v.routes, v.shrinks, (unsigned long long)v.capacity_bytes);
	cr_assert_geq(v.shrinks, 3);
	cr_assert_lt(v.capacity_bytes, u.capacity_bytes / 16);
	for (unsigned k = 0; k < PROBES / 10; k++) {
		const struct route *r = &R[(uint64_t)k * 64 % FULL_TABLE];
		struct xt_pkt p;
		struct xt_result res;
		uint8_t dst[16];
		char s[64];

		memcpy(dst, r->a, 16);
		dst[15] = 1;
		inet_ntop(AF_INET6, dst, s, sizeof(s));
		xt_ip6(&p, "2001:db8:ffff::1", s, 64, NEXTHDR_UDP, 8);
		xt_run(&p, if_a, &res);
		cr_assert_eq(res.ret, XDP_REDIRECT, "%s/%u after the removals: verdict %d", s,
			     r->plen, res.ret);
		cr_assert_eq(res.frame[5], 0x10 + nh_of(r), "%s/%u after the removals", s, r->plen);
	}
	free(R);
}
