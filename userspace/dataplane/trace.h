/* xrt: the reader of the fast path's trace ring and the writer of its filter (bpf/trace.h). */
#ifndef XRT_DATAPLANE_TRACE_H
#define XRT_DATAPLANE_TRACE_H

#include <stdint.h>

#include "xrt/trace.h"

struct bpf_object;
struct ring_buffer;

/* Pin the object's .data.xrt_trace section map as XRT_MAP_TRACE_CFG in
 * pin_dir before it is loaded, so that every load of the object (one per
 * attached link) shares the one filter. 0 if the object has no such map
 * (built without tracing). */
int xrt_trace_pin_cfg(struct bpf_object *obj, const char *pin_dir);

/* One record from the ring; return nonzero to stop consuming. */
typedef int (*xrt_trace_fn)(void *ctx, const struct xrt_trace_rec *rec);

struct xrt_tracer {
	int cfg_fd, ring_fd;
	struct xrt_trace_cfg *cfg; /* mmapped */
	struct ring_buffer *rb;
	xrt_trace_fn fn;
	void *ctx;
};

/* Open the pinned filter and ring under pin_dir (after xrt_maps_load). */
int xrt_tracer_open(struct xrt_tracer *t, const char *pin_dir, xrt_trace_fn fn, void *ctx,
		    char *err);
void xrt_tracer_close(struct xrt_tracer *t);
/* Write the filter (f->on ignored), then turn tracing on; records still in
 * the ring from an earlier session are consumed and dropped first. */
void xrt_tracer_start(struct xrt_tracer *t, const struct xrt_trace_cfg *f);
void xrt_tracer_stop(struct xrt_tracer *t);
/* The fd to poll for records, and consume what is there (count or -errno). */
int xrt_tracer_fd(const struct xrt_tracer *t);
int xrt_tracer_consume(struct xrt_tracer *t);
/* Records the full ring refused since the filter map was created. */
uint64_t xrt_tracer_lost(const struct xrt_tracer *t);

#endif
