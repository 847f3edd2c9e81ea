/* xrt: `neigh add|del|show|flush` (iproute2's ip/ipneigh.c): the slow path's neighbour table, static entries included. */
#include "cli/cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stack/neighbour.h"
#include "xrt/maps.h"

enum neigh_verb { NEIGH_ADD, NEIGH_DEL, NEIGH_SHOW, NEIGH_FLUSH };

int parse_neigh(int argc, char **argv, bool need_addr, bool need_mac, int family,
		struct cmd_neigh *n, char *err)
{
	int rc;
	memset(n, 0, sizeof(*n));
	n->family = family;
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		if (!strcmp(w, "dev")) {
			if ((rc = next_dev(argc, argv, &i, n->dev, err)))
				return rc;
		} else if (!strcmp(w, "lladdr")) {
			if ((rc = next_word(argc, argv, &i, err)))
				return rc;
			if ((rc = parse_mac(argv[i], n->mac, err)))
				return rc;
			n->has_mac = true;
		} else if (!strcmp(w, "nud")) {
			/* Added entries are always permanent; for flush, "nud all"
			 * or "nud permanent" includes them (iproute2 skips them). */
			if ((rc = next_word(argc, argv, &i, err)))
				return rc;
			if (!strcmp(argv[i], "all") || !strcmp(argv[i], "permanent"))
				n->nud_permanent = true;
			else if (strcmp(argv[i], "reachable") && strcmp(argv[i], "stale") &&
				 strcmp(argv[i], "noarp")) {
				return xrt_fail(err, -EINVAL,
						"nud \"%s\" is invalid (permanent, all)", argv[i]);
			}
		} else if (!strcmp(w, "to")) {
			continue;
		} else if (!n->has_addr && need_addr) {
			if ((rc = parse_inet_addr(w, &n->family, &n->addr, err)))
				return rc;
			n->has_addr = true;
		} else {
			return xrt_fail(err, -EINVAL, "unknown word \"%s\"", w);
		}
	}
	if (need_addr && !n->has_addr)
		return xrt_fail(err, -EINVAL, "a neighbour address is needed");
	if (need_addr && !n->dev[0])
		return xrt_fail(err, -EINVAL, "\"dev\" is needed");
	if (need_mac && !n->has_mac)
		return xrt_fail(err, -EINVAL, "\"lladdr\" is needed");
	return 0;
}
/* The slow path owns the neighbour table (stack/neighbour.h); it programs
 * the fast path's copy through stack_env.neigh_changed. */
struct neigh_show_ctx {
	struct xrt_router *r;
	int ifindex;
	int family; /* AF_UNSPEC: both */
	json_object *a;
	struct xrt_buf *out;
};

static void neigh_show_one(const struct neigh_info *n, void *arg)
{
	struct neigh_show_ctx *c = arg;
	char b[INET6_ADDRSTRLEN], mac[18];
	if ((c->ifindex && n->ifindex != c->ifindex) ||
	    (c->family != AF_UNSPEC && inet_family(&n->addr) != c->family))
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

/* `neigh flush` with -4 or -6: ARP entries (mapped, include/xrt/inet.h) or
 * ND ones only; the table is walked first, then the matches go, as
 * neigh_table_flush does for every family. */
struct neigh_flush_ctx {
	int ifindex, family;
	bool with_permanent;
	struct neigh_info *v;
	size_t n, cap;
	bool oom;
};

static void neigh_flush_collect(const struct neigh_info *n, void *arg)
{
	struct neigh_flush_ctx *f = arg;
	if ((f->ifindex && n->ifindex != f->ifindex) || inet_family(&n->addr) != f->family ||
	    (n->state == XRT_NUD_PERMANENT && !f->with_permanent) || f->oom)
		return;
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		struct neigh_info *v = realloc(f->v, cap * sizeof(*v));
		if (!v) {
			f->oom = true;
			return;
		}
		f->v = v;
		f->cap = cap;
	}
	f->v[f->n++] = *n;
}

static int neigh_flush_family(int ifindex, int family, bool with_permanent, char *err)
{
	struct neigh_flush_ctx f = { .ifindex = ifindex, .family = family,
				     .with_permanent = with_permanent };
	neigh_foreach(neigh_flush_collect, &f);
	int n = 0;
	for (size_t i = 0; i < f.n && !f.oom; i++)
		n += neigh_del(f.v[i].ifindex, &f.v[i].addr, NULL) == 0;
	free(f.v);
	if (f.oom)
		return xrt_fail(err, -ENOMEM, "out of memory");
	return n;
}

static const struct cmd_verb NEIGH_VERBS[] = {
	{ "add", 1, NEIGH_ADD },
	{ "replace", 3, NEIGH_ADD },
	{ "change", 3, NEIGH_ADD },
	{ "delete", 1, NEIGH_DEL },
	{ "flush", 1, NEIGH_FLUSH },
	{ "show", 1, NEIGH_SHOW },
	{ "list", 1, NEIGH_SHOW },
};

static int neigh_parse(int argc, char **argv, struct cmd_req *req, char *err)
{
	bool one = req->verb == NEIGH_ADD || req->verb == NEIGH_DEL;
	return parse_neigh(argc, argv, one, req->verb == NEIGH_ADD, req->family, &req->neigh,
			   err);
}

/* Undo of a reload's add, del or flush: a static entry as it was, or its
 * absence (a dynamic entry it replaced is learned again by ND), and
 * whether the configuration had named it. */
struct neigh_saved {
	int ifindex;
	struct in6_addr addr;
	bool permanent, noted;
	uint8_t mac[6];
};

static bool config_noted(const struct xrt_router *r, int ifindex, const struct in6_addr *a)
{
	for (size_t i = 0; i < r->nconfig_neighs; i++)
		if (r->config_neighs[i].ifindex == ifindex &&
		    !memcmp(&r->config_neighs[i].addr, a, sizeof(*a)))
			return true;
	return false;
}

static void neigh_restore(struct xrt_router *r, const void *saved)
{
	const struct neigh_saved *s = saved;
	if (s->permanent)
		neigh_add_static(s->ifindex, &s->addr, s->mac, NULL);
	else
		neigh_del(s->ifindex, &s->addr, NULL);
	if (s->noted)
		config_neigh_note(r, s->ifindex, &s->addr, NULL);
	else
		config_neigh_forget(r, s->ifindex, &s->addr);
}

struct neigh_save_ctx {
	struct cmd_ctx *c;
	int ifindex;          /* 0: every interface */
	const struct in6_addr *addr; /* NULL: every static entry (flush) */
	struct neigh_saved *found;
	int rc;
	char *err;
};

static void neigh_save_one(const struct neigh_info *n, void *arg)
{
	struct neigh_save_ctx *sc = arg;
	if ((sc->ifindex && n->ifindex != sc->ifindex) ||
	    (sc->addr && memcmp(&n->addr, sc->addr, sizeof(n->addr))) ||
	    n->state != XRT_NUD_PERMANENT || sc->rc)
		return;
	struct neigh_saved s = { .ifindex = n->ifindex, .addr = n->addr, .permanent = true };
	memcpy(s.mac, n->mac, sizeof(s.mac));
	s.noted = config_noted(sc->c->r, n->ifindex, &n->addr);
	if (sc->found)
		*sc->found = s;
	else
		sc->rc = cmd_undo_push(sc->c->undo, neigh_restore, &s, sizeof(s), sc->err);
}

static int neigh_save(struct cmd_ctx *c, int ifindex, const struct in6_addr *a, char *err)
{
	struct neigh_saved s = { .ifindex = ifindex };
	struct neigh_save_ctx sc = { .c = c, .ifindex = ifindex, .addr = a, .err = err };
	if (a) {
		s.addr = *a;
		s.noted = config_noted(c->r, ifindex, a);
		sc.found = &s;
	}
	neigh_foreach(neigh_save_one, &sc);
	if (a && !sc.rc)
		sc.rc = cmd_undo_push(c->undo, neigh_restore, &s, sizeof(s), err);
	return sc.rc;
}

static int neigh_exec(struct cmd_ctx *ctx, const struct cmd_req *req, char *err)
{
	struct xrt_router *r = ctx->r;
	const struct cmd_neigh *c = &req->neigh;
	int ifindex = 0, rc;
	if (c->dev[0]) {
		struct xrt_link *l = router_link_need(r, c->dev, err);
		if (!l)
			return -ENODEV;
		ifindex = l->dev.ifindex;
	}
	bool one = req->verb == NEIGH_ADD || req->verb == NEIGH_DEL;
	if (ctx->undo && req->verb != NEIGH_SHOW &&
	    (rc = neigh_save(ctx, ifindex, one ? &c->addr : NULL, err)))
		return rc;
	switch (req->verb) {
	case NEIGH_ADD:
		if (r->in_config && (rc = config_neigh_note(r, ifindex, &c->addr, err)))
			return rc;
		return neigh_add_static(ifindex, &c->addr, c->mac, err);
	case NEIGH_DEL:
		rc = neigh_del(ifindex, &c->addr, err);
		if (rc == 0)
			config_neigh_forget(r, ifindex, &c->addr);
		if (rc == -ENOENT) {
			char b[INET6_ADDRSTRLEN];
			ERR("no neighbour %s on %s", ntop(&c->addr, b), c->dev);
		}
		return rc;
	case NEIGH_FLUSH: {
		int n = c->family == AF_UNSPEC
				? (int)neigh_table_flush(ifindex, c->nud_permanent)
				: neigh_flush_family(ifindex, c->family, c->nud_permanent, err);
		if (n < 0)
			return n;
		if (ctx->json)
			xrt_buf_printf(ctx->out, "{\"flushed\":%d}\n", n);
		return 0;
	}
	case NEIGH_SHOW: {
		struct neigh_show_ctx sc = {
			.r = r, .ifindex = ifindex, .family = c->family,
			.a = ctx->json ? json_object_new_array() : NULL, .out = ctx->out,
		};
		neigh_foreach(neigh_show_one, &sc);
		if (ctx->json)
			json_print(ctx->out, sc.a);
		return 0;
	}
	}
	return xrt_fail(err, -EINVAL, "neigh: unknown verb");
}

CMD_REGISTER_VERBS(neigh, NEIGH_VERBS, "neigh", "add, del, show, flush");
