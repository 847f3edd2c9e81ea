/* xrt: the configuration file (commands of the CLI grammar): parsed whole, then applied; reload diffs and takes itself back on failure. */
#include "daemon/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "dataplane/acl.h"
#include "router/rules.h"
#include "router/addr.h"
#include "router/config_neigh.h"
#include "router/link.h"
#include "router/punt.h"
#include "stack/neighbour.h"

#define CONFIG_LINE_MAX 8192

/* The file's commands, tokenized once: what was checked is what runs. */
struct config_file {
	const char *path;
	struct config_line {
		unsigned lineno;
		int argc;
		char **argv;
		char *text; /* the words point into it */
	} *v;
	size_t n, cap;
};

static void config_free(struct config_file *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].argv);
		free(f->v[i].text);
	}
	free(f->v);
	f->v = NULL;
	f->n = f->cap = 0;
}

static int config_keep(struct config_file *f, unsigned lineno, const char *line, char *err)
{
	char *words[XRT_CTL_MAX_WORDS];
	char *text = strdup(line);
	if (!text)
		return xrt_fail(err, -ENOMEM, "out of memory");
	int argc = xrt_tokenize(text, words, XRT_CTL_MAX_WORDS);
	if (argc <= 0) {
		free(text);
		return argc < 0 ? xrt_fail(err, -EINVAL, "%s:%u: bad quoting or too many words",
					   f->path, lineno)
				: 0;
	}
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		struct config_line *v = realloc(f->v, cap * sizeof(*v));
		if (!v) {
			free(text);
			return xrt_fail(err, -ENOMEM, "out of memory");
		}
		f->v = v;
		f->cap = cap;
	}
	char **argv = malloc((size_t)argc * sizeof(*argv));
	if (!argv) {
		free(text);
		return xrt_fail(err, -ENOMEM, "out of memory");
	}
	memcpy(argv, words, (size_t)argc * sizeof(*argv));
	f->v[f->n++] = (struct config_line){ .lineno = lineno, .argc = argc, .argv = argv,
					     .text = text };
	return 0;
}

/* Read and parse the whole file; nothing is applied. */
static int config_read(const char *path, struct config_file *f, char *err)
{
	*f = (struct config_file){ .path = path };
	FILE *fp = fopen(path, "r");
	if (!fp) {
		int rc = -errno;
		xrt_err(err, "%s: %s", path, strerror(errno));
		return rc;
	}
	static char line[CONFIG_LINE_MAX];
	struct cmd_req req;
	char msg[XRT_ERR_LEN];
	unsigned lineno = 0;
	int rc = 0;
	while (!rc && fgets(line, sizeof(line), fp)) {
		lineno++;
		size_t len = strlen(line);
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			rc = xrt_fail(err, -E2BIG, "%.60s:%u: line longer than %d bytes", path, lineno,
				      CONFIG_LINE_MAX - 2);
			break;
		}
		size_t before = f->n;
		if ((rc = config_keep(f, lineno, line, err)) || f->n == before)
			continue;
		const struct config_line *l = &f->v[f->n - 1];
		/* Keep the command's message whole; the path is cut first. */
		if ((rc = cmd_parse(l->argc, l->argv, &req, msg)))
			xrt_err(err, "%.60s:%u: %.180s", path, lineno, msg);
	}
	fclose(fp);
	if (rc)
		config_free(f);
	return rc;
}

/* Run the parsed commands in order; undo (if not NULL) records how to
 * take each one back. */
static int config_apply(struct xrt_router *r, const struct config_file *f,
			struct cmd_undo *undo, char *err)
{
	struct cmd_req req;
	struct xrt_buf out = { 0 };
	struct cmd_ctx c = { .r = r, .out = &out, .undo = undo };
	char msg[XRT_ERR_LEN];
	int rc = 0;
	r->in_config = true;
	for (size_t i = 0; i < f->n && !rc; i++) {
		const struct config_line *l = &f->v[i];
		out.len = 0;
		if (!(rc = cmd_parse(l->argc, l->argv, &req, msg)))
			rc = cmd_execute(&c, &req, msg);
		if (rc)
			xrt_err(err, "%.60s:%u: %.180s", f->path, l->lineno, msg);
	}
	r->in_config = false;
	xrt_buf_free(&out);
	return rc;
}

int config_check(const char *path, char *err)
{
	struct config_file f;
	int rc = config_read(path, &f, err);
	config_free(&f);
	return rc;
}

int config_load(struct xrt_router *r, const char *path, char *err)
{
	struct config_file f;
	r->config_path = path;
	int rc = config_read(path, &f, err);
	if (!rc)
		rc = config_apply(r, &f, NULL, err);
	config_free(&f);
	return rc;
}

static void mark_all(struct xrt_router *r, bool stale)
{
	for (size_t i = 0; i < r->nconfig_neighs; i++)
		r->config_neighs[i].stale = stale;
	if (stale)
		rib_mark(r->rib, RIB_ORIGIN_CONFIG);
	ra_config_mark(stale);
	icmp_config_mark(stale);
	for (unsigned s = 1; s < XRT_MAX_IFACES; s++) {
		struct xrt_link *l = r->links[s];
		if (!l)
			continue;
		l->stale = stale && l->from_config;
		for (unsigned i = 0; i < l->dev.naddrs; i++)
			l->addr_stale[i] = stale && l->addr_origin[i] == ADDR_ORIGIN_CONFIG;
	}
	if (stale)
		punt_config_mark(r);
	else
		punt_config_unmark(r);
	xrt_acl_config_mark(&r->maps, stale);
	router_rules_config_mark(r, stale);
}

/* Remove what the file no longer names (marked stale by mark_all and not
 * named again by a command). */
static int config_sweep(struct xrt_router *r, char *err)
{
	int rc;
	if ((rc = punt_config_sweep(r, err)))
		return rc;
	rc = rib_sweep(r->rib, RIB_ORIGIN_CONFIG, err);
	if (rc < 0)
		return rc;
	ra_config_sweep(r);
	icmp_config_sweep();
	if ((rc = xrt_acl_config_sweep(&r->maps, err)))
		return rc;
	if ((rc = router_rules_config_sweep(r, err)))
		return rc;
	for (size_t i = r->nconfig_neighs; i-- > 0;)
		if (r->config_neighs[i].stale) {
			struct config_neigh n = r->config_neighs[i];
			neigh_del(n.ifindex, &n.addr, NULL); /* -ENOENT: already gone */
			config_neigh_forget(r, n.ifindex, &n.addr);
		}
	for (unsigned s = 1; s < XRT_MAX_IFACES; s++) {
		struct xrt_link *l = r->links[s];
		if (!l)
			continue;
		if (l->stale) {
			if ((rc = link_detach(r, l, err)))
				return rc;
			continue;
		}
		for (unsigned i = l->dev.naddrs; i-- > 0;)
			if (l->addr_stale[i] &&
			    (rc = addr_del(r, l, &l->dev.addr[i], l->dev.plen[i], err)))
				return rc;
	}
	return 0;
}

int config_reload(struct xrt_router *r, char *err)
{
	if (!r->config_path)
		return xrt_fail(err, -ENOENT, "xrtd was started without a configuration file (-c)");
	/* First the whole file: a line that does not parse changes nothing. */
	struct config_file f;
	int rc = config_read(r->config_path, &f, err);
	if (rc)
		return rc;
	struct cmd_undo undo = { 0 };
	mark_all(r, true);
	r->reloading = true;
	rc = config_apply(r, &f, &undo, err);
	r->reloading = false;
	config_free(&f);
	if (rc) {
		/* A command failed when applied (an interface gone, a table
		 * full): take back the ones before it, newest first, and keep
		 * everything the file no longer names. Route marks left behind
		 * are harmless: only a sweep reads them, right after a fresh
		 * mark. */
		cmd_undo_run(&undo, r);
		cmd_undo_free(&undo);
		mark_all(r, false);
		return rc;
	}
	cmd_undo_free(&undo);
	return config_sweep(r, err);
}
