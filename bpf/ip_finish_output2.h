/* xrt fast path, IPv4 stage 6: ip_finish_output2, the neighbour, the rewrite (ip_decrease_ttl) and the transmit. */
#ifndef XRT_BPF_IP_FINISH_OUTPUT2_H
#define XRT_BPF_IP_FINISH_OUTPUT2_H

#include "pkt.h"
#include "stats.h"
#include "ip_forward.h"
#include "neigh_output.h"

/* ip_finish_output2: ARP entry (bpf/neigh_output.h), then the TTL the kernel
 * decrements in ip_forward, left until here so that a punted packet reaches
 * xrtd unchanged. */
static __always_inline int ip_finish_output2(struct xrt_pkt *p)
{
	const __u8 *dmac, *smac;
	int ret = neigh_output(p, true, &dmac, &smac);

	if (ret != XRT_NEXT)
		return ret;
	ip_decrease_ttl(p->ip4);
	ret = dev_queue_xmit(p, dmac, smac);
	if (ret == XDP_DROP) {
		XRT_MIB_INC(p, IP4_OUT_DISCARDS);
		return ret;
	}
	XRT_MIB_INC(p, IP4_FORW_DATAGRAMS);
	XRT_MIB_ADD(p, IP4_OUT_OCTETS, p->len);
	return ret;
}

#endif
