/* xrt fast path stages 4-5: ip6_route_input and the route types. */
#ifndef XRT_BPF_IP6_ROUTE_INPUT_H
#define XRT_BPF_IP6_ROUTE_INPUT_H

#include "pkt.h"
#include "maps.h"
#include "punt.h"
#include "stats.h"
#include "fib6_lookup.h"
#include "fib_select_path.h"
#include "fib_rules.h"

/*
 * ip6_input: a packet for this router. In kernel-mirror mode
 * (XRT_IF_F_KERNEL_LOCAL) the kernel owns the addresses, so it gets
 * everything xrtd's socket layer has not claimed in xrt_local6.
 */
static __always_inline int ip6_input(struct xrt_pkt *p, __u32 reason)
{
	if (p->iif->flags & XRT_IF_F_KERNEL_LOCAL) {
		struct xrt_local6_key key;

		__builtin_memcpy(key.addr, &p->ip6->daddr, sizeof(key.addr));
		if (xrt_local_is_kernels(p, &key))
			return xrt_pass(p, XRT_PASS_KERNEL_LOCAL);
	}
	return xrt_punt(p, reason);
}

/*
 * ip6_pkt_drop's counter for a packet without a usable route: InNoRoutes,
 * but InAddrErrors when the destination is :: (which only a default route
 * matches; RFC 4443 3.1 still asks for the Destination Unreachable).
 */
static __always_inline void ip6_pkt_drop_mib(struct xrt_pkt *p)
{
	if (ip6_addr_is_any(&p->ip6->daddr))
		XRT_MIB_INC(p, IN_ADDR_ERRORS);
	else
		XRT_MIB_INC(p, IN_NO_ROUTES);
}

/*
 * ip6_route_input: multicast and link-local destinations first (never
 * routed), then the longest match in the ingress interface's table.
 */
static __always_inline int ip6_route_input(struct xrt_pkt *p)
{
	const struct in6_addr *daddr = &p->ip6->daddr;
	__u32 scope, leaf = 0;
	int rc, ruled;

	if (p->global) /* 2000::/3: neither multicast nor link-local */
		goto unicast;
	if (ip6_addr_is_multicast(daddr)) {
		/* RFC 4291 2.7: scopes 1 and 2 (all-nodes, all-routers,
		 * solicited-node, MLD) are for this node; there is no
		 * multicast routing, so any wider scope is dropped. */
		scope = daddr->in6_u.u6_addr8[1] & 0x0f;
		if (scope == IP6_MC_SCOPE_INTERFACE || scope == IP6_MC_SCOPE_LINK)
			return ip6_input(p, XRT_PUNT_MCAST_LINK);
		/* ipv6_chk_mcast_addr: a wider group that a socket of xrtd
		 * joined on this interface (xrt_local6) is for us too. */
		struct xrt_local6_key mkey = { .ifindex = p->ifindex };
		__builtin_memcpy(mkey.addr, daddr, sizeof(mkey.addr));
		if (bpf_map_lookup_elem(&xrt_local6, &mkey))
			return ip6_input(p, XRT_PUNT_MCAST_LINK);
		return xrt_drop(p, XRT_DROP_MCAST);
	}
	/* RFC 4291 2.5.6: routers never forward link-local destinations; the
	 * daemon delivers them or drops them. */
	if (ip6_addr_is_linklocal(daddr))
		return ip6_input(p, XRT_PUNT_LOCAL);
unicast:

	rc = fib_rules_lookup(p, &leaf, &ruled);
	if (rc != XRT_NEXT)
		return rc;
	if (!ruled)
		leaf = fib6_lookup_src(p->iif->table, daddr, &p->ip6->saddr);
	if (!leaf) {
		ip6_pkt_drop_mib(p);
		return xrt_punt(p, XRT_PUNT_NO_ROUTE);
	}
	switch (xrt_fib6_leaf_type(leaf)) {
	case XRT_RTN_UNICAST:
		return fib_select_path(p, xrt_fib6_leaf_nh(leaf), false);
	case XRT_RTN_LOCAL:
		return ip6_input(p, XRT_PUNT_LOCAL);
	case XRT_RTN_BLACKHOLE:
		return xrt_drop(p, XRT_DROP_BLACKHOLE);
	case XRT_RTN_UNREACHABLE:
		ip6_pkt_drop_mib(p);
		return xrt_punt(p, XRT_PUNT_UNREACHABLE);
	case XRT_RTN_PROHIBIT:
		ip6_pkt_drop_mib(p);
		return xrt_punt(p, XRT_PUNT_PROHIBIT);
	case XRT_FIB6_LEAF_KERNEL:
		/* Source routes of this destination beyond xrt's bound: only
		 * the kernel's fib6_node_lookup knows the answer. */
		return xrt_pass(p, XRT_PASS_SRC_ROUTE_UNSUPPORTED);
	}
	XRT_MIB_INC(p, IN_DISCARDS);
	return xrt_drop(p, XRT_DROP_NH_INVALID);
}

#endif
