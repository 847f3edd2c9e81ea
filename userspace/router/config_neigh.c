/* xrt: which static neighbours the configuration file added, so a reload removes the ones it drops. */
#include "router/config_neigh.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "router/router.h"
#include "stack/neighbour.h"

int config_neigh_note(struct xrt_router *r, int ifindex, const struct in6_addr *a,
		      char *err)
{
	for (size_t i = 0; i < r->nconfig_neighs; i++)
		if (r->config_neighs[i].ifindex == ifindex &&
		    !memcmp(&r->config_neighs[i].addr, a, sizeof(*a))) {
			r->config_neighs[i].stale = false;
			return 0;
		}
	if (!r->config_neighs) {
		r->config_neighs = calloc(NEIGH_TABLE_SIZE, sizeof(*r->config_neighs));
		if (!r->config_neighs) {
			xrt_err(err, "out of memory");
			return -ENOMEM;
		}
	}
	if (r->nconfig_neighs == NEIGH_TABLE_SIZE) {
		xrt_err(err, "too many static neighbours in the configuration (at most %d)",
			 NEIGH_TABLE_SIZE);
		return -ENOSPC;
	}
	r->config_neighs[r->nconfig_neighs++] =
		(struct config_neigh){ .ifindex = ifindex, .addr = *a };
	return 0;
}

void config_neigh_forget(struct xrt_router *r, int ifindex, const struct in6_addr *a)
{
	for (size_t i = 0; i < r->nconfig_neighs; i++)
		if (r->config_neighs[i].ifindex == ifindex &&
		    !memcmp(&r->config_neighs[i].addr, a, sizeof(*a))) {
			r->config_neighs[i] = r->config_neighs[--r->nconfig_neighs];
			return;
		}
}
