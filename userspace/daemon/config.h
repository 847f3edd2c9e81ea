/* xrt: the configuration file (commands of the CLI grammar): check, load at start, all-or-nothing reload. */
#ifndef XRT_DAEMON_CONFIG_H
#define XRT_DAEMON_CONFIG_H

#include "router/router.h"

/* Read and parse every line of the file without applying anything (no
 * maps needed): xrtd's start reports a missing or malformed file before
 * it loads the fast path. Errors name "FILE:LINE: " and the word. */
int config_check(const char *path, char *err);
/* Parse the whole file, then run its commands in order (xrtd's start);
 * stops at the first failure with "FILE:LINE: error" in err. */
int config_load(struct xrt_router *r, const char *path, char *err);
/* Re-read the configuration and apply only the difference: objects it
 * still names are kept untouched, new ones added, vanished ones removed.
 * All or nothing: a line that does not parse changes nothing, and a
 * command that fails when applied takes back every command of the file
 * applied before it; err names FILE:LINE either way. */
int config_reload(struct xrt_router *r, char *err);

#endif
