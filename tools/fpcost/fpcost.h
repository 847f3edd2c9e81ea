/* xrt fpcost: shared declarations between the measurement driver and its parts. */
#ifndef XRT_FPCOST_H
#define XRT_FPCOST_H

#include <stdint.h>
#include <netinet/in.h>
#include <linux/types.h>

struct fp_route {
	struct in6_addr addr; /* host bits beyond plen are zero */
	uint8_t plen;
};

/* The private topology's devices (fpcost.c, fp_topo_setup). */
#define FP_IN_DEV "xbfi"
#define FP_IN_PEER "xbfip"
#define FP_OUT_DEV "xbfo"
#define FP_OUT_PEER "xbfop"
#define FP_SPARE_DEV "xbfs"
#define FP_SPARE_PEER "xbfsp"

/* The private topology every program under test sees. */
struct fp_topo {
	int in_ifindex, out_ifindex;
	uint8_t in_mac[6], out_mac[6], gw_mac[6];
	struct in6_addr gw;        /* next hop on the egress link */
	struct in6_addr blackhole; /* a /48 routed to blackhole */
	unsigned blackhole_plen;
	struct in6_addr blackhole4; /* IPv4 (mapped): a /16 routed to blackhole */
	struct in6_addr local4;     /* IPv4 (mapped): the egress address */
	unsigned blackhole4_plen;
};

/* routes.c: deterministic random table with a realistic prefix-length mix. */
void fp_routes_generate(struct fp_route *r, unsigned n, uint64_t seed);
/* The IPv4 table, as IPv4-mapped prefixes (plen 96 + 8..32). */
void fp_routes_generate4(struct fp_route *r, unsigned n, uint64_t seed);
void fp_route_host(const struct fp_route *r, uint64_t *rng, struct in6_addr *out);
uint64_t fp_rand(uint64_t *state);

/* xrt_side.c: the full pipeline loaded and programmed through bpfmaps.h. */
struct fp_xrt;
struct fp_xrt *fp_xrt_open(const char *obj, const char *bpffs, const struct fp_topo *t);
/* Routes fp_xrt_open makes room for at once (the largest --routes count). */
extern unsigned fp_xrt_reserve;
int fp_xrt_prog_fd(struct fp_xrt *x);
/* fd of xrt's map "ifaces", "neigh6", "nh", "stats" or a FIB map by its
 * XRT_MAP_FIB6_* name; -1 otherwise. */
int fp_xrt_map_fd(struct fp_xrt *x, const char *which);
/* The next hop every generated route points at; id 0 is never valid. */
#define FP_XRT_NH_ID 1
/* Stats slot of the ingress interface. */
#define FP_XRT_IN_SLOT 1
/* Adds routes [from, to); returns 0 or a negative errno (message printed). */
int fp_xrt_add_routes(struct fp_xrt *x, const struct fp_route *r, unsigned from, unsigned to);
long fp_xrt_fib_mem_bytes(struct fp_xrt *x);
/* Replace the ACL with n prerouting rules no test packet matches. */
int fp_xrt_acl_set(struct fp_xrt *x, unsigned n);
/* n policy rules: n - 1 that miss in their last field, then "from all
 * lookup main" (0: none, no walk). */
int fp_xrt_rules_set(struct fp_xrt *x, unsigned n);
/* --src-routes: give route r two source routes (from 2001:db8:fffe::/48,
 * the probes' source, and from 2001:db8:1::/48), or (add 0) take them away. */
int fp_xrt_src_routes(struct fp_xrt *x, const struct fp_route *r, int add);
void fp_xrt_close(struct fp_xrt *x);
/* --acl --ipv4: fp_xrt_acl_set writes IPv4 rules, for packets from
 * FP_ACL_SRC4 (IPv6 rules for 2001:db8:fffe::/48 otherwise). */
#define FP_ACL_SRC4 "198.18.254.2"
void fp_xrt_acl_ipv4(struct fp_xrt *x, int on);
/* <bpffs>/tc/globals of x's pins. */
const char *fp_xrt_pin_dir(struct fp_xrt *x);

/* fpcost.c: one program's BPF_PROG_TEST_RUN figures; calls of at most chunk
 * repetitions; the program attached to an idle device first. */
struct fp_run {
	int fd;
	__u32 retval;
	double ns;
	void (*after_call)(void *arg); /* if set: after each call, untimed */
	void *arg;
};
int fp_test_run(int prog_fd, const uint8_t *pkt, unsigned len, int ifindex, int repeat,
		int chunk, struct fp_run *out);
int fp_pin_to_dispatcher(int prog_fd, const char *dev);

/* stages.c: `fpcost --stages`, the levels of bench_strip.h. */
#define FP_NSTRIP 7
extern const char *const fp_strip_what[FP_NSTRIP];
extern const char *const fp_strip_key[FP_NSTRIP];
int fp_strips_open(const char *bench_dir, const char *bpffs, const struct fp_topo *t,
		   struct fp_xrt *x[FP_NSTRIP], int fd[FP_NSTRIP]);

/* trace_cost.c: `fpcost --trace`. */
int fp_trace_cost(const struct fp_topo *t, const char *bpf_dir, const char *bench_dir,
		  const char *bpffs, const unsigned *counts, unsigned ncounts, int repeat,
		  unsigned rounds, uint64_t seed);

#endif
