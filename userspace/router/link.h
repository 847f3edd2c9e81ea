/* xrt: attaching and detaching interfaces, and keeping their xrt_ifaces entry in step. */
#ifndef XRT_ROUTER_LINK_H
#define XRT_ROUTER_LINK_H

#include <stdbool.h>
#include <stdint.h>
#include "dataplane/xdp.h"

struct xrt_router;
struct xrt_link;

/* mode NULL: native, or whatever mode an adopted program runs in. */
int link_attach(struct xrt_router *r, const char *name, const enum xrt_xdp_mode *mode,
		char *err);
/* Read again what runs on the link's XDP hook (xdp_prog_id 0: ours is gone,
 * someone detached it). */
void link_xdp_refresh(struct xrt_router *r, struct xrt_link *l);
int link_detach(struct xrt_router *r, struct xrt_link *l, char *err);
/* The kernel says the link is administratively up or down: mark its next
 * hops live or dead in the RIB (fib6_ifdown / fib6_sync_up). */
int link_admin_state(struct xrt_router *r, struct xrt_link *l, bool up, char *err);
/* `link set dev D up|down`: the kernel's IFF_UP (as `ip link set`), then
 * link_admin_state. */
int link_set_admin(struct xrt_router *r, struct xrt_link *l, bool up, char *err);
/* Tell monitors that l changed (its admin state or MTU). */
void link_event(struct xrt_router *r, const struct xrt_link *l);
/* Rewrite the link's xrt_ifaces entry from its state. */
int link_program(struct xrt_router *r, struct xrt_link *l, char *err);
/* Close the link's AF_XDP sockets (and their xrt_xsks entries). */
void link_release(struct xrt_router *r, struct xrt_link *l);
int link_set(struct xrt_router *r, struct xrt_link *l, const uint32_t *mtu,
	     const bool *forwarding, const uint32_t *table, char *err);

/* Reverse-path filter of packets arriving on l (enum xrt_rpf). */
int link_set_rpf(struct xrt_router *r, struct xrt_link *l, uint8_t rpf, char *err);

#endif
