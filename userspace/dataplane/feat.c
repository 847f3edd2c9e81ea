/* xrt: the writer of the fast path's static keys word (include/xrt/feat.h): nf_hooks_needed and fib_has_custom_rules for xrt's ACL and rules. */
#include "dataplane/feat.h"

#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xrt/acl.h"
#include "xrt/fib_rules.h"

/* The stages the active banks give nothing to do, as XRT_FEAT_OFF_* bits;
 * a map that cannot be read keeps its stage on. */
static uint32_t feat_idle(const struct xrt_maps *m)
{
	uint32_t off = 0, key, bank, n;
	struct xrt_acl_cfg act, cfg;

	key = XRT_ACL_CFG_ACTIVE;
	if (m->acl_cfg >= 0 && !bpf_map_lookup_elem(m->acl_cfg, &key, &act)) {
		bank = act.n_in & 1;
		if (!bpf_map_lookup_elem(m->acl_cfg, &bank, &cfg)) {
			if (!cfg.n_in)
				off |= XRT_FEAT_OFF_NF_PREROUTING;
			if (!cfg.n_out)
				off |= XRT_FEAT_OFF_NF_FORWARD;
		}
	}
	key = XRT_FR_CFG_ACTIVE;
	if (m->fib_rules_cfg >= 0 && !bpf_map_lookup_elem(m->fib_rules_cfg, &key, &bank)) {
		bank &= 1;
		if (!bpf_map_lookup_elem(m->fib_rules_cfg, &bank, &n) && !n)
			off |= XRT_FEAT_OFF_FIB_RULES;
	}
	return off;
}

int xrt_maps_feat_sync(struct xrt_maps *m, uint32_t need, char *err)
{
	struct xrt_feat f = { .off = feat_idle(m) & ~need };
	uint32_t key = 0;

	if (m->feat < 0)
		return 0;
	if (bpf_map_update_elem(m->feat, &key, &f, BPF_ANY))
		return xrt_fail(err, -errno, "%s: %s", XRT_MAP_FEAT, strerror(errno));
	return 0;
}

int xrt_feat_pin(struct bpf_object *obj, const char *pin_dir)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, XRT_FEAT_SECTION);
	char path[512];

	if (!map)
		return 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", pin_dir, XRT_MAP_FEAT) >= sizeof(path))
		return -ENAMETOOLONG;
	return bpf_map__set_pin_path(map, path);
}

uint32_t xrt_maps_feat_off(const struct xrt_maps *m)
{
	struct xrt_feat f = { 0 };
	uint32_t key = 0;

	if (m->feat < 0 || bpf_map_lookup_elem(m->feat, &key, &f))
		return 0;
	return f.off;
}
