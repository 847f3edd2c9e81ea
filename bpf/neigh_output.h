/* xrt fast path: neigh_output and dev_queue_xmit, the next hop's MACs and the transmit both families share. */
#ifndef XRT_BPF_NEIGH_OUTPUT_H
#define XRT_BPF_NEIGH_OUTPUT_H

#include "pkt.h"
#include "maps.h"
#include "punt.h"
#include "stats.h"

/*
 * neigh_output: the next hop's MAC (dmac) and the egress MAC (smac). An
 * unknown or unresolved neighbour is the daemon's job (ND or ARP, the packet
 * queued and forwarded when the answer arrives): punt NEIGH_MISS. xrt_neigh6
 * holds both families, IPv4 under the IPv4-mapped address (include/xrt/inet.h);
 * a connected next hop resolves the packet's own destination.
 */
static __always_inline int neigh_output(struct xrt_pkt *p, bool v4, const __u8 **dmac,
					const __u8 **smac)
{
	const struct xrt_nh *nh = p->nh;
	const struct xrt_iface *oif = p->iif;
	struct xrt_neigh6_val *neigh;

	/* A gateway's MAC is cached in the next hop by bpfmaps.c while its
	 * entry is usable and not STALE: no lookup needed. */
	if (nh->flags & XRT_NH_F_DMAC) {
		*dmac = nh->dmac;
	} else {
		struct xrt_neigh6_key key = { .ifindex = nh->ifindex };

		if (!(nh->flags & XRT_NH_F_CONNECTED)) {
			__builtin_memcpy(key.addr, nh->gw, sizeof(key.addr));
		} else if (v4) {
			key.addr[10] = 0xff;
			key.addr[11] = 0xff;
			__builtin_memcpy(&key.addr[12], &p->ip4->daddr, sizeof(__be32));
		} else {
			__builtin_memcpy(key.addr, &p->ip6->daddr, sizeof(key.addr));
		}
		neigh = bpf_map_lookup_elem(&xrt_neigh6, &key);
		if (!neigh || !(neigh->state & XRT_NUD_VALID))
			return xrt_punt(p, XRT_PUNT_NEIGH_MISS);
		/* RFC 4861 7.3.3 (and the kernel's ARP the same way): traffic
		 * through a STALE entry starts the DELAY timer; the daemon
		 * sees used_ns move and probes. */
		if (neigh->state & XRT_NUD_STALE)
			neigh->used_ns = bpf_ktime_get_ns();
		*dmac = neigh->mac;
	}

	/* The egress MAC: cached in the next hop by bpfmaps.c while the
	 * egress is attached (saves a hash lookup per packet); otherwise
	 * from xrt_ifaces, and no entry there means not attached. */
	if (nh->flags & XRT_NH_F_SMAC) {
		*smac = nh->smac;
	} else {
		if (p->oif != p->ifindex) {
			oif = xrt_iface_get(p->oif);
			if (!oif)
				return xrt_drop(p, XRT_DROP_NO_TX_PORT);
		}
		*smac = oif->mac;
	}
	return XRT_NEXT;
}

/*
 * dev_queue_xmit: the rewritten frame out of p->oif. XDP_TX back out of the
 * ingress, else through the devmap: dev_map_enqueue bulks per device,
 * xdp_do_flush sends once per NAPI poll. An egress without an entry makes
 * the helper return the flags' XDP_DROP: dropped and counted.
 */
static __always_inline int dev_queue_xmit(struct xrt_pkt *p, const __u8 *dmac,
					  const __u8 *smac)
{
	const __u32 slot = 0;
	void *tx_ports;

	xrt_mac_copy(p->eth->h_dest, dmac);
	xrt_mac_copy(p->eth->h_source, smac);
	if (p->oif == p->ifindex)
		return XDP_TX;
	tx_ports = bpf_map_lookup_elem(&xrt_tx_outer, &slot);
	if (!tx_ports || bpf_redirect_map(tx_ports, p->oif, XDP_DROP) != XDP_REDIRECT)
		return xrt_drop(p, XRT_DROP_NO_TX_PORT);
	return XDP_REDIRECT;
}

#endif
