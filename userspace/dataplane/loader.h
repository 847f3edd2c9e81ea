/* xrt: bpffs, loading the XDP object with its maps pinned by name, opening the pins alone. */
#ifndef XRT_DATAPLANE_LOADER_H
#define XRT_DATAPLANE_LOADER_H

#include "dataplane/maps.h"

/* Open obj_path with its maps pinned by name under <bpffs>/tc/globals
 * (mounting bpffs at <bpffs> if needed), reusing pins that already exist.
 * The FIB starts empty: routes a previous writer left are removed. */
int xrt_maps_load(struct xrt_maps *m, const char *obj_path, const char *bpffs,
		  char *err);
/* Open the maps pinned under <bpffs>/tc/globals by whoever loaded first (for
 * readers such as tools; prog_fd stays -1, so attach is refused). */
int xrt_maps_open_pinned(struct xrt_maps *m, const char *bpffs, char *err);
/* Close what load or open_pinned opened (any part of it); the pins stay. */
void xrt_maps_close(struct xrt_maps *m);

#endif
