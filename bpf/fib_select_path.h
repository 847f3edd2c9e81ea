/* xrt fast path: fib_select_path / fib6_select_path, the route's next hop, a group member picked by flow hash. */
#ifndef XRT_BPF_FIB_SELECT_PATH_H
#define XRT_BPF_FIB_SELECT_PATH_H

#include "pkt.h"
#include "maps.h"
#include "stats.h"
#include "xrt/multipath.h"

/* rt6_multipath_hash or fib_multipath_hash (include/xrt/multipath.h) over
 * this packet's words; the ports only if the frame holds them (and, for
 * IPv4, the packet is not a fragment). */
static __always_inline __u32 xrt_pkt_multipath_hash(const struct xrt_pkt *p, bool v4)
{
	const __u32 *l4;

	if (v4) {
		const struct iphdr *iph = p->ip4;

		/* ip_rcv punted options: the header is 20 bytes. */
		l4 = (const void *)(iph + 1);
		if ((void *)(l4 + 1) > p->data_end ||
		    (iph->frag_off & bpf_htons(IP4_FLAG_MF | IP4_FRAG_OFFSET_MASK)))
			l4 = NULL;
		return fib_multipath_hash(iph->saddr, iph->daddr, iph->protocol, l4);
	}
	const struct ipv6hdr *ip6 = p->ip6;

	l4 = (const void *)(ip6 + 1);
	if ((void *)(l4 + 1) > p->data_end)
		l4 = NULL;
	return rt6_multipath_hash(*(const __u32 *)ip6, ip6->saddr.in6_u.u6_addr32,
				  ip6->daddr.in6_u.u6_addr32, ip6->nexthdr, l4);
}

/* fib_select_path (v4) / fib6_select_path: resolve the route's next hop,
 * picking a group member by flow hash. */
static __always_inline int fib_select_path(struct xrt_pkt *p, __u32 nh_id, bool v4)
{
	const struct xrt_nh_grp *grp;
	const struct xrt_nh *nh;
	__u32 gid, bucket;

	if (nh_id & XRT_NH_GROUP) {
		gid = nh_id & ~XRT_NH_GROUP;
		grp = bpf_map_lookup_elem(&xrt_nh_grp, &gid);
		if (!grp || grp->nbuckets == 0 || grp->nbuckets > XRT_ECMP_BUCKETS)
			goto invalid;
		bucket = xrt_pkt_multipath_hash(p, v4) % grp->nbuckets;
		/* The compiler knows bucket < 256 and would drop the mask
		 * the verifier needs; the empty asm hides that from it. */
		asm volatile("" : "+r"(bucket));
		nh_id = grp->bucket[bucket & (XRT_ECMP_BUCKETS - 1)];
	}
	nh = bpf_map_lookup_elem(&xrt_nh, &nh_id);
	if (!nh || !(nh->flags & XRT_NH_F_VALID))
		goto invalid;
	p->nh_id = nh_id;
	p->nh = nh;
	p->oif = nh->ifindex;
	return XRT_NEXT;
invalid:
	if (v4)
		XRT_MIB_INC(p, IP4_IN_DISCARDS);
	else
		XRT_MIB_INC(p, IN_DISCARDS);
	return xrt_drop(p, XRT_DROP_NH_INVALID);
}

#endif
