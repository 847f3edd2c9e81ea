/* xrt bench: the floor plus one lookup in xrt's FIB trie (fib6_lookup, or fib_lookup for IPv4), to split the pipeline's cost. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xrt/maps.h"
#include "bench_floor.h"

/*
 * fpcost points this object's FIB maps at xrt's own (bpf_map__reuse_fd), so
 * this program walks exactly the trie the pipeline walks, with the same
 * code. Its cost minus the floor's is the trie; the pipeline's minus this
 * one's is everything else. (The name is from the LPM trie it replaced.)
 */
#define XRT_FIB6_PINNING LIBBPF_PIN_NONE
#include "../../bpf/fib_lookup.h"

BENCH_FLOOR_MAPS(bench_lpm_cfg, bench_lpm_tx_ports);

SEC("xdp")
int bench_lpm(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = (void *)(eth + 1);

	struct iphdr *iph = (void *)(eth + 1);

	if ((void *)(ip6 + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		if (!fib_lookup(XRT_TABLE_MAIN, iph->daddr))
			return XDP_PASS;
	} else if (eth->h_proto != bpf_htons(ETH_P_IPV6) ||
		   !fib6_lookup(XRT_TABLE_MAIN, &ip6->daddr)) {
		return XDP_PASS;
	}
	return bench_floor_redirect(eth, &bench_lpm_cfg, &bench_lpm_tx_ports);
}

char LICENSE[] SEC("license") = "GPL";
