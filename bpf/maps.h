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

#include "fib6_maps.h"

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
	/* Elements allocated as entries come (htab_map_alloc without
	 * prealloc_init): an idle router pays for none, and a lookup costs
	 * the same (tools/fpcost lookup_neigh_ns). Userspace is the only
	 * writer, so allocation never runs per packet. */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xrt_neigh6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct xrt_iface);
	__uint(max_entries, XRT_MAX_IFACES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xrt_ifaces SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct xrt_iface);
	__uint(max_entries, XRT_IFINDEX_DIRECT);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xrt_ifaces_dir SEC(".maps");

/* An attached interface by ifindex, or NULL. */
static __always_inline const struct xrt_iface *xrt_iface_get(__u32 ifindex)
{
	const struct xrt_iface *v;

	if (ifindex < XRT_IFINDEX_DIRECT) {
		v = bpf_map_lookup_elem(&xrt_ifaces_dir, &ifindex);
		return v && v->slot ? v : NULL;
	}
	return bpf_map_lookup_elem(&xrt_ifaces, &ifindex);
}

/*
 * xrt_tx_ports: the DEVMAP_HASH the fast path transmits through
 * (ip6_finish_output2.h), ifindex -> {ifindex}, filled by bpfmaps.c for every interface in
 * xrt_ifaces. It is reached through xrt_tx_outer, a pinned one-slot
 * ARRAY_OF_MAPS, and is never pinned itself, because a pinned devmap cannot
 * be shared by Debian 12's loaders:
 * - the kernel ORs BPF_F_RDONLY_PROG into every devmap's flags at creation
 *   (kernel/bpf/devmap.c dev_map_alloc_check) but refuses it from userspace
 *   (not in DEV_CREATE_FLAG_MASK: EINVAL);
 * - libbpf 1.1 (also the one iproute2 6.1 links) reuses a pin only if its
 *   flags equal the declared ones (libbpf.c map_is_reuse_compat).
 * So a declaration with flags 0 can be created but never reused, one with
 * BPF_F_RDONLY_PROG reused but never created, and `ip link ... xdp obj` must
 * do both. The outer map has no such quirk: whoever loads first creates it
 * with this object's xrt_tx_ports in slot 0; later loaders reuse the pin
 * (their own, unused xrt_tx_ports instance is freed with their object).
 */
struct xrt_tx_ports_def {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
	__uint(max_entries, XRT_MAX_TX_PORTS);
};
struct xrt_tx_ports_def xrt_tx_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__type(key, __u32);
	__uint(max_entries, 1);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct xrt_tx_ports_def);
} xrt_tx_outer SEC(".maps") = { .values = { [0] = &xrt_tx_ports } };

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
	__uint(map_flags, BPF_F_NO_PREALLOC); /* as xrt_neigh6 */
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xrt_local6 SEC(".maps");

/* The set's stamp (include/xrt/maps.h): never read by the program. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct xrt_map_stamp);
	__uint(max_entries, XRT_STAMP_MAX);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xrt_stamp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct xrt_tcp_estab_key);
	__type(value, __u32);
	__uint(max_entries, XRT_MAX_TCP_ESTAB);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* as xrt_neigh6 */
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xrt_tcp_estab SEC(".maps");
/* The ACL (include/xrt/acl.h): two banks of rules, their counts and the
 * active bank, per-rule counters. */
#include "xrt/acl.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct xrt_acl_rule);
	__uint(max_entries, XRT_ACL_BANKS * XRT_ACL_MAX);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xrt_acl_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct xrt_acl_cfg);
	__uint(max_entries, XRT_ACL_BANKS + 1);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xrt_acl_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct xrt_acl_cnt);
	__uint(max_entries, XRT_ACL_MAX);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xrt_acl_cnt SEC(".maps");

/* Policy routing rules (include/xrt/fib_rules.h): two banks in priority
 * order and their counts plus the active bank. */
#include "xrt/fib_rules.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct xrt_fib_rule);
	__uint(max_entries, XRT_FR_BANKS * XRT_FIB_RULES_MAX);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xrt_fib_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, XRT_FR_BANKS + 1);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xrt_fr_cfg SEC(".maps");

/* The classifier of the ACL and the policy rules (include/xrt/cls.h). */
#include "xrt/cls.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct xrt_cls_hdr);
	__uint(max_entries, XRT_CLS_CTXS);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xrt_cls_hdr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct xrt_cls_bits);
	__uint(max_entries, XRT_CLS_CTXS * XRT_CLS_SLOTS);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xrt_cls_bits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct xrt_cls_addr_key);
	__type(value, struct xrt_cls_bits);
	__uint(max_entries, XRT_CLS_ADDR_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xrt_cls_addr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct xrt_cls_ifx_key);
	__type(value, struct xrt_cls_bits);
	__uint(max_entries, XRT_CLS_IFX_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} xrt_cls_ifx SEC(".maps");

#endif
