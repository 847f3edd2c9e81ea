/* xrt fast path stages 2-3: ipv6_rcv header checks and hop-by-hop punt. */
#ifndef XRT_BPF_IP6_RCV_H
#define XRT_BPF_IP6_RCV_H

#include "pkt.h"
#include "eth_type_trans.h"
#include "punt.h"
#include "stats.h"

/*
 * Same checks, order and MIB counters as the kernel's ipv6_rcv (ip6_rcv_core),
 * plus the RFC 4291 2.7 multicast-source rule (InHdrErrors, as current
 * kernels count it). The unspecified destination is not refused here: as
 * in ip6_rcv_core it is looked up like any other (ip6_route_input).
 */
static __always_inline int ipv6_rcv(struct xrt_pkt *p)
{
	__u32 frame_len = p->data_end - (void *)p->ip6;
	__u32 plen;
	struct ipv6hdr *ip6 = p->ip6;

	/* eth_type_trans marks a unicast frame for another MAC
	 * PACKET_OTHERHOST (a promiscuous port, a flooding switch, a spoofed
	 * destination MAC) and ip6_rcv_core drops it before any MIB counter
	 * (SKB_DROP_REASON_OTHERHOST). Group MACs (I/G bit set) go on: the
	 * multicast and link-local rules below decide. */
	if (!(p->eth->h_dest[0] & 1) && !xrt_mac_eq(p->eth->h_dest, p->iif->mac))
		return xrt_drop(p, XRT_DROP_OTHERHOST);

	XRT_MIB_INC(p, IN_RECEIVES);
	XRT_MIB_ADD(p, IN_OCTETS, frame_len);
	if ((void *)(ip6 + 1) > p->data_end) {
		XRT_MIB_INC(p, IN_HDR_ERRORS);
		return xrt_drop(p, XRT_DROP_SHORT);
	}
	if (ip6->version != IP6_VERSION) {
		XRT_MIB_INC(p, IN_HDR_ERRORS);
		return xrt_drop(p, XRT_DROP_VERSION);
	}
	/* RFC 4291 2.5.3: loopback must never arrive on a wire. */
	/* Global unicast on both sides, nearly all forwarded traffic, is none
	 * of the classes checked next (nor by ip6_route_input and
	 * ip6_forward): one test instead of five. */
	p->global = ip6_addr_is_global(&ip6->saddr) && ip6_addr_is_global(&ip6->daddr);
	if (p->global)
		goto addr_ok;
	if (ip6_addr_is_loopback(&ip6->daddr)) {
		XRT_MIB_INC(p, IN_HDR_ERRORS);
		return xrt_drop(p, XRT_DROP_DST_LOOPBACK);
	}
	/* RFC 4291 2.7: multicast is never a source. */
	if (ip6_addr_is_multicast(&ip6->saddr)) {
		XRT_MIB_INC(p, IN_HDR_ERRORS);
		return xrt_drop(p, XRT_DROP_SRC_MCAST);
	}
addr_ok:

	plen = bpf_ntohs(ip6->payload_len);
	/* Payload length 0 with hop-by-hop may be a jumbogram (RFC 2675): its
	 * real length is in the TLV, which the daemon parses. */
	if (plen || ip6->nexthdr != NEXTHDR_HOP) {
		if (IP6_HDR_LEN + plen > frame_len) {
			XRT_MIB_INC(p, IN_TRUNCATED_PKTS);
			return xrt_drop(p, XRT_DROP_TRUNCATED);
		}
		/* pskb_trim_rcsum: Ethernet pads short frames; forward the
		 * packet, not the padding. */
		if (IP6_HDR_LEN + plen < frame_len) {
			if (bpf_xdp_adjust_tail(p->ctx, (int)(IP6_HDR_LEN + plen) -
							       (int)frame_len)) {
				XRT_MIB_INC(p, IN_HDR_ERRORS);
				return xrt_drop(p, XRT_DROP_TRIM);
			}
			xrt_pkt_load(p);
			ip6 = p->ip6;
			if ((void *)(ip6 + 1) > p->data_end)
				return xrt_drop(p, XRT_DROP_TRIM);
		}
	}
	p->len = IP6_HDR_LEN + plen;

	/* 2000::/3 is not multicast: one test fewer for nearly every packet. */
	if (!p->global && ip6_addr_is_multicast(&ip6->daddr))
		XRT_MIB_INC(p, IN_MCAST_PKTS);
	/* Hop-by-hop options are examined by every node on the path (RFC 8200
	 * 4.3); their TLVs are the daemon's job (ip6_parse_tlv). */
	if (ip6->nexthdr == NEXTHDR_HOP)
		return xrt_punt(p, plen ? XRT_PUNT_HOPOPTS : XRT_PUNT_JUMBO);
	return XRT_NEXT;
}

#endif
