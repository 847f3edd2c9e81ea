/* xrt: TCP over IPv4 to the router (tcp_v4_rcv without sockets): checks, then tcp_v4_send_reset (RFC 9293 3.10.7.1). */
#include "stack/stack_internal.h"
#include "stack/sock.h"
#include "stack/sock_tcp.h"

static uint8_t rst_buf[PKT_HEADROOM + IP4_HDR_LEN + TCP_HDR_LEN];

/*
 * No AF_INET socket exists yet, so every segment to the router finds the
 * port closed (CLOSED state): a reset answers anything but a reset
 * (RFC 9293 3.10.7.1), never to a broadcast or multicast destination
 * (tcp_v4_rcv's pkt_type check). A bad checksum or header is dropped.
 */
void tcp_v4_rcv(struct pkt *p)
{
	const struct iphdr_wire *iph = pkt_ip4(p);
	const uint8_t *th = p->nh + p->thoff;
	size_t len = p->len - p->thoff;
	if (len < TCP_HDR_LEN || (size_t)(th[12] >> 4) * 4 < TCP_HDR_LEN ||
	    (size_t)(th[12] >> 4) * 4 > len ||
	    ip4_pseudo_csum(iph->saddr, iph->daddr, IPPROTO_TCP, th, len)) {
		DROP_INC(TCP_CSUM);
		return;
	}
	if ((th[13] & TCP_RST) || p->eth_mcast ||
	    ipv4_is_bcast_mcast(stack_dev(p->ifindex), iph->daddr))
		return;
	DROP_INC(TCP_NO_SOCK);
	uint8_t *data = rst_buf + PKT_HEADROOM;
	uint8_t *rst = data + IP4_HDR_LEN;
	tcp_build_reset(rst, th, len - (size_t)(th[12] >> 4) * 4);
	uint16_t c = ip4_pseudo_csum(iph->daddr, iph->saddr, IPPROTO_TCP, rst, TCP_HDR_LEN);
	rst[16] = (uint8_t)(c >> 8);
	rst[17] = (uint8_t)c;
	struct iphdr_wire *oh = (struct iphdr_wire *)data;
	memset(oh, 0, sizeof(*oh));
	oh->ver_ihl = IP4_VERSION << 4 | IP4_MIN_IHL;
	oh->tot_len = htons(IP4_HDR_LEN + TCP_HDR_LEN);
	oh->frag_off = htons(IP4_FLAG_DF);
	oh->ttl = IP4_DEFAULT_TTL;
	oh->protocol = IPPROTO_TCP;
	oh->saddr = iph->daddr;
	oh->daddr = iph->saddr;
	sockstats.tcp_rst_out++;
	ip_local_out(data, IP4_HDR_LEN + TCP_HDR_LEN, 0, p->ifindex);
}
