/* xrt fpcost: fast-path cost per packet (BPF_PROG_TEST_RUN) against the redirect floor and bpf_fib_lookup. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include "xrt/maps.h"
#include "fpcost.h"
#include "bench_cfg.h"
#include "../bench/pkt6.h"
#include "pkt4.h"

/*
 * Everything runs in a private network and mount namespace created here, so
 * the kernel FIB holds only our routes, bpffs pins vanish with the process,
 * and nothing is left behind on any exit path. The three programs see the
 * same packets, the same ingress device and the same route set, and are
 * measured round-robin (A B C A B C ...) so machine noise hits them alike;
 * each figure is the median over rounds.
 */

#define FP_MAX_COUNTS 8
#define FP_MAX_ROUNDS 31
/* Repetitions per BPF_PROG_TEST_RUN call: see fp_test_run. */
#define FP_CHUNK 250
#define FP_HOP_LIMIT 255

/*
 * lpm (floor + xrt's trie lookup), xrt and the m_* programs (floor + one
 * lookup in one of xrt's maps, bench_maps.bpf.c) need the xrt object;
 * they come last. The m_* programs only see the forwarded packet.
 */
enum fp_prog {
	FP_FLOOR, FP_FIB, FP_LPM, FP_XRT,
	FP_M_IFACE, FP_M_NEIGH, FP_M_NH, FP_M_STATS,
	FP_S1, FP_S7 = FP_S1 + FP_NSTRIP - 1, FP_NPROGS
};
#define FP_FIRST_M FP_M_IFACE
static const char *const fp_prog_name[FP_NPROGS] = {
	"floor", "fib", "lpm", "xrt", "m_iface", "m_neigh", "m_nh", "m_stats",
	"strip1", "strip2", "strip3", "strip4", "strip5", "strip6", "strip7"};
/* --ipv4: the same programs on IPv4 (the m_* ones are family-blind: not run),
 * named apart so that scripts keep both families' figures. */
static const char *const fp_prog_name4[FP_NPROGS] = {
	"floor4", "fib4", "lpm4", "xrt4", [FP_S1] = "strip4_1", "strip4_2", "strip4_3",
	"strip4_4", "strip4_5", "strip4_6", "strip4_7"};
/* Section names in bench_maps.bpf.c, and the xrt map each one reads. */
static const char *const fp_m_prog[FP_NPROGS] = {
	[FP_M_IFACE] = "bench_m_iface", [FP_M_NEIGH] = "bench_m_neigh",
	[FP_M_NH] = "bench_m_nexthop", [FP_M_STATS] = "bench_m_stat"};
/* Idle devices for the m_* programs (see fp_pin_to_dispatcher). */
static const char *const fp_m_dev[FP_NPROGS] = {
	[FP_M_IFACE] = "xbfm1", [FP_M_NEIGH] = "xbfm1p", [FP_M_NH] = "xbfm2",
	[FP_M_STATS] = "xbfm2p"};
enum fp_pkt { FP_FWD, FP_PUNT, FP_DROP, FP_NPKTS };

static const char *const fp_pkt_name[FP_NPKTS] = {"forward", "punt", "drop"};

struct fp_opts {
	unsigned counts[FP_MAX_COUNTS], ncounts;
	int repeat;
	unsigned rounds;
	const char *bpf_dir;   /* xrt_fwd.bpf.o, the product */
	const char *bench_dir; /* the bench_*.bpf.o programs beside this file */
	uint64_t seed;
	unsigned frame_len;
	int ipv4; /* --ipv4: IPv4 routes and packets */
	int stages; /* --stages: the bench_strip.h levels too (stages.c) */
};

static double fp_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int fp_sh(const char *cmd)
{
	int rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "fpcost: command failed (%d): %s\n", rc, cmd);
	return rc == 0 ? 0 : -1;
}

static int fp_read_mac(const char *dev, uint8_t mac[6])
{
	char path[128];
	snprintf(path, sizeof(path), "/sys/class/net/%s/address", dev);
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	int n = fscanf(f, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2],
		       &mac[3], &mac[4], &mac[5]);
	fclose(f);
	return n == 6 ? 0 : -EINVAL;
}

/* A private netns and mount ns: two veth pairs, forwarding on, one neighbour. */
static int fp_topo_setup(struct fp_topo *t)
{
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0) {
		perror("fpcost: unshare (needs root)");
		return -1;
	}
	/* Keep our mounts (bpffs, a fresh /sys) out of the parent namespace. */
	if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("sysfs", "/sys", "sysfs", 0, NULL) < 0) {
		perror("fpcost: mount");
		return -1;
	}
	const char *setup =
		"ip link set lo up && "
		"ip link add " FP_IN_DEV " type veth peer name " FP_IN_PEER " && "
		"ip link add " FP_OUT_DEV " type veth peer name " FP_OUT_PEER " && "
		"ip link add " FP_SPARE_DEV " type veth peer name " FP_SPARE_PEER " && "
		"ip link add xbfm1 type veth peer name xbfm1p && "
		"ip link add xbfm2 type veth peer name xbfm2p && "
		"ip link set " FP_OUT_PEER " address 02:00:00:00:fe:02 && "
		"for d in " FP_IN_DEV " " FP_IN_PEER " " FP_OUT_DEV " " FP_OUT_PEER " " FP_SPARE_DEV " xbfm1 xbfm1p xbfm2 xbfm2p; do "
		"ip link set $d up || exit 1; done && "
		"sysctl -qw net.ipv6.conf.all.forwarding=1 && "
		"ip -6 addr add 2001:db8:ffff::1/64 dev " FP_OUT_DEV " nodad && "
		"ip -6 addr add 2001:db8:fffe::1/64 dev " FP_IN_DEV " nodad && "
		"ip -6 neigh replace 2001:db8:ffff::2 lladdr 02:00:00:00:fe:02 nud permanent dev " FP_OUT_DEV " && "
		"ip -6 route add blackhole 2001:db8:dead::/48 && "
		"sysctl -qw net.ipv4.ip_forward=1 && "
		"ip addr add 198.18.255.1/24 dev " FP_OUT_DEV " && "
		"ip addr add 198.18.254.1/24 dev " FP_IN_DEV " && "
		"ip neigh replace 198.18.255.2 lladdr 02:00:00:00:fe:02 nud permanent dev " FP_OUT_DEV " && "
		"ip route add blackhole 198.19.0.0/16";
	if (fp_sh(setup) < 0)
		return -1;
	t->in_ifindex = (int)if_nametoindex(FP_IN_DEV);
	t->out_ifindex = (int)if_nametoindex(FP_OUT_DEV);
	if (!t->in_ifindex || !t->out_ifindex || fp_read_mac(FP_IN_DEV, t->in_mac) ||
	    fp_read_mac(FP_OUT_DEV, t->out_mac) || fp_read_mac(FP_OUT_PEER, t->gw_mac)) {
		fprintf(stderr, "fpcost: topology incomplete\n");
		return -1;
	}
	inet_pton(AF_INET6, "2001:db8:ffff::2", &t->gw);
	inet_pton(AF_INET6, "2001:db8:dead::", &t->blackhole);
	t->blackhole_plen = 48;
	inet_pton(AF_INET6, "::ffff:198.19.0.0", &t->blackhole4);
	inet_pton(AF_INET6, "::ffff:198.18.255.1", &t->local4);
	t->blackhole4_plen = 96 + 16;
	return 0;
}

/* Point the object's maps named in reuse (NULL-terminated) at xrt's maps of
 * the same name. */
static struct bpf_object *fp_load(const char *dir, const char *file, int *prog_fd,
				  const char *const *reuse, struct fp_xrt *xrt)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	if (!obj || libbpf_get_error(obj)) {
		fprintf(stderr, "fpcost: cannot open %s\n", path);
		return NULL;
	}
	for (; reuse && *reuse; reuse++) {
		struct bpf_map *map = bpf_object__find_map_by_name(obj, *reuse);
		if (!map || bpf_map__reuse_fd(map, fp_xrt_map_fd(xrt, *reuse))) {
			fprintf(stderr, "fpcost: %s: cannot share map %s\n", path, *reuse);
			bpf_object__close(obj);
			return NULL;
		}
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "fpcost: cannot load %s\n", path);
		bpf_object__close(obj);
		return NULL;
	}
	struct bpf_program *prog = bpf_object__next_program(obj, NULL);
	*prog_fd = prog ? bpf_program__fd(prog) : -1;
	return obj;
}

/*
 * A BPF_PROG_TEST_RUN call with repeat > 1 puts the program into the kernel's
 * XDP dispatcher and takes it out again at the end, each time waiting for an
 * RCU grace period under a global mutex: tens of milliseconds per call on a
 * busy machine. A program that is already attached somewhere is already in
 * the dispatcher, so the calls skip that. Each program gets its own idle veth.
 */
int fp_pin_to_dispatcher(int prog_fd, const char *dev)
{
	int ifindex = (int)if_nametoindex(dev);
	int rc = ifindex ? bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_DRV_MODE, NULL) : -ENODEV;
	if (rc)
		fprintf(stderr, "fpcost: attach to %s: %s\n", dev, strerror(-rc));
	return rc;
}

static int fp_devmap_add(struct bpf_object *obj, const char *map, int ifindex)
{
	struct bpf_devmap_val v = {.ifindex = (__u32)ifindex};
	__u32 key = (__u32)ifindex;
	int fd = bpf_object__find_map_fd_by_name(obj, map);
	if (fd < 0 || bpf_map_update_elem(fd, &key, &v, BPF_ANY)) {
		fprintf(stderr, "fpcost: cannot add ifindex %d to %s: %s\n", ifindex, map,
			strerror(errno));
		return -1;
	}
	return 0;
}

static int fp_floor_setup(struct bpf_object *obj, const char *cfg_map, const char *tx_map,
			  const struct fp_topo *t)
{
	struct bench_redirect_cfg cfg = {.egress_ifindex = (__u32)t->out_ifindex};
	__u32 zero = 0;
	memcpy(cfg.src_mac, t->out_mac, 6);
	memcpy(cfg.dst_mac, t->gw_mac, 6);
	int fd = bpf_object__find_map_fd_by_name(obj, cfg_map);
	if (fd < 0 || bpf_map_update_elem(fd, &zero, &cfg, BPF_ANY))
		return -1;
	return fp_devmap_add(obj, tx_map, t->out_ifindex);
}

/* bench_maps.bpf.o with its maps pointed at xrt's, each program pinned. */
static struct bpf_object *fp_load_maps_obj(const char *dir, struct fp_xrt *xrt,
					   const struct fp_topo *t, struct fp_run *prog)
{
	static const char *const shared[][2] = {{"bench_m_ifaces", "ifaces"},
						{"bench_m_neigh6", "neigh6"},
						{"bench_m_nh", "nh"},
						{"bench_m_stats", "stats"}};
	char path[512];
	snprintf(path, sizeof(path), "%s/bench_maps.bpf.o", dir);
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	if (!obj || libbpf_get_error(obj)) {
		fprintf(stderr, "fpcost: cannot open %s\n", path);
		return NULL;
	}
	struct bench_m_keys keys = {.neigh = {.ifindex = (__u32)t->out_ifindex},
				    .nh_id = FP_XRT_NH_ID, .slot = FP_XRT_IN_SLOT};
	memcpy(keys.neigh.addr, &t->gw, 16);
	struct bpf_map *data = bpf_object__find_map_by_name(obj, ".data");
	size_t data_size = 0;
	int ok = data && bpf_map__initial_value(data, &data_size) && data_size == sizeof(keys) &&
		 !bpf_map__set_initial_value(data, &keys, sizeof(keys));
	for (unsigned i = 0; ok && i < sizeof(shared) / sizeof(shared[0]); i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, shared[i][0]);
		ok = m && !bpf_map__reuse_fd(m, fp_xrt_map_fd(xrt, shared[i][1]));
	}
	if (!ok || bpf_object__load(obj) ||
	    fp_floor_setup(obj, "bench_m_cfg", "bench_m_tx_ports", t)) {
		fprintf(stderr, "fpcost: cannot load %s against xrt's maps\n", path);
		bpf_object__close(obj);
		return NULL;
	}
	for (int p = FP_FIRST_M; p < FP_S1; p++) {
		struct bpf_program *bp = bpf_object__find_program_by_name(obj, fp_m_prog[p]);
		prog[p].fd = bp ? bpf_program__fd(bp) : -1;
		if (prog[p].fd < 0 || fp_pin_to_dispatcher(prog[p].fd, fp_m_dev[p])) {
			bpf_object__close(obj);
			return NULL;
		}
	}
	return obj;
}

/* Kernel FIB: routes [from, to) through `ip -batch`, as an operator would;
 * IPv4-mapped ones as IPv4 routes. */
static int fp_kernel_add_routes(const struct fp_route *r, unsigned from, unsigned to, int ipv4)
{
	char path[] = "/tmp/xb-fpcost-routes-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(path);
		return -1;
	}
	char a[INET6_ADDRSTRLEN];
	for (unsigned i = from; i < to; i++) {
		if (ipv4) {
			inet_ntop(AF_INET, &r[i].addr.s6_addr[12], a, sizeof(a));
			fprintf(f, "route replace %s/%u via 198.18.255.2 dev " FP_OUT_DEV "\n", a,
				r[i].plen - 96);
			continue;
		}
		inet_ntop(AF_INET6, &r[i].addr, a, sizeof(a));
		fprintf(f, "route replace %s/%u via 2001:db8:ffff::2 dev " FP_OUT_DEV "\n", a,
			r[i].plen);
	}
	fclose(f);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "ip %s -batch %s", ipv4 ? "-4" : "-6", path);
	int rc = fp_sh(cmd);
	unlink(path);
	return rc;
}

static long fp_meminfo_kb(const char *field)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	long v = -1;
	size_t n = strlen(field);
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	if (f)
		fclose(f);
	return v;
}


/*
 * BPF_PROG_TEST_RUN does not restore the packet (nor data/data_meta) between
 * repetitions, and a forwarder decrements the hop limit: with one call of
 * repeat 1e6 every repetition after the 254th measures the Time Exceeded path,
 * not forwarding. So the packets are spread over calls of at most `chunk`
 * repetitions (hop limit 255 - chunk stays > 1) and the per-call averages are
 * combined; the timer still excludes the syscall and the copies.
 */
int fp_test_run(int prog_fd, const uint8_t *pkt, unsigned len, int ifindex, int repeat,
		int chunk, struct fp_run *out)
{
	uint8_t data_out[PKT6_MAX_FRAME + 256];
	double total_ns = 0;
	for (int done = 0; done < repeat; done += chunk) {
		int n = repeat - done < chunk ? repeat - done : chunk;
		struct xdp_md ctx = {.data_end = len, .ingress_ifindex = (__u32)ifindex};
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = len,
			    .data_out = data_out, .data_size_out = sizeof(data_out),
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = n);
		if (bpf_prog_test_run_opts(prog_fd, &opts)) {
			fprintf(stderr, "fpcost: BPF_PROG_TEST_RUN: %s\n", strerror(errno));
			return -1;
		}
		total_ns += (double)opts.duration * n;
		out->retval = opts.retval;
		if (out->after_call)
			out->after_call(out->arg);
	}
	out->ns = total_ns / repeat;
	return 0;
}

static int fp_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static const char *fp_verdict(__u32 v)
{
	static const char *const names[] = {"ABORTED", "DROP", "PASS", "TX", "REDIRECT"};
	return v < 5 ? names[v] : "?";
}

static int fp_parse_counts(struct fp_opts *o, const char *s)
{
	char *copy = strdup(s), *save = NULL;
	o->ncounts = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		unsigned long v = strtoul(tok, &end, 10);
		if (*end == 'k')
			v *= 1000, end++;
		else if (*end == 'M')
			v *= 1000000, end++;
		if (*end || v == 0 || v > 4000000 || o->ncounts == FP_MAX_COUNTS ||
		    (o->ncounts && v <= o->counts[o->ncounts - 1])) {
			fprintf(stderr, "fpcost: bad route count \"%s\" (increasing, 1..4M)\n", tok);
			free(copy);
			return -1;
		}
		o->counts[o->ncounts++] = (unsigned)v;
	}
	free(copy);
	fp_xrt_reserve = o->ncounts ? o->counts[o->ncounts - 1] : 0;
	return o->ncounts ? 0 : -1;
}

/* --dump-routes N: the same random table, one PREFIX/LEN a line, for scripts. */
static int fp_dump_routes(const char *count, uint64_t seed)
{
	char *end;
	unsigned long n = strtoul(count, &end, 10);
	if (*end || n == 0 || n > 4000000) {
		fprintf(stderr, "fpcost: --dump-routes \"%s\": 1..4000000\n", count);
		return 2;
	}
	struct fp_route *r = calloc(n, sizeof(*r));
	if (!r)
		return 1;
	fp_routes_generate(r, (unsigned)n, seed);
	char a[INET6_ADDRSTRLEN];
	for (unsigned long i = 0; i < n; i++) {
		inet_ntop(AF_INET6, &r[i].addr, a, sizeof(a));
		printf("%s/%u\n", a, r[i].plen);
	}
	free(r);
	return 0;
}

/*
 * --ipv4: the three packets of a round from the IPv6 spec's MACs, ports and
 * destination (an IPv4-mapped address inside one of the routes): forward
 * with TTL 255, punt with TTL 1, drop into the blackhole /16. Returns the
 * frame length (the same for all three).
 */
static unsigned fp_build4(uint8_t pkt[FP_NPKTS][PKT6_MAX_FRAME], const struct pkt6_spec *s6,
			  const struct fp_topo *t)
{
	struct pkt4_spec s = {.sport = s6->sport, .dport = s6->dport, .ttl = FP_HOP_LIMIT,
			      .frame_len = s6->frame_len};
	unsigned len;

	memcpy(s.src_mac, s6->src_mac, 6);
	memcpy(s.dst_mac, s6->dst_mac, 6);
	inet_pton(AF_INET, "198.18.254.2", &s.src);
	memcpy(&s.dst, &s6->dst.s6_addr[12], 4);
	len = pkt4_build(pkt[FP_FWD], &s);
	s.ttl = 1; /* expires here: Time Exceeded, a punt */
	pkt4_build(pkt[FP_PUNT], &s);
	s.ttl = FP_HOP_LIMIT;
	memcpy(&s.dst, &t->blackhole4.s6_addr[12], 4);
	((uint8_t *)&s.dst)[3] = 1;
	pkt4_build(pkt[FP_DROP], &s);
	return len;
}

static char fp_bpffs_dir[64];

static void fp_rmdir_bpffs(void)
{
	umount2(fp_bpffs_dir, MNT_DETACH);
	rmdir(fp_bpffs_dir);
}

/* --acl / --rules: xrt's forward cost with n ACL rules (or policy rules)
 * for each n of list, set by set_n, the first --routes count installed;
 * the same packet for every n in a round (with --ipv4 an IPv4 packet and
 * IPv4 rules). what names the rows. */
static int fp_acl_rows(struct fp_xrt *xrt, const int plain_fd[2], const struct fp_opts *o,
		       const struct fp_topo *t, const struct fp_route *routes, const char *list,
		       uint64_t rng, int (*set_n)(struct fp_xrt *, unsigned), const char *what)
{
	unsigned n = o->counts[0], acl[16], nacl = 0;
	char *copy = strdup(list), *save = NULL;
	double ns[16][FP_MAX_ROUNDS], plain[2][FP_MAX_ROUNDS];

	for (char *tok = strtok_r(copy, ",", &save); tok && nacl < 16;
	     tok = strtok_r(NULL, ",", &save))
		acl[nacl++] = (unsigned)strtoul(tok, NULL, 10);
	free(copy);
	if (fp_xrt_add_routes(xrt, routes, 0, n))
		return 1;
	for (unsigned round = 0; round < o->rounds; round++) {
		struct pkt6_spec spec = {.sport = 1024, .dport = 9, .hop_limit = FP_HOP_LIMIT,
					 .frame_len = o->frame_len};
		uint8_t pkt[PKT6_MAX_FRAME];
		memcpy(spec.src_mac, t->in_mac, 6);
		memcpy(spec.dst_mac, t->in_mac, 6);
		inet_pton(AF_INET6, "2001:db8:fffe::2", &spec.src);
		fp_route_host(&routes[fp_rand(&rng) % n], &rng, &spec.dst);
		unsigned len;
		if (o->ipv4) { /* the same flow over IPv4, IPv4 rules */
			struct pkt4_spec s4 = {.sport = spec.sport, .dport = spec.dport,
					       .ttl = FP_HOP_LIMIT, .frame_len = o->frame_len};
			memcpy(s4.src_mac, spec.src_mac, 6);
			memcpy(s4.dst_mac, spec.dst_mac, 6);
			inet_pton(AF_INET, FP_ACL_SRC4, &s4.src);
			memcpy(&s4.dst, &spec.dst.s6_addr[12], 4);
			len = pkt4_build(pkt, &s4);
		} else {
			len = pkt6_build(pkt, &spec);
		}
		/* On the same maps and packet, no rule: the plain pipeline
		 * (bench_nopolicy.bpf.o: no rpf, ACL, rules or trace stage),
		 * then the same with those stages in (bench_notrace.bpf.o). */
		if (set_n(xrt, 0))
			return 1;
		for (int v = 0; v < 2; v++) {
			struct fp_run pr = {0}, warm = {0};
			/* A short warm-up call first, as before every row. */
			if (fp_test_run(plain_fd[v], pkt, len, t->in_ifindex, FP_CHUNK, FP_CHUNK,
					&warm) ||
			    fp_test_run(plain_fd[v], pkt, len, t->in_ifindex, o->repeat, FP_CHUNK, &pr))
				return 1;
			plain[v][round] = pr.ns;
		}
		for (unsigned a = 0; a < nacl; a++) {
			struct fp_run r = {0}, warm = {0}; /* no after_call */
			if (set_n(xrt, acl[a]) ||
			    fp_test_run(fp_xrt_prog_fd(xrt), pkt, len, t->in_ifindex, FP_CHUNK,
					FP_CHUNK, &warm) ||
			    fp_test_run(fp_xrt_prog_fd(xrt), pkt, len, t->in_ifindex, o->repeat,
					FP_CHUNK, &r))
				return 1;
			if (r.retval != XDP_REDIRECT && r.retval != XDP_TX) {
				fprintf(stderr, "fpcost: %s %u: not forwarded (%s)\n", what, acl[a],
					fp_verdict(r.retval));
				return 1;
			}
			ns[a][round] = r.ns;
		}
	}
	double base = 0;
	for (int v = 0; v < 2; v++) {
		qsort(plain[v], o->rounds, sizeof(double), fp_cmp_double);
		printf("%u routes, %s: xrt forward %.1f ns  RESULT routes=%u %s=%s ns=%.1f\n", n,
		       v ? "no rule, trace compiled out" : "plain pipeline (policy and trace compiled out)",
		       plain[v][o->rounds / 2], n, what, v ? "notrace" : "plain",
		       plain[v][o->rounds / 2]);
	}
	for (unsigned a = 0; a < nacl; a++) {
		qsort(ns[a], o->rounds, sizeof(double), fp_cmp_double);
		double med = ns[a][o->rounds / 2];
		if (a == 0)
			base = med;
		printf("%u routes, %u %s: xrt forward %.1f ns (+%.1f, %.2f ns/rule)"
		       "  RESULT routes=%u %s=%u ns=%.1f\n",
		       n, acl[a], what, med, med - base, acl[a] ? (med - base) / acl[a] : 0.0, n,
		       what, acl[a], med);
	}
	return 0;
}

/*
 * --src-routes: xrt's forward cost for a destination whose route has a
 * source subtree (the packet's source 2001:db8:fffe::2 matches one of two
 * source routes: one destination walk, then one source walk) beside a
 * destination without one, in the same rounds. Each round takes fresh
 * routes for both (with one route, the same: measured before and after),
 * and gives the subtree route its source routes only for that round
 * (fp_xrt_src_routes).
 */
static int fp_src_rows(struct fp_xrt *xrt, const struct fp_opts *o, const struct fp_topo *t,
		       const struct fp_route *routes, uint64_t rng)
{
	double ns[2][FP_MAX_ROUNDS];

	for (unsigned ci = 0; ci < o->ncounts; ci++) {
		unsigned n = o->counts[ci];
		if (fp_xrt_add_routes(xrt, routes, ci ? o->counts[ci - 1] : 0, n))
			return 1;
		for (unsigned round = 0; round < o->rounds; round++) {
			struct pkt6_spec spec = {.sport = 1024, .dport = 9,
						 .hop_limit = FP_HOP_LIMIT, .frame_len = o->frame_len};
			uint8_t pkt[2][PKT6_MAX_FRAME];
			const struct fp_route *plain = &routes[fp_rand(&rng) % n];
			const struct fp_route *sub = &routes[fp_rand(&rng) % n];
			unsigned len;

			memcpy(spec.src_mac, t->in_mac, 6);
			memcpy(spec.dst_mac, t->in_mac, 6);
			inet_pton(AF_INET6, "2001:db8:fffe::2", &spec.src);
			fp_route_host(plain, &rng, &spec.dst);
			len = pkt6_build(pkt[0], &spec);
			fp_route_host(sub, &rng, &spec.dst);
			pkt6_build(pkt[1], &spec);
			for (int k = 0; k < 2; k++) {
				struct fp_run r = {0};
				/* the plain one first: sub may be the same route */
				if ((k && fp_xrt_src_routes(xrt, sub, 1)) ||
				    fp_test_run(fp_xrt_prog_fd(xrt), pkt[k], len, t->in_ifindex,
						o->repeat, FP_CHUNK, &r))
					return 1;
				if (r.retval != XDP_REDIRECT && r.retval != XDP_TX) {
					fprintf(stderr, "fpcost: src routes: not forwarded (%s)\n",
						fp_verdict(r.retval));
					return 1;
				}
				ns[k][round] = r.ns;
			}
			if (fp_xrt_src_routes(xrt, sub, 0))
				return 1;
		}
		for (int k = 0; k < 2; k++) {
			qsort(ns[k], o->rounds, sizeof(double), fp_cmp_double);
			printf("%u routes: xrt forward, %s: %.1f ns  RESULT routes=%u src_subtree=%d "
			       "ns=%.1f\n",
			       n, k ? "destination with a source subtree" : "plain destination",
			       ns[k][o->rounds / 2], n, k, ns[k][o->rounds / 2]);
		}
	}
	return 0;
}

/* --stages: each removal's saving (level i - 1 minus level i, the product
 * before level 1), then what is left: the core over the lpm program and the
 * trie over the floor. Forward packet, median ns. */
static void fp_stages_print(unsigned n, const char *fam, double med[FP_NPROGS][FP_NPKTS])
{
	double prev = med[FP_XRT][FP_FWD];

	for (int i = 0; i < FP_NSTRIP; i++) {
		double cur = med[FP_S1 + i][FP_FWD];
		printf("%u routes: stage %-15s %5.1f ns  RESULT routes=%u stage%s_%s_ns=%.1f\n", n,
		       fp_strip_what[i], prev - cur, n, fam, fp_strip_key[i], prev - cur);
		prev = cur;
	}
	printf("%u routes: stage %-15s %5.1f ns  RESULT routes=%u stage%s_core_ns=%.1f\n", n,
	       "core (- lpm)", prev - med[FP_LPM][FP_FWD], n, fam, prev - med[FP_LPM][FP_FWD]);
	printf("%u routes: stage %-15s %5.1f ns  RESULT routes=%u stage%s_trie_ns=%.1f\n", n,
	       "trie (lpm - floor)", med[FP_LPM][FP_FWD] - med[FP_FLOOR][FP_FWD], n, fam,
	       med[FP_LPM][FP_FWD] - med[FP_FLOOR][FP_FWD]);
}

static void fp_usage(void)
{
	fprintf(stderr,
		"usage: fpcost [--routes 1,10k,200k,1M] [--repeat N] [--rounds N]\n"
		"              [--bpf-dir DIR] [--bench-dir DIR] [--seed N] [--size BYTES]\n"
		"              [--no-xrt] [--trace] [--ipv4] [--acl 0,10,100,1000]\n"
		"              [--rules 0,10,100,1000] [--src-routes] [--stages]\n"
		"       fpcost [--seed N] --dump-routes N   (print the route table only)\n"
		"Prints ns/packet per program and packet kind (median over rounds),\n"
		"ratios to the redirect-only floor and to bpf_fib_lookup, route\n"
		"install rates and memory. Lines starting with RESULT are for scripts.\n"
		"--trace: only xrt's forward cost with `xrt trace` compiled out, off,\n"
		"on but not matching, on and matching (trace_cost.c).\n"
		"--ipv4: IPv4 routes (the public table's prefix-length mix) and packets,\n"
		"programs named floor4, fib4, lpm4, xrt4.\n"
		"--rules: only xrt's forward cost with that many policy rules (all but\n"
		"the last walked and missing, the last looks up main; 0: none walked)\n"
		"--acl: only xrt's forward cost with that many ACL rules (each walked,\n"
		"none matching), over the first --routes count; with --ipv4 IPv4 rules\n"
		"and an IPv4 packet.\n"
		"--src-routes: only xrt's forward cost for a destination with a source\n"
		"subtree beside a plain one, for each --routes count.\n"
		"--stages: also the product with its stages taken out one by one\n"
		"(bench_strip.h): what each costs with nothing configured.\n");
}

int main(int argc, char **argv)
{
	struct fp_opts o = {.repeat = 1000000, .rounds = 5, .bpf_dir = "bpf",
			    .bench_dir = "tools/fpcost", .seed = 42,
			    .frame_len = 64};
	int want_xrt = 1, want_trace = 0;
	struct fp_xrt *strip[FP_NSTRIP] = {0};
	const char *acl_list = NULL, *rules_list = NULL;
	int want_src = 0;
	fp_parse_counts(&o, "1,10k,200k,1M");
	static const struct option longopts[] = {
		{"routes", required_argument, 0, 'r'}, {"repeat", required_argument, 0, 'n'},
		{"rounds", required_argument, 0, 'k'}, {"bpf-dir", required_argument, 0, 'd'},
		{"seed", required_argument, 0, 's'},   {"size", required_argument, 0, 'l'},
		{"no-xrt", no_argument, 0, 'X'},       {"help", no_argument, 0, 'h'},
		{"dump-routes", required_argument, 0, 'D'}, {"bench-dir", required_argument, 0, 'b'},
		{"trace", no_argument, 0, 'T'}, {"ipv4", no_argument, 0, '4'},
		{"acl", required_argument, 0, 'a'},
		{"rules", required_argument, 0, 'u'},
		{"src-routes", no_argument, 0, 'S'},
		{"stages", no_argument, 0, 'G'},
		{0, 0, 0, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (fp_parse_counts(&o, optarg))
				return 2;
			break;
		case 'n':
			o.repeat = atoi(optarg);
			break;
		case 'k':
			o.rounds = (unsigned)atoi(optarg);
			break;
		case 'd':
			o.bpf_dir = optarg;
			break;
		case 'b':
			o.bench_dir = optarg;
			break;
		case 's':
			o.seed = strtoull(optarg, NULL, 0);
			break;
		case 'l':
			o.frame_len = (unsigned)atoi(optarg);
			break;
		case 'X':
			want_xrt = 0;
			break;
		case 'T':
			want_trace = 1;
			break;
		case '4':
			o.ipv4 = 1;
			break;
		case 'D':
			return fp_dump_routes(optarg, o.seed);
		case 'a':
			acl_list = optarg;
			break;
		case 'u':
			rules_list = optarg;
			break;
		case 'S':
			want_src = 1;
			break;
		case 'G':
			o.stages = 1;
			break;
		default:
			fp_usage();
			return 2;
		}
	}
	if (o.repeat < 1 || o.rounds < 1 || o.rounds > FP_MAX_ROUNDS ||
	    o.frame_len < PKT6_HDRS_LEN || o.frame_len > PKT6_MAX_FRAME) {
		fprintf(stderr, "fpcost: --repeat >= 1, --rounds 1..%d, --size %zu..%d\n",
			FP_MAX_ROUNDS, PKT6_HDRS_LEN, PKT6_MAX_FRAME);
		return 2;
	}

	struct fp_topo t = {0};
	if (fp_topo_setup(&t) < 0)
		return 1;

	if (want_trace) {
		snprintf(fp_bpffs_dir, sizeof(fp_bpffs_dir), "/run/xb-fpcost-%d", (int)getpid());
		atexit(fp_rmdir_bpffs);
		return fp_trace_cost(&t, o.bpf_dir, o.bench_dir, fp_bpffs_dir, o.counts, o.ncounts,
				     o.repeat, o.rounds, o.seed) ? 1 : 0;
	}
	struct fp_run prog[FP_NPROGS] = {0};
	struct bpf_object *floor_obj = fp_load(o.bench_dir, "bench_redirect.bpf.o", &prog[FP_FLOOR].fd,
						NULL, NULL);
	struct bpf_object *fib_obj = fp_load(o.bench_dir, "bench_fib.bpf.o", &prog[FP_FIB].fd, NULL, NULL);
	if (!floor_obj || !fib_obj || fp_floor_setup(floor_obj, "bench_redirect_cfg", "bench_tx_ports", &t) ||
	    fp_devmap_add(fib_obj, "bench_fib_tx_ports", t.out_ifindex) ||
	    fp_pin_to_dispatcher(prog[FP_FLOOR].fd, FP_IN_PEER) ||
	    fp_pin_to_dispatcher(prog[FP_FIB].fd, FP_OUT_PEER))
		return 1;
	struct fp_xrt *xrt = NULL;
	struct bpf_object *lpm_obj = NULL, *maps_obj = NULL;
	/* The mount point lives in /run of the parent mount namespace too (the
	 * bpffs on it does not): remove it on every exit path. */
	snprintf(fp_bpffs_dir, sizeof(fp_bpffs_dir), "/run/xb-fpcost-%d", (int)getpid());
	atexit(fp_rmdir_bpffs);
	const char *bpffs = fp_bpffs_dir;
	if (want_xrt) {
		char obj[512];
		snprintf(obj, sizeof(obj), "%s/xrt_fwd.bpf.o", o.bpf_dir);
		xrt = fp_xrt_open(obj, bpffs, &t);
		if (!xrt)
			return 1;
		prog[FP_XRT].fd = fp_xrt_prog_fd(xrt);
		if (fp_pin_to_dispatcher(prog[FP_XRT].fd, FP_IN_DEV))
			return 1;
		static const char *const fib_maps[] = {XRT_MAP_FIB6_TBL, XRT_MAP_FIB6_DP,
						       XRT_MAP_FIB6_NODE, XRT_MAP_FIB6_REC, NULL};
		lpm_obj = fp_load(o.bench_dir, "bench_lpm.bpf.o", &prog[FP_LPM].fd, fib_maps, xrt);
		if (!lpm_obj || fp_floor_setup(lpm_obj, "bench_lpm_cfg", "bench_lpm_tx_ports", &t) ||
		    fp_pin_to_dispatcher(prog[FP_LPM].fd, FP_SPARE_DEV))
			return 1;
		maps_obj = fp_load_maps_obj(o.bench_dir, xrt, &t, prog);
		if (!maps_obj)
			return 1;
	}
	int strip_fd[FP_NSTRIP];
	if (xrt && o.stages) {
		if (fp_strips_open(o.bench_dir, bpffs, &t, strip, strip_fd))
			return 1;
		for (int i = 0; i < FP_NSTRIP; i++)
			prog[FP_S1 + i].fd = strip_fd[i];
	}
	/* Which programs run: the m_* ones (forward only) for IPv6, the strip
	 * levels (forward only) with --stages. */
	int run[FP_NPROGS] = {[FP_FLOOR] = 1, [FP_FIB] = 1};
	for (int p = FP_LPM; xrt && p < FP_NPROGS; p++)
		run[p] = p < FP_FIRST_M || (p < FP_S1 ? !o.ipv4 : o.stages);
	const char *const *prog_name = o.ipv4 ? fp_prog_name4 : fp_prog_name;

	unsigned max_routes = o.counts[o.ncounts - 1];
	struct fp_route *routes = calloc(max_routes, sizeof(*routes));
	if (!routes)
		return 1;
	if (o.ipv4)
		fp_routes_generate4(routes, max_routes, o.seed);
	else
		fp_routes_generate(routes, max_routes, o.seed);
	uint64_t rng = o.seed ^ 0x9e3779b97f4a7c15ULL;

	printf("fpcost: frame %u bytes, repeat %d, %u rounds, median ns/packet\n", o.frame_len,
	       o.repeat, o.rounds);
	if (want_src) {
		int rc = xrt && !o.ipv4 ? fp_src_rows(xrt, &o, &t, routes, rng) : 1;
		fp_xrt_close(xrt);
		return rc;
	}
	if (acl_list || rules_list) {
		if (xrt && acl_list)
			fp_xrt_acl_ipv4(xrt, o.ipv4);
		static const char *const pname[2] = { "bench_nopolicy.bpf.o", "bench_notrace.bpf.o" };
		struct fp_xrt *plain[2] = { NULL, NULL };
		int pfd[2];
		for (int v = 0; v < 2 && xrt; v++) {
			char pobj[512];
			snprintf(pobj, sizeof(pobj), "%s/%s", o.bench_dir, pname[v]);
			plain[v] = fp_xrt_open(pobj, bpffs, &t);
			if (!plain[v] || fp_pin_to_dispatcher(pfd[v] = fp_xrt_prog_fd(plain[v]), FP_SPARE_DEV))
				return 1;
		}
		int rc = !xrt ? 1
			 : acl_list
				 ? fp_acl_rows(xrt, pfd, &o, &t, routes, acl_list, rng, fp_xrt_acl_set,
					       "acl_rules")
				 : fp_acl_rows(xrt, pfd, &o, &t, routes, rules_list, rng, fp_xrt_rules_set,
					       "fib_rules");
		for (int v = 0; v < 2; v++)
			if (plain[v])
				fp_xrt_close(plain[v]);
		fp_xrt_close(xrt);
		return rc;
	}
	unsigned installed = 0;
	for (unsigned ci = 0; ci < o.ncounts; ci++) {
		unsigned n = o.counts[ci];
		long slab0 = fp_meminfo_kb("Slab");
		double t0 = fp_now();
		if (fp_kernel_add_routes(routes, installed, n, o.ipv4))
			return 1;
		double t_kernel = fp_now() - t0;
		long slab_kb = fp_meminfo_kb("Slab") - slab0;
		double t_xrt = 0;
		if (xrt) {
			t0 = fp_now();
			if (fp_xrt_add_routes(xrt, routes, installed, n))
				return 1;
			t_xrt = fp_now() - t0;
		}
		unsigned added = n - installed;
		installed = n;
		const char *fam = o.ipv4 ? "4" : "";
		printf("\n%u routes: +%u installed, kernel ip -batch %.0f routes/s", n, added,
		       added / t_kernel);
		printf("  RESULT routes=%u kernel%s_install_rps=%.0f kernel%s_slab_delta_kb=%ld\n", n,
		       fam, added / t_kernel, fam, slab_kb);
		if (xrt)
			printf("%u routes: xrt bpfmaps %.0f routes/s, fib trie %ld bytes (%.1f B/route)"
			       "  RESULT routes=%u xrt%s_install_rps=%.0f xrt%s_fib_bytes=%ld\n",
			       n, added / t_xrt, fp_xrt_fib_mem_bytes(xrt),
			       (double)fp_xrt_fib_mem_bytes(xrt) / n, n, fam, added / t_xrt, fam,
			       fp_xrt_fib_mem_bytes(xrt));

		double ns[FP_NPROGS][FP_NPKTS][FP_MAX_ROUNDS];
		__u32 verdict[FP_NPROGS][FP_NPKTS];
		for (unsigned round = 0; round < o.rounds; round++) {
			/* A fresh destination each round, inside one of the n routes. */
			struct pkt6_spec spec = {.sport = 1024, .dport = 9, .hop_limit = FP_HOP_LIMIT,
						 .frame_len = o.frame_len};
			memcpy(spec.src_mac, t.in_mac, 6);
			memcpy(spec.dst_mac, t.in_mac, 6);
			inet_pton(AF_INET6, "2001:db8:fffe::2", &spec.src);
			uint8_t pkt[FP_NPKTS][PKT6_MAX_FRAME];
			unsigned len = 0;
			fp_route_host(&routes[fp_rand(&rng) % n], &rng, &spec.dst);
			if (o.ipv4) {
				len = fp_build4(pkt, &spec, &t);
			} else {
				len = pkt6_build(pkt[FP_FWD], &spec);
				spec.hop_limit = 1; /* expires here: Time Exceeded, a punt */
				pkt6_build(pkt[FP_PUNT], &spec);
				spec.hop_limit = FP_HOP_LIMIT;
				spec.dst = t.blackhole;
				spec.dst.s6_addr[15] = 1;
				pkt6_build(pkt[FP_DROP], &spec);
			}
			for (int k = 0; k < FP_NPKTS; k++)
				for (int p = 0; p < FP_NPROGS; p++) {
					struct fp_run r = {0};
					if (!run[p] || (p >= FP_FIRST_M && k != FP_FWD))
						continue;
					if (fp_test_run(prog[p].fd, pkt[k], len, t.in_ifindex, o.repeat,
							FP_CHUNK, &r))
						return 1;
					ns[p][k][round] = r.ns;
					verdict[p][k] = r.retval;
				}
		}
		/* The forwarded packet must be forwarded by all, or the ratio is meaningless. */
		for (int p = 0; p < FP_NPROGS; p++)
			if (run[p] && verdict[p][FP_FWD] != XDP_REDIRECT && verdict[p][FP_FWD] != XDP_TX) {
				fprintf(stderr, "fpcost: %s did not forward the test packet (verdict %s)\n",
					prog_name[p], fp_verdict(verdict[p][FP_FWD]));
				return 1;
			}
		double med[FP_NPROGS][FP_NPKTS];
		for (int p = 0; p < FP_NPROGS; p++)
			for (int k = 0; k < FP_NPKTS; k++) {
				if (!run[p] || (p >= FP_FIRST_M && k != FP_FWD))
					continue;
				qsort(ns[p][k], o.rounds, sizeof(double), fp_cmp_double);
				med[p][k] = ns[p][k][o.rounds / 2];
				printf("%u routes: %-6s %-8s %6.1f ns (%s)  RESULT routes=%u prog=%s pkt=%s "
				       "ns=%.1f verdict=%s\n",
				       n, prog_name[p], fp_pkt_name[k], med[p][k],
				       fp_verdict(verdict[p][k]), n, prog_name[p], fp_pkt_name[k],
				       med[p][k], fp_verdict(verdict[p][k]));
			}
		printf("%u routes: fib/floor %.2fx  RESULT routes=%u ratio=fib%s_floor value=%.3f\n", n,
		       med[FP_FIB][FP_FWD] / med[FP_FLOOR][FP_FWD], n, fam,
		       med[FP_FIB][FP_FWD] / med[FP_FLOOR][FP_FWD]);
		if (xrt) {
			printf("%u routes: xrt/floor %.2fx  RESULT routes=%u ratio=xrt%s_floor value=%.3f\n",
			       n, med[FP_XRT][FP_FWD] / med[FP_FLOOR][FP_FWD], n, fam,
			       med[FP_XRT][FP_FWD] / med[FP_FLOOR][FP_FWD]);
			printf("%u routes: split: floor %.1f + trie %.1f + rest of pipeline %.1f ns"
			       "  RESULT routes=%u split%s_trie_ns=%.1f split%s_rest_ns=%.1f\n",
			       n, med[FP_FLOOR][FP_FWD], med[FP_LPM][FP_FWD] - med[FP_FLOOR][FP_FWD],
			       med[FP_XRT][FP_FWD] - med[FP_LPM][FP_FWD], n, fam,
			       med[FP_LPM][FP_FWD] - med[FP_FLOOR][FP_FWD], fam,
			       med[FP_XRT][FP_FWD] - med[FP_LPM][FP_FWD]);
			/* The m_* programs ran for IPv6 only. */
			if (!o.ipv4)
				printf("%u routes: one lookup each (program - floor): ifaces %.1f, neigh6 %.1f, "
			       "nh %.1f, stats (+2 counters) %.1f ns  RESULT routes=%u lookup_iface_ns=%.1f "
			       "lookup_neigh_ns=%.1f lookup_nh_ns=%.1f lookup_stats_ns=%.1f\n",
			       n, med[FP_M_IFACE][FP_FWD] - med[FP_FLOOR][FP_FWD],
			       med[FP_M_NEIGH][FP_FWD] - med[FP_FLOOR][FP_FWD],
			       med[FP_M_NH][FP_FWD] - med[FP_FLOOR][FP_FWD],
			       med[FP_M_STATS][FP_FWD] - med[FP_FLOOR][FP_FWD], n,
			       med[FP_M_IFACE][FP_FWD] - med[FP_FLOOR][FP_FWD],
			       med[FP_M_NEIGH][FP_FWD] - med[FP_FLOOR][FP_FWD],
			       med[FP_M_NH][FP_FWD] - med[FP_FLOOR][FP_FWD],
			       med[FP_M_STATS][FP_FWD] - med[FP_FLOOR][FP_FWD]);
			printf("%u routes: xrt/fib %.2fx  RESULT routes=%u ratio=xrt%s_fib value=%.3f\n", n,
			       med[FP_XRT][FP_FWD] / med[FP_FIB][FP_FWD], n, fam,
			       med[FP_XRT][FP_FWD] / med[FP_FIB][FP_FWD]);
		}
		if (xrt && o.stages)
			fp_stages_print(n, fam, med);
		fflush(stdout);
	}
	for (int i = 0; i < FP_NSTRIP; i++)
		if (strip[i])
			fp_xrt_close(strip[i]);
	if (xrt)
		fp_xrt_close(xrt);
	if (lpm_obj)
		bpf_object__close(lpm_obj);
	if (maps_obj)
		bpf_object__close(maps_obj);
	bpf_object__close(floor_obj);
	bpf_object__close(fib_obj);
	free(routes);
	return 0;
}
