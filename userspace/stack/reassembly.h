/* xrt: reassembly bounds and gauges (for stats and tests). */
#ifndef XRT_STACK_REASSEMBLY_H
#define XRT_STACK_REASSEMBLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

/* The kernel's ip6frag_high_thresh is 4 MiB; the same bound here. */
#define REASM_MEM_MAX (4u << 20)
#define REASM_MAX_QUEUES 256

/* The fragment queues IPv6 (reassembly.c) and IPv4 (ip_fragment.c)
 * share, as the kernel's inet_fragment.c: one memory bound, one count. */
struct frag_queue;
struct pkt;
#define FRAG_KEY_V4 0x100u
struct frag_queue *inet_frag_find(const struct in6_addr *src, const struct in6_addr *dst,
				  uint32_t id, uint32_t key, int ifindex, uint64_t timeout_ns);
int inet_frag_queue_insert(struct frag_queue *q, const struct pkt *p, uint32_t offset,
			   size_t data_off, bool more, uint8_t nexthdr);
bool inet_frag_reasm_finish(struct frag_queue *q, struct pkt *p, size_t max_len);

/* Bytes held by incomplete datagrams, and how many are in progress. */
size_t reassembly_mem(void);
unsigned reassembly_queues(void);

#endif
