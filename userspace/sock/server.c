/* xrt: xrtd's socket server: application sockets as socketpairs, requests on a control channel, bytes moved to and from the stack's sockets. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/icmp6.h>
#include <linux/tcp.h> /* TCP_* options, struct tcp_info (netinet/tcp.h clashes with enum tcp_state) */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "sock/server.h"
#include "ctl/local_stats.h"
#include "ctl/unix_sock.h"
#include "xrt/err.h"
#include "stack/sock.h"
#include "sock/proto.h"
#include "stack/sock_tcp.h"

#define SRV_EVENTS 64
#define SRV_DGRAM_BATCH 64     /* datagrams per wakeup per socket: fairness */
#define SRV_STREAM_CHUNK 65536 /* bytes moved per read / staging buffer */
#define SRV_SOCKBUF (1 << 20)  /* socketpair buffers: the per-socket queue */

enum srv_kind { K_LISTEN = 1, K_CTL, K_DATA };
#define TAG(kind, idx) (((uint64_t)(kind) << 32) | (uint32_t)(idx))

/* One application socket. */
struct sock_conn {
	bool used;
	int ctl_fd, data_fd;
	uid_t uid;
	struct sock *sk;
	bool ctl_closed, data_eof, app_gone, eof_sent, pending_connect;
	bool in_epoll;
	uint32_t events;
	unsigned tokens;          /* accept tokens written (listener) */
	uint8_t *stage;           /* stream bytes taken from TCP, not yet written */
	size_t stage_off, stage_len;
};

static struct {
	int epfd, listen_fd;
	bool paused; /* ENFILE: listener out of epoll until the backoff ends */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* bound by us */
	struct sock_conn conns[XRT_SOCK_MAX];
} srv = { .epfd = -1, .listen_fd = -1 };

static uint8_t io_buf[sizeof(struct xrt_dgram_hdr) + XRT_DGRAM_MAX];

static void conn_pump_rx(struct sock_conn *c);
static void conn_maybe_release(struct sock_conn *c);

static int conn_index(const struct sock_conn *c)
{
	return (int)(c - srv.conns);
}

/* A connection slot for uid, within its quota: a non-root uid holds at
 * most XRT_SOCK_UID_MAX, and all of them together leave
 * XRT_SOCK_ROOT_RESERVE free for root, so other users cannot lock root's
 * applications out of the table. NULL with *err = ENOBUFS (quota) or
 * ENFILE (table full), counted. */
static struct sock_conn *conn_alloc(uid_t uid, int *err)
{
	struct sock_conn *free_c = NULL;
	unsigned mine = 0, nonroot = 0;
	for (unsigned i = 0; i < XRT_SOCK_MAX; i++) {
		struct sock_conn *c = &srv.conns[i];
		if (!c->used) {
			if (!free_c)
				free_c = c;
			continue;
		}
		if (c->uid != 0)
			nonroot++;
		if (c->uid == uid)
			mine++;
	}
	if (uid != 0 && mine >= XRT_SOCK_UID_MAX) {
		xrt_local_stats.sock_refused_quota++;
		*err = ENOBUFS;
		return NULL;
	}
	if (!free_c || (uid != 0 && nonroot >= XRT_SOCK_MAX - XRT_SOCK_ROOT_RESERVE)) {
		xrt_local_stats.sock_refused_full++;
		*err = ENFILE;
		return NULL;
	}
	memset(free_c, 0, sizeof(*free_c));
	free_c->used = true;
	free_c->uid = uid;
	free_c->ctl_fd = free_c->data_fd = -1;
	return free_c;
}

static void conn_free(struct sock_conn *c)
{
	if (c->ctl_fd >= 0)
		close(c->ctl_fd);
	if (c->data_fd >= 0)
		close(c->data_fd); /* leaves epoll with it */
	free(c->stage);
	memset(c, 0, sizeof(*c));
}

static bool is_stream(const struct sock_conn *c)
{
	return c->sk && c->sk->type == SOCK_STREAM;
}

/* The data fd's interest: input while the stack can take it, output while
 * bytes wait for the application. */
static void conn_update_events(struct sock_conn *c)
{
	if (c->data_fd < 0 || c->app_gone)
		return;
	uint32_t ev = 0;
	if (!c->data_eof && c->sk) {
		if (!is_stream(c))
			ev |= EPOLLIN;
		else if (tcp_state_of(c->sk) != TCP_LISTEN && tcp_send_space(c->sk) &&
			 (tcp_state_of(c->sk) == TCP_ESTABLISHED ||
			  tcp_state_of(c->sk) == TCP_CLOSE_WAIT))
			ev |= EPOLLIN;
	}
	if (c->stage_len)
		ev |= EPOLLOUT;
	if (c->in_epoll && ev == c->events)
		return;
	struct epoll_event e = { .events = ev, .data.u64 = TAG(K_DATA, conn_index(c)) };
	if (!c->in_epoll) {
		if (epoll_ctl(srv.epfd, EPOLL_CTL_ADD, c->data_fd, &e) == 0)
			c->in_epoll = true;
		else
			xrt_local_stats.sock_epoll_errors++; /* tried again at the next change */
	} else {
		epoll_ctl(srv.epfd, EPOLL_CTL_MOD, c->data_fd, &e);
	}
	c->events = ev;
}

/* ---------------------------------------------------------------- upcalls */

static int up_dgram_rcv(struct sock *sk, const struct sockaddr_in6 *from, const void *data,
			size_t len)
{
	struct sock_conn *c = sk->owner_ctx;
	if (!c || c->app_gone)
		return -1;
	struct xrt_dgram_hdr h = { .addr = *from, .hoplimit = sk->recvhoplimit ? sk->rx_hoplimit : -1 };
	if (sk->rxpktinfo) {
		h.pi_addr = sk->rx_info.addr;
		h.pi_ifindex = sk->rx_info.ifindex;
	}
	struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)data, len } };
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };
	return sendmsg(c->data_fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/* sk_error_report for a datagram socket: the error travels in order on
 * the data descriptor, where the application's next recv (or send, or
 * SO_ERROR) finds it; while it waits there sk->err is clear. */
static void up_error_report(struct sock *sk)
{
	struct sock_conn *c = sk->owner_ctx;
	if (!c || c->app_gone || sk->type == SOCK_STREAM || !sk->err)
		return;
	struct xrt_dgram_hdr h = { .hoplimit = -1, .err = sk->err };
	if (send(c->data_fd, &h, sizeof(h), MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)sizeof(h))
		sk->err = 0;
}

/* ipv6_icmp_error for an IPV6_RECVERR socket: the entry travels on the
 * data descriptor too; the shim keeps it for recvmsg(MSG_ERRQUEUE). */
static void up_error_queue(struct sock *sk, const struct sock_ee *ee, const void *payload,
			   size_t len)
{
	struct sock_conn *c = sk->owner_ctx;
	if (!c || c->app_gone)
		return;
	struct xrt_dgram_hdr h = { .addr = ee->dst, .hoplimit = -1,
				   .err = XRT_DGRAM_ERRQUEUE | ee->err };
	struct xrt_dgram_ee x = { .type = ee->type, .code = ee->code, .origin = ee->origin,
				  .info = ee->info,
				  .offender = ee->offender };
	struct iovec iov[3] = { { &h, sizeof(h) }, { &x, sizeof(x) }, { (void *)payload, len } };
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 3 };
	if (sendmsg(c->data_fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		sockstats.udp_rcvq_full++;
}

static void up_readable(struct sock *sk)
{
	struct sock_conn *c = sk->owner_ctx;
	if (c)
		conn_pump_rx(c);
}

static void up_writable(struct sock *sk)
{
	struct sock_conn *c = sk->owner_ctx;
	if (c)
		conn_update_events(c);
}

static void reply(struct sock_conn *c, int err, int val, const struct sockaddr_in6 *addr,
		  const int *fds, unsigned nfds);

static void up_state_change(struct sock *sk)
{
	struct sock_conn *c = sk->owner_ctx;
	if (!c)
		return;
	enum tcp_state st = tcp_state_of(sk);
	if (st == TCP_LISTEN) {
		/* One byte per connection waiting: poll/accept on the data fd. */
		while (c->tokens < sk->tp->acceptq_len) {
			if (write(c->data_fd, "a", 1) != 1)
				break;
			c->tokens++;
		}
		return;
	}
	if (c->pending_connect && st != TCP_SYN_SENT) {
		c->pending_connect = false;
		int err = st == TCP_ESTABLISHED || st == TCP_CLOSE_WAIT ? 0 : (sk->err ? sk->err : ECONNREFUSED);
		if (err)
			sk->err = 0; /* reported by connect itself */
		reply(c, err, 0, NULL, NULL, 0);
	}
	conn_update_events(c);
	conn_pump_rx(c);
	if (st == TCP_CLOSED && sk->err && c->data_fd >= 0 && !c->app_gone) {
		/* Reset or timed out: reads see the end, writes fail (EPIPE)
		 * instead of filling a buffer nobody will ever drain. */
		shutdown(c->data_fd, SHUT_RDWR);
		c->eof_sent = true;
	}
}

static const struct sock_owner_ops srv_owner_ops = {
	.dgram_rcv = up_dgram_rcv, .readable = up_readable, .writable = up_writable,
	.state_change = up_state_change, .error_report = up_error_report,
	.error_queue = up_error_queue,
};

/* ---------------------------------------------------------------- stream */

/* Move received bytes to the application; end of stream after the last. */
static void conn_pump_rx(struct sock_conn *c)
{
	if (!is_stream(c) || tcp_state_of(c->sk) == TCP_LISTEN || c->data_fd < 0)
		return;
	for (unsigned guard = 0; guard < 64; guard++) {
		if (!c->stage_len) {
			if (!c->stage && !(c->stage = malloc(SRV_STREAM_CHUNK)))
				return;
			bool eof = false;
			c->stage_off = 0;
			c->stage_len = tcp_recvmsg(c->sk, c->stage, SRV_STREAM_CHUNK, &eof);
			if (!c->stage_len) {
				if ((eof || c->sk->err) && !c->eof_sent && !c->app_gone) {
					shutdown(c->data_fd, SHUT_WR);
					c->eof_sent = true;
				}
				break;
			}
		}
		if (c->app_gone) {
			c->stage_len = 0; /* nobody reads: discard */
			continue;
		}
		ssize_t n = write(c->data_fd, c->stage + c->stage_off, c->stage_len);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			c->app_gone = true;
			c->stage_len = 0;
			continue;
		}
		c->stage_off += (size_t)n;
		c->stage_len -= (size_t)n;
		if (c->stage_len)
			break;
	}
	conn_update_events(c);
}

/* Has the application closed the control channel (EOF waiting on it)? */
static bool ctl_is_closed(struct sock_conn *c)
{
	char b;
	if (c->ctl_fd < 0)
		return true;
	ssize_t n = recv(c->ctl_fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n == 0) {
		c->ctl_closed = true;
		close(c->ctl_fd); /* leaves epoll with it */
		c->ctl_fd = -1;
		return true;
	}
	return false;
}

/* Bytes the application wrote: into the TCP send buffer. */
static void conn_stream_in(struct sock_conn *c)
{
	struct sock *sk = c->sk;
	for (unsigned guard = 0; guard < 16; guard++) {
		size_t space = tcp_send_space(sk);
		if (!space)
			break;
		if (space > SRV_STREAM_CHUNK)
			space = SRV_STREAM_CHUNK;
		ssize_t n = read(c->data_fd, io_buf, space);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			n = 0;
		}
		if (n == 0) {
			/* shutdown(SHUT_WR): FIN once everything before it is
			 * sent. A close (the control channel is gone too) is
			 * left to release, which may have to reset instead. */
			c->data_eof = true;
			if (!c->ctl_closed && !ctl_is_closed(c))
				sk->ops->shutdown(sk, SHUT_WR);
			break;
		}
		long taken = sk->ops->sendmsg(sk, io_buf, (size_t)n, NULL);
		if (taken < n) {
			/* The connection died under us: nothing more goes out,
			 * and the application's next write fails. */
			c->data_eof = true;
			shutdown(c->data_fd, SHUT_RD);
			break;
		}
	}
	conn_update_events(c);
	conn_maybe_release(c);
}

/* ---------------------------------------------------------------- datagrams */

/* Send up to max datagrams the application wrote. */
static void dgram_take(struct sock_conn *c, unsigned max)
{
	for (unsigned i = 0; i < max; i++) {
		ssize_t n = recv(c->data_fd, io_buf, sizeof(io_buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				c->data_eof = true;
			break;
		}
		if (n == 0) {
			c->data_eof = true;
			break;
		}
		if ((size_t)n < sizeof(struct xrt_dgram_hdr))
			continue; /* not our framing: ignored */
		struct xrt_dgram_hdr h;
		memcpy(&h, io_buf, sizeof(h));
		c->sk->tx_info = (struct sk_pktinfo){ .addr = h.pi_addr, .ifindex = h.pi_ifindex };
		c->sk->tx_hl_set = h.hoplimit >= 0 && h.hoplimit <= 255;
		c->sk->tx_hl = (uint8_t)h.hoplimit;
		/* The application's call returned already: what the stack
		 * refuses here (no route, IPV6_PKTINFO with a source not
		 * ours) is a counted drop. */
		if (c->sk->ops->sendmsg(c->sk, io_buf + sizeof(h), (size_t)n - sizeof(h),
					h.addr.sin6_family ? &h.addr : NULL) < 0)
			sockstats.dgram_send_err++;
		c->sk->tx_info = (struct sk_pktinfo){ 0 };
		c->sk->tx_hl_set = false;
	}
}

static void conn_dgram_in(struct sock_conn *c)
{
	dgram_take(c, SRV_DGRAM_BATCH);
	conn_update_events(c);
	conn_maybe_release(c);
}

/* ---------------------------------------------------------------- requests */

static void reply(struct sock_conn *c, int err, int val, const struct sockaddr_in6 *addr,
		  const int *fds, unsigned nfds)
{
	if (c->ctl_fd < 0)
		return;
	struct xrt_sock_rep r = { .magic = XRT_SOCK_MAGIC, .err = err, .val = val };
	if (addr)
		r.addr = *addr;
	struct iovec iov = { &r, sizeof(r) };
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (nfds) {
		memset(&u, 0, sizeof(u));
		m.msg_control = u.buf;
		m.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	if (sendmsg(c->ctl_fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		c->ctl_closed = true;
}

/* A socketpair of the socket's kind; our end non-blocking with big
 * buffers (the bounded per-socket queue), theirs returned in *app. */
static int make_pair(int type, int *ours, int *app)
{
	int sv[2];
	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	int sz = SRV_SOCKBUF;
	for (int i = 0; i < 2; i++) {
		setsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
		setsockopt(sv[i], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
	int fl = fcntl(sv[0], F_GETFL);
	if (fl < 0 || fcntl(sv[0], F_SETFL, fl | O_NONBLOCK) < 0) {
		close(sv[0]);
		close(sv[1]);
		return -errno;
	}
	*ours = sv[0];
	*app = sv[1];
	return 0;
}

static void op_socket(struct sock_conn *c, const struct xrt_sock_req *q)
{
	if (c->sk)
		return reply(c, EISCONN, 0, NULL, NULL, 0);
	if (q->arg0 == SOCK_RAW && c->uid != 0)
		return reply(c, EPERM, 0, NULL, NULL, 0);
	int err = 0;
	struct sock *sk = inet6_create(q->arg0, q->arg1, &srv_owner_ops, c, &err);
	if (!sk)
		return reply(c, err, 0, NULL, NULL, 0);
	int app;
	int rc = make_pair(q->arg0 == SOCK_STREAM ? SOCK_STREAM : SOCK_SEQPACKET, &c->data_fd, &app);
	if (rc < 0) {
		sk->ops->release(sk);
		return reply(c, -rc, 0, NULL, NULL, 0);
	}
	sk->uid = c->uid;
	sk->v4only = q->arg2 == AF_INET;
	c->sk = sk;
	reply(c, 0, 0, NULL, &app, 1);
	close(app);
	conn_update_events(c);
}

static void op_accept(struct sock_conn *c)
{
	if (!is_stream(c) || tcp_state_of(c->sk) != TCP_LISTEN)
		return reply(c, EINVAL, 0, NULL, NULL, 0);
	if (!c->sk->tp->acceptq_len)
		return reply(c, EAGAIN, 0, NULL, NULL, 0);
	int aerr;
	struct sock_conn *n = conn_alloc(c->uid, &aerr);
	if (!n)
		return reply(c, aerr, 0, NULL, NULL, 0);
	int fds[2];
	int rc = make_pair(SOCK_STREAM, &n->data_fd, &fds[0]);
	if (rc == 0 && (rc = make_pair(SOCK_SEQPACKET, &n->ctl_fd, &fds[1])) < 0)
		close(fds[0]);
	if (rc < 0) {
		conn_free(n);
		return reply(c, -rc, 0, NULL, NULL, 0);
	}
	struct epoll_event e = { .events = EPOLLIN, .data.u64 = TAG(K_CTL, conn_index(n)) };
	if (epoll_ctl(srv.epfd, EPOLL_CTL_ADD, n->ctl_fd, &e) < 0) {
		/* Unwatched, its control channel would never be served nor
		 * closed: leave the connection in the accept queue. */
		rc = errno;
		xrt_local_stats.sock_epoll_errors++;
		close(fds[0]);
		close(fds[1]);
		conn_free(n);
		return reply(c, rc, 0, NULL, NULL, 0);
	}
	struct sock *child = tcp_accept(c->sk);
	if (c->tokens)
		c->tokens--;
	child->owner_ctx = n;
	child->uid = c->uid;
	n->sk = child;
	reply(c, 0, 0, &child->peer, fds, 2);
	close(fds[0]);
	close(fds[1]);
	conn_update_events(n);
	conn_pump_rx(n); /* data that came with or after the handshake */
}

static void op_sockopt(struct sock_conn *c, const struct xrt_sock_req *q, bool set)
{
	struct sock *sk = c->sk;
	if (q->arg0 == IPPROTO_ICMPV6 && q->arg1 == ICMP6_FILTER) {
		/* The 32-byte filter travels as arg2 + the 28 bytes of addr. */
		uint32_t f[8] = { 0 };
		struct sockaddr_in6 a = { 0 };
		int rc;
		_Static_assert(sizeof(f) == sizeof(q->arg2) + sizeof(q->addr), "filter packing");
		if (set) {
			memcpy(f, &q->arg2, sizeof(q->arg2));
			memcpy(f + 1, &q->addr, sizeof(q->addr));
			rc = rawv6_seticmpfilter(sk, f);
		} else if ((rc = rawv6_geticmpfilter(sk, f)) == 0) {
			memcpy(&a, f + 1, sizeof(a));
		}
		return reply(c, -rc, (int)f[0], set || rc ? NULL : &a, NULL, 0);
	}
	if (q->arg0 == SOL_RAW) {
		int val = 0;
		int rc = set ? rawv6_setsockopt(sk, q->arg1, q->arg2) : rawv6_getsockopt(sk, q->arg1, &val);
		return reply(c, -rc, val, NULL, NULL, 0);
	}
	if (set && q->arg0 == IPPROTO_IPV6 &&
	    (q->arg1 == IPV6_JOIN_GROUP || q->arg1 == IPV6_LEAVE_GROUP ||
	     q->arg1 == MCAST_JOIN_GROUP || q->arg1 == MCAST_LEAVE_GROUP)) {
		/* The group travels in addr, its interface as the scope id. */
		int rc = ipv6_mc_setsockopt(sk, q->arg1, &q->addr.sin6_addr, (int)q->addr.sin6_scope_id);
		return reply(c, -rc, 0, NULL, NULL, 0);
	}
	if (q->arg0 == IPPROTO_IP && sk->type != SOCK_RAW) {
		/* ipv6_setsockopt hands SOL_IP to ip_setsockopt (not raw). */
		int val = 0;
		int rc = set ? ip_setsockopt(sk, q->arg1, q->arg2) : ip_getsockopt(sk, q->arg1, &val);
		return reply(c, -rc, val, NULL, NULL, 0);
	}
	if (q->arg0 == IPPROTO_IPV6) {
		int val = 0;
		int rc = set ? ipv6_setsockopt(sk, q->arg1, q->arg2) : ipv6_getsockopt(sk, q->arg1, &val);
		return reply(c, -rc, val, NULL, NULL, 0);
	}
	if (q->arg0 == IPPROTO_TCP && q->arg1 == TCP_INFO && !set && is_stream(c)) {
		/* struct tcp_info in XRT_SOCK_OPT_CHUNK pieces from offset arg2. */
		uint8_t buf[sizeof(struct tcp_info) + XRT_SOCK_OPT_CHUNK] = { 0 };
		if (q->arg2 < 0 || (size_t)q->arg2 >= sizeof(struct tcp_info))
			return reply(c, EINVAL, 0, NULL, NULL, 0);
		tcp_get_info(sk, (struct tcp_info *)buf);
		int32_t v;
		struct sockaddr_in6 a;
		memcpy(&v, buf + q->arg2, sizeof(v));
		memcpy(&a, buf + q->arg2 + sizeof(v), sizeof(a));
		return reply(c, 0, v, &a, NULL, 0);
	}
	if (q->arg0 == IPPROTO_TCP) {
		int val = 0;
		int rc = !is_stream(c) ? -ENOPROTOOPT
			 : set	      ? tcp_setsockopt(sk, q->arg1, q->arg2)
				      : tcp_getsockopt(sk, q->arg1, &val);
		return reply(c, -rc, val, NULL, NULL, 0);
	}
	if (q->arg0 == SOL_SOCKET && q->arg1 == SO_BINDTODEVICE) {
		/* arg2 / val: the interface index (the client maps names). */
		int rc = set ? sock_bindtoindex(sk, q->arg2) : 0;
		return reply(c, -rc, sk->bound_dev_if, NULL, NULL, 0);
	}
	if (q->arg0 == SOL_SOCKET && q->arg1 == SO_KEEPALIVE) {
		if (!is_stream(c))
			return reply(c, ENOPROTOOPT, 0, NULL, NULL, 0);
		if (set)
			tcp_set_keepalive(sk, q->arg2 != 0);
		return reply(c, 0, sk->tp->opt.keepalive, NULL, NULL, 0);
	}
	if (set) {
		/* What is not implemented is refused (ENOPROTOOPT, as the
		 * kernel for an unknown option), never accepted and ignored. */
		if (q->arg0 == SOL_SOCKET && q->arg1 == SO_REUSEADDR)
			sk->reuseaddr = q->arg2 != 0;
		else if (q->arg0 == SOL_SOCKET && q->arg1 == SO_REUSEPORT)
			sk->reuseport = q->arg2 != 0;
		else if (q->arg0 == SOL_SOCKET && q->arg1 == SO_RCVBUF) {
			/* What the application can have waiting = our end's
			 * send buffer (the kernel doubles and clamps it). */
			if (c->data_fd < 0 ||
			    setsockopt(c->data_fd, SOL_SOCKET, SO_SNDBUF, &q->arg2, sizeof(q->arg2)))
				return reply(c, c->data_fd < 0 ? EBADF : errno, 0, NULL, NULL, 0);
		} else if (q->arg0 == SOL_SOCKET && q->arg1 == SO_DONTROUTE && !is_stream(c)) {
			sk->dontroute = q->arg2 != 0;
		} else if (q->arg0 == SOL_SOCKET && q->arg1 == SO_PRIORITY && !is_stream(c)) {
			/* sk_setsockopt: 0..6 for anyone, more needs
			 * CAP_NET_ADMIN (uid 0 here). Kept for getsockopt:
			 * no queueing discipline orders xrt's output.
			 * Datagram sockets only: TCP refuses it. */
			if ((q->arg2 < XRT_SOCK_PRIO_MIN || q->arg2 > XRT_SOCK_PRIO_USER_MAX) &&
			    c->uid != 0)
				return reply(c, EPERM, 0, NULL, NULL, 0);
			sk->priority = q->arg2;
		} else if (q->arg0 == SOL_SOCKET && q->arg1 == SO_LINGER)
			tcp_set_linger0(sk, q->arg2 != 0); /* arg2: on with timeout 0 */
		else
			return reply(c, ENOPROTOOPT, 0, NULL, NULL, 0);
		return reply(c, 0, 0, NULL, NULL, 0);
	}
	if (q->arg0 != SOL_SOCKET)
		return reply(c, ENOPROTOOPT, 0, NULL, NULL, 0);
	switch (q->arg1) {
	case SO_ERROR: {
		int e = sk->err;
		sk->err = 0;
		return reply(c, 0, e, NULL, NULL, 0);
	}
	case SO_TYPE:
		return reply(c, 0, sk->type, NULL, NULL, 0);
	case SO_ACCEPTCONN:
		return reply(c, 0, tcp_state_of(sk) == TCP_LISTEN && is_stream(c), NULL, NULL, 0);
	case SO_REUSEADDR:
		return reply(c, 0, sk->reuseaddr, NULL, NULL, 0);
	case SO_REUSEPORT:
		return reply(c, 0, sk->reuseport, NULL, NULL, 0);
	case SO_RCVBUF: {
		int v = 0;
		socklen_t l = sizeof(v);
		if (c->data_fd < 0 || getsockopt(c->data_fd, SOL_SOCKET, SO_SNDBUF, &v, &l))
			return reply(c, c->data_fd < 0 ? EBADF : errno, 0, NULL, NULL, 0);
		return reply(c, 0, v, NULL, NULL, 0);
	}
	case SO_PROTOCOL:
		return reply(c, 0, sk->protocol, NULL, NULL, 0);
	case SO_PRIORITY:
		return reply(c, 0, sk->priority, NULL, NULL, 0);
	case SO_DONTROUTE:
		return reply(c, 0, sk->dontroute, NULL, NULL, 0);
	case SO_DOMAIN:
		return reply(c, 0, AF_INET6, NULL, NULL, 0);
	default:
		return reply(c, ENOPROTOOPT, 0, NULL, NULL, 0);
	}
}

static void conn_request(struct sock_conn *c, const struct xrt_sock_req *q)
{
	if (q->magic != XRT_SOCK_MAGIC)
		return reply(c, EPROTO, 0, NULL, NULL, 0);
	if (q->op == XRT_SOCK_OP_SOCKET)
		return op_socket(c, q);
	if (!c->sk)
		return reply(c, EBADF, 0, NULL, NULL, 0);
	struct sock *sk = c->sk;
	struct sockaddr_in6 a;
	int rc;
	switch (q->op) {
	case XRT_SOCK_OP_BIND:
		if (ntohs(q->addr.sin6_port) < 1024 && q->addr.sin6_port && c->uid != 0)
			return reply(c, EACCES, 0, NULL, NULL, 0);
		rc = sk->ops->bind(sk, &q->addr);
		return reply(c, -rc, 0, NULL, NULL, 0);
	case XRT_SOCK_OP_CONNECT:
		rc = sk->ops->connect(sk, &q->addr);
		if (rc == -EINPROGRESS && !q->arg0 && tcp_state_of(sk) == TCP_SYN_SENT) {
			c->pending_connect = true; /* answered by up_state_change */
			return;
		}
		if (rc == -EINPROGRESS && tcp_state_of(sk) == TCP_ESTABLISHED)
			rc = 0;
		conn_update_events(c);
		return reply(c, -rc, 0, NULL, NULL, 0);
	case XRT_SOCK_OP_LISTEN:
		rc = sk->ops->listen(sk, q->arg0);
		return reply(c, -rc, 0, NULL, NULL, 0);
	case XRT_SOCK_OP_ACCEPT:
		return op_accept(c);
	case XRT_SOCK_OP_GETSOCKNAME:
	case XRT_SOCK_OP_GETPEERNAME:
		rc = sock_getname(sk, &a, q->op == XRT_SOCK_OP_GETPEERNAME);
		return reply(c, -rc, 0, rc ? NULL : &a, NULL, 0);
	case XRT_SOCK_OP_SETSOCKOPT:
	case XRT_SOCK_OP_GETSOCKOPT:
		return op_sockopt(c, q, q->op == XRT_SOCK_OP_SETSOCKOPT);
	case XRT_SOCK_OP_SHUTDOWN:
		/* A stream's SHUT_WR arrives as EOF on the data fd, after the
		 * bytes written before it; only reading is shut here. */
		if (is_stream(c) && (q->arg0 == SHUT_WR || q->arg0 == SHUT_RDWR)) {
			if (tcp_state_of(sk) == TCP_LISTEN || tcp_state_of(sk) == TCP_SYN_SENT ||
			    tcp_state_of(sk) == TCP_CLOSED)
				rc = sk->ops->shutdown(sk, q->arg0);
			else
				rc = q->arg0 == SHUT_RDWR ? sk->ops->shutdown(sk, SHUT_RD) : 0;
		} else {
			rc = sk->ops->shutdown(sk, q->arg0);
		}
		return reply(c, -rc, 0, NULL, NULL, 0);
	default:
		return reply(c, EOPNOTSUPP, 0, NULL, NULL, 0);
	}
}

/* The application closed its socket: the stack's socket goes once the
 * bytes it wrote before closing have been taken. */
static void conn_maybe_release(struct sock_conn *c)
{
	if (!c->ctl_closed)
		return;
	if (c->sk && is_stream(c) && !c->data_eof && !c->app_gone) {
		enum tcp_state st = tcp_state_of(c->sk);
		if (st == TCP_ESTABLISHED || st == TCP_CLOSE_WAIT)
			return; /* still draining the data fd */
	}
	if (c->sk) {
		c->sk->owner_ctx = NULL;
		c->sk->ops->release(c->sk);
	}
	conn_free(c);
}

static void on_ctl(struct sock_conn *c)
{
	struct xrt_sock_req q;
	ssize_t n = recv(c->ctl_fd, &q, sizeof(q), MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		c->ctl_closed = true;
		close(c->ctl_fd); /* leaves epoll with it */
		c->ctl_fd = -1;
		/* Take what the application wrote before closing, then go. */
		if (is_stream(c) && !c->data_eof)
			conn_stream_in(c);
		else if (c->sk && !c->data_eof && c->data_fd >= 0)
			conn_dgram_in(c);
		if (c->used)
			conn_maybe_release(c);
		return;
	}
	if ((size_t)n != sizeof(q))
		return reply(c, EPROTO, 0, NULL, NULL, 0);
	/* The two channels are not ordered with each other: datagrams the
	 * application sent before this request (sendto, then setsockopt or
	 * connect) go out first, under the state they were sent in. The data
	 * fd's queue is bounded (SRV_SOCKBUF). */
	if (c->sk && !is_stream(c) && c->data_fd >= 0 && !c->data_eof)
		dgram_take(c, UINT_MAX);
	conn_request(c, &q);
}

static void on_data(struct sock_conn *c, uint32_t ev)
{
	if (!c->sk)
		return;
	if (ev & EPOLLOUT)
		conn_pump_rx(c);
	if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		if (is_stream(c))
			conn_stream_in(c);
		else
			conn_dgram_in(c);
	}
	if (!c->used)
		return;
	if ((ev & (EPOLLHUP | EPOLLERR)) && c->data_eof && c->in_epoll) {
		/* The application end is gone for good: stop watching. */
		epoll_ctl(srv.epfd, EPOLL_CTL_DEL, c->data_fd, NULL);
		c->in_epoll = false;
		c->app_gone = true;
		c->stage_len = 0;
		conn_maybe_release(c);
	}
}

/* Refuse a connection with an answer the client reads in place of the
 * reply to its first request, then close it: it holds nothing here. */
static void refuse(int fd, int err)
{
	struct xrt_sock_rep r = { .magic = XRT_SOCK_MAGIC, .err = err };
	struct xrt_sock_req q;
	send(fd, &r, sizeof(r), MSG_NOSIGNAL | MSG_DONTWAIT);
	for (int i = 0; i < 4 && recv(fd, &q, sizeof(q), MSG_DONTWAIT) > 0; i++)
		; /* unread requests would turn our answer into ECONNRESET */
	close(fd);
}

static void on_listen(void)
{
	for (unsigned i = 0; i < 16; i++) {
		int fd = xrt_accept(srv.listen_fd, SOCK_NONBLOCK | SOCK_CLOEXEC,
				    &xrt_local_stats.sock_accept_shed);
		if (fd < 0) {
			if (errno == ENFILE && !srv.paused) {
				/* Nothing could be shed: stop watching the
				 * listener instead of spinning on it. */
				struct epoll_event e = { .events = 0, .data.u64 = TAG(K_LISTEN, 0) };
				epoll_ctl(srv.epfd, EPOLL_CTL_MOD, srv.listen_fd, &e);
				srv.paused = true;
				xrt_local_stats.listen_backoffs++;
			}
			if (errno == EMFILE)
				continue; /* shed one: more may wait */
			return;
		}
		struct ucred cr;
		socklen_t l = sizeof(cr);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &l) < 0) {
			refuse(fd, EPROTO);
			continue;
		}
		int err;
		struct sock_conn *c = conn_alloc(cr.uid, &err);
		if (!c) {
			refuse(fd, err);
			continue;
		}
		c->ctl_fd = fd;
		struct epoll_event e = { .events = EPOLLIN, .data.u64 = TAG(K_CTL, conn_index(c)) };
		if (epoll_ctl(srv.epfd, EPOLL_CTL_ADD, fd, &e) < 0) {
			xrt_local_stats.sock_epoll_errors++;
			c->ctl_fd = -1;
			conn_free(c);
			refuse(fd, ENOBUFS);
		}
	}
}

bool sock_server_paused(void)
{
	return srv.paused;
}

void sock_server_resume(void)
{
	if (!srv.paused || srv.listen_fd < 0)
		return;
	struct epoll_event e = { .events = EPOLLIN, .data.u64 = TAG(K_LISTEN, 0) };
	epoll_ctl(srv.epfd, EPOLL_CTL_MOD, srv.listen_fd, &e);
	srv.paused = false;
}

void sock_server_run(void)
{
	struct epoll_event evs[SRV_EVENTS];
	int n = epoll_wait(srv.epfd, evs, SRV_EVENTS, 0);
	for (int i = 0; i < n; i++) {
		uint64_t tag = evs[i].data.u64;
		unsigned idx = (uint32_t)tag;
		switch (tag >> 32) {
		case K_LISTEN:
			on_listen();
			break;
		case K_CTL:
			if (idx < XRT_SOCK_MAX && srv.conns[idx].used && srv.conns[idx].ctl_fd >= 0)
				on_ctl(&srv.conns[idx]);
			break;
		case K_DATA:
			if (idx < XRT_SOCK_MAX && srv.conns[idx].used)
				on_data(&srv.conns[idx], evs[i].events);
			break;
		}
	}
}

int sock_server_open(const char *ctl_name, char *warn, char *err)
{
	const char *name = getenv(XRT_SOCK_ENV);
	const char *suffix = "";
	if (!name || !*name) {
		/* One application socket per daemon, next to its control
		 * socket, so two daemons in one namespace never collide. */
		name = ctl_name;
		suffix = XRT_SOCK_SUFFIX;
	} else if (!strcmp(name, "off")) {
		return xrt_fail(err, -ENOENT, "%s=off", XRT_SOCK_ENV);
	}
	char path[sizeof(srv.path)];
	int rc = xrt_unix_path(name, suffix, path, sizeof(path), err);
	if (rc)
		return rc;
	srv.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (srv.epfd < 0)
		return xrt_fail(err, -errno, "epoll_create1: %s", strerror(errno));
	rc = xrt_unix_listen(path, SOCK_SEQPACKET, XRT_SOCK_MODE, 64, warn, err);
	if (rc < 0) {
		sock_server_close();
		return rc;
	}
	srv.listen_fd = rc;
	snprintf(srv.path, sizeof(srv.path), "%s", path);
	struct epoll_event e = { .events = EPOLLIN, .data.u64 = TAG(K_LISTEN, 0) };
	if (epoll_ctl(srv.epfd, EPOLL_CTL_ADD, srv.listen_fd, &e) < 0) {
		rc = xrt_fail(err, -errno, "epoll_ctl: %s", strerror(errno));
		sock_server_close();
		return rc;
	}
	return srv.epfd;
}

void sock_server_close(void)
{
	for (unsigned i = 0; i < XRT_SOCK_MAX; i++)
		if (srv.conns[i].used) {
			if (srv.conns[i].sk)
				srv.conns[i].sk->owner_ctx = NULL;
			conn_free(&srv.conns[i]);
		}
	xrt_unix_unlink(srv.path); /* while still listening: proves it is ours */
	srv.path[0] = '\0';
	if (srv.listen_fd >= 0)
		close(srv.listen_fd);
	if (srv.epfd >= 0)
		close(srv.epfd);
	srv.listen_fd = srv.epfd = -1;
	srv.paused = false;
}
