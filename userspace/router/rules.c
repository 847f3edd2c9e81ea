/* xrt: policy rules in the daemon: list changes (rib/fib_rules.c) published to the fast path (dataplane/fib_rules.c), undone if it refuses. */
#include "router/rules.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>

#include "dataplane/fib_rules.h"

/* An interface name as an index; a name with no interface never matches
 * (the kernel's rule keeps the name, iifindex -1: iproute2's [detached]). */
uint32_t router_rule_ifindex(const char *name)
{
	unsigned i;

	if (!name[0])
		return 0;
	i = if_nametoindex(name);
	return i ? i : UINT32_MAX;
}

/* fib_rules_event's attach_rules / detach_rules: every rule's iif and oif
 * names resolved again (a device created, deleted or renamed). True if
 * an index changed. */
static bool rules_resolve(struct xrt_router *r)
{
	bool changed = false;

	for (unsigned i = 0; i < r->rules.n; i++) {
		struct fib_rule *f = &r->rules.v[i];
		uint32_t iif = router_rule_ifindex(f->iif), oif = router_rule_ifindex(f->oif);

		changed |= iif != f->r.iif || oif != f->r.oif;
		f->r.iif = iif;
		f->r.oif = oif;
	}
	return changed;
}

void router_rules_links_changed(struct xrt_router *r)
{
	char err[XRT_ERR_LEN];

	if (rules_resolve(r) && router_rules_publish(r, err))
		fprintf(stderr, "xrtd: rules: %s\n", err);
}

int router_rules_publish(struct xrt_router *r, char *err)
{
	struct xrt_fib_rule *v = malloc(XRT_FIB_RULES_MAX * sizeof(*v));
	int rc;

	if (!v)
		return xrt_fail(err, -ENOMEM, "rule: out of memory");
	rc = xrt_maps_fib_rules_set(&r->maps, v, fib_rules_compile(&r->rules, r->rib, v), err);
	free(v);
	return rc;
}

#define RULE_M_ALL (FIB_RULE_M_PRIO | FIB_RULE_M_TABLE | FIB_RULE_M_ACTION)

int router_rule_add(struct xrt_router *r, struct fib_rule *nr, bool has_prio, char *err)
{
	if (r->reloading && nr->origin == RIB_ORIGIN_CONFIG) {
		/* The file names it again: it stays, whatever priority an
		 * auto-priority rule took then (router_rules_config_sweep). */
		int i = fib_rule_find(&r->rules, nr,
				      FIB_RULE_M_TABLE | FIB_RULE_M_ACTION |
					      (has_prio ? FIB_RULE_M_PRIO : 0),
				      NULL);
		if (i >= 0 && r->rules.v[i].origin == RIB_ORIGIN_CONFIG) {
			r->rules.v[i].stale = false;
			return 0;
		}
	}
	int rc = fib_nl_newrule(&r->rules, r->rib, nr, has_prio, err);
	if (rc)
		return rc;
	rc = router_rules_publish(r, err);
	if (rc) {
		fib_nl_delrule(&r->rules, r->rib, nr, RULE_M_ALL, NULL);
		return rc;
	}
	router_event(r, &(struct router_ev){ .kind = ROUTER_EV_RULE, .rule = nr });
	return 0;
}

int router_rule_del(struct xrt_router *r, const struct fib_rule *t, unsigned mask, char *err)
{
	struct fib_rule gone;
	int rc = fib_rule_find(&r->rules, t, mask, &gone);
	if (rc < 0)
		return xrt_fail(err, rc, "No such file or directory");
	rc = fib_nl_delrule(&r->rules, r->rib, t, mask, err);
	if (rc)
		return rc;
	rc = router_rules_publish(r, err);
	if (rc) {
		fib_nl_newrule(&r->rules, r->rib, &gone, true, NULL);
		return rc;
	}
	router_event(r, &(struct router_ev){ .kind = ROUTER_EV_RULE, .deleted = true, .rule = &gone });
	return 0;
}

int router_rules_flush(struct xrt_router *r, int family, char *err)
{
	int rc = 0;
	/* One rule at a time, so each is announced (fib_rules' flush sends
	 * an RTM_DELRULE per rule). */
	for (unsigned i = r->rules.n; i-- > 0 && !rc;) {
		struct fib_rule f = r->rules.v[i];
		if (f.prio != 0 && (!family || (f.r.family == XRT_AF_INET) == (family == AF_INET)))
			rc = router_rule_del(r, &f, RULE_M_ALL, err);
	}
	return rc;
}

void router_rules_config_mark(struct xrt_router *r, bool stale)
{
	for (unsigned i = 0; i < r->rules.n; i++)
		r->rules.v[i].stale = stale && r->rules.v[i].origin == RIB_ORIGIN_CONFIG;
}

int router_rules_config_sweep(struct xrt_router *r, char *err)
{
	int rc = 0;
	for (unsigned i = r->rules.n; i-- > 0 && !rc;)
		if (r->rules.v[i].stale) {
			struct fib_rule f = r->rules.v[i];
			rc = router_rule_del(r, &f, RULE_M_ALL, err);
		}
	return rc;
}

const struct rib_route *router_rules_lookup(const struct xrt_router *r,
					    const struct xrt_acl_key *key, int *type,
					    const struct fib_rule **rule)
{
	const struct xrt_link *l = router_link_by_ifindex((struct xrt_router *)r, (int)key->ifindex);
	return fib_rules_lookup(&r->rules, r->rib, key, l ? l->dev.table : XRT_TABLE_MAIN, type,
				rule);
}
