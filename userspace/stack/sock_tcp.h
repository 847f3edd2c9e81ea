/* xrt: TCP (RFC 9293) control block and the functions its files share: tcp_input.c, tcp_output.c, tcp_timer.c, tcp.c. */
#ifndef XRT_STACK_SOCK_TCP_H
#define XRT_STACK_SOCK_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include "stack/sock.h"
#include "xrt/inet.h"

/* RFC 9293 3.1: header and flags. */
#define TCP_HDR_LEN 20
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
/* RFC 9293 3.2: options. */
#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2
#define TCPOLEN_MSS 4
#define TCPOPT_WINDOW 3 /* RFC 7323 2.2 */
#define TCPOLEN_WINDOW 3
#define TCP_MAX_WSCALE 14 /* RFC 7323 2.3 */
#define TCPOPT_SACK_PERM 4 /* RFC 2018 2 */
#define TCPOLEN_SACK_PERM 2
#define TCPOPT_SACK 5 /* RFC 2018 3 */
#define TCPOLEN_SACK_BASE 2
#define TCPOLEN_SACK_PERBLOCK 8
#define TCPOPT_TIMESTAMP 8 /* RFC 7323 3.2 */
#define TCPOLEN_TIMESTAMP 10
#define TCPOLEN_TSTAMP_ALIGNED 12 /* NOP NOP TS, as RFC 7323 appendix A */
/* RFC 2018 3: at most 4 blocks fit in 40 bytes of options, 3 beside a
 * timestamp. */
#define TCP_NUM_SACKS 4
#define TCP_NUM_SACKS_TS 3
/* RFC 7323 5.5 (tcp_paws_check): TS.Recent older than 24 days is invalid. */
#define TCP_PAWS_24DAYS_SEC (60 * 60 * 24 * 24)
/* tcp_paws_discard: the kernel tolerates a TSval one tick behind. */
#define TCP_PAWS_WINDOW 1
/* RFC 1122 4.2.3.2 / RFC 9293 3.8.6.3: delayed ACK at most 500 ms; the
 * kernel's ato runs from TCP_DELACK_MIN (40 ms) to TCP_DELACK_MAX (200 ms). */
#define TCP_DELACK_MIN_MS 40
#define TCP_DELACK_MAX_MS 200
/* RFC 1122 4.2.3.6: keepalive idle at least two hours by default; the
 * kernel's tcp_keepalive_intvl 75 s and tcp_keepalive_probes 9. */
#define TCP_KEEPALIVE_TIME_S 7200
#define TCP_KEEPALIVE_INTVL_S 75
#define TCP_KEEPALIVE_PROBES 9
/* The kernel's limits for TCP_KEEPIDLE/KEEPINTVL (MAX_TCP_KEEPIDLE) and
 * TCP_KEEPCNT (MAX_TCP_KEEPCNT). */
#define TCP_KEEPIDLE_MAX_S 32767
#define TCP_KEEPCNT_MAX 127
/* TCP_MAXSEG: the kernel's TCP_MIN_MSS (88) and MAX_TCP_WINDOW bound. */
#define TCP_MIN_MSS 88
/* RFC 9293 3.7.1: the MSS assumed before a connection has one. */
#ifndef TCP_MSS_DEFAULT /* linux/tcp.h has the same */
#define TCP_MSS_DEFAULT 536
#endif
#define TCP_MAX_MSS 65535
#define TCP_CSUM_OFF 16 /* RFC 9293 3.1: the checksum field */
/* RFC 9293 3.7.1: default send MSS when the peer sends no option, for
 * IPv6 (RFC 8200 section 5: 1280 - 40 - 20). */
#define TCP_DEFAULT_MSS6 1220
/* RFC 9293 3.7.1 for IPv4: 576 - 20 - 20. */
#define TCP_DEFAULT_MSS4 TCP_MSS_DEFAULT
/* RFC 6298 2.1 / 2.4 / 2.5: initial RTO, lower and upper bounds. */
#define TCP_RTO_INIT_MS 1000
#define TCP_RTO_MIN_MS 1000
#define TCP_RTO_MAX_MS 60000
/* RFC 6298 5.7: RTO after a retransmitted SYN once established. */
#define TCP_RTO_SYN_RETRANS_MS 3000
/* RFC 9293 3.4.2: MSL; TIME_WAIT lasts 2 MSL. Linux uses 60 s total. */
#define TCP_MSL_MS 30000
/* RFC 5681 3.2: duplicate ACKs that trigger fast retransmit. */
#define TCP_FASTRETRANS_THRESH 3
/* RFC 8985 7.2: a tail loss probe after 2 SRTT, the kernel's floor of
 * 10 ms, plus the worst-case delayed ACK when one segment is in flight. */
#define TCP_TLP_MIN_MS 10
/* tcp(7) TCP_CORK: "a 200 millisecond ceiling on the time for which
 * output is corked". */
#define TCP_CORK_MAX_MS 200
/* RFC 5827 3: early retransmit below this many outstanding segments. */
#define TCP_EARLY_RETRANS_SEGS 4
/* RFC 9293 3.8.3: give up after this many retransmissions (R2). */
#define TCP_RETRIES_MAX 12
#define TCP_SYN_RETRIES_MAX 6
/* An orphaned FIN_WAIT2 goes after this long (Linux tcp_fin_timeout). */
#define TCP_FIN_TIMEOUT_MS 60000
/* Buffers and queues (bounded). */
#define TCP_SNDBUF (256 * 1024)
#define TCP_RCVBUF (256 * 1024)
#define TCP_OOO_MAX 32      /* out-of-order ranges held (TcpExtTCPOFODrop) */
#define TCP_SACK_SB_MAX 32  /* SACKed ranges the sender remembers */
#define TCP_BACKLOG_MAX 128 /* listen backlog ceiling (somaxconn) */

enum tcp_state {
	TCP_CLOSED,
	TCP_LISTEN,
	TCP_SYN_SENT,
	TCP_SYN_RECV,
	TCP_ESTABLISHED,
	TCP_FIN_WAIT1,
	TCP_FIN_WAIT2,
	TCP_CLOSE_WAIT,
	TCP_CLOSING,
	TCP_LAST_ACK,
	TCP_TIME_WAIT,
};
extern const char *const tcp_state_names[];

struct tcp_seq_range {
	uint32_t start, end;
};

/* Options set with setsockopt (do_tcp_setsockopt), copied from a
 * listener to its children. */
struct tcp_sockopts {
	bool nodelay;         /* Nagle (RFC 896) off: TCP_NODELAY */
	bool cork;            /* TCP_CORK: only full segments (tcp(7)) */
	uint16_t user_mss;    /* TCP_MAXSEG (0 = none) */
	/* Keepalive (RFC 1122 4.2.3.6): SO_KEEPALIVE, TCP_KEEPIDLE / INTVL /
	 * CNT (0 = the default). */
	bool keepalive;
	uint32_t keepidle_s, keepintvl_s, keepcnt;
};

struct tcp_sock {
	struct sock *sk;
	enum tcp_state state;
	bool orphan;          /* the application released it */
	bool linger0;         /* SO_LINGER with timeout 0: close sends RST */
	struct sock *parent;  /* listener, until accepted */
	/* Listener: children established and waiting for accept, bounded. */
	int backlog;
	struct sock *acceptq[TCP_BACKLOG_MAX];
	unsigned acceptq_len;
	unsigned synq_len;    /* request socks in SYN_RECV (request_sock.c) */
	uint64_t synq_overflow_ns; /* last request queue overflow (cookies) */
	bool synq_overflowed;

	/* Send sequence space (RFC 9293 3.3.1). snd_max: highest sent. */
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2;
	uint16_t mss;         /* send MSS */
	uint16_t adv_mss;     /* MSS we offered */
	uint8_t snd_wscale, rcv_wscale;
	bool wscale_ok;
	/* Send buffer: bytes from snd_una on, in a ring. */
	uint8_t *sndbuf;
	size_t snd_head, snd_len;
	bool fin_queued;      /* application is done sending: FIN after data */
	bool fin_sent;        /* our FIN went out once; it sits at fin_seq_out */
	uint32_t fin_seq_out;
	bool syn_retransmitted;

	/* Receive sequence space. rcv_adv: right edge advertised. */
	uint32_t irs, rcv_nxt, rcv_adv;
	uint8_t *rcvbuf;      /* in-order bytes not read yet, then room */
	size_t rcv_head, rcv_len;
	struct tcp_seq_range ooo[TCP_OOO_MAX];
	unsigned nooo;
	bool fin_pending;     /* FIN seen beyond a hole */
	uint32_t fin_seq;
	bool fin_rcvd;        /* FIN consumed: end of stream after rcvbuf */
	bool ack_now;         /* send an ACK at the end of input */

	/* RFC 6298 state, in ns. */
	uint64_t srtt, rttvar, rto;
	bool rtt_valid, rtt_timing;
	uint32_t rtt_seq;
	uint64_t rtt_start;
	unsigned retries;
	/* Timers: 0 = off. rtx also serves as the persist timer. */
	uint64_t rtx_due, tw_due, fin_wait2_due;

	/* RFC 5681 / RFC 6582 congestion control. */
	uint32_t cwnd, ssthresh;
	unsigned dupacks;
	bool in_recovery;
	uint32_t recover;

	/* RFC 2018 SACK: negotiated; the receiver's blocks are ooo[] (most
	 * recent first, RFC 2018 4); the sender's scoreboard is sacked[]
	 * (tcp_sacktag_write_queue) and high_rxt (RFC 6675 HighRxt). */
	bool sack_ok;
	struct tcp_seq_range sacked[TCP_SACK_SB_MAX];
	unsigned nsacked;
	uint32_t high_rxt;
	unsigned rxt_dupacks; /* duplicates since the last hole went out */
	/* RFC 7323 timestamps: TS.Recent, when it was taken, our offset. */
	bool tstamp_ok;
	uint32_t ts_recent, ts_off, last_ack_sent;
	uint64_t ts_recent_stamp;
	/* Delayed ACK (tcp_send_delayed_ack): the largest segment received
	 * and the timer. */
	uint16_t rcv_mss;     /* tcp_measure_rcv_mss */
	uint64_t delack_due;
	uint32_t snd_sml;     /* end of the last short segment (Minshall) */
	uint64_t cork_due;    /* a corked short segment goes anyway then */
	/* The options a child inherits from its listener. */
	struct tcp_sockopts opt;
	/* Keepalive: probes sent, last segment received. */
	unsigned keep_probes;
	uint64_t keep_due, rcv_tstamp;
	/* What TCP_INFO reports. */
	uint32_t total_retrans;
	/* RFC 8985 7 tail loss probe: due time, one probe per episode. */
	uint64_t tlp_due;
	bool tlp_sent;
	/* In the fast path's exemption table (stack_env.tcp_estab_changed). */
	bool estab_exempt;
};

/* Sequence comparisons modulo 2^32 (RFC 9293 3.4). */
static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline bool seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline bool seq_ge(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

/* tcp.c: the SOCK_STREAM entry (connect, listen, accept, send, recv, close). */
bool tcp_sk_is_child(const struct sock *sk);
bool tcp_sk_time_wait(const struct sock *sk);
struct tcp_sock *tcp_alloc(struct sock *sk);
void tcp_set_state(struct tcp_sock *tp, enum tcp_state state);
/* The connection is gone: notify, then free it if orphaned. */
void tcp_done(struct tcp_sock *tp, int err);
/* Take the next established child off a listener (NULL if none). */
struct sock *tcp_accept(struct sock *listener);
/* Copy up to len received bytes out; 0 with *eof at end of stream. */
size_t tcp_recvmsg(struct sock *sk, void *buf, size_t len, bool *eof);
/* Room in the send buffer. */
size_t tcp_send_space(const struct sock *sk);
/* Bytes received and not read yet. */
size_t tcp_rcv_queued(const struct sock *sk);
void tcp_set_linger0(struct sock *sk, bool on);
enum tcp_state tcp_state_of(const struct sock *sk);

/* A request whose handshake completed (or a valid cookie): the child
 * socket in SYN_RECV with its buffers, NULL when the accept queue or the
 * socket table is full (counted). */
struct request_sock;
struct sock *tcp_v6_syn_recv_sock(struct sock *listener, const struct request_sock *req);
/* A child is established: into the accept queue, wake the owner. */
void tcp_child_established(struct tcp_sock *tp);
/* The window scale that lets the receive buffer be advertised. */
uint8_t tcp_choose_wscale(void);
/* The window a SYN-ACK advertises (RFC 7323 2.2: never scaled). */
#define TCP_SYNACK_WINDOW (TCP_RCVBUF < 0xffff ? TCP_RCVBUF : 0xffff)

/* A segment's addresses as it arrived (saddr = the peer), IPv4 ones
 * IPv4-mapped (xrt/inet.h). */
struct tcp_addrs {
	struct in6_addr saddr, daddr;
};

/* tcp_input.c */
int tcp_v6_rcv(struct pkt *p);
/* A checked segment (either family) to its socket, else a reset. */
void tcp_rcv(const struct tcp_addrs *ta, const uint8_t *th, size_t tlen, int ifindex);
/* The socket of a 4-tuple (saddr/sport = the peer), else a listener. */
struct sock *tcp_v6_lookup(const struct in6_addr *saddr, uint16_t sport,
			   const struct in6_addr *daddr, uint16_t dport, int ifindex);
/* tcp_ipv6.c: a Packet Too Big lowered the path MTU to the peer. */
void tcp_v6_mtu_reduced(struct tcp_sock *tp);
/* net.ipv4.tcp_syncookies (syncookies.h); reset to the default by
 * stack_init. */
extern int sysctl_tcp_syncookies;

/* tcp_ipv4.c */
int tcp_v4_xmit(const struct sock *sk, const struct in6_addr *src, const struct in6_addr *dst,
		const uint8_t *seg, size_t len, int oif);
void tcp_v4_send_reset(const struct in6_addr *saddr, const struct in6_addr *daddr,
		       const uint8_t *th, size_t seg_len);
/* The ISN of a connection (RFC 6528), either family. */
uint32_t tcp_init_seq(const struct in6_addr *laddr, const struct in6_addr *raddr, uint16_t lport,
		      uint16_t rport);
/* RFC 9293 3.7.1: the send MSS assumed when the peer's SYN has none. */
static inline uint16_t tcp_default_peer_mss(const struct in6_addr *peer)
{
	return xrt_addr_is_v4(peer) ? TCP_DEFAULT_MSS4 : TCP_DEFAULT_MSS6;
}

/* tcp_output.c */
/* A reset for a segment no connection takes, either family. */
void tcp_send_reset(const struct in6_addr *saddr, const struct in6_addr *daddr,
		    const uint8_t *th, size_t seg_len, int ifindex);
void tcp_write_xmit(struct tcp_sock *tp);
void tcp_send_ack(struct tcp_sock *tp);
void tcp_send_syn(struct tcp_sock *tp, bool ack);
void tcp_send_fin_or_data(struct tcp_sock *tp);
void tcp_send_active_reset(struct tcp_sock *tp);
/* tcp_v6_send_synack: the SYN-ACK of a request (or of a cookie). */
void tcp_v6_send_synack(const struct request_sock *req);
/* A reset answering a segment no connection takes (RFC 9293 3.10.7.1). */
void tcp_v6_send_reset(const struct in6_addr *saddr, const struct in6_addr *daddr,
		       const uint8_t *th, size_t seg_len, int ifindex);
void tcp_build_reset(uint8_t rst[TCP_HDR_LEN], const uint8_t *th, size_t seg_len);
/* Retransmit the segment at snd_una. */
void tcp_retransmit_head(struct tcp_sock *tp);
uint32_t tcp_rcv_window(struct tcp_sock *tp);
uint16_t tcp_mss_for(const struct in6_addr *dst);

/* tcp_output.c: an ACK now, or within the delayed-ACK time. */
void tcp_send_delayed_ack(struct tcp_sock *tp);
/* RFC 7323 4.1: our TSval clock (ms) for this connection. */
uint32_t tcp_time_stamp(const struct tcp_sock *tp);
/* RFC 6675 NextSeg rule (2): the first un-SACKed hole beyond HighRxt
 * below the highest SACKed sequence, sent if one is there. */
bool tcp_sack_retransmit_hole(struct tcp_sock *tp);
/* RFC 8985 7.3: the last segment sent goes again as a loss probe. */
void tcp_send_loss_probe(struct tcp_sock *tp);
/* A keepalive probe: SEG.SEQ = SND.NXT - 1, no data (RFC 1122 4.2.3.6). */
void tcp_send_keepalive_probe(struct tcp_sock *tp);

/* tcp.c: TCP-level and SOL_SOCKET options of a stream socket
 * (do_tcp_setsockopt / do_tcp_getsockopt, sock_setsockopt's
 * SO_KEEPALIVE). -ENOPROTOOPT for anything not implemented. */
int tcp_setsockopt(struct sock *sk, int name, int val);
int tcp_getsockopt(const struct sock *sk, int name, int *val);
void tcp_set_keepalive(struct sock *sk, bool on);
/* tcp_get_info: struct tcp_info (netinet/tcp.h) of a socket; the fields
 * this stack does not keep are zero. */
struct tcp_info;
void tcp_get_info(const struct sock *sk, struct tcp_info *info);

/* tcp_timer.c */
void tcp_rearm_rtx(struct tcp_sock *tp);
/* The keepalive timer restarts from the last segment received. */
void tcp_reset_keepalive_timer(struct tcp_sock *tp);
void tcp_rtt_sample(struct tcp_sock *tp, uint64_t rtt_ns);
void tcp_timers_run(uint64_t now);
uint64_t tcp_timers_next(void);

#endif
