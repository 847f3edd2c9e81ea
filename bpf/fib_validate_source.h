/* xrt fast path: reverse-path filtering before the route lookup, as the kernel's fib_validate_source (rp_filter) and nftables' `fib saddr . iif oif missing drop`. */
#ifndef XRT_BPF_FIB_VALIDATE_SOURCE_H
#define XRT_BPF_FIB_VALIDATE_SOURCE_H

#include "pkt.h"
#include "maps.h"
#include "stats.h"
#include "fib6_lookup.h"

struct rpf_members {
	const struct xrt_nh_grp *grp;
	__u32 ifindex;
	__u32 prev;
	int found;
};

/* One ECMP bucket: does its next hop leave through the ingress? */
static long rpf_member(__u64 i, void *data)
{
	struct rpf_members *m = data;
	const struct xrt_nh *nh;
	__u32 id;

	if (i >= XRT_ECMP_BUCKETS)
		return 1;
	id = m->grp->bucket[i & (XRT_ECMP_BUCKETS - 1)];
	if (id == m->prev) /* a member fills its buckets side by side */
		return 0;
	m->prev = id;
	nh = bpf_map_lookup_elem(&xrt_nh, &id);
	if (nh && (nh->flags & XRT_NH_F_VALID) && nh->ifindex == m->ifindex) {
		m->found = 1;
		return 1;
	}
	return 0;
}

/* Does next hop (or group) nh_id leave through ifindex? Any ECMP member
 * counts, as fib_info_nh_uses_dev. */
static __always_inline int rpf_nh_uses_dev(__u32 nh_id, __u32 ifindex)
{
	const struct xrt_nh *nh;

	if (nh_id & XRT_NH_GROUP) {
		__u32 gid = nh_id & ~XRT_NH_GROUP;
		struct rpf_members m = { .ifindex = ifindex, .prev = 0 };

		m.grp = bpf_map_lookup_elem(&xrt_nh_grp, &gid);
		if (!m.grp || m.grp->nbuckets > XRT_ECMP_BUCKETS)
			return 0;
		bpf_loop(m.grp->nbuckets, rpf_member, &m, 0);
		return m.found;
	}
	nh = bpf_map_lookup_elem(&xrt_nh, &nh_id);
	return nh && (nh->flags & XRT_NH_F_VALID) && nh->ifindex == ifindex;
}

/*
 * fib_validate_source: leaf is the route back to the source in the
 * ingress table (any family's trie: the IPv4 path calls this with its own
 * lookup's leaf). Only a unicast route passes, as the kernel's
 * __fib_validate_source ("res.type != RTN_UNICAST ... goto e_inval"): no
 * route, blackhole, unreachable, prohibit and a local source all fail.
 * Strict (RFC 3704 2.2) also wants the route to leave through the ingress.
 */
static __always_inline int fib_validate_source(struct xrt_pkt *p, __u32 leaf)
{
	const int strict = p->iif->flags & XRT_IF_F_RPF_STRICT;

	if (!leaf || xrt_fib6_leaf_type(leaf) != XRT_RTN_UNICAST)
		return xrt_drop(p, strict ? XRT_DROP_RPF_STRICT : XRT_DROP_RPF_LOOSE);
	if (strict && !rpf_nh_uses_dev(xrt_fib6_leaf_nh(leaf), p->ifindex))
		return xrt_drop(p, XRT_DROP_RPF_STRICT);
	return XRT_NEXT;
}

/*
 * IPv6: the source's route in the ingress interface's table. Link-local
 * and unspecified sources are exempt: the kernel (ip6t_rpfilter,
 * nft_fib6) looks link-local sources up on the ingress itself, where they
 * always are, and lets :: (DAD, RFC 4862 5.4) through.
 */
static __always_inline int ip6_rpf(struct xrt_pkt *p)
{
	const struct in6_addr *saddr = &p->ip6->saddr;

	if (!(p->iif->flags & XRT_IF_F_RPF))
		return XRT_NEXT;
	if (!ip6_addr_is_global(saddr) &&
	    (ip6_addr_is_linklocal(saddr) || ip6_addr_is_any(saddr)))
		return XRT_NEXT;
	return fib_validate_source(p, fib6_lookup(p->iif->table, saddr));
}

#endif
