/* xrt: unit tests of `xrt rule`'s grammar and of the rule list (rib/fib_rules.c): default rules, auto priority, first match, fall-through, actions, table slots. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "cli/cmd.h"
#include "rib/fib_rules.h"
#include "xrt/inet.h"

static char err[XRT_ERR_LEN];

static int words(const char *s, char **argv)
{
	static char buf[1024];
	int n = 0;
	strncpy(buf, s, sizeof(buf) - 1);
	for (char *t = strtok(buf, " "); t; t = strtok(NULL, " "))
		argv[n++] = t;
	return n;
}

static int rule(const char *s, int family, bool modify, struct cmd_rule *c)
{
	char *argv[32];
	int argc = words(s, argv);
	err[0] = '\0';
	return parse_rule(argc, argv, family, modify, c, err);
}

Test(rule_parse, selectors_and_actions)
{
	struct cmd_rule c;
	cr_assert_eq(rule("from 2001:db8:1::/64 to 2001:db8:d::/48 iif eth0 ipproto tcp sport 1000-2000 "
			  "dport 443 priority 7 table 100000",
			  AF_UNSPEC, true, &c),
		     0, "%s", err);
	cr_assert_eq(c.family, AF_INET6);
	cr_assert_eq(c.r.src_len, 64);
	cr_assert_eq(c.r.dst_len, 48);
	cr_assert_str_eq(c.r.iif, "eth0");
	cr_assert_eq(c.r.r.proto, IPPROTO_TCP);
	cr_assert_eq(c.r.r.sport_lo, 1000);
	cr_assert_eq(c.r.r.sport_hi, 2000);
	cr_assert_eq(c.r.r.dport_lo, 443);
	cr_assert_eq(c.r.prio, 7);
	cr_assert_eq(c.r.table, 100000);
	cr_assert_eq(c.r.r.action, XRT_FR_ACT_TO_TBL);
	cr_assert_eq(rule("from 10.0.0.0/8 unreachable", AF_UNSPEC, true, &c), 0, "%s", err);
	cr_assert_eq(c.family, AF_INET);
	cr_assert_eq(c.r.r.family, XRT_AF_INET);
	cr_assert_eq(c.r.r.action, XRT_FR_ACT_UNREACHABLE);
	cr_assert_eq(rule("type prohibit", AF_INET6, true, &c), 0, "%s", err);
	cr_assert_eq(c.r.r.action, XRT_FR_ACT_PROHIBIT);
	/* No family, no address: inet (iproute2); no action: lookup main. */
	cr_assert_eq(rule("priority 9", AF_UNSPEC, true, &c), 0, "%s", err);
	cr_assert_eq(c.family, AF_INET);
	cr_assert_eq(c.r.table, XRT_TABLE_MAIN);
	cr_assert_eq(rule("lookup main", AF_UNSPEC, true, &c), 0, "%s", err);
	cr_assert_eq(c.r.table, XRT_TABLE_MAIN);
}

Test(rule_parse, errors_name_the_word)
{
	struct cmd_rule c;
	cr_assert_eq(rule("from 2001:db8::/64 frob", AF_UNSPEC, true, &c), -EINVAL);
	cr_assert_str_eq(err, "argument \"frob\" is wrong: Failed to parse rule type");
	cr_assert_eq(rule("table nosuch", AF_UNSPEC, true, &c), -EINVAL);
	cr_assert_str_eq(err, "argument \"nosuch\" is wrong: invalid table ID");
	cr_assert_eq(rule("priority x", AF_UNSPEC, true, &c), -EINVAL);
	cr_assert_str_eq(err, "argument \"x\" is wrong: preference value is invalid");
	cr_assert_eq(rule("from 300.1.1.1 table 1", AF_UNSPEC, true, &c), -EINVAL);
	cr_assert_str_eq(err, "inet prefix is expected rather than \"300.1.1.1\"");
	cr_assert_eq(rule("dport 9-3 table 1", AF_UNSPEC, true, &c), -EINVAL);
	cr_assert(strstr(err, "9-3"), "%s", err);
	cr_assert_eq(rule("table 1 blackhole", AF_UNSPEC, true, &c), -EINVAL);
	cr_assert_str_eq(err, "\"blackhole\": the rule has an action already");
	cr_assert_eq(rule("from", AF_UNSPEC, true, &c), -EINVAL);
	/* -4 then an IPv6 address: iproute2's family error. */
	cr_assert_eq(rule("from 2001:db8::/64 table 1", AF_INET, true, &c), -EINVAL);
}

/* A RIB whose fast-path ops accept everything. */
static int ok_set(void *c, uint32_t t, const uint8_t a[16], unsigned p, const struct xrt_fib6_val *v,
		  char *e)
{
	(void)c, (void)t, (void)a, (void)p, (void)v, (void)e;
	return 0;
}
static int ok_del(void *c, uint32_t t, const uint8_t a[16], unsigned p, char *e)
{
	(void)c, (void)t, (void)a, (void)p, (void)e;
	return 0;
}
static int ok_nh(void *c, uint32_t id, const struct xrt_nh *v, char *e)
{
	(void)c, (void)id, (void)v, (void)e;
	return 0;
}
static int ok_id(void *c, uint32_t id, char *e)
{
	(void)c, (void)id, (void)e;
	return 0;
}
static uint32_t mtu(void *c, int i)
{
	(void)c, (void)i;
	return 1500;
}

static struct rib *rib;
static struct fib_rules fr;

static void setup(void)
{
	struct rib_ops ops = { .route_set = ok_set, .route_del = ok_del, .nh_set = ok_nh,
			       .nh_del = ok_id, .grp_del = ok_id, .link_mtu = mtu };
	rib = rib_new(&ops);
	memset(&fr, 0, sizeof(fr));
	fib_rules_init(&fr, rib);
}
static void teardown(void)
{
	rib_free(rib);
}

static void add_route(uint32_t table, const char *pfx, unsigned plen, int dev)
{
	struct rib_route_spec s = { .table = table, .plen = plen, .type = XRT_RTN_UNICAST,
				    .npaths = 1, .path[0].ifindex = dev, .metric = 1024 };
	inet_pton(AF_INET6, pfx, &s.prefix);
	cr_assert_eq(rib_route_add(rib, &s, false, err), 0, "%s", err);
}

static void add_rule(const char *s, bool has_prio)
{
	struct cmd_rule c;
	cr_assert_eq(rule(s, AF_UNSPEC, true, &c), 0, "%s", err);
	cr_assert_eq(fib_nl_newrule(&fr, rib, &c.r, has_prio, err), 0, "%s", err);
}

static const struct rib_route *lookup(const char *src, const char *dst, int *type)
{
	struct xrt_acl_key k = { .ifindex = 1 };
	inet_pton(AF_INET6, src, k.saddr);
	inet_pton(AF_INET6, dst, k.daddr);
	return fib_rules_lookup(&fr, rib, &k, XRT_TABLE_MAIN, type, NULL);
}

TestSuite(fib_rules, .init = setup, .fini = teardown);

Test(fib_rules, defaults_and_auto_priority)
{
	cr_assert_eq(fr.n, 6);
	struct xrt_fib_rule v[XRT_FIB_RULES_MAX];
	cr_assert_eq(fib_rules_compile(&fr, rib, v), 0, "defaults alone: no walk");
	add_rule("from 2001:db8:1::/64 table 100", false);
	add_rule("from 2001:db8:2::/64 table 200", false);
	const struct fib_rule *r6[8];
	unsigned n = 0;
	for (unsigned i = 0; i < fr.n; i++)
		if (fr.v[i].r.family == XRT_AF_INET6)
			r6[n++] = &fr.v[i];
	cr_assert_eq(n, 5);
	cr_assert_eq(r6[0]->prio, 0);
	cr_assert_eq(r6[1]->prio, 32764);
	cr_assert_eq(r6[1]->table, 200);
	cr_assert_eq(r6[2]->prio, 32765);
	cr_assert_eq(fib_rules_compile(&fr, rib, v), fr.n);
}

Test(fib_rules, first_match_and_fall_through)
{
	int type;
	add_route(100, "2001:db8:d::", 64, 2);
	add_route(100000, "2001:db8:d::", 64, 3);
	add_route(XRT_TABLE_MAIN, "2001:db8:e::", 64, 4);
	add_rule("from 2001:db8:1::/64 table 100 priority 10", true);
	add_rule("from 2001:db8:1::/64 table 100000 priority 20", true);
	add_rule("from 2001:db8:2::/64 table 100000 priority 30", true);
	const struct rib_route *rt = lookup("2001:db8:1::5", "2001:db8:d::1", &type);
	cr_assert_not_null(rt);
	cr_assert_eq(rt->nh->ifindex, 2, "first match by priority");
	rt = lookup("2001:db8:2::5", "2001:db8:d::1", &type);
	cr_assert_eq(rt->nh->ifindex, 3);
	/* Table 100 has no route to e::: the walk goes on to main. */
	rt = lookup("2001:db8:1::5", "2001:db8:e::1", &type);
	cr_assert_not_null(rt);
	cr_assert_eq(rt->nh->ifindex, 4, "fall-through to main");
	cr_assert_null(lookup("2001:db8:9::1", "2001:db8:d::1", &type), "main has no d::");
	cr_assert_eq(type, 0);
	cr_assert_eq(rib_table_slot(rib, 100000) >= 0, 1, "table 100000 has a slot");
}

Test(fib_rules, actions_and_selectors)
{
	int type;
	add_route(XRT_TABLE_MAIN, "2001:db8:d::", 64, 4);
	add_rule("to 2001:db8:d::/64 ipproto udp dport 53 prohibit priority 1", true);
	add_rule("from 2001:db8:6::/64 unreachable priority 2", true);
	add_rule("from 2001:db8:7::/64 blackhole priority 3", true);
	cr_assert_null(lookup("2001:db8:6::1", "2001:db8:d::1", &type));
	cr_assert_eq(type, XRT_FR_ACT_UNREACHABLE);
	cr_assert_null(lookup("2001:db8:7::1", "2001:db8:d::1", &type));
	cr_assert_eq(type, XRT_FR_ACT_BLACKHOLE);
	struct xrt_acl_key k = { .proto = IPPROTO_UDP, .dport = 53, .l4 = 1 };
	inet_pton(AF_INET6, "2001:db8:d::1", k.daddr);
	cr_assert_null(fib_rules_lookup(&fr, rib, &k, XRT_TABLE_MAIN, &type, NULL));
	cr_assert_eq(type, XRT_FR_ACT_PROHIBIT);
	k.dport = 54;
	cr_assert_not_null(fib_rules_lookup(&fr, rib, &k, XRT_TABLE_MAIN, &type, NULL));
	/* IPv4 rules never see IPv6 packets. */
	add_rule("unreachable priority 0", true);
	cr_assert_not_null(lookup("2001:db8:9::1", "2001:db8:d::1", &type));
}

Test(fib_rules, del_flush_bound)
{
	struct cmd_rule c;
	add_rule("from 2001:db8:1::/64 table 100 priority 10", true);
	cr_assert_eq(rule("from 2001:db8:1::/64 table 100 priority 10", AF_UNSPEC, true, &c), 0);
	cr_assert_eq(fib_nl_newrule(&fr, rib, &c.r, true, err), -EEXIST);
	cr_assert_str_eq(err, "File exists");
	cr_assert_eq(rule("priority 11", AF_INET6, false, &c), 0);
	cr_assert_eq(fib_nl_delrule(&fr, rib, &c.r, FIB_RULE_M_PRIO, err), -ENOENT);
	cr_assert_str_eq(err, "No such file or directory");
	cr_assert_eq(rule("priority 10", AF_INET6, false, &c), 0);
	cr_assert_eq(fib_nl_delrule(&fr, rib, &c.r, FIB_RULE_M_PRIO, err), 0, "%s", err);
	cr_assert_lt(rib_table_slot(rib, 100), 0, "the table's slot is free again");
	fib_rules_flush(&fr, rib, AF_INET6);
	cr_assert_eq(fr.n, 4, "IPv4's three and IPv6's priority 0");
	unsigned added = 0;
	for (unsigned i = 0; i < 2 * XRT_FIB_RULES_MAX; i++) {
		char s[64];
		snprintf(s, sizeof(s), "from 2001:db8:%x::/48 table %u", i + 1, 1000 + i % 8);
		cr_assert_eq(rule(s, AF_UNSPEC, true, &c), 0);
		if (fib_nl_newrule(&fr, rib, &c.r, false, err) == 0)
			added++;
	}
	cr_assert_eq(fr.n, XRT_FIB_RULES_MAX);
	cr_assert_eq(added, XRT_FIB_RULES_MAX - 4);
	cr_assert_eq(fr.refused, 2 * XRT_FIB_RULES_MAX - added);
	char full[64];
	snprintf(full, sizeof(full), "rule: full (%u rules)", XRT_FIB_RULES_MAX);
	cr_assert(strstr(err, full), "%s", err);
}

Test(fib_rules, table_slots_bound)
{
	/* Every table takes a slot; main and local have their own. */
	unsigned ok = 0;
	int rc = 0;
	for (uint32_t t = 1000; t < 1000 + XRT_MAX_TABLES && rc >= 0; t++) {
		rc = rib_table_hold(rib, t, err);
		ok += rc >= 0;
	}
	/* 256 slots less main, local and default's (held by its rules). */
	cr_assert_eq(ok, XRT_MAX_TABLES - 3);
	cr_assert_eq(rc, -ENOSPC);
	cr_assert(strstr(err, "every fast-path table slot is in use"), "%s", err);
	cr_assert_eq(rib_table_slots_refused(rib), 1);
	struct rib_route_spec s = { .table = 77, .plen = 64, .type = XRT_RTN_BLACKHOLE };
	cr_assert_eq(rib_route_add(rib, &s, false, err), -ENOSPC);
	cr_assert_eq(rib_table_slot(rib, XRT_TABLE_MAIN), XRT_TABLE_MAIN);
}

/* The stack looks up its own IPv4 datagrams with an unspecified source
 * (::, not mapped): IPv4's default rules still match it. */
Test(fib_rules, ipv4_from_all_matches_an_unspecified_source)
{
	int type;
	struct rib_route_spec s = { .table = XRT_TABLE_MAIN, .plen = 96 + 24,
				    .type = XRT_RTN_UNICAST, .npaths = 1, .path[0].ifindex = 2 };
	xrt_addr_from_v4(&s.prefix, htonl(0x0a090900));
	cr_assert_eq(rib_route_add(rib, &s, false, err), 0, "%s", err);
	struct xrt_acl_key k = { 0 };
	xrt_addr_from_v4((struct in6_addr *)k.daddr, htonl(0x0a090909));
	cr_assert_not_null(fib_rules_lookup(&fr, rib, &k, XRT_TABLE_MAIN, &type, NULL));
	/* An IPv4 rule takes IPv4 packets; an IPv6 destination never meets it. */
	add_rule("unreachable priority 1", true);
	cr_assert_null(fib_rules_lookup(&fr, rib, &k, XRT_TABLE_MAIN, &type, NULL));
	cr_assert_eq(type, XRT_FR_ACT_UNREACHABLE, "the IPv4 unreachable rule");
	add_route(XRT_TABLE_MAIN, "2001:db8:d::", 64, 4);
	cr_assert_not_null(lookup("::", "2001:db8:d::1", &type), "IPv6 does not meet it");
}
