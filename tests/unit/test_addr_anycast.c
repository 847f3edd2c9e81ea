/* xrt tests: the routes an address installs: an IPv6 one its Subnet-Router anycast (RFC 4291 2.6.1, the kernel's addrconf_join_anycast), an IPv4 one its local, connected and broadcast routes (the kernel's fib_add_ifaddr). */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "router/router.h"
#include "xrt/inet.h"

/* What the fast path's FIB holds: (table, prefix/plen) -> route type. */
#define FIB_MAX 32
static struct {
	bool used;
	uint32_t table;
	uint8_t addr[16];
	unsigned plen;
	uint32_t type;
} fib[FIB_MAX];

static int f_route_set(void *c, uint32_t table, const uint8_t a[16], unsigned plen,
		       const struct xrt_fib6_val *v, char *err)
{
	(void)c, (void)err;
	int free_slot = -1;
	for (int i = 0; i < FIB_MAX; i++) {
		if (fib[i].used && fib[i].table == table && fib[i].plen == plen &&
		    !memcmp(fib[i].addr, a, 16)) {
			fib[i].type = v->type;
			return 0;
		}
		if (!fib[i].used && free_slot < 0)
			free_slot = i;
	}
	cr_assert(free_slot >= 0, "fake FIB full");
	fib[free_slot].used = true;
	fib[free_slot].table = table;
	memcpy(fib[free_slot].addr, a, 16);
	fib[free_slot].plen = plen;
	fib[free_slot].type = v->type;
	return 0;
}
static int f_route_del(void *c, uint32_t table, const uint8_t a[16], unsigned plen, char *err)
{
	(void)c, (void)err;
	for (int i = 0; i < FIB_MAX; i++)
		if (fib[i].used && fib[i].table == table && fib[i].plen == plen &&
		    !memcmp(fib[i].addr, a, 16)) {
			fib[i].used = false;
			return 0;
		}
	return -ENOENT;
}
static int f_nh_set(void *c, uint32_t id, const struct xrt_nh *v, char *err)
{
	(void)c, (void)id, (void)v, (void)err;
	return 0;
}
static int f_nh_del(void *c, uint32_t id, char *err)
{
	(void)c, (void)id, (void)err;
	return 0;
}
static int f_grp_set(void *c, uint32_t id, const uint32_t *ids, const uint32_t *w, unsigned n,
		     char *err)
{
	(void)c, (void)id, (void)ids, (void)w, (void)n, (void)err;
	return 0;
}
static int f_grp_del(void *c, uint32_t id, char *err)
{
	(void)c, (void)id, (void)err;
	return 0;
}
static uint32_t f_link_mtu(void *c, int ifindex)
{
	(void)c, (void)ifindex;
	return 1500;
}

static struct xrt_router R;
static struct xrt_link *la, *lb;
static char err[XRT_ERR_LEN];

static struct in6_addr A(const char *s)
{
	struct in6_addr a;
	cr_assert_eq(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

/* The fast path's route type for table/prefix/plen, 0 = none. */
static uint32_t fib_type_in(uint32_t table, const char *prefix, unsigned plen)
{
	struct in6_addr a = A(prefix);
	for (int i = 0; i < FIB_MAX; i++)
		if (fib[i].used && fib[i].table == table && fib[i].plen == plen &&
		    !memcmp(fib[i].addr, &a, 16))
			return fib[i].type;
	return 0;
}

static uint32_t fib_type(const char *prefix, unsigned plen)
{
	return fib_type_in(XRT_TABLE_MAIN, prefix, plen);
}

static struct xrt_link *new_link(unsigned slot, int ifindex, const char *name)
{
	struct xrt_link *l = calloc(1, sizeof(*l));
	cr_assert(l);
	l->slot = (uint16_t)slot;
	l->dev.ifindex = ifindex;
	strcpy(l->dev.name, name);
	l->dev.mtu = 1500;
	l->dev.table = XRT_TABLE_MAIN;
	l->dev.forwarding = true;
	R.links[slot] = l;
	return l;
}

static void setup(void)
{
	memset(fib, 0, sizeof(fib));
	memset(&R, 0, sizeof(R));
	static struct rib_ops ops = {
		.route_set = f_route_set, .route_del = f_route_del, .nh_set = f_nh_set,
		.nh_del = f_nh_del, .grp_set = f_grp_set, .grp_del = f_grp_del,
		.link_mtu = f_link_mtu,
	};
	ops.ctx = &R;
	R.rib = rib_new(&ops);
	cr_assert(R.rib);
	la = new_link(1, 11, "a0");
	lb = new_link(2, 12, "b0");
}

static void teardown(void)
{
	rib_free(R.rib);
	free(la);
	free(lb);
}

TestSuite(addr_anycast, .init = setup, .fini = teardown);

static void add(struct xrt_link *l, const char *a, unsigned plen)
{
	struct in6_addr x = A(a);
	cr_assert_eq(addr_add(&R, l, &x, plen, ADDR_ORIGIN_STATIC, err), 0, "%s", err);
}

static void del(struct xrt_link *l, const char *a, unsigned plen)
{
	struct in6_addr x = A(a);
	cr_assert_eq(addr_del(&R, l, &x, plen, err), 0, "%s", err);
}

Test(addr_anycast, address_brings_local_route_of_its_subnet_router_anycast)
{
	add(la, "2001:db8:1::1", 64);
	cr_assert_eq(fib_type("2001:db8:1::1", 128), XRT_RTN_LOCAL);
	cr_assert_eq(fib_type("2001:db8:1::", 64), XRT_RTN_UNICAST);
	cr_assert_eq(fib_type("2001:db8:1::", 128), XRT_RTN_LOCAL, "the anycast is local");
	del(la, "2001:db8:1::1", 64);
	cr_assert_eq(fib_type("2001:db8:1::", 128), 0);
	cr_assert_eq(fib_type("2001:db8:1::", 64), 0);
	cr_assert_eq(rib_count(R.rib), 0);
}

Test(addr_anycast, removed_with_the_last_address_of_the_prefix)
{
	add(la, "2001:db8:1::1", 64);
	add(la, "2001:db8:1::2", 64);
	add(la, "2001:db8:1:0:8000::1", 65); /* a different prefix, same anycast */
	del(la, "2001:db8:1::1", 64);
	cr_assert_eq(fib_type("2001:db8:1::", 128), XRT_RTN_LOCAL);
	del(la, "2001:db8:1::2", 64);
	cr_assert_eq(fib_type("2001:db8:1::", 128), 0);
	/* 2001:db8:1:0:8000::/65's anycast is its own. */
	cr_assert_eq(fib_type("2001:db8:1:0:8000::", 128), XRT_RTN_LOCAL);
}

Test(addr_anycast, none_for_127_and_128)
{
	add(la, "2001:db8:5::1", 127);
	add(la, "2001:db8:6::1", 128);
	cr_assert_eq(fib_type("2001:db8:5::", 128), 0, "RFC 6164: none on a /127");
	cr_assert_eq(fib_type("2001:db8:6::1", 128), XRT_RTN_LOCAL);
	cr_assert_eq(rib_count(R.rib), 3); /* two locals, one connected */
}

Test(addr_anycast, follows_forwarding)
{
	la->dev.forwarding = false;
	add(la, "2001:db8:1::1", 64);
	cr_assert_eq(fib_type("2001:db8:1::", 128), 0, "a host has no Subnet-Router anycast");
	la->dev.forwarding = true;
	cr_assert_eq(addr_anycast_sync_link(&R, la, err), 0, "%s", err);
	cr_assert_eq(fib_type("2001:db8:1::", 128), XRT_RTN_LOCAL);
	la->dev.forwarding = false;
	cr_assert_eq(addr_anycast_sync_link(&R, la, err), 0, "%s", err);
	cr_assert_eq(fib_type("2001:db8:1::", 128), 0);
	cr_assert_eq(fib_type("2001:db8:1::1", 128), XRT_RTN_LOCAL);
}

Test(addr_anycast, link_local_anycast_shared_by_links)
{
	/* fe80:: is the Subnet-Router anycast of every link's fe80::/64 and
	 * the local routes of link-locals are shared: it stays while one
	 * forwarding link still has a link-local. */
	add(la, "fe80::a", 64);
	add(lb, "fe80::b", 64);
	cr_assert_eq(fib_type("fe80::", 128), XRT_RTN_LOCAL);
	del(la, "fe80::a", 64);
	cr_assert_eq(fib_type("fe80::", 128), XRT_RTN_LOCAL);
	del(lb, "fe80::b", 64);
	cr_assert_eq(fib_type("fe80::", 128), 0);
}

Test(addr_anycast, address_equal_to_the_anycast_coexists)
{
	/* An address with all host bits zero: its local route and the
	 * anycast's are separate routes, and either may go first. */
	add(la, "2001:db8:1::1", 64);
	add(la, "2001:db8:1::", 64);
	cr_assert_eq(fib_type("2001:db8:1::", 128), XRT_RTN_LOCAL);
	del(la, "2001:db8:1::", 64);
	cr_assert_eq(fib_type("2001:db8:1::", 128), XRT_RTN_LOCAL, "the anycast stays");
	del(la, "2001:db8:1::1", 64);
	cr_assert_eq(fib_type("2001:db8:1::", 128), 0);
	cr_assert_eq(rib_count(R.rib), 0);
}

/* IPv4 (mapped, length + 96): fib_add_ifaddr's routes. */
#define V4(plen) ((plen) + XRT_V4_PLEN_OFFSET)
#define LOCAL RIB_TABLE_LOCAL

TestSuite(addr_ip4, .init = setup, .fini = teardown);

Test(addr_ip4, local_connected_and_broadcast)
{
	add(la, "::ffff:10.1.0.1", V4(24));
	cr_assert_eq(fib_type_in(LOCAL, "::ffff:10.1.0.1", 128), XRT_RTN_LOCAL, "local, table local");
	cr_assert_eq(fib_type("::ffff:10.1.0.1", 128), 0, "not in main");
	cr_assert_eq(fib_type("::ffff:10.1.0.0", V4(24)), XRT_RTN_UNICAST, "connected, main");
	cr_assert_eq(fib_type_in(LOCAL, "::ffff:10.1.0.255", 128), XRT_RTN_BROADCAST);
	cr_assert_eq(fib_type_in(LOCAL, "::ffff:10.1.0.0", 128), 0,
		     "no network-address broadcast (kernel 6.x)");
	cr_assert_eq(fib_type("::ffff:10.1.0.0", 128), 0, "no Subnet-Router anycast for IPv4");
	const struct rib_node *n = rib_node_find(R.rib, XRT_TABLE_MAIN, &(struct in6_addr){ 0 }, 0);
	cr_assert_null(n);
	struct in6_addr c = A("::ffff:10.1.0.0");
	n = rib_node_find(R.rib, XRT_TABLE_MAIN, &c, V4(24));
	cr_assert_eq(n->routes->metric, 0, "IPv4 prefix route: metric 0");
	cr_assert_eq(rib_count(R.rib), 3);
	del(la, "::ffff:10.1.0.1", V4(24));
	cr_assert_eq(rib_count(R.rib), 0, "every route of the address goes with it");
}

Test(addr_ip4, none_for_31_and_32)
{
	add(la, "::ffff:10.3.0.0", V4(31));
	add(la, "::ffff:10.4.0.1", V4(32));
	cr_assert_eq(fib_type_in(LOCAL, "::ffff:10.3.0.1", 128), 0, "RFC 3021: no /31 broadcast");
	cr_assert_eq(fib_type("::ffff:10.3.0.0", V4(31)), XRT_RTN_UNICAST);
	cr_assert_eq(fib_type_in(LOCAL, "::ffff:10.4.0.1", 128), XRT_RTN_LOCAL);
	cr_assert_eq(rib_count(R.rib), 3, "two locals and the /31's prefix: no /32 prefix route");
}

Test(addr_ip4, broadcast_kept_while_an_address_needs_it)
{
	/* A second address of the subnet (the kernel's secondary): the
	 * prefix and broadcast routes stay until the last one goes. */
	add(la, "::ffff:10.1.0.1", V4(24));
	add(la, "::ffff:10.1.0.7", V4(24));
	del(la, "::ffff:10.1.0.1", V4(24));
	cr_assert_eq(fib_type_in(LOCAL, "::ffff:10.1.0.255", 128), XRT_RTN_BROADCAST);
	cr_assert_eq(fib_type("::ffff:10.1.0.0", V4(24)), XRT_RTN_UNICAST);
	cr_assert_eq(fib_type_in(LOCAL, "::ffff:10.1.0.1", 128), 0);
	del(la, "::ffff:10.1.0.7", V4(24));
	cr_assert_eq(fib_type_in(LOCAL, "::ffff:10.1.0.255", 128), 0);
	cr_assert_eq(rib_count(R.rib), 0);
}

Test(addr_ip4, address_on_its_subnet_broadcast)
{
	/* 10.1.0.255/24 as an address: its local route wins the key. */
	add(la, "::ffff:10.1.0.255", V4(24));
	cr_assert_eq(fib_type_in(LOCAL, "::ffff:10.1.0.255", 128), XRT_RTN_LOCAL);
	del(la, "::ffff:10.1.0.255", V4(24));
	cr_assert_eq(rib_count(R.rib), 0);
}

Test(addr_ip4, no_prefix_nor_broadcast_for_prefix_0_0_0_0)
{
	/* ipv4_is_zeronet(prefix): 10.0.0.1/0 and 0.0.0.5/8 install only their
	 * local route, never a default route; 0.1.2.3/16 is unicast (Linux
	 * 5.3 and later) and gets its prefix and broadcast as any other. */
	add(la, "::ffff:10.0.0.1", V4(0));
	add(la, "::ffff:0.0.0.5", V4(8));
	cr_assert_eq(fib_type_in(LOCAL, "::ffff:10.0.0.1", 128), XRT_RTN_LOCAL);
	cr_assert_eq(fib_type("::ffff:0.0.0.0", V4(0)), 0, "no default route");
	cr_assert_eq(fib_type("::ffff:0.0.0.0", V4(8)), 0);
	cr_assert_eq(fib_type_in(LOCAL, "::ffff:255.255.255.255", 128), 0);
	cr_assert_eq(rib_count(R.rib), 2, "the two local routes only");
	add(la, "::ffff:0.1.2.3", V4(16));
	cr_assert_eq(fib_type("::ffff:0.1.0.0", V4(16)), XRT_RTN_UNICAST);
	cr_assert_eq(fib_type_in(LOCAL, "::ffff:0.1.255.255", 128), XRT_RTN_BROADCAST);
	del(la, "::ffff:10.0.0.1", V4(0));
	del(la, "::ffff:0.0.0.5", V4(8));
	del(la, "::ffff:0.1.2.3", V4(16));
	cr_assert_eq(rib_count(R.rib), 0);
}
