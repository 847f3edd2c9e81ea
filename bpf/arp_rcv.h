/* xrt fast path, ARP: arp_rcv, the frame handed to xrtd's ARP (RFC 826) or, in kernel-mirror mode, to the kernel. */
#ifndef XRT_BPF_ARP_RCV_H
#define XRT_BPF_ARP_RCV_H

#include "pkt.h"
#include "punt.h"
#include "stats.h"

/*
 * arp_rcv: xrtd resolves and answers for xrt's IPv4 addresses (punt ARP,
 * budgeted like every punt). In kernel-mirror mode (XRT_IF_F_KERNEL_LOCAL)
 * the kernel owns the addresses and the neighbour table xrt mirrors, so
 * ARP is the kernel's, as ND is there.
 */
static __always_inline int arp_rcv(struct xrt_pkt *p)
{
	if (p->iif->flags & XRT_IF_F_KERNEL_LOCAL)
		return xrt_pass(p, XRT_PASS_KERNEL_LOCAL);
	return xrt_punt(p, XRT_PUNT_ARP);
}

#endif
