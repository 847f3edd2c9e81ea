/* xrt BPF tests: reverse-path filtering (bpf/fib_validate_source.h) and the ACL (bpf/nf_hook.h): verdicts and counters. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "harness.h"
#include "dataplane/acl.h"
#include "xrt/proto.h"

static void setup(void)
{
	xt_setup();
	xt_topology();
}

TestSuite(rpf, .init = setup, .fini = xt_teardown);
TestSuite(acl, .init = setup, .fini = xt_teardown);

#define DST "2001:db8:1::9" /* via fe80::1 dev xfb */

/* Verdict of one UDP packet from src to dst arriving on ifindex. */
static int run_from(const char *src, const char *dst, int ifindex)
{
	struct xt_pkt p;
	struct xt_result r;

	xt_ip6(&p, src, dst, 64, NEXTHDR_UDP, 16);
	if (ifindex == if_b)
		memcpy(p.b, MAC_B, 6);
	xt_run(&p, ifindex, &r);
	return r.ret;
}

Test(rpf, off_passes_any_source)
{
	cr_assert_eq(run_from("2001:db8:99::1", DST, if_a), XDP_REDIRECT);
	cr_assert_eq(run_from("2001:db8:66::1", DST, if_a), XDP_REDIRECT);
}

Test(rpf, strict_wants_the_ingress)
{
	xt_set_rpf(if_a, XRT_IF_F_RPF_STRICT);
	/* 2001:db8:3::/48 leaves by xfa: the right way back. */
	cr_assert_eq(run_from("2001:db8:3::1", DST, if_a), XDP_REDIRECT);
	cr_assert_eq(xt_drops(1, XRT_DROP_RPF_STRICT), 0);
	/* 2001:db8:1::/48 leaves by xfb: spoofed or asymmetric. */
	cr_assert_eq(run_from("2001:db8:1::1", DST, if_a), XDP_DROP);
	/* no route, and a group whose members all leave by xfb */
	cr_assert_eq(run_from("2001:db8:99::1", DST, if_a), XDP_DROP);
	cr_assert_eq(run_from("2001:db8:e::1", DST, if_a), XDP_DROP);
	/* a local address as source: its route is not unicast */
	cr_assert_eq(run_from("2001:db8:ff::1", DST, if_a), XDP_DROP);
	cr_assert_eq(xt_drops(1, XRT_DROP_RPF_STRICT), 4);
	cr_assert_eq(xt_drops(1, XRT_DROP_RPF_LOOSE), 0);
}

Test(rpf, strict_any_ecmp_member_counts)
{
	char err[XRT_ERR_LEN] = "";
	uint32_t members[2] = { 3, 6 }, weights[2] = { 1, 7 }; /* xfa, xfb */
	struct xrt_fib6_val v = { .type = XRT_RTN_UNICAST, .nh = XRT_NH_GROUP | 2 };
	uint8_t a[16];

	cr_assert_eq(xrt_maps_grp_set(&M, 2, members, weights, 2, err), 0, "%s", err);
	xt_addr("2001:db8:f::", a);
	cr_assert_eq(xrt_maps_route_set(&M, XRT_TABLE_MAIN, a, 48, &v, err), 0, "%s", err);
	xt_set_rpf(if_a, XRT_IF_F_RPF_STRICT);
	xt_set_rpf(if_b, XRT_IF_F_RPF_STRICT);
	cr_assert_eq(run_from("2001:db8:f::1", DST, if_a), XDP_REDIRECT);
	cr_assert_eq(run_from("2001:db8:f::1", "2001:db8:3::9", if_b), XDP_REDIRECT);
	cr_assert_eq(xt_drops(1, XRT_DROP_RPF_STRICT) + xt_drops(2, XRT_DROP_RPF_STRICT), 0);
}

Test(rpf, loose_wants_a_unicast_route)
{
	xt_set_rpf(if_a, XRT_IF_F_RPF_LOOSE);
	cr_assert_eq(run_from("2001:db8:1::1", DST, if_a), XDP_REDIRECT);
	cr_assert_eq(run_from("2001:db8:e::1", DST, if_a), XDP_REDIRECT);
	cr_assert_eq(run_from("2001:db8:99::1", DST, if_a), XDP_DROP); /* none */
	cr_assert_eq(run_from("2001:db8:66::1", DST, if_a), XDP_DROP); /* blackhole */
	cr_assert_eq(run_from("2001:db8:77::1", DST, if_a), XDP_DROP); /* unreachable */
	cr_assert_eq(run_from("2001:db8:88::1", DST, if_a), XDP_DROP); /* prohibit */
	cr_assert_eq(xt_drops(1, XRT_DROP_RPF_LOOSE), 4);
	cr_assert_eq(xt_drops(1, XRT_DROP_RPF_STRICT), 0);
}

Test(rpf, link_local_and_unspecified_exempt)
{
	xt_set_rpf(if_a, XRT_IF_F_RPF_STRICT);
	/* Not dropped by rpf: what happens next is ip6_forward's business
	 * (a link-local source beyond its link is punted for the ICMP error). */
	cr_assert_neq(run_from("fe80::5", DST, if_a), XDP_DROP);
	cr_assert_neq(run_from("fe80::5", "2001:db8:ff::1", if_a), XDP_DROP);
	cr_assert_neq(run_from("::", "2001:db8:ff::1", if_a), XDP_DROP);
	cr_assert_eq(xt_drops(1, XRT_DROP_RPF_STRICT), 0);
}

Test(rpf, both_modes_refused)
{
	struct xrt_iface v = { .slot = 1, .mtu = 1500, .table = XRT_TABLE_MAIN,
			       .flags = XRT_IF_F_RPF };
	char err[XRT_ERR_LEN] = "";

	cr_assert_eq(xrt_maps_iface_set(&M, if_a, &v, err), -EINVAL);
	cr_assert(strstr(err, "rpf"), "%s", err);
}

/* ---------------------------------------------------------------- acl */

/* A rule from its words' meaning: src/dst prefixes (NULL: any). */
static struct xrt_acl_rule rule(unsigned dir, int ifindex, const char *src, unsigned splen,
				const char *dst, unsigned dplen, unsigned action)
{
	struct xrt_acl_rule r = { .dir = (uint8_t)dir, .ifindex = (uint32_t)ifindex,
				  .action = (uint8_t)action };

	if (src)
		xt_addr(src, r.src);
	if (dst)
		xt_addr(dst, r.dst);
	for (unsigned b = 0; b < splen; b++)
		r.smask[b / 8] |= (uint8_t)(0x80u >> (b % 8));
	for (unsigned b = 0; b < dplen; b++)
		r.dmask[b / 8] |= (uint8_t)(0x80u >> (b % 8));
	return r;
}

static void add(const struct xrt_acl_rule *r, uint32_t prio)
{
	char err[XRT_ERR_LEN] = "";

	cr_assert_eq(xrt_acl_add(&M, r, prio, err), 0, "%s", err);
}

static struct xrt_acl_rule any(unsigned dir, unsigned action)
{
	return rule(dir, 0, NULL, 0, NULL, 0, action);
}

/* The verdict of a UDP packet sport -> dport from xfa. */
static int run_udp(const char *src, const char *dst, uint16_t sport, uint16_t dport)
{
	struct xt_pkt p;
	struct xt_result r;

	xt_ip6(&p, src, dst, 64, NEXTHDR_UDP, 16);
	xt_udp_ports(&p, sport, dport);
	xt_run(&p, if_a, &r);
	return r.ret;
}

static int run_icmp(uint8_t type, uint8_t code)
{
	struct xt_pkt p;
	struct xt_result r;

	xt_ip6(&p, "2001:db8:100::1", DST, 64, NEXTHDR_ICMP, 8);
	xt_l3(&p)[40] = type;
	xt_l3(&p)[41] = code;
	xt_run(&p, if_a, &r);
	return r.ret;
}

#define SRC "2001:db8:100::1"

Test(acl, none_passes)
{
	cr_assert_eq(run_udp(SRC, DST, 1, 2), XDP_REDIRECT);
}

Test(acl, prefixes)
{
	struct xrt_acl_rule r = rule(XRT_ACL_IN, 0, "2001:db8:100::", 48, NULL, 0, XRT_ACL_DROP);

	add(&r, 10);
	cr_assert_eq(run_udp(SRC, DST, 1, 2), XDP_DROP);
	cr_assert_eq(run_udp("2001:db8:101::1", DST, 1, 2), XDP_REDIRECT);
	r = rule(XRT_ACL_IN, 0, NULL, 0, "2001:db8:1:8000::", 49, XRT_ACL_DROP);
	add(&r, 10);
	cr_assert_eq(run_udp("2001:db8:101::1", "2001:db8:1:8000::1", 1, 2), XDP_DROP);
	cr_assert_eq(run_udp("2001:db8:101::1", "2001:db8:1:7fff::1", 1, 2), XDP_REDIRECT);
	cr_assert_eq(xt_drops(1, XRT_DROP_ACL_IN), 2);
}

Test(acl, protocol_and_port_ranges)
{
	struct xrt_acl_rule r = any(XRT_ACL_IN, XRT_ACL_DROP);

	r.flags = XRT_ACL_F_PROTO | XRT_ACL_F_SPORT | XRT_ACL_F_DPORT;
	r.proto = NEXTHDR_UDP;
	r.sport_lo = 1000, r.sport_hi = 1999;
	r.dport_lo = 53, r.dport_hi = 53;
	add(&r, 10);
	cr_assert_eq(run_udp(SRC, DST, 1000, 53), XDP_DROP);
	cr_assert_eq(run_udp(SRC, DST, 1999, 53), XDP_DROP);
	cr_assert_eq(run_udp(SRC, DST, 999, 53), XDP_REDIRECT);
	cr_assert_eq(run_udp(SRC, DST, 2000, 53), XDP_REDIRECT);
	cr_assert_eq(run_udp(SRC, DST, 1500, 54), XDP_REDIRECT);
	/* Same ports, other protocol: a TCP rule does not see UDP. */
	struct xrt_acl_rule t = r;
	t.proto = NEXTHDR_TCP;
	t.dport_lo = t.dport_hi = 54;
	add(&t, 10);
	cr_assert_eq(run_udp(SRC, DST, 1500, 54), XDP_REDIRECT);
	cr_assert_eq(xt_drops(1, XRT_DROP_ACL_IN), 2);
}

Test(acl, icmp_type_and_code)
{
	struct xrt_acl_rule r = any(XRT_ACL_IN, XRT_ACL_DROP);

	r.flags = XRT_ACL_F_PROTO | XRT_ACL_F_TYPE | XRT_ACL_F_CODE;
	r.proto = NEXTHDR_ICMP;
	r.icmp_type = ICMP6_DST_UNREACH;
	r.icmp_code = ICMP6_DU_PORT;
	add(&r, 10);
	cr_assert_eq(run_icmp(ICMP6_DST_UNREACH, ICMP6_DU_PORT), XDP_DROP);
	cr_assert_eq(run_icmp(ICMP6_DST_UNREACH, ICMP6_DU_ADMIN), XDP_REDIRECT);
	cr_assert_eq(run_icmp(ICMP6_ECHO_REQUEST, ICMP6_DU_PORT), XDP_REDIRECT);
	r.flags &= ~XRT_ACL_F_CODE;
	r.icmp_type = ICMP6_ECHO_REQUEST;
	add(&r, 10);
	cr_assert_eq(run_icmp(ICMP6_ECHO_REQUEST, 0), XDP_DROP);
	cr_assert_eq(run_icmp(ICMP6_ECHO_REQUEST, 9), XDP_DROP);
}

Test(acl, dev_and_dir)
{
	/* dir in on the other ingress, dir out on the ingress: neither is
	 * this packet's (in on xfa, out on xfb). */
	struct xrt_acl_rule r = rule(XRT_ACL_IN, if_b, NULL, 0, NULL, 0, XRT_ACL_DROP);
	add(&r, 10);
	r = rule(XRT_ACL_OUT, if_a, NULL, 0, NULL, 0, XRT_ACL_DROP);
	add(&r, 10);
	r = rule(XRT_ACL_LOCAL, 0, NULL, 0, NULL, 0, XRT_ACL_DROP); /* xrtd's, not XDP's */
	add(&r, 10);
	cr_assert_eq(run_udp(SRC, DST, 1, 2), XDP_REDIRECT);
	/* From xfb, 2001:db8:3::/48 leaves by xfa: the out rule drops it at
	 * the egress (counted in the ingress slot); the in rule on xfb came
	 * first, but a pass rule at priority 5 on xfb precedes it. */
	r = rule(XRT_ACL_IN, if_b, NULL, 0, NULL, 0, XRT_ACL_PASS);
	add(&r, 5);
	cr_assert_eq(run_from(SRC, "2001:db8:3::1", if_b), XDP_DROP);
	cr_assert_eq(xt_drops(2, XRT_DROP_ACL_OUT), 1);
	cr_assert_eq(xt_drops(2, XRT_DROP_ACL_IN), 0);
	cr_assert_eq(xt_drops(1, XRT_DROP_ACL_IN) + xt_drops(1, XRT_DROP_ACL_OUT), 0);
	/* An out rule does not see what the router keeps (local). */
	cr_assert_neq(run_udp(SRC, "2001:db8:ff::1", 1, 2), XDP_DROP);
}

Test(acl, priority_then_insertion_order)
{
	struct xrt_acl_rule pass = any(XRT_ACL_IN, XRT_ACL_PASS);
	struct xrt_acl_rule drop = any(XRT_ACL_IN, XRT_ACL_DROP);

	add(&drop, 20);
	add(&pass, 10);
	cr_assert_eq(run_udp(SRC, DST, 1, 2), XDP_REDIRECT);
	drop.flags = XRT_ACL_F_PROTO;
	drop.proto = NEXTHDR_UDP;
	add(&drop, 5);
	cr_assert_eq(run_udp(SRC, DST, 1, 2), XDP_DROP);
	/* Equal priority: the one added first. */
	struct xrt_acl_rule p2 = pass;
	p2.flags = XRT_ACL_F_PROTO;
	p2.proto = NEXTHDR_UDP;
	add(&p2, 5);
	cr_assert_eq(run_udp(SRC, DST, 1, 2), XDP_DROP);
}

Test(acl, counters_per_rule)
{
	struct xrt_acl_rule r = rule(XRT_ACL_IN, 0, "2001:db8:100::", 48, NULL, 0, XRT_ACL_PASS);
	struct xrt_acl_entry v[XRT_ACL_MAX];
	char err[XRT_ERR_LEN] = "";
	unsigned n;

	add(&r, 10);
	r = any(XRT_ACL_IN, XRT_ACL_DROP);
	add(&r, 20);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(run_udp(SRC, DST, 1, 2), XDP_REDIRECT);
	cr_assert_eq(run_udp("2001:db8:200::1", DST, 1, 2), XDP_DROP);
	cr_assert_eq(xrt_acl_list(&M, v, XRT_ACL_MAX, &n, err), 0, "%s", err);
	cr_assert_eq(n, 2);
	cr_assert_eq(v[0].pkts, 3);
	cr_assert_eq(v[0].bytes, 3 * (40 + 16));
	cr_assert_eq(v[1].pkts, 1);
	cr_assert_eq(v[1].bytes, 40 + 16);
	/* A deleted rule's counter slot starts from zero for the next one. */
	cr_assert_eq(xrt_acl_del(&M, &r, true, false, 0, err), 0, "%s", err);
	add(&r, 20);
	cr_assert_eq(xrt_acl_list(&M, v, XRT_ACL_MAX, &n, err), 0, "%s", err);
	cr_assert_eq(v[1].pkts, 0);
}

/* Fragment header (RFC 8200 4.5) in front of UDP at offset off (8-byte
 * units): a non-first fragment has no ports, as in nftables. */
static int run_frag(uint16_t off)
{
	struct xt_pkt p;
	struct xt_result r;
	uint8_t *ip6, *fh;

	xt_ip6(&p, SRC, DST, 64, NEXTHDR_FRAGMENT, 8 + 16);
	ip6 = xt_l3(&p);
	fh = ip6 + 40;
	memset(fh, 0, 8);
	fh[0] = NEXTHDR_UDP;
	fh[2] = (uint8_t)((off << 3) >> 8);
	fh[3] = (uint8_t)(off << 3) | 1; /* more fragments */
	fh[8] = 0x9c, fh[9] = 0x40;      /* sport 40000 */
	fh[10] = 0, fh[11] = 53;         /* dport 53 */
	xt_run(&p, if_a, &r);
	return r.ret;
}

Test(acl, fragments_ports_only_in_the_first)
{
	struct xrt_acl_rule r = any(XRT_ACL_IN, XRT_ACL_DROP);

	r.flags = XRT_ACL_F_PROTO | XRT_ACL_F_DPORT;
	r.proto = NEXTHDR_UDP;
	r.dport_lo = r.dport_hi = 53;
	add(&r, 10);
	cr_assert_eq(run_frag(0), XDP_DROP);
	cr_assert_eq(run_frag(100), XDP_REDIRECT);
	/* The protocol is known in every fragment. */
	r.flags = XRT_ACL_F_PROTO;
	add(&r, 10);
	cr_assert_eq(run_frag(100), XDP_DROP);
}

Test(acl, bound_and_flush)
{
	struct xrt_acl_rule r = any(XRT_ACL_OUT, XRT_ACL_PASS);
	char err[XRT_ERR_LEN] = "";

	for (uint32_t i = 0; i < XRT_ACL_MAX; i++)
		add(&r, i);
	cr_assert_eq(xrt_acl_add(&M, &r, 0, err), -ENOSPC);
	cr_assert(strstr(err, "full"), "%s", err);
	cr_assert_eq(xrt_acl_refused(&M), 1);
	/* A full list still forwards (every rule passes). */
	cr_assert_eq(run_udp(SRC, DST, 1, 2), XDP_REDIRECT);
	cr_assert_eq(xrt_acl_flush(&M, XRT_ACL_DIRS, 0, XRT_ACL_ANY_FAMILY, err), 0, "%s", err);
	r.action = XRT_ACL_DROP;
	add(&r, 0);
	cr_assert_eq(run_udp(SRC, DST, 1, 2), XDP_DROP);
}

/* ------------------------------------------------- acl: the classifier */

/* A deterministic generator: the same lists on every run. */
static uint32_t rnd_state = 12345;
static uint32_t rnd(uint32_t n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8) % n;
}

/* Addresses of a small tree: 2001:db8:1:<a>:<b>::<c> (routed by the
 * fixture's 2001:db8:1::/48) as destinations, 2001:db8:1<a>:<b>::<c> as
 * sources, so the rules' prefixes nest and overlap. */
static void tree_addr(uint8_t a[16], bool dst)
{
	memset(a, 0, 16);
	a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d, a[3] = 0xb8;
	a[4] = 0, a[5] = dst ? 1 : (uint8_t)(0x10 + rnd(2));
	a[6] = 0, a[7] = (uint8_t)rnd(2);
	a[8] = 0, a[9] = (uint8_t)rnd(2);
	a[15] = (uint8_t)rnd(2);
}

static void tree_prefix(uint8_t a[16], uint8_t m[16], bool dst)
{
	static const unsigned lens[] = { 0, 40, 48, 56, 64, 72, 80, 128 };
	unsigned len = lens[rnd(8)];

	tree_addr(a, dst);
	if (dst && len && len < 48)
		len = 48;
	memset(m, 0, 16);
	for (unsigned b = 0; b < len; b++)
		m[b / 8] |= (uint8_t)(0x80u >> (b % 8));
	for (unsigned i = 0; i < 16; i++)
		a[i] &= m[i];
}

static void port_range(uint16_t *lo, uint16_t *hi)
{
	*lo = (uint16_t)rnd(40);
	*hi = (uint16_t)(*lo + rnd(20));
}

/* n prerouting rules over every field, random priorities; installed in
 * one publish. */
static void random_acl(unsigned n)
{
	struct xrt_acl_entry *v = calloc(n, sizeof(*v));
	char err[XRT_ERR_LEN] = "";

	cr_assert_not_null(v);
	for (unsigned i = 0; i < n; i++) {
		struct xrt_acl_rule *r = &v[i].r;

		r->dir = XRT_ACL_IN;
		r->action = rnd(2) ? XRT_ACL_DROP : XRT_ACL_PASS;
		r->cnt = i;
		tree_prefix(r->src, r->smask, false);
		tree_prefix(r->dst, r->dmask, true);
		r->ifindex = rnd(3) == 0 ? (uint32_t)(rnd(2) ? if_a : if_b) : 0;
		if (rnd(2)) {
			r->flags |= XRT_ACL_F_PROTO;
			r->proto = rnd(2) ? NEXTHDR_UDP : NEXTHDR_TCP;
		}
		if (rnd(2) == 0) {
			r->flags |= XRT_ACL_F_SPORT;
			port_range(&r->sport_lo, &r->sport_hi);
		}
		if (rnd(2) == 0) {
			r->flags |= XRT_ACL_F_DPORT;
			port_range(&r->dport_lo, &r->dport_hi);
		}
		v[i].prio = rnd(1000);
		v[i].seq = i;
	}
	/* Match order: priority, then insertion (xrt_acl_add's). */
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1].prio > v[j].prio; j--) {
			struct xrt_acl_entry t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	cr_assert_eq(xrt_acl_replace(&M, v, n, err), 0, "%s", err);
	free(v);
}

/* The fast path's verdict on random packets against xrtd's linear walk
 * (xrt_acl_eval: the reference), and each rule's counter against the
 * packets the walk gave it. */
static void acl_agree(unsigned n, unsigned packets)
{
	struct xrt_acl_entry *before = calloc(XRT_ACL_MAX, sizeof(*before));
	struct xrt_acl_entry *after = calloc(XRT_ACL_MAX, sizeof(*after));
	uint64_t *want = calloc(XRT_ACL_MAX, sizeof(*want));
	char err[XRT_ERR_LEN] = "";
	unsigned nb, na, drops = 0;

	cr_assert(before && after && want);
	random_acl(n);
	cr_assert_eq(xrt_acl_list(&M, before, XRT_ACL_MAX, &nb, err), 0, "%s", err);
	for (unsigned i = 0; i < packets; i++) {
		uint8_t s[16], d[16];
		char ss[64], ds[64];
		struct xrt_acl_key k = { 0 };
		struct xt_pkt p;
		struct xt_result r;
		int in = rnd(2) ? if_a : if_b, act;
		uint8_t proto = rnd(2) ? NEXTHDR_UDP : NEXTHDR_TCP;

		tree_addr(s, false);
		tree_addr(d, true);
		inet_ntop(AF_INET6, s, ss, sizeof(ss));
		inet_ntop(AF_INET6, d, ds, sizeof(ds));
		xt_ip6(&p, ss, ds, 64, proto, 16);
		xt_udp_ports(&p, (uint16_t)rnd(64), (uint16_t)rnd(64));
		if (in == if_b)
			memcpy(p.b, MAC_B, 6);
		k.ifindex = (uint32_t)in;
		xrt_acl_parse6(xt_l3(&p), p.b + p.len, &k);
		/* The reference walk, uncounted: find the rule it picks. */
		act = XRT_ACL_PASS;
		for (unsigned j = 0; j < nb; j++)
			if (before[j].r.dir == XRT_ACL_IN && xrt_acl_match(&before[j].r, &k)) {
				act = before[j].r.action;
				want[before[j].r.cnt]++;
				break;
			}
		xt_run(&p, in, &r);
		cr_assert_eq(r.ret == XDP_DROP, act == XRT_ACL_DROP,
			     "packet %u %s -> %s proto %u on %d: fast path %d, walk %s", i, ss, ds,
			     proto, in, r.ret, act == XRT_ACL_DROP ? "drop" : "pass");
		drops += act == XRT_ACL_DROP;
	}
	cr_assert_eq(xrt_acl_list(&M, after, XRT_ACL_MAX, &na, err), 0, "%s", err);
	for (unsigned j = 0; j < na; j++)
		cr_assert_eq(after[j].pkts - before[j].pkts, want[after[j].r.cnt],
			     "rule %u: counted %llu, walked %llu", j,
			     (unsigned long long)(after[j].pkts - before[j].pkts),
			     (unsigned long long)want[after[j].r.cnt]);
	/* Both outcomes happened: the comparison saw drops and passes. */
	cr_assert(drops > 0 && drops < packets, "drops %u of %u", drops, packets);
	free(before);
	free(after);
	free(want);
}

Test(acl, classifier_agrees_with_the_walk_300)
{
	acl_agree(300, 1500);
}

Test(acl, classifier_agrees_with_the_walk_full)
{
	acl_agree(XRT_ACL_MAX, 1000);
}

/* Priorities opposite to prefix lengths: the shorter prefix's rule comes
 * first and wins, whatever the longest match of the source's trie. */
Test(acl, priority_over_prefix_length)
{
	struct xrt_acl_rule wide = rule(XRT_ACL_IN, 0, "2001:db8::", 32, NULL, 0, XRT_ACL_PASS);
	struct xrt_acl_rule narrow =
		rule(XRT_ACL_IN, 0, "2001:db8:100::", 48, NULL, 0, XRT_ACL_DROP);
	char err[XRT_ERR_LEN] = "";

	add(&narrow, 20);
	add(&wide, 10);
	cr_assert_eq(run_udp(SRC, DST, 1, 2), XDP_REDIRECT);
	cr_assert_eq(xrt_acl_del(&M, &wide, false, false, 0, err), 0, "%s", err);
	add(&wide, 30);
	cr_assert_eq(run_udp(SRC, DST, 1, 2), XDP_DROP);
	cr_assert_eq(run_udp("2001:db8:101::1", DST, 1, 2), XDP_REDIRECT);
}

/* Past the old bounds (128): the last of a full list still decides, and
 * one more is refused with nothing changed. */
#define FULL_LAST 3000
Test(acl, full_list_last_rule_decides)
{
	struct xrt_acl_entry *v = calloc(XRT_ACL_MAX, sizeof(*v));
	struct xrt_acl_rule r = any(XRT_ACL_IN, XRT_ACL_DROP);
	char err[XRT_ERR_LEN] = "";
	unsigned n;

	cr_assert_not_null(v);
	/* Two rules per port (XRT_CLS_INTERVALS bounds the ports' ranges), the
	 * last one alone on port LAST. */
	for (unsigned i = 0; i < XRT_ACL_MAX; i++) {
		v[i].r = rule(XRT_ACL_IN, 0, NULL, 0, NULL, 0, XRT_ACL_DROP);
		v[i].r.flags = XRT_ACL_F_DPORT;
		v[i].r.dport_lo = v[i].r.dport_hi =
			(uint16_t)(i == XRT_ACL_MAX - 1 ? FULL_LAST : 1000 + i / 2);
		v[i].r.cnt = i;
		v[i].prio = i;
	}
	cr_assert_eq(xrt_acl_replace(&M, v, XRT_ACL_MAX, err), 0, "%s", err);
	cr_assert_eq(run_udp(SRC, DST, 1, FULL_LAST), XDP_DROP);
	cr_assert_eq(run_udp(SRC, DST, 1, FULL_LAST + 1), XDP_REDIRECT);
	cr_assert_eq(xrt_acl_add(&M, &r, 0, err), -ENOSPC);
	cr_assert(strstr(err, "acl: full (1024 rules)"), "%s", err);
	cr_assert_eq(run_udp(SRC, DST, 1, 5000), XDP_REDIRECT, "the refused rule is not there");
	cr_assert_eq(xrt_acl_list(&M, v, XRT_ACL_MAX, &n, err), 0, "%s", err);
	cr_assert_eq(n, XRT_ACL_MAX);
	cr_assert_eq(v[XRT_ACL_MAX - 1].pkts, 1);
	free(v);
}

/* The port ranges' bound: 1024 rules on scattered single ports cut the
 * ports into 2049 intervals, more than XRT_CLS_INTERVALS: the list is
 * refused with the word named, and the one before stays. */
Test(acl, too_many_port_intervals_refused)
{
	struct xrt_acl_entry *v = calloc(XRT_ACL_MAX, sizeof(*v));
	struct xrt_acl_rule r = rule(XRT_ACL_IN, 0, NULL, 0, NULL, 0, XRT_ACL_DROP);
	char err[XRT_ERR_LEN] = "";
	unsigned n;

	cr_assert_not_null(v);
	r.flags = XRT_ACL_F_DPORT;
	r.dport_lo = r.dport_hi = 4000;
	cr_assert_eq(xrt_acl_add(&M, &r, 0, err), 0, "%s", err);
	for (unsigned i = 0; i < XRT_ACL_MAX; i++) {
		v[i].r = rule(XRT_ACL_IN, 0, NULL, 0, NULL, 0, XRT_ACL_DROP);
		v[i].r.flags = XRT_ACL_F_DPORT;
		v[i].r.dport_lo = v[i].r.dport_hi = (uint16_t)(10000 + 2 * i);
		v[i].prio = i;
	}
	cr_assert_eq(xrt_acl_replace(&M, v, XRT_ACL_MAX, err), -ENOSPC);
	cr_assert(strstr(err, "port:") && strstr(err, "intervals"), "%s", err);
	cr_assert_eq(run_udp(SRC, DST, 1, 4000), XDP_DROP, "the list before stays");
	cr_assert_eq(run_udp(SRC, DST, 1, 10000), XDP_REDIRECT, "the refused list is not there");
	cr_assert_eq(xrt_acl_list(&M, v, XRT_ACL_MAX, &n, err), 0, "%s", err);
	cr_assert_eq(n, 1);
	free(v);
}
