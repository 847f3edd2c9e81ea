/* xrt: the configuration file (commands of the CLI grammar), loading and diffing reload. */
#include "cli/cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd_stack.h"
#include "router/addr.h"
#include "router/config_neigh.h"
#include "router/link.h"
#include "router/punt.h"
#include "stack/neighbour.h"

#define CONFIG_LINE_MAX 8192

static int run_file(struct xrt_router *r, const char *path, char *err)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		xrt_err(err, "%s: %s", path, strerror(errno));
		return -errno;
	}
	static char line[CONFIG_LINE_MAX];
	char *argv[XRT_CTL_MAX_WORDS];
	char msg[XRT_ERR_LEN];
	struct xrt_buf out = { 0 };
	unsigned lineno = 0;
	int rc = 0;
	r->in_config = true;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		size_t len = strlen(line);
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			xrt_err(err, "%.60s:%u: line longer than %d bytes", path,
				 lineno, CONFIG_LINE_MAX - 2);
			rc = -E2BIG;
			break;
		}
		int argc = xrt_tokenize(line, argv, XRT_CTL_MAX_WORDS);
		if (argc < 0) {
			xrt_err(err, "%s:%u: bad quoting or too many words", path,
				 lineno);
			rc = -EINVAL;
			break;
		}
		if (argc == 0)
			continue;
		out.len = 0;
		rc = cmd_exec(r, argc, argv, false, &out, msg);
		if (rc) {
			/* Keep the command's message whole; the path is cut first. */
			xrt_err(err, "%.60s:%u: %.180s", path, lineno, msg);
			break;
		}
	}
	r->in_config = false;
	xrt_buf_free(&out);
	fclose(f);
	return rc;
}

int config_load(struct xrt_router *r, const char *path, char *err)
{
	r->config_path = path;
	return run_file(r, path, err);
}

int config_check(const char *path, char *err)
{
	/* Static: the router holds big arrays; only the flag is read. */
	static struct xrt_router checker;
	memset(&checker, 0, sizeof(checker));
	checker.check_only = true;
	return run_file(&checker, path, err);
}

static void mark_all(struct xrt_router *r, bool stale)
{
	for (size_t i = 0; i < r->nconfig_neighs; i++)
		r->config_neighs[i].stale = stale;
	if (stale)
		rib_mark(r->rib, RIB_ORIGIN_CONFIG);
	cmd_stack_config_mark(stale);
	for (unsigned s = 1; s < XRT_MAX_IFACES; s++) {
		struct xrt_link *l = r->links[s];
		if (!l)
			continue;
		l->stale = stale && l->from_config;
		for (unsigned i = 0; i < l->dev.naddrs; i++)
			l->addr_stale[i] = stale && l->addr_origin[i] == ADDR_ORIGIN_CONFIG;
	}
}

int config_reload(struct xrt_router *r, char *err)
{
	if (!r->config_path) {
		xrt_err(err, "xrtd was started without a configuration file (-c)");
		return -ENOENT;
	}
	mark_all(r, true);
	punt_config_mark(r);
	r->reloading = true;
	int rc = run_file(r, r->config_path, err);
	r->reloading = false;
	if (rc) {
		/* Keep everything: a half-read file must not delete what its
		 * unread lines would have kept. Route marks left behind are
		 * harmless: only a sweep reads them, right after a fresh mark. */
		mark_all(r, false);
		punt_config_unmark(r);
		return rc;
	}
	if ((rc = punt_config_sweep(r, err)))
		return rc;
	rc = rib_sweep(r->rib, RIB_ORIGIN_CONFIG, err);
	if (rc < 0)
		return rc;
	cmd_stack_config_sweep(r);
	for (size_t i = r->nconfig_neighs; i-- > 0;)
		if (r->config_neighs[i].stale) {
			struct config_neigh n = r->config_neighs[i];
			neigh_del(n.ifindex, &n.addr, err); /* -ENOENT: already gone */
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
