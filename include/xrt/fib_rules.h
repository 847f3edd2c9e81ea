/* xrt: policy routing rules (the kernel's fib_rules): the rule the fast path and xrtd both walk, its match and the packet key, one inline for both sides. */
#ifndef XRT_FIB_RULES_H
#define XRT_FIB_RULES_H

#include <linux/types.h>
#include "acl.h"

#ifndef XRT_FR_INLINE
#define XRT_FR_INLINE static inline __attribute__((always_inline))
#endif

/*
 * Rules over both families (the kernel's default rules included). The
 * kernel has no small limit (a list, walked in full); the fast path finds
 * the rules matching a packet with the bit-vector classifier
 * (include/xrt/cls.h), whose cost grows by a 64-bit AND per field for
 * every 64 rules (`fpcost --rules`, BENCHMARKS.md). 1024, as the ACL's
 * bound: the classifier's maps stay a few MB. `xrt rule add` beyond it
 * fails ("rule: full") and is counted (rules_refused in `xrt rule show`).
 */
#define XRT_FIB_RULES_MAX 1024

/*
 * Matching rules the fast path tries for one packet (each a table lookup
 * that may find no route and fall through, fib6_rule_action's -EAGAIN):
 * past it the packet goes to the kernel (XDP_PASS, pass reason
 * rule_limit). The kernel walks them all; 32 trie walks cost about 1.5 us.
 */
#define XRT_FR_EVAL_MAX 32

/* What the fast path's walk returns instead of a leaf: a rule with a
 * selector xrt cannot evaluate matched, or XRT_FR_EVAL_MAX was reached. */
#define XRT_FR_LEAF_KERNEL 0xffffffffu
#define XRT_FR_LEAF_LIMIT 0xfffffffeu

/* fib_validate_source's reverse lookup comes from the loopback device
 * (flowi4_iif = LOOPBACK_IFINDEX; nft_fib6_eval's flowi6_iif too), so an
 * "iif" rule matches it only if it names lo. */
#define XRT_LOOPBACK_IFINDEX 1

/* A rule's family: the values of AF_INET and AF_INET6 (linux/socket.h),
 * which BPF programs cannot include. */
#define XRT_AF_INET 2
#define XRT_AF_INET6 10

/* The kernel's FR_ACT_* (include/uapi/linux/fib_rules.h): the action
 * numbers are the route types the same rule gives (RTN_BLACKHOLE...). */
enum xrt_fr_action {
	XRT_FR_ACT_TO_TBL = 1,
	XRT_FR_ACT_BLACKHOLE = 6,
	XRT_FR_ACT_UNREACHABLE = 7,
	XRT_FR_ACT_PROHIBIT = 8,
};

/* The kernel's default rule priorities (fib_default_rules_init,
 * fib6_default_rules_init) and the tables they look up. */
#define XRT_FR_PRIO_LOCAL 0
#define XRT_FR_PRIO_MAIN 32766
#define XRT_FR_PRIO_DEFAULT 32767
#define XRT_TABLE_DEFAULT 253 /* RT_TABLE_DEFAULT */

#define XRT_FR_F_PROTO 0x01
#define XRT_FR_F_SPORT 0x02
#define XRT_FR_F_DPORT 0x04
/* A selector xrt cannot evaluate (fwmark, uidrange, l3mdev, tun_id, tos,
 * dscp; mirrored from the kernel): traffic the rest of it matches goes to
 * the kernel (XDP_PASS, pass reason rule_unsupported). */
#define XRT_FR_F_KERNEL 0x08

/* One rule; addresses IPv6 (IPv4 as ::ffff:a.b.c.d, include/xrt/inet.h),
 * masks precomputed from the prefix lengths. */
struct xrt_fib_rule {
	__u8 src[16], smask[16];
	__u8 dst[16], dmask[16];
	__u32 iif, oif; /* ifindex; 0 = any */
	__u32 table;    /* the table's fast-path slot (rib_table_slot) */
	__u16 sport_lo, sport_hi, dport_lo, dport_hi; /* host order, inclusive */
	__u8 family;    /* XRT_AF_INET or XRT_AF_INET6 */
	__u8 action;    /* enum xrt_fr_action */
	__u8 flags;     /* XRT_FR_F_* */
	__u8 proto;
};

/*
 * xrt_fib_rules: ARRAY of 2 banks of XRT_FIB_RULES_MAX rules in priority
 * order; xrt_fr_cfg: ARRAY, keys 0 and 1 the banks' counts,
 * XRT_FR_CFG_ACTIVE the bank packets read (flipped as the ACL's banks).
 * A count of 0 means the kernel's default rules only: the fast path then
 * looks up local (IPv4) and the ingress interface's table without a walk.
 */
#define XRT_MAP_FIB_RULES "xrt_fib_rules"
#define XRT_MAP_FIB_RULES_CFG "xrt_fr_cfg"
#define XRT_FR_BANKS 2
#define XRT_FR_CFG_ACTIVE XRT_FR_BANKS
/* The ACTIVE value: the bank, and whether it has rules (no walk if not). */
#define XRT_FR_ACT_BANK 0x1
#define XRT_FR_ACT_RULES 0x2

/* fib_rule_match (net/core/fib_rules.c) with fib6_rule_match /
 * fib4_rule_match: every given selector; the key is struct xrt_acl_key
 * (addresses, ingress, protocol, ports). An output lookup's oif is 0 for
 * forwarded traffic, so an oif rule never matches it (as the kernel's). */
XRT_FR_INLINE int xrt_fib_rule_match(const struct xrt_fib_rule *r, const struct xrt_acl_key *k,
				     __u32 oif)
{
	if (r->iif && r->iif != k->ifindex)
		return 0;
	if (r->oif && r->oif != oif)
		return 0;
	if (!xrt_acl_pfx_match(k->saddr, r->src, r->smask) ||
	    !xrt_acl_pfx_match(k->daddr, r->dst, r->dmask))
		return 0;
	if ((r->flags & XRT_FR_F_PROTO) && r->proto != k->proto)
		return 0;
	if (r->flags & (XRT_FR_F_SPORT | XRT_FR_F_DPORT)) {
		if (!k->l4)
			return 0;
		if ((r->flags & XRT_FR_F_SPORT) &&
		    (k->sport < r->sport_lo || k->sport > r->sport_hi))
			return 0;
		if ((r->flags & XRT_FR_F_DPORT) &&
		    (k->dport < r->dport_lo || k->dport > r->dport_hi))
			return 0;
	}
	return 1;
}

/* The key of an IPv4 packet: the ACL's (xrt_acl_parse4), whose ports of
 * the first fragment are what fib4_rule_match reads from the flow
 * (ip_route_input's fl4, built by fib4_rules_early_flow_dissect). */
XRT_FR_INLINE void xrt_fib_rules_parse4(const __u8 *ip, const __u8 *end, struct xrt_acl_key *k)
{
	xrt_acl_parse4(ip, end, k);
}

/* __fib_validate_source's flow for the rules: daddr the packet's source,
 * saddr its destination, iif loopback; IPv4's ports swapped and its
 * protocol kept (fib4_rules_early_flow_dissect), IPv6 without either
 * (nft_fib6_eval sets the addresses and iif only). */
XRT_FR_INLINE void xrt_fib_rules_reverse(struct xrt_acl_key *k, __u8 family)
{
	__u8 t;
	__u16 port = k->sport;

	for (int i = 0; i < 16; i++) {
		t = k->saddr[i];
		k->saddr[i] = k->daddr[i];
		k->daddr[i] = t;
	}
	k->ifindex = XRT_LOOPBACK_IFINDEX;
	if (family == XRT_AF_INET) {
		k->sport = k->dport;
		k->dport = port;
	} else {
		k->proto = 0;
		k->l4 = 0;
		k->sport = k->dport = 0;
	}
}

#endif
