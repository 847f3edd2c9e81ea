/* xrt bench: the live-frames generator's XDP program, spreads frames over flows and sends them. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "pktgen.h"

/*
 * Run by BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES. Each frame gets the
 * template headers back (see pktgen.h for why), then becomes flow
 * n % nflows: the low 16 bits of the destination address go up by the flow
 * number and the UDP source port goes down by as much, so the one's
 * complement sum, and hence the UDP checksum, is unchanged (userspace keeps
 * both fields away from wrapping). With a destination list (ndsts > 0),
 * frame n instead takes list entry n % ndsts and that entry's checksum. It leaves by XDP_TX, which live mode turns
 * into a redirect out of the ingress ifindex device, or by a redirect.
 */
struct pktgen_cfg pktgen_cfg = {.nflows = 1};
__u64 pktgen_seq = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PKTGEN_MAX_DSTS);
	__type(key, __u32);
	__type(value, struct pktgen_dst);
} pktgen_dsts SEC(".maps");

#define PKTGEN_DST_LOW_OFF (sizeof(struct ethhdr) + offsetof(struct ipv6hdr, daddr) + 14)
#define PKTGEN_SPORT_OFF (sizeof(struct ethhdr) + sizeof(struct ipv6hdr))

SEC("xdp")
int pktgen_xmit(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (data + PKTGEN_HDR_LEN > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(data, pktgen_cfg.hdr, PKTGEN_HDR_LEN);
	if (pktgen_cfg.ndsts) {
		__u32 i = pktgen_seq++ % pktgen_cfg.ndsts;
		struct pktgen_dst *d = bpf_map_lookup_elem(&pktgen_dsts, &i);
		struct ipv6hdr *ip6 = data + sizeof(struct ethhdr);
		struct udphdr *udp = (void *)(ip6 + 1);

		if (!d)
			return XDP_ABORTED;
		__builtin_memcpy(&ip6->daddr, d->addr, sizeof(d->addr));
		udp->check = d->udp_check;
	} else if (pktgen_cfg.nflows > 1) {
		__u16 flow = pktgen_seq++ % pktgen_cfg.nflows;
		__be16 *dst_low = data + PKTGEN_DST_LOW_OFF;
		__be16 *sport = data + PKTGEN_SPORT_OFF;

		*dst_low = bpf_htons(pktgen_cfg.dst_low_base + flow);
		*sport = bpf_htons(pktgen_cfg.sport_base - flow);
	}
	if (pktgen_cfg.redirect_ifindex)
		return bpf_redirect(pktgen_cfg.redirect_ifindex, 0);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
