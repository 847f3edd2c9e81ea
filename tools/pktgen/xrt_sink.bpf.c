/* xrt bench: the far-end sink, counts and drops every frame it receives. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "pktgen.h"

/*
 * Counting in XDP at the sink's own veth means a frame is counted the moment
 * it arrives, without building an skb, so the sink is never the bottleneck
 * it would be as a socket reader. Per-CPU so two CPUs never share a line.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xrt_sink_count);
} xrt_sink_count SEC(".maps");

SEC("xdp")
int xrt_sink(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct xrt_sink_count *c = bpf_map_lookup_elem(&xrt_sink_count, &zero);

	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip6 + 1);

	if (!c)
		return XDP_DROP;
	if ((void *)(udp + 1) <= data_end && eth->h_proto == bpf_htons(ETH_P_IPV6) &&
	    ip6->nexthdr == IPPROTO_UDP && udp->dest == bpf_htons(XRT_SINK_UDP_PORT)) {
		c->packets++;
		c->bytes += data_end - data;
	} else {
		c->other++;
	}
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
