/* xrt bench: the floor plus one xrt_fib6 LPM trie lookup, to split the pipeline's cost. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xrt/maps.h"
#include "bench_floor.h"

/*
 * fpcost points bench_lpm_fib6 at xrt's own xrt_fib6 (bpf_map__reuse_fd), so
 * this program walks exactly the trie the pipeline walks. Its cost minus the
 * floor's is the trie; the pipeline's minus this one's is everything else.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct xrt_fib6_key);
	__type(value, struct xrt_fib6_val);
	__uint(max_entries, XRT_MAX_ROUTES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} bench_lpm_fib6 SEC(".maps");

BENCH_FLOOR_MAPS(bench_lpm_cfg, bench_lpm_tx_ports);

SEC("xdp")
int bench_lpm(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	struct xrt_fib6_key key = {.prefixlen = XRT_FIB6_KEY_PREFIXLEN(128),
				   .table = bpf_htonl(XRT_TABLE_MAIN)};

	if ((void *)(ip6 + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IPV6))
		return XDP_PASS;
	__builtin_memcpy(key.addr, &ip6->daddr, sizeof(key.addr));
	if (!bpf_map_lookup_elem(&bench_lpm_fib6, &key))
		return XDP_PASS;
	return bench_floor_redirect(eth, &bench_lpm_cfg, &bench_lpm_tx_ports);
}

char LICENSE[] SEC("license") = "GPL";
