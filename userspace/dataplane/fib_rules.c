/* xrt: the policy rules' writer: two banks of xrt_fib_rules flipped by one store in xrt_fr_cfg (as dataplane/acl.c). */
#include "dataplane/fib_rules.h"

#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>

#include "dataplane/loader.h"
#include "dataplane/feat.h"

int xrt_maps_fib_rules_set(struct xrt_maps *m, const struct xrt_fib_rule *v, unsigned n,
			   char *err)
{
	uint32_t bank = m->fib_rules_active ^ 1, key, cnt = n;

	if (n > XRT_FIB_RULES_MAX)
		return xrt_fail(err, -ENOSPC, "rule: at most %u rules", XRT_FIB_RULES_MAX);
	if (m->fib_rules < 0 || m->fib_rules_cfg < 0)
		return xrt_fail(err, -ENODEV, "%s: not loaded", XRT_MAP_FIB_RULES);
	for (unsigned i = 0; i < n; i++) {
		key = bank * XRT_FIB_RULES_MAX + i;
		if (bpf_map_update_elem(m->fib_rules, &key, &v[i], BPF_ANY))
			return xrt_fail(err, -errno, "%s: %u: %s", XRT_MAP_FIB_RULES, key,
					strerror(errno));
	}
	if (bpf_map_update_elem(m->fib_rules_cfg, &bank, &cnt, BPF_ANY))
		return xrt_fail(err, -errno, "%s: bank %u: %s", XRT_MAP_FIB_RULES_CFG, bank,
				strerror(errno));
	/* The walk is on before the flip that gives it rules (dataplane/feat.h). */
	int rc = xrt_maps_feat_sync(m, n ? XRT_FEAT_OFF_FIB_RULES : 0, err);
	if (rc)
		return rc;
	key = XRT_FR_CFG_ACTIVE;
	if (bpf_map_update_elem(m->fib_rules_cfg, &key, &bank, BPF_ANY))
		return xrt_fail(err, -errno, "%s: active: %s", XRT_MAP_FIB_RULES_CFG,
				strerror(errno));
	m->fib_rules_active = bank;
	xrt_maps_synchronize();
	return xrt_maps_feat_sync(m, 0, err);
}
