/* xrt fast path: the stateless ACL at netfilter's hook points for forwarded traffic (nf_hook: NF_INET_PRE_ROUTING, NF_INET_FORWARD). */
#ifndef XRT_BPF_NF_HOOK_H
#define XRT_BPF_NF_HOOK_H

#include "pkt.h"
#include "maps.h"
#include "stats.h"
#include "xrt/acl.h"

struct acl_walk {
	struct xrt_acl_key k;
	__u32 base;
	__u32 len;
	int action; /* -1: no rule matched */
};

/* One rule of the list, in order: the first match ends the walk. */
static long acl_rule(__u64 i, void *data)
{
	struct acl_walk *w = data;
	__u32 idx = w->base + (__u32)i;
	const struct xrt_acl_rule *r = bpf_map_lookup_elem(&xrt_acl_rules, &idx);
	struct xrt_acl_cnt *c;
	__u32 slot;

	if (!r)
		return 1;
	if (!xrt_acl_match(r, &w->k))
		return 0;
	slot = r->cnt;
	c = bpf_map_lookup_elem(&xrt_acl_cnt, &slot);
	if (c) {
		c->pkts++;
		c->bytes += w->len;
	}
	w->action = r->action;
	return 1;
}

/*
 * nf_hook: the active bank's list for dir (XRT_ACL_IN at the ingress,
 * XRT_ACL_OUT at the egress p->oif); no rule matching passes (the chain's
 * policy accept). XRT_NEXT, or XDP_DROP counted as acl_in / acl_out.
 */
static __always_inline int nf_hook(struct xrt_pkt *p, enum xrt_acl_dir dir)
{
	__u32 key = XRT_ACL_CFG_ACTIVE, n, bank;
	const struct xrt_acl_cfg *act, *cfg;
	struct acl_walk w = { .action = -1, .len = p->len };

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
	w.base = bank * XRT_ACL_MAX + (dir == XRT_ACL_IN ? 0 : cfg->n_in);
	w.k.ifindex = dir == XRT_ACL_IN ? p->ifindex : p->oif;
	xrt_acl_parse6((const __u8 *)p->ip6, p->data_end, &w.k);
	bpf_loop(n, acl_rule, &w, 0);
	if (w.action == XRT_ACL_DROP)
		return xrt_drop(p, dir == XRT_ACL_IN ? XRT_DROP_ACL_IN : XRT_DROP_ACL_OUT);
	return XRT_NEXT;
}

#define nf_hook_prerouting(p) nf_hook(p, XRT_ACL_IN)
#define nf_hook_forward(p) nf_hook(p, XRT_ACL_OUT)

#endif
