/* xrt bench: the far-end sink, counts and drops every frame it receives. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/*
 * Counting in XDP at the sink's own veth means a frame is counted the moment
 * it arrives, without building an skb, so the sink is never the bottleneck
 * it would be as a socket reader. Per-CPU so two CPUs never share a line.
 */
struct xrt_sink_count {
	__u64 packets;
	__u64 bytes;
};

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

	if (c) {
		c->packets++;
		c->bytes += ctx->data_end - ctx->data;
	}
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
