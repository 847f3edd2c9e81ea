/* xrt: the wire protocol between applications (userspace/lib) and xrtd's socket server. */
#ifndef XRT_SOCK_PROTO_H
#define XRT_SOCK_PROTO_H

#include <stdint.h>
#include <netinet/in.h>

/*
 * Each application socket is two file descriptors in the application:
 *  - data: one end of a socketpair whose other end xrtd holds. SOCK_STREAM
 *    for TCP (the bytes of the connection; EOF = FIN), SOCK_SEQPACKET for
 *    UDP and raw (each message = struct xrt_dgram_hdr + payload). A
 *    listening socket's data fd carries one byte per connection waiting
 *    in the accept queue, so poll/select on it work unmodified.
 *  - ctl: a SOCK_SEQPACKET connection to xrtd carrying struct xrt_sock_req
 *    and struct xrt_sock_rep, one request in flight at a time. Closing it
 *    releases the socket (once the data fd is drained).
 * socket() connects to the server and sends XRT_SOCK_OP_SOCKET; the reply
 * passes the data fd (SCM_RIGHTS). ACCEPT's reply passes the new
 * connection's data fd and a ctl fd (a socketpair end) in that order.
 */

/* The server listens on its control socket's name + XRT_SOCK_SUFFIX:
 * "xrt" -> /run/xrt/net-<inode>/xrt-sock (ctl/unix_sock.h). */
#define XRT_SOCK_NAME_DEFAULT "xrt"
#define XRT_SOCK_ENV "XRT_SOCK" /* a name or path for both ends; "off" disables the shim */
#define XRT_SOCK_MAGIC 0x78736f6b         /* "xsok" */

enum xrt_sock_op {
	XRT_SOCK_OP_SOCKET = 1, /* arg0 type, arg1 protocol, arg2 AF_INET or 0 (AF_INET6) */
	XRT_SOCK_OP_BIND,       /* addr */
	XRT_SOCK_OP_CONNECT,    /* addr; arg0 1 = non-blocking */
	XRT_SOCK_OP_LISTEN,     /* arg0 backlog */
	XRT_SOCK_OP_ACCEPT,     /* reply: addr = peer, fds: data, ctl */
	XRT_SOCK_OP_GETSOCKNAME,
	XRT_SOCK_OP_GETPEERNAME,
	XRT_SOCK_OP_SETSOCKOPT, /* arg0 level, arg1 name, arg2 int value */
	XRT_SOCK_OP_GETSOCKOPT, /* arg0 level, arg1 name; reply val */
	XRT_SOCK_OP_SHUTDOWN,   /* arg0 how */
};

struct xrt_sock_req {
	uint32_t magic;
	uint32_t op;
	int32_t arg0, arg1, arg2;
	struct sockaddr_in6 addr;
};

struct xrt_sock_rep {
	uint32_t magic;
	int32_t err; /* 0 or a positive errno */
	int32_t val;
	struct sockaddr_in6 addr;
};

/* In front of every datagram on a SEQPACKET data fd. From the application
 * addr is the destination (family 0 = the connected peer); to it, the
 * source. */
struct xrt_dgram_hdr {
	struct sockaddr_in6 addr;
	/* To the application: the datagram's hop limit when the socket has
	 * IPV6_RECVHOPLIMIT on (RFC 3542 6.3), else -1. From it: the
	 * IPV6_HOPLIMIT of this sendmsg (0..255), else -1. */
	int32_t hoplimit;
	/* To the application: nonzero = no datagram, the socket's pending
	 * error (an ICMPv6 error, sk_err) that its next call reports; with
	 * XRT_DGRAM_ERRQUEUE, an entry of its error queue (IPV6_RECVERR):
	 * struct xrt_dgram_ee, then the quoted datagram's payload, addr = the
	 * datagram's destination. */
	int32_t err;
	/* To the application: the datagram's destination and interface when
	 * the socket has IPV6_RECVPKTINFO on (RFC 3542 6.1), else zero. From
	 * it: IPV6_PKTINFO of this sendmsg (source, interface), or zero. */
	struct in6_addr pi_addr;
	int32_t pi_ifindex;
};
#define XRT_DGRAM_ERRQUEUE 0x40000000

/* struct sock_extended_err's fields (linux/errqueue.h) and the offender. */
struct xrt_dgram_ee {
	uint8_t type, code;
	uint8_t origin; /* SO_EE_ORIGIN_ICMP6, or SO_EE_ORIGIN_ICMP (ICMPv4) */
	uint8_t pad;
	uint32_t info;
	struct sockaddr_in6 offender;
};

/* getsockopt results larger than an int (TCP_INFO) come in pieces of
 * this size: val, then the bytes of addr; arg2 of the request is the
 * offset. */
#define XRT_SOCK_OPT_CHUNK (sizeof(int32_t) + sizeof(struct sockaddr_in6))

/* Largest datagram payload (UDP over IPv6 without jumbograms). */
#define XRT_DGRAM_MAX 65535

#endif
