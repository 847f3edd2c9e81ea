/* xrt: the command grammar: one parse (words -> request) and one execute (request -> state, output) per object, as iproute2's ip_common.h. */
#ifndef XRT_CLI_CMD_H
#define XRT_CLI_CMD_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include "cli/utils.h"
#include "ctl/ctl_proto.h"
#include "rib/rib.h"
#include "router/router.h"
#include "stack/ndisc_ra.h"
#include "stack/stack.h"
#include "xrt/acl.h"
#include "rib/fib_rules.h"

/* ---------------- requests: what a command's words mean ---------------- */

struct cmd_nexthop {
	bool has_gw;
	struct in6_addr gw;
	char dev[IF_NAMESIZE];
	uint32_t weight;
};

/* `route add|del|replace|show|get|flush` arguments. */
struct cmd_route {
	int family; /* AF_INET, AF_INET6, AF_UNSPEC (show, flush: both) */
	uint32_t type; /* enum xrt_rtn */
	bool has_prefix, has_metric, has_table, has_type, table_all, has_from;
	struct in6_addr prefix, from;
	unsigned plen;
	/* add, del, show, flush: `from SRC/PLEN`, a source-specific route
	 * (IPv6; IPv4's is ignored, as the kernel does) */
	bool has_src;
	struct in6_addr src;
	unsigned src_plen;
	uint32_t metric, table, mtu;
	unsigned nnh;
	bool multipath; /* "nexthop" keyword used */
	struct cmd_nexthop nh[RIB_MAX_PATHS];
	char iif[IF_NAMESIZE];
	/* get: the flow the ECMP hash sees (defaults: ICMPv6, label 0). */
	bool has_ipproto;
	uint8_t ipproto;
	uint16_t sport, dport;
	uint32_t flowlabel;
};
/* mode: what the verb needs. */
enum cmd_route_mode {
	ROUTE_MODE_ADD,   /* add, replace: prefix and a next hop (or a type) */
	ROUTE_MODE_DEL,   /* del: prefix, optional selectors */
	ROUTE_MODE_SHOW,  /* show, flush: optional selectors, table all */
	ROUTE_MODE_GET,   /* get: an address, optional from/iif/table */
};
/* family: -4 (AF_INET), -6 (AF_INET6) or neither (AF_UNSPEC: the first
 * address decides, utils.h's parse_inet_prefix). */
int parse_route(int argc, char **argv, enum cmd_route_mode mode, int family,
		struct cmd_route *r, char *err);

/* `link attach|detach|show|set dev D [up|down] [mtu N] [forwarding on|off] [table T]`,
 * `link attach dev D [mode native|generic]`, `stats [dev D]` */
struct cmd_link {
	char dev[IF_NAMESIZE];
	bool has_mtu, has_forwarding, has_table, has_mode;
	uint32_t mtu, table;
	bool forwarding;
	enum xrt_xdp_mode mode;
	bool has_admin, admin_up; /* set: up | down (IFF_UP) */
	bool has_rpf;
	uint8_t rpf; /* enum xrt_rpf */
};
int parse_link(int argc, char **argv, bool need_dev, bool allow_settings,
	       struct cmd_link *l, char *err);

/* `addr add|del ADDR/PLEN dev D [claim]`, `addr show [dev D]` */
struct cmd_addr {
	int family; /* AF_UNSPEC: show both */
	bool has_addr;
	bool claim; /* "claim": xrtd serves it even in mirror mode (xrt_local6) */
	struct in6_addr addr;
	unsigned plen;
	char dev[IF_NAMESIZE];
};
int parse_addrcmd(int argc, char **argv, bool need_addr, int family, struct cmd_addr *a,
		  char *err);

/* `neigh add|del ADDR [lladdr MAC] dev D`, `neigh show|flush [dev D]` */
struct cmd_neigh {
	int family; /* AF_UNSPEC: show or flush both */
	bool has_addr, has_mac;
	bool nud_permanent; /* "nud all" or "nud permanent": flush static too */
	struct in6_addr addr;
	uint8_t mac[6];
	char dev[IF_NAMESIZE];
};
int parse_neigh(int argc, char **argv, bool need_addr, bool need_mac, int family,
		struct cmd_neigh *n, char *err);

/*
 * ra set dev D on|off [interval MAX] [min-interval MIN] [lifetime N]
 *        [mtu N|auto|off]
 *        [prefix P/LEN [valid N|infinity] [preferred N|infinity]
 *                      [no-onlink] [no-autonomous]] ...
 * ra show [dev D]
 * A "set" replaces the interface's whole RA configuration; without
 * "prefix" every global /64 of the interface is advertised. lifetime 0:
 * prefixes only, not a default router; else interval..9000.
 */
struct cmd_ra {
	char dev[IF_NAMESIZE];
	bool has_onoff;
	struct stack_ra_config cfg;
};
int parse_ra(int argc, char **argv, bool set, struct cmd_ra *c, char *err);

/*
 * icmp ratelimit RATE [burst N] [global RATE [burst N]]
 * icmp ratelimit default
 * icmp show
 * RATE in messages/s; 0 turns that bucket off. burst defaults to RATE.
 * Without "global" the global bucket keeps its current setting.
 */
struct cmd_icmp {
	bool defaults, has_per_dst, has_global;
	struct stack_icmp_ratelimit rl;
};
int parse_icmp(int argc, char **argv, struct cmd_icmp *c, char *err);

/* `punt show [REASON]`, `punt set REASON [rate PPS] [burst N]` */
struct cmd_punt {
	int reason; /* -1: every reason (show) */
	bool has_rate, has_burst;
	uint32_t rate, burst;
};

/* `sync [show]`, `sync kernel on|off` */
struct cmd_sync {
	bool on;
};

/*
 * [-4|-6] acl add|del [dev D] [dir in|out|local] [from PREFIX] [to PREFIX]
 *     [ipproto P] [sport N[-M]] [dport N[-M]] [icmp-type T [code C]]
 *     [priority N] action pass|drop
 * [-4|-6] acl show|flush [dev D] [dir in|out|local]
 * family: -4/-6, else the addresses, else ipproto icmp (IPv4), else IPv6;
 * for show and flush AF_UNSPEC is both.
 */
struct cmd_acl {
	char dev[IF_NAMESIZE];
	int family;
	bool has_dir, has_prio, has_action;
	uint32_t prio;
	struct xrt_acl_rule r; /* ifindex filled from dev when executed */
};
int parse_acl(int argc, char **argv, bool need_action, bool selectors_only, int family,
	      struct cmd_acl *c, char *err);

/* The ACL's words that `rule` reads too (cli/acl.c). */
int parse_proto(const char *w, uint8_t *p, char *err);
const char *proto_name(uint8_t p, char *buf, size_t len);
int parse_port_range(const char *w, const char *what, uint16_t *lo, uint16_t *hi, char *err);

/*
 * rule add|del [from PREFIX] [to PREFIX] [iif DEV] [oif DEV] [ipproto P]
 *     [sport N[-M]] [dport N[-M]] [priority N]
 *     (table T | blackhole | unreachable | prohibit)
 * rule show|flush
 * The family: -4/-6, else the first address, else inet (iproute2's).
 */
struct cmd_rule {
	int family;
	bool has_prio, has_table, has_action;
	struct fib_rule r; /* iif/oif resolved when executed */
};
int parse_rule(int argc, char **argv, int family, bool modify, struct cmd_rule *c, char *err);

/* One command: its object, the object's verb (an enum of its file), and
 * the words' meaning. Filled by cmd_parse, read by cmd_execute. */
struct cmd_req {
	const struct cmd_obj *obj;
	int verb;
	int family; /* -4 / -6 before the object (iproute2's preferred_family) */
	union {
		struct cmd_route route;
		struct cmd_link link; /* link, stats */
		struct cmd_addr addr;
		struct cmd_neigh neigh;
		struct cmd_ra ra;
		struct cmd_icmp icmp;
		struct cmd_punt punt;
		struct cmd_sync sync;
		struct cmd_acl acl;
		struct cmd_rule rule;
	};
};

/* ---------------- undo: how a configuration reload takes itself back ---------------- */

/* An action that puts one object back as it was before a command. */
typedef void (*cmd_undo_fn)(struct xrt_router *r, const void *saved);
struct cmd_undo {
	struct cmd_undo_rec {
		cmd_undo_fn fn;
		void *saved;
	} *v;
	size_t n, cap;
};
/* Record fn with a copy of saved (len bytes) before the command changes
 * anything; -ENOMEM (and err) if it cannot be recorded. */
int cmd_undo_push(struct cmd_undo *u, cmd_undo_fn fn, const void *saved, size_t len,
		  char *err);
/* Run the records newest first, then forget them. */
void cmd_undo_run(struct cmd_undo *u, struct xrt_router *r);
void cmd_undo_free(struct cmd_undo *u);

/* ---------------- execution context and the command table ---------------- */

struct cmd_ctx {
	struct xrt_router *r;
	bool json;
	struct xrt_buf *out;
	struct cmd_undo *undo; /* non-NULL: record how to take the command back */
};

/* Words after the object name (and after its verb, already in req->verb,
 * when it has verbs) -> request; no daemon state, no side effect. */
typedef int (*cmd_parse_fn)(int argc, char **argv, struct cmd_req *req, char *err);
/* Request -> state change and output. */
typedef int (*cmd_exec_fn)(struct cmd_ctx *c, const struct cmd_req *req, char *err);

/* What each object's file registers (grout's one registration per node):
 * its verbs, which cmd_parse consumes before parse runs (none: parse reads
 * every word itself), the words of their "unknown OBJ command" error, and
 * its parse and execute. */
struct cmd_ops {
	const struct cmd_verb *verbs;
	size_t nverbs;
	const char *verb_obj, *verb_names;
	cmd_parse_fn parse;
	cmd_exec_fn exec;
};
/* Register the file of object obj: obj##_cmd runs obj##_parse and
 * obj##_exec; CMD_REGISTER_VERBS adds its verb table v, whose errors name
 * the object as name with the verbs names. */
#define CMD_REGISTER(obj) \
	const struct cmd_ops obj##_cmd = { .parse = obj##_parse, .exec = obj##_exec }
#define CMD_REGISTER_VERBS(obj, v, name, names)                                   \
	const struct cmd_ops obj##_cmd = {                                        \
		.verbs = (v), .nverbs = sizeof(v) / sizeof((v)[0]), .verb_obj = (name), \
		.verb_names = (names), .parse = obj##_parse, .exec = obj##_exec,  \
	}
/* One file per object: route.c, link.c, addr.c, neigh.c, stats.c, sync.c,
 * ra.c, icmp.c, punt.c; config reload in cmd.c. */
extern const struct cmd_ops route_cmd, link_cmd, addr_cmd, neigh_cmd, stats_cmd, sync_cmd,
	ra_cmd, icmp_cmd, punt_cmd, acl_cmd, rule_cmd;

/* One row of the table in cmd.c: iproute2's `struct cmd cmds[]`. */
struct cmd_obj {
	const char *name;
	size_t min; /* shortest abbreviation */
	const struct cmd_ops *ops;
};

/*
 * argv are the command's words without "xrt" (e.g. "route" "add" ...).
 * cmd_parse only reads the words (the dry run of config_check); cmd_execute
 * applies a parsed request; cmd_exec does both. Output goes to c->out
 * (text, or JSON when c->json). Returns 0, or a negative errno with a
 * one-line message in err (XRT_ERR_LEN bytes) naming the offending word;
 * a failed command changes nothing.
 */
int cmd_parse(int argc, char **argv, struct cmd_req *req, char *err);
int cmd_execute(struct cmd_ctx *c, const struct cmd_req *req, char *err);
int cmd_exec(struct xrt_router *r, int argc, char **argv, bool json,
	     struct xrt_buf *out, char *err);

/* Configuration reload bookkeeping of ra.c and icmp.c: mark what the file
 * set (stale = true), or clear the marks after a failed reload; sweep
 * turns off what the file no longer sets (RA on an interface, a
 * non-default ICMPv6 rate limit). */
void ra_config_mark(bool stale);
void ra_config_sweep(struct xrt_router *r);
void icmp_config_mark(bool stale);
void icmp_config_sweep(void);

#endif
