/* xrt fast path, IPv4 stage 2: ip_rcv header checks and martian addresses. */
#ifndef XRT_BPF_IP_RCV_H
#define XRT_BPF_IP_RCV_H

#include "pkt.h"
#include "eth_type_trans.h"
#include "stats.h"

/* The 16-bit one's complement sum of the header (RFC 791 3.1, RFC 1071),
 * checksum field included: 0xffff when the header is intact. IHL words are
 * summed one at a time so that the verifier sees every access bounded. */
static __always_inline int ip_fast_csum_ok(const struct xrt_pkt *p, __u32 ihl)
{
	__u64 sum = 0;
	int i;

	for (i = 0; i < 15; i++) {
		const __u32 *w = (const __u32 *)p->ip4 + i;

		if ((__u32)i >= ihl)
			break;
		/* Keep the bounds check on this pointer: clang would
		 * otherwise fold it into a word count the verifier cannot
		 * relate to the packet. */
		asm volatile("" : "+r"(w));
		if ((void *)(w + 1) > p->data_end)
			return 0;
		sum += *w;
	}
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* Host-order address in a /8 or /4 block. */
static __always_inline int ip4_in(__u32 a, __u32 net, __u32 mask)
{
	return (a & mask) == net;
}

/*
 * ip_rcv / ip_rcv_core (RFC 1812 5.2.2, 4.2.2.5): the same checks, order and
 * MIB counters as the kernel, then the address checks of
 * ip_route_input_slow. What the fast path does not forward itself is left to
 * the kernel (XDP_PASS), which then does exactly what a kernel router does.
 */
static __always_inline int ip_rcv(struct xrt_pkt *p)
{
	__u32 frame_len = p->data_end - (void *)p->ip4;
	__u32 ihl, tot_len, saddr, daddr;
	struct iphdr *iph = p->ip4;

	/* eth_type_trans: a frame for another host (PACKET_OTHERHOST) is
	 * dropped by ip_rcv before any counter, and broadcast or multicast
	 * frames are never forwarded (ip_forward): the kernel decides. */
	if (!xrt_mac_eq(p->eth->h_dest, p->iif->mac))
		return xrt_pass(p, XRT_PASS_IP4_NOT_HOST);

	XRT_MIB_INC(p, IP4_IN_RECEIVES);
	XRT_MIB_ADD(p, IP4_IN_OCTETS, frame_len);
	if ((void *)(iph + 1) > p->data_end) {
		XRT_MIB_INC(p, IP4_IN_HDR_ERRORS);
		return xrt_drop(p, XRT_DROP_IP4_SHORT);
	}
	if (iph->ihl < IP4_MIN_IHL) {
		XRT_MIB_INC(p, IP4_IN_HDR_ERRORS);
		return xrt_drop(p, XRT_DROP_IP4_IHL);
	}
	if (iph->version != IP4_VERSION) {
		XRT_MIB_INC(p, IP4_IN_HDR_ERRORS);
		return xrt_drop(p, XRT_DROP_IP4_VERSION);
	}
	ihl = iph->ihl;
	if (ihl * 4 > frame_len) {
		XRT_MIB_INC(p, IP4_IN_HDR_ERRORS);
		return xrt_drop(p, XRT_DROP_IP4_SHORT);
	}
	if (!ip_fast_csum_ok(p, ihl)) {
		XRT_MIB_INC(p, IP4_IN_CSUM_ERRORS);
		XRT_MIB_INC(p, IP4_IN_HDR_ERRORS);
		return xrt_drop(p, XRT_DROP_IP4_CSUM);
	}
	tot_len = bpf_ntohs(iph->tot_len);
	if (tot_len > frame_len) {
		XRT_MIB_INC(p, IP4_IN_TRUNCATED_PKTS);
		return xrt_drop(p, XRT_DROP_IP4_TRUNCATED);
	}
	if (tot_len < ihl * 4) {
		XRT_MIB_INC(p, IP4_IN_HDR_ERRORS);
		return xrt_drop(p, XRT_DROP_IP4_TOT_LEN);
	}
	/* pskb_trim_rcsum: forward the packet, not the Ethernet padding. */
	if (tot_len < frame_len) {
		if (bpf_xdp_adjust_tail(p->ctx, (int)tot_len - (int)frame_len)) {
			XRT_MIB_INC(p, IP4_IN_DISCARDS);
			return xrt_drop(p, XRT_DROP_TRIM);
		}
		xrt_pkt_load(p);
		iph = p->ip4;
		if ((void *)(iph + 1) > p->data_end ||
		    (void *)(p->eth + 1) > p->data_end)
			return xrt_drop(p, XRT_DROP_TRIM);
	}
	p->len = tot_len;

	/* ip_rcv_options: source routes, router alert, record route and
	 * timestamps are the kernel's. */
	if (ihl > IP4_MIN_IHL)
		return xrt_pass(p, XRT_PASS_IP4_OPTIONS);

	/* ip_route_input_slow's martians, in its order. Multicast and limited
	 * broadcast sources are never valid (RFC 1812 5.3.7); class E is
	 * reserved there too (Linux accepts it: see CONFORMANCE.md). */
	saddr = bpf_ntohl(iph->saddr);
	daddr = bpf_ntohl(iph->daddr);
	if (ip4_in(saddr, IP4_NET_MCAST, IP4_MASK_4) ||
	    ip4_in(saddr, IP4_NET_CLASS_E, IP4_MASK_4)) {
		XRT_MIB_INC(p, IP4_IN_ADDR_ERRORS);
		return xrt_drop(p, XRT_DROP_IP4_MARTIAN_SRC);
	}
	/* Multicast, limited broadcast and the 0/8 and 127/8 destinations
	 * are never forwarded as unicast: the kernel delivers (DHCP from
	 * 0.0.0.0 to 255.255.255.255), routes multicast or drops them. */
	if (ip4_in(daddr, IP4_NET_MCAST, IP4_MASK_4) ||
	    daddr == IP4_LIMITED_BCAST ||
	    ip4_in(daddr, IP4_NET_ZERO, IP4_MASK_8) ||
	    ip4_in(daddr, IP4_NET_LOOPBACK, IP4_MASK_8))
		return xrt_pass(p, XRT_PASS_IP4_DST_SPECIAL);
	if (ip4_in(saddr, IP4_NET_ZERO, IP4_MASK_8) ||
	    ip4_in(saddr, IP4_NET_LOOPBACK, IP4_MASK_8)) {
		XRT_MIB_INC(p, IP4_IN_ADDR_ERRORS);
		return xrt_drop(p, XRT_DROP_IP4_MARTIAN_SRC);
	}
	return XRT_NEXT;
}

#endif
