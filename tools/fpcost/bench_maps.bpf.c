/* xrt bench: the floor plus one lookup in one of xrt's maps, to price each lookup of the pipeline. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xrt/maps.h"
#include "bench_floor.h"

/*
 * fpcost points each bench_m_* map at xrt's own (bpf_map__reuse_fd), filled
 * as the pipeline sees it, so program - floor is what one lookup of that
 * map costs in the pipeline. A lookup that misses aborts, so a wrongly set
 * up measurement shows as a wrong verdict rather than a cheap figure.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct xrt_iface);
	__uint(max_entries, XRT_MAX_IFACES);
} bench_m_ifaces SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct xrt_neigh6_key);
	__type(value, struct xrt_neigh6_val);
	__uint(max_entries, XRT_MAX_NEIGH);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* as xrt_neigh6: reuse_fd wants the same */
} bench_m_neigh6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct xrt_nh);
	__uint(max_entries, XRT_MAX_NEXTHOPS);
} bench_m_nh SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct xrt_stats);
	__uint(max_entries, XRT_MAX_IFACES);
} bench_m_stats SEC(".maps");

BENCH_FLOOR_MAPS(bench_m_cfg, bench_m_tx_ports);

/* Set by fpcost before load (layout in bench_cfg.h). Initialised non-zero
 * so that it lives in .data, which fpcost rewrites. */
struct bench_m_keys bench_m_keys = {.nh_id = 1, .slot = 1};

/* The floor: rewrite the MACs, redirect through the devmap. */
static __always_inline int bench_m_floor(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	return bench_floor_redirect(eth, &bench_m_cfg, &bench_m_tx_ports);
}

SEC("xdp")
int bench_m_iface(struct xdp_md *ctx)
{
	__u32 ifindex = ctx->ingress_ifindex;
	if (!bpf_map_lookup_elem(&bench_m_ifaces, &ifindex))
		return XDP_ABORTED;
	return bench_m_floor(ctx);
}

SEC("xdp")
int bench_m_neigh(struct xdp_md *ctx)
{
	struct xrt_neigh6_key key = bench_m_keys.neigh;
	if (!bpf_map_lookup_elem(&bench_m_neigh6, &key))
		return XDP_ABORTED;
	return bench_m_floor(ctx);
}

SEC("xdp")
int bench_m_nexthop(struct xdp_md *ctx)
{
	__u32 id = bench_m_keys.nh_id;
	if (!bpf_map_lookup_elem(&bench_m_nh, &id))
		return XDP_ABORTED;
	return bench_m_floor(ctx);
}

/* As the pipeline uses it: fetch the slot's block, count into it. */
SEC("xdp")
int bench_m_stat(struct xdp_md *ctx)
{
	__u32 slot = bench_m_keys.slot;
	struct xrt_stats *st = bpf_map_lookup_elem(&bench_m_stats, &slot);
	if (!st)
		return XDP_ABORTED;
	st->mib[XRT_MIB_IN_RECEIVES]++;
	st->mib[XRT_MIB_IN_OCTETS] += ctx->data_end - ctx->data;
	return bench_m_floor(ctx);
}

char LICENSE[] SEC("license") = "GPL";
