/* xrt: ip6_forward: the forwarding checks of the kernel, in its order, then output via the neighbour layer. */
#include "stack/stack_internal.h"
#include "xrt/acl.h"

/*
 * Called for a packet whose route is unicast and not local. The fast path
 * did these checks already, but the daemon never trusts it. A packet punted
 * for a Redirect was NOT forwarded by the fast path (XDP cannot clone a
 * frame; see bpf/ip6_forward.h), so here it gets the Redirect and is forwarded.
 */
void ip6_forward(struct pkt *p, const struct fib6_result *res)
{
	struct ip6_hdr_wire *ip6 = pkt_ip6(p);
	const struct xrt_netdev *in = stack_dev(p->ifindex);

	/* The kernel ip6_forward's "goto error": forwarding off counts as InAddrErrors. */
	if (!in || !in->forwarding) {
		DROP_INC(FWD_DISABLED);
		MIB_INC(IN_ADDR_ERRORS);
		return;
	}
	if (p->eth_mcast) {
		/* pkt_type != PACKET_HOST: not sent to us at link level. */
		DROP_INC(MCAST_NOT_OURS);
		MIB_INC(IN_DISCARDS);
		return;
	}
	/* RFC 8200 3: hop limit 1 or 0 cannot be forwarded (RFC 4443 3.3). */
	if (ip6->hop_limit <= 1) {
		DROP_INC(FWD_HOP_LIMIT);
		MIB_INC(IN_HDR_ERRORS);
		icmp6_send(p, ICMP6_TIME_EXCEED, ICMP6_TE_HOPLIMIT, 0);
		return;
	}
	if (res->oif == p->ifindex) {
		/* Leaving by the interface it came in by: a better first hop
		 * exists on the link (RFC 4861 8.2). Then forward anyway. */
		ndisc_send_redirect(p, res);
	} else {
		/* RFC 4291 2.5.6 / RFC 4007: a link-local source never leaves
		 * its link. Unspecified, multicast, loopback sources never go. */
		if (ip6_is_unspec(&ip6->saddr) || ip6_is_mcast(&ip6->saddr) ||
		    ip6_is_loopback(&ip6->saddr)) {
			DROP_INC(FWD_BAD_SRC);
			MIB_INC(IN_ADDR_ERRORS);
			return;
		}
		if (ip6_is_linklocal(&ip6->saddr)) {
			DROP_INC(FWD_BEYOND_SCOPE);
			MIB_INC(IN_ADDR_ERRORS);
			icmp6_send(p, ICMP6_DST_UNREACH, ICMP6_DU_BEYONDSCOPE, 0);
			return;
		}
	}
	const struct xrt_netdev *out = stack_dev(res->oif);
	if (!out) {
		DROP_INC(NO_DEV);
		MIB_INC(OUT_DISCARDS);
		return;
	}
	/* ip6_dst_mtu_maybe_forward(dst, true): forwarding checks the
	 * device's MTU only; an unlocked route MTU is enforced later. */
	uint32_t mtu = out->mtu < IP6_MIN_MTU ? IP6_MIN_MTU : out->mtu;
	/* RFC 8200 5: routers never fragment; tell the source the MTU. */
	if (p->len > mtu) {
		DROP_INC(FWD_TOO_BIG);
		MIB_INC(IN_TOO_BIG_ERRORS);
		MIB_INC(FRAG_FAILS); /* as the kernel counts it */
		icmp6_send(p, ICMP6_PKT_TOOBIG, 0, mtu);
		return;
	}
	/* NF_INET_FORWARD: the fast path ran it (bpf/nf_hook.h) before a
	 * neighbour miss only; a Redirect or hop-by-hop punt comes earlier. */
	if (senv.nf_hook && (!p->meta || p->meta->reason != XRT_PUNT_NEIGH_MISS) &&
	    senv.nf_hook(senv.ctx, XRT_ACL_OUT, res->oif, p->nh, p->len)) {
		DROP_INC(NF_DROP);
		return;
	}
	ip6->hop_limit--;
	MIB_INC(OUT_FORW_DATAGRAMS);
	/* The route's own MTU: the kernel meets it in ip6_fragment, after
	 * the decrement, and its icmpv6_send quotes the packet as it would
	 * have left (hop limit already decremented), counted FragFails. */
	uint32_t rt_mtu = res->mtu < IP6_MIN_MTU ? IP6_MIN_MTU : res->mtu;
	if (res->mtu && rt_mtu < mtu && p->len > rt_mtu) {
		DROP_INC(FWD_TOO_BIG);
		MIB_INC(FRAG_FAILS);
		icmp6_send(p, ICMP6_PKT_TOOBIG, 0, rt_mtu);
		return;
	}
	ip6_output_finish(res->oif, &res->nexthop, p->nh, p->len, p->ifindex);
}
