/* xrt fast path: the pinned maps of include/xrt/maps.h, declared for BPF. */
#ifndef XRT_BPF_MAPS_H
#define XRT_BPF_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xrt/maps.h"

/*
 * Every map is pinned by name (LIBBPF_PIN_BY_NAME) so that the daemon
 * (pin_root_path = <bpffs>/tc/globals) and `ip link ... xdp obj` (which pins
 * in $TC_BPF_MNT/tc/globals) reuse one set. The variable names are the
 * XRT_MAP_* strings: libbpf pins a map under its variable name.
 */

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct xrt_fib6_key);
	__type(value, struct xrt_fib6_val);
	__uint(max_entries, XRT_MAX_ROUTES);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* LPM tries require it */
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xrt_fib6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct xrt_nh);
	__uint(max_entries, XRT_MAX_NEXTHOPS);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xrt_nh SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct xrt_nh_grp);
	__uint(max_entries, XRT_MAX_NH_GROUPS);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xrt_nh_grp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct xrt_neigh6_key);
	__type(value, struct xrt_neigh6_val);
	__uint(max_entries, XRT_MAX_NEIGH);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xrt_neigh6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct xrt_iface);
	__uint(max_entries, XRT_MAX_IFACES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xrt_ifaces SEC(".maps");

/*
 * No xrt_tx_ports devmap: the kernel adds BPF_F_RDONLY_PROG to every devmap
 * it creates, and libbpf 1.1 (Debian 12, also inside iproute2) then refuses
 * to reuse the pin ("parameter mismatch"), so the second loader - a second
 * `ip link ... xdp obj`, or xrtd after ip link - could never attach.
 * Forwarding uses bpf_redirect(ifindex), which since Linux 5.6 takes the
 * same bulked path as a devmap redirect; the egress must be in xrt_ifaces.
 */

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, XRT_MAX_XSKS);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xrt_xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct xrt_stats);
	__uint(max_entries, XRT_MAX_IFACES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xrt_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct xrt_punt_cfg);
	__uint(max_entries, XRT_PUNT_MAX);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xrt_punt_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct xrt_punt_tb);
	__uint(max_entries, XRT_PUNT_MAX);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xrt_punt_tb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct xrt_local6_key);
	__type(value, __u32);
	__uint(max_entries, XRT_MAX_LOCAL6);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xrt_local6 SEC(".maps");

#endif
