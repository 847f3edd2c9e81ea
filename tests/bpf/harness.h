/* xrt BPF tests: private netns + bpffs, the loaded object, packet builders. */
#ifndef XRT_TESTS_BPF_HARNESS_H
#define XRT_TESTS_BPF_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>
#include "dataplane/maps.h"
#include "dataplane/loader.h"
#include "dataplane/xdp.h"

#define ETH_LEN 14
#define PKT_MAX 2048

/* The fixture's router: two veths (xfa, xfb) in a private network namespace
 * made by unshare(), a bpffs at /run/xrt-test-<pid>, and the object loaded. */
extern struct xrt_maps M;
extern int if_a, if_b; /* ifindexes */
extern const uint8_t MAC_A[6], MAC_B[6];

void xt_setup(void);
void xt_teardown(void);

/* Standard topology used by the pipeline tests (see harness.c). */
void xt_topology(void);
/* Its building blocks, table main (IPv4 as ::ffff:a.b.c.d, plen + 96): a
 * next hop (gw NULL: connected; id < 16), a route, a neighbour whose MAC is
 * 02:00:00:00:00:<last> (next hops' cached MACs refreshed). */
void xt_nh(uint32_t id, int ifindex, const char *gw, uint32_t mtu);
void xt_route(const char *pfx, unsigned plen, uint32_t type, uint32_t nh_id);
void xt_neigh(int ifindex, const char *addr, uint8_t last, uint16_t state);

struct xt_pkt {
	uint8_t b[PKT_MAX];
	uint32_t len;
};

/* Ethernet + IPv6 + `payload` bytes of UDP (8-byte header then zeros). */
void xt_ip6(struct xt_pkt *p, const char *src, const char *dst, uint8_t hlim,
	    uint8_t nexthdr, uint16_t payload);
void xt_udp_ports(struct xt_pkt *p, uint16_t sport, uint16_t dport);
uint8_t *xt_l3(struct xt_pkt *p);

struct xt_result {
	int ret; /* XDP verdict */
	uint8_t out[PKT_MAX + 64];
	uint32_t out_len;  /* metadata + frame */
	uint32_t meta_len; /* bytes of metadata in front of the frame */
	const uint8_t *frame;
	uint32_t frame_len;
};

/* BPF_PROG_TEST_RUN once, ingress ifindex and queue given. */
void xt_run_q(const struct xt_pkt *p, int ifindex, uint32_t queue,
	      struct xt_result *r);
void xt_run(const struct xt_pkt *p, int ifindex, struct xt_result *r);

/* Compare a slot's counters with the expected block; logs each mismatch. */
int xt_stats_equal(int slot, const struct xrt_stats *want);

void xt_addr(const char *s, uint8_t a[16]);

/* The rpf mode of an attached interface (XRT_IF_F_RPF_STRICT or _LOOSE,
 * 0 off); a slot's count of one drop reason. */
void xt_set_rpf(int ifindex, uint32_t flag);
uint64_t xt_drops(int slot, unsigned reason);

#endif
