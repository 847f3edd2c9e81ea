/* xrt BPF tests: the static keys word (include/xrt/feat.h): the writers keep it, the fast path skips only what has nothing to do. */
#include <criterion/criterion.h>
#include <string.h>
#include <bpf/bpf.h>

#include "harness.h"
#include "dataplane/acl.h"
#include "dataplane/feat.h"
#include "dataplane/fib_rules.h"
#include "xrt/proto.h"

static void setup(void)
{
	xt_setup();
	xt_topology();
}

TestSuite(feat, .init = setup, .fini = xt_teardown);

#define SRC "2001:db8:100::1"
#define DST "2001:db8:1::9" /* via fe80::1 dev xfb */

static int run_udp(void)
{
	struct xt_pkt p;
	struct xt_result r;

	xt_ip6(&p, SRC, DST, 64, NEXTHDR_UDP, 16);
	xt_run(&p, if_a, &r);
	return r.ret;
}

/* A prerouting (or forward) rule dropping everything from SRC's /48. */
static struct xrt_acl_rule drop_src(unsigned dir)
{
	struct xrt_acl_rule r = { .dir = (uint8_t)dir, .action = XRT_ACL_DROP };

	xt_addr(SRC, r.src);
	memset(r.smask, 0xff, 6);
	return r;
}

/* What xrtd wrote, bypassing the writers: as an older xrtd or a crash
 * between two writes might leave it. */
static void feat_write(uint32_t off)
{
	struct xrt_feat f = { .off = off };
	uint32_t key = 0;

	cr_assert_eq(bpf_map_update_elem(M.feat, &key, &f, BPF_ANY), 0);
}

Test(feat, nothing_configured_all_off)
{
	cr_assert_eq(xrt_maps_feat_off(&M), XRT_FEAT_OFF_ALL);
	cr_assert_eq(run_udp(), XDP_REDIRECT);
}

Test(feat, acl_turns_its_hook_on_and_off)
{
	char err[XRT_ERR_LEN] = "";
	struct xrt_acl_rule in = drop_src(XRT_ACL_IN), out = drop_src(XRT_ACL_OUT);

	cr_assert_eq(xrt_acl_add(&M, &in, 10, err), 0, "%s", err);
	cr_assert_eq(xrt_maps_feat_off(&M), XRT_FEAT_OFF_NF_FORWARD | XRT_FEAT_OFF_FIB_RULES);
	cr_assert_eq(run_udp(), XDP_DROP);
	cr_assert_eq(xt_drops(1, XRT_DROP_ACL_IN), 1);
	cr_assert_eq(xrt_acl_del(&M, &in, false, false, 0, err), 0, "%s", err);
	cr_assert_eq(xrt_maps_feat_off(&M), XRT_FEAT_OFF_ALL);
	cr_assert_eq(run_udp(), XDP_REDIRECT);

	cr_assert_eq(xrt_acl_add(&M, &out, 10, err), 0, "%s", err);
	cr_assert_eq(xrt_maps_feat_off(&M), XRT_FEAT_OFF_NF_PREROUTING | XRT_FEAT_OFF_FIB_RULES);
	cr_assert_eq(run_udp(), XDP_DROP);
	cr_assert_eq(xt_drops(1, XRT_DROP_ACL_OUT), 1);
	cr_assert_eq(xrt_acl_flush(&M, XRT_ACL_DIRS, 0, XRT_ACL_ANY_FAMILY, err), 0, "%s", err);
	cr_assert_eq(xrt_maps_feat_off(&M), XRT_FEAT_OFF_ALL);
	cr_assert_eq(run_udp(), XDP_REDIRECT);
}

Test(feat, rules_turn_the_walk_on_and_off)
{
	char err[XRT_ERR_LEN] = "";
	/* One rule: everything to blackhole, so the walk shows in the verdict. */
	struct xrt_fib_rule r = { .family = XRT_AF_INET6, .action = XRT_FR_ACT_BLACKHOLE };

	cr_assert_eq(xrt_maps_fib_rules_set(&M, &r, 1, err), 0, "%s", err);
	cr_assert_eq(xrt_maps_feat_off(&M), XRT_FEAT_OFF_NF_PREROUTING | XRT_FEAT_OFF_NF_FORWARD);
	cr_assert_eq(run_udp(), XDP_DROP);
	cr_assert_eq(xt_drops(1, XRT_DROP_BLACKHOLE), 1);
	cr_assert_eq(xrt_maps_fib_rules_set(&M, NULL, 0, err), 0, "%s", err);
	cr_assert_eq(xrt_maps_feat_off(&M), XRT_FEAT_OFF_ALL);
	cr_assert_eq(run_udp(), XDP_REDIRECT);
}

/* The word only ever skips: 0 (a fresh map) runs every stage; a bit set
 * is what skips, so the writers above are what keeps rules applied. */
Test(feat, zero_runs_every_stage)
{
	char err[XRT_ERR_LEN] = "";
	struct xrt_acl_rule in = drop_src(XRT_ACL_IN);

	cr_assert_eq(xrt_acl_add(&M, &in, 10, err), 0, "%s", err);
	feat_write(0);
	cr_assert_eq(run_udp(), XDP_DROP);
	feat_write(XRT_FEAT_OFF_NF_PREROUTING);
	cr_assert_eq(run_udp(), XDP_REDIRECT, "the bit skips the hook");
	cr_assert_eq(xt_drops(1, XRT_DROP_ACL_IN), 1);
}
