/* xrt: attaching the loaded XDP program to interfaces through libxdp, and asking what runs on one. */
#ifndef XRT_DATAPLANE_XDP_H
#define XRT_DATAPLANE_XDP_H

#include <stdbool.h>
#include <stdint.h>
#include "dataplane/maps.h"

/* Where the program runs: the driver's hook (native, XDP_FLAGS_DRV_MODE)
 * or the kernel's generic hook after the skb is built (XDP_FLAGS_SKB_MODE,
 * do_xdp_generic), for drivers without ndo_bpf. */
enum xrt_xdp_mode {
	XRT_XDP_NATIVE = 0,
	XRT_XDP_GENERIC = 1,
};
const char *xrt_xdp_mode_name(enum xrt_xdp_mode mode);
/* "native" or "generic"; -EINVAL otherwise. */
int xrt_xdp_mode_parse(const char *word, enum xrt_xdp_mode *mode);

/*
 * xrt's run priority in a libxdp dispatcher (xdp_program__set_run_prio):
 * the dispatcher runs its programs in ascending priority (libxdp's
 * cmp_xdp_programs; the default is XDP_DEFAULT_RUN_PRIO, 50), so programs
 * with a lower number (filters, samplers) see every frame before xrt.
 * xrt chain-calls on XDP_PASS only (libxdp's default chain_call_actions):
 * a program after it sees only the frames xrt passed to the kernel.
 */
#define XRT_XDP_RUN_PRIO 60

/* What runs on an interface. */
struct xrt_xdp_info {
	uint32_t prog_id;     /* the program on the hook (a dispatcher's own id) */
	char prog_name[16];   /* BPF_OBJ_NAME_LEN */
	enum xrt_xdp_mode mode;
	bool dispatcher;      /* a libxdp dispatcher (xdp_multiprog, not legacy) */
	unsigned nprogs;      /* programs in the dispatcher */
	uint32_t ours_id;     /* our program (uses our xrt_fib6_dp), 0 if none */
	char ours_name[16];   /* its name ("xrt_fwd") */
};

/* Attach our program on an interface through libxdp (xdp_program__attach):
 * a dispatcher already there is joined at XRT_XDP_RUN_PRIO; without one,
 * libxdp makes one where the kernel can (BPF_PROG_TYPE_EXT) and otherwise
 * falls back to attaching the program alone. -EOPNOTSUPP: the driver has no
 * native XDP; -EBUSY: another program that is not a dispatcher runs there
 * (err names it). */
int xrt_maps_attach(struct xrt_maps *m, int ifindex, enum xrt_xdp_mode mode, char *err);
/* Detach our program (xdp_program__detach): alone, the hook is emptied; in
 * a dispatcher, the others keep running. */
int xrt_maps_detach(struct xrt_maps *m, int ifindex, char *err);
/* What runs on ifindex; 0, or -errno when the kernel cannot say. */
int xrt_maps_xdp_info(struct xrt_maps *m, int ifindex, struct xrt_xdp_info *info);
/* Which XDP program runs on ifindex: 0 none, 1 one of ours (it uses our
 * xrt_fib6_dp: our object, or `ip link ... xdp obj` on the same pins),
 * alone or in a dispatcher; -EBUSY someone else's. *prog_id is set
 * whenever one runs (ours when ours runs). */
int xrt_maps_xdp_query(struct xrt_maps *m, int ifindex, uint32_t *prog_id);

/* Attach a fresh copy of the loaded object's program, on the same maps,
 * through libxdp (what xrt_maps_attach does once its checks pass): -errno
 * with err when the copy cannot be made, else 0 with libxdp's answer in
 * *attach_rc. */
int xrt_xdp_attach_copy(struct xrt_maps *m, int ifindex, enum xrt_xdp_mode mode, int *attach_rc,
			char *err);
/* Does program prog_id use map map_id (0: no)? */
bool xrt_xdp_prog_uses_map(uint32_t prog_id, uint32_t map_id);

#endif
