/* xrt fast path: punt to the daemon over AF_XDP, rate-limited per reason. */
#ifndef XRT_BPF_PUNT_H
#define XRT_BPF_PUNT_H

#include "pkt.h"
#include "maps.h"
#include "stats.h"
#include "xrt/punt.h"

/*
 * Number of possible CPUs, written into .rodata by xrt_maps_load before the
 * object is loaded. Each CPU refills its own bucket at rate/ncpus so the sum
 * stays at the configured rate. An object loaded by `ip link` keeps 0 (read
 * as 1): every CPU then refills at the full rate.
 */
const volatile __u32 xrt_nr_cpus = 0;

#define NSEC_PER_SEC 1000000000ull
#define XRT_TOKEN 1000ull /* tokens are kept in thousandths */

/* Token bucket (per CPU, per reason): 1 if the punt may go, 0 if the bucket
 * is empty. rate 0 (or no configuration) means unlimited. */
static __always_inline int xrt_punt_allowed(__u32 reason)
{
	const struct xrt_punt_cfg *cfg;
	struct xrt_punt_tb *tb;
	__u64 now, elapsed, cap, ncpus = xrt_nr_cpus ? xrt_nr_cpus : 1;

	cfg = bpf_map_lookup_elem(&xrt_punt_cfg, &reason);
	if (!cfg || cfg->rate_pps == 0)
		return 1;
	tb = bpf_map_lookup_elem(&xrt_punt_tb, &reason);
	if (!tb)
		return 1;
	now = bpf_ktime_get_ns();
	cap = (cfg->burst ? cfg->burst : 1) * XRT_TOKEN;
	elapsed = now - tb->last_ns;
	/* First use, or idle for a second or more: the bucket is full. The
	 * one-second bound also keeps elapsed * rate below 2^64. */
	if (tb->last_ns == 0 || elapsed >= NSEC_PER_SEC)
		tb->tokens_milli = cap;
	else
		tb->tokens_milli +=
			elapsed * cfg->rate_pps / (1000000ull * ncpus);
	if (tb->tokens_milli > cap)
		tb->tokens_milli = cap;
	tb->last_ns = now;
	if (tb->tokens_milli < XRT_TOKEN) {
		tb->limited++;
		return 0;
	}
	tb->tokens_milli -= XRT_TOKEN;
	return 1;
}

/* A segment of a TCP connection xrtd has established (xrt_tcp_estab) is
 * not policed by the LOCAL budget: the handshake already proved the peer,
 * and bulk transfer to the router would otherwise be cut to the budget.
 * TCP right after the fixed header only (IPv6, or IPv4 without options or
 * fragmentation, keyed by its IPv4-mapped addresses, include/xrt/inet.h);
 * anything else is policed as before. */
static __always_inline int xrt_tcp_estab_exempt(const struct xrt_pkt *p, __u32 reason)
{
	struct xrt_tcp_estab_key key;
	const struct ipv6hdr *ip6 = p->ip6;
	const __u16 *ports = (const void *)(ip6 + 1);
	const struct iphdr *ip4 = p->ip4;

	if (reason == XRT_PUNT_LOCAL && p->eth->h_proto == bpf_htons(ETH_P_IP)) {
		ports = (const void *)(ip4 + 1);
		if ((void *)(ports + 2) > p->data_end || ip4->ihl != 5 ||
		    ip4->protocol != NEXTHDR_TCP ||
		    (ip4->frag_off & bpf_htons(IP4_FLAG_MF | IP4_FRAG_OFFSET_MASK)))
			return 0;
		__builtin_memset(&key, 0, sizeof(key));
		key.saddr[10] = key.saddr[11] = key.daddr[10] = key.daddr[11] = 0xff;
		__builtin_memcpy(&key.saddr[12], &ip4->saddr, sizeof(__be32));
		__builtin_memcpy(&key.daddr[12], &ip4->daddr, sizeof(__be32));
		key.sport = ports[0];
		key.dport = ports[1];
		return bpf_map_lookup_elem(&xrt_tcp_estab, &key) != NULL;
	}
	if (reason != XRT_PUNT_LOCAL || (void *)(ip6 + 1) > p->data_end || ip6->version != 6 ||
	    ip6->nexthdr != NEXTHDR_TCP || (void *)(ports + 2) > p->data_end)
		return 0;
	__builtin_memcpy(key.saddr, &ip6->saddr, sizeof(key.saddr));
	__builtin_memcpy(key.daddr, &ip6->daddr, sizeof(key.daddr));
	key.sport = ports[0];
	key.dport = ports[1];
	return bpf_map_lookup_elem(&xrt_tcp_estab, &key) != NULL;
}

/* Hand the frame to the daemon: metadata in front of it, then the XSK bound
 * to (ingress, rx queue). The caller has checked the token bucket. Without a
 * bound socket bpf_redirect_map returns XDP_PASS: the kernel gets the packet
 * and the router degrades instead of blackholing. */
static __always_inline int xrt_punt_send(struct xrt_pkt *p, __u32 reason)
{
	struct xdp_md *ctx = p->ctx;
	struct xrt_punt_meta *meta;
	__u32 queue = ctx->rx_queue_index;

	p->st->punt[reason]++;
	p->tr_punt = reason + 1;
	/* A driver without metadata support still gets the punt: the daemon
	 * re-runs ipv6_rcv and finds the reason again (no magic = no meta). */
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*meta)) == 0) {
		meta = (void *)(long)ctx->data_meta;
		if ((void *)(meta + 1) <= (void *)(long)ctx->data) {
			meta->magic = XRT_PUNT_MAGIC;
			meta->reason = reason;
			meta->flags = 0;
			meta->ifindex = p->ifindex;
			meta->nh = p->nh_id;
			meta->oif = p->oif;
			meta->mtu = p->mtu;
		}
	}
	if (queue < XRT_MAX_QUEUES &&
	    bpf_redirect_map(&xrt_xsks, p->iif->xsk_base + queue, XDP_PASS) ==
		    XDP_REDIRECT)
		return XDP_REDIRECT;
	return xrt_pass(p, XRT_PASS_NO_DAEMON);
}

/* Mirror mode (XRT_IF_F_KERNEL_LOCAL): is the local destination key->addr
 * the kernel's, i.e. not claimed by xrtd's socket layer in xrt_local6 for
 * the ingress or for every interface (ifindex 0)? */
static __always_inline int xrt_local_is_kernels(const struct xrt_pkt *p,
						struct xrt_local6_key *key)
{
	__u32 *flags;

	key->ifindex = p->ifindex;
	flags = bpf_map_lookup_elem(&xrt_local6, key);
	if (!flags) {
		key->ifindex = 0;
		flags = bpf_map_lookup_elem(&xrt_local6, key);
	}
	return !flags || !(*flags & XRT_LOCAL_F_XRTD);
}

static __always_inline int xrt_punt(struct xrt_pkt *p, __u32 reason)
{
	if (xrt_tcp_estab_exempt(p, reason))
		return xrt_punt_send(p, reason);
	if (!xrt_punt_allowed(reason)) {
		/* The family's InDiscards; ARP has no MIB. */
		if (p->eth->h_proto == bpf_htons(ETH_P_IPV6))
			XRT_MIB_INC(p, IN_DISCARDS);
		else if (p->eth->h_proto == bpf_htons(ETH_P_IP))
			XRT_MIB_INC(p, IP4_IN_DISCARDS);
		return xrt_drop(p, XRT_DROP_PUNT_LIMIT);
	}
	return xrt_punt_send(p, reason);
}

#endif
