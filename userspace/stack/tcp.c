/* xrt: TCP's socket side (tcp_v6_connect, inet_listen, inet_accept, tcp_sendmsg, tcp_recvmsg, tcp_close): the SOCK_STREAM entry of inetsw6. */
#include <errno.h>
#include <stdlib.h>
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

void tcp_set_state(struct tcp_sock *tp, enum tcp_state state)
{
	tp->state = state;
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
		tp->state = TCP_CLOSED;
		sk_free(sk);
		return;
	}
	if (tp->state == TCP_LISTEN)
		reqsk_queue_purge(sk);
	tp->state = TCP_CLOSED;
	tp->rtx_due = tp->tw_due = tp->fin_wait2_due = 0;
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
	uint32_t mtu = IP6_MIN_MTU;
	if (senv.fib6_lookup(senv.ctx, XRT_TABLE_MAIN, &any, dst, &res) == 0 &&
	    res.type == XRT_RTN_UNICAST) {
		const struct xrt_netdev *dev = stack_dev(res.oif);
		mtu = res.mtu && dev && res.mtu < dev->mtu ? res.mtu : dev ? dev->mtu : mtu;
	}
	uint32_t pmtu = rt6_pmtu_get(dst);
	if (pmtu && pmtu < mtu)
		mtu = pmtu;
	if (mtu < IP6_MIN_MTU)
		mtu = IP6_MIN_MTU;
	return (uint16_t)(mtu - IP6_HDR_LEN - TCP_HDR_LEN);
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
	tp->iss = secure_tcpv6_seq(&sk->local.sin6_addr, &sk->peer.sin6_addr,
				   sk->local.sin6_port, sk->peer.sin6_port);
	tp->snd_una = tp->iss;
	tp->snd_nxt = tp->iss;
	tp->snd_max = tp->iss;
	tp->rcv_wscale = tcp_choose_wscale();
	tp->adv_mss = tcp_mss_for(&tp->sk->peer.sin6_addr);
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
	struct tcp_sock *tp = sk->tp;
	tp->parent = listener;
	tp->linger0 = ltp->linger0;
	tp->iss = req->snt_isn;
	tp->snd_una = tp->iss;
	tp->snd_nxt = tp->snd_max = tp->iss + 1;
	tp->irs = req->rcv_isn;
	tp->rcv_nxt = tp->irs + 1;
	tp->rcv_adv = tp->rcv_nxt + TCP_SYNACK_WINDOW;
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
