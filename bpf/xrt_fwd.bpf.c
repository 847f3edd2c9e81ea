/* xrt fast path: the XDP program, one call per pipeline stage, each named after the kernel function it mirrors. */
#include "pkt.h"
#include "maps.h"
#include "stats.h"
#include "eth_type_trans.h"
#include "ip6_rcv.h"
#include "ip_rcv.h"
#include "ip_forward.h"
#include "ip6_route_input.h"
#include "ip6_forward.h"
#include "ip6_finish_output2.h"
#include "punt.h"
#include "fib_validate_source.h"
#include "nf_hook.h"

#define XRT_STAGE(call)                    \
	do {                               \
		int verdict_ = (call);     \
		if (verdict_ != XRT_NEXT)  \
			return verdict_;   \
	} while (0)

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

	XRT_STAGE(eth_type_trans(&p));
	/* IPv4: forwarded on the kernel's FIB, everything else to the kernel
	 * (bpf/README.md, "IPv4"). */
	if (p.eth->h_proto == bpf_htons(ETH_P_IP)) {
		XRT_STAGE(ip_rcv(&p));
		return ip_forward(&p);
	}
	XRT_STAGE(ipv6_rcv(&p));
	XRT_STAGE(ip6_rpf(&p));
	XRT_STAGE(nf_hook_prerouting(&p));
	XRT_STAGE(ip6_route_input(&p));
	XRT_STAGE(ip6_forward(&p));
	XRT_STAGE(nf_hook_forward(&p));
	return ip6_finish_output2(&p);
}

char LICENSE[] SEC("license") = "GPL";
