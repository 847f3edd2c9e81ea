/* xrt tests: Router Advertisement options set by configuration: prefixes with their flags and lifetimes, MTU option on/off/value. */
#include <criterion/criterion.h>
#include "stack/ndisc_ra.h"
#include "test_stack_fake.h"

TestSuite(ndisc_ra_opts, .init = fake_setup, .fini = fake_teardown);

Test(ndisc_ra_opts, configured_prefixes_replace_the_interface_ones)
{
	char err[256];
	struct stack_ra_config c = { .enabled = true, .mtu = 1400, .nprefixes = 2 };
	c.prefix[0] = (struct stack_ra_prefix){ .prefix = A("2001:db8:aa::"), .plen = 64,
						 .onlink = true, .autonomous = true,
						 .valid_s = 3600, .preferred_s = 1800 };
	c.prefix[1] = (struct stack_ra_prefix){ .prefix = A("2001:db8:bb::"), .plen = 48,
						 .onlink = true, .valid_s = 7200,
						 .preferred_s = 7200 };
	cr_assert_eq(stack_ra_set(FAKE_IF_A, &c, err), 0, "%s", err);
	stack_timers_run();
	cr_assert_eq(count_icmp(ND_ROUTER_ADVERT, 0), 1);
	cr_assert(tx_csum_ok(0));
	/* SLLA, MTU, two prefixes; the interface's own 2001:db8:1::/64 is not. */
	cr_assert_eq(tx_ip6_len(0), 40 + 16 + 8 + 8 + 2 * 32);
	const uint8_t *ra = tx_icmp(0);
	cr_assert_eq(ra[24], ND_OPT_MTU);
	cr_assert_eq(ntohl(*(uint32_t *)(ra + 28)), 1400);
	const uint8_t *pi = ra + 32;
	struct in6_addr p = A("2001:db8:aa::");
	cr_assert_eq(pi[2], 64);
	cr_assert_eq(pi[3], ND_OPT_PI_FLAG_ONLINK | ND_OPT_PI_FLAG_AUTO);
	cr_assert_eq(ntohl(*(uint32_t *)(pi + 4)), 3600);
	cr_assert_eq(ntohl(*(uint32_t *)(pi + 8)), 1800);
	cr_assert_eq(memcmp(pi + 16, &p, 16), 0);
	pi += 32;
	p = A("2001:db8:bb::");
	cr_assert_eq(pi[2], 48);
	cr_assert_eq(pi[3], ND_OPT_PI_FLAG_ONLINK);
	cr_assert_eq(ntohl(*(uint32_t *)(pi + 4)), 7200);
	cr_assert_eq(memcmp(pi + 16, &p, 16), 0);
	struct stack_ra_config got;
	stack_ra_get(FAKE_IF_A, &got);
	cr_assert_eq(got.nprefixes, 2);
	cr_assert_eq(got.mtu, 1400);
}

Test(ndisc_ra_opts, mtu_option_left_out_when_off)
{
	char err[256];
	struct stack_ra_config c = { .enabled = true, .mtu = STACK_RA_MTU_OFF };
	cr_assert_eq(stack_ra_set(FAKE_IF_A, &c, err), 0, "%s", err);
	stack_timers_run();
	cr_assert_eq(count_icmp(ND_ROUTER_ADVERT, 0), 1);
	/* SLLA and the interface's /64, no MTU option. */
	cr_assert_eq(tx_ip6_len(0), 40 + 16 + 8 + 32);
	const uint8_t *ra = tx_icmp(0);
	cr_assert_eq(ra[16], ND_OPT_SOURCE_LL_ADDR);
	cr_assert_eq(ra[24], ND_OPT_PREFIX_INFO);
}

Test(ndisc_ra_opts, bad_options_refused)
{
	char err[256];
	struct stack_ra_config c = { .enabled = true, .mtu = 1000 };
	cr_assert_lt(stack_ra_set(FAKE_IF_A, &c, err), 0);
	cr_assert(strstr(err, "mtu"), "%s", err);
	c = (struct stack_ra_config){ .enabled = true, .nprefixes = 1 };
	c.prefix[0] = (struct stack_ra_prefix){ .prefix = A("fe80::"), .plen = 64,
						 .valid_s = 10, .preferred_s = 10 };
	cr_assert_lt(stack_ra_set(FAKE_IF_A, &c, err), 0);
	cr_assert(strstr(err, "prefix 1"), "%s", err);
	c.prefix[0] = (struct stack_ra_prefix){ .prefix = A("2001:db8:aa::"), .plen = 64,
						 .valid_s = 10, .preferred_s = 20 };
	cr_assert_lt(stack_ra_set(FAKE_IF_A, &c, err), 0);
	cr_assert(strstr(err, "preferred"), "%s", err);
	c.nprefixes = STACK_RA_MAX_PREFIXES + 1;
	cr_assert_lt(stack_ra_set(FAKE_IF_A, &c, err), 0);
	stack_timers_run();
	cr_assert_eq(fake_ntx, 0);
}

Test(ndisc_ra_opts, changed_contents_advertised_at_once_same_ones_not)
{
	char err[256];
	struct stack_ra_config c = { .enabled = true, .max_interval_s = 1800,
				     .min_interval_s = 1350 };
	cr_assert_eq(stack_ra_set(FAKE_IF_A, &c, err), 0, "%s", err);
	stack_timers_run();
	cr_assert_eq(count_icmp(ND_ROUTER_ADVERT, 0), 1);
	/* The same configuration again (a reload): no extra RA. */
	cr_assert_eq(stack_ra_set(FAKE_IF_A, &c, err), 0, "%s", err);
	fake_advance_ms(10000);
	cr_assert_eq(count_icmp(ND_ROUTER_ADVERT, 0), 1);
	/* New contents (RFC 4861 6.2.4): sent now, not at the 16 s mark. */
	c.router_lifetime_s = 300;
	cr_assert_eq(stack_ra_set(FAKE_IF_A, &c, err), 0, "%s", err);
	fake_advance_ms(10);
	cr_assert_eq(count_icmp(ND_ROUTER_ADVERT, 0), 2);
	const uint8_t *ra = tx_icmp(fake_ntx - 1);
	cr_assert_eq(ra[6] << 8 | ra[7], 300);
	/* Changed again at once: never closer than MIN_DELAY_BETWEEN_RAS. */
	c.router_lifetime_s = 200;
	cr_assert_eq(stack_ra_set(FAKE_IF_A, &c, err), 0, "%s", err);
	fake_advance_ms(ND_MIN_DELAY_BETWEEN_RAS_S * 1000 - 100);
	cr_assert_eq(count_icmp(ND_ROUTER_ADVERT, 0), 2);
	fake_advance_ms(200);
	cr_assert_eq(count_icmp(ND_ROUTER_ADVERT, 0), 3);
}

Test(ndisc_ra_opts, lifetime_zero_advertises_prefixes_but_no_default_router)
{
	char err[256];
	struct stack_ra_config c = { .enabled = true, .router_lifetime_s = STACK_RA_LIFETIME_ZERO };
	cr_assert_eq(stack_ra_set(FAKE_IF_A, &c, err), 0, "%s", err);
	stack_timers_run();
	cr_assert_eq(count_icmp(ND_ROUTER_ADVERT, 0), 1);
	const uint8_t *ra = tx_icmp(0);
	cr_assert_eq(ra[6] << 8 | ra[7], 0);
	cr_assert_eq(tx_ip6_len(0), 40 + 16 + 8 + 8 + 32); /* the prefix still goes out */
}
