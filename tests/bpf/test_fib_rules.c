/* xrt BPF tests: policy rules (bpf/fib_rules.h): the same cases through the fast path (BPF_PROG_TEST_RUN) and xrtd's walk (rib/fib_rules.c) agree, both families: rule order, fall-through, each selector, each action, 32-bit table ids. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>

#include "harness.h"
#include "cli/cmd.h"
#include "dataplane/fib_rules.h"
#include "rib/fib_rules.h"
#include "xrt/inet.h"
#include "xrt/proto.h"
#include "xrt/punt.h"

static char err[XRT_ERR_LEN];
static struct rib *rib;
static struct fib_rules fr;

/* The RIB programs the fixture's maps, as xrtd's router does. */
static int o_route_set(void *c, uint32_t t, const uint8_t a[16], unsigned p,
		       const struct xrt_fib6_val *v, char *e)
{
	(void)c;
	return xrt_maps_route_set(&M, t, a, p, v, e);
}
static int o_route_del(void *c, uint32_t t, const uint8_t a[16], unsigned p, char *e)
{
	(void)c;
	return xrt_maps_route_del(&M, t, a, p, e);
}
static int o_nh_set(void *c, uint32_t id, const struct xrt_nh *v, char *e)
{
	(void)c;
	return xrt_maps_nh_set(&M, id, v, e);
}
static int o_nh_del(void *c, uint32_t id, char *e)
{
	(void)c;
	return xrt_maps_nh_del(&M, id, e);
}
static uint32_t o_mtu(void *c, int i)
{
	(void)c, (void)i;
	return 1500;
}

/* IPv6, or IPv4 as its mapped address (include/xrt/inet.h). */
static void addr(const char *s, uint8_t a[16])
{
	if (strchr(s, ':')) {
		xt_addr(s, a);
		return;
	}
	uint32_t v;
	cr_assert_eq(inet_pton(AF_INET, s, &v), 1, "bad address %s", s);
	xrt_addr_from_v4((struct in6_addr *)a, v);
}

static void route(uint32_t table, const char *pfx, unsigned plen, int dev, const char *gw)
{
	struct rib_route_spec s = { .table = table, .type = XRT_RTN_UNICAST, .npaths = 1 };
	s.path[0].ifindex = dev;
	s.path[0].has_gw = true;
	addr(pfx, s.prefix.s6_addr);
	addr(gw, s.path[0].gw.s6_addr);
	s.plen = xrt_addr_is_v4(&s.prefix) ? plen + XRT_V4_PLEN_OFFSET : plen;
	cr_assert_eq(rib_route_add(rib, &s, false, err), 0, "%s", err);
}

static void rule(const char *s)
{
	struct cmd_rule c;
	char buf[256], *argv[32];
	int argc = 0;
	strcpy(buf, s);
	for (char *t = strtok(buf, " "); t; t = strtok(NULL, " "))
		argv[argc++] = t;
	cr_assert_eq(parse_rule(argc, argv, AF_UNSPEC, true, &c, err), 0, "%s: %s", s, err);
	if (!strcmp(c.r.iif, "xfb"))
		c.r.r.iif = (uint32_t)if_b;
	if (!strcmp(c.r.oif, "xfb"))
		c.r.r.oif = (uint32_t)if_b;
	cr_assert_eq(fib_nl_newrule(&fr, rib, &c.r, c.has_prio, err), 0, "%s: %s", s, err);
}

static void publish(void)
{
	struct xrt_fib_rule v[XRT_FIB_RULES_MAX];
	unsigned n = fib_rules_compile(&fr, rib, v);
	cr_assert_eq(xrt_maps_fib_rules_set(&M, v, n, err), 0, "%s", err);
}

static void setup(void)
{
	struct rib_ops ops = { .route_set = o_route_set, .route_del = o_route_del,
			       .nh_set = o_nh_set, .nh_del = o_nh_del, .link_mtu = o_mtu };
	xt_setup();
	xt_topology();
	rib = rib_new(&ops);
	cr_assert_not_null(rib);
	memset(&fr, 0, sizeof(fr));
	fib_rules_init(&fr, rib);
	/* fe80::1 (MAC ..:01) is on xfb, fe80::2 (..:02) on xfa. */
	xt_neigh(if_b, "::ffff:10.2.0.2", 0x42, XRT_NUD_PERMANENT);
	xt_neigh(if_a, "::ffff:10.1.0.2", 0x41, XRT_NUD_PERMANENT);
	route(100, "2001:db8:d::", 64, if_b, "fe80::1");
	route(100000, "2001:db8:d::", 64, if_a, "fe80::2");
	route(100000, "2001:db8:c::", 64, if_a, "fe80::2");
	route(100, "10.9.9.0", 24, if_b, "10.2.0.2");
	route(100000, "10.9.9.0", 24, if_a, "10.1.0.2");
	rule("from 2001:db8:1::/64 table 100 priority 10");
	rule("from 2001:db8:2::/64 table 100000 priority 20");
	rule("from 2001:db8:1::/64 table 100000 priority 30"); /* fall-through target */
	rule("to 2001:db8:f::/64 unreachable priority 5");
	rule("from 2001:db8:3::/64 ipproto udp dport 53 prohibit priority 6");
	rule("from 2001:db8:3::/64 ipproto udp sport 1000-2000 table 100000 priority 7");
	rule("from 2001:db8:7::/64 blackhole priority 8");
	rule("from 2001:db8:8::/64 iif xfb table 100 priority 9");
	/* Forwarded traffic has no output interface: never matches. */
	rule("from 2001:db8:9::/64 oif xfb table 100 priority 4");
	rule("from 10.1.0.2 table 100 priority 10");
	rule("from 10.1.0.3 table 100000 priority 20");
	rule("to 10.8.0.0/24 unreachable priority 5");
	rule("from 10.1.0.4 ipproto udp dport 53 prohibit priority 6");
	rule("from 10.1.0.5 blackhole priority 8");
	publish();
}

static void teardown(void)
{
	rib_free(rib);
	xt_teardown();
}

TestSuite(fib_rules_bpf, .init = setup, .fini = teardown);

static void ip4(struct xt_pkt *p, const char *src, const char *dst, uint8_t proto, uint16_t sport,
		uint16_t dport)
{
	uint8_t *ip = xt_l3(p);
	uint32_t sum = 0;
	memset(p, 0, sizeof(*p));
	memcpy(p->b, MAC_A, 6);
	p->b[12] = ETH_P_IP >> 8;
	ip[0] = 0x45;
	ip[3] = 28;
	ip[8] = 64;
	ip[9] = proto;
	inet_pton(AF_INET, src, ip + 12);
	inet_pton(AF_INET, dst, ip + 16);
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ip[10] = (uint8_t)(~sum >> 8);
	ip[11] = (uint8_t)~sum;
	ip[20] = (uint8_t)(sport >> 8), ip[21] = (uint8_t)sport;
	ip[22] = (uint8_t)(dport >> 8), ip[23] = (uint8_t)dport;
	p->len = ETH_LEN + 28;
}

/* One case both ways: what xrtd's walk answers, then what the fast path
 * does with the same packet. */
struct rcase {
	const char *src, *dst;
	uint8_t proto;
	uint16_t sport, dport;
	int iif_b; /* arrives on xfb */
	int want;  /* ifindex of the egress (1: xfa, 2: xfb) or a negative outcome */
};
enum { W_UNREACH = -1, W_PROHIBIT = -2, W_BLACKHOLE = -3, W_NOROUTE = -4 };

static int userspace(const struct rcase *c)
{
	struct xrt_acl_key k = { .ifindex = (uint32_t)(c->iif_b ? if_b : if_a), .proto = c->proto,
				 .sport = c->sport, .dport = c->dport, .l4 = 1 };
	int type;
	addr(c->src, k.saddr);
	addr(c->dst, k.daddr);
	const struct rib_route *rt = fib_rules_lookup(&fr, rib, &k, XRT_TABLE_MAIN, &type, NULL);
	if (rt)
		return rt->nh->ifindex == if_a ? 1 : 2;
	return type == XRT_FR_ACT_UNREACHABLE ? W_UNREACH
	       : type == XRT_FR_ACT_PROHIBIT  ? W_PROHIBIT
	       : type == XRT_FR_ACT_BLACKHOLE ? W_BLACKHOLE
					      : W_NOROUTE;
}

static int fastpath(const struct rcase *c)
{
	struct xt_pkt p;
	struct xt_result r;
	struct xrt_punt_meta meta;
	int in = c->iif_b ? if_b : if_a;
	if (strchr(c->src, ':')) {
		xt_ip6(&p, c->src, c->dst, 64, c->proto, 16);
		xt_udp_ports(&p, c->sport, c->dport);
	} else {
		ip4(&p, c->src, c->dst, c->proto, c->sport, c->dport);
	}
	if (c->iif_b)
		memcpy(p.b, MAC_B, 6);
	xt_run(&p, in, &r);
	if (r.ret == XDP_DROP)
		return W_BLACKHOLE;
	if (r.ret == XDP_TX) /* back out of the ingress */
		return c->iif_b ? 2 : 1;
	if (r.ret == XDP_REDIRECT)
		return !memcmp(r.frame + 6, MAC_A, 6) ? 1 : !memcmp(r.frame + 6, MAC_B, 6) ? 2 : 0;
	/* A punt (no XSK bound in the fixture: XDP_PASS behind metadata). */
	cr_assert_eq(r.ret, XDP_PASS, "%s -> %s: verdict %d", c->src, c->dst, r.ret);
	cr_assert_eq(r.meta_len, sizeof(meta), "%s -> %s: no punt metadata", c->src, c->dst);
	memcpy(&meta, r.out, sizeof(meta));
	switch (meta.reason) {
	case XRT_PUNT_UNREACHABLE:
		return W_UNREACH;
	case XRT_PUNT_PROHIBIT:
		return W_PROHIBIT;
	case XRT_PUNT_NO_ROUTE:
		return W_NOROUTE;
	case XRT_PUNT_REDIRECT: /* forwarded out of the ingress, with a Redirect */
	case XRT_PUNT_NEIGH_MISS:
		return meta.oif == (uint32_t)if_a ? 1 : meta.oif == (uint32_t)if_b ? 2 : 0;
	}
	return 100 + meta.reason;
}

static const struct rcase CASES[] = {
	{ "2001:db8:1::5", "2001:db8:d::1", NEXTHDR_UDP, 9, 9, 0, 2 },  /* order: 10 before 30 */
	{ "2001:db8:2::5", "2001:db8:d::1", NEXTHDR_UDP, 9, 9, 0, 1 },  /* table 100000 */
	{ "2001:db8:1::5", "2001:db8:c::1", NEXTHDR_UDP, 9, 9, 0, 1 },  /* 100 misses: on to 30 */
	{ "2001:db8:9::5", "2001:db8:d::1", NEXTHDR_UDP, 9, 9, 0, W_NOROUTE }, /* oif; main */
	{ "2001:db8:1::5", "2001:db8:f::1", NEXTHDR_UDP, 9, 9, 0, W_UNREACH },
	{ "2001:db8:3::5", "2001:db8:d::1", NEXTHDR_UDP, 9, 53, 0, W_PROHIBIT }, /* dport */
	{ "2001:db8:3::5", "2001:db8:d::1", NEXTHDR_UDP, 1500, 54, 0, 1 },       /* sport range */
	{ "2001:db8:3::5", "2001:db8:d::1", NEXTHDR_UDP, 2001, 54, 0, W_NOROUTE },
	{ "2001:db8:3::5", "2001:db8:d::1", NEXTHDR_TCP, 9, 53, 0, W_NOROUTE },  /* ipproto */
	{ "2001:db8:7::5", "2001:db8:d::1", NEXTHDR_UDP, 9, 9, 0, W_BLACKHOLE },
	{ "2001:db8:8::5", "2001:db8:d::1", NEXTHDR_UDP, 9, 9, 1, 2 },  /* iif xfb */
	{ "2001:db8:8::5", "2001:db8:d::1", NEXTHDR_UDP, 9, 9, 0, W_NOROUTE },
	{ "10.1.0.2", "10.9.9.9", 17, 9, 9, 0, 2 },
	{ "10.1.0.3", "10.9.9.9", 17, 9, 9, 0, 1 },
	{ "10.1.0.9", "10.9.9.9", 17, 9, 9, 0, W_NOROUTE },
	{ "10.1.0.2", "10.8.0.1", 17, 9, 9, 0, W_UNREACH },
	{ "10.1.0.4", "10.9.9.9", 17, 9, 53, 0, W_PROHIBIT },
	{ "10.1.0.4", "10.9.9.9", 6, 9, 53, 0, W_NOROUTE },
	{ "10.1.0.5", "10.9.9.9", 17, 9, 9, 0, W_BLACKHOLE },
};

Test(fib_rules_bpf, fast_path_and_xrtd_agree)
{
	for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
		const struct rcase *c = &CASES[i];
		int u = userspace(c), f = fastpath(c);
		cr_expect_eq(u, c->want, "case %zu %s -> %s: xrtd %d, want %d", i, c->src, c->dst, u,
			     c->want);
		cr_expect_eq(f, c->want, "case %zu %s -> %s: fast path %d, want %d", i, c->src,
			     c->dst, f, c->want);
	}
}

Test(fib_rules_bpf, defaults_alone_skip_the_walk)
{
	struct fib_rules saved = fr;
	fib_rules_flush(&fr, rib, 0);
	fib_rules_init(&fr, rib);
	publish();
	/* Main's route of the fixture (2001:db8:1::/48 via xfb) answers. */
	const struct rcase c = { "2001:db8:1::5", "2001:db8:1::9", NEXTHDR_UDP, 9, 9, 0, 2 };
	cr_assert_eq(fastpath(&c), 2);
	const struct rcase d = { "2001:db8:1::5", "2001:db8:d::1", NEXTHDR_UDP, 9, 9, 0, 0 };
	cr_assert_eq(fastpath(&d), W_NOROUTE, "no rule: table 100 is not looked up");
	fr = saved;
}

Test(fib_rules_bpf, unsupported_selector_goes_to_the_kernel)
{
	struct cmd_rule c;
	char *argv[] = { "from", "2001:db8:5::/64", "table", "100", "priority", "1" };
	cr_assert_eq(parse_rule(6, argv, AF_UNSPEC, true, &c, err), 0, "%s", err);
	c.r.r.flags |= XRT_FR_F_KERNEL; /* as the mirror marks an fwmark rule */
	cr_assert_eq(fib_nl_newrule(&fr, rib, &c.r, true, err), 0, "%s", err);
	publish();
	struct xt_pkt p;
	struct xt_result r;
	struct xrt_stats st;
	xt_ip6(&p, "2001:db8:5::1", "2001:db8:d::1", 64, NEXTHDR_UDP, 16);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_PASS);
	cr_assert_eq(xrt_maps_stats_read(&M, 1, &st, err), 0, "%s", err);
	cr_assert_eq(st.pass[XRT_PASS_RULE_UNSUPPORTED], 1);
}

/* ------------------------------------------- hundreds of rules, classified */

static uint32_t rnd_state = 4242;
static uint32_t rnd(uint32_t n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % n;
}

/* Rules over sources 2001:db8:<1-4>::<1-2> and IPv4 10.1.0.<2-5>,
 * destinations of the fixture's tables, ports, ingress; tables that have
 * the destination or not (fall-through), and the three actions. */
static void random_rule(unsigned prio)
{
	static const char *const act[] = { "table 100", "table 100000", "table 100",
					   "table 100000", "table 100", "unreachable",
					   "prohibit", "blackhole" };
	char s[200];
	int n;
	bool v4 = rnd(3) == 0;

	if (v4 && rnd(2))
		n = snprintf(s, sizeof(s), "from 10.1.0.%u", 2 + rnd(4));
	else if (v4)
		n = snprintf(s, sizeof(s), "from 10.1.0.%u/30", rnd(2) * 4);
	else if (rnd(2))
		n = snprintf(s, sizeof(s), "from 2001:db8:%u::%u", 1 + rnd(4), 1 + rnd(2));
	else
		n = snprintf(s, sizeof(s), "from 2001:db8:%u::/48", 1 + rnd(4));
	if (rnd(4) == 0)
		n += snprintf(s + n, sizeof(s) - (size_t)n, v4 ? " to 10.9.9.0/24" : " to 2001:db8:d::/64");
	if (rnd(3) == 0)
		n += snprintf(s + n, sizeof(s) - (size_t)n, " ipproto %s", rnd(2) ? "udp" : "tcp");
	if (rnd(3) == 0) {
		unsigned lo = rnd(40);
		n += snprintf(s + n, sizeof(s) - (size_t)n, " sport %u-%u", lo, lo + rnd(10));
	}
	if (rnd(3) == 0) {
		unsigned lo = rnd(40);
		n += snprintf(s + n, sizeof(s) - (size_t)n, " dport %u-%u", lo, lo + rnd(10));
	}
	if (rnd(5) == 0)
		n += snprintf(s + n, sizeof(s) - (size_t)n, " iif xfb");
	snprintf(s + n, sizeof(s) - (size_t)n, " %s priority %u", act[rnd(8)], prio);
	rule(s);
}

/* xrtd's walk and the fast path on random packets; the walk's matching
 * rules tried before it decides, as the fast path counts them. */
static void rules_agree(unsigned nrules, unsigned packets)
{
	unsigned seen[5] = { 0 };

	for (unsigned i = 0; i < nrules; i++)
		random_rule(1000 + rnd(20000));
	publish();
	for (unsigned i = 0; i < packets; i++) {
		char src[64], dst[64];
		bool v4 = rnd(2);
		struct rcase c = { .src = src, .dst = dst, .proto = rnd(2) ? NEXTHDR_UDP : NEXTHDR_TCP,
				   .sport = (uint16_t)rnd(50), .dport = (uint16_t)rnd(50),
				   .iif_b = (int)rnd(2) };
		if (v4) {
			snprintf(src, sizeof(src), "10.1.0.%u", 2 + rnd(4));
			snprintf(dst, sizeof(dst), "10.9.9.%u", 1 + rnd(3));
		} else {
			snprintf(src, sizeof(src), "2001:db8:%u::%u", 1 + rnd(4), 1 + rnd(2));
			snprintf(dst, sizeof(dst), "2001:db8:%s::1", rnd(2) ? "d" : "c");
		}
		int u = userspace(&c), f = fastpath(&c);
		cr_assert_eq(f, u, "packet %u %s -> %s proto %u %u->%u iif %s: fast path %d, xrtd %d",
			     i, src, dst, c.proto, c.sport, c.dport, c.iif_b ? "xfb" : "xfa", f, u);
		seen[u < 0 ? -u : 0]++;
	}
	/* The comparison covered routes and actions, not one outcome. */
	cr_assert(seen[0] && seen[1] && seen[2] && seen[3], "%u %u %u %u %u", seen[0], seen[1],
		  seen[2], seen[3], seen[4]);
}

Test(fib_rules_bpf, hundreds_of_rules_agree)
{
	rules_agree(300, 1500);
}

Test(fib_rules_bpf, a_full_list_agrees)
{
	rules_agree(XRT_FIB_RULES_MAX - fr.n, 800);
}

/* Priorities opposite to prefix lengths: the /32's rule first. */
Test(fib_rules_bpf, priority_over_prefix_length)
{
	const struct rcase c = { "2001:db8:1::5", "2001:db8:d::1", NEXTHDR_UDP, 9, 9, 0, 1 };

	rule("from 2001:db8::/32 table 100000 priority 2");
	publish();
	cr_assert_eq(fastpath(&c), 1, "priority 2 (/32) before 10 (/64)");
	cr_assert_eq(userspace(&c), 1);
}

/* More matching rules without a route than the fast path tries: the
 * packet goes to the kernel, counted; xrtd's walk goes on to the end. */
Test(fib_rules_bpf, too_many_fall_throughs_go_to_the_kernel)
{
	struct xt_pkt p;
	struct xt_result r;
	struct xrt_stats st;
	char s[96];

	/* With local, main and default: XRT_FR_EVAL_MAX + 1 rules match. */
	for (unsigned i = 0; i < XRT_FR_EVAL_MAX - 2; i++) {
		snprintf(s, sizeof(s), "from 2001:db8:6::/64 table %u priority %u", 100 + i % 2, 100 + i);
		rule(s);
	}
	publish();
	xt_ip6(&p, "2001:db8:6::1", "2001:db8:99::1", 64, NEXTHDR_UDP, 16);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_PASS);
	cr_assert_eq(r.meta_len, 0, "passed, not punted");
	cr_assert_eq(xrt_maps_stats_read(&M, 1, &st, err), 0, "%s", err);
	cr_assert_eq(st.pass[XRT_PASS_RULE_LIMIT], 1);
	const struct rcase c = { "2001:db8:6::1", "2001:db8:99::1", NEXTHDR_UDP, 9, 9, 0, 0 };
	cr_assert_eq(userspace(&c), W_NOROUTE, "xrtd walks every rule");
	/* One rule fewer: the fast path decides (no route: punted). */
	struct cmd_rule d;
	char *argv[] = { "priority", "100" };
	cr_assert_eq(parse_rule(2, argv, AF_INET6, false, &d, err), 0, "%s", err);
	cr_assert_eq(fib_nl_delrule(&fr, rib, &d.r, FIB_RULE_M_PRIO, err), 0, "%s", err);
	publish();
	cr_assert_eq(fastpath(&c), W_NOROUTE);
	cr_assert_eq(xrt_maps_stats_read(&M, 1, &st, err), 0, "%s", err);
	cr_assert_eq(st.pass[XRT_PASS_RULE_LIMIT], 1);
}

/* rpf through the rules (fib_validate_source's fib_lookup): the reverse
 * flow (to the packet's source, from the loopback device) follows a rule
 * into another table; a rule on the forward flow's source does not. */
Test(fib_rules_bpf, rpf_looks_the_source_up_through_the_rules)
{
	const struct rcase c = { "2001:db8:5::1", "2001:db8:d::1", NEXTHDR_UDP, 9, 9, 0, 2 };

	route(100000, "2001:db8:5::", 64, if_a, "fe80::2");
	route(100, "2001:db8:5::", 64, if_b, "fe80::1");
	xt_set_rpf(if_a, XRT_IF_F_RPF_STRICT);
	rule("from 2001:db8:5::/64 table 100 priority 3"); /* forward: d::1 via xfb */
	publish();
	/* Main has no route back to 2001:db8:5::1: dropped. */
	cr_assert_eq(fastpath(&c), W_BLACKHOLE);
	cr_assert_eq(xt_drops(1, XRT_DROP_RPF_STRICT), 1);
	/* The way back by table 100 leaves by xfb, not the ingress. */
	rule("to 2001:db8:5::/64 table 100 priority 2");
	publish();
	cr_assert_eq(fastpath(&c), W_BLACKHOLE);
	cr_assert_eq(xt_drops(1, XRT_DROP_RPF_STRICT), 2);
	/* By table 100000 it leaves by xfa: valid, forwarded by table 100. */
	rule("to 2001:db8:5::/64 table 100000 priority 1");
	publish();
	cr_assert_eq(fastpath(&c), 2);
	cr_assert_eq(xt_drops(1, XRT_DROP_RPF_STRICT), 2);
	/* An iif rule does not see the reverse flow (it comes from lo). */
	rule("to 2001:db8:5::/64 iif xfb unreachable priority 0");
	publish();
	cr_assert_eq(fastpath(&c), 2);
}

/* The same over IPv4 (fib_validate_source proper): forward to 10.7.7.9 by
 * table 100 (xfb); the way back to 10.9.9.5 exists only in table 100000
 * (xfa, the ingress), through a "to" rule on the source's prefix. */
Test(fib_rules_bpf, rpf4_looks_the_source_up_through_the_rules)
{
	const struct rcase c = { "10.9.9.5", "10.7.7.9", 17, 9, 9, 0, 2 };

	route(100, "10.7.7.0", 24, if_b, "10.2.0.2");
	rule("to 10.7.7.0/24 table 100 priority 2");
	publish();
	xt_set_rpf(if_a, XRT_IF_F_RPF_STRICT);
	cr_assert_eq(fastpath(&c), W_BLACKHOLE, "no way back in main");
	cr_assert_eq(xt_drops(1, XRT_DROP_RPF_STRICT), 1);
	rule("to 10.9.9.0/24 table 100000 priority 1");
	publish();
	cr_assert_eq(fastpath(&c), 2, "back by table 100000, through the ingress");
	cr_assert_eq(xt_drops(1, XRT_DROP_RPF_STRICT), 1);
	cr_assert_eq(userspace(&c), 2);
}
