/* xrt bench: a minimal bpf_fib_lookup forwarder, IPv6 and IPv4, as in the kernel's xdp_fwd sample. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/*
 * The baseline xrt must beat per packet: the kernel's FIB does the route and
 * neighbour lookup (samples/bpf/xdp_fwd_kern.c, IPv6 half, flags 0 so the
 * kernel's policy rules apply as they do for its own forwarding).
 */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} bench_fib_tx_ports SEC(".maps");

#define AF_INET 2
#define AF_INET6 10

/* The sample's IPv4 half: ip_decrease_ttl with RFC 1624's update. */
static __always_inline int bench_fib4(struct xdp_md *ctx, struct ethhdr *eth, struct iphdr *iph)
{
	struct bpf_fib_lookup fib = {};
	__u32 check;
	long rc;

	if (iph->ttl <= 1)
		return XDP_PASS;
	fib.family = AF_INET;
	fib.tos = iph->tos;
	fib.l4_protocol = iph->protocol;
	fib.tot_len = bpf_ntohs(iph->tot_len);
	fib.ipv4_src = iph->saddr;
	fib.ipv4_dst = iph->daddr;
	fib.ifindex = ctx->ingress_ifindex;
	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return XDP_PASS;
	if (!bpf_map_lookup_elem(&bench_fib_tx_ports, &fib.ifindex))
		return XDP_PASS;
	check = iph->check;
	check += bpf_htons(0x0100);
	iph->check = (__sum16)(check + (check >= 0xffff));
	iph->ttl--;
	__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
	return bpf_redirect_map(&bench_fib_tx_ports, fib.ifindex, 0);
}

SEC("xdp")
int bench_fib(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct bpf_fib_lookup fib = {};
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = (void *)(eth + 1);

	if ((void *)(ip6 + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		return bench_fib4(ctx, eth, (void *)(eth + 1));
	if (eth->h_proto != bpf_htons(ETH_P_IPV6))
		return XDP_PASS;
	/* Leave expiring packets to the kernel: it sends Time Exceeded. */
	if (ip6->hop_limit <= 1)
		return XDP_PASS;

	fib.family = AF_INET6;
	fib.flowinfo = *(__be32 *)ip6 & bpf_htonl(0x0FFFFFFF);
	fib.l4_protocol = ip6->nexthdr;
	fib.tot_len = bpf_ntohs(ip6->payload_len);
	__builtin_memcpy(fib.ipv6_src, &ip6->saddr, sizeof(fib.ipv6_src));
	__builtin_memcpy(fib.ipv6_dst, &ip6->daddr, sizeof(fib.ipv6_dst));
	fib.ifindex = ctx->ingress_ifindex;

	long rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return XDP_PASS; /* no route, no neighbour, too big: kernel decides */
	/* Only forward where the devmap can send; else the kernel would. */
	if (!bpf_map_lookup_elem(&bench_fib_tx_ports, &fib.ifindex))
		return XDP_PASS;
	ip6->hop_limit--;
	__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
	return bpf_redirect_map(&bench_fib_tx_ports, fib.ifindex, 0);
}

char LICENSE[] SEC("license") = "GPL";
