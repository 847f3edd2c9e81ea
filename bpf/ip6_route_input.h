/* xrt fast path stages 4-5 and 7: ip6_route_input, route types, ECMP path. */
#ifndef XRT_BPF_IP6_ROUTE_INPUT_H
#define XRT_BPF_IP6_ROUTE_INPUT_H

#include "pkt.h"
#include "maps.h"
#include "punt.h"
#include "stats.h"
#include "fib6_lookup.h"
#include "xrt/multipath.h"

/*
 * ip6_input: a packet for this router. In kernel-mirror mode
 * (XRT_IF_F_KERNEL_LOCAL) the kernel owns the addresses, so it gets
 * everything xrtd's socket layer has not claimed in xrt_local6.
 */
static __always_inline int ip6_input(struct xrt_pkt *p, __u32 reason)
{
	struct xrt_local6_key key = { .ifindex = p->ifindex };
	__u32 *flags;

	if (p->iif->flags & XRT_IF_F_KERNEL_LOCAL) {
		__builtin_memcpy(key.addr, &p->ip6->daddr, sizeof(key.addr));
		flags = bpf_map_lookup_elem(&xrt_local6, &key);
		if (!flags) {
			key.ifindex = 0;
			flags = bpf_map_lookup_elem(&xrt_local6, &key);
		}
		if (!flags || !(*flags & XRT_LOCAL_F_XRTD))
			return xrt_pass(p, XRT_PASS_KERNEL_LOCAL);
	}
	return xrt_punt(p, reason);
}

/* rt6_multipath_hash (include/xrt/multipath.h) over this packet's words;
 * the ports only if the frame holds them. */
static __always_inline __u32 xrt_pkt_multipath_hash(const struct xrt_pkt *p)
{
	const struct ipv6hdr *ip6 = p->ip6;
	const __u32 *l4 = (const void *)(ip6 + 1);

	if ((void *)(l4 + 1) > p->data_end)
		l4 = NULL;
	return rt6_multipath_hash(*(const __u32 *)ip6, ip6->saddr.in6_u.u6_addr32,
				  ip6->daddr.in6_u.u6_addr32, ip6->nexthdr, l4);
}

/* fib6_select_path: resolve the route's next hop, picking a group member by
 * flow hash. */
static __always_inline int fib6_select_path(struct xrt_pkt *p, __u32 nh_id)
{
	const struct xrt_nh_grp *grp;
	const struct xrt_nh *nh;
	__u32 gid, bucket;

	if (nh_id & XRT_NH_GROUP) {
		gid = nh_id & ~XRT_NH_GROUP;
		grp = bpf_map_lookup_elem(&xrt_nh_grp, &gid);
		if (!grp || grp->nbuckets == 0 ||
		    grp->nbuckets > XRT_ECMP_BUCKETS) {
			XRT_MIB_INC(p, IN_DISCARDS);
			return xrt_drop(p, XRT_DROP_NH_INVALID);
		}
		bucket = xrt_pkt_multipath_hash(p) % grp->nbuckets;
		/* The compiler knows bucket < 256 and would drop the mask
		 * the verifier needs; the empty asm hides that from it. */
		asm volatile("" : "+r"(bucket));
		nh_id = grp->bucket[bucket & (XRT_ECMP_BUCKETS - 1)];
	}
	nh = bpf_map_lookup_elem(&xrt_nh, &nh_id);
	if (!nh || !(nh->flags & XRT_NH_F_VALID)) {
		XRT_MIB_INC(p, IN_DISCARDS);
		return xrt_drop(p, XRT_DROP_NH_INVALID);
	}
	p->nh_id = nh_id;
	p->nh = nh;
	p->oif = nh->ifindex;
	return XRT_NEXT;
}

/*
 * ip6_route_input: multicast and link-local destinations first (never
 * routed), then the longest match in the ingress interface's table.
 */
static __always_inline int ip6_route_input(struct xrt_pkt *p)
{
	const struct in6_addr *daddr = &p->ip6->daddr;
	__u32 scope, leaf;

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

	leaf = fib6_lookup(p->iif->table, daddr);
	if (!leaf) {
		XRT_MIB_INC(p, IN_NO_ROUTES);
		return xrt_punt(p, XRT_PUNT_NO_ROUTE);
	}
	switch (xrt_fib6_leaf_type(leaf)) {
	case XRT_RTN_UNICAST:
		return fib6_select_path(p, xrt_fib6_leaf_nh(leaf));
	case XRT_RTN_LOCAL:
		return ip6_input(p, XRT_PUNT_LOCAL);
	case XRT_RTN_BLACKHOLE:
		return xrt_drop(p, XRT_DROP_BLACKHOLE);
	case XRT_RTN_UNREACHABLE:
		XRT_MIB_INC(p, IN_NO_ROUTES);
		return xrt_punt(p, XRT_PUNT_UNREACHABLE);
	case XRT_RTN_PROHIBIT:
		XRT_MIB_INC(p, IN_NO_ROUTES);
		return xrt_punt(p, XRT_PUNT_PROHIBIT);
	}
	XRT_MIB_INC(p, IN_DISCARDS);
	return xrt_drop(p, XRT_DROP_NH_INVALID);
}

#endif
