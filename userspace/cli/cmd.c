/* xrt: the command dispatcher: link, addr, route, neigh, stats and config commands with text or JSON output. */
#include "cli/cmd.h"
#include "dataplane/ip6_fib.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <json-c/json.h>

#include "cli/cmd_parse.h"
#include "cli/cmd_stack.h"
#include "kernel/netlink.h"
#include "router/punt.h"
#include "xrt/multipath.h"
#include "xrt/proto.h"
#include "stack/neighbour.h"
#include "ctl/local_stats.h"
#include "stack/stack_stats.h"
#include "stack/sock.h"
#include "xsk/xsk_stats.h"

/* Syntax check of the configuration before the maps exist: stop once the
 * words parsed, before anything reads or changes state. */
#define CHECK_ONLY_DONE(r)             \
	do {                           \
		if ((r)->check_only)   \
			return 0;      \
	} while (0)

static bool is(const char *w, const char *full, size_t min)
{
	size_t n = strlen(w);
	return n >= min && n <= strlen(full) && !strncmp(w, full, n);
}

static const char *ntop(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

static void fmt_prefix(const struct in6_addr *a, unsigned plen, char *buf, size_t len)
{
	char b[INET6_ADDRSTRLEN];
	if (plen == 0)
		snprintf(buf, len, "default");
	else if (plen == 128)
		snprintf(buf, len, "%s", ntop(a, b));
	else
		snprintf(buf, len, "%s/%u", ntop(a, b), plen);
}

static void fmt_mac(const uint8_t *m, char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static const char *dev_name(struct xrt_router *r, int ifindex)
{
	struct xrt_link *l = router_link_by_ifindex(r, ifindex);
	return l ? l->dev.name : "?";
}

static void json_out(struct xrt_buf *out, json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	xrt_buf_add(out, s, strlen(s));
	xrt_buf_add(out, "\n", 1);
	json_object_put(o);
}

#define JADD(o, k, v) json_object_object_add(o, k, v)
#define JSTR(s) json_object_new_string(s)
#define JINT(i) json_object_new_int64((int64_t)(i))

/* ---------------- route ---------------- */

static int resolve_paths(struct xrt_router *r, const struct cmd_route *c,
			 struct rib_route_spec *s, char *err)
{
	s->npaths = c->nnh;
	for (unsigned i = 0; i < c->nnh; i++) {
		struct rib_path *p = &s->path[i];
		memset(p, 0, sizeof(*p));
		p->has_gw = c->nh[i].has_gw;
		p->gw = c->nh[i].gw;
		p->weight = c->nh[i].weight;
		if (c->nh[i].dev[0]) {
			struct xrt_link *l = router_link_need(r, c->nh[i].dev, err);
			if (!l)
				return -ENODEV;
			p->ifindex = l->dev.ifindex;
		}
	}
	return 0;
}

static const char *nud_name(uint16_t s)
{
	return neigh_state_name(s);
}

static void route_text(struct xrt_router *r, const struct rib_route *rt, struct xrt_buf *out)
{
	char p[INET6_ADDRSTRLEN + 8], g[INET6_ADDRSTRLEN], t[16];
	fmt_prefix(&rt->node->prefix, rt->node->plen, p, sizeof(p));
	if (rt->type != XRT_RTN_UNICAST)
		xrt_buf_printf(out, "%s ", rtn_name(rt->type));
	xrt_buf_printf(out, "%s", p);
	if (rt->nh) {
		if (!(rt->nh->flags & XRT_NH_F_CONNECTED))
			xrt_buf_printf(out, " via %s", ntop(&rt->nh->gw, g));
		xrt_buf_printf(out, " dev %s", dev_name(r, rt->nh->ifindex));
	}
	if (rt->node->table != XRT_TABLE_MAIN)
		xrt_buf_printf(out, " table %s", table_name(rt->node->table, t, sizeof(t)));
	xrt_buf_printf(out, " metric %u", rt->metric);
	if (rt->mtu)
		xrt_buf_printf(out, " mtu %u", rt->mtu);
	/* iproute2's words for a next hop whose device is down. */
	if (rt->nh && rt->nh->dead)
		xrt_buf_printf(out, " dead linkdown");
	xrt_buf_printf(out, "\n");
	if (rt->grp)
		for (unsigned i = 0; i < rt->grp->n; i++) {
			const struct rib_nh *h = rt->grp->nh[i];
			xrt_buf_printf(out, "\tnexthop");
			if (!(h->flags & XRT_NH_F_CONNECTED))
				xrt_buf_printf(out, " via %s", ntop(&h->gw, g));
			xrt_buf_printf(out, " dev %s weight %u%s\n", dev_name(r, h->ifindex),
				       rt->grp->weight[i], h->dead ? " dead linkdown" : "");
		}
}

static json_object *nh_json(struct xrt_router *r, const struct rib_nh *h)
{
	char g[INET6_ADDRSTRLEN];
	json_object *o = json_object_new_object();
	if (!(h->flags & XRT_NH_F_CONNECTED))
		JADD(o, "gateway", JSTR(ntop(&h->gw, g)));
	JADD(o, "dev", JSTR(dev_name(r, h->ifindex)));
	JADD(o, "nh_id", JINT(h->id));
	JADD(o, "mtu", JINT(h->mtu));
	JADD(o, "dead", json_object_new_boolean(h->dead));
	return o;
}

static json_object *route_json(struct xrt_router *r, const struct rib_route *rt)
{
	char p[INET6_ADDRSTRLEN + 8], t[16];
	json_object *o = json_object_new_object();
	fmt_prefix(&rt->node->prefix, rt->node->plen, p, sizeof(p));
	JADD(o, "type", JSTR(rtn_name(rt->type)));
	JADD(o, "dst", JSTR(p));
	if (rt->nh) {
		json_object *n = nh_json(r, rt->nh);
		json_object *v;
		if (json_object_object_get_ex(n, "gateway", &v))
			JADD(o, "gateway", json_object_get(v));
		JADD(o, "dev", JSTR(dev_name(r, rt->nh->ifindex)));
		JADD(o, "nh_id", JINT(rt->nh->id));
		JADD(o, "dead", json_object_new_boolean(rt->nh->dead));
		json_object_put(n);
	}
	JADD(o, "table", JSTR(table_name(rt->node->table, t, sizeof(t))));
	JADD(o, "metric", JINT(rt->metric));
	if (rt->mtu)
		JADD(o, "mtu", JINT(rt->mtu));
	if (rt->grp) {
		json_object *a = json_object_new_array();
		for (unsigned i = 0; i < rt->grp->n; i++) {
			json_object *n = nh_json(r, rt->grp->nh[i]);
			JADD(n, "weight", JINT(rt->grp->weight[i]));
			json_object_array_add(a, n);
		}
		JADD(o, "nh_group", JINT(rt->grp->id));
		JADD(o, "nexthops", a);
	}
	static const char *origins[] = { "static", "config", "kernel_addr", "kernel" };
	JADD(o, "protocol", JSTR(origins[rt->origin < 4 ? rt->origin : 0]));
	return o;
}

static int route_filter_match(const struct cmd_route *c, int dev_ifindex,
			      const struct rib_route *rt)
{
	if (!c->table_all && rt->node->table != c->table)
		return 0;
	if (c->has_type && rt->type != c->type)
		return 0;
	if (c->has_prefix && (rt->node->plen != c->plen ||
			      memcmp(&rt->node->prefix, &c->prefix, 16)))
		return 0;
	if (c->has_metric && rt->metric != c->metric)
		return 0;
	if (dev_ifindex) {
		bool on = rt->nh && rt->nh->ifindex == dev_ifindex;
		for (unsigned i = 0; rt->grp && i < rt->grp->n; i++)
			on |= rt->grp->nh[i]->ifindex == dev_ifindex;
		if (!on)
			return 0;
	}
	return 1;
}

static int route_show(struct xrt_router *r, const struct cmd_route *c, bool json,
		      struct xrt_buf *out, char *err)
{
	int dev = 0;
	if (c->nnh && c->nh[0].dev[0]) {
		struct xrt_link *l = router_link_need(r, c->nh[0].dev, err);
		if (!l)
			return -ENODEV;
		dev = l->dev.ifindex;
	}
	const struct rib_route **v;
	size_t n;
	if (rib_list(r->rib, &v, &n)) {
		ERR("out of memory");
		return -ENOMEM;
	}
	json_object *a = json ? json_object_new_array() : NULL;
	for (size_t i = 0; i < n; i++) {
		if (!route_filter_match(c, dev, v[i]))
			continue;
		if (json)
			json_object_array_add(a, route_json(r, v[i]));
		else
			route_text(r, v[i], out);
	}
	free(v);
	if (json)
		json_out(out, a);
	return 0;
}

/* The member the fast path takes for this flow: its hash over the group's
 * buckets as they are in the map (not a recomputation of the layout). */
static const struct rib_nh *route_get_member(struct xrt_router *r, const struct rib_route *rt,
					     const struct cmd_route *c)
{
	if (!rt->grp)
		return rt->nh;
	struct rt6_flow f = {
		.daddr = c->prefix, .flowlabel = c->flowlabel,
		.nexthdr = c->has_ipproto ? c->ipproto : NEXTHDR_ICMP,
		.sport = c->sport, .dport = c->dport,
	};
	if (c->has_from)
		f.saddr = c->from;
	f.has_ports = f.nexthdr == NEXTHDR_TCP || f.nexthdr == NEXTHDR_UDP;
	struct xrt_nh_grp g;
	uint32_t gid = rt->grp->id;
	if (bpf_map_lookup_elem(r->maps.nh_grp, &gid, &g) || !g.nbuckets ||
	    g.nbuckets > XRT_ECMP_BUCKETS)
		return NULL;
	uint32_t id = g.bucket[rt6_multipath_hash_flow(&f) % g.nbuckets];
	for (unsigned i = 0; i < rt->grp->n; i++)
		if (rt->grp->nh[i]->id == id)
			return rt->grp->nh[i];
	return NULL;
}

static int route_get(struct xrt_router *r, const struct cmd_route *c, bool json,
		     struct xrt_buf *out, char *err)
{
	char d[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN], t[16], mac[18];
	uint32_t table = c->table;
	const struct xrt_link *iif = NULL;
	if (c->iif[0]) {
		struct xrt_link *l = router_link_need(r, c->iif, err);
		if (!l)
			return -ENODEV;
		if (!c->has_table)
			table = l->dev.table;
		iif = l;
	}
	/* The fast path decides these before any route lookup (bpf/ip6_route_input.h). */
	const char *pre = NULL;
	if (IN6_IS_ADDR_MULTICAST(&c->prefix))
		pre = (c->prefix.s6_addr[1] & 0x0f) <= IP6_MC_SCOPE_LINK
			      ? "link-scoped multicast: delivered here (punt mcast_link)"
			      : "multicast beyond link scope: dropped (drop mcast)";
	else if (IN6_IS_ADDR_LINKLOCAL(&c->prefix))
		pre = "link-local: delivered here, never forwarded (punt local)";
	if (pre) {
		if (json)
			xrt_buf_printf(out, "{\"dst\":\"%s\",\"type\":\"%s\",\"decision\":\"%s\"}\n",
				       ntop(&c->prefix, d),
				       IN6_IS_ADDR_LINKLOCAL(&c->prefix) ? "local" : "multicast", pre);
		else
			xrt_buf_printf(out, "%s %s\n", ntop(&c->prefix, d), pre);
		return 0;
	}
	const struct rib_route *rt = rib_lookup(r->rib, table, &c->prefix);
	if (!rt) {
		ERR("no route to %s in table %s (the fast path punts: no_route)",
		    ntop(&c->prefix, d), table_name(table, t, sizeof(t)));
		return -ENETUNREACH;
	}
	const struct rib_nh *h = route_get_member(r, rt, c);
	char p[INET6_ADDRSTRLEN + 8];
	fmt_prefix(&rt->node->prefix, rt->node->plen, p, sizeof(p));
	struct xrt_neigh6_val nv;
	bool has_neigh = false;
	struct in6_addr nexthop = c->prefix;
	if (h) {
		if (!(h->flags & XRT_NH_F_CONNECTED))
			nexthop = h->gw;
		struct xrt_neigh6_key k = { .ifindex = (uint32_t)h->ifindex };
		memcpy(k.addr, &nexthop, 16);
		has_neigh = bpf_map_lookup_elem(r->maps.neigh6, &k, &nv) == 0;
	}
	if (json) {
		json_object *o = json_object_new_object();
		JADD(o, "type", JSTR(rtn_name(rt->type)));
		JADD(o, "dst", JSTR(ntop(&c->prefix, d)));
		JADD(o, "route", JSTR(p));
		if (h) {
			if (!(h->flags & XRT_NH_F_CONNECTED))
				JADD(o, "gateway", JSTR(ntop(&h->gw, g)));
			JADD(o, "dev", JSTR(dev_name(r, h->ifindex)));
			JADD(o, "nh_id", JINT(h->id));
			JADD(o, "mtu", JINT(h->mtu));
			json_object *n = json_object_new_object();
			JADD(n, "address", JSTR(ntop(&nexthop, g)));
			JADD(n, "state", JSTR(has_neigh ? nud_name(nv.state) : "NONE"));
			if (has_neigh) {
				fmt_mac(nv.mac, mac);
				JADD(n, "lladdr", JSTR(mac));
			}
			JADD(o, "neigh", n);
		}
		JADD(o, "table", JSTR(table_name(rt->node->table, t, sizeof(t))));
		JADD(o, "metric", JINT(rt->metric));
		if (iif && !iif->dev.forwarding && rt->type == XRT_RTN_UNICAST)
			JADD(o, "decision", JSTR("dropped: forwarding off on the ingress (drop fwd_disabled)"));
		json_out(out, o);
		return 0;
	}
	if (rt->type != XRT_RTN_UNICAST)
		xrt_buf_printf(out, "%s ", rtn_name(rt->type));
	xrt_buf_printf(out, "%s", ntop(&c->prefix, d));
	if (h) {
		if (!(h->flags & XRT_NH_F_CONNECTED))
			xrt_buf_printf(out, " via %s", ntop(&h->gw, g));
		xrt_buf_printf(out, " dev %s", dev_name(r, h->ifindex));
	}
	xrt_buf_printf(out, " table %s metric %u route %s", table_name(rt->node->table, t, sizeof(t)),
		       rt->metric, p);
	if (h) {
		xrt_buf_printf(out, " mtu %u neigh %s", h->mtu,
			       has_neigh ? nud_name(nv.state) : "NONE");
		if (has_neigh) {
			fmt_mac(nv.mac, mac);
			xrt_buf_printf(out, " lladdr %s", mac);
		}
	}
	/* ip6_forward's first check, when the ingress is known. */
	if (iif && !iif->dev.forwarding && rt->type == XRT_RTN_UNICAST)
		xrt_buf_printf(out, " dropped: forwarding off on %s (drop fwd_disabled)",
			       iif->dev.name);
	xrt_buf_printf(out, "\n");
	return 0;
}

/* "route del" and "route flush" select by the device of the first next hop. */
static int match_first_dev(struct xrt_router *r, const struct cmd_route *c,
			   struct rib_match *m, char *err)
{
	if (!c->nnh || !c->nh[0].dev[0])
		return 0;
	struct xrt_link *l = router_link_need(r, c->nh[0].dev, err);
	if (!l)
		return -ENODEV;
	m->has_dev = true;
	m->ifindex = l->dev.ifindex;
	return 0;
}

/* `route summary`: what the fast path's FIB trie holds and what it costs
 * (the cells are preallocated; these are the ones in use). */
static int route_summary(struct xrt_router *r, bool json, struct xrt_buf *out, char *err)
{
	struct fib6_usage u;
	int rc = xrt_maps_fib_usage(&r->maps, &u, err);

	if (rc)
		return rc;
	if (json) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "routes", json_object_new_int64((int64_t)u.routes));
		json_object_object_add(o, "tables", json_object_new_int(u.tables));
		json_object_object_add(o, "nodes", json_object_new_int64(u.nodes));
		json_object_object_add(o, "records", json_object_new_int64(u.recs));
		json_object_object_add(o, "bytes", json_object_new_int64((int64_t)u.bytes));
		json_object_object_add(o, "pending", json_object_new_int64(u.pending));
		json_object_object_add(o, "grace_periods", json_object_new_int64(u.syncs));
		json_out(out, o);
		return 0;
	}
	xrt_buf_printf(out, "fib: %llu routes in %u table%s; trie: %u nodes, %u records, "
		       "%llu bytes in use, %u cells awaiting a grace period "
		       "(%u grace periods so far)\n",
		       (unsigned long long)u.routes, u.tables, u.tables == 1 ? "" : "s",
		       u.nodes, u.recs, (unsigned long long)u.bytes, u.pending, u.syncs);
	return 0;
}

static int cmd_route(struct xrt_router *r, int argc, char **argv, bool json,
		     struct xrt_buf *out, char *err)
{
	const char *verb = argc ? argv[0] : "show";
	struct cmd_route c;
	int rc;
	argc = argc ? argc - 1 : 0;
	argv = argv + 1;
	if (is(verb, "add", 1) || is(verb, "replace", 3) || is(verb, "change", 3)) {
		if ((rc = parse_route(argc, argv, ROUTE_MODE_ADD, &c, err)))
			return rc;
		CHECK_ONLY_DONE(r);
		struct rib_route_spec s = {
			.table = c.table, .prefix = c.prefix, .plen = c.plen, .type = c.type,
			.metric = c.metric, .mtu = c.mtu,
			.origin = r->in_config ? RIB_ORIGIN_CONFIG : RIB_ORIGIN_STATIC,
		};
		if ((rc = resolve_paths(r, &c, &s, err)))
			return rc;
		bool replace = !is(verb, "add", 1) || r->reloading;
		return rib_route_add(r->rib, &s, replace, err);
	}
	if (is(verb, "delete", 1)) {
		if ((rc = parse_route(argc, argv, ROUTE_MODE_DEL, &c, err)))
			return rc;
		CHECK_ONLY_DONE(r);
		struct rib_match m = {
			.has_metric = c.has_metric, .metric = c.metric,
			.has_type = c.has_type, .type = c.type,
		};
		if ((rc = match_first_dev(r, &c, &m, err)))
			return rc;
		if (c.nnh && c.nh[0].has_gw) {
			m.has_gw = true;
			m.gw = c.nh[0].gw;
		}
		return rib_route_del(r->rib, c.table, &c.prefix, c.plen, &m, err);
	}
	if (is(verb, "show", 1) || is(verb, "list", 1)) {
		if ((rc = parse_route(argc, argv, ROUTE_MODE_SHOW, &c, err)))
			return rc;
		CHECK_ONLY_DONE(r);
		return route_show(r, &c, json, out, err);
	}
	if (is(verb, "summary", 2)) {
		if (argc) {
			ERR("route summary takes no arguments");
			return -EINVAL;
		}
		CHECK_ONLY_DONE(r);
		return route_summary(r, json, out, err);
	}
	if (is(verb, "get", 1)) {
		if ((rc = parse_route(argc, argv, ROUTE_MODE_GET, &c, err)))
			return rc;
		CHECK_ONLY_DONE(r);
		return route_get(r, &c, json, out, err);
	}
	if (is(verb, "flush", 1)) {
		if ((rc = parse_route(argc, argv, ROUTE_MODE_SHOW, &c, err)))
			return rc;
		CHECK_ONLY_DONE(r);
		if (c.has_prefix) {
			ERR("flush takes selectors (table, dev, type, metric), not a prefix; "
			    "use \"route del\"");
			return -EINVAL;
		}
		struct rib_match m = {
			.has_table = !c.table_all, .table = c.table,
			.has_metric = c.has_metric, .metric = c.metric,
			.has_type = c.has_type, .type = c.type,
		};
		if ((rc = match_first_dev(r, &c, &m, err)))
			return rc;
		rc = rib_flush(r->rib, &m, err);
		if (rc < 0)
			return rc;
		if (json)
			xrt_buf_printf(out, "{\"flushed\":%d}\n", rc);
		return 0;
	}
	ERR("unknown route command \"%s\" (add, del, replace, show, get, flush, summary)",
	    verb);
	return -EINVAL;
}

/* ---------------- link ---------------- */

static void link_show_one(struct xrt_link *l, bool json, json_object *a, struct xrt_buf *out)
{
	char mac[18], t[16];
	fmt_mac(l->dev.mac, mac);
	if (json) {
		json_object *o = json_object_new_object();
		JADD(o, "ifindex", JINT(l->dev.ifindex));
		JADD(o, "ifname", JSTR(l->dev.name));
		JADD(o, "mtu", JINT(l->dev.mtu));
		JADD(o, "address", JSTR(mac));
		JADD(o, "forwarding", json_object_new_boolean(l->dev.forwarding));
		JADD(o, "table", JSTR(table_name(l->dev.table, t, sizeof(t))));
		JADD(o, "slot", JINT(l->slot));
		JADD(o, "xdp", JSTR(l->xdp_ours ? "attached" : "adopted"));
		JADD(o, "queues", JINT(l->nqueues));
		unsigned nx = 0;
		for (unsigned q = 0; q < l->nqueues; q++)
			nx += l->xsk_fd[q] >= 0;
		JADD(o, "xsks", JINT(nx));
		JADD(o, "kernel_local", json_object_new_boolean(l->kernel_local));
		JADD(o, "up", json_object_new_boolean(!l->admin_down));
		json_object_array_add(a, o);
		return;
	}
	unsigned nx = 0;
	for (unsigned q = 0; q < l->nqueues; q++)
		nx += l->xsk_fd[q] >= 0;
	xrt_buf_printf(out,
		       "%d: %s: mtu %u forwarding %s table %s slot %u xdp %s queues %u xsks %u%s%s\n"
		       "    link/ether %s\n",
		       l->dev.ifindex, l->dev.name, l->dev.mtu, l->dev.forwarding ? "on" : "off",
		       table_name(l->dev.table, t, sizeof(t)), l->slot,
		       l->xdp_ours ? "attached" : "adopted", l->nqueues, nx,
		       l->kernel_local ? " kernel-local" : "", l->admin_down ? " down" : "", mac);
}

/* "link attach" and "link set": the settings given on the command line. */
static int link_apply_settings(struct xrt_router *r, struct xrt_link *l,
			       const struct cmd_link *c, char *err)
{
	return link_set(r, l, c->has_mtu ? &c->mtu : NULL,
			c->has_forwarding ? &c->forwarding : NULL,
			c->has_table ? &c->table : NULL, err);
}

static int cmd_link(struct xrt_router *r, int argc, char **argv, bool json,
		    struct xrt_buf *out, char *err)
{
	const char *verb = argc ? argv[0] : "show";
	struct cmd_link c;
	int rc;
	argc = argc ? argc - 1 : 0;
	argv = argv + 1;
	if (is(verb, "attach", 2)) {
		if ((rc = parse_link(argc, argv, true, true, &c, err)))
			return rc;
		CHECK_ONLY_DONE(r);
		if ((rc = link_attach(r, c.dev, err)))
			return rc;
		/* Mirroring: the new link's kernel routes were skipped so far. */
		if (r->mirror && (rc = nl_mirror_resync(r, err)))
			return rc;
		if (!c.has_mtu && !c.has_forwarding && !c.has_table)
			return 0;
		return link_apply_settings(r, router_link_by_name(r, c.dev), &c, err);
	}
	if (is(verb, "detach", 3)) {
		if ((rc = parse_link(argc, argv, true, false, &c, err)))
			return rc;
		CHECK_ONLY_DONE(r);
		struct xrt_link *l = router_link_need(r, c.dev, err);
		return l ? link_detach(r, l, err) : -ENODEV;
	}
	if (is(verb, "set", 1)) {
		if ((rc = parse_link(argc, argv, true, true, &c, err)))
			return rc;
		CHECK_ONLY_DONE(r);
		struct xrt_link *l = router_link_need(r, c.dev, err);
		return l ? link_apply_settings(r, l, &c, err) : -ENODEV;
	}
	if (is(verb, "show", 1) || is(verb, "list", 1)) {
		if ((rc = parse_link(argc, argv, false, false, &c, err)))
			return rc;
		CHECK_ONLY_DONE(r);
		struct xrt_link *only = NULL;
		if (c.dev[0] && !(only = router_link_need(r, c.dev, err)))
			return -ENODEV;
		json_object *a = json ? json_object_new_array() : NULL;
		for (unsigned s = 1; s < XRT_MAX_IFACES; s++)
			if (r->links[s] && (!only || only == r->links[s]))
				link_show_one(r->links[s], json, a, out);
		if (json)
			json_out(out, a);
		return 0;
	}
	ERR("unknown link command \"%s\" (attach, detach, set, show)", verb);
	return -EINVAL;
}

/* ---------------- addr ---------------- */

static int cmd_addr(struct xrt_router *r, int argc, char **argv, bool json,
		    struct xrt_buf *out, char *err)
{
	const char *verb = argc ? argv[0] : "show";
	struct cmd_addr c;
	int rc;
	argc = argc ? argc - 1 : 0;
	argv = argv + 1;
	if (is(verb, "add", 1) || is(verb, "delete", 1)) {
		if ((rc = parse_addrcmd(argc, argv, true, &c, err)))
			return rc;
		if (c.claim && !is(verb, "add", 1)) {
			ERR("\"claim\" goes with addr add");
			return -EINVAL;
		}
		CHECK_ONLY_DONE(r);
		struct xrt_link *l = router_link_need(r, c.dev, err);
		if (!l)
			return -ENODEV;
		if (!is(verb, "add", 1))
			return addr_del(r, l, &c.addr, c.plen, err);
		bool existed = addr_present(l, &c.addr);
		rc = addr_add(r, l, &c.addr, c.plen,
			      r->in_config ? ADDR_ORIGIN_CONFIG : ADDR_ORIGIN_STATIC, err);
		if (rc)
			return rc;
		if (!c.claim) {
			/* On reload the file says what is claimed: an address
			 * it keeps without "claim" is released. */
			if (r->reloading)
				addr_unclaim(r, l, &c.addr);
			return 0;
		}
		if ((rc = addr_claim(r, l, &c.addr, err)) && !existed) {
			/* A failed command changes nothing. */
			char ignored[XRT_ERR_LEN];
			addr_del(r, l, &c.addr, c.plen, ignored);
		}
		return rc;
	}
	if (is(verb, "show", 1) || is(verb, "list", 1)) {
		if ((rc = parse_addrcmd(argc, argv, false, &c, err)))
			return rc;
		CHECK_ONLY_DONE(r);
		struct xrt_link *only = NULL;
		if (c.dev[0] && !(only = router_link_need(r, c.dev, err)))
			return -ENODEV;
		json_object *a = json ? json_object_new_array() : NULL;
		char b[INET6_ADDRSTRLEN];
		for (unsigned s = 1; s < XRT_MAX_IFACES; s++) {
			struct xrt_link *l = r->links[s];
			if (!l || (only && only != l))
				continue;
			json_object *o = NULL, *ai = NULL;
			if (json) {
				o = json_object_new_object();
				ai = json_object_new_array();
				JADD(o, "ifindex", JINT(l->dev.ifindex));
				JADD(o, "ifname", JSTR(l->dev.name));
				JADD(o, "addr_info", ai);
				json_object_array_add(a, o);
			} else {
				xrt_buf_printf(out, "%d: %s\n", l->dev.ifindex, l->dev.name);
			}
			for (unsigned i = 0; i < l->dev.naddrs; i++) {
				const char *scope =
					IN6_IS_ADDR_LINKLOCAL(&l->dev.addr[i]) ? "link" : "global";
				ntop(&l->dev.addr[i], b);
				if (json) {
					json_object *x = json_object_new_object();
					JADD(x, "family", JSTR("inet6"));
					JADD(x, "local", JSTR(b));
					JADD(x, "prefixlen", JINT(l->dev.plen[i]));
					JADD(x, "scope", JSTR(scope));
					JADD(x, "claim", json_object_new_boolean(l->addr_claim[i]));
					json_object_array_add(ai, x);
				} else {
					xrt_buf_printf(out, "    inet6 %s/%u scope %s%s\n", b,
						       l->dev.plen[i], scope,
						       l->addr_claim[i] ? " claim" : "");
				}
			}
		}
		if (json)
			json_out(out, a);
		return 0;
	}
	ERR("unknown addr command \"%s\" (add, del, show)", verb);
	return -EINVAL;
}

/* ---------------- neigh ---------------- */

/* The slow path owns the neighbour table (stack/neighbour.h); it programs
 * the fast path's copy through stack_env.neigh_changed. */
struct neigh_show_ctx {
	struct xrt_router *r;
	int ifindex;
	json_object *a;
	struct xrt_buf *out;
};

static void neigh_show_one(const struct neigh_info *n, void *arg)
{
	struct neigh_show_ctx *c = arg;
	char b[INET6_ADDRSTRLEN], mac[18];
	if (c->ifindex && n->ifindex != c->ifindex)
		return;
	ntop(&n->addr, b);
	bool has_mac = n->state & XRT_NUD_VALID;
	fmt_mac(n->mac, mac);
	if (c->a) {
		json_object *o = json_object_new_object();
		JADD(o, "dst", JSTR(b));
		JADD(o, "dev", JSTR(dev_name(c->r, n->ifindex)));
		if (has_mac)
			JADD(o, "lladdr", JSTR(mac));
		if (n->is_router)
			JADD(o, "router", json_object_new_boolean(1));
		json_object *st = json_object_new_array();
		json_object_array_add(st, JSTR(neigh_state_name(n->state)));
		JADD(o, "state", st);
		JADD(o, "queued", JINT(n->queued));
		json_object_array_add(c->a, o);
		return;
	}
	xrt_buf_printf(c->out, "%s dev %s", b, dev_name(c->r, n->ifindex));
	if (has_mac)
		xrt_buf_printf(c->out, " lladdr %s", mac);
	xrt_buf_printf(c->out, "%s %s\n", n->is_router ? " router" : "",
		       neigh_state_name(n->state));
}

static int cmd_neigh(struct xrt_router *r, int argc, char **argv, bool json,
		     struct xrt_buf *out, char *err)
{
	const char *verb = argc ? argv[0] : "show";
	struct cmd_neigh c;
	int rc;
	argc = argc ? argc - 1 : 0;
	argv = argv + 1;
	bool add = is(verb, "add", 1) || is(verb, "replace", 3) || is(verb, "change", 3);
	if (add || is(verb, "delete", 1)) {
		if ((rc = parse_neigh(argc, argv, true, add, &c, err)))
			return rc;
		CHECK_ONLY_DONE(r);
		struct xrt_link *l = router_link_need(r, c.dev, err);
		if (!l)
			return -ENODEV;
		if (add) {
			if (r->in_config &&
			    (rc = config_neigh_note(r, l->dev.ifindex, &c.addr, err)))
				return rc;
			return neigh_add_static(l->dev.ifindex, &c.addr, c.mac, err);
		}
		rc = neigh_del(l->dev.ifindex, &c.addr, err);
		if (rc == 0)
			config_neigh_forget(r, l->dev.ifindex, &c.addr);
		if (rc == -ENOENT) {
			char b[INET6_ADDRSTRLEN];
			ERR("no neighbour %s on %s", ntop(&c.addr, b), l->dev.name);
		}
		return rc;
	}
	bool flush = is(verb, "flush", 1);
	if (flush || is(verb, "show", 1) || is(verb, "list", 1)) {
		if ((rc = parse_neigh(argc, argv, false, false, &c, err)))
			return rc;
		CHECK_ONLY_DONE(r);
		int ifindex = 0;
		if (c.dev[0]) {
			struct xrt_link *l = router_link_need(r, c.dev, err);
			if (!l)
				return -ENODEV;
			ifindex = l->dev.ifindex;
		}
		if (flush) {
			unsigned n = neigh_table_flush(ifindex, c.nud_permanent);
			if (json)
				xrt_buf_printf(out, "{\"flushed\":%u}\n", n);
			return 0;
		}
		struct neigh_show_ctx sc = {
			.r = r, .ifindex = ifindex, .a = json ? json_object_new_array() : NULL,
			.out = out,
		};
		neigh_foreach(neigh_show_one, &sc);
		if (json)
			json_out(out, sc.a);
		return 0;
	}
	ERR("unknown neigh command \"%s\" (add, del, show, flush)", verb);
	return -EINVAL;
}

/* ---------------- stats ---------------- */

#define NAME_MIB(id, name) name,
#define NAME_OTHER(id, name) name,
static const char *const MIB_NAMES[] = { XRT_MIB_LIST(NAME_MIB) };
static const char *const DROP_NAMES[] = { XRT_DROP_LIST(NAME_OTHER) };
static const char *const PASS_NAMES[] = { XRT_PASS_LIST(NAME_OTHER) };
#define XSK_NAME(f, name) name,
#define XSK_VAL(f, name) xsk_stats.f,
static const char *const XSK_NAMES[] = { XSK_STATS_LIST(XSK_NAME) };

static json_object *stats_json(const struct xrt_stats *s)
{
	json_object *o = json_object_new_object(), *p = json_object_new_object(),
		    *d = json_object_new_object(), *x = json_object_new_object();
	for (int i = 0; i < XRT_MIB_MAX; i++)
		JADD(o, MIB_NAMES[i], JINT(s->mib[i]));
	for (int i = 0; i < XRT_PUNT_MAX; i++)
		JADD(p, xrt_punt_names[i], JINT(s->punt[i]));
	for (int i = 0; i < XRT_DROP_MAX; i++)
		JADD(d, DROP_NAMES[i], JINT(s->drop[i]));
	for (int i = 0; i < XRT_PASS_MAX; i++)
		JADD(x, PASS_NAMES[i], JINT(s->pass[i]));
	JADD(o, "punt", p);
	JADD(o, "drop", d);
	JADD(o, "pass", x);
	return o;
}

/* xrtd's stack speaks IPv6 only (IPv4 punts go to the kernel): its MIB
 * stops where the IPv4 counters begin. */
#define SLOW_MIB_MAX XRT_MIB_IP4_IN_RECEIVES

static void stats_text(const struct xrt_stats *s, struct xrt_buf *out)
{
	/* /proc/net/snmp6's layout: name padded to 32, a tab, the value. */
	for (int i = 0; i < XRT_MIB_MAX; i++)
		xrt_buf_printf(out, "%-32s\t%llu\n", MIB_NAMES[i], (unsigned long long)s->mib[i]);
	for (int i = 0; i < XRT_PUNT_MAX; i++)
		xrt_buf_printf(out, "punt.%-27s\t%llu\n", xrt_punt_names[i],
			       (unsigned long long)s->punt[i]);
	for (int i = 0; i < XRT_DROP_MAX; i++)
		xrt_buf_printf(out, "drop.%-27s\t%llu\n", DROP_NAMES[i],
			       (unsigned long long)s->drop[i]);
	for (int i = 0; i < XRT_PASS_MAX; i++)
		xrt_buf_printf(out, "pass.%-27s\t%llu\n", PASS_NAMES[i],
			       (unsigned long long)s->pass[i]);
}

static int cmd_stats(struct xrt_router *r, int argc, char **argv, bool json,
		     struct xrt_buf *out, char *err)
{
	struct cmd_link c;
	int rc;
	if (argc && is(argv[0], "show", 1)) {
		argc--;
		argv++;
	}
	if ((rc = parse_link(argc, argv, false, false, &c, err)))
		return rc;
	CHECK_ONLY_DONE(r);
	struct xrt_stats s;
	if (c.dev[0]) {
		struct xrt_link *l = router_link_need(r, c.dev, err);
		if (!l)
			return -ENODEV;
		if ((rc = xrt_maps_stats_read(&r->maps, l->slot, &s, err)))
			return rc;
		if (json)
			json_out(out, stats_json(&s));
		else
			stats_text(&s, out);
		return 0;
	}
	if ((rc = xrt_maps_stats_read(&r->maps, -1, &s, err)))
		return rc;
	const uint64_t xsk_vals[] = { XSK_STATS_LIST(XSK_VAL) };
	static struct stack_stats ss;
	stack_stats_get(&ss);
	struct rib_stats rs;
	rib_get_stats(r->rib, &rs);
	if (!json) {
		stats_text(&s, out);
		xrt_buf_printf(out, "%-32s\t%zu\n%-32s\t%zu\n%-32s\t%zu\n%-32s\t%zu\n",
			       "RibRoutes", rs.routes, "RibPrefixes", rs.nodes, "RibNexthops",
			       rs.nexthops, "RibNexthopGroups", rs.groups);
		for (int i = 0; i < SLOW_MIB_MAX; i++)
			xrt_buf_printf(out, "slow.%-27s\t%llu\n", MIB_NAMES[i],
				       (unsigned long long)ss.mib[i]);
		for (int i = 0; i < STACK_ICMP6_MAX; i++)
			xrt_buf_printf(out, "%-32s\t%llu\n", stack_icmp6_names[i],
				       (unsigned long long)ss.icmp6[i]);
		for (int i = 0; i < STACK_DROP_MAX; i++)
			xrt_buf_printf(out, "%-32s\t%llu\n", stack_drop_names[i],
				       (unsigned long long)ss.drop[i]);
		for (int i = 0; i < STACK_GAUGE_MAX; i++)
			xrt_buf_printf(out, "%-32s\t%llu\n", stack_gauge_names[i],
				       (unsigned long long)ss.gauge[i]);
		for (size_t i = 0; i < sizeof(xsk_vals) / sizeof(xsk_vals[0]); i++)
			xrt_buf_printf(out, "%-32s\t%llu\n", XSK_NAMES[i],
				       (unsigned long long)xsk_vals[i]);
		for (size_t i = 0; i < SOCK_STATS_N; i++) /* socket layer (sock's edit) */
			xrt_buf_printf(out, "%-32s\t%llu\n", sock_stats_names[i],
				       (unsigned long long)((const uint64_t *)&sockstats)[i]);
		for (size_t i = 0; i < XRT_LOCAL_STATS_N; i++) /* local attack surface */
			xrt_buf_printf(out, "%-32s\t%llu\n", xrt_local_stats_names[i],
				       (unsigned long long)((const uint64_t *)&xrt_local_stats)[i]);
		return 0;
	}
	json_object *o = json_object_new_object(), *ifs = json_object_new_object(),
		    *slow = json_object_new_object();
	JADD(o, "total", stats_json(&s));
	for (unsigned sl = 1; sl < XRT_MAX_IFACES; sl++) {
		if (!r->links[sl])
			continue;
		if ((rc = xrt_maps_stats_read(&r->maps, (int)sl, &s, err))) {
			json_object_put(o);
			json_object_put(ifs);
			json_object_put(slow);
			return rc;
		}
		JADD(ifs, r->links[sl]->dev.name, stats_json(&s));
	}
	JADD(o, "interfaces", ifs);
	for (int i = 0; i < SLOW_MIB_MAX; i++)
		JADD(slow, MIB_NAMES[i], JINT(ss.mib[i]));
	json_object *icmp = json_object_new_object(), *sdrop = json_object_new_object(),
		    *xsk = json_object_new_object();
	for (int i = 0; i < STACK_ICMP6_MAX; i++)
		JADD(icmp, stack_icmp6_names[i], JINT(ss.icmp6[i]));
	for (int i = 0; i < STACK_DROP_MAX; i++)
		JADD(sdrop, stack_drop_names[i], JINT(ss.drop[i]));
	for (int i = 0; i < STACK_GAUGE_MAX; i++)
		JADD(slow, stack_gauge_names[i], JINT(ss.gauge[i]));
	for (size_t i = 0; i < sizeof(xsk_vals) / sizeof(xsk_vals[0]); i++)
		JADD(xsk, XSK_NAMES[i], JINT(xsk_vals[i]));
	JADD(slow, "icmp6", icmp);
	JADD(slow, "drop", sdrop);
	JADD(slow, "xsk", xsk);
	json_object *sockj = json_object_new_object(); /* socket layer (sock's edit) */
	for (size_t i = 0; i < SOCK_STATS_N; i++)
		JADD(sockj, sock_stats_names[i], JINT(((const uint64_t *)&sockstats)[i]));
	JADD(slow, "sock", sockj);
	json_object *localj = json_object_new_object(); /* local attack surface */
	for (size_t i = 0; i < XRT_LOCAL_STATS_N; i++)
		JADD(localj, xrt_local_stats_names[i],
		     JINT(((const uint64_t *)&xrt_local_stats)[i]));
	JADD(o, "local", localj);
	JADD(o, "slowpath", slow);
	json_object *rib = json_object_new_object();
	JADD(rib, "routes", JINT(rs.routes));
	JADD(rib, "prefixes", JINT(rs.nodes));
	JADD(rib, "nexthops", JINT(rs.nexthops));
	JADD(rib, "groups", JINT(rs.groups));
	JADD(o, "rib", rib);
	json_out(out, o);
	return 0;
}

/* ---------------- sync (kernel mirroring) ---------------- */

static int cmd_sync(struct xrt_router *r, int argc, char **argv, bool json,
		    struct xrt_buf *out, char *err)
{
	if (argc == 0 || (argc == 1 && is(argv[0], "show", 1))) {
		const struct nl_mirror_stats *st = nl_mirror_get_stats(r);
		struct nl_mirror_stats zero = { 0 };
		if (!st)
			st = &zero;
		if (json)
			xrt_buf_printf(out,
				       "{\"kernel\":%s,\"routes\":%llu,\"addrs\":%llu,"
				       "\"neighs\":%llu,\"skipped\":%llu,\"resyncs\":%llu,"
				       "\"errors\":%llu}\n",
				       r->mirror ? "true" : "false",
				       (unsigned long long)st->routes, (unsigned long long)st->addrs,
				       (unsigned long long)st->neighs, (unsigned long long)st->skipped,
				       (unsigned long long)st->resyncs, (unsigned long long)st->errors);
		else
			xrt_buf_printf(out,
				       "kernel %s routes %llu addrs %llu neighs %llu skipped %llu "
				       "resyncs %llu errors %llu\n",
				       r->mirror ? "on" : "off", (unsigned long long)st->routes,
				       (unsigned long long)st->addrs, (unsigned long long)st->neighs,
				       (unsigned long long)st->skipped, (unsigned long long)st->resyncs,
				       (unsigned long long)st->errors);
		return 0;
	}
	bool on;
	if (argc != 2 || strcmp(argv[0], "kernel")) {
		ERR("usage: sync kernel on|off");
		return -EINVAL;
	}
	int rc = parse_onoff(argv[1], &on, "sync kernel", err);
	if (rc)
		return rc;
	CHECK_ONLY_DONE(r);
	if (on)
		return nl_mirror_start(r, err);
	nl_mirror_stop(r, true);
	return 0;
}

/* ---------------- dispatch ---------------- */

int cmd_exec(struct xrt_router *r, int argc, char **argv, bool json,
	     struct xrt_buf *out, char *err)
{
	err[0] = '\0';
	if (argc == 0) {
		ERR("empty command");
		return -EINVAL;
	}
	const char *obj = argv[0];
	if (is(obj, "route", 1))
		return cmd_route(r, argc - 1, argv + 1, json, out, err);
	if (is(obj, "link", 1))
		return cmd_link(r, argc - 1, argv + 1, json, out, err);
	if (is(obj, "address", 1) || !strcmp(obj, "addr"))
		return cmd_addr(r, argc - 1, argv + 1, json, out, err);
	if (is(obj, "neighbour", 1) || is(obj, "neighbor", 1))
		return cmd_neigh(r, argc - 1, argv + 1, json, out, err);
	if (is(obj, "stats", 2))
		return cmd_stats(r, argc - 1, argv + 1, json, out, err);
	if (is(obj, "sync", 2))
		return cmd_sync(r, argc - 1, argv + 1, json, out, err);
	if (is(obj, "punt", 1))
		return cmd_punt(r, argc - 1, argv + 1, json, out, err);
	if (!strcmp(obj, "ra") || !strcmp(obj, "icmp")) /* cmd_stack.c */
		return (obj[0] == 'r' ? cmd_ra : cmd_icmp)(r, argc - 1, argv + 1, json, out, err);
	if (is(obj, "config", 1)) {
		if (argc == 2 && is(argv[1], "reload", 1)) {
			CHECK_ONLY_DONE(r);
			return config_reload(r, err);
		}
		if (argc < 2)
			ERR("config needs a command (reload)");
		else
			ERR("unknown config command \"%s\" (reload)", argv[1]);
		return -EINVAL;
	}
	ERR("unknown object \"%s\" (link, addr, route, neigh, stats, sync, punt, ra, icmp, config)", obj);
	return -EINVAL;
}
