/* xrt fast path, IPv4 stage 5: ip_forward checks (pkt_type, TTL, MTU, redirect) and ip_decrease_ttl. */
#ifndef XRT_BPF_IP_FORWARD_H
#define XRT_BPF_IP_FORWARD_H

#include "pkt.h"
#include "punt.h"
#include "stats.h"

/* ip_decrease_ttl: TTL - 1 and the checksum updated incrementally (RFC 1624
 * eqn. 3 for a 16-bit word whose high byte drops by one). */
static __always_inline void ip_decrease_ttl(struct iphdr *iph)
{
	__u32 check = iph->check;

	check += bpf_htons(0x0100);
	iph->check = (__sum16)(check + (check >= 0xffff));
	iph->ttl--;
}

/* ip_forward, in the kernel's order (net/ipv4/ip_forward.c): XRT_NEXT to
 * forward, else the verdict of a punt or drop. The ingress forwarding flag
 * was ip_route_input's, as in the kernel. */
static __always_inline int ip_forward(struct xrt_pkt *p)
{
	const struct iphdr *iph = p->ip4;

	/* "if (skb->pkt_type != PACKET_HOST) goto drop": a frame sent to a
	 * group MAC is never forwarded (no MIB counter). */
	if (p->eth->h_dest[0] & 1)
		return xrt_drop(p, XRT_DROP_FWD_NOT_HOST);
	/* RFC 1812 5.3.1: xrtd sends Time Exceeded. */
	if (iph->ttl <= 1) {
		XRT_MIB_INC(p, IP4_IN_HDR_ERRORS);
		return xrt_punt(p, XRT_PUNT_HOP_LIMIT);
	}
	/* ip_exceeds_mtu: with DF xrtd sends Fragmentation Needed (RFC 1191,
	 * FragFails as the kernel counts it); without, xrtd fragments (RFC
	 * 791 2.3), which XDP cannot. */
	if (p->len > p->nh->mtu) {
		p->mtu = p->nh->mtu;
		if (iph->frag_off & bpf_htons(IP4_FLAG_DF))
			XRT_MIB_INC(p, IP4_FRAG_FAILS);
		return xrt_punt(p, XRT_PUNT_TOO_BIG);
	}
	/* IPSKB_DOREDIRECT: out the way it came, RFC 1812 5.2.7.2 wants a
	 * Redirect and the packet still forwarded. As ip6_forward: while the
	 * REDIRECT bucket has a token xrtd gets the packet and does both;
	 * once it is empty (the Redirect rate limit) it leaves by XDP_TX. */
	if (p->oif == p->ifindex && xrt_punt_allowed(XRT_PUNT_REDIRECT))
		return xrt_punt_send(p, XRT_PUNT_REDIRECT);
	return XRT_NEXT;
}

#endif
