/* xrt: AF_XDP ports, a UMEM each: receive punted frames, transmit on any interface. */
#ifndef XRT_XSK_XSK_PORT_H
#define XRT_XSK_XSK_PORT_H

#include <stddef.h>
#include <stdint.h>
#include "xrt/punt.h"
#include "xsk/xsk_rings.h"

/*
 * One socket per (interface, rx queue), each with a UMEM of its own sized
 * from the rings (xsk_rings.h): memory grows with the queues attached. Copy
 * mode. The daemon's event loop polls the fds; xsk/ knows nothing of
 * router/.
 */

/* Bytes of one frame (UMEM chunk): the largest frame xsk_xmit carries. */
#define XSK_TX_FRAME_MAX 4096

typedef void (*xsk_rx_fn)(const struct xrt_punt_meta *meta, int ifindex,
			  const uint8_t *frame, size_t len, void *arg);

/* Take the ring sizes every socket opened later gets (xsk_rings_check'ed);
 * no memory yet: each xsk_port_open maps and registers its own UMEM. */
int xsk_pool_create(const struct xsk_rings *rings, char *err);
void xsk_pool_destroy(void);

/* Open a socket on (ifindex, queue); *fd_out is what goes into xrt_xsks and
 * into the event loop. Returns 0 or -errno with err filled. */
int xsk_port_open(int ifindex, unsigned queue, int *fd_out, char *err);
/* Close every socket of ifindex. */
void xsk_port_close(int ifindex);

/* Drain up to budget frames from the socket behind fd into fn; returns count. */
int xsk_port_rx(int fd, unsigned budget, xsk_rx_fn fn, void *arg);

/* Copy one frame into a TX slot of ifindex's first socket and kick the
 * kernel. Returns 0, or -ENOBUFS when the pool or ring is full (counted). */
int xsk_xmit(int ifindex, const void *frame, size_t len);

/* Reclaim completed TX frames; the loop calls it every iteration. */
void xsk_tx_reclaim(void);

#endif
