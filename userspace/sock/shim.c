/* xrt: LD_PRELOAD shim: socket(AF_INET6, ...) and socket(AF_INET, SOCK_DGRAM or SOCK_STREAM) of an unmodified program go to xrtd when one is there; every other family is left alone. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "sock/xrt_sock.h"

/* glibc declares it only under _GNU_SOURCE, which would also turn the
 * sockaddr arguments below into transparent unions. */
int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);

static bool is_dgram(int fd)
{
	int type;
	return xrt_sock_is_ours(fd, &type) && type != SOCK_STREAM;
}

int socket(int domain, int type, int protocol)
{
	xrt_real_init();
	/* AF_INET: UDP and TCP (raw IPv4 stays the kernel's). */
	int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	bool inet4 = domain == AF_INET &&
		     ((base == SOCK_DGRAM && (protocol == 0 || protocol == IPPROTO_UDP)) ||
		      (base == SOCK_STREAM && (protocol == 0 || protocol == IPPROTO_TCP)));
	if (domain == AF_INET6 || inet4) {
		int saved = errno;
		int fd = inet4 ? xrt_sock_socket4(type, protocol) : xrt_sock_socket(type, protocol);
		if (fd >= 0)
			return fd;
		/* No daemon: the kernel's socket, as if the shim were absent.
		 * A daemon that refused (EPROTONOSUPPORT, EPERM, ...) is
		 * answered as it said. */
		if (errno != ENOENT && errno != ECONNREFUSED && errno != EACCES)
			return -1;
		errno = saved;
	}
	return xrt_real.socket(domain, type, protocol);
}

#define ROUTE(fd, call, real_call) \
	do { \
		if (xrt_sock_is_ours(fd, NULL)) \
			return call; \
		return real_call; \
	} while (0)

typedef int (*bind_fn)(int, const struct sockaddr *, socklen_t);
typedef int (*accept4_fn)(int, struct sockaddr *, socklen_t *, int);
typedef int (*name_fn)(int, struct sockaddr *, socklen_t *);
typedef int (*listen_fn)(int, int);
typedef int (*setsockopt_fn)(int, int, int, const void *, socklen_t);
typedef int (*getsockopt_fn)(int, int, int, void *, socklen_t *);
typedef ssize_t (*sendto_fn)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
typedef ssize_t (*recvfrom_fn)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
typedef ssize_t (*send_fn)(int, const void *, size_t, int);
typedef ssize_t (*recv_fn)(int, void *, size_t, int);
typedef ssize_t (*readv_fn)(int, const struct iovec *, int);

#include <dlfcn.h>
#ifndef RTLD_NEXT
#define RTLD_NEXT ((void *)-1l)
#endif
#define REAL(type, name) ((type)dlsym(RTLD_NEXT, name))

int bind(int fd, const struct sockaddr *a, socklen_t l)
{
	ROUTE(fd, xrt_sock_bind(fd, a, l), REAL(bind_fn, "bind")(fd, a, l));
}

int connect(int fd, const struct sockaddr *a, socklen_t l)
{
	xrt_real_init();
	ROUTE(fd, xrt_sock_connect(fd, a, l), xrt_real.connect(fd, a, l));
}

int listen(int fd, int backlog)
{
	ROUTE(fd, xrt_sock_listen(fd, backlog), REAL(listen_fn, "listen")(fd, backlog));
}

int accept(int fd, struct sockaddr *a, socklen_t *l)
{
	ROUTE(fd, xrt_sock_accept4(fd, a, l, 0), REAL(accept4_fn, "accept4")(fd, a, l, 0));
}

int accept4(int fd, struct sockaddr *a, socklen_t *l, int flags)
{
	ROUTE(fd, xrt_sock_accept4(fd, a, l, flags), REAL(accept4_fn, "accept4")(fd, a, l, flags));
}

int getsockname(int fd, struct sockaddr *a, socklen_t *l)
{
	ROUTE(fd, xrt_sock_getsockname(fd, a, l), REAL(name_fn, "getsockname")(fd, a, l));
}

int getpeername(int fd, struct sockaddr *a, socklen_t *l)
{
	ROUTE(fd, xrt_sock_getpeername(fd, a, l), REAL(name_fn, "getpeername")(fd, a, l));
}

int setsockopt(int fd, int level, int name, const void *v, socklen_t l)
{
	ROUTE(fd, xrt_sock_setsockopt(fd, level, name, v, l),
	      REAL(setsockopt_fn, "setsockopt")(fd, level, name, v, l));
}

int getsockopt(int fd, int level, int name, void *v, socklen_t *l)
{
	ROUTE(fd, xrt_sock_getsockopt(fd, level, name, v, l),
	      REAL(getsockopt_fn, "getsockopt")(fd, level, name, v, l));
}

int shutdown(int fd, int how)
{
	xrt_real_init();
	ROUTE(fd, xrt_sock_shutdown(fd, how), xrt_real.shutdown(fd, how));
}

int close(int fd)
{
	xrt_real_init();
	ROUTE(fd, xrt_sock_close(fd), xrt_real.close(fd));
}

/* Datagram sockets carry an address header: every data call is wrapped.
 * Stream sockets are plain byte streams and need nothing. */
ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	xrt_real_init();
	if (is_dgram(fd))
		return xrt_sock_sendmsg(fd, msg, flags);
	return xrt_real.sendmsg(fd, msg, flags);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	xrt_real_init();
	if (is_dgram(fd))
		return xrt_sock_recvmsg(fd, msg, flags);
	return xrt_real.recvmsg(fd, msg, flags);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *a,
	       socklen_t l)
{
	if (is_dgram(fd)) {
		struct iovec iov = { (void *)buf, len };
		struct msghdr m = { .msg_name = (void *)a, .msg_namelen = a ? l : 0,
				    .msg_iov = &iov, .msg_iovlen = 1 };
		return xrt_sock_sendmsg(fd, &m, flags);
	}
	return REAL(sendto_fn, "sendto")(fd, buf, len, flags, a, l);
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *a, socklen_t *l)
{
	if (is_dgram(fd)) {
		struct iovec iov = { buf, len };
		struct msghdr m = { .msg_name = a, .msg_namelen = a && l ? *l : 0,
				    .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = xrt_sock_recvmsg(fd, &m, flags);
		if (n >= 0 && a && l)
			*l = m.msg_namelen;
		return n;
	}
	return REAL(recvfrom_fn, "recvfrom")(fd, buf, len, flags, a, l);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	if (is_dgram(fd))
		return sendto(fd, buf, len, flags, NULL, 0);
	return REAL(send_fn, "send")(fd, buf, len, flags);
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	if (is_dgram(fd))
		return recvfrom(fd, buf, len, flags, NULL, NULL);
	return REAL(recv_fn, "recv")(fd, buf, len, flags);
}

ssize_t write(int fd, const void *buf, size_t len)
{
	xrt_real_init();
	if (is_dgram(fd))
		return sendto(fd, buf, len, 0, NULL, 0);
	return xrt_real.write(fd, buf, len);
}

ssize_t read(int fd, void *buf, size_t len)
{
	xrt_real_init();
	if (is_dgram(fd))
		return recvfrom(fd, buf, len, 0, NULL, NULL);
	return xrt_real.read(fd, buf, len);
}
