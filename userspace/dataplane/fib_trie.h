/* xrt: the fast path's IPv4 FIB (the kernel's fib_trie): a trie per table in the IPv6 trie's maps, keyed by the IPv4 address. */
#ifndef XRT_DATAPLANE_FIB_TRIE_H
#define XRT_DATAPLANE_FIB_TRIE_H

#include <stdint.h>
#include "dataplane/ip6_fib.h"

/*
 * IPv4 routes of table (0..XRT_MAX_TABLES-1), daddr in network byte order,
 * plen 0..32, in the trie XRT_FIB4_TBL(table) of include/xrt/maps.h. They
 * share the IPv6 trie's cells and limits (XRT_MAX_ROUTES counts both).
 * Same returns as fib6_add / fib6_del / fib6_get / fib6_lookup.
 */
int fib_table_insert(struct fib6 *f, uint32_t table, uint32_t dst, unsigned plen,
		     uint32_t leaf, char *err);
int fib_table_delete(struct fib6 *f, uint32_t table, uint32_t dst, unsigned plen,
		     char *err);
uint32_t fib_table_get(const struct fib6 *f, uint32_t table, uint32_t dst, unsigned plen);
uint32_t fib_table_lookup(const struct fib6_mem *mem, uint32_t table, uint32_t daddr);

#endif
