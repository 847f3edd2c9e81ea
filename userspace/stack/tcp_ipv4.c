/* xrt: TCP over IPv4 (the kernel's tcp_ipv4.c): tcp_v4_rcv, the segment out (ip_queue_xmit), tcp_v4_send_reset, tcp_v4_init_seq, tcp_v4_err. */
#include <errno.h>
#include "stack/stack_internal.h"
#include "stack/secure_seq.h"
#include "stack/sock.h"
#include "stack/sock_tcp.h"

/*
 * tcp_v4_rcv: header and checksum over the IPv4 pseudo-header (RFC 9293
 * 3.1), never an answer to a broadcast or multicast destination (RFC 1122
 * 4.2.3.10, tcp_v4_rcv's pkt_type check); then the state machine both
 * families share, with the addresses IPv4-mapped (xrt/inet.h) as a
 * dual-stack socket sees them.
 */
void tcp_v4_rcv(struct pkt *p)
{
	const struct iphdr_wire *iph = pkt_ip4(p);
	const uint8_t *th = p->nh + p->thoff;
	size_t len = p->thoff <= p->len ? p->len - p->thoff : 0;
	if (len < TCP_HDR_LEN || (size_t)(th[12] >> 4) * 4 < TCP_HDR_LEN ||
	    (size_t)(th[12] >> 4) * 4 > len ||
	    ip4_pseudo_csum(iph->saddr, iph->daddr, IPPROTO_TCP, th, len)) {
		DROP_INC(TCP_CSUM);
		sockstats.tcp_csum++;
		return;
	}
	if (p->eth_mcast || ipv4_is_bcast_mcast(stack_dev(p->ifindex), iph->daddr))
		return;
	struct tcp_addrs ta = { .saddr = ip4_mapped(iph->saddr), .daddr = ip4_mapped(iph->daddr) };
	tcp_rcv(&ta, th, len, p->ifindex);
}

static uint8_t tcp4_buf[PKT_HEADROOM + IP4_MAX_LEN];

/*
 * ip_queue_xmit for a TCP segment between two IPv4-mapped addresses: the
 * checksum over the IPv4 pseudo-header, DF set (RFC 1191 3: TCP does path
 * MTU discovery, so the segment is never fragmented on the way), TTL and
 * TOS from the socket when there is one.
 */
int tcp_v4_xmit(const struct sock *sk, const struct in6_addr *src, const struct in6_addr *dst,
		const uint8_t *seg, size_t len, int oif)
{
	if (len > IP4_MAX_LEN - IP4_HDR_LEN)
		return -EMSGSIZE;
	uint32_t saddr = xrt_addr_v4(src), daddr = xrt_addr_v4(dst);
	uint8_t *data = tcp4_buf + PKT_HEADROOM;
	uint8_t *th = data + IP4_HDR_LEN;
	memcpy(th, seg, len);
	th[TCP_CSUM_OFF] = th[TCP_CSUM_OFF + 1] = 0;
	uint16_t c = ip4_pseudo_csum(saddr, daddr, IPPROTO_TCP, th, len);
	th[TCP_CSUM_OFF] = (uint8_t)(c >> 8);
	th[TCP_CSUM_OFF + 1] = (uint8_t)c;
	struct iphdr_wire *iph = (struct iphdr_wire *)data;
	memset(iph, 0, sizeof(*iph));
	iph->ver_ihl = IP4_VERSION << 4 | IP4_MIN_IHL;
	iph->tos = sk ? sk->tos : 0; /* ip_queue_xmit: inet->tos, IP_TOS */
	iph->tot_len = htons((uint16_t)(IP4_HDR_LEN + len));
	iph->frag_off = htons(IP4_FLAG_DF);
	iph->ttl = sk ? ip_sk_ttl(sk) : IP4_DEFAULT_TTL;
	iph->protocol = IPPROTO_TCP;
	iph->saddr = saddr;
	iph->daddr = daddr;
	iph->id = htons((uint16_t)ipv6_select_ident(dst, src));
	return ip_local_out(data, IP4_HDR_LEN + len, oif, 0) < 0 ? -EHOSTUNREACH : 0;
}

/* tcp_v4_send_reset (RFC 9293 3.10.7.1): saddr/daddr are the offending
 * segment's, so the reset goes from daddr back to saddr. */
void tcp_v4_send_reset(const struct in6_addr *saddr, const struct in6_addr *daddr,
		       const uint8_t *th, size_t seg_len)
{
	uint8_t rst[TCP_HDR_LEN];
	tcp_build_reset(rst, th, seg_len);
	sockstats.tcp_rst_out++;
	tcp_v4_xmit(NULL, daddr, saddr, rst, sizeof(rst), 0);
}

/* tcp_v4_init_seq: the ISN of a connection, either family (RFC 6528 over
 * the 4-tuple: secure_tcp_seq for IPv4, secure_tcpv6_seq for IPv6). */
uint32_t tcp_init_seq(const struct in6_addr *laddr, const struct in6_addr *raddr, uint16_t lport,
		      uint16_t rport)
{
	if (xrt_addr_is_v4(laddr) && xrt_addr_is_v4(raddr))
		return secure_tcp_seq(xrt_addr_v4(laddr), xrt_addr_v4(raddr), lport, rport);
	return secure_tcpv6_seq(laddr, raddr, lport, rport);
}

/*
 * tcp_v4_err: an ICMPv4 error quoting one of our segments (icmp_len bytes
 * of ICMP from icmp). Only a segment still in flight counts (RFC 5927 4.1:
 * else a blind attacker could kill connections). Fragmentation Needed
 * shrinks the MSS to the path MTU icmp.c just learnt (RFC 1191 6.1,
 * tcp_v4_mtu_reduced); a hard error aborts a connection attempt (RFC 1122
 * 4.2.3.9); anything else is remembered as the soft error.
 */
void tcp_v4_err(const struct icmp_err4 *e)
{
	const uint8_t *th = e->l4;
	struct sock *sk = tcp_v6_lookup(&e->daddr, e->dport, &e->saddr, e->sport, e->ifindex);
	if (!sk || !sk->tp || !sk->connected)
		return;
	struct tcp_sock *tp = sk->tp;
	if (tp->state == TCP_LISTEN || tp->state == TCP_CLOSED || tp->state == TCP_TIME_WAIT)
		return;
	uint32_t seq = (uint32_t)th[4] << 24 | (uint32_t)th[5] << 16 | (uint32_t)th[6] << 8 | th[7];
	if (seq_lt(seq, tp->snd_una) || seq_gt(seq, tp->snd_nxt)) {
		sockstats.tcp_icmp_out_of_window++;
		return;
	}
	if (e->type == ICMP_DEST_UNREACH && e->code == ICMP_FRAG_NEEDED) {
		tcp_v6_mtu_reduced(tp);
		return;
	}
	int err;
	bool harderr = icmp_err_convert(e->type, e->code, &err);
	if (tp->state == TCP_SYN_SENT && harderr) {
		sockstats.icmp_err++;
		tcp_done(tp, err);
		return;
	}
	sk->err_soft = err;
}
