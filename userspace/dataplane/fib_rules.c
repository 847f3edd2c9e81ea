/* xrt: the policy rules' writer: two banks of xrt_fib_rules flipped by one store in xrt_fr_cfg (as dataplane/acl.c). */
#include "dataplane/fib_rules.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "dataplane/cls.h"
#include "dataplane/loader.h"
#include "dataplane/feat.h"

/* A rule's selectors for the classifier (xrt_fib_rule_match's fields). An
 * output interface never matches forwarded traffic (its lookup's oif is
 * 0), so an oif rule is in no packet's answer. */
static void fr_cls_rule(const struct xrt_fib_rule *r, struct xrt_cls_rule *c)
{
	*c = (struct xrt_cls_rule){ .ifindex = r->iif, .v4 = r->family == XRT_AF_INET,
				    .has_proto = (r->flags & XRT_FR_F_PROTO) != 0,
				    .proto = r->proto, .sport_lo = r->sport_lo,
				    .sport_hi = r->sport_hi, .dport_lo = r->dport_lo,
				    .dport_hi = r->dport_hi, .never = r->oif != 0 };
	memcpy(c->src, r->src, 16);
	memcpy(c->smask, r->smask, 16);
	memcpy(c->dst, r->dst, 16);
	memcpy(c->dmask, r->dmask, 16);
	c->fields = (r->flags & XRT_FR_F_SPORT ? XRT_CLS_F_SPORT : 0) |
		    (r->flags & XRT_FR_F_DPORT ? XRT_CLS_F_DPORT : 0);
}

int xrt_maps_fib_rules_set(struct xrt_maps *m, const struct xrt_fib_rule *v, unsigned n,
			   char *err)
{
	uint32_t bank = m->fib_rules_active ^ 1, key, cnt = n, act;
	struct xrt_cls_rule *c;
	int rc;

	if (n > XRT_FIB_RULES_MAX)
		return xrt_fail(err, -ENOSPC, "rule: at most %u rules", XRT_FIB_RULES_MAX);
	if (m->fib_rules < 0 || m->fib_rules_cfg < 0)
		return xrt_fail(err, -ENODEV, "%s: not loaded", XRT_MAP_FIB_RULES);
	if (!(c = calloc(n ? n : 1, sizeof(*c))))
		return xrt_fail(err, -ENOMEM, "rule: out of memory");
	for (unsigned i = 0; i < n; i++) {
		key = bank * XRT_FIB_RULES_MAX + i;
		if (bpf_map_update_elem(m->fib_rules, &key, &v[i], BPF_ANY)) {
			rc = xrt_fail(err, -errno, "%s: %u: %s", XRT_MAP_FIB_RULES, key,
				      strerror(errno));
			free(c);
			return rc;
		}
		fr_cls_rule(&v[i], &c[i]);
	}
	rc = xrt_cls_build(m, XRT_CLS_CTX(XRT_CLS_FIB_RULES, bank), c, n, err);
	free(c);
	if (rc)
		return rc;
	if (bpf_map_update_elem(m->fib_rules_cfg, &bank, &cnt, BPF_ANY))
		return xrt_fail(err, -errno, "%s: bank %u: %s", XRT_MAP_FIB_RULES_CFG, bank,
				strerror(errno));
	/* The walk is on before the flip that gives it rules (dataplane/feat.h). */
	rc = xrt_maps_feat_sync(m, n ? XRT_FEAT_OFF_FIB_RULES : 0, err);
	if (rc)
		return rc;
	key = XRT_FR_CFG_ACTIVE;
	act = bank | (n ? XRT_FR_ACT_RULES : 0);
	if (bpf_map_update_elem(m->fib_rules_cfg, &key, &act, BPF_ANY))
		return xrt_fail(err, -errno, "%s: active: %s", XRT_MAP_FIB_RULES_CFG,
				strerror(errno));
	m->fib_rules_active = bank;
	xrt_maps_synchronize();
	return xrt_maps_feat_sync(m, 0, err);
}
