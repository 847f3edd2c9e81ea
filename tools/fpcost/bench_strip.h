/* xrt fpcost --stages: the product fast path with its stages taken out one by one, to price each (stages.c). */
#ifndef XRT_BENCH_STRIP_H
#define XRT_BENCH_STRIP_H

/*
 * bench_stripN.bpf.c defines BENCH_STRIP N and includes this file: level N
 * has the first N of these taken out, cumulatively, so that level N-1 minus
 * level N is what removal N saves with nothing configured (the order is
 * fp_strip_name in stages.c):
 *   1 the `xrt trace` check (XRT_TRACE_COMPILED_OUT, as bench_notrace)
 *   2 the policy rules' check (fib_rules_lookup: no bank published)
 *   3 nf_hook_prerouting and nf_hook_forward (no ACL)
 *   4 ip6_rpf / ip_rpf (rpf off)
 *   5 the MIB counters (XRT_MIB_INC / XRT_MIB_ADD)
 *   6 ip6_forward / ip_forward's checks
 *   7 ipv6_rcv / ip_rcv's checks (the header bounds and length kept)
 * What is left after 7 is eth_type_trans, the ingress and stats lookups,
 * the route lookup with its next hop, neigh_output and the redirect.
 * Each stage's header is included first (include guards keep
 * xrt_fwd.bpf.c's own includes from repeating them), then the stage is
 * replaced by a macro, so the pipeline's calls and the stages included
 * after it see the replacement.
 */
#if BENCH_STRIP >= 1
#define XRT_TRACE_COMPILED_OUT
#endif

#include "../../bpf/pkt.h"
#include "../../bpf/maps.h"
#include "../../bpf/stats.h"

#if BENCH_STRIP >= 5
#undef XRT_MIB_INC
#undef XRT_MIB_ADD
#define XRT_MIB_INC(p, id) ((void)(p))
#define XRT_MIB_ADD(p, id, n) ((void)(p), (void)(n))
#endif

#include "../../bpf/fib_rules.h"
#include "../../bpf/nf_hook.h"
#include "../../bpf/fib_validate_source.h"
#include "../../bpf/ip6_rcv.h"
#include "../../bpf/ip_rcv.h"
#include "../../bpf/ip6_forward.h"
#include "../../bpf/ip_forward.h"

#if BENCH_STRIP >= 2
#define fib_rules_lookup(p, leaf, ruled) (*(ruled) = 0, XRT_NEXT)
#endif
#if BENCH_STRIP >= 3
#define nf_hook_prerouting(p) XRT_NEXT
#define nf_hook_forward(p) XRT_NEXT
#endif
#if BENCH_STRIP >= 4
#define ip6_rpf(p) XRT_NEXT
#define ip_rpf(p) XRT_NEXT
#endif
#if BENCH_STRIP >= 6
#define ip6_forward(p) XRT_NEXT
#define ip_forward(p) XRT_NEXT
#endif
#if BENCH_STRIP >= 7
/* What the later stages need of the receive checks: the header in bounds,
 * the length, and (the test packets are global unicast) p->global. */
static __always_inline int bench_ipv6_rcv(struct xrt_pkt *p)
{
	if ((void *)(p->ip6 + 1) > p->data_end)
		return XDP_DROP;
	p->global = 1;
	p->len = IP6_HDR_LEN + bpf_ntohs(p->ip6->payload_len);
	return XRT_NEXT;
}

static __always_inline int bench_ip_rcv(struct xrt_pkt *p)
{
	if ((void *)(p->ip4 + 1) > p->data_end)
		return XDP_DROP;
	p->len = bpf_ntohs(p->ip4->tot_len);
	return XRT_NEXT;
}
#define ipv6_rcv(p) bench_ipv6_rcv(p)
#define ip_rcv(p) bench_ip_rcv(p)
#endif

#include "../../bpf/xrt_fwd.bpf.c"

#endif
