/* xrt fast path, IPv4 stage 3: ip_forward on the kernel's FIB, rewrite, transmit. */
#ifndef XRT_BPF_IP_FORWARD_H
#define XRT_BPF_IP_FORWARD_H

#include <linux/in.h>
#include "pkt.h"
#include "maps.h"
#include "stats.h"

#define XRT_AF_INET 2 /* linux/socket.h, which BPF programs cannot include */

/* ip_decrease_ttl: TTL - 1 and the checksum updated incrementally (RFC 1624
 * eqn. 3 for a 16-bit word whose high byte drops by one). */
static __always_inline void ip_decrease_ttl(struct iphdr *iph)
{
	__u32 check = iph->check;

	check += bpf_htons(0x0100);
	iph->check = (__sum16)(check + (check >= 0xffff));
	iph->ttl--;
}

/* The pass reason for each bpf_fib_lookup result other than SUCCESS. */
static __always_inline enum xrt_pass_reason ip4_fib_pass_reason(int rc)
{
	switch (rc) {
	case BPF_FIB_LKUP_RET_BLACKHOLE:
		return XRT_PASS_IP4_BLACKHOLE;
	case BPF_FIB_LKUP_RET_UNREACHABLE:
		return XRT_PASS_IP4_UNREACHABLE;
	case BPF_FIB_LKUP_RET_PROHIBIT:
		return XRT_PASS_IP4_PROHIBIT;
	case BPF_FIB_LKUP_RET_NOT_FWDED:
		return XRT_PASS_IP4_NOT_FWDED;
	case BPF_FIB_LKUP_RET_FWD_DISABLED:
		return XRT_PASS_IP4_FWD_DISABLED;
	case BPF_FIB_LKUP_RET_UNSUPP_LWT:
		return XRT_PASS_IP4_UNSUPP_LWT;
	case BPF_FIB_LKUP_RET_NO_NEIGH:
		return XRT_PASS_IP4_NO_NEIGH;
	case BPF_FIB_LKUP_RET_FRAG_NEEDED:
		return XRT_PASS_IP4_FRAG_NEEDED;
	default:
		return XRT_PASS_IP4_FIB_OTHER;
	}
}

/*
 * ip_forward with the route of ip_route_input_slow: bpf_fib_lookup runs the
 * kernel's own fib_lookup (policy rules, tables, multipath) and its neighbour
 * table, checks the ingress forwarding sysctl and the egress MTU. Only a
 * plain unicast forward to a resolved neighbour out of another attached
 * interface is done here; for everything else the kernel gets the packet
 * and does what it always does (Time Exceeded, Destination Unreachable,
 * ARP, fragmentation or Fragmentation Needed, local delivery).
 */
static __always_inline int ip_forward(struct xrt_pkt *p)
{
	struct bpf_fib_lookup fib = {};
	struct iphdr *iph = p->ip4;
	struct ethhdr *eth = p->eth;
	const __u32 slot = 0;
	void *tx_ports;
	int rc;

	if ((void *)(iph + 1) > p->data_end)
		return xrt_drop(p, XRT_DROP_IP4_SHORT);
	/* The kernel sends Time Exceeded (RFC 1812 5.3.1). */
	if (iph->ttl <= 1)
		return xrt_pass(p, XRT_PASS_IP4_TTL);

	fib.family = XRT_AF_INET;
	fib.tos = iph->tos;
	fib.l4_protocol = iph->protocol;
	fib.tot_len = p->len;
	fib.ipv4_src = iph->saddr;
	fib.ipv4_dst = iph->daddr;
	fib.ifindex = p->ifindex;
	/* Ports for rules with sport/dport and the L4 multipath hash, as the
	 * kernel's flow dissector finds them: none in a fragment. */
	if ((iph->protocol == IPPROTO_TCP || iph->protocol == IPPROTO_UDP ||
	     iph->protocol == IPPROTO_SCTP) &&
	    !(iph->frag_off & bpf_htons(IP4_FLAG_MF | IP4_FRAG_OFFSET_MASK))) {
		__be16 *ports = (void *)(iph + 1);

		if ((void *)(ports + 2) <= p->data_end) {
			fib.sport = ports[0];
			fib.dport = ports[1];
		}
	}
	rc = bpf_fib_lookup(p->ctx, &fib, sizeof(fib), 0);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return xrt_pass(p, ip4_fib_pass_reason(rc));
	/* Out the way it came: the kernel forwards it and may send an ICMP
	 * Redirect (RFC 1812 5.2.7.2), which XDP cannot do. */
	if (fib.ifindex == p->ifindex)
		return xrt_pass(p, XRT_PASS_IP4_SAME_IF);
	/* Only interfaces xrt is attached to have a devmap entry. */
	if (!xrt_iface_get(fib.ifindex))
		return xrt_pass(p, XRT_PASS_IP4_OIF_FOREIGN);

	ip_decrease_ttl(iph);
	__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
	/* As neigh.h: the devmap bulks per device, flushed once per poll. */
	tx_ports = bpf_map_lookup_elem(&xrt_tx_outer, &slot);
	if (!tx_ports) {
		XRT_MIB_INC(p, IP4_OUT_DISCARDS);
		return xrt_drop(p, XRT_DROP_NO_TX_PORT);
	}
	rc = bpf_redirect_map(tx_ports, fib.ifindex, XDP_DROP);
	if (rc != XDP_REDIRECT) {
		XRT_MIB_INC(p, IP4_OUT_DISCARDS);
		return xrt_drop(p, XRT_DROP_NO_TX_PORT);
	}
	XRT_MIB_INC(p, IP4_FORW_DATAGRAMS);
	XRT_MIB_ADD(p, IP4_OUT_OCTETS, p->len);
	return rc;
}

#endif
