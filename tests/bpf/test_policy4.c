/* xrt BPF tests: reverse-path filtering (ip_rpf, bpf/fib_validate_source.h) and the ACL (bpf/nf_hook.h) for IPv4: verdicts, counters, families apart. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <string.h>
#include <bpf/bpf.h>

#include "harness.h"
#include "dataplane/acl.h"
#include "stack/stack_internal.h"
#include "xrt/proto.h"

#define V4(a) "::ffff:" a
#define P4(plen) (XRT_V4_PLEN_OFFSET + (plen))
#define DST4 "203.0.113.9" /* via 198.51.100.2 dev xfb */

/*
 * The harness's IPv6 topology plus IPv4 routes in table main:
 *   203.0.113.0/24 and 198.51.100.0/24 via 198.51.100.2 dev xfb (nh 10),
 *   10.3/16 via 192.0.2.9 dev xfa (nh 12), 10.6/16 a group of nh 10 and
 *   nh 12 (one member each way), 10.66/16 blackhole, 10.77/16
 *   unreachable, 10.88/16 prohibit; 192.0.2.1 local in table local,
 *   192.0.2.255 broadcast there.
 */
static void setup(void)
{
	uint32_t members[2] = { 10, 12 }, weights[2] = { 1, 1 };
	struct xrt_fib6_val v = { .type = XRT_RTN_LOCAL };
	char err[XRT_ERR_LEN];
	uint8_t a[16];

	xt_setup();
	xt_topology();
	xt_nh(10, if_b, V4("198.51.100.2"), 1500);
	xt_nh(12, if_a, V4("192.0.2.9"), 1500);
	cr_assert_eq(xrt_maps_grp_set(&M, 3, members, weights, 2, err), 0, "%s", err);
	xt_route(V4("203.0.113.0"), P4(24), XRT_RTN_UNICAST, 10);
	xt_route(V4("198.51.100.0"), P4(24), XRT_RTN_UNICAST, 10);
	xt_route(V4("10.3.0.0"), P4(16), XRT_RTN_UNICAST, 12);
	xt_route(V4("10.6.0.0"), P4(16), XRT_RTN_UNICAST, XRT_NH_GROUP | 3);
	xt_route(V4("10.66.0.0"), P4(16), XRT_RTN_BLACKHOLE, 0);
	xt_route(V4("10.77.0.0"), P4(16), XRT_RTN_UNREACHABLE, 0);
	xt_route(V4("10.88.0.0"), P4(16), XRT_RTN_PROHIBIT, 0);
	xt_addr(V4("192.0.2.1"), a);
	cr_assert_eq(xrt_maps_route_set(&M, XRT_TABLE_LOCAL, a, P4(32), &v, err), 0, "%s", err);
	v.type = XRT_RTN_BROADCAST;
	xt_addr(V4("192.0.2.255"), a);
	cr_assert_eq(xrt_maps_route_set(&M, XRT_TABLE_LOCAL, a, P4(32), &v, err), 0, "%s", err);
	xt_neigh(if_b, V4("198.51.100.2"), 0x21, XRT_NUD_REACHABLE);
	xt_neigh(if_a, V4("192.0.2.9"), 0x29, XRT_NUD_REACHABLE);
}

TestSuite(rpf4, .init = setup, .fini = xt_teardown);
TestSuite(acl4, .init = setup, .fini = xt_teardown);

/* Ethernet to the ingress's MAC + IPv4 (TTL 64, frag field as given) +
 * 16 bytes of proto's payload: UDP/TCP ports or ICMP type and code. */
static void pkt4(struct xt_pkt *p, int ifindex, const char *src, const char *dst, uint8_t proto,
		 uint16_t frag, uint16_t w0, uint16_t w1)
{
	uint8_t *ip = xt_l3(p);

	memset(p, 0, sizeof(*p));
	memcpy(p->b, ifindex == if_b ? MAC_B : MAC_A, 6);
	p->b[6] = 0x02, p->b[11] = 0xee;
	p->b[12] = 0x08;
	ip[0] = 0x45;
	ip[3] = IP4_HDR_LEN + 16;
	ip[6] = (uint8_t)(frag >> 8), ip[7] = (uint8_t)frag;
	ip[8] = 64;
	ip[9] = proto;
	cr_assert_eq(inet_pton(AF_INET, src, ip + 12), 1);
	cr_assert_eq(inet_pton(AF_INET, dst, ip + 16), 1);
	if (proto == IP4_PROTO_ICMP) {
		ip[20] = (uint8_t)w0, ip[21] = (uint8_t)w1;
	} else {
		ip[20] = (uint8_t)(w0 >> 8), ip[21] = (uint8_t)w0;
		ip[22] = (uint8_t)(w1 >> 8), ip[23] = (uint8_t)w1;
	}
	ip_send_check(ip);
	p->len = ETH_LEN + IP4_HDR_LEN + 16;
}

static int run4(int ifindex, const char *src, const char *dst, uint8_t proto, uint16_t frag,
		uint16_t w0, uint16_t w1)
{
	struct xt_pkt p;
	struct xt_result r;

	pkt4(&p, ifindex, src, dst, proto, frag, w0, w1);
	xt_run(&p, ifindex, &r);
	return r.ret;
}

/* A UDP datagram 40000 -> 53 from src arriving on ifindex. */
static int from(const char *src, const char *dst, int ifindex)
{
	return run4(ifindex, src, dst, NEXTHDR_UDP, 0, 40000, 53);
}

Test(rpf4, off_passes_any_source)
{
	cr_assert_eq(from("10.99.0.1", DST4, if_a), XDP_REDIRECT);
	cr_assert_eq(from("203.0.113.5", DST4, if_a), XDP_REDIRECT);
}

Test(rpf4, strict_wants_the_ingress)
{
	xt_set_rpf(if_a, XRT_IF_F_RPF_STRICT);
	cr_assert_eq(from("10.3.0.1", DST4, if_a), XDP_REDIRECT); /* back by xfa */
	cr_assert_eq(xt_drops(1, XRT_DROP_RPF_STRICT), 0);
	cr_assert_eq(from("203.0.113.5", DST4, if_a), XDP_DROP);  /* back by xfb */
	cr_assert_eq(from("10.99.0.1", DST4, if_a), XDP_DROP);    /* no route */
	cr_assert_eq(from("192.0.2.1", DST4, if_a), XDP_DROP);    /* local */
	cr_assert_eq(from("192.0.2.255", DST4, if_a), XDP_DROP);  /* broadcast */
	cr_assert_eq(xt_drops(1, XRT_DROP_RPF_STRICT), 4);
	cr_assert_eq(xt_drops(1, XRT_DROP_RPF_LOOSE), 0);
	/* The IPv6 check of the same ingress is its own: a's IPv6 source. */
	struct xt_pkt p;
	struct xt_result r;
	xt_ip6(&p, "2001:db8:3::1", "2001:db8:1::9", 64, NEXTHDR_UDP, 16);
	xt_run(&p, if_a, &r);
	cr_assert_eq(r.ret, XDP_REDIRECT);
}

Test(rpf4, strict_any_ecmp_member_counts)
{
	xt_set_rpf(if_a, XRT_IF_F_RPF_STRICT);
	xt_set_rpf(if_b, XRT_IF_F_RPF_STRICT);
	cr_assert_eq(from("10.6.0.1", DST4, if_a), XDP_REDIRECT);
	cr_assert_eq(from("10.6.0.1", "10.3.0.9", if_b), XDP_REDIRECT);
	cr_assert_eq(xt_drops(1, XRT_DROP_RPF_STRICT) + xt_drops(2, XRT_DROP_RPF_STRICT), 0);
}

Test(rpf4, loose_wants_a_unicast_route)
{
	xt_set_rpf(if_a, XRT_IF_F_RPF_LOOSE);
	cr_assert_eq(from("203.0.113.5", DST4, if_a), XDP_REDIRECT);
	cr_assert_eq(from("10.6.0.1", DST4, if_a), XDP_REDIRECT);
	cr_assert_eq(from("10.99.0.1", DST4, if_a), XDP_DROP); /* none */
	cr_assert_eq(from("10.66.0.1", DST4, if_a), XDP_DROP); /* blackhole */
	cr_assert_eq(from("10.77.0.1", DST4, if_a), XDP_DROP); /* unreachable */
	cr_assert_eq(from("10.88.0.1", DST4, if_a), XDP_DROP); /* prohibit */
	cr_assert_eq(from("192.0.2.1", DST4, if_a), XDP_DROP); /* local */
	cr_assert_eq(xt_drops(1, XRT_DROP_RPF_LOOSE), 5);
	cr_assert_eq(xt_drops(1, XRT_DROP_RPF_STRICT), 0);
}

/* 0.0.0.0 is exempt (DHCP); the other martians are ip_route_input's drop,
 * counted as martians as the kernel counts them, not as rpf. */
Test(rpf4, zero_exempt_martians_left_to_route_input)
{
	xt_set_rpf(if_a, XRT_IF_F_RPF_STRICT);
	cr_assert_neq(from("0.0.0.0", "255.255.255.255", if_a), XDP_DROP);
	cr_assert_eq(from("127.0.0.1", DST4, if_a), XDP_DROP);
	cr_assert_eq(from("224.0.0.5", DST4, if_a), XDP_DROP);
	cr_assert_eq(from("240.0.0.1", DST4, if_a), XDP_DROP);
	cr_assert_eq(xt_drops(1, XRT_DROP_IP4_MARTIAN_SRC), 3);
	cr_assert_eq(xt_drops(1, XRT_DROP_RPF_STRICT), 0);
}

/* ---------------------------------------------------------------- acl */

static struct xrt_acl_rule rule4(unsigned dir, const char *src, unsigned splen, const char *dst,
				 unsigned dplen, unsigned action)
{
	struct xrt_acl_rule r = { .dir = (uint8_t)dir, .action = (uint8_t)action, .v4 = 1 };

	xt_addr(src, r.src);
	xt_addr(dst, r.dst);
	for (unsigned b = 0; b < P4(splen); b++)
		r.smask[b / 8] |= (uint8_t)(0x80u >> (b % 8));
	for (unsigned b = 0; b < P4(dplen); b++)
		r.dmask[b / 8] |= (uint8_t)(0x80u >> (b % 8));
	return r;
}

static void add(const struct xrt_acl_rule *r, uint32_t prio)
{
	char err[XRT_ERR_LEN] = "";

	cr_assert_eq(xrt_acl_add(&M, r, prio, err), 0, "%s", err);
}

#define ANY4 V4("0.0.0.0"), 0

static int udp(const char *src, uint16_t sport, uint16_t dport)
{
	return run4(if_a, src, DST4, NEXTHDR_UDP, 0, sport, dport);
}

Test(acl4, prefixes_and_ports)
{
	struct xrt_acl_rule r = rule4(XRT_ACL_IN, V4("10.0.0.0"), 8, V4("203.0.113.0"), 24,
				      XRT_ACL_DROP);

	r.flags = XRT_ACL_F_PROTO | XRT_ACL_F_DPORT;
	r.proto = NEXTHDR_UDP;
	r.dport_lo = r.dport_hi = 53;
	add(&r, 10);
	cr_assert_eq(udp("10.1.2.3", 40000, 53), XDP_DROP);
	cr_assert_eq(udp("10.1.2.3", 40000, 54), XDP_REDIRECT);
	cr_assert_eq(udp("11.1.2.3", 40000, 53), XDP_REDIRECT);
	cr_assert_eq(run4(if_a, "10.1.2.3", DST4, NEXTHDR_TCP, 0, 40000, 53), XDP_REDIRECT);
	cr_assert_eq(xt_drops(1, XRT_DROP_ACL_IN), 1);
}

Test(acl4, families_apart)
{
	/* An IPv6 rule over everything (::/0) and an IPv4 one over the whole
	 * IPv4 space: each drops its own family only. */
	struct xrt_acl_rule r6 = { .dir = XRT_ACL_IN, .action = XRT_ACL_DROP };
	struct xrt_acl_rule r4 = rule4(XRT_ACL_IN, ANY4, ANY4, XRT_ACL_DROP);
	struct xt_pkt p;
	struct xt_result res;

	r6.flags = XRT_ACL_F_PROTO;
	r6.proto = NEXTHDR_UDP;
	add(&r6, 10);
	cr_assert_eq(udp("10.1.2.3", 1, 2), XDP_REDIRECT);
	r4.flags = XRT_ACL_F_PROTO;
	r4.proto = NEXTHDR_TCP;
	add(&r4, 10);
	xt_ip6(&p, "2001:db8:100::1", "2001:db8:1::9", 64, NEXTHDR_TCP, 16);
	xt_run(&p, if_a, &res);
	cr_assert_eq(res.ret, XDP_REDIRECT, "an IPv4 rule dropped IPv6");
	cr_assert_eq(run4(if_a, "10.1.2.3", DST4, NEXTHDR_TCP, 0, 1, 2), XDP_DROP);
	cr_assert_eq(xt_drops(1, XRT_DROP_ACL_IN), 1);
}

Test(acl4, icmp_type_and_code)
{
	struct xrt_acl_rule r = rule4(XRT_ACL_IN, ANY4, ANY4, XRT_ACL_DROP);

	r.flags = XRT_ACL_F_PROTO | XRT_ACL_F_TYPE | XRT_ACL_F_CODE;
	r.proto = IP4_PROTO_ICMP;
	r.icmp_type = ICMP_DEST_UNREACH;
	r.icmp_code = ICMP_PORT_UNREACH;
	add(&r, 10);
	cr_assert_eq(run4(if_a, "10.1.2.3", DST4, IP4_PROTO_ICMP, 0, ICMP_DEST_UNREACH,
			  ICMP_PORT_UNREACH),
		     XDP_DROP);
	cr_assert_eq(run4(if_a, "10.1.2.3", DST4, IP4_PROTO_ICMP, 0, ICMP_DEST_UNREACH,
			  ICMP_HOST_UNREACH),
		     XDP_REDIRECT);
	/* ICMPv6's number for the same message is not ICMP's. */
	cr_assert_eq(run4(if_a, "10.1.2.3", DST4, IP4_PROTO_ICMP, 0, ICMP6_DST_UNREACH,
			  ICMP_PORT_UNREACH),
		     XDP_REDIRECT);
	r.flags &= ~XRT_ACL_F_CODE;
	r.icmp_type = ICMP_ECHO;
	add(&r, 10);
	cr_assert_eq(run4(if_a, "10.1.2.3", DST4, IP4_PROTO_ICMP, 0, ICMP_ECHO, 0), XDP_DROP);
}

Test(acl4, forward_on_the_egress)
{
	struct xrt_acl_rule r = rule4(XRT_ACL_OUT, ANY4, V4("203.0.113.0"), 24, XRT_ACL_DROP);

	r.ifindex = (uint32_t)if_a; /* not this packet's egress */
	add(&r, 10);
	cr_assert_eq(udp("10.1.2.3", 1, 2), XDP_REDIRECT);
	r.ifindex = (uint32_t)if_b;
	add(&r, 10);
	cr_assert_eq(udp("10.1.2.3", 1, 2), XDP_DROP);
	cr_assert_eq(xt_drops(1, XRT_DROP_ACL_OUT), 1);
	/* Local delivery never reaches the forward hook. */
	cr_assert_neq(run4(if_a, "10.1.2.3", "192.0.2.1", NEXTHDR_UDP, 0, 1, 2), XDP_DROP);
}

/* RFC 791 3.1: the fragment offset (8-byte units) in the low 13 bits; a
 * non-first fragment has no transport header, as in nftables. */
Test(acl4, fragments_ports_only_in_the_first)
{
	struct xrt_acl_rule r = rule4(XRT_ACL_IN, ANY4, ANY4, XRT_ACL_DROP);

	r.flags = XRT_ACL_F_PROTO | XRT_ACL_F_DPORT;
	r.proto = NEXTHDR_UDP;
	r.dport_lo = r.dport_hi = 53;
	add(&r, 10);
	cr_assert_eq(run4(if_a, "10.1.2.3", DST4, NEXTHDR_UDP, IP4_FLAG_MF, 40000, 53), XDP_DROP);
	cr_assert_eq(run4(if_a, "10.1.2.3", DST4, NEXTHDR_UDP, 100, 40000, 53), XDP_REDIRECT);
	r.flags = XRT_ACL_F_PROTO;
	add(&r, 10);
	cr_assert_eq(run4(if_a, "10.1.2.3", DST4, NEXTHDR_UDP, 100, 40000, 53), XDP_DROP);
}

Test(acl4, counters_per_rule)
{
	struct xrt_acl_rule r = rule4(XRT_ACL_IN, V4("10.0.0.0"), 8, ANY4, XRT_ACL_PASS);
	struct xrt_acl_entry v[XRT_ACL_MAX];
	char err[XRT_ERR_LEN] = "";
	unsigned n;

	add(&r, 10);
	r = rule4(XRT_ACL_IN, ANY4, ANY4, XRT_ACL_DROP);
	add(&r, 20);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(udp("10.1.2.3", 1, 2), XDP_REDIRECT);
	cr_assert_eq(udp("11.1.2.3", 1, 2), XDP_DROP);
	cr_assert_eq(xrt_acl_list(&M, v, XRT_ACL_MAX, &n, err), 0, "%s", err);
	cr_assert_eq(n, 2);
	cr_assert_eq(v[0].pkts, 3);
	cr_assert_eq(v[0].bytes, 3 * (IP4_HDR_LEN + 16));
	cr_assert_eq(v[1].pkts, 1);
	/* flush by family: the IPv4 rules go, an IPv6 one stays. */
	struct xrt_acl_rule r6 = { .dir = XRT_ACL_IN, .action = XRT_ACL_DROP };
	add(&r6, 30);
	cr_assert_eq(xrt_acl_flush(&M, XRT_ACL_DIRS, 0, 1, err), 0, "%s", err);
	cr_assert_eq(xrt_acl_list(&M, v, XRT_ACL_MAX, &n, err), 0, "%s", err);
	cr_assert_eq(n, 1);
	cr_assert_eq(v[0].r.v4, 0);
}
