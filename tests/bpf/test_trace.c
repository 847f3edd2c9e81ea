/* xrt BPF tests: `xrt trace` records: the stages and the verdict of a forwarded, punted, dropped and passed packet, the filter, a full ring. */
#include <criterion/criterion.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "dataplane/trace.h"
#include "xrt/inet.h"
#include "xrt/proto.h"

#define SRC "2001:db8:100::1"
#define RECS 8

static struct xrt_tracer T;
static struct xrt_trace_rec recs[RECS];
static unsigned nrecs;

static int keep(void *ctx, const struct xrt_trace_rec *rec)
{
	(void)ctx;
	if (nrecs < RECS)
		recs[nrecs] = *rec;
	nrecs++;
	return 0;
}

static void setup(void)
{
	char err[XRT_ERR_LEN] = "";

	xt_setup();
	xt_topology();
	cr_assert_eq(xrt_tracer_open(&T, M.pin_dir, keep, NULL, err), 0, "%s", err);
	nrecs = 0;
}

static void teardown(void)
{
	xrt_tracer_close(&T);
	xt_teardown();
}

TestSuite(trace, .init = setup, .fini = teardown);

/* Every packet (no filter). */
static void trace_all(void)
{
	struct xrt_trace_cfg f = { 0 };

	xrt_tracer_start(&T, &f);
}

static void run_one(const struct xt_pkt *p, int want_verdict)
{
	struct xt_result r;

	xt_run(p, if_a, &r);
	cr_assert_eq(r.ret, want_verdict, "verdict %d", r.ret);
	xrt_tracer_consume(&T);
}

/* The record's stages are exactly these, each with its verdict. */
static void expect_steps(const struct xrt_trace_rec *rec, unsigned n, const uint8_t *stages,
			 const uint8_t *verdicts)
{
	cr_assert_eq(rec->nsteps, n, "%u steps", rec->nsteps);
	for (unsigned i = 0; i < n; i++) {
		cr_expect_eq(rec->step[i].stage, stages[i], "step %u: stage %u", i,
			     rec->step[i].stage);
		cr_expect_eq(rec->step[i].verdict, verdicts[i], "step %u: verdict %u", i,
			     rec->step[i].verdict);
	}
}

#define NEXT XRT_TRACE_V_NEXT

Test(trace, forwarded)
{
	struct xt_pkt p;
	uint8_t gw[16], src[16];
	static const uint8_t st[] = { XRT_TRACE_ETH_TYPE_TRANS, XRT_TRACE_IPV6_RCV,
				      XRT_TRACE_IP6_RPF, XRT_TRACE_NF_HOOK_PREROUTING,
				      XRT_TRACE_IP6_ROUTE_INPUT, XRT_TRACE_IP6_FORWARD,
				      XRT_TRACE_NF_HOOK_FORWARD, XRT_TRACE_IP6_FINISH_OUTPUT2 };
	static const uint8_t v[] = { NEXT, NEXT, NEXT, NEXT, NEXT, NEXT, NEXT, XDP_REDIRECT };

	trace_all();
	xt_ip6(&p, SRC, "2001:db8:1::9", 64, NEXTHDR_UDP, 16);
	run_one(&p, XDP_REDIRECT);
	cr_assert_eq(nrecs, 1);
	expect_steps(&recs[0], 8, st, v);
	cr_expect_eq(recs[0].step[4].kind, XRT_TRACE_K_NONE);
	cr_expect_eq(recs[0].punt, 0);
	cr_expect_eq(recs[0].ifindex, (uint32_t)if_a);
	cr_expect_eq(recs[0].oif, (uint32_t)if_b);
	cr_expect_eq(recs[0].nh_id, 1);
	cr_expect_eq(recs[0].hlim, 64, "hop limit as received: %u", recs[0].hlim);
	cr_expect_eq(recs[0].proto, NEXTHDR_UDP);
	cr_expect_eq(recs[0].ethertype, htons(ETH_P_IPV6));
	xt_addr("fe80::1", gw);
	cr_expect_arr_eq(recs[0].gw, gw, 16);
	xt_addr(SRC, src);
	cr_expect_arr_eq(recs[0].saddr, src, 16);
}

Test(trace, punted)
{
	struct xt_pkt p;
	static const uint8_t st[] = { XRT_TRACE_ETH_TYPE_TRANS, XRT_TRACE_IPV6_RCV,
				      XRT_TRACE_IP6_RPF, XRT_TRACE_NF_HOOK_PREROUTING,
				      XRT_TRACE_IP6_ROUTE_INPUT };
	static const uint8_t v[] = { NEXT, NEXT, NEXT, NEXT, XDP_PASS };

	trace_all();
	xt_ip6(&p, SRC, "2001:db8:ff::1", 64, NEXTHDR_ICMP, 16);
	/* No AF_XDP socket is bound here: the punt falls back to the kernel. */
	run_one(&p, XDP_PASS);
	cr_assert_eq(nrecs, 1);
	expect_steps(&recs[0], 5, st, v);
	cr_expect_eq(recs[0].punt, XRT_PUNT_LOCAL + 1, "punt %u", recs[0].punt);
	cr_expect_eq(recs[0].step[4].kind, XRT_TRACE_K_PASS);
	cr_expect_eq(recs[0].step[4].why, XRT_PASS_NO_DAEMON);
}

Test(trace, dropped)
{
	struct xt_pkt p;
	static const uint8_t st[] = { XRT_TRACE_ETH_TYPE_TRANS, XRT_TRACE_IPV6_RCV,
				      XRT_TRACE_IP6_RPF, XRT_TRACE_NF_HOOK_PREROUTING,
				      XRT_TRACE_IP6_ROUTE_INPUT };
	static const uint8_t v[] = { NEXT, NEXT, NEXT, NEXT, XDP_DROP };

	trace_all();
	xt_ip6(&p, SRC, "2001:db8:66::1", 64, NEXTHDR_UDP, 16);
	run_one(&p, XDP_DROP);
	cr_assert_eq(nrecs, 1);
	expect_steps(&recs[0], 5, st, v);
	cr_expect_eq(recs[0].step[4].kind, XRT_TRACE_K_DROP);
	cr_expect_eq(recs[0].step[4].why, XRT_DROP_BLACKHOLE);
	cr_expect_eq(recs[0].punt, 0);
}

Test(trace, passed)
{
	struct xt_pkt p;
	static const uint8_t st[] = { XRT_TRACE_ETH_TYPE_TRANS };
	static const uint8_t v[] = { XDP_PASS };

	trace_all();
	xt_ip6(&p, SRC, "2001:db8:1::9", 64, NEXTHDR_UDP, 16);
	p.b[12] = 0x88; /* IEEE 802 local experimental (0x88b5): not IP, not ARP */
	p.b[13] = 0xb5;
	run_one(&p, XDP_PASS);
	cr_assert_eq(nrecs, 1);
	expect_steps(&recs[0], 1, st, v);
	cr_expect_eq(recs[0].step[0].kind, XRT_TRACE_K_PASS);
	cr_expect_eq(recs[0].step[0].why, XRT_PASS_NOT_IP);
}

/* The filter: a packet outside it writes nothing, one inside it a record;
 * tracing off writes nothing. */
Test(trace, filter)
{
	struct xrt_trace_cfg f = { .flags = XRT_TRACE_F_DST | XRT_TRACE_F_PROTO | XRT_TRACE_F_DEV,
				   .ifindex = (uint32_t)if_a,
				   .proto = NEXTHDR_UDP };
	struct xt_pkt p;

	xt_addr("2001:db8:2::", (uint8_t *)f.dst);
	memset(f.dst_mask, 0xff, 8); /* /64 */
	xrt_tracer_start(&T, &f);

	xt_ip6(&p, SRC, "2001:db8:1::9", 64, NEXTHDR_UDP, 16); /* other prefix */
	run_one(&p, XDP_REDIRECT);
	xt_ip6(&p, SRC, "2001:db8:2::5", 64, NEXTHDR_ICMP, 16); /* other proto */
	run_one(&p, XDP_REDIRECT);
	cr_assert_eq(nrecs, 0, "%u records for packets outside the filter", nrecs);

	xt_ip6(&p, SRC, "2001:db8:2::5", 64, NEXTHDR_UDP, 16);
	run_one(&p, XDP_REDIRECT);
	cr_assert_eq(nrecs, 1);
	cr_expect_eq(recs[0].oif, (uint32_t)if_b);
	cr_expect_eq(recs[0].nh_id, 2);

	/* Another ingress than "dev". */
	struct xt_result r;
	xt_run(&p, if_b, &r);
	xrt_tracer_consume(&T);
	cr_assert_eq(nrecs, 1, "a packet from another dev was traced");

	xrt_tracer_stop(&T);
	run_one(&p, XDP_REDIRECT);
	cr_assert_eq(nrecs, 1, "traced while off");
}

/* More records than the ring holds: the rest are counted, not lost silently. */
Test(trace, ring_full)
{
	struct xt_pkt p;
	uint8_t out[PKT_MAX];
	struct xdp_md ctx_in = { .ingress_ifindex = (uint32_t)if_a };
	const uint32_t repeat = 2 * XRT_TRACE_RING_BYTES / sizeof(struct xrt_trace_rec);
	uint64_t lost0 = xrt_tracer_lost(&T);

	trace_all();
	xt_ip6(&p, SRC, "2001:db8:66::1", 64, NEXTHDR_UDP, 16);
	ctx_in.data_end = p.len;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p.b, .data_size_in = p.len,
		    .data_out = out, .data_size_out = sizeof(out), .ctx_in = &ctx_in,
		    .ctx_size_in = sizeof(ctx_in), .repeat = repeat);
	cr_assert_eq(bpf_prog_test_run_opts(M.prog_fd, &o), 0);
	xrt_tracer_consume(&T);
	uint64_t lost = xrt_tracer_lost(&T) - lost0;
	cr_assert_gt(lost, 0, "no record counted lost");
	cr_assert_eq(nrecs + lost, repeat, "%u read + %lu lost != %u sent", nrecs,
		     (unsigned long)lost, repeat);
}

/* IPv4 forwarded on the kernel's FIB: the record names the egress and the
 * gateway the kernel chose (the IPv4 stage keeps them in the devmap only),
 * addresses as ::ffff:a.b.c.d. */
Test(trace, ip4_forwarded)
{
	struct xt_pkt p;
	uint8_t *ip = xt_l3(&p), want[16];
	uint32_t sum = 0;

	/* xrt's own IPv4 FIB (include/xrt/inet.h: mapped, plen + 96). */
	xt_nh(9, if_b, "::ffff:198.51.100.2", 1500);
	xt_neigh(if_b, "::ffff:198.51.100.2", 0x21, XRT_NUD_PERMANENT);
	xt_route("::ffff:203.0.113.0", XRT_V4_PLEN_OFFSET + 24, XRT_RTN_UNICAST, 9);
	memset(&p, 0, sizeof(p));
	memcpy(p.b, MAC_A, 6);
	p.b[12] = 0x08; /* IPv4 */
	ip[0] = 0x45;
	ip[3] = 28; /* 20 + 8 bytes of UDP */
	ip[8] = 64;
	ip[9] = NEXTHDR_UDP;
	inet_pton(AF_INET, "192.0.2.2", ip + 12);
	inet_pton(AF_INET, "203.0.113.9", ip + 16);
	for (int i = 0; i < 20; i += 2) /* RFC 1071 */
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ip[10] = (uint8_t)(~sum >> 8);
	ip[11] = (uint8_t)~sum;
	p.len = ETH_LEN + 28;

	trace_all();
	run_one(&p, XDP_REDIRECT);
	cr_assert_eq(nrecs, 1);
	cr_expect_eq(recs[0].step[0].stage, XRT_TRACE_ETH_TYPE_TRANS);
	cr_expect_eq(recs[0].step[recs[0].nsteps - 1].verdict, XDP_REDIRECT);
	cr_expect_eq(recs[0].punt, 0);
	cr_expect_eq(recs[0].oif, (uint32_t)if_b, "oif %u", recs[0].oif);
	cr_expect_eq(recs[0].hlim, 64, "TTL as received: %u", recs[0].hlim);
	xt_addr("::ffff:198.51.100.2", want);
	cr_expect_arr_eq(recs[0].gw, want, 16);
	xt_addr("::ffff:203.0.113.9", want);
	cr_expect_arr_eq(recs[0].daddr, want, 16);
}
