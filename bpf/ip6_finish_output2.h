/* xrt fast path stages 9-10: neighbour lookup, rewrite and transmit. */
#ifndef XRT_BPF_IP6_FINISH_OUTPUT2_H
#define XRT_BPF_IP6_FINISH_OUTPUT2_H

#include "pkt.h"
#include "maps.h"
#include "punt.h"
#include "stats.h"

/*
 * ip6_finish_output2 / neigh_output: the next hop's MAC from xrt_neigh6. An
 * unknown or unresolved neighbour is the daemon's job (it runs ND, queues the
 * packet and forwards it when the NA arrives).
 */
static __always_inline int ip6_finish_output2(struct xrt_pkt *p)
{
	const struct xrt_nh *nh = p->nh;
	const struct xrt_iface *oif = p->iif;
	struct xrt_neigh6_val *neigh;
	struct ethhdr *eth = p->eth;
	const __u8 *smac, *dmac;
	int ret;

	/* A gateway's MAC is cached in the next hop by bpfmaps.c while its
	 * entry is usable and not STALE: no lookup needed. */
	if (nh->flags & XRT_NH_F_DMAC) {
		dmac = nh->dmac;
	} else {
		struct xrt_neigh6_key key = { .ifindex = nh->ifindex };

		if (nh->flags & XRT_NH_F_CONNECTED)
			__builtin_memcpy(key.addr, &p->ip6->daddr, sizeof(key.addr));
		else
			__builtin_memcpy(key.addr, nh->gw, sizeof(key.addr));
		neigh = bpf_map_lookup_elem(&xrt_neigh6, &key);
		if (!neigh || !(neigh->state & XRT_NUD_VALID))
			return xrt_punt(p, XRT_PUNT_NEIGH_MISS);
		/* RFC 4861 7.3.3: traffic through a STALE entry starts the
		 * DELAY timer; the daemon sees used_ns move and probes. */
		if (neigh->state & XRT_NUD_STALE)
			neigh->used_ns = bpf_ktime_get_ns();
		dmac = neigh->mac;
	}

	/* The egress MAC: cached in the next hop by bpfmaps.c while the
	 * egress is attached (saves a hash lookup per packet); otherwise
	 * from xrt_ifaces, and no entry there means not attached. */
	if (nh->flags & XRT_NH_F_SMAC) {
		smac = nh->smac;
	} else {
		if (p->oif != p->ifindex) {
			oif = xrt_iface_get(p->oif);
			if (!oif)
				return xrt_drop(p, XRT_DROP_NO_TX_PORT);
		}
		smac = oif->mac;
	}
	p->ip6->hop_limit--;
	__builtin_memcpy(eth->h_dest, dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, smac, ETH_ALEN);

	if (p->oif == p->ifindex) {
		ret = XDP_TX;
	} else {
		/* Transmit through the devmap: dev_map_enqueue bulks per
		 * device, xdp_do_flush sends once per NAPI poll. An egress
		 * without an entry makes the helper return the flags'
		 * XDP_DROP. */
		const __u32 slot = 0;
		void *tx_ports = bpf_map_lookup_elem(&xrt_tx_outer, &slot);

		if (!tx_ports)
			return xrt_drop(p, XRT_DROP_NO_TX_PORT);
		ret = bpf_redirect_map(tx_ports, p->oif, XDP_DROP);
		if (ret != XDP_REDIRECT)
			return xrt_drop(p, XRT_DROP_NO_TX_PORT);
	}
	XRT_MIB_INC(p, OUT_FORW_DATAGRAMS);
	XRT_MIB_ADD(p, OUT_OCTETS, p->len);
	return ret;
}

#endif
