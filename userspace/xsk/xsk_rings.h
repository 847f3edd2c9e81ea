/* xrt: the AF_XDP ring sizes of one socket (xrtd's --xsk-*-ring words) and the UMEM they need. */
#ifndef XRT_XSK_XSK_RINGS_H
#define XRT_XSK_XSK_RINGS_H

#include <stddef.h>
#include <stdint.h>

/*
 * The four rings of one AF_XDP socket, as the kernel's setsockopt words
 * (XDP_RX_RING, XDP_TX_RING, XDP_UMEM_FILL_RING, XDP_UMEM_COMPLETION_RING).
 * Each socket has a UMEM of its own, sized from these: the frames it keeps
 * posted for receiving (fill) plus the frames it may have in flight for
 * transmitting (tx). xsk_create_umem_rings wants powers of two.
 */
struct xsk_rings {
	unsigned rx, tx, fill, comp;
};

/* Bounds: 32 descriptors hold half a receive budget of frames; 4096 makes
 * a 32 MiB UMEM per queue (fill + tx frames of XSK_FRAME_BYTES). */
#define XSK_RING_MIN 32
#define XSK_RING_MAX 4096
/* 256 frames posted per queue: what the shared pool gave each socket before
 * (at most 256 on its fill ring); 2 MiB of UMEM per queue. */
#define XSK_RING_DEFAULT 256
/* Bytes of one UMEM chunk: the largest frame xsk_xmit carries. */
#define XSK_FRAME_BYTES 4096u

/* Plain decimals above: xrtd's usage spells them with XSK_STR. */
#define XSK_STR_(x) #x
#define XSK_STR(x) XSK_STR_(x)

#define XSK_RINGS_DEFAULT                                                               \
	((struct xsk_rings){ .rx = XSK_RING_DEFAULT, .tx = XSK_RING_DEFAULT,            \
			     .fill = XSK_RING_DEFAULT, .comp = XSK_RING_DEFAULT })

/* Set one ring from its word ("rx-ring", "tx-ring", "fill-ring",
 * "comp-ring") and a decimal value: a power of two in
 * XSK_RING_MIN..XSK_RING_MAX. Returns 0 or -EINVAL with err naming both. */
int xsk_rings_set(struct xsk_rings *r, const char *word, const char *value, char *err);
/* The rings taken together: every size in bounds and a power of two; the
 * completion ring holds every frame the TX ring can have in flight
 * (comp >= tx) and the RX ring every frame the fill ring posts
 * (rx >= fill), else frames would be stranded. 0 or -EINVAL. */
int xsk_rings_check(const struct xsk_rings *r, char *err);
/* Frames of one socket's UMEM: fill + tx. */
unsigned xsk_rings_frames(const struct xsk_rings *r);
/* Bytes one socket pins: its UMEM plus the four rings' descriptors
 * (16 B per rx/tx descriptor, 8 B per fill/completion address). */
size_t xsk_rings_bytes(const struct xsk_rings *r);

#endif
