/* xrt: policy rules in the daemon: the list (rib/fib_rules.h) and what the fast path walks, kept in step. */
#ifndef XRT_ROUTER_RULES_H
#define XRT_ROUTER_RULES_H

#include "router/router.h"

/* Compile the list (tables as slots) into the fast path's bank. */
int router_rules_publish(struct xrt_router *r, char *err);
/* A rule's device name as its index: 0 for none, UINT32_MAX while no such
 * device exists (the rule then matches nothing). */
uint32_t router_rule_ifindex(const char *name);
/* A device appeared, went or was renamed: the rules naming one follow it
 * (fib_rules_event on NETDEV_REGISTER / UNREGISTER / CHANGENAME). */
void router_rules_links_changed(struct xrt_router *r);
/* The list changes, then the fast path; if the fast path refuses, the
 * list goes back as it was. */
int router_rule_add(struct xrt_router *r, struct fib_rule *nr, bool has_prio, char *err);
int router_rule_del(struct xrt_router *r, const struct fib_rule *t, unsigned mask, char *err);
int router_rules_flush(struct xrt_router *r, int family, char *err);
/* Configuration reload: mark the file's rules stale (or clear the marks
 * after a failed reload); a rule the file names again is unmarked by
 * router_rule_add; sweep deletes what stayed stale. */
void router_rules_config_mark(struct xrt_router *r, bool stale);
int router_rules_config_sweep(struct xrt_router *r, char *err);
/* The route for the flow in key as the fast path's rules give it, with
 * the rule's action type in *type (fib_rules_lookup). */
const struct rib_route *router_rules_lookup(const struct xrt_router *r,
					    const struct xrt_acl_key *key, int *type,
					    const struct fib_rule **rule);

#endif
