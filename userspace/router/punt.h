/* xrt: punt budgets per reason (xrt_punt_cfg): defaults, config reload, `xrt punt`. */
#ifndef XRT_ROUTER_PUNT_H
#define XRT_ROUTER_PUNT_H

#include <stdbool.h>
#include "ctl/ctl_proto.h"
#include "router/router.h"

/* Program every reason's default budget (xrtd's start). */
int punt_defaults_program(struct xrt_router *r, char *err);
/* `punt show [REASON]`, `punt set REASON [rate PPS] [burst N]`. */
int cmd_punt(struct xrt_router *r, int argc, char **argv, bool json, struct xrt_buf *out,
	     char *err);
/* Reload: budgets the file set are marked; those it no longer sets go back
 * to their defaults at the sweep (unmark: the reload failed, keep all). */
void punt_config_mark(struct xrt_router *r);
int punt_config_sweep(struct xrt_router *r, char *err);
void punt_config_unmark(struct xrt_router *r);

#endif
