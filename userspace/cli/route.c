/* xrt: `route add|del|replace|show|get|flush|summary` (iproute2's ip/iproute.c): the RIB seen and changed from the CLI. */
#include "cli/cmd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/ip6_fib.h"
#include "xrt/inet.h"
#include "xrt/ip4_proto.h"
#include "xrt/multipath.h"
#include "stack/neighbour.h"
#include "xrt/proto.h"

enum route_verb {
	ROUTE_ADD, ROUTE_REPLACE, ROUTE_DEL, ROUTE_SHOW, ROUTE_SUMMARY, ROUTE_GET, ROUTE_FLUSH
};

/* The next hop that "via" or "dev" (the word, for the message) fills: the
 * route's only one, or in a multipath route the last "nexthop" opened. */
static struct cmd_nexthop *nexthop_to_fill(struct cmd_route *r, struct cmd_nexthop *cur,
					   const char *word, char *err)
{
	if (!r->multipath) {
		if (r->nnh == 0)
			r->nnh = 1;
		return &r->nh[0];
	}
	if (!cur)
		ERR("\"%s\" must follow \"nexthop\" in a multipath route", word);
	return cur;
}

int parse_route(int argc, char **argv, enum cmd_route_mode mode, int family,
		struct cmd_route *r, char *err)
{
	int rc;
	memset(r, 0, sizeof(*r));
	bool is_default = false;  /* "default" given before the family was known */
	const char *mtu_word = NULL; /* checked once the family is known */
	r->type = XRT_RTN_UNICAST;
	r->table = XRT_TABLE_MAIN;
	r->metric = RIB_METRIC_USER;
	struct cmd_nexthop *cur = NULL; /* next hop being filled */
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		uint32_t t;
		if (!strcmp(w, "via")) {
			if ((rc = next_word(argc, argv, &i, err)))
				return rc;
			if (!(cur = nexthop_to_fill(r, cur, "via", err)))
				return -EINVAL;
			if (cur->has_gw)
				return xrt_fail(err, -EINVAL, "\"via\" is given twice");
			if ((rc = parse_inet_addr(argv[i], &family, &cur->gw, err)))
				return rc;
			cur->has_gw = true;
		} else if (!strcmp(w, "dev") || !strcmp(w, "oif")) {
			if ((rc = next_word(argc, argv, &i, err)))
				return rc;
			if (!(cur = nexthop_to_fill(r, cur, "dev", err)))
				return -EINVAL;
			if (cur->dev[0])
				return xrt_fail(err, -EINVAL, "\"dev\" is given twice");
			if ((rc = parse_dev(argv[i], cur->dev, err)))
				return rc;
		} else if (!strcmp(w, "weight")) {
			if ((rc = next_word(argc, argv, &i, err)))
				return rc;
			if (!r->multipath || !cur)
				return xrt_fail(err, -EINVAL,
						"\"weight\" belongs to a \"nexthop\"");
			if ((rc = parse_u32(argv[i], 1, RIB_WEIGHT_MAX, &cur->weight, "weight",
					    err)))
				return rc;
		} else if (!strcmp(w, "nexthop")) {
			if (mode != ROUTE_MODE_ADD)
				return xrt_fail(err, -EINVAL,
						"\"nexthop\" is only valid for add and replace");
			if (!r->multipath && r->nnh)
				return xrt_fail(err, -EINVAL,
						"\"nexthop\" cannot follow a plain \"via\" or \"dev\"");
			if (r->nnh == RIB_MAX_PATHS)
				return xrt_fail(err, -E2BIG,
						"too many next hops (at most %d)", RIB_MAX_PATHS);
			r->multipath = true;
			cur = &r->nh[r->nnh++];
		} else if (!strcmp(w, "metric") || !strcmp(w, "preference") ||
			   !strcmp(w, "priority")) {
			if ((rc = next_word(argc, argv, &i, err)))
				return rc;
			if ((rc = parse_u32(argv[i], 0, UINT32_MAX, &r->metric, "metric", err)))
				return rc;
			r->has_metric = true;
		} else if (!strcmp(w, "table")) {
			if ((rc = next_word(argc, argv, &i, err)))
				return rc;
			if (mode == ROUTE_MODE_SHOW && !strcmp(argv[i], "all")) {
				r->table_all = true;
			} else if ((rc = parse_table(argv[i], &r->table, err))) {
				return rc;
			}
			r->has_table = true;
		} else if (!strcmp(w, "mtu")) {
			if ((rc = next_word(argc, argv, &i, err)))
				return rc;
			mtu_word = argv[i];
		} else if (!strcmp(w, "from") && mode == ROUTE_MODE_GET) {
			if ((rc = next_word(argc, argv, &i, err)))
				return rc;
			if ((rc = parse_inet_addr(argv[i], &family, &r->from, err)))
				return rc;
			r->has_from = true;
		} else if (!strcmp(w, "from")) {
			if ((rc = next_word(argc, argv, &i, err)))
				return rc;
			if (r->has_src)
				return xrt_fail(err, -EINVAL, "\"from\" is given twice");
			if ((rc = parse_inet_prefix(argv[i], &family, &r->src, &r->src_plen, false,
						    err)))
				return rc;
			r->has_src = true;
		} else if (!strcmp(w, "ipproto") && mode == ROUTE_MODE_GET) {
			if ((rc = next_word(argc, argv, &i, err)))
				return rc;
			uint32_t p;
			if (!strcmp(argv[i], "udp"))
				p = NEXTHDR_UDP;
			else if (!strcmp(argv[i], "tcp"))
				p = NEXTHDR_TCP;
			else if (!strcmp(argv[i], "icmpv6") || !strcmp(argv[i], "ipv6-icmp"))
				p = NEXTHDR_ICMP;
			else if (!strcmp(argv[i], "icmp"))
				p = IPPROTO_ICMP;
			else if ((rc = parse_u32(argv[i], 0, 255, &p, "ipproto", err)))
				return rc;
			r->ipproto = (uint8_t)p;
			r->has_ipproto = true;
		} else if ((!strcmp(w, "sport") || !strcmp(w, "dport")) &&
			   mode == ROUTE_MODE_GET) {
			if ((rc = next_word(argc, argv, &i, err)))
				return rc;
			uint32_t port;
			if ((rc = parse_u32(argv[i], 0, 65535, &port, w, err)))
				return rc;
			if (w[0] == 's')
				r->sport = (uint16_t)port;
			else
				r->dport = (uint16_t)port;
		} else if (!strcmp(w, "flowlabel") && mode == ROUTE_MODE_GET) {
			if ((rc = next_word(argc, argv, &i, err)))
				return rc;
			if ((rc = parse_u32(argv[i], 0, 0xfffff, &r->flowlabel, "flowlabel", err)))
				return rc;
		} else if (!strcmp(w, "iif") && mode == ROUTE_MODE_GET) {
			if ((rc = next_dev(argc, argv, &i, r->iif, err)))
				return rc;
		} else if ((t = parse_rtn(w)) && !r->has_prefix && !r->has_type &&
			   mode != ROUTE_MODE_GET) {
			r->type = t;
			r->has_type = true;
		} else if (!r->has_prefix && strcmp(w, "to") != 0) {
			if (mode == ROUTE_MODE_GET) {
				if ((rc = parse_inet_addr(w, &family, &r->prefix, err)))
					return rc;
				r->plen = 128;
			} else if ((rc = parse_inet_prefix(w, &family, &r->prefix, &r->plen, false,
							   err))) {
				return rc;
			}
			is_default = family == AF_UNSPEC && r->plen == 0;
			r->has_prefix = true;
		} else if (!strcmp(w, "to") && !r->has_prefix) {
			continue;
		} else {
			return xrt_fail(err, -EINVAL, "unknown word \"%s\"", w);
		}
	}
	/* "default via 10.0.0.1": the gateway said which default. */
	if (is_default && family == AF_INET) {
		xrt_addr_from_v4(&r->prefix, 0);
		r->plen = XRT_V4_PLEN_OFFSET;
	}
	/* A command without any address adds and deletes IPv6 routes, as xrt
	 * always did; show and flush without -4/-6 take both families. */
	r->family = family;
	bool v4 = family == AF_INET;
	/* fib4: rtm_to_fib_config never reads RTA_SRC, so IPv4 `from` is
	 * accepted and ignored; an IPv6 `from ::/0` is the plain route. */
	if (v4 || (r->has_src && !r->src_plen)) {
		r->has_src = false;
		r->src = in6addr_any;
		r->src_plen = 0;
	}
	if (v4 && !r->has_metric)
		r->metric = RIB_METRIC_V4_USER;
	if (mtu_word && (rc = parse_u32(mtu_word, v4 ? IP4_MIN_MTU : IP6_MIN_MTU, 65535,
					&r->mtu, "mtu", err)))
		return rc;
	if (mode != ROUTE_MODE_SHOW && !r->has_prefix)
		return xrt_fail(err, -EINVAL,
				mode == ROUTE_MODE_GET ? "an address is needed" : "a prefix is needed");
	if (mode == ROUTE_MODE_ADD) {
		if (r->type == XRT_RTN_UNICAST && r->nnh == 0)
			return xrt_fail(err, -EINVAL,
					"a unicast route needs \"via\", \"dev\" or \"nexthop\"");
		if (r->type != XRT_RTN_UNICAST && r->nnh)
			return xrt_fail(err, -EINVAL,
					"a %s route takes no next hop", rtn_name(r->type));
		if (r->type == XRT_RTN_LOCAL)
			return xrt_fail(err, -EINVAL, "local routes come from \"xrt addr add\"");
		for (unsigned k = 0; k < r->nnh; k++)
			if (!r->nh[k].has_gw && !r->nh[k].dev[0])
				return xrt_fail(err, -EINVAL,
						"nexthop %u needs \"via\" or \"dev\"", k + 1);
	}
	return 0;
}

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

void route_text(struct xrt_router *r, const struct rib_route *rt, struct xrt_buf *out)
{
	char p[INET6_ADDRSTRLEN + 8], g[INET6_ADDRSTRLEN], t[16];
	fmt_prefix(&rt->node->prefix, rt->node->plen, p, sizeof(p));
	if (rt->type != XRT_RTN_UNICAST)
		xrt_buf_printf(out, "%s ", rtn_name(rt->type));
	xrt_buf_printf(out, "%s", p);
	if (rt->node->src_plen) /* iproute2: right after the destination */
		xrt_buf_printf(out, " from %s/%u", ntop(&rt->node->src, g), rt->node->src_plen);
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

json_object *route_json(struct xrt_router *r, const struct rib_route *rt)
{
	char p[INET6_ADDRSTRLEN + 8], t[16];
	json_object *o = json_object_new_object();
	fmt_prefix(&rt->node->prefix, rt->node->plen, p, sizeof(p));
	JADD(o, "type", JSTR(rtn_name(rt->type)));
	JADD(o, "dst", JSTR(p));
	if (rt->node->src_plen) { /* ip -j's key for rtm_src_len */
		char sp[INET6_ADDRSTRLEN + 8];
		fmt_prefix(&rt->node->src, rt->node->src_plen, sp, sizeof(sp));
		JADD(o, "from", JSTR(sp));
	}
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
	if (c->family != AF_UNSPEC && inet_family(&rt->node->prefix) != c->family)
		return 0;
	if (c->has_type && rt->type != c->type)
		return 0;
	if (c->has_prefix && (rt->node->plen != c->plen ||
			      memcmp(&rt->node->prefix, &c->prefix, 16)))
		return 0;
	if (c->has_metric && rt->metric != c->metric)
		return 0;
	if (c->has_src && (rt->node->src_plen != c->src_plen ||
			   memcmp(&rt->node->src, &c->src, 16)))
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
	if (rib_list(r->rib, &v, &n))
		return xrt_fail(err, -ENOMEM, "out of memory");
	json_object *a = json ? json_object_new_array() : NULL;
	/* IPv6 first, then IPv4 (which sorts inside ::ffff:0:0/96). */
	static const int order[] = { AF_INET6, AF_INET };
	for (size_t f = 0; f < sizeof(order) / sizeof(order[0]); f++)
		for (size_t i = 0; i < n; i++) {
			if (inet_family(&v[i]->node->prefix) != order[f] ||
			    !route_filter_match(c, dev, v[i]))
				continue;
			if (json)
				json_object_array_add(a, route_json(r, v[i]));
			else
				route_text(r, v[i], out);
		}
	free(v);
	if (json)
		json_print(out, a);
	return 0;
}

/* The member the fast path takes for this flow: its hash over the group's
 * buckets as they are in the map (not a recomputation of the layout). */
static const struct rib_nh *route_get_member(struct xrt_router *r, const struct rib_route *rt,
					     const struct cmd_route *c)
{
	if (!rt->grp)
		return rt->nh;
	/* IPv4 hashes the same words over its mapped addresses, with no flow
	 * label (include/xrt/multipath.h). */
	bool v4 = xrt_addr_is_v4(&c->prefix);
	struct rt6_flow f = {
		.daddr = c->prefix, .flowlabel = v4 ? 0 : c->flowlabel,
		.nexthdr = c->has_ipproto ? c->ipproto : v4 ? IPPROTO_ICMP : NEXTHDR_ICMP,
		.sport = c->sport, .dport = c->dport,
	};
	if (c->has_from)
		f.saddr = c->from;
	else if (v4)
		xrt_addr_from_v4(&f.saddr, 0); /* 0.0.0.0, as the fast path reads it */
	f.has_ports = f.nexthdr == NEXTHDR_TCP || f.nexthdr == NEXTHDR_UDP;
	struct xrt_nh_grp g;
	if (xrt_maps_grp_get(&r->maps, rt->grp->id, &g, NULL))
		return NULL;
	uint32_t id = g.bucket[rt6_multipath_hash_flow(&f) % g.nbuckets];
	for (unsigned i = 0; i < rt->grp->n; i++)
		if (rt->grp->nh[i]->id == id)
			return rt->grp->nh[i];
	return NULL;
}

/* ip_route_input's decisions before its fib_lookup, as the fast path takes
 * them (bpf/ip_route_input.h): multicast (RFC 5771 4: only the Local
 * Network Control Block is this link's), the limited broadcast (RFC 1812
 * 5.3.5.1), martian destinations (RFC 1812 5.3.7). */
static const char *ip_route_input_pre(const struct in6_addr *a)
{
	uint32_t d = ntohl(xrt_addr_v4(a));
	if ((d & IP4_MASK_4) == IP4_NET_MCAST)
		return (d & IP4_MASK_24) == IP4_NET_MCAST_LOCAL
			       ? "link-local multicast: delivered here (punt mcast_link)"
			       : "multicast: dropped, there is no multicast routing (drop mcast)";
	if (d == IP4_LIMITED_BCAST)
		return "limited broadcast: delivered here, never forwarded (punt local)";
	if ((d & IP4_MASK_8) == IP4_NET_ZERO || (d & IP4_MASK_8) == IP4_NET_LOOPBACK)
		return "martian destination: dropped (drop ip4_martian_dst)";
	return NULL;
}

static const char *route_get_pre_type(const struct in6_addr *a)
{
	if (xrt_addr_is_v4(a)) {
		uint32_t d = ntohl(xrt_addr_v4(a));
		return (d & IP4_MASK_4) == IP4_NET_MCAST ? "multicast"
		       : d == IP4_LIMITED_BCAST	 ? "broadcast"
						 : "martian";
	}
	return IN6_IS_ADDR_LINKLOCAL(a) ? "local" : "multicast";
}

/* The error a rule's action gives (fib_rules_lookup: the kernel's
 * -ENETUNREACH, -EACCES, -EINVAL), with what the fast path does. */
static int route_get_rule_error(const struct fib_rule *rule, int type, const char *dst,
				char *err)
{
	switch (type) {
	case XRT_FR_ACT_UNREACHABLE:
		return xrt_fail(err, -ENETUNREACH,
				"%s: rule %u is unreachable (the fast path punts: unreachable)", dst,
				rule->prio);
	case XRT_FR_ACT_PROHIBIT:
		return xrt_fail(err, -EACCES,
				"%s: rule %u is prohibit (the fast path punts: prohibit)", dst,
				rule->prio);
	case XRT_FR_ACT_BLACKHOLE:
		return xrt_fail(err, -EINVAL,
				"%s: rule %u is blackhole (the fast path drops: blackhole)", dst,
				rule->prio);
	}
	return xrt_fail(err, -EOPNOTSUPP,
			"%s: rule %u has a selector xrt cannot evaluate (the fast path passes to the kernel: rule_unsupported)",
			dst, rule->prio);
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
	/* The fast path decides these before any route lookup
	 * (bpf/ip6_route_input.h, bpf/ip_route_input.h). */
	const char *pre = NULL;
	if (xrt_addr_is_v4(&c->prefix))
		pre = ip_route_input_pre(&c->prefix);
	else if (IN6_IS_ADDR_MULTICAST(&c->prefix))
		pre = (c->prefix.s6_addr[1] & 0x0f) <= IP6_MC_SCOPE_LINK
			      ? "link-scoped multicast: delivered here (punt mcast_link)"
			      : "multicast beyond link scope: dropped (drop mcast)";
	else if (IN6_IS_ADDR_LINKLOCAL(&c->prefix))
		pre = "link-local: delivered here, never forwarded (punt local)";
	if (pre) {
		if (json)
			xrt_buf_printf(out, "{\"dst\":\"%s\",\"type\":\"%s\",\"decision\":\"%s\"}\n",
				       ntop(&c->prefix, d),
				       route_get_pre_type(&c->prefix), pre);
		else
			xrt_buf_printf(out, "%s %s\n", ntop(&c->prefix, d), pre);
		return 0;
	}
	/* An explicit table is looked up alone (ip route get ... table T);
	 * else the policy rules, as the fast path walks them. */
	const struct rib_route *rt;
	if (c->has_table) {
		rt = rib_lookup_src(r->rib, table, &c->prefix,
				    c->has_from ? &c->from : &in6addr_any);
	} else {
		const struct fib_rule *rule;
		struct xrt_acl_key k = { .ifindex = iif ? (uint32_t)iif->dev.ifindex : 0 };
		int type;
		memcpy(k.daddr, &c->prefix, sizeof(k.daddr));
		if (c->has_from)
			memcpy(k.saddr, &c->from, sizeof(k.saddr));
		else if (xrt_addr_is_v4(&c->prefix))
			xrt_addr_from_v4((struct in6_addr *)k.saddr, 0);
		k.proto = c->has_ipproto ? c->ipproto : 0;
		k.sport = c->sport;
		k.dport = c->dport;
		k.l4 = k.proto == NEXTHDR_TCP || k.proto == NEXTHDR_UDP;
		rt = fib_rules_lookup(&r->rules, r->rib, &k, table, &type, &rule);
		if (!rt && rule)
			return route_get_rule_error(rule, type, ntop(&c->prefix, d), err);
	}
	struct in6_addr kp;
	unsigned kl;
	if (!xrt_addr_is_v4(&c->prefix) &&
	    rib_src_passed_at(r->rib, rt ? rt->node->table : table, &c->prefix,
			      rt ? rt->node->plen : 0, &kp, &kl))
		return xrt_fail(err, -EOPNOTSUPP,
				"%s: %s/%u has source routes xrt could not all install (the fast "
				"path passes to the kernel: src_route_unsupported; see xrt sync)",
				ntop(&c->prefix, d), ntop(&kp, g), kl);
	if (!rt)
		return xrt_fail(err, -ENETUNREACH,
				"no route to %s in table %s (the fast path punts: no_route)",
				ntop(&c->prefix, d), table_name(table, t, sizeof(t)));
	const struct rib_nh *h = route_get_member(r, rt, c);
	char p[INET6_ADDRSTRLEN + 8];
	fmt_prefix(&rt->node->prefix, rt->node->plen, p, sizeof(p));
	char sp[INET6_ADDRSTRLEN + 8] = "";
	if (rt->node->src_plen)
		fmt_prefix(&rt->node->src, rt->node->src_plen, sp, sizeof(sp));
	struct xrt_neigh6_val nv;
	bool has_neigh = false;
	struct in6_addr nexthop = c->prefix;
	if (h) {
		if (!(h->flags & XRT_NH_F_CONNECTED))
			nexthop = h->gw;
		has_neigh = xrt_maps_neigh_get(&r->maps, h->ifindex, nexthop.s6_addr, &nv, NULL) == 0;
	}
	if (json) {
		json_object *o = json_object_new_object();
		JADD(o, "type", JSTR(rtn_name(rt->type)));
		JADD(o, "dst", JSTR(ntop(&c->prefix, d)));
		JADD(o, "route", JSTR(p));
		if (sp[0])
			JADD(o, "from", JSTR(sp));
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
		json_print(out, o);
		return 0;
	}
	if (rt->type != XRT_RTN_UNICAST)
		xrt_buf_printf(out, "%s ", rtn_name(rt->type));
	xrt_buf_printf(out, "%s", ntop(&c->prefix, d));
	if (c->has_from) /* iproute2: the flow's source right after it */
		xrt_buf_printf(out, " from %s", ntop(&c->from, g));
	if (h) {
		if (!(h->flags & XRT_NH_F_CONNECTED))
			xrt_buf_printf(out, " via %s", ntop(&h->gw, g));
		xrt_buf_printf(out, " dev %s", dev_name(r, h->ifindex));
	}
	xrt_buf_printf(out, " table %s metric %u route %s%s%s",
		       table_name(rt->node->table, t, sizeof(t)), rt->metric, p,
		       sp[0] ? " from " : "", sp);
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
 * (cells in use, and the maps' sizes, which follow the table), and its
 * resizes (dataplane/ip6_fib.c, fib6_resize). */
static int route_summary(struct xrt_router *r, bool json, struct xrt_buf *out, char *err)
{
	struct fib6_usage u;
	int rc = xrt_maps_fib_usage(&r->maps, &u, err);

	if (rc)
		return rc;
	/* The ceiling is the RIB's and the FIB's (xrtd --max-routes): the RIB,
	 * which counts every metric, refuses first. */
	u.ceiling_hits += (uint32_t)rib_routes_refused(r->rib);
	if (json) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "routes", json_object_new_int64((int64_t)u.routes));
		json_object_object_add(o, "tables", json_object_new_int(u.tables));
		json_object_object_add(o, "nodes", json_object_new_int64(u.nodes));
		json_object_object_add(o, "records", json_object_new_int64(u.recs));
		json_object_object_add(o, "bytes", json_object_new_int64((int64_t)u.bytes));
		json_object_object_add(o, "pending", json_object_new_int64(u.pending));
		json_object_object_add(o, "grace_periods", json_object_new_int64(u.syncs));
		json_object_object_add(o, "src_subtrees", json_object_new_int64(u.subtrees));
		json_object_object_add(o, "src_subtrees_max", json_object_new_int(XRT_FIB6_SUBTREES));
		json_object_object_add(
			o, "src_subtrees_refused",
			json_object_new_int64((int64_t)(rib_subtrees_refused(r->rib) +
							u.subtrees_refused)));
		json_object_object_add(o, "capacity_bytes",
				       json_object_new_int64((int64_t)u.capacity_bytes));
		json_object_object_add(o, "capacity_nodes", json_object_new_int64(u.nnodes));
		json_object_object_add(o, "capacity_records", json_object_new_int64(u.nrecs));
		json_object_object_add(o, "capacity_tables", json_object_new_int64(u.nslots - 1));
		json_object_object_add(o, "grows", json_object_new_int64(u.grows));
		json_object_object_add(o, "shrinks", json_object_new_int64(u.shrinks));
		json_object_object_add(o, "resize_failures",
				       json_object_new_int64(u.resize_failures));
		json_object_object_add(o, "resize_error", json_object_new_string(u.resize_error));
		json_object_object_add(o, "max_routes",
				       json_object_new_int64((int64_t)u.max_routes));
		json_object_object_add(o, "ceiling_hits", json_object_new_int64(u.ceiling_hits));
		json_print(out, o);
		return 0;
	}
	xrt_buf_printf(out, "fib: %llu routes in %u table%s; trie: %u nodes, %u records, "
		       "%llu bytes in use, %u cells awaiting a grace period "
		       "(%u grace periods so far)\n",
		       (unsigned long long)u.routes, u.tables, u.tables == 1 ? "" : "s",
		       u.nodes, u.recs, (unsigned long long)u.bytes, u.pending, u.syncs);
	xrt_buf_printf(out, "source subtrees: %u of %u in use, %llu source routes refused\n",
		       u.subtrees, XRT_FIB6_SUBTREES,
		       (unsigned long long)(rib_subtrees_refused(r->rib) + u.subtrees_refused));
	xrt_buf_printf(out, "fib memory: %llu bytes (room for %u nodes, %u records, %u "
		       "tables); resized %u times larger, %u smaller, %u failed%s%s; max %llu "
		       "routes (%u refused)\n",
		       (unsigned long long)u.capacity_bytes, u.nnodes, u.nrecs, u.nslots - 1,
		       u.grows, u.shrinks, u.resize_failures, u.resize_error[0] ? ": " : "",
		       u.resize_error, (unsigned long long)u.max_routes, u.ceiling_hits);
	return 0;
}

static const struct cmd_verb ROUTE_VERBS[] = {
	{ "add", 1, ROUTE_ADD },
	{ "replace", 3, ROUTE_REPLACE },
	{ "change", 3, ROUTE_REPLACE },
	{ "delete", 1, ROUTE_DEL },
	{ "show", 1, ROUTE_SHOW },
	{ "list", 1, ROUTE_SHOW },
	{ "summary", 2, ROUTE_SUMMARY },
	{ "get", 1, ROUTE_GET },
	{ "flush", 1, ROUTE_FLUSH },
};

static int route_parse(int argc, char **argv, struct cmd_req *req, char *err)
{
	struct cmd_route *c = &req->route;
	switch (req->verb) {
	case ROUTE_ADD:
	case ROUTE_REPLACE:
		return parse_route(argc, argv, ROUTE_MODE_ADD, req->family, c, err);
	case ROUTE_DEL:
		return parse_route(argc, argv, ROUTE_MODE_DEL, req->family, c, err);
	case ROUTE_SUMMARY:
		if (argc)
			return xrt_fail(err, -EINVAL, "route summary takes no arguments");
		return 0;
	case ROUTE_GET:
		return parse_route(argc, argv, ROUTE_MODE_GET, req->family, c, err);
	case ROUTE_FLUSH: {
		int rc = parse_route(argc, argv, ROUTE_MODE_SHOW, req->family, c, err);
		if (!rc && c->has_prefix)
			rc = xrt_fail(err, -EINVAL,
				      "flush takes selectors (table, dev, type, metric), not a prefix; "
				      "use \"route del\"");
		return rc;
	}
	default:
		return parse_route(argc, argv, ROUTE_MODE_SHOW, req->family, c, err);
	}
}

/*
 * Undo of a reload's route commands: the routes of the prefixes it
 * touched, as they were (a packed run of specs, each with only its
 * paths). Putting them back deletes what the command added to those
 * prefixes and re-adds what it replaced or deleted.
 */
struct route_saved {
	uint32_t table;
	struct in6_addr prefix, src;
	unsigned plen, src_plen;
	bool whole_node; /* delete the node's routes that were not saved */
	unsigned n;      /* specs packed after this header */
};
struct route_saved_spec {
	uint32_t type, metric, mtu;
	uint8_t origin;
	unsigned npaths;
	/* then npaths struct rib_path */
};

static void route_spec_of(const struct rib_route *rt, struct rib_route_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->table = rt->node->table;
	s->prefix = rt->node->prefix;
	s->plen = rt->node->plen;
	s->src = rt->node->src;
	s->src_plen = rt->node->src_plen;
	s->type = rt->type;
	s->metric = rt->metric;
	s->mtu = rt->mtu;
	s->origin = rt->origin;
	unsigned n = rt->grp ? rt->grp->n : rt->nh ? 1 : 0;
	for (unsigned i = 0; i < n; i++) {
		const struct rib_nh *h = rt->grp ? rt->grp->nh[i] : rt->nh;
		struct rib_path *p = &s->path[i];
		p->ifindex = h->ifindex;
		p->has_gw = !(h->flags & XRT_NH_F_CONNECTED);
		p->gw = h->gw;
		p->weight = rt->grp ? rt->grp->weight[i] : 0;
	}
	s->npaths = n;
}

/* Append the routes of (table, prefix) to a growing record. */
struct route_pack {
	uint8_t *buf;
	size_t len, cap;
};

static int pack_add(struct route_pack *p, const void *data, size_t len, char *err)
{
	if (p->len + len > p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		while (cap < p->len + len)
			cap *= 2;
		uint8_t *b = realloc(p->buf, cap);
		if (!b)
			return xrt_fail(err, -ENOMEM, "out of memory");
		p->buf = b;
		p->cap = cap;
	}
	memcpy(p->buf + p->len, data, len);
	p->len += len;
	return 0;
}

static int pack_route(struct route_pack *p, const struct rib_route *rt, char *err)
{
	struct rib_route_spec s;
	route_spec_of(rt, &s);
	struct route_saved_spec h = {
		.type = s.type, .metric = s.metric, .mtu = s.mtu, .origin = (uint8_t)s.origin,
		.npaths = s.npaths,
	};
	int rc = pack_add(p, &h, sizeof(h), err);
	if (!rc)
		rc = pack_add(p, s.path, s.npaths * sizeof(s.path[0]), err);
	if (!rc)
		((struct route_saved *)p->buf)->n++;
	return rc;
}

/* Next saved spec after at (a header and its paths). */
static const uint8_t *saved_next(const uint8_t *at, struct route_saved_spec *ss,
				 struct rib_path *paths)
{
	memcpy(ss, at, sizeof(*ss));
	at += sizeof(*ss);
	if (paths)
		memcpy(paths, at, ss->npaths * sizeof(*paths));
	return at + ss->npaths * sizeof(*paths);
}

static bool saved_has_metric(const struct route_saved *h, uint32_t metric)
{
	const uint8_t *at = (const uint8_t *)(h + 1);
	struct route_saved_spec ss;
	for (unsigned i = 0; i < h->n; i++) {
		at = saved_next(at, &ss, NULL);
		if (ss.metric == metric)
			return true;
	}
	return false;
}

static void route_restore(struct xrt_router *r, const void *saved)
{
	const struct route_saved *h = saved;
	if (h->whole_node) {
		const struct rib_node *node = rib_node_find_src(r->rib, h->table, &h->prefix,
							       h->plen, &h->src, h->src_plen);
		const struct rib_route *rt = node ? node->routes : NULL;
		while (rt) {
			const struct rib_route *next = rt->next;
			struct rib_match m = { .has_metric = true, .metric = rt->metric,
					       .has_src = true, .src = h->src,
					       .src_plen = h->src_plen };
			if (!saved_has_metric(h, rt->metric) &&
			    !rib_route_del(r->rib, h->table, &h->prefix, h->plen, &m, NULL)) {
				/* The node may be gone with its last route: look again. */
				node = rib_node_find_src(r->rib, h->table, &h->prefix, h->plen,
							 &h->src, h->src_plen);
				next = node ? node->routes : NULL;
			}
			rt = next;
		}
	}
	const uint8_t *at = (const uint8_t *)(h + 1);
	struct rib_route_spec s = { .table = h->table, .prefix = h->prefix, .plen = h->plen,
				    .src = h->src, .src_plen = h->src_plen };
	for (unsigned i = 0; i < h->n; i++) {
		struct route_saved_spec ss;
		at = saved_next(at, &ss, s.path);
		s.type = ss.type;
		s.metric = ss.metric;
		s.mtu = ss.mtu;
		s.origin = ss.origin;
		s.npaths = ss.npaths;
		rib_route_add(r->rib, &s, true, NULL);
	}
}

/* Before add, replace or del of (table, prefix): save its routes. */
static int route_save_node(struct cmd_ctx *c, const struct cmd_route *cr, char *err)
{
	struct route_saved h = {
		.table = cr->table, .prefix = cr->prefix, .plen = cr->plen,
		.src = cr->src, .src_plen = cr->src_plen, .whole_node = true,
	};
	struct route_pack p = { 0 };
	int rc = pack_add(&p, &h, sizeof(h), err);
	const struct rib_node *node = rib_node_find_src(c->r->rib, h.table, &h.prefix, h.plen,
							&h.src, h.src_plen);
	for (const struct rib_route *rt = node ? node->routes : NULL; rt && !rc; rt = rt->next)
		rc = pack_route(&p, rt, err);
	if (!rc)
		rc = cmd_undo_push(c->undo, route_restore, p.buf, p.len, err);
	free(p.buf);
	return rc;
}

/* Before a flush: save every route it matches. */
static int route_save_matching(struct cmd_ctx *c, const struct cmd_route *f, int dev,
			       char *err)
{
	const struct rib_route **v;
	size_t n;
	if (rib_list(c->r->rib, &v, &n))
		return xrt_fail(err, -ENOMEM, "out of memory");
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		if (!route_filter_match(f, dev, v[i]))
			continue;
		struct route_saved h = {
			.table = v[i]->node->table, .prefix = v[i]->node->prefix,
			.plen = v[i]->node->plen, .src = v[i]->node->src,
			.src_plen = v[i]->node->src_plen,
		};
		struct route_pack p = { 0 };
		if (!(rc = pack_add(&p, &h, sizeof(h), err)) && !(rc = pack_route(&p, v[i], err)))
			rc = cmd_undo_push(c->undo, route_restore, p.buf, p.len, err);
		free(p.buf);
	}
	free(v);
	return rc;
}

static int route_exec(struct cmd_ctx *ctx, const struct cmd_req *req, char *err)
{
	struct xrt_router *r = ctx->r;
	const struct cmd_route *c = &req->route;
	int rc;
	switch (req->verb) {
	case ROUTE_ADD:
	case ROUTE_REPLACE: {
		struct rib_route_spec s = {
			.table = c->table, .prefix = c->prefix, .plen = c->plen, .type = c->type,
			.src = c->src, .src_plen = c->src_plen, .metric = c->metric, .mtu = c->mtu,
			.origin = r->in_config ? RIB_ORIGIN_CONFIG : RIB_ORIGIN_STATIC,
		};
		if ((rc = resolve_paths(r, c, &s, err)))
			return rc;
		if (ctx->undo && (rc = route_save_node(ctx, c, err)))
			return rc;
		bool replace = req->verb == ROUTE_REPLACE || r->reloading;
		rc = rib_route_add(r->rib, &s, replace, err);
		/* A refused source route waits (rib.c spass_refuse), but not
		 * one of a reload that is about to be taken back whole. */
		if (rc == -ENOSPC && ctx->undo)
			rib_src_forget(r->rib, &s);
		return rc;
	}
	case ROUTE_DEL: {
		struct rib_match m = {
			.has_metric = c->has_metric, .metric = c->metric,
			.has_type = c->has_type, .type = c->type,
			.has_src = c->has_src, .src = c->src, .src_plen = c->src_plen,
		};
		if ((rc = match_first_dev(r, c, &m, err)))
			return rc;
		if (c->nnh && c->nh[0].has_gw) {
			m.has_gw = true;
			m.gw = c->nh[0].gw;
		}
		if (ctx->undo && (rc = route_save_node(ctx, c, err)))
			return rc;
		return rib_route_del(r->rib, c->table, &c->prefix, c->plen, &m, err);
	}
	case ROUTE_SHOW:
		return route_show(r, c, ctx->json, ctx->out, err);
	case ROUTE_SUMMARY:
		return route_summary(r, ctx->json, ctx->out, err);
	case ROUTE_GET:
		return route_get(r, c, ctx->json, ctx->out, err);
	case ROUTE_FLUSH: {
		struct rib_match m = {
			.has_table = !c->table_all, .table = c->table, .family = c->family,
			.has_metric = c->has_metric, .metric = c->metric,
			.has_type = c->has_type, .type = c->type,
			.has_src = c->has_src, .src = c->src, .src_plen = c->src_plen,
		};
		if ((rc = match_first_dev(r, c, &m, err)))
			return rc;
		if (ctx->undo && (rc = route_save_matching(ctx, c, m.has_dev ? m.ifindex : 0, err)))
			return rc;
		rc = rib_flush(r->rib, &m, err);
		if (rc < 0)
			return rc;
		if (ctx->json)
			xrt_buf_printf(ctx->out, "{\"flushed\":%d}\n", rc);
		return 0;
	}
	}
	return xrt_fail(err, -EINVAL, "route: unknown verb");
}

CMD_REGISTER_VERBS(route, ROUTE_VERBS, "route", "add, del, replace, show, get, flush, summary");
