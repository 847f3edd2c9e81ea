/* xrt: ICMPv6 errors for TCP connections (tcp_v6_err, tcp_v6_mtu_reduced in the kernel's tcp_ipv6.c). */
#include <errno.h>
#include "stack/stack_internal.h"
#include "stack/sock.h"
#include "stack/sock_tcp.h"

/* tcp_v6_mtu_reduced (RFC 8201 4: the transport adjusts): the MSS follows
 * the path MTU the Packet Too Big taught route.c, and what is in flight
 * was cut for the old MSS, so it goes again in smaller segments
 * (tcp_simple_retransmit) instead of being fragmented. */
void tcp_v6_mtu_reduced(struct tcp_sock *tp)
{
	if (tp->state == TCP_LISTEN || tp->state == TCP_CLOSED || tp->state == TCP_TIME_WAIT)
		return;
	uint16_t mss = tcp_mss_for(&tp->sk->peer.sin6_addr);
	if (mss >= tp->mss)
		return;
	tp->mss = mss;
	sockstats.tcp_mtu_reduced++;
	if (tp->state == TCP_SYN_SENT || tp->state == TCP_SYN_RECV || tp->snd_nxt == tp->snd_una)
		return;
	tp->rtt_timing = false; /* Karn: the resent segments are not timed */
	tp->snd_nxt = tp->snd_una;
	tcp_write_xmit(tp);
}

static uint32_t th_seq(const uint8_t *th)
{
	return (uint32_t)th[4] << 24 | (uint32_t)th[5] << 16 | (uint32_t)th[6] << 8 | th[7];
}

/* tcp_v6_err: the connection the quoted segment belongs to, if the segment
 * is one still in flight (else a blind attacker could kill connections:
 * RFC 5927 4.1, TcpExtOutOfWindowIcmps). A hard error aborts a connection
 * in SYN_SENT (RFC 1122 4.2.3.9); any other error is recorded as soft and
 * becomes the reason if the connection later times out. */
void tcp_v6_err(const struct icmp6_err *e)
{
	const struct ip6_hdr_wire *ip6 = (const void *)e->ip6;
	if (e->off + 8 > e->len)
		return;
	const uint8_t *th = e->ip6 + e->off;
	uint16_t sport, dport;
	memcpy(&sport, th, 2);
	memcpy(&dport, th + 2, 2);
	struct sock *sk = tcp_v6_lookup(&ip6->daddr, dport, &ip6->saddr, sport, e->ifindex);
	if (!sk || !sk->tp || !sk->connected)
		return;
	struct tcp_sock *tp = sk->tp;
	if (tp->state == TCP_LISTEN || tp->state == TCP_CLOSED || tp->state == TCP_TIME_WAIT)
		return;
	uint32_t seq = th_seq(th);
	if (seq_lt(seq, tp->snd_una) || seq_gt(seq, tp->snd_nxt)) {
		sockstats.tcp_icmp_out_of_window++;
		return;
	}
	if (e->type == ICMP6_PKT_TOOBIG) {
		tcp_v6_mtu_reduced(tp);
		return;
	}
	int err;
	bool harderr = icmpv6_err_convert(e->type, e->code, &err);
	if (tp->state == TCP_SYN_SENT && harderr) {
		sockstats.icmp_err++;
		tcp_done(tp, err);
		return;
	}
	sk->err_soft = err;
}
