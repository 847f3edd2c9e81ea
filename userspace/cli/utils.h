/* xrt: the words every command shares: abbreviations, values, and their text and JSON output (iproute2's lib/utils.c). */
#ifndef XRT_CLI_UTILS_H
#define XRT_CLI_UTILS_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <json-c/json.h>
#include "ctl/ctl_proto.h"
#include "xrt/err.h"

struct xrt_router;

/* w abbreviates full with at least min letters (iproute2's matches()). */
bool matches(const char *w, const char *full, size_t min);
/* An object's verbs (iproute2's do_iproute if-chain as a table). */
struct cmd_verb {
	const char *name;
	size_t min; /* shortest abbreviation */
	int id;
};
/* Consume the verb (none: "show") from argc and argv and return its id, the
 * first of v it abbreviates; else "unknown OBJ command "W" (NAMES)". */
int parse_verb(int *argc, char ***argv, const struct cmd_verb *v, size_t n, const char *obj,
	       const char *names, char *err);
/* Step i to the value after argv[*i]; "\"WORD\" needs a value" if none. */
int next_word(int argc, char **argv, int *i, char *err);
/* next_word, then the value as an interface name ("dev D", "iif D"). */
int next_dev(int argc, char **argv, int *i, char dev[IF_NAMESIZE], char *err);

/*
 * Every parser fills err (XRT_ERR_LEN bytes) with a message that names
 * the offending word and returns a negative errno; nothing is applied here.
 */
int parse_addr(const char *w, struct in6_addr *a, char *err);
/*
 * IPv4 or IPv6, the family inferred from the word as iproute2's get_addr
 * does: IPv4 comes back mapped (::ffff:a.b.c.d, prefix length + 96,
 * include/xrt/inet.h). *family is AF_UNSPEC (the word decides it and it is
 * set), or AF_INET / AF_INET6 from -4, -6 or an earlier address of the
 * command: a word of the other family gets iproute2's "inet address is
 * expected rather than ...". An IPv6 word inside ::ffff:0:0/96 is refused
 * (RFC 4291 2.5.5.2: that space is IPv4's, written as IPv4).
 */
int parse_inet_addr(const char *w, int *family, struct in6_addr *a, char *err);
/* The same for "default" (AF_UNSPEC leaves it IPv6's ::/0 and the family
 * unset: the caller settles it), "ADDR" (a host prefix) or "ADDR/PLEN". */
int parse_inet_prefix(const char *w, int *family, struct in6_addr *a, unsigned *plen,
		      bool allow_host_bits, char *err);
/* AF_INET for a mapped address, else AF_INET6. */
int inet_family(const struct in6_addr *a);
/* iproute2's family words: "inet", "inet6". */
const char *family_name(int family);
/* The prefix length as the user writes it (an IPv4 one without the 96). */
unsigned user_plen(const struct in6_addr *a, unsigned plen);
/* "default", "ADDR" (= /128) or "ADDR/PLEN"; host bits set is an error
 * unless allow_host_bits (interface addresses carry them). */
int parse_prefix(const char *w, struct in6_addr *a, unsigned *plen,
		 bool allow_host_bits, char *err);
int parse_u32(const char *w, uint32_t min, uint32_t max, uint32_t *v,
	      const char *what, char *err);
/* A lifetime in seconds or "infinity" (RFC 4861 4.6.2: all ones). */
int parse_lifetime(const char *w, uint32_t *v, const char *what, char *err);
/* Table: a 32-bit id, main (254), local (255), default (253) or a name of
 * /etc/iproute2/rt_tables. */
int parse_table(const char *w, uint32_t *t, char *err);
const char *table_name(uint32_t t, char *buf, size_t len);
int parse_mac(const char *w, uint8_t mac[6], char *err);
int parse_onoff(const char *w, bool *on, const char *what, char *err);
int parse_dev(const char *w, char dev[IF_NAMESIZE], char *err);
/* blackhole, unreachable, prohibit, unicast, local; 0 if w is not a type. */
uint32_t parse_rtn(const char *w);
const char *rtn_name(uint32_t type);

/* Output: iproute2's spelling of addresses (IPv4 ones dotted), prefixes
 * ("default", a bare host address), MACs and lifetimes; the name of an
 * attached link ("?" if none). */
const char *ntop(const struct in6_addr *a, char buf[INET6_ADDRSTRLEN]);
void fmt_prefix(const struct in6_addr *a, unsigned plen, char *buf, size_t len);
void fmt_mac(const uint8_t *m, char buf[18]);
void fmt_lifetime(uint32_t v, char *buf, size_t len);
const char *dev_name(struct xrt_router *r, int ifindex);
/* Print o as one line of plain JSON and release it. */
void json_print(struct xrt_buf *out, json_object *o);

#define JADD(o, k, v) json_object_object_add(o, k, v)
#define JSTR(s) json_object_new_string(s)
#define JINT(i) json_object_new_int64((int64_t)(i))
#define JBOOL(b) json_object_new_boolean(b)

/* One route as `route show` prints it (text line(s), or its JSON object):
 * also what `xrt monitor` streams (ctl/monitor.c). */
struct rib_route;
void route_text(struct xrt_router *r, const struct rib_route *rt, struct xrt_buf *out);
json_object *route_json(struct xrt_router *r, const struct rib_route *rt);
/* A rule as `rule show` prints it (cli/rule.c), for `monitor rule` too. */
struct fib_rule;
void rule_text(const struct fib_rule *f, struct xrt_buf *out);
json_object *rule_json(const struct fib_rule *f);

#endif
