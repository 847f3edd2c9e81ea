/* xrt: the daemon's control-plane state (maps, RIB, attached links) and its start and stop. */
#ifndef XRT_ROUTER_ROUTER_H
#define XRT_ROUTER_ROUTER_H

#include <stdbool.h>
#include <stdint.h>
#include "dataplane/maps.h"
#include "dataplane/xdp.h"
#include "rib/rib.h"
#include "rib/fib_rules.h"
#include "stack/stack.h"

struct xrt_link {
	struct xrt_netdev dev; /* what the stack sees; addr[] holds addresses */
	uint8_t addr_origin[XRT_MAX_ADDRS];
	bool addr_stale[XRT_MAX_ADDRS];
	bool addr_claim[XRT_MAX_ADDRS]; /* in xrt_local6: xrtd serves it */
	uint16_t slot;
	uint32_t xsk_base;
	bool xdp_ours;  /* we attached the program (else adopted: ip link) */
	enum xrt_xdp_mode xdp_mode; /* the hook it runs on (native or generic) */
	bool xdp_dispatcher;        /* in a libxdp dispatcher with others */
	uint32_t xdp_prog_id;       /* our program's id on the interface */
	char xdp_prog_name[16];     /* and its name, as the kernel has it */
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

/* What changed, for `xrt monitor` (ctl/monitor.c): the kinds of
 * rtnetlink's RTM_NEWLINK/NEWADDR/NEWROUTE/NEWNEIGH and their DEL twins. */
enum router_ev_kind { ROUTER_EV_LINK, ROUTER_EV_ADDR, ROUTER_EV_ROUTE, ROUTER_EV_NEIGH, ROUTER_EV_RULE };
struct router_ev {
	enum router_ev_kind kind;
	bool deleted;
	int ifindex;
	struct in6_addr addr;          /* addr, neigh */
	unsigned plen;                 /* addr */
	uint8_t mac[6];                /* neigh */
	uint16_t state;                /* neigh: XRT_NUD_* */
	const struct rib_route *route; /* route (readable during the call) */
	const struct fib_rule *rule;   /* rule (RTM_NEWRULE/DELRULE) */
	/* link: a change of an attached link (admin state or MTU, from the
	 * CLI or the link watch), with its state after it */
	bool change, up;
	uint32_t mtu;
};
struct router_event_ops {
	void *ctx;
	void (*fn)(void *ctx, const struct router_ev *ev);
};

struct xrt_router {
	struct xrt_maps maps;
	struct rib *rib;
	struct xrt_link *links[XRT_MAX_IFACES]; /* by slot; slot 0 unused */
	struct fib_rules rules; /* policy routing (router/rules.c) */
	bool xsk_ready;  /* xsk_pool_create done: attach opens AF_XDP sockets */
	struct router_loop_ops loop;
	struct router_event_ops events; /* fn NULL: nobody listens */
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
		/* The packet's rule key (ingress, addresses, ports) for the
		 * policy rules' lookup of the same destination. */
		bool has_key;
		struct xrt_acl_key key;
	} punt;
	/* Stopping for an upgrade (xrtd's SIGUSR2): router_fini leaves every
	 * program attached and sends no final RA, for the next xrtd to take
	 * over (dataplane/migrate.h). */
	bool keep_xdp;
};

int router_init(struct xrt_router *r, const char *obj, const char *bpffs, char *err);
/* Detach the programs we attached, close sockets, free everything; the
 * maps keep their last state for interfaces attached by ip link. */
void router_fini(struct xrt_router *r);

struct xrt_link *router_link_by_name(struct xrt_router *r, const char *name);
struct xrt_link *router_link_by_ifindex(struct xrt_router *r, int ifindex);
/* Resolve a name to an attached link, with the errors the CLI shows. */
struct xrt_link *router_link_need(struct xrt_router *r, const char *name, char *err);

/*
 * Each file's own functions have their own header; they are included here
 * for the callers (cli/, kernel/, ctl/) that still take the whole router
 * from this one.
 */
static inline void router_event(const struct xrt_router *r, const struct router_ev *ev)
{
	if (r->events.fn)
		r->events.fn(r->events.ctx, ev);
}

#include "router/addr.h"
#include "router/config_neigh.h"
#include "router/link.h"
#include "router/stack_env.h"

#endif
