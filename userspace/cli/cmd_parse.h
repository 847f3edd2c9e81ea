/* xrt: parsing of the command grammar's words into requests (no daemon state needed). */
#ifndef XRT_CLI_CMD_PARSE_H
#define XRT_CLI_CMD_PARSE_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include "rib/rib.h"
#include "xrt/err.h"

/*
 * Every parser fills err (XRT_ERR_LEN bytes) with a message that names
 * the offending word and returns a negative errno; nothing is applied here.
 */

int parse_addr(const char *w, struct in6_addr *a, char *err);
/* "default", "ADDR" (= /128) or "ADDR/PLEN"; host bits set is an error
 * unless allow_host_bits (interface addresses carry them). */
int parse_prefix(const char *w, struct in6_addr *a, unsigned *plen,
		 bool allow_host_bits, char *err);
int parse_u32(const char *w, uint32_t min, uint32_t max, uint32_t *v,
	      const char *what, char *err);
/* Table: 0..255 or main (254), local (255), default (253). */
int parse_table(const char *w, uint32_t *t, char *err);
const char *table_name(uint32_t t, char *buf, size_t len);
int parse_mac(const char *w, uint8_t mac[6], char *err);
int parse_onoff(const char *w, bool *on, const char *what, char *err);
/* blackhole, unreachable, prohibit, unicast, local; 0 if w is not a type. */
uint32_t parse_rtn(const char *w);
const char *rtn_name(uint32_t type);

struct cmd_nexthop {
	bool has_gw;
	struct in6_addr gw;
	char dev[IF_NAMESIZE];
	uint32_t weight;
};

/* `route add|del|replace|show|get|flush` arguments. */
struct cmd_route {
	uint32_t type; /* enum xrt_rtn */
	bool has_prefix, has_metric, has_table, has_type, table_all, has_from;
	struct in6_addr prefix, from;
	unsigned plen;
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
int parse_route(int argc, char **argv, enum cmd_route_mode mode, struct cmd_route *r,
		char *err);

/* `link attach|detach|show|set dev D [mtu N] [forwarding on|off] [table T]` */
struct cmd_link {
	char dev[IF_NAMESIZE];
	bool has_mtu, has_forwarding, has_table;
	uint32_t mtu, table;
	bool forwarding;
};
int parse_link(int argc, char **argv, bool need_dev, bool allow_settings,
	       struct cmd_link *l, char *err);

/* `addr add|del ADDR/PLEN dev D`, `addr show [dev D]` */
struct cmd_addr {
	bool has_addr;
	bool claim; /* "claim": xrtd serves it even in mirror mode (xrt_local6) */
	struct in6_addr addr;
	unsigned plen;
	char dev[IF_NAMESIZE];
};
int parse_addrcmd(int argc, char **argv, bool need_addr, struct cmd_addr *a,
		  char *err);

/* `neigh add|del ADDR [lladdr MAC] dev D`, `neigh show|flush [dev D]` */
struct cmd_neigh {
	bool has_addr, has_mac;
	bool nud_permanent; /* "nud all" or "nud permanent": flush static too */
	struct in6_addr addr;
	uint8_t mac[6];
	char dev[IF_NAMESIZE];
};
int parse_neigh(int argc, char **argv, bool need_addr, bool need_mac,
		struct cmd_neigh *n, char *err);

#endif
