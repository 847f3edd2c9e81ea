/* xrt: the writer of the fast path's static keys word (include/xrt/feat.h). */
#ifndef XRT_DATAPLANE_FEAT_H
#define XRT_DATAPLANE_FEAT_H

#include <stdint.h>
#include "dataplane/maps.h"
#include "xrt/feat.h"

/*
 * Rewrite xrt_feat from the ACL's and the rules' active banks (a stage is
 * off when its active list is empty), keeping on the XRT_FEAT_OFF_* bits in
 * need: a writer passes the bits of the list it is about to publish before
 * its flip (static_branch_inc before the hook is linked), and 0 after it
 * (static_branch_dec once it is gone). A set without xrt_feat (an older
 * object) has nothing to write: 0.
 */
int xrt_maps_feat_sync(struct xrt_maps *m, uint32_t need, char *err);

/* Before obj is loaded: pin its XRT_FEAT_SECTION as XRT_MAP_FEAT in
 * pin_dir, so every load of the object shares one word (0 or -errno; 0
 * for an object without it). */
struct bpf_object;
int xrt_feat_pin(struct bpf_object *obj, const char *pin_dir);

/* The word as the fast path reads it (0 without the map). */
uint32_t xrt_maps_feat_off(const struct xrt_maps *m);

#endif
