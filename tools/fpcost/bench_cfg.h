/* xrt bench: the layouts fpcost and pktgen write into the bench_*.bpf.c programs, one definition for both sides. */
#ifndef XRT_BENCH_CFG_H
#define XRT_BENCH_CFG_H

#include <linux/types.h>
#include <linux/if_ether.h>
#include "xrt/maps.h"

/* The floor's one ARRAY entry (bench_floor.h): where to redirect, with which
 * MACs. Written by fpcost (fp_floor_setup) and pktgen floor before the run. */
struct bench_redirect_cfg {
	__u32 egress_ifindex;
	__u8 src_mac[ETH_ALEN];
	__u8 dst_mac[ETH_ALEN];
};

/* bench_maps.bpf.c's only .data variable: the neighbour, next hop and stats
 * slot its lookups use, set by fpcost before load. */
struct bench_m_keys {
	struct xrt_neigh6_key neigh;
	__u32 nh_id;
	__u32 slot;
};

#endif
