/* xrt bench: the floor, parse Ethernet, rewrite MACs, redirect via a DEVMAP_HASH. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "bench_floor.h"

/*
 * The least any forwarder must do per packet: touch the Ethernet header and
 * hand the frame to an egress device through a devmap. fpcost divides the
 * full pipeline's cost by this one's, so nothing beyond that belongs here.
 */
BENCH_FLOOR_MAPS(bench_redirect_cfg, bench_tx_ports);

SEC("xdp")
int bench_redirect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IPV6) && eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	return bench_floor_redirect(eth, &bench_redirect_cfg, &bench_tx_ports);
}

char LICENSE[] SEC("license") = "GPL";
