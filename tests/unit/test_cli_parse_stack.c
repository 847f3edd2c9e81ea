/* xrt tests: the grammar of `ra set|show` and `icmp ratelimit` (cli/ra.c, cli/icmp.c). */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <stdio.h>
#include "cli/cmd.h"
#include "xrt/proto.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__ })
#define ARGC(...) ((int)(sizeof(ARGV(__VA_ARGS__)) / sizeof(char *)))
#define RA(set, ...) parse_ra(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), set, &c, err)
#define ICMP(...) parse_icmp(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), &ic, err)

static struct cmd_ra c;
static struct cmd_icmp ic;
static char err[XRT_ERR_LEN];

Test(cli_parse_stack, ra_set_with_every_option)
{
	cr_assert_eq(RA(true, "dev", "eth0", "on", "interval", "30", "min-interval", "10",
			"lifetime", "90", "mtu", "1400", "prefix", "2001:db8:1::/64", "valid",
			"600", "preferred", "300", "prefix", "2001:db8:2::/48", "no-autonomous",
			"no-onlink", "valid", "infinity", "preferred", "infinity"),
		     0, "%s", err);
	cr_assert_str_eq(c.dev, "eth0");
	cr_assert(c.cfg.enabled);
	cr_assert_eq(c.cfg.max_interval_s, 30);
	cr_assert_eq(c.cfg.min_interval_s, 10);
	cr_assert_eq(c.cfg.router_lifetime_s, 90);
	cr_assert_eq(c.cfg.mtu, 1400);
	cr_assert_eq(c.cfg.nprefixes, 2);
	struct in6_addr p;
	inet_pton(AF_INET6, "2001:db8:1::", &p);
	cr_assert_eq(memcmp(&c.cfg.prefix[0].prefix, &p, 16), 0);
	cr_assert_eq(c.cfg.prefix[0].plen, 64);
	cr_assert(c.cfg.prefix[0].onlink && c.cfg.prefix[0].autonomous);
	cr_assert_eq(c.cfg.prefix[0].valid_s, 600);
	cr_assert_eq(c.cfg.prefix[0].preferred_s, 300);
	cr_assert_eq(c.cfg.prefix[1].plen, 48);
	cr_assert(!c.cfg.prefix[1].onlink && !c.cfg.prefix[1].autonomous);
	cr_assert_eq(c.cfg.prefix[1].valid_s, UINT32_MAX);
}

Test(cli_parse_stack, ra_defaults_and_mtu_words)
{
	cr_assert_eq(RA(true, "dev", "eth0", "on", "prefix", "2001:db8:1::/64"), 0, "%s", err);
	cr_assert_eq(c.cfg.mtu, 0);
	cr_assert_eq(c.cfg.max_interval_s, 0); /* the stack's default (600) */
	cr_assert_eq(c.cfg.prefix[0].valid_s, ND_ADV_VALID_LIFETIME_S);
	cr_assert_eq(c.cfg.prefix[0].preferred_s, ND_ADV_PREFERRED_LIFETIME_S);
	cr_assert_eq(RA(true, "dev", "eth0", "on", "mtu", "off"), 0, "%s", err);
	cr_assert_eq(c.cfg.mtu, STACK_RA_MTU_OFF);
	cr_assert_eq(c.cfg.nprefixes, 0);
	cr_assert_eq(RA(true, "dev", "eth0", "off"), 0, "%s", err);
	cr_assert(!c.cfg.enabled);
	cr_assert_eq(RA(false, "dev", "eth0"), 0, "%s", err);
	cr_assert_eq(RA(false), 0, "%s", err);
}

Test(cli_parse_stack, ra_errors_name_the_word)
{
	cr_assert_lt(RA(true, "dev", "eth0"), 0);
	cr_assert(strstr(err, "on"), "%s", err);
	cr_assert_lt(RA(true, "on"), 0);
	cr_assert(strstr(err, "dev"), "%s", err);
	cr_assert_lt(RA(true, "dev", "eth0", "on", "prefix", "2001:db8:1::/48"), 0);
	cr_assert(strstr(err, "no-autonomous"), "%s", err);
	cr_assert_lt(RA(true, "dev", "eth0", "on", "prefix", "2001:db8:1::1/64"), 0);
	cr_assert(strstr(err, "host bits"), "%s", err);
	cr_assert_lt(RA(true, "dev", "eth0", "on", "prefix", "fe80::/64"), 0);
	cr_assert(strstr(err, "fe80::/64"), "%s", err);
	cr_assert_lt(RA(true, "dev", "eth0", "on", "valid", "5"), 0);
	cr_assert(strstr(err, "prefix"), "%s", err);
	cr_assert_lt(RA(true, "dev", "eth0", "on", "prefix", "2001:db8:1::/64", "valid", "5",
			"preferred", "6"),
		     0);
	cr_assert(strstr(err, "preferred"), "%s", err);
	cr_assert_lt(RA(true, "dev", "eth0", "on", "interval", "2"), 0);
	cr_assert(strstr(err, "\"2\""), "%s", err);
	cr_assert_lt(RA(true, "dev", "eth0", "on", "mtu", "1000"), 0);
	cr_assert(strstr(err, "1000"), "%s", err);
	cr_assert_lt(RA(true, "dev", "eth0", "on", "lifetime", "9001"), 0);
	cr_assert_lt(RA(true, "dev", "eth0", "on", "bogus"), 0);
	cr_assert(strstr(err, "bogus"), "%s", err);
	cr_assert_lt(RA(false, "dev", "eth0", "on"), 0); /* show takes no settings */
}

Test(cli_parse_stack, ra_prefix_count_bounded)
{
	char *v[2 + 2 * (STACK_RA_MAX_PREFIXES + 1) + 1];
	char names[STACK_RA_MAX_PREFIXES + 1][32];
	int n = 0;
	v[n++] = "dev";
	v[n++] = "eth0";
	v[n++] = "on";
	for (int i = 0; i <= STACK_RA_MAX_PREFIXES; i++) {
		snprintf(names[i], sizeof(names[i]), "2001:db8:%x::/64", i + 1);
		v[n++] = "prefix";
		v[n++] = names[i];
	}
	cr_assert_lt(parse_ra(n, v, true, &c, err), 0);
	cr_assert(strstr(err, "too many"), "%s", err);
	cr_assert_eq(parse_ra(n - 2, v, true, &c, err), 0, "%s", err);
	cr_assert_eq(c.cfg.nprefixes, STACK_RA_MAX_PREFIXES);
}

Test(cli_parse_stack, icmp_ratelimit_forms)
{
	cr_assert_eq(ICMP("10", "burst", "5"), 0, "%s", err);
	cr_assert(ic.has_per_dst && !ic.has_global);
	cr_assert_eq(ic.rl.per_dst_rate, 10);
	cr_assert_eq(ic.rl.per_dst_burst, 5);
	cr_assert_eq(ICMP("20"), 0, "%s", err);
	cr_assert_eq(ic.rl.per_dst_burst, 20); /* one second's worth */
	cr_assert_eq(ICMP("0"), 0, "%s", err);
	cr_assert_eq(ic.rl.per_dst_rate, 0);
	cr_assert_eq(ICMP("10", "global", "100", "burst", "30"), 0, "%s", err);
	cr_assert_eq(ic.rl.per_dst_burst, 10);
	cr_assert(ic.has_global);
	cr_assert_eq(ic.rl.global_rate, 100);
	cr_assert_eq(ic.rl.global_burst, 30);
	cr_assert_eq(ICMP("global", "0"), 0, "%s", err);
	cr_assert(!ic.has_per_dst && ic.has_global);
	cr_assert_eq(ic.rl.global_rate, 0);
	cr_assert_eq(ICMP("default"), 0, "%s", err);
	cr_assert(ic.defaults);
}

Test(cli_parse_stack, icmp_ratelimit_errors)
{
	cr_assert_lt(ICMP("fast"), 0);
	cr_assert(strstr(err, "\"fast\""), "%s", err);
	cr_assert_lt(ICMP("10", "burst", "0"), 0);
	cr_assert(strstr(err, "burst"), "%s", err);
	cr_assert_lt(ICMP("10", "burst"), 0);
	cr_assert(strstr(err, "needs a value"), "%s", err);
	cr_assert_lt(ICMP("10", "burst", "2", "burst", "3"), 0);
	cr_assert_lt(ICMP("10", "11"), 0);
	cr_assert(strstr(err, "\"11\""), "%s", err);
	cr_assert_lt(ICMP("-1"), 0);
	cr_assert_lt(parse_icmp(0, NULL, &ic, err), 0);
	cr_assert(strstr(err, "rate"), "%s", err);
}

Test(cli_parse_stack, ra_router_lifetime_zero_or_at_least_the_interval)
{
	cr_assert_eq(RA(true, "dev", "eth0", "on", "lifetime", "0"), 0, "%s", err);
	cr_assert_eq(c.cfg.router_lifetime_s, STACK_RA_LIFETIME_ZERO);
	cr_assert_eq(RA(true, "dev", "eth0", "on", "interval", "200", "lifetime", "300"), 0, "%s",
		     err);
	cr_assert_eq(c.cfg.router_lifetime_s, 300);
	/* The default interval is 600 s: a 300 s lifetime would lapse. */
	cr_assert_lt(RA(true, "dev", "eth0", "on", "lifetime", "300"), 0);
	cr_assert(strstr(err, "lifetime 300 is below the interval 600"), "%s", err);
}
