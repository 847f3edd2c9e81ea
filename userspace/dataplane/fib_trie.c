/* xrt: the fast path's IPv4 FIB (the kernel's fib_trie): IPv4 prefixes as the top 32 bits of a key in a trie of their own. */
#include "dataplane/fib_trie.h"

#include <errno.h>
#include <string.h>

#include "xrt/inet.h"
#include "xrt/maps.h"

#define IP4_ADDR_BITS 32 /* RFC 791 3.1 */

/* The trie key of an IPv4 address: its 4 bytes first, the rest zero
 * (bpf/fib_lookup.h reads it the same way). */
static void fib4_key(uint32_t addr_be, uint8_t key[16])
{
	memset(key, 0, 16);
	memcpy(key, &addr_be, sizeof(addr_be));
}

static int fib4_check(uint32_t table, unsigned plen, char *err)
{
	if (table >= XRT_MAX_TABLES)
		return xrt_fail(err, -EINVAL, "table %u: must be below %u", table,
				XRT_MAX_TABLES);
	if (plen > IP4_ADDR_BITS)
		return xrt_fail(err, -EINVAL, "prefix length %u: must be 0..32", plen);
	return 0;
}

/* fib_table_insert (net/ipv4/fib_trie.c). */
int fib_table_insert(struct fib6 *f, uint32_t table, uint32_t dst, unsigned plen,
		     uint32_t leaf, char *err)
{
	uint8_t key[16];
	int rc = fib4_check(table, plen, err);

	if (rc)
		return rc;
	fib4_key(dst, key);
	return fib6_add(f, XRT_FIB4_TBL(table), key, plen, leaf, err);
}

/* fib_table_delete (net/ipv4/fib_trie.c). */
int fib_table_delete(struct fib6 *f, uint32_t table, uint32_t dst, unsigned plen,
		     char *err)
{
	uint8_t key[16];
	int rc = fib4_check(table, plen, err);

	if (rc)
		return rc;
	fib4_key(dst, key);
	return fib6_del(f, XRT_FIB4_TBL(table), key, plen, err);
}

uint32_t fib_table_get(const struct fib6 *f, uint32_t table, uint32_t dst, unsigned plen)
{
	uint8_t key[16];

	if (table >= XRT_MAX_TABLES || plen > IP4_ADDR_BITS)
		return 0;
	fib4_key(dst, key);
	return fib6_get(f, XRT_FIB4_TBL(table), key, plen);
}

/* fib_table_lookup (net/ipv4/fib_trie.c): the fast path's walk. */
uint32_t fib_table_lookup(const struct fib6_mem *mem, uint32_t table, uint32_t daddr)
{
	uint8_t key[16];

	if (table >= XRT_MAX_TABLES)
		return 0;
	fib4_key(daddr, key);
	return fib6_lookup(mem, XRT_FIB4_TBL(table), key);
}
