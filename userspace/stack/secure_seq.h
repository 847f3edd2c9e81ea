/* xrt: keyed, unpredictable numbers for the socket layer (the kernel's net/core/secure_seq.c): TCP ISNs (RFC 6528), ephemeral ports (RFC 6056), fragment IDs (RFC 7739). */
#ifndef XRT_STACK_SECURE_SEQ_H
#define XRT_STACK_SECURE_SEQ_H

#include <stdint.h>
#include <netinet/in.h>
#include "stack/siphash.h"

/* One key per use, as the kernel keeps net_secret, syncookie6_secret, ... :
 * learning one output family tells nothing about another. */
enum secure_key_id {
	SECURE_KEY_NET,        /* ISN and ephemeral port offsets (net_secret) */
	SECURE_KEY_IDENT,      /* IPv6 fragment identification */
	SECURE_KEY_COOKIE0,    /* SYN cookie: the per-connection part */
	SECURE_KEY_COOKIE1,    /* SYN cookie: the time-counted part */
	SECURE_KEY_REQSK_HASH, /* request sock hash buckets */
	SECURE_KEY_RANDOM,     /* get_random_u32's stream */
	SECURE_KEY_MAX
};

/* Fresh keys from getrandom(2); stack_init calls it. 0 or -errno. */
int secure_seq_init(void);
/* Every key derived from master instead (unit tests compare two "stacks"
 * with known keys). */
void secure_seq_set_master_key(const siphash_key_t *master);
const siphash_key_t *secure_key(enum secure_key_id id);

/* RFC 6528 section 3: ISN = M + F(localip, localport, remoteip, remoteport,
 * secretkey), F SipHash-2-4, M the clock in 64 ns ticks (the kernel's
 * seq_scale). Ports in network order, as on the wire. */
uint32_t secure_tcpv6_seq(const struct in6_addr *saddr, const struct in6_addr *daddr,
			  uint16_t sport, uint16_t dport);
/* secure_tcp_seq: the same for IPv4, over the 4-byte addresses. */
uint32_t secure_tcp_seq(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport);
/* RFC 6056 3.3.4 (algorithm 4) F(local, remote, remote port, key): the
 * offset of the ephemeral port search for one destination. */
uint64_t secure_ipv6_port_ephemeral(const struct in6_addr *saddr, const struct in6_addr *daddr,
				    uint16_t dport);
/* RFC 7739 5.3: the keyed hash of the addresses that picks (and offsets)
 * the identification counter of a destination. */
uint64_t secure_ipv6_id(const struct in6_addr *daddr, const struct in6_addr *saddr);

/* Unpredictable numbers for the socket layer (the kernel's get_random_u32):
 * SipHash of a counter under a random key; never for keys themselves. */
uint32_t get_random_u32(void);
/* Uniform in [0, ceil) for ceil > 0 (rejection of the biased tail). */
uint32_t get_random_u32_below(uint32_t ceil);

#endif
