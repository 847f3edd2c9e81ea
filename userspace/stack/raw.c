/* xrt: raw IPv6 sockets (raw6_local_deliver, rawv6_sendmsg): the SOCK_RAW entry of inetsw6, any protocol. */
#include <errno.h>
#include "stack/stack_internal.h"
#include "stack/mcast.h"
#include "stack/sock.h"

int inet6_dgram_shutdown(struct sock *sk, int how);
int inet6_dgram_listen(struct sock *sk, int backlog);
void inet6_dgram_release(struct sock *sk);

#define ICMP6_CSUM_OFF 2 /* RFC 4443 2.1 */

/*
 * rawv6_local_deliver (ip6_input_finish's raw6_local_deliver hook): every raw socket of this next header (bound address
 * and connected peer matching) gets a copy of the packet from the header on,
 * before the protocol handler runs, as ip6_input_finish does. ICMPv6 copies
 * are checksummed first (the kernel's rawv6_rcv does the same).
 */
bool rawv6_local_deliver(const struct pkt *p, uint8_t nexthdr)
{
	const struct ip6_hdr_wire *ip6 = pkt_ip6(p);
	bool delivered = false, csum_checked = false;
	for (struct sock *sk = sk_first(); sk; sk = sk_next(sk)) {
		if (sk->type != SOCK_RAW || sk->protocol != nexthdr || !sk->owner || sk->shut_rd)
			continue;
		if (!ip6_is_unspec(&sk->local.sin6_addr) && !ip6_eq(&sk->local.sin6_addr, &ip6->daddr))
			continue;
		if (sk->connected && !ip6_eq(&sk->peer.sin6_addr, &ip6->saddr))
			continue;
		if (sk->bound_dev_if && sk->bound_dev_if != p->ifindex)
			continue;
		if (ip6_is_mcast(&ip6->daddr) && !inet6_mc_check(sk, &ip6->daddr))
			continue;
		if (p->thoff > p->len)
			return delivered;
		/* icmpv6_filter: the types the socket blocked (RFC 3542 3.2). */
		if (nexthdr == NEXTHDR_ICMP && p->thoff < p->len) {
			uint8_t type = p->nh[p->thoff];
			if (sk->icmp6_filter[type >> 5] & (1u << (type & 31)))
				continue;
		}
		if (nexthdr == NEXTHDR_ICMP && !csum_checked) {
			if (ip6_csum(&ip6->saddr, &ip6->daddr, NEXTHDR_ICMP, p->nh + p->thoff,
				     p->len - p->thoff) != 0)
				return false; /* icmpv6_rcv counts it */
			csum_checked = true;
		}
		struct sockaddr_in6 from = {
			.sin6_family = AF_INET6, .sin6_port = 0, .sin6_addr = ip6->saddr,
			.sin6_scope_id = ip6_is_linklocal(&ip6->saddr) ? (uint32_t)p->ifindex : 0,
		};
		sockstats.raw_in++;
		sk->rx_hoplimit = ip6->hop_limit;
		sk->rx_info = (struct sk_pktinfo){ .addr = ip6->daddr, .ifindex = p->ifindex };
		if (sk->owner->dgram_rcv(sk, &from, p->nh + p->thoff, p->len - p->thoff) < 0) {
			sk->rcvq_drops++;
			DROP_INC(SOCK_RCVQ_FULL);
		} else {
			delivered = true;
		}
	}
	return delivered;
}

/* rawv6_err (raw6_icmp_error): raw sockets of the quoted protocol whose
 * bound address sent the packet and whose peer it went to. Only a
 * connected socket hears of a hard error (no IPV6_RECVERR queue: an ICMPv6
 * raw socket reads the error message itself anyway). */
void rawv6_err(const struct icmp6_err *e)
{
	const struct ip6_hdr_wire *ip6 = (const void *)e->ip6;
	int err;
	if (!icmpv6_err_convert(e->type, e->code, &err))
		return;
	for (struct sock *sk = sk_first(); sk; sk = sk_next(sk)) {
		if (sk->type != SOCK_RAW || sk->protocol != e->proto || !sk->owner ||
		    !sk->connected || !ip6_eq(&sk->peer.sin6_addr, &ip6->daddr))
			continue;
		if (!ip6_is_unspec(&sk->local.sin6_addr) && !ip6_eq(&sk->local.sin6_addr, &ip6->saddr))
			continue;
		sk_error_report(sk, err);
	}
}

static int rawv6_connect(struct sock *sk, const struct sockaddr_in6 *addr)
{
	if (addr->sin6_family == AF_UNSPEC) {
		sk->connected = false;
		return 0;
	}
	if (addr->sin6_family != AF_INET6)
		return -EAFNOSUPPORT;
	sk->peer = *addr;
	sk->peer.sin6_port = 0;
	sk->connected = true;
	return 0;
}

/* rawv6_sendmsg: the application writes the upper-layer header and body;
 * for ICMPv6 the stack fills the checksum (RFC 3542 3.1). */
static long rawv6_sendmsg(struct sock *sk, const void *data, size_t len,
			  const struct sockaddr_in6 *to)
{
	int rc = ip6_datagram_dest(sk, &to);
	if (rc < 0)
		return rc;
	if (len > IP6_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (sk->protocol == NEXTHDR_ICMP && len < ICMP6_HDR_LEN)
		return -EINVAL;
	int oif;
	struct in6_addr src;
	if ((rc = ip6_datagram_route(sk, to, &oif, &src)) < 0)
		return rc;
	int csum_off = sk->protocol == NEXTHDR_ICMP ? ICMP6_CSUM_OFF : sk->raw_csum_off;
	if (csum_off >= 0 && (size_t)csum_off + 2 > len)
		return -EINVAL; /* rawv6_push_pending_frames */
	rc = ip6_xmit_sk(sk, &src, &to->sin6_addr, (uint8_t)sk->protocol, data, len, csum_off, oif);
	if (rc < 0)
		return rc;
	sockstats.raw_out++;
	return (long)len;
}

static const struct proto_ops inet6_sockraw_ops = {
	.bind = inet6_bind, .connect = rawv6_connect, .listen = inet6_dgram_listen,
	.sendmsg = rawv6_sendmsg, .shutdown = inet6_dgram_shutdown,
	.release = inet6_dgram_release,
};
static const struct proto rawv6_prot = { .name = "RAWv6" };
struct inet_protosw rawv6_protosw = {
	.type = SOCK_RAW, .protocol = IPPROTO_IP, /* wildcard */
	.ops = &inet6_sockraw_ops, .prot = &rawv6_prot,
};

int rawv6_seticmpfilter(struct sock *sk, const uint32_t filter[8])
{
	if (sk->type != SOCK_RAW || sk->protocol != NEXTHDR_ICMP)
		return -EOPNOTSUPP;
	memcpy(sk->icmp6_filter, filter, sizeof(sk->icmp6_filter));
	return 0;
}

int rawv6_geticmpfilter(const struct sock *sk, uint32_t filter[8])
{
	if (sk->type != SOCK_RAW || sk->protocol != NEXTHDR_ICMP)
		return -EOPNOTSUPP;
	memcpy(filter, sk->icmp6_filter, sizeof(sk->icmp6_filter));
	return 0;
}

int rawv6_setsockopt(struct sock *sk, int name, int val)
{
	if (sk->type != SOCK_RAW || name != IPV6_CHECKSUM)
		return -ENOPROTOOPT;
	if (sk->protocol == NEXTHDR_ICMP)
		return val == ICMP6_CSUM_OFF ? 0 : -EINVAL; /* always there */
	if (val > 0 && (val & 1))
		return -EINVAL; /* the checksum is 16-bit aligned */
	sk->raw_csum_off = (int16_t)(val < 0 ? -1 : val);
	return 0;
}

int rawv6_getsockopt(const struct sock *sk, int name, int *val)
{
	if (sk->type != SOCK_RAW || name != IPV6_CHECKSUM)
		return -ENOPROTOOPT;
	*val = sk->protocol == NEXTHDR_ICMP ? ICMP6_CSUM_OFF : sk->raw_csum_off;
	return 0;
}
