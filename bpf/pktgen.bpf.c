/* xrt bench: the live-frames generator's XDP program, spreads frames over flows and sends them. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/*
 * Run by BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES: every frame starts as
 * the template userspace passed in. Frame n becomes flow n % nflows: the low
 * 16 bits of the destination address go up by the flow number and the UDP
 * source port goes down by the same amount, so the one's complement sum, and
 * hence the UDP checksum, stays valid without recomputing it (userspace keeps
 * both fields far enough from wrapping). Then the frame leaves by XDP_TX
 * (which live mode turns into a redirect out of the ingress ifindex device)
 * or by a redirect to redirect_ifindex.
 */
const volatile __u32 nflows = 1;
const volatile __u32 redirect_ifindex = 0;
const volatile __u16 dst_low_base = 0; /* host order, as in the template */
const volatile __u16 sport_base = 0;

__u64 pktgen_seq = 0;

#define PKTGEN_DST_LOW_OFF (sizeof(struct ethhdr) + offsetof(struct ipv6hdr, daddr) + 14)
#define PKTGEN_SPORT_OFF (sizeof(struct ethhdr) + sizeof(struct ipv6hdr))

SEC("xdp")
int pktgen_xmit(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (data + PKTGEN_SPORT_OFF + sizeof(struct udphdr) > data_end)
		return XDP_ABORTED;
	if (nflows > 1) {
		__u16 flow = pktgen_seq++ % nflows;
		__be16 *dst_low = data + PKTGEN_DST_LOW_OFF;
		__be16 *sport = data + PKTGEN_SPORT_OFF;

		*dst_low = bpf_htons(dst_low_base + flow);
		*sport = bpf_htons(sport_base - flow);
	}
	if (redirect_ifindex)
		return bpf_redirect(redirect_ifindex, 0);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
