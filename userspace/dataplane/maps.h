/* xrt: load the XDP object, open its pinned maps, and program them safely. */
#ifndef XRT_DATAPLANE_MAPS_H
#define XRT_DATAPLANE_MAPS_H

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
 * One writer process at a time (xrtd): next hops cache their egress and
 * gateway MACs (XRT_NH_F_SMAC / XRT_NH_F_DMAC), and the index that keeps them
 * in step with iface/neigh changes lives in this process (rebuilt from the
 * pins by xrt_maps_load / xrt_maps_open_pinned).
 */
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
	char pin_dir[256]; /* <bpffs>/tc/globals */
	/* bpfmaps.c's own: which next hops use which gateway (so neigh_set
	 * can refresh the MAC cached in them). */
	struct xrt_maps_priv *priv;
	/* The FIB trie's writer (ip6_fib.c) over the mmapped FIB maps: made
	 * by xrt_maps_load, which starts from an empty FIB; NULL in a process
	 * that opened the pins, which cannot change routes. */
	struct fib6 *fib;
	void *fib_map[4];
	size_t fib_len[4];
};


/* Open obj_path with its maps pinned by name under <bpffs>/tc/globals
 * (mounting bpffs at <bpffs> if needed), reusing pins that already exist.
 * The FIB starts empty: routes a previous writer left are removed. */
int xrt_maps_load(struct xrt_maps *m, const char *obj_path, const char *bpffs,
		  char *err);
/* Open the maps pinned under <bpffs>/tc/globals by whoever loaded first (for
 * readers such as tools; prog_fd stays -1, so attach is refused). */
int xrt_maps_open_pinned(struct xrt_maps *m, const char *bpffs, char *err);
void xrt_maps_close(struct xrt_maps *m);

/* Attach / detach the loaded program on an interface (native XDP mode). */
int xrt_maps_attach(struct xrt_maps *m, int ifindex, char *err);
int xrt_maps_detach(struct xrt_maps *m, int ifindex, char *err);

int xrt_maps_iface_set(struct xrt_maps *m, int ifindex,
		       const struct xrt_iface *v, char *err);
int xrt_maps_iface_del(struct xrt_maps *m, int ifindex, char *err);

int xrt_maps_route_set(struct xrt_maps *m, uint32_t table, const uint8_t addr[16],
		       unsigned plen, const struct xrt_fib6_val *v, char *err);
int xrt_maps_route_del(struct xrt_maps *m, uint32_t table, const uint8_t addr[16],
		       unsigned plen, char *err);
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

int xrt_maps_neigh_set(struct xrt_maps *m, int ifindex, const uint8_t addr[16],
		       const uint8_t mac[6], uint16_t state, char *err);
int xrt_maps_neigh_del(struct xrt_maps *m, int ifindex, const uint8_t addr[16],
		       char *err);

int xrt_maps_xsk_set(struct xrt_maps *m, uint32_t key, int xsk_fd, char *err);
int xrt_maps_xsk_del(struct xrt_maps *m, uint32_t key, char *err);

int xrt_maps_punt_cfg_set(struct xrt_maps *m, unsigned reason,
			  const struct xrt_punt_cfg *v, char *err);

/* Mirror mode: a local destination xrtd serves itself (flags
 * XRT_LOCAL_F_XRTD); ifindex 0 = arriving on any interface. */
int xrt_maps_local6_set(struct xrt_maps *m, int ifindex, const uint8_t addr[16],
			uint32_t flags, char *err);
int xrt_maps_local6_del(struct xrt_maps *m, int ifindex, const uint8_t addr[16],
			char *err);

/* Sum of one slot (or all slots if slot < 0) over all CPUs. */
int xrt_maps_stats_read(struct xrt_maps *m, int slot, struct xrt_stats *out,
			char *err);

#endif
