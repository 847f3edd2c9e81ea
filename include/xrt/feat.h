/* xrt: the fast path's static keys, one word saying which optional stages have nothing to do (the kernel's nf_hooks_needed and fib_has_custom_rules). */
#ifndef XRT_FEAT_H
#define XRT_FEAT_H

#include <linux/types.h>

/*
 * The kernel skips a netfilter hook with no hook function registered (the
 * static key nf_hooks_needed[pf][hook], nf_hook()) and the rules walk while
 * only the default rules exist (fib_has_custom_rules, fib_lookup()). xrt's
 * fast path reads one word per packet for the same: the global xrt_feat in
 * section XRT_FEAT_SECTION (one load, no map lookup), pinned as
 * XRT_MAP_FEAT, whose bits say "off: nothing to do". 0, a fresh map's
 * value, runs every stage, so an object loaded without xrtd (ip link ...
 * xdp obj) or a set whose word was never written behaves as before. The
 * writers (dataplane/acl.c, dataplane/fib_rules.c) clear a bit before the
 * flip that gives its stage work and set it after the flip that takes the
 * work away (dataplane/feat.h): a packet never skips a stage that has
 * rules.
 */
#define XRT_MAP_FEAT "xrt_feat"
#define XRT_FEAT_SECTION ".data.xrt_feat"
struct xrt_feat {
	__u32 off; /* XRT_FEAT_OFF_* */
	__u32 pad;
};
#define XRT_FEAT_OFF_NF_PREROUTING 0x1 /* no prerouting ACL rule (nf_hook_prerouting) */
#define XRT_FEAT_OFF_NF_FORWARD 0x2    /* no forward ACL rule (nf_hook_forward) */
#define XRT_FEAT_OFF_FIB_RULES 0x4     /* the default rules only (fib_rules_lookup) */
#define XRT_FEAT_OFF_ALL \
	(XRT_FEAT_OFF_NF_PREROUTING | XRT_FEAT_OFF_NF_FORWARD | XRT_FEAT_OFF_FIB_RULES)

#endif
