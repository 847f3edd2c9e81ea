/* xrt: unit tests of IPv4 in the command grammar: the family inferred from the address as iproute2 does, -4/-6, mapped addresses below the CLI (include/xrt/inet.h). */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "cli/cmd.h"
#include "ctl/ctl_proto.h"
#include "xrt/inet.h"
#include "xrt/multipath.h"

static char err[XRT_ERR_LEN];

static int words(const char *s, char **argv)
{
	static char buf[1024];
	strcpy(buf, s);
	return xrt_tokenize(buf, argv, 64);
}

/* The mapped form of a dotted quad. */
static struct in6_addr M(const char *s)
{
	uint32_t v4;
	struct in6_addr a;
	cr_assert_eq(inet_pton(AF_INET, s, &v4), 1);
	xrt_addr_from_v4(&a, v4);
	return a;
}

static int route(const char *s, enum cmd_route_mode mode, int family, struct cmd_route *r)
{
	char *argv[64];
	int argc = words(s, argv);
	err[0] = '\0';
	return parse_route(argc, argv, mode, family, r, err);
}

Test(cli_parse_ip4, route_forms)
{
	struct cmd_route r;
	cr_assert_eq(route("10.9.0.0/16 via 10.2.0.2 dev eth1", ROUTE_MODE_ADD, AF_UNSPEC, &r), 0,
		     "%s", err);
	struct in6_addr p = M("10.9.0.0"), g = M("10.2.0.2");
	cr_assert_arr_eq(&r.prefix, &p, 16);
	cr_assert_eq(r.plen, 16 + XRT_V4_PLEN_OFFSET);
	cr_assert_arr_eq(&r.nh[0].gw, &g, 16);
	cr_assert_eq(r.family, AF_INET);
	cr_assert_eq(r.metric, RIB_METRIC_V4_USER, "IPv4 user routes: metric 0 as the kernel's");
	cr_assert_eq(route("10.9.0.0/16 via 10.2.0.2 metric 20", ROUTE_MODE_ADD, AF_UNSPEC, &r), 0);
	cr_assert_eq(r.metric, 20);
	/* A bare address is a /32; "default" takes the gateway's family. */
	cr_assert_eq(route("10.9.0.7 dev eth1", ROUTE_MODE_ADD, AF_UNSPEC, &r), 0, "%s", err);
	cr_assert_eq(r.plen, 128);
	cr_assert_eq(route("default via 10.2.0.2", ROUTE_MODE_ADD, AF_UNSPEC, &r), 0, "%s", err);
	p = M("0.0.0.0");
	cr_assert_arr_eq(&r.prefix, &p, 16);
	cr_assert_eq(r.plen, XRT_V4_PLEN_OFFSET);
	cr_assert_eq(route("default via fe80::1 dev eth0", ROUTE_MODE_ADD, AF_UNSPEC, &r), 0);
	cr_assert_eq(r.plen, 0, "an IPv6 gateway: IPv6's default");
	cr_assert_eq(route("default dev eth0", ROUTE_MODE_ADD, AF_INET, &r), 0, "%s", err);
	cr_assert_eq(r.plen, XRT_V4_PLEN_OFFSET, "-4 default");
	cr_assert_eq(route("default dev eth0", ROUTE_MODE_ADD, AF_UNSPEC, &r), 0, "%s", err);
	cr_assert_eq(r.plen, 0, "no address at all: IPv6 as before");
	cr_assert_eq(r.metric, RIB_METRIC_USER);
	/* Types, and mtu down to RFC 791's 68. */
	cr_assert_eq(route("blackhole 10.66.0.0/16", ROUTE_MODE_ADD, AF_UNSPEC, &r), 0, "%s", err);
	cr_assert_eq(r.type, XRT_RTN_BLACKHOLE);
	cr_assert_eq(r.metric, 0);
	cr_assert_eq(route("unreachable 10.66.0.0/16", ROUTE_MODE_ADD, AF_UNSPEC, &r), 0);
	cr_assert_eq(route("prohibit 10.66.0.0/16", ROUTE_MODE_ADD, AF_UNSPEC, &r), 0);
	cr_assert_eq(r.type, XRT_RTN_PROHIBIT);
	cr_assert_eq(route("10.66.0.0/16 dev eth0 mtu 68", ROUTE_MODE_ADD, AF_UNSPEC, &r), 0, "%s",
		     err);
	cr_assert_eq(r.mtu, 68);
}

Test(cli_parse_ip4, route_get_and_show)
{
	struct cmd_route r;
	cr_assert_eq(route("10.9.1.1 from 10.1.0.2 iif eth0 ipproto icmp", ROUTE_MODE_GET,
			   AF_UNSPEC, &r),
		     0, "%s", err);
	struct in6_addr d = M("10.9.1.1"), s = M("10.1.0.2");
	cr_assert_arr_eq(&r.prefix, &d, 16);
	cr_assert_arr_eq(&r.from, &s, 16);
	cr_assert_eq(r.ipproto, IPPROTO_ICMP);
	cr_assert_eq(route("", ROUTE_MODE_SHOW, AF_INET, &r), 0);
	cr_assert_eq(r.family, AF_INET, "-4 filters show");
	cr_assert_eq(route("", ROUTE_MODE_SHOW, AF_UNSPEC, &r), 0);
	cr_assert_eq(r.family, AF_UNSPEC, "show without -4/-6: both families");
	cr_assert_eq(route("table local", ROUTE_MODE_SHOW, AF_INET6, &r), 0);
	cr_assert_eq(r.family, AF_INET6);
}

Test(cli_parse_ip4, route_errors_name_the_word)
{
	struct cmd_route r;
	cr_assert_eq(route("2001:db8::/32 dev eth0", ROUTE_MODE_ADD, AF_INET, &r), -EINVAL);
	cr_assert_str_eq(err, "inet prefix is expected rather than \"2001:db8::/32\"");
	cr_assert_eq(route("10.0.0.0/8 dev eth0", ROUTE_MODE_ADD, AF_INET6, &r), -EINVAL);
	cr_assert_str_eq(err, "inet6 prefix is expected rather than \"10.0.0.0/8\"");
	/* A gateway of the other family (RFC 5549 is not built). */
	cr_assert_eq(route("2001:db8::/32 via 10.2.0.2", ROUTE_MODE_ADD, AF_UNSPEC, &r), -EINVAL);
	cr_assert_str_eq(err, "inet6 address is expected rather than \"10.2.0.2\"");
	cr_assert_eq(route("10.0.0.0/8 via fe80::1 dev eth0", ROUTE_MODE_ADD, AF_UNSPEC, &r),
		     -EINVAL);
	cr_assert_str_eq(err, "inet address is expected rather than \"fe80::1\"");
	cr_assert_eq(route("10.9.1.1 from 2001:db8::1", ROUTE_MODE_GET, AF_UNSPEC, &r), -EINVAL);
	cr_assert_str_eq(err, "inet address is expected rather than \"2001:db8::1\"");
	cr_assert_eq(route("10.9.1.1", ROUTE_MODE_GET, AF_INET6, &r), -EINVAL);
	cr_assert_str_eq(err, "inet6 address is expected rather than \"10.9.1.1\"");
	/* Malformed IPv4. */
	cr_assert_eq(route("10.0.0.0/33 dev eth0", ROUTE_MODE_ADD, AF_UNSPEC, &r), -EINVAL);
	cr_assert_str_eq(err, "\"10.0.0.0/33\" is not an IPv4 prefix (length must be 0..32)");
	cr_assert_eq(route("10.1.2/24 dev eth0", ROUTE_MODE_ADD, AF_UNSPEC, &r), -EINVAL);
	cr_assert_str_eq(err, "\"10.1.2/24\" is not an IPv4 prefix");
	cr_assert_eq(route("10.1.2.300 dev eth0", ROUTE_MODE_ADD, AF_UNSPEC, &r), -EINVAL);
	cr_assert_str_eq(err, "\"10.1.2.300\" is not an IPv4 prefix");
	cr_assert_eq(route("10.0.0.0/8 via 10.1.2 dev eth0", ROUTE_MODE_ADD, AF_UNSPEC, &r),
		     -EINVAL);
	cr_assert_str_eq(err, "\"10.1.2\" is not an IPv4 address");
	cr_assert_eq(route("nonsense dev eth0", ROUTE_MODE_ADD, AF_UNSPEC, &r), -EINVAL);
	cr_assert_str_eq(err, "\"nonsense\" is not an IP prefix");
	cr_assert_eq(route("10.9.0.1/16 dev eth0", ROUTE_MODE_ADD, AF_UNSPEC, &r), -EINVAL);
	cr_assert_str_eq(err, "10.9.0.1/16 has host bits set");
	cr_assert_eq(route("10.9.0.0/16 dev eth0 mtu 67", ROUTE_MODE_ADD, AF_UNSPEC, &r), -EINVAL);
	cr_assert_str_eq(err, "mtu \"67\" is invalid (68..65535)");
	cr_assert_eq(route("2001:db8::/32 dev eth0 mtu 1279", ROUTE_MODE_ADD, AF_UNSPEC, &r),
		     -EINVAL);
	cr_assert_str_eq(err, "mtu \"1279\" is invalid (1280..65535)");
	/* IPv6 words inside ::ffff:0:0/96 are IPv4's (RFC 4291 2.5.5.2). */
	cr_assert_eq(route("::ffff:10.0.0.0/104 dev eth0", ROUTE_MODE_ADD, AF_UNSPEC, &r), -EINVAL);
	cr_assert_str_eq(err, "\"::ffff:10.0.0.0/104\" is inside ::ffff:0:0/96, IPv4-mapped "
			      "(RFC 4291 2.5.5.2): write it as IPv4");
	cr_assert_eq(route("2001:db8::/32 via ::ffff:10.0.0.1 dev eth0", ROUTE_MODE_ADD, AF_UNSPEC,
			   &r),
		     -EINVAL);
	cr_assert_str_eq(err, "\"::ffff:10.0.0.1\" is inside ::ffff:0:0/96, IPv4-mapped "
			      "(RFC 4291 2.5.5.2): write it as IPv4");
	/* A shorter IPv6 prefix that covers the mapped space is IPv6's. */
	cr_assert_eq(route("::/64 dev eth0", ROUTE_MODE_ADD, AF_UNSPEC, &r), 0, "%s", err);
	cr_assert_eq(r.family, AF_INET6);
}

Test(cli_parse_ip4, addr_and_neigh)
{
	char *argv[64];
	struct cmd_addr a;
	int argc = words("10.1.0.1/24 dev eth0", argv);
	cr_assert_eq(parse_addrcmd(argc, argv, true, AF_UNSPEC, &a, err), 0, "%s", err);
	struct in6_addr x = M("10.1.0.1");
	cr_assert_arr_eq(&a.addr, &x, 16);
	cr_assert_eq(a.plen, 24 + XRT_V4_PLEN_OFFSET, "host bits kept, length mapped");
	cr_assert_eq(a.family, AF_INET);
	argc = words("10.1.0.1/24 dev eth0", argv);
	cr_assert_eq(parse_addrcmd(argc, argv, true, AF_INET6, &a, err), -EINVAL);
	cr_assert_str_eq(err, "inet6 prefix is expected rather than \"10.1.0.1/24\"");
	argc = words("::ffff:10.0.0.5/120 dev eth0", argv);
	cr_assert_eq(parse_addrcmd(argc, argv, true, AF_UNSPEC, &a, err), -EINVAL);
	argc = words("dev eth0", argv);
	cr_assert_eq(parse_addrcmd(argc, argv, false, AF_INET, &a, err), 0, "%s", err);
	cr_assert_eq(a.family, AF_INET, "-4 addr show");

	struct cmd_neigh n;
	argc = words("10.2.0.2 lladdr 02:00:00:00:00:0a dev eth1", argv);
	cr_assert_eq(parse_neigh(argc, argv, true, true, AF_UNSPEC, &n, err), 0, "%s", err);
	x = M("10.2.0.2");
	cr_assert_arr_eq(&n.addr, &x, 16);
	cr_assert_eq(n.family, AF_INET);
	argc = words("2001:db8::2 lladdr 02:00:00:00:00:0a dev eth1", argv);
	cr_assert_eq(parse_neigh(argc, argv, true, true, AF_INET, &n, err), -EINVAL);
	cr_assert_str_eq(err, "inet address is expected rather than \"2001:db8::2\"");
	argc = words("dev eth1", argv);
	cr_assert_eq(parse_neigh(argc, argv, false, false, AF_INET6, &n, err), 0, "%s", err);
	cr_assert_eq(n.family, AF_INET6, "-6 neigh flush");
}

Test(cli_parse_ip4, family_words_before_the_object)
{
	char *argv[64];
	struct cmd_req req;
	int argc = words("-4 route show", argv);
	cr_assert_eq(cmd_parse(argc, argv, &req, err), 0, "%s", err);
	cr_assert_eq(req.family, AF_INET);
	cr_assert_eq(req.route.family, AF_INET);
	argc = words("-f inet6 neigh flush", argv);
	cr_assert_eq(cmd_parse(argc, argv, &req, err), 0, "%s", err);
	cr_assert_eq(req.neigh.family, AF_INET6);
	argc = words("-6 route add 10.0.0.0/8 dev eth0", argv);
	cr_assert_eq(cmd_parse(argc, argv, &req, err), -EINVAL);
	cr_assert_str_eq(err, "inet6 prefix is expected rather than \"10.0.0.0/8\"");
	argc = words("-f ipx route show", argv);
	cr_assert_eq(cmd_parse(argc, argv, &req, err), -EINVAL);
	cr_assert_str_eq(err, "family \"ipx\" is invalid (inet, inet6)");
	argc = words("-4", argv);
	cr_assert_eq(cmd_parse(argc, argv, &req, err), -EINVAL);
	cr_assert_str_eq(err, "empty command");
}

Test(cli_parse_ip4, printed_as_iproute2_prints_ipv4)
{
	char b[INET6_ADDRSTRLEN + 8];
	struct in6_addr a = M("10.9.0.0");
	fmt_prefix(&a, 16 + XRT_V4_PLEN_OFFSET, b, sizeof(b));
	cr_assert_str_eq(b, "10.9.0.0/16");
	fmt_prefix(&a, 128, b, sizeof(b));
	cr_assert_str_eq(b, "10.9.0.0", "a /32 bare");
	a = M("0.0.0.0");
	fmt_prefix(&a, XRT_V4_PLEN_OFFSET, b, sizeof(b));
	cr_assert_str_eq(b, "default");
	a = M("192.0.2.1");
	cr_assert_str_eq(ntop(&a, b), "192.0.2.1");
	cr_assert_eq(user_plen(&a, 120), 24);
	cr_assert_str_eq(family_name(inet_family(&a)), "inet");
}

/* `xrt route get` hashes an IPv4 flow through rt6_multipath_hash_flow over
 * the mapped addresses with no flow label; the fast path hashes the packet
 * with fib_multipath_hash: the same member only if the two agree. */
Test(cli_parse_ip4, route_get_hash_is_fib_multipath_hash)
{
	static const struct {
		const char *s, *d;
		uint8_t proto;
		uint16_t sport, dport;
	} flows[] = {
		{ "10.1.0.2", "10.9.1.1", IPPROTO_ICMP, 0, 0 },
		{ "10.1.0.2", "10.9.1.1", IPPROTO_UDP, 40001, 9 },
		{ "192.0.2.7", "203.0.113.200", IPPROTO_TCP, 443, 65535 },
		{ "0.0.0.0", "255.255.255.254", IPPROTO_UDP, 1, 2 },
	};
	for (size_t i = 0; i < sizeof(flows) / sizeof(flows[0]); i++) {
		struct rt6_flow f = {
			.saddr = M(flows[i].s), .daddr = M(flows[i].d), .nexthdr = flows[i].proto,
			.sport = flows[i].sport, .dport = flows[i].dport,
			.has_ports = flows[i].proto != IPPROTO_ICMP,
		};
		uint16_t ports[2] = { htons(flows[i].sport), htons(flows[i].dport) };
		uint32_t p32;
		memcpy(&p32, ports, sizeof(p32));
		__u32 fp = fib_multipath_hash(xrt_addr_v4(&f.saddr), xrt_addr_v4(&f.daddr),
					      flows[i].proto, f.has_ports ? &p32 : NULL);
		cr_assert_eq(rt6_multipath_hash_flow(&f), fp, "flow %zu", i);
	}
}
