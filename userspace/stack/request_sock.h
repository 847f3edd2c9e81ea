/* xrt: SYN_RECV request mini-sockets (the kernel's struct request_sock, inet_csk_reqsk_queue_*): a connection that has sent its SYN costs a small bounded entry, not a socket with buffers. */
#ifndef XRT_STACK_REQUEST_SOCK_H
#define XRT_STACK_REQUEST_SOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include "xrt/limits.h"

struct sock;

/* RFC 6298 2.1 initial RTO for the SYN-ACK, as the kernel's TCP_TIMEOUT_INIT. */
#define TCP_SYNACK_TIMEOUT_INIT_MS 1000
/* net.ipv4.tcp_synack_retries: 1+2+4+8+16+32 s, then the request goes. */
#define TCP_SYNACK_RETRIES 5
/* reqsk_timer_handler: a listener whose queue is more than half full drops
 * requests after this many retransmissions (the young/old pruning), so a
 * flood's requests leave after 1+2+4 s instead of 63. */
#define TCP_SYNACK_RETRIES_PRESSURE 2

struct request_sock {
	struct request_sock *hnext;     /* hash chain */
	struct request_sock *next, *prev; /* every live request (timers) */
	bool in_use;
	struct sock *listener;
	struct in6_addr rmt_addr, loc_addr;
	uint16_t rmt_port, loc_port;    /* network order */
	int ifindex;
	uint32_t snt_isn, rcv_isn;
	uint32_t snd_wnd;               /* the SYN's window (never scaled) */
	uint16_t mss;                   /* send MSS negotiated from the SYN */
	uint16_t adv_mss;               /* MSS we offer */
	uint8_t snd_wscale, rcv_wscale;
	bool wscale_ok;
	bool sack_ok;                   /* RFC 2018 2: both SYNs offered it */
	bool tstamp_ok;                 /* RFC 7323 3.2: the SYN had one */
	uint32_t ts_recent, ts_off;     /* the SYN's TSval; our TS offset */
	uint8_t num_retrans;
	uint64_t expires;               /* next SYN-ACK retransmission (ns) */
};

void reqsk_table_init(void);
/* inet_reqsk_alloc: a free entry (not yet hashed), NULL when all
 * XRT_TCP_REQSK_MAX are taken. */
struct request_sock *reqsk_alloc(void);
/* inet_csk_reqsk_queue_hash_add: visible to lookups, timer armed, counted
 * in the listener's queue. */
void inet_csk_reqsk_queue_hash_add(struct request_sock *req, uint64_t timeout_ns);
/* inet_csk_reqsk_queue_drop: unhash, uncount, free. */
void inet_csk_reqsk_queue_drop(struct request_sock *req);
/* The request of a 4-tuple on a listener, or NULL. */
struct request_sock *reqsk_lookup(const struct sock *listener, const struct in6_addr *rmt,
				  uint16_t rport, const struct in6_addr *loc, uint16_t lport);
/* A listener closes: its requests go (inet_csk_listen_stop). */
void reqsk_queue_purge(const struct sock *listener);
/* Requests in use, all listeners (the sp_tcp_reqsk gauge). */
unsigned reqsk_count(void);
/* reqsk_timer_handler over every request; next due time. */
void reqsk_timers_run(uint64_t now);
uint64_t reqsk_timers_next(void);

#endif
