/* xrt: the bit-vector classifier's builder (include/xrt/cls.h): a rule list into per-field bitmaps in one context of the classifier's maps. */
#ifndef XRT_DATAPLANE_CLS_H
#define XRT_DATAPLANE_CLS_H

#include <stdbool.h>
#include <stdint.h>
#include "xrt/cls.h"
#include "dataplane/maps.h"

/* One rule's selectors as the classifier sees them: the ACL's
 * (xrt_acl_match) and the policy rules' (xrt_fib_rule_match) both map to
 * it. Addresses IPv6 or IPv4-mapped, masks contiguous. */
struct xrt_cls_rule {
	uint8_t src[16], smask[16], dst[16], dmask[16];
	uint32_t ifindex; /* 0: any */
	uint8_t v4;       /* the family: 1 IPv4, 0 IPv6 */
	bool has_proto;
	uint8_t proto;
	uint8_t fields; /* XRT_CLS_F_SPORT, _DPORT, _TYPE, _CODE */
	uint16_t sport_lo, sport_hi, dport_lo, dport_hi;
	uint8_t icmp_type, icmp_code;
	bool never; /* matches no packet of this list (an oif rule) */
};

/*
 * Build context ctx (XRT_CLS_CTX(list, bank), a bank packets do not read)
 * from v[0..n), n <= XRT_CLS_RULES, in priority order: rule i is bit i.
 * The caller flips its list's active bank afterwards. 0 or -errno.
 */
int xrt_cls_build(struct xrt_maps *m, unsigned ctx, const struct xrt_cls_rule *v, unsigned n,
		  char *err);

/* The builder's state (the keys each context wrote), freed with the maps. */
void xrt_cls_free(struct xrt_maps *m);

#endif
