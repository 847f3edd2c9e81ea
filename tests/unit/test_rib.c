/* xrt: unit tests of the RIB against a recording fake of the map programming. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rib/rib.h"
#include "xrt/inet.h"

#define FAKE_ROUTES 64
struct fake_fib {
	bool used;
	uint32_t table;
	uint8_t addr[16];
	unsigned plen;
	struct xrt_fib6_val v;
};
static struct fake {
	struct fake_fib fib[FAKE_ROUTES];
	struct xrt_nh nh[XRT_MAX_NEXTHOPS];
	bool nh_used[XRT_MAX_NEXTHOPS];
	unsigned grp_n[XRT_MAX_NH_GROUPS];
	uint32_t grp_ids[XRT_MAX_NH_GROUPS][RIB_MAX_PATHS];
	uint32_t grp_w[XRT_MAX_NH_GROUPS][RIB_MAX_PATHS];
	unsigned writes;
	bool fail_route_set;
	uint32_t mtu[8]; /* by ifindex; 0 = not attached */
} F;

static struct fake_fib *fake_find(uint32_t table, const uint8_t *a, unsigned plen)
{
	for (int i = 0; i < FAKE_ROUTES; i++)
		if (F.fib[i].used && F.fib[i].table == table && F.fib[i].plen == plen &&
		    !memcmp(F.fib[i].addr, a, 16))
			return &F.fib[i];
	return NULL;
}
static int f_route_set(void *c, uint32_t table, const uint8_t a[16], unsigned plen,
		       const struct xrt_fib6_val *v, char *err)
{
	(void)c;
	if (F.fail_route_set) {
		snprintf(err, 256, "fib6 map is full");
		return -ENOSPC;
	}
	F.writes++;
	struct fake_fib *e = fake_find(table, a, plen);
	for (int i = 0; !e && i < FAKE_ROUTES; i++)
		if (!F.fib[i].used)
			e = &F.fib[i];
	if (!e)
		return 0; /* bulk tests outgrow the fake: only RIB state is checked */
	e->used = true;
	e->table = table;
	memcpy(e->addr, a, 16);
	e->plen = plen;
	e->v = *v;
	return 0;
}
static int f_route_del(void *c, uint32_t table, const uint8_t a[16], unsigned plen,
		       char *err)
{
	(void)c, (void)err;
	F.writes++;
	struct fake_fib *e = fake_find(table, a, plen);
	if (!e)
		return -ENOENT;
	e->used = false;
	return 0;
}
static int f_nh_set(void *c, uint32_t id, const struct xrt_nh *v, char *err)
{
	(void)c, (void)err;
	F.writes++;
	F.nh[id] = *v;
	F.nh_used[id] = true;
	return 0;
}
static int f_nh_del(void *c, uint32_t id, char *err)
{
	(void)c, (void)err;
	F.writes++;
	F.nh_used[id] = false;
	return 0;
}
static int f_grp_set(void *c, uint32_t id, const uint32_t *ids, const uint32_t *w,
		     unsigned n, char *err)
{
	(void)c, (void)err;
	F.writes++;
	F.grp_n[id] = n;
	memcpy(F.grp_ids[id], ids, n * 4);
	memcpy(F.grp_w[id], w, n * 4);
	return 0;
}
static int f_grp_del(void *c, uint32_t id, char *err)
{
	(void)c, (void)err;
	F.writes++;
	F.grp_n[id] = 0;
	return 0;
}
static uint32_t f_link_mtu(void *c, int ifindex)
{
	(void)c;
	return ifindex > 0 && ifindex < 8 ? F.mtu[ifindex] : 0;
}
/* Source routes written to and deleted from the fast path (what it does
 * with them is test_fib6_subtree's). */
static unsigned src_routes, src_dels;
static int f_route_src_set(void *c, uint32_t table, const uint8_t a[16], unsigned plen,
			   const uint8_t src[16], unsigned splen, const struct xrt_fib6_val *v,
			   char *err)
{
	(void)c, (void)table, (void)a, (void)plen, (void)src, (void)splen, (void)v, (void)err;
	src_routes++;
	return 0;
}
static int f_route_src_del(void *c, uint32_t table, const uint8_t a[16], unsigned plen,
			   const uint8_t src[16], unsigned splen, char *err)
{
	(void)c, (void)table, (void)a, (void)plen, (void)src, (void)splen, (void)err;
	src_dels++;
	return 0;
}
/* Destinations handed to the kernel (on) and taken back. */
static unsigned pass_on, pass_off;
static int f_route_src_pass(void *c, uint32_t table, const uint8_t a[16], unsigned plen,
			    bool on, char *err)
{
	(void)c, (void)table, (void)a, (void)plen, (void)err;
	on ? pass_on++ : pass_off++;
	return 0;
}
static const struct rib_ops OPS = {
	.route_src_set = f_route_src_set, .route_src_del = f_route_src_del,
	.route_src_pass = f_route_src_pass,
	.route_set = f_route_set, .route_del = f_route_del, .nh_set = f_nh_set,
	.nh_del = f_nh_del, .grp_set = f_grp_set, .grp_del = f_grp_del,
	.link_mtu = f_link_mtu,
};

static struct rib *rib;
static char err[256];

static void setup(void)
{
	memset(&F, 0, sizeof(F));
	src_routes = src_dels = pass_on = pass_off = 0;
	F.mtu[2] = 1500;
	F.mtu[3] = 9000;
	rib = rib_new(&OPS);
	cr_assert_not_null(rib);
}
static void teardown(void)
{
	rib_free(rib);
}
TestSuite(rib, .init = setup, .fini = teardown);

static struct in6_addr A(const char *s)
{
	struct in6_addr a;
	cr_assert_eq(inet_pton(AF_INET6, s, &a), 1, "bad test address %s", s);
	return a;
}

static struct rib_route_spec via(const char *pfx, unsigned plen, const char *gw,
				 int dev, uint32_t metric)
{
	struct rib_route_spec s = {
		.table = XRT_TABLE_MAIN, .prefix = A(pfx), .plen = plen,
		.type = XRT_RTN_UNICAST, .metric = metric, .npaths = 1,
	};
	s.path[0].ifindex = dev;
	if (gw) {
		s.path[0].has_gw = true;
		s.path[0].gw = A(gw);
	}
	return s;
}

static const struct xrt_fib6_val *programmed(const char *pfx, unsigned plen)
{
	struct in6_addr a = A(pfx);
	struct fake_fib *e = fake_find(XRT_TABLE_MAIN, a.s6_addr, plen);
	return e ? &e->v : NULL;
}

Test(rib, add_programs_nexthop_then_route)
{
	struct rib_route_spec s = via("2001:db8::", 32, "fe80::1", 2, 1024);
	cr_assert_eq(rib_route_add(rib, &s, false, err), 0, "%s", err);
	const struct xrt_fib6_val *v = programmed("2001:db8::", 32);
	cr_assert_not_null(v);
	cr_assert_eq(v->type, XRT_RTN_UNICAST);
	cr_assert(v->nh > 0 && v->nh < XRT_MAX_NEXTHOPS);
	cr_assert(F.nh_used[v->nh]);
	cr_assert_eq(F.nh[v->nh].ifindex, 2);
	cr_assert_eq(F.nh[v->nh].mtu, 1500, "nh mtu follows the link");
	cr_assert_eq(F.nh[v->nh].flags, XRT_NH_F_VALID);
	struct in6_addr gw = A("fe80::1");
	cr_assert_arr_eq(F.nh[v->nh].gw, gw.s6_addr, 16);
}

Test(rib, nexthops_are_shared_and_refcounted)
{
	struct rib_route_spec a = via("2001:db8:1::", 48, "fe80::1", 2, 1024);
	struct rib_route_spec b = via("2001:db8:2::", 48, "fe80::1", 2, 1024);
	cr_assert_eq(rib_route_add(rib, &a, false, err), 0, "%s", err);
	cr_assert_eq(rib_route_add(rib, &b, false, err), 0, "%s", err);
	uint32_t id = programmed("2001:db8:1::", 48)->nh;
	cr_assert_eq(programmed("2001:db8:2::", 48)->nh, id);
	struct rib_stats st;
	rib_get_stats(rib, &st);
	cr_assert_eq(st.nexthops, 1);
	struct in6_addr p = A("2001:db8:1::");
	cr_assert_eq(rib_route_del(rib, XRT_TABLE_MAIN, &p, 48, NULL, err), 0, "%s", err);
	cr_assert(F.nh_used[id], "still used by the other route");
	p = A("2001:db8:2::");
	cr_assert_eq(rib_route_del(rib, XRT_TABLE_MAIN, &p, 48, NULL, err), 0, "%s", err);
	cr_assert(!F.nh_used[id], "last user gone: next hop removed");
	rib_get_stats(rib, &st);
	cr_assert_eq(st.nexthops, 0);
	cr_assert_eq(st.routes, 0);
}

Test(rib, duplicate_is_refused_and_changes_nothing)
{
	struct rib_route_spec a = via("2001:db8::", 32, "fe80::1", 2, 1024);
	struct rib_route_spec b = via("2001:db8::", 32, "fe80::2", 3, 1024);
	cr_assert_eq(rib_route_add(rib, &a, false, err), 0, "%s", err);
	uint32_t id = programmed("2001:db8::", 32)->nh;
	unsigned w = F.writes;
	cr_assert_eq(rib_route_add(rib, &b, false, err), -EEXIST);
	cr_assert_str_eq(err, "route 2001:db8::/32 metric 1024 already exists");
	cr_assert_eq(programmed("2001:db8::", 32)->nh, id);
	struct rib_stats st;
	rib_get_stats(rib, &st);
	cr_assert_eq(st.nexthops, 1, "the refused route's next hop was released");
	cr_assert_eq(F.nh_used[id], true);
	cr_assert_eq(F.writes, w, "the refused duplicate wrote %u times to the fast path", F.writes - w);
}

Test(rib, replace_switches_nexthop_and_frees_old)
{
	struct rib_route_spec a = via("2001:db8::", 32, "fe80::1", 2, 1024);
	struct rib_route_spec b = via("2001:db8::", 32, "fe80::2", 3, 1024);
	cr_assert_eq(rib_route_add(rib, &a, false, err), 0, "%s", err);
	uint32_t old = programmed("2001:db8::", 32)->nh;
	cr_assert_eq(rib_route_add(rib, &b, true, err), 0, "%s", err);
	uint32_t id = programmed("2001:db8::", 32)->nh;
	cr_assert_neq(id, old);
	cr_assert_eq(F.nh[id].ifindex, 3);
	cr_assert_eq(F.nh[id].mtu, 9000);
	cr_assert(!F.nh_used[old]);
	cr_assert_eq(rib_count(rib), 1);
}

Test(rib, lowest_metric_wins_and_fallback_on_delete)
{
	struct rib_route_spec hi = via("2001:db8::", 32, "fe80::1", 2, 2000);
	struct rib_route_spec lo = via("2001:db8::", 32, "fe80::2", 3, 100);
	cr_assert_eq(rib_route_add(rib, &hi, false, err), 0, "%s", err);
	cr_assert_eq(rib_route_add(rib, &lo, false, err), 0, "%s", err);
	cr_assert_eq(F.nh[programmed("2001:db8::", 32)->nh].ifindex, 3);
	struct in6_addr p = A("2001:db8::");
	struct rib_match m = { .has_metric = true, .metric = 100 };
	cr_assert_eq(rib_route_del(rib, XRT_TABLE_MAIN, &p, 32, &m, err), 0, "%s", err);
	cr_assert_eq(F.nh[programmed("2001:db8::", 32)->nh].ifindex, 2,
		     "metric 2000 route takes over");
	cr_assert_eq(rib_route_del(rib, XRT_TABLE_MAIN, &p, 32, NULL, err), 0, "%s", err);
	cr_assert_null(programmed("2001:db8::", 32));
}

Test(rib, worse_metric_does_not_touch_fast_path)
{
	struct rib_route_spec lo = via("2001:db8::", 32, "fe80::2", 3, 100);
	struct rib_route_spec hi = via("2001:db8::", 32, "fe80::1", 3, 2000);
	cr_assert_eq(rib_route_add(rib, &lo, false, err), 0, "%s", err);
	uint32_t id = programmed("2001:db8::", 32)->nh;
	cr_assert_eq(rib_route_add(rib, &hi, false, err), 0, "%s", err);
	cr_assert_eq(programmed("2001:db8::", 32)->nh, id);
}

Test(rib, host_bits_and_unknown_dev_are_errors)
{
	struct rib_route_spec s = via("2001:db8::1", 64, "fe80::1", 2, 1024);
	cr_assert_eq(rib_route_add(rib, &s, false, err), -EINVAL);
	cr_assert_str_eq(err, "2001:db8::1/64 has host bits set");
	s = via("2001:db8::", 64, "fe80::1", 5, 1024);
	cr_assert_eq(rib_route_add(rib, &s, false, err), -ENODEV);
	cr_assert_eq(F.writes, 0, "nothing written");
}

Test(rib, gateway_resolves_through_connected_route)
{
	struct rib_route_spec c = via("2001:db8:a::", 64, NULL, 3, 256);
	cr_assert_eq(rib_route_add(rib, &c, false, err), 0, "%s", err);
	const struct xrt_fib6_val *cv = programmed("2001:db8:a::", 64);
	cr_assert_eq(F.nh[cv->nh].flags, XRT_NH_F_VALID | XRT_NH_F_CONNECTED);
	struct rib_route_spec s = via("2001:db8:b::", 48, "2001:db8:a::1", 0, 1024);
	cr_assert_eq(rib_route_add(rib, &s, false, err), 0, "%s", err);
	cr_assert_eq(F.nh[programmed("2001:db8:b::", 48)->nh].ifindex, 3);
	s = via("2001:db8:c::", 48, "2001:db8:ff::1", 0, 1024);
	cr_assert_eq(rib_route_add(rib, &s, false, err), -ENETUNREACH);
	cr_assert_str_eq(err, "gateway 2001:db8:ff::1 is not on a connected prefix; say \"dev\"");
}

Test(rib, ecmp_group_with_weights_is_shared)
{
	struct rib_route_spec s = via("2001:db8::", 32, "fe80::1", 2, 1024);
	s.npaths = 2;
	s.path[0].weight = 3;
	s.path[1] = (struct rib_path){ .ifindex = 3, .has_gw = true, .gw = A("fe80::2"),
				       .weight = 1 };
	cr_assert_eq(rib_route_add(rib, &s, false, err), 0, "%s", err);
	const struct xrt_fib6_val *v = programmed("2001:db8::", 32);
	cr_assert(v->nh & XRT_NH_GROUP);
	uint32_t g = v->nh & ~XRT_NH_GROUP;
	cr_assert_eq(F.grp_n[g], 2);
	uint32_t wsum = F.grp_w[g][0] + F.grp_w[g][1];
	cr_assert_eq(wsum, 4);
	/* Same paths in the other order share the group. */
	struct rib_route_spec t = s;
	t.prefix = A("2001:db9::");
	t.path[0] = s.path[1];
	t.path[1] = s.path[0];
	cr_assert_eq(rib_route_add(rib, &t, false, err), 0, "%s", err);
	cr_assert_eq(programmed("2001:db9::", 32)->nh, v->nh);
	struct rib_stats st;
	rib_get_stats(rib, &st);
	cr_assert_eq(st.groups, 1);
	cr_assert_eq(st.nexthops, 2);
	/* Weighted pick: about 3/4 of flows on the weight-3 member. */
	const struct rib_route *r = rib_lookup(rib, XRT_TABLE_MAIN, &s.prefix);
	int on2 = 0;
	for (int i = 0; i < 1000; i++) {
		struct in6_addr d = A("2001:db8::");
		d.s6_addr[14] = (uint8_t)(i >> 8);
		d.s6_addr[15] = (uint8_t)i;
		struct in6_addr sa = A("2001:db8:ffff::1");
		if (rib_route_pick(r, &sa, &d)->ifindex == 2)
			on2++;
	}
	cr_assert(on2 > 650 && on2 < 850, "weight 3:1 gave %d/1000", on2);
	struct rib_match m = { 0 };
	cr_assert_eq(rib_flush(rib, &m, err), 2);
	rib_get_stats(rib, &st);
	cr_assert_eq(st.groups + st.nexthops + st.routes, 0);
	cr_assert_eq(F.grp_n[g], 0);
}

Test(rib, lookup_is_longest_prefix_match_per_table)
{
	struct rib_route_spec a = via("2001:db8::", 32, "fe80::1", 2, 1024);
	struct rib_route_spec b = via("2001:db8:1::", 48, "fe80::2", 3, 1024);
	struct rib_route_spec d = via("::", 0, "fe80::9", 2, 1024);
	d.table = 10;
	cr_assert_eq(rib_route_add(rib, &a, false, err), 0, "%s", err);
	cr_assert_eq(rib_route_add(rib, &b, false, err), 0, "%s", err);
	cr_assert_eq(rib_route_add(rib, &d, false, err), 0, "%s", err);
	struct in6_addr x = A("2001:db8:1::5");
	cr_assert_eq(rib_lookup(rib, XRT_TABLE_MAIN, &x)->nh->ifindex, 3);
	x = A("2001:db8:2::5");
	cr_assert_eq(rib_lookup(rib, XRT_TABLE_MAIN, &x)->nh->ifindex, 2);
	x = A("2001:db9::1");
	cr_assert_null(rib_lookup(rib, XRT_TABLE_MAIN, &x));
	cr_assert_not_null(rib_lookup(rib, 10, &x));
}

Test(rib, map_failure_changes_nothing)
{
	struct rib_route_spec a = via("2001:db8::", 32, "fe80::1", 2, 1024);
	F.fail_route_set = true;
	cr_assert_eq(rib_route_add(rib, &a, false, err), -ENOSPC);
	cr_assert_str_eq(err, "fib6 map is full");
	struct rib_stats st;
	rib_get_stats(rib, &st);
	cr_assert_eq(st.routes + st.nodes + st.nexthops, 0);
	for (int i = 1; i < 16; i++)
		cr_assert(!F.nh_used[i], "next hop %d left behind", i);
}

Test(rib, mark_and_sweep_keeps_identical_without_writes)
{
	struct rib_route_spec a = via("2001:db8:1::", 48, "fe80::1", 2, 1024);
	struct rib_route_spec b = via("2001:db8:2::", 48, "fe80::1", 2, 1024);
	a.origin = b.origin = RIB_ORIGIN_CONFIG;
	cr_assert_eq(rib_route_add(rib, &a, false, err), 0, "%s", err);
	cr_assert_eq(rib_route_add(rib, &b, false, err), 0, "%s", err);
	rib_mark(rib, RIB_ORIGIN_CONFIG);
	unsigned w = F.writes;
	cr_assert_eq(rib_route_add(rib, &a, true, err), 0, "%s", err);
	cr_assert_eq(F.writes, w, "identical route rewrote the map");
	cr_assert_eq(rib_sweep(rib, RIB_ORIGIN_CONFIG, err), 1);
	cr_assert_not_null(programmed("2001:db8:1::", 48));
	cr_assert_null(programmed("2001:db8:2::", 48));
}

Test(rib, link_mtu_change_reprograms_following_nexthops)
{
	struct rib_route_spec a = via("2001:db8:1::", 48, "fe80::1", 2, 1024);
	struct rib_route_spec b = via("2001:db8:2::", 48, "fe80::1", 2, 1024);
	b.mtu = 1400;
	cr_assert_eq(rib_route_add(rib, &a, false, err), 0, "%s", err);
	cr_assert_eq(rib_route_add(rib, &b, false, err), 0, "%s", err);
	F.mtu[2] = 4000;
	cr_assert_eq(rib_link_mtu_changed(rib, 2, err), 0);
	cr_assert_eq(F.nh[programmed("2001:db8:1::", 48)->nh].mtu, 4000);
	cr_assert_eq(F.nh[programmed("2001:db8:2::", 48)->nh].mtu, 1400, "route mtu kept");
	cr_assert_eq(rib_link_down(rib, 2, err), 0);
	cr_assert_eq(rib_count(rib), 0);
}

Test(rib, blackhole_has_no_nexthop)
{
	struct rib_route_spec s = { .table = XRT_TABLE_MAIN, .prefix = A("2001:db8::"),
				    .plen = 32, .type = XRT_RTN_BLACKHOLE, .metric = 1024 };
	cr_assert_eq(rib_route_add(rib, &s, false, err), 0, "%s", err);
	cr_assert_eq(programmed("2001:db8::", 32)->type, XRT_RTN_BLACKHOLE);
	cr_assert_eq(programmed("2001:db8::", 32)->nh, 0);
}

Test(rib, many_routes_grow_the_tables)
{
	for (unsigned i = 0; i < 5000; i++) {
		struct rib_route_spec s = via("2001:db8::", 48, "fe80::1", 2, 1024);
		s.prefix.s6_addr[4] = (uint8_t)(i >> 8);
		s.prefix.s6_addr[5] = (uint8_t)i;
		int rc = rib_route_add(rib, &s, false, err);
		if (rc == 0)
			continue;
		cr_assert_fail("route %u: %s", i, err);
	}
	cr_assert_eq(rib_count(rib), 5000);
	struct in6_addr x = A("2001:db8:1387::1"); /* i = 0x1387 = 4999 */
	cr_assert_not_null(rib_lookup(rib, XRT_TABLE_MAIN, &x));
}

Test(rib, link_down_shrinks_multipath_routes)
{
	struct rib_route_spec s = via("2001:db8::", 32, "fe80::1", 2, 1024);
	s.npaths = 2;
	s.path[1] = (struct rib_path){ .ifindex = 3, .has_gw = true, .gw = A("fe80::2") };
	struct rib_route_spec only2 = via("2001:db9::", 32, "fe80::1", 2, 1024);
	cr_assert_eq(rib_route_add(rib, &s, false, err), 0, "%s", err);
	cr_assert_eq(rib_route_add(rib, &only2, false, err), 0, "%s", err);
	cr_assert_eq(rib_link_down(rib, 2, err), 0, "%s", err);
	const struct xrt_fib6_val *v = programmed("2001:db8::", 32);
	cr_assert_not_null(v, "multipath route kept with its other member");
	cr_assert_eq(v->nh & XRT_NH_GROUP, 0, "now a single next hop");
	cr_assert_eq(F.nh[v->nh].ifindex, 3);
	cr_assert_null(programmed("2001:db9::", 32), "route with no member left is gone");
	struct rib_stats st;
	rib_get_stats(rib, &st);
	cr_assert_eq(st.groups, 0);
	cr_assert_eq(st.nexthops, 1);
	cr_assert_eq(st.routes, 1);
}

Test(rib, route_count_is_bounded)
{
	rib_set_max_routes(rib, 2);
	struct rib_route_spec a = via("2001:db8::", 32, "fe80::1", 2, 1);
	struct rib_route_spec b = via("2001:db8::", 32, "fe80::1", 2, 2);
	struct rib_route_spec c = via("2001:db8::", 32, "fe80::1", 2, 3);
	cr_assert_eq(rib_route_add(rib, &a, false, err), 0, "%s", err);
	cr_assert_eq(rib_route_add(rib, &b, false, err), 0, "%s", err);
	unsigned w = F.writes;
	cr_assert_eq(rib_route_add(rib, &c, false, err), -ENOSPC);
	cr_assert_str_eq(err, "routing table is full (2 routes, xrtd --max-routes)");
	cr_assert_eq(rib_routes_refused(rib), 1, "the refusal is counted");
	cr_assert_eq(F.writes, w, "nothing written");
	cr_assert_eq(rib_count(rib), 2);
	/* Replacing an existing route is not growth. */
	b.path[0].gw = A("fe80::2");
	cr_assert_eq(rib_route_add(rib, &b, true, err), 0, "%s", err);
}

Test(rib, admin_down_rebalances_groups_and_restores_on_up)
{
	F.mtu[4] = 1500;
	struct rib_route_spec s = via("2001:db8::", 32, "fe80::1", 2, 1024);
	s.npaths = 2;
	s.path[1] = (struct rib_path){ .ifindex = 3, .has_gw = true, .gw = A("fe80::2") };
	cr_assert_eq(rib_route_add(rib, &s, false, err), 0, "%s", err);
	struct rib_route_spec only = via("2001:db8:1::", 48, "fe80::1", 2, 1024);
	cr_assert_eq(rib_route_add(rib, &only, false, err), 0, "%s", err);
	/* A worse metric through another link, and a covering prefix. */
	struct rib_route_spec backup = via("2001:db8:1::", 48, "fe80::4", 4, 2048);
	cr_assert_eq(rib_route_add(rib, &backup, false, err), 0, "%s", err);
	struct rib_route_spec lone = via("2001:db8:2::", 48, "fe80::1", 2, 1024);
	cr_assert_eq(rib_route_add(rib, &lone, false, err), 0, "%s", err);
	uint32_t g = programmed("2001:db8::", 32)->nh & ~XRT_NH_GROUP;
	uint32_t nh_only = programmed("2001:db8:1::", 48)->nh;
	cr_assert_eq(F.grp_n[g], 2);

	cr_assert_eq(rib_link_set_up(rib, 2, false, err), 0, "%s", err);
	/* The group keeps only the member on link 3, in place. */
	cr_assert_eq(programmed("2001:db8::", 32)->nh, XRT_NH_GROUP | g);
	cr_assert_eq(F.grp_n[g], 1);
	cr_assert_eq(F.nh[F.grp_ids[g][0]].ifindex, 3);
	/* The dead route gives way to the metric 2048 one... */
	cr_assert_eq(F.nh[programmed("2001:db8:1::", 48)->nh].ifindex, 4);
	/* ...and a prefix with no live route behaves as no route: the /32
	 * (whose group is alive) answers for it. */
	cr_assert_null(programmed("2001:db8:2::", 48));
	struct in6_addr x = A("2001:db8:2::9");
	const struct rib_route *r = rib_lookup(rib, XRT_TABLE_MAIN, &x);
	cr_assert_not_null(r);
	cr_assert_eq(r->node->plen, 32);
	for (int i = 0; i < 64; i++) {
		x.s6_addr[15] = (uint8_t)i;
		cr_assert_eq(rib_route_pick(r, &x, &x)->ifindex, 3, "stack picks a dead member");
	}
	/* The routes stay in the RIB; a new next hop on the down link is dead. */
	cr_assert_eq(rib_count(rib), 4);
	struct rib_route_spec late = via("2001:db8:3::", 48, "fe80::7", 2, 1024);
	cr_assert_eq(rib_route_add(rib, &late, false, err), 0, "%s", err);
	cr_assert_null(programmed("2001:db8:3::", 48));

	cr_assert_eq(rib_link_set_up(rib, 2, true, err), 0, "%s", err);
	cr_assert_eq(F.grp_n[g], 2);
	cr_assert_eq(programmed("2001:db8:1::", 48)->nh, nh_only);
	cr_assert_not_null(programmed("2001:db8:2::", 48));
	cr_assert_not_null(programmed("2001:db8:3::", 48));
	/* Deleting a route while its link is down works, and a deleted device
	 * forgets its down state. */
	cr_assert_eq(rib_link_set_up(rib, 2, false, err), 0, "%s", err);
	struct in6_addr p = A("2001:db8:2::");
	cr_assert_eq(rib_route_del(rib, XRT_TABLE_MAIN, &p, 48, NULL, err), 0, "%s", err);
	cr_assert_null(programmed("2001:db8:2::", 48));
	cr_assert_eq(rib_link_down(rib, 2, err), 0, "%s", err);
	cr_assert_eq(rib_route_add(rib, &lone, false, err), 0, "%s", err);
	cr_assert_not_null(programmed("2001:db8:2::", 48), "a re-created device starts up");
}

static int collect_gw_ids(const struct rib_nh *h, void *arg)
{
	uint32_t *ids = arg;
	ids[ids[0]++ + 1] = h->id;
	return 0;
}

/* A neighbour change refreshes exactly the next hops whose gateway it is:
 * every MTU variant on that device, not another device's nor a connected
 * one; a next hop's last route gone takes it out of the index. */
Test(rib, nexthops_by_gateway_follow_their_routes)
{
	struct rib_route_spec a = via("2001:db8:1::", 48, "fe80::1", 2, 1024);
	struct rib_route_spec b = via("2001:db8:2::", 48, "fe80::1", 2, 1024);
	struct rib_route_spec c = via("2001:db8:3::", 48, "fe80::1", 3, 1024);
	struct rib_route_spec d = via("2001:db8:4::", 48, NULL, 2, 1024);
	b.mtu = 1400;
	cr_assert_eq(rib_route_add(rib, &a, false, err), 0, "%s", err);
	cr_assert_eq(rib_route_add(rib, &b, false, err), 0, "%s", err);
	cr_assert_eq(rib_route_add(rib, &c, false, err), 0, "%s", err);
	cr_assert_eq(rib_route_add(rib, &d, false, err), 0, "%s", err);
	uint32_t ida = programmed("2001:db8:1::", 48)->nh, idb = programmed("2001:db8:2::", 48)->nh;
	cr_assert_neq(ida, idb, "another mtu is another next hop");

	struct in6_addr gw = A("fe80::1"), any = in6addr_any;
	uint32_t ids[8] = { 0 };
	cr_assert_eq(rib_nh_foreach_gw(rib, 2, &gw, collect_gw_ids, ids), 0);
	cr_assert_eq(ids[0], 2);
	cr_assert((ids[1] == ida && ids[2] == idb) || (ids[1] == idb && ids[2] == ida));
	memset(ids, 0, sizeof(ids));
	cr_assert_eq(rib_nh_foreach_gw(rib, 2, &any, collect_gw_ids, ids), 0);
	cr_assert_eq(ids[0], 0, "connected next hops have no gateway");

	struct in6_addr p = A("2001:db8:2::");
	cr_assert_eq(rib_route_del(rib, XRT_TABLE_MAIN, &p, 48, NULL, err), 0, "%s", err);
	memset(ids, 0, sizeof(ids));
	cr_assert_eq(rib_nh_foreach_gw(rib, 2, &gw, collect_gw_ids, ids), 0);
	cr_assert_eq(ids[0], 1);
	cr_assert_eq(ids[1], ida);
	memset(ids, 0, sizeof(ids));
	cr_assert_eq(rib_nh_foreach_gw(rib, 3, &gw, collect_gw_ids, ids), 0);
	cr_assert_eq(ids[0], 1, "device 3's own next hop");
	cr_assert_eq(rib_link_down(rib, 3, err), 0, "%s", err);
	memset(ids, 0, sizeof(ids));
	cr_assert_eq(rib_nh_foreach_gw(rib, 3, &gw, collect_gw_ids, ids), 0);
	cr_assert_eq(ids[0], 0, "gone with its routes");
}

Test(rib, table_counts_count_every_metric_per_table)
{
	struct rib_route_spec a = via("2001:db8::", 32, "fe80::1", 2, 1024);
	struct rib_route_spec a2 = via("2001:db8::", 32, "fe80::2", 2, 2048);
	struct rib_route_spec b = via("2001:db8:1::", 48, "fe80::2", 3, 1024);
	struct rib_route_spec d = via("::", 0, "fe80::9", 2, 1024);
	d.table = 10;
	cr_assert_eq(rib_route_add(rib, &a, false, err), 0, "%s", err);
	cr_assert_eq(rib_route_add(rib, &a2, false, err), 0, "%s", err);
	cr_assert_eq(rib_route_add(rib, &b, false, err), 0, "%s", err);
	cr_assert_eq(rib_route_add(rib, &d, false, err), 0, "%s", err);
	struct rib_table_count t[4];
	size_t n = rib_table_counts(rib, t, 4);
	cr_assert_eq(n, 2);
	size_t main_routes = t[0].table == XRT_TABLE_MAIN ? t[0].routes : t[1].routes;
	size_t ten = t[0].table == 10 ? t[0].routes : t[1].routes;
	cr_assert_eq(main_routes, 3, "two metrics of one prefix and another prefix");
	cr_assert_eq(ten, 1);
	cr_assert_eq(rib_table_counts(rib, t, 1), 1, "tables beyond max are left out");
}

/* IPv4 below the CLI: mapped prefixes, length + 96 (include/xrt/inet.h). */
#define V4(plen) ((plen) + XRT_V4_PLEN_OFFSET)

Test(rib, ipv4_lookup_never_matches_an_ipv6_prefix)
{
	/* An IPv6 default and ::/64 cover ::ffff:0:0/96 as bits, not as IPv4. */
	struct rib_route_spec d6 = via("::", 0, "fe80::1", 2, 1024);
	struct rib_route_spec z6 = via("::", 64, "fe80::2", 2, 1024);
	cr_assert_eq(rib_route_add(rib, &d6, false, err), 0, "%s", err);
	cr_assert_eq(rib_route_add(rib, &z6, false, err), 0, "%s", err);
	struct in6_addr d = A("::ffff:10.9.1.1");
	cr_assert_null(rib_lookup(rib, XRT_TABLE_MAIN, &d), "IPv6's default routed IPv4");
	cr_assert_null(rib_fib_lookup(rib, XRT_TABLE_MAIN, &d));
	/* The IPv4 default matches IPv4 only. */
	struct rib_route_spec d4 = via("::ffff:0.0.0.0", V4(0), "::ffff:10.2.0.2", 2, 0);
	cr_assert_eq(rib_route_add(rib, &d4, false, err), 0, "%s", err);
	const struct rib_route *rt = rib_lookup(rib, XRT_TABLE_MAIN, &d);
	cr_assert_not_null(rt);
	cr_assert_eq(rt->node->plen, V4(0));
	struct in6_addr d6a = A("2001:db8::1");
	rt = rib_lookup(rib, XRT_TABLE_MAIN, &d6a);
	cr_assert_not_null(rt);
	cr_assert_eq(rt->node->plen, 0, "IPv6 still takes IPv6's default");
	d6a = A("::1:2");
	cr_assert_eq(rib_lookup(rib, XRT_TABLE_MAIN, &d6a)->node->plen, 64,
		     "an IPv6 address of ::/64 is not IPv4's");
	/* Longest match within IPv4. */
	struct rib_route_spec p4 = via("::ffff:10.9.0.0", V4(16), "::ffff:10.2.0.3", 2, 0);
	cr_assert_eq(rib_route_add(rib, &p4, false, err), 0, "%s", err);
	cr_assert_eq(rib_lookup(rib, XRT_TABLE_MAIN, &d)->node->plen, V4(16));
}

Test(rib, ipv4_local_table_first_as_fib_lookup)
{
	struct rib_route_spec c = via("::ffff:10.1.0.0", V4(24), NULL, 2, 0);
	struct rib_route_spec l = {
		.table = RIB_TABLE_LOCAL, .prefix = A("::ffff:10.1.0.1"), .plen = 128,
		.type = XRT_RTN_LOCAL,
	};
	struct rib_route_spec b = l;
	b.prefix = A("::ffff:10.1.0.255");
	b.type = XRT_RTN_BROADCAST;
	cr_assert_eq(rib_route_add(rib, &c, false, err), 0, "%s", err);
	cr_assert_eq(rib_route_add(rib, &l, false, err), 0, "%s", err);
	cr_assert_eq(rib_route_add(rib, &b, false, err), 0, "%s", err);
	cr_assert_eq(rib_fib_lookup(rib, XRT_TABLE_MAIN, &l.prefix)->type, XRT_RTN_LOCAL);
	cr_assert_eq(rib_fib_lookup(rib, XRT_TABLE_MAIN, &b.prefix)->type, XRT_RTN_BROADCAST);
	cr_assert_eq(rib_lookup(rib, XRT_TABLE_MAIN, &b.prefix)->type, XRT_RTN_UNICAST,
		     "table main alone: the connected prefix");
	struct in6_addr other = A("::ffff:10.1.0.7");
	cr_assert_eq(rib_fib_lookup(rib, XRT_TABLE_MAIN, &other)->type, XRT_RTN_UNICAST);
	cr_assert_eq(programmed("::ffff:10.1.0.255", 128), NULL, "not in table main");
	struct fake_fib *e = fake_find(RIB_TABLE_LOCAL, b.prefix.s6_addr, 128);
	cr_assert_not_null(e);
	cr_assert_eq(e->v.type, XRT_RTN_BROADCAST);
	cr_assert_eq(e->v.nh, 0, "broadcast has no next hop");
}

Test(rib, families_of_prefix_and_gateway_agree)
{
	struct rib_route_spec s = via("2001:db8::", 32, "::ffff:10.2.0.2", 2, 1024);
	cr_assert_eq(rib_route_add(rib, &s, false, err), -EINVAL);
	cr_assert_str_eq(err, "gateway 10.2.0.2 is not of the route's family (IPv6)");
	s = via("::ffff:10.9.0.0", V4(16), "fe80::1", 2, 0);
	cr_assert_eq(rib_route_add(rib, &s, false, err), -EINVAL);
	cr_assert_str_eq(err, "gateway fe80::1 is not of the route's family (IPv4)");
	s = via("2001:db8::", 32, NULL, 0, 1024);
	s.type = XRT_RTN_BROADCAST;
	s.npaths = 0;
	cr_assert_eq(rib_route_add(rib, &s, false, err), -EINVAL);
	cr_assert_str_eq(err, "broadcast routes are IPv4's");
	s = via("::ffff:10.9.0.1", V4(16), "::ffff:10.2.0.2", 2, 0);
	cr_assert_eq(rib_route_add(rib, &s, false, err), -EINVAL);
	cr_assert_str_eq(err, "10.9.0.1/16 has host bits set");
	cr_assert_eq(rib_count(rib), 0);
}

Test(rib, flush_by_family)
{
	struct rib_route_spec a = via("2001:db8::", 32, "fe80::1", 2, 1024);
	struct rib_route_spec b = via("::ffff:10.9.0.0", V4(16), "::ffff:10.2.0.2", 2, 0);
	cr_assert_eq(rib_route_add(rib, &a, false, err), 0, "%s", err);
	cr_assert_eq(rib_route_add(rib, &b, false, err), 0, "%s", err);
	cr_assert_eq(rib_flush(rib, &(struct rib_match){ .family = AF_INET }, err), 1);
	cr_assert_null(programmed("::ffff:10.9.0.0", V4(16)));
	cr_assert_not_null(programmed("2001:db8::", 32));
	cr_assert_eq(rib_flush(rib, &(struct rib_match){ .family = AF_INET6 }, err), 1);
	cr_assert_eq(rib_count(rib), 0);
}

/* Source-specific routes: (dst, src) is the key; the lookup is the
 * kernel's (longest dst, then longest src, backtracking past a dst whose
 * sources do not match and whose own plain route is then unused). */
static struct rib_route_spec via_from(const char *pfx, unsigned plen, const char *src,
				      unsigned splen, const char *gw)
{
	struct rib_route_spec s = via(pfx, plen, gw, 2, 1024);
	s.src = A(src);
	s.src_plen = splen;
	return s;
}

static const char *gw_of(const char *dst, const char *src)
{
	static char buf[INET6_ADDRSTRLEN];
	struct in6_addr d = A(dst), s = A(src);
	const struct rib_route *rt = rib_lookup_src(rib, XRT_TABLE_MAIN, &d, &s);
	return rt && rt->nh ? inet_ntop(AF_INET6, &rt->nh->gw, buf, sizeof(buf)) : "none";
}

Test(rib, source_routes_kernel_lookup_and_fallback)
{
	struct rib_route_spec v[] = {
		via_from("::", 0, "2001:db8:1::", 48, "fe80::1"),
		via_from("::", 0, "2001:db8:2::", 48, "fe80::2"),
		via_from("::", 0, "::", 0, "fe80::3"),
		via_from("2001:db8:100::", 48, "2001:db8:2::", 48, "fe80::5"),
		via_from("2001:db8:100::", 48, "::", 0, "fe80::6"),
	};
	for (unsigned i = 0; i < 5; i++)
		cr_assert_eq(rib_route_add(rib, &v[i], false, err), 0, "%u: %s", i, err);
	cr_assert_eq(src_routes, 3);
	cr_assert_str_eq(gw_of("2001:db8:200::1", "2001:db8:1::9"), "fe80::1");
	cr_assert_str_eq(gw_of("2001:db8:200::1", "2001:db8:2::9"), "fe80::2");
	cr_assert_str_eq(gw_of("2001:db8:200::1", "2001:db8:3::9"), "fe80::3");
	cr_assert_str_eq(gw_of("2001:db8:100::1", "2001:db8:2::9"), "fe80::5");
	cr_assert_str_eq(gw_of("2001:db8:100::1", "2001:db8:1::9"), "fe80::1");
	cr_assert_str_eq(gw_of("2001:db8:100::1", "2001:db8:3::9"), "fe80::3");
	/* Same (dst, src, metric): EEXIST naming the source; replace works. */
	struct rib_route_spec dup = via_from("::", 0, "2001:db8:1::", 48, "fe80::7");
	cr_assert_eq(rib_route_add(rib, &dup, false, err), -EEXIST);
	cr_assert(strstr(err, "from 2001:db8:1::/48"), "%s", err);
	cr_assert_eq(rib_route_add(rib, &dup, true, err), 0, "%s", err);
	cr_assert_str_eq(gw_of("2001:db8:200::1", "2001:db8:1::9"), "fe80::7");
	/* A delete without a source is the plain route's. */
	struct rib_match plain = { 0 };
	struct in6_addr p100 = A("2001:db8:100::"), s2 = A("2001:db8:2::");
	cr_assert_eq(rib_route_del(rib, XRT_TABLE_MAIN, &p100, 48, &plain, err), 0, "%s", err);
	cr_assert_str_eq(gw_of("2001:db8:100::1", "2001:db8:2::9"), "fe80::5");
	cr_assert_eq(rib_route_add(rib, &v[4], false, err), 0, "%s", err);
	/* Deleting the dst's only source route brings its plain route back. */
	struct rib_match m = { .has_src = true, .src = s2, .src_plen = 48 };
	cr_assert_eq(rib_route_del(rib, XRT_TABLE_MAIN, &p100, 48, &m, err), 0, "%s", err);
	cr_assert_str_eq(gw_of("2001:db8:100::1", "2001:db8:3::9"), "fe80::6");
	cr_assert_str_eq(gw_of("2001:db8:100::1", "2001:db8:2::9"), "fe80::6");
	cr_assert_eq(src_dels, 1);
}

Test(rib, source_routes_refused_inputs_and_bound)
{
	struct rib_route_spec s = via_from("2001:db8:100::", 48, "2001:db8:1::1", 48, "fe80::1");
	cr_assert_eq(rib_route_add(rib, &s, false, err), -EINVAL);
	cr_assert_str_eq(err, "from: 2001:db8:1::1/48 has host bits set");
	s = via_from("2001:db8:100::", 48, "::ffff:10.0.0.0", 104, "fe80::1");
	cr_assert_eq(rib_route_add(rib, &s, false, err), -EINVAL);
	cr_assert(strstr(err, "from: source-specific routes are IPv6's"), "%s", err);
	cr_assert_eq(rib_count(rib), 0);
	char d[64];
	for (unsigned i = 0; i < XRT_FIB6_SUBTREES; i++) {
		snprintf(d, sizeof(d), "2001:db8:%x::", 0x100 + i);
		s = via_from(d, 48, "2001:db8:1::", 48, "fe80::1");
		cr_assert_eq(rib_route_add(rib, &s, false, err), 0, "%s", err);
	}
	s = via_from("2001:db8:999::", 48, "2001:db8:1::", 48, "fe80::1");
	cr_assert_eq(rib_route_add(rib, &s, false, err), -ENOSPC);
	cr_assert(strstr(err, "from: at most"), "%s", err);
	cr_assert_eq(rib_subtrees_refused(rib), 1);
	cr_assert_eq(rib_count(rib), XRT_FIB6_SUBTREES);
	/* Another source of a destination that has some is no new subtree,
	 * up to XRT_FIB6_SUBTREE_ROUTES sources. */
	for (unsigned i = 1; i < XRT_FIB6_SUBTREE_ROUTES; i++) {
		char src[64];
		snprintf(src, sizeof(src), "2001:db8:%x::", 0x1000 + i);
		s = via_from("2001:db8:100::", 48, src, 48, "fe80::1");
		cr_assert_eq(rib_route_add(rib, &s, false, err), 0, "%u: %s", i, err);
	}
	s = via_from("2001:db8:100::", 48, "2001:db8:2::", 48, "fe80::1");
	cr_assert_eq(rib_route_add(rib, &s, false, err), -ENOSPC);
	cr_assert_str_eq(err, "from: at most 256 source prefixes per destination");
	cr_assert_eq(rib_subtrees_refused(rib), 2);
}

/* Refused source routes hand their destination to the kernel and wait;
 * a deleted source route makes room, the waiting one goes in, the
 * destination comes back; a waiting route can be deleted. */
Test(rib, refused_source_routes_wait_and_pass)
{
	struct rib_route_spec s;
	struct rib_src_pass v[XRT_FIB6_SRC_PASS];
	struct rib_src_pass_stats st;
	char d[64];

	for (unsigned i = 0; i < XRT_FIB6_SUBTREES; i++) {
		snprintf(d, sizeof(d), "2001:db8:%x::", 0x100 + i);
		s = via_from(d, 48, "2001:db8:1::", 48, "fe80::1");
		cr_assert_eq(rib_route_add(rib, &s, false, err), 0, "%s", err);
	}
	struct rib_route_spec w1 = via_from("2001:db8:999::", 48, "2001:db8:1::", 48, "fe80::1"),
			      w2 = via_from("2001:db8:999::", 48, "2001:db8:2::", 48, "fe80::1"),
			      w3 = via_from("2001:db8:998::", 48, "2001:db8:1::", 48, "fe80::1");
	cr_assert_eq(rib_route_add(rib, &w1, false, err), -ENOSPC);
	cr_assert_eq(rib_route_add(rib, &w2, false, err), -ENOSPC);
	cr_assert_eq(rib_route_add(rib, &w3, false, err), -ENOSPC);
	cr_assert_eq(pass_on, 2, "one pass per destination");
	cr_assert_eq(rib_src_passed(rib, v, XRT_FIB6_SRC_PASS), 2);
	cr_assert_eq(v[0].plen, 48);
	cr_assert_eq(v[0].waiting, 2);
	rib_src_pass_stats(rib, &st);
	cr_assert_eq(st.passed, 2);
	cr_assert_eq(st.waiting, 3);
	cr_assert_eq(st.subtrees, XRT_FIB6_SUBTREES);
	/* Room for one destination: 2001:db8:999:: gets both its routes. */
	struct in6_addr p, s1;
	inet_pton(AF_INET6, "2001:db8:100::", &p);
	inet_pton(AF_INET6, "2001:db8:1::", &s1);
	struct rib_match m = { .has_src = true, .src = s1, .src_plen = 48 };
	cr_assert_eq(rib_route_del(rib, XRT_TABLE_MAIN, &p, 48, &m, err), 0, "%s", err);
	cr_assert_not_null(rib_node_find_src(rib, XRT_TABLE_MAIN, &w1.prefix, 48, &w1.src, 48));
	cr_assert_not_null(rib_node_find_src(rib, XRT_TABLE_MAIN, &w2.prefix, 48, &w2.src, 48));
	cr_assert_eq(pass_off, 1);
	cr_assert_eq(rib_src_passed(rib, v, XRT_FIB6_SRC_PASS), 1);
	cr_assert(!memcmp(&v[0].prefix, &w3.prefix, 16));
	/* Deleting the waiting route takes its destination back. */
	cr_assert_eq(rib_route_del(rib, XRT_TABLE_MAIN, &w3.prefix, 48, &m, err), 0, "%s", err);
	cr_assert_eq(pass_off, 2);
	cr_assert_eq(rib_src_passed(rib, v, XRT_FIB6_SRC_PASS), 0);
	rib_src_pass_stats(rib, &st);
	cr_assert_eq(st.waiting, 0);
	cr_assert_eq(st.refused, 3);
}
