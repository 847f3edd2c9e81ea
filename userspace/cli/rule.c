/* xrt: `rule add|del|show|flush` (iproute2's ip/iprule.c): policy routing rules, first match by priority, for IPv4 and IPv6. */
#include "cli/cmd.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "router/rules.h"
#include "xrt/inet.h"

enum rule_verb { RULE_ADD, RULE_DEL, RULE_SHOW, RULE_FLUSH };

static const struct {
	const char *name;
	uint8_t action;
} ACTIONS[] = {
	{ "blackhole", XRT_FR_ACT_BLACKHOLE },
	{ "unreachable", XRT_FR_ACT_UNREACHABLE },
	{ "prohibit", XRT_FR_ACT_PROHIBIT },
};

static const char *action_name(uint8_t a)
{
	for (size_t i = 0; i < sizeof(ACTIONS) / sizeof(ACTIONS[0]); i++)
		if (ACTIONS[i].action == a)
			return ACTIONS[i].name;
	return "lookup";
}

/* "from"/"to" PREFIX or "all": address, mask, the length as written. */
static int parse_rule_prefix(const char *w, int *family, uint8_t addr[16], uint8_t mask[16],
			     uint8_t *len, bool *has, char *err)
{
	struct in6_addr a;
	unsigned plen;
	if (!strcmp(w, "all"))
		return 0;
	if (parse_inet_prefix(w, family, &a, &plen, false, err))
		return xrt_fail(err, -EINVAL, "inet prefix is expected rather than \"%s\"", w);
	memcpy(addr, &a, 16);
	memset(mask, 0xff, 16);
	rib_prefix_mask((struct in6_addr *)mask, plen);
	*len = (uint8_t)user_plen(&a, plen);
	*has = true;
	return 0;
}

int parse_rule(int argc, char **argv, int family, bool modify, struct cmd_rule *c, char *err)
{
	struct fib_rule *r = &c->r;
	int rc;
	memset(c, 0, sizeof(*c));
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		if (!strcmp(w, "from") || !strcmp(w, "to")) {
			bool from = w[0] == 'f';
			if ((rc = next_word(argc, argv, &i, err)))
				return rc;
			if ((rc = parse_rule_prefix(argv[i], &family, from ? r->r.src : r->r.dst,
						    from ? r->r.smask : r->r.dmask,
						    from ? &r->src_len : &r->dst_len,
						    from ? &r->has_src : &r->has_dst, err)))
				return rc;
		} else if (!strcmp(w, "iif") || !strcmp(w, "dev") || !strcmp(w, "oif")) {
			if ((rc = next_dev(argc, argv, &i, w[0] == 'o' ? r->oif : r->iif, err)))
				return rc;
		} else if (!strcmp(w, "ipproto")) {
			if ((rc = next_word(argc, argv, &i, err)) ||
			    (rc = parse_proto(argv[i], &r->r.proto, err)))
				return rc;
			r->r.flags |= XRT_FR_F_PROTO;
		} else if (!strcmp(w, "sport") || !strcmp(w, "dport")) {
			bool s = w[0] == 's';
			if ((rc = next_word(argc, argv, &i, err)) ||
			    (rc = parse_port_range(argv[i], w, s ? &r->r.sport_lo : &r->r.dport_lo,
						   s ? &r->r.sport_hi : &r->r.dport_hi, err)))
				return rc;
			r->r.flags |= s ? XRT_FR_F_SPORT : XRT_FR_F_DPORT;
		} else if (!strcmp(w, "priority") || !strcmp(w, "preference") ||
			   !strcmp(w, "pref") || !strcmp(w, "order")) {
			if ((rc = next_word(argc, argv, &i, err)))
				return rc;
			if (parse_u32(argv[i], 0, UINT32_MAX, &r->prio, w, NULL))
				return xrt_fail(err, -EINVAL,
						"argument \"%s\" is wrong: preference value is invalid",
						argv[i]);
			c->has_prio = true;
		} else if (!strcmp(w, "table") || !strcmp(w, "lookup")) {
			if ((rc = next_word(argc, argv, &i, err)))
				return rc;
			if (parse_table(argv[i], &r->table, NULL))
				return xrt_fail(err, -EINVAL,
						"argument \"%s\" is wrong: invalid table ID", argv[i]);
			if (c->has_action)
				return xrt_fail(err, -EINVAL, "\"%s\": the rule has an action already", w);
			r->r.action = XRT_FR_ACT_TO_TBL;
			c->has_table = c->has_action = true;
		} else {
			bool found = false;
			if (!strcmp(w, "type") && i + 1 < argc)
				w = argv[++i];
			for (size_t a = 0; a < sizeof(ACTIONS) / sizeof(ACTIONS[0]) && !found; a++)
				if (!strcmp(w, ACTIONS[a].name)) {
					if (c->has_action)
						return xrt_fail(err, -EINVAL,
								"\"%s\": the rule has an action already", w);
					r->r.action = ACTIONS[a].action;
					c->has_action = found = true;
				}
			if (!found)
				return xrt_fail(err, -EINVAL,
						"argument \"%s\" is wrong: Failed to parse rule type", w);
		}
	}
	/* iprule_modify: no family given and no address: inet. */
	c->family = family == AF_UNSPEC ? AF_INET : family;
	fib_rule_all(r, c->family == AF_INET ? XRT_AF_INET : XRT_AF_INET6);
	/* fib_nl_newrule: a rule without an action is refused (iproute2
	 * itself makes it "lookup main" for add: FR_ACT_TO_TBL, RT_TABLE_MAIN). */
	if (modify && !c->has_action) {
		r->r.action = XRT_FR_ACT_TO_TBL;
		r->table = XRT_TABLE_MAIN;
	}
	return 0;
}

static int rule_parse(int argc, char **argv, struct cmd_req *req, char *err)
{
	bool modify = req->verb == RULE_ADD;
	return parse_rule(argc, argv, req->family, modify, &req->rule, err);
}

void rule_text(const struct fib_rule *f, struct xrt_buf *out)
{
	char a[INET6_ADDRSTRLEN], t[16], p[16];
	bool v4 = f->r.family == XRT_AF_INET;
	unsigned host = v4 ? 32 : 128;
	xrt_buf_printf(out, "%u:\tfrom ", f->prio);
	if (f->has_src) {
		xrt_buf_printf(out, "%s", rib_ntop((const struct in6_addr *)f->r.src, a));
		if (f->src_len != host)
			xrt_buf_printf(out, "/%u", f->src_len);
	} else {
		xrt_buf_printf(out, "all");
	}
	if (f->has_dst) {
		xrt_buf_printf(out, " to %s", rib_ntop((const struct in6_addr *)f->r.dst, a));
		if (f->dst_len != host)
			xrt_buf_printf(out, "/%u", f->dst_len);
	}
	if (f->iif[0])
		xrt_buf_printf(out, " iif %s%s", f->iif,
			       f->r.iif == UINT32_MAX ? " [detached]" : "");
	if (f->oif[0])
		xrt_buf_printf(out, " oif %s%s", f->oif,
			       f->r.oif == UINT32_MAX ? " [detached]" : "");
	if (f->r.flags & XRT_FR_F_PROTO)
		xrt_buf_printf(out, " ipproto %s", proto_name(f->r.proto, p, sizeof(p)));
	if (f->r.flags & XRT_FR_F_SPORT)
		xrt_buf_printf(out, f->r.sport_lo == f->r.sport_hi ? " sport %u" : " sport %u-%u",
			       f->r.sport_lo, f->r.sport_hi);
	if (f->r.flags & XRT_FR_F_DPORT)
		xrt_buf_printf(out, f->r.dport_lo == f->r.dport_hi ? " dport %u" : " dport %u-%u",
			       f->r.dport_lo, f->r.dport_hi);
	if (f->r.flags & XRT_FR_F_KERNEL)
		xrt_buf_printf(out, " [unsupported: to the kernel]");
	if (f->r.action == XRT_FR_ACT_TO_TBL)
		xrt_buf_printf(out, " lookup %s\n", table_name(f->table, t, sizeof(t)));
	else
		xrt_buf_printf(out, " %s\n", action_name(f->r.action));
}

json_object *rule_json(const struct fib_rule *f)
{
	char a[INET6_ADDRSTRLEN], t[16], p[16];
	json_object *o = json_object_new_object();
	JADD(o, "priority", JINT(f->prio));
	JADD(o, "src", JSTR(f->has_src ? rib_ntop((const struct in6_addr *)f->r.src, a) : "all"));
	if (f->has_src)
		JADD(o, "srclen", JINT(f->src_len));
	if (f->has_dst) {
		JADD(o, "dst", JSTR(rib_ntop((const struct in6_addr *)f->r.dst, a)));
		JADD(o, "dstlen", JINT(f->dst_len));
	}
	if (f->iif[0])
		JADD(o, "iif", JSTR(f->iif));
	if (f->oif[0])
		JADD(o, "oif", JSTR(f->oif));
	if (f->r.flags & XRT_FR_F_PROTO)
		JADD(o, "ipproto", JSTR(proto_name(f->r.proto, p, sizeof(p))));
	if (f->r.flags & XRT_FR_F_SPORT) {
		JADD(o, "sport_start", JINT(f->r.sport_lo));
		JADD(o, "sport_end", JINT(f->r.sport_hi));
	}
	if (f->r.flags & XRT_FR_F_DPORT) {
		JADD(o, "dport_start", JINT(f->r.dport_lo));
		JADD(o, "dport_end", JINT(f->r.dport_hi));
	}
	if (f->r.flags & XRT_FR_F_KERNEL)
		JADD(o, "unsupported", json_object_new_boolean(1));
	if (f->r.action == XRT_FR_ACT_TO_TBL)
		JADD(o, "table", JSTR(table_name(f->table, t, sizeof(t))));
	else
		JADD(o, "action", JSTR(action_name(f->r.action)));
	return o;
}

static int rule_show(struct cmd_ctx *ctx, int family)
{
	uint8_t fam = family == AF_INET ? XRT_AF_INET : XRT_AF_INET6;
	json_object *a = ctx->json ? json_object_new_array() : NULL;
	for (unsigned i = 0; i < ctx->r->rules.n; i++) {
		const struct fib_rule *f = &ctx->r->rules.v[i];
		if (f->r.family != fam)
			continue;
		if (a)
			json_object_array_add(a, rule_json(f));
		else
			rule_text(f, ctx->out);
	}
	if (a) {
		json_print(ctx->out, a);
		return 0;
	}
	/* The bounds' counters (SECURITY.md), when they were hit. */
	uint64_t full = ctx->r->rules.refused, slots = rib_table_slots_refused(ctx->r->rib);
	if (full || slots)
		xrt_buf_printf(ctx->out, "# refused: %llu adds (full, %u rules), %llu tables (no fast-path slot)\n",
			       (unsigned long long)full, XRT_FIB_RULES_MAX, (unsigned long long)slots);
	return 0;
}

/* A reload's undo: the whole list as it was. */
static void rule_restore(struct xrt_router *r, const void *saved)
{
	fib_rules_replace(&r->rules, r->rib, saved);
	router_rules_publish(r, NULL);
}

static int rule_exec(struct cmd_ctx *ctx, const struct cmd_req *req, char *err)
{
	struct cmd_rule c = req->rule;
	unsigned mask = 0;
	int rc;
	if (ctx->undo && req->verb != RULE_SHOW &&
	    (rc = cmd_undo_push(ctx->undo, rule_restore, &ctx->r->rules, sizeof(ctx->r->rules),
				err)))
		return rc;
	c.r.r.iif = router_rule_ifindex(c.r.iif);
	c.r.r.oif = router_rule_ifindex(c.r.oif);
	if (ctx->r->in_config || ctx->r->reloading)
		c.r.origin = RIB_ORIGIN_CONFIG;
	switch (req->verb) {
	case RULE_ADD:
		/* A reload keeps the file's rules it names again
		 * (router_rule_add); any other equal rule is "File exists". */
		return router_rule_add(ctx->r, &c.r, c.has_prio, err);
	case RULE_DEL:
		mask |= c.has_prio ? FIB_RULE_M_PRIO : 0;
		mask |= c.has_table ? FIB_RULE_M_TABLE : 0;
		mask |= c.has_action ? FIB_RULE_M_ACTION : 0;
		return router_rule_del(ctx->r, &c.r, mask, err);
	case RULE_FLUSH:
		return router_rules_flush(ctx->r, c.family, err);
	default:
		return rule_show(ctx, c.family);
	}
}

static const struct cmd_verb RULE_VERBS[] = {
	{ "add", 1, RULE_ADD },	      { "delete", 1, RULE_DEL }, { "show", 1, RULE_SHOW },
	{ "list", 1, RULE_SHOW },     { "lst", 1, RULE_SHOW },	 { "flush", 1, RULE_FLUSH },
};
CMD_REGISTER_VERBS(rule, RULE_VERBS, "rule", "add, del, show, flush");
