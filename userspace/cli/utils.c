/* xrt: the words every command shares: abbreviations, values, and their text and JSON output. */
#include "cli/utils.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rib/rib.h"
#include "router/router.h"
#include "xrt/inet.h"
#include "xrt/proto.h"

bool matches(const char *w, const char *full, size_t min)
{
	size_t n = strlen(w);
	return n >= min && n <= strlen(full) && !strncmp(w, full, n);
}

int parse_verb(int *argc, char ***argv, const struct cmd_verb *v, size_t n, const char *obj,
	       const char *names, char *err)
{
	const char *w = *argc ? (*argv)[0] : "show";
	if (*argc)
		(*argc)--;
	(*argv)++;
	for (size_t i = 0; i < n; i++)
		if (matches(w, v[i].name, v[i].min))
			return v[i].id;
	return xrt_fail(err, -EINVAL, "unknown %s command \"%s\" (%s)", obj, w, names);
}

int next_word(int argc, char **argv, int *i, char *err)
{
	if (*i + 1 >= argc)
		return xrt_fail(err, -EINVAL, "\"%s\" needs a value", argv[*i]);
	(*i)++;
	return 0;
}

int next_dev(int argc, char **argv, int *i, char dev[IF_NAMESIZE], char *err)
{
	int rc = next_word(argc, argv, i, err);
	return rc ? rc : parse_dev(argv[*i], dev, err);
}

int parse_addr(const char *w, struct in6_addr *a, char *err)
{
	if (inet_pton(AF_INET6, w, a) != 1)
		return xrt_fail(err, -EINVAL, "\"%s\" is not an IPv6 address", w);
	return 0;
}

int inet_family(const struct in6_addr *a)
{
	return xrt_addr_is_v4(a) ? AF_INET : AF_INET6;
}

const char *family_name(int family)
{
	return family == AF_INET ? "inet" : "inet6";
}

unsigned user_plen(const struct in6_addr *a, unsigned plen)
{
	return rib_user_plen(a, plen);
}

/* The family a word is written in: a dotted quad has no colon. */
static int word_family(const char *w)
{
	return strchr(w, ':') ? AF_INET6 : strchr(w, '.') ? AF_INET : AF_UNSPEC;
}

/* What to call a word that is not an address ("prefix" or "address"). */
static int not_inet(const char *w, int family, const char *what, char *err)
{
	if (family == AF_UNSPEC)
		family = word_family(w);
	if (family == AF_UNSPEC)
		return xrt_fail(err, -EINVAL, "\"%s\" is not an IP %s", w, what);
	return xrt_fail(err, -EINVAL, "\"%s\" is not an %s %s", w,
			family == AF_INET ? "IPv4" : "IPv6", what);
}

/* The word's family is known (f) and must be the command's (*family). */
static int family_settle(const char *w, int *family, int f, const char *what, char *err)
{
	if (*family != AF_UNSPEC && *family != f)
		return xrt_fail(err, -EINVAL, "%s %s is expected rather than \"%s\"",
				family_name(*family), what, w);
	*family = f;
	return 0;
}

/* RFC 4291 2.5.5.2: ::ffff:0:0/96 holds IPv4 addresses; an IPv6 word there
 * would alias an IPv4 one below the CLI (include/xrt/inet.h). */
static int refuse_mapped(const char *w, const struct in6_addr *a, unsigned plen, char *err)
{
	if (plen >= XRT_V4_PLEN_OFFSET && xrt_addr_is_v4(a))
		return xrt_fail(err, -EINVAL,
				"\"%s\" is inside ::ffff:0:0/96, IPv4-mapped (RFC 4291 2.5.5.2): "
				"write it as IPv4",
				w);
	return 0;
}

int parse_inet_addr(const char *w, int *family, struct in6_addr *a, char *err)
{
	uint32_t v4;
	int rc;
	if (inet_pton(AF_INET, w, &v4) == 1) {
		if ((rc = family_settle(w, family, AF_INET, "address", err)))
			return rc;
		xrt_addr_from_v4(a, v4);
		return 0;
	}
	if (inet_pton(AF_INET6, w, a) != 1)
		return not_inet(w, *family, "address", err);
	if ((rc = family_settle(w, family, AF_INET6, "address", err)))
		return rc;
	return refuse_mapped(w, a, 128, err);
}

int parse_inet_prefix(const char *w, int *family, struct in6_addr *a, unsigned *plen,
		      bool allow_host_bits, char *err)
{
	if (!strcmp(w, "default") || !strcmp(w, "all") || !strcmp(w, "any")) {
		*a = in6addr_any;
		*plen = 0;
		if (*family == AF_INET) {
			xrt_addr_from_v4(a, 0);
			*plen = XRT_V4_PLEN_OFFSET;
		}
		return 0;
	}
	char buf[INET6_ADDRSTRLEN + 8];
	if (strlen(w) >= sizeof(buf))
		return not_inet(w, *family, "prefix", err);
	strcpy(buf, w);
	char *slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	uint32_t v4;
	int f = inet_pton(AF_INET, buf, &v4) == 1 ? AF_INET : AF_INET6;
	if (f == AF_INET6 && inet_pton(AF_INET6, buf, a) != 1)
		return not_inet(w, *family, "prefix", err);
	unsigned max = f == AF_INET ? 32 : 128;
	*plen = max;
	if (slash) {
		char *end;
		unsigned long v = strtoul(slash + 1, &end, 10);
		if (!slash[1] || *end || v > max)
			return xrt_fail(err, -EINVAL,
					"\"%s\" is not an %s prefix (length must be 0..%u)", w,
					f == AF_INET ? "IPv4" : "IPv6", max);
		*plen = (unsigned)v;
	}
	int rc = family_settle(w, family, f, "prefix", err);
	if (rc)
		return rc;
	if (f == AF_INET) {
		xrt_addr_from_v4(a, v4);
		*plen += XRT_V4_PLEN_OFFSET;
	} else if ((rc = refuse_mapped(w, a, *plen, err))) {
		return rc;
	}
	if (!allow_host_bits && rib_prefix_host_bits(a, *plen))
		return xrt_fail(err, -EINVAL, "%s has host bits set", w);
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
	if (strlen(w) >= sizeof(buf))
		return xrt_fail(err, -EINVAL, "\"%s\" is not an IPv6 prefix", w);
	strcpy(buf, w);
	char *slash = strchr(buf, '/');
	*plen = 128;
	if (slash) {
		*slash = '\0';
		char *end;
		unsigned long v = strtoul(slash + 1, &end, 10);
		if (!slash[1] || *end || v > 128)
			return xrt_fail(err, -EINVAL,
					"\"%s\" is not an IPv6 prefix (length must be 0..128)", w);
		*plen = (unsigned)v;
	}
	if (inet_pton(AF_INET6, buf, a) != 1)
		return xrt_fail(err, -EINVAL, "\"%s\" is not an IPv6 prefix", w);
	if (!allow_host_bits && rib_prefix_host_bits(a, *plen))
		return xrt_fail(err, -EINVAL, "%s has host bits set", w);
	return 0;
}

int parse_u32(const char *w, uint32_t min, uint32_t max, uint32_t *v,
	      const char *what, char *err)
{
	char *end;
	errno = 0;
	unsigned long long x = strtoull(w, &end, 0);
	if (!*w || *end || errno || w[0] == '-' || x < min || x > max)
		return xrt_fail(err, -EINVAL, "%s \"%s\" is invalid (%u..%u)", what, w, min, max);
	*v = (uint32_t)x;
	return 0;
}

int parse_lifetime(const char *w, uint32_t *v, const char *what, char *err)
{
	if (!strcmp(w, "infinity")) {
		*v = ND_LIFETIME_INFINITY;
		return 0;
	}
	return parse_u32(w, 0, ND_LIFETIME_INFINITY - 1, v, what, err);
}

/* iproute2's rtnl_rttable_a2n / rtnl_rttable_n2a: the names of the
 * rt_tables file ("ID NAME" lines, '#' comments), where it exists. */
static const char *const RT_TABLES_FILES[] = { "/etc/iproute2/rt_tables",
					       "/usr/share/iproute2/rt_tables" };

static bool rt_tables_find(const char *name, uint32_t *id, char *namebuf, size_t len)
{
	for (size_t f = 0; f < sizeof(RT_TABLES_FILES) / sizeof(RT_TABLES_FILES[0]); f++) {
		FILE *fp = fopen(RT_TABLES_FILES[f], "re");
		char line[256], nm[64];
		unsigned long v;
		if (!fp)
			continue;
		while (fgets(line, sizeof(line), fp)) {
			if (line[0] == '#' || sscanf(line, "%lu %63s", &v, nm) != 2 ||
			    v > UINT32_MAX)
				continue;
			if ((name && !strcmp(nm, name)) || (!name && v == *id)) {
				*id = (uint32_t)v;
				if (namebuf)
					snprintf(namebuf, len, "%s", nm);
				fclose(fp);
				return true;
			}
		}
		fclose(fp);
		return false;
	}
	return false;
}

static int rt_table_lookup(const char *w, uint32_t *t, char *err)
{
	if (!parse_u32(w, 0, UINT32_MAX, t, "table", NULL) || rt_tables_find(w, t, NULL, 0))
		return 0;
	return xrt_fail(err, -EINVAL, "argument \"%s\" is wrong: table id value is invalid", w);
}

int parse_table(const char *w, uint32_t *t, char *err)
{
	if (!strcmp(w, "main"))
		*t = XRT_TABLE_MAIN;
	else if (!strcmp(w, "local"))
		*t = RIB_TABLE_LOCAL;
	else if (!strcmp(w, "default"))
		*t = 253;
	else
		return rt_table_lookup(w, t, err);
	return 0;
}

const char *table_name(uint32_t t, char *buf, size_t len)
{
	switch (t) {
	case XRT_TABLE_MAIN: return "main";
	case RIB_TABLE_LOCAL: return "local";
	case 253: return "default";
	}
	if (rt_tables_find(NULL, &t, buf, len))
		return buf;
	snprintf(buf, len, "%u", t);
	return buf;
}

int parse_mac(const char *w, uint8_t mac[6], char *err)
{
	unsigned v[6];
	char tail;
	if (sscanf(w, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &tail) != 6)
		return xrt_fail(err, -EINVAL, "\"%s\" is not a MAC address", w);
	for (int i = 0; i < 6; i++) {
		if (v[i] > 0xff)
			return xrt_fail(err, -EINVAL, "\"%s\" is not a MAC address", w);
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
	return xrt_fail(err, -EINVAL, "%s \"%s\" is invalid (on|off)", what, w);
}

int parse_dev(const char *w, char dev[IF_NAMESIZE], char *err)
{
	if (!*w || strlen(w) >= IF_NAMESIZE)
		return xrt_fail(err, -EINVAL, "\"%s\" is not an interface name", w);
	strcpy(dev, w);
	return 0;
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
	{ "broadcast", XRT_RTN_BROADCAST },
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

const char *ntop(const struct in6_addr *a, char buf[INET6_ADDRSTRLEN])
{
	return rib_ntop(a, buf);
}

void fmt_prefix(const struct in6_addr *a, unsigned plen, char *buf, size_t len)
{
	char b[INET6_ADDRSTRLEN];
	bool v4 = xrt_addr_is_v4(a) && plen >= XRT_V4_PLEN_OFFSET;
	if (plen == 0 || (v4 && plen == XRT_V4_PLEN_OFFSET))
		snprintf(buf, len, "default");
	else if (plen == 128)
		snprintf(buf, len, "%s", ntop(a, b));
	else
		snprintf(buf, len, "%s/%u", ntop(a, b), user_plen(a, plen));
}

void fmt_mac(const uint8_t *m, char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

void fmt_lifetime(uint32_t v, char *buf, size_t len)
{
	if (v == ND_LIFETIME_INFINITY)
		snprintf(buf, len, "infinity");
	else
		snprintf(buf, len, "%u", v);
}

const char *dev_name(struct xrt_router *r, int ifindex)
{
	struct xrt_link *l = router_link_by_ifindex(r, ifindex);
	return l ? l->dev.name : "?";
}

void json_print(struct xrt_buf *out, json_object *o)
{
	const char *s = json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	xrt_buf_add(out, s, strlen(s));
	xrt_buf_add(out, "\n", 1);
	json_object_put(o);
}
