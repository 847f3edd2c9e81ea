/* xrt fast path stages 6 and 8: ip6_forward checks and the MTU check. */
#ifndef XRT_BPF_IP6_FORWARD_H
#define XRT_BPF_IP6_FORWARD_H

#include "pkt.h"
#include "punt.h"
#include "stats.h"

/* ip6_forward, in the kernel's order (net/ipv6/ip6_output.c): XRT_NEXT to forward, else
 * the verdict of a punt or drop. */
static __always_inline int ip6_forward(struct xrt_pkt *p)
{
	const struct ipv6hdr *ip6 = p->ip6;

	if (!(p->iif->flags & XRT_IF_F_FORWARDING)) {
		XRT_MIB_INC(p, IN_ADDR_ERRORS);
		return xrt_drop(p, XRT_DROP_FWD_DISABLED);
	}
	/* ip6_forward: "if (skb->pkt_type != PACKET_HOST) goto drop": a
	 * frame sent to a group MAC is never forwarded (no MIB counter). */
	if (p->eth->h_dest[0] & 1)
		return xrt_drop(p, XRT_DROP_FWD_NOT_HOST);
	if (ip6->hop_limit <= 1) {
		XRT_MIB_INC(p, IN_HDR_ERRORS);
		return xrt_punt(p, XRT_PUNT_HOP_LIMIT);
	}
	/* "This check is security critical": never forward from :: or ::1
	 * (multicast sources were dropped by ipv6_rcv). The kernel skips it
	 * on the Redirect branch; RFC 4291 does not, so neither do we. */
	if (!p->global && (ip6_addr_is_any(&ip6->saddr) || ip6_addr_is_loopback(&ip6->saddr))) {
		XRT_MIB_INC(p, IN_ADDR_ERRORS);
		return xrt_drop(p, XRT_DROP_BAD_SRC);
	}
	if (p->oif == p->ifindex) {
		/*
		 * Leaving by the interface it came in on: RFC 4861 8.2 wants a
		 * Redirect and the packet still forwarded. XDP cannot clone a
		 * frame, so while the REDIRECT bucket has a token the packet
		 * itself is punted and the daemon both sends the Redirect and
		 * forwards it; once the bucket is empty (the rate limit of
		 * Redirects) it is forwarded here with XDP_TX.
		 */
		if (xrt_punt_allowed(XRT_PUNT_REDIRECT))
			return xrt_punt_send(p, XRT_PUNT_REDIRECT);
	} else if (!p->global && ip6_addr_is_linklocal(&ip6->saddr)) {
		/* RFC 4291 2.5.6: a link-local source cannot leave its link. */
		XRT_MIB_INC(p, IN_ADDR_ERRORS);
		return xrt_punt(p, XRT_PUNT_BEYOND_SCOPE);
	}
	/* RFC 8200 5: routers never fragment; the source learns the MTU from
	 * the Packet Too Big the daemon sends. */
	if (p->len > p->nh->mtu) {
		p->mtu = p->nh->mtu;
		XRT_MIB_INC(p, IN_TOO_BIG_ERRORS);
		XRT_MIB_INC(p, FRAG_FAILS);
		return xrt_punt(p, XRT_PUNT_TOO_BIG);
	}
	return XRT_NEXT;
}

#endif
