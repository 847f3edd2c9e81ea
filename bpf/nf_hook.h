/* xrt fast path: the stateless ACL at netfilter's hook points for forwarded traffic (nf_hook: NF_INET_PRE_ROUTING, NF_INET_FORWARD), IPv6 and IPv4. */
#ifndef XRT_BPF_NF_HOOK_H
#define XRT_BPF_NF_HOOK_H

#include "pkt.h"
#include "maps.h"
#include "stats.h"
#include "xrt/acl.h"
#include "nft_pipapo_lookup.h"

/*
 * The list ctx of the classifier (nft_pipapo_lookup) for the packet: the
 * action of its first matching rule, rule base + i of xrt_acl_rules for
 * bit i (counted there), -1 if none. The packet's family is its Ethernet
 * type's (ipv6_rcv or ip_rcv checked the header). A global function,
 * verified once whatever the pipeline's state; called only when the list
 * is not empty.
 */
__attribute__((noinline)) int xrt_acl_walk(struct xdp_md *ctx, __u32 base, __u32 cls,
					   __u32 ifindex, __u32 len)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	const struct ethhdr *eth = data;
	struct xrt_acl_key k = { .ifindex = ifindex };
	const struct xrt_acl_rule *r;
	struct xrt_acl_cnt *c;
	struct cls_keys ck;
	struct cls_fields cf;
	__u32 nw, w, idx, slot;
	__u64 word = 0;

	if ((void *)(eth + 1) > end)
		return -1;
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		xrt_acl_parse4((const __u8 *)(eth + 1), end, &k);
	else
		xrt_acl_parse6((const __u8 *)(eth + 1), end, &k);
	nw = nft_pipapo_lookup(cls, &k, &cf, &ck);
	for (w = 0; w < XRT_CLS_WORDS; w++) {
		if (w >= nw)
			return -1;
		word = cls_word(&cf, w);
		if (word)
			break;
	}
	if (!word)
		return -1;
	idx = base + w * XRT_CLS_WORD_BITS + xrt_cls_ffs(word);
	r = bpf_map_lookup_elem(&xrt_acl_rules, &idx);
	if (!r)
		return -1;
	slot = r->cnt;
	c = bpf_map_lookup_elem(&xrt_acl_cnt, &slot);
	if (c) {
		c->pkts++;
		c->bytes += len;
	}
	return r->action;
}

/*
 * nf_hook: the active bank's list for dir (XRT_ACL_IN at the ingress,
 * XRT_ACL_OUT at the egress p->oif); no rule matching passes (the chain's
 * policy accept). An empty list costs the active word's load and a branch.
 * XRT_NEXT, or XDP_DROP counted as acl_in / acl_out.
 */
static __always_inline int nf_hook(struct xrt_pkt *p, enum xrt_acl_dir dir)
{
	__u32 key = XRT_ACL_CFG_ACTIVE, bank, base = 0, act;
	const struct xrt_acl_cfg *a, *cfg;

#ifdef XRT_POLICY_COMPILED_OUT /* tools/fpcost's plain pipeline */
	return XRT_NEXT;
#endif
	a = bpf_map_lookup_elem(&xrt_acl_cfg, &key);
	if (!a)
		return XRT_NEXT;
	act = a->n_in;
	if (!(act & (dir == XRT_ACL_IN ? XRT_ACL_ACT_IN : XRT_ACL_ACT_OUT)))
		return XRT_NEXT;
	bank = act & XRT_ACL_ACT_BANK;
	if (dir != XRT_ACL_IN) {
		cfg = bpf_map_lookup_elem(&xrt_acl_cfg, &bank);
		if (!cfg)
			return XRT_NEXT;
		base = cfg->n_in;
	}
	if (xrt_acl_walk(p->ctx, bank * XRT_ACL_MAX + base,
			 XRT_CLS_CTX(dir == XRT_ACL_IN ? XRT_CLS_ACL_IN : XRT_CLS_ACL_OUT, bank),
			 dir == XRT_ACL_IN ? p->ifindex : p->oif, p->len) != XRT_ACL_DROP)
		return XRT_NEXT;
	return xrt_drop(p, dir == XRT_ACL_IN ? XRT_DROP_ACL_IN : XRT_DROP_ACL_OUT);
}

/* One function per hook point, so each stage has its own name. */
static __always_inline int nf_hook_prerouting(struct xrt_pkt *p)
{
	return nf_hook(p, XRT_ACL_IN);
}

static __always_inline int nf_hook_forward(struct xrt_pkt *p)
{
	return nf_hook(p, XRT_ACL_OUT);
}

#endif
