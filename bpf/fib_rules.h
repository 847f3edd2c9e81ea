/* xrt fast path: fib_rules_lookup, the policy rules walked in priority order before the table lookups (net/core/fib_rules.c). */
#ifndef XRT_BPF_FIB_RULES_H
#define XRT_BPF_FIB_RULES_H

#include "pkt.h"
#include "maps.h"
#include "stats.h"
#include "fib6_lookup.h"
#include "nft_pipapo_lookup.h"
#include "xrt/fib_rules.h"

struct fr_walk {
	struct xrt_acl_key k;
	struct cls_keys ck;
	__u64 hi, lo;    /* the destination as fib6's walk takes it */
	__u64 word;      /* matching rules of word w not tried yet */
	__u32 w;
	__u32 nw;        /* the classifier's words in use */
	__u32 tried;     /* rules tried */
	__u32 base;
	__u32 iif_table; /* the ingress interface's table: what "main" means */
	__u32 leaf;      /* the answer; 0: no rule gave a route */
	__u8 family;
	__u8 done;       /* a rule ended the walk, or none is left */
	__u8 kernel;     /* a rule with a selector xrt cannot evaluate matched */
};

/* The walk's state lives here, not on the 512 bytes of stack the pipeline
 * shares; the loop gets a pointer to it. Per CPU: XDP does not nest on a
 * CPU. Not pinned: nothing outside the walk reads it. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct fr_walk);
	__uint(max_entries, 1);
} xrt_fr_scratch SEC(".maps");

/* On the stack: the classifier's answer holds map value pointers, which a
 * map value cannot. */
struct fr_loop {
	struct fr_walk *w;
	struct cls_fields cf; /* the classifier's answer for the packet */
};

/* A rule's action as the route type it gives (fib6_rule_action: the
 * kernel returns ip6_blk_hole_entry and friends). */
static __always_inline __u32 fr_action_leaf(__u8 action)
{
	return (__u32)action << XRT_FIB6_LEAF_TYPE_SHIFT;
}

/* A table's trie walk as a global function: verified once, not once per
 * rule tried. */
__attribute__((noinline)) __u32 xrt_fib_rules_table(__u32 trie, __u64 hi, __u64 lo)
{
	return xrt_fib_walk(trie, hi, lo);
}

/* Rule idx of the bank, which the classifier says matches: 1 when it ends
 * the walk (an action, a route, or a rule xrt cannot evaluate), 0 to go
 * on. A table without a route goes on (fib6_rule_action returns -EAGAIN,
 * fib4_rule_action's lookup too). */
static __always_inline int fr_rule(struct fr_walk *w, __u32 idx)
{
	const struct xrt_fib_rule *r;
	__u32 table;

	r = bpf_map_lookup_elem(&xrt_fib_rules, &idx);
	if (!r)
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

/* fib_rules_lookup's loop over the matching rules in priority order, one
 * rule per call: the next set bit of the classifier's answer. At most
 * XRT_FR_EVAL_MAX rules are tried. */
static long fr_next(__u64 i, void *data)
{
	struct fr_loop *l = data;
	struct fr_walk *w = l->w;
	__u32 bit;

	(void)i;
	/* Past the words without a matching rule in one call. */
	for (int j = 0; j < XRT_CLS_WORDS && !w->word; j++) {
		if (++w->w >= w->nw) {
			w->done = 1;
			return 1;
		}
		w->word = cls_word(&l->cf, w->w);
	}
	if (!w->word) {
		w->done = 1;
		return 1;
	}
	if (w->tried++ >= XRT_FR_EVAL_MAX)
		return 1;
	bit = xrt_cls_ffs(w->word);
	w->word &= w->word - 1;
	if (fr_rule(w, w->base + (w->w & (XRT_CLS_WORDS - 1)) * XRT_CLS_WORD_BITS + bit)) {
		w->done = 1;
		return 1;
	}
	return 0;
}

/* The walk's cls argument with this bit: the reverse flow of
 * fib_validate_source (addresses swapped, from the loopback device). */
#define FR_WALK_REVERSE 0x100

/* A global function, verified once (as the ACL's walk): the leaf the rules
 * of classifier list cls give for the packet at ctx's network header (its
 * reverse flow with FR_WALK_REVERSE), 0 if none, XRT_FR_LEAF_KERNEL if a rule xrt cannot evaluate matched,
 * XRT_FR_LEAF_LIMIT if XRT_FR_EVAL_MAX rules did not decide. */
__attribute__((noinline)) __u32 xrt_fib_rules_walk(struct xdp_md *ctx, __u32 base, __u32 cls,
						   __u32 ifindex, __u32 iif_table)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	const struct ethhdr *eth = data;
	const __u8 *l3 = (const __u8 *)data + sizeof(struct ethhdr);
	struct fr_loop loop;
	struct fr_walk *w;
	__u32 zero = 0;

	w = bpf_map_lookup_elem(&xrt_fr_scratch, &zero);
	if (!w || (void *)(eth + 1) > end)
		return 0;
	__builtin_memset(w, 0, sizeof(*w));
	w->base = base;
	w->iif_table = iif_table;
	w->k.ifindex = ifindex;
	/* The family from the frame: five arguments at most to a global
	 * function. */
	w->family = eth->h_proto == bpf_htons(ETH_P_IP) ? XRT_AF_INET : XRT_AF_INET6;
	if (w->family == XRT_AF_INET)
		xrt_fib_rules_parse4(l3, end, &w->k);
	else
		xrt_acl_parse6(l3, end, &w->k);
	if (cls & FR_WALK_REVERSE)
		xrt_fib_rules_reverse(&w->k, w->family);
	cls &= ~FR_WALK_REVERSE;
	if (w->family == XRT_AF_INET) {
		w->hi = (__u64)(((__u32)w->k.daddr[12] << 24) | ((__u32)w->k.daddr[13] << 16) |
				((__u32)w->k.daddr[14] << 8) | w->k.daddr[15])
			<< 32;
	} else {
		for (int b = 0; b < 8; b++) {
			w->hi = w->hi << 8 | w->k.daddr[b];
			w->lo = w->lo << 8 | w->k.daddr[8 + b];
		}
	}
	w->nw = nft_pipapo_lookup(cls, &w->k, &loop.cf, &w->ck);
	if (!w->nw)
		return 0;
	w->word = cls_word(&loop.cf, 0);
	loop.w = w;
	bpf_loop(XRT_FR_EVAL_MAX + 1, fr_next, &loop, 0);
	if (w->kernel)
		return XRT_FR_LEAF_KERNEL;
	return w->done ? w->leaf : XRT_FR_LEAF_LIMIT;
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
	__u32 key = XRT_FR_CFG_ACTIVE, bank, *act;

	*ruled = 0;
#ifdef XRT_POLICY_COMPILED_OUT /* tools/fpcost's plain pipeline */
	return XRT_NEXT;
#endif
	act = bpf_map_lookup_elem(&xrt_fr_cfg, &key);
	if (!act || !(*act & XRT_FR_ACT_RULES))
		return XRT_NEXT;
	bank = *act & XRT_FR_ACT_BANK;
	*ruled = 1;
	*leaf = xrt_fib_rules_walk(p->ctx, bank * XRT_FIB_RULES_MAX,
				   XRT_CLS_CTX(XRT_CLS_FIB_RULES, bank), p->ifindex, p->iif->table);
	if (*leaf == XRT_FR_LEAF_KERNEL)
		return xrt_pass(p, XRT_PASS_RULE_UNSUPPORTED);
	if (*leaf == XRT_FR_LEAF_LIMIT)
		return xrt_pass(p, XRT_PASS_RULE_LIMIT);
	return XRT_NEXT;
}

/*
 * fib_validate_source's fib_lookup through the rules: with rules published,
 * the leaf of the packet's reverse flow in *leaf, returns 1; 0 with the
 * kernel's default rules alone (the caller looks the source up itself).
 */
static __always_inline int fib_rules_validate_source(struct xrt_pkt *p, __u32 *leaf)
{
	__u32 key = XRT_FR_CFG_ACTIVE, bank, *act;

	act = bpf_map_lookup_elem(&xrt_fr_cfg, &key);
	if (!act || !(*act & XRT_FR_ACT_RULES))
		return 0;
	bank = *act & XRT_FR_ACT_BANK;
	*leaf = xrt_fib_rules_walk(p->ctx, bank * XRT_FIB_RULES_MAX,
				   XRT_CLS_CTX(XRT_CLS_FIB_RULES, bank) | FR_WALK_REVERSE, p->ifindex,
				   p->iif->table);
	return 1;
}

#endif
