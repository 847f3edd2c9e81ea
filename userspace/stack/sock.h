/* xrt: the socket layer inside the stack: struct sock, proto_ops / proto / inet_protosw (inet6_init). */
#ifndef XRT_STACK_SOCK_H
#define XRT_STACK_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "xrt/inet.h"

/*
 * Like the kernel (net/ipv6/af_inet6.c): a socket is created through the
 * address-family registry (inet6_create), which finds the inet_protosw entry
 * for (type, protocol); that entry binds the socket-level operations
 * (proto_ops, the BSD calls) to the transport (proto). Input reaches a
 * transport through the upper-layer table (inet6_add_protocol).
 *
 * The owner of a socket (the daemon's socket server, or a unit test) is told
 * what happens through struct sock_owner_ops; the stack never touches a file
 * descriptor.
 */

#define XRT_SOCK_MAX 1024      /* sockets in the table (bounded) */
#define XRT_SOCK_EPHEMERAL_LO 32768 /* like net.ipv4.ip_local_port_range */
#define XRT_SOCK_EPHEMERAL_HI 60999
/* SO_PRIORITY without CAP_NET_ADMIN: 0..6 (sk_setsockopt, TC_PRIO_*). */
#define XRT_SOCK_PRIO_MIN 0
#define XRT_SOCK_PRIO_USER_MAX 6

struct sock;
struct tcp_sock;

/* One extended error (struct sock_extended_err of linux/errqueue.h, as
 * ipv6_icmp_error fills it): from an ICMPv6 message (SO_EE_ORIGIN_ICMP6),
 * or from an ICMPv4 one as ip_icmp_error fills it (SO_EE_ORIGIN_ICMP). */
struct sock_ee {
	int err;                    /* positive errno */
	uint8_t origin;             /* SO_EE_ORIGIN_ICMP6 or SO_EE_ORIGIN_ICMP */
	uint8_t type, code;         /* the ICMPv6 (or ICMP) message's */
	uint32_t info;              /* its MTU or pointer */
	struct sockaddr_in6 offender; /* who sent the ICMPv6 message */
	struct sockaddr_in6 dst;    /* where the quoted datagram went (port too) */
};

struct sock_owner_ops {
	/* A datagram for sk (UDP or raw). 0 = queued, -1 = queue full (the
	 * stack counts the drop). For raw sockets data starts at the IPv6
	 * header's payload (the ICMPv6 header for ICMPv6) as in Linux. */
	int (*dgram_rcv)(struct sock *sk, const struct sockaddr_in6 *from, const void *data,
			 size_t len);
	/* Stream: data or end of stream can be read (tcp_recvmsg). */
	void (*readable)(struct sock *sk);
	/* Stream: send space opened (tcp_sendmsg accepts more). */
	void (*writable)(struct sock *sk);
	/* Connected, connect failed, reset, or a child waits in the accept
	 * queue of a listener. */
	void (*state_change)(struct sock *sk);
	/* sk->err was set by an ICMPv6 error (sk_error_report): the next
	 * call of the application reports it (datagram sockets). Optional. */
	void (*error_report)(struct sock *sk);
	/* ipv6_icmp_error: an IPV6_RECVERR socket's extended error, with the
	 * quoted datagram's payload (its error queue). Optional. */
	void (*error_queue)(struct sock *sk, const struct sock_ee *ee, const void *payload,
			    size_t len);
};

/* proto_ops: what the BSD calls do for this socket type. */
struct proto_ops {
	int (*bind)(struct sock *sk, const struct sockaddr_in6 *addr);
	int (*connect)(struct sock *sk, const struct sockaddr_in6 *addr);
	int (*listen)(struct sock *sk, int backlog);
	/* Datagram send (to NULL = the connected peer); stream send returns
	 * bytes taken into the send buffer. */
	long (*sendmsg)(struct sock *sk, const void *data, size_t len,
			const struct sockaddr_in6 *to);
	int (*shutdown)(struct sock *sk, int how);
	/* The application closed the socket. */
	void (*release)(struct sock *sk);
};

/* proto: the transport. */
struct proto {
	const char *name;
	int (*init)(struct sock *sk);
	/* Give the socket a local port (0 = pick an ephemeral one). */
	int (*get_port)(struct sock *sk, uint16_t port);
	void (*destroy)(struct sock *sk);
};

/* inet_protosw: one entry per (type, protocol); protocol 0 in a request
 * picks the entry's default (IPPROTO_UDP for SOCK_DGRAM, ...). For raw
 * sockets the entry is a wildcard (any protocol). */
struct inet_protosw {
	int type;
	int protocol;       /* IPPROTO_IP = wildcard (raw) */
	const struct proto_ops *ops;
	const struct proto *prot;
	struct inet_protosw *next;
};

/* struct in6_pktinfo's fields (RFC 3542 6.1; glibc hides it without
 * _GNU_SOURCE). */
struct sk_pktinfo {
	struct in6_addr addr;
	int ifindex;
};

struct sock {
	bool in_use;
	int type;          /* SOCK_DGRAM, SOCK_STREAM, SOCK_RAW */
	int protocol;      /* IPPROTO_UDP, IPPROTO_TCP, raw: the next header */
	const struct proto_ops *ops;
	const struct proto *prot;
	struct sockaddr_in6 local;  /* sin6_port 0 = not bound */
	struct sockaddr_in6 peer;   /* sin6_family 0 = not connected */
	bool connected;
	/* IPV6_V6ONLY: no IPv4(-mapped) peers. Off by default, as the
	 * kernel's net.ipv6.bindv6only = 0 (RFC 3493 5.3). */
	bool v6only;
	/* An AF_INET socket of the shim (sock/): IPv4-mapped peers only, as
	 * the kernel's AF_INET sockets never see IPv6. */
	bool v4only;
	bool shut_rd, shut_wr;
	int err;                    /* pending SO_ERROR (positive errno) */
	int err_soft;               /* sk_err_soft: last soft ICMPv6 error (RFC 1122 4.2.3.9) */
	int bound_dev_if;
	bool reuseaddr;
	/* ipv6_pinfo's hop_limit (IPV6_UNICAST_HOPS, -1 = the default) and
	 * mcast_hops (IPV6_MULTICAST_HOPS, default 1: RFC 3493 5.2). */
	int16_t hop_limit, mcast_hops;
	uint8_t tclass;             /* IPV6_TCLASS (RFC 3542 6.5) */
	bool recverr;               /* IPV6_RECVERR (UDP: extended errors queued) */
	/* inet_sock's IPv4 options, for IPv4(-mapped) peers: uc_ttl (IP_TTL,
	 * -1 = the default), tos (IP_TOS) and RECVERR (IP_RECVERR). */
	int16_t ttl;
	uint8_t tos;
	bool recverr4;
	int mcast_oif;              /* IPV6_MULTICAST_IF (0 = none) */
	bool mc_loop;               /* IPV6_MULTICAST_LOOP (default on) */
	bool mc_all;                /* IPV6_MULTICAST_ALL (default on, as Linux) */
	bool recvhoplimit;          /* IPV6_RECVHOPLIMIT: the owner passes rx_hoplimit on */
	uint8_t rx_hoplimit;        /* hop limit of the datagram dgram_rcv delivers */
	bool rxpktinfo;             /* IPV6_RECVPKTINFO (RFC 3542 6.1) */
	struct sk_pktinfo rx_info;  /* destination and interface of that datagram */
	/* IPV6_PKTINFO on one sendmsg (RFC 3542 6.1): source and interface
	 * of the next datagram only; the owner clears it after the send. */
	struct sk_pktinfo tx_info;
	bool tx_hl_set;             /* IPV6_HOPLIMIT on one sendmsg (RFC 3542 6.3) */
	uint8_t tx_hl;
	int8_t pmtudisc;            /* IPV6_MTU_DISCOVER (IPV6_PMTUDISC_*) */
	int priority;               /* SO_PRIORITY: kept for getsockopt only */
	bool dontroute;             /* SO_DONTROUTE: on-link destinations only */
	int16_t raw_csum_off;       /* raw IPV6_CHECKSUM offset, -1 = none (RFC 3542 3.1) */
	bool reuseport;             /* SO_REUSEPORT: shares a port with the same uid */
	uint32_t uid;               /* the owner's uid (SO_REUSEPORT groups) */
	uint32_t icmp6_filter[8];   /* ICMP6_FILTER (RFC 3542 3.2): bit set = block */
	/* Owner: NULL ops once the application released it (an orphan the
	 * transport still finishes, like a TCP socket in TIME_WAIT). */
	const struct sock_owner_ops *owner;
	void *owner_ctx;
	uint64_t rcvq_drops;        /* datagrams the owner had no room for */
	struct tcp_sock *tp;        /* SOCK_STREAM */
	/* The list of sockets in use (walked per packet: only live ones). */
	struct sock *next, *prev;
};

/* The registry (af_inet6.c). */
int inet6_register_protosw(struct inet_protosw *p);
/* Register the transports: raw, UDP, TCP (called by stack_init). */
void inet6_init(void);
void inet6_fini(void);
/* socket(AF_INET6, type, protocol): a new socket, or NULL with *err set
 * (EAFNOSUPPORT, EPROTONOSUPPORT, ESOCKTNOSUPPORT, ENFILE). */
struct sock *inet6_create(int type, int protocol, const struct sock_owner_ops *owner,
			  void *owner_ctx, int *err);
/* A socket for the transport's own use (TCP children) or freed. */
struct sock *sk_alloc(int type, int protocol, const struct inet_protosw *sw);
void sk_free(struct sock *sk);
/* Walk the sockets in use (lookup by the transports). A socket freed
 * during the walk still leads on to the one after it. */
struct sock *sk_first(void);
struct sock *sk_next(struct sock *sk);
/* The generic bind: address must be ours (or ::), port via prot->get_port. */
int inet6_bind(struct sock *sk, const struct sockaddr_in6 *addr);
/* Pick a source for dst when the socket has none: route, then the egress
 * interface's address. 0 or -ENETUNREACH / -EADDRNOTAVAIL. */
int inet6_pick_saddr(const struct in6_addr *dst, struct in6_addr *out);
/* sendmsg for the datagram sockets (raw, UDP): the destination is "to", or
 * the connected peer when "to" is NULL or AF_UNSPEC. 0, or -EPIPE after
 * shutdown(SHUT_WR), -EDESTADDRREQ, -EAFNOSUPPORT. */
int ip6_datagram_dest(const struct sock *sk, const struct sockaddr_in6 **to);
/* The egress interface (0 = route) and source for a datagram to "to": the
 * bound source, else one from the scope's interface or the route.
 * 0 or -ENETUNREACH / -EADDRNOTAVAIL. */
int ip6_datagram_route(const struct sock *sk, const struct sockaddr_in6 *to, int *oif,
		       struct in6_addr *src);
/* Is (proto, port) taken by another socket on an overlapping address? */
bool inet6_port_in_use(const struct sock *self, int type, uint16_t port_be,
		       const struct in6_addr *addr);
int inet6_get_port(struct sock *sk, uint16_t port);
/* inet6_hash_connect: an ephemeral port for a connecting socket whose
 * local address and peer are set (RFC 6056 3.3.4, algorithm 4). 0 or
 * -EADDRNOTAVAIL. */
int inet6_hash_connect(struct sock *sk);
void inet6_hash_connect_init(void);

/* ip6_xmit for the transports: an IPv6 header in front of payload (len
 * bytes), the transport checksum at csum_off (-1: none), out by oif (0 =
 * route). 0 or a negative errno. */
int ip6_xmit(const struct in6_addr *src, const struct in6_addr *dst, uint8_t nexthdr,
	     const void *payload, size_t len, int csum_off, int oif);
#define XRT_SOCK_HOP_LIMIT 64 /* like net.ipv6.conf.*.hop_limit */
#define XRT_SOCK_MCAST_HOPS 1 /* IPV6_DEFAULT_MCASTHOPS: RFC 3493 5.2 */
/* ip6_xmit with the hop limit the socket chose for dst (ip6_sk_hoplimit). */
int ip6_xmit_hl(const struct in6_addr *src, const struct in6_addr *dst, uint8_t nexthdr,
		const void *payload, size_t len, int csum_off, int oif, int hop_limit);
/* ip6_xmit_hl with the socket's hop limit for dst and its traffic class
 * (IPV6_UNICAST_HOPS, IPV6_TCLASS). */
int ip6_xmit_sk(const struct sock *sk, const struct in6_addr *src, const struct in6_addr *dst,
		uint8_t nexthdr, const void *payload, size_t len, int csum_off, int oif);
/* ip6_sk_dst_hoplimit: mcast_hops to a multicast destination, else
 * hop_limit, else XRT_SOCK_HOP_LIMIT. */
int ip6_sk_hoplimit(const struct sock *sk, const struct in6_addr *dst);
/* ipv6_setsockopt / ipv6_getsockopt for level IPPROTO_IPV6 (int values):
 * IPV6_UNICAST_HOPS (every type), IPV6_MULTICAST_HOPS (datagram and raw
 * sockets, as the kernel), IPV6_V6ONLY (RFC 3493 5.3: off by default; only
 * before the socket is bound).
 * Anything else -ENOPROTOOPT; a bad value -EINVAL. */
int ipv6_setsockopt(struct sock *sk, int name, int val);
int ipv6_getsockopt(const struct sock *sk, int name, int *val);
/* ip_setsockopt / ip_getsockopt for level IPPROTO_IP (int values), on
 * AF_INET and dual-stack sockets alike (ipv6_setsockopt passes SOL_IP on):
 * IP_TTL (1..255, -1 = the default), IP_TOS (a stream keeps its ECN bits),
 * IP_RECVERR. Anything else -ENOPROTOOPT; a bad value -EINVAL. */
int ip_setsockopt(struct sock *sk, int name, int val);
int ip_getsockopt(const struct sock *sk, int name, int *val);
/* ip_select_ttl: the TTL of the socket's IPv4 unicast datagrams. */
uint8_t ip_sk_ttl(const struct sock *sk);
/* The membership options (IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP, the same
 * numbers as IPV6_ADD_MEMBERSHIP / IPV6_DROP_MEMBERSHIP, and
 * MCAST_JOIN_GROUP / MCAST_LEAVE_GROUP, RFC 3678 5.1): group g on
 * interface ifindex (0 = the route's). -ENOPROTOOPT for any other name. */
int ipv6_mc_setsockopt(struct sock *sk, int name, const struct in6_addr *g, int ifindex);
/* ip6_mc_output's loopback: the multicast datagram ip6_xmit_hl just sent
 * on oif goes up our own stack too when sk allows it (IPV6_MULTICAST_LOOP)
 * and oif listens to the group. */
void ip6_mc_loop(const struct sock *sk, int oif);
/* rawv6_seticmpfilter / rawv6_geticmpfilter: ICMP6_FILTER of a raw ICMPv6
 * socket (RFC 3542 3.2), -EOPNOTSUPP on any other socket. */
int rawv6_seticmpfilter(struct sock *sk, const uint32_t filter[8]);
/* do_rawv6_setsockopt's IPV6_CHECKSUM (level SOL_RAW): the offset of the
 * checksum the stack fills (-1 = none; ICMPv6 is always 2). */
int rawv6_setsockopt(struct sock *sk, int name, int val);
int rawv6_getsockopt(const struct sock *sk, int name, int *val);
int rawv6_geticmpfilter(const struct sock *sk, uint32_t filter[8]);

/* sock_bindtoindex (SO_BINDTODEVICE): 0 unbinds; -ENODEV for an
 * interface the stack does not have. */
int sock_bindtoindex(struct sock *sk, int ifindex);
/* sk_error_report: err becomes the socket's pending error and the owner
 * is told (ip6_datagram / tcp_v6_err). */
void sk_error_report(struct sock *sk, int err);
/* The err_handlers icmpv6_notify calls (udp.c, raw.c, tcp_ipv6.c). */
struct icmp6_err;
void udpv6_err(const struct icmp6_err *e);
void rawv6_err(const struct icmp6_err *e);
void tcp_v6_err(const struct icmp6_err *e);

/* Owner-side helpers. */
int sock_getname(const struct sock *sk, struct sockaddr_in6 *out, bool peer);

/* Raw sockets: ip6_input_finish hands each upper-layer header to them first
 * (the raw6_local_deliver hook). True if at least one socket took a copy. */
struct pkt;
bool rawv6_local_deliver(const struct pkt *p, uint8_t nexthdr);

/* Counters of the socket layer, named as in /proc/net/snmp6 and netstat. */
#define SOCK_STATS_LIST(X)                                      \
	X(udp_in, "Udp6InDatagrams")                            \
	X(udp_out, "Udp6OutDatagrams")                          \
	X(udp_no_port, "Udp6NoPorts")                           \
	X(udp_rcvq_full, "Udp6RcvbufErrors")                    \
	X(udp_csum, "Udp6InCsumErrors")                         \
	X(dgram_send_err, "sp_sock_send_errors")                \
	X(raw_in, "Raw6InDelivers")                             \
	X(raw_out, "Raw6OutRequests")                           \
	X(icmp_err, "sp_sock_icmp_err")                         \
	X(tcp_icmp_out_of_window, "TcpExtOutOfWindowIcmps")     \
	X(tcp_mtu_reduced, "sp_tcp_mtu_reduced")                \
	X(tcp_in, "TcpInSegs")                                  \
	X(tcp_out, "TcpOutSegs")                                \
	X(tcp_retrans, "TcpRetransSegs")                        \
	X(tcp_fast_retrans, "TcpExtTCPFastRetrans")             \
	X(tcp_rto, "TcpExtTCPTimeouts")                         \
	X(tcp_csum, "TcpInCsumErrors")                          \
	X(tcp_rst_out, "TcpOutRsts")                            \
	X(tcp_active_opens, "TcpActiveOpens")                   \
	X(tcp_passive_opens, "TcpPassiveOpens")                 \
	X(tcp_backlog_drops, "TcpExtListenDrops")               \
	X(tcp_listen_overflows, "TcpExtListenOverflows")        \
	X(tcp_syncookies_sent, "TcpExtSyncookiesSent")          \
	X(tcp_syncookies_recv, "TcpExtSyncookiesRecv")          \
	X(tcp_syncookies_failed, "TcpExtSyncookiesFailed")      \
	X(tcp_reqq_full_do_cookies, "TcpExtTCPReqQFullDoCookies") \
	X(tcp_reqq_full_drop, "TcpExtTCPReqQFullDrop")          \
	X(tcp_embryonic_rsts, "TcpExtEmbryonicRsts")            \
	X(tcp_synack_retrans, "TcpExtTCPSynRetrans")            \
	X(tcp_reqsk_timeouts, "sp_tcp_reqsk_expired")           \
	X(tcp_ooo, "TcpExtTCPOFOQueue")                         \
	X(tcp_rcv_drops, "TcpExtTCPRcvQDrop")                  \
	X(tcp_ofo_drop, "TcpExtTCPOFODrop")                     \
	X(tcp_sack_recovery, "TcpExtTCPSackRecovery")           \
	X(tcp_sack_retrans, "TcpExtTCPSackRetransSegs")         \
	X(tcp_sack_discard, "TcpExtTCPSACKDiscard")             \
	X(tcp_sack_sb_full, "sp_tcp_sack_scoreboard_full")      \
	X(tcp_paws_estab, "TcpExtPAWSEstab")                    \
	X(tcp_delayed_acks, "TcpExtDelayedACKs")                \
	X(tcp_keepalive, "TcpExtTCPKeepAlive")                  \
	X(tcp_abort_on_timeout, "TcpExtTCPAbortOnTimeout")      \
	X(tcp_estab_map_full, "sp_tcp_estab_map_full")          \
	X(tcp_loss_probes, "TcpExtTCPLossProbes")
#define SOCK_STATS_FIELD(f, name) uint64_t f;
struct sock_stats {
	SOCK_STATS_LIST(SOCK_STATS_FIELD)
};
#define SOCK_STATS_N (sizeof(struct sock_stats) / sizeof(uint64_t))
extern const char *const sock_stats_names[];
extern struct sock_stats sockstats;

/* UDP for both families (udp.c, udp_ipv4.c): the socket a datagram is
 * for, its delivery, and the IPv4 send of a dual-stack socket whose peer
 * is IPv4-mapped. */
struct sock *udp6_lib_lookup(const struct in6_addr *saddr, uint16_t sport,
			     const struct in6_addr *daddr, uint16_t dport, int ifindex);
void udp_queue_rcv(struct sock *sk, const struct sockaddr_in6 *from, const uint8_t *data,
		   size_t len, uint8_t hoplimit);
long udp_v4_sendmsg(struct sock *sk, const struct in6_addr *src, const struct sockaddr_in6 *to,
		    const void *data, size_t len);

/* Does sk take a segment or datagram to daddr? A v6only socket no IPv4
 * (ipv6_only_sock), an AF_INET one no IPv6. */
static inline bool sk_family_ok(const struct sock *sk, const struct in6_addr *daddr)
{
	return xrt_addr_is_v4(daddr) ? !sk->v6only : !sk->v4only;
}

#endif
