/* xrtd: the Prometheus scrape endpoint (`--metrics ADDR:PORT`): counters and gauges over HTTP. */
#ifndef XRT_DAEMON_METRICS_H
#define XRT_DAEMON_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "ctl/ctl_proto.h"

struct xrt_router;

/* Bounds of the endpoint (SECURITY.md L6); each has a counter in
 * ctl/local_stats.h. */
#define METRICS_MAX_CONNS 16      /* scrapes at once; a new one evicts the oldest idle */
#define METRICS_REQ_MAX 4096      /* request line and headers */
#define METRICS_READ_TIMEOUT_MS 5000  /* whole request must arrive by then */
#define METRICS_SEND_TIMEOUT_MS 10000 /* whole answer must leave by then */
#define METRICS_MAX_LISTEN 2      /* 127.0.0.1 and [::1] without an address */
/* Each answer walks every route: at most this many renders per second
 * (token bucket), others get 503 with Retry-After. */
#define METRICS_RENDER_PER_S 10
#define METRICS_RENDER_BURST 10
#define METRICS_MAX_TABLES 256    /* xrt_rib_routes series (tables) shown */

struct metrics_conn {
	int fd;                /* -1: free */
	uint64_t since_ms;     /* accepted (CLOCK_MONOTONIC): eviction order */
	uint64_t deadline_ms;
	size_t len;            /* request bytes read */
	char req[METRICS_REQ_MAX];
	struct xrt_buf out;    /* the whole answer, sent as the socket drains */
	size_t sent;
};

/* One epoll set of its own (listeners, connections, a timerfd for the
 * deadlines): xrtd's loop watches metrics.epfd and calls metrics_run. */
struct metrics_server {
	int epfd, timerfd;
	int lfd[METRICS_MAX_LISTEN];
	int nlfd;
	struct xrt_router *router;
	uint64_t render_mtokens, refill_ms; /* thousandths of a render */
	struct metrics_conn conns[METRICS_MAX_CONNS];
};

/* spec: "ADDR:PORT", "[V6ADDR]:PORT", ":PORT" or "PORT" (the last two bind
 * 127.0.0.1 and [::1]). warn gets a line when one of the two loopbacks
 * could not be bound. */
int metrics_open(struct metrics_server *m, struct xrt_router *r, const char *spec, char *warn,
		 char *err);
/* Serve whatever is ready; never blocks. */
void metrics_run(struct metrics_server *m);
void metrics_close(struct metrics_server *m);

/* The exposition text (format 0.0.4) of everything xrtd counts; 0 or -errno. */
int metrics_render(struct xrt_router *r, struct xrt_buf *out, char *err);
/* A counter's /proc/net/snmp6 or nstat name as part of a metric name
 * ("Ip6InReceives" -> "ip6_in_receives"), skip dropped from its front. */
void metrics_snake(const char *name, const char *skip, char *out, size_t n);

#endif
