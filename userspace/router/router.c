/* xrt: the daemon's control-plane state: its start and stop, and the RIB's programming through dataplane/. */
#include "router/router.h"
#include "dataplane/acl.h"
#include "dataplane/loader.h"
#include "dataplane/xdp.h"
#include "kernel/netlink.h"
#include "router/punt.h"
#include "router/rules.h"
#include "stack/ndisc_ra.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>

/* ---- the RIB programs the fast path through dataplane/maps.c only ---- */

static int ops_route_set(void *ctx, uint32_t table, const uint8_t addr[16],
			 unsigned plen, const struct xrt_fib6_val *v, char *err)
{
	return xrt_maps_route_set(&((struct xrt_router *)ctx)->maps, table, addr, plen, v,
				  err);
}
static int ops_route_del(void *ctx, uint32_t table, const uint8_t addr[16],
			 unsigned plen, char *err)
{
	return xrt_maps_route_del(&((struct xrt_router *)ctx)->maps, table, addr, plen, err);
}
static int ops_route_src_set(void *ctx, uint32_t table, const uint8_t addr[16],
			     unsigned plen, const uint8_t src[16], unsigned splen,
			     const struct xrt_fib6_val *v, char *err)
{
	return xrt_maps_route_src_set(&((struct xrt_router *)ctx)->maps, table, addr, plen,
				      src, splen, v, err);
}
static int ops_route_src_del(void *ctx, uint32_t table, const uint8_t addr[16],
			     unsigned plen, const uint8_t src[16], unsigned splen, char *err)
{
	return xrt_maps_route_src_del(&((struct xrt_router *)ctx)->maps, table, addr, plen,
				      src, splen, err);
}
static int ops_route_src_pass(void *ctx, uint32_t table, const uint8_t addr[16],
			      unsigned plen, bool on, char *err)
{
	return xrt_maps_route_src_pass(&((struct xrt_router *)ctx)->maps, table, addr, plen, on,
				       err);
}
static int ops_nh_set(void *ctx, uint32_t id, const struct xrt_nh *v, char *err)
{
	return xrt_maps_nh_set(&((struct xrt_router *)ctx)->maps, id, v, err);
}
static int ops_nh_del(void *ctx, uint32_t id, char *err)
{
	return xrt_maps_nh_del(&((struct xrt_router *)ctx)->maps, id, err);
}
static int ops_grp_set(void *ctx, uint32_t id, const uint32_t *nh_ids,
		       const uint32_t *weights, unsigned n, char *err)
{
	return xrt_maps_grp_set(&((struct xrt_router *)ctx)->maps, id, nh_ids, weights, n,
				err);
}
static int ops_grp_del(void *ctx, uint32_t id, char *err)
{
	return xrt_maps_grp_del(&((struct xrt_router *)ctx)->maps, id, err);
}
static uint32_t ops_link_mtu(void *ctx, int ifindex)
{
	struct xrt_link *l = router_link_by_ifindex(ctx, ifindex);
	return l ? l->dev.mtu : 0;
}

/*
 * Pinned maps outlive the daemon. A new daemon owns the RIB from scratch, so
 * entries a previous run left (interfaces, neighbours, sockets, acl rules; routes went
 * when xrt_maps_load started the FIB) are removed; next-hop arrays are overwritten as ids are reused.
 */
static void clear_leftovers(struct xrt_router *r)
{
	/* Routes: xrt_maps_load started the FIB empty already. Best effort:
	 * what cannot be removed is overwritten as the new RIB reuses it. */
	xrt_maps_iface_flush(&r->maps, NULL);
	xrt_maps_neigh_flush(&r->maps, 0, NULL);
	xrt_maps_xsk_flush(&r->maps, NULL);
	xrt_maps_local6_flush(&r->maps, NULL);
	xrt_acl_reset(&r->maps, NULL);
}

static void ops_route_event(void *ctx, const struct rib_route *rt, bool deleted)
{
	router_event(ctx, &(struct router_ev){ .kind = ROUTER_EV_ROUTE, .deleted = deleted,
					       .route = rt });
}

int router_init(struct xrt_router *r, const char *obj, const char *bpffs, char *err)
{
	memset(r, 0, sizeof(*r));
	/* Beside the running generation: xrtd commits once configured. */
	int rc = xrt_maps_stage(&r->maps, obj, bpffs, err);
	if (rc)
		return rc;
	struct rib_ops ops = {
		.ctx = r, .route_set = ops_route_set, .route_del = ops_route_del,
		.route_src_set = ops_route_src_set, .route_src_del = ops_route_src_del,
		.route_src_pass = ops_route_src_pass,
		.nh_set = ops_nh_set, .nh_del = ops_nh_del, .grp_set = ops_grp_set,
		.grp_del = ops_grp_del, .link_mtu = ops_link_mtu, .route_event = ops_route_event,
	};
	r->rib = rib_new(&ops);
	if (!r->rib) {
		rc = xrt_fail(err, -ENOMEM, "out of memory");
		goto fail_maps;
	}
	clear_leftovers(r);
	/* Every reason gets its budget before any link is attached: without
	 * one a reason is unlimited and a flood reaches the daemon whole. */
	rc = punt_defaults_program(r, err);
	if (rc)
		goto fail_rib;
	/* The kernel's default rules; a previous run's list in the pinned
	 * maps goes with the first publish. */
	fib_rules_init(&r->rules, r->rib);
	rc = router_rules_publish(r, err);
	if (rc)
		goto fail_rib;
	return 0;

fail_rib:
	rib_free(r->rib);
	r->rib = NULL;
fail_maps:
	xrt_maps_close(&r->maps);
	return rc;
}

/*
 * Shutdown detaches the programs we attached and closes our sockets, but
 * leaves the maps as they are: an interface attached by `ip link` keeps
 * forwarding with the last programmed routes and neighbours, and what it
 * would punt falls back to the kernel (no socket bound), so the router
 * degrades instead of blackholing. The next xrtd starts from a clean slate.
 */
void router_fini(struct xrt_router *r)
{
	char err[XRT_ERR_LEN];
	nl_mirror_stop(r, false);
	for (unsigned s = 1; s < XRT_MAX_IFACES; s++) {
		struct xrt_link *l = r->links[s];
		if (!l)
			continue;
		/* RFC 4861 6.2.5: hosts stop routing through us (final RA),
		 * unless the next xrtd takes over at once. */
		struct stack_ra_config ra_off = { .enabled = false }, ra_was;
		stack_ra_get(l->dev.ifindex, &ra_was);
		if (ra_was.enabled && !r->keep_xdp)
			stack_ra_set(l->dev.ifindex, &ra_off, err);
		link_release(r, l);
		if (l->xdp_ours && !r->keep_xdp && xrt_maps_detach(&r->maps, l->dev.ifindex, err))
			fprintf(stderr, "xrtd: %s: %s\n", l->dev.name, err);
		free(l);
		r->links[s] = NULL;
	}
	rib_free(r->rib);
	r->rib = NULL;
	free(r->config_neighs);
	r->config_neighs = NULL;
	r->nconfig_neighs = 0;
	xrt_maps_close(&r->maps);
}

struct xrt_link *router_link_by_name(struct xrt_router *r, const char *name)
{
	for (unsigned s = 1; s < XRT_MAX_IFACES; s++)
		if (r->links[s] && !strcmp(r->links[s]->dev.name, name))
			return r->links[s];
	return NULL;
}

struct xrt_link *router_link_by_ifindex(struct xrt_router *r, int ifindex)
{
	for (unsigned s = 1; s < XRT_MAX_IFACES; s++)
		if (r->links[s] && r->links[s]->dev.ifindex == ifindex)
			return r->links[s];
	return NULL;
}

struct xrt_link *router_link_need(struct xrt_router *r, const char *name, char *err)
{
	struct xrt_link *l = router_link_by_name(r, name);
	if (l)
		return l;
	if (if_nametoindex(name))
		xrt_err(err, "interface \"%s\" is not attached (xrt link attach dev %s)", name,
			name);
	else
		xrt_err(err, "unknown interface \"%s\"", name);
	return NULL;
}
