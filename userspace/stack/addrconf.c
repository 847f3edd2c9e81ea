/* xrt: source address selection (RFC 6724 section 5), the kernel's ipv6_dev_get_saddr (net/ipv6/addrconf.c). */
#include "stack/stack_internal.h"

/* RFC 6724 section 2.1: the default policy table's labels (precedence
 * only orders destinations, which the stack never has to choose between). */
static const struct {
	uint8_t prefix[16];
	unsigned plen, label;
} ADDR_LABELS[] = {
	{ { [15] = 1 }, 128, 0 },                            /* ::1/128 */
	{ { [10] = 0xff, [11] = 0xff }, 96, 4 },             /* ::ffff:0:0/96 */
	{ { 0x20, 0x02 }, 16, 2 },                            /* 2002::/16 */
	{ { 0x20, 0x01, 0, 0 }, 32, 5 },                      /* 2001::/32 */
	{ { 0xfc }, 7, 13 },                                  /* fc00::/7 */
	{ { 0 }, 96, 3 },                                     /* ::/96 */
	{ { 0xfe, 0xc0 }, 10, 11 },                           /* fec0::/10 */
	{ { 0x3f, 0xfe }, 16, 12 },                           /* 3ffe::/16 */
};
#define ADDR_LABEL_DEFAULT 1 /* ::/0 */

/* Leading bits a and b share (0..128). */
static unsigned ip6_common_bits(const struct in6_addr *a, const struct in6_addr *b)
{
	for (unsigned i = 0; i < 16; i++) {
		uint8_t x = a->s6_addr[i] ^ b->s6_addr[i];
		if (x)
			return i * 8 + (unsigned)__builtin_clz(x) - 24;
	}
	return 128;
}

static bool ip6_in_prefix(const struct in6_addr *a, const uint8_t *prefix, unsigned plen)
{
	struct in6_addr p;
	memcpy(&p, prefix, 16);
	return ip6_common_bits(a, &p) >= plen;
}

/* Longest matching entry of the policy table. */
static unsigned ipv6_addr_label(const struct in6_addr *a)
{
	unsigned best_len = 0, label = ADDR_LABEL_DEFAULT;
	for (unsigned i = 0; i < sizeof(ADDR_LABELS) / sizeof(ADDR_LABELS[0]); i++)
		if (ADDR_LABELS[i].plen >= best_len &&
		    ip6_in_prefix(a, ADDR_LABELS[i].prefix, ADDR_LABELS[i].plen)) {
			best_len = ADDR_LABELS[i].plen;
			label = ADDR_LABELS[i].label;
		}
	return label;
}

unsigned ipv6_addr_scope(const struct in6_addr *a)
{
	if (ip6_is_mcast(a))
		return ip6_mc_scope(a);
	if (ip6_is_linklocal(a) || ip6_is_loopback(a))
		return IP6_SCOPE_LINK;
	if (a->s6_addr[0] == 0xfe && (a->s6_addr[1] & 0xc0) == 0xc0)
		return IP6_SCOPE_SITE;
	return IP6_SCOPE_GLOBAL;
}

struct saddr_choice {
	const struct in6_addr *dst;
	unsigned dst_scope, dst_label;
	int oif;          /* the outgoing interface (rule 5) */
	bool found;
	struct in6_addr best;
	unsigned best_plen;
	bool best_on_oif;
};

/*
 * RFC 6724 section 5, rules 1, 2, 5, 6 and 8 (xrt has no deprecated, home,
 * or temporary addresses, so rules 3, 4 and 7 never decide): true when
 * candidate a (prefix length plen, on the outgoing interface or not) is
 * better than the best so far. The first of equals stays, as in
 * __ipv6_dev_get_saddr.
 */
static bool saddr_better(const struct saddr_choice *c, const struct in6_addr *a,
			 unsigned plen, bool on_oif)
{
	const struct in6_addr *b = &c->best;
	/* Rule 1: prefer the same address. */
	bool a_same = ip6_eq(a, c->dst), b_same = ip6_eq(b, c->dst);
	if (a_same != b_same)
		return a_same;
	/* Rule 2: prefer appropriate scope. */
	unsigned sa = ipv6_addr_scope(a), sb = ipv6_addr_scope(b);
	if (sa < sb)
		return sa >= c->dst_scope;
	if (sb < sa)
		return sb < c->dst_scope;
	/* Rule 5: prefer the outgoing interface. */
	if (on_oif != c->best_on_oif)
		return on_oif;
	/* Rule 6: prefer a matching label. */
	bool la = ipv6_addr_label(a) == c->dst_label, lb = ipv6_addr_label(b) == c->dst_label;
	if (la != lb)
		return la;
	/* Rule 8: longest matching prefix, up to the address's own prefix
	 * length (the kernel's IPV6_SADDR_RULE_PREFIX). */
	unsigned ma = ip6_common_bits(a, c->dst), mb = ip6_common_bits(b, c->dst);
	if (ma > plen)
		ma = plen;
	if (mb > c->best_plen)
		mb = c->best_plen;
	return ma > mb;
}

static void saddr_consider(const struct xrt_netdev *dev, void *arg)
{
	struct saddr_choice *c = arg;
	bool on_oif = dev->ifindex == c->oif;
	for (unsigned i = 0; i < dev->naddrs && i < XRT_MAX_ADDRS; i++) {
		const struct in6_addr *a = &dev->addr[i];
		if (ip6_is_mcast(a) || ip6_is_unspec(a) || xrt_addr_is_v4(a))
			continue; /* an IPv4 address (mapped) never sources IPv6 */
		/* A link-local of another link does not exist on dst's. */
		if (ip6_is_linklocal(a) && !on_oif)
			continue;
		if (!c->found || saddr_better(c, a, dev->plen[i], on_oif)) {
			c->found = true;
			c->best = *a;
			c->best_plen = dev->plen[i];
			c->best_on_oif = on_oif;
		}
	}
}

/*
 * ipv6_dev_get_saddr: the candidates are dev's addresses when dst is
 * multicast or of link scope, else the addresses of every attached
 * interface (rule 5 then prefers dev's). A link-local destination thus
 * always gets a link-local source of dev (rule 2, RFC 4443 2.2), and a
 * global one a global source even when dev itself has none.
 */
bool ipv6_dev_get_saddr(const struct xrt_netdev *dev, const struct in6_addr *dst,
			struct in6_addr *out)
{
	if (xrt_addr_is_v4(dst)) {
		/* An IPv4 destination (a dual-stack socket's mapped peer) gets
		 * an IPv4 source: inet_select_addr, as the kernel's
		 * ipv6 sockets do through ip_route_connect for mapped peers. */
		uint32_t v4;
		if (!inet_select_addr(dev, xrt_addr_v4(dst), &v4))
			return false;
		*out = ip4_mapped(v4);
		return true;
	}
	struct saddr_choice c = {
		.dst = dst,
		.dst_scope = ipv6_addr_scope(dst),
		.dst_label = ipv6_addr_label(dst),
		.oif = dev ? dev->ifindex : 0,
	};
	if (dev)
		saddr_consider(dev, &c);
	if (!ip6_is_mcast(dst) && c.dst_scope > IP6_SCOPE_LINK && senv.dev_foreach)
		senv.dev_foreach(senv.ctx, saddr_consider, &c);
	if (!c.found)
		return false;
	*out = c.best;
	return true;
}
