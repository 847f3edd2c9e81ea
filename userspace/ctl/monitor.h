/* xrt: `xrt monitor`: control connections that stream link, address, route and neighbour changes, bounded in number and queue. */
#ifndef XRT_CTL_MONITOR_H
#define XRT_CTL_MONITOR_H

#include <stdbool.h>
#include <stdint.h>

#include "router/router.h"

#define CTL_MAX_MONITORS 8    /* monitors at once (each also holds a CLI slot) */
#define CTL_MONITOR_QUEUE 256 /* events queued for a reader that falls behind */

/* Is this request a monitor subscription ("monitor [link|addr|route|neigh|all]...")?
 * Fills *mask (1 << enum router_ev_kind) or returns -EINVAL with err. */
int ctl_monitor_parse(int argc, char **argv, unsigned *mask, char *err);
/* Subscribe fd (a connected control socket of uid 0). -EBUSY when
 * CTL_MAX_MONITORS are running. */
int ctl_monitor_add(int fd, unsigned mask, bool json, char *err);
/* fd closed: forget its subscription, if any. */
void ctl_monitor_del(int fd);
bool ctl_monitor_is(int fd);
/* router_event_ops.fn: format ev once per format and queue it. */
void ctl_monitor_event(void *router, const struct router_ev *ev);
/* Send what is queued without blocking (after each loop iteration);
 * true when something is still queued. */
bool ctl_monitor_flush(void);

#endif
