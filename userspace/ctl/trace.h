/* xrt: `xrt trace`: one session at a time, streamed to its control connection from the fast path's trace ring. */
#ifndef XRT_CTL_TRACE_H
#define XRT_CTL_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "router/router.h"

/* Open the pinned trace ring and filter (after router_init). Without them
 * (a fast path built without trace) every session is refused. Returns the
 * fd to watch for records, or -errno with err. */
int ctl_trace_init(struct xrt_router *r, char *err);
void ctl_trace_fini(void);
/* "trace ..." on connection fd: start the session, or -EBUSY ("another
 * xrt trace is running"), -EINVAL (a word) with err. */
int ctl_trace_start(int fd, int argc, char **argv, bool json, char *err);
bool ctl_trace_is(int fd);
/* fd closed: tracing off. */
void ctl_trace_del(int fd);
/* Records are waiting: print them; the session ends after its count. */
void ctl_trace_poll(void);
/* Around the slow path's handling of a punted frame (xrtd's on_punt):
 * begin returns true when the frame is a traced packet waiting for it; end
 * prints that packet with the counters stack_rx moved. */
bool ctl_trace_punt_begin(int ifindex, const uint8_t *frame, size_t len);
void ctl_trace_punt_end(void);
/* Milliseconds until the session's timeout (-1: none running); at 0 call
 * ctl_trace_expire. */
int ctl_trace_timeout_ms(void);
void ctl_trace_expire(void);

#endif
