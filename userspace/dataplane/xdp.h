/* xrt: attaching the loaded XDP program to interfaces, and asking what runs on one. */
#ifndef XRT_DATAPLANE_XDP_H
#define XRT_DATAPLANE_XDP_H

#include <stdint.h>
#include "dataplane/maps.h"

/* Attach / detach the loaded program on an interface (native XDP mode). */
int xrt_maps_attach(struct xrt_maps *m, int ifindex, char *err);
int xrt_maps_detach(struct xrt_maps *m, int ifindex, char *err);
/* Which XDP program runs on ifindex: 0 none, 1 one of ours (it uses our
 * xrt_fib6_dp: our object, or `ip link ... xdp obj` on the same pins),
 * -EBUSY someone else's. *prog_id is set whenever one runs. */
int xrt_maps_xdp_query(struct xrt_maps *m, int ifindex, uint32_t *prog_id);

#endif
