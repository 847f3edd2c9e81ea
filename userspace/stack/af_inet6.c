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

void stack_rx(const struct xrt_punt_meta *meta, int ifindex, const uint8_t *frame,
	      size_t len)
{
	if (len < ETH_HDR_LEN || frame[12] != (ETH_P_IPV6_BE >> 8) ||
	    frame[13] != (ETH_P_IPV6_BE & 0xff)) {
		DROP_INC(NOT_IP6);
		return;
	}
	size_t ip_len = len - ETH_HDR_LEN;
	if (ip_len > PKT_MAX_LEN)
		ip_len = PKT_MAX_LEN; /* ipv6_rcv finds the truncation */
	struct pkt p = {
		.nh = rx_buf + PKT_HEADROOM,
		.len = ip_len,
		.cap = PKT_MAX_LEN,
		.ifindex = ifindex,
		.meta = meta,
		.eth_mcast = frame[0] & 1,
	};
	memcpy(p.eth_src, frame + 6, 6);
	memcpy(p.nh, frame + ETH_HDR_LEN, ip_len);
	ipv6_rcv(&p);
}

void stack_timers_run(void)
{
	uint64_t now = stack_now();
	neigh_timers_run(now);
	reassembly_timers_run(now);
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

int dev_xmit_ip6(int ifindex, const uint8_t dst_mac[6], uint8_t *data, size_t len)
{
	const struct xrt_netdev *dev = stack_dev(ifindex);
	if (!dev) {
		DROP_INC(NO_DEV);
		MIB_INC(OUT_DISCARDS);
		return -ENODEV;
	}
	uint8_t *eth = data - ETH_HDR_LEN;
	memcpy(eth, dst_mac, 6);
	memcpy(eth + 6, dev->mac, 6);
	eth[12] = ETH_P_IPV6_BE >> 8;
	eth[13] = ETH_P_IPV6_BE & 0xff;
	if (ip6_is_mcast(&((struct ip6_hdr_wire *)data)->daddr))
		MIB_INC(OUT_MCAST_PKTS);
	MIB_ADD(OUT_OCTETS, len);
	int ret = senv.xmit(senv.ctx, ifindex, eth, len + ETH_HDR_LEN);
	if (ret < 0) {
		DROP_INC(XMIT);
		MIB_INC(OUT_DISCARDS);
	}
	return ret;
}
