/* xrt: TCP input (tcp_v6_rcv, tcp_rcv_state_process): RFC 9293 3.10.7 segment arrival, RFC 5681 / 6582 ACK processing. */
#include <errno.h>
#include "stack/stack_internal.h"
#include "stack/request_sock.h"
#include "stack/secure_seq.h"
#include "stack/sock_tcp.h"
#include "stack/syncookies.h"

int sysctl_tcp_syncookies = TCP_SYNCOOKIES_DEFAULT;

int stack_tcp_syncookies_set(int mode)
{
	if (mode < 0 || mode > 2)
		return -EINVAL;
	sysctl_tcp_syncookies = mode;
	return 0;
}

int stack_tcp_syncookies_get(void)
{
	return sysctl_tcp_syncookies;
}

/* A parsed segment. */
struct tcp_seg {
	uint32_t seq, ack;
	uint8_t flags;
	uint32_t wnd;         /* raw window field */
	const uint8_t *data;
	uint32_t len;         /* data bytes */
	bool has_mss, has_ws, sack_perm, has_ts;
	uint16_t mss;
	uint8_t ws;
	uint32_t tsval, tsecr;                         /* RFC 7323 3.2 */
	struct tcp_seq_range sacks[TCP_NUM_SACKS];     /* RFC 2018 3 */
	unsigned nsacks;
	const uint8_t *th;
	size_t seg_len;       /* data bytes as sent, for resets */
};

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* tcp_parse_options (RFC 9293 3.2): a malformed list ends the walk; MSS,
 * window scale and SACK permitted count only on a SYN (RFC 7323 2.2,
 * RFC 2018 2), the timestamp and SACK blocks on any segment. */
static void tcp_parse_options(const uint8_t *opt, size_t len, struct tcp_seg *s)
{
	bool syn = s->flags & TCP_SYN;
	size_t i = 0;
	while (i < len) {
		uint8_t kind = opt[i];
		if (kind == TCPOPT_EOL)
			return;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len || opt[i + 1] < 2 || i + opt[i + 1] > len)
			return;
		uint8_t olen = opt[i + 1];
		if (kind == TCPOPT_TIMESTAMP && olen == TCPOLEN_TIMESTAMP) {
			s->has_ts = true;
			s->tsval = get32(opt + i + 2);
			s->tsecr = get32(opt + i + 6);
		} else if (kind == TCPOPT_SACK && !syn && olen >= TCPOLEN_SACK_BASE + TCPOLEN_SACK_PERBLOCK &&
			   (olen - TCPOLEN_SACK_BASE) % TCPOLEN_SACK_PERBLOCK == 0) {
			unsigned n = (olen - TCPOLEN_SACK_BASE) / TCPOLEN_SACK_PERBLOCK;
			for (unsigned b = 0; b < n && s->nsacks < TCP_NUM_SACKS; b++) {
				const uint8_t *blk = opt + i + TCPOLEN_SACK_BASE + b * TCPOLEN_SACK_PERBLOCK;
				s->sacks[s->nsacks++] = (struct tcp_seq_range){ get32(blk), get32(blk + 4) };
			}
		} else if (kind == TCPOPT_SACK_PERM && syn && olen == TCPOLEN_SACK_PERM) {
			s->sack_perm = true;
		} else if (!syn) {
			/* MSS and window scale mean nothing after the SYN. */
		} else if (kind == TCPOPT_MSS && olen == TCPOLEN_MSS) {
			s->has_mss = true;
			s->mss = (uint16_t)(opt[i + 2] << 8 | opt[i + 3]);
		} else if (kind == TCPOPT_WINDOW && olen == TCPOLEN_WINDOW) {
			s->has_ws = true;
			/* RFC 7323 2.3: larger than 14 is used as 14. */
			s->ws = opt[i + 2] > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : opt[i + 2];
		}
		i += olen;
	}
}

/* The established (or closing) socket of the 4-tuple, else a listener. */
struct sock *tcp_v6_lookup(const struct in6_addr *saddr, uint16_t sport,
				  const struct in6_addr *daddr, uint16_t dport, int ifindex)
{
	struct sock *listener = NULL;
	for (struct sock *sk = sk_first(); sk; sk = sk_next(sk)) {
		if (!sk->tp || sk->local.sin6_port != dport || !sk_family_ok(sk, daddr))
			continue;
		if (sk->tp->state == TCP_LISTEN) {
			if ((ip6_is_unspec(&sk->local.sin6_addr) ||
			     ip6_eq(&sk->local.sin6_addr, daddr)) &&
			    (!sk->bound_dev_if || sk->bound_dev_if == ifindex) &&
			    (!listener || ip6_is_unspec(&listener->local.sin6_addr)))
				listener = sk;
			continue;
		}
		if (sk->connected && sk->peer.sin6_port == sport &&
		    ip6_eq(&sk->peer.sin6_addr, saddr) && ip6_eq(&sk->local.sin6_addr, daddr) &&
		    (!sk->bound_dev_if || sk->bound_dev_if == ifindex) &&
		    sk->tp->state != TCP_CLOSED)
			return sk;
	}
	return listener;
}

/* Negotiated send MSS and window scale from a SYN (RFC 9293 3.7.1,
 * RFC 7323 1.3: scaling only when both SYNs carried the option). */
static void tcp_syn_options(struct tcp_sock *tp, const struct tcp_seg *s)
{
	uint16_t mss = s->has_mss ? s->mss : tcp_default_peer_mss(&tp->sk->peer.sin6_addr);
	uint16_t own = tcp_mss_for(&tp->sk->peer.sin6_addr);
	tp->mss = mss < own ? mss : own;
	if (tp->mss < 64)
		tp->mss = 64; /* never a degenerate MSS from a hostile peer */
	tp->wscale_ok = s->has_ws;
	tp->snd_wscale = s->has_ws ? s->ws : 0;
	if (!s->has_ws)
		tp->rcv_wscale = 0;
	/* RFC 2018 2 / RFC 7323 3.2: on only when both SYNs had them. */
	tp->sack_ok = s->sack_perm;
	tp->tstamp_ok = s->has_ts;
	if (s->has_ts) {
		tp->ts_recent = s->tsval;
		tp->ts_recent_stamp = stack_now();
	}
	/* RFC 6928: initial window of 10 segments (as Linux). */
	tp->cwnd = 10u * tp->mss;
}

static void sk_readable(struct sock *sk)
{
	if (sk->owner && sk->owner->readable)
		sk->owner->readable(sk);
}

static void sk_writable(struct sock *sk)
{
	if (sk->owner && sk->owner->writable)
		sk->owner->writable(sk);
}

static void sk_state_changed(struct sock *sk)
{
	if (sk->owner && sk->owner->state_change)
		sk->owner->state_change(sk);
}

static void tcp_rcv_state_process(struct tcp_sock *tp, struct tcp_seg *s,
				  const struct tcp_addrs *ta, int ifindex);

/* The request's negotiated send MSS: the peer's option (RFC 9293 3.7.1
 * default without one) capped by our route, never degenerate. */
static uint16_t tcp_req_mss(uint16_t peer_mss, uint16_t own)
{
	uint16_t mss = peer_mss < own ? peer_mss : own;
	return mss < 64 ? 64 : mss; /* never a degenerate MSS from a hostile peer */
}

/* tcp_synq_overflow / tcp_synq_no_recent_overflow: cookies are only
 * checked shortly after the listener had to send some. */
static void tcp_synq_overflow(struct tcp_sock *ltp)
{
	ltp->synq_overflowed = true;
	ltp->synq_overflow_ns = stack_now();
}

static bool tcp_synq_no_recent_overflow(const struct tcp_sock *ltp)
{
	return !ltp->synq_overflowed ||
	       stack_now() - ltp->synq_overflow_ns > TCP_SYNCOOKIE_VALID_SEC * NSEC_PER_SEC;
}

/* The child made from a request takes the segment that completed the
 * handshake (its ACK, maybe data and FIN) as any SYN_RECV socket would. */
static void tcp_child_process(struct sock *child, struct tcp_seg *s,
			      const struct tcp_addrs *ta, int ifindex)
{
	struct tcp_sock *tp = child->tp;
	tcp_rcv_state_process(tp, s, ta, ifindex);
	if (child->in_use && child->tp == tp && tp->state == TCP_SYN_RECV)
		tcp_done(tp, 0); /* not established after all: no half-made child */
}

/* tcp_conn_request (RFC 9293 3.10.7.2, RFC 4987 3.6): a SYN on a listener.
 * A request mini-socket while the listener's queue has room; when it is
 * full, a SYN cookie (or, with cookies off, the SYN is dropped). */
static void tcp_conn_request(struct sock *lsk, const struct tcp_seg *s,
			     const struct tcp_addrs *ta, int ifindex, uint16_t sport)
{
	struct tcp_sock *ltp = lsk->tp;
	uint16_t dport = lsk->local.sin6_port;
	bool want_cookie = sysctl_tcp_syncookies == 2;
	struct request_sock cookie_req, *req = NULL;

	if (!want_cookie && ltp->synq_len >= (unsigned)ltp->backlog) {
		/* tcp_syn_flood_action */
		if (!sysctl_tcp_syncookies) {
			sockstats.tcp_reqq_full_drop++;
			goto drop;
		}
		sockstats.tcp_reqq_full_do_cookies++;
		want_cookie = true;
	}
	/* sk_acceptq_is_full: the application does not keep up; a new
	 * connection could not be queued even once established. */
	if (ltp->acceptq_len >= (unsigned)ltp->backlog) {
		sockstats.tcp_listen_overflows++;
		goto drop;
	}
	if (!want_cookie) {
		req = reqsk_alloc();
		if (!req) {
			/* Every request of every listener in use: the table
			 * bound (XRT_TCP_REQSK_MAX) acts as a full queue. */
			if (!sysctl_tcp_syncookies) {
				sockstats.tcp_reqq_full_drop++;
				goto drop;
			}
			sockstats.tcp_reqq_full_do_cookies++;
			want_cookie = true;
		}
	}
	if (want_cookie) {
		memset(&cookie_req, 0, sizeof(cookie_req));
		req = &cookie_req;
	}
	req->listener = lsk;
	req->rmt_addr = ta->saddr;
	req->loc_addr = ta->daddr;
	req->rmt_port = sport;
	req->loc_port = dport;
	req->ifindex = ifindex;
	req->rcv_isn = s->seq;
	req->snd_wnd = s->wnd; /* RFC 7323 2.2: a SYN's window is not scaled */
	req->adv_mss = tcp_mss_for(&ta->saddr);
	if (ltp->opt.user_mss && ltp->opt.user_mss < req->adv_mss)
		req->adv_mss = ltp->opt.user_mss; /* TCP_MAXSEG on the listener */
	uint16_t peer_mss = s->has_mss ? s->mss : tcp_default_peer_mss(&ta->saddr);
	if (want_cookie) {
		/* Nothing is kept: the cookie carries the MSS; window scaling
		 * (which the cookie cannot carry without timestamps) is off. */
		req->snt_isn = cookie_v6_init_sequence(&ta->saddr, &ta->daddr, sport, dport,
						       s->seq, &peer_mss);
		req->mss = tcp_req_mss(peer_mss, req->adv_mss);
		tcp_synq_overflow(ltp);
		sockstats.tcp_syncookies_sent++;
		tcp_v6_send_synack(req);
		return;
	}
	req->mss = tcp_req_mss(peer_mss, req->adv_mss);
	req->sack_ok = s->sack_perm;
	req->tstamp_ok = s->has_ts;
	req->ts_recent = s->tsval;
	req->ts_off = get_random_u32(); /* RFC 7323 5.4: a random offset */
	req->wscale_ok = s->has_ws;
	req->snd_wscale = s->has_ws ? s->ws : 0;
	req->rcv_wscale = s->has_ws ? tcp_choose_wscale() : 0;
	/* tcp_v6_init_seq: RFC 6528 over (local, remote, local port, remote port). */
	req->snt_isn = tcp_init_seq(&ta->daddr, &ta->saddr, dport, sport);
	inet_csk_reqsk_queue_hash_add(req, (uint64_t)TCP_SYNACK_TIMEOUT_INIT_MS * NSEC_PER_MSEC);
	tcp_v6_send_synack(req);
	return;
drop:
	sockstats.tcp_backlog_drops++; /* tcp_listendrop */
	DROP_INC(TCP_BACKLOG);
}

/* tcp_check_req (tcp_minisocks.c): a segment for a request in SYN_RECV
 * (RFC 9293 3.10.7.4 for that state). */
static void tcp_check_req(struct sock *lsk, struct request_sock *req, struct tcp_seg *s,
			  const struct tcp_addrs *ta, int ifindex)
{
	if ((s->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN && s->seq == req->rcv_isn) {
		/* Our SYN-ACK was lost: again (inet_rtx_syn_ack). */
		sockstats.tcp_retrans++;
		sockstats.tcp_synack_retrans++;
		tcp_v6_send_synack(req);
		return;
	}
	if ((s->flags & TCP_ACK) && s->ack != req->snt_isn + 1) {
		/* An unacceptable ACK: a reset (RFC 9293 3.10.7.4, fifth). */
		if (!(s->flags & TCP_RST))
			tcp_send_reset(&ta->saddr, &ta->daddr, s->th, s->seg_len, ifindex);
		return;
	}
	uint32_t rcv_nxt = req->rcv_isn + 1;
	if (!(seq_ge(s->seq, rcv_nxt) && seq_lt(s->seq, rcv_nxt + TCP_SYNACK_WINDOW)))
		return; /* out of window: our retransmitted SYN-ACK resynchronises */
	if (s->flags & (TCP_RST | TCP_SYN)) {
		/* A reset, or a new SYN in the window (RFC 9293 3.10.7.4,
		 * fourth): the embryonic connection goes. */
		if (!(s->flags & TCP_RST))
			tcp_send_reset(&ta->saddr, &ta->daddr, s->th, s->seg_len, ifindex);
		sockstats.tcp_embryonic_rsts++;
		inet_csk_reqsk_queue_drop(req);
		return;
	}
	if (!(s->flags & TCP_ACK))
		return;
	struct sock *child = tcp_v6_syn_recv_sock(lsk, req);
	if (!child)
		return; /* accept queue full: the request stays, the peer retries */
	inet_csk_reqsk_queue_drop(req);
	tcp_child_process(child, s, ta, ifindex);
}

/* cookie_v6_check: an ACK for no request may complete a cookie handshake.
 * 1 = it did (the child took the segment), 0 = no valid cookie (the caller
 * resets), -1 = valid but no room (dropped: the peer retries). */
static int tcp_v6_cookie_check(struct sock *lsk, struct tcp_seg *s,
			       const struct tcp_addrs *ta, int ifindex, uint16_t sport)
{
	struct tcp_sock *ltp = lsk->tp;
	if (!sysctl_tcp_syncookies || (s->flags & (TCP_SYN | TCP_RST)) != 0)
		return 0;
	if (sysctl_tcp_syncookies != 2 && tcp_synq_no_recent_overflow(ltp))
		return 0;
	uint16_t dport = lsk->local.sin6_port;
	uint16_t mss = cookie_v6_check(&ta->saddr, &ta->daddr, sport, dport, s->seq - 1,
				       s->ack - 1);
	if (!mss) {
		sockstats.tcp_syncookies_failed++;
		return 0;
	}
	sockstats.tcp_syncookies_recv++;
	struct request_sock req = {
		.listener = lsk, .rmt_addr = ta->saddr, .loc_addr = ta->daddr,
		.rmt_port = sport, .loc_port = dport, .ifindex = ifindex,
		.snt_isn = s->ack - 1, .rcv_isn = s->seq - 1, .snd_wnd = s->wnd,
		.adv_mss = tcp_mss_for(&ta->saddr),
	};
	req.mss = tcp_req_mss(mss, req.adv_mss);
	if (ltp->acceptq_len >= (unsigned)ltp->backlog) {
		/* The kernel drops such an ACK; the client, which believes
		 * itself connected, then sends data that no cookie check can
		 * take (its sequence moved on) and meets a reset. xrtd's accept
		 * round trip is slower than a kernel accept, so a burst of
		 * clients hits this: the peer has proven it receives our
		 * segments, so it becomes a request (bounded by
		 * XRT_TCP_REQSK_MAX) until the accept queue has room. */
		sockstats.tcp_listen_overflows++;
		sockstats.tcp_backlog_drops++;
		DROP_INC(TCP_BACKLOG);
		struct request_sock *r = reqsk_alloc();
		if (r) {
			*r = req;
			inet_csk_reqsk_queue_hash_add(
				r, (uint64_t)TCP_SYNACK_TIMEOUT_INIT_MS * NSEC_PER_MSEC);
		}
		return -1;
	}
	struct sock *child = tcp_v6_syn_recv_sock(lsk, &req);
	if (!child)
		return -1;
	tcp_child_process(child, s, ta, ifindex);
	return 1;
}

/* LISTEN (RFC 9293 3.10.7.2): the request of the 4-tuple if there is one,
 * a cookie's ACK, or a SYN that opens a request. */
static void tcp_listen_rcv(struct sock *lsk, struct tcp_seg *s, const struct tcp_addrs *ta,
			   int ifindex)
{
	uint16_t sport;
	memcpy(&sport, s->th, 2);
	struct request_sock *req =
		reqsk_lookup(lsk, &ta->saddr, sport, &ta->daddr, lsk->local.sin6_port);
	if (req) {
		tcp_check_req(lsk, req, s, ta, ifindex);
		return;
	}
	if (s->flags & TCP_RST)
		return;
	if (s->flags & TCP_ACK) {
		if (!(s->flags & TCP_SYN) && tcp_v6_cookie_check(lsk, s, ta, ifindex, sport))
			return;
		tcp_send_reset(&ta->saddr, &ta->daddr, s->th, s->seg_len, ifindex);
		return;
	}
	if (!(s->flags & TCP_SYN))
		return;
	tcp_conn_request(lsk, s, ta, ifindex, sport);
}

/* SYN_SENT (RFC 9293 3.10.7.3). */
static void tcp_synsent_rcv(struct tcp_sock *tp, const struct tcp_seg *s,
			    const struct tcp_addrs *ta, int ifindex)
{
	struct sock *sk = tp->sk;
	bool ack_ok = false;
	if (s->flags & TCP_ACK) {
		if (seq_le(s->ack, tp->iss) || seq_gt(s->ack, tp->snd_max)) {
			if (!(s->flags & TCP_RST))
				tcp_send_reset(&ta->saddr, &ta->daddr, s->th, s->seg_len,
						  ifindex);
			return;
		}
		ack_ok = true;
	}
	if (s->flags & TCP_RST) {
		if (ack_ok)
			tcp_done(tp, ECONNREFUSED);
		return;
	}
	if (!(s->flags & TCP_SYN))
		return;
	tp->irs = s->seq;
	tp->rcv_nxt = s->seq + 1;
	tp->rcv_adv = tp->rcv_nxt; /* nothing advertised yet */
	tcp_syn_options(tp, s);
	if (!ack_ok) {
		/* Simultaneous open: SYN_RECV and a SYN-ACK. */
		tp->snd_wnd = s->wnd;
		tp->snd_wl1 = s->seq;
		tcp_set_state(tp, TCP_SYN_RECV);
		tcp_send_syn(tp, true);
		return;
	}
	tp->snd_una = s->ack;
	tp->snd_wnd = s->wnd; /* unscaled in a SYN */
	tp->snd_wl1 = s->seq;
	tp->snd_wl2 = s->ack;
	tp->retries = 0;
	tp->rtx_due = 0;
	if (tp->syn_retransmitted)
		tp->rto = (uint64_t)TCP_RTO_SYN_RETRANS_MS * NSEC_PER_MSEC; /* RFC 6298 5.7 */
	tcp_set_state(tp, TCP_ESTABLISHED);
	tp->ack_now = true;
	tcp_write_xmit(tp);
	sk_state_changed(sk);
	sk_writable(sk);
}

/* tcp_data_queue / tcp_data_queue_ofo: in-order bytes extend rcv_nxt (and
 * close holes behind them), out-of-order ones wait in their place in the
 * ring, their range first in ooo[] (RFC 2018 4: the first SACK block is
 * the most recent). Bounded by the receive buffer and TCP_OOO_MAX ranges:
 * beyond either the segment is dropped (TcpExtTCPOFODrop). */
static void tcp_data_queue(struct tcp_sock *tp, uint32_t seq, const uint8_t *data, uint32_t len)
{
	uint32_t off = seq - tp->rcv_nxt;
	uint32_t space = (uint32_t)(TCP_RCVBUF - tp->rcv_len);
	if (off >= space) {
		if (off)
			sockstats.tcp_ofo_drop++;
		else
			sockstats.tcp_rcv_drops++;
		tp->ack_now = true;
		return;
	}
	if (off + len > space)
		len = space - off;
	if (len > tp->rcv_mss)
		tp->rcv_mss = (uint16_t)(len < UINT16_MAX ? len : UINT16_MAX); /* tcp_measure_rcv_mss */
	if (off) {
		/* RFC 5681 4.2 / RFC 9293 3.8.6.3: an out-of-order segment is
		 * acknowledged at once (the duplicate ACK, with its SACK
		 * block, drives the peer's recovery). */
		tp->ack_now = true;
		uint32_t start = seq, end = seq + len;
		unsigned j = 0, merged = 0;
		for (unsigned i = 0; i < tp->nooo; i++) {
			struct tcp_seq_range r = tp->ooo[i];
			if (seq_lt(r.end, start) || seq_gt(r.start, end)) {
				tp->ooo[j++] = r;
				continue;
			}
			merged++;
			if (seq_lt(r.start, start))
				start = r.start;
			if (seq_gt(r.end, end))
				end = r.end;
		}
		if (!merged && j == TCP_OOO_MAX) {
			sockstats.tcp_ofo_drop++; /* no range left: as if never received */
			return;
		}
		sockstats.tcp_ooo++;
		memmove(&tp->ooo[1], &tp->ooo[0], j * sizeof(tp->ooo[0]));
		tp->ooo[0] = (struct tcp_seq_range){ start, end };
		tp->nooo = j + 1;
	}
	size_t pos = (tp->rcv_head + tp->rcv_len + off) % TCP_RCVBUF;
	size_t first = TCP_RCVBUF - pos < len ? TCP_RCVBUF - pos : len;
	memcpy(tp->rcvbuf + pos, data, first);
	memcpy(tp->rcvbuf, data + first, len - first);
	if (off)
		return;
	tp->rcv_nxt += len;
	tp->rcv_len += len;
	bool filled = false;
	for (bool merged = true; merged && tp->nooo;) {
		merged = false;
		for (unsigned i = 0; i < tp->nooo; i++) {
			struct tcp_seq_range r = tp->ooo[i];
			if (seq_gt(r.start, tp->rcv_nxt))
				continue;
			if (seq_gt(r.end, tp->rcv_nxt)) {
				tp->rcv_len += r.end - tp->rcv_nxt;
				tp->rcv_nxt = r.end;
			}
			memmove(&tp->ooo[i], &tp->ooo[i + 1], (tp->nooo - i - 1) * sizeof(tp->ooo[0]));
			tp->nooo--;
			merged = filled = true;
			break;
		}
	}
	/* RFC 5681 4.2: a segment that fills a hole is acknowledged at once;
	 * others within the delayed-ACK rules. */
	if (filled || tp->nooo)
		tp->ack_now = true;
	else
		tcp_send_delayed_ack(tp);
}

static void tcp_enter_time_wait(struct tcp_sock *tp)
{
	tcp_set_state(tp, TCP_TIME_WAIT);
	tp->rtx_due = 0;
	tp->fin_wait2_due = 0;
	tp->tw_due = stack_now() + 2ull * TCP_MSL_MS * NSEC_PER_MSEC;
}

/* The peer's FIN is next in sequence: consume it (RFC 9293 3.10.7.4,
 * eighth step). */
static void tcp_fin(struct tcp_sock *tp)
{
	tp->rcv_nxt++;
	tp->fin_rcvd = true;
	tp->fin_pending = false;
	tp->ack_now = true;
	switch (tp->state) {
	case TCP_SYN_RECV:
	case TCP_ESTABLISHED:
		tcp_set_state(tp, TCP_CLOSE_WAIT);
		break;
	case TCP_FIN_WAIT1:
		tcp_set_state(tp, TCP_CLOSING);
		break;
	case TCP_FIN_WAIT2:
		tcp_enter_time_wait(tp);
		break;
	default:
		break;
	}
	sk_readable(tp->sk);
}

/* tcp_sacktag_write_queue (RFC 2018 4, RFC 6675 2): the peer's blocks
 * into the scoreboard. A block must lie within SND.UNA..SND.MAX (else
 * TcpExtTCPSACKDiscard; one below SND.UNA is a D-SACK, RFC 2883, ignored);
 * overlapping ranges merge; a full scoreboard drops the block (counted),
 * which only costs a retransmission. Returns the bytes newly SACKed. */
static uint32_t tcp_sacktag(struct tcp_sock *tp, const struct tcp_seg *s)
{
	uint32_t newly = 0;
	for (unsigned b = 0; b < s->nsacks; b++) {
		uint32_t start = s->sacks[b].start, end = s->sacks[b].end;
		if (!seq_lt(start, end) || seq_gt(end, tp->snd_max) || seq_lt(start, tp->snd_una)) {
			if (!seq_le(end, tp->snd_una))
				sockstats.tcp_sack_discard++;
			continue;
		}
		uint32_t covered = 0;
		unsigned j = 0;
		for (unsigned i = 0; i < tp->nsacked; i++) {
			struct tcp_seq_range r = tp->sacked[i];
			if (seq_lt(r.end, start) || seq_gt(r.start, end)) {
				tp->sacked[j++] = r;
				continue;
			}
			uint32_t lo = seq_gt(r.start, start) ? r.start : start;
			uint32_t hi = seq_lt(r.end, end) ? r.end : end;
			if (seq_gt(hi, lo))
				covered += hi - lo;
			if (seq_lt(r.start, start))
				start = r.start;
			if (seq_gt(r.end, end))
				end = r.end;
		}
		tp->nsacked = j;
		if (j == TCP_SACK_SB_MAX) {
			sockstats.tcp_sack_sb_full++;
			continue;
		}
		tp->sacked[tp->nsacked++] = (struct tcp_seq_range){ start, end };
		uint32_t blk = s->sacks[b].end - s->sacks[b].start;
		newly += blk > covered ? blk - covered : 0;
	}
	return newly;
}

/* A cumulative ACK: what it covers leaves the scoreboard. */
static void tcp_sack_clean(struct tcp_sock *tp)
{
	unsigned j = 0;
	for (unsigned i = 0; i < tp->nsacked; i++) {
		struct tcp_seq_range r = tp->sacked[i];
		if (seq_le(r.end, tp->snd_una))
			continue;
		if (seq_lt(r.start, tp->snd_una))
			r.start = tp->snd_una;
		tp->sacked[j++] = r;
	}
	tp->nsacked = j;
}

/* RFC 6675 4 (IsLost for SND.UNA): more than (DupThresh - 1) * SMSS bytes
 * SACKed above it. */
static bool tcp_sack_head_lost(const struct tcp_sock *tp)
{
	uint32_t sacked = 0;
	for (unsigned i = 0; i < tp->nsacked; i++)
		sacked += tp->sacked[i].end - tp->sacked[i].start;
	return sacked > (TCP_FASTRETRANS_THRESH - 1) * (uint32_t)tp->mss;
}

/* tcp_enter_recovery (RFC 5681 3.2, RFC 6582 3.2, RFC 6675 5): ssthresh
 * halves the flight, the first loss goes again. */
static void tcp_enter_recovery(struct tcp_sock *tp)
{
	uint32_t flight = tp->snd_max - tp->snd_una;
	uint32_t half = flight / 2;
	tp->ssthresh = half > 2u * tp->mss ? half : 2u * tp->mss;
	tp->recover = tp->snd_max;
	tp->in_recovery = true;
	tp->high_rxt = tp->snd_una;
	tp->rxt_dupacks = 0;
	sockstats.tcp_fast_retrans++;
	if (tp->sack_ok) {
		sockstats.tcp_sack_recovery++;
		if (!tcp_sack_retransmit_hole(tp))
			tcp_retransmit_head(tp);
	} else {
		tcp_retransmit_head(tp);
	}
	tp->cwnd = tp->ssthresh + TCP_FASTRETRANS_THRESH * tp->mss;
	tcp_rearm_rtx(tp);
}

/* The duplicate ACKs that mean a loss: DupThresh, or with fewer than
 * four segments out and nothing new that could go, one less than them
 * (RFC 5827 3.1 / 3.2 early retransmit; the kernel moved on to RACK). */
static unsigned tcp_dupthresh(const struct tcp_sock *tp)
{
	uint32_t flight = tp->snd_max - tp->snd_una;
	uint32_t oseg = (flight + tp->mss - 1) / tp->mss;
	uint32_t wnd = tp->snd_wnd < tp->cwnd ? tp->snd_wnd : tp->cwnd;
	bool more = seq_lt(tp->snd_nxt, tp->snd_una + (uint32_t)tp->snd_len) &&
		    wnd >= flight + tp->mss;
	if (oseg < TCP_EARLY_RETRANS_SEGS && oseg > 1 && !more)
		return oseg - 1;
	return TCP_FASTRETRANS_THRESH;
}

/* Fifth step: the ACK field. 1 = go on, 0 = drop the segment, -1 = the
 * connection is gone (tp may be freed). */
static int tcp_ack(struct tcp_sock *tp, const struct tcp_seg *s, const struct tcp_addrs *ta,
		    int ifindex)
{
	struct sock *sk = tp->sk;
	if (tp->state == TCP_SYN_RECV) {
		if (seq_le(s->ack, tp->snd_una) || seq_gt(s->ack, tp->snd_max)) {
			tcp_send_reset(&ta->saddr, &ta->daddr, s->th, s->seg_len, ifindex);
			return 0;
		}
		tp->snd_una = s->ack;
		tp->snd_wnd = s->wnd << tp->snd_wscale;
		tp->snd_wl1 = s->seq;
		tp->snd_wl2 = s->ack;
		tp->retries = 0;
		tp->rtx_due = 0;
		tcp_set_state(tp, TCP_ESTABLISHED);
		if (tp->parent)
			tcp_child_established(tp);
		else
			sk_state_changed(sk);
		return 1;
	}
	if (seq_gt(s->ack, tp->snd_max)) {
		tcp_send_ack(tp); /* acknowledges something not yet sent */
		return 0;
	}
	uint32_t wnd = s->wnd << tp->snd_wscale;
	if (seq_lt(s->ack, tp->snd_una))
		return 1; /* old duplicate: ignore the ACK, keep the data */
	/* tcp_ack: the peer is alive (keepalive, tcp_ack's rcv_tstamp). */
	tp->rcv_tstamp = stack_now();
	tp->keep_probes = 0;
	uint32_t newly_sacked = tp->sack_ok ? tcp_sacktag(tp, s) : 0;

	uint32_t acked = s->ack - tp->snd_una;
	if (!acked) {
		/* RFC 5681 2 (duplicate ACK) and 3.2 (fast retransmit); RFC
		 * 6675 4: an ACK with new SACK information counts too. */
		bool dup = (!s->len && !(s->flags & (TCP_SYN | TCP_FIN)) && wnd == tp->snd_wnd &&
			    tp->snd_max != tp->snd_una) ||
			   newly_sacked;
		if (dup) {
			tp->dupacks++;
			if (!tp->in_recovery && (tp->dupacks >= tcp_dupthresh(tp) ||
						 (tp->sack_ok && tcp_sack_head_lost(tp)))) {
				tcp_enter_recovery(tp);
			} else if (tp->in_recovery && tcp_sack_retransmit_hole(tp)) {
				/* RFC 6675 5 (C): a segment left, a hole
				 * goes in its place. */
				tp->rxt_dupacks = 0;
			} else if (tp->in_recovery && tp->sack_ok && newly_sacked &&
				   ++tp->rxt_dupacks >= tcp_dupthresh(tp)) {
				/* Every hole was sent again, yet DupThresh
				 * more segments were SACKed after: a
				 * retransmission was lost too (the kernel's
				 * tcp_mark_lost_retrans, RACK today). */
				tp->high_rxt = tp->snd_una;
				tp->rxt_dupacks = 0;
				tcp_sack_retransmit_hole(tp);
			} else if (tp->dupacks > TCP_FASTRETRANS_THRESH || tp->in_recovery) {
				tp->cwnd += tp->mss; /* inflate: one segment left */
			}
		}
	} else {
		/* New data acknowledged. */
		uint32_t data_acked = acked < tp->snd_len ? acked : (uint32_t)tp->snd_len;
		tp->snd_head = (tp->snd_head + data_acked) % TCP_SNDBUF;
		tp->snd_len -= data_acked;
		tp->snd_una = s->ack;
		if (seq_lt(tp->snd_nxt, tp->snd_una))
			tp->snd_nxt = tp->snd_una;
		tcp_sack_clean(tp);
		tp->tlp_sent = false; /* a new flight may be probed again */
		tp->tlp_due = 0;
		tp->retries = 0;
		tp->dupacks = 0;
		if (tp->tstamp_ok && s->has_ts && s->tsecr) {
			/* RFC 7323 4.1 (RTTM): the echoed TSval times any
			 * ACK, retransmissions included. */
			uint32_t rtt_ms = tcp_time_stamp(tp) - s->tsecr;
			tcp_rtt_sample(tp, (uint64_t)rtt_ms * NSEC_PER_MSEC);
			tp->rtt_timing = false;
		} else if (tp->rtt_timing && seq_ge(s->ack, tp->rtt_seq)) {
			tcp_rtt_sample(tp, stack_now() - tp->rtt_start);
			tp->rtt_timing = false;
		}
		if (tp->in_recovery) {
			if (seq_ge(s->ack, tp->recover)) {
				/* RFC 6582 3.2 step 3: full acknowledgment. */
				uint32_t flight = tp->snd_max - tp->snd_una;
				tp->cwnd = tp->ssthresh < flight + tp->mss ? tp->ssthresh
									   : flight + tp->mss;
				tp->in_recovery = false;
			} else {
				/* Partial acknowledgment: the next hole (RFC
				 * 6582 3.2 step 4; RFC 6675 NextSeg). */
				if (!tcp_sack_retransmit_hole(tp) && (!tp->sack_ok || !tp->nsacked))
					tcp_retransmit_head(tp);
				tp->cwnd = tp->cwnd > acked ? tp->cwnd - acked + tp->mss : tp->mss;
			}
		} else if (tp->cwnd < tp->ssthresh) {
			tp->cwnd += acked < tp->mss ? acked : tp->mss; /* slow start */
		} else {
			uint32_t inc = (uint32_t)((uint64_t)tp->mss * tp->mss / tp->cwnd);
			tp->cwnd += inc ? inc : 1; /* congestion avoidance */
		}
		/* RFC 6298 5.2 / 5.3: stop when all is acknowledged, else
		 * restart for the rest. */
		if (tp->snd_una == tp->snd_max)
			tp->rtx_due = 0;
		else
			tcp_rearm_rtx(tp);
		if (data_acked)
			sk_writable(sk);
	}
	/* Window update (RFC 9293 3.10.7.4, SND.WL1 / SND.WL2). */
	if (seq_lt(tp->snd_wl1, s->seq) ||
	    (tp->snd_wl1 == s->seq && seq_le(tp->snd_wl2, s->ack))) {
		tp->snd_wnd = wnd;
		tp->snd_wl1 = s->seq;
		tp->snd_wl2 = s->ack;
	}
	/* Our FIN acknowledged? */
	bool fin_acked = tp->fin_sent && seq_gt(tp->snd_una, tp->fin_seq_out);
	switch (tp->state) {
	case TCP_FIN_WAIT1:
		if (fin_acked) {
			tcp_set_state(tp, TCP_FIN_WAIT2);
			if (tp->orphan)
				tp->fin_wait2_due = stack_now() +
						    (uint64_t)TCP_FIN_TIMEOUT_MS * NSEC_PER_MSEC;
		}
		break;
	case TCP_CLOSING:
		if (fin_acked)
			tcp_enter_time_wait(tp);
		break;
	case TCP_LAST_ACK:
		if (fin_acked) {
			tcp_done(tp, 0);
			return -1;
		}
		break;
	default:
		break;
	}
	return 1;
}

/* tcp_paws_discard (RFC 7323 5.3 R1): a segment whose TSval is older
 * than TS.Recent is an old duplicate, unless TS.Recent itself is more than
 * 24 days old (5.5). */
static bool tcp_paws_discard(const struct tcp_sock *tp, const struct tcp_seg *s)
{
	if (!tp->tstamp_ok || !s->has_ts || !tp->ts_recent)
		return false;
	if ((int32_t)(tp->ts_recent - s->tsval) <= TCP_PAWS_WINDOW)
		return false;
	return stack_now() - tp->ts_recent_stamp < (uint64_t)TCP_PAWS_24DAYS_SEC * NSEC_PER_SEC;
}

/* tcp_replace_ts_recent (RFC 7323 4.3): TS.Recent follows the segment
 * that covers Last.ACK.sent, never going back. */
static void tcp_replace_ts_recent(struct tcp_sock *tp, const struct tcp_seg *s)
{
	if (tp->tstamp_ok && s->has_ts && seq_le(s->seq, tp->last_ack_sent) &&
	    (int32_t)(s->tsval - tp->ts_recent) >= 0) {
		tp->ts_recent = s->tsval;
		tp->ts_recent_stamp = stack_now();
	}
}

/* Synchronized states (RFC 9293 3.10.7.4). */
static void tcp_rcv_state_process(struct tcp_sock *tp, struct tcp_seg *s,
				  const struct tcp_addrs *ta, int ifindex)
{
	uint32_t seg_len = s->len + ((s->flags & TCP_SYN) ? 1 : 0) + ((s->flags & TCP_FIN) ? 1 : 0);
	uint32_t wnd = tp->rcvbuf ? (uint32_t)(TCP_RCVBUF - tp->rcv_len) : 0;
	if (tp->state == TCP_SYN_RECV && (s->flags & TCP_SYN) && !(s->flags & TCP_ACK) &&
	    s->seq == tp->irs) {
		tcp_send_syn(tp, true); /* our SYN-ACK was lost: again */
		return;
	}
	/* tcp_validate_incoming: PAWS first (RFC 7323 5.3); a reset is
	 * judged by its sequence number alone. */
	if (!(s->flags & TCP_RST) && tcp_paws_discard(tp, s)) {
		sockstats.tcp_paws_estab++;
		tcp_send_ack(tp);
		return;
	}
	/* First: sequence number acceptable? */
	bool ok;
	if (!seg_len)
		ok = wnd ? seq_ge(s->seq, tp->rcv_nxt) && seq_lt(s->seq, tp->rcv_nxt + wnd)
			 : s->seq == tp->rcv_nxt;
	else
		ok = wnd && ((seq_ge(s->seq, tp->rcv_nxt) && seq_lt(s->seq, tp->rcv_nxt + wnd)) ||
			     (seq_ge(s->seq + seg_len - 1, tp->rcv_nxt) &&
			      seq_lt(s->seq + seg_len - 1, tp->rcv_nxt + wnd)));
	if (!ok) {
		if (!(s->flags & TCP_RST)) {
			tcp_send_ack(tp);
			if (tp->state == TCP_TIME_WAIT && (s->flags & TCP_FIN))
				tcp_enter_time_wait(tp); /* the peer's FIN again */
		}
		return;
	}
	/* Second: RST (RFC 5961 3.2: only an exact match resets). */
	if (s->flags & TCP_RST) {
		if (s->seq == tp->rcv_nxt) {
			int err = tp->state == TCP_SYN_RECV ? ECONNREFUSED : ECONNRESET;
			if (tp->state == TCP_CLOSING || tp->state == TCP_LAST_ACK ||
			    tp->state == TCP_TIME_WAIT)
				err = 0;
			tcp_done(tp, err);
		}
		else
			tcp_send_ack(tp); /* challenge ACK */
		return;
	}
	/* Fourth: a SYN here gets a challenge ACK (RFC 5961 4.2). */
	if (s->flags & TCP_SYN) {
		tcp_send_ack(tp);
		return;
	}
	/* Fifth: no ACK, no processing. */
	if (!(s->flags & TCP_ACK))
		return;
	tcp_replace_ts_recent(tp, s);
	if (tcp_ack(tp, s, ta, ifindex) <= 0)
		return;
	/* Seventh: segment text; trim what we already have. */
	if (s->len && seq_lt(s->seq, tp->rcv_nxt)) {
		uint32_t skip = tp->rcv_nxt - s->seq;
		if (skip > s->len)
			skip = s->len;
		s->data += skip;
		s->len -= skip;
		s->seq += skip;
	}
	bool fin = s->flags & TCP_FIN;
	if (s->len) {
		switch (tp->state) {
		case TCP_ESTABLISHED:
		case TCP_FIN_WAIT1:
		case TCP_FIN_WAIT2:
			if (tp->orphan) {
				/* Data after close: nobody will read it (Linux
				 * resets, RFC 9293 3.10.7.4 seventh step). */
				tcp_send_active_reset(tp);
				tcp_done(tp, 0);
				return;
			}
			if (!tp->fin_rcvd && !tp->sk->shut_rd) {
				uint32_t before = tp->rcv_nxt;
				uint32_t space = (uint32_t)(TCP_RCVBUF - tp->rcv_len);
				if (s->seq - tp->rcv_nxt + s->len > space)
					fin = false; /* the FIN fell outside the window */
				tcp_data_queue(tp, s->seq, s->data, s->len);
				if (tp->rcv_nxt != before)
					sk_readable(tp->sk);
			}
			break;
		default:
			break; /* CLOSE_WAIT and later: the peer sent its FIN */
		}
	}
	/* Eighth: FIN. */
	if (fin && !tp->fin_rcvd && tp->state != TCP_CLOSED) {
		uint32_t fseq = s->seq + s->len;
		if (fseq == tp->rcv_nxt)
			tcp_fin(tp);
		else if (seq_gt(fseq, tp->rcv_nxt)) {
			tp->fin_pending = true;
			tp->fin_seq = fseq;
		}
	}
	if (tp->fin_pending && tp->fin_seq == tp->rcv_nxt && !tp->fin_rcvd)
		tcp_fin(tp);
	if (tp->state == TCP_TIME_WAIT && fin)
		tcp_enter_time_wait(tp); /* restart 2 MSL */
	tcp_write_xmit(tp);
}

/* The family-independent part of tcp_v4_rcv / tcp_v6_rcv: a segment whose
 * header and checksum were checked, addresses as IPv6 (IPv4 ones mapped,
 * xrt/inet.h), to its socket, else a reset (RFC 9293 3.10.7.1). */
void tcp_rcv(const struct tcp_addrs *ta, const uint8_t *th, size_t tlen, int ifindex)
{
	size_t doff = (size_t)(th[12] >> 4) * 4;
	sockstats.tcp_in++;
	struct tcp_seg s = {
		.seq = get32(th + 4), .ack = get32(th + 8), .flags = th[13],
		.wnd = (uint32_t)(th[14] << 8 | th[15]), .data = th + doff,
		.len = (uint32_t)(tlen - doff), .th = th, .seg_len = tlen - doff,
	};
	tcp_parse_options(th + TCP_HDR_LEN, doff - TCP_HDR_LEN, &s);
	uint16_t sport, dport;
	memcpy(&sport, th, 2);
	memcpy(&dport, th + 2, 2);
	struct sock *sk = tcp_v6_lookup(&ta->saddr, sport, &ta->daddr, dport, ifindex);
	if (!sk) {
		/* CLOSED (RFC 9293 3.10.7.1): a reset unless it was one. */
		DROP_INC(TCP_NO_SOCK);
		if (!(s.flags & TCP_RST))
			tcp_send_reset(&ta->saddr, &ta->daddr, th, s.seg_len, ifindex);
		return;
	}
	struct tcp_sock *tp = sk->tp;
	switch (tp->state) {
	case TCP_LISTEN:
		tcp_listen_rcv(sk, &s, ta, ifindex);
		break;
	case TCP_SYN_SENT:
		tcp_synsent_rcv(tp, &s, ta, ifindex);
		break;
	default:
		tcp_rcv_state_process(tp, &s, ta, ifindex);
		break;
	}
}

/* tcp_v6_rcv: header and checksum, then the socket, else a reset. */
int tcp_v6_rcv(struct pkt *p)
{
	struct ip6_hdr_wire *ip6 = pkt_ip6(p);
	if (p->thoff + TCP_HDR_LEN > p->len) {
		DROP_INC(TCP_CSUM);
		MIB_INC(IN_HDR_ERRORS);
		sockstats.tcp_csum++;
		return -1;
	}
	const uint8_t *th = p->nh + p->thoff;
	size_t tlen = p->len - p->thoff;
	size_t doff = (size_t)(th[12] >> 4) * 4;
	if (doff < TCP_HDR_LEN || doff > tlen ||
	    ip6_csum(&ip6->saddr, &ip6->daddr, NEXTHDR_TCP, th, tlen) != 0) {
		DROP_INC(TCP_CSUM);
		MIB_INC(IN_DISCARDS);
		sockstats.tcp_csum++;
		return -1;
	}
	/* RFC 9293 3.9.1: never answer a segment to a multicast address.
	 * Nor to a Subnet-Router anycast address: the kernel neither accepts
	 * a connection to one nor resets (tcp_v6_conn_request and
	 * tcp_v6_send_reset want ipv6_unicast_destination), and a reset would
	 * carry the anycast address as its source. */
	MIB_INC(IN_DELIVERS); /* ip_input.c counts IPv4's (IP4 InDelivers) */
	if (ip6_is_mcast(&ip6->daddr) ||
	    (!ipv6_chk_addr(&ip6->daddr) && ipv6_chk_acast_addr(NULL, &ip6->daddr))) {
		sockstats.tcp_in++;
		return -1;
	}
	struct tcp_addrs ta = { .saddr = ip6->saddr, .daddr = ip6->daddr };
	tcp_rcv(&ta, th, tlen, p->ifindex);
	return -1;
}
