/* xrt BPF tests: private netns + bpffs, the loaded object, packet builders. */
#define _GNU_SOURCE
#include "harness.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <errno.h>
#include <stdbool.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/if_ether.h>

#include "xrt/counters.h"

struct xrt_maps M;
int if_a, if_b;
const uint8_t MAC_A[6] = { 0x02, 0, 0, 0, 0, 0x0a };
const uint8_t MAC_B[6] = { 0x02, 0, 0, 0, 0, 0x0b };
static char bpffs[64];

static const char *obj_path(void)
{
	const char *p = getenv("XRT_BPF_OBJ");

	return p ? p : "bpf/xrt_fwd.bpf.o";
}

void xt_setup(void)
{
	char err[XRT_ERR_LEN] = "";
	int rc;

	/* A private netns (veths vanish with the process) and a private mount
	 * namespace (the bpffs cannot leak even if the test crashes). */
	cr_assert_eq(unshare(CLONE_NEWNET | CLONE_NEWNS), 0, "unshare: %s",
		     strerror(errno));
	cr_assert_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	cr_assert_eq(system("ip link add xfa type veth peer name xfb && "
			    "ip link set xfa up && ip link set xfb up"),
		     0, "cannot create veth pair");
	if_a = (int)if_nametoindex("xfa");
	if_b = (int)if_nametoindex("xfb");
	cr_assert(if_a > 0 && if_b > 0);
	snprintf(bpffs, sizeof(bpffs), "/run/xrt-test-%d", (int)getpid());
	rc = xrt_maps_load(&M, obj_path(), bpffs, err);
	cr_assert_eq(rc, 0, "xrt_maps_load: %s", err);
}

void xt_teardown(void)
{
	xrt_maps_close(&M);
	umount2(bpffs, MNT_DETACH);
	rmdir(bpffs);
}

void xt_addr(const char *s, uint8_t a[16])
{
	cr_assert_eq(inet_pton(AF_INET6, s, a), 1, "bad address %s", s);
}

/* Next hops xt_topology set, refreshed after each neighbour as xrtd's
 * router refreshes those the RIB says use the neighbour as gateway. */
#define XT_MAX_NH 16
static bool nh_set[XT_MAX_NH];

void xt_nh(uint32_t id, int ifindex, const char *gw, uint32_t mtu)
{
	struct xrt_nh v = { .ifindex = (uint32_t)ifindex, .mtu = mtu,
			    .flags = XRT_NH_F_VALID };
	char err[XRT_ERR_LEN] = "";

	if (gw)
		xt_addr(gw, v.gw);
	else
		v.flags |= XRT_NH_F_CONNECTED;
	cr_assert_eq(xrt_maps_nh_set(&M, id, &v, err), 0, "nh %u: %s", id, err);
	cr_assert_lt(id, XT_MAX_NH);
	nh_set[id] = true;
}

void xt_route(const char *pfx, unsigned plen, uint32_t type, uint32_t nh_id)
{
	struct xrt_fib6_val v = { .type = type, .nh = nh_id };
	char err[XRT_ERR_LEN] = "";
	uint8_t a[16];

	xt_addr(pfx, a);
	cr_assert_eq(xrt_maps_route_set(&M, XRT_TABLE_MAIN, a, plen, &v, err), 0,
		     "route %s/%u: %s", pfx, plen, err);
}

void xt_neigh(int ifindex, const char *addr, uint8_t last, uint16_t state)
{
	uint8_t a[16], mac[6] = { 0x02, 0, 0, 0, 0, last };
	char err[XRT_ERR_LEN] = "";

	xt_addr(addr, a);
	cr_assert_eq(xrt_maps_neigh_set(&M, ifindex, a, mac, state, err), 0,
		     "neigh %s: %s", addr, err);
	/* Refreshing one whose gateway is another neighbour changes nothing. */
	for (uint32_t id = 1; id < XT_MAX_NH; id++)
		if (nh_set[id])
			cr_assert_eq(xrt_maps_nh_refresh_dmac(&M, id, err), 0, "nh %u: %s", id,
				     err);
}

/*
 * Ingress xfa (slot 1) and xfb (slot 2), both forwarding, table main.
 *   2001:db8:1::/48   via fe80::1 dev xfb          (neigh REACHABLE ..:01)
 *   2001:db8:2::/64   dev xfb (connected)          2001:db8:2::5 STALE ..:25
 *   2001:db8:3::/48   via fe80::2 dev xfa (egress == ingress) REACHABLE ..:02
 *   2001:db8:4::/48   via fe80::1 dev xfb mtu 1280
 *   2001:db8:5::/48   via fe80::5 dev xfb          (no neighbour)
 *   2001:db8:6::/48   via fe80::1 dev lo (ifindex 1, not attached)
 *   2001:db8:9::/48   nexthop 9 (never set)
 *   2001:db8:e::/48   group 1: nh 6 (fe80::6, ..:06) weight 1,
 *                              nh 7 (fe80::7, ..:07) weight 3
 *   2001:db8:66::/48 blackhole, :77::/48 unreachable, :88::/48 prohibit,
 *   2001:db8:ff::1/128 local. No default route.
 */
void xt_topology(void)
{
	struct xrt_iface a = { .slot = 1, .mtu = 1500, .table = XRT_TABLE_MAIN,
			       .flags = XRT_IF_F_FORWARDING, .xsk_base = 0 };
	struct xrt_iface b = a;
	char err[XRT_ERR_LEN] = "";
	uint32_t members[2] = { 6, 7 }, weights[2] = { 1, 3 };

	memcpy(a.mac, MAC_A, 6);
	memcpy(b.mac, MAC_B, 6);
	b.slot = 2;
	b.xsk_base = XRT_MAX_QUEUES;
	cr_assert_eq(xrt_maps_iface_set(&M, if_a, &a, err), 0, "%s", err);
	cr_assert_eq(xrt_maps_iface_set(&M, if_b, &b, err), 0, "%s", err);

	xt_nh(1, if_b, "fe80::1", 1500);
	xt_nh(2, if_b, NULL, 1500);
	xt_nh(3, if_a, "fe80::2", 1500);
	xt_nh(4, if_b, "fe80::1", 1280);
	xt_nh(5, if_b, "fe80::5", 1500);
	xt_nh(6, if_b, "fe80::6", 1500);
	xt_nh(7, if_b, "fe80::7", 1500);
	xt_nh(8, 1, "fe80::1", 1500);
	cr_assert_eq(xrt_maps_grp_set(&M, 1, members, weights, 2, err), 0, "%s",
		     err);

	xt_route("2001:db8:1::", 48, XRT_RTN_UNICAST, 1);
	xt_route("2001:db8:2::", 64, XRT_RTN_UNICAST, 2);
	xt_route("2001:db8:3::", 48, XRT_RTN_UNICAST, 3);
	xt_route("2001:db8:4::", 48, XRT_RTN_UNICAST, 4);
	xt_route("2001:db8:5::", 48, XRT_RTN_UNICAST, 5);
	xt_route("2001:db8:6::", 48, XRT_RTN_UNICAST, 8);
	xt_route("2001:db8:9::", 48, XRT_RTN_UNICAST, 9);
	xt_route("2001:db8:e::", 48, XRT_RTN_UNICAST, XRT_NH_GROUP | 1);
	xt_route("2001:db8:66::", 48, XRT_RTN_BLACKHOLE, 0);
	xt_route("2001:db8:77::", 48, XRT_RTN_UNREACHABLE, 0);
	xt_route("2001:db8:88::", 48, XRT_RTN_PROHIBIT, 0);
	xt_route("2001:db8:ff::1", 128, XRT_RTN_LOCAL, 0);

	xt_neigh(if_b, "fe80::1", 0x01, XRT_NUD_REACHABLE);
	xt_neigh(if_b, "2001:db8:2::5", 0x25, XRT_NUD_STALE);
	xt_neigh(if_a, "fe80::2", 0x02, XRT_NUD_REACHABLE);
	xt_neigh(if_b, "fe80::6", 0x06, XRT_NUD_REACHABLE);
	xt_neigh(if_b, "fe80::7", 0x07, XRT_NUD_PERMANENT);
	xt_neigh(1, "fe80::1", 0x11, XRT_NUD_REACHABLE);
}

uint8_t *xt_l3(struct xt_pkt *p)
{
	return p->b + ETH_LEN;
}

void xt_ip6(struct xt_pkt *p, const char *src, const char *dst, uint8_t hlim,
	    uint8_t nexthdr, uint16_t payload)
{
	uint8_t *ip6 = xt_l3(p);
	uint8_t peer[6] = { 0x02, 0, 0, 0, 0, 0xee };
	int i;

	cr_assert(ETH_LEN + 40 + payload <= PKT_MAX);
	memset(p, 0, sizeof(*p));
	memcpy(p->b, MAC_A, 6); /* to the router */
	memcpy(p->b + 6, peer, 6);
	p->b[12] = ETH_P_IPV6 >> 8;
	p->b[13] = ETH_P_IPV6 & 0xff;
	ip6[0] = 0x60;
	ip6[1] = 0x01; /* flow label 0x12345: must survive forwarding */
	ip6[2] = 0x23;
	ip6[3] = 0x45;
	ip6[4] = (uint8_t)(payload >> 8);
	ip6[5] = (uint8_t)payload;
	ip6[6] = nexthdr;
	ip6[7] = hlim;
	xt_addr(src, ip6 + 8);
	xt_addr(dst, ip6 + 24);
	/* A recognisable payload, so byte-exact comparisons mean something. */
	for (i = 0; i < payload; i++)
		ip6[40 + i] = (uint8_t)(i * 7 + 1);
	p->len = ETH_LEN + 40 + payload;
	if (payload >= 8 && nexthdr == 17)
		xt_udp_ports(p, 40000, 53);
}

void xt_udp_ports(struct xt_pkt *p, uint16_t sport, uint16_t dport)
{
	uint8_t *l4 = xt_l3(p) + 40;

	l4[0] = (uint8_t)(sport >> 8);
	l4[1] = (uint8_t)sport;
	l4[2] = (uint8_t)(dport >> 8);
	l4[3] = (uint8_t)dport;
}

void xt_run_q(const struct xt_pkt *p, int ifindex, uint32_t queue,
	      struct xt_result *r)
{
	struct xdp_md ctx_in = { .data_end = p->len,
				 .ingress_ifindex = (uint32_t)ifindex,
				 .rx_queue_index = queue };
	struct xdp_md ctx_out = { 0 };
	int rc;

	memset(r, 0, sizeof(*r));
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->b,
		    .data_size_in = p->len, .data_out = r->out,
		    .data_size_out = sizeof(r->out), .ctx_in = &ctx_in,
		    .ctx_size_in = sizeof(ctx_in), .ctx_out = &ctx_out,
		    .ctx_size_out = sizeof(ctx_out), .repeat = 1);
	rc = bpf_prog_test_run_opts(M.prog_fd, &o);
	cr_assert_eq(rc, 0, "BPF_PROG_TEST_RUN: %s", strerror(errno));
	r->ret = (int)o.retval;
	r->out_len = o.data_size_out;
	/* data_out starts at data_meta; ctx_out.data is the metadata size. */
	r->meta_len = ctx_out.data;
	cr_assert(r->meta_len <= r->out_len);
	r->frame = r->out + r->meta_len;
	r->frame_len = r->out_len - r->meta_len;
}

void xt_run(const struct xt_pkt *p, int ifindex, struct xt_result *r)
{
	xt_run_q(p, ifindex, 0, r);
}

static const char *mib_names[] = {
#define XT_NAME(id, name) name,
	XRT_MIB_LIST(XT_NAME)
};
static const char *punt_names[] = { XRT_PUNT_LIST(XT_NAME) };
static const char *drop_names[] = { XRT_DROP_LIST(XT_NAME) };
static const char *pass_names[] = { XRT_PASS_LIST(XT_NAME) };
#undef XT_NAME

static int cmp_block(const char *kind, const char *const *names,
		     const __u64 *got, const __u64 *want, int n)
{
	int i, ok = 1;

	for (i = 0; i < n; i++) {
		if (got[i] == want[i])
			continue;
		cr_log_error("%s %s: got %llu, want %llu", kind, names[i],
			     (unsigned long long)got[i],
			     (unsigned long long)want[i]);
		ok = 0;
	}
	return ok;
}

int xt_stats_equal(int slot, const struct xrt_stats *want)
{
	struct xrt_stats got;
	char err[XRT_ERR_LEN] = "";
	int ok;

	cr_assert_eq(xrt_maps_stats_read(&M, slot, &got, err), 0, "%s", err);
	ok = cmp_block("mib", mib_names, got.mib, want->mib, XRT_MIB_MAX);
	ok &= cmp_block("punt", punt_names, got.punt, want->punt, XRT_PUNT_MAX);
	ok &= cmp_block("drop", drop_names, got.drop, want->drop, XRT_DROP_MAX);
	ok &= cmp_block("pass", pass_names, got.pass, want->pass, XRT_PASS_MAX);
	return ok;
}

void xt_set_rpf(int ifindex, uint32_t flag)
{
	struct xrt_iface v;
	char err[XRT_ERR_LEN] = "";
	uint32_t key = (uint32_t)ifindex;

	cr_assert_eq(bpf_map_lookup_elem(M.ifaces, &key, &v), 0);
	v.flags = (v.flags & ~XRT_IF_F_RPF) | flag;
	cr_assert_eq(xrt_maps_iface_set(&M, ifindex, &v, err), 0, "%s", err);
}

uint64_t xt_drops(int slot, unsigned reason)
{
	struct xrt_stats st;
	char err[XRT_ERR_LEN] = "";

	cr_assert_eq(xrt_maps_stats_read(&M, slot, &st, err), 0, "%s", err);
	return st.drop[reason];
}
