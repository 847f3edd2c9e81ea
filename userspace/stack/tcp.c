/* xrt: TCP's socket side (tcp_v6_connect, inet_listen, inet_accept, tcp_sendmsg, tcp_recvmsg, tcp_close): the SOCK_STREAM entry of inetsw6. */
#include <errno.h>
#include <stdlib.h>
#include <linux/tcp.h> /* the kernel's struct tcp_info; netinet/tcp.h's state enum clashes */
#include "stack/stack_internal.h"
#include "stack/request_sock.h"
#include "stack/secure_seq.h"
#include "stack/sock_tcp.h"

const char *const tcp_state_names[] = {
	"CLOSED", "LISTEN", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT1",
	"FIN_WAIT2", "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT",
};

bool tcp_sk_is_child(const struct sock *sk)
{
	return sk->tp && sk->tp->state != TCP_LISTEN && sk->tp->parent;
}

bool tcp_sk_time_wait(const struct sock *sk)
{
	return sk->tp && sk->tp->state == TCP_TIME_WAIT;
}

enum tcp_state tcp_state_of(const struct sock *sk)
{
	return sk->tp ? sk->tp->state : TCP_CLOSED;
}

struct tcp_sock *tcp_alloc(struct sock *sk)
{
	struct tcp_sock *tp = calloc(1, sizeof(*tp));
	if (!tp)
		return NULL;
	tp->sk = sk;
	tp->rto = (uint64_t)TCP_RTO_INIT_MS * NSEC_PER_MSEC;
	tp->mss = TCP_DEFAULT_MSS6;
	tp->rcv_mss = TCP_MSS_DEFAULT; /* tcp_initialize_rcv_mss */
	tp->ssthresh = UINT32_MAX;
	sk->tp = tp;
	return tp;
}

static int tcp_v6_init_sock(struct sock *sk)
{
	return tcp_alloc(sk) ? 0 : -ENOMEM;
}

static void tcp_v6_destroy_sock(struct sock *sk)
{
	if (!sk->tp)
		return;
	if (sk->tp->state == TCP_LISTEN)
		reqsk_queue_purge(sk); /* inet_csk_listen_stop */
	tcp_set_state(sk->tp, TCP_CLOSED);
	free(sk->tp->sndbuf);
	free(sk->tp->rcvbuf);
	free(sk->tp);
	sk->tp = NULL;
}

/* Buffers only for connections (a listener never holds data). */
static int tcp_alloc_buffers(struct tcp_sock *tp)
{
	if (!tp->sndbuf)
		tp->sndbuf = malloc(TCP_SNDBUF);
	if (!tp->rcvbuf)
		tp->rcvbuf = malloc(TCP_RCVBUF);
	return tp->sndbuf && tp->rcvbuf ? 0 : -ENOMEM;
}

/* The fast path's table of established connections (stack_env's
 * tcp_estab_changed): in from ESTABLISHED, out at TIME_WAIT or CLOSED, so
 * a table entry always has a live socket behind it. */
static void tcp_estab_exempt_update(struct tcp_sock *tp)
{
	struct sock *sk = tp->sk;
	bool want = tp->state >= TCP_ESTABLISHED && tp->state != TCP_TIME_WAIT;
	if (want == tp->estab_exempt || !senv.tcp_estab_changed)
		return;
	int rc = senv.tcp_estab_changed(senv.ctx, &sk->peer.sin6_addr, sk->peer.sin6_port,
				       &sk->local.sin6_addr, sk->local.sin6_port, want);
	if (want && rc == -E2BIG)
		sockstats.tcp_estab_map_full++; /* policed as any other punt */
	tp->estab_exempt = want && rc == 0;
}

void tcp_set_state(struct tcp_sock *tp, enum tcp_state state)
{
	tp->state = state;
	tcp_estab_exempt_update(tp);
	if (state == TCP_ESTABLISHED) {
		tp->rcv_tstamp = stack_now();
		tcp_reset_keepalive_timer(tp);
	}
}

static void sk_state_change(struct sock *sk)
{
	if (sk->owner && sk->owner->state_change)
		sk->owner->state_change(sk);
}

static void tcp_unlink_child(struct tcp_sock *tp)
{
	struct sock *parent = tp->parent;
	if (!parent || !parent->tp)
		return;
	struct tcp_sock *ptp = parent->tp;
	for (unsigned i = 0; i < ptp->acceptq_len; i++)
		if (ptp->acceptq[i] == tp->sk) {
			memmove(&ptp->acceptq[i], &ptp->acceptq[i + 1],
				(ptp->acceptq_len - i - 1) * sizeof(ptp->acceptq[0]));
			ptp->acceptq_len--;
			break;
		}
	tp->parent = NULL;
}

void tcp_done(struct tcp_sock *tp, int err)
{
	struct sock *sk = tp->sk;
	if (tp->parent) {
		/* A child that dies before accept is simply dropped. */
		tcp_unlink_child(tp);
		tcp_set_state(tp, TCP_CLOSED);
		sk_free(sk);
		return;
	}
	if (tp->state == TCP_LISTEN)
		reqsk_queue_purge(sk);
	tcp_set_state(tp, TCP_CLOSED);
	tp->rtx_due = tp->tw_due = tp->fin_wait2_due = tp->tlp_due = tp->keep_due = 0;
	tp->delack_due = tp->cork_due = 0;
	if (err)
		sk->err = err;
	if (tp->orphan) {
		sk_free(sk);
		return;
	}
	sk_state_change(sk);
	if (sk->owner && sk->owner->readable)
		sk->owner->readable(sk);
}

uint16_t tcp_mss_for(const struct in6_addr *dst)
{
	struct fib6_result res = { 0 };
	static const struct in6_addr any;
	bool v4 = xrt_addr_is_v4(dst);
	uint32_t min = v4 ? IP4_MIN_MTU : IP6_MIN_MTU, mtu = min;
	if (senv.fib6_lookup(senv.ctx, XRT_TABLE_MAIN, &any, dst, &res) == 0 &&
	    res.type == XRT_RTN_UNICAST) {
		const struct xrt_netdev *dev = stack_dev(res.oif);
		mtu = res.mtu && dev && res.mtu < dev->mtu ? res.mtu : dev ? dev->mtu : mtu;
	}
	uint32_t pmtu = rt6_pmtu_get(dst);
	if (pmtu && pmtu < mtu)
		mtu = pmtu;
	if (mtu < min)
		mtu = min;
	/* tcp_mtu_to_mss: less the network and TCP headers (IPv4's 20). */
	return (uint16_t)(mtu - (v4 ? IP4_HDR_LEN : IP6_HDR_LEN) - TCP_HDR_LEN);
}

/* Smallest shift that lets the receive buffer be advertised (RFC 7323). */
uint8_t tcp_choose_wscale(void)
{
	uint8_t s = 0;
	while (s < TCP_MAX_WSCALE && ((uint32_t)0xffff << s) < TCP_RCVBUF)
		s++;
	return s;
}

/* An active open's first fields; the ISN is RFC 6528's (the kernel's
 * tcp_v6_connect: secure_tcpv6_seq over local, remote, ports). */
static void tcp_init_conn(struct tcp_sock *tp)
{
	const struct sock *sk = tp->sk;
	tp->iss = tcp_init_seq(&sk->local.sin6_addr, &sk->peer.sin6_addr,
			      sk->local.sin6_port, sk->peer.sin6_port);
	tp->snd_una = tp->iss;
	tp->snd_nxt = tp->iss;
	tp->snd_max = tp->iss;
	tp->snd_sml = tp->iss; /* no short segment out (tcp_connect_init) */
	tp->rcv_wscale = tcp_choose_wscale();
	tp->adv_mss = tcp_mss_for(&tp->sk->peer.sin6_addr);
	if (tp->opt.user_mss && tp->opt.user_mss < tp->adv_mss)
		tp->adv_mss = tp->opt.user_mss; /* TCP_MAXSEG before connect */
	tp->ts_off = get_random_u32(); /* RFC 7323 5.4 */
}

/* tcp_v6_connect: source, port, SYN (RFC 9293 3.10.1). */
static int tcp_v6_connect(struct sock *sk, const struct sockaddr_in6 *addr)
{
	struct tcp_sock *tp = sk->tp;
	if (addr->sin6_family != AF_INET6)
		return -EAFNOSUPPORT;
	if (tp->state == TCP_SYN_SENT)
		return -EALREADY;
	if (tp->state != TCP_CLOSED || sk->connected)
		return -EISCONN;
	if (!addr->sin6_port || ip6_is_mcast(&addr->sin6_addr) || ip6_is_unspec(&addr->sin6_addr))
		return -EINVAL;
	/* tcp_v6_connect: a mapped peer is tcp_v4_connect's, unless v6only;
	 * the source must then be IPv4 too. */
	if (xrt_addr_is_v4(&addr->sin6_addr) &&
	    (sk->v6only || (!ip6_is_unspec(&sk->local.sin6_addr) &&
			    !xrt_addr_is_v4(&sk->local.sin6_addr))))
		return -ENETUNREACH;
	if (ip6_is_unspec(&sk->local.sin6_addr)) {
		struct in6_addr src;
		int rc;
		if (ip6_is_linklocal(&addr->sin6_addr)) {
			const struct xrt_netdev *dev = stack_dev((int)addr->sin6_scope_id);
			rc = dev && ipv6_dev_get_lladdr(dev, &src) ? 0 : -EINVAL;
			sk->bound_dev_if = (int)addr->sin6_scope_id;
		} else {
			rc = inet6_pick_saddr(&addr->sin6_addr, &src);
		}
		if (rc < 0)
			return rc;
		sk->local.sin6_addr = src;
	}
	/* The peer first: the ephemeral port depends on it (RFC 6056 3.3.4). */
	sk->peer = *addr;
	int rc = sk->local.sin6_port ? 0 : inet6_hash_connect(sk);
	if (rc == 0 && tcp_alloc_buffers(tp) < 0)
		rc = -ENOMEM;
	if (rc < 0) {
		memset(&sk->peer, 0, sizeof(sk->peer));
		return rc;
	}
	sk->connected = true;
	tcp_init_conn(tp);
	tcp_set_state(tp, TCP_SYN_SENT);
	sockstats.tcp_active_opens++;
	tcp_send_syn(tp, false);
	return -EINPROGRESS; /* the owner hears of the result via state_change */
}

static int tcp_v6_get_port(struct sock *sk, uint16_t port)
{
	return inet6_get_port(sk, port);
}

/* inet_listen: an unbound socket gets an ephemeral port, as in Linux. */
static int inet_listen(struct sock *sk, int backlog)
{
	struct tcp_sock *tp = sk->tp;
	if (tp->state != TCP_CLOSED && tp->state != TCP_LISTEN)
		return -EINVAL;
	if (!sk->local.sin6_port) {
		int rc = inet6_get_port(sk, 0);
		if (rc < 0)
			return rc;
	}
	if (backlog <= 0)
		backlog = 1;
	tp->backlog = backlog > TCP_BACKLOG_MAX ? TCP_BACKLOG_MAX : backlog;
	tcp_set_state(tp, TCP_LISTEN);
	return 0;
}

struct sock *tcp_accept(struct sock *listener)
{
	struct tcp_sock *ltp = listener->tp;
	if (!ltp || ltp->state != TCP_LISTEN || !ltp->acceptq_len)
		return NULL;
	struct sock *child = ltp->acceptq[0];
	memmove(&ltp->acceptq[0], &ltp->acceptq[1],
		(ltp->acceptq_len - 1) * sizeof(ltp->acceptq[0]));
	ltp->acceptq_len--;
	child->tp->parent = NULL;
	child->owner = listener->owner;
	return child;
}

size_t tcp_send_space(const struct sock *sk)
{
	const struct tcp_sock *tp = sk->tp;
	if (!tp || !tp->sndbuf || tp->fin_queued)
		return 0;
	return TCP_SNDBUF - tp->snd_len;
}

size_t tcp_rcv_queued(const struct sock *sk)
{
	return sk->tp ? sk->tp->rcv_len : 0;
}

/* tcp_sendmsg: copy into the send ring, then push what the windows allow. */
static long tcp_sendmsg(struct sock *sk, const void *data, size_t len,
			const struct sockaddr_in6 *to)
{
	(void)to;
	struct tcp_sock *tp = sk->tp;
	if (sk->err)
		return -sk->err;
	if (tp->fin_queued || sk->shut_wr)
		return -EPIPE;
	if (tp->state != TCP_ESTABLISHED && tp->state != TCP_CLOSE_WAIT)
		return tp->state == TCP_SYN_SENT || tp->state == TCP_SYN_RECV ? -EAGAIN : -ENOTCONN;
	size_t room = TCP_SNDBUF - tp->snd_len;
	if (len > room)
		len = room;
	if (!len)
		return -EAGAIN;
	const uint8_t *src = data;
	size_t tail = (tp->snd_head + tp->snd_len) % TCP_SNDBUF;
	size_t first = TCP_SNDBUF - tail < len ? TCP_SNDBUF - tail : len;
	memcpy(tp->sndbuf + tail, src, first);
	memcpy(tp->sndbuf, src + first, len - first);
	tp->snd_len += len;
	tcp_write_xmit(tp);
	return (long)len;
}

size_t tcp_recvmsg(struct sock *sk, void *buf, size_t len, bool *eof)
{
	struct tcp_sock *tp = sk->tp;
	*eof = false;
	if (!tp || !tp->rcvbuf) {
		*eof = tp && tp->state == TCP_CLOSED;
		return 0;
	}
	uint32_t wnd_before = tcp_rcv_window(tp);
	if (len > tp->rcv_len)
		len = tp->rcv_len;
	uint8_t *dst = buf;
	size_t first = TCP_RCVBUF - tp->rcv_head < len ? TCP_RCVBUF - tp->rcv_head : len;
	memcpy(dst, tp->rcvbuf + tp->rcv_head, first);
	memcpy(dst + first, tp->rcvbuf, len - first);
	tp->rcv_head = (tp->rcv_head + len) % TCP_RCVBUF;
	tp->rcv_len -= len;
	if (!tp->rcv_len && (tp->fin_rcvd || tp->state == TCP_CLOSED))
		*eof = true;
	/* RFC 9293 3.8.6.2.2: tell the peer once the window opened by at
	 * least one MSS (or from zero); smaller updates would be silly. */
	uint32_t wnd_after = tcp_rcv_window(tp);
	if (len && !tp->fin_rcvd &&
	    (tp->state == TCP_ESTABLISHED || tp->state == TCP_FIN_WAIT1 ||
	     tp->state == TCP_FIN_WAIT2) &&
	    (wnd_before < tp->adv_mss || wnd_after - wnd_before >= 2u * tp->adv_mss) &&
	    wnd_after > wnd_before)
		tcp_send_ack(tp);
	return len;
}

void tcp_set_linger0(struct sock *sk, bool on)
{
	if (sk->tp)
		sk->tp->linger0 = on;
}

static int tcp_shutdown(struct sock *sk, int how)
{
	struct tcp_sock *tp = sk->tp;
	if (how == SHUT_RD || how == SHUT_RDWR)
		sk->shut_rd = true;
	if (how != SHUT_WR && how != SHUT_RDWR)
		return 0;
	switch (tp->state) {
	case TCP_ESTABLISHED:
	case TCP_CLOSE_WAIT:
		if (!tp->fin_queued) {
			tp->fin_queued = true;
			sk->shut_wr = true;
			tcp_write_xmit(tp);
		}
		return 0;
	case TCP_SYN_SENT:
	case TCP_LISTEN:
		tcp_done(tp, 0);
		return 0;
	case TCP_SYN_RECV:
		tp->fin_queued = true;
		sk->shut_wr = true;
		return 0;
	default:
		return -ENOTCONN;
	}
}

/* tcp_close: orderly (FIN after the data) unless data is left unread or
 * SO_LINGER 0 asks for an abort (RST, RFC 9293 3.10.4 ABORT). */
static void tcp_close(struct sock *sk)
{
	struct tcp_sock *tp = sk->tp;
	sk->owner = NULL;
	sk->owner_ctx = NULL;
	tp->orphan = true;
	switch (tp->state) {
	case TCP_LISTEN:
		reqsk_queue_purge(sk);
		for (struct sock *c = sk_first(); c; c = sk_next(c))
			if (c->tp && c->tp->parent == sk) {
				tcp_send_active_reset(c->tp);
				c->tp->parent = NULL;
				c->tp->orphan = true;
				sk_free(c);
			}
		tp->acceptq_len = 0;
		sk_free(sk);
		return;
	case TCP_CLOSED:
	case TCP_SYN_SENT:
		sk_free(sk);
		return;
	case TCP_TIME_WAIT:
		return;
	case TCP_FIN_WAIT1:
	case TCP_FIN_WAIT2:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		if (tp->linger0) {
			tcp_send_active_reset(tp);
			sk_free(sk);
			return;
		}
		if (tp->state == TCP_FIN_WAIT2)
			tp->fin_wait2_due = stack_now() + (uint64_t)TCP_FIN_TIMEOUT_MS * NSEC_PER_MSEC;
		return;
	default:
		break;
	}
	if (tp->rcv_len || tp->linger0) {
		tcp_send_active_reset(tp);
		sk_free(sk);
		return;
	}
	if (!tp->fin_queued) {
		tp->fin_queued = true;
		sk->shut_wr = true;
	}
	tcp_write_xmit(tp);
}

static const struct proto_ops inet6_stream_ops = {
	.bind = inet6_bind, .connect = tcp_v6_connect, .listen = inet_listen,
	.sendmsg = tcp_sendmsg, .shutdown = tcp_shutdown, .release = tcp_close,
};
static const struct proto tcpv6_prot = {
	.name = "TCPv6", .init = tcp_v6_init_sock, .get_port = tcp_v6_get_port,
	.destroy = tcp_v6_destroy_sock,
};
struct inet_protosw tcpv6_protosw = {
	.type = SOCK_STREAM, .protocol = IPPROTO_TCP, .ops = &inet6_stream_ops,
	.prot = &tcpv6_prot,
};

/* tcp_v6_syn_recv_sock: the handshake of req completed, so the connection
 * gets its socket and its buffers now, not at the SYN (a SYN costs only its
 * request_sock). NULL, counted, when the accept queue or the socket table
 * is full; the caller keeps the request and the peer retries. */
struct sock *tcp_v6_syn_recv_sock(struct sock *listener, const struct request_sock *req)
{
	struct tcp_sock *ltp = listener->tp;
	if (ltp->acceptq_len >= (unsigned)ltp->backlog) {
		sockstats.tcp_listen_overflows++;
		sockstats.tcp_backlog_drops++;
		DROP_INC(TCP_BACKLOG);
		return NULL;
	}
	struct sock *sk = sk_alloc(SOCK_STREAM, IPPROTO_TCP, &tcpv6_protosw);
	if (!sk || !tcp_alloc(sk) || tcp_alloc_buffers(sk->tp) < 0) {
		if (sk)
			sk_free(sk);
		sockstats.tcp_backlog_drops++;
		DROP_INC(TCP_BACKLOG);
		return NULL;
	}
	sk->local = listener->local;
	sk->local.sin6_addr = req->loc_addr;
	sk->peer.sin6_family = AF_INET6;
	sk->peer.sin6_addr = req->rmt_addr;
	sk->peer.sin6_port = req->rmt_port;
	bool ll = ip6_is_linklocal(&req->rmt_addr);
	sk->peer.sin6_scope_id = ll ? (uint32_t)req->ifindex : 0;
	sk->bound_dev_if = ll ? req->ifindex : listener->bound_dev_if;
	sk->connected = true;
	/* sk_clone_lock / inet_csk_clone_lock: the listener's options. */
	sk->hop_limit = listener->hop_limit;
	sk->tclass = listener->tclass;
	sk->ttl = listener->ttl;
	sk->tos = listener->tos;
	sk->reuseaddr = listener->reuseaddr;
	struct tcp_sock *tp = sk->tp;
	tp->parent = listener;
	tp->linger0 = ltp->linger0;
	tp->opt = ltp->opt;
	tp->sack_ok = req->sack_ok;
	tp->tstamp_ok = req->tstamp_ok;
	tp->ts_recent = req->ts_recent;
	tp->ts_recent_stamp = stack_now();
	tp->ts_off = req->ts_off;
	tp->iss = req->snt_isn;
	tp->snd_una = tp->iss;
	tp->snd_nxt = tp->snd_max = tp->iss + 1;
	tp->snd_sml = tp->snd_una; /* tcp_create_openreq_child */
	tp->irs = req->rcv_isn;
	tp->rcv_nxt = tp->irs + 1;
	tp->rcv_adv = tp->rcv_nxt + TCP_SYNACK_WINDOW;
	tp->last_ack_sent = tp->rcv_nxt; /* the SYN-ACK acknowledged the SYN */
	tp->mss = req->mss;
	tp->adv_mss = req->adv_mss;
	tp->wscale_ok = req->wscale_ok;
	tp->snd_wscale = req->snd_wscale;
	tp->rcv_wscale = req->rcv_wscale;
	tp->snd_wnd = req->snd_wnd;
	tp->snd_wl1 = req->rcv_isn;
	tp->cwnd = 10u * tp->mss; /* RFC 6928, as Linux */
	tp->syn_retransmitted = req->num_retrans > 0;
	if (tp->syn_retransmitted)
		tp->rto = (uint64_t)TCP_RTO_SYN_RETRANS_MS * NSEC_PER_MSEC; /* RFC 6298 5.7 */
	tcp_set_state(tp, TCP_SYN_RECV);
	sockstats.tcp_passive_opens++;
	return sk;
}

void tcp_child_established(struct tcp_sock *tp)
{
	struct sock *parent = tp->parent;
	struct tcp_sock *ptp = parent->tp;
	ptp->acceptq[ptp->acceptq_len++] = tp->sk;
	sk_state_change(parent);
}

void tcp_set_keepalive(struct sock *sk, bool on)
{
	struct tcp_sock *tp = sk->tp;
	tp->opt.keepalive = on;
	tp->keep_probes = 0;
	if (on)
		tcp_reset_keepalive_timer(tp);
	else
		tp->keep_due = 0;
}

/* do_tcp_setsockopt: the kernel's checks and ranges. TCP_INFO (read
 * only) and everything else: -ENOPROTOOPT. */
int tcp_setsockopt(struct sock *sk, int name, int val)
{
	struct tcp_sock *tp = sk->tp;
	if (!tp)
		return -ENOPROTOOPT;
	switch (name) {
	case TCP_NODELAY:
		tp->opt.nodelay = val != 0;
		if (tp->opt.nodelay && tp->sndbuf)
			tcp_write_xmit(tp); /* tcp_push_pending_frames */
		return 0;
	case TCP_CORK:
		/* Uncorking pushes what waits (tcp_push_pending_frames). */
		tp->opt.cork = val != 0;
		tp->cork_due = 0;
		if (!tp->opt.cork && tp->sndbuf)
			tcp_write_xmit(tp);
		return 0;
	case TCP_MAXSEG:
		/* 0 = back to the route's MSS, as the kernel allows. */
		if (val && (val < TCP_MIN_MSS || val > TCP_MAX_MSS))
			return -EINVAL;
		tp->opt.user_mss = (uint16_t)val;
		return 0;
	case TCP_KEEPIDLE:
	case TCP_KEEPINTVL:
		if (val < 1 || val > TCP_KEEPIDLE_MAX_S)
			return -EINVAL;
		if (name == TCP_KEEPIDLE)
			tp->opt.keepidle_s = (uint32_t)val;
		else
			tp->opt.keepintvl_s = (uint32_t)val;
		if (tp->opt.keepalive)
			tcp_reset_keepalive_timer(tp);
		return 0;
	case TCP_KEEPCNT:
		if (val < 1 || val > TCP_KEEPCNT_MAX)
			return -EINVAL;
		tp->opt.keepcnt = (uint32_t)val;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

/* The current send MSS as TCP_MAXSEG reads it (tcp_current_mss once
 * connected, else TCP_MAXSEG or the RFC 9293 default). */
static int tcp_maxseg_get(const struct tcp_sock *tp)
{
	if (tp->state == TCP_LISTEN || tp->state == TCP_CLOSED || tp->state == TCP_SYN_SENT)
		return tp->opt.user_mss ? tp->opt.user_mss : TCP_MSS_DEFAULT;
	int mss = tp->opt.user_mss && tp->opt.user_mss < tp->mss ? tp->opt.user_mss : tp->mss;
	return tp->tstamp_ok ? mss - TCPOLEN_TSTAMP_ALIGNED : mss;
}

int tcp_getsockopt(const struct sock *sk, int name, int *val)
{
	const struct tcp_sock *tp = sk->tp;
	if (!tp)
		return -ENOPROTOOPT;
	switch (name) {
	case TCP_NODELAY:
		*val = tp->opt.nodelay;
		return 0;
	case TCP_CORK:
		*val = tp->opt.cork;
		return 0;
	case TCP_MAXSEG:
		*val = tcp_maxseg_get(tp);
		return 0;
	case TCP_KEEPIDLE:
		*val = (int)(tp->opt.keepidle_s ? tp->opt.keepidle_s : TCP_KEEPALIVE_TIME_S);
		return 0;
	case TCP_KEEPINTVL:
		*val = (int)(tp->opt.keepintvl_s ? tp->opt.keepintvl_s : TCP_KEEPALIVE_INTVL_S);
		return 0;
	case TCP_KEEPCNT:
		*val = (int)(tp->opt.keepcnt ? tp->opt.keepcnt : TCP_KEEPALIVE_PROBES);
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

/* tcp_get_info: what this stack keeps, the rest zero. Times in us. */
void tcp_get_info(const struct sock *sk, struct tcp_info *info)
{
	/* The kernel's state numbers (include/net/tcp_states.h). */
	static const uint8_t linux_state[] = {
		[TCP_CLOSED] = 7, [TCP_LISTEN] = 10, [TCP_SYN_SENT] = 2,
		[TCP_SYN_RECV] = 3, [TCP_ESTABLISHED] = 1, [TCP_FIN_WAIT1] = 4,
		[TCP_FIN_WAIT2] = 5, [TCP_CLOSE_WAIT] = 8, [TCP_CLOSING] = 11,
		[TCP_LAST_ACK] = 9, [TCP_TIME_WAIT] = 6,
	};
	memset(info, 0, sizeof(*info));
	const struct tcp_sock *tp = sk->tp;
	if (!tp)
		return;
	info->tcpi_state = linux_state[tp->state];
	info->tcpi_ca_state = tp->in_recovery ? TCP_CA_Recovery : TCP_CA_Open;
	info->tcpi_retransmits = (uint8_t)tp->retries;
	info->tcpi_probes = (uint8_t)tp->keep_probes;
	if (tp->tstamp_ok)
		info->tcpi_options |= TCPI_OPT_TIMESTAMPS;
	if (tp->sack_ok)
		info->tcpi_options |= TCPI_OPT_SACK;
	if (tp->wscale_ok) {
		info->tcpi_options |= TCPI_OPT_WSCALE;
		info->tcpi_snd_wscale = tp->snd_wscale & 0xf;
		info->tcpi_rcv_wscale = tp->rcv_wscale & 0xf;
	}
	info->tcpi_rto = (uint32_t)(tp->rto / 1000);
	info->tcpi_snd_mss = (uint32_t)tcp_maxseg_get(tp);
	info->tcpi_rcv_mss = tp->rcv_mss;
	info->tcpi_unacked = tp->mss ? (tp->snd_max - tp->snd_una + tp->mss - 1) / tp->mss : 0;
	info->tcpi_sacked = 0;
	for (unsigned i = 0; i < tp->nsacked; i++)
		info->tcpi_sacked += (tp->sacked[i].end - tp->sacked[i].start) / tp->mss;
	uint64_t now = stack_now();
	info->tcpi_last_data_recv = (uint32_t)((now - tp->rcv_tstamp) / NSEC_PER_MSEC);
	info->tcpi_last_ack_recv = info->tcpi_last_data_recv;
	info->tcpi_pmtu = (uint32_t)tp->mss + TCP_HDR_LEN +
			  (xrt_addr_is_v4(&sk->peer.sin6_addr) ? IP4_HDR_LEN : IP6_HDR_LEN);
	info->tcpi_rtt = (uint32_t)(tp->srtt / 1000);
	info->tcpi_rttvar = (uint32_t)(tp->rttvar / 1000);
	info->tcpi_snd_ssthresh = tp->ssthresh;
	info->tcpi_snd_cwnd = tp->mss ? tp->cwnd / tp->mss : 0;
	info->tcpi_advmss = tp->adv_mss;
	info->tcpi_reordering = TCP_FASTRETRANS_THRESH;
	info->tcpi_rcv_space = tcp_rcv_window((struct tcp_sock *)tp);
	info->tcpi_total_retrans = tp->total_retrans;
}
