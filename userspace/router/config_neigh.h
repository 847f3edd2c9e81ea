/* xrt: which static neighbours the configuration file added, so a reload removes the ones it drops. */
#ifndef XRT_ROUTER_CONFIG_NEIGH_H
#define XRT_ROUTER_CONFIG_NEIGH_H

#include <netinet/in.h>

struct xrt_router;

/* The configuration added (ifindex, addr): remember it (or refresh it). */
int config_neigh_note(struct xrt_router *r, int ifindex, const struct in6_addr *a,
		      char *err);
/* A neighbour was deleted: forget it if the configuration had added it. */
void config_neigh_forget(struct xrt_router *r, int ifindex, const struct in6_addr *a);

#endif
