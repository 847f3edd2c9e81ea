/* xrt bench: the floor, parse Ethernet, rewrite MACs, redirect via a DEVMAP_HASH. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/*
 * The least any forwarder must do per packet: touch the Ethernet header and
 * hand the frame to an egress device through a devmap. fpcost divides the
 * full pipeline's cost by this one's, so nothing beyond that belongs here.
 */
struct bench_redirect_cfg {
	__u32 egress_ifindex;
	__u8 src_mac[ETH_ALEN];
	__u8 dst_mac[ETH_ALEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_redirect_cfg);
} bench_redirect_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} bench_tx_ports SEC(".maps");

SEC("xdp")
int bench_redirect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 zero = 0;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IPV6))
		return XDP_PASS;
	struct bench_redirect_cfg *cfg = bpf_map_lookup_elem(&bench_redirect_cfg, &zero);
	if (!cfg || !cfg->egress_ifindex)
		return XDP_PASS;
	__builtin_memcpy(eth->h_dest, cfg->dst_mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, cfg->src_mac, ETH_ALEN);
	return bpf_redirect_map(&bench_tx_ports, cfg->egress_ifindex, 0);
}

char LICENSE[] SEC("license") = "GPL";
