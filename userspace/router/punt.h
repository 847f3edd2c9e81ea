/* xrt: punt budgets per reason (xrt_punt_cfg): defaults, config reload; the `xrt punt` command is cli/punt.c. */
#ifndef XRT_ROUTER_PUNT_H
#define XRT_ROUTER_PUNT_H

#include <stdbool.h>
#include <stdint.h>
#include "router/router.h"

#define PUNT_RATE_MAX 10000000u /* pps; far above what one AF_XDP socket takes */
#define PUNT_BURST_MAX 1000000u

/* Program every reason's default budget (xrtd's start). */
int punt_defaults_program(struct xrt_router *r, char *err);
/* Program one reason's budget and remember it in r->punt_cfg. */
int punt_budget_set(struct xrt_router *r, unsigned reason, const struct xrt_punt_cfg *v,
		    char *err);
/* Reload: budgets the file set are marked; those it no longer sets go back
 * to their defaults at the sweep (unmark: the reload failed, keep all). */
void punt_config_mark(struct xrt_router *r);
int punt_config_sweep(struct xrt_router *r, char *err);
void punt_config_unmark(struct xrt_router *r);

#endif
