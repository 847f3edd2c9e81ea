/* xrt: the client library of xrtd's socket layer: BSD-like calls on file descriptors the application polls as usual. */
#ifndef XRT_SOCK_XRT_SOCK_H
#define XRT_SOCK_XRT_SOCK_H

#include <stdbool.h>
#include <sys/types.h>
#include <sys/socket.h>

/*
 * xrt_sock_socket returns a real descriptor (one end of a socketpair whose
 * other end xrtd holds): read/write (TCP) and poll/select/epoll work on it
 * directly. Every other call goes through the functions below, which
 * return -1 and set errno like their libc namesakes. The daemon is found at
 * $XRT_SOCK, else /run/xrt/net-<inode>/xrt-sock (one per network namespace,
 * ctl/unix_sock.h), and used only if that listener is root's.
 */
int xrt_sock_socket(int type, int protocol);
/* An AF_INET datagram socket on the same daemon socket (IPv4-mapped). */
int xrt_sock_socket4(int type, int protocol);
/* Is fd an xrt socket? type out: SOCK_STREAM / SOCK_DGRAM / SOCK_RAW. */
bool xrt_sock_is_ours(int fd, int *type);
int xrt_sock_bind(int fd, const struct sockaddr *addr, socklen_t len);
int xrt_sock_connect(int fd, const struct sockaddr *addr, socklen_t len);
int xrt_sock_listen(int fd, int backlog);
int xrt_sock_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
int xrt_sock_getsockname(int fd, struct sockaddr *addr, socklen_t *len);
int xrt_sock_getpeername(int fd, struct sockaddr *addr, socklen_t *len);
int xrt_sock_setsockopt(int fd, int level, int name, const void *val, socklen_t len);
int xrt_sock_getsockopt(int fd, int level, int name, void *val, socklen_t *len);
int xrt_sock_shutdown(int fd, int how);
int xrt_sock_close(int fd);
/* Datagram sockets: one message per call, with the peer's address. */
ssize_t xrt_sock_sendmsg(int fd, const struct msghdr *msg, int flags);
ssize_t xrt_sock_recvmsg(int fd, struct msghdr *msg, int flags);

/* libc's own functions (the shim overrides the public names). */
struct xrt_real_fns {
	int (*socket)(int, int, int);
	int (*close)(int);
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*write)(int, const void *, size_t);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	ssize_t (*recvmsg)(int, struct msghdr *, int);
	int (*shutdown)(int, int);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	int (*setsockopt)(int, int, int, const void *, socklen_t);
	int (*getsockopt)(int, int, int, void *, socklen_t *);
};
extern struct xrt_real_fns xrt_real;
void xrt_real_init(void);

#endif
