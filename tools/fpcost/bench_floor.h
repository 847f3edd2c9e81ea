/* xrt bench: the floor shared by bench_redirect, bench_lpm and bench_maps (rewrite MACs, redirect via a DEVMAP_HASH). */
#ifndef XRT_BENCH_FLOOR_H
#define XRT_BENCH_FLOOR_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include "bench_cfg.h"

/*
 * Each program keeps its own map names, which fpcost and pktgen look up by
 * name, so the maps are declared through this macro rather than here.
 */
#define BENCH_FLOOR_MAPS(cfg_map, tx_ports_map)                \
	struct {                                               \
		__uint(type, BPF_MAP_TYPE_ARRAY);              \
		__uint(max_entries, 1);                        \
		__type(key, __u32);                            \
		__type(value, struct bench_redirect_cfg);      \
	} cfg_map SEC(".maps");                                \
	struct {                                               \
		__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);        \
		__uint(max_entries, 64);                       \
		__type(key, __u32);                            \
		__type(value, struct bpf_devmap_val);          \
	} tx_ports_map SEC(".maps")

/*
 * The least any forwarder must do per packet once the Ethernet header is
 * known to be in bounds: rewrite the MACs and hand the frame to the egress
 * device through the devmap. XDP_PASS while the bench is not configured.
 */
static __always_inline int bench_floor_redirect(struct ethhdr *eth, void *cfg_map,
						void *tx_ports_map)
{
	__u32 zero = 0;
	struct bench_redirect_cfg *cfg = bpf_map_lookup_elem(cfg_map, &zero);
	if (!cfg || !cfg->egress_ifindex)
		return XDP_PASS;
	__builtin_memcpy(eth->h_dest, cfg->dst_mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, cfg->src_mac, ETH_ALEN);
	return bpf_redirect_map(tx_ports_map, cfg->egress_ifindex, 0);
}

#endif
