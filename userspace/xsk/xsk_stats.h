/* xrt: counters of the AF_XDP layer (frames in/out, why a TX failed). */
#ifndef XRT_XSK_XSK_STATS_H
#define XRT_XSK_XSK_STATS_H

#include <stdbool.h>
#include <stdint.h>

#define XSK_STATS_LIST(X)                                                  \
	X(rx_frames, "XskRxFrames")                                            \
	X(rx_with_meta, "XskRxWithMeta")       /* punt metadata present */     \
	X(rx_without_meta, "XskRxWithoutMeta") /* no or bad magic */           \
	X(tx_frames, "XskTxFrames")                                            \
	X(tx_no_port, "XskTxNoPort")           /* egress has no socket */      \
	X(tx_too_long, "XskTxTooLong")         /* frame larger than a chunk */ \
	X(tx_no_frame, "XskTxNoFrame")         /* pool exhausted */            \
	X(tx_ring_full, "XskTxRingFull")                                        \
	/* The kernel's own drops (XDP_STATISTICS), summed over sockets: */  \
	X(k_rx_dropped, "XskKernRxDropped")                                    \
	X(k_rx_ring_full, "XskKernRxRingFull")   /* we did not drain fast enough */\
	X(k_rx_fill_empty, "XskKernRxFillEmpty") /* no free frame posted */    \
	X(k_rx_invalid, "XskKernRxInvalidDescs")                               \
	X(k_tx_invalid, "XskKernTxInvalidDescs")                               \
	X(umem_frames, "XskUmemFrames") /* frames of the open sockets' UMEMs (a gauge) */

#define XSK_STATS_FIELD(f, name) uint64_t f;
struct xsk_stats {
	XSK_STATS_LIST(XSK_STATS_FIELD)
};
extern struct xsk_stats xsk_stats;

/* Refresh the k_* fields from the kernel (one getsockopt per socket). */
void xsk_stats_refresh(void);

/* True when the socket behind fd was bound in zero-copy mode. */
bool xsk_port_zerocopy(int fd);

#endif
