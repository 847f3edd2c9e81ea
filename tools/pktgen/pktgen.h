/* xrt bench: the layouts pktgen.c shares with its two XDP programs, pktgen.bpf.c (generator) and xrt_sink.bpf.c (sink). */
#ifndef XRT_BENCH_PKTGEN_H
#define XRT_BENCH_PKTGEN_H

#include <linux/types.h>

/* Ethernet + IPv6 + UDP headers: everything a router may rewrite. */
#define PKTGEN_HDR_LEN 62

/*
 * The program's only .data variable: userspace sets it before load. hdr is
 * copied over every frame because live-frames mode recycles its page_pool
 * pages without restoring their contents: a frame that comes back from the
 * sink carries the router's MAC rewrite and decremented hop limit, and would
 * be dropped as PACKET_OTHERHOST by the router on its next trip.
 */
struct pktgen_cfg {
	__u32 nflows;
	__u32 redirect_ifindex; /* 0: XDP_TX */
	__u16 dst_low_base;     /* host order, as written into hdr */
	__u16 sport_base;
	__u8 hdr[PKTGEN_HDR_LEN];
	__u16 pad;
	__u32 ndsts; /* > 0: flow f goes to pktgen_dsts[f % ndsts] instead */
};

/* pktgen_dsts: ARRAY of whole destinations, each with the UDP checksum the
 * frame has with it (computed by userspace), for flows spread over a table. */
#define PKTGEN_MAX_DSTS 65536
struct pktgen_dst {
	__u8 addr[16];
	__u16 udp_check; /* network order */
	__u16 pad;
};

/* UDP discard (RFC 863): the destination port every bench frame carries,
 * the one the sink counts. */
#define XRT_SINK_UDP_PORT 9

/*
 * Value of xrt_sink.bpf.c's xrt_sink_count (PERCPU_ARRAY, one entry),
 * summed over CPUs by `pktgen sink read`.
 */
struct xrt_sink_count {
	__u64 packets; /* IPv6/UDP to XRT_SINK_UDP_PORT: what pktgen/trafgen sent */
	__u64 bytes;
	__u64 other;   /* anything else (ND, MLD, RS from the router's kernel) */
};

#endif
