/* xrt: UDP over IPv6 (udpv6_rcv, udpv6_sendmsg, ip6_datagram_connect): the SOCK_DGRAM entry of inetsw6. */
#include <errno.h>
#include <time.h>
#include <linux/errqueue.h>
#include "stack/stack_internal.h"
#include "stack/mcast.h"
#include "stack/sock.h"

#define UDP_HDR_LEN 8 /* RFC 768 */
#define UDP_MAX_PAYLOAD (IP6_MAX_PAYLOAD - UDP_HDR_LEN)

/* __udp6_lib_lookup: the most specific match wins (connected, then bound
 * address, then wildcard), like the kernel's scoring. */
struct sock *udp6_lib_lookup(const struct in6_addr *saddr, uint16_t sport,
				    const struct in6_addr *daddr, uint16_t dport, int ifindex)
{
	struct sock *best = NULL;
	int best_score = -1;
	for (struct sock *sk = sk_first(); sk; sk = sk_next(sk)) {
		if (sk->type != SOCK_DGRAM || sk->protocol != IPPROTO_UDP ||
		    sk->local.sin6_port != dport || !sk_family_ok(sk, daddr))
			continue;
		int score = 0;
		if (!ip6_is_unspec(&sk->local.sin6_addr)) {
			if (!ip6_eq(&sk->local.sin6_addr, daddr))
				continue;
			score += 2;
		}
		if (sk->connected) {
			if (!ip6_eq(&sk->peer.sin6_addr, saddr) || sk->peer.sin6_port != sport)
				continue;
			score += 4;
		}
		if (sk->bound_dev_if) {
			if (sk->bound_dev_if != ifindex)
				continue;
			score += 1;
		}
		if (score > best_score) {
			best = sk;
			best_score = score;
		}
	}
	return best;
}

/* udpv6_queue_rcv_skb: the datagram at p (checked) to sk's owner. */
static void udpv6_queue_rcv(struct sock *sk, const struct pkt *p, uint16_t sport)
{
	const struct ip6_hdr_wire *ip6 = pkt_ip6(p);
	const uint8_t *uh = p->nh + p->thoff;
	struct sockaddr_in6 from = {
		.sin6_family = AF_INET6, .sin6_port = sport, .sin6_addr = ip6->saddr,
		.sin6_scope_id = ip6_is_linklocal(&ip6->saddr) ? (uint32_t)p->ifindex : 0,
	};
	sockstats.udp_in++;
	sk->rx_info = (struct sk_pktinfo){ .addr = ip6->daddr, .ifindex = p->ifindex };
	udp_queue_rcv(sk, &from, uh + UDP_HDR_LEN, p->len - p->thoff - UDP_HDR_LEN, ip6->hop_limit);
}

/* __udp6_lib_mcast_deliver: every socket bound to the port (and to the
 * group or ::, on that interface if bound to one, connected to the source
 * if connected) that wants the group (inet6_mc_check) gets a copy. No
 * Port Unreachable about a group (RFC 4443 2.4 (e.3)). */
static void udp6_lib_mcast_deliver(const struct pkt *p, uint16_t sport, uint16_t dport)
{
	const struct ip6_hdr_wire *ip6 = pkt_ip6(p);
	bool delivered = false;
	for (struct sock *sk = sk_first(); sk; sk = sk_next(sk)) {
		if (sk->type != SOCK_DGRAM || sk->protocol != IPPROTO_UDP ||
		    sk->local.sin6_port != dport)
			continue;
		if (!ip6_is_unspec(&sk->local.sin6_addr) && !ip6_eq(&sk->local.sin6_addr, &ip6->daddr))
			continue;
		if (sk->connected &&
		    (!ip6_eq(&sk->peer.sin6_addr, &ip6->saddr) || sk->peer.sin6_port != sport))
			continue;
		if ((sk->bound_dev_if && sk->bound_dev_if != p->ifindex) ||
		    !inet6_mc_check(sk, &ip6->daddr))
			continue;
		udpv6_queue_rcv(sk, p, sport);
		delivered = true;
	}
	if (!delivered)
		sockstats.udp_no_port++;
}

/* __udp6_lib_rcv: length and checksum first (RFC 8200 8.1: the checksum is
 * mandatory over IPv6, so a zero one is an error too), then the socket,
 * else Port Unreachable (RFC 4443 3.1 code 4). */
int udpv6_rcv(struct pkt *p)
{
	struct ip6_hdr_wire *ip6 = pkt_ip6(p);
	if (p->thoff + UDP_HDR_LEN > p->len) {
		DROP_INC(UDP_CSUM);
		MIB_INC(IN_HDR_ERRORS);
		sockstats.udp_csum++;
		return -1;
	}
	const uint8_t *uh = p->nh + p->thoff;
	size_t udp_len = p->len - p->thoff;
	uint16_t len_field = (uint16_t)(uh[4] << 8 | uh[5]);
	if (len_field != udp_len || len_field < UDP_HDR_LEN ||
	    ip6_csum(&ip6->saddr, &ip6->daddr, NEXTHDR_UDP, uh, udp_len) != 0 ||
	    (uh[6] == 0 && uh[7] == 0)) {
		DROP_INC(UDP_CSUM);
		MIB_INC(IN_DISCARDS);
		sockstats.udp_csum++;
		return -1;
	}
	uint16_t sport, dport;
	memcpy(&sport, uh, 2);
	memcpy(&dport, uh + 2, 2);
	MIB_INC(IN_DELIVERS);
	if (ip6_is_mcast(&ip6->daddr)) {
		udp6_lib_mcast_deliver(p, sport, dport);
		return -1;
	}
	struct sock *sk = udp6_lib_lookup(&ip6->saddr, sport, &ip6->daddr, dport, p->ifindex);
	if (!sk) {
		sockstats.udp_no_port++;
		icmp6_send(p, ICMP6_DST_UNREACH, ICMP6_DU_PORT, 0);
		return -1;
	}
	udpv6_queue_rcv(sk, p, sport);
	return -1;
}

/* udp_queue_rcv_skb: the payload to the socket's owner (both families). */
void udp_queue_rcv(struct sock *sk, const struct sockaddr_in6 *from, const uint8_t *data,
		   size_t len, uint8_t hoplimit)
{
	if (!sk->owner || sk->shut_rd)
		return;
	sk->rx_hoplimit = hoplimit;
	if (sk->owner->dgram_rcv(sk, from, data, len) < 0) {
		sk->rcvq_drops++;
		sockstats.udp_rcvq_full++;
		DROP_INC(SOCK_RCVQ_FULL);
	}
	/* IPV6_PKTINFO is for this datagram only (an IPv4 one has none). */
	sk->rx_info = (struct sk_pktinfo){ 0 };
}

/* __udp6_lib_err: the socket that sent the quoted datagram (its ports
 * seen from our side). Without IPV6_RECVERR only a connected socket hears
 * of a hard error, as in the kernel; a Packet Too Big is hard for UDP
 * (IPV6_PMTUDISC_WANT: the application must send smaller, RFC 8201 4).
 * With it, every error is queued (ipv6_icmp_error) and becomes the
 * pending error, connected or not. */
void udpv6_err(const struct icmp6_err *e)
{
	const struct ip6_hdr_wire *ip6 = (const void *)e->ip6;
	if (e->off + UDP_HDR_LEN > e->len)
		return;
	uint16_t sport, dport;
	memcpy(&sport, e->ip6 + e->off, 2);
	memcpy(&dport, e->ip6 + e->off + 2, 2);
	struct sock *sk = udp6_lib_lookup(&ip6->daddr, dport, &ip6->saddr, sport, e->ifindex);
	if (!sk || !sk->owner)
		return;
	int err;
	bool harderr = icmpv6_err_convert(e->type, e->code, &err);
	if (e->type == ICMP6_PKT_TOOBIG)
		harderr = true;
	if (sk->recverr && sk->owner->error_queue) {
		struct sock_ee ee = {
			.err = err, .origin = SO_EE_ORIGIN_ICMP6, .type = e->type, .code = e->code,
			.info = e->info,
			.offender = { .sin6_family = AF_INET6, .sin6_addr = e->from },
			.dst = { .sin6_family = AF_INET6, .sin6_port = dport, .sin6_addr = ip6->daddr },
		};
		if (ip6_is_linklocal(&e->from))
			ee.offender.sin6_scope_id = (uint32_t)e->ifindex;
		sk->owner->error_queue(sk, &ee, e->ip6 + e->off + UDP_HDR_LEN,
				       e->len - e->off - UDP_HDR_LEN);
	} else if (!harderr || !sk->connected) {
		return;
	}
	sk_error_report(sk, err);
}

static int udp_v6_get_port(struct sock *sk, uint16_t port)
{
	return inet6_get_port(sk, port);
}

/* A socket that sends or connects unbound gets an ephemeral port. */
static int udp_autobind(struct sock *sk)
{
	return sk->local.sin6_port ? 0 : inet6_get_port(sk, 0);
}

/* ip6_datagram_connect: remember the peer; pick the source now so that
 * getsockname shows it (an unspecified peer address disconnects). */
static int udpv6_connect(struct sock *sk, const struct sockaddr_in6 *addr)
{
	if (addr->sin6_family == AF_UNSPEC) {
		sk->connected = false;
		memset(&sk->peer, 0, sizeof(sk->peer));
		return 0;
	}
	if (addr->sin6_family != AF_INET6)
		return -EAFNOSUPPORT;
	if (!addr->sin6_port)
		return -EINVAL;
	if (ip6_is_unspec(&sk->local.sin6_addr) && !ip6_is_mcast(&addr->sin6_addr)) {
		struct in6_addr src;
		int rc = ip6_is_linklocal(&addr->sin6_addr)
				 ? (stack_dev((int)addr->sin6_scope_id) &&
				    ipv6_dev_get_lladdr(stack_dev((int)addr->sin6_scope_id), &src)
					    ? 0 : -EINVAL)
				 : inet6_pick_saddr(&addr->sin6_addr, &src);
		if (rc < 0)
			return rc;
		sk->local.sin6_addr = src;
	}
	int rc = udp_autobind(sk);
	if (rc < 0)
		return rc;
	sk->peer = *addr;
	sk->connected = true;
	return 0;
}

/* udpv6_sendmsg: header, checksum over the pseudo-header, ip6_xmit. */
static long udpv6_sendmsg(struct sock *sk, const void *data, size_t len,
			  const struct sockaddr_in6 *to)
{
	int rc = ip6_datagram_dest(sk, &to);
	if (rc < 0)
		return rc;
	if (!to->sin6_port)
		return -EINVAL;
	if (len > UDP_MAX_PAYLOAD)
		return -EMSGSIZE;
	rc = udp_autobind(sk);
	if (rc < 0)
		return rc;
	int oif;
	struct in6_addr src;
	if ((rc = ip6_datagram_route(sk, to, &oif, &src)) < 0)
		return rc;
	if (xrt_addr_is_v4(&to->sin6_addr))
		return udp_v4_sendmsg(sk, &src, to, data, len);
	static uint8_t seg[IP6_MAX_PAYLOAD];
	uint16_t ulen = htons((uint16_t)(len + UDP_HDR_LEN));
	memcpy(seg, &sk->local.sin6_port, 2);
	memcpy(seg + 2, &to->sin6_port, 2);
	memcpy(seg + 4, &ulen, 2);
	memcpy(seg + UDP_HDR_LEN, data, len);
	rc = ip6_xmit_sk(sk, &src, &to->sin6_addr, NEXTHDR_UDP, seg, len + UDP_HDR_LEN, 6, oif);
	if (rc < 0)
		return rc;
	ip6_mc_loop(sk, oif);
	sockstats.udp_out++;
	return (long)len;
}

static int dgram_shutdown(struct sock *sk, int how)
{
	if (how == SHUT_RD || how == SHUT_RDWR)
		sk->shut_rd = true;
	if (how == SHUT_WR || how == SHUT_RDWR)
		sk->shut_wr = true;
	return 0;
}

static int dgram_listen(struct sock *sk, int backlog)
{
	(void)sk;
	(void)backlog;
	return -EOPNOTSUPP;
}

static void dgram_release(struct sock *sk)
{
	sk_free(sk);
}

static const struct proto_ops inet6_dgram_ops = {
	.bind = inet6_bind, .connect = udpv6_connect, .listen = dgram_listen,
	.sendmsg = udpv6_sendmsg, .shutdown = dgram_shutdown, .release = dgram_release,
};
static const struct proto udpv6_prot = { .name = "UDPv6", .get_port = udp_v6_get_port };
struct inet_protosw udpv6_protosw = {
	.type = SOCK_DGRAM, .protocol = IPPROTO_UDP, .ops = &inet6_dgram_ops,
	.prot = &udpv6_prot,
};

/* Shared with raw.c: datagram sockets shut down and close alike. */
int inet6_dgram_shutdown(struct sock *sk, int how) { return dgram_shutdown(sk, how); }
int inet6_dgram_listen(struct sock *sk, int backlog) { return dgram_listen(sk, backlog); }
void inet6_dgram_release(struct sock *sk) { dgram_release(sk); }
