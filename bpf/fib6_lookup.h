/* xrt fast path stage 5: fib6_lookup, the walk of the FIB trie (shared with bench_lpm and the IPv4 fib_lookup). */
#ifndef XRT_BPF_FIB6_LOOKUP_H
#define XRT_BPF_FIB6_LOOKUP_H

#include <linux/in6.h>
#include <bpf/bpf_endian.h>
#include "fib6_maps.h"
#include "xrt/fib6.h"

/*
 * The walk of include/xrt/maps.h for the key (hi, lo) in trie `trie` (an
 * IPv6 table id, or XRT_FIB4_TBL of an IPv4 one): one DP entry, then nodes
 * and records; the leaf pushed into the last entry is the answer (0: no
 * route).
 */
static __always_inline __u32 xrt_fib_walk(__u32 trie, __u64 hi, __u64 lo)
{
	const struct xrt_fib6_tbl *tbl = bpf_map_lookup_elem(&xrt_fib6_tbl, &trie);
	const struct xrt_fib6_node *node;
	const struct xrt_fib6_rec *rec;
	__u32 pos = XRT_FIB6_DP_BITS, i, q, step;
	const struct xrt_fib6_dp *dp;

	if (!tbl)
		return 0;
	dp = bpf_map_lookup_elem(&xrt_fib6_dp, &tbl->slot);
	if (!dp)
		return 0;
	__u32 e = dp->e[hi >> 48];
	for (step = 0; step < XRT_FIB6_MAX_STEPS; step++) {
		i = e & XRT_FIB6_E_IDX;
		if (e & XRT_FIB6_E_NODE) {
			node = bpf_map_lookup_elem(&xrt_fib6_node, &i);
			if (!node)
				return 0;
			q = xrt_fib6_node_pos(pos);
			e = node->e[xrt_fib6_nibble(hi, lo, q)];
			pos = q + XRT_FIB6_STRIDE;
		} else if (e & XRT_FIB6_E_REC) {
			rec = bpf_map_lookup_elem(&xrt_fib6_rec, &i);
			if (!rec)
				return 0;
			if (!xrt_fib6_rec_match(rec, hi, lo))
				return rec->miss ?: tbl->dflt;
			e = rec->match;
			pos = rec->plen;
		} else {
			return e ?: tbl->dflt;
		}
		/* Both branches leave pos in 0..128; hiding how keeps the
		 * verifier's state at the loop head the same whichever branch
		 * ran, so it explores each step once, not every mix of
		 * branches (244k instructions verified without this). */
		asm volatile("" : "+r"(pos));
		pos &= 0xff;
	}
	return 0;
}

/* fib6_node_lookup's second step (CONFIG_IPV6_SUBTREES): the source's walk
 * in the destination's flattened subtree (include/xrt/maps.h). A global
 * function: verified once, and a call only for destinations that have
 * source-specific routes. */
__attribute__((noinline)) __u32 xrt_fib6_subtree(__u32 sub, __u64 hi, __u64 lo)
{
	if (sub >= XRT_FIB6_SUBTREES)
		return 0;
	return xrt_fib_walk(XRT_FIB6_SUB_TBL(sub), hi, lo);
}

/* A leaf of an IPv6 table's walk, resolved with the packet's source when
 * it leads to a subtree. */
static __always_inline __u32 xrt_fib6_leaf_src(__u32 leaf, const struct in6_addr *saddr)
{
	if (xrt_fib6_leaf_type(leaf) != XRT_FIB6_LEAF_SUBTREE)
		return leaf;
	return xrt_fib6_subtree(leaf & XRT_FIB6_LEAF_NH,
				bpf_be64_to_cpu(((const __u64 *)saddr)[0]),
				bpf_be64_to_cpu(((const __u64 *)saddr)[1]));
}

/* fib6_lookup: the route for (daddr, saddr) in table, as a leaf (0: no
 * route): the longest destination, then within it the longest source. */
static __always_inline __u32 fib6_lookup_src(__u32 table, const struct in6_addr *daddr,
					     const struct in6_addr *saddr)
{
	__u32 leaf = xrt_fib_walk(table, bpf_be64_to_cpu(((const __u64 *)daddr)[0]),
				  bpf_be64_to_cpu(((const __u64 *)daddr)[1]));

	return xrt_fib6_leaf_src(leaf, saddr);
}

/* The same without a source (the kernel's lookups with saddr ::, such as
 * the reverse path's). */
static __always_inline __u32 fib6_lookup(__u32 table, const struct in6_addr *daddr)
{
	__u32 leaf = xrt_fib_walk(table, bpf_be64_to_cpu(((const __u64 *)daddr)[0]),
				  bpf_be64_to_cpu(((const __u64 *)daddr)[1]));

	if (xrt_fib6_leaf_type(leaf) != XRT_FIB6_LEAF_SUBTREE)
		return leaf;
	return xrt_fib6_subtree(leaf & XRT_FIB6_LEAF_NH, 0, 0);
}

#endif
