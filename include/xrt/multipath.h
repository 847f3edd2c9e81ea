/* xrt: rt6_multipath_hash and fib_multipath_hash, the ECMP flow hash, one definition compiled by the fast path (bpf/fib_select_path.h) and by xrtd (`xrt route get`). */
#ifndef XRT_MULTIPATH_H
#define XRT_MULTIPATH_H

#include <linux/types.h>
#include "proto.h"

#ifndef XRT_MULTIPATH_INLINE
#define XRT_MULTIPATH_INLINE static inline __attribute__((always_inline))
#endif

/* The flow label bits of the IPv6 header's first word (RFC 8200 section 3),
 * in network order: the hash reads the word as it lies in the packet. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define XRT_MP_FLOWLABEL_MASK __builtin_bswap32(0x000fffffu)
#else
#define XRT_MP_FLOWLABEL_MASK 0x000fffffu
#endif

/* Murmur3's finaliser: every input bit moves every output bit, so the
 * bucket (hash % nbuckets) is spread even for nearly identical flows. */
XRT_MULTIPATH_INLINE __u32 xrt_mp_fmix32(__u32 h)
{
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

XRT_MULTIPATH_INLINE __u32 xrt_mp_mix(__u32 h, __u32 w)
{
	h ^= w;
	h *= 0x9e3779b1; /* 2^32 / golden ratio */
	return (h << 13) | (h >> 19);
}

/*
 * rt6_multipath_hash: flow label, addresses, next header and, when the next
 * header is TCP or UDP, the ports (RFC 6438: the flow label alone may be 0).
 * Every word is as it lies in packet memory: word0 is the header's first
 * word, saddr and daddr the addresses, ports the first word after the fixed
 * header or NULL when the frame ends before it. Extension headers are not
 * walked: such packets hash on L3 only, which still keeps each flow on one
 * path. The group member is bucket[hash % nbuckets].
 */
XRT_MULTIPATH_INLINE __u32 rt6_multipath_hash(__u32 word0, const __u32 *saddr,
					      const __u32 *daddr, __u8 nexthdr,
					      const __u32 *ports)
{
	__u32 h = word0 & XRT_MP_FLOWLABEL_MASK;
	int i;

#pragma GCC unroll 4
	for (i = 0; i < 4; i++)
		h = xrt_mp_mix(h, saddr[i]);
#pragma GCC unroll 4
	for (i = 0; i < 4; i++)
		h = xrt_mp_mix(h, daddr[i]);
	h = xrt_mp_mix(h, nexthdr);
	if ((nexthdr == NEXTHDR_TCP || nexthdr == NEXTHDR_UDP) && ports)
		h = xrt_mp_mix(h, *ports); /* source and destination ports */
	return xrt_mp_fmix32(h);
}

/* ::ffff:0:0/96's third word (RFC 4291 2.5.5.2), as it lies in memory. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define XRT_MP_V4MAPPED __builtin_bswap32(0x0000ffffu)
#else
#define XRT_MP_V4MAPPED 0x0000ffffu
#endif

/*
 * fib_multipath_hash (net/ipv4/route.c), the IPv4 flow hash: the same hash
 * over the IPv4-mapped addresses (include/xrt/inet.h) with no flow label,
 * so `xrt route get` hashes an IPv4 flow with rt6_multipath_hash_flow over
 * the mapped addresses and flowlabel 0 and gets the fast path's answer.
 * saddr, daddr network order as in the header; ports NULL when the frame
 * ends before them or the packet is a fragment (the kernel's flow
 * dissector finds no ports there either).
 */
XRT_MULTIPATH_INLINE __u32 fib_multipath_hash(__u32 saddr, __u32 daddr, __u8 protocol,
					      const __u32 *ports)
{
	const __u32 s[4] = { 0, 0, XRT_MP_V4MAPPED, saddr };
	const __u32 d[4] = { 0, 0, XRT_MP_V4MAPPED, daddr };

	return rt6_multipath_hash(0, s, d, protocol, ports);
}

#ifndef __bpf__
#include <stdbool.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

/* A flow given by its fields, for `xrt route get` (no packet at hand). */
struct rt6_flow {
	struct in6_addr saddr, daddr;
	__u32 flowlabel; /* 20 bits */
	__u8 nexthdr;
	bool has_ports;  /* TCP or UDP with its first 4 bytes present */
	__u16 sport, dport; /* host order */
};

/* rt6_multipath_hash of the packet the fast path would see for f: its
 * fields laid out as they lie in the header. */
static inline __u32 rt6_multipath_hash_flow(const struct rt6_flow *f)
{
	__u8 first[4] = {0x60, (__u8)((f->flowlabel >> 16) & 0x0f), (__u8)(f->flowlabel >> 8),
			 (__u8)f->flowlabel};
	__u16 port[2] = {htons(f->sport), htons(f->dport)};
	__u32 word0, saddr[4], daddr[4], ports;

	memcpy(&word0, first, sizeof(word0));
	memcpy(saddr, &f->saddr, sizeof(saddr));
	memcpy(daddr, &f->daddr, sizeof(daddr));
	memcpy(&ports, port, sizeof(ports));
	return rt6_multipath_hash(word0, saddr, daddr, f->nexthdr, f->has_ports ? &ports : NULL);
}
#endif

#endif
