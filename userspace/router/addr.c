/* xrt: interface addresses and the local and connected routes they imply, like the kernel's addrconf. */
#include "router/addr.h"
#include "router/router.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xrt/inet.h"

int addr_find(const struct xrt_link *l, const struct in6_addr *a)
{
	for (unsigned i = 0; i < l->dev.naddrs; i++)
		if (!memcmp(&l->dev.addr[i], a, sizeof(*a)))
			return (int)i;
	return -1;
}

/* fib_add_ifaddr installs neither the prefix route nor the subnet
 * broadcast when the prefix is 0.0.0.0 (ipv4_is_zeronet(prefix); since
 * Linux 5.3 the rest of 0.0.0.0/8 is unicast): 10.0.0.1/0 must not become
 * a default route. */
static bool v4_zeronet(const struct in6_addr *a, unsigned plen)
{
	if (!xrt_addr_is_v4(a) || plen < XRT_V4_PLEN_OFFSET)
		return false;
	struct in6_addr p = *a;
	rib_prefix_mask(&p, plen);
	return xrt_addr_v4(&p) == 0;
}

/* Link-local prefixes exist on every link; a connected fe80::/64 per link
 * in one table would collide, and link-local destinations are never
 * forwarded, so only their local /128 is installed. */
static bool wants_connected(const struct in6_addr *a, unsigned plen)
{
	return plen < 128 && !IN6_IS_ADDR_LINKLOCAL(a) && !v4_zeronet(a, plen);
}

/* fib_add_ifaddr puts an IPv4 address's local route in table local;
 * addrconf puts an IPv6 one in the interface's table. */
static struct rib_route_spec local_spec(const struct xrt_link *l, const struct in6_addr *a)
{
	return (struct rib_route_spec){
		.table = xrt_addr_is_v4(a) ? RIB_TABLE_LOCAL : l->dev.table,
		.prefix = *a, .plen = 128, .type = XRT_RTN_LOCAL,
		.metric = RIB_METRIC_LOCAL, .origin = RIB_ORIGIN_ADDR,
	};
}

static struct rib_route_spec connected_spec(const struct xrt_link *l,
					    const struct in6_addr *a, unsigned plen)
{
	struct rib_route_spec s = {
		.table = l->dev.table, .prefix = *a, .plen = plen, .type = XRT_RTN_UNICAST,
		.metric = xrt_addr_is_v4(a) ? RIB_METRIC_V4_CONNECTED : RIB_METRIC_CONNECTED,
		.npaths = 1, .origin = RIB_ORIGIN_ADDR,
	};
	rib_prefix_mask(&s.prefix, plen);
	s.path[0].ifindex = l->dev.ifindex;
	return s;
}

/* The connected route of the prefix in the link's table, if any. */
static const struct rib_route *connected_route(struct xrt_router *r,
					       const struct rib_route_spec *s)
{
	const struct rib_node *n = rib_node_find(r->rib, s->table, &s->prefix, s->plen);
	for (const struct rib_route *rt = n ? n->routes : NULL; rt; rt = rt->next)
		if (rt->metric == s->metric && rt->nh &&
		    (rt->nh->flags & XRT_NH_F_CONNECTED))
			return rt;
	return NULL;
}

/* RFC 4291 2.6.1: the Subnet-Router anycast address of an address's
 * prefix, its host bits all zero. Like the kernel's addrconf_join_anycast:
 * none for /127 and /128 (RFC 6164: a point-to-point link has no subnet
 * router) nor for a prefix of all zeros. */
static bool subnet_router_anycast(const struct in6_addr *a, unsigned plen,
				  struct in6_addr *out)
{
	if (plen >= 127 || xrt_addr_is_v4(a))
		return false;
	*out = *a;
	rib_prefix_mask(out, plen);
	return !IN6_IS_ADDR_UNSPECIFIED(out);
}

/*
 * Install or remove the local route of one Subnet-Router anycast address
 * so that it matches the addresses: the kernel joins it (__ipv6_dev_ac_inc,
 * reference counted) for every address on a forwarding interface and
 * leaves it with the last one. Its own metric keeps it apart from a local
 * route of an address that happens to equal it: either goes away alone.
 */
static int anycast_sync(struct xrt_router *r, uint32_t table, const struct in6_addr *ac,
			char *err)
{
	bool wanted = false;
	for (unsigned s = 1; s < XRT_MAX_IFACES && !wanted; s++) {
		const struct xrt_link *o = r->links[s];
		if (!o || !o->dev.forwarding || o->dev.table != table)
			continue;
		for (unsigned j = 0; j < o->dev.naddrs; j++) {
			struct in6_addr x;
			if (subnet_router_anycast(&o->dev.addr[j], o->dev.plen[j], &x) &&
			    !memcmp(&x, ac, sizeof(x)))
				wanted = true;
		}
	}
	bool have = false;
	const struct rib_node *n = rib_node_find(r->rib, table, ac, 128);
	for (const struct rib_route *rt = n ? n->routes : NULL; rt; rt = rt->next)
		if (rt->metric == RIB_METRIC_ANYCAST && rt->type == XRT_RTN_LOCAL)
			have = true;
	if (wanted && !have) {
		struct rib_route_spec s = {
			.table = table, .prefix = *ac, .plen = 128, .type = XRT_RTN_LOCAL,
			.metric = RIB_METRIC_ANYCAST, .origin = RIB_ORIGIN_ADDR,
		};
		return rib_route_add(r->rib, &s, false, err);
	}
	if (!wanted && have) {
		struct rib_match m = { .has_type = true, .type = XRT_RTN_LOCAL,
				       .has_metric = true, .metric = RIB_METRIC_ANYCAST };
		int rc = rib_route_del(r->rib, table, ac, 128, &m, err);
		return rc == -ESRCH ? 0 : rc;
	}
	return 0;
}

bool addr_broadcast(const struct in6_addr *a, unsigned plen, struct in6_addr *out)
{
	/* fib_add_ifaddr: "Add the network broadcast address, when it makes
	 * sense": ifa_prefixlen < 31 (RFC 3021: a /31 has no broadcast). The
	 * network address (the all-zeros broadcast of RFC 919) the kernel no
	 * longer routes as broadcast. */
	if (!xrt_addr_is_v4(a) || plen >= XRT_V4_PLEN_OFFSET + 31 || v4_zeronet(a, plen))
		return false;
	*out = *a;
	for (unsigned bit = plen; bit < 128; bit++)
		out->s6_addr[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
	return true;
}

/* The broadcast route of brd (table local) as the addresses want it: one
 * while any IPv4 address's subnet has it as its broadcast, as the
 * kernel's fib_del_ifaddr keeps it while another address needs it. A local
 * route already there (an address that is its subnet's broadcast) wins. */
static int broadcast_sync(struct xrt_router *r, const struct in6_addr *brd, char *err)
{
	bool wanted = false;
	for (unsigned s = 1; s < XRT_MAX_IFACES && !wanted; s++) {
		const struct xrt_link *o = r->links[s];
		for (unsigned j = 0; o && j < o->dev.naddrs; j++) {
			struct in6_addr x;
			if (addr_broadcast(&o->dev.addr[j], o->dev.plen[j], &x) &&
			    !memcmp(&x, brd, sizeof(x)))
				wanted = true;
		}
	}
	const struct rib_node *n = rib_node_find(r->rib, RIB_TABLE_LOCAL, brd, 128);
	const struct rib_route *rt = n ? n->routes : NULL;
	bool have = rt && rt->type == XRT_RTN_BROADCAST;
	if (wanted && !rt) {
		struct rib_route_spec s = {
			.table = RIB_TABLE_LOCAL, .prefix = *brd, .plen = 128,
			.type = XRT_RTN_BROADCAST, .metric = RIB_METRIC_LOCAL,
			.origin = RIB_ORIGIN_ADDR,
		};
		return rib_route_add(r->rib, &s, false, err);
	}
	if (!wanted && have) {
		struct rib_match m = { .has_type = true, .type = XRT_RTN_BROADCAST };
		int rc = rib_route_del(r->rib, RIB_TABLE_LOCAL, brd, 128, &m, err);
		return rc == -ESRCH ? 0 : rc;
	}
	return 0;
}

int addr_anycast_sync_link(struct xrt_router *r, struct xrt_link *l, char *err)
{
	int ret = 0;
	for (unsigned i = 0; i < l->dev.naddrs; i++) {
		struct in6_addr ac;
		if (!subnet_router_anycast(&l->dev.addr[i], l->dev.plen[i], &ac))
			continue;
		int rc = anycast_sync(r, l->dev.table, &ac, err);
		if (rc && !ret)
			ret = rc;
	}
	return ret;
}

int addr_add(struct xrt_router *r, struct xrt_link *l, const struct in6_addr *a,
	     unsigned plen, enum addr_origin origin, char *err)
{
	char buf[INET6_ADDRSTRLEN];
	rib_ntop(a, buf);
	int i = addr_find(l, a);
	if (i >= 0) {
		if ((r->reloading || r->in_config) && l->dev.plen[i] == plen) {
			l->addr_stale[i] = false;
			return 0;
		}
		ERR("address %s is already on %s", buf, l->dev.name);
		return -EEXIST;
	}
	for (unsigned s = 1; s < XRT_MAX_IFACES; s++)
		if (r->links[s] && r->links[s] != l && addr_find(r->links[s], a) >= 0 &&
		    !IN6_IS_ADDR_LINKLOCAL(a)) {
			ERR("address %s is already on %s", buf, r->links[s]->dev.name);
			return -EEXIST;
		}
	if (l->dev.naddrs == XRT_MAX_ADDRS) {
		ERR("%s has too many addresses (at most %d)", l->dev.name, XRT_MAX_ADDRS);
		return -ENOSPC;
	}
	struct rib_route_spec ls = local_spec(l, a);
	int rc = rib_route_add(r->rib, &ls, false, err);
	if (rc == -EEXIST && IN6_IS_ADDR_LINKLOCAL(a))
		rc = 0; /* the same link-local on two links: one local route serves both */
	else if (rc)
		return rc;
	bool added_local = rc == 0;
	if (wants_connected(a, plen)) {
		struct rib_route_spec cs = connected_spec(l, a, plen);
		const struct rib_route *c = connected_route(r, &cs);
		if (c && c->nh->ifindex != l->dev.ifindex) {
			struct xrt_link *o = router_link_by_ifindex(r, c->nh->ifindex);
			ERR("prefix %s/%u is already connected on %s", rib_ntop(&cs.prefix, buf),
			    rib_user_plen(a, plen),
			    o ? o->dev.name : "another interface");
			rc = -EEXIST;
		} else if (!c) {
			rc = rib_route_add(r->rib, &cs, false, err);
		}
		if (rc) {
			if (added_local) {
				struct rib_match m = { .has_type = true, .type = XRT_RTN_LOCAL };
				rib_route_del(r->rib, ls.table, a, 128, &m, NULL);
			}
			return rc;
		}
	}
	unsigned k = l->dev.naddrs++;
	l->dev.addr[k] = *a;
	l->dev.plen[k] = (uint8_t)plen;
	l->addr_origin[k] = (uint8_t)origin;
	l->addr_stale[k] = false;
	l->addr_claim[k] = false;
	struct in6_addr ac, brd;
	if ((subnet_router_anycast(a, plen, &ac) && (rc = anycast_sync(r, l->dev.table, &ac, err))) ||
	    (addr_broadcast(a, plen, &brd) && (rc = broadcast_sync(r, &brd, err)))) {
		addr_del(r, l, a, plen, NULL);
		return rc;
	}
	router_event(r, &(struct router_ev){ .kind = ROUTER_EV_ADDR, .ifindex = l->dev.ifindex,
					     .addr = *a, .plen = plen });
	stack_arp_announce(l->dev.ifindex, a); /* RFC 5227 2.3, IPv4 only */
	return 0;
}

/* A link-local address is only reached on its link; any other on every
 * interface (the fast path looks up (ingress, addr), then (0, addr)). */
static int claim_ifindex(const struct xrt_link *l, const struct in6_addr *a)
{
	return IN6_IS_ADDR_LINKLOCAL(a) ? l->dev.ifindex : 0;
}

int addr_claim(struct xrt_router *r, struct xrt_link *l, const struct in6_addr *a,
	       char *err)
{
	int i = addr_find(l, a);
	if (i < 0) {
		char buf[INET6_ADDRSTRLEN];
		ERR("address %s is not on %s", rib_ntop(a, buf),
		    l->dev.name);
		return -EADDRNOTAVAIL;
	}
	int rc = xrt_maps_local6_set(&r->maps, claim_ifindex(l, a), a->s6_addr,
				     XRT_LOCAL_F_XRTD, err);
	if (!rc)
		l->addr_claim[i] = true;
	return rc;
}

int addr_del(struct xrt_router *r, struct xrt_link *l, const struct in6_addr *a,
	     unsigned plen, char *err)
{
	/* a may point into l->dev.addr, which the removal shifts. */
	struct router_ev ev = { .kind = ROUTER_EV_ADDR, .deleted = true, .ifindex = l->dev.ifindex,
				.addr = *a, .plen = plen };
	char buf[INET6_ADDRSTRLEN];
	int i = addr_find(l, a);
	if (i < 0 || l->dev.plen[i] != plen) {
		ERR("address %s/%u is not on %s", rib_ntop(a, buf), rib_user_plen(a, plen),
		    l->dev.name);
		return -EADDRNOTAVAIL;
	}
	/* Another link may share this link-local: its local route stays. */
	bool shared = false;
	for (unsigned s = 1; s < XRT_MAX_IFACES; s++)
		if (r->links[s] && r->links[s] != l && addr_find(r->links[s], a) >= 0)
			shared = true;
	struct rib_match m = { .has_type = true, .type = XRT_RTN_LOCAL };
	if (!shared) {
		int rc = rib_route_del(r->rib, local_spec(l, a).table, a, 128, &m, err);
		if (rc && rc != -ESRCH)
			return rc;
	}
	if (wants_connected(a, plen)) {
		/* Keep the connected route while another address of the link
		 * sits on the same prefix. */
		struct rib_route_spec cs = connected_spec(l, a, plen);
		bool still = false;
		for (unsigned j = 0; j < l->dev.naddrs; j++) {
			if ((int)j == i || l->dev.plen[j] != plen)
				continue;
			struct in6_addr p = l->dev.addr[j];
			rib_prefix_mask(&p, plen);
			if (!memcmp(&p, &cs.prefix, sizeof(p)))
				still = true;
		}
		const struct rib_route *c = connected_route(r, &cs);
		if (!still && c && c->nh->ifindex == l->dev.ifindex) {
			struct rib_match cm = { .has_metric = true, .metric = cs.metric,
						.has_dev = true, .ifindex = l->dev.ifindex };
			int rc = rib_route_del(r->rib, cs.table, &cs.prefix, plen, &cm, err);
			if (rc && rc != -ESRCH)
				return rc;
		}
	}
	addr_unclaim(r, l, a);
	/* Computed before the shift below: a may point into l->dev.addr. */
	struct in6_addr ac, brd;
	bool has_anycast = subnet_router_anycast(a, plen, &ac);
	bool has_brd = addr_broadcast(a, plen, &brd);
	unsigned last = l->dev.naddrs - 1;
	for (unsigned j = (unsigned)i; j < last; j++) {
		l->dev.addr[j] = l->dev.addr[j + 1];
		l->dev.plen[j] = l->dev.plen[j + 1];
		l->addr_origin[j] = l->addr_origin[j + 1];
		l->addr_stale[j] = l->addr_stale[j + 1];
		l->addr_claim[j] = l->addr_claim[j + 1];
	}
	l->dev.naddrs--;
	router_event(r, &ev);
	int rc = has_brd ? broadcast_sync(r, &brd, err) : 0;
	if (rc)
		return rc;
	if (has_anycast)
		return anycast_sync(r, l->dev.table, &ac, err);
	return 0;
}

void addr_unclaim(struct xrt_router *r, struct xrt_link *l, const struct in6_addr *a)
{
	int i = addr_find(l, a);

	if (i < 0 || !l->addr_claim[i])
		return;
	xrt_maps_local6_del(&r->maps, claim_ifindex(l, a), a->s6_addr, NULL);
	l->addr_claim[i] = false;
}

bool addr_present(const struct xrt_link *l, const struct in6_addr *a)
{
	return addr_find(l, a) >= 0;
}
