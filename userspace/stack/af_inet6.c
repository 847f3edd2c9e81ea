/* xrt: the slow path's entry points (stack.h); stack_init mirrors inet6_init: it registers the protocol handlers, ICMPv6, reassembly, ND. */
#include <errno.h>
#include <stdlib.h>
#include "stack/mcast.h"
#include "stack/stack_internal.h"
#include "stack/neighbour.h"
#include "stack/reassembly.h"
#include "stack/sock.h"
#include "stack/request_sock.h"
#include "stack/secure_seq.h"
#include "stack/sock_tcp.h"

struct stack_env senv;
struct stack_stats sstats;

#define STACK_NAME(id, name) name,
const char *const stack_icmp6_names[STACK_ICMP6_MAX] = { STACK_ICMP6_LIST(STACK_NAME) };
const char *const stack_drop_names[STACK_DROP_MAX] = { STACK_DROP_LIST(STACK_NAME) };
const char *const stack_gauge_names[STACK_GAUGE_MAX] = { STACK_GAUGE_LIST(STACK_NAME) };
const char *const stack_ip4_names[STACK_IP4_MAX] = { STACK_IP4_LIST(STACK_NAME) };
const char *const stack_icmp_names[STACK_ICMP_MAX] = { STACK_ICMP_LIST(STACK_NAME) };

/* Receive buffer: one packet at a time; reassembly builds its own. */
static uint8_t rx_buf[PKT_HEADROOM + PKT_MAX_LEN];

int stack_init(const struct stack_env *env)
{
	if (!env || !env->xmit || !env->dev_get || !env->dev_foreach ||
	    !env->fib6_lookup || !env->now_ns)
		return -EINVAL;
	senv = *env;
	memset(&sstats, 0, sizeof(sstats));
	/* Keys for ISNs, ports, fragment IDs and cookies: fresh per start, so
	 * nothing observed before a restart predicts anything after it. */
	int rc = secure_seq_init();
	if (rc < 0)
		return rc;
	ip6_output_init();
	inet6_add_protocol(NEXTHDR_DEST, ipv6_destopt_rcv);
	inet6_add_protocol(NEXTHDR_ROUTING, ipv6_rthdr_rcv);
	inet6_add_protocol(NEXTHDR_FRAGMENT, ipv6_frag_rcv);
	inet6_add_protocol(NEXTHDR_ICMP, icmpv6_rcv);
	/* The socket layer: inetsw6, raw delivery and the UDP/TCP handlers
	 * (closed UDP ports answer Port Unreachable from udpv6_rcv). */
	inet6_init();
	const char *cookies = getenv("XRT_TCP_SYNCOOKIES");
	if (cookies && *cookies && !cookies[1])
		stack_tcp_syncookies_set(cookies[0] - '0');
	icmp6_init();
	icmp_init();
	arp_init();
	reassembly_init();
	neigh_init();
	ndisc_ra_init();
	mld_init();
	rt6_pmtu_flush();
	return 0;
}

void stack_fini(void)
{
	inet6_fini();
	neigh_fini();
	reassembly_fini();
	rt6_pmtu_flush();
	for (unsigned i = 0; i < 256; i++)
		inet6_del_protocol((uint8_t)i);
	inet6_set_raw_deliver(NULL);
}

/*
 * The receive handlers by Ethernet type, as the kernel's dev_add_pack
 * registrations (ipv6_packet_type, ip_packet_type, arp_packet_type): the
 * family is the frame's, never the punt reason's.
 */
static const struct {
	uint16_t ethertype;
	void (*rcv)(struct pkt *p);
} ptype_base[] = {
	{ ETH_P_IPV6_BE, ipv6_rcv },
	{ ETH_P_IP_BE, ip_rcv },
	{ ETH_P_ARP_BE, arp_rcv },
};

void stack_rx(const struct xrt_punt_meta *meta, int ifindex, const uint8_t *frame,
	      size_t len)
{
	void (*rcv)(struct pkt *p) = NULL;
	uint16_t type = len >= ETH_HDR_LEN ? (uint16_t)(frame[12] << 8 | frame[13]) : 0;
	for (size_t i = 0; i < sizeof(ptype_base) / sizeof(ptype_base[0]); i++)
		if (ptype_base[i].ethertype == type)
			rcv = ptype_base[i].rcv;
	if (!rcv) {
		DROP_INC(NOT_IP6);
		return;
	}
	size_t ip_len = len - ETH_HDR_LEN;
	if (ip_len > PKT_MAX_LEN)
		ip_len = PKT_MAX_LEN; /* ipv6_rcv / ip_rcv find the truncation */
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct pkt p = {
		.nh = rx_buf + PKT_HEADROOM,
		.len = ip_len,
		.cap = PKT_MAX_LEN,
		.ifindex = ifindex,
		.meta = meta,
		.eth_mcast = frame[0] & 1,
		.eth_bcast = memcmp(frame, bcast, 6) == 0,
	};
	memcpy(p.eth_src, frame + 6, 6);
	memcpy(p.nh, frame + ETH_HDR_LEN, ip_len);
	rcv(&p);
}

void stack_timers_run(void)
{
	uint64_t now = stack_now();
	neigh_timers_run(now);
	reassembly_timers_run(now);
	arp_timers_run(now);
	ndisc_ra_timers_run(now);
	tcp_timers_run(now);
	mld_timers_run(now);
}

uint64_t stack_timers_next(void)
{
	uint64_t now = stack_now();
	uint64_t due = neigh_timers_next();
	uint64_t r = reassembly_timers_next();
	if (r < due)
		due = r;
	r = ndisc_ra_timers_next();
	if (r < due)
		due = r;
	r = arp_timers_next();
	if (r < due)
		due = r;
	r = tcp_timers_next();
	if (r < due)
		due = r;
	r = mld_timers_next();
	if (r < due)
		due = r;
	if (due == UINT64_MAX)
		return UINT64_MAX;
	return due > now ? due - now : 0;
}

void stack_stats_get(struct stack_stats *out)
{
	*out = sstats;
	out->gauge[STACK_GAUGE_REASM_BYTES] = reassembly_mem();
	out->gauge[STACK_GAUGE_REASM_QUEUES] = reassembly_queues();
	neigh_gauges(&out->gauge[STACK_GAUGE_NEIGH_ENTRIES],
		     &out->gauge[STACK_GAUGE_NEIGH_INCOMPLETE],
		     &out->gauge[STACK_GAUGE_NEIGH_HOLD_BYTES]);
	out->gauge[STACK_GAUGE_TCP_REQSK] = reqsk_count();
	out->gauge[STACK_GAUGE_MLD_GROUPS] = mld_groups();
}

/*
 * RFC 1071 1.2(B): the ones' complement sum does not depend on byte order,
 * so the words are added as they lie in memory, 32 bits at a time into a
 * 64-bit accumulator (RFC 1071 1.2(C), deferred carries), and the folded
 * sum is swapped to network order once. Big-endian pseudo-header fields are
 * added as their in-memory bytes would read.
 */
static uint64_t csum_add(uint64_t sum, const uint8_t *b, size_t len)
{
	uint32_t w;
	uint16_t h;

	for (; len >= 4; b += 4, len -= 4) {
		memcpy(&w, b, 4);
		sum += w;
	}
	if (len >= 2) {
		memcpy(&h, b, 2);
		sum += h;
		b += 2;
		len -= 2;
	}
	if (len) {
		const uint8_t last[2] = { b[0], 0 };
		memcpy(&h, last, 2);
		sum += h;
	}
	return sum;
}

uint16_t ip6_csum(const struct in6_addr *src, const struct in6_addr *dst,
		  uint8_t proto, const void *data, size_t len)
{
	const uint8_t pseudo[8] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16),
				    (uint8_t)(len >> 8), (uint8_t)len, 0, 0, 0, proto };
	uint64_t sum = csum_add(0, src->s6_addr, 16);

	sum = csum_add(sum, dst->s6_addr, 16);
	sum = csum_add(sum, pseudo, sizeof(pseudo));
	sum = csum_add(sum, data, len);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	uint16_t folded = (uint16_t)sum;
	return (uint16_t)~ntohs(folded); /* host order; callers store big-endian */
}

uint16_t ip_compute_csum(const void *data, size_t len)
{
	uint64_t sum = csum_add(0, data, len);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	uint16_t folded = (uint16_t)sum;
	return (uint16_t)~ntohs(folded);
}

uint16_t ip4_pseudo_csum(uint32_t saddr, uint32_t daddr, uint8_t proto, const void *data,
			 size_t len)
{
	const uint8_t pseudo[4] = { 0, proto, (uint8_t)(len >> 8), (uint8_t)len };
	uint64_t sum = csum_add(0, (const uint8_t *)&saddr, 4);

	sum = csum_add(sum, (const uint8_t *)&daddr, 4);
	sum = csum_add(sum, pseudo, sizeof(pseudo));
	sum = csum_add(sum, data, len);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	uint16_t folded = (uint16_t)sum;
	return (uint16_t)~ntohs(folded);
}

void ip_send_check(uint8_t *nh)
{
	struct iphdr_wire *iph = (struct iphdr_wire *)nh;
	iph->check = 0;
	iph->check = htons(ip_compute_csum(nh, ip4_hdr_len(nh)));
}

int dev_xmit_eth(int ifindex, const uint8_t dst_mac[6], uint16_t ethertype, uint8_t *data,
		 size_t len)
{
	const struct xrt_netdev *dev = stack_dev(ifindex);
	bool v4 = ethertype != ETH_P_IPV6_BE;
	if (!dev) {
		DROP_INC(NO_DEV);
		if (v4)
			MIB_INC(IP4_OUT_DISCARDS);
		else
			MIB_INC(OUT_DISCARDS);
		return -ENODEV;
	}
	uint8_t *eth = data - ETH_HDR_LEN;
	memcpy(eth, dst_mac, 6);
	memcpy(eth + 6, dev->mac, 6);
	eth[12] = (uint8_t)(ethertype >> 8);
	eth[13] = (uint8_t)ethertype;
	if (ethertype == ETH_P_IPV6_BE) {
		if (ip6_is_mcast(&((struct ip6_hdr_wire *)data)->daddr))
			MIB_INC(OUT_MCAST_PKTS);
		MIB_ADD(OUT_OCTETS, len);
	} else if (ethertype == ETH_P_IP_BE) {
		MIB_ADD(IP4_OUT_OCTETS, len);
	}
	int ret = senv.xmit(senv.ctx, ifindex, eth, len + ETH_HDR_LEN);
	if (ret < 0) {
		DROP_INC(XMIT);
		if (v4)
			MIB_INC(IP4_OUT_DISCARDS);
		else
			MIB_INC(OUT_DISCARDS);
	}
	return ret;
}

int dev_xmit_ip(int ifindex, const uint8_t dst_mac[6], uint8_t *data, size_t len)
{
	return dev_xmit_eth(ifindex, dst_mac, pkt_is_v4(data) ? ETH_P_IP_BE : ETH_P_IPV6_BE,
			    data, len);
}

int dev_xmit_ip6(int ifindex, const uint8_t dst_mac[6], uint8_t *data, size_t len)
{
	return dev_xmit_eth(ifindex, dst_mac, ETH_P_IPV6_BE, data, len);
}
