/* xrt: `xrt trace [dev D] [from PREFIX] [to PREFIX] [proto P] [count N] [timeout S]`: the words of a trace session. */
#ifndef XRT_CLI_TRACE_H
#define XRT_CLI_TRACE_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

struct cmd_trace {
	char dev[IF_NAMESIZE]; /* "" = every attached link */
	bool has_from, has_to, has_proto;
	struct in6_addr from, to; /* IPv4 as ::ffff:a.b.c.d, plen + 96 */
	unsigned from_plen, to_plen;
	uint8_t proto;
	uint32_t count;   /* packets, 1..XRT_TRACE_MAX_COUNT */
	uint32_t timeout; /* seconds, 1..XRT_TRACE_MAX_TIMEOUT */
};

/* argv[0] is "trace" (or its abbreviation); no daemon state, no side
 * effect; err names the offending word. */
int trace_parse(int argc, char **argv, struct cmd_trace *t, char *err);
/* Is this command a trace session? */
bool trace_is(int argc, char **argv);

#endif
