/* xrt: the `ra` and `icmp` commands: Router Advertisements per interface and the ICMPv6 error rate limit, with text or JSON output. */
#include "cli/cmd_stack.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

#include "xrt/proto.h"

#define JADD(o, k, v) json_object_object_add(o, k, v)
#define JINT(i) json_object_new_int64((int64_t)(i))
#define JSTR(s) json_object_new_string(s)
#define JBOOL(b) json_object_new_boolean(b)

/* Verbs may be abbreviated, as in cmd.c (at least min letters). */
static bool is(const char *w, const char *full, size_t min)
{
	size_t n = strlen(w);
	return n >= min && n <= strlen(full) && !strncmp(w, full, n);
}

static int next_word(int argc, char **argv, int *i, char *err)
{
	if (*i + 1 >= argc) {
		ERR("\"%s\" needs a value", argv[*i]);
		return -EINVAL;
	}
	(*i)++;
	return 0;
}

static int parse_lifetime(const char *w, uint32_t *v, const char *what, char *err)
{
	if (!strcmp(w, "infinity")) {
		*v = ND_LIFETIME_INFINITY;
		return 0;
	}
	return parse_u32(w, 0, ND_LIFETIME_INFINITY - 1, v, what, err);
}

/* ---------------- ra ---------------- */

int parse_ra(int argc, char **argv, bool set, struct cmd_ra *c, char *err)
{
	int rc;
	memset(c, 0, sizeof(*c));
	struct stack_ra_config *cfg = &c->cfg;
	struct stack_ra_prefix *cur = NULL; /* the prefix being described */
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		if (!strcmp(w, "dev")) {
			if ((rc = next_word(argc, argv, &i, err)))
				return rc;
			if (!argv[i][0] || strlen(argv[i]) >= IF_NAMESIZE) {
				ERR("\"%s\" is not an interface name", argv[i]);
				return -EINVAL;
			}
			strcpy(c->dev, argv[i]);
		} else if (set && (!strcmp(w, "on") || !strcmp(w, "off"))) {
			if (c->has_onoff) {
				ERR("\"%s\": on|off is given twice", w);
				return -EINVAL;
			}
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
			if (cfg->nprefixes == STACK_RA_MAX_PREFIXES) {
				ERR("\"%s\": too many prefixes (at most %d)", argv[i],
				    STACK_RA_MAX_PREFIXES);
				return -E2BIG;
			}
			cur = &cfg->prefix[cfg->nprefixes];
			unsigned plen;
			if (!strchr(argv[i], '/')) {
				ERR("\"%s\" needs a prefix length (P/LEN)", argv[i]);
				return -EINVAL;
			}
			if ((rc = parse_prefix(argv[i], &cur->prefix, &plen, false, err)))
				return rc;
			if (plen == 0 || IN6_IS_ADDR_LINKLOCAL(&cur->prefix) ||
			    IN6_IS_ADDR_MULTICAST(&cur->prefix)) {
				ERR("\"%s\" is not a global unicast prefix", argv[i]);
				return -EINVAL;
			}
			for (unsigned k = 0; k < cfg->nprefixes; k++)
				if (cfg->prefix[k].plen == plen &&
				    !memcmp(&cfg->prefix[k].prefix, &cur->prefix, 16)) {
					ERR("prefix \"%s\" is given twice", argv[i]);
					return -EINVAL;
				}
			cur->plen = (uint8_t)plen;
			/* RFC 4861 6.2.1 defaults: AdvOnLinkFlag and
			 * AdvAutonomousFlag true, 30 days valid, 7 preferred. */
			cur->onlink = cur->autonomous = true;
			cur->valid_s = ND_ADV_VALID_LIFETIME_S;
			cur->preferred_s = ND_ADV_PREFERRED_LIFETIME_S;
			cfg->nprefixes++;
		} else if (set && (!strcmp(w, "valid") || !strcmp(w, "preferred"))) {
			if (!cur) {
				ERR("\"%s\" belongs to a \"prefix\"", w);
				return -EINVAL;
			}
			if ((rc = next_word(argc, argv, &i, err)) ||
			    (rc = parse_lifetime(argv[i], w[0] == 'v' ? &cur->valid_s
								      : &cur->preferred_s,
						 w, err)))
				return rc;
		} else if (set && (!strcmp(w, "onlink") || !strcmp(w, "no-onlink") ||
				   !strcmp(w, "autonomous") || !strcmp(w, "no-autonomous"))) {
			if (!cur) {
				ERR("\"%s\" belongs to a \"prefix\"", w);
				return -EINVAL;
			}
			bool on = strncmp(w, "no-", 3) != 0;
			if (strstr(w, "onlink"))
				cur->onlink = on;
			else
				cur->autonomous = on;
		} else {
			ERR("unknown word \"%s\"", w);
			return -EINVAL;
		}
	}
	for (unsigned k = 0; k < cfg->nprefixes; k++) {
		const struct stack_ra_prefix *p = &cfg->prefix[k];
		char b[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, &p->prefix, b, sizeof(b));
		/* RFC 4862 5.5.3 (d) with RFC 4291 2.5.1: hosts form addresses
		 * only from a /64 on Ethernet; anything else is ignored by them. */
		if (p->autonomous && p->plen != 64) {
			ERR("prefix %s/%u: autonomous (SLAAC) needs a /64; add no-autonomous", b,
			    p->plen);
			return -EINVAL;
		}
		if (p->preferred_s > p->valid_s) {
			ERR("prefix %s/%u: preferred lifetime above the valid lifetime", b, p->plen);
			return -EINVAL;
		}
	}
	/* RFC 4861 6.2.1: AdvDefaultLifetime is 0 or MaxRtrAdvInterval..9000,
	 * or hosts lose the default route between two RAs. */
	uint32_t max_iv = cfg->max_interval_s ? cfg->max_interval_s : ND_MAX_RTR_ADV_INTERVAL_S;
	if (cfg->router_lifetime_s && cfg->router_lifetime_s != STACK_RA_LIFETIME_ZERO &&
	    cfg->router_lifetime_s < max_iv) {
		ERR("lifetime %u is below the interval %u (0 or %u..%u, RFC 4861 6.2.1)",
		    cfg->router_lifetime_s, max_iv, max_iv, ND_ADV_DEFAULT_LIFETIME_MAX_S);
		return -EINVAL;
	}
	if (set && !c->dev[0]) {
		ERR("\"dev\" is needed");
		return -EINVAL;
	}
	if (set && !c->has_onoff) {
		ERR("\"on\" or \"off\" is needed");
		return -EINVAL;
	}
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

static void fmt_lifetime(uint32_t v, char *buf, size_t len)
{
	if (v == ND_LIFETIME_INFINITY)
		snprintf(buf, len, "infinity");
	else
		snprintf(buf, len, "%u", v);
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
					 inet_ntop(AF_INET6, &pfx[i].prefix, b, sizeof(b)), pfx[i].plen);
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
			       inet_ntop(AF_INET6, &pfx[i].prefix, b, sizeof(b)), pfx[i].plen,
			       pfx[i].onlink ? " onlink" : " no-onlink",
			       pfx[i].autonomous ? " autonomous" : " no-autonomous", v, p,
			       cfg.nprefixes ? "" : " (from addresses)");
	}
	if (n == 0)
		xrt_buf_printf(out, "    no prefix (default router only)\n");
}

int cmd_ra(struct xrt_router *r, int argc, char **argv, bool json, struct xrt_buf *out,
	   char *err)
{
	const char *verb = argc ? argv[0] : "show";
	struct cmd_ra c;
	int rc;
	argc = argc ? argc - 1 : 0;
	argv = argv + 1;
	if (is(verb, "set", 1)) {
		if ((rc = parse_ra(argc, argv, true, &c, err)))
			return rc;
		if (r->check_only)
			return 0;
		struct xrt_link *l = router_link_need(r, c.dev, err);
		if (!l)
			return -ENODEV;
		char msg[256];
		if ((rc = stack_ra_set(l->dev.ifindex, &c.cfg, msg))) {
			ERR("%s", msg);
			return rc;
		}
		ra_note_origin(l->dev.ifindex, r->in_config && c.cfg.enabled);
		return 0;
	}
	if (is(verb, "show", 1) || is(verb, "list", 1)) {
		if ((rc = parse_ra(argc, argv, false, &c, err)))
			return rc;
		if (r->check_only)
			return 0;
		struct xrt_link *only = NULL;
		if (c.dev[0] && !(only = router_link_need(r, c.dev, err)))
			return -ENODEV;
		json_object *a = json ? json_object_new_array() : NULL;
		for (unsigned s = 1; s < XRT_MAX_IFACES; s++)
			if (r->links[s] && (!only || only == r->links[s]))
				ra_show_one(r->links[s], a, out);
		if (a) {
			const char *js = json_object_to_json_string_ext(
				a, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
			xrt_buf_printf(out, "%s\n", js);
			json_object_put(a);
		}
		return 0;
	}
	ERR("unknown ra command \"%s\" (set, show)", verb);
	return -EINVAL;
}

/* ---------------- icmp ---------------- */

#define ICMP_RATE_MAX 10000000u

int parse_icmp(int argc, char **argv, struct cmd_icmp *c, char *err)
{
	int rc;
	memset(c, 0, sizeof(*c));
	if (argc == 1 && !strcmp(argv[0], "default")) {
		c->defaults = true;
		return 0;
	}
	/* Words before "global" describe the per-destination bucket. */
	uint32_t *rate = &c->rl.per_dst_rate, *burst = &c->rl.per_dst_burst;
	bool *has = &c->has_per_dst, has_burst = false;
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		if (!strcmp(w, "global")) {
			if (c->has_global) {
				ERR("\"global\" is given twice");
				return -EINVAL;
			}
			if (*has && !has_burst)
				*burst = *rate ? *rate : 0;
			if ((rc = next_word(argc, argv, &i, err)) ||
			    (rc = parse_u32(argv[i], 0, ICMP_RATE_MAX, &c->rl.global_rate,
					    "global rate", err)))
				return rc;
			rate = &c->rl.global_rate;
			burst = &c->rl.global_burst;
			has = &c->has_global;
			*has = true;
			has_burst = false;
		} else if (!strcmp(w, "burst")) {
			if (!*has) {
				ERR("\"burst\" needs a rate before it");
				return -EINVAL;
			}
			if (has_burst) {
				ERR("\"burst\" is given twice");
				return -EINVAL;
			}
			if ((rc = next_word(argc, argv, &i, err)) ||
			    (rc = parse_u32(argv[i], 1, ICMP_RATE_MAX, burst, "burst", err)))
				return rc;
			has_burst = true;
		} else if (!c->has_per_dst && !c->has_global && i == 0) {
			if ((rc = parse_u32(w, 0, ICMP_RATE_MAX, &c->rl.per_dst_rate,
					    "rate (messages/s, 0 = off)", err)))
				return rc;
			c->has_per_dst = true;
		} else {
			ERR("unknown word \"%s\"", w);
			return -EINVAL;
		}
	}
	/* One second's worth of messages when no burst is given. */
	if (*has && !has_burst)
		*burst = *rate;
	if (!c->has_per_dst && !c->has_global) {
		ERR("a rate is needed: ratelimit RATE [burst N] [global RATE [burst N]]");
		return -EINVAL;
	}
	return 0;
}

static bool icmp_from_config, icmp_stale;

static const struct stack_icmp_ratelimit ICMP_DEFAULTS = {
	.per_dst_rate = STACK_ICMP_PER_DST_RATE, .per_dst_burst = STACK_ICMP_PER_DST_BURST,
	.global_rate = STACK_ICMP_GLOBAL_RATE, .global_burst = STACK_ICMP_GLOBAL_BURST,
};

int cmd_icmp(struct xrt_router *r, int argc, char **argv, bool json, struct xrt_buf *out,
	     char *err)
{
	const char *verb = argc ? argv[0] : "show";
	int rc;
	if (is(verb, "ratelimit", 4) || is(verb, "set", 3)) {
		/* "icmp set ratelimit ..." reads like "link set". */
		if (is(verb, "set", 3) && argc > 1 && is(argv[1], "ratelimit", 4)) {
			argc--;
			argv++;
		} else if (is(verb, "set", 3)) {
			ERR("usage: icmp ratelimit RATE [burst N] [global RATE [burst N]]");
			return -EINVAL;
		}
		struct cmd_icmp c;
		if ((rc = parse_icmp(argc - 1, argv + 1, &c, err)))
			return rc;
		if (r->check_only)
			return 0;
		struct stack_icmp_ratelimit rl;
		stack_icmp_ratelimit_get(&rl);
		if (c.defaults) {
			rl = ICMP_DEFAULTS;
		} else {
			if (c.has_per_dst) {
				rl.per_dst_rate = c.rl.per_dst_rate;
				rl.per_dst_burst = c.rl.per_dst_burst;
			}
			if (c.has_global) {
				rl.global_rate = c.rl.global_rate;
				rl.global_burst = c.rl.global_burst;
			}
		}
		stack_icmp_ratelimit_set(&rl);
		icmp_from_config = r->in_config && !c.defaults;
		icmp_stale = false;
		return 0;
	}
	if (is(verb, "show", 1) || is(verb, "list", 1)) {
		if (argc > 1) {
			ERR("unknown word \"%s\"", argv[1]);
			return -EINVAL;
		}
		if (r->check_only)
			return 0;
		struct stack_icmp_ratelimit rl;
		stack_icmp_ratelimit_get(&rl);
		if (json)
			xrt_buf_printf(out,
				       "{\"ratelimit\":{\"rate\":%u,\"burst\":%u},"
				       "\"global\":{\"rate\":%u,\"burst\":%u}}\n",
				       rl.per_dst_rate, rl.per_dst_burst, rl.global_rate,
				       rl.global_burst);
		else
			/* Reads back as the command that sets it. */
			xrt_buf_printf(out, "ratelimit %u burst %u global %u burst %u\n",
				       rl.per_dst_rate, rl.per_dst_burst, rl.global_rate,
				       rl.global_burst);
		return 0;
	}
	ERR("unknown icmp command \"%s\" (ratelimit, show)", verb);
	return -EINVAL;
}

/* ---------------- configuration reload ---------------- */

void cmd_stack_config_mark(bool stale)
{
	for (int i = 0; i < XRT_MAX_IFACES; i++)
		ra_from_config[i].stale = stale && ra_from_config[i].ifindex;
	icmp_stale = stale && icmp_from_config;
}

void cmd_stack_config_sweep(struct xrt_router *r)
{
	char msg[256];
	for (int i = 0; i < XRT_MAX_IFACES; i++) {
		if (!ra_from_config[i].ifindex || !ra_from_config[i].stale)
			continue;
		struct stack_ra_config off = { .enabled = false };
		if (router_link_by_ifindex(r, ra_from_config[i].ifindex))
			stack_ra_set(ra_from_config[i].ifindex, &off, msg);
		ra_from_config[i].ifindex = 0;
		ra_from_config[i].stale = false;
	}
	if (icmp_stale) {
		stack_icmp_ratelimit_set(&ICMP_DEFAULTS);
		icmp_from_config = icmp_stale = false;
	}
}
