/* xrt: the `ra` and `icmp` commands, which configure the slow path's Router Advertisements and ICMPv6 error rate limit. */
#ifndef XRT_CLI_CMD_STACK_H
#define XRT_CLI_CMD_STACK_H

#include <net/if.h>
#include <stdbool.h>
#include "cli/cmd_parse.h"
#include "ctl/ctl_proto.h"
#include "router/router.h"
#include "stack/ndisc_ra.h"
#include "stack/stack.h"

/*
 * ra set dev D on|off [interval MAX] [min-interval MIN] [lifetime N]
 *        [mtu N|auto|off]
 *        [prefix P/LEN [valid N|infinity] [preferred N|infinity]
 *                      [no-onlink] [no-autonomous]] ...
 * ra show [dev D]
 * A "set" replaces the interface's whole RA configuration; without
 * "prefix" every global /64 of the interface is advertised. lifetime 0:
 * prefixes only, not a default router; else interval..9000.
 */
struct cmd_ra {
	char dev[IF_NAMESIZE];
	bool has_onoff;
	struct stack_ra_config cfg;
};
int parse_ra(int argc, char **argv, bool set, struct cmd_ra *c, char *err);

/*
 * icmp ratelimit RATE [burst N] [global RATE [burst N]]
 * icmp ratelimit default
 * icmp show
 * RATE in messages/s; 0 turns that bucket off. burst defaults to RATE.
 * Without "global" the global bucket keeps its current setting.
 */
struct cmd_icmp {
	bool defaults, has_per_dst, has_global;
	struct stack_icmp_ratelimit rl;
};
int parse_icmp(int argc, char **argv, struct cmd_icmp *c, char *err);

int cmd_ra(struct xrt_router *r, int argc, char **argv, bool json, struct xrt_buf *out,
	   char *err);
int cmd_icmp(struct xrt_router *r, int argc, char **argv, bool json, struct xrt_buf *out,
	     char *err);

/* Configuration reload: mark what the file set (stale = true), or clear the
 * marks after a failed read; sweep turns off what the file no longer sets
 * (RA on an interface, a non-default ICMPv6 rate limit). */
void cmd_stack_config_mark(bool stale);
void cmd_stack_config_sweep(struct xrt_router *r);

#endif
