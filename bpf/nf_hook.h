/* xrt fast path: the stateless ACL at netfilter's hook points for forwarded traffic (nf_hook: NF_INET_PRE_ROUTING, NF_INET_FORWARD), IPv6 and IPv4. */
#ifndef XRT_BPF_NF_HOOK_H
#define XRT_BPF_NF_HOOK_H

#include "pkt.h"
#include "maps.h"
#include "stats.h"
#include "xrt/acl.h"

struct acl_walk {
	struct xrt_acl_key k;
	__u32 base;
	__u32 n;
	__u32 len;
	int action; /* -1: no rule matched */
};

/* Rules per callback of the walk: the call costs more than a rule that
 * does not match (tools/fpcost --acl). */
#define ACL_STRIDE 8

/* Rules ACL_STRIDE * i onwards, in order: the first match ends the walk. */
static long acl_rules(__u64 i, void *data)
{
	struct acl_walk *w = data;
	const struct xrt_acl_rule *r;
	struct xrt_acl_cnt *c;
	__u32 j, idx, slot;

	for (j = 0; j < ACL_STRIDE; j++) {
		idx = (__u32)i * ACL_STRIDE + j;
		if (idx >= w->n)
			return 1;
		idx += w->base;
		r = bpf_map_lookup_elem(&xrt_acl_rules, &idx);
		if (!r)
			return 1;
		if (!xrt_acl_match(r, &w->k))
			continue;
		slot = r->cnt;
		c = bpf_map_lookup_elem(&xrt_acl_cnt, &slot);
		if (c) {
			c->pkts++;
			c->bytes += w->len;
		}
		w->action = r->action;
		return 1;
	}
	return 0;
}

/*
 * The walk of n rules from index base (the caller read the active bank):
 * the action of the first match, -1 if none. The packet's family is its
 * Ethernet type's (ipv6_rcv or ip_rcv checked the header). A global
 * function, verified once whatever the pipeline's state (inlined, the walk
 * multiplied the program's verification); called only when the list is
 * not empty.
 */
__attribute__((noinline)) int xrt_acl_walk(struct xdp_md *ctx, __u32 base, __u32 n,
					   __u32 ifindex, __u32 len)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	const struct ethhdr *eth = data;
	struct acl_walk w = { .action = -1, .len = len, .base = base, .n = n };

	if (n > XRT_ACL_MAX || (void *)(eth + 1) > end)
		return -1;
	w.k.ifindex = ifindex;
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		xrt_acl_parse4((const __u8 *)(eth + 1), end, &w.k);
	else
		xrt_acl_parse6((const __u8 *)(eth + 1), end, &w.k);
	bpf_loop((n + ACL_STRIDE - 1) / ACL_STRIDE, acl_rules, &w, 0);
	return w.action;
}

/*
 * nf_hook: the active bank's list for dir (XRT_ACL_IN at the ingress,
 * XRT_ACL_OUT at the egress p->oif); no rule matching passes (the chain's
 * policy accept). XRT_NEXT, or XDP_DROP counted as acl_in / acl_out.
 */
static __always_inline int nf_hook(struct xrt_pkt *p, enum xrt_acl_dir dir)
{
	__u32 key = XRT_ACL_CFG_ACTIVE, n, bank, base;
	const struct xrt_acl_cfg *act, *cfg;

	act = bpf_map_lookup_elem(&xrt_acl_cfg, &key);
	if (!act)
		return XRT_NEXT;
	bank = act->n_in & 1;
	cfg = bpf_map_lookup_elem(&xrt_acl_cfg, &bank);
	if (!cfg)
		return XRT_NEXT;
	n = dir == XRT_ACL_IN ? cfg->n_in : cfg->n_out;
	if (!n)
		return XRT_NEXT;
	base = bank * XRT_ACL_MAX + (dir == XRT_ACL_IN ? 0 : cfg->n_in);
	if (xrt_acl_walk(p->ctx, base, n, dir == XRT_ACL_IN ? p->ifindex : p->oif, p->len) !=
	    XRT_ACL_DROP)
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
