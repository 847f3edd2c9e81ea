/* xrt: the configuration file (commands of the CLI grammar), loading and diffing reload. */
#include "control/cmd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define CONFIG_LINE_MAX 8192

static int run_file(struct xrt_router *r, const char *path, char *err)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, XRT_ERR_LEN, "%s: %s", path, strerror(errno));
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
			snprintf(err, XRT_ERR_LEN, "%.60s:%u: line longer than %d bytes", path,
				 lineno, CONFIG_LINE_MAX - 2);
			rc = -E2BIG;
			break;
		}
		int argc = xrt_tokenize(line, argv, XRT_CTL_MAX_WORDS);
		if (argc < 0) {
			snprintf(err, XRT_ERR_LEN, "%s:%u: bad quoting or too many words", path,
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
			snprintf(err, XRT_ERR_LEN, "%.60s:%u: %.180s", path, lineno, msg);
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

static void mark_all(struct xrt_router *r, bool stale)
{
	if (stale)
		rib_mark(r->rib, RIB_ORIGIN_CONFIG);
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
		snprintf(err, XRT_ERR_LEN, "xrtd was started without a configuration file (-c)");
		return -ENOENT;
	}
	mark_all(r, true);
	r->reloading = true;
	int rc = run_file(r, r->config_path, err);
	r->reloading = false;
	if (rc) {
		/* Keep everything: a half-read file must not delete what its
		 * unread lines would have kept. Route marks left behind are
		 * harmless: only a sweep reads them, right after a fresh mark. */
		mark_all(r, false);
		return rc;
	}
	rc = rib_sweep(r->rib, RIB_ORIGIN_CONFIG, err);
	if (rc < 0)
		return rc;
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
