/* xrt fast path: the static keys word (include/xrt/feat.h), read once per packet. */
#ifndef XRT_BPF_FEAT_H
#define XRT_BPF_FEAT_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xrt/feat.h"
#include "pkt.h"
#include "fib_rules.h"

/* A global in a section of its own, pinned by xrtd's loader
 * (dataplane/feat.c xrt_feat_pin) as the trace filter is. */
struct xrt_feat xrt_feat SEC(XRT_FEAT_SECTION);

/* The stages with nothing to do (XRT_FEAT_OFF_*): one load, instead of
 * one or two map lookups per optional stage. */
static __always_inline __u32 xrt_feat_off(void)
{
	return *(volatile __u32 *)&xrt_feat.off;
}

/*
 * fib_lookup skips the rules while only the default ones exist
 * (!net->ipv4.fib_has_custom_rules); so does xrt: the route stages'
 * fib_rules_lookup, with its signature, behind the XRT_FEAT_OFF_FIB_RULES
 * bit the pipeline left in p->feat_off. Included before
 * ip_route_input.h and ip6_route_input.h, whose calls it takes.
 */
static __always_inline int fib_rules_lookup_custom(struct xrt_pkt *p, __u32 *leaf, int *ruled)
{
	if (p->feat_off & XRT_FEAT_OFF_FIB_RULES) {
		*ruled = 0;
		return XRT_NEXT;
	}
	return fib_rules_lookup(p, leaf, ruled);
}
#ifndef fib_rules_lookup
#define fib_rules_lookup fib_rules_lookup_custom
#endif

#endif
