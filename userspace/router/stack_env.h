/* xrt: the daemon's side of the stack seam (struct stack_env) and the punted packet in hand. */
#ifndef XRT_ROUTER_STACK_ENV_H
#define XRT_ROUTER_STACK_ENV_H

#include <stddef.h>
#include <stdint.h>

struct xrt_router;
struct xrt_punt_meta;
struct stack_env;

/* Around stack_rx of a punted frame: remember the fast path's choice. */
void router_punt_begin(struct xrt_router *r, const struct xrt_punt_meta *meta,
		       const uint8_t *frame, size_t len);
void router_punt_end(struct xrt_router *r);

/* Fill the stack's view of the daemon (stack/stack.h). */
void router_stack_env(struct xrt_router *r, struct stack_env *env);

#endif
