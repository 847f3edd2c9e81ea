/* xrt: ip_forward: the kernel's forwarding checks in its order (RFC 1812 5.2, 5.3), Redirect, fragmentation, then neighbour output. */
#include "stack/stack_internal.h"
#include "xrt/acl.h"

/*
 * Called for a datagram whose route is unicast and not local, punted by
 * the fast path (TTL, too big, Redirect, no neighbour) or met by the stack
 * itself. A Redirect punt was not forwarded by the fast path (XDP cannot
 * clone), so it gets the Redirect and is forwarded here.
 */
void ip_forward(struct pkt *p, const struct fib6_result *res)
{
	struct iphdr_wire *iph = pkt_ip4(p);
	const struct xrt_netdev *in = stack_dev(p->ifindex);
	if (!in || !in->forwarding) {
		DROP_INC(FWD_DISABLED);
		MIB_INC(IP4_IN_ADDR_ERRORS);
		return;
	}
	if (p->eth_mcast) {
		/* pkt_type != PACKET_HOST: not sent to us at link level. */
		DROP_INC(IP4_BCAST);
		MIB_INC(IP4_IN_DISCARDS);
		return;
	}
	/* RFC 1812 5.3.1: TTL 1 or 0 cannot be forwarded: Time Exceeded. */
	if (iph->ttl <= 1) {
		DROP_INC(FWD_HOP_LIMIT);
		MIB_INC(IP4_IN_HDR_ERRORS);
		icmp_send(p, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
		return;
	}
	const struct xrt_netdev *out = stack_dev(res->oif);
	if (!out) {
		DROP_INC(NO_DEV);
		MIB_INC(IP4_OUT_DISCARDS);
		return;
	}
	uint32_t mtu = res->mtu && res->mtu < out->mtu ? res->mtu : out->mtu;
	bool df = ntohs(iph->frag_off) & IP4_FLAG_DF;
	if (p->len > mtu && df) {
		/* ip_forward's ip_exceeds_mtu: RFC 1191 4 next-hop MTU. */
		DROP_INC(FWD_TOO_BIG);
		MIB_INC(IP4_FRAG_FAILS);
		icmp_send(p, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu);
		return;
	}
	/* NF_INET_FORWARD: the fast path ran it (bpf/nf_hook.h) before a
	 * neighbour miss only; a Redirect, TTL, too big or options punt comes
	 * earlier. */
	if ((!p->meta || p->meta->reason != XRT_PUNT_NEIGH_MISS) &&
	    nf_hook_drop(p, XRT_ACL_OUT, res->oif))
		return;
	/* ip_decrease_ttl, then a fresh header checksum. */
	iph->ttl--;
	ip_forward_options(p, res->oif);
	ip_send_check(p->nh);
	/* RFC 1812 5.2.7.2: leaving by the interface it came in by (the
	 * kernel's IPSKB_DOREDIRECT, checked after the MTU and TTL). */
	if (res->oif == p->ifindex)
		ip_rt_send_redirect(p, res);
	MIB_INC(IP4_FORW_DATAGRAMS);
	if (p->len > mtu) {
		ip_fragment(p->nh, p->len, mtu, res->oif, &res->nexthop, p->ifindex);
		return;
	}
	neigh_output(res->oif, &res->nexthop, p->nh, p->len, p->ifindex);
}
