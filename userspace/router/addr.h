/* xrt: interface addresses: their local, connected and anycast routes, and mirror-mode claims. */
#ifndef XRT_ROUTER_ADDR_H
#define XRT_ROUTER_ADDR_H

#include <stdbool.h>
#include <netinet/in.h>

struct xrt_router;
struct xrt_link;

/* Where an interface address came from (reload removes only config ones). */
enum addr_origin {
	ADDR_ORIGIN_KERNEL_LL, /* the kernel interface's link-local, learned */
	ADDR_ORIGIN_STATIC,    /* CLI */
	ADDR_ORIGIN_CONFIG,    /* configuration file */
	ADDR_ORIGIN_KERNEL,    /* netlink mirror */
};

int addr_add(struct xrt_router *r, struct xrt_link *l, const struct in6_addr *a,
	     unsigned plen, enum addr_origin origin, char *err);
int addr_del(struct xrt_router *r, struct xrt_link *l, const struct in6_addr *a,
	     unsigned plen, char *err);
/* Make the Subnet-Router anycast routes of a link's addresses follow its
 * forwarding setting (the kernel's dev_forward_change). */
int addr_anycast_sync_link(struct xrt_router *r, struct xrt_link *l, char *err);
/* Claim an address of the link for xrtd: in mirror mode the fast path then
 * punts its packets to xrtd (LOCAL) instead of passing them to the kernel.
 * Released by addr_del. */
int addr_claim(struct xrt_router *r, struct xrt_link *l, const struct in6_addr *a,
	       char *err);
/* Release a claim, keeping the address (nothing if it has none). */
void addr_unclaim(struct xrt_router *r, struct xrt_link *l, const struct in6_addr *a);
/* The subnet broadcast address fib_add_ifaddr routes for an IPv4 address
 * (mapped, plen + 96): false for IPv6 and for /31 and /32. */
bool addr_broadcast(const struct in6_addr *a, unsigned plen, struct in6_addr *out);
/* The address's index in l->dev.addr[], or -1 when the link does not hold it. */
int addr_find(const struct xrt_link *l, const struct in6_addr *a);
bool addr_present(const struct xrt_link *l, const struct in6_addr *a);

#endif
