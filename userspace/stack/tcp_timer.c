/* xrt: TCP timers: retransmission (RFC 6298), persist, TIME_WAIT (2 MSL), orphaned FIN_WAIT2. */
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
	}
	tcp_retransmit_head(tp);
	tp->rto = tp->rto * 2 > RTO_MAX ? RTO_MAX : tp->rto * 2; /* 5.5 */
	tcp_rearm_rtx(tp);
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
		if (tp->rtx_due && now >= tp->rtx_due)
			tcp_retransmit_timer(tp);
	}
}

uint64_t tcp_timers_next(void)
{
	uint64_t due = reqsk_timers_next();
	for (struct sock *sk = sk_first(); sk; sk = sk_next(sk)) {
		const struct tcp_sock *tp = sk->tp;
		if (!tp)
			continue;
		if (tp->rtx_due && tp->rtx_due < due)
			due = tp->rtx_due;
		if (tp->tw_due && tp->tw_due < due)
			due = tp->tw_due;
		if (tp->fin_wait2_due && tp->fin_wait2_due < due)
			due = tp->fin_wait2_due;
	}
	return due;
}
