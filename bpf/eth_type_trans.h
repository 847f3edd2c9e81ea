/* xrt fast path stage 1: Ethernet (the kernel's eth_type_trans). */
#ifndef XRT_BPF_ETH_TYPE_TRANS_H
#define XRT_BPF_ETH_TYPE_TRANS_H

#include "pkt.h"
#include "stats.h"

/* (Re)derive the header pointers; needed again after any helper that may
 * move the packet (bpf_xdp_adjust_tail / adjust_meta). */
static __always_inline void xrt_pkt_load(struct xrt_pkt *p)
{
	void *data = (void *)(long)p->ctx->data;

	p->data_end = (void *)(long)p->ctx->data_end;
	p->eth = data;
	p->ip6 = data + sizeof(struct ethhdr);
	p->ip4 = data + sizeof(struct ethhdr);
}

/* IPv6, IPv4 and ARP go on (the caller dispatches on eth->h_proto);
 * everything else (LLDP, ...) belongs to the kernel. */
static __always_inline int eth_type_trans(struct xrt_pkt *p)
{
	xrt_pkt_load(p);
	if ((void *)(p->eth + 1) > p->data_end)
		return xrt_pass(p, XRT_PASS_NOT_IP);
	p->proto = p->eth->h_proto; /* read once: ethhdr is packed, two loads */
	if (p->proto != bpf_htons(ETH_P_IPV6) && p->proto != bpf_htons(ETH_P_IP) &&
	    p->proto != bpf_htons(ETH_P_ARP))
		return xrt_pass(p, XRT_PASS_NOT_IP);
	return XRT_NEXT;
}

#endif
