/* xrt: `link attach|detach|set|show` (iproute2's ip/iplink.c): which interfaces xrt forwards on, and their settings. */
#include "cli/cmd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kernel/netlink.h"
#include "xrt/proto.h"

enum link_verb { LINK_ATTACH, LINK_DETACH, LINK_SET, LINK_SHOW };

static const char *const RPF_NAMES[] = { [XRT_RPF_OFF] = "off", [XRT_RPF_STRICT] = "strict",
					 [XRT_RPF_LOOSE] = "loose" };

/* "rpf strict|loose|off" (the kernel's rp_filter 1, 2, 0). */
static int parse_rpf(const char *w, uint8_t *rpf, char *err)
{
	for (uint8_t i = 0; i < sizeof(RPF_NAMES) / sizeof(RPF_NAMES[0]); i++)
		if (!strcmp(w, RPF_NAMES[i])) {
			*rpf = i;
			return 0;
		}
	return xrt_fail(err, -EINVAL, "rpf \"%s\": expected strict, loose or off", w);
}

static const char *rpf_name(uint8_t rpf)
{
	return rpf < sizeof(RPF_NAMES) / sizeof(RPF_NAMES[0]) ? RPF_NAMES[rpf] : "?";
}

int parse_link(int argc, char **argv, bool need_dev, bool allow_settings,
	       struct cmd_link *l, char *err)
{
	int rc;
	memset(l, 0, sizeof(*l));
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		if (!strcmp(w, "dev")) {
			if ((rc = next_dev(argc, argv, &i, l->dev, err)))
				return rc;
		} else if (allow_settings && !strcmp(w, "mtu")) {
			if ((rc = next_word(argc, argv, &i, err)))
				return rc;
			if ((rc = parse_u32(argv[i], IP6_MIN_MTU, 65535, &l->mtu, "mtu", err)))
				return rc;
			l->has_mtu = true;
		} else if (allow_settings && !strcmp(w, "forwarding")) {
			if ((rc = next_word(argc, argv, &i, err)))
				return rc;
			if ((rc = parse_onoff(argv[i], &l->forwarding, "forwarding", err)))
				return rc;
			l->has_forwarding = true;
		} else if (allow_settings && !strcmp(w, "table")) {
			if ((rc = next_word(argc, argv, &i, err)))
				return rc;
			if ((rc = parse_table(argv[i], &l->table, err)))
				return rc;
			l->has_table = true;
		} else if (allow_settings && !strcmp(w, "mode")) {
			if ((rc = next_word(argc, argv, &i, err)))
				return rc;
			if (xrt_xdp_mode_parse(argv[i], &l->mode))
				return xrt_fail(err, -EINVAL,
						"mode \"%s\": expected native or generic", argv[i]);
			l->has_mode = true;
		} else if (allow_settings && (!strcmp(w, "up") || !strcmp(w, "down"))) {
			l->has_admin = true;
			l->admin_up = w[0] == 'u';
		} else if (allow_settings && !strcmp(w, "rpf")) {
			if ((rc = next_word(argc, argv, &i, err)))
				return rc;
			if ((rc = parse_rpf(argv[i], &l->rpf, err)))
				return rc;
			l->has_rpf = true;
		} else if (!l->dev[0] && strcmp(w, "mtu") && strcmp(w, "forwarding") &&
			   strcmp(w, "table") && strcmp(w, "mode") && strcmp(w, "up") &&
			   strcmp(w, "down") && strcmp(w, "rpf")) {
			/* iproute2 accepts the device without "dev". */
			if ((rc = parse_dev(w, l->dev, err)))
				return rc;
		} else {
			return xrt_fail(err, -EINVAL, "unknown word \"%s\"", w);
		}
	}
	if (need_dev && !l->dev[0])
		return xrt_fail(err, -EINVAL, "\"dev\" is needed");
	return 0;
}

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
		JADD(o, "mode", JSTR(xrt_xdp_mode_name(l->xdp_mode)));
		JADD(o, "prog_id", JINT(l->xdp_prog_id));
		JADD(o, "prog_name", JSTR(l->xdp_prog_name));
		JADD(o, "dispatcher", json_object_new_boolean(l->xdp_dispatcher));
		JADD(o, "queues", JINT(l->nqueues));
		unsigned nx = 0;
		for (unsigned q = 0; q < l->nqueues; q++)
			nx += l->xsk_fd[q] >= 0;
		JADD(o, "xsks", JINT(nx));
		JADD(o, "kernel_local", json_object_new_boolean(l->kernel_local));
		JADD(o, "up", json_object_new_boolean(!l->admin_down));
		JADD(o, "rpf", JSTR(rpf_name(l->dev.rpf)));
		json_object_array_add(a, o);
		return;
	}
	unsigned nx = 0;
	for (unsigned q = 0; q < l->nqueues; q++)
		nx += l->xsk_fd[q] >= 0;
	xrt_buf_printf(out,
		       "%d: %s: mtu %u forwarding %s table %s slot %u xdp %s queues %u xsks %u%s%s%s%s\n"
		       "    link/ether %s\n"
		       "    prog/xdp %s %s%u mode %s%s\n",
		       l->dev.ifindex, l->dev.name, l->dev.mtu, l->dev.forwarding ? "on" : "off",
		       table_name(l->dev.table, t, sizeof(t)), l->slot,
		       l->xdp_ours ? "attached" : "adopted", l->nqueues, nx,
		       l->kernel_local ? " kernel-local" : "", l->admin_down ? " down" : "",
		       l->dev.rpf ? " rpf " : "", l->dev.rpf ? rpf_name(l->dev.rpf) : "", mac,
		       l->xdp_prog_id ? l->xdp_prog_name : "none,",
		       l->xdp_prog_id ? "id " : "was id ", l->xdp_prog_id,
		       xrt_xdp_mode_name(l->xdp_mode),
		       l->xdp_dispatcher ? " dispatcher" : "");
}

/* "link attach" and "link set": the settings given on the command line. */
static int link_apply_settings(struct xrt_router *r, struct xrt_link *l,
			       const struct cmd_link *c, char *err)
{
	int rc = link_set(r, l, c->has_mtu ? &c->mtu : NULL,
			  c->has_forwarding ? &c->forwarding : NULL,
			  c->has_table ? &c->table : NULL, err);
	if (!rc && c->has_admin)
		rc = link_set_admin(r, l, c->admin_up, err);
	return rc || !c->has_rpf ? rc : link_set_rpf(r, l, c->rpf, err);
}

static const struct cmd_verb LINK_VERBS[] = {
	{ "attach", 2, LINK_ATTACH },
	{ "detach", 3, LINK_DETACH },
	{ "set", 1, LINK_SET },
	{ "show", 1, LINK_SHOW },
	{ "list", 1, LINK_SHOW },
};

static int link_parse(int argc, char **argv, struct cmd_req *req, char *err)
{
	bool settings = req->verb == LINK_ATTACH || req->verb == LINK_SET;
	return parse_link(argc, argv, req->verb != LINK_SHOW, settings, &req->link, err);
}

/* Undo of a reload's attach or set: the link's settings before it, or
 * that it was not attached. */
struct link_saved {
	char name[IF_NAMESIZE];
	bool existed;
	uint32_t mtu, table;
	bool forwarding, up;
	uint8_t rpf;
};

static void link_restore(struct xrt_router *r, const void *saved)
{
	const struct link_saved *s = saved;
	struct xrt_link *l = router_link_by_name(r, s->name);
	if (!l)
		return;
	if (!s->existed)
		link_detach(r, l, NULL);
	else if (!link_set(r, l, &s->mtu, &s->forwarding, &s->table, NULL)) {
		link_set_admin(r, l, s->up, NULL);
		link_set_rpf(r, l, s->rpf, NULL);
	}
}

static int link_save(struct cmd_ctx *c, const char *name, char *err)
{
	struct link_saved s = { .existed = false };
	snprintf(s.name, sizeof(s.name), "%s", name);
	const struct xrt_link *l = router_link_by_name(c->r, name);
	if (l) {
		s.existed = true;
		s.mtu = l->dev.mtu;
		s.table = l->dev.table;
		s.forwarding = l->dev.forwarding;
		s.up = !l->admin_down;
		s.rpf = l->dev.rpf;
	}
	return cmd_undo_push(c->undo, link_restore, &s, sizeof(s), err);
}

static int link_exec(struct cmd_ctx *ctx, const struct cmd_req *req, char *err)
{
	struct xrt_router *r = ctx->r;
	const struct cmd_link *c = &req->link;
	struct xrt_link *l = NULL;
	int rc;
	if (req->verb != LINK_ATTACH && c->dev[0] && !(l = router_link_need(r, c->dev, err)))
		return -ENODEV;
	switch (req->verb) {
	case LINK_ATTACH:
		if (ctx->undo && (rc = link_save(ctx, c->dev, err)))
			return rc;
		if ((rc = link_attach(r, c->dev, c->has_mode ? &c->mode : NULL, err)))
			return rc;
		/* Mirroring: the new link's kernel routes were skipped so far. */
		if (r->mirror && (rc = nl_mirror_resync(r, err)))
			return rc;
		if (!c->has_mtu && !c->has_forwarding && !c->has_table && !c->has_admin &&
		    !c->has_rpf)
			return 0;
		return link_apply_settings(r, router_link_by_name(r, c->dev), c, err);
	case LINK_DETACH:
		/* Its routes, addresses and sockets go with it. */
		if (ctx->undo)
			return xrt_fail(err, -EINVAL,
					"\"link detach\" cannot be taken back if the reload fails; "
					"remove the link's lines from the file instead");
		return link_detach(r, l, err);
	case LINK_SET:
		if (c->has_mode)
			return xrt_fail(err, -EINVAL, "\"mode\" is set by \"link attach\": "
						      "detach the link to change it");
		if (ctx->undo && (rc = link_save(ctx, c->dev, err)))
			return rc;
		return link_apply_settings(r, l, c, err);
	case LINK_SHOW: {
		json_object *a = ctx->json ? json_object_new_array() : NULL;
		for (unsigned s = 1; s < XRT_MAX_IFACES; s++)
			if (r->links[s] && (!l || l == r->links[s])) {
				/* What the kernel runs now, as xdp-loader would say. */
				link_xdp_refresh(r, r->links[s]);
				link_show_one(r->links[s], ctx->json, a, ctx->out);
			}
		if (ctx->json)
			json_print(ctx->out, a);
		return 0;
	}
	}
	return xrt_fail(err, -EINVAL, "link: unknown verb");
}

CMD_REGISTER_VERBS(link, LINK_VERBS, "link", "attach, detach, set, show");
