/* xrt: the fast path's FIB trie (fib6_add / fib6_del / fib6_lookup), built in the maps of include/xrt/maps.h. */
#ifndef XRT_DATAPLANE_IP6_FIB_H
#define XRT_DATAPLANE_IP6_FIB_H

#include <stdbool.h>
#include <stdint.h>
#include "xrt/maps.h"
#include "xrt/err.h"

/*
 * The memory the trie lives in: the four mmapped FIB maps in xrtd
 * (bpfmaps.c), plain arrays in unit tests. synchronize() returns once every
 * reader that might still hold a replaced cell has finished (an RCU grace
 * period); cells are reused only after it.
 */
struct fib6_mem {
	struct xrt_fib6_tbl *tbl;   /* XRT_FIB_TRIES: IPv6 tables, then IPv4 */
	uint32_t *dp;               /* nslots << XRT_FIB6_DP_BITS */
	struct xrt_fib6_node *node; /* nnodes; index 0 is never used */
	struct xrt_fib6_rec *rec;   /* nrecs; index 0 is never used */
	uint32_t nslots, nnodes, nrecs;
	void (*synchronize)(void *ctx);
	void *ctx;
	/*
	 * NULL: the sizes are fixed (-ENOSPC when full). Else the trie moves
	 * to memory of other sizes: resize makes memory with next's nslots,
	 * nnodes and nrecs (filling its pointers), calls fill(fctx, next),
	 * which builds the whole trie there while readers still walk the old
	 * memory, then switches every reader to next at once and releases
	 * the old memory. On failure (-ENOMEM, the kernel refusing a map) it
	 * returns -errno with err set, and readers never left the old memory.
	 */
	int (*resize)(void *ctx, struct fib6_mem *next,
		      int (*fill)(void *fctx, const struct fib6_mem *next), void *fctx,
		      char *err);
};

struct fib6_usage {
	uint64_t routes;
	uint32_t tables;  /* tables holding routes (DP regions in use) */
	uint32_t nodes, recs; /* cells reachable by readers */
	uint32_t pending; /* replaced cells waiting for a grace period */
	uint64_t bytes;   /* nodes, records and DP regions in use */
	uint32_t syncs;   /* grace periods waited for */
	uint32_t subtrees; /* destinations with source-specific routes */
	uint64_t subtrees_refused; /* source routes refused: XRT_FIB6_SUBTREES in use */
	uint32_t src_passed; /* destinations handed to the kernel (fib6_src_pass) */
	uint64_t src_pass_refused; /* not handed over: XRT_FIB6_SRC_PASS in use */
	/* The memory's sizes and what they cost (every cell, used or not). */
	uint32_t nslots, nnodes, nrecs;
	uint64_t capacity_bytes;
	uint64_t max_routes;       /* the ceiling (fib6_set_max_routes) */
	uint32_t grows, shrinks;   /* resizes done */
	uint32_t resize_failures;  /* resizes refused (memory): nothing changed */
	uint32_t ceiling_hits;     /* adds refused at max_routes */
	char resize_error[XRT_ERR_LEN]; /* why the last resize failed ("" none) */
};

struct fib6;

/* A fresh, empty FIB over mem (its contents are cleared, readers first). */
struct fib6 *fib6_new(const struct fib6_mem *mem);
void fib6_free(struct fib6 *f);

/* Add or replace the route (table, addr/plen) with leaf (xrt_fib6_leaf()).
 * Host bits of addr are ignored. -ENOSPC with a message when full. */
int fib6_add(struct fib6 *f, uint32_t table, const uint8_t addr[16], unsigned plen,
	     uint32_t leaf, char *err);
/* -ENOENT if there is no such route. */
int fib6_del(struct fib6 *f, uint32_t table, const uint8_t addr[16], unsigned plen,
	     char *err);
/* The exact route's leaf, or 0. */
uint32_t fib6_get(const struct fib6 *f, uint32_t table, const uint8_t addr[16],
		  unsigned plen);

/* The fast path's walk (bpf/fib6_lookup.h), over the same memory: the leaf that
 * forwards addr in table, or 0. */
uint32_t fib6_lookup(const struct fib6_mem *mem, uint32_t table, const uint8_t addr[16]);

/*
 * Source-specific routes (the kernel's fib6_add with CONFIG_IPV6_SUBTREES):
 * (table, dst/dplen from src/splen), IPv6 tables only; splen 0 is the
 * plain route. A destination with source routes answers like the kernel's
 * fib6_node_lookup: its longest matching source, else the shorter
 * destinations' answer (its own plain route is used only at ::/0). At most
 * XRT_FIB6_SUBTREES destinations have source routes: -ENOSPC, counted in
 * fib6_usage.subtrees_refused, when full. On error nothing changed.
 */
int fib6_src_add(struct fib6 *f, uint32_t table, const uint8_t dst[16], unsigned dplen,
		 const uint8_t src[16], unsigned splen, uint32_t leaf, char *err);
int fib6_src_del(struct fib6 *f, uint32_t table, const uint8_t dst[16], unsigned dplen,
		 const uint8_t src[16], unsigned splen, char *err);
/* Hand every packet to dst/dplen to the kernel (on: its trie entry answers
 * XRT_FIB6_LEAF_KERNEL) or take it back; at most XRT_FIB6_SRC_PASS
 * destinations (-ENOSPC, counted in fib6_usage.src_pass_refused). */
int fib6_src_pass(struct fib6 *f, uint32_t table, const uint8_t dst[16], unsigned dplen,
		  bool on, char *err);
uint32_t fib6_src_get(const struct fib6 *f, uint32_t table, const uint8_t dst[16],
		      unsigned dplen, const uint8_t src[16], unsigned splen);
/* The fast path's walk with the packet's source (fib6_lookup is this with
 * the source ::, as the kernel's lookups without one). */
uint32_t fib6_lookup_src(const struct fib6_mem *mem, uint32_t table, const uint8_t daddr[16],
			 const uint8_t saddr[16]);

void fib6_usage(const struct fib6 *f, struct fib6_usage *u);

/* The ceiling: adds of new routes beyond max are refused (-ENOSPC, counted
 * in ceiling_hits). */
void fib6_set_max_routes(struct fib6 *f, uint64_t max);
/* Grow now to room for about routes more random prefixes, and never shrink
 * below it (tools that must not see a resize while they measure). */
int fib6_reserve(struct fib6 *f, uint64_t routes, char *err);
/* The memory readers walk now (it moves on a resize). */
const struct fib6_mem *fib6_mem_of(const struct fib6 *f);

#endif
