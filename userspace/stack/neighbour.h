/* xrt: the neighbour table's API for the control plane (xrt neigh add/del/flush/show). */
#ifndef XRT_STACK_NEIGHBOUR_H
#define XRT_STACK_NEIGHBOUR_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

/* Bounds: entries in the table, packets and bytes waiting for resolution. */
#define NEIGH_TABLE_SIZE 4096
#define NEIGH_HOLD_PKTS 8             /* per neighbour (kernel: unres_qlen) */
#define NEIGH_HOLD_BYTES_MAX (4u << 20) /* all neighbours together */

struct neigh_info {
	int ifindex;
	struct in6_addr addr;
	uint8_t mac[6];
	uint16_t state;   /* XRT_NUD_* (include/xrt/maps.h) */
	bool is_router;
	unsigned probes;  /* solicitations sent in this state */
	unsigned queued;  /* packets held for resolution */
};

/* A PERMANENT entry (never aged, never changed by ND). Replaces a dynamic
 * one and sends whatever was queued for it. err gets a message on failure. */
int neigh_add_static(int ifindex, const struct in6_addr *addr, const uint8_t mac[6],
		     char *err);
/* Remove one entry (static or dynamic); -ENOENT if none. */
int neigh_del(int ifindex, const struct in6_addr *addr, char *err);
/* Remove dynamic entries of ifindex (0 = all interfaces); with_permanent
 * also removes static ones (interface detach). Returns how many. */
unsigned neigh_table_flush(int ifindex, bool with_permanent);
/* Call fn for every entry. */
void neigh_foreach(void (*fn)(const struct neigh_info *, void *), void *arg);
/* "REACHABLE", "STALE", ... as iproute2 prints them. */
const char *neigh_state_name(uint16_t state);

#endif
