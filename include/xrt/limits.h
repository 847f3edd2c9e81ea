/* xrt: table sizes and limits shared by the fast path and the daemon. */
#ifndef XRT_LIMITS_H
#define XRT_LIMITS_H

#define XRT_MAX_IFACES 64          /* attached interfaces; also stats slots */
#define XRT_MAX_QUEUES 4           /* rx queues per interface with an XSK */
#define XRT_MAX_XSKS (XRT_MAX_IFACES * XRT_MAX_QUEUES)
#define XRT_MAX_TX_PORTS (XRT_MAX_IFACES * 4) /* devmap: 4x buckets, short chains */
#define XRT_MAX_ROUTES (1u << 21)  /* fib6 LPM trie entries (>= 1M routes) */
#define XRT_MAX_NEXTHOPS 65536     /* xrt_nh array; id 0 is never valid */
#define XRT_MAX_NH_GROUPS 4096     /* xrt_nh_grp array; id 0 is never valid */
#define XRT_ECMP_BUCKETS 256       /* members replicated by weight */
#define XRT_MAX_NEIGH 65536        /* xrt_neigh6 hash entries */
#define XRT_MAX_TABLES 256         /* routing table ids 0..255; 254 = main */
#define XRT_TABLE_MAIN 254         /* same id as the kernel's RT_TABLE_MAIN */
#define XRT_MAX_LOCAL6 4096        /* xrt_local6 entries (mirror mode) */

#endif
