/* xrt: the routing information base: routes, shared next hops and ECMP groups. */
#ifndef XRT_RIB_RIB_H
#define XRT_RIB_RIB_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include "xrt/maps.h"
#include "xrt/err.h"
#include "rib/htable.h"

/*
 * Routes are keyed by (table, prefix, metric) like the kernel's IPv6 FIB: a
 * prefix may have several routes with different metrics and the lowest
 * metric is the one programmed into the fast path. Next hops are objects
 * shared by every route that uses the same (dev, gateway, mtu), with a
 * reference count; ECMP groups are shared the same way. The RIB programs the
 * fast path through struct rib_ops only (router.c over dataplane/maps.c in the daemon, a recorder
 * in unit tests), make-before-break: a next hop is written before the route
 * that points at it and removed after the last route that used it.
 */

#define RIB_MAX_PATHS 16 /* next hops per ECMP route */
#define RIB_METRIC_LOCAL 0       /* kernel: local routes */
#define RIB_METRIC_ANYCAST 1     /* Subnet-Router anycast (kernel: type anycast, metric 0) */
#define RIB_METRIC_CONNECTED 256 /* kernel: IP6_RT_PRIO_ADDRCONF */
#define RIB_METRIC_USER 1024     /* kernel: IP6_RT_PRIO_USER */
#define RIB_WEIGHT_MAX 256       /* iproute2: weight 1..256 */
/* IPv4 (mapped, include/xrt/inet.h): the kernel's fib_magic and iproute2
 * install every IPv4 route with priority 0 unless told otherwise. */
#define RIB_METRIC_V4_USER 0
#define RIB_METRIC_V4_CONNECTED 0
#define RIB_TABLE_LOCAL XRT_TABLE_LOCAL /* IPv4's local and broadcast routes */

/* Where a route came from; reload and resync replace one origin at a time. */
enum rib_origin {
	RIB_ORIGIN_STATIC,  /* CLI */
	RIB_ORIGIN_CONFIG,  /* configuration file */
	RIB_ORIGIN_ADDR,    /* local and connected routes of an address */
	RIB_ORIGIN_KERNEL,  /* mirrored from the kernel over netlink */
	RIB_ORIGIN_MAX
};

struct rib_route;
struct rib_ops {
	void *ctx;
	int (*route_set)(void *ctx, uint32_t table, const uint8_t addr[16],
			 unsigned plen, const struct xrt_fib6_val *v, char *err);
	int (*route_del)(void *ctx, uint32_t table, const uint8_t addr[16],
			 unsigned plen, char *err);
	/* Source-specific routes (dst/plen from src/splen, splen > 0); NULL:
	 * refused. */
	int (*route_src_set)(void *ctx, uint32_t table, const uint8_t addr[16],
			     unsigned plen, const uint8_t src[16], unsigned splen,
			     const struct xrt_fib6_val *v, char *err);
	int (*route_src_del)(void *ctx, uint32_t table, const uint8_t addr[16],
			     unsigned plen, const uint8_t src[16], unsigned splen, char *err);
	/* Hand every packet to addr/plen to the kernel (on) or take it back:
	 * its source routes did not all fit. NULL: not handed over. */
	int (*route_src_pass)(void *ctx, uint32_t table, const uint8_t addr[16],
			      unsigned plen, bool on, char *err);
	int (*nh_set)(void *ctx, uint32_t id, const struct xrt_nh *v, char *err);
	int (*nh_del)(void *ctx, uint32_t id, char *err);
	int (*grp_set)(void *ctx, uint32_t id, const uint32_t *nh_ids,
		       const uint32_t *weights, unsigned n, char *err);
	int (*grp_del)(void *ctx, uint32_t id, char *err);
	/* MTU of an attached interface, 0 if the interface is not attached. */
	uint32_t (*link_mtu)(void *ctx, int ifindex);
	/* Optional: a route entered the RIB (deleted false) or is about to
	 * leave it (deleted true, still readable), as RTM_NEWROUTE/DELROUTE. */
	void (*route_event)(void *ctx, const struct rib_route *rt, bool deleted);
};

struct rib_path {
	int ifindex;          /* 0: resolve from the gateway's connected route */
	bool has_gw;
	struct in6_addr gw;
	uint32_t weight;      /* ECMP weight, 1..RIB_WEIGHT_MAX; 0 means 1 */
};

struct rib_route_spec {
	uint32_t table;
	struct in6_addr prefix;
	unsigned plen;
	/* `from src/src_plen` (the kernel's rtm_src_len, IPv6 only); 0: any */
	struct in6_addr src;
	unsigned src_plen;
	uint32_t type;   /* enum xrt_rtn */
	uint32_t metric;
	uint32_t mtu;    /* 0 = the egress link's MTU */
	unsigned npaths; /* unicast: 1..RIB_MAX_PATHS; else 0 */
	struct rib_path path[RIB_MAX_PATHS];
	enum rib_origin origin;
};

/* Shared next hop (public for show/get). */
struct rib_nh {
	uint32_t id;
	int ifindex;
	struct in6_addr gw;
	uint32_t mtu_cfg; /* route mtu, 0 = follow the link */
	uint32_t flags;   /* XRT_NH_F_* */
	uint32_t mtu;     /* what is programmed */
	uint32_t refcnt;
	bool dead; /* its interface is administratively down (fib6_ifdown) */
	struct htable_node hnode;  /* rib's next hops by (dev, gateway, mtu) */
	struct htable_node gwnode; /* by (dev, gateway), gateways only */
};

struct rib_grp {
	uint32_t id;
	unsigned n;
	struct rib_nh *nh[RIB_MAX_PATHS];
	uint32_t weight[RIB_MAX_PATHS];
	uint32_t refcnt;
	struct htable_node hnode;
};

struct rib_node;
struct rib_route {
	struct rib_route *next; /* same prefix, ascending metric */
	struct rib_node *node;
	uint32_t type, metric, mtu;
	struct rib_nh *nh;   /* unicast with one path */
	struct rib_grp *grp; /* unicast with several paths */
	uint8_t origin;
	bool stale; /* mark-and-sweep */
};

struct rib_node {
	struct htable_node hnode;
	uint32_t table; /* the id (32 bits) */
	uint32_t slot;  /* its fast-path slot (rib_table_slot) */
	struct in6_addr prefix;
	unsigned plen;
	struct in6_addr src; /* source-specific: from src/src_plen; 0: plain */
	unsigned src_plen;
	struct rib_node *src_next; /* the other source routes of this dst */
	struct rib_route *routes; /* ascending metric */
	/* What the fast path holds: the first live route (one with a next
	 * hop whose link is up, or no next hop at all), NULL = none. */
	const struct rib_route *programmed;
};

struct rib;

struct rib *rib_new(const struct rib_ops *ops);
/* Most routes the RIB holds, all metrics counted (default XRT_MAX_ROUTES:
 * routes that are not the best of their prefix never reach the fast
 * path's map, so the map's size alone would not bound them). */
void rib_set_max_routes(struct rib *rib, size_t max);
/* Adds refused because the RIB held max routes. */
uint64_t rib_routes_refused(const struct rib *rib);
void rib_free(struct rib *rib);

/* Add a route. replace: an existing route with the same (table, prefix,
 * metric) is replaced instead of refused. On error nothing changed. */
int rib_route_add(struct rib *rib, const struct rib_route_spec *s, bool replace,
		  char *err);

/* Which routes a delete or flush matches; unset fields match anything. */
struct rib_match {
	bool has_table, has_metric, has_type, has_dev, has_gw, has_origin;
	uint32_t table, metric, type;
	int ifindex;
	struct in6_addr gw;
	enum rib_origin origin;
	int family; /* AF_INET or AF_INET6 (the prefix's, include/xrt/inet.h); 0: both */
	/* rib_route_del: the route `from src/src_plen` (unset: the plain
	 * route, as the kernel's fib6_locate with no source); rib_flush:
	 * only routes with this source. */
	bool has_src;
	struct in6_addr src;
	unsigned src_plen;
};
/* Delete the first route of (table, prefix) that matches m. */
int rib_route_del(struct rib *rib, uint32_t table, const struct in6_addr *prefix,
		  unsigned plen, const struct rib_match *m, char *err);
/* Delete every route matching m; returns how many, or -errno. */
int rib_flush(struct rib *rib, const struct rib_match *m, char *err);

/* Longest-prefix match on the programmed (best live) routes: what the fast
 * path sees. Returns NULL if no route. An IPv4 (mapped) destination only
 * matches IPv4 prefixes (length 96 and up): never IPv6's ::/0 and the like;
 * an IPv6 one never matches an IPv4 prefix (they all lie in ::ffff:0:0/96). */
const struct rib_route *rib_lookup(const struct rib *rib, uint32_t table,
				   const struct in6_addr *daddr);
/* The same for a packet from saddr (the kernel's fib6_node_lookup with
 * CONFIG_IPV6_SUBTREES): the longest destination, then within it the
 * longest source; a destination with source routes none of which matches
 * is passed over for a shorter one (its own plain route is used only at
 * ::/0). rib_lookup is this with saddr ::. */
const struct rib_route *rib_lookup_src(const struct rib *rib, uint32_t table,
				       const struct in6_addr *daddr,
				       const struct in6_addr *saddr);
/* Source routes refused because XRT_FIB6_SUBTREES destinations already
 * have some. */
uint64_t rib_subtrees_refused(const struct rib *rib);
/* Destinations handed to the kernel because some of their source routes
 * were refused (XRT_FIB6_SUBTREES or XRT_FIB6_SUBTREE_ROUTES reached): the
 * refused routes wait and are retried when a source route goes. */
struct rib_src_pass {
	uint32_t table;
	struct in6_addr prefix;
	unsigned plen;
	unsigned waiting; /* refused routes waiting */
	bool lost;	  /* some could not wait (XRT_FIB6_SRC_PENDING) */
};
size_t rib_src_passed(const struct rib *rib, struct rib_src_pass *out, size_t max);
/* A refused source route stops waiting (a transaction that refused it is
 * being taken back); its destination returns to the fast path if nothing
 * else of it waits. */
void rib_src_forget(struct rib *rib, const struct rib_route_spec *s);
/* The longest destination of table handed to the kernel that holds daddr
 * and is at least min_plen long (its trie leaf then answers before a
 * route of min_plen would): in *pfx / *plen. */
bool rib_src_passed_at(const struct rib *rib, uint32_t table, const struct in6_addr *daddr,
		       unsigned min_plen, struct in6_addr *pfx, unsigned *plen);
struct rib_src_pass_stats {
	uint64_t refused;   /* source routes refused by the bounds */
	uint64_t passes;    /* destinations handed to the kernel, ever */
	uint64_t pass_full; /* not handed over: XRT_FIB6_SRC_PASS in use */
	uint64_t pend_full; /* refused routes that could not wait */
	uint32_t subtrees;  /* destinations with source routes installed */
	uint32_t passed;    /* destinations handed to the kernel now */
	uint32_t waiting;   /* refused routes waiting */
};
void rib_src_pass_stats(const struct rib *rib, struct rib_src_pass_stats *st);
/* The route a packet to daddr takes when its interface uses table: the
 * kernel's fib_lookup with its default rules for IPv4 (table local, then
 * the interface's table); IPv6's local routes live in the interface's
 * table, so for IPv6 this is rib_lookup. */
const struct rib_route *rib_fib_lookup(const struct rib *rib, uint32_t table,
				       const struct in6_addr *daddr);
/*
 * Table ids are the kernel's 32-bit ones; the fast path's tries are indexed
 * by a slot below XRT_MAX_TABLES (main and local keep their own number).
 * rib_table_hold maps id to a slot (allocating one; -ENOSPC and counted in
 * rib_table_slots_refused when all are taken) and takes a reference: every
 * prefix of the table holds one, and so does each interface or rule that
 * names the table. rib_table_put drops it; a slot nobody holds is free.
 * rib_table_slot answers the slot of an id in use, -ENOENT if none.
 */
int rib_table_hold(struct rib *rib, uint32_t id, char *err);
void rib_table_put(struct rib *rib, uint32_t slot);
int rib_table_slot(const struct rib *rib, uint32_t id);
unsigned rib_table_slots_free(const struct rib *rib);
uint64_t rib_table_slots_refused(const struct rib *rib);
/* Exact (table, prefix) node lookup, NULL if absent. */
const struct rib_node *rib_node_find(const struct rib *rib, uint32_t table,
				     const struct in6_addr *prefix, unsigned plen);

/* The same for a source-specific node (src_plen 0: rib_node_find). */
const struct rib_node *rib_node_find_src(const struct rib *rib, uint32_t table,
					 const struct in6_addr *prefix, unsigned plen,
					 const struct in6_addr *src, unsigned src_plen);

/* All routes, every metric, sorted by (table, prefix, plen, metric). The
 * array is malloc'ed; the caller frees it. */
int rib_list(const struct rib *rib, const struct rib_route ***out, size_t *n);
size_t rib_count(const struct rib *rib);
/* Routes (every metric) per table, in no order, without allocating: one
 * walk of the prefixes. Fills at most max entries (tables beyond them are
 * left out) and returns how many. */
struct rib_table_count {
	uint32_t table;
	size_t routes;
};
size_t rib_table_counts(const struct rib *rib, struct rib_table_count *out, size_t max);

/* An interface's MTU changed: reprogram next hops that follow it. */
int rib_link_mtu_changed(struct rib *rib, int ifindex, char *err);
/* An interface goes away: delete every route through it. */
int rib_link_down(struct rib *rib, int ifindex, char *err);
/* An interface went administratively down (up = false) or came back up,
 * like the kernel's fib6_ifdown / fib6_sync_up: its next hops are dead,
 * ECMP groups are reprogrammed without them, and a route with no live next
 * hop gives way to its prefix's next live metric or, if none, to no route
 * (a shorter prefix matches). The routes stay in the RIB and come back
 * when the interface is up again. New next hops on a down interface are
 * born dead. At most XRT_MAX_IFACES interfaces are down at once. */
int rib_link_set_up(struct rib *rib, int ifindex, bool up, char *err);
/* Call fn on every next hop whose gateway is (ifindex, gw), so that a
 * neighbour change refreshes the MAC the fast path caches in them (the
 * kernel's nexthops hold their neighbour the same way). Stops at the first
 * non-zero return and returns it. */
int rib_nh_foreach_gw(const struct rib *rib, int ifindex, const struct in6_addr *gw,
		      int (*fn)(const struct rib_nh *h, void *arg), void *arg);
/* Is this route usable (not unicast, or at least one live next hop)? */
bool rib_route_alive(const struct rib_route *r);

/* Mark-and-sweep for reload and resync: mark every route of origin stale;
 * adding an identical route clears the mark (and writes nothing); sweep
 * deletes what stayed stale. */
void rib_mark(struct rib *rib, enum rib_origin origin);
int rib_sweep(struct rib *rib, enum rib_origin origin, char *err);

/* Pick the ECMP member for a flow the way a hash over (saddr, daddr) does. */
const struct rib_nh *rib_route_pick(const struct rib_route *r,
				    const struct in6_addr *saddr,
				    const struct in6_addr *daddr);

/* Counts of what is programmed, for tests and `xrt stats`. */
struct rib_stats {
	size_t routes, nodes, nexthops, groups;
};
void rib_get_stats(const struct rib *rib, struct rib_stats *st);

/* An address and a prefix length as the user writes them (IPv4 dotted,
 * its length without the mapping's 96, include/xrt/inet.h): for messages
 * and output. */
const char *rib_ntop(const struct in6_addr *a, char buf[INET6_ADDRSTRLEN]);
unsigned rib_user_plen(const struct in6_addr *a, unsigned plen);

/* Parse helpers shared with the command layer. */
bool rib_prefix_host_bits(const struct in6_addr *a, unsigned plen);
void rib_prefix_mask(struct in6_addr *a, unsigned plen);

#endif
