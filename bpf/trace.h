/* xrt fast path: `xrt trace`, every stage's decision for a sample of packets, written to a ring buffer for xrtd (as the kernel's skb tracepoints feed pwru). */
#ifndef XRT_BPF_TRACE_H
#define XRT_BPF_TRACE_H

#include "pkt.h"
#include "xrt/trace.h"

/*
 * xrtd writes the filter through the mmapped, pinned section map (struct
 * xrt_trace_cfg). Tracing off costs one load of .on and a branch per packet:
 * xrt_fwd runs an untraced copy of the pipeline in which every trace hook is
 * compiled away (bpf/xrt_fwd.bpf.c). Built with XRT_TRACE_COMPILED_OUT (the
 * bench's baseline), not even that.
 */
struct xrt_trace_cfg xrt_trace SEC(XRT_TRACE_SECTION);

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, XRT_TRACE_RING_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xrt_trace_ring SEC(".maps");

static __always_inline int xrt_trace_on(void)
{
#ifdef XRT_TRACE_COMPILED_OUT
	return 0;
#else
	return *(volatile __u32 *)&xrt_trace.on;
#endif
}

/* (addr & mask) == net over four words in network byte order. */
static __always_inline int xrt_trace_prefix_ok(const __u32 *a, const __u32 *net, const __u32 *mask)
{
	return ((a[0] & mask[0]) ^ net[0]) == 0 && ((a[1] & mask[1]) ^ net[1]) == 0 &&
	       ((a[2] & mask[2]) ^ net[2]) == 0 && ((a[3] & mask[3]) ^ net[3]) == 0;
}

/*
 * Does this frame match the filter? Read from the frame itself, before any
 * stage, so that a packet that does not match runs the untraced pipeline.
 * An address or protocol filter needs the IPv6 or IPv4 header in the frame;
 * the protocol is the first next header (as tcpdump's "ip6 proto").
 */
static __always_inline int xrt_trace_match(const struct xrt_pkt *p)
{
	void *data = (void *)(long)p->ctx->data, *end = (void *)(long)p->ctx->data_end;
	struct ethhdr *eth = data;
	__u32 flags = xrt_trace.flags, sa[4], da[4], proto;

	if ((flags & XRT_TRACE_F_DEV) && xrt_trace.ifindex != p->ifindex)
		return 0;
	if (!(flags & (XRT_TRACE_F_SRC | XRT_TRACE_F_DST | XRT_TRACE_F_PROTO)))
		return 1;
	if ((void *)(eth + 1) > end)
		return 0;
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end)
			return 0;
		__builtin_memcpy(sa, &ip6->saddr, sizeof(sa));
		__builtin_memcpy(da, &ip6->daddr, sizeof(da));
		proto = ip6->nexthdr;
	} else if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip4 = (void *)(eth + 1);

		if ((void *)(ip4 + 1) > end)
			return 0;
		/* include/xrt/inet.h: IPv4 below the CLI is ::ffff:a.b.c.d. */
		sa[0] = da[0] = sa[1] = da[1] = 0;
		sa[2] = da[2] = bpf_htonl(0xffff);
		sa[3] = ip4->saddr;
		da[3] = ip4->daddr;
		proto = ip4->protocol;
	} else {
		return 0;
	}
	if ((flags & XRT_TRACE_F_PROTO) && proto != xrt_trace.proto)
		return 0;
	if ((flags & XRT_TRACE_F_SRC) && !xrt_trace_prefix_ok(sa, xrt_trace.src, xrt_trace.src_mask))
		return 0;
	if ((flags & XRT_TRACE_F_DST) && !xrt_trace_prefix_ok(da, xrt_trace.dst, xrt_trace.dst_mask))
		return 0;
	return 1;
}

/* The stage's id from the call's text ("ipv6_rcv(&p)"), folded by the
 * compiler: one constant per XRT_STAGE, no string in the program. */
#define XRT_TRACE_ID_OF(id, fn) \
	__builtin_strncmp(xrt_call_, #fn "(", sizeof(#fn)) == 0 ? XRT_TRACE_##id:
#define XRT_TRACE_STAGE_ID(call)                                          \
	({                                                                \
		const char *xrt_call_ = #call;                            \
		(XRT_TRACE_STAGE_LIST(XRT_TRACE_ID_OF) XRT_TRACE_UNNAMED); \
	})

/* After a stage: what it decided, with the reason the counter helpers
 * left in p (bpf/stats.h). */
static __always_inline void xrt_trace_step(struct xrt_pkt *p, struct xrt_trace_rec *tr, __u8 stage,
					   int verdict)
{
	__u32 n = tr->nsteps;

	if (n < XRT_TRACE_MAX_STEPS) {
		tr->step[n].stage = stage;
		tr->step[n].verdict = verdict == XRT_NEXT ? XRT_TRACE_V_NEXT : (__u8)verdict;
		tr->step[n].kind = p->tr_kind;
		tr->step[n].why = p->tr_why;
		tr->nsteps = n + 1;
	}
	p->tr_kind = XRT_TRACE_K_NONE;
}

/* include/xrt/inet.h: IPv4 below the CLI is ::ffff:a.b.c.d (RFC 4291
 * 2.5.5.2); a is zeroed. */
static __always_inline void xrt_trace_v4mapped(__u8 *a, __u32 v4)
{
	a[10] = a[11] = 0xff;
	__builtin_memcpy(a + 12, &v4, 4);
}

/* The verdict: the addresses as parsed, the route's choice, into the ring.
 * A full ring is counted in xrt_trace.lost (`xrt trace`, `xrt stats`). */
static __always_inline void xrt_trace_emit(struct xrt_pkt *p, struct xrt_trace_rec *tr, int verdict)
{
	void *data = (void *)(long)p->ctx->data, *end = (void *)(long)p->ctx->data_end;
	struct ethhdr *eth = data;

	tr->ts_ns = bpf_ktime_get_ns();
	tr->ifindex = p->ifindex;
	tr->len = end - data;
	tr->nh_id = p->nh_id;
	tr->oif = p->oif;
	tr->mtu = p->mtu;
	tr->punt = p->tr_punt;
	if ((void *)(eth + 1) <= end)
		tr->ethertype = eth->h_proto;
	if (p->nh && !(p->nh->flags & XRT_NH_F_CONNECTED))
		__builtin_memcpy(tr->gw, p->nh->gw, sizeof(tr->gw));
	if (tr->ethertype == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) <= end) {
			__builtin_memcpy(tr->saddr, &ip6->saddr, 16);
			__builtin_memcpy(tr->daddr, &ip6->daddr, 16);
			tr->proto = ip6->nexthdr;
			/* A forwarded packet left with the hop limit already
			 * decremented (ip6_finish_output2). */
			tr->hlim = ip6->hop_limit + (verdict == XDP_REDIRECT && !tr->punt) +
				   (verdict == XDP_TX);
		}
	} else if (tr->ethertype == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip4 = (void *)(eth + 1);

		if ((void *)(ip4 + 1) <= end) {
			xrt_trace_v4mapped(tr->saddr, ip4->saddr);
			xrt_trace_v4mapped(tr->daddr, ip4->daddr);
			tr->proto = ip4->protocol;
			tr->hlim = ip4->ttl + (verdict == XDP_REDIRECT && !tr->punt) +
				   (verdict == XDP_TX);
		}
	}
	if (bpf_ringbuf_output(&xrt_trace_ring, tr, sizeof(*tr), 0))
		__sync_fetch_and_add(&xrt_trace.lost, 1);
}

#endif
