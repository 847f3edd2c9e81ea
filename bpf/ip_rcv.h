/* xrt fast path, IPv4 stage 2: ip_rcv header checks and the options punt. */
#ifndef XRT_BPF_IP_RCV_H
#define XRT_BPF_IP_RCV_H

#include "pkt.h"
#include "eth_type_trans.h"
#include "punt.h"
#include "stats.h"

/* The 16-bit one's complement sum of the header (RFC 791 3.1, RFC 1071),
 * checksum field included: 0xffff when the header is intact. IHL words are
 * summed one at a time so that the verifier sees every access bounded. */
static __always_inline int ip_csum_folds_to_ones(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

static __always_inline int ip_fast_csum_ok(const struct xrt_pkt *p, __u32 ihl)
{
	const __u32 *h = (const __u32 *)p->ip4;
	__u64 sum = 0;
	int i;

	/* No options, nearly every packet: the five words ip_rcv has already
	 * bounded (iph + 1), summed without a loop (ip_fast_csum unrolls the
	 * same way). */
	if (ihl == IP4_MIN_IHL)
		return ip_csum_folds_to_ones((__u64)h[0] + h[1] + h[2] + h[3] + h[4]);
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
	return ip_csum_folds_to_ones(sum);
}

/*
 * ip_rcv / ip_rcv_core (RFC 1812 5.2.2, 4.2.2.5): the same checks, order and
 * MIB counters as the kernel. Options go to xrtd; the address checks are
 * ip_route_input's (bpf/ip_route_input.h), as in the kernel.
 */
static __always_inline int ip_rcv(struct xrt_pkt *p)
{
	__u32 frame_len = p->data_end - (void *)p->ip4;
	__u32 ihl, tot_len;
	struct iphdr *iph = p->ip4;

	/* eth_type_trans marks a unicast frame for another MAC
	 * PACKET_OTHERHOST and ip_rcv_core drops it before any MIB counter
	 * (SKB_DROP_REASON_OTHERHOST). Group MACs go on: broadcast and
	 * multicast destinations are delivered, never forwarded (ip_forward). */
	if (!(p->eth->h_dest[0] & 1) && !xrt_mac_eq(p->eth->h_dest, p->iif->mac))
		return xrt_drop(p, XRT_DROP_OTHERHOST);

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
	 * timestamps are processed by every router (RFC 1812 5.2.4); xrtd
	 * parses them, as it parses IPv6 hop-by-hop options (same reason and
	 * budget). */
	if (ihl > IP4_MIN_IHL)
		return xrt_punt(p, XRT_PUNT_HOPOPTS);
	return XRT_NEXT;
}

#endif
