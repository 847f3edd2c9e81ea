/* xrt: unit tests of the stack's netfilter hook points (stack_env.nf_hook): local input in ip6_input, prerouting for hop-by-hop punts, forward for what xrtd forwards. */
#include <criterion/criterion.h>
#include <string.h>

#include "test_stack_fake.h"
#include "stack/stack_internal.h"
#include "xrt/acl.h"

TestSuite(nf_hook, .init = fake_setup, .fini = fake_teardown);

static uint8_t frame[2048];

Test(nf_hook, local_input_drop_is_counted_and_silent)
{
	size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:1::1", 64, 8);

	fake_nf_drop[XRT_ACL_LOCAL] = true;
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_nf_calls_of(XRT_ACL_LOCAL), 1);
	cr_assert_eq(fake_nf_call[0].ifindex, FAKE_IF_A);
	cr_assert_eq(fake_nf_call[0].len, len - 14, "the IPv6 packet, not the frame");
	cr_assert_eq(count_icmp(ICMP6_ECHO_REPLY, 0), 0);
	cr_assert_eq(sstats.drop[STACK_DROP_NF_DROP], 1);
	cr_assert_eq(sstats.icmp6[STACK_ICMP6_IN_ECHOS], 0);
	/* Accepted: answered, and prerouting was not asked again (the fast
	 * path ran it before the punt). */
	fake_nf_drop[XRT_ACL_LOCAL] = false;
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(sstats.icmp6[STACK_ICMP6_IN_ECHOS], 1, "delivered to icmp6");
	cr_assert_eq(fake_nf_calls_of(XRT_ACL_IN), 0);
}

Test(nf_hook, forward_hook_sees_the_egress)
{
	/* 2001:db8:2::/64 is connected on B: the stack forwards (and resolves). */
	size_t len = build_echo_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:2::77", 64, 8);

	fake_nf_drop[XRT_ACL_OUT] = true;
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_nf_calls_of(XRT_ACL_OUT), 1);
	cr_assert_eq(fake_nf_call[0].ifindex, FAKE_IF_B);
	cr_assert_eq(fake_nf_calls_of(XRT_ACL_LOCAL), 0);
	cr_assert_eq(fake_ntx, 0, "nothing sent: no NS for a dropped packet");
	cr_assert_eq(sstats.drop[STACK_DROP_NF_DROP], 1);
}

Test(nf_hook, hop_by_hop_runs_prerouting)
{
	/* Hop-by-hop (PadN) then an echo request to the router. */
	uint8_t body[8 + 64] = { NEXTHDR_ICMP, 0, IP6_TLV_PADN, 4 };
	size_t blen = 8 + build_echo(body + 8, 1, 1, 8);
	size_t len = build_frame(frame, FAKE_IF_A, "2001:db8:1::5", "2001:db8:1::1", 64,
				 NEXTHDR_HOP, body, blen);

	fix_icmp_csum(frame, len, 14 + 40 + 8);
	fake_nf_drop[XRT_ACL_IN] = true;
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_nf_calls_of(XRT_ACL_IN), 1);
	cr_assert_eq(fake_nf_calls_of(XRT_ACL_LOCAL), 0, "dropped at prerouting");
	cr_assert_eq(sstats.drop[STACK_DROP_NF_DROP], 1);
	fake_nf_drop[XRT_ACL_IN] = false;
	rx(FAKE_IF_A, frame, len);
	cr_assert_eq(fake_nf_calls_of(XRT_ACL_LOCAL), 1);
	cr_assert_eq(sstats.icmp6[STACK_ICMP6_IN_ECHOS], 1, "delivered to icmp6");
}
