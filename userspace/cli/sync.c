/* xrt: `sync [show]`, `sync kernel on|off`: mirroring the kernel's routes, addresses and neighbours (kernel/netlink.c). */
#include "cli/cmd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kernel/netlink.h"

enum sync_verb { SYNC_SHOW, SYNC_KERNEL };

static int sync_parse(int argc, char **argv, struct cmd_req *req, char *err)
{
	if (argc == 0 || (argc == 1 && matches(argv[0], "show", 1))) {
		req->verb = SYNC_SHOW;
		return 0;
	}
	if (argc != 2 || strcmp(argv[0], "kernel"))
		return xrt_fail(err, -EINVAL, "usage: sync kernel on|off");
	req->verb = SYNC_KERNEL;
	return parse_onoff(argv[1], &req->sync.on, "sync kernel", err);
}

/* Destinations handed to the kernel because their source routes did not
 * all fit (rib/rib.c spass_refuse; bpf/ip6_route_input.h, pass
 * src_route_unsupported), one a line (or a JSON array). */
static void sync_show_src_passed(struct xrt_router *r, bool json, struct xrt_buf *out)
{
	struct rib_src_pass v[XRT_FIB6_SRC_PASS];
	size_t n = rib_src_passed(r->rib, v, XRT_FIB6_SRC_PASS);
	char buf[INET6_ADDRSTRLEN];

	if (json)
		xrt_buf_printf(out, "\"src_route_unsupported\":[");
	for (size_t i = 0; i < n; i++) {
		rib_ntop(&v[i].prefix, buf);
		if (json)
			xrt_buf_printf(out,
				       "%s{\"dst\":\"%s/%u\",\"table\":%u,\"waiting\":%u,"
				       "\"lost\":%s}",
				       i ? "," : "", buf, v[i].plen, v[i].table, v[i].waiting,
				       v[i].lost ? "true" : "false");
		else
			xrt_buf_printf(out,
				       "src route unsupported (to the kernel): %s/%u table %u: "
				       "%u source routes refused (at most %u destinations with "
				       "source routes, %u sources each)%s\n",
				       buf, v[i].plen, v[i].table, v[i].waiting, XRT_FIB6_SUBTREES,
				       XRT_FIB6_SUBTREE_ROUTES,
				       v[i].lost ? "; more refused than could wait" : "");
	}
	if (json)
		xrt_buf_printf(out, "]");
}

static void sync_show(struct xrt_router *r, bool json, struct xrt_buf *out)
{
	const struct nl_mirror_stats *st = nl_mirror_get_stats(r);
	struct nl_mirror_stats zero = { 0 };
	char buf[512];
	size_t len = 0;
	if (!st)
		st = &zero;
	/* Mirrored rules with a selector xrt cannot evaluate: their traffic
	 * goes to the kernel (bpf/fib_rules.h, pass rule_unsupported). */
	buf[0] = '\0';
	for (unsigned i = 0; i < r->rules.n && len + 24 < sizeof(buf); i++) {
		const struct fib_rule *f = &r->rules.v[i];
		if (!(f->r.flags & XRT_FR_F_KERNEL))
			continue;
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
					json ? "%s{\"family\":\"%s\",\"priority\":%u}"
					     : "%s%s/%u",
					len ? (json ? "," : " ") : "",
					f->r.family == XRT_AF_INET ? "inet" : "inet6", f->prio);
	}
	if (json) {
		xrt_buf_printf(out,
			       "{\"kernel\":%s,\"routes\":%llu,\"addrs\":%llu,"
			       "\"neighs\":%llu,\"skipped\":%llu,\"resyncs\":%llu,"
			       "\"errors\":%llu,\"rules\":%llu,\"unsupported_rules\":[%s],",
			       r->mirror ? "true" : "false",
			       (unsigned long long)st->routes, (unsigned long long)st->addrs,
			       (unsigned long long)st->neighs, (unsigned long long)st->skipped,
			       (unsigned long long)st->resyncs, (unsigned long long)st->errors,
			       (unsigned long long)st->rules, buf);
		sync_show_src_passed(r, json, out);
		xrt_buf_printf(out, "}\n");
		return;
	}
	xrt_buf_printf(out,
		       "kernel %s routes %llu addrs %llu neighs %llu skipped %llu "
		       "resyncs %llu errors %llu rules %llu\n%s%s%s",
		       r->mirror ? "on" : "off", (unsigned long long)st->routes,
		       (unsigned long long)st->addrs, (unsigned long long)st->neighs,
		       (unsigned long long)st->skipped, (unsigned long long)st->resyncs,
		       (unsigned long long)st->errors, (unsigned long long)st->rules,
		       len ? "unsupported rules (to the kernel): " : "", buf, len ? "\n" : "");
	sync_show_src_passed(r, json, out);
}

static int sync_set(struct xrt_router *r, bool on, char *err)
{
	if (on)
		return nl_mirror_start(r, err);
	nl_mirror_stop(r, true);
	return 0;
}

/* Undo of a reload's `sync kernel`: mirroring as it was. */
static void sync_restore(struct xrt_router *r, const void *saved)
{
	const bool *was_on = saved;
	if (*was_on != (r->mirror != NULL))
		sync_set(r, *was_on, NULL);
}

static int sync_exec(struct cmd_ctx *c, const struct cmd_req *req, char *err)
{
	if (req->verb == SYNC_SHOW) {
		sync_show(c->r, c->json, c->out);
		return 0;
	}
	bool was_on = c->r->mirror != NULL;
	int rc;
	if (c->undo && (rc = cmd_undo_push(c->undo, sync_restore, &was_on, sizeof(was_on), err)))
		return rc;
	return sync_set(c->r, req->sync.on, err);
}

CMD_REGISTER(sync);
