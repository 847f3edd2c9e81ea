/* xrt: unit tests of the command grammar's parsers (words in, request or error out). */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "cli/cmd.h"
#include "ctl/ctl_proto.h"

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
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, &r, err), 0, "%s", err);
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
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, &r, err), 0, "%s", err);
	cr_assert_eq(r.plen, 0);
	cr_assert_eq(r.metric, RIB_METRIC_USER);
	cr_assert_eq(r.table, XRT_TABLE_MAIN);
	cr_assert_eq(r.nh[0].dev[0], '\0');
	argc = words("2001:db8::5", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_DEL, &r, err), 0, "%s", err);
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
		cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, &r, err), 0, "%s", err);
		cr_assert_eq(r.type, types[i]);
		cr_assert_eq(r.nnh, 0);
	}
	int argc = words("blackhole 2001:db8::/48 via fe80::1", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, &r, err), -EINVAL);
	cr_assert_str_eq(err, "a blackhole route takes no next hop");
}

Test(cli_parse, route_ecmp)
{
	char *argv[64];
	struct cmd_route r;
	int argc = words("2001:db8::/32 nexthop via fe80::1 dev a weight 3 "
			 "nexthop via fe80::2 dev b", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, &r, err), 0, "%s", err);
	cr_assert(r.multipath);
	cr_assert_eq(r.nnh, 2);
	cr_assert_eq(r.nh[0].weight, 3);
	cr_assert_str_eq(r.nh[0].dev, "a");
	cr_assert_eq(r.nh[1].weight, 0, "unset weight defaults later to 1");
	cr_assert_str_eq(r.nh[1].dev, "b");
	argc = words("2001:db8::/32 nexthop via fe80::1 weight 300", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, &r, err), -EINVAL);
	cr_assert_str_eq(err, "weight \"300\" is invalid (1..256)");
	argc = words("2001:db8::/32 via fe80::1 weight 3", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, &r, err), -EINVAL);
	cr_assert_str_eq(err, "\"weight\" belongs to a \"nexthop\"");
}

Test(cli_parse, route_errors_name_the_word)
{
	char *argv[64];
	struct cmd_route r;
	int argc = words("2001:db8::1/64 via fe80::1", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, &r, err), -EINVAL);
	cr_assert_str_eq(err, "2001:db8::1/64 has host bits set");
	argc = words("2001:db8::/129 dev x", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, &r, err), -EINVAL);
	cr_assert_str_eq(err, "\"2001:db8::/129\" is not an IPv6 prefix (length must be 0..128)");
	argc = words("2001:zz8::/32 dev x", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, &r, err), -EINVAL);
	cr_assert_str_eq(err, "\"2001:zz8::/32\" is not an IPv6 prefix");
	argc = words("2001:db8::/32 via fe80::1 bogus", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, &r, err), -EINVAL);
	cr_assert_str_eq(err, "unknown word \"bogus\"");
	argc = words("2001:db8::/32 via", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, &r, err), -EINVAL);
	cr_assert_str_eq(err, "\"via\" needs a value");
	argc = words("2001:db8::/32", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, &r, err), -EINVAL);
	cr_assert_str_eq(err, "a unicast route needs \"via\", \"dev\" or \"nexthop\"");
	argc = words("2001:db8::/32 dev x metric -1", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, &r, err), -EINVAL);
	cr_assert_str_eq(err, "metric \"-1\" is invalid (0..4294967295)");
	argc = words("2001:db8::/32 dev x mtu 1000", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, &r, err), -EINVAL);
	cr_assert_str_eq(err, "mtu \"1000\" is invalid (1280..65535)");
	argc = words("2001:db8::/32 dev x table 256", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, &r, err), -EINVAL);
	cr_assert_str_eq(err, "table \"256\" is invalid (0..255)");
}

Test(cli_parse, route_show_and_get)
{
	char *argv[64];
	struct cmd_route r;
	int argc = words("table all", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_SHOW, &r, err), 0, "%s", err);
	cr_assert(r.table_all);
	cr_assert(!r.has_prefix);
	argc = words("2001:db8::1 from 2001:db8:1::1 iif eth1", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_GET, &r, err), 0, "%s", err);
	cr_assert(r.has_from);
	cr_assert_str_eq(r.iif, "eth1");
	argc = words("2001:db8::/64", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_GET, &r, err), -EINVAL);
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
	cr_assert_eq(parse_addrcmd(argc, argv, true, &a, err), 0, "%s", err);
	cr_assert_eq(a.plen, 64);
	struct in6_addr x = A("2001:db8::1");
	cr_assert_arr_eq(&a.addr, &x, 16);
	argc = words("2001:db8::1 dev eth0", argv);
	cr_assert_eq(parse_addrcmd(argc, argv, true, &a, err), -EINVAL);
	cr_assert_str_eq(err, "\"2001:db8::1\" needs a prefix length (ADDR/PLEN)");
	argc = words("2001:db8::1/64", argv);
	cr_assert_eq(parse_addrcmd(argc, argv, true, &a, err), -EINVAL);
	cr_assert_str_eq(err, "\"dev\" is needed");
	argc = words("2001:db8::1/64 dev eth0", argv);
	cr_assert_eq(parse_addrcmd(argc, argv, true, &a, err), 0, "%s", err);
	cr_assert(!a.claim);
	argc = words("2001:db8::1/64 claim dev eth0", argv);
	cr_assert_eq(parse_addrcmd(argc, argv, true, &a, err), 0, "%s", err);
	cr_assert(a.claim);
	cr_assert_str_eq(a.dev, "eth0");
	argc = words("dev eth0 claim", argv);
	cr_assert_eq(parse_addrcmd(argc, argv, false, &a, err), -EINVAL, "claim is not a show filter");
}

Test(cli_parse, neigh)
{
	char *argv[64];
	struct cmd_neigh n;
	int argc = words("fe80::1 lladdr 02:00:00:00:00:0a dev eth0", argv);
	cr_assert_eq(parse_neigh(argc, argv, true, true, &n, err), 0, "%s", err);
	uint8_t mac[6] = { 2, 0, 0, 0, 0, 0x0a };
	cr_assert_arr_eq(n.mac, mac, 6);
	argc = words("fe80::1 lladdr 02:00:00:00:00 dev eth0", argv);
	cr_assert_eq(parse_neigh(argc, argv, true, true, &n, err), -EINVAL);
	cr_assert_str_eq(err, "\"02:00:00:00:00\" is not a MAC address");
	argc = words("fe80::1 dev eth0", argv);
	cr_assert_eq(parse_neigh(argc, argv, true, true, &n, err), -EINVAL);
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
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_GET, &r, err), 0, "%s", err);
	cr_assert(r.has_ipproto);
	cr_assert_eq(r.ipproto, 17);
	cr_assert_eq(r.sport, 4000);
	cr_assert_eq(r.dport, 53);
	cr_assert_eq(r.flowlabel, 0x12345);
	argc = words("2001:db8::1 sport 70000", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_GET, &r, err), -EINVAL);
	cr_assert_str_eq(err, "sport \"70000\" is invalid (0..65535)");
	argc = words("2001:db8::1 flowlabel 0x100000", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_GET, &r, err), -EINVAL);
	argc = words("2001:db8::/32 dev x sport 1", argv);
	cr_assert_eq(parse_route(argc, argv, ROUTE_MODE_ADD, &r, err), -EINVAL);
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
			      "ra, icmp, config, acl)");
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
