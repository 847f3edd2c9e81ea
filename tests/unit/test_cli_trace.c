/* xrt: unit tests of `xrt trace`'s words (cli/trace.c) and `link set ... up|down` (cli/link.c). */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/trace.h"
#include "ctl/ctl_proto.h"
#include "xrt/proto.h"
#include "xrt/trace.h"

static char err[XRT_ERR_LEN];

static int words(const char *s, char **argv)
{
	static char buf[1024];
	strcpy(buf, s);
	return xrt_tokenize(buf, argv, 64);
}

Test(cli_trace, defaults)
{
	char *argv[64];
	struct cmd_trace t;
	int argc = words("trace", argv);

	cr_assert(trace_is(argc, argv));
	cr_assert_eq(trace_parse(argc, argv, &t, err), 0, "%s", err);
	cr_assert_eq(t.count, XRT_TRACE_DEFAULT_COUNT);
	cr_assert_eq(t.timeout, XRT_TRACE_DEFAULT_TIMEOUT);
	cr_assert(!t.has_from && !t.has_to && !t.has_proto && !t.dev[0]);
}

Test(cli_trace, every_word)
{
	char *argv[64];
	struct cmd_trace t;
	struct in6_addr a;
	int argc = words("tr dev eth0 from 2001:db8:1::/48 to 2001:db8:2::1 proto udp count 1000 "
			 "timeout 5",
			 argv);

	cr_assert(trace_is(argc, argv));
	cr_assert_eq(trace_parse(argc, argv, &t, err), 0, "%s", err);
	cr_assert_str_eq(t.dev, "eth0");
	cr_assert(t.has_from && t.has_to && t.has_proto);
	inet_pton(AF_INET6, "2001:db8:1::", &a);
	cr_assert_arr_eq(&t.from, &a, 16);
	cr_assert_eq(t.from_plen, 48);
	cr_assert_eq(t.to_plen, 128);
	cr_assert_eq(t.proto, NEXTHDR_UDP);
	cr_assert_eq(t.count, 1000);
	cr_assert_eq(t.timeout, 5);
	argc = words("trace proto icmpv6", argv);
	cr_assert_eq(trace_parse(argc, argv, &t, err), 0, "%s", err);
	cr_assert_eq(t.proto, NEXTHDR_ICMP);
	argc = words("trace proto 89", argv);
	cr_assert_eq(trace_parse(argc, argv, &t, err), 0, "%s", err);
	cr_assert_eq(t.proto, 89);
}

/* Each bad word is named. */
Test(cli_trace, errors)
{
	static const struct {
		const char *line, *msg;
	} bad[] = {
		{ "trace count 0", "count \"0\" is invalid (1..1000)" },
		{ "trace count 1001", "count \"1001\" is invalid (1..1000)" },
		{ "trace timeout 0", "timeout \"0\" is invalid (1..3600)" },
		{ "trace proto 256", "proto \"256\" is invalid (0..255)" },
		{ "trace proto sctpx", "proto \"sctpx\" is invalid (0..255)" },
		{ "trace to", "\"to\" needs a value" },
		{ "trace to 2001:db8::1/48", "2001:db8::1/48 has host bits set" },
		{ "trace bogus", "unknown word \"bogus\"" },
	};
	char *argv[64];
	struct cmd_trace t;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int argc = words(bad[i].line, argv);

		err[0] = 0;
		cr_assert_eq(trace_parse(argc, argv, &t, err), -EINVAL, "%s", bad[i].line);
		cr_assert(strstr(err, bad[i].msg), "%s: \"%s\"", bad[i].line, err);
	}
	char *w[] = { "monitor" };
	cr_assert(!trace_is(1, w));
}

Test(cli_trace, link_set_up_down)
{
	char *argv[64];
	struct cmd_link l;
	int argc = words("dev eth0 down mtu 1400", argv);

	cr_assert_eq(parse_link(argc, argv, true, true, &l, err), 0, "%s", err);
	cr_assert(l.has_admin && !l.admin_up && l.has_mtu);
	argc = words("eth0 up", argv);
	cr_assert_eq(parse_link(argc, argv, true, true, &l, err), 0, "%s", err);
	cr_assert(l.has_admin && l.admin_up);
	cr_assert_str_eq(l.dev, "eth0");
	argc = words("dev eth0 up", argv);
	cr_assert_eq(parse_link(argc, argv, true, false, &l, err), -EINVAL, "up in show");
}
