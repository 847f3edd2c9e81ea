/* xrt: table sizes and limits shared by the fast path and the daemon. */
#ifndef XRT_LIMITS_H
#define XRT_LIMITS_H

#define XRT_MAX_IFACES 64          /* attached interfaces; also stats slots */
#define XRT_IFINDEX_DIRECT 4096    /* xrt_ifaces_dir: ifindexes found by index */
#define XRT_MAX_QUEUES 4           /* rx queues per interface with an XSK */
#define XRT_MAX_XSKS (XRT_MAX_IFACES * XRT_MAX_QUEUES)
#define XRT_MAX_TX_PORTS (XRT_MAX_IFACES * 4) /* devmap: 4x buckets, short chains */
/* The FIB trie's maps start at the _MIN sizes (about 1.1 MB) and are
 * rebuilt larger or smaller as the table grows and shrinks
 * (userspace/dataplane/ip6_fib.c, fib6_resize). 1M random /32../64 routes
 * take about 350k nodes and 1M records (tools/fpcost). XRT_MAX_ROUTES is
 * only the default of xrtd's --max-routes. */
#define XRT_MAX_ROUTES (1u << 22)  /* 4M prefixes over all tables */
#define XRT_FIB6_TABLE_SLOTS 32    /* DP regions: 31 IPv6 or IPv4 tables with routes */
#define XRT_FIB6_SLOTS_MIN 4       /* DP regions at start: slot 0 + 3 tables, 256 KB each */
#define XRT_FIB6_NODES_MIN 1024    /* trie nodes at start, 64 B each */
#define XRT_FIB6_RECS_MIN 1024     /* path-compressed steps at start, 32 B each */
/* Next hops are shared by every route through the same gateway and
 * interface (rib.c), groups by every route with the same ECMP set: a full
 * Internet table has a few hundred of each. The arrays are preallocated
 * (looked up per packet, so not hashes): 16k x 48 B and 1k x 1 KiB, 1.8 MB. */
#define XRT_MAX_NEXTHOPS 16384     /* xrt_nh array; id 0 is never valid */
#define XRT_MAX_NH_GROUPS 1024     /* xrt_nh_grp array; id 0 is never valid */
#define XRT_ECMP_BUCKETS 256       /* members replicated by weight */
#ifndef XRT_MAX_NEIGH /* tests/netns/xrt_fwd_upgrade.bpf.c builds with another */
#define XRT_MAX_NEIGH 16384        /* xrt_neigh6 hash entries: 4x the slow path's table */
#endif
#define XRT_MAX_TABLES 256         /* routing table ids 0..255; 254 = main */
/* Destinations with source-specific routes (the kernel's IPv6 subtrees,
 * RFC 8678), all tables together; each takes one xrt_fib6_tbl element and
 * one DP region while it holds more than a default source. */
#define XRT_FIB6_SUBTREES 8
/* Source prefixes per such destination: a change rebuilds the flattened
 * subtree, quadratic in them. */
#define XRT_FIB6_SUBTREE_ROUTES 256
/* Destinations whose source routes did not all fit (either bound above):
 * the fast path hands their traffic to the kernel (pass
 * src_route_unsupported); their refused routes wait, at most
 * XRT_FIB6_SRC_PENDING of them, and are retried when room frees. */
#define XRT_FIB6_SRC_PASS 64
#define XRT_FIB6_SRC_PENDING 1024
#define XRT_TABLE_MAIN 254         /* same id as the kernel's RT_TABLE_MAIN */
#define XRT_TABLE_LOCAL 255        /* the kernel's RT_TABLE_LOCAL: IPv4 local, broadcast */
#define XRT_MAX_LOCAL6 4096        /* xrt_local6 entries (mirror mode) */
/* Neighbour entries being resolved (INCOMPLETE) per interface (RFC 6583
 * 7.1): a scan of an on-link /64 recycles the oldest of them and never
 * touches entries that carry traffic. With the neigh_miss punt budget
 * (5000/s, control/punt.c) an INCOMPLETE entry lives at least
 * 1024 / 5000 s = 205 ms (105 ms right after every CPU spent its burst)
 * whatever the scan rate: a neighbour answering within 100 ms resolves. */
#define XRT_NEIGH_INCOMPLETE_MAX 1024

/* The slow path's socket layer (userspace/stack): bounds an off-link
 * attacker can push against. */
#define XRT_TCP_REQSK_MAX 1024        /* SYN_RECV request socks, all listeners */
#define XRT_TCP_REQSK_HASH 1024       /* their hash buckets (keyed, power of 2) */
#define XRT_INET_PORT_PERTURB (1u << 16) /* RFC 6056 alg. 4 table (kernel: 2^16) */
#define XRT_IP6_IDENTS 2048           /* RFC 7739 5.3 counters (kernel IP_IDENTS_SZ) */
#define XRT_MAX_TCP_ESTAB 4096        /* xrt_tcp_estab: established connections exempt from the LOCAL punt budget */

/* An idle router with one interface, memory in all (xrtd resident plus its
 * BPF maps, tools/bench/memfig): t_mem_idle and make bench check it. */
#define XRT_MEM_IDLE_MAX_KB 16384

#endif
