/* xrt: TCP output (tcp_transmit_skb, tcp_write_xmit, SYN, ACK, RST, retransmission of the head). */
#include <errno.h>
#include "stack/stack_internal.h"
#include "stack/request_sock.h"
#include "stack/sock_tcp.h"

#define TCP_MAX_OPT_LEN 40 /* RFC 9293 3.1: data offset 15 words */

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

static uint8_t seg_buf[TCP_HDR_LEN + TCP_MAX_OPT_LEN + 65536];

uint32_t tcp_time_stamp(const struct tcp_sock *tp)
{
	return (uint32_t)(stack_now() / NSEC_PER_MSEC) + tp->ts_off;
}

/* What tcp_options_write puts after the header (tcp_syn_options,
 * tcp_synack_options, tcp_established_options). */
struct tcp_out_options {
	int mss;      /* -1: none */
	int wscale;   /* -1: none */
	bool sack_perm, tstamp;
	uint32_t tsval, tsecr;
	const struct tcp_seq_range *sacks;
	unsigned nsacks;
};

/* tcp_options_write, in the kernel's order and alignment: MSS; SACK
 * permitted folded with the timestamp (RFC 7323 appendix A); window scale;
 * SACK blocks (RFC 2018 3). Returns the bytes written (a multiple of 4). */
static size_t tcp_options_write(uint8_t *o, const struct tcp_out_options *opts)
{
	size_t n = 0;
	if (opts->mss >= 0) {
		o[n++] = TCPOPT_MSS;
		o[n++] = TCPOLEN_MSS;
		put16(o + n, (uint16_t)opts->mss);
		n += 2;
	}
	if (opts->tstamp) {
		if (opts->sack_perm) {
			o[n++] = TCPOPT_SACK_PERM;
			o[n++] = TCPOLEN_SACK_PERM;
		} else {
			o[n++] = TCPOPT_NOP;
			o[n++] = TCPOPT_NOP;
		}
		o[n++] = TCPOPT_TIMESTAMP;
		o[n++] = TCPOLEN_TIMESTAMP;
		put32(o + n, opts->tsval);
		put32(o + n + 4, opts->tsecr);
		n += 8;
	} else if (opts->sack_perm) {
		o[n++] = TCPOPT_NOP;
		o[n++] = TCPOPT_NOP;
		o[n++] = TCPOPT_SACK_PERM;
		o[n++] = TCPOLEN_SACK_PERM;
	}
	if (opts->wscale >= 0) {
		o[n++] = TCPOPT_NOP;
		o[n++] = TCPOPT_WINDOW;
		o[n++] = TCPOLEN_WINDOW;
		o[n++] = (uint8_t)opts->wscale;
	}
	if (opts->nsacks) {
		o[n++] = TCPOPT_NOP;
		o[n++] = TCPOPT_NOP;
		o[n++] = TCPOPT_SACK;
		o[n++] = (uint8_t)(TCPOLEN_SACK_BASE + opts->nsacks * TCPOLEN_SACK_PERBLOCK);
		for (unsigned i = 0; i < opts->nsacks; i++) {
			put32(o + n, opts->sacks[i].start);
			put32(o + n + 4, opts->sacks[i].end);
			n += TCPOLEN_SACK_PERBLOCK;
		}
	}
	return n;
}

/* tcp_transmit_skb: one segment with data_len bytes of the send ring taken
 * from sequence seq (data_len 0: none). */
static int tcp_transmit(struct tcp_sock *tp, uint32_t seq, uint8_t flags, size_t data_len)
{
	struct sock *sk = tp->sk;
	uint8_t *th = seg_buf;
	struct tcp_out_options opts = { .mss = -1, .wscale = -1 };
	memcpy(th, &sk->local.sin6_port, 2);
	memcpy(th + 2, &sk->peer.sin6_port, 2);
	put32(th + 4, seq);
	put32(th + 8, (flags & TCP_ACK) ? tp->rcv_nxt : 0);
	uint32_t wnd = tcp_rcv_window(tp);
	/* RFC 7323 3.2: every segment once both SYNs carried a timestamp
	 * (a SYN offers it; TSecr of our first SYN is 0). */
	bool syn_offer = (flags & TCP_SYN) && !(flags & TCP_ACK);
	if ((flags & TCP_SYN) ? syn_offer || tp->tstamp_ok : tp->tstamp_ok) {
		opts.tstamp = !(flags & TCP_RST);
		opts.tsval = tcp_time_stamp(tp);
		opts.tsecr = syn_offer ? 0 : tp->ts_recent;
	}
	if (flags & TCP_SYN) {
		/* RFC 9293 3.7.1 MSS; RFC 7323 2.2 window scale and RFC 2018
		 * 2 SACK permitted (offered on a SYN, answered on a SYN-ACK
		 * only if the SYN had them). */
		opts.mss = tp->adv_mss;
		if (syn_offer || tp->wscale_ok)
			opts.wscale = tp->rcv_wscale;
		opts.sack_perm = syn_offer || tp->sack_ok;
		/* RFC 7323 2.2: the window of a SYN is never scaled. */
		if (wnd > 0xffff)
			wnd = 0xffff;
		put16(th + 14, (uint16_t)wnd);
	} else {
		put16(th + 14, (uint16_t)(wnd >> tp->rcv_wscale));
		wnd = (wnd >> tp->rcv_wscale) << tp->rcv_wscale;
		/* RFC 2018 4: the blocks of out-of-order data, most recent
		 * first (ooo[] keeps that order). */
		if (tp->sack_ok && (flags & TCP_ACK) && !(flags & TCP_RST)) {
			unsigned max = opts.tstamp ? TCP_NUM_SACKS_TS : TCP_NUM_SACKS;
			opts.sacks = tp->ooo;
			opts.nsacks = tp->nooo < max ? tp->nooo : max;
		}
	}
	if (seq_gt(tp->rcv_nxt + wnd, tp->rcv_adv) || !(flags & TCP_ACK))
		tp->rcv_adv = tp->rcv_nxt + wnd;
	size_t hlen = TCP_HDR_LEN + tcp_options_write(th + TCP_HDR_LEN, &opts);
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
	if (flags & TCP_ACK) {
		/* tcp_event_ack_sent: whatever was owed is acknowledged. */
		tp->ack_now = false;
		tp->delack_due = 0;
		tp->last_ack_sent = tp->rcv_nxt;
	}
	if (xrt_addr_is_v4(&sk->peer.sin6_addr))
		return tcp_v4_xmit(sk, &sk->local.sin6_addr, &sk->peer.sin6_addr, seg_buf,
				   hlen + data_len, 0);
	return ip6_xmit_sk(sk, &sk->local.sin6_addr, &sk->peer.sin6_addr, NEXTHDR_TCP, seg_buf,
			   hlen + data_len, TCP_CSUM_OFF, tcp_oif(sk));
}

/* tcp_send_delayed_ack (RFC 9293 3.8.6.3, RFC 1122 4.2.3.2): an ACK
 * at once when more than one full segment is unacknowledged (so every
 * second one), else within the delayed-ACK time. */
void tcp_send_delayed_ack(struct tcp_sock *tp)
{
	if (tp->rcv_nxt - tp->last_ack_sent > tp->rcv_mss) {
		tp->ack_now = true;
		return;
	}
	if (!tp->delack_due)
		tp->delack_due = stack_now() + (uint64_t)TCP_DELACK_MIN_MS * NSEC_PER_MSEC;
}

/* tcp_xmit_probe_skb: SND.UNA - 1 with no data draws an ACK from a live
 * peer (RFC 1122 4.2.3.6; RFC 9293 3.8.4). */
void tcp_send_keepalive_probe(struct tcp_sock *tp)
{
	sockstats.tcp_keepalive++;
	tcp_transmit(tp, tp->snd_una - 1, TCP_ACK, 0);
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

/* tcp_current_mss: the peer's MSS less the options every segment carries
 * (RFC 6691 2), capped by TCP_MAXSEG. */
static uint32_t tcp_current_mss(const struct tcp_sock *tp)
{
	uint32_t mss = tp->mss;
	if (tp->opt.user_mss && tp->opt.user_mss < mss)
		mss = tp->opt.user_mss;
	if (tp->tstamp_ok)
		mss -= TCPOLEN_TSTAMP_ALIGNED;
	return mss;
}

/* The SACKed range holding seq (tcp_sacktag_write_queue's marks), NULL if
 * seq is not SACKed. */
static const struct tcp_seq_range *tcp_sacked_at(const struct tcp_sock *tp, uint32_t seq)
{
	for (unsigned i = 0; i < tp->nsacked; i++)
		if (seq_ge(seq, tp->sacked[i].start) && seq_lt(seq, tp->sacked[i].end))
			return &tp->sacked[i];
	return NULL;
}

/* Bytes from seq to the next SACKed range (or limit). */
static uint32_t tcp_unsacked_run(const struct tcp_sock *tp, uint32_t seq, uint32_t limit)
{
	uint32_t end = limit;
	for (unsigned i = 0; i < tp->nsacked; i++)
		if (seq_gt(tp->sacked[i].start, seq) && seq_lt(tp->sacked[i].start, end))
			end = tp->sacked[i].start;
	return end - seq;
}

/* tcp_schedule_loss_probe (RFC 8985 7.2): PTO = 2 SRTT (plus the
 * delayed-ACK time with one segment out), at least TCP_TLP_MIN_MS, never
 * beyond the retransmission timer; once per flight, not in recovery. */
static void tcp_schedule_loss_probe(struct tcp_sock *tp)
{
	if (tp->tlp_due || tp->tlp_sent || tp->in_recovery || !tp->rtt_valid ||
	    tp->snd_max == tp->snd_una || !tp->rtx_due)
		return;
	uint64_t pto = 2 * tp->srtt;
	if (tp->snd_max - tp->snd_una <= tcp_current_mss(tp))
		pto += (uint64_t)TCP_DELACK_MAX_MS * NSEC_PER_MSEC;
	if (pto < (uint64_t)TCP_TLP_MIN_MS * NSEC_PER_MSEC)
		pto = (uint64_t)TCP_TLP_MIN_MS * NSEC_PER_MSEC;
	uint64_t due = stack_now() + pto;
	if (due < tp->rtx_due)
		tp->tlp_due = due;
}

void tcp_send_loss_probe(struct tcp_sock *tp)
{
	tp->tlp_due = 0;
	if (tp->tlp_sent || tp->in_recovery || tp->snd_max == tp->snd_una ||
	    tp->state < TCP_ESTABLISHED || tp->state == TCP_TIME_WAIT)
		return;
	uint32_t data_end = tcp_data_end(tp);
	uint32_t end = seq_lt(tp->snd_max, data_end) ? tp->snd_max : data_end;
	uint32_t len = end - tp->snd_una, mss = tcp_current_mss(tp);
	if (len > mss)
		len = mss;
	bool fin = tp->fin_sent && end == tp->fin_seq_out && seq_gt(tp->snd_max, tp->fin_seq_out);
	tp->tlp_sent = true;
	tp->rtt_timing = false; /* Karn */
	sockstats.tcp_loss_probes++;
	sockstats.tcp_retrans++;
	tp->total_retrans++;
	tcp_transmit(tp, end - len, TCP_ACK | (fin ? TCP_FIN : 0), len);
}

/* tcp_nagle_check with Minshall's variant (RFC 896; the kernel's
 * tcp_minshall_check): a short segment waits while an earlier short one
 * is unacknowledged, unless TCP_NODELAY or it carries the FIN. */
static bool tcp_nagle_holds(const struct tcp_sock *tp, uint32_t seg, uint32_t mss, bool fin)
{
	return seg < mss && !tp->opt.nodelay && !fin && tp->snd_nxt != tp->snd_una &&
	       seq_gt(tp->snd_sml, tp->snd_una);
}

/* TCP_CORK (the kernel's TCP_NAGLE_CORK in tcp_nagle_check): a short
 * segment waits for more data, at most TCP_CORK_MAX_MS (cork_due, run by
 * tcp_timers_run, which pushes it out). */
static bool tcp_cork_holds(struct tcp_sock *tp, uint32_t seg, uint32_t mss, bool fin)
{
	if (!tp->opt.cork || seg >= mss || fin)
		return false;
	uint64_t now = stack_now();
	if (!tp->cork_due)
		tp->cork_due = now + (uint64_t)TCP_CORK_MAX_MS * NSEC_PER_MSEC;
	return now < tp->cork_due;
}

/* tcp_write_xmit: new data (and the FIN) as far as the peer's window and
 * the congestion window allow. Sender-side silly window avoidance (RFC 9293
 * 3.8.6.2.1): a segment shorter than the MSS leaves only when it carries
 * everything queued or nothing is in flight; Nagle on top. After a timeout
 * (snd_nxt gone back) the SACKed ranges are skipped, as the kernel only
 * retransmits what tcp_mark_head_lost left unSACKed. */
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
	uint32_t mss = tcp_current_mss(tp);
	for (unsigned guard = 0; guard < 4096; guard++) {
		bool rexmit = seq_lt(tp->snd_nxt, tp->snd_max);
		const struct tcp_seq_range *sacked = rexmit ? tcp_sacked_at(tp, tp->snd_nxt) : NULL;
		if (sacked) {
			tp->snd_nxt = sacked->end;
			continue;
		}
		uint32_t in_flight = tp->snd_nxt - tp->snd_una;
		uint32_t wnd = tp->snd_wnd < tp->cwnd ? tp->snd_wnd : tp->cwnd;
		uint32_t usable = wnd > in_flight ? wnd - in_flight : 0;
		if (seq_lt(tp->snd_nxt, data_end)) {
			uint32_t avail = data_end - tp->snd_nxt;
			uint32_t seg = avail < mss ? avail : mss;
			if (rexmit)
				seg = tcp_unsacked_run(tp, tp->snd_nxt, tp->snd_nxt + seg);
			if (seg > usable)
				seg = usable;
			if (!seg)
				break;
			bool fin = tp->fin_queued && seg == avail;
			if (seg < mss && seg < avail && in_flight && !rexmit)
				break;
			if (!rexmit && (tcp_cork_holds(tp, seg, mss, fin) ||
					tcp_nagle_holds(tp, seg, mss, fin)))
				break;
			if (seg < mss)
				tp->cork_due = 0; /* what was corked leaves now */
			uint8_t flags = TCP_ACK | (seg == avail ? TCP_PSH : 0) | (fin ? TCP_FIN : 0);
			if (!rexmit && !tp->rtt_timing) {
				tp->rtt_timing = true;
				tp->rtt_seq = tp->snd_nxt + seg;
				tp->rtt_start = stack_now();
			}
			if (rexmit) {
				sockstats.tcp_retrans++;
				tp->total_retrans++;
			}
			tcp_transmit(tp, tp->snd_nxt, flags, seg);
			tp->snd_nxt += seg + (fin ? 1 : 0);
			if (seg < mss)
				tp->snd_sml = tp->snd_nxt; /* tcp_minshall_update */
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
	tcp_schedule_loss_probe(tp);
}

/* Retransmit the first unacknowledged segment (fast retransmit, RTO). */
void tcp_retransmit_head(struct tcp_sock *tp)
{
	tp->rtt_timing = false; /* Karn: never time a retransmitted segment */
	if (tp->state == TCP_SYN_SENT || tp->state == TCP_SYN_RECV) {
		tp->syn_retransmitted = true;
		sockstats.tcp_retrans++;
		sockstats.tcp_synack_retrans++; /* TCPSynRetrans: SYNs and SYN-ACKs */
		tp->total_retrans++;
		tcp_send_syn(tp, tp->state == TCP_SYN_RECV);
		return;
	}
	uint32_t data_end = tcp_data_end(tp);
	uint32_t sent_end = seq_lt(tp->snd_max, data_end) ? tp->snd_max : data_end;
	uint32_t seg = sent_end - tp->snd_una;
	uint32_t mss = tcp_current_mss(tp);
	if (seg > mss)
		seg = mss;
	if (seg)
		seg = tcp_unsacked_run(tp, tp->snd_una, tp->snd_una + seg);
	if (!seg && tp->snd_len && tp->snd_wnd == 0) {
		/* Zero-window probe: one byte beyond the window. */
		seg = 1;
	}
	bool fin = tp->fin_sent && tp->snd_una + seg == tp->fin_seq_out &&
		   seq_gt(tp->snd_max, tp->fin_seq_out);
	if (!seg && !fin)
		return;
	sockstats.tcp_retrans++;
	tp->total_retrans++;
	tcp_transmit(tp, tp->snd_una, TCP_ACK | (fin ? TCP_FIN : 0), seg);
	uint32_t end = tp->snd_una + seg + (fin ? 1 : 0);
	if (seq_gt(end, tp->snd_nxt))
		tp->snd_nxt = end;
	if (seq_gt(end, tp->snd_max))
		tp->snd_max = end;
	if (seq_gt(end, tp->high_rxt))
		tp->high_rxt = end;
}

/* RFC 6675 5 (NextSeg (1), then the retransmission of step (C)): the
 * first byte past max(SND.UNA, HighRxt) that is not SACKed and lies below
 * the highest SACKed sequence is taken as lost (tcp_mark_head_lost) and
 * sent again, at most one segment. False when no such hole is left. */
bool tcp_sack_retransmit_hole(struct tcp_sock *tp)
{
	if (!tp->sack_ok || !tp->nsacked)
		return false;
	uint32_t high_sacked = tp->sacked[0].end;
	for (unsigned i = 1; i < tp->nsacked; i++)
		if (seq_gt(tp->sacked[i].end, high_sacked))
			high_sacked = tp->sacked[i].end;
	uint32_t seq = seq_gt(tp->high_rxt, tp->snd_una) ? tp->high_rxt : tp->snd_una;
	for (const struct tcp_seq_range *r; (r = tcp_sacked_at(tp, seq));)
		seq = r->end;
	uint32_t data_end = tcp_data_end(tp);
	if (seq_gt(high_sacked, data_end))
		high_sacked = data_end;
	if (!seq_lt(seq, high_sacked))
		return false;
	uint32_t mss = tcp_current_mss(tp);
	uint32_t seg = tcp_unsacked_run(tp, seq, high_sacked);
	if (seg > mss)
		seg = mss;
	tp->rtt_timing = false; /* Karn */
	sockstats.tcp_retrans++;
	sockstats.tcp_sack_retrans++;
	tp->total_retrans++;
	tcp_transmit(tp, seq, TCP_ACK, seg);
	tp->high_rxt = seq + seg;
	if (seq_gt(tp->high_rxt, tp->snd_nxt))
		tp->snd_nxt = tp->high_rxt;
	return true;
}

/* tcp_v6_send_synack: built from the request alone (no socket exists yet):
 * MSS (RFC 9293 3.7.1), window scale only if the SYN offered it (RFC 7323
 * 1.3), the unscaled window (RFC 7323 2.2). */
void tcp_v6_send_synack(const struct request_sock *req)
{
	uint8_t th[TCP_HDR_LEN + TCP_MAX_OPT_LEN] = { 0 };
	memcpy(th, &req->loc_port, 2);
	memcpy(th + 2, &req->rmt_port, 2);
	put32(th + 4, req->snt_isn);
	put32(th + 8, req->rcv_isn + 1);
	/* tcp_synack_options: only what the SYN offered (RFC 2018 2, RFC
	 * 7323 1.3 and 3.2). */
	struct tcp_out_options opts = {
		.mss = req->adv_mss, .wscale = req->wscale_ok ? req->rcv_wscale : -1,
		.sack_perm = req->sack_ok, .tstamp = req->tstamp_ok,
		.tsval = (uint32_t)(stack_now() / NSEC_PER_MSEC) + req->ts_off,
		.tsecr = req->ts_recent,
	};
	size_t hlen = TCP_HDR_LEN + tcp_options_write(th + TCP_HDR_LEN, &opts);
	th[12] = (uint8_t)((hlen / 4) << 4);
	th[13] = TCP_SYN | TCP_ACK;
	put16(th + 14, TCP_SYNACK_WINDOW);
	sockstats.tcp_out++;
	if (xrt_addr_is_v4(&req->rmt_addr))
		tcp_v4_xmit(NULL, &req->loc_addr, &req->rmt_addr, th, hlen, 0);
	else
		ip6_xmit(&req->loc_addr, &req->rmt_addr, NEXTHDR_TCP, th, hlen, TCP_CSUM_OFF,
			 ip6_is_linklocal(&req->rmt_addr) ? req->ifindex : 0);
}

/* RFC 9293 3.10.7.1: the reset for a segment no connection takes, in
 * the family it came in. */
void tcp_send_reset(const struct in6_addr *saddr, const struct in6_addr *daddr,
		    const uint8_t *th, size_t seg_len, int ifindex)
{
	if (xrt_addr_is_v4(saddr))
		tcp_v4_send_reset(saddr, daddr, th, seg_len);
	else
		tcp_v6_send_reset(saddr, daddr, th, seg_len, ifindex);
}

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
