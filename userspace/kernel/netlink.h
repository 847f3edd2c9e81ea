/* xrt: mirroring the kernel's IPv6 and IPv4 addresses, routes and neighbours over rtnetlink. */
#ifndef XRT_KERNEL_NETLINK_H
#define XRT_KERNEL_NETLINK_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include "router/router.h"

/*
 * `xrt sync kernel on` / `xrtd --sync-kernel`: dump, then follow, the
 * kernel's AF_INET6 and AF_INET addresses (-> xrt addresses), routes
 * (tables 0..254, not proto kernel: those come from the addresses; incl.
 * RTA_MULTIPATH) and neighbours, ND and ARP (-> static entries of the
 * stack's table) of attached links; IPv4 as mapped addresses
 * (include/xrt/inet.h), skipping RFC 5549 routes (RTA_VIA). On
 * an overrun (ENOBUFS) everything is re-dumped and what the kernel no longer
 * has is swept. While mirroring, attached links carry XRT_IF_F_KERNEL_LOCAL:
 * the kernel owns the addresses, so local traffic (OSPF, BGP, SSH, ND for
 * its addresses) goes up to it; next hops the stack must resolve are handed
 * to the kernel's ND too (NTF_USE), whose answer comes back as RTM_NEWNEIGH.
 */
struct nl_mirror_stats {
	uint64_t routes, addrs, neighs, skipped, resyncs, errors;
	uint64_t rules; /* rules mirrored (RTM_NEWRULE/DELRULE) */
};

int nl_mirror_start(struct xrt_router *r, char *err);
/* forget: remove what was mirrored (xrt sync kernel off); without it the
 * maps keep their state (daemon shutdown). */
void nl_mirror_stop(struct xrt_router *r, bool forget);
/* Dump everything again and sweep what the kernel no longer has (also
 * after a link is attached: its routes were skipped until then). */
int nl_mirror_resync(struct xrt_router *r, char *err);
/* The event socket is readable. */
void nl_mirror_input(struct xrt_router *r);
/* Ask the kernel to resolve addr on ifindex (mirror mode). */
void nl_mirror_resolve(struct xrt_router *r, int ifindex, const struct in6_addr *addr);
const struct nl_mirror_stats *nl_mirror_get_stats(const struct xrt_router *r);

#endif
