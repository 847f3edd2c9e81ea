/* xrt: static neighbours written straight into the fast path's neighbour table. */
#include "control/router.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>

int neigh_static_set(struct xrt_router *r, int ifindex, const struct in6_addr *a,
		     const uint8_t mac[6], char *err)
{
	return xrt_maps_neigh_set(&r->maps, ifindex, a->s6_addr, mac, XRT_NUD_PERMANENT,
				  err);
}

int neigh_static_del(struct xrt_router *r, int ifindex, const struct in6_addr *a,
		     char *err)
{
	return xrt_maps_neigh_del(&r->maps, ifindex, a->s6_addr, err);
}

int neigh_flush(struct xrt_router *r, int ifindex, char *err)
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
