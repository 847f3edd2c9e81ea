/* xrt fast path: counters (IPv6 MIB, punt, drop and pass reasons). */
#ifndef XRT_BPF_STATS_H
#define XRT_BPF_STATS_H

#include "pkt.h"
#include "maps.h"
#include "xrt/trace.h"

/*
 * The ingress slot's block is looked up once per packet (xrt_stats_get) and
 * then incremented in place: it is per-CPU, so plain increments are safe and
 * no atomic operation is needed.
 */
static __always_inline struct xrt_stats *xrt_stats_get(__u32 slot)
{
	return bpf_map_lookup_elem(&xrt_stats, &slot);
}

#define XRT_MIB_INC(p, id) ((p)->st->mib[XRT_MIB_##id]++)
#define XRT_MIB_ADD(p, id, n) ((p)->st->mib[XRT_MIB_##id] += (n))

static __always_inline int xrt_drop(struct xrt_pkt *p, enum xrt_drop_reason why)
{
	p->st->drop[why]++;
	p->tr_kind = XRT_TRACE_K_DROP;
	p->tr_why = why;
	return XDP_DROP;
}

static __always_inline int xrt_pass(struct xrt_pkt *p, enum xrt_pass_reason why)
{
	p->st->pass[why]++;
	p->tr_kind = XRT_TRACE_K_PASS;
	p->tr_why = why;
	return XDP_PASS;
}

#endif
