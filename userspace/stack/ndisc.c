/* xrt: neighbour discovery (RFC 4861): validate and answer NS/NA, send NS, Redirects and Router Advertisements. */
#include <errno.h>
#include <stdio.h>
#include "stack/ndisc_ra.h"
#include "xrt/err.h"
#include "stack/stack_internal.h"

static void ndisc_ra_solicited(int ifindex);

#define ND_OPT_LEN_UNIT 8
#define ND_LLA_OPT_LEN 8 /* type, length 1, 6-byte Ethernet address */
/* Fixed part of each message, ICMPv6 header included (RFC 4861 4.1-4.5). */
#define ND_RS_LEN 8
#define ND_RA_LEN 16
#define ND_NS_LEN 24
#define ND_NA_LEN 24
#define ND_REDIRECT_LEN 40
/* RFC 4861 4.6.3: Redirected Header option: type, length, 6 reserved. */
#define ND_REDIR_OPT_HDR 8

struct nd_opts {
	const uint8_t *slla; /* 6-byte MAC or NULL */
	const uint8_t *tlla;
	bool bad;
};

/* RFC 4861 4.6: every option has a non-zero length and fits. */
static struct nd_opts ndisc_parse_options(const uint8_t *opt, size_t len)
{
	struct nd_opts o = { 0 };
	while (len > 0) {
		if (len < 2 || opt[1] == 0 || (size_t)opt[1] * ND_OPT_LEN_UNIT > len) {
			o.bad = true;
			return o;
		}
		size_t ol = (size_t)opt[1] * ND_OPT_LEN_UNIT;
		if (opt[0] == ND_OPT_SOURCE_LL_ADDR || opt[0] == ND_OPT_TARGET_LL_ADDR) {
			/* RFC 2464 section 6: Ethernet uses length 1. */
			if (ol != ND_LLA_OPT_LEN) {
				o.bad = true;
				return o;
			}
			if (opt[0] == ND_OPT_SOURCE_LL_ADDR)
				o.slla = opt + 2;
			else
				o.tlla = opt + 2;
		}
		opt += ol;
		len -= ol;
	}
	return o;
}

static bool is_solicited_node(const struct in6_addr *a)
{
	static const uint8_t prefix[13] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };
	return memcmp(a->s6_addr, prefix, 13) == 0;
}

static bool dev_has_addr(const struct xrt_netdev *dev, const struct in6_addr *a)
{
	for (unsigned i = 0; i < dev->naddrs && i < XRT_MAX_ADDRS; i++)
		if (ip6_eq(&dev->addr[i], a))
			return true;
	return false;
}

static uint8_t nd_buf[PKT_HEADROOM + IP6_MIN_MTU];

/* Start a message in nd_buf after room for the IPv6 header: its fixed
 * part of len bytes zeroed, the ICMPv6 type set (the kernel's
 * ndisc_alloc_skb and the nd_msg it fills). */
static uint8_t *ndisc_msg_start(uint8_t type, size_t len)
{
	uint8_t *icmp = nd_buf + PKT_HEADROOM + IP6_HDR_LEN;
	memset(icmp, 0, len);
	icmp[0] = type;
	return icmp;
}

/* A Source or Target Link-Layer Address option at opt (the kernel's
 * ndisc_fill_addr_option, RFC 4861 4.6.1); returns its length. */
static size_t ndisc_fill_addr_option(uint8_t *opt, uint8_t type, const uint8_t mac[6])
{
	opt[0] = type;
	opt[1] = ND_LLA_OPT_LEN / ND_OPT_LEN_UNIT;
	memcpy(opt + 2, mac, 6);
	return ND_LLA_OPT_LEN;
}

/* Send the message of icmp_len bytes built in nd_buf (the kernel's ndisc_send_skb). */
static void ndisc_send_skb(const struct in6_addr *src, const struct in6_addr *dst,
			   size_t icmp_len, int ifindex, const uint8_t dst_mac[6])
{
	icmp6_xmit_direct(nd_buf + PKT_HEADROOM, src, dst, ND_HOP_LIMIT, icmp_len, ifindex,
			  dst_mac);
}

static void ndisc_send_na(const struct xrt_netdev *dev, const struct in6_addr *dst,
			  const uint8_t dst_mac[6], const struct in6_addr *target,
			  bool solicited, bool anycast)
{
	/* Source: the target itself (RFC 4861 7.2.4 allows any of ours; the
	 * target is what the solicitor expects), but a unicast address of the
	 * interface for an anycast target (the kernel's ndisc_send_na). */
	struct in6_addr src = *target;
	if (anycast && !ipv6_dev_get_saddr(dev, dst, &src)) {
		ICMP6_INC(OUT_ERRORS);
		return;
	}
	uint8_t *icmp = ndisc_msg_start(ND_NEIGHBOR_ADVERT, ND_NA_LEN);
	/* RFC 4861 7.2.4: R (we route), S when solicited, O for our own;
	 * 7.2.7: O clear for an anycast target, so that a unicast owner's
	 * advertisement (or another router's) is not overridden. */
	icmp[4] = ND_NA_FLAG_ROUTER | (anycast ? 0 : ND_NA_FLAG_OVERRIDE) |
		  (solicited ? ND_NA_FLAG_SOLICITED : 0);
	memcpy(icmp + 8, target, 16);
	size_t len = ND_NA_LEN + ndisc_fill_addr_option(icmp + ND_NA_LEN, ND_OPT_TARGET_LL_ADDR,
							 dev->mac);
	ndisc_send_skb(&src, dst, len, dev->ifindex, dst_mac);
}

/*
 * RFC 4861 7.2.2: "If the source address of the packet prompting the
 * solicitation is the same as one of the addresses assigned to the
 * outgoing interface, that address SHOULD be placed in the IP Source
 * Address of the outgoing solicitation. Otherwise, any one of the
 * addresses assigned to the interface should be used." The kernel
 * (ndisc_solicit, ndisc_send_ns) uses its link-local then, so a forwarded
 * packet's NS comes from the link-local.
 */
void ndisc_send_ns(int ifindex, const struct in6_addr *target, const uint8_t *unicast_mac,
		   const struct in6_addr *prompt_src)
{
	const struct xrt_netdev *dev = stack_dev(ifindex);
	struct in6_addr src, dst;
	if (!dev) {
		ICMP6_INC(OUT_ERRORS);
		return;
	}
	if (prompt_src && dev_has_addr(dev, prompt_src))
		src = *prompt_src;
	else if (!ipv6_dev_get_lladdr(dev, &src) && !ipv6_dev_get_saddr(dev, target, &src)) {
		ICMP6_INC(OUT_ERRORS);
		return;
	}
	uint8_t mac[6];
	if (unicast_mac) {
		dst = *target;
		memcpy(mac, unicast_mac, 6);
	} else {
		ip6_solicited_node(target, &dst);
		ip6_mc_mac(&dst, mac);
	}
	uint8_t *icmp = ndisc_msg_start(ND_NEIGHBOR_SOLICIT, ND_NS_LEN);
	memcpy(icmp + 8, target, 16);
	size_t len = ND_NS_LEN + ndisc_fill_addr_option(icmp + ND_NS_LEN, ND_OPT_SOURCE_LL_ADDR,
							 dev->mac);
	ndisc_send_skb(&src, &dst, len, ifindex, mac);
}

static void anycast_na_delay(const struct xrt_netdev *dev, const struct in6_addr *dst,
			     const uint8_t dst_mac[6], const struct in6_addr *target,
			     bool solicited);

static void ndisc_recv_ns(struct pkt *p, const uint8_t *icmp, const struct nd_opts *o,
			  const struct xrt_netdev *dev)
{
	const struct ip6_hdr_wire *ip6 = pkt_ip6(p);
	struct in6_addr target;
	memcpy(&target, icmp + 8, 16);
	bool dad = ip6_is_unspec(&ip6->saddr);
	/* RFC 4861 7.1.1 */
	if (ip6_is_mcast(&target) || (dad && (!is_solicited_node(&ip6->daddr) || o->slla))) {
		DROP_INC(ND_INVALID);
		ICMP6_INC(IN_ERRORS);
		return;
	}
	if (!dad && o->slla)
		neigh_update_from_slla(p->ifindex, &ip6->saddr, o->slla);
	bool anycast = !dev_has_addr(dev, &target);
	if (anycast && !ipv6_chk_acast_addr(dev, &target))
		return; /* not ours: no proxy ND */
	if (dad) {
		/* RFC 4861 7.2.4: defend to all-nodes, S clear. */
		struct in6_addr all_nodes = { .s6_addr = { 0xff, 0x02, [15] = 1 } };
		uint8_t mac[6];
		ip6_mc_mac(&all_nodes, mac);
		if (anycast)
			anycast_na_delay(dev, &all_nodes, mac, &target, false);
		else
			ndisc_send_na(dev, &all_nodes, mac, &target, false, false);
		return;
	}
	/* RFC 4861 7.2.7: an anycast target's answer to a multicast NS waits
	 * a random time, so the answers of every owner spread out (the kernel
	 * delays only those too: a unicast NS named this node alone). */
	if (anycast && p->eth_mcast) {
		anycast_na_delay(dev, &ip6->saddr, o->slla ? o->slla : p->eth_src, &target, true);
		return;
	}
	/* Answer the MAC that asked: it is on this link by construction. */
	ndisc_send_na(dev, &ip6->saddr, o->slla ? o->slla : p->eth_src, &target, true,
		      anycast);
}

static void ndisc_recv_na(struct pkt *p, const uint8_t *icmp, const struct nd_opts *o)
{
	const struct ip6_hdr_wire *ip6 = pkt_ip6(p);
	struct in6_addr target;
	memcpy(&target, icmp + 8, 16);
	bool solicited = icmp[4] & ND_NA_FLAG_SOLICITED;
	/* RFC 4861 7.1.2 */
	if (ip6_is_mcast(&target) || (ip6_is_mcast(&ip6->daddr) && solicited)) {
		DROP_INC(ND_INVALID);
		ICMP6_INC(IN_ERRORS);
		return;
	}
	if (ipv6_chk_addr(&target))
		return; /* someone claims our address: DAD is not ours to run */
	neigh_update_from_na(p->ifindex, &target, o->tlla, solicited,
			     icmp[4] & ND_NA_FLAG_OVERRIDE, icmp[4] & ND_NA_FLAG_ROUTER);
}

/*
 * ndisc_rcv: validation common to all ND messages (RFC 4861 6.1, 7.1, 8.1):
 * hop limit 255 (the message was not forwarded), code 0, length, options;
 * the checksum was checked by icmpv6_rcv. RFC 6980: never in fragments.
 */
void ndisc_rcv(struct pkt *p, size_t icmp_off, size_t icmp_len)
{
	const struct ip6_hdr_wire *ip6 = pkt_ip6(p);
	const uint8_t *icmp = p->nh + icmp_off;
	uint8_t type = icmp[0];
	size_t fixed;
	switch (type) {
	case ND_ROUTER_SOLICIT: fixed = ND_RS_LEN; ICMP6_INC(IN_ROUTER_SOLICITS); break;
	case ND_ROUTER_ADVERT: fixed = ND_RA_LEN; ICMP6_INC(IN_ROUTER_ADVERTISEMENTS); break;
	case ND_NEIGHBOR_SOLICIT: fixed = ND_NS_LEN; ICMP6_INC(IN_NEIGHBOR_SOLICITS); break;
	case ND_NEIGHBOR_ADVERT: fixed = ND_NA_LEN; ICMP6_INC(IN_NEIGHBOR_ADVERTISEMENTS); break;
	default: fixed = ND_REDIRECT_LEN; ICMP6_INC(IN_REDIRECTS); break;
	}
	if (p->fragmented) {
		DROP_INC(ND_IN_FRAGMENT);
		return;
	}
	const struct xrt_netdev *dev = stack_dev(p->ifindex);
	if (!dev || ip6->hop_limit != ND_HOP_LIMIT || icmp[1] != 0 || icmp_len < fixed) {
		DROP_INC(ND_INVALID);
		ICMP6_INC(IN_ERRORS);
		return;
	}
	struct nd_opts o = ndisc_parse_options(icmp + fixed, icmp_len - fixed);
	if (o.bad) {
		DROP_INC(ND_INVALID);
		ICMP6_INC(IN_ERRORS);
		return;
	}
	switch (type) {
	case ND_NEIGHBOR_SOLICIT:
		ndisc_recv_ns(p, icmp, &o, dev);
		break;
	case ND_NEIGHBOR_ADVERT:
		ndisc_recv_na(p, icmp, &o);
		break;
	case ND_ROUTER_SOLICIT:
		if (ip6_is_unspec(&ip6->saddr) && o.slla) {
			DROP_INC(ND_INVALID); /* RFC 4861 6.1.1 */
			ICMP6_INC(IN_ERRORS);
		} else {
			if (o.slla)
				neigh_update_from_slla(p->ifindex, &ip6->saddr, o.slla);
			ndisc_ra_solicited(p->ifindex);
		}
		break;
	case ND_ROUTER_ADVERT:
	case ND_REDIRECT:
		/* RFC 4861 6.1.2 / 8.1: from a link-local source. A router
		 * does not learn routes from either (8.1: routers ignore
		 * Redirects), so valid ones are only counted. */
		if (!ip6_is_linklocal(&ip6->saddr)) {
			DROP_INC(ND_INVALID);
			ICMP6_INC(IN_ERRORS);
		}
		break;
	}
}

/*
 * RFC 4861 8.2: the packet leaves by the interface it came in on, so its
 * source (a neighbour on that link) has a better first hop. The target is
 * the next hop: the destination itself when on-link, else a router, which
 * must be named by its link-local address.
 */
void ndisc_send_redirect(struct pkt *p, const struct fib6_result *res)
{
	const struct ip6_hdr_wire *ip6 = pkt_ip6(p);
	const struct xrt_netdev *dev = stack_dev(p->ifindex);
	if (!dev)
		return;
	const struct in6_addr *target = &res->nexthop;
	bool on_link_dst = ip6_eq(target, &ip6->daddr);
	if (!on_link_dst && !ip6_is_linklocal(target))
		return;
	/* The source must be a neighbour on this link. */
	struct fib6_result back = { 0 };
	static const struct in6_addr any;
	if (!ip6_is_linklocal(&ip6->saddr)) {
		if (senv.fib6_lookup(senv.ctx, dev->table, &any, &ip6->saddr, &back) < 0 ||
		    back.type != XRT_RTN_UNICAST || back.oif != p->ifindex ||
		    !ip6_eq(&back.nexthop, &ip6->saddr))
			return;
	}
	struct in6_addr src;
	if (!ipv6_dev_get_lladdr(dev, &src))
		return;
	if (!icmp6_ratelimit_allow(&ip6->saddr, ND_REDIRECT)) {
		DROP_INC(ICMP_RATE);
		ICMP6_INC(OUT_RATE_LIMIT_HOST);
		return;
	}
	uint8_t *icmp = ndisc_msg_start(ND_REDIRECT, ND_REDIRECT_LEN);
	size_t len = ND_REDIRECT_LEN;
	memcpy(icmp + 8, target, 16);
	memcpy(icmp + 24, &ip6->daddr, 16);
	uint8_t mac[6];
	if (neigh_lookup_mac(p->ifindex, target, mac))
		len += ndisc_fill_addr_option(icmp + len, ND_OPT_TARGET_LL_ADDR, mac);
	/* Redirected Header: as much of the packet as keeps us within 1280
	 * bytes, in whole 8-byte units (RFC 4861 4.6.3). */
	size_t room = IP6_MIN_MTU - IP6_HDR_LEN - len - ND_REDIR_OPT_HDR;
	size_t quote = p->len < room ? p->len : room;
	quote &= ~(size_t)7;
	if (quote) {
		uint8_t *opt = icmp + len;
		memset(opt, 0, ND_REDIR_OPT_HDR);
		opt[0] = ND_OPT_REDIRECTED_HDR;
		opt[1] = (uint8_t)((ND_REDIR_OPT_HDR + quote) / ND_OPT_LEN_UNIT);
		memcpy(opt + ND_REDIR_OPT_HDR, p->nh, quote);
		len += ND_REDIR_OPT_HDR + quote;
	}
	struct in6_addr dst = ip6->saddr;
	ndisc_send_skb(&src, &dst, len, p->ifindex, p->eth_src);
}

/* ---- Router Advertisements (RFC 4861 6.2) ---- */

#define ND_RA_LEN_FIXED 16
#define ND_OPT_MTU_LEN 8
#define ND_OPT_PI_LEN 32
#define ND_RA_MAX_LIFETIME_S 9000
#define ND_RA_MIN_MAX_INTERVAL_S 4
#define ND_RA_MAX_MAX_INTERVAL_S 1800

struct ra_iface {
	int ifindex; /* 0 = free slot */
	struct stack_ra_config cfg;
	uint64_t next_ns, last_ns;
	unsigned initial_left;
};

static struct ra_iface ra_ifs[XRT_MAX_IFACES];
static uint64_t ra_rand_state;

static uint64_t ra_rand(uint64_t bound)
{
	if (!ra_rand_state)
		ra_rand_state = stack_now() | 1;
	ra_rand_state ^= ra_rand_state << 13;
	ra_rand_state ^= ra_rand_state >> 7;
	ra_rand_state ^= ra_rand_state << 17;
	return bound ? ra_rand_state % bound : 0;
}

/* NAs for an anycast target waiting their random delay (RFC 4861 7.2.7);
 * bounded: an NS that finds the queue full gets no answer and is counted. */
#define ND_ANYCAST_QUEUE 16
static struct anycast_na {
	bool used;
	uint64_t due_ns;
	int ifindex;
	struct in6_addr dst, target;
	uint8_t mac[6];
	bool solicited;
} anycast_q[ND_ANYCAST_QUEUE];

static void anycast_na_delay(const struct xrt_netdev *dev, const struct in6_addr *dst,
			     const uint8_t dst_mac[6], const struct in6_addr *target,
			     bool solicited)
{
	for (unsigned i = 0; i < ND_ANYCAST_QUEUE; i++) {
		struct anycast_na *q = &anycast_q[i];
		if (q->used)
			continue;
		*q = (struct anycast_na){
			.used = true, .ifindex = dev->ifindex, .dst = *dst, .target = *target,
			.solicited = solicited,
			.due_ns = stack_now() +
				  ra_rand((uint64_t)ND_MAX_ANYCAST_DELAY_TIME_MS * 1000000),
		};
		memcpy(q->mac, dst_mac, 6);
		return;
	}
	DROP_INC(ND_ANYCAST_QUEUE_FULL);
}

static void anycast_na_run(uint64_t now)
{
	for (unsigned i = 0; i < ND_ANYCAST_QUEUE; i++) {
		struct anycast_na *q = &anycast_q[i];
		if (!q->used || q->due_ns > now)
			continue;
		q->used = false;
		/* Still ours? Forwarding or the address may have gone meanwhile. */
		const struct xrt_netdev *dev = stack_dev(q->ifindex);
		if (dev && ipv6_chk_acast_addr(dev, &q->target))
			ndisc_send_na(dev, &q->dst, q->mac, &q->target, q->solicited, true);
	}
}

static uint64_t anycast_na_next(void)
{
	uint64_t due = UINT64_MAX;
	for (unsigned i = 0; i < ND_ANYCAST_QUEUE; i++)
		if (anycast_q[i].used && anycast_q[i].due_ns < due)
			due = anycast_q[i].due_ns;
	return due;
}

void ndisc_ra_init(void)
{
	memset(ra_ifs, 0, sizeof(ra_ifs));
	memset(anycast_q, 0, sizeof(anycast_q));
}

static struct ra_iface *ra_find(int ifindex)
{
	for (unsigned i = 0; i < XRT_MAX_IFACES; i++)
		if (ra_ifs[i].ifindex == ifindex)
			return &ra_ifs[i];
	return NULL;
}

/* RFC 4861 4.6.2 Prefix Information option. */
static void ndisc_put_prefix(uint8_t *pi, const struct in6_addr *prefix, uint8_t plen,
			     uint8_t flags, uint32_t valid_s, uint32_t preferred_s)
{
	memset(pi, 0, ND_OPT_PI_LEN);
	pi[0] = ND_OPT_PREFIX_INFO;
	pi[1] = ND_OPT_PI_LEN / ND_OPT_LEN_UNIT;
	pi[2] = plen;
	pi[3] = flags;
	uint32_t valid = htonl(valid_s), preferred = htonl(preferred_s);
	memcpy(pi + 4, &valid, 4);
	memcpy(pi + 8, &preferred, 4);
	memcpy(pi + 16, prefix->s6_addr, 16);
}

/* One RA to all-nodes from the interface's link-local (RFC 4861 6.1.2). */
static void ndisc_send_ra(const struct xrt_netdev *dev, const struct stack_ra_config *cfg,
			  uint16_t lifetime_s)
{
	struct in6_addr src;
	if (!ipv6_dev_get_lladdr(dev, &src)) {
		ICMP6_INC(OUT_ERRORS);
		return;
	}
	uint8_t *icmp = ndisc_msg_start(ND_ROUTER_ADVERT, ND_RA_LEN_FIXED);
	size_t len = ND_RA_LEN_FIXED;
	icmp[4] = 64; /* Cur Hop Limit: what hosts should use */
	icmp[6] = (uint8_t)(lifetime_s >> 8);
	icmp[7] = (uint8_t)lifetime_s;
	/* Reachable Time and Retrans Timer 0: unspecified by this router. */
	len += ndisc_fill_addr_option(icmp + len, ND_OPT_SOURCE_LL_ADDR, dev->mac);
	if (cfg->mtu != STACK_RA_MTU_OFF) {
		uint8_t *mtu = icmp + len;
		memset(mtu, 0, ND_OPT_MTU_LEN);
		mtu[0] = ND_OPT_MTU;
		mtu[1] = 1;
		uint32_t mtu_be = htonl(cfg->mtu ? cfg->mtu : dev->mtu);
		memcpy(mtu + 4, &mtu_be, 4);
		len += ND_OPT_MTU_LEN;
	}
	/* Configured prefixes replace the interface's own /64s. */
	for (unsigned i = 0; i < cfg->nprefixes && i < STACK_RA_MAX_PREFIXES; i++) {
		const struct stack_ra_prefix *c = &cfg->prefix[i];
		ndisc_put_prefix(icmp + len, &c->prefix, c->plen,
				 (c->onlink ? ND_OPT_PI_FLAG_ONLINK : 0) |
					 (c->autonomous ? ND_OPT_PI_FLAG_AUTO : 0),
				 c->valid_s, c->preferred_s);
		len += ND_OPT_PI_LEN;
	}
	for (unsigned i = 0; !cfg->nprefixes && i < dev->naddrs && i < XRT_MAX_ADDRS; i++) {
		const struct in6_addr *a = &dev->addr[i];
		if (dev->plen[i] != 64 || ip6_is_linklocal(a) || ip6_is_mcast(a))
			continue;
		if (len + ND_OPT_PI_LEN > IP6_MIN_MTU - IP6_HDR_LEN)
			break;
		struct in6_addr p64 = { 0 };
		memcpy(p64.s6_addr, a->s6_addr, 8); /* the /64; host bits zero */
		ndisc_put_prefix(icmp + len, &p64, 64, ND_OPT_PI_FLAG_ONLINK | ND_OPT_PI_FLAG_AUTO,
				 ND_ADV_VALID_LIFETIME_S, ND_ADV_PREFERRED_LIFETIME_S);
		len += ND_OPT_PI_LEN;
	}
	struct in6_addr all_nodes = { .s6_addr = { 0xff, 0x02, [15] = 1 } };
	uint8_t mac[6];
	ip6_mc_mac(&all_nodes, mac);
	ndisc_send_skb(&src, &all_nodes, len, dev->ifindex, mac);
}

static uint64_t ra_interval_ns(struct ra_iface *r)
{
	uint64_t lo = r->cfg.min_interval_s, hi = r->cfg.max_interval_s;
	uint64_t ms = lo * 1000 + ra_rand((hi - lo) * 1000 + 1);
	if (r->initial_left) {
		r->initial_left--;
		if (ms > ND_MAX_INITIAL_RTR_ADVERT_INTERVAL_S * 1000ull)
			ms = ND_MAX_INITIAL_RTR_ADVERT_INTERVAL_S * 1000ull;
	}
	return ms * NSEC_PER_MSEC;
}

/* Field by field: callers' structs may differ in padding. */
static bool ra_config_equal(const struct stack_ra_config *a, const struct stack_ra_config *b)
{
	if (a->enabled != b->enabled || a->max_interval_s != b->max_interval_s ||
	    a->min_interval_s != b->min_interval_s ||
	    a->router_lifetime_s != b->router_lifetime_s || a->mtu != b->mtu ||
	    a->nprefixes != b->nprefixes)
		return false;
	for (unsigned i = 0; i < a->nprefixes && i < STACK_RA_MAX_PREFIXES; i++) {
		const struct stack_ra_prefix *x = &a->prefix[i], *y = &b->prefix[i];
		if (!ip6_eq(&x->prefix, &y->prefix) || x->plen != y->plen ||
		    x->onlink != y->onlink || x->autonomous != y->autonomous ||
		    x->valid_s != y->valid_s || x->preferred_s != y->preferred_s)
			return false;
	}
	return true;
}

int stack_ra_set(int ifindex, const struct stack_ra_config *cfg, char *err)
{
	const struct xrt_netdev *dev = stack_dev(ifindex);
	if (!dev) {
		xrt_err(err, "ra: interface %d is not attached", ifindex);
		return -ENODEV;
	}
	struct stack_ra_config c = *cfg;
	if (!c.max_interval_s)
		c.max_interval_s = ND_MAX_RTR_ADV_INTERVAL_S;
	if (c.max_interval_s < ND_RA_MIN_MAX_INTERVAL_S || c.max_interval_s > ND_RA_MAX_MAX_INTERVAL_S) {
		xrt_err(err, "ra: max interval %u s out of range %u..%u", c.max_interval_s,
			 ND_RA_MIN_MAX_INTERVAL_S, ND_RA_MAX_MAX_INTERVAL_S);
		return -EINVAL;
	}
	if (!c.min_interval_s)
		c.min_interval_s = c.max_interval_s / 3;
	if (c.min_interval_s < ND_MIN_DELAY_BETWEEN_RAS_S ||
	    c.min_interval_s * 4 > c.max_interval_s * 3) {
		xrt_err(err, "ra: min interval %u s must be 3..%u (0.75 x max)",
			 c.min_interval_s, c.max_interval_s * 3 / 4);
		return -EINVAL;
	}
	if (!c.router_lifetime_s)
		c.router_lifetime_s = ND_ADV_DEFAULT_LIFETIME_S;
	if (c.router_lifetime_s > ND_RA_MAX_LIFETIME_S &&
	    c.router_lifetime_s != STACK_RA_LIFETIME_ZERO) {
		xrt_err(err, "ra: router lifetime %u s above %u", c.router_lifetime_s,
			 ND_RA_MAX_LIFETIME_S);
		return -EINVAL;
	}
	if (c.mtu && c.mtu != STACK_RA_MTU_OFF && (c.mtu < IP6_MIN_MTU || c.mtu > 65535)) {
		xrt_err(err, "ra: mtu %u out of range %u..65535", c.mtu, IP6_MIN_MTU);
		return -EINVAL;
	}
	if (c.nprefixes > STACK_RA_MAX_PREFIXES) {
		xrt_err(err, "ra: %u prefixes, at most %u", c.nprefixes,
			 STACK_RA_MAX_PREFIXES);
		return -E2BIG;
	}
	for (unsigned i = 0; i < c.nprefixes; i++) {
		const struct stack_ra_prefix *pr = &c.prefix[i];
		if (pr->plen == 0 || pr->plen > 128 || ip6_is_linklocal(&pr->prefix) ||
		    ip6_is_mcast(&pr->prefix)) {
			xrt_err(err, "ra: prefix %u is not a global unicast prefix", i + 1);
			return -EINVAL;
		}
		/* RFC 4861 6.2.1: the preferred lifetime never exceeds the valid. */
		if (pr->preferred_s > pr->valid_s) {
			xrt_err(err, "ra: prefix %u: preferred lifetime %u above valid %u",
				 i + 1, pr->preferred_s, pr->valid_s);
			return -EINVAL;
		}
	}
	struct ra_iface *r = ra_find(ifindex);
	if (!c.enabled) {
		if (r) {
			/* RFC 4861 6.2.5: tell hosts we stop being a router. */
			ndisc_send_ra(dev, &r->cfg, 0);
			memset(r, 0, sizeof(*r));
		}
		return 0;
	}
	if (!r)
		r = ra_find(0);
	if (!r) {
		xrt_err(err, "ra: no room for interface %d", ifindex);
		return -ENOSPC;
	}
	bool was_on = r->ifindex != 0;
	bool changed = was_on && !ra_config_equal(&r->cfg, &c);
	r->ifindex = ifindex;
	r->cfg = c;
	if (!was_on || changed) {
		/* The first MAX_INITIAL_RTR_ADVERTISEMENTS go out at most
		 * 16 s apart: that is this one and the intervals after it.
		 * RFC 4861 6.2.4: the same when the contents change, so hosts
		 * learn them now; never sooner than MIN_DELAY_BETWEEN_RAS
		 * after the last one, however often the configuration changes. */
		r->initial_left = ND_MAX_INITIAL_RTR_ADVERTISEMENTS - 1;
		uint64_t now = stack_now();
		uint64_t earliest = r->last_ns + ND_MIN_DELAY_BETWEEN_RAS_S * NSEC_PER_SEC;
		r->next_ns = changed && r->last_ns && earliest > now ? earliest : now;
	}
	return 0;
}

void stack_ra_get(int ifindex, struct stack_ra_config *cfg)
{
	const struct ra_iface *r = ra_find(ifindex);
	if (r && ifindex)
		*cfg = r->cfg;
	else
		memset(cfg, 0, sizeof(*cfg));
}

/* RFC 4861 6.2.6: answer a Router Solicitation within MAX_RA_DELAY_TIME,
 * never sooner than MIN_DELAY_BETWEEN_RAS after the last RA. */
static void ndisc_ra_solicited(int ifindex)
{
	struct ra_iface *r = ifindex ? ra_find(ifindex) : NULL;
	if (!r)
		return;
	uint64_t now = stack_now();
	uint64_t t = now + ra_rand(ND_MAX_RA_DELAY_TIME_MS + 1) * NSEC_PER_MSEC;
	uint64_t earliest = r->last_ns + ND_MIN_DELAY_BETWEEN_RAS_S * NSEC_PER_SEC;
	if (r->last_ns && t < earliest)
		t = earliest;
	if (t < r->next_ns)
		r->next_ns = t;
}

/* ndisc.c's timers: Router Advertisements and delayed anycast NAs. */
void ndisc_ra_timers_run(uint64_t now)
{
	anycast_na_run(now);
	for (unsigned i = 0; i < XRT_MAX_IFACES; i++) {
		struct ra_iface *r = &ra_ifs[i];
		if (!r->ifindex || r->next_ns > now)
			continue;
		const struct xrt_netdev *dev = stack_dev(r->ifindex);
		if (!dev) {
			memset(r, 0, sizeof(*r)); /* interface went away */
			continue;
		}
		ndisc_send_ra(dev, &r->cfg,
			      r->cfg.router_lifetime_s == STACK_RA_LIFETIME_ZERO
				      ? 0
				      : r->cfg.router_lifetime_s);
		r->last_ns = now;
		r->next_ns = now + ra_interval_ns(r);
	}
}

uint64_t ndisc_ra_timers_next(void)
{
	uint64_t due = anycast_na_next();
	for (unsigned i = 0; i < XRT_MAX_IFACES; i++)
		if (ra_ifs[i].ifindex && ra_ifs[i].next_ns < due)
			due = ra_ifs[i].next_ns;
	return due;
}
