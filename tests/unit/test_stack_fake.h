/* xrt tests: a fake stack_env (two interfaces, a small FIB, recorded TX, fake clock) and packet builders. */
#ifndef XRT_TEST_STACK_FAKE_H
#define XRT_TEST_STACK_FAKE_H

#include <stdint.h>
#include <stddef.h>
#include <arpa/inet.h>
#include "stack/stack_internal.h"

#define FAKE_TX_MAX 512
#define FAKE_FRAME_MAX 9200
#define FAKE_IF_A 1 /* mtu 1500, 2001:db8:1::1/64, fe80::a */
#define FAKE_IF_B 2 /* mtu 1280, 2001:db8:2::1/64, fe80::b */

struct fake_frame {
	int ifindex;
	size_t len;
	uint8_t data[FAKE_FRAME_MAX];
};
struct fake_neigh_call {
	int ifindex;
	struct in6_addr addr;
	uint8_t mac[6];
	uint16_t state;
};

extern struct fake_frame *fake_tx;
extern unsigned fake_ntx;
extern uint64_t fake_now;
extern uint64_t fake_used_ns; /* what the fake fast path reports */
extern struct fake_neigh_call fake_neigh_calls[64];
extern unsigned fake_nneigh_calls;
extern struct xrt_netdev fake_devs[2];

/* stack_env.nf_hook: every call recorded; fake_nf_drop[hook] makes it
 * answer drop (hook: enum xrt_acl_dir). */
struct fake_nf_call {
	unsigned hook;
	int ifindex;
	size_t len;
};
extern bool fake_nf_drop[3];
extern struct fake_nf_call fake_nf_call[64];
extern unsigned fake_nf_calls;
/* How many recorded calls were for hook. */
unsigned fake_nf_calls_of(unsigned hook);

void fake_setup(void);
void fake_teardown(void);
/* Advance the fake clock and run due timers. */
void fake_advance_ms(uint64_t ms);

struct in6_addr A(const char *s);
/* Build an Ethernet + IPv6 frame: body (extension headers and upper layer)
 * follows the fixed header. Returns the frame length. */
size_t build_frame(uint8_t *frame, int ifindex, const char *src, const char *dst,
		   uint8_t hlim, uint8_t nexthdr, const void *body, size_t blen);
/* Recompute the ICMPv6 checksum of the message at frame offset icmp_off. */
void fix_icmp_csum(uint8_t *frame, size_t len, size_t icmp_off);
/* An echo request body (ICMPv6 header + data bytes 0,1,2,...). */
size_t build_echo(uint8_t *body, uint16_t id, uint16_t seq, size_t data_len);
/* Build a full echo request frame with correct checksum. */
size_t build_echo_frame(uint8_t *frame, int ifindex, const char *src, const char *dst,
			uint8_t hlim, size_t data_len);
void rx(int ifindex, const uint8_t *frame, size_t len);

/* Accessors on recorded frames. */
const uint8_t *tx_ip6(unsigned i);
size_t tx_ip6_len(unsigned i);
const uint8_t *tx_icmp(unsigned i); /* assumes no extension headers */
bool tx_addr_is(unsigned i, bool dst, const char *addr);
/* Count recorded frames that are ICMPv6 of type (and code if >= 0). */
unsigned count_icmp(int type, int code);
/* Index of the first such frame, or -1. */
int find_icmp(int type, int code);
/* True when the ICMPv6 checksum of recorded frame i verifies. */
bool tx_csum_ok(unsigned i);

#endif
