/* xrt: bpffs, loading the XDP object with its maps pinned by name, opening the pins alone. */
#ifndef XRT_DATAPLANE_LOADER_H
#define XRT_DATAPLANE_LOADER_H

#include "dataplane/maps.h"

/* Open obj_path with its maps pinned by name under <bpffs>/tc/globals
 * (mounting bpffs at <bpffs> if needed), reusing pins that already exist.
 * The FIB starts empty: routes a previous writer left are removed. */
int xrt_maps_load(struct xrt_maps *m, const char *obj_path, const char *bpffs,
		  char *err);
/* xrtd's load: obj_path on maps of its own, beside the set pinned in
 * <bpffs>/tc/globals by a previous run (which keeps forwarding), to be
 * made the pinned set by xrt_maps_commit (dataplane/migrate.h); without
 * a pinned set, the new maps are pinned at once. The FIB starts empty. */
int xrt_maps_stage(struct xrt_maps *m, const char *obj_path, const char *bpffs, char *err);
/* Returns after an RCU grace period: no XDP program still runs with
 * what was replaced before the call (membarrier). */
void xrt_synchronize_rcu(void);
/* A fresh, unloaded copy of the object xrt_maps_load loaded, its maps
 * pinned by name in the same directory and its .rodata set the same way:
 * what libxdp loads itself (as BPF_PROG_TYPE_EXT for a dispatcher, or as
 * XDP alone). NULL with errno and err set. */
struct bpf_object;
struct bpf_object *xrt_maps_obj_open(const struct xrt_maps *m, char *err);
/* Make copy (from xrt_maps_obj_open) run on the loaded object's maps, by
 * fd rather than by pin: before a staged load's commit the pins are the
 * running generation's. The inner devmap stays the copy's own (unused,
 * bpf/maps.h). */
int xrt_maps_obj_share(const struct xrt_maps *m, struct bpf_object *copy, char *err);
/* Open the maps pinned under <bpffs>/tc/globals by whoever loaded first (for
 * readers such as tools; prog_fd stays -1, so attach is refused). */
int xrt_maps_open_pinned(struct xrt_maps *m, const char *bpffs, char *err);
/* Close what load or open_pinned opened (any part of it); the pins stay. */
void xrt_maps_close(struct xrt_maps *m);

/* Returns once no XDP program still runs with what the maps held before
 * the call (an RCU grace period). */
void xrt_maps_synchronize(void);

#endif
