/* xrt: the reader of the fast path's trace ring and the writer of its filter (bpf/trace.h). */
#include "dataplane/trace.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xrt/err.h"

int xrt_trace_pin_cfg(struct bpf_object *obj, const char *pin_dir)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, XRT_TRACE_SECTION);
	char path[512];

	if (!map)
		return 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", pin_dir, XRT_MAP_TRACE_CFG) >=
	    sizeof(path))
		return -ENAMETOOLONG;
	return bpf_map__set_pin_path(map, path);
}

static size_t cfg_len(void)
{
	long page = sysconf(_SC_PAGESIZE);

	return (sizeof(struct xrt_trace_cfg) + (size_t)page - 1) & ~((size_t)page - 1);
}

static int ring_cb(void *ctx, void *data, size_t len)
{
	struct xrt_tracer *t = ctx;

	if (len < sizeof(struct xrt_trace_rec))
		return 0; /* another layout: not ours to read */
	return t->fn ? t->fn(t->ctx, data) : 0;
}

int xrt_tracer_open(struct xrt_tracer *t, const char *pin_dir, xrt_trace_fn fn, void *ctx,
		    char *err)
{
	char path[512];
	int rc;

	*t = (struct xrt_tracer){ .cfg_fd = -1, .ring_fd = -1, .fn = fn, .ctx = ctx };
	snprintf(path, sizeof(path), "%s/%s", pin_dir, XRT_MAP_TRACE_CFG);
	t->cfg_fd = bpf_obj_get(path);
	if (t->cfg_fd < 0) {
		rc = xrt_fail(err, -errno, "%s: %s (a fast path built without trace?)", path,
			      strerror(errno));
		goto fail;
	}
	t->cfg = mmap(NULL, cfg_len(), PROT_READ | PROT_WRITE, MAP_SHARED, t->cfg_fd, 0);
	if (t->cfg == MAP_FAILED) {
		t->cfg = NULL;
		rc = xrt_fail(err, -errno, "%s: mmap: %s", path, strerror(errno));
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/%s", pin_dir, XRT_MAP_TRACE_RING);
	t->ring_fd = bpf_obj_get(path);
	if (t->ring_fd < 0) {
		rc = xrt_fail(err, -errno, "%s: %s", path, strerror(errno));
		goto fail;
	}
	t->rb = ring_buffer__new(t->ring_fd, ring_cb, t, NULL);
	if (!t->rb) {
		rc = xrt_fail(err, -errno, "%s: ring buffer: %s", path, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	xrt_tracer_close(t);
	return rc;
}

void xrt_tracer_close(struct xrt_tracer *t)
{
	if (t->cfg)
		xrt_tracer_stop(t);
	if (t->rb)
		ring_buffer__free(t->rb);
	if (t->cfg)
		munmap(t->cfg, cfg_len());
	if (t->ring_fd >= 0)
		close(t->ring_fd);
	if (t->cfg_fd >= 0)
		close(t->cfg_fd);
	*t = (struct xrt_tracer){ .cfg_fd = -1, .ring_fd = -1 };
}

void xrt_tracer_start(struct xrt_tracer *t, const struct xrt_trace_cfg *f)
{
	xrt_trace_fn fn = t->fn;

	/* Leftovers of a session whose reader went away. */
	t->fn = NULL;
	ring_buffer__consume(t->rb);
	t->fn = fn;
	t->cfg->flags = f->flags;
	t->cfg->ifindex = f->ifindex;
	t->cfg->proto = f->proto;
	memcpy(t->cfg->src, f->src, sizeof(f->src));
	memcpy(t->cfg->src_mask, f->src_mask, sizeof(f->src_mask));
	memcpy(t->cfg->dst, f->dst, sizeof(f->dst));
	memcpy(t->cfg->dst_mask, f->dst_mask, sizeof(f->dst_mask));
	/* The filter is in place before a packet can see on. */
	__atomic_store_n(&t->cfg->on, 1, __ATOMIC_RELEASE);
}

void xrt_tracer_stop(struct xrt_tracer *t)
{
	__atomic_store_n(&t->cfg->on, 0, __ATOMIC_RELEASE);
}

int xrt_tracer_fd(const struct xrt_tracer *t)
{
	return t->rb ? ring_buffer__epoll_fd(t->rb) : -1;
}

int xrt_tracer_consume(struct xrt_tracer *t)
{
	return ring_buffer__consume(t->rb);
}

uint64_t xrt_tracer_lost(const struct xrt_tracer *t)
{
	return t->cfg ? __atomic_load_n(&t->cfg->lost, __ATOMIC_RELAXED) : 0;
}
