/* xrt: the daemon's side of the stack seam: interfaces, routes and neighbours as the stack sees them. */
#include "router/stack_env.h"
#include "router/router.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/if_ether.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernel/netlink.h"
#include "xrt/inet.h"
#include "xrt/proto.h"
#include "xsk/xsk_port.h"
#include "dataplane/acl.h"

/* Offsets in an Ethernet + IPv6 + ICMPv6 Neighbour Solicitation. */
#define ETH_HLEN_ 14
#define NS_NEXTHDR_OFF (ETH_HLEN_ + 6)
#define NS_TYPE_OFF (ETH_HLEN_ + IP6_HDR_LEN)
#define NS_TARGET_OFF (NS_TYPE_OFF + 8) /* RFC 4861 4.3 */

/* The address a Neighbour Solicitation or an ARP request (RFC 826) asks
 * for, IPv4 mapped; false for any other frame, a gratuitous ARP included. */
static bool solicit_target(const uint8_t *f, size_t len, struct in6_addr *target)
{
	if (len >= NS_TARGET_OFF + 16 && f[12] == 0x86 && f[13] == 0xdd &&
	    f[NS_NEXTHDR_OFF] == NEXTHDR_ICMP && f[NS_TYPE_OFF] == ND_NEIGHBOR_SOLICIT) {
		memcpy(target, f + NS_TARGET_OFF, 16);
		return true;
	}
	struct ether_arp a;
	if (len < ETH_HLEN_ + sizeof(a) || f[12] != 0x08 || f[13] != 0x06)
		return false;
	memcpy(&a, f + ETH_HLEN_, sizeof(a));
	/* A gratuitous request (RFC 5227 2.3: sender = target) announces. */
	if (ntohs(a.arp_op) != ARPOP_REQUEST || !memcmp(a.arp_spa, a.arp_tpa, sizeof(a.arp_tpa)))
		return false;
	uint32_t tpa;
	memcpy(&tpa, a.arp_tpa, sizeof(tpa));
	xrt_addr_from_v4(target, tpa);
	return true;
}

static int env_xmit(void *ctx, int ifindex, const void *frame, size_t len)
{
	struct xrt_router *r = ctx;
	struct in6_addr target;
	/* Mirror mode: the kernel owns the addresses, so the answer to our NS
	 * or ARP request goes up to the kernel, not to us. Let the kernel
	 * resolve the same target; its neighbour event brings the MAC back
	 * through the mirror. */
	if (r->mirror && solicit_target(frame, len, &target))
		nl_mirror_resolve(r, ifindex, &target);
	return xsk_xmit(ifindex, frame, len);
}

static const struct xrt_netdev *env_dev_get(void *ctx, int ifindex)
{
	struct xrt_link *l = router_link_by_ifindex(ctx, ifindex);
	return l ? &l->dev : NULL;
}

static void env_dev_foreach(void *ctx, void (*fn)(const struct xrt_netdev *, void *),
			    void *arg)
{
	struct xrt_router *r = ctx;
	for (unsigned s = 1; s < XRT_MAX_IFACES; s++)
		if (r->links[s])
			fn(&r->links[s]->dev, arg);
}

/* The fast path's decision, from the RIB it was programmed from. */
static int env_fib6_lookup(void *ctx, uint32_t table, const struct in6_addr *saddr,
			   const struct in6_addr *daddr, struct fib6_result *res)
{
	struct xrt_router *r = ctx;
	memset(res, 0, sizeof(*res));
	/* fib_rules_lookup, as the fast path walks it: the punted packet's
	 * own key (ingress, ports) when this is its destination. */
	struct xrt_acl_key key = { 0 };
	int type;
	if (r->punt.has_key && !memcmp(r->punt.key.daddr, daddr, sizeof(*daddr)))
		key = r->punt.key;
	memcpy(key.saddr, saddr, sizeof(key.saddr));
	memcpy(key.daddr, daddr, sizeof(key.daddr));
	const struct rib_route *rt = fib_rules_lookup(&r->rules, r->rib, &key, table, &type, NULL);
	struct in6_addr kp;
	unsigned kl;
	/* A destination whose source routes did not all fit: the fast path
	 * hands it to the kernel (bpf/ip6_route_input.h); the stack must not
	 * forward it by xrt's other routes either. */
	if (!xrt_addr_is_v4(daddr) &&
	    rib_src_passed_at(r->rib, rt ? rt->node->table : table, daddr,
			      rt ? rt->node->plen : 0, &kp, &kl)) {
		res->type = XRT_FIB6_LEAF_KERNEL;
		return 0;
	}
	if (!rt && type > 0) {
		res->type = (uint32_t)type; /* blackhole, unreachable, prohibit rule */
		return 0;
	}
	if (!rt)
		return -ENETUNREACH;
	res->type = rt->type;
	const struct rib_nh *h = NULL;
	/* A group member the fast path picked for this very packet wins. */
	if (rt->grp && r->punt.valid && !memcmp(&r->punt.daddr, daddr, sizeof(*daddr)))
		for (unsigned i = 0; i < rt->grp->n; i++)
			if (rt->grp->nh[i]->id == r->punt.nh)
				h = rt->grp->nh[i];
	if (!h)
		h = rib_route_pick(rt, saddr, daddr);
	if (h) {
		res->oif = h->ifindex;
		res->nexthop = (h->flags & XRT_NH_F_CONNECTED) ? *daddr : h->gw;
		res->mtu = h->mtu;
	}
	return 0;
}

struct nh_refresh {
	struct xrt_maps *maps;
	char *err;
};

static int nh_refresh_one(const struct rib_nh *h, void *arg)
{
	struct nh_refresh *a = arg;
	return xrt_maps_nh_refresh_dmac(a->maps, h->id, a->err);
}

/* The neighbour entry first, then the next hops whose gateway it is (the
 * RIB knows them) re-read it into their cached MAC: a next hop never caches
 * a MAC the table no longer holds for longer than this call. */
static void env_neigh_changed(void *ctx, int ifindex, const struct in6_addr *addr,
			      const uint8_t mac[6], uint16_t state)
{
	struct xrt_router *r = ctx;
	char err[XRT_ERR_LEN];
	struct nh_refresh a = { .maps = &r->maps, .err = err };
	int rc = state ? xrt_maps_neigh_set(&r->maps, ifindex, addr->s6_addr, mac, state, err)
		       : xrt_maps_neigh_del(&r->maps, ifindex, addr->s6_addr, err);
	if (rc && rc != -ENOENT) {
		fprintf(stderr, "xrtd: neighbour: %s\n", err);
		return;
	}
	rc = rib_nh_foreach_gw(r->rib, ifindex, addr, nh_refresh_one, &a);
	if (rc)
		fprintf(stderr, "xrtd: neighbour: %s\n", err);
	struct router_ev ev = { .kind = ROUTER_EV_NEIGH, .deleted = !state, .ifindex = ifindex,
				.addr = *addr, .state = state };
	if (mac)
		memcpy(ev.mac, mac, sizeof(ev.mac));
	router_event(r, &ev);
}

/* When the fast path last forwarded through a STALE neighbour (0: never). */
static uint64_t env_neigh_used_ns(void *ctx, int ifindex, const struct in6_addr *addr)
{
	struct xrt_router *r = ctx;
	struct xrt_neigh6_val v;
	return xrt_maps_neigh_get(&r->maps, ifindex, addr->s6_addr, &v, NULL) == 0 ? v.used_ns
										    : 0;
}

/* The socket layer's established TCP connections: exempt from the LOCAL
 * punt budget in the fast path (bpf/punt.h). */
static int env_tcp_estab_changed(void *ctx, const struct in6_addr *remote, uint16_t rport,
				 const struct in6_addr *local, uint16_t lport, bool add)
{
	struct xrt_router *r = ctx;
	struct xrt_tcp_estab_key key = { .sport = rport, .dport = lport };
	memcpy(key.saddr, remote->s6_addr, sizeof(key.saddr));
	memcpy(key.daddr, local->s6_addr, sizeof(key.daddr));
	return add ? xrt_maps_tcp_estab_set(&r->maps, &key, NULL)
		   : xrt_maps_tcp_estab_del(&r->maps, &key, NULL);
}

static bool estab_exempt_off(void)
{
	const char *v = getenv("XRT_TCP_ESTAB_EXEMPT");
	return v && !strcmp(v, "0");
}

static uint64_t env_now_ns(void *ctx)
{
	(void)ctx;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Does route rt leave through ifindex (any ECMP member counts)? */
static bool rpf_route_uses_dev(const struct rib_route *rt, int ifindex)
{
	if (rt->nh)
		return rt->nh->ifindex == ifindex;
	for (unsigned i = 0; rt->grp && i < rt->grp->n; i++)
		if (rt->grp->nh[i]->ifindex == ifindex)
			return true;
	return false;
}

/*
 * fib_validate_source for what the fast path punted before its own check
 * (bpf/fib_validate_source.h): IPv6 hop-by-hop packets and IPv4 packets
 * with options. Same rules: a unicast route back to the source (IPv4's
 * table local first: a local or broadcast source fails), through the
 * ingress if strict; link-local and unspecified IPv6 sources and the IPv4
 * source 0.0.0.0 exempt (ip_rcv already dropped the other martians). With
 * policy rules, the route is the rules' answer for the reverse flow.
 */
static bool rpf_fails(struct xrt_router *r, const struct xrt_link *l, const uint8_t *ip,
		      size_t len)
{
	struct in6_addr saddr;

	if (!l->dev.rpf)
		return false;
	if ((ip[0] >> 4) == IP4_VERSION) {
		uint32_t s4;

		if (len < IP4_HDR_LEN)
			return false;
		memcpy(&s4, ip + 12, sizeof(s4));
		if (!s4)
			return false;
		xrt_addr_from_v4(&saddr, s4);
	} else {
		if (len < IP6_HDR_LEN)
			return false;
		memcpy(&saddr, ip + 8, sizeof(saddr));
		if (IN6_IS_ADDR_LINKLOCAL(&saddr) || IN6_IS_ADDR_UNSPECIFIED(&saddr))
			return false;
	}
	const struct rib_route *rt;
	if (!fib_rules_only_defaults(&r->rules)) {
		/* fib_validate_source's fib_lookup: the rules, on the reverse
		 * flow (as bpf/fib_validate_source.h). */
		struct xrt_acl_key k = { .ifindex = (uint32_t)l->dev.ifindex };
		bool v4 = (ip[0] >> 4) == IP4_VERSION;
		int type;

		if (v4)
			xrt_acl_parse4(ip, ip + len, &k);
		else
			xrt_acl_parse6(ip, ip + len, &k);
		xrt_fib_rules_reverse(&k, v4 ? XRT_AF_INET : XRT_AF_INET6);
		rt = fib_rules_lookup(&r->rules, r->rib, &k, l->dev.table, &type, NULL);
		if (type < 0) /* the fast path leaves those to the kernel */
			return false;
	} else {
		rt = rib_fib_lookup(r->rib, l->dev.table, &saddr);
	}
	if (!rt || rt->type != XRT_RTN_UNICAST)
		return true;
	return l->dev.rpf == XRT_RPF_STRICT && !rpf_route_uses_dev(rt, l->dev.ifindex);
}

/* The stack's NF_HOOK: rpf (prerouting only), then the acl of that hook,
 * the family's key by the header's version. */
static int env_nf_hook(void *ctx, unsigned hook, int ifindex, const uint8_t *ip, size_t len)
{
	struct xrt_router *r = ctx;
	const struct xrt_link *l = router_link_by_ifindex(r, ifindex);
	struct xrt_acl_key k = { .ifindex = (uint32_t)ifindex };

	if (!len)
		return 0;
	if (hook == XRT_ACL_IN && l && rpf_fails(r, l, ip, len))
		return -1;
	if ((ip[0] >> 4) == IP4_VERSION)
		xrt_acl_parse4(ip, ip + len, &k);
	else
		xrt_acl_parse6(ip, ip + len, &k);
	return xrt_acl_eval(&r->maps, hook, &k, (uint32_t)len) == XRT_ACL_DROP ? -1 : 0;
}

/* Ethernet + the IPv6 / IPv4 destination's offset in the fixed header. */
#define PUNT_DADDR_OFF (ETH_HLEN_ + 24)
#define PUNT_DADDR4_OFF (ETH_HLEN_ + 16)

/* The ECMP member the fast path chose for this frame's destination, so
 * the stack's lookup picks the same one; an IPv4 destination is kept as
 * its mapped address, the form the stack looks it up by. */
void router_punt_begin(struct xrt_router *r, const struct xrt_punt_meta *meta,
		       const uint8_t *frame, size_t len)
{
	bool v4 = len >= ETH_HLEN_ && frame[12] == 0x08 && frame[13] == 0x00;
	r->punt.has_key = meta && len > ETH_HLEN_;
	if (r->punt.has_key) {
		memset(&r->punt.key, 0, sizeof(r->punt.key));
		r->punt.key.ifindex = meta->ifindex;
		if (v4)
			xrt_fib_rules_parse4(frame + ETH_HLEN_, frame + len, &r->punt.key);
		else
			xrt_acl_parse6(frame + ETH_HLEN_, frame + len, &r->punt.key);
	}
	r->punt.valid = meta && meta->nh &&
			len >= (v4 ? PUNT_DADDR4_OFF + 4 : PUNT_DADDR_OFF + 16);
	if (!r->punt.valid)
		return;
	r->punt.nh = meta->nh;
	if (v4) {
		uint32_t d;
		memcpy(&d, frame + PUNT_DADDR4_OFF, 4);
		xrt_addr_from_v4(&r->punt.daddr, d);
	} else {
		memcpy(&r->punt.daddr, frame + PUNT_DADDR_OFF, 16);
	}
}

void router_punt_end(struct xrt_router *r)
{
	r->punt.valid = false;
	r->punt.has_key = false;
}

/* A socket's group: xrt_local6 tells the fast path to punt its traffic
 * (any scope) and, in mirror mode, that xrtd, not the kernel, takes it. */
static int env_mc_changed(void *ctx, int ifindex, const struct in6_addr *g, bool joined)
{
	struct xrt_router *r = ctx;
	return joined ? xrt_maps_local6_set(&r->maps, ifindex, g->s6_addr, XRT_LOCAL_F_XRTD, NULL)
		      : xrt_maps_local6_del(&r->maps, ifindex, g->s6_addr, NULL);
}

void router_stack_env(struct xrt_router *r, struct stack_env *env)
{
	*env = (struct stack_env){
		.ctx = r, .xmit = env_xmit, .dev_get = env_dev_get,
		.dev_foreach = env_dev_foreach, .fib6_lookup = env_fib6_lookup,
		.neigh_changed = env_neigh_changed, .now_ns = env_now_ns,
		.neigh_used_ns = env_neigh_used_ns,
		.tx_max_frame = XSK_TX_FRAME_MAX,
		/* XRT_TCP_ESTAB_EXEMPT=0 in xrtd's environment keeps every
		 * TCP segment under the LOCAL budget (for comparison). */
		.tcp_estab_changed = estab_exempt_off() ? NULL : env_tcp_estab_changed,
		.mc_changed = env_mc_changed,
		.nf_hook = env_nf_hook,
	};
}
