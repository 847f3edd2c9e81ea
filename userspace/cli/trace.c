/* xrt: `xrt trace`: parse the filter, the packet count and the timeout of a session (ctl/trace.c runs it). */
#include "cli/trace.h"

#include <errno.h>
#include <string.h>

#include "cli/utils.h"
#include "xrt/proto.h"
#include "xrt/trace.h"

bool trace_is(int argc, char **argv)
{
	return argc >= 1 && matches(argv[0], "trace", 2);
}

/* iproute2's protocol words for the ones a router sees most, or a number. */
static int parse_proto(const char *w, uint8_t *proto, char *err)
{
	static const struct {
		const char *name;
		uint8_t proto;
	} names[] = {
		{ "icmp", IPPROTO_ICMP },     { "tcp", NEXTHDR_TCP },
		{ "udp", NEXTHDR_UDP },       { "icmpv6", NEXTHDR_ICMP },
		{ "ipv6-icmp", NEXTHDR_ICMP },
	};
	uint32_t v;
	int rc;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(w, names[i].name)) {
			*proto = names[i].proto;
			return 0;
		}
	rc = parse_u32(w, 0, 255, &v, "proto", err);
	if (!rc)
		*proto = (uint8_t)v;
	return rc;
}

int trace_parse(int argc, char **argv, struct cmd_trace *t, char *err)
{
	int rc;

	memset(t, 0, sizeof(*t));
	t->count = XRT_TRACE_DEFAULT_COUNT;
	t->timeout = XRT_TRACE_DEFAULT_TIMEOUT;
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];

		if (!strcmp(w, "dev")) {
			rc = next_dev(argc, argv, &i, t->dev, err);
		} else if (!strcmp(w, "from") || !strcmp(w, "to")) {
			bool from = w[0] == 'f';

			rc = next_word(argc, argv, &i, err);
			if (!rc)
				rc = parse_prefix(argv[i], from ? &t->from : &t->to,
						  from ? &t->from_plen : &t->to_plen, false, err);
			*(from ? &t->has_from : &t->has_to) = true;
		} else if (!strcmp(w, "proto")) {
			rc = next_word(argc, argv, &i, err);
			if (!rc)
				rc = parse_proto(argv[i], &t->proto, err);
			t->has_proto = true;
		} else if (!strcmp(w, "count")) {
			rc = next_word(argc, argv, &i, err);
			if (!rc)
				rc = parse_u32(argv[i], 1, XRT_TRACE_MAX_COUNT, &t->count, "count", err);
		} else if (!strcmp(w, "timeout")) {
			rc = next_word(argc, argv, &i, err);
			if (!rc)
				rc = parse_u32(argv[i], 1, XRT_TRACE_MAX_TIMEOUT, &t->timeout, "timeout",
					       err);
		} else {
			return xrt_fail(err, -EINVAL,
					"trace: unknown word \"%s\" (dev, from, to, proto, count, timeout)",
					w);
		}
		if (rc)
			return rc;
	}
	return 0;
}
