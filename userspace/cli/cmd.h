/* xrt: executing one command of the grammar against the daemon's state. */
#ifndef XRT_CLI_CMD_H
#define XRT_CLI_CMD_H

#include <stdbool.h>
#include "ctl/ctl_proto.h"
#include "router/router.h"

/*
 * argv are the command's words without "xrt" (e.g. "route" "add" ...).
 * Output goes to out (text, or JSON when json). Returns 0, or a negative
 * errno with a one-line message in err (XRT_ERR_LEN bytes) naming the
 * offending word; a failed command changes nothing.
 */
int cmd_exec(struct xrt_router *r, int argc, char **argv, bool json,
	     struct xrt_buf *out, char *err);

/* Run a file of commands (the configuration). Reports "FILE:LINE: error"
 * in err and stops at the first failure. */
int config_load(struct xrt_router *r, const char *path, char *err);
/* Read and parse every line of the file without applying anything (no
 * maps needed): xrtd's start reports a missing or malformed file before
 * it loads the fast path. Errors as config_load. */
int config_check(const char *path, char *err);
/* Re-read the configuration and apply only the difference: objects it
 * still names are kept untouched, new ones added, vanished ones removed. */
int config_reload(struct xrt_router *r, char *err);

#endif
