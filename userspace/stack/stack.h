/* xrt: the slow path's entry points, and the small interface it needs from the daemon. */
#ifndef XRT_STACK_STACK_H
#define XRT_STACK_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include "xrt/punt.h"

/*
 * The seam between stack/ (packets) and router/ (configuration). stack/
 * never includes router/ headers; the daemon hands the stack a struct
 * stack_env at start. Unit tests hand it a fake one.
 */

#define XRT_MAX_ADDRS 16 /* addresses per interface, link-local included */

/* What the stack knows of an interface; filled by router/stack_env.c, read by stack/. */
struct xrt_netdev {
	int ifindex;
	char name[16];
	uint8_t mac[6];
	uint32_t mtu;
	uint32_t table;
	bool forwarding;
	unsigned naddrs;
	struct in6_addr addr[XRT_MAX_ADDRS];
	uint8_t plen[XRT_MAX_ADDRS];
	uint8_t rpf; /* enum xrt_rpf (include/xrt/maps.h) */
};

/* Answer of a route lookup, the same decision the fast path makes. */
struct fib6_result {
	uint32_t type;  /* enum xrt_rtn; 0 = no route */
	int oif;        /* egress ifindex (unicast) */
	struct in6_addr nexthop; /* gateway, or the destination if connected */
	uint32_t mtu;   /* path MTU of the route / egress link */
};

struct stack_env {
	void *ctx;
	/* Transmit one Ethernet frame on an attached interface (xsk TX). */
	int (*xmit)(void *ctx, int ifindex, const void *frame, size_t len);
	/* Interface by index, NULL if not attached. */
	const struct xrt_netdev *(*dev_get)(void *ctx, int ifindex);
	/* Call fn for every attached interface (for source selection, ND). */
	void (*dev_foreach)(void *ctx, void (*fn)(const struct xrt_netdev *, void *),
			    void *arg);
	/* Longest-prefix match in a table; flow fields pick the ECMP member. */
	int (*fib6_lookup)(void *ctx, uint32_t table, const struct in6_addr *saddr,
			   const struct in6_addr *daddr, struct fib6_result *res);
	/* A neighbour changed: program (or remove, state 0) the fast path entry. */
	void (*neigh_changed)(void *ctx, int ifindex, const struct in6_addr *addr,
			      const uint8_t mac[6], uint16_t state);
	/* Monotonic clock in ns (fake in unit tests). */
	uint64_t (*now_ns)(void *ctx);
	/* Optional (NULL = unknown): when the fast path last forwarded through
	 * this STALE neighbour (xrt_neigh6_val.used_ns, same clock as now_ns),
	 * 0 if never. Lets the stack run RFC 4861 7.3.3 (STALE -> DELAY ->
	 * PROBE) for flows it never sees. */
	uint64_t (*neigh_used_ns)(void *ctx, int ifindex, const struct in6_addr *addr);
	/* Largest Ethernet frame xmit can carry (0 = no limit). Packets the
	 * stack originates are fragmented to fit it even on jumbo links. */
	uint32_t tx_max_frame;
	/* Optional: a TCP connection became established (add) or left the
	 * synchronized states (!add): its segments (from remote:rport to
	 * local:lport, ports in network order) skip the fast path's LOCAL
	 * punt budget. 0, or -E2BIG when the table is full. */
	int (*tcp_estab_changed)(void *ctx, const struct in6_addr *remote, uint16_t rport,
				 const struct in6_addr *local, uint16_t lport, bool add);
	/* Optional: a socket joined (or the last one left) group g on
	 * ifindex, so the fast path punts the group's traffic there (a group
	 * wider than link scope is dropped otherwise). 0 or -errno. */
	int (*mc_changed)(void *ctx, int ifindex, const struct in6_addr *g, bool joined);
	/* Optional (NULL = accept): netfilter's hook hook (enum xrt_acl_dir,
	 * include/xrt/acl.h) for the IP packet ip6 of len bytes on ifindex
	 * (IPv6 or IPv4 by its version field)
	 * (ingress, or egress for XRT_ACL_OUT); XRT_ACL_IN also runs the
	 * ingress's reverse-path filter. 0 accept, -1 drop (counted there). */
	int (*nf_hook)(void *ctx, unsigned hook, int ifindex, const uint8_t *ip6, size_t len);
};

int stack_init(const struct stack_env *env);
void stack_fini(void);

/* A frame punted by the fast path (meta may be NULL for non-punted input). */
void stack_rx(const struct xrt_punt_meta *meta, int ifindex, const uint8_t *frame,
	      size_t len);

/* An IPv4 address (mapped) was added to ifindex: announce it (RFC 5227
 * 2.3: two gratuitous ARP requests, 2 s apart), so neighbours that cached
 * another MAC for it learn ours. */
void stack_arp_announce(int ifindex, const struct in6_addr *addr);

/* Run expired timers (ND retransmits, reassembly timeouts, NUD aging). */
void stack_timers_run(void);
/* Nanoseconds until the next timer is due, or UINT64_MAX if none. */
uint64_t stack_timers_next(void);

/*
 * ICMPv6 error rate limit (RFC 4443 2.4 (f)), on by default. Token buckets:
 * one per destination (the invoking packet's source) so that a flood toward
 * one host never eats the budget of another host's traceroute, and a global
 * one that bounds the total. Rates in messages/s; rate 0 turns a bucket off.
 * Packet Too Big only counts against the global bucket (path MTU discovery
 * must not stall behind a per-host limit).
 */
struct stack_icmp_ratelimit {
	uint32_t per_dst_rate, per_dst_burst;
	uint32_t global_rate, global_burst;
};
#define STACK_ICMP_PER_DST_RATE 100
#define STACK_ICMP_PER_DST_BURST 50
#define STACK_ICMP_GLOBAL_RATE 5000
#define STACK_ICMP_GLOBAL_BURST 500
void stack_icmp_ratelimit_set(const struct stack_icmp_ratelimit *rl);
void stack_icmp_ratelimit_get(struct stack_icmp_ratelimit *rl);

/*
 * SYN cookies, as net.ipv4.tcp_syncookies: 0 never (a full request queue
 * drops SYNs), 1 when a listener's request queue is full (default), 2
 * always. stack_init sets the default, then XRT_TCP_SYNCOOKIES from the
 * environment if set (0, 1 or 2). -EINVAL for anything else.
 */
int stack_tcp_syncookies_set(int mode);
int stack_tcp_syncookies_get(void);

/*
 * MLD (RFC 3810) for the router's own groups and its sockets' groups: on
 * after stack_init. Off, groups are still joined (and delivered) but no
 * MLD message is sent or answered: unit tests that count frames.
 */
void stack_mld_enable(bool on);

#endif
