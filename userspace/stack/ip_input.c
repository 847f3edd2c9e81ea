/* xrt: IPv4 input: ip_rcv (RFC 791 / RFC 1812 5.2.2 header checks), ip_rcv_finish (route), ip_local_deliver. */
#include "stack/stack_internal.h"
#include "xrt/acl.h"

/* RFC 1812 5.3.7 / RFC 1122 3.2.1.3: a source that cannot name one host. */
static bool ip4_martian_source(uint32_t saddr)
{
	return ipv4_is_multicast(saddr) || ipv4_is_lbcast(saddr) || ipv4_is_zeronet(saddr) ||
	       ipv4_is_loopback(saddr);
}

/* RFC 1112 4: the all-hosts group every IPv4 host is in. */
#define INADDR_ALLHOSTS 0xe0000001u

/*
 * ip_local_deliver: reassemble (ip_defrag), then the protocol. Unknown
 * protocols get Protocol Unreachable (RFC 1122 3.2.2.1), as
 * ip_protocol_deliver_rcu does when no raw socket took the packet.
 */
static void ip_local_deliver(struct pkt *p)
{
	const struct iphdr_wire *iph = pkt_ip4(p);
	if (ntohs(iph->frag_off) & (IP4_FLAG_MF | IP4_FRAG_OFFSET_MASK)) {
		if (!ip_defrag(p))
			return;
		iph = pkt_ip4(p);
	}
	/* NF_INET_LOCAL_IN, after ip_defrag as in the kernel: a reassembled
	 * datagram shows its ports. */
	if (nf_hook_drop(p, XRT_ACL_LOCAL, p->ifindex))
		return;
	IP4_INC(IN_DELIVERS);
	switch (iph->protocol) {
	case IPPROTO_ICMP:
		icmp_rcv(p);
		return;
	case IPPROTO_UDP:
		udp_v4_rcv(p);
		return;
	case IPPROTO_TCP:
		tcp_v4_rcv(p);
		return;
	default:
		IP4_INC(IN_UNKNOWN_PROTOS);
		DROP_INC(NO_PROTO);
		icmp_send(p, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0);
		return;
	}
}

/*
 * ip_rcv_finish / ip_route_input_slow: ours (an address of any attached
 * interface, a broadcast of the ingress link, a group we are in, or a
 * local route) goes up; the rest is forwarded or answered as ip_error
 * does: Network Unreachable without a route, Host Unreachable for an
 * unreachable route, Communication Administratively Prohibited (code 13)
 * for a prohibit route (RFC 1812 5.2.7.1).
 */
static void ip_rcv_finish(struct pkt *p)
{
	const struct iphdr_wire *iph = pkt_ip4(p);
	const struct xrt_netdev *dev = stack_dev(p->ifindex);
	if (!dev) {
		DROP_INC(NO_DEV);
		MIB_INC(IP4_IN_DISCARDS);
		return;
	}
	struct in6_addr saddr = ip4_mapped(iph->saddr), daddr = ip4_mapped(iph->daddr);
	if (ipv4_is_multicast(iph->daddr)) {
		if (ntohl(iph->daddr) != INADDR_ALLHOSTS) {
			/* No multicast routing: a group nobody here joined. */
			DROP_INC(MCAST_NOT_OURS);
			MIB_INC(IP4_IN_DISCARDS);
			return;
		}
		ip_local_deliver(p);
		return;
	}
	if (ipv4_is_bcast_mcast(dev, iph->daddr) || ipv6_chk_addr(&daddr)) {
		ip_local_deliver(p);
		return;
	}
	struct fib6_result res = { 0 };
	if (senv.fib6_lookup(senv.ctx, dev->table, &saddr, &daddr, &res) < 0)
		res.type = 0;
	if (res.type != XRT_RTN_LOCAL && res.type != XRT_RTN_BROADCAST &&
	    res.type != XRT_RTN_UNICAST && !dev->forwarding) {
		/* ip_error with forwarding off: counted, never answered. */
		DROP_INC(FWD_DISABLED);
		MIB_INC(IP4_IN_ADDR_ERRORS);
		return;
	}
	switch (res.type) {
	case XRT_RTN_LOCAL:
	case XRT_RTN_BROADCAST:
		ip_local_deliver(p);
		return;
	case XRT_RTN_UNICAST:
		ip_forward(p, &res);
		return;
	case XRT_RTN_BLACKHOLE:
		DROP_INC(BLACKHOLE);
		MIB_INC(IP4_IN_DISCARDS);
		return;
	case XRT_RTN_PROHIBIT:
		DROP_INC(PROHIBIT);
		MIB_INC(IP4_IN_NO_ROUTES);
		icmp_send(p, ICMP_DEST_UNREACH, ICMP_PKT_FILTERED, 0);
		return;
	case XRT_RTN_UNREACHABLE:
		DROP_INC(NO_ROUTE);
		MIB_INC(IP4_IN_ADDR_ERRORS);
		icmp_send(p, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
		return;
	default:
		DROP_INC(NO_ROUTE);
		MIB_INC(IP4_IN_NO_ROUTES);
		icmp_send(p, ICMP_DEST_UNREACH, ICMP_NET_UNREACH, 0);
		return;
	}
}

/* ip_rcv / ip_rcv_core: RFC 1812 5.2.2 checks, again (the fast path is
 * never trusted): length, version, IHL, checksum, total length. */
void ip_rcv(struct pkt *p)
{
	MIB_INC(IP4_IN_RECEIVES);
	MIB_ADD(IP4_IN_OCTETS, p->len);
	if (p->len < IP4_HDR_LEN) {
		DROP_INC(IP4_HDR);
		MIB_INC(IP4_IN_HDR_ERRORS);
		return;
	}
	const struct iphdr_wire *iph = pkt_ip4(p);
	size_t ihl = ip4_hdr_len(p->nh);
	if ((p->nh[0] >> 4) != IP4_VERSION || ihl < IP4_HDR_LEN || ihl > p->len) {
		DROP_INC(IP4_HDR);
		MIB_INC(IP4_IN_HDR_ERRORS);
		return;
	}
	if (ip_compute_csum(p->nh, ihl) != 0) {
		DROP_INC(IP4_HDR);
		MIB_INC(IP4_IN_CSUM_ERRORS);
		MIB_INC(IP4_IN_HDR_ERRORS);
		return;
	}
	size_t tot = ntohs(iph->tot_len);
	if (tot > p->len) {
		DROP_INC(TRUNCATED);
		MIB_INC(IP4_IN_TRUNCATED_PKTS);
		return;
	}
	if (tot < ihl) {
		DROP_INC(IP4_HDR);
		MIB_INC(IP4_IN_HDR_ERRORS);
		return;
	}
	p->len = tot; /* trim link padding */
	p->thoff = ihl;
	if (ip4_martian_source(iph->saddr) || ipv4_is_zeronet(iph->daddr) ||
	    ipv4_is_loopback(iph->daddr)) {
		DROP_INC(IP4_MARTIAN);
		MIB_INC(IP4_IN_ADDR_ERRORS);
		return;
	}
	/* A packet with options was punted by the fast path's ip_rcv, before
	 * its rpf and prerouting acl (bpf/fib_validate_source.h, nf_hook.h):
	 * NF_INET_PRE_ROUTING runs here instead. */
	if (ihl > IP4_HDR_LEN && nf_hook_drop(p, XRT_ACL_IN, p->ifindex))
		return;
	if (!ip_rcv_options(p))
		return;
	ip_rcv_finish(p);
}
