/* xrt fpcost: build the Ethernet + IPv4 + UDP test frame (the IPv4 twin of tools/bench/pkt6.h). */
#ifndef XRT_FPCOST_PKT4_H
#define XRT_FPCOST_PKT4_H

#include <linux/ip.h>
#include "../bench/pkt6.h"

#define PKT4_HDRS_LEN (sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct udphdr))

struct pkt4_spec {
	uint8_t src_mac[ETH_ALEN], dst_mac[ETH_ALEN];
	uint32_t src, dst; /* network order */
	uint16_t sport, dport;
	uint8_t ttl;
	unsigned frame_len; /* without FCS; at least PKT4_HDRS_LEN */
};

/* Write the frame into buf (at least spec->frame_len bytes); returns its
 * length. DF set, UDP checksum 0 (RFC 768: none). */
static inline unsigned pkt4_build(uint8_t *buf, const struct pkt4_spec *spec)
{
	unsigned len = spec->frame_len < PKT4_HDRS_LEN ? PKT4_HDRS_LEN : spec->frame_len;
	struct ethhdr *eth = (struct ethhdr *)buf;
	struct iphdr *iph = (struct iphdr *)(eth + 1);
	struct udphdr *udp = (struct udphdr *)(iph + 1);
	uint16_t ip_len = (uint16_t)(len - sizeof(*eth));

	memset(buf, 0, len);
	memcpy(eth->h_dest, spec->dst_mac, ETH_ALEN);
	memcpy(eth->h_source, spec->src_mac, ETH_ALEN);
	eth->h_proto = htons(ETH_P_IP);
	iph->version = IP4_VERSION;
	iph->ihl = IP4_MIN_IHL;
	iph->tot_len = htons(ip_len);
	iph->frag_off = htons(IP4_FLAG_DF);
	iph->ttl = spec->ttl;
	iph->protocol = NEXTHDR_UDP;
	iph->saddr = spec->src;
	iph->daddr = spec->dst;
	iph->check = htons(pkt6_csum_fold(pkt6_csum_add(0, iph, sizeof(*iph))));
	udp->source = htons(spec->sport);
	udp->dest = htons(spec->dport);
	udp->len = htons((uint16_t)(ip_len - sizeof(*iph)));
	for (unsigned i = PKT4_HDRS_LEN; i < len; i++)
		buf[i] = (uint8_t)i;
	return len;
}

#endif
