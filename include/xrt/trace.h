/* xrt: `xrt trace`: the fast path's per-packet trace records, the filter xrtd writes, the ring they travel in. */
#ifndef XRT_TRACE_H
#define XRT_TRACE_H

#include <linux/types.h>

/*
 * The fast path's stages by the kernel function each mirrors (bpf/README.md).
 * The stage macro of bpf/xrt_fwd.bpf.c finds a call's id here by its name at
 * compile time, so a stage added there needs one line here to be named.
 */
#define XRT_TRACE_STAGE_LIST(X)                                                   \
	X(ETH_TYPE_TRANS, eth_type_trans)                                        \
	X(IPV6_RCV, ipv6_rcv)                                                    \
	X(IP6_ROUTE_INPUT, ip6_route_input)                                      \
	X(IP6_FORWARD, ip6_forward)                                              \
	X(IP6_FINISH_OUTPUT2, ip6_finish_output2)                                \
	X(IP_RCV, ip_rcv)                                                        \
	X(IP_ROUTE_INPUT, ip_route_input)                                        \
	X(IP_FORWARD, ip_forward)                                                \
	X(IP_FINISH_OUTPUT2, ip_finish_output2)                                \
	X(ARP_RCV, arp_rcv)                                                      \
	X(IP6_RPF, ip6_rpf)                                                      \
	X(NF_HOOK_PREROUTING, nf_hook_prerouting)                                \
	X(NF_HOOK_FORWARD, nf_hook_forward)                                      \
	X(IP_RPF, ip_rpf)

#define XRT_TRACE_ENUM_STAGE(id, fn) XRT_TRACE_##id,
enum xrt_trace_stage { XRT_TRACE_UNNAMED, XRT_TRACE_STAGE_LIST(XRT_TRACE_ENUM_STAGE) XRT_TRACE_STAGE_MAX };

/* What the counter helpers of bpf/stats.h and bpf/punt.h last decided. */
enum xrt_trace_kind {
	XRT_TRACE_K_NONE, /* the stage handed the packet on, or transmitted it */
	XRT_TRACE_K_DROP, /* why: enum xrt_drop_reason */
	XRT_TRACE_K_PASS, /* why: enum xrt_pass_reason */
};

/* XRT_NEXT (the stage handed the packet on) as a step's verdict. */
#define XRT_TRACE_V_NEXT 0xff

struct xrt_trace_step {
	__u8 stage;   /* enum xrt_trace_stage */
	__u8 verdict; /* XDP_* or XRT_TRACE_V_NEXT */
	__u8 kind;    /* enum xrt_trace_kind */
	__u8 why;
};

/* Stages a packet goes through at most, with room for new ones. */
#define XRT_TRACE_MAX_STEPS 8

/* One traced packet: every stage it went through, in order. */
struct xrt_trace_rec {
	__u64 ts_ns;    /* bpf_ktime_get_ns at the verdict */
	__u32 ifindex;  /* ingress */
	__u32 len;      /* frame length */
	__u32 nh_id;    /* next hop the route stage chose (0: none) */
	__u32 oif;      /* egress the route stage chose (0: none) */
	__u32 mtu;      /* egress MTU (TOO_BIG punts) */
	__u16 ethertype; /* network byte order */
	__u8 proto;     /* IPv6 next header / IPv4 protocol when parsed */
	__u8 nsteps;
	__u8 punt;      /* enum xrt_punt_reason + 1 when punted, else 0 */
	__u8 hlim;      /* hop limit / TTL as received */
	__u8 pad[2];
	__u8 saddr[16]; /* IPv4 as ::ffff:a.b.c.d (include/xrt/inet.h) */
	__u8 daddr[16];
	__u8 gw[16];    /* next hop's gateway when the route has one */
	struct xrt_trace_step step[XRT_TRACE_MAX_STEPS];
};

/* Filter flags: which fields of struct xrt_trace_cfg are set. */
#define XRT_TRACE_F_SRC 0x1
#define XRT_TRACE_F_DST 0x2
#define XRT_TRACE_F_PROTO 0x4
#define XRT_TRACE_F_DEV 0x8

/*
 * The fast path's global in section .data.xrt_trace, pinned as
 * XRT_MAP_TRACE_CFG so every load of the object (one per attached link)
 * reads the one xrtd writes through mmap. `on` is the only field a packet
 * reads while tracing is off; xrtd writes the filter first, then on.
 */
struct xrt_trace_cfg {
	__u32 on;
	__u32 flags;
	__u32 ifindex;
	__u32 proto;
	__u32 src[4], src_mask[4]; /* network byte order, src pre-masked */
	__u32 dst[4], dst_mask[4];
	__u64 lost; /* records the full ring refused (atomic add) */
};

#define XRT_MAP_TRACE_CFG "xrt_trace_cfg"
#define XRT_MAP_TRACE_RING "xrt_trace_ring"
#define XRT_TRACE_SECTION ".data.xrt_trace"
/* The ring's bytes (a power of 2, a multiple of the page): about 1500
 * records in flight, more than a session's XRT_TRACE_MAX_COUNT packets. */
#define XRT_TRACE_RING_BYTES (256 * 1024)

/* `xrt trace ... count N`: default and bound of packets in one session. */
#define XRT_TRACE_DEFAULT_COUNT 10
#define XRT_TRACE_MAX_COUNT 1000
/* `timeout S`: default and bound, seconds. */
#define XRT_TRACE_DEFAULT_TIMEOUT 10
#define XRT_TRACE_MAX_TIMEOUT 3600

#endif
