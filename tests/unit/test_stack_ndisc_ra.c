/* xrt tests: Router Advertisements: contents, initial schedule, answers to RS, final RA, config checks. */
#include <criterion/criterion.h>
#include "stack/ndisc_ra.h"
#include "test_stack_fake.h"

TestSuite(ndisc_ra, .init = fake_setup, .fini = fake_teardown);

static int ra_frames(void)
{
	return (int)count_icmp(ND_ROUTER_ADVERT, 0);
}

Test(ndisc_ra, contents_of_an_advertisement)
{
	char err[256];
	struct stack_ra_config c = { .enabled = true };
	cr_assert_eq(stack_ra_set(FAKE_IF_A, &c, err), 0);
	stack_timers_run();
	cr_assert_eq(ra_frames(), 1);
	cr_assert_eq(fake_tx[0].ifindex, FAKE_IF_A);
	cr_assert(tx_addr_is(0, false, "fe80::a"));
	cr_assert(tx_addr_is(0, true, "ff02::1"));
	cr_assert_eq(tx_ip6(0)[7], 255);
	cr_assert(tx_csum_ok(0));
	const uint8_t *ra = tx_icmp(0);
	cr_assert_eq(ra[4], 64);
	cr_assert_eq(ra[6] << 8 | ra[7], ND_ADV_DEFAULT_LIFETIME_S);
	/* SLLA, MTU 1500, one prefix 2001:db8:1::/64 with L and A. */
	cr_assert_eq(tx_ip6_len(0), 40 + 16 + 8 + 8 + 32);
	cr_assert_eq(ra[16], ND_OPT_SOURCE_LL_ADDR);
	cr_assert_eq(memcmp(ra + 18, fake_devs[0].mac, 6), 0);
	cr_assert_eq(ra[24], ND_OPT_MTU);
	cr_assert_eq(ntohl(*(uint32_t *)(ra + 28)), 1500);
	const uint8_t *pi = ra + 32;
	cr_assert_eq(pi[0], ND_OPT_PREFIX_INFO);
	cr_assert_eq(pi[1], 4);
	cr_assert_eq(pi[2], 64);
	cr_assert_eq(pi[3], ND_OPT_PI_FLAG_ONLINK | ND_OPT_PI_FLAG_AUTO);
	cr_assert_eq(ntohl(*(uint32_t *)(pi + 4)), ND_ADV_VALID_LIFETIME_S);
	cr_assert_eq(ntohl(*(uint32_t *)(pi + 8)), ND_ADV_PREFERRED_LIFETIME_S);
	struct in6_addr p = A("2001:db8:1::");
	cr_assert_eq(memcmp(pi + 16, &p, 16), 0);
}

Test(ndisc_ra, initial_advertisements_then_the_configured_interval)
{
	char err[256];
	struct stack_ra_config c = { .enabled = true, .max_interval_s = 60, .min_interval_s = 30 };
	cr_assert_eq(stack_ra_set(FAKE_IF_B, &c, err), 0);
	stack_timers_run();
	cr_assert_eq(ra_frames(), 1);
	/* The next ones come at most 16 s apart (RFC 4861 6.2.4). */
	fake_advance_ms(16 * 1000 + 20);
	cr_assert_eq(ra_frames(), 2);
	fake_advance_ms(16 * 1000 + 20);
	cr_assert_eq(ra_frames(), 3);
	/* Then every 30..60 s. */
	fake_advance_ms(29 * 1000);
	cr_assert_eq(ra_frames(), 3);
	fake_advance_ms(31 * 1000 + 20);
	cr_assert_eq(ra_frames(), 4);
}

Test(ndisc_ra, router_solicitation_answered_but_rate_limited)
{
	char err[256];
	struct stack_ra_config c = { .enabled = true };
	cr_assert_eq(stack_ra_set(FAKE_IF_A, &c, err), 0);
	stack_timers_run();
	fake_advance_ms(20000); /* past the first two initial RAs (0 s, 16 s) */
	fake_ntx = 0;
	uint8_t frame[200], body[16] = { ND_ROUTER_SOLICIT };
	body[8] = ND_OPT_SOURCE_LL_ADDR;
	body[9] = 1;
	memcpy(body + 10, (uint8_t[]){ 2, 0, 0, 0, 0x55, 5 }, 6);
	size_t len = build_frame(frame, FAKE_IF_A, "fe80::5", "ff02::2", 255, NEXTHDR_ICMP, body, 16);
	fix_icmp_csum(frame, len, 54);
	rx(FAKE_IF_A, frame, len);
	fake_advance_ms(ND_MAX_RA_DELAY_TIME_MS + 20);
	cr_assert_eq(ra_frames(), 1);
	/* A second RS right away: no second RA before 3 s have passed. */
	fake_ntx = 0;
	rx(FAKE_IF_A, frame, len);
	fake_advance_ms(2500);
	cr_assert_eq(ra_frames(), 0);
	fake_advance_ms(600);
	cr_assert_eq(ra_frames(), 1);
}

Test(ndisc_ra, turning_off_sends_lifetime_zero)
{
	char err[256];
	struct stack_ra_config c = { .enabled = true };
	cr_assert_eq(stack_ra_set(FAKE_IF_A, &c, err), 0);
	stack_timers_run();
	fake_ntx = 0;
	c.enabled = false;
	cr_assert_eq(stack_ra_set(FAKE_IF_A, &c, err), 0);
	cr_assert_eq(ra_frames(), 1);
	cr_assert_eq(tx_icmp(0)[6] << 8 | tx_icmp(0)[7], 0);
	fake_advance_ms(20000);
	cr_assert_eq(ra_frames(), 1);
	struct stack_ra_config got;
	stack_ra_get(FAKE_IF_A, &got);
	cr_assert(!got.enabled);
}

Test(ndisc_ra, bad_configuration_refused)
{
	char err[256];
	struct stack_ra_config c = { .enabled = true, .max_interval_s = 2 };
	cr_assert_lt(stack_ra_set(FAKE_IF_A, &c, err), 0);
	cr_assert(strstr(err, "max interval"));
	c = (struct stack_ra_config){ .enabled = true, .max_interval_s = 100, .min_interval_s = 90 };
	cr_assert_lt(stack_ra_set(FAKE_IF_A, &c, err), 0);
	cr_assert(strstr(err, "min interval"));
	c = (struct stack_ra_config){ .enabled = true, .router_lifetime_s = 9001 };
	cr_assert_lt(stack_ra_set(FAKE_IF_A, &c, err), 0);
	cr_assert(strstr(err, "lifetime"));
	c = (struct stack_ra_config){ .enabled = true };
	cr_assert_lt(stack_ra_set(42, &c, err), 0);
	stack_timers_run();
	cr_assert_eq(fake_ntx, 0);
}
