/* xrt BPF tests: dataplane/ refuses bad values (clear error, map unchanged),
 * reads back, flushes leftovers, attaches and tells its program from
 * another's, shares pins with `ip link`, and hands punts to a real XSK. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <xdp/xsk.h>

#include "harness.h"
#include "xrt/ip4_proto.h"
#include "xrt/proto.h"
#include "xrt/punt.h"

TestSuite(bpfmaps, .init = xt_setup, .fini = xt_teardown);

static uint32_t route_count(uint32_t table)
{
	char err[XRT_ERR_LEN] = "";
	uint32_t n = ~0u;

	cr_assert_eq(xrt_maps_route_count(&M, table, &n, err), 0, "%s", err);
	return n;
}

static unsigned count_keys(int fd, size_t key_size)
{
	uint8_t key[64], next[64];
	void *prev = NULL;
	unsigned n = 0;

	cr_assert(key_size <= sizeof(key));
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, key_size);
		prev = key;
		n++;
	}
	return n;
}

/* rc < 0 and err names the offending field. */
#define expect_refused(call, word)                                             \
	do {                                                                   \
		char err[XRT_ERR_LEN] = "";                                    \
		int rc_ = (call);                                              \
		cr_assert_lt(rc_, 0, "%s accepted", #call);                    \
		cr_assert(strstr(err, word), "error \"%s\" should name %s",    \
			  err, word);                                          \
	} while (0)

Test(bpfmaps, route_refusals_leave_fib_unchanged)
{
	struct xrt_fib6_val uni = { .type = XRT_RTN_UNICAST, .nh = 1 };
	struct xrt_fib6_val bad;
	uint8_t a[16];

	xt_addr("2001:db8::", a);
	expect_refused(xrt_maps_route_set(&M, 254, a, 129, &uni, err), "prefix length");
	expect_refused(xrt_maps_route_set(&M, 256, a, 48, &uni, err), "table");
	bad = (struct xrt_fib6_val){ .type = 3 };
	expect_refused(xrt_maps_route_set(&M, 254, a, 48, &bad, err), "route type");
	bad = (struct xrt_fib6_val){ .type = 99 };
	expect_refused(xrt_maps_route_set(&M, 254, a, 48, &bad, err), "route type");
	bad = (struct xrt_fib6_val){ .type = XRT_RTN_UNICAST, .nh = 0 };
	expect_refused(xrt_maps_route_set(&M, 254, a, 48, &bad, err), "nexthop");
	bad.nh = XRT_MAX_NEXTHOPS;
	expect_refused(xrt_maps_route_set(&M, 254, a, 48, &bad, err), "nexthop");
	bad.nh = XRT_NH_GROUP;
	expect_refused(xrt_maps_route_set(&M, 254, a, 48, &bad, err), "group");
	bad.nh = XRT_NH_GROUP | XRT_MAX_NH_GROUPS;
	expect_refused(xrt_maps_route_set(&M, 254, a, 48, &bad, err), "group");
	bad = (struct xrt_fib6_val){ .type = XRT_RTN_BLACKHOLE, .nh = 1 };
	expect_refused(xrt_maps_route_set(&M, 254, a, 48, &bad, err), "nexthop");
	expect_refused(xrt_maps_route_set(&M, 254, NULL, 48, &uni, err), "prefix");
	cr_assert_eq(route_count(254), 0);
	expect_refused(xrt_maps_route_del(&M, 254, a, 48, err), "no such");
}

Test(bpfmaps, route_prefix_is_canonical)
{
	struct xrt_fib6_val v = { .type = XRT_RTN_BLACKHOLE };
	struct xrt_iface ifv = { .slot = 1, .mtu = 1500, .table = 254,
				 .flags = XRT_IF_F_FORWARDING };
	char err[XRT_ERR_LEN];
	struct xt_pkt p;
	struct xt_result r;
	uint8_t a[16];

	/* Host bits beyond /33 are ignored: 2001:db8:8000::/33. */
	memcpy(ifv.mac, MAC_A, 6); /* xt_ip6 frames are addressed to MAC_A */
	cr_assert_eq(xrt_maps_iface_set(&M, if_a, &ifv, err), 0, "%s", err);
	xt_addr("2001:db8:ffff::1", a);
	cr_assert_eq(xrt_maps_route_set(&M, 254, a, 33, &v, err), 0, "%s", err);
	cr_assert_eq(route_count(254), 1);
	xt_ip6(&p, "2001:db8::1", "2001:db8:8000::1", 64, NEXTHDR_UDP, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_DROP, "inside the /33: blackhole");
	xt_ip6(&p, "2001:db8::1", "2001:db8:7fff::1", 64, NEXTHDR_UDP, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_PASS, "outside the /33: no route (punt fallback)");
	/* Delete with other host bits finds the same route. */
	xt_addr("2001:db8:8001::", a);
	cr_assert_eq(xrt_maps_route_del(&M, 254, a, 33, err), 0, "%s", err);
	cr_assert_eq(route_count(254), 0);
	xt_ip6(&p, "2001:db8::1", "2001:db8:8000::1", 64, NEXTHDR_UDP, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_PASS, "route gone: no route");
}

Test(bpfmaps, tables_are_separate)
{
	struct xrt_fib6_val v = { .type = XRT_RTN_BLACKHOLE };
	struct xrt_iface ifv = { .slot = 1, .mtu = 1500, .table = 10,
				 .flags = XRT_IF_F_FORWARDING };
	struct xt_pkt p;
	struct xt_result r;
	char err[XRT_ERR_LEN];
	uint8_t a[16];

	/* Default route in table 254 only; ingress uses table 10: no route. */
	memset(a, 0, sizeof(a));
	cr_assert_eq(xrt_maps_route_set(&M, 254, a, 0, &v, err), 0, "%s", err);
	memcpy(ifv.mac, MAC_A, 6);
	cr_assert_eq(xrt_maps_iface_set(&M, if_a, &ifv, err), 0, "%s", err);
	xt_ip6(&p, "2001:db8::1", "2001:db8:1::1", 64, NEXTHDR_UDP, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_PASS, "no route in table 10: punt (fallback)");
	cr_assert_eq(xrt_maps_route_set(&M, 10, a, 0, &v, err), 0, "%s", err);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_DROP, "table 10 default: blackhole");
}

Test(bpfmaps, nexthop_refusals_leave_array_unchanged)
{
	struct xrt_nh ok = { .ifindex = (uint32_t)if_b, .mtu = 1500,
			     .flags = XRT_NH_F_VALID | XRT_NH_F_CONNECTED };
	struct xrt_nh v, got, zero = { 0 };
	uint32_t id = 7;

	expect_refused(xrt_maps_nh_set(&M, 0, &ok, err), "nexthop 0");
	expect_refused(xrt_maps_nh_set(&M, XRT_MAX_NEXTHOPS, &ok, err), "nexthop");
	v = ok;
	v.mtu = IP4_MIN_MTU - 1; /* RFC 791: below any link */
	expect_refused(xrt_maps_nh_set(&M, id, &v, err), "mtu");
	v = ok;
	v.ifindex = 0;
	expect_refused(xrt_maps_nh_set(&M, id, &v, err), "ifindex");
	v = ok;
	v.flags |= 0x100;
	expect_refused(xrt_maps_nh_set(&M, id, &v, err), "flags");
	v = ok;
	v.flags = XRT_NH_F_VALID; /* via a gateway, but gw is :: */
	expect_refused(xrt_maps_nh_set(&M, id, &v, err), "gateway");
	cr_assert_eq(bpf_map_lookup_elem(M.nh, &id, &got), 0);
	cr_assert_arr_eq(&got, &zero, sizeof(got));
	expect_refused(xrt_maps_nh_del(&M, 0, err), "nexthop");
}

Test(bpfmaps, group_refusals_and_bucket_fill)
{
	uint32_t ids[3] = { 6, 7, 8 }, w[3] = { 1, 3, 0 }, zero_w[2] = { 0, 0 };
	uint32_t big_w[3] = { 256, 256, 1 }, bad_ids[2] = { 6, 0 }, gid = 5;
	struct xrt_nh_grp *g = calloc(1, sizeof(*g));
	unsigned i, c[3] = { 0 };
	char err[XRT_ERR_LEN];

	expect_refused(xrt_maps_grp_set(&M, gid, ids, zero_w, 2, err), "weight");
	expect_refused(xrt_maps_grp_set(&M, gid, ids, w, 3, err), "weight 0");
	expect_refused(xrt_maps_grp_set(&M, gid, ids, w, 0, err), "members");
	expect_refused(xrt_maps_grp_set(&M, gid, bad_ids, w, 2, err), "member");
	expect_refused(xrt_maps_grp_set(&M, 0, ids, w, 2, err), "group 0");
	expect_refused(xrt_maps_grp_set(&M, XRT_MAX_NH_GROUPS, ids, w, 2, err), "group");
	cr_assert_eq(bpf_map_lookup_elem(M.nh_grp, &gid, g), 0);
	cr_assert_eq(g->nbuckets, 0, "refused group left unchanged");

	/* Weights 1:3 fit: four buckets, replicated exactly. */
	cr_assert_eq(xrt_maps_grp_set(&M, gid, ids, w, 2, err), 0, "%s", err);
	cr_assert_eq(bpf_map_lookup_elem(M.nh_grp, &gid, g), 0);
	cr_assert_eq(g->nbuckets, 4);
	cr_assert_eq(g->bucket[0], 6);
	cr_assert(g->bucket[1] == 7 && g->bucket[2] == 7 && g->bucket[3] == 7);

	/* 256:256:1 does not fit: 256 buckets shared, nobody starved. */
	cr_assert_eq(xrt_maps_grp_set(&M, gid, ids, big_w, 3, err), 0, "%s", err);
	cr_assert_eq(bpf_map_lookup_elem(M.nh_grp, &gid, g), 0);
	cr_assert_eq(g->nbuckets, XRT_ECMP_BUCKETS);
	for (i = 0; i < g->nbuckets; i++)
		c[g->bucket[i] - 6]++;
	cr_assert(c[0] >= 126 && c[1] >= 126 && c[2] >= 1, "%u %u %u", c[0], c[1],
		  c[2]);
	cr_assert_eq(c[0] + c[1] + c[2], XRT_ECMP_BUCKETS);
	free(g);
}

Test(bpfmaps, iface_refusals_leave_map_unchanged)
{
	struct xrt_iface ok = { .slot = 1, .mtu = 1500, .table = 254,
				.flags = XRT_IF_F_FORWARDING };
	struct xrt_iface v;
	char err[XRT_ERR_LEN];

	v = ok;
	v.slot = 0;
	expect_refused(xrt_maps_iface_set(&M, if_a, &v, err), "slot");
	v.slot = XRT_MAX_IFACES;
	expect_refused(xrt_maps_iface_set(&M, if_a, &v, err), "slot");
	v = ok;
	v.mtu = 1000;
	expect_refused(xrt_maps_iface_set(&M, if_a, &v, err), "mtu");
	v = ok;
	v.table = XRT_MAX_TABLES;
	expect_refused(xrt_maps_iface_set(&M, if_a, &v, err), "table");
	v = ok;
	v.flags = 0x80;
	expect_refused(xrt_maps_iface_set(&M, if_a, &v, err), "flags");
	v = ok;
	v.xsk_base = XRT_MAX_XSKS;
	expect_refused(xrt_maps_iface_set(&M, if_a, &v, err), "xsk_base");
	expect_refused(xrt_maps_iface_set(&M, 0, &ok, err), "ifindex");
	expect_refused(xrt_maps_iface_set(&M, 99999, &ok, err), "no such interface");
	cr_assert_eq(count_keys(M.ifaces, 4), 0);

	cr_assert_eq(xrt_maps_iface_set(&M, if_a, &ok, err), 0, "%s", err);
	expect_refused(xrt_maps_iface_set(&M, if_b, &ok, err), "slot 1");
	cr_assert_eq(count_keys(M.ifaces, 4), 1);
	/* Updating an interface in place keeps its slot. */
	cr_assert_eq(xrt_maps_iface_set(&M, if_a, &ok, err), 0, "%s", err);
	cr_assert_eq(xrt_maps_iface_del(&M, if_a, err), 0, "%s", err);
	expect_refused(xrt_maps_iface_del(&M, if_a, err), "no such");
}

/* Every attached interface is a port of the devmap, {ifindex} -> {ifindex};
 * a refused interface is not; removing the interface removes the port. */
Test(bpfmaps, iface_fills_devmap)
{
	struct xrt_iface ok = { .slot = 1, .mtu = 1500, .table = 254,
				.flags = XRT_IF_F_FORWARDING };
	struct bpf_devmap_val port;
	uint32_t a = (uint32_t)if_a, b = (uint32_t)if_b;
	char err[XRT_ERR_LEN];

	cr_assert_geq(M.tx_ports, 0);
	cr_assert_eq(count_keys(M.tx_ports, 4), 0);
	cr_assert_eq(xrt_maps_iface_set(&M, if_a, &ok, err), 0, "%s", err);
	expect_refused(xrt_maps_iface_set(&M, if_b, &ok, err), "slot 1");
	cr_assert_eq(count_keys(M.tx_ports, 4), 1, "the refused xfb is no port");
	memset(&port, 0xff, sizeof(port));
	cr_assert_eq(bpf_map_lookup_elem(M.tx_ports, &a, &port), 0);
	cr_assert_eq(port.ifindex, a);
	cr_assert_eq(port.bpf_prog.id, 0, "no second program on the port");

	ok.slot = 2;
	cr_assert_eq(xrt_maps_iface_set(&M, if_b, &ok, err), 0, "%s", err);
	cr_assert_eq(bpf_map_lookup_elem(M.tx_ports, &b, &port), 0);
	cr_assert_eq(port.ifindex, b);
	cr_assert_eq(xrt_maps_iface_del(&M, if_a, err), 0, "%s", err);
	cr_assert_neq(bpf_map_lookup_elem(M.tx_ports, &a, &port), 0);
	cr_assert_eq(count_keys(M.tx_ports, 4), 1);
	/* A port already gone (device unregistered) is not an error. */
	cr_assert_eq(bpf_map_delete_elem(M.tx_ports, &b), 0);
	cr_assert_eq(xrt_maps_iface_del(&M, if_b, err), 0, "%s", err);
	cr_assert_eq(count_keys(M.ifaces, 4), 0);
}

Test(bpfmaps, neigh_xsk_punt_stats_refusals)
{
	struct xrt_punt_cfg cfg = { .rate_pps = 100, .burst = 0 };
	struct xrt_stats st;
	uint8_t a[16], mc[16], mac[6] = { 2, 0, 0, 0, 0, 1 };

	xt_addr("fe80::1", a);
	xt_addr("ff02::1", mc);
	expect_refused(xrt_maps_neigh_set(&M, if_b, a, mac, 0, err), "state");
	expect_refused(xrt_maps_neigh_set(&M, if_b, a, mac,
					  XRT_NUD_REACHABLE | XRT_NUD_STALE, err),
		       "state");
	expect_refused(xrt_maps_neigh_set(&M, if_b, a, mac, 0x100, err), "state");
	expect_refused(xrt_maps_neigh_set(&M, if_b, mc, mac, XRT_NUD_REACHABLE, err),
		       "multicast");
	expect_refused(xrt_maps_neigh_set(&M, 0, a, mac, XRT_NUD_REACHABLE, err),
		       "ifindex");
	cr_assert_eq(count_keys(M.neigh6, sizeof(struct xrt_neigh6_key)), 0);
	expect_refused(xrt_maps_neigh_del(&M, if_b, a, err), "no such");

	expect_refused(xrt_maps_xsk_set(&M, XRT_MAX_XSKS, 3, err), "xsk key");
	expect_refused(xrt_maps_xsk_set(&M, 0, -1, err), "fd");
	expect_refused(xrt_maps_punt_cfg_set(&M, XRT_PUNT_MAX, &cfg, err), "reason");
	expect_refused(xrt_maps_punt_cfg_set(&M, XRT_PUNT_LOCAL, &cfg, err), "burst");
	expect_refused(xrt_maps_stats_read(&M, XRT_MAX_IFACES, &st, err), "slot");
}

/* What router/ and cli/ read back instead of calling libbpf: neighbours,
 * group buckets, punt refusals; and the flushes of a previous writer's
 * leftovers. */
Test(bpfmaps, readers_and_leftover_flushes)
{
	struct xrt_iface ifv = { .slot = 1, .mtu = 1500, .table = 254 };
	struct xrt_neigh6_val nv;
	struct xrt_nh_grp g;
	struct xrt_nh nh = { .ifindex = (uint32_t)if_b, .mtu = 1500, .flags = XRT_NH_F_VALID };
	uint64_t limited[XRT_PUNT_MAX];
	uint32_t ids[2] = { 1, 2 }, w[2] = { 1, 3 }, id = 1;
	uint8_t a[16], b[16], mac[6] = { 2, 0, 0, 0, 0, 9 };
	char err[XRT_ERR_LEN] = "";

	xt_addr("fe80::1", a);
	xt_addr("fe80::2", b);
	cr_assert_eq(xrt_maps_neigh_get(&M, if_b, a, &nv, err), -ENOENT);
	cr_assert_eq(xrt_maps_neigh_set(&M, if_b, a, mac, XRT_NUD_REACHABLE, err), 0, "%s", err);
	cr_assert_eq(xrt_maps_neigh_set(&M, if_a, b, mac, XRT_NUD_STALE, err), 0, "%s", err);
	cr_assert_eq(xrt_maps_neigh_get(&M, if_b, a, &nv, err), 0, "%s", err);
	cr_assert_eq(nv.state, XRT_NUD_REACHABLE);
	cr_assert_arr_eq(nv.mac, mac, 6);

	/* A next hop set before its neighbour caches the MAC once refreshed;
	 * a cleared slot is left alone. */
	memcpy(nh.gw, b, 16);
	nh.ifindex = (uint32_t)if_a;
	cr_assert_eq(xrt_maps_nh_set(&M, id, &nh, err), 0, "%s", err);
	cr_assert_eq(xrt_maps_neigh_set(&M, if_a, b, mac, XRT_NUD_REACHABLE, err), 0, "%s", err);
	cr_assert_eq(bpf_map_lookup_elem(M.nh, &id, &nh), 0);
	cr_assert_eq(nh.flags & XRT_NH_F_DMAC, 0, "neigh_set alone does not touch next hops");
	cr_assert_eq(xrt_maps_nh_refresh_dmac(&M, id, err), 0, "%s", err);
	cr_assert_eq(bpf_map_lookup_elem(M.nh, &id, &nh), 0);
	cr_assert(nh.flags & XRT_NH_F_DMAC);
	cr_assert_arr_eq(nh.dmac, mac, 6);
	cr_assert_eq(xrt_maps_nh_refresh_dmac(&M, 2, err), 0, "%s", err);
	expect_refused(xrt_maps_nh_refresh_dmac(&M, 0, err), "nexthop 0");

	expect_refused(xrt_maps_grp_get(&M, 1, &g, err), "no buckets");
	cr_assert_eq(xrt_maps_grp_set(&M, 1, ids, w, 2, err), 0, "%s", err);
	cr_assert_eq(xrt_maps_grp_get(&M, 1, &g, err), 0, "%s", err);
	cr_assert_eq(g.nbuckets, 4);
	cr_assert_eq(g.bucket[0], 1);
	cr_assert_eq(g.bucket[3], 2);
	expect_refused(xrt_maps_grp_get(&M, XRT_MAX_NH_GROUPS, &g, err), "group");

	cr_assert_eq(xrt_maps_punt_limited(&M, limited, err), 0, "%s", err);
	for (unsigned i = 0; i < XRT_PUNT_MAX; i++)
		cr_assert_eq(limited[i], 0);

	/* Neighbours of one interface, then all; interfaces; local6; xsks. */
	cr_assert_eq(xrt_maps_neigh_flush(&M, if_a, err), 1);
	cr_assert_eq(xrt_maps_neigh_get(&M, if_b, a, &nv, NULL), 0, "another interface's stays");
	cr_assert_eq(xrt_maps_neigh_flush(&M, 0, err), 1);
	cr_assert_eq(count_keys(M.neigh6, sizeof(struct xrt_neigh6_key)), 0);
	cr_assert_eq(xrt_maps_iface_set(&M, if_a, &ifv, err), 0, "%s", err);
	ifv.slot = 2;
	cr_assert_eq(xrt_maps_iface_set(&M, if_b, &ifv, err), 0, "%s", err);
	cr_assert_eq(xrt_maps_iface_flush(&M, err), 2);
	cr_assert_eq(count_keys(M.ifaces, 4), 0);
	cr_assert_eq(count_keys(M.tx_ports, 4), 0, "ports go with their interfaces");
	cr_assert_eq(xrt_maps_local6_set(&M, 0, a, XRT_LOCAL_F_XRTD, err), 0, "%s", err);
	cr_assert_eq(xrt_maps_local6_set(&M, if_a, b, XRT_LOCAL_F_XRTD, err), 0, "%s", err);
	cr_assert_eq(xrt_maps_local6_flush(&M, err), 2);
	cr_assert_eq(count_keys(M.local6, sizeof(struct xrt_local6_key)), 0);
	cr_assert_eq(xrt_maps_xsk_flush(&M, err), 0, "%s", err);
}

Test(bpfmaps, load_errors_are_clear)
{
	struct xrt_maps m2;
	char err[XRT_ERR_LEN] = "";
	char dir[64], pin[128];
	int fd;

	snprintf(dir, sizeof(dir), "/run/xrt-test-%d-b", (int)getpid());
	cr_assert_lt(xrt_maps_load(&m2, "/nonexistent/xrt.o", dir, err), 0);
	cr_assert(strstr(err, "/nonexistent/xrt.o"), "%s", err);
	/* A directory that is neither a bpffs nor empty is not mounted over. */
	cr_assert_lt(xrt_maps_load(&m2, "bpf/xrt_fwd.bpf.o", "/run", err), 0);
	cr_assert(strstr(err, "refusing"), "%s", err);

	/* A pin with the same name but another layout is refused, not
	 * silently replaced. */
	cr_assert_eq(xrt_maps_load(&m2, "bpf/xrt_fwd.bpf.o", dir, err), 0, "%s", err);
	xrt_maps_close(&m2);
	snprintf(pin, sizeof(pin), "%s/tc/globals/xrt_nh", dir);
	cr_assert_eq(unlink(pin), 0);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xrt_nh", 4, 8, 16, NULL);
	cr_assert_geq(fd, 0);
	cr_assert_eq(bpf_obj_pin(fd, pin), 0);
	close(fd);
	err[0] = 0;
	cr_assert_lt(xrt_maps_load(&m2, "bpf/xrt_fwd.bpf.o", dir, err), 0);
	cr_assert(strstr(err, "another layout"), "%s", err);
	umount2(dir, MNT_DETACH);
	rmdir(dir);
}

static __u32 prog_id_of(int ifindex)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	cr_assert_eq(bpf_xdp_query(ifindex, 0, &q), 0);
	return q.drv_prog_id;
}

static void prog_map_ids(__u32 prog_id, __u32 *ids, __u32 *n)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(prog_id);

	cr_assert_geq(fd, 0);
	info.nr_map_ids = *n;
	info.map_ids = (__u64)(unsigned long)ids;
	cr_assert_eq(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	*n = info.nr_map_ids;
	close(fd);
}

static int has_id(const __u32 *ids, __u32 n, __u32 id)
{
	__u32 i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

static __u32 map_id_of(int fd)
{
	struct bpf_map_info mi = { 0 };
	__u32 len = sizeof(mi);

	cr_assert_eq(bpf_obj_get_info_by_fd(fd, &mi, &len), 0);
	return mi.id;
}

/* The map id that slot 0 of xrt_tx_outer holds. */
static __u32 tx_outer_slot0(int outer)
{
	const __u32 slot = 0;
	__u32 id = 0;

	cr_assert_eq(bpf_map_lookup_elem(outer, &slot, &id), 0);
	return id;
}

/* The daemon's attach and `ip link ... xdp obj` share every pinned map. */
Test(bpfmaps, attach_and_ip_link_share_maps)
{
	char err[XRT_ERR_LEN] = "", cmd[512];
	struct bpf_map_info mi;
	__u32 ids[32], n = 32, len;
	int *fds[] = { &M.fib6, &M.fib6_tbl, &M.fib6_node, &M.fib6_rec, &M.nh,
		       &M.nh_grp, &M.neigh6, &M.ifaces, &M.ifaces_dir, &M.xsks,
		       &M.stats, &M.punt_cfg, &M.punt_tb, &M.local6, &M.tx_outer };
	struct xrt_maps m2;
	unsigned i;

	uint32_t qid = 0;
	cr_assert_eq(xrt_maps_xdp_query(&M, if_a, &qid), 0, "nothing attached yet");
	cr_assert_eq(xrt_maps_attach(&M, if_a, XRT_XDP_NATIVE, err), 0, "%s", err);
	cr_assert_neq(prog_id_of(if_a), 0);
	cr_assert_eq(xrt_maps_xdp_query(&M, if_a, &qid), 1, "ours");
	cr_assert_eq(qid, prog_id_of(if_a));
	snprintf(cmd, sizeof(cmd),
		 "TC_BPF_MNT=/run/xrt-test-%d ip link set dev xfb xdp obj "
		 "bpf/xrt_fwd.bpf.o sec xdp 2>&1",
		 (int)getpid());
	cr_assert_eq(system(cmd), 0, "%s failed", cmd);
	cr_assert_neq(prog_id_of(if_b), 0);
	cr_assert_neq(prog_id_of(if_b), prog_id_of(if_a), "two loads");
	cr_assert_eq(xrt_maps_xdp_query(&M, if_b, &qid), 1, "ip link's, on our pins");
	prog_map_ids(prog_id_of(if_b), ids, &n);
	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		memset(&mi, 0, sizeof(mi));
		len = sizeof(mi);
		cr_assert_eq(bpf_obj_get_info_by_fd(*fds[i], &mi, &len), 0);
		cr_assert(has_id(ids, n, mi.id), "ip link's program lacks map %s",
			  mi.name);
	}
	/* Both programs transmit through the one devmap in the shared slot. */
	cr_assert_eq(tx_outer_slot0(M.tx_outer), map_id_of(M.tx_ports));

	/* A second daemon load reuses the same pins, devmap included. */
	snprintf(cmd, sizeof(cmd), "/run/xrt-test-%d", (int)getpid());
	cr_assert_eq(xrt_maps_load(&m2, "bpf/xrt_fwd.bpf.o", cmd, err), 0, "%s", err);
	cr_assert_eq(map_id_of(m2.tx_ports), map_id_of(M.tx_ports));
	cr_assert_eq(map_id_of(m2.fib6), map_id_of(M.fib6));
	xrt_maps_close(&m2);

	cr_assert_eq(xrt_maps_detach(&M, if_a, err), 0, "%s", err);
	cr_assert_eq(prog_id_of(if_a), 0);
	cr_assert_eq(xrt_maps_xdp_query(&M, if_a, &qid), 0, "detached");
	expect_refused(xrt_maps_attach(&M, 0, XRT_XDP_NATIVE, err), "ifindex");
}

/* `ip link` first on an empty bpffs creates every pin (the devmap too);
 * a second `ip link` and then the daemon reuse them, and what the daemon
 * writes is what both programs transmit through. */
Test(bpfmaps, ip_link_first_then_daemon)
{
	char err[XRT_ERR_LEN] = "", dir[64], cmd[512];
	struct xrt_iface v = { .slot = 1, .mtu = 1500, .table = 254,
			       .flags = XRT_IF_F_FORWARDING };
	struct bpf_devmap_val port;
	struct xrt_maps m2;
	uint32_t b = (uint32_t)if_b;
	__u32 ids[32], n = 32;
	int outer;

	snprintf(dir, sizeof(dir), "/run/xrt-test-%d-c", (int)getpid());
	cr_assert_eq(mkdir(dir, 0700), 0);
	cr_assert_eq(mount("bpf", dir, "bpf", 0, "mode=0700"), 0);
	snprintf(cmd, sizeof(cmd),
		 "TC_BPF_MNT=%s ip link set dev xfa xdp obj bpf/xrt_fwd.bpf.o "
		 "sec xdp 2>&1 && TC_BPF_MNT=%s ip link set dev xfb xdp obj "
		 "bpf/xrt_fwd.bpf.o sec xdp 2>&1", dir, dir);
	cr_assert_eq(system(cmd), 0, "%s failed", cmd);
	snprintf(cmd, sizeof(cmd), "%s/tc/globals/%s", dir, XRT_MAP_TX_OUTER);
	outer = bpf_obj_get(cmd);
	cr_assert_geq(outer, 0, "ip link did not pin %s", cmd);

	cr_assert_eq(xrt_maps_load(&m2, "bpf/xrt_fwd.bpf.o", dir, err), 0, "%s", err);
	cr_assert_eq(map_id_of(m2.tx_outer), map_id_of(outer), "outer reused");
	cr_assert_eq(map_id_of(m2.tx_ports), tx_outer_slot0(outer),
		     "the devmap ip link created");
	prog_map_ids(prog_id_of(if_b), ids, &n);
	cr_assert(has_id(ids, n, map_id_of(outer)), "second ip link reused the pin");
	cr_assert_eq(xrt_maps_iface_set(&m2, if_b, &v, err), 0, "%s", err);
	cr_assert_eq(bpf_map_lookup_elem(m2.tx_ports, &b, &port), 0);
	cr_assert_eq(port.ifindex, b);

	close(outer);
	xrt_maps_close(&m2);
	cr_assert_eq(system("ip link set dev xfa xdp off && ip link set dev xfb xdp off"), 0);
	umount2(dir, MNT_DETACH);
	rmdir(dir);
}

/* A bound AF_XDP socket gets the punt: XDP_REDIRECT, not the fallback. */
Test(bpfmaps, punt_goes_to_bound_xsk)
{
	struct xsk_umem_config ucfg = { .fill_size = 64, .comp_size = 64,
					.frame_size = 4096, .frame_headroom = 0 };
	struct xsk_socket_config scfg = {
		.rx_size = 64, .tx_size = 64, .bind_flags = XDP_COPY,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
	};
	struct xsk_ring_prod fill, tx;
	struct xsk_ring_cons comp, rx;
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xt_pkt p;
	struct xt_result r;
	struct xrt_stats st = { 0 };
	char err[XRT_ERR_LEN] = "";
	size_t size = 64 * 4096;
	void *buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	xt_topology();
	cr_assert_neq(buf, MAP_FAILED);
	cr_assert_eq(xsk_umem__create(&umem, buf, size, &fill, &comp, &ucfg), 0);
	cr_assert_eq(xsk_socket__create(&xsk, "xfa", 0, umem, &rx, &tx, &scfg), 0,
		     "xsk bind");
	cr_assert_eq(xrt_maps_xsk_set(&M, 0, xsk_socket__fd(xsk), err), 0, "%s", err);

	xt_ip6(&p, "2001:db8:100::1", "2001:db9::1", 64, NEXTHDR_UDP, 8);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT);
	/* Queue 1 of xfa would be key 1: nothing bound there -> fallback. */
	st.mib[XRT_MIB_IN_RECEIVES] = 1;
	st.mib[XRT_MIB_IN_OCTETS] = 48;
	st.mib[XRT_MIB_IN_NO_ROUTES] = 1;
	st.punt[XRT_PUNT_NO_ROUTE] = 1;
	cr_assert(xt_stats_equal(1, &st));

	cr_assert_eq(xrt_maps_xsk_del(&M, 0, err), 0, "%s", err);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_PASS, "socket unbound: kernel fallback");
	xsk_socket__delete(xsk);
	xsk_umem__delete(umem);
	munmap(buf, size);
}

/* Interfaces with an ifindex below XRT_IFINDEX_DIRECT are found in the
 * xrt_ifaces_dir array, larger ones in the xrt_ifaces hash: both ways give
 * the same answer, and removal is seen both ways. */
Test(bpfmaps, iface_found_by_small_and_large_ifindex)
{
	struct xrt_fib6_val bh = { .type = XRT_RTN_BLACKHOLE };
	char err[XRT_ERR_LEN] = "";
	struct xrt_iface got;
	struct xt_pkt p;
	struct xt_result r;
	uint8_t a[16];
	int big;

	cr_assert_eq(system("ip link add name xfc index 5000 type veth peer name xfd && "
			    "ip link set xfc up && ip link set xfd up"), 0);
	big = (int)if_nametoindex("xfc");
	cr_assert_eq(big, 5000);
	cr_assert_geq(big, XRT_IFINDEX_DIRECT);
	xt_addr("2001:db8:dead::", a);
	cr_assert_eq(xrt_maps_route_set(&M, 254, a, 48, &bh, err), 0, "%s", err);
	xt_ip6(&p, "2001:db8::1", "2001:db8:dead::1", 64, NEXTHDR_UDP, 8);
	int ifs[2] = { if_a, big };
	for (int i = 0; i < 2; i++) {
		struct xrt_iface v = { .slot = (uint16_t)(3 + i), .mtu = 1500, .table = 254,
				       .flags = XRT_IF_F_FORWARDING };
		uint32_t k = (uint32_t)ifs[i];

		xt_run(&p, ifs[i], &r);
		cr_assert_eq(r.ret, XDP_PASS, "ifindex %d: not attached yet", ifs[i]);
		cr_assert_eq(xrt_maps_iface_set(&M, ifs[i], &v, err), 0, "%s", err);
		xt_run(&p, ifs[i], &r);
		cr_assert_eq(r.ret, XDP_DROP, "ifindex %d: attached, blackhole route", ifs[i]);
		/* The array holds small ifindexes only. */
		memset(&got, 0, sizeof(got));
		if (k < XRT_IFINDEX_DIRECT) {
			cr_assert_eq(bpf_map_lookup_elem(M.ifaces_dir, &k, &got), 0);
			cr_assert_eq(got.slot, v.slot);
		} else {
			cr_assert_neq(bpf_map_lookup_elem(M.ifaces_dir, &k, &got), 0);
		}
		cr_assert_eq(xrt_maps_iface_del(&M, ifs[i], err), 0, "%s", err);
		xt_run(&p, ifs[i], &r);
		cr_assert_eq(r.ret, XDP_PASS, "ifindex %d: detached", ifs[i]);
	}
}
