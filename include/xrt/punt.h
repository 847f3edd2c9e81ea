/* xrt: the metadata the fast path puts in front of every punted frame. */
#ifndef XRT_PUNT_H
#define XRT_PUNT_H

#include <linux/types.h>

/*
 * Written with bpf_xdp_adjust_meta() into the XDP metadata area, which AF_XDP
 * copies into the UMEM just before the frame (copy and zero-copy mode). The
 * daemon reads it at (frame - sizeof(struct xrt_punt_meta)) and checks magic.
 * Host byte order.
 */
#define XRT_PUNT_MAGIC 0x78727470u /* "xrtp" */
struct xrt_punt_meta {
	__u32 magic;
	__u16 reason;  /* enum xrt_punt_reason */
	__u16 flags;
	__u32 ifindex; /* ingress */
	__u32 nh;      /* chosen xrt_nh id (member, never a group); 0 if none */
	__u32 oif;     /* egress ifindex when known, else 0 */
	__u32 mtu;     /* egress MTU when known (TOO_BIG), else 0 */
};

#endif
