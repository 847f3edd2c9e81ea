/* xrt fast path: reverse-path filtering before the route lookup, as the kernel's fib_validate_source (rp_filter) and nftables' `fib saddr . iif oif missing drop`. */
#ifndef XRT_BPF_FIB_VALIDATE_SOURCE_H
#define XRT_BPF_FIB_VALIDATE_SOURCE_H

#include "pkt.h"
#include "maps.h"
#include "stats.h"
#include "fib6_lookup.h"
#include "fib_lookup.h"
#include "fib_rules.h"

/*
 * The work is in global functions, which the verifier checks once with
 * their arguments unknown, instead of once for every state the pipeline
 * reaches them in (inlined, the route walk and the ECMP loop multiplied
 * the program's verification tenfold). A call costs a few ns, paid only on
 * interfaces with rpf on.
 */

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

/*
 * __fib_validate_source on a route leaf (any family's trie: the IPv4 path
 * calls it with its own lookup's leaf): 0 if the source is valid, else 1.
 * Only a unicast route passes ("res.type != RTN_UNICAST ... goto e_inval"):
 * no route, blackhole, unreachable, prohibit and a local source all fail.
 * Strict (RFC 3704 2.2) also wants the route to leave through the ingress;
 * any ECMP member counts, as fib_info_nh_uses_dev.
 */
__attribute__((noinline)) int xrt_fib_validate_leaf(__u32 leaf, __u32 ifindex, __u32 strict)
{
	const struct xrt_nh *nh;
	__u32 nh_id;

	if (!leaf || xrt_fib6_leaf_type(leaf) != XRT_RTN_UNICAST)
		return 1;
	if (!strict)
		return 0;
	nh_id = xrt_fib6_leaf_nh(leaf);
	if (nh_id & XRT_NH_GROUP) {
		__u32 gid = nh_id & ~XRT_NH_GROUP;
		struct rpf_members m = { .ifindex = ifindex, .prev = 0 };

		m.grp = bpf_map_lookup_elem(&xrt_nh_grp, &gid);
		if (!m.grp || m.grp->nbuckets > XRT_ECMP_BUCKETS)
			return 1;
		bpf_loop(m.grp->nbuckets, rpf_member, &m, 0);
		return !m.found;
	}
	nh = bpf_map_lookup_elem(&xrt_nh, &nh_id);
	return !(nh && (nh->flags & XRT_NH_F_VALID) && nh->ifindex == ifindex);
}

/* Sources rpf lets through whatever the routes (see the two checks below). */
static __always_inline int rpf_exempt6(const struct in6_addr *saddr)
{
	return ip6_addr_is_linklocal(saddr) || ip6_addr_is_any(saddr);
}

static __always_inline int rpf_exempt4(__u32 saddr)
{
	return (saddr & IP4_MASK_8) == IP4_NET_ZERO || (saddr & IP4_MASK_8) == IP4_NET_LOOPBACK ||
	       (saddr & IP4_MASK_4) == IP4_NET_MCAST || (saddr & IP4_MASK_4) == IP4_NET_CLASS_E;
}

/* The packet's source is exempt (either family): 1, else 0. */
__attribute__((noinline)) int xrt_rpf_source_exempt(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	const struct ethhdr *eth = data;
	const struct ipv6hdr *ip6 = data + sizeof(struct ethhdr);
	const struct iphdr *iph = data + sizeof(struct ethhdr);
	struct in6_addr saddr;

	if ((void *)(ip6 + 1) > end)
		return 0;
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		return rpf_exempt4(bpf_ntohl(iph->saddr));
	saddr = ip6->saddr;
	return rpf_exempt6(&saddr);
}

/*
 * IPv6: the source's route in the ingress interface's table. Link-local
 * and unspecified sources are exempt: the kernel (ip6t_rpfilter,
 * nft_fib6) looks link-local sources up on the ingress itself, where they
 * always are, and lets :: (DAD, RFC 4862 5.4) through. 0 valid, 1 not.
 */
__attribute__((noinline)) int xrt_fib6_validate_source(struct xdp_md *ctx, __u32 table,
						       __u32 ifindex, __u32 strict)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	const struct ipv6hdr *ip6 = data + sizeof(struct ethhdr);
	struct in6_addr saddr;

	if ((void *)(ip6 + 1) > end)
		return 0; /* ipv6_rcv let it through: cannot happen */
	saddr = ip6->saddr;
	if (rpf_exempt6(&saddr))
		return 0;
	return xrt_fib_validate_leaf(fib6_lookup(table, &saddr), ifindex, strict);
}

/*
 * IPv4 (fib_validate_source, rp_filter 1 and 2): the source's route as
 * fib_lookup finds it, table local first (a local or broadcast source is
 * not unicast: refused, "res.type != RTN_UNICAST ... goto e_inval"), then
 * the ingress interface's table. 0.0.0.0 is exempt (brd_input and
 * ip_mc_validate_source skip the check for it: DHCP's DISCOVER); the other
 * martian sources are ip_route_input's to drop and count, as the kernel
 * finds them before it validates a source. 0 valid, 1 not.
 */
__attribute__((noinline)) int xrt_fib4_validate_source(struct xdp_md *ctx, __u32 table,
						       __u32 ifindex, __u32 strict)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	const struct iphdr *iph = data + sizeof(struct ethhdr);
	__u32 saddr, leaf;

	if ((void *)(iph + 1) > end)
		return 0; /* ip_rcv let it through: cannot happen */
	saddr = bpf_ntohl(iph->saddr);
	if (rpf_exempt4(saddr))
		return 0;
	leaf = fib_lookup(XRT_TABLE_LOCAL, iph->saddr);
	if (!leaf)
		leaf = fib_lookup(table, iph->saddr);
	return xrt_fib_validate_leaf(leaf, ifindex, strict);
}

/* The ingress's rpf mode: the drop counted by mode (rpf_strict,
 * rpf_loose) when validate, the family's check, refused the source. */
static __always_inline int rpf_verdict(struct xrt_pkt *p, int invalid)
{
	if (!invalid)
		return XRT_NEXT;
	return xrt_drop(p, (p->iif->flags & XRT_IF_F_RPF_STRICT) ? XRT_DROP_RPF_STRICT
								: XRT_DROP_RPF_LOOSE);
}

/*
 * With policy rules published, fib_validate_source's fib_lookup is the
 * rules' walk of the reverse flow (bpf/fib_rules.h): a rule may send the
 * way back to another table. XRT_NEXT if not (the family's own check
 * follows), else the verdict; a rule xrt cannot evaluate, or too many,
 * passes the packet to the kernel, as forwarding does.
 */
static __always_inline int rpf_through_rules(struct xrt_pkt *p, int *done)
{
	__u32 leaf;

	*done = 0;
	if (!fib_rules_validate_source(p, &leaf))
		return XRT_NEXT;
	*done = 1;
	if (xrt_rpf_source_exempt(p->ctx))
		return XRT_NEXT;
	if (leaf == XRT_FR_LEAF_KERNEL)
		return xrt_pass(p, XRT_PASS_RULE_UNSUPPORTED);
	if (leaf == XRT_FR_LEAF_LIMIT)
		return xrt_pass(p, XRT_PASS_RULE_LIMIT);
	return rpf_verdict(p, xrt_fib_validate_leaf(leaf, p->ifindex,
						    p->iif->flags & XRT_IF_F_RPF_STRICT));
}

static __always_inline int ip6_rpf(struct xrt_pkt *p)
{
	int rc, done;

#ifdef XRT_POLICY_COMPILED_OUT /* tools/fpcost's plain pipeline */
	return XRT_NEXT;
#endif
	if (!(p->iif->flags & XRT_IF_F_RPF))
		return XRT_NEXT;
	rc = rpf_through_rules(p, &done);
	if (done)
		return rc;
	return rpf_verdict(p, xrt_fib6_validate_source(p->ctx, p->iif->table, p->ifindex,
						       p->iif->flags & XRT_IF_F_RPF_STRICT));
}

static __always_inline int ip_rpf(struct xrt_pkt *p)
{
	int rc, done;

#ifdef XRT_POLICY_COMPILED_OUT /* tools/fpcost's plain pipeline */
	return XRT_NEXT;
#endif
	if (!(p->iif->flags & XRT_IF_F_RPF))
		return XRT_NEXT;
	rc = rpf_through_rules(p, &done);
	if (done)
		return rc;
	return rpf_verdict(p, xrt_fib4_validate_source(p->ctx, p->iif->table, p->ifindex,
						       p->iif->flags & XRT_IF_F_RPF_STRICT));
}

#endif
