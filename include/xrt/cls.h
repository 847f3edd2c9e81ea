/* xrt: the bit-vector packet classifier of the ACL and the policy rules (Lakshman and Stiliadis, SIGCOMM 1998; the kernel's nft_set_pipapo): its maps, built by dataplane/cls.c, walked by bpf/nft_pipapo_lookup.h. */
#ifndef XRT_CLS_H
#define XRT_CLS_H

#include <linux/types.h>

#ifndef XRT_CLS_INLINE
#define XRT_CLS_INLINE static inline __attribute__((always_inline))
#endif

/*
 * Every rule list (a direction of the ACL, the policy rules) sits in bit
 * positions in priority order: bit i is the list's i-th rule. Per packet
 * field, a lookup gives the bitmap of the rules that field alone lets
 * match; the AND of the fields' bitmaps is the set of rules matching, and
 * its first set bit the highest-priority one (nft_pipapo_lookup's
 * pipapo_and_field_buckets and pipapo_refill). The cost grows with the
 * words in use (one 64-bit AND per field and word), not with the rules.
 */
#define XRT_CLS_RULES 1024 /* the longest list: XRT_ACL_MAX, XRT_FIB_RULES_MAX */
#define XRT_CLS_WORD_BITS 64
#define XRT_CLS_WORDS (XRT_CLS_RULES / XRT_CLS_WORD_BITS)

/* The lists, each in two banks flipped as the rules' banks are. */
enum xrt_cls_list {
	XRT_CLS_ACL_IN,  /* ACL prerouting */
	XRT_CLS_ACL_OUT, /* ACL forward */
	XRT_CLS_FIB_RULES,
	XRT_CLS_LISTS,
};
#define XRT_CLS_BANKS 2
#define XRT_CLS_CTXS (XRT_CLS_LISTS * XRT_CLS_BANKS)
#define XRT_CLS_CTX(list, bank) ((list) * XRT_CLS_BANKS + (bank))

/* Elementary port intervals of a list: the n rules' ranges cut 0-65535
 * into at most 2n + 1 pieces, each wholly inside or outside every range.
 * Bounded below that (1023 distinct range ends per field and list: 1022
 * adjacent single ports, or 511 scattered ones): each interval is a bitmap
 * in every context of xrt_cls_bits, which is preallocated, and 2049 of
 * them took 1.6 MB more of an idle router. A list that needs more is
 * refused (xrt_cls_build). */
#define XRT_CLS_INTERVALS 1024
/* Steps of the binary search over XRT_CLS_INTERVALS starts (2^11 > 1024). */
#define XRT_CLS_SEARCH_STEPS 11

/* Fields some rule of the list constrains: the others are not looked up. */
#define XRT_CLS_F_SRC 0x01
#define XRT_CLS_F_DST 0x02
#define XRT_CLS_F_IFX 0x04
#define XRT_CLS_F_SPORT 0x08
#define XRT_CLS_F_DPORT 0x10
#define XRT_CLS_F_TYPE 0x20
#define XRT_CLS_F_CODE 0x40
#define XRT_CLS_F_L4 0x80 /* a rule wants the transport header */

struct xrt_cls_bits {
	__u64 w[XRT_CLS_WORDS];
};

/* xrt_cls_hdr: ARRAY by context (XRT_CLS_CTX). nwords 0: an empty list. */
struct xrt_cls_hdr {
	__u32 nwords, fields;
	__u32 nsport, ndport; /* intervals in use */
	struct xrt_cls_bits nol4;  /* rules that want no transport header */
	struct xrt_cls_bits anyif; /* rules for any interface */
	__u16 sport[XRT_CLS_INTERVALS]; /* each interval's first port, ascending */
	__u16 dport[XRT_CLS_INTERVALS];
};

/* xrt_cls_bits: ARRAY, per context XRT_CLS_SLOTS bitmaps at these offsets:
 * family and protocol (v4 * 256 + proto), ICMP type, ICMP code, source
 * port interval, destination port interval. */
#define XRT_CLS_PROTOS 256 /* an 8-bit protocol number, ICMP type or code */
#define XRT_CLS_OFF_PROTO 0
#define XRT_CLS_OFF_TYPE (2 * XRT_CLS_PROTOS)
#define XRT_CLS_OFF_CODE (XRT_CLS_OFF_TYPE + XRT_CLS_PROTOS)
#define XRT_CLS_OFF_SPORT (XRT_CLS_OFF_CODE + XRT_CLS_PROTOS)
#define XRT_CLS_OFF_DPORT (XRT_CLS_OFF_SPORT + XRT_CLS_INTERVALS)
#define XRT_CLS_SLOTS (XRT_CLS_OFF_DPORT + XRT_CLS_INTERVALS)

/* xrt_cls_addr: LPM_TRIE of the prefixes the rules name, expanded: the
 * bitmap of a prefix is every rule whose prefix contains it, so the
 * longest match is the set of rules matching the address. /0 is always
 * there. The context and field are the key's first 16 bits. */
enum xrt_cls_addr_field { XRT_CLS_SRC, XRT_CLS_DST };
#define XRT_CLS_ADDR_HDR_BITS 16
struct xrt_cls_addr_key {
	__u32 prefixlen; /* XRT_CLS_ADDR_HDR_BITS + the prefix's length */
	__u8 ctx, field;
	__u8 addr[16];
	__u8 pad[2];
};
/* At most one prefix per rule and field, plus /0. */
#define XRT_CLS_ADDR_MAX (XRT_CLS_CTXS * 2 * (XRT_CLS_RULES + 1))

/* xrt_cls_ifx: HASH of the interfaces the rules name: their rules and the
 * rules for any interface; an interface no rule names gets anyif. */
struct xrt_cls_ifx_key {
	__u32 ctx, ifindex;
};
#define XRT_CLS_IFX_MAX (XRT_CLS_CTXS * XRT_CLS_RULES)

#define XRT_MAP_CLS_HDR "xrt_cls_hdr"
#define XRT_MAP_CLS_BITS "xrt_cls_bits"
#define XRT_MAP_CLS_ADDR "xrt_cls_addr"
#define XRT_MAP_CLS_IFX "xrt_cls_ifx"

/* The index of the lowest set bit of a non-zero word, without branches
 * (BPF has no ctz, and branches multiply the verifier's paths) and without
 * a table (which would be .rodata): the population count of the ones below
 * that bit, summed in parallel (Warren, Hacker's Delight, 5-1). */
#define XRT_CLS_POP_1 0x5555555555555555ULL
#define XRT_CLS_POP_2 0x3333333333333333ULL
#define XRT_CLS_POP_4 0x0f0f0f0f0f0f0f0fULL
#define XRT_CLS_POP_SUM 0x0101010101010101ULL
#define XRT_CLS_POP_SHIFT 56
XRT_CLS_INLINE __u32 xrt_cls_ffs(__u64 x)
{
	__u64 y = (x & -x) - 1;

	y = y - ((y >> 1) & XRT_CLS_POP_1);
	y = (y & XRT_CLS_POP_2) + ((y >> 2) & XRT_CLS_POP_2);
	y = (y + (y >> 4)) & XRT_CLS_POP_4;
	return (__u32)((y * XRT_CLS_POP_SUM) >> XRT_CLS_POP_SHIFT);
}

#endif
