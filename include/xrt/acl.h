/* xrt: the stateless ACL's maps and its match, one inline shared by the fast path (bpf/nf_hook.h) and xrtd (local input). */
#ifndef XRT_ACL_H
#define XRT_ACL_H

#include <linux/types.h>
#include "proto.h"

#ifndef XRT_ACL_INLINE
#define XRT_ACL_INLINE static inline __attribute__((always_inline))
#endif

/*
 * Rules over all directions (prerouting, forward/postrouting, local input).
 * The fast path classifies with bit vectors (include/xrt/cls.h): its cost
 * grows by one 64-bit AND per field for every 64 rules, not by a match per
 * rule (`fpcost --acl`, BENCHMARKS.md). 1024: iptables users keep lists
 * of a few hundred; the classifier's maps stay a few MB at that bound (the
 * port intervals' bitmaps grow with its square). `xrt acl add` beyond it
 * fails ("acl: full") and is counted (acl_refused).
 */
#define XRT_ACL_MAX 1024

/* The netfilter hook a rule sits at. */
enum xrt_acl_dir {
	XRT_ACL_IN,    /* NF_INET_PRE_ROUTING: ingress, before the route lookup */
	XRT_ACL_OUT,   /* NF_INET_FORWARD / POST_ROUTING: egress, forwarded */
	XRT_ACL_LOCAL, /* NF_INET_LOCAL_IN: to the router, in xrtd */
	XRT_ACL_DIRS,
};
enum xrt_acl_action { XRT_ACL_PASS, XRT_ACL_DROP };

#define XRT_ACL_F_PROTO 0x01
#define XRT_ACL_F_SPORT 0x02
#define XRT_ACL_F_DPORT 0x04
#define XRT_ACL_F_TYPE 0x08
#define XRT_ACL_F_CODE 0x10
#define XRT_ACL_F_L4 (XRT_ACL_F_SPORT | XRT_ACL_F_DPORT | XRT_ACL_F_TYPE | XRT_ACL_F_CODE)

/* One rule; addresses IPv6 (IPv4 as ::ffff:a.b.c.d, include/xrt/inet.h),
 * network byte order, masks precomputed from the prefix lengths. */
struct xrt_acl_rule {
	__u8 src[16], smask[16];
	__u8 dst[16], dmask[16];
	__u32 ifindex; /* ingress (in, local) or egress (out); 0 = any */
	__u32 cnt;     /* counter slot in xrt_acl_cnt */
	__u16 sport_lo, sport_hi, dport_lo, dport_hi; /* host order, inclusive */
	__u8 flags;    /* XRT_ACL_F_* */
	__u8 proto;
	__u8 icmp_type, icmp_code;
	__u8 action;   /* enum xrt_acl_action */
	__u8 dir;      /* enum xrt_acl_dir */
	/* 1: an IPv4 rule, 0: IPv6. A rule matches its own family's packets
	 * only, as iptables and ip6tables keep separate tables (a rule that
	 * names no address is not both). Was padding: old rules are IPv6. */
	__u8 v4;
	__u8 pad;
};

/* What a rule looks at in a packet (xrt_acl_parse6). */
struct xrt_acl_key {
	__u8 saddr[16], daddr[16];
	__u32 ifindex;
	__u16 sport, dport;
	__u8 proto;
	/* The transport header is here: the first fragment (or no fragment
	 * header) and long enough. Port and ICMP rules match only then, as
	 * nftables' payload expressions (nft_payload_eval: pkt->fragoff). */
	__u8 l4;
	__u8 icmp_type, icmp_code;
	__u8 v4; /* an IPv4 packet (xrt_acl_parse4) */
};

/* xrt_acl_cnt: PERCPU_ARRAY by counter slot. */
struct xrt_acl_cnt {
	__u64 pkts, bytes;
};

/*
 * xrt_acl_rules: ARRAY of 2 banks of XRT_ACL_MAX rules. A bank holds the
 * prerouting rules (n_in) then the forward rules (n_out), each list in
 * match order. xrt_acl_cfg: ARRAY, keys 0 and 1 the banks' counts,
 * XRT_ACL_CFG_ACTIVE the bank packets read. The writer fills the other
 * bank, then stores the active index (one aligned 32-bit store), then waits
 * for an RCU grace period before it writes that bank again: a packet sees
 * the old rule set or the new one, never a mix.
 */
#define XRT_MAP_ACL_RULES "xrt_acl_rules"
#define XRT_MAP_ACL_CFG "xrt_acl_cfg"
#define XRT_MAP_ACL_CNT "xrt_acl_cnt"
#define XRT_ACL_BANKS 2
#define XRT_ACL_CFG_ACTIVE XRT_ACL_BANKS
struct xrt_acl_cfg {
	__u32 n_in;  /* bank: prerouting rules; ACTIVE: XRT_ACL_ACT_* */
	__u32 n_out; /* bank: forward rules */
};
/* ACTIVE's n_in: the bank, and whether each hook has rules there, so an
 * empty hook costs one load and a branch. */
#define XRT_ACL_ACT_BANK 0x1
#define XRT_ACL_ACT_IN 0x2
#define XRT_ACL_ACT_OUT 0x4

/* Extension headers walked to find the transport header (RFC 8200 4.1 has
 * at most hop-by-hop, destination, routing, fragment, AH, destination). */
#define XRT_ACL_MAX_EXTHDRS 6

XRT_ACL_INLINE int xrt_acl_pfx_match(const __u8 *a, const __u8 *pfx, const __u8 *mask)
{
	const __u32 *x = (const __u32 *)a, *p = (const __u32 *)pfx, *m = (const __u32 *)mask;

	return (((x[0] ^ p[0]) & m[0]) | ((x[1] ^ p[1]) & m[1]) | ((x[2] ^ p[2]) & m[2]) |
		((x[3] ^ p[3]) & m[3])) == 0;
}

/* The rule matches the packet (every given field; an absent one is any). */
XRT_ACL_INLINE int xrt_acl_match(const struct xrt_acl_rule *r, const struct xrt_acl_key *k)
{
	if (r->v4 != k->v4 || (r->ifindex && r->ifindex != k->ifindex))
		return 0;
	if (!xrt_acl_pfx_match(k->saddr, r->src, r->smask) ||
	    !xrt_acl_pfx_match(k->daddr, r->dst, r->dmask))
		return 0;
	if (!r->flags)
		return 1;
	if ((r->flags & XRT_ACL_F_PROTO) && r->proto != k->proto)
		return 0;
	if (!(r->flags & XRT_ACL_F_L4))
		return 1;
	if (!k->l4)
		return 0;
	if ((r->flags & XRT_ACL_F_SPORT) && (k->sport < r->sport_lo || k->sport > r->sport_hi))
		return 0;
	if ((r->flags & XRT_ACL_F_DPORT) && (k->dport < r->dport_lo || k->dport > r->dport_hi))
		return 0;
	if ((r->flags & XRT_ACL_F_TYPE) && r->icmp_type != k->icmp_type)
		return 0;
	if ((r->flags & XRT_ACL_F_CODE) && r->icmp_code != k->icmp_code)
		return 0;
	return 1;
}

/* The transport header's first 4 bytes: ports, or ICMP type and code
 * (ICMPv6's for IPv6, ICMP's for IPv4: the family's own). */
XRT_ACL_INLINE void xrt_acl_parse_l4(const __u8 *h, const __u8 *end, __u8 icmp,
				     struct xrt_acl_key *k)
{
	if (h + 4 > end)
		return;
	if (k->proto == icmp) {
		k->icmp_type = h[0];
		k->icmp_code = h[1];
		k->l4 = 1;
	} else if (k->proto == NEXTHDR_TCP || k->proto == NEXTHDR_UDP) {
		k->sport = (__u16)(h[0] << 8 | h[1]);
		k->dport = (__u16)(h[2] << 8 | h[3]);
		k->l4 = 1;
	}
}

/*
 * The key of an IPv6 packet (ip6 points at the fixed header, end past the
 * packet): addresses, then the extension header chain as ipv6_find_hdr
 * walks it to the upper-layer protocol. A non-first fragment gives its
 * protocol but no ports (l4 = 0); an unknown header ends the walk there.
 */
XRT_ACL_INLINE void xrt_acl_parse6(const __u8 *ip6, const __u8 *end, struct xrt_acl_key *k)
{
	const __u8 *h;
	__u32 off = IP6_HDR_LEN, i, frag;
	__u8 nh;

	if (ip6 + IP6_HDR_LEN > end)
		return;
	__builtin_memcpy(k->saddr, ip6 + 8, 16);
	__builtin_memcpy(k->daddr, ip6 + 24, 16);
	nh = ip6[6];
	k->l4 = 0;
	for (i = 0; i < XRT_ACL_MAX_EXTHDRS; i++) {
		h = ip6 + off;
		if (h + 8 > end)
			break;
		if (nh == NEXTHDR_HOP || nh == NEXTHDR_ROUTING || nh == NEXTHDR_DEST) {
			nh = h[0];
			off += ((__u32)h[1] + 1) * 8;
		} else if (nh == NEXTHDR_AUTH) {
			nh = h[0];
			off += ((__u32)h[1] + 2) * 4; /* RFC 4302 2.2 */
		} else if (nh == NEXTHDR_FRAGMENT) {
			nh = h[0];
			frag = ((__u32)h[2] << 8 | h[3]) & IP6_FRAG_OFFSET_MASK;
			if (frag) {
				k->proto = nh;
				return;
			}
			off += IP6_FRAG_HDR_LEN;
		} else {
			break;
		}
		/* Each step adds at most 2048: the bound keeps the verifier's
		 * packet offset range small. */
		off &= 0x3fff;
	}
	k->proto = nh;
	xrt_acl_parse_l4(ip6 + off, end, NEXTHDR_ICMP, k);
}

/*
 * The key of an IPv4 packet (ip4 points at the header, end past the
 * packet): addresses as ::ffff:a.b.c.d, the protocol,
 * and the transport header unless this is a non-first fragment (fragment
 * offset not 0, RFC 791 3.1): then l4 = 0, as nftables' payload
 * expressions see no transport header (pkt->fragoff, nft_set_pktinfo_ipv4).
 */
XRT_ACL_INLINE void xrt_acl_parse4(const __u8 *ip4, const __u8 *end, struct xrt_acl_key *k)
{
	__u32 ihl;

	k->v4 = 1;
	k->l4 = 0;
	if (ip4 + IP4_HDR_LEN > end)
		return;
	__builtin_memset(k->saddr, 0, 10);
	__builtin_memset(k->daddr, 0, 10);
	k->saddr[10] = k->saddr[11] = k->daddr[10] = k->daddr[11] = 0xff;
	__builtin_memcpy(k->saddr + 12, ip4 + 12, 4);
	__builtin_memcpy(k->daddr + 12, ip4 + 16, 4);
	k->proto = ip4[9];
	if ((((__u32)ip4[6] << 8 | ip4[7]) & IP4_FRAG_OFFSET_MASK) != 0)
		return;
	ihl = ((__u32)ip4[0] & 0xf) * 4; /* RFC 791 3.1: IHL in 32-bit words */
	if (ihl < IP4_HDR_LEN)
		return;
	/* At most 60 bytes: a bound the verifier sees. */
	xrt_acl_parse_l4(ip4 + (ihl & 0x3c), end, IP4_PROTO_ICMP, k);
}

#endif
