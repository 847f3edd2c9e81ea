/* xrt: ICMPv6 (RFC 4443): icmpv6_rcv, echo reply, icmp6_send with the never-send rules and rate limit. */
#include <errno.h>
#include "stack/stack_internal.h"
#include "stack/mcast.h"
#include "xrt/mld.h"

/* RFC 4443 2.4 (c) / RFC 8200 section 5: errors fit in the minimum MTU. */
#define ICMP6_ERR_QUOTE_MAX (ICMP6_ERR_MAX_LEN - IP6_HDR_LEN - ICMP6_HDR_LEN)
/* Hop limit of the messages we originate (the kernel's default). */
#define ICMP6_HOP_LIMIT 64
#define RL_SLOTS 1024 /* per-destination buckets, hashed; bounded */

struct token_bucket {
	uint64_t last_ns;
	uint64_t tokens_milli; /* thousandths of a token */
};

static struct stack_icmp_ratelimit rl_cfg = {
	.per_dst_rate = STACK_ICMP_PER_DST_RATE,
	.per_dst_burst = STACK_ICMP_PER_DST_BURST,
	.global_rate = STACK_ICMP_GLOBAL_RATE,
	.global_burst = STACK_ICMP_GLOBAL_BURST,
};
static struct token_bucket rl_global;
static struct {
	struct in6_addr dst;
	struct token_bucket tb;
	bool used;
} rl_dst[RL_SLOTS];

void stack_icmp_ratelimit_set(const struct stack_icmp_ratelimit *rl)
{
	rl_cfg = *rl;
	memset(&rl_global, 0, sizeof(rl_global));
	memset(rl_dst, 0, sizeof(rl_dst));
}

void stack_icmp_ratelimit_get(struct stack_icmp_ratelimit *rl)
{
	*rl = rl_cfg;
}

void icmp6_init(void)
{
	memset(&rl_global, 0, sizeof(rl_global));
	memset(rl_dst, 0, sizeof(rl_dst));
}

/* A bucket starts full; rate 0 means no limit. */
static bool tb_take(struct token_bucket *tb, bool fresh, uint32_t rate, uint32_t burst,
		    uint64_t now)
{
	if (rate == 0)
		return true;
	uint64_t cap = (uint64_t)(burst ? burst : 1) * 1000;
	if (fresh || tb->last_ns == 0) {
		tb->tokens_milli = cap;
	} else if (now > tb->last_ns) {
		/* milli-tokens = ns * rate / 1e6; divide first against overflow */
		uint64_t add = (now - tb->last_ns) / 1000 * rate / 1000;
		tb->tokens_milli = tb->tokens_milli + add > cap ? cap : tb->tokens_milli + add;
	}
	tb->last_ns = now ? now : 1;
	if (tb->tokens_milli < 1000)
		return false;
	tb->tokens_milli -= 1000;
	return true;
}

static unsigned rl_hash(const struct in6_addr *a)
{
	uint32_t h = 2166136261u;
	for (int i = 0; i < 16; i++)
		h = (h ^ a->s6_addr[i]) * 16777619u;
	return h % RL_SLOTS;
}

/* inet_peer_xrlim_allow then icmp_global_allow, for both families (an
 * IPv4 destination is its mapped address): per-destination, then global. */
bool icmp_xrlim_allow(const struct in6_addr *dst, bool per_host)
{
	uint64_t now = stack_now();
	if (per_host) {
		unsigned h = rl_hash(dst);
		bool fresh = !rl_dst[h].used || !ip6_eq(&rl_dst[h].dst, dst);
		if (fresh) {
			rl_dst[h].used = true;
			rl_dst[h].dst = *dst;
		}
		if (!tb_take(&rl_dst[h].tb, fresh, rl_cfg.per_dst_rate, rl_cfg.per_dst_burst, now))
			return false;
	}
	return tb_take(&rl_global, false, rl_cfg.global_rate, rl_cfg.global_burst, now);
}

/* icmpv6_xrlim_allow: Packet Too Big counts against the global bucket only. */
static bool icmpv6_xrlim_allow(const struct in6_addr *dst, uint8_t type)
{
	return icmp_xrlim_allow(dst, type != ICMP6_PKT_TOOBIG);
}

static void icmp6_count_out(uint8_t type)
{
	ICMP6_INC(OUT_MSGS);
	sstats.icmp6_out_type[type]++;
	switch (type) {
	case ICMP6_DST_UNREACH: ICMP6_INC(OUT_DEST_UNREACHS); break;
	case ICMP6_PKT_TOOBIG: ICMP6_INC(OUT_PKT_TOO_BIGS); break;
	case ICMP6_TIME_EXCEED: ICMP6_INC(OUT_TIME_EXCDS); break;
	case ICMP6_PARAMPROB: ICMP6_INC(OUT_PARM_PROBLEMS); break;
	case ICMP6_ECHO_REPLY: ICMP6_INC(OUT_ECHO_REPLIES); break;
	case ND_NEIGHBOR_SOLICIT: ICMP6_INC(OUT_NEIGHBOR_SOLICITS); break;
	case ND_NEIGHBOR_ADVERT: ICMP6_INC(OUT_NEIGHBOR_ADVERTISEMENTS); break;
	case ND_REDIRECT: ICMP6_INC(OUT_REDIRECTS); break;
	case ND_ROUTER_ADVERT: ICMP6_INC(OUT_ROUTER_ADVERTISEMENTS); break;
	default: break;
	}
}

/* Fill the IPv6 + ICMPv6 headers in front of an already placed body and
 * compute the checksum. icmp_len covers the ICMPv6 header and body. */
static void icmp6_build(uint8_t *data, const struct in6_addr *src,
			const struct in6_addr *dst, uint8_t hop_limit, size_t icmp_len)
{
	struct ip6_hdr_wire *ip6 = (struct ip6_hdr_wire *)data;
	ip6->vtc_flow = htonl(0x60000000u);
	ip6->payload_len = htons((uint16_t)icmp_len);
	ip6->nexthdr = NEXTHDR_ICMP;
	ip6->hop_limit = hop_limit;
	ip6->saddr = *src;
	ip6->daddr = *dst;
	uint8_t *icmp = data + IP6_HDR_LEN;
	icmp[2] = icmp[3] = 0;
	uint16_t csum = ip6_csum(src, dst, NEXTHDR_ICMP, icmp, icmp_len);
	icmp[2] = (uint8_t)(csum >> 8);
	icmp[3] = (uint8_t)csum;
}

/* Send an ICMPv6 message built at data (headroom in front) to dst. Used by
 * ndisc.c too: oif is required for link-scope destinations. */
int icmp6_xmit(uint8_t *data, const struct in6_addr *src, const struct in6_addr *dst,
	       uint8_t hop_limit, size_t icmp_len, int oif, int iif)
{
	icmp6_build(data, src, dst, hop_limit, icmp_len);
	icmp6_count_out(data[IP6_HDR_LEN]);
	int ret = ip6_local_out(data, IP6_HDR_LEN + icmp_len, oif, iif);
	if (ret < 0)
		ICMP6_INC(OUT_ERRORS);
	return ret;
}

int icmp6_xmit_direct(uint8_t *data, const struct in6_addr *src, const struct in6_addr *dst,
		      uint8_t hop_limit, size_t icmp_len, int ifindex, const uint8_t mac[6])
{
	icmp6_build(data, src, dst, hop_limit, icmp_len);
	icmp6_count_out(data[IP6_HDR_LEN]);
	MIB_INC(OUT_REQUESTS);
	int ret = dev_xmit_ip6(ifindex, mac, data, IP6_HDR_LEN + icmp_len);
	if (ret < 0)
		ICMP6_INC(OUT_ERRORS);
	return ret;
}

bool icmp6_ratelimit_allow(const struct in6_addr *dst, uint8_t type)
{
	return icmpv6_xrlim_allow(dst, type);
}

/* RFC 4443 2.4 (e.1): is the invoking packet an ICMPv6 error (or a
 * Redirect, which RFC 4861 8.2 treats alike)? */
static bool icmp6_is_ineligible(const struct pkt *p)
{
	uint8_t proto;
	size_t off;
	bool nonfirst;
	if (!ipv6_skip_exthdr(p->nh, p->len, &proto, &off, &nonfirst))
		return false;
	if (proto != NEXTHDR_ICMP || nonfirst || off >= p->len)
		return false;
	uint8_t type = p->nh[off];
	return !(type & ICMP6_INFOMSG_MASK) || type == ND_REDIRECT;
}

/* Route the error back: which interface will it leave by? */
static const struct xrt_netdev *icmp6_out_dev(const struct pkt *p, const struct in6_addr *to)
{
	const struct xrt_netdev *in = stack_dev(p->ifindex);
	if (ip6_is_linklocal(to))
		return in;
	struct fib6_result res = { 0 };
	uint32_t table = in ? in->table : XRT_TABLE_MAIN;
	static const struct in6_addr any;
	if (senv.fib6_lookup(senv.ctx, table, &any, to, &res) == 0 &&
	    res.type == XRT_RTN_UNICAST) {
		const struct xrt_netdev *out = stack_dev(res.oif);
		if (out)
			return out;
	}
	return in;
}

static uint8_t err_buf[PKT_HEADROOM + ICMP6_ERR_MAX_LEN];

/*
 * icmp6_send: an error about p. Never about an error, never to a source
 * that does not name one node, never about a multicast packet except Packet
 * Too Big and Parameter Problem code 2 (RFC 4443 2.4 (e)); rate limited
 * (2.4 (f)); at most 1280 bytes quoting as much of p as fits (2.4 (c)).
 */
void icmp6_send(struct pkt *p, uint8_t type, uint8_t code, uint32_t info)
{
	if (p->len < IP6_HDR_LEN)
		return;
	const struct ip6_hdr_wire *ip6 = pkt_ip6(p);
	bool mcast_ok = type == ICMP6_PKT_TOOBIG ||
			(type == ICMP6_PARAMPROB && code == ICMP6_PP_OPTION);
	if (ip6_is_unspec(&ip6->saddr) || ip6_is_mcast(&ip6->saddr) ||
	    ip6_is_loopback(&ip6->saddr) || ipv6_chk_addr(&ip6->saddr) ||
	    ((ip6_is_mcast(&ip6->daddr) || p->eth_mcast) && !mcast_ok) ||
	    icmp6_is_ineligible(p)) {
		DROP_INC(ICMP_SUPPRESSED);
		return;
	}
	if (!icmpv6_xrlim_allow(&ip6->saddr, type)) {
		DROP_INC(ICMP_RATE);
		ICMP6_INC(OUT_RATE_LIMIT_HOST);
		return;
	}
	/* Source: the address the packet was sent to when it is ours, else an
	 * address of the interface it came in by (global first, so traceroute
	 * shows a routable hop), chosen for the destination's scope. Never an
	 * anycast address (RFC 4443 2.2 (b)): ipv6_chk_addr only knows
	 * unicast ones. */
	struct in6_addr src;
	const struct xrt_netdev *dev = stack_dev(p->ifindex);
	if (!ip6_is_mcast(&ip6->daddr) && ipv6_chk_addr(&ip6->daddr)) {
		src = ip6->daddr;
	} else {
		if (!dev)
			dev = icmp6_out_dev(p, &ip6->saddr);
		if (!dev || !ipv6_dev_get_saddr(dev, &ip6->saddr, &src)) {
			ICMP6_INC(OUT_ERRORS);
			return;
		}
	}
	struct in6_addr dst = ip6->saddr;
	size_t quote = p->len < ICMP6_ERR_QUOTE_MAX ? p->len : ICMP6_ERR_QUOTE_MAX;
	uint8_t *data = err_buf + PKT_HEADROOM;
	uint8_t *icmp = data + IP6_HDR_LEN;
	icmp[0] = type;
	icmp[1] = code;
	uint32_t info_be = htonl(info);
	memcpy(icmp + 4, &info_be, 4);
	memmove(icmp + ICMP6_HDR_LEN, p->nh, quote);
	int oif = ip6_is_linklocal(&dst) ? p->ifindex : 0;
	icmp6_xmit(data, &src, &dst, ICMP6_HOP_LIMIT, ICMP6_HDR_LEN + quote, oif,
		   p->ifindex);
}

static uint8_t echo_buf[PKT_HEADROOM + PKT_MAX_LEN];

/* icmpv6_echo_reply: same identifier, sequence and data (RFC 4443 4.2). */
static void icmpv6_echo_reply(struct pkt *p, size_t icmp_len)
{
	const struct ip6_hdr_wire *ip6 = pkt_ip6(p);
	struct in6_addr src;
	/* To a group or an anycast address: answer from a unicast address of
	 * the interface (RFC 4443 2.2 (b); the kernel's icmpv6_echo_reply with
	 * anycast_src_echo_reply off, its default). */
	if (!ip6_is_mcast(&ip6->daddr) &&
	    (ipv6_chk_addr(&ip6->daddr) || !ipv6_chk_acast_addr(NULL, &ip6->daddr))) {
		src = ip6->daddr;
	} else {
		const struct xrt_netdev *dev = stack_dev(p->ifindex);
		if (!dev || !ipv6_dev_get_saddr(dev, &ip6->saddr, &src))
			return;
	}
	if (ip6_is_unspec(&ip6->saddr) || ip6_is_mcast(&ip6->saddr))
		return;
	struct in6_addr dst = ip6->saddr;
	uint8_t *data = echo_buf + PKT_HEADROOM;
	memcpy(data + IP6_HDR_LEN, p->nh + p->thoff, icmp_len);
	data[IP6_HDR_LEN] = ICMP6_ECHO_REPLY;
	data[IP6_HDR_LEN + 1] = 0;
	int oif = ip6_is_linklocal(&dst) ? p->ifindex : 0;
	icmp6_xmit(data, &src, &dst, ICMP6_HOP_LIMIT, icmp_len, oif, p->ifindex);
}

/* A Packet Too Big about one of our packets: learn the path MTU of the
 * quoted packet's destination. */
static void icmpv6_pkt_toobig(struct pkt *p, size_t icmp_len)
{
	if (icmp_len < ICMP6_HDR_LEN + IP6_HDR_LEN)
		return;
	const uint8_t *icmp = p->nh + p->thoff;
	uint32_t mtu;
	memcpy(&mtu, icmp + 4, 4);
	mtu = ntohl(mtu);
	const struct ip6_hdr_wire *inner = (const void *)(icmp + ICMP6_HDR_LEN);
	struct in6_addr inner_src = inner->saddr, inner_dst = inner->daddr;
	if (!ipv6_chk_addr(&inner_src))
		return; /* not about a packet we sent */
	rt6_pmtu_update(&inner_dst, mtu);
}

/* icmpv6_err_convert (the kernel's tab_unreach): RFC 4443 3.1's codes as
 * errnos, and whether each is hard. Packet Too Big is EMSGSIZE and soft;
 * Time Exceeded is soft (a routing loop may clear); Parameter Problem is
 * hard (the peer cannot parse what we send). */
bool icmpv6_err_convert(uint8_t type, uint8_t code, int *err)
{
	static const struct {
		int err;
		bool fatal;
	} tab_unreach[] = {
		[ICMP6_DU_NOROUTE] = { ENETUNREACH, false },
		[ICMP6_DU_ADMIN] = { EACCES, true },
		[ICMP6_DU_BEYONDSCOPE] = { EHOSTUNREACH, false },
		[ICMP6_DU_ADDR] = { EHOSTUNREACH, false },
		[ICMP6_DU_PORT] = { ECONNREFUSED, true },
		[ICMP6_DU_POLICY] = { EACCES, true },
		[ICMP6_DU_REJECT_ROUTE] = { EACCES, true },
	};
	*err = EPROTO;
	switch (type) {
	case ICMP6_DST_UNREACH:
		if (code < sizeof(tab_unreach) / sizeof(tab_unreach[0])) {
			*err = tab_unreach[code].err;
			return tab_unreach[code].fatal;
		}
		return true;
	case ICMP6_PKT_TOOBIG:
		*err = EMSGSIZE;
		return false;
	case ICMP6_PARAMPROB:
		*err = EPROTO;
		return true;
	case ICMP6_TIME_EXCEED:
		*err = EHOSTUNREACH;
		return false;
	default:
		return false;
	}
}

/* icmpv6_notify: an error about a packet we sent goes to the transport
 * that sent it (its err_handler), and to the raw sockets of that
 * protocol. The quoted packet must name its upper-layer header (RFC 4443
 * 2.4 (d): pass it up by the Next Header of the quoted packet); a quote
 * from a non-first fragment names none. */
/* The 32-bit field after the checksum (MTU, pointer): 0 when short. */
static uint32_t icmp6_info(const struct pkt *p)
{
	uint32_t v = 0;
	if (p->len - p->thoff >= ICMP6_HDR_LEN)
		memcpy(&v, p->nh + p->thoff + 4, 4);
	return ntohl(v);
}

static void icmpv6_notify(struct pkt *p, uint8_t type, uint8_t code, uint32_t info)
{
	size_t icmp_len = p->len - p->thoff;
	if (icmp_len < ICMP6_HDR_LEN + IP6_HDR_LEN)
		return;
	struct icmp6_err e = {
		.ip6 = p->nh + p->thoff + ICMP6_HDR_LEN,
		.len = icmp_len - ICMP6_HDR_LEN,
		.type = type,
		.code = code,
		.info = info,
		.ifindex = p->ifindex,
		.from = pkt_ip6(p)->saddr,
	};
	bool nonfirst;
	if (!ipv6_skip_exthdr(e.ip6, e.len, &e.proto, &e.off, &nonfirst) || nonfirst)
		return;
	if (!ipv6_chk_addr(&((const struct ip6_hdr_wire *)e.ip6)->saddr))
		return; /* not about a packet of ours */
	raw6_icmp_error(&e);
	inet6_err_handler h = inet6_err_protocol(e.proto);
	if (h)
		h(&e);
}

int icmpv6_rcv(struct pkt *p)
{
	const struct ip6_hdr_wire *ip6 = pkt_ip6(p);
	size_t icmp_len = p->len - p->thoff;
	if (p->thoff > p->len || icmp_len < 4) {
		DROP_INC(ICMP_SHORT);
		ICMP6_INC(IN_ERRORS);
		return -1;
	}
	if (ip6_csum(&ip6->saddr, &ip6->daddr, NEXTHDR_ICMP, p->nh + p->thoff, icmp_len)) {
		DROP_INC(ICMP_CSUM);
		ICMP6_INC(IN_CSUM_ERRORS);
		ICMP6_INC(IN_ERRORS);
		return -1;
	}
	MIB_INC(IN_DELIVERS);
	ICMP6_INC(IN_MSGS);
	uint8_t type = p->nh[p->thoff];
	sstats.icmp6_in_type[type]++;
	switch (type) {
	case ICMP6_ECHO_REQUEST:
		ICMP6_INC(IN_ECHOS);
		if (icmp_len >= ICMP6_HDR_LEN)
			icmpv6_echo_reply(p, icmp_len);
		break;
	case ICMP6_ECHO_REPLY:
		ICMP6_INC(IN_ECHO_REPLIES);
		break;
	case ICMP6_PKT_TOOBIG:
		ICMP6_INC(IN_PKT_TOO_BIGS);
		icmpv6_pkt_toobig(p, icmp_len);
		icmpv6_notify(p, type, p->nh[p->thoff + 1], icmp6_info(p));
		break;
	case ICMP6_DST_UNREACH:
		ICMP6_INC(IN_DEST_UNREACHS);
		icmpv6_notify(p, type, p->nh[p->thoff + 1], icmp6_info(p));
		break;
	case ICMP6_TIME_EXCEED:
		ICMP6_INC(IN_TIME_EXCDS);
		icmpv6_notify(p, type, p->nh[p->thoff + 1], icmp6_info(p));
		break;
	case ICMP6_PARAMPROB:
		ICMP6_INC(IN_PARM_PROBLEMS);
		icmpv6_notify(p, type, p->nh[p->thoff + 1], icmp6_info(p));
		break;
	case ICMP6_MLD_QUERY:
	case ICMP6_MLD_V1_REPORT:
	case ICMP6_MLD_V1_DONE:
	case ICMP6_MLD_V2_REPORT:
		igmp6_event(p, icmp_len);
		break;
	case ND_ROUTER_SOLICIT:
	case ND_ROUTER_ADVERT:
	case ND_NEIGHBOR_SOLICIT:
	case ND_NEIGHBOR_ADVERT:
	case ND_REDIRECT:
		ndisc_rcv(p, p->thoff, icmp_len);
		break;
	default:
		/* RFC 4443 2.4 (a)/(b): unknown messages are passed up or
		 * dropped, never answered. */
		break;
	}
	return -1;
}
