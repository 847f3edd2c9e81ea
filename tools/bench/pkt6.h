/* xrt bench: build the Ethernet + IPv6 + UDP test frame shared by fpcost and pktgen. */
#ifndef XRT_BENCH_PKT6_H
#define XRT_BENCH_PKT6_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include "xrt/proto.h"

#define PKT6_HDRS_LEN (sizeof(struct ethhdr) + sizeof(struct ipv6hdr) + sizeof(struct udphdr))
/* Ethernet minimum frame without FCS (IEEE 802.3 clause 3.2.9: 64 with FCS). */
#define PKT6_MIN_FRAME 60
#define PKT6_MAX_FRAME 1514

struct pkt6_spec {
	uint8_t src_mac[ETH_ALEN], dst_mac[ETH_ALEN];
	struct in6_addr src, dst;
	uint16_t sport, dport;
	uint8_t hop_limit;
	unsigned frame_len; /* without FCS; at least PKT6_HDRS_LEN */
};

/* One's complement sum of len bytes, big-endian 16-bit words (RFC 1071). */
static inline uint32_t pkt6_csum_add(uint32_t sum, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static inline uint16_t pkt6_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Write the frame into buf (at least spec->frame_len bytes); returns its length. */
static inline unsigned pkt6_build(uint8_t *buf, const struct pkt6_spec *spec)
{
	unsigned len = spec->frame_len < PKT6_HDRS_LEN ? PKT6_HDRS_LEN : spec->frame_len;
	struct ethhdr *eth = (struct ethhdr *)buf;
	struct ipv6hdr *ip6 = (struct ipv6hdr *)(eth + 1);
	struct udphdr *udp = (struct udphdr *)(ip6 + 1);
	uint16_t l4_len = (uint16_t)(len - sizeof(*eth) - sizeof(*ip6));

	memset(buf, 0, len);
	memcpy(eth->h_dest, spec->dst_mac, ETH_ALEN);
	memcpy(eth->h_source, spec->src_mac, ETH_ALEN);
	eth->h_proto = htons(ETH_P_IPV6);
	ip6->version = IP6_VERSION;
	ip6->payload_len = htons(l4_len);
	ip6->nexthdr = NEXTHDR_UDP;
	ip6->hop_limit = spec->hop_limit;
	ip6->saddr = spec->src;
	ip6->daddr = spec->dst;
	udp->source = htons(spec->sport);
	udp->dest = htons(spec->dport);
	udp->len = htons(l4_len);
	for (unsigned i = PKT6_HDRS_LEN; i < len; i++)
		buf[i] = (uint8_t)i; /* a payload pattern, not zeros, so it is visible */

	/* RFC 8200 section 8.1: the pseudo-header checksum is mandatory for UDP. */
	uint32_t sum = pkt6_csum_add(0, &ip6->saddr, 32);
	sum += l4_len + NEXTHDR_UDP;
	sum = pkt6_csum_add(sum, udp, l4_len);
	uint16_t csum = pkt6_csum_fold(sum);
	udp->check = htons(csum ? csum : 0xffff);
	return len;
}

#endif
