/* xrt BPF tests: random and malformed frames; every packet is accounted for
 * by exactly one outcome counter. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "xrt/proto.h"

static void setup(void)
{
	xt_setup();
	xt_topology();
}

TestSuite(robust, .init = setup, .fini = xt_teardown);

static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

Test(robust, random_frames_each_counted_once, .timeout = 120)
{
	static const char *dsts[] = {
		"2001:db8:1::9", "2001:db8:2::5", "2001:db8:3::1", "2001:db8:4::1",
		"2001:db8:5::1", "2001:db8:6::1", "2001:db8:9::1", "2001:db8:e::1",
		"2001:db8:66::1", "2001:db8:77::1", "2001:db8:88::1", "2001:db8:ff::1",
		"2001:db9::1", "ff02::1", "ff05::1", "fe80::1", "::1", "::",
	};
	static const char *srcs[] = { "2001:db8:100::1", "fe80::9", "::", "::1",
				      "ff02::1" };
	static const uint8_t nhs[] = { NEXTHDR_UDP, NEXTHDR_TCP, NEXTHDR_HOP,
				       NEXTHDR_ICMP, NEXTHDR_FRAGMENT, 250 };
	struct xrt_stats st;
	struct xt_pkt p;
	struct xt_result r;
	char err[XRT_ERR_LEN];
	uint64_t seed = 12345, total = 0, accounted, forwarded, passed;
	uint64_t drops = 0, punts = 0;
	int i, k, n = 3000, verdicts[5] = { 0 };

	for (i = 0; i < n; i++) {
		uint16_t payload = (uint16_t)(rnd(&seed) % 1500);

		xt_ip6(&p, srcs[rnd(&seed) % 5], dsts[rnd(&seed) % 18],
		       (uint8_t)(rnd(&seed) % 4 ? 64 : rnd(&seed) % 3),
		       nhs[rnd(&seed) % 6], payload);
		switch (rnd(&seed) % 8) {
		case 0: /* truncated or short */
			p.len = ETH_LEN + rnd(&seed) % (p.len - ETH_LEN + 1);
			break;
		case 1: /* padded */
			p.len += rnd(&seed) % 64;
			break;
		case 2: /* garbage header bytes */
			for (k = 0; k < 8; k++)
				p.b[ETH_LEN + rnd(&seed) % 40] = (uint8_t)rnd(&seed);
			break;
		case 3: /* random payload length field */
			xt_l3(&p)[4] = (uint8_t)rnd(&seed);
			xt_l3(&p)[5] = (uint8_t)rnd(&seed);
			break;
		}
		xt_run(&p, if_a, &r);
		cr_assert(r.ret >= XDP_ABORTED && r.ret <= XDP_REDIRECT);
		cr_assert_neq(r.ret, XDP_ABORTED, "frame %d aborted", i);
		verdicts[r.ret]++;
		total++;
	}
	cr_assert_eq(xrt_maps_stats_read(&M, -1, &st, err), 0, "%s", err);
	for (k = 0; k < XRT_DROP_MAX; k++)
		drops += st.drop[k];
	for (k = 0; k < XRT_PUNT_MAX; k++)
		punts += st.punt[k];
	accounted = drops + punts;
	forwarded = st.mib[XRT_MIB_OUT_FORW_DATAGRAMS];
	passed = st.pass[XRT_PASS_NOT_IP] + st.pass[XRT_PASS_UNKNOWN_IF] +
		 st.pass[XRT_PASS_KERNEL_LOCAL];
	/* no_daemon is a subset of the punts (they went to the kernel). */
	cr_assert_eq(accounted + forwarded + passed, total,
		     "drops+punts %llu + forwarded %llu + passes %llu != %llu",
		     (unsigned long long)accounted, (unsigned long long)forwarded,
		     (unsigned long long)passed, (unsigned long long)total);
	cr_assert_eq(st.mib[XRT_MIB_IN_RECEIVES], total);
	cr_assert_eq((uint64_t)verdicts[XDP_DROP], drops);
	/* No XSK is bound: every punt fell back to the kernel. */
	cr_assert_eq(st.pass[XRT_PASS_NO_DAEMON], punts);
	cr_assert_eq((uint64_t)verdicts[XDP_PASS], st.pass[XRT_PASS_NO_DAEMON] + passed);
	cr_assert_eq((uint64_t)(verdicts[XDP_TX] + verdicts[XDP_REDIRECT]), forwarded);
	/* The mix really exercised the pipeline. */
	cr_assert(verdicts[XDP_DROP] > 100 && verdicts[XDP_PASS] > 100 &&
			  verdicts[XDP_REDIRECT] > 50,
		  "drop %d pass %d redirect %d", verdicts[XDP_DROP],
		  verdicts[XDP_PASS], verdicts[XDP_REDIRECT]);
}
