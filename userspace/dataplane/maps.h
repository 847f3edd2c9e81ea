/* xrt: the fast path's maps as one set of fds, and the setters and readers that program them. */
#ifndef XRT_DATAPLANE_MAPS_H
#define XRT_DATAPLANE_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "xrt/maps.h"
#include "xrt/punt.h"
#include "xrt/err.h"

/*
 * The only code that writes the fast path's maps. Every setter validates its
 * arguments and refuses bad values with a message in err (naming the bad
 * field) and a negative errno, leaving the map unchanged.
 *
 * Next hops cache their egress and gateway MACs (XRT_NH_F_SMAC /
 * XRT_NH_F_DMAC). The egress MAC follows xrt_ifaces here (iface_set and
 * iface_del rewrite every next hop leaving by the interface); the gateway
 * MAC is filled by nh_set from xrt_neigh6, and after a neighbour change the
 * writer refreshes the next hops that use that gateway with
 * xrt_maps_nh_refresh_dmac (the RIB knows which: rib_nh_foreach_gw).
 */
#define XRT_FIB_MAPS 4 /* xrt_fib6_tbl, xrt_fib6_dp, xrt_fib6_node, xrt_fib6_rec */
struct xrt_maps {
	struct bpf_object *obj; /* NULL when opened from pins only */
	int prog_fd;
	/* fib6: xrt_fib6_dp, the map that identifies a set (link.c, tests);
	 * the trie's other maps beside it. */
	int fib6, fib6_tbl, fib6_node, fib6_rec;
	int nh, nh_grp, neigh6, ifaces, ifaces_dir, xsks, stats;
	/* tx_ports: the devmap in slot 0 of the pinned tx_outer (see
	 * bpf/maps.h); its own fd, from the slot's map id. */
	int tx_ports, tx_outer;
	int punt_cfg, punt_tb, local6;
	int tcp_estab; /* xrt_tcp_estab */
	int acl_rules, acl_cfg, acl_cnt; /* the ACL (dataplane/acl.h) */
	struct xrt_acl *acl; /* its writer's state, made on first use */
	int fib_rules, fib_rules_cfg; /* policy rules (dataplane/fib_rules.h) */
	uint32_t fib_rules_active;    /* the bank packets read */
	int feat; /* xrt_feat, the static keys word (dataplane/feat.h) */
	int cls_hdr, cls_bits, cls_addr, cls_ifx; /* their classifier (dataplane/cls.h) */
	struct xrt_cls *cls;                       /* its builder's state */
	char pin_dir[256]; /* <bpffs>/tc/globals */
	char obj_path[256]; /* the object xrt_maps_load loaded ("" from pins) */
	/* The FIB trie's writer (ip6_fib.c) over the mmapped FIB maps: made
	 * by xrt_maps_load, which starts from an empty FIB; NULL in a process
	 * that opened the pins, which cannot change routes. */
	struct fib6 *fib;
	void *fib_map[XRT_FIB_MAPS];
	size_t fib_len[XRT_FIB_MAPS];
	/* The running generation a staged load replaces (dataplane/migrate.h);
	 * NULL for xrt_maps_load and xrt_maps_open_pinned. */
	struct xrt_migration *mig;
};
/* Opened and closed by dataplane/loader.h, attached by dataplane/xdp.h. */

int xrt_maps_iface_set(struct xrt_maps *m, int ifindex,
		       const struct xrt_iface *v, char *err);
int xrt_maps_iface_del(struct xrt_maps *m, int ifindex, char *err);

int xrt_maps_route_set(struct xrt_maps *m, uint32_t table, const uint8_t addr[16],
		       unsigned plen, const struct xrt_fib6_val *v, char *err);
int xrt_maps_route_del(struct xrt_maps *m, uint32_t table, const uint8_t addr[16],
		       unsigned plen, char *err);
/* A source-specific route (dst/plen from src/splen; splen 0: the plain
 * route), dataplane/ip6_fib.h fib6_src_add. */
/* Every packet to addr/plen to the kernel (on) or back to the FIB: a
 * destination whose source routes did not all fit (ip6_fib.h fib6_src_pass). */
int xrt_maps_route_src_pass(struct xrt_maps *m, uint32_t table, const uint8_t addr[16],
			    unsigned plen, bool on, char *err);
int xrt_maps_route_src_set(struct xrt_maps *m, uint32_t table, const uint8_t addr[16],
			   unsigned plen, const uint8_t src[16], unsigned splen,
			   const struct xrt_fib6_val *v, char *err);
int xrt_maps_route_src_del(struct xrt_maps *m, uint32_t table, const uint8_t addr[16],
			   unsigned plen, const uint8_t src[16], unsigned splen, char *err);
/* Routes a table holds, from the pinned xrt_fib6_tbl (any process). */
int xrt_maps_route_count(struct xrt_maps *m, uint32_t table, uint32_t *count, char *err);
struct fib6_usage;
/* The trie's size (the loading process only). */
int xrt_maps_fib_usage(struct xrt_maps *m, struct fib6_usage *u, char *err);

int xrt_maps_nh_set(struct xrt_maps *m, uint32_t id, const struct xrt_nh *v,
		    char *err);
int xrt_maps_nh_del(struct xrt_maps *m, uint32_t id, char *err);
/* Fill the buckets of group id from members and weights (sum of weights > 0). */
int xrt_maps_grp_set(struct xrt_maps *m, uint32_t id, const uint32_t *nh_ids,
		     const uint32_t *weights, unsigned n, char *err);
int xrt_maps_grp_del(struct xrt_maps *m, uint32_t id, char *err);
/* The buckets group id holds (what the fast path hashes flows over). */
int xrt_maps_grp_get(struct xrt_maps *m, uint32_t id, struct xrt_nh_grp *g, char *err);

int xrt_maps_neigh_set(struct xrt_maps *m, int ifindex, const uint8_t addr[16],
		       const uint8_t mac[6], uint16_t state, char *err);
int xrt_maps_neigh_del(struct xrt_maps *m, int ifindex, const uint8_t addr[16],
		       char *err);
/* The entry of (ifindex, addr): 0, or -ENOENT when there is none. */
int xrt_maps_neigh_get(struct xrt_maps *m, int ifindex, const uint8_t addr[16],
		       struct xrt_neigh6_val *v, char *err);
/* Recompute the gateway MAC cached in next hop id from xrt_neigh6 (after a
 * change of its gateway's entry); nothing is written if it is unchanged. */
int xrt_maps_nh_refresh_dmac(struct xrt_maps *m, uint32_t id, char *err);

/*
 * Leftovers of a previous writer, removed behind the RIB's back (a new
 * daemon starts from a clean slate): every interface, neighbour (of
 * ifindex, or all if 0), AF_XDP socket and local6 entry. Return how many
 * entries went (xsk_flush: 0, an XSKMAP cannot tell a full slot from an
 * empty one), or -errno.
 */
int xrt_maps_iface_flush(struct xrt_maps *m, char *err);
int xrt_maps_neigh_flush(struct xrt_maps *m, int ifindex, char *err);
int xrt_maps_xsk_flush(struct xrt_maps *m, char *err);
int xrt_maps_local6_flush(struct xrt_maps *m, char *err);

int xrt_maps_xsk_set(struct xrt_maps *m, uint32_t key, int xsk_fd, char *err);
int xrt_maps_xsk_del(struct xrt_maps *m, uint32_t key, char *err);

int xrt_maps_punt_cfg_set(struct xrt_maps *m, unsigned reason,
			  const struct xrt_punt_cfg *v, char *err);

/* Mirror mode: a local destination xrtd serves itself (flags
 * XRT_LOCAL_F_XRTD); ifindex 0 = arriving on any interface. */
int xrt_maps_local6_set(struct xrt_maps *m, int ifindex, const uint8_t addr[16],
			uint32_t flags, char *err);
/* xrt_tcp_estab: a connection's 4-tuple (as its segments arrive: saddr =
 * the peer) in or out. Full: -E2BIG. */
int xrt_maps_tcp_estab_set(struct xrt_maps *m, const struct xrt_tcp_estab_key *key, char *err);
int xrt_maps_tcp_estab_del(struct xrt_maps *m, const struct xrt_tcp_estab_key *key, char *err);
int xrt_maps_local6_del(struct xrt_maps *m, int ifindex, const uint8_t addr[16],
			char *err);

/* Punts each reason's token buckets refused, summed over CPUs. */
int xrt_maps_punt_limited(struct xrt_maps *m, uint64_t limited[XRT_PUNT_MAX], char *err);

/* Sum of one slot (or all slots if slot < 0) over all CPUs. */
int xrt_maps_stats_read(struct xrt_maps *m, int slot, struct xrt_stats *out,
			char *err);

#endif
