/* xrt pktgen: live-frames packet generator (BPF_F_TEST_XDP_LIVE_FRAMES) and an XDP sink counter. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include "../bench/pkt6.h"
#include "../fpcost/bench_cfg.h"
#include "pktgen.h"

/*
 * tx: the kernel builds each frame in a page_pool page from our template and
 * runs pktgen.bpf.o on it as if it had arrived on --dev; the program's
 * XDP_TX makes the kernel redirect it out of --dev, i.e. into --dev's veth
 * peer. So --dev must be the generator's own veth, never the router's: with
 * the router's ingress as --dev the frames leave the router towards the
 * generator. No skb is built on the way out.
 *
 * Frames are recycled pages: pktgen.h says why the program rewrites
 * the headers of every frame.
 *
 * sink: xrt_sink.bpf.o on the far veth counts what arrives.
 *
 * floor: fpcost's bench_redirect.bpf.o as an end-to-end router.
 *
 * The default object paths are relative to the top of the tree (make's
 * working directory), where the objects are built beside their sources.
 */

#define PKTGEN_MAX_CALL 1000000 /* frames per BPF_PROG_RUN call */
#define PKTGEN_MAX_BATCH 256    /* kernel limit on batch_size (TEST_XDP_MAX_BATCH) */
#define PKTGEN_MAX_FLOWS 0xe000 /* keeps the checksum-neutral fields from wrapping */
#define PKTGEN_DST_LOW_BASE 0x1000
#define PKTGEN_SPORT_BASE 0xf000
_Static_assert(PKTGEN_HDR_LEN == PKT6_HDRS_LEN, "pktgen.h and pkt6.h disagree on the headers");

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3],
		      &mac[4], &mac[5]) == 6
		       ? 0
		       : -1;
}

static int read_mac(const char *dev, uint8_t mac[6])
{
	char path[128], buf[64];
	snprintf(path, sizeof(path), "/sys/class/net/%s/address", dev);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	int ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	return ok ? parse_mac(buf, mac) : -1;
}

static int open_obj(const char *path, struct bpf_object **obj)
{
	*obj = bpf_object__open_file(path, NULL);
	if (!*obj || libbpf_get_error(*obj)) {
		fprintf(stderr, "pktgen: cannot open %s\n", path);
		*obj = NULL;
		return -1;
	}
	return 0;
}

/* Lines of a destination file: every one must be an IPv6 address. */
static int count_dsts(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[128];
	int n = 0, lineno = 0;
	struct in6_addr a;
	if (!f) {
		fprintf(stderr, "pktgen tx: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, " \t\r\n")] = 0;
		if (inet_pton(AF_INET6, line, &a) != 1) {
			fprintf(stderr, "pktgen tx: %s:%d: \"%s\" is not an IPv6 address\n", path,
				lineno, line);
			fclose(f);
			return -1;
		}
		if (++n > PKTGEN_MAX_DSTS) {
			fprintf(stderr, "pktgen tx: %s: more than %d destinations\n", path,
				PKTGEN_MAX_DSTS);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	if (!n)
		fprintf(stderr, "pktgen tx: %s: no destinations\n", path);
	return n;
}

/* Fill pktgen_dsts: each destination with the UDP checksum its frame has. */
static int load_dsts(struct bpf_object *obj, const char *path, const struct pkt6_spec *tmpl)
{
	int fd = bpf_object__find_map_fd_by_name(obj, "pktgen_dsts");
	FILE *f = fopen(path, "r");
	char line[128];
	__u32 i = 0;
	if (fd < 0 || !f) {
		fprintf(stderr, "pktgen tx: cannot fill the destination list\n");
		if (f)
			fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f) && i < PKTGEN_MAX_DSTS) {
		struct pkt6_spec spec = *tmpl;
		uint8_t frame[PKT6_MAX_FRAME];
		struct pktgen_dst d = {0};
		line[strcspn(line, " \t\r\n")] = 0;
		if (inet_pton(AF_INET6, line, &spec.dst) != 1)
			break;
		pkt6_build(frame, &spec);
		memcpy(d.addr, &spec.dst, 16);
		memcpy(&d.udp_check, frame + PKT6_HDRS_LEN - 2, 2);
		if (bpf_map_update_elem(fd, &i, &d, BPF_ANY)) {
			fprintf(stderr, "pktgen tx: pktgen_dsts[%u]: %s\n", i, strerror(errno));
			fclose(f);
			return -1;
		}
		i++;
	}
	fclose(f);
	return (int)i;
}

static void tx_usage(void)
{
	fprintf(stderr,
		"usage: pktgen tx --dev IF --dst-mac MAC --src IP6 --dst IP6 [--size BYTES]\n"
		"                 [--flows N] [--count N] [--rate PPS] [--call N] [--batch N]\n"
		"                 [--keep-dev IF] [--redirect IF] [--hop-limit N] [--obj FILE]\n"
		"                 [--dst-file FILE]\n"
		"  --dev       generator's veth: frames leave through it to its peer\n"
		"  --call      frames per BPF_PROG_RUN call (default 4096)\n"
		"  --batch     frames per kernel batch within a call (1..256, default 64)\n"
		"  --keep-dev  idle veth to attach the program to, so that calls do not\n"
		"              add and remove it from the XDP dispatcher each time\n"
		"  --rate      frames per second, paced per call (0 = as fast as possible)\n"
		"  --dst-file  one IPv6 destination a line (up to 65536): frame n goes to\n"
		"              line n %% lines (replaces --flows and --dst's low bits)\n");
}

static int cmd_tx(int argc, char **argv)
{
	const char *dev = NULL, *keep_dev = NULL, *redirect_dev = NULL;
	const char *obj_path = "tools/pktgen/pktgen.bpf.o", *dst_file = NULL;
	struct pkt6_spec spec = {.sport = PKTGEN_SPORT_BASE, .dport = XRT_SINK_UDP_PORT, .hop_limit = 64,
				 .frame_len = 64};
	unsigned long long count = 1000000;
	unsigned flows = 1, call = 4096, batch = 64;
	double rate = 0;
	int have_src = 0, have_dst = 0, have_mac = 0;
	static const struct option lo[] = {
		{"dev", required_argument, 0, 'd'},     {"dst-mac", required_argument, 0, 'm'},
		{"src", required_argument, 0, 's'},     {"dst", required_argument, 0, 't'},
		{"size", required_argument, 0, 'l'},    {"flows", required_argument, 0, 'f'},
		{"count", required_argument, 0, 'n'},   {"rate", required_argument, 0, 'r'},
		{"call", required_argument, 0, 'c'},    {"batch", required_argument, 0, 'b'},
		{"keep-dev", required_argument, 0, 'k'}, {"redirect", required_argument, 0, 'R'},
		{"obj", required_argument, 0, 'o'},     {"hop-limit", required_argument, 0, 'H'},
		{"dst-file", required_argument, 0, 'F'},
		{0, 0, 0, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd': dev = optarg; break;
		case 'm': have_mac = parse_mac(optarg, spec.dst_mac) == 0; break;
		case 's': have_src = inet_pton(AF_INET6, optarg, &spec.src) == 1; break;
		case 't': have_dst = inet_pton(AF_INET6, optarg, &spec.dst) == 1; break;
		case 'l': spec.frame_len = (unsigned)atoi(optarg); break;
		case 'f': flows = (unsigned)atoi(optarg); break;
		case 'n': count = strtoull(optarg, NULL, 10); break;
		case 'r': rate = atof(optarg); break;
		case 'c': call = (unsigned)atoi(optarg); break;
		case 'b': batch = (unsigned)atoi(optarg); break;
		case 'k': keep_dev = optarg; break;
		case 'R': redirect_dev = optarg; break;
		case 'o': obj_path = optarg; break;
		case 'H': spec.hop_limit = (uint8_t)atoi(optarg); break;
		case 'F': dst_file = optarg; break;
		default: tx_usage(); return 2;
		}
	}
	if (!dev || !have_mac || !have_src || !have_dst) {
		fprintf(stderr, "pktgen tx: --dev, --dst-mac, --src and --dst are required "
				"(and must be valid)\n");
		tx_usage();
		return 2;
	}
	if (spec.frame_len < PKT6_HDRS_LEN || spec.frame_len > PKT6_MAX_FRAME || flows < 1 ||
	    flows > PKTGEN_MAX_FLOWS || call < 1 || call > PKTGEN_MAX_CALL || batch < 1 ||
	    batch > PKTGEN_MAX_BATCH || rate < 0 || count < 1) {
		fprintf(stderr, "pktgen tx: --size %zu..%d, --flows 1..%d, --call 1..%d, "
				"--batch 1..%d, --rate >= 0, --count >= 1\n",
			PKT6_HDRS_LEN, PKT6_MAX_FRAME, PKTGEN_MAX_FLOWS, PKTGEN_MAX_CALL,
			PKTGEN_MAX_BATCH);
		return 2;
	}
	int ifindex = (int)if_nametoindex(dev);
	if (!ifindex || read_mac(dev, spec.src_mac)) {
		fprintf(stderr, "pktgen tx: no such interface \"%s\"\n", dev);
		return 1;
	}
	int redirect_ifindex = 0;
	if (redirect_dev && !(redirect_ifindex = (int)if_nametoindex(redirect_dev))) {
		fprintf(stderr, "pktgen tx: no such interface \"%s\"\n", redirect_dev);
		return 1;
	}
	/* Flow f: destination low word base+f, source port base-f (pktgen.bpf.c). */
	spec.dst.s6_addr[14] = PKTGEN_DST_LOW_BASE >> 8;
	spec.dst.s6_addr[15] = PKTGEN_DST_LOW_BASE & 0xff;
	uint8_t frame[PKT6_MAX_FRAME];
	unsigned len = pkt6_build(frame, &spec);

	struct bpf_object *obj;
	if (open_obj(obj_path, &obj))
		return 1;
	struct pktgen_cfg cfg = {.nflows = flows, .redirect_ifindex = (__u32)redirect_ifindex,
				 .dst_low_base = PKTGEN_DST_LOW_BASE, .sport_base = PKTGEN_SPORT_BASE};
	if (dst_file) {
		int n = count_dsts(dst_file);
		if (n <= 0) {
			bpf_object__close(obj);
			return 1;
		}
		cfg.ndsts = (__u32)n;
	}
	memcpy(cfg.hdr, frame, PKTGEN_HDR_LEN);
	struct bpf_map *data_map = bpf_object__find_map_by_name(obj, ".data");
	size_t data_size = 0;
	if (!data_map || !bpf_map__initial_value(data_map, &data_size) ||
	    data_size != sizeof(cfg) || bpf_map__set_initial_value(data_map, &cfg, sizeof(cfg)) ||
	    bpf_object__load(obj)) {
		fprintf(stderr, "pktgen tx: cannot load %s (or its .data is not struct pktgen_cfg)\n",
			obj_path);
		bpf_object__close(obj);
		return 1;
	}
	int prog_fd = bpf_program__fd(bpf_object__next_program(obj, NULL));
	if (dst_file && load_dsts(obj, dst_file, &spec) < 0) {
		bpf_object__close(obj);
		return 1;
	}
	int keep_ifindex = 0;
	if (keep_dev) {
		keep_ifindex = (int)if_nametoindex(keep_dev);
		int rc = keep_ifindex ? bpf_xdp_attach(keep_ifindex, prog_fd, XDP_FLAGS_DRV_MODE, NULL)
				      : -ENODEV;
		if (rc) {
			fprintf(stderr, "pktgen tx: attach to %s: %s\n", keep_dev, strerror(-rc));
			bpf_object__close(obj);
			return 1;
		}
	}

	unsigned long long sent = 0, calls = 0;
	double t0 = now_s(), max_call = 0;
	int rc = 0;
	while (sent < count) {
		unsigned n = count - sent < call ? (unsigned)(count - sent) : call;
		if (rate > 0) {
			/* Pace per call: call k may start once k*call frames are due. */
			double due = t0 + sent / rate, wait = due - now_s();
			if (wait > 0) {
				struct timespec ts = {(time_t)wait, (long)((wait - (time_t)wait) * 1e9)};
				nanosleep(&ts, NULL);
			}
		}
		struct xdp_md ctx = {.data_end = len, .ingress_ifindex = (__u32)ifindex};
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = (int)n,
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = batch);
		double c0 = now_s();
		if (bpf_prog_test_run_opts(prog_fd, &opts)) {
			fprintf(stderr, "pktgen tx: BPF_PROG_RUN: %s\n", strerror(errno));
			rc = 1;
			break;
		}
		double dc = now_s() - c0;
		if (dc > max_call)
			max_call = dc;
		sent += n;
		calls++;
	}
	double el = now_s() - t0;
	printf("sent %llu frames of %u bytes in %.3f s: %.0f pps, %llu calls of <= %u "
	       "(mean %.3f ms, max %.3f ms per call)\n",
	       sent, len, el, sent / el, calls, call, calls ? el * 1e3 / calls : 0, max_call * 1e3);
	printf("RESULT sent=%llu seconds=%.6f pps=%.0f calls=%llu\n", sent, el, sent / el, calls);
	if (keep_ifindex)
		bpf_xdp_detach(keep_ifindex, XDP_FLAGS_DRV_MODE, NULL);
	bpf_object__close(obj);
	return rc;
}

static int sink_read(const char *pin, struct xrt_sink_count *total)
{
	int fd = bpf_obj_get(pin);
	if (fd < 0) {
		fprintf(stderr, "pktgen sink: %s: %s\n", pin, strerror(errno));
		return -1;
	}
	int ncpus = libbpf_num_possible_cpus();
	struct xrt_sink_count per[ncpus > 0 ? ncpus : 1];
	__u32 zero = 0;
	memset(total, 0, sizeof(*total));
	int rc = ncpus > 0 ? bpf_map_lookup_elem(fd, &zero, per) : -1;
	close(fd);
	if (rc) {
		fprintf(stderr, "pktgen sink: read %s failed\n", pin);
		return -1;
	}
	for (int i = 0; i < ncpus; i++) {
		total->packets += per[i].packets;
		total->bytes += per[i].bytes;
		total->other += per[i].other;
	}
	return 0;
}

static int cmd_sink(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: pktgen sink attach DEV PIN [OBJ] | read PIN |\n"
				"       pktgen sink settle PIN TIMEOUT_MS  (wait until the count stops moving)\n");
		return 2;
	}
	if (!strcmp(argv[1], "attach") && argc >= 4) {
		const char *obj_path = argc >= 5 ? argv[4] : "tools/pktgen/xrt_sink.bpf.o";
		int ifindex = (int)if_nametoindex(argv[2]);
		struct bpf_object *obj;
		if (!ifindex) {
			fprintf(stderr, "pktgen sink: no such interface \"%s\"\n", argv[2]);
			return 1;
		}
		if (open_obj(obj_path, &obj) || bpf_object__load(obj)) {
			fprintf(stderr, "pktgen sink: cannot load %s\n", obj_path);
			return 1;
		}
		struct bpf_map *map = bpf_object__find_map_by_name(obj, "xrt_sink_count");
		int prog_fd = bpf_program__fd(bpf_object__next_program(obj, NULL));
		int rc = map ? bpf_map__pin(map, argv[3]) : -ENOENT;
		if (!rc)
			rc = bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_DRV_MODE, NULL);
		if (rc)
			fprintf(stderr, "pktgen sink: attach %s / pin %s: %s\n", argv[2], argv[3],
				strerror(-rc));
		bpf_object__close(obj); /* the attachment and the pin keep both alive */
		return rc ? 1 : 0;
	}
	if (!strcmp(argv[1], "read")) {
		struct xrt_sink_count t;
		if (sink_read(argv[2], &t))
			return 1;
		printf("packets %llu bytes %llu other %llu\n", (unsigned long long)t.packets,
		       (unsigned long long)t.bytes, (unsigned long long)t.other);
		return 0;
	}
	if (!strcmp(argv[1], "settle") && argc >= 4) {
		/* Bounded poll: done when two reads 50 ms apart agree. */
		struct xrt_sink_count prev = {0}, cur;
		long timeout_ms = atol(argv[3]);
		for (long waited = 0;; waited += 50) {
			if (sink_read(argv[2], &cur))
				return 1;
			if (waited && cur.packets == prev.packets)
				break;
			if (waited >= timeout_ms) {
				fprintf(stderr, "pktgen sink: still counting after %ld ms\n", timeout_ms);
				break;
			}
			prev = cur;
			usleep(50000);
		}
		printf("packets %llu bytes %llu\n", (unsigned long long)cur.packets,
		       (unsigned long long)cur.bytes);
		return 0;
	}
	fprintf(stderr, "pktgen sink: unknown command \"%s\"\n", argv[1]);
	return 2;
}

/*
 * floor DEV EGRESS DST_MAC [OBJ]: make DEV a redirect-only forwarder (the
 * floor fpcost measures, end to end): every IPv6 frame arriving on DEV leaves
 * by EGRESS towards DST_MAC. The attachment keeps the program alive.
 */
static int cmd_floor(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: pktgen floor DEV EGRESS DST_MAC [OBJ]\n");
		return 2;
	}
	const char *obj_path = argc >= 5 ? argv[4] : "tools/fpcost/bench_redirect.bpf.o";
	struct bench_redirect_cfg cfg = {0};
	int ifindex = (int)if_nametoindex(argv[1]);
	cfg.egress_ifindex = if_nametoindex(argv[2]);
	if (!ifindex || !cfg.egress_ifindex || read_mac(argv[2], cfg.src_mac) ||
	    parse_mac(argv[3], cfg.dst_mac)) {
		fprintf(stderr, "pktgen floor: bad interface or MAC (%s, %s, %s)\n", argv[1], argv[2],
			argv[3]);
		return 2;
	}
	struct bpf_object *obj;
	if (open_obj(obj_path, &obj) || bpf_object__load(obj)) {
		fprintf(stderr, "pktgen floor: cannot load %s\n", obj_path);
		return 1;
	}
	struct bpf_devmap_val port = {.ifindex = cfg.egress_ifindex};
	__u32 zero = 0;
	int cfg_fd = bpf_object__find_map_fd_by_name(obj, "bench_redirect_cfg");
	int tx_fd = bpf_object__find_map_fd_by_name(obj, "bench_tx_ports");
	int prog_fd = bpf_program__fd(bpf_object__next_program(obj, NULL));
	int rc = cfg_fd < 0 || tx_fd < 0 ? -ENOENT : 0;
	if (!rc && (bpf_map_update_elem(cfg_fd, &zero, &cfg, BPF_ANY) ||
		    bpf_map_update_elem(tx_fd, &cfg.egress_ifindex, &port, BPF_ANY)))
		rc = -errno;
	if (!rc)
		rc = bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_DRV_MODE, NULL);
	if (rc)
		fprintf(stderr, "pktgen floor: %s: %s\n", argv[1], strerror(-rc));
	bpf_object__close(obj);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "tx"))
		return cmd_tx(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "sink"))
		return cmd_sink(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "floor"))
		return cmd_floor(argc - 1, argv + 1);
	fprintf(stderr, "usage: pktgen tx ... | pktgen sink ... | pktgen floor ...  (pktgen tx --help)\n");
	return 2;
}
