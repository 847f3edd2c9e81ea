/* xrt: ICMPv4 (RFC 792, RFC 1122 3.2.2, RFC 1812 4.3): icmp_rcv, icmp_echo, __icmp_send with its never-send rules, ip_rt_send_redirect. */
#include <errno.h>
#include <time.h>
#include "stack/stack_internal.h"

/* RFC 1812 4.3.2.3: quote as much as fits in a 576-byte datagram. */
#define ICMP_QUOTE_MAX (ICMP_ERR_MAX_LEN - IP4_HDR_LEN - ICMP_HDR_LEN)
/* RFC 1812 4.3.2.5 / the kernel's icmp_send: errors carry precedence
 * "internetwork control" in the TOS byte (IPTOS_* of <netinet/ip.h>). */

/* icmp_pointers[].error: the types that are errors (never answered). */
static bool icmp_is_err(uint8_t type)
{
	switch (type) {
	case ICMP_DEST_UNREACH:
	case ICMP_SOURCE_QUENCH:
	case ICMP_REDIRECT:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAMETERPROB:
		return true;
	default:
		return false;
	}
}

static void icmp_count_out(uint8_t type)
{
	ICMP4_INC(OUT_MSGS);
	sstats.icmp_out_type[type]++;
	switch (type) {
	case ICMP_DEST_UNREACH: ICMP4_INC(OUT_DEST_UNREACHS); break;
	case ICMP_TIME_EXCEEDED: ICMP4_INC(OUT_TIME_EXCDS); break;
	case ICMP_PARAMETERPROB: ICMP4_INC(OUT_PARM_PROBS); break;
	case ICMP_REDIRECT: ICMP4_INC(OUT_REDIRECTS); break;
	case ICMP_ECHOREPLY: ICMP4_INC(OUT_ECHO_REPS); break;
	default: break;
	}
}

/* icmp_push_reply: IPv4 + ICMP headers in front of an already placed
 * body of icmp_len bytes (ICMP header included), then ip_local_out. */
static int icmp_push_reply(uint8_t *data, uint32_t saddr, uint32_t daddr, uint8_t tos,
			   size_t icmp_len, int iif)
{
	struct iphdr_wire *iph = (struct iphdr_wire *)data;
	uint8_t *icmp = data + IP4_HDR_LEN;
	icmp[2] = icmp[3] = 0;
	uint16_t c = ip_compute_csum(icmp, icmp_len);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
	iph->ver_ihl = IP4_VERSION << 4 | IP4_MIN_IHL;
	iph->tos = tos;
	iph->tot_len = htons((uint16_t)(IP4_HDR_LEN + icmp_len));
	iph->frag_off = 0;
	iph->ttl = IP4_DEFAULT_TTL;
	iph->protocol = IPPROTO_ICMP;
	iph->saddr = saddr;
	iph->daddr = daddr;
	struct in6_addr s6 = ip4_mapped(saddr), d6 = ip4_mapped(daddr);
	iph->id = htons((uint16_t)ipv6_select_ident(&d6, &s6));
	icmp_count_out(icmp[0]);
	int ret = ip_local_out(data, IP4_HDR_LEN + icmp_len, 0, iif);
	if (ret < 0)
		ICMP4_INC(OUT_ERRORS);
	return ret;
}

/* icmpv4_mask_allow + icmpv4_global_allow + icmpv4_xrlim_allow: types in
 * icmp_ratemask (errors but Redirect) are limited per destination, with
 * the IPv6 limiter's buckets; Fragmentation Needed only against the
 * global bucket (path MTU discovery must not stall, as Packet Too Big). */
static bool icmpv4_xrlim_allow(uint32_t dst, uint8_t type, uint8_t code)
{
	bool frag_needed = type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED;
	if (type > ICMP_PARAMETERPROB || !((ICMP_RATEMASK_DEFAULT >> type) & 1))
		return true;
	struct in6_addr d = ip4_mapped(dst);
	return icmp_xrlim_allow(&d, !frag_needed);
}

static uint8_t icmp_err_buf[PKT_HEADROOM + ICMP_ERR_MAX_LEN];

/*
 * __icmp_send: never about an ICMP error, a datagram sent to a broadcast
 * or multicast address (at link or IP level), a fragment other than the
 * first, or from a source that does not name one host (RFC 1122 3.2.2,
 * RFC 1812 4.3.2.7). Source: the address the datagram was sent to when it
 * is ours, else the ingress interface's primary address (inet_select_addr
 * as with icmp_errors_use_inbound_ifaddr, so traceroute shows the hop).
 */
void icmp_send(struct pkt *p, uint8_t type, uint8_t code, uint32_t info)
{
	if (p->len < IP4_HDR_LEN)
		return;
	const struct iphdr_wire *iph = pkt_ip4(p);
	size_t ihl = ip4_hdr_len(p->nh);
	const struct xrt_netdev *dev = stack_dev(p->ifindex);
	struct in6_addr s6 = ip4_mapped(iph->saddr);
	if (p->eth_mcast || ipv4_is_bcast_mcast(dev, iph->daddr) ||
	    (ntohs(iph->frag_off) & IP4_FRAG_OFFSET_MASK) || ipv4_is_zeronet(iph->saddr) ||
	    ipv4_is_loopback(iph->saddr) || ipv4_is_multicast(iph->saddr) ||
	    ipv4_is_lbcast(iph->saddr) || ipv6_chk_addr(&s6)) {
		DROP_INC(ICMP_SUPPRESSED);
		return;
	}
	if (iph->protocol == IPPROTO_ICMP) {
		/* An error about an error: never; about an unknown type:
		 * never either (the kernel's icmp_pointers range check). */
		if (ihl + 1 > p->len || icmp_is_err(p->nh[ihl]) || p->nh[ihl] > NR_ICMP_TYPES) {
			DROP_INC(ICMP_SUPPRESSED);
			return;
		}
	}
	if (!icmpv4_xrlim_allow(iph->saddr, type, code)) {
		DROP_INC(ICMP_RATE);
		ICMP4_INC(OUT_RATE_LIMIT_HOST);
		return;
	}
	struct in6_addr d6 = ip4_mapped(iph->daddr);
	uint32_t saddr;
	if (ipv6_chk_addr(&d6))
		saddr = iph->daddr;
	else if (!inet_select_addr(dev, iph->saddr, &saddr)) {
		ICMP4_INC(OUT_ERRORS);
		return;
	}
	size_t quote = p->len < ICMP_QUOTE_MAX ? p->len : ICMP_QUOTE_MAX;
	uint8_t *data = icmp_err_buf + PKT_HEADROOM;
	uint8_t *icmp = data + IP4_HDR_LEN;
	icmp[0] = type;
	icmp[1] = code;
	uint32_t info_be;
	if (type == ICMP_REDIRECT)
		info_be = info; /* the gateway, already in network order */
	else if (type == ICMP_PARAMETERPROB)
		info_be = htonl(info << 24);
	else
		info_be = htonl(info); /* RFC 1191 4: MTU in the low 16 bits */
	memcpy(icmp + 4, &info_be, 4);
	memcpy(icmp + ICMP_HDR_LEN, p->nh, quote);
	uint8_t tos = (uint8_t)((iph->tos & IPTOS_TOS_MASK) | IPTOS_PREC_INTERNETCONTROL);
	icmp_push_reply(data, saddr, iph->saddr, tos, ICMP_HDR_LEN + quote, p->ifindex);
}

/*
 * ip_rt_send_redirect: RFC 1812 5.2.7.2 host Redirect, sent only when the
 * source is on the link the datagram leaves by (inet_addr_onlink), and
 * limited as the kernel does: after each Redirect to a host the next waits
 * twice as long (ip_rt_redirect_load << count); after ip_rt_redirect_number
 * of them, nothing until ip_rt_redirect_silence of quiet.
 */
#define REDIRECT_SLOTS 256
#define REDIRECT_NUMBER 9
#define REDIRECT_LOAD_MS 20 /* HZ / 50 */
#define REDIRECT_SILENCE_MS (REDIRECT_LOAD_MS << (REDIRECT_NUMBER + 1))

static struct {
	uint32_t src;
	unsigned count;
	uint64_t last_ns;
} redirect_peer[REDIRECT_SLOTS];

static bool inet_addr_onlink(const struct xrt_netdev *dev, uint32_t a, uint32_t b)
{
	for (unsigned i = 0; dev && i < dev->naddrs && i < XRT_MAX_ADDRS; i++) {
		if (!xrt_addr_is_v4(&dev->addr[i]) || dev->plen[i] <= XRT_V4_PLEN_OFFSET)
			continue;
		unsigned v4plen = dev->plen[i] - XRT_V4_PLEN_OFFSET;
		uint32_t mask = htonl(v4plen >= 32 ? ~0u : ~(~0u >> v4plen));
		uint32_t net = xrt_addr_v4(&dev->addr[i]) & mask;
		if ((a & mask) == net && (b & mask) == net)
			return true;
	}
	return false;
}

void ip_rt_send_redirect(struct pkt *p, const struct fib6_result *res)
{
	const struct iphdr_wire *iph = pkt_ip4(p);
	uint32_t gw = xrt_addr_v4(&res->nexthop);
	if (!xrt_addr_is_v4(&res->nexthop) || gw == iph->daddr ||
	    !inet_addr_onlink(stack_dev(res->oif), iph->saddr, gw))
		return; /* the destination itself is on link: no better hop */
	uint64_t now = stack_now();
	uint32_t h = (ntohl(iph->saddr) * 2654435761u) % REDIRECT_SLOTS;
	if (redirect_peer[h].src != iph->saddr) {
		redirect_peer[h].src = iph->saddr;
		redirect_peer[h].count = 0;
		redirect_peer[h].last_ns = 0;
	}
	if (redirect_peer[h].last_ns &&
	    now - redirect_peer[h].last_ns > REDIRECT_SILENCE_MS * NSEC_PER_MSEC)
		redirect_peer[h].count = 0;
	if (redirect_peer[h].count >= REDIRECT_NUMBER) {
		redirect_peer[h].last_ns = now; /* keep silent while it goes on */
		DROP_INC(ICMP_RATE);
		return;
	}
	if (redirect_peer[h].count && now < redirect_peer[h].last_ns +
						    ((uint64_t)REDIRECT_LOAD_MS << redirect_peer[h].count) *
							    NSEC_PER_MSEC) {
		DROP_INC(ICMP_RATE);
		return;
	}
	icmp_send(p, ICMP_REDIRECT, ICMP_REDIR_HOST, gw);
	redirect_peer[h].last_ns = now;
	redirect_peer[h].count++;
}

void icmp_init(void)
{
	memset(redirect_peer, 0, sizeof(redirect_peer));
}

static uint8_t echo_buf[PKT_HEADROOM + PKT_MAX_LEN];

/* icmp_echo: same identifier, sequence and data (RFC 792), from the
 * address it was sent to; echo to a broadcast or group is ignored
 * (icmp_echo_ignore_broadcasts 1, RFC 1122 3.2.2.6 allows it). */
static void icmp_echo(struct pkt *p, size_t icmp_len)
{
	const struct iphdr_wire *iph = pkt_ip4(p);
	if (ipv4_is_bcast_mcast(stack_dev(p->ifindex), iph->daddr))
		return;
	uint8_t *data = echo_buf + PKT_HEADROOM;
	memcpy(data + IP4_HDR_LEN, p->nh + p->thoff, icmp_len);
	data[IP4_HDR_LEN] = ICMP_ECHOREPLY;
	data[IP4_HDR_LEN + 1] = 0;
	icmp_push_reply(data, iph->daddr, iph->saddr, iph->tos, icmp_len, p->ifindex);
}

/* RFC 792 Timestamp: the originate timestamp back, with receive and
 * transmit set to now, milliseconds since midnight UT (inet_current_timestamp);
 * the kernel's icmp_timestamp answers every request of at least 20 bytes. */
#define ICMP_TIMESTAMP_LEN (ICMP_HDR_LEN + 12)
#define MSEC_PER_DAY 86400000u

static void icmp_timestamp(struct pkt *p, size_t icmp_len)
{
	const struct iphdr_wire *iph = pkt_ip4(p);
	if (icmp_len < ICMP_TIMESTAMP_LEN) {
		ICMP4_INC(IN_ERRORS);
		return;
	}
	if (ipv4_is_bcast_mcast(stack_dev(p->ifindex), iph->daddr))
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint32_t ms = htonl((uint32_t)(((uint64_t)ts.tv_sec % 86400) * 1000 +
				       (uint64_t)ts.tv_nsec / NSEC_PER_MSEC) % MSEC_PER_DAY);
	uint8_t *data = echo_buf + PKT_HEADROOM;
	uint8_t *icmp = data + IP4_HDR_LEN;
	memcpy(icmp, p->nh + p->thoff, ICMP_HDR_LEN + 4); /* id, sequence, originate */
	icmp[0] = ICMP_TIMESTAMPREPLY;
	icmp[1] = 0;
	memcpy(icmp + ICMP_HDR_LEN + 4, &ms, 4);
	memcpy(icmp + ICMP_HDR_LEN + 8, &ms, 4);
	icmp_push_reply(data, iph->daddr, iph->saddr, iph->tos, ICMP_TIMESTAMP_LEN, p->ifindex);
}

/* icmp_unreach for Fragmentation Needed about one of our own datagrams:
 * learn the path MTU of its destination (RFC 1191 6.1). */
static void icmp_frag_needed(struct pkt *p, size_t icmp_len)
{
	const uint8_t *icmp = p->nh + p->thoff;
	if (icmp_len < ICMP_HDR_LEN + IP4_HDR_LEN || icmp[1] != ICMP_FRAG_NEEDED)
		return;
	const struct iphdr_wire *inner = (const void *)(icmp + ICMP_HDR_LEN);
	uint32_t isrc = inner->saddr, idst = inner->daddr;
	struct in6_addr s6 = ip4_mapped(isrc), d6 = ip4_mapped(idst);
	if (!ipv6_chk_addr(&s6))
		return;
	rt6_pmtu_update(&d6, (uint32_t)(icmp[6] << 8 | icmp[7]));
}

/* icmp_err_convert (net/ipv4/icmp.c): Destination Unreachable codes
 * (RFC 792, RFC 1122 3.2.2.1) as errno and whether the error is hard
 * (fatal to a connection attempt, RFC 1122 4.2.3.9). */
bool icmp_err_convert(uint8_t type, uint8_t code, int *err)
{
	static const struct {
		int err;
		bool fatal;
	} unreach[NR_ICMP_UNREACH + 1] = {
		[ICMP_NET_UNREACH] = { ENETUNREACH, false },
		[ICMP_HOST_UNREACH] = { EHOSTUNREACH, false },
		[ICMP_PROT_UNREACH] = { ENOPROTOOPT, true },
		[ICMP_PORT_UNREACH] = { ECONNREFUSED, true },
		[ICMP_FRAG_NEEDED] = { EMSGSIZE, false },
		[ICMP_SR_FAILED] = { EOPNOTSUPP, false },
		[ICMP_NET_UNKNOWN] = { ENETUNREACH, true },
		[ICMP_HOST_UNKNOWN] = { EHOSTDOWN, true },
		[ICMP_HOST_ISOLATED] = { ENONET, true },
		[ICMP_NET_ANO] = { ENETUNREACH, true },
		[ICMP_HOST_ANO] = { EHOSTUNREACH, true },
		[ICMP_NET_UNR_TOS] = { ENETUNREACH, false },
		[ICMP_HOST_UNR_TOS] = { EHOSTUNREACH, false },
		[ICMP_PKT_FILTERED] = { EHOSTUNREACH, true },
		[ICMP_PREC_VIOLATION] = { EHOSTUNREACH, true },
		[ICMP_PREC_CUTOFF] = { EHOSTUNREACH, true },
	};
	if (type == ICMP_DEST_UNREACH && code <= NR_ICMP_UNREACH) {
		*err = unreach[code].err;
		return unreach[code].fatal;
	}
	*err = type == ICMP_TIME_EXCEEDED ? EHOSTUNREACH : EPROTO;
	return type == ICMP_PARAMETERPROB;
}

/* icmp_socket_deliver: an error about a datagram we sent goes to the
 * quoted protocol's err_handler (tcp_v4_err, udp_v4_err). */
static void icmp_socket_deliver(struct pkt *p, size_t icmp_len)
{
	const uint8_t *icmp = p->nh + p->thoff;
	if (icmp_len < ICMP_HDR_LEN + IP4_HDR_LEN)
		return;
	const struct iphdr_wire *inner = (const void *)(icmp + ICMP_HDR_LEN);
	size_t ihl = ip4_hdr_len((const uint8_t *)inner);
	/* The header and 64 bits of the datagram (RFC 792). */
	if (ihl < IP4_HDR_LEN || ICMP_HDR_LEN + ihl + ICMP_QUOTE_L4_MIN > icmp_len)
		return;
	struct icmp_err4 e = {
		.type = icmp[0], .code = icmp[1], .icmp = icmp, .len = icmp_len,
		.l4 = icmp + ICMP_HDR_LEN + ihl, .l4_len = icmp_len - ICMP_HDR_LEN - ihl,
		.saddr = ip4_mapped(inner->saddr), .daddr = ip4_mapped(inner->daddr),
		.from = pkt_ip4(p)->saddr, .ifindex = p->ifindex,
	};
	if (!ipv6_chk_addr(&e.saddr))
		return;
	memcpy(&e.sport, e.l4, 2);
	memcpy(&e.dport, e.l4 + 2, 2);
	if (inner->protocol == IPPROTO_TCP)
		tcp_v4_err(&e);
	else if (inner->protocol == IPPROTO_UDP)
		udp_v4_err(&e);
}

int icmp_rcv(struct pkt *p)
{
	size_t icmp_len = p->len - p->thoff;
	if (p->thoff > p->len || icmp_len < ICMP_HDR_LEN) {
		DROP_INC(ICMP_SHORT);
		ICMP4_INC(IN_ERRORS);
		return -1;
	}
	if (ip_compute_csum(p->nh + p->thoff, icmp_len)) {
		DROP_INC(ICMP_CSUM);
		ICMP4_INC(IN_CSUM_ERRORS);
		ICMP4_INC(IN_ERRORS);
		return -1;
	}
	ICMP4_INC(IN_MSGS);
	switch (p->nh[p->thoff]) {
	case ICMP_ECHO:
		ICMP4_INC(IN_ECHOS);
		icmp_echo(p, icmp_len);
		break;
	case ICMP_ECHOREPLY:
		ICMP4_INC(IN_ECHO_REPS);
		break;
	case ICMP_TIMESTAMP:
		icmp_timestamp(p, icmp_len);
		break;
	case ICMP_DEST_UNREACH:
		ICMP4_INC(IN_DEST_UNREACHS);
		icmp_frag_needed(p, icmp_len);
		icmp_socket_deliver(p, icmp_len);
		break;
	case ICMP_TIME_EXCEEDED:
		ICMP4_INC(IN_TIME_EXCDS);
		icmp_socket_deliver(p, icmp_len);
		break;
	case ICMP_PARAMETERPROB:
		icmp_socket_deliver(p, icmp_len); /* icmp_unreach takes it too */
		break;
	case ICMP_REDIRECT:
		/* A router ignores Redirects (RFC 1812 4.3.3.2). */
		ICMP4_INC(IN_REDIRECTS);
		break;
	default:
		break;
	}
	return -1;
}
