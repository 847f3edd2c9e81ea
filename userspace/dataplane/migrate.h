/* xrt: replacing a pinned set of maps and the programs on them with a new object's, without a forwarding gap. */
#ifndef XRT_DATAPLANE_MIGRATE_H
#define XRT_DATAPLANE_MIGRATE_H

#include <stdbool.h>
#include <stdint.h>
#include "dataplane/maps.h"

/*
 * A daemon's start (xrt_maps_stage, dataplane/loader.h) loads its object on
 * maps of its own, unpinned, while the set pinned by the previous run (the
 * running generation) keeps serving the programs attached to interfaces.
 * The daemon rebuilds its state in the new maps (configuration, links,
 * routes, neighbours), then xrt_maps_commit swaps the program on every
 * interface that runs the running generation's, carries the counters over,
 * and pins the new maps in place of the old. Until the commit nothing the
 * running generation uses is touched, so a failure (an object the kernel
 * refuses, a configuration error) leaves it forwarding as it was.
 */

/* Before the load: open the set pinned in m->pin_dir. 1: a set is pinned
 * (the load is staged), 0: none (the new maps are pinned at once). */
int xrt_migrate_open(struct xrt_maps *m, char *err);
/* Before the load: note which maps of obj are to be pinned and by what
 * name, and keep libbpf from touching the pins (the running generation's)
 * while it loads. */
struct bpf_object;
int xrt_migrate_take_pins(struct xrt_maps *m, struct bpf_object *obj, char *err);
/* After the load: refuse maps whose key or value this build cannot read,
 * stamp the new set (include/xrt/maps.h, xrt_stamp) and, without a running
 * generation, pin it. */
int xrt_migrate_prepare(struct xrt_maps *m, char *err);
/* Swap, carry, pin (see above). 0 at once when nothing was pinned before.
 * On failure every interface runs the running generation's program again
 * and its pins are kept; err says which step and which interface. */
int xrt_maps_commit(struct xrt_maps *m, char *err);
/* Is the load staged (a running generation not yet replaced)? */
bool xrt_maps_staged(const struct xrt_maps *m);
/* The map id of the running generation's xrt_fib6_dp (0: none): its
 * programs are the ones the commit replaces. */
uint32_t xrt_migrate_prev_fib_id(const struct xrt_maps *m);
/* What the last prepare and commit did, one line per fact ("" if nothing). */
const char *xrt_migrate_report(const struct xrt_maps *m);
void xrt_migrate_free(struct xrt_maps *m);

/* A FIB resize (dataplane/loader.c): m already holds the new object and
 * program. Swap it in on every interface that runs a program using map
 * from_fib_id (as the commit does); on failure every interface runs that
 * program again. */
int xrt_migrate_swap(struct xrt_maps *m, uint32_t from_fib_id, char *err);
/* Then the set's bookkeeping follows m->obj (which pins which map, the
 * stamp's sizes); old_obj is the object it replaced, still open. */
void xrt_migrate_moved(struct xrt_maps *m, struct bpf_object *old_obj);

#endif
