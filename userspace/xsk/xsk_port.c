/* xrt: AF_XDP ports over one shared UMEM (libxdp xsk API), bounded frame pool. */
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
#include "xsk/xsk_stats.h"

/* Ring sizes: powers of two. RX/fill bound what one socket holds in flight. */
#define XSK_RING_SIZE 1024
/* Frames a socket keeps posted on its fill ring at most. The share shrinks
 * with the number of open sockets so that together they hold at most half
 * the pool: the rest stays free for TX and for sockets opened later. */
#define XSK_FILL_MAX 256
#define XSK_FILL_MIN 16
#define XSK_FRAME_SIZE XSK_UMEM__DEFAULT_FRAME_SIZE
_Static_assert(XSK_FRAME_SIZE == XSK_TX_FRAME_MAX, "xsk_port.h promises the chunk size");

struct xsk_port {
	bool used;
	int ifindex;
	unsigned queue;
	bool zerocopy;
	struct xsk_socket *xsk;
	struct xsk_ring_cons rx;
	struct xsk_ring_prod tx;
	struct xsk_ring_prod fill;
	struct xsk_ring_cons comp;
	unsigned posted; /* frames currently owned by fill ring + rx ring */
	unsigned tx_outstanding;
};

static struct {
	void *area;
	size_t area_size;
	struct xsk_umem *umem;
	/*
	 * The socket that registered the UMEM must stay bound for as long as
	 * others share it (the kernel refuses XDP_SHARED_UMEM binds against an
	 * unbound owner, and libxdp never closes the owner's fd). So the owner
	 * is an anchor bound to lo, which never goes away and never receives:
	 * every real port is a shared socket with fill/comp rings of its own
	 * and can be closed and reopened at will. The price: a shared UMEM
	 * takes its owner's mode, so ports run in copy mode (veth has no
	 * zero-copy anyway; zero-copy would need one UMEM per device).
	 */
	struct xsk_socket *anchor;
	struct xsk_ring_prod umem_fill;
	struct xsk_ring_cons umem_comp;
	struct xsk_ring_cons anchor_rx;
	/* lo's one queue already has an AF_XDP socket (another daemon in this
	 * namespace): the first port owns the UMEM instead, and that port, once
	 * closed, cannot be opened again on the same queue. */
	bool owner_is_port, umem_rings_taken;
	uint64_t *free_frames; /* stack of free frame addresses */
	/* Which port holds each frame (index + 1; 0 = free), so closing a port
	 * returns exactly the frames its rings held. */
	uint16_t *owner;
	unsigned nfree, nframes;
	unsigned nopen; /* sockets open */
	/* Kernel drop counters of sockets already closed (they die with the
	 * socket, the totals must not go backwards). */
	struct xdp_statistics closed_stats;
	uint64_t stats_refreshed_ns;
	struct xsk_port ports[XRT_MAX_XSKS];
} pool;

struct xsk_stats xsk_stats;

static unsigned port_index(const struct xsk_port *p)
{
	return (unsigned)(p - pool.ports);
}

static uint64_t frame_alloc(const struct xsk_port *p)
{
	if (pool.nfree == 0)
		return UINT64_MAX;
	uint64_t addr = pool.free_frames[--pool.nfree];
	pool.owner[addr / XSK_FRAME_SIZE] = (uint16_t)(port_index(p) + 1);
	return addr;
}

static void frame_free(uint64_t addr)
{
	/* Mask to the frame start: the kernel hands back offset addresses. */
	uint64_t chunk = addr / XSK_FRAME_SIZE;
	if (chunk >= pool.nframes || pool.owner[chunk] == 0)
		return; /* not ours or already free: never double-free */
	pool.owner[chunk] = 0;
	pool.free_frames[pool.nfree++] = chunk * XSK_FRAME_SIZE;
}

int xsk_pool_create(unsigned nframes, char *err)
{
	if (pool.umem) {
		xrt_err(err, "xsk pool already created");
		return -EEXIST;
	}
	if (nframes < 64 || nframes > (1u << 20)) {
		xrt_err(err, "xsk pool: nframes %u out of range 64..%u",
			 nframes, 1u << 20);
		return -EINVAL;
	}
	pool.area_size = (size_t)nframes * XSK_FRAME_SIZE;
	pool.area = mmap(NULL, pool.area_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pool.area == MAP_FAILED) {
		int e = errno;
		pool.area = NULL;
		xrt_err(err, "xsk pool: mmap %zu bytes: %s",
			 pool.area_size, strerror(e));
		return -e;
	}
	struct xsk_umem_config cfg = {
		.fill_size = XSK_RING_SIZE,
		.comp_size = XSK_RING_SIZE,
		.frame_size = XSK_FRAME_SIZE,
		.frame_headroom = 0,
		.flags = 0,
	};
	int ret = xsk_umem__create(&pool.umem, pool.area, pool.area_size,
				   &pool.umem_fill, &pool.umem_comp, &cfg);
	if (ret) {
		xrt_err(err, "xsk_umem__create: %s", strerror(-ret));
		munmap(pool.area, pool.area_size);
		pool.area = NULL;
		pool.umem = NULL;
		return ret;
	}
	pool.free_frames = calloc(nframes, sizeof(*pool.free_frames));
	pool.owner = calloc(nframes, sizeof(*pool.owner));
	if (!pool.free_frames || !pool.owner) {
		xsk_pool_destroy();
		xrt_err(err, "xsk pool: out of memory");
		return -ENOMEM;
	}
	pool.nframes = nframes;
	pool.nfree = 0;
	for (unsigned i = nframes; i-- > 0;)
		pool.free_frames[pool.nfree++] = (uint64_t)i * XSK_FRAME_SIZE;
	return 0;
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
	xsk_socket__delete(p->xsk);
	/* The kernel dropped whatever this socket's rings held: those frames
	 * are free again. */
	uint16_t me = (uint16_t)(port_index(p) + 1);
	for (unsigned c = 0; c < pool.nframes; c++)
		if (pool.owner[c] == me)
			frame_free((uint64_t)c * XSK_FRAME_SIZE);
	p->used = false;
	p->xsk = NULL;
	pool.nopen--;
}

void xsk_pool_destroy(void)
{
	for (unsigned i = 0; i < XRT_MAX_XSKS; i++)
		port_close(&pool.ports[i]);
	if (pool.anchor)
		xsk_socket__delete(pool.anchor);
	if (pool.umem)
		xsk_umem__delete(pool.umem);
	if (pool.area)
		munmap(pool.area, pool.area_size);
	free(pool.free_frames);
	free(pool.owner);
	memset(&pool, 0, sizeof(pool));
}

static unsigned fill_target(void)
{
	unsigned share = pool.nframes / (2 * (pool.nopen ? pool.nopen : 1));
	return share > XSK_FILL_MAX ? XSK_FILL_MAX : share < XSK_FILL_MIN ? XSK_FILL_MIN : share;
}

/* Post free frames on a port's fill ring up to its share of the pool. */
static void port_refill(struct xsk_port *p)
{
	unsigned target = fill_target();
	unsigned want = p->posted < target ? target - p->posted : 0;
	if (want > pool.nfree)
		want = pool.nfree;
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

/* Bind the anchor on lo at the first port (not at pool creation, so that a
 * daemon that fails for another reason never touches lo). */
static void anchor_bind(void)
{
	if (pool.anchor || pool.owner_is_port)
		return;
	struct xsk_socket_config acfg = {
		/* Same size as a port's: if this bind fails, libxdp keeps the
		 * RX ring it set up on the UMEM's fd for the fallback owner. */
		.rx_size = XSK_RING_SIZE,
		.tx_size = 0,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_COPY | XDP_USE_NEED_WAKEUP,
	};
	if (xsk_socket__create(&pool.anchor, "lo", 0, pool.umem, &pool.anchor_rx, NULL,
			       &acfg)) {
		pool.anchor = NULL;
		pool.owner_is_port = true;
		xsk_stats.anchor_fallback = 1;
	}
}

static int port_bind(struct xsk_port *p, const char *ifname, unsigned queue)
{
	anchor_bind();
	if (pool.owner_is_port && !pool.umem_rings_taken) {
		/* Fallback: this port owns the UMEM and its rings. */
		struct xsk_socket_config ocfg = {
			.rx_size = XSK_RING_SIZE,
			.tx_size = XSK_RING_SIZE,
			.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
			.bind_flags = XDP_COPY | XDP_USE_NEED_WAKEUP,
		};
		int ret = xsk_socket__create(&p->xsk, ifname, queue, pool.umem, &p->rx,
					     &p->tx, &ocfg);
		if (ret == 0) {
			p->fill = pool.umem_fill;
			p->comp = pool.umem_comp;
			pool.umem_rings_taken = true;
		}
		return ret;
	}
	/*
	 * Native and generic (XDP_FLAGS_SKB_MODE) links bind alike: copy mode
	 * receives from either hook (xsk_rcv for the driver's, xsk_generic_rcv
	 * for do_xdp_generic's) and transmits through xsk_generic_xmit. Only
	 * zero-copy needs the driver (XDP_SETUP_XSK_POOL), and ports never ask
	 * for it. libxdp reads xdp_flags only to load its own program, which
	 * XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD turns off.
	 */
	struct xsk_socket_config cfg = {
		.rx_size = XSK_RING_SIZE,
		.tx_size = XSK_RING_SIZE,
		/* xrt loads its own XDP program and fills xrt_xsks itself. */
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.xdp_flags = 0,
		/* A shared bind takes the anchor's mode (copy, need_wakeup). */
		.bind_flags = 0,
	};
	return xsk_socket__create_shared(&p->xsk, ifname, queue, pool.umem, &p->rx,
					 &p->tx, &p->fill, &p->comp, &cfg);
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
	if (!pool.umem) {
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
	int ret = port_bind(p, ifname, queue);
	if (ret) {
		xrt_err(err, "xsk: bind %s queue %u: %s", ifname, queue,
			 strerror(-ret));
		memset(p, 0, sizeof(*p));
		return ret;
	}
	p->used = true;
	p->ifindex = ifindex;
	p->queue = queue;
	p->zerocopy = port_is_zerocopy(p);
	pool.nopen++;
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
		uint8_t *frame = xsk_umem__get_data(pool.area, d->addr);
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
		frame_free(d->addr);
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
	unsigned done = xsk_ring_cons__peek(&p->comp, XSK_RING_SIZE, &idx);
	for (unsigned k = 0; k < done; k++)
		frame_free(*xsk_ring_cons__comp_addr(&p->comp, idx + k));
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
	if (pool.nfree == 0)
		port_reclaim(p);
	uint64_t addr = frame_alloc(p);
	if (addr == UINT64_MAX) {
		xsk_stats.tx_no_frame++;
		return -ENOBUFS;
	}
	uint32_t idx;
	if (xsk_ring_prod__reserve(&p->tx, 1, &idx) != 1) {
		frame_free(addr);
		xsk_stats.tx_ring_full++;
		return -ENOBUFS;
	}
	memcpy(xsk_umem__get_data(pool.area, addr), frame, len);
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
