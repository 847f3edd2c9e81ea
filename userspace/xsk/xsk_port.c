/* xrt: AF_XDP ports, one UMEM each sized from the rings (libxdp xsk API). */
#include "xsk/xsk_port.h"
#include "xrt/err.h"

#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <xdp/xsk.h>

#include "xrt/limits.h"
#include "xsk/xsk_rings.h"
#include "xsk/xsk_stats.h"

#define XSK_FRAME_SIZE XSK_FRAME_BYTES
_Static_assert(XSK_FRAME_SIZE == XSK_TX_FRAME_MAX, "xsk_port.h promises the chunk size");
_Static_assert(XSK_FRAME_SIZE == XSK_UMEM__DEFAULT_FRAME_SIZE, "libxdp's default chunk");

/*
 * Each socket registers a UMEM of its own (xdp_umem_reg), sized from the
 * rings: fill-ring frames stay posted for receiving, tx-ring frames are for
 * transmitting. The kernel pins a UMEM whole at registration
 * (xdp_umem_pin_pages) and a registered UMEM never grows, so one shared pool
 * would have to be sized for every interface that might ever be attached;
 * one per socket costs memory only for the queues attached. Sockets bind
 * in copy mode, as before (veth has no zero-copy).
 */
struct xsk_port {
	bool used;
	int ifindex;
	unsigned queue;
	bool zerocopy;
	struct xsk_socket *xsk;
	struct xsk_umem *umem;
	void *area;
	size_t area_size;
	struct xsk_ring_cons rx;
	struct xsk_ring_prod tx;
	struct xsk_ring_prod fill;
	struct xsk_ring_cons comp;
	uint64_t *free_frames; /* stack of free frame addresses */
	uint8_t *busy;         /* 1 per frame owned by a ring: never double-free */
	unsigned nfree, nframes;
	unsigned posted; /* frames currently owned by fill ring + rx ring */
	unsigned tx_outstanding;
};

static struct {
	bool configured;
	struct xsk_rings rings;
	/* Kernel drop counters of sockets already closed (they die with the
	 * socket, the totals must not go backwards). */
	struct xdp_statistics closed_stats;
	uint64_t stats_refreshed_ns;
	struct xsk_port ports[XRT_MAX_XSKS];
} pool;

struct xsk_stats xsk_stats;

static uint64_t frame_alloc(struct xsk_port *p)
{
	if (p->nfree == 0)
		return UINT64_MAX;
	uint64_t addr = p->free_frames[--p->nfree];
	p->busy[addr / XSK_FRAME_SIZE] = 1;
	return addr;
}

static void frame_free(struct xsk_port *p, uint64_t addr)
{
	/* Mask to the frame start: the kernel hands back offset addresses. */
	uint64_t chunk = addr / XSK_FRAME_SIZE;
	if (chunk >= p->nframes || !p->busy[chunk])
		return; /* not ours or already free: never double-free */
	p->busy[chunk] = 0;
	p->free_frames[p->nfree++] = chunk * XSK_FRAME_SIZE;
}

int xsk_pool_create(const struct xsk_rings *rings, char *err)
{
	if (pool.configured)
		return xrt_fail(err, -EEXIST, "xsk pool already created");
	int rc = xsk_rings_check(rings, err);
	if (rc)
		return rc;
	pool.rings = *rings;
	pool.configured = true;
	return 0;
}

/* The socket's UMEM: frames, the free stack, the fill and completion rings. */
static int port_umem_create(struct xsk_port *p, char *err)
{
	p->nframes = xsk_rings_frames(&pool.rings);
	p->area_size = (size_t)p->nframes * XSK_FRAME_SIZE;
	p->area = mmap(NULL, p->area_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (p->area == MAP_FAILED) {
		p->area = NULL;
		return xrt_fail(err, -errno, "xsk: mmap %zu bytes of UMEM: %s", p->area_size,
				strerror(errno));
	}
	p->free_frames = calloc(p->nframes, sizeof(*p->free_frames));
	p->busy = calloc(p->nframes, sizeof(*p->busy));
	if (!p->free_frames || !p->busy)
		return xrt_fail(err, -ENOMEM, "xsk: out of memory");
	struct xsk_umem_config cfg = {
		.fill_size = pool.rings.fill,
		.comp_size = pool.rings.comp,
		.frame_size = XSK_FRAME_SIZE,
		.frame_headroom = 0,
		.flags = 0,
	};
	int rc = xsk_umem__create(&p->umem, p->area, p->area_size, &p->fill, &p->comp, &cfg);
	if (rc) {
		p->umem = NULL;
		return xrt_fail(err, rc, "xsk_umem__create (%u frames): %s", p->nframes,
				strerror(-rc));
	}
	for (unsigned i = p->nframes; i-- > 0;)
		p->free_frames[p->nfree++] = (uint64_t)i * XSK_FRAME_SIZE;
	return 0;
}

/* Socket first, then the UMEM it registered, then the memory. */
static void port_free(struct xsk_port *p)
{
	if (p->xsk)
		xsk_socket__delete(p->xsk);
	if (p->umem)
		xsk_umem__delete(p->umem);
	if (p->area)
		munmap(p->area, p->area_size);
	free(p->free_frames);
	free(p->busy);
	memset(p, 0, sizeof(*p));
}

static bool port_kernel_stats(const struct xsk_port *p, struct xdp_statistics *st)
{
	socklen_t len = sizeof(*st);
	memset(st, 0, sizeof(*st));
	return getsockopt(xsk_socket__fd(p->xsk), SOL_XDP, XDP_STATISTICS, st, &len) == 0;
}

static void stats_add(struct xdp_statistics *sum, const struct xdp_statistics *st)
{
	sum->rx_dropped += st->rx_dropped;
	sum->rx_invalid_descs += st->rx_invalid_descs;
	sum->tx_invalid_descs += st->tx_invalid_descs;
	sum->rx_ring_full += st->rx_ring_full;
	sum->rx_fill_ring_empty_descs += st->rx_fill_ring_empty_descs;
}

void xsk_stats_refresh(void)
{
	struct xdp_statistics sum = pool.closed_stats, st;
	for (unsigned i = 0; i < XRT_MAX_XSKS; i++)
		if (pool.ports[i].used && port_kernel_stats(&pool.ports[i], &st))
			stats_add(&sum, &st);
	xsk_stats.k_rx_dropped = sum.rx_dropped;
	xsk_stats.k_rx_ring_full = sum.rx_ring_full;
	xsk_stats.k_rx_fill_empty = sum.rx_fill_ring_empty_descs;
	xsk_stats.k_rx_invalid = sum.rx_invalid_descs;
	xsk_stats.k_tx_invalid = sum.tx_invalid_descs;
}

static void port_close(struct xsk_port *p)
{
	if (!p->used)
		return;
	struct xdp_statistics st;
	if (port_kernel_stats(p, &st))
		stats_add(&pool.closed_stats, &st);
	xsk_stats.umem_frames -= p->nframes;
	port_free(p);
}

void xsk_pool_destroy(void)
{
	for (unsigned i = 0; i < XRT_MAX_XSKS; i++)
		port_close(&pool.ports[i]);
	memset(&pool, 0, sizeof(pool));
}

/* Post free frames on a port's fill ring up to its share of the pool. */
static void port_refill(struct xsk_port *p)
{
	unsigned target = pool.rings.fill;
	unsigned want = p->posted < target ? target - p->posted : 0;
	if (want > p->nfree)
		want = p->nfree;
	if (!want)
		return;
	uint32_t idx;
	unsigned got = xsk_ring_prod__reserve(&p->fill, want, &idx);
	for (unsigned i = 0; i < got; i++)
		*xsk_ring_prod__fill_addr(&p->fill, idx + i) = frame_alloc(p);
	xsk_ring_prod__submit(&p->fill, got);
	p->posted += got;
}

static struct xsk_port *port_by_fd(int fd)
{
	for (unsigned i = 0; i < XRT_MAX_XSKS; i++)
		if (pool.ports[i].used && xsk_socket__fd(pool.ports[i].xsk) == fd)
			return &pool.ports[i];
	return NULL;
}

static int port_bind(struct xsk_port *p, const char *ifname, unsigned queue)
{
	/*
	 * Native and generic (XDP_FLAGS_SKB_MODE) links bind alike: copy mode
	 * receives from either hook (xsk_rcv for the driver's, xsk_generic_rcv
	 * for do_xdp_generic's) and transmits through xsk_generic_xmit. Only
	 * zero-copy needs the driver (XDP_SETUP_XSK_POOL), and ports never ask
	 * for it. libxdp reads xdp_flags only to load its own program, which
	 * XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD turns off.
	 */
	struct xsk_socket_config cfg = {
		.rx_size = pool.rings.rx,
		.tx_size = pool.rings.tx,
		/* xrt loads its own XDP program and fills xrt_xsks itself. */
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.xdp_flags = 0,
		.bind_flags = XDP_COPY | XDP_USE_NEED_WAKEUP,
	};
	return xsk_socket__create(&p->xsk, ifname, queue, p->umem, &p->rx, &p->tx, &cfg);
}

/* What the kernel says about the socket: zero-copy or copy. */
static bool port_is_zerocopy(const struct xsk_port *p)
{
	struct xdp_options opts = { 0 };
	socklen_t len = sizeof(opts);
	return getsockopt(xsk_socket__fd(p->xsk), SOL_XDP, XDP_OPTIONS, &opts, &len) == 0 &&
	       (opts.flags & XDP_OPTIONS_ZEROCOPY);
}

int xsk_port_open(int ifindex, unsigned queue, int *fd_out, char *err)
{
	if (!pool.configured) {
		xrt_err(err, "xsk pool not created");
		return -EINVAL;
	}
	char ifname[IF_NAMESIZE];
	if (!if_indextoname(ifindex, ifname)) {
		xrt_err(err, "xsk: no interface with index %d", ifindex);
		return -ENODEV;
	}
	struct xsk_port *p = NULL;
	for (unsigned i = 0; i < XRT_MAX_XSKS; i++) {
		struct xsk_port *q = &pool.ports[i];
		if (q->used && q->ifindex == ifindex && q->queue == queue) {
			xrt_err(err, "xsk: %s queue %u already open",
				 ifname, queue);
			return -EEXIST;
		}
		if (!q->used && !p)
			p = q;
	}
	if (!p) {
		xrt_err(err, "xsk: all %d sockets in use", XRT_MAX_XSKS);
		return -ENOSPC;
	}
	memset(p, 0, sizeof(*p));
	int ret = port_umem_create(p, err);
	if (ret) {
		port_free(p);
		return ret;
	}
	ret = port_bind(p, ifname, queue);
	if (ret) {
		p->xsk = NULL;
		port_free(p);
		xrt_err(err, "xsk: bind %s queue %u: %s", ifname, queue, strerror(-ret));
		return ret;
	}
	p->used = true;
	p->ifindex = ifindex;
	p->queue = queue;
	p->zerocopy = port_is_zerocopy(p);
	xsk_stats.umem_frames += p->nframes;
	port_refill(p);
	*fd_out = xsk_socket__fd(p->xsk);
	return 0;
}

bool xsk_port_zerocopy(int fd)
{
	struct xsk_port *p = port_by_fd(fd);
	return p && p->zerocopy;
}

void xsk_port_close(int ifindex)
{
	for (unsigned i = 0; i < XRT_MAX_XSKS; i++) {
		struct xsk_port *p = &pool.ports[i];
		if (!p->used || p->ifindex != ifindex)
			continue;
		port_close(p);
	}
}

int xsk_port_rx(int fd, unsigned budget, xsk_rx_fn fn, void *arg)
{
	struct xsk_port *p = port_by_fd(fd);
	if (!p)
		return -EBADF;
	uint32_t idx;
	unsigned n = xsk_ring_cons__peek(&p->rx, budget, &idx);
	for (unsigned i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&p->rx, idx + i);
		uint8_t *frame = xsk_umem__get_data(p->area, d->addr);
		const struct xrt_punt_meta *meta = NULL;
		/* The fast path's metadata sits just before the frame; the frame
		 * address is at least XDP_PACKET_HEADROOM into its chunk. */
		uint64_t off_in_chunk = d->addr & (XSK_FRAME_SIZE - 1);
		if (off_in_chunk >= sizeof(*meta)) {
			const struct xrt_punt_meta *m =
				(const void *)(frame - sizeof(*meta));
			if (m->magic == XRT_PUNT_MAGIC)
				meta = m;
		}
		if (meta)
			xsk_stats.rx_with_meta++;
		else
			xsk_stats.rx_without_meta++;
		xsk_stats.rx_frames++;
		fn(meta, p->ifindex, frame, d->len, arg);
		/* Clear the magic so a recycled frame never shows stale meta. */
		if (meta)
			((struct xrt_punt_meta *)(frame - sizeof(*meta)))->magic = 0;
		frame_free(p, d->addr);
	}
	xsk_ring_cons__release(&p->rx, n);
	p->posted -= n;
	port_refill(p);
	if (xsk_ring_prod__needs_wakeup(&p->fill))
		recvfrom(fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
	return (int)n;
}

static void port_reclaim(struct xsk_port *p)
{
	uint32_t idx;
	unsigned done = xsk_ring_cons__peek(&p->comp, pool.rings.comp, &idx);
	for (unsigned k = 0; k < done; k++)
		frame_free(p, *xsk_ring_cons__comp_addr(&p->comp, idx + k));
	xsk_ring_cons__release(&p->comp, done);
	p->tx_outstanding -= done < p->tx_outstanding ? done : p->tx_outstanding;
}

/* How often the loop's reclaim also refreshes the kernel's drop counters. */
#define XSK_STATS_REFRESH_NS 100000000ull

void xsk_tx_reclaim(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	if (now - pool.stats_refreshed_ns >= XSK_STATS_REFRESH_NS) {
		pool.stats_refreshed_ns = now;
		xsk_stats_refresh();
	}
	for (unsigned i = 0; i < XRT_MAX_XSKS; i++) {
		struct xsk_port *p = &pool.ports[i];
		if (!p->used)
			continue;
		port_reclaim(p);
		/* Copy mode only transmits on a syscall; kick again while frames
		 * are outstanding so they never sit in the ring. */
		if (p->tx_outstanding && xsk_ring_prod__needs_wakeup(&p->tx))
			sendto(xsk_socket__fd(p->xsk), NULL, 0, MSG_DONTWAIT, NULL, 0);
		port_refill(p);
	}
}

int xsk_xmit(int ifindex, const void *frame, size_t len)
{
	struct xsk_port *p = NULL;
	for (unsigned i = 0; i < XRT_MAX_XSKS && !p; i++)
		if (pool.ports[i].used && pool.ports[i].ifindex == ifindex)
			p = &pool.ports[i];
	if (!p) {
		xsk_stats.tx_no_port++;
		return -ENODEV;
	}
	if (len > XSK_FRAME_SIZE || len == 0) {
		xsk_stats.tx_too_long++;
		return -EMSGSIZE;
	}
	/* TX owns tx-ring frames of the UMEM at most: the rest stay posted
	 * for receiving. */
	if (p->nfree == 0 || p->tx_outstanding >= pool.rings.tx)
		port_reclaim(p);
	if (p->tx_outstanding >= pool.rings.tx) {
		xsk_stats.tx_ring_full++;
		return -ENOBUFS;
	}
	uint64_t addr = frame_alloc(p);
	if (addr == UINT64_MAX) {
		xsk_stats.tx_no_frame++;
		return -ENOBUFS;
	}
	uint32_t idx;
	if (xsk_ring_prod__reserve(&p->tx, 1, &idx) != 1) {
		frame_free(p, addr);
		xsk_stats.tx_ring_full++;
		return -ENOBUFS;
	}
	memcpy(xsk_umem__get_data(p->area, addr), frame, len);
	struct xdp_desc *d = xsk_ring_prod__tx_desc(&p->tx, idx);
	d->addr = addr;
	d->len = (uint32_t)len;
	d->options = 0;
	xsk_ring_prod__submit(&p->tx, 1);
	p->tx_outstanding++;
	xsk_stats.tx_frames++;
	if (xsk_ring_prod__needs_wakeup(&p->tx))
		sendto(xsk_socket__fd(p->xsk), NULL, 0, MSG_DONTWAIT, NULL, 0);
	return 0;
}
