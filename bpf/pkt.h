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

static __always_inline int xrt_mac_eq(const __u8 *a, const __u8 *b)
{
	return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]) |
		(a[4] ^ b[4]) | (a[5] ^ b[5])) == 0;
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
