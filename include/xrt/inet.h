/* xrt: how userspace carries IPv4 addresses: as IPv4-mapped IPv6 addresses (RFC 4291 2.5.5.2). */
#ifndef XRT_INET_H
#define XRT_INET_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

/*
 * Below the command line, every IPv4 address is an IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) and every IPv4 prefix length is the IPv6 one, plus 96:
 * 10.0.0.0/8 is ::ffff:10.0.0.0/104, the IPv4 default route is
 * ::ffff:0.0.0.0/96. The RIB, next-hop gateways, the neighbour table (ARP
 * entries are keyed like ND entries), the stack's address lists and its
 * route lookups take one type for both families; the family is the address
 * itself. No IPv6 route or address may lie inside ::ffff:0:0/96 (the kernel
 * never routes it as IPv6 either: RFC 4291 2.5.5.2 reserves it for IPv4
 * nodes), so the two families never match each other's prefixes. Only the
 * CLI's parser and printer, the netlink mirror and the fast path's maps
 * (which hold IPv4 keys in their own trie) translate.
 */
#define XRT_V4_PLEN_OFFSET 96

static inline bool xrt_addr_is_v4(const struct in6_addr *a)
{
	static const uint8_t pfx[12] = { [10] = 0xff, [11] = 0xff };

	return memcmp(a->s6_addr, pfx, sizeof(pfx)) == 0;
}

/* ::ffff:v4, v4 in network byte order. */
static inline void xrt_addr_from_v4(struct in6_addr *a, uint32_t v4_be)
{
	memset(a->s6_addr, 0, 10);
	a->s6_addr[10] = 0xff;
	a->s6_addr[11] = 0xff;
	memcpy(&a->s6_addr[12], &v4_be, 4);
}

/* The IPv4 address of a mapped address, network byte order. */
static inline uint32_t xrt_addr_v4(const struct in6_addr *a)
{
	uint32_t v4;

	memcpy(&v4, &a->s6_addr[12], 4);
	return v4;
}

#endif
