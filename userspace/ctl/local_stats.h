/* xrt: counters of xrtd's local attack surface (control, application and metrics sockets, descriptors, link watch) for `xrt stats`. */
#ifndef XRT_CTL_LOCAL_STATS_H
#define XRT_CTL_LOCAL_STATS_H

#include <stdint.h>

/* One list, every use generated (as include/xrt/counters.h). */
#define XRT_LOCAL_STATS_LIST(X)                                                        \
	X(ctl_refused_uid, "ctl_refused_uid")       /* non-root peer: answered, closed */  \
	X(ctl_refused_full, "ctl_refused_full")     /* CTL_MAX_CONNS reached */            \
	X(ctl_bad_requests, "ctl_bad_requests")     /* malformed or oversized */           \
	X(ctl_accept_shed, "ctl_accept_shed")       /* EMFILE: connection shed */          \
	X(ctl_epoll_errors, "ctl_epoll_errors")     /* epoll_ctl failed: dropped */        \
	X(sock_refused_quota, "sock_refused_quota") /* uid over XRT_SOCK_UID_MAX */        \
	X(sock_refused_full, "sock_refused_full")   /* table full (root reserve kept) */   \
	X(sock_accept_shed, "sock_accept_shed")     /* EMFILE: connection shed */          \
	X(sock_epoll_errors, "sock_epoll_errors")   /* epoll_ctl failed: dropped */        \
	X(listen_backoffs, "listen_backoffs")       /* ENFILE: listener paused */          \
	X(linkwatch_enobufs, "linkwatch_enobufs")   /* link events lost (ENOBUFS) */       \
	X(linkwatch_resyncs, "linkwatch_resyncs")   /* link dumps after a loss */   \
	X(ctl_monitors_refused, "ctl_monitors_refused") /* CTL_MAX_MONITORS reached */ \
	X(ctl_monitor_lost, "ctl_monitor_lost")     /* events a slow monitor missed */ \
	X(metrics_scrapes, "metrics_scrapes")       /* GET /metrics answered */       \
	X(metrics_evicted_idle, "metrics_evicted_idle") /* METRICS_MAX_CONNS: oldest idle closed */ \
	X(metrics_refused_full, "metrics_refused_full") /* every slot answering */    \
	X(metrics_timeouts, "metrics_timeouts")     /* request or answer too slow */  \
	X(metrics_bad_requests, "metrics_bad_requests") /* malformed, > METRICS_REQ_MAX */ \
	X(metrics_rate_limited, "metrics_rate_limited") /* > METRICS_RENDER_PER_S: 503 */ \
	X(metrics_accept_shed, "metrics_accept_shed") /* EMFILE: connection shed */ \
	X(trace_refused, "trace_refused")           /* a second xrt trace */ \
	X(trace_lost, "trace_lost")                 /* trace records the full ring refused */

#define XRT_LOCAL_STATS_FIELD(f, name) uint64_t f;
struct xrt_local_stats {
	XRT_LOCAL_STATS_LIST(XRT_LOCAL_STATS_FIELD)
};
#define XRT_LOCAL_STATS_N (sizeof(struct xrt_local_stats) / sizeof(uint64_t))
extern struct xrt_local_stats xrt_local_stats;
extern const char *const xrt_local_stats_names[];

#endif
