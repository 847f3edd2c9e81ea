/* xrt: UDP over IPv4 (__udp4_lib_rcv, udp_sendmsg): length and checksum checks, delivery to dual-stack sockets, Port Unreachable where none listens; __udp4_lib_err. */
#include <errno.h>
#include <time.h>
#include <linux/errqueue.h>
#include "stack/stack_internal.h"
#include "stack/sock.h"

#define UDP_HDR_LEN 8 /* RFC 768 */

/*
 * A datagram for the router goes to the socket that takes it (AF_INET6
 * sockets see IPv4 peers as IPv4-mapped addresses, as the kernel's
 * dual-stack sockets do, and the shim's AF_INET sockets are such sockets);
 * with none, Port Unreachable (RFC 1122 3.2.2.1 / 4.1.3.1), unless it was
 * sent to a broadcast or multicast address (icmp_send refuses those). A
 * bad length or checksum is dropped first (RFC 768: a zero checksum means
 * none was sent).
 */
void udp_v4_rcv(struct pkt *p)
{
	const struct iphdr_wire *iph = pkt_ip4(p);
	const uint8_t *uh = p->nh + p->thoff;
	size_t avail = p->len - p->thoff;
	if (avail < UDP_HDR_LEN) {
		DROP_INC(UDP_CSUM);
		return;
	}
	size_t ulen = (size_t)(uh[4] << 8 | uh[5]);
	if (ulen < UDP_HDR_LEN || ulen > avail) {
		DROP_INC(UDP_CSUM);
		return;
	}
	if ((uh[6] || uh[7]) && ip4_pseudo_csum(iph->saddr, iph->daddr, IPPROTO_UDP, uh, ulen)) {
		DROP_INC(UDP_CSUM);
		return;
	}
	uint16_t sport, dport;
	memcpy(&sport, uh, 2);
	memcpy(&dport, uh + 2, 2);
	struct in6_addr s6 = ip4_mapped(iph->saddr), d6 = ip4_mapped(iph->daddr);
	struct sock *sk = udp6_lib_lookup(&s6, sport, &d6, dport, p->ifindex);
	if (!sk && ipv4_is_bcast_mcast(stack_dev(p->ifindex), iph->daddr)) {
		static const struct in6_addr any;
		sk = udp6_lib_lookup(&s6, sport, &any, dport, p->ifindex);
	}
	if (!sk) {
		icmp_send(p, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
		return;
	}
	struct sockaddr_in6 from = { .sin6_family = AF_INET6, .sin6_port = sport, .sin6_addr = s6 };
	udp_queue_rcv(sk, &from, uh + UDP_HDR_LEN, ulen - UDP_HDR_LEN, iph->ttl);
}

static uint8_t udp4_buf[PKT_HEADROOM + IP4_MAX_LEN];

/* udp_sendmsg for a dual-stack socket whose destination is IPv4-mapped:
 * UDP header and checksum over the IPv4 pseudo-header (RFC 768), then
 * ip_local_out, which fragments what does not fit (DF clear). */
long udp_v4_sendmsg(struct sock *sk, const struct in6_addr *src, const struct sockaddr_in6 *to,
		    const void *data, size_t len)
{
	if (!xrt_addr_is_v4(src))
		return -EAFNOSUPPORT; /* bound to an IPv6 address */
	if (len > IP4_MAX_LEN - IP4_HDR_LEN - UDP_HDR_LEN)
		return -EMSGSIZE;
	uint32_t saddr = xrt_addr_v4(src), daddr = xrt_addr_v4(&to->sin6_addr);
	uint8_t *ip = udp4_buf + PKT_HEADROOM;
	uint8_t *uh = ip + IP4_HDR_LEN;
	uint16_t ulen = htons((uint16_t)(len + UDP_HDR_LEN));
	memcpy(uh, &sk->local.sin6_port, 2);
	memcpy(uh + 2, &to->sin6_port, 2);
	memcpy(uh + 4, &ulen, 2);
	uh[6] = uh[7] = 0;
	memcpy(uh + UDP_HDR_LEN, data, len);
	uint16_t c = ip4_pseudo_csum(saddr, daddr, IPPROTO_UDP, uh, len + UDP_HDR_LEN);
	if (!c)
		c = 0xffff; /* RFC 768: a computed zero is sent as all ones */
	uh[6] = (uint8_t)(c >> 8);
	uh[7] = (uint8_t)c;
	struct iphdr_wire *iph = (struct iphdr_wire *)ip;
	memset(iph, 0, sizeof(*iph));
	iph->ver_ihl = IP4_VERSION << 4 | IP4_MIN_IHL;
	iph->tot_len = htons((uint16_t)(IP4_HDR_LEN + UDP_HDR_LEN + len));
	iph->tos = sk->tos; /* ip_make_skb: inet->tos, IP_TOS as set */
	iph->ttl = ipv4_is_multicast(daddr) ? IP4_DEFAULT_TTL : ip_sk_ttl(sk);
	iph->protocol = IPPROTO_UDP;
	iph->saddr = saddr;
	iph->daddr = daddr;
	struct in6_addr d6 = to->sin6_addr;
	iph->id = htons((uint16_t)ipv6_select_ident(&d6, src));
	int rc = ip_local_out(ip, IP4_HDR_LEN + UDP_HDR_LEN + len, 0, 0);
	if (rc < 0)
		return -ENETUNREACH;
	return (long)len;
}

/*
 * __udp4_lib_err: the socket that sent the quoted datagram (its ports seen
 * from our side, dual-stack sockets included). Fragmentation Needed is hard
 * (EMSGSIZE: the kernel's default IP_PMTUDISC_WANT, RFC 1191 6.3 lets the
 * application learn it) once icmp_frag_needed learnt the MTU; Source
 * Quench and Redirect are never reported (RFC 6633 5, RFC 1122 3.2.2.2).
 * Without IP_RECVERR only a connected socket hears of a hard error, as in
 * the kernel; with it, every error is queued (ip_icmp_error) and becomes
 * the pending error, connected or not.
 */
void udp_v4_err(const struct icmp_err4 *e)
{
	struct sock *sk = udp6_lib_lookup(&e->daddr, e->dport, &e->saddr, e->sport, e->ifindex);
	if (!sk || !sk->owner)
		return;
	uint8_t type = e->type, code = e->code;
	const uint8_t *icmp = e->icmp;
	uint32_t info = 0;
	if (type == ICMP_SOURCE_QUENCH || type == ICMP_REDIRECT)
		return;
	int err;
	bool harderr = icmp_err_convert(type, code, &err);
	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED) {
		info = (uint32_t)(icmp[6] << 8 | icmp[7]); /* RFC 1191 4 */
		harderr = true;
	} else if (type == ICMP_PARAMETERPROB) {
		info = icmp[4]; /* RFC 792: the pointer */
	}
	if (sk->recverr4 && sk->owner->error_queue) {
		struct sock_ee ee = {
			.err = err, .origin = SO_EE_ORIGIN_ICMP, .type = type, .code = code,
			.info = info,
			.offender = { .sin6_family = AF_INET6, .sin6_addr = ip4_mapped(e->from) },
			.dst = { .sin6_family = AF_INET6, .sin6_port = e->dport, .sin6_addr = e->daddr },
		};
		sk->owner->error_queue(sk, &ee, e->l4 + UDP_HDR_LEN, e->l4_len - UDP_HDR_LEN);
	} else if (!harderr || !sk->connected) {
		return;
	}
	sk_error_report(sk, err);
}
