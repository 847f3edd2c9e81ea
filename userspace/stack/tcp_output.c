/* xrt: TCP output (tcp_transmit_skb, tcp_write_xmit, SYN, ACK, RST, retransmission of the head). */
#include <errno.h>
#include "stack/stack_internal.h"
#include "stack/request_sock.h"
#include "stack/sock_tcp.h"

#define TCP_CSUM_OFF 16
#define TCP_SYN_OPT_LEN 8 /* MSS (4) + NOP + window scale (3) */

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static int tcp_oif(const struct sock *sk)
{
	if (ip6_is_linklocal(&sk->peer.sin6_addr))
		return sk->peer.sin6_scope_id ? (int)sk->peer.sin6_scope_id : sk->bound_dev_if;
	return 0;
}

/* The window we advertise: free receive space, never moving the right edge
 * left (RFC 9293 3.8.6.2.1), scaled (RFC 7323 2.3). */
uint32_t tcp_rcv_window(struct tcp_sock *tp)
{
	uint32_t space = tp->rcvbuf ? (uint32_t)(TCP_RCVBUF - tp->rcv_len) : 0;
	uint32_t max = (uint32_t)0xffff << tp->rcv_wscale;
	if (space > max)
		space = max;
	if (seq_gt(tp->rcv_adv, tp->rcv_nxt + space))
		space = tp->rcv_adv - tp->rcv_nxt;
	return space;
}

static uint8_t seg_buf[TCP_HDR_LEN + TCP_SYN_OPT_LEN + 65536];

/* tcp_transmit_skb: one segment with data_len bytes of the send ring taken
 * from sequence seq (data_len 0: none). */
static int tcp_transmit(struct tcp_sock *tp, uint32_t seq, uint8_t flags, size_t data_len)
{
	struct sock *sk = tp->sk;
	uint8_t *th = seg_buf;
	size_t hlen = TCP_HDR_LEN;
	memcpy(th, &sk->local.sin6_port, 2);
	memcpy(th + 2, &sk->peer.sin6_port, 2);
	put32(th + 4, seq);
	put32(th + 8, (flags & TCP_ACK) ? tp->rcv_nxt : 0);
	uint32_t wnd = tcp_rcv_window(tp);
	if (flags & TCP_SYN) {
		/* RFC 9293 3.7.1 MSS; RFC 7323 2.2 window scale (offered on a
		 * SYN, answered on a SYN-ACK only if the SYN had it). */
		uint8_t *o = th + TCP_HDR_LEN;
		o[0] = TCPOPT_MSS;
		o[1] = TCPOLEN_MSS;
		put16(o + 2, tp->adv_mss);
		hlen += 4;
		if (!(flags & TCP_ACK) || tp->wscale_ok) {
			o[4] = TCPOPT_NOP;
			o[5] = TCPOPT_WINDOW;
			o[6] = TCPOLEN_WINDOW;
			o[7] = tp->rcv_wscale;
			hlen += 4;
		}
		/* RFC 7323 2.2: the window of a SYN is never scaled. */
		if (wnd > 0xffff)
			wnd = 0xffff;
		put16(th + 14, (uint16_t)wnd);
	} else {
		put16(th + 14, (uint16_t)(wnd >> tp->rcv_wscale));
		wnd = (wnd >> tp->rcv_wscale) << tp->rcv_wscale;
	}
	if (seq_gt(tp->rcv_nxt + wnd, tp->rcv_adv) || !(flags & TCP_ACK))
		tp->rcv_adv = tp->rcv_nxt + wnd;
	th[12] = (uint8_t)((hlen / 4) << 4);
	th[13] = flags;
	th[16] = th[17] = th[18] = th[19] = 0;
	if (data_len) {
		size_t pos = (tp->snd_head + (size_t)(seq - tp->snd_una)) % TCP_SNDBUF;
		size_t first = TCP_SNDBUF - pos < data_len ? TCP_SNDBUF - pos : data_len;
		memcpy(th + hlen, tp->sndbuf + pos, first);
		memcpy(th + hlen + first, tp->sndbuf, data_len - first);
	}
	sockstats.tcp_out++;
	if (flags & TCP_ACK)
		tp->ack_now = false;
	return ip6_xmit_hl(&sk->local.sin6_addr, &sk->peer.sin6_addr, NEXTHDR_TCP, seg_buf,
			   hlen + data_len, TCP_CSUM_OFF, tcp_oif(sk),
			   ip6_sk_hoplimit(sk, &sk->peer.sin6_addr));
}

void tcp_send_ack(struct tcp_sock *tp)
{
	tcp_transmit(tp, tp->snd_nxt, TCP_ACK, 0);
}

void tcp_send_syn(struct tcp_sock *tp, bool ack)
{
	tcp_transmit(tp, tp->iss, TCP_SYN | (ack ? TCP_ACK : 0), 0);
	if (seq_le(tp->snd_max, tp->iss))
		tp->snd_max = tp->snd_nxt = tp->iss + 1;
	if (!tp->rtx_due)
		tcp_rearm_rtx(tp);
}

void tcp_send_active_reset(struct tcp_sock *tp)
{
	sockstats.tcp_rst_out++;
	tcp_transmit(tp, tp->snd_nxt, TCP_RST | TCP_ACK, 0);
}

/* The first sequence number after the data in the send ring. */
static uint32_t tcp_data_end(const struct tcp_sock *tp)
{
	return tp->snd_una + (uint32_t)tp->snd_len;
}

static void tcp_fin_sent(struct tcp_sock *tp, uint32_t seq)
{
	if (!tp->fin_sent) {
		tp->fin_sent = true;
		tp->fin_seq_out = seq;
	}
	if (tp->state == TCP_ESTABLISHED)
		tcp_set_state(tp, TCP_FIN_WAIT1);
	else if (tp->state == TCP_CLOSE_WAIT)
		tcp_set_state(tp, TCP_LAST_ACK);
}

/* tcp_write_xmit: new data (and the FIN) as far as the peer's window and
 * the congestion window allow. Sender-side silly window avoidance (RFC 9293
 * 3.8.6.2.1): a segment shorter than the MSS leaves only when it carries
 * everything queued or nothing is in flight. */
void tcp_write_xmit(struct tcp_sock *tp)
{
	switch (tp->state) {
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
	case TCP_FIN_WAIT1:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		break;
	default:
		/* No data in these states, but an ACK may be owed (the
		 * peer's FIN in FIN_WAIT2 / TIME_WAIT). */
		if (tp->ack_now && tp->state != TCP_CLOSED && tp->state != TCP_LISTEN)
			tcp_send_ack(tp);
		return;
	}
	uint32_t data_end = tcp_data_end(tp);
	for (unsigned guard = 0; guard < 4096; guard++) {
		uint32_t in_flight = tp->snd_nxt - tp->snd_una;
		uint32_t wnd = tp->snd_wnd < tp->cwnd ? tp->snd_wnd : tp->cwnd;
		uint32_t usable = wnd > in_flight ? wnd - in_flight : 0;
		if (seq_lt(tp->snd_nxt, data_end)) {
			uint32_t avail = data_end - tp->snd_nxt;
			uint32_t seg = avail < tp->mss ? avail : tp->mss;
			if (seg > usable)
				seg = usable;
			if (!seg)
				break;
			if (seg < tp->mss && seg < avail && in_flight)
				break;
			bool fin = tp->fin_queued && seg == avail;
			bool rexmit = seq_lt(tp->snd_nxt, tp->snd_max);
			uint8_t flags = TCP_ACK | (seg == avail ? TCP_PSH : 0) | (fin ? TCP_FIN : 0);
			if (!rexmit && !tp->rtt_timing) {
				tp->rtt_timing = true;
				tp->rtt_seq = tp->snd_nxt + seg;
				tp->rtt_start = stack_now();
			}
			if (rexmit)
				sockstats.tcp_retrans++;
			tcp_transmit(tp, tp->snd_nxt, flags, seg);
			tp->snd_nxt += seg + (fin ? 1 : 0);
			if (seq_gt(tp->snd_nxt, tp->snd_max))
				tp->snd_max = tp->snd_nxt;
			if (fin)
				tcp_fin_sent(tp, tp->snd_nxt - 1);
			continue;
		}
		/* The FIN: first time, or again after going back (RTO). */
		if (tp->fin_queued && tp->snd_nxt == data_end &&
		    (!tp->fin_sent || seq_lt(tp->snd_nxt, tp->snd_max))) {
			tcp_transmit(tp, tp->snd_nxt, TCP_ACK | TCP_FIN, 0);
			tcp_fin_sent(tp, tp->snd_nxt);
			tp->snd_nxt++;
			if (seq_gt(tp->snd_nxt, tp->snd_max))
				tp->snd_max = tp->snd_nxt;
		}
		break;
	}
	if (tp->ack_now)
		tcp_send_ack(tp);
	/* Something in flight, or data held back by a zero window (the
	 * persist timer, RFC 9293 3.8.6.1): the retransmission timer runs. */
	if (!tp->rtx_due && (tp->snd_nxt != tp->snd_una || seq_lt(tp->snd_nxt, data_end)))
		tcp_rearm_rtx(tp);
}

/* Retransmit the first unacknowledged segment (fast retransmit, RTO). */
void tcp_retransmit_head(struct tcp_sock *tp)
{
	tp->rtt_timing = false; /* Karn: never time a retransmitted segment */
	if (tp->state == TCP_SYN_SENT || tp->state == TCP_SYN_RECV) {
		tp->syn_retransmitted = true;
		sockstats.tcp_retrans++;
		sockstats.tcp_synack_retrans++; /* TCPSynRetrans: SYNs and SYN-ACKs */
		tcp_send_syn(tp, tp->state == TCP_SYN_RECV);
		return;
	}
	uint32_t data_end = tcp_data_end(tp);
	uint32_t sent_end = seq_lt(tp->snd_max, data_end) ? tp->snd_max : data_end;
	uint32_t seg = sent_end - tp->snd_una;
	if (seg > tp->mss)
		seg = tp->mss;
	if (!seg && tp->snd_len && tp->snd_wnd == 0) {
		/* Zero-window probe: one byte beyond the window. */
		seg = 1;
	}
	bool fin = tp->fin_sent && tp->snd_una + seg == tp->fin_seq_out &&
		   seq_gt(tp->snd_max, tp->fin_seq_out);
	if (!seg && !fin)
		return;
	sockstats.tcp_retrans++;
	tcp_transmit(tp, tp->snd_una, TCP_ACK | (fin ? TCP_FIN : 0), seg);
	uint32_t end = tp->snd_una + seg + (fin ? 1 : 0);
	if (seq_gt(end, tp->snd_nxt))
		tp->snd_nxt = end;
	if (seq_gt(end, tp->snd_max))
		tp->snd_max = end;
}

/* tcp_v6_send_synack: built from the request alone (no socket exists yet):
 * MSS (RFC 9293 3.7.1), window scale only if the SYN offered it (RFC 7323
 * 1.3), the unscaled window (RFC 7323 2.2). */
void tcp_v6_send_synack(const struct request_sock *req)
{
	uint8_t th[TCP_HDR_LEN + TCP_SYN_OPT_LEN] = { 0 };
	size_t hlen = TCP_HDR_LEN + 4;
	memcpy(th, &req->loc_port, 2);
	memcpy(th + 2, &req->rmt_port, 2);
	put32(th + 4, req->snt_isn);
	put32(th + 8, req->rcv_isn + 1);
	uint8_t *o = th + TCP_HDR_LEN;
	o[0] = TCPOPT_MSS;
	o[1] = TCPOLEN_MSS;
	put16(o + 2, req->adv_mss);
	if (req->wscale_ok) {
		o[4] = TCPOPT_NOP;
		o[5] = TCPOPT_WINDOW;
		o[6] = TCPOLEN_WINDOW;
		o[7] = req->rcv_wscale;
		hlen += 4;
	}
	th[12] = (uint8_t)((hlen / 4) << 4);
	th[13] = TCP_SYN | TCP_ACK;
	put16(th + 14, TCP_SYNACK_WINDOW);
	sockstats.tcp_out++;
	ip6_xmit(&req->loc_addr, &req->rmt_addr, NEXTHDR_TCP, th, hlen, TCP_CSUM_OFF,
		 ip6_is_linklocal(&req->rmt_addr) ? req->ifindex : 0);
}

/* RFC 9293 3.10.7.1: the reset for a segment no connection takes. */
void tcp_v6_send_reset(const struct in6_addr *saddr, const struct in6_addr *daddr,
		       const uint8_t *th, size_t seg_len, int ifindex)
{
	uint8_t rst[TCP_HDR_LEN];
	tcp_build_reset(rst, th, seg_len);
	sockstats.tcp_rst_out++;
	ip6_xmit(daddr, saddr, NEXTHDR_TCP, rst, sizeof(rst), TCP_CSUM_OFF,
		 ip6_is_linklocal(saddr) ? ifindex : 0);
}

/* The reset's header for either family (checksum left to the caller). */
void tcp_build_reset(uint8_t rst[TCP_HDR_LEN], const uint8_t *th, size_t seg_len)
{
	memset(rst, 0, TCP_HDR_LEN);
	memcpy(rst, th + 2, 2);
	memcpy(rst + 2, th, 2);
	uint8_t flags = th[13];
	if (flags & TCP_ACK) {
		memcpy(rst + 4, th + 8, 4);
		rst[13] = TCP_RST;
	} else {
		uint32_t seq = (uint32_t)th[4] << 24 | (uint32_t)th[5] << 16 |
			       (uint32_t)th[6] << 8 | th[7];
		seq += (uint32_t)seg_len + ((flags & TCP_SYN) ? 1 : 0) + ((flags & TCP_FIN) ? 1 : 0);
		put32(rst + 8, seq);
		rst[13] = TCP_RST | TCP_ACK;
	}
	rst[12] = (TCP_HDR_LEN / 4) << 4;
}
