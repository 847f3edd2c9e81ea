/* xrt: clearing the fast path's neighbour table of entries a previous xrtd left behind. */
#include "router/router.h"

#include <bpf/bpf.h>

int maps_neigh_clear(struct xrt_router *r, int ifindex, char *err)
{
	/* Collect first: deleting while walking a hash map restarts the walk. */
	static struct xrt_neigh6_key keys[XRT_MAX_NEIGH];
	struct xrt_neigh6_key k, next;
	void *prev = NULL;
	size_t n = 0;
	while (n < XRT_MAX_NEIGH && bpf_map_get_next_key(r->maps.neigh6, prev, &next) == 0) {
		k = next;
		prev = &k;
		if (!ifindex || (int)k.ifindex == ifindex)
			keys[n++] = k;
	}
	int done = 0;
	for (size_t i = 0; i < n; i++)
		if (xrt_maps_neigh_del(&r->maps, (int)keys[i].ifindex, keys[i].addr, err) == 0)
			done++;
	return done;
}
