/* xrt BPF tests: the fast path's FIB trie walk (bpf/fib6_lookup.h) against a brute-force longest match, its updates under concurrent readers, and source-specific routes. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <linux/if_ether.h>
#include <linux/in6.h>

#include "harness.h"
#include "dataplane/ip6_fib.h"
#include "xrt/proto.h"

#define NNH 8 /* next hops 1..8: via fe80::10+i dev xfb, MAC 02:..:10+i */

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

TestSuite(fib, .init = setup, .fini = xt_teardown);

/* What the fast path must do with a destination: the route's answer. */
enum want { W_NO_ROUTE = 0, W_BLACKHOLE = 100 }; /* else the next-hop id */

#define NROUTES 2500
static struct r {
	uint8_t a[16];
	unsigned plen;
	int want;
} R[NROUTES];
static unsigned nr;

static bool covers(const struct r *r, const uint8_t a[16])
{
	for (unsigned b = 0; b < r->plen; b++)
		if ((r->a[b / 8] ^ a[b / 8]) & (0x80 >> (b % 8)))
			return false;
	return true;
}

static int longest(const uint8_t a[16])
{
	int best = -1;

	for (unsigned i = 0; i < nr; i++)
		if (covers(&R[i], a) && (best < 0 || R[i].plen > R[best].plen))
			best = (int)i;
	return best < 0 ? W_NO_ROUTE : R[best].want;
}

static void mask(uint8_t a[16], unsigned plen)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = plen > i * 8 ? plen - i * 8 : 0;
		a[i] = bits >= 8 ? a[i] : a[i] & (uint8_t)(0xff00 >> bits);
	}
}

/* Global unicast 2000::/3 only: link-local, multicast, :: and ::1 never
 * reach the route lookup. Half of them under 2001:db8::/31, as tables
 * cluster. */
static void rnd_addr(uint8_t a[16])
{
	for (int i = 0; i < 16; i++)
		a[i] = (uint8_t)random();
	a[0] = (uint8_t)(0x20 | (a[0] & 0x1f));
	if (random() % 2) {
		a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d;
		a[3] = (uint8_t)(0xb8 | (a[3] & 1));
	}
}

static unsigned rnd_plen(void)
{
	static const unsigned hot[] = { 3, 12, 16, 17, 20, 32, 33, 44, 48, 56, 62, 63,
					64, 65, 96, 124, 125, 127, 128 };
	return random() % 3 ? hot[random() % (sizeof(hot) / sizeof(hot[0]))] :
			      3 + (unsigned)(random() % 126);
}

static void route_add(unsigned i)
{
	struct xrt_fib6_val v = { .type = XRT_RTN_UNICAST, .nh = (uint32_t)R[i].want };
	char err[XRT_ERR_LEN] = "";

	if (R[i].want == W_BLACKHOLE)
		v = (struct xrt_fib6_val){ .type = XRT_RTN_BLACKHOLE };
	cr_assert_eq(xrt_maps_route_set(&M, XRT_TABLE_MAIN, R[i].a, R[i].plen, &v, err), 0,
		     "%s", err);
}

static void probe(const uint8_t dst[16])
{
	struct xt_pkt p;
	struct xt_result r;
	char s[64];
	int want = longest(dst);

	inet_ntop(AF_INET6, dst, s, sizeof(s));
	xt_ip6(&p, "2001:db8:ffff::1", s, 64, NEXTHDR_UDP, 8);
	xt_run(&p, if_a, &r);
	if (want == W_NO_ROUTE) {
		cr_assert_eq(r.ret, XDP_PASS, "%s: no route, verdict %d", s, r.ret);
	} else if (want == W_BLACKHOLE) {
		cr_assert_eq(r.ret, XDP_DROP, "%s: blackhole, verdict %d", s, r.ret);
	} else {
		cr_assert_eq(r.ret, XDP_REDIRECT, "%s: via nh %d, verdict %d", s, want, r.ret);
		cr_assert_eq(r.frame[5], 0x10 + want, "%s: via nh %d, went to MAC ..:%02x", s,
			     want, r.frame[5]);
	}
}

/* An address inside a random route, or anywhere. */
static void probe_addr(uint8_t a[16])
{
	rnd_addr(a);
	if (nr && random() % 4) {
		const struct r *r = &R[random() % nr];
		uint8_t tail[16];

		memcpy(tail, a, 16);
		memcpy(a, r->a, 16);
		for (unsigned b = r->plen; b < 128; b++)
			a[b / 8] |= tail[b / 8] & (0x80 >> (b % 8));
	}
}

Test(fib, random_table_forwards_by_longest_match)
{
	uint8_t a[16];

	srandom(11);
	for (nr = 0; nr < NROUTES;) {
		unsigned j;

		rnd_addr(R[nr].a);
		R[nr].plen = rnd_plen();
		mask(R[nr].a, R[nr].plen);
		R[nr].want = random() % 5 ? 1 + (int)(random() % NNH) : W_BLACKHOLE;
		for (j = 0; j < nr; j++) /* a prefix seen again replaces its route */
			if (R[j].plen == R[nr].plen && !memcmp(R[j].a, R[nr].a, 16))
				break;
		R[j] = R[nr];
		route_add(j);
		nr += j == nr;
	}
	for (int i = 0; i < 4000; i++) {
		probe_addr(a);
		probe(a);
	}
	/* Delete a third; the covering routes take over. */
	char err[XRT_ERR_LEN] = "";
	for (int i = 0; i < NROUTES / 3; i++) {
		unsigned k = (unsigned)(random() % nr);

		cr_assert_eq(xrt_maps_route_del(&M, XRT_TABLE_MAIN, R[k].a, R[k].plen, err), 0,
			     "%s", err);
		R[k] = R[--nr];
	}
	for (int i = 0; i < 4000; i++) {
		probe_addr(a);
		probe(a);
	}
}

/*
 * Route updates are atomic for readers: while one thread replaces, adds and
 * removes routes along the same path (the /48 covering the probe flips
 * between next hops 1 and 2, a /64 inside it comes and goes with next hop
 * 3, and neighbours of the probe's path split nodes and records), another
 * thread runs the fast path on the probe without pause. Every verdict must
 * be a forward through one of those three next hops; never no route.
 */
static atomic_int stop;
static atomic_long runs, bad, badmac;

static void *reader(void *arg)
{
	const struct xt_pkt *p = arg;
	uint8_t out[PKT_MAX + 64];

	while (!atomic_load(&stop)) {
		struct xdp_md ctx_in = { .data_end = p->len, .ingress_ifindex = (uint32_t)if_a };
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->b, .data_size_in = p->len,
			    .data_out = out, .data_size_out = sizeof(out), .ctx_in = &ctx_in,
			    .ctx_size_in = sizeof(ctx_in), .repeat = 1);
		if (bpf_prog_test_run_opts(M.prog_fd, &o) || o.retval != XDP_REDIRECT)
			atomic_fetch_add(&bad, 1);
		else if (out[5] != 0x11 && out[5] != 0x12 && out[5] != 0x13)
			atomic_fetch_add(&badmac, 1);
		atomic_fetch_add(&runs, 1);
	}
	return NULL;
}

Test(fib, updates_are_atomic_for_readers)
{
	struct xrt_fib6_val v1 = { XRT_RTN_UNICAST, 1 }, v2 = { XRT_RTN_UNICAST, 2 },
			    v3 = { XRT_RTN_UNICAST, 3 }, bh = { XRT_RTN_BLACKHOLE, 0 };
	char err[XRT_ERR_LEN] = "";
	uint8_t p48[16], p64[16], n[16];
	struct xt_pkt pkt;
	pthread_t th;

	xt_addr("2001:db8:aa::", p48);
	xt_addr("2001:db8:aa:1::", p64);
	cr_assert_eq(xrt_maps_route_set(&M, XRT_TABLE_MAIN, p48, 48, &v1, err), 0, "%s", err);
	xt_ip6(&pkt, "2001:db8:ffff::1", "2001:db8:aa:1::99", 64, NEXTHDR_UDP, 8);
	atomic_store(&stop, 0);
	cr_assert_eq(pthread_create(&th, NULL, reader, &pkt), 0);
	srandom(5);
	for (int i = 0; i < 3000; i++) {
		cr_assert_eq(xrt_maps_route_set(&M, XRT_TABLE_MAIN, p48, 48, i % 2 ? &v1 : &v2,
						err), 0, "%s", err);
		if (i % 3 == 0)
			cr_assert_eq(xrt_maps_route_set(&M, XRT_TABLE_MAIN, p64, 64, &v3, err), 0,
				     "%s", err);
		if (i % 3 == 2)
			cr_assert_eq(xrt_maps_route_del(&M, XRT_TABLE_MAIN, p64, 64, err), 0, "%s",
				     err);
		/* A neighbour prefix sharing 40..126 bits with the probe: it
		 * splits the record or node the probe's walk goes through. */
		memcpy(n, pkt.b + ETH_LEN + 24, 16);
		unsigned plen = 40 + (unsigned)(random() % 87), b = plen - 1;
		n[b / 8] ^= (uint8_t)(0x80 >> (b % 8));
		mask(n, plen);
		cr_assert_eq(xrt_maps_route_set(&M, XRT_TABLE_MAIN, n, plen, &bh, err), 0, "%s",
			     err);
		if (random() % 2)
			cr_assert_eq(xrt_maps_route_del(&M, XRT_TABLE_MAIN, n, plen, err), 0, "%s",
				     err);
	}
	atomic_store(&stop, 1);
	pthread_join(th, NULL);
	cr_assert_gt(atomic_load(&runs), 1000, "the reader ran %ld times", atomic_load(&runs));
	cr_assert_eq(atomic_load(&bad), 0, "%ld of %ld walks found no forward",
		     atomic_load(&bad), atomic_load(&runs));
	cr_assert_eq(atomic_load(&badmac), 0, "%ld walks forwarded elsewhere",
		     atomic_load(&badmac));
}

/* ---- source-specific routes (fib6_lookup_src, the flattened subtrees of
 * dataplane/ip6_fib.c), with the same next hops ---- */

TestSuite(src_routes, .init = setup, .fini = xt_teardown);

/* Add (nh > 0) or delete (nh 0) the route dst/dplen from src/splen. */
static void src_route(const char *dst, unsigned dplen, const char *src, unsigned splen,
		      uint32_t nh)
{
	struct xrt_fib6_val v = { .type = XRT_RTN_UNICAST, .nh = nh };
	uint8_t d[16], s[16];
	char err[XRT_ERR_LEN] = "";

	xt_addr(dst, d);
	xt_addr(src, s);
	cr_assert_eq(nh ? xrt_maps_route_src_set(&M, XRT_TABLE_MAIN, d, dplen, s, splen, &v, err)
			: xrt_maps_route_src_del(&M, XRT_TABLE_MAIN, d, dplen, s, splen, err),
		     0, "%s/%u from %s/%u: %s", dst, dplen, src, splen, err);
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

struct src_rt {
	const char *dst;
	unsigned dplen;
	const char *src;
	unsigned splen;
	uint32_t nh; /* 0: delete */
};
struct src_probe {
	const char *src, *dst;
	int nh; /* the next hop it must leave by */
};

static void src_apply(const struct src_rt *r, unsigned n, const struct src_probe *p,
		      unsigned np)
{
	for (unsigned i = 0; i < n; i++)
		src_route(r[i].dst, r[i].dplen, r[i].src, r[i].splen, r[i].nh);
	for (unsigned i = 0; i < np; i++)
		cr_assert_eq(via(p[i].src, p[i].dst), p[i].nh, "%s -> %s", p[i].src, p[i].dst);
}

#define N_(a) (sizeof(a) / sizeof(a[0]))

/* RFC 8678's multihoming routes: each source prefix its upstream, a plain
 * default for the rest, a plain more-specific route before any source. */
Test(src_routes, multihoming_picks_the_source_upstream)
{
	static const struct src_rt rt[] = {
		{ "::", 0, "2001:db8:1::", 48, 1 },
		{ "::", 0, "2001:db8:2::", 48, 2 },
		{ "::", 0, "::", 0, 3 },
		{ "2001:db8:300::", 48, "::", 0, 4 },
	};
	static const struct src_probe pr[] = {
		{ S1, "2001:db8:200::1", 1 },
		{ S2, "2001:db8:200::1", 2 },
		{ S3, "2001:db8:200::1", 3 },
		{ "2001:db8:1:ffff::9", "2001:db8:200::1", 1 },
		{ S1, "2001:db8:300::1", 4 },
		{ S2, "2001:db8:300::1", 4 },
	};
	src_apply(rt, N_(rt), pr, N_(pr));
}

/* A destination whose only route is a source route: other sources
 * backtrack to the shorter destination, past its hidden plain route; the
 * subtree's deletion brings the plain route back; with nothing shorter a
 * source that matches none has no route (punted). */
Test(src_routes, backtracking_and_deletion)
{
	static const struct src_rt rt[] = {
		{ "::", 0, "2001:db8:1::", 48, 1 },
		{ "::", 0, "::", 0, 3 },
		{ "2001:db8:100::", 48, "2001:db8:2::", 48, 5 },
		{ "2001:db8:100::", 48, "::", 0, 6 },
	}, del[] = {
		{ "2001:db8:100::", 48, "2001:db8:2::", 48, 0 },
	}, alone[] = {
		{ "::", 0, "::", 0, 0 },
		{ "2001:db8:400::", 48, "2001:db8:2::", 48, 2 },
	};
	static const struct src_probe pr[] = {
		{ S2, "2001:db8:100::1", 5 },
		{ S1, "2001:db8:100::1", 1 },
		{ S3, "2001:db8:100::1", 3 },
	}, after[] = {
		{ S2, "2001:db8:100::1", 6 },
		{ S3, "2001:db8:100::1", 6 },
	}, none[] = {
		{ S3, "2001:db8:400::1", 0 },
		{ S1, "2001:db8:400::1", 1 },
		{ S2, "2001:db8:400::1", 2 },
	};
	src_apply(rt, N_(rt), pr, N_(pr));
	src_apply(del, N_(del), after, N_(after));
	src_apply(alone, N_(alone), none, N_(none));
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

/* A destination handed to the kernel (its source routes did not all fit):
 * every packet to it is XDP_PASS, counted as src_route_unsupported, the
 * frame untouched; taken back, its subtree forwards again. */
Test(src_routes, handed_to_the_kernel_passes_counted)
{
	char err[XRT_ERR_LEN] = "";
	struct xrt_stats st;
	struct xt_result r;
	struct xt_pkt p;
	uint8_t d[16];

	src_route("::", 0, "::", 0, 3);
	src_route("2001:db8:100::", 48, "2001:db8:1::", 48, 1);
	xt_addr("2001:db8:100::", d);
	cr_assert_eq(xrt_maps_route_src_pass(&M, XRT_TABLE_MAIN, d, 48, true, err), 0, "%s", err);
	xt_ip6(&p, S1, "2001:db8:100::1", 64, NEXTHDR_UDP, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_PASS, "verdict %d", r.ret);
	cr_assert_eq(r.frame_len, p.len);
	cr_assert(!memcmp(r.frame, p.b, p.len), "a passed frame is untouched");
	cr_assert_eq(via(S3, "2001:db8:100::1"), 0, "every source");
	cr_assert_eq(via(S1, "2001:db8:200::1"), 3, "other destinations forward");
	cr_assert_eq(xrt_maps_stats_read(&M, 1, &st, err), 0, "%s", err);
	cr_assert_eq(st.pass[XRT_PASS_SRC_ROUTE_UNSUPPORTED], 2);
	cr_assert_eq(xrt_maps_route_src_pass(&M, XRT_TABLE_MAIN, d, 48, false, err), 0, "%s", err);
	cr_assert_eq(via(S1, "2001:db8:100::1"), 1);
	cr_assert_eq(via(S3, "2001:db8:100::1"), 3);
	cr_assert_eq(xrt_maps_stats_read(&M, 1, &st, err), 0, "%s", err);
	cr_assert_eq(st.pass[XRT_PASS_SRC_ROUTE_UNSUPPORTED], 2);
}

/* rpf (fib_validate_source) looks the packet's source up with no source of
 * its own, as ip6t_rpfilter (flowi6 saddr ::): a source route of that
 * destination counts only when its prefix holds ::. */
Test(src_routes, rpf_looks_up_without_a_source)
{
	static const struct src_rt rt[] = {
		{ "::", 0, "::", 0, 9 }, /* back by xfa */
		{ "2001:db8:77::", 48, "2001:db8:5::", 48, 1 }, /* by xfb, from one prefix */
		{ "2001:db8:200::", 48, "::", 0, 2 },
	}, any[] = {
		{ "2001:db8:77::", 48, "::", 1, 1 }, /* by xfb, ::/1 holds :: */
	};
	static const struct src_probe pass[] = { { "2001:db8:77::1", "2001:db8:200::1", 2 } },
				      drop[] = { { "2001:db8:77::1", "2001:db8:200::1", 0 } };

	xt_nh(9, if_a, "fe80::99", 1500);
	xt_set_rpf(if_a, XRT_IF_F_RPF_STRICT);
	src_apply(rt, N_(rt), pass, N_(pass));
	cr_assert_eq(xt_drops(1, XRT_DROP_RPF_STRICT), 0);
	src_apply(any, N_(any), drop, N_(drop));
	cr_assert_eq(xt_drops(1, XRT_DROP_RPF_STRICT), 1);
}

/* ---- a full table (dataplane/ip6_fib.c fib6_resize, dataplane/loader.c
 * fib_resize): it loads without a restart or a setting, forwards by its
 * next hops, and gives memory back when removed. ---- */

#define FULL_TABLE 2000000 /* IPv6 routes: beyond the old 1.5M ceiling */
#define PROBES 20000

/* Route i: a /48 (i even) or /64 in 2000::/3 from a generator; the next
 * hop a function of the prefix, so a prefix drawn twice keeps its answer. */
struct full_route {
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

static void full_route_make(uint64_t *seed, unsigned i, struct full_route *r)
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

static uint32_t full_nh_of(const struct full_route *r)
{
	return 1 + (uint32_t)((r->a[4] ^ r->a[5] ^ r->plen) % NNH);
}

static double full_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A packet to route r's prefix (host part ::1) leaves by its next hop. */
static void full_probe(const struct full_route *r, const char *when)
{
	struct xt_pkt p;
	struct xt_result res;
	uint8_t dst[16];
	char s[64];

	memcpy(dst, r->a, 16);
	dst[15] = 1;
	inet_ntop(AF_INET6, dst, s, sizeof(s));
	xt_ip6(&p, "2001:db8:ffff::1", s, 64, NEXTHDR_UDP, 8);
	xt_run(&p, if_a, &res);
	cr_assert_eq(res.ret, XDP_REDIRECT, "%s/%u %s: verdict %d", s, r->plen, when, res.ret);
	cr_assert_eq(res.frame[5], 0x10 + full_nh_of(r), "%s/%u %s: via nh %u, went to ..:%02x", s,
		     r->plen, when, full_nh_of(r), res.frame[5]);
}

Test(fib, full_table_loads_without_a_restart, .timeout = 900)
{
	char err[XRT_ERR_LEN] = "";
	struct fib6_usage u0, u;
	struct full_route *T = calloc(FULL_TABLE, sizeof(*T));
	uint64_t seed = 42;

	cr_assert(T);
	cr_assert_eq(xrt_maps_fib_usage(&M, &u0, err), 0, "%s", err);
	double t0 = full_now_s();
	for (unsigned i = 0; i < FULL_TABLE; i++) {
		struct xrt_fib6_val v = { .type = XRT_RTN_UNICAST };

		full_route_make(&seed, i, &T[i]);
		v.nh = full_nh_of(&T[i]);
		cr_assert_eq(xrt_maps_route_set(&M, XRT_TABLE_MAIN, T[i].a, T[i].plen, &v, err), 0,
			     "route %u: %s", i, err);
	}
	double t1 = full_now_s();
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
	for (unsigned k = 0; k < PROBES; k++)
		full_probe(&T[(uint64_t)k * 7919 % FULL_TABLE], "");
	/* Remove all but every 64th: the maps give memory back. */
	for (unsigned i = 0; i < FULL_TABLE; i++)
		if (i % 64 && xrt_maps_route_del(&M, XRT_TABLE_MAIN, T[i].a, T[i].plen, err))
			cr_assert(strstr(err, "no such route"), "del %u: %s", i, err);
	struct fib6_usage v;
	cr_assert_eq(xrt_maps_fib_usage(&M, &v, err), 0, "%s", err);
	fprintf(stderr, "measured: down to %llu routes: %u shrinks, maps %llu bytes\n",
		(unsigned long long)v.routes, v.shrinks, (unsigned long long)v.capacity_bytes);
	cr_assert_geq(v.shrinks, 3);
	cr_assert_lt(v.capacity_bytes, u.capacity_bytes / 16);
	for (unsigned k = 0; k < PROBES / 10; k++)
		full_probe(&T[(uint64_t)k * 64 % FULL_TABLE], "after the removals");
	free(T);
}
