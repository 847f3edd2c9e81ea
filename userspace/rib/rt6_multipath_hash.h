/* xrt: the fast path's ECMP flow hash, recomputed in userspace for `route get`. */
#ifndef XRT_RIB_RT6_MULTIPATH_HASH_H
#define XRT_RIB_RT6_MULTIPATH_HASH_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

/* The fields of a packet the fast path hashes (bpf/fib.h). */
struct rt6_flow {
	struct in6_addr saddr, daddr;
	uint32_t flowlabel; /* 20 bits */
	uint8_t nexthdr;
	bool has_ports;     /* TCP or UDP with its first 4 bytes present */
	uint16_t sport, dport; /* host order */
};

/* Bit for bit the value rt6_multipath_hash() in bpf/fib.h computes; the
 * group member is bucket[hash % nbuckets]. t_control_ecmp checks the
 * prediction against what the fast path really does. */
uint32_t rt6_multipath_hash(const struct rt6_flow *f);

#endif
