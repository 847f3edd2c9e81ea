/* xrt: the FIB trie's walk steps, shared by the fast path (bpf/fib6_lookup.h) and its builder (userspace/dataplane/ip6_fib.c). */
#ifndef XRT_FIB6_H
#define XRT_FIB6_H

#include <linux/types.h>
#include "maps.h"

#ifndef XRT_FIB6_INLINE
#define XRT_FIB6_INLINE static inline __attribute__((always_inline))
#endif

/* The 4 bits of (hi, lo) starting at bit q (0 = the address's first bit),
 * q <= XRT_FIB6_NODE_MAXPOS. */
XRT_FIB6_INLINE __u32 xrt_fib6_nibble(__u64 hi, __u64 lo, __u32 q)
{
	if (q <= 60)
		return (__u32)(hi >> (60 - q)) & 0xf;
	if (q >= 64)
		return (__u32)(lo >> (124 - q)) & 0xf;
	return (__u32)((hi << (q - 60)) | (lo >> (124 - q))) & 0xf;
}

/* Do the first plen bits of (hi, lo) equal the record's prefix? */
XRT_FIB6_INLINE int xrt_fib6_rec_match(const struct xrt_fib6_rec *r, __u64 hi,
				       __u64 lo)
{
	__u32 plen = r->plen;

	if (plen <= 64)
		return plen == 0 || ((hi ^ r->hi) >> (64 - plen)) == 0;
	return hi == r->hi && ((lo ^ r->lo) >> (128 - plen)) == 0;
}

/* Where the step after a node at pos starts reading. */
XRT_FIB6_INLINE __u32 xrt_fib6_node_pos(__u32 pos)
{
	return pos < XRT_FIB6_NODE_MAXPOS ? pos : XRT_FIB6_NODE_MAXPOS;
}

XRT_FIB6_INLINE __u32 xrt_fib6_leaf(__u32 type, __u32 nh)
{
	__u32 ref = (nh & XRT_NH_GROUP) ? XRT_FIB6_LEAF_GRP | (nh & ~XRT_NH_GROUP) : nh;

	return (type << XRT_FIB6_LEAF_TYPE_SHIFT) | ref;
}

XRT_FIB6_INLINE __u32 xrt_fib6_leaf_type(__u32 leaf)
{
	return leaf >> XRT_FIB6_LEAF_TYPE_SHIFT;
}

/* The leaf's next hop as struct xrt_fib6_val.nh spells it. */
XRT_FIB6_INLINE __u32 xrt_fib6_leaf_nh(__u32 leaf)
{
	__u32 id = leaf & XRT_FIB6_LEAF_NH;

	return (leaf & XRT_FIB6_LEAF_GRP) ? XRT_NH_GROUP | id : id;
}

#endif
