/* xrt: SYN cookies for IPv6 (the kernel's net/ipv6/syncookies.c, RFC 4987 3.6): a listener whose request queue is full answers with an ISN that encodes the connection, and keeps nothing. */
#ifndef XRT_STACK_SYNCOOKIES_H
#define XRT_STACK_SYNCOOKIES_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

/* net.ipv4.tcp_syncookies: 0 never, 1 when the request queue is full, 2
 * always. Default 1, as in Linux. */
#define TCP_SYNCOOKIES_DEFAULT 1
/* TCP_SYNCOOKIE_PERIOD: the counter in a cookie moves once a minute, and
 * a cookie is good for MAX_SYNCOOKIE_AGE periods (2 to 3 minutes). */
#define TCP_SYNCOOKIE_PERIOD_SEC 60
#define MAX_SYNCOOKIE_AGE 2
/* tcp_synq_no_recent_overflow: cookies are checked only this long after the
 * queue last overflowed (TCP_SYNCOOKIE_VALID); otherwise an ACK for no
 * request is just answered with a reset. */
#define TCP_SYNCOOKIE_VALID_SEC (MAX_SYNCOOKIE_AGE * TCP_SYNCOOKIE_PERIOD_SEC)

/* __cookie_v6_init_sequence: the ISN for a SYN from (saddr, sport) to
 * (daddr, dport) with initial sequence seq; *mssp (the peer's MSS) is
 * rounded down to the MSS the cookie can carry. */
uint32_t cookie_v6_init_sequence(const struct in6_addr *saddr, const struct in6_addr *daddr,
				 uint16_t sport, uint16_t dport, uint32_t seq, uint16_t *mssp);
/* __cookie_v6_check: the MSS encoded in an ACK's cookie (ack - 1 for a SYN
 * whose sequence was seq - 1), or 0 if it is not one we made in the last
 * MAX_SYNCOOKIE_AGE periods. */
uint16_t cookie_v6_check(const struct in6_addr *saddr, const struct in6_addr *daddr,
			 uint16_t sport, uint16_t dport, uint32_t seq, uint32_t cookie);

#endif
