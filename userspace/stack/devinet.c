/* xrt: an interface's IPv4 addresses (net/ipv4/devinet.c): inet_select_addr, inet_confirm_addr, broadcast addresses. */
#include "stack/stack_internal.h"

/* The netmask of an IPv4 address's mapped prefix length (plen - 96). */
static uint32_t dev_v4_mask(unsigned plen)
{
	unsigned v4plen = plen > XRT_V4_PLEN_OFFSET ? plen - XRT_V4_PLEN_OFFSET : 0;
	if (v4plen > 32)
		v4plen = 32;
	return v4plen ? htonl(~0u << (32 - v4plen)) : 0;
}

bool inet_dev_has_addr(const struct xrt_netdev *dev, uint32_t v4)
{
	struct in6_addr a = ip4_mapped(v4);
	for (unsigned i = 0; dev && i < dev->naddrs && i < XRT_MAX_ADDRS; i++)
		if (ip6_eq(&dev->addr[i], &a))
			return true;
	return false;
}

static bool dev_has_bcast(const struct xrt_netdev *dev, uint32_t v4)
{
	for (unsigned i = 0; dev && i < dev->naddrs && i < XRT_MAX_ADDRS; i++) {
		if (!xrt_addr_is_v4(&dev->addr[i]))
			continue;
		uint32_t mask = dev_v4_mask(dev->plen[i]);
		/* /31 and /32 have no broadcast address (RFC 3021). */
		if (ntohl(mask) >= 0xfffffffeu)
			continue;
		if (v4 == (xrt_addr_v4(&dev->addr[i]) | ~mask))
			return true;
	}
	return false;
}

struct bcast_arg {
	uint32_t v4;
	bool found;
};

static void bcast_on_dev(const struct xrt_netdev *dev, void *arg)
{
	struct bcast_arg *b = arg;
	if (!b->found)
		b->found = dev_has_bcast(dev, b->v4);
}

/* The kernel's inet_addr_type says RTN_BROADCAST for the limited broadcast
 * and for the broadcast address of each subnet of every interface
 * (fib_add_ifaddr installs them in table local); multicast is its own
 * class (RFC 1112 4). dev is looked at first. */
bool ipv4_is_bcast_mcast(const struct xrt_netdev *dev, uint32_t v4)
{
	if (ipv4_is_lbcast(v4) || ipv4_is_multicast(v4) || dev_has_bcast(dev, v4))
		return true;
	struct bcast_arg b = { .v4 = v4 };
	senv.dev_foreach(senv.ctx, bcast_on_dev, &b);
	return b.found;
}

struct select_arg {
	uint32_t dst;
	bool found;
	uint32_t out;
};

static void select_on_dev(const struct xrt_netdev *dev, void *arg)
{
	struct select_arg *s = arg;
	for (unsigned i = 0; i < dev->naddrs && i < XRT_MAX_ADDRS; i++) {
		if (!xrt_addr_is_v4(&dev->addr[i]))
			continue;
		uint32_t a = xrt_addr_v4(&dev->addr[i]);
		uint32_t mask = dev_v4_mask(dev->plen[i]);
		/* The primary (first) address, unless a later one shares dst's
		 * subnet (inet_select_addr's inet_ifa_match). */
		if (!s->found || (s->dst && ((a ^ s->dst) & mask) == 0 &&
				  ((s->out ^ s->dst) & mask) != 0)) {
			s->found = true;
			s->out = a;
		}
	}
}

/* inet_select_addr(dev, dst, RT_SCOPE_LINK): dev's primary address, or
 * the one on dst's subnet; with none on dev, the first of any interface. */
bool inet_select_addr(const struct xrt_netdev *dev, uint32_t dst, uint32_t *out)
{
	struct select_arg s = { .dst = dst };
	if (dev)
		select_on_dev(dev, &s);
	if (!s.found)
		senv.dev_foreach(senv.ctx, select_on_dev, &s);
	if (!s.found)
		return false;
	*out = s.out;
	return true;
}
