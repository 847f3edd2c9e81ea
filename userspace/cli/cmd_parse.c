/* xrt: parsing of the command grammar's words into requests (no daemon state needed). */
#include "cli/cmd_parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xrt/proto.h"


int parse_addr(const char *w, struct in6_addr *a, char *err)
{
	if (inet_pton(AF_INET6, w, a) != 1) {
		ERR("\"%s\" is not an IPv6 address", w);
		return -EINVAL;
	}
	return 0;
}

int parse_prefix(const char *w, struct in6_addr *a, unsigned *plen,
		 bool allow_host_bits, char *err)
{
	if (!strcmp(w, "default") || !strcmp(w, "all") || !strcmp(w, "any")) {
		*a = in6addr_any;
		*plen = 0;
		return 0;
	}
	char buf[INET6_ADDRSTRLEN + 8];
	if (strlen(w) >= sizeof(buf)) {
		ERR("\"%s\" is not an IPv6 prefix", w);
		return -EINVAL;
	}
	strcpy(buf, w);
	char *slash = strchr(buf, '/');
	*plen = 128;
	if (slash) {
		*slash = '\0';
		char *end;
		unsigned long v = strtoul(slash + 1, &end, 10);
		if (!slash[1] || *end || v > 128) {
			ERR("\"%s\" is not an IPv6 prefix (length must be 0..128)", w);
			return -EINVAL;
		}
		*plen = (unsigned)v;
	}
	if (inet_pton(AF_INET6, buf, a) != 1) {
		ERR("\"%s\" is not an IPv6 prefix", w);
		return -EINVAL;
	}
	if (!allow_host_bits && rib_prefix_host_bits(a, *plen)) {
		ERR("%s has host bits set", w);
		return -EINVAL;
	}
	return 0;
}

int parse_u32(const char *w, uint32_t min, uint32_t max, uint32_t *v,
	      const char *what, char *err)
{
	char *end;
	errno = 0;
	unsigned long long x = strtoull(w, &end, 0);
	if (!*w || *end || errno || w[0] == '-' || x < min || x > max) {
		ERR("%s \"%s\" is invalid (%u..%u)", what, w, min, max);
		return -EINVAL;
	}
	*v = (uint32_t)x;
	return 0;
}

int parse_table(const char *w, uint32_t *t, char *err)
{
	if (!strcmp(w, "main"))
		*t = XRT_TABLE_MAIN;
	else if (!strcmp(w, "local"))
		*t = 255;
	else if (!strcmp(w, "default"))
		*t = 253;
	else
		return parse_u32(w, 0, XRT_MAX_TABLES - 1, t, "table", err);
	return 0;
}

const char *table_name(uint32_t t, char *buf, size_t len)
{
	switch (t) {
	case XRT_TABLE_MAIN: return "main";
	case 255: return "local";
	case 253: return "default";
	}
	snprintf(buf, len, "%u", t);
	return buf;
}

int parse_mac(const char *w, uint8_t mac[6], char *err)
{
	unsigned v[6];
	char tail;
	if (sscanf(w, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &tail) != 6) {
		ERR("\"%s\" is not a MAC address", w);
		return -EINVAL;
	}
	for (int i = 0; i < 6; i++) {
		if (v[i] > 0xff) {
			ERR("\"%s\" is not a MAC address", w);
			return -EINVAL;
		}
		mac[i] = (uint8_t)v[i];
	}
	return 0;
}

int parse_onoff(const char *w, bool *on, const char *what, char *err)
{
	if (!strcmp(w, "on") || !strcmp(w, "1")) {
		*on = true;
		return 0;
	}
	if (!strcmp(w, "off") || !strcmp(w, "0")) {
		*on = false;
		return 0;
	}
	ERR("%s \"%s\" is invalid (on|off)", what, w);
	return -EINVAL;
}

static const struct {
	const char *name;
	uint32_t type;
} RTN_NAMES[] = {
	{ "unicast", XRT_RTN_UNICAST },
	{ "local", XRT_RTN_LOCAL },
	{ "blackhole", XRT_RTN_BLACKHOLE },
	{ "unreachable", XRT_RTN_UNREACHABLE },
	{ "prohibit", XRT_RTN_PROHIBIT },
};

uint32_t parse_rtn(const char *w)
{
	for (size_t i = 0; i < sizeof(RTN_NAMES) / sizeof(RTN_NAMES[0]); i++)
		if (!strcmp(w, RTN_NAMES[i].name))
			return RTN_NAMES[i].type;
	return 0;
}

const char *rtn_name(uint32_t type)
{
	for (size_t i = 0; i < sizeof(RTN_NAMES) / sizeof(RTN_NAMES[0]); i++)
		if (RTN_NAMES[i].type == type)
			return RTN_NAMES[i].name;
	return "unknown";
}

static int need_arg(int argc, char **argv, int i, char *err)
{
	if (i + 1 >= argc) {
		ERR("\"%s\" needs a value", argv[i]);
		return -EINVAL;
	}
	return 0;
}

static int parse_dev(const char *w, char dev[IF_NAMESIZE], char *err)
{
	if (!*w || strlen(w) >= IF_NAMESIZE) {
		ERR("\"%s\" is not an interface name", w);
		return -EINVAL;
	}
	strcpy(dev, w);
	return 0;
}

#define NEXT_ARG()                                       \
	do {                                                 \
		if ((rc = need_arg(argc, argv, i, err)))         \
			return rc;                                   \
		i++;                                             \
	} while (0)

/* The next hop that "via" or "dev" (the word, for the message) fills: the
 * route's only one, or in a multipath route the last "nexthop" opened. */
static struct cmd_nexthop *nexthop_to_fill(struct cmd_route *r, struct cmd_nexthop *cur,
					   const char *word, char *err)
{
	if (!r->multipath) {
		if (r->nnh == 0)
			r->nnh = 1;
		return &r->nh[0];
	}
	if (!cur)
		ERR("\"%s\" must follow \"nexthop\" in a multipath route", word);
	return cur;
}

int parse_route(int argc, char **argv, enum cmd_route_mode mode, struct cmd_route *r,
		char *err)
{
	int rc;
	memset(r, 0, sizeof(*r));
	r->type = XRT_RTN_UNICAST;
	r->table = XRT_TABLE_MAIN;
	r->metric = RIB_METRIC_USER;
	struct cmd_nexthop *cur = NULL; /* next hop being filled */
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		uint32_t t;
		if (!strcmp(w, "via")) {
			NEXT_ARG();
			if (!(cur = nexthop_to_fill(r, cur, "via", err)))
				return -EINVAL;
			if (cur->has_gw) {
				ERR("\"via\" is given twice");
				return -EINVAL;
			}
			if ((rc = parse_addr(argv[i], &cur->gw, err)))
				return rc;
			cur->has_gw = true;
		} else if (!strcmp(w, "dev") || !strcmp(w, "oif")) {
			NEXT_ARG();
			if (!(cur = nexthop_to_fill(r, cur, "dev", err)))
				return -EINVAL;
			if (cur->dev[0]) {
				ERR("\"dev\" is given twice");
				return -EINVAL;
			}
			if ((rc = parse_dev(argv[i], cur->dev, err)))
				return rc;
		} else if (!strcmp(w, "weight")) {
			NEXT_ARG();
			if (!r->multipath || !cur) {
				ERR("\"weight\" belongs to a \"nexthop\"");
				return -EINVAL;
			}
			if ((rc = parse_u32(argv[i], 1, RIB_WEIGHT_MAX, &cur->weight, "weight",
					    err)))
				return rc;
		} else if (!strcmp(w, "nexthop")) {
			if (mode != ROUTE_MODE_ADD) {
				ERR("\"nexthop\" is only valid for add and replace");
				return -EINVAL;
			}
			if (!r->multipath && r->nnh) {
				ERR("\"nexthop\" cannot follow a plain \"via\" or \"dev\"");
				return -EINVAL;
			}
			if (r->nnh == RIB_MAX_PATHS) {
				ERR("too many next hops (at most %d)", RIB_MAX_PATHS);
				return -E2BIG;
			}
			r->multipath = true;
			cur = &r->nh[r->nnh++];
		} else if (!strcmp(w, "metric") || !strcmp(w, "preference") ||
			   !strcmp(w, "priority")) {
			NEXT_ARG();
			if ((rc = parse_u32(argv[i], 0, UINT32_MAX, &r->metric, "metric", err)))
				return rc;
			r->has_metric = true;
		} else if (!strcmp(w, "table")) {
			NEXT_ARG();
			if (mode == ROUTE_MODE_SHOW && !strcmp(argv[i], "all")) {
				r->table_all = true;
			} else if ((rc = parse_table(argv[i], &r->table, err))) {
				return rc;
			}
			r->has_table = true;
		} else if (!strcmp(w, "mtu")) {
			NEXT_ARG();
			if ((rc = parse_u32(argv[i], IP6_MIN_MTU, 65535, &r->mtu, "mtu", err)))
				return rc;
		} else if (!strcmp(w, "from") && mode == ROUTE_MODE_GET) {
			NEXT_ARG();
			if ((rc = parse_addr(argv[i], &r->from, err)))
				return rc;
			r->has_from = true;
		} else if (!strcmp(w, "ipproto") && mode == ROUTE_MODE_GET) {
			NEXT_ARG();
			uint32_t p;
			if (!strcmp(argv[i], "udp"))
				p = NEXTHDR_UDP;
			else if (!strcmp(argv[i], "tcp"))
				p = NEXTHDR_TCP;
			else if (!strcmp(argv[i], "icmpv6") || !strcmp(argv[i], "ipv6-icmp"))
				p = NEXTHDR_ICMP;
			else if ((rc = parse_u32(argv[i], 0, 255, &p, "ipproto", err)))
				return rc;
			r->ipproto = (uint8_t)p;
			r->has_ipproto = true;
		} else if ((!strcmp(w, "sport") || !strcmp(w, "dport")) &&
			   mode == ROUTE_MODE_GET) {
			NEXT_ARG();
			uint32_t port;
			if ((rc = parse_u32(argv[i], 0, 65535, &port, w, err)))
				return rc;
			if (w[0] == 's')
				r->sport = (uint16_t)port;
			else
				r->dport = (uint16_t)port;
		} else if (!strcmp(w, "flowlabel") && mode == ROUTE_MODE_GET) {
			NEXT_ARG();
			if ((rc = parse_u32(argv[i], 0, 0xfffff, &r->flowlabel, "flowlabel", err)))
				return rc;
		} else if (!strcmp(w, "iif") && mode == ROUTE_MODE_GET) {
			NEXT_ARG();
			if ((rc = parse_dev(argv[i], r->iif, err)))
				return rc;
		} else if ((t = parse_rtn(w)) && !r->has_prefix && !r->has_type &&
			   mode != ROUTE_MODE_GET) {
			r->type = t;
			r->has_type = true;
		} else if (!r->has_prefix && strcmp(w, "to") != 0) {
			if (mode == ROUTE_MODE_GET) {
				if ((rc = parse_addr(w, &r->prefix, err)))
					return rc;
				r->plen = 128;
			} else if ((rc = parse_prefix(w, &r->prefix, &r->plen, false, err))) {
				return rc;
			}
			r->has_prefix = true;
		} else if (!strcmp(w, "to") && !r->has_prefix) {
			continue;
		} else {
			ERR("unknown word \"%s\"", w);
			return -EINVAL;
		}
	}
	if (mode != ROUTE_MODE_SHOW && !r->has_prefix) {
		ERR(mode == ROUTE_MODE_GET ? "an address is needed" : "a prefix is needed");
		return -EINVAL;
	}
	if (mode == ROUTE_MODE_ADD) {
		if (r->type == XRT_RTN_UNICAST && r->nnh == 0) {
			ERR("a unicast route needs \"via\", \"dev\" or \"nexthop\"");
			return -EINVAL;
		}
		if (r->type != XRT_RTN_UNICAST && r->nnh) {
			ERR("a %s route takes no next hop", rtn_name(r->type));
			return -EINVAL;
		}
		if (r->type == XRT_RTN_LOCAL) {
			ERR("local routes come from \"xrt addr add\"");
			return -EINVAL;
		}
		for (unsigned k = 0; k < r->nnh; k++)
			if (!r->nh[k].has_gw && !r->nh[k].dev[0]) {
				ERR("nexthop %u needs \"via\" or \"dev\"", k + 1);
				return -EINVAL;
			}
	}
	return 0;
}

int parse_link(int argc, char **argv, bool need_dev, bool allow_settings,
	       struct cmd_link *l, char *err)
{
	int rc;
	memset(l, 0, sizeof(*l));
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		if (!strcmp(w, "dev")) {
			NEXT_ARG();
			if ((rc = parse_dev(argv[i], l->dev, err)))
				return rc;
		} else if (allow_settings && !strcmp(w, "mtu")) {
			NEXT_ARG();
			if ((rc = parse_u32(argv[i], IP6_MIN_MTU, 65535, &l->mtu, "mtu", err)))
				return rc;
			l->has_mtu = true;
		} else if (allow_settings && !strcmp(w, "forwarding")) {
			NEXT_ARG();
			if ((rc = parse_onoff(argv[i], &l->forwarding, "forwarding", err)))
				return rc;
			l->has_forwarding = true;
		} else if (allow_settings && !strcmp(w, "table")) {
			NEXT_ARG();
			if ((rc = parse_table(argv[i], &l->table, err)))
				return rc;
			l->has_table = true;
		} else if (!l->dev[0] && strcmp(w, "mtu") && strcmp(w, "forwarding") &&
			   strcmp(w, "table")) {
			/* iproute2 accepts the device without "dev". */
			if ((rc = parse_dev(w, l->dev, err)))
				return rc;
		} else {
			ERR("unknown word \"%s\"", w);
			return -EINVAL;
		}
	}
	if (need_dev && !l->dev[0]) {
		ERR("\"dev\" is needed");
		return -EINVAL;
	}
	return 0;
}

int parse_addrcmd(int argc, char **argv, bool need_addr, struct cmd_addr *a, char *err)
{
	int rc;
	memset(a, 0, sizeof(*a));
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		if (!strcmp(w, "dev")) {
			NEXT_ARG();
			if ((rc = parse_dev(argv[i], a->dev, err)))
				return rc;
		} else if (need_addr && !strcmp(w, "claim")) {
			a->claim = true;
		} else if (need_addr && !a->has_addr) {
			if (!strcmp(w, "local"))
				continue;
			if (!strchr(w, '/')) {
				ERR("\"%s\" needs a prefix length (ADDR/PLEN)", w);
				return -EINVAL;
			}
			if ((rc = parse_prefix(w, &a->addr, &a->plen, true, err)))
				return rc;
			a->has_addr = true;
		} else {
			ERR("unknown word \"%s\"", w);
			return -EINVAL;
		}
	}
	if (need_addr && !a->has_addr) {
		ERR("an address ADDR/PLEN is needed");
		return -EINVAL;
	}
	if (need_addr && !a->dev[0]) {
		ERR("\"dev\" is needed");
		return -EINVAL;
	}
	return 0;
}

int parse_neigh(int argc, char **argv, bool need_addr, bool need_mac,
		struct cmd_neigh *n, char *err)
{
	int rc;
	memset(n, 0, sizeof(*n));
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		if (!strcmp(w, "dev")) {
			NEXT_ARG();
			if ((rc = parse_dev(argv[i], n->dev, err)))
				return rc;
		} else if (!strcmp(w, "lladdr")) {
			NEXT_ARG();
			if ((rc = parse_mac(argv[i], n->mac, err)))
				return rc;
			n->has_mac = true;
		} else if (!strcmp(w, "nud")) {
			/* Added entries are always permanent; for flush, "nud all"
			 * or "nud permanent" includes them (iproute2 skips them). */
			NEXT_ARG();
			if (!strcmp(argv[i], "all") || !strcmp(argv[i], "permanent"))
				n->nud_permanent = true;
			else if (strcmp(argv[i], "reachable") && strcmp(argv[i], "stale") &&
				 strcmp(argv[i], "noarp")) {
				ERR("nud \"%s\" is invalid (permanent, all)", argv[i]);
				return -EINVAL;
			}
		} else if (!strcmp(w, "to")) {
			continue;
		} else if (!n->has_addr && need_addr) {
			if ((rc = parse_addr(w, &n->addr, err)))
				return rc;
			n->has_addr = true;
		} else {
			ERR("unknown word \"%s\"", w);
			return -EINVAL;
		}
	}
	if (need_addr && !n->has_addr) {
		ERR("a neighbour address is needed");
		return -EINVAL;
	}
	if (need_addr && !n->dev[0]) {
		ERR("\"dev\" is needed");
		return -EINVAL;
	}
	if (need_mac && !n->has_mac) {
		ERR("\"lladdr\" is needed");
		return -EINVAL;
	}
	return 0;
}
