/* xrt: the daemon's control-plane state: maps, RIB, attached links and their addresses. */
#ifndef XRT_ROUTER_ROUTER_H
#define XRT_ROUTER_ROUTER_H

#include <stdbool.h>
#include <stdint.h>
#include "dataplane/maps.h"
#include "rib/rib.h"
#include "stack/stack.h"

/* Where an interface address came from (reload removes only config ones). */
enum addr_origin {
	ADDR_ORIGIN_KERNEL_LL, /* the kernel interface's link-local, learned */
	ADDR_ORIGIN_STATIC,    /* CLI */
	ADDR_ORIGIN_CONFIG,    /* configuration file */
	ADDR_ORIGIN_KERNEL,    /* netlink mirror */
};

struct xrt_link {
	struct xrt_netdev dev; /* what the stack sees; addr[] holds addresses */
	uint8_t addr_origin[XRT_MAX_ADDRS];
	bool addr_stale[XRT_MAX_ADDRS];
	bool addr_claim[XRT_MAX_ADDRS]; /* in xrt_local6: xrtd serves it */
	uint16_t slot;
	uint32_t xsk_base;
	bool xdp_ours;  /* we attached the program (else adopted: ip link) */
	bool from_config, stale;
	bool kernel_local; /* mirror mode: local traffic goes to the kernel */
	bool admin_down;   /* IFF_UP clear: its next hops are dead (rib) */
	unsigned nqueues;
	int xsk_fd[XRT_MAX_QUEUES];
};

/* Hooks into the event loop: a socket appeared or goes away. */
struct router_loop_ops {
	void *ctx;
	int (*fd_add)(void *ctx, int fd);    /* an AF_XDP socket */
	int (*nl_fd_add)(void *ctx, int fd); /* the netlink mirror's socket */
	void (*fd_del)(void *ctx, int fd);
};

struct xrt_router {
	struct xrt_maps maps;
	struct rib *rib;
	struct xrt_link *links[XRT_MAX_IFACES]; /* by slot; slot 0 unused */
	bool xsk_ready;  /* shared UMEM created: attach opens AF_XDP sockets */
	struct router_loop_ops loop;
	/* Commands from the config file carry this origin; reload turns adds
	 * of existing objects into no-ops so only the difference is applied. */
	bool in_config, reloading;
	/* Punt budgets as programmed (punt.c), and which the configuration
	 * file set (a reload puts the ones it no longer sets back to default). */
	struct xrt_punt_cfg punt_cfg[XRT_PUNT_MAX];
	bool punt_from_config[XRT_PUNT_MAX], punt_stale[XRT_PUNT_MAX];
	const char *config_path;
	struct nl_mirror *mirror; /* kernel FIB mirroring, NULL when off */
	/* Static neighbours the configuration file added, so that a reload
	 * removes the ones it no longer names (the stack's table has no
	 * notion of origin). Bounded like that table. */
	struct config_neigh {
		int ifindex;
		struct in6_addr addr;
		bool stale;
	} *config_neighs;
	size_t nconfig_neighs;
	/* The punted packet the stack is handling: the fast path already
	 * chose its ECMP member (meta->nh), and the slow path must agree, or
	 * the member's neighbour would never be resolved for that flow. */
	struct {
		bool valid;
		uint32_t nh;
		struct in6_addr daddr;
	} punt;
};

/* Around stack_rx of a punted frame: remember the fast path's choice. */
void router_punt_begin(struct xrt_router *r, const struct xrt_punt_meta *meta,
		       const uint8_t *frame, size_t len);
void router_punt_end(struct xrt_router *r);

/* The configuration added (ifindex, addr): remember it (or refresh it). */
int config_neigh_note(struct xrt_router *r, int ifindex, const struct in6_addr *a,
		      char *err);
/* A neighbour was deleted: forget it if the configuration had added it. */
void config_neigh_forget(struct xrt_router *r, int ifindex, const struct in6_addr *a);

int router_init(struct xrt_router *r, const char *obj, const char *bpffs, char *err);
/* Detach the programs we attached, close sockets, free everything; the
 * maps keep their last state for interfaces attached by ip link. */
void router_fini(struct xrt_router *r);

struct xrt_link *router_link_by_name(struct xrt_router *r, const char *name);
struct xrt_link *router_link_by_ifindex(struct xrt_router *r, int ifindex);
/* Resolve a name to an attached link, with the errors the CLI shows. */
struct xrt_link *router_link_need(struct xrt_router *r, const char *name, char *err);

int link_attach(struct xrt_router *r, const char *name, char *err);
int link_detach(struct xrt_router *r, struct xrt_link *l, char *err);
/* The kernel says the link is administratively up or down: mark its next
 * hops live or dead in the RIB (fib6_ifdown / fib6_sync_up). */
int link_admin_state(struct xrt_router *r, struct xrt_link *l, bool up, char *err);
/* Rewrite the link's xrt_ifaces entry from its state. */
int link_program(struct xrt_router *r, struct xrt_link *l, char *err);
/* Close the link's AF_XDP sockets (and their xrt_xsks entries). */
void link_release(struct xrt_router *r, struct xrt_link *l);
int link_set(struct xrt_router *r, struct xrt_link *l, const uint32_t *mtu,
	     const bool *forwarding, const uint32_t *table, char *err);

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
bool addr_present(const struct xrt_link *l, const struct in6_addr *a);

/* Remove every entry of the fast path's neighbour table (of ifindex, or
 * all if 0) behind the stack's back: only for leftovers of a previous run. */
int maps_neigh_clear(struct xrt_router *r, int ifindex, char *err);

/* Fill the stack's view of the daemon (stack/stack.h). */
void router_stack_env(struct xrt_router *r, struct stack_env *env);

#endif
