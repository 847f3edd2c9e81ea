/* xrt fast path: the XDP program, one call per pipeline stage, each named after the kernel function it mirrors. */
#include "pkt.h"
#include "maps.h"
#include "stats.h"
#include "eth_type_trans.h"
#include "feat.h" /* before the route stages: their rules check */
#include "ip6_rcv.h"
#include "arp_rcv.h"
#include "ip_rcv.h"
#include "ip_route_input.h"
#include "ip_forward.h"
#include "ip_finish_output2.h"
#include "ip6_route_input.h"
#include "ip6_forward.h"
#include "ip6_finish_output2.h"
#include "punt.h"
#include "fib_validate_source.h"
#include "nf_hook.h"

#include "trace.h"

/* One stage: the packet goes on to the next, or the pipeline ends with the
 * stage's verdict. tr is a constant in each copy of the pipeline: NULL in
 * the one every packet runs (the trace hooks compile away), a record in
 * the one for packets `xrt trace` follows (bpf/trace.h). */
#define XRT_STAGE(call)                                                               \
	do {                                                                          \
		int verdict_ = (call);                                                \
		if (tr)                                                               \
			xrt_trace_step(&p, tr, XRT_TRACE_STAGE_ID(call), verdict_);   \
		if (verdict_ != XRT_NEXT) {                                           \
			if (tr)                                                       \
				xrt_trace_emit(&p, tr, verdict_);                     \
			return verdict_;                                              \
		}                                                                     \
	} while (0)

/* The last stage: its verdict ends the pipeline. */
#define XRT_LAST(call)                                                                \
	({                                                                            \
		int verdict_ = (call);                                                \
		if (tr) {                                                             \
			xrt_trace_step(&p, tr, XRT_TRACE_STAGE_ID(call), verdict_);   \
			xrt_trace_emit(&p, tr, verdict_);                             \
		}                                                                     \
		verdict_;                                                             \
	})

/* A stage the static keys word switches off while it has nothing to do
 * (include/xrt/feat.h: nf_hook's static key nf_hooks_needed). */
#define XRT_STAGE_NEEDED(bit, call)              \
	do {                                     \
		if (!(off & (bit)))              \
			XRT_STAGE(call);         \
	} while (0)

/* The stages in the kernel's order. p is a copy (inlined away) so that the
 * stages take &p in both copies. The traced copy runs every stage, so that
 * `xrt trace` lists each one. */
static __always_inline int xrt_pipeline(struct xrt_pkt p, struct xrt_trace_rec *const tr)
{
	const __u32 off = tr ? 0 : xrt_feat_off();

	p.feat_off = off;
	XRT_STAGE(eth_type_trans(&p));
	if (p.proto == bpf_htons(ETH_P_IPV6)) {
		XRT_STAGE(ipv6_rcv(&p));
		XRT_STAGE(ip6_rpf(&p));
		XRT_STAGE_NEEDED(XRT_FEAT_OFF_NF_PREROUTING, nf_hook_prerouting(&p));
		XRT_STAGE(ip6_route_input(&p));
		XRT_STAGE(ip6_forward(&p));
		XRT_STAGE_NEEDED(XRT_FEAT_OFF_NF_FORWARD, nf_hook_forward(&p));
		return XRT_LAST(ip6_finish_output2(&p));
	}
	if (p.proto == bpf_htons(ETH_P_IP)) {
		XRT_STAGE(ip_rcv(&p));
		XRT_STAGE(ip_rpf(&p));
		XRT_STAGE_NEEDED(XRT_FEAT_OFF_NF_PREROUTING, nf_hook_prerouting(&p));
		XRT_STAGE(ip_route_input(&p));
		XRT_STAGE(ip_forward(&p));
		XRT_STAGE_NEEDED(XRT_FEAT_OFF_NF_FORWARD, nf_hook_forward(&p));
		return XRT_LAST(ip_finish_output2(&p));
	}
	return XRT_LAST(arp_rcv(&p)); /* eth_type_trans let only ARP on */
}

SEC("xdp")
int xrt_fwd(struct xdp_md *ctx)
{
	struct xrt_pkt p = { .ctx = ctx, .ifindex = ctx->ingress_ifindex };
	__u32 slot = 0;

	p.iif = xrt_iface_get(p.ifindex);
	if (p.iif)
		slot = p.iif->slot;
	p.st = xrt_stats_get(slot);
	if (!p.st)
		return XDP_PASS;
	/* Not one of ours: the kernel decides (counted in slot 0). */
	if (!p.iif)
		return xrt_pass(&p, XRT_PASS_UNKNOWN_IF);

	/* `xrt trace`: one load and a branch while it is off. */
	if (xrt_trace_on() && xrt_trace_match(&p)) {
		struct xrt_trace_rec tr = {};

		return xrt_pipeline(p, &tr);
	}
	return xrt_pipeline(p, NULL);
}

char LICENSE[] SEC("license") = "GPL";
