/* xrt: TCP timers: retransmission (RFC 6298), persist, delayed ACK, keepalive, TIME_WAIT (2 MSL), orphaned FIN_WAIT2. */
#include <errno.h>
#include "stack/stack_internal.h"
#include "stack/request_sock.h"
#include "stack/sock_tcp.h"

#define RTO_MIN ((uint64_t)TCP_RTO_MIN_MS * NSEC_PER_MSEC)
#define RTO_MAX ((uint64_t)TCP_RTO_MAX_MS * NSEC_PER_MSEC)
/* RFC 6298 2: clock granularity G (our clock is the monotonic ns clock). */
#define RTO_CLOCK_G NSEC_PER_MSEC

void tcp_rearm_rtx(struct tcp_sock *tp)
{
	tp->rtx_due = stack_now() + tp->rto;
}

/* RFC 6298 2.2 / 2.3 with alpha 1/8, beta 1/4, K 4. */
void tcp_rtt_sample(struct tcp_sock *tp, uint64_t r)
{
	if (!tp->rtt_valid) {
		tp->srtt = r;
		tp->rttvar = r / 2;
		tp->rtt_valid = true;
	} else {
		uint64_t diff = tp->srtt > r ? tp->srtt - r : r - tp->srtt;
		tp->rttvar = (3 * tp->rttvar + diff) / 4;
		tp->srtt = (7 * tp->srtt + r) / 8;
	}
	uint64_t var4 = 4 * tp->rttvar;
	tp->rto = tp->srtt + (var4 > RTO_CLOCK_G ? var4 : RTO_CLOCK_G);
	if (tp->rto < RTO_MIN)
		tp->rto = RTO_MIN; /* 2.4 */
	if (tp->rto > RTO_MAX)
		tp->rto = RTO_MAX; /* 2.5 */
}

/* RFC 6298 5.4-5.6 on expiry: retransmit the earliest segment, back off,
 * restart; RFC 5681 3.1 eq. (4): ssthresh = max(FlightSize / 2, 2 SMSS),
 * cwnd = 1 SMSS (loss window); then go back to snd_una. */
static void tcp_retransmit_timer(struct tcp_sock *tp)
{
	tp->rtx_due = 0;
	tp->tlp_due = 0;
	bool syn = tp->state == TCP_SYN_SENT || tp->state == TCP_SYN_RECV;
	bool persist = !syn && tp->snd_wnd == 0 && tp->snd_nxt == tp->snd_una && tp->snd_len;
	if (tp->snd_max == tp->snd_una && !syn && !persist)
		return; /* everything was acknowledged meanwhile */
	if (!persist && ++tp->retries > (syn ? TCP_SYN_RETRIES_MAX : TCP_RETRIES_MAX)) {
		if (tp->state != TCP_SYN_SENT)
			tcp_send_active_reset(tp);
		/* tcp_write_err: a soft ICMPv6 error says why (RFC 1122 4.2.3.9). */
		tcp_done(tp, tp->sk->err_soft ? tp->sk->err_soft : ETIMEDOUT);
		return;
	}
	sockstats.tcp_rto++;
	if (!syn && !persist) {
		uint32_t flight = tp->snd_max - tp->snd_una;
		uint32_t half = flight / 2;
		tp->ssthresh = half > 2u * tp->mss ? half : 2u * tp->mss;
		tp->cwnd = tp->mss;
		tp->dupacks = 0;
		tp->in_recovery = false;
		tp->snd_nxt = tp->snd_una;
		tp->high_rxt = tp->snd_una; /* tcp_enter_loss: all unSACKed is lost */
	}
	tcp_retransmit_head(tp);
	tp->rto = tp->rto * 2 > RTO_MAX ? RTO_MAX : tp->rto * 2; /* 5.5 */
	tcp_rearm_rtx(tp);
}

static uint64_t keepalive_time(const struct tcp_sock *tp)
{
	return (uint64_t)(tp->opt.keepidle_s ? tp->opt.keepidle_s : TCP_KEEPALIVE_TIME_S) * NSEC_PER_SEC;
}

void tcp_reset_keepalive_timer(struct tcp_sock *tp)
{
	tp->keep_due = tp->opt.keepalive ? tp->rcv_tstamp + keepalive_time(tp) : 0;
}

/* tcp_keepalive_timer (RFC 1122 4.2.3.6): after keepidle without a
 * segment from the peer, a probe every keepintvl; when keepcnt probes went
 * unanswered, a reset and ETIMEDOUT. Only while nothing is in flight (the
 * retransmission timer watches the peer then). */
static void tcp_keepalive_timer(struct tcp_sock *tp, uint64_t now)
{
	tp->keep_due = 0;
	if (!tp->opt.keepalive || tp->state == TCP_LISTEN || tp->state == TCP_CLOSED ||
	    tp->state == TCP_SYN_SENT || tp->state == TCP_SYN_RECV || tp->state == TCP_TIME_WAIT)
		return;
	uint64_t idle = keepalive_time(tp);
	if (tp->snd_max != tp->snd_una || tp->snd_len) {
		tp->keep_due = now + idle;
		return;
	}
	uint64_t elapsed = now - tp->rcv_tstamp;
	if (elapsed < idle) {
		tp->keep_due = tp->rcv_tstamp + idle;
		return;
	}
	unsigned cnt = tp->opt.keepcnt ? tp->opt.keepcnt : TCP_KEEPALIVE_PROBES;
	if (tp->keep_probes >= cnt) {
		sockstats.tcp_abort_on_timeout++;
		tcp_send_active_reset(tp);
		tcp_done(tp, ETIMEDOUT);
		return;
	}
	tcp_send_keepalive_probe(tp);
	tp->keep_probes++;
	tp->keep_due =
		now + (uint64_t)(tp->opt.keepintvl_s ? tp->opt.keepintvl_s : TCP_KEEPALIVE_INTVL_S) * NSEC_PER_SEC;
}

void tcp_timers_run(uint64_t now)
{
	reqsk_timers_run(now);
	for (struct sock *sk = sk_first(); sk; sk = sk_next(sk)) {
		struct tcp_sock *tp = sk->tp;
		if (!tp)
			continue;
		if (tp->tw_due && now >= tp->tw_due) {
			tp->tw_due = 0;
			tcp_done(tp, 0); /* TIME_WAIT over (RFC 9293 3.10.8) */
			continue;
		}
		if (tp->fin_wait2_due && now >= tp->fin_wait2_due && tp->state == TCP_FIN_WAIT2) {
			tp->fin_wait2_due = 0;
			tcp_done(tp, 0);
			continue;
		}
		if (tp->delack_due && now >= tp->delack_due) {
			sockstats.tcp_delayed_acks++; /* tcp_delack_timer */
			tcp_send_ack(tp);
		}
		if (tp->tlp_due && now >= tp->tlp_due)
			tcp_send_loss_probe(tp);
		if (tp->cork_due && now >= tp->cork_due) {
			/* The corked segment's ceiling: out once, as if
			 * uncorked (it may still wait for the window). */
			bool cork = tp->opt.cork;
			tp->cork_due = 0;
			tp->opt.cork = false;
			if (tp->sndbuf)
				tcp_write_xmit(tp);
			tp->opt.cork = cork;
		}
		if (tp->rtx_due && now >= tp->rtx_due)
			tcp_retransmit_timer(tp);
		if (sk->in_use && sk->tp == tp && tp->keep_due && now >= tp->keep_due)
			tcp_keepalive_timer(tp, now);
	}
}

/* The earlier of due and a timer (0 = off). */
static uint64_t timer_min(uint64_t due, uint64_t t)
{
	return t && t < due ? t : due;
}

uint64_t tcp_timers_next(void)
{
	uint64_t due = reqsk_timers_next();
	for (struct sock *sk = sk_first(); sk; sk = sk_next(sk)) {
		const struct tcp_sock *tp = sk->tp;
		if (!tp)
			continue;
		const uint64_t timers[] = { tp->rtx_due, tp->tw_due, tp->fin_wait2_due,
					    tp->delack_due, tp->tlp_due, tp->cork_due,
					    tp->keep_due };
		for (size_t i = 0; i < sizeof(timers) / sizeof(timers[0]); i++)
			due = timer_min(due, timers[i]);
	}
	return due;
}
