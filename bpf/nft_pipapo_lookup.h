/* xrt fast path: nft_pipapo_lookup, the bit-vector classifier (include/xrt/cls.h) that finds the rules of a list matching a packet, for the ACL (nf_hook.h) and the policy rules (fib_rules.h). */
#ifndef XRT_BPF_NFT_PIPAPO_LOOKUP_H
#define XRT_BPF_NFT_PIPAPO_LOOKUP_H

#include "maps.h"
#include "xrt/acl.h"
#include "xrt/cls.h"

/* The interval of the list's port ranges a port falls in: the last start
 * not above it (starts[0] is 0). */
static __always_inline __u32 cls_interval(const __u16 *starts, __u32 n, __u16 port)
{
	__u32 lo = 0, hi = n, mid;

	for (int s = 0; s < XRT_CLS_SEARCH_STEPS; s++) {
		if (hi - lo <= 1)
			break;
		mid = (lo + hi) / 2;
		if (mid >= XRT_CLS_INTERVALS)
			break;
		if (starts[mid] <= port)
			lo = mid;
		else
			hi = mid;
	}
	return lo < XRT_CLS_INTERVALS ? lo : 0;
}

static __always_inline const struct xrt_cls_bits *cls_slot(__u32 ctx, __u32 off)
{
	__u32 key = ctx * XRT_CLS_SLOTS + off;

	return bpf_map_lookup_elem(&xrt_cls_bits, &key);
}

static __always_inline const struct xrt_cls_bits *cls_addr(struct xrt_cls_addr_key *ak, __u32 ctx,
							   __u8 field, const __u8 *a)
{
	ak->prefixlen = XRT_CLS_ADDR_HDR_BITS + 128;
	ak->ctx = (__u8)ctx;
	ak->field = field;
	__builtin_memcpy(ak->addr, a, 16);
	return bpf_map_lookup_elem(&xrt_cls_addr, ak);
}

/* A packet's bitmap of each field. */
struct cls_fields {
	const struct xrt_cls_bits *f[8];
};

/* Room for the lookups' keys: the caller's (a walk short of stack passes
 * map memory). */
struct cls_keys {
	struct xrt_cls_addr_key ak;
	struct xrt_cls_ifx_key ik;
};

/* Word w of the AND of the fields: the rules of w's 64 matching. */
static __always_inline __u64 cls_word(const struct cls_fields *c, __u32 w)
{
	w &= XRT_CLS_WORDS - 1;
	return c->f[0]->w[w] & c->f[1]->w[w] & c->f[2]->w[w] & c->f[3]->w[w] & c->f[4]->w[w] &
	       c->f[5]->w[w] & c->f[6]->w[w] & c->f[7]->w[w];
}

/*
 * The fields' bitmaps of list context ctx for key k in c; returns the
 * words in use (0: none match, or the list is empty). A field no rule
 * constrains is not looked up: its bitmap is the protocol's, which the
 * AND leaves unchanged. A missing entry (a writer between banks cannot
 * cause one) matches nothing.
 */
static __always_inline __u32 nft_pipapo_lookup(__u32 ctx, const struct xrt_acl_key *k,
					       struct cls_fields *c, struct cls_keys *ck)
{
	const struct xrt_cls_bits **f = c->f;
	struct xrt_cls_addr_key *ak = &ck->ak;
	const struct xrt_cls_hdr *h;
	__u32 nw, fields, i;

	h = bpf_map_lookup_elem(&xrt_cls_hdr, &ctx);
	if (!h)
		return 0;
	nw = h->nwords;
	fields = h->fields;
	if (!nw || nw > XRT_CLS_WORDS)
		return 0;
	f[0] = cls_slot(ctx, XRT_CLS_OFF_PROTO + (k->v4 ? XRT_CLS_PROTOS : 0) + k->proto);
	if (!f[0])
		return 0;
	for (i = 1; i < 8; i++)
		f[i] = f[0];
	if ((fields & XRT_CLS_F_SRC) && !(f[1] = cls_addr(ak, ctx, XRT_CLS_SRC, k->saddr)))
		return 0;
	if ((fields & XRT_CLS_F_DST) && !(f[2] = cls_addr(ak, ctx, XRT_CLS_DST, k->daddr)))
		return 0;
	if (fields & XRT_CLS_F_IFX) {
		ck->ik.ctx = ctx;
		ck->ik.ifindex = k->ifindex;
		f[3] = bpf_map_lookup_elem(&xrt_cls_ifx, &ck->ik);
		if (!f[3])
			f[3] = &h->anyif;
	}
	if ((fields & XRT_CLS_F_L4) && !k->l4) {
		/* No transport header: only the rules that want none. */
		f[4] = &h->nol4;
	} else if (fields & XRT_CLS_F_L4) {
		if ((fields & XRT_CLS_F_SPORT) &&
		    !(f[4] = cls_slot(ctx, XRT_CLS_OFF_SPORT +
						   cls_interval(h->sport, h->nsport, k->sport))))
			return 0;
		if ((fields & XRT_CLS_F_DPORT) &&
		    !(f[5] = cls_slot(ctx, XRT_CLS_OFF_DPORT +
						   cls_interval(h->dport, h->ndport, k->dport))))
			return 0;
		if ((fields & XRT_CLS_F_TYPE) &&
		    !(f[6] = cls_slot(ctx, XRT_CLS_OFF_TYPE + k->icmp_type)))
			return 0;
		if ((fields & XRT_CLS_F_CODE) &&
		    !(f[7] = cls_slot(ctx, XRT_CLS_OFF_CODE + k->icmp_code)))
			return 0;
	}
	return nw;
}

#endif
