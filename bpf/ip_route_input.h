/* xrt fast path, IPv4 stages 3-4: ip_route_input, martian addresses, fib_lookup in xrt's IPv4 FIB, route types. */
#ifndef XRT_BPF_IP_ROUTE_INPUT_H
#define XRT_BPF_IP_ROUTE_INPUT_H

#include "pkt.h"
#include "maps.h"
#include "punt.h"
#include "stats.h"
#include "fib_lookup.h"
#include "fib_select_path.h"
#include "fib_rules.h"

/* Host-order address in a block. */
static __always_inline int ip4_in(__u32 a, __u32 net, __u32 mask)
{
	return (a & mask) == net;
}

/* First octet 1-126 or 128-223: none of 0/8, 127/8 (RFC 1122 3.2.1.3),
 * multicast (RFC 5771) or class E (RFC 1112 4), so none of the martian,
 * multicast and broadcast cases of ip_route_input applies. */
static __always_inline int ip4_ordinary(__u32 a)
{
	const __u32 o = a >> 24;

	return o != (IP4_NET_ZERO >> 24) && o != (IP4_NET_LOOPBACK >> 24) &&
	       o < (IP4_NET_MCAST >> 24);
}

/*
 * ip_local_deliver: a packet for this router. In kernel-mirror mode
 * (XRT_IF_F_KERNEL_LOCAL) the kernel owns the addresses, so it gets
 * everything xrtd's socket layer has not claimed in xrt_local6 (keyed by
 * the IPv4-mapped address, include/xrt/inet.h), as ip6_input does.
 */
static __always_inline int ip_local_deliver(struct xrt_pkt *p, __u32 reason)
{
	if (p->iif->flags & XRT_IF_F_KERNEL_LOCAL) {
		struct xrt_local6_key key = { .addr = { [10] = 0xff, [11] = 0xff } };

		__builtin_memcpy(&key.addr[12], &p->ip4->daddr, sizeof(__be32));
		if (xrt_local_is_kernels(p, &key))
			return xrt_pass(p, XRT_PASS_KERNEL_LOCAL);
	}
	return xrt_punt(p, reason);
}

/*
 * ip_route_input (ip_route_input_rcu, ip_route_input_slow), in the kernel's
 * order: martian sources, multicast and limited broadcast destinations,
 * martian destinations, then the longest match in table local and in the
 * ingress interface's table. Class E sources are refused too (RFC 1812
 * 5.3.7; Linux accepts them: CONFORMANCE.md).
 */
static __always_inline int ip_route_input(struct xrt_pkt *p)
{
	const __u32 saddr = bpf_ntohl(p->ip4->saddr);
	const __u32 daddr = bpf_ntohl(p->ip4->daddr);
	__u32 leaf = 0;
	int rc, ruled;

	/* Ordinary unicast both ways, nearly every forwarded packet: one
	 * test per address instead of the checks below. */
	if (ip4_ordinary(saddr) && ip4_ordinary(daddr))
		goto lookup;
	if (ip4_in(saddr, IP4_NET_MCAST, IP4_MASK_4) ||
	    ip4_in(saddr, IP4_NET_CLASS_E, IP4_MASK_4)) {
		XRT_MIB_INC(p, IP4_IN_ADDR_ERRORS);
		return xrt_drop(p, XRT_DROP_IP4_MARTIAN_SRC);
	}
	/* ip_route_input_mc: there is no multicast routing; the Local
	 * Network Control Block (RFC 5771 4: OSPF, VRRP, IGMP) is this
	 * link's, any wider group is dropped, as IPv6 does. */
	if (ip4_in(daddr, IP4_NET_MCAST, IP4_MASK_4)) {
		if (ip4_in(daddr, IP4_NET_MCAST_LOCAL, IP4_MASK_24))
			return ip_local_deliver(p, XRT_PUNT_MCAST_LINK);
		return xrt_drop(p, XRT_DROP_MCAST);
	}
	/* brd_input: the limited broadcast (DHCP from 0.0.0.0 included) is
	 * delivered, never forwarded (RFC 1812 5.3.5.1). */
	if (daddr == IP4_LIMITED_BCAST || (saddr == 0 && daddr == 0))
		return ip_local_deliver(p, XRT_PUNT_LOCAL);
	if (ip4_in(saddr, IP4_NET_ZERO, IP4_MASK_8) ||
	    ip4_in(saddr, IP4_NET_LOOPBACK, IP4_MASK_8)) {
		XRT_MIB_INC(p, IP4_IN_ADDR_ERRORS);
		return xrt_drop(p, XRT_DROP_IP4_MARTIAN_SRC);
	}
	/* martian_destination: 0/8 and 127/8 never arrive on a wire (RFC
	 * 1812 5.3.7, RFC 1122 3.2.1.3); the kernel counts no MIB. */
	if (ip4_in(daddr, IP4_NET_ZERO, IP4_MASK_8) ||
	    ip4_in(daddr, IP4_NET_LOOPBACK, IP4_MASK_8))
		return xrt_drop(p, XRT_DROP_IP4_MARTIAN_DST);

lookup:
	/* fib_lookup's default rules (fib4_rules_init): table local, where
	 * fib_add_ifaddr puts the local and broadcast routes, then the
	 * ingress interface's table. */
	rc = fib_rules_lookup(p, &leaf, &ruled);
	if (rc != XRT_NEXT)
		return rc;
	if (!ruled) {
		leaf = fib_lookup(XRT_TABLE_LOCAL, p->ip4->daddr);
		if (!leaf)
			leaf = fib_lookup(p->iif->table, p->ip4->daddr);
	}
	switch (leaf ? xrt_fib6_leaf_type(leaf) : 0) {
	case XRT_RTN_LOCAL:
	case XRT_RTN_BROADCAST:
		return ip_local_deliver(p, XRT_PUNT_LOCAL);
	}
	/* "if (!IN_DEV_FORWARD(in_dev)) { err = -EHOSTUNREACH; goto
	 * no_route; }" and ip_error: no ICMP, InNoRoutes for a destination
	 * without a route, InAddrErrors for the rest. */
	if (!(p->iif->flags & XRT_IF_F_FORWARDING)) {
		if (leaf)
			XRT_MIB_INC(p, IP4_IN_ADDR_ERRORS);
		else
			XRT_MIB_INC(p, IP4_IN_NO_ROUTES);
		return xrt_drop(p, XRT_DROP_FWD_DISABLED);
	}
	if (!leaf) {
		XRT_MIB_INC(p, IP4_IN_NO_ROUTES);
		return xrt_punt(p, XRT_PUNT_NO_ROUTE);
	}
	/* fib_props: the error each route type gives ip_error. */
	switch (xrt_fib6_leaf_type(leaf)) {
	case XRT_RTN_UNICAST:
		return fib_select_path(p, xrt_fib6_leaf_nh(leaf), true);
	case XRT_RTN_BLACKHOLE:
		return xrt_drop(p, XRT_DROP_BLACKHOLE);
	case XRT_RTN_UNREACHABLE:
		return xrt_punt(p, XRT_PUNT_UNREACHABLE);
	case XRT_RTN_PROHIBIT:
		return xrt_punt(p, XRT_PUNT_PROHIBIT);
	}
	XRT_MIB_INC(p, IP4_IN_DISCARDS);
	return xrt_drop(p, XRT_DROP_NH_INVALID);
}

#endif
