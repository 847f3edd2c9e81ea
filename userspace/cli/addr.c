/* xrt: `addr add|del|show` (iproute2's ip/ipaddress.c): the router's own addresses, their local and connected routes. */
#include "cli/cmd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum addr_verb { ADDR_ADD, ADDR_DEL, ADDR_SHOW };

int parse_addrcmd(int argc, char **argv, bool need_addr, int family, struct cmd_addr *a,
		  char *err)
{
	int rc;
	memset(a, 0, sizeof(*a));
	a->family = family;
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		if (!strcmp(w, "dev")) {
			if ((rc = next_dev(argc, argv, &i, a->dev, err)))
				return rc;
		} else if (need_addr && !strcmp(w, "claim")) {
			a->claim = true;
		} else if (need_addr && !a->has_addr) {
			if (!strcmp(w, "local"))
				continue;
			if (!strchr(w, '/'))
				return xrt_fail(err, -EINVAL,
						"\"%s\" needs a prefix length (ADDR/PLEN)", w);
			if ((rc = parse_inet_prefix(w, &a->family, &a->addr, &a->plen, true, err)))
				return rc;
			a->has_addr = true;
		} else {
			return xrt_fail(err, -EINVAL, "unknown word \"%s\"", w);
		}
	}
	if (need_addr && !a->has_addr)
		return xrt_fail(err, -EINVAL, "an address ADDR/PLEN is needed");
	if (need_addr && !a->dev[0])
		return xrt_fail(err, -EINVAL, "\"dev\" is needed");
	return 0;
}

static const struct cmd_verb ADDR_VERBS[] = {
	{ "add", 1, ADDR_ADD },
	{ "delete", 1, ADDR_DEL },
	{ "show", 1, ADDR_SHOW },
	{ "list", 1, ADDR_SHOW },
};

static int addr_parse(int argc, char **argv, struct cmd_req *req, char *err)
{
	int rc = parse_addrcmd(argc, argv, req->verb != ADDR_SHOW, req->family, &req->addr, err);
	if (!rc && req->addr.claim && req->verb != ADDR_ADD)
		rc = xrt_fail(err, -EINVAL, "\"claim\" goes with addr add");
	return rc;
}

/* Undo of a reload's add or del: the address as it was (or its absence). */
struct addr_saved {
	char dev[IF_NAMESIZE];
	struct in6_addr addr;
	unsigned plen;
	bool existed, claim;
	uint8_t origin;
};

static void addr_restore(struct xrt_router *r, const void *saved)
{
	const struct addr_saved *s = saved;
	struct xrt_link *l = router_link_by_name(r, s->dev);
	if (!l)
		return;
	int i = addr_find(l, &s->addr);
	if (!s->existed) {
		if (i >= 0)
			addr_del(r, l, &s->addr, l->dev.plen[i], NULL);
		return;
	}
	if (i < 0 && addr_add(r, l, &s->addr, s->plen, s->origin, NULL))
		return;
	if ((i = addr_find(l, &s->addr)) < 0)
		return;
	l->addr_origin[i] = s->origin;
	if (s->claim && !l->addr_claim[i])
		addr_claim(r, l, &s->addr, NULL);
	else if (!s->claim && l->addr_claim[i])
		addr_unclaim(r, l, &s->addr);
}

static int addr_save(struct cmd_ctx *c, const struct xrt_link *l, const struct in6_addr *a,
		     char *err)
{
	struct addr_saved s = { .addr = *a };
	snprintf(s.dev, sizeof(s.dev), "%s", l->dev.name);
	int i = addr_find(l, a);
	if (i >= 0) {
		s.existed = true;
		s.plen = l->dev.plen[i];
		s.claim = l->addr_claim[i];
		s.origin = l->addr_origin[i];
	}
	return cmd_undo_push(c->undo, addr_restore, &s, sizeof(s), err);
}

static int addr_add_claim(struct xrt_router *r, struct xrt_link *l, const struct cmd_addr *c,
			  char *err)
{
	bool existed = addr_present(l, &c->addr);
	int rc = addr_add(r, l, &c->addr, c->plen,
			  r->in_config ? ADDR_ORIGIN_CONFIG : ADDR_ORIGIN_STATIC, err);
	if (rc)
		return rc;
	if (!c->claim) {
		/* On reload the file says what is claimed: an address
		 * it keeps without "claim" is released. */
		if (r->reloading)
			addr_unclaim(r, l, &c->addr);
		return 0;
	}
	if ((rc = addr_claim(r, l, &c->addr, err)) && !existed) {
		/* A failed command changes nothing. */
		char ignored[XRT_ERR_LEN];
		addr_del(r, l, &c->addr, c->plen, ignored);
	}
	return rc;
}

static void addr_show(struct xrt_router *r, const struct xrt_link *only, int family,
		      bool json, struct xrt_buf *out)
{
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
			const struct in6_addr *ad = &l->dev.addr[i];
			int fam = inet_family(ad);
			if (family != AF_UNSPEC && fam != family)
				continue;
			const char *scope = IN6_IS_ADDR_LINKLOCAL(ad) ? "link" : "global";
			unsigned plen = user_plen(ad, l->dev.plen[i]);
			/* ip addr's "brd": the subnet broadcast fib_add_ifaddr routes. */
			struct in6_addr brd;
			bool has_brd = addr_broadcast(ad, l->dev.plen[i], &brd);
			char bb[INET6_ADDRSTRLEN];
			ntop(ad, b);
			if (json) {
				json_object *x = json_object_new_object();
				JADD(x, "family", JSTR(family_name(fam)));
				JADD(x, "local", JSTR(b));
				JADD(x, "prefixlen", JINT(plen));
				if (has_brd)
					JADD(x, "broadcast", JSTR(ntop(&brd, bb)));
				JADD(x, "scope", JSTR(scope));
				JADD(x, "claim", json_object_new_boolean(l->addr_claim[i]));
				json_object_array_add(ai, x);
			} else {
				xrt_buf_printf(out, "    %s %s/%u%s%s scope %s%s\n", family_name(fam),
					       b, plen, has_brd ? " brd " : "",
					       has_brd ? ntop(&brd, bb) : "", scope,
					       l->addr_claim[i] ? " claim" : "");
			}
		}
	}
	if (json)
		json_print(out, a);
}

static int addr_exec(struct cmd_ctx *ctx, const struct cmd_req *req, char *err)
{
	struct xrt_router *r = ctx->r;
	const struct cmd_addr *c = &req->addr;
	struct xrt_link *l = NULL;
	int rc;
	if (c->dev[0] && !(l = router_link_need(r, c->dev, err)))
		return -ENODEV;
	if (req->verb == ADDR_SHOW) {
		addr_show(r, l, c->family, ctx->json, ctx->out);
		return 0;
	}
	if (ctx->undo && (rc = addr_save(ctx, l, &c->addr, err)))
		return rc;
	if (req->verb == ADDR_DEL)
		return addr_del(r, l, &c->addr, c->plen, err);
	return addr_add_claim(r, l, c, err);
}

CMD_REGISTER_VERBS(addr, ADDR_VERBS, "addr", "add, del, show");
