/* xrt fpcost --trace: what `xrt trace` costs the forwarding path: compiled out, off, on but not matching, on and matching. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include "dataplane/trace.h"
#include "xrt/err.h"
#include "fpcost.h"
#include "../bench/pkt6.h"

/*
 * Both objects are loaded on one set of pins (the second load reuses the
 * first one's maps), so they see the same interfaces, next hop and routes;
 * the product's trace filter is switched between rounds through the pinned
 * .data.xrt_trace map as xrtd switches it. Each variant runs in calls of
 * FP_TRACE_CHUNK repetitions and the ring is drained between calls (outside
 * the timed part), so "on and matching" measures writing a record, not a
 * full ring refusing one.
 */
#define FP_TRACE_CHUNK 250
#define FP_TRACE_MAX_ROUNDS 31
#define FP_TRACE_HOP_LIMIT 255

enum fp_trace_variant { FP_T_OUT, FP_T_OFF, FP_T_NOMATCH, FP_T_MATCH, FP_T_N };
static const char *const fp_trace_name[FP_T_N] = { "trace_out", "trace_off", "trace_nomatch",
						   "trace_match" };

static unsigned long long fp_records;

static int fp_trace_count(void *ctx, const struct xrt_trace_rec *rec)
{
	(void)ctx;
	(void)rec;
	fp_records++;
	return 0;
}

/* Filter: the test packet's destination (match), or a /48 no test packet
 * is in (nomatch). Not "every packet": the program is also attached to a
 * live veth, where the kernel's own ND and MLD frames would match. */
static void fp_trace_set(struct xrt_tracer *tr, enum fp_trace_variant v,
			 const struct in6_addr *dst)
{
	struct xrt_trace_cfg f = { .flags = XRT_TRACE_F_DST };

	if (v == FP_T_OUT || v == FP_T_OFF) {
		xrt_tracer_stop(tr);
		return;
	}
	if (v == FP_T_NOMATCH) {
		inet_pton(AF_INET6, "2001:db8:beef::", f.dst);
		memset(f.dst_mask, 0xff, 6);
	} else {
		memcpy(f.dst, dst, sizeof(f.dst));
		memset(f.dst_mask, 0xff, sizeof(f.dst_mask));
	}
	xrt_tracer_start(tr, &f);
}

/* Between calls: read what the ring holds (see above). */
static void fp_trace_drain(void *tr)
{
	xrt_tracer_consume(tr);
}

static int fp_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int fp_trace_cost(const struct fp_topo *t, const char *bpf_dir, const char *bench_dir,
		  const char *bpffs, const unsigned *counts, unsigned ncounts, int repeat,
		  unsigned rounds, uint64_t seed)
{
	char obj[512], err[XRT_ERR_LEN] = "";
	struct fp_xrt *out, *prod;
	struct xrt_tracer tr;
	int fd[FP_T_N];

	if (rounds > FP_TRACE_MAX_ROUNDS)
		rounds = FP_TRACE_MAX_ROUNDS;
	snprintf(obj, sizeof(obj), "%s/bench_notrace.bpf.o", bench_dir);
	out = fp_xrt_open(obj, bpffs, t);
	snprintf(obj, sizeof(obj), "%s/xrt_fwd.bpf.o", bpf_dir);
	prod = out ? fp_xrt_open(obj, bpffs, t) : NULL;
	if (!prod)
		return -1;
	if (xrt_tracer_open(&tr, fp_xrt_pin_dir(prod), fp_trace_count, NULL, err)) {
		fprintf(stderr, "fpcost: %s\n", err);
		return -1;
	}
	fd[FP_T_OUT] = fp_xrt_prog_fd(out);
	fd[FP_T_OFF] = fd[FP_T_NOMATCH] = fd[FP_T_MATCH] = fp_xrt_prog_fd(prod);
	if (fp_pin_to_dispatcher(fd[FP_T_OUT], FP_SPARE_DEV) ||
	    fp_pin_to_dispatcher(fd[FP_T_OFF], FP_IN_DEV))
		return -1;

	unsigned max = counts[ncounts - 1], installed = 0;
	struct fp_route *routes = calloc(max, sizeof(*routes));
	if (!routes)
		return -1;
	fp_routes_generate(routes, max, seed);
	uint64_t rng = seed ^ 0x9e3779b97f4a7c15ULL;
	printf("fpcost --trace: forward, repeat %d, %u rounds, median ns/packet\n", repeat, rounds);
	for (unsigned ci = 0; ci < ncounts; ci++) {
		unsigned n = counts[ci];
		double ns[FP_T_N][FP_TRACE_MAX_ROUNDS], med[FP_T_N];
		__u32 verdict[FP_T_N];

		if (fp_xrt_add_routes(prod, routes, installed, n))
			return -1;
		installed = n;
		for (unsigned round = 0; round < rounds; round++) {
			struct pkt6_spec spec = { .sport = 1024, .dport = 9,
						  .hop_limit = FP_TRACE_HOP_LIMIT, .frame_len = 64 };
			uint8_t pkt[PKT6_MAX_FRAME];

			memcpy(spec.src_mac, t->in_mac, 6);
			memcpy(spec.dst_mac, t->in_mac, 6);
			inet_pton(AF_INET6, "2001:db8:fffe::2", &spec.src);
			fp_route_host(&routes[fp_rand(&rng) % n], &rng, &spec.dst);
			unsigned len = pkt6_build(pkt, &spec);
			for (int v = 0; v < FP_T_N; v++) {
				struct fp_run r = { .after_call = fp_trace_drain, .arg = &tr };

				fp_trace_set(&tr, v, &spec.dst);
				fp_records = 0;
				if (fp_test_run(fd[v], pkt, len, t->in_ifindex, repeat, FP_TRACE_CHUNK,
						&r))
					return -1;
				ns[v][round] = r.ns;
				verdict[v] = r.retval;
				/* Every matching packet wrote its record, the others none. */
				if (fp_records != (v == FP_T_MATCH ? (unsigned long long)repeat : 0)) {
					fprintf(stderr, "fpcost: %s: %llu trace records for %d packets\n",
						fp_trace_name[v], fp_records, repeat);
					return -1;
				}
			}
		}
		xrt_tracer_stop(&tr);
		for (int v = 0; v < FP_T_N; v++) {
			if (verdict[v] != XDP_REDIRECT) {
				fprintf(stderr, "fpcost: %s did not forward (verdict %u)\n",
					fp_trace_name[v], verdict[v]);
				return -1;
			}
			qsort(ns[v], rounds, sizeof(double), fp_cmp);
			med[v] = ns[v][rounds / 2];
			printf("%u routes: %-13s forward %6.1f ns  RESULT routes=%u prog=%s pkt=forward "
			       "ns=%.1f verdict=REDIRECT\n",
			       n, fp_trace_name[v], med[v], n, fp_trace_name[v], med[v]);
		}
		for (int v = FP_T_OFF; v < FP_T_N; v++)
			printf("%u routes: %s - trace_out %+.1f ns  RESULT routes=%u ratio=%s_out "
			       "value=%.3f\n",
			       n, fp_trace_name[v], med[v] - med[FP_T_OUT], n, fp_trace_name[v],
			       med[v] / med[FP_T_OUT]);
		fflush(stdout);
	}
	printf("trace records lost (ring full): %llu\n",
	       (unsigned long long)xrt_tracer_lost(&tr));
	xrt_tracer_close(&tr);
	free(routes);
	fp_xrt_close(prod);
	fp_xrt_close(out);
	return 0;
}
