/* xrt fast path stages 9-10: ip6_finish_output2, the neighbour, the rewrite and the transmit. */
#ifndef XRT_BPF_IP6_FINISH_OUTPUT2_H
#define XRT_BPF_IP6_FINISH_OUTPUT2_H

#include "pkt.h"
#include "stats.h"
#include "neigh_output.h"

/* ip6_finish_output2: ND entry (bpf/neigh_output.h), then the hop limit
 * ip6_forward decrements, left until here so that a punted packet reaches
 * the daemon unchanged. */
static __always_inline int ip6_finish_output2(struct xrt_pkt *p)
{
	const __u8 *dmac, *smac;
	int ret = neigh_output(p, false, &dmac, &smac);

	if (ret != XRT_NEXT)
		return ret;
	p->ip6->hop_limit--;
	ret = dev_queue_xmit(p, dmac, smac);
	if (ret == XDP_DROP)
		return ret;
	XRT_MIB_INC(p, OUT_FORW_DATAGRAMS);
	XRT_MIB_ADD(p, OUT_OCTETS, p->len);
	return ret;
}

#endif
