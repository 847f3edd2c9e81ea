/* xrt: reassembly bounds and gauges (for stats and tests). */
#ifndef XRT_STACK_REASSEMBLY_H
#define XRT_STACK_REASSEMBLY_H

#include <stddef.h>

/* The kernel's ip6frag_high_thresh is 4 MiB; the same bound here. */
#define REASM_MEM_MAX (4u << 20)
#define REASM_MAX_QUEUES 256

/* Bytes held by incomplete datagrams, and how many are in progress. */
size_t reassembly_mem(void);
unsigned reassembly_queues(void);

#endif
