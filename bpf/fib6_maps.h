/* xrt fast path: the FIB trie's maps (include/xrt/maps.h), also declared alone by bench_lpm. */
#ifndef XRT_BPF_FIB6_MAPS_H
#define XRT_BPF_FIB6_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xrt/maps.h"

/* bench_lpm (tools/fpcost) declares them unpinned and points them at xrt's. */
#ifndef XRT_FIB6_PINNING
#define XRT_FIB6_PINNING LIBBPF_PIN_BY_NAME
#endif

/* The FIB trie (include/xrt/maps.h): mmapable, so that ip6_fib.c builds it
 * with plain stores and publishes each change with one 32-bit store. The
 * sizes are the starting ones: xrtd loads a copy of the program on larger
 * or smaller maps when the table outgrows them (dataplane/loader.c,
 * fib_resize), so the walk keeps its inlined array lookups. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct xrt_fib6_tbl);
	__uint(max_entries, XRT_FIB_TRIES);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(pinning, XRT_FIB6_PINNING);
} xrt_fib6_tbl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct xrt_fib6_dp);
	__uint(max_entries, XRT_FIB6_SLOTS_MIN);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(pinning, XRT_FIB6_PINNING);
} xrt_fib6_dp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct xrt_fib6_node);
	__uint(max_entries, XRT_FIB6_NODES_MIN);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(pinning, XRT_FIB6_PINNING);
} xrt_fib6_node SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct xrt_fib6_rec);
	__uint(max_entries, XRT_FIB6_RECS_MIN);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(pinning, XRT_FIB6_PINNING);
} xrt_fib6_rec SEC(".maps");

#endif
