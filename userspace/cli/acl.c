/* xrt: `acl add|del|show|flush`: the stateless ACL at netfilter's hook points (prerouting, forward, local input), first match by priority, IPv6 and IPv4 rules apart. */
#include "cli/cmd.h"

#include <errno.h>
#include <netinet/ip_icmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/acl.h"
#include "xrt/inet.h"

enum acl_verb { ACL_ADD, ACL_DEL, ACL_SHOW, ACL_FLUSH };

static const char *const DIR_NAMES[XRT_ACL_DIRS] = { [XRT_ACL_IN] = "in",
						     [XRT_ACL_OUT] = "out",
						     [XRT_ACL_LOCAL] = "local" };

static const struct {
	const char *name;
	uint8_t proto;
} PROTOS[] = {
	{ "tcp", NEXTHDR_TCP },	       { "udp", NEXTHDR_UDP },	{ "icmpv6", NEXTHDR_ICMP },
	{ "ipv6-icmp", NEXTHDR_ICMP }, { "icmp6", NEXTHDR_ICMP }, { "icmp", IP4_PROTO_ICMP },
};

/* icmp-type names: ICMPv6's (RFC 4443 2.1) and ICMP's (RFC 792), the
 * rule's family choosing. */
static const struct icmp_type_name {
	const char *name;
	uint8_t type;
} ICMP6_TYPES[] = {
	{ "destination-unreachable", ICMP6_DST_UNREACH },
	{ "packet-too-big", ICMP6_PKT_TOOBIG },
	{ "time-exceeded", ICMP6_TIME_EXCEED },
	{ "parameter-problem", ICMP6_PARAMPROB },
	{ "echo-request", ICMP6_ECHO_REQUEST },
	{ "echo-reply", ICMP6_ECHO_REPLY },
	{ NULL, 0 },
}, ICMP4_TYPES[] = {
	{ "destination-unreachable", ICMP_DEST_UNREACH },
	{ "time-exceeded", ICMP_TIME_EXCEEDED },
	{ "parameter-problem", ICMP_PARAMETERPROB },
	{ "redirect", ICMP_REDIRECT },
	{ "echo-request", ICMP_ECHO },
	{ "echo-reply", ICMP_ECHOREPLY },
	{ NULL, 0 },
};

const char *proto_name(uint8_t p, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(PROTOS) / sizeof(PROTOS[0]); i++)
		if (PROTOS[i].proto == p)
			return PROTOS[i].name;
	snprintf(buf, len, "%u", p);
	return buf;
}

int parse_proto(const char *w, uint8_t *p, char *err)
{
	uint32_t v;

	for (size_t i = 0; i < sizeof(PROTOS) / sizeof(PROTOS[0]); i++)
		if (!strcmp(w, PROTOS[i].name)) {
			*p = PROTOS[i].proto;
			return 0;
		}
	if (parse_u32(w, 0, 255, &v, "ipproto", err))
		return xrt_fail(err, -EINVAL,
				"ipproto \"%s\": expected tcp, udp, icmpv6 or a number 0..255", w);
	*p = (uint8_t)v;
	return 0;
}

/* "N" or "N-M", N <= M, within 0..65535. */
int parse_port_range(const char *w, const char *what, uint16_t *lo, uint16_t *hi,
			    char *err)
{
	char buf[16], *dash;
	uint32_t a, b;

	if (strlen(w) >= sizeof(buf))
		return xrt_fail(err, -EINVAL, "%s \"%s\": expected N or N-M (0..65535)", what, w);
	strcpy(buf, w);
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (parse_u32(buf, 0, 65535, &a, what, NULL) ||
	    (dash && parse_u32(dash + 1, 0, 65535, &b, what, NULL)))
		return xrt_fail(err, -EINVAL, "%s \"%s\": expected N or N-M (0..65535)", what, w);
	if (!dash)
		b = a;
	if (a > b)
		return xrt_fail(err, -EINVAL, "%s \"%s\": the range ends below its start", what, w);
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

/* The type by its name in the family's list, or a number. */
static int parse_icmp_type(const char *w, bool v4, uint8_t *t, char *err)
{
	const struct icmp_type_name *n = v4 ? ICMP4_TYPES : ICMP6_TYPES;
	uint32_t v;

	for (; n->name; n++)
		if (!strcmp(w, n->name)) {
			*t = n->type;
			return 0;
		}
	if (parse_u32(w, 0, 255, &v, "icmp-type", NULL))
		return xrt_fail(err, -EINVAL,
				v4 ? "icmp-type \"%s\": expected 0..255 or echo-request, echo-reply, "
				     "destination-unreachable, redirect, time-exceeded, "
				     "parameter-problem (ICMP, an IPv4 rule)"
				   : "icmp-type \"%s\": expected 0..255 or echo-request, echo-reply, "
				     "destination-unreachable, packet-too-big, time-exceeded, "
				     "parameter-problem (ICMPv6, an IPv6 rule)",
				w);
	*t = (uint8_t)v;
	return 0;
}

/* The prefix (IPv4 as ::ffff:a.b.c.d/plen + 96, include/xrt/inet.h) and
 * the mask of its length, network byte order; *family settles on the
 * first address, a later one of the other family is refused. */
static int parse_acl_prefix(const char *w, int *family, uint8_t addr[16], uint8_t mask[16],
			    char *err)
{
	struct in6_addr a;
	unsigned plen;
	int rc = parse_inet_prefix(w, family, &a, &plen, false, err);

	if (rc)
		return rc;
	memcpy(addr, &a, 16);
	memset(mask, 0, 16);
	for (unsigned b = 0; b < plen; b++)
		mask[b / 8] |= (uint8_t)(0x80u >> (b % 8));
	return 0;
}

static unsigned mask_plen(const uint8_t mask[16])
{
	unsigned n = 0;

	for (unsigned b = 0; b < 128 && (mask[b / 8] & (0x80u >> (b % 8))); b++)
		n++;
	return n;
}

/*
 * The rule's family, once every word is read: -4/-6 or the addresses, else
 * ipproto icmp (ICMP is IPv4's), else IPv6 (what a rule meant before IPv4
 * rules existed). Addresses left out become the family's whole space, so
 * that the rule shows as 0.0.0.0/0 or ::/0. The protocol must be the
 * family's: icmp for IPv4, icmpv6 for IPv6.
 */
static int acl_settle_family(struct cmd_acl *c, const char *type_word, char *err)
{
	struct xrt_acl_rule *r = &c->r;
	bool has_proto = r->flags & XRT_ACL_F_PROTO;
	int rc;

	if (c->family == AF_UNSPEC)
		c->family = has_proto && r->proto == IP4_PROTO_ICMP ? AF_INET : AF_INET6;
	r->v4 = c->family == AF_INET;
	if (r->v4) {
		if (!mask_plen(r->smask))
			parse_acl_prefix("0.0.0.0/0", &c->family, r->src, r->smask, NULL);
		if (!mask_plen(r->dmask))
			parse_acl_prefix("0.0.0.0/0", &c->family, r->dst, r->dmask, NULL);
	}
	if (has_proto && r->proto == (r->v4 ? NEXTHDR_ICMP : IP4_PROTO_ICMP))
		return xrt_fail(err, -EINVAL, "ipproto %s is not for an %s rule (%s)",
				r->v4 ? "icmpv6" : "icmp", r->v4 ? "IPv4" : "IPv6",
				r->v4 ? "icmp" : "icmpv6");
	if (!type_word)
		return 0;
	/* nftables' "icmp type" / "icmpv6 type" implies the protocol. */
	if ((rc = parse_icmp_type(type_word, r->v4, &r->icmp_type, err)))
		return rc;
	r->proto = r->v4 ? IP4_PROTO_ICMP : NEXTHDR_ICMP;
	r->flags |= XRT_ACL_F_PROTO;
	return 0;
}

int parse_acl(int argc, char **argv, bool need_action, bool selectors_only, int family,
	      struct cmd_acl *c, char *err)
{
	struct xrt_acl_rule *r = &c->r;
	const char *type_word = NULL;
	uint32_t v;
	int rc;

	memset(c, 0, sizeof(*c));
	c->family = family;
	c->prio = XRT_ACL_PRIO_DEFAULT;
	r->dir = XRT_ACL_IN;
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		bool sel = !strcmp(w, "dev") || !strcmp(w, "dir");

		if (selectors_only && !sel)
			return xrt_fail(err, -EINVAL, "unknown word \"%s\" (dev, dir)", w);
		if (strcmp(w, "code") && strcmp(w, "dev") && strcmp(w, "dir") &&
		    strcmp(w, "from") && strcmp(w, "to") && strcmp(w, "ipproto") &&
		    strcmp(w, "sport") && strcmp(w, "dport") && strcmp(w, "icmp-type") &&
		    strcmp(w, "priority") && strcmp(w, "action"))
			return xrt_fail(err, -EINVAL, "unknown word \"%s\"", w);
		if ((rc = next_word(argc, argv, &i, err)))
			return rc;
		const char *a = argv[i];
		if (!strcmp(w, "dev")) {
			if ((rc = parse_dev(a, c->dev, err)))
				return rc;
		} else if (!strcmp(w, "dir")) {
			for (v = 0; v < XRT_ACL_DIRS && strcmp(a, DIR_NAMES[v]); v++)
				;
			if (v == XRT_ACL_DIRS)
				return xrt_fail(err, -EINVAL, "dir \"%s\": expected in, out or local",
						a);
			r->dir = (uint8_t)v;
			c->has_dir = true;
		} else if (!strcmp(w, "from")) {
			if ((rc = parse_acl_prefix(a, &c->family, r->src, r->smask, err)))
				return rc;
		} else if (!strcmp(w, "to")) {
			if ((rc = parse_acl_prefix(a, &c->family, r->dst, r->dmask, err)))
				return rc;
		} else if (!strcmp(w, "ipproto")) {
			if ((rc = parse_proto(a, &r->proto, err)))
				return rc;
			r->flags |= XRT_ACL_F_PROTO;
		} else if (!strcmp(w, "sport")) {
			if ((rc = parse_port_range(a, "sport", &r->sport_lo, &r->sport_hi, err)))
				return rc;
			r->flags |= XRT_ACL_F_SPORT;
		} else if (!strcmp(w, "dport")) {
			if ((rc = parse_port_range(a, "dport", &r->dport_lo, &r->dport_hi, err)))
				return rc;
			r->flags |= XRT_ACL_F_DPORT;
		} else if (!strcmp(w, "icmp-type")) {
			type_word = a; /* ICMP's or ICMPv6's: the family decides */
			r->flags |= XRT_ACL_F_TYPE;
		} else if (!strcmp(w, "code")) {
			if (!type_word)
				return xrt_fail(err, -EINVAL, "\"code\" needs \"icmp-type\" before it");
			if ((rc = parse_u32(a, 0, 255, &v, "code", err)))
				return rc;
			r->icmp_code = (uint8_t)v;
			r->flags |= XRT_ACL_F_CODE;
		} else if (!strcmp(w, "priority")) {
			if ((rc = parse_u32(a, 0, UINT32_MAX, &c->prio, "priority", err)))
				return rc;
			c->has_prio = true;
		} else { /* action */
			if (!strcmp(a, "pass") || !strcmp(a, "accept"))
				r->action = XRT_ACL_PASS;
			else if (!strcmp(a, "drop"))
				r->action = XRT_ACL_DROP;
			else
				return xrt_fail(err, -EINVAL, "action \"%s\": expected pass or drop", a);
			c->has_action = true;
		}
	}
	if (type_word && (r->flags & XRT_ACL_F_PROTO) && r->proto != NEXTHDR_ICMP &&
	    r->proto != IP4_PROTO_ICMP)
		return xrt_fail(err, -EINVAL, "icmp-type needs ipproto icmp or icmpv6");
	/* show and flush select by -4/-6 alone. */
	if (!selectors_only && (rc = acl_settle_family(c, type_word, err)))
		return rc;
	/* Ports need a protocol that has them. */
	if ((r->flags & (XRT_ACL_F_SPORT | XRT_ACL_F_DPORT)) &&
	    (!(r->flags & XRT_ACL_F_PROTO) || (r->proto != NEXTHDR_TCP && r->proto != NEXTHDR_UDP)))
		return xrt_fail(err, -EINVAL, "sport and dport need ipproto tcp or udp");
	if (need_action && !c->has_action)
		return xrt_fail(err, -EINVAL, "\"action pass|drop\" is needed");
	return 0;
}

static void acl_text(struct xrt_router *r, const struct xrt_acl_entry *e, struct xrt_buf *out)
{
	const struct xrt_acl_rule *x = &e->r;
	char pfx[INET6_ADDRSTRLEN + 8], pb[8];

	xrt_buf_printf(out, "priority %u dir %s", e->prio, DIR_NAMES[x->dir % XRT_ACL_DIRS]);
	if (x->ifindex)
		xrt_buf_printf(out, " dev %s", dev_name(r, (int)x->ifindex));
	/* An IPv4 rule always names its source (fmt_prefix writes a whole
	 * space as "default", which would read back as IPv6's). */
	if (x->v4 && mask_plen(x->smask) == XRT_V4_PLEN_OFFSET)
		xrt_buf_printf(out, " from 0.0.0.0/0");
	for (int i = 0; i < 2; i++) {
		const uint8_t *a = i ? x->dst : x->src, *m = i ? x->dmask : x->smask;
		unsigned plen = mask_plen(m);

		if (plen <= (x->v4 ? XRT_V4_PLEN_OFFSET : 0))
			continue;
		fmt_prefix((const struct in6_addr *)a, plen, pfx, sizeof(pfx));
		xrt_buf_printf(out, i ? " to %s" : " from %s", pfx);
	}
	if (x->flags & XRT_ACL_F_PROTO)
		xrt_buf_printf(out, " ipproto %s", proto_name(x->proto, pb, sizeof(pb)));
	if (x->flags & XRT_ACL_F_SPORT)
		xrt_buf_printf(out, x->sport_lo == x->sport_hi ? " sport %u" : " sport %u-%u",
			       x->sport_lo, x->sport_hi);
	if (x->flags & XRT_ACL_F_DPORT)
		xrt_buf_printf(out, x->dport_lo == x->dport_hi ? " dport %u" : " dport %u-%u",
			       x->dport_lo, x->dport_hi);
	if (x->flags & XRT_ACL_F_TYPE)
		xrt_buf_printf(out, " icmp-type %u", x->icmp_type);
	if (x->flags & XRT_ACL_F_CODE)
		xrt_buf_printf(out, " code %u", x->icmp_code);
	xrt_buf_printf(out, " action %s packets %llu bytes %llu\n",
		       x->action == XRT_ACL_DROP ? "drop" : "pass", (unsigned long long)e->pkts,
		       (unsigned long long)e->bytes);
}

static json_object *acl_json(struct xrt_router *r, const struct xrt_acl_entry *e)
{
	const struct xrt_acl_rule *x = &e->r;
	json_object *o = json_object_new_object();
	char pfx[INET6_ADDRSTRLEN + 8], pb[8];

	JADD(o, "priority", JINT(e->prio));
	JADD(o, "dir", JSTR(DIR_NAMES[x->dir % XRT_ACL_DIRS]));
	JADD(o, "family", JSTR(family_name(x->v4 ? AF_INET : AF_INET6)));
	if (x->ifindex)
		JADD(o, "dev", JSTR(dev_name(r, (int)x->ifindex)));
	fmt_prefix((const struct in6_addr *)x->src, mask_plen(x->smask), pfx, sizeof(pfx));
	JADD(o, "from", JSTR(pfx));
	fmt_prefix((const struct in6_addr *)x->dst, mask_plen(x->dmask), pfx, sizeof(pfx));
	JADD(o, "to", JSTR(pfx));
	if (x->flags & XRT_ACL_F_PROTO)
		JADD(o, "ipproto", JSTR(proto_name(x->proto, pb, sizeof(pb))));
	if (x->flags & XRT_ACL_F_SPORT) {
		JADD(o, "sport_min", JINT(x->sport_lo));
		JADD(o, "sport_max", JINT(x->sport_hi));
	}
	if (x->flags & XRT_ACL_F_DPORT) {
		JADD(o, "dport_min", JINT(x->dport_lo));
		JADD(o, "dport_max", JINT(x->dport_hi));
	}
	if (x->flags & XRT_ACL_F_TYPE)
		JADD(o, "icmp_type", JINT(x->icmp_type));
	if (x->flags & XRT_ACL_F_CODE)
		JADD(o, "icmp_code", JINT(x->icmp_code));
	JADD(o, "action", JSTR(x->action == XRT_ACL_DROP ? "drop" : "pass"));
	JADD(o, "packets", JINT(e->pkts));
	JADD(o, "bytes", JINT(e->bytes));
	return o;
}

static int acl_show(struct cmd_ctx *ctx, const struct cmd_acl *c, uint32_t ifindex, char *err)
{
	struct xrt_acl_entry *v = malloc(XRT_ACL_MAX * sizeof(*v));
	unsigned n;
	int rc;

	if (!v)
		return xrt_fail(err, -ENOMEM, "out of memory");
	if ((rc = xrt_acl_list(&ctx->r->maps, v, XRT_ACL_MAX, &n, err))) {
		free(v);
		return rc;
	}
	json_object *a = ctx->json ? json_object_new_array() : NULL;
	for (unsigned i = 0; i < n; i++) {
		if ((c->has_dir && v[i].r.dir != c->r.dir) || (ifindex && v[i].r.ifindex != ifindex) ||
		    (c->family != AF_UNSPEC && v[i].r.v4 != (c->family == AF_INET)))
			continue;
		if (a)
			json_object_array_add(a, acl_json(ctx->r, &v[i]));
		else
			acl_text(ctx->r, &v[i], ctx->out);
	}
	if (a)
		json_print(ctx->out, a);
	else if (xrt_acl_refused(&ctx->r->maps))
		xrt_buf_printf(ctx->out, "# %u of %u rules; %llu adds refused (full)\n", n,
			       XRT_ACL_MAX,
			       (unsigned long long)xrt_acl_refused(&ctx->r->maps));
	free(v);
	return 0;
}

static const struct cmd_verb ACL_VERBS[] = {
	{ "add", 1, ACL_ADD },
	{ "delete", 1, ACL_DEL },
	{ "show", 1, ACL_SHOW },
	{ "list", 1, ACL_SHOW },
	{ "flush", 1, ACL_FLUSH },
};

static int acl_parse(int argc, char **argv, struct cmd_req *req, char *err)
{
	bool sel = req->verb == ACL_SHOW || req->verb == ACL_FLUSH;

	return parse_acl(argc, argv, req->verb == ACL_ADD, sel, req->family, &req->acl, err);
}

/* A reload's undo: the whole list as it was. */
struct acl_saved {
	unsigned n;
	struct xrt_acl_entry v[];
};

static void acl_restore(struct xrt_router *r, const void *saved)
{
	const struct acl_saved *s = saved;

	xrt_acl_replace(&r->maps, s->v, s->n, NULL);
}

static int acl_save(struct cmd_ctx *ctx, char *err)
{
	size_t len = sizeof(struct acl_saved) + XRT_ACL_MAX * sizeof(struct xrt_acl_entry);
	struct acl_saved *s = malloc(len);
	int rc;

	if (!s)
		return xrt_fail(err, -ENOMEM, "out of memory");
	xrt_acl_save(&ctx->r->maps, s->v, XRT_ACL_MAX, &s->n);
	rc = cmd_undo_push(ctx->undo, acl_restore, s, sizeof(*s) + s->n * sizeof(s->v[0]), err);
	free(s);
	return rc;
}

static int acl_exec(struct cmd_ctx *ctx, const struct cmd_req *req, char *err)
{
	struct cmd_acl c = req->acl;
	struct xrt_link *l = NULL;
	int rc;

	if (c.dev[0]) {
		if (!(l = router_link_need(ctx->r, c.dev, err)))
			return -ENODEV;
		c.r.ifindex = (uint32_t)l->dev.ifindex;
	}
	if (req->verb == ACL_SHOW)
		return acl_show(ctx, &c, c.r.ifindex, err);
	/* The configuration file's lines run again on reload: a rule it
	 * still names is kept as it is (counters too), not added twice. */
	if (req->verb == ACL_ADD && ctx->r->in_config &&
	    xrt_acl_config_keep(&ctx->r->maps, &c.r, c.prio))
		return 0;
	if (ctx->undo && (rc = acl_save(ctx, err)))
		return rc;
	switch (req->verb) {
	case ACL_ADD:
		if ((rc = xrt_acl_add(&ctx->r->maps, &c.r, c.prio, err)) || !ctx->r->in_config)
			return rc;
		xrt_acl_config_keep(&ctx->r->maps, &c.r, c.prio);
		return 0;
	case ACL_DEL:
		return xrt_acl_del(&ctx->r->maps, &c.r, c.has_action, c.has_prio, c.prio, err);
	case ACL_FLUSH:
		return xrt_acl_flush(&ctx->r->maps, c.has_dir ? c.r.dir : XRT_ACL_DIRS, c.r.ifindex,
				     c.family == AF_UNSPEC ? XRT_ACL_ANY_FAMILY : c.family == AF_INET,
				     err);
	}
	return xrt_fail(err, -EINVAL, "acl: unknown verb");
}

CMD_REGISTER_VERBS(acl, ACL_VERBS, "acl", "add, delete, show, flush");
