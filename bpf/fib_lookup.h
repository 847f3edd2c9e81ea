/* xrt fast path, IPv4: fib_lookup, the walk of the table's IPv4 trie (include/xrt/maps.h, XRT_FIB4_TBL). */
#ifndef XRT_BPF_FIB_LOOKUP_H
#define XRT_BPF_FIB_LOOKUP_H

#include "fib6_lookup.h"

/* fib_lookup (net/ipv4/fib_trie.c fib_table_lookup): the longest match for
 * daddr (network order) in table's IPv4 trie, as a leaf (0: no route). The
 * address is the key's top 32 bits, as userspace/dataplane/fib_trie.c
 * stores it. */
static __always_inline __u32 fib_lookup(__u32 table, __be32 daddr)
{
	return xrt_fib_walk(XRT_FIB4_TBL(table), (__u64)bpf_ntohl(daddr) << 32, 0);
}

#endif
