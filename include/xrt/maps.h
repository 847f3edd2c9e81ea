/* xrt: the BPF map contract between the XDP fast path and the daemon. */
#ifndef XRT_MAPS_H
#define XRT_MAPS_H

#include <linux/types.h>
#include "limits.h"
#include "counters.h"

/*
 * All maps are pinned by name (LIBBPF_PIN_BY_NAME) under
 * <bpffs>/tc/globals/, the directory iproute2 uses, so that
 * `TC_BPF_MNT=<bpffs> ip link set dev X xdp obj bpf/xrt_fwd.bpf.o sec xdp`
 * and xrtd share one set. One router (one network namespace) = one bpffs
 * directory; the default is XRT_BPFFS_DEFAULT, outside /sys because
 * `ip netns exec` remounts /sys.
 */
#define XRT_BPFFS_DEFAULT "/run/xrt/bpffs"
#define XRT_PIN_SUBDIR "tc/globals"
#define XRT_PROG_SECTION "xdp"

#define XRT_MAP_NH "xrt_nh"
#define XRT_MAP_NH_GRP "xrt_nh_grp"
#define XRT_MAP_NEIGH6 "xrt_neigh6"
#define XRT_MAP_IFACES "xrt_ifaces"
#define XRT_MAP_IFACES_DIR "xrt_ifaces_dir"
#define XRT_MAP_TX_PORTS "xrt_tx_ports"
#define XRT_MAP_TX_OUTER "xrt_tx_outer"
#define XRT_MAP_XSKS "xrt_xsks"
#define XRT_MAP_STATS "xrt_stats"
#define XRT_MAP_PUNT_CFG "xrt_punt_cfg"
#define XRT_MAP_PUNT_TB "xrt_punt_tb"
#define XRT_MAP_LOCAL6 "xrt_local6"

/*
 * The FIB: a multibit trie in four mmapable ARRAY maps (bpf/README.md: DIR-16 then
 * stride 4, path-compressed, leaf-pushed). Only userspace/dataplane/ip6_fib.c
 * writes it; bpf/fib6_lookup.h (fib6_lookup) walks it. A walk:
 *   slot = xrt_fib6_tbl[table].slot           (0: the table holds no route)
 *   e    = xrt_fib6_dp[slot].e[daddr bits 0..15]         pos = 16
 *   while e is a NODE or a REC:
 *     NODE: e = node.e[daddr bits q..q+3], q = min(pos, 124); pos = q + 4
 *     REC:  daddr matches rec's plen bits ? (e = rec.match, pos = rec.plen)
 *                                         : the answer is rec.miss
 *   e is the answer: a leaf (route type and next hop), or 0: then the
 *   table's default route xrt_fib6_tbl[table].dflt (0 = no route).
 * Every entry is one aligned 32-bit word, and a change is built in unused
 * cells and published by one store into the word that leads to it, so a
 * reader sees the old answer or the new one, never a mix. Cells a change
 * replaces are reused only after an RCU grace period (membarrier).
 */
#define XRT_MAP_FIB6_TBL "xrt_fib6_tbl"
#define XRT_MAP_FIB6_DP "xrt_fib6_dp"
#define XRT_MAP_FIB6_NODE "xrt_fib6_node"
#define XRT_MAP_FIB6_REC "xrt_fib6_rec"

#define XRT_FIB6_DP_BITS 16
#define XRT_FIB6_STRIDE 4
#define XRT_FIB6_NODE_MAXPOS (128 - XRT_FIB6_STRIDE) /* q = min(pos, 124) */
/* DP + at most 28 nodes or records (each advances pos by >= 4) + slack. */
#define XRT_FIB6_MAX_STEPS 32

/* An entry: 0 = no route; tag bits 31-30: 00 leaf, 01 node, 10 record. */
#define XRT_FIB6_E_NODE 0x40000000u
#define XRT_FIB6_E_REC 0x80000000u
#define XRT_FIB6_E_IDX 0x3fffffffu
/* A leaf: route type (enum xrt_rtn) in bits 24-29, next hop in bits 0-23
 * (xrt_nh id, or XRT_FIB6_LEAF_GRP | xrt_nh_grp id). */
#define XRT_FIB6_LEAF_TYPE_SHIFT 24
#define XRT_FIB6_LEAF_GRP 0x00800000u
#define XRT_FIB6_LEAF_NH 0x007fffffu

/*
 * IPv4 (the kernel's fib_trie): per routing table a trie of its own in the
 * same maps, the IPv4 address as the top 32 bits of the key (host bits and
 * the low 96 bits zero), its plen the IPv4 one (0..32). Its xrt_fib6_tbl
 * element is XRT_FIB4_TBL(table), so an IPv4 lookup never meets an IPv6
 * prefix nor the other way round.
 */
#define XRT_FIB4_TBL(table) (XRT_MAX_TABLES + (table))
/*
 * Source-specific routes (ip6_fib.c fib6_add with CONFIG_IPV6_SUBTREES): a
 * destination with routes `from S` holds the leaf XRT_FIB6_LEAF_SUBTREE
 * whose next-hop field is a subtree id s; the packet's SOURCE is then
 * walked in trie XRT_FIB6_SUB_TBL(s), which userspace builds flattened (the
 * destination's source routes, and for sources none of them covers the
 * answer fib6_node_lookup's backtracking gives), so a lookup is one
 * destination walk and at most one source walk.
 */
#define XRT_FIB6_LEAF_SUBTREE 0x3fu /* leaf type: never a kernel RTN_* */
/* A destination whose source routes xrt could not all install: the walk's
 * answer for it is "the kernel's" (XDP_PASS, src_route_unsupported). */
#define XRT_FIB6_LEAF_KERNEL 0x3eu /* leaf type: never a kernel RTN_* */
#define XRT_FIB6_SUB_TBL(s) (2 * XRT_MAX_TABLES + (s))
/* xrt_fib6_tbl: IPv6 tables, IPv4 tables, then source subtrees */
#define XRT_FIB_TRIES (2 * XRT_MAX_TABLES + XRT_FIB6_SUBTREES)

/* xrt_fib6_tbl: ARRAY by table id (XRT_FIB4_TBL for IPv4). slot 0 is an
 * all-zero DP region. */
struct xrt_fib6_tbl {
	__u32 slot;   /* DP region; 1..XRT_FIB6_TABLE_SLOTS-1 once routed */
	__u32 routes; /* prefixes this table holds (for tools and tests) */
	/* The default route's leaf (0: none). It is not pushed into the trie:
	 * a walk that ends in 0 answers this, so changing the default route
	 * of a full table is one store, not a rewrite of every leaf. */
	__u32 dflt;
	__u32 pad; /* ARRAY elements are 8-byte aligned: keep the mmap dense */
};
/* xrt_fib6_dp: ARRAY by DP region (a table's first 16 bits). One element per
 * region: an ARRAY spaces its elements 8 bytes apart at least, so 32-bit
 * elements would not be one contiguous array in the mmap. */
struct xrt_fib6_dp {
	__u32 e[1 << XRT_FIB6_DP_BITS];
};
/* xrt_fib6_node: ARRAY, 16 entries indexed by the next 4 address bits. */
struct xrt_fib6_node {
	__u32 e[1 << XRT_FIB6_STRIDE];
};
/* xrt_fib6_rec: ARRAY. A path-compressed step: one prefix to compare. */
struct xrt_fib6_rec {
	__u64 hi, lo; /* the prefix in host byte order, host bits zero */
	__u32 plen;   /* 20..128 */
	__u32 match;  /* entry for addresses inside the prefix */
	__u32 miss;   /* answer (a leaf or 0) for the rest */
	__u32 pad;
};

/* Route types use the kernel's RTN_* numbers (netlink mirroring maps 1:1). */
enum xrt_rtn {
	XRT_RTN_UNICAST = 1,
	XRT_RTN_LOCAL = 2,
	XRT_RTN_BROADCAST = 3,
	XRT_RTN_BLACKHOLE = 6,
	XRT_RTN_UNREACHABLE = 7,
	XRT_RTN_PROHIBIT = 8,
};

/* nh: index into xrt_nh, or XRT_NH_GROUP | index into xrt_nh_grp. */
#define XRT_NH_GROUP 0x80000000u
/* A route as the control plane gives it (bpfmaps.h); stored as a leaf. */
struct xrt_fib6_val {
	__u32 type; /* enum xrt_rtn */
	__u32 nh;   /* unicast only; 0 otherwise */
};

/* xrt_nh: ARRAY. A connected next hop resolves the packet's destination. */
#define XRT_NH_F_VALID 0x1
#define XRT_NH_F_CONNECTED 0x2 /* on-link: next-hop address = daddr */
/* Set by bpfmaps.c only (callers' value is ignored): smac holds the egress
 * interface's MAC, copied from xrt_ifaces and kept in step by iface_set/del,
 * so forwarding needs no second xrt_ifaces lookup. */
#define XRT_NH_F_SMAC 0x4
/* Set by bpfmaps.c only: dmac holds the gateway's MAC from xrt_neigh6, whose
 * state is usable and not STALE (kept in step by neigh_set/del), so
 * forwarding via a gateway needs no xrt_neigh6 lookup. */
#define XRT_NH_F_DMAC 0x8
struct xrt_nh {
	__u32 ifindex; /* egress */
	__u32 mtu;     /* egress MTU for this path (route mtu or link mtu) */
	__u32 flags;
	__u32 pad;
	__u8 gw[16]; /* gateway; unused when CONNECTED */
	__u8 smac[6]; /* filled by bpfmaps.c (XRT_NH_F_SMAC) */
	__u16 pad2;
	__u8 dmac[6]; /* filled by bpfmaps.c (XRT_NH_F_DMAC) */
	__u16 pad3;
};

/* xrt_nh_grp: ARRAY. Members replicated by weight over nbuckets buckets. */
struct xrt_nh_grp {
	__u32 nbuckets; /* 0 = invalid group; else 1..XRT_ECMP_BUCKETS */
	__u32 pad;
	__u32 bucket[XRT_ECMP_BUCKETS]; /* xrt_nh ids */
};

/* xrt_neigh6: HASH. States are the kernel's NUD_* bits. */
#define XRT_NUD_INCOMPLETE 0x01
#define XRT_NUD_REACHABLE 0x02
#define XRT_NUD_STALE 0x04
#define XRT_NUD_DELAY 0x08
#define XRT_NUD_PROBE 0x10
#define XRT_NUD_FAILED 0x20
#define XRT_NUD_NOARP 0x40
#define XRT_NUD_PERMANENT 0x80
/* States whose MAC the fast path may use (RFC 4861 7.3.3). */
#define XRT_NUD_VALID                                                    \
	(XRT_NUD_REACHABLE | XRT_NUD_STALE | XRT_NUD_DELAY | XRT_NUD_PROBE | \
	 XRT_NUD_PERMANENT | XRT_NUD_NOARP)
struct xrt_neigh6_key {
	__u32 ifindex;
	__u8 addr[16];
};
struct xrt_neigh6_val {
	__u8 mac[6];
	__u16 state; /* XRT_NUD_* */
	/* Set by the fast path when it forwards with a STALE entry, so the
	 * daemon moves it to DELAY and probes (RFC 4861 7.3.3). */
	__u64 used_ns;
};

/* xrt_ifaces: HASH by ifindex. Absent = not ours: XDP_PASS. */
#define XRT_IF_F_FORWARDING 0x1 /* ip6_forward allowed from this ingress */
#define XRT_IF_F_KERNEL_LOCAL 0x2 /* mirror mode: local traffic to kernel */
/* Reverse-path filter (RFC 3704 2.2 strict, 2.4 loose; bpf/fib_validate_source.h). */
#define XRT_IF_F_RPF_STRICT 0x4
#define XRT_IF_F_RPF_LOOSE 0x8
#define XRT_IF_F_RPF (XRT_IF_F_RPF_STRICT | XRT_IF_F_RPF_LOOSE)
/* `link set dev D rpf`: the values of the kernel's rp_filter sysctl. */
enum xrt_rpf { XRT_RPF_OFF = 0, XRT_RPF_STRICT = 1, XRT_RPF_LOOSE = 2 };
struct xrt_iface {
	__u8 mac[6];
	__u16 slot; /* 1..XRT_MAX_IFACES-1: index into xrt_stats */
	__u32 mtu;
	__u32 table; /* routing table for packets arriving here */
	__u32 flags;
	__u32 xsk_base; /* xrt_xsks key = xsk_base + rx_queue_index */
	__u32 pad;
};

/* xrt_ifaces_dir: ARRAY by ifindex < XRT_IFINDEX_DIRECT, a copy of
 * xrt_ifaces kept by bpfmaps.c (slot 0 = not attached): an array lookup is
 * inlined by the verifier, a hash lookup costs about 4 ns per packet.
 * Larger ifindexes are looked up in xrt_ifaces. */

/* xrt_tx_ports: DEVMAP_HASH, ifindex -> struct bpf_devmap_val {.ifindex}:
 * the egress ports (every interface in xrt_ifaces). Not pinned itself: it is
 * slot 0 of xrt_tx_outer (ARRAY_OF_MAPS, 1 slot, pinned); see bpf/maps.h for
 * why. An egress without an entry is dropped (no_tx_port). */
/* xrt_xsks: XSKMAP, key xsk_base + queue -> AF_XDP socket fd. */

/* xrt_punt_cfg: ARRAY by enum xrt_punt_reason; rate 0 = unlimited. */
struct xrt_punt_cfg {
	__u32 rate_pps;
	__u32 burst;
};
/* xrt_punt_tb: PERCPU_ARRAY by reason; each CPU refills at rate/ncpus. */
struct xrt_punt_tb {
	__u64 last_ns;
	__u64 tokens_milli; /* thousandths of a token */
	/* Packets the empty bucket refused: dropped (drop punt_limit), or for
	 * REDIRECT forwarded with XDP_TX and no Redirect. `xrt punt show`. */
	__u64 limited;
};

/* xrt_local6: HASH (ifindex or 0, addr) -> flags. Mirror mode: which
 * local destinations xrtd's socket layer claims; the rest go to the kernel.
 * Any mode: the groups xrtd's sockets joined on an interface (ifindex,
 * group), punted even when wider than link scope. */
struct xrt_local6_key {
	__u32 ifindex;
	__u8 addr[16];
};
#define XRT_LOCAL_F_XRTD 0x1

/*
 * xrt_stamp: ARRAY, one element per map of the set, written by whoever
 * pinned the set (dataplane/migrate.c; a set `ip link ... xdp obj` created
 * holds zeros until a daemon adopts it). It tells the next loader what the
 * pins hold beyond what bpf_map_info shows: the set's ABI, each value
 * struct's layout version, and how xrt_stats is cut into its sections, so
 * that a new object whose maps changed can be migrated without guessing.
 */
#define XRT_MAP_STAMP "xrt_stamp"
#define XRT_MAPS_ABI 1     /* bumped when a map's meaning changes */
#define XRT_STAMP_MAX 32   /* maps in one set (15 today) */
#define XRT_STAMP_NAME 16  /* BPF_OBJ_NAME_LEN */
struct xrt_map_stamp {
	char name[XRT_STAMP_NAME]; /* "" = unused element */
	__u32 abi;                 /* XRT_MAPS_ABI; 0 = never written */
	__u32 type, key_size, value_size, max_entries, map_flags;
	/* xrt_stats only: XRT_MIB_MAX, XRT_PUNT_MAX, XRT_DROP_MAX,
	 * XRT_PASS_MAX of the writer (each section grows at its end). */
	__u32 sections[4];
	__u32 pad;
};

/* xrt_tcp_estab: HASH of the 4-tuples of TCP connections xrtd's socket
 * layer has established (filled and emptied by the stack through the
 * dataplane); their segments skip the LOCAL punt budget. Addresses and
 * ports as in the packet (saddr = the peer), ports in network order. */
#define XRT_MAP_TCP_ESTAB "xrt_tcp_estab"
struct xrt_tcp_estab_key {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;
	__u16 dport;
};

#endif
