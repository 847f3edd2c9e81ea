/* xrt: the command table (object, abbreviation, parse, execute) and its dispatch, as iproute2's ip.c; the undo log of a configuration reload. */
#include "cli/cmd.h"

#include <errno.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"

/* `config reload` */
static int config_parse(int argc, char **argv, struct cmd_req *req, char *err)
{
	(void)req;
	if (argc == 1 && matches(argv[0], "reload", 1))
		return 0;
	if (argc < 1)
		return xrt_fail(err, -EINVAL, "config needs a command (reload)");
	return xrt_fail(err, -EINVAL, "unknown config command \"%s\" (reload)", argv[0]);
}

static int config_exec(struct cmd_ctx *c, const struct cmd_req *req, char *err)
{
	(void)req;
	/* A file that reloads itself would recurse without end. */
	if (c->r->in_config)
		return xrt_fail(err, -EINVAL,
				"\"config reload\" cannot run from the configuration file");
	return config_reload(c->r, err);
}

static CMD_REGISTER(config);

/* Looked up in order: an abbreviation takes the first object it fits. */
static const struct cmd_obj CMDS[] = {
	{ "route", 1, &route_cmd },
	{ "link", 1, &link_cmd },
	{ "address", 1, &addr_cmd },
	{ "neighbour", 1, &neigh_cmd },
	{ "neighbor", 1, &neigh_cmd },
	{ "stats", 2, &stats_cmd },
	{ "sync", 2, &sync_cmd },
	{ "punt", 1, &punt_cmd },
	{ "ra", 2, &ra_cmd },
	{ "icmp", 4, &icmp_cmd },
	{ "config", 1, &config_cmd },
	{ "acl", 2, &acl_cmd },
	{ "rule", 2, &rule_cmd },
};

/* The object's verb (if it has verbs), then the rest of its words. */
static int obj_parse(const struct cmd_obj *obj, int argc, char **argv, struct cmd_req *req,
		     char *err)
{
	const struct cmd_ops *ops = obj->ops;
	req->obj = obj;
	if (ops->verbs) {
		int verb = parse_verb(&argc, &argv, ops->verbs, ops->nverbs, ops->verb_obj,
				      ops->verb_names, err);
		if (verb < 0)
			return verb;
		req->verb = verb;
	}
	return ops->parse(argc, argv, req, err);
}

/* iproute2's -4, -6 and -f|-family inet|inet6 before the object: the xrt
 * CLI sends them as the command's first words, so -batch lines and the
 * configuration file may carry them too. */
static int parse_family(int *argc, char ***argv, int *family, char *err)
{
	while (*argc > 0 && (*argv)[0][0] == '-') {
		const char *o = (*argv)[0];
		const char *f = o;
		bool named = !strcmp(o, "-f") || !strcmp(o, "-family");
		if (named) {
			if (*argc < 2)
				return xrt_fail(err, -EINVAL, "\"%s\" needs a value", o);
			f = (*argv)[1];
			(*argc)--;
			(*argv)++;
		}
		if (!strcmp(f, named ? "inet" : "-4"))
			*family = AF_INET;
		else if (!strcmp(f, named ? "inet6" : "-6"))
			*family = AF_INET6;
		else if (named)
			return xrt_fail(err, -EINVAL, "family \"%s\" is invalid (inet, inet6)", f);
		else
			return xrt_fail(err, -EINVAL,
					"option \"%s\" is unknown here (-4, -6, -f inet|inet6)", o);
		(*argc)--;
		(*argv)++;
	}
	return 0;
}

int cmd_parse(int argc, char **argv, struct cmd_req *req, char *err)
{
	if (err)
		err[0] = '\0';
	memset(req, 0, sizeof(*req));
	int rc = parse_family(&argc, &argv, &req->family, err);
	if (rc)
		return rc;
	if (argc == 0)
		return xrt_fail(err, -EINVAL, "empty command");
	for (size_t i = 0; i < sizeof(CMDS) / sizeof(CMDS[0]); i++)
		if (matches(argv[0], CMDS[i].name, CMDS[i].min))
			return obj_parse(&CMDS[i], argc - 1, argv + 1, req, err);
	return xrt_fail(err, -EINVAL,
			"unknown object \"%s\" (link, addr, route, neigh, stats, sync, punt, ra, icmp, config, acl, rule)",
			argv[0]);
}

int cmd_execute(struct cmd_ctx *c, const struct cmd_req *req, char *err)
{
	if (err)
		err[0] = '\0';
	return req->obj->ops->exec(c, req, err);
}

int cmd_exec(struct xrt_router *r, int argc, char **argv, bool json,
	     struct xrt_buf *out, char *err)
{
	struct cmd_req req;
	int rc = cmd_parse(argc, argv, &req, err);
	if (rc)
		return rc;
	struct cmd_ctx c = { .r = r, .json = json, .out = out };
	return cmd_execute(&c, &req, err);
}

int cmd_undo_push(struct cmd_undo *u, cmd_undo_fn fn, const void *saved, size_t len,
		  char *err)
{
	if (u->n == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 64;
		struct cmd_undo_rec *v = realloc(u->v, cap * sizeof(*v));
		if (!v)
			return xrt_fail(err, -ENOMEM, "out of memory");
		u->v = v;
		u->cap = cap;
	}
	void *copy = malloc(len ? len : 1);
	if (!copy)
		return xrt_fail(err, -ENOMEM, "out of memory");
	memcpy(copy, saved, len);
	u->v[u->n++] = (struct cmd_undo_rec){ .fn = fn, .saved = copy };
	return 0;
}

void cmd_undo_run(struct cmd_undo *u, struct xrt_router *r)
{
	while (u->n > 0) {
		struct cmd_undo_rec *rec = &u->v[--u->n];
		rec->fn(r, rec->saved);
		free(rec->saved);
	}
}

void cmd_undo_free(struct cmd_undo *u)
{
	for (size_t i = 0; i < u->n; i++)
		free(u->v[i].saved);
	free(u->v);
	*u = (struct cmd_undo){ 0 };
}
