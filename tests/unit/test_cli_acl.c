/* xrt: unit tests of `acl` and `link set ... rpf` grammar, and of the ACL match xrtd shares with the fast path (include/xrt/acl.h). */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "cli/cmd.h"
#include "ctl/ctl_proto.h"
#include "xrt/acl.h"

static char err[XRT_ERR_LEN];

static int parse(const char *s, struct cmd_req *req)
{
	static char buf[1024];
	char *argv[64];

	strcpy(buf, s);
	err[0] = '\0';
	return cmd_parse(xrt_tokenize(buf, argv, 64), argv, req, err);
}

/* The command must fail with a message containing want. */
static void refused(const char *s, const char *want)
{
	struct cmd_req req;

	cr_assert_eq(parse(s, &req), -EINVAL, "\"%s\" accepted", s);
	cr_assert(strstr(err, want), "\"%s\": error \"%s\" lacks \"%s\"", s, err, want);
}

Test(cli_acl, every_field)
{
	struct cmd_req req;
	struct in6_addr a;

	cr_assert_eq(parse("acl add dev eth0 dir out from 2001:db8::/32 to 2001:db8:1::/48 "
			   "ipproto tcp sport 1024-65535 dport 22 priority 7 action drop",
			   &req),
		     0, "%s", err);
	const struct cmd_acl *c = &req.acl;
	cr_assert_str_eq(c->dev, "eth0");
	cr_assert_eq(c->r.dir, XRT_ACL_OUT);
	inet_pton(AF_INET6, "2001:db8::", &a);
	cr_assert_arr_eq(c->r.src, &a, 16);
	cr_assert_eq(c->r.smask[3], 0xff);
	cr_assert_eq(c->r.smask[4], 0);
	cr_assert_eq(c->r.dmask[5], 0xff);
	cr_assert_eq(c->r.dmask[6], 0);
	cr_assert_eq(c->r.proto, NEXTHDR_TCP);
	cr_assert_eq(c->r.sport_lo, 1024);
	cr_assert_eq(c->r.sport_hi, 65535);
	cr_assert_eq(c->r.dport_lo, 22);
	cr_assert_eq(c->r.dport_hi, 22);
	cr_assert_eq(c->r.flags, XRT_ACL_F_PROTO | XRT_ACL_F_SPORT | XRT_ACL_F_DPORT);
	cr_assert_eq(c->prio, 7);
	cr_assert_eq(c->r.action, XRT_ACL_DROP);
}

Test(cli_acl, defaults_and_icmp)
{
	struct cmd_req req;

	cr_assert_eq(parse("acl add icmp-type echo-request code 0 action pass", &req), 0, "%s",
		     err);
	cr_assert_eq(req.acl.r.dir, XRT_ACL_IN);
	cr_assert_eq(req.acl.prio, 1000);
	cr_assert_eq(req.acl.r.proto, NEXTHDR_ICMP, "icmp-type implies icmpv6");
	cr_assert_eq(req.acl.r.icmp_type, ICMP6_ECHO_REQUEST);
	cr_assert_eq(req.acl.r.flags, XRT_ACL_F_PROTO | XRT_ACL_F_TYPE | XRT_ACL_F_CODE);
	cr_assert_eq(req.acl.r.action, XRT_ACL_PASS);
	cr_assert_eq(parse("acl add dir local ipproto 132 action drop", &req), 0, "%s", err);
	cr_assert_eq(req.acl.r.dir, XRT_ACL_LOCAL);
	cr_assert_eq(req.acl.r.proto, 132);
	cr_assert_eq(parse("acl show dir out dev eth1", &req), 0, "%s", err);
	cr_assert(req.acl.has_dir);
	cr_assert_eq(parse("acl flush", &req), 0, "%s", err);
	cr_assert_eq(parse("acl del ipproto udp dport 53", &req), 0, "del needs no action: %s",
		     err);
}

Test(cli_acl, errors_name_the_word)
{
	refused("acl add ipproto udp", "\"action pass|drop\" is needed");
	refused("acl add action reject", "action \"reject\"");
	refused("acl add dir sideways action drop", "dir \"sideways\"");
	refused("acl add from 2001:db8::1/32 action drop", "host bits");
	refused("acl add to nonsense action drop", "\"nonsense\"");
	refused("acl add from ::ffff:10.0.0.0/104 action drop", "write it as IPv4");
	refused("acl add ipproto sctpx action drop", "ipproto \"sctpx\"");
	refused("acl add ipproto 256 action drop", "ipproto \"256\"");
	refused("acl add dport 22 action drop", "need ipproto tcp or udp");
	refused("acl add ipproto icmpv6 dport 22 action drop", "need ipproto tcp or udp");
	refused("acl add ipproto udp dport 70000 action drop", "dport \"70000\"");
	refused("acl add ipproto udp sport 9-3 action drop", "sport \"9-3\"");
	refused("acl add ipproto udp dport 1- action drop", "dport \"1-\"");
	refused("acl add code 3 action drop", "\"code\" needs \"icmp-type\"");
	refused("acl add ipproto tcp icmp-type 1 action drop", "icmp-type needs ipproto icmp or icmpv6");
	refused("acl add icmp-type bogus action drop", "icmp-type \"bogus\"");
	refused("acl add priority -1 action drop", "priority \"-1\"");
	refused("acl add bogus 1 action drop", "unknown word \"bogus\"");
	refused("acl add action", "\"action\" needs a value");
	refused("acl show ipproto udp", "unknown word \"ipproto\" (dev, dir)");
	refused("acl frob", "unknown acl command \"frob\"");
}

Test(cli_acl, link_rpf)
{
	struct cmd_req req;

	cr_assert_eq(parse("link set dev eth0 rpf strict", &req), 0, "%s", err);
	cr_assert(req.link.has_rpf);
	cr_assert_eq(req.link.rpf, XRT_RPF_STRICT);
	cr_assert_eq(parse("link set eth0 rpf loose", &req), 0, "%s", err);
	cr_assert_eq(req.link.rpf, XRT_RPF_LOOSE);
	cr_assert_str_eq(req.link.dev, "eth0");
	cr_assert_eq(parse("link set dev eth0 rpf off", &req), 0, "%s", err);
	cr_assert_eq(req.link.rpf, XRT_RPF_OFF);
	refused("link set dev eth0 rpf 1", "rpf \"1\": expected strict, loose or off");
	refused("link show dev eth0 rpf strict", "unknown word \"rpf\"");
}

/* The shared match over a parsed packet: what xrtd runs for local input. */
static uint8_t pkt[128];

static size_t udp6(const char *src, const char *dst, uint16_t sport, uint16_t dport)
{
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x60;
	pkt[5] = 8;
	pkt[6] = NEXTHDR_UDP;
	inet_pton(AF_INET6, src, pkt + 8);
	inet_pton(AF_INET6, dst, pkt + 24);
	pkt[40] = (uint8_t)(sport >> 8), pkt[41] = (uint8_t)sport;
	pkt[42] = (uint8_t)(dport >> 8), pkt[43] = (uint8_t)dport;
	return 48;
}

Test(cli_acl, shared_match)
{
	struct cmd_req req;
	struct xrt_acl_key k = { 0 };
	size_t n = udp6("2001:db8:5::1", "2001:db8::1", 4000, 53);

	xrt_acl_parse6(pkt, pkt + n, &k);
	cr_assert_eq(k.proto, NEXTHDR_UDP);
	cr_assert(k.l4);
	cr_assert_eq(k.sport, 4000);
	cr_assert_eq(k.dport, 53);
	cr_assert_eq(parse("acl add from 2001:db8:4::/47 ipproto udp dport 50-60 action drop",
			   &req),
		     0, "%s", err);
	cr_assert(xrt_acl_match(&req.acl.r, &k));
	/* Truncated before the ports: a port rule cannot match. */
	k = (struct xrt_acl_key){ 0 };
	xrt_acl_parse6(pkt, pkt + 42, &k);
	cr_assert_not(k.l4);
	cr_assert_not(xrt_acl_match(&req.acl.r, &k));
	/* Outside the source prefix. */
	udp6("2001:db8:6::1", "2001:db8::1", 4000, 53);
	k = (struct xrt_acl_key){ 0 };
	xrt_acl_parse6(pkt, pkt + n, &k);
	cr_assert_not(xrt_acl_match(&req.acl.r, &k));
}

/* IPv4 rules: the family from -4/-6, the addresses or ipproto icmp, else
 * IPv6; ICMP's type names for IPv4; one family per rule. */
Test(cli_acl, ipv4_rules)
{
	struct cmd_req req;
	struct in6_addr a;

	cr_assert_eq(parse("acl add from 10.0.0.0/8 to 192.0.2.0/24 ipproto udp dport 53 "
			   "action drop",
			   &req),
		     0, "%s", err);
	cr_assert(req.acl.r.v4);
	inet_pton(AF_INET6, "::ffff:10.0.0.0", &a);
	cr_assert_arr_eq(req.acl.r.src, &a, 16);
	cr_assert_eq(req.acl.r.smask[12], 0xff, "plen 8 + 96");
	cr_assert_eq(req.acl.r.smask[13], 0);
	cr_assert_eq(req.acl.r.dmask[14], 0xff, "plen 24 + 96");
	cr_assert_eq(req.acl.r.dmask[15], 0);
	/* -4 without addresses: the whole IPv4 space (::ffff:0:0/96). */
	cr_assert_eq(parse("-4 acl add dir local ipproto tcp dport 22 action drop", &req), 0,
		     "%s", err);
	cr_assert(req.acl.r.v4);
	cr_assert_eq(req.acl.r.smask[11], 0xff);
	cr_assert_eq(req.acl.r.smask[12], 0);
	cr_assert_eq(req.acl.r.src[10], 0xff);
	/* icmp-type: ICMP's numbers in an IPv4 rule, ICMPv6's in an IPv6 one. */
	cr_assert_eq(parse("acl add to 192.0.2.1 icmp-type echo-request action drop", &req), 0,
		     "%s", err);
	cr_assert(req.acl.r.v4);
	cr_assert_eq(req.acl.r.proto, IP4_PROTO_ICMP);
	cr_assert_eq(req.acl.r.icmp_type, 8);
	cr_assert_eq(parse("acl add icmp-type echo-request from 192.0.2.0/24 action drop", &req), 0,
		     "%s", err);
	cr_assert_eq(req.acl.r.icmp_type, 8, "the family decides a name given before it");
	cr_assert_eq(parse("acl add ipproto icmp icmp-type time-exceeded action drop", &req), 0,
		     "%s", err);
	cr_assert(req.acl.r.v4, "ipproto icmp is IPv4's");
	cr_assert_eq(req.acl.r.icmp_type, 11);
	cr_assert_eq(parse("acl add icmp-type echo-request action drop", &req), 0, "%s", err);
	cr_assert_not(req.acl.r.v4, "no address, no -4: IPv6");
	cr_assert_eq(req.acl.r.icmp_type, ICMP6_ECHO_REQUEST);
	/* show and flush: -4/-6 select, no family is both. */
	cr_assert_eq(parse("-4 acl flush dir in", &req), 0, "%s", err);
	cr_assert_eq(req.acl.family, AF_INET);
	cr_assert_eq(parse("acl show", &req), 0, "%s", err);
	cr_assert_eq(req.acl.family, AF_UNSPEC);

	refused("acl add from 10.0.0.0/8 to 2001:db8::/32 action drop", "2001:db8::/32");
	refused("-6 acl add from 10.0.0.0/8 action drop", "10.0.0.0/8");
	refused("-4 acl add to 2001:db8::/32 action drop", "2001:db8::/32");
	refused("acl add from 10.0.0.0/33 action drop", "0..32");
	refused("acl add from 10.0.0.1/8 action drop", "host bits");
	refused("acl add from 10.0.0.0/8 ipproto icmpv6 action drop", "ipproto icmpv6");
	refused("-6 acl add ipproto icmp action drop", "ipproto icmp ");
	refused("acl add to 192.0.2.1 icmp-type packet-too-big action drop",
		"icmp-type \"packet-too-big\"");
	refused("acl add icmp-type redirect action drop", "icmp-type \"redirect\"");
}

static size_t udp4(const char *src, const char *dst, uint16_t frag, uint16_t dport)
{
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x45;
	pkt[3] = 28;
	pkt[6] = (uint8_t)(frag >> 8), pkt[7] = (uint8_t)frag;
	pkt[9] = NEXTHDR_UDP;
	inet_pton(AF_INET, src, pkt + 12);
	inet_pton(AF_INET, dst, pkt + 16);
	pkt[20] = 0x9c, pkt[21] = 0x40; /* sport 40000 */
	pkt[22] = (uint8_t)(dport >> 8), pkt[23] = (uint8_t)dport;
	return 28;
}

/* The IPv4 key: mapped addresses, ports in the first fragment only, and a
 * rule of one family never matching the other's packets. */
Test(cli_acl, shared_match_ipv4)
{
	struct cmd_req req, any6;
	struct xrt_acl_key k = { 0 };
	size_t n = udp4("10.1.2.3", "192.0.2.1", 0, 53);

	xrt_acl_parse4(pkt, pkt + n, &k);
	cr_assert(k.v4);
	cr_assert(k.l4);
	cr_assert_eq(k.sport, 40000);
	cr_assert_eq(k.dport, 53);
	cr_assert_eq(parse("acl add from 10.0.0.0/8 ipproto udp dport 53 action drop", &req), 0,
		     "%s", err);
	cr_assert(xrt_acl_match(&req.acl.r, &k));
	cr_assert_eq(parse("acl add ipproto udp action drop", &any6), 0, "%s", err);
	cr_assert_not(xrt_acl_match(&any6.acl.r, &k), "an IPv6 rule matched IPv4");
	/* First fragment (MF, offset 0): ports known. */
	k = (struct xrt_acl_key){ 0 };
	xrt_acl_parse4(pkt, pkt + udp4("10.1.2.3", "192.0.2.1", IP4_FLAG_MF, 53), &k);
	cr_assert(xrt_acl_match(&req.acl.r, &k));
	/* A non-first fragment: protocol only, a port rule cannot match. */
	k = (struct xrt_acl_key){ 0 };
	xrt_acl_parse4(pkt, pkt + udp4("10.1.2.3", "192.0.2.1", 100, 53), &k);
	cr_assert_eq(k.proto, NEXTHDR_UDP);
	cr_assert_not(k.l4);
	cr_assert_not(xrt_acl_match(&req.acl.r, &k));
	cr_assert_eq(parse("acl add from 10.0.0.0/8 ipproto udp action drop", &req), 0, "%s", err);
	cr_assert(xrt_acl_match(&req.acl.r, &k));
	/* Outside the prefix; an IPv6 packet for an IPv4 rule. */
	k = (struct xrt_acl_key){ 0 };
	xrt_acl_parse4(pkt, pkt + udp4("11.1.2.3", "192.0.2.1", 0, 53), &k);
	cr_assert_not(xrt_acl_match(&req.acl.r, &k));
	k = (struct xrt_acl_key){ 0 };
	xrt_acl_parse6(pkt, pkt + udp6("::ffff:10.1.2.3", "2001:db8::1", 4000, 53), &k);
	cr_assert_not(xrt_acl_match(&req.acl.r, &k), "an IPv4 rule matched IPv6");
	/* Truncated IPv4 header: nothing to match but the family. */
	k = (struct xrt_acl_key){ 0 };
	xrt_acl_parse4(pkt, pkt + 10, &k);
	cr_assert_not(xrt_acl_match(&req.acl.r, &k));
}
