/* xrt: `ra set|show` (radvd's options as words): the Router Advertisements the slow path sends per interface (RFC 4861 6.2). */
#include "cli/cmd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xrt/proto.h"

enum ra_verb { RA_SET, RA_SHOW };

int parse_ra(int argc, char **argv, bool set, struct cmd_ra *c, char *err)
{
	int rc;
	memset(c, 0, sizeof(*c));
	struct stack_ra_config *cfg = &c->cfg;
	struct stack_ra_prefix *cur = NULL; /* the prefix being described */
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		if (!strcmp(w, "dev")) {
			if ((rc = next_dev(argc, argv, &i, c->dev, err)))
				return rc;
		} else if (set && (!strcmp(w, "on") || !strcmp(w, "off"))) {
			if (c->has_onoff)
				return xrt_fail(err, -EINVAL, "\"%s\": on|off is given twice", w);
			cfg->enabled = w[1] == 'n';
			c->has_onoff = true;
		} else if (set && (!strcmp(w, "interval") || !strcmp(w, "max-interval"))) {
			/* radvd's MaxRtrAdvInterval; the minimum follows (max / 3). */
			if ((rc = next_word(argc, argv, &i, err)) ||
			    (rc = parse_u32(argv[i], ND_MAX_RTR_ADV_INTERVAL_MIN_S,
					    ND_MAX_RTR_ADV_INTERVAL_MAX_S, &cfg->max_interval_s, w, err)))
				return rc;
		} else if (set && !strcmp(w, "min-interval")) {
			if ((rc = next_word(argc, argv, &i, err)) ||
			    (rc = parse_u32(argv[i], ND_MIN_RTR_ADV_INTERVAL_MIN_S,
					    ND_MAX_RTR_ADV_INTERVAL_MAX_S * 3 / 4, &cfg->min_interval_s,
					    w, err)))
				return rc;
		} else if (set && !strcmp(w, "lifetime")) {
			/* Router Lifetime (RFC 4861 4.2), at most 9000 s (6.2.1). */
			uint32_t v;
			if ((rc = next_word(argc, argv, &i, err)) ||
			    (rc = parse_u32(argv[i], 0, ND_ADV_DEFAULT_LIFETIME_MAX_S, &v,
					    "lifetime", err)))
				return rc;
			cfg->router_lifetime_s = v ? (uint16_t)v : STACK_RA_LIFETIME_ZERO;
		} else if (set && !strcmp(w, "mtu")) {
			if ((rc = next_word(argc, argv, &i, err)))
				return rc;
			if (!strcmp(argv[i], "auto"))
				cfg->mtu = 0;
			else if (!strcmp(argv[i], "off"))
				cfg->mtu = STACK_RA_MTU_OFF;
			else if ((rc = parse_u32(argv[i], IP6_MIN_MTU, 65535, &cfg->mtu,
						 "mtu (or auto, off)", err)))
				return rc;
		} else if (set && !strcmp(w, "prefix")) {
			if ((rc = next_word(argc, argv, &i, err)))
				return rc;
			if (cfg->nprefixes == STACK_RA_MAX_PREFIXES)
				return xrt_fail(err, -E2BIG,
						"\"%s\": too many prefixes (at most %d)", argv[i],
						STACK_RA_MAX_PREFIXES);
			cur = &cfg->prefix[cfg->nprefixes];
			unsigned plen;
			if (!strchr(argv[i], '/'))
				return xrt_fail(err, -EINVAL,
						"\"%s\" needs a prefix length (P/LEN)", argv[i]);
			if ((rc = parse_prefix(argv[i], &cur->prefix, &plen, false, err)))
				return rc;
			if (plen == 0 || IN6_IS_ADDR_LINKLOCAL(&cur->prefix) ||
			    IN6_IS_ADDR_MULTICAST(&cur->prefix)) {
				return xrt_fail(err, -EINVAL,
						"\"%s\" is not a global unicast prefix", argv[i]);
			}
			for (unsigned k = 0; k < cfg->nprefixes; k++)
				if (cfg->prefix[k].plen == plen &&
				    !memcmp(&cfg->prefix[k].prefix, &cur->prefix, 16)) {
					return xrt_fail(err, -EINVAL,
							"prefix \"%s\" is given twice", argv[i]);
				}
			cur->plen = (uint8_t)plen;
			/* RFC 4861 6.2.1 defaults: AdvOnLinkFlag and
			 * AdvAutonomousFlag true, 30 days valid, 7 preferred. */
			cur->onlink = cur->autonomous = true;
			cur->valid_s = ND_ADV_VALID_LIFETIME_S;
			cur->preferred_s = ND_ADV_PREFERRED_LIFETIME_S;
			cfg->nprefixes++;
		} else if (set && (!strcmp(w, "valid") || !strcmp(w, "preferred"))) {
			if (!cur)
				return xrt_fail(err, -EINVAL, "\"%s\" belongs to a \"prefix\"", w);
			if ((rc = next_word(argc, argv, &i, err)) ||
			    (rc = parse_lifetime(argv[i], w[0] == 'v' ? &cur->valid_s
								      : &cur->preferred_s,
						 w, err)))
				return rc;
		} else if (set && (!strcmp(w, "onlink") || !strcmp(w, "no-onlink") ||
				   !strcmp(w, "autonomous") || !strcmp(w, "no-autonomous"))) {
			if (!cur)
				return xrt_fail(err, -EINVAL, "\"%s\" belongs to a \"prefix\"", w);
			bool on = strncmp(w, "no-", 3) != 0;
			if (strstr(w, "onlink"))
				cur->onlink = on;
			else
				cur->autonomous = on;
		} else {
			return xrt_fail(err, -EINVAL, "unknown word \"%s\"", w);
		}
	}
	for (unsigned k = 0; k < cfg->nprefixes; k++) {
		const struct stack_ra_prefix *p = &cfg->prefix[k];
		char b[INET6_ADDRSTRLEN];
		ntop(&p->prefix, b);
		/* RFC 4862 5.5.3 (d) with RFC 4291 2.5.1: hosts form addresses
		 * only from a /64 on Ethernet; anything else is ignored by them. */
		if (p->autonomous && p->plen != 64)
			return xrt_fail(err, -EINVAL,
					"prefix %s/%u: autonomous (SLAAC) needs a /64; add no-autonomous", b,
					p->plen);
		if (p->preferred_s > p->valid_s)
			return xrt_fail(err, -EINVAL,
					"prefix %s/%u: preferred lifetime above the valid lifetime", b, p->plen);
	}
	/* RFC 4861 6.2.1: AdvDefaultLifetime is 0 or MaxRtrAdvInterval..9000,
	 * or hosts lose the default route between two RAs. */
	uint32_t max_iv = cfg->max_interval_s ? cfg->max_interval_s : ND_MAX_RTR_ADV_INTERVAL_S;
	if (cfg->router_lifetime_s && cfg->router_lifetime_s != STACK_RA_LIFETIME_ZERO &&
	    cfg->router_lifetime_s < max_iv) {
		return xrt_fail(err, -EINVAL,
				"lifetime %u is below the interval %u (0 or %u..%u, RFC 4861 6.2.1)",
				cfg->router_lifetime_s, max_iv, max_iv, ND_ADV_DEFAULT_LIFETIME_MAX_S);
	}
	if (set && !c->dev[0])
		return xrt_fail(err, -EINVAL, "\"dev\" is needed");
	if (set && !c->has_onoff)
		return xrt_fail(err, -EINVAL, "\"on\" or \"off\" is needed");
	return 0;
}

/* Interfaces whose RA configuration came from the configuration file. */
static struct {
	int ifindex; /* 0 = free */
	bool stale;
} ra_from_config[XRT_MAX_IFACES];

static void ra_note_origin(int ifindex, bool from_config)
{
	int free_slot = -1;
	for (int i = 0; i < XRT_MAX_IFACES; i++) {
		if (ra_from_config[i].ifindex == ifindex) {
			if (from_config)
				ra_from_config[i].stale = false;
			else
				ra_from_config[i].ifindex = 0; /* the CLI owns it now */
			return;
		}
		if (!ra_from_config[i].ifindex && free_slot < 0)
			free_slot = i;
	}
	if (from_config && free_slot >= 0) {
		ra_from_config[free_slot].ifindex = ifindex;
		ra_from_config[free_slot].stale = false;
	}
}

/* What the stack advertises: the configured prefixes, or (none configured)
 * every global /64 of the interface, as ndisc_send_ra picks them. */
static unsigned ra_effective_prefixes(const struct xrt_link *l, const struct stack_ra_config *cfg,
				      struct stack_ra_prefix *out)
{
	if (cfg->nprefixes) {
		memcpy(out, cfg->prefix, cfg->nprefixes * sizeof(*out));
		return cfg->nprefixes;
	}
	unsigned n = 0;
	for (unsigned i = 0; i < l->dev.naddrs && n < XRT_MAX_ADDRS; i++) {
		const struct in6_addr *a = &l->dev.addr[i];
		if (l->dev.plen[i] != 64 || IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_MULTICAST(a))
			continue;
		out[n] = (struct stack_ra_prefix){
			.plen = 64, .onlink = true, .autonomous = true,
			.valid_s = ND_ADV_VALID_LIFETIME_S, .preferred_s = ND_ADV_PREFERRED_LIFETIME_S,
		};
		memcpy(out[n].prefix.s6_addr, a->s6_addr, 8);
		n++;
	}
	return n;
}

static void ra_show_one(struct xrt_link *l, json_object *a, struct xrt_buf *out)
{
	struct stack_ra_config cfg;
	stack_ra_get(l->dev.ifindex, &cfg);
	struct stack_ra_prefix pfx[STACK_RA_MAX_PREFIXES > XRT_MAX_ADDRS ? STACK_RA_MAX_PREFIXES
									  : XRT_MAX_ADDRS];
	unsigned n = cfg.enabled ? ra_effective_prefixes(l, &cfg, pfx) : 0;
	uint32_t mtu = cfg.mtu ? cfg.mtu : l->dev.mtu;
	bool mtu_opt = cfg.mtu != STACK_RA_MTU_OFF;
	unsigned lifetime = cfg.router_lifetime_s == STACK_RA_LIFETIME_ZERO ? 0
									     : cfg.router_lifetime_s;
	char b[INET6_ADDRSTRLEN], v[16], p[16];
	if (a) {
		json_object *o = json_object_new_object();
		JADD(o, "ifname", JSTR(l->dev.name));
		JADD(o, "ra", JBOOL(cfg.enabled));
		if (cfg.enabled) {
			JADD(o, "min_interval", JINT(cfg.min_interval_s));
			JADD(o, "max_interval", JINT(cfg.max_interval_s));
			JADD(o, "lifetime", JINT(lifetime));
			JADD(o, "mtu_option", JBOOL(mtu_opt));
			if (mtu_opt)
				JADD(o, "mtu", JINT(mtu));
			JADD(o, "prefixes_from", JSTR(cfg.nprefixes ? "config" : "addresses"));
			json_object *pa = json_object_new_array();
			for (unsigned i = 0; i < n; i++) {
				json_object *x = json_object_new_object();
				char pb[INET6_ADDRSTRLEN + 8];
				snprintf(pb, sizeof(pb), "%s/%u",
					 ntop(&pfx[i].prefix, b), pfx[i].plen);
				JADD(x, "prefix", JSTR(pb));
				JADD(x, "onlink", JBOOL(pfx[i].onlink));
				JADD(x, "autonomous", JBOOL(pfx[i].autonomous));
				JADD(x, "valid", JINT(pfx[i].valid_s));
				JADD(x, "preferred", JINT(pfx[i].preferred_s));
				json_object_array_add(pa, x);
			}
			JADD(o, "prefixes", pa);
		}
		json_object_array_add(a, o);
		return;
	}
	if (!cfg.enabled) {
		xrt_buf_printf(out, "%s: ra off\n", l->dev.name);
		return;
	}
	xrt_buf_printf(out, "%s: ra on min-interval %u interval %u lifetime %u", l->dev.name,
		       cfg.min_interval_s, cfg.max_interval_s, lifetime);
	if (mtu_opt)
		xrt_buf_printf(out, " mtu %u%s\n", mtu, cfg.mtu ? "" : " (auto)");
	else
		xrt_buf_printf(out, " mtu off\n");
	for (unsigned i = 0; i < n; i++) {
		fmt_lifetime(pfx[i].valid_s, v, sizeof(v));
		fmt_lifetime(pfx[i].preferred_s, p, sizeof(p));
		xrt_buf_printf(out, "    prefix %s/%u%s%s valid %s preferred %s%s\n",
			       ntop(&pfx[i].prefix, b), pfx[i].plen,
			       pfx[i].onlink ? " onlink" : " no-onlink",
			       pfx[i].autonomous ? " autonomous" : " no-autonomous", v, p,
			       cfg.nprefixes ? "" : " (from addresses)");
	}
	if (n == 0)
		xrt_buf_printf(out, "    no prefix (default router only)\n");
}

static const struct cmd_verb RA_VERBS[] = {
	{ "set", 1, RA_SET },
	{ "show", 1, RA_SHOW },
	{ "list", 1, RA_SHOW },
};

static int ra_parse(int argc, char **argv, struct cmd_req *req, char *err)
{
	return parse_ra(argc, argv, req->verb == RA_SET, &req->ra, err);
}

/* Undo of a reload's `ra set`: the interface's RA configuration before it,
 * and whether the file owned it. */
struct ra_saved {
	int ifindex;
	bool from_config;
	struct stack_ra_config cfg;
};

static bool ra_owned_by_config(int ifindex)
{
	for (int i = 0; i < XRT_MAX_IFACES; i++)
		if (ra_from_config[i].ifindex == ifindex)
			return true;
	return false;
}

static void ra_restore(struct xrt_router *r, const void *saved)
{
	const struct ra_saved *s = saved;
	(void)r;
	stack_ra_set(s->ifindex, &s->cfg, NULL);
	ra_note_origin(s->ifindex, s->from_config);
}

static int ra_exec(struct cmd_ctx *ctx, const struct cmd_req *req, char *err)
{
	struct xrt_router *r = ctx->r;
	const struct cmd_ra *c = &req->ra;
	struct xrt_link *l = NULL;
	int rc;
	if (c->dev[0] && !(l = router_link_need(r, c->dev, err)))
		return -ENODEV;
	if (req->verb == RA_SHOW) {
		json_object *a = ctx->json ? json_object_new_array() : NULL;
		for (unsigned s = 1; s < XRT_MAX_IFACES; s++)
			if (r->links[s] && (!l || l == r->links[s]))
				ra_show_one(r->links[s], a, ctx->out);
		if (a)
			json_print(ctx->out, a);
		return 0;
	}
	if (ctx->undo) {
		struct ra_saved s = { .ifindex = l->dev.ifindex,
				      .from_config = ra_owned_by_config(l->dev.ifindex) };
		stack_ra_get(l->dev.ifindex, &s.cfg);
		if ((rc = cmd_undo_push(ctx->undo, ra_restore, &s, sizeof(s), err)))
			return rc;
	}
	if ((rc = stack_ra_set(l->dev.ifindex, &c->cfg, err)))
		return rc;
	ra_note_origin(l->dev.ifindex, r->in_config && c->cfg.enabled);
	return 0;
}

void ra_config_mark(bool stale)
{
	for (int i = 0; i < XRT_MAX_IFACES; i++)
		ra_from_config[i].stale = stale && ra_from_config[i].ifindex;
}

void ra_config_sweep(struct xrt_router *r)
{
	for (int i = 0; i < XRT_MAX_IFACES; i++) {
		if (!ra_from_config[i].ifindex || !ra_from_config[i].stale)
			continue;
		struct stack_ra_config off = { .enabled = false };
		if (router_link_by_ifindex(r, ra_from_config[i].ifindex))
			stack_ra_set(ra_from_config[i].ifindex, &off, NULL);
		ra_from_config[i].ifindex = 0;
		ra_from_config[i].stale = false;
	}
}

CMD_REGISTER_VERBS(ra, RA_VERBS, "ra", "set, show");
