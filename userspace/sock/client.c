/* xrt: client library of xrtd's socket layer (requests on a control channel, data on a socketpair; stack/sock_proto.h). */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <netinet/tcp.h>
#include <net/if.h>
#include <linux/errqueue.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "sock/xrt_sock.h"
#include "xrt/inet.h"
#include "sock/proto.h"
#include "ctl/unix_sock.h"

#ifndef RTLD_NEXT
#define RTLD_NEXT ((void *)-1l) /* glibc's value; named only under _GNU_SOURCE */
#endif

#define XRT_FD_MAX 65536 /* descriptors tracked; higher ones are refused */

struct xrt_fd {
	int ctl;      /* control channel; 0 = not ours (fd 0 is never a ctl) */
	int type;
	bool connected;
	bool v4; /* an AF_INET socket: sockaddr_in <-> IPv4-mapped (xrt/inet.h) */
};
static struct xrt_fd fds[XRT_FD_MAX];
static pthread_mutex_t ctl_lock = PTHREAD_MUTEX_INITIALIZER;

struct xrt_real_fns xrt_real;

void xrt_real_init(void)
{
	if (xrt_real.socket)
		return;
	xrt_real.close = (int (*)(int))dlsym(RTLD_NEXT, "close");
	xrt_real.read = (ssize_t(*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
	xrt_real.write = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	xrt_real.sendmsg = (ssize_t(*)(int, const struct msghdr *, int))dlsym(RTLD_NEXT, "sendmsg");
	xrt_real.recvmsg = (ssize_t(*)(int, struct msghdr *, int))dlsym(RTLD_NEXT, "recvmsg");
	xrt_real.shutdown = (int (*)(int, int))dlsym(RTLD_NEXT, "shutdown");
	xrt_real.connect = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "connect");
	xrt_real.setsockopt = (int (*)(int, int, int, const void *, socklen_t))dlsym(RTLD_NEXT,
										     "setsockopt");
	xrt_real.getsockopt = (int (*)(int, int, int, void *, socklen_t *))dlsym(RTLD_NEXT,
										 "getsockopt");
	xrt_real.socket = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
}

bool xrt_sock_is_ours(int fd, int *type)
{
	if (fd < 0 || fd >= XRT_FD_MAX || !fds[fd].ctl)
		return false;
	if (type)
		*type = fds[fd].type;
	return true;
}

/* One request, one reply (with up to two descriptors). */
static int xrt_call(int ctl, const struct xrt_sock_req *q, struct xrt_sock_rep *r, int *rfds,
		    unsigned nrfds)
{
	pthread_mutex_lock(&ctl_lock);
	struct iovec qiov = { (void *)q, sizeof(*q) };
	struct msghdr qm = { .msg_iov = &qiov, .msg_iovlen = 1 };
	ssize_t n;
	do
		n = xrt_real.sendmsg(ctl, &qm, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	/* A server that refused the connection (quota, table full) has
	 * queued its answer and closed: the send fails, the answer is read. */
	int send_errno = n == (ssize_t)sizeof(*q) ? 0 : n < 0 ? errno : EPROTO;
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec riov = { r, sizeof(*r) };
	struct msghdr rm = { .msg_iov = &riov, .msg_iovlen = 1, .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	bool reset = false;
	for (;;) {
		n = xrt_real.recvmsg(ctl, &rm, MSG_CMSG_CLOEXEC | (send_errno ? MSG_DONTWAIT : 0));
		if (n >= 0 || (errno != EINTR && (errno != ECONNRESET || reset)))
			break;
		/* unix(7): a server that refused us and closed with our
		 * request unread flags ECONNRESET once; its answer is queued. */
		reset = reset || errno == ECONNRESET;
	}
	pthread_mutex_unlock(&ctl_lock);
	if (n != (ssize_t)sizeof(*r) || r->magic != XRT_SOCK_MAGIC) {
		/* the daemon went away */
		errno = send_errno ? send_errno : n < 0 ? errno : ECONNRESET;
		return -1;
	}
	unsigned got = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&rm); c; c = CMSG_NXTHDR(&rm, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			unsigned k = (unsigned)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			for (unsigned i = 0; i < k; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
				if (got < nrfds)
					rfds[got++] = fd;
				else
					xrt_real.close(fd);
			}
		}
	for (unsigned i = got; i < nrfds; i++)
		rfds[i] = -1;
	if (r->err) {
		for (unsigned i = 0; i < got; i++)
			xrt_real.close(rfds[i]);
		errno = r->err;
		return -1;
	}
	return 0;
}

static int call_simple(int fd, uint32_t op, int a0, int a1, int a2,
		       const struct sockaddr_in6 *addr, struct xrt_sock_rep *r)
{
	if (!xrt_sock_is_ours(fd, NULL)) {
		errno = EBADF;
		return -1;
	}
	struct xrt_sock_req q = { .magic = XRT_SOCK_MAGIC, .op = op, .arg0 = a0, .arg1 = a1,
				  .arg2 = a2 };
	if (addr)
		q.addr = *addr;
	struct xrt_sock_rep tmp;
	return xrt_call(fds[fd].ctl, &q, r ? r : &tmp, NULL, 0);
}

/* The socket layer's server, only if root's (ctl/unix_sock.c checks
 * SO_PEERCRED before anything is sent). A listener of another uid is not
 * xrtd: ECONNREFUSED, so the shim uses the kernel as if none were there. */
static int connect_daemon(void)
{
	const char *name = getenv(XRT_SOCK_ENV);
	const char *suffix = "";
	if (!name || !*name) {
		name = XRT_SOCK_NAME_DEFAULT;
		suffix = XRT_SOCK_SUFFIX;
	}
	if (!strcmp(name, "off")) {
		errno = ENOENT;
		return -1;
	}
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int rc = xrt_unix_path(name, suffix, path, sizeof(path), NULL);
	if (rc == 0)
		rc = xrt_unix_connect(path, SOCK_SEQPACKET, NULL);
	if (rc >= 0)
		return rc;
	errno = rc == -EPERM ? ECONNREFUSED : -rc;
	return -1;
}

static int track(int data, int ctl, int type, int flags)
{
	if (data >= XRT_FD_MAX || ctl >= XRT_FD_MAX || data == 0 || ctl == 0) {
		xrt_real.close(data);
		xrt_real.close(ctl);
		errno = EMFILE;
		return -1;
	}
	if (flags & SOCK_NONBLOCK)
		fcntl(data, F_SETFL, fcntl(data, F_GETFL) | O_NONBLOCK);
	if (!(flags & SOCK_CLOEXEC))
		fcntl(data, F_SETFD, 0);
	fds[data] = (struct xrt_fd){ .ctl = ctl, .type = type };
	return data;
}

/* family AF_INET: the daemon's socket takes IPv4-mapped peers only. */
static int sock_open(int family, int type, int protocol)
{
	xrt_real_init();
	int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
	type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	int ctl = connect_daemon();
	if (ctl < 0)
		return -1;
	struct xrt_sock_req q = { .magic = XRT_SOCK_MAGIC, .op = XRT_SOCK_OP_SOCKET,
				  .arg0 = type, .arg1 = protocol,
				  .arg2 = family == AF_INET ? AF_INET : 0 };
	struct xrt_sock_rep r;
	int data;
	if (xrt_call(ctl, &q, &r, &data, 1) < 0 || data < 0) {
		int e = errno;
		xrt_real.close(ctl);
		errno = e ? e : EPROTO;
		return -1;
	}
	return track(data, ctl, type, flags);
}

int xrt_sock_socket(int type, int protocol)
{
	return sock_open(AF_INET6, type, protocol);
}

/* socket(AF_INET, SOCK_DGRAM or SOCK_STREAM): the daemon's socket is an
 * AF_INET6 one that sees only IPv4-mapped addresses, as a kernel
 * dual-stack socket does; the application sees sockaddr_in. */
int xrt_sock_socket4(int type, int protocol)
{
	int fd = sock_open(AF_INET, type, protocol);
	if (fd >= 0)
		fds[fd].v4 = true;
	return fd;
}

/* sockaddr_in of an AF_INET socket as the daemon's mapped sockaddr_in6
 * (INADDR_ANY is the unspecified address). */
static int in4_to_in6(const struct sockaddr *addr, socklen_t len, struct sockaddr_in6 *out)
{
	struct sockaddr_in in;
	if (addr->sa_family != AF_INET || len < sizeof(in)) {
		errno = addr->sa_family != AF_INET ? EAFNOSUPPORT : EINVAL;
		return -1;
	}
	memcpy(&in, addr, sizeof(in));
	out->sin6_family = AF_INET6;
	out->sin6_port = in.sin_port;
	if (in.sin_addr.s_addr != htonl(INADDR_ANY))
		xrt_addr_from_v4(&out->sin6_addr, in.sin_addr.s_addr);
	return 0;
}

static int to_in6(int fd, const struct sockaddr *addr, socklen_t len, struct sockaddr_in6 *out)
{
	memset(out, 0, sizeof(*out));
	if (!addr || len < sizeof(sa_family_t)) {
		errno = EINVAL;
		return -1;
	}
	if (addr->sa_family == AF_UNSPEC) {
		out->sin6_family = AF_UNSPEC;
		return 0;
	}
	if (fd >= 0 && fd < XRT_FD_MAX && fds[fd].v4)
		return in4_to_in6(addr, len, out);
	if (addr->sa_family != AF_INET6 || len < sizeof(struct sockaddr_in6)) {
		errno = addr->sa_family != AF_INET6 ? EAFNOSUPPORT : EINVAL;
		return -1;
	}
	memcpy(out, addr, sizeof(*out));
	return 0;
}

static void from_in6(int fd, const struct sockaddr_in6 *a, struct sockaddr *addr,
		     socklen_t *len)
{
	if (!addr || !len)
		return;
	if (fd >= 0 && fd < XRT_FD_MAX && fds[fd].v4) {
		struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = a->sin6_port };
		if (xrt_addr_is_v4(&a->sin6_addr))
			in.sin_addr.s_addr = xrt_addr_v4(&a->sin6_addr);
		socklen_t n = *len < sizeof(in) ? *len : (socklen_t)sizeof(in);
		memcpy(addr, &in, n);
		*len = sizeof(in);
		return;
	}
	socklen_t n = *len < sizeof(*a) ? *len : (socklen_t)sizeof(*a);
	memcpy(addr, a, n);
	*len = sizeof(*a);
}

int xrt_sock_bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_in6 a;
	if (to_in6(fd, addr, len, &a) < 0)
		return -1;
	return call_simple(fd, XRT_SOCK_OP_BIND, 0, 0, 0, &a, NULL);
}

int xrt_sock_connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_in6 a;
	if (to_in6(fd, addr, len, &a) < 0 || !xrt_sock_is_ours(fd, NULL))
		return -1;
	bool nonblock = fcntl(fd, F_GETFL) & O_NONBLOCK;
	int rc = call_simple(fd, XRT_SOCK_OP_CONNECT, nonblock, 0, 0, &a, NULL);
	if (rc == 0 || errno == EINPROGRESS)
		fds[fd].connected = a.sin6_family == AF_INET6;
	return rc;
}

int xrt_sock_listen(int fd, int backlog)
{
	return call_simple(fd, XRT_SOCK_OP_LISTEN, backlog, 0, 0, NULL, NULL);
}

/* Wait for a token on the listener's data fd (the fd's own blocking mode
 * decides), then fetch the connection. */
int xrt_sock_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	if (!xrt_sock_is_ours(fd, NULL)) {
		errno = EBADF;
		return -1;
	}
	for (;;) {
		char token;
		ssize_t n = xrt_real.read(fd, &token, 1);
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EINVAL;
			return -1;
		}
		struct xrt_sock_req q = { .magic = XRT_SOCK_MAGIC, .op = XRT_SOCK_OP_ACCEPT };
		struct xrt_sock_rep r;
		int got[2];
		if (xrt_call(fds[fd].ctl, &q, &r, got, 2) < 0) {
			if (errno == EAGAIN && !(fcntl(fd, F_GETFL) & O_NONBLOCK))
				continue; /* that connection died before accept */
			return -1;
		}
		if (got[0] < 0 || got[1] < 0) {
			if (got[0] >= 0)
				xrt_real.close(got[0]);
			if (got[1] >= 0)
				xrt_real.close(got[1]);
			errno = EPROTO;
			return -1;
		}
		int nfd = track(got[0], got[1], SOCK_STREAM, flags);
		if (nfd >= 0) {
			fds[nfd].connected = true;
			fds[nfd].v4 = fds[fd].v4; /* inet_accept: the listener's family */
			from_in6(nfd, &r.addr, addr, len);
		}
		return nfd;
	}
}

/* getsockname / getpeername: the daemon answers with the address. */
static int sock_name(int fd, uint32_t op, struct sockaddr *addr, socklen_t *len)
{
	struct xrt_sock_rep r;
	if (call_simple(fd, op, 0, 0, 0, NULL, &r) < 0)
		return -1;
	from_in6(fd, &r.addr, addr, len);
	return 0;
}

int xrt_sock_getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	return sock_name(fd, XRT_SOCK_OP_GETSOCKNAME, addr, len);
}

int xrt_sock_getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	return sock_name(fd, XRT_SOCK_OP_GETPEERNAME, addr, len);
}

/*
 * The error queues of IPV6_RECVERR sockets (ipv6_recv_error): entries the
 * daemon sent on a data descriptor (XRT_DGRAM_ERRQUEUE) wait here for
 * recvmsg(MSG_ERRQUEUE). Bounded: the oldest entry of any socket makes
 * room, as a full sk_rcvbuf drops errors in the kernel.
 */
#define XRT_ERRQ_MAX 16
#define XRT_ERRQ_DATA 1280 /* an ICMPv6 error quotes less (RFC 4443 2.4 (c)) */
struct xrt_errq_ent {
	int fd; /* -1 = free */
	uint64_t seq;
	struct xrt_dgram_hdr h;
	struct xrt_dgram_ee ee;
	size_t len;
	uint8_t data[XRT_ERRQ_DATA];
};
static struct xrt_errq_ent errq[XRT_ERRQ_MAX] = { [0 ... XRT_ERRQ_MAX - 1] = { .fd = -1 } };
static uint64_t errq_seq;
static pthread_mutex_t errq_lock = PTHREAD_MUTEX_INITIALIZER;

/* Keep one entry: header, then len bytes of struct xrt_dgram_ee + payload
 * gathered from iov. */
static void errq_push(int fd, const struct xrt_dgram_hdr *h, const struct iovec *iov,
		      size_t niov, size_t len)
{
	pthread_mutex_lock(&errq_lock);
	struct xrt_errq_ent *e = &errq[0];
	for (unsigned i = 0; i < XRT_ERRQ_MAX; i++) {
		if (errq[i].fd < 0) {
			e = &errq[i];
			break;
		}
		if (errq[i].seq < e->seq)
			e = &errq[i];
	}
	uint8_t body[sizeof(e->ee) + XRT_ERRQ_DATA] = { 0 };
	size_t got = 0;
	for (size_t i = 0; i < niov && got < len && got < sizeof(body); i++) {
		size_t n = iov[i].iov_len;
		if (n > len - got)
			n = len - got;
		if (n > sizeof(body) - got)
			n = sizeof(body) - got;
		memcpy(body + got, iov[i].iov_base, n);
		got += n;
	}
	e->fd = fd;
	e->seq = ++errq_seq;
	e->h = *h;
	memcpy(&e->ee, body, sizeof(e->ee));
	e->len = got > sizeof(e->ee) ? got - sizeof(e->ee) : 0;
	memcpy(e->data, body + sizeof(e->ee), e->len);
	pthread_mutex_unlock(&errq_lock);
}

static void errq_drop_fd(int fd)
{
	pthread_mutex_lock(&errq_lock);
	for (unsigned i = 0; i < XRT_ERRQ_MAX; i++)
		if (errq[i].fd == fd)
			errq[i].fd = -1;
	pthread_mutex_unlock(&errq_lock);
}

/* Entries at the head of the data descriptor move to the error queue. */
static void errq_take_head(int fd)
{
	for (;;) {
		struct xrt_dgram_hdr h;
		struct iovec iov = { &h, sizeof(h) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
		if (xrt_real.recvmsg(fd, &m, MSG_PEEK | MSG_DONTWAIT) != (ssize_t)sizeof(h) ||
		    !(h.err & XRT_DGRAM_ERRQUEUE))
			return;
		static __thread uint8_t body[sizeof(struct xrt_dgram_ee) + XRT_ERRQ_DATA];
		struct iovec iov2[2] = { { &h, sizeof(h) }, { body, sizeof(body) } };
		struct msghdr m2 = { .msg_iov = iov2, .msg_iovlen = 2 };
		ssize_t n = xrt_real.recvmsg(fd, &m2, MSG_DONTWAIT);
		if (n < (ssize_t)sizeof(h))
			return;
		errq_push(fd, &h, &iov2[1], 1, (size_t)n - sizeof(h));
	}
}

static int dgram_take_error(int fd);

/* recvmsg(MSG_ERRQUEUE): the oldest entry of fd, with IPV6_RECVERR
 * ancillary data (struct sock_extended_err + the offender), msg_name = the
 * datagram's destination, the payload it quoted; EAGAIN if none. */
static ssize_t errq_recvmsg(int fd, struct msghdr *msg)
{
	errq_take_head(fd);
	pthread_mutex_lock(&errq_lock);
	struct xrt_errq_ent *e = NULL;
	for (unsigned i = 0; i < XRT_ERRQ_MAX; i++)
		if (errq[i].fd == fd && (!e || errq[i].seq < e->seq))
			e = &errq[i];
	if (!e) {
		pthread_mutex_unlock(&errq_lock);
		errno = EAGAIN;
		return -1;
	}
	struct xrt_errq_ent ent = *e;
	e->fd = -1;
	pthread_mutex_unlock(&errq_lock);
	/* sock_dequeue_err_skb: reading the queue resets the pending error. */
	dgram_take_error(fd);
	size_t copied = 0;
	for (size_t i = 0; i < msg->msg_iovlen && copied < ent.len; i++) {
		size_t n = msg->msg_iov[i].iov_len;
		if (n > ent.len - copied)
			n = ent.len - copied;
		memcpy(msg->msg_iov[i].iov_base, ent.data + copied, n);
		copied += n;
	}
	msg->msg_flags = MSG_ERRQUEUE | (copied < ent.len ? MSG_TRUNC : 0);
	if (msg->msg_name) {
		socklen_t l = msg->msg_namelen;
		from_in6(fd, &ent.h.addr, msg->msg_name, &l);
		msg->msg_namelen = l;
	}
	struct sock_extended_err ee = {
		.ee_errno = (uint32_t)(ent.h.err & ~XRT_DGRAM_ERRQUEUE),
		.ee_origin = ent.ee.origin == SO_EE_ORIGIN_ICMP ? SO_EE_ORIGIN_ICMP
								: SO_EE_ORIGIN_ICMP6,
		.ee_type = ent.ee.type,
		.ee_code = ent.ee.code,
		.ee_info = ent.ee.info,
	};
	/* ip_recv_error on an AF_INET socket: SOL_IP / IP_RECVERR with a
	 * struct sockaddr_in offender; ipv6_recv_error (dual-stack sockets
	 * too, an ICMPv4 offender IPv4-mapped): IPV6_RECVERR, sockaddr_in6. */
	union {
		struct sockaddr_in6 in6;
		struct sockaddr_in in;
	} off = { .in6 = ent.ee.offender };
	socklen_t olen = sizeof(off.in6);
	bool v4 = fd >= 0 && fd < XRT_FD_MAX && fds[fd].v4;
	if (v4)
		from_in6(fd, &ent.ee.offender, (struct sockaddr *)&off, &olen);
	size_t clen = sizeof(ee) + olen;
	size_t room = msg->msg_control ? msg->msg_controllen : 0;
	msg->msg_controllen = 0;
	if (room < CMSG_SPACE(clen)) {
		msg->msg_flags |= MSG_CTRUNC;
	} else {
		struct cmsghdr *c = (struct cmsghdr *)msg->msg_control;
		c->cmsg_level = v4 ? IPPROTO_IP : IPPROTO_IPV6;
		c->cmsg_type = v4 ? IP_RECVERR : IPV6_RECVERR;
		c->cmsg_len = CMSG_LEN(clen);
		memcpy(CMSG_DATA(c), &ee, sizeof(ee));
		memcpy(CMSG_DATA(c) + sizeof(ee), &off, olen);
		msg->msg_controllen = CMSG_SPACE(clen);
	}
	return (ssize_t)copied;
}

/* Pending socket errors (struct xrt_dgram_hdr.err) at the head of the
 * data descriptor: taken, the last one returned (sock_error: the kernel
 * keeps one sk_err, so errors that came meanwhile count once), else 0. */
static int dgram_take_error(int fd)
{
	int err = 0;
	for (;;) {
		errq_take_head(fd);
		struct xrt_dgram_hdr h;
		struct iovec iov = { &h, sizeof(h) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = xrt_real.recvmsg(fd, &m, MSG_PEEK | MSG_DONTWAIT);
		if (n != (ssize_t)sizeof(h) || !h.err || (m.msg_flags & MSG_TRUNC))
			return err;
		xrt_real.recvmsg(fd, &m, MSG_DONTWAIT);
		err = h.err;
	}
}

int xrt_sock_setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	int v = 0;
	if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO || name == SO_SNDBUF)) {
		/* Timeouts and the send buffer belong to the descriptor the
		 * application waits on and writes into. */
		if (!xrt_sock_is_ours(fd, NULL)) {
			errno = EBADF;
			return -1;
		}
		return xrt_real.setsockopt(fd, level, name, val, len);
	}
	if (level == SOL_SOCKET && name == SO_LINGER) {
		struct linger l;
		if (!val || len < sizeof(l)) {
			errno = EINVAL;
			return -1;
		}
		memcpy(&l, val, sizeof(l));
		v = l.l_onoff && l.l_linger == 0; /* abortive close */
	} else if (level == IPPROTO_ICMPV6 && name == ICMP6_FILTER) {
		/* 32 bytes: the first word in arg2, the rest in addr. */
		uint32_t f[8];
		struct sockaddr_in6 a;
		if (!val || len < sizeof(f)) {
			errno = EINVAL;
			return -1;
		}
		memcpy(f, val, sizeof(f));
		memcpy(&a, f + 1, sizeof(a));
		return call_simple(fd, XRT_SOCK_OP_SETSOCKOPT, level, name, (int)f[0], &a, NULL);
	} else if (level == SOL_SOCKET && name == SO_BINDTODEVICE) {
		/* A name (an empty one unbinds), sent as its index. */
		char ifname[IF_NAMESIZE] = { 0 };
		if (val && len)
			memcpy(ifname, val, len < IF_NAMESIZE - 1 ? len : IF_NAMESIZE - 1);
		if (ifname[0] && !(v = (int)if_nametoindex(ifname))) {
			errno = ENODEV;
			return -1;
		}
	} else if (level == IPPROTO_IPV6 && (name == IPV6_JOIN_GROUP || name == IPV6_LEAVE_GROUP)) {
		/* struct ipv6_mreq: the group in addr, its interface as scope. */
		struct ipv6_mreq mr;
		if (!val || len < sizeof(mr)) {
			errno = EINVAL;
			return -1;
		}
		memcpy(&mr, val, sizeof(mr));
		struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = mr.ipv6mr_multiaddr,
					  .sin6_scope_id = mr.ipv6mr_interface };
		return call_simple(fd, XRT_SOCK_OP_SETSOCKOPT, level, name, 0, &a, NULL);
	} else if (level == IPPROTO_IPV6 && (name == MCAST_JOIN_GROUP || name == MCAST_LEAVE_GROUP)) {
		/* struct group_req (RFC 3678 5.1): the same on the wire. */
		struct group_req gr;
		struct sockaddr_in6 g6;
		if (!val || len < sizeof(gr)) {
			errno = EINVAL;
			return -1;
		}
		memcpy(&gr, val, sizeof(gr));
		if (gr.gr_group.ss_family != AF_INET6) {
			errno = EADDRNOTAVAIL; /* ipv6_mcast_join_leave */
			return -1;
		}
		memcpy(&g6, &gr.gr_group, sizeof(g6));
		struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = g6.sin6_addr,
					  .sin6_scope_id = gr.gr_interface };
		return call_simple(fd, XRT_SOCK_OP_SETSOCKOPT, level, name, 0, &a, NULL);
	} else if (val && len >= sizeof(int)) {
		memcpy(&v, val, sizeof(int));
	}
	return call_simple(fd, XRT_SOCK_OP_SETSOCKOPT, level, name, v, NULL, NULL);
}

int xrt_sock_getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	struct xrt_sock_rep r;
	if (!val || !len || *len < sizeof(int)) {
		errno = EINVAL;
		return -1;
	}
	if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO || name == SO_SNDBUF)) {
		if (!xrt_sock_is_ours(fd, NULL)) {
			errno = EBADF;
			return -1;
		}
		return xrt_real.getsockopt(fd, level, name, val, len);
	}
	if (level == IPPROTO_TCP && name == TCP_INFO) {
		/* The application's struct tcp_info, in pieces. */
		uint8_t buf[sizeof(struct tcp_info) + XRT_SOCK_OPT_CHUNK];
		socklen_t n = *len < sizeof(struct tcp_info) ? *len : (socklen_t)sizeof(struct tcp_info);
		for (socklen_t off = 0; off < n; off += XRT_SOCK_OPT_CHUNK) {
			if (call_simple(fd, XRT_SOCK_OP_GETSOCKOPT, level, name, (int)off, NULL, &r) < 0)
				return -1;
			memcpy(buf + off, &r.val, sizeof(r.val));
			memcpy(buf + off + sizeof(r.val), &r.addr, sizeof(r.addr));
		}
		memcpy(val, buf, n);
		*len = n;
		return 0;
	}
	int type = 0;
	if (level == SOL_SOCKET && name == SO_ERROR && xrt_sock_is_ours(fd, &type) &&
	    type != SOCK_STREAM) {
		int e = dgram_take_error(fd);
		if (e) {
			memcpy(val, &e, sizeof(e));
			*len = sizeof(e);
			return 0;
		}
	}
	if (call_simple(fd, XRT_SOCK_OP_GETSOCKOPT, level, name, 0, NULL, &r) < 0)
		return -1;
	if (level == SOL_SOCKET && name == SO_BINDTODEVICE) {
		char ifname[IF_NAMESIZE] = { 0 };
		if (r.val && !if_indextoname((unsigned)r.val, ifname))
			return -1;
		size_t l = r.val ? strlen(ifname) + 1 : 0;
		if (l > *len) {
			errno = EINVAL;
			return -1;
		}
		memcpy(val, ifname, l);
		*len = (socklen_t)l;
		return 0;
	}
	if (level == IPPROTO_ICMPV6 && name == ICMP6_FILTER) {
		uint32_t f[8] = { (uint32_t)r.val };
		memcpy(f + 1, &r.addr, sizeof(r.addr));
		socklen_t n = *len < sizeof(f) ? *len : (socklen_t)sizeof(f);
		memcpy(val, f, n);
		*len = n;
		return 0;
	}
	memcpy(val, &r.val, sizeof(int));
	*len = sizeof(int);
	return 0;
}

int xrt_sock_shutdown(int fd, int how)
{
	int type;
	if (!xrt_sock_is_ours(fd, &type)) {
		errno = EBADF;
		return -1;
	}
	if (call_simple(fd, XRT_SOCK_OP_SHUTDOWN, how, 0, 0, NULL, NULL) < 0)
		return -1;
	/* The stream's bytes so far, then EOF: the daemon's cue for FIN. */
	if (type == SOCK_STREAM && (how == SHUT_WR || how == SHUT_RDWR))
		xrt_real.shutdown(fd, SHUT_WR);
	return 0;
}

int xrt_sock_close(int fd)
{
	if (!xrt_sock_is_ours(fd, NULL)) {
		errno = EBADF;
		return -1;
	}
	int ctl = fds[fd].ctl;
	fds[fd] = (struct xrt_fd){ 0 };
	errq_drop_fd(fd);
	/* The control channel first: the daemon then tells a close (orderly
	 * FIN, or RST for SO_LINGER 0 / unread data) from a shutdown. */
	xrt_real.close(ctl);
	return xrt_real.close(fd);
}

ssize_t xrt_sock_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	int type;
	if (!xrt_sock_is_ours(fd, &type)) {
		errno = EBADF;
		return -1;
	}
	struct xrt_dgram_hdr h = { .hoplimit = -1 };
	if (msg->msg_name && msg->msg_namelen) {
		if (to_in6(fd, msg->msg_name, msg->msg_namelen, &h.addr) < 0)
			return -1;
	} else if (!fds[fd].connected) {
		errno = EDESTADDRREQ;
		return -1;
	}
	size_t niov = msg->msg_iovlen;
	if (niov > 64) {
		errno = EMSGSIZE;
		return -1;
	}
	struct iovec iov[65];
	iov[0] = (struct iovec){ &h, sizeof(h) };
	size_t total = 0;
	for (size_t i = 0; i < niov; i++) {
		iov[i + 1] = msg->msg_iov[i];
		total += msg->msg_iov[i].iov_len;
	}
	if (total > XRT_DGRAM_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	/* A connected socket's pending error fails this send, as the
	 * kernel's sock_alloc_send_skb reports sk_err. */
	int pending = fds[fd].connected ? dgram_take_error(fd) : 0;
	if (pending) {
		errno = pending;
		return -1;
	}
	/* Ancillary data (RFC 3542 6.1, 6.3): IPV6_PKTINFO picks this
	 * datagram's source and interface, IPV6_HOPLIMIT its hop limit
	 * (-1 = the socket's, else 0..255); anything else is refused, as
	 * the kernel's ip6_datagram_send_ctl does an unknown type. */
	for (struct cmsghdr *c = msg->msg_control ? CMSG_FIRSTHDR(msg) : NULL; c;
	     c = CMSG_NXTHDR((struct msghdr *)msg, c)) {
		struct in6_pktinfo_wire {
			struct in6_addr addr;
			unsigned ifindex;
		} pi;
		int hl;
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(pi))) {
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			h.pi_addr = pi.addr;
			h.pi_ifindex = (int32_t)pi.ifindex;
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT &&
			   c->cmsg_len >= CMSG_LEN(sizeof(hl))) {
			memcpy(&hl, CMSG_DATA(c), sizeof(hl));
			if (hl < -1 || hl > 255) {
				errno = EINVAL;
				return -1;
			}
			h.hoplimit = hl;
		} else {
			errno = EINVAL;
			return -1;
		}
	}
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = niov + 1 };
	ssize_t n = xrt_real.sendmsg(fd, &m, (flags & MSG_DONTWAIT) | MSG_NOSIGNAL);
	if (n < 0)
		return -1;
	return n - (ssize_t)sizeof(h);
}

/* put_cmsg: one IPPROTO_IPV6 item after those already in msg_control
 * (msg_controllen so far), or MSG_CTRUNC when room is short. */
static void put_cmsg(struct msghdr *msg, size_t room, int type, const void *data, size_t len)
{
	if (room < msg->msg_controllen + CMSG_SPACE(len)) {
		msg->msg_flags |= MSG_CTRUNC;
		return;
	}
	struct cmsghdr *c = (struct cmsghdr *)((char *)msg->msg_control + msg->msg_controllen);
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = type;
	c->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(c), data, len);
	msg->msg_controllen += CMSG_SPACE(len);
}

ssize_t xrt_sock_recvmsg(int fd, struct msghdr *msg, int flags)
{
	if (!xrt_sock_is_ours(fd, NULL)) {
		errno = EBADF;
		return -1;
	}
	size_t niov = msg->msg_iovlen;
	if (niov > 64) {
		errno = EINVAL;
		return -1;
	}
	if (flags & MSG_ERRQUEUE)
		return errq_recvmsg(fd, msg);
	struct xrt_dgram_hdr h;
	struct iovec iov[65];
	iov[0] = (struct iovec){ &h, sizeof(h) };
	for (size_t i = 0; i < niov; i++)
		iov[i + 1] = msg->msg_iov[i];
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = niov + 1 };
	ssize_t n;
	for (;;) {
		n = xrt_real.recvmsg(fd, &m, flags & (MSG_PEEK | MSG_DONTWAIT | MSG_TRUNC));
		if (n < (ssize_t)sizeof(h) || !(h.err & XRT_DGRAM_ERRQUEUE))
			break;
		/* An error-queue entry (it came in the user's buffers): kept
		 * for MSG_ERRQUEUE; a peek takes it off so the next one shows. */
		if ((flags & MSG_PEEK) && xrt_real.recvmsg(fd, &m, MSG_DONTWAIT) < 0)
			return -1;
		errq_push(fd, &h, iov + 1, niov, (size_t)n - sizeof(h));
	}
	if (n < 0)
		return -1;
	if (n < (ssize_t)sizeof(h)) {
		msg->msg_flags = 0;
		msg->msg_namelen = 0;
		msg->msg_controllen = 0;
		return 0; /* the daemon closed the socket */
	}
	if (h.err && n == (ssize_t)sizeof(h)) {
		/* The socket's pending error, before any datagram. */
		int later = flags & MSG_PEEK ? 0 : dgram_take_error(fd);
		errno = later ? later : h.err;
		return -1;
	}
	if (msg->msg_name) {
		socklen_t l = msg->msg_namelen;
		from_in6(fd, &h.addr, msg->msg_name, &l);
		msg->msg_namelen = l;
	}
	msg->msg_flags = m.msg_flags & MSG_TRUNC;
	/* IPV6_RECVPKTINFO and IPV6_RECVHOPLIMIT: the destination and
	 * interface, then the hop limit, as ancillary data (RFC 3542 6.1,
	 * 6.3; the kernel's ip6_datagram_recv_common_ctl order). */
	size_t room = msg->msg_control ? msg->msg_controllen : 0;
	msg->msg_controllen = 0;
	if (h.pi_ifindex) {
		struct {
			struct in6_addr addr;
			unsigned ifindex;
		} pi = { h.pi_addr, (unsigned)h.pi_ifindex };
		put_cmsg(msg, room, IPV6_PKTINFO, &pi, sizeof(pi));
	}
	if (h.hoplimit >= 0) {
		int hl = h.hoplimit;
		put_cmsg(msg, room, IPV6_HOPLIMIT, &hl, sizeof(hl));
	}
	return n - (ssize_t)sizeof(h);
}
