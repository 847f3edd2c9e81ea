/* xrt fast path: fib_rules_lookup, the policy rules walked in priority order before the table lookups (net/core/fib_rules.c). */
#ifndef XRT_BPF_FIB_RULES_H
#define XRT_BPF_FIB_RULES_H

#include "pkt.h"
#include "maps.h"
#include "stats.h"
#include "fib6_lookup.h"
#include "xrt/fib_rules.h"

struct fr_walk {
	struct xrt_acl_key k;
	__u32 base, n;
	__u32 iif_table; /* the ingress interface's table: what "main" means */
	__u8 family;
	__u64 hi, lo;    /* the destination as fib6's walk takes it */
	__u32 leaf;      /* the answer; 0: no rule gave a route */
	int kernel;      /* a rule with a selector xrt cannot evaluate matched */
};

/* A rule's action as the route type it gives (fib6_rule_action: the
 * kernel returns ip6_blk_hole_entry and friends). */
static __always_inline __u32 fr_action_leaf(__u8 action)
{
	return (__u32)action << XRT_FIB6_LEAF_TYPE_SHIFT;
}

/* A table's trie walk as a global function: verified once, not once per
 * rule of a stride. */
__attribute__((noinline)) __u32 xrt_fib_rules_table(__u32 trie, __u64 hi, __u64 lo)
{
	return xrt_fib_walk(trie, hi, lo);
}

/* Rules per callback of the walk: the call costs more than a rule that
 * does not match (tools/fpcost --rules; the ACL's ACL_STRIDE). */
#define FR_STRIDE 8

/* Rule idx of the bank: 1 when it ends the walk (an action, a route, or a
 * rule xrt cannot evaluate), 0 to go on. A table without a route goes on
 * (fib6_rule_action returns -EAGAIN, fib4_rule_action's lookup too). */
static __always_inline int fr_rule(struct fr_walk *w, __u32 idx)
{
	const struct xrt_fib_rule *r;
	__u32 table;

	r = bpf_map_lookup_elem(&xrt_fib_rules, &idx);
	if (!r)
		return 1;
	if (r->family != w->family || !xrt_fib_rule_match(r, &w->k, 0))
		return 0;
	if (r->flags & XRT_FR_F_KERNEL) {
		w->kernel = 1;
		return 1;
	}
	if (r->action != XRT_FR_ACT_TO_TBL) {
		w->leaf = fr_action_leaf(r->action);
		return 1;
	}
	table = r->table == XRT_TABLE_MAIN ? w->iif_table : r->table;
	if (table >= XRT_MAX_TABLES)
		return 0;
	if (w->family == XRT_AF_INET)
		table = XRT_FIB4_TBL(table);
	w->leaf = xrt_fib_rules_table(table, w->hi, w->lo);
	w->leaf = xrt_fib6_leaf_src(w->leaf, (const struct in6_addr *)w->k.saddr);
	return w->leaf ? 1 : 0;
}

/* fib_rules_lookup's loop: rules FR_STRIDE * i onwards, in order. */
static long fr_rules(__u64 i, void *data)
{
	struct fr_walk *w = data;
	__u32 j, idx;

	for (j = 0; j < FR_STRIDE; j++) {
		idx = (__u32)i * FR_STRIDE + j;
		if (idx >= w->n)
			return 1;
		if (fr_rule(w, w->base + idx))
			return 1;
	}
	return 0;
}

/* A global function, verified once (as the ACL's walk): the leaf the rules
 * give for the packet at ctx's network header, 0 if none, ~0 if a rule xrt
 * cannot evaluate matched. */
__attribute__((noinline)) __u32 xrt_fib_rules_walk(struct xdp_md *ctx, __u32 base, __u32 n,
						   __u32 ifindex, __u32 iif_table)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	const struct ethhdr *eth = data;
	const __u8 *l3 = (const __u8 *)data + sizeof(struct ethhdr);
	struct fr_walk w = { .base = base, .n = n, .iif_table = iif_table };

	if (n > XRT_FIB_RULES_MAX || (void *)(eth + 1) > end)
		return 0;
	w.k.ifindex = ifindex;
	/* The family from the frame: five arguments at most to a global
	 * function. */
	w.family = eth->h_proto == bpf_htons(ETH_P_IP) ? XRT_AF_INET : XRT_AF_INET6;
	if (w.family == XRT_AF_INET) {
		xrt_fib_rules_parse4(l3, end, &w.k);
		w.hi = (__u64)(((__u32)w.k.daddr[12] << 24) | ((__u32)w.k.daddr[13] << 16) |
			       ((__u32)w.k.daddr[14] << 8) | w.k.daddr[15])
		       << 32;
	} else {
		xrt_acl_parse6(l3, end, &w.k);
		for (int b = 0; b < 8; b++) {
			w.hi = w.hi << 8 | w.k.daddr[b];
			w.lo = w.lo << 8 | w.k.daddr[8 + b];
		}
	}
	bpf_loop((n + FR_STRIDE - 1) / FR_STRIDE, fr_rules, &w, 0);
	return w.kernel ? ~0u : w.leaf;
}

/*
 * fib_rules_lookup: the route (a leaf) the rules give for the packet in
 * *leaf, *ruled = 1; with the kernel's default rules alone (no bank
 * published) *ruled = 0 and the caller keeps ip_route_input's and
 * ip6_route_input's own lookups, without a walk. A rule with a selector
 * xrt cannot evaluate hands the packet to the kernel (the verdict).
 */
static __always_inline int fib_rules_lookup(struct xrt_pkt *p, __u32 *leaf, int *ruled)
{
	__u32 key = XRT_FR_CFG_ACTIVE, bank, *act, *n;

	*ruled = 0;
	act = bpf_map_lookup_elem(&xrt_fr_cfg, &key);
	if (!act)
		return XRT_NEXT;
	bank = *act & 1;
	n = bpf_map_lookup_elem(&xrt_fr_cfg, &bank);
	if (!n || !*n)
		return XRT_NEXT;
	*ruled = 1;
	*leaf = xrt_fib_rules_walk(p->ctx, bank * XRT_FIB_RULES_MAX, *n, p->ifindex,
				   p->iif->table);
	if (*leaf == ~0u)
		return xrt_pass(p, XRT_PASS_RULE_UNSUPPORTED);
	return XRT_NEXT;
}

#endif
