/* xrt test: XDP program that tags ICMPv6 echo requests with punt metadata and redirects them to an XSK. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xrt/punt.h"

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} probe_xsks SEC(".maps");

SEC("xdp")
int xsk_meta_probe(struct xdp_md *ctx)
{
	/* Only echo requests without extension headers: the test counts them. */
	__u8 *d = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	if (d + 14 + 40 + 1 > end || d[12] != 0x86 || d[13] != 0xdd || d[14 + 6] != 58 ||
	    d[14 + 40] != 128)
		return XDP_PASS;
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(struct xrt_punt_meta)))
		return XDP_PASS;
	void *data = (void *)(long)ctx->data;
	struct xrt_punt_meta *m = (void *)(long)ctx->data_meta;
	if ((void *)(m + 1) > data)
		return XDP_PASS;
	m->magic = XRT_PUNT_MAGIC;
	m->reason = 7;
	m->flags = 0;
	m->ifindex = ctx->ingress_ifindex;
	m->nh = 0;
	m->oif = 0;
	m->mtu = 1234;
	return bpf_redirect_map(&probe_xsks, ctx->rx_queue_index, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
