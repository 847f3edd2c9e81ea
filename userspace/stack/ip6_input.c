/* xrt: IPv6 input: ipv6_rcv (header checks), ip6_rcv_finish (route), ip6_input_finish (local delivery). */
#include "stack/stack_internal.h"
#include "stack/mcast.h"
#include "xrt/acl.h"

const struct xrt_netdev *stack_dev(int ifindex)
{
	return senv.dev_get(senv.ctx, ifindex);
}

struct addr_search {
	const struct in6_addr *addr;
	const struct xrt_netdev *found;
};

static void find_addr(const struct xrt_netdev *dev, void *arg)
{
	struct addr_search *s = arg;
	if (s->found)
		return;
	for (unsigned i = 0; i < dev->naddrs && i < XRT_MAX_ADDRS; i++)
		if (ip6_eq(&dev->addr[i], s->addr)) {
			s->found = dev;
			return;
		}
}

const struct xrt_netdev *ipv6_chk_addr(const struct in6_addr *addr)
{
	struct addr_search s = { .addr = addr };
	senv.dev_foreach(senv.ctx, find_addr, &s);
	return s.found;
}

/* The Subnet-Router anycast address of dev's i-th address, if it has one. */
bool ipv6_dev_acast_addr(const struct xrt_netdev *dev, unsigned i, struct in6_addr *out)
{
	unsigned plen = dev->plen[i];
	if (!dev->forwarding || plen >= 127 || xrt_addr_is_v4(&dev->addr[i]))
		return false;
	*out = dev->addr[i];
	for (unsigned b = plen; b < 128; b++)
		out->s6_addr[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
	return !ip6_is_unspec(out);
}

static bool dev_has_acast(const struct xrt_netdev *dev, const struct in6_addr *addr)
{
	for (unsigned i = 0; i < dev->naddrs && i < XRT_MAX_ADDRS; i++) {
		struct in6_addr ac;
		if (ipv6_dev_acast_addr(dev, i, &ac) && ip6_eq(&ac, addr))
			return true;
	}
	return false;
}

struct acast_search {
	const struct in6_addr *addr;
	bool found;
};

static void find_acast(const struct xrt_netdev *dev, void *arg)
{
	struct acast_search *s = arg;
	if (!s->found && dev_has_acast(dev, s->addr))
		s->found = true;
}

bool ipv6_chk_acast_addr(const struct xrt_netdev *dev, const struct in6_addr *addr)
{
	if (dev)
		return dev_has_acast(dev, addr);
	struct acast_search s = { .addr = addr };
	senv.dev_foreach(senv.ctx, find_acast, &s);
	return s.found;
}

bool ipv6_chk_mcast_addr(int ifindex, const struct in6_addr *g)
{
	/* RFC 4291 2.7.1: all-nodes ff01::1 / ff02::1, all-routers ff01::2,
	 * ff02::2 (a router joins them), and the solicited-node group of each
	 * address of the interface (RFC 4861 7.2.1). */
	static const uint8_t prefix_zero[13];
	if ((g->s6_addr[1] == 0x01 || g->s6_addr[1] == 0x02) &&
	    memcmp(&g->s6_addr[2], prefix_zero, 13) == 0 &&
	    (g->s6_addr[15] == 1 || g->s6_addr[15] == 2))
		return true;
	const struct xrt_netdev *dev = stack_dev(ifindex);
	if (!dev)
		return false;
	for (unsigned i = 0; i < dev->naddrs && i < XRT_MAX_ADDRS; i++) {
		struct in6_addr sn;
		if (xrt_addr_is_v4(&dev->addr[i]))
			continue;
		ip6_solicited_node(&dev->addr[i], &sn);
		if (ip6_eq(&sn, g))
			return true;
		/* The kernel joins the anycast's group too (__ipv6_dev_ac_inc). */
		struct in6_addr ac;
		if (ipv6_dev_acast_addr(dev, i, &ac)) {
			ip6_solicited_node(&ac, &sn);
			if (ip6_eq(&sn, g))
				return true;
		}
	}
	/* A socket joined it there (ipv6_sock_mc_join). */
	return mld_dev_listens(ifindex, g);
}

bool ipv6_dev_get_lladdr(const struct xrt_netdev *dev, struct in6_addr *out)
{
	for (unsigned i = 0; i < dev->naddrs && i < XRT_MAX_ADDRS; i++)
		if (ip6_is_linklocal(&dev->addr[i])) {
			*out = dev->addr[i];
			return true;
		}
	return false;
}

/* NF_HOOK(hook): a verdict of the daemon's rpf and acl (stack_env.nf_hook),
 * for either family. */
bool nf_hook_drop(struct pkt *p, unsigned hook, int ifindex)
{
	if (!senv.nf_hook || !senv.nf_hook(senv.ctx, hook, ifindex, p->nh, p->len))
		return false;
	DROP_INC(NF_DROP);
	return true;
}

/* ip6_input: NF_HOOK(NF_INET_LOCAL_IN, ..., ip6_input_finish). */
static void ip6_input(struct pkt *p, uint8_t nexthdr)
{
	if (!nf_hook_drop(p, XRT_ACL_LOCAL, p->ifindex))
		ip6_input_finish(p, nexthdr);
}

/* ip6_pkt_drop's counter for a packet without a usable route: InNoRoutes,
 * but InAddrErrors when the destination is :: (RFC 4443 3.1 still asks for
 * the Destination Unreachable, which the caller sends). */
static void ip6_pkt_drop_mib(const struct ip6_hdr_wire *ip6)
{
	if (ip6_is_unspec(&ip6->daddr))
		MIB_INC(IN_ADDR_ERRORS);
	else
		MIB_INC(IN_NO_ROUTES);
}

/*
 * ip6_rcv_finish / ip6_route_input: local (one of our addresses, a group we
 * listen to, or a local route) goes up the stack; the rest is forwarded or
 * answered with the error its route type asks for.
 */
static void ip6_rcv_finish(struct pkt *p)
{
	struct ip6_hdr_wire *ip6 = pkt_ip6(p);
	const struct xrt_netdev *dev = stack_dev(p->ifindex);
	if (!dev) {
		DROP_INC(NO_DEV);
		MIB_INC(IN_DISCARDS);
		return;
	}
	if (ip6_is_mcast(&ip6->daddr)) {
		MIB_INC(IN_MCAST_PKTS);
		if (!ipv6_chk_mcast_addr(p->ifindex, &ip6->daddr)) {
			/* No multicast routing: a group nobody here joined. */
			DROP_INC(MCAST_NOT_OURS);
			MIB_INC(IN_DISCARDS);
			return;
		}
		ip6_input(p, ip6->nexthdr);
		return;
	}
	if (ipv6_chk_addr(&ip6->daddr) || ipv6_chk_acast_addr(NULL, &ip6->daddr)) {
		ip6_input(p, ip6->nexthdr);
		return;
	}
	struct fib6_result res = { 0 };
	if (senv.fib6_lookup(senv.ctx, dev->table, &ip6->saddr, &ip6->daddr, &res) < 0)
		res.type = 0;
	switch (res.type) {
	case XRT_RTN_LOCAL:
		ip6_input(p, ip6->nexthdr);
		return;
	case XRT_RTN_UNICAST:
		ip6_forward(p, &res);
		return;
	case XRT_RTN_BLACKHOLE:
		DROP_INC(BLACKHOLE);
		MIB_INC(IN_DISCARDS);
		return;
	case XRT_FIB6_LEAF_KERNEL:
		/* Source routes xrt could not all install decide this packet
		 * (rib.c spass_refuse): only the kernel's fib6_node_lookup
		 * knows them, and a punted frame cannot go back to it. */
		DROP_INC(SRC_ROUTE_UNSUPPORTED);
		MIB_INC(IN_DISCARDS);
		return;
	case XRT_RTN_PROHIBIT:
		/* ip6_pkt_prohibit: RFC 4443 3.1 code 1. */
		DROP_INC(PROHIBIT);
		ip6_pkt_drop_mib(ip6);
		icmp6_send(p, ICMP6_DST_UNREACH, ICMP6_DU_ADMIN, 0);
		return;
	default: /* unreachable route, or none: ip6_pkt_discard, code 0 */
		DROP_INC(NO_ROUTE);
		ip6_pkt_drop_mib(ip6);
		icmp6_send(p, ICMP6_DST_UNREACH, ICMP6_DU_NOROUTE, 0);
		return;
	}
}

/* ipv6_rcv: the header checks of RFC 8200 section 3 and RFC 4291, again. */
void ipv6_rcv(struct pkt *p)
{
	MIB_INC(IN_RECEIVES);
	MIB_ADD(IN_OCTETS, p->len);
	if (p->len < IP6_HDR_LEN) {
		DROP_INC(SHORT);
		MIB_INC(IN_HDR_ERRORS);
		return;
	}
	struct ip6_hdr_wire *ip6 = pkt_ip6(p);
	if ((p->nh[0] >> 4) != IP6_VERSION) {
		DROP_INC(VERSION);
		MIB_INC(IN_HDR_ERRORS);
		return;
	}
	/* RFC 4291 2.5.3 / 2.7: loopback never on the wire, multicast never a
	 * source, interface-local multicast never on the wire: ip6_rcv_core's
	 * "goto err", InHdrErrors. An unspecified destination is routed like
	 * any other, as ip6_rcv_core does (ip6_rcv_finish counts it). */
	if (ip6_is_loopback(&ip6->daddr) || ip6_is_loopback(&ip6->saddr) ||
	    ip6_is_mcast(&ip6->saddr) ||
	    (ip6_is_mcast(&ip6->daddr) &&
	     ip6_mc_scope(&ip6->daddr) == IP6_MC_SCOPE_INTERFACE)) {
		DROP_INC(BAD_ADDR);
		MIB_INC(IN_HDR_ERRORS);
		return;
	}
	/* RFC 4291 2.5.5.2: IPv4-mapped addresses are for IPv4 nodes only
	 * (ip6_rcv_core drops such a source); here they also name the IPv4
	 * family's routes and addresses, which IPv6 must never reach. */
	if (xrt_addr_is_v4(&ip6->saddr) || xrt_addr_is_v4(&ip6->daddr)) {
		DROP_INC(BAD_ADDR);
		MIB_INC(IN_ADDR_ERRORS);
		return;
	}
	size_t plen = ntohs(ip6->payload_len);
	if (plen == 0 && ip6->nexthdr == NEXTHDR_HOP) {
		/* Jumbogram: the Jumbo Payload option gives the length. */
	} else {
		if (IP6_HDR_LEN + plen > p->len) {
			DROP_INC(TRUNCATED);
			MIB_INC(IN_TRUNCATED_PKTS);
			return;
		}
		p->len = IP6_HDR_LEN + plen; /* trim link padding */
	}
	/* A hop-by-hop packet was punted by the fast path's ipv6_rcv, before
	 * its rpf and prerouting acl (bpf/fib_validate_source.h, nf_hook.h):
	 * NF_INET_PRE_ROUTING runs here instead. */
	if (ip6->nexthdr == NEXTHDR_HOP && nf_hook_drop(p, XRT_ACL_IN, p->ifindex))
		return;
	p->nhoff = 6; /* the next-header byte of the fixed header */
	p->thoff = IP6_HDR_LEN;
	if (ip6->nexthdr == NEXTHDR_HOP && !ipv6_parse_hopopts(p))
		return;
	ip6_rcv_finish(p);
}

/*
 * ip6_input_finish: walk the extension header chain through the protocol
 * table. Handlers of extension headers return the next header; the upper
 * layer consumes the packet. Hop-by-hop was parsed in ipv6_rcv, so a
 * hop-by-hop header anywhere else is an error (RFC 8200 4.1).
 */
void ip6_input_finish(struct pkt *p, uint8_t nexthdr)
{
	if (nexthdr == NEXTHDR_HOP && p->thoff == IP6_HDR_LEN) {
		/* Skip the hop-by-hop header already parsed by ipv6_rcv. */
		if (p->len < IP6_HDR_LEN + 8) {
			DROP_INC(EXTHDR_TRUNC);
			MIB_INC(IN_HDR_ERRORS);
			return;
		}
		nexthdr = p->nh[IP6_HDR_LEN];
		p->nhoff = IP6_HDR_LEN;
		p->thoff = IP6_HDR_LEN + ((size_t)p->nh[IP6_HDR_LEN + 1] + 1) * 8;
	}
	/* Each extension header is at least 8 bytes: the walk is bounded. */
	for (unsigned guard = 0; guard <= PKT_MAX_LEN / 8; guard++) {
		inet6_handler h = nexthdr == NEXTHDR_HOP ? NULL : inet6_protocol(nexthdr);
		bool raw = raw6_local_deliver(p, nexthdr);
		if (nexthdr == NEXTHDR_NONE) {
			DROP_INC(NONE_NEXTHDR);
			MIB_INC(IN_DELIVERS);
			return;
		}
		if (!h && raw) {
			MIB_INC(IN_DELIVERS);
			return;
		}
		if (!h) {
			/* RFC 8200 4 / RFC 4443 3.4: code 1 at the next-header byte. */
			DROP_INC(NO_PROTO);
			MIB_INC(IN_UNKNOWN_PROTOS);
			icmp6_send(p, ICMP6_PARAMPROB, ICMP6_PP_NEXTHDR, (uint32_t)p->nhoff);
			return;
		}
		int next = h(p);
		if (next < 0)
			return;
		nexthdr = (uint8_t)next;
	}
}
