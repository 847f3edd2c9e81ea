/* xrt fast path: the per-packet state that flows from stage to stage. */
#ifndef XRT_BPF_PKT_H
#define XRT_BPF_PKT_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xrt/maps.h"
#include "xrt/proto.h"

/* A stage returns XRT_NEXT to hand the packet to the next stage, or the XDP
 * verdict that ends the pipeline. */
#define XRT_NEXT (-1)

struct xrt_pkt {
	struct xdp_md *ctx;
	struct ethhdr *eth;
	struct ipv6hdr *ip6;
	struct iphdr *ip4;           /* the same bytes, for an IPv4 frame */
	void *data_end;
	const struct xrt_iface *iif; /* ingress interface */
	struct xrt_stats *st;        /* ingress slot's counters, this CPU */
	__u32 ifindex;               /* ingress */
	__u32 len;                   /* IPv6: 40 + payload length; IPv4: total length */
	__u32 feat_off;              /* the stages with nothing to do (bpf/feat.h) */
	__be16 proto;                /* the Ethernet type (eth_type_trans) */
	/* Both addresses in 2000::/3 (set by ipv6_rcv): none of the special
	 * classes the later checks look for, so they are skipped. */
	bool global;
	/* Filled by the route stages, copied into the punt metadata. */
	__u32 nh_id;
	const struct xrt_nh *nh;
	__u32 oif;
	__u32 mtu;
	/* `xrt trace` (bpf/trace.h): the last drop or pass reason and the
	 * punt reason + 1, left by the helpers of stats.h and punt.h; read
	 * only in the traced copy of the pipeline. */
	__u8 tr_kind, tr_why, tr_punt;
};

/*
 * MACs as a 32-bit and a 16-bit word (ether_addr_equal and ether_addr_copy
 * do the same with CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS): 4 loads instead
 * of 12 for a compare, 4 instructions instead of 12 for a copy. The
 * verifier allows unaligned packet and map value access where the
 * architecture does (x86, arm64); clang would split a 6-byte
 * __builtin_memcpy between byte-aligned pointers into bytes.
 */
static __always_inline int xrt_mac_eq(const __u8 *a, const __u8 *b)
{
	return ((*(const __u32 *)a ^ *(const __u32 *)b) |
		(*(const __u16 *)(a + 4) ^ *(const __u16 *)(b + 4))) == 0;
}

static __always_inline void xrt_mac_copy(__u8 *dst, const __u8 *src)
{
	*(__u32 *)dst = *(const __u32 *)src;
	*(__u16 *)(dst + 4) = *(const __u16 *)(src + 4);
}

static __always_inline int ip6_addr_is_multicast(const struct in6_addr *a)
{
	return a->in6_u.u6_addr8[0] == 0xff;
}

static __always_inline int ip6_addr_is_any(const struct in6_addr *a)
{
	return (a->in6_u.u6_addr32[0] | a->in6_u.u6_addr32[1] |
		a->in6_u.u6_addr32[2] | a->in6_u.u6_addr32[3]) == 0;
}

/* RFC 4291 section 2.5.3: ::1. */
static __always_inline int ip6_addr_is_loopback(const struct in6_addr *a)
{
	return (a->in6_u.u6_addr32[0] | a->in6_u.u6_addr32[1] |
		a->in6_u.u6_addr32[2] |
		(a->in6_u.u6_addr32[3] ^ bpf_htonl(1))) == 0;
}

/* RFC 4291 section 2.4: 2000::/3 is global unicast, disjoint from
 * loopback, unspecified, multicast and link-local. */
static __always_inline int ip6_addr_is_global(const struct in6_addr *a)
{
	return (a->in6_u.u6_addr8[0] & 0xe0) == 0x20;
}

/* RFC 4291 section 2.5.6: fe80::/10. */
static __always_inline int ip6_addr_is_linklocal(const struct in6_addr *a)
{
	return a->in6_u.u6_addr8[0] == 0xfe &&
	       (a->in6_u.u6_addr8[1] & 0xc0) == 0x80;
}

#endif
