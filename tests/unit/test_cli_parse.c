/* xrt: unit tests of the command grammar's parsers (words in, request or error out), IPv6 and IPv4. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "cli/cmd.h"
#include "ctl/ctl_proto.h"
#include "xrt/inet.h"
#include "xrt/multipath.h"

static char err[XRT_ERR_LEN];

/* Split a string literal into words the way the CLI does. */
static int words(const char *s, char **argv)
{
	static char buf[1024];
	strcpy(buf, s);
	return xrt_tokenize(buf, argv, 64);
}

static struct in6_addr A(const char *s)
{
	struct in6_addr a;
	cr_assert_eq(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

Test(cli_parse, route_via_dev_metric_table_mtu)
{
	char *argv[64];
	struct cmd_route r;
	int argc = words("2001:db8::/32 via fe80::1 dev eth0 metric 10 table 7 mtu 1400", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, AF_UNSPEC, &r, err), 0, "%s", err);
	cr_assert_eq(r.type, XRT_RTN_UNICAST);
	cr_assert_eq(r.plen, 32);
	struct in6_addr p = A("2001:db8::");
	cr_assert_arr_eq(&r.prefix, &p, 16);
	cr_assert_eq(r.nnh, 1);
	cr_assert(r.nh[0].has_gw);
	cr_assert_str_eq(r.nh[0].dev, "eth0");
	cr_assert_eq(r.metric, 10);
	cr_assert_eq(r.table, 7);
	cr_assert_eq(r.mtu, 1400);
}

Test(cli_parse, route_defaults)
{
	char *argv[64];
	struct cmd_route r;
	int argc = words("default via 2001:db8::1", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, AF_UNSPEC, &r, err), 0, "%s", err);
	cr_assert_eq(r.plen, 0);
	cr_assert_eq(r.metric, RIB_METRIC_USER);
	cr_assert_eq(r.table, XRT_TABLE_MAIN);
	cr_assert_eq(r.nh[0].dev[0], '\0');
	argc = words("2001:db8::5", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_DEL, AF_UNSPEC, &r, err), 0, "%s", err);
	cr_assert_eq(r.plen, 128, "a bare address is a /128");
}

Test(cli_parse, route_types)
{
	char *argv[64];
	struct cmd_route r;
	const char *cases[] = { "blackhole 2001:db8::/48", "unreachable 2001:db8::/48",
				"prohibit 2001:db8::/48" };
	uint32_t types[] = { XRT_RTN_BLACKHOLE, XRT_RTN_UNREACHABLE, XRT_RTN_PROHIBIT };
	for (int i = 0; i < 3; i++) {
		int argc = words(cases[i], argv);
		cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, AF_UNSPEC, &r, err), 0, "%s", err);
		cr_assert_eq(r.type, types[i]);
		cr_assert_eq(r.nnh, 0);
	}
	int argc = words("blackhole 2001:db8::/48 via fe80::1", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, AF_UNSPEC, &r, err), -EINVAL);
	cr_assert_str_eq(err, "a blackhole route takes no next hop");
}

Test(cli_parse, route_ecmp)
{
	char *argv[64];
	struct cmd_route r;
	int argc = words("2001:db8::/32 nexthop via fe80::1 dev a weight 3 "
			 "nexthop via fe80::2 dev b", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, AF_UNSPEC, &r, err), 0, "%s", err);
	cr_assert(r.multipath);
	cr_assert_eq(r.nnh, 2);
	cr_assert_eq(r.nh[0].weight, 3);
	cr_assert_str_eq(r.nh[0].dev, "a");
	cr_assert_eq(r.nh[1].weight, 0, "unset weight defaults later to 1");
	cr_assert_str_eq(r.nh[1].dev, "b");
	argc = words("2001:db8::/32 nexthop via fe80::1 weight 300", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, AF_UNSPEC, &r, err), -EINVAL);
	cr_assert_str_eq(err, "weight \"300\" is invalid (1..256)");
	argc = words("2001:db8::/32 via fe80::1 weight 3", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, AF_UNSPEC, &r, err), -EINVAL);
	cr_assert_str_eq(err, "\"weight\" belongs to a \"nexthop\"");
}

Test(cli_parse, route_errors_name_the_word)
{
	char *argv[64];
	struct cmd_route r;
	int argc = words("2001:db8::1/64 via fe80::1", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, AF_UNSPEC, &r, err), -EINVAL);
	cr_assert_str_eq(err, "2001:db8::1/64 has host bits set");
	argc = words("2001:db8::/129 dev x", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, AF_UNSPEC, &r, err), -EINVAL);
	cr_assert_str_eq(err, "\"2001:db8::/129\" is not an IPv6 prefix (length must be 0..128)");
	argc = words("2001:zz8::/32 dev x", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, AF_UNSPEC, &r, err), -EINVAL);
	cr_assert_str_eq(err, "\"2001:zz8::/32\" is not an IPv6 prefix");
	argc = words("2001:db8::/32 via fe80::1 bogus", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, AF_UNSPEC, &r, err), -EINVAL);
	cr_assert_str_eq(err, "unknown word \"bogus\"");
	argc = words("2001:db8::/32 via", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, AF_UNSPEC, &r, err), -EINVAL);
	cr_assert_str_eq(err, "\"via\" needs a value");
	argc = words("2001:db8::/32", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, AF_UNSPEC, &r, err), -EINVAL);
	cr_assert_str_eq(err, "a unicast route needs \"via\", \"dev\" or \"nexthop\"");
	argc = words("2001:db8::/32 dev x metric -1", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, AF_UNSPEC, &r, err), -EINVAL);
	cr_assert_str_eq(err, "metric \"-1\" is invalid (0..4294967295)");
	argc = words("2001:db8::/32 dev x mtu 1000", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, AF_UNSPEC, &r, err), -EINVAL);
	cr_assert_str_eq(err, "mtu \"1000\" is invalid (1280..65535)");
	argc = words("2001:db8::/32 dev x table 4294967296", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, AF_UNSPEC, &r, err), -EINVAL);
	cr_assert_str_eq(err, "argument \"4294967296\" is wrong: table id value is invalid");
	/* Table ids are 32-bit, as the kernel's RTA_TABLE. */
	argc = words("2001:db8::/32 dev x table 100000", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, AF_UNSPEC, &r, err), 0, "%s", err);
	cr_assert_eq(r.table, 100000);
}

Test(cli_parse, route_show_and_get)
{
	char *argv[64];
	struct cmd_route r;
	int argc = words("table all", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_SHOW, AF_UNSPEC, &r, err), 0, "%s", err);
	cr_assert(r.table_all);
	cr_assert(!r.has_prefix);
	argc = words("2001:db8::1 from 2001:db8:1::1 iif eth1", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_GET, AF_UNSPEC, &r, err), 0, "%s", err);
	cr_assert(r.has_from);
	cr_assert_str_eq(r.iif, "eth1");
	argc = words("2001:db8::/64", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_GET, AF_UNSPEC, &r, err), -EINVAL);
	cr_assert_str_eq(err, "\"2001:db8::/64\" is not an IPv6 address");
}

Test(cli_parse, link)
{
	char *argv[64];
	struct cmd_link l;
	int argc = words("dev eth0 mtu 9000 forwarding off table 10", argv);
	cr_assert_eq(parse_link(argc, argv, true, true, &l, err), 0, "%s", err);
	cr_assert_str_eq(l.dev, "eth0");
	cr_assert(l.has_mtu && l.mtu == 9000);
	cr_assert(l.has_forwarding && !l.forwarding);
	cr_assert(l.has_table && l.table == 10);
	argc = words("dev eth0 forwarding maybe", argv);
	cr_assert_eq(parse_link(argc, argv, true, true, &l, err), -EINVAL);
	cr_assert_str_eq(err, "forwarding \"maybe\" is invalid (on|off)");
	argc = words("dev eth0 mtu 1500", argv);
	cr_assert_eq(parse_link(argc, argv, true, false, &l, err), -EINVAL);
	cr_assert_str_eq(err, "unknown word \"mtu\"");
	argc = words("dev averyveryverylongname", argv);
	cr_assert_eq(parse_link(argc, argv, true, false, &l, err), -EINVAL);
	cr_assert_str_eq(err, "\"averyveryverylongname\" is not an interface name");
	cr_assert_eq(parse_link(0, argv, true, false, &l, err), -EINVAL);
	cr_assert_str_eq(err, "\"dev\" is needed");
}

Test(cli_parse, link_mode)
{
	char *argv[64];
	struct cmd_link l;
	int argc = words("dev br0 mode generic", argv);
	cr_assert_eq(parse_link(argc, argv, true, true, &l, err), 0, "%s", err);
	cr_assert(l.has_mode && l.mode == XRT_XDP_GENERIC);
	argc = words("eth0 mode native mtu 1500", argv);
	cr_assert_eq(parse_link(argc, argv, true, true, &l, err), 0, "%s", err);
	cr_assert_str_eq(l.dev, "eth0");
	cr_assert(l.has_mode && l.mode == XRT_XDP_NATIVE && l.has_mtu);
	argc = words("dev eth0", argv);
	cr_assert_eq(parse_link(argc, argv, true, true, &l, err), 0, "%s", err);
	cr_assert(!l.has_mode && l.mode == XRT_XDP_NATIVE, "native by default");
	argc = words("dev eth0 mode offload", argv);
	cr_assert_eq(parse_link(argc, argv, true, true, &l, err), -EINVAL);
	cr_assert_str_eq(err, "mode \"offload\": expected native or generic");
	argc = words("dev eth0 mode", argv);
	cr_assert_eq(parse_link(argc, argv, true, true, &l, err), -EINVAL);
	/* stats [dev D] takes no settings */
	argc = words("dev eth0 mode generic", argv);
	cr_assert_eq(parse_link(argc, argv, true, false, &l, err), -EINVAL);
	cr_assert_str_eq(err, "unknown word \"mode\"");
}

Test(cli_parse, addr_keeps_host_bits)
{
	char *argv[64];
	struct cmd_addr a;
	int argc = words("2001:db8::1/64 dev eth0", argv);
	cr_assert_eq(parse_addrcmd(argc, argv, true, AF_UNSPEC, &a, err), 0, "%s", err);
	cr_assert_eq(a.plen, 64);
	struct in6_addr x = A("2001:db8::1");
	cr_assert_arr_eq(&a.addr, &x, 16);
	argc = words("2001:db8::1 dev eth0", argv);
	cr_assert_eq(parse_addrcmd(argc, argv, true, AF_UNSPEC, &a, err), -EINVAL);
	cr_assert_str_eq(err, "\"2001:db8::1\" needs a prefix length (ADDR/PLEN)");
	argc = words("2001:db8::1/64", argv);
	cr_assert_eq(parse_addrcmd(argc, argv, true, AF_UNSPEC, &a, err), -EINVAL);
	cr_assert_str_eq(err, "\"dev\" is needed");
	argc = words("2001:db8::1/64 dev eth0", argv);
	cr_assert_eq(parse_addrcmd(argc, argv, true, AF_UNSPEC, &a, err), 0, "%s", err);
	cr_assert(!a.claim);
	argc = words("2001:db8::1/64 claim dev eth0", argv);
	cr_assert_eq(parse_addrcmd(argc, argv, true, AF_UNSPEC, &a, err), 0, "%s", err);
	cr_assert(a.claim);
	cr_assert_str_eq(a.dev, "eth0");
	argc = words("dev eth0 claim", argv);
	cr_assert_eq(parse_addrcmd(argc, argv, false, AF_UNSPEC, &a, err), -EINVAL, "claim is not a show filter");
}

Test(cli_parse, neigh)
{
	char *argv[64];
	struct cmd_neigh n;
	int argc = words("fe80::1 lladdr 02:00:00:00:00:0a dev eth0", argv);
	cr_assert_eq(parse_neigh(argc, argv, true, true, AF_UNSPEC, &n, err), 0, "%s", err);
	uint8_t mac[6] = { 2, 0, 0, 0, 0, 0x0a };
	cr_assert_arr_eq(n.mac, mac, 6);
	argc = words("fe80::1 lladdr 02:00:00:00:00 dev eth0", argv);
	cr_assert_eq(parse_neigh(argc, argv, true, true, AF_UNSPEC, &n, err), -EINVAL);
	cr_assert_str_eq(err, "\"02:00:00:00:00\" is not a MAC address");
	argc = words("fe80::1 dev eth0", argv);
	cr_assert_eq(parse_neigh(argc, argv, true, true, AF_UNSPEC, &n, err), -EINVAL);
	cr_assert_str_eq(err, "\"lladdr\" is needed");
}

Test(cli_parse, tokenizer)
{
	char line[] = "  route add \"2001:db8::/32\"\tvia fe80::1 # comment\n";
	char *argv[8];
	cr_assert_eq(xrt_tokenize(line, argv, 8), 5);
	cr_assert_str_eq(argv[2], "2001:db8::/32");
	cr_assert_str_eq(argv[4], "fe80::1");
	char bad[] = "route \"add";
	cr_assert_eq(xrt_tokenize(bad, argv, 8), -1);
	char many[] = "a b c d e f g h i";
	cr_assert_eq(xrt_tokenize(many, argv, 8), -1);
	char empty[] = "   # only a comment";
	cr_assert_eq(xrt_tokenize(empty, argv, 8), 0);
}

Test(cli_parse, request_roundtrip)
{
	struct xrt_buf b = { 0 };
	char *c1[] = { "route", "add", "2001:db8::/32", "dev", "x" };
	char *c2[] = { "stats" };
	xrt_ctl_req_begin(&b, XRT_CTL_F_JSON);
	cr_assert_eq(xrt_ctl_req_add(&b, 5, c1), 0);
	cr_assert_eq(xrt_ctl_req_add(&b, 1, c2), 0);
	struct xrt_ctl_iter it;
	uint16_t flags;
	cr_assert_eq(xrt_ctl_iter_init(&it, b.data, b.len, &flags), 0);
	cr_assert_eq(flags, XRT_CTL_F_JSON);
	int argc;
	char *argv[XRT_CTL_MAX_WORDS];
	cr_assert_eq(xrt_ctl_iter_next(&it, &argc, argv), 1);
	cr_assert_eq(argc, 5);
	cr_assert_str_eq(argv[2], "2001:db8::/32");
	cr_assert_eq(xrt_ctl_iter_next(&it, &argc, argv), 1);
	cr_assert_eq(argc, 1);
	cr_assert_str_eq(argv[0], "stats");
	cr_assert_eq(xrt_ctl_iter_next(&it, &argc, argv), 0);
	/* A truncated message is malformed, not a crash. */
	cr_assert_eq(xrt_ctl_iter_init(&it, b.data, b.len - 3, &flags), 0);
	xrt_ctl_iter_next(&it, &argc, argv);
	cr_assert_eq(xrt_ctl_iter_next(&it, &argc, argv), -EINVAL);
	cr_assert_eq(xrt_ctl_iter_init(&it, b.data, 4, &flags), -EINVAL);
	xrt_buf_free(&b);
}

Test(cli_parse, route_get_flow)
{
	char *argv[64];
	struct cmd_route r;
	int argc = words("2001:db8::1 from 2001:db8:1::2 ipproto udp sport 4000 dport 53 flowlabel 0x12345", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_GET, AF_UNSPEC, &r, err), 0, "%s", err);
	cr_assert(r.has_ipproto);
	cr_assert_eq(r.ipproto, 17);
	cr_assert_eq(r.sport, 4000);
	cr_assert_eq(r.dport, 53);
	cr_assert_eq(r.flowlabel, 0x12345);
	argc = words("2001:db8::1 sport 70000", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_GET, AF_UNSPEC, &r, err), -EINVAL);
	cr_assert_str_eq(err, "sport \"70000\" is invalid (0..65535)");
	argc = words("2001:db8::1 flowlabel 0x100000", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_GET, AF_UNSPEC, &r, err), -EINVAL);
	argc = words("2001:db8::/32 dev x sport 1", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, AF_UNSPEC, &r, err), -EINVAL);
	cr_assert_str_eq(err, "unknown word \"sport\"");
}

/* The command table: a whole command line parses into a request with no
 * daemon behind it (config_check's dry run), or names the offending word. */
static struct cmd_req req;

static int cmd(const char *s)
{
	char *argv[64];
	return cmd_parse(words(s, argv), argv, &req, err);
}

Test(cli_parse, table_objects_and_abbreviations)
{
	cr_assert_eq(cmd("r a 2001:db8::/32 via fe80::1 dev eth0"), 0, "%s", err);
	cr_assert_str_eq(req.obj->name, "route");
	cr_assert_eq(req.route.plen, 32);
	cr_assert_eq(cmd("ro sh table all"), 0, "%s", err);
	cr_assert(req.route.table_all);
	cr_assert_eq(cmd("addr add 2001:db8::1/64 dev eth0 claim"), 0, "%s", err);
	cr_assert_str_eq(req.obj->name, "address");
	cr_assert(req.addr.claim);
	cr_assert_eq(cmd("neighbor add 2001:db8::2 lladdr 02:00:00:00:00:01 dev eth0"), 0, "%s", err);
	cr_assert_str_eq(req.obj->name, "neighbor");
	cr_assert_eq(cmd("link attach dev nosuchif0"), 0, "parse does not look at interfaces: %s", err);
	cr_assert_eq(cmd("st dev eth0"), 0, "%s", err);
	cr_assert_str_eq(req.link.dev, "eth0");
	cr_assert_eq(cmd("sync kernel on"), 0, "%s", err);
	cr_assert(req.sync.on);
	cr_assert_eq(cmd("punt set hop_limit rate 100"), 0, "%s", err);
	cr_assert(req.punt.has_rate && !req.punt.has_burst);
	cr_assert_eq(cmd("ra set dev eth0 on"), 0, "%s", err);
	cr_assert_eq(cmd("icmp ratelimit 10"), 0, "%s", err);
	cr_assert_eq(cmd("config reload"), 0, "%s", err);
}

Test(cli_parse, table_errors_name_the_word)
{
	cr_assert_eq(cmd(""), -EINVAL);
	cr_assert_str_eq(err, "empty command");
	cr_assert_eq(cmd("s"), -EINVAL, "stats and sync need two letters");
	cr_assert_str_eq(err, "unknown object \"s\" (link, addr, route, neigh, stats, sync, punt, "
			      "ra, icmp, config, acl, rule)");
	cr_assert_eq(cmd("i show"), -EINVAL, "icmp is not abbreviated");
	cr_assert_eq(cmd("route frob"), -EINVAL);
	cr_assert_str_eq(err, "unknown route command \"frob\" (add, del, replace, show, get, "
			      "flush, summary)");
	cr_assert_eq(cmd("route flush 2001:db8::/32"), -EINVAL, "flush takes selectors");
	cr_assert_eq(cmd("addr del 2001:db8::1/64 dev eth0 claim"), -EINVAL);
	cr_assert_str_eq(err, "\"claim\" goes with addr add");
	cr_assert_eq(cmd("punt set nosuch rate 1"), -EINVAL);
	cr_assert(strstr(err, "unknown punt reason \"nosuch\""), "%s", err);
	cr_assert_eq(cmd("punt set hop_limit rate"), -EINVAL);
	cr_assert_str_eq(err, "missing value after \"rate\"");
	cr_assert_eq(cmd("sync kernel maybe"), -EINVAL);
	cr_assert_str_eq(err, "sync kernel \"maybe\" is invalid (on|off)");
	cr_assert_eq(cmd("config frob"), -EINVAL);
	cr_assert_str_eq(err, "unknown config command \"frob\" (reload)");
	cr_assert_eq(cmd("link set mtu 1400"), -EINVAL);
	cr_assert_str_eq(err, "\"dev\" is needed");
}

/* ---- IPv4: the family inferred from the address as iproute2 does, -4/-6,
 * mapped addresses below the CLI (include/xrt/inet.h). ---- */

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
	argc = words("-j route show", argv);
	cr_assert_eq(cmd_parse(argc, argv, &req, err), -EINVAL);
	cr_assert_str_eq(err, "option \"-j\" is unknown here (-4, -6, -f inet|inet6)");
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
